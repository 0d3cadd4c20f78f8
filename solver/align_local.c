/*
 * From the LP solution to whole, connected, balanced territories:
 *
 * - split units are made whole by a small MIP over them and the units
 *   nearest to a tie (over the split units alone it can be infeasible);
 * - stray pieces of a territory, cut off from its main part, go to the
 *   neighbouring territories (whole islands may stay, as exceptions);
 * - boundary moves then restore balance where repairs broke it, and
 *   improve compactness while keeping balance, contiguity, locks and the
 *   move cap.
 */
#include "align_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct kv2 {
    double k;
    int v;
} kv2;

static int kv2_cmp(const void *a, const void *b)
{
    const kv2 *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->v - y->v;
}

/* Detail for the caller's log (shown with tqo align --verbose). */
#define logd(c, ...) tqo_log_printf((c)->s->log, (c)->s->log_ctx, TQO_LOG_DEBUG, __VA_ARGS__)

/* Reduced cost of (i, j) at the last LP prices. */
static double reduced(const align_ctx *c, int i, int j)
{
    double r = alloc_cost(&c->P, i, j);
    for (int b = 0; b < c->nb; b++)
        r += c->a[b][i] * c->prices[j * c->nb + b];
    if (c->max_move >= 0 && c->current && c->current[i] >= 0 && c->current[i] != j)
        r += c->prices[c->p * c->nb] * c->a[0][i];
    return r;
}

/* ------------------------------------------------------------------ */
/* Split units                                                         */

#define MIP_CANDIDATES 4
/* Work allowed to a split MIP: free units x branch-and-cut subproblems
   (so a larger neighbourhood gets fewer), and the largest neighbourhood
   worth a MIP; beyond, rounding and the local search do better per second. */
#define SPLIT_MIP_WORK 30000
#define SPLIT_MIP_MAX_UNITS 1500

static tqo_status resolve_rest(align_ctx *c, const alloc_solution *x, int *asg, char *how, size_t howsize);

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
        }
        if (!fixed_now)
            break;
        c->P.lock = lock;
        alloc_solution y;
        tqo_diag d;
        tqo_diag_init(&d);
        st = alloc_solve_lp(&c->P, c->s->candidates, c->prices, &y, c->s->log, c->s->log_ctx, &d);
        tqo_diag_free(&d);
        c->P.lock = saved;
        if (st != TQO_OK) {
            st = st == TQO_ERR_NOMEM ? st : TQO_OK; /* keep the last LP solution */
            break;
        }
        alloc_solution_free(x);
        *x = y;
        *dived += fixed_now;
        (*rounds)++;
    }
    free(lock);
    return st;
}

