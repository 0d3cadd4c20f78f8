/*
 * assignment.csv against a fixed instance (tests/fixtures/good/full): a
 * loaded assignment gives every unit shares in range that add up to 1.
 */
#include "fuzz_common.h"
#include "tqo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static tqo_instance *g_inst;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_inst = fuzz_fixture();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "assignment.csv");
    fuzz_write(path, data, size);
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_assignment a = {0};
    tqo_status st = tqo_assignment_load(path, g_inst, &a, &diag);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "load failed (%d) without a message", st);
    if (st == TQO_OK) {
        FUZZ_CHECK(a.n_units == g_inst->n_units, "%d units of %d", a.n_units, g_inst->n_units);
        for (int i = 0; i < a.n_units; i++) {
            double sum = 0;
            FUZZ_CHECK(a.unit_start[i] < a.unit_start[i + 1], "unit %d not assigned", i);
            for (int e = a.unit_start[i]; e < a.unit_start[i + 1]; e++) {
                FUZZ_CHECK(a.terr[e] >= 0 && a.terr[e] < a.n_territories, "territory out of range");
                FUZZ_CHECK(a.share[e] > 0 && a.share[e] <= 1 + 1e-9, "share %g", a.share[e]);
                sum += a.share[e];
            }
            FUZZ_CHECK(fabs(sum - 1) <= 1e-6, "unit %d: shares add up to %.17g", i, sum);
        }
    }
    tqo_assignment_free(&a);
    tqo_diag_free(&diag);
    return 0;
}
