/* The quota LP (see quota_lp.h): solved directly without region rows, else by GLPK. */
#include "quota/quota_lp.h"
#include "quota/forecast.h"
#include "util/glpk_guard.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has(const double *v, int j)
{
    return v && !isnan(v[j]);
}

static const char *nm(const quota_lp_in *in, int j, char *buf, size_t size)
{
    if (in->name)
        return in->name[j];
    snprintf(buf, size, "#%d", j + 1);
    return buf;
}

void tqoi_quota_lp_out_free(quota_lp_out *out)
{
    free(out->q);
    free(out->bound);
    out->q = NULL;
    out->bound = NULL;
}

/* Checks that can name the numbers: floors, caps and regions. */
static tqo_status precheck(const quota_lp_in *in, tqo_diag *diag)
{
    double floors = 0, caps = 0;
    int capped_all = 1;
    char b[32];
    for (int j = 0; j < in->p; j++) {
        double lb = has(in->lb, j) ? fmax(0, in->lb[j]) : 0;
        floors += lb;
        if (has(in->ub, j) && isfinite(in->ub[j]))
            caps += in->ub[j];
        else
            capped_all = 0;
        if (has(in->lb, j) && has(in->ub, j) && in->lb[j] > in->ub[j] + 1e-9) {
            tqo_diag_error(diag, "territory '%s': its floor %.2f is above its cap %.2f", nm(in, j, b, sizeof b),
                           in->lb[j], in->ub[j]);
            return TQO_ERR_INFEASIBLE;
        }
    }
    if (floors > in->total * (1 + 1e-12) + 1e-6) {
        tqo_diag_error(diag, "the growth floors alone add up to %.2f, more than the target %.2f: lower "
                       "--min-growth or raise the target", floors, in->total);
        return TQO_ERR_INFEASIBLE;
    }
    if (capped_all && caps < in->total * (1 - 1e-12) - 1e-6) {
        tqo_diag_error(diag, "the growth caps add up to %.2f, less than the target %.2f: raise --max-growth or "
                       "lower the target", caps, in->total);
        return TQO_ERR_INFEASIBLE;
    }
    if (in->region && in->region_target) {
        double sum_targets = 0;
        int all_have = 1;
        for (int r = 0; r < in->n_regions; r++) {
            if (isnan(in->region_target[r])) {
                all_have = 0;
                continue;
            }
            sum_targets += in->region_target[r];
            double fl = 0, cp = 0;
            int nterr = 0, capped = 1;
            for (int j = 0; j < in->p; j++) {
                if (in->region[j] != r)
                    continue;
                nterr++;
                fl += has(in->lb, j) ? fmax(0, in->lb[j]) : 0;
                if (has(in->ub, j) && isfinite(in->ub[j]))
                    cp += in->ub[j];
                else
                    capped = 0;
            }
            const char *rn = in->region_name ? in->region_name[r] : "?";
            if (nterr == 0 && in->region_target[r] != 0) {
                tqo_diag_error(diag, "region '%s' has a target of %.2f but no territory", rn, in->region_target[r]);
                return TQO_ERR_INFEASIBLE;
            }
            if (fl > in->region_target[r] + 1e-6) {
                tqo_diag_error(diag, "region '%s': the floors of its %d territories add up to %.2f, more than its "
                               "target %.2f", rn, nterr, fl, in->region_target[r]);
                return TQO_ERR_INFEASIBLE;
            }
            if (capped && cp < in->region_target[r] - 1e-6) {
                tqo_diag_error(diag, "region '%s': the caps of its %d territories add up to %.2f, less than its "
                               "target %.2f", rn, nterr, cp, in->region_target[r]);
                return TQO_ERR_INFEASIBLE;
            }
        }
        int unassigned = 0;
        for (int j = 0; j < in->p; j++)
            unassigned += in->region[j] < 0;
        if (all_have && !unassigned && fabs(sum_targets - in->total) > 1e-6 * fmax(1, in->total)) {
            tqo_diag_error(diag, "the region targets add up to %.2f, but the quotas must add up to %.2f",
                           sum_targets, in->total);
            return TQO_ERR_INFEASIBLE;
        }
    }
    return TQO_OK;
}

