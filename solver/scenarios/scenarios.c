/*
 * tqo_scenarios: every quota scenario judged against history and against
 * the plan year's Monte Carlo.
 *
 *   territory history (once) -> forecasts per cut-off year and method
 *   (once each) -> per scenario and year: the quota LP -> the backtest
 *   against each past year's actuals, and R replicates of the plan year
 *   -> P10/P50/P90 of every metric, expected payout per territory.
 *
 * Scenarios run in waves of a few per thread. Within a wave the LPs, the
 * replicate blocks and the reductions are each one parallel loop, so a
 * single scenario with many replicates uses every core as well as many
 * scenarios do. Every floating-point sum runs in a fixed order (replicates
 * in fixed blocks, blocks in order), so the result is the same bit for bit
 * for any number of threads.
 */
#include "quota/metrics.h"
#include "quota/quota_history.h"
#include "scenarios/scenario_mc.h"
#include "scenarios/scenario_svg.h"
#include "tqo.h"

#include <glpk.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 64                 /* replicates per work item and per partial payout sum */
#define M TQO_SCENARIO_N_METRICS

void tqo_scenario_settings_default(tqo_scenario_settings *s)
{
    memset(s, 0, sizeof *s);
    tqo_quota_settings_default(&s->base);
    s->replicates = 1000;
    s->seed = 1;
}

void tqo_scenarios_result_free(tqo_scenarios_result *r)
{
    if (!r)
        return;
    for (int j = 0; r->territory_id && j < r->n_territories; j++)
        free(r->territory_id[j]);
    for (int s = 0; r->error && s < r->n_scenarios; s++)
        free(r->error[s]);
    free(r->territory_id);
    free(r->error);
    free(r->potential);
    free(r->forecast);
    free(r->error_block);
    free(r->block_outcome);
    free(r->block_replicates);
    free(r->backtest_year);
    free(r->quota);
    free(r->bound);
    free(r->expected_payout);
    free(r->backtest_attainment);
    free(r->mc);
    free(r->backtest);
    free(r->backtest_mean);
    free(r->efficient);
    memset(r, 0, sizeof *r);
}

