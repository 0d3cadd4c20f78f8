/* The "commdis" instance format of the commercial districting literature
   (internal): one whitespace-separated text file,
       n
       id x y a1 a2 a3          n lines
       m
       u v                      m lines, edges between unit ids
       p <unused> tau1 tau2 tau3
   Three activity measures balanced within tolerances tau (fractions),
   contiguity on the edges, Euclidean distances, p districts. */
#ifndef TQO_INSTANCE_COMMDIS_H
#define TQO_INSTANCE_COMMDIS_H

#include "tqo.h"

/*
 * Reads a commdis file into a tqo instance: units with coords TQO_COORDS_XY
 * (x, y as given), three measures named a1, a2, a3, adjacency from the
 * edges (has_adjacency = 1, adjacency_source = the path), no territories,
 * no history, no current plan. On success *p_out receives p and tau_out[3]
 * the tolerances as fractions (either may be NULL). On any error returns
 * non-OK (TQO_ERR_INPUT for a bad file), sets *out to NULL and leaves
 * "path:line: what is wrong" messages in diag.
 */
tqo_status tqoi_commdis_load(const char *path, tqo_instance **out, int *p_out, double tau_out[3], tqo_diag *diag);

/* Whether a file looks like commdis, for format auto-detection: its first
   non-blank token is an integer (a CSV header or row is not). 1 or 0. */
int tqoi_commdis_sniff(const char *path);

#endif
