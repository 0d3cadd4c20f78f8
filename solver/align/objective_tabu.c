/*
 * The tabu search of the diameter and center objectives
 * (docs/objectives.md), after the alternating tabu search of Gliesch,
 * Ritt and Moreira (2018): moves of border units to a neighbouring
 * district, scored by
 *
 *   F = E + lambda V,  E = sum over pairs (u, v) in one district of
 *                          max(0, d(u, v) - T)
 *
 * where T is a target just below the best balanced plan's diameter, V the
 * balance violation (the excess over each bound as a fraction of the
 * target, summed) and lambda a penalty weight that grows while the plan is
 * unbalanced and shrinks while it is balanced, so the search alternates
 * between lowering the diameter through unbalanced plans and restoring
 * the balance. E, unlike the largest diameter, moves with every unit of a
 * too-long pair, which lets a district shed its far side before it takes a
 * unit from a too-wide neighbour. Each iteration takes the best move that
 * is not tabu (a unit moved recently stays put for a tenure) among those
 * that can lower F: units of too-long pairs, units touching an unbalanced
 * district, and path moves (a far unit that touches no other district goes
 * with its shortest way to the border). The best balanced plan seen is
 * kept; a new one lowers T.
 *
 * Bookkeeping is incremental, for the two districts a move changes: each
 * district's convex hull (the unit farthest from any point is a hull
 * vertex, so a unit's farthest distance into a district is O(hull)), its
 * diameter, the diameter without each unit of its farthest pairs (for the
 * aspiration), its articulation units (Tarjan: a unit that is not one may
 * leave without cutting the district, so contiguity is kept exactly), and
 * each unit's share of E (O(district) per move). Work is bounded by
 * iteration counts, never by the clock unless --time-limit is given. Four
 * independent starts (two above TB_ROUNDS_MAX_N units; their own targets
 * and random streams from --seed) run on the threads and are merged in
 * start order, so the plan is the same for any --threads. Rounds after the
 * first start from the best plan, kicked by random border moves around the
 * widest districts, so that a round does not stall where the one before
 * did.
 *
 * The diameter runs two such searches from the start plan and keeps the
 * better plan (the first's on ties): moves alone, then moves and swaps (a
 * farthest-pair unit of a too-wide district for a unit of a neighbour on
 * its border, scored only when they lower F), the literature's two
 * neighbourhoods. Neither search is better on every instance of the
 * benchmark families; swaps from the first search's plan find little.
 *
 * The center (--objective center) runs the same search with its own
 * measure: a district's value is its radius about its best centre unit
 * (recomputed for the two districts a move changes) and a unit's excess is
 * max(0, d(u, centre) - T), so E is the sum, over the units farther than
 * T from their district's centre, of that distance less T; a move into B
 * is scored against B's centre. A unit's departure can move a centre, so
 * no radius without a unit is kept and a tabu move is never taken.
 */
#include "align/objective_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Farthest-pair units per district whose removal is scored exactly. */
#define TB_CRIT 8
/* Independent starts per round (on the threads, merged in start order) and
   each one's target: T = best x (1 - delta); pairs of units farther apart
   than T are the excess the search lowers. */
#define TB_STARTS 4
/* Starts per round above TB_ROUNDS_MAX_N units (a start is long there). */
#define TB_STARTS_LARGE 2
/* Rounds of starts, each from the best plan of the round before, at most
   (one above TB_ROUNDS_MAX_N units, where a round is long): a fresh penalty
   weight and tabu list from the best plan moves on where a long search
   stalled. */
#define TB_ROUNDS 8
#define TB_ROUNDS_MAX_N 5000
/* Rounds after the first start from the best plan kicked: tb_kick[k] x
   sqrt(n / p) random moves (multiples of a district's border length) on the
   borders of the districts that set the diameter, so that a start does not
   fall back into the basin the round before stalled in; start 1 is not
   kicked (a fresh penalty and tabu list alone often move on). The rounds
   stop after TB_IDLE_ROUNDS in a row without a better plan. */
#define TB_IDLE_ROUNDS 2
static const double tb_delta[TB_STARTS] = {0.02, 0.01, 0.015, 0.005};
static const double tb_kick[TB_STARTS] = {0, 1, 2, 4};
/* Iterations without a better balanced plan before the search stops, and
   all iterations, at most (per unit, plus a base). */
#define TB_STALL_BASE 2000
#define TB_STALL_PER_UNIT 1.0
#define TB_ITER_PER_UNIT 20
/* Penalty weight: start (x diameter), factor per iteration, range. */
#define TB_LAMBDA0 0.2
#define TB_LAMBDA_STEP 1.03
/* Tabu tenure: TB_TENURE_MIN + a draw in [0, TB_TENURE_SPAN). */
#define TB_TENURE_MIN 15
#define TB_TENURE_SPAN 20

typedef struct pt3 {
    double x, y;
    int i;
} pt3;

typedef struct tdist {
    int *ext, next, ecap;       /* hull vertices (all members on lat/lon) */
    double d;                   /* diameter */
    int ncrit, crit[TB_CRIT];   /* units of the farthest pairs */
    double dwo[TB_CRIT];        /* diameter without crit[k] */
    double viol;                /* balance violation */
    int cen;                    /* center: the centre unit */
} tdist;

typedef struct tabu {
    align_ctx *c;
    obj_geom g;
    int n, p, nb, latlon;
    int center;                 /* 1: --objective center (radius about the centre unit) */
    int swap_on;                /* swaps scored too (the second phase) */
    obj_scratch w;              /* center: tqoi_obj_set_value's */
    int *asg, *best_asg;
    int **mem, *msz, *mcap, *pos;
    tdist *D;
    double *load;
    char *art;
    int *disc, *low, *par, *it, *vst, *stack, *seen, *set;
    pt3 *pts, *hull;
    int gen, seen_tag;
    double *ex;                 /* per unit: sum over its district of max(0, d - T) */
    double *dist;               /* Dijkstra of the path moves */
    align_kv *heap;
    int *path, npath;           /* the best path move's units */
    long paths, swaps;
    int *sw_tag, sw_gen;        /* scan_swaps' cache of a unit's excess over X */
    double *sw_ex;
    long *tabu_until;
    double lambda, T, best, V, moved, dscale;
    long iter, moves, last_best, stall_limit, max_iter;
    double delta;
    double deadline;
    tqo_rng rng;
} tabu;

/* The distance order's key: squared planar distance or squared chord. */
static double raw(const tabu *S, int i, int j)
{
    const obj_geom *g = &S->g;
    double dx, dy, dz = 0;
    if (S->latlon) {
        dx = g->ux[i] - g->ux[j], dy = g->uy[i] - g->uy[j], dz = g->uz[i] - g->uz[j];
    } else {
        dx = g->x[i] - g->x[j], dy = g->y[i] - g->y[j];
    }
    return dx * dx + dy * dy + dz * dz;
}

