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
#include "align/objective_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Progress for the caller's log. */
#define say(c, ...) tqo_log_printf((c)->s->log, (c)->s->log_ctx, TQO_LOG_INFO, __VA_ARGS__)

/* A phase's progress for the caller's progress line (tqo.h: progress);
   phases without a count of their own report 0 of 1 and 1 of 1. */
static void phase(const align_ctx *c, const char *name, int done, int total)
{
    if (c->s->progress)
        c->s->progress(c->s->progress_ctx, name, done, total);
}

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
    free(r->minmax_territory);
    free(r->minmax_centre_unit);
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
            double d2 = tqoi_alloc_dist2(&c->P, i, j);
            r->compactness[j] += sh * c->w[i] * d2;
            obj += sh * tqoi_alloc_cost(&c->P, i, j);
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

/* Detached pieces of asg, for the debug log. */
static int asg_detached(const align_ctx *c, const int *asg)
{
    int nex = 0, nbad = 0;
    if (c->contiguity)
        tqoi_align_contiguity_exceptions(c, asg, NULL, &nex, &nbad);
    return nbad;
}

/* Measure 0 of the units asg moves away from the current plan. */
static double asg_moved(const align_ctx *c, const int *asg)
{
    double m = 0;
    for (int i = 0; c->current && i < c->n; i++)
        m += c->current[i] >= 0 && c->current[i] != asg[i] ? c->a[0][i] : 0;
    return m;
}

/* Moved share of a[0] in percent, for the debug log. */
static double asg_moved_pct(const align_ctx *c, const int *asg)
{
    return c->total[0] > 0 ? 100 * asg_moved(c, asg) / c->total[0] : 0;
}

static double asg_objective(const align_ctx *c, const int *asg)
{
    double obj = 0;
    for (int i = 0; i < c->n; i++)
        obj += tqoi_alloc_cost(&c->P, i, asg[i]);
    return obj;
}

/* Balance holds for whole units (recomputed, with a relative tolerance);
   -1: out of memory, which must not pass for "does not hold" (another
   path would then be taken and the plan would differ). */
static int balance_holds(const align_ctx *c, const int *asg)
{
    int p = c->p, nb = c->nb;
    double *load = calloc((size_t)p * nb, sizeof(double));
    if (!load)
        return -1;
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

/* Balance and the move cap hold for whole units (*holds); the status
   says whether it could be told. */
static tqo_status plan_holds(const align_ctx *c, const int *asg, int *holds)
{
    int b = balance_holds(c, asg);
    if (b < 0)
        return TQO_ERR_NOMEM;
    *holds = b && (c->max_move < 0 || !c->current || asg_moved(c, asg) <= c->max_move * (1 + 1e-9));
    return TQO_OK;
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
    if (c->contiguity && first && !alt)
        return TQO_ERR_NOMEM;
    if (alt)
        memcpy(alt, asg, (size_t)c->n * sizeof(int));
    tqo_status st = tqoi_align_local_search(c, asg, time_limit);
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "polish: local search leaves %d detached",
                   asg_detached(c, asg));
    int support_won = 1;
    if (st == TQO_OK && alt) {
        /* the support LP from the repaired plan too; the better one stays
           (and when it loses here, it is not tried again) */
        int ok = 0;
        st = tqoi_align_support_lp(c, alt, &ok);
        support_won = st == TQO_OK && ok && balance_holds(c, alt) == 1 &&
                      (balance_holds(c, asg) != 1 || asg_objective(c, alt) < asg_objective(c, asg));
        if (support_won)
            memcpy(asg, alt, (size_t)c->n * sizeof(int));
    }
    free(alt);
    if (st != TQO_OK || !c->contiguity || !support_won || balance_holds(c, asg) != 1)
        return st;
    for (int round = 0; round < SUPPORT_ROUNDS; round++) {
        double before = asg_objective(c, asg);
        int better = 0;
        st = tqoi_align_support_lp(c, asg, &better);
        if (st != TQO_OK || !better || asg_objective(c, asg) > before * (1 - SUPPORT_GAIN))
            break;
    }
    return st;
}

static tqo_status solve_exact(align_ctx *c, tqo_align_result *r, int node_limit, tqo_diag *diag)
{
    alloc_solution x;
    double gap = 0;
    double t0 = tqoi_align_now();
    phase(c, "exact MIP", 0, 1);
    tqo_status st = tqoi_alloc_solve_exact_limited(&c->P, c->contiguity ? c->adj_start : NULL,
                                              c->contiguity ? c->adj : NULL, c->s->time_limit, node_limit, NULL, &x,
                                              &gap, diag);
    phase(c, "exact MIP", 1, 1);
    r->sec_lp += tqoi_align_now() - t0;
    if (st != TQO_OK && !(st == TQO_ERR_LIMIT && x.start))
        return st;
    tqo_status fs = fill_result(c, &x, NULL, r);
    r->lower_bound = x.lower_bound;
    r->gap = gap;
    snprintf(r->mip_status, sizeof r->mip_status, "%s", x.status);
    snprintf(r->lp_status, sizeof r->lp_status, "%s", "not used (--exact)");
    snprintf(r->split_resolution, sizeof r->split_resolution, "exact MIP");
    tqoi_alloc_solution_free(&x);
    return fs != TQO_OK ? fs : st;
}

