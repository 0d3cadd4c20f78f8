/* The quota LP over the whole hierarchy (see quota_hierarchy.h): bands,
   conflicts named before solving, one GLPK LP, cents top-down. */
#include "quota/quota_hierarchy.h"
#include "quota/quota_lp.h"
#include "util/glpk_guard.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tqoi_qh_tree_free(quota_tree *T)
{
    free(T->last);
    free(T->lo);
    free(T->hi);
    free(T->oa);
    free(T->fair);
    memset(T, 0, sizeof *T);
}

/* "nodes.csv:LINE: node 'X': " as far as it is known. */
static void where(const quota_hier *H, const quota_node_spec *S, int v, char *buf, size_t n)
{
    if (S->nodes_path && S->line[v])
        snprintf(buf, n, "%s:%ld: node '%s'", S->nodes_path, S->line[v], H->id[v]);
    else if (S->nodes_path)
        snprintf(buf, n, "%s: node '%s'", S->nodes_path, H->id[v]);
    else
        snprintf(buf, n, "node '%s'", H->id[v]);
}

static int close_to(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1, fmax(fabs(a), fabs(b))) + 5e-3;
}

/* One node's band from its growth bounds and target; nonzero after a conflict. */
static int node_band(const quota_tree *T, const quota_node_spec *S, const tqo_quota_settings *s, int v,
                     tqo_diag *diag)
{
    const quota_hier *H = T->H;
    double mn = S->min_growth[v], mx = S->max_growth[v], tg = S->target[v];
    if (v >= H->first_leaf) { /* the company's bounds for territories without their own */
        if (isnan(mn))
            mn = s->min_growth_pct;
        if (isnan(mx))
            mx = s->max_growth_pct;
    }
    char w[512];
    where(H, S, v, w, sizeof w);
    if (v == 0) {
        if (!isnan(tg) && !close_to(tg, T->company)) {
            tqo_diag_error(diag, "%s: target %.2f differs from the company target %.2f", w, tg, T->company);
            return 1;
        }
        tg = T->company;
    }
    T->lo[v] = 0;
    T->hi[v] = INFINITY;
    if (T->last[v] > 0) {
        if (!isnan(mn))
            T->lo[v] = fmax(0, T->last[v] * (1 + mn / 100.0));
        if (!isnan(mx))
            T->hi[v] = T->last[v] * (1 + mx / 100.0);
    }
    if (T->lo[v] > T->hi[v] + 1e-9) {
        tqo_diag_error(diag, "%s: its floor %.2f (growth %g%%) is above its cap %.2f (growth %g%%)", w, T->lo[v], mn,
                       T->hi[v], mx);
        return 1;
    }
    if (!isnan(tg)) {
        if (tg < T->lo[v] - 5e-3 || tg > T->hi[v] + 5e-3) {
            tqo_diag_error(diag, "%s: target %.2f is outside its band %.2f..%.2f (last year %.2f, growth %g%%..%g%%)",
                           w, tg, T->lo[v], T->hi[v], T->last[v], isnan(mn) ? -100.0 : mn, isnan(mx) ? INFINITY : mx);
            return 1;
        }
        T->lo[v] = T->hi[v] = tg;
    }
    return 0;
}

/* Bottom-up: what its children can add up to, against each node's band
   (exact for a tree: the children are independent of each other). */
