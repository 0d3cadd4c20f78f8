/*
 * A k-d tree over the centres for exact pricing: each node's bounding box
 * and the lowest and highest price of each measure below it, so that a
 * unit's search skips whole groups of centres whose distance and prices
 * together cannot beat the best reduced cost found (the 1-D scan's bound
 * uses the prices of all territories, weak when they differ much, as over
 * the whole world). Internal to alloc.
 */
#ifndef TQO_ALLOC_CTREE_H
#define TQO_ALLOC_CTREE_H

#include "tqo.h"

typedef struct alloc_ctree_node {
    double lo[3], hi[3];
    int left, right;  /* children, -1 at a leaf */
    int first, count; /* the leaf's centres: idx[first .. first + count) */
} alloc_ctree_node;

typedef struct alloc_ctree {
    int nn, nb;
    alloc_ctree_node *node; /* node 0 is the root; children follow parents */
    int *idx;
    double *pmin, *pmax;    /* [node * nb + b] */
} alloc_ctree;

/* Over p points pts[3 j .. 3 j + 2] (the third 0 in the plane). */
tqo_status tqoi_alloc_ctree_build(alloc_ctree *T, const double *pts, int p, int nb);
/* The nodes' price ranges from prices pi[j * nb + b]. */
void tqoi_alloc_ctree_prices(alloc_ctree *T, const double *pi);
/* Squared distance from q to node k's box. */
double tqoi_alloc_ctree_box_d2(const alloc_ctree *T, int k, const double *q);
void tqoi_alloc_ctree_free(alloc_ctree *T);

#endif
