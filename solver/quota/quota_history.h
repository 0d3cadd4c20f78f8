/*
 * The stages of tqo_quota (internal), split so that tqo scenarios can run
 * the expensive ones once and only the cheap last one per scenario:
 *
 *   tqoi_quota_history_build   units x periods -> territories x periods, potential,
 *                         regions, ramps      (once per assignment)
 *   tqoi_quota_forecast_build  complete years up to a cut-off, backtest and the
 *                         forecast of the plan year (once per cut-off and method)
 *   tqoi_quota_allocate        fair shares, growth bounds, the quota LP and cents
 *                         (once per scenario and year)
 */
#ifndef TQO_QUOTA_HISTORY_H
#define TQO_QUOTA_HISTORY_H

#include "quota/forecast.h"
#include "quota/forecast_pool.h"
#include "util/json_writer.h"
#include "tqo.h"

typedef struct quota_history {
    int p;                 /* territories */
    int n_periods, per_year, period_first;
    double *agg;           /* [j * n_periods + t], share-weighted */
    double *potential;     /* per territory; 0 without --potential */
    int has_potential;
    double *ramp;          /* per territory, 1 when not in territories.csv */
    char **region;         /* per territory, "" when none */
    int *parent;           /* per territory, its parent node in the quota hierarchy; NULL: none (regions) */
} quota_history;

/*
 * Checks the settings that name data (value, potential, region column) and
 * aggregates. Messages name the option, as tqo quota's.
 */
tqo_status tqoi_quota_history_build(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                               quota_history *h, tqo_diag *diag);
void tqoi_quota_history_free(quota_history *h);

/* The settings checks of tqo quota that need no data: the forecast
   method (into *m), the history weight, a target or a growth. */
tqo_status tqoi_quota_check_settings(const tqo_quota_settings *s, forecast_method *m, tqo_diag *diag);

/* The last period used: the history's end, or history_until when earlier
   (a period of the history's kind, else TQO_ERR_ARG naming the option). */
tqo_status tqoi_quota_cutoff(const tqo_instance *inst, const char *history_until, int *last, tqo_diag *diag);

/* Territory totals of calendar year y into out[p]; 0 (and out untouched)
   when the history does not hold the whole year. */
int tqoi_quota_history_year(const quota_history *h, int year, double *out);

typedef struct quota_forecast {
    int n_years, first_year, offset; /* complete years used; offset: their first period */
    int last_period;                 /* the cut-off, as a period ordinal */
    int plan_year, horizon;          /* plan_year = last year used + horizon */
    double *totals;                  /* [j * n_years + k] */
    double *last_year, *forecast;    /* per territory; forecast >= 0 */
    forecast_method method;          /* the one used (never AUTO) */
    double mape[FORECAST_N_METHODS], mase[FORECAST_N_METHODS];
    int n_folds;
    int *fold_train_years;
    forecast_pool_backtest pool;     /* every method against the naive quota */
    int has_pool;                    /* 1: pool was run (auto, or asked for) */
} quota_forecast;

/* Each territory's parent node for the forecasts' shrinkage: with a quota
   hierarchy (level: columns, --hierarchy, nodes or submissions) the node
   just above it, else its region, one node per distinct region name,
   territories without a region under one more. Numbered from 0 in order
   of first appearance; returns the number of nodes, group[p] gets each
   territory's. */
int tqoi_quota_parent_groups(const quota_history *h, int *group);

/*
 * Forecasts for the plan year from the complete years up to period
 * ordinal last (inclusive; at most the history's end), by method (AUTO: the
 * best of the backtest with min_train training years). plan_year 0: the
 * year after the last complete one.
 */
tqo_status tqoi_quota_forecast_build(const quota_history *h, int last, int plan_year, forecast_method method,
                                int min_train, quota_forecast *f, tqo_diag *diag);
void tqoi_quota_forecast_free(quota_forecast *f);
/* The pooled backtest's table into r's pool_ fields (none without it). */
void tqoi_quota_forecast_table(const quota_forecast *f, tqo_quota_result *r);
/* quota_summary.json's forecast.pooled_backtest array and its term count. */
void tqoi_quota_pool_json(jw *w, const tqo_quota_result *r);

/*
 * The forecast of the year that starts at period index start (0: the
 * history's first period) from the whole years just before it, which need
 * not be calendar years: the block bootstrap uses every 12-month window of
 * the history, not only the calendar years. TQO_ERR_ARG when no whole
 * year precedes start.
 */
tqo_status tqoi_quota_forecast_window(const quota_history *h, int start, forecast_method method, int min_train,
                                 quota_forecast *f);

typedef struct quota_alloc {
    double *quota, *fair_share;      /* per territory, quota in cents that add up */
    char *bound;                     /* 'l' floor, 'u' cap, 0 */
    int n_no_history;                /* territories without a last year: no bounds */
    double target, total;
    double objective;
    char lp_status[32];
} quota_alloc;

/* The quotas of settings s (target or growth, over-assignment, history
   weight, floors and caps, fairness, region targets) on a forecast. */
tqo_status tqoi_quota_allocate(const quota_history *h, const quota_forecast *f, const tqo_quota_settings *s,
                          const char *const *territory_id, quota_alloc *q, tqo_diag *diag);
void tqoi_quota_alloc_free(quota_alloc *q);

#endif