tqo_status align_resolve_splits(align_ctx *c, const alloc_solution *x0, int *asg, char *how, size_t howsize)
{
    alloc_solution xs;
    memset(&xs, 0, sizeof xs);
    /* a private copy, since the dive replaces it */
    xs.n = x0->n;
    xs.start = malloc((size_t)(x0->n + 1) * sizeof(int));
    xs.terr = malloc((size_t)(x0->start[x0->n] + 1) * sizeof(int));
    xs.share = malloc((size_t)(x0->start[x0->n] + 1) * sizeof(double));
    if (!xs.start || !xs.terr || !xs.share) {
        alloc_solution_free(&xs);
        return TQO_ERR_NOMEM;
    }
    memcpy(xs.start, x0->start, (size_t)(x0->n + 1) * sizeof(int));
    memcpy(xs.terr, x0->terr, (size_t)x0->start[x0->n] * sizeof(int));
    memcpy(xs.share, x0->share, (size_t)x0->start[x0->n] * sizeof(double));
    int dived = 0, drounds = 0;
    tqo_status dst = dive(c, &xs, &dived, &drounds);
    if (dst != TQO_OK) {
        alloc_solution_free(&xs);
        return dst;
    }
    tqo_status rst = resolve_rest(c, &xs, asg, how, howsize);
    if (dived && rst == TQO_OK) {
        size_t k = strlen(how);
        snprintf(how + k, howsize - k, "; %d large unit%s fixed first (%d LP dive%s)", dived, dived == 1 ? "" : "s",
                 drounds, drounds == 1 ? "" : "s");
    }
    alloc_solution_free(&xs);
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
                int k = snprintf(msg, sizeof msg, "split in the LP: %s, %s %.6g:", align_unit_name(c, i, nm, sizeof nm),
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
        double b1 = INFINITY, b2 = INFINITY;
        for (int j = 0; j < p; j++) {
            double r = reduced(c, i, j);
            if (r < b1) {
                b2 = b1;
                b1 = r;
            } else if (r < b2) {
                b2 = r;
            }
        }
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
    qsort(gap, (size_t)ng, sizeof(kv2), kv2_cmp);
    int extra = 20 * nsplit > 200 ? 20 * nsplit : 200;
    /* Most of the gain comes early; the local search polishes after. The
       search is bounded by its number of subproblems, which keeps the plan
       the same on a busy machine; the time limit is only a safety net
       (or the user's --time-limit). */
    double limit = c->s->time_limit > 0 ? c->s->time_limit / 4 : 60;

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
            int nr = 0;
            for (int j = 0; j < p; j++) {
                double r = reduced(c, i, j);
                if (isfinite(r)) {
                    row[nr].k = r;
                    row[nr].v = j;
                    nr++;
                }
            }
            qsort(row, (size_t)nr, sizeof(kv2), kv2_cmp);
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
        double tm = align_now();
        int nodes = SPLIT_MIP_WORK / nfree > 20 ? SPLIT_MIP_WORK / nfree : 20;
        st = alloc_solve_subset_mip(&c->P, fixed, cs, cand, limit, nodes, out, &obj, &d);
        logd(c, "splits: MIP over %d units, %d candidates: status %d in %.2f s%s%s", nfree, m, st, align_now() - tm,
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
    snprintf(how, howsize, "rounded to the largest share, then repaired");
    st = TQO_OK;
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

int align_contiguity_exceptions(const align_ctx *c, const int *asg, tqo_exception **ex, int *n_ex, int *n_bad)
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
                cost[j] += alloc_cost(&c->P, i, j);
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

tqo_status align_repair_contiguity(align_ctx *c, int *asg)
{
    if (!c->contiguity)
        return TQO_OK;
    int n = c->n;
    int *piece = malloc((size_t)n * sizeof(int)), *stack = malloc((size_t)n * sizeof(int));
    int *core = malloc((size_t)c->p * sizeof(int)), *psize = malloc((size_t)(n + 1) * sizeof(int));
    int *queue = malloc((size_t)n * sizeof(int));
    if (!piece || !stack || !core || !psize || !queue) {
        free(piece);
        free(stack);
        free(core);
        free(psize);
        free(queue);
        return TQO_ERR_NOMEM;
    }
    if (place_islands(c, asg, piece, core, stack) != TQO_OK) {
        free(piece);
        free(stack);
        free(core);
        free(psize);
        free(queue);
        return TQO_ERR_NOMEM;
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
        int progress = 1;
        while (progress) {
            progress = 0;
            for (int t = 0; t < qn; t++) {
                int u = queue[t];
                if (u < 0 || (c->lock && c->lock[u] >= 0))
                    continue;
                int from = asg[u], bestk = -1;
                double bestc = INFINITY;
                for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
                    int v = c->adj[k];
                    if (piece[v] == piece[u] || asg[v] == from)
                        continue;
                    double cost = alloc_cost(&c->P, u, asg[v]);
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
    free(piece);
    free(stack);
    free(core);
    free(psize);
    free(queue);
    return TQO_OK;
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
} ls;

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

static double viol1(const align_ctx *c, int k, double load)
{
    double t = c->target[k] > 0 ? c->target[k] : 1;
    if (load > c->hi[k])
        return (load - c->hi[k]) / t;
    if (load < c->lo[k])
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
    int A = L->asg[u], first = -1, need = 0;
    for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++)
        if (L->asg[c->adj[k]] == A) {
            if (first < 0)
                first = c->adj[k];
            need++;
        }
    if (need <= 1)
        return 1;
    L->stamp++;
    int top = 0, found = 0;
    L->stack[top++] = first;
    L->mark[first] = L->stamp;
    L->mark[u] = L->stamp; /* removed */
    while (top && found < need) {
        int v = L->stack[--top];
        /* count neighbours of u reached */
        for (int k = c->adj_start[v]; k < c->adj_start[v + 1]; k++) {
            int w = c->adj[k];
            if (L->asg[w] != A || L->mark[w] == L->stamp)
                continue;
            L->mark[w] = L->stamp;
            L->stack[top++] = w;
        }
        found = 0;
        for (int k = c->adj_start[u]; k < c->adj_start[u + 1]; k++) {
            int w = c->adj[k];
            if (L->asg[w] == A && L->mark[w] == L->stamp)
                found++;
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
}

static int move_ok(ls *L, int u, int A, int B)
{
    const align_ctx *c = L->c;
    if (c->lock && c->lock[u] >= 0)
        return 0;
    if (!alloc_allowed(&c->P, u, B))
        return 0;
    if (c->max_move >= 0) {
        double dm = dmoved(L, u, A, B);
        if (dm > 0 && L->moved + dm > c->max_move * (1 + 1e-12))
            return 0;
    }
    return 1;
}

static double ls_objective(const ls *L)
{
    double o = 0;
    for (int i = 0; i < L->c->n; i++)
        o += alloc_cost(&L->c->P, i, L->asg[i]);
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
        if (total_viol(L) < V0 - 1e-9) {
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
                double dc1 = alloc_cost(&c->P, u, B) - alloc_cost(&c->P, u, A);
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
                        double dc = dc1 + alloc_cost(&c->P, v, C) - alloc_cost(&c->P, v, B);
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
    double ca = alloc_cost(&c->P, u, A);
    for (int q = 0; q < m; q++) {
        int B = tg[q];
        double du = alloc_cost(&c->P, u, B) - ca;
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
            double dv = alloc_cost(&c->P, v, A) - alloc_cost(&c->P, v, B);
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
            if (!okb || !alloc_allowed(&c->P, v, A))
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

tqo_status align_local_search(align_ctx *c, int *asg, double time_limit)
{
    int n = c->n, p = c->p, nb = c->nb;
    ls L;
    memset(&L, 0, sizeof L);
    L.c = c;
    L.asg = asg;
    L.load = calloc((size_t)p * nb, sizeof(double));
    L.mark = calloc((size_t)n, sizeof(int));
    L.stack = malloc((size_t)n * sizeof(int));
    L.tstart = malloc(((size_t)p + 1) * sizeof(int));
    L.tlist = malloc(((size_t)n + 1) * sizeof(int));
    int *tg = malloc((size_t)(p + 1) * sizeof(int));
    if (!L.load || !L.mark || !L.stack || !L.tstart || !L.tlist || !tg) {
        free(L.load);
        free(L.mark);
        free(L.stack);
        free(L.tstart);
        free(L.tlist);
        free(tg);
        return TQO_ERR_NOMEM;
    }
    if (!c->contiguity) {
        L.nk = p < 6 ? p : 6;
        L.near = malloc((size_t)n * L.nk * sizeof(int));
        kv2 *row = malloc((size_t)p * sizeof(kv2));
        if (!L.near || !row) {
            free(row);
            free(L.load);
            free(L.mark);
            free(L.stack);
            free(L.tstart);
            free(L.tlist);
            free(tg);
            free(L.near);
            return TQO_ERR_NOMEM;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                row[j].k = alloc_dist2(&c->P, i, j);
                row[j].v = j;
            }
            qsort(row, (size_t)p, sizeof(kv2), kv2_cmp);
            for (int q = 0; q < L.nk; q++)
                L.near[(size_t)i * L.nk + q] = row[q].v;
        }
        free(row);
    }
    for (int i = 0; i < n; i++) {
        for (int b = 0; b < nb; b++)
            L.load[asg[i] * nb + b] += c->a[b][i];
        if (c->current && c->current[i] >= 0 && c->current[i] != asg[i])
            L.moved += c->a[0][i];
    }
    double t0 = align_now();
    logd(c, "local search: violation %.4g at the start", total_viol(&L));
    /* Phase A: restore balance, the largest reduction of violation first,
       the cheaper move among equals. */
    double V = total_viol(&L);
    int guard = 0;
    while (V > 1e-12 && guard++ < 20 * n) {
        int bu = -1, bB = -1;
        double bdv = -1e-9, bdc = INFINITY;
        for (int u = 0; u < n; u++) {
            int A = asg[u], hot = 0;
            for (int b = 0; b < nb && !hot; b++)
                hot = viol1(c, A * nb + b, L.load[A * nb + b]) > 0;
            int m = targets(&L, u, tg);
            for (int q = 0; q < m && !hot; q++)
                for (int b = 0; b < nb && !hot; b++)
                    hot = viol1(c, tg[q] * nb + b, L.load[tg[q] * nb + b]) > 0;
            if (!hot)
                continue;
            for (int q = 0; q < m; q++) {
                int B = tg[q];
                double dv = dviol(&L, u, A, B);
                if (dv > bdv + 1e-15)
                    continue;
                double dc = alloc_cost(&c->P, u, B) - alloc_cost(&c->P, u, A);
                if ((dv < bdv - 1e-15 || dc < bdc) && move_ok(&L, u, A, B) && removable(&L, u)) {
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
            double pdv = best_pair(&L, tg, &pu, &pB, &pv, &pC);
            if (pdv < -1e-9) {
                apply(&L, pu, pB);
                apply(&L, pv, pC);
                V += pdv;
                continue;
            }
            if (try_chains(&L, tg)) {
                V = total_viol(&L);
                continue;
            }
            break;
        }
        apply(&L, bu, bB);
        V += bdv;
        if (time_limit > 0 && align_now() - t0 > time_limit)
            break;
    }
    V = total_viol(&L);
    logd(c, "local search: balance %s after %d steps (violation %.3g), objective %.9g", V > 1e-9 ? "not restored" : "holds", guard, V, ls_objective(&L));
    /* Phase B: improving moves that keep balance and contiguity. */
    int improved = 1, passes = 0;
    int *tstart = L.tstart, *tlist = L.tlist;
    while (improved && passes++ < 100) {
        improved = 0;
        /* units by territory as the pass begins (swap partners) */
        by_territory(asg, n, p, tstart, tlist);
        for (int u = 0; u < n; u++) {
            int A = asg[u];
            int m = targets(&L, u, tg);
            if (!m)
                continue;
            double ca = alloc_cost(&c->P, u, A), best = -1e-12 * (fabs(ca) + 1e-300);
            int bB = -1;
            for (int q = 0; q < m; q++) {
                int B = tg[q];
                double dc = alloc_cost(&c->P, u, B) - ca;
                if (dc < best && keeps_balance(&L, u, A, B) && move_ok(&L, u, A, B)) {
                    best = dc;
                    bB = B;
                }
            }
            if (bB >= 0 && removable(&L, u)) {
                apply(&L, u, bB);
                improved = 1;
                continue;
            }
            if (try_swap(&L, u, tg, m, tstart, tlist)) {
                improved = 1;
                continue;
            }
        }
        if (time_limit > 0 && align_now() - t0 > time_limit)
            break;
    }
    logd(c, "local search: %d improving passes, objective %.9g", passes, ls_objective(&L));
    free(L.tstart);
    free(L.tlist);
    free(L.load);
    free(L.mark);
    free(L.stack);
    free(L.near);
    free(tg);
    return TQO_OK;
}
