/*
 * District diameter. The farthest pair of a point set lies on its convex
 * hull, so each district's hull is built (Andrew's monotone chain) and its
 * antipodal pairs are walked with rotating calipers: O(m log m) for m
 * units, where all pairs would be O(m^2) and hulls of units along a coast
 * or a ring can hold most of the points.
 */
#include "align/district_diameter.h"
#include "align/map_svg.h"
#include "tqo.h"

#include <math.h>
#include <stdlib.h>

typedef struct pt {
    double x, y;
} pt;

static int cmp_pt(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

/* Twice the signed area of (o, a, b): > 0 when b is left of o->a. */
static double cross(pt o, pt a, pt b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static double dist2(pt a, pt b)
{
    return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

/* Counter-clockwise hull of m sorted points into h (2m slots), without
   collinear vertices; the vertex count. */
static int hull(const pt *s, int m, pt *h)
{
    int k = 0;
    for (int i = 0; i < m; i++) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], s[i]) <= 0)
            k--;
        h[k++] = s[i];
    }
    for (int i = m - 2, lower = k + 1; i >= 0; i--) {
        while (k >= lower && cross(h[k - 2], h[k - 1], s[i]) <= 0)
            k--;
        h[k++] = s[i];
    }
    return k > 1 ? k - 1 : k; /* the last point repeats the first */
}

/* Largest squared distance between hull vertices: for each edge, the
   vertex farthest from its line is antipodal to both its ends, and that
   vertex only moves forward as the edge turns. */
static double hull_diameter2(const pt *h, int k)
{
    if (k < 2)
        return 0;
    if (k == 2)
        return dist2(h[0], h[1]);
    double best = 0;
    for (int i = 0, j = 1; i < k; i++) {
        int i1 = (i + 1) % k;
        while (cross(h[i], h[i1], h[(j + 1) % k]) > cross(h[i], h[i1], h[j]))
            j = (j + 1) % k;
        best = fmax(best, fmax(dist2(h[i], h[j]), dist2(h[i1], h[j])));
    }
    return best;
}

double tqoi_district_diameter(int n, const double *x, const double *y, const int *terr, int p, double *diam)
{
    if (p <= 0)
        return 0;
    int *start = calloc((size_t)p + 1, sizeof(int));
    pt *s = malloc(((size_t)n + 1) * sizeof(pt));
    pt *h = malloc((2 * (size_t)n + 2) * sizeof(pt));
    if (!start || !s || !h) {
        free(start);
        free(s);
        free(h);
        return -1;
    }
    /* Counting sort of the units by district. */
    for (int i = 0; i < n; i++)
        if (terr[i] >= 0 && terr[i] < p && isfinite(x[i]) && isfinite(y[i]))
            start[terr[i] + 1]++;
    for (int j = 0; j < p; j++)
        start[j + 1] += start[j];
    for (int i = 0; i < n; i++)
        if (terr[i] >= 0 && terr[i] < p && isfinite(x[i]) && isfinite(y[i]))
            s[start[terr[i]]++] = (pt){x[i], y[i]};
    double best = 0;
    for (int j = 0, from = 0; j < p; j++) { /* start[j] is now the end of j */
        int m = start[j] - from;
        qsort(s + from, (size_t)m, sizeof(pt), cmp_pt);
        double d = sqrt(hull_diameter2(h, hull(s + from, m, h)));
        if (diam)
            diam[j] = d;
        best = fmax(best, d);
        from = start[j];
    }
    free(start);
    free(s);
    free(h);
    return best;
}

size_t tqoi_points_diameter_work(int m)
{
    return (3 * (size_t)m + 3) * sizeof(pt);
}

double tqoi_points_diameter(const double *px, const double *py, int m, void *work)
{
    if (m < 2)
        return 0;
    pt *s = work, *h = s + m;
    for (int i = 0; i < m; i++)
        s[i] = (pt){px[i], py[i]};
    qsort(s, (size_t)m, sizeof(pt), cmp_pt);
    return sqrt(hull_diameter2(h, hull(s, m, h)));
}

double tqo_align_diameter(const tqo_instance *inst, const tqo_align_result *r, double *per_territory)
{
    if (inst->coords != TQO_COORDS_XY || !r->unit_start || r->n_units != inst->n_units)
        return NAN;
    int *terr = malloc(((size_t)inst->n_units + 1) * sizeof(int));
    if (!terr)
        return NAN;
    for (int i = 0; i < inst->n_units; i++)
        terr[i] = tqoi_unit_main_territory(r, i);
    double d = tqoi_district_diameter(inst->n_units, inst->x, inst->y, terr, r->n_territories, per_territory);
    free(terr);
    return d < 0 ? NAN : d;
}
