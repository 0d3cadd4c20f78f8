/*
 * The exact allocation MIP (--exact): binary x_ij over all allowed pairs,
 * solved by GLPK's branch and cut, with territory contiguity enforced by
 * lazy cuts when the unit graph is given.
 *
 * Contiguity rule: the units of a territory j form "pieces" (components of
 * the unit graph restricted to j). A piece equal to a whole graph component
 * (an island) may go anywhere; at most one piece of j may be a proper part
 * of its graph component. For two such partial pieces S and T of j, units
 * i in S and k in T, and N(X) the units outside X adjacent to X:
 *
 *   same graph component:       sum_{u in N(S)} x_uj            >= x_ij + x_kj - 1
 *   different graph components: sum_{u in N(S) u N(T)} x_uj     >= x_ij + x_kj - 1
 *
 * Both are valid: if i, k are in j and no unit of the sum is, i's piece
 * lies inside S and k's inside T (resp. outside S), both partial, which
 * the rule forbids. A whole piece (island) is never used: a cut against it
 * would forbid a legal assignment.
 *
 * Cuts are separated at GLP_IROWGEN: always when the node's LP solution is
 * integral (GLPK asks before accepting any incumbent from a node), and for
 * one round at fractional points, with pieces taken at x_uj >= 0.5. GLPK's
 * own primal heuristics (rounding, feasibility pump, proximity search)
 * would record incumbents without asking, so they are off with contiguity;
 * ours take their place at GLP_IHEUR (each unit to its largest LP share,
 * and the caller's start), offered only when feasible and contiguous.
 * The MIP presolver is off too: the callback must see our columns.
 *
 * Costs are divided by model->scale inside GLPK; objective and bound are
 * reported in true units.
 */
#include "alloc/alloc_glpk.h"
#include "util/glpk_guard.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A node's LP value this close to 0 or 1 counts as integral: looser than
   GLPK's tol_int (1e-5), so every solution GLPK would accept is checked. */
#define INT_TOL 1e-4
/* Relative MIP gap at which GLPK stops; reported as optimal. */
#define MIP_GAP 1e-6
/* Separation rounds at fractional points per node: one round tightens the
   LP cheaply; more made the LPs grow and the search slower in tests. */
#define FRAC_ROUNDS 1

typedef struct exact_ctx {
    const alloc_problem *P;
    const alloc_glpk_model *m;
    const int *adj_start, *adj;
    int contiguity;
    /* Graph components of the unit graph. */
    int *comp, *comp_size;
    /* Work space for pieces: units in BFS order, grouped by piece. */
    int *t, *piece_of, *order, *piece_start, *piece_terr, *terr_start, *terr_pieces, *mark;
    int n_pieces, stamp;
    int *ind;
    double *val;
    /* LP separation: columns per territory, x and column of (u, j). */
    int *tcol_start, *tcol, *colj, *vis;
    double *xv, *xj, *piece_w;
    int vstamp;
    int node, node_rounds;
    /* Primal heuristic: rounded LP points and the caller's start. */
    const int *start;  /* a checked feasible start, offered once */
    int start_offered;
    double *hx, *rowsum;
    /* Best bound seen (scaled objective). */
    double bound;
    int calls_since_scan; /* track_bound's throttle, in calls (not time: deterministic) */
    /* Subproblems selected, against node_limit (0: none): a bound that
       keeps the result independent of the machine's load. */
    int selects, node_limit;
} exact_ctx;

static void ctx_free(exact_ctx *c)
{
    free(c->comp);
    free(c->comp_size);
    free(c->t);
    free(c->piece_of);
    free(c->order);
    free(c->piece_start);
    free(c->piece_terr);
    free(c->terr_start);
    free(c->terr_pieces);
    free(c->mark);
    free(c->ind);
    free(c->val);
    free(c->tcol_start);
    free(c->tcol);
    free(c->colj);
    free(c->vis);
    free(c->xv);
    free(c->xj);
    free(c->piece_w);
    free(c->hx);
    free(c->rowsum);
}

