/*
 * Judging one year's quotas against outcomes (internal): the metrics of
 * tqo_scenario_metric for a scenario's quotas, prepared once per set of
 * quotas so that each replicate costs one sort of its attainments.
 */
#ifndef TQO_SCENARIO_METRICS_H
#define TQO_SCENARIO_METRICS_H

#include "tqo.h"

typedef struct scenario_judge {
    int p;
    const double *quota;            /* p quotas (borrowed) */
    const tqo_payout_curve *curve;
    double incentive;
    double threshold;               /* first paying attainment, % */
    int m;                          /* territories with a quota > 0 */
    int *idx;                       /* those territories */
    double *rank_c;                 /* their centred potential ranks; NULL: no Spearman */
    double syy;                     /* sum of rank_c^2 */
    int n_at_bound;
} scenario_judge;

/* Scratch for tqoi_scenario_judge_eval: one per thread. */
typedef struct scenario_scratch {
    double *key;
    int *ix;
} scenario_scratch;

int tqoi_scenario_scratch_init(scenario_scratch *w, int p);
void tqoi_scenario_scratch_free(scenario_scratch *w);

/* potential: NULL or p values (no Spearman when NULL or all equal);
   bound: NULL or p flags. Returns TQO_ERR_NOMEM or TQO_OK. */
tqo_status tqoi_scenario_judge_init(scenario_judge *J, int p, const double *quota, const char *bound,
                               const double *potential, const tqo_scenario *sc);
void tqoi_scenario_judge_free(scenario_judge *J);

/* The metrics for outcomes[p] into m[TQO_SCENARIO_N_METRICS]; when pay is
   not NULL, each territory's payout is added to pay[j]. */
void tqoi_scenario_judge_eval(const scenario_judge *J, const double *outcome, double *m, double *pay,
                         scenario_scratch *w);

/* The first attainment (%) at which curve c pays anything (INFINITY: never). */
double tqoi_scenario_first_paying(const tqo_payout_curve *c);

/*
 * A rep's odds under scenario s: over r's replicates, the share whose
 * outcome for territory j reaches its quota (attainment >= 100% to
 * rounding, as pct_at_quota counts) and the share that reaches the first
 * paying point of sc's curve. Counts over r->block_outcome and
 * r->block_replicates, which hold every replicate's outcome, so these are
 * the Monte Carlo's own frequencies. NAN without a quota (q <= 0 or none).
 */
void tqoi_scenario_odds(const tqo_scenarios_result *r, const tqo_scenario *sc, int s, int j, double *p_quota,
                        double *p_paying);

#endif