/* Checks one scenario's settings as tqo quota does, naming the scenario. */
static tqo_status check_scenario(const tqo_scenario *sc, forecast_method *m, tqo_diag *diag)
{
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqoi_quota_check_settings(&sc->quota, m, &d);
    if (st != TQO_OK)
        tqo_diag_error(diag, "scenario '%s': %s", sc->name, tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    if (st == TQO_OK && (sc->curve.n < 1 || !(sc->target_incentive >= 0))) {
        tqo_diag_error(diag, "scenario '%s': no pay plan (payout curve and target incentive)", sc->name);
        st = TQO_ERR_ARG;
    }
    return st;
}

static char *message(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* Everything the waves share, read-only once built. */
typedef struct run {
    const tqo_scenario *sc;
    int n, p, nb, R, nblocks;
    const quota_history *h;
    quota_forecast *fc;          /* [c * FORECAST_N_SLOTS + method], c = 0..nb (nb: the plan year) */
    const forecast_method *method;
    double **actual;             /* [c] for c < nb */
    double last_sum;             /* last complete year before the plan year, all territories */
    const char *const *ids;
    const scenario_outcomes *out;
    tqo_scenarios_result *r;
    double *bt_quota;            /* [(s * nb + c) * p + j] */
    char *bt_bound;
    char **bt_error;             /* [s * (nb + 1) + c]: why an LP failed */
    int lp_nomem;                /* an LP ran out of memory: the run fails, not the scenario */
} run;

/* Quotas of scenario s for cut-off c (c == nb: the plan year). */
static void solve_lp(const run *U, int s, int c)
{
    const tqo_scenario *sc = &U->sc[s];
    tqo_quota_settings qs = sc->quota;
    qs.log = NULL;
    if (c < U->nb && qs.target > 0) {
        /* A company target is a plan-year amount: past years get the same
           growth over their own last year instead. */
        qs.growth_pct = U->last_sum > 0 ? 100.0 * (qs.target / U->last_sum - 1) : 0;
        qs.target = 0;
    }
    quota_alloc qa;
    tqo_diag d;
    tqo_diag_init(&d);
    const quota_forecast *f = &U->fc[c * FORECAST_N_SLOTS + U->method[s]];
    tqo_status st = tqoi_quota_allocate(U->h, f, &qs, U->ids, &qa, &d);
    int p = U->p;
    double *qdst = c == U->nb ? U->r->quota + (size_t)s * p : U->bt_quota + ((size_t)s * U->nb + c) * p;
    char *bdst = c == U->nb ? U->r->bound + (size_t)s * p : U->bt_bound + ((size_t)s * U->nb + c) * p;
    if (st == TQO_OK) {
        memcpy(qdst, qa.quota, (size_t)p * sizeof(double));
        memcpy(bdst, qa.bound, (size_t)p);
        tqoi_quota_alloc_free(&qa);
    } else {
        if (st == TQO_ERR_NOMEM) {
            int *flag = (int *)&U->lp_nomem; /* U is const to the workers but for this flag */
#pragma omp atomic write
            *flag = 1;
        }
        for (int j = 0; j < p; j++)
            qdst[j] = NAN;
        const char *why = tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : tqo_status_string(st);
        if (c == U->nb)
            U->bt_error[(size_t)s * (U->nb + 1) + c] = message("plan year %d: %s", f->plan_year, why);
        else
            U->bt_error[(size_t)s * (U->nb + 1) + c] = message("backtest year %d: %s", f->plan_year, why);
    }
    tqo_diag_free(&d);
}

/* Replicate block b of a scenario into the wave's buffers; J NULL: the
   scenario has no quotas (it failed). */
static void mc_block(const run *U, const scenario_judge *J, int b, double *vals, double *pay, double *outcome,
                     scenario_scratch *w)
{
    int p = U->p, r0 = b * BLOCK, r1 = r0 + BLOCK < U->R ? r0 + BLOCK : U->R;
    for (int j = 0; j < p; j++)
        pay[j] = 0;
    if (!J) {
        for (int k = 0; k < (r1 - r0) * M; k++)
            vals[k] = NAN;
        return;
    }
    tqoi_scenario_mc_block(J, U->out, r0, r1, vals, pay, outcome, w);
}

/* A replicate's metrics and payouts depend only on the past year it
   resamples, of which there are nw, usually far fewer than replicates:
   judged once per year into mv[nw * M] and mp[nw * p] (memo_fill), a
   block copies them and adds the payouts in replicate order, the same
   values in the same order as judging every replicate, so the same bits. */
static void memo_fill(const run *U, const scenario_judge *J, double *mv, double *mp, double *outcome,
                      scenario_scratch *w)
{
    const scenario_outcomes *o = U->out;
    int p = U->p;
    for (int k = 0; k < o->n_years; k++) {
        double *pk = mp + (size_t)k * p;
        for (int j = 0; j < p; j++) {
            outcome[j] = o->forecast[j] * o->ratio[(size_t)k * p + j]; /* as tqoi_scenario_outcomes_draw */
            pk[j] = 0;
        }
        tqoi_scenario_judge_eval(J, outcome, mv + (size_t)k * M, pk, w);
    }
}

static void memo_block(const run *U, int b, const double *mv, const double *mp, double *vals, double *pay)
{
    int p = U->p, r0 = b * BLOCK, r1 = r0 + BLOCK < U->R ? r0 + BLOCK : U->R;
    for (int j = 0; j < p; j++)
        pay[j] = 0;
    for (int r = r0; r < r1; r++) {
        int k = U->out->draw[r];
        memcpy(vals + (size_t)(r - r0) * M, mv + (size_t)k * M, M * sizeof(double));
        const double *pk = mp + (size_t)k * p;
        for (int j = 0; j < p; j++)
            pay[j] += pk[j];
    }
}

/* Scenario s's judge of its plan-year quotas, once for all its blocks;
   0 when it has none. */
static int judge_init(const run *U, int s, scenario_judge *J)
{
    int p = U->p;
    const double *q = U->r->quota + (size_t)s * p;
    if (!isfinite(q[0]))
        return 0;
    tqo_status st = tqoi_scenario_judge_init(J, p, q, U->r->bound + (size_t)s * p,
                                             U->h->has_potential ? U->h->potential : NULL, &U->sc[s]);
    if (st == TQO_ERR_NOMEM) { /* the run fails, not the scenario (as in solve_lp) */
        int *flag = (int *)&U->lp_nomem;
#pragma omp atomic write
        *flag = 1;
    }
    return st == TQO_OK;
}

/* P10, P50 and P90 of metric m of scenario s over its replicates. A work
   item of its own (not one per scenario) so that the threads meet at the
   end of a wave with little left to wait for. col, cix: R doubles and
   ints of scratch. */
static void reduce_metric(const run *U, int s, int m, const double *vals, double *col, int *cix)
{
    static const double Q[3] = {0.1, 0.5, 0.9};
    int k = 0;
    for (int i = 0; i < U->R; i++)
        if (isfinite(vals[(size_t)i * M + m])) {
            col[k] = vals[(size_t)i * M + m];
            cix[k] = k;
            k++;
        }
    tqoi_metric_sort_pairs(col, cix, k);
    for (int t = 0; t < 3; t++)
        U->r->mc[((size_t)s * M + m) * 3 + t] = tqoi_metric_quantile_sorted(col, k, Q[t]);
}

/* Expected payouts of scenario s from its blocks; the backtest.
   outcome: p doubles of scratch. */
static void reduce_rest(const run *U, int s, const double *pay, double *outcome, scenario_scratch *w)
{
    tqo_scenarios_result *r = U->r;
    int p = U->p, R = U->R, nb = U->nb;
    double *ep = r->expected_payout + (size_t)s * p;
    for (int j = 0; j < p; j++)
        ep[j] = 0;
    for (int b = 0; b < U->nblocks; b++)
        for (int j = 0; j < p; j++)
            ep[j] += pay[(size_t)b * p + j];
    for (int j = 0; j < p; j++)
        ep[j] = isfinite(r->quota[(size_t)s * p]) ? ep[j] / R : NAN;
    /* Backtest: each past year's quotas against its actuals. */
    double acc[M] = {0};
    int cnt[M] = {0};
    for (int c = 0; c < nb; c++) {
        double *bm = r->backtest + ((size_t)s * nb + c) * M;
        double *att = r->backtest_attainment + ((size_t)s * nb + c) * p;
        const double *q = U->bt_quota + ((size_t)s * nb + c) * p;
        scenario_judge J;
        tqo_status jst = !isfinite(q[0]) ? TQO_ERR_ARG
                                         : tqoi_scenario_judge_init(&J, p, q, U->bt_bound + ((size_t)s * nb + c) * p,
                                                                    U->h->has_potential ? U->h->potential : NULL,
                                                                    &U->sc[s]);
        if (jst == TQO_ERR_NOMEM) { /* the run fails (as in solve_lp) */
            int *flag = (int *)&U->lp_nomem;
#pragma omp atomic write
            *flag = 1;
        }
        if (jst != TQO_OK) {
            for (int m = 0; m < M; m++)
                bm[m] = NAN;
            for (int j = 0; j < p; j++)
                att[j] = NAN;
            continue;
        }
        memcpy(outcome, U->actual[c], (size_t)p * sizeof(double));
        tqoi_scenario_judge_eval(&J, outcome, bm, NULL, w);
        tqoi_scenario_judge_free(&J);
        for (int j = 0; j < p; j++)
            att[j] = q[j] > 0 ? 100.0 * U->actual[c][j] / q[j] : NAN;
        for (int m = 0; m < M; m++)
            if (isfinite(bm[m])) {
                acc[m] += bm[m];
                cnt[m]++;
            }
    }
    for (int m = 0; m < M; m++)
        r->backtest_mean[(size_t)s * M + m] = cnt[m] ? acc[m] / cnt[m] : NAN;
}

/* What tqo_scenarios prepares before the waves: the checked methods, the
   territory history, the backtest cut-offs with their forecasts and
   actuals, and the Monte Carlo's error blocks. */
typedef struct prep {
    forecast_method base_method;
    forecast_method *method;     /* per scenario */
    quota_history h;
    int last, nth, per, min_train, first_year, Y, nb;
    int *cut;                    /* nb + 1 cut-offs */
    char *need;                  /* [c * FORECAST_N_SLOTS + method]: forecasts to build */
    quota_forecast *fc;          /* [c * FORECAST_N_SLOTS + method] */
    double **actual;             /* [c], c < nb */
    int nw, w_first;             /* error blocks: 12-month windows */
    quota_forecast *blocks;
    double **block_actual;
    scenario_outcomes out;
} prep;

/* The settings and every scenario, checked; the methods parsed. */
static tqo_status check_inputs(const tqo_scenario *sc, int n, const tqo_scenario_settings *s, prep *P,
                               tqo_diag *diag)
{
    if (n < 1) {
        tqo_diag_error(diag, "no scenarios to evaluate");
        return TQO_ERR_ARG;
    }
    if (s->replicates < 1 || s->replicates > 10000000) {
        tqo_diag_error(diag, "--replicates %d: must be between 1 and 10000000", s->replicates);
        return TQO_ERR_ARG;
    }
    P->base_method = FORECAST_AUTO;
    if (s->base.method && !tqoi_forecast_method_parse(s->base.method, &P->base_method)) {
        tqo_diag_error(diag, "--forecast '%s': not one of last, trend, holt, damped, seasonal, shrink, auto",
                       s->base.method);
        return TQO_ERR_ARG;
    }
    P->method = malloc((size_t)n * sizeof *P->method);
    if (!P->method)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    for (int k = 0; k < n && st == TQO_OK; k++) {
        st = check_scenario(&sc[k], &P->method[k], diag);
        for (int q = 0; q < k && st == TQO_OK; q++)
            if (strcmp(sc[q].name, sc[k].name) == 0) {
                tqo_diag_error(diag, "scenario '%s' appears twice", sc[k].name);
                st = TQO_ERR_ARG;
            }
    }
    return st;
}

/* The backtest years (those with min_train complete years before them)
   and their actuals; which forecasts the scenarios need per cut-off. */
static tqo_status prepare_backtest(prep *P, int n, tqo_diag *diag)
{
    quota_history *h = &P->h;
    int p = h->p, per = h->per_year;
    int offset = 0, used = P->last - h->period_first + 1;
    P->Y = used > 0 ? tqoi_forecast_complete_years(per, h->period_first, used, &offset, &P->first_year) : 0;
    int nb = P->nb = P->Y - P->min_train > 0 ? P->Y - P->min_train : 0;
    P->cut = malloc(((size_t)nb + 1) * sizeof(int));
    P->need = calloc(((size_t)nb + 1) * FORECAST_N_SLOTS, 1);
    P->fc = calloc(((size_t)nb + 1) * FORECAST_N_SLOTS, sizeof *P->fc);
    P->actual = calloc((size_t)nb + 1, sizeof(double *));
    if (!P->cut || !P->need || !P->fc || !P->actual)
        return TQO_ERR_NOMEM;
    if (nb == 0) {
        tqo_diag_error(diag,
                       "scenarios need a past year with %d complete years before it to backtest and to draw "
                       "forecast errors from; the history has %d complete year%s (try --min-train-years 1)",
                       P->min_train, P->Y, P->Y == 1 ? "" : "s");
        return TQO_ERR_INPUT;
    }
    for (int c = 0; c <= nb; c++) {
        P->need[c * FORECAST_N_SLOTS + P->base_method] = 1;
        for (int k = 0; k < n; k++)
            P->need[c * FORECAST_N_SLOTS + P->method[k]] = 1;
        if (c == nb)
            break;
        int y = P->first_year + P->min_train + c;
        /* the last period of year y - 1 */
        P->cut[c] = (per == 1 ? y : y * per) - 1;
        if (!(P->actual[c] = malloc(((size_t)p + 1) * sizeof(double))))
            return TQO_ERR_NOMEM;
        tqoi_quota_history_year(h, y, P->actual[c]);
    }
    P->cut[nb] = P->last;
    return TQO_OK;
}

/* The error blocks of the outcome model: every past 12-month window (a
   moving-block bootstrap with blocks of one year: many more blocks than
   calendar years). Sizes them; build_all fills them. */
static tqo_status prepare_windows(prep *P)
{
    const quota_history *h = &P->h;
    int per = h->per_year;
    P->w_first = P->min_train * per;
    int w_last = P->last - h->period_first - per + 1;
    int nw = P->nw = w_last >= P->w_first ? w_last - P->w_first + 1 : 0;
    P->blocks = calloc((size_t)nw + 1, sizeof *P->blocks);
    P->block_actual = calloc((size_t)nw + 1, sizeof *P->block_actual);
    return P->blocks && P->block_actual ? TQO_OK : TQO_ERR_NOMEM;
}

/* Error block k: the base method's forecast of window k and its actuals. */
static tqo_status build_window(prep *P, int k)
{
    const quota_history *h = &P->h;
    int p = h->p, per = h->per_year, q = P->w_first + k;
    double *act = malloc(((size_t)p + 1) * sizeof(double));
    if (!act || tqoi_quota_forecast_window(h, q, P->base_method, P->min_train, &P->blocks[k]) != TQO_OK) {
        free(act);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++) {
        double v = 0;
        for (int t = 0; t < per; t++)
            v += h->agg[(size_t)j * h->n_periods + q + t];
        act[j] = v;
    }
    P->block_actual[k] = act;
    return TQO_OK;
}

/* A forecast item of build_all: its index and the periods of history it
   fits (its cost grows with them). */
typedef struct build_item {
    int i, periods;
} build_item;

static int by_periods(const void *a, const void *b)
{
    const build_item *x = a, *y = b;
    if (x->periods != y->periods)
        return x->periods > y->periods ? -1 : 1;
    return x->i - y->i;
}

/* The items of build_all, longest history first (i < nk: forecast slot i,
   else error block i - nk); n_out: how many. */
static build_item *build_order(const prep *P, int nk, int *n_out)
{
    build_item *it = malloc(((size_t)nk + P->nw + 1) * sizeof *it);
    if (!it)
        return NULL;
    int n = 0;
    for (int k = 0; k < nk; k++)
        if (P->need[k])
            it[n++] = (build_item){k, P->cut[k / FORECAST_N_SLOTS] - P->h.period_first + 1};
    for (int k = 0; k < P->nw; k++)
        it[n++] = (build_item){nk + k, P->w_first + k};
    qsort(it, (size_t)n, sizeof *it, by_periods);
    *n_out = n;
    return it;
}

/* Every forecast the scenarios need (per cut-off and method) and every
   error block, in one loop over the threads. An item's cost grows with the
   history it fits (the plan year's forecast and the last error blocks are
   the largest, 100 times the first blocks): taken longest first, the
   threads end together (the blocks last, smallest last, left one thread
   waiting ~35 ms for the largest block). Each item writes only its own
   slot, so nothing depends on the threads. Then the outcome model. */
static tqo_status build_all(prep *P, const tqo_scenario_settings *s, tqo_diag *diag)
{
    const quota_history *h = &P->h;
    int nb = P->nb, nk = (nb + 1) * FORECAST_N_SLOTS, nw = P->nw, n_items = 0;
    tqo_status *st = calloc((size_t)nk + nw + 1, sizeof *st);
    tqo_diag *d = calloc((size_t)nk + 1, sizeof *d);
    build_item *order = build_order(P, nk, &n_items);
    if (!st || !d || !order) {
        free(st);
        free(d);
        free(order);
        return TQO_ERR_NOMEM;
    }
    for (int k = 0; k < nk; k++)
        tqo_diag_init(&d[k]);
#pragma omp parallel for schedule(dynamic, 1) num_threads(P->nth)
    for (int t = 0; t < n_items; t++) {
        int i = order[t].i;
        if (i >= nk) {
            st[i] = build_window(P, i - nk);
            continue;
        }
        int c = i / FORECAST_N_SLOTS;
        st[i] = tqoi_quota_forecast_build(h, P->cut[c], c == nb ? s->base.plan_year : 0,
                                          (forecast_method)(i % FORECAST_N_SLOTS), P->min_train, &P->fc[i], &d[i]);
    }
    free(order);
    tqo_status res = TQO_OK;
    for (int k = 0; k < nk; k++) {
        if (res == TQO_OK && st[k] != TQO_OK) {
            res = st[k];
            tqo_diag_error(diag, "%s", tqo_diag_first_error(&d[k]) ? tqo_diag_first_error(&d[k])
                                                                     : tqo_status_string(st[k]));
        }
        tqo_diag_free(&d[k]);
    }
    for (int k = nk; k < nk + nw && res == TQO_OK; k++)
        res = st[k];
    free(st);
    free(d);
    if (res != TQO_OK)
        return res;
    const double **f = malloc(((size_t)nw + 1) * sizeof *f);
    if (!f)
        return TQO_ERR_NOMEM;
    for (int k = 0; k < nw; k++)
        f[k] = P->blocks[k].forecast;
    res = tqoi_scenario_outcomes_init(&P->out, h->p, P->fc[nb * FORECAST_N_SLOTS + P->base_method].forecast, nw,
                                      (const double *const *)P->block_actual, f, s->replicates, s->seed);
    free(f);
    return res;
}

/* Every block's outcomes (as tqoi_scenario_outcomes_draw makes them) and
   how many replicates draw it: all the replicates in p x blocks numbers,
   from which each rep's odds are counted (tqoi_scenario_odds). */
static tqo_status block_outcomes(const scenario_outcomes *o, tqo_scenarios_result *r)
{
    int p = o->p, nw = o->n_years;
    r->block_outcome = malloc(((size_t)nw * p + 1) * sizeof(double));
    r->block_replicates = calloc((size_t)nw + 1, sizeof(int));
    if (!r->block_outcome || !r->block_replicates)
        return TQO_ERR_NOMEM;
    for (int k = 0; k < nw; k++)
        for (int j = 0; j < p; j++)
            r->block_outcome[(size_t)k * p + j] = o->forecast[j] * o->ratio[(size_t)k * p + j];
    for (int i = 0; i < o->replicates; i++)
        if (o->draw[i] >= 0 && o->draw[i] < nw)
            r->block_replicates[o->draw[i]]++;
    return TQO_OK;
}

/* The result's arrays and the run's working arrays, the fixed figures
   filled in. */
static tqo_status prepare_result(const prep *P, const tqo_instance *inst, const tqo_assignment *a, int n,
                                 int R, tqo_scenarios_result *r, run *U)
{
    int p = P->h.p, nb = P->nb, nw = P->nw;
    const quota_forecast *pf = &P->fc[nb * FORECAST_N_SLOTS + P->base_method];
    r->n_scenarios = n;
    r->n_territories = p;
    r->replicates = R;
    r->plan_year = pf->plan_year;
    snprintf(r->method, sizeof r->method, "%s", tqoi_forecast_method_name(pf->method));
    r->n_backtest_years = nb;
    r->n_error_blocks = nw;
    r->period_kind = inst->period_kind;
    r->territory_id = calloc((size_t)p + 1, sizeof(char *));
    r->potential = malloc(((size_t)p + 1) * sizeof(double));
    r->forecast = malloc(((size_t)p + 1) * sizeof(double));
    r->error_block = malloc(((size_t)nw + 1) * sizeof(int));
    r->backtest_year = malloc(((size_t)nb + 1) * sizeof(int));
    r->quota = malloc(((size_t)n * p + 1) * sizeof(double));
    r->bound = calloc((size_t)n * p + 1, 1);
    r->expected_payout = malloc(((size_t)n * p + 1) * sizeof(double));
    r->backtest_attainment = malloc(((size_t)n * nb * p + 1) * sizeof(double));
    r->mc = malloc(((size_t)n * M * 3 + 1) * sizeof(double));
    r->backtest = malloc(((size_t)n * nb * M + 1) * sizeof(double));
    r->backtest_mean = malloc(((size_t)n * M + 1) * sizeof(double));
    r->efficient = calloc((size_t)n + 1, 1);
    r->error = calloc((size_t)n + 1, sizeof(char *));
    U->bt_quota = malloc(((size_t)n * nb * p + 1) * sizeof(double));
    U->bt_bound = calloc((size_t)n * nb * p + 1, 1);
    U->bt_error = calloc((size_t)n * (nb + 1) + 1, sizeof(char *));
    if (!r->territory_id || !r->potential || !r->forecast || !r->error_block || !r->backtest_year || !r->quota ||
        !r->bound || !r->expected_payout || !r->backtest_attainment || !r->mc || !r->backtest ||
        !r->backtest_mean || !r->efficient || !r->error || !U->bt_quota || !U->bt_bound || !U->bt_error)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++)
        if (!(r->territory_id[j] = strdup(a->territory_id[j])))
            return TQO_ERR_NOMEM;
    memcpy(r->potential, P->h.potential, (size_t)p * sizeof(double));
    memcpy(r->forecast, pf->forecast, (size_t)p * sizeof(double));
    for (int c = 0; c < nb; c++)
        r->backtest_year[c] = P->first_year + P->min_train + c;
    for (int k = 0; k < nw; k++)
        r->error_block[k] = P->h.period_first + P->w_first + k;
    return block_outcomes(&P->out, r);
}

/* A wave's buffers: per-replicate metrics and per-block payouts, the
   judges, and the per-year memo (mv, mp: NULL when not worth it). */
typedef struct wave_buf {
    double *vals, *pay, *mv, *mp;
    scenario_judge *judge;
    char *judged;
} wave_buf;

/* One wave of wn scenarios ix[0..wn), in three loops over the threads:
   the LPs (a scenario's Monte Carlo judge made with its plan-year LP),
   the Monte Carlo blocks, and the reductions, one item per scenario and
   metric. Each loop ends at a barrier, so its items are small and the
   largest go first: what one thread still has to do when the other is
   done is idle time. */
static int run_wave(const run *U, int nth, const int *ix, int wn, const wave_buf *B)
{
    int p = U->p, R = U->R, nb = U->nb, nw = U->out->n_years;
    double *vals = B->vals, *pay = B->pay;
    scenario_judge *judge = B->judge;
    char *judged = B->judged;
    int nlp = wn * (nb + 1), nmc = wn * U->nblocks, nred = wn * (M + 1);
    int nomem = 0;
#pragma omp parallel num_threads(nth)
    {
        scenario_scratch ws;
        double *outcome = malloc(((size_t)p + 1) * sizeof(double));
        double *col = malloc(((size_t)R + 1) * sizeof(double));
        int *cix = malloc(((size_t)R + 1) * sizeof(int));
        int ok = tqoi_scenario_scratch_init(&ws, p) == 0 && outcome && col && cix;
        if (!ok) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < nlp; k++) {
            /* the plan years first: with their judge and memo they are
               8 times a backtest LP */
            int sw = k < wn ? k : (k - wn) / nb, c = k < wn ? nb : (k - wn) % nb;
            solve_lp(U, ix[sw], c);
            if (c == nb)
                judged[sw] = (char)judge_init(U, ix[sw], &judge[sw]);
            if (c == nb && judged[sw] && B->mv && ok) {
                /* the memo's blocks right after it, on the thread whose
                   cache holds it (read from the other core they cost the
                   2-thread run a tenth of its evaluation) */
                double *mv = B->mv + (size_t)sw * nw * M, *mp = B->mp + (size_t)sw * nw * p;
                double *v = vals + (size_t)sw * R * M;
                memo_fill(U, &judge[sw], mv, mp, outcome, &ws);
                for (int b = 0; b < U->nblocks; b++)
                    memo_block(U, b, mv, mp, v + (size_t)b * BLOCK * M, pay + ((size_t)sw * U->nblocks + b) * p);
                for (int m = 0; m < M; m++)
                    reduce_metric(U, ix[sw], m, v, col, cix);
            }
        }
        glp_free_env(); /* this thread's GLPK environment */
        if (!nomem) { /* read after the LP loop's barrier */
#pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < nmc; k++) {
                int sw = k / U->nblocks, b = k % U->nblocks;
                if (judged[sw] && B->mv)
                    continue; /* done with its memo */
                mc_block(U, judged[sw] ? &judge[sw] : NULL, b, vals + ((size_t)sw * R + (size_t)b * BLOCK) * M,
                         pay + ((size_t)sw * U->nblocks + b) * p, outcome, &ws);
            }
#pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < nred; k++) {
                /* the backtests (m == M, 6 times a metric's sort) first */
                int sw = k < wn ? k : (k - wn) / M, m = k < wn ? M : (k - wn) % M;
                if (m < M) {
                    if (!(judged[sw] && B->mv)) /* else done with its memo */
                        reduce_metric(U, ix[sw], m, vals + (size_t)sw * R * M, col, cix);
                    continue;
                }
                reduce_rest(U, ix[sw], pay + (size_t)sw * U->nblocks * p, outcome, &ws);
            }
        }
        tqoi_scenario_scratch_free(&ws);
        free(outcome);
        free(col);
        free(cix);
    }
    for (int sw = 0; sw < wn; sw++) {
        if (judged[sw])
            tqoi_scenario_judge_free(&judge[sw]);
        judged[sw] = 0;
    }
    return nomem || U->lp_nomem ? -1 : 0;
}