/* The exact fallback: the whole MIP when the heuristic plan breaks a
   constraint and units x territories is at most EXACT_FALLBACK_CELLS
   (12,000 columns solve in seconds; beyond, GLPK's tree can take long),
   its search bounded by a count of subproblems (fallback_nodes), not by the clock
   (the same answer on any machine), and by --time-limit when given. */
#define EXACT_FALLBACK_CELLS 20000
#define EXACT_FALLBACK_NODES 200
/* With contiguity each node separates cuts over the unit graph: a smaller
   model and fewer nodes keep the fallback to seconds. */
#define EXACT_FALLBACK_CELLS_CONTIGUOUS 2000
#define EXACT_FALLBACK_NODES_CONTIGUOUS 300
/* A node costs about units x territories, so small models get more nodes
   for the same work: up to 20,000 (a 38 x 4 model with contiguity gets
   3,947; the move-cap case of tests/fixtures needs more to prove that no
   plan meets its cap, which --exact does, so there the error says the
   limit stopped the search, not that no plan exists). */
#define EXACT_FALLBACK_WORK 2000000L
#define EXACT_FALLBACK_WORK_CONTIGUOUS 600000L
#define EXACT_FALLBACK_NODES_MAX 20000

static int fallback_nodes(const align_ctx *c)
{
    long cells = (long)c->n * c->p;
    long base = c->contiguity ? EXACT_FALLBACK_NODES_CONTIGUOUS : EXACT_FALLBACK_NODES;
    long work = c->contiguity ? EXACT_FALLBACK_WORK_CONTIGUOUS : EXACT_FALLBACK_WORK;
    long nodes = cells > 0 ? work / cells : base;
    return (int)(nodes < base ? base : nodes > EXACT_FALLBACK_NODES_MAX ? EXACT_FALLBACK_NODES_MAX : nodes);
}

static void violated_list(const tqo_align_result *r, char *buf, size_t size)
{
    static const char *const names[][2] = {
        {"balance", "the balance tolerance"}, {"max_moves", "the move cap (--max-moves)"},
        {"max_distance", "the distance cap (--max-distance)"}, {"locks", "the locks"},
        {"contiguity", "contiguity"}, {"assignment", "whole assignment"}};
    buf[0] = 0;
    for (int k = 0; k < r->n_violated; k++) {
        const char *nm = r->violated[k];
        for (size_t q = 0; q < sizeof names / sizeof names[0]; q++)
            if (strcmp(nm, names[q][0]) == 0)
                nm = names[q][1];
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", k ? ", " : "", nm);
    }
}

/* Tries the exact MIP after a heuristic plan that breaks a constraint;
   r is replaced by its plan when that passes the check. */
static tqo_status exact_fallback(align_ctx *c, tqo_align_result *r)
{
    char broken[256];
    violated_list(r, broken, sizeof broken);
    tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_INFO,
                   "the heuristic plan breaks %s: solving the exact MIP (%d units x %d territories)", broken, c->n,
                   c->p);
    tqo_align_result e;
    memset(&e, 0, sizeof e);
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = solve_exact(c, &e, fallback_nodes(c), &d);
    tqo_diag_free(&d);
    r->sec_lp += e.sec_lp;
    if (st == TQO_OK && e.unit_start && tqoi_align_check(c, &e, 0) == TQO_OK) {
        e.lower_bound = fmax(e.lower_bound, r->lower_bound);
        e.iterations = r->iterations;
        e.lp_splits = r->lp_splits;
        e.lp_rounds = r->lp_rounds;
        memcpy(e.lp_status, r->lp_status, sizeof e.lp_status);
        snprintf(e.split_resolution, sizeof e.split_resolution, "exact MIP (the heuristic plan broke a constraint)");
        e.sec_centres = r->sec_centres;
        e.sec_lp = r->sec_lp;
        e.sec_splits = r->sec_splits;
        e.sec_contiguity = r->sec_contiguity;
        e.sec_local = r->sec_local;
        tqo_align_result_free(r);
        *r = e;
        return TQO_OK;
    }
    tqo_align_result_free(&e);
    if (st == TQO_OK || st == TQO_ERR_INFEASIBLE || st == TQO_ERR_LIMIT)
        return st == TQO_OK ? TQO_ERR_LIMIT : st;
    return st;
}

