# -DTQO_FAILALLOC=ON (issue 16): a test build of the tqo binary whose Nth
# allocation fails (TQO_FAIL_ALLOC=N; tests/tools/failalloc.c). Every call
# to malloc, calloc, realloc, strdup and strndup from tqo's objects, the
# library's and the CLI's, and from the static libraries linked in (libcsv)
# is wrapped by the linker. For tests/tools/alloc_loop.py (make alloc-loop);
# never for a release.
if(TQO_FAILALLOC)
  target_sources(tqo_cli PRIVATE ${PROJECT_SOURCE_DIR}/tests/tools/failalloc.c)
  target_link_options(tqo_cli PRIVATE
    "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup")
endif()
