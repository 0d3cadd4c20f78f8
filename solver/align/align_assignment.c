/*
 * tqo_align_assignment: the alignment result handed to the quota and
 * scenario steps in memory. It gives, bit for bit, the assignment that
 * tqo_assignment_load reads from the assignment.csv tqo_align_write
 * writes, so a plan chained in memory equals one chained through files.
 */
#include "align/align_assignment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int tqoi_align_unit_shares(const tqo_align_result *r, int i, double *v)
{
    int a = r->unit_start[i], e = r->unit_start[i + 1];
    int m = 0, big = -1;
    double sum = 0;
    for (int k = a; k < e; k++) {
        v[k - a] = 0;
        if (r->share[k] > 0) {
            m++;
            sum += r->share[k];
            if (big < 0 || r->share[k] > r->share[big])
                big = k;
        }
    }
    if (m == 1) {
        v[big - a] = 1;
        return 1;
    }
    if (m == 0)
        return 0;
    double rest = 0;
    for (int k = a; k < e; k++) {
        v[k - a] = r->share[k] > 0 ? r->share[k] / sum : 0;
        if (k != big)
            rest += v[k - a];
    }
    v[big - a] = 1 - rest;
    /* a reader adding the written shares in order must get exactly 1 */
    for (int tries = 0; tries < 64; tries++) {
        double acc = 0;
        for (int k = a; k < e; k++)
            if (r->share[k] > 0)
                acc += v[k - a];
        if (acc == 1)
            break;
        v[big - a] = nextafter(v[big - a], acc > 1 ? 0.0 : 2.0);
    }
    return m;
}

/* Scratch of one conversion. */
typedef struct conv {
    int *rank;      /* per result territory: order of first appearance, -1 unused */
    int *by_rank;   /* result territory of each rank */
    int *pos;       /* per rank: position in id order */
    double *v;      /* one unit's shares */
    int n_used;
} conv;

static void conv_free(conv *C)
{
    free(C->rank);
    free(C->by_rank);
    free(C->pos);
    free(C->v);
}

static _Thread_local char *const *sort_ids;
static int by_id(const void *x, const void *y)
{
    return strcmp(sort_ids[*(const int *)x], sort_ids[*(const int *)y]);
}

/* Checks the result's shape and ranks its territories by first use over
   the units in order, as rows of assignment.csv would introduce them. */
static tqo_status rank_territories(const tqo_align_result *r, conv *C, tqo_diag *d)
{
    int n = r->n_units, p = r->n_territories, maxdeg = 1;
    if (n < 1 || p < 1 || !r->unit_start || !r->terr || !r->share || !r->territory_id || r->unit_start[0] != 0) {
        tqo_diag_error(d, "alignment result: no assignment of units to territories");
        return TQO_ERR_ARG;
    }
    for (int i = 0; i < n; i++)
        if (r->unit_start[i + 1] - r->unit_start[i] > maxdeg)
            maxdeg = r->unit_start[i + 1] - r->unit_start[i];
    C->rank = malloc((size_t)p * sizeof *C->rank);
    C->by_rank = malloc((size_t)p * sizeof *C->by_rank);
    C->pos = malloc((size_t)p * sizeof *C->pos);
    C->v = malloc((size_t)maxdeg * sizeof *C->v);
    if (!C->rank || !C->by_rank || !C->pos || !C->v)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++)
        C->rank[j] = -1;
    for (int i = 0; i < n; i++)
        for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++) {
            int t = r->terr[k];
            if (t < 0 || t >= p || !r->territory_id[t]) {
                tqo_diag_error(d, "alignment result: unit %d has territory index %d of %d", i, t, p);
                return TQO_ERR_ARG;
            }
            if (r->share[k] > 0 && C->rank[t] < 0) {
                C->rank[t] = C->n_used;
                C->by_rank[C->n_used++] = t;
            }
        }
    /* ranks in id order, as tqo_assignment_load sorts its territories */
    int *ord = malloc((size_t)C->n_used * sizeof *ord + 1);
    if (!ord)
        return TQO_ERR_NOMEM;
    for (int q = 0; q < C->n_used; q++)
        ord[q] = C->by_rank[q];
    sort_ids = r->territory_id;
    qsort(ord, (size_t)C->n_used, sizeof *ord, by_id);
    for (int q = 0; q < C->n_used; q++)
        C->pos[C->rank[ord[q]]] = q;
    free(ord);
    return TQO_OK;
}

