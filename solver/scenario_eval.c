/* Judging a quota scenario (see scenario_eval.h). */
#include "scenario_eval.h"
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scenario_metric_names[SCENARIO_N_METRICS] = {
    "pct_at_quota", "pct_below_threshold", "attainment_median", "attainment_p10", "attainment_p90", "gini",
    "spearman",     "payout",              "cost_of_sales",     "company_attainment", "at_bound",   "mape"};

void scenario_metrics_to_array(const scenario_metrics *m, double *o)
{
    o[0] = m->pct_at_quota;
    o[1] = m->pct_below_threshold;
    o[2] = m->attainment_median;
    o[3] = m->attainment_p10;
    o[4] = m->attainment_p90;
    o[5] = m->gini;
    o[6] = m->spearman;
    o[7] = m->payout;
    o[8] = m->cost_of_sales;
    o[9] = m->company_attainment;
    o[10] = m->n_at_bound;
    o[11] = m->mape;
}

/* The first attainment at which the curve pays anything. */
static double first_paying(const payout_curve *c)
{
    for (int k = 0; k < c->n; k++)
        if (c->y[k] > 0)
            return k > 0 && c->y[k - 1] == 0 && c->x[k] > c->x[k - 1] ? c->x[k - 1] : c->x[k];
    return INFINITY;
}

void scenario_metrics_compute(const scenario *sc, int p, const double *quota, const double *outcome,
                              const double *potential, const char *bound, double *work, int *iwork,
                              scenario_metrics *m)
{
    double *att = work + 4 * p, *w = work + 5 * p;
    double threshold = first_paying(&sc->curve);
    int at = 0, below = 0, na = 0, nb = 0, nm = 0;
    double payout = 0, revenue = 0, qsum = 0, ape = 0;
    for (int j = 0; j < p; j++) {
        att[j] = quota[j] > 0 ? 100.0 * outcome[j] / quota[j] : NAN;
        revenue += outcome[j];
        qsum += quota[j];
        if (isfinite(att[j])) {
            na++;
            at += att[j] >= 100.0 - 1e-9;
            below += att[j] < threshold;
            payout += sc->target_incentive * payout_eval(&sc->curve, att[j]) / 100.0;
        }
        if (outcome[j] != 0) {
            ape += fabs(quota[j] - outcome[j]) / fabs(outcome[j]);
            nm++;
        }
        nb += bound && bound[j];
    }
    m->pct_at_quota = na ? 100.0 * at / na : NAN;
    m->pct_below_threshold = na ? 100.0 * below / na : NAN;
    m->attainment_median = metric_percentile(att, p, 0.5, w);
    m->attainment_p10 = metric_percentile(att, p, 0.1, w);
    m->attainment_p90 = metric_percentile(att, p, 0.9, w);
    m->gini = metric_gini(att, p, w);
    m->spearman = potential ? metric_spearman(att, potential, p, work, iwork) : NAN;
    m->payout = payout;
    m->cost_of_sales = revenue > 0 ? 100.0 * payout / revenue : NAN;
    m->company_attainment = qsum > 0 ? 100.0 * revenue / qsum : NAN;
    m->n_at_bound = nb;
    m->mape = nm ? 100.0 * ape / nm : NAN;
}

tqo_status scenario_backtest(const tqo_instance *inst, const tqo_assignment *a, const scenario *sc, int min_train,
                             int *n_years, int **years, scenario_metrics **per_year, scenario_metrics *mean,
                             tqo_diag *diag)
{
    *n_years = 0;
    *years = NULL;
    *per_year = NULL;
    int per = (int)inst->period_kind;
    if (per < 1) {
        tqo_diag_error(diag, "scenarios need history: the instance has no history.csv");
        return TQO_ERR_INPUT;
    }
    /* complete years of the whole history */
    int first = inst->period_first, last = first + inst->n_periods - 1;
    int y0 = (first + per - 1) / per, y1 = (last + 1) / per - 1; /* first and last complete years */
    int p = a->n_territories;
    int cap = y1 - y0 + 1 > 0 ? y1 - y0 + 1 : 1;
    *years = malloc((size_t)cap * sizeof(int));
    *per_year = malloc((size_t)cap * sizeof(scenario_metrics));
    double *work = malloc((size_t)(6 * p + 1) * sizeof(double));
    int *iwork = malloc((size_t)(p + 1) * sizeof(int));
    if (!*years || !*per_year || !work || !iwork) {
        free(work);
        free(iwork);
        free(*years);
        free(*per_year);
        *years = NULL;
        *per_year = NULL;
        return TQO_ERR_NOMEM;
    }
    tqo_status st = TQO_OK;
    for (int y = y0 + min_train; y <= y1; y++) {
        tqo_quota_settings qs = sc->quota;
        char until[16];
        tqo_period_format(inst->period_kind, y * per - 1, until, sizeof until);
        qs.history_until = until;
        qs.plan_year = y;
        qs.log = NULL;
        tqo_quota_result r;
        tqo_diag d;
        tqo_diag_init(&d);
        st = tqo_quota(inst, a, &qs, &r, &d);
        if (st != TQO_OK) {
            tqo_diag_error(diag, "scenario '%s', backtest year %d: %s", sc->name, y,
                           tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : tqo_status_string(st));
            tqo_diag_free(&d);
            break;
        }
        tqo_diag_free(&d);
        if (!r.has_actual) {
            tqo_quota_result_free(&r);
            continue;
        }
        scenario_metrics_compute(sc, p, r.quota, r.actual, r.potential, r.bound, work, iwork,
                                 &(*per_year)[*n_years]);
        (*years)[*n_years] = y;
        (*n_years)++;
        tqo_quota_result_free(&r);
    }
    /* the mean of each metric over the years (NAN ones left out) */
    double acc[SCENARIO_N_METRICS] = {0}, arr[SCENARIO_N_METRICS];
    int cnt[SCENARIO_N_METRICS] = {0};
    for (int k = 0; k < *n_years; k++) {
        scenario_metrics_to_array(&(*per_year)[k], arr);
        for (int q = 0; q < SCENARIO_N_METRICS; q++)
            if (isfinite(arr[q])) {
                acc[q] += arr[q];
                cnt[q]++;
            }
    }
    for (int q = 0; q < SCENARIO_N_METRICS; q++)
        arr[q] = cnt[q] ? acc[q] / cnt[q] : NAN;
    mean->pct_at_quota = arr[0];
    mean->pct_below_threshold = arr[1];
    mean->attainment_median = arr[2];
    mean->attainment_p10 = arr[3];
    mean->attainment_p90 = arr[4];
    mean->gini = arr[5];
    mean->spearman = arr[6];
    mean->payout = arr[7];
    mean->cost_of_sales = arr[8];
    mean->company_attainment = arr[9];
    mean->n_at_bound = arr[10];
    mean->mape = arr[11];
    free(work);
    free(iwork);
    return st;
}
