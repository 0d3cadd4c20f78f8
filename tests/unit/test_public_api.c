/*
 * The public API alone (include/tqo.h, nothing from solver/): load the
 * bundled superstore instance, align it, hand the result to tqo_quota in
 * memory, and write the planning report; plus the small public helpers the
 * command line uses (validation.json, forecast names, region targets,
 * number formatting). Every check recomputes a property from the data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tqo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUPERSTORE TQO_SOURCE_DIR "/instances/superstore"

typedef struct fixture {
    char dir[64];               /* a temporary folder */
    tqo_instance *inst;
    tqo_align_settings as;
    tqo_align_result ar;
    tqo_assignment asg;
} fixture;

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, fp) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(fp);
    if (s) {
        s[n] = 0;
        *len = (size_t)n;
    }
    return s;
}

static void remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* 12 territories balanced on accounts within 10%, as `make demo` draws. */
static int setup(void **state)
{
    fixture *F = calloc(1, sizeof *F);
    if (!F)
        return -1;
    snprintf(F->dir, sizeof F->dir, "/tmp/tqo_public_api_XXXXXX");
    if (!mkdtemp(F->dir)) {
        free(F);
        return -1;
    }
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    tqo_status st = tqo_instance_load(SUPERSTORE, &ls, &F->inst, &d);
    if (st == TQO_OK) {
        tqo_align_settings_default(&F->as);
        F->as.k = 12;
        F->as.n_balance = 1;
        F->as.balance[0] = "accounts";
        F->as.balance_tol_pct[0] = 10;
        F->as.stable_summary = 1;
        st = tqo_align(F->inst, &F->as, &F->ar, &d);
    }
    if (st == TQO_OK)
        st = tqo_align_assignment(&F->ar, &F->asg, &d);
    if (st != TQO_OK)
        fprintf(stderr, "setup: %s: %s\n", tqo_status_string(st), tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    *state = F;
    return st == TQO_OK ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *F = *state;
    tqo_assignment_free(&F->asg);
    tqo_align_result_free(&F->ar);
    tqo_instance_free(F->inst);
    remove_tree(F->dir);
    free(F);
    return 0;
}

/* Every unit assigned once (or split with shares adding to exactly 1),
   territories in id order, and accounts per territory as the alignment
   totals them. */
static void test_assignment_covers_units(void **state)
{
    fixture *F = *state;
    const tqo_assignment *a = &F->asg;
    const tqo_instance *inst = F->inst;
    assert_int_equal(a->n_units, inst->n_units);
    assert_int_equal(a->n_territories, 12);
    for (int j = 1; j < a->n_territories; j++)
        assert_true(strcmp(a->territory_id[j - 1], a->territory_id[j]) < 0);
    int m = tqo_instance_measure(inst, "accounts");
    assert_true(m >= 0);
    double *acc = calloc((size_t)a->n_territories, sizeof *acc);
    int *seen = calloc((size_t)a->n_territories, sizeof *seen);
    assert_non_null(acc);
    assert_non_null(seen);
    assert_int_equal(a->unit_start[0], 0);
    for (int i = 0; i < a->n_units; i++) {
        int s = a->unit_start[i], e = a->unit_start[i + 1];
        assert_true(e > s); /* assigned */
        double sum = 0;
        for (int k = s; k < e; k++) {
            assert_in_range(a->terr[k], 0, a->n_territories - 1);
            for (int q = s; q < k; q++)
                assert_int_not_equal(a->terr[q], a->terr[k]); /* once per territory */
            assert_true(a->share[k] > 0 && a->share[k] <= 1);
            sum += a->share[k];
            acc[a->terr[k]] += a->share[k] * inst->measures[m].value[i];
            seen[a->terr[k]] = 1;
        }
        assert_true(fabs(sum - 1) < 1e-12);
    }
    /* the alignment's own totals, territory by id */
    for (int j = 0; j < F->ar.n_territories; j++) {
        int t = -1;
        for (int q = 0; q < a->n_territories; q++)
            if (strcmp(a->territory_id[q], F->ar.territory_id[j]) == 0)
                t = q;
        assert_true(t >= 0);
        assert_true(seen[t]);
        assert_true(fabs(acc[t] - F->ar.total[j * F->ar.n_balance]) <= 1e-9 * (1 + acc[t]));
    }
    free(acc);
    free(seen);
}

/* In memory equals through the file, bit for bit. */
static void test_assignment_equals_file(void **state)
{
    fixture *F = *state;
    char dir[128], path[160];
    snprintf(dir, sizeof dir, "%s/align", F->dir);
    snprintf(path, sizeof path, "%s/assignment.csv", dir);
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_align_write(F->inst, &F->as, &F->ar, dir, &d), TQO_OK);
    tqo_assignment b;
    assert_int_equal(tqo_assignment_load(path, F->inst, &b, &d), TQO_OK);
    const tqo_assignment *a = &F->asg;
    assert_int_equal(a->n_units, b.n_units);
    assert_int_equal(a->n_territories, b.n_territories);
    for (int j = 0; j < a->n_territories; j++)
        assert_string_equal(a->territory_id[j], b.territory_id[j]);
    assert_memory_equal(a->unit_start, b.unit_start, ((size_t)a->n_units + 1) * sizeof(int));
    int nnz = a->unit_start[a->n_units];
    assert_memory_equal(a->terr, b.terr, (size_t)nnz * sizeof(int));
    assert_memory_equal(a->share, b.share, (size_t)nnz * sizeof(double));
    tqo_assignment_free(&b);
    tqo_diag_free(&d);
}