static int children_check(const quota_tree *T, const quota_node_spec *S, double *elo, double *ehi, tqo_diag *diag)
{
    const quota_hier *H = T->H;
    for (int v = H->n - 1; v >= 0; v--) {
        elo[v] = T->lo[v];
        ehi[v] = T->hi[v];
        int c0 = H->child_start[v], c1 = H->child_start[v + 1];
        if (c0 == c1)
            continue;
        double clo = 0, chi = 0, f = 1 + T->oa[v] / 100.0;
        for (int k = c0; k < c1; k++) {
            clo += elo[H->child[k]];
            chi += ehi[H->child[k]];
        }
        char w[512];
        where(H, S, v, w, sizeof w);
        const char *what = T->lo[v] == T->hi[v] ? "target" : "cap";
        if (clo / f > T->hi[v] * (1 + 1e-9) + 5e-3) {
            tqo_diag_error(diag, "%s: the floors of its %d children add up to %.2f, more than its %s %.2f x %g "
                           "(over-assignment %g%%) = %.2f", w, c1 - c0, clo, what, T->hi[v], f, T->oa[v],
                           T->hi[v] * f);
            return 1;
        }
        what = T->lo[v] == T->hi[v] ? "target" : "floor";
        if (chi / f < T->lo[v] * (1 - 1e-9) - 5e-3) {
            tqo_diag_error(diag, "%s: the caps of its %d children add up to %.2f, less than its %s %.2f x %g "
                           "(over-assignment %g%%) = %.2f", w, c1 - c0, chi, what, T->lo[v], f, T->oa[v],
                           T->lo[v] * f);
            return 1;
        }
        elo[v] = fmax(T->lo[v], clo / f);
        ehi[v] = fmin(T->hi[v], chi / f);
    }
    return 0;
}

/* The fair shares split top-down: each node's quota x (1 + oa) shared by
   its children in proportion to the fair shares under them. */
static void split_fair(quota_tree *T, const double *fair, double *sub)
{
    const quota_hier *H = T->H;
    for (int v = H->n - 1; v >= 0; v--) {
        if (v >= H->first_leaf) {
            sub[v] = fmax(0, fair[v - H->first_leaf]);
            continue;
        }
        sub[v] = 0;
        for (int k = H->child_start[v]; k < H->child_start[v + 1]; k++)
            sub[v] += sub[H->child[k]];
    }
    T->fair[0] = T->company;
    for (int v = 0; v < H->first_leaf; v++) {
        int c0 = H->child_start[v], c1 = H->child_start[v + 1];
        double pool = T->fair[v] * (1 + T->oa[v] / 100.0);
        for (int k = c0; k < c1; k++)
            T->fair[H->child[k]] = sub[v] > 0 ? pool * sub[H->child[k]] / sub[v] : pool / (c1 - c0);
    }
}

tqo_status tqoi_qh_tree_init(const quota_hier *H, const quota_node_spec *S, const tqo_quota_settings *s,
                             const double *last, const double *fair, double company, quota_tree *T, tqo_diag *diag)
{
    memset(T, 0, sizeof *T);
    int n = H->n;
    T->H = H;
    T->company = company;
    T->minimax = s->minimax;
    T->last = calloc((size_t)n, sizeof(double));
    T->lo = malloc((size_t)n * sizeof(double));
    T->hi = malloc((size_t)n * sizeof(double));
    T->oa = malloc((size_t)n * sizeof(double));
    T->fair = malloc((size_t)n * sizeof(double));
    double *elo = malloc((size_t)n * sizeof(double)), *ehi = malloc((size_t)n * sizeof(double));
    tqo_status st = TQO_OK;
    if (!T->last || !T->lo || !T->hi || !T->oa || !T->fair || !elo || !ehi) {
        tqo_diag_error(diag, "out of memory in the quota hierarchy");
        st = TQO_ERR_NOMEM;
        goto done;
    }
    for (int v = n - 1; v >= 0; v--) {
        if (v >= H->first_leaf)
            T->last[v] = last[v - H->first_leaf];
        if (v > 0)
            T->last[H->parent[v]] += T->last[v];
        T->oa[v] = !isnan(S->over_assign[v]) ? S->over_assign[v] : v == 0 ? s->over_assign_pct : 0;
    }
    for (int v = 0; v < n && st == TQO_OK; v++)
        if (node_band(T, S, s, v, diag) != 0)
            st = TQO_ERR_INFEASIBLE;
    if (st == TQO_OK && children_check(T, S, elo, ehi, diag) != 0)
        st = TQO_ERR_INFEASIBLE;
    if (st == TQO_OK)
        split_fair(T, fair, elo); /* elo: scratch now */
done:
    free(elo);
    free(ehi);
    if (st != TQO_OK)
        tqoi_qh_tree_free(T);
    return st;
}

