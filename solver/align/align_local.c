/*
 * From the LP solution to whole, connected, balanced territories:
 *
 * - split units are made whole by a small MIP over them and the units
 *   nearest to a tie (over the split units alone it can be infeasible),
 *   else rounded, the largest first, where balance suffers least;
 * - stray pieces of a territory, cut off from its main part, go to the
 *   neighbouring territories (whole islands may stay, as exceptions), and
 *   locked units apart from theirs are joined to it by a path of units;
 * - the local search restores balance by the cheapest ejection chains
 *   (cost per violation removed), then improves compactness by moves whose
 *   breach of balance a chain repairs, keeping balance, contiguity, locks
 *   and the move cap;
 * - the support LP re-optimizes all boundaries at once: the boundary units
 *   choose again, fractionally, among their own and their neighbours'
 *   territories, each only as far as a neighbour nearer its territory's
 *   fixed part holds it, so no enclave forms; made whole and polished.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef align_kv kv2;

int tqoi_align_kv_cmp(const void *a, const void *b)
{
    const kv2 *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->v - y->v;
}

/* Moves heap[x] down the binary min-heap heap[0..nh) to its place. */
static void kv2_sift_down(kv2 *heap, int nh, int x)
{
    for (;;) {
        int l = 2 * x + 1, r = l + 1, m = x;
        if (l < nh && tqoi_align_kv_cmp(&heap[l], &heap[m]) < 0)
            m = l;
        if (r < nh && tqoi_align_kv_cmp(&heap[r], &heap[m]) < 0)
            m = r;
        if (m == x)
            break;
        kv2 t = heap[x];
        heap[x] = heap[m];
        heap[m] = t;
        x = m;
    }
}

/* Detail for the caller's log (shown with tqo align --verbose). */
#define logd(c, ...) tqo_log_printf((c)->s->log, (c)->s->log_ctx, TQO_LOG_DEBUG, __VA_ARGS__)

/* Reduced cost of (i, j) at the last LP prices. */
double tqoi_align_reduced(const align_ctx *c, int i, int j)
{
    double r = tqoi_alloc_cost(&c->P, i, j);
    for (int b = 0; b < c->nb; b++)
        r += c->a[b][i] * c->prices[j * c->nb + b];
    if (c->max_move >= 0 && c->current && c->current[i] >= 0 && c->current[i] != j)
        r += c->prices[c->p * c->nb] * c->a[0][i];
    return r;
}

int tqoi_align_ranked_territories(const align_ctx *c, int i, align_kv *row)
{
    int nr = 0;
    for (int j = 0; j < c->p; j++) {
        double r = tqoi_align_reduced(c, i, j);
        if (isfinite(r)) {
            row[nr].k = r;
            row[nr].v = j;
            nr++;
        }
    }
    qsort(row, (size_t)nr, sizeof *row, tqoi_align_kv_cmp);
    return nr;
}

