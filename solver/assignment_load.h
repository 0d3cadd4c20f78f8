/*
 * Reading an assignment (tqo align's assignment.csv: unit_id,territory_id,
 * share) against an instance, for the quota and scenario steps. Internal.
 */
#ifndef TQO_ASSIGNMENT_LOAD_H
#define TQO_ASSIGNMENT_LOAD_H

#include "tqo.h"

typedef struct tqo_assignment {
    int n_units, n_territories;
    char **territory_id;   /* in order of first appearance in the file */
    int *unit_start;       /* n_units + 1: entries of unit i */
    int *terr;
    double *share;
} tqo_assignment;

/*
 * Loads path. Every unit of the instance must appear, with shares in
 * (0, 1] adding up to 1 (within 1e-6; they are then normalised); unknown
 * units, repeated (unit, territory) rows and bad shares are errors naming
 * file, line and column.
 */
tqo_status tqo_assignment_load(const char *path, const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag);
/* The instance's 'current' column as an assignment (whole units); units
   without a current territory are an error. */
tqo_status tqo_assignment_from_current(const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag);
void tqo_assignment_free(tqo_assignment *a);

#endif
