# -DTQO_FAILALLOC=ON (issue 16): a test build of the tqo binary whose Nth
# allocation fails (TQO_FAIL_ALLOC=N; tests/tools/failalloc.c). Every call
# to malloc, calloc, realloc, strdup and strndup from tqo's objects, the
# library's and the CLI's, and from the static libraries linked in (libcsv)
# is wrapped by the linker. For tests/tools/alloc_loop.py (make alloc-loop);
# never for a release.
#
# GLPK is a shared library, which --wrap does not reach: this build links
# GLPK's archive (libglpk.a, Debian's libglpk-dev) instead, so its
# allocations (glp_alloc calls malloc) count in the same N and fail like
# tqo's own; a failure ends in GLPK's error hook, which util/glpk_guard.c
# turns into "out of memory". Without the archive, GLPK's are not counted.
#
# --wrap=main: tests/tools/failalloc_server.c's fork server (TQO_FORK_SERVER)
# runs many points from one process start, which under ASan costs more than
# the run itself; its checkpoint mode forks the failing runs from inside one
# clean run, counts the calls that change files (mkdir ... open) and hides
# from the clocks (clock_gettime ... omp_get_wtime) the time it waits.
if(TQO_FAILALLOC)
  target_sources(tqo_cli PRIVATE ${PROJECT_SOURCE_DIR}/tests/tools/failalloc.c
    ${PROJECT_SOURCE_DIR}/tests/tools/failalloc_server.c)
  target_link_options(tqo_cli PRIVATE
    "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=main"
    "LINKER:--wrap=mkdir,--wrap=rename,--wrap=renameat2,--wrap=remove,--wrap=rmdir,--wrap=unlink"
    "LINKER:--wrap=fopen,--wrap=open"
    "LINKER:--wrap=clock_gettime,--wrap=gettimeofday,--wrap=time,--wrap=omp_get_wtime")
  # its one OpenMP region (libgomp's lasting block made before the forks)
  set_source_files_properties(${PROJECT_SOURCE_DIR}/tests/tools/failalloc_server.c PROPERTIES
    COMPILE_OPTIONS "${OpenMP_C_FLAGS}")
  find_library(TQO_GLPK_ARCHIVE NAMES libglpk.a)
  if(TQO_GLPK_ARCHIVE AND NOT BUILD_SHARED_LIBS)
    # libglpk.so's own dependencies, which the archive leaves to the linker
    set_target_properties(tqo_dep::glpk PROPERTIES
      IMPORTED_LOCATION "${TQO_GLPK_ARCHIVE}"
      INTERFACE_LINK_LIBRARIES "colamd;amd;z;ltdl;gmp")
    message(STATUS "TQO_FAILALLOC: GLPK's archive ${TQO_GLPK_ARCHIVE}: its allocations fail too")
  else()
    message(STATUS "TQO_FAILALLOC: no static GLPK (or a shared libtqo): GLPK's allocations are not counted")
  endif()
endif()
