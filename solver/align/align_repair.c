/*
 * The repair MIP: when the heuristic plan still breaks balance or the move
 * cap, a MIP over the units that matter (those moved from their current
 * territory and those nearest to a tie at the LP prices, per measure they
 * carry), the rest fixed where the plan has them, each free unit choosing
 * among its plan's territory, its current one and its cheapest few. The
 * MIP's rows hold balance and the move cap exactly; its search is bounded
 * by subproblems, not by the clock.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPAIR_CANDIDATES 3
/* free units per attempt, and the work (free units x subproblems) */
static const int repair_free[] = {300, 1200};
#define REPAIR_WORK 120000

static int moved_unit(const align_ctx *c, const int *asg, int i)
{
    return c->current && c->current[i] >= 0 && c->current[i] != asg[i];
}

/* Units ranked for freeing: moved ones first, then by the gap between
   their two cheapest territories at the LP prices per measure carried. */
static int rank_units(const align_ctx *c, const int *asg, align_kv *rank)
{
    int n = c->n, p = c->p, m = 0;
    for (int i = 0; i < n; i++) {
        if (c->lock && c->lock[i] >= 0)
            continue;
        double b1, b2;
        tqoi_align_two_cheapest(c, i, &b1, &b2);
        if (!isfinite(b2))
            continue;
        double size = 0;
        for (int b = 0; b < c->nb; b++)
            size += c->a[b][i] / (c->total[b] / p);
        rank[m].k = moved_unit(c, asg, i) ? -1 : size > 0 ? (b2 - b1) / size : INFINITY;
        rank[m].v = i;
        m++;
    }
    qsort(rank, (size_t)m, sizeof(align_kv), tqoi_align_kv_cmp);
    return m;
}

/* Candidate territories of free unit i: its plan's, its current one and
   the cheapest at the LP prices. */
static int candidates(const align_ctx *c, const int *asg, int i, align_kv *row, int *out)
{
    int nr = tqoi_align_ranked_territories(c, i, row), m = 0;
    int want[2] = {asg[i], c->current && c->current[i] >= 0 ? c->current[i] : -1};
    for (int q = 0; q < 2; q++)
        if (want[q] >= 0 && tqoi_alloc_allowed(&c->P, i, want[q]) && (q == 0 || want[1] != want[0]))
            out[m++] = want[q];
    for (int q = 0; q < nr && m < REPAIR_CANDIDATES + 2; q++) {
        int dup = 0;
        for (int t = 0; t < m; t++)
            dup |= out[t] == row[q].v;
        if (!dup)
            out[m++] = row[q].v;
    }
    return m;
}

int tqoi_align_repair_mip(align_ctx *c, int *asg)
{
    int n = c->n, p = c->p;
    align_kv *rank = malloc((size_t)n * sizeof(align_kv)), *row = malloc((size_t)p * sizeof(align_kv));
    int *fixed = malloc((size_t)n * sizeof(int)), *cs = malloc((size_t)(n + 1) * sizeof(int));
    int *cand = malloc((size_t)n * (REPAIR_CANDIDATES + 2) * sizeof(int)), *out = malloc((size_t)n * sizeof(int));
    int done = 0;
    if (!rank || !row || !fixed || !cs || !cand || !out)
        goto end;
    int nr = rank_units(c, asg, rank);
    for (size_t a = 0; a < sizeof repair_free / sizeof repair_free[0] && !done; a++) {
        int nfree = repair_free[a] < nr ? repair_free[a] : nr;
        for (int i = 0; i < n; i++)
            fixed[i] = asg[i];
        for (int q = 0; q < nfree; q++)
            fixed[rank[q].v] = -1;
        int m = 0;
        for (int i = 0; i < n; i++) {
            cs[i] = m;
            if (fixed[i] < 0)
                m += candidates(c, asg, i, row, cand + m);
        }
        cs[n] = m;
        int nodes = REPAIR_WORK / (nfree > 0 ? nfree : 1);
        tqo_diag d;
        tqo_diag_init(&d);
        double obj = 0, t0 = tqoi_align_now();
        tqo_status st = tqoi_alloc_solve_subset_mip(&c->P, fixed, cs, cand, c->s->time_limit > 0 ? c->s->time_limit / 4 : 0,
                                               nodes < 20 ? 20 : nodes, out, &obj, &d);
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                       "repair MIP over %d units (%d candidates, %d subproblems): status %d, objective %.9g (%.2f s)",
                       nfree, m, nodes, st, obj, tqoi_align_now() - t0);
        tqo_diag_free(&d);
        if (st == TQO_OK) {
            memcpy(asg, out, (size_t)n * sizeof(int));
            done = 1;
        }
        if (nfree == nr)
            break;
    }
end:
    free(rank);
    free(row);
    free(fixed);
    free(cs);
    free(cand);
    free(out);
    return done;
}
