/* The progress line of tqo align and tqo plan on a terminal: per phase of
   the alignment, the work done, the time since the phase began and an
   estimate of what is left, redrawn in place. */
#include "cli/cli_common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cli_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void show(void *ctx, const char *phase, int done, int total)
{
    cli_align_progress *pg = ctx;
    if (strncmp(pg->phase, phase, sizeof pg->phase - 1) != 0) {
        if (pg->open)
            fputc('\n', stderr); /* the last phase ended before its total */
        snprintf(pg->phase, sizeof pg->phase, "%s", phase);
        pg->t0 = cli_now_s();
    }
    double el = cli_now_s() - pg->t0;
    char left[48] = "";
    if (done > 0 && done < total)
        snprintf(left, sizeof left, ", about %.0f s left", el * (total - done) / done);
    fprintf(stderr, "\r%s: %d/%d, %.1f s%s   ", phase, done, total, el, left);
    pg->open = done < total;
    if (!pg->open)
        fputc('\n', stderr);
    fflush(stderr);
}

void cli_align_progress_attach(tqo_align_settings *s, cli_align_progress *pg, int quiet)
{
    memset(pg, 0, sizeof *pg);
    if (quiet || !isatty(STDERR_FILENO))
        return;
    s->progress = show;
    s->progress_ctx = pg;
}

void cli_align_progress_end(cli_align_progress *pg)
{
    if (pg->open)
        fputc('\n', stderr);
    pg->open = 0;
}
