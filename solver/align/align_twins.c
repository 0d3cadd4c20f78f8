/*
 * Home bases at one point (several reps in one office). Every unit is then
 * equally far from all of them, the allocation LP is degenerate in them and
 * its pricing adds their columns a few territories per round: italy with
 * its 20 bases at one point took 80 s, and uscounties with 30 reps in
 * Chicago and 20 in Dallas 33 s for a plan that broke balance and
 * contiguity. So the solve sees such bases (any closer to each other than
 * SPREAD of the units' extent count as one point) spread on a small spiral
 * about their point, which breaks the ties by direction, as a planner would
 * (each rep takes a side of the office). The plan is reported at the true
 * bases: the independent check recomputes the objective there, and the
 * lower bound, proven for the spread bases, is lowered by the most the
 * spread can change any unit's cost,
 *
 *   OPT(true) >= OPT(spread) - sum_i max_j |c_ij(true) - c_ij(spread)|
 *
 * since each unit's shares add up to 1. Not done with a distance cap (a
 * unit at the cap could change sides) or --exact (the MIP needs no help).
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The spiral's radius, as a fraction of the diagonal of the units' box:
   small enough that the bound loses little (about 2 SPREAD / the typical
   distance), large enough that the LP sees distinct costs. */
#define SPREAD 1e-5
#define GOLDEN_ANGLE 2.39996322972865332

typedef struct base_pt {
    double x, y;
    int j;
} base_pt;

static int by_x(const void *a, const void *b)
{
    const base_pt *u = a, *v = b;
    if (u->x != v->x)
        return u->x < v->x ? -1 : 1;
    return u->j - v->j;
}

static int find(int *up, int a)
{
    while (up[a] != a)
        a = up[a] = up[up[a]];
    return a;
}

/* Longitude's stretch at latitude y: degrees of longitude per degree of
   distance (1 in the plane). */
static double stretch(const align_ctx *c, double y)
{
    if (c->inst->coords != TQO_COORDS_LATLON)
        return 1;
    double cl = cos(y * 3.14159265358979323846 / 180);
    return cl > 0.01 ? 1 / cl : 100;
}

/* Joins the bases closer than r to each other (a sweep over ord, sorted
   by x): up[] ends as a forest whose roots are the groups. */
static void join_close(const align_ctx *c, const base_pt *ord, int nf, double r, int *up)
{
    double smax = 1;
    for (int a = 0; a < nf; a++)
        smax = fmax(smax, stretch(c, ord[a].y));
    for (int a = 0; a < nf; a++)
        up[a] = a;
    for (int a = 0; a < nf; a++)
        for (int b = a + 1; b < nf && ord[b].x - ord[a].x <= r * smax; b++) {
            double dx = (ord[b].x - ord[a].x) / stretch(c, ord[a].y), dy = ord[b].y - ord[a].y;
            if (fabs(dy) < r && hypot(dx, dy) < r) {
                int u = find(up, a), v = find(up, b);
                if (u != v)
                    up[u > v ? u : v] = u < v ? u : v;
            }
        }
}

/* The spiral's radius in coordinate units. */
static double spread_radius(const align_ctx *c)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < c->n; i++) {
        x0 = fmin(x0, c->inst->x[i]);
        x1 = fmax(x1, c->inst->x[i]);
        y0 = fmin(y0, c->inst->y[i]);
        y1 = fmax(y1, c->inst->y[i]);
    }
    double r = SPREAD * hypot(x1 - x0, y1 - y0);
    return r > 0 && isfinite(r) ? r : 0;
}

/* Member k of m of a group about (x, y): the golden-angle spiral, in
   degrees of latitude on lat/lon (longitude stretched by 1 / cos lat). */
static void spiral(const align_ctx *c, double r, int k, int m, double *x, double *y)
{
    double rk = r * sqrt((k + 0.5) / m), t = GOLDEN_ANGLE * k;
    *x += rk * cos(t) * stretch(c, *y);
    *y += rk * sin(t);
}

/* Spreads each group of bases closer than r to each other: its members,
   in territory order, on the spiral about the first one's point. */
