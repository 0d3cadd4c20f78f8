/*
 * Units of zero compactness weight cost nothing wherever they go (cost
 * w d^2 with w = 0), so the allocation may leave them in any territory,
 * however far. A final tie-break puts each in the nearest territory it may
 * join, where every constraint still holds: balance, contiguity in the
 * unit graph (no new stray piece), locks, --max-distance and the move cap.
 * A move is taken only when it does not raise the objective (disruption
 * costs count), so the objective and the LP lower bound stay valid.
 * Islands (whole graph components) of such units move as one, to the
 * territory nearest to them as a whole.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* At most this many nearer territories are tried per unit or island. */
#define ZERO_TRIES 10

typedef struct zero_ctx {
    align_ctx *c;
    int *asg;
    int *save;     /* territories of the units being moved, to undo */
    double *load;  /* p*nb */
    int n_ex, n_bad;
} zero_ctx;

static int free_zero(const align_ctx *c, int i)
{
    return c->w[i] == 0 && !(c->lock && c->lock[i] >= 0);
}

/* The amount of the first measure moved off the current plan. */
static double moved_amount(const align_ctx *c, const int *asg)
{
    double m = 0;
    if (c->current)
        for (int i = 0; i < c->n; i++)
            if (c->current[i] >= 0 && c->current[i] != asg[i])
                m += c->a[0][i];
    return m;
}

/* Every territory whose load the move changed is within its bounds. */
static int loads_hold(const zero_ctx *z, const double *before)
{
    const align_ctx *c = z->c;
    for (int k = 0; k < c->p * c->nb; k++) {
        double tol = 1e-9 * c->target[k];
        if (z->load[k] != before[k] && (z->load[k] < c->lo[k] - tol || z->load[k] > c->hi[k] + tol))
            return 0;
    }
    return 1;
}

static void add_load(zero_ctx *z, int i, int j, double sign)
{
    for (int b = 0; b < z->c->nb; b++)
        z->load[j * z->c->nb + b] += sign * z->c->a[b][i];
}

/*
 * Moves units u[0..m) to territory t when every constraint holds after and
 * the objective does not rise; else leaves them. Returns 1 when moved.
 */
static int try_move(zero_ctx *z, const int *u, int m, int t)
{
    align_ctx *c = z->c;
    size_t pk = (size_t)c->p * c->nb;
    double before_cost = 0, after_cost = 0, moved0 = moved_amount(c, z->asg);
    for (int q = 0; q < m; q++) {
        if (!tqoi_alloc_allowed(&c->P, u[q], t))
            return 0;
        before_cost += tqoi_alloc_cost(&c->P, u[q], z->asg[u[q]]);
        after_cost += tqoi_alloc_cost(&c->P, u[q], t);
    }
    if (!(after_cost <= before_cost))
        return 0;
    double *before = malloc(pk * sizeof(double));
    if (!before)
        return 0;
    memcpy(before, z->load, pk * sizeof(double));
    for (int q = 0; q < m; q++) {
        z->save[q] = z->asg[u[q]];
        add_load(z, u[q], z->asg[u[q]], -1);
        add_load(z, u[q], t, 1);
        z->asg[u[q]] = t;
    }
    int ok = loads_hold(z, before);
    if (ok && c->current) {
        double moved1 = moved_amount(c, z->asg);
        ok = moved1 <= moved0 || c->max_move < 0 || moved1 <= c->max_move * (1 + 1e-12);
    }
    int n_ex = 0, n_bad = 0;
    if (ok && c->contiguity)
        ok = tqoi_align_contiguity_exceptions(c, z->asg, NULL, &n_ex, &n_bad) >= 0 && n_bad <= z->n_bad &&
             (m > 1 || n_ex <= z->n_ex);
    if (ok) {
        z->n_ex = n_ex;
        z->n_bad = n_bad;
    } else {
        memcpy(z->load, before, pk * sizeof(double));
        for (int q = 0; q < m; q++)
            z->asg[u[q]] = z->save[q];
    }
    free(before);
    return ok;
}

/* Territories ordered by the summed squared distance to units u[0..m),
   those nearer than where they are now (at most ZERO_TRIES); returns how
   many. */
static int nearer_territories(const align_ctx *c, const int *asg, const int *u, int m, int *order, double *key)
{
    double now = 0;
    for (int q = 0; q < m; q++)
        now += tqoi_alloc_dist2(&c->P, u[q], asg[u[q]]);
    int k = 0;
    for (int j = 0; j < c->p; j++) {
        double s = 0;
        for (int q = 0; q < m; q++)
            s += tqoi_alloc_dist2(&c->P, u[q], j);
        if (!(s < now))
            continue;
        /* insertion into the sorted list (ties: the lower index first) */
        int pos = k < ZERO_TRIES ? k++ : ZERO_TRIES;
        while (pos > 0 && key[pos - 1] > s) {
            if (pos < ZERO_TRIES) {
                key[pos] = key[pos - 1];
                order[pos] = order[pos - 1];
            }
            pos--;
        }
        if (pos < ZERO_TRIES) {
            key[pos] = s;
            order[pos] = j;
        }
    }
    return k;
}

/* Islands made only of free zero-weight units, each moved as one. */
static int move_islands(zero_ctx *z, int *u, int *order, double *key)
{
    align_ctx *c = z->c;
    int moved = 0;
    for (int comp = 0; comp < c->n_comp; comp++) {
        int m = 0, all = 1;
        for (int i = 0; i < c->n && all; i++)
            if (c->comp[i] == comp) {
                all = free_zero(c, i);
                u[m++] = i;
            }
        if (!all || m < 2)
            continue; /* single units go with the others */
        int k = nearer_territories(c, z->asg, u, m, order, key);
        for (int q = 0; q < k; q++)
            if (try_move(z, u, m, order[q])) {
                moved += m;
                break;
            }
    }
    return moved;
}

int tqoi_align_place_zero_weight(align_ctx *c, int *asg)
{
    int n = c->n, any = 0;
    for (int i = 0; i < n && !any; i++)
        any = free_zero(c, i);
    if (!any)
        return 0;
    zero_ctx z = {c, asg, malloc((size_t)n * sizeof(int)), calloc((size_t)c->p * c->nb, sizeof(double)), 0, 0};
    int *u = malloc((size_t)n * sizeof(int)), order[ZERO_TRIES];
    double key[ZERO_TRIES];
    int moved = 0;
    if (!z.save || !z.load || !u)
        goto out;
    for (int i = 0; i < n; i++)
        add_load(&z, i, asg[i], 1);
    if (c->contiguity && tqoi_align_contiguity_exceptions(c, asg, NULL, &z.n_ex, &z.n_bad) < 0)
        goto out;
    if (c->contiguity && c->comp)
        moved += move_islands(&z, u, order, key);
    /* then unit by unit; a move can open the way for a neighbour's */
    for (int pass = 0; pass < 3; pass++) {
        int before = moved;
        for (int i = 0; i < n; i++) {
            if (!free_zero(c, i))
                continue;
            int k = nearer_territories(c, asg, &i, 1, order, key);
            for (int q = 0; q < k; q++)
                if (try_move(&z, &i, 1, order[q])) {
                    moved++;
                    break;
                }
        }
        if (moved == before)
            break;
    }
    if (moved)
        tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG,
                       "zero-weight units: %d moved to nearer territories they may join", moved);
out:
    free(z.save);
    free(z.load);
    free(u);
    return moved;
}
