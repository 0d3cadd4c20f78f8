/*
 * The allocation LP for given centres (see alloc.h), solved without handing
 * the whole model to GLPK's general simplex, which is far too slow at this
 * size. The structure is exploited instead:
 *
 * 1. Prices. Relaxing the balance rows (and the move cap) with prices
 *    leaves a problem that splits by unit: each unit takes its cheapest
 *    territory at the current prices. The dual has only p x nb prices, and
 *    coordinate ascent finds good ones fast: the best value of one price,
 *    all others fixed, is found exactly among the units' switch points (a
 *    weighted selection, linear time).
 *
 * 2. A restricted LP in GLPK. Units whose best territory beats the second
 *    by a clear margin are fixed there; the LP decides the ambiguous units
 *    near territory borders, with the fixed units' measures moved into the
 *    row bounds.
 *
 *    Units freed later enter the LP where they were fixed, as basic
 *    columns: every basis stays primal feasible, and the primal simplex
 *    goes on from the last one (the dual simplex from a basis that the new
 *    rows make infeasible took most of the time).
 *
 * 3. Pricing over the full model. With the LP's duals every unit and every
 *    allowed territory is priced: fixed units that would rather be elsewhere
 *    are freed, and columns with negative reduced cost are added; repeat.
 *    Each unit searches a k-d tree of the centres (alloc_ctree.c) whose nodes
 *    bound distance and prices together: exact, and far fewer pairs.
 *    When nothing prices out, the duals are feasible for the full model and
 *    the LP solution is optimal for it. The lower bound is the Lagrangian
 *    value at those duals, over every allowed pair (the pruned search skips
 *    only pairs proven worse): a proof that holds whatever happened before.
 */
#include "alloc/alloc.h"
#include "alloc/alloc_ctree.h"
#include "util/glpk_guard.h"

#include <glpk.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)
#define PRICE_TOL 1e-7      /* reduced-cost tolerance in scaled units */
#define MAX_ROUNDS 60
#define MAX_SWEEPS 60
/* Improving columns added per free unit and pricing round: the most
   negative few. Adding every one (at the penalty duals of a first LP far
   from balance: tens per unit) made the restricted LP nearly the whole
   model; those that matter price out again next round. */
#define COL_BATCH 4

/* ------------------------------------------------------------------ */
/* Costs                                                               */

/* Great-circle distance from the chord between unit vectors: ordering by
   chord is ordering by distance, and no trigonometry per pair is needed
   beyond one asin. */
static void to_unit_vector(double lon, double lat, double *v)
{
    double la = lat * DEG2RAD, lo = lon * DEG2RAD;
    v[0] = cos(la) * cos(lo);
    v[1] = cos(la) * sin(lo);
    v[2] = sin(la);
}

static double chord_to_d2(double ch2)
{
    double h = sqrt(ch2) / 2;
    if (h > 1)
        h = 1;
    double d = 2 * TQO_EARTH_RADIUS_KM * asin(h);
    return d * d;
}

double tqoi_alloc_dist2(const alloc_problem *P, int i, int j)
{
    if (P->coords == TQO_COORDS_LATLON) {
        double u[3], c[3];
        to_unit_vector(P->ux[i], P->uy[i], u);
        to_unit_vector(P->cx[j], P->cy[j], c);
        double dx = u[0] - c[0], dy = u[1] - c[1], dz = u[2] - c[2];
        return chord_to_d2(dx * dx + dy * dy + dz * dz);
    }
    double dx = P->ux[i] - P->cx[j], dy = P->uy[i] - P->cy[j];
    return dx * dx + dy * dy;
}

static int allowed_d2(const alloc_problem *P, int i, int j, double d2)
{
    if (P->lock && P->lock[i] >= 0)
        return P->lock[i] == j;
    if (P->max_distance > 0 && d2 > P->max_distance * P->max_distance)
        return 0;
    return 1;
}

int tqoi_alloc_allowed(const alloc_problem *P, int i, int j)
{
    return allowed_d2(P, i, j, tqoi_alloc_dist2(P, i, j));
}

static double cost_d2(const alloc_problem *P, int i, int j, double d2)
{
    double c = P->w[i] * d2;
    if (P->current && P->disruption_weight > 0 && P->current[i] >= 0 && P->current[i] != j)
        c += P->disruption_weight * P->a[0][i];
    return c;
}

double tqoi_alloc_cost(const alloc_problem *P, int i, int j)
{
    double d2 = tqoi_alloc_dist2(P, i, j);
    if (!allowed_d2(P, i, j, d2))
        return INFINITY;
    return cost_d2(P, i, j, d2);
}

void tqoi_alloc_solution_free(alloc_solution *x)
{
    free(x->start);
    free(x->terr);
    free(x->share);
    memset(x, 0, sizeof *x);
}

/* ------------------------------------------------------------------ */
/* Working state                                                       */

typedef struct work {
    const alloc_problem *P;
    int n, p, nb;
    int has_move;
    double cscale;            /* costs are divided by this */
    double ascale[TQO_MAX_BALANCE]; /* measure b is divided by ascale[b] */
    double *lo, *hi;          /* scaled bounds [j*nb+b] */
    double cap;               /* scaled move cap */
    double *u3, *c3;          /* unit vectors (lat/lon only) */
    /* candidate entries of each unit: cs[i] .. cs[i+1] */
    int *cs, *ct, *cu;
    double *cc, *r;           /* scaled cost, reduced cost at current prices */
    int *ts, *te;             /* entries by territory */
    double *pi;               /* p*nb prices, Lagrangian sign */
    double nu;                /* move price >= 0 */
    char *inert;              /* no weight and no measure: placed, not solved */
    /* centres sorted along one axis (of the unit vectors with lat/lon):
       the distance along it bounds the distance from below */
    alloc_ctree ctr;          /* the centres' k-d tree of exact pricing */
    double *cpt;              /* p centre points of ctr (unit vectors, or x, y, 0) */
    tqo_log_fn log;
    void *log_ctx;
} work;

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define logf_(W, ...) tqo_log_printf((W)->log, (W)->log_ctx, TQO_LOG_DEBUG, __VA_ARGS__)

static double wd2(const work *W, int i, int j)
{
    const alloc_problem *P = W->P;
    if (W->u3) {
        const double *u = W->u3 + 3 * (size_t)i, *c = W->c3 + 3 * (size_t)j;
        double dx = u[0] - c[0], dy = u[1] - c[1], dz = u[2] - c[2];
        return chord_to_d2(dx * dx + dy * dy + dz * dz);
    }
    double dx = P->ux[i] - P->cx[j], dy = P->uy[i] - P->cy[j];
    return dx * dx + dy * dy;
}

/* Squared chord (lat/lon) or squared distance (planar): same order. */
static double near_key(const work *W, int i, int j)
{
    const alloc_problem *P = W->P;
    if (W->u3) {
        const double *u = W->u3 + 3 * (size_t)i, *c = W->c3 + 3 * (size_t)j;
        double dx = u[0] - c[0], dy = u[1] - c[1], dz = u[2] - c[2];
        return dx * dx + dy * dy + dz * dz;
    }
    double dx = P->ux[i] - P->cx[j], dy = P->uy[i] - P->cy[j];
    return dx * dx + dy * dy;
}

/* ------------------------------------------------------------------ */
/* Centres searched in their k-d tree                                  */

/* The centres' k-d tree (alloc_ctree.c). */
static tqo_status build_ctree(work *W)
{
    int p = W->p;
    W->cpt = malloc((size_t)(p > 0 ? p : 1) * 3 * sizeof(double));
    if (!W->cpt)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++) {
        double *q = W->cpt + 3 * (size_t)j;
        if (W->c3) {
            memcpy(q, W->c3 + 3 * (size_t)j, 3 * sizeof(double));
        } else {
            q[0] = W->P->cx[j];
            q[1] = W->P->cy[j];
            q[2] = 0;
        }
    }
    return tqoi_alloc_ctree_build(&W->ctr, W->cpt, p, W->nb);
}

static double Ab(const work *W, int b, int i)
{
    return W->P->a[b][i] / W->ascale[b];
}

/* A lower bound on the scaled reduced cost of unit i anywhere, but for
   the distance term: its prices at their most favourable, moves at their
   cheapest. */
static double price_floor(const work *W, int i, const double *pmin, const double *pmax)
{
    const alloc_problem *P = W->P;
    double f = 0;
    for (int b = 0; b < W->nb; b++) {
        double a = Ab(W, b, i);
        f += a >= 0 ? a * pmin[b] : a * pmax[b];
    }
    if (P->current && P->current[i] >= 0) {
        if (W->has_move)
            f += fmin(0, W->nu * Ab(W, 0, i));
        if (P->disruption_weight > 0)
            f += fmin(0, P->disruption_weight * P->a[0][i]) / W->cscale;
    }
    return f;
}

static int is_moved(const work *W, int i, int j)
{
    const int *cur = W->P->current;
    return cur && cur[i] >= 0 && cur[i] != j;
}

/* Scaled reduced cost of (i, j) at the current prices, cost c given. */
static double reduced(const work *W, int i, int j, double c)
{
    double r = c;
    for (int b = 0; b < W->nb; b++)
        r += Ab(W, b, i) * W->pi[j * W->nb + b];
    if (W->has_move && is_moved(W, i, j))
        r += W->nu * Ab(W, 0, i);
    return r;
}

static void work_free(work *W)
{
    free(W->lo);
    free(W->hi);
    free(W->u3);
    free(W->c3);
    free(W->cs);
    free(W->ct);
    free(W->cu);
    free(W->cc);
    free(W->r);
    free(W->ts);
    free(W->te);
    free(W->pi);
    free(W->inert);
    tqoi_alloc_ctree_free(&W->ctr);
    free(W->cpt);
}

/* ------------------------------------------------------------------ */
/* Candidates: each unit's K nearest allowed centres, plus its current
   and locked territory.                                                */