/* Territories by weight, largest first (ties: lower index): the order in
   which the direct method moves quotas, the cheapest per unit first. */
static _Thread_local const double *g_w; /* quotas are set on several threads at once */
static int by_weight(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (g_w[i] != g_w[j])
        return g_w[i] > g_w[j] ? -1 : 1;
    return i - j;
}

/* Sum of the box [lo, hi] of every territory, clipped to f +- t w. */
static void box_sums(const quota_lp_in *in, const double *lo, const double *hi, const double *w, double t,
                     double *sl, double *sh)
{
    double a = 0, b = 0;
    for (int j = 0; j < in->p; j++) {
        a += fmax(lo[j], in->fair[j] - t * w[j]);
        b += fmin(hi[j], in->fair[j] + t * w[j]);
    }
    *sl = a;
    *sh = b;
}

/* Each territory's bounds and objective weight (the fair share, at least
   floor_f), as the LP's columns and rows have them. */
static void bounds_weights(const quota_lp_in *in, double floor_f, double *lo, double *hi, double *w)
{
    for (int j = 0; j < in->p; j++) {
        lo[j] = has(in->lb, j) ? fmax(0, in->lb[j]) : 0;
        hi[j] = has(in->ub, j) && isfinite(in->ub[j]) ? fmax(lo[j], in->ub[j]) : INFINITY;
        w[j] = fmax(in->fair[j], floor_f);
    }
}

/* Where territory j stands when the group's common level of deviation is
   L, moving in direction sg (+1 up to hi, -1 down to lo) from q. */
static double level_at(double f, double w, double q, double lo, double hi, double sg, double L)
{
    double v = f + sg * L * w;
    return sg > 0 ? fmin(hi, fmax(q, v)) : fmax(lo, fmin(q, v));
}

/*
 * Moves as much of the gap D as the m territories grp[] can take
 * (water-filling: the smallest common deviation level L that takes it,
 * by bisection, then the tiny excess given back in proportion), so that
 * no one takes more than its share of the move. Returns what is left of D.
 */
static double spread_group(const double *fair, const double *w, const double *lo, const double *hi, const int *grp,
                           int m, double *q, double D)
{
    double sg = D > 0 ? 1 : -1, need = fabs(D), room = 0, wmin = INFINITY, L0 = INFINITY, L1 = -INFINITY;
    for (int i = 0; i < m; i++) {
        int j = grp[i];
        room += sg > 0 ? hi[j] - q[j] : q[j] - lo[j];
        wmin = fmin(wmin, w[j]);
        double at = sg * (q[j] - fair[j]) / w[j]; /* the level at which j starts to move */
        L0 = fmin(L0, at);
        L1 = fmax(L1, at);
    }
    if (room <= need) {
        for (int i = 0; i < m; i++)
            q[grp[i]] = sg > 0 ? hi[grp[i]] : lo[grp[i]];
        return D - sg * room;
    }
    L1 += need / wmin; /* every territory has moved need or reached its bound: enough */
    for (int it = 0; it < 200 && L1 - L0 > 1e-15 * fmax(1, fabs(L1)); it++) {
        double Lm = 0.5 * (L0 + L1), a = 0;
        for (int i = 0; i < m; i++) {
            int j = grp[i];
            a += sg * (level_at(fair[j], w[j], q[j], lo[j], hi[j], sg, Lm) - q[j]);
        }
        if (a >= need)
            L1 = Lm;
        else
            L0 = Lm;
    }
    double a = 0;
    for (int i = 0; i < m; i++) {
        int j = grp[i];
        a += sg * (level_at(fair[j], w[j], q[j], lo[j], hi[j], sg, L1) - q[j]);
    }
    double keep = a > 0 ? need / a : 0; /* a >= need: scale the moves down to need */
    for (int i = 0; i < m; i++) {
        int j = grp[i];
        q[j] += (level_at(fair[j], w[j], q[j], lo[j], hi[j], sg, L1) - q[j]) * keep;
    }
    return 0;
}

