/*
 * The plan year's outcome model for the scenario Monte Carlo (internal).
 * Replicate r's territory outcomes are the base forecast times the
 * actual/forecast ratios of one whole past year, drawn from the stream
 * (seed, r): a block bootstrap that keeps the territories' correlation,
 * and common random numbers, since replicate r meets the same outcomes in
 * every scenario whatever the thread that runs it.
 */
#ifndef TQO_SCENARIO_MC_H
#define TQO_SCENARIO_MC_H

#include "scenarios/scenario_metrics.h"

typedef struct scenario_outcomes {
    int p, n_years, replicates;
    const double *forecast;   /* p: the plan year's base forecast (borrowed) */
    double *ratio;            /* [y * p + j]: actual / forecast of past year y */
    int *draw;                /* per replicate: the past year it resamples */
} scenario_outcomes;

/* actual[y][j] and forecast[y][j] of n_years past years: ratios (1 where
   the forecast is 0, as the outcome is then 0 anyway), and the draws. */
tqo_status tqoi_scenario_outcomes_init(scenario_outcomes *o, int p, const double *plan_forecast, int n_years,
                                  const double *const *actual, const double *const *forecast, int replicates,
                                  uint64_t seed);
void tqoi_scenario_outcomes_free(scenario_outcomes *o);

/* Replicate r's outcomes into out[p]. */
void tqoi_scenario_outcomes_draw(const scenario_outcomes *o, int r, double *out);

/* Replicates [r0, r1) of one scenario: metrics into
   vals[(r - r0) * TQO_SCENARIO_N_METRICS + m], payouts added to pay[p] in
   replicate order; outcome: p doubles of scratch. */
void tqoi_scenario_mc_block(const scenario_judge *J, const scenario_outcomes *o, int r0, int r1, double *vals,
                       double *pay, double *outcome, scenario_scratch *w);

#endif
