/*
 * A balanced warm-up of free centres, between k-means and the LP. On
 * clustered real data k-means leaves a city worth many territories with
 * one or two centres (it cannot split a unit); the first balanced LP from
 * there must share the city among centres hundreds of kilometres away, the
 * costliest solve of a start by far (places of Australia, -k 76: 4.6 of
 * its 6.1 s), and the centroid moves that follow often settle in a poor
 * local optimum (-k 38: 41% above the warm start's). When some k-means
 * cluster holds at least WARM_TRIGGER territories' worth of the first
 * balanced measure and some unit one territory's worth, a few rounds of a
 * greedy balanced transport (each unit's measure poured into its nearest
 * centres that have room, split where one fills up, the pairs in order of
 * distance) with centroid moves bring the centres near balance first. Only
 * on the even starts (the first, third, ...): neither way wins on every
 * instance, and the best start is kept. Not in the regions of many
 * territories (align_regions.c), whose cuts already give each city its
 * share of territories: there it cost the world places 16 s and 0.1%.
 * Elsewhere nothing changes.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A k-means cluster this many territories' worth (of balanced measure 0),
   with a unit of at least one territory's worth, calls for the warm-up (a
   cluster of many small units alone, as italy's Po valley, does not: there
   the LP's own iterations did better). */
#define WARM_TRIGGER 2.0
/* Rounds of transport and centroid moves, at most. */
#define WARM_ROUNDS 3
/* Each unit's nearest centres that the transport considers; a unit they
   cannot hold goes on to the nearest centre with room. */
#define WARM_NEAR 32

typedef struct warm_pair {
    double d2;
    int i, j;
} warm_pair;

static int by_distance(const void *a, const void *b)
{
    const warm_pair *u = a, *v = b;
    if (u->d2 != v->d2)
        return u->d2 < v->d2 ? -1 : 1;
    if (u->i != v->i)
        return u->i - v->i;
    return u->j - v->j;
}

/* The largest unit in territories' worth of measure 0 (of the mean
   target). */
static double worst_unit(const align_ctx *c)
{
    double t = 0, worst = 0;
    for (int j = 0; j < c->p; j++)
        t += c->target[(size_t)j * c->nb];
    t /= c->p;
    for (int i = 0; i < c->n && t > 0; i++)
        worst = fmax(worst, c->a[0][i] / t);
    return worst;
}

/* The largest k-means cluster in territories' worth of measure 0; -1
   when out of memory. */
static double worst_cluster(const align_ctx *c, const int *asg)
{
    double *load = calloc((size_t)c->p, sizeof(double)), worst = 0;
    if (!load)
        return -1;
    for (int i = 0; i < c->n; i++)
        if (asg[i] >= 0 && asg[i] < c->p)
            load[asg[i]] += c->a[0][i];
    for (int j = 0; j < c->p; j++) {
        double t = c->target[(size_t)j * c->nb];
        if (t > 0)
            worst = fmax(worst, load[j] / t);
    }
    free(load);
    return worst;
}

/* Unit i's K nearest centres it may join into pr[0..K) (fewer when it may
   join fewer), nearest first; returns how many. */
static int nearest(const align_ctx *c, int i, int K, warm_pair *pr)
{
    int m = 0;
    for (int j = 0; j < c->p; j++) {
        if (!tqoi_alloc_allowed(&c->P, i, j))
            continue;
        warm_pair x = {tqoi_alloc_dist2(&c->P, i, j), i, j};
        if (m == K && by_distance(&x, &pr[m - 1]) >= 0)
            continue;
        int k = m < K ? m++ : m - 1; /* insertion into the sorted list */
        while (k > 0 && by_distance(&x, &pr[k - 1]) < 0) {
            pr[k] = pr[k - 1];
            k--;
        }
        pr[k] = x;
    }
    return m;
}

/* The transport's rows, as an alloc_solution (units in order). */
typedef struct warm_work {
    warm_pair *pairs;   /* n * K candidates, then sorted */
    int *cnt;           /* per unit, candidates, then rows */
    double *rem, *room;
    int *ri, *rj;       /* rows in pouring order */
    double *rs;
    int nrows;
    alloc_solution x;
} warm_work;

/* Rows are at most n + p: each ends a unit's measure or fills a centre. */
static void add_row(warm_work *W, int i, int j, double share)
{
    W->ri[W->nrows] = i;
    W->rj[W->nrows] = j;
    W->rs[W->nrows++] = share;
    W->cnt[i]++;
}

