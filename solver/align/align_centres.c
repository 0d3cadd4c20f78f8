/*
 * Free centres: seeded by weighted k-means++ (or at the current plan's
 * territories), moved by plain k-means first (cheap), then by alternating
 * the balanced allocation LP with moves to the weighted centroid of each
 * territory, which lowers the objective at every step. Several starts; the
 * best is kept. Rep home bases never move.
 *
 * On a large problem the starts' balanced iterations run on coarse copies
 * (units merged by a k-d tree, alloc_coarse): the first few, at centres
 * far from balance where the LP needs the most columns, on about two units
 * per territory, the rest on about n / 16; the starts are compared there
 * and only the best is refined at full size, warm-started with its prices.
 * With many territories (align_regions.c) the starts run per region of a
 * weighted bisection, and a few iterations over the whole problem follow.
 *
 * With --max-distance the search runs without the cap first: when the cap
 * does not bind at the centres found, they are the answer (a cap that does
 * not bind cannot make the plan worse). Otherwise capped starts follow
 * (from those centres, and seeded ones): each is first made to cover every
 * unit (a centre within the cap that the unit may join), and the centroid
 * moves are shortened so that no unit of a territory leaves the cap, which
 * keeps the previous allocation feasible and the objective falling.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>
#include <omp.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)
#define MAX_LLOYD 15
#define MAX_BALANCED 15
/* The coarse copy the starts iterate on has about n / COARSE_DIV units
   (at least two thirds of the size the LP solves whole). */
#define COARSE_DIV 16
/* A start's first balanced iterations, at centres far from balance where
   the LP needs many columns, run on a still coarser copy (about
   FIRST_PER_TERR units per territory), at most FIRST_BALANCED of them. */
#define FIRST_PER_TERR 2
#define FIRST_BALANCED 3
/* The coarse levels only for problems at least this many times the size
   the LP solves whole: on smaller ones (uscounties) the full-size
   iterations are cheap and the coarse ones lost quality. */
#define COARSE_MIN_RATIO 5
/* A centre pulled to cover a unit stops this fraction of the cap from it:
   some room for the balance to use. */
#define COVER_REACH 0.9
#define BISECT_STEPS 40
/* Iterations over the whole problem after the regions (align_regions.c). */
#define GLOBAL_BALANCED 5

/* Reports progress of a phase to the caller, when it asked for it. */
static void align_progress(const align_ctx *c, const char *phase, int done, int total)
{
    if (c->s->progress)
        c->s->progress(c->s->progress_ctx, phase, done, total);
}

/* Weight of a unit in centroids: the compactness weight, else the first
   balanced measure, else one. */
static double cw(const align_ctx *c, int i, int wmode)
{
    return wmode == 0 ? c->w[i] : wmode == 1 ? c->a[0][i] : 1.0;
}

/* The point a fraction t of the way from (x0, y0) to (x1, y1); for lat/lon
   the short way round in longitude. */
static void towards(const align_ctx *c, double x0, double y0, double x1, double y1, double t, double *x,
                    double *y)
{
    if (c->inst->coords == TQO_COORDS_LATLON) {
        if (x1 - x0 > 180)
            x1 -= 360;
        else if (x1 - x0 < -180)
            x1 += 360;
    }
    *x = x0 + t * (x1 - x0);
    *y = y0 + t * (y1 - y0);
    if (c->inst->coords == TQO_COORDS_LATLON) {
        if (*x > 180)
            *x -= 360;
        else if (*x <= -180)
            *x += 360;
    }
}

/* Unit i belongs to territory j in asg (whole units) or x (shares). */
static int member(const int *asg, const alloc_solution *x, int i, int j)
{
    if (!x)
        return asg[i] == j;
    for (int k = x->start[i]; k < x->start[i + 1]; k++)
        if (x->terr[k] == j && x->share[k] > 0)
            return 1;
    return 0;
}

/* Whether every member of j lies within the cap of (px, py), measured as
   the allocation measures it (the centre is set there for the test). */
static int members_within(align_ctx *c, int j, const int *asg, const alloc_solution *x, double px, double py)
{
    double ox = c->cx[j], oy = c->cy[j], cap = c->P.max_distance;
    c->cx[j] = px;
    c->cy[j] = py;
    int ok = 1;
    for (int i = 0; i < c->n && ok; i++)
        if (member(asg, x, i, j) && tqoi_alloc_dist2(&c->P, i, j) > cap * cap)
            ok = 0;
    c->cx[j] = ox;
    c->cy[j] = oy;
    return ok;
}

/* Shortens the move of centre j to (*nx, *ny) so that its members stay
   within the cap, when they are within it now: the allocation that placed
   them stays feasible, and (the cost being convex along the way to the
   centroid) no dearer. */
static void guard_move(align_ctx *c, int j, const int *asg, const alloc_solution *x, double *nx, double *ny)
{
    if (members_within(c, j, asg, x, *nx, *ny) || !members_within(c, j, asg, x, c->cx[j], c->cy[j]))
        return;
    double lo = 0, hi = 1, px, py;
    for (int s = 0; s < BISECT_STEPS; s++) {
        double mid = (lo + hi) / 2;
        towards(c, c->cx[j], c->cy[j], *nx, *ny, mid, &px, &py);
        if (members_within(c, j, asg, x, px, py))
            lo = mid;
        else
            hi = mid;
    }
    towards(c, c->cx[j], c->cy[j], *nx, *ny, lo, nx, ny);
}

/* Moves free centres to the weighted centroid of their units.
   asg (whole units) or x (shares) gives the membership; with guard (and a
   cap) the moves keep the members within the cap. Returns the largest
   move in km. */