/* Waves of W of the scenarios ix[0..n): the per-replicate metrics of a
   wave are held until its percentiles are taken. */
static tqo_status run_waves(const run *U, int nth, const tqo_scenario_settings *s, const int *ix, int n)
{
    /* Waves of 8 scenarios per thread (each wave's three barriers cost
       the threads a wait: fewer waves, fewer waits) while a wave's
       per-replicate metrics fit in 16 MB; else 4 per thread, the size
       tqoi_mem_scenarios_bytes plans with. */
    int W = 8 * nth, nw = U->out->n_years, p = U->p;
    if ((double)W * U->R * M * sizeof(double) > 16e6)
        W = 4 * nth;
    if (W > n)
        W = n;
    wave_buf B = {0};
    B.vals = malloc(((size_t)W * U->R * M + 1) * sizeof(double));
    B.pay = malloc(((size_t)W * U->nblocks * p + 1) * sizeof(double));
    B.judge = calloc((size_t)W, sizeof *B.judge);
    B.judged = calloc((size_t)W, 1);
    int nomem = !B.vals || !B.pay || !B.judge || !B.judged;
    if (2 * nw <= U->R) { /* the memo pays when years repeat; without memory, judge every replicate */
        B.mv = malloc(((size_t)W * nw * M + 1) * sizeof(double));
        B.mp = malloc(((size_t)W * nw * p + 1) * sizeof(double));
        if (!B.mv || !B.mp) {
            free(B.mv);
            free(B.mp);
            B.mv = B.mp = NULL;
        }
    }
    for (int w0 = 0; w0 < n && !nomem; w0 += W) {
        int wn = n - w0 < W ? n - w0 : W;
        nomem = run_wave(U, nth, ix + w0, wn, &B) != 0;
        if (s->progress)
            s->progress(s->progress_ctx, w0 + wn, n);
    }
    free(B.vals);
    free(B.pay);
    free(B.mv);
    free(B.mp);
    free(B.judge);
    free(B.judged);
    return nomem ? TQO_ERR_NOMEM : TQO_OK;
}

