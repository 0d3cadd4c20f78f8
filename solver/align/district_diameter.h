/* District diameter (internal): the objective of the commercial districting
   literature, the largest distance between two units of one district. */
#ifndef TQO_DISTRICT_DIAMETER_H
#define TQO_DISTRICT_DIAMETER_H

#include <stddef.h>

/*
 * Units i with terr[i] in [0, p) belong to district terr[i]; others (-1)
 * are left out, as are units with non-finite coordinates. diam[j] (may be
 * NULL) receives the Euclidean diameter of district j, 0 when it has fewer
 * than 2 units. Returns the largest, or -1 when out of memory. O(n log n):
 * convex hull of each district, then rotating calipers on the hull.
 */
double tqoi_district_diameter(int n, const double *x, const double *y, const int *terr, int p, double *diam);

/* The diameter of the m points (px[i], py[i]) by the same hull and
   calipers; work holds tqoi_points_diameter_work(m) bytes. */
size_t tqoi_points_diameter_work(int m);
double tqoi_points_diameter(const double *px, const double *py, int m, void *work);

#endif
