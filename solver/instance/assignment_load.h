/*
 * Reading an assignment (tqo align's assignment.csv: unit_id,territory_id,
 * share) against an instance, for the quota and scenario steps. Internal.
 */
#ifndef TQO_ASSIGNMENT_LOAD_H
#define TQO_ASSIGNMENT_LOAD_H

#include "tqo.h"

/* tqo_assignment and its functions are declared in tqo.h. */

#endif
