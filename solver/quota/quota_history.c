/* Territory history, forecasts and the quota allocation (see quota_history.h). */
#include "quota/quota_history.h"
#include "quota/quota_hierarchy.h"
#include "quota/quota_lp.h"
#include "util/json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Territory history                                                   */
/* ------------------------------------------------------------------ */

void tqoi_quota_history_free(quota_history *h)
{
    if (!h)
        return;
    for (int j = 0; h->region && j < h->p; j++)
        free(h->region[j]);
    free(h->region);
    free(h->agg);
    free(h->potential);
    free(h->ramp);
    free(h->parent);
    memset(h, 0, sizeof *h);
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

tqo_status tqoi_quota_history_build(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                               quota_history *h, tqo_diag *diag)
{
    memset(h, 0, sizeof *h);
    int p = a->n_territories, n = inst->n_units, NP = inst->n_periods;
    if (a->n_units != n) {
        tqo_diag_error(diag, "the assignment has %d units, the instance %d", a->n_units, n);
        return TQO_ERR_ARG;
    }
    if (!NP) {
        tqo_diag_error(diag, "quotas need history: the instance has no history.csv");
        return TQO_ERR_INPUT;
    }
    const char *value = s->value ? s->value : "sales";
    int v = -1;
    for (int k = 0; k < inst->n_history_values; k++)
        if (strcasecmp(inst->history_value_name[k], value) == 0)
            v = k;
    if (v < 0) {
        tqo_diag_error(diag, "--value '%s': history.csv has no such column", value);
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
    int l = -1;
    if (s->region_col && (l = tqo_instance_label(inst, s->region_col)) < 0) {
        tqo_diag_error(diag, "--region-col '%s': units.csv has no such text column", s->region_col);
        return TQO_ERR_ARG;
    }
    h->p = p;
    h->n_periods = NP;
    h->per_year = (int)inst->period_kind;
    h->period_first = inst->period_first;
    h->has_potential = pm >= 0;
    h->agg = calloc((size_t)p * NP + 1, sizeof(double));
    h->potential = calloc((size_t)p + 1, sizeof(double));
    h->ramp = malloc(((size_t)p + 1) * sizeof(double));
    h->region = calloc((size_t)p + 1, sizeof(char *));
    if (!h->agg || !h->potential || !h->ramp || !h->region)
        goto nomem;
    for (int i = 0; i < n; i++) {
        const double *hv = inst->history[v] + (size_t)i * NP;
        for (int k = a->unit_start[i]; k < a->unit_start[i + 1]; k++) {
            int j = a->terr[k];
            double sh = a->share[k];
            for (int t = 0; t < NP; t++)
                h->agg[(size_t)j * NP + t] += sh * hv[t];
            if (pm >= 0)
                h->potential[j] += sh * inst->measures[pm].value[i];
        }
    }
    /* Ramps and regions: territories.csv, or the units label holding most
       of a territory's potential (else its history). */
    int *terr_label = NULL;
    if (l >= 0 && region_by_label(inst, a, l, pm, v, &terr_label) != TQO_OK)
        goto nomem;
    for (int j = 0; j < p; j++) {
        int t = tqo_instance_territory(inst, a->territory_id[j]);
        h->ramp[j] = t >= 0 && inst->ramp ? inst->ramp[t] : 1.0;
        const char *name = "";
        if (l >= 0) {
            if (terr_label[j] >= 0)
                name = inst->labels[l].value[terr_label[j]];
        } else if (t >= 0 && inst->region) {
            name = inst->region[t];
        }
        if (!(h->region[j] = strdup(name))) {
            free(terr_label);
            goto nomem;
        }
    }
    free(terr_label);
    /* The forecasts shrink toward the hierarchy's parent node when there
       is a hierarchy (the same tree the quotas are set over), else the region. */
    if (tqoi_qh_wanted(inst, s)) {
        quota_hier H;
        tqo_status st = tqoi_qh_build(inst, a, (const char *const *)h->region, s->hierarchy, &H, diag);
        if (st != TQO_OK) {
            tqoi_quota_history_free(h);
            return st;
        }
        h->parent = malloc(((size_t)p + 1) * sizeof(int));
        for (int j = 0; h->parent && j < p; j++)
            h->parent[j] = tqoi_qh_territory_parent(&H, j);
        tqoi_qh_free(&H);
        if (!h->parent)
            goto nomem;
    }
    return TQO_OK;
nomem:
    tqo_diag_error(diag, "out of memory in the quota step");
    tqoi_quota_history_free(h);
    return TQO_ERR_NOMEM;
}

tqo_status tqoi_quota_check_settings(const tqo_quota_settings *s, forecast_method *m, tqo_diag *diag)
{
    *m = FORECAST_AUTO;
    if (s->method && !tqoi_forecast_method_parse(s->method, m)) {
        tqo_diag_error(diag, "--forecast '%s': not one of last, trend, holt, damped, seasonal, shrink, auto",
                       s->method);
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
    return TQO_OK;
}

tqo_status tqoi_quota_cutoff(const tqo_instance *inst, const char *history_until, int *last, tqo_diag *diag)
{
    *last = inst->period_first + inst->n_periods - 1;
    if (history_until) {
        tqo_period_kind k;
        int o;
        if (!tqo_period_parse(history_until, &k, &o) || k != inst->period_kind) {
            tqo_diag_error(diag, "--history-until '%s': not a %s period like the history's", history_until,
                           tqo_period_kind_name(inst->period_kind));
            return TQO_ERR_ARG;
        }
        if (o < *last)
            *last = o;
    }
    return TQO_OK;
}

/* Index of the first period of calendar year y in the history. */
static int year_start(const quota_history *h, int y)
{
    return (h->per_year == 1 ? y : y * h->per_year) - h->period_first;
}

int tqoi_quota_history_year(const quota_history *h, int year, double *out)
{
    int p0 = year_start(h, year);
    if (p0 < 0 || p0 + h->per_year > h->n_periods)
        return 0;
    for (int j = 0; j < h->p; j++) {
        double s = 0;
        for (int k = 0; k < h->per_year; k++)
            s += h->agg[(size_t)j * h->n_periods + p0 + k];
        out[j] = s;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Forecasts                                                           */
/* ------------------------------------------------------------------ */

void tqoi_quota_forecast_free(quota_forecast *f)
{
    if (!f)
        return;
    free(f->totals);
    free(f->last_year);
    free(f->forecast);
    free(f->fold_train_years);
    memset(f, 0, sizeof *f);
}

int tqoi_quota_parent_groups(const quota_history *h, int *group)
{
    /* The hierarchy's parent nodes, else the regions. Numbered in order
       of first appearance: deterministic. */
    int n = 0;
    for (int j = 0; j < h->p; j++) {
        group[j] = -1;
        for (int i = 0; i < j && group[j] < 0; i++)
            if (h->parent ? h->parent[i] == h->parent[j] : strcmp(h->region[i], h->region[j]) == 0)
                group[j] = group[i];
        if (group[j] < 0)
            group[j] = n++;
    }
    return n;
}

void tqoi_quota_forecast_table(const quota_forecast *f, tqo_quota_result *r)
{
    snprintf(r->method, sizeof r->method, "%s", tqoi_forecast_method_name(f->method));
    r->n_pool_methods = 0;
    if (!f->has_pool || f->pool.n_folds == 0)
        return;
    r->n_pool_methods = FORECAST_POOL_N;
    for (int k = 0; k < FORECAST_POOL_N; k++) {
        snprintf(r->pool_method[k], sizeof r->pool_method[k], "%s", tqoi_forecast_pool_name(k));
        r->pool_mape[k] = f->pool.mape[k];
        r->pool_wape[k] = f->pool.wape[k];
        r->pool_bias[k] = f->pool.bias[k];
    }
    r->pool_chosen = f->pool.chosen;
    r->pool_terms = f->pool.n_terms;
}

void tqoi_quota_pool_json(jw *w, const tqo_quota_result *r)
{
    tqoi_jw_array(w, "pooled_backtest");
    for (int k = 0; k < r->n_pool_methods; k++) {
        tqoi_jw_object(w, NULL);
        tqoi_jw_string(w, "method", r->pool_method[k]);
        tqoi_jw_number(w, "mape_pct", r->pool_mape[k]);
        tqoi_jw_number(w, "wape_pct", r->pool_wape[k]);
        tqoi_jw_number(w, "bias_pct", r->pool_bias[k]);
        tqoi_jw_bool(w, "auto_choice", k == r->pool_chosen);
        tqoi_jw_object_end(w);
    }
    tqoi_jw_array_end(w);
    tqoi_jw_int(w, "pooled_backtest_terms", r->pool_terms);
    /* what shrink's growth leans on (the nodes' ids: quotas_rollup.csv's parent_id) */
    tqoi_jw_string(w, "shrink_toward", r->nodes ? "hierarchy parent" : "region");
}

/* The pooled backtest of every method, and the forecasts of the one used
   (auto: the backtest's choice) into f->forecast. */
static tqo_status forecast_pool_fit(const quota_history *h, quota_forecast *f, int p, forecast_method *method,
                                    int min_train)
{
    int *group = malloc(((size_t)p + 1) * sizeof(int));
    if (!group)
        return TQO_ERR_NOMEM;
    forecast_pool_data d = {.p = p,
                            .per_year = h->per_year,
                            .periods = h->agg + f->offset,
                            .stride = (size_t)h->n_periods,
                            .parent = group,
                            .n_parents = tqoi_quota_parent_groups(h, group)};
    tqo_status st = tqoi_forecast_pool_backtest(&d, f->n_years, min_train, &f->pool);
    f->has_pool = st == TQO_OK;
    if (st == TQO_OK && *method == FORECAST_AUTO)
        *method = tqoi_forecast_pool_methods[f->pool.chosen];
    if (st == TQO_OK)
        st = tqoi_forecast_pool_point(&d, f->n_years, f->horizon, *method, f->forecast, NULL);
    free(group);
    return st;
}

/* The method (by the pooled backtest when AUTO) and forecasts for
   f->totals; the MASE table of last, trend and holt as before. */
static tqo_status forecast_fit(const quota_history *h, quota_forecast *f, int p, forecast_method method,
                               int min_train)
{
    int Y = f->n_years;
    if (min_train <= 0)
        min_train = FORECAST_MIN_TRAIN_DEFAULT;
    for (int m = 0; m < FORECAST_N_METHODS; m++)
        f->mape[m] = f->mase[m] = NAN;
    forecast_backtest bt;
    tqo_status bst = tqoi_forecast_backtest_run(f->totals, p, Y, min_train, &bt);
    if (bst == TQO_ERR_NOMEM)
        return bst; /* not "no backtest": that would change the forecast */
    if (bst == TQO_OK) {
        for (int m = 0; m < FORECAST_N_METHODS; m++) {
            f->mape[m] = bt.mape[m];
            f->mase[m] = bt.mase[m];
        }
        f->n_folds = bt.n_folds;
        f->fold_train_years = malloc(((size_t)bt.n_folds + 1) * sizeof(int));
        if (f->fold_train_years && bt.n_folds > 0)
            memcpy(f->fold_train_years, bt.train_len, (size_t)bt.n_folds * sizeof(int));
        tqoi_forecast_backtest_free(&bt);
        if (!f->fold_train_years)
            return TQO_ERR_NOMEM;
    }
    tqo_status st = forecast_pool_fit(h, f, p, &method, min_train);
    if (st == TQO_ERR_NOMEM)
        return st;
    if (st != TQO_OK) { /* bad data: the last year, as before */
        method = FORECAST_LAST;
        for (int j = 0; j < p; j++)
            f->forecast[j] = f->last_year[j] > 0 ? f->last_year[j] : 0;
    }
    f->method = method;
    return TQO_OK;
}

static tqo_status forecast_alloc(quota_forecast *f, int p, int Y)
{
    f->n_years = Y;
    f->totals = malloc(((size_t)p * Y + 1) * sizeof(double));
    f->last_year = malloc(((size_t)p + 1) * sizeof(double));
    f->forecast = malloc(((size_t)p + 1) * sizeof(double));
    if (!f->totals || !f->last_year || !f->forecast) {
        tqoi_quota_forecast_free(f);
        return TQO_ERR_NOMEM;
    }
    return TQO_OK;
}

tqo_status tqoi_quota_forecast_build(const quota_history *h, int last, int plan_year, forecast_method method,
                                int min_train, quota_forecast *f, tqo_diag *diag)
{
    memset(f, 0, sizeof *f);
    int p = h->p, NP = h->n_periods;
    if (last > h->period_first + NP - 1)
        last = h->period_first + NP - 1;
    f->last_period = last;
    int used = last - h->period_first + 1;
    int Y = used > 0 ? tqoi_forecast_complete_years(h->per_year, h->period_first, used, &f->offset, &f->first_year) : 0;
    if (Y < 1) {
        char buf[16];
        tqo_period_format((tqo_period_kind)h->per_year, last, buf, sizeof buf);
        tqo_diag_error(diag, "no complete year of history up to %s", buf);
        return TQO_ERR_INPUT;
    }
    f->plan_year = plan_year > 0 ? plan_year : f->first_year + Y;
    f->horizon = f->plan_year - (f->first_year + Y - 1);
    if (f->horizon < 1) {
        tqo_diag_error(diag, "--plan-period %d is not after the last complete year used (%d)", f->plan_year,
                       f->first_year + Y - 1);
        return TQO_ERR_ARG;
    }
    if (forecast_alloc(f, p, Y) != TQO_OK)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++) {
        tqoi_forecast_yearly_totals(h->agg + (size_t)j * NP + f->offset, Y, h->per_year, f->totals + (size_t)j * Y);
        f->last_year[j] = f->totals[(size_t)j * Y + Y - 1];
    }
    tqo_status st = forecast_fit(h, f, p, method, min_train);
    if (st != TQO_OK)
        tqoi_quota_forecast_free(f);
    return st;
}

tqo_status tqoi_quota_forecast_window(const quota_history *h, int start, forecast_method method, int min_train,
                                 quota_forecast *f)
{
    memset(f, 0, sizeof *f);
    int p = h->p, NP = h->n_periods, per = h->per_year;
    int Y = start / per;
    if (start > NP || Y < 1)
        return TQO_ERR_ARG;
    if (forecast_alloc(f, p, Y) != TQO_OK)
        return TQO_ERR_NOMEM;
    f->offset = start - Y * per;
    f->last_period = h->period_first + start - 1;
    f->horizon = 1;
    for (int j = 0; j < p; j++) {
        tqoi_forecast_yearly_totals(h->agg + (size_t)j * NP + f->offset, Y, per, f->totals + (size_t)j * Y);
        f->last_year[j] = f->totals[(size_t)j * Y + Y - 1];
    }
    tqo_status st = forecast_fit(h, f, p, method, min_train);
    if (st != TQO_OK)
        tqoi_quota_forecast_free(f);
    return st;
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

void tqoi_quota_alloc_free(quota_alloc *q)
{
    if (!q)
        return;
    free(q->quota);
    free(q->fair_share);
    free(q->bound);
    memset(q, 0, sizeof *q);
}

/*
 * A ramp below 1 scales a territory's fair share down; what it frees goes
 * to the territories at full ramp in proportion to their fair shares, so
 * that the fair shares still add up to the total and no single territory
 * takes the shortfall (the quota LP would otherwise pile the whole gap on
 * the one with the largest share, the cheapest per unit of relative
 * deviation). When every territory ramps, they all scale up alike.
 */
static void spread_ramps(double *fair, const double *ramp, int p)
{
    double freed = 0, full = 0, all = 0;
    for (int j = 0; j < p; j++) {
        double r = ramp[j];
        if (r < 1) {
            freed += fair[j] * (1 - r);
            fair[j] *= r;
        } else {
            full += fair[j];
        }
        all += fair[j];
    }
    if (!(freed > 0))
        return;
    double base = full > 0 ? full : all;
    if (!(base > 0))
        return; /* nothing to spread it by: the LP places the gap */
    for (int j = 0; j < p; j++)
        if (full <= 0 || ramp[j] >= 1)
            fair[j] += freed * fair[j] / base;
}

tqo_status tqoi_quota_allocate(const quota_history *h, const quota_forecast *f, const tqo_quota_settings *s,
                          const char *const *territory_id, quota_alloc *q, tqo_diag *diag)
{
    memset(q, 0, sizeof *q);
    int p = h->p;
    q->quota = calloc((size_t)p + 1, sizeof(double));
    q->fair_share = calloc((size_t)p + 1, sizeof(double));
    q->bound = calloc((size_t)p + 1, 1);
    double *lb = malloc(((size_t)p + 1) * sizeof(double)), *ub = malloc(((size_t)p + 1) * sizeof(double));
    int *region = malloc(((size_t)p + 1) * sizeof(int));
    tqo_status st = TQO_OK;
    if (!q->quota || !q->fair_share || !q->bound || !lb || !ub || !region) {
        tqo_diag_error(diag, "out of memory in the quota step");
        st = TQO_ERR_NOMEM;
        goto done;
    }
    double fsum = 0, psum = 0, lsum = 0;
    for (int j = 0; j < p; j++) {
        fsum += f->forecast[j];
        psum += h->potential[j];
        lsum += f->last_year[j];
    }
    q->target = s->target > 0 ? s->target : lsum * (1 + s->growth_pct / 100.0);
    q->total = q->target * (1 + s->over_assign_pct / 100.0);
    /* Fair shares: the blend of forecast and potential shares, scaled by
       a territory's ramp (new or vacant territories), the ramp's shortfall
       spread by fair share (see spread_ramps). */
    double aw = h->has_potential ? s->history_weight : 1.0;
    for (int j = 0; j < p; j++) {
        double fs = fsum > 0 ? f->forecast[j] / fsum : 1.0 / p;
        double ps = psum > 0 ? h->potential[j] / psum : 1.0 / p;
        q->fair_share[j] = q->total * (aw * fs + (1 - aw) * ps);
    }
    spread_ramps(q->fair_share, h->ramp, p);
    for (int j = 0; j < p; j++) {
        lb[j] = ub[j] = NAN;
        if (f->last_year[j] > 0) {
            if (!isnan(s->min_growth_pct))
                lb[j] = f->last_year[j] * (1 + s->min_growth_pct / 100.0);
            if (!isnan(s->max_growth_pct))
                ub[j] = f->last_year[j] * (1 + s->max_growth_pct / 100.0);
        } else {
            q->n_no_history++;
        }
        region[j] = -1;
        for (int r = 0; r < s->n_region_targets; r++)
            if (strcmp(s->region_names[r], h->region[j]) == 0)
                region[j] = r;
    }
    quota_lp_in in = {.p = p,
                      .fair = q->fair_share,
                      .lb = lb,
                      .ub = ub,
                      .name = territory_id,
                      .total = q->total,
                      .region = s->n_region_targets ? region : NULL,
                      .n_regions = s->n_region_targets,
                      .region_target = s->region_targets,
                      .region_name = s->region_names,
                      .minimax = s->minimax};
    quota_lp_out out;
    st = tqoi_quota_lp_solve(&in, &out, diag);
    if (st != TQO_OK)
        goto done;
    snprintf(q->lp_status, sizeof q->lp_status, "%s", out.status);
    q->objective = out.objective;
    memcpy(q->quota, out.q, (size_t)p * sizeof(double));
    memcpy(q->bound, out.bound, (size_t)p);
    tqoi_quota_lp_out_free(&out);
    /* Cents that add up to the total exactly and keep every bound. */
    int broken = tqoi_quota_round_cents_bounded(q->quota, p, q->total, lb, ub);
    if (broken < 0)
        st = TQO_ERR_NOMEM;
    else if (broken)
        tqo_diag_warning(diag, "the growth bounds leave no whole cents that add up to the target: %d quota%s "
                         "a fraction of a cent outside %s bound", broken, broken == 1 ? " is" : "s are",
                         broken == 1 ? "its" : "their");
done:
    free(lb);
    free(ub);
    free(region);
    if (st != TQO_OK)
        tqoi_quota_alloc_free(q);
    return st;
}
