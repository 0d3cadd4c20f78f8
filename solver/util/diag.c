/* Status names and the diagnostics list (tqo_diag). */
#include "tqo.h"

#include <stdarg.h>
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

void tqo_diag_init(tqo_diag *d)
{
    memset(d, 0, sizeof *d);
}

void tqo_diag_free(tqo_diag *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_msgs; i++)
        free(d->msgs[i]);
    free(d->msgs);
    free(d->is_error);
    memset(d, 0, sizeof *d);
}

static void diag_add(tqo_diag *d, int is_error, const char *fmt, va_list ap)
{
    if (is_error)
        d->n_errors++;
    else
        d->n_warnings++;
    if (d->n_msgs == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        char **m = realloc(d->msgs, (size_t)cap * sizeof *m);
        if (!m)
            return;
        d->msgs = m;
        int *e = realloc(d->is_error, (size_t)cap * sizeof *e);
        if (!e)
            return;
        d->is_error = e;
        d->cap = cap;
    }
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0)
        return;
    char *s = malloc((size_t)len + 1);
    if (!s)
        return;
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    d->msgs[d->n_msgs] = s;
    d->is_error[d->n_msgs] = is_error;
    d->n_msgs++;
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
