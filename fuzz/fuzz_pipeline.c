/*
 * Structure-aware: the fuzz bytes pick a small instance (2-12 units,
 * coordinates distinct, twins, all at one point, on a line, or lat/lon
 * across the 180th meridian; one or two measures with zeros; k; the
 * tolerance; locks; no adjacency, Delaunay or a fuzzed edge list; three
 * years of quarterly history), written as CSV and loaded. Then validate,
 * align, quota and scenarios run with bounded work, and each result is
 * checked: every unit assigned once with shares adding up to 1, balance
 * within the tolerance when the status is "ok", quotas adding up to the
 * company total, every failure with a message. A broken one aborts.
 */
#include "fuzz_common.h"
#include "tqo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bytes {
    const uint8_t *p;
    size_t n, at;
} bytes;

static unsigned next(bytes *b) { return b->at < b->n ? b->p[b->at++] : 0; }

typedef struct spec {
    int n, k, coords, adjacency, two_measures;
    double tol;
} spec;

static void write_instance(bytes *b, spec *sp)
{
    sp->n = 2 + (int)(next(b) % 11);
    sp->k = 1 + (int)(next(b) % 4);
    if (sp->k > sp->n)
        sp->k = sp->n;
    sp->coords = (int)(next(b) % 5);
    sp->adjacency = (int)(next(b) % 3);
    sp->two_measures = (int)(next(b) & 1);
    sp->tol = 1 + next(b) % 50;
    FILE *f = fopen(fuzz_path(0, "units.csv"), "w");
    FILE *l = fopen(fuzz_path(1, "locks.csv"), "w");
    FILE *h = fopen(fuzz_path(2, "history.csv"), "w");
    FILE *t = fopen(fuzz_path(3, "territories.csv"), "w");
    if (!f || !l || !h || !t)
        abort();
    fprintf(f, "unit_id,%s,w%s\n", sp->coords == 4 ? "lat,lon" : "x,y", sp->two_measures ? ",p" : "");
    fprintf(l, "unit_id,territory_id\n");
    fprintf(h, "unit_id,period,sales\n");
    fprintf(t, "territory_id\n");
    for (int j = 0; j < sp->k; j++)
        fprintf(t, "T%d\n", j + 1);
    for (int i = 0; i < sp->n; i++) {
        double x = next(b) % 8, y = next(b) % 8;
        if (sp->coords == 1) /* twins */
            x = (double)(next(b) % 3), y = 0;
        else if (sp->coords == 2) /* all at one point */
            x = y = 1;
        else if (sp->coords == 3) /* on a line */
            y = 2 * x + 1;
        if (sp->coords == 4) /* lat, lon around the 180th meridian */
            fprintf(f, "u%d,%g,%g", i, -20 + y, (x < 4 ? 178 : -182) + x * 0.5 + (x >= 4 ? 4 : 0));
        else
            fprintf(f, "u%d,%g,%g", i, x, y);
        fprintf(f, ",%u", next(b) % 21);
        if (sp->two_measures)
            fprintf(f, ",%u", next(b) % 5);
        fprintf(f, "\n");
        unsigned lk = next(b);
        if (lk % 8 == 0)
            fprintf(l, "u%d,T%u\n", i, 1 + (lk / 8) % (unsigned)sp->k);
        for (int q = 0; q < 12; q++)
            fprintf(h, "u%d,%dQ%d,%u\n", i, 2021 + q / 4, 1 + q % 4, next(b) % 51);
    }
    fclose(f);
    fclose(l);
    fclose(h);
    fclose(t);
    FILE *a = fopen(fuzz_path(4, "adjacency.csv"), "w");
    if (!a)
        abort();
    fprintf(a, "unit_a,unit_b\n");
    int m = (int)(next(b) % 16);
    for (int e = 0; e < m; e++) {
        int u = (int)(next(b) % (unsigned)sp->n), v = (int)(next(b) % (unsigned)sp->n);
        if (u != v)
            fprintf(a, "u%d,u%d\n", u, v);
    }
    fclose(a);
    if (sp->adjacency != 2)
        fuzz_unlink("adjacency.csv");
}

/* Every unit assigned with shares adding up to 1; balance within the
   tolerance when the check says "ok"; totals as recomputed. */