void tqoi_align_two_cheapest(const align_ctx *c, int i, double *b1, double *b2)
{
    *b1 = *b2 = INFINITY;
    for (int j = 0; j < c->p; j++) {
        double r = tqoi_align_reduced(c, i, j);
        if (r < *b1) {
            *b2 = *b1;
            *b1 = r;
        } else if (r < *b2) {
            *b2 = r;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Split units                                                         */

#define MIP_CANDIDATES 4
/* Work allowed to a split MIP: free units x branch-and-cut subproblems
   (so a larger neighbourhood gets fewer), and the largest neighbourhood
   worth a MIP, the one still allowed 100 subproblems; beyond, rounding and
   the local search do better per second: MIPs of 273 to 1,377 units
   allowed 21 to 109 subproblems found no plan on italy, uscounties, the
   commdis instances and an italy rebalance (0.1 to 5.5 s each), those of
   204 and 209 units (147 and 143) did. */
#define SPLIT_MIP_WORK 30000
#define SPLIT_MIP_MAX_UNITS 300

static tqo_status resolve_rest(align_ctx *c, const alloc_solution *x, int *asg, char *how, size_t howsize);
static tqo_status round_shares(const align_ctx *c, const alloc_solution *xs, int *a2, int held_only, int *n_split);

/*
 * Large split units (a big city shared by two territories) cannot be made
 * whole by a local MIP: the territory that loses its share has to take as
 * much from its neighbours, and they from theirs. So they are first fixed
 * to their larger share and the LP solved again (a dive); what is left
 * split is small, and a MIP over it and its neighbourhood finishes.
 */
static tqo_status dive(align_ctx *c, alloc_solution *x, int *dived, int *rounds)
{
    int n = c->n, p = c->p;
    int *lock = malloc((size_t)n * sizeof(int));
    if (!lock)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < n; i++)
        lock[i] = c->lock ? c->lock[i] : -1;
    const int *saved = c->P.lock;
    tqo_status st = TQO_OK;
    *dived = 0;
    *rounds = 0;
    for (int round = 0; round < 12; round++) {
        int fixed_now = 0;
        for (int i = 0; i < n; i++) {
            if (x->start[i + 1] - x->start[i] < 2)
                continue;
            /* large: at least 2% of a target in some balanced measure */
            int large = 0;
            for (int b = 0; b < c->nb; b++)
                large |= c->a[b][i] >= 0.02 * c->total[b] / p;
            if (!large)
                continue;
            int best = x->start[i];
            for (int k = x->start[i]; k < x->start[i + 1]; k++)
                if (x->share[k] > x->share[best])
                    best = k;
            lock[i] = x->terr[best];
            fixed_now++;
            char nm[256];
            logd(c, "splits: dive fixes %s (%.6g) to %s at share %.4f", tqoi_align_unit_name(c, i, nm, sizeof nm),
                 c->a[0][i], c->territory_id[x->terr[best]], x->share[best]);
        }
        if (!fixed_now)
            break;
        c->P.lock = lock;
        alloc_solution y;
        tqo_diag d;
        tqo_diag_init(&d);
        st = tqoi_alloc_solve_lp(&c->P, c->s->candidates, c->prices, &y, c->s->log, c->s->log_ctx, &d);
        tqo_diag_free(&d);
        c->P.lock = saved;
        if (st != TQO_OK) {
            st = st == TQO_ERR_NOMEM ? st : TQO_OK; /* keep the last LP solution */
            break;
        }
        logd(c, "splits: dive round %d: LP objective %.9g -> %.9g", round + 1, x->objective, y.objective);
        tqoi_alloc_solution_free(x);
        *x = y;
        *dived += fixed_now;
        (*rounds)++;
    }
    free(lock);
    return st;
}

tqo_status tqoi_align_resolve_splits(align_ctx *c, const alloc_solution *x0, int *asg, char *how, size_t howsize)
{
    alloc_solution xs;
    memset(&xs, 0, sizeof xs);
    /* a private copy, since the dive replaces it */
    xs.n = x0->n;
    xs.objective = x0->objective;
    xs.start = malloc((size_t)(x0->n + 1) * sizeof(int));
    xs.terr = malloc((size_t)(x0->start[x0->n] + 1) * sizeof(int));
    xs.share = malloc((size_t)(x0->start[x0->n] + 1) * sizeof(double));
    if (!xs.start || !xs.terr || !xs.share) {
        tqoi_alloc_solution_free(&xs);
        return TQO_ERR_NOMEM;
    }
    memcpy(xs.start, x0->start, (size_t)(x0->n + 1) * sizeof(int));
    memcpy(xs.terr, x0->terr, (size_t)x0->start[x0->n] * sizeof(int));
    memcpy(xs.share, x0->share, (size_t)x0->start[x0->n] * sizeof(double));
    int dived = 0, drounds = 0;
    tqo_status dst = dive(c, &xs, &dived, &drounds);
    if (dst != TQO_OK) {
        tqoi_alloc_solution_free(&xs);
        return dst;
    }
    tqo_status rst = resolve_rest(c, &xs, asg, how, howsize);
    if (dived && rst == TQO_OK) {
        size_t k = strlen(how);
        snprintf(how + k, howsize - k, "; %d large unit%s fixed first (%d LP dive%s)", dived, dived == 1 ? "" : "s",
                 drounds, drounds == 1 ? "" : "s");
    }
    tqoi_alloc_solution_free(&xs);
    return rst;
}

static tqo_status resolve_rest(align_ctx *c, const alloc_solution *x, int *asg, char *how, size_t howsize)
{
    int n = c->n, p = c->p;
    int nsplit = 0;
    for (int i = 0; i < n; i++) {
        int best = x->start[i];
        for (int k = x->start[i]; k < x->start[i + 1]; k++)
            if (x->share[k] > x->share[best])
                best = k;
        asg[i] = x->terr[best];
        nsplit += x->start[i + 1] - x->start[i] > 1;
    }
    if (nsplit == 0) {
        snprintf(how, howsize, "none split");
        return TQO_OK;
    }
    if (c->s->log)
        for (int i = 0; i < n; i++)
            if (x->start[i + 1] - x->start[i] > 1) {
                char msg[512], nm[256];
                int k = snprintf(msg, sizeof msg, "split in the LP: %s, %s %.6g:", tqoi_align_unit_name(c, i, nm, sizeof nm),
                                 c->s->balance[0], c->a[0][i]);
                for (int q = x->start[i]; q < x->start[i + 1] && k < (int)sizeof msg - 40; q++)
                    k += snprintf(msg + k, sizeof msg - (size_t)k, " %s %.4f", c->territory_id[x->terr[q]], x->share[q]);
                c->s->log(c->s->log_ctx, TQO_LOG_DEBUG, msg);
            }
    /* Units nearest to a tie at the LP prices form the neighbourhood. */
    kv2 *gap = malloc((size_t)n * sizeof(kv2));
    kv2 *row = malloc((size_t)p * sizeof(kv2));
    int *fixed = malloc((size_t)n * sizeof(int));
    int *cs = malloc((size_t)(n + 1) * sizeof(int));
    int *cand = malloc((size_t)n * (MIP_CANDIDATES + 4) * sizeof(int));
    int *out = malloc((size_t)n * sizeof(int));
    tqo_status st = TQO_OK;
    if (!gap || !row || !fixed || !cs || !cand || !out) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    int ng = 0;
    for (int i = 0; i < n; i++) {
        if ((c->lock && c->lock[i] >= 0) || x->start[i + 1] - x->start[i] > 1)
            continue;
        double b1, b2;
        tqoi_align_two_cheapest(c, i, &b1, &b2);
        if (isfinite(b2)) {
            /* per unit of measure: the cheapest way to shift balance */
            double size = 0;
            for (int b = 0; b < c->nb; b++)
                size += c->a[b][i] / (c->total[b] / p);
            gap[ng].k = size > 0 ? (b2 - b1) / size : INFINITY;
            gap[ng].v = i;
            ng++;
        }
    }
    qsort(gap, (size_t)ng, sizeof(kv2), tqoi_align_kv_cmp);
    int extra = 20 * nsplit > 200 ? 20 * nsplit : 200;
    /* Most of the gain comes early; the local search polishes after. The
       search is bounded by counts only (at most 4 MIPs of at most
       SPLIT_MIP_MAX_UNITS units, each within its number of subproblems),
       so the plan is the same on a busy machine; the clock bounds it only
       when the user sets --time-limit (0: GLPK never reads the clock). */
    double limit = c->s->time_limit > 0 ? c->s->time_limit / 4 : 0;

    for (int attempt = 0; attempt < 4; attempt++) {
        char *isfree = calloc((size_t)n, 1);
        if (!isfree) {
            st = TQO_ERR_NOMEM;
            goto done;
        }
        int nfree = 0;
        for (int i = 0; i < n; i++)
            if (x->start[i + 1] - x->start[i] > 1)
                isfree[i] = 1, nfree++;
        for (int q = 0; q < ng && q < extra; q++)
            isfree[gap[q].v] = 1, nfree++;
        int m = 0;
        for (int i = 0; i < n; i++) {
            cs[i] = m;
            fixed[i] = isfree[i] ? -1 : asg[i];
            if (!isfree[i])
                continue;
            int nr = tqoi_align_ranked_territories(c, i, row);
            int taken = 0;
            for (int q = 0; q < nr && taken < MIP_CANDIDATES; q++, taken++)
                cand[m++] = row[q].v;
            for (int k = x->start[i]; k < x->start[i + 1]; k++) {
                int j = x->terr[k], dup = 0;
                for (int q = cs[i]; q < m; q++)
                    dup |= cand[q] == j;
                if (!dup)
                    cand[m++] = j;
            }
        }
        cs[n] = m;
        free(isfree);
        if (nfree > SPLIT_MIP_MAX_UNITS)
            break;
        double obj;
        tqo_diag d;
        tqo_diag_init(&d);
        double tm = tqoi_align_now();
        int nodes = SPLIT_MIP_WORK / nfree > 20 ? SPLIT_MIP_WORK / nfree : 20;
        st = tqoi_alloc_solve_subset_mip(&c->P, fixed, cs, cand, limit, nodes, out, &obj, &d);
        logd(c, "splits: MIP over %d units, %d candidates: status %d in %.2f s%s%s", nfree, m, st, tqoi_align_now() - tm,
             d.n_msgs ? ": " : "", d.n_msgs ? d.msgs[0] : "");
        tqo_diag_free(&d);
        if (st == TQO_OK) {
            memcpy(asg, out, (size_t)n * sizeof(int));
            snprintf(how, howsize, "MIP over %d units", nfree);
            goto done;
        }
        if (st == TQO_ERR_NOMEM)
            goto done;
        extra *= 4;
        if (extra > ng * 2 && attempt >= 1)
            break;
    }
    {
        int ns;
        st = round_shares(c, x, asg, 1, &ns);
        if (st != TQO_OK)
            goto done;
    }
    snprintf(how, howsize, "rounded (the largest units first, keeping balance), then repaired");
done:
    free(gap);
    free(row);
    free(fixed);
    free(cs);
    free(cand);
    free(out);
    return st;
}

/* ------------------------------------------------------------------ */
/* Contiguity                                                          */

/* Components of each territory's units. piece[i] numbers the piece of
   unit i; core[j] is the main piece of territory j (largest in the first
   balanced measure, then in units). Returns the number of pieces. */
static int territory_pieces(const align_ctx *c, const int *asg, int *piece, int *core, int *stack)
{
    int n = c->n, np = 0;
    for (int i = 0; i < n; i++)
        piece[i] = -1;
    double *size = malloc((size_t)(n + 1) * sizeof(double));
    int *cnt = malloc((size_t)(n + 1) * sizeof(int));
    int *pterr = malloc((size_t)(n + 1) * sizeof(int));
    if (!size || !cnt || !pterr) {
        free(size);
        free(cnt);
        free(pterr);
        return -1;
    }
    for (int s = 0; s < n; s++) {
        if (piece[s] >= 0)
            continue;
        int j = asg[s], top = 0;
        stack[top++] = s;
        piece[s] = np;
        size[np] = 0;
        cnt[np] = 0;
        pterr[np] = j;
        while (top) {
            int u = stack[--top];
            size[np] += c->a[0][u];
            cnt[np]++;
            for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
                int v = c->adj[k];
                if (piece[v] < 0 && asg[v] == j) {
                    piece[v] = np;
                    stack[top++] = v;
                }
            }
        }
        np++;
    }
    for (int j = 0; j < c->p; j++)
        core[j] = -1;
    for (int q = 0; q < np; q++) {
        int j = pterr[q], b = core[j];
        if (b < 0 || size[q] > size[b] || (size[q] == size[b] && cnt[q] > cnt[b]))
            core[j] = q;
    }
    free(size);
    free(cnt);
    free(pterr);
    return np;
}

int tqoi_align_contiguity_exceptions(const align_ctx *c, const int *asg, tqo_exception **ex, int *n_ex, int *n_bad)
{
    *n_ex = 0;
    *n_bad = 0;
    if (ex)
        *ex = NULL;
    if (!c->contiguity)
        return 0;
    int n = c->n;
    int *piece = malloc((size_t)n * sizeof(int)), *stack = malloc((size_t)n * sizeof(int));
    int *core = malloc((size_t)c->p * sizeof(int));
    if (!piece || !stack || !core) {
        free(piece);
        free(stack);
        free(core);
        return -1;
    }
    int np = territory_pieces(c, asg, piece, core, stack);
    if (np < 0) {
        free(piece);
        free(stack);
        free(core);
        return -1;
    }
    int *psize = calloc((size_t)np, sizeof(int)), *pfirst = malloc((size_t)np * sizeof(int));
    tqo_exception *list = NULL;
    int cap = 0;
    if (!psize || !pfirst) {
        free(psize);
        free(pfirst);
        free(piece);
        free(stack);
        free(core);
        return -1;
    }
    for (int i = n - 1; i >= 0; i--) {
        psize[piece[i]]++;
        pfirst[piece[i]] = i;
    }
    for (int q = 0; q < np; q++) {
        int i = pfirst[q], j = asg[i];
        if (core[j] == q)
            continue;
        if (psize[q] == c->comp_size[c->comp[i]]) {
            /* a whole island in a territory based elsewhere */
            if (ex) {
                if (*n_ex == cap) {
                    cap = cap ? 2 * cap : 8;
                    tqo_exception *l = realloc(list, (size_t)cap * sizeof *l);
                    if (!l)
                        break;
                    list = l;
                }
                list[*n_ex].territory = j;
                list[*n_ex].component = c->comp[i];
                list[*n_ex].n_units = psize[q];
                list[*n_ex].first_unit = i;
            }
            (*n_ex)++;
        } else {
            (*n_bad)++;
        }
    }
    if (ex)
        *ex = list;
    else
        free(list);
    free(psize);
    free(pfirst);
    free(piece);
    free(stack);
    free(core);
    return 0;
}

/*
 * A graph component (island) on which no territory has its main part
 * cannot be shared: it goes whole to the territory for which it costs the
 * least, wherever that territory lies (a reported exception).
 */
static tqo_status place_islands(align_ctx *c, int *asg, int *piece, int *core, int *stack)
{
    int n = c->n, p = c->p;
    int np = territory_pieces(c, asg, piece, core, stack);
    if (np < 0)
        return TQO_ERR_NOMEM;
    char *has_core = calloc((size_t)c->n_comp, 1);
    double *cost = malloc((size_t)p * sizeof(double));
    if (!has_core || !cost) {
        free(has_core);
        free(cost);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++)
        if (core[asg[i]] == piece[i])
            has_core[c->comp[i]] = 1;
    for (int k = 0; k < c->n_comp; k++) {
        if (has_core[k])
            continue;
        for (int j = 0; j < p; j++)
            cost[j] = 0;
        int locked = -1;
        for (int i = 0; i < n; i++) {
            if (c->comp[i] != k)
                continue;
            if (c->lock && c->lock[i] >= 0)
                locked = c->lock[i];
            for (int j = 0; j < p; j++)
                cost[j] += tqoi_alloc_cost(&c->P, i, j);
        }
        int best = 0;
        for (int j = 1; j < p; j++)
            if (cost[j] < cost[best])
                best = j;
        if (locked >= 0)
            best = locked; /* a lock on the island decides */
        for (int i = 0; i < n; i++)
            if (c->comp[i] == k && !(c->lock && c->lock[i] >= 0))
                asg[i] = best;
    }
    free(has_core);
    free(cost);
    return TQO_OK;
}

static tqo_status repair_strays(align_ctx *c, int *asg)
{
    if (!c->contiguity)
        return TQO_OK;
    int n = c->n;
    int *piece = malloc((size_t)n * sizeof(int)), *stack = malloc((size_t)n * sizeof(int));
    int *core = malloc((size_t)c->p * sizeof(int)), *psize = malloc((size_t)(n + 1) * sizeof(int));
    int *queue = malloc((size_t)n * sizeof(int));
    tqo_status st = TQO_OK;
    if (!piece || !stack || !core || !psize || !queue || place_islands(c, asg, piece, core, stack) != TQO_OK) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    for (int pass = 0; pass < 50; pass++) {
        int np = territory_pieces(c, asg, piece, core, stack);
        if (np < 0)
            break;
        memset(psize, 0, (size_t)np * sizeof(int));
        for (int i = 0; i < n; i++)
            psize[piece[i]]++;
        int moved = 0, stray = 0;
        /* Units of stray pieces, outermost first: each goes to the cheapest
           neighbouring territory outside its piece. */
        int qn = 0;
        for (int i = 0; i < n; i++) {
            int q = piece[i], j = asg[i];
            if (core[j] == q || psize[q] == c->comp_size[c->comp[i]])
                continue;
            stray = 1;
            queue[qn++] = i;
        }
        if (!stray)
            break;
        {
            double sm = 0;
            for (int t = 0; t < qn; t++)
                sm += c->a[0][queue[t]];
            logd(c, "contiguity: pass %d, %d pieces, %d stray units (measure %.6g)", pass, np, qn, sm);
        }
        int progress = 1;
        while (progress) {
            progress = 0;
            for (int t = 0; t < qn; t++) {
                int u = queue[t];
                if (u < 0 || (c->lock && c->lock[u] >= 0))
                    continue;
                int from = asg[u], bestk = -1;
                double bestc = INFINITY;
                /* under a move cap, the unit's current territory first
                   when it is one of those it may join: no move spent */
                int home = c->max_move >= 0 && c->current ? c->current[u] : -1;
                for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
                    int v = c->adj[k];
                    if (piece[v] == piece[u] || asg[v] == from)
                        continue;
                    double cost = tqoi_alloc_cost(&c->P, u, asg[v]);
                    if (home >= 0 && isfinite(cost) && (asg[v] == home) != (bestk == home) && bestk >= 0) {
                        if (asg[v] == home) {
                            bestc = cost;
                            bestk = home;
                        }
                        continue;
                    }
                    if (cost < bestc) {
                        bestc = cost;
                        bestk = asg[v];
                    }
                }
                if (bestk >= 0 && isfinite(bestc)) {
                    asg[u] = bestk;
                    piece[u] = -2 - u; /* now part of bestk's side */
                    queue[t] = -1;
                    moved++;
                    progress = 1;
                }
            }
        }
        if (!moved)
            break;
    }
done:
    free(piece);
    free(stack);
    free(core);
    free(psize);
    free(queue);
    return st;
}


/*
 * A locked unit may lie apart from the main part of its territory (the
 * territory moved away from it, or the lock put it there): no move can
 * repair that piece. The cheapest path of units from the piece to the main
 * part (by the cost of moving each, none locked elsewhere) joins the
 * territory. Returns the number of units moved, -1 when out of memory.
 */
static int connect_locked(align_ctx *c, int *asg, char *keep)
{
    int n = c->n, p = c->p;
    if (!c->lock)
        return 0;
    int *piece = malloc((size_t)n * sizeof(int)), *stack = malloc((size_t)n * sizeof(int));
    int *core = malloc((size_t)p * sizeof(int)), *prev = malloc((size_t)n * sizeof(int));
    double *dist = malloc((size_t)n * sizeof(double));
    kv2 *heap = malloc((size_t)(8 * n + 16) * sizeof(kv2));
    int moved = -1;
    if (!piece || !stack || !core || !prev || !dist || !heap)
        goto done;
    int np = territory_pieces(c, asg, piece, core, stack);
    if (np < 0)
        goto done;
    int *psize = calloc((size_t)np, sizeof(int));
    char *seen = calloc((size_t)np, 1);
    if (!psize || !seen) {
        free(psize);
        free(seen);
        goto done;
    }
    for (int i = 0; i < n; i++)
        psize[piece[i]]++;
    moved = 0;
    for (int s0 = 0; s0 < n; s0++) {
        int q = piece[s0], j = asg[s0];
        if (seen[q] || c->lock[s0] != j || core[j] == q || core[j] < 0 || psize[q] == c->comp_size[c->comp[s0]])
            continue;
        seen[q] = 1;
        /* Dijkstra from the piece to the main part */
        int nh = 0;
        for (int i = 0; i < n; i++) {
            dist[i] = INFINITY;
            prev[i] = -1;
        }
        for (int i = 0; i < n; i++)
            if (piece[i] == q) {
                dist[i] = 0;
                heap[nh].k = 0;
                heap[nh].v = i;
                nh++;
            }
        /* a plain binary heap with lazy deletion */
        for (int h = nh / 2 - 1; h >= 0; h--)
            kv2_sift_down(heap, nh, h);
        int hit = -1;
        while (nh > 0 && hit < 0) {
            kv2 top = heap[0];
            heap[0] = heap[--nh];
            kv2_sift_down(heap, nh, 0);
            int u = top.v;
            if (top.k > dist[u])
                continue;
            for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
                int v = c->adj[k];
                if (piece[v] == core[j]) {
                    hit = u;
                    break;
                }
                /* keep: a path already laid to another locked unit; taking
                   it would cut that one off again (two paths crossing) */
                if (asg[v] == j || (c->lock[v] >= 0 && c->lock[v] != j) || keep[v] || !tqoi_alloc_allowed(&c->P, v, j))
                    continue;
                double w = tqoi_alloc_cost(&c->P, v, j) - tqoi_alloc_cost(&c->P, v, asg[v]);
                double d = dist[u] + (w > 0 ? w : 0) + 1e-9 * (fabs(tqoi_alloc_cost(&c->P, v, asg[v])) + 1);
                if (d < dist[v] && nh < 8 * n + 16) {
                    dist[v] = d;
                    prev[v] = u;
                    int x = nh++;
                    kv2 e = {d, v};
                    while (x > 0 && tqoi_align_kv_cmp(&e, &heap[(x - 1) / 2]) < 0) {
                        heap[x] = heap[(x - 1) / 2];
                        x = (x - 1) / 2;
                    }
                    heap[x] = e;
                }
            }
        }
        for (int u = hit; u >= 0 && piece[u] != q; u = prev[u]) {
            asg[u] = j;
            keep[u] = 1;
            moved++;
        }
    }
    free(psize);
    free(seen);
