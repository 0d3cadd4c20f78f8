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
#include "forecast.h"
#include "metrics.h"
#include "quota_lp.h"
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
    memset(r, 0, sizeof *r);
}



typedef struct lw {
    int terr, unit; /* unit: a representative unit holding the label */
    const char *label;
    double w;
} lw;

static int lw_cmp(const void *x, const void *y)
{
    const lw *a = x, *b = y;
    if (a->terr != b->terr)
        return a->terr - b->terr;
    int c = strcmp(a->label, b->label);
    return c ? c : a->unit - b->unit;
}

/*
 * For each territory, the value of units label l that holds most of its
 * potential (or, without potential, of its history): *out[j] is a unit
 * carrying that value, -1 for an empty territory. Ties go to the value
 * first in byte order, so the result does not depend on unit order.
 */
static tqo_status region_by_label(const tqo_instance *inst, const tqo_assignment *a, int l, int pm, int v,
                                  int **out)
{
    int n = inst->n_units, p = a->n_territories, NP = inst->n_periods;
    int m = a->unit_start[n];
    lw *e = malloc(((size_t)m + 1) * sizeof *e);
    int *best = malloc(((size_t)p + 1) * sizeof *best);
    double *bw = malloc(((size_t)p + 1) * sizeof *bw);
    if (!e || !best || !bw) {
        free(e);
        free(best);
        free(bw);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0, k0 = 0; i < n; i++)
        for (int k = a->unit_start[i]; k < a->unit_start[i + 1]; k++, k0++) {
            double w = 0;
            if (pm >= 0)
                w = inst->measures[pm].value[i];
            else
                for (int t = 0; t < NP; t++)
                    w += inst->history[v][(size_t)i * NP + t];
            e[k0].terr = a->terr[k];
            e[k0].unit = i;
            e[k0].label = inst->labels[l].value[i];
            e[k0].w = a->share[k] * w;
        }
    qsort(e, (size_t)m, sizeof *e, lw_cmp);
    for (int j = 0; j < p; j++) {
        best[j] = -1;
        bw[j] = -1;
    }
    for (int k = 0; k < m;) {
        int q = k;
        double w = 0;
        while (q < m && e[q].terr == e[k].terr && strcmp(e[q].label, e[k].label) == 0)
            w += e[q++].w;
        if (w > bw[e[k].terr]) {
            bw[e[k].terr] = w;
            best[e[k].terr] = e[k].unit;
        }
        k = q;
    }
    free(e);
    free(bw);
    *out = best;
    return TQO_OK;
}

