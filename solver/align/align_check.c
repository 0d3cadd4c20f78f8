/*
 * The one independent check of a plan. Whatever path made the plan (the
 * heuristic, --exact, --allow-splits, the exact fallback), every figure
 * tqo_align reports is recomputed here from the plan's rows alone: the
 * assignment, balance, contiguity, locks, the distance cap, the move cap,
 * the moved share, the objective and the gap. What `tqo align` prints and
 * summary.json writes are these figures, so a claim cannot drift from the
 * plan it describes.
 */
#include "align/align_internal.h"
#include "align/objective_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative slack on bounds, for sums recomputed in another order. */
#define CHECK_REL 1e-9

static void add_violation(tqo_align_result *r, const char *name)
{
    for (int k = 0; k < r->n_violated; k++)
        if (strcmp(r->violated[k], name) == 0)
            return;
    if (r->n_violated < TQO_ALIGN_MAX_VIOLATED)
        snprintf(r->violated[r->n_violated++], sizeof r->violated[0], "%s", name);
}

/* Each unit's rows: shares positive and summing to 1, territories valid. */
static void check_assignment(const align_ctx *c, tqo_align_result *r, int say)
{
    int bad = 0;
    for (int i = 0; i < c->n; i++) {
        double sum = 0;
        int ok = r->unit_start[i + 1] > r->unit_start[i];
        for (int q = r->unit_start[i]; q < r->unit_start[i + 1]; q++) {
            ok &= r->terr[q] >= 0 && r->terr[q] < c->p && r->share[q] >= 0;
            sum += r->share[q];
        }
        if (ok && fabs(sum - 1) <= 1e-6)
            continue;
        if (say && !bad) {
            char nm[256];
            tqo_diag_error(c->diag, "unit %s is not assigned exactly once (shares sum to %.6g)",
                           tqoi_align_unit_name(c, i, nm, sizeof nm), sum);
        }
        bad++;
    }
    if (bad)
        add_violation(r, "assignment");
}

/* Totals, deviations, the objective and the moves, from the rows. */
static void check_figures(const align_ctx *c, tqo_align_result *r)
{
    int n = c->n, p = c->p, nb = c->nb;
    double obj = 0, moved = 0;
    memset(r->total, 0, (size_t)p * nb * sizeof(double));
    memset(r->compactness, 0, (size_t)p * sizeof(double));
    memset(r->units_in, 0, (size_t)p * sizeof(int));
    r->splits = 0;
    r->moved_units = 0;
    for (int i = 0; i < n; i++) {
        int unit_moved = 0;
        for (int q = r->unit_start[i]; q < r->unit_start[i + 1]; q++) {
            int j = r->terr[q];
            double sh = r->share[q];
            if (j < 0 || j >= p)
                continue;
            for (int b = 0; b < nb; b++)
                r->total[j * nb + b] += sh * c->a[b][i];
            double wd2 = sh * c->w[i] * tqoi_alloc_dist2(&c->P, i, j);
            r->compactness[j] += wd2;
            obj += wd2;
            r->units_in[j]++;
            if (c->current && c->current[i] >= 0 && c->current[i] != j) {
                moved += sh * c->a[0][i];
                if (c->s->disruption_weight > 0)
                    obj += c->s->disruption_weight * sh * c->a[0][i];
                unit_moved = 1;
            }
        }
        r->splits += r->unit_start[i + 1] - r->unit_start[i] > 1;
        r->moved_units += unit_moved;
    }
    r->objective = obj;
    r->moved_share = c->current && c->total[0] > 0 ? 100.0 * moved / c->total[0] : 0;
    for (int b = 0; b < nb; b++)
        r->max_dev_pct[b] = 0;
    for (int k = 0; k < p * nb; k++) {
        double t = c->target[k];
        r->dev_pct[k] = t > 0 ? 100.0 * (r->total[k] - t) / t : 0;
        if (fabs(r->dev_pct[k]) > r->max_dev_pct[k % nb])
            r->max_dev_pct[k % nb] = fabs(r->dev_pct[k]);
    }
}