/*
 * The quota LP without region rows, solved exactly without a simplex: the
 * objective is separable with one coupling row, so (sum) start every quota
 * at its fair share clipped to its bounds and move the gap to the target
 * onto the territories with the largest fair shares first, the cheapest
 * per unit of relative deviation; (minimax) find the smallest deviation t
 * whose boxes f +- t f can still meet the target (bisection: the box sums
 * are monotone in t), then do the same within those boxes. Thousands of
 * times faster than the simplex, which is what tqo scenarios needs.
 */
static tqo_status solve_direct(const quota_lp_in *in, quota_lp_out *out, double floor_f, tqo_diag *diag)
{
    int p = in->p;
    double *lo = malloc(((size_t)p + 1) * sizeof(double)), *hi = malloc(((size_t)p + 1) * sizeof(double));
    double *w = malloc(((size_t)p + 1) * sizeof(double));
    int *ord = malloc(((size_t)p + 1) * sizeof(int));
    if (!lo || !hi || !w || !ord) {
        free(lo);
        free(hi);
        free(w);
        free(ord);
        return TQO_ERR_NOMEM;
    }
    bounds_weights(in, floor_f, lo, hi, w);
    for (int j = 0; j < p; j++)
        ord[j] = j;
    double T = in->total;
    if (in->minimax) {
        /* t0: every box f +- t w meets [lo, hi]; then the smallest t >= t0
           whose boxes can add up to T. */
        double t0 = 0, t1;
        for (int j = 0; j < p; j++) {
            t0 = fmax(t0, (lo[j] - in->fair[j]) / w[j]);
            t0 = fmax(t0, (in->fair[j] - hi[j]) / w[j]);
        }
        double sl, sh;
        box_sums(in, lo, hi, w, t0, &sl, &sh);
        if (!(sl <= T && T <= sh)) {
            t1 = fmax(1.0, 2 * t0);
            for (int k = 0; k < 200; k++) {
                box_sums(in, lo, hi, w, t1, &sl, &sh);
                if (sl <= T && T <= sh)
                    break;
                t1 *= 2;
            }
            for (int k = 0; k < 200 && t1 - t0 > 1e-15 * fmax(1, t1); k++) {
                double tm = 0.5 * (t0 + t1);
                box_sums(in, lo, hi, w, tm, &sl, &sh);
                if (sl <= T && T <= sh)
                    t1 = tm;
                else
                    t0 = tm;
            }
            t0 = t1; /* the feasible end */
        }
        for (int j = 0; j < p; j++) {
            double a = fmax(lo[j], in->fair[j] - t0 * w[j]), b = fmin(hi[j], in->fair[j] + t0 * w[j]);
            lo[j] = a;
            hi[j] = fmax(a, b);
        }
    }
    double S = 0;
    for (int j = 0; j < p; j++) {
        out->q[j] = fmin(fmax(in->fair[j], lo[j]), hi[j]);
        S += out->q[j];
    }
    g_w = w;
    qsort(ord, (size_t)p, sizeof *ord, by_weight);
    double D = T - S;
    for (int k = 0; k < p && D != 0;) {
        /* Territories of (nearly) equal weight cost the same per unit: any
           split of the gap among them is sum-optimal, so take the fairest,
           the one with the smallest largest deviation. */
        int m = 1;
        while (k + m < p && w[ord[k + m]] >= w[ord[k]] * (1 - 1e-9))
            m++;
        if (m == 1) { /* the common case, exactly as before */
            int j = ord[k];
            double room = D > 0 ? hi[j] - out->q[j] : out->q[j] - lo[j];
            double step = fmin(room, fabs(D));
            out->q[j] += D > 0 ? step : -step;
            D += D > 0 ? -step : step;
        } else {
            D = spread_group(in->fair, w, lo, hi, ord + k, m, out->q, D);
        }
        k += m;
    }
    free(lo);
    free(hi);
    free(w);
    free(ord);
    if (fabs(D) > 1e-6 * fmax(1, fabs(T))) {
        tqo_diag_error(diag, "no quotas meet the target and the growth bounds together");
        snprintf(out->status, sizeof out->status, "infeasible");
        return TQO_ERR_INFEASIBLE;
    }
    snprintf(out->status, sizeof out->status, "optimal");
    return TQO_OK;
}

