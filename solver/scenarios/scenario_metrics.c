/* Judging one year's quotas against outcomes (see scenario_metrics.h). */
#include "scenarios/scenario_metrics.h"
#include "quota/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[TQO_SCENARIO_N_METRICS] = {
    "pct_at_quota", "pct_below_threshold", "attainment_median", "attainment_p10",     "attainment_p90", "gini",
    "spearman",     "payout",              "cost_of_sales",     "company_attainment", "at_bound",       "mape"};

const char *tqo_scenario_metric_name(int m)
{
    return m >= 0 && m < TQO_SCENARIO_N_METRICS ? NAMES[m] : "?";
}

int tqoi_scenario_scratch_init(scenario_scratch *w, int p)
{
    w->key = malloc(((size_t)p + 1) * sizeof(double));
    w->ix = malloc(((size_t)p + 1) * sizeof(int));
    if (!w->key || !w->ix) {
        tqoi_scenario_scratch_free(w);
        return -1;
    }
    return 0;
}

void tqoi_scenario_scratch_free(scenario_scratch *w)
{
    free(w->key);
    free(w->ix);
    w->key = NULL;
    w->ix = NULL;
}

/* The first attainment at which the curve pays anything: a ramp from 0
   starts paying just above its first point, which is where people say
   the plan "starts". */
double tqoi_scenario_first_paying(const tqo_payout_curve *c)
{
    for (int k = 0; k < c->n; k++)
        if (c->y[k] > 0)
            return k > 0 && c->y[k - 1] == 0 && c->x[k] > c->x[k - 1] ? c->x[k - 1] : c->x[k];
    return INFINITY;
}

void tqoi_scenario_judge_free(scenario_judge *J)
{
    free(J->idx);
    free(J->rank_c);
    memset(J, 0, sizeof *J);
}

tqo_status tqoi_scenario_judge_init(scenario_judge *J, int p, const double *quota, const char *bound,
                               const double *potential, const tqo_scenario *sc)
{
    memset(J, 0, sizeof *J);
    J->p = p;
    J->quota = quota;
    J->curve = &sc->curve;
    J->incentive = sc->target_incentive;
    J->threshold = tqoi_scenario_first_paying(&sc->curve);
    J->idx = malloc(((size_t)p + 1) * sizeof(int));
    if (!J->idx)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++) {
        if (quota[j] > 0)
            J->idx[J->m++] = j;
        J->n_at_bound += bound && bound[j];
    }
    if (!potential || J->m < 2)
        return TQO_OK;
    /* Average ranks of the potential over the territories with a quota,
       centred: the Spearman numerator is then one dot product. */
    double *key = malloc((size_t)J->m * sizeof(double));
    int *ix = malloc((size_t)J->m * sizeof(int));
    J->rank_c = malloc((size_t)J->m * sizeof(double));
    if (!key || !ix || !J->rank_c) {
        free(key);
        free(ix);
        tqoi_scenario_judge_free(J);
        return TQO_ERR_NOMEM;
    }
    int m = J->m;
    for (int k = 0; k < m; k++)
        key[k] = isfinite(potential[J->idx[k]]) ? potential[J->idx[k]] : 0;
    tqoi_metric_ranks_inplace(key, m, J->rank_c, ix);
    double mean = (m + 1) / 2.0;
    for (int k = 0; k < m; k++) {
        J->rank_c[k] -= mean;
        J->syy += J->rank_c[k] * J->rank_c[k];
    }
    free(key);
    free(ix);
    if (!(J->syy > 0)) { /* equal potentials: no ranking to correlate with */
        free(J->rank_c);
        J->rank_c = NULL;
    }
    return TQO_OK;
}

