/*
 * The improvement search of the min-max objectives (diameter, center),
 * from the moment plan; the diameter with contiguity has its own tabu
 * search (objective_tabu.c), this descent serves the rest. A plan's value is the sorted vector of its
 * districts' values, largest first, compared lexicographically: a move
 * that changes districts A and B is taken only when the pair (larger,
 * smaller) of their new values is lexicographically below the old pair,
 * which lowers that vector, so the search cannot cycle and ends at a plan
 * no single move or swap improves. Only units whose removal can lower a
 * district's value are moved: for the diameter the ends of its longest
 * pairs, for the center the units farthest from its centre unit. Each
 * move keeps balance, contiguity (the unit leaves without cutting its
 * district: an articulation check by a search of the district), locks, the
 * distance cap and the move cap. Work is bounded by counts (moves, set
 * evaluations), never by the clock unless --time-limit is given; it runs
 * on one thread, so the plan is the same for any --threads.
 */
#include "align/map_svg.h"
#include "align/objective_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Applied moves and swaps per unit, and set evaluations per unit, at most. */
#define SEARCH_MOVES_PER_UNIT 20
#define SEARCH_EVALS_PER_UNIT 400
/* Values within this relative difference are equal (sums in another order). */
#define SEARCH_REL 1e-12

typedef struct search {
    align_ctx *c;
    obj_geom g;
    obj_scratch w;
    int obj, n, p, nb;
    int *asg;
    int **list, *msz, *cap;     /* district j's members: list[j][0 .. msz[j]) */
    int *pos;                   /* a unit's index in its district's list */
    double *load, *val;
    double moved;
    int *set, *stamp, *stack, *crit;
    int gen;
    long moves, swaps, chains, set_evals, max_moves, max_evals;
    double deadline;
} search;

tqo_status tqoi_objective_precheck(align_ctx *c)
{
    const tqo_align_settings *s = c->s;
    if (s->objective != TQO_OBJECTIVE_DIAMETER && s->objective != TQO_OBJECTIVE_CENTER) {
        tqo_diag_error(c->diag, "objective %d is not moment, diameter or center", s->objective);
        return TQO_ERR_ARG;
    }
    if (s->allow_splits) {
        tqo_diag_error(c->diag, "--objective %s needs whole units: drop --allow-splits (a district's diameter "
                       "or radius is over the units it holds)",
                       s->objective == TQO_OBJECTIVE_DIAMETER ? "diameter" : "center");
        return TQO_ERR_ARG;
    }
    if (c->inst->coords != TQO_COORDS_XY && c->inst->coords != TQO_COORDS_LATLON) {
        tqo_diag_error(c->diag, "--objective needs unit coordinates");
        return TQO_ERR_ARG;
    }
    return TQO_OK;
}

static void search_free(search *S)
{
    for (int j = 0; S->list && j < S->p; j++)
        free(S->list[j]);
    free(S->list);
    free(S->cap);
    free(S->msz);
    free(S->pos);
    free(S->load);
    free(S->val);
    free(S->set);
    free(S->stamp);
    free(S->stack);
    free(S->crit);
    tqoi_obj_scratch_free(&S->w);
    tqoi_obj_geom_free(&S->g);
}

static int list_add(search *S, int j, int u)
{
    return tqoi_obj_member_add(S->list, S->msz, S->cap, S->pos, j, u);
}

static void list_remove(search *S, int j, int u)
{
    tqoi_obj_member_remove(S->list, S->msz, S->pos, j, u);
}

static tqo_status search_init(search *S, align_ctx *c, int *asg)
{
    memset(S, 0, sizeof *S);
    S->c = c;
    S->obj = c->s->objective;
    S->n = c->n;
    S->p = c->p;
    S->nb = c->nb;
    S->asg = asg;
    int n = c->n, p = c->p;
    S->list = calloc((size_t)p, sizeof(int *));
    S->cap = calloc((size_t)p, sizeof(int));
    S->msz = calloc((size_t)p, sizeof(int));
    S->pos = malloc((size_t)n * sizeof(int));
    S->load = calloc((size_t)p * S->nb, sizeof(double));
    S->val = malloc((size_t)p * sizeof(double));
    S->set = malloc(((size_t)n + 1) * sizeof(int));
    S->stamp = calloc((size_t)n, sizeof(int));
    S->stack = malloc((size_t)n * sizeof(int));
    S->crit = malloc((size_t)n * sizeof(int));
    if (!S->list || !S->cap || !S->msz || !S->pos || !S->load || !S->val || !S->set || !S->stamp || !S->stack ||
        !S->crit || tqoi_obj_geom_init(&S->g, c->inst) != TQO_OK)
        return TQO_ERR_NOMEM;
    if (tqoi_obj_members_fill(c, asg, S->nb, S->list, S->msz, S->cap, S->pos, S->load, &S->moved) < 0)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++) {
        S->val[j] = tqoi_obj_set_value(&S->g, S->obj, S->list[j], S->msz[j], &S->w, NULL);
        if (S->val[j] < 0)
            return TQO_ERR_NOMEM;
    }
    S->max_moves = (long)SEARCH_MOVES_PER_UNIT * n + 1000;
    S->max_evals = (long)SEARCH_EVALS_PER_UNIT * n + 100000;
    S->deadline = c->s->time_limit > 0 ? tqoi_align_now() + c->s->time_limit : 0;
    return TQO_OK;
}

