/*
 * The alignment result as a tqo_assignment (tqo_align_assignment in tqo.h)
 * and the exact shares of a split unit that assignment.csv writes. Internal.
 */
#ifndef TQO_ALIGN_ASSIGNMENT_H
#define TQO_ALIGN_ASSIGNMENT_H

#include "tqo.h"

/*
 * The shares of unit i as the plan states them: v[k - unit_start[i]] for
 * each entry k of the unit, 0 for an LP's zero entries, 1 for a unit's
 * only territory; split shares normalised, the largest nudged by ulps
 * until adding them in entry order gives exactly 1. Returns the number of
 * positive entries (0: the unit is not assigned).
 */
int tqoi_align_unit_shares(const tqo_align_result *r, int i, double *v);

#endif
