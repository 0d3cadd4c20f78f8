/*
 * Writing a scenario evaluation: scenarios_summary.csv,
 * scenarios_detail.csv, scenarios.svg and scenarios.json, all through one
 * output set. The threads format blocks of scenarios in memory, written
 * in scenario order; nothing depends on the thread count or the clock, so
 * the files are byte-identical for any --threads.
 */
#include "util/csv_writer.h"
#include "util/json_writer.h"
#include "util/memfile.h"
#include "scenarios/scenario_metrics.h"
#include "scenarios/scenario_svg.h"
#include "tqo.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#define M TQO_SCENARIO_N_METRICS
/* Per-territory attainments (%), of which there are millions: 4 decimals
   are more than any pay plan resolves. */
#define ATT_DECIMALS 4

static const char *const PARAMS[] = {"growth",     "target",   "over_assign",      "history_weight",
                                     "min_growth", "max_growth", "fairness", "forecast",
                                     "target_incentive", "payout_curve"};
#define N_PARAMS ((int)(sizeof PARAMS / sizeof PARAMS[0]))

/* Parameters 6, 7 and 9 are words; the others numbers (NAN: not set). */
static int param_is_text(int k)
{
    return k == 6 || k == 7 || k == 9;
}

static double param_value(const tqo_scenario *sc, int k)
{
    const tqo_quota_settings *q = &sc->quota;
    switch (k) {
    case 0: return q->target > 0 ? NAN : q->growth_pct; /* a target wins over a growth */
    case 1: return q->target > 0 ? q->target : NAN;
    case 2: return q->over_assign_pct;
    case 3: return q->potential ? q->history_weight : 1.0; /* the weight used: none without a potential */
    case 4: return q->min_growth_pct;
    case 5: return q->max_growth_pct;
    case 8: return sc->target_incentive;
    default: return NAN;
    }
}

/* Parameter k of a scenario as text ("" when not set). */
static void param(const tqo_scenario *sc, int k, char *buf, size_t size)
{
    buf[0] = 0;
    if (k == 6)
        snprintf(buf, size, "%s", sc->quota.minimax ? "minimax" : "sum");
    else if (k == 7)
        snprintf(buf, size, "%s", sc->quota.method ? sc->quota.method : "auto");
    else if (k == 9)
        tqo_payout_format(&sc->curve, buf, size);
    else if (isfinite(param_value(sc, k)))
        tqoi_jw_format_double(param_value(sc, k), buf, size);
}

/* What the row writers need: the sweep, and for the JSON the writer's
   state at the start of the scenarios array. */
typedef struct out_ctx {
    const tqo_scenario *sc;
    const tqo_scenarios_result *r;
    const jw *w;
} out_ctx;

/* Writes the rows of scenarios [s0, s1) of one file to f. */
typedef void (*rows_fn)(FILE *f, const out_ctx *x, int s0, int s1);

/* Scenarios per block that one thread formats in memory: about 0.2 MB of
   the detail file or the JSON, 0.1 MB of the summary (smaller blocks make
   the threads wait on each other more often). */
#define BLOCK 8
#define SUMMARY_BLOCK 128

/* A block formatted and waiting for the blocks before it. */
typedef struct made_block {
    char *data; /* NULL when it failed, or had nothing */
    size_t len;
    int made;
} made_block;

/* Writes the made blocks from *next on, in order, and frees them. */
static void write_made(FILE *f, made_block *mb, int nblocks, int *next)
{
    while (*next < nblocks && mb[*next].made) {
        if (mb[*next].data)
            fwrite(mb[*next].data, 1, mb[*next].len, f);
        free(mb[*next].data);
        mb[*next].data = NULL;
        (*next)++;
    }
}

/* The per-scenario rows of a file: formatting them was most of the
   command's serial time, so threads format blocks of scenarios into memory
   and the blocks are written in scenario order, whatever thread made them:
   the thread that completes the next block to write writes it and any made
   after it, and no thread waits for its turn (an ordered loop left each
   waiting on the other for an eighth of the writing). A block's stream is
   its thread's own and the file is written only in the critical section,
   so neither locks per call. The bytes are those of one thread. Returns
   non-zero when out of memory (the file is then left incomplete, for the
   caller to discard). */
