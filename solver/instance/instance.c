/* The instance model: lookups, the unit graph, freeing. */
#include "instance/gis.h"
#include "tqo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tqo_instance_free(tqo_instance *inst)
{
    if (!inst)
        return;
    free(inst->source);
    free(inst->default_tol_pct);
    for (int i = 0; i < inst->n_units; i++)
        free(inst->unit_id ? inst->unit_id[i] : NULL);
    free(inst->unit_id);
    free(inst->x);
    free(inst->y);
    for (int m = 0; m < inst->n_measures; m++) {
        free(inst->measures[m].name);
        free(inst->measures[m].value);
    }
    free(inst->measures);
    for (int l = 0; l < inst->n_labels; l++) {
        for (int i = 0; i < inst->n_units; i++)
            free(inst->labels[l].value ? inst->labels[l].value[i] : NULL);
        free(inst->labels[l].value);
        free(inst->labels[l].name);
    }
    free(inst->labels);
    free(inst->current);

    for (int t = 0; t < inst->n_territories; t++) {
        free(inst->territory_id ? inst->territory_id[t] : NULL);
        free(inst->region ? inst->region[t] : NULL);
        free(inst->rep ? inst->rep[t] : NULL);
    }
    free(inst->territory_id);
    free(inst->region);
    free(inst->rep);
    free(inst->home_x);
    free(inst->home_y);
    free(inst->capacity);
    free(inst->ramp);
    for (int l = 0; l < inst->n_territory_labels; l++) {
        for (int t = 0; t < inst->n_territories; t++)
            free(inst->territory_labels[l].value ? inst->territory_labels[l].value[t] : NULL);
        free(inst->territory_labels[l].value);
        free(inst->territory_labels[l].name);
    }
    free(inst->territory_labels);

    free(inst->adjacency_source);
    free(inst->edge_u);
    free(inst->edge_v);
    free(inst->adj_start);
    free(inst->adj);
    free(inst->lock);

    for (int v = 0; v < inst->n_history_values; v++) {
        free(inst->history_value_name ? inst->history_value_name[v] : NULL); /* NULL: its allocation failed */
        free(inst->history ? inst->history[v] : NULL);
    }
    free(inst->history_value_name);
    free(inst->history);
    tqoi_gis_geometry_free(inst->geometry);
    free(inst);
}

int tqo_instance_measure(const tqo_instance *inst, const char *name)
{
    for (int m = 0; m < inst->n_measures; m++)
        if (strcasecmp(inst->measures[m].name, name) == 0)
            return m;
    return -1;
}

int tqo_instance_label(const tqo_instance *inst, const char *name)
{
    for (int l = 0; l < inst->n_labels; l++)
        if (strcasecmp(inst->labels[l].name, name) == 0)
            return l;
    return -1;
}

int tqo_instance_unit(const tqo_instance *inst, const char *id)
{
    for (int i = 0; i < inst->n_units; i++)
        if (strcmp(inst->unit_id[i], id) == 0)
            return i;
    return -1;
}

int tqo_instance_territory(const tqo_instance *inst, const char *id)
{
    for (int t = 0; t < inst->n_territories; t++)
        if (strcmp(inst->territory_id[t], id) == 0)
            return t;
    return -1;
}

tqo_status tqo_instance_build_graph(tqo_instance *inst)
{
    int n = inst->n_units;
    free(inst->adj_start);
    free(inst->adj);
    inst->adj_start = calloc((size_t)n + 1, sizeof(int));
    inst->adj = malloc((size_t)(2 * inst->n_edges + 1) * sizeof(int));
    if (!inst->adj_start || !inst->adj)
        return TQO_ERR_NOMEM;
    for (int e = 0; e < inst->n_edges; e++) {
        inst->adj_start[inst->edge_u[e] + 1]++;
        inst->adj_start[inst->edge_v[e] + 1]++;
    }
    for (int i = 0; i < n; i++)
        inst->adj_start[i + 1] += inst->adj_start[i];
    int *fill = malloc((size_t)(n + 1) * sizeof(int));
    if (!fill)
        return TQO_ERR_NOMEM;
    memcpy(fill, inst->adj_start, (size_t)n * sizeof(int));
    /* Edges are sorted by (u, v), so each row comes out sorted as well. */
    for (int e = 0; e < inst->n_edges; e++)
        inst->adj[fill[inst->edge_v[e]]++] = inst->edge_u[e];
    for (int e = 0; e < inst->n_edges; e++)
        inst->adj[fill[inst->edge_u[e]]++] = inst->edge_v[e];
    free(fill);
    return TQO_OK;
}

int tqo_graph_components(const tqo_instance *inst, int *comp)
{
    int n = inst->n_units;
    int *stack = malloc((size_t)(n + 1) * sizeof(int));
    if (!stack)
        return -1;
    for (int i = 0; i < n; i++)
        comp[i] = -1;
    int nc = 0;
    for (int s = 0; s < n; s++) {
        if (comp[s] >= 0)
            continue;
        int top = 0;
        stack[top++] = s;
        comp[s] = nc;
        while (top) {
            int u = stack[--top];
            if (!inst->adj_start)
                continue;
            for (int k = inst->adj_start[u]; k < inst->adj_start[u + 1]; k++) {
                int v = inst->adj[k];
                if (comp[v] < 0) {
                    comp[v] = nc;
                    stack[top++] = v;
                }
            }
        }
        nc++;
    }
    free(stack);
    return nc;
}
