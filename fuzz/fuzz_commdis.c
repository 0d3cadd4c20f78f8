/* One commdis file (n, n unit lines, m, m edge lines, the p/tau line). */
#include "fuzz_common.h"
#include "tqo.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "instance.txt");
    fuzz_write(path, data, size);
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    s.format = TQO_FORMAT_COMMDIS;
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(path, &s, &inst, &diag);
    FUZZ_CHECK((st == TQO_OK) == (inst != NULL), "load status %d but instance %p", st, (void *)inst);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "load failed (%d) without a message", st);
    if (inst) {
        FUZZ_CHECK(inst->n_units > 0, "an instance of %d units", inst->n_units);
        for (int e = 0; e < inst->n_edges; e++)
            FUZZ_CHECK(inst->edge_u[e] >= 0 && inst->edge_u[e] < inst->edge_v[e] &&
                           inst->edge_v[e] < inst->n_units,
                       "edge %d out of range", e);
        tqo_instance_free(inst);
    }
    tqo_diag_free(&diag);
    return 0;
}