static double relocate(align_ctx *c, const int *asg, const alloc_solution *x, int guard)
{
    int p = c->p, n = c->n;
    int latlon = c->inst->coords == TQO_COORDS_LATLON;
    double *acc = calloc((size_t)p * 4 * 3, sizeof(double)); /* 3 weight modes x (sx, sy, sz, sw) */
    if (!acc)
        return 0;
    for (int i = 0; i < n; i++) {
        double v[3];
        tqoi_align_point3(c, c->inst->x[i], c->inst->y[i], v);
        int k0 = x ? x->start[i] : 0, k1 = x ? x->start[i + 1] : 1;
        for (int k = k0; k < k1; k++) {
            int j = x ? x->terr[k] : asg[i];
            double sh = x ? x->share[k] : 1.0;
            for (int mode = 0; mode < 3; mode++) {
                double wt = cw(c, i, mode) * sh;
                double *a = acc + ((size_t)j * 3 + mode) * 4;
                a[0] += wt * v[0];
                a[1] += wt * v[1];
                a[2] += wt * v[2];
                a[3] += wt;
            }
        }
    }
    double maxmove = 0;
    for (int j = 0; j < p; j++) {
        if (c->fixed_centre[j])
            continue;
        double *a = NULL;
        for (int mode = 0; mode < 3 && !a; mode++)
            if (acc[((size_t)j * 3 + mode) * 4 + 3] > 0)
                a = acc + ((size_t)j * 3 + mode) * 4;
        if (!a)
            continue; /* an empty territory keeps its centre */
        double nx, ny;
        if (latlon) {
            double r = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
            if (!(r > 0))
                continue;
            ny = asin(fmax(-1, fmin(1, a[2] / r))) / DEG2RAD;
            nx = atan2(a[1], a[0]) / DEG2RAD;
        } else {
            nx = a[0] / a[3];
            ny = a[1] / a[3];
        }
        if (guard && c->P.max_distance > 0)
            guard_move(c, j, asg, x, &nx, &ny);
        double d = tqo_distance(c->inst->coords, c->cx[j], c->cy[j], nx, ny);
        if (d > maxmove)
            maxmove = d;
        c->cx[j] = nx;
        c->cy[j] = ny;
    }
    free(acc);
    return maxmove;
}

double tqoi_align_relocate_shares(align_ctx *c, const alloc_solution *x)
{
    return relocate(c, NULL, x, 0);
}

/* Sets d2[i] (and near[i], dd[i] = its root) to the distance to centre j
   where that is nearer. A unit whose nearest centre q so far lies at least
   twice its distance from j cannot be nearer to j (triangle inequality):
   it is skipped, with dc[q] the distance from q to j. The result is the
   one of a full scan, at a fraction of the distance computations once
   centres are many. */
static void seed_update(const align_ctx *c, int j, const double *dc, double *d2, double *dd, int *near)
{
    for (int i = 0; i < c->n; i++) {
        if (near[i] >= 0 && dc[near[i]] > 2 * dd[i] * (1 + 1e-12) + 1e-12)
            continue;
        double d = tqo_distance(c->inst->coords, c->inst->x[i], c->inst->y[i], c->cx[j], c->cy[j]);
        if (d * d < d2[i]) {
            d2[i] = d * d;
            dd[i] = d;
            near[i] = j;
        }
    }
}

/* dc[q] = distance from each placed centre q to centre j. */
static void centre_gaps(const align_ctx *c, int j, const char *placed, double *dc)
{
    for (int q = 0; q < c->p; q++)
        dc[q] = placed[q] ? tqo_distance(c->inst->coords, c->cx[q], c->cy[q], c->cx[j], c->cy[j]) : INFINITY;
}

/* The unit the k-means++ draw picks for the next centre (n - 1 when the
   weights vanish: then a uniform draw). */
static int seed_pick(const align_ctx *c, tqo_rng *r, const double *d2, int any, int mode, double cap)
{
    int n = c->n;
    /* uncovered units only, when there are any (weighted, else each one) */
    int only = 0;
    if (cap > 0 && any) {
        for (int i = 0; i < n && only < 2; i++)
            if (d2[i] > cap * cap)
                only = cw(c, i, mode) > 0 ? 2 : 1;
    }
    double tot = 0;
    for (int i = 0; i < n; i++)
        if (!only || d2[i] > cap * cap)
            tot += (only == 1 ? 1.0 : cw(c, i, mode)) * (any ? d2[i] : 1.0);
    int pick = n - 1;
    if (tot > 0 && isfinite(tot)) {
        double u = tqo_rng_uniform(r) * tot, acc = 0;
        for (int i = 0; i < n; i++) {
            if (only && !(d2[i] > cap * cap))
                continue;
            acc += (only == 1 ? 1.0 : cw(c, i, mode)) * (any ? d2[i] : 1.0);
            if (acc >= u) {
                pick = i;
                break;
            }
        }
    } else {
        pick = tqo_rng_int(r, n);
    }
    return pick;
}

/* Weighted k-means++ for the free centres, given the fixed ones. With a
   cap (> 0), units no centre covers yet are picked first. -1 when out of
   memory. */
static int seed_centres(align_ctx *c, uint64_t key, double cap)
{
    int n = c->n, p = c->p;
    tqo_rng r;
    tqo_rng_init(&r, c->s->seed, key);
    double *d2 = malloc((size_t)n * sizeof(double)), *dd = malloc((size_t)n * sizeof(double));
    double *dc = malloc((size_t)p * sizeof(double));
    int *near = malloc((size_t)n * sizeof(int));
    char *placed = calloc((size_t)p, 1);
    int ok = d2 && dd && dc && near && placed;
    if (!ok)
        goto out;
    int any = 0;
    for (int i = 0; i < n; i++) {
        d2[i] = dd[i] = INFINITY;
        near[i] = -1;
    }
    for (int j = 0; j < p; j++)
        if (c->fixed_centre[j]) {
            any = 1;
            centre_gaps(c, j, placed, dc);
            seed_update(c, j, dc, d2, dd, near);
            placed[j] = 1;
        }
    int mode = 0;
    double wsum = 0;
    for (int i = 0; i < n; i++)
        wsum += c->w[i];
    if (!(wsum > 0))
        mode = 1;
    for (int j = 0; j < p; j++) {
        if (c->fixed_centre[j])
            continue;
        int pick = seed_pick(c, &r, d2, any, mode, cap);
        c->cx[j] = c->inst->x[pick];
        c->cy[j] = c->inst->y[pick];
        any = 1;
        centre_gaps(c, j, placed, dc);
        seed_update(c, j, dc, d2, dd, near);
        placed[j] = 1;
    }
out:
    free(d2);
    free(dd);
    free(dc);
    free(near);
    free(placed);
    return ok ? 0 : -1;
}

void tqoi_align_point3(const align_ctx *c, double x, double y, double *v)
{
    if (c->inst->coords == TQO_COORDS_LATLON) {
        double la = y * DEG2RAD, lo = x * DEG2RAD;
        v[0] = cos(la) * cos(lo);
        v[1] = cos(la) * sin(lo);
        v[2] = sin(la);
    } else {
        v[0] = x;
        v[1] = y;
        v[2] = 0;
    }
}