/*
 * The LP in deviation form, small in rows: Q_v = a_v + u_v - w_v with
 * u, w >= 0 around an anchor a_v (its first term's goal, else its floor),
 * the band as bounds on u and w; one row per node with children; a term
 * beyond a node's first adds u', w' and the row Q_v - goal = u' - w'.
 * Columns: u_v, w_v (2n), then u', w' per extra term, then t (minimax).
 * Scaled by sc. first[v]: v's first term or -1; anchor: n (scaled).
 */
typedef struct tree_lp {
    glp_prob *lp;
    int *first;
    double *anchor;
} tree_lp;

/* Objective weight per unit of deviation of term k (scaled columns). */
static double term_cost(const quota_term *t, double sc, double floor_g)
{
    return sc / fmax(t->goal, floor_g);
}

static void set_dev_cols(glp_prob *lp, int col, double lo_u, double hi_u, double lo_w, double hi_w, double cost)
{
    double lo[2] = {lo_u, lo_w}, hi[2] = {hi_u, hi_w};
    for (int k = 0; k < 2; k++) {
        if (!isfinite(hi[k]))
            glp_set_col_bnds(lp, col + k, GLP_LO, lo[k], 0);
        else
            glp_set_col_bnds(lp, col + k, hi[k] - lo[k] < 1e-12 ? GLP_FX : GLP_DB, lo[k], fmax(lo[k], hi[k]));
        glp_set_obj_coef(lp, col + k, cost);
    }
}

/* The columns; extra terms numbered from 0 in ext[k] (-1: a first term). */
static void tree_cols(const quota_tree *T, const quota_term *terms, int m, double sc, double floor_g, tree_lp *L,
                      const int *ext)
{
    const quota_hier *H = T->H;
    int n = H->n;
    double mm = T->minimax ? 1e-6 : 1.0; /* minimax: t first, the sum a tie-break */
    for (int v = 0; v < n; v++) {
        int k = L->first[v];
        double a = k >= 0 ? terms[k].goal / sc : T->lo[v] / sc, lo = T->lo[v] / sc, hi = T->hi[v] / sc;
        L->anchor[v] = a;
        double cost = k >= 0 ? mm * terms[k].coef * term_cost(&terms[k], sc, floor_g) : 0;
        set_dev_cols(L->lp, 2 * v + 1, fmax(0, lo - a), isfinite(hi) ? fmax(0, hi - a) : INFINITY,
                     isfinite(hi) ? fmax(0, a - hi) : 0, fmax(0, a - lo), cost);
    }
    for (int k = 0; k < m; k++)
        if (ext[k] >= 0)
            set_dev_cols(L->lp, 2 * n + 2 * ext[k] + 1, 0, INFINITY, 0, INFINITY,
                         mm * terms[k].coef * term_cost(&terms[k], sc, floor_g));
}