/* Unit u may leave district A without cutting it: its neighbours in A
   stay connected to each other without it (a search of A from one). */
static int can_leave(search *S, int u, int A)
{
    const align_ctx *c = S->c;
    if (!c->contiguity)
        return 1;
    int first = -1, need = 0;
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
        if (S->asg[c->adj[k]] == A) {
            first = first < 0 ? c->adj[k] : first;
            need++;
        }
    if (need <= 1)
        return 1;
    int g = ++S->gen, top = 0, found = 0;
    S->stamp[u] = g;
    S->stamp[first] = g;
    S->stack[top++] = first;
    while (top) {
        int v = S->stack[--top];
        for (int k = c->adj_start[v]; k < c->adj_start[v + 1]; k++) {
            int w = c->adj[k];
            if (S->asg[w] == A && S->stamp[w] != g) {
                S->stamp[w] = g;
                S->stack[top++] = w;
            }
        }
    }
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
        found += S->asg[c->adj[k]] == A && S->stamp[c->adj[k]] == g;
    return found == need;
}

/* Unit u may join district B: allowed there (locks, distance cap) and,
   with contiguity, next to it. */
static int can_join(const search *S, int u, int B)
{
    const align_ctx *c = S->c;
    if (!tqoi_alloc_allowed(&c->P, u, B))
        return 0;
    if (!c->contiguity)
        return 1;
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
        if (S->asg[c->adj[k]] == B)
            return 1;
    return 0;
}

/* Balance and the move cap after u goes A -> B and v (or -1) B -> A. */
static int loads_hold(const search *S, int u, int v, int A, int B, double *moved)
{
    const align_ctx *c = S->c;
    int nb = S->nb;
    for (int b = 0; b < nb; b++) {
        double d = c->a[b][u] - (v >= 0 ? c->a[b][v] : 0);
        double la = S->load[A * nb + b] - d, lb = S->load[B * nb + b] + d;
        if (la < c->lo[A * nb + b] - 1e-9 * c->target[A * nb + b] ||
            la > c->hi[A * nb + b] + 1e-9 * c->target[A * nb + b] ||
            lb < c->lo[B * nb + b] - 1e-9 * c->target[B * nb + b] || lb > c->hi[B * nb + b] + 1e-9 * c->target[B * nb + b])
            return 0;
    }
    double m = S->moved;
    if (c->current) {
        int cu = c->current[u];
        m += cu >= 0 ? c->a[0][u] * ((cu != B) - (cu != A)) : 0;
        int cv = v >= 0 ? c->current[v] : -1;
        m += cv >= 0 ? c->a[0][v] * ((cv != A) - (cv != B)) : 0;
    }
    *moved = m;
    return c->max_move < 0 || !c->current || m <= c->max_move * (1 + 1e-9);
}

/* The value of district j's members with out removed (or -1) and in
   added (or -1). */
static double value_changed(search *S, int j, int out, int in)
{
    int m = 0;
    for (int k = 0; k < S->msz[j]; k++)
        if (S->list[j][k] != out)
            S->set[m++] = S->list[j][k];
    if (in >= 0)
        S->set[m++] = in;
    S->set_evals++;
    return tqoi_obj_set_value(&S->g, S->obj, S->set, m, &S->w, NULL);
}

/* (hi, lo) of the pair a, b below (ohi, olo), lexicographically. */
static int pair_better(double a, double b, double ohi, double olo)
{
    double hi = fmax(a, b), lo = fmin(a, b), eps = SEARCH_REL * fmax(ohi, 1e-300);
    return hi < ohi - eps || (hi <= ohi + eps && lo < olo - eps);
}