static int ctx_alloc(exact_ctx *c, int n, int p)
{
    size_t sn = (size_t)n + 1;
    c->comp = malloc(sn * sizeof(int));
    c->comp_size = malloc(sn * sizeof(int));
    c->t = malloc(sn * sizeof(int));
    c->piece_of = malloc(sn * sizeof(int));
    c->order = malloc(sn * sizeof(int));
    c->piece_start = malloc((sn + 1) * sizeof(int));
    c->piece_terr = malloc(sn * sizeof(int));
    c->terr_start = malloc(((size_t)p + 2) * sizeof(int));
    c->terr_pieces = malloc(sn * sizeof(int));
    c->mark = calloc(sn, sizeof(int));
    c->ind = malloc((sn + 3) * sizeof(int));
    c->val = malloc((sn + 3) * sizeof(double));
    size_t nc = (size_t)c->m->n_cols + 1;
    c->tcol_start = calloc((size_t)p + 2, sizeof(int));
    c->tcol = malloc(nc * sizeof(int));
    c->colj = calloc(sn, sizeof(int));
    c->vis = calloc(sn, sizeof(int));
    c->xv = malloc(nc * sizeof(double));
    c->xj = calloc(sn, sizeof(double));
    c->piece_w = malloc(sn * sizeof(double));
    c->hx = calloc(nc, sizeof(double));
    c->rowsum = malloc(((size_t)p * (size_t)c->P->nb + 1) * sizeof(double));
    if (!(c->comp && c->comp_size && c->t && c->piece_of && c->order && c->piece_start && c->piece_terr &&
          c->terr_start && c->terr_pieces && c->mark && c->ind && c->val && c->tcol_start && c->tcol &&
          c->colj && c->vis && c->xv && c->xj && c->piece_w && c->hx && c->rowsum))
        return 0;
    /* Columns grouped by territory (counting sort). */
    const alloc_glpk_model *m = c->m;
    for (int k = 0; k < m->n_cols; k++)
        c->tcol_start[m->col_terr[k] + 2]++;
    for (int j = 0; j < p; j++)
        c->tcol_start[j + 2] += c->tcol_start[j + 1];
    for (int k = 0; k < m->n_cols; k++)
        c->tcol[c->tcol_start[m->col_terr[k] + 1]++] = k + 1;
    return 1;
}

/* Components of the unit graph (BFS), sizes in comp_size. */
static void graph_components(exact_ctx *c)
{
    int n = c->P->n, nc = 0, *q = c->order;
    for (int i = 0; i < n; i++)
        c->comp[i] = -1;
    for (int s = 0; s < n; s++) {
        if (c->comp[s] >= 0)
            continue;
        int head = 0, tail = 0;
        q[tail++] = s;
        c->comp[s] = nc;
        while (head < tail) {
            int u = q[head++];
            for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
                int v = c->adj[e];
                if (v >= 0 && v < n && c->comp[v] < 0) {
                    c->comp[v] = nc;
                    q[tail++] = v;
                }
            }
        }
        c->comp_size[nc++] = tail;
    }
}

/* Pieces of assignment c->t, grouped by territory in terr_pieces. */
static void find_pieces(exact_ctx *c)
{
    int n = c->P->n, p = c->P->p, np = 0, tail = 0;
    for (int i = 0; i < n; i++)
        c->piece_of[i] = -1;
    for (int s = 0; s < n; s++) {
        if (c->piece_of[s] >= 0 || c->t[s] < 0)
            continue;
        int j = c->t[s], head = tail;
        c->piece_start[np] = tail;
        c->piece_terr[np] = j;
        c->order[tail++] = s;
        c->piece_of[s] = np;
        while (head < tail) {
            int u = c->order[head++];
            for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
                int v = c->adj[e];
                if (v >= 0 && v < n && c->piece_of[v] < 0 && c->t[v] == j) {
                    c->piece_of[v] = np;
                    c->order[tail++] = v;
                }
            }
        }
        np++;
    }
    c->piece_start[np] = tail;
    c->n_pieces = np;
    /* Counting sort of pieces by territory. */
    for (int j = 0; j <= p + 1; j++)
        c->terr_start[j] = 0;
    for (int k = 0; k < np; k++)
        c->terr_start[c->piece_terr[k] + 2]++;
    for (int j = 0; j < p; j++)
        c->terr_start[j + 2] += c->terr_start[j + 1];
    for (int k = 0; k < np; k++)
        c->terr_pieces[c->terr_start[c->piece_terr[k] + 1]++] = k;
}

static int piece_size(const exact_ctx *c, int k)
{
    return c->piece_start[k + 1] - c->piece_start[k];
}

static int piece_partial(const exact_ctx *c, int k)
{
    return piece_size(c, k) < c->comp_size[c->comp[c->order[c->piece_start[k]]]];
}

static void mark_piece(exact_ctx *c, int k)
{
    for (int q = c->piece_start[k]; q < c->piece_start[k + 1]; q++)
        c->mark[c->order[q]] = c->stamp;
}

/* Checks assignment c->t: the number of territories with more than one
   partial piece (0 when the assignment is contiguous). */
static int count_disconnected(exact_ctx *c)
{
    find_pieces(c);
    int bad = 0;
    for (int j = 0; j < c->P->p; j++) {
        int n_partial = 0;
        for (int q = c->terr_start[j]; q < c->terr_start[j + 1]; q++)
            n_partial += piece_partial(c, c->terr_pieces[q]);
        bad += n_partial > 1;
    }
    return bad;
}

