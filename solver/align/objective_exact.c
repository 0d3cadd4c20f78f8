/*
 * --exact with the min-max objectives: the whole problem as one MIP in
 * GLPK, for instances of a few dozen units.
 *
 *   diameter:  min D  s.t.  D >= d_ik (x_ij + x_kj - 1)     pairs i < k, j
 *   center:    min R  s.t.  R >= d_ic (x_ij + y_cj - 1)     i != c, j
 *                           sum_c y_cj = 1, y_cj <= x_cj    (c: j's centre unit)
 *   both:      sum_j x_ij = 1, lo_jb <= sum_i a_bi x_ij <= hi_jb, the move
 *              cap, x_ij = 0 where a lock or the distance cap forbids it
 *
 * D (R) starts at the best of the ball and dispersion bounds, so only the
 * pairs farther apart than that need a row. When nothing tells the
 * territories apart (no locks, distance cap or current plan) unit i may
 * only go to territories j <= i, which leaves one of the p! relabellings
 * of each plan. Contiguity as the moment's exact model keeps it (lazily):
 * a territory j whose integral plan has a piece S apart from its main
 * piece M gets x_sj + x_mj - sum_{v in N(S)} x_vj <= 1 (s in S, m in M,
 * N(S) the neighbours of S): a path from s to m leaves S through N(S).
 * Pieces that are whole graph components (islands) are allowed.
 */
#include "align/objective_core.h"

#include <float.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pair rows at most (a few dozen units: some thousands), and
   branch-and-cut subproblems at most: a count, not the clock. */
#define MX_MAX_ROWS 400000
#define MX_NODE_LIMIT 200000

typedef struct mx_model {
    align_ctx *c;
    obj_geom g;
    int obj, n, p, nb, sym;
    int L;                     /* labels of x: the p territories, or (center
                                  without locks, caps or current plan) the
                                  n units as centres: x_ic, i in c's district */
    int dcol;                  /* D or R */
    double lb;
    glp_prob *lp;
    int *t, *mark, *nmark, *stack, *ind;
    double *val;
    double bound;
    long selects, cuts;
} mx_model;

static int xcol(const mx_model *m, int i, int j)
{
    return 1 + i * m->L + j;
}

static int ycol(const mx_model *m, int i, int j)
{
    return 1 + m->n * m->p + i * m->p + j;
}

static int x_allowed(const mx_model *m, int i, int j)
{
    if (m->L != m->p)
        return 1;
    return tqoi_alloc_allowed(&m->c->P, i, j) && !(m->sym && j > i);
}

static void add_row(mx_model *m, int len, int type, double lo, double hi)
{
    int r = glp_add_rows(m->lp, 1);
    glp_set_row_bnds(m->lp, r, type, lo, hi);
    glp_set_mat_row(m->lp, r, len, m->ind, m->val);
}

/*
 * Center by centre units (the p-centre model): x_ic (i in the district
 * of centre c), x_cc = 1 when c is a centre, sum_c x_cc = p, x_ic <= x_cc,
 * lo x_cc <= sum_i a_i x_ic <= hi x_cc, R >= sum_c d_ic x_ic: one radius
 * row per unit, a much tighter relaxation than the pair rows.
 */
