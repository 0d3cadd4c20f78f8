/*
 * Monte Carlo for the plan year (internal). Territory outcomes are a base
 * forecast times the actual/forecast ratios of one whole past year drawn
 * at random (a block bootstrap: territories keep their correlation).
 * Replicate r draws its year from the stream (seed, r), so every scenario
 * meets the same outcomes (common random numbers) and the results are the
 * same for any number of threads.
 */
#ifndef TQO_SCENARIO_MC_H
#define TQO_SCENARIO_MC_H

#include "scenario_eval.h"

typedef struct scenario_mc {
    int n_scenarios, n_territories, replicates;
    int n_error_years;
    int *error_year;          /* the past years whose errors are drawn */
    double *quota;            /* [s * p + j] plan-year quotas per scenario */
    double *expected_payout;  /* [s * p + j] mean over replicates */
    double *pct;              /* [(s * SCENARIO_N_METRICS + m) * 3 + k]: P10, P50, P90 */
} scenario_mc;

/*
 * base: the settings of the outcome model (its forecast method and
 * training years); each scenario's own settings set its quotas.
 */
tqo_status scenario_mc_run(const tqo_instance *inst, const tqo_assignment *a, const scenario *sc, int n_scen,
                           const tqo_quota_settings *base, int replicates, uint64_t seed, int threads,
                           scenario_mc *out, tqo_diag *diag);
void scenario_mc_free(scenario_mc *m);

#endif
