/*
 * Lower bounds on the min-max objectives, valid for every plan that meets
 * the balance bounds (contiguity, locks and caps only remove plans, so
 * they stay valid). Why each holds is in docs/objectives.md:
 *
 *  ball        every district holds at least need_b of each balanced
 *              measure b (its lower balance bound); a district of
 *              diameter D that holds unit u lies in the ball of radius D
 *              about u, so D >= r(u), the smallest radius whose ball about
 *              u holds need_b of some b. Every unit is in some district:
 *              D* >= max_u r(u). Center: the district of u lies in the ball
 *              of radius R about its centre unit c, which is within R of
 *              u, so R >= g(u) = min_c max(d(u,c), r(c)), and R* >= max_u g(u).
 *  dispersion  any p+1 units pairwise at least delta apart put two in one
 *              district, so D* >= delta (farthest-first traversals give
 *              such sets); center: those two are within 2R, so R* >= delta/2.
 *
 * O(n^2) distances for the ball bounds (on the threads: each unit's radius
 * is computed alone, so the result does not depend on their number), O(n p)
 * per traversal.
 */
#include "align/objective_core.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Above this many units the ball bounds use every k-th unit only (a max
   over fewer units is still a bound), to keep them O(BOUND_FULL_N n). */
#define BOUND_FULL_N 20000
/* Farthest-first traversals from this many starts. */
#define DISPERSION_STARTS 4

/* Distance on which the ball bounds work: planar, or the chord between
   unit vectors (great-circle km grows with it; converted at the end). */
static double raw_dist(const obj_geom *g, int i, int j)
{
    double dx, dy, dz = 0;
    if (g->latlon) {
        dx = g->ux[i] - g->ux[j], dy = g->uy[i] - g->uy[j], dz = g->uz[i] - g->uz[j];
    } else {
        dx = g->x[i] - g->x[j], dy = g->y[i] - g->y[j];
    }
    return sqrt(dx * dx + dy * dy + dz * dz);
}

static double raw_to_km(const obj_geom *g, double r)
{
    if (!g->latlon || !isfinite(r))
        return r;
    double h = r / 2;
    return 2 * TQO_EARTH_RADIUS_KM * asin(h > 1 ? 1 : h);
}

static void swap2(double *d, double *a, int i, int k)
{
    double t = d[i];
    d[i] = d[k];
    d[k] = t;
    t = a[i];
    a[i] = a[k];
    a[k] = t;
}

/* The smallest d[k] such that the a of the items at distance <= d[k] sum
   to need (a weighted selection, three-way partitions about a median of
   three: linear time expected). d and a are reordered. */
static double weighted_radius(double *d, double *a, int m, double need)
{
    int lo = 0, hi = m;
    double far = 0;
    for (int k = 0; k < m; k++)
        far = fmax(far, d[k]);
    while (hi > lo) {
        double x = d[lo], y = d[(lo + hi) / 2], z = d[hi - 1];
        double piv = fmax(fmin(x, y), fmin(fmax(x, y), z));
        int lt = lo, i = lo, gt = hi;
        double slt = 0, seq = 0;
        while (i < gt) {
            if (d[i] < piv) {
                slt += a[i];
                swap2(d, a, i++, lt++);
            } else if (d[i] > piv) {
                swap2(d, a, i, --gt);
            } else {
                seq += a[i++];
            }
        }
        if (slt >= need)
            hi = lt;
        else if (slt + seq >= need)
            return piv;
        else {
            need -= slt + seq;
            lo = gt;
        }
    }
    return far; /* rounding only: the whole set holds the need */
}

/* The smallest each district must hold of each measure, a hair under
   the balance bound the check accepts. */
static void needs(const align_ctx *c, double *need)
{
    for (int b = 0; b < c->nb; b++) {
        need[b] = INFINITY;
        for (int j = 0; j < c->p; j++)
            need[b] = fmin(need[b], c->lo[j * c->nb + b] - 2e-9 * fmax(1.0, c->target[j * c->nb + b]));
    }
}

/* r(u) for each unit u taken (every stride-th; others -1), raw. */
static int ball_radii(const align_ctx *c, const obj_geom *g, int stride, double *rad)
{
    int n = c->n, nb = c->nb, fail = 0;
    double need[TQO_MAX_BALANCE];
    needs(c, need);
#pragma omp parallel num_threads(c->s->threads > 0 ? c->s->threads : 1) reduction(| : fail)
    {
        double *d = malloc((size_t)n * sizeof(double)), *a = malloc((size_t)n * sizeof(double));
        fail = !d || !a;
#pragma omp for schedule(dynamic, 64)
        for (int u = 0; u < n; u++) {
            rad[u] = -1;
            if (fail || u % stride)
                continue;
            double r = 0;
            for (int b = 0; b < nb; b++) {
                if (!(need[b] > 0))
                    continue;
                for (int v = 0; v < n; v++) {
                    d[v] = raw_dist(g, u, v);
                    a[v] = c->a[b][v];
                }
                r = fmax(r, weighted_radius(d, a, n, need[b]));
            }
            rad[u] = r;
        }
        free(d);
        free(a);
    }
    return fail ? -1 : 0;
}