/* A key back to a distance (tqoi_obj_dist's units). */
static double key_dist(const tabu *S, double r)
{
    if (!S->latlon)
        return sqrt(r);
    double h = sqrt(r) / 2;
    return 2 * TQO_EARTH_RADIUS_KM * asin(h > 1 ? 1 : h);
}

static int cmp_pt3(const void *a, const void *b)
{
    const pt3 *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static double cross3(pt3 o, pt3 a, pt3 b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* The convex hull's vertices (monotone chain) of the points S->pts[0..m),
   sorted, less the unit skip (-1: none), into out; the same hull as the
   sorted set without skip, so a district's hull without one of its units
   takes O(m), not another sort. */
static int chain(tabu *S, int m, int skip, int *out)
{
    const pt3 *P = S->pts;
    pt3 *h = S->hull;
    int k = 0, left = m - (skip >= 0);
    if (left < 3) {
        for (int i = 0; i < m; i++)
            if (P[i].i != skip)
                out[k++] = P[i].i;
        return k;
    }
    for (int i = 0; i < m; i++) {
        if (P[i].i == skip)
            continue;
        while (k >= 2 && cross3(h[k - 2], h[k - 1], P[i]) <= 0)
            k--;
        h[k++] = P[i];
    }
    for (int i = m - 2, lower = k + 1; i >= 0; i--) {
        if (P[i].i == skip || (i == m - 2 && P[m - 1].i == skip))
            continue;
        while (k >= lower && cross3(h[k - 2], h[k - 1], P[i]) <= 0)
            k--;
        h[k++] = P[i];
    }
    k = k > 1 ? k - 1 : k;
    for (int q = 0; q < k; q++)
        out[q] = h[q].i;
    return k;
}

/* The extreme units of set[0..m) into out (m slots): the convex hull's
   vertices (monotone chain) on planar points, every unit on the sphere.
   On planar points S->pts keeps the set sorted for chain(). */
static int extremes(tabu *S, const int *set, int m, int *out)
{
    if (S->latlon || m < 3) {
        memcpy(out, set, (size_t)m * sizeof(int));
        return m;
    }
    for (int k = 0; k < m; k++)
        S->pts[k] = (pt3){S->g.x[set[k]], S->g.y[set[k]], set[k]};
    qsort(S->pts, (size_t)m, sizeof(pt3), cmp_pt3);
    return chain(S, m, -1, out);
}

/* Largest key between two of the e extreme units ext[]. */
static double ext_diam(tabu *S, const int *ext, int e)
{
    double best = 0;
    for (int a = 0; a < e; a++)
        for (int b = a + 1; b < e; b++)
            best = fmax(best, raw(S, ext[a], ext[b]));
    S->g.evals += (long)e * (e - 1) / 2;
    return best;
}

/* Balance violation of district j: the excess over each bound as a
   fraction of the target (0 within the check's tolerance). */
static double district_viol(const tabu *S, int j)
{
    const align_ctx *c = S->c;
    double v = 0;
    for (int b = 0; b < S->nb; b++) {
        int q = j * S->nb + b;
        double t = c->target[q], e = 1e-9 * t, l = S->load[q];
        if (l > c->hi[q] + e)
            v += (l - c->hi[q]) / t;
        else if (l < c->lo[q] - e)
            v += (c->lo[q] - l) / t;
    }
    return v;
}

/* Articulation units of district j (Tarjan, iteratively): a unit that is
   not one may leave without cutting the district. */
static void district_art(tabu *S, int j)
{
    const align_ctx *c = S->c;
    int g = ++S->gen, time = 0;
    for (int k = 0; k < S->msz[j]; k++)
        S->art[S->mem[j][k]] = 0;
    for (int k = 0; k < S->msz[j]; k++) {
        int r = S->mem[j][k], top = 0, kids = 0;
        if (S->vst[r] == g)
            continue;
        S->vst[r] = g;
        S->disc[r] = S->low[r] = ++time;
        S->par[r] = -1;
        S->it[r] = c->adj_start[r];
        S->stack[top++] = r;
        while (top) {
            int v = S->stack[top - 1];
            if (S->it[v] < c->adj_start[v + 1]) {
                int w = c->adj[S->it[v]++];
                if (S->asg[w] != j || w == S->par[v])
                    continue;
                if (S->vst[w] != g) {
                    S->vst[w] = g;
                    S->par[w] = v;
                    S->disc[w] = S->low[w] = ++time;
                    S->it[w] = c->adj_start[w];
                    S->stack[top++] = w;
                    kids += v == r;
                } else if (S->disc[w] < S->low[v]) {
                    S->low[v] = S->disc[w];
                }
            } else if (--top > 0) {
                int pv = S->par[v];
                if (S->low[v] < S->low[pv])
                    S->low[pv] = S->low[v];
                if (pv != r && S->low[v] >= S->disc[pv])
                    S->art[pv] = 1;
            }
        }
        S->art[r] = kids > 1;
    }
}

/* The center's district_refresh: the radius about the best centre unit
   (tqoi_obj_set_value's, the value the check recomputes), the units at
   that radius from it (the critical ones, for the path moves), each
   unit's excess max(0, d(u, centre) - T), violation and articulation
   units. A unit's removal can move the centre, so no radius without it
   is kept: the center's search has no aspiration. */
static tqo_status center_refresh(tabu *S, int j)
{
    tdist *d = &S->D[j];
    const int *l = S->mem[j];
    int m = S->msz[j];
    double r = tqoi_obj_set_value(&S->g, TQO_OBJECTIVE_CENTER, l, m, &S->w, &d->cen);
    if (r < 0)
        return TQO_ERR_NOMEM;
    d->d = r;
    d->next = 0;
    d->ncrit = 0;
    for (int k = 0; k < m; k++) {
        double e = tqoi_obj_dist(&S->g, l[k], d->cen);
        S->ex[l[k]] = e > S->T ? e - S->T : 0;
        if (r > 0 && e >= r * (1 - 1e-12) && d->ncrit < TB_CRIT)
            d->crit[d->ncrit++] = l[k];
    }
    d->viol = district_viol(S, j);
    if (S->c->contiguity)
        district_art(S, j);
    return TQO_OK;
}

/* Recomputes district j's hull, diameter, farthest-pair units and the
   diameter without each, violation and articulation units. */
static tqo_status district_refresh(tabu *S, int j)
{
    tdist *d = &S->D[j];
    int m = S->msz[j];
    if (d->ecap < m) {
        int cap = m > 2 * d->ecap ? m : 2 * d->ecap;
        int *e = realloc(d->ext, (size_t)cap * sizeof(int));
        if (!e)
            return TQO_ERR_NOMEM;
        d->ext = e;
        d->ecap = cap;
    }
    if (S->center)
        return center_refresh(S, j);
    d->next = extremes(S, S->mem[j], m, d->ext);
    double r = ext_diam(S, d->ext, d->next);
    d->d = key_dist(S, r);
    d->ncrit = 0;
    for (int a = 0; a < d->next && d->ncrit < TB_CRIT && r > 0; a++)
        for (int b = 0; b < d->next; b++)
            if (b != a && raw(S, d->ext[a], d->ext[b]) >= r * (1 - 1e-12)) {
                d->crit[d->ncrit++] = d->ext[a];
                break;
            }
    for (int k = 0; k < d->ncrit; k++) {
        int e;
        if (!S->latlon && m >= 3) { /* S->pts is the district, sorted */
            e = chain(S, m, d->crit[k], S->set);
        } else {
            int q = 0;
            for (int t = 0; t < m; t++)
                if (S->mem[j][t] != d->crit[k])
                    S->set[q++] = S->mem[j][t];
            e = extremes(S, S->set, q, S->set);
        }
        d->dwo[k] = key_dist(S, ext_diam(S, S->set, e));
    }
    d->viol = district_viol(S, j);
    if (S->c->contiguity)
        district_art(S, j);
    return TQO_OK;
}

static int mem_add(tabu *S, int j, int u)
{
    return tqoi_obj_member_add(S->mem, S->msz, S->mcap, S->pos, j, u);
}

static void mem_remove(tabu *S, int j, int u)
{
    tqoi_obj_member_remove(S->mem, S->msz, S->pos, j, u);
}

static void tabu_free(tabu *S)
{
    for (int j = 0; S->mem && j < S->p; j++)
        free(S->mem[j]);
    for (int j = 0; S->D && j < S->p; j++)
        free(S->D[j].ext);
    free(S->mem);
    free(S->msz);
    free(S->mcap);
    free(S->pos);
    free(S->D);
    free(S->load);
    free(S->art);
    free(S->disc);
    free(S->low);
    free(S->par);
    free(S->it);
    free(S->vst);
    free(S->stack);
    free(S->seen);
    free(S->set);
    free(S->pts);
    free(S->hull);
    free(S->tabu_until);
    free(S->best_asg);
    free(S->dist);
    free(S->ex);
    free(S->heap);
    free(S->path);
    free(S->sw_tag);
    free(S->sw_ex);
    tqoi_obj_scratch_free(&S->w);
    tqoi_obj_geom_free(&S->g);
}

static double plan_max(const tabu *S)
{
    double m = 0;
    for (int j = 0; j < S->p; j++)
        m = fmax(m, S->D[j].d);
    return m;
}

static double total_viol(const tabu *S)
{
    double v = 0;
    for (int j = 0; j < S->p; j++)
        v += S->D[j].viol;
    return v;
}

/* Excess of the distance between units i and j over the target. */
static double pair_excess(tabu *S, int i, int j)
{
    double d = key_dist(S, raw(S, i, j));
    return d > S->T ? d - S->T : 0;
}

/* Every unit's excess over its district (after T changed): districts
   within T have none. */
static void excess_all(tabu *S)
{
    for (int j = 0; j < S->p; j++) {
        const int *l = S->mem[j];
        int m = S->msz[j];
        for (int k = 0; k < m; k++)
            S->ex[l[k]] = 0;
        if (S->center) { /* the excess over the centre unit alone */
            for (int k = 0; k < m; k++)
                S->ex[l[k]] = pair_excess(S, l[k], S->D[j].cen);
            S->g.evals += m;
            continue;
        }
        if (S->D[j].d <= S->T)
            continue;
        for (int a = 0; a < m; a++)
            for (int b = a + 1; b < m; b++) {
                double e = pair_excess(S, l[a], l[b]);
                S->ex[l[a]] += e;
                S->ex[l[b]] += e;
            }
        S->g.evals += (long)m * (m - 1) / 2;
    }
}

/* Unit u's farthest distance to district B (a hull vertex of B). */
static double farthest_into(tabu *S, int u, int B)
{
    double f = 0;
    const tdist *b = &S->D[B];
    if (S->center) { /* the distance to B's centre unit */
        S->g.evals++;
        return key_dist(S, raw(S, u, b->cen));
    }
    for (int k = 0; k < b->next; k++)
        f = fmax(f, raw(S, u, b->ext[k]));
    S->g.evals += b->next;
    return key_dist(S, f);
}

/* Unit u's excess over district B's units, given its farthest distance
   into B (0 at once when that is within T). */
static double excess_sum(tabu *S, int u, int B, double far)
{
    double e = 0;
    if (far <= S->T)
        return 0;
    if (S->center)
        return far - S->T;
    for (int k = 0; k < S->msz[B]; k++)
        e += S->mem[B][k] == u ? 0 : pair_excess(S, u, S->mem[B][k]);
    S->g.evals += S->msz[B];
    return e;
}

/* Unit u's excess over district B's units and its farthest distance. */
static double excess_into(tabu *S, int u, int B, double *far)
{
    *far = farthest_into(S, u, B);
    return excess_sum(S, u, B, *far);
}

static tqo_status tabu_init(tabu *S, align_ctx *c, int *asg, int start)
{
    memset(S, 0, sizeof *S);
    S->delta = tb_delta[start % TB_STARTS];
    int n = c->n, p = c->p;
    S->c = c;
    S->n = n;
    S->p = p;
    S->nb = c->nb;
    S->asg = asg;
    S->latlon = c->inst->coords == TQO_COORDS_LATLON;
    S->center = c->s->objective == TQO_OBJECTIVE_CENTER;
    size_t ni = ((size_t)n + 1) * sizeof(int);
    S->mem = calloc((size_t)p, sizeof(int *));
    S->msz = calloc((size_t)p, sizeof(int));
    S->mcap = calloc((size_t)p, sizeof(int));
    S->D = calloc((size_t)p, sizeof(tdist));
    S->load = calloc((size_t)p * S->nb + 1, sizeof(double));
    S->pos = malloc(ni);
    S->art = calloc((size_t)n + 1, 1);
    S->disc = malloc(ni), S->low = malloc(ni), S->par = malloc(ni), S->it = malloc(ni);
    S->vst = calloc((size_t)n + 1, sizeof(int));
    S->seen = calloc((size_t)n + 1, sizeof(int));
    S->stack = malloc(ni), S->set = malloc(ni), S->best_asg = malloc(ni);
    S->pts = malloc(((size_t)n + 1) * sizeof(pt3));
    S->hull = malloc((2 * (size_t)n + 2) * sizeof(pt3));
    S->tabu_until = calloc((size_t)n + 1, sizeof(long));
    S->dist = malloc(((size_t)n + 1) * sizeof(double));
    S->ex = calloc((size_t)n + 1, sizeof(double));
    S->heap = malloc(((size_t)c->adj_start[n] + n + 1) * sizeof(align_kv));
    S->path = malloc(ni);
    S->sw_tag = calloc((size_t)n + 1, sizeof(int));
    S->sw_ex = malloc(((size_t)n + 1) * sizeof(double));
    if (!S->mem || !S->msz || !S->mcap || !S->D || !S->load || !S->pos || !S->art || !S->disc || !S->low ||
        !S->par || !S->it || !S->vst || !S->seen || !S->stack || !S->set || !S->best_asg || !S->pts || !S->hull ||
        !S->tabu_until || !S->dist || !S->ex || !S->heap || !S->path || !S->sw_tag || !S->sw_ex || tqoi_obj_geom_init(&S->g, c->inst) != TQO_OK)
        return TQO_ERR_NOMEM;
    if (tqoi_obj_members_fill(c, asg, S->nb, S->mem, S->msz, S->mcap, S->pos, S->load, &S->moved) < 0)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++)
        if (district_refresh(S, j) != TQO_OK)
            return TQO_ERR_NOMEM;
    memcpy(S->best_asg, asg, (size_t)n * sizeof(int));
    S->V = total_viol(S);
    double dmax = plan_max(S);
    S->best = S->V > 0 ? INFINITY : dmax;
    S->dscale = dmax > 0 ? dmax : 1;
    S->T = dmax * (1 - S->delta);
    excess_all(S);
    S->lambda = TB_LAMBDA0 * S->dscale;
    S->stall_limit = TB_STALL_BASE + (long)(TB_STALL_PER_UNIT * n);
    S->max_iter = (long)TB_ITER_PER_UNIT * n + 10 * TB_STALL_BASE;
    S->deadline = c->s->time_limit > 0 ? tqoi_align_now() + c->s->time_limit : 0;
    tqo_rng_init(&S->rng, c->s->seed, 0x7ab0u + (uint64_t)start);
    return TQO_OK;
}

/* A scored move: u from A to B, or with len > 0 the path S->path[0 ..
   len) of A's units (u first) to B, or with v >= 0 the swap of u with
   B's unit v. */
typedef struct tmove {
    int u, A, B;
    double dF, da, db, dv;
    int ties, len, v;
} tmove;

/* Violation of district j after it gains unit in and loses unit out
   (-1: none). */
static double viol_swap(const tabu *S, int j, int in, int out)
{
    const align_ctx *c = S->c;
    double v = 0;
    for (int b = 0; b < S->nb; b++) {
        int q = j * S->nb + b;
        double t = c->target[q], e = 1e-9 * t, l = S->load[q];
        if (in >= 0)
            l += c->a[b][in];
        if (out >= 0)
            l -= c->a[b][out];
        if (l > c->hi[q] + e)
            v += (l - c->hi[q]) / t;
        else if (l < c->lo[q] - e)
            v += (c->lo[q] - l) / t;
    }
    return v;
}

/* Violation of district j after adding sign x unit u's measures. */
static double viol_after(const tabu *S, int j, int u, int sign)
{
    return sign > 0 ? viol_swap(S, j, u, -1) : viol_swap(S, j, -1, u);
}

/* The move cap after u goes A -> B (the running total of moved measure). */
static double moved_after(const tabu *S, int u, int A, int B)
{
    const align_ctx *c = S->c;
    if (!c->current || c->current[u] < 0)
        return S->moved;
    int cu = c->current[u];
    return S->moved + c->a[0][u] * ((cu != B) - (cu != A));
}

/* The largest diameter over districts other than A and B. */
static double max_other(const tabu *S, int A, int B)
{
    double m = 0;
    for (int j = 0; j < S->p; j++)
        if (j != A && j != B)
            m = fmax(m, S->D[j].d);
    return m;
}

static int keep_better(tabu *S, tmove *x, tmove *best);

/* Scores u: A -> B into best when allowed and better (ties drawn evenly). */
static void score_move(tabu *S, int u, int A, int B, tmove *best)
{
    const align_ctx *c = S->c;
    if (S->msz[A] <= 1 || S->art[u] || !tqoi_alloc_allowed(&c->P, u, B))
        return;
    double mv = moved_after(S, u, A, B);
    if (c->max_move >= 0 && c->current && mv > c->max_move * (1 + 1e-9))
        return;
    const tdist *a = &S->D[A], *b = &S->D[B];
    double da = a->d, far;
    for (int k = 0; k < a->ncrit && !S->center; k++)
        if (a->crit[k] == u)
            da = a->dwo[k];
    far = farthest_into(S, u, B);
    double db = fmax(b->d, far);
    double va = viol_after(S, A, u, -1), vb = viol_after(S, B, u, 1);
    double dv = va + vb - a->viol - b->viol, dF;
    if (S->tabu_until[u] > S->iter) { /* aspiration: a new best balanced plan */
        if (S->center || !(S->V + dv <= 0 && fmax(max_other(S, A, B), fmax(da, db)) < S->best * (1 - 1e-12)))
            return;
        dF = -INFINITY;
    } else {
        /* the farthest pair alone bounds u's excess in B from below: a
           move that cannot beat the best so far (nor tie it, which would
           draw) needs no O(|B|) sum, and the search is unchanged */
        double lb = (far > S->T ? far - S->T : 0) - S->ex[u] + S->lambda * dv;
        if (best->u >= 0 && lb > best->dF + 1e-12 * S->dscale + 1e-9 * fabs(lb))
            return;
        dF = excess_sum(S, u, B, far) - S->ex[u] + S->lambda * dv;
    }
    tmove x = {u, A, B, dF, da, db, dv, 0, 0, -1};
    keep_better(S, &x, best);
}

/* Keeps the candidate when it beats best (ties drawn evenly); 1 if kept. */
static int keep_better(tabu *S, tmove *x, tmove *best)
{
    double eps = 1e-12 * S->dscale;
    if (best->u >= 0 && x->dF > best->dF + eps)
        return 0;
    if (best->u >= 0 && x->dF >= best->dF - eps) {
        x->ties = best->ties + 1;
        if (tqo_rng_int(&S->rng, x->ties) != 0) {
            best->ties++;
            return 0;
        }
    } else {
        x->ties = 1;
    }
    *best = *x;
    return 1;
}

static void heap_push(align_kv *h, int *m, align_kv x)
{
    int k = (*m)++;
    while (k > 0 && tqoi_align_kv_cmp(&x, &h[(k - 1) / 2]) < 0) {
        h[k] = h[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h[k] = x;
}

static align_kv heap_pop(align_kv *h, int *m)
{
    align_kv top = h[0], x = h[--(*m)];
    int k = 0;
    for (;;) {
        int l = 2 * k + 1, r = l + 1, s = k;
        const align_kv *cur = s == k ? &x : &h[s];
        if (l < *m && tqoi_align_kv_cmp(&h[l], cur) < 0)
            s = l, cur = &h[l];
        if (r < *m && tqoi_align_kv_cmp(&h[r], cur) < 0)
            s = r;
        if (s == k)
            break;
        h[k] = h[s];
        k = s;
    }
    h[k] = x;
    return top;
}

/*
 * The shortest path (Dijkstra by distance) inside district A from its
 * unit u to the nearest unit that touches another district, through units
 * that are neither locked nor tabu, into S->stack (u first); *B receives
 * that district. Returns the path's length, 0 when there is none.
 */
static int border_path(tabu *S, int u, int A, int *B)
{
    const align_ctx *c = S->c;
    int g = ++S->gen, m = 0;
    S->dist[u] = 0;
    S->par[u] = -1;
    S->vst[u] = g;
    S->disc[u] = 0;
    heap_push(S->heap, &m, (align_kv){0, u});
    while (m > 0) {
        align_kv top = heap_pop(S->heap, &m);
        int v = top.v;
        if (S->disc[v] == g || top.k > S->dist[v])
            continue;
        S->disc[v] = g; /* settled */
        for (int e = c->adj_start[v]; e < c->adj_start[v + 1]; e++)
            if (S->asg[c->adj[e]] != A) {
                int len = 0;
                *B = S->asg[c->adj[e]];
                for (int w = v; w >= 0; w = S->par[w])
                    S->stack[len++] = w;
                for (int a = 0, b = len - 1; a < b; a++, b--) {
                    int t = S->stack[a];
                    S->stack[a] = S->stack[b];
                    S->stack[b] = t;
                }
                return len;
            }
        for (int e = c->adj_start[v]; e < c->adj_start[v + 1]; e++) {
            int w = c->adj[e];
            if (S->asg[w] != A || (c->lock && c->lock[w] >= 0) || S->tabu_until[w] > S->iter)
                continue;
            double nd = top.k + key_dist(S, raw(S, v, w));
            if (S->vst[w] != g || nd < S->dist[w]) {
                S->vst[w] = g;
                S->disc[w] = 0;
                S->dist[w] = nd;
                S->par[w] = v;
                heap_push(S->heap, &m, (align_kv){nd, w});
            }
        }
    }
    return 0;
}

/* Whether district A stays connected without the units marked seen[] ==
   tag (a search from one of the others; a district in pieces fails). */
static int connected_without(tabu *S, int A, int tag, int left)
{
    const align_ctx *c = S->c;
    int g = ++S->gen, top = 0, reached = 0;
    for (int k = 0; k < S->msz[A] && !top; k++)
        if (S->seen[S->mem[A][k]] != tag) {
            S->vst[S->mem[A][k]] = g;
            S->it[top++] = S->mem[A][k];
        }
    while (top) {
        int v = S->it[--top];
        reached++;
        for (int e = c->adj_start[v]; e < c->adj_start[v + 1]; e++) {
            int w = c->adj[e];
            if (S->asg[w] == A && S->seen[w] != tag && S->vst[w] != g) {
                S->vst[w] = g;
                S->it[top++] = w;
            }
        }
    }
    return reached == left;
}

/* The diameters of A and B after the path S->stack[0 .. len) (marked
   seen[] == tag) goes from A to B. */
static void path_diameters(tabu *S, int A, int B, int len, int tag, double *da, double *db)
{
    const tdist *b = &S->D[B];
    int q = 0;
    for (int k = 0; k < b->next; k++)
        S->set[q++] = b->ext[k];
    for (int k = 0; k < len; k++)
        S->set[q++] = S->stack[k];
    q = extremes(S, S->set, q, S->set);
    *db = key_dist(S, ext_diam(S, S->set, q));
    q = 0;
    for (int k = 0; k < S->msz[A]; k++)
        if (S->seen[S->mem[A][k]] != tag)
            S->set[q++] = S->mem[A][k];
    q = extremes(S, S->set, q, S->set);
    *da = key_dist(S, ext_diam(S, S->set, q));
}

/* Scores the path move of A's farthest-pair unit u that touches no other
   district: u and the units on its way to the border go together. */
static void score_path(tabu *S, int u, int A, tmove *best)
{
    const align_ctx *c = S->c;
    int B = -1, len = border_path(S, u, A, &B);
    if (len < 2 || S->msz[A] <= len)
        return;
    int tag = ++S->seen_tag;
    double mv = S->moved;
    for (int k = 0; k < len; k++) {
        int w = S->stack[k];
        if (!tqoi_alloc_allowed(&c->P, w, B))
            return;
        S->seen[w] = tag;
        if (c->current && c->current[w] >= 0)
            mv += c->a[0][w] * ((c->current[w] != B) - (c->current[w] != A));
    }
    if (c->max_move >= 0 && c->current && mv > c->max_move * (1 + 1e-9))
        return;
    if (!connected_without(S, A, tag, S->msz[A] - len))
        return;
    const tdist *a = &S->D[A], *b = &S->D[B];
    double va = 0, vb = 0;
    for (int q = 0; q < S->nb; q++) { /* the violations after */
        double dl = 0;
        for (int k = 0; k < len; k++)
            dl += c->a[q][S->stack[k]];
        for (int side = 0; side < 2; side++) {
            int j = side ? B : A, i = j * S->nb + q;
            double t = c->target[i], e = 1e-9 * t, l = S->load[i] + (side ? dl : -dl);
            double v = l > c->hi[i] + e ? (l - c->hi[i]) / t : l < c->lo[i] - e ? (c->lo[i] - l) / t : 0;
            *(side ? &vb : &va) += v;
        }
    }
    double da = a->d, db = b->d; /* center: only the excess is scored */
    if (!S->center)
        path_diameters(S, A, B, len, tag, &da, &db);
    double dv = va + vb - a->viol - b->viol, de = 0, far;
    for (int k = 0; k < len; k++) { /* pairs inside the path move with it */
        de += excess_into(S, S->stack[k], B, &far) - S->ex[S->stack[k]];
        for (int t = k + 1; t < len && !S->center; t++)
            de += 2 * pair_excess(S, S->stack[k], S->stack[t]);
    }
    tmove x = {u, A, B, 0, da, db, dv, 0, len, -1};
    x.dF = de + S->lambda * dv;
    if (keep_better(S, &x, best)) {
        memcpy(S->path, S->stack, (size_t)len * sizeof(int));
        S->npath = len;
    }
}

/* Path moves for the farthest-pair units of district X that touch no
   other district (single moves cover the others). */
static void scan_paths(tabu *S, int X, tmove *best)
{
    const align_ctx *c = S->c;
    const tdist *d = &S->D[X];
    int crit[TB_CRIT], nc = d->ncrit;
    memcpy(crit, d->crit, sizeof crit);
    for (int k = 0; k < nc; k++) {
        int u = crit[k], border = 0;
        if ((c->lock && c->lock[u] >= 0) || S->tabu_until[u] > S->iter)
            continue;
        for (int e = c->adj_start[u]; e < c->adj_start[u + 1] && !border; e++)
            border = S->asg[c->adj[e]] != X;
        if (!border)
            score_path(S, u, X, best);
    }
}

/* Every move out of or into the active district X. */
static void scan_district(tabu *S, int X, tmove *best)
{
    const align_ctx *c = S->c;
    int tag = ++S->seen_tag;
    for (int k = 0; k < S->msz[X]; k++) {
        int u = S->mem[X][k];
        for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
            int w = c->adj[e], Y = S->asg[w];
            if (Y == X)
                continue;
            int dup = 0; /* u -> Y once */
            for (int q = c->adj_start[u]; q < e && !dup; q++)
                dup = S->asg[c->adj[q]] == Y;
            /* only moves that can lower the excess or the violation:
               the rest is a plateau the search would wander on */
            int bal = S->D[X].viol > 0 || S->D[Y].viol > 0;
            if (!dup && !(c->lock && c->lock[u] >= 0) && (bal || S->ex[u] > 0))
                score_move(S, u, X, Y, best);
            if (S->seen[w] != tag && !(c->lock && c->lock[w] >= 0) && (bal || S->ex[w] > 0)) {
                S->seen[w] = tag;
                score_move(S, w, Y, X, best);
            }
        }
    }
}

static int touches_other(const tabu *S, int u, int B, int not)
{
    return tqoi_obj_touches(S->c, S->asg, u, B, not);
}

/* Unit v's excess over district X's units, cached for the scan of X. */
static double swap_excess(tabu *S, int v, int X)
{
    if (S->sw_tag[v] != S->sw_gen) {
        double far;
        S->sw_tag[v] = S->sw_gen;
        S->sw_ex[v] = excess_into(S, v, X, &far);
    }
    return S->sw_ex[v];
}

/* Whether unit u may leave for district B at all (tabu aside). */
static int may_leave(const tabu *S, int u, int B)
{
    const align_ctx *c = S->c;
    return !S->art[u] && !(c->lock && c->lock[u] >= 0) && S->tabu_until[u] <= S->iter &&
           tqoi_alloc_allowed(&c->P, u, B);
}

/* Scores the swap of X's unit u with Y's unit v, given u's excess over
   Y's units (eu). */
static void score_swap(tabu *S, int u, int X, int Y, int v, double eu, tmove *best)
{
    const align_ctx *c = S->c;
    if (!may_leave(S, v, X) || !touches_other(S, v, X, u) || !touches_other(S, u, Y, v))
        return;
    double mv = S->moved;
    if (c->current && c->current[u] >= 0)
        mv += c->a[0][u] * ((c->current[u] != Y) - (c->current[u] != X));
    if (c->current && c->current[v] >= 0)
        mv += c->a[0][v] * ((c->current[v] != X) - (c->current[v] != Y));
    if (c->max_move >= 0 && c->current && mv > c->max_move * (1 + 1e-9))
        return;
    double dv = viol_swap(S, X, v, u) + viol_swap(S, Y, u, v) - S->D[X].viol - S->D[Y].viol;
    double luv = pair_excess(S, u, v);
    S->g.evals++;
    double fixed = (eu - luv) - S->ex[u] - S->ex[v] + S->lambda * dv;
    if (S->sw_tag[v] != S->sw_gen) {
        /* v's farthest unit of X other than u bounds its excess there from
           below, as in score_move: no O(|X|) sum for a swap that cannot win */
        double fv = farthest_into(S, v, X), lb = fv > S->T ? fv - S->T - luv : 0;
        if (best->u >= 0 && fixed + fmax(lb, 0) > best->dF + 1e-12 * S->dscale + 1e-9 * fabs(fixed))
            return;
    }
    double de = (eu - luv) + (swap_excess(S, v, X) - luv) - S->ex[u] - S->ex[v];
    if (de + S->lambda * dv >= -1e-12 * S->dscale)
        return; /* only swaps that lower F: single moves walk the plateaus */
    tmove x = {u, X, Y, de + S->lambda * dv, S->D[X].d, S->D[Y].d, dv, 0, 0, v};
    keep_better(S, &x, best);
}

/*
 * Swaps of a farthest-pair unit u of the wide district X with a unit v of
 * a neighbouring district Y that touches X: X sheds a far unit and keeps
 * its load, which single moves reach only through an unbalanced plan.
 * Scored as the moves are (the excess after less before, plus the
 * penalised change of violation); neither unit may be tabu, locked or an
 * articulation unit, and each must touch its new district through another
 * unit than the one it is swapped with, so both districts stay connected.
 * No aspiration: a swap of tabu units is not taken.
 */
static void scan_swaps(tabu *S, int X, tmove *best)
{
    const align_ctx *c = S->c;
    const tdist *d = &S->D[X];
    S->sw_gen++;
    for (int k = 0; k < d->ncrit; k++) {
        int u = d->crit[k];
        if (S->ex[u] <= 0)
            continue;
        for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
            int Y = S->asg[c->adj[e]], dup = Y == X;
            for (int q = c->adj_start[u]; q < e && !dup; q++)
                dup = S->asg[c->adj[q]] == Y;
            if (dup || !may_leave(S, u, Y))
                continue;
            double far, eu = excess_into(S, u, Y, &far);
            for (int q = 0; q < S->msz[Y]; q++)
                if (touches_other(S, S->mem[Y][q], X, -1))
                    score_swap(S, u, X, Y, S->mem[Y][q], eu, best);
        }
    }
}

/* Every unit's excess after u left A (already out of its list) for B. */
static void pair_update(tabu *S, int u, int A, int B)
{
    double e = 0;
    for (int q = 0; q < S->msz[A]; q++)
        S->ex[S->mem[A][q]] -= pair_excess(S, u, S->mem[A][q]);
    for (int q = 0; q < S->msz[B]; q++) {
        double x = pair_excess(S, u, S->mem[B][q]);
        S->ex[S->mem[B][q]] += x;
        e += x;
    }
    S->ex[u] = e;
    S->g.evals += S->msz[A] + S->msz[B];
}

/* Unit u from A to B: lists, excess, loads, the move cap; u turns tabu.
   The districts' refresh is the caller's. */
static tqo_status transfer(tabu *S, int u, int A, int B)
{
    const align_ctx *c = S->c;
    S->moved = moved_after(S, u, A, B);
    mem_remove(S, A, u);
    if (!S->center) /* the center's excess is the refresh's */
        pair_update(S, u, A, B);
    if (mem_add(S, B, u) < 0)
        return TQO_ERR_NOMEM;
    S->asg[u] = B;
    for (int b = 0; b < S->nb; b++) {
        S->load[A * S->nb + b] -= c->a[b][u];
        S->load[B * S->nb + b] += c->a[b][u];
    }
    S->tabu_until[u] = S->iter + TB_TENURE_MIN + tqo_rng_int(&S->rng, TB_TENURE_SPAN);
    return TQO_OK;
}

static tqo_status apply_move(tabu *S, const tmove *m)
{
    int len = m->len ? m->len : 1;
    const int *units = m->len ? S->path : &m->u;
    for (int k = 0; k < len; k++)
        if (transfer(S, units[k], m->A, m->B) != TQO_OK)
            return TQO_ERR_NOMEM;
    /* a swap's second unit: u has left A, so v joins A less u, and B
       without v keeps u attached (scan_swaps checked both) */
    if (m->v >= 0 && transfer(S, m->v, m->B, m->A) != TQO_OK)
        return TQO_ERR_NOMEM;
    if (district_refresh(S, m->A) != TQO_OK || district_refresh(S, m->B) != TQO_OK)
        return TQO_ERR_NOMEM;
    S->V = total_viol(S);
    S->moves += m->v < 0;
    S->paths += m->len > 0;
    S->swaps += m->v >= 0;
    return TQO_OK;
}

/* The kick of a round after the first: count random moves, each of a unit
   on the border of a district whose diameter exceeds T (those that set the
   plan's diameter) out of it or into it, keeping contiguity, locks and the
   caps; balance is left to the search (the penalty restores it). The moved
   units are tabu, so the search does not undo the kick at once. */
static tqo_status kick(tabu *S, int count)
{
    const align_ctx *c = S->c;
    int done = 0;
    for (int tries = 0; done < count && tries < 20 * count; tries++) {
        int nj = 0;
        for (int j = 0; j < S->p; j++)
            if (S->D[j].d > S->T)
                S->set[nj++] = j;
        if (nj == 0)
            break;
        int X = S->set[tqo_rng_int(&S->rng, nj)];
        int v = S->mem[X][tqo_rng_int(&S->rng, S->msz[X])], nb = 0;
        for (int e = c->adj_start[v]; e < c->adj_start[v + 1]; e++)
            nb += S->asg[c->adj[e]] != X;
        if (nb == 0)
            continue;
        int pick = tqo_rng_int(&S->rng, nb), w = -1;
        for (int e = c->adj_start[v]; e < c->adj_start[v + 1] && w < 0; e++)
            if (S->asg[c->adj[e]] != X && pick-- == 0)
                w = c->adj[e];
        /* out of X or into X, drawn evenly */
        int u = tqo_rng_int(&S->rng, 2) ? v : w, A = S->asg[u], B = u == v ? S->asg[w] : X;
        if (S->msz[A] <= 1 || S->art[u] || (c->lock && c->lock[u] >= 0) || !tqoi_alloc_allowed(&c->P, u, B))
            continue;
        if (c->max_move >= 0 && c->current && moved_after(S, u, A, B) > c->max_move * (1 + 1e-9))
            continue;
        tmove m = {u, A, B, 0, 0, 0, 0, 0, 0, -1};
        if (apply_move(S, &m) != TQO_OK)
            return TQO_ERR_NOMEM;
        done++;
    }
    S->moves = 0; /* the kick's moves are not the search's */
    return TQO_OK;
}

/* One iteration: the best admissible move applied, the penalty adapted
   and a better balanced plan kept. 0 when no move was admissible. */
static int tabu_step(tabu *S)
{
    tmove best = {-1, -1, -1, 0, 0, 0, 0, 0, 0, -1};
    for (int j = 0; j < S->p; j++) {
        if (S->D[j].d > S->T || S->D[j].viol > 0)
            scan_district(S, j, &best);
        if (S->D[j].d > S->T)
            scan_paths(S, j, &best);
        if (S->D[j].d > S->T && S->swap_on)
            scan_swaps(S, j, &best);
    }
    S->iter++;
    if (best.u < 0)
        return 0;
    if (apply_move(S, &best) != TQO_OK)
        return -1;
    S->lambda *= S->V > 0 ? TB_LAMBDA_STEP : 1 / TB_LAMBDA_STEP;
    S->lambda = fmin(fmax(S->lambda, 1e-3 * S->dscale), 1e3 * S->dscale);
    double dmax = plan_max(S);
    if (S->V <= 0 && dmax < S->best * (1 - 1e-12)) {
        S->best = dmax;
        S->T = dmax * (1 - S->delta);
        excess_all(S);
        S->last_best = S->iter;
        memcpy(S->best_asg, S->asg, (size_t)S->n * sizeof(int));
    }
    return 1;
}

/* One start's outcome. */
typedef struct tb_run {
    int *asg;                   /* its best plan */
    double start, best;
    long iter, moves, paths, swaps, last_best, evals;
    tqo_status st;
} tb_run;

/* Start k from the plan asg0: the search until it stalls, its best plan
   into o->asg. */
static void run_start(align_ctx *c, const int *asg0, int k, int kicked, int swaps, tb_run *o)
{
    tabu S;
    o->asg = malloc(((size_t)c->n + 1) * sizeof(int));
    o->st = o->asg ? TQO_OK : TQO_ERR_NOMEM;
    if (o->st != TQO_OK)
        return;
    memcpy(o->asg, asg0, (size_t)c->n * sizeof(int));
    o->st = tabu_init(&S, c, o->asg, k);
    o->start = S.best;
    S.swap_on = swaps && !S.center;
    if (o->st == TQO_OK && kicked)
        o->st = kick(&S, (int)ceil(tb_kick[k % TB_STARTS] * sqrt((double)c->n / c->p)));
    while (o->st == TQO_OK && S.iter < S.max_iter && S.iter - S.last_best < S.stall_limit) {
        if (S.deadline > 0 && (S.iter & 63) == 0 && tqoi_align_now() > S.deadline)
            break;
        int step = tabu_step(&S);
        if (step < 0)
            o->st = TQO_ERR_NOMEM;
    }
    if (o->st == TQO_OK)
        memcpy(o->asg, S.best_asg, (size_t)c->n * sizeof(int));
    o->best = S.best;
    o->iter = S.iter;
    o->moves = S.moves;
    o->paths = S.paths;
    o->swaps = S.swaps;
    o->last_best = S.last_best;
    o->evals = S.g.evals;
    tabu_free(&S);
}

/* One round: the starts from asg (keys round x TB_STARTS + k; kicked
   or not), merged in start order into asg when one improved it (its
   diameter into *best); 1 if one did. Logged as that round, or as the
   first round of layout `layout` (from 1) when screening layouts. Counts
   (moves, swaps, distances) added to counts. */
static int run_round(align_ctx *c, int *asg, int round, int kicked, int layout, int swap_on, double *best,
                     long *counts, tqo_status *st)
{
    tb_run runs[TB_STARTS];
    memset(runs, 0, sizeof runs);
    int nth = c->P.threads > 0 ? c->P.threads : 1;
    int ns = c->n <= TB_ROUNDS_MAX_N ? TB_STARTS : TB_STARTS_LARGE;
    nth = nth < ns ? nth : ns;
#pragma omp parallel for schedule(static, 1) num_threads(nth)
    for (int k = 0; k < ns; k++)
        run_start(c, asg, round * TB_STARTS + k, kicked, swap_on, &runs[k]);
    int win = -1;
    for (int k = 0; k < ns; k++) { /* in start order: the same for any thread count */
        if (runs[k].st != TQO_OK) {
            *st = runs[k].st;
            continue;
        }
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_INFO,
                       "%s tabu search%s, %s %d, start %d: %.6g -> %.6g (%ld iterations, %ld moves of which "
                       "%ld paths, %ld swaps, best at %ld, %ld distances)",
                       c->s->objective == TQO_OBJECTIVE_CENTER ? "center" : "diameter", swap_on ? " with swaps" : "",
                       layout ? "layout" : "round", layout ? layout : round + 1, k + 1, runs[k].start, runs[k].best,
                       runs[k].iter, runs[k].moves, runs[k].paths, runs[k].swaps, runs[k].last_best, runs[k].evals);
        counts[0] += runs[k].moves;
        counts[1] += runs[k].swaps;
        counts[2] += runs[k].evals;
        if (isfinite(runs[k].best) && runs[k].best < runs[k].start * (1 - 1e-12) &&
            (win < 0 || runs[k].best < runs[win].best))
            win = k;
        if (k == 0 && !isfinite(*best))
            *best = runs[k].start;
    }
    if (*st == TQO_OK && win >= 0) {
        memcpy(asg, runs[win].asg, (size_t)c->n * sizeof(int));
        *best = runs[win].best;
    }
    for (int k = 0; k < ns; k++)
        free(runs[k].asg);
    return *st == TQO_OK && win >= 0;
}

