/*
 * tqo_align: the alignment pipeline.
 *
 *   setup and checks -> centres (fixed homes, or chosen) -> allocation LP
 *   with a proven bound -> whole units (MIP over the split ones) ->
 *   contiguity repair -> local search -> result
 *
 * or, with --exact, the whole assignment as one MIP in GLPK.
 */
#include "align/align_internal.h"
#include "align/map_svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Progress for the caller's log. */
#define say(c, ...) tqo_log_printf((c)->s->log, (c)->s->log_ctx, TQO_LOG_INFO, __VA_ARGS__)

void tqo_align_result_free(tqo_align_result *r)
{
    if (!r)
        return;
    if (r->territory_id)
        for (int j = 0; j < r->n_territories; j++)
            free(r->territory_id[j]);
    free(r->territory_id);
    free(r->center_x);
    free(r->center_y);
    free(r->unit_start);
    free(r->terr);
    free(r->share);
    free(r->total);
    free(r->target);
    free(r->dev_pct);
    free(r->compactness);
    free(r->units_in);
    free(r->exceptions);
    memset(r, 0, sizeof *r);
}

/* Fills the result from shares (x) or whole units (asg). */
static tqo_status fill_result(align_ctx *c, const alloc_solution *x, const int *asg, tqo_align_result *r)
{
    int n = c->n, p = c->p, nb = c->nb;
    r->n_units = n;
    r->n_territories = p;
    r->n_balance = nb;
    r->fixed_centres = c->n_fixed == p;
    r->territory_id = calloc((size_t)p, sizeof(char *));
    r->center_x = malloc((size_t)p * sizeof(double));
    r->center_y = malloc((size_t)p * sizeof(double));
    r->unit_start = malloc((size_t)(n + 1) * sizeof(int));
    int m = x ? x->start[n] : n;
    r->terr = malloc((size_t)(m + 1) * sizeof(int));
    r->share = malloc((size_t)(m + 1) * sizeof(double));
    r->total = calloc((size_t)p * nb, sizeof(double));
    r->target = malloc((size_t)p * nb * sizeof(double));
    r->dev_pct = malloc((size_t)p * nb * sizeof(double));
    r->compactness = calloc((size_t)p, sizeof(double));
    r->units_in = calloc((size_t)p, sizeof(int));
    if (!r->territory_id || !r->center_x || !r->center_y || !r->unit_start || !r->terr || !r->share ||
        !r->total || !r->target || !r->dev_pct || !r->compactness || !r->units_in)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++) {
        r->territory_id[j] = strdup(c->territory_id[j]);
        if (!r->territory_id[j])
            return TQO_ERR_NOMEM;
        r->center_x[j] = c->cx[j];
        r->center_y[j] = c->cy[j];
    }
    memcpy(r->target, c->target, (size_t)p * nb * sizeof(double));
    double obj = 0, moved = 0;
    int k = 0;
    r->splits = 0;
    r->moved_units = 0;
    for (int i = 0; i < n; i++) {
        r->unit_start[i] = k;
        int k0 = x ? x->start[i] : 0, k1 = x ? x->start[i + 1] : 1;
        int unit_moved = 0;
        for (int q = k0; q < k1; q++) {
            int j = x ? x->terr[q] : asg[i];
            double sh = x ? x->share[q] : 1.0;
            r->terr[k] = j;
            r->share[k] = sh;
            k++;
            for (int b = 0; b < nb; b++)
                r->total[j * nb + b] += sh * c->a[b][i];
            double d2 = alloc_dist2(&c->P, i, j);
            r->compactness[j] += sh * c->w[i] * d2;
            obj += sh * alloc_cost(&c->P, i, j);
            r->units_in[j]++;
            if (c->current && c->current[i] >= 0 && c->current[i] != j) {
                moved += sh * c->a[0][i];
                unit_moved = 1;
            }
        }
        r->splits += k1 - k0 > 1;
        r->moved_units += unit_moved;
    }
    r->unit_start[n] = k;
    r->objective = obj;
    r->moved_share = c->current ? 100.0 * moved / c->total[0] : 0;
    for (int b = 0; b < nb; b++)
        r->max_dev_pct[b] = 0;
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++) {
            double t = c->target[j * nb + b];
            double dv = t > 0 ? 100.0 * (r->total[j * nb + b] - t) / t : 0;
            r->dev_pct[j * nb + b] = dv;
            if (fabs(dv) > r->max_dev_pct[b])
                r->max_dev_pct[b] = fabs(dv);
        }
    return TQO_OK;
}