typedef struct kv {
    double k;
    int v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->v - y->v;
}

static double node_bound(const work *W, int i, int k, const double *q, double wi, double nonprice);

/* Unit i's point in the centres' tree's space. */
static void tree_point(const work *W, int i, double *q)
{
    if (W->u3) {
        memcpy(q, W->u3 + 3 * (size_t)i, 3 * sizeof(double));
    } else {
        q[0] = W->P->ux[i];
        q[1] = W->P->uy[i];
        q[2] = 0;
    }
}

/* The least near_key of unit i over all centres (allowed or not): the
   tree's boxes bound it from below exactly, so the value is a full scan's. */
static double tree_nearest(const work *W, int i)
{
    const alloc_ctree *T = &W->ctr;
    double q[3], best = INFINITY;
    int stack[128], top = 0;
    if (T->nn == 0)
        return best;
    tree_point(W, i, q);
    stack[top++] = 0;
    while (top > 0) {
        int k = stack[--top];
        if (tqoi_alloc_ctree_box_d2(T, k, q) > best)
            continue;
        const alloc_ctree_node *N = &T->node[k];
        if (N->left < 0) {
            for (int e = N->first; e < N->first + N->count; e++)
                best = fmin(best, near_key(W, i, T->idx[e]));
            continue;
        }
        int l_near = tqoi_alloc_ctree_box_d2(T, N->left, q) <= tqoi_alloc_ctree_box_d2(T, N->right, q);
        stack[top++] = l_near ? N->right : N->left;
        stack[top++] = l_near ? N->left : N->right;
    }
    return best;
}

/* Into buf (sorted), unit i's K allowed territories of least key: the
   reduced cost at the tree's prices (by_price), else the nearness key;
   ties by territory. A subtree is skipped when its bound exceeds the
   K-th key found (the same set as a full scan). Returns how many. */
static int tree_kbest(const work *W, int i, int K, int by_price, kv *buf)
{
    const alloc_problem *P = W->P;
    const alloc_ctree *T = &W->ctr;
    double q[3], zero[TQO_MAX_BALANCE] = {0}, sb[128];
    tree_point(W, i, q);
    double wi = P->w[i] / W->cscale, nonprice = by_price ? price_floor(W, i, zero, zero) : 0;
    int prune = !by_price || wi >= 0, stack[128], top = 0, nk = 0;
    if (T->nn == 0 || K <= 0)
        return 0;
    stack[top] = 0;
    sb[top++] = -INFINITY;
    while (top > 0) {
        top--;
        int k = stack[top];
        if (prune && nk == K && sb[top] > buf[K - 1].k + 1e-9 * (fabs(buf[K - 1].k) + 1))
            continue;
        const alloc_ctree_node *N = &T->node[k];
        if (N->left < 0) {
            for (int e2 = N->first; e2 < N->first + N->count; e2++) {
                int j = T->idx[e2];
                double d2 = wd2(W, i, j);
                if (!allowed_d2(P, i, j, d2))
                    continue;
                kv e = {by_price ? reduced(W, i, j, cost_d2(P, i, j, d2) / W->cscale) : near_key(W, i, j), j};
                if (nk == K && kv_cmp(&e, &buf[K - 1]) >= 0)
                    continue;
                int qq = nk < K ? nk++ : K - 1;
                while (qq > 0 && kv_cmp(&e, &buf[qq - 1]) < 0) {
                    buf[qq] = buf[qq - 1];
                    qq--;
                }
                buf[qq] = e;
            }
            continue;
        }
        double bl, br;
        if (by_price) {
            bl = node_bound(W, i, N->left, q, wi, nonprice);
            br = node_bound(W, i, N->right, q, wi, nonprice);
        } else {
            bl = tqoi_alloc_ctree_box_d2(T, N->left, q);
            br = tqoi_alloc_ctree_box_d2(T, N->right, q);
        }
        stack[top] = bl <= br ? N->right : N->left;
        sb[top++] = fmax(bl, br);
        stack[top] = bl <= br ? N->left : N->right;
        sb[top++] = fmin(bl, br);
    }
    return nk;
}

static tqo_status build_candidates(work *W, int K, int by_price)
{
    const alloc_problem *P = W->P;
    int n = W->n, p = W->p;
    if (K > p)
        K = p;
    W->cs = malloc((size_t)(n + 1) * sizeof(int));
    size_t cap = (size_t)n * (size_t)(K + 1) + 1;
    W->ct = malloc(cap * sizeof(int));
    W->cu = malloc(cap * sizeof(int));
    W->cc = malloc(cap * sizeof(double));
    kv *buf = malloc((size_t)p * sizeof(kv));
    if (!W->cs || !W->ct || !W->cu || !W->cc || !buf) {
        free(buf);
        return TQO_ERR_NOMEM;
    }
    if (by_price)
        tqoi_alloc_ctree_prices(&W->ctr, W->pi);
    size_t m = 0;
    for (int i = 0; i < n; i++) {
        W->cs[i] = (int)m;
        if (P->lock && P->lock[i] >= 0) {
            int j = P->lock[i];
            W->ct[m] = j;
            W->cu[m] = i;
            W->cc[m] = cost_d2(P, i, j, wd2(W, i, j)) / W->cscale;
            m++;
            continue;
        }
        /* With prices known (a warm start) the candidates are the
           territories of lowest reduced cost, which may be far away when
           balance pulls hard; otherwise the nearest ones. The K best
           allowed ones are kept in order as they come (insertion into a
           sorted list of K): p is large next to K. */
        int nk = tree_kbest(W, i, K, by_price, buf);
        int has_cur = 0;
        int cur = P->current ? P->current[i] : -1;
        for (int k = 0; k < nk; k++) {
            int j = buf[k].v;
            double d2 = wd2(W, i, j);
            W->ct[m] = j;
            W->cu[m] = i;
            W->cc[m] = cost_d2(P, i, j, d2) / W->cscale;
            has_cur |= j == cur;
            m++;
        }
        if (cur >= 0 && !has_cur) {
            double d2 = wd2(W, i, cur);
            if (allowed_d2(P, i, cur, d2)) {
                W->ct[m] = cur;
                W->cu[m] = i;
                W->cc[m] = cost_d2(P, i, cur, d2) / W->cscale;
                m++;
            }
        }
    }
    W->cs[n] = (int)m;
    free(buf);
    W->r = malloc((m + 1) * sizeof(double));
    W->ts = calloc((size_t)p + 1, sizeof(int));
    W->te = malloc((m + 1) * sizeof(int));
    if (!W->r || !W->ts || !W->te)
        return TQO_ERR_NOMEM;
    for (size_t e = 0; e < m; e++)
        W->ts[W->ct[e] + 1]++;
    for (int j = 0; j < p; j++)
        W->ts[j + 1] += W->ts[j];
    int *fill = malloc((size_t)(p + 1) * sizeof(int));
    if (!fill)
        return TQO_ERR_NOMEM;
    memcpy(fill, W->ts, (size_t)p * sizeof(int));
    for (size_t e = 0; e < m; e++)
        W->te[fill[W->ct[e]]++] = (int)e;
    free(fill);
    return TQO_OK;
}

static void recompute_reduced(work *W)
{
    for (int e = 0; e < W->cs[W->n]; e++)
        W->r[e] = reduced(W, W->cu[e], W->ct[e], W->cc[e]);
}

/* Lagrangian over the candidate entries (scaled). */
static double lagrangian_cand(const work *W)
{
    double L = 0;
    for (int i = 0; i < W->n; i++) {
        if (W->inert[i])
            continue;
        double best = INFINITY;
        for (int e = W->cs[i]; e < W->cs[i + 1]; e++)
            if (W->r[e] < best)
                best = W->r[e];
        L += best;
    }
    for (int k = 0; k < W->p * W->nb; k++) {
        double pk = W->pi[k];
        L -= pk > 0 ? pk * W->hi[k] : pk * W->lo[k];
    }
    if (W->has_move)
        L -= W->nu * W->cap;
    return L;
}

/* ------------------------------------------------------------------ */
/* Phase 1: coordinate ascent on the prices                            */

typedef struct tp {
    double t, a;
} tp;

static int tp_desc(const void *x, const void *y)
{
    const tp *a = x, *b = y;
    if (a->t != b->t)
        return a->t > b->t ? -1 : 1;
    return 0;
}

/* The largest switch point t of buf with base + (measure of the entries
   with switch point >= t) >= theta; 0 when there is none. Weighted
   quickselect, O(m) expected; reorders buf. */
static int wselect(tp *buf, int m, double base, double theta, double *t_out)
{
    int l = 0, r = m; /* the answer lies in buf[l..r); entries above it are in base */
    while (l < r) {
        /* median of three as the pivot */
        double x = buf[l].t, y = buf[l + (r - l) / 2].t, z = buf[r - 1].t;
        double pv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        /* three-way partition: > pv | == pv | < pv */
        int g = l, e = l, h = r;
        while (e < h) {
            if (buf[e].t > pv) {
                tp t = buf[g];
                buf[g] = buf[e];
                buf[e] = t;
                g++;
                e++;
            } else if (buf[e].t < pv) {
                h--;
                tp t = buf[h];
                buf[h] = buf[e];
                buf[e] = t;
            } else {
                e++;
            }
        }
        double sg = 0, se = 0;
        for (int q = l; q < g; q++)
            sg += buf[q].a;
        for (int q = g; q < h; q++)
            se += buf[q].a;
        if (g > l && base + sg >= theta) {
            r = g;
            continue;
        }
        if (base + sg + se >= theta) {
            *t_out = pv;
            return 1;
        }
        base += sg + se;
        l = h;
    }
    return 0;
}

/* Best reduced cost of unit i over its entries other than skip. */
static double best_other(const work *W, int i, int skip)
{
    double best = INFINITY;
    for (int e = W->cs[i]; e < W->cs[i + 1]; e++)
        if (e != skip && W->r[e] < best)
            best = W->r[e];
    return best;
}