/* The unit of piece k with the largest x_uj, nearest to the centre of j
   among ties: the likeliest to stay in j, so the cut stays relevant. */
static int lp_anchor(const exact_ctx *c, int k, int j)
{
    int best = -1;
    double bx = -1, bd = INFINITY;
    for (int q = c->piece_start[k]; q < c->piece_start[k + 1]; q++) {
        int u = c->order[q];
        double x = c->xj[u], d = tqoi_alloc_dist2(c->P, u, j);
        if (x > bx + 1e-9 || (x > bx - 1e-9 && d < bd)) {
            best = u;
            bx = x;
            bd = d;
        }
    }
    return best;
}

/* Appends x_uj for the unmarked units adjacent to piece k; adds their
   values to *lhs. */
static int lp_boundary(exact_ctx *c, int k, int len, double *lhs)
{
    for (int q = c->piece_start[k]; q < c->piece_start[k + 1]; q++) {
        int u = c->order[q];
        for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
            int v = c->adj[e];
            if (v < 0 || v >= c->P->n || c->mark[v] == c->stamp)
                continue;
            c->mark[v] = c->stamp;
            if (c->colj[v]) {
                len++;
                c->ind[len] = c->colj[v];
                c->val[len] = 1.0;
                *lhs += c->xj[v];
            }
        }
    }
    return len;
}

/*
 * Separates contiguity cuts at the LP point c->xv. For each territory j,
 * the pieces are those of {u : x_uj >= theta}; every partial piece S
 * other than the heaviest one T gives a cut, added when violated. (Any S
 * with i in S, k outside S and S not a whole graph component gives a valid
 * cut, so the threshold only steers which cuts are tried.) At an integral
 * point (integral: rounded by round_solution) with theta 0.5 this cuts off
 * every disconnected territory.
 */
static int separate_lp(exact_ctx *c, glp_prob *lp, double theta, int integral)
{
    const int n = c->P->n, p = c->P->p;
    int added = 0;
    for (int j = 0; j < p; j++) {
        for (int q = c->tcol_start[j]; q < c->tcol_start[j + 1]; q++) {
            int col = c->tcol[q], u = c->m->col_unit[col - 1];
            c->colj[u] = col;
            c->xj[u] = c->xv[col];
        }
        /* Pieces of j at this threshold. */
        c->vstamp++;
        int np = 0, tail = 0;
        for (int q = c->tcol_start[j]; q < c->tcol_start[j + 1]; q++) {
            int s = c->m->col_unit[c->tcol[q] - 1];
            if (c->vis[s] == c->vstamp || c->xj[s] < theta)
                continue;
            int head = tail;
            c->piece_start[np] = tail;
            c->piece_w[np] = 0;
            c->order[tail++] = s;
            c->vis[s] = c->vstamp;
            while (head < tail) {
                int u = c->order[head++];
                c->piece_w[np] += c->xj[u];
                for (int e = c->adj_start[u]; e < c->adj_start[u + 1]; e++) {
                    int v = c->adj[e];
                    if (v >= 0 && v < n && c->vis[v] != c->vstamp && c->colj[v] && c->xj[v] >= theta) {
                        c->vis[v] = c->vstamp;
                        c->order[tail++] = v;
                    }
                }
            }
            np++;
        }
        c->piece_start[np] = tail;
        int n_partial = 0, big = -1;
        for (int k = 0; k < np; k++) {
            if (!piece_partial(c, k))
                continue;
            n_partial++;
            if (big < 0 || c->piece_w[k] > c->piece_w[big])
                big = k;
        }
        if (n_partial >= 2) {
            int kk = lp_anchor(c, big, j);
            for (int k = 0; k < np; k++) {
                if (k == big || !piece_partial(c, k))
                    continue;
                int ii = lp_anchor(c, k, j);
                double rhs = c->xj[ii] + c->xj[kk] - 1, lhs = 0;
                if (rhs <= 1e-6 && !integral)
                    continue;
                c->stamp++;
                mark_piece(c, k);
                mark_piece(c, big);
                int len = lp_boundary(c, k, 0, &lhs);
                if (c->comp[ii] != c->comp[kk])
                    len = lp_boundary(c, big, len, &lhs);
                /* At a rounded integral point the cut is violated by
                   construction; tiny LP values must not hide that. */
                if (lhs >= rhs - 1e-6 && !integral)
                    continue;
                c->ind[len + 1] = c->colj[ii];
                c->ind[len + 2] = c->colj[kk];
                c->val[len + 1] = c->val[len + 2] = -1.0;
                len += 2;
                int r = glp_add_rows(lp, 1);
                glp_set_mat_row(lp, r, len, c->ind, c->val);
                glp_set_row_bnds(lp, r, GLP_LO, -1.0, 0.0);
                added++;
            }
        }
        for (int q = c->tcol_start[j]; q < c->tcol_start[j + 1]; q++) {
            int u = c->m->col_unit[c->tcol[q] - 1];
            c->colj[u] = 0;
            c->xj[u] = 0;
        }
    }
    return added;
}