static double dist3(const double *u, const double *v)
{
    double dx = u[0] - v[0], dy = u[1] - v[1], dz = u[2] - v[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

/* Scratch of lloyd(): unit and centre vectors, Hamerly's bounds. */
typedef struct lloyd_work {
    double *u, *cv, *old, *ub, *lb, *half, *mv;
} lloyd_work;

/* Nearest centre of each unit (ties: the lowest index), by Hamerly's
   bounds: ub[i] bounds the distance to its centre from above, lb[i] the
   distance to any other from below; a unit whose ub is below both lb and
   half the gap from its centre to the nearest other keeps its centre
   without a scan. Each unit writes only its own slots: the same result
   for any number of threads. */
static void lloyd_assign(const align_ctx *c, lloyd_work *L, int *asg, int first)
{
    int n = c->n, p = c->p;
    int nth = c->P.threads > 0 ? c->P.threads : 1;
    for (int j = 0; j < p; j++) {
        L->half[j] = INFINITY;
        for (int q = 0; q < p; q++)
            if (q != j)
                L->half[j] = fmin(L->half[j], 0.5 * dist3(L->cv + 3 * j, L->cv + 3 * q));
    }
#pragma omp parallel for schedule(static) num_threads(nth)
    for (int i = 0; i < n; i++) {
        if (c->lock && c->lock[i] >= 0) {
            asg[i] = c->lock[i];
            continue;
        }
        const double *u = L->u + 3 * (size_t)i;
        if (!first) {
            double m = fmax(L->half[asg[i]], L->lb[i]);
            if (L->ub[i] < m)
                continue;
            L->ub[i] = dist3(u, L->cv + 3 * asg[i]);
            if (L->ub[i] < m)
                continue;
        }
        double best = INFINITY, second = INFINITY;
        int bj = 0;
        for (int j = 0; j < p; j++) {
            double d = dist3(u, L->cv + 3 * j);
            if (d < best) {
                second = best;
                best = d;
                bj = j;
            } else if (d < second) {
                second = d;
            }
        }
        asg[i] = bj;
        L->ub[i] = best;
        L->lb[i] = second;
    }
}

/* After the centres moved: the bounds loosened by the moves (plus a
   margin for rounding). */
static void lloyd_loosen(const align_ctx *c, lloyd_work *L, const int *asg)
{
    int p = c->p;
    double m1 = 0, m2 = 0, scale = 1;
    int j1 = -1;
    for (int j = 0; j < p; j++) {
        tqoi_align_point3(c, c->cx[j], c->cy[j], L->cv + 3 * j);
        L->mv[j] = dist3(L->cv + 3 * j, L->old + 3 * j);
        scale = fmax(scale, fabs(L->cv[3 * j]) + fabs(L->cv[3 * j + 1]));
        if (L->mv[j] > m1) {
            m2 = m1;
            m1 = L->mv[j];
            j1 = j;
        } else if (L->mv[j] > m2) {
            m2 = L->mv[j];
        }
    }
    double eps = 1e-12 * scale;
    for (int i = 0; i < c->n; i++) {
        L->ub[i] += L->mv[asg[i]] + eps;
        L->lb[i] -= (asg[i] == j1 ? m2 : m1) + eps;
    }
}

/* Plain k-means: nearest centre, then centroids. */
static int lloyd(align_ctx *c, int *asg)
{
    int n = c->n, p = c->p;
    lloyd_work L;
    L.u = malloc((size_t)n * 3 * sizeof(double));
    L.cv = malloc((size_t)p * 3 * sizeof(double));
    L.old = malloc((size_t)p * 3 * sizeof(double));
    L.ub = malloc((size_t)n * sizeof(double));
    L.lb = malloc((size_t)n * sizeof(double));
    L.half = malloc((size_t)p * sizeof(double));
    L.mv = malloc((size_t)p * sizeof(double));
    int ok = L.u && L.cv && L.old && L.ub && L.lb && L.half && L.mv;
    if (ok) {
        for (int i = 0; i < n; i++)
            tqoi_align_point3(c, c->inst->x[i], c->inst->y[i], L.u + 3 * (size_t)i);
        for (int j = 0; j < p; j++)
            tqoi_align_point3(c, c->cx[j], c->cy[j], L.cv + 3 * j);
        for (int it = 0; it < MAX_LLOYD; it++) {
            lloyd_assign(c, &L, asg, it == 0);
            memcpy(L.old, L.cv, (size_t)p * 3 * sizeof(double));
            if (relocate(c, asg, NULL, 0) < 1e-6)
                break;
            lloyd_loosen(c, &L, asg);
        }
    }
    free(L.u);
    free(L.cv);
    free(L.old);
    free(L.ub);
    free(L.lb);
    free(L.half);
    free(L.mv);
    return ok ? 0 : -1;
}

/* The territories unit i may join by its lock (all: -1). */
static int lock_of(const align_ctx *c, int i)
{
    return c->lock && c->lock[i] >= 0 ? c->lock[i] : -1;
}

/* Counts per unit the centres within the cap it may join; returns the
   number of units with none, and the farthest of them (its distance to
   the nearest centre it may join) in *worst, *worst_d. */
static int coverage(align_ctx *c, int *cnt, int *worst, double *worst_d)
{
    int bad = 0;
    *worst = -1;
    *worst_d = 0;
    for (int i = 0; i < c->n; i++) {
        cnt[i] = 0;
        double near = INFINITY;
        for (int j = 0; j < c->p; j++) {
            if (lock_of(c, i) >= 0 && lock_of(c, i) != j)
                continue;
            double d2 = tqoi_alloc_dist2(&c->P, i, j);
            near = fmin(near, d2);
            cnt[i] += tqoi_alloc_allowed(&c->P, i, j);
        }
        if (!cnt[i]) {
            bad++;
            if (*worst < 0 || near > *worst_d) {
                *worst = i;
                *worst_d = near;
            }
        }
    }
    *worst_d = sqrt(*worst_d);
    return bad;
}

/* Where free centre j would go to cover unit u: on the way from u to it,
   COVER_REACH of the cap from u. */
static void cover_point(align_ctx *c, int j, int u, double *px, double *py)
{
    double ox = c->cx[j], oy = c->cy[j], reach = COVER_REACH * c->P.max_distance;
    double lo = 0, hi = 1; /* fraction of the way from u to the centre */
    for (int s = 0; s < BISECT_STEPS; s++) {
        double mid = (lo + hi) / 2;
        towards(c, c->inst->x[u], c->inst->y[u], ox, oy, mid, &c->cx[j], &c->cy[j]);
        if (tqoi_alloc_dist2(&c->P, u, j) <= reach * reach)
            lo = mid;
        else
            hi = mid;
    }
    towards(c, c->inst->x[u], c->inst->y[u], ox, oy, lo, px, py);
    c->cx[j] = ox;
    c->cy[j] = oy;
}

/* Units left uncovered if free centre j moved to (px, py). */
static int uncovered_after(align_ctx *c, const int *cnt, int j, double px, double py)
{
    double ox = c->cx[j], oy = c->cy[j];
    int bad = 0;
    for (int i = 0; i < c->n; i++) {
        int was = tqoi_alloc_allowed(&c->P, i, j);
        c->cx[j] = px;
        c->cy[j] = py;
        int now = tqoi_alloc_allowed(&c->P, i, j);
        c->cx[j] = ox;
        c->cy[j] = oy;
        bad += cnt[i] - was + now == 0;
    }
    return bad;
}

/*
 * Moves free centres until every unit has a centre within the cap that it
 * may join: each round the farthest uncovered unit pulls the free centre
 * whose move leaves the fewest units uncovered (then the shortest move).
 * Returns the number of units still uncovered (0: covered); *worst and
 * *worst_d name the farthest of them.
 */
static int cover(align_ctx *c, int *worst, double *worst_d)
{
    int *cnt = malloc((size_t)c->n * sizeof(int));
    if (!cnt)
        return c->n;
    int bad = coverage(c, cnt, worst, worst_d), best_bad = bad, stale = 0;
    for (int round = 0; bad > 0 && round < 10 * (c->p + 10) && stale < 2 * c->p + 4; round++) {
        int u = *worst, bj = -1, bbad = 0;
        double bx = 0, by = 0, bmove = 0;
        for (int j = 0; j < c->p; j++) {
            if (c->fixed_centre[j] || (lock_of(c, u) >= 0 && lock_of(c, u) != j))
                continue;
            double px, py;
            cover_point(c, j, u, &px, &py);
            int nb = uncovered_after(c, cnt, j, px, py);
            double mv = tqo_distance(c->inst->coords, c->cx[j], c->cy[j], px, py);
            if (bj < 0 || nb < bbad || (nb == bbad && mv < bmove)) {
                bj = j;
                bbad = nb;
                bx = px;
                by = py;
                bmove = mv;
            }
        }
        if (bj < 0)
            break; /* only fixed centres could cover u */
        c->cx[bj] = bx;
        c->cy[bj] = by;
        bad = coverage(c, cnt, worst, worst_d);
        stale = bad < best_bad ? 0 : stale + 1;
        if (bad < best_bad)
            best_bad = bad;
    }
    free(cnt);
    return bad;
}

/* The best centres found so far, with the prices of their allocation. */
typedef struct best_centres {
    double obj;
    double *x, *y, *prices;
} best_centres;

/* Progress of the starts: balanced iterations done of at most
   MAX_BALANCED per start (a start that settles early counts the rest as
   done), shared by the starts running at once. */
typedef struct start_progress {
    const char *phase;
    int done, total;
} start_progress;

static void start_tick(const align_ctx *c, start_progress *pg, int steps)
{
    if (!pg || !c->s->progress)
        return;
#pragma omp critical(tqoi_align_start_progress)
    {
        pg->done += steps;
        align_progress(c, pg->phase, pg->done, pg->total);
    }
}

/* One start's balanced iterations from the centres in c: the allocation LP,
   then each centre to the centroid of its territory (kept within the cap).
   The errors of a failed LP go to fail, not to the caller's diagnostics:
   another start may succeed. warm: start from the prices in c (else from
   none); at most maxit iterations. */
static tqo_status iterate(align_ctx *c, int start, int warm, int maxit, int *iterations, best_centres *b,
                          tqo_diag *fail, start_progress *pg)
{
    int p = c->p, nb = c->nb;
    tqo_status st = TQO_OK;
    if (!warm)
        memset(c->prices, 0, ((size_t)p * nb + 1) * sizeof(double));
    double prev = INFINITY;
    for (int it = 0; it < maxit; it++) {
        alloc_solution x;
        tqo_diag d;
        tqo_diag_init(&d);
        st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, c->prices, &x, c->s->log, c->s->log_ctx, &d);
        if (st != TQO_OK) {
            for (int k = 0; k < d.n_msgs; k++)
                if (d.is_error[k])
                    tqo_diag_error(fail, "%s", d.msgs[k]);
            tqo_diag_free(&d);
            start_tick(c, pg, maxit - it);
            break;
        }
        tqo_diag_free(&d);
        double obj = x.objective;
        double moved = relocate(c, NULL, &x, 1);
        tqoi_alloc_solution_free(&x);
        /* Prices stay a good warm start only while centres move little
           against the typical distance to them; after a big move the
           solver's own coarse start is better. */
        double wsum = 0;
        for (int i = 0; i < c->n; i++)
            wsum += c->w[i];
        double typical = wsum > 0 ? sqrt(obj / wsum) : 0;
        if (!(moved < 0.1 * typical))
            memset(c->prices, 0, ((size_t)p * nb + 1) * sizeof(double));
        (*iterations)++;
        start_tick(c, pg, 1);
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "centres: objective %.9g, largest centre move %.3g km (start %d)",
                       obj, moved, start + 1);
        if (obj < b->obj) {
            /* The centres after the relocation that followed the best
               allocation are at least as good, so keep the relocated ones. */
            b->obj = obj;
            memcpy(b->x, c->cx, (size_t)p * sizeof(double));
            memcpy(b->y, c->cy, (size_t)p * sizeof(double));
            memcpy(b->prices, c->prices, ((size_t)p * nb + 1) * sizeof(double));
        }
        if (moved < 1e-3 || prev - obj < 5e-4 * fabs(obj)) {
            start_tick(c, pg, maxit - 1 - it);
            break;
        }
        prev = obj;
    }
    return st;
}