tqo_status tqo_quota(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                     tqo_quota_result *r, tqo_diag *diag)
{
    memset(r, 0, sizeof *r);
    int p = a->n_territories, n = inst->n_units;
    if (a->n_units != n) {
        tqo_diag_error(diag, "the assignment has %d units, the instance %d", a->n_units, n);
        return TQO_ERR_ARG;
    }
    if (!inst->n_periods) {
        tqo_diag_error(diag, "quotas need history: the instance has no history.csv");
        return TQO_ERR_INPUT;
    }
    int v = -1;
    for (int k = 0; k < inst->n_history_values; k++)
        if (strcasecmp(inst->history_value_name[k], s->value ? s->value : "sales") == 0)
            v = k;
    if (v < 0) {
        tqo_diag_error(diag, "--value '%s': history.csv has no such column", s->value ? s->value : "sales");
        return TQO_ERR_ARG;
    }
    int pm = -1;
    if (s->potential) {
        pm = tqo_instance_measure(inst, s->potential);
        if (pm < 0) {
            tqo_diag_error(diag, "--potential '%s': units.csv has no such measure", s->potential);
            return TQO_ERR_ARG;
        }
    }
    forecast_method method = FORECAST_AUTO;
    if (s->method && !forecast_method_parse(s->method, &method)) {
        tqo_diag_error(diag, "--forecast '%s': not one of last, trend, holt, auto", s->method);
        return TQO_ERR_ARG;
    }
    if (!(s->history_weight >= 0 && s->history_weight <= 1)) {
        tqo_diag_error(diag, "--history-weight %g: must be in [0, 1]", s->history_weight);
        return TQO_ERR_ARG;
    }
    if (!(s->target > 0) && isnan(s->growth_pct)) {
        tqo_diag_error(diag, "give the company target: --target AMOUNT or --growth PCT");
        return TQO_ERR_ARG;
    }
    int per_year = (int)inst->period_kind;
    int last = inst->period_first + inst->n_periods - 1;
    if (s->history_until) {
        tqo_period_kind k;
        int o;
        if (!tqo_period_parse(s->history_until, &k, &o) || k != inst->period_kind) {
            tqo_diag_error(diag, "--history-until '%s': not a %s period like the history's", s->history_until,
                           tqo_period_kind_name(inst->period_kind));
            return TQO_ERR_ARG;
        }
        if (o < last)
            last = o;
    }
    int used = last - inst->period_first + 1;
    int offset = 0, first_year = 0;
    int Y = used > 0 ? forecast_complete_years(per_year, inst->period_first, used, &offset, &first_year) : 0;
    if (Y < 1) {
        tqo_diag_error(diag, "no complete year of history up to %s", s->history_until ? s->history_until : "the end");
        return TQO_ERR_INPUT;
    }
    int plan_year = s->plan_year > 0 ? s->plan_year : first_year + Y;
    int h = plan_year - (first_year + Y - 1);
    if (h < 1) {
        tqo_diag_error(diag, "--plan-period %d is not after the last complete year used (%d)", plan_year,
                       first_year + Y - 1);
        return TQO_ERR_ARG;
    }
    /* Territory x period values, share-weighted. Periods run over the
       whole history so that the plan year's actuals can be replayed. */
    int NP = inst->n_periods;
    double *agg = calloc((size_t)p * NP, sizeof(double));
    double *tot = malloc((size_t)p * Y * sizeof(double));
    double *pot = calloc((size_t)p, sizeof(double));
    tqo_status st = TQO_OK;
    r->n_territories = p;
    r->territory_id = calloc((size_t)p, sizeof(char *));
    r->region = calloc((size_t)p, sizeof(char *));
    r->quota = calloc((size_t)p, sizeof(double));
    r->last_year = calloc((size_t)p, sizeof(double));
    r->forecast = calloc((size_t)p, sizeof(double));
    r->potential = calloc((size_t)p, sizeof(double));
    r->fair_share = calloc((size_t)p, sizeof(double));
    r->growth_pct = calloc((size_t)p, sizeof(double));
    r->bound = calloc((size_t)p, 1);
    r->period_quota = calloc((size_t)p * per_year, sizeof(double));
    double *lb = malloc((size_t)p * sizeof(double)), *ub = malloc((size_t)p * sizeof(double));
    int *region = malloc((size_t)p * sizeof(int));
    if (!agg || !tot || !pot || !r->territory_id || !r->region || !r->quota || !r->last_year || !r->forecast ||
        !r->potential || !r->fair_share || !r->growth_pct || !r->bound || !r->period_quota || !lb || !ub || !region)
        goto nomem;
    for (int i = 0; i < n; i++) {
        const double *hv = inst->history[v] + (size_t)i * NP;
        for (int k = a->unit_start[i]; k < a->unit_start[i + 1]; k++) {
            int j = a->terr[k];
            double sh = a->share[k];
            for (int t = 0; t < NP; t++)
                agg[(size_t)j * NP + t] += sh * hv[t];
            if (pm >= 0)
                pot[j] += sh * inst->measures[pm].value[i];
        }
    }
    for (int j = 0; j < p; j++) {
        if (!(r->territory_id[j] = strdup(a->territory_id[j])))
            goto nomem;
        forecast_yearly_totals(agg + (size_t)j * NP + offset, Y, per_year, tot + (size_t)j * Y);
        r->last_year[j] = tot[(size_t)j * Y + Y - 1];
        r->potential[j] = pot[j];
    }
    /* Forecasts: one method for all territories, by backtest when auto. */
    forecast_backtest bt;
    if (forecast_backtest_run(tot, p, Y, s->min_train_years > 0 ? s->min_train_years : 2, &bt) == TQO_OK) {
        for (int m = 0; m < 3; m++) {
            r->mape[m] = bt.mape[m];
            r->mase[m] = bt.mase[m];
        }
        r->n_folds = bt.n_folds;
        r->fold_train_years = malloc(((size_t)bt.n_folds + 1) * sizeof(int));
        if (r->fold_train_years && bt.n_folds > 0)
            memcpy(r->fold_train_years, bt.train_len, (size_t)bt.n_folds * sizeof(int));
        if (method == FORECAST_AUTO)
            method = bt.best;
        forecast_backtest_free(&bt);
    } else if (method == FORECAST_AUTO) {
        method = FORECAST_LAST;
    }
    snprintf(r->method, sizeof r->method, "%s", forecast_method_name(method));
    double fsum = 0, psum = 0, lsum = 0;
    for (int j = 0; j < p; j++) {
        forecast_result fr;
        if (forecast_point(method, tot + (size_t)j * Y, Y, h, &fr) != TQO_OK)
            fr.value = r->last_year[j];
        r->forecast[j] = fr.value > 0 ? fr.value : 0; /* a falling trend cannot sell less than nothing */
        fsum += r->forecast[j];
        psum += r->potential[j];
        lsum += r->last_year[j];
    }
    r->target = s->target > 0 ? s->target : lsum * (1 + s->growth_pct / 100.0);
    r->total = r->target * (1 + s->over_assign_pct / 100.0);
    /* Fair shares: the blend of forecast and potential shares, scaled by
       a territory's ramp (new or vacant territories). */
    double aw = pm >= 0 ? s->history_weight : 1.0;
    for (int j = 0; j < p; j++) {
        double fs = fsum > 0 ? r->forecast[j] / fsum : 1.0 / p;
        double ps = psum > 0 ? r->potential[j] / psum : 1.0 / p;
        double ramp = 1.0;
        int t = tqo_instance_territory(inst, a->territory_id[j]);
        if (t >= 0 && inst->ramp)
            ramp = inst->ramp[t];
        r->fair_share[j] = r->total * (aw * fs + (1 - aw) * ps) * ramp;
        lb[j] = ub[j] = NAN;
        if (r->last_year[j] > 0) {
            if (!isnan(s->min_growth_pct))
                lb[j] = r->last_year[j] * (1 + s->min_growth_pct / 100.0);
            if (!isnan(s->max_growth_pct))
                ub[j] = r->last_year[j] * (1 + s->max_growth_pct / 100.0);
        } else {
            r->n_no_history++;
        }
    }
    /* Regions: the units label holding most of a territory's potential
       (else its history), or territories.csv. */
    int n_reg = s->n_region_targets;
    int *terr_label = NULL;
    if (s->region_col) {
        int l = tqo_instance_label(inst, s->region_col);
        if (l < 0) {
            tqo_diag_error(diag, "--region-col '%s': units.csv has no such text column", s->region_col);
            st = TQO_ERR_ARG;
            goto done;
        }
        st = region_by_label(inst, a, l, pm, v, &terr_label);
        if (st != TQO_OK)
            goto done;
    }
    for (int j = 0; j < p; j++) {
        const char *name = "";
        if (terr_label) {
            if (terr_label[j] >= 0)
                name = inst->labels[tqo_instance_label(inst, s->region_col)].value[terr_label[j]];
        } else {
            int t = tqo_instance_territory(inst, a->territory_id[j]);
            if (t >= 0 && inst->region)
                name = inst->region[t];
        }
        if (!(r->region[j] = strdup(name))) {
            free(terr_label);
            goto nomem;
        }
        region[j] = -1;
        for (int q = 0; q < n_reg; q++)
            if (strcmp(s->region_names[q], name) == 0)
                region[j] = q;
    }
    free(terr_label);
    quota_lp_in in = {.p = p,
                      .fair = r->fair_share,
                      .lb = lb,
                      .ub = ub,
                      .name = (const char *const *)r->territory_id,
                      .total = r->total,
                      .region = n_reg ? region : NULL,
                      .n_regions = n_reg,
                      .region_target = s->region_targets,
                      .region_name = s->region_names,
                      .minimax = s->minimax};
    quota_lp_out out;
    st = quota_lp_solve(&in, &out, diag);
    if (st != TQO_OK)
        goto done;
    snprintf(r->lp_status, sizeof r->lp_status, "%s", out.status);
    r->objective = out.objective;
    memcpy(r->quota, out.q, (size_t)p * sizeof(double));
    memcpy(r->bound, out.bound, (size_t)p);
    quota_lp_out_free(&out);
    /* Cents that add up to the total exactly. */
    quota_round_cents(r->quota, p, r->total);
    for (int j = 0; j < p; j++)
        r->growth_pct[j] = r->last_year[j] > 0 ? 100.0 * (r->quota[j] / r->last_year[j] - 1) : NAN;
    /* Period quotas by each territory's seasonal indices. */
    r->kind = inst->period_kind;
    r->per_year = per_year;
    r->plan_year = plan_year;
    r->first_year = first_year;
    r->n_years = Y;
    for (int j = 0; j < p; j++) {
        double idx[12];
        int used_years;
        if (forecast_seasonal_indices(agg + (size_t)j * NP + offset, Y, per_year, idx, &used_years) != TQO_OK)
            for (int k = 0; k < per_year; k++)
                idx[k] = 1.0 / per_year;
        int64_t cents[12];
        if (forecast_split_cents(r->quota[j], idx, per_year, cents, r->period_quota + (size_t)j * per_year) !=
            TQO_OK) {
            st = TQO_ERR_ARG;
            goto done;
        }
    }
    /* Replay: the plan year's actuals, when the history holds all of it. */
    int p0 = plan_year * per_year - inst->period_first; /* index of its first period */
    if (per_year == 1)
        p0 = plan_year - inst->period_first;
    if (p0 >= 0 && p0 + per_year <= NP && p0 > last - inst->period_first) {
        r->has_actual = 1;
        r->actual = calloc((size_t)p, sizeof(double));
        r->attainment_pct = calloc((size_t)p, sizeof(double));
        double *att = malloc((size_t)2 * p * sizeof(double));
        if (!r->actual || !r->attainment_pct || !att) {
            free(att);
            goto nomem;
        }
        int na = 0, at_quota = 0, nm = 0, nn = 0;
        double mq = 0, mn = 0;
        double growth = r->target / (lsum > 0 ? lsum : 1); /* naive: last year x company growth */
        for (int j = 0; j < p; j++) {
            for (int k = 0; k < per_year; k++)
                r->actual[j] += agg[(size_t)j * NP + p0 + k];
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
        r->attainment_median = metric_percentile(att, na, 0.5, w);
        r->attainment_p10 = metric_percentile(att, na, 0.1, w);
        r->attainment_p90 = metric_percentile(att, na, 0.9, w);
        r->mape_quota = nm ? 100.0 * mq / nm : NAN;
        r->mape_naive = nn ? 100.0 * mn / nn : NAN;
        free(att);
    }
    goto done;
nomem:
    tqo_diag_error(diag, "out of memory in the quota step");
    st = TQO_ERR_NOMEM;
done:
    free(agg);
    free(tot);
    free(pot);
    free(lb);
    free(ub);
    free(region);
    if (st != TQO_OK)
        tqo_quota_result_free(r);
    return st;
}
