/*
 * The min-max objectives of the districting literature (internal; see
 * docs/objectives.md): the largest district diameter (--objective
 * diameter) and the largest distance from a unit to its district's centre
 * unit (--objective center). Distances are Euclidean on planar (x,y)
 * instances and great-circle km (tqo_distance's) on lat/lon ones.
 */
#ifndef TQO_OBJECTIVE_CORE_H
#define TQO_OBJECTIVE_CORE_H

#include "align/align_internal.h"
#include "util/json_writer.h"

/* Points of one instance, for distances between units. */
typedef struct obj_geom {
    int n;
    int latlon;                 /* 1: great-circle (unit vectors below) */
    const double *x, *y;        /* planar coordinates */
    double *ux, *uy, *uz;       /* lat/lon: unit vectors (owned) */
    long evals;                 /* distance evaluations (a work count) */
} obj_geom;

/* objective_geom.c */
tqo_status tqoi_obj_geom_init(obj_geom *g, const tqo_instance *inst);
void tqoi_obj_geom_free(obj_geom *g);
/* The distance between units i and j (km or planar units). */
double tqoi_obj_dist(obj_geom *g, int i, int j);
/* Scratch for tqoi_obj_set_value over sets of up to m units. */
typedef struct obj_scratch {
    int cap;
    double *px, *py;            /* planar coordinates of the set */
    void *hull;                 /* hull work (district_diameter.c) */
    align_kv *kv;               /* (key, unit) to order a set */
} obj_scratch;
void tqoi_obj_scratch_free(obj_scratch *w);
/*
 * The objective's value of the m units set[]: the diameter (obj =
 * TQO_OBJECTIVE_DIAMETER; hull and calipers on planar points, all pairs on
 * the sphere) or the radius about the best centre unit (center; *centre,
 * may be NULL, receives it: on ties the one of smallest index). 0 for
 * fewer than 2 units; -1 when out of memory.
 */
double tqoi_obj_set_value(obj_geom *g, int obj, const int *set, int m, obj_scratch *w, int *centre);
/* Per territory (each unit's main one) into val[p] and centre[p] (may be
   NULL); returns the largest, -1 when out of memory. */
double tqoi_obj_plan_value(obj_geom *g, int obj, const int *terr, int p, double *val, int *centre);

/* objective_search.c: settings that cannot go with these objectives. */
/* Per-district member lists for the searches: unit u joins list j at the
   end (its index in pos[u]; -1 when out of memory) and leaves by taking the
   last member's place, both O(1). */
int tqoi_obj_member_add(int **list, int *size, int *cap, int *pos, int j, int u);
/* Whether unit w touches district j (asg) through a unit other than not. */
int tqoi_obj_touches(const align_ctx *c, const int *asg, int w, int j, int not);
void tqoi_obj_member_remove(int **list, int *size, int *pos, int j, int u);
/* Every unit into its district's list by asg, each district's load of the
   balanced measures (load[j*nb+b], zeroed by the caller) and the amount of
   measure 0 moved off the current plan into *moved; -1 when out of memory. */
int tqoi_obj_members_fill(const align_ctx *c, const int *asg, int nb, int **list, int *size, int *cap, int *pos,
                          double *load, double *moved);

tqo_status tqoi_objective_precheck(align_ctx *c);
/* The improvement search from the whole-unit plan asg and the nalt plans
   alts (other starts; all balanced, within every constraint), counts into
   r->minmax_*: the plan it ends with (every constraint kept, the
   objective no higher than its start's) into asg, and which start that
   was into *win (0: asg's own, l: alts[l - 1]). */
tqo_status tqoi_objective_improve(align_ctx *c, int *asg, int *const *alts, int nalt, int *win,
                                  tqo_align_result *r);
/* objective_tabu.c: the tabu search of the diameter and the center (with
   contiguity), same contract as tqoi_objective_improve. */
tqo_status tqoi_objective_tabu(align_ctx *c, int *asg, int *const *alts, int nalt, int *win, tqo_align_result *r);

/* objective_bounds.c: the lower bounds (ball, dispersion; with the exact
   MIP's already in r), the best of them and the gap, into r. */
void tqoi_objective_bounds(const align_ctx *c, tqo_align_result *r);

/* objective_exact.c: the whole problem as one MIP in GLPK (--exact);
   asg receives the best plan, r->minmax_bound_exact the MIP's bound and
   r->mip_status its status. TQO_ERR_LIMIT when no plan was found. */
tqo_status tqoi_objective_exact(align_ctx *c, int *asg, tqo_align_result *r);

/* objective_search.c: the check's part (align_check.c): the plan's value
   per territory into r (whole units by their main territory). */
tqo_status tqoi_objective_check(const align_ctx *c, tqo_align_result *r);

/* objective_report.c: the "diameter" or "center" object of summary.json. */
void tqoi_objective_json(jw *w, const tqo_instance *inst, const tqo_align_result *r);

#endif