/* What the capped starts met, for the message when none succeeds. */
typedef struct cover_report {
    int covered;        /* starts that covered every unit */
    int worst;          /* a unit left uncovered by the last start that failed to cover */
    double worst_d;     /* its distance to the nearest centre it may join, km */
} cover_report;

/* One start's own centres, prices and result, so that starts can run at
   the same time on a copy of the context. */
typedef struct start_run {
    best_centres b;
    int iterations, covered, worst, ran;
    double worst_d;
    tqo_status st;
    tqo_diag fail;
    double *cx, *cy, *prices;
    int *asg;
} start_run;

static void install(align_ctx *c, const best_centres *b);
static tqo_status keep_layouts(align_ctx *c, const start_run *runs, int nrun, int win);
static void start_free(start_run *o);
static int start_alloc(const align_ctx *c, start_run *o);

/* The coarse copy of the units that the starts iterate on: the context
   of the full problem over merged units (alloc_coarse), so that the LP and
   the centroid moves run as they do at full size, on fewer units. */
typedef struct coarse_level {
    int on;
    alloc_coarse C;
    tqo_instance inst; /* the instance's header with the coarse x, y */
    align_ctx c;
} coarse_level;

/* The first and the main coarse level. */
typedef struct coarse_view {
    int on;
    coarse_level first, main;
} coarse_view;