done:
    free(piece);
    free(stack);
    free(core);
    free(prev);
    free(dist);
    free(heap);
    return moved;
}

tqo_status tqoi_align_repair_contiguity(align_ctx *c, int *asg)
{
    if (!c->contiguity)
        return TQO_OK;
    char *keep = c->lock ? calloc((size_t)c->n, 1) : NULL;
    if (c->lock && !keep)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    for (int round = 0; round < 8; round++) {
        st = repair_strays(c, asg);
        if (st != TQO_OK)
            break;
        int m = connect_locked(c, asg, keep);
        if (m < 0)
            st = TQO_ERR_NOMEM;
        if (m <= 0)
            break;
        logd(c, "contiguity: %d units join territories to reach their locked units", m);
        if (round == 7) /* the paths laid last may leave strays of their own */
            st = repair_strays(c, asg);
    }
    free(keep);
    return st;
}

/* ------------------------------------------------------------------ */
/* Local search                                                        */

typedef struct ls {
    align_ctx *c;
    int *asg;
    double *load;       /* p*nb */
    double moved;       /* of a[0] against the current plan */
    int *mark;          /* BFS marks */
    int stamp;
    int *stack;
    int *near;          /* without adjacency: K nearest territories */
    int nk;
    int *tstart, *tlist; /* units by territory (by_territory), p+1 and n */
    /* current members of each territory, kept by apply(): mem[j][0 ..
       nmem[j]), pos[u] the place of u in its territory's list */
    int **mem, *nmem, *cmem, *pos;
    /* without a graph: the units having j among their nearest territories */
    int *rev_start, *rev;
    /* chain search, per territory: label (cost so far), violation change
       so far, the unit passed along, predecessor, depth, and stamps */
    double *lab, *dvl, *dmv;
    int *nin, *pred, *depth, *seen, *closed, *first;
    char *rootok;        /* the root's violation fell with its first move */
    int sstamp;
    kv2 *heap;
    int nheap, cheap;
    int *useen;          /* per unit stamp (pull candidates) */
    int ustamp;
    int *tg2;            /* p + 1 */
    long long work;      /* units examined: bounds the search */
    unsigned *tver;      /* per territory: changes so far */
    unsigned *dl;        /* per unit: tver sum of its territories when it
                            last had no improving chain (don't look) */
    double *cost;        /* n*p costs (INFINITY: not allowed), or NULL */
} ls;

/* The cost of u in j: the search asks for the same pairs many times, and
   on the sphere each is a haversine; cached when n*p is at most
   LS_COST_CELLS (64 MB), else computed (the same values either way). */
#define LS_COST_CELLS 8000000L
static double lcost(const ls *L, int u, int j)
{
    return L->cost ? L->cost[(size_t)u * L->c->p + j] : tqoi_alloc_cost(&L->c->P, u, j);
}

static void ls_cache_costs(ls *L)
{
    const align_ctx *c = L->c;
    long n = c->n, p = c->p;
    if (n * p > LS_COST_CELLS || !(L->cost = malloc((size_t)(n * p) * sizeof(double))))
        return; /* computed on demand */
    int nth = c->s->threads > 0 ? c->s->threads : 1;
    double *cost = L->cost;
#pragma omp parallel for schedule(static) num_threads(nth)
    for (long i = 0; i < n; i++)
        for (long j = 0; j < p; j++)
            cost[i * p + j] = tqoi_alloc_cost(&c->P, (int)i, (int)j);
}

/* Units grouped by territory: those of j are list[start[j] .. start[j+1]),
   in unit order (a counting sort). */
static void by_territory(const int *asg, int n, int p, int *start, int *list)
{
    memset(start, 0, ((size_t)p + 1) * sizeof(int));
    for (int i = 0; i < n; i++)
        start[asg[i] + 1]++;
    for (int j = 0; j < p; j++)
        start[j + 1] += start[j];
    for (int i = 0; i < n; i++)
        list[start[asg[i]]++] = i;
    for (int j = p; j > 0; j--)
        start[j] = start[j - 1];
    start[0] = 0;
}

/* Relative violation of row k at this load; within 1e-9 of the target
   of the band (rounding in the sums of loads) counts as none, as in the
   final check. */
static double viol1(const align_ctx *c, int k, double load)
{
    double t = c->target[k] > 0 ? c->target[k] : 1;
    if (load > c->hi[k] + 1e-9 * t)
        return (load - c->hi[k]) / t;
    if (load < c->lo[k] - 1e-9 * t)
        return (c->lo[k] - load) / t;
    return 0;
}

/* Change in total violation if u goes from A to B. */
static double dviol(const ls *L, int u, int A, int B)
{
    const align_ctx *c = L->c;
    double d = 0;
    for (int b = 0; b < c->nb; b++) {
        int ka = A * c->nb + b, kb = B * c->nb + b;
        double a = c->a[b][u];
        d += viol1(c, ka, L->load[ka] - a) - viol1(c, ka, L->load[ka]);
        d += viol1(c, kb, L->load[kb] + a) - viol1(c, kb, L->load[kb]);
    }
    return d;
}

static int keeps_balance(const ls *L, int u, int A, int B)
{
    const align_ctx *c = L->c;
    for (int b = 0; b < c->nb; b++) {
        int ka = A * c->nb + b, kb = B * c->nb + b;
        double a = c->a[b][u];
        if (a == 0)
            continue;
        if (L->load[ka] - a < c->lo[ka] - 1e-9 * c->target[ka])
            return 0;
        if (L->load[kb] + a > c->hi[kb] + 1e-9 * c->target[kb])
            return 0;
    }
    return 1;
}

static double dmoved(const ls *L, int u, int A, int B)
{
    const align_ctx *c = L->c;
    if (!c->current || c->current[u] < 0)
        return 0;
    return c->a[0][u] * ((B != c->current[u]) - (A != c->current[u]));
}

/* Removing u from its territory leaves its neighbours there connected. */
static int removable(ls *L, int u)
{
    const align_ctx *c = L->c;
    if (!c->contiguity)
        return 1;
    int A = L->asg[u], need = 0;
    int nbr[16], many = 0;
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
        if (L->asg[c->adj[k]] == A) {
            if (need < 16)
                nbr[need] = c->adj[k];
            else
                many = 1;
            need++;
        }
    if (need <= 1)
        return 1;
    L->stamp++;
    int st = L->stamp;
    if (!many) {
        /* Most often u's neighbours in A touch one another around it:
           then removing u cannot disconnect A. */
        int comp[16];
        for (int a = 0; a < need; a++)
            comp[a] = a;
        for (int a = 0; a < need; a++)
            L->mark[nbr[a]] = st;
        int ncomp = need;
        for (int a = 0; a < need && ncomp > 1; a++) {
            int x = nbr[a];
            for (int k = c->adj_start[x]; k < c->adj_start[x + 1]; k++) {
                int y = c->adj[k];
                if (L->mark[y] != st)
                    continue;
                int b = 0;
                while (nbr[b] != y)
                    b++;
                int ra = comp[a], rb = comp[b];
                while (comp[ra] != ra)
                    ra = comp[ra];
                while (comp[rb] != rb)
                    rb = comp[rb];
                if (ra != rb) {
                    comp[ra] = rb;
                    ncomp--;
                }
            }
        }
        if (ncomp == 1)
            return 1;
        L->stamp++;
        st = L->stamp;
    }
    /* Breadth-first from one neighbour until all are reached. */
    int head = 0, top = 0, found = 1;
    int first = -1;
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1] && first < 0; k++)
        if (L->asg[c->adj[k]] == A)
            first = c->adj[k];
    L->stack[top++] = first;
    L->mark[first] = st;
    L->mark[u] = st; /* removed */
    while (head < top && found < need) {
        int v = L->stack[head++];
        for (int k = c->adj_start[v]; k < c->adj_start[v + 1]; k++) {
            int w = c->adj[k];
            if (L->asg[w] != A || L->mark[w] == st)
                continue;
            L->mark[w] = st;
            L->stack[top++] = w;
            for (int k2 = c->adj_start[u]; k2 < c->adj_start[u + 1]; k2++)
                if (c->adj[k2] == w) {
                    found++;
                    break;
                }
        }
    }
    return found >= need;
}

/* Territories u may move to: those of its neighbours, or its nearest
   territories when there is no graph. */
static int targets(const ls *L, int u, int *out)
{
    const align_ctx *c = L->c;
    int m = 0, A = L->asg[u];
    if (c->contiguity) {
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
            int j = L->asg[c->adj[k]], dup = j == A;
            for (int q = 0; q < m && !dup; q++)
                dup = out[q] == j;
            if (!dup)
                out[m++] = j;
        }
    } else {
        for (int q = 0; q < L->nk; q++) {
            int j = L->near[(size_t)u * L->nk + q];
            if (j != A)
                out[m++] = j;
        }
    }
    return m;
}

static void ls_drop_members(ls *L)
{
    if (L->mem)
        for (int j = 0; j < L->c->p; j++)
            free(L->mem[j]);
    free(L->mem);
    free(L->nmem);
    free(L->cmem);
    free(L->pos);
    L->mem = NULL;
    L->nmem = L->cmem = L->pos = NULL;
}

static void apply(ls *L, int u, int B)
{
    align_ctx *c = L->c;
    int A = L->asg[u];
    L->moved += dmoved(L, u, A, B);
    for (int b = 0; b < c->nb; b++) {
        L->load[A * c->nb + b] -= c->a[b][u];
        L->load[B * c->nb + b] += c->a[b][u];
    }
    L->asg[u] = B;
    if (L->mem && L->nmem[B] == L->cmem[B]) {
        int cap = 2 * L->cmem[B] + 16;
        int *m = realloc(L->mem[B], (size_t)cap * sizeof(int));
        if (m) {
            L->mem[B] = m;
            L->cmem[B] = cap;
        } else {
            ls_drop_members(L); /* out of memory: no chains from here on */
        }
    }
    if (L->mem) {
        int k = L->pos[u], last = L->mem[A][--L->nmem[A]];
        L->mem[A][k] = last;
        L->pos[last] = k;
        L->pos[u] = L->nmem[B];
        L->mem[B][L->nmem[B]++] = u;
    }
}

/* u may go from A to B: not locked, allowed, and within the move cap
   after the moves `extra` (moved measure) of a chain so far. */
static int move_ok_after(const ls *L, int u, int A, int B, double extra)
{
    const align_ctx *c = L->c;
    if (c->lock && c->lock[u] >= 0)
        return 0;
    if (!isfinite(lcost(L, u, B)))
        return 0;
    if (c->max_move >= 0) {
        double dm = dmoved(L, u, A, B) + extra;
        if (dm > 0 && L->moved + dm > c->max_move * (1 + 1e-12))
            return 0;
    }
    return 1;
}

