/* Monte Carlo for the plan year (see scenario_mc.h). */
#include "scenario_mc.h"
#include "metrics.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void scenario_mc_free(scenario_mc *m)
{
    free(m->error_year);
    free(m->quota);
    free(m->expected_payout);
    free(m->pct);
    memset(m, 0, sizeof *m);
}

tqo_status scenario_mc_run(const tqo_instance *inst, const tqo_assignment *a, const scenario *sc, int n_scen,
                           const tqo_quota_settings *base, int replicates, uint64_t seed, int threads,
                           scenario_mc *out, tqo_diag *diag)
{
    memset(out, 0, sizeof *out);
    int p = a->n_territories, per = (int)inst->period_kind;
    if (per < 1) {
        tqo_diag_error(diag, "scenarios need history: the instance has no history.csv");
        return TQO_ERR_INPUT;
    }
    int first = inst->period_first, last = first + inst->n_periods - 1;
    int y0 = (first + per - 1) / per, y1 = (last + 1) / per - 1;
    int min_train = base->min_train_years > 0 ? base->min_train_years : 2;
    /* Error ratios of past years, and the base forecast of the plan year. */
    int ny = 0;
    double *ratio = malloc(((size_t)(y1 - y0 + 2) * p + 1) * sizeof(double));
    double *fc = malloc(((size_t)p + 1) * sizeof(double));
    out->error_year = malloc(((size_t)(y1 - y0 + 2)) * sizeof(int));
    if (!ratio || !fc || !out->error_year) {
        free(ratio);
        free(fc);
        scenario_mc_free(out);
        return TQO_ERR_NOMEM;
    }
    tqo_status st = TQO_OK;
    for (int y = y0 + min_train; y <= y1 && st == TQO_OK; y++) {
        tqo_quota_settings qs = *base;
        char until[16];
        tqo_period_format(inst->period_kind, y * per - 1, until, sizeof until);
        qs.history_until = until;
        qs.plan_year = y;
        qs.min_growth_pct = qs.max_growth_pct = NAN; /* only the forecast is used */
        qs.n_region_targets = 0;
        tqo_quota_result r;
        st = tqo_quota(inst, a, &qs, &r, diag);
        if (st != TQO_OK)
            break;
        if (r.has_actual) {
            for (int j = 0; j < p; j++)
                ratio[(size_t)ny * p + j] = r.forecast[j] > 0 ? r.actual[j] / r.forecast[j] : 1.0;
            out->error_year[ny++] = y;
        }
        tqo_quota_result_free(&r);
    }
    if (st == TQO_OK && ny == 0) {
        tqo_diag_error(diag, "the Monte Carlo needs a past year with %d earlier complete years and its actuals",
                       min_train);
        st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK) {
        tqo_quota_settings qs = *base;
        qs.min_growth_pct = qs.max_growth_pct = NAN;
        qs.n_region_targets = 0;
        tqo_quota_result r;
        st = tqo_quota(inst, a, &qs, &r, diag);
        if (st == TQO_OK) {
            memcpy(fc, r.forecast, (size_t)p * sizeof(double));
            tqo_quota_result_free(&r);
        }
    }
    out->n_error_years = ny;
    out->n_scenarios = n_scen;
    out->n_territories = p;
    out->replicates = replicates;
    out->quota = calloc((size_t)n_scen * p + 1, sizeof(double));
    out->expected_payout = calloc((size_t)n_scen * p + 1, sizeof(double));
    out->pct = calloc((size_t)n_scen * SCENARIO_N_METRICS * 3 + 1, sizeof(double));
    int *draw = malloc(((size_t)replicates + 1) * sizeof(int));
    if (st == TQO_OK && (!out->quota || !out->expected_payout || !out->pct || !draw))
        st = TQO_ERR_NOMEM;
    if (st != TQO_OK) {
        free(ratio);
        free(fc);
        free(draw);
        scenario_mc_free(out);
        return st;
    }
    /* Replicate r's past year: the same in every scenario. */
    for (int r = 0; r < replicates; r++) {
        tqo_rng g;
        tqo_rng_init(&g, seed, (uint64_t)r);
        draw[r] = tqo_rng_int(&g, ny);
    }
    tqo_status *sst = calloc((size_t)n_scen + 1, sizeof(tqo_status));
    tqo_diag *sd = calloc((size_t)n_scen + 1, sizeof(tqo_diag));
    if (!sst || !sd) {
        free(sst);
        free(sd);
        free(ratio);
        free(fc);
        free(draw);
        scenario_mc_free(out);
        return TQO_ERR_NOMEM;
    }
    int nth = threads > 0 ? threads : 1;
#pragma omp parallel num_threads(nth)
    {
        double *outcome = malloc(((size_t)p + 1) * sizeof(double));
        double *vals = malloc(((size_t)replicates * SCENARIO_N_METRICS + 1) * sizeof(double));
        /* scratch: 6p for the metrics, then 2 x replicates for percentiles */
        size_t wn = (size_t)6 * p > (size_t)2 * replicates ? (size_t)6 * p : (size_t)2 * replicates;
        double *work = malloc((wn + 1) * sizeof(double));
        int *iwork = malloc(((size_t)p + 1) * sizeof(int));
#pragma omp for schedule(dynamic, 1)
        for (int s = 0; s < n_scen; s++) {
            tqo_diag_init(&sd[s]);
            if (!outcome || !vals || !work || !iwork) {
                sst[s] = TQO_ERR_NOMEM;
                continue;
            }
            tqo_quota_result qr;
            sst[s] = tqo_quota(inst, a, &sc[s].quota, &qr, &sd[s]);
            if (sst[s] != TQO_OK)
                continue;
            memcpy(out->quota + (size_t)s * p, qr.quota, (size_t)p * sizeof(double));
            for (int r = 0; r < replicates; r++) {
                const double *rat = ratio + (size_t)draw[r] * p;
                for (int j = 0; j < p; j++)
                    outcome[j] = fc[j] * rat[j];
                scenario_metrics m;
                scenario_metrics_compute(&sc[s], p, qr.quota, outcome, qr.potential, qr.bound, work, iwork, &m);
                scenario_metrics_to_array(&m, vals + (size_t)r * SCENARIO_N_METRICS);
                for (int j = 0; j < p; j++) {
                    double att = qr.quota[j] > 0 ? 100.0 * outcome[j] / qr.quota[j] : NAN;
                    if (isfinite(att))
                        out->expected_payout[(size_t)s * p + j] +=
                            sc[s].target_incentive * payout_eval(&sc[s].curve, att) / 100.0 / replicates;
                }
            }
            for (int k = 0; k < SCENARIO_N_METRICS; k++) {
                double *col = work; /* replicates values of metric k */
                for (int r = 0; r < replicates; r++)
                    col[r] = vals[(size_t)r * SCENARIO_N_METRICS + k];
                double *w2 = work + replicates;
                static const double qs[3] = {0.1, 0.5, 0.9};
                for (int q = 0; q < 3; q++) {
                    /* metric_percentile sorts a copy in w2, which must hold replicates doubles */
                    out->pct[((size_t)s * SCENARIO_N_METRICS + k) * 3 + q] =
                        metric_percentile(col, replicates, qs[q], w2);
                }
            }
            tqo_quota_result_free(&qr);
        }
        free(outcome);
        free(vals);
        free(work);
        free(iwork);
        glp_free_env(); /* this thread's GLPK environment */
    }
    for (int s = 0; s < n_scen && st == TQO_OK; s++)
        if (sst[s] != TQO_OK) {
            tqo_diag_error(diag, "scenario '%s': %s", sc[s].name,
                           tqo_diag_first_error(&sd[s]) ? tqo_diag_first_error(&sd[s]) : tqo_status_string(sst[s]));
            st = sst[s];
        }
    for (int s = 0; s < n_scen; s++)
        tqo_diag_free(&sd[s]);
    free(sst);
    free(sd);
    free(ratio);
    free(fc);
    free(draw);
    if (st != TQO_OK)
        scenario_mc_free(out);
    return st;
}