/* Failures: the first reason per scenario; a scenario without plan-year
   quotas counts as failed. A grid often holds impossible corners (caps
   below the target): a few examples and a count, the rest is in the
   error column. */
static void take_errors(run *U, const int *ix, int n)
{
    int nb = U->nb;
    for (int i = 0; i < n; i++) {
        int k = ix[i];
        for (int t = 0; t <= nb && !U->r->error[k]; t++) { /* the plan year first */
            char **e = &U->bt_error[(size_t)k * (nb + 1) + (t == 0 ? nb : t - 1)];
            U->r->error[k] = *e;
            *e = NULL;
        }
    }
}

/* Over every scenario, once all are in r (a single run, or the merge of
   parts): the count, the warnings, and the error when none could run. */
static tqo_status collect_failures(const tqo_scenario *sc, tqo_scenarios_result *r, tqo_diag *diag)
{
    int n = r->n_scenarios, p = r->n_territories;
    r->n_failed = 0;
    for (int k = 0; k < n; k++)
        if (!isfinite(r->quota[(size_t)k * p]))
            r->n_failed++;
    if (r->n_failed == n) {
        tqo_diag_error(diag, "no scenario could be evaluated; scenario '%s': %s", sc[0].name,
                       r->error[0] ? r->error[0] : "failed");
        return TQO_ERR_INFEASIBLE;
    }
    int n_err = 0;
    for (int k = 0; k < n; k++)
        if (r->error[k] && ++n_err <= 3)
            tqo_diag_warning(diag, "scenario '%s': %s", sc[k].name, r->error[k]);
    if (n_err > 3)
        tqo_diag_warning(diag, "%d more scenarios with errors (%d in all; %d without plan-year quotas): see the "
                         "error column of scenarios_summary.csv", n_err - 3, n_err, r->n_failed);
    return TQO_OK;
}