/* Sets price (j, b) to its best value with all others fixed. */
static void ascend_price(work *W, int j, int b, tp *buf)
{
    int k = j * W->nb + b;
    double pk = W->pi[k];
    int m = 0;
    double forced = 0;
    for (int q = W->ts[j]; q < W->ts[j + 1]; q++) {
        int e = W->te[q], i = W->cu[e];
        if (W->inert[i])
            continue;
        double a = Ab(W, b, i);
        if (a <= 0)
            continue;
        double other = best_other(W, i, e);
        if (!isfinite(other)) {
            forced += a;
            continue;
        }
        double base = W->r[e] - a * pk;
        buf[m].t = (other - base) / a;
        buf[m].a = a;
        m++;
    }
    /* F(t) = forced + the measure of the units with switch point >= t
       falls as t grows: the best price is the largest switch point where F
       reaches hi, if positive; else 0 if F(0) reaches lo; else the largest
       (negative) one where F reaches lo. Found by selection, not sorting. */
    double hi = W->hi[k], lo = W->lo[k], best;
    if (forced >= hi) {
        double tmax = -INFINITY;
        for (int q = 0; q < m; q++)
            tmax = fmax(tmax, buf[q].t);
        best = m ? tmax + 1 : pk; /* over-full whatever the price */
        if (best < pk)
            best = pk;
        goto set;
    }
    double th;
    if (wselect(buf, m, forced, hi, &th) && th > 0) {
        best = th;
        goto set;
    }
    double f0 = forced;
    for (int q = 0; q < m; q++)
        if (buf[q].t >= 0)
            f0 += buf[q].a;
    if (f0 >= lo) {
        best = 0;
        goto set;
    }
    if (wselect(buf, m, forced, lo, &th)) {
        best = th;
        goto set;
    }
    if (m) {
        best = INFINITY;
        for (int q = 0; q < m; q++)
            best = fmin(best, buf[q].t);
    } else {
        best = pk; /* cannot be filled from candidates */
    }
set:;
    double d = best - pk;
    if (d == 0)
        return;
    W->pi[k] = best;
    for (int q2 = W->ts[j]; q2 < W->ts[j + 1]; q2++) {
        int e = W->te[q2];
        W->r[e] += Ab(W, b, W->cu[e]) * d;
    }
}


/* Sets the move price to its best value with the others fixed. */
static void ascend_move(work *W, tp *buf)
{
    const int *cur = W->P->current;
    int m = 0;
    double forced = 0;
    for (int i = 0; i < W->n; i++) {
        if (W->inert[i] || cur[i] < 0)
            continue;
        double a = Ab(W, 0, i);
        if (a <= 0)
            continue;
        int ec = -1;
        for (int e = W->cs[i]; e < W->cs[i + 1]; e++)
            if (W->ct[e] == cur[i])
                ec = e;
        if (ec < 0) {
            forced += a;
            continue;
        }
        double other = best_other(W, i, ec);
        if (!isfinite(other))
            continue; /* can only stay */
        double other_base = other - W->nu * a;
        buf[m].t = (W->r[ec] - other_base) / a;
        buf[m].a = a;
        m++;
    }
    qsort(buf, (size_t)m, sizeof(tp), tp_desc);
    double cum = forced, best = 0;
    for (int q = 0; q < m && buf[q].t > 0; q++) {
        cum += buf[q].a;
        if (cum > W->cap) {
            best = buf[q].t;
            break;
        }
    }
    double d = best - W->nu;
    if (d == 0)
        return;
    W->nu = best;
    for (int e = 0; e < W->cs[W->n]; e++)
        if (is_moved(W, W->cu[e], W->ct[e]))
            W->r[e] += Ab(W, 0, W->cu[e]) * d;
}

/* Total violation of the balance rows when every unit takes its best
   candidate at the current prices (scaled; for the log). */
static double best_violation(const work *W)
{
    double *load = calloc((size_t)W->p * W->nb, sizeof(double));
    if (!load)
        return NAN;
    for (int i = 0; i < W->n; i++) {
        int be = W->cs[i];
        for (int e = W->cs[i]; e < W->cs[i + 1]; e++)
            if (W->r[e] < W->r[be])
                be = e;
        for (int b = 0; b < W->nb; b++)
            load[W->ct[be] * W->nb + b] += Ab(W, b, i);
    }
    double v = 0;
    for (int k = 0; k < W->p * W->nb; k++)
        v += fmax(0, load[k] - W->hi[k]) + fmax(0, W->lo[k] - load[k]);
    free(load);
    return v;
}

static tqo_status price_ascent(work *W, int *sweeps_done)
{
    size_t maxm = 0;
    for (int j = 0; j < W->p; j++)
        if ((size_t)(W->ts[j + 1] - W->ts[j]) > maxm)
            maxm = (size_t)(W->ts[j + 1] - W->ts[j]);
    if ((size_t)W->n > maxm)
        maxm = (size_t)W->n;
    tp *buf = malloc((maxm + 1) * sizeof(tp));
    if (!buf)
        return TQO_ERR_NOMEM;
    recompute_reduced(W);
    double L = lagrangian_cand(W);
    int sweeps = 0;
    logf_(W, "alloc: price ascent starts at Lagrangian %.9g (candidates), violation %.3g", L * W->cscale,
          best_violation(W));
    L = lagrangian_cand(W);
    for (int s = 0; s < MAX_SWEEPS; s++, sweeps++) {
        for (int j = 0; j < W->p; j++)
            for (int b = 0; b < W->nb; b++)
                ascend_price(W, j, b, buf);
        if (W->has_move)
            ascend_move(W, buf);
        double L2 = lagrangian_cand(W);
        double gain = L2 - L;
        L = L2;
        if (gain <= 1e-9 * (fabs(L) + 1e-9))
            break;
    }
    /* Drift from incremental updates is removed once here. */
    recompute_reduced(W);
    *sweeps_done = sweeps;
    logf_(W, "alloc: price ascent %d sweeps, Lagrangian %.9g (candidates), violation %.3g", sweeps,
          lagrangian_cand(W) * W->cscale, best_violation(W));
    free(buf);
    return TQO_OK;
}


/* ------------------------------------------------------------------ */
/* Warm start from a coarser problem                                   */

/*
 * Units close together with the same current territory and lock are
 * merged into one coarse unit carrying their summed measures and weight at
 * their weighted centroid. For squared Euclidean distance the merged cost
 * differs from the sum of its units' costs by a constant that does not
 * depend on the territory, so the coarse LP has nearly the same prices:
 * they are the warm start of the fine one. Applied recursively.
 */
typedef alloc_coarse coarse; /* alloc.h */

/* Units are grouped by (current, lock), then each group is cut into
   leaves of about `leaf` units by recursive median splits along the wider
   extent: a k-d tree adapts to density, where a grid over a sparse extent
   (islands far away) would leave most cells empty. */
typedef struct ckey {
    int cur, lock, unit;
} ckey;

static int ckey_cmp(const void *pa, const void *pb)
{
    const ckey *a = pa, *b = pb;
    if (a->cur != b->cur)
        return a->cur - b->cur;
    if (a->lock != b->lock)
        return a->lock - b->lock;
    return a->unit - b->unit;
}

static _Thread_local const double *kd_coord;
static int kd_cmp(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    if (kd_coord[a] != kd_coord[b])
        return kd_coord[a] < kd_coord[b] ? -1 : 1;
    return a - b;
}

static void kd_split(int *idx, int m, const double *px, const double *py, int leaf, int *group, int *ng)
{
    if (m <= leaf) {
        for (int k = 0; k < m; k++)
            group[idx[k]] = *ng;
        (*ng)++;
        return;
    }
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < m; k++) {
        x0 = fmin(x0, px[idx[k]]);
        x1 = fmax(x1, px[idx[k]]);
        y0 = fmin(y0, py[idx[k]]);
        y1 = fmax(y1, py[idx[k]]);
    }
    kd_coord = x1 - x0 >= y1 - y0 ? px : py;
    qsort(idx, (size_t)m, sizeof(int), kd_cmp);
    int h = m / 2;
    kd_split(idx, h, px, py, leaf, group, ng);
    kd_split(idx + h, m - h, px, py, leaf, group, ng);
}

void tqoi_alloc_coarse_free(coarse *C)
{
    free(C->a_store);
    free(C->w);
    free(C->x);
    free(C->y);
    free(C->cur);
    free(C->lock);
}