/* Objective and the quotas held at a bound. */
static void finish(const quota_lp_in *in, quota_lp_out *out, double floor_f)
{
    double obj = 0, mx = 0;
    for (int j = 0; j < in->p; j++) {
        double q = out->q[j];
        double f = fmax(in->fair[j], floor_f);
        double dv = fabs(q - in->fair[j]) / f;
        obj += dv;
        if (dv > mx)
            mx = dv;
        double tol = 1e-7 * fmax(1.0, fabs(q));
        if (has(in->lb, j) && in->lb[j] > 0 && q <= in->lb[j] + tol)
            out->bound[j] = 'l';
        else if (has(in->ub, j) && isfinite(in->ub[j]) && q >= in->ub[j] - tol)
            out->bound[j] = 'u';
    }
    out->objective = in->minimax ? mx : obj;
}

/* Territory j's region when that region has a target row, else -1. */
static int target_region(const quota_lp_in *in, int j)
{
    int r = in->region && in->region_target ? in->region[j] : -1;
    return r >= 0 && !isnan(in->region_target[r]) ? r : -1;
}

/*
 * The simplex returns one vertex of the sum objective's optimal face, which
 * piles a gap on one territory where several could take it at the same cost:
 * those of (nearly) equal weight in the same region row (or in none). Moving
 * quotas within such a group, all in the group's direction, changes neither
 * the objective nor any row sum, so each group's total move is spread again
 * by water-filling, as the direct method does: the fairest of those optima.
 */
static tqo_status spread_ties(const quota_lp_in *in, double floor_f, double *q)
{
    int p = in->p;
    int *grp = malloc(((size_t)p + 1) * sizeof(int)), *done = calloc((size_t)p + 1, sizeof(int));
    double *lo = malloc(((size_t)p + 1) * sizeof(double)), *hi = malloc(((size_t)p + 1) * sizeof(double));
    double *keep = malloc(((size_t)p + 1) * sizeof(double)), *w = malloc(((size_t)p + 1) * sizeof(double));
    if (!grp || !done || !lo || !hi || !keep || !w) {
        free(grp), free(done), free(lo), free(hi), free(keep), free(w);
        return TQO_ERR_NOMEM;
    }
    bounds_weights(in, floor_f, lo, hi, w);
    for (int j = 0; j < p; j++) {
        if (done[j])
            continue;
        int rj = target_region(in, j);
        int m = 0;
        for (int k = j; k < p; k++) {
            if (!done[k] && target_region(in, k) == rj && fabs(w[k] - w[j]) <= 1e-9 * w[j]) {
                grp[m++] = k;
                done[k] = 1;
            }
        }
        if (m < 2)
            continue;
        double D = 0;
        for (int i = 0; i < m; i++) { /* from the fair shares, the group's whole move again */
            int k = grp[i];
            keep[k] = q[k];
            double s = fmin(fmax(in->fair[k], lo[k]), hi[k]);
            D += q[k] - s;
            q[k] = s;
        }
        if (D == 0 || fabs(spread_group(in->fair, w, lo, hi, grp, m, q, D)) > 1e-9 * fmax(1, in->total))
            for (int i = 0; i < m; i++) /* nothing to spread, or numbers that will not: as it was */
                q[grp[i]] = keep[grp[i]];
    }
    free(grp), free(done), free(lo), free(hi), free(keep), free(w);
    return TQO_OK;
}

/* The simplex's quotas: its ties spread (sum objective), then finished. */
static tqo_status settle_simplex(const quota_lp_in *in, quota_lp_out *out, double floor_f, tqo_diag *diag)
{
    if (!in->minimax && spread_ties(in, floor_f, out->q) != TQO_OK) {
        tqo_diag_error(diag, "out of memory in the quota LP");
        return TQO_ERR_NOMEM;
    }
    finish(in, out, floor_f);
    return TQO_OK;
}

