/*
 * report.html: the superstore plan (align, quotas with a replay, 60
 * scenarios) gives one map shape per unit, one table row per territory
 * and scenario, the chosen scenario first and the same bytes on every
 * write; hostile ids, names and parameters are escaped everywhere (text,
 * attributes and the embedded JSON); 100,000 units and 1,000 territories
 * stay under 20 MB; an instance without coordinates or later steps gives
 * a page without those parts; bad input and write errors are reported.
 *
 * With arguments it is also the fixture of tests/cli/report_browser.sh
 * (until tqo plan writes the report):
 *   test_report_html --write OUT.html INSTANCE K MEASURE:TOL [SCENARIOS.csv]
 * aligns INSTANCE into K territories balanced on MEASURE, and with a
 * scenarios file also sets quotas (history until 2016Q4, growth 10%,
 * MEASURE as the potential) and runs the scenarios (200 replicates).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/report_html.h"
#include "tqo.h"

/* ------------------------------------------------------------------ */
/* The pipeline of tqo plan, by the library                            */
/* ------------------------------------------------------------------ */

#define MAX_PARAMS 16

typedef struct plan {
    tqo_diag diag;
    tqo_instance *inst;
    tqo_align_settings as;
    tqo_align_result ar;
    tqo_assignment asg;
    tqo_quota_settings qs;
    tqo_quota_result qr;
    tqo_scenario_settings ss;
    tqo_scenario *sc;
    int ns;
    tqo_scenarios_result sr;
    int has_quota, has_scen;
    char measure[64];
    int np;
    const char *key[MAX_PARAMS], *val[MAX_PARAMS];
    char vbuf[MAX_PARAMS][256];
    int nw;
    const char **warn;
    char title[300];
    report_input in;
} plan;

static void param(plan *P, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->vbuf[P->np], sizeof P->vbuf[P->np], fmt, ap);
    va_end(ap);
    P->key[P->np] = key;
    P->val[P->np] = P->vbuf[P->np];
    P->np++;
}

/* The result as an assignment (what tqo quota reads from assignment.csv). */
static tqo_status assignment_from_result(const tqo_align_result *r, tqo_assignment *a)
{
    memset(a, 0, sizeof *a);
    int n = r->n_units, p = r->n_territories, m = r->unit_start[n];
    a->n_units = n;
    a->n_territories = p;
    a->territory_id = calloc((size_t)p, sizeof(char *));
    a->unit_start = calloc((size_t)n + 1, sizeof(int));
    a->terr = malloc(((size_t)m + 1) * sizeof(int));
    a->share = malloc(((size_t)m + 1) * sizeof(double));
    if (!a->territory_id || !a->unit_start || !a->terr || !a->share)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++)
        if (!(a->territory_id[j] = strdup(r->territory_id[j])))
            return TQO_ERR_NOMEM;
    int k = 0;
    for (int i = 0; i < n; i++) {
        a->unit_start[i] = k;
        for (int e = r->unit_start[i]; e < r->unit_start[i + 1]; e++)
            if (r->share[e] > 0) {
                a->terr[k] = r->terr[e];
                a->share[k++] = r->share[e];
            }
    }
    a->unit_start[n] = k;
    return TQO_OK;
}

