/* Distribution metrics for quota scenarios (see metrics.h). */
#include "quota/metrics.h"

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

double tqoi_metric_quantile_sorted(const double *w, int m, double q)
{
    if (m == 0)
        return NAN;
    double pos = q * (m - 1);
    int k = (int)floor(pos);
    if (k + 1 >= m)
        return w[m - 1];
    return w[k] + (pos - k) * (w[k + 1] - w[k]);
}

double tqoi_metric_percentile(const double *v, int n, double q, double *work)
{
    return tqoi_metric_quantile_sorted(work, finite_copy(v, n, work), q);
}

double tqoi_metric_gini_sorted(const double *w, int m)
{
    double sum = 0, wsum = 0;
    /* G = sum_i (2i - m - 1) x_(i) / (m sum x), x sorted, i from 1 */
    for (int i = 0; i < m; i++) {
        sum += w[i];
        wsum += (2.0 * (i + 1) - m - 1) * w[i];
    }
    if (m == 0 || !(sum > 0))
        return NAN;
    return wsum / (m * sum);
}

double tqoi_metric_gini(const double *v, int n, double *work)
{
    return tqoi_metric_gini_sorted(work, finite_copy(v, n, work));
}

#define SWAP_PAIR(i, j)                                                                                              \
    do {                                                                                                             \
        double tk = key[i];                                                                                          \
        int ti = idx[i];                                                                                             \
        key[i] = key[j];                                                                                             \
        idx[i] = idx[j];                                                                                             \
        key[j] = tk;                                                                                                 \
        idx[j] = ti;                                                                                                 \
    } while (0)

void tqoi_metric_sort_pairs(double *key, int *idx, int n)
{
    /* Quicksort with a median-of-three pivot, recursing on the smaller
       side (stack depth log n), insertion sort below 16. */
    while (n > 16) {
        int mid = n / 2;
        if (key[mid] < key[0])
            SWAP_PAIR(mid, 0);
        if (key[n - 1] < key[0])
            SWAP_PAIR(n - 1, 0);
        if (key[n - 1] < key[mid])
            SWAP_PAIR(n - 1, mid);
        double piv = key[mid];
        int i = 0, j = n - 1;
        for (;;) {
            while (key[i] < piv)
                i++;
            while (piv < key[j])
                j--;
            if (i >= j)
                break;
            SWAP_PAIR(i, j);
            i++;
            j--;
        }
        /* [0, j] <= piv <= [j+1, n) */
        int left = j + 1;
        if (left < n - left) {
            tqoi_metric_sort_pairs(key, idx, left);
            key += left;
            idx += left;
            n -= left;
        } else {
            tqoi_metric_sort_pairs(key + left, idx + left, n - left);
            n = left;
        }
    }
    for (int i = 1; i < n; i++) {
        double k = key[i];
        int x = idx[i], j = i - 1;
        while (j >= 0 && key[j] > k) {
            key[j + 1] = key[j];
            idx[j + 1] = idx[j];
            j--;
        }
        key[j + 1] = k;
        idx[j + 1] = x;
    }
}

void tqoi_metric_ranks_inplace(double *key, int n, double *r, int *idx)
{
    for (int i = 0; i < n; i++)
        idx[i] = i;
    tqoi_metric_sort_pairs(key, idx, n);
    for (int k = 0; k < n;) {
        int e = k;
        while (e + 1 < n && key[e + 1] == key[k])
            e++;
        double avg = (k + e) / 2.0 + 1;
        for (int q = k; q <= e; q++)
            r[idx[q]] = avg;
        k = e + 1;
    }
}

double tqoi_metric_spearman(const double *x, const double *y, int n, double *work, int *iwork)
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
    tqoi_metric_ranks_inplace(xs, m, rx, iwork); /* xs, ys are copies: sorted in place */
    tqoi_metric_ranks_inplace(ys, m, ry, iwork);
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