/* Unit i's positive entries into a from index k, in order of territory
   rank, divided by their sum in that order (as the loader does). */
static tqo_status put_unit(const tqo_align_result *r, conv *C, int i, tqo_assignment *a, int *k, tqo_diag *d)
{
    int s = r->unit_start[i], e = r->unit_start[i + 1], k0 = *k;
    if (tqoi_align_unit_shares(r, i, C->v) == 0) {
        tqo_diag_error(d, "alignment result: unit %d is not assigned", i);
        return TQO_ERR_ARG;
    }
    for (int q = s; q < e; q++) {
        if (!(r->share[q] > 0))
            continue;
        int rk = C->rank[r->terr[q]], w = *k;
        /* insertion by rank: a unit has few entries */
        while (w > k0 && a->terr[w - 1] > rk) {
            a->terr[w] = a->terr[w - 1];
            a->share[w] = a->share[w - 1];
            w--;
        }
        if (w > k0 && a->terr[w - 1] == rk) {
            tqo_diag_error(d, "alignment result: unit %d is assigned to '%s' twice", i, r->territory_id[r->terr[q]]);
            return TQO_ERR_ARG;
        }
        a->terr[w] = rk;
        a->share[w] = C->v[q - s];
        (*k)++;
    }
    double sum = 0;
    for (int q = k0; q < *k; q++)
        sum += a->share[q];
    for (int q = k0; q < *k; q++) {
        a->share[q] /= sum;
        a->terr[q] = C->pos[a->terr[q]];
    }
    return TQO_OK;
}

tqo_status tqo_align_assignment(const tqo_align_result *r, tqo_assignment *a, tqo_diag *d)
{
    if (!a)
        return TQO_ERR_ARG;
    memset(a, 0, sizeof *a);
    if (!r) {
        tqo_diag_error(d, "alignment result: none given");
        return TQO_ERR_ARG;
    }
    conv C;
    memset(&C, 0, sizeof C);
    tqo_status st = rank_territories(r, &C, d);
    int n = r->n_units, nnz = st == TQO_OK ? r->unit_start[n] : 0;
    if (st == TQO_OK) {
        a->n_units = n;
        a->n_territories = C.n_used;
        a->territory_id = calloc((size_t)C.n_used + 1, sizeof *a->territory_id);
        a->unit_start = malloc(((size_t)n + 1) * sizeof *a->unit_start);
        a->terr = malloc(((size_t)nnz + 1) * sizeof *a->terr);
        a->share = malloc(((size_t)nnz + 1) * sizeof *a->share);
        if (!a->territory_id || !a->unit_start || !a->terr || !a->share)
            st = TQO_ERR_NOMEM;
    }
    for (int q = 0; st == TQO_OK && q < C.n_used; q++)
        if (!(a->territory_id[C.pos[q]] = strdup(r->territory_id[C.by_rank[q]])))
            st = TQO_ERR_NOMEM;
    int k = 0;
    for (int i = 0; st == TQO_OK && i < n; i++) {
        a->unit_start[i] = k;
        st = put_unit(r, &C, i, a, &k, d);
    }
    if (st == TQO_OK)
        a->unit_start[n] = k;
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(d, "alignment result: out of memory");
    conv_free(&C);
    if (st != TQO_OK)
        tqo_assignment_free(a);
    return st;
}
