/*
 * The hierarchy's two plans (see quota_hierarchy.h):
 *
 *   top-down    min sum_n |Q_n - F_n| / F_n   (F: the fair shares split
 *               down the tree), every node counted once;
 *   reconciled  min sum_{n submitted} w_n |Q_n - S_n| / S_n
 *                 + EPS sum_n |Q_n - TD_n| / TD_n
 *               (S: the submissions, TD: the top-down plan; EPS keeps the
 *               nodes nobody submitted for near the top-down plan without
 *               weighing against any submission),
 *
 * both over the same tree, bands and company target.
 */
#include "quota/quota_hierarchy.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECONCILE_EPS 1e-4

static void nodes_free(tqo_quota_result *r)
{
    for (int v = 0; r->nodes && v < r->n_nodes; v++) {
        free(r->nodes[v].id);
        free(r->nodes[v].level);
    }
    free(r->nodes);
    r->nodes = NULL;
    r->n_nodes = 0;
}

/* The result's node table from the tree, the plans and the spec. */
static tqo_status fill_nodes(const quota_tree *T, const quota_node_spec *S, const double *td, const double *rec,
                             tqo_quota_result *r)
{
    const quota_hier *H = T->H;
    r->nodes = calloc((size_t)H->n, sizeof *r->nodes);
    if (!r->nodes)
        return TQO_ERR_NOMEM;
    r->n_nodes = H->n;
    const double *q = rec ? rec : td;
    for (int v = 0; v < H->n; v++) {
        tqo_quota_node *nd = &r->nodes[v];
        if (!(nd->id = strdup(H->id[v])) || !(nd->level = strdup(H->level[v])))
            return TQO_ERR_NOMEM;
        nd->parent = H->parent[v];
        nd->depth = H->depth[v];
        nd->territory = v >= H->first_leaf ? v - H->first_leaf : -1;
        nd->quota = q[v];
        nd->children_sum = NAN;
        if (H->child_start[v] < H->child_start[v + 1]) {
            double cs = 0;
            for (int k = H->child_start[v]; k < H->child_start[v + 1]; k++)
                cs += q[H->child[k]];
            nd->children_sum = round(cs * 100) / 100;
        }
        nd->last_year = T->last[v];
        nd->growth_pct = T->last[v] > 0 ? 100.0 * (q[v] / T->last[v] - 1) : NAN;
        nd->over_assign_pct = T->oa[v];
        nd->lo = T->lo[v] > 0 ? T->lo[v] : NAN;
        nd->hi = isfinite(T->hi[v]) ? T->hi[v] : NAN;
        nd->target = T->lo[v] == T->hi[v] ? T->lo[v] : NAN;
        nd->top_down = td[v];
        nd->submitted = S->submitted[v];
        nd->reconciled = rec ? rec[v] : NAN;
    }
    return TQO_OK;
}

/* The territories' quotas and bound flags from the final plan. */
static void to_territories(const quota_tree *T, const double *q, tqo_quota_result *r)
{
    const quota_hier *H = T->H;
    double sum = 0;
    for (int j = 0; j < H->p; j++) {
        int v = H->first_leaf + j;
        r->quota[j] = q[v];
        sum += q[v];
        double tol = 1e-7 * fmax(1.0, q[v]) + 0.005;
        r->bound[j] = 0;
        if (T->lo[v] > 0 && T->lo[v] < T->hi[v] && q[v] <= T->lo[v] + tol)
            r->bound[j] = 'l';
        else if (isfinite(T->hi[v]) && T->lo[v] < T->hi[v] && q[v] >= T->hi[v] - tol)
            r->bound[j] = 'u';
    }
    r->total = round(sum * 100) / 100;
}

