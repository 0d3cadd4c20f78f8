/*
 * Guarded GLPK calls (see glpk_guard.h).
 *
 * GLPK reports an internal error through glp_error, which prints the
 * message (forcing terminal output on), calls the error hook and then
 * abort(). We install a hook that longjmps back to the guarded call, and a
 * terminal hook that swallows GLPK's output while it is in error state and
 * keeps the first line of the message for the caller's diagnostics.
 *
 * GLPK's environment is thread-local in Debian's build, and so are the jump
 * buffer and the message here: threads guard their own calls independently.
 * A guarded call made while another is active on the same thread (e.g. from
 * a glp_intopt callback) runs under the outer guard: a failure unwinds to
 * the outermost one, which is the only place that may free the environment.
 */
#include "util/glpk_guard.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>


static _Thread_local jmp_buf guard_buf;
static _Thread_local int guard_depth;
static _Thread_local char guard_msg[256];

static void guard_error_hook(void *info)
{
    (void)info;
    longjmp(guard_buf, 1);
}

/* Keeps the first line GLPK prints while in error state (the message),
   and prints nothing: the library never writes to the terminal. Normal
   output (when enabled) is left to GLPK. */
static int guard_term_hook(void *info, const char *s)
{
    (void)info;
    if (!glp_at_error())
        return 0;
    if (guard_msg[0] == '\0') {
        size_t len = strcspn(s, "\n");
        if (len >= sizeof guard_msg)
            len = sizeof guard_msg - 1;
        memcpy(guard_msg, s, len);
        guard_msg[len] = '\0';
    }
    return 1;
}

static int run_guarded(int (*fn)(void *), void *arg, int *ret)
{
    if (guard_depth > 0) {
        /* Nested: the outer guard catches a failure. */
        int r = fn(arg);
        if (ret)
            *ret = r;
        return 0;
    }
    guard_msg[0] = '\0';
    /* GLPK's environment made here, where its failure can be told: made
       by the first GLPK call instead, a failure prints and aborts */
    if (glp_init_env() == 2) {
        snprintf(guard_msg, sizeof guard_msg, "glp_init_env: no memory available");
        return -1;
    }
    guard_depth = 1;
    if (setjmp(guard_buf) != 0) {
        /* GLPK's state is unusable after glp_error: free all of it (this
           thread's problem objects included), as the manual requires. */
        guard_depth = 0;
        glp_free_env();
        return -1;
    }
    glp_error_hook(guard_error_hook, NULL);
    glp_term_hook(guard_term_hook, NULL);
    int r = fn(arg);
    glp_term_hook(NULL, NULL);
    glp_error_hook(NULL, NULL);
    guard_depth = 0;
    if (ret)
        *ret = r;
    return 0;
}

const char *tqoi_glpk_last_error(void)
{
    /* GLPK's allocator failing ("glp_alloc: no memory available", "...:
       memory allocation error") is out of memory, and says so in the
       words every other allocation failure of tqo uses. */
    static _Thread_local char nomem[sizeof guard_msg + 32];
    if (strstr(guard_msg, "no memory available") || strstr(guard_msg, "memory allocation")) {
        snprintf(nomem, sizeof nomem, "out of memory (GLPK: %s)", guard_msg);
        return nomem;
    }
    return guard_msg[0] ? guard_msg : "GLPK internal error";
}

/* ---- the guarded entry points ---- */

typedef struct guard_args {
    glp_prob *P;
    const glp_smcp *smcp;
    const glp_iocp *iocp;
    const char *path;
    void (*fn)(void *);
    void *arg;
} guard_args;

static int do_simplex(void *p)
{
    guard_args *a = p;
    return glp_simplex(a->P, a->smcp);
}

static int do_intopt(void *p)
{
    guard_args *a = p;
    return glp_intopt(a->P, a->iocp);
}

static int do_write_lp(void *p)
{
    guard_args *a = p;
    return glp_write_lp(a->P, NULL, a->path);
}

static int do_write_mps(void *p)
{
    guard_args *a = p;
    return glp_write_mps(a->P, GLP_MPS_FILE, NULL, a->path);
}

static int do_call(void *p)
{
    guard_args *a = p;
    a->fn(a->arg);
    return 0;
}

int tqoi_guarded_simplex(glp_prob *P, const glp_smcp *parm, int *ret)
{
    guard_args a = {.P = P, .smcp = parm};
    return run_guarded(do_simplex, &a, ret);
}

int tqoi_guarded_intopt(glp_prob *P, const glp_iocp *parm, int *ret)
{
    guard_args a = {.P = P, .iocp = parm};
    return run_guarded(do_intopt, &a, ret);
}

int tqoi_guarded_write_lp(glp_prob *P, const char *path, int *ret)
{
    guard_args a = {.P = P, .path = path};
    return run_guarded(do_write_lp, &a, ret);
}

int tqoi_guarded_write_mps(glp_prob *P, const char *path, int *ret)
{
    guard_args a = {.P = P, .path = path};
    return run_guarded(do_write_mps, &a, ret);
}

int tqoi_guarded_call(void (*fn)(void *), void *arg)
{
    guard_args a = {.fn = fn, .arg = arg};
    return run_guarded(do_call, &a, NULL);
}

void tqoi_glpk_quiet(void)
{
    /* Cheap, so done on every call: after a guarded failure freed the
       environment, GLPK starts a new one with output on again. */
    glp_term_out(GLP_OFF);
}
