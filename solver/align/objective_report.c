/* The min-max objectives in summary.json: the plan's value per territory,
   the lower bounds and the gap, the search's counts (all from the result,
   whose figures the independent check filled). */
#include "align/objective_core.h"
#include "util/json_writer.h"

#include <math.h>

void tqoi_objective_json(jw *w, const tqo_instance *inst, const tqo_align_result *r)
{
    int center = r->minmax_objective == TQO_OBJECTIVE_CENTER;
    tqoi_jw_object(w, center ? "center" : "diameter");
    tqoi_jw_number(w, "max", r->minmax_value);
    tqoi_jw_array_flat(w, "territories");
    for (int j = 0; r->minmax_territory && j < r->n_territories; j++)
        tqoi_jw_number(w, NULL, r->minmax_territory[j]);
    tqoi_jw_array_end(w);
    if (center) { /* each territory's centre unit */
        tqoi_jw_array_flat(w, "centre_units");
        for (int j = 0; r->minmax_centre_unit && j < r->n_territories; j++) {
            int u = r->minmax_centre_unit[j];
            tqoi_jw_string(w, NULL, u >= 0 && u < inst->n_units ? inst->unit_id[u] : NULL);
        }
        tqoi_jw_array_end(w);
    }
    tqoi_jw_string(w, "distance", inst->coords == TQO_COORDS_LATLON ? "great-circle km" : "euclidean");
    tqoi_jw_number(w, "lower_bound", r->minmax_lower_bound);
    tqoi_jw_number(w, "gap", r->minmax_gap);
    tqoi_jw_object(w, "bounds");
    tqoi_jw_number(w, "ball", r->minmax_bound_ball);
    tqoi_jw_number(w, "dispersion", r->minmax_bound_dispersion);
    tqoi_jw_number(w, "exact", r->minmax_bound_exact);
    tqoi_jw_object_end(w);
    tqoi_jw_object(w, "search");
    tqoi_jw_int(w, "moves", r->minmax_moves);
    tqoi_jw_int(w, "swaps", r->minmax_swaps);
    tqoi_jw_int(w, "distance_evaluations", r->minmax_evals);
    tqoi_jw_object_end(w);
    tqoi_jw_object_end(w);
}
