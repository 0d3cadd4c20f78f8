/* Forecasts of all territories at once and the pooled backtest (see
   forecast_pool.h; the comments here say why). */
#include "quota/forecast_pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const forecast_method tqoi_forecast_pool_methods[FORECAST_POOL_N] = {
    FORECAST_LAST, FORECAST_TREND, FORECAST_HOLT, FORECAST_DAMPED, FORECAST_SEASONAL, FORECAST_SHRINK};

const char *tqoi_forecast_pool_name(int k)
{
    if (k < 0 || k >= FORECAST_POOL_N)
        return "?";
    return k == 0 ? "naive" : tqoi_forecast_method_name(tqoi_forecast_pool_methods[k]);
}

/* Territory j's yearly totals of the first Y years into y. */
static void yearly(const forecast_pool_data *d, int j, int Y, double *y)
{
    tqoi_forecast_yearly_totals(d->periods + (size_t)j * d->stride, Y, d->per_year, y);
}

/*
 * Shrinkage weights (James-Stein, empirical Bayes): a territory's yearly
 * growth deviates from its parent's by a lasting part (variance tau2
 * across territories) plus noise (variance s2 a year, pooled over every
 * territory). Its own mean deviation over n years earns the weight
 * tau2 / (tau2 + s2 / n): noisy or short histories lean on the parent.
 * ty: [j * Y + t] totals, py: [g * Y + t] the parents' totals.
 */
static void shrink_weights(const forecast_pool_data *d, int Y, const double *ty, const double *py, double *w)
{
    int p = d->p;
    double *mean = calloc((size_t)p + 1, sizeof(double));
    int *n = calloc((size_t)p + 1, sizeof(int));
    if (!mean || !n) {
        for (int j = 0; j < p; j++)
            w[j] = 0.5;
        free(mean);
        free(n);
        return;
    }
    double ss = 0.0, between = 0.0, inv_n = 0.0;
    int dof = 0, m = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < p; j++) {
            const double *y = ty + (size_t)j * Y, *g = py + (size_t)d->parent[j] * Y;
            for (int t = 1; t < Y; t++) {
                if (!(y[t - 1] > 0) || !(g[t - 1] > 0))
                    continue;
                double dev = (y[t] / y[t - 1]) - (g[t] / g[t - 1]);
                if (pass == 0) {
                    mean[j] += dev;
                    n[j]++;
                } else {
                    ss += (dev - mean[j]) * (dev - mean[j]);
                }
            }
            if (pass == 0 && n[j] > 0) {
                mean[j] /= n[j];
                between += mean[j] * mean[j];
                inv_n += 1.0 / n[j];
                m++;
                dof += n[j] - 1;
            }
        }
    double s2 = dof > 0 ? ss / dof : NAN;
    double tau2 = m > 0 && isfinite(s2) ? fmax(0.0, between / m - s2 * inv_n / m) : NAN;
    for (int j = 0; j < p; j++) {
        if (!isfinite(tau2) || n[j] == 0)
            w[j] = isfinite(tau2) ? 0.0 : 0.5; /* no growth seen: the parent's; nothing to judge by: halfway */
        else
            w[j] = tau2 + s2 / n[j] > 0 ? tau2 / (tau2 + s2 / n[j]) : 1.0;
    }
    free(mean);
    free(n);
}

/* SHRINK: last year x (1 + the parent's damped growth + w x (the
   territory's damped growth - the parent's)). */
static tqo_status shrink_point(const forecast_pool_data *d, int Y, int h, double *out, long *evals)
{
    int p = d->p, G = d->n_parents > 0 ? d->n_parents : 1;
    double *ty = malloc(((size_t)p * Y + 1) * sizeof(double));
    double *py = calloc((size_t)G * Y + 1, sizeof(double));
    double *gp = malloc(((size_t)G + 1) * sizeof(double));
    double *w = malloc(((size_t)p + 1) * sizeof(double));
    if (!ty || !py || !gp || !w) {
        free(ty);
        free(py);
        free(gp);
        free(w);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++) {
        yearly(d, j, Y, ty + (size_t)j * Y);
        for (int t = 0; t < Y; t++)
            py[(size_t)d->parent[j] * Y + t] += ty[(size_t)j * Y + t];
    }
    for (int g = 0; g < G; g++) {
        double last = py[(size_t)g * Y + Y - 1];
        double f = tqoi_forecast_damped(py + (size_t)g * Y, Y, h, NULL);
        gp[g] = last > 0 ? f / last - 1.0 : 0.0;
    }
    shrink_weights(d, Y, ty, py, w);
    for (int j = 0; j < p; j++) {
        const double *y = ty + (size_t)j * Y;
        double own = tqoi_forecast_damped(y, Y, h, NULL);
        double last = y[Y - 1], g = gp[d->parent[j]];
        out[j] = last > 0 ? last * (1.0 + g + w[j] * (own / last - 1.0 - g)) : own;
    }
    if (evals)
        *evals += 240L * (p + G);
    free(ty);
    free(py);
    free(gp);
    free(w);
    return TQO_OK;
}

