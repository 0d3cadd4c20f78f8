/*
 * An instance folder: units.csv, territories.csv, adjacency.csv, locks.csv
 * and history.csv from one input split at FUZZ_SEP lines (a missing part:
 * no such file). Then what the loader's callers do next: the graph's
 * components and the statistics, so that a loaded instance that breaks
 * their assumptions shows up here too.
 */
#include "fuzz_common.h"
#include "tqo.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const files[] = {"units.csv", "territories.csv", "adjacency.csv", "locks.csv", "history.csv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[5];
    size_t len[5];
    int n = fuzz_split(data, size, 5, part, len);
    for (int k = 0; k < 5; k++) {
        fuzz_unlink(files[k]);
        if (k < n)
            fuzz_write(fuzz_path(k, files[k]), part[k], len[k]);
    }
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    tqo_instance *inst = fuzz_load(fuzz_dir(), &s);
    if (inst) {
        for (int i = 0; inst->lock && i < inst->n_units; i++)
            FUZZ_CHECK(inst->lock[i] >= -1 && inst->lock[i] < inst->n_territories, "lock out of range");
        int *comp = malloc((size_t)inst->n_units * sizeof *comp);
        if (comp) {
            int nc = tqo_graph_components(inst, comp);
            FUZZ_CHECK(nc >= 1 && nc <= inst->n_units, "%d components of %d units", nc, inst->n_units);
            free(comp);
        }
        tqo_instance_stats stats;
        if (tqo_instance_stats_compute(inst, &stats) == TQO_OK)
            tqo_instance_stats_free(&stats);
        tqo_instance_free(inst);
    }
    return 0;
}