static void centre_rows(mx_model *m)
{
    const align_ctx *c = m->c;
    int n = m->n, nb = m->nb;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < n; k++)
            m->ind[k + 1] = xcol(m, i, k), m->val[k + 1] = 1;
        add_row(m, n, GLP_FX, 1, 1);
    }
    for (int k = 0; k < n; k++)
        m->ind[k + 1] = xcol(m, k, k), m->val[k + 1] = 1;
    add_row(m, n, GLP_FX, m->p, m->p);
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < n; i++) {
            if (i == k)
                continue;
            m->ind[1] = xcol(m, i, k), m->val[1] = 1;
            m->ind[2] = xcol(m, k, k), m->val[2] = -1;
            add_row(m, 2, GLP_UP, 0, 0);
        }
        for (int b = 0; b < nb; b++) {
            double lo = c->lo[b], hi = c->hi[b]; /* the same for every territory here */
            for (int i = 0; i < n; i++)
                m->ind[i + 1] = xcol(m, i, k), m->val[i + 1] = c->a[b][i] - (i == k ? lo : 0);
            add_row(m, n, GLP_LO, 0, 0);
            for (int i = 0; i < n; i++)
                m->val[i + 1] = c->a[b][i] - (i == k ? hi : 0);
            add_row(m, n, GLP_UP, 0, 0);
        }
    }
    /* connected districts: a unit of c's district other than c has a
       neighbour in it (units without neighbours are islands, allowed) */
    for (int i = 0; c->contiguity && i < n; i++) {
        int deg = c->adj_start[i + 1] - c->adj_start[i];
        for (int k = 0; deg > 0 && k < n; k++) {
            if (k == i)
                continue;
            m->ind[1] = xcol(m, i, k), m->val[1] = 1;
            for (int e = 0; e < deg; e++)
                m->ind[e + 2] = xcol(m, c->adj[c->adj_start[i] + e], k), m->val[e + 2] = -1;
            add_row(m, deg + 1, GLP_UP, -DBL_MAX, 0);
        }
    }
    for (int i = 0; i < n; i++) {
        int len = 0;
        for (int k = 0; k < n; k++)
            if (k != i)
                ++len, m->ind[len] = xcol(m, i, k), m->val[len] = -tqoi_obj_dist(&m->g, i, k);
        ++len, m->ind[len] = m->dcol, m->val[len] = 1;
        add_row(m, len, GLP_LO, 0, 0);
    }
}

/* Assignment, balance, move cap and (center) the centre rows. */
static void base_rows(mx_model *m)
{
    const align_ctx *c = m->c;
    int n = m->n, p = m->p, nb = m->nb;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < p; j++)
            m->ind[j + 1] = xcol(m, i, j), m->val[j + 1] = 1;
        add_row(m, p, GLP_FX, 1, 1);
    }
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++) {
            for (int i = 0; i < n; i++)
                m->ind[i + 1] = xcol(m, i, j), m->val[i + 1] = c->a[b][i];
            add_row(m, n, GLP_DB, c->lo[j * nb + b], c->hi[j * nb + b]);
        }
    if (c->current && c->max_move >= 0) {
        int len = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++)
                if (c->current[i] >= 0 && c->current[i] != j && c->a[0][i] != 0)
                    ++len, m->ind[len] = xcol(m, i, j), m->val[len] = c->a[0][i];
        if (len)
            add_row(m, len, GLP_UP, 0, c->max_move);
    }
    if (m->obj != TQO_OBJECTIVE_CENTER)
        return;
    for (int j = 0; j < p; j++) {
        for (int i = 0; i < n; i++)
            m->ind[i + 1] = ycol(m, i, j), m->val[i + 1] = 1;
        add_row(m, n, GLP_FX, 1, 1);
        for (int i = 0; i < n; i++) {
            m->ind[1] = ycol(m, i, j), m->val[1] = 1;
            m->ind[2] = xcol(m, i, j), m->val[2] = -1;
            add_row(m, 2, GLP_UP, 0, 0);
        }
    }
}

/* The rows D >= d (x_ij + x_kj - 1) (center: y_kj for x_kj) of the
   pairs farther apart than the bound; -1 when there would be too many. */