void tqoi_scenario_judge_eval(const scenario_judge *J, const double *outcome, double *out, double *pay,
                         scenario_scratch *w)
{
    int p = J->p, m = J->m;
    const double *q = J->quota;
    double revenue = 0, qsum = 0, ape = 0, payout = 0;
    int nm = 0;
    for (int j = 0; j < p; j++) {
        revenue += outcome[j];
        qsum += q[j];
        if (outcome[j] != 0) {
            ape += fabs(q[j] - outcome[j]) / fabs(outcome[j]);
            nm++;
        }
    }
    int at = 0, below = 0;
    for (int k = 0; k < m; k++) {
        int j = J->idx[k];
        double a = 100.0 * outcome[j] / q[j];
        w->key[k] = a;
        w->ix[k] = k;
        at += a >= 100.0 - 1e-9; /* a quota met to rounding is met */
        below += a < J->threshold;
        double pj = J->incentive * tqo_payout_eval(J->curve, a) / 100.0;
        payout += pj;
        if (pay)
            pay[j] += pj;
    }
    tqoi_metric_sort_pairs(w->key, w->ix, m);
    double spearman = NAN;
    if (J->rank_c) {
        /* ranks of attainment (averaged over ties) against the centred
           potential ranks */
        double mean = (m + 1) / 2.0, sxy = 0, sxx = 0;
        for (int k = 0; k < m;) {
            int e = k;
            double sy = 0;
            while (e + 1 < m && w->key[e + 1] == w->key[k])
                e++;
            for (int t = k; t <= e; t++)
                sy += J->rank_c[w->ix[t]];
            double r = (k + e) / 2.0 + 1 - mean;
            sxy += r * sy;
            sxx += (e - k + 1) * r * r;
            k = e + 1;
        }
        if (sxx > 0)
            spearman = sxy / sqrt(sxx * J->syy);
    }
    out[TQO_M_PCT_AT_QUOTA] = m ? 100.0 * at / m : NAN;
    out[TQO_M_PCT_BELOW_THRESHOLD] = m ? 100.0 * below / m : NAN;
    out[TQO_M_ATTAINMENT_MEDIAN] = tqoi_metric_quantile_sorted(w->key, m, 0.5);
    out[TQO_M_ATTAINMENT_P10] = tqoi_metric_quantile_sorted(w->key, m, 0.1);
    out[TQO_M_ATTAINMENT_P90] = tqoi_metric_quantile_sorted(w->key, m, 0.9);
    out[TQO_M_GINI] = tqoi_metric_gini_sorted(w->key, m);
    out[TQO_M_SPEARMAN] = spearman;
    out[TQO_M_PAYOUT] = payout;
    out[TQO_M_COST_OF_SALES] = revenue > 0 ? 100.0 * payout / revenue : NAN;
    out[TQO_M_COMPANY_ATTAINMENT] = qsum > 0 ? 100.0 * revenue / qsum : NAN;
    out[TQO_M_AT_BOUND] = J->n_at_bound;
    out[TQO_M_MAPE] = nm ? 100.0 * ape / nm : NAN;
}

void tqoi_scenario_odds(const tqo_scenarios_result *r, const tqo_scenario *sc, int s, int j, double *p_quota,
                        double *p_paying)
{
    int p = r->n_territories;
    double q = r->quota[(size_t)s * p + j];
    *p_quota = *p_paying = NAN;
    if (!(q > 0) || !r->block_outcome || !r->block_replicates || r->replicates < 1)
        return;
    double threshold = tqoi_scenario_first_paying(&sc->curve);
    long at = 0, paying = 0;
    for (int k = 0; k < r->n_error_blocks; k++) {
        /* the same expression as tqoi_scenario_judge_eval, so the counts
           agree with pct_at_quota and pct_below_threshold exactly */
        double a = 100.0 * r->block_outcome[(size_t)k * p + j] / q;
        at += a >= 100.0 - 1e-9 ? r->block_replicates[k] : 0;
        paying += a < threshold ? 0 : r->block_replicates[k];
    }
    *p_quota = (double)at / r->replicates;
    *p_paying = (double)paying / r->replicates;
}