/* A candidate change: u A -> B, v (or -1) B -> A, and the new values. */
typedef struct change {
    int u, v, A, B;
    double va, vb, moved;
} change;

static int change_better(const change *x, const change *best)
{
    return best->u < 0 || pair_better(x->va, x->vb, fmax(best->va, best->vb), fmin(best->va, best->vb));
}

/* The best improving move of u out of A, else the best swap with a unit
   of a district next to u; *best->u stays -1 when there is none. */
static void best_change(search *S, int u, int A, change *best)
{
    const align_ctx *c = S->c;
    best->u = -1;
    double va = value_changed(S, A, u, -1);
    int nbr = c->contiguity ? c->adj_start[u + 1] - c->adj_start[u] : S->p;
    for (int k = 0; k < nbr; k++) { /* moves */
        int B = c->contiguity ? S->asg[c->adj[c->adj_start[u] + k]] : k;
        change x = {u, -1, A, B, va, 0, 0};
        if (B == A || !can_join(S, u, B) || !loads_hold(S, u, -1, A, B, &x.moved))
            continue;
        x.vb = value_changed(S, B, -1, u);
        if (pair_better(x.va, x.vb, fmax(S->val[A], S->val[B]), fmin(S->val[A], S->val[B])) && change_better(&x, best))
            *best = x;
    }
    if (best->u >= 0 || !c->contiguity)
        return;
    /* swaps: u goes to a neighbouring district B, a unit v of B that
       touches A (not only through u) comes back */
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
        int B = S->asg[c->adj[k]];
        if (B == A || !can_join(S, u, B))
            continue;
        for (int q = 0; q < S->msz[B] && S->set_evals < S->max_evals; q++) {
            int v = S->list[B][q], touches = 0;
            for (int e = c->adj_start[v]; e < c->adj_start[v + 1] && !touches; e++)
                touches = S->asg[c->adj[e]] == A && c->adj[e] != u;
            change x = {u, v, A, B, 0, 0, 0};
            if (!touches || !tqoi_alloc_allowed(&c->P, v, A) || !loads_hold(S, u, v, A, B, &x.moved))
                continue;
            x.va = value_changed(S, A, u, v);
            if (!(x.va < S->val[A] - SEARCH_REL * S->val[A]))
                continue;
            x.vb = value_changed(S, B, v, u);
            if (!pair_better(x.va, x.vb, fmax(S->val[A], S->val[B]), fmin(S->val[A], S->val[B])) ||
                !change_better(&x, best))
                continue;
            /* u left A without cutting it (checked by the caller) and
               touches B other than through v; v leaves B + u without
               cutting it and joins A - u next to a unit of it */
            int other = 0;
            for (int e = c->adj_start[u]; e < c->adj_start[u + 1] && !other; e++)
                other = S->asg[c->adj[e]] == B && c->adj[e] != v;
            S->asg[u] = B;
            int ok = other && can_leave(S, v, B);
            S->asg[u] = A;
            if (ok)
                *best = x;
        }
    }
}

/* The values (x, y, z) below (ox, oy, oz), each sorted largest first,
   lexicographically (what the other districts hold is unchanged). */
static int triple_better(double x, double y, double z, double ox, double oy, double oz)
{
    double a[3] = {x, y, z}, o[3] = {ox, oy, oz};
    for (int k = 1; k < 3; k++)
        for (int q = k; q > 0; q--) {
            if (a[q] > a[q - 1]) {
                double t = a[q]; a[q] = a[q - 1]; a[q - 1] = t;
            }
            if (o[q] > o[q - 1]) {
                double t = o[q]; o[q] = o[q - 1]; o[q - 1] = t;
            }
        }
    double eps = SEARCH_REL * fmax(o[0], 1e-300);
    for (int k = 0; k < 3; k++) {
        if (a[k] < o[k] - eps)
            return 1;
        if (a[k] > o[k] + eps)
            return 0;
    }
    return 0;
}

/* A chain: u A -> B, then w from B to C (push) or from C to A (pull). */
typedef struct chain {
    int u, w, A, B, C, pull;
    double va, vb, vc, moved;
} chain;