static void check_align(const tqo_instance *inst, const spec *sp, const tqo_align_result *r)
{
    FUZZ_CHECK(r->n_units == inst->n_units, "%d units in the result", r->n_units);
    int p = r->n_territories;
    double *tot = calloc((size_t)p, sizeof *tot);
    if (!tot)
        abort();
    const double *w = inst->measures[tqo_instance_measure(inst, "w")].value;
    for (int i = 0; i < r->n_units; i++) {
        double sum = 0;
        FUZZ_CHECK(r->unit_start[i] < r->unit_start[i + 1], "unit %d unassigned", i);
        for (int e = r->unit_start[i]; e < r->unit_start[i + 1]; e++) {
            FUZZ_CHECK(r->terr[e] >= 0 && r->terr[e] < p, "territory %d of %d", r->terr[e], p);
            FUZZ_CHECK(r->share[e] >= 0 && r->share[e] <= 1 + 1e-9, "share %g", r->share[e]);
            sum += r->share[e];
            tot[r->terr[e]] += r->share[e] * w[i];
        }
        FUZZ_CHECK(fabs(sum - 1) <= 1e-6, "unit %d: shares add up to %.17g", i, sum);
    }
    for (int j = 0; j < p; j++) {
        double want = r->total[j * r->n_balance];
        FUZZ_CHECK(fabs(tot[j] - want) <= 1e-6 * fmax(1, fabs(want)), "territory %d: total %g, reported %g", j,
                   tot[j], want);
        double target = r->target[j * r->n_balance];
        if (strcmp(r->status, "ok") == 0 && target > 0)
            FUZZ_CHECK(fabs(tot[j] - target) <= (sp->tol / 100) * target + 1e-6,
                       "status ok but territory %d has %g for a target %g at %g%%", j, tot[j], target, sp->tol);
    }
    free(tot);
}

static void run_quota_scenarios(const tqo_instance *inst, const tqo_assignment *a)
{
    tqo_quota_settings q;
    tqo_quota_settings_default(&q);
    q.growth_pct = 10;
    q.method = "last";
    q.potential = "w";
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_quota_result qr = {0};
    tqo_status st = tqo_quota(inst, a, &q, &qr, &d);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&d), "quota failed (%d) without a message", st);
    if (st == TQO_OK) {
        double sum = 0;
        for (int j = 0; j < qr.n_territories; j++)
            sum += qr.quota[j];
        FUZZ_CHECK(fabs(sum - qr.total) <= 1e-6 * fmax(1, fabs(qr.total)), "quotas add up to %.17g, not %.17g", sum,
                   qr.total);
    }
    tqo_quota_result_free(&qr);

    /* Two scenarios, read once (the reader has a target of its own). */
    static tqo_scenario *sc;
    static int n;
    if (!sc) {
        const char *path = fuzz_path(5, "scenarios.csv");
        FILE *f = fopen(path, "w");
        if (!f)
            abort();
        fputs("scenario,growth,history_weight,max_growth\nlow,0,0.4,25\nhigh,10,0.9,\n", f);
        fclose(f);
        tqo_payout_curve curve;
        char err[100];
        tqo_diag d0;
        tqo_diag_init(&d0);
        if (tqo_payout_parse("50:0;100:100", &curve, err, sizeof err) != 0 ||
            tqo_scenarios_load(path, &q, 1000, &curve, &sc, &n, &d0) != TQO_OK) {
            fprintf(stderr, "scenarios.csv: %s\n", tqo_diag_first_error(&d0));
            abort();
        }
        tqo_diag_free(&d0);
    }
    tqo_scenario_settings ss;
    tqo_scenario_settings_default(&ss);
    ss.base = q;
    ss.replicates = 16;
    ss.threads = 1;
    tqo_scenarios_result sr = {0};
    st = tqo_scenarios(inst, a, sc, n, &ss, &sr, &d);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&d), "scenarios failed (%d) without a message", st);
    if (st == TQO_OK) {
        FUZZ_CHECK(sr.n_scenarios == n, "%d scenarios of %d", sr.n_scenarios, n);
        for (int k = 0; k < n * sr.n_territories; k++)
            FUZZ_CHECK(!sr.error[k / sr.n_territories] ? isfinite(sr.quota[k]) && sr.quota[k] >= 0 : 1,
                       "scenario quota %g", sr.quota[k]);
    }
    tqo_scenarios_result_free(&sr);
    tqo_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size, 0};
    spec sp;
    write_instance(&b, &sp);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    if (sp.adjacency == 1)
        ls.adjacency = "delaunay";
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(fuzz_dir(), &ls, &inst, &d);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&d), "load failed (%d) without a message", st);
    if (st != TQO_OK) {
        tqo_diag_free(&d);
        return 0;
    }
    tqo_align_settings as;
    tqo_align_settings_default(&as);
    as.k = 0;
    as.n_balance = 1;
    as.balance[0] = "w";
    as.balance_tol_pct[0] = sp.tol;
    as.threads = 1;
    as.starts = 1;
    as.allow_splits = (int)(next(&b) & 1);
    tqo_align_result r;
    memset(&r, 0, sizeof r);
    st = tqo_align(inst, &as, &r, &d);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&d), "align failed (%d) without a message", st);
    if (st == TQO_OK) {
        check_align(inst, &sp, &r);
        tqo_assignment a = {0};
        if (tqo_align_assignment(&r, &a, &d) == TQO_OK)
            run_quota_scenarios(inst, &a);
        tqo_assignment_free(&a);
    }
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
    return 0;
}