static double asg_objective(const align_ctx *c, const int *asg)
{
    double obj = 0;
    for (int i = 0; i < c->n; i++)
        obj += alloc_cost(&c->P, i, asg[i]);
    return obj;
}

/* Balance holds for whole units (recomputed, with a relative tolerance). */
static int balance_holds(const align_ctx *c, const int *asg)
{
    int p = c->p, nb = c->nb;
    double *load = calloc((size_t)p * nb, sizeof(double));
    if (!load)
        return 0;
    for (int i = 0; i < c->n; i++)
        for (int b = 0; b < nb; b++)
            load[asg[i] * nb + b] += c->a[b][i];
    int ok = 1;
    for (int k = 0; k < p * nb; k++)
        if (load[k] < c->lo[k] - 1e-9 * c->target[k] || load[k] > c->hi[k] + 1e-9 * c->target[k])
            ok = 0;
    free(load);
    return ok;
}

/* Rounds of the support LP after the local search, while each gains at
   least SUPPORT_GAIN of the objective. */
#define SUPPORT_ROUNDS 4
#define SUPPORT_GAIN 1e-4

/*
 * From whole units to a good plan: the local search; with a unit graph
 * also (first) the support LP from the same repaired plan, balanced or
 * not, keeping the better; then the support LP again while it gains.
 */
static tqo_status polish(align_ctx *c, int *asg, double time_limit, int first)
{
    int *alt = c->contiguity && first ? malloc((size_t)c->n * sizeof(int)) : NULL;
    if (alt)
        memcpy(alt, asg, (size_t)c->n * sizeof(int));
    tqo_status st = align_local_search(c, asg, time_limit);
    int support_won = 1;
    if (st == TQO_OK && alt) {
        /* the support LP from the repaired plan too; the better one stays
           (and when it loses here, it is not tried again) */
        int ok = 0;
        st = align_support_lp(c, alt, &ok);
        support_won = st == TQO_OK && ok && balance_holds(c, alt) &&
                      (!balance_holds(c, asg) || asg_objective(c, alt) < asg_objective(c, asg));
        if (support_won)
            memcpy(asg, alt, (size_t)c->n * sizeof(int));
    }
    free(alt);
    if (st != TQO_OK || !c->contiguity || !support_won || !balance_holds(c, asg))
        return st;
    for (int round = 0; round < SUPPORT_ROUNDS; round++) {
        double before = asg_objective(c, asg);
        int better = 0;
        st = align_support_lp(c, asg, &better);
        if (st != TQO_OK || !better || asg_objective(c, asg) > before * (1 - SUPPORT_GAIN))
            break;
    }
    return st;
}

static tqo_status solve_exact(align_ctx *c, tqo_align_result *r)
{
    alloc_solution x;
    double gap = 0;
    double t0 = align_now();
    tqo_status st = alloc_solve_exact(&c->P, c->contiguity ? c->adj_start : NULL, c->contiguity ? c->adj : NULL,
                                      c->s->time_limit, &x, &gap, c->diag);
    r->sec_lp = align_now() - t0;
    if (st != TQO_OK && !(st == TQO_ERR_LIMIT && x.start))
        return st;
    tqo_status fs = fill_result(c, &x, NULL, r);
    r->lower_bound = x.lower_bound;
    r->gap = gap;
    snprintf(r->mip_status, sizeof r->mip_status, "%s", x.status);
    snprintf(r->lp_status, sizeof r->lp_status, "%s", "not used (--exact)");
    snprintf(r->split_resolution, sizeof r->split_resolution, "exact MIP");
    alloc_solution_free(&x);
    return fs != TQO_OK ? fs : st;
}

