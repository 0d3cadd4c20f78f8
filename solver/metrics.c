/* Distribution metrics for quota scenarios (see metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int finite_copy(const double *v, int n, double *w)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            w[m++] = v[i];
    qsort(w, (size_t)m, sizeof *w, cmp_d);
    return m;
}

double metric_percentile(const double *v, int n, double q, double *work)
{
    int m = finite_copy(v, n, work);
    if (m == 0)
        return NAN;
    double pos = q * (m - 1);
    int k = (int)floor(pos);
    if (k + 1 >= m)
        return work[m - 1];
    return work[k] + (pos - k) * (work[k + 1] - work[k]);
}

double metric_gini(const double *v, int n, double *work)
{
    int m = finite_copy(v, n, work);
    double sum = 0, wsum = 0;
    /* G = sum_i (2i - m - 1) x_(i) / (m sum x), x sorted, i from 1 */
    for (int i = 0; i < m; i++) {
        sum += work[i];
        wsum += (2.0 * (i + 1) - m - 1) * work[i];
    }
    if (m == 0 || !(sum > 0))
        return NAN;
    return wsum / (m * sum);
}

/* the sort key, per thread: scenarios are scored in parallel */
static _Thread_local const double *rank_key;
static int cmp_idx(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (rank_key[i] != rank_key[j])
        return rank_key[i] < rank_key[j] ? -1 : 1;
    return i - j;
}

/* Average ranks (1-based) of v[0..n) into r; idx: n ints of scratch. */
static void ranks(const double *v, int n, double *r, int *idx)
{
    for (int i = 0; i < n; i++)
        idx[i] = i;
    rank_key = v;
    qsort(idx, (size_t)n, sizeof *idx, cmp_idx);
    for (int k = 0; k < n;) {
        int e = k;
        while (e + 1 < n && v[idx[e + 1]] == v[idx[k]])
            e++;
        double avg = (k + e) / 2.0 + 1;
        for (int q = k; q <= e; q++)
            r[idx[q]] = avg;
        k = e + 1;
    }
}

double metric_spearman(const double *x, const double *y, int n, double *work, int *iwork)
{
    double *xs = work, *ys = work + n, *rx = work + 2 * n, *ry = work + 3 * n;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            xs[m] = x[i];
            ys[m] = y[i];
            m++;
        }
    if (m < 2)
        return NAN;
    ranks(xs, m, rx, iwork);
    ranks(ys, m, ry, iwork);
    /* Pearson correlation of the ranks: right with ties too */
    double mx = 0, my = 0;
    for (int i = 0; i < m; i++) {
        mx += rx[i];
        my += ry[i];
    }
    mx /= m;
    my /= m;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < m; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}