static void spread_groups(align_ctx *c, align_twins *t, base_pt *ord, int nf, int *up, double r)
{
    join_close(c, ord, nf, r, up);
    int *size = calloc((size_t)nf, sizeof(int)), *rank = calloc((size_t)nf, sizeof(int));
    int *byj = malloc((size_t)c->p * sizeof(int));
    if (!size || !rank || !byj) {
        free(size);
        free(rank);
        free(byj);
        return; /* nothing spread: slower, not wrong */
    }
    for (int j = 0; j < c->p; j++)
        byj[j] = -1;
    for (int a = 0; a < nf; a++)
        byj[ord[a].j] = a;
    for (int j = 0; j < c->p; j++) /* group sizes; each member's rank in territory order */
        if (byj[j] >= 0) {
            int g = find(up, byj[j]);
            rank[byj[j]] = size[g]++;
        }
    for (int j = 0; j < c->p; j++) {
        int a = byj[j], g = a < 0 ? -1 : find(up, a);
        if (g < 0 || size[g] < 2)
            continue;
        if (rank[a] == 0) { /* the group's first member: its point, kept in ord[g], is the anchor */
            if (t->groups++ == 0)
                t->first = j;
            ord[g].x = t->x[j];
            ord[g].y = t->y[j];
        } else if (rank[a] == 1 && find(up, byj[t->first]) == g) {
            t->second = j;
        }
        c->cx[j] = ord[g].x;
        c->cy[j] = ord[g].y;
        spiral(c, r, rank[a], size[g], &c->cx[j], &c->cy[j]);
        t->moved[t->n++] = j;
    }
    free(byj);
    free(size);
    free(rank);
}

int tqoi_align_twins_spread(align_ctx *c, align_twins *t)
{
    memset(t, 0, sizeof *t);
    if (c->s->exact || c->s->max_distance_km > 0 || c->n_fixed < 2)
        return 0;
    int p = c->p, nf = 0;
    base_pt *ord = malloc((size_t)p * sizeof *ord);
    int *up = malloc((size_t)p * sizeof(int));
    t->x = malloc((size_t)p * sizeof(double));
    t->y = malloc((size_t)p * sizeof(double));
    t->moved = malloc((size_t)p * sizeof(int));
    if (!ord || !up || !t->x || !t->y || !t->moved) {
        free(ord);
        free(up);
        tqoi_align_twins_free(t);
        return -1;
    }
    memcpy(t->x, c->cx, (size_t)p * sizeof(double));
    memcpy(t->y, c->cy, (size_t)p * sizeof(double));
    for (int j = 0; j < p; j++)
        if (c->fixed_centre[j])
            ord[nf++] = (base_pt){c->cx[j], c->cy[j], j};
    qsort(ord, (size_t)nf, sizeof *ord, by_x);
    double r = spread_radius(c);
    t->second = -1;
    if (r > 0)
        spread_groups(c, t, ord, nf, up, r);
    free(ord);
    free(up);
    if (t->n == 0) {
        tqoi_align_twins_free(t);
        return 0;
    }
    tqoi_align_bind_problem(c);
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_INFO,
                   "%d home bases share a point with another (%d point%s, within %.3g; the first '%s' and '%s'): "
                   "solved with them spread on a spiral of that radius about each point, reported at the true "
                   "points",
                   t->n, t->groups, t->groups == 1 ? "" : "s", r, c->territory_id[t->first],
                   c->territory_id[t->second]);
    return t->n;
}

void tqoi_align_twins_restore(align_ctx *c, align_twins *t, tqo_align_result *res)
{
    if (t->n == 0)
        return;
    alloc_problem T = c->P; /* the true bases beside the spread ones */
    T.cx = t->x;
    T.cy = t->y;
    double loss = 0;
    for (int i = 0; i < c->n; i++) {
        double worst = 0;
        for (int k = 0; k < t->n; k++) {
            int j = t->moved[k];
            worst = fmax(worst, c->w[i] * fabs(tqoi_alloc_dist2(&T, i, j) - tqoi_alloc_dist2(&c->P, i, j)));
        }
        loss += worst;
    }
    memcpy(c->cx, t->x, (size_t)c->p * sizeof(double));
    memcpy(c->cy, t->y, (size_t)c->p * sizeof(double));
    tqoi_align_bind_problem(c);
    if (res->center_x && res->center_y)
        for (int j = 0; j < c->p; j++) {
            res->center_x[j] = c->cx[j];
            res->center_y[j] = c->cy[j];
        }
    if (isfinite(res->lower_bound))
        res->lower_bound = fmax(0, res->lower_bound - loss);
    if (res->lp_bound > 0)
        res->lp_bound = fmax(0, res->lp_bound - loss);
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                   "home bases back at their points: lower bound lowered by %.9g for the spread", loss);
    tqoi_align_twins_free(t);
}

void tqoi_align_twins_free(align_twins *t)
{
    free(t->x);
    free(t->y);
    free(t->moved);
    memset(t, 0, sizeof *t);
}
