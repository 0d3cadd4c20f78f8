/*
 * A stronger lower bound for whole units at the final centres.
 *
 * The LP bound lets a large unit be shared: a capital city holding most of
 * a territory's target sits 79% in one territory and 21% in the next, and
 * the LP's value is then well below that of any whole-unit plan. Every
 * whole-unit plan puts such a unit in one territory j, so the least over j
 * of the LP with the unit fixed to j bounds them all (one level of branch
 * and bound, on each of the largest split units; the largest of these
 * bounds holds). No LP is needed for a territory whose reduced cost already
 * lifts the Lagrangian bound above the best branch so far: for any plan
 * with the unit in j, objective >= L(prices) + reduced cost of (unit, j).
 * The work is bounded by counts of units and LP solves, not by the clock.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Split units branched on (the largest first), LP solves in all, and the
   smallest unit worth it: a tenth of a territory's target in some balanced
   measure (smaller ones are cheap to make whole, so the branches' LPs
   barely rise above the root's: on italy, Verona at 8.5% of a target
   raised the bound by 0.02%, Roma at 89% by 0.75%). */
#define BRANCH_UNITS 2
#define BRANCH_LPS 6
#define BRANCH_LARGE 0.1

#define logd(c, ...) tqo_log_printf((c)->s->log, (c)->s->log_ctx, TQO_LOG_DEBUG, __VA_ARGS__)

/* The Lagrangian value at the prices in c->prices (as the LP's own bound:
   each unit at its cheapest reduced cost, less the priced bounds), and each
   unit's cheapest reduced cost into umin. */
static double lagrangian(const align_ctx *c, double *umin)
{
    int p = c->p, nb = c->nb;
    double L = 0;
    for (int i = 0; i < c->n; i++) {
        double m = INFINITY;
        for (int j = 0; j < p; j++) {
            double r = tqoi_align_reduced(c, i, j);
            if (r < m)
                m = r;
        }
        umin[i] = m;
        L += m;
    }
    for (int k = 0; k < p * nb; k++)
        L -= c->prices[k] > 0 ? c->prices[k] * c->hi[k] : c->prices[k] * c->lo[k];
    if (c->max_move >= 0 && c->current)
        L -= c->prices[p * nb] * c->max_move;
    return L;
}

/* The LP with unit i fixed to territory j: its proven bound, INFINITY when
   no plan has i in j, or fallback when the LP could not tell. */
static tqo_status branch_lp(align_ctx *c, int *lock, double *pr, const double *prices0, int i, int j,
                            double fallback, double *value)
{
    int k = c->p * c->nb + 1;
    memcpy(pr, prices0, (size_t)k * sizeof(double)); /* the same warm start for every branch */
    const int *saved = c->P.lock;
    lock[i] = j;
    c->P.lock = lock;
    alloc_solution y;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, pr, &y, NULL, NULL, &d);
    tqo_diag_free(&d);
    c->P.lock = saved;
    lock[i] = c->lock ? c->lock[i] : -1;
    if (st == TQO_ERR_NOMEM)
        return st;
    *value = st == TQO_OK ? fmax(y.lower_bound, fallback) : st == TQO_ERR_INFEASIBLE ? INFINITY : fallback;
    if (st == TQO_OK)
        tqoi_alloc_solution_free(&y);
    return TQO_OK;
}

/* The bound from branching on unit i: the least over its territories. */
static tqo_status unit_bound(align_ctx *c, int i, double L, const double *umin, int *lock, double *pr,
                             const double *prices0, align_kv *row, int *lps, double *bound)
{
    int p = c->p, nr = 0;
    for (int j = 0; j < p; j++) {
        double r = tqoi_align_reduced(c, i, j);
        if (isfinite(r)) {
            row[nr].k = L + (r - umin[i]);
            row[nr].v = j;
            nr++;
        }
    }
    qsort(row, (size_t)nr, sizeof *row, tqoi_align_kv_cmp);
    double best = INFINITY;
    for (int q = 0; q < nr; q++) {
        if (row[q].k >= best)
            break; /* this and every later branch bound no lower */
        if (*lps >= BRANCH_LPS) {
            best = row[q].k; /* the rest unsolved: their Lagrangian bounds */
            break;
        }
        double v;
        tqo_status st = branch_lp(c, lock, pr, prices0, i, row[q].v, row[q].k, &v);
        (*lps)++;
        if (st != TQO_OK)
            return st;
        if (v < best)
            best = v;
    }
    *bound = best;
    return TQO_OK;
}