static int move_ok(ls *L, int u, int A, int B)
{
    return move_ok_after(L, u, A, B, 0);
}

static double ls_objective(const ls *L)
{
    double o = 0;
    for (int i = 0; i < L->c->n; i++)
        o += lcost(L, i, L->asg[i]);
    return o;
}

static double total_viol(const ls *L)
{
    double v = 0;
    for (int k = 0; k < L->c->p * L->c->nb; k++)
        v += viol1(L->c, k, L->load[k]);
    return v;
}

/*
 * Ejection chains. When every neighbour of an over-full territory is full
 * too, balance comes back only by passing units along: A gives u to B, B
 * gives v to C, ... until a territory with room. A breadth-first search
 * over territories finds the shortest such chain whose intermediate
 * territories stay within bounds; for an under-full territory the same
 * search runs the other way (suppliers). Returns 1 when a chain that
 * lowers the total violation was applied.
 */
static int chain_move(ls *L, int A, int push, int *tg, const int *start, const int *list)
{
    align_ctx *c = L->c;
    int p = c->p, nb = c->nb;
    int *via = malloc((size_t)p * sizeof(int)), *from = malloc((size_t)p * sizeof(int));
    int *queue = malloc((size_t)p * sizeof(int));
    if (!via || !from || !queue) {
        free(via);
        free(from);
        free(queue);
        return 0;
    }
    for (int j = 0; j < p; j++)
        via[j] = from[j] = -1;
    from[A] = A;
    int qh = 0, qt = 0, found = -1;
    queue[qt++] = A;
    while (qh < qt && found < 0) {
        int Y = queue[qh++];
        /* Y's load change so far: push: +a(via[Y]) ; pull: -a(via[Y]) */
        int in = Y == A ? -1 : via[Y];
        if (Y != A) {
            int fits = 1;
            for (int b = 0; b < nb && fits; b++) {
                double ld = L->load[Y * nb + b] + (push ? 1 : -1) * c->a[b][in];
                fits = push ? ld <= c->hi[Y * nb + b] + 1e-9 * c->target[Y * nb + b]
                            : ld >= c->lo[Y * nb + b] - 1e-9 * c->target[Y * nb + b];
            }
            if (fits) {
                found = Y;
                break;
            }
        }
        /* Extend: push: a unit v of Y moves on to Z; pull: a unit v of Z
           (a neighbour territory) moves into Y. */
        if (push) {
            for (int q = start[Y]; q < start[Y + 1]; q++) {
                int v = list[q];
                if (v == in)
                    continue;
                int m = targets(L, v, tg);
                for (int t = 0; t < m; t++) {
                    int Z = tg[t];
                    if (from[Z] >= 0 || !move_ok(L, v, Y, Z))
                        continue;
                    if (Y != A) { /* Y must stay within bounds after giving v */
                        int okb = 1;
                        for (int b = 0; b < nb && okb; b++) {
                            double ld = L->load[Y * nb + b] + c->a[b][in] - c->a[b][v];
                            okb = ld <= c->hi[Y * nb + b] + 1e-9 * c->target[Y * nb + b] &&
                                  ld >= c->lo[Y * nb + b] - 1e-9 * c->target[Y * nb + b];
                        }
                        if (!okb)
                            continue;
                    }
                    if (!removable(L, v))
                        break;
                    via[Z] = v;
                    from[Z] = Y;
                    queue[qt++] = Z;
                }
            }
        } else {
            /* units of other territories adjacent to Y (targets include Y) */
            for (int Z = 0; Z < p; Z++) {
                if (from[Z] >= 0)
                    continue;
                for (int q = start[Z]; q < start[Z + 1] && from[Z] < 0; q++) {
                    int v = list[q];
                    int m = targets(L, v, tg), hit = 0;
                    for (int t = 0; t < m && !hit; t++)
                        hit = tg[t] == Y;
                    if (!hit || !move_ok(L, v, Z, Y))
                        continue;
                    if (Y != A) {
                        int okb = 1;
                        for (int b = 0; b < nb && okb; b++) {
                            double ld = L->load[Y * nb + b] - c->a[b][in] + c->a[b][v];
                            okb = ld <= c->hi[Y * nb + b] + 1e-9 * c->target[Y * nb + b] &&
                                  ld >= c->lo[Y * nb + b] - 1e-9 * c->target[Y * nb + b];
                        }
                        if (!okb)
                            continue;
                    }
                    if (!removable(L, v))
                        continue;
                    via[Z] = v;
                    from[Z] = Y;
                    queue[qt++] = Z;
                }
            }
        }
    }
    logd(c, "chain from %s (%s): %d territories reached, %s", c->territory_id[A], push ? "push" : "pull", qt,
         found >= 0 ? c->territory_id[found] : "none with room");
    int applied = 0;
    if (found >= 0) {
        double V0 = total_viol(L);
        /* apply along the chain, remembering the moves to undo them */
        int moves = 0, mu[64], mfrom[64];
        for (int Z = found; Z != A && moves < 64; Z = from[Z]) {
            int v = via[Z];
            mu[moves] = v;
            mfrom[moves] = L->asg[v];
            moves++;
            apply(L, v, push ? Z : from[Z]);
        }
        if (total_viol(L) < V0 - 1e-9 && !(c->max_move >= 0 && L->moved > c->max_move * (1 + 1e-12))) {
            applied = 1;
        } else {
            for (int k = moves - 1; k >= 0; k--)
                apply(L, mu[k], mfrom[k]);
        }
    }
    free(via);
    free(from);
    free(queue);
    return applied;
}

static _Thread_local const double *chain_measure;
static int by_measure(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    if (chain_measure[a] != chain_measure[b])
        return chain_measure[a] < chain_measure[b] ? -1 : 1;
    return a - b;
}

static int try_chains(ls *L, int *tg)
{
    align_ctx *c = L->c;
    int n = c->n, p = c->p, nb = c->nb;
    int *start = L->tstart, *list = L->tlist;
    by_territory(L->asg, n, p, start, list);
    /* smallest units first: a chain of small moves keeps the territories
       along it within bounds more often */
    chain_measure = c->a[0];
    for (int j = 0; j < p; j++)
        qsort(list + start[j], (size_t)(start[j + 1] - start[j]), sizeof(int), by_measure);
    int done = 0;
    for (int A = 0; A < p && !done; A++) {
        int over = 0, under = 0;
        for (int b = 0; b < nb; b++) {
            over |= L->load[A * nb + b] > c->hi[A * nb + b];
            under |= L->load[A * nb + b] < c->lo[A * nb + b];
        }
        if (over)
            done = chain_move(L, A, 1, tg, start, list);
        if (!done && under)
            done = chain_move(L, A, 0, tg, start, list);
    }
    return done;
}

/* The best chain of two moves for a violated territory: u from A to B,
   then v from B to C (C may be A: a swap). Returns the change in total
   violation (< 0 when found). */
static double best_pair(ls *L, int *tg, int *bu, int *bB, int *bv, int *bC)
{
    align_ctx *c = L->c;
    int n = c->n, p = c->p, nb = c->nb;
    double best = -1e-9, bestc = INFINITY;
    *bu = -1;
    int *start = L->tstart, *list = L->tlist;
    int *tg2 = malloc((size_t)(p + 1) * sizeof(int));
    if (!tg2)
        return 0;
    by_territory(L->asg, n, p, start, list);
    for (int A = 0; A < p; A++) {
        int hot = 0;
        for (int b = 0; b < nb && !hot; b++)
            hot = viol1(c, A * nb + b, L->load[A * nb + b]) > 0;
        if (!hot)
            continue;
        for (int q = start[A]; q < start[A + 1]; q++) {
            int u = list[q];
            int m = targets(L, u, tg);
            if (!m || !removable(L, u))
                continue;
            for (int t = 0; t < m; t++) {
                int B = tg[t];
                if (!move_ok(L, u, A, B))
                    continue;
                double dv1 = dviol(L, u, A, B);
                double dc1 = lcost(L, u, B) - lcost(L, u, A);
                apply(L, u, B);
                for (int q2 = start[B]; q2 < start[B + 1]; q2++) {
                    int v = list[q2];
                    if (v == u)
                        continue;
                    int m2 = targets(L, v, tg2);
                    int rem = -1;
                    for (int t2 = 0; t2 < m2; t2++) {
                        int C = tg2[t2];
                        double dv = dv1 + dviol(L, v, B, C);
                        if (dv > best + 1e-15)
                            continue;
                        double dc = dc1 + lcost(L, v, C) - lcost(L, v, B);
                        if (dv > best - 1e-15 && dc >= bestc)
                            continue;
                        if (!move_ok(L, v, B, C))
                            continue;
                        if (rem < 0)
                            rem = removable(L, v);
                        if (!rem)
                            break;
                        best = dv;
                        bestc = dc;
                        *bu = u;
                        *bB = B;
                        *bv = v;
                        *bC = C;
                    }
                }
                apply(L, u, A);
            }
        }
    }
    free(tg2);
    return *bu >= 0 ? best : 0;
}

/* Swaps for tight balance: u goes to B and a neighbour v of u in B comes
   to A, when the pair lowers the cost and keeps balance and contiguity. */
