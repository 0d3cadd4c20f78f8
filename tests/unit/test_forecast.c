/* Forecast methods, backtest, seasonal indices and the cent split, on
   synthetic series with known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "quota/forecast.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void method_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"last", "trend", "holt", "auto"};
    for (int i = 0; i < 4; i++) {
        forecast_method m;
        assert_true(tqoi_forecast_method_parse(names[i], &m));
        assert_int_equal(m, i);
        assert_string_equal(tqoi_forecast_method_name(m), names[i]);
    }
    forecast_method m = FORECAST_LAST;
    assert_true(tqoi_forecast_method_parse("HOLT", &m));
    assert_int_equal(m, FORECAST_HOLT);
    assert_false(tqoi_forecast_method_parse("", &m));
    assert_false(tqoi_forecast_method_parse("trends", &m));
    assert_false(tqoi_forecast_method_parse("holt ", &m));
    assert_false(tqoi_forecast_method_parse(NULL, &m));
}

static void linear_series_forecast_exactly_by_trend(void **state)
{
    (void)state;
    double y[8];
    for (int t = 0; t < 8; t++)
        y[t] = 100.0 + 7.25 * t;
    for (int h = 1; h <= 3; h++) {
        double want = 100.0 + 7.25 * (7 + h);
        NEAR(tqoi_forecast_trend(y, 8, h), want, 1e-9);
        forecast_holt_fit fit;
        NEAR(tqoi_forecast_holt(y, 8, h, &fit), want, 1e-6);
        assert_true(fit.fitted);
        assert_true(fit.sse <= 1e-12);
        assert_true(fit.alpha >= 0.0 && fit.alpha <= 1.0 && fit.beta >= 0.0 && fit.beta <= 1.0);
    }
    /* A falling line too, through zero: no clamping. */
    double d[5] = {40, 30, 20, 10, 0};
    NEAR(tqoi_forecast_trend(d, 5, 1), -10.0, 1e-9);
    NEAR(tqoi_forecast_holt(d, 5, 2, NULL), -20.0, 1e-6);
    /* The few-points rules: one year is flat, two are a line. */
    NEAR(tqoi_forecast_trend(y, 1, 4), 100.0, 0.0);
    NEAR(tqoi_forecast_trend(y, 2, 1), 114.5, 1e-12);
    NEAR(tqoi_forecast_holt(y, 1, 3, NULL), 100.0, 0.0);
    NEAR(tqoi_forecast_holt(y, 2, 2, NULL), 121.75, 1e-12);
}

static void trend_and_holt_known_values(void **state)
{
    (void)state;
    /* OLS on (0,1), (1,2), (2,4): slope 1.5, mean 7/3 at x = 1. */
    double y[3] = {1, 2, 4};
    NEAR(tqoi_forecast_trend(y, 3, 1), 7.0 / 3.0 + 1.5 * 2.0, 1e-12);
    NEAR(tqoi_forecast_trend(y, 3, 2), 7.0 / 3.0 + 1.5 * 3.0, 1e-12);

    /* By hand: l0 10, b0 2; t=1: f 12, l 12, b 2; t=2: f 14, e 1,
       l 14.5, b 2.25; forecast 16.75 (h=1), 19 (h=2). */
    double z[3] = {10, 12, 15};
    double sse = -1.0;
    NEAR(tqoi_forecast_holt_with(z, 3, 1, 0.5, 0.5, &sse), 16.75, 1e-12);
    NEAR(sse, 1.0, 1e-12);
    NEAR(tqoi_forecast_holt_with(z, 3, 2, 0.5, 0.5, NULL), 19.0, 1e-12);
    /* T == 3: the sse does not depend on the parameters; defaults. */
    forecast_holt_fit fit;
    NEAR(tqoi_forecast_holt(z, 3, 1, &fit), 16.75, 1e-12);
    assert_false(fit.fitted);
    assert_int_equal(fit.n_errors, 1);
    NEAR(fit.alpha, FORECAST_HOLT_ALPHA_DEFAULT, 0.0);
    NEAR(fit.beta, FORECAST_HOLT_BETA_DEFAULT, 0.0);
}

