/*
 * The fork server of the -DTQO_FAILALLOC=ON build (issue 16,
 * cmake/FailAlloc.cmake links with -Wl,--wrap=main and wraps the calls
 * that change files). tests/tools/alloc_loop.py drives it; two modes.
 *
 * TQO_FORK_SERVER=DIR: `tqo ARGS...` does not run ARGS once but reads
 * allocation points N from its standard input, one a line, and for each
 * forks a child that makes the Nth allocation fail (0: none) and runs
 * tqo's main on ARGS, with its standard output and error in DIR/stdout and
 * DIR/stderr and its allocation count in DIR/count; the parent answers
 * "N STATUS" (the exit status, or minus the signal) once the child is gone.
 * Why: a run of the small loop instance is a few dozen milliseconds of
 * work, but starting a process under ASan (its shadow memory, then GDAL's
 * and the other 120 shared libraries' loading) costs most of a second; the
 * fork starts from a process that has done all that and nothing else (no
 * allocation of tqo's, no thread), the same as a fresh
 * `TQO_FAIL_ALLOC=N tqo ARGS` as far as tqo can tell.
 *
 * TQO_FORK_CHECKPOINT="FIRST STEP LAST" as well: one clean run of ARGS
 * (its output in DIR/pstdout, DIR/pstderr) that, when its count reaches a
 * point K of FIRST, FIRST+STEP, ... LAST, forks there a child in which
 * that allocation fails: the child goes on from the state a fresh run
 * failing at K would be in, without redoing the work before it. Only where
 * that is the same as a fresh run: no file open but those open before main
 * (a child would move a shared file offset); otherwise the point is
 * answered "skip K" (the loop runs it the first way). Before a fork,
 * "fork K GEN" (GEN counts the run's changes to files so far) and a line
 * back from the loop, which copies the output folders aside when GEN
 * changed; after it, "done K STATUS" and a line back once the loop has
 * checked the child and put the folders back as they were at the fork.
 * At the end, "end STATUS 0" for the clean run itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tqo.h"

int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);
void failalloc_arm(long n, const char *count_path);
void failalloc_write_count(const char *path);
extern void (*failalloc_hook)(long k);
/* LeakSanitizer's and ASan's, in an ASan build */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

/* a child that runs longer than this is killed (a loop that never ends on
   some failure path): the loop sees SIGALRM and reports it */
enum { CHILD_SECONDS = 300 };

static char out_path[PATH_MAX], err_path[PATH_MAX], count_path[PATH_MAX];
static size_t heap_at_start; /* ASan's count of live bytes before main */

/* One line of fd into buf; 0 at the end of the input. Plain read(): the
   server makes no allocation a child would inherit. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    int got = 0;
    char c;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got = 1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            buf[n++] = c;
    }
    buf[n] = '\0';
    return got;
}

static int say(int fd, const char *fmt, long a, long b)
{
    char ans[96];
    int len = snprintf(ans, sizeof ans, fmt, a, b);
    return write(fd, ans, (size_t)len) == len ? 0 : -1;
}

static void redirect(int fd, const char *path, int flags)
{
    int f = open(path, flags, 0644);
    if (f < 0 || dup2(f, fd) < 0)
        _exit(125);
    close(f);
}

static size_t live_bytes(void)
{
    return __sanitizer_get_current_allocated_bytes ? __sanitizer_get_current_allocated_bytes() : 0;
}

/* After main's return, what exit() would do for tqo (which registers no
   atexit handler): its streams flushed and LeakSanitizer's check; but not
   the 120 shared libraries' destructors. The check scans the whole process
   (a tenth of a second and more); when the heap holds exactly the bytes it
   held before main, nothing the run allocated is left, so there is no leak
   to find and the scan is skipped. */
/* The check's own test: a block nothing points to any more, made and
   dropped in a function of its own so that no register or live stack slot
   of end_run keeps its address (LeakSanitizer scans those conservatively). */
static void *volatile canary_slot;
static __attribute__((noinline)) size_t leak_canary(void)
{
    canary_slot = malloc(24);
    size_t made = canary_slot != NULL;
    canary_slot = NULL;
    return made;
}

static void end_run(int status, const char *counts)
{
    fflush(NULL);
    failalloc_write_count(counts);
    tqo_thread_end(); /* GLPK's environment: reachable, not a leak */
    size_t heap1 = live_bytes();
    if (getenv("TQO_FORK_SERVER_LEAKTEST"))
        heap1 += leak_canary();
    if (__lsan_do_recoverable_leak_check && (heap1 != heap_at_start || getenv("TQO_FORK_SERVER_LSAN")) &&
        __lsan_do_recoverable_leak_check())
        status = 23; /* LeakSanitizer's exit status; its report is on stderr */
    _exit(status);
}