tqo_status tqoi_alloc_build_coarse(const alloc_problem *P, int target, coarse *C)
{
    int n = P->n, nb = P->nb;
    memset(C, 0, sizeof *C);
    ckey *keys = malloc((size_t)n * sizeof(ckey));
    double *px = malloc((size_t)n * sizeof(double)), *py = malloc((size_t)n * sizeof(double));
    if (!keys || !px || !py)
        goto nomem;
    /* Splits in a local planar projection (lat/lon: x scaled by cos). */
    double mlat = 0;
    if (P->coords == TQO_COORDS_LATLON) {
        for (int i = 0; i < n; i++)
            mlat += P->uy[i];
        mlat = cos(mlat / n * DEG2RAD);
    }
    for (int i = 0; i < n; i++) {
        px[i] = P->coords == TQO_COORDS_LATLON ? P->ux[i] * mlat : P->ux[i];
        py[i] = P->uy[i];
        keys[i].cur = P->current ? P->current[i] : -1;
        keys[i].lock = P->lock ? P->lock[i] : -1;
        keys[i].unit = i;
    }
    qsort(keys, (size_t)n, sizeof(ckey), ckey_cmp);
    int leaf = n / (target > 0 ? target : 1);
    if (leaf < 2)
        leaf = 2;
    int *idx = malloc((size_t)n * sizeof(int)), *group = malloc((size_t)n * sizeof(int));
    if (!idx || !group) {
        free(idx);
        free(group);
        goto nomem;
    }
    int m = 0;
    for (int k = 0; k < n;) {
        int e = k;
        while (e < n && keys[e].cur == keys[k].cur && keys[e].lock == keys[k].lock)
            e++;
        for (int q = k; q < e; q++)
            idx[q - k] = keys[q].unit;
        kd_split(idx, e - k, px, py, leaf, group, &m);
        k = e;
    }
    free(idx);
    C->a_store = calloc((size_t)m * nb, sizeof(double));
    C->w = calloc((size_t)m, sizeof(double));
    C->x = calloc((size_t)m, sizeof(double));
    C->y = calloc((size_t)m, sizeof(double));
    C->cur = malloc((size_t)m * sizeof(int));
    C->lock = malloc((size_t)m * sizeof(int));
    double *wsum = calloc((size_t)m, sizeof(double)), *v3 = calloc((size_t)m * 3, sizeof(double));
    if (!C->a_store || !C->w || !C->x || !C->y || !C->cur || !C->lock || !wsum || !v3) {
        free(wsum);
        free(v3);
        free(group);
        goto nomem;
    }
    for (int i = 0; i < n; i++) {
        int g = group[i];
        C->cur[g] = P->current ? P->current[i] : -1;
        C->lock[g] = P->lock ? P->lock[i] : -1;
        double wt = P->w[i] > 0 ? P->w[i] : 0;
        for (int b = 0; b < nb; b++)
            C->a_store[(size_t)b * m + g] += P->a[b][i];
        C->w[g] += P->w[i];
        /* centroid weights: the compactness weight, else a tiny uniform one */
        double cw = wt + 1e-9;
        wsum[g] += cw;
        if (P->coords == TQO_COORDS_LATLON) {
            double v[3];
            to_unit_vector(P->ux[i], P->uy[i], v);
            for (int t = 0; t < 3; t++)
                v3[3 * g + t] += cw * v[t];
        } else {
            C->x[g] += cw * P->ux[i];
            C->y[g] += cw * P->uy[i];
        }
    }
    free(group);
    group = NULL;
    int g;
    for (g = 0; g < m; g++) {
        if (P->coords == TQO_COORDS_LATLON) {
            double *v = v3 + 3 * g, r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            C->y[g] = asin(fmax(-1, fmin(1, v[2] / r))) / DEG2RAD;
            C->x[g] = atan2(v[1], v[0]) / DEG2RAD;
        } else {
            C->x[g] /= wsum[g];
            C->y[g] /= wsum[g];
        }
    }
    free(wsum);
    free(v3);
    C->P = *P;
    C->P.n = m;
    for (int b = 0; b < nb; b++)
        C->a[b] = C->a_store + (size_t)b * m;
    C->P.a = C->a;
    C->P.w = C->w;
    C->P.ux = C->x;
    C->P.uy = C->y;
    C->P.current = P->current ? C->cur : NULL;
    C->P.lock = P->lock ? C->lock : NULL;
    C->P.unit_id = NULL;
    free(keys);
    free(px);
    free(py);
    return TQO_OK;
nomem:
    free(keys);
    free(px);
    free(py);
    tqoi_alloc_coarse_free(C);
    return TQO_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */
/* Phases 2 and 3: restricted LP with full pricing                     */

typedef struct rlp {
    glp_prob *lp;
    int nrow_fixed;           /* balance rows (+ move row) */
    int *urow;                /* row of a free unit, 0 if fixed */
    int *fixed;               /* territory of a fixed unit, -1 if free */
    int *first_col;           /* per unit: first column, list via next_col */
    int *next_col;            /* per column (1-based index) */
    int *col_unit, *col_terr;
    int ncol, colcap;
    double *fixload;          /* [j*nb+b] measures of fixed units */
    double fixmove;           /* moved measure of fixed units */
    int keep_feasible;        /* freed units enter the basis where they were */
} rlp;

static int rlp_grow_cols(rlp *R, int need)
{
    if (need < R->colcap)
        return 0;
    int cap = R->colcap ? R->colcap : 1024;
    while (cap <= need)
        cap *= 2;
    int *a = realloc(R->next_col, (size_t)cap * sizeof(int));
    if (!a)
        return -1;
    R->next_col = a;
    a = realloc(R->col_unit, (size_t)cap * sizeof(int));
    if (!a)
        return -1;
    R->col_unit = a;
    a = realloc(R->col_terr, (size_t)cap * sizeof(int));
    if (!a)
        return -1;
    R->col_terr = a;
    R->colcap = cap;
    return 0;
}

static int has_col(const rlp *R, int i, int j)
{
    for (int c = R->first_col[i]; c; c = R->next_col[c])
        if (R->col_terr[c] == j)
            return 1;
    return 0;
}

static int add_col(work *W, rlp *R, int i, int j, double c)
{
    if (rlp_grow_cols(R, R->ncol + 1) != 0)
        return -1;
    int col = glp_add_cols(R->lp, 1);
    R->ncol = col;
    R->col_unit[col] = i;
    R->col_terr[col] = j;
    R->next_col[col] = R->first_col[i];
    R->first_col[i] = col;
    int ind[TQO_MAX_BALANCE + 3];
    double val[TQO_MAX_BALANCE + 3];
    int k = 0;
    ind[++k] = R->urow[i];
    val[k] = 1.0;
    for (int b = 0; b < W->nb; b++) {
        double a = Ab(W, b, i);
        if (a != 0) {
            ind[++k] = j * W->nb + b + 1;
            val[k] = a;
        }
    }
    if (W->has_move && is_moved(W, i, j) && Ab(W, 0, i) != 0) {
        ind[++k] = W->p * W->nb + 1;
        val[k] = Ab(W, 0, i);
    }
    glp_set_mat_col(R->lp, col, k, ind, val);
    glp_set_col_bnds(R->lp, col, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(R->lp, col, c);
    return 0;
}

static void set_row_bounds(work *W, rlp *R)
{
    for (int k = 0; k < W->p * W->nb; k++) {
        double lo = W->lo[k] - R->fixload[k], hi = W->hi[k] - R->fixload[k];
        if (hi - lo <= 1e-12 * (fabs(hi) + 1))
            glp_set_row_bnds(R->lp, k + 1, GLP_FX, hi, hi);
        else
            glp_set_row_bnds(R->lp, k + 1, GLP_DB, lo, hi);
    }
    if (W->has_move)
        glp_set_row_bnds(R->lp, W->p * W->nb + 1, GLP_UP, 0.0, W->cap - R->fixmove);
}

static void fix_unit(work *W, rlp *R, int i, int j)
{
    R->fixed[i] = j;
    for (int b = 0; b < W->nb; b++)
        R->fixload[j * W->nb + b] += Ab(W, b, i);
    if (W->has_move && is_moved(W, i, j))
        R->fixmove += Ab(W, 0, i);
}

/* Frees unit i: a row of its own and columns for its candidates. */
static int free_unit(work *W, rlp *R, int i, int extra_j, double extra_c)
{
    int j = R->fixed[i];
    if (j >= 0) {
        for (int b = 0; b < W->nb; b++)
            R->fixload[j * W->nb + b] -= Ab(W, b, i);
        if (W->has_move && is_moved(W, i, j))
            R->fixmove -= Ab(W, 0, i);
    }
    R->fixed[i] = -1;
    int row = glp_add_rows(R->lp, 1);
    R->urow[i] = row;
    glp_set_row_bnds(R->lp, row, GLP_FX, 1.0, 1.0);
    for (int e = W->cs[i]; e < W->cs[i + 1]; e++)
        if (add_col(W, R, i, W->ct[e], W->cc[e]) != 0)
            return -1;
    if (extra_j >= 0 && !has_col(R, i, extra_j))
        if (add_col(W, R, i, extra_j, extra_c) != 0)
            return -1;
    if (j >= 0 && R->keep_feasible) {
        /* The unit stays where it was, now as a basic column: the basis
           stays primal feasible (the row loads do not change) and the
           primal simplex goes on from it. */
        int col = 0;
        for (int c = R->first_col[i]; c && !col; c = R->next_col[c])
            if (R->col_terr[c] == j)
                col = c;
        if (!col) {
            if (add_col(W, R, i, j, cost_d2(W->P, i, j, wd2(W, i, j)) / W->cscale) != 0)
                return -1;
            col = R->ncol;
        }
        glp_set_col_stat(R->lp, col, GLP_BS);
        glp_set_row_stat(R->lp, row, GLP_NS);
    }
    return 0;
}


/*
 * Frees fixed units that can relieve rows whose slack is used: for a row
 * short of its lower bound, units fixed elsewhere that have the territory
 * among their candidates, cheapest switch first; for a row over its upper
 * bound, units fixed in that territory with the smallest gap. Frees about
 * twice the missing amount. Returns the number freed, -1 when out of memory.
 */
static int free_for_violations(work *W, rlp *R, int slack0)
{
    int p = W->p, nb = W->nb, n = W->n, freed = 0;
    kv *buf = malloc((size_t)(n + 1) * sizeof(kv));
    if (!buf)
        return -1;
    for (int k = 0; k < p * nb; k++) {
        double s_up = glp_get_col_prim(R->lp, slack0 + 2 * k);
        double s_dn = glp_get_col_prim(R->lp, slack0 + 2 * k + 1);
        if (s_up <= 1e-9 && s_dn <= 1e-9)
            continue;
        int j = k / nb, b = k % nb, m = 0;
        if (s_up > 1e-9) {
            for (int q = W->ts[j]; q < W->ts[j + 1]; q++) {
                int e = W->te[q], i = W->cu[e];
                if (R->fixed[i] < 0 || R->fixed[i] == j || W->inert[i] || Ab(W, b, i) <= 0)
                    continue;
                double rf = INFINITY;
                for (int e2 = W->cs[i]; e2 < W->cs[i + 1]; e2++)
                    if (W->ct[e2] == R->fixed[i])
                        rf = W->r[e2];
                buf[m].k = (W->r[e] - rf) / Ab(W, b, i);
                buf[m].v = i;
                m++;
            }
        } else {
            for (int i = 0; i < n; i++) {
                if (R->fixed[i] != j || W->inert[i] || Ab(W, b, i) <= 0 || W->cs[i + 1] - W->cs[i] < 2)
                    continue;
                double b1 = INFINITY, b2 = INFINITY;
                for (int e = W->cs[i]; e < W->cs[i + 1]; e++) {
                    if (W->r[e] < b1) {
                        b2 = b1;
                        b1 = W->r[e];
                    } else if (W->r[e] < b2) {
                        b2 = W->r[e];
                    }
                }
                buf[m].k = (b2 - b1) / Ab(W, b, i);
                buf[m].v = i;
                m++;
            }
        }
        qsort(buf, (size_t)m, sizeof(kv), kv_cmp);
        double need = 2 * (s_up > s_dn ? s_up : s_dn), got = 0;
        for (int q = 0; q < m && (got < need || q < 8); q++) {
            int i = buf[q].v;
            if (R->fixed[i] < 0)
                continue;
            got += Ab(W, b, i);
            if (free_unit(W, R, i, -1, 0) != 0) {
                free(buf);
                return -1;
            }
            freed++;
        }
    }
    free(buf);
    return freed;
}


/* ------------------------------------------------------------------ */
/* tqoi_alloc_solve_lp, step by step                                        */

/* What tqoi_alloc_solve_lp's steps share: the scaled problem, the restricted
   LP with its elastic slacks, the units in order of ambiguity, and the
   pricing round's per-unit buffers (allocated once, reused each round).
   One per call: the cold start calls tqoi_alloc_solve_lp again on a coarser
   problem. */
typedef struct lp_run {
    work W;
    rlp R;
    tqo_diag *diag;
    kv *gaps;                 /* units by the gap between their two best reduced costs */
    int ng, nfreed_gap;       /* entries in gaps; how many were freed in order */
    int slack0, nslack;       /* the elastic slack columns */
    double penalty;           /* their objective coefficient */
    glp_smcp parm;
    int rounds, viol_rounds, sweeps;
    double L_full;            /* best Lagrangian bound, scaled */
    double t_simplex, t_price, t_round, tw0;
    /* the pricing round, per unit */
    kv *viol;
    int *vj, *pjb, *pbelow;
    double *vc, *pu, *pbest, *pcb, *prf;
} lp_run;

static tqo_status lp_nomem(tqo_diag *diag)
{
    tqo_diag_error(diag, "out of memory in the allocation LP");
    return TQO_ERR_NOMEM;
}

static void lp_run_free(lp_run *S)
{
    rlp *R = &S->R;
    if (R->lp)
        glp_delete_prob(R->lp);
    free(R->urow);
    free(R->fixed);
    free(R->first_col);
    free(R->next_col);
    free(R->col_unit);
    free(R->col_terr);
    free(R->fixload);
    free(S->gaps);
    free(S->viol);
    free(S->vj);
    free(S->vc);
    free(S->pu);
    free(S->pbest);
    free(S->pcb);
    free(S->prf);
    free(S->pjb);
    free(S->pbelow);
    work_free(&S->W);
}

/* Cost scale: the mean weighted squared distance to the nearest centre
   makes scaled costs of order one, which GLPK's tolerances expect. Units
   with no weight and no measure are marked inert on the way (placed, not
   solved) and left out of the mean. */
static double cost_scale_mark_inert(work *W)
{
    const alloc_problem *P = W->P;
    int n = W->n, nb = W->nb;
    double sum = 0;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
        int any = P->w[i] > 0;
        for (int b = 0; b < nb; b++)
            any |= P->a[b][i] > 0;
        if (!any) {
            W->inert[i] = 1;
            continue;
        }
        double best = tree_nearest(W, i);
        double d2 = W->u3 ? chord_to_d2(best) : best;
        sum += P->w[i] * d2;
        cnt++;
    }
    return cnt && sum > 0 ? sum / cnt : 1.0;
}

/* Scale: each measure divided by its mean per territory, so that the
   balance rows are of order one too; unit vectors for lat/lon; the
   centres' k-d tree for the pruned searches. */
static tqo_status scale_problem(lp_run *S)
{
    work *W = &S->W;
    const alloc_problem *P = W->P;
    int n = W->n, p = W->p, nb = W->nb;
    W->lo = malloc((size_t)p * nb * sizeof(double));
    W->hi = malloc((size_t)p * nb * sizeof(double));
    W->pi = calloc((size_t)p * nb, sizeof(double));
    W->inert = calloc((size_t)n, 1);
    if (!W->lo || !W->hi || !W->pi || !W->inert)
        return lp_nomem(S->diag);
    for (int b = 0; b < nb; b++) {
        double tot = 0;
        for (int i = 0; i < n; i++)
            tot += P->a[b][i];
        W->ascale[b] = tot > 0 ? tot / p : 1.0;
    }
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++) {
            W->lo[j * nb + b] = P->lo[j * nb + b] / W->ascale[b];
            W->hi[j * nb + b] = P->hi[j * nb + b] / W->ascale[b];
        }
    W->cap = W->has_move ? P->max_move / W->ascale[0] : 0;
    if (P->coords == TQO_COORDS_LATLON) {
        W->u3 = malloc((size_t)n * 3 * sizeof(double));
        W->c3 = malloc((size_t)p * 3 * sizeof(double));
        if (!W->u3 || !W->c3)
            return lp_nomem(S->diag);
        for (int i = 0; i < n; i++)
            to_unit_vector(P->ux[i], P->uy[i], W->u3 + 3 * (size_t)i);
        for (int j = 0; j < p; j++)
            to_unit_vector(P->cx[j], P->cy[j], W->c3 + 3 * (size_t)j);
    }
    if (build_ctree(W) != TQO_OK)
        return lp_nomem(S->diag);
    W->cscale = cost_scale_mark_inert(W);
    return TQO_OK;
}

