/*
 * Free centres for many territories by divide and conquer.
 *
 * The placement's LPs have a balance row per territory and measure, and
 * GLPK's simplex slows much faster than linearly in their number: with
 * many territories the first LPs, at centres far from balance, dominate
 * (world places, k = 1000: over a minute for one). So when the rows are
 * many (REGION_TRIGGER) the units are cut by recursive inertial bisection,
 * weighted by the first balanced measure, into regions of at most
 * REGION_ROWS rows, each given the territories in proportion to its
 * weight: the cut falls where the weight on each side matches the
 * territories' targets on that side. Each region is a small free-centre
 * problem (its bounds scaled to its own weight), solved by the usual
 * search, the regions in parallel and merged in region order (the same
 * result for any number of threads). From the union of the regions'
 * centres a few balanced iterations over the whole problem follow, on its
 * coarse copy (align_centres.c): the regions fix how many territories
 * each part of the map gets, and letting them move across the cuts took
 * the world's objective from 1.26e14 to 7.93e13.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>
#include <omp.h>

/* Balance rows (territories x measures) above which one placement LP is
   too large: the US places at k = 200 solve whole in seconds, the world's
   k = 1000 not in minutes. */
#define REGION_TRIGGER 256
/* Rows of a region's LPs at most: on the world's places regions of 31
   territories took 26 s in all and gave a 0.6% better plan than regions
   of 16; regions of 62 took over 100 s. */
#define REGION_ROWS 32
#define POWER_STEPS 50

/* A region: its units (indices into the whole problem) and territories
   [j0, j1). */
typedef struct region {
    int *units, n, j0, j1;
} region;

typedef struct region_list {
    region *r;
    int n, cap;
} region_list;

int tqoi_align_regions_apply(const align_ctx *c)
{
    return c->nb > 0 && c->n_fixed == 0 && !c->lock && !c->current && c->P.max_distance <= 0 &&
           c->p * c->nb > REGION_TRIGGER && c->n >= 4 * c->p;
}

/* Unit i as a vector (tqoi_align_point3). */
static void vec3(const align_ctx *c, int i, double *v)
{
    tqoi_align_point3(c, c->inst->x[i], c->inst->y[i], v);
}

/* The units' principal axis (weighted by the first measure, plus a little
   for each unit so that weightless ones count): power iteration on the
   3 x 3 covariance, from a fixed start; the same on any machine. */
static void principal_axis(const align_ctx *c, const int *u, int n, double *axis)
{
    double m[3] = {0, 0, 0}, sw = 0, cov[9] = {0};
    double wtot = 0;
    for (int k = 0; k < n; k++)
        wtot += c->a[0][u[k]];
    double eps = wtot > 0 ? 1e-6 * wtot / n : 1;
    for (int k = 0; k < n; k++) {
        double v[3], wt = c->a[0][u[k]] + eps;
        vec3(c, u[k], v);
        for (int d = 0; d < 3; d++)
            m[d] += wt * v[d];
        sw += wt;
    }
    for (int d = 0; d < 3; d++)
        m[d] /= sw;
    for (int k = 0; k < n; k++) {
        double v[3], wt = c->a[0][u[k]] + eps;
        vec3(c, u[k], v);
        for (int d = 0; d < 3; d++)
            for (int e = 0; e < 3; e++)
                cov[3 * d + e] += wt * (v[d] - m[d]) * (v[e] - m[e]);
    }
    double x[3] = {0.6, 0.5, 0.4};
    for (int s = 0; s < POWER_STEPS; s++) {
        double y[3], norm = 0;
        for (int d = 0; d < 3; d++) {
            y[d] = cov[3 * d] * x[0] + cov[3 * d + 1] * x[1] + cov[3 * d + 2] * x[2];
            norm += y[d] * y[d];
        }
        norm = sqrt(norm);
        if (!(norm > 0))
            break;
        for (int d = 0; d < 3; d++)
            x[d] = y[d] / norm;
    }
    memcpy(axis, x, sizeof x);
}

typedef struct proj {
    double t;
    int i;
} proj;