/* A child's streams to DIR's files, its point armed. */
static void child_setup(long n)
{
    redirect(0, "/dev/null", O_RDONLY);
    redirect(1, out_path, O_WRONLY | O_CREAT | O_TRUNC);
    redirect(2, err_path, O_WRONLY | O_CREAT | O_TRUNC);
    unlink(count_path);
    failalloc_arm(n, NULL);
    alarm(CHILD_SECONDS);
}

/* Waits for pid: its exit status, or minus its signal. */
static int reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -999;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static int serve(int argc, char **argv)
{
    char line[64];
    while (read_line(0, line, sizeof line)) {
        char *end;
        long n = strtol(line, &end, 10);
        if (end == line || n < 0)
            return 2;
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            child_setup(n);
            end_run(__real_main(argc, argv), count_path);
        }
        if (say(1, "%ld %ld\n", n, reap(pid)) != 0)
            return 1;
    }
    return 0;
}

/* --- checkpoint mode --- */

static long cp_next, cp_step, cp_last;
static int cp_in = -1, cp_out = -1, cp_child;
static long fs_gen; /* the run's changes to files so far (the wrappers below) */
enum { MAX_FD = 256 };
static unsigned char fd_before[MAX_FD]; /* open before main */

static void fds_take(void)
{
    for (int fd = 0; fd < MAX_FD; fd++)
        fd_before[fd] = fcntl(fd, F_GETFD) != -1;
}

/* 1 when the files open now are those open before main. */
static int fds_same(void)
{
    for (int fd = 3; fd < MAX_FD; fd++)
        if ((fcntl(fd, F_GETFD) != -1) != fd_before[fd])
            return 0;
    return 1;
}

/* The time the clean run spent waiting for its children and the loop:
   the clocks below hide it, so that a time limit (GLPK's tm_lim, a step's
   budget) runs out in the clean run and its children when it would in a
   fresh run, not after the minutes a loop spends. */
static long long paused_ns;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* failalloc_hook: at a point of the list, a child failing there. */
static void checkpoint(long k)
{
    if (cp_child || k != cp_next || k > cp_last)
        return;
    cp_next += cp_step;
    char line[16];
    if (!fds_same()) {
        if (say(cp_out, "skip %ld %ld\n", k, 0) != 0)
            _exit(124);
        return;
    }
    long long t0 = now_ns();
    if (say(cp_out, "fork %ld %ld\n", k, fs_gen) != 0 || !read_line(cp_in, line, sizeof line))
        _exit(124);
    pid_t pid = fork();
    if (pid < 0)
        _exit(124);
    if (pid == 0) {
        cp_child = 1;
        close(cp_in);
        close(cp_out);
        child_setup(k); /* arms k: fail_now, the caller, fails it */
        return;
    }
    if (say(cp_out, "done %ld %ld\n", k, reap(pid)) != 0 || !read_line(cp_in, line, sizeof line))
        _exit(124);
    paused_ns += now_ns() - t0;
}

static int checkpoint_run(const char *spec, const char *dir, int argc, char **argv)
{
    if (sscanf(spec, "%ld %ld %ld", &cp_next, &cp_step, &cp_last) != 3 || cp_next < 1 || cp_step < 1)
        return 2;
    char pout[PATH_MAX + 16], perr[PATH_MAX + 16], counts[PATH_MAX + 16];
    snprintf(pout, sizeof pout, "%s/pstdout", dir);
    snprintf(perr, sizeof perr, "%s/pstderr", dir);
    snprintf(counts, sizeof counts, "%s/pcount", dir);
    cp_in = dup(0);
    cp_out = dup(1);
    if (cp_in < 0 || cp_out < 0)
        return 1;
    redirect(0, "/dev/null", O_RDONLY);
    redirect(1, pout, O_WRONLY | O_CREAT | O_TRUNC);
    redirect(2, perr, O_WRONLY | O_CREAT | O_TRUNC);
    fds_take();
    failalloc_arm(0, NULL);
    fs_gen = 0; /* the run's own changes from here */
    failalloc_hook = checkpoint;
    int status = __real_main(argc, argv);
    failalloc_hook = NULL;
    if (cp_child)
        end_run(status, count_path);
    fflush(NULL);
    if (say(cp_out, "end %ld %ld\n", status, 0) != 0)
        return 1;
    end_run(status, counts);
    return status;
}

/* libgomp keeps the thread pool of the first parallel region in a heap
   block for good: made here (one thread, no thread started), every child
   inherits it instead of leaving its own behind (libgomp is a shared
   library: not counted). */
static void warm_up(void)
{
    int one = 1;
#pragma omp parallel num_threads(1)
    one = 1;
    (void)one;
}

