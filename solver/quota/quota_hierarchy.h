/*
 * The quota hierarchy (internal): the company at the root, the levels of
 * territories.csv's level:NAME columns (or of a --hierarchy file, or its
 * region column as one level) below it, the territories as leaves.
 *
 * Node order: the root (0), the nodes above the territories in order of
 * first appearance (every parent before its children), then the p
 * territories in the assignment's order: node first_leaf + j is
 * territory j. Top-down passes run in index order, bottom-up in reverse.
 *
 * The quota LP over the tree (quota_hierarchy_lp.c), for every node n:
 *   sum_{c child of n} Q_c = (1 + oa_n / 100) Q_n     (over-assignment)
 *   lo_n <= Q_n <= hi_n                               (growth band, target)
 *   Q_root = the company target
 * minimising the weighted relative deviations from each node's goal: the
 * fair shares split top-down (the top-down plan), or the submitted
 * numbers (reconciliation, quota_reconcile.c).
 */
#ifndef TQO_QUOTA_HIERARCHY_H
#define TQO_QUOTA_HIERARCHY_H

#include "tqo.h"

#include <stdio.h>

typedef struct quota_hier {
    int n, p;                  /* nodes; territories (the last p nodes) */
    int first_leaf;            /* n - p */
    int n_levels;              /* levels between the root and the territories */
    char **id, **level;        /* owned */
    int *parent, *depth;       /* parent -1 at the root */
    int *child_start, *child;  /* children of n: child[child_start[n] .. child_start[n+1]) */
    long *line;                /* hierarchy file line that first named a node (0: none) */
    char *source;              /* the file named in messages, or "region column" */
} quota_hier;

/*
 * The tree of the p territories of a: from the file path (territory_id
 * and level:NAME columns, outermost first) when given, else from the
 * instance's territories.csv when it has level: columns, else one level
 * from region[j] (territories with "" hang from the root). Errors
 * "file:line: column 'level:x': ..." (TQO_ERR_INPUT).
 */
tqo_status tqoi_qh_build(const tqo_instance *inst, const tqo_assignment *a, const char *const *region,
                         const char *path, quota_hier *H, tqo_diag *diag);
void tqoi_qh_free(quota_hier *H);
/* Whether tqo_quota sets quotas over the hierarchy: a hierarchy, nodes or
   submissions file given, or level: columns in territories.csv. */
int tqoi_qh_wanted(const tqo_instance *inst, const tqo_quota_settings *s);

/* Node index of id, or -1 (linear: for messages and small lookups). */
int tqoi_qh_find(const quota_hier *H, const char *id);
/* The node just above territory j (for the forecasts: shrink a territory's
   growth toward its parent's); 0 (the root) without levels. */
int tqoi_qh_territory_parent(const quota_hier *H, int j);
/* The territories under node n (leaves of its subtree) into out (at least
   H->p entries); returns how many. */
int tqoi_qh_territories_under(const quota_hier *H, int n, int *out);

/* Per-node settings of nodes.csv (NAN: not given) and the submissions. */
typedef struct quota_node_spec {
    double *target, *min_growth, *max_growth, *over_assign, *submitted, *weight;
    long *line;                /* nodes.csv line (0: none) */
    const char *nodes_path;    /* for messages (NULL: no nodes file) */
} quota_node_spec;

/* Reads nodes.csv (path may be NULL) and the submissions (NULL: none) for
   the nodes of H: errors "file:line: column 'x': ...". */
tqo_status tqoi_qh_spec_load(const quota_hier *H, const char *nodes, const char *submissions, quota_node_spec *S,
                             tqo_diag *diag);
void tqoi_qh_spec_free(quota_node_spec *S);

/* What the LP needs per node, from the spec, the company's growth bounds
   for territories and the last year. */
typedef struct quota_tree {
    const quota_hier *H;
    double *last, *lo, *hi, *oa;  /* lo/hi: 0/INFINITY when free; oa in percent */
    double *fair;                 /* the fair shares split top-down */
    double company;               /* Q_root */
    int minimax;
} quota_tree;

/*
 * Bands (growth and targets) for every node and the conflicts between
 * them, named before any solving: "nodes.csv:LINE: node 'X': ..." with the
 * figures, TQO_ERR_INFEASIBLE. last: per territory; fair: per territory.
 */
tqo_status tqoi_qh_tree_init(const quota_hier *H, const quota_node_spec *S, const tqo_quota_settings *s,
                             const double *last, const double *fair, double company, quota_tree *T, tqo_diag *diag);
void tqoi_qh_tree_free(quota_tree *T);

/* One term of the objective: coef x |Q_node - goal| / max(goal, floor). */
typedef struct quota_term {
    int node;
    double goal, coef;
} quota_term;

/* Solves the tree LP (GLPK) for the terms, then rounds every node to cents
   top-down so that each node's children add up exactly (to the cent) to
   its quota x (1 + oa) and keep their bands. q: n quotas. */
typedef struct quota_tree_out {
    double objective;
    int iterations, rows, cols;
    char status[32];
} quota_tree_out;
tqo_status tqoi_qh_solve(const quota_tree *T, const quota_term *terms, int n_terms, double *q, quota_tree_out *o,
                         tqo_diag *diag);

/* The top-down plan then (with submissions) the reconciled one, into the
   result: r->quota, r->bound, r->total (territories), r->nodes. Called by
   tqo_quota after the one-level allocation, whose fair shares
   (r->fair_share) it splits down the tree; r->region, r->last_year and
   r->target are read. */
tqo_status tqoi_qh_plan(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                        tqo_quota_result *r, tqo_diag *diag);

/* Writes quotas_rollup.csv into the output set's open file. */
void tqoi_qh_write_rollup(FILE *fp, const tqo_quota_result *r);
/* Writes the vendor layout fmt (varicent, xactly, csv-long; see
   docs/format.md) of the period quotas, component naming the quota (the
   history value); 0, or -1 for an unknown format. */
int tqoi_quota_export(FILE *fp, const char *fmt, const char *component, const tqo_quota_result *r);
/* The file name of fmt's layout, or NULL for an unknown format. */
const char *tqoi_quota_export_name(const char *fmt);

#endif
