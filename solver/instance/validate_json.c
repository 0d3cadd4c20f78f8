/*
 * validation.json, the machine-readable summary of `tqo validate`: the
 * instance's counts, bounding box, measure and history totals and graph
 * components, as computed by tqo_instance_stats_compute.
 */
#include "util/json_writer.h"
#include "tqo.h"

#include <stdio.h>

tqo_status tqo_instance_stats_write_json(FILE *fp, const tqo_instance *inst, const tqo_instance_stats *st)
{
    if (!fp || !inst || !st)
        return TQO_ERR_ARG;
    jw w;
    tqoi_jw_init(&w, fp);
    tqoi_jw_object(&w, NULL);
    tqoi_jw_string(&w, "instance", inst->source);
    tqoi_jw_string(&w, "tqo_version", TQO_VERSION);
    tqoi_jw_int(&w, "units", st->n_units);
    tqoi_jw_string(&w, "coordinates",
              inst->coords == TQO_COORDS_XY ? "xy" : inst->coords == TQO_COORDS_LATLON ? "latlon" : "none");
    if (inst->coords != TQO_COORDS_NONE) {
        tqoi_jw_object(&w, "bounding_box");
        tqoi_jw_number(&w, inst->coords == TQO_COORDS_XY ? "min_x" : "min_lon", st->bbox_min_x);
        tqoi_jw_number(&w, inst->coords == TQO_COORDS_XY ? "max_x" : "max_lon", st->bbox_max_x);
        tqoi_jw_number(&w, inst->coords == TQO_COORDS_XY ? "min_y" : "min_lat", st->bbox_min_y);
        tqoi_jw_number(&w, inst->coords == TQO_COORDS_XY ? "max_y" : "max_lat", st->bbox_max_y);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array(&w, "measures");
    for (int m = 0; m < inst->n_measures; m++) {
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "name", inst->measures[m].name);
        tqoi_jw_number(&w, "total", st->measures[m].total);
        tqoi_jw_number(&w, "min", st->measures[m].min);
        tqoi_jw_number(&w, "mean", st->measures[m].mean);
        tqoi_jw_number(&w, "max", st->measures[m].max);
        tqoi_jw_int(&w, "zeros", st->measures[m].zeros);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array_end(&w);
    tqoi_jw_array(&w, "labels");
    for (int l = 0; l < inst->n_labels; l++)
        tqoi_jw_string(&w, NULL, inst->labels[l].name);
    tqoi_jw_array_end(&w);
    tqoi_jw_int(&w, "territories", inst->n_territories);
    tqoi_jw_int(&w, "home_bases", inst->n_homes);
    if (inst->current) {
        tqoi_jw_int(&w, "current_territories", st->n_current_territories);
        tqoi_jw_int(&w, "units_without_current", st->n_units_without_current);
    }
    if (inst->has_adjacency) {
        tqoi_jw_object(&w, "adjacency");
        tqoi_jw_string(&w, "source", inst->adjacency_source);
        tqoi_jw_int(&w, "pairs", st->n_edges);
        tqoi_jw_int(&w, "components", st->n_components);
        tqoi_jw_int(&w, "largest_component", st->largest_component);
        tqoi_jw_int(&w, "isolated_units", st->n_isolated);
        tqoi_jw_object_end(&w);
    } else {
        tqoi_jw_null(&w, "adjacency");
    }
    tqoi_jw_int(&w, "locks", st->n_locks);
    if (st->n_periods) {
        tqoi_jw_object(&w, "history");
        tqoi_jw_string(&w, "granularity", tqo_period_kind_name(inst->period_kind));
        tqoi_jw_int(&w, "periods", st->n_periods);
        tqoi_jw_string(&w, "first", st->first_period);
        tqoi_jw_string(&w, "last", st->last_period);
        tqoi_jw_int(&w, "rows", st->n_history_rows);
        tqoi_jw_object(&w, "totals");
        for (int k = 0; k < inst->n_history_values; k++)
            tqoi_jw_number(&w, inst->history_value_name[k], st->history_totals[k]);
        tqoi_jw_object_end(&w);
        tqoi_jw_object_end(&w);
    } else {
        tqoi_jw_null(&w, "history");
    }
    tqoi_jw_object_end(&w);
    tqoi_jw_finish(&w);
    return ferror(fp) ? TQO_ERR_IO : TQO_OK;
}