static int search_rounds(const align_ctx *c)
{
    int rounds = c->n <= TB_ROUNDS_MAX_N ? TB_ROUNDS : 1;
    return c->s->search_rounds > 0 && c->s->search_rounds < rounds ? c->s->search_rounds : rounds;
}

/* The rounds of one search from asg after the first `done` (0, or 1 with
   *best and idle from it), its best plan into asg and that plan's
   diameter into *best (INFINITY while unbalanced). */
static tqo_status run_search(align_ctx *c, int *asg, int swap_on, int *key, int done, int idle, double *best,
                             long *counts)
{
    tqo_status st = TQO_OK;
    int rounds = search_rounds(c);
    if (!done)
        *best = INFINITY;
    for (int round = done; round < rounds && st == TQO_OK && idle < TB_IDLE_ROUNDS; round++) {
        int k = (*key)++;
        idle = run_round(c, asg, k, k > 0, 0, swap_on, best, counts, &st) ? 0 : idle + 1;
    }
    return st;
}

/*
 * The first round of the moves search from each start plan (asg, whose
 * copy start holds, then alts: the moment plans of the other centre
 * starts, each a different layout of the territories, which the rounds'
 * moves and kicks seldom change): the one whose round ends lowest goes on
 * (the first on ties), its round's plan into asg, its start plan into
 * start, its index into *win. On the DL instances the layout decides the diameter more than
 * the search's settings (docs/objectives.md), and one round ranks the
 * layouts as the whole search does.
 */