/* measure_tol is "accounts:10". scenarios: NULL for the alignment only. */
static tqo_status plan_run(plan *P, const char *instance, int k, const char *measure_tol, const char *scenarios,
                           int replicates)
{
    memset(P, 0, sizeof *P);
    tqo_diag_init(&P->diag);
    snprintf(P->measure, sizeof P->measure, "%s", measure_tol);
    char *colon = strchr(P->measure, ':');
    double tol = colon ? atof(colon + 1) : 5;
    if (colon)
        *colon = 0;
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    tqo_status st = tqo_instance_load(instance, &ls, &P->inst, &P->diag);
    if (st != TQO_OK)
        return st;
    tqo_align_settings_default(&P->as);
    P->as.k = k;
    P->as.n_balance = 1;
    P->as.balance[0] = P->measure;
    P->as.balance_tol_pct[0] = tol;
    P->as.starts = 1;
    st = tqo_align(P->inst, &P->as, &P->ar, &P->diag);
    if (st != TQO_OK)
        return st;
    param(P, "instance", "%s", instance);
    param(P, "k", "%d", k);
    param(P, "balance", "%s:%g", P->measure, tol);
    param(P, "starts", "%d", P->as.starts);
    param(P, "seed", "%llu", (unsigned long long)P->as.seed);
    if (scenarios) {
        tqo_quota_settings_default(&P->qs);
        P->qs.potential = P->measure;
        P->qs.history_until = "2016Q4";
        P->qs.growth_pct = 10;
        if ((st = assignment_from_result(&P->ar, &P->asg)) != TQO_OK ||
            (st = tqo_quota(P->inst, &P->asg, &P->qs, &P->qr, &P->diag)) != TQO_OK)
            return st;
        P->has_quota = 1;
        param(P, "potential", "%s", P->measure);
        param(P, "history-until", "%s", P->qs.history_until);
        param(P, "growth", "%g", P->qs.growth_pct);

        tqo_scenario_settings_default(&P->ss);
        P->ss.base = P->qs;
        P->ss.replicates = replicates;
        tqo_payout_curve curve;
        char why[200];
        if (tqo_payout_parse("50:0;100:100;150:250;200:250", &curve, why, sizeof why) != 0)
            return TQO_ERR_ARG;
        if ((st = tqo_scenarios_load(scenarios, &P->ss.base, 10000, &curve, &P->sc, &P->ns, &P->diag)) != TQO_OK ||
            (st = tqo_scenarios(P->inst, &P->asg, P->sc, P->ns, &P->ss, &P->sr, &P->diag)) != TQO_OK)
            return st;
        P->has_scen = 1;
        param(P, "scenarios", "%s", scenarios);
        param(P, "replicates", "%d", replicates);
        param(P, "seed (scenarios)", "%llu", (unsigned long long)P->ss.seed);
    }
    /* The steps' warnings as tqo_diag keeps them ("warning: ..."). */
    P->warn = calloc((size_t)P->diag.n_msgs + 1, sizeof(char *));
    if (!P->warn)
        return TQO_ERR_NOMEM;
    for (int m = 0; m < P->diag.n_msgs; m++)
        if (!P->diag.is_error[m])
            P->warn[P->nw++] = P->diag.msgs[m];

    snprintf(P->title, sizeof P->title, "tqo plan: %s", instance);
    report_input *in = &P->in;
    in->title = P->title;
    in->inst = P->inst;
    in->align_settings = &P->as;
    in->align = &P->ar;
    if (P->has_quota) {
        in->quota_settings = &P->qs;
        in->quota = &P->qr;
    }
    if (P->has_scen) {
        in->scenarios = P->sc;
        in->n_scenarios = P->ns;
        in->scenario_settings = &P->ss;
        in->scen = &P->sr;
        in->chosen_scenario = P->ns > 1 ? P->sc[P->ns / 2].name : NULL;
    }
    in->n_params = P->np;
    in->param_key = P->key;
    in->param_value = P->val;
    in->n_warnings = P->nw;
    in->warnings = P->warn;
    return TQO_OK;
}

static void plan_free(plan *P)
{
    if (P->has_scen)
        tqo_scenarios_result_free(&P->sr);
    tqo_scenarios_free(P->sc, P->ns);
    if (P->has_quota)
        tqo_quota_result_free(&P->qr);
    tqo_assignment_free(&P->asg);
    tqo_align_result_free(&P->ar);
    tqo_instance_free(P->inst);
    free(P->warn);
    tqo_diag_free(&P->diag);
}

/* ------------------------------------------------------------------ */
/* Reading the page back                                               */
/* ------------------------------------------------------------------ */

static char *render(const report_input *in, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    assert_non_null(fp);
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_status st = tqoi_report_html_write(fp, in, &diag);
    if (st != TQO_OK)
        fprintf(stderr, "report_html_write: %s\n", tqo_diag_first_error(&diag));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(diag.n_errors, 0);
    tqo_diag_free(&diag);
    assert_int_equal(fclose(fp), 0);
    if (len)
        *len = size;
    return buf;
}