static void holt_fit_is_no_worse_than_any_grid_point(void **state)
{
    (void)state;
    double y[8] = {100, 112, 108, 131, 125, 119, 142, 137};
    forecast_holt_fit fit;
    double v = tqoi_forecast_holt(y, 8, 1, &fit);
    assert_true(fit.fitted);
    assert_int_equal(fit.n_errors, 6);
    double s;
    NEAR(tqoi_forecast_holt_with(y, 8, 1, fit.alpha, fit.beta, &s), v, 1e-12);
    NEAR(s, fit.sse, 1e-9);
    for (int i = 0; i <= 40; i++)
        for (int j = 0; j <= 40; j++) {
            tqoi_forecast_holt_with(y, 8, 1, i / 40.0, j / 40.0, &s);
            assert_true(fit.sse <= s + 1e-9);
        }
    /* Deterministic: the same data gives the same parameters. */
    forecast_holt_fit again;
    tqoi_forecast_holt(y, 8, 1, &again);
    assert_true(again.alpha == fit.alpha && again.beta == fit.beta && again.sse == fit.sse);
}

static void constant_series_forecast_exactly_by_every_method(void **state)
{
    (void)state;
    /* 0.1 is not exact in binary: the mean picks up rounding. */
    const double c[] = {0.1, 1234.56, 0.0};
    for (int k = 0; k < 3; k++) {
        double y[7];
        for (int t = 0; t < 7; t++)
            y[t] = c[k];
        for (int m = 0; m <= FORECAST_AUTO; m++) {
            forecast_result r;
            assert_int_equal(tqoi_forecast_point((forecast_method)m, y, 7, 1, &r), TQO_OK);
            NEAR(r.value, c[k], 1e-9 * fmax(1.0, c[k]));
            assert_true(r.method != FORECAST_AUTO);
        }
        forecast_backtest bt;
        assert_int_equal(tqoi_forecast_backtest_run(y, 1, 7, 2, &bt), TQO_OK);
        for (int m = 0; m < FORECAST_N_METHODS; m++) {
            assert_true(bt.mase[m] == 0.0);
            if (c[k] != 0.0)
                assert_true(bt.mape[m] <= 1e-9);
            else
                assert_true(isnan(bt.mape[m])); /* every actual is 0 */
        }
        assert_int_equal(bt.n_mape_skipped, c[k] == 0.0 ? 5 : 0);
        assert_int_equal(bt.best, FORECAST_LAST); /* all tie: the first */
        tqoi_forecast_backtest_free(&bt);
    }
}

static void last_value_is_the_last_year(void **state)
{
    (void)state;
    double y[4] = {3, 9, 4, 11};
    forecast_result r;
    assert_int_equal(tqoi_forecast_point(FORECAST_LAST, y, 4, 1, &r), TQO_OK);
    NEAR(r.value, 11.0, 0.0);
    assert_int_equal(r.method, FORECAST_LAST);
    assert_int_equal(tqoi_forecast_point(FORECAST_LAST, y, 4, 5, &r), TQO_OK);
    NEAR(r.value, 11.0, 0.0);
    assert_int_equal(tqoi_forecast_point(FORECAST_LAST, y, 1, 1, &r), TQO_OK);
    NEAR(r.value, 3.0, 0.0);
}

static void point_rejects_bad_input(void **state)
{
    (void)state;
    double y[3] = {1, NAN, 3};
    forecast_result r;
    assert_int_equal(tqoi_forecast_point(FORECAST_TREND, y, 3, 1, &r), TQO_ERR_INPUT);
    assert_int_equal(tqoi_forecast_point(FORECAST_TREND, y, 1, 1, &r), TQO_OK);
    assert_int_equal(tqoi_forecast_point(FORECAST_TREND, y, 0, 1, &r), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_point(FORECAST_TREND, y, 1, 0, &r), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_point((forecast_method)7, y, 1, 1, &r), TQO_ERR_ARG);
}

