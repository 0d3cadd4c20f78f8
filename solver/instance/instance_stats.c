/* Statistics of an instance: what a planner checks before trusting it. */
#include "tqo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tqo_status tqo_instance_stats_compute(const tqo_instance *inst, tqo_instance_stats *st)
{
    memset(st, 0, sizeof *st);
    int n = inst->n_units;
    st->n_units = n;
    st->n_territories = inst->n_territories;
    st->n_measures = inst->n_measures;
    st->n_labels = inst->n_labels;
    st->measures = calloc((size_t)(inst->n_measures + 1), sizeof *st->measures);
    st->history_totals = calloc((size_t)(inst->n_history_values + 1), sizeof(double));
    int *comp = malloc((size_t)(n + 1) * sizeof(int));
    int *size = NULL;
    if (!st->measures || !st->history_totals || !comp)
        goto nomem;
    for (int m = 0; m < inst->n_measures; m++) {
        tqo_measure_stats *ms = &st->measures[m];
        const double *v = inst->measures[m].value;
        ms->min = INFINITY;
        ms->max = -INFINITY;
        /* Kahan summation: totals of millions of values are quoted exactly. */
        double sum = 0, c = 0;
        for (int i = 0; i < n; i++) {
            double y = v[i] - c, t = sum + y;
            c = (t - sum) - y;
            sum = t;
            if (v[i] < ms->min)
                ms->min = v[i];
            if (v[i] > ms->max)
                ms->max = v[i];
            ms->zeros += v[i] == 0;
        }
        ms->total = sum;
        ms->mean = n ? sum / n : 0;
    }
    if (inst->coords != TQO_COORDS_NONE) {
        st->bbox_min_x = st->bbox_min_y = INFINITY;
        st->bbox_max_x = st->bbox_max_y = -INFINITY;
        for (int i = 0; i < n; i++) {
            st->bbox_min_x = fmin(st->bbox_min_x, inst->x[i]);
            st->bbox_max_x = fmax(st->bbox_max_x, inst->x[i]);
            st->bbox_min_y = fmin(st->bbox_min_y, inst->y[i]);
            st->bbox_max_y = fmax(st->bbox_max_y, inst->y[i]);
        }
    }
    st->n_edges = inst->n_edges;
    if (inst->has_adjacency) {
        st->n_components = tqo_graph_components(inst, comp);
        if (st->n_components < 0)
            goto nomem;
        size = calloc((size_t)st->n_components + 1, sizeof(int));
        if (!size)
            goto nomem;
        for (int i = 0; i < n; i++)
            size[comp[i]]++;
        for (int c = 0; c < st->n_components; c++)
            if (size[c] > st->largest_component)
                st->largest_component = size[c];
        for (int i = 0; i < n; i++)
            st->n_isolated += inst->adj_start[i + 1] == inst->adj_start[i];
    }
    st->n_locks = inst->n_locks;
    if (inst->current) {
        char *seen = calloc((size_t)inst->n_territories + 1, 1);
        if (!seen)
            goto nomem;
        for (int i = 0; i < n; i++) {
            if (inst->current[i] < 0) {
                st->n_units_without_current++;
            } else if (!seen[inst->current[i]]) {
                seen[inst->current[i]] = 1;
                st->n_current_territories++;
            }
        }
        free(seen);
    }
    st->n_periods = inst->n_periods;
    st->n_history_rows = inst->n_history_rows;
    if (inst->n_periods) {
        tqo_period_format(inst->period_kind, inst->period_first, st->first_period, sizeof st->first_period);
        tqo_period_format(inst->period_kind, inst->period_first + inst->n_periods - 1, st->last_period,
                          sizeof st->last_period);
    }
    size_t cells = (size_t)n * (size_t)inst->n_periods;
    for (int k = 0; k < inst->n_history_values; k++) {
        double sum = 0, c = 0;
        for (size_t i = 0; i < cells; i++) {
            double y = inst->history[k][i] - c, t = sum + y;
            c = (t - sum) - y;
            sum = t;
        }
        st->history_totals[k] = sum;
    }
    free(comp);
    free(size);
    return TQO_OK;
nomem:
    free(comp);
    free(size);
    tqo_instance_stats_free(st);
    return TQO_ERR_NOMEM;
}

void tqo_instance_stats_free(tqo_instance_stats *st)
{
    free(st->measures);
    free(st->history_totals);
    st->measures = NULL;
    st->history_totals = NULL;
}