/* The rows of the quota LP over columns q_1..q_p, d_1..d_p (and t for
   minimax): the total, each region's target, and the deviations.
   Nonzero when out of memory. */
static int add_quota_rows(const quota_lp_in *in, glp_prob *lp, double sc, double floor_f)
{
    int p = in->p, nq = p, ncol = nq + p + (in->minimax ? 1 : 0);
    int ind[4];
    double val[4];
    /* total */
    int row = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, row, GLP_FX, in->total / sc, in->total / sc);
    {
        int *ix = malloc(((size_t)p + 1) * sizeof(int));
        double *vx = malloc(((size_t)p + 1) * sizeof(double));
        if (!ix || !vx) {
            free(ix);
            free(vx);
            return 1;
        }
        for (int j = 0; j < p; j++) {
            ix[j + 1] = j + 1;
            vx[j + 1] = 1.0;
        }
        glp_set_mat_row(lp, row, p, ix, vx);
        /* regions */
        for (int r = 0; in->region && in->region_target && r < in->n_regions; r++) {
            if (isnan(in->region_target[r]))
                continue;
            int k = 0;
            for (int j = 0; j < p; j++)
                if (in->region[j] == r) {
                    ix[++k] = j + 1;
                    vx[k] = 1.0;
                }
            row = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, row, GLP_FX, in->region_target[r] / sc, in->region_target[r] / sc);
            glp_set_mat_row(lp, row, k, ix, vx);
        }
        free(ix);
        free(vx);
    }
    /* d_j >= +-(q_j - f_j) / f_j  <=>  f_j d_j - q_j >= -f_j  and  f_j d_j + q_j >= f_j */
    for (int j = 0; j < p; j++) {
        double f = fmax(in->fair[j], floor_f) / sc, target = in->fair[j] / sc;
        row = glp_add_rows(lp, 2);
        ind[1] = nq + j + 1;
        val[1] = f;
        ind[2] = j + 1;
        val[2] = -1.0;
        glp_set_mat_row(lp, row, 2, ind, val);
        glp_set_row_bnds(lp, row, GLP_LO, -target, 0);
        val[2] = 1.0;
        glp_set_mat_row(lp, row + 1, 2, ind, val);
        glp_set_row_bnds(lp, row + 1, GLP_LO, target, 0);
        if (in->minimax) {
            row = glp_add_rows(lp, 1);
            ind[1] = ncol;
            val[1] = 1.0;
            ind[2] = nq + j + 1;
            val[2] = -1.0;
            glp_set_mat_row(lp, row, 2, ind, val);
            glp_set_row_bnds(lp, row, GLP_LO, 0, 0);
        }
    }
    return 0;
}

/* The quota LP's columns and rows, scaled by sc; NULL when out of memory. */
static glp_prob *build_quota_lp(const quota_lp_in *in, double sc, double floor_f)
{
    int p = in->p;
    tqoi_glpk_quiet();
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    int nq = p, nd = p, ncol = nq + nd + (in->minimax ? 1 : 0);
    glp_add_cols(lp, ncol);
    for (int j = 0; j < p; j++) {
        double lb = has(in->lb, j) ? fmax(0, in->lb[j]) / sc : 0;
        double ub = has(in->ub, j) && isfinite(in->ub[j]) ? in->ub[j] / sc : INFINITY;
        if (isfinite(ub))
            glp_set_col_bnds(lp, j + 1, ub - lb < 1e-12 ? GLP_FX : GLP_DB, lb, fmax(lb, ub));
        else
            glp_set_col_bnds(lp, j + 1, GLP_LO, lb, 0);
        glp_set_col_bnds(lp, nq + j + 1, GLP_LO, 0, 0);
        /* sum: minimise the deviations; minimax: the largest, with a tiny
           weight on the sum so the others are as close as they can be */
        glp_set_obj_coef(lp, nq + j + 1, in->minimax ? 1e-6 : 1.0);
    }
    if (in->minimax) {
        glp_set_col_bnds(lp, ncol, GLP_LO, 0, 0);
        glp_set_obj_coef(lp, ncol, 1.0);
    }
    if (add_quota_rows(in, lp, sc, floor_f) != 0) {
        glp_delete_prob(lp);
        return NULL;
    }
    return lp;
}