/* Builds level v of about target units when that is much smaller than
   the problem (v->on); only running out of memory fails. */
static tqo_status coarse_level_build(const align_ctx *c, int target, coarse_level *v)
{
    memset(v, 0, sizeof *v);
    if (c->n < 2 * target)
        return TQO_OK;
    tqo_status st = tqoi_alloc_build_coarse(&c->P, target, &v->C);
    if (st != TQO_OK)
        return st;
    v->inst = *c->inst;
    v->inst.n_units = v->C.P.n;
    v->inst.x = v->C.x;
    v->inst.y = v->C.y;
    v->c = *c;
    v->c.inst = &v->inst;
    v->c.n = v->C.P.n;
    for (int b = 0; b < c->nb; b++)
        v->c.a[b] = v->C.a[b];
    v->c.w = v->C.w;
    v->c.lock = v->C.P.lock;
    v->c.current = v->C.P.current;
    v->c.P = v->C.P;
    v->c.P.a = v->c.a;
    v->c.P.cold_ascent = 1;
    v->on = v->C.P.n < c->n;
    return TQO_OK;
}

static void coarse_level_free(coarse_level *v)
{
    if (v->C.w)
        tqoi_alloc_coarse_free(&v->C);
}

static void coarse_view_free(coarse_view *v)
{
    coarse_level_free(&v->first);
    coarse_level_free(&v->main);
}

/* The coarse levels for the uncapped search (a cap is measured from the
   units themselves, so capped starts run at full size): the main one of
   about n / COARSE_DIV units (at least two thirds of the size the LP
   solves whole, alloc.c), the first one smaller still. */
static tqo_status coarse_view_build(const align_ctx *c, coarse_view *v)
{
    memset(v, 0, sizeof *v);
    if (c->P.max_distance > 0)
        return TQO_OK;
    int lp_whole = 6 * c->p * c->nb + 600;
    int target = c->n / COARSE_DIV > 2 * lp_whole / 3 ? c->n / COARSE_DIV : 2 * lp_whole / 3;
    if (c->n < COARSE_MIN_RATIO * lp_whole)
        return TQO_OK;
    tqo_status st = coarse_level_build(c, target, &v->main);
    v->on = v->main.on;
    int t0 = FIRST_PER_TERR * c->p * c->nb;
    if (st == TQO_OK && v->on && t0 < target / 2)
        st = coarse_level_build(c, t0, &v->first);
    return st;
}

/* Level v's context with a start's own centres and prices. */
static align_ctx level_ctx(const coarse_level *v, start_run *o, int threads)
{
    align_ctx k = v->c;
    k.cx = o->cx;
    k.cy = o->cy;
    k.P.cx = o->cx;
    k.P.cy = o->cy;
    k.prices = o->prices;
    k.P.threads = threads;
    return k;
}

/* Start `start` (-1: from (fx, fy)) of search() on a copy of c with its
   own centres and prices; inner threads (the LP's pricing, the k-means
   pass) only when the starts themselves run one at a time. Seeded at full
   size; the balanced iterations on the coarse copy when cv is on. */
static void run_start(const align_ctx *c0, const coarse_view *cv, int start, int starts, int capped,
                      const double *fx, const double *fy, int inner_threads, start_run *o, start_progress *pg)
{
    align_ctx cc = *c0, *c = &cc;
    c->cx = o->cx;
    c->cy = o->cy;
    c->prices = o->prices;
    c->P.cx = o->cx;
    c->P.cy = o->cy;
    c->P.threads = inner_threads;
    int p = c->p, *asg = o->asg, nomem = 0;
    memcpy(c->cx, c0->cx, (size_t)p * sizeof(double)); /* fixed centres */
    memcpy(c->cy, c0->cy, (size_t)p * sizeof(double));
    if (start < 0) {
        memcpy(c->cx, fx, (size_t)p * sizeof(double));
        memcpy(c->cy, fy, (size_t)p * sizeof(double));
    } else if (c->current) {
        for (int i = 0; i < c->n; i++)
            asg[i] = c->current[i] >= 0 ? c->current[i] : 0;
        /* territories without units keep a seed */
        nomem = seed_centres(c, 999, capped ? c->P.max_distance : 0) < 0;
        relocate(c, asg, NULL, 0);
    } else {
        nomem = seed_centres(c, (capped ? 2000 : 1000) + (uint64_t)start, capped ? c->P.max_distance : 0) < 0 ||
                lloyd(c, asg) < 0;
        if (!nomem && !capped && !c->region && start % 2 == 0) /* starts 1, 3, ...: neither wins everywhere */
            nomem = tqoi_align_warm_centres(c, asg) < 0; /* clusters far from balance (align_warm.c) */
    }
    if (nomem) { /* the run ends out of memory (merge_starts) */
        o->ran = 1;
        o->st = TQO_ERR_NOMEM;
        return;
    }
    if (capped) {
        if (cover(c, &o->worst, &o->worst_d) > 0) {
            start_tick(c, pg, MAX_BALANCED + FIRST_BALANCED);
            return;
        }
        o->covered = 1;
    }
    o->ran = 1;
    int s = start < 0 ? starts : start, warm = 0;
    if (cv && cv->first.on) {
        /* its best is not comparable with the main level's: only its last
           centres (and prices) go on */
        align_ctx k = level_ctx(&cv->first, o, inner_threads);
        best_centres f = {INFINITY, o->b.x, o->b.y, o->b.prices};
        tqo_diag d; /* a failure here leaves the main level to decide */
        tqo_diag_init(&d);
        if (iterate(&k, s, 0, FIRST_BALANCED, &o->iterations, &f, &d, pg) == TQO_OK)
            warm = 1;
        tqo_diag_free(&d);
    } else {
        start_tick(c, pg, FIRST_BALANCED);
    }
    if (cv && cv->on) {
        align_ctx k = level_ctx(&cv->main, o, inner_threads);
        o->st = iterate(&k, s, warm, MAX_BALANCED, &o->iterations, &o->b, &o->fail, pg);
        return;
    }
    o->st = iterate(c, s, 0, MAX_BALANCED, &o->iterations, &o->b, &o->fail, pg);
}

