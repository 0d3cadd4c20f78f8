/*
 * Allocation-failure injection for the -DTQO_FAILALLOC=ON build (issue 16,
 * cmake/FailAlloc.cmake): the tqo binary is linked with
 * -Wl,--wrap=malloc,calloc,realloc,strdup,strndup, so every allocation made
 * by tqo's own code (the library and the CLI) and by the static libraries
 * linked into it comes here; the shared libraries' own calls (libc, GDAL,
 * GLPK's shared build) do not.
 *
 *   TQO_FAIL_ALLOC=N    the Nth counted allocation returns NULL (only that
 *                       one: the paths that clean up after it run normally)
 *   TQO_ALLOC_COUNT=F   at exit, writes the number of allocations to F
 *   TQO_FORK_SERVER=DIR  one process runs many points (failalloc_server.c)
 *
 * The counter is atomic, but the order of allocations is only repeatable
 * with one thread (the loop runs --threads 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void failalloc_arm(long n, const char *count_path);
void failalloc_write_count(const char *path);
/* set by the fork server's checkpoint mode: called with each count */
void (*failalloc_hook)(long k);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* ASan's, when linked in: TQO_FAIL_ALLOC_TRACE=1 prints where the
   failing allocation was made (to find the code that mishandled it) */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

static atomic_long counter;
static long fail_at = -1; /* -1: not read yet; 0: never fail */
static const char *count_file;

static void write_count_to(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", (long)atomic_load(&counter));
        fclose(f);
    }
}

static void write_count(void)
{
    write_count_to(count_file);
}

/* The count now, to path: the fork server's children, which end without
   the atexit handlers. */
void failalloc_write_count(const char *path)
{
    write_count_to(path);
}

/* Sets the point to fail (0: none) and the count file (NULL: none); the
   fork server (failalloc_server.c) calls it in each child, before main. */
void failalloc_arm(long n, const char *count_path)
{
    fail_at = n;
    count_file = count_path;
    if (count_file)
        atexit(write_count);
}

/* 1 when this allocation is the one to fail. */
static int fail_now(void)
{
    if (fail_at < 0) {
        /* first call, still single-threaded (before any OpenMP region) */
        const char *e = getenv("TQO_FAIL_ALLOC");
        failalloc_arm(e ? atol(e) : 0, getenv("TQO_ALLOC_COUNT"));
    }
    long k = atomic_fetch_add(&counter, 1) + 1;
    if (failalloc_hook)
        failalloc_hook(k); /* may fork a child that fails at k */
    if (k != fail_at)
        return 0;
    errno = ENOMEM; /* as the real one does */
    if (getenv("TQO_FAIL_ALLOC_TRACE") && __sanitizer_print_stack_trace)
        __sanitizer_print_stack_trace();
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
    return fail_now() ? NULL : __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}