static int proj_cmp(const void *a, const void *b)
{
    const proj *p = a, *q = b;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static double terr_target(const align_ctx *c, int j0, int j1)
{
    double t = 0;
    for (int j = j0; j < j1; j++)
        t += c->target[j * c->nb];
    return t;
}

static int list_push(region_list *L, int *units, int n, int j0, int j1)
{
    if (L->n == L->cap) {
        int cap = L->cap ? 2 * L->cap : 16;
        region *r = realloc(L->r, (size_t)cap * sizeof *r);
        if (!r)
            return 0;
        L->r = r;
        L->cap = cap;
    }
    L->r[L->n++] = (region){units, n, j0, j1};
    return 1;
}

/* Cuts units u (owned) with territories [j0, j1) until each part has at
   most REGION_ROWS rows; parts go to L in order along the cuts. */
static int bisect(const align_ctx *c, int *u, int n, int j0, int j1, region_list *L)
{
    int k = j1 - j0;
    if (k * c->nb <= REGION_ROWS || k < 2 || n < 2 * k)
        return list_push(L, u, n, j0, j1) ? 1 : (free(u), 0);
    int kl = k / 2;
    double tall = terr_target(c, j0, j1), share = tall > 0 ? terr_target(c, j0, j0 + kl) / tall : 0.5;
    double axis[3];
    principal_axis(c, u, n, axis);
    proj *pr = malloc((size_t)n * sizeof *pr);
    if (!pr) {
        free(u);
        return 0;
    }
    double wsum = 0;
    for (int q = 0; q < n; q++) {
        double v[3];
        vec3(c, u[q], v);
        pr[q].t = axis[0] * v[0] + axis[1] * v[1] + axis[2] * v[2];
        pr[q].i = u[q];
        wsum += c->a[0][u[q]];
    }
    qsort(pr, (size_t)n, sizeof *pr, proj_cmp);
    /* the first cut where the weight before it reaches the left share
       (nearer of the two sides of the unit that crosses it); each side
       keeps at least two units per territory */
    int cut = 0;
    double acc = 0, want = share * wsum;
    while (cut < n && acc + c->a[0][pr[cut].i] <= want)
        acc += c->a[0][pr[cut++].i];
    if (cut < n && want - acc > acc + c->a[0][pr[cut].i] - want)
        cut++;
    if (cut < 2 * kl)
        cut = 2 * kl;
    if (n - cut < 2 * (k - kl))
        cut = n - 2 * (k - kl);
    int *left = malloc((size_t)(cut > 0 ? cut : 1) * sizeof(int));
    int *right = malloc((size_t)(n - cut > 0 ? n - cut : 1) * sizeof(int));
    int ok = left && right;
    if (ok) {
        for (int q = 0; q < n; q++)
            (q < cut ? left : right)[q < cut ? q : q - cut] = pr[q].i;
        /* units in index order inside a region: its coarse copy and
           starts then depend on the region only */
        qsort(left, (size_t)cut, sizeof(int), int_cmp);
        qsort(right, (size_t)(n - cut), sizeof(int), int_cmp);
    }
    free(pr);
    free(u);
    if (!ok) {
        free(left);
        free(right);
        return 0;
    }
    if (!bisect(c, left, cut, j0, j0 + kl, L)) {
        free(right);
        return 0;
    }
    return bisect(c, right, n - cut, j0 + kl, j1, L);
}

/* A region as a problem of its own: the parent's context over its units
   and territories, bounds scaled to its weight, no progress reports. */
typedef struct region_ctx {
    tqo_instance inst;
    tqo_align_settings s;
    tqo_diag diag;
    align_ctx c;
    double *x, *y, *a_store, *w, *bounds, *cx, *cy, *prices;
    char *fixed;
    char **uid;
} region_ctx;

static void region_ctx_free(region_ctx *r)
{
    free(r->x);
    free(r->y);
    free(r->a_store);
    free(r->w);
    free(r->bounds);
    free(r->cx);
    free(r->cy);
    free(r->prices);
    free(r->fixed);
    free(r->uid);
    tqo_diag_free(&r->diag);
}

/* Region R's targets and bounds: the parent's, times the region's weight
   over its territories' targets, per measure. */
static void region_bounds(const align_ctx *c, const region *R, region_ctx *r)
{
    int k = R->j1 - R->j0, nb = c->nb;
    double *t = r->bounds, *lo = t + (size_t)k * nb, *hi = lo + (size_t)k * nb;
    for (int b = 0; b < nb; b++) {
        double wsum = 0, tsum = 0;
        for (int q = 0; q < R->n; q++)
            wsum += c->a[b][R->units[q]];
        for (int j = R->j0; j < R->j1; j++)
            tsum += c->target[j * nb + b];
        double ratio = tsum > 0 ? wsum / tsum : 1;
        r->c.total[b] = wsum;
        for (int q = 0; q < k; q++) {
            int j = R->j0 + q;
            t[q * nb + b] = ratio * c->target[j * nb + b];
            lo[q * nb + b] = ratio * c->lo[j * nb + b];
            hi[q * nb + b] = ratio * c->hi[j * nb + b];
        }
    }
    r->c.target = t;
    r->c.lo = lo;
    r->c.hi = hi;
}

static int region_ctx_build(const align_ctx *c, const region *R, int threads, region_ctx *r)
{
    int n = R->n, k = R->j1 - R->j0, nb = c->nb;
    memset(r, 0, sizeof *r);
    tqo_diag_init(&r->diag);
    r->x = malloc((size_t)n * sizeof(double));
    r->y = malloc((size_t)n * sizeof(double));
    r->w = malloc((size_t)n * sizeof(double));
    r->a_store = malloc((size_t)n * nb * sizeof(double));
    r->uid = malloc((size_t)n * sizeof(char *));
    r->bounds = malloc((size_t)k * nb * 3 * sizeof(double));
    r->cx = malloc((size_t)k * sizeof(double));
    r->cy = malloc((size_t)k * sizeof(double));
    r->prices = calloc((size_t)k * nb + 1, sizeof(double));
    r->fixed = calloc((size_t)k, 1);
    if (!r->x || !r->y || !r->w || !r->a_store || !r->uid || !r->bounds || !r->cx || !r->cy || !r->prices ||
        !r->fixed)
        return 0;
    for (int q = 0; q < n; q++) {
        int i = R->units[q];
        r->x[q] = c->inst->x[i];
        r->y[q] = c->inst->y[i];
        r->w[q] = c->w[i];
        r->uid[q] = c->inst->unit_id ? c->inst->unit_id[i] : NULL;
        for (int b = 0; b < nb; b++)
            r->a_store[(size_t)b * n + q] = c->a[b][i];
    }
    r->inst = *c->inst;
    r->inst.n_units = n;
    r->inst.x = r->x;
    r->inst.y = r->y;
    r->inst.unit_id = c->inst->unit_id ? r->uid : NULL;
    r->inst.current = NULL;
    r->inst.lock = NULL;
    r->inst.n_locks = 0;
    r->inst.has_adjacency = 0;
    r->inst.adj_start = r->inst.adj = NULL;
    r->inst.n_territories = k;
    r->s = *c->s;
    r->s.progress = NULL;
    r->s.threads = threads;
    r->s.max_distance_km = 0;
    r->c = *c;
    r->c.inst = &r->inst;
    r->c.s = &r->s;
    r->c.diag = &r->diag;
    r->c.n = n;
    r->c.p = k;
    for (int b = 0; b < nb; b++)
        r->c.a[b] = r->a_store + (size_t)b * n;
    r->c.w = r->w;
    region_bounds(c, R, r);
    r->c.cx = r->cx;
    r->c.cy = r->cy;
    r->c.fixed_centre = r->fixed;
    r->c.n_fixed = 0;
    r->c.current = NULL;
    r->c.lock = NULL;
    r->c.max_move = -1;
    r->c.territory_id = c->territory_id + R->j0;
    r->c.contiguity = 0;
    r->c.adj_start = r->c.adj = NULL;
    r->c.comp = r->c.comp_size = NULL;
    r->c.prices = r->prices;
    r->c.region = 1;
    r->c.layouts = NULL; /* a region's starts are not layouts of the whole */
    tqoi_align_bind_problem(&r->c);
    return 1;
}

/* Region R placed on its own; its centres into the whole problem's slots
   of its territories. */
static tqo_status region_solve(const align_ctx *c, const region *R, int threads, double *cx, double *cy,
                               double *obj, int *iterations)
{
    region_ctx r;
    tqo_status st = TQO_ERR_NOMEM;
    *obj = INFINITY;
    *iterations = 0;
    if (region_ctx_build(c, R, threads, &r))
        st = tqoi_align_search_free(&r.c, iterations, obj);
    if (st == TQO_OK && !isfinite(*obj))
        st = TQO_ERR_SOLVER;
    if (st == TQO_OK) {
        int k = R->j1 - R->j0;
        memcpy(cx + R->j0, r.cx, (size_t)k * sizeof(double));
        memcpy(cy + R->j0, r.cy, (size_t)k * sizeof(double));
    }
    region_ctx_free(&r);
    return st;
}

/* Region q's size and how its weight compares with its territories'
   targets (first measure; its bounds are scaled by that ratio, and the
   whole problem's LPs after the regions start as far from balance as the
   ratios are from 1). */
static void log_region(const align_ctx *c, const region *R, int q)
{
    double w = 0, t = terr_target(c, R->j0, R->j1);
    for (int i = 0; i < R->n; i++)
        w += c->a[0][R->units[i]];
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                   "centres: region %d: %d territories, %d units, weight %.3g times its territories' targets", q + 1,
                   R->j1 - R->j0, R->n, t > 0 ? w / t : 0.0);
}

