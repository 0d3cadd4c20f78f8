/* tqo_scenarios: the judge against a plain reference, flat history (100%
   attainment, payout = incentive x territories), share at quota never
   rising with growth, identical results for 1 and 2 threads, failing
   scenarios reported, and the fast pair sort against qsort. */
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

#include "quota/metrics.h"
#include "scenarios/scenario_metrics.h"
#include "tqo.h"

#define close_to(a, b, e) assert_true(fabs((double)(a) - (double)(b)) <= (e))
#define MC(r, s, m, k) ((r).mc[((size_t)(s) * TQO_SCENARIO_N_METRICS + (m)) * 3 + (k)])

static tqo_scenario make(const char *name, double growth)
{
    tqo_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.name = (char *)name;
    tqo_quota_settings_default(&sc.quota);
    sc.quota.growth_pct = growth;
    sc.target_incentive = 1000;
    char err[100];
    tqo_payout_parse("50:0;100:100;150:250;200:250", &sc.curve, err, sizeof err);
    return sc;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pair_sort(void **state)
{
    (void)state;
    tqo_rng g;
    tqo_rng_init(&g, 5, 0);
    for (int trial = 0; trial < 200; trial++) {
        int n = trial % 50 == 0 ? trial / 50 : 1 + tqo_rng_int(&g, 700);
        double key[700], ref[700];
        int idx[700];
        int distinct = 1 + tqo_rng_int(&g, trial % 3 == 0 ? 4 : 100000); /* many ties sometimes */
        for (int i = 0; i < n; i++) {
            key[i] = ref[i] = (double)tqo_rng_int(&g, distinct) - distinct / 2;
            idx[i] = i;
        }
        double orig[700];
        memcpy(orig, key, sizeof(double) * (size_t)n);
        tqoi_metric_sort_pairs(key, idx, n);
        qsort(ref, (size_t)n, sizeof(double), cmp_d);
        assert_memory_equal(key, ref, sizeof(double) * (size_t)n);
        for (int i = 0; i < n; i++)
            assert_true(orig[idx[i]] == key[i]); /* the index travels with its key */
    }
}

/* The judge against the plain formulas (tqoi_metric_percentile, _gini, _spearman). */
static void judge_matches_reference(void **state)
{
    (void)state;
    tqo_rng g;
    tqo_rng_init(&g, 9, 1);
    enum { P = 57 };
    tqo_scenario sc = make("x", 0);
    for (int trial = 0; trial < 50; trial++) {
        double q[P], o[P], pot[P], att[P], w[4 * P];
        int iw[P];
        char bound[P];
        for (int j = 0; j < P; j++) {
            q[j] = j % 11 == 3 ? 0 : 100 + 900 * tqo_rng_uniform(&g); /* some territories without quota */
            o[j] = q[j] * (0.3 + 1.5 * tqo_rng_uniform(&g)) + (j % 7 == 0 ? 50 : 0);
            if (trial % 2)
                o[j] = floor(o[j] / 200) * 200; /* ties in attainment */
            pot[j] = trial % 3 ? floor(10 * tqo_rng_uniform(&g)) : j; /* ties in potential */
            bound[j] = j % 5 == 0 ? 'u' : 0;
        }
        scenario_judge J;
        scenario_scratch ws;
        assert_int_equal(tqoi_scenario_scratch_init(&ws, P), 0);
        assert_int_equal(tqoi_scenario_judge_init(&J, P, q, bound, pot, &sc), TQO_OK);
        double m[TQO_SCENARIO_N_METRICS], pay[P] = {0};
        tqoi_scenario_judge_eval(&J, o, m, pay, &ws);
        int na = 0, at = 0, below = 0, nm = 0;
        double payout = 0, rev = 0, qs = 0, ape = 0, pa[P], pp[P];
        for (int j = 0; j < P; j++) {
            rev += o[j];
            qs += q[j];
            if (o[j] != 0) {
                ape += fabs(q[j] - o[j]) / fabs(o[j]);
                nm++;
            }
            att[j] = q[j] > 0 ? 100 * o[j] / q[j] : NAN;
            if (q[j] > 0) {
                pa[na] = att[j];
                pp[na] = pot[j];
                na++;
                at += att[j] >= 100 - 1e-9;
                below += att[j] < 50;
                double pj = 1000 * tqo_payout_eval(&sc.curve, att[j]) / 100;
                payout += pj;
                close_to(pay[j], pj, 1e-9);
            } else {
                assert_true(pay[j] == 0);
            }
        }
        close_to(m[TQO_M_PCT_AT_QUOTA], 100.0 * at / na, 1e-12);
        close_to(m[TQO_M_PCT_BELOW_THRESHOLD], 100.0 * below / na, 1e-12);
        close_to(m[TQO_M_ATTAINMENT_MEDIAN], tqoi_metric_percentile(att, P, 0.5, w), 1e-9);
        close_to(m[TQO_M_ATTAINMENT_P10], tqoi_metric_percentile(att, P, 0.1, w), 1e-9);
        close_to(m[TQO_M_ATTAINMENT_P90], tqoi_metric_percentile(att, P, 0.9, w), 1e-9);
        close_to(m[TQO_M_GINI], tqoi_metric_gini(att, P, w), 1e-12);
        close_to(m[TQO_M_SPEARMAN], tqoi_metric_spearman(pa, pp, na, w, iw), 1e-12);
        close_to(m[TQO_M_PAYOUT], payout, 1e-6);
        close_to(m[TQO_M_COST_OF_SALES], 100 * payout / rev, 1e-9);
        close_to(m[TQO_M_COMPANY_ATTAINMENT], 100 * rev / qs, 1e-9);
        close_to(m[TQO_M_AT_BOUND], 12, 0); /* j = 0, 5, ..., 55 */
        close_to(m[TQO_M_MAPE], 100 * ape / nm, 1e-9);
        tqoi_scenario_judge_free(&J);
        tqoi_scenario_scratch_free(&ws);
    }
}

static void flat_history(void **state)
{
    (void)state;
    tqo_generate_settings g;
    tqo_generate_settings_default(&g);
    g.n_units = 80;
    g.n_territories = 6;
    g.n_periods = 20;
    g.flat_history = 1;
    tqo_instance *inst;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_generate(&g, &inst, &d), TQO_OK);
    tqo_assignment a;
    assert_int_equal(tqo_assignment_from_current(inst, &a, &d), TQO_OK);
    tqo_scenario sc = make("flat", 0);
    sc.quota.history_weight = 1;
    sc.quota.method = "last";
    tqo_scenario_settings s;
    tqo_scenario_settings_default(&s);
    s.base.method = "last";
    s.replicates = 300;
    tqo_scenarios_result r;
    assert_int_equal(tqo_scenarios(inst, &a, &sc, 1, &s, &r, &d), TQO_OK);
    assert_int_equal(r.n_backtest_years, 3); /* 5 years, 2 to train */
    for (int k = 0; k < 3; k++) {
        close_to(MC(r, 0, TQO_M_ATTAINMENT_MEDIAN, k), 100, 1e-9);
        close_to(MC(r, 0, TQO_M_PAYOUT, k), 1000.0 * a.n_territories, 1e-6);
        close_to(MC(r, 0, TQO_M_PCT_AT_QUOTA, k), 100, 0);
        close_to(MC(r, 0, TQO_M_GINI, k), 0, 1e-12);
    }
    for (int c = 0; c < 3; c++)
        close_to(r.backtest[c * TQO_SCENARIO_N_METRICS + TQO_M_MAPE], 0, 1e-12);
    for (int j = 0; j < a.n_territories; j++)
        close_to(r.expected_payout[j], 1000, 1e-9);
    tqo_scenarios_result_free(&r);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

static void superstore(tqo_instance **inst, tqo_assignment *a, tqo_diag *d)
{
    assert_int_equal(tqo_instance_load(TQO_SOURCE_DIR "/instances/superstore", NULL, inst, d), TQO_OK);
    char path[128];
    snprintf(path, sizeof path, "/tmp/tqo_test_scen_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    int l = tqo_instance_label(*inst, "region");
    fprintf(fp, "unit_id,territory_id,share\n");
    for (int i = 0; i < (*inst)->n_units; i++)
        fprintf(fp, "%s,%s %s,1\n", (*inst)->unit_id[i], (*inst)->labels[l].value[i],
                (*inst)->unit_id[i][0] < '5' ? "A" : "B");
    fclose(fp);
    assert_int_equal(tqo_assignment_load(path, *inst, a, d), TQO_OK);
    remove(path);
}

static void growth_monotone_and_threads(void **state)
{
    (void)state;
    tqo_instance *inst;
    tqo_assignment a;
    tqo_diag d;
    tqo_diag_init(&d);
    superstore(&inst, &a, &d);
    enum { N = 5 };
    tqo_scenario sc[N] = {make("g0", 0), make("g5", 5), make("g10", 10), make("g20", 20), make("g40", 40)};
    for (int s = 0; s < N; s++) {
        sc[s].quota.potential = "accounts";
        sc[s].quota.max_growth_pct = 60;
    }
    tqo_scenario_settings s;
    tqo_scenario_settings_default(&s);
    s.base.potential = "accounts";
    s.base.min_train_years = 1;
    s.replicates = 257; /* not a multiple of the block */
    s.seed = 11;
    tqo_scenarios_result r1, r2;
    s.threads = 1;
    assert_int_equal(tqo_scenarios(inst, &a, sc, N, &s, &r1, &d), TQO_OK);
    s.threads = 2;
    assert_int_equal(tqo_scenarios(inst, &a, sc, N, &s, &r2, &d), TQO_OK);
    int p = a.n_territories, M = TQO_SCENARIO_N_METRICS, nb = r1.n_backtest_years;
    assert_int_equal(nb, 3);
    assert_memory_equal(r1.mc, r2.mc, sizeof(double) * N * M * 3);
    assert_memory_equal(r1.quota, r2.quota, sizeof(double) * N * p);
    assert_memory_equal(r1.expected_payout, r2.expected_payout, sizeof(double) * N * p);
    assert_memory_equal(r1.backtest, r2.backtest, sizeof(double) * N * nb * M);
    for (int k = 1; k < N; k++) {
        for (int t = 0; t < 3; t++)
            assert_true(MC(r1, k, TQO_M_PCT_AT_QUOTA, t) <= MC(r1, k - 1, TQO_M_PCT_AT_QUOTA, t));
        /* the backtest too: every year's quotas rise with growth */
        for (int c = 0; c < nb; c++)
            assert_true(r1.backtest[((size_t)k * nb + c) * M + TQO_M_PCT_AT_QUOTA] <=
                        r1.backtest[((size_t)(k - 1) * nb + c) * M + TQO_M_PCT_AT_QUOTA]);
    }
    /* quotas add up to last year x growth in every scenario */
    for (int k = 0; k < N; k++) {
        double sum = 0;
        for (int j = 0; j < p; j++)
            sum += r1.quota[(size_t)k * p + j];
        assert_true(sum > 0);
        if (k > 0) {
            double prev = 0;
            for (int j = 0; j < p; j++)
                prev += r1.quota[(size_t)(k - 1) * p + j];
            assert_true(sum > prev);
        }
    }
    tqo_scenarios_result_free(&r1);
    tqo_scenarios_result_free(&r2);
    /* A scenario whose floors exceed its target fails alone, with a reason. */
    tqo_scenario bad[2] = {make("ok", 5), make("impossible", 0)};
    bad[1].quota.min_growth_pct = 30;
    s.replicates = 50;
    assert_int_equal(tqo_scenarios(inst, &a, bad, 2, &s, &r1, &d), TQO_OK);
    assert_int_equal(r1.n_failed, 1);
    assert_null(r1.error[0]);
    assert_non_null(r1.error[1]);
    assert_true(isnan(MC(r1, 1, TQO_M_PAYOUT, 1)));
    assert_true(isfinite(MC(r1, 0, TQO_M_PAYOUT, 1)));
    assert_int_equal(r1.efficient[1], 0);
    tqo_scenarios_result_free(&r1);
    /* Too little history is explained. */
    s.base.min_train_years = 4;
    tqo_diag_free(&d);
    tqo_diag_init(&d);
    assert_int_equal(tqo_scenarios(inst, &a, bad, 2, &s, &r1, &d), TQO_ERR_INPUT);
    assert_non_null(strstr(tqo_diag_first_error(&d), "--min-train-years"));
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pair_sort),
        cmocka_unit_test(judge_matches_reference),
        cmocka_unit_test(flat_history),
        cmocka_unit_test(growth_monotone_and_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glp_free_env();
    return rc;
}