tqo_status tqoi_quota_lp_solve(const quota_lp_in *in, quota_lp_out *out, tqo_diag *diag)
{
    memset(out, 0, sizeof *out);
    int p = in->p;
    if (p <= 0) {
        tqo_diag_error(diag, "no territories to set quotas for");
        return TQO_ERR_ARG;
    }
    tqo_status st = precheck(in, diag);
    if (st != TQO_OK)
        return st;
    out->q = calloc((size_t)p, sizeof(double));
    out->bound = calloc((size_t)p, 1);
    if (!out->q || !out->bound) {
        tqoi_quota_lp_out_free(out);
        return TQO_ERR_NOMEM;
    }
    /* Relative deviations need f_j > 0: a territory without a fair share
       is weighed against a small fraction of the mean instead. */
    double mean = 0;
    for (int j = 0; j < p; j++)
        mean += in->fair[j];
    mean /= p;
    double floor_f = mean > 0 ? 1e-3 * mean : 1.0;
    int regions = 0;
    for (int r = 0; in->region && in->region_target && r < in->n_regions; r++)
        regions += !isnan(in->region_target[r]);
    if (!regions && !in->use_simplex) {
        st = solve_direct(in, out, floor_f, diag);
        if (st == TQO_OK)
            finish(in, out, floor_f);
        else
            tqoi_quota_lp_out_free(out);
        return st;
    }
    /* Columns: q_1..q_p, d_1..d_p, t (minimax). Scaled by the mean so that
       GLPK sees numbers of order one. */
    double sc = mean > 0 ? mean : (in->total > 0 ? in->total / p : 1.0);
    glp_prob *lp = build_quota_lp(in, sc, floor_f);
    if (!lp) {
        tqoi_quota_lp_out_free(out);
        return TQO_ERR_NOMEM;
    }
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    int ret;
    if (tqoi_guarded_simplex(lp, &parm, &ret) != 0) {
        tqo_diag_error(diag, "GLPK failed inside the quota LP");
        tqoi_quota_lp_out_free(out);
        return TQO_ERR_SOLVER;
    }
    int status = ret == 0 ? glp_get_status(lp) : GLP_UNDEF;
    if (ret == GLP_ENOPFS || status == GLP_NOFEAS) {
        tqo_diag_error(diag, "no quotas meet the target, the growth bounds and the region targets together");
        st = TQO_ERR_INFEASIBLE;
        snprintf(out->status, sizeof out->status, "infeasible");
    } else if (ret != 0 || status != GLP_OPT) {
        tqo_diag_error(diag, "the quota LP failed (GLPK returned %d, status %d)", ret, status);
        st = TQO_ERR_SOLVER;
        snprintf(out->status, sizeof out->status, "glpk error %d", ret);
    } else {
        snprintf(out->status, sizeof out->status, "optimal");
        for (int j = 0; j < p; j++) {
            double q = glp_get_col_prim(lp, j + 1) * sc;
            out->q[j] = q < 0 ? 0 : q;
        }
        st = settle_simplex(in, out, floor_f, diag);
    }
    glp_delete_prob(lp);
    if (st != TQO_OK)
        tqoi_quota_lp_out_free(out);
    return st;
}

void tqoi_quota_round_cents(double *v, int n, double total)
{
    /* The same largest-remainder split as period quotas, with the amounts
       themselves as weights. */
    if (n <= 0)
        return;
    double *w = malloc((size_t)n * sizeof *w);
    int64_t *cents = malloc((size_t)n * sizeof *cents);
    if (w && cents) {
        memcpy(w, v, (size_t)n * sizeof *w);
        tqoi_forecast_split_cents(total, w, n, cents, v); /* on a bad input v is left as it is */
    }
    free(w);
    free(cents);
}

