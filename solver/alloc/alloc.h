/*
 * The allocation problem of territory alignment, for given centres:
 *
 *   min  sum_ij c_ij x_ij
 *   s.t. sum_j x_ij = 1                      every unit i
 *        lo_jb <= sum_i a_bi x_ij <= hi_jb   every territory j, balanced measure b
 *        sum_i sum_{j != cur_i} a_0i x_ij <= max_move   (when max_move >= 0)
 *        x_ij >= 0, x_ij = 0 where forbidden (locks, --max-distance)
 *
 * with c_ij = w_i d(i, j)^2 + W a_0i [j != cur_i]. Internal to the library.
 */
#ifndef TQO_ALLOC_H
#define TQO_ALLOC_H

#include "tqo.h"

typedef struct alloc_problem {
    int n, p, nb;
    const double *const *a;   /* a[b][i], b < nb */
    const double *w;          /* compactness weight per unit */
    const double *lo, *hi;    /* [j*nb + b] */
    tqo_coords coords;
    const double *ux, *uy;    /* unit coordinates */
    const double *cx, *cy;    /* centres */
    const int *lock;          /* territory per unit or -1; NULL: none */
    const int *current;       /* territory per unit or -1; NULL: none */
    double disruption_weight; /* W */
    double max_move;          /* absolute amount of a[0]; < 0: no cap */
    double max_distance;      /* km; 0: none */
    int threads;              /* for the O(n p) pricing pass; results do not
                                 depend on it */
    int cold_ascent;          /* 1: a problem solved whole without prices
                                 starts from coordinate ascent at zero
                                 prices (fewer columns far from balance) */
    const char *const *unit_id;      /* for messages and model names */
    const char *const *territory_id;
} alloc_problem;

/* d(i, j)^2 in km^2 and the cost c_ij; INFINITY when x_ij is forbidden. */
double tqoi_alloc_dist2(const alloc_problem *P, int i, int j);
double tqoi_alloc_cost(const alloc_problem *P, int i, int j);
int tqoi_alloc_allowed(const alloc_problem *P, int i, int j);

/* A (possibly fractional) solution: x in compressed rows as tqo_align_result. */
typedef struct alloc_solution {
    int n;
    int *start;     /* n + 1 */
    int *terr;
    double *share;
    double objective;
    double lower_bound;   /* valid for the full model */
    int rounds;           /* pricing rounds */
    char status[32];
} alloc_solution;

void tqoi_alloc_solution_free(alloc_solution *x);

/*
 * A coarser copy of P: units close together (a k-d tree's leaves of about
 * n / target units) with the same current territory and lock merged into
 * one at their weighted centroid, carrying their summed measures and
 * weight. For squared distance the merged cost differs from the sum of its
 * units' costs by a constant that does not depend on the territory, so
 * its LP is nearly the fine one. C->P is the coarse problem (centres are
 * P's).
 */
typedef struct alloc_coarse {
    alloc_problem P;
    double *a_store, *w, *x, *y, *lo_unused;
    const double *a[TQO_MAX_BALANCE];
    int *cur, *lock;
} alloc_coarse;

tqo_status tqoi_alloc_build_coarse(const alloc_problem *P, int target, alloc_coarse *C);
void tqoi_alloc_coarse_free(alloc_coarse *C);

/*
 * Solves the LP relaxation to optimality over the full model (sparse
 * candidates, priced until no column can improve it), returning a basic
 * solution and a proven lower bound. prices (p*nb, may be NULL) warm-starts
 * it and receives the final balance-row duals.
 */
tqo_status tqoi_alloc_solve_lp(const alloc_problem *P, int candidates, double *prices, alloc_solution *x,
                          tqo_log_fn log, void *log_ctx, tqo_diag *diag);

/* The whole model in GLPK (all allowed pairs), binary when integer=1:
   for --exact, --write-lp and --write-mps. Returns a glp_prob* (NULL when
   out of memory or when GLPK failed). Rows and columns carry names built
   from unit and territory ids so exported models are readable. */
void *tqoi_alloc_build_glpk(const alloc_problem *P, int integer);

/* Writes the whole model (integer=0: LP relaxation; 1: MIP) to path in
   CPLEX LP (mps=0) or free MPS (mps=1) format. */
tqo_status tqoi_alloc_write_model(const alloc_problem *P, int integer, int mps, const char *path, tqo_diag *diag);

/*
 * Exact MIP over the whole model with GLPK's branch and cut, within
 * time_limit seconds (0: none). With adj_start/adj (the unit graph, may be
 * NULL) every territory is kept connected by lazily added cuts, except that
 * a territory may hold whole graph components. x receives the best
 * integer solution, *gap its relative gap to GLPK's bound (0 when proven
 * optimal), and x->lower_bound that bound.
 */
tqo_status tqoi_alloc_solve_exact(const alloc_problem *P, const int *adj_start, const int *adj, double time_limit,
                             alloc_solution *x, double *gap, tqo_diag *diag);
/* The same from a start assignment (territory per unit, may be NULL; used
   when it meets every constraint), also bounded by node_limit
   branch-and-cut subproblems (0: none), which unlike the clock gives the
   same result on any machine: at either limit the best plan found is
   returned (TQO_OK, status "time limit"), or TQO_ERR_LIMIT when there is
   none; TQO_ERR_INFEASIBLE when GLPK proved that no plan exists. */
tqo_status tqoi_alloc_solve_exact_limited(const alloc_problem *P, const int *adj_start, const int *adj,
                                     double time_limit, int node_limit, const int *start, alloc_solution *x,
                                     double *gap, tqo_diag *diag);

/*
 * A MIP over a part of the units: units with fixed[i] >= 0 stay in that
 * territory (their measures count in the balance rows); the others choose
 * among the territories in their candidate lists cand[cand_start[i] ..
 * cand_start[i+1]) (all allowed territories when cand is NULL). Used to
 * make split LP units whole. out[i] receives each unit's territory.
 * time_limit (seconds, 0: none) and node_limit (branch-and-cut subproblems,
 * 0: none) bound the search; a node limit keeps the result independent of
 * the machine's load. Returns TQO_ERR_INFEASIBLE when no such assignment
 * meets the bounds, and TQO_ERR_LIMIT when a limit came before any was found.
 */
tqo_status tqoi_alloc_solve_subset_mip(const alloc_problem *P, const int *fixed, const int *cand_start,
                                  const int *cand, double time_limit, int node_limit, int *out, double *objective,
                                  tqo_diag *diag);

/* The allocation LP over the units with fixed[i] < 0 (candidates as for
   the subset MIP), started from the assignment asg (territory per unit,
   fixed units where asg has them), where a unit takes territory j only as
   far as neighbours in the unit graph that asg puts in j hold it (fixed
   ones: wholly; free ones: by their shares of j); for j = asg[i] only
   neighbours of smaller depth count (depth: per unit, e.g. the distance
   to the fixed part of its territory). x gets the (fractional) solution;
   its lower_bound is not one for the full model. */
tqo_status tqoi_alloc_solve_support_lp(const alloc_problem *P, const int *adj_start, const int *adj, const int *asg,
                                  const int *depth, const int *fixed, const int *cand_start, const int *cand,
                                  alloc_solution *x, tqo_diag *diag);

#endif