/* The verdict on the result: the independent check (tqoi_align_check.c), the
   exact fallback when the heuristic plan breaks a constraint, and an
   error naming each constraint that could not be met. */
static tqo_status align_verdict(align_ctx *c, tqo_align_result *r, tqo_status st)
{
    if ((st != TQO_OK && st != TQO_ERR_INFEASIBLE && st != TQO_ERR_LIMIT) || !r->unit_start)
        return st;
    phase(c, "check", 0, 1);
    tqo_status cs = tqoi_align_check(c, r, 0);
    phase(c, "check", 1, 1);
    if (cs == TQO_OK)
        return st == TQO_ERR_INFEASIBLE ? TQO_OK : st;
    if (cs != TQO_ERR_INFEASIBLE)
        return cs;
    tqo_status fs = TQO_ERR_INFEASIBLE;
    int tried = 0;
    double cells = c->contiguity ? EXACT_FALLBACK_CELLS_CONTIGUOUS : EXACT_FALLBACK_CELLS;
    if (!c->s->exact && !c->s->allow_splits && (double)c->n * c->p <= cells) {
        tried = 1;
        phase(c, "exact fallback MIP", 0, 1);
        fs = exact_fallback(c, r);
        phase(c, "exact fallback MIP", 1, 1);
        if (fs == TQO_OK)
            return TQO_OK;
        if (fs != TQO_ERR_INFEASIBLE && fs != TQO_ERR_LIMIT)
            return fs;
    }
    tqoi_align_check(c, r, 1); /* an error naming each broken constraint */
    char broken[256];
    violated_list(r, broken, sizeof broken);
    if (tried && fs == TQO_ERR_INFEASIBLE) {
        snprintf(r->status, sizeof r->status, "infeasible");
        tqo_diag_error(c->diag, "infeasible: the exact MIP proves that no plan meets every constraint together "
                       "(the best heuristic plan breaks %s): widen the tolerance%s, remove locks, or use "
                       "--allow-splits", broken, c->max_move >= 0 ? ", raise --max-moves" : "");
        return TQO_ERR_INFEASIBLE;
    }
    if (tried) {
        snprintf(r->status, sizeof r->status, "limit");
        tqo_diag_error(c->diag, "no plan found within the limit: the exact MIP stopped after %d subproblems%s "
                       "without a plan that meets %s; the best heuristic plan is written for inspection",
                       fallback_nodes(c), c->s->time_limit > 0 ? " or at --time-limit" : "", broken);
        return TQO_ERR_LIMIT;
    }
    if (!c->s->exact && !c->s->allow_splits)
        tqo_diag_error(c->diag, "no plan found that meets %s (the model, %d units x %d territories, is too large "
                       "for the exact fallback: try --exact with --time-limit)", broken, c->n, c->p);
    return TQO_ERR_INFEASIBLE;
}

/* The allocation LP for the final centres: its value bounds every
   assignment to these centres from below. */
static tqo_status first_lp(align_ctx *c, tqo_align_result *res, alloc_solution *x)
{
    const tqo_align_settings *s = c->s;
    double t = tqoi_align_now();
    int errors_before = c->diag->n_errors;
    phase(c, "allocation LP", 0, 1);
    tqo_status st = tqoi_alloc_solve_lp(&c->P, s->candidates, c->prices, x, s->log, s->log_ctx, c->diag);
    phase(c, "allocation LP", 1, 1);
    res->sec_lp = tqoi_align_now() - t;
    if (st != TQO_OK) {
        if (st == TQO_ERR_INFEASIBLE && c->diag->n_errors == errors_before)
            tqo_diag_error(c->diag, "no assignment meets the balance bounds%s: widen the tolerance, use fewer "
                           "territories%s", c->lock ? " with these locks" : "",
                           s->allow_splits ? "" : ", or --allow-splits");
        return st;
    }
    snprintf(res->lp_status, sizeof res->lp_status, "%s", x->status);
    res->lower_bound = x->lower_bound;
    res->lp_rounds = x->rounds;
    for (int i = 0; i < c->n; i++)
        res->lp_splits += x->start[i + 1] - x->start[i] > 1;
    say(c, "allocation LP: %s, objective %.9g, lower bound %.9g, %d split units (%.2f s)", x->status, x->objective,
        x->lower_bound, res->lp_splits, res->sec_lp);
    return TQO_OK;
}

/* One attempt at whole units from the LP solution x: splits resolved,
   contiguity repaired, polished. */