/* Balance and the move cap after the chain x. */
static int chain_loads_hold(const search *S, chain *x)
{
    const align_ctx *c = S->c;
    int nb = S->nb, d3[3] = {x->A, x->B, x->C};
    int wf = x->pull ? x->C : x->B, wt = x->pull ? x->A : x->C;
    for (int b = 0; b < nb; b++)
        for (int q = 0; q < 3; q++) {
            int j = d3[q];
            double l = S->load[j * nb + b] - (j == x->A ? c->a[b][x->u] : 0) + (j == x->B ? c->a[b][x->u] : 0) -
                       (j == wf ? c->a[b][x->w] : 0) + (j == wt ? c->a[b][x->w] : 0);
            double e = 1e-9 * c->target[j * nb + b];
            if (l < c->lo[j * nb + b] - e || l > c->hi[j * nb + b] + e)
                return 0;
        }
    double m = S->moved;
    if (c->current) {
        int cu = c->current[x->u], cw = c->current[x->w];
        m += cu >= 0 ? c->a[0][x->u] * ((cu != x->B) - (cu != x->A)) : 0;
        m += cw >= 0 ? c->a[0][x->w] * ((cw != wt) - (cw != wf)) : 0;
    }
    x->moved = m;
    return c->max_move < 0 || !c->current || m <= c->max_move * (1 + 1e-9);
}

static int touches(const search *S, int w, int j, int not)
{
    return tqoi_obj_touches(S->c, S->asg, w, j, not);
}

/* One candidate chain: balance, values, contiguity; kept in best when
   it lowers the values of A, B, C and beats best. */
static void try_chain(search *S, chain *x, chain *best)
{
    const align_ctx *c = S->c;
    if (x->C == x->A || x->C == x->B || !chain_loads_hold(S, x))
        return;
    if (!tqoi_alloc_allowed(&c->P, x->w, x->pull ? x->A : x->C))
        return;
    if (x->pull) {
        if (!touches(S, x->w, x->A, x->u))
            return;
        x->va = value_changed(S, x->A, x->u, x->w);
        x->vc = value_changed(S, x->C, x->w, -1);
    } else {
        if (!touches(S, x->u, x->B, x->w))
            return;
        x->vb = value_changed(S, x->B, x->w, x->u);
        x->vc = value_changed(S, x->C, -1, x->w);
    }
    double oa = S->val[x->A], ob = S->val[x->B], oc = S->val[x->C];
    if (!triple_better(x->va, x->vb, x->vc, oa, ob, oc) ||
        (best->u >= 0 && !triple_better(x->va, x->vb, x->vc, best->va, best->vb, best->vc)))
        return;
    int ok;
    if (x->pull) {
        ok = can_leave(S, x->w, x->C);
    } else {
        S->asg[x->u] = x->B;
        ok = can_leave(S, x->w, x->B);
        S->asg[x->u] = x->A;
    }
    if (ok)
        *best = *x;
}

/*
 * Chains for a unit u of A whose move to B would lower the pair (A, B)
 * but breaks balance: a unit w of B moves on to a third district C
 * (push), or a unit w of a third district C comes into A (pull).
 */
static void best_chain(search *S, int u, int A, chain *best)
{
    const align_ctx *c = S->c;
    best->u = -1;
    double va = value_changed(S, A, u, -1);
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
        int B = S->asg[c->adj[k]], seen = 0;
        for (int q = c->adj_start[u]; q < k; q++)
            seen |= S->asg[c->adj[q]] == B;
        if (B == A || seen || !tqoi_alloc_allowed(&c->P, u, B))
            continue;
        double vb = value_changed(S, B, -1, u);
        if (!pair_better(va, vb, fmax(S->val[A], S->val[B]), fmin(S->val[A], S->val[B])))
            continue;
        for (int pull = 0; pull < 2; pull++) {
            int from = pull ? A : B; /* push: units of B next to C; pull: units next to A */
            for (int q = 0; q < S->msz[from] && S->set_evals < S->max_evals; q++) {
                int y = S->list[from][q];
                if (y == u)
                    continue;
                for (int e = c->adj_start[y]; e < c->adj_start[y + 1]; e++) {
                    int z = c->adj[e], C = S->asg[z];
                    chain x = {u, pull ? z : y, A, B, C, pull, va, vb, 0, 0};
                    if (C != A && C != B && x.w != u)
                        try_chain(S, &x, best);
                }
            }
        }
    }
}

/* One unit from district f to t: lists, loads, asg. */
static tqo_status move_unit(search *S, int u, int f, int t)
{
    list_remove(S, f, u);
    if (list_add(S, t, u) < 0)
        return TQO_ERR_NOMEM;
    S->asg[u] = t;
    for (int b = 0; b < S->nb; b++) {
        S->load[f * S->nb + b] -= S->c->a[b][u];
        S->load[t * S->nb + b] += S->c->a[b][u];
    }
    return TQO_OK;
}