/* A unit's size: its largest share of a territory's target. */
static double unit_size(const align_ctx *c, int i)
{
    double size = 0;
    for (int b = 0; b < c->nb; b++)
        size = fmax(size, c->a[b][i] / (c->total[b] / c->p));
    return size;
}

static tqo_status branch_on_splits(align_ctx *c, const alloc_solution *x, double *lower_bound)
{
    int n = c->n, p = c->p, nb = c->nb;
    align_kv *big = malloc((size_t)n * sizeof(align_kv) + 1);
    align_kv *row = malloc((size_t)p * sizeof(align_kv) + 1);
    double *umin = malloc((size_t)n * sizeof(double) + 1);
    int *lock = malloc((size_t)n * sizeof(int) + 1);
    double *pr = malloc(((size_t)p * nb + 1) * sizeof(double));
    double *prices0 = malloc(((size_t)p * nb + 1) * sizeof(double));
    tqo_status st = TQO_OK;
    if (!big || !row || !umin || !lock || !pr || !prices0) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    memcpy(prices0, c->prices, ((size_t)p * nb + 1) * sizeof(double));
    int nbig = 0;
    for (int i = 0; i < n; i++) {
        lock[i] = c->lock ? c->lock[i] : -1;
        if (x->start[i + 1] - x->start[i] < 2)
            continue;
        double size = unit_size(c, i);
        if (size >= BRANCH_LARGE) {
            big[nbig].k = -size;
            big[nbig].v = i;
            nbig++;
        }
    }
    if (!nbig)
        goto done;
    qsort(big, (size_t)nbig, sizeof *big, tqoi_align_kv_cmp);
    double L = lagrangian(c, umin);
    int lps = 0;
    for (int q = 0; q < nbig && q < BRANCH_UNITS && lps < BRANCH_LPS; q++) {
        double b;
        st = unit_bound(c, big[q].v, L, umin, lock, pr, prices0, row, &lps, &b);
        if (st != TQO_OK)
            goto done;
        char nm[256];
        logd(c, "bound: branching on %s: %.9g (Lagrangian %.9g, LP bound %.9g, %d LPs so far)",
             tqoi_align_unit_name(c, big[q].v, nm, sizeof nm), b, L, *lower_bound, lps);
        if (isfinite(b) && b > *lower_bound)
            *lower_bound = b;
    }
done:
    if (prices0)
        memcpy(c->prices, prices0, ((size_t)p * nb + 1) * sizeof(double));
    free(big);
    free(row);
    free(umin);
    free(lock);
    free(pr);
    free(prices0);
    return st;
}

tqo_status tqoi_align_branch_bound(align_ctx *c, const alloc_solution *x0, double *lower_bound)
{
    int any = 0;
    for (int i = 0; i < c->n && !any; i++)
        any = x0->start[i + 1] - x0->start[i] > 1 && unit_size(c, i) >= BRANCH_LARGE;
    if (!any)
        return TQO_OK; /* the first LP split no unit worth a branch: not even the LP again */
    alloc_solution x;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, c->prices, &x, c->s->log, c->s->log_ctx, &d);
    tqo_diag_free(&d);
    if (st != TQO_OK)
        return st == TQO_ERR_NOMEM ? st : TQO_OK; /* the bound stays the LP's */
    st = branch_on_splits(c, &x, lower_bound);
    tqoi_alloc_solution_free(&x);
    return st;
}