static tqo_status whole_attempt(align_ctx *c, tqo_align_result *res, alloc_solution *x, int *asg)
{
    const tqo_align_settings *s = c->s;
    double t = tqoi_align_now();
    phase(c, "whole units", 0, 1);
    tqo_status st = tqoi_align_resolve_splits(c, x, asg, res->split_resolution, sizeof res->split_resolution);
    phase(c, "whole units", 1, 1);
    res->sec_splits += tqoi_align_now() - t;
    if (st != TQO_OK)
        return st; /* asg is not a plan then (out of memory in the dive) */
    tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "whole units: objective %.9g, moved %.2f%% (%.2f s)",
                   asg_objective(c, asg), asg_moved_pct(c, asg), tqoi_align_now() - t);
    return st;
}

static tqo_status repair_and_polish(align_ctx *c, tqo_align_result *res, int *asg)
{
    const tqo_align_settings *s = c->s;
    double t = tqoi_align_now();
    phase(c, "contiguity repair", 0, 1);
    tqo_status st = tqoi_align_repair_contiguity(c, asg);
    phase(c, "contiguity repair", 1, 1);
    res->sec_contiguity += tqoi_align_now() - t;
    tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "contiguity repaired: objective %.9g, %d detached, moved %.2f%%",
                   asg_objective(c, asg), asg_detached(c, asg), asg_moved_pct(c, asg));
    if (st != TQO_OK)
        return st;
    t = tqoi_align_now();
    phase(c, "local search", 0, 1);
    st = polish(c, asg, s->time_limit > 0 ? s->time_limit : 0, 1);
    phase(c, "local search", 1, 1);
    res->sec_local += tqoi_align_now() - t;
    tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG, "local search: objective %.9g, balance %s, %d detached",
                   asg_objective(c, asg), balance_holds(c, asg) == 1 ? "holds" : "violated", asg_detached(c, asg));
    return st;
}

/* The repair MIP (align_repair.c) when the plan still breaks balance or
   the move cap: kept when its plan, repaired and polished, meets both and
   leaves no territory in pieces. */
static tqo_status repair_by_mip(align_ctx *c, tqo_align_result *res, int *asg)
{
    int *alt = malloc((size_t)c->n * sizeof(int));
    if (!alt)
        return TQO_ERR_NOMEM;
    memcpy(alt, asg, (size_t)c->n * sizeof(int));
    double t = tqoi_align_now();
    tqo_status st = TQO_OK;
    phase(c, "repair MIP", 0, 1);
    int found = tqoi_align_repair_mip(c, alt);
    phase(c, "repair MIP", 1, 1);
    if (found) {
        res->sec_splits += tqoi_align_now() - t;
        st = repair_and_polish(c, res, alt);
        int holds = 0;
        if (st == TQO_OK)
            st = plan_holds(c, alt, &holds);
        if (st == TQO_OK && holds && asg_detached(c, alt) == 0) {
            memcpy(asg, alt, (size_t)c->n * sizeof(int));
            char was[64];
            memcpy(was, res->split_resolution, sizeof was);
            snprintf(res->split_resolution, sizeof res->split_resolution, "%.40s, then a repair MIP", was);
        }
    } else {
        res->sec_splits += tqoi_align_now() - t;
    }
    free(alt);
    return st;
}

/* The allocation LP again for the current centres and bounds, its
   messages kept out of the run's diagnostics (a failure here only means
   that the step that asked for it is skipped); its seconds counted. */
static tqo_status quiet_lp(align_ctx *c, tqo_align_result *res, alloc_solution *y)
{
    tqo_diag d;
    tqo_diag_init(&d);
    double t = tqoi_align_now();
    tqo_status st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, c->prices, y, c->s->log, c->s->log_ctx, &d);
    res->sec_lp += tqoi_align_now() - t;
    tqo_diag_free(&d);
    return st;
}

/* Whole units, connected territories, balance. Lumpy units in a tight
   region (a territory at its bound whose neighbours are at theirs) can
   defeat boundary moves; then the LP is solved again with a narrower band,
   so that its territories leave room to absorb the lumps within the real
   one. The lower bound stays the full-band one. */
