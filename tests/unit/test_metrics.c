/* Percentiles, Gini and Spearman on inputs with known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "quota/metrics.h"

#define close_to(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-12)

static void percentiles(void **state)
{
    (void)state;
    double v[] = {5, 1, 3, 2, 4, NAN}, w[6];
    close_to(tqoi_metric_percentile(v, 6, 0.5, w), 3);
    close_to(tqoi_metric_percentile(v, 6, 0.0, w), 1);
    close_to(tqoi_metric_percentile(v, 6, 1.0, w), 5);
    close_to(tqoi_metric_percentile(v, 6, 0.1, w), 1.4);
    assert_true(isnan(tqoi_metric_percentile(v + 5, 1, 0.5, w)));
}

static void gini(void **state)
{
    (void)state;
    double eq[] = {7, 7, 7, 7}, one[] = {0, 0, 0, 10}, w[4];
    close_to(tqoi_metric_gini(eq, 4, w), 0);
    close_to(tqoi_metric_gini(one, 4, w), 0.75); /* (n-1)/n when one holds all */
    double two[] = {1, 3}; /* |1-3| / (2 * 2^2 * mean 2) * 2 ... = 0.25 */
    close_to(tqoi_metric_gini(two, 2, w), 0.25);
}

static void spearman(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5}, up[] = {10, 20, 30, 40, 1000}, down[] = {5, 4, 3, 2, 1}, flat[] = {1, 1, 1, 1, 1};
    double w[20];
    int iw[5];
    close_to(tqoi_metric_spearman(x, up, 5, w, iw), 1);
    close_to(tqoi_metric_spearman(x, down, 5, w, iw), -1);
    assert_true(isnan(tqoi_metric_spearman(x, flat, 5, w, iw)));
    double tx[] = {1, 2, 2, 3}, ty[] = {1, 2, 3, 4};
    /* ranks of tx: 1, 2.5, 2.5, 4 against 1, 2, 3, 4 */
    double expect = 4.5 / sqrt(4.5 * 5.0);
    close_to(tqoi_metric_spearman(tx, ty, 4, w, iw), expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentiles),
        cmocka_unit_test(gini),
        cmocka_unit_test(spearman),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