static void backtest_folds_and_training_lengths(void **state)
{
    (void)state;
    double y[12];
    for (int i = 0; i < 12; i++)
        y[i] = 50.0 + (i % 6) * (i % 4);
    forecast_backtest bt;
    /* Two series of 6 years: folds at origins 2..5. */
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 6, 2, &bt), TQO_OK);
    assert_int_equal(bt.n_folds, 4);
    assert_int_equal(bt.n_series, 2);
    for (int f = 0; f < 4; f++)
        assert_int_equal(bt.train_len[f], 2 + f);
    assert_int_equal(bt.n_mase_terms, 8);
    assert_int_equal(bt.n_mape_terms, 8);
    tqoi_forecast_backtest_free(&bt);

    /* min_train 1: the first fold has no naive error, so its scale is the
       whole series'. */
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 6, 1, &bt), TQO_OK);
    assert_int_equal(bt.n_folds, 5);
    assert_int_equal(bt.train_len[0], 1);
    assert_int_equal(bt.train_len[4], 5);
    assert_true(bt.n_scale_fallback >= 2);
    tqoi_forecast_backtest_free(&bt);

    /* No fold: every metric NAN, best LAST. */
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 6, 6, &bt), TQO_OK);
    assert_int_equal(bt.n_folds, 0);
    assert_null(bt.train_len);
    for (int m = 0; m < FORECAST_N_METHODS; m++)
        assert_true(isnan(bt.mase[m]) && isnan(bt.mape[m]));
    assert_int_equal(bt.best, FORECAST_LAST);
    tqoi_forecast_backtest_free(&bt);

    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 6, 0, &bt), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_backtest_run(y, 0, 6, 2, &bt), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 0, 2, &bt), TQO_ERR_ARG);
    y[7] = INFINITY;
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 6, 2, &bt), TQO_ERR_INPUT);
    assert_null(bt.train_len);
}

static void backtest_metrics_by_hand(void **state)
{
    (void)state;
    /* Fold t=2: train {10,20}, scale 10, actual 15.
         last 20: e 5 (ase 0.5, ape 33.3); trend 30: e 15 (1.5, 100).
       Fold t=3: train {10,20,15}, scale 7.5, actual 30.
         last 15: e 15 (2, 50); trend 15 + 2.5*2 = 20: e 10 (4/3, 33.3). */
    double y[4] = {10, 20, 15, 30};
    forecast_backtest bt;
    assert_int_equal(tqoi_forecast_backtest_run(y, 1, 4, 2, &bt), TQO_OK);
    NEAR(bt.mase[FORECAST_LAST], 1.25, 1e-12);
    NEAR(bt.mape[FORECAST_LAST], (100.0 / 3.0 + 50.0) / 2.0, 1e-9);
    NEAR(bt.mase[FORECAST_TREND], (1.5 + 4.0 / 3.0) / 2.0, 1e-12);
    NEAR(bt.mape[FORECAST_TREND], (100.0 + 100.0 / 3.0) / 2.0, 1e-9);
    NEAR(bt.fold_mase[FORECAST_LAST * 2 + 0], 0.5, 1e-12);
    NEAR(bt.fold_mase[FORECAST_LAST * 2 + 1], 2.0, 1e-12);
    NEAR(bt.fold_mape[FORECAST_TREND * 2 + 0], 100.0, 1e-9);
    /* Holt at t=2 is the two-point line (30), at t=3 the defaults:
       l 0.5*15 + 0.5*30 = 22.5, b 0.5*2.5 + 0.5*10 = 6.25 -> 28.75. */
    NEAR(bt.fold_mase[FORECAST_HOLT * 2 + 0], 1.5, 1e-12);
    NEAR(bt.fold_mase[FORECAST_HOLT * 2 + 1], 1.25 / 7.5, 1e-12);
    assert_int_equal(bt.best, FORECAST_HOLT);
    tqoi_forecast_backtest_free(&bt);

    /* Two series: the aggregate is the mean over series and folds. */
    double two[8] = {10, 20, 15, 30, 100, 200, 150, 300};
    assert_int_equal(tqoi_forecast_backtest_run(two, 2, 4, 2, &bt), TQO_OK);
    NEAR(bt.mase[FORECAST_LAST], 1.25, 1e-12); /* scale-free */
    NEAR(bt.fold_mase[FORECAST_LAST * 2 + 1], 2.0, 1e-12);
    assert_int_equal(bt.n_mase_terms, 4);
    tqoi_forecast_backtest_free(&bt);
}