/* Prices in the problem's units (p*nb balance prices, then the move
   price) to scaled Lagrangian ones; the caller clamps nu where needed. */
static void prices_to_scaled(work *W, const double *prices)
{
    int p = W->p, nb = W->nb;
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++)
            W->pi[j * nb + b] = prices[j * nb + b] * W->ascale[b] / W->cscale;
    W->nu = W->has_move ? prices[p * nb] * W->ascale[0] / W->cscale : 0;
}

/* The inverse, for the caller's warm start of the next solve. */
static void prices_from_scaled(const work *W, double *prices)
{
    int p = W->p, nb = W->nb;
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++)
            prices[j * nb + b] = W->pi[j * nb + b] * W->cscale / W->ascale[b];
    prices[p * nb] = W->has_move ? W->nu * W->cscale / W->ascale[0] : 0;
}

/* Cold start: prices from a coarser problem when this one is large and
   no nonzero prices were given (*warm: there are prices to start from);
   a small one is given to the LP whole. A coarse problem that fails (it
   may be infeasible where the fine one is not) leaves a cold start; only
   running out of memory is an error. */
static tqo_status cold_start(lp_run *S, int candidates, const double *prices, int *warm)
{
    work *W = &S->W;
    int n = W->n, p = W->p, nb = W->nb;
    *warm = 0;
    if (prices)
        for (int k = 0; k <= p * nb && !*warm; k++)
            *warm = prices[k] != 0;
    int coarse_min = 6 * p * nb + 600;
    /* A small problem without prices: coordinate ascent from zero prices
       first, so that the LP starts near balance (far fewer columns and
       rounds at centres far from balance). */
    if (!*warm && n <= coarse_min && W->P->cold_ascent)
        *warm = 1;
    if (*warm || n <= coarse_min)
        return TQO_OK;
    coarse C;
    tqo_status st = tqoi_alloc_build_coarse(W->P, n / 6 > coarse_min / 2 ? n / 6 : coarse_min / 2, &C);
    if (st != TQO_OK)
        return st;
    double *cp = calloc((size_t)p * nb + 1, sizeof(double));
    alloc_solution cx;
    tqo_diag cd;
    tqo_diag_init(&cd);
    if (cp && C.P.n < n)
        st = tqoi_alloc_solve_lp(&C.P, candidates, cp, &cx, W->log, W->log_ctx, &cd);
    else
        st = cp ? TQO_ERR_ARG : TQO_ERR_NOMEM;
    if (st == TQO_OK) {
        tqoi_alloc_solution_free(&cx);
        prices_to_scaled(W, cp);
        *warm = 1;
    }
    free(cp);
    tqoi_alloc_coarse_free(&C);
    tqo_diag_free(&cd);
    return st == TQO_ERR_NOMEM ? lp_nomem(S->diag) : TQO_OK;
}

/* Each unit's candidate territories (a unit with none makes the problem
   infeasible), then the prices to start from: an ascent from warm ones,
   else the reduced costs at zero prices. */
static tqo_status start_prices(lp_run *S, int candidates, int warm)
{
    work *W = &S->W;
    tqo_status st = build_candidates(W, candidates > 0 ? candidates : 8, warm);
    if (st != TQO_OK)
        return st;
    for (int i = 0; i < W->n; i++)
        if (W->cs[i] == W->cs[i + 1]) {
            tqo_diag_error(S->diag, "unit '%s' has no territory it may join (check --max-distance and locks)",
                           W->P->unit_id ? W->P->unit_id[i] : "?");
            return TQO_ERR_INFEASIBLE;
        }
    S->tw0 = wall_now();
    if (warm)
        return price_ascent(W, &S->sweeps);
    recompute_reduced(W);
    return TQO_OK;
}

/* The pricing round's per-unit buffers and the restricted LP's per-unit
   and per-column arrays. */
