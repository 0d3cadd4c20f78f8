/* The plan-year Monte Carlo: flat history gives 100% attainment and the
   target incentive per territory; with common random numbers the share at
   quota never rises with growth; 1 and 2 threads give identical results. */
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

#include "scenario_mc.h"

#define close_to(a, b, e) assert_true(fabs((double)(a) - (double)(b)) <= (e))
#define PCT(mc, s, m, k) ((mc).pct[((size_t)(s) * SCENARIO_N_METRICS + (m)) * 3 + (k)])

static scenario make(const char *name, double growth)
{
    scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.name = (char *)name;
    tqo_quota_settings_default(&sc.quota);
    sc.quota.growth_pct = growth;
    sc.target_incentive = 1000;
    char err[100];
    payout_parse("50:0;100:100;150:250;200:250", &sc.curve, err, sizeof err);
    return sc;
}

static void flat_history(void **state)
{
    (void)state;
    tqo_generate_settings g;
    tqo_generate_settings_default(&g);
    g.n_units = 60;
    g.n_territories = 5;
    g.n_periods = 16;
    tqo_instance *inst;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_generate(&g, &inst, &d), TQO_OK);
    for (int i = 0; i < inst->n_units; i++)
        for (int t = 0; t < inst->n_periods; t++)
            inst->history[0][(size_t)i * inst->n_periods + t] = 50.0 + i;
    tqo_assignment a;
    assert_int_equal(tqo_assignment_from_current(inst, &a, &d), TQO_OK);
    scenario sc = make("flat", 0);
    sc.quota.history_weight = 1;
    sc.quota.method = "last";
    scenario_mc mc;
    assert_int_equal(scenario_mc_run(inst, &a, &sc, 1, &sc.quota, 200, 7, 1, &mc, &d), TQO_OK);
    close_to(PCT(mc, 0, 2, 1), 100, 1e-6);                  /* attainment P50 */
    close_to(PCT(mc, 0, 7, 1), 1000.0 * a.n_territories, 1e-6); /* payout P50 */
    scenario_mc_free(&mc);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

static void growth_monotone_and_threads(void **state)
{
    (void)state;
    tqo_instance *inst;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_instance_load(TQO_SOURCE_DIR "/instances/superstore", NULL, &inst, &d), TQO_OK);
    char path[128];
    snprintf(path, sizeof path, "/tmp/tqo_test_mc_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    int l = tqo_instance_label(inst, "region");
    fprintf(fp, "unit_id,territory_id,share\n");
    for (int i = 0; i < inst->n_units; i++)
        fprintf(fp, "%s,%s %s,1\n", inst->unit_id[i], inst->labels[l].value[i], inst->unit_id[i][0] < '5' ? "A" : "B");
    fclose(fp);
    tqo_assignment a;
    assert_int_equal(tqo_assignment_load(path, inst, &a, &d), TQO_OK);
    remove(path);
    scenario sc[4] = {make("g0", 0), make("g5", 5), make("g10", 10), make("g20", 20)};
    for (int s = 0; s < 4; s++)
        sc[s].quota.potential = "accounts";
    scenario_mc m1, m2;
    assert_int_equal(scenario_mc_run(inst, &a, sc, 4, &sc[0].quota, 300, 11, 1, &m1, &d), TQO_OK);
    assert_int_equal(scenario_mc_run(inst, &a, sc, 4, &sc[0].quota, 300, 11, 2, &m2, &d), TQO_OK);
    assert_memory_equal(m1.pct, m2.pct, sizeof(double) * 4 * SCENARIO_N_METRICS * 3);
    assert_memory_equal(m1.quota, m2.quota, sizeof(double) * 4 * a.n_territories);
    for (int s = 1; s < 4; s++)
        for (int k = 0; k < 3; k++)
            assert_true(PCT(m1, s, 0, k) <= PCT(m1, s - 1, 0, k) + 1e-9); /* share at quota */
    scenario_mc_free(&m1);
    scenario_mc_free(&m2);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flat_history),
        cmocka_unit_test(growth_monotone_and_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glp_free_env();
    return rc;
}