static void backtest_flat_start_uses_whole_series_scale(void **state)
{
    (void)state;
    /* A territory that opened in the fourth year: the training series of
       fold t=3 is all zeros, so it is scaled by the whole series'
       naive error, (0+0+500+100)/4 = 150. */
    double y[5] = {0, 0, 0, 500, 600};
    forecast_backtest bt;
    assert_int_equal(tqoi_forecast_backtest_run(y, 1, 5, 2, &bt), TQO_OK);
    assert_int_equal(bt.n_folds, 3);
    assert_int_equal(bt.n_scale_fallback, 2); /* folds t=2 and t=3 */
    assert_int_equal(bt.n_mape_skipped, 1);   /* actual 0 at t=2 */
    NEAR(bt.fold_mase[FORECAST_LAST * 3 + 0], 0.0, 0.0);
    NEAR(bt.fold_mase[FORECAST_LAST * 3 + 1], 500.0 / 150.0, 1e-12);
    for (int m = 0; m < FORECAST_N_METHODS; m++)
        assert_true(isfinite(bt.mase[m]));
    tqoi_forecast_backtest_free(&bt);
}

static void auto_picks_trend_on_a_line(void **state)
{
    (void)state;
    double y[2 * 7];
    for (int t = 0; t < 7; t++) {
        y[t] = 1000.0 + 35.5 * t;
        y[7 + t] = 80.0 - 3.0 * t;
    }
    forecast_backtest bt;
    assert_int_equal(tqoi_forecast_backtest_run(y, 2, 7, 2, &bt), TQO_OK);
    /* last misses by the slope, which is the naive scale: MASE 1. */
    NEAR(bt.mase[FORECAST_LAST], 1.0, 1e-9);
    assert_true(bt.mase[FORECAST_TREND] <= 1e-9);
    assert_true(bt.mase[FORECAST_HOLT] <= 1e-6);
    assert_int_equal(bt.best, FORECAST_TREND); /* ties with holt: trend first */
    tqoi_forecast_backtest_free(&bt);

    forecast_result r;
    assert_int_equal(tqoi_forecast_point(FORECAST_AUTO, y, 7, 1, &r), TQO_OK);
    assert_int_equal(r.method, FORECAST_TREND);
    NEAR(r.value, 1000.0 + 35.5 * 7, 1e-9);
}

static void auto_picks_last_on_level_shifts(void **state)
{
    (void)state;
    /* Random-walk-like: level shifts that persist. last is right except at
       the shifts; trend and Holt chase the shifts and overshoot. */
    double y[8] = {100, 100, 150, 150, 150, 80, 80, 80};
    forecast_backtest bt;
    assert_int_equal(tqoi_forecast_backtest_run(y, 1, 8, 2, &bt), TQO_OK);
    assert_true(bt.mase[FORECAST_LAST] < bt.mase[FORECAST_TREND]);
    assert_true(bt.mase[FORECAST_LAST] < bt.mase[FORECAST_HOLT]);
    assert_int_equal(bt.best, FORECAST_LAST);
    tqoi_forecast_backtest_free(&bt);
    forecast_result r;
    assert_int_equal(tqoi_forecast_point(FORECAST_AUTO, y, 8, 1, &r), TQO_OK);
    assert_int_equal(r.method, FORECAST_LAST);
    NEAR(r.value, 80.0, 0.0);
}

