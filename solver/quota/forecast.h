/*
 * Forecasting for `tqo quota`: yearly totals per territory are forecast by
 * one of a few simple methods, compared in a rolling-origin backtest, and
 * the yearly figure is split into period quotas by seasonal indices.
 * Internal to the library; everything here is deterministic (no randomness,
 * no dependence on thread count), so `auto` is a pure function of the data.
 *
 * Series are yearly totals y[0..T-1] of complete years, oldest first.
 * Forecasts are not clamped: a falling trend may forecast a negative
 * total, and the caller decides what to do with it.
 */
#ifndef TQO_FORECAST_H
#define TQO_FORECAST_H

#include "tqo.h"

#include <stdint.h>

typedef enum forecast_method {
    FORECAST_LAST = 0,     /* the last complete year */
    FORECAST_TREND = 1,    /* least-squares line on the yearly totals */
    FORECAST_HOLT = 2,     /* Holt's linear exponential smoothing, fitted */
    FORECAST_AUTO = 3,     /* chosen by the pooled backtest (forecast_pool.h) */
    FORECAST_DAMPED = 4,   /* damped-trend exponential smoothing, fitted */
    FORECAST_SEASONAL = 5, /* damped Holt-Winters on the periods, summed */
    FORECAST_SHRINK = 6    /* damped growth shrunk toward the parent node's */
} forecast_method;

/* LAST, TREND, HOLT: the methods of the MASE backtest below (kept for its
   table); every value of forecast_method is below FORECAST_N_SLOTS. */
#define FORECAST_N_METHODS 3
#define FORECAST_N_SLOTS 7
/* Default years of training data in the first backtest fold. */
#define FORECAST_MIN_TRAIN_DEFAULT 2

/* "last", "trend", "holt", "auto", "damped", "seasonal", "shrink"; "?"
   for anything else. */
const char *tqoi_forecast_method_name(forecast_method m);
/* Parses a method name (case-insensitive). Returns 1 and sets *m, or 0. */
int tqoi_forecast_method_parse(const char *s, forecast_method *m);

/* ------------------------------------------------------------------ */
/* Point forecasts                                                     */
/* ------------------------------------------------------------------ */

/*
 * The forecast of year T-1+h (h = 1: the year after the last one given)
 * from y[0..T-1]. These assume T >= 1, h >= 1 and finite values; use
 * tqoi_forecast_point for checked input.
 */
/* y[T-1] for every h. */
double tqoi_forecast_last(const double *y, int T, int h);
/* The least-squares line through (t, y[t]) at t = T-1+h; y[0] when T == 1. */
double tqoi_forecast_trend(const double *y, int T, int h);

/* Holt's parameters and how they were found. */
typedef struct forecast_holt_fit {
    double alpha;   /* level smoothing, in [0, 1] */
    double beta;    /* trend smoothing, in [0, 1] */
    double sse;     /* sum of squared one-step in-sample errors */
    int n_errors;   /* in-sample errors that depend on the data (T-2, >= 0) */
    int fitted;     /* 1: alpha, beta minimize sse; 0: defaults (T <= 3) */
} forecast_holt_fit;

/* The defaults used when there is too little data to fit them. */
#define FORECAST_HOLT_ALPHA_DEFAULT 0.5
#define FORECAST_HOLT_BETA_DEFAULT 0.5

/*
 * Holt's method with given alpha and beta: level l[0] = y[0], trend
 * b[0] = y[1]-y[0] (0 when T == 1), then for t = 1..T-1
 *   l[t] = alpha y[t] + (1-alpha)(l[t-1] + b[t-1])
 *   b[t] = beta (l[t] - l[t-1]) + (1-beta) b[t-1]
 * and the forecast l[T-1] + h b[T-1]. When sse is not NULL it receives the
 * sum of squared one-step errors y[t] - (l[t-1] + b[t-1]), t = 2..T-1 (the
 * error at t = 1 is 0 by the choice of b[0]).
 * T == 1 gives y[0]; T == 2 gives y[1] + h (y[1]-y[0]) whatever the
 * parameters.
 */
double tqoi_forecast_holt_with(const double *y, int T, int h, double alpha, double beta, double *sse);

