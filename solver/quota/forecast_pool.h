/*
 * Forecasts of all territories at once (internal): the methods that need
 * more than one yearly series (damped Holt-Winters on the periods, growth
 * shrunk toward the parent node's) and the pooled rolling-origin backtest
 * that compares every method with the naive quota and chooses `auto`.
 *
 * The backtest judges forecasts as a quota uses them: at each origin t
 * (one fold per year after min_train years) every method forecasts year t
 * for every territory from the years before it, and the forecasts are
 * scaled to year t's actual company total. The errors then measure how
 * well a method splits the company number, which is all a forecast does to
 * a quota (the target is leadership's). Scaled that way the last year is
 * the naive quota, last year times the company's growth. MAPE and WAPE are
 * pooled over every (territory, fold) pair, so a short history still gives
 * p x folds errors to choose by, not one per series. Bias is of the raw
 * forecasts' company total against the actual (the level, which the
 * scaling hides): the naive's raw forecast is last year times the growth
 * of the year before. Deterministic: a pure function of the data.
 */
#ifndef TQO_FORECAST_POOL_H
#define TQO_FORECAST_POOL_H

#include "quota/forecast.h"

/* The methods in the backtest table, in tie-break order: naive first, so
   auto keeps the naive quota unless a method is strictly better. */
#define FORECAST_POOL_N 6
extern const forecast_method tqoi_forecast_pool_methods[FORECAST_POOL_N];
/* "naive" for LAST, else the method's name. */
const char *tqoi_forecast_pool_name(int k);

typedef struct forecast_pool_data {
    int p, per_year;
    const double *periods; /* [j * stride + t]: complete years' periods, oldest first */
    size_t stride;
    const int *parent;     /* per territory: its parent node (0..n_parents-1) */
    int n_parents;
} forecast_pool_data;

/*
 * Every territory's forecast of year Y-1+h from the first Y complete years
 * by method m (not AUTO) into out[p], clamped at 0 (nobody sells less than
 * nothing). *evals (may be NULL) is increased by the model fits made.
 * TQO_ERR_ARG for Y < 1, h < 1 or AUTO; TQO_ERR_NOMEM.
 */
tqo_status tqoi_forecast_pool_point(const forecast_pool_data *d, int Y, int h, forecast_method m, double *out,
                                    long *evals);

typedef struct forecast_pool_backtest {
    int n_folds, min_train;
    int n_terms, n_skipped;         /* MAPE pairs, and pairs skipped (actual 0) */
    double mape[FORECAST_POOL_N];   /* %, NAN: no term */
    double wape[FORECAST_POOL_N];   /* 100 sum|e| / sum|actual| */
    double bias[FORECAST_POOL_N];   /* 100 (sum raw forecast / sum actual - 1) */
    int chosen;                     /* index: lowest MAPE (ties: earlier) */
    long evals;                     /* model fits made */
} forecast_pool_backtest;

/* The backtest of every method over Y complete years (folds t =
   min_train..Y-1). No fold: every figure NAN and the naive chosen. */
tqo_status tqoi_forecast_pool_backtest(const forecast_pool_data *d, int Y, int min_train, forecast_pool_backtest *bt);

#endif
