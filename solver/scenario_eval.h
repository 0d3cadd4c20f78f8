/*
 * Judging a quota scenario (internal): the metrics of one year's quotas
 * against outcomes, and the backtest over history (quotas for each year
 * set from the years before it, compared with what was sold).
 */
#ifndef TQO_SCENARIO_EVAL_H
#define TQO_SCENARIO_EVAL_H

#include "scenario_file.h"
#include "tqo.h"

typedef struct scenario_metrics {
    double pct_at_quota;        /* share of territories at or above quota, % */
    double pct_below_threshold; /* share below the curve's first paying point, % */
    double attainment_median, attainment_p10, attainment_p90; /* % */
    double gini;                /* of attainment */
    double spearman;            /* attainment against potential (fairness: ~0) */
    double payout;              /* total */
    double cost_of_sales;       /* payout / revenue, % */
    double company_attainment;  /* sum of outcomes / sum of quotas, % */
    double n_at_bound;          /* quotas held at a floor or cap */
    double mape;                /* of quota against outcome, % */
} scenario_metrics;

#define SCENARIO_N_METRICS 12
/* The metrics as an array, in the order of the struct, and their names
   (for CSV columns). */
void scenario_metrics_to_array(const scenario_metrics *m, double *out);
extern const char *const scenario_metric_names[SCENARIO_N_METRICS];

/* Metrics of quotas against outcomes for p territories; work: 6p doubles,
   iwork: p ints. */
void scenario_metrics_compute(const scenario *sc, int p, const double *quota, const double *outcome,
                              const double *potential, const char *bound, double *work, int *iwork,
                              scenario_metrics *m);

/*
 * The backtest: for each year with at least min_train complete years
 * before it and complete actuals, quotas from the years before it with the
 * scenario's settings. *n_years and years/per_year (allocated) receive the
 * years evaluated; mean the average of each metric over them (NAN when
 * none).
 */
tqo_status scenario_backtest(const tqo_instance *inst, const tqo_assignment *a, const scenario *sc, int min_train,
                             int *n_years, int **years, scenario_metrics **per_year, scenario_metrics *mean,
                             tqo_diag *diag);

#endif