static tqo_status lp_run_alloc(lp_run *S)
{
    int n = S->W.n, p = S->W.p, nb = S->W.nb;
    rlp *R = &S->R;
    S->gaps = malloc((size_t)n * sizeof(kv));
    S->viol = malloc((size_t)n * sizeof(kv));
    S->vj = malloc((size_t)n * sizeof(int));
    S->vc = malloc((size_t)n * sizeof(double));
    S->pu = malloc((size_t)n * sizeof(double));
    S->pbest = malloc((size_t)n * sizeof(double));
    S->pcb = malloc((size_t)n * sizeof(double));
    S->prf = malloc((size_t)n * sizeof(double));
    S->pjb = malloc((size_t)n * sizeof(int));
    S->pbelow = malloc((size_t)n * sizeof(int));
    if (!S->viol || !S->vj || !S->vc || !S->pu || !S->pbest || !S->pcb || !S->prf || !S->pjb || !S->pbelow)
        return lp_nomem(S->diag);
    R->urow = calloc((size_t)n, sizeof(int));
    R->fixed = malloc((size_t)n * sizeof(int));
    R->first_col = calloc((size_t)n, sizeof(int));
    R->fixload = calloc((size_t)p * nb, sizeof(double));
    if (!S->gaps || !R->urow || !R->fixed || !R->first_col || !R->fixload || rlp_grow_cols(R, 1024) != 0)
        return lp_nomem(S->diag);
    return TQO_OK;
}

/* Ambiguous units: every unit starts fixed in its best candidate; the
   gap between its best and second-best reduced cost says how clearly
   (S->gaps, smallest first: the order in which units are freed). */
static void fix_best_rank_gaps(lp_run *S)
{
    work *W = &S->W;
    int ng = 0;
    for (int i = 0; i < W->n; i++) {
        double b1 = INFINITY, b2 = INFINITY;
        int j1 = -1;
        for (int e = W->cs[i]; e < W->cs[i + 1]; e++) {
            if (W->r[e] < b1) {
                b2 = b1;
                b1 = W->r[e];
                j1 = W->ct[e];
            } else if (W->r[e] < b2) {
                b2 = W->r[e];
            }
        }
        fix_unit(W, &S->R, i, j1);
        if (!W->inert[i] && isfinite(b2)) {
            S->gaps[ng].k = b2 - b1;
            S->gaps[ng].v = i;
            ng++;
        }
    }
    qsort(S->gaps, (size_t)ng, sizeof(kv), kv_cmp);
    S->ng = ng;
}

/* The restricted LP's fixed rows (balance, then the move cap) and its
   elastic slacks. Slacks keep every restricted LP feasible, so its duals
   can always be priced; a slack still used once nothing prices out (at
   any penalty) means the model itself is infeasible. */