/* Occurrences of needle in [s, end) (end NULL: to the end). Not by
   strstr: under AddressSanitizer every call measures the whole rest of
   the page, which makes counting 100,000 shapes quadratic. */
static int count(const char *s, const char *end, const char *needle)
{
    int c = 0;
    size_t l = strlen(needle);
    if (!end)
        end = s + strlen(s);
    for (const char *p = s; p + l <= end; p++)
        if (*p == needle[0] && memcmp(p, needle, l) == 0) {
            c++;
            p += l - 1;
        }
    return c;
}

static int count_nocase(const char *s, const char *needle)
{
    int c = 0;
    size_t l = strlen(needle);
    for (; *s; s++)
        c += strncasecmp(s, needle, l) == 0;
    return c;
}

/* Shapes inside the map's units group. */
static int map_shapes(const char *html)
{
    const char *a = strstr(html, "<g id=\"tqo-units\">");
    if (!a)
        return 0;
    const char *b = strstr(a, "<g id=\"tqo-centres\">");
    assert_non_null(b);
    return count(a, b, "<circle");
}

/* Body rows of the table with this id; -1 when there is none. */
static int table_rows(const char *html, const char *id)
{
    char open[128];
    snprintf(open, sizeof open, "<table id=\"%s\"", id);
    const char *t = strstr(html, open);
    if (!t)
        return -1;
    const char *body = strstr(t, "<tbody>"), *end = strstr(t, "</tbody>");
    assert_non_null(body);
    assert_non_null(end);
    return count(body, end, "<tr");
}

/* Nothing that a number formatter would leave for a NaN or infinity. */
static void no_nonfinite(const char *html)
{
    static const char *const bad[] = {">nan", "nan%", "-nan", ">inf", "inf%", "NaN<", "\"nan\"", "=\"inf"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (strstr(html, bad[k]))
            fprintf(stderr, "found '%s'\n", bad[k]);
        assert_null(strstr(html, bad[k]));
    }
}

/* ------------------------------------------------------------------ */
/* The superstore plan                                                 */
/* ------------------------------------------------------------------ */

static int superstore_setup(void **state)
{
    plan *P = malloc(sizeof *P);
    if (!P)
        return -1;
    tqo_status st = plan_run(P, TQO_SOURCE_DIR "/instances/superstore", 12, "accounts:10",
                             TQO_SOURCE_DIR "/instances/superstore_scenarios.csv", 200);
    if (st != TQO_OK) {
        fprintf(stderr, "superstore plan: %s: %s\n", tqo_status_string(st), tqo_diag_first_error(&P->diag));
        plan_free(P);
        free(P);
        return -1;
    }
    *state = P;
    return 0;
}

static int superstore_teardown(void **state)
{
    plan_free(*state);
    free(*state);
    return 0;
}

static void superstore_structure(void **state)
{
    plan *P = *state;
    assert_int_equal(P->inst->n_units, 631);
    assert_int_equal(P->ns, 60);
    assert_true(P->qr.has_actual);
    char *html = render(&P->in, NULL);
    assert_int_equal(strncmp(html, "<!DOCTYPE html>\n", 16), 0);
    assert_int_equal(map_shapes(html), 631);
    assert_int_equal(table_rows(html, "tqo-territories"), 12);
    assert_int_equal(table_rows(html, "tqo-scenarios"), 60);
    assert_non_null(strstr(html, "data-units=\"631\" data-territories=\"12\" data-scenarios=\"60\""));
    /* Every section of a full plan, each once. */
    static const char *const ids[] = {"summary", "warnings", "map", "territories", "balance", "replay", "scenarios",
                                      "parameters"};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        char s[64];
        snprintf(s, sizeof s, "<section id=\"%s\">", ids[k]);
        assert_int_equal(count(html, NULL, s), 1);
    }
    /* One centre star per territory; the scenario chart inline (no XML
       prolog), one balance chart, one replay chart. */
    assert_int_equal(count(html, NULL, "<path class=\"star\""), 12);
    assert_int_equal(count(html, NULL, "<?xml"), 0);
    assert_int_equal(count(html, NULL, "class=\"sc-chart\""), 1);
    assert_int_equal(count(html, NULL, "<svg class=\"chart\""), 2);
    /* The data block and the script, nothing else. */
    assert_int_equal(count_nocase(html, "<script"), 2);
    assert_int_equal(count_nocase(html, "</script"), 2);
    /* The chosen scenario first, then the others in input order. */
    const char *chosen = P->in.chosen_scenario;
    const char *tbody = strstr(strstr(html, "<table id=\"tqo-scenarios\""), "<tbody>");
    char want[200];
    snprintf(want, sizeof want, "<tbody>\n<tr class=\"chosen\"><td class=\"t\">%s <b>(chosen)</b>", chosen);
    assert_int_equal(strncmp(tbody, want, strlen(want)), 0);
    const char *prev = tbody + 1;
    for (int s = 0; s < P->ns; s++) {
        if (strcmp(P->sc[s].name, chosen) == 0)
            continue;
        char cell[200];
        snprintf(cell, sizeof cell, "<tr><td class=\"t\">%s</td>", P->sc[s].name);
        const char *at = strstr(tbody, cell);
        assert_non_null(at);
        assert_true(at > prev);
        prev = at;
    }
    /* The parameters as given, and the unit data block in full. */
    assert_non_null(strstr(html, "<tr><td>balance</td><td>accounts:10</td></tr>"));
    assert_non_null(strstr(html, "\"name\":[\""));
    no_nonfinite(html);
    free(html);
}

