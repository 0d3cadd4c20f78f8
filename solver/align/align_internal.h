/*
 * Territory alignment, internal: the context shared by the steps of
 * tqo_align (setup and checks, centres, splits, contiguity, local search).
 */
#ifndef TQO_ALIGN_INTERNAL_H
#define TQO_ALIGN_INTERNAL_H

#include "alloc/alloc.h"
#include "tqo.h"

typedef struct align_ctx {
    const tqo_instance *inst;
    const tqo_align_settings *s;
    tqo_diag *diag;
    int n, p, nb;
    int meas[TQO_MAX_BALANCE];      /* balanced measures */
    int wmeas;                      /* weight measure */
    const double *a[TQO_MAX_BALANCE];
    const double *w;
    double total[TQO_MAX_BALANCE];
    double *target, *lo, *hi;       /* p*nb */
    double *cx, *cy;                /* centres */
    char *fixed_centre;             /* 1: a rep home base */
    int n_fixed;
    const int *current;             /* instance's current (same territory
                                       indices) or NULL */
    const int *lock;
    double max_move;                /* absolute, < 0: none */
    char **territory_id;            /* owned */
    /* the unit graph, when contiguity is enforced */
    int contiguity;
    const int *adj_start, *adj;
    int *comp;                      /* graph component per unit */
    int n_comp;
    int *comp_size;
    alloc_problem P;
    double *prices;                 /* p*nb + 1, warm start across solves */
    int region;                     /* 1: a region of align_regions.c */
    struct align_layouts *layouts;  /* non-NULL: the other centre starts
                                       are kept there (align_centres.c) */
} align_ctx;

/* The centres of the centre starts other than the best (free centres,
   the min-max objectives: each a different layout of the territories,
   which the improvement search can take as its start), in start order. */
typedef struct align_layouts {
    int n;
    int *start;                     /* each one's start, from 0 */
    double *x, *y, *prices;         /* n x p, n x p, n x (p*nb + 1) */
} align_layouts;
void tqoi_align_layouts_free(align_layouts *L);

/* tqoi_align_setup.c */
tqo_status tqoi_align_setup(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s, tqo_diag *diag);
void tqoi_align_ctx_free(align_ctx *c);
/* Refreshes c->P after the centres changed. */
void tqoi_align_bind_problem(align_ctx *c);
/* Checks before any solve: oversize units, overfull locks. */
tqo_status tqoi_align_precheck(align_ctx *c);
/* A unit's display name: "Roma (058091)" or "058091". */
const char *tqoi_align_unit_name(const align_ctx *c, int i, char *buf, size_t size);

/* align_centres.c: chooses free centres (multiple starts), leaving the
   best in c->cx/cy. Fixed centres are left where they are. */
tqo_status tqoi_align_choose_centres(align_ctx *c, int *iterations);
/* Moves free centres to the weighted centroids of whole-unit territories;
   returns the largest move in km. */
double tqoi_align_refit_centres(align_ctx *c, const int *asg);
/* The uncapped search of free centres on c alone (the starts, no regions),
   leaving the best centres in c->cx/cy and their prices in c->prices;
   *obj is their LP value. */
tqo_status tqoi_align_search_free(align_ctx *c, int *iterations, double *obj);
/* Moves free centres to the weighted centroids of a (fractional)
   allocation; returns the largest move in km. */
double tqoi_align_relocate_shares(align_ctx *c, const alloc_solution *x);
/* align_warm.c: after k-means, when a cluster holds at least two
   territories' worth of the first balanced measure, a few rounds of a
   greedy balanced transport and centroid moves; returns the rounds done,
   -1 when out of memory. */
int tqoi_align_warm_centres(align_ctx *c, const int *asg);
/* A point as a vector: on the unit sphere for lat/lon, (x, y, 0) in the
   plane. Euclidean distance between such vectors orders centres as the
   allocation's distance does (the chord grows with the arc) and obeys the
   triangle inequality that the bounds of lloyd() need. */
void tqoi_align_point3(const align_ctx *c, double x, double y, double *v);

/* align_twins.c: home bases at one point, spread on a small spiral for
   the solve (ties make the allocation LP crawl) and put back before the
   check, the bound lowered by the most the spread changes a unit's cost. */