static void test_assignment_bad_result(void **state)
{
    (void)state;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_align_result empty;
    memset(&empty, 0, sizeof empty);
    tqo_assignment a;
    assert_int_equal(tqo_align_assignment(&empty, &a, &d), TQO_ERR_ARG);
    assert_null(a.unit_start);
    assert_non_null(tqo_diag_first_error(&d));
    assert_int_equal(tqo_align_assignment(NULL, &a, &d), TQO_ERR_ARG);
    tqo_diag_free(&d);
}

/* Sales of the units in one calendar year (whole history, all units). */
static double year_sales(const tqo_instance *inst, int v, int year, const tqo_assignment *a, double *per_terr)
{
    double total = 0;
    for (int t = 0; t < inst->n_periods; t++) {
        if (tqo_period_year(inst->period_kind, inst->period_first + t) != year)
            continue;
        for (int i = 0; i < inst->n_units; i++) {
            double x = inst->history[v][(size_t)i * inst->n_periods + t];
            if (isnan(x))
                continue;
            total += x;
            for (int k = a->unit_start[i]; k < a->unit_start[i + 1]; k++)
                per_terr[a->terr[k]] += a->share[k] * x;
        }
    }
    return total;
}

/* The 2017 quotas from 2014-2016 with 10% growth, on the assignment in memory. */
static void test_quota_chained(void **state)
{
    fixture *F = *state;
    const tqo_instance *inst = F->inst;
    tqo_quota_settings qs;
    tqo_quota_settings_default(&qs);
    qs.potential = "accounts";
    qs.history_until = "2016Q4";
    qs.growth_pct = 10;
    tqo_quota_result r;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqo_quota(inst, &F->asg, &qs, &r, &d);
    if (st != TQO_OK)
        fprintf(stderr, "tqo_quota: %s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(r.plan_year, 2017);
    assert_int_equal(r.n_territories, F->asg.n_territories);
    int v = -1;
    for (int k = 0; k < inst->n_history_values; k++)
        if (strcmp(inst->history_value_name[k], "sales") == 0)
            v = k;
    assert_true(v >= 0);
    double *last = calloc((size_t)r.n_territories, sizeof *last);
    assert_non_null(last);
    double s2016 = year_sales(inst, v, 2016, &F->asg, last);
    /* the target: 2016's sales plus 10%, and the quotas add up to it */
    assert_true(fabs(r.target - 1.1 * s2016) <= 1e-6 * r.target);
    double sum = 0;
    for (int j = 0; j < r.n_territories; j++) {
        assert_string_equal(r.territory_id[j], F->asg.territory_id[j]);
        assert_true(r.quota[j] >= 0);
        /* last year through the shares of the assignment */
        assert_true(fabs(r.last_year[j] - last[j]) <= 1e-6 * (1 + last[j]));
        double per = 0;
        for (int p = 0; p < r.per_year; p++)
            per += r.period_quota[(size_t)j * r.per_year + p];
        assert_true(fabs(per - r.quota[j]) <= 1e-6 * (1 + r.quota[j]));
        sum += r.quota[j];
    }
    assert_true(fabs(sum - r.total) <= 1e-6 * r.total);
    assert_true(fabs(r.total - r.target) <= 1e-6 * r.target); /* no over-assignment asked */
    free(last);

    /* and the planning report from the same results, through an output set */
    char rdir[128], rpath[160];
    snprintf(rdir, sizeof rdir, "%s/report", F->dir);
    snprintf(rpath, sizeof rpath, "%s/report.html", rdir);
    tqo_report_input in;
    memset(&in, 0, sizeof in);
    in.title = "public api";
    in.inst = inst;
    in.align_settings = &F->as;
    in.align = &F->ar;
    in.quota_settings = &qs;
    in.quota = &r;
    tqo_outset *o = tqo_outset_new(rdir);
    assert_non_null(o);
    FILE *fp = tqo_outset_open(o, "report.html");
    assert_non_null(fp);
    st = tqo_report_write(fp, &in, &d);
    if (st != TQO_OK)
        fprintf(stderr, "tqo_report_write: %s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(tqo_outset_commit(o, &d), TQO_OK);
    size_t len = 0;
    char *html = slurp(rpath, &len);
    assert_non_null(html);
    assert_true(len > 1000);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "</html>"));
    assert_non_null(strstr(html, "public api"));
    for (int j = 0; j < r.n_territories; j++)
        assert_non_null(strstr(html, r.territory_id[j]));
    free(html);
    assert_int_equal(tqo_report_write(NULL, &in, &d), TQO_ERR_ARG);
    in.align = NULL;
    FILE *dn = fopen("/dev/null", "w");
    assert_non_null(dn);
    assert_int_equal(tqo_report_write(dn, &in, &d), TQO_ERR_ARG);
    fclose(dn);
    tqo_quota_result_free(&r);
    tqo_diag_free(&d);
}

