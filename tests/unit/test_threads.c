/*
 * The library from 8 threads at once (issue 16): each thread generates its
 * own instance, aligns it, sets quotas and runs scenarios, and serialises
 * every number of the results; the same work run serially first must give
 * the same bytes. Run under ThreadSanitizer by `make tsan` (its build sets
 * TQO_TSAN so that the work is smaller there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tqo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_THREADS 8

/* Under TSan the OpenMP teams stay at one thread: libgomp is not
   instrumented, so its barriers are invisible to TSan and every parallel
   loop would look like a race. */
#ifdef TQO_TSAN
enum { N_UNITS = 40, REPLICATES = 20, OMP_EXTRA = 0 };
#else
enum { N_UNITS = 80, REPLICATES = 100, OMP_EXTRA = 1 };
#endif

/* A growing byte buffer of the results. */
typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t len)
{
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + len)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void put_doubles(buf *b, const double *v, size_t n)
{
    if (v)
        put(b, v, n * sizeof *v);
}

typedef struct job {
    int id;
    buf out;
    tqo_status st;
    char why[256];
} job;

static int job_fail(job *j, tqo_status st, const char *what, tqo_diag *d)
{
    j->st = st;
    snprintf(j->why, sizeof j->why, "%s: %s", what, tqo_diag_first_error(d) ? tqo_diag_first_error(d) : "?");
    return -1;
}

/* align, quota and scenarios on instance id; the numbers into j->out. */
static int work(job *j, tqo_diag *d)
{
    tqo_generate_settings g;
    tqo_generate_settings_default(&g);
    g.n_units = N_UNITS + 7 * j->id;
    g.n_territories = 3 + j->id % 3;
    g.seed = 100 + (uint64_t)j->id;
    g.geo = j->id & 1;
    tqo_instance *inst = NULL;
    tqo_status st = tqo_generate(&g, &inst, d);
    if (st != TQO_OK)
        return job_fail(j, st, "generate", d);
    tqo_align_settings as;
    tqo_align_settings_default(&as);
    as.n_balance = 1;
    as.balance[0] = "workload";
    as.balance_tol_pct[0] = 10;
    as.threads = 1 + OMP_EXTRA * (j->id % 2); /* OpenMP inside some threads too */
    as.seed = 3;
    tqo_align_result r;
    memset(&r, 0, sizeof r);
    st = tqo_align(inst, &as, &r, d);
    int rc = -1;
    tqo_assignment a = {0};
    tqo_quota_result q = {0};
    tqo_scenarios_result sr = {0};
    tqo_scenario sc[2];
    memset(sc, 0, sizeof sc);
    if (st != TQO_OK) {
        job_fail(j, st, "align", d);
        goto out;
    }
    put(&j->out, r.status, sizeof r.status);
    put(&j->out, r.unit_start, (size_t)(r.n_units + 1) * sizeof(int));
    put(&j->out, r.terr, (size_t)r.unit_start[r.n_units] * sizeof(int));
    put_doubles(&j->out, r.share, (size_t)r.unit_start[r.n_units]);
    put_doubles(&j->out, r.total, (size_t)(r.n_territories * r.n_balance));
    put_doubles(&j->out, &r.objective, 1);
    if ((st = tqo_align_assignment(&r, &a, d)) != TQO_OK) {
        job_fail(j, st, "assignment", d);
        goto out;
    }
    tqo_quota_settings qs;
    tqo_quota_settings_default(&qs);
    qs.growth_pct = 8;
    if ((st = tqo_quota(inst, &a, &qs, &q, d)) != TQO_OK) {
        job_fail(j, st, "quota", d);
        goto out;
    }
    put_doubles(&j->out, q.quota, (size_t)q.n_territories);
    put_doubles(&j->out, q.forecast, (size_t)q.n_territories);
    put(&j->out, q.method, sizeof q.method);
    char err[100], names[2][8] = {"low", "high"};
    for (int s = 0; s < 2; s++) {
        sc[s].name = names[s];
        sc[s].quota = qs;
        sc[s].quota.growth_pct = s ? 12 : 2;
        sc[s].target_incentive = 1000;
        if (tqo_payout_parse("50:0;100:100;150:200", &sc[s].curve, err, sizeof err) != 0)
            fail_msg("curve: %s", err);
    }
    tqo_scenario_settings ss;
    tqo_scenario_settings_default(&ss);
    ss.base = qs;
    ss.replicates = REPLICATES;
    ss.seed = 11;
    ss.threads = 1 + OMP_EXTRA * (j->id % 2);
    if ((st = tqo_scenarios(inst, &a, sc, 2, &ss, &sr, d)) != TQO_OK) {
        job_fail(j, st, "scenarios", d);
        goto out;
    }
    put_doubles(&j->out, sr.quota, (size_t)(2 * sr.n_territories));
    put_doubles(&j->out, sr.expected_payout, (size_t)(2 * sr.n_territories));
    put_doubles(&j->out, sr.mc, (size_t)(2 * TQO_SCENARIO_N_METRICS * 3));
    rc = 0;
out:
    tqo_scenarios_result_free(&sr);
    tqo_quota_result_free(&q);
    tqo_assignment_free(&a);
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
    return rc;
}

static void *thread_main(void *arg)
{
    job *j = arg;
    tqo_diag d;
    tqo_diag_init(&d);
    work(j, &d);
    tqo_diag_free(&d);
    tqo_thread_end();
    return NULL;
}

static void test_eight_threads(void **state)
{
    (void)state;
    job serial[N_THREADS], par[N_THREADS];
    memset(serial, 0, sizeof serial);
    memset(par, 0, sizeof par);
    for (int t = 0; t < N_THREADS; t++) {
        serial[t].id = par[t].id = t;
        tqo_diag d;
        tqo_diag_init(&d);
        work(&serial[t], &d);
        tqo_diag_free(&d);
        if (serial[t].st != TQO_OK)
            fail_msg("serial job %d: %s", t, serial[t].why);
    }
    pthread_t th[N_THREADS];
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, &par[t]), 0);
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    size_t bytes = 0;
    for (int t = 0; t < N_THREADS; t++) {
        if (par[t].st != TQO_OK)
            fail_msg("threaded job %d: %s", t, par[t].why);
        assert_true(serial[t].out.n > 0);
        assert_int_equal(par[t].out.n, serial[t].out.n);
        if (memcmp(par[t].out.p, serial[t].out.p, serial[t].out.n) != 0)
            fail_msg("job %d: the threaded results differ from the serial ones", t);
        bytes += serial[t].out.n;
        free(serial[t].out.p);
        free(par[t].out.p);
    }
    printf("8 threads: align, quota and scenarios on 8 instances, %zu bytes of results identical to serial calls\n",
           bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_eight_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
