/*
 * The centres' k-d tree of exact pricing (alloc_ctree.h): median splits
 * on the widest side of the box, ties by index, so the tree (and every
 * search in it) is the same on any machine.
 */
#include "alloc/alloc_ctree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CTREE_LEAF 8

typedef struct ck {
    double k;
    int v;
} ck;

static int ck_cmp(const void *a, const void *b)
{
    const ck *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

/* Builds the node over idx[first .. first + count); returns its index. */
static int build(alloc_ctree *T, const double *pts, ck *buf, int first, int count)
{
    int k = T->nn++;
    alloc_ctree_node *N = &T->node[k];
    for (int d = 0; d < 3; d++) {
        N->lo[d] = INFINITY;
        N->hi[d] = -INFINITY;
    }
    for (int q = first; q < first + count; q++)
        for (int d = 0; d < 3; d++) {
            N->lo[d] = fmin(N->lo[d], pts[3 * (size_t)T->idx[q] + d]);
            N->hi[d] = fmax(N->hi[d], pts[3 * (size_t)T->idx[q] + d]);
        }
    N->first = first;
    N->count = count;
    N->left = N->right = -1;
    if (count <= CTREE_LEAF)
        return k;
    int dim = 0;
    for (int d = 1; d < 3; d++)
        if (N->hi[d] - N->lo[d] > N->hi[dim] - N->lo[dim])
            dim = d;
    for (int q = 0; q < count; q++) {
        buf[q].v = T->idx[first + q];
        buf[q].k = pts[3 * (size_t)buf[q].v + dim];
    }
    qsort(buf, (size_t)count, sizeof *buf, ck_cmp);
    for (int q = 0; q < count; q++)
        T->idx[first + q] = buf[q].v;
    int half = count / 2;
    int l = build(T, pts, buf, first, half);
    int r = build(T, pts, buf, first + half, count - half);
    T->node[k].left = l; /* (the array never grows: N stays valid too) */
    T->node[k].right = r;
    return k;
}

tqo_status tqoi_alloc_ctree_build(alloc_ctree *T, const double *pts, int p, int nb)
{
    memset(T, 0, sizeof *T);
    T->nb = nb;
    int cap = 2 * p + 1;
    T->node = malloc((size_t)cap * sizeof *T->node);
    T->idx = malloc((size_t)(p > 0 ? p : 1) * sizeof(int));
    T->pmin = malloc((size_t)cap * (nb > 0 ? nb : 1) * sizeof(double));
    T->pmax = malloc((size_t)cap * (nb > 0 ? nb : 1) * sizeof(double));
    ck *buf = malloc((size_t)(p > 0 ? p : 1) * sizeof *buf);
    if (!T->node || !T->idx || !T->pmin || !T->pmax || !buf) {
        free(buf);
        tqoi_alloc_ctree_free(T);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++)
        T->idx[j] = j;
    if (p > 0)
        build(T, pts, buf, 0, p);
    free(buf);
    return TQO_OK;
}

void tqoi_alloc_ctree_prices(alloc_ctree *T, const double *pi)
{
    int nb = T->nb;
    /* children come after their parent: backwards, they are done first */
    for (int k = T->nn - 1; k >= 0; k--) {
        const alloc_ctree_node *N = &T->node[k];
        double *mn = T->pmin + (size_t)k * nb, *mx = T->pmax + (size_t)k * nb;
        for (int b = 0; b < nb; b++) {
            mn[b] = INFINITY;
            mx[b] = -INFINITY;
        }
        if (N->left < 0) {
            for (int q = N->first; q < N->first + N->count; q++)
                for (int b = 0; b < nb; b++) {
                    mn[b] = fmin(mn[b], pi[(size_t)T->idx[q] * nb + b]);
                    mx[b] = fmax(mx[b], pi[(size_t)T->idx[q] * nb + b]);
                }
            continue;
        }
        for (int c = 0; c < 2; c++) {
            int ch = c ? N->right : N->left;
            for (int b = 0; b < nb; b++) {
                mn[b] = fmin(mn[b], T->pmin[(size_t)ch * nb + b]);
                mx[b] = fmax(mx[b], T->pmax[(size_t)ch * nb + b]);
            }
        }
    }
}

double tqoi_alloc_ctree_box_d2(const alloc_ctree *T, int k, const double *q)
{
    const alloc_ctree_node *N = &T->node[k];
    double s = 0;
    for (int d = 0; d < 3; d++) {
        double e = q[d] < N->lo[d] ? N->lo[d] - q[d] : q[d] > N->hi[d] ? q[d] - N->hi[d] : 0;
        s += e * e;
    }
    return s;
}

void tqoi_alloc_ctree_free(alloc_ctree *T)
{
    free(T->node);
    free(T->idx);
    free(T->pmin);
    free(T->pmax);
    memset(T, 0, sizeof *T);
}