/* Rounds a solution given by value(col) into c->t; 0 when fractional. */
static int round_solution(exact_ctx *c, glp_prob *lp, double (*value)(glp_prob *, int))
{
    const alloc_glpk_model *m = c->m;
    for (int i = 0; i < c->P->n; i++) {
        c->t[i] = -1;
        for (int col = m->unit_start[i]; col < m->unit_start[i + 1]; col++) {
            double v = value(lp, col + 1);
            if (v > INT_TOL && v < 1 - INT_TOL)
                return 0;
            if (v >= 0.5)
                c->t[i] = m->col_terr[col];
        }
        if (c->t[i] < 0)
            return 0;
    }
    return 1;
}

static void track_bound(exact_ctx *c, glp_tree *T, int force)
{
    int a_cnt = 0;
    glp_ios_tree_size(T, &a_cnt, NULL, NULL);
    /* Scanning the active list costs O(nodes): on big trees scan once per
       a_cnt/100 calls, about 100 nodes of work per call (a slightly stale
       bound is still a valid one). Counted, not timed, so the bound and gap
       reported at a node limit do not depend on the machine's load. */
    if (!force && a_cnt > 1000 && ++c->calls_since_scan < a_cnt / 100)
        return;
    c->calls_since_scan = 0;
    int node = glp_ios_best_node(T);
    if (!node)
        return;
    double b = glp_ios_node_bound(T, node);
    if (b > -0.5 * DBL_MAX && b > c->bound)
        c->bound = b;
}

/* Whether assignment c->t meets the bounds, locks and the move cap:
   glp_ios_heur_sol takes a solution on trust. 0: yes, 2: no. */
static int check_rows(exact_ctx *c)
{
    const alloc_problem *P = c->P;
    const int n = P->n, p = P->p, nb = P->nb;
    for (int q = 0; q < p * nb; q++)
        c->rowsum[q] = 0;
    double moved = 0;
    for (int i = 0; i < n; i++) {
        int j = c->t[i];
        if (j < 0 || j >= p || !tqoi_alloc_glpk_col(c->m, i, j))
            return 2;
        for (int b = 0; b < nb; b++)
            c->rowsum[j * nb + b] += P->a[b][i];
        if (nb > 0 && P->current && P->current[i] >= 0 && j != P->current[i])
            moved += P->a[0][i];
    }
    for (int q = 0; q < p * nb; q++) {
        double tol = 1e-9 * fmax(1.0, fabs(c->rowsum[q]));
        if (c->rowsum[q] < P->lo[q] - tol || c->rowsum[q] > P->hi[q] + tol)
            return 2;
    }
    if (c->m->move_row && moved > P->max_move + 1e-9 * fmax(1.0, P->max_move))
        return 2;
    return 0;
}

/* Offers assignment c->t to GLPK when it is feasible (and contiguous when
   required). Returns 0 when offered, else why not (2 bounds, 3 contiguity). */
static int offer(exact_ctx *c, glp_tree *T)
{
    int why = check_rows(c);
    if (!why && c->contiguity && count_disconnected(c) > 0)
        why = 3;
    if (why)
        return why;
    for (int k = 0; k <= c->m->n_cols; k++)
        c->hx[k] = 0;
    for (int i = 0; i < c->P->n; i++)
        c->hx[tqoi_alloc_glpk_col(c->m, i, c->t[i])] = 1.0;
    glp_ios_heur_sol(T, c->hx); /* ignored by GLPK unless better */
    return 0;
}

static void heuristic(exact_ctx *c, glp_tree *T)
{
    if (c->start && !c->start_offered) {
        memcpy(c->t, c->start, (size_t)c->P->n * sizeof *c->t);
        offer(c, T);
        c->start_offered = 1;
    }
    /* Each unit to its largest LP share: deep in the tree that is often
       a feasible assignment, and without it a contiguous search could run
       long without any incumbent (GLPK's own heuristics are off). */
    glp_prob *lp = glp_ios_get_prob(T);
    const alloc_glpk_model *m = c->m;
    for (int i = 0; i < c->P->n; i++) {
        double best = -1;
        c->t[i] = -1;
        for (int col = m->unit_start[i]; col < m->unit_start[i + 1]; col++) {
            double v = glp_get_col_prim(lp, col + 1);
            if (v > best) {
                best = v;
                c->t[i] = m->col_terr[col];
            }
        }
    }
    offer(c, T);
}

