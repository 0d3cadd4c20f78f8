/* Distribution metrics for quota scenarios (internal): percentiles, Gini,
   Spearman rank correlation. All pure functions of their inputs. */
#ifndef TQO_METRICS_H
#define TQO_METRICS_H

/* q-quantile (0..1) by linear interpolation between order statistics; NAN
   values are left out; NAN when none remain. work: n doubles of scratch. */
double tqoi_metric_percentile(const double *v, int n, double q, double *work);
/* Gini coefficient of non-negative values (0: all equal); NAN when the
   total is 0 or no value is finite. work: n doubles. */
double tqoi_metric_gini(const double *v, int n, double *work);
/* Spearman rank correlation (average ranks for ties); NAN when either side
   is constant or fewer than 2 pairs. work: 4n doubles, iwork: n ints. */
double tqoi_metric_spearman(const double *x, const double *y, int n, double *work, int *iwork);

/* Average ranks (1-based; ties get the mean of their ranks) of key[0..n),
   which is sorted in place: r[i] is the rank of the original key[i].
   idx: n ints of scratch. */
void tqoi_metric_ranks_inplace(double *key, int n, double *r, int *idx);
/* The q-quantile of m sorted finite values (as tqoi_metric_percentile). */
double tqoi_metric_quantile_sorted(const double *sorted, int m, double q);
/* Gini of m sorted finite values (as tqoi_metric_gini). */
double tqoi_metric_gini_sorted(const double *sorted, int m);
/* Sorts key[0..n) ascending, carrying idx along: an inlined quicksort,
   several times faster than qsort for the few hundred values of one
   replicate, which is the Monte Carlo's inner loop. Keys must not be NAN. */
void tqoi_metric_sort_pairs(double *key, int *idx, int n);

#endif
