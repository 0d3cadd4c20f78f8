/*
 * Without --time-limit the alignment reads the clock only to report
 * seconds: its plan must not depend on how fast the machine runs. This
 * test replaces the clock itself. It defines clock_gettime (libtqo's
 * timers) and gettimeofday (GLPK's glp_time), so every reading in the
 * process comes from here: a slow clock moves 1 microsecond per reading (a
 * fast, idle machine), a fast one 1 second per reading (a machine so busy
 * that any limit of ours in seconds would end at once). Not faster: GLPK's
 * dual simplex checks its time limit even when none is set (INT_MAX ms,
 * 24.8 days), so a clock that passes that within one solve (1,000 s per
 * reading did, after about 2,100 readings, counted across threads and so
 * at a different point in each run) stops the simplex as no real machine
 * would. The superstore alignment of
 * `make demo` (12 territories, accounts within 10%, its LP splits made
 * whole by the split MIP) is run under both: the plans must be identical.
 * The control proves the fake clock reaches the solver: with --time-limit
 * under the fast clock the same run gives another plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tqo.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SUPERSTORE TQO_SOURCE_DIR "/instances/superstore"

/* The fake clock, in microseconds since the epoch (late 2023, so that
   GLPK's calendar arithmetic sees an ordinary date). */
static _Atomic long long fake_now_us = 1700000000LL * 1000000LL;
static _Atomic long long fake_step_us = 1;
static _Atomic long long fake_reads;

static long long fake_read(void)
{
    atomic_fetch_add(&fake_reads, 1);
    long long step = atomic_load(&fake_step_us);
    return atomic_fetch_add(&fake_now_us, step) + step;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    long long us = fake_read();
    ts->tv_sec = (time_t)(us / 1000000);
    ts->tv_nsec = (long)(us % 1000000) * 1000;
    return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    long long us = fake_read();
    tv->tv_sec = (time_t)(us / 1000000);
    tv->tv_usec = (suseconds_t)(us % 1000000);
    return 0;
}

typedef struct plan {
    int n, entries;
    int *unit_start, *terr;
    double *share;
    double objective;
    char how[128];
    long long reads; /* clock readings during the run */
} plan;

/* The make-demo alignment under a clock that moves step_us per reading. */
static void align_under(const tqo_instance *inst, long long step_us, double time_limit, plan *out)
{
    tqo_align_settings as;
    tqo_align_settings_default(&as);
    as.k = 12;
    as.n_balance = 1;
    as.balance[0] = "accounts";
    as.balance_tol_pct[0] = 10;
    as.time_limit = time_limit;
    tqo_align_result ar;
    tqo_diag d;
    tqo_diag_init(&d);
    atomic_store(&fake_step_us, step_us);
    long long reads0 = atomic_load(&fake_reads);
    tqo_status st = tqo_align(inst, &as, &ar, &d);
    out->reads = atomic_load(&fake_reads) - reads0;
    atomic_store(&fake_step_us, 1);
    if (st != TQO_OK)
        fprintf(stderr, "align: %s: %s\n", tqo_status_string(st), tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    assert_int_equal(st, TQO_OK);
    out->n = ar.n_units;
    out->entries = ar.unit_start[ar.n_units];
    out->unit_start = malloc((size_t)(out->n + 1) * sizeof(int));
    out->terr = malloc((size_t)out->entries * sizeof(int));
    out->share = malloc((size_t)out->entries * sizeof(double));
    assert_non_null(out->unit_start);
    assert_non_null(out->terr);
    assert_non_null(out->share);
    memcpy(out->unit_start, ar.unit_start, (size_t)(out->n + 1) * sizeof(int));
    memcpy(out->terr, ar.terr, (size_t)out->entries * sizeof(int));
    memcpy(out->share, ar.share, (size_t)out->entries * sizeof(double));
    out->objective = ar.objective;
    snprintf(out->how, sizeof out->how, "%s", ar.split_resolution);
    assert_string_equal(ar.status, "ok");
    tqo_align_result_free(&ar);
}

static void plan_free(plan *p)
{
    free(p->unit_start);
    free(p->terr);
    free(p->share);
}

static int same_plan(const plan *a, const plan *b)
{
    return a->n == b->n && a->entries == b->entries &&
           memcmp(a->unit_start, b->unit_start, (size_t)(a->n + 1) * sizeof(int)) == 0 &&
           memcmp(a->terr, b->terr, (size_t)a->entries * sizeof(int)) == 0 &&
           memcmp(a->share, b->share, (size_t)a->entries * sizeof(double)) == 0;
}

static void plan_is_clock_free(void **state)
{
    const tqo_instance *inst = *state;
    plan slow, fast, control;
    align_under(inst, 1, 0, &slow);
    /* the path under test ran: the LP split units and the MIP made them whole */
    assert_non_null(strstr(slow.how, "MIP over"));
    for (int i = 0; i < slow.n; i++)
        assert_int_equal(slow.unit_start[i + 1] - slow.unit_start[i], 1);

    align_under(inst, 1000000LL, 0, &fast);
    int same = same_plan(&slow, &fast) && slow.objective == fast.objective && strcmp(slow.how, fast.how) == 0;
    if (!same)
        fprintf(stderr, "the plan depends on the clock: \"%s\" (objective %.17g) with the slow clock, \"%s\" "
                "(%.17g) with the fast one (%lld readings)\n", slow.how, slow.objective, fast.how, fast.objective,
                fast.reads);
    long long fast_reads = fast.reads;
    plan_free(&fast);

    /* Control: under a clock of 1,000 s per reading an hour's --time-limit
       ends at once (the split MIP and the local search stop early):
       another plan. */
    align_under(inst, 1000LL * 1000000LL, 3600, &control);
    int control_same = same_plan(&slow, &control);
    plan_free(&slow);
    plan_free(&control);
    assert_true(fast_reads > 0); /* the solver did read the (fake) clock */
    assert_true(same);
    assert_false(control_same);
}

static int setup(void **state)
{
    if (access(SUPERSTORE "/units.csv", R_OK) != 0)
        return -1;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(SUPERSTORE, &ls, &inst, &d);
    if (st != TQO_OK)
        fprintf(stderr, "load: %s\n", tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    *state = inst;
    return st == TQO_OK ? 0 : -1;
}

static int teardown(void **state)
{
    tqo_instance_free(*state);
    return 0;
}

int main(void)
{
    if (access(SUPERSTORE "/units.csv", R_OK) != 0) {
        fprintf(stderr, "skipped: %s is missing\n", SUPERSTORE);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(plan_is_clock_free, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
