/* The quota LP: known optima, bounds, regions, infeasible combinations
   explained with their numbers, and rounding to cents that adds up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glpk.h>
#include <math.h>
#include <string.h>

#include "quota/quota_lp.h"
#include "tqo.h"

#define close_to(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void fair_shares_that_add_up_are_the_quotas(void **state)
{
    (void)state;
    double fair[] = {100, 250, 50};
    quota_lp_in in = {.p = 3, .fair = fair, .total = 400};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    for (int j = 0; j < 3; j++)
        close_to(out.q[j], fair[j], 1e-6);
    close_to(out.objective, 0, 1e-9);
    tqoi_quota_lp_out_free(&out);
    tqo_diag_free(&d);
}

static void sum_and_minimax_objectives(void **state)
{
    (void)state;
    double fair[] = {100, 100};
    quota_lp_in in = {.p = 2, .fair = fair, .total = 220};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0] + out.q[1], 220, 1e-6);
    close_to(out.objective, 0.2, 1e-9); /* any split with both >= 100 */
    tqoi_quota_lp_out_free(&out);
    in.minimax = 1;
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0], 110, 1e-6);
    close_to(out.q[1], 110, 1e-6);
    close_to(out.objective, 0.1, 1e-9);
    tqoi_quota_lp_out_free(&out);
    tqo_diag_free(&d);
}

static void floors_and_caps_bind(void **state)
{
    (void)state;
    double fair[] = {100, 100}, lb[] = {NAN, 150}, ub[] = {NAN, NAN};
    quota_lp_in in = {.p = 2, .fair = fair, .lb = lb, .ub = ub, .total = 220};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0], 70, 1e-6);
    close_to(out.q[1], 150, 1e-6);
    close_to(out.objective, 0.8, 1e-9);
    assert_int_equal(out.bound[1], 'l');
    assert_int_equal(out.bound[0], 0);
    tqoi_quota_lp_out_free(&out);
    double ub2[] = {90, NAN};
    in.lb = NULL;
    in.ub = ub2;
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0], 90, 1e-6);
    assert_int_equal(out.bound[0], 'u');
    tqoi_quota_lp_out_free(&out);
    tqo_diag_free(&d);
}

static void impossible_floors_name_the_numbers(void **state)
{
    (void)state;
    double fair[] = {100, 100}, lb[] = {150, 150};
    quota_lp_in in = {.p = 2, .fair = fair, .lb = lb, .total = 220};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "300.00"));
    assert_non_null(strstr(tqo_diag_first_error(&d), "220.00"));
    assert_null(out.q);
    tqo_diag_free(&d);
}

static void regions_hold(void **state)
{
    (void)state;
    double fair[] = {100, 100, 100}, rt[] = {150, 70};
    int region[] = {0, 0, 1};
    const char *rn[] = {"North", "South"};
    quota_lp_in in = {.p = 3, .fair = fair, .total = 220, .region = region, .n_regions = 2, .region_target = rt,
                      .region_name = rn};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0] + out.q[1], 150, 1e-6);
    close_to(out.q[2], 70, 1e-6);
    tqoi_quota_lp_out_free(&out);
    double lb[] = {100, 100, NAN};
    in.lb = lb;
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "region 'North'"));
    tqo_diag_free(&d);
}

static void cents_add_up(void **state)
{
    (void)state;
    double v[] = {33.333333, 33.333333, 33.333334, 0.004};
    tqoi_quota_round_cents(v, 4, 100.0);
    long long sum = 0;
    for (int i = 0; i < 4; i++) {
        sum += llround(v[i] * 100);
        close_to(v[i] * 100, llround(v[i] * 100), 1e-6);
    }
    assert_int_equal(sum, 10000);
}

static int teardown(void **state)
{
    (void)state;
    glp_free_env();
    return 0;
}

/* The direct method against GLPK's simplex on random instances: the same
   optimal objective, the target met, every bound kept. */
static void direct_matches_simplex(void **state)
{
    (void)state;
    tqo_rng g;
    tqo_rng_init(&g, 17, 3);
    int tried = 0;
    for (int trial = 0; trial < 300; trial++) {
        enum { PMAX = 40 };
        int p = 1 + tqo_rng_int(&g, PMAX);
        double fair[PMAX], lb[PMAX], ub[PMAX], total = 0;
        for (int j = 0; j < p; j++) {
            fair[j] = trial % 5 == 0 && j % 3 == 0 ? 0 : 100 + 1000 * tqo_rng_uniform(&g);
            if (trial % 7 == 0)
                fair[j] = 500; /* ties */
            double last = fair[j] * (0.6 + 0.8 * tqo_rng_uniform(&g));
            lb[j] = tqo_rng_uniform(&g) < 0.5 ? last * 0.95 : NAN;
            ub[j] = tqo_rng_uniform(&g) < 0.5 ? last * 1.2 : NAN;
            total += fair[j];
        }
        total *= 0.8 + 0.4 * tqo_rng_uniform(&g);
        for (int mm = 0; mm < 2; mm++) {
            quota_lp_in in = {.p = p, .fair = fair, .lb = lb, .ub = ub, .total = total, .minimax = mm};
            quota_lp_out a, b;
            tqo_diag d;
            tqo_diag_init(&d);
            tqo_status sa = tqoi_quota_lp_solve(&in, &a, &d);
            in.use_simplex = 1;
            tqo_status sb = tqoi_quota_lp_solve(&in, &b, &d);
            tqo_diag_free(&d);
            assert_int_equal(sa, sb);
            if (sa != TQO_OK)
                continue;
            tried++;
            double sum = 0;
            for (int j = 0; j < p; j++) {
                sum += a.q[j];
                assert_true(a.q[j] >= -1e-9);
                if (!isnan(lb[j]))
                    assert_true(a.q[j] >= lb[j] - 1e-6);
                if (!isnan(ub[j]))
                    assert_true(a.q[j] <= ub[j] + 1e-6);
            }
            assert_true(fabs(sum - total) <= 1e-6 * total);
            assert_true(fabs(a.objective - b.objective) <= 1e-7 * fmax(1, b.objective));
            tqoi_quota_lp_out_free(&a);
            tqoi_quota_lp_out_free(&b);
        }
    }
    assert_true(tried > 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fair_shares_that_add_up_are_the_quotas),
        cmocka_unit_test(sum_and_minimax_objectives),
        cmocka_unit_test(floors_and_caps_bind),
        cmocka_unit_test(impossible_floors_name_the_numbers),
        cmocka_unit_test(regions_hold),
        cmocka_unit_test(cents_add_up),
        cmocka_unit_test(direct_matches_simplex),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