/* Region targets of the settings (--region-targets) as node targets. */
static tqo_status region_targets(const quota_hier *H, const tqo_quota_settings *s, quota_node_spec *S,
                                 tqo_diag *diag)
{
    for (int k = 0; k < s->n_region_targets; k++) {
        int v = tqoi_qh_find(H, s->region_names[k]);
        if (v < 0) {
            tqo_diag_error(diag, "--region-targets: no node '%s' in the hierarchy (%s)", s->region_names[k],
                           H->source);
            return TQO_ERR_INPUT;
        }
        if (!isnan(S->target[v]) && fabs(S->target[v] - s->region_targets[k]) > 5e-3) {
            tqo_diag_error(diag, "node '%s': target %.2f in the nodes file but %.2f in --region-targets",
                           H->id[v], S->target[v], s->region_targets[k]);
            return TQO_ERR_INFEASIBLE;
        }
        S->target[v] = s->region_targets[k];
    }
    return TQO_OK;
}

/* Both plans on a built tree; td and rec: n each. */
static tqo_status two_plans(const quota_tree *T, const quota_node_spec *S, const tqo_quota_settings *s, double *td,
                            double *rec, int *has_rec, tqo_quota_result *r, tqo_diag *diag)
{
    const quota_hier *H = T->H;
    int n = H->n, m = 0;
    quota_term *terms = malloc(((size_t)2 * n + 1) * sizeof *terms);
    if (!terms)
        return TQO_ERR_NOMEM;
    for (int v = 1; v < n; v++)
        terms[m++] = (quota_term){v, T->fair[v], 1.0};
    quota_tree_out o;
    double t0 = omp_get_wtime();
    tqo_status st = tqoi_qh_solve(T, terms, m, td, &o, diag);
    if (st == TQO_OK) {
        tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "quota hierarchy LP (top-down): %d nodes, %d rows x %d "
                       "columns, %d simplex iterations, %.3f s", n, o.rows, o.cols, o.iterations, omp_get_wtime() - t0);
        r->objective = o.objective;
        snprintf(r->lp_status, sizeof r->lp_status, "%s", o.status);
        m = 0;
        for (int v = 1; v < n; v++)
            if (!isnan(S->submitted[v]))
                terms[m++] = (quota_term){v, S->submitted[v], S->weight[v]};
        *has_rec = m > 0;
        for (int v = 1; *has_rec && v < n; v++)
            terms[m++] = (quota_term){v, td[v], RECONCILE_EPS};
        t0 = omp_get_wtime();
        if (*has_rec && (st = tqoi_qh_solve(T, terms, m, rec, &o, diag)) == TQO_OK)
            tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "quota hierarchy LP (reconciled): %d rows x %d "
                           "columns, %d simplex iterations, %.3f s", o.rows, o.cols, o.iterations,
                           omp_get_wtime() - t0);
    }
    free(terms);
    return st;
}

tqo_status tqoi_qh_plan(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                        tqo_quota_result *r, tqo_diag *diag)
{
    const char *const *region = (const char *const *)r->region;
    const double *last = r->last_year, *fair = r->fair_share;
    quota_hier H;
    quota_node_spec S;
    quota_tree T;
    memset(&S, 0, sizeof S);
    memset(&T, 0, sizeof T);
    double *td = NULL, *rec = NULL;
    tqo_status st = tqoi_qh_build(inst, a, region, s->hierarchy, &H, diag);
    if (st != TQO_OK)
        return st;
    st = tqoi_qh_spec_load(&H, s->nodes, s->submissions, &S, diag);
    if (st == TQO_OK)
        st = region_targets(&H, s, &S, diag);
    if (st == TQO_OK)
        st = tqoi_qh_tree_init(&H, &S, s, last, fair, r->target, &T, diag);
    if (st != TQO_OK)
        goto done;
    td = malloc((size_t)H.n * sizeof(double));
    rec = malloc((size_t)H.n * sizeof(double));
    if (!td || !rec) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    int has_rec = 0;
    st = two_plans(&T, &S, s, td, rec, &has_rec, r, diag);
    if (st == TQO_OK)
        st = fill_nodes(&T, &S, td, has_rec ? rec : NULL, r);
    if (st == TQO_OK)
        to_territories(&T, has_rec ? rec : td, r);
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "out of memory in the quota hierarchy");
done:
    if (st != TQO_OK)
        nodes_free(r);
    free(td);
    free(rec);
    tqoi_qh_tree_free(&T);
    tqoi_qh_spec_free(&S);
    tqoi_qh_free(&H);
    return st;
}