tqo_status tqoi_align_region_centres(align_ctx *c, double *cx, double *cy, double *obj, int *iterations)
{
    int n = c->n;
    region_list L = {NULL, 0, 0};
    int *all = malloc((size_t)n * sizeof(int));
    if (!all)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < n; i++)
        all[i] = i;
    int ok = bisect(c, all, n, 0, c->p, &L);
    int nth = c->P.threads > 0 ? c->P.threads : omp_get_max_threads();
    if (nth > L.n)
        nth = L.n;
    tqo_status *st = malloc((size_t)(L.n + 1) * sizeof *st);
    int *its = calloc((size_t)L.n + 1, sizeof(int)), done = 0;
    double *objs = malloc((size_t)(L.n + 1) * sizeof(double));
    tqo_status res = ok && st && its && objs ? TQO_OK : TQO_ERR_NOMEM;
    if (res == TQO_OK) {
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "centres: %d regions of at most %d balance rows",
                       L.n, REGION_ROWS);
        for (int q = 0; q < L.n; q++)
            log_region(c, &L.r[q], q);
#pragma omp parallel num_threads(nth)
        {
#pragma omp for schedule(dynamic, 1)
            for (int q = 0; q < L.n; q++) {
                st[q] = region_solve(c, &L.r[q], nth > 1 ? 1 : c->P.threads, cx, cy, &objs[q], &its[q]);
                if (c->s->progress) {
#pragma omp critical(tqoi_align_region_progress)
                    c->s->progress(c->s->progress_ctx, "centres, regions", ++done, L.n);
                }
            }
            /* a worker's GLPK environment (the pool's threads outlive the
               region); the calling thread keeps its own */
            if (omp_get_thread_num() != 0)
                glp_free_env();
        }
        *obj = 0;
        for (int q = 0; q < L.n; q++) {
            *iterations += its[q];
            *obj += objs[q];
            if (st[q] != TQO_OK && res == TQO_OK)
                res = st[q];
        }
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "centres: %d regions placed (%d iterations)%s", L.n,
                       *iterations, res == TQO_OK ? "" : ", one failed");
    }
    for (int q = 0; q < L.n; q++)
        free(L.r[q].units);
    free(L.r);
    free(st);
    free(its);
    free(objs);
    return res;
}