static void start_free(start_run *o)
{
    free(o->b.x);
    free(o->b.y);
    free(o->b.prices);
    free(o->cx);
    free(o->cy);
    free(o->prices);
    free(o->asg);
    tqo_diag_free(&o->fail);
}

static int start_alloc(const align_ctx *c, start_run *o)
{
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    memset(o, 0, sizeof *o);
    tqo_diag_init(&o->fail);
    o->b.obj = INFINITY;
    o->worst = -1;
    o->st = TQO_ERR_SOLVER;
    o->b.x = malloc(p * sizeof(double));
    o->b.y = malloc(p * sizeof(double));
    o->b.prices = calloc(np, sizeof(double));
    o->cx = malloc(p * sizeof(double));
    o->cy = malloc(p * sizeof(double));
    o->prices = calloc(np, sizeof(double));
    o->asg = malloc((size_t)c->n * sizeof(int));
    return o->b.x && o->b.y && o->b.prices && o->cx && o->cy && o->prices && o->asg;
}

/* The starts' results into b, fail, cr and *iterations, in start order
   (the earliest of equal objectives wins), as one start after another
   would leave them; *win is the start b came from (-1: none). Returns
   the status of the last start that ran, or TQO_ERR_NOMEM when one ran
   out of memory (the other starts would decide otherwise, and the run
   would differ from a run with memory). */
static tqo_status merge_starts(align_ctx *c, start_run *runs, int nrun, int *iterations, best_centres *b,
                               tqo_diag *fail, cover_report *cr, int *win)
{
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    tqo_status last = TQO_ERR_SOLVER;
    int nomem = 0;
    *win = -1;
    for (int k = 0; k < nrun; k++) {
        start_run *o = &runs[k];
        if (cr && !o->covered && o->worst >= 0) {
            cr->worst = o->worst;
            cr->worst_d = o->worst_d;
        }
        if (cr)
            cr->covered += o->covered;
        if (!o->ran)
            continue;
        *iterations += o->iterations;
        nomem |= o->st == TQO_ERR_NOMEM;
        last = o->st;
        for (int q = 0; q < o->fail.n_msgs; q++)
            if (o->fail.is_error[q])
                tqo_diag_error(fail, "%s", o->fail.msgs[q]);
        if (o->b.obj < b->obj) {
            *win = k;
            b->obj = o->b.obj;
            memcpy(b->x, o->b.x, p * sizeof(double));
            memcpy(b->y, o->b.y, p * sizeof(double));
            memcpy(b->prices, o->b.prices, np * sizeof(double));
        }
    }
    return nomem ? TQO_ERR_NOMEM : last;
}

/* The starts other than win (the one merge_starts took) into
   c->layouts, in start order: their centres as they ended (on the coarse
   copy when the starts ran there). */
static tqo_status keep_layouts(align_ctx *c, const start_run *runs, int nrun, int win)
{
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    align_layouts *L = c->layouts;
    tqoi_align_layouts_free(L);
    L->x = malloc((size_t)nrun * p * sizeof(double));
    L->y = malloc((size_t)nrun * p * sizeof(double));
    L->prices = malloc((size_t)nrun * np * sizeof(double));
    L->start = malloc((size_t)nrun * sizeof(int));
    if (!L->x || !L->y || !L->prices || !L->start)
        return TQO_ERR_NOMEM;
    for (int k = 0; k < nrun; k++) {
        if (k == win || !runs[k].ran || !isfinite(runs[k].b.obj))
            continue;
        memcpy(L->x + L->n * p, runs[k].b.x, p * sizeof(double));
        memcpy(L->y + L->n * p, runs[k].b.y, p * sizeof(double));
        memcpy(L->prices + L->n * np, runs[k].b.prices, np * sizeof(double));
        L->start[L->n++] = k;
    }
    return TQO_OK;
}

void tqoi_align_layouts_free(align_layouts *L)
{
    free(L->x);
    free(L->y);
    free(L->prices);
    free(L->start);
    memset(L, 0, sizeof *L);
}

/* The best coarse centres in b refined at full size: the balanced
   iterations from them, warm-started with their coarse prices; b gets
   the best full-size centres and objective. */
static tqo_status refine_full(align_ctx *c, int start, int *iterations, best_centres *b, tqo_diag *fail,
                              start_progress *pg)
{
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    best_centres r = {INFINITY, malloc(p * sizeof(double)), malloc(p * sizeof(double)), calloc(np, sizeof(double))};
    tqo_status st = TQO_ERR_NOMEM;
    if (r.x && r.y && r.prices) {
        install(c, b);
        st = iterate(c, start, 1, MAX_BALANCED, iterations, &r, fail, pg);
        b->obj = r.obj;
        if (isfinite(r.obj)) {
            memcpy(b->x, r.x, p * sizeof(double));
            memcpy(b->y, r.y, p * sizeof(double));
            memcpy(b->prices, r.prices, np * sizeof(double));
        }
    }
    free(r.x);
    free(r.y);
    free(r.prices);
    return st;
}

/*
 * Multiple starts, each seeded (or from the current plan) and then
 * iterated; with capped, also one start from (fx, fy) when given, and each
 * start first covers every unit. The starts are independent (each its own
 * seed, centres and prices), so they run on the threads at once and are
 * merged in start order: the same result for any number of threads. The
 * best goes to b; returns the status of the last start (TQO_OK when any
 * succeeded is judged by b->obj).
 */
