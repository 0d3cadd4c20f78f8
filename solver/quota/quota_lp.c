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

void quota_lp_out_free(quota_lp_out *out)
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
    for (int j = 0; j < p; j++) {
        lo[j] = has(in->lb, j) ? fmax(0, in->lb[j]) : 0;
        hi[j] = has(in->ub, j) && isfinite(in->ub[j]) ? fmax(lo[j], in->ub[j]) : INFINITY;
        w[j] = fmax(in->fair[j], floor_f);
        ord[j] = j;
    }
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
    for (int k = 0; k < p && D != 0; k++) {
        int j = ord[k];
        double room = D > 0 ? hi[j] - out->q[j] : out->q[j] - lo[j];
        double step = fmin(room, fabs(D));
        out->q[j] += D > 0 ? step : -step;
        D += D > 0 ? -step : step;
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

tqo_status quota_lp_solve(const quota_lp_in *in, quota_lp_out *out, tqo_diag *diag)
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
        quota_lp_out_free(out);
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
            quota_lp_out_free(out);
        return st;
    }
    /* Columns: q_1..q_p, d_1..d_p, t (minimax). Scaled by the mean so that
       GLPK sees numbers of order one. */
    double sc = mean > 0 ? mean : (in->total > 0 ? in->total / p : 1.0);
    glpk_quiet();
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
            glp_delete_prob(lp);
            quota_lp_out_free(out);
            return TQO_ERR_NOMEM;
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
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    int ret;
    if (guarded_simplex(lp, &parm, &ret) != 0) {
        tqo_diag_error(diag, "GLPK failed inside the quota LP");
        quota_lp_out_free(out);
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
        finish(in, out, floor_f);
    }
    glp_delete_prob(lp);
    if (st != TQO_OK)
        quota_lp_out_free(out);
    return st;
}

void quota_round_cents(double *v, int n, double total)
{
    /* The same largest-remainder split as period quotas, with the amounts
       themselves as weights. */
    if (n <= 0)
        return;
    double *w = malloc((size_t)n * sizeof *w);
    int64_t *cents = malloc((size_t)n * sizeof *cents);
    if (w && cents) {
        memcpy(w, v, (size_t)n * sizeof *w);
        forecast_split_cents(total, w, n, cents, v); /* on a bad input v is left as it is */
    }
    free(w);
    free(cents);
}