/* Remainders for rounding to cents, largest first (ties: lower index). */
typedef struct cent_rem {
    double frac;
    int i;
} cent_rem;

static int by_frac(const void *a, const void *b)
{
    const cent_rem *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    return x->i - y->i;
}

/* One cent more (dir +1) or less (-1) for territories in the order of r
   (from the front for +1, the back for -1) that stay within [lo, hi];
   returns the cents still to move (0 unless none had room). */
static int64_t move_cents(int64_t *c, const int64_t *lo, const int64_t *hi, const cent_rem *r, int n, int64_t left)
{
    while (left != 0) {
        int moved = 0;
        for (int k = 0; k < n && left != 0; k++) {
            int i = left > 0 ? r[k].i : r[n - 1 - k].i;
            if (left > 0 && c[i] < hi[i]) {
                c[i]++;
                left--;
                moved = 1;
            } else if (left < 0 && c[i] > lo[i]) {
                c[i]--;
                left++;
                moved = 1;
            }
        }
        if (!moved)
            break;
    }
    return left;
}

int tqoi_quota_round_cents_bounded(double *v, int n, double total, const double *lb, const double *ub)
{
    int broken = 0;
    if (n <= 0 || !isfinite(total) || fabs(total) > 9e13)
        return 0;
    /* Cents are added up in int64_t: a value or lower bound beyond cap
       cents (only a hostile file gets there) leaves v unrounded, and upper
       bounds are clamped to it, so no conversion or sum can overflow. */
    double cap = 4e18 / ((double)n + 1);
    for (int i = 0; i < n; i++)
        if (fmax(0, v[i]) * 100.0 > cap || (lb && lb[i] > 0 && lb[i] * 100.0 > cap))
            return 0;
    int64_t *c = malloc((size_t)n * sizeof *c), *lo = malloc((size_t)n * sizeof *lo);
    int64_t *hi = malloc((size_t)n * sizeof *hi);
    cent_rem *r = malloc((size_t)n * sizeof *r);
    if (!c || !lo || !hi || !r) {
        broken = -1; /* out of memory: v is not rounded */
        goto out;
    }
    int64_t T = llround(total * 100.0), sum = 0;
    for (int i = 0; i < n; i++) {
        /* The cents that keep the bounds (1e-6 of a cent: the LP's own
           noise, not a real shortfall); none when both lie within one cent. */
        lo[i] = 0;
        hi[i] = INT64_MAX;
        if (lb && !isnan(lb[i]) && lb[i] > 0)
            lo[i] = (int64_t)ceil(lb[i] * 100.0 - 1e-6);
        if (ub && !isnan(ub[i]) && isfinite(ub[i]))
            hi[i] = (int64_t)floor(fmin(fmax(ub[i] * 100.0 + 1e-6, -cap), cap));
        double raw = fmax(0, v[i]) * 100.0, fl = floor(raw);
        if (lo[i] > hi[i])
            lo[i] = hi[i] = llround(raw);
        c[i] = (int64_t)fl;
        r[i].frac = raw - fl;
        r[i].i = i;
        /* round towards the bound that would otherwise be broken */
        if (c[i] < lo[i])
            c[i] = lo[i];
        if (c[i] > hi[i])
            c[i] = hi[i];
        sum += c[i];
    }
    qsort(r, (size_t)n, sizeof *r, by_frac);
    int64_t left = move_cents(c, lo, hi, r, n, T - sum);
    if (left != 0) { /* no cents keep every bound: the exact total wins */
        for (int i = 0; i < n; i++) {
            lo[i] = 0;
            hi[i] = INT64_MAX;
        }
        move_cents(c, lo, hi, r, n, left);
    }
    for (int i = 0; i < n; i++) {
        v[i] = (double)c[i] / 100.0;
        broken += (lb && !isnan(lb[i]) && v[i] < lb[i] - 1e-8) || (ub && !isnan(ub[i]) && v[i] > ub[i] + 1e-8);
    }
out:
    free(c);
    free(lo);
    free(hi);
    free(r);
    return broken;
}