/* max_u min_c max(d(u,c), r(c)) over the units with a radius (raw). */
static double centre_ball(const align_ctx *c, const obj_geom *g, const double *rad)
{
    int n = c->n;
    double best = 0;
#pragma omp parallel for num_threads(c->s->threads > 0 ? c->s->threads : 1) schedule(dynamic, 64) \
    reduction(max : best)
    for (int u = 0; u < n; u++) {
        if (rad[u] < 0)
            continue;
        double gu = INFINITY;
        for (int v = 0; v < n; v++)
            if (rad[v] >= 0 && rad[v] < gu)
                gu = fmin(gu, fmax(raw_dist(g, u, v), rad[v]));
        best = fmax(best, gu);
    }
    return best;
}

/* The smallest pairwise distance of the p+1 units a farthest-first
   traversal from unit s picks (raw); 0 when there are not p+1 units. */
static double farthest_first(const align_ctx *c, const obj_geom *g, int s, double *mind)
{
    int n = c->n;
    if (n < c->p + 1)
        return 0;
    double delta = INFINITY;
    for (int v = 0; v < n; v++)
        mind[v] = raw_dist(g, s, v);
    for (int k = 1; k <= c->p; k++) {
        int far = 0;
        for (int v = 1; v < n; v++)
            if (mind[v] > mind[far])
                far = v;
        delta = fmin(delta, mind[far]);
        if (!(delta > 0))
            return 0;
        for (int v = 0; v < n; v++)
            mind[v] = fmin(mind[v], raw_dist(g, far, v));
    }
    return delta;
}

static double dispersion(const align_ctx *c, const obj_geom *g)
{
    double *mind = malloc(((size_t)c->n + 1) * sizeof(double));
    if (!mind)
        return 0;
    int starts[DISPERSION_STARTS] = {0, c->n / 3, 2 * c->n / 3, 0};
    /* the last start: the unit farthest from unit 0, an end of the set */
    for (int v = 0; v < c->n; v++)
        if (raw_dist(g, 0, v) > raw_dist(g, 0, starts[DISPERSION_STARTS - 1]))
            starts[DISPERSION_STARTS - 1] = v;
    double best = 0;
    for (int k = 0; k < DISPERSION_STARTS; k++)
        best = fmax(best, farthest_first(c, g, starts[k], mind));
    free(mind);
    return best;
}

void tqoi_objective_bounds(const align_ctx *c, tqo_align_result *r)
{
    obj_geom g;
    if (c->n < 1 || tqoi_obj_geom_init(&g, c->inst) != TQO_OK)
        return;
    int stride = c->n > BOUND_FULL_N ? (c->n + BOUND_FULL_N - 1) / BOUND_FULL_N : 1;
    double *rad = malloc((size_t)c->n * sizeof(double));
    double ball = 0, disp = raw_to_km(&g, dispersion(c, &g));
    if (rad && ball_radii(c, &g, stride, rad) == 0) {
        if (c->s->objective == TQO_OBJECTIVE_CENTER && stride == 1) {
            ball = centre_ball(c, &g, rad);
        } else {
            for (int u = 0; u < c->n; u++)
                ball = fmax(ball, rad[u]);
        }
        ball = raw_to_km(&g, ball);
        if (c->s->objective == TQO_OBJECTIVE_CENTER && stride > 1)
            ball /= 2; /* the district of u lies in the ball of radius 2R about u */
    }
    free(rad);
    tqoi_obj_geom_free(&g);
    if (c->s->objective == TQO_OBJECTIVE_CENTER)
        disp /= 2;
    r->minmax_bound_ball = ball;
    r->minmax_bound_dispersion = disp;
    r->minmax_lower_bound = fmax(fmax(ball, disp), r->minmax_bound_exact);
    r->minmax_gap = r->minmax_value > 0 ? (r->minmax_value - r->minmax_lower_bound) / r->minmax_value : 0;
    if (r->minmax_gap < 0) /* rounding: a plan is never below a bound */
        r->minmax_gap = 0;
    if (r->n_violated) /* a bound says nothing of a plan outside the constraints */
        r->minmax_gap = NAN;
}