static void check_balance(const align_ctx *c, tqo_align_result *r, int say)
{
    int nb = c->nb, said = 0;
    for (int k = 0; k < c->p * nb; k++) {
        double slack = CHECK_REL * fmax(1.0, c->target[k]);
        if (r->total[k] >= c->lo[k] - slack && r->total[k] <= c->hi[k] + slack)
            continue;
        if (say && !said) {
            int b = k % nb;
            tqo_diag_error(c->diag, "the balance tolerance (--balance %s:%g) could not be met: territory %s "
                           "deviates %.2f%% (largest deviation %.2f%%)", c->s->balance[b], c->s->balance_tol_pct[b],
                           c->territory_id[k / nb], r->dev_pct[k], r->max_dev_pct[b]);
            said = 1;
        }
        add_violation(r, "balance");
    }
}

/* Locks, the distance cap (locked units too) and the move cap. */
static void check_caps(const align_ctx *c, tqo_align_result *r, int say)
{
    char nm[256];
    int said_lock = 0, said_dist = 0;
    double cap = c->s->max_distance_km;
    for (int i = 0; i < c->n; i++) {
        for (int q = r->unit_start[i]; q < r->unit_start[i + 1]; q++) {
            int j = r->terr[q];
            if (j < 0 || j >= c->p || r->share[q] <= 0)
                continue;
            if (c->lock && c->lock[i] >= 0 && c->lock[i] != j) {
                if (say && !said_lock++)
                    tqo_diag_error(c->diag, "unit %s is locked to %s but the plan puts %.3g of it in %s",
                                   tqoi_align_unit_name(c, i, nm, sizeof nm), c->territory_id[c->lock[i]], r->share[q],
                                   c->territory_id[j]);
                add_violation(r, "locks");
            }
            double d = sqrt(tqoi_alloc_dist2(&c->P, i, j));
            if (cap > 0 && d > cap * (1 + CHECK_REL)) {
                if (say && !said_dist++)
                    tqo_diag_error(c->diag, "the distance cap (--max-distance %g) could not be met: unit %s is "
                                   "%.4g km from the centre of %s", cap, tqoi_align_unit_name(c, i, nm, sizeof nm), d,
                                   c->territory_id[j]);
                add_violation(r, "max_distance");
            }
        }
    }
    if (c->max_move >= 0 && c->current && r->moved_share > c->s->max_moves_pct * (1 + CHECK_REL) + 1e-9) {
        if (say)
            tqo_diag_error(c->diag, "the move cap (--max-moves %g: at most %.6g of %s) could not be met: the best "
                           "plan found moves %.2f%%", c->s->max_moves_pct, c->max_move, c->s->balance[0],
                           r->moved_share);
        add_violation(r, "max_moves");
    }
}

static int ex_cmp(const void *pa, const void *pb)
{
    const tqo_exception *a = pa, *b = pb;
    return a->first_unit - b->first_unit;
}

/* The pieces of one territory (units with a positive share in it) in the
   unit graph; every piece but the main one is listed in ex. The main
   piece is the largest in the first balanced measure, then in units, then
   one that is not a whole island. */
static int territory_split(const align_ctx *c, const tqo_align_result *r, int j, const double *sh, int *mark,
                           int *stack, int *members, int nm, tqo_exception **ex, int *n_ex, int *cap)
{
    int first_piece = *n_ex, best = -1;
    double best_size = -1;
    int best_cnt = 0, best_island = 1;
    for (int s = 0; s < nm; s++) {
        int s0 = members[s];
        if (mark[s0] != 1)
            continue;
        int top = 0, cnt = 0, lo = s0;
        double size = 0;
        stack[top++] = s0;
        mark[s0] = 2;
        while (top) {
            int u = stack[--top];
            cnt++;
            size += sh[u] * c->a[0][u];
            lo = u < lo ? u : lo;
            for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
                if (mark[c->adj[k]] == 1) {
                    mark[c->adj[k]] = 2;
                    stack[top++] = c->adj[k];
                }
        }
        int island = cnt == c->comp_size[c->comp[s0]];
        if (*n_ex == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            tqo_exception *l = realloc(*ex, (size_t)*cap * sizeof *l);
            if (!l)
                return -1;
            *ex = l;
        }
        tqo_exception *e = &(*ex)[(*n_ex)++];
        e->territory = j;
        e->component = c->comp[s0];
        e->n_units = cnt;
        e->first_unit = lo;
        e->detached = !island;
        if (best < 0 || size > best_size || (size == best_size && (cnt > best_cnt ||
                                                                   (cnt == best_cnt && best_island && !island)))) {
            best = *n_ex - 1;
            best_size = size;
            best_cnt = cnt;
            best_island = island;
        }
    }
    (void)r;
    if (best >= 0) {
        (*ex)[best] = (*ex)[*n_ex - 1];
        (*n_ex)--;
    }
    return *n_ex - first_piece;
}