static int write_blocks(FILE *f, const out_ctx *x, rows_fn fn, int bs, int nth)
{
    int n = x->r->n_scenarios, nblocks = (n + bs - 1) / bs, bad = 0, next = 0;
    int lk = tqoi_stream_unlocked(f);
    made_block *mb = nth > 1 && nblocks > 1 ? calloc((size_t)nblocks, sizeof *mb) : NULL;
    if (!mb) {
        fn(f, x, 0, n);
        tqoi_stream_restore(f, lk);
        return 0;
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth) reduction(| : bad)
    for (int b = 0; b < nblocks; b++) {
        tqoi_memfile mf;
        FILE *m = tqoi_memfile_open(&mf);
        int fail = 1;
        if (m) {
            tqoi_stream_unlocked(m);
            fn(m, x, b * bs, b * bs + bs < n ? b * bs + bs : n);
            fail = ferror(m) != 0;
            fail |= fclose(m) != 0;
            fail |= mf.failed;
        }
        if (fail) {
            free(mf.data);
            mf.data = NULL;
        }
        bad |= fail;
#pragma omp critical(tqoi_scenario_blocks)
        {
            mb[b] = (made_block){mf.data, mf.len, 1};
            write_made(f, mb, nblocks, &next);
        }
    }
    free(mb);
    tqoi_stream_restore(f, lk);
    return bad;
}

static void summary_rows(FILE *f, const out_ctx *x, int s0, int s1)
{
    const tqo_scenario *sc = x->sc;
    const tqo_scenarios_result *r = x->r;
    for (int s = s0; s < s1; s++) {
        tqoi_csv_put_field(f, sc[s].name);
        for (int k = 0; k < N_PARAMS; k++) {
            char b[600];
            param(&sc[s], k, b, sizeof b);
            fputc(',', f);
            tqoi_csv_put_field(f, b);
        }
        for (int k = 0; k < M * 3; k++) {
            fputc(',', f);
            tqoi_csv_put_num(f, r->mc[(size_t)s * M * 3 + k]);
        }
        for (int m = 0; m < M; m++) {
            fputc(',', f);
            tqoi_csv_put_num(f, r->backtest_mean[(size_t)s * M + m]);
        }
        fprintf(f, ",%d,", r->efficient[s]);
        tqoi_csv_put_field(f, r->error[s]);
        fputc('\n', f);
    }
}

/* The summary's rows are formatted over the threads too: a serial part of
   the command, small as it is, caps its speed-up on every core. */
static int write_summary(FILE *f, const tqo_scenario *sc, const tqo_scenarios_result *r, int nth)
{
    static const char *const Q[3] = {"p10", "p50", "p90"};
    fputs("scenario", f);
    for (int k = 0; k < N_PARAMS; k++)
        fprintf(f, ",%s", PARAMS[k]);
    for (int m = 0; m < M; m++)
        for (int t = 0; t < 3; t++)
            fprintf(f, ",%s_%s", tqo_scenario_metric_name(m), Q[t]);
    for (int m = 0; m < M; m++)
        fprintf(f, ",backtest_%s", tqo_scenario_metric_name(m));
    fputs(",pareto_efficient,error\n", f);
    out_ctx x = {sc, r, NULL};
    return write_blocks(f, &x, summary_rows, SUMMARY_BLOCK, nth);
}

static void detail_rows(FILE *f, const out_ctx *x, int s0, int s1)
{
    const tqo_scenario *sc = x->sc;
    const tqo_scenarios_result *r = x->r;
    int p = r->n_territories, nb = r->n_backtest_years;
    for (int s = s0; s < s1; s++)
        for (int j = 0; j < p; j++) {
            size_t k = (size_t)s * p + j;
            tqoi_csv_put_field(f, sc[s].name);
            fputc(',', f);
            tqoi_csv_put_field(f, r->territory_id[j]);
            fputc(',', f);
            tqoi_csv_put_money(f, r->quota[k]);
            fprintf(f, ",%s", r->bound[k] == 'l' ? "min" : r->bound[k] == 'u' ? "max" : "");
            for (int c = 0; c < nb; c++) {
                fputc(',', f);
                tqoi_csv_put_fixed(f, r->backtest_attainment[((size_t)s * nb + c) * p + j], ATT_DECIMALS);
            }
            fputc(',', f);
            tqoi_csv_put_money(f, r->expected_payout[k]);
            double pq, pp; /* the rep's odds: counts over the replicates */
            tqoi_scenario_odds(r, &sc[s], s, j, &pq, &pp);
            fputc(',', f);
            tqoi_csv_put_num(f, pq);
            fputc(',', f);
            tqoi_csv_put_num(f, pp);
            fputc('\n', f);
        }
}

static int write_detail(FILE *f, const tqo_scenario *sc, const tqo_scenarios_result *r, int nth)
{
    int nb = r->n_backtest_years;
    fputs("scenario,territory_id,quota,bound", f);
    for (int c = 0; c < nb; c++)
        fprintf(f, ",backtest_attainment_%d", r->backtest_year[c]);
    fputs(",expected_payout,prob_at_quota,prob_first_paying\n", f);
    out_ctx x = {sc, r, NULL};
    return write_blocks(f, &x, detail_rows, BLOCK, nth);
}

