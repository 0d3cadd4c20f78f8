/*
 * Yearly forecasts (last, trend, Holt), their rolling-origin backtest,
 * seasonal indices and the exact split of a quota into period quotas.
 * See forecast.h for the definitions; the comments here say why.
 */
#include "quota/forecast.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

const char *tqoi_forecast_method_name(forecast_method m)
{
    switch (m) {
    case FORECAST_LAST: return "last";
    case FORECAST_TREND: return "trend";
    case FORECAST_HOLT: return "holt";
    case FORECAST_AUTO: return "auto";
    case FORECAST_DAMPED: return "damped";
    case FORECAST_SEASONAL: return "seasonal";
    case FORECAST_SHRINK: return "shrink";
    default: return "?";
    }
}

/* strcasecmp is POSIX only; this keeps the module plain C11. */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int tqoi_forecast_method_parse(const char *s, forecast_method *m)
{
    static const forecast_method all[] = {FORECAST_LAST,   FORECAST_TREND,    FORECAST_HOLT,  FORECAST_AUTO,
                                          FORECAST_DAMPED, FORECAST_SEASONAL, FORECAST_SHRINK};
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (same_name(s, tqoi_forecast_method_name(all[i]))) {
            *m = all[i];
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Point forecasts                                                     */
/* ------------------------------------------------------------------ */

double tqoi_forecast_last(const double *y, int T, int h)
{
    (void)h;
    return y[T - 1];
}

double tqoi_forecast_trend(const double *y, int T, int h)
{
    if (T == 1)
        return y[0];
    /* Centred abscissae keep the normal equations well conditioned and make
       the intercept the mean, so a constant series gives slope 0 exactly. */
    double xbar = 0.5 * (T - 1), ybar = 0.0;
    for (int t = 0; t < T; t++)
        ybar += y[t];
    ybar /= T;
    double sxy = 0.0, sxx = 0.0;
    for (int t = 0; t < T; t++) {
        double dx = t - xbar;
        sxy += dx * (y[t] - ybar);
        sxx += dx * dx;
    }
    return ybar + sxy / sxx * ((T - 1 + h) - xbar);
}

double tqoi_forecast_holt_with(const double *y, int T, int h, double alpha, double beta, double *sse)
{
    double l = y[0], b = T > 1 ? y[1] - y[0] : 0.0, s = 0.0;
    for (int t = 1; t < T; t++) {
        double f = l + b;
        double e = y[t] - f;
        s += e * e; /* e == 0 at t = 1 by the choice of b[0] */
        double ln = alpha * y[t] + (1.0 - alpha) * f;
        b = beta * (ln - l) + (1.0 - beta) * b;
        l = ln;
    }
    if (sse)
        *sse = s;
    return l + h * b;
}

static double holt_sse(const double *y, int T, double alpha, double beta)
{
    double s;
    tqoi_forecast_holt_with(y, T, 1, alpha, beta, &s);
    return s;
}

/* Strict improvement with a relative margin, so rounding noise between
   equally good parameters never moves the incumbent. */
static int better(double cand, double inc)
{
    if (isinf(inc)) /* an overflowed sse: any finite one is better */
        return cand < inc;
    return cand < inc - 1e-12 * inc;
}

double tqoi_forecast_holt(const double *y, int T, int h, forecast_holt_fit *fit)
{
    double a = FORECAST_HOLT_ALPHA_DEFAULT, b = FORECAST_HOLT_BETA_DEFAULT;
    double best = holt_sse(y, T, a, b);
    int fitted = 0;
    /* The errors at t = 2..T-1 are informative; at T == 3 the only one,
       y[2] - (2 y[1] - y[0]), does not depend on alpha or beta. */
    if (T >= 4) {
        fitted = 1;
        for (int i = 0; i <= 20; i++)
            for (int j = 0; j <= 20; j++) {
                double ca = 0.05 * i, cb = 0.05 * j;
                double s = holt_sse(y, T, ca, cb);
                if (better(s, best)) {
                    best = s;
                    a = ca;
                    b = cb;
                }
            }
        /* Pattern search from the best grid point: the sse surface is
           smooth but not convex, so a local search only polishes it. The
           move cap bounds the work whatever the data. */
        double step = 0.025;
        int moves = 0;
        while (step >= 1e-4 && moves < 400) {
            double na[4] = {a + step, a - step, a, a};
            double nb[4] = {b, b, b + step, b - step};
            int k_best = -1;
            double s_best = best;
            for (int k = 0; k < 4; k++) {
                double ca = fmin(1.0, fmax(0.0, na[k])), cb = fmin(1.0, fmax(0.0, nb[k]));
                double s = holt_sse(y, T, ca, cb);
                if (better(s, s_best)) {
                    s_best = s;
                    k_best = k;
                    na[k] = ca;
                    nb[k] = cb;
                }
            }
            if (k_best >= 0) {
                a = na[k_best];
                b = nb[k_best];
                best = s_best;
                moves++;
            } else {
                step *= 0.5;
            }
        }
    }
    if (fit) {
        fit->alpha = a;
        fit->beta = b;
        fit->sse = best;
        fit->n_errors = T > 2 ? T - 2 : 0;
        fit->fitted = fitted;
    }
    return tqoi_forecast_holt_with(y, T, h, a, b, NULL);
}

/* One concrete method, inputs already checked. On yearly totals alone
   SEASONAL has no seasons and SHRINK no parent: both are the damped trend
   here (forecast_pool.c gives them their periods and parents). */
static double forecast_by(forecast_method m, const double *y, int T, int h, forecast_holt_fit *fit)
{
    switch (m) {
    case FORECAST_TREND: return tqoi_forecast_trend(y, T, h);
    case FORECAST_HOLT: return tqoi_forecast_holt(y, T, h, fit);
    case FORECAST_DAMPED:
    case FORECAST_SEASONAL:
    case FORECAST_SHRINK: return tqoi_forecast_damped(y, T, h, NULL);
    default: return tqoi_forecast_last(y, T, h);
    }
}

/* ------------------------------------------------------------------ */
/* Damped trend and damped Holt-Winters                                */
/* ------------------------------------------------------------------ */

/* phi + phi^2 + ... + phi^h */
static double damp_sum(double phi, int h)
{
    double s = 0.0, f = 1.0;
    for (int i = 0; i < h; i++) {
        f *= phi;
        s += f;
    }
    return s;
}

double tqoi_forecast_damped_with(const double *y, int T, int h, double alpha, double beta, double phi,
                                 double *sse)
{
    double l = y[0], b = T > 1 ? y[1] - y[0] : 0.0, s = 0.0;
    for (int t = 1; t < T; t++) {
        double f = l + phi * b;
        double e = y[t] - f;
        if (t >= 2) /* at t = 1 the error only reflects b[0]'s choice */
            s += e * e;
        double ln = alpha * y[t] + (1.0 - alpha) * f;
        b = beta * (ln - l) + (1.0 - beta) * phi * b;
        l = ln;
    }
    if (sse)
        *sse = s;
    return l + damp_sum(phi, h) * b;
}

double tqoi_forecast_damped(const double *y, int T, int h, forecast_damped_fit *fit)
{
    static const double PHI[] = {0.8, 0.9, 0.95, 0.98};
    double a = FORECAST_DAMPED_ALPHA_DEFAULT, b = FORECAST_DAMPED_BETA_DEFAULT, ph = FORECAST_DAMPED_PHI_DEFAULT;
    double best;
    tqoi_forecast_damped_with(y, T, 1, a, b, ph, &best);
    int fitted = 0;
    /* As for Holt: below 4 years the in-sample errors cannot tell the
       parameters apart, so the defaults stand. */
    if (T >= 4) {
        fitted = 1;
        best = INFINITY;
        for (int i = 1; i <= 10; i++)
            for (int j = 0; j <= 5; j++)
                for (int k = 0; k < 4; k++) {
                    double sse;
                    tqoi_forecast_damped_with(y, T, 1, 0.1 * i, 0.1 * j, PHI[k], &sse);
                    if (better(sse, best)) {
                        best = sse;
                        a = 0.1 * i;
                        b = 0.1 * j;
                        ph = PHI[k];
                    }
                }
    }
    if (fit)
        *fit = (forecast_damped_fit){a, b, ph, best, fitted};
    return tqoi_forecast_damped_with(y, T, h, a, b, ph, NULL);
}

/* One damped additive Holt-Winters pass; returns the sse of the one-step
   errors after the first year and, when total is not NULL, the h-th
   year's total ahead. */
static double hw_run(const double *v, int n, int per, double al, double be, double ga, double phi, int h,
                     double *total)
{
    double season[12], l = 0.0, b = 0.0;
    for (int k = 0; k < per; k++)
        l += v[k];
    l /= per;
    if (n >= 2 * per) {
        double l2 = 0.0;
        for (int k = 0; k < per; k++)
            l2 += v[per + k];
        b = (l2 / per - l) / per;
    }
    for (int k = 0; k < per; k++)
        season[k] = v[k] - l;
    double sse = 0.0;
    for (int t = per; t < n; t++) {
        double *s = &season[t % per];
        double f = l + phi * b + *s;
        double e = v[t] - f;
        sse += e * e;
        double ln = al * (v[t] - *s) + (1.0 - al) * (l + phi * b);
        b = be * (ln - l) + (1.0 - be) * phi * b;
        *s = ga * (v[t] - ln) + (1.0 - ga) * *s;
        l = ln;
    }
    if (total) {
        double sum = 0.0;
        for (int k = 1; k <= per; k++) {
            int ahead = (h - 1) * per + k;
            sum += l + damp_sum(phi, ahead) * b + season[(n + ahead - 1) % per];
        }
        *total = sum;
    }
    return sse;
}

double tqoi_forecast_seasonal(const double *v, int n, int per, int h, long *evals)
{
    if (per <= 1 || per > 12 || n < per) {
        if (evals)
            *evals = 240;
        return tqoi_forecast_damped(v, n, h, NULL);
    }
    static const double BE[] = {0.0, 0.1, 0.3}, GA[] = {0.1, 0.3, 0.5}, PHI[] = {0.8, 0.9, 0.98};
    double best = INFINITY, pa = 0.5, pb = 0.1, pg = 0.3, pp = 0.9;
    long k = 0;
    /* With one year there are no errors to fit on: the defaults stand. */
    if (n > per)
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 3; j++)
                for (int g = 0; g < 3; g++)
                    for (int f = 0; f < 3; f++, k++) {
                        double al = 0.1 + 0.2 * i;
                        double sse = hw_run(v, n, per, al, BE[j], GA[g], PHI[f], 1, NULL);
                        if (better(sse, best)) {
                            best = sse;
                            pa = al;
                            pb = BE[j];
                            pg = GA[g];
                            pp = PHI[f];
                        }
                    }
    if (evals)
        *evals = k;
    double total;
    hw_run(v, n, per, pa, pb, pg, pp, h, &total);
    return total;
}

static int all_finite(const double *y, long n)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return 0;
    return 1;
}