static void complete_years_of_a_period_run(void **state)
{
    (void)state;
    int off, first;
    /* 2019Q3 .. 2022Q4 (14 quarters): complete years 2020..2022. */
    assert_int_equal(tqoi_forecast_complete_years(4, 2019 * 4 + 2, 14, &off, &first), 3);
    assert_int_equal(off, 2);
    assert_int_equal(first, 2020);
    /* 2020-01 .. 2022-11: 2020 and 2021; 2022 is partial. */
    assert_int_equal(tqoi_forecast_complete_years(12, 2020 * 12, 35, &off, &first), 2);
    assert_int_equal(off, 0);
    assert_int_equal(first, 2020);
    /* Yearly data: every year is complete. */
    assert_int_equal(tqoi_forecast_complete_years(1, 2015, 6, &off, &first), 6);
    assert_int_equal(first, 2015);
    /* Too short. */
    assert_int_equal(tqoi_forecast_complete_years(4, 2019 * 4 + 1, 4, &off, &first), 0);

    double v[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    double tot[2];
    tqoi_forecast_yearly_totals(v, 2, 4, tot);
    NEAR(tot[0], 10.0, 0.0);
    NEAR(tot[1], 100.0, 0.0);
}

static void seasonal_indices_on_known_shares(void **state)
{
    (void)state;
    /* Shares 10/20/30/40 % in years of different size, a year without
       sales, and a year with a net return that counts as 0. */
    const double share[4] = {0.1, 0.2, 0.3, 0.4};
    const double total[4] = {1000.0, 0.0, 2500.0, 777.7};
    double v[5 * 4];
    for (int k = 0; k < 4; k++)
        for (int p = 0; p < 4; p++)
            v[k * 4 + p] = total[k] * share[p];
    /* Year 5: -50 in Q1 counts as 0; shares 0, 0.2, 0.3, 0.5 of 1000. */
    v[16] = -50.0;
    v[17] = 200.0;
    v[18] = 300.0;
    v[19] = 500.0;
    double idx[4];
    int used = -1;
    assert_int_equal(tqoi_forecast_seasonal_indices(v, 4, 4, idx, &used), TQO_OK);
    assert_int_equal(used, 3);
    double sum = 0.0;
    for (int p = 0; p < 4; p++) {
        NEAR(idx[p], share[p], 1e-12);
        sum += idx[p];
    }
    NEAR(sum, 1.0, 1e-12);
    assert_int_equal(tqoi_forecast_seasonal_indices(v, 5, 4, idx, &used), TQO_OK);
    assert_int_equal(used, 4);
    NEAR(idx[0], 0.3 / 4.0, 1e-12);
    NEAR(idx[3], 1.7 / 4.0, 1e-12);

    /* No usable year: uniform. Monthly works the same. */
    double zeros[12] = {0};
    double m[12];
    assert_int_equal(tqoi_forecast_seasonal_indices(zeros, 1, 12, m, &used), TQO_OK);
    assert_int_equal(used, 0);
    for (int p = 0; p < 12; p++)
        NEAR(m[p], 1.0 / 12.0, 1e-15);
    assert_int_equal(tqoi_forecast_seasonal_indices(NULL, 0, 4, idx, NULL), TQO_OK);
    NEAR(idx[2], 0.25, 0.0);

    v[3] = NAN;
    assert_int_equal(tqoi_forecast_seasonal_indices(v, 2, 4, idx, NULL), TQO_ERR_INPUT);
    assert_int_equal(tqoi_forecast_seasonal_indices(v, 2, 0, idx, NULL), TQO_ERR_ARG);
}

static int64_t sum64(const int64_t *c, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += c[i];
    return s;
}

static void cent_split_adds_up_exactly(void **state)
{
    (void)state;
    int64_t c[12];
    double parts[12];
    const double third[3] = {1, 1, 1};
    assert_int_equal(tqoi_forecast_split_cents(1000.0, third, 3, c, parts), TQO_OK);
    assert_true(c[0] == 33334 && c[1] == 33333 && c[2] == 33333);
    NEAR(parts[0], 333.34, 1e-9);
    assert_int_equal(tqoi_forecast_split_cents(-1000.0, third, 3, c, NULL), TQO_OK);
    assert_true(c[0] == -33334 && c[1] == -33333 && c[2] == -33333);

    /* Largest remainders: 0.01 x (0.2, 0.3, 0.5) = 0.2, 0.3, 0.5 cents. */
    const double w[3] = {0.2, 0.3, 0.5};
    assert_int_equal(tqoi_forecast_split_cents(0.01, w, 3, c, NULL), TQO_OK);
    assert_true(c[0] == 0 && c[1] == 0 && c[2] == 1);

    /* Zero weights: equal parts. Amount rounded to cents first. */
    const double zero[4] = {0, 0, 0, 0};
    assert_int_equal(tqoi_forecast_split_cents(10.005, zero, 4, c, NULL), TQO_OK);
    assert_true(sum64(c, 4) == llround(10.005 * 100.0));

    /* Many amounts and awkward weights, a fixed pseudo-random sequence. */
    uint64_t s = 12345;
    for (int it = 0; it < 2000; it++) {
        double wt[12];
        int n = 1 + it % 12;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            wt[i] = (double)(s >> 40) / 7.0;
        }
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double amount = (double)(s >> 20) / 997.0 - 4e9;
        assert_int_equal(tqoi_forecast_split_cents(amount, wt, n, c, parts), TQO_OK);
        assert_true(sum64(c, n) == llround(amount * 100.0));
        for (int i = 0; i < n; i++)
            assert_true(amount >= 0 ? c[i] >= 0 : c[i] <= 0);
    }
    /* Seasonal indices into a yearly quota: the period quotas add up. */
    const double q[4] = {0.1, 0.2, 0.3, 0.4};
    assert_int_equal(tqoi_forecast_split_cents(123456.789, q, 4, c, NULL), TQO_OK);
    assert_true(sum64(c, 4) == 12345679);
    assert_true(c[0] == 1234568 && c[3] == 4938271);

    const double neg[2] = {1, -1};
    assert_int_equal(tqoi_forecast_split_cents(1.0, neg, 2, c, NULL), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_split_cents(NAN, third, 3, c, NULL), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_split_cents(1e15, third, 3, c, NULL), TQO_ERR_ARG);
    assert_int_equal(tqoi_forecast_split_cents(1.0, third, 0, c, NULL), TQO_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(method_names_round_trip),
        cmocka_unit_test(linear_series_forecast_exactly_by_trend),
        cmocka_unit_test(trend_and_holt_known_values),
        cmocka_unit_test(holt_fit_is_no_worse_than_any_grid_point),
        cmocka_unit_test(constant_series_forecast_exactly_by_every_method),
        cmocka_unit_test(last_value_is_the_last_year),
        cmocka_unit_test(point_rejects_bad_input),
        cmocka_unit_test(backtest_folds_and_training_lengths),
        cmocka_unit_test(backtest_metrics_by_hand),
        cmocka_unit_test(backtest_flat_start_uses_whole_series_scale),
        cmocka_unit_test(auto_picks_trend_on_a_line),
        cmocka_unit_test(auto_picks_last_on_level_shifts),
        cmocka_unit_test(complete_years_of_a_period_run),
        cmocka_unit_test(seasonal_indices_on_known_shares),
        cmocka_unit_test(cent_split_adds_up_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
