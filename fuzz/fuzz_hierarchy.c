/*
 * The quota hierarchy's files (solver/quota): hierarchy.csv, nodes.csv and
 * submissions.csv from one input split at FUZZ_SEP lines, set on the
 * fixed instance tests/fixtures/good/full with its current plan. When the
 * quotas come out, they add up to the company total.
 */
#include "fuzz_common.h"
#include "tqo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static tqo_instance *g_inst;
static tqo_assignment g_a;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_inst = fuzz_fixture();
    tqo_diag d;
    tqo_diag_init(&d);
    if (tqo_assignment_from_current(g_inst, &g_a, &d) != TQO_OK) {
        fprintf(stderr, "the fixture's current plan: %s\n", tqo_diag_first_error(&d));
        abort();
    }
    tqo_diag_free(&d);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"hierarchy.csv", "nodes.csv", "submissions.csv"};
    const uint8_t *part[3];
    size_t len[3];
    int n = fuzz_split(data, size, 3, part, len);
    const char *path[3] = {NULL, NULL, NULL};
    for (int k = 0; k < n; k++) {
        path[k] = fuzz_path(k, files[k]);
        fuzz_write(path[k], part[k], len[k]);
    }
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    s.growth_pct = 10;
    s.method = "last";
    s.hierarchy = path[0];
    s.nodes = path[1];
    s.submissions = path[2];
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_quota_result r = {0};
    tqo_status st = tqo_quota(g_inst, &g_a, &s, &r, &diag);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "quota failed (%d) without a message", st);
    if (st == TQO_OK) {
        double sum = 0;
        for (int j = 0; j < r.n_territories; j++)
            sum += r.quota[j];
        FUZZ_CHECK(fabs(sum - r.total) <= 1e-6 * fmax(1, fabs(r.total)), "quotas add up to %.17g, not %.17g",
                   sum, r.total);
    }
    tqo_quota_result_free(&r);
    tqo_diag_free(&diag);
    return 0;
}
