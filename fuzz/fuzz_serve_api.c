/*
 * tqo serve's JSON API without a socket: serve_handle() with a request
 * body from the fuzz bytes, on the plan of tests/fixtures/good/full opened
 * once. The first byte picks the call (move, lock, rebalance, undo, redo,
 * GET plan, an unknown path); Save, quotas and scenarios are left out (they
 * write files or rerun whole models). Every reply must be a status with a
 * JSON body, and the plan must stay whole: each unit in one territory.
 */
#include "cli/cli_serve.h"
#include "fuzz_common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static serve_state g_S;
static cli_settings g_P;
static char g_instance[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(g_instance, sizeof g_instance, "%s/tests/fixtures/good/full", fuzz_source_dir());
    cli_settings_default(&g_P);
    g_P.quiet = 1;
    g_P.align.threads = 1;
    /* a tolerance the fixture's 9 units can meet */
    g_P.align.n_balance = 1;
    g_P.align.balance[0] = "workload";
    g_P.align.balance_tol_pct[0] = 60;
    if (serve_state_open(&g_S, &g_P, g_instance, fuzz_path(0, "out")) != 0) {
        fprintf(stderr, "cannot open the plan of %s\n", g_instance);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const path[] = {"/api/move", "/api/lock", "/api/rebalance", "/api/undo",
                                       "/api/redo", "/api/plan", "/api/nothing", "/api/move"};
    if (size == 0)
        return 0;
    int call = data[0] & 7;
    const char *method = call == 5 ? "GET" : "POST";
    serve_reply r;
    serve_handle(&g_S, method, path[call], (const char *)data + 1, size - 1, &r);
    FUZZ_CHECK(r.status >= 200 && r.status < 600, "status %d", r.status);
    FUZZ_CHECK(r.body, "status %d without a body", r.status);
    json_error_t e;
    json_t *o = json_loads(r.body, 0, &e);
    FUZZ_CHECK(json_is_object(o), "reply is not a JSON object: %.200s", r.body);
    if (r.status >= 400)
        FUZZ_CHECK(json_is_string(json_object_get(o, "error")), "error reply without 'error': %.200s", r.body);
    json_decref(o);
    free(r.body);
    for (int i = 0; i < g_S.n; i++)
        FUZZ_CHECK(g_S.cur.terr[i] >= 0 && g_S.cur.terr[i] < g_S.p, "unit %d in territory %d of %d", i,
                   g_S.cur.terr[i], g_S.p);
    return 0;
}
