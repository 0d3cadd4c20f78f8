/* Damped trend, damped Holt-Winters, shrinkage toward the parent and the
   pooled backtest against the naive quota (issue 19), on synthetic series
   with known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "quota/forecast.h"
#include "quota/forecast_pool.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void new_method_names_parse(void **state)
{
    (void)state;
    const char *names[] = {"damped", "seasonal", "shrink"};
    forecast_method want[] = {FORECAST_DAMPED, FORECAST_SEASONAL, FORECAST_SHRINK};
    for (int i = 0; i < 3; i++) {
        forecast_method m;
        assert_true(tqoi_forecast_method_parse(names[i], &m));
        assert_int_equal(m, want[i]);
        assert_string_equal(tqoi_forecast_method_name(m), names[i]);
    }
    assert_string_equal(tqoi_forecast_pool_name(0), "naive");
    assert_string_equal(tqoi_forecast_pool_name(5), "shrink");
}

static void damped_trend_by_hand(void **state)
{
    (void)state;
    /* y = 10, 12, 15; alpha 0.5, beta 0.5, phi 0.8:
       l0 10, b0 2; t1: f 11.6, l 11.8, b 0.5*1.8 + 0.5*0.8*2 = 1.7;
       t2: f 11.8 + 1.36 = 13.16, e 1.84, l 14.08, b 0.5*2.28 + 0.5*0.8*1.7 = 1.82;
       h 2: 14.08 + (0.8 + 0.64) 1.82. */
    const double y[] = {10, 12, 15};
    double sse;
    double f = tqoi_forecast_damped_with(y, 3, 2, 0.5, 0.5, 0.8, &sse);
    NEAR(f, 14.08 + 1.44 * 1.82, 1e-12);
    NEAR(sse, 1.84 * 1.84, 1e-12);
    /* phi 1 is Holt */
    NEAR(tqoi_forecast_damped_with(y, 3, 3, 0.3, 0.6, 1.0, NULL), tqoi_forecast_holt_with(y, 3, 3, 0.3, 0.6, NULL),
         1e-12);
}

static void damped_fit_is_no_worse_than_the_defaults_and_stays_below_the_line(void **state)
{
    (void)state;
    const double y[] = {100, 110, 118, 131, 140, 152, 160};
    forecast_damped_fit fit;
    double f = tqoi_forecast_damped(y, 7, 3, &fit);
    double sse_default;
    tqoi_forecast_damped_with(y, 7, 1, FORECAST_DAMPED_ALPHA_DEFAULT, FORECAST_DAMPED_BETA_DEFAULT,
                              FORECAST_DAMPED_PHI_DEFAULT, &sse_default);
    assert_true(fit.fitted);
    assert_true(fit.sse <= sse_default);
    assert_true(fit.phi < 1.0);
    /* a damped trend forecasts less growth than the fitted line three years out */
    assert_true(f > y[6] && f < tqoi_forecast_trend(y, 7, 3));
    /* short series: the defaults */
    tqoi_forecast_damped(y, 3, 1, &fit);
    assert_false(fit.fitted);
    NEAR(fit.phi, FORECAST_DAMPED_PHI_DEFAULT, 0);
}

static void seasonal_recovers_a_flat_seasonal_year(void **state)
{
    (void)state;
    /* four years of quarters 10, 20, 30, 40: next year's total is 100 */
    double v[16];
    for (int t = 0; t < 16; t++)
        v[t] = 10.0 * (t % 4 + 1);
    long ev = 0;
    NEAR(tqoi_forecast_seasonal(v, 16, 4, 1, &ev), 100.0, 1e-9);
    assert_int_equal(ev, 135);
    NEAR(tqoi_forecast_seasonal(v, 16, 4, 2, NULL), 100.0, 1e-9);
    /* the same seasons on a rising level: the forecast rises too */
    for (int t = 0; t < 16; t++)
        v[t] = 10.0 * (t % 4 + 1) + 2.0 * t;
    double f = tqoi_forecast_seasonal(v, 16, 4, 1, NULL);
    double last = v[12] + v[13] + v[14] + v[15];
    assert_true(f > last);
}

/* p territories x Y years, one period a year */
static forecast_pool_data yearly_data(const double *y, int p, int Y, const int *parent, int n_parents)
{
    forecast_pool_data d = {.p = p, .per_year = 1, .periods = y, .stride = (size_t)Y, .parent = parent,
                            .n_parents = n_parents};
    return d;
}