static tqo_status whole_units(align_ctx *c, tqo_align_result *res, alloc_solution *x, int *asg)
{
    int pk = c->p * c->nb;
    double *lo_real = malloc((size_t)pk * sizeof(double)), *hi_real = malloc((size_t)pk * sizeof(double));
    if (!lo_real || !hi_real) {
        free(lo_real);
        free(hi_real);
        return TQO_ERR_NOMEM;
    }
    memcpy(lo_real, c->lo, (size_t)pk * sizeof(double));
    memcpy(hi_real, c->hi, (size_t)pk * sizeof(double));
    static const double shrink[] = {1.0, 0.5, 0.2};
    tqo_status st = TQO_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        for (int k = 0; k < pk; k++) {
            c->lo[k] = c->target[k] - shrink[attempt] * (c->target[k] - lo_real[k]);
            c->hi[k] = c->target[k] + shrink[attempt] * (hi_real[k] - c->target[k]);
        }
        if (attempt > 0) {
            alloc_solution y;
            tqo_status ls = quiet_lp(c, res, &y);
            if (ls != TQO_OK)
                break; /* no room to narrow: keep the last plan */
            say(c, "balance: solving again within %.0f%% of the tolerance band", 100 * shrink[attempt]);
            tqoi_alloc_solution_free(x);
            *x = y;
        }
        st = whole_attempt(c, res, x, asg);
        memcpy(c->lo, lo_real, (size_t)pk * sizeof(double));
        memcpy(c->hi, hi_real, (size_t)pk * sizeof(double));
        if (st == TQO_OK)
            st = repair_and_polish(c, res, asg);
        int holds = 0;
        if (st == TQO_OK)
            st = plan_holds(c, asg, &holds);
        if (st != TQO_OK || holds)
            break;
    }
    memcpy(c->lo, lo_real, (size_t)pk * sizeof(double));
    memcpy(c->hi, hi_real, (size_t)pk * sizeof(double));
    free(lo_real);
    free(hi_real);
    int holds = 1;
    if (st == TQO_OK)
        st = plan_holds(c, asg, &holds);
    if (st == TQO_OK && !holds)
        st = repair_by_mip(c, res, asg);
    return st;
}

/* Whole units at the final centres: the LP's bound again there, raised by
   branching on the large units it splits (align_bound.c). */
static tqo_status strengthen_bound(align_ctx *c, tqo_align_result *res, const alloc_solution *x)
{
    double t = tqoi_align_now(), lb = res->lower_bound;
    tqo_status st = tqoi_align_branch_bound(c, x, &lb);
    res->sec_lp += tqoi_align_now() - t;
    if (st == TQO_OK && lb > res->lower_bound) {
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "bound: %.9g by branching on split units (LP %.9g)",
                       lb, res->lower_bound);
        res->lp_bound = res->lower_bound;
        res->lower_bound = lb;
    }
    return st;
}

/* Free centres: the final territories' centroids fit them better than the
   centres the LP started from. Move them, bound the new centres with the
   LP again, and polish; keep it while it improves. */
static tqo_status refit_free_centres(align_ctx *c, tqo_align_result *res, int *asg)
{
    const tqo_align_settings *s = c->s;
    double *bx = malloc((size_t)c->p * sizeof(double)), *by = malloc((size_t)c->p * sizeof(double));
    int *basg = malloc((size_t)c->n * sizeof(int));
    if (!bx || !by || !basg) {
        free(bx);
        free(by);
        free(basg);
        return TQO_ERR_NOMEM;
    }
    double best_obj = asg_objective(c, asg);
    double best_lb = res->lower_bound;
    for (int round = 0; round < 4; round++) {
        phase(c, "centres refitted", round, 4);
        memcpy(bx, c->cx, (size_t)c->p * sizeof(double));
        memcpy(by, c->cy, (size_t)c->p * sizeof(double));
        memcpy(basg, asg, (size_t)c->n * sizeof(int));
        double moved = tqoi_align_refit_centres(c, asg);
        if (moved < 1e-6)
            break;
        alloc_solution y;
        tqo_status ls = quiet_lp(c, res, &y), lp = ls;
        if (ls == TQO_OK) {
            double t = tqoi_align_now();
            ls = polish(c, asg, s->time_limit > 0 ? s->time_limit : 0, 0);
            res->sec_local += tqoi_align_now() - t;
        }
        double obj = asg_objective(c, asg);
        if (ls != TQO_OK || balance_holds(c, asg) != 1 || obj >= best_obj * (1 - 1e-6)) {
            memcpy(c->cx, bx, (size_t)c->p * sizeof(double));
            memcpy(c->cy, by, (size_t)c->p * sizeof(double));
            memcpy(asg, basg, (size_t)c->n * sizeof(int));
            if (lp == TQO_OK)
                tqoi_alloc_solution_free(&y);
            if (ls == TQO_ERR_NOMEM) { /* not a refit that failed: the run ends */
                free(bx);
                free(by);
                free(basg);
                return ls;
            }
            break;
        }
        tqo_log_printf(s->log, s->log_ctx, TQO_LOG_DEBUG,
                       "centres refitted to the territories: objective %.9g, lower bound %.9g", obj, y.lower_bound);
        best_obj = obj;
        best_lb = y.lower_bound;
        res->lp_rounds = y.rounds;
        tqoi_alloc_solution_free(&y);
    }
    phase(c, "centres refitted", 4, 4);
    tqoi_align_bind_problem(c);
    res->lower_bound = best_lb;
    free(bx);
    free(by);
    free(basg);
    return TQO_OK;
}