/*
 * Holt's method with alpha and beta fitted by minimizing the in-sample
 * sse: a grid of steps 0.05 over [0,1]^2, then a pattern search down to
 * steps below 1e-4. A candidate replaces the incumbent only when it is
 * strictly (relatively 1e-12) better, and the search starts from the
 * defaults, so ties (e.g. a linear or constant series, where every pair
 * fits exactly) keep the defaults. With T <= 3 the sse does not depend on
 * the parameters at all: the defaults are used and fit->fitted is 0.
 * fit may be NULL.
 */
double tqoi_forecast_holt(const double *y, int T, int h, forecast_holt_fit *fit);

/* Damped-trend smoothing (Gardner and McKenzie): with l[0] = y[0],
   b[0] = y[1]-y[0] (0 when T == 1), for t = 1..T-1
     l[t] = alpha y[t] + (1-alpha)(l[t-1] + phi b[t-1])
     b[t] = beta (l[t] - l[t-1]) + (1-beta) phi b[t-1]
   and the forecast l[T-1] + (phi + ... + phi^h) b[T-1]: the trend fades,
   so a short run of growth is not carried on for ever. */
typedef struct forecast_damped_fit {
    double alpha, beta, phi;
    double sse;   /* one-step in-sample errors t = 2..T-1 */
    int fitted;   /* 0: defaults (T <= 3) */
} forecast_damped_fit;

#define FORECAST_DAMPED_ALPHA_DEFAULT 0.5
#define FORECAST_DAMPED_BETA_DEFAULT 0.3
#define FORECAST_DAMPED_PHI_DEFAULT 0.9

double tqoi_forecast_damped_with(const double *y, int T, int h, double alpha, double beta, double phi,
                                 double *sse);
/* Fitted on a fixed grid (alpha 0.1..1 by 0.1, beta 0..0.5 by 0.1, phi
   0.8, 0.9, 0.95, 0.98: 240 fits), the first strict best in grid order, so
   the choice is a pure function of y; fit may be NULL. */
double tqoi_forecast_damped(const double *y, int T, int h, forecast_damped_fit *fit);

/*
 * Damped additive Holt-Winters on n periods v[0..n-1] with per seasons a
 * year (n >= per): level, damped trend and additive seasonal terms
 * initialised from the first year (and the second, for the trend), fitted
 * on a grid (alpha 0.1..0.9 by 0.2, beta 0, 0.1, 0.3, gamma 0.1, 0.3, 0.5,
 * phi 0.8, 0.9, 0.98: 135 fits) by the one-step errors after the first
 * year. Returns the total of the h-th year after the last period. Additive
 * seasons, since territories may have quarters with no sales at all. With
 * per == 1 it is the damped trend. *evals (may be NULL) gets the fits.
 */
double tqoi_forecast_seasonal(const double *v, int n, int per, int h, long *evals);

typedef struct forecast_result {
    double value;            /* the forecast of year T-1+h */
    forecast_method method;  /* the method used: never AUTO */
    forecast_holt_fit holt;  /* when method is HOLT */
} forecast_result;

/*
 * The forecast of year T-1+h by method m. AUTO runs the backtest on this
 * one series (min_train FORECAST_MIN_TRAIN_DEFAULT) and uses its best
 * method; to choose one method for many territories at once, run
 * tqoi_forecast_backtest_run on all of them and pass its best method here.
 * TQO_ERR_ARG for T < 1, h < 1 or a bad method; TQO_ERR_INPUT for a value
 * that is not finite.
 */
tqo_status tqoi_forecast_point(forecast_method m, const double *y, int T, int h, forecast_result *out);

/* ------------------------------------------------------------------ */
/* Rolling-origin backtest                                             */
/* ------------------------------------------------------------------ */

/*
 * For each origin t = min_train..T-1 (one fold each) and each series, every
 * method forecasts y[t] from y[0..t-1].
 *
 * MAPE is 100 |e| / |y[t]| averaged over (series, fold) pairs; pairs with
 * y[t] == 0 are skipped (the percentage is undefined) and counted.
 *
 * MASE is |e| / s averaged over (series, fold) pairs, with s the mean
 * absolute naive one-step error |y[i] - y[i-1]| of the training series
 * y[0..t-1] (Hyndman's scaling). When that is undefined (t == 1) or
 * degenerate (s <= 1e-9 x mean |y| of the training years, e.g. a flat
 * start of zeros before a territory opened), s falls back to the same
 * mean over the whole series: it depends on the series alone, not on the
 * method, so the comparison of methods stays fair. When the whole series is
 * flat too, every method forecasts it exactly and the scaled error is 0
 * (INFINITY, i.e. worst, should a method miss it by more than rounding).
 * The scale is the same for every method, so the pairs entering the means
 * are the same for every method.
 */
