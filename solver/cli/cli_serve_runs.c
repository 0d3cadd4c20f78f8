/*
 * tqo serve's reruns on request: quotas and scenarios on the edited plan,
 * with the plan's own settings (the same calls as tqo plan's steps 2 and
 * 3, handed the edited assignment in memory). Nothing is written: Save
 * writes the files. Callers hold S->mu.
 */
#include "cli/cli_quota_opts.h"
#include "cli/cli_serve.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number for JSON: jansson refuses NAN and infinities, the page shows null. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* The edited plan as an assignment (whole units). */
static int to_assignment(const serve_state *S, tqo_assignment *a)
{
    memset(a, 0, sizeof *a);
    a->n_units = S->n;
    a->n_territories = S->p;
    a->territory_id = calloc((size_t)S->p, sizeof(char *));
    a->unit_start = malloc(((size_t)S->n + 1) * sizeof(int));
    a->terr = malloc(((size_t)S->n + 1) * sizeof(int));
    a->share = malloc(((size_t)S->n + 1) * sizeof(double));
    if (!a->territory_id || !a->unit_start || !a->terr || !a->share)
        return -1;
    for (int j = 0; j < S->p; j++)
        if (!(a->territory_id[j] = strdup(S->tid[j])))
            return -1;
    int k = 0;
    for (int i = 0; i < S->n; i++) {
        a->unit_start[i] = k;
        if (S->cur.terr[i] >= 0) {
            a->terr[k] = S->cur.terr[i];
            a->share[k++] = 1;
        }
    }
    a->unit_start[S->n] = k;
    return 0;
}

/* What both reruns start from: the assignment and the quota settings with
   the plan's region targets (a copy: S->P keeps no pointer into rt). */
static int run_start(serve_state *S, tqo_assignment *a, tqo_quota_settings *q, cli_region_targets *rt, char *msg,
                     size_t n)
{
    memset(rt, 0, sizeof *rt);
    rt->path = S->P->region_targets;
    *q = S->P->quota;
    tqo_diag d;
    tqo_diag_init(&d);
    int rc = 0;
    if (to_assignment(S, a) != 0) {
        snprintf(msg, n, "out of memory");
        rc = -1;
    } else if (cli_region_targets_load(rt, q, &d) != TQO_OK) {
        snprintf(msg, n, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "region targets");
        rc = -1;
    }
    tqo_diag_free(&d);
    return rc;
}

json_t *serve_quotas_json(serve_state *S, char *msg, size_t n)
{
    cli_settings *P = S->P;
    if (!S->inst->n_periods || !(P->quota.target > 0 || isfinite(P->quota.growth_pct))) {
        snprintf(msg, n, "no quotas: the instance has no history, or the plan sets no target or growth");
        return NULL;
    }
    tqo_assignment a;
    tqo_quota_settings q;
    cli_region_targets rt;
    tqo_quota_result qr;
    memset(&qr, 0, sizeof qr);
    tqo_diag d;
    tqo_diag_init(&d);
    json_t *o = NULL;
    int rc = run_start(S, &a, &q, &rt, msg, n);
    if (rc == 0 && tqo_quota(S->inst, &a, &q, &qr, &d) != TQO_OK)
        snprintf(msg, n, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "quotas failed");
    else if (rc == 0) {
        json_t *qs = json_array();
        for (int j = 0; j < qr.n_territories; j++)
            json_array_append_new(qs, json_pack("{s:s,s:o,s:o}", "id", qr.territory_id[j], "quota", num(qr.quota[j]),
                                                "last_year", num(qr.last_year[j])));
        o = json_pack("{s:i,s:o,s:s,s:o,s:I}", "plan_year", qr.plan_year, "total", num(qr.total), "method",
                      qr.method, "quotas", qs, "version", (json_int_t)S->version);
    }
    tqo_quota_result_free(&qr);
    tqo_assignment_free(&a);
    cli_region_targets_free(&rt);
    tqo_diag_free(&d);
    return o;
}

/* One scenario: its P10/P50/P90 of every metric and its quotas. */
static json_t *scenario_json(const tqo_scenario *sc, const tqo_scenarios_result *r, int s)
{
    json_t *m = json_object(), *q = json_array();
    for (int k = 0; k < TQO_SCENARIO_N_METRICS; k++) {
        const double *v = r->mc + ((size_t)s * TQO_SCENARIO_N_METRICS + k) * 3;
        json_object_set_new(m, tqo_scenario_metric_name(k), json_pack("[o,o,o]", num(v[0]), num(v[1]), num(v[2])));
    }
    for (int j = 0; j < r->n_territories; j++)
        json_array_append_new(q, num(r->quota[(size_t)s * r->n_territories + j]));
    return json_pack("{s:s,s:b,s:s?,s:o,s:o}", "name", sc[s].name, "efficient", (int)r->efficient[s], "error",
                     r->error ? r->error[s] : NULL, "mc", m, "quota", q);
}

json_t *serve_scenarios_json(serve_state *S, char *msg, size_t n)
{
    cli_settings *P = S->P;
    if (!P->scenarios) {
        snprintf(msg, n, "no scenarios: the plan names no scenarios file (--scenarios)");
        return NULL;
    }
    tqo_assignment a;
    tqo_quota_settings q;
    cli_region_targets rt;
    tqo_scenarios_result r;
    memset(&r, 0, sizeof r);
    tqo_scenario *sc = NULL;
    int nsc = 0;
    tqo_diag d;
    tqo_diag_init(&d);
    json_t *o = NULL;
    if (run_start(S, &a, &q, &rt, msg, n) == 0) {
        tqo_payout_curve curve;
        char why[200];
        tqo_payout_parse(P->curve, &curve, why, sizeof why); /* checked when the plan was read */
        tqo_scenario_settings ss; /* as tqo plan's step 3 sets them */
        tqo_scenario_settings_default(&ss);
        ss.base = q;
        ss.replicates = P->replicates;
        ss.seed = P->seed;
        ss.threads = P->threads;
        tqo_status st = tqo_scenarios_load(P->scenarios, &q, P->incentive, &curve, &sc, &nsc, &d);
        if (st == TQO_OK)
            st = tqo_scenarios(S->inst, &a, sc, nsc, &ss, &r, &d);
        if (st != TQO_OK)
            snprintf(msg, n, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "scenarios failed");
    }
    if (r.n_scenarios == nsc && nsc > 0 && r.mc) {
        json_t *ts = json_array(), *list = json_array();
        for (int j = 0; j < r.n_territories; j++)
            json_array_append_new(ts, json_string(r.territory_id[j]));
        for (int s = 0; s < nsc; s++)
            json_array_append_new(list, scenario_json(sc, &r, s));
        o = json_pack("{s:i,s:i,s:s,s:s?,s:o,s:o,s:I}", "plan_year", r.plan_year, "replicates", r.replicates,
                      "method", r.method, "chosen", P->choose, "territories", ts, "scenarios", list, "version",
                      (json_int_t)S->version);
    }
    tqo_scenarios_result_free(&r);
    tqo_scenarios_free(sc, nsc);
    tqo_assignment_free(&a);
    cli_region_targets_free(&rt);
    tqo_diag_free(&d);
    return o;
}
