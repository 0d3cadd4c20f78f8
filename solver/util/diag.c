/* Status names and the diagnostics list (tqo_diag). */
#include "tqo.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tqo_status_string(tqo_status st)
{
    switch (st) {
    case TQO_OK: return "ok";
    case TQO_ERR_INPUT: return "input error";
    case TQO_ERR_IO: return "i/o error";
    case TQO_ERR_ARG: return "invalid argument";
    case TQO_ERR_NOMEM: return "out of memory";
    case TQO_ERR_INFEASIBLE: return "infeasible";
    case TQO_ERR_SOLVER: return "solver failure";
    case TQO_ERR_LIMIT: return "limit reached";
    }
    return "unknown status";
}

/*
 * A warning must not be lost because the memory to keep it ran out (issue
 * 16: report.html lacked one at 4 allocation points of the plan loop). So
 * the list keeps a free slot ahead (grown after each message, retried at the
 * next), and when malloc fails the list's arrays or a message's text come
 * from a static reserve of blocks shared by all lists; a message longer than
 * a block is cut there. Only when the reserve too is spent is a message
 * dropped, and then n_warnings (or n_errors) still counts it, so the
 * caller can say how many are missing (cli_print_diag does).
 */
enum { RESERVE_BLOCKS = 128, RESERVE_BYTES = 1024 };
static _Alignas(max_align_t) unsigned char reserve[RESERVE_BLOCKS][RESERVE_BYTES];
static atomic_int reserve_used[RESERVE_BLOCKS];

static int in_reserve(const void *p)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)&reserve[0][0];
    return a >= lo && a < lo + sizeof reserve;
}

static void *reserve_take(void)
{
    for (int b = 0; b < RESERVE_BLOCKS; b++)
        if (atomic_exchange(&reserve_used[b], 1) == 0)
            return reserve[b];
    return NULL;
}

/* free() for what may be a reserve block */
static void release(void *p)
{
    if (in_reserve(p))
        atomic_store(&reserve_used[((unsigned char *)p - &reserve[0][0]) / RESERVE_BYTES], 0);
    else
        free(p);
}

/* old (old_bytes of it in use) grown to new_bytes: realloc, else a copy in
   a reserve block when it fits one; NULL (old untouched) when neither. */
static void *grow(void *old, size_t old_bytes, size_t new_bytes)
{
    void *p = in_reserve(old) ? malloc(new_bytes) : realloc(old, new_bytes);
    if (p && in_reserve(old)) {
        memcpy(p, old, old_bytes);
        release(old);
    }
    if (p || new_bytes > RESERVE_BYTES)
        return p;
    if (in_reserve(old)) /* already a whole block */
        return old;
    if (!(p = reserve_take()))
        return NULL;
    if (old_bytes)
        memcpy(p, old, old_bytes);
    free(old);
    return p;
}

/* Room for one more message; 0 when there is none. */
static int make_room(tqo_diag *d)
{
    if (d->n_msgs < d->cap)
        return 1;
    int cap = d->cap ? 2 * d->cap : 16;
    char **m = grow(d->msgs, (size_t)d->n_msgs * sizeof *m, (size_t)cap * sizeof *m);
    if (m)
        d->msgs = m;
    int *e = m ? grow(d->is_error, (size_t)d->n_msgs * sizeof *e, (size_t)cap * sizeof *e) : NULL;
    if (e)
        d->is_error = e;
    if (m && e)
        d->cap = cap;
    return d->n_msgs < d->cap;
}

void tqo_diag_init(tqo_diag *d)
{
    memset(d, 0, sizeof *d);
}

void tqo_diag_free(tqo_diag *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_msgs; i++)
        release(d->msgs[i]);
    release(d->msgs);
    release(d->is_error);
    memset(d, 0, sizeof *d);
}

static void diag_add(tqo_diag *d, int is_error, const char *fmt, va_list ap)
{
    if (is_error)
        d->n_errors++;
    else
        d->n_warnings++;
    if (!make_room(d))
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0)
        return;
    size_t size = (size_t)len + 1;
    char *s = malloc(size);
    if (!s && (s = reserve_take()) != NULL && size > RESERVE_BYTES)
        size = RESERVE_BYTES; /* cut rather than lost */
    if (!s)
        return;
    vsnprintf(s, size, fmt, ap);
    d->msgs[d->n_msgs] = s;
    d->is_error[d->n_msgs] = is_error;
    d->n_msgs++;
    make_room(d); /* the free slot ahead: next time, a failed growth loses nothing */
}

void tqo_diag_error(tqo_diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, 1, fmt, ap);
    va_end(ap);
}

void tqo_diag_warning(tqo_diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, 0, fmt, ap);
    va_end(ap);
}

const char *tqo_diag_first_error(const tqo_diag *d)
{
    for (int i = 0; d && i < d->n_msgs; i++)
        if (d->is_error[i])
            return d->msgs[i];
    return NULL;
}

void tqo_log_printf(tqo_log_fn fn, void *ctx, tqo_log_level level, const char *fmt, ...)
{
    if (!fn)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(ctx, level, buf);
}