/* Pareto front on the medians of share at quota and cost of sales. */
static tqo_status mark_efficient(const tqo_scenario *sc, int n, tqo_scenarios_result *r)
{
    if (n < 1)
        return TQO_OK;
    scenario_point *pt = malloc((size_t)n * sizeof *pt);
    if (!pt)
        return TQO_ERR_NOMEM;
    for (int k = 0; k < n; k++) {
        const double *x = r->mc + ((size_t)k * M + TQO_M_PCT_AT_QUOTA) * 3;
        const double *y = r->mc + ((size_t)k * M + TQO_M_COST_OF_SALES) * 3;
        pt[k] = (scenario_point){sc[k].name, x[0], x[1], x[2], y[0], y[1], y[2]};
    }
    int st = tqoi_scenario_pareto(pt, n, r->efficient);
    free(pt);
    return st < 0 ? TQO_ERR_NOMEM : TQO_OK; /* no "none efficient" for want of memory */
}

static void prep_free(prep *P, run *U, int n)
{
    int nb = P->nb;
    if (U->bt_error)
        for (size_t k = 0; k < (size_t)n * (nb + 1); k++)
            free(U->bt_error[k]);
    free(U->bt_error);
    free(U->bt_quota);
    free(U->bt_bound);
    tqoi_scenario_outcomes_free(&P->out);
    for (int k = 0; P->blocks && P->block_actual && k < P->nw; k++) {
        tqoi_quota_forecast_free(&P->blocks[k]);
        free(P->block_actual[k]);
    }
    free(P->blocks);
    free(P->block_actual);
    for (int k = 0; P->fc && k < (nb + 1) * FORECAST_N_SLOTS; k++)
        tqoi_quota_forecast_free(&P->fc[k]);
    free(P->fc);
    for (int c = 0; P->actual && c < nb; c++)
        free(P->actual[c]);
    free(P->actual);
    free(P->cut);
    free(P->need);
    free(P->method);
    tqoi_quota_history_free(&P->h);
}