tqo_status tqoi_forecast_point(forecast_method m, const double *y, int T, int h, forecast_result *out)
{
    if (!y || !out || T < 1 || h < 1 || (int)m < 0 || (int)m >= FORECAST_N_SLOTS)
        return TQO_ERR_ARG;
    if (!all_finite(y, T))
        return TQO_ERR_INPUT;
    if (m == FORECAST_AUTO) {
        forecast_backtest bt;
        tqo_status st = tqoi_forecast_backtest_run(y, 1, T, FORECAST_MIN_TRAIN_DEFAULT, &bt);
        if (st != TQO_OK)
            return st;
        m = bt.best;
        tqoi_forecast_backtest_free(&bt);
    }
    out->method = m;
    out->holt = (forecast_holt_fit){0};
    out->value = forecast_by(m, y, T, h, &out->holt);
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Rolling-origin backtest                                             */
/* ------------------------------------------------------------------ */

/* Mean |y[i] - y[i-1]| over y[0..n-1], and mean |y| for the tolerance. */
static double naive_mae(const double *y, int n, double *mean_abs)
{
    double d = 0.0, a = 0.0;
    for (int i = 0; i < n; i++) {
        a += fabs(y[i]);
        if (i > 0)
            d += fabs(y[i] - y[i - 1]);
    }
    *mean_abs = a / n;
    return n > 1 ? d / (n - 1) : 0.0;
}

/* A scale that is 0 but for rounding of summed data would make scaled
   errors explode, so small relative to the level counts as none. */
static int scale_ok(double s, double mean_abs, int n)
{
    return n > 1 && s > 1e-9 * mean_abs && s > 0.0;
}

void tqoi_forecast_backtest_free(forecast_backtest *bt)
{
    free(bt->train_len);
    free(bt->fold_mape);
    free(bt->fold_mase);
    bt->train_len = NULL;
    bt->fold_mape = bt->fold_mase = NULL;
}

/* NAN ranks worst; within the tolerance the incumbent (earlier) stays. */
static int mase_better(double cand, double inc)
{
    if (isnan(cand))
        return 0;
    if (isnan(inc))
        return 1;
    return cand < inc - (1e-9 * fabs(inc) + 1e-12);
}

tqo_status tqoi_forecast_backtest_run(const double *y, int n_series, int n_years, int min_train,
                                 forecast_backtest *bt)
{
    *bt = (forecast_backtest){0};
    if (!y || n_series < 1 || n_years < 1 || min_train < 1)
        return TQO_ERR_ARG;
    if (!all_finite(y, (long)n_series * n_years))
        return TQO_ERR_INPUT;
    int nf = n_years > min_train ? n_years - min_train : 0;
    bt->n_series = n_series;
    bt->n_years = n_years;
    bt->min_train = min_train;
    bt->n_folds = nf;
    bt->best = FORECAST_LAST;
    for (int m = 0; m < FORECAST_N_METHODS; m++)
        bt->mape[m] = bt->mase[m] = NAN;
    if (nf == 0)
        return TQO_OK;

    /* Sums first, means at the end; the per-fold counts of MAPE terms are
       the same for every method since they depend on the actual only. */
    bt->train_len = malloc(sizeof *bt->train_len * (size_t)nf);
    bt->fold_mape = calloc((size_t)nf * FORECAST_N_METHODS, sizeof *bt->fold_mape);
    bt->fold_mase = calloc((size_t)nf * FORECAST_N_METHODS, sizeof *bt->fold_mase);
    int *fold_nmape = calloc((size_t)nf, sizeof *fold_nmape);
    if (!bt->train_len || !bt->fold_mape || !bt->fold_mase || !fold_nmape) {
        free(fold_nmape);
        tqoi_forecast_backtest_free(bt);
        return TQO_ERR_NOMEM;
    }
    for (int f = 0; f < nf; f++)
        bt->train_len[f] = min_train + f;

    double sum_ape[FORECAST_N_METHODS] = {0}, sum_ase[FORECAST_N_METHODS] = {0};
    for (int s = 0; s < n_series; s++) {
        const double *ys = y + (size_t)s * n_years;
        double whole_abs;
        double whole_scale = naive_mae(ys, n_years, &whole_abs);
        int whole_ok = scale_ok(whole_scale, whole_abs, n_years);
        for (int f = 0; f < nf; f++) {
            int t = min_train + f;
            double actual = ys[t], train_abs;
            double scale = naive_mae(ys, t, &train_abs);
            if (!scale_ok(scale, train_abs, t)) {
                scale = whole_ok ? whole_scale : 0.0;
                bt->n_scale_fallback++;
            }
            bt->n_mase_terms++;
            if (actual != 0.0) {
                bt->n_mape_terms++;
                fold_nmape[f]++;
            } else {
                bt->n_mape_skipped++;
            }
            for (int m = 0; m < FORECAST_N_METHODS; m++) {
                double e = fabs(actual - forecast_by((forecast_method)m, ys, t, 1, NULL));
                double ase;
                if (scale > 0.0)
                    ase = e / scale;
                else /* the whole series is flat: only rounding may miss it */
                    ase = e <= 1e-9 * fmax(whole_abs, 1e-300) ? 0.0 : INFINITY;
                sum_ase[m] += ase;
                bt->fold_mase[m * nf + f] += ase;
                if (actual != 0.0) {
                    double ape = 100.0 * e / fabs(actual);
                    sum_ape[m] += ape;
                    bt->fold_mape[m * nf + f] += ape;
                }
            }
        }
    }
    for (int m = 0; m < FORECAST_N_METHODS; m++) {
        bt->mase[m] = sum_ase[m] / bt->n_mase_terms;
        bt->mape[m] = bt->n_mape_terms > 0 ? sum_ape[m] / bt->n_mape_terms : NAN;
        for (int f = 0; f < nf; f++) {
            bt->fold_mase[m * nf + f] /= n_series;
            bt->fold_mape[m * nf + f] = fold_nmape[f] > 0 ? bt->fold_mape[m * nf + f] / fold_nmape[f] : NAN;
        }
    }
    free(fold_nmape);
    for (int m = 1; m < FORECAST_N_METHODS; m++)
        if (mase_better(bt->mase[m], bt->mase[bt->best]))
            bt->best = (forecast_method)m;
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Seasonal indices and the split into period quotas                   */
/* ------------------------------------------------------------------ */

int tqoi_forecast_complete_years(int per_year, int period_first, int n_periods, int *offset, int *first_year)
{
    if (per_year < 1 || n_periods < 1 || period_first < 0) {
        *offset = 0;
        *first_year = 0;
        return 0;
    }
    /* Ordinals count from year 0, so a year starts where ordinal % per_year
       is 0. */
    int off = (per_year - period_first % per_year) % per_year;
    *offset = off;
    *first_year = (period_first + off) / per_year;
    return n_periods > off ? (n_periods - off) / per_year : 0;
}

void tqoi_forecast_yearly_totals(const double *v, int n_years, int per_year, double *totals)
{
    for (int k = 0; k < n_years; k++) {
        double s = 0.0;
        for (int p = 0; p < per_year; p++)
            s += v[(size_t)k * per_year + p];
        totals[k] = s;
    }
}

tqo_status tqoi_forecast_seasonal_indices(const double *v, int n_years, int per_year, double *idx, int *n_used)
{
    if (per_year < 1 || n_years < 0 || !idx || (n_years > 0 && !v))
        return TQO_ERR_ARG;
    if (!all_finite(v, (long)n_years * per_year))
        return TQO_ERR_INPUT;
    for (int p = 0; p < per_year; p++)
        idx[p] = 0.0;
    /* Shares per year, then their mean: each year counts equally whatever
       its size, so growth does not tilt the indices toward late years. */
    int used = 0;
    for (int k = 0; k < n_years; k++) {
        const double *row = v + (size_t)k * per_year;
        double total = 0.0;
        for (int p = 0; p < per_year; p++)
            total += fmax(row[p], 0.0);
        if (!(total > 0.0))
            continue;
        for (int p = 0; p < per_year; p++)
            idx[p] += fmax(row[p], 0.0) / total;
        used++;
    }
    if (n_used)
        *n_used = used;
    double sum = 0.0;
    for (int p = 0; p < per_year; p++)
        sum += idx[p];
    for (int p = 0; p < per_year; p++)
        idx[p] = used > 0 ? idx[p] / sum : 1.0 / per_year;
    return TQO_OK;
}

typedef struct remainder_item {
    double frac;
    int i;
} remainder_item;

/* Largest remainder first, then the lower index: a total order, so qsort's
   instability cannot change the result. */
static int by_remainder(const void *pa, const void *pb)
{
    const remainder_item *a = pa, *b = pb;
    if (a->frac != b->frac)
        return a->frac > b->frac ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

tqo_status tqoi_forecast_split_cents(double amount, const double *weights, int n, int64_t *cents, double *parts)
{
    if (n < 1 || !weights || !cents || !isfinite(amount) || fabs(amount) > 9e13)
        return TQO_ERR_ARG;
    double wsum = 0.0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] < 0.0)
            return TQO_ERR_ARG;
        wsum += weights[i];
    }
    if (!isfinite(wsum))
        return TQO_ERR_ARG;
    remainder_item *r = malloc(sizeof *r * (size_t)n);
    if (!r)
        return TQO_ERR_NOMEM;
    /* Whole cents as integers: below 2^53 every cent is exact in a double,
       and the sum is then checked in integers, not floating point. */
    int64_t total = (int64_t)llround(fabs(amount) * 100.0);
    int64_t given = 0;
    for (int i = 0; i < n; i++) {
        double w = wsum > 0.0 ? weights[i] / wsum : 1.0 / n;
        double raw = (double)total * w;
        double fl = floor(raw);
        cents[i] = (int64_t)fl;
        r[i].frac = raw - fl;
        r[i].i = i;
        given += cents[i];
    }
    qsort(r, (size_t)n, sizeof *r, by_remainder);
    int64_t left = total - given;
    /* Usually 0 <= left < n. Rounding in raw can make the floors overshoot
       or undershoot by a cent or so; both loops keep going round until the
       sum is exact, never taking a part below 0. */
    for (int k = 0; left > 0; k = (k + 1) % n) {
        cents[r[k].i]++;
        left--;
    }
    for (int k = n - 1; left < 0; k = (k + n - 1) % n) {
        if (cents[r[k].i] > 0) {
            cents[r[k].i]--;
            left++;
        }
    }
    free(r);
    if (amount < 0.0)
        for (int i = 0; i < n; i++)
            cents[i] = -cents[i];
    if (parts)
        for (int i = 0; i < n; i++)
            parts[i] = (double)cents[i] / 100.0;
    return TQO_OK;
}