static void exact_callback(glp_tree *T, void *info)
{
    exact_ctx *c = info;
    switch (glp_ios_reason(T)) {
    case GLP_ISELECT:
        if (c->node_limit > 0 && ++c->selects > c->node_limit) {
            track_bound(c, T, 1); /* the bound reported at the limit is fresh */
            glp_ios_terminate(T);
        } else {
            track_bound(c, T, 0);
        }
        break;
    case GLP_IROWGEN:
        if (c->contiguity) {
            glp_prob *lp = glp_ios_get_prob(T);
            int node = glp_ios_curr_node(T);
            if (node != c->node) {
                c->node = node;
                c->node_rounds = 0;
            }
            for (int k = 1; k <= c->m->n_cols; k++)
                c->xv[k] = glp_get_col_prim(lp, k);
            /* Integral points must always be checked; fractional ones
               only for a few rounds per node, to tighten the LP. */
            int integral = round_solution(c, lp, glp_get_col_prim);
            if (!integral && c->node_rounds >= FRAC_ROUNDS)
                break;
            c->node_rounds++;
            separate_lp(c, lp, 0.5, integral);
        }
        break;
    case GLP_IHEUR:
        heuristic(c, T);
        break;
    default:
        break;
    }
}

typedef struct scale_args {
    glp_prob *lp;
} scale_args;

static void do_scale(void *arg)
{
    glp_scale_prob(((scale_args *)arg)->lp, GLP_SF_AUTO);
}

static const char *uname(const alloc_problem *P, int i, char *buf, size_t size)
{
    if (P->unit_id && P->unit_id[i])
        return P->unit_id[i];
    snprintf(buf, size, "#%d", i);
    return buf;
}

static const char *tname(const alloc_problem *P, int j, char *buf, size_t size)
{
    if (P->territory_id && P->territory_id[j])
        return P->territory_id[j];
    snprintf(buf, size, "#%d", j);
    return buf;
}

static void set_status(alloc_solution *x, const char *s)
{
    snprintf(x->status, sizeof x->status, "%s", s);
}

/* Stores a whole-unit assignment in x, with its bound and gap. */
static tqo_status fill_solution(alloc_solution *x, const alloc_problem *P, const int *t, double obj, double lb,
                                const char *status, double *gap, tqo_diag *diag)
{
    const int n = P->n;
    x->start = malloc(((size_t)n + 1) * sizeof *x->start);
    x->terr = malloc((size_t)n * sizeof *x->terr);
    x->share = malloc((size_t)n * sizeof *x->share);
    if (!x->start || !x->terr || !x->share) {
        free(x->start);
        free(x->terr);
        free(x->share);
        x->start = x->terr = NULL;
        x->share = NULL;
        tqo_diag_error(diag, "exact MIP: out of memory");
        set_status(x, "failed");
        return TQO_ERR_NOMEM;
    }
    x->n = n;
    for (int i = 0; i < n; i++) {
        x->start[i] = i;
        x->terr[i] = t[i];
        x->share[i] = 1.0;
    }
    x->start[n] = n;
    x->objective = obj;
    x->lower_bound = lb;
    set_status(x, status);
    double g = obj > 0 ? (obj - lb) / obj : 0;
    if (gap)
        *gap = g > 0 ? g : 0;
    return TQO_OK;
}

tqo_status tqoi_alloc_solve_exact(const alloc_problem *P, const int *adj_start, const int *adj, double time_limit,
                             alloc_solution *x, double *gap, tqo_diag *diag)
{
    return tqoi_alloc_solve_exact_start(P, adj_start, adj, time_limit, NULL, x, gap, diag);
}

tqo_status tqoi_alloc_solve_exact_start(const alloc_problem *P, const int *adj_start, const int *adj,
                                   double time_limit, const int *start, alloc_solution *x, double *gap,
                                   tqo_diag *diag)
{
    return tqoi_alloc_solve_exact_limited(P, adj_start, adj, time_limit, 0, start, x, gap, diag);
}

/* What tqoi_alloc_solve_exact_limited's steps share, beside the callback's
   context c (whose m points at m here). */
typedef struct exact_run {
    exact_ctx c;
    alloc_glpk_model m;
    double start_cost;        /* the start's cost when it is used, else INFINITY */
    double trivial;           /* each unit at its cheapest territory: a bound without LP */
    double time_limit, t0;
    alloc_solution *x;
    double *gap;
    tqo_diag *diag;
    int failed;               /* GLPK failed internally: m.lp is gone */
} exact_run;

