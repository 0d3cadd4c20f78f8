/*
 * tqo_quota: territory quotas from history and potential.
 *
 *   history (units x periods) --assignment--> territories x periods
 *   -> complete years -> forecast per territory (method chosen by a
 *   rolling-origin backtest, or given) -> fair shares blending forecast
 *   and potential -> the quota LP (target, growth bounds, regions)
 *   -> cents that add up -> period quotas by seasonal indices
 *   -> replay against the plan year when its actuals are known.
 */
#include "quota/forecast.h"
#include "quota/metrics.h"
#include "quota/quota_hierarchy.h"
#include "quota/quota_history.h"
#include "tqo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tqo_quota_settings_default(tqo_quota_settings *s)
{
    memset(s, 0, sizeof *s);
    s->value = "sales";
    s->method = "auto";
    s->growth_pct = NAN;
    s->history_weight = 0.7;
    s->min_growth_pct = NAN;
    s->max_growth_pct = NAN;
    s->min_train_years = FORECAST_MIN_TRAIN_DEFAULT;
}

void tqo_quota_result_free(tqo_quota_result *r)
{
    if (!r)
        return;
    for (int j = 0; j < r->n_territories; j++) {
        free(r->territory_id ? r->territory_id[j] : NULL);
        free(r->region ? r->region[j] : NULL);
    }
    free(r->territory_id);
    free(r->region);
    free(r->quota);
    free(r->last_year);
    free(r->forecast);
    free(r->potential);
    free(r->fair_share);
    free(r->growth_pct);
    free(r->bound);
    free(r->period_quota);
    free(r->fold_train_years);
    free(r->actual);
    free(r->attainment_pct);
    for (int v = 0; r->nodes && v < r->n_nodes; v++) {
        free(r->nodes[v].id);
        free(r->nodes[v].level);
    }
    free(r->nodes);
    memset(r, 0, sizeof *r);
}



/* Each territory's quota split into the plan year's periods by its
   seasonal indices (even when it has none), in whole cents. */
static tqo_status period_quotas(const quota_history *h, const quota_forecast *f, tqo_quota_result *r,
                                tqo_diag *diag)
{
    int NP = h->n_periods, per_year = h->per_year, Y = f->n_years;
    for (int j = 0; j < h->p; j++) {
        double idx[12];
        int used_years;
        if (tqoi_forecast_seasonal_indices(h->agg + (size_t)j * NP + f->offset, Y, per_year, idx, &used_years) !=
            TQO_OK)
            for (int k = 0; k < per_year; k++)
                idx[k] = 1.0 / per_year;
        int64_t cents[12];
        tqo_status st =
            tqoi_forecast_split_cents(r->quota[j], idx, per_year, cents, r->period_quota + (size_t)j * per_year);
        if (st == TQO_ERR_ARG) /* the indices are valid weights: the amount is what fails */
            tqo_diag_error(diag,
                           "territory '%s': its quota %.6g is too large to split into periods in whole cents "
                           "(at most 9e13; check the target, growth and over-assignment)",
                           r->territory_id[j], r->quota[j]);
        if (st != TQO_OK)
            return st; /* too large, or out of memory */
    }
    return TQO_OK;
}