/* --allow-splits with contiguity: when the LP's plan leaves pieces of a
   territory detached, whole units repaired, balanced and polished as
   without splits (a plan with no split is one with splits allowed); the
   LP's plan stays (and the verdict names its pieces) when that fails. */
static tqo_status splits_connected(align_ctx *c, tqo_align_result *res, alloc_solution *x, int *asg)
{
    if (tqoi_align_check(c, res, 0) != TQO_ERR_INFEASIBLE || res->n_detached == 0)
        return TQO_OK;
    say(c, "the LP's split plan leaves %d pieces detached: making the units whole", res->n_detached);
    tqo_status st = whole_units(c, res, x, asg);
    int holds = 0;
    if (st == TQO_OK)
        st = plan_holds(c, asg, &holds);
    if (st != TQO_OK || !holds || asg_detached(c, asg) > 0) {
        snprintf(res->split_resolution, sizeof res->split_resolution, "kept (--allow-splits)");
        return st;
    }
    tqo_align_result keep = *res;
    memset(res, 0, sizeof *res);
    res->lower_bound = keep.lower_bound;
    res->lp_splits = keep.lp_splits;
    res->lp_rounds = keep.lp_rounds;
    res->iterations = keep.iterations;
    res->sec_centres = keep.sec_centres;
    res->sec_lp = keep.sec_lp;
    res->sec_splits = keep.sec_splits;
    res->sec_contiguity = keep.sec_contiguity;
    res->sec_local = keep.sec_local;
    memcpy(res->lp_status, keep.lp_status, sizeof res->lp_status);
    snprintf(res->split_resolution, sizeof res->split_resolution, "%.36s (LP splits detached)",
             keep.split_resolution);
    tqo_align_result_free(&keep);
    tqoi_align_place_zero_weight(c, asg);
    return fill_result(c, NULL, asg, res);
}

/* A start's moment plan from the LP solution x at the centres in c: whole
   units, connected territories, balance, free centres refitted, units of
   no weight placed. */
static tqo_status moment_plan(align_ctx *c, tqo_align_result *res, alloc_solution *x, int *asg)
{
    tqo_status st = whole_units(c, res, x, asg);
    if (st == TQO_OK && c->n_fixed < c->p && balance_holds(c, asg) == 1)
        st = refit_free_centres(c, res, asg);
    if (st == TQO_OK)
        tqoi_align_place_zero_weight(c, asg); /* units that cost nothing: nearest territory (align_zero.c) */
    return st;
}

/* The moment plan at another centre start's centres: a start plan of the
   min-max search, with its refitted centres and its LP's figures. */
typedef struct layout_plan {
    int *asg;
    double *cx, *cy;
    tqo_align_result r;
} layout_plan;

static void layout_plan_clear(layout_plan *o)
{
    free(o->asg);
    free(o->cx);
    free(o->cy);
    tqo_align_result_free(&o->r);
    memset(o, 0, sizeof *o);
}

static void layout_plans_free(layout_plan *lp, int n)
{
    for (int l = 0; l < n; l++)
        layout_plan_clear(&lp[l]);
    free(lp);
}

/* Layout l's plan into *o (cleared when its plan breaks a constraint:
   it is left out); its messages stay out of the run's. */
static tqo_status layout_plan_make(align_ctx *c, int l, layout_plan *o)
{
    const align_layouts *L = c->layouts;
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    memcpy(c->cx, L->x + l * p, p * sizeof(double));
    memcpy(c->cy, L->y + l * p, p * sizeof(double));
    memcpy(c->prices, L->prices + l * np, np * sizeof(double));
    tqo_diag quiet, *run_diag = c->diag;
    tqo_diag_init(&quiet);
    c->diag = &quiet;
    alloc_solution x;
    memset(&x, 0, sizeof x);
    o->asg = malloc((size_t)c->n * sizeof(int));
    o->cx = malloc(p * sizeof(double));
    o->cy = malloc(p * sizeof(double));
    tqo_status st = o->asg && o->cx && o->cy ? first_lp(c, &o->r, &x) : TQO_ERR_NOMEM;
    int holds = 0;
    if (st == TQO_OK)
        st = moment_plan(c, &o->r, &x, o->asg);
    if (st == TQO_OK)
        st = plan_holds(c, o->asg, &holds);
    tqoi_alloc_solution_free(&x);
    c->diag = run_diag;
    tqo_diag_free(&quiet);
    if (st == TQO_OK && holds && asg_detached(c, o->asg) == 0) {
        memcpy(o->cx, c->cx, p * sizeof(double));
        memcpy(o->cy, c->cy, p * sizeof(double));
        return TQO_OK;
    }
    layout_plan_clear(o);
    return st == TQO_ERR_NOMEM ? st : TQO_OK;
}

/* Whether plans a and b split the units alike, whatever the territories'
   labels (map: p entries). */