/* The number after "key": in a JSON text, or NAN. */
static double json_number(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void test_validation_json(void **state)
{
    fixture *F = *state;
    tqo_instance_stats st;
    assert_int_equal(tqo_instance_stats_compute(F->inst, &st), TQO_OK);
    char path[160];
    snprintf(path, sizeof path, "%s/validation.json", F->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(tqo_instance_stats_write_json(fp, F->inst, &st), TQO_OK);
    fclose(fp);
    size_t len = 0;
    char *json = slurp(path, &len);
    assert_non_null(json);
    assert_true(len > 2 && json[0] == '{' && json[len - 1] == '\n');
    assert_true(json_number(json, "units") == F->inst->n_units);
    double accounts = 0;
    int m = tqo_instance_measure(F->inst, "accounts");
    for (int i = 0; i < F->inst->n_units; i++)
        accounts += F->inst->measures[m].value[i];
    assert_true(json_number(json, "total") == accounts); /* the first measure's total */
    assert_true(json_number(json, "rows") == (double)F->inst->n_history_rows);
    free(json);
    assert_int_equal(tqo_instance_stats_write_json(NULL, F->inst, &st), TQO_ERR_ARG);
    tqo_instance_stats_free(&st);
}

static void test_forecast_names(void **state)
{
    (void)state;
    assert_string_equal(tqo_forecast_method_lookup("HOLT"), "holt");
    assert_string_equal(tqo_forecast_method_lookup("trend"), "trend");
    assert_string_equal(tqo_forecast_method_lookup("Auto"), "auto");
    assert_string_equal(tqo_forecast_method_lookup("last"), "last");
    assert_null(tqo_forecast_method_lookup("linear"));
    assert_null(tqo_forecast_method_lookup(NULL));
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_region_targets(void **state)
{
    fixture *F = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/regions.csv", F->dir);
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_region_targets rt;
    write_text(path, "target,region\n100.5,East\n0,West\n");
    assert_int_equal(tqo_region_targets_load(path, &rt, &d), TQO_OK);
    assert_int_equal(rt.n, 2);
    assert_string_equal(rt.name[0], "East");
    assert_string_equal(rt.name[1], "West");
    assert_true(rt.target[0] == 100.5 && rt.target[1] == 0);
    tqo_region_targets_free(&rt);
    assert_int_equal(rt.n, 0);

    write_text(path, "region,target\nEast,1\nWest,abc\nEast,2\n");
    assert_int_equal(tqo_region_targets_load(path, &rt, &d), TQO_ERR_INPUT);
    assert_int_equal(rt.n, 0);
    assert_int_equal(d.n_errors, 2);
    assert_non_null(strstr(d.msgs[0], "regions.csv:3: column 'target': 'abc' is not a non-negative number"));
    assert_non_null(strstr(d.msgs[1], "regions.csv:4: column 'region': region 'East' appears twice"));
    tqo_region_targets_free(&rt);

    snprintf(path, sizeof path, "%s/missing.csv", F->dir);
    assert_int_equal(tqo_region_targets_load(path, &rt, &d), TQO_ERR_INPUT);
    assert_int_equal(tqo_region_targets_load(NULL, &rt, &d), TQO_ERR_ARG);
    tqo_diag_free(&d);
}

static void test_number_format(void **state)
{
    (void)state;
    char b[64];
    tqo_format_double(0.1, b, sizeof b);
    assert_string_equal(b, "0.1");
    tqo_format_double(0, b, sizeof b);
    assert_string_equal(b, "0");
    tqo_format_double(1.0 / 3, b, sizeof b);
    assert_true(strtod(b, NULL) == 1.0 / 3);
    tqo_format_thousands(1234567.8, "n/a", b, sizeof b);
    assert_string_equal(b, "1,234,568");
    tqo_format_thousands(-4910, "n/a", b, sizeof b);
    assert_string_equal(b, "-4,910");
    tqo_format_thousands(332.5, "n/a", b, sizeof b);
    assert_string_equal(b, "332.5");
    tqo_format_thousands(NAN, "n/a", b, sizeof b);
    assert_string_equal(b, "n/a");
}

int main(void)
{
    if (access(SUPERSTORE "/units.csv", R_OK) != 0) {
        fprintf(stderr, "skipped: %s is missing\n", SUPERSTORE);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignment_covers_units),
        cmocka_unit_test(test_assignment_equals_file),
        cmocka_unit_test(test_assignment_bad_result),
        cmocka_unit_test(test_quota_chained),
        cmocka_unit_test(test_validation_json),
        cmocka_unit_test(test_forecast_names),
        cmocka_unit_test(test_region_targets),
        cmocka_unit_test(test_number_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