static tqo_status apply_chain(search *S, const chain *x)
{
    if (move_unit(S, x->u, x->A, x->B) != TQO_OK ||
        move_unit(S, x->w, x->pull ? x->C : x->B, x->pull ? x->A : x->C) != TQO_OK)
        return TQO_ERR_NOMEM;
    S->val[x->A] = x->va;
    S->val[x->B] = x->vb;
    S->val[x->C] = x->vc;
    S->moved = x->moved;
    S->chains++;
    return TQO_OK;
}

static tqo_status apply_change(search *S, const change *x)
{
    const align_ctx *c = S->c;
    int nb = S->nb;
    list_remove(S, x->A, x->u);
    if (list_add(S, x->B, x->u) < 0)
        return TQO_ERR_NOMEM;
    S->asg[x->u] = x->B;
    for (int b = 0; b < nb; b++) {
        double d = c->a[b][x->u] - (x->v >= 0 ? c->a[b][x->v] : 0);
        S->load[x->A * nb + b] -= d;
        S->load[x->B * nb + b] += d;
    }
    if (x->v >= 0) {
        list_remove(S, x->B, x->v);
        if (list_add(S, x->A, x->v) < 0)
            return TQO_ERR_NOMEM;
        S->asg[x->v] = x->A;
        S->swaps++;
    } else {
        S->moves++;
    }
    S->val[x->A] = x->va;
    S->val[x->B] = x->vb;
    S->moved = x->moved;
    return TQO_OK;
}

/* The units of district A whose removal can lower its value, by index:
   for the diameter those at the full diameter from another unit, for the
   center those at the radius from the centre unit. */
static int critical_units(search *S, int A)
{
    int m = S->msz[A], nc = 0;
    const int *l = S->list[A];
    double thr = S->val[A] * (1 - 1e-9);
    if (m < 2)
        return 0;
    if (S->obj == TQO_OBJECTIVE_CENTER) {
        int ctr = -1;
        tqoi_obj_set_value(&S->g, S->obj, l, m, &S->w, &ctr);
        for (int k = 0; k < m; k++)
            if (tqoi_obj_dist(&S->g, ctr, l[k]) >= thr)
                S->crit[nc++] = l[k];
    } else {
        for (int k = 0; k < m; k++)
            for (int q = 0; q < m; q++)
                if (tqoi_obj_dist(&S->g, l[k], l[q]) >= thr) {
                    S->crit[nc++] = l[k];
                    break;
                }
    }
    /* by index, so the order does not depend on the members' order */
    for (int a = 1; a < nc; a++)
        for (int b = a; b > 0 && S->crit[b - 1] > S->crit[b]; b--) {
            int t = S->crit[b];
            S->crit[b] = S->crit[b - 1];
            S->crit[b - 1] = t;
        }
    return nc;
}

/* One improving change for the districts in order of value, largest
   first: 1 when one was applied, 0 at a local optimum, < 0 on error. */
static int search_step(search *S, align_kv *order)
{
    const align_ctx *c = S->c;
    for (int j = 0; j < S->p; j++)
        order[j] = (align_kv){-S->val[j], j};
    qsort(order, (size_t)S->p, sizeof *order, tqoi_align_kv_cmp);
    for (int r = 0; r < S->p && S->set_evals < S->max_evals; r++) {
        int A = order[r].v;
        int nc = critical_units(S, A);
        for (int k = 0; k < nc; k++) {
            int u = S->crit[k];
            if ((c->lock && c->lock[u] >= 0) || !can_leave(S, u, A))
                continue;
            change best = {-1, -1, A, A, 0, 0, 0};
            best_change(S, u, A, &best);
            if (best.u >= 0)
                return apply_change(S, &best) == TQO_OK ? 1 : -1;
            chain ch = {-1, -1, A, A, A, 0, 0, 0, 0, 0};
            if (c->contiguity)
                best_chain(S, u, A, &ch);
            if (c->contiguity && ch.u >= 0)
                return apply_chain(S, &ch) == TQO_OK ? 1 : -1;
        }
    }
    return 0;
}

/* The descent from asg, its plan's value into *value; its counts are
   added to r's. */