static int pair_rows(mx_model *m)
{
    long rows = 0;
    int center = m->obj == TQO_OBJECTIVE_CENTER;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < m->n; i++)
            for (int k = center ? 0 : i + 1; k < m->n; k++) {
                double d = k == i ? 0 : tqoi_obj_dist(&m->g, i, k);
                if (!(d > m->lb))
                    continue;
                for (int j = 0; j < m->p; j++) {
                    if (!x_allowed(m, i, j) || !x_allowed(m, k, j))
                        continue;
                    rows++;
                    if (pass == 0)
                        continue;
                    m->ind[1] = xcol(m, i, j), m->val[1] = d;
                    m->ind[2] = center ? ycol(m, k, j) : xcol(m, k, j), m->val[2] = d;
                    m->ind[3] = m->dcol, m->val[3] = -1;
                    add_row(m, 3, GLP_UP, -DBL_MAX, d);
                }
            }
        if (rows > MX_MAX_ROWS)
            return -1;
    }
    return 0;
}

static void build_columns(mx_model *m)
{
    int n = m->n, p = m->L, ny = m->obj == TQO_OBJECTIVE_CENTER && m->L == m->p ? n * p : 0;
    glp_set_obj_dir(m->lp, GLP_MIN);
    glp_add_cols(m->lp, n * p + ny + 1);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++) {
            int ok = x_allowed(m, i, j);
            glp_set_col_kind(m->lp, xcol(m, i, j), GLP_BV);
            if (!ok)
                glp_set_col_bnds(m->lp, xcol(m, i, j), GLP_FX, 0, 0);
            if (ny) {
                glp_set_col_kind(m->lp, ycol(m, i, j), GLP_BV);
                if (!ok)
                    glp_set_col_bnds(m->lp, ycol(m, i, j), GLP_FX, 0, 0);
            }
        }
    m->dcol = n * p + ny + 1;
    glp_set_col_bnds(m->lp, m->dcol, GLP_LO, m->lb, 0);
    glp_set_obj_coef(m->lp, m->dcol, 1);
}

/* Integral x of the current subproblem into m->t; 0 when fractional. */
static int integral_plan(mx_model *m, glp_prob *lp)
{
    for (int i = 0; i < m->n; i++) {
        m->t[i] = -1;
        for (int j = 0; j < m->L; j++) {
            double v = glp_get_col_prim(lp, xcol(m, i, j));
            if (v > 1e-6 && v < 1 - 1e-6)
                return 0;
            if (v >= 0.5)
                m->t[i] = j;
        }
        if (m->t[i] < 0)
            return 0;
    }
    return 1;
}

/* The piece of territory t[s] holding s, marked with tag; its size, and
   its neighbours outside it into ind/val from position *len. */
static int piece(mx_model *m, int s, int tag, int *len, int add_nbrs)
{
    const align_ctx *c = m->c;
    int j = m->t[s], top = 0, size = 0;
    m->mark[s] = tag;
    m->stack[top++] = s;
    while (top) {
        int u = m->stack[--top];
        size++;
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
            int v = c->adj[k];
            if (m->t[v] == j && m->mark[v] != tag) {
                m->mark[v] = tag;
                m->stack[top++] = v;
            }
        }
    }
    for (int u = 0; add_nbrs && u < m->n; u++) /* N(S), each once */
        if (m->mark[u] == tag)
            for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
                int v = c->adj[k];
                if (m->mark[v] != tag && m->nmark[v] != tag) {
                    m->nmark[v] = tag;
                    ++*len, m->ind[*len] = xcol(m, v, j), m->val[*len] = -1;
                }
            }
    return size;
}

/* Cuts for the detached pieces of the integral plan m->t. */
static void separate(mx_model *m, glp_prob *lp)
{
    const align_ctx *c = m->c;
    int tag = 1;
    for (int i = 0; i < m->n; i++)
        m->mark[i] = m->nmark[i] = 0;
    int *main_of = m->stack + m->n; /* the first unit of each territory's main piece */
    for (int j = 0; j < m->L; j++)
        main_of[j] = -1;
    for (int s = 0; s < m->n; s++) {
        if (m->mark[s] > 0)
            continue;
        int j = m->t[s], len = 2;
        tag++;
        int size = piece(m, s, tag, &len, main_of[j] >= 0);
        if (main_of[j] < 0) {
            main_of[j] = s;
            continue;
        }
        if (size == c->comp_size[c->comp[s]] || len == 2)
            continue; /* a whole island: allowed */
        m->ind[1] = xcol(m, s, j), m->val[1] = 1;
        m->ind[2] = xcol(m, main_of[j], j), m->val[2] = 1;
        int r = glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, r, GLP_UP, 0, 1);
        glp_set_mat_row(lp, r, len, m->ind, m->val);
        m->cuts++;
    }
}