/* Empty balance bounds: infeasible, said before any model is built. */
static tqo_status check_bounds_nonempty(const alloc_problem *P, alloc_solution *x, tqo_diag *diag)
{
    char b1[16];
    for (int q = 0; q < P->p * P->nb; q++)
        if (P->lo[q] > P->hi[q]) {
            tqo_diag_error(diag, "exact MIP: territory '%s' has empty bounds %g..%g on balanced measure %d",
                           tname(P, q / P->nb, b1, sizeof b1), P->lo[q], P->hi[q], q % P->nb);
            set_status(x, "infeasible");
            return TQO_ERR_INFEASIBLE;
        }
    return TQO_OK;
}

/* A start must be feasible (and contiguous when required): GLPK takes
   heuristic solutions on trust. It is offered at the first heuristic
   call, and returned should the search end with nothing better. Returns
   its cost, INFINITY when it is not used (or there is none). */
static double check_start(exact_ctx *c, const int *start, tqo_diag *diag)
{
    const alloc_problem *P = c->P;
    double start_cost = INFINITY;
    if (!start)
        return start_cost;
    memcpy(c->t, start, (size_t)P->n * sizeof *c->t);
    int why = check_rows(c);
    if (!why && c->contiguity && count_disconnected(c) > 0)
        why = 3;
    if (why) {
        tqo_diag_warning(diag, "exact MIP: the start assignment is not used: %s",
                         why == 3 ? "a territory is not contiguous"
                                  : "it breaks the balance bounds, a lock, the maximum distance or the move cap");
    } else {
        c->start = start;
        start_cost = 0;
        for (int i = 0; i < P->n; i++)
            start_cost += tqoi_alloc_cost(P, i, start[i]);
    }
    return start_cost;
}

/* Each unit at its cheapest allowed territory: a bound that needs no
   LP, for when time runs out before the root LP is solved. */
static double trivial_bound(const alloc_problem *P, const alloc_glpk_model *m)
{
    double trivial = 0;
    for (int i = 0; i < P->n; i++) {
        double best = INFINITY;
        for (int col = m->unit_start[i]; col < m->unit_start[i + 1]; col++)
            best = fmin(best, tqoi_alloc_cost(P, i, m->col_terr[col]));
        trivial += best;
    }
    return trivial;
}

/* Root LP (after GLPK's scaling): glp_intopt without presolve wants an
   optimal basis, and its value is a valid bound should the search find
   nothing better. At the time limit the start, if any, is the answer:
   *ended then, as on any error. */
static tqo_status solve_root_lp(exact_run *E, int *ended)
{
    const alloc_problem *P = E->c.P;
    alloc_solution *x = E->x;
    tqo_diag *diag = E->diag;
    *ended = 1;
    scale_args sa = {E->m.lp};
    if (tqoi_guarded_call(do_scale, &sa) != 0) {
        E->failed = 1;
        return TQO_ERR_SOLVER;
    }
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.meth = GLP_DUALP;
    sp.tm_lim = tqoi_alloc_glpk_tm_lim(E->time_limit);
    int ret = 0;
    if (tqoi_guarded_simplex(E->m.lp, &sp, &ret) != 0) {
        E->failed = 1;
        return TQO_ERR_SOLVER;
    }
    if (ret == GLP_ETMLIM) {
        if (E->c.start) {
            tqo_status st = fill_solution(x, P, E->c.start, E->start_cost, E->trivial, "time limit", E->gap, diag);
            if (st == TQO_OK)
                tqo_diag_warning(diag, "exact MIP: time limit of %g s reached while solving the LP relaxation; "
                                 "the start assignment is returned", E->time_limit);
            return st;
        }
        tqo_diag_error(diag, "exact MIP: time limit of %g s reached while solving the LP relaxation",
                       E->time_limit);
        set_status(x, "time limit");
        return TQO_ERR_LIMIT;
    }
    if (ret != 0) {
        tqo_diag_error(diag, "exact MIP: GLPK's simplex failed on the LP relaxation (glp_simplex returned %d)", ret);
        set_status(x, "failed");
        return TQO_ERR_SOLVER;
    }
    int ls = glp_get_status(E->m.lp);
    if (ls == GLP_NOFEAS) {
        tqo_diag_error(diag, "exact MIP: no assignment meets the balance bounds%s, not even a fractional one",
                       E->m.move_row ? " and the move cap" : "");
        set_status(x, "infeasible");
        return TQO_ERR_INFEASIBLE;
    }
    if (ls != GLP_OPT) {
        tqo_diag_error(diag, "exact MIP: the LP relaxation was not solved (GLPK status %d)", ls);
        set_status(x, "failed");
        return TQO_ERR_SOLVER;
    }
    E->c.bound = glp_get_obj_val(E->m.lp);
    *ended = 0;
    return TQO_OK;
}

/* Branch and cut with the contiguity callback, within what is left of
   the time limit. *ret: glp_intopt's code (a node-limit stop counts as
   the clock's), *ms: the MIP status. TQO_OK when there is a result to
   report: GLPK's incumbent or the start. */