/* A sweep prepared for evaluation in parts (see tqo.h). */
struct tqo_scenarios_run {
    prep P;
    run U;
    const tqo_scenario_settings *s;
};

void tqo_scenarios_end(tqo_scenarios_run *R)
{
    if (!R)
        return;
    prep_free(&R->P, &R->U, R->U.n);
    free(R);
}

static void run_init(run *U, prep *P, const tqo_assignment *a, const tqo_scenario *sc, int n, int R,
                     tqo_scenarios_result *r)
{
    const quota_forecast *pf = &P->fc[P->nb * FORECAST_N_SLOTS + P->base_method];
    U->sc = sc;
    U->lp_nomem = 0;
    U->n = n;
    U->p = P->h.p;
    U->nb = P->nb;
    U->R = R;
    U->nblocks = (R + BLOCK - 1) / BLOCK;
    U->h = &P->h;
    U->fc = P->fc;
    U->method = P->method;
    U->actual = P->actual;
    for (int j = 0; j < U->p; j++)
        U->last_sum += pf->last_year[j];
    U->ids = (const char *const *)a->territory_id;
    U->out = &P->out;
    U->r = r;
}

tqo_status tqo_scenarios_begin(const tqo_instance *inst, const tqo_assignment *a, const tqo_scenario *sc, int n,
                               const tqo_scenario_settings *s, tqo_scenarios_result *r, tqo_scenarios_run **out,
                               tqo_diag *diag)
{
    memset(r, 0, sizeof *r);
    *out = NULL;
    tqo_scenarios_run *R = calloc(1, sizeof *R);
    if (!R)
        return TQO_ERR_NOMEM;
    prep *P = &R->P;
    R->s = s;
    R->U.n = n;
    tqo_status st = check_inputs(sc, n, s, P, diag);
    if (st == TQO_OK)
        st = tqoi_quota_cutoff(inst, s->base.history_until, &P->last, diag);
    if (st == TQO_OK)
        st = tqoi_quota_history_build(inst, a, &s->base, &P->h, diag);
    P->nth = s->threads > 0 ? s->threads : omp_get_max_threads();
    P->min_train = s->base.min_train_years > 0 ? s->base.min_train_years : 2;
    if (st == TQO_OK)
        st = prepare_backtest(P, n, diag);
    if (st == TQO_OK)
        st = prepare_windows(P);
    if (st == TQO_OK)
        st = build_all(P, s, diag);
    if (st == TQO_OK && P->nw < 4)
        tqo_diag_warning(diag, "the Monte Carlo resamples only %d one-year block%s of forecast errors: its P10-P90 "
                         "bands understate the uncertainty (more history, or --min-train-years 1, gives more "
                         "blocks)", P->nw, P->nw == 1 ? "" : "s");
    if (st == TQO_OK)
        st = prepare_result(P, inst, a, n, s->replicates, r, &R->U);
    if (st != TQO_OK) {
        tqo_scenarios_end(R);
        tqo_scenarios_result_free(r);
        return st;
    }
    run_init(&R->U, P, a, sc, n, s->replicates, r);
    *out = R;
    return TQO_OK;
}