static void metrics_object(jw *w, const char *key, const double *v)
{
    tqoi_jw_object(w, key);
    for (int m = 0; m < M; m++)
        tqoi_jw_number(w, tqo_scenario_metric_name(m), v[m]);
    tqoi_jw_object_end(w);
}

/* Scenarios [s0, s1) of the JSON's scenarios array, through a copy of the
   writer whose count says how many objects come before s0. */
static void json_rows(FILE *f, const out_ctx *x, int s0, int s1)
{
    const tqo_scenario *sc = x->sc;
    const tqo_scenarios_result *r = x->r;
    int p = r->n_territories, nb = r->n_backtest_years;
    jw w = *x->w;
    w.fp = f;
    w.count[w.depth] = s0;
    for (int s = s0; s < s1; s++) {
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "scenario", sc[s].name);
        tqoi_jw_object(&w, "parameters");
        for (int k = 0; k < N_PARAMS; k++) {
            char buf[600];
            param(&sc[s], k, buf, sizeof buf);
            if (param_is_text(k))
                tqoi_jw_string(&w, PARAMS[k], buf);
            else
                tqoi_jw_number(&w, PARAMS[k], param_value(&sc[s], k));
        }
        tqoi_jw_object_end(&w);
        tqoi_jw_bool(&w, "pareto_efficient", r->efficient[s]);
        tqoi_jw_string(&w, "error", r->error[s]);
        tqoi_jw_object(&w, "monte_carlo");
        for (int m = 0; m < M; m++) {
            const double *v = r->mc + ((size_t)s * M + m) * 3;
            tqoi_jw_object(&w, tqo_scenario_metric_name(m));
            tqoi_jw_number(&w, "p10", v[0]);
            tqoi_jw_number(&w, "p50", v[1]);
            tqoi_jw_number(&w, "p90", v[2]);
            tqoi_jw_object_end(&w);
        }
        tqoi_jw_object_end(&w);
        tqoi_jw_object(&w, "backtest");
        metrics_object(&w, "mean", r->backtest_mean + (size_t)s * M);
        tqoi_jw_array(&w, "years");
        for (int c = 0; c < nb; c++) {
            tqoi_jw_object(&w, NULL);
            tqoi_jw_int(&w, "year", r->backtest_year[c]);
            metrics_object(&w, "metrics", r->backtest + ((size_t)s * nb + c) * M);
            tqoi_jw_array_flat(&w, "attainment");
            for (int j = 0; j < p; j++)
                tqoi_jw_fixed(&w, NULL, r->backtest_attainment[((size_t)s * nb + c) * p + j], ATT_DECIMALS);
            tqoi_jw_array_end(&w);
            tqoi_jw_object_end(&w);
        }
        tqoi_jw_array_end(&w);
        tqoi_jw_object_end(&w);
        tqoi_jw_array_flat(&w, "quota");
        for (int j = 0; j < p; j++)
            tqoi_jw_fixed(&w, NULL, r->quota[(size_t)s * p + j], 2);
        tqoi_jw_array_end(&w);
        tqoi_jw_array_flat(&w, "expected_payout");
        for (int j = 0; j < p; j++)
            tqoi_jw_fixed(&w, NULL, r->expected_payout[(size_t)s * p + j], 2);
        tqoi_jw_array_end(&w);
        tqoi_jw_object_end(&w);
    }
}