static int same_partition(const int *a, const int *b, int n, int p, int *map)
{
    for (int j = 0; j < p; j++)
        map[j] = -1;
    for (int i = 0; i < n; i++) {
        if (map[a[i]] < 0)
            map[a[i]] = b[i];
        if (map[a[i]] != b[i])
            return 0;
    }
    return 1;
}

/* Whether layout plan `plan` splits the units as asg or a kept one does
   (starts often end in one layout): a second start from it only costs. */
static int layout_seen(const align_ctx *c, const int *plan, const int *asg, const layout_plan *lp, int nkept,
                       int *map)
{
    if (same_partition(plan, asg, c->n, c->p, map))
        return 1;
    for (int l = 0; l < nkept; l++)
        if (same_partition(plan, lp[l].asg, c->n, c->p, map))
            return 1;
    return 0;
}

/* The plans of the other centre starts (c->layouts) into *out, each
   unlike asg and the others, their seconds added to res's; c's centres
   and prices are put back. */
static tqo_status layout_plans(align_ctx *c, tqo_align_result *res, const int *asg, layout_plan **out, int *nout)
{
    int nl = c->layouts ? c->layouts->n : 0;
    size_t p = (size_t)c->p, np = p * c->nb + 1;
    *out = NULL;
    *nout = 0;
    if (nl == 0)
        return TQO_OK;
    layout_plan *lp = calloc((size_t)nl, sizeof *lp);
    double *keep = malloc((2 * p + np) * sizeof(double));
    int *map = malloc(p * sizeof(int));
    if (!lp || !keep || !map) {
        free(lp);
        free(keep);
        free(map);
        return TQO_ERR_NOMEM;
    }
    memcpy(keep, c->cx, p * sizeof(double));
    memcpy(keep + p, c->cy, p * sizeof(double));
    memcpy(keep + 2 * p, c->prices, np * sizeof(double));
    tqo_status st = TQO_OK;
    for (int l = 0; l < nl && st == TQO_OK; l++) {
        st = layout_plan_make(c, l, &lp[*nout]);
        res->sec_lp += lp[*nout].r.sec_lp;
        res->sec_splits += lp[*nout].r.sec_splits;
        res->sec_contiguity += lp[*nout].r.sec_contiguity;
        res->sec_local += lp[*nout].r.sec_local;
        layout_plan *o = &lp[*nout];
        int seen = st == TQO_OK && o->asg && layout_seen(c, o->asg, asg, lp, *nout, map);
        if (st == TQO_OK)
            say(c, "layout of centre start %d: %s", c->layouts->start[l] + 1,
                !o->asg ? "its moment plan breaks a constraint, left out"
                : seen  ? "the same moment plan as another start's, left out"
                        : "its moment plan is a start plan of the search");
        if (st == TQO_OK && o->asg && !seen)
            (*nout)++;
        else
            layout_plan_clear(o);
    }
    memcpy(c->cx, keep, p * sizeof(double));
    memcpy(c->cy, keep + p, p * sizeof(double));
    memcpy(c->prices, keep + 2 * p, np * sizeof(double));
    free(keep);
    free(map);
    *out = lp;
    return st;
}

/* The min-max search from the moment plan asg, and from the other centre
   starts' plans when there are: the plan of the start it ends from takes
   that start's centres and LP figures. */
static tqo_status minmax_search(align_ctx *c, tqo_align_result *res, int *asg)
{
    layout_plan *lp = NULL;
    int nl = 0, win = 0;
    tqo_status st = layout_plans(c, res, asg, &lp, &nl);
    int **alts = nl ? malloc((size_t)nl * sizeof(int *)) : NULL;
    if (st == TQO_OK && nl && !alts)
        st = TQO_ERR_NOMEM;
    for (int l = 0; l < nl && alts; l++)
        alts[l] = lp[l].asg;
    double t = tqoi_align_now();
    if (st == TQO_OK)
        st = tqoi_objective_improve(c, asg, alts, nl, &win, res);
    res->sec_local += tqoi_align_now() - t;
    if (st == TQO_OK && win > 0) {
        const tqo_align_result *w = &lp[win - 1].r;
        memcpy(c->cx, lp[win - 1].cx, (size_t)c->p * sizeof(double));
        memcpy(c->cy, lp[win - 1].cy, (size_t)c->p * sizeof(double));
        res->lower_bound = w->lower_bound;
        res->lp_rounds = w->lp_rounds;
        res->lp_splits = w->lp_splits;
        memcpy(res->lp_status, w->lp_status, sizeof res->lp_status);
        memcpy(res->split_resolution, w->split_resolution, sizeof res->split_resolution);
    }
    free(alts);
    layout_plans_free(lp, nl);
    return st;
}