static void mx_callback(glp_tree *T, void *info)
{
    mx_model *m = info;
    switch (glp_ios_reason(T)) {
    case GLP_ISELECT: {
        int node = glp_ios_best_node(T);
        if (node) {
            double b = glp_ios_node_bound(T, node);
            if (b > -0.5 * DBL_MAX && b > m->bound)
                m->bound = b;
        }
        if (++m->selects > MX_NODE_LIMIT)
            glp_ios_terminate(T);
        break;
    }
    case GLP_IROWGEN:
        if (m->c->contiguity && integral_plan(m, glp_ios_get_prob(T)))
            separate(m, glp_ios_get_prob(T));
        break;
    default:
        break;
    }
}

static void mx_free(mx_model *m)
{
    if (m->lp)
        glp_delete_prob(m->lp);
    free(m->t);
    free(m->mark);
    free(m->nmark);
    free(m->stack);
    free(m->ind);
    free(m->val);
    tqoi_obj_geom_free(&m->g);
}

static tqo_status mx_init(mx_model *m, align_ctx *c, tqo_align_result *r)
{
    memset(m, 0, sizeof *m);
    m->c = c;
    m->obj = c->s->objective;
    m->n = c->n;
    m->p = c->p;
    m->nb = c->nb;
    /* territories told apart only by locks, the distance cap (to their
       centres) or the current plan */
    m->sym = !c->lock && !(c->s->max_distance_km > 0) && !c->current;
    for (int k = m->nb; k < m->p * m->nb; k++) /* and the same balance bounds */
        m->sym &= c->lo[k] == c->lo[k % m->nb] && c->hi[k] == c->hi[k % m->nb];
    tqoi_objective_bounds(c, r); /* ball and dispersion: D starts there */
    m->lb = r->minmax_lower_bound * (1 - 1e-12);
    m->bound = m->lb;
    m->L = m->obj == TQO_OBJECTIVE_CENTER && m->sym ? m->n : m->p;
    size_t len = (size_t)m->n * m->L * 2 + (size_t)m->n + 8;
    m->t = malloc((size_t)m->n * sizeof(int));
    m->mark = malloc((size_t)m->n * sizeof(int));
    m->nmark = malloc((size_t)m->n * sizeof(int));
    m->stack = malloc(((size_t)m->n + m->L + 1) * sizeof(int));
    m->ind = malloc(len * sizeof(int));
    m->val = malloc(len * sizeof(double));
    m->lp = glp_create_prob();
    if (!m->t || !m->mark || !m->nmark || !m->stack || !m->ind || !m->val || !m->lp ||
        tqoi_obj_geom_init(&m->g, c->inst) != TQO_OK)
        return TQO_ERR_NOMEM;
    build_columns(m);
    if (m->L != m->p) {
        centre_rows(m);
        return TQO_OK;
    }
    base_rows(m);
    if (pair_rows(m) < 0) {
        tqo_diag_error(c->diag, "--exact with --objective %s is for small instances (a few dozen units): %d units "
                       "x %d territories need more than %d rows", m->obj == TQO_OBJECTIVE_CENTER ? "center" : "diameter",
                       m->n, m->p, MX_MAX_ROWS);
        return TQO_ERR_ARG;
    }
    return TQO_OK;
}