static tqo_status search(align_ctx *c, int *iterations, int capped, const double *fx, const double *fy,
                         best_centres *b, tqo_diag *fail, cover_report *cr)
{
    /* With a current plan the territories keep their identity, so the
       search starts from them, once. */
    int starts = c->current ? 1 : (c->s->starts > 0 ? c->s->starts : 1);
    int first = fx ? -1 : 0, nrun = starts - first;
    start_run *runs = calloc((size_t)nrun, sizeof *runs);
    if (!runs)
        return TQO_ERR_NOMEM;
    int ok = 1;
    for (int k = 0; k < nrun; k++)
        ok &= start_alloc(c, &runs[k]);
    int nth = c->P.threads > 0 ? c->P.threads : omp_get_max_threads();
    if (nth > nrun)
        nth = nrun;
    coarse_view cv;
    memset(&cv, 0, sizeof cv);
    if (ok && !capped && coarse_view_build(c, &cv) != TQO_OK)
        ok = 0;
    int refine = ok && cv.on;
    if (refine)
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                       "centres: starts on a coarse copy of %d units (first iterations on %d), the best refined at "
                       "full size (%d units)", cv.main.c.n, cv.first.on ? cv.first.c.n : cv.main.c.n, c->n);
    start_progress pg = {capped ? "centres, capped starts" : "centres", 0,
                         nrun * (FIRST_BALANCED + MAX_BALANCED) + refine * MAX_BALANCED};
    if (ok) {
#pragma omp parallel num_threads(nth)
        {
#pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < nrun; k++)
                run_start(c, capped ? NULL : &cv, first + k, starts, capped, fx, fy, nth > 1 ? 1 : c->P.threads,
                          &runs[k], &pg);
            /* a worker's GLPK environment (the pool's threads outlive the
               region); the calling thread keeps its own */
            if (omp_get_thread_num() != 0)
                glp_free_env();
        }
    }
    int win = -1;
    tqo_status last = ok ? merge_starts(c, runs, nrun, iterations, b, fail, cr, &win) : TQO_ERR_NOMEM;
    if (ok && c->layouts && !capped && !fx && keep_layouts(c, runs, nrun, win) != TQO_OK)
        last = TQO_ERR_NOMEM;
    for (int k = 0; k < nrun; k++)
        start_free(&runs[k]);
    free(runs);
    coarse_view_free(&cv);
    if (refine && isfinite(b->obj))
        last = refine_full(c, starts, iterations, b, fail, &pg);
    return last;
}

/* The LP objective at the centres in c (INFINITY when infeasible), its
   final prices in prices (a warm start on entry). */
static double lp_value(align_ctx *c, double *prices)
{
    alloc_solution x;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, prices, &x, c->s->log, c->s->log_ctx, &d);
    tqo_diag_free(&d);
    if (st != TQO_OK)
        return INFINITY;
    double v = x.objective;
    tqoi_alloc_solution_free(&x);
    return v;
}

/*
 * A proof that no placement covers every unit, when one is found: units
 * that no fixed centre covers, pairwise more than twice the cap apart, one
 * more than there are free centres (no centre reaches two of them).
 * Farthest-first; fills idx and returns how many it found.
 */
static int separated_units(const align_ctx *c, double cap, int *idx, int want)
{
    int n = c->n, k = 0;
    double *dmin = malloc((size_t)n * sizeof(double));
    if (!dmin)
        return 0;
    for (int i = 0; i < n; i++) {
        dmin[i] = INFINITY;
        for (int j = 0; j < c->p; j++)
            if (c->fixed_centre[j] &&
                tqo_distance(c->inst->coords, c->inst->x[i], c->inst->y[i], c->cx[j], c->cy[j]) <= cap)
                dmin[i] = -1; /* covered by a home base: not used */
    }
    while (k < want) {
        int pick = -1;
        for (int i = 0; i < n; i++)
            if (dmin[i] >= 0 && (pick < 0 || dmin[i] > dmin[pick]))
                pick = i;
        if (pick < 0 || (k > 0 && !(dmin[pick] > 2 * cap)))
            break;
        idx[k++] = pick;
        for (int i = 0; i < n; i++)
            if (dmin[i] >= 0)
                dmin[i] = fmin(dmin[i], tqo_distance(c->inst->coords, c->inst->x[i], c->inst->y[i],
                                                     c->inst->x[pick], c->inst->y[pick]));
    }
    free(dmin);
    return k;
}

/* The error when no capped start gave a feasible allocation. */
static void capped_failure(align_ctx *c, const cover_report *cr)
{
    double cap = c->P.max_distance;
    int free_c = c->p - c->n_fixed;
    char nb[256];
    if (cr->covered > 0) {
        tqo_diag_error(c->diag, "no centre placement was found under which the territories can be balanced with "
                       "every unit within --max-distance %g km of its centre (a result of the placement "
                       "heuristic, not a proof that none exists): widen the cap or the tolerance", cap);
        return;
    }
    int *idx = malloc((size_t)(free_c + 1) * sizeof(int));
    int k = idx ? separated_units(c, cap, idx, free_c + 1) : 0;
    if (k > free_c) {
        /* a proof: name the units */
        char list[1024] = "";
        size_t len = 0;
        for (int q = 0; q < k && len < sizeof list - 64; q++) {
            int wr = snprintf(list + len, sizeof list - len, "%s'%s'", q ? ", " : "",
                              tqoi_align_unit_name(c, idx[q], nb, sizeof nb));
            len += wr > 0 ? (size_t)wr : 0;
        }
        if (len >= sizeof list - 64)
            snprintf(list + sizeof list - 8, 8, ", ...");
        tqo_diag_error(c->diag, "no placement of the %d free centres puts every unit within --max-distance %g km of "
                       "a centre: units %s are pairwise more than %g km apart%s, so each needs a centre of its "
                       "own", free_c, cap, list, 2 * cap, c->n_fixed ? " and no home base is near them" : "");
    } else if (cr->worst >= 0) {
        tqo_diag_error(c->diag, "no placement of the %d free centres was found that puts every unit within "
                       "--max-distance %g km of a centre it may join: unit %s stays %.4g km from the nearest (a "
                       "result of the placement heuristic, not a proof that none exists)", free_c, cap,
                       tqoi_align_unit_name(c, cr->worst, nb, sizeof nb), cr->worst_d);
    } else {
        tqo_diag_error(c->diag, "no placement of the centres was found within --max-distance %g km", cap);
    }
    free(idx);
}

/* Centres and prices from b into c. */
static void install(align_ctx *c, const best_centres *b)
{
    memcpy(c->cx, b->x, (size_t)c->p * sizeof(double));
    memcpy(c->cy, b->y, (size_t)c->p * sizeof(double));
    memcpy(c->prices, b->prices, ((size_t)c->p * c->nb + 1) * sizeof(double));
}

/*
 * Under a cap: the uncapped search's centres (in u) when the cap does not
 * bind there, else the best of capped starts (one from u); u's capped
 * value competes too. The best goes to b.
 */
