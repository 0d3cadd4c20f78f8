/* tqo_quota on the superstore history: quotas add up to the target to the
   cent, growth bounds hold, period quotas add up, the replayed year gives
   attainment; each checked by recomputing, not from tqo's own figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tqo.h"

#define SS TQO_SOURCE_DIR "/instances/superstore"

static tqo_instance *inst;
static tqo_assignment asg;
static char path[256];

/* Territories = the units' 'region' label (4), written as assignment.csv. */
static int setup(void **state)
{
    (void)state;
    tqo_diag d;
    tqo_diag_init(&d);
    if (tqo_instance_load(SS, NULL, &inst, &d) != TQO_OK)
        return -1;
    snprintf(path, sizeof path, "/tmp/tqo_test_quota_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    int l = tqo_instance_label(inst, "region");
    fprintf(fp, "unit_id,territory_id,share\n");
    for (int i = 0; i < inst->n_units; i++)
        fprintf(fp, "%s,%s,1\n", inst->unit_id[i], inst->labels[l].value[i]);
    fclose(fp);
    int st = tqo_assignment_load(path, inst, &asg, &d);
    tqo_diag_free(&d);
    return st;
}

static int teardown(void **state)
{
    (void)state;
    tqo_assignment_free(&asg);
    tqo_instance_free(inst);
    remove(path);
    glp_free_env();
    return 0;
}

static double year_total(int year)
{
    double t = 0;
    for (int i = 0; i < inst->n_units; i++)
        for (int q = 0; q < 4; q++) {
            int o = year * 4 + q - inst->period_first;
            t += inst->history[0][(size_t)i * inst->n_periods + o];
        }
    return t;
}

static void quotas_for_2017(void **state)
{
    (void)state;
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    s.potential = "accounts";
    s.history_until = "2016Q4";
    s.growth_pct = 10;
    s.min_growth_pct = -10;
    s.max_growth_pct = 40;
    tqo_quota_result r;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqo_quota(inst, &asg, &s, &r, &d);
    if (st != TQO_OK)
        fprintf(stderr, "%s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(r.n_territories, 4);
    assert_int_equal(r.plan_year, 2017);
    /* the sum, to the cent: 110% of 2016 sales */
    long long want = llround(1.1 * year_total(2016) * 100), got = 0;
    for (int j = 0; j < r.n_territories; j++)
        got += llround(r.quota[j] * 100);
    assert_int_equal(got, want);
    for (int j = 0; j < r.n_territories; j++) {
        /* last year recomputed from the units of that territory */
        double L = 0;
        for (int i = 0; i < inst->n_units; i++)
            if (asg.terr[asg.unit_start[i]] == j)
                for (int q = 0; q < 4; q++)
                    L += inst->history[0][(size_t)i * inst->n_periods + 2016 * 4 + q - inst->period_first];
        assert_true(fabs(L - r.last_year[j]) < 1e-6 * (1 + L));
        assert_true(r.quota[j] >= 0.9 * L - 0.011 && r.quota[j] <= 1.4 * L + 0.011);
        long long sum = 0;
        for (int k = 0; k < r.per_year; k++)
            sum += llround(r.period_quota[(size_t)j * r.per_year + k] * 100);
        assert_int_equal(sum, llround(r.quota[j] * 100));
    }
    /* 2017 is in the history: attainment replayed */
    assert_true(r.has_actual);
    for (int j = 0; j < r.n_territories; j++)
        assert_true(fabs(r.attainment_pct[j] - 100 * r.actual[j] / r.quota[j]) < 1e-9);
    assert_true(strcmp(r.method, "last") == 0 || strcmp(r.method, "trend") == 0 || strcmp(r.method, "holt") == 0);
    assert_true(r.n_folds >= 1);
    tqo_quota_result_free(&r);
    tqo_diag_free(&d);
}

static void impossible_floors_explained(void **state)
{
    (void)state;
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    s.history_until = "2016Q4";
    s.growth_pct = 10;
    s.min_growth_pct = 30; /* every floor above a 10% total growth */
    tqo_quota_result r;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_quota(inst, &asg, &s, &r, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "floors alone add up to"));
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quotas_for_2017),
        cmocka_unit_test(impossible_floors_explained),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
