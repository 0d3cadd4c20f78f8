/* The Delaunay graph as an instance's adjacency. Internal to the library. */
#ifndef TQO_INSTANCE_DELAUNAY_H
#define TQO_INSTANCE_DELAUNAY_H

#include "tqo.h"

/* inst's edges (it has none on entry) from the Delaunay triangulation of
   its units, then its adjacency lists; adjacency_source "delaunay". */
tqo_status tqoi_instance_delaunay(tqo_instance *inst, tqo_diag *diag);

#endif