tqo_status tqo_quota(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                     tqo_quota_result *r, tqo_diag *diag)
{
    memset(r, 0, sizeof *r);
    forecast_method method;
    if (tqoi_quota_check_settings(s, &method, diag) != TQO_OK)
        return TQO_ERR_ARG;
    int last;
    tqo_status st = tqoi_quota_cutoff(inst, s->history_until, &last, diag);
    if (st != TQO_OK)
        return st;
    quota_history h;
    st = tqoi_quota_history_build(inst, a, s, &h, diag);
    if (st != TQO_OK)
        return st;
    quota_forecast f;
    quota_alloc q;
    memset(&q, 0, sizeof q);
    st = tqoi_quota_forecast_build(&h, last, s->plan_year, method, s->min_train_years, &f, diag);
    if (st != TQO_OK) {
        tqoi_quota_history_free(&h);
        return st;
    }
    st = tqoi_quota_allocate(&h, &f, s, (const char *const *)a->territory_id, &q, diag);
    if (st != TQO_OK)
        goto done;
    int p = h.p, per_year = h.per_year, Y = f.n_years;
    r->n_territories = p;
    r->territory_id = calloc((size_t)p + 1, sizeof(char *));
    r->region = calloc((size_t)p + 1, sizeof(char *));
    r->last_year = malloc(((size_t)p + 1) * sizeof(double));
    r->forecast = malloc(((size_t)p + 1) * sizeof(double));
    r->potential = malloc(((size_t)p + 1) * sizeof(double));
    r->growth_pct = malloc(((size_t)p + 1) * sizeof(double));
    r->period_quota = calloc((size_t)p * per_year + 1, sizeof(double));
    r->fold_train_years = malloc(((size_t)f.n_folds + 1) * sizeof(int));
    if (!r->territory_id || !r->region || !r->last_year || !r->forecast || !r->potential || !r->growth_pct ||
        !r->period_quota || !r->fold_train_years)
        goto nomem;
    for (int j = 0; j < p; j++)
        if (!(r->territory_id[j] = strdup(a->territory_id[j])) || !(r->region[j] = strdup(h.region[j])))
            goto nomem;
    memcpy(r->last_year, f.last_year, (size_t)p * sizeof(double));
    memcpy(r->forecast, f.forecast, (size_t)p * sizeof(double));
    memcpy(r->potential, h.potential, (size_t)p * sizeof(double));
    if (f.n_folds)
        memcpy(r->fold_train_years, f.fold_train_years, (size_t)f.n_folds * sizeof(int));
    r->n_folds = f.n_folds;
    for (int m = 0; m < 3; m++) {
        r->mape[m] = f.mape[m];
        r->mase[m] = f.mase[m];
    }
    tqoi_quota_forecast_table(&f, r); /* r->method and the pooled backtest */
    /* the allocation's arrays move into the result */
    r->quota = q.quota;
    r->fair_share = q.fair_share;
    r->bound = q.bound;
    q.quota = q.fair_share = NULL;
    q.bound = NULL;
    r->n_no_history = q.n_no_history;
    r->target = q.target;
    r->total = q.total;
    r->objective = q.objective;
    snprintf(r->lp_status, sizeof r->lp_status, "%s", q.lp_status);
    /* the hierarchy's one LP over every node replaces the territories' quotas */
    if (tqoi_qh_wanted(inst, s) && (st = tqoi_qh_plan(inst, a, s, r, diag)) != TQO_OK)
        goto done;
    double lsum = 0;
    for (int j = 0; j < p; j++) {
        r->growth_pct[j] = r->last_year[j] > 0 ? 100.0 * (r->quota[j] / r->last_year[j] - 1) : NAN;
        lsum += r->last_year[j];
    }
    /* Period quotas by each territory's seasonal indices. */
    r->kind = inst->period_kind;
    r->per_year = per_year;
    r->plan_year = f.plan_year;
    r->first_year = f.first_year;
    r->n_years = Y;
    st = period_quotas(&h, &f, r, diag);
    if (st != TQO_OK)
        goto done;
    /* Replay: the plan year's actuals, when the history holds all of it
       and none of it was used. */
    int p0 = (per_year == 1 ? f.plan_year : f.plan_year * per_year) - inst->period_first;
    if (p0 > last - inst->period_first) {
        r->actual = calloc((size_t)p + 1, sizeof(double));
        if (!r->actual)
            goto nomem;
        r->has_actual = tqoi_quota_history_year(&h, f.plan_year, r->actual);
        if (!r->has_actual) {
            free(r->actual);
            r->actual = NULL;
        }
    }
    if (r->has_actual) {
        r->attainment_pct = calloc((size_t)p + 1, sizeof(double));
        double *att = malloc(((size_t)2 * p + 1) * sizeof(double));
        if (!r->attainment_pct || !att) {
            free(att);
            goto nomem;
        }
        int na = 0, at_quota = 0, nm = 0, nn = 0;
        double mq = 0, mn = 0;
        double growth = r->target / (lsum > 0 ? lsum : 1); /* naive: last year x company growth */
        for (int j = 0; j < p; j++) {
            r->attainment_pct[j] = r->quota[j] > 0 ? 100.0 * r->actual[j] / r->quota[j] : NAN;
            if (!isnan(r->attainment_pct[j])) {
                att[na++] = r->attainment_pct[j];
                at_quota += r->attainment_pct[j] >= 100.0;
            }
            if (r->actual[j] != 0) {
                mq += fabs(r->quota[j] - r->actual[j]) / fabs(r->actual[j]);
                nm++;
                mn += fabs(r->last_year[j] * growth - r->actual[j]) / fabs(r->actual[j]);
                nn++;
            }
        }
        r->share_at_quota = na ? (double)at_quota / na : NAN;
        double *w = att + p; /* scratch for the percentiles */
        r->attainment_median = tqoi_metric_percentile(att, na, 0.5, w);
        r->attainment_p10 = tqoi_metric_percentile(att, na, 0.1, w);
        r->attainment_p90 = tqoi_metric_percentile(att, na, 0.9, w);
        r->mape_quota = nm ? 100.0 * mq / nm : NAN;
        r->mape_naive = nn ? 100.0 * mn / nn : NAN;
        free(att);
    }
    goto done;
nomem:
    tqo_diag_error(diag, "out of memory in the quota step");
    st = TQO_ERR_NOMEM;
done:
    tqoi_quota_alloc_free(&q);
    tqoi_quota_forecast_free(&f);
    tqoi_quota_history_free(&h);
    if (st != TQO_OK)
        tqo_quota_result_free(r);
    return st;
}