tqo_status tqo_align(const tqo_instance *inst, const tqo_align_settings *s, tqo_align_result *res, tqo_diag *diag)
{
    memset(res, 0, sizeof *res);
    double t_start = tqoi_align_now();
    align_ctx c;
    tqo_status st = tqoi_align_setup(&c, inst, s, diag);
    alloc_solution x;
    memset(&x, 0, sizeof x);
    align_twins tw;
    memset(&tw, 0, sizeof tw);
    align_layouts layouts;
    memset(&layouts, 0, sizeof layouts);
    int *asg = NULL;
    if (st != TQO_OK)
        goto done;
    st = tqoi_align_precheck(&c);
    if (st == TQO_OK && s->objective)
        st = tqoi_objective_precheck(&c); /* objective_search.c */
    if (st != TQO_OK)
        goto done;

    /* Centres; with a min-max objective every start's are kept, each a
       layout of the territories for the search to start from. */
    if (s->objective && !s->exact && c.n_fixed == 0 && !c.current && s->max_distance_km <= 0)
        c.layouts = &layouts;
    double t = tqoi_align_now();
    st = tqoi_align_choose_centres(&c, &res->iterations);
    res->sec_centres = tqoi_align_now() - t;
    if (st != TQO_OK)
        goto done;
    for (int j = 0; j < c.p; j++)
        if (isnan(c.cx[j])) {
            tqo_diag_error(diag, "territory '%s' has no centre", c.territory_id[j]);
            st = TQO_ERR_INPUT;
            goto done;
        }
    if (s->exact && s->objective) { /* the diameter or center MIP (objective_exact.c) */
        asg = malloc((size_t)c.n * sizeof(int));
        st = asg ? tqoi_objective_exact(&c, asg, res) : TQO_ERR_NOMEM;
        if (st == TQO_OK)
            st = fill_result(&c, NULL, asg, res);
        goto verdict;
    }
    if (s->exact) {
        st = solve_exact(&c, res, 0, diag);
        goto verdict;
    }
    if (tqoi_align_twins_spread(&c, &tw) < 0) { /* bases at one point (align_twins.c) */
        st = TQO_ERR_NOMEM;
        goto done;
    }
    st = first_lp(&c, res, &x);
    if (st != TQO_OK)
        goto done;
    asg = malloc((size_t)c.n * sizeof(int));
    if (!asg) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    if (s->allow_splits) {
        /* Splits are kept; whole units still obey contiguity. */
        snprintf(res->split_resolution, sizeof res->split_resolution, "kept (--allow-splits)");
        st = fill_result(&c, &x, NULL, res);
        if (st == TQO_OK && c.contiguity)
            st = splits_connected(&c, res, &x, asg);
        goto finish;
    }
    st = moment_plan(&c, res, &x, asg);
    if (st != TQO_OK)
        goto done;
    if (!s->objective) {
        phase(&c, "bound", 0, 1);
        st = strengthen_bound(&c, res, &x);
        phase(&c, "bound", 1, 1);
        if (st != TQO_OK)
            goto done;
    }
    if (s->objective) { /* the moment plans are the starts (objective_search.c) */
        st = minmax_search(&c, res, asg);
        if (st != TQO_OK)
            goto done;
    }
    st = fill_result(&c, NULL, asg, res);
    if (st != TQO_OK)
        goto done;
finish:
    snprintf(res->mip_status, sizeof res->mip_status, "%s", "not used");
    if (res->unit_start)
        tqoi_align_twins_restore(&c, &tw, res); /* the check sees the true bases */
verdict:
    st = align_verdict(&c, res, st);
    if (s->objective && res->unit_start)
        tqoi_objective_bounds(&c, res); /* objective_bounds.c, then the gap */
    res->sec_total = tqoi_align_now() - t_start;
done:
    if (st != TQO_OK && st != TQO_ERR_LIMIT && st != TQO_ERR_INFEASIBLE)
        tqo_align_result_free(res);
    if (st == TQO_ERR_INFEASIBLE && !res->unit_start)
        tqo_align_result_free(res);
    tqoi_alloc_solution_free(&x);
    tqoi_align_twins_free(&tw);
    tqoi_align_layouts_free(&layouts);
    free(asg);
    tqoi_align_ctx_free(&c);
    return st;
}

tqo_status tqo_align_write_model(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                                 const char *path, int mps, tqo_diag *diag)
{
    align_ctx c;
    tqo_status st = tqoi_align_setup(&c, inst, s, diag);
    if (st == TQO_OK) {
        for (int j = 0; j < c.p && j < r->n_territories; j++) {
            c.cx[j] = r->center_x[j];
            c.cy[j] = r->center_y[j];
        }
        tqoi_align_bind_problem(&c);
        st = tqoi_alloc_write_model(&c.P, !s->allow_splits, mps, path, diag);
    }
    tqoi_align_ctx_free(&c);
    return st;
}