static tqo_status exact_branch_and_cut(exact_run *E, int *ret, int *ms)
{
    exact_ctx *c = &E->c;
    alloc_solution *x = E->x;
    tqo_diag *diag = E->diag;
    glp_iocp ip;
    glp_init_iocp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    ip.presolve = GLP_OFF;
    ip.mip_gap = MIP_GAP;
    ip.cb_func = exact_callback;
    ip.cb_info = c;
    /* MIR and cover cuts on the balance rows, with GLPK's default
       Driebeck-Tomlin branching, were fastest on 150-unit test grids. */
    ip.mir_cuts = GLP_ON;
    ip.cov_cuts = GLP_ON;
    if (c->contiguity) {
        ip.sr_heur = GLP_OFF;
        ip.fp_heur = GLP_OFF;
        ip.ps_heur = GLP_OFF;
    } else {
        ip.fp_heur = GLP_ON;
    }
    if (E->time_limit > 0) {
        double left = E->time_limit - (tqoi_alloc_glpk_now() - E->t0);
        ip.tm_lim = tqoi_alloc_glpk_tm_lim(left > 0.001 ? left : 0.001);
    }
    if (tqoi_guarded_intopt(E->m.lp, &ip, ret) != 0) {
        E->failed = 1;
        return TQO_ERR_SOLVER;
    }
    *ms = glp_mip_status(E->m.lp);
    const char *what = c->contiguity ? "contiguous assignment" : "assignment";
    const char *rows = E->m.move_row ? "the balance bounds and the move cap" : "the balance bounds";
    if (*ms == GLP_NOFEAS) {
        tqo_diag_error(diag, "exact MIP: no %s of whole units meets %s", what, rows);
        set_status(x, "infeasible");
        return TQO_ERR_INFEASIBLE;
    }
    /* a node limit stops the search as the clock does */
    if (*ret == GLP_ESTOP)
        *ret = GLP_ETMLIM;
    if (!(*ret == 0 || *ret == GLP_ETMLIM || *ret == GLP_EMIPGAP)) {
        tqo_diag_error(diag, "exact MIP: GLPK's branch and cut failed (glp_intopt returned %d)", *ret);
        set_status(x, "failed");
        return TQO_ERR_SOLVER;
    }
    const int have = *ms == GLP_OPT || *ms == GLP_FEAS;
    if (!have && !c->start) {
        if (*ret == GLP_ETMLIM) {
            if (c->node_limit > 0 && c->selects > c->node_limit)
                tqo_diag_error(diag, "exact MIP: no %s found within the limit of %d subproblems", what,
                               c->node_limit);
            else
                tqo_diag_error(diag, "exact MIP: no %s found within the time limit of %g s", what,
                               E->time_limit);
            set_status(x, "time limit");
            return TQO_ERR_LIMIT;
        }
        tqo_diag_error(diag, "exact MIP: GLPK ended without a solution (status %d)", *ms);
        set_status(x, "failed");
        return TQO_ERR_SOLVER;
    }
    return TQO_OK;
}

/* A territory in several parts: cannot happen with GLPK's heuristics
   off; said if it does. */
static void warn_disconnected(exact_ctx *c, tqo_diag *diag)
{
    char b2[16];
    int bad = count_disconnected(c);
    if (bad <= 0)
        return;
    for (int j = 0; j < c->P->p; j++) {
        int n_partial = 0;
        for (int q = c->terr_start[j]; q < c->terr_start[j + 1]; q++)
            n_partial += piece_partial(c, c->terr_pieces[q]);
        if (n_partial > 1)
            tqo_diag_warning(diag, "exact MIP: territory '%s' is not contiguous in the solution "
                             "found (%d separate parts)", tname(c->P, j, b2, sizeof b2), n_partial);
    }
}

/* The result into x: GLPK's incumbent, or the start should it be better,
   with the bound in true units; a stop at a limit is said with its gap. */