static tqo_status screen_layouts(align_ctx *c, int *asg, int *start, int *const *alts, int nalt, int *key,
                                 double *best, int *idle, int *win, long *counts)
{
    size_t n = (size_t)c->n;
    int *plan = malloc((n + 1) * sizeof(int));
    if (!plan)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    *best = INFINITY;
    for (int l = 0; l <= nalt && st == TQO_OK; l++) {
        memcpy(plan, l ? alts[l - 1] : start, n * sizeof(int));
        double b = INFINITY;
        int improved = run_round(c, plan, (*key)++, 0, l + 1, 0, &b, counts, &st);
        if (st != TQO_OK)
            break;
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_INFO,
                       "%s tabu search: layout %d of %d (centre start plans), first round %.6g",
                       c->s->objective == TQO_OBJECTIVE_CENTER ? "center" : "diameter", l + 1, nalt + 1, b);
        if (l == 0 || b < *best * (1 - 1e-12)) {
            *best = b;
            *win = l;
            *idle = !improved;
            memcpy(asg, plan, n * sizeof(int));
        }
    }
    if (st == TQO_OK && *win > 0)
        memcpy(start, alts[*win - 1], n * sizeof(int));
    free(plan);
    return st;
}

/* Two searches from the start plan, moves alone and moves with swaps,
   and the better plan of the two (the first on ties): each finds plans
   the other misses (on the DL instances neither is better on all), and
   the swaps from the first one's plan find little (docs/objectives.md).
   The center has no swaps: one search. With other start plans (alts),
   the moves search's first round picks the start (screen_layouts). */
