/*
 * The quota LP (internal): territory quotas q_j >= 0 that add up to the
 * company target, stay within growth bounds and region targets, and lie
 * as close as possible to each territory's fair share f_j:
 *
 *   min  sum_j |q_j - f_j| / f_j          (fairness "sum", the default)
 *   min  max_j |q_j - f_j| / f_j          (fairness "minimax")
 *   s.t. sum_j q_j = total
 *        lb_j <= q_j <= ub_j              (growth floors and caps)
 *        sum_{j in region r} q_j = R_r    (region targets, when given)
 */
#ifndef TQO_QUOTA_LP_H
#define TQO_QUOTA_LP_H

#include "tqo.h"

typedef struct quota_lp_in {
    int p;
    const double *fair;        /* fair share per territory (>= 0) */
    const double *lb, *ub;     /* bounds per territory; NULL or NAN: none */
    const char *const *name;   /* territory ids, for messages (may be NULL) */
    double total;              /* the quotas add up to this */
    const int *region;         /* region index per territory or -1; NULL: none */
    int n_regions;
    const double *region_target; /* per region; NAN: no target */
    const char *const *region_name;
    int minimax;
    int use_simplex;           /* 1: GLPK even where the direct method applies (tests) */
} quota_lp_in;

typedef struct quota_lp_out {
    double *q;                 /* p quotas (caller frees) */
    char *bound;               /* p: 'l' at its floor, 'u' at its cap, 0 */
    double objective;          /* in the objective's own units (fractions) */
    char status[32];
} quota_lp_out;

/* Explains infeasible combinations before solving (floors above the
   target, caps below it, a region its bounds cannot reach), naming the
   figures; TQO_ERR_INFEASIBLE then. */
tqo_status tqoi_quota_lp_solve(const quota_lp_in *in, quota_lp_out *out, tqo_diag *diag);
void tqoi_quota_lp_out_free(quota_lp_out *out);

/* Rounds amounts to cents so that they add up exactly to total (largest
   remainder; ties by index). */
void tqoi_quota_round_cents(double *v, int n, double total);
/* Rounds quotas to cents that add up exactly to total and keep every bound:
   a quota at its floor lb (or cap ub; NULL or NAN: none) is rounded towards
   the inside, and the cents left over go by largest remainder to quotas
   with room. Only when no such cents exist does the total win over a bound:
   returns the number of quotas then outside a bound (by less than a cent);
   -1 when out of memory (v unrounded). */
int tqoi_quota_round_cents_bounded(double *v, int n, double total, const double *lb, const double *ub);

#endif