static void naive_wins_when_shares_never_move(void **state)
{
    (void)state;
    /* every territory grows 20% a year: the split is exact for last year */
    double y[3 * 5];
    const double base[3] = {100, 250, 40};
    for (int j = 0; j < 3; j++)
        for (int t = 0; t < 5; t++)
            y[j * 5 + t] = base[j] * pow(1.2, t);
    int parent[3] = {0, 0, 0};
    forecast_pool_data d = yearly_data(y, 3, 5, parent, 1);
    forecast_pool_backtest bt;
    assert_int_equal(tqoi_forecast_pool_backtest(&d, 5, 2, &bt), TQO_OK);
    assert_int_equal(bt.n_folds, 3);
    assert_int_equal(bt.n_terms, 9);
    NEAR(bt.mape[0], 0.0, 1e-9);
    NEAR(bt.wape[0], 0.0, 1e-9);
    assert_int_equal(bt.chosen, 0);
    /* the naive's level: last year x last growth, exact here */
    NEAR(bt.bias[0], 0.0, 1e-9);
    for (int k = 0; k < FORECAST_POOL_N; k++)
        assert_true(bt.mape[k] >= bt.mape[bt.chosen]);
}

static void naive_mape_by_hand_and_trend_chosen_on_diverging_lines(void **state)
{
    (void)state;
    /* two territories, 3 years, one fold (year 2 from years 0, 1):
       A 100, 100, 100; B 100, 200, 300. Naive shares 1/3, 2/3 of 400:
       A 133.33 (33.3%), B 266.67 (11.1%): MAPE 22.2%, WAPE 66.67/400. */
    const double y[] = {100, 100, 100, 100, 200, 300};
    int parent[2] = {0, 1};
    forecast_pool_data d = yearly_data(y, 2, 3, parent, 2);
    forecast_pool_backtest bt;
    assert_int_equal(tqoi_forecast_pool_backtest(&d, 3, 2, &bt), TQO_OK);
    NEAR(bt.mape[0], (100.0 / 3 + 100.0 / 9) / 2, 1e-9);
    NEAR(bt.wape[0], 100.0 * (200.0 / 3) / 400, 1e-9);
    /* the naive's raw level: 300 x 300/200 = 450 against 400 */
    NEAR(bt.bias[0], 12.5, 1e-9);
    /* trend (row 1) forecasts 100 and 300 exactly */
    NEAR(bt.mape[1], 0.0, 1e-9);
    assert_int_equal(bt.chosen, 1);
    /* no fold: everything NAN, the naive chosen */
    assert_int_equal(tqoi_forecast_pool_backtest(&d, 3, 3, &bt), TQO_OK);
    assert_true(isnan(bt.mape[0]) && bt.chosen == 0 && bt.n_folds == 0);
}

static void shrink_pulls_noisy_growth_to_the_parent(void **state)
{
    (void)state;
    /* One parent; territories with the same growth but for noise: the
       shrunk forecasts stay between the territory's own damped forecast
       and last year x the parent's growth. */
    const double y[] = {100, 112, 118, 133, 140, 100, 104, 115, 117, 128, 100, 109, 116, 127, 136};
    int parent[3] = {0, 0, 0};
    forecast_pool_data d = yearly_data(y, 3, 5, parent, 1);
    double shr[3], own[3];
    long ev = 0;
    assert_int_equal(tqoi_forecast_pool_point(&d, 5, 1, FORECAST_SHRINK, shr, &ev), TQO_OK);
    assert_int_equal(tqoi_forecast_pool_point(&d, 5, 1, FORECAST_DAMPED, own, NULL), TQO_OK);
    assert_true(ev > 0);
    double tot[5] = {0};
    for (int j = 0; j < 3; j++)
        for (int t = 0; t < 5; t++)
            tot[t] += y[j * 5 + t];
    double g = tqoi_forecast_damped(tot, 5, 1, NULL) / tot[4];
    for (int j = 0; j < 3; j++) {
        double lastg = y[j * 5 + 4] * g;
        assert_true(shr[j] >= fmin(own[j], lastg) - 1e-9 && shr[j] <= fmax(own[j], lastg) + 1e-9);
    }
    /* AUTO is no method of its own */
    assert_int_equal(tqoi_forecast_pool_point(&d, 5, 1, FORECAST_AUTO, shr, NULL), TQO_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_method_names_parse),
        cmocka_unit_test(damped_trend_by_hand),
        cmocka_unit_test(damped_fit_is_no_worse_than_the_defaults_and_stays_below_the_line),
        cmocka_unit_test(seasonal_recovers_a_flat_seasonal_year),
        cmocka_unit_test(naive_wins_when_shares_never_move),
        cmocka_unit_test(naive_mape_by_hand_and_trend_chosen_on_diverging_lines),
        cmocka_unit_test(shrink_pulls_noisy_growth_to_the_parent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