typedef struct align_twins {
    int n, groups, first, second; /* bases moved, points shared; an example */
    double *x, *y;                /* the true centres (p) */
    int *moved;                   /* the n territories spread */
} align_twins;
/* Returns the bases spread (0: none, nothing to undo), -1 out of memory. */
int tqoi_align_twins_spread(align_ctx *c, align_twins *t);
void tqoi_align_twins_restore(align_ctx *c, align_twins *t, tqo_align_result *res);
void tqoi_align_twins_free(align_twins *t);

/* align_regions.c: whether the free centres are placed by regions (many
   balance rows; no home bases, locks, current plan or cap), and the
   regions' centres for the whole problem (*obj: the sum of the regions'
   LP values). */
int tqoi_align_regions_apply(const align_ctx *c);
tqo_status tqoi_align_region_centres(align_ctx *c, double *cx, double *cy, double *obj, int *iterations);

/* align_zero.c: moves each unit of zero compactness weight (free to go
   anywhere at no cost) to the nearest territory it may join where balance,
   contiguity, locks, caps and the move cap still hold, without raising the
   objective; islands of such units as one. Returns the units moved. */
int tqoi_align_place_zero_weight(align_ctx *c, int *asg);

/* align_local.c: integer assignments. */
/* Makes split LP units whole: a small MIP over them and their
   neighbourhood, else rounding. Fills asg (territory per unit). */
tqo_status tqoi_align_resolve_splits(align_ctx *c, const alloc_solution *x, int *asg, char *how, size_t howsize);
/* Reassigns stray pieces of territories so each is connected, except
   whole graph components (islands). */
tqo_status tqoi_align_repair_contiguity(align_ctx *c, int *asg);
/* Boundary moves: first restore balance, then improve compactness,
   keeping balance, contiguity, locks and the move cap. */
tqo_status tqoi_align_local_search(align_ctx *c, int *asg, double time_limit);
/* The support LP over the boundary units of asg (balanced or not), made
   whole, repaired and searched; asg is replaced (*improved = 1) when the
   result is balanced and within the move cap, and better, or asg was
   not balanced. */
tqo_status tqoi_align_support_lp(align_ctx *c, int *asg, int *improved);
/* Whether every territory is connected but for whole islands; the
   exceptions found are appended to *ex (may be NULL to only count). */
int tqoi_align_contiguity_exceptions(const align_ctx *c, const int *asg, tqo_exception **ex, int *n_ex, int *n_bad);

/* align_repair.c: a node-bounded MIP over the moved units and those
   nearest to a tie, the rest fixed, meeting balance and the move cap;
   replaces asg and returns 1 when it found such a plan (contiguity is
   not modelled: the caller checks it). */
int tqoi_align_repair_mip(align_ctx *c, int *asg);

/* align_bound.c: raises *lower_bound (the LP's at the current centres)
   by branching on the largest units the LP there splits: every whole-unit
   plan puts each in one territory. Tried when x0 (an earlier LP solution)
   split a unit large enough. */
tqo_status tqoi_align_branch_bound(align_ctx *c, const alloc_solution *x0, double *lower_bound);

/* tqoi_align_check.c: the one independent check of the result's plan. Fills
   every reported figure (totals, deviations, objective, moves, splits,
   exceptions, gap, status, violated constraints) from r's rows; with say,
   each broken constraint is also an error in c->diag naming it. Returns
   TQO_ERR_INFEASIBLE when the plan breaks a constraint. */
tqo_status tqoi_align_check(const align_ctx *c, tqo_align_result *r, int say);

/* align_local.c: a (key, value) pair ordered by key, then value (for
   qsort and the heaps of the local search and the repair MIP). */
typedef struct align_kv {
    double k;
    int v;
} align_kv;
int tqoi_align_kv_cmp(const void *a, const void *b);
/* The reduced cost of unit i in territory j at the LP's prices (balance
   rows, and the move cap's row when there is one). */
double tqoi_align_reduced(const align_ctx *c, int i, int j);
/* The two cheapest reduced costs of unit i over the territories. */
void tqoi_align_two_cheapest(const align_ctx *c, int i, double *b1, double *b2);
/* The territories unit i may join, cheapest reduced cost first, into row;
   returns how many. */
int tqoi_align_ranked_territories(const align_ctx *c, int i, align_kv *row);

double tqoi_align_now(void);

#endif
