/*
 * Each rep's odds on the plan's own quotas (issue 19): the quota step
 * writes quota_summary.json before the Monte Carlo runs, so once the
 * scenario step has its replicates, tqo_quota_summary_add_odds judges the
 * quota step's quotas against them and appends an "odds" object to that
 * file (every key before it unchanged, byte for byte).
 */
#include "scenarios/scenario_metrics.h"
#include "quota/metrics.h"
#include "util/json_writer.h"
#include "tqo.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct odds {
    int p;
    int *col;             /* p: the territory's column in the scenario result; -1 none */
    double *p_quota, *p_paying, *payout; /* p each */
    double q[3][3];       /* company attainment, cost of sales, share at quota: P10, P50, P90 */
} odds;

static void odds_free(odds *o)
{
    free(o->col);
    free(o->p_quota);
    free(o->p_paying);
    free(o->payout);
}

/* The replicates' metric m, each block's value repeated as many times as
   replicates resample it, then its P10/P50/P90 as the Monte Carlo takes them. */
static void block_quantiles(const double *per_block, const int *count, int nb, double *work, int *iwork,
                            double out[3])
{
    static const double Q[3] = {0.1, 0.5, 0.9};
    int n = 0;
    for (int k = 0; k < nb; k++)
        if (isfinite(per_block[k]))
            for (int c = 0; c < count[k]; c++) {
                work[n] = per_block[k];
                iwork[n] = n;
                n++;
            }
    tqoi_metric_sort_pairs(work, iwork, n);
    for (int t = 0; t < 3; t++)
        out[t] = tqoi_metric_quantile_sorted(work, n, Q[t]);
}

/* The odds of q's quotas over sr's replicates; -1 out of memory. */
static int odds_compute(odds *o, const tqo_quota_result *q, const tqo_scenario *sc, const tqo_scenarios_result *sr)
{
    int p = q->n_territories, ps = sr->n_territories, nb = sr->n_error_blocks, R = sr->replicates;
    o->p = p;
    o->col = malloc(((size_t)p + 1) * sizeof(int));
    o->p_quota = calloc((size_t)p + 1, sizeof(double));
    o->p_paying = calloc((size_t)p + 1, sizeof(double));
    o->payout = calloc((size_t)p + 1, sizeof(double));
    double *quota = malloc(((size_t)p + 1) * sizeof(double)), *outcome = malloc(((size_t)p + 1) * sizeof(double));
    double *metric = malloc(((size_t)nb * 3 + 1) * sizeof(double)), *work = malloc(((size_t)R + 1) * sizeof(double));
    int *iwork = malloc(((size_t)R + 1) * sizeof(int));
    double *pay = malloc(((size_t)p + 1) * sizeof(double));
    scenario_scratch w = {0};
    scenario_judge J = {0};
    int rc = -1;
    if (!o->col || !o->p_quota || !o->p_paying || !o->payout || !quota || !outcome || !metric || !work || !iwork || !pay ||
        tqoi_scenario_scratch_init(&w, p) != 0)
        goto out;
    for (int j = 0; j < p; j++) { /* by id: the two results need not list territories alike */
        o->col[j] = -1;
        for (int i = 0; i < ps && o->col[j] < 0; i++)
            if (strcmp(q->territory_id[j], sr->territory_id[i]) == 0)
                o->col[j] = i;
        /* a territory the Monte Carlo does not know gets no quota here: no odds */
        quota[j] = o->col[j] >= 0 ? q->quota[j] : NAN;
    }
    if (tqoi_scenario_judge_init(&J, p, quota, q->bound, NULL, sc) != TQO_OK)
        goto out;
    double m[TQO_SCENARIO_N_METRICS];
    for (int k = 0; k < nb; k++) {
        for (int j = 0; j < p; j++)
            outcome[j] = o->col[j] >= 0 ? sr->block_outcome[(size_t)k * ps + o->col[j]] : 0;
        memset(pay, 0, ((size_t)p + 1) * sizeof(double));
        tqoi_scenario_judge_eval(&J, outcome, m, pay, &w);
        for (int j = 0; j < p; j++) {
            if (!(quota[j] > 0))
                continue;
            /* the same expressions as tqoi_scenario_judge_eval and tqoi_scenario_odds */
            double a = 100.0 * outcome[j] / quota[j];
            o->p_quota[j] += a >= 100.0 - 1e-9 ? sr->block_replicates[k] : 0;
            o->p_paying[j] += a < J.threshold ? 0 : sr->block_replicates[k];
            o->payout[j] += pay[j] * sr->block_replicates[k];
        }
        metric[k] = m[TQO_M_COMPANY_ATTAINMENT];
        metric[nb + k] = m[TQO_M_COST_OF_SALES];
        metric[2 * nb + k] = m[TQO_M_PCT_AT_QUOTA];
    }
    for (int j = 0; j < p; j++) {
        int has = quota[j] > 0;
        o->p_quota[j] = has ? o->p_quota[j] / R : NAN;
        o->p_paying[j] = has ? o->p_paying[j] / R : NAN;
        o->payout[j] = has ? o->payout[j] / R : NAN;
    }
    for (int t = 0; t < 3; t++)
        block_quantiles(metric + (size_t)t * nb, sr->block_replicates, nb, work, iwork, o->q[t]);
    rc = 0;
out:
    tqoi_scenario_judge_free(&J);
    tqoi_scenario_scratch_free(&w);
    free(quota);
    free(outcome);
    free(metric);
    free(work);
    free(iwork);
    free(pay);
    return rc;
}