static tqo_status descent(align_ctx *c, int *asg, tqo_align_result *r, double *value)
{
    search S;
    tqo_status st = search_init(&S, c, asg);
    align_kv *order = malloc((size_t)c->p * sizeof(align_kv));
    if (!order)
        st = TQO_ERR_NOMEM;
    double start = 0;
    for (int j = 0; st == TQO_OK && j < c->p; j++)
        start = fmax(start, S.val[j]);
    while (st == TQO_OK && S.moves + S.swaps + S.chains < S.max_moves && S.set_evals < S.max_evals) {
        if (S.deadline > 0 && tqoi_align_now() > S.deadline)
            break;
        int k = search_step(&S, order);
        if (k < 0)
            st = TQO_ERR_NOMEM;
        if (k <= 0)
            break;
    }
    if (st == TQO_OK) {
        double end = 0;
        for (int j = 0; j < c->p; j++)
            end = fmax(end, S.val[j]);
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_INFO,
                       "%s search: %.6g -> %.6g (%ld moves, %ld swaps, %ld chains, %ld set evaluations, %ld "
                       "distances)", c->s->objective == TQO_OBJECTIVE_DIAMETER ? "diameter" : "center", start, end,
                       S.moves, S.swaps, S.chains, S.set_evals, S.g.evals);
        r->minmax_moves += S.moves;
        r->minmax_swaps += S.swaps + S.chains; /* changes of two units */
        r->minmax_evals += S.g.evals;
        *value = end;
    }
    free(order);
    search_free(&S);
    return st;
}

/* The descent from each start plan, the best plan into asg (the first on
   ties), its start into *win. */
static tqo_status descent_all(align_ctx *c, int *asg, int *const *alts, int nalt, int *win, tqo_align_result *r)
{
    double best = INFINITY, v = INFINITY;
    tqo_status st = descent(c, asg, r, &best);
    int *plan = NULL;
    for (int l = 0; l < nalt && st == TQO_OK; l++) {
        if (!plan && !(plan = malloc((size_t)c->n * sizeof(int))))
            return TQO_ERR_NOMEM;
        memcpy(plan, alts[l], (size_t)c->n * sizeof(int));
        st = descent(c, plan, r, &v);
        if (st == TQO_OK && v < best * (1 - SEARCH_REL)) {
            best = v;
            *win = l + 1;
            memcpy(asg, plan, (size_t)c->n * sizeof(int));
        }
    }
    free(plan);
    return st;
}

/* With contiguity the tabu search (objective_tabu.c); for the center the
   descent follows: it never raises the largest radius and lowers the
   others' (docs/objectives.md: the tabu search alone is as good on the
   largest, measured on the quick suite). */
tqo_status tqoi_objective_improve(align_ctx *c, int *asg, int *const *alts, int nalt, int *win,
                                  tqo_align_result *r)
{
    r->minmax_moves = r->minmax_swaps = r->minmax_evals = 0;
    *win = 0;
    if (c->contiguity) {
        tqo_status st = tqoi_objective_tabu(c, asg, alts, nalt, win, r);
        double v;
        if (st != TQO_OK || c->s->objective == TQO_OBJECTIVE_DIAMETER)
            return st;
        return descent(c, asg, r, &v);
    }
    return descent_all(c, asg, alts, nalt, win, r);
}

tqo_status tqoi_objective_check(const align_ctx *c, tqo_align_result *r)
{
    int p = r->n_territories;
    r->minmax_objective = c->s->objective;
    if (!r->minmax_objective)
        return TQO_OK;
    if (!r->minmax_territory)
        r->minmax_territory = calloc((size_t)p + 1, sizeof(double));
    if (!r->minmax_centre_unit)
        r->minmax_centre_unit = calloc((size_t)p + 1, sizeof(int));
    int *terr = malloc(((size_t)r->n_units + 1) * sizeof(int));
    obj_geom g;
    tqo_status st = r->minmax_territory && r->minmax_centre_unit && terr ? tqoi_obj_geom_init(&g, c->inst)
                                                                      : TQO_ERR_NOMEM;
    if (st == TQO_OK) {
        for (int i = 0; i < r->n_units; i++)
            terr[i] = tqoi_unit_main_territory(r, i);
        double v = tqoi_obj_plan_value(&g, r->minmax_objective, terr, p, r->minmax_territory, r->minmax_centre_unit);
        st = v < 0 ? TQO_ERR_NOMEM : TQO_OK;
        r->minmax_value = v;
        tqoi_obj_geom_free(&g);
    }
    free(terr);
    return st;
}