static int try_swap(ls *L, int u, const int *tg, int m, const int *tstart, const int *tlist)
{
    align_ctx *c = L->c;
    int A = L->asg[u], nb = c->nb;
    if ((c->lock && c->lock[u] >= 0) || !removable(L, u))
        return 0;
    double ca = lcost(L, u, A);
    for (int q = 0; q < m; q++) {
        int B = tg[q];
        double du = lcost(L, u, B) - ca;
        if (!(du < 0) || !move_ok(L, u, A, B))
            continue;
        /* partners: u's neighbours in B, or without a graph the units
           listed in B when the pass began */
        int k0 = c->contiguity ? c->adj_start[u] : tstart[B];
        int k1 = c->contiguity ? c->adj_start[u + 1] : tstart[B + 1];
        for (int k = k0; k < k1; k++) {
            int v = c->contiguity ? c->adj[k] : tlist[k];
            if (v == u || L->asg[v] != B || (c->lock && c->lock[v] >= 0))
                continue;
            double dv = lcost(L, v, A) - lcost(L, v, B);
            if (!(du + dv < -1e-12 * (fabs(ca) + 1e-300)))
                continue;
            int okb = 1;
            for (int b = 0; b < nb && okb; b++) {
                double la = L->load[A * nb + b] - c->a[b][u] + c->a[b][v];
                double lb = L->load[B * nb + b] + c->a[b][u] - c->a[b][v];
                okb = la >= c->lo[A * nb + b] - 1e-9 * c->target[A * nb + b] &&
                      la <= c->hi[A * nb + b] + 1e-9 * c->target[A * nb + b] &&
                      lb >= c->lo[B * nb + b] - 1e-9 * c->target[B * nb + b] &&
                      lb <= c->hi[B * nb + b] + 1e-9 * c->target[B * nb + b];
            }
            if (!okb || !isfinite(lcost(L, v, A)))
                continue;
            apply(L, u, B);
            /* v must still touch A, and leave B connected */
            int touches = !c->contiguity;
            for (int k2 = c->contiguity ? c->adj_start[v] : 0; c->contiguity && k2 < c->adj_start[v + 1] && !touches; k2++)
                touches = L->asg[c->adj[k2]] == A;
            if (touches && move_ok(L, v, B, A) && removable(L, v)) {
                apply(L, v, A);
                return 1;
            }
            apply(L, u, A);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Ejection chains with costs                                          */

/*
 * A chain passes units along the territory graph: in a push chain the
 * root gives a unit to a neighbour, which gives another onwards, ... until
 * a territory takes the last one without leaving its band; in a pull chain
 * the root takes a unit from a neighbour, which takes one from another,
 * ... A best-first search over territories, by the cost of the moves so
 * far (the successive shortest paths of a min-cost flow of the measure,
 * with units for the flow), finds the cheapest chain: every territory on
 * it other than the root must not end further from its band than it was,
 * each is visited once, and every move keeps territories connected and
 * obeys locks and the move cap. Mode CH_RESTORE ranks chains by cost per
 * violation removed; CH_IMPROVE looks for the cheapest chain removing at
 * least `need` of violation for less than `budget`.
 */
#define CH_MAXLEN 12
#define CH_RESTORE 0
#define CH_IMPROVE 1
#define CH_EXPAND_RESTORE 96
#define CH_EXPAND_IMPROVE 24

typedef struct chain {
    int len;
    int unit[CH_MAXLEN + 2], to[CH_MAXLEN + 2];
    double dcost, dviol;
} chain;

/* Violation of territory Y (summed over measures, relative to target)
   when unit uin joins it and unit uout leaves it (-1: none). */
static double tviol(const ls *L, int Y, int uin, int uout)
{
    const align_ctx *c = L->c;
    double v = 0;
    for (int b = 0; b < c->nb; b++) {
        int k = Y * c->nb + b;
        double ld = L->load[k];
        if (uin >= 0)
            ld += c->a[b][uin];
        if (uout >= 0)
            ld -= c->a[b][uout];
        v += viol1(c, k, ld);
    }
    return v;
}

static int heap_push(ls *L, double key, int v)
{
    if (L->nheap == L->cheap) {
        int cap = 2 * L->cheap + 64;
        kv2 *h = realloc(L->heap, (size_t)cap * sizeof(kv2));
        if (!h)
            return -1;
        L->heap = h;
        L->cheap = cap;
    }
    int q = L->nheap++;
    kv2 e = {key, v};
    while (q > 0 && tqoi_align_kv_cmp(&e, &L->heap[(q - 1) / 2]) < 0) {
        L->heap[q] = L->heap[(q - 1) / 2];
        q = (q - 1) / 2;
    }
    L->heap[q] = e;
    return 0;
}

static kv2 heap_pop(ls *L)
{
    kv2 top = L->heap[0], e = L->heap[--L->nheap];
    int q = 0, n = L->nheap;
    for (;;) {
        int l = 2 * q + 1, r = l + 1, m = q;
        const kv2 *best = &e;
        if (l < n && tqoi_align_kv_cmp(&L->heap[l], best) < 0)
            m = l, best = &L->heap[l];
        if (r < n && tqoi_align_kv_cmp(&L->heap[r], best) < 0)
            m = r;
        if (m == q)
            break;
        L->heap[q] = L->heap[m];
        q = m;
    }
    if (n)
        L->heap[q] = e;
    return top;
}

/* Unit w, joining territory Y, stays attached to it when unit gone leaves
   Y: w has a neighbour in Y other than gone. */
static int attached_without(const ls *L, int w, int Y, int gone)
{
    const align_ctx *c = L->c;
    if (!c->contiguity)
        return 1;
    for (int k = c->adj_start[w]; k < c->adj_start[w + 1]; k++) {
        int x = c->adj[k];
        if (x != gone && L->asg[x] == Y)
            return 1;
    }
    return 0;
}

/* Is candidate (dcost, dviol) better than the best so far? */
static int ch_better(int mode, double dcost, double dviol, double need, double budget, const chain *best)
{
    if (mode == CH_RESTORE) {
        if (!(dviol < -1e-12))
            return 0;
        if (!best->len)
            return 1;
        double r = dcost / -dviol, rb = best->dcost / -best->dviol;
        return r < rb - 1e-12 * fabs(rb) || (r <= rb + 1e-12 * fabs(rb) && dcost < best->dcost);
    }
    if (!(dviol <= -need + 1e-12) || !(dcost < budget))
        return 0;
    return !best->len || dcost < best->dcost;
}

/* Records the chain ending with unit u joining territory `to` after the
   search path to node Y. */
static void ch_record(const ls *L, int push, int Y, int u, int to, double dcost, double dviol, chain *best)
{
    int k = 0;
    best->unit[k] = u;
    best->to[k] = to;
    k++;
    for (int y = Y; L->pred[y] >= 0 && k < CH_MAXLEN + 2; y = L->pred[y]) {
        best->unit[k] = L->nin[y];
        best->to[k] = push ? y : L->pred[y];
        k++;
    }
    best->len = k;
    best->dcost = dcost;
    best->dviol = dviol;
}

/* Labels node Z of the chain search as reached from Y by unit u (cost g,
   violation change dv, moved measure change dm) and queues it; nonzero
   when the heap is full. */
static int ch_label(ls *L, int R, int Y, int Z, int u, double g, double dv, double dm, int rok, int st)
{
    L->lab[Z] = g;
    L->dvl[Z] = dv;
    L->dmv[Z] = L->dmv[Y] + dm;
    L->nin[Z] = u;
    L->pred[Z] = Y;
    L->depth[Z] = L->depth[Y] + 1;
    L->first[Z] = Y == R ? u : L->first[Y];
    L->rootok[Z] = (char)rok;
    L->seen[Z] = st;
    return heap_push(L, g, Z);
}

/* What the expansion of one node Y of the chain search shares: the search
   (root R, direction, mode, excluded unit, stamp, need and budget, best
   chain) and the node (label g, the unit that came in, its violation). */
typedef struct ch_node {
    int R, push, mode, excl, st;
    double need, budget;
    chain *best;
    int Y, in;
    double g, vY0;
} ch_node;

/* Offers unit u's move from territory `from` to `into`, reaching node Z at
   cost gz with violation change dvY at Y and vz0 -> vz1 at Z: recorded as
   a chain when Z's violation does not grow and it beats the best, and Z
   labelled for the search to go on. *rem caches whether u may leave.
   Returns 1 when it may not (the caller passes to its next unit), 2 when
   the heap is full, else 0. */
static int ch_offer(ls *L, const ch_node *s, int Z, int u, int from, int into, double gz, double dvY, double vz0,
                    double vz1, int rok, int *rem)
{
    if (rok && vz1 <= vz0 + 1e-12 && ch_better(s->mode, gz, dvY + vz1 - vz0, s->need, s->budget, s->best)) {
        if (*rem < 0)
            *rem = removable(L, u);
        if (!*rem)
            return 1;
        ch_record(L, s->push, s->Y, u, into, gz, dvY + vz1 - vz0, s->best);
    }
    if (L->depth[s->Y] + 1 < CH_MAXLEN && (L->seen[Z] != s->st || gz < L->lab[Z])) {
        if (*rem < 0)
            *rem = removable(L, u);
        if (!*rem)
            return 1;
        if (ch_label(L, s->R, s->Y, Z, u, gz, dvY, dmoved(L, u, from, into), rok, s->st) != 0)
            return 2;
    }
    return 0;
}

/* Push: a member v of Y leaves for a territory it may join. Nonzero when
   the heap is full. */
static int ch_expand_push(ls *L, const ch_node *s)
{
    align_ctx *c = L->c;
    int *tg = L->tg2;
    int R = s->R, Y = s->Y, in = s->in;
    double g = s->g, vY0 = s->vY0;
    /* the unit that came in must keep a neighbour in Y */
    int in_nb = -1, in_cnt = 0;
    if (in >= 0 && c->contiguity)
        for (int k = c->adj_start[in]; k < c->adj_start[in + 1]; k++)
            if (L->asg[c->adj[k]] == Y) {
                in_cnt++;
                in_nb = c->adj[k];
            }
    for (int q = 0; q < L->nmem[Y]; q++) {
        int v = L->mem[Y][q];
        L->work++;
        if (v == in || v == s->excl || (c->lock && c->lock[v] >= 0))
            continue;
        if (in >= 0 && c->contiguity && in_cnt == 1 && in_nb == v)
            continue;
        double vY1 = tviol(L, Y, in, v);
        /* the root must do better by its first move, but for a
           cycle back to it (restore mode) */
        int rok = Y == R ? vY1 < vY0 - 1e-12 : L->rootok[Y];
        if (Y == R ? s->mode == CH_IMPROVE && !rok : vY1 > vY0 + 1e-12)
            continue;
        int m = targets(L, v, tg);
        int rem = -1;
        double dvY = L->dvl[Y] + vY1 - vY0;
        double cv = lcost(L, v, Y);
        for (int t = 0; t < m; t++) {
            int Z = tg[t];
            if (Z == R && Y != R) {
                /* back to the root: a cycle, the root gives its first
                   unit and takes v */
                int f = L->first[Y];
                if (!move_ok_after(L, v, Y, R, L->dmv[Y]) || !attached_without(L, v, R, f))
                    continue;
                double gz = g + lcost(L, v, R) - cv;
                double dV = dvY + tviol(L, R, v, f) - tviol(L, R, -1, f);
                if (ch_better(s->mode, gz, dV, s->need, s->budget, s->best)) {
                    if (rem < 0)
                        rem = removable(L, v);
                    if (!rem)
                        break;
                    ch_record(L, 1, Y, v, R, gz, dV, s->best);
                }
                continue;
            }
            if (L->closed[Z] == s->st || !move_ok_after(L, v, Y, Z, L->dmv[Y]))
                continue;
            double gz = g + lcost(L, v, Z) - cv;
            double vz0 = tviol(L, Z, -1, -1), vz1 = tviol(L, Z, v, -1);
            int r = ch_offer(L, s, Z, v, Y, Z, gz, dvY, vz0, vz1, rok, &rem);
            if (r == 1)
                break;
            if (r == 2)
                return 1;
        }
    }
    return 0;
}

/* Pull: units of other territories next to Y (but for the one that left
   it) may come in. Nonzero when the heap is full. */
static int ch_expand_pull(ls *L, const ch_node *s)
{
    align_ctx *c = L->c;
    int R = s->R, Y = s->Y, in = s->in;
    double g = s->g, vY0 = s->vY0;
    L->ustamp++;
    int q0 = 0, q1 = c->contiguity ? L->nmem[Y] : L->rev_start[Y + 1] - L->rev_start[Y];
    for (int q = q0; q < q1; q++) {
        int x = c->contiguity ? L->mem[Y][q] : -1;
        int k0 = c->contiguity ? c->adj_start[x] : L->rev_start[Y] + q;
        int k1 = c->contiguity ? c->adj_start[x + 1] : k0 + 1;
        if (x == in && x >= 0)
            continue;
        for (int k = k0; k < k1; k++) {
            int w = c->contiguity ? c->adj[k] : L->rev[k];
            int Z = L->asg[w];
            L->work++;
            if (Z == Y || L->useen[w] == L->ustamp)
                continue;
            L->useen[w] = L->ustamp;
            if (Z == R && Y != R) {
                /* a cycle: the root takes its first unit and gives w */
                int f = L->first[Y];
                if (w == s->excl || !move_ok_after(L, w, R, Y, L->dmv[Y]) || !attached_without(L, f, R, w))
                    continue;
                double vY1 = tviol(L, Y, w, in);
                if (vY1 > vY0 + 1e-12)
                    continue;
                double gz = g + lcost(L, w, Y) - lcost(L, w, R);
                double dV = L->dvl[Y] + vY1 - vY0 + tviol(L, R, f, w) - tviol(L, R, f, -1);
                if (ch_better(s->mode, gz, dV, s->need, s->budget, s->best) && removable(L, w))
                    ch_record(L, 0, Y, w, Y, gz, dV, s->best);
                continue;
            }
            if (w == s->excl || L->closed[Z] == s->st || !move_ok_after(L, w, Z, Y, L->dmv[Y]))
                continue;
            double vY1 = tviol(L, Y, w, in);
            int rok = Y == R ? vY1 < vY0 - 1e-12 : L->rootok[Y];
            if (Y == R ? s->mode == CH_IMPROVE && !rok : vY1 > vY0 + 1e-12)
                continue;
            double gz = g + lcost(L, w, Y) - lcost(L, w, Z);
            double dvY = L->dvl[Y] + vY1 - vY0;
            double vz0 = tviol(L, Z, -1, -1), vz1 = tviol(L, Z, -1, w);
            int rem = -1;
            if (ch_offer(L, s, Z, w, Z, Y, gz, dvY, vz0, vz1, rok, &rem) == 2)
                return 1;
        }
    }
    return 0;
}

static int chain_search(ls *L, int R, int push, int mode, int excl, double need, double budget, chain *best)
{
    align_ctx *c = L->c;
    best->len = 0;
    L->sstamp++;
    int st = L->sstamp;
    L->nheap = 0;
    L->lab[R] = 0;
    L->dvl[R] = 0;
    L->dmv[R] = 0;
    L->nin[R] = -1;
    L->pred[R] = -1;
    L->depth[R] = 0;
    L->seen[R] = st;
    if (heap_push(L, 0, R) != 0)
        return 0;
    double V0R = tviol(L, R, -1, -1), maxred = V0R;
    if (mode == CH_RESTORE)
        for (int j = 0; j < c->p; j++)
            maxred = fmax(maxred, V0R + tviol(L, j, -1, -1));
    ch_node s = {.R = R, .push = push, .mode = mode, .excl = excl, .st = st, .need = need, .budget = budget,
                 .best = best};
    int expand = mode == CH_RESTORE ? CH_EXPAND_RESTORE : CH_EXPAND_IMPROVE;
    while (L->nheap > 0 && expand > 0) {
        kv2 top = heap_pop(L);
        int Y = top.v;
        double g = top.k;
        if (L->closed[Y] == st || g != L->lab[Y])
            continue;
        L->closed[Y] = st;
        expand--;
        if (mode == CH_IMPROVE && g >= budget)
            break;
        if (mode == CH_RESTORE && best->len && g > 0 && g >= best->dcost / -best->dviol * maxred)
            break;
        if (L->depth[Y] >= CH_MAXLEN)
            continue;
        s.Y = Y;
        s.g = g;
        s.in = L->nin[Y];
        s.vY0 = tviol(L, Y, -1, -1);
        if (push ? ch_expand_push(L, &s) : ch_expand_pull(L, &s))
            return best->len > 0;
    }
    return best->len > 0;
}

/* Applies a chain, appending its moves (unit, former territory) to the
   log when one is given. */
static void ch_apply(ls *L, const chain *ch, int *log_u, int *log_from, int *nlog)
{
    for (int k = 0; k < ch->len; k++) {
        if (log_u) {
            log_u[*nlog] = ch->unit[k];
            log_from[*nlog] = L->asg[ch->unit[k]];
            (*nlog)++;
        }
        apply(L, ch->unit[k], ch->to[k]);
    }
}

/* The best chain for violated territory R (push if over, pull if
   under); 0 when there is none. */
static int best_restore_chain(ls *L, int R, chain *bc)
{
    align_ctx *c = L->c;
    int nb = c->nb, over = 0, under = 0;
    for (int b = 0; b < nb; b++) {
        over |= L->load[R * nb + b] > c->hi[R * nb + b];
        under |= L->load[R * nb + b] < c->lo[R * nb + b];
    }
    chain b2;
    bc->len = b2.len = 0;
    if (over)
        chain_search(L, R, 1, CH_RESTORE, -1, 0, 0, bc);
    if (under)
        chain_search(L, R, 0, CH_RESTORE, -1, 0, 0, &b2);
    if (b2.len && (!bc->len || b2.dcost / -b2.dviol < bc->dcost / -bc->dviol))
        *bc = b2;
    return bc->len > 0;
}

/* Restores balance by the cheapest chains, cost per violation removed,
   over all violated territories (lazily: a territory's last score is
   checked again before its chain is applied, scores only get worse as the
   cheap moves are used up). Returns whether anything moved. */
static int restore_by_chains(ls *L, long long work_limit)
{
    align_ctx *c = L->c;
    int p = c->p;
    double *score = malloc((size_t)p * sizeof(double));
    if (!score)
        return 0;
    const double NONE = INFINITY;
    int any = 0, changed = 1;
    chain bc;
    while (changed && L->work < work_limit) {
        /* (re)score every violated territory */
        changed = 0;
        int live = 0;
        for (int j = 0; j < p; j++) {
            score[j] = NAN; /* in band */
            if (tviol(L, j, -1, -1) <= 1e-12)
                continue;
            score[j] = best_restore_chain(L, j, &bc) ? bc.dcost / -bc.dviol : NONE;
            live += isfinite(score[j]);
        }
        while (live && L->work < work_limit) {
            int R = -1, R2 = -1;
            for (int j = 0; j < p; j++) {
                if (!isfinite(score[j]))
                    continue;
                if (R < 0 || score[j] < score[R]) {
                    R2 = R;
                    R = j;
                } else if (R2 < 0 || score[j] < score[R2]) {
                    R2 = j;
                }
            }
            if (R < 0)
                break;
            if (tviol(L, R, -1, -1) <= 1e-12) {
                score[R] = NAN;
                live--;
                continue;
            }
            if (!best_restore_chain(L, R, &bc)) {
                score[R] = NONE;
                live--;
                continue;
            }
            double r = bc.dcost / -bc.dviol;
            if (R2 >= 0 && r > score[R2] + 1e-12 * fabs(score[R2])) {
                score[R] = r; /* worse than it was: look at the next one */
                continue;
            }
            int lu[CH_MAXLEN + 2], lf[CH_MAXLEN + 2], nl = 0;
            ch_apply(L, &bc, lu, lf, &nl);
            for (int k = 0; k < nl; k++) {
                L->tver[lf[k]]++;
                L->tver[L->asg[lu[k]]]++;
            }
            any = changed = 1;
            score[R] = tviol(L, R, -1, -1) > 1e-12 ? r : NAN;
            if (!isfinite(score[R]))
                live--;
        }
    }
    free(score);
    return any;
}

/* Improving moves: a unit goes to a neighbouring territory where it costs
   less; when that breaks balance, a chain from the territory it joined
   (push) or into the one it left (pull) restores it, if the whole costs
   less. Returns the number of improvements. */
static int improve_by_chains(ls *L, long long work_limit)
{
    align_ctx *c = L->c;
    int n = c->n, p = c->p;
    int *tg = malloc((size_t)(p + 1) * sizeof(int));
    kv2 *opt = malloc((size_t)(p + 1) * sizeof(kv2));
    int log_u[4 * (CH_MAXLEN + 2)], log_from[4 * (CH_MAXLEN + 2)];
    if (!tg || !opt) {
        free(tg);
        free(opt);
        return 0;
    }
    int total = 0, improved = 1;
    double obj = ls_objective(L);
    while (improved && L->work < work_limit) {
        improved = 0;
        double obj0 = obj;
        for (int u = 0; u < n && L->work < work_limit; u++) {
            int A = L->asg[u];
            if (c->lock && c->lock[u] >= 0)
                continue;
            int m = targets(L, u, tg);
            L->work++;
            if (!m)
                continue;
            /* nothing changed around u since it last failed: skip it */
            unsigned sig = L->tver[A];
            for (int t = 0; t < m; t++)
                sig += L->tver[tg[t]] * 2654435761u;
            if (sig == L->dl[u])
                continue;
            L->dl[u] = sig; /* kept if no chain is found */
            double ca = lcost(L, u, A);
            int no = 0;
            for (int t = 0; t < m; t++) {
                double dc = lcost(L, u, tg[t]) - ca;
                if (dc < -1e-12 * (fabs(ca) + 1e-300)) {
                    opt[no].k = dc;
                    opt[no].v = tg[t];
                    no++;
                }
            }
            if (!no)
                continue;
            qsort(opt, (size_t)no, sizeof(kv2), tqoi_align_kv_cmp);
            int rem = removable(L, u);
            if (!rem)
                continue;
            for (int t = 0; t < no; t++) {
                int B = opt[t].v;
                double dc = opt[t].k;
                if (!move_ok(L, u, A, B))
                    continue;
                if (keeps_balance(L, u, A, B)) {
                    apply(L, u, B);
                    L->tver[A]++;
                    L->tver[B]++;
                    improved = 1;
                    total++;
                    break;
                }
                double vA0 = tviol(L, A, -1, -1), vB0 = tviol(L, B, -1, -1);
                int nlog = 0;
                log_u[nlog] = u;
                log_from[nlog] = A;
                nlog++;
                apply(L, u, B);
                double cost = dc;
                int ok = 1;
                double incB = tviol(L, B, -1, -1) - vB0;
                chain ch;
                if (incB > 1e-12) {
                    ok = chain_search(L, B, 1, CH_IMPROVE, u, incB, -cost, &ch);
                    if (ok) {
                        ch_apply(L, &ch, log_u, log_from, &nlog);
                        cost += ch.dcost;
                    }
                }
                double incA = tviol(L, A, -1, -1) - vA0;
                if (ok && incA > 1e-12) {
                    ok = chain_search(L, A, 0, CH_IMPROVE, u, incA, -cost, &ch);
                    if (ok) {
                        ch_apply(L, &ch, log_u, log_from, &nlog);
                        cost += ch.dcost;
                    }
                }
                if (ok && (tviol(L, A, -1, -1) > vA0 + 1e-12 || tviol(L, B, -1, -1) > vB0 + 1e-12 ||
                           !(cost < -1e-12 * (fabs(ca) + 1e-300))))
                    ok = 0;
                if (ok) {
                    for (int k = 0; k < nlog; k++) {
                        L->tver[log_from[k]]++;
                        L->tver[L->asg[log_u[k]]]++;
                    }
                    improved = 1;
                    total++;
                    break;
                }
                for (int k = nlog - 1; k >= 0; k--)
                    apply(L, log_u[k], log_from[k]);
            }
        }
        /* a pass that gains less than a millionth is the last one */
        obj = ls_objective(L);
        if (obj > obj0 - 1e-6 * fabs(obj0))
            break;
    }
    free(tg);
    free(opt);
    return total;
}

static void ls_free(ls *L)
{
    ls_drop_members(L);
    free(L->load);
    free(L->mark);
    free(L->stack);
    free(L->tstart);
    free(L->tlist);
    free(L->near);
    free(L->rev_start);
    free(L->rev);
    free(L->lab);
    free(L->dvl);
    free(L->dmv);
    free(L->nin);
    free(L->pred);
    free(L->depth);
    free(L->seen);
    free(L->closed);
    free(L->first);
    free(L->rootok);
    free(L->heap);
    free(L->useen);
    free(L->tg2);
    free(L->tver);
    free(L->dl);
    free(L->cost);
}

static tqo_status ls_init(ls *L, align_ctx *c, int *asg)
{
    int n = c->n, p = c->p, nb = c->nb;
    memset(L, 0, sizeof *L);
    L->c = c;
    L->asg = asg;
    L->load = calloc((size_t)p * nb, sizeof(double));
    L->mark = calloc((size_t)n, sizeof(int));
    L->stack = malloc((size_t)n * sizeof(int));
    L->tstart = malloc(((size_t)p + 1) * sizeof(int));
    L->tlist = malloc(((size_t)n + 1) * sizeof(int));
    L->mem = calloc((size_t)p, sizeof(int *));
    L->nmem = calloc((size_t)p, sizeof(int));
    L->cmem = calloc((size_t)p, sizeof(int));
    L->pos = malloc((size_t)n * sizeof(int));
    L->lab = malloc((size_t)p * sizeof(double));
    L->dvl = malloc((size_t)p * sizeof(double));
    L->dmv = malloc((size_t)p * sizeof(double));
    L->nin = malloc((size_t)p * sizeof(int));
    L->pred = malloc((size_t)p * sizeof(int));
    L->depth = malloc((size_t)p * sizeof(int));
    L->seen = calloc((size_t)p, sizeof(int));
    L->closed = calloc((size_t)p, sizeof(int));
    L->first = malloc((size_t)p * sizeof(int));
    L->rootok = malloc((size_t)p);
    L->useen = calloc((size_t)n, sizeof(int));
    L->tg2 = malloc((size_t)(p + 1) * sizeof(int));
    L->tver = calloc((size_t)p, sizeof(unsigned));
    L->dl = malloc((size_t)n * sizeof(unsigned));
    if (!L->tver || !L->dl || !L->load || !L->mark || !L->stack || !L->tstart || !L->tlist || !L->mem || !L->nmem || !L->cmem ||
        !L->pos || !L->lab || !L->dvl || !L->dmv || !L->nin || !L->pred || !L->depth || !L->seen || !L->closed || !L->first || !L->rootok ||
        !L->useen || !L->tg2)
        return TQO_ERR_NOMEM;
    ls_cache_costs(L);
    for (int i = 0; i < n; i++) {
        L->cmem[asg[i]]++;
        L->dl[i] = ~0u;
    }
    for (int j = 0; j < p; j++) {
        L->cmem[j] += L->cmem[j] / 2 + 16;
        L->mem[j] = malloc((size_t)L->cmem[j] * sizeof(int));
        if (!L->mem[j])
            return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        int j = asg[i];
        L->pos[i] = L->nmem[j];
        L->mem[j][L->nmem[j]++] = i;
    }
    if (!c->contiguity) {
        /* nearest territories (partial selection), and the reverse lists */
        L->nk = p < 6 ? p : 6;
        L->near = malloc((size_t)n * L->nk * sizeof(int));
        kv2 *row = malloc((size_t)(L->nk + 1) * sizeof(kv2));
        L->rev_start = calloc((size_t)p + 1, sizeof(int));
        L->rev = malloc((size_t)n * L->nk * sizeof(int) + 1);
        if (!L->near || !row || !L->rev_start || !L->rev) {
            free(row);
            return TQO_ERR_NOMEM;
        }
        for (int i = 0; i < n; i++) {
            int nr = 0;
            for (int j = 0; j < p; j++) {
                kv2 e = {tqoi_alloc_dist2(&c->P, i, j), j};
                if (nr == L->nk && tqoi_align_kv_cmp(&e, &row[nr - 1]) >= 0)
                    continue;
                int q = nr < L->nk ? nr++ : L->nk - 1;
                while (q > 0 && tqoi_align_kv_cmp(&e, &row[q - 1]) < 0) {
                    row[q] = row[q - 1];
                    q--;
                }
                row[q] = e;
            }
            for (int q = 0; q < L->nk; q++) {
                L->near[(size_t)i * L->nk + q] = row[q].v;
                L->rev_start[row[q].v + 1]++;
            }
        }
        free(row);
        for (int j = 0; j < p; j++)
            L->rev_start[j + 1] += L->rev_start[j];
        int *fill = malloc((size_t)p * sizeof(int) + 1);
        if (!fill)
            return TQO_ERR_NOMEM;
        memcpy(fill, L->rev_start, (size_t)p * sizeof(int));
        for (int i = 0; i < n; i++)
            for (int q = 0; q < L->nk; q++)
                L->rev[fill[L->near[(size_t)i * L->nk + q]]++] = i;
        free(fill);
    }
    for (int i = 0; i < n; i++) {
        for (int b = 0; b < nb; b++)
            L->load[asg[i] * nb + b] += c->a[b][i];
        if (c->current && c->current[i] >= 0 && c->current[i] != asg[i])
            L->moved += c->a[0][i];
    }
    return TQO_OK;
}

/* Work allowed to the chain searches, in units examined: enough for the
   instances at hand to finish, a bound (not a clock) on large ones, so
   the plan does not depend on the machine's load. */
#define LS_WORK_PER_UNIT 3000LL
#define LS_WORK_MIN 1000000LL
/* without a graph every unit has its nearest territories to go to, and
   chains gain little for their cost */
#define LS_WORK_PER_UNIT_FREE 500LL

/* Phase A: restores balance, first by the cheapest chains per violation
   removed, then by the largest reduction of violation (single moves,
   pairs, chains regardless of cost). */
static void restore_balance(ls *L, int *tg, long long work_limit, double time_limit, double t0)
{
    align_ctx *c = L->c;
    int n = c->n, nb = c->nb;
    int *asg = L->asg;
    double V = total_viol(L);
    if (V > 1e-12 && L->mem) {
        restore_by_chains(L, work_limit);
        V = total_viol(L);
        logd(c, "local search: chains leave violation %.3g, objective %.9g (%lld units examined)", V,
             ls_objective(L), L->work);
    }
    int guard = 0;
    while (V > 1e-12 && guard++ < 20 * n) {
        int bu = -1, bB = -1;
        double bdv = -1e-9, bdc = INFINITY;
        for (int u = 0; u < n; u++) {
            int A = asg[u], hot = 0;
            for (int b = 0; b < nb && !hot; b++)
                hot = viol1(c, A * nb + b, L->load[A * nb + b]) > 0;
            int m = targets(L, u, tg);
            for (int q = 0; q < m && !hot; q++)
                for (int b = 0; b < nb && !hot; b++)
                    hot = viol1(c, tg[q] * nb + b, L->load[tg[q] * nb + b]) > 0;
            if (!hot)
                continue;
            for (int q = 0; q < m; q++) {
                int B = tg[q];
                double dv = dviol(L, u, A, B);
                if (dv > bdv + 1e-15)
                    continue;
                double dc = lcost(L, u, B) - lcost(L, u, A);
                if ((dv < bdv - 1e-15 || dc < bdc) && move_ok(L, u, A, B) && removable(L, u)) {
                    bdv = dv;
                    bdc = dc;
                    bu = u;
                    bB = B;
                }
            }
        }
        if (bu < 0) {
            /* No single move helps: try a chain of two (u to B, then some
               unit of B onwards, or back: a swap). */
            int pu, pB, pv, pC;
            double pdv = best_pair(L, tg, &pu, &pB, &pv, &pC);
            if (pdv < -1e-9) {
                L->tver[asg[pu]]++;
                L->tver[pB]++;
                L->tver[pC]++;
                apply(L, pu, pB);
                apply(L, pv, pC);
                V += pdv;
                continue;
            }
            if (try_chains(L, tg)) {
                for (int j = 0; j < c->p; j++)
                    L->tver[j]++;
                V = total_viol(L);
                continue;
            }
            break;
        }
        L->tver[asg[bu]]++;
        L->tver[bB]++;
        apply(L, bu, bB);
        V += bdv;
        if (time_limit > 0 && tqoi_align_now() - t0 > time_limit)
            break;
    }
    V = total_viol(L);
    logd(c, "local search: balance %s after %d steps (violation %.3g), objective %.9g",
         V > 1e-9 ? "not restored" : "holds", guard, V, ls_objective(L));
}

/* Phase B: improving moves that keep balance and contiguity, with chains
   where a move alone would break balance (or, without member lists,
   single moves and swaps). */
static void improve(ls *L, int *tg, long long work_limit, double time_limit, double t0)
{
    align_ctx *c = L->c;
    int n = c->n, p = c->p;
    int *asg = L->asg;
    /* Without a graph, single moves and swaps first: cheap, and most of
       the gain; the chains after. With one, chains (they cover both). */
    if (L->mem && c->contiguity) {
        if (L->work < work_limit)
            improve_by_chains(L, work_limit);
        return;
    }
    int improved = 1, passes = 0;
    int *tstart = L->tstart, *tlist = L->tlist;
    while (improved && passes++ < 100) {
        improved = 0;
        /* units by territory as the pass begins (swap partners) */
        by_territory(asg, n, p, tstart, tlist);
        for (int u = 0; u < n; u++) {
            int A = asg[u];
            int m = targets(L, u, tg);
            if (!m)
                continue;
            double ca = lcost(L, u, A), best = -1e-12 * (fabs(ca) + 1e-300);
            int bB = -1;
            for (int q = 0; q < m; q++) {
                int B = tg[q];
                double dc = lcost(L, u, B) - ca;
                if (dc < best && keeps_balance(L, u, A, B) && move_ok(L, u, A, B)) {
                    best = dc;
                    bB = B;
                }
            }
            if (bB >= 0 && removable(L, u)) {
                apply(L, u, bB);
                improved = 1;
                continue;
            }
            if (try_swap(L, u, tg, m, tstart, tlist)) {
                improved = 1;
                continue;
            }
        }
        if (time_limit > 0 && tqoi_align_now() - t0 > time_limit)
            break;
    }
    if (L->mem && L->work < work_limit) {
        for (int i = 0; i < n; i++)
            L->dl[i] = ~0u;
        improve_by_chains(L, work_limit);
    }
}

/* Phase A2: brings the moved measure back under the move cap. Excess moved
   measure is a violation driven down after balance (lexicographically):
   a moved unit goes back to its current territory, the cheapest per
   measure first, when balance does not get worse; else it goes back and
   chains restore the balance it broke, kept only when balance is no worse
   and the moved measure fell. Bounded by counts (units tried). */
#define MOVES_TRIES 4000
#define MOVES_CHAIN_ROUNDS 3
static int home_ok(ls *L, int u)
{
    const align_ctx *c = L->c;
    int A = L->asg[u], B = c->current[u];
    if (B < 0 || B == A || (c->lock && c->lock[u] >= 0) || !isfinite(lcost(L, u, B)))
        return 0;
    if (c->contiguity) {
        int touch = 0;
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1] && !touch; k++)
            touch = L->asg[c->adj[k]] == B;
        if (!touch)
            return 0;
    }
    return removable(L, u);
}

static void restore_moves(ls *L)
{
    align_ctx *c = L->c;
    int n = c->n;
    if (c->max_move < 0 || !c->current)
        return;
    double cap = c->max_move * (1 + 1e-12);
    int *log_u = malloc((size_t)(MOVES_CHAIN_ROUNDS * c->p * (CH_MAXLEN + 2) + 1) * sizeof(int));
    int *log_f = malloc((size_t)(MOVES_CHAIN_ROUNDS * c->p * (CH_MAXLEN + 2) + 1) * sizeof(int));
    char *tried = calloc((size_t)n, 1);
    int tries = 0;
    double m0 = L->moved;
    while (log_u && log_f && tried && L->moved > cap && tries < MOVES_TRIES) {
        double V0 = total_viol(L), M0 = L->moved;
        /* a single move home that keeps balance no worse, the cheapest
           per measure */
        int bu = -1;
        double bs = INFINITY;
        for (int u = 0; u < n; u++) {
            if (c->current[u] < 0 || c->current[u] == L->asg[u] || c->a[0][u] <= 0)
                continue;
            int B = c->current[u], A = L->asg[u];
            if (dviol(L, u, A, B) > 1e-12)
                continue;
            double s = (lcost(L, u, B) - lcost(L, u, A)) / c->a[0][u];
            if (s < bs && home_ok(L, u)) {
                bs = s;
                bu = u;
            }
        }
        tries++;
        if (bu >= 0) {
            L->tver[L->asg[bu]]++;
            L->tver[c->current[bu]]++;
            apply(L, bu, c->current[bu]);
            continue;
        }
        /* else: home, then chains for the balance it broke; the unit
           tried first is the cheapest per measure not tried yet */
        bs = INFINITY;
        for (int u = 0; u < n; u++) {
            if (tried[u] || c->current[u] < 0 || c->current[u] == L->asg[u] || c->a[0][u] <= 0)
                continue;
            double s = (lcost(L, u, c->current[u]) - lcost(L, u, L->asg[u])) / c->a[0][u];
            if (s < bs && home_ok(L, u)) {
                bs = s;
                bu = u;
            }
        }
        if (bu < 0 || !L->mem)
            break;
        tried[bu] = 1;
        int nl = 0;
        log_u[nl] = bu;
        log_f[nl++] = L->asg[bu];
        apply(L, bu, c->current[bu]);
        chain bc;
        /* the chains may move other units as long as the net moved
           measure stays below where it was */
        double real_cap = c->max_move;
        c->max_move = M0;
        for (int r = 0; r < MOVES_CHAIN_ROUNDS && total_viol(L) > V0 + 1e-12; r++)
            for (int j = 0; j < c->p; j++)
                if (tviol(L, j, -1, -1) > 1e-12 && best_restore_chain(L, j, &bc))
                    ch_apply(L, &bc, log_u, log_f, &nl);
        c->max_move = real_cap;
        if (total_viol(L) <= V0 + 1e-12 && L->moved < M0 - 1e-9 * (1 + M0)) {
            for (int j = 0; j < c->p; j++)
                L->tver[j]++;
            memset(tried, 0, (size_t)n);
            continue;
        }
        for (int k = nl - 1; k >= 0; k--)
            apply(L, log_u[k], log_f[k]);
    }
    logd(c, "local search: move cap: moved %.6g -> %.6g (cap %.6g), violation %.3g, objective %.9g", m0, L->moved,
         c->max_move, total_viol(L), ls_objective(L));
    free(log_u);
    free(log_f);
    free(tried);
}

tqo_status tqoi_align_local_search(align_ctx *c, int *asg, double time_limit)
{
    int n = c->n, p = c->p;
    ls L;
    tqo_status st = ls_init(&L, c, asg);
    int *tg = malloc((size_t)(p + 1) * sizeof(int));
    if (st != TQO_OK || !tg) {
        ls_free(&L);
        free(tg);
        return TQO_ERR_NOMEM;
    }
    long long work_limit = (c->contiguity ? LS_WORK_PER_UNIT : LS_WORK_PER_UNIT_FREE) * n + LS_WORK_MIN;
    double t0 = tqoi_align_now();
    logd(c, "local search: violation %.4g at the start, objective %.9g", total_viol(&L), ls_objective(&L));
    restore_balance(&L, tg, work_limit / 2, time_limit, t0);
    if (c->max_move >= 0 && L.moved > c->max_move * (1 + 1e-12)) {
        restore_moves(&L);
        if (total_viol(&L) > 1e-12)
            restore_balance(&L, tg, L.work + work_limit / 4, time_limit, t0);
    }
    improve(&L, tg, work_limit, time_limit, t0);
    logd(c, "local search: improved to %.9g (%lld units examined)", ls_objective(&L), L.work);
    ls_free(&L);
    free(tg);
    return TQO_OK;
}

/*
 * Makes the units of a fractional solution whole. The loads of the LP are
 * within bounds; a split unit placed whole moves them by what it had
 * elsewhere. Split units go, the largest first (the small ones after them
 * can make up for what they break), to the territory where the loads then
 * break their bounds least, the larger share among equals; with held, only
 * to a territory that a neighbour already placed holds, while there is
 * one.
 */
static tqo_status round_shares(const align_ctx *c, const alloc_solution *xs, int *a2, int held_only, int *n_split)
{
    int n = c->n, p = c->p, nb = c->nb;
    const alloc_solution *y = xs;
    int nsplit = 0;
    double *eload = calloc((size_t)p * nb, sizeof(double));
    kv2 *ord = malloc((size_t)n * sizeof(kv2) + 1);
    if (!eload || !ord) {
        free(eload);
        free(ord);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        a2[i] = -1;
        for (int k = y->start[i]; k < y->start[i + 1]; k++)
            for (int b = 0; b < nb; b++)
                eload[y->terr[k] * nb + b] += y->share[k] * c->a[b][i];
        if (y->start[i + 1] - y->start[i] == 1)
            a2[i] = y->terr[y->start[i]];
        else
            nsplit++;
    }
    int no = 0;
    for (int i = 0; i < n; i++)
        if (a2[i] < 0) {
            double sz = 0;
            for (int b = 0; b < nb; b++)
                sz += c->a[b][i] / (c->total[b] / p);
            ord[no].k = -sz;
            ord[no].v = i;
            no++;
        }
    qsort(ord, (size_t)no, sizeof(kv2), tqoi_align_kv_cmp);
    int use_held = held_only && c->contiguity;
    for (int left = nsplit, pass = 0; left > 0 && pass < 50; pass++) {
        int placed = 0;
        for (int oi = 0; oi < no; oi++) {
            int i = ord[oi].v;
            if (a2[i] >= 0)
                continue;
            int best = -1;
            double bv = INFINITY;
            for (int k = y->start[i]; k < y->start[i + 1]; k++) {
                int j = y->terr[k], held = !use_held || pass >= 49;
                for (int e = c->adj_start ? c->adj_start[i] : 0; !held && e < c->adj_start[i + 1]; e++)
                    held = a2[c->adj[e]] == j;
                if (!held)
                    continue;
                /* violation change if i goes wholly to j */
                double dv = 0;
                for (int k2 = y->start[i]; k2 < y->start[i + 1]; k2++) {
                    int j2 = y->terr[k2];
                    double f = (j2 == j ? 1.0 : 0.0) - y->share[k2];
                    for (int b = 0; b < nb; b++) {
                        int q = j2 * nb + b;
                        dv += viol1(c, q, eload[q] + f * c->a[b][i]) - viol1(c, q, eload[q]);
                    }
                }
                if (best < 0 || dv < bv - 1e-12 || (dv <= bv + 1e-12 && y->share[k] > y->share[best])) {
                    best = k;
                    bv = dv;
                }
            }
            if (best >= 0) {
                int j = y->terr[best];
                for (int k2 = y->start[i]; k2 < y->start[i + 1]; k2++) {
                    double f = (y->terr[k2] == j ? 1.0 : 0.0) - y->share[k2];
                    for (int b = 0; b < nb; b++)
                        eload[y->terr[k2] * nb + b] += f * c->a[b][i];
                }
                a2[i] = j;
                placed++;
                left--;
            }
        }
        if (!placed && pass < 48)
            pass = 48; /* the rest without a placed neighbour */
    }
    free(eload);
    free(ord);
    *n_split = nsplit;
    return TQO_OK;
}

/* Whether every territory's loads under asg are within their balance
   bounds: 1 or 0, -1 when out of memory. */
static int loads_in_bounds(const align_ctx *c, const int *asg)
{
    int n = c->n, p = c->p, nb = c->nb, ok = 1;
    double *ld = calloc((size_t)p * nb, sizeof(double));
    if (!ld)
        return -1;
    for (int i = 0; i < n; i++)
        for (int b = 0; b < nb; b++)
            ld[asg[i] * nb + b] += c->a[b][i];
    for (int k = 0; k < p * nb; k++)
        if (ld[k] < c->lo[k] - 1e-9 * c->target[k] || ld[k] > c->hi[k] + 1e-9 * c->target[k])
            ok = 0;
    free(ld);
    return ok;
}

/* The support LP's fixed part and candidates. The fixed part of a
   territory: its interior units (no neighbour elsewhere) connected to the
   one nearest its centre, through interior units; or that unit alone.
   Depth of each unit from the fixed part (a BFS in the territory): a unit
   stays only next to one nearer that part, and joins a territory only next
   to a member that stays, so that territories stay connected. Free units'
   candidates are cand[cs[i]..cs[i+1]); *nfree counts them. */
static tqo_status support_fixed_core(const align_ctx *c, const int *asg, int *fixed, int *cs, int *cand,
                                     int *depth, int *nfree_out)
{
    int n = c->n, p = c->p;
    int *queue = malloc((size_t)n * sizeof(int)), *root = malloc((size_t)p * sizeof(int));
    char *interior = malloc((size_t)n);
    if (!queue || !root || !interior) {
        free(queue);
        free(root);
        free(interior);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++)
        root[j] = -1;
    for (int i = 0; i < n; i++) {
        interior[i] = 1;
        for (int k = c->adj_start[i]; k < c->adj_start[i + 1]; k++)
            interior[i] &= asg[c->adj[k]] == asg[i];
        int j = asg[i], r = root[j];
        if (c->lock && c->lock[i] >= 0)
            continue;
        /* interior units first, then the nearest to the centre */
        if (r < 0 || (interior[i] && !interior[r]) ||
            (interior[i] == interior[r] && tqoi_alloc_dist2(&c->P, i, j) < tqoi_alloc_dist2(&c->P, r, j)))
            root[j] = i;
    }
    int qh = 0, qt = 0;
    for (int i = 0; i < n; i++)
        depth[i] = -1;
    for (int j = 0; j < p; j++)
        if (root[j] >= 0 && depth[root[j]] < 0) {
            depth[root[j]] = 0;
            queue[qt++] = root[j];
        }
    /* the root's interior component */
    for (int q = 0; q < qt; q++) {
        int u = queue[q];
        if (!interior[u])
            continue;
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
            int v = c->adj[k];
            if (depth[v] < 0 && interior[v]) {
                depth[v] = 0;
                queue[qt++] = v;
            }
        }
    }
    /* the fixed part; other units free (interior ones with their own
       territory as only candidate) */
    int nfree = 0, m = 0;
    for (int i = 0; i < n; i++) {
        cs[i] = m;
        /* a locked unit is free too, to ask for its support */
        int locked = c->lock && c->lock[i] >= 0;
        fixed[i] = depth[i] == 0 ? asg[i] : -1;
        if (fixed[i] >= 0)
            continue;
        nfree++;
        int m0 = m;
        cand[m++] = asg[i];
        for (int k = c->adj_start[i]; k < c->adj_start[i + 1] && !locked; k++) {
            int j = asg[c->adj[k]], dup = 0;
            for (int q = m0; q < m && !dup; q++)
                dup = cand[q] == j;
            if (!dup)
                cand[m++] = j;
        }
    }
    cs[n] = m;
    while (qh < qt) {
        int u = queue[qh++];
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
            int v = c->adj[k];
            if (depth[v] < 0 && asg[v] == asg[u]) {
                depth[v] = depth[u] + 1;
                queue[qt++] = v;
            }
        }
    }
    /* units not reached (pieces apart, islands): fixed where they are */
    for (int i = 0; i < n; i++)
        if (depth[i] < 0)
            depth[i] = 0;
    for (int i = 0; i < n; i++)
        if (depth[i] == 0 && fixed[i] < 0) {
            /* reached no root: keep it (its candidates stay unused) */
            fixed[i] = asg[i];
            nfree--;
        }
    free(queue);
    free(root);
    free(interior);
    *nfree_out = nfree;
    return TQO_OK;
}