typedef struct forecast_backtest {
    int n_series;
    int n_years;             /* T */
    int min_train;
    int n_folds;             /* max(0, T - min_train) */
    int *train_len;          /* per fold: years of training data */
    double mape[FORECAST_N_METHODS]; /* percent; NAN when no term */
    double mase[FORECAST_N_METHODS]; /* NAN when no fold */
    double *fold_mape;       /* [m * n_folds + f], mean over series; NAN: no term */
    double *fold_mase;       /* [m * n_folds + f], mean over series */
    int n_mape_terms;        /* (series, fold) pairs in MAPE (actual != 0) */
    int n_mape_skipped;      /* pairs skipped because the actual was 0 */
    int n_mase_terms;        /* (series, fold) pairs in MASE: all of them */
    int n_scale_fallback;    /* pairs scaled by the whole series */
    forecast_method best;    /* lowest MASE; see tqoi_forecast_backtest_run */
} forecast_backtest;

/*
 * Backtests all methods on n_series series of n_years yearly totals each,
 * row by row in y (y[s * n_years + t]). best is the method with the lowest
 * MASE; values within 1e-9 (relative) count as ties and the earlier method
 * in the order last, trend, holt wins, so rounding noise cannot flip the
 * choice; NAN ranks worst. With no fold (n_years <= min_train) every metric
 * is NAN and best is LAST, the method that needs the least data.
 * TQO_ERR_ARG for n_series < 1, n_years < 1 or min_train < 1;
 * TQO_ERR_INPUT for a value that is not finite; TQO_ERR_NOMEM.
 * On error *bt holds nothing to free. Free with tqoi_forecast_backtest_free.
 */
tqo_status tqoi_forecast_backtest_run(const double *y, int n_series, int n_years, int min_train,
                                 forecast_backtest *bt);
void tqoi_forecast_backtest_free(forecast_backtest *bt);

/* ------------------------------------------------------------------ */
/* Seasonal indices and the split into period quotas                   */
/* ------------------------------------------------------------------ */

/*
 * Complete years in a dense run of periods of per_year periods a year
 * (1, 4 or 12) starting at ordinal period_first (as tqo_period_parse
 * gives): a leading partial year and a trailing partial year are left out.
 * Sets *offset (index of the first period of the first complete year) and
 * *first_year, and returns the number of complete years (0 when none).
 */
int tqoi_forecast_complete_years(int per_year, int period_first, int n_periods, int *offset, int *first_year);

/* totals[k] = sum of v[k*per_year .. (k+1)*per_year-1], k < n_years. */
void tqoi_forecast_yearly_totals(const double *v, int n_years, int per_year, double *totals);

/*
 * Seasonal indices: idx[p] is period p's average share of its year's total
 * over the complete years in v (v[k * per_year + p]). Negative period values
 * (net returns) count as 0, since a negative share would give a negative
 * quota; years whose total is then 0 carry no shares and are skipped.
 * Without any usable year the indices are uniform. The indices are
 * non-negative and sum to 1 (up to rounding). *n_used (may be NULL) gets
 * the number of years averaged. TQO_ERR_ARG for per_year < 1 or
 * n_years < 0; TQO_ERR_INPUT for a value that is not finite.
 */
tqo_status tqoi_forecast_seasonal_indices(const double *v, int n_years, int per_year, double *idx, int *n_used);

/*
 * Splits amount, rounded to cents, into n parts proportional to the
 * non-negative weights (equal parts when they are all 0), in whole cents
 * that add up exactly to the rounded amount: each part is rounded down and
 * the cents left over go to the largest remainders (ties: the lower index).
 * A negative amount is split as its absolute value and negated. cents gets
 * the parts in cents; parts (may be NULL) gets them as cents / 100.
 * TQO_ERR_ARG for n < 1, a negative or non-finite weight, or an amount that
 * is not finite or too large for exact cents (|amount| > 9e13).
 */
tqo_status tqoi_forecast_split_cents(double amount, const double *weights, int n, int64_t *cents, double *parts);

#endif