static tqo_status exact_result(exact_run *E, int ret, int ms)
{
    exact_ctx *c = &E->c;
    const alloc_problem *P = c->P;
    const alloc_glpk_model *m = &E->m;
    tqo_diag *diag = E->diag;
    const int n = P->n, have = ms == GLP_OPT || ms == GLP_FEAS;
    double obj = INFINITY, inc = INFINITY;
    if (have) {
        if (!round_solution(c, m->lp, glp_mip_col_val)) {
            tqo_diag_error(diag, "exact MIP: GLPK's solution is not integral");
            set_status(E->x, "failed");
            return TQO_ERR_SOLVER;
        }
        obj = 0;
        for (int i = 0; i < n; i++)
            obj += tqoi_alloc_cost(P, i, c->t[i]);
        inc = glp_mip_obj_val(m->lp);
    }
    if (c->start && E->start_cost < obj) {
        memcpy(c->t, c->start, (size_t)n * sizeof *c->t);
        obj = E->start_cost;
    }
    /* The bound, in true units: with the tree exhausted GLPK proved its
       incumbent; otherwise the best active node's bound, which only
       counts up to the incumbent (above it, it proves the incumbent). */
    double lb;
    if (ret == 0 && ms == GLP_OPT) {
        lb = inc * m->scale;
    } else {
        lb = c->bound;
        if (ret == GLP_EMIPGAP && have) /* GLPK stopped at gap <= MIP_GAP */
            lb = fmax(lb, inc - MIP_GAP * (fabs(inc) + DBL_EPSILON));
        lb = fmax(lb * m->scale, E->trivial);
    }
    if (lb > obj)
        lb = obj;
    tqo_status st = fill_solution(E->x, P, c->t, obj, lb, ret == GLP_ETMLIM ? "time limit" : "optimal", E->gap,
                                  diag);
    if (st != TQO_OK)
        return st;
    double g = obj > 0 ? (obj - lb) / obj : 0;
    if (ret == GLP_ETMLIM && c->node_limit > 0 && c->selects > c->node_limit)
        tqo_diag_warning(diag, "exact MIP: limit of %d subproblems reached; the best solution found has a gap "
                         "of %.3g%% to the bound", c->node_limit, 100 * g);
    else if (ret == GLP_ETMLIM)
        tqo_diag_warning(diag, "exact MIP: time limit of %g s reached; the best solution found has a gap "
                         "of %.3g%% to the bound", E->time_limit, 100 * g);
    if (c->contiguity)
        warn_disconnected(c, diag);
    return TQO_OK;
}

tqo_status tqoi_alloc_solve_exact_limited(const alloc_problem *P, const int *adj_start, const int *adj,
                                     double time_limit, int node_limit, const int *start, alloc_solution *x,
                                     double *gap, tqo_diag *diag)
{
    char b1[16];
    if (!P || !x || P->n <= 0 || P->p <= 0) {
        tqo_diag_error(diag, "exact MIP: invalid arguments (no units or territories)");
        return TQO_ERR_ARG;
    }
    memset(x, 0, sizeof *x);
    set_status(x, "not solved");
    if (gap)
        *gap = INFINITY;
    const int n = P->n, p = P->p;
    exact_run E;
    memset(&E, 0, sizeof E);
    E.t0 = tqoi_alloc_glpk_now();
    E.time_limit = time_limit;
    E.x = x;
    E.gap = gap;
    E.diag = diag;
    tqo_status st = check_bounds_nonempty(P, x, diag);
    if (st != TQO_OK)
        return st;

    tqoi_glpk_quiet();
    st = tqoi_alloc_glpk_build(P, 1, 1, NULL, NULL, NULL, &E.m, diag);
    if (st != TQO_OK)
        return st;
    for (int i = 0; i < n; i++)
        if (E.m.unit_start[i] == E.m.unit_start[i + 1]) {
            tqo_diag_error(diag, "exact MIP: unit '%s' may join no territory (locks or maximum distance)",
                           uname(P, i, b1, sizeof b1));
            tqoi_alloc_glpk_model_free(&E.m, 0);
            set_status(x, "infeasible");
            return TQO_ERR_INFEASIBLE;
        }

    exact_ctx *c = &E.c;
    c->P = P;
    c->m = &E.m;
    c->adj_start = adj_start;
    c->adj = adj;
    c->contiguity = adj_start && adj;
    c->bound = -DBL_MAX;
    c->node_limit = node_limit;
    if (!ctx_alloc(c, n, p)) {
        tqo_diag_error(diag, "exact MIP: out of memory");
        ctx_free(c);
        tqoi_alloc_glpk_model_free(&E.m, 0);
        return TQO_ERR_NOMEM;
    }
    if (c->contiguity)
        graph_components(c);
    E.start_cost = check_start(c, start, diag);
    E.trivial = trivial_bound(P, &E.m);

    int ended = 0, ret = 0, ms = GLP_UNDEF;
    st = solve_root_lp(&E, &ended);
    if (!ended)
        st = exact_branch_and_cut(&E, &ret, &ms);
    if (E.failed) {
        tqo_diag_error(diag, "exact MIP: GLPK failed internally: %s", tqoi_glpk_last_error());
        set_status(x, "failed");
        st = TQO_ERR_SOLVER;
    } else if (!ended && st == TQO_OK) {
        st = exact_result(&E, ret, ms);
    }
    ctx_free(c);
    tqoi_alloc_glpk_model_free(&E.m, E.failed);
    return st;
}