/*
 * Support LP: the units outside the fixed core of their territory choose
 * again, fractionally and all at once, among their own territory and
 * their neighbours' (the boundary units; the others keep their own), a
 * unit taking a territory only as far as a neighbour holds it: a member
 * of it for a unit joining it, a member nearer the core for one staying.
 * Every territory can then only grow or shrink at its boundary, connected.
 * The result is made whole (round_shares, placed next to a neighbour of
 * the same territory), repaired, and searched; asg is replaced when that
 * is balanced and within the move cap, and better, or asg was not
 * balanced.
 */
tqo_status tqoi_align_support_lp(align_ctx *c, int *asg, int *improved)
{
    int n = c->n;
    *improved = 0;
    if (!c->contiguity)
        return TQO_OK;
    int *fixed = malloc((size_t)n * sizeof(int)), *cs = malloc((size_t)(n + 1) * sizeof(int));
    int *cand = malloc(((size_t)c->adj_start[n] + n + 1) * sizeof(int));
    int *a2 = malloc((size_t)n * sizeof(int)), *depth = malloc((size_t)n * sizeof(int));
    tqo_status st = TQO_OK;
    if (!fixed || !cs || !cand || !a2 || !depth) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    int start_ok = loads_in_bounds(c, asg);
    if (start_ok < 0) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    int nfree = 0;
    st = support_fixed_core(c, asg, fixed, cs, cand, depth, &nfree);
    if (st != TQO_OK)
        goto done;
    alloc_solution y;
    tqo_diag d;
    tqo_diag_init(&d);
    double t0 = tqoi_align_now();
    st = tqoi_alloc_solve_support_lp(&c->P, c->adj_start, c->adj, asg, depth, fixed, cs, cand, &y, &d);
    tqo_diag_free(&d);
    if (st != TQO_OK) {
        st = st == TQO_ERR_NOMEM ? st : TQO_OK;
        goto done;
    }
    int nsplit = 0;
    st = round_shares(c, &y, a2, 1, &nsplit);
    if (st != TQO_OK) {
        tqoi_alloc_solution_free(&y);
        goto done;
    }
    double lpobj = y.objective, tlp = tqoi_align_now() - t0;
    tqoi_alloc_solution_free(&y);
    double o0 = 0, o1 = 0, o_round = 0;
    for (int i = 0; i < n; i++) {
        o0 += tqoi_alloc_cost(&c->P, i, asg[i]);
        o_round += tqoi_alloc_cost(&c->P, i, a2[i]);
    }
    st = tqoi_align_repair_contiguity(c, a2);
    if (st == TQO_OK)
        st = tqoi_align_local_search(c, a2, 0);
    if (st != TQO_OK)
        goto done;
    for (int i = 0; i < n; i++)
        o1 += tqoi_alloc_cost(&c->P, i, a2[i]);
    /* out of memory there only keeps the start */
    int ok = loads_in_bounds(c, a2) > 0;
    if (c->max_move >= 0 && c->current) {
        double moved = 0;
        for (int i = 0; i < n; i++)
            if (c->current[i] >= 0 && c->current[i] != a2[i])
                moved += c->a[0][i];
        ok &= moved <= c->max_move * (1 + 1e-12);
    }
    logd(c, "support LP over %d free units: LP %.9g (%.2f s), %d split, rounded %.9g, polished %.9g%s, against %.9g",
         nfree, lpobj, tlp, nsplit, o_round, o1, ok ? "" : " (unbalanced)", o0);
    if (ok && (o1 < o0 * (1 - 1e-9) || !start_ok)) {
        memcpy(asg, a2, (size_t)n * sizeof(int));
        *improved = 1;
    }
done:
    free(fixed);
    free(cs);
    free(cand);
    free(a2);
    free(depth);
    return st;
}