static tqo_status check_contiguity(const align_ctx *c, tqo_align_result *r, int say)
{
    free(r->exceptions);
    r->exceptions = NULL;
    r->n_exceptions = 0;
    r->n_detached = 0;
    if (!c->contiguity)
        return TQO_OK;
    int n = c->n;
    int *mark = calloc((size_t)n, sizeof(int)), *stack = malloc((size_t)n * sizeof(int));
    int *members = malloc((size_t)n * sizeof(int));
    double *sh = calloc((size_t)n, sizeof(double));
    tqo_exception *ex = NULL;
    int n_ex = 0, cap = 0;
    tqo_status st = mark && stack && members && sh ? TQO_OK : TQO_ERR_NOMEM;
    for (int j = 0; j < c->p && st == TQO_OK; j++) {
        int nm = 0;
        for (int i = 0; i < n; i++)
            for (int q = r->unit_start[i]; q < r->unit_start[i + 1]; q++)
                if (r->terr[q] == j && r->share[q] > 0) {
                    members[nm++] = i;
                    mark[i] = 1;
                    sh[i] = r->share[q];
                }
        if (territory_split(c, r, j, sh, mark, stack, members, nm, &ex, &n_ex, &cap) < 0)
            st = TQO_ERR_NOMEM;
        for (int s = 0; s < nm; s++)
            mark[members[s]] = 0;
    }
    free(mark);
    free(stack);
    free(members);
    free(sh);
    if (st != TQO_OK) {
        free(ex);
        return st;
    }
    qsort(ex, (size_t)n_ex, sizeof *ex, ex_cmp);
    r->exceptions = ex;
    r->n_exceptions = n_ex;
    int said = 0;
    for (int e = 0; e < n_ex; e++) {
        if (!ex[e].detached)
            continue;
        r->n_detached++;
        add_violation(r, "contiguity");
        if (say && !said++) {
            char nm[256];
            int pieces = 1;
            for (int f = 0; f < n_ex; f++)
                pieces += ex[f].territory == ex[e].territory;
            tqo_diag_error(c->diag, "territory %s is in %d pieces: %d unit%s from %s %s cut off from it", 
                           c->territory_id[ex[e].territory], pieces, ex[e].n_units, ex[e].n_units == 1 ? "" : "s",
                           tqoi_align_unit_name(c, ex[e].first_unit, nm, sizeof nm), ex[e].n_units == 1 ? "is" : "are");
        }
    }
    return TQO_OK;
}

tqo_status tqoi_align_check(const align_ctx *c, tqo_align_result *r, int say)
{
    r->n_violated = 0;
    if (!r->unit_start)
        return TQO_ERR_SOLVER;
    check_assignment(c, r, say);
    check_figures(c, r);
    check_balance(c, r, say);
    check_caps(c, r, say);
    tqo_status st = check_contiguity(c, r, say);
    if (st == TQO_OK && c->s->objective) /* the diameter or radius from the rows (objective_search.c) */
        st = tqoi_objective_check(c, r);
    if (st != TQO_OK)
        return st;
    if (say && r->n_detached > 1)
        tqo_diag_error(c->diag, "%d pieces of territories are cut off from their territory (contiguity)",
                       r->n_detached);
    /* The bound holds for plans within every constraint: a gap means
       nothing for any other plan. */
    if (r->n_violated) {
        r->gap = NAN;
        r->minmax_gap = NAN;
        snprintf(r->status, sizeof r->status, "violated");
        return TQO_ERR_INFEASIBLE;
    }
    r->gap = r->objective > 0 && isfinite(r->lower_bound) ? (r->objective - r->lower_bound) / r->objective : 0;
    if (r->gap < 0) /* rounding: a plan within the constraints is never below the bound */
        r->gap = 0;
    if (c->s->objective)
        r->minmax_gap = r->minmax_value > 0 ? fmax(0, (r->minmax_value - r->minmax_lower_bound) / r->minmax_value) : 0;
    snprintf(r->status, sizeof r->status, "ok");
    return TQO_OK;
}
