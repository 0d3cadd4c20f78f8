/*
 * The allocation model in GLPK, shared by alloc_model.c (export, subset
 * MIP) and alloc_exact.c (exact MIP). Internal to the library.
 */
#ifndef TQO_ALLOC_GLPK_H
#define TQO_ALLOC_GLPK_H

#include <glpk.h>

#include "alloc/alloc.h"
#include "util/glpk_guard.h"

/*
 * A model with its column map. Columns are grouped by unit: unit i owns
 * GLPK columns unit_start[i]+1 .. unit_start[i+1] (none for a fixed unit),
 * column c+1 is the pair (col_unit[c], col_terr[c]).
 */
typedef struct alloc_glpk_model {
    glp_prob *lp;
    int n_cols;
    int *unit_start;   /* n + 1 */
    int *col_unit, *col_terr;
    int n_rows;
    int move_row;      /* GLPK row of the move cap, 0 when there is none */
    double scale;      /* objective coefficients are c_ij / scale */
} alloc_glpk_model;

/*
 * Builds the model. integer: binary columns (else x >= 0). scaled: divide
 * the costs by their mean positive value (solve paths; exports use the
 * true costs so other solvers report comparable objectives). fixed (may
 * be NULL): units with fixed[i] >= 0 get no columns, and their measures
 * (and moves) shift the row bounds. cand_start/cand (may be NULL): the
 * territories a free unit may take, intersected with tqoi_alloc_allowed.
 * Returns TQO_ERR_NOMEM, TQO_ERR_ARG (bad candidate or fixed index) or
 * TQO_ERR_SOLVER (GLPK failed; message in diag); m->lp is NULL then.
 */
tqo_status tqoi_alloc_glpk_build(const alloc_problem *P, int integer, int scaled, const int *fixed,
                            const int *cand_start, const int *cand, alloc_glpk_model *m,
                            tqo_diag *diag);

/* Frees the map and deletes the problem unless keep_lp (e.g. after a
   guarded failure, when GLPK has already freed it). */
void tqoi_alloc_glpk_model_free(alloc_glpk_model *m, int keep_lp);

/* The column of pair (i, j), or 0. */
int tqoi_alloc_glpk_col(const alloc_glpk_model *m, int i, int j);

/*
 * tqoi_alloc_solve_exact with a start assignment (territory per unit, may be
 * NULL), e.g. the heuristic result: used when feasible (and contiguous
 * when adjacency is given), so a time-limited run returns at least it,
 * with a bound. (Meant for alloc.h; tqoi_alloc_solve_exact calls it with NULL.)
 */
tqo_status tqoi_alloc_solve_exact_start(const alloc_problem *P, const int *adj_start, const int *adj,
                                   double time_limit, const int *start, alloc_solution *x, double *gap,
                                   tqo_diag *diag);

/* Seconds on a monotonic clock. */
double tqoi_alloc_glpk_now(void);

/* GLPK's tm_lim in ms for a limit in seconds (<= 0: none). */
int tqoi_alloc_glpk_tm_lim(double seconds);

#endif