/* The rows: each node's children, the extra terms, minimax's t. */
static void tree_rows(const quota_tree *T, const quota_term *terms, int m, double sc, double floor_g, tree_lp *L,
                      const int *ext, int *ix, double *vx)
{
    const quota_hier *H = T->H;
    int n = H->n, ncol = glp_get_num_cols(L->lp);
    for (int v = 0; v < H->first_leaf; v++) { /* sum_c (u_c - w_c) - f (u_v - w_v) = f a_v - sum_c a_c */
        int c0 = H->child_start[v], c1 = H->child_start[v + 1], len = 0;
        if (c0 == c1)
            continue;
        double f = 1 + T->oa[v] / 100.0, rhs = f * L->anchor[v];
        for (int k = c0; k < c1; k++) {
            int c = H->child[k];
            rhs -= L->anchor[c];
            ix[++len] = 2 * c + 1, vx[len] = 1.0;
            ix[++len] = 2 * c + 2, vx[len] = -1.0;
        }
        ix[++len] = 2 * v + 1, vx[len] = -f;
        ix[++len] = 2 * v + 2, vx[len] = f;
        int row = glp_add_rows(L->lp, 1);
        glp_set_mat_row(L->lp, row, len, ix, vx);
        glp_set_row_bnds(L->lp, row, GLP_FX, rhs, rhs);
    }
    for (int k = 0; k < m; k++) {
        int v = terms[k].node, cu = ext[k] >= 0 ? 2 * n + 2 * ext[k] + 1 : 2 * v + 1;
        if (ext[k] >= 0) { /* u_v - w_v - u' + w' = goal - a_v */
            int ind[5] = {0, 2 * v + 1, 2 * v + 2, cu, cu + 1};
            double val[5] = {0, 1.0, -1.0, -1.0, 1.0}, rhs = terms[k].goal / sc - L->anchor[v];
            int row = glp_add_rows(L->lp, 1);
            glp_set_mat_row(L->lp, row, 4, ind, val);
            glp_set_row_bnds(L->lp, row, GLP_FX, rhs, rhs);
        }
        if (T->minimax) { /* t >= cost (u + w) */
            double c = term_cost(&terms[k], sc, floor_g);
            int ind[4] = {0, ncol, cu, cu + 1};
            double val[4] = {0, 1.0, -c, -c};
            int row = glp_add_rows(L->lp, 1);
            glp_set_mat_row(L->lp, row, 3, ind, val);
            glp_set_row_bnds(L->lp, row, GLP_LO, 0, 0);
        }
    }
}

static void tree_lp_free(tree_lp *L)
{
    if (L->lp)
        glp_delete_prob(L->lp);
    free(L->first);
    free(L->anchor);
    memset(L, 0, sizeof *L);
}

/* Nonzero when out of memory. */
static int build_tree_lp(const quota_tree *T, const quota_term *terms, int m, double sc, double floor_g, tree_lp *L)
{
    const quota_hier *H = T->H;
    int n = H->n, n_ext = 0;
    memset(L, 0, sizeof *L);
    L->first = malloc(((size_t)n + 1) * sizeof(int));
    L->anchor = malloc(((size_t)n + 1) * sizeof(double));
    int *ext = malloc(((size_t)m + 1) * sizeof(int)), *ix = malloc(((size_t)2 * n + 3) * sizeof(int));
    double *vx = malloc(((size_t)2 * n + 3) * sizeof(double));
    if (!L->first || !L->anchor || !ext || !ix || !vx) {
        free(ext), free(ix), free(vx);
        tree_lp_free(L);
        return 1;
    }
    for (int v = 0; v < n; v++)
        L->first[v] = -1;
    for (int k = 0; k < m; k++) {
        int v = terms[k].node;
        if (L->first[v] < 0) {
            L->first[v] = k;
            ext[k] = -1;
        } else {
            ext[k] = n_ext++;
        }
    }
    tqoi_glpk_quiet();
    L->lp = glp_create_prob();
    glp_set_obj_dir(L->lp, GLP_MIN);
    glp_add_cols(L->lp, 2 * n + 2 * n_ext + (T->minimax ? 1 : 0));
    if (T->minimax) {
        glp_set_col_bnds(L->lp, 2 * n + 2 * n_ext + 1, GLP_LO, 0, 0);
        glp_set_obj_coef(L->lp, 2 * n + 2 * n_ext + 1, 1.0);
    }
    tree_cols(T, terms, m, sc, floor_g, L, ext);
    tree_rows(T, terms, m, sc, floor_g, L, ext, ix, vx);
    free(ext), free(ix), free(vx);
    return 0;
}

/* Cents top-down: the root's, then each node's children adding up to the
   cent to its quota x (1 + oa), within their bands. */
