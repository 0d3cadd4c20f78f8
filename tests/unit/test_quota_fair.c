/* The fairest of the quota LP's equally good plans (issue 11, defects 8 and
   9): a gap among territories of equal weight shared by water-filling, by
   the direct method and the simplex alike; cents that keep every bound and
   still add up to the total. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "quota/quota_lp.h"
#include "tqo.h"

#define close_to(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* Four equal fair shares of 137.5; D's floor of 200 leaves 350 for A, B and
   C: any split costs the same sum, the fairest gives 116.67 each. With a
   cap of 120 on B, B stays at 120 and A and C share the rest. */
static void equal_weights_share_the_gap(void **state)
{
    (void)state;
    double fair[] = {137.5, 137.5, 137.5, 137.5};
    double lb[] = {NAN, NAN, NAN, 200}, ub[] = {NAN, NAN, NAN, NAN};
    int region[] = {0, 0, 0, 0};
    double rt[] = {550};
    for (int simplex = 0; simplex < 2; simplex++)
        for (int capped = 0; capped < 2; capped++) {
            ub[1] = capped ? 100 : NAN; /* B below its fair share: A and C take the rest */
            quota_lp_in in = {.p = 4, .fair = fair, .lb = lb, .ub = ub, .total = 550, .use_simplex = simplex};
            if (simplex) { /* a region row: the GLPK path as tqo quota takes it */
                in.region = region;
                in.n_regions = 1;
                in.region_target = rt;
            }
            quota_lp_out out;
            tqo_diag d;
            tqo_diag_init(&d);
            assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
            close_to(out.q[3], 200, 1e-6);
            if (capped) {
                close_to(out.q[1], 100, 1e-6);
                close_to(out.q[0], 125, 1e-6);
                close_to(out.q[2], 125, 1e-6);
            } else {
                for (int j = 0; j < 3; j++)
                    close_to(out.q[j], 350.0 / 3, 1e-6);
            }
            tqoi_quota_lp_out_free(&out);
            tqo_diag_free(&d);
        }
}

/* Unequal weights keep the sum objective's unique optimum: the gap goes to
   the largest fair share, the cheapest per unit of relative deviation. */
static void unequal_weights_keep_the_optimum(void **state)
{
    (void)state;
    double fair[] = {100, 200, 300};
    quota_lp_in in = {.p = 3, .fair = fair, .total = 660};
    quota_lp_out out;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_quota_lp_solve(&in, &out, &d), TQO_OK);
    close_to(out.q[0], 100, 1e-6);
    close_to(out.q[1], 200, 1e-6);
    close_to(out.q[2], 360, 1e-6);
    tqoi_quota_lp_out_free(&out);
    tqo_diag_free(&d);
}

/* A floor of 10.004 rounds up to 10.01 (not down to 10.00), a cap of 20.006
   rounds down to 20.00, and the cents still add up to the total. */
static void cents_keep_every_bound(void **state)
{
    (void)state;
    double v[] = {10.004, 20.006, 69.99};
    double lb[] = {10.004, NAN, NAN}, ub[] = {NAN, 20.006, NAN};
    assert_int_equal(tqoi_quota_round_cents_bounded(v, 3, 100.0, lb, ub), 0);
    close_to(v[0], 10.01, 1e-9);
    close_to(v[1], 20.00, 1e-9);
    int64_t sum = 0;
    for (int j = 0; j < 3; j++)
        sum += llround(v[j] * 100);
    assert_int_equal(sum, 10000);
    /* floors that add up to the total leave no whole cents above them all:
       the total wins and the broken bound is counted */
    double w[] = {33.333333, 33.333333, 33.333334};
    double f[] = {33.333333, 33.333333, 33.333334};
    assert_int_equal(tqoi_quota_round_cents_bounded(w, 3, 100.0, f, NULL), 2);
    assert_int_equal(llround(w[0] * 100) + llround(w[1] * 100) + llround(w[2] * 100), 10000);
}

/* Bounds and values beyond what int64_t cents can add up (a hostile
   file's max_growth of 1e105 %, found by fuzz_hierarchy): a huge cap is
   no cap, a huge value or floor leaves the values unrounded; no
   conversion overflows (UBSan checks in the sanitized build). */
static void cents_of_huge_values(void **state)
{
    (void)state;
    double v[] = {10.004, 20.006, 69.99};
    double ub[] = {2.8e105, 1e300, NAN};
    assert_int_equal(tqoi_quota_round_cents_bounded(v, 3, 100.0, NULL, ub), 0);
    assert_int_equal(llround(v[0] * 100) + llround(v[1] * 100) + llround(v[2] * 100), 10000);
    double w[] = {1e200, 20.0, 30.0};
    assert_int_equal(tqoi_quota_round_cents_bounded(w, 3, 100.0, NULL, NULL), 0);
    assert_true(w[0] == 1e200 && w[1] == 20.0);
    double x[] = {10.0, 20.0, 70.0}, lb[] = {1e100, NAN, NAN};
    assert_int_equal(tqoi_quota_round_cents_bounded(x, 3, 100.0, lb, NULL), 0);
    assert_true(x[0] == 10.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_weights_share_the_gap),
        cmocka_unit_test(unequal_weights_keep_the_optimum),
        cmocka_unit_test(cents_keep_every_bound),
        cmocka_unit_test(cents_of_huge_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