tqo_status tqoi_objective_tabu(align_ctx *c, int *asg, int *const *alts, int nalt, int *win, tqo_align_result *r)
{
    long counts[3] = {0, 0, 0}; /* moves, swaps, distances */
    int key = 0, idle = 0, done = 0;
    double best, best2;
    int *alt = NULL;
    *win = 0;
    if (c->s->objective != TQO_OBJECTIVE_CENTER || nalt > 0) {
        alt = malloc(((size_t)c->n + 1) * sizeof(int));
        if (!alt)
            return TQO_ERR_NOMEM;
        memcpy(alt, asg, (size_t)c->n * sizeof(int));
    }
    tqo_status st = TQO_OK;
    if (nalt > 0) {
        st = screen_layouts(c, asg, alt, alts, nalt, &key, &best, &idle, win, counts);
        done = 1;
    }
    if (st == TQO_OK)
        st = run_search(c, asg, 0, &key, done, idle, &best, counts);
    if (st == TQO_OK && alt && c->s->objective != TQO_OBJECTIVE_CENTER) {
        st = run_search(c, alt, 1, &key, 0, 0, &best2, counts);
        if (st == TQO_OK && best2 < best * (1 - 1e-12))
            memcpy(asg, alt, (size_t)c->n * sizeof(int));
    }
    free(alt);
    if (st == TQO_OK) {
        r->minmax_moves += counts[0];
        r->minmax_swaps += counts[1];
        r->minmax_evals += counts[2];
    }
    return st;
}