static tqo_status round_tree(const quota_tree *T, double *q)
{
    const quota_hier *H = T->H;
    int n = H->n;
    double *v = malloc(((size_t)n + 1) * sizeof(double)), *lb = malloc(((size_t)n + 1) * sizeof(double));
    double *ub = malloc(((size_t)n + 1) * sizeof(double));
    if (!v || !lb || !ub) {
        free(v), free(lb), free(ub);
        return TQO_ERR_NOMEM;
    }
    q[0] = round(q[0] * 100) / 100;
    for (int u = 0; u < H->first_leaf; u++) {
        int c0 = H->child_start[u], m = H->child_start[u + 1] - c0;
        if (!m)
            continue;
        for (int k = 0; k < m; k++) {
            int c = H->child[c0 + k];
            v[k] = q[c];
            lb[k] = T->lo[c] > 0 ? T->lo[c] : NAN;
            ub[k] = isfinite(T->hi[c]) ? T->hi[c] : NAN;
        }
        double tot = round(q[u] * (1 + T->oa[u] / 100.0) * 100) / 100;
        if (tqoi_quota_round_cents_bounded(v, m, tot, lb, ub) < 0) {
            free(v), free(lb), free(ub);
            return TQO_ERR_NOMEM;
        }
        for (int k = 0; k < m; k++)
            q[H->child[c0 + k]] = v[k];
    }
    free(v), free(lb), free(ub);
    return TQO_OK;
}

tqo_status tqoi_qh_solve(const quota_tree *T, const quota_term *terms, int n_terms, double *q, quota_tree_out *o,
                         tqo_diag *diag)
{
    memset(o, 0, sizeof *o);
    const quota_hier *H = T->H;
    double sc = T->company > 0 ? T->company / (H->p > 0 ? H->p : 1) : 1.0, gmean = 0;
    for (int k = 0; k < n_terms; k++)
        gmean += terms[k].goal / (n_terms ? n_terms : 1);
    double floor_g = gmean > 0 ? 1e-3 * gmean : 1.0; /* a goal of 0 is weighed against a small amount */
    tree_lp L;
    if (build_tree_lp(T, terms, n_terms, sc, floor_g, &L) != 0) {
        tqo_diag_error(diag, "out of memory in the quota hierarchy LP");
        return TQO_ERR_NOMEM;
    }
    glp_prob *lp = L.lp;
    o->rows = glp_get_num_rows(lp);
    o->cols = glp_get_num_cols(lp);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    int ret;
    tqo_status st = TQO_OK;
    if (tqoi_guarded_simplex(lp, &parm, &ret) != 0) {
        tqo_diag_error(diag, "GLPK failed inside the quota hierarchy LP");
        st = TQO_ERR_SOLVER;
    } else if (ret == GLP_ENOPFS || (ret == 0 && glp_get_status(lp) == GLP_NOFEAS)) {
        tqo_diag_error(diag, "no quotas meet the hierarchy's targets and bands together");
        st = TQO_ERR_INFEASIBLE;
    } else if (ret != 0 || glp_get_status(lp) != GLP_OPT) {
        tqo_diag_error(diag, "the quota hierarchy LP failed (GLPK returned %d)", ret);
        st = TQO_ERR_SOLVER;
    }
    if (st == TQO_OK) {
        snprintf(o->status, sizeof o->status, "optimal");
        o->iterations = glp_get_it_cnt(lp);
        for (int v = 0; v < H->n; v++)
            q[v] = fmax(0, (L.anchor[v] + glp_get_col_prim(lp, 2 * v + 1) - glp_get_col_prim(lp, 2 * v + 2)) * sc);
        double obj = 0, mx = 0;
        for (int k = 0; k < n_terms; k++) {
            double d = fabs(q[terms[k].node] - terms[k].goal) / fmax(terms[k].goal, floor_g);
            obj += terms[k].coef * d;
            mx = fmax(mx, d);
        }
        o->objective = T->minimax ? mx : obj;
        if (round_tree(T, q) != TQO_OK) {
            tqo_diag_error(diag, "out of memory in the quota hierarchy");
            st = TQO_ERR_NOMEM;
        }
    }
    tree_lp_free(&L);
    return st;
}