static int write_json(FILE *f, const tqo_scenario *sc, const tqo_scenario_settings *set,
                      const tqo_scenarios_result *r, int nth)
{
    int p = r->n_territories, nb = r->n_backtest_years;
    const tqo_quota_settings *b = &set->base;
    jw w;
    tqoi_jw_init(&w, f);
    tqoi_jw_object(&w, NULL);
    tqoi_jw_string(&w, "tqo", "scenarios");
    tqoi_jw_object(&w, "settings");
    tqoi_jw_int(&w, "replicates", r->replicates);
    tqoi_jw_int(&w, "seed", (long long)set->seed);
    tqoi_jw_string(&w, "value", b->value ? b->value : "sales");
    tqoi_jw_string(&w, "potential", b->potential);
    tqoi_jw_string(&w, "history_until", b->history_until);
    tqoi_jw_string(&w, "forecast", b->method ? b->method : "auto");
    tqoi_jw_int(&w, "min_train_years", b->min_train_years > 0 ? b->min_train_years : 2);
    tqoi_jw_object_end(&w);
    tqoi_jw_object(&w, "outcome_model");
    tqoi_jw_int(&w, "plan_year", r->plan_year);
    tqoi_jw_string(&w, "forecast_method", r->method);
    tqoi_jw_string(&w, "resampling", "moving-block bootstrap: each replicate draws one past 12-month block's actual/forecast ratios for all territories");
    tqoi_jw_array(&w, "error_blocks");
    for (int k = 0; k < r->n_error_blocks; k++) {
        char b[16];
        tqo_period_format(r->period_kind, r->error_block[k], b, sizeof b);
        tqoi_jw_string(&w, NULL, b);
    }
    tqoi_jw_array_end(&w);
    /* every replicate's outcomes, as blocks: the odds recount from these */
    tqoi_jw_array_flat(&w, "block_replicates");
    for (int k = 0; k < r->n_error_blocks; k++)
        tqoi_jw_int(&w, NULL, r->block_replicates ? r->block_replicates[k] : 0);
    tqoi_jw_array_end(&w);
    tqoi_jw_object_end(&w);
    tqoi_jw_array_flat(&w, "backtest_years");
    for (int c = 0; c < nb; c++)
        tqoi_jw_int(&w, NULL, r->backtest_year[c]);
    tqoi_jw_array_end(&w);
    tqoi_jw_array(&w, "territories");
    for (int j = 0; j < p; j++) {
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "territory_id", r->territory_id[j]);
        tqoi_jw_number(&w, "potential", r->potential[j]);
        tqoi_jw_number(&w, "forecast", r->forecast[j]);
        tqoi_jw_array_flat(&w, "block_outcome");
        for (int k = 0; r->block_outcome && k < r->n_error_blocks; k++)
            tqoi_jw_number(&w, NULL, r->block_outcome[(size_t)k * p + j]);
        tqoi_jw_array_end(&w);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array_end(&w);
    tqoi_jw_array(&w, "scenarios");
    out_ctx x = {sc, r, &w};
    int bad = write_blocks(f, &x, json_rows, BLOCK, nth);
    w.count[w.depth] = r->n_scenarios; /* as if this writer had written them */
    tqoi_jw_array_end(&w);
    tqoi_jw_object_end(&w);
    tqoi_jw_finish(&w);
    return bad;
}

tqo_status tqo_scenarios_write(const tqo_scenario *sc, const tqo_scenario_settings *s,
                               const tqo_scenarios_result *r, const char *dir, tqo_diag *diag)
{
    tqo_outset *o = tqo_outset_new(dir);
    FILE *fs = o ? tqo_outset_open(o, "scenarios_summary.csv") : NULL;
    FILE *fd = fs ? tqo_outset_open(o, "scenarios_detail.csv") : NULL;
    FILE *fg = fd ? tqo_outset_open(o, "scenarios.svg") : NULL;
    FILE *fj = fg ? tqo_outset_open(o, "scenarios.json") : NULL;
    if (!fj) {
        tqo_diag_error(diag, "%s: cannot write the scenario files: %s", dir, strerror(errno));
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    int nth = s->threads > 0 ? s->threads : omp_get_max_threads();
    if (write_summary(fs, sc, r, nth) != 0) {
        tqo_diag_error(diag, "%s: out of memory writing scenarios_summary.csv", dir);
        tqo_outset_abort(o);
        return TQO_ERR_NOMEM;
    }
    if (write_detail(fd, sc, r, nth) != 0) {
        tqo_diag_error(diag, "%s: out of memory writing scenarios_detail.csv", dir);
        tqo_outset_abort(o);
        return TQO_ERR_NOMEM;
    }
    scenario_point *pt = calloc((size_t)r->n_scenarios + 1, sizeof *pt);
    if (!pt) {
        tqo_outset_abort(o);
        return TQO_ERR_NOMEM;
    }
    for (int k = 0; k < r->n_scenarios; k++) {
        const double *x = r->mc + ((size_t)k * M + TQO_M_PCT_AT_QUOTA) * 3;
        const double *y = r->mc + ((size_t)k * M + TQO_M_COST_OF_SALES) * 3;
        pt[k] = (scenario_point){sc[k].name, x[0], x[1], x[2], y[0], y[1], y[2]};
    }
    int bad = tqoi_scenario_svg_write(fg, pt, r->n_scenarios, r->efficient, 1);
    free(pt);
    if (write_json(fj, sc, s, r, nth) != 0) {
        tqo_outset_abort(o);
        return TQO_ERR_NOMEM;
    }
    if (bad == -2) {
        tqo_outset_abort(o);
        return TQO_ERR_NOMEM;
    }
    if (bad) {
        tqo_diag_error(diag, "%s: cannot write scenarios.svg", dir);
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    return tqo_outset_commit(o, diag);
}