/* Branch and cut; m->t gets the best plan. */
static tqo_status mx_solve(mx_model *m, tqo_align_result *r)
{
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    glp_iocp ip;
    glp_init_iocp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    ip.presolve = GLP_OFF; /* the callback adds rows to the model itself */
    ip.cb_func = mx_callback;
    ip.cb_info = m;
    if (m->c->s->time_limit > 0)
        ip.tm_lim = (int)fmin(1e9, m->c->s->time_limit * 1000);
    int ret = glp_simplex(m->lp, &sp);
    if (ret == 0 && glp_get_status(m->lp) == GLP_NOFEAS)
        ret = GLP_ENOPFS;
    if (ret == 0)
        ret = glp_intopt(m->lp, &ip);
    int ms = glp_mip_status(m->lp);
    if (ret == GLP_ENOPFS || ms == GLP_NOFEAS) {
        tqo_diag_error(m->c->diag, "infeasible: the exact MIP proves that no plan meets the balance bounds%s",
                       m->c->contiguity ? " with connected territories" : "");
        snprintf(r->mip_status, sizeof r->mip_status, "infeasible");
        return TQO_ERR_INFEASIBLE;
    }
    if (ms != GLP_OPT && ms != GLP_FEAS) {
        tqo_diag_error(m->c->diag, "the exact MIP found no plan within its limit (%d subproblems%s)", MX_NODE_LIMIT,
                       m->c->s->time_limit > 0 ? " or --time-limit" : "");
        snprintf(r->mip_status, sizeof r->mip_status, "limit");
        return TQO_ERR_LIMIT;
    }
    for (int i = 0; i < m->n; i++) {
        m->t[i] = 0;
        for (int j = 0; j < m->L; j++)
            if (glp_mip_col_val(m->lp, xcol(m, i, j)) >= 0.5)
                m->t[i] = j;
    }
    if (m->L != m->p) { /* centres in unit order are territories 0, 1, ... */
        int *label = m->mark, k = 0;
        for (int u = 0; u < m->n; u++)
            label[u] = glp_mip_col_val(m->lp, xcol(m, u, u)) >= 0.5 && k < m->p ? k++ : -1;
        for (int i = 0; i < m->n; i++)
            m->t[i] = label[m->t[i]] >= 0 ? label[m->t[i]] : 0;
    }
    double obj = glp_mip_obj_val(m->lp);
    r->minmax_bound_exact = ms == GLP_OPT && ret == 0 ? obj : fmin(obj, m->bound);
    snprintf(r->mip_status, sizeof r->mip_status, "%s", ms == GLP_OPT && ret == 0 ? "optimal" : "limit");
    tqo_log_printf(m->c->s->log, m->c->s->log_ctx, TQO_LOG_INFO,
                   "%s MIP: %s, %.6g, bound %.6g (%d rows, %ld subproblems, %ld contiguity cuts)",
                   m->obj == TQO_OBJECTIVE_CENTER ? "center" : "diameter", r->mip_status, obj, r->minmax_bound_exact,
                   glp_get_num_rows(m->lp), m->selects, m->cuts);
    return TQO_OK;
}

tqo_status tqoi_objective_exact(align_ctx *c, int *asg, tqo_align_result *r)
{
    mx_model m;
    double t0 = tqoi_align_now();
    tqo_status st = mx_init(&m, c, r);
    if (st == TQO_OK)
        st = mx_solve(&m, r);
    if (st == TQO_OK)
        memcpy(asg, m.t, (size_t)c->n * sizeof(int));
    r->minmax_evals = m.g.evals;
    r->sec_lp += tqoi_align_now() - t0;
    snprintf(r->lp_status, sizeof r->lp_status, "%s", "not used (--exact)");
    snprintf(r->split_resolution, sizeof r->split_resolution, "exact MIP (%s)",
             c->s->objective == TQO_OBJECTIVE_CENTER ? "center" : "diameter");
    mx_free(&m);
    return st;
}