tqo_status tqo_align(const tqo_instance *inst, const tqo_align_settings *s, tqo_align_result *res, tqo_diag *diag)
{
    memset(res, 0, sizeof *res);
    double t_start = align_now();
    align_ctx c;
    tqo_status st = align_setup(&c, inst, s, diag);
    alloc_solution x;
    memset(&x, 0, sizeof x);
    int *asg = NULL;
    if (st != TQO_OK)
        goto done;
    st = align_precheck(&c);
    if (st != TQO_OK)
        goto done;

    /* Centres. */
    double t = align_now();
    st = align_choose_centres(&c, &res->iterations);
    res->sec_centres = align_now() - t;
    if (st != TQO_OK)
        goto done;
    for (int j = 0; j < c.p; j++)
        if (isnan(c.cx[j])) {
            tqo_diag_error(diag, "territory '%s' has no centre", c.territory_id[j]);
            st = TQO_ERR_INPUT;
            goto done;
        }

    if (s->exact) {
        st = solve_exact(&c, res);
        res->sec_total = align_now() - t_start;
        goto exceptions;
    }

    /* The allocation LP for the final centres: its value bounds every
       assignment to these centres from below. */
    t = align_now();
    int errors_before = diag->n_errors;
    st = alloc_solve_lp(&c.P, s->candidates, c.prices, &x, s->log, s->log_ctx, diag);
    res->sec_lp = align_now() - t;
    if (st != TQO_OK) {
        if (st == TQO_ERR_INFEASIBLE && diag->n_errors == errors_before)
            tqo_diag_error(diag, "no assignment meets the balance bounds%s: widen the tolerance, use fewer "
                           "territories%s", c.lock ? " with these locks" : "",
                           s->allow_splits ? "" : ", or --allow-splits");
        goto done;
    }
    snprintf(res->lp_status, sizeof res->lp_status, "%s", x.status);
    res->lower_bound = x.lower_bound;
    res->lp_rounds = x.rounds;
    for (int i = 0; i < c.n; i++)
        res->lp_splits += x.start[i + 1] - x.start[i] > 1;
    say(&c, "allocation LP: %s, objective %.9g, lower bound %.9g, %d split units (%.2f s)", x.status, x.objective,
        x.lower_bound, res->lp_splits, res->sec_lp);

    if (s->allow_splits && !c.contiguity) {
        snprintf(res->split_resolution, sizeof res->split_resolution, "kept (--allow-splits)");
        st = fill_result(&c, &x, NULL, res);
        goto finish;
    }
    asg = malloc((size_t)c.n * sizeof(int));
    if (!asg) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    if (s->allow_splits) {
        /* Splits are kept; whole units still obey contiguity. Units split in
           the LP are left as they are. */
        snprintf(res->split_resolution, sizeof res->split_resolution, "kept (--allow-splits)");
        for (int i = 0; i < c.n; i++)
            asg[i] = x.terr[x.start[i]];
        int nex, nbad;
        align_contiguity_exceptions(&c, asg, NULL, &nex, &nbad);
        if (nbad)
            tqo_diag_warning(diag, "with --allow-splits the LP territories are kept as they are: %d stray pieces "
                             "are not repaired", nbad);
        st = fill_result(&c, &x, NULL, res);
        goto finish;
    }
    /* Whole units, connected territories, balance. Lumpy units in a tight
       region (a territory at its bound whose neighbours are at theirs) can
       defeat boundary moves; then the LP is solved again with a narrower
       band, so that its territories leave room to absorb the lumps within
       the real one. The lower bound stays the full-band one. */
    {
        int pk = c.p * c.nb;
        double *lo_real = malloc((size_t)pk * sizeof(double)), *hi_real = malloc((size_t)pk * sizeof(double));
        if (!lo_real || !hi_real) {
            free(lo_real);
            free(hi_real);
            st = TQO_ERR_NOMEM;
            goto done;
        }
        memcpy(lo_real, c.lo, (size_t)pk * sizeof(double));
        memcpy(hi_real, c.hi, (size_t)pk * sizeof(double));
        static const double shrink[] = {1.0, 0.5, 0.2};
        for (int attempt = 0; attempt < 3; attempt++) {
            for (int k = 0; k < pk; k++) {
                c.lo[k] = c.target[k] - shrink[attempt] * (c.target[k] - lo_real[k]);
                c.hi[k] = c.target[k] + shrink[attempt] * (hi_real[k] - c.target[k]);
            }
            if (attempt > 0) {
                alloc_solution y;
                tqo_diag d;
                tqo_diag_init(&d);
                t = align_now();
                tqo_status ls = alloc_solve_lp(&c.P, s->candidates, c.prices, &y, s->log, s->log_ctx, &d);
                res->sec_lp += align_now() - t;
                tqo_diag_free(&d);
                if (ls != TQO_OK)
                    break; /* no room to narrow: keep the last plan */
                say(&c, "balance: solving again within %.0f%% of the tolerance band", 100 * shrink[attempt]);
                alloc_solution_free(&x);
                x = y;
            }
            t = align_now();
            st = align_resolve_splits(&c, &x, asg, res->split_resolution, sizeof res->split_resolution);
            res->sec_splits += align_now() - t;
            tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "whole units: objective %.9g (%.2f s)",
                           asg_objective(&c, asg), align_now() - t);
            memcpy(c.lo, lo_real, (size_t)pk * sizeof(double));
            memcpy(c.hi, hi_real, (size_t)pk * sizeof(double));
            if (st != TQO_OK)
                break;
            t = align_now();
            st = align_repair_contiguity(&c, asg);
            res->sec_contiguity += align_now() - t;
            tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "contiguity repaired: objective %.9g",
                           asg_objective(&c, asg));
            if (st != TQO_OK)
                break;
            t = align_now();
            st = polish(&c, asg, s->time_limit > 0 ? s->time_limit : 0, 1);
            res->sec_local += align_now() - t;
            tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "local search: objective %.9g, balance %s",
                           asg_objective(&c, asg), balance_holds(&c, asg) ? "holds" : "violated");
            if (st != TQO_OK || balance_holds(&c, asg))
                break;
        }
        memcpy(c.lo, lo_real, (size_t)pk * sizeof(double));
        memcpy(c.hi, hi_real, (size_t)pk * sizeof(double));
        free(lo_real);
        free(hi_real);
        if (st != TQO_OK)
            goto done;
    }
    /* Free centres: the final territories' centroids fit them better than
       the centres the LP started from. Move them, bound the new centres
       with the LP again, and polish; keep it while it improves. */
    if (c.n_fixed < c.p && balance_holds(&c, asg)) {
        double *bx = malloc((size_t)c.p * sizeof(double)), *by = malloc((size_t)c.p * sizeof(double));
        int *basg = malloc((size_t)c.n * sizeof(int));
        if (!bx || !by || !basg) {
            free(bx);
            free(by);
            free(basg);
            st = TQO_ERR_NOMEM;
            goto done;
        }
        double best_obj = 0;
        for (int i = 0; i < c.n; i++)
            best_obj += alloc_cost(&c.P, i, asg[i]);
        double best_lb = res->lower_bound;
        for (int round = 0; round < 4; round++) {
            memcpy(bx, c.cx, (size_t)c.p * sizeof(double));
            memcpy(by, c.cy, (size_t)c.p * sizeof(double));
            memcpy(basg, asg, (size_t)c.n * sizeof(int));
            double moved = align_refit_centres(&c, asg);
            if (moved < 1e-6)
                break;
            alloc_solution y;
            tqo_diag d;
            tqo_diag_init(&d);
            t = align_now();
            tqo_status ls = alloc_solve_lp(&c.P, s->candidates, c.prices, &y, s->log, s->log_ctx, &d);
            res->sec_lp += align_now() - t;
            tqo_diag_free(&d);
            if (ls == TQO_OK) {
                t = align_now();
                ls = polish(&c, asg, s->time_limit > 0 ? s->time_limit : 0, 0);
                res->sec_local += align_now() - t;
            }
            double obj = 0;
            for (int i = 0; i < c.n; i++)
                obj += alloc_cost(&c.P, i, asg[i]);
            if (ls != TQO_OK || !balance_holds(&c, asg) || obj >= best_obj * (1 - 1e-6)) {
                memcpy(c.cx, bx, (size_t)c.p * sizeof(double));
                memcpy(c.cy, by, (size_t)c.p * sizeof(double));
                memcpy(asg, basg, (size_t)c.n * sizeof(int));
                if (ls == TQO_OK)
                    alloc_solution_free(&y);
                break;
            }
            tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG,
                           "centres refitted to the territories: objective %.9g, lower bound %.9g", obj, y.lower_bound);
            best_obj = obj;
            best_lb = y.lower_bound;
            res->lp_rounds = y.rounds;
            alloc_solution_free(&y);
        }
        align_bind_problem(&c);
        res->lower_bound = best_lb;
        free(bx);
        free(by);
        free(basg);
    }
    st = fill_result(&c, NULL, asg, res);
    if (st != TQO_OK)
        goto done;
    if (!balance_holds(&c, asg)) {
        tqo_diag_error(diag, "the territories could not be balanced within the tolerance after making units whole "
                       "and connected (largest deviation %.2f%%): widen the tolerance, use fewer territories, or "
                       "--allow-splits", res->max_dev_pct[0]);
        st = TQO_ERR_INFEASIBLE;
    }