tqo_status tqo_scenarios_eval(tqo_scenarios_run *R, const int *index, int k, tqo_diag *diag)
{
    int n = R->U.n;
    int *ix = malloc(((size_t)k + 1) * sizeof *ix);
    if (!ix)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < k; i++) {
        ix[i] = index ? index[i] : i;
        if (ix[i] < 0 || ix[i] >= n) {
            tqo_diag_error(diag, "scenario index %d: not in 0..%d", ix[i], n - 1);
            free(ix);
            return TQO_ERR_ARG;
        }
    }
    tqo_status st = k > 0 ? run_waves(&R->U, R->P.nth, R->s, ix, k) : TQO_OK;
    if (st == TQO_OK)
        take_errors(&R->U, ix, k);
    free(ix);
    return st;
}

tqo_status tqo_scenarios_finish(const tqo_scenario *sc, tqo_scenarios_result *r, tqo_diag *diag)
{
    tqo_status st = collect_failures(sc, r, diag);
    if (st == TQO_OK)
        st = mark_efficient(sc, r->n_scenarios, r);
    return st;
}

tqo_status tqo_scenarios(const tqo_instance *inst, const tqo_assignment *a, const tqo_scenario *sc, int n,
                         const tqo_scenario_settings *s, tqo_scenarios_result *r, tqo_diag *diag)
{
    double t0 = omp_get_wtime();
    tqo_scenarios_run *R;
    tqo_status st = tqo_scenarios_begin(inst, a, sc, n, s, r, &R, diag);
    if (st != TQO_OK)
        return st;
    st = tqo_scenarios_eval(R, NULL, n, diag);
    tqo_scenarios_end(R);
    if (st == TQO_OK)
        st = tqo_scenarios_finish(sc, r, diag);
    if (st == TQO_OK)
        r->seconds = omp_get_wtime() - t0;
    else
        tqo_scenarios_result_free(r);
    return st;
}