static tqo_status capped_search(align_ctx *c, int *iterations, const best_centres *u, best_centres *b,
                                tqo_diag *fail)
{
    size_t np = (size_t)c->p * c->nb + 1;
    double cap = c->P.max_distance;
    double *pr = malloc(np * sizeof(double));
    if (!pr)
        return TQO_ERR_NOMEM;
    install(c, u);
    memcpy(pr, u->prices, np * sizeof(double));
    c->P.max_distance = 0;
    double free_v = lp_value(c, pr);
    c->P.max_distance = cap;
    memcpy(pr, u->prices, np * sizeof(double));
    double capped_v = lp_value(c, pr);
    free(pr);
    if (isfinite(capped_v)) {
        b->obj = capped_v;
        memcpy(b->x, u->x, (size_t)c->p * sizeof(double));
        memcpy(b->y, u->y, (size_t)c->p * sizeof(double));
        memcpy(b->prices, u->prices, np * sizeof(double));
        /* the cap does not bind at these centres: the capped plan is the
           uncapped one */
        if (capped_v <= free_v + 1e-9 * fabs(free_v))
            return TQO_OK;
    }
    cover_report cr = {0, -1, 0};
    search(c, iterations, 1, u->x, u->y, b, fail, &cr);
    if (!isfinite(b->obj)) {
        capped_failure(c, &cr);
        return TQO_ERR_INFEASIBLE;
    }
    return TQO_OK;
}

tqo_status tqoi_align_search_free(align_ctx *c, int *iterations, double *obj)
{
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    best_centres u = {INFINITY, malloc(p * sizeof(double)), malloc(p * sizeof(double)), calloc(np, sizeof(double))};
    tqo_diag fail;
    tqo_diag_init(&fail);
    tqo_status st = TQO_ERR_NOMEM;
    if (u.x && u.y && u.prices) {
        st = search(c, iterations, 0, NULL, NULL, &u, &fail, NULL);
        if (isfinite(u.obj)) {
            install(c, &u);
            st = TQO_OK;
        } else if (st == TQO_OK) {
            st = TQO_ERR_SOLVER;
        }
    }
    *obj = u.obj;
    tqo_diag_free(&fail);
    free(u.x);
    free(u.y);
    free(u.prices);
    return st;
}

/* After the regions: GLOBAL_BALANCED iterations over the whole problem
   on its main coarse copy (at full size when there is none), from the
   union of the regions' centres, so that territories on the regions'
   borders settle; u gets the best centres when they succeed. Only running
   out of memory fails (a failed LP keeps the regions' centres). */
static tqo_status global_settle(align_ctx *c, int *iterations, best_centres *u)
{
    start_run o;
    coarse_view cv;
    memset(&cv, 0, sizeof cv);
    if (!start_alloc(c, &o) || coarse_view_build(c, &cv) != TQO_OK) {
        start_free(&o);
        coarse_view_free(&cv);
        return TQO_ERR_NOMEM;
    }
    memcpy(o.cx, u->x, (size_t)c->p * sizeof(double));
    memcpy(o.cy, u->y, (size_t)c->p * sizeof(double));
    align_ctx k = cv.on ? level_ctx(&cv.main, &o, c->P.threads) : *c;
    if (!cv.on) {
        k.cx = o.cx;
        k.cy = o.cy;
        k.P.cx = o.cx;
        k.P.cy = o.cy;
        k.prices = o.prices;
    }
    tqo_status st = iterate(&k, 0, 0, GLOBAL_BALANCED, iterations, &o.b, &o.fail, NULL);
    if (isfinite(o.b.obj)) {
        memcpy(u->x, o.b.x, (size_t)c->p * sizeof(double));
        memcpy(u->y, o.b.y, (size_t)c->p * sizeof(double));
    }
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "centres: after the regions, %s objective %.9g",
                   cv.on ? "coarse" : "full-size", o.b.obj);
    start_free(&o);
    coarse_view_free(&cv);
    return st == TQO_ERR_NOMEM ? st : TQO_OK;
}

/* The uncapped search by regions (align_regions.c), then the whole
   problem settled on its coarse copy; the plain search when a region
   fails. The regions' prices are not passed on: each region's are
   consistent within it only (its own balance fixes their level), and as a
   start for the whole problem they sent border units wholesale to the
   cheaper side (world places: a first full-size LP of over a minute), so
   the whole problem's LPs start from their own coarse copies. Out of
   memory ends the search; a region that failed otherwise leaves it to the
   plain search. */
static tqo_status region_search(align_ctx *c, int *iterations, best_centres *u, tqo_diag *fail)
{
    tqo_status st = tqoi_align_region_centres(c, u->x, u->y, &u->obj, iterations);
    if (st == TQO_ERR_NOMEM)
        return st;
    if (st != TQO_OK)
        return search(c, iterations, 0, NULL, NULL, u, fail, NULL);
    memset(u->prices, 0, ((size_t)c->p * c->nb + 1) * sizeof(double));
    return global_settle(c, iterations, u);
}

tqo_status tqoi_align_choose_centres(align_ctx *c, int *iterations)
{
    int p = c->p;
    size_t np = (size_t)p * c->nb + 1;
    *iterations = 0;
    if (c->n_fixed == p)
        return TQO_OK;
    best_centres b = {INFINITY, malloc(p * sizeof(double)), malloc(p * sizeof(double)), calloc(np, sizeof(double))};
    best_centres u = {INFINITY, malloc(p * sizeof(double)), malloc(p * sizeof(double)), calloc(np, sizeof(double))};
    tqo_diag fail;
    tqo_diag_init(&fail);
    tqo_status st = TQO_ERR_NOMEM;
    if (!b.x || !b.y || !b.prices || !u.x || !u.y || !u.prices)
        goto out;
    double cap = c->P.max_distance;
    c->P.max_distance = 0;
    st = tqoi_align_regions_apply(c) ? region_search(c, iterations, &u, &fail)
                                     : search(c, iterations, 0, NULL, NULL, &u, &fail, NULL);
    c->P.max_distance = cap;
    if (st == TQO_ERR_NOMEM)
        goto out;
    if (!isfinite(u.obj)) {
        /* every start failed: their messages are the explanation */
        for (int k = 0; k < fail.n_msgs; k++)
            if (fail.is_error[k])
                tqo_diag_error(c->diag, "%s", fail.msgs[k]);
        if (st == TQO_OK)
            st = TQO_ERR_SOLVER;
        goto out;
    }
    if (cap > 0) {
        st = capped_search(c, iterations, &u, &b, &fail);
        if (st == TQO_OK)
            install(c, &b);
    } else {
        install(c, &u);
        st = TQO_OK;
    }
out:
    tqo_diag_free(&fail);
    free(b.x);
    free(b.y);
    free(b.prices);
    free(u.x);
    free(u.y);
    free(u.prices);
    return st;
}

double tqoi_align_refit_centres(align_ctx *c, const int *asg)
{
    return relocate(c, asg, NULL, 1);
}