/* "50:0;100:100;150:200": the curve as the options and scenarios.json write it. */
static void curve_text(const tqo_payout_curve *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    for (int k = 0; k < c->n && n < size; k++) {
        char x[32], y[32];
        tqoi_jw_format_double(c->x[k], x, sizeof x);
        tqoi_jw_format_double(c->y[k], y, sizeof y);
        n += (size_t)snprintf(buf + n, size - n, "%s%s:%s", k ? ";" : "", x, y);
    }
}

static void put_band(jw *w, const char *key, const double v[3])
{
    tqoi_jw_object(w, key);
    tqoi_jw_number(w, "p10", v[0]);
    tqoi_jw_number(w, "p50", v[1]);
    tqoi_jw_number(w, "p90", v[2]);
    tqoi_jw_object_end(w);
}

/* The "odds" object, continuing the summary's top-level object. */
static void put_odds(jw *w, const odds *o, const tqo_quota_result *q, const tqo_scenario *sc,
                     const tqo_scenarios_result *sr)
{
    char curve[TQO_PAYOUT_MAX_POINTS * 64 + 1];
    curve_text(&sc->curve, curve, sizeof curve);
    tqoi_jw_object(w, "odds");
    tqoi_jw_string(w, "source", "the scenario step's Monte Carlo (scenarios/scenarios.json: block_outcome)");
    tqoi_jw_int(w, "replicates", sr->replicates);
    tqoi_jw_int(w, "error_blocks", sr->n_error_blocks);
    tqoi_jw_string(w, "payout_curve", curve);
    tqoi_jw_number(w, "target_incentive", sc->target_incentive);
    tqoi_jw_number(w, "first_paying_pct", tqoi_scenario_first_paying(&sc->curve));
    put_band(w, "company_attainment_pct", o->q[0]);
    put_band(w, "cost_of_sales_pct", o->q[1]);
    put_band(w, "pct_at_quota", o->q[2]);
    tqoi_jw_array(w, "territories");
    for (int j = 0; j < o->p; j++) {
        tqoi_jw_object(w, NULL);
        tqoi_jw_string(w, "territory_id", q->territory_id[j]);
        tqoi_jw_number(w, "quota", q->quota[j]);
        tqoi_jw_number(w, "prob_at_quota", o->p_quota[j]);
        tqoi_jw_number(w, "prob_first_paying", o->p_paying[j]);
        tqoi_jw_number(w, "expected_payout", o->payout[j]);
        tqoi_jw_object_end(w);
    }
    tqoi_jw_array_end(w);
    tqoi_jw_object_end(w);
}

/* DIR/quota_summary.json whole, or NULL (errno set). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(b, cap *= 2);
        if (!nb)
            free(b);
        b = nb;
    }
    int bad = b && ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        errno = EIO;
        return NULL;
    }
    if (!b)
        errno = ENOMEM;
    *len = n;
    return b;
}

tqo_status tqo_quota_summary_add_odds(const tqo_quota_result *q, const tqo_payout_curve *curve, double incentive,
                                      const tqo_scenarios_result *sr, const char *dir, tqo_diag *diag)
{
    if (!sr->block_outcome || !sr->block_replicates || sr->n_error_blocks < 1 || sr->replicates < 1)
        return TQO_OK; /* no replicates: nothing to count */
    if (sr->plan_year != q->plan_year) {
        tqo_diag_warning(diag, "quota_summary.json: no odds: the Monte Carlo is of %d, the quotas of %d",
                         sr->plan_year, q->plan_year);
        return TQO_OK;
    }
    size_t plen = strlen(dir) + 32, len = 0;
    char *path = malloc(plen);
    if (!path)
        return TQO_ERR_NOMEM;
    snprintf(path, plen, "%s/quota_summary.json", dir);
    char *text = slurp(path, &len);
    /* the writer ends the document with "\n}\n": resume inside its object */
    if (!text || len < 3 || memcmp(text + len - 3, "\n}\n", 3) != 0) {
        tqo_status st = !text && errno == ENOMEM ? TQO_ERR_NOMEM : TQO_ERR_IO;
        if (st == TQO_ERR_IO)
            tqo_diag_error(diag, "%s: cannot add the odds: %s", path,
                           text ? "not a summary written by tqo" : strerror(errno));
        free(text);
        free(path);
        return st;
    }
    tqo_scenario sc = {.target_incentive = incentive, .curve = *curve};
    odds o = {0};
    tqo_status st = odds_compute(&o, q, &sc, sr) == 0 ? TQO_OK : TQO_ERR_NOMEM;
    tqo_outset *set = st == TQO_OK ? tqo_outset_new(dir) : NULL;
    FILE *f = set ? tqo_outset_open(set, "quota_summary.json") : NULL;
    if (st == TQO_OK && !f) {
        tqo_diag_error(diag, "%s: cannot write: %s", path, strerror(errno));
        tqo_outset_abort(set);
        st = TQO_ERR_IO;
    }
    if (st == TQO_OK) {
        fwrite(text, 1, len - 3, f);
        jw w;
        tqoi_jw_init(&w, f);
        w.depth = 1; /* inside the top-level object, after its keys */
        w.count[1] = 1;
        put_odds(&w, &o, q, &sc, sr);
        tqoi_jw_object_end(&w);
        tqoi_jw_finish(&w);
        st = tqo_outset_commit(set, diag);
    }
    odds_free(&o);
    free(text);
    free(path);
    return st;
}