/* Pours unit i's remaining measure into centre j's room. */
static void pour(const align_ctx *c, warm_work *W, int i, int j)
{
    double a = c->a[0][i];
    if (!(a > 0)) { /* no load: its nearest centre alone */
        if (W->cnt[i] == 0)
            add_row(W, i, j, 1);
        return;
    }
    if (W->rem[i] <= 0 || W->room[j] <= 0)
        return;
    double q = fmin(W->rem[i], W->room[j]);
    W->rem[i] -= q;
    W->room[j] -= q;
    if (W->rem[i] <= 1e-12 * a) /* rounding: the last crumb goes too */
        q += W->rem[i], W->rem[i] = 0;
    add_row(W, i, j, q / a);
}

/* One round: the transport at the current centres into W->x. */
static void transport(const align_ctx *c, warm_work *W, int K)
{
    int n = c->n, p = c->p, nth = c->P.threads > 0 ? c->P.threads : 1;
    int *m = W->cnt;
#pragma omp parallel for schedule(static) num_threads(nth)
    for (int i = 0; i < n; i++)
        m[i] = nearest(c, i, K, W->pairs + (size_t)i * K);
    size_t np = 0; /* compacted: unit i's candidates, in unit order */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m[i]; k++)
            W->pairs[np++] = W->pairs[(size_t)i * K + k];
    qsort(W->pairs, np, sizeof *W->pairs, by_distance);
    for (int i = 0; i < n; i++)
        W->rem[i] = c->a[0][i], W->cnt[i] = 0;
    for (int j = 0; j < p; j++)
        W->room[j] = c->target[(size_t)j * c->nb];
    W->nrows = 0;
    for (size_t k = 0; k < np; k++)
        pour(c, W, W->pairs[k].i, W->pairs[k].j);
    for (int i = 0; i < n; i++) /* beyond its nearest: the nearest with room */
        while (W->rem[i] > 0 && W->nrows < n + p) {
            int best = -1;
            double bd = INFINITY;
            for (int j = 0; j < p; j++) {
                double d2 = W->room[j] > 0 && tqoi_alloc_allowed(&c->P, i, j) ? tqoi_alloc_dist2(&c->P, i, j) : INFINITY;
                if (d2 < bd)
                    bd = d2, best = j;
            }
            if (best < 0)
                break; /* no room left anywhere (rounding): the rest stays out */
            pour(c, W, i, best);
        }
    W->x.n = n;
    W->x.start[0] = 0;
    for (int i = 0; i < n; i++)
        W->x.start[i + 1] = W->x.start[i] + W->cnt[i];
    int *at = W->cnt; /* reused: each unit's next row */
    for (int i = 0; i < n; i++)
        at[i] = W->x.start[i];
    for (int r = 0; r < W->nrows; r++) {
        W->x.terr[at[W->ri[r]]] = W->rj[r];
        W->x.share[at[W->ri[r]]++] = W->rs[r];
    }
}

static void warm_free(warm_work *W)
{
    free(W->pairs);
    free(W->cnt);
    free(W->rem);
    free(W->room);
    free(W->ri);
    free(W->rj);
    free(W->rs);
    free(W->x.start);
    free(W->x.terr);
    free(W->x.share);
}

int tqoi_align_warm_centres(align_ctx *c, const int *asg)
{
    int n = c->n, p = c->p, K = p < WARM_NEAR ? p : WARM_NEAR, done = 0;
    double worst = n > 0 && p > 1 ? worst_cluster(c, asg) : 0;
    if (worst < 0)
        return -1;
    if (worst < WARM_TRIGGER || worst_unit(c) < 1)
        return 0;
    warm_work W;
    memset(&W, 0, sizeof W);
    W.pairs = malloc(((size_t)n * K + 1) * sizeof *W.pairs);
    W.cnt = malloc(((size_t)n + 1) * sizeof(int));
    W.rem = malloc(((size_t)n + 1) * sizeof(double));
    W.room = malloc(((size_t)p + 1) * sizeof(double));
    W.x.start = malloc(((size_t)n + 1) * sizeof(int));
    W.ri = malloc(((size_t)n + p + 1) * sizeof(int));
    W.rj = malloc(((size_t)n + p + 1) * sizeof(int));
    W.rs = malloc(((size_t)n + p + 1) * sizeof(double));
    W.x.terr = malloc(((size_t)n + p + 1) * sizeof(int));
    W.x.share = malloc(((size_t)n + p + 1) * sizeof(double));
    int ok = W.pairs && W.cnt && W.rem && W.room && W.x.start && W.ri && W.rj && W.rs && W.x.terr && W.x.share;
    for (int r = 0; ok && r < WARM_ROUNDS; r++) {
        transport(c, &W, K);
        done++;
        if (tqoi_align_relocate_shares(c, &W.x) < 1e-6)
            break;
    }
    warm_free(&W);
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                   "centres: balanced warm-up, %d rounds (the largest k-means cluster %.3g territories' worth)", done,
                   worst);
    return ok ? done : -1;
}