static void superstore_deterministic(void **state)
{
    plan *P = *state;
    size_t la, lb;
    char *a = render(&P->in, &la), *b = render(&P->in, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

/* ------------------------------------------------------------------ */
/* Hand-built instances and results                                    */
/* ------------------------------------------------------------------ */

/* A result from one territory per unit (-1: none), filled like the
   solver's: totals, equal targets, deviations, centres at the mean
   point, compactness from squared distances. */
static void result_from(const tqo_instance *inst, int p, char *const *ids, const int *terr_of, int nb,
                        tqo_align_result *r)
{
    int n = inst->n_units;
    memset(r, 0, sizeof *r);
    r->n_units = n;
    r->n_territories = p;
    r->n_balance = nb;
    r->territory_id = calloc((size_t)p, sizeof(char *));
    r->center_x = calloc((size_t)p, sizeof(double));
    r->center_y = calloc((size_t)p, sizeof(double));
    r->unit_start = calloc((size_t)n + 1, sizeof(int));
    r->terr = calloc((size_t)n + 1, sizeof(int));
    r->share = calloc((size_t)n + 1, sizeof(double));
    r->total = calloc((size_t)p * nb + 1, sizeof(double));
    r->target = calloc((size_t)p * nb + 1, sizeof(double));
    r->dev_pct = calloc((size_t)p * nb + 1, sizeof(double));
    r->compactness = calloc((size_t)p, sizeof(double));
    r->units_in = calloc((size_t)p, sizeof(int));
    assert_true(r->territory_id && r->center_x && r->center_y && r->unit_start && r->terr && r->share && r->total &&
                r->target && r->dev_pct && r->compactness && r->units_in);
    for (int j = 0; j < p; j++)
        r->territory_id[j] = strdup(ids[j]);
    int k = 0;
    for (int i = 0; i < n; i++) {
        r->unit_start[i] = k;
        int j = terr_of[i];
        if (j < 0)
            continue;
        r->terr[k] = j;
        r->share[k++] = 1;
        r->units_in[j]++;
        r->center_x[j] += inst->x ? inst->x[i] : 0;
        r->center_y[j] += inst->y ? inst->y[i] : 0;
        for (int b = 0; b < nb; b++)
            r->total[j * nb + b] += inst->measures[b].value[i];
    }
    r->unit_start[n] = k;
    for (int j = 0; j < p; j++) {
        r->center_x[j] = r->units_in[j] && inst->x ? r->center_x[j] / r->units_in[j] : NAN;
        r->center_y[j] = r->units_in[j] && inst->y ? r->center_y[j] / r->units_in[j] : NAN;
    }
    for (int i = 0; inst->x && i < n; i++)
        if (terr_of[i] >= 0) {
            int j = terr_of[i];
            double dx = inst->x[i] - r->center_x[j], dy = inst->y[i] - r->center_y[j];
            r->compactness[j] += inst->measures[0].value[i] * (dx * dx + dy * dy);
        }
    for (int b = 0; b < nb; b++) {
        double sum = 0;
        for (int j = 0; j < p; j++)
            sum += r->total[j * nb + b];
        for (int j = 0; j < p; j++) {
            r->target[j * nb + b] = sum / p;
            r->dev_pct[j * nb + b] = sum > 0 ? 100 * (r->total[j * nb + b] / (sum / p) - 1) : 0;
            r->max_dev_pct[b] = fmax(r->max_dev_pct[b], fabs(r->dev_pct[j * nb + b]));
        }
    }
    for (int j = 0; j < p; j++)
        r->objective += r->compactness[j];
    r->lower_bound = 0.99 * r->objective;
    r->gap = 0.01;
    snprintf(r->lp_status, sizeof r->lp_status, "optimal");
}

/* Ids, names and territories that try to end every kind of context. */
static const char *const HOSTILE_ID[6] = {
    "A&B<\"x'>", "</script><script>alert(1)</script>", "<!--c", "bad\xff" "byte", "line\xe2\x80\xa8" "sep", "U5",
};
static const char *const HOSTILE_NAME[6] = {"N<i>&\"'", "</SCRIPT>", "plain", "plain", "plain", ""};
static char *const HOSTILE_T[2] = {"T<1>&\"'", "</script>"};

static tqo_instance *hostile_instance(int coords)
{
    int n = 6;
    tqo_instance *inst = calloc(1, sizeof *inst);
    assert_non_null(inst);
    inst->source = strdup("hostile <&> \"source\"");
    inst->n_units = n;
    inst->unit_id = calloc((size_t)n, sizeof(char *));
    inst->coords = coords ? TQO_COORDS_XY : TQO_COORDS_NONE;
    if (coords) {
        inst->x = calloc((size_t)n, sizeof(double));
        inst->y = calloc((size_t)n, sizeof(double));
    }
    inst->n_measures = 1;
    inst->measures = calloc(1, sizeof(tqo_measure));
    inst->measures[0].name = strdup("m<&>");
    inst->measures[0].value = calloc((size_t)n, sizeof(double));
    inst->n_labels = 1;
    inst->labels = calloc(1, sizeof(tqo_label));
    inst->labels[0].name = strdup("name");
    inst->labels[0].value = calloc((size_t)n, sizeof(char *));
    inst->n_territories = 2;
    inst->territory_id = calloc(2, sizeof(char *));
    inst->territory_id[0] = strdup(HOSTILE_T[1]); /* the other order: matched by id */
    inst->territory_id[1] = strdup(HOSTILE_T[0]);
    inst->current = calloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) {
        inst->unit_id[i] = strdup(HOSTILE_ID[i]);
        inst->labels[0].value[i] = strdup(HOSTILE_NAME[i]);
        inst->measures[0].value[i] = i == 1 ? 50 : 10; /* unit 1: larger than a territory may be */
        if (coords) {
            inst->x[i] = i % 3;
            inst->y[i] = i / 3;
        }
        inst->current[i] = i < 3 ? 1 : 0; /* T<1> then </script>, by the instance's order */
    }
    return inst;
}

static void hostile_escaped(void **state)
{
    (void)state;
    tqo_instance *inst = hostile_instance(1);
    int terr_of[6] = {0, 0, 1, 1, 1, -1}; /* unit 2 moved; U5 in none */
    tqo_align_result r;
    result_from(inst, 2, HOSTILE_T, terr_of, 1, &r);
    r.n_exceptions = 1;
    r.exceptions = calloc(1, sizeof(tqo_exception));
    r.exceptions[0] = (tqo_exception){.territory = 1, .component = 1, .n_units = 1, .first_unit = 0};
    tqo_align_settings as;
    tqo_align_settings_default(&as);
    as.n_balance = 1;
    as.balance[0] = "M<&>"; /* found case-insensitively, shown as written in the instance */
    as.balance_tol_pct[0] = 10;
    const char *keys[2] = {"k<&>", "note"}, *vals[2] = {"v\"'", "</script>"};
    const char *warns[1] = {"warning: <b>bold</b> & \"quoted\""};
    report_input in = {0};
    in.title = "plan <title> & \"more\"";
    in.inst = inst;
    in.align_settings = &as;
    in.align = &r;
    in.n_params = 2;
    in.param_key = keys;
    in.param_value = vals;
    in.n_warnings = 1;
    in.warnings = warns;
    char *html = render(&in, NULL);

    /* Nothing that could end or open an element or a script. */
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "<i>"));
    assert_null(strstr(html, "<b>bold"));
    assert_null(strstr(html, "<!--"));
    assert_null(strstr(html, "<title>plan <"));
    assert_int_equal(count_nocase(html, "<script"), 2);
    assert_int_equal(count_nocase(html, "</script"), 2);
    assert_null(strstr(html, "\xff"));
    /* Escaped as text and attributes... */
    assert_non_null(strstr(html, "<title>plan &lt;title&gt; &amp; &quot;more&quot;</title>"));
    assert_non_null(strstr(html, "T&lt;1&gt;&amp;&quot;&#39;"));
    assert_non_null(strstr(html, "&lt;/script&gt;"));
    assert_non_null(strstr(html, "<td>k&lt;&amp;&gt;</td><td>v&quot;&#39;</td>"));
    assert_non_null(strstr(html, "<li>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</li>")); /* no "warning: " */
    assert_non_null(strstr(html, "aria-label=\"deviation of m&lt;&amp;&gt; by territory\""));
    assert_non_null(strstr(html, "hostile &lt;&amp;&gt; &quot;source&quot;"));
    /* ...and in the JSON block: no '<', '>' or '&', bad bytes replaced,
       U+2028 escaped. */
    const char *data = strstr(html, "<script type=\"application/json\" id=\"tqo-data\">\n");
    assert_non_null(data);
    data += strlen("<script type=\"application/json\" id=\"tqo-data\">\n");
    const char *end = strstr(data, "</script>");
    assert_non_null(end);
    assert_int_equal(count(data, end, "<") + count(data, end, ">") + count(data, end, "&"), 0);
    assert_non_null(strstr(data, "\"A\\u0026B\\u003c\\\"x'\\u003e\""));
    assert_non_null(strstr(data, "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""));
    assert_non_null(strstr(data, "\"bad\\ufffdbyte\""));
    assert_non_null(strstr(data, "\"line\\u2028sep\""));
    assert_non_null(strstr(data, "\"N\\u003ci\\u003e\\u0026\\\"'\""));
    /* One shape per unit, the unassigned one included; moves matched by
       id against the current plan (see hostile_moves). */
    assert_int_equal(map_shapes(html), 6);
    assert_int_equal(table_rows(html, "tqo-territories"), 2);
    assert_int_equal(table_rows(html, "tqo-scenarios"), -1);
    assert_non_null(strstr(html, "units moved against the current plan"));
    /* The warnings in plain words: the oversize unit (50 against at most
       1.1 x 45), both territories out of the band (60 and 30 against 45),
       the island, and the given warning. */
    assert_non_null(strstr(html, "1 unit is larger on m&lt;&amp;&gt; than a territory may be"));
    assert_non_null(strstr(html, "2 territories are outside the \xc2\xb1" "10% band on m&lt;&amp;&gt;"));
    assert_non_null(strstr(html, "An island of 1 unit (with N&lt;i&gt;&amp;&quot;&#39; (A&amp;B&lt;&quot;x&#39;&gt;)) "
                                 "is part of territory &lt;/script&gt;"));
    assert_null(strstr(html, "id=\"replay\""));
    assert_null(strstr(html, "id=\"scenarios\""));
    free(html);
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
}

/* Moves are counted per territory against the current plan by id. */
static void hostile_moves(void **state)
{
    (void)state;
    tqo_instance *inst = hostile_instance(1);
    /* current: units 0-2 in T<1>, 3-5 in </script>. Now: 0,1 in T<1>;
       2,3,4 in </script>; 5 in none. Moved: unit 2 (T<1> -> </script>),
       unit 5 (</script> -> none). */
    int terr_of[6] = {0, 0, 1, 1, 1, -1};
    tqo_align_result r;
    result_from(inst, 2, HOSTILE_T, terr_of, 1, &r);
    report_input in = {0};
    in.inst = inst;
    in.align = &r;
    char *html = render(&in, NULL);
    assert_non_null(strstr(html, "<div class=\"card\"><b>2</b><span>units moved against the current plan"));
    /* Rows: T<1>: moved in 0, out 1; </script>: in 1, out 1. */
    assert_non_null(strstr(html, "<td data-v=\"0\">0</td><td data-v=\"1\">1</td></tr>"));
    assert_non_null(strstr(html, "<td data-v=\"1\">1</td><td data-v=\"1\">1</td></tr>"));
    /* Without settings: measures named generically, no band. */
    assert_non_null(strstr(html, "measure 1 dev %"));
    free(html);

    /* Other territories drawn than the current plan's: not measured. */
    char *other[2] = {"X1", "X2"};
    tqo_align_result r2;
    result_from(inst, 2, other, terr_of, 1, &r2);
    in.align = &r2;
    html = render(&in, NULL);
    assert_null(strstr(html, "moved in"));
    assert_non_null(strstr(html, "moves are not measured against it"));
    free(html);
    tqo_align_result_free(&r);
    tqo_align_result_free(&r2);
    tqo_instance_free(inst);
}

/* No coordinates, no quotas, no scenarios: no map, no data block, no
   later sections; the self-test expects no shapes. */
static void no_coordinates(void **state)
{
    (void)state;
    tqo_instance *inst = hostile_instance(0);
    int terr_of[6] = {0, 0, 0, 1, 1, 1};
    tqo_align_result r;
    result_from(inst, 2, HOSTILE_T, terr_of, 1, &r);
    report_input in = {0};
    in.inst = inst;
    in.align = &r;
    char *html = render(&in, NULL);
    assert_non_null(strstr(html, "no coordinates"));
    assert_int_equal(map_shapes(html), 0);
    assert_null(strstr(html, "id=\"tqo-data\""));
    assert_non_null(strstr(html, "data-units=\"0\" data-territories=\"2\" data-scenarios=\"0\""));
    assert_int_equal(count_nocase(html, "<script"), 1);
    assert_int_equal(table_rows(html, "tqo-territories"), 2);
    no_nonfinite(html);
    free(html);
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
}

/* ------------------------------------------------------------------ */
/* Scale                                                               */
/* ------------------------------------------------------------------ */

/* 100,000 units in 1,000 territories (the generator's current plan as
   the result) with quotas: one shape per unit, one row per territory,
   under 20 MB. */
static void large_instance(void **state)
{
    (void)state;
    tqo_generate_settings gs;
    tqo_generate_settings_default(&gs);
    gs.n_units = 100000;
    gs.n_territories = 1000;
    tqo_instance *inst = NULL;
    tqo_diag diag;
    tqo_diag_init(&diag);
    assert_int_equal(tqo_generate(&gs, &inst, &diag), TQO_OK);
    int n = inst->n_units, p = inst->n_territories;
    int b = tqo_instance_measure(inst, "workload");
    assert_true(b >= 0);
    /* The balanced measure first, as result_from expects. */
    tqo_measure t = inst->measures[0];
    inst->measures[0] = inst->measures[b];
    inst->measures[b] = t;
    tqo_align_result r;
    result_from(inst, p, inst->territory_id, inst->current, 1, &r);
    tqo_align_settings as;
    tqo_align_settings_default(&as);
    as.n_balance = 1;
    as.balance[0] = "workload";
    as.balance_tol_pct[0] = 5;
    tqo_assignment asg;
    assert_int_equal(assignment_from_result(&r, &asg), TQO_OK);
    tqo_quota_settings qs;
    tqo_quota_settings_default(&qs);
    qs.growth_pct = 5;
    tqo_quota_result q;
    memset(&q, 0, sizeof q);
    assert_int_equal(tqo_quota(inst, &asg, &qs, &q, &diag), TQO_OK);
    report_input in = {0};
    in.title = "100,000 units";
    in.inst = inst;
    in.align_settings = &as;
    in.align = &r;
    in.quota_settings = &qs;
    in.quota = &q;
    size_t len;
    char *html = render(&in, &len);
    fprintf(stderr, "# report at %d units, %d territories: %zu bytes\n", n, p, len);
    assert_true(len < 20u * 1000 * 1000);
    assert_int_equal(map_shapes(html), n);
    assert_int_equal(table_rows(html, "tqo-territories"), p);
    /* No per-unit tooltips: the titles are the centres' and the bars'. */
    assert_true(count(html, NULL, "<title>") <= 1 + 2 * p);
    no_nonfinite(html);
    free(html);
    tqo_quota_result_free(&q);
    tqo_assignment_free(&asg);
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static void bad_input(void **state)
{
    (void)state;
    tqo_diag diag;
    tqo_diag_init(&diag);
    FILE *fp = tmpfile();
    assert_non_null(fp);
    report_input in = {0};
    assert_int_equal(tqoi_report_html_write(fp, &in, &diag), TQO_ERR_ARG);
    assert_int_equal(tqoi_report_html_write(fp, NULL, &diag), TQO_ERR_ARG);
    tqo_instance *inst = hostile_instance(1);
    int terr_of[6] = {0, 0, 0, 1, 1, 1};
    tqo_align_result r;
    result_from(inst, 2, HOSTILE_T, terr_of, 1, &r);
    in.inst = inst;
    in.align = &r;
    r.n_units = 5; /* not this instance's */
    assert_int_equal(tqoi_report_html_write(fp, &in, &diag), TQO_ERR_ARG);
    r.n_units = 6;
    tqo_scenarios_result sr;
    memset(&sr, 0, sizeof sr);
    sr.n_scenarios = 3;
    in.scen = &sr; /* without the scenarios */
    assert_int_equal(tqoi_report_html_write(fp, &in, &diag), TQO_ERR_ARG);
    assert_true(diag.n_errors >= 4);
    assert_non_null(strstr(tqo_diag_first_error(&diag), "report.html"));
    assert_int_equal(ftell(fp), 0); /* nothing written on refusal */
    fclose(fp);

    /* A full disk: an I/O error, not success. */
    in.scen = NULL;
    fp = fopen("/dev/full", "w");
    if (fp) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        assert_int_equal(tqoi_report_html_write(fp, &in, &diag), TQO_ERR_IO);
        assert_int_equal(diag.n_errors, 1);
        fclose(fp);
    }
    tqo_align_result_free(&r);
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
}

/* ------------------------------------------------------------------ */

static int write_fixture(int argc, char **argv)
{
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: %s --write OUT.html INSTANCE K MEASURE:TOL [SCENARIOS.csv]\n", argv[0]);
        return 2;
    }
    plan P;
    tqo_status st = plan_run(&P, argv[3], atoi(argv[4]), argv[5], argc > 6 ? argv[6] : NULL, 200);
    FILE *fp = st == TQO_OK ? fopen(argv[2], "w") : NULL;
    if (st == TQO_OK && !fp)
        st = TQO_ERR_IO;
    if (st == TQO_OK)
        st = tqoi_report_html_write(fp, &P.in, &P.diag);
    if (fp && fclose(fp) != 0 && st == TQO_OK)
        st = TQO_ERR_IO;
    if (st != TQO_OK)
        fprintf(stderr, "%s: %s: %s\n", argv[0], tqo_status_string(st),
                tqo_diag_first_error(&P.diag) ? tqo_diag_first_error(&P.diag) : "");
    plan_free(&P);
    return st == TQO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--write") == 0)
        return write_fixture(argc, argv);
    const struct CMUnitTest superstore[] = {
        cmocka_unit_test(superstore_structure),
        cmocka_unit_test(superstore_deterministic),
    };
    const struct CMUnitTest others[] = {
        cmocka_unit_test(hostile_escaped),
        cmocka_unit_test(hostile_moves),
        cmocka_unit_test(no_coordinates),
        cmocka_unit_test(large_instance),
        cmocka_unit_test(bad_input),
    };
    int failed = cmocka_run_group_tests_name("report_html superstore", superstore, superstore_setup,
                                             superstore_teardown);
    failed += cmocka_run_group_tests_name("report_html", others, NULL, NULL);
    return failed != 0;
}
