/*
 * Reading an assignment (tqo align's assignment.csv: unit_id,territory_id,
 * share) against an instance, for the quota and scenario steps. Internal.
 */
#ifndef TQO_ASSIGNMENT_LOAD_H
#define TQO_ASSIGNMENT_LOAD_H

#include "tqo.h"
#include "util/csv_reader.h"
#include "util/strmap.h"

/* tqo_assignment and its functions are declared in tqo.h. */

/*
 * The unit of a unit_id,territory_id[,...] row (assignment.csv,
 * locks.csv): on the first row finds the two columns (*cu < 0 until then;
 * expected names the header for the message). Returns 1 to stop (a column
 * is missing), 0 to skip the row (unknown unit, error recorded), 2 with
 * *u the unit's index.
 */
int tqoi_instance_unit_row(csv_file *f, const csv_row *row, const strmap *units, int *cu, int *ct, const char *expected,
                      int *u);

#endif
