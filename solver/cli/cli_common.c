/* Shared pieces of the tqo command line. */
#include "cli/cli_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_print_diag(const tqo_diag *d)
{
    int kept = 0;
    for (int i = 0; i < d->n_msgs; i++) {
        fprintf(stderr, "tqo: %s: %s\n", d->is_error[i] ? "error" : "warning", d->msgs[i]);
        kept += !d->is_error[i];
    }
    /* the list could not keep them (util/diag.c): never lost silently */
    if (d->n_warnings > kept)
        fprintf(stderr, "tqo: warning: %d further warning%s lost for lack of memory\n", d->n_warnings - kept,
                d->n_warnings - kept == 1 ? "" : "s");
}

int cli_exit_code(tqo_status st)
{
    switch (st) {
    case TQO_OK: return CLI_EXIT_OK;
    case TQO_ERR_INPUT:
    case TQO_ERR_ARG: return CLI_EXIT_INPUT;
    case TQO_ERR_NOMEM:
        /* said here once: the failed allocation may have been the message's own */
        fputs("tqo: error: out of memory\n", stderr);
        return CLI_EXIT_FAIL;
    default: return CLI_EXIT_FAIL;
    }
}

void cli_log(void *ctx, tqo_log_level level, const char *msg)
{
    const cli_common *c = ctx;
    if (level >= TQO_LOG_INFO && c && c->quiet)
        return;
    if (level == TQO_LOG_DEBUG && !(c && c->verbose))
        return;
    const char *tag = level == TQO_LOG_ERROR ? "error: " : level == TQO_LOG_WARNING ? "warning: " : "";
    fprintf(stderr, "tqo: %s%s\n", tag, msg);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tqo: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_INPUT;
}

tqo_status cli_load_assigned(const char *path, const char *asg_path, int threads, tqo_instance **inst,
                             tqo_assignment *asg, tqo_diag *diag)
{
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    ls.adjacency = "none";
    ls.threads = threads;
    tqo_status st = tqo_instance_load(path, &ls, inst, diag);
    if (st == TQO_OK)
        st = asg_path ? tqo_assignment_load(asg_path, *inst, asg, diag) : tqo_assignment_from_current(*inst, asg, diag);
    return st;
}