tqo_status tqoi_forecast_pool_point(const forecast_pool_data *d, int Y, int h, forecast_method m, double *out,
                                    long *evals)
{
    if (Y < 1 || h < 1 || m == FORECAST_AUTO || (int)m < 0 || (int)m >= FORECAST_N_SLOTS)
        return TQO_ERR_ARG;
    int p = d->p;
    tqo_status st = TQO_OK;
    if (m == FORECAST_SHRINK) {
        st = shrink_point(d, Y, h, out, evals);
    } else {
        double *y = malloc(((size_t)Y + 1) * sizeof(double));
        if (!y)
            return TQO_ERR_NOMEM;
        for (int j = 0; j < p && st == TQO_OK; j++) {
            long ev = 0;
            if (m == FORECAST_SEASONAL) {
                out[j] = tqoi_forecast_seasonal(d->periods + (size_t)j * d->stride, Y * d->per_year, d->per_year, h,
                                                &ev);
            } else {
                forecast_result fr;
                yearly(d, j, Y, y);
                st = tqoi_forecast_point(m, y, Y, h, &fr);
                out[j] = fr.value;
                ev = m == FORECAST_DAMPED ? 240 : m == FORECAST_HOLT ? 441 : 1;
            }
            if (evals)
                *evals += ev;
        }
        free(y);
    }
    for (int j = 0; st == TQO_OK && j < p; j++)
        if (!(out[j] > 0)) /* also a NAN from a degenerate fit */
            out[j] = 0.0;
    return st;
}

/* Raw forecasts f of fold year t against actual a: the pooled sums. */
typedef struct pool_sums {
    double ape, abs_err, abs_act, raw, act;
} pool_sums;

static void fold_errors(const double *f, const double *a, int p, pool_sums *s, int *n_terms)
{
    double fs = 0.0, as = 0.0;
    for (int j = 0; j < p; j++) {
        fs += f[j];
        as += a[j];
    }
    for (int j = 0; j < p; j++) {
        /* scaled to the actual company total: the split of the number */
        double q = fs > 0 ? f[j] * (as / fs) : as / p;
        double e = q - a[j];
        s->abs_err += fabs(e);
        s->abs_act += fabs(a[j]);
        if (a[j] != 0.0) {
            s->ape += 100.0 * fabs(e) / fabs(a[j]);
            if (n_terms)
                (*n_terms)++;
        }
    }
    s->raw += fs;
    s->act += as;
}

tqo_status tqoi_forecast_pool_backtest(const forecast_pool_data *d, int Y, int min_train, forecast_pool_backtest *bt)
{
    memset(bt, 0, sizeof *bt);
    int p = d->p, nf = Y > min_train && min_train >= 1 ? Y - min_train : 0;
    bt->n_folds = nf;
    bt->min_train = min_train;
    for (int k = 0; k < FORECAST_POOL_N; k++)
        bt->mape[k] = bt->wape[k] = bt->bias[k] = NAN;
    if (nf == 0)
        return TQO_OK;
    double *f = malloc(((size_t)p + 1) * sizeof(double));
    double *a = malloc(((size_t)p + 1) * sizeof(double));
    double *y = malloc(((size_t)Y + 1) * sizeof(double));
    if (!f || !a || !y) {
        free(f);
        free(a);
        free(y);
        return TQO_ERR_NOMEM;
    }
    pool_sums s[FORECAST_POOL_N];
    memset(s, 0, sizeof s);
    tqo_status st = TQO_OK;
    for (int t = min_train; t < Y && st == TQO_OK; t++) {
        double prev = 0.0, prev2 = 0.0;
        for (int j = 0; j < p; j++) {
            yearly(d, j, t + 1, y);
            a[j] = y[t];
            prev += y[t - 1];
            prev2 += t >= 2 ? y[t - 2] : y[t - 1];
        }
        for (int k = 0; k < FORECAST_POOL_N && st == TQO_OK; k++) {
            st = tqoi_forecast_pool_point(d, t, 1, tqoi_forecast_pool_methods[k], f, &bt->evals);
            if (k == 0 && prev2 > 0) /* the naive quota: last year x the company's last growth */
                for (int j = 0; j < p; j++)
                    f[j] *= prev / prev2;
            if (st == TQO_OK)
                fold_errors(f, a, p, &s[k], k == 0 ? &bt->n_terms : NULL);
        }
    }
    bt->n_skipped = nf * p - bt->n_terms;
    for (int k = 0; k < FORECAST_POOL_N; k++) {
        bt->mape[k] = bt->n_terms > 0 ? s[k].ape / bt->n_terms : NAN;
        bt->wape[k] = s[k].abs_act > 0 ? 100.0 * s[k].abs_err / s[k].abs_act : NAN;
        bt->bias[k] = s[k].act != 0 ? 100.0 * (s[k].raw / s[k].act - 1.0) : NAN;
    }
    /* Strictly better by more than rounding, else the earlier method. */
    for (int k = 1; k < FORECAST_POOL_N; k++)
        if (isfinite(bt->mape[k]) &&
            (!isfinite(bt->mape[bt->chosen]) || bt->mape[k] < bt->mape[bt->chosen] * (1 - 1e-9) - 1e-12))
            bt->chosen = k;
    free(f);
    free(a);
    free(y);
    return st;
}