finish:
    res->gap = res->objective > 0 ? (res->objective - res->lower_bound) / res->objective : 0;
    if (res->gap < 0 && res->gap > -1e-9)
        res->gap = 0;
    snprintf(res->mip_status, sizeof res->mip_status, "%s", "not used");
exceptions:
    if (c.contiguity && res->unit_start) {
        int *main_t = malloc((size_t)c.n * sizeof(int));
        if (main_t) {
            for (int i = 0; i < c.n; i++)
                main_t[i] = tqo_unit_main_territory(res, i);
            int nbad = 0;
            align_contiguity_exceptions(&c, main_t, &res->exceptions, &res->n_exceptions, &nbad);
            if (nbad)
                tqo_diag_warning(diag, "%d piece%s of territories are not connected to their territory", nbad,
                                 nbad == 1 ? "" : "s");
            free(main_t);
        }
    }
    res->sec_total = align_now() - t_start;
done:
    if (st != TQO_OK && st != TQO_ERR_LIMIT && st != TQO_ERR_INFEASIBLE)
        tqo_align_result_free(res);
    if (st == TQO_ERR_INFEASIBLE && !res->unit_start)
        tqo_align_result_free(res);
    alloc_solution_free(&x);
    free(asg);
    align_ctx_free(&c);
    return st;
}

tqo_status tqo_align_write_model(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                                 const char *path, int mps, tqo_diag *diag)
{
    align_ctx c;
    tqo_status st = align_setup(&c, inst, s, diag);
    if (st == TQO_OK) {
        for (int j = 0; j < c.p && j < r->n_territories; j++) {
            c.cx[j] = r->center_x[j];
            c.cy[j] = r->center_y[j];
        }
        align_bind_problem(&c);
        st = alloc_write_model(&c.P, !s->allow_splits, mps, path, diag);
    }
    align_ctx_free(&c);
    return st;
}
