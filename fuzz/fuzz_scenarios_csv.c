/* scenarios.csv: every column optional but `scenario`. */
#include "fuzz_common.h"
#include "tqo.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "scenarios.csv");
    fuzz_write(path, data, size);
    tqo_quota_settings q;
    tqo_quota_settings_default(&q);
    tqo_payout_curve curve;
    char err[100];
    if (tqo_payout_parse("50:0;100:100", &curve, err, sizeof err) != 0)
        abort();
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_scenario *sc = NULL;
    int n = 0;
    tqo_status st = tqo_scenarios_load(path, &q, 1000.0, &curve, &sc, &n, &diag);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "load failed (%d) without a message", st);
    if (st == TQO_OK)
        FUZZ_CHECK(n >= 1 && sc, "%d scenarios loaded", n);
    tqo_scenarios_free(sc, n);
    tqo_diag_free(&diag);
    return 0;
}