int __wrap_main(int argc, char **argv)
{
    const char *dir = getenv("TQO_FORK_SERVER");
    if (!dir || !*dir)
        return __real_main(argc, argv);
    if (snprintf(out_path, sizeof out_path, "%s/stdout", dir) >= (int)sizeof out_path ||
        snprintf(err_path, sizeof err_path, "%s/stderr", dir) >= (int)sizeof err_path ||
        snprintf(count_path, sizeof count_path, "%s/count", dir) >= (int)sizeof count_path)
        return 2;
    warm_up();
    /* stdout's buffer, static: glibc's own would be a heap block made by
       the first child that prints, outliving main */
    static char outbuf[BUFSIZ];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    heap_at_start = live_bytes();
    const char *cp = getenv("TQO_FORK_CHECKPOINT");
    if (cp && *cp)
        return checkpoint_run(cp, dir, argc, argv);
    return serve(argc, argv);
}

/* The calls of tqo's (and its static libraries') that change files: each
   counts in fs_gen, so that the loop knows when to copy the folders aside
   before a fork (checkpoint mode). */
int __real_mkdir(const char *p, mode_t m);
int __real_rename(const char *a, const char *b);
int __real_renameat2(int da, const char *a, int db, const char *b, unsigned f);
int __real_remove(const char *p);
int __real_rmdir(const char *p);
int __real_unlink(const char *p);
FILE *__real_fopen(const char *p, const char *m);
int __real_open(const char *p, int flags, ...);
int __wrap_mkdir(const char *p, mode_t m);
int __wrap_rename(const char *a, const char *b);
int __wrap_renameat2(int da, const char *a, int db, const char *b, unsigned f);
int __wrap_remove(const char *p);
int __wrap_rmdir(const char *p);
int __wrap_unlink(const char *p);
FILE *__wrap_fopen(const char *p, const char *m);
int __wrap_open(const char *p, int flags, ...);

int __wrap_mkdir(const char *p, mode_t m)
{
    fs_gen++;
    return __real_mkdir(p, m);
}

int __wrap_rename(const char *a, const char *b)
{
    fs_gen++;
    return __real_rename(a, b);
}

int __wrap_renameat2(int da, const char *a, int db, const char *b, unsigned f)
{
    fs_gen++;
    return __real_renameat2(da, a, db, b, f);
}

int __wrap_remove(const char *p)
{
    fs_gen++;
    return __real_remove(p);
}

int __wrap_rmdir(const char *p)
{
    fs_gen++;
    return __real_rmdir(p);
}

int __wrap_unlink(const char *p)
{
    fs_gen++;
    return __real_unlink(p);
}

FILE *__wrap_fopen(const char *p, const char *m)
{
    if (strpbrk(m, "wa+"))
        fs_gen++;
    return __real_fopen(p, m);
}

int __wrap_open(const char *p, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))
        fs_gen++;
    return __real_open(p, flags, mode);
}

/* The clocks tqo and GLPK read, less the time paused (above); the CPU
   clocks are the process's own and need nothing. */
int __real_clock_gettime(clockid_t c, struct timespec *t);
int __real_gettimeofday(struct timeval *restrict t, void *restrict tz);
time_t __real_time(time_t *t);
double __real_omp_get_wtime(void);
int __wrap_clock_gettime(clockid_t c, struct timespec *t);
int __wrap_gettimeofday(struct timeval *restrict t, void *restrict tz);
time_t __wrap_time(time_t *t);
double __wrap_omp_get_wtime(void);

int __wrap_clock_gettime(clockid_t c, struct timespec *t)
{
    int r = __real_clock_gettime(c, t);
    if (r == 0 && paused_ns && c != CLOCK_PROCESS_CPUTIME_ID && c != CLOCK_THREAD_CPUTIME_ID) {
        long long ns = t->tv_sec * 1000000000LL + t->tv_nsec - paused_ns;
        t->tv_sec = (time_t)(ns / 1000000000LL);
        t->tv_nsec = (long)(ns % 1000000000LL);
    }
    return r;
}

int __wrap_gettimeofday(struct timeval *restrict t, void *restrict tz)
{
    int r = __real_gettimeofday(t, tz);
    if (r == 0 && t && paused_ns) {
        long long us = t->tv_sec * 1000000LL + t->tv_usec - paused_ns / 1000;
        t->tv_sec = (time_t)(us / 1000000LL);
        t->tv_usec = (suseconds_t)(us % 1000000LL);
    }
    return r;
}

time_t __wrap_time(time_t *t)
{
    time_t r = __real_time(NULL) - (time_t)(paused_ns / 1000000000LL);
    if (t)
        *t = r;
    return r;
}

double __wrap_omp_get_wtime(void)
{
    return __real_omp_get_wtime() - (double)paused_ns * 1e-9;
}