static tqo_status add_rows_and_slacks(lp_run *S)
{
    work *W = &S->W;
    rlp *R = &S->R;
    int n = W->n, p = W->p, nb = W->nb;
    tqoi_glpk_quiet();
    R->lp = glp_create_prob();
    glp_set_obj_dir(R->lp, GLP_MIN);
    R->nrow_fixed = p * nb + (W->has_move ? 1 : 0);
    glp_add_rows(R->lp, R->nrow_fixed);
    double penalty = 1.0;
    for (int e = 0; e < W->cs[n]; e++)
        if (W->cc[e] > penalty)
            penalty = W->cc[e];
    penalty *= 1e3;
    S->penalty = penalty;
    int nslack = 2 * p * nb + (W->has_move ? 1 : 0);
    int slack0 = glp_add_cols(R->lp, nslack);
    S->nslack = nslack;
    S->slack0 = slack0;
    if (rlp_grow_cols(R, slack0 + nslack) != 0)
        return lp_nomem(S->diag);
    for (int k = 0; k < p * nb; k++) {
        int ind[2] = {0, k + 1};
        double up[2] = {0, 1.0}, dn[2] = {0, -1.0};
        glp_set_mat_col(R->lp, slack0 + 2 * k, 1, ind, up);
        glp_set_mat_col(R->lp, slack0 + 2 * k + 1, 1, ind, dn);
    }
    if (W->has_move) {
        int ind[2] = {0, p * nb + 1};
        double dn[2] = {0, -1.0};
        glp_set_mat_col(R->lp, slack0 + 2 * p * nb, 1, ind, dn);
    }
    for (int c = slack0; c < slack0 + nslack; c++) {
        glp_set_col_bnds(R->lp, c, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(R->lp, c, penalty);
        R->col_unit[c] = -1;
        R->col_terr[c] = -1;
        R->next_col[c] = 0;
    }
    R->ncol = slack0 + nslack - 1;
    return TQO_OK;
}

/* The first units freed: all of them on a cold start (the LP gets the
   problem whole), else the most ambiguous few; a warm start keeps every
   basis primal feasible (see free_unit). */
static tqo_status free_first_units(lp_run *S, int all_free)
{
    S->R.keep_feasible = !all_free;
    int nfree_target = all_free ? S->W.n : 4 * S->W.p * S->W.nb + 200;
    for (; S->nfreed_gap < S->ng && S->nfreed_gap < nfree_target; S->nfreed_gap++) {
        int i = S->gaps[S->nfreed_gap].v;
        if (free_unit(&S->W, &S->R, i, -1, 0) != 0)
            return lp_nomem(S->diag);
    }
    return TQO_OK;
}

/* A feasible first basis for the primal simplex: balance rows get the
   activity of the free units where they are; a row out of bounds gets
   its slack basic instead. */
static tqo_status feasible_first_basis(lp_run *S)
{
    work *W = &S->W;
    rlp *R = &S->R;
    int p = W->p, nb = W->nb, slack0 = S->slack0;
    set_row_bounds(W, R);
    double *act = calloc((size_t)p * nb + 1, sizeof(double));
    if (!act)
        return lp_nomem(S->diag);
    for (int c = 1; c <= R->ncol; c++) {
        int i = R->col_unit[c];
        if (i < 0 || glp_get_col_stat(R->lp, c) != GLP_BS)
            continue;
        int j = R->col_terr[c];
        for (int b = 0; b < nb; b++)
            act[j * nb + b] += Ab(W, b, i);
        if (W->has_move && is_moved(W, i, j))
            act[p * nb] += Ab(W, 0, i);
    }
    for (int k = 0; k < p * nb; k++) {
        double lo = W->lo[k] - R->fixload[k], hi = W->hi[k] - R->fixload[k];
        int fx = glp_get_row_type(R->lp, k + 1) == GLP_FX;
        if (act[k] > hi) {
            glp_set_col_stat(R->lp, slack0 + 2 * k + 1, GLP_BS);
            glp_set_row_stat(R->lp, k + 1, fx ? GLP_NS : GLP_NU);
        } else if (act[k] < lo) {
            glp_set_col_stat(R->lp, slack0 + 2 * k, GLP_BS);
            glp_set_row_stat(R->lp, k + 1, fx ? GLP_NS : GLP_NL);
        }
    }
    if (W->has_move && act[p * nb] > W->cap - R->fixmove) {
        glp_set_col_stat(R->lp, slack0 + 2 * p * nb, GLP_BS);
        glp_set_row_stat(R->lp, p * nb + 1, GLP_NU);
    }
    free(act);
    S->parm.meth = GLP_PRIMAL;
    return TQO_OK;
}

/* Solves the restricted LP once (a bad warm basis: again from the
   standard one); anything but an optimum is a solver error. */
static tqo_status solve_restricted(lp_run *S, alloc_solution *x)
{
    rlp *R = &S->R;
    set_row_bounds(&S->W, R);
    double ts0 = wall_now();
    int ret;
    if (tqoi_guarded_simplex(R->lp, &S->parm, &ret) != 0) {
        R->lp = NULL; /* freed with GLPK's environment */
        tqo_diag_error(S->diag, "GLPK failed inside the allocation LP");
        return TQO_ERR_SOLVER;
    }
    S->rounds++;
    if (ret == GLP_ESING || ret == GLP_EFAIL || ret == GLP_ECOND || ret == GLP_EBADB) {
        /* A bad warm basis: start again from the standard one. */
        glp_std_basis(R->lp);
        if (tqoi_guarded_simplex(R->lp, &S->parm, &ret) != 0) {
            R->lp = NULL;
            tqo_diag_error(S->diag, "GLPK failed inside the allocation LP");
            return TQO_ERR_SOLVER;
        }
    }
    S->t_simplex += wall_now() - ts0;
    S->t_round = wall_now();
    if (ret != 0 || glp_get_status(R->lp) != GLP_OPT) {
        snprintf(x->status, sizeof x->status, "glpk error %d/%d", ret, glp_get_status(R->lp));
        tqo_diag_error(S->diag, "allocation LP: GLPK returned %d (status %d)", ret, glp_get_status(R->lp));
        return TQO_ERR_SOLVER;
    }
    return TQO_OK;
}

static double slack_used(const lp_run *S)
{
    double s = 0;
    for (int c = S->slack0; c < S->slack0 + S->nslack; c++)
        s += glp_get_col_prim(S->R.lp, c);
    return s;
}

/* Phase 1: while a slack is used, the duals are penalty prices and
   pricing would free units wholesale. Free instead the units nearest to
   the violated rows (a few rounds), then more of the units nearest to a
   tie, and solve again. Returns 1 to solve again, 0 to go on to pricing,
   -1 when out of memory. */
static int relieve_slack(lp_run *S)
{
    work *W = &S->W;
    rlp *R = &S->R;
    int nfix = 0;
    double slack1 = slack_used(S);
    if (slack1 > 1e-9 && S->viol_rounds < 8) {
        S->viol_rounds++;
        nfix = free_for_violations(W, R, S->slack0);
        if (nfix < 0)
            return -1;
        logf_(W, "alloc: round %d, slack %.3g: freed %d units near violated rows (simplex %.3f s)", S->rounds,
              slack1, nfix, S->t_simplex);
        if (nfix > 0)
            return 1;
    }
    if (slack1 > 1e-9 && S->nfreed_gap < S->ng) {
        /* More of the units closest to a tie, doubling each time. */
        int target = 2 * S->nfreed_gap;
        for (; S->nfreed_gap < S->ng && S->nfreed_gap < target; S->nfreed_gap++) {
            int i = S->gaps[S->nfreed_gap].v;
            if (R->fixed[i] >= 0) {
                if (free_unit(W, R, i, -1, 0) != 0)
                    return -1;
                nfix++;
            }
        }
        logf_(W, "alloc: round %d, slack %.3g: freed %d more units near ties (simplex %.3f s)", S->rounds, slack1,
              nfix, S->t_simplex);
        return 1;
    }
    if (slack1 > 1e-9) {
        nfix = free_for_violations(W, R, S->slack0);
        if (nfix < 0)
            return -1;
        logf_(W, "alloc: round %d, slack %.3g: freed %d units near violated rows", S->rounds, slack1, nfix);
        if (nfix > 0)
            return 1;
    }
    return 0;
}

/* The restricted LP's duals in Lagrangian sign (GLPK's row dual y gives
   pi = -y), and each free unit's row dual (pu). */
static void read_duals(lp_run *S)
{
    work *W = &S->W;
    const rlp *R = &S->R;
    int p = W->p, nb = W->nb;
    for (int k = 0; k < p * nb; k++)
        W->pi[k] = -glp_get_row_dual(R->lp, k + 1);
    W->nu = W->has_move ? -glp_get_row_dual(R->lp, p * nb + 1) : 0;
    if (W->nu < 0)
        W->nu = 0;
    for (int i = 0; i < W->n; i++)
        S->pu[i] = R->urow[i] ? glp_get_row_dual(R->lp, R->urow[i]) : 0;
}

/* A lower bound on the scaled reduced cost of unit i at any centre of
   tree node k (wi = w_i / cscale >= 0; nonprice: the floor of its move
   terms). */
static double node_bound(const work *W, int i, int k, const double *q, double wi, double nonprice)
{
    const alloc_ctree *T = &W->ctr;
    double bd2 = tqoi_alloc_ctree_box_d2(T, k, q), f = nonprice;
    for (int b = 0; b < W->nb; b++) {
        double a = Ab(W, b, i);
        f += a >= 0 ? a * T->pmin[(size_t)k * W->nb + b] : a * T->pmax[(size_t)k * W->nb + b];
    }
    return wi * (W->u3 ? chord_to_d2(bd2) : bd2) + f;
}

/* Unit i's cheapest allowed territory by reduced cost (*best, *jb; its
   cost *cb), searched in the centres' tree: the nearer child first, a
   subtree skipped when its box and price range rule it out (ties: the
   lowest territory, as a full scan gives). */
static void tree_best(const work *W, int i, double *best, int *jb, double *cb)
{
    const alloc_problem *P = W->P;
    const alloc_ctree *T = &W->ctr;
    double q[3], zero[TQO_MAX_BALANCE] = {0};
    tree_point(W, i, q);
    double wi = P->w[i] / W->cscale, nonprice = price_floor(W, i, zero, zero);
    int prune = wi >= 0, stack[128], top = 0;
    double sb[128];
    if (T->nn == 0)
        return;
    stack[top] = 0;
    sb[top++] = node_bound(W, i, 0, q, wi, nonprice);
    while (top > 0) {
        top--;
        int k = stack[top];
        if (prune && sb[top] > *best + 1e-9 * (fabs(*best) + 1))
            continue;
        const alloc_ctree_node *N = &T->node[k];
        if (N->left < 0) {
            for (int e = N->first; e < N->first + N->count; e++) {
                int j = T->idx[e];
                double d2 = wd2(W, i, j);
                if (!allowed_d2(P, i, j, d2))
                    continue;
                double c = cost_d2(P, i, j, d2) / W->cscale;
                double r = reduced(W, i, j, c);
                if (r < *best || (r == *best && j < *jb)) {
                    *best = r;
                    *jb = j;
                    *cb = c;
                }
            }
            continue;
        }
        double bl = node_bound(W, i, N->left, q, wi, nonprice), br = node_bound(W, i, N->right, q, wi, nonprice);
        int nearer = bl <= br ? N->left : N->right, farther = bl <= br ? N->right : N->left;
        stack[top] = farther;
        sb[top++] = fmax(bl, br);
        stack[top] = nearer;
        sb[top++] = fmin(bl, br);
    }
}

/* Full pricing over every allowed pair: the O(n p) pass, in parallel
   over units. Each unit writes only its own slots (its best territory,
   reduced and plain cost, its fixed territory's reduced cost, whether
   a column prices below its row dual), so the result is the same for any
   number of threads. Each unit searches the centres' tree (tree_best;
   equal reduced costs: the lowest territory index, as a full scan). */
static void price_all_units(lp_run *S)
{
    const work *W = &S->W;
    const rlp *R = &S->R;
    const alloc_problem *P = W->P;
    int n = W->n;
    const double *pu = S->pu;
    double *pbest = S->pbest, *pcb = S->pcb, *prf = S->prf;
    int *pjb = S->pjb, *pbelow = S->pbelow;
    int nth = P->threads > 0 ? P->threads : 1;
    tqoi_alloc_ctree_prices(&S->W.ctr, W->pi);
#pragma omp parallel for schedule(static) num_threads(nth)
    for (int i = 0; i < n; i++) {
        double best = INFINITY, rf = INFINITY, cb = 0;
        int jb = -1;
        tree_best(W, i, &best, &jb, &cb);
        if (R->fixed[i] >= 0) {
            int jf = R->fixed[i];
            double d2 = wd2(W, i, jf);
            if (allowed_d2(P, i, jf, d2))
                rf = reduced(W, i, jf, cost_d2(P, i, jf, d2) / W->cscale);
        }
        pbest[i] = best;
        pjb[i] = jb;
        pcb[i] = cb;
        prf[i] = rf;
        /* some column prices below the unit's row dual: the best does */
        pbelow[i] = R->urow[i] && best < pu[i] - PRICE_TOL;
    }
}

/* Adds the missing columns of free unit i that price below its row dual
   pu_i, the COL_BATCH most negative (ties: the lower territory), counted
   in *added. Returns -1 when out of memory. */
static int add_improving_cols(work *W, rlp *R, int i, double pu_i, int *added)
{
    const alloc_problem *P = W->P;
    kv best[COL_BATCH];
    double cost[COL_BATCH];
    int nb = 0;
    for (int j = 0; j < W->p; j++) {
        double d2 = wd2(W, i, j);
        if (!allowed_d2(P, i, j, d2))
            continue;
        double c = cost_d2(P, i, j, d2) / W->cscale;
        kv e = {reduced(W, i, j, c), j};
        if (!(e.k < pu_i - PRICE_TOL) || (nb == COL_BATCH && kv_cmp(&e, &best[nb - 1]) >= 0) || has_col(R, i, j))
            continue;
        int q = nb < COL_BATCH ? nb++ : COL_BATCH - 1;
        for (; q > 0 && kv_cmp(&e, &best[q - 1]) < 0; q--) {
            best[q] = best[q - 1];
            cost[q] = cost[q - 1];
        }
        best[q] = e;
        cost[q] = c;
    }
    for (int q = 0; q < nb; q++) {
        if (add_col(W, R, i, best[q].v, cost[q]) != 0)
            return -1;
        (*added)++;
    }
    return 0;
}

/* After price_all_units, in unit order: the Lagrangian sum of each
   unit's best (*sum_min), the missing improving columns of free units
   added (*added), and fixed units that would rather be elsewhere freed,
   the worst first (*freed). Duals of a restricted LP can be poor where
   its free units are few: many fixed units then seem misplaced, most of
   them only because of those duals. Freeing the worst few lets the next
   LP's duals tell about the rest. Returns -1 when out of memory. */
static int act_on_prices(lp_run *S, double *sum_min, int *added, int *freed)
{
    work *W = &S->W;
    rlp *R = &S->R;
    int n = W->n, nviol = 0;
    const double *pu = S->pu, *pbest = S->pbest, *prf = S->prf;
    kv *viol = S->viol;
    for (int i = 0; i < n; i++) {
        *sum_min += pbest[i];
        /* a free unit with improving columns: add the best missing ones */
        if (!W->inert[i] && R->urow[i] && S->pbelow[i] && add_improving_cols(W, R, i, pu[i], added) != 0)
            return -1;
        if (!W->inert[i] && R->fixed[i] >= 0 && prf[i] > pbest[i] + PRICE_TOL) {
            viol[nviol].k = -(prf[i] - pbest[i]);
            viol[nviol].v = i;
            S->vj[i] = S->pjb[i];
            S->vc[i] = S->pcb[i];
            nviol++;
        }
    }
    if (nviol) {
        qsort(viol, (size_t)nviol, sizeof(kv), kv_cmp);
        int nfree_now = glp_get_num_rows(R->lp) - R->nrow_fixed;
        int lim = nfree_now > 200 ? nfree_now : 200;
        for (int q = 0; q < nviol && q < lim; q++) {
            int i = viol[q].v;
            if (free_unit(W, R, i, S->vj[i], S->vc[i]) != 0)
                return -1;
            (*freed)++;
        }
    }
    return 0;
}

/* The Lagrangian value at the current prices: a lower bound whatever
   happened before (the pruned searches skip only pairs proven worse). */
static double lagrangian_bound(const work *W, double sum_min)
{
    double L = sum_min;
    for (int k = 0; k < W->p * W->nb; k++)
        L -= W->pi[k] > 0 ? W->pi[k] * W->hi[k] : W->pi[k] * W->lo[k];
    if (W->has_move)
        L -= W->nu * W->cap;
    return L;
}

/* Every slack still used once nothing prices out at the highest penalty:
   which bound cannot be met, and by how much. */
static void report_infeasible(const lp_run *S)
{
    const work *W = &S->W;
    const alloc_problem *P = W->P;
    int p = W->p, nb = W->nb, slack0 = S->slack0;
    glp_prob *lp = S->R.lp;
    for (int k = 0; k < p * nb; k++) {
        double s_up = glp_get_col_prim(lp, slack0 + 2 * k);
        double s_dn = glp_get_col_prim(lp, slack0 + 2 * k + 1);
        int j = k / nb, b = k % nb;
        if (s_up > 1e-9)
            tqo_diag_error(S->diag, "territory '%s' cannot reach its lower bound of balanced measure %d "
                           "(short by %.6g)", P->territory_id ? P->territory_id[j] : "?", b + 1,
                           s_up * W->ascale[b]);
        if (s_dn > 1e-9)
            tqo_diag_error(S->diag, "territory '%s' cannot stay within its upper bound of balanced measure %d "
                           "(over by %.6g)", P->territory_id ? P->territory_id[j] : "?", b + 1,
                           s_dn * W->ascale[b]);
    }
    if (W->has_move && glp_get_col_prim(lp, slack0 + 2 * p * nb) > 1e-9)
        tqo_diag_error(S->diag, "the cap on moves cannot be met together with balance (over by %.6g)",
                       glp_get_col_prim(lp, slack0 + 2 * p * nb) * W->ascale[0]);
}

/* The pricing rounds: solve the restricted LP, relieve its slacks, price
   every pair at its duals; done when nothing prices out and no slack is
   used (*lp_ok), or after MAX_ROUNDS. A slack still used when nothing
   prices out raises the penalty (x100), up to 1e12: past that the model
   is infeasible. */
static tqo_status pricing_rounds(lp_run *S, alloc_solution *x, int *lp_ok)
{
    work *W = &S->W;
    rlp *R = &S->R;
    while (S->rounds < MAX_ROUNDS) {
        tqo_status st = solve_restricted(S, x);
        if (st != TQO_OK)
            return st;
        int again = relieve_slack(S);
        if (again < 0)
            return lp_nomem(S->diag);
        if (again)
            continue;
        read_duals(S);
        int added = 0, freed_now = 0;
        double sum_min = 0;
        price_all_units(S);
        if (act_on_prices(S, &sum_min, &added, &freed_now) != 0)
            return lp_nomem(S->diag);
        S->t_price += wall_now() - S->t_round;
        double L = lagrangian_bound(W, sum_min);
        if (L > S->L_full)
            S->L_full = L;
        double slack = slack_used(S);
        logf_(W, "alloc: round %d, %d free units, %d columns, LP %.9g, bound %.9g, slack %.3g, +%d columns, +%d freed "
              "(simplex %.3f s)",
              S->rounds, glp_get_num_rows(R->lp) - R->nrow_fixed, R->ncol, glp_get_obj_val(R->lp) * W->cscale,
              L * W->cscale, slack, added, freed_now, S->t_simplex);
        if (added == 0 && freed_now == 0) {
            if (slack <= 1e-9) {
                *lp_ok = 1;
                break;
            }
            if (S->penalty >= 1e12) {
                report_infeasible(S);
                return TQO_ERR_INFEASIBLE;
            }
            S->penalty *= 100;
            for (int c = S->slack0; c < S->slack0 + S->nslack; c++)
                glp_set_obj_coef(R->lp, c, S->penalty);
            continue;
        }
    }
    return TQO_OK;
}

/* The solution: LP columns for free units (shares normalised to one and
   sorted by territory, for stable output), whole units for fixed ones;
   the objective in the problem's units. */
static tqo_status extract_solution(lp_run *S, alloc_solution *x)
{
    const work *W = &S->W;
    const rlp *R = &S->R;
    const alloc_problem *P = W->P;
    int n = W->n;
    x->n = n;
    x->start = malloc((size_t)(n + 1) * sizeof(int));
    int cap = n + R->ncol + 1;
    x->terr = malloc((size_t)cap * sizeof(int));
    x->share = malloc((size_t)cap * sizeof(double));
    if (!x->start || !x->terr || !x->share)
        return lp_nomem(S->diag);
    int m = 0;
    double obj = 0;
    for (int i = 0; i < n; i++) {
        x->start[i] = m;
        if (R->fixed[i] >= 0) {
            x->terr[m] = R->fixed[i];
            x->share[m] = 1.0;
            m++;
            continue;
        }
        double sum = 0;
        int m0 = m;
        for (int c = R->first_col[i]; c; c = R->next_col[c]) {
            double v = glp_get_col_prim(R->lp, c);
            if (v > 1e-9) {
                x->terr[m] = R->col_terr[c];
                x->share[m] = v;
                sum += v;
                m++;
            }
        }
        if (m == m0) { /* cannot happen with a feasible LP; keep it whole */
            x->terr[m] = W->ct[W->cs[i]];
            x->share[m] = 1.0;
            m++;
            continue;
        }
        for (int k = m0; k < m; k++)
            x->share[k] /= sum;
        /* Sorted by territory for stable output. */
        for (int a = m0 + 1; a < m; a++)
            for (int b2 = a; b2 > m0 && x->terr[b2 - 1] > x->terr[b2]; b2--) {
                int t = x->terr[b2];
                x->terr[b2] = x->terr[b2 - 1];
                x->terr[b2 - 1] = t;
                double s2 = x->share[b2];
                x->share[b2] = x->share[b2 - 1];
                x->share[b2 - 1] = s2;
            }
        if (m - m0 == 1)
            x->share[m0] = 1.0;
    }
    x->start[n] = m;
    for (int i = 0; i < n; i++)
        for (int k = x->start[i]; k < x->start[i + 1]; k++)
            obj += x->share[k] * tqoi_alloc_cost(P, i, x->terr[k]);
    x->objective = obj;
    return TQO_OK;
}

/* The restricted LP built and priced under one GLPK guard: GLPK failing in
   any of its calls (an allocation in glp_add_cols, say) unwinds to the
   guard instead of aborting the process (issue 16's allocation loop). */
typedef struct lp_steps {
    lp_run *S;
    alloc_solution *x;
    int warm, lp_ok;
    tqo_status st;
} lp_steps;

static void run_lp_steps(void *arg)
{
    lp_steps *a = arg;
    lp_run *S = a->S;
    if ((a->st = add_rows_and_slacks(S)) != TQO_OK || (a->st = free_first_units(S, !a->warm)) != TQO_OK)
        return;
    glp_init_smcp(&S->parm);
    S->parm.meth = GLP_DUALP;
    S->parm.r_test = GLP_RT_FLIP;
    S->parm.msg_lev = GLP_MSG_OFF;
    S->L_full = -INFINITY;
    logf_(&S->W, "alloc: ascent %.3f s", wall_now() - S->tw0);
    if (S->R.keep_feasible && (a->st = feasible_first_basis(S)) != TQO_OK)
        return;
    a->st = pricing_rounds(S, a->x, &a->lp_ok);
}

tqo_status tqoi_alloc_solve_lp(const alloc_problem *P, int candidates, double *prices, alloc_solution *x,
                          tqo_log_fn log, void *log_ctx, tqo_diag *diag)
{
    memset(x, 0, sizeof *x);
    clock_t clock0 = clock();
    lp_run S;
    memset(&S, 0, sizeof S);
    work *W = &S.W;
    W->P = P;
    W->n = P->n;
    W->p = P->p;
    W->nb = P->nb;
    W->log = log;
    W->log_ctx = log_ctx;
    W->has_move = P->current && P->max_move >= 0;
    S.diag = diag;
    int warm = 0, lp_ok = 0;
    tqo_status st = scale_problem(&S);
    if (st != TQO_OK)
        goto fail;
    if (prices) {
        prices_to_scaled(W, prices);
        if (W->nu < 0)
            W->nu = 0;
    }
    if ((st = cold_start(&S, candidates, prices, &warm)) != TQO_OK)
        goto fail;
    if ((st = start_prices(&S, candidates, warm)) != TQO_OK)
        goto fail;
    if ((st = lp_run_alloc(&S)) != TQO_OK)
        goto fail;
    fix_best_rank_gaps(&S);
    lp_steps ls = {&S, x, warm, 0, TQO_OK};
    if (tqoi_guarded_call(run_lp_steps, &ls) != 0) {
        S.R.lp = NULL; /* freed with GLPK's environment */
        const char *why = tqoi_glpk_last_error();
        tqo_diag_error(diag, "allocation LP: GLPK failed: %s", why);
        st = strstr(why, "out of memory") ? TQO_ERR_NOMEM : TQO_ERR_SOLVER;
        goto fail;
    }
    if ((st = ls.st) != TQO_OK)
        goto fail;
    lp_ok = ls.lp_ok;
    if (!lp_ok) {
        snprintf(x->status, sizeof x->status, "round limit");
        tqo_diag_warning(diag, "allocation LP: pricing stopped after %d rounds; the bound is still valid", S.rounds);
    } else {
        snprintf(x->status, sizeof x->status, "optimal");
    }
    if ((st = extract_solution(&S, x)) != TQO_OK)
        goto fail;
    x->lower_bound = S.L_full * W->cscale;
    x->rounds = S.rounds;
    if (prices)
        prices_from_scaled(W, prices);
    logf_(W, "alloc: simplex %.3f s, pricing %.3f s", S.t_simplex, S.t_price);
    logf_(W, "alloc: %s after %d rounds (%d sweeps), objective %.9g, bound %.9g, %.3f s, n=%d", x->status, S.rounds,
          S.sweeps, x->objective, x->lower_bound, (double)(clock() - clock0) / CLOCKS_PER_SEC, W->n);
    lp_run_free(&S);
    return TQO_OK;
fail:
    tqoi_alloc_solution_free(x);
    if (st == TQO_ERR_INFEASIBLE)
        snprintf(x->status, sizeof x->status, "infeasible");
    lp_run_free(&S);
    return st;
}
