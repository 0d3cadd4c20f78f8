/* The instance loader: good files load exactly, bad files give their
   precise message and status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tqo.h"

#define FIX TQO_SOURCE_DIR "/tests/fixtures"
#define assert_close(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static tqo_instance *load_ok(const char *dir, const char *adjacency)
{
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    s.adjacency = adjacency;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(dir, &s, &inst, &d);
    if (st != TQO_OK)
        fprintf(stderr, "%s: %s\n", dir, tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(d.n_errors, 0);
    tqo_diag_free(&d);
    return inst;
}

static double hist(const tqo_instance *inst, int v, const char *unit, const char *period)
{
    tqo_period_kind k;
    int o;
    assert_true(tqo_period_parse(period, &k, &o));
    int u = tqo_instance_unit(inst, unit);
    assert_true(u >= 0);
    return inst->history[v][(size_t)u * inst->n_periods + (o - inst->period_first)];
}

static void quoting_bom_crlf(void **state)
{
    (void)state;
    tqo_instance *inst = load_ok(FIX "/good/quoting", NULL);
    assert_int_equal(inst->n_units, 4);
    assert_int_equal(inst->coords, TQO_COORDS_LATLON);
    assert_string_equal(inst->unit_id[0], "00010"); /* leading zeros kept */
    int name = tqo_instance_label(inst, "name");
    assert_true(name >= 0);
    assert_string_equal(inst->labels[name].value[0], "Rivoli, Torino");
    assert_string_equal(inst->labels[name].value[1], "The \"Old\" Town");
    assert_string_equal(inst->labels[name].value[2], "Two\r\nline name");
    assert_close(inst->x[0], 7.5, 0);
    assert_close(inst->y[3], 45.3, 0);
    int w = tqo_instance_measure(inst, "WORKLOAD");
    assert_true(w >= 0);
    assert_close(inst->measures[w].value[3], 100.0, 0);
    assert_int_equal(inst->n_territories, 2);
    assert_int_equal(inst->current[0], inst->current[1]);
    assert_int_equal(inst->current[3], -1);
    assert_int_equal(inst->n_edges, 2); /* a repeated pair is dropped */
    tqo_instance_free(inst);
}

static void full_instance(void **state)
{
    (void)state;
    tqo_instance *inst = load_ok(FIX "/good/full", NULL);
    assert_int_equal(inst->n_units, 7);
    assert_int_equal(inst->coords, TQO_COORDS_XY);
    assert_int_equal(inst->n_measures, 2);
    assert_int_equal(inst->n_labels, 1);
    assert_int_equal(inst->n_territories, 3);
    assert_true(inst->has_territories_file);
    assert_int_equal(inst->n_homes, 2);
    assert_true(isnan(inst->home_x[2]));
    assert_close(inst->capacity[1], 2.0, 0);
    assert_close(inst->ramp[1], 0.5, 0);
    assert_string_equal(inst->region[1], "East");
    assert_string_equal(inst->rep[0], "Ann");
    assert_int_equal(inst->n_territory_labels, 1);
    assert_string_equal(inst->territory_labels[0].value[1], "new hire, ramping");
    assert_int_equal(inst->n_edges, 7);
    for (int e = 0; e < inst->n_edges; e++)
        assert_true(inst->edge_u[e] < inst->edge_v[e]);
    int *comp = malloc(sizeof(int) * 7);
    assert_int_equal(tqo_graph_components(inst, comp), 2);
    free(comp);
    assert_int_equal(inst->n_locks, 2);
    assert_int_equal(inst->lock[0], 0);
    assert_int_equal(inst->lock[5], 1);
    assert_int_equal(inst->lock[1], -1);
    assert_int_equal(inst->period_kind, TQO_PERIOD_MONTH);
    assert_int_equal(inst->n_periods, 14);
    assert_int_equal(inst->n_history_values, 2);
    assert_close(hist(inst, 0, "a1", "2023-02"), 110, 0);
    assert_close(hist(inst, 0, "b1", "2023-12"), -5, 0); /* returns may be negative */
    assert_close(hist(inst, 0, "a3", "2023-05"), 0, 0);  /* missing row is zero */
    assert_close(hist(inst, 1, "a6", "2024-02"), 10, 0);
    tqo_instance_stats st;
    assert_int_equal(tqo_instance_stats_compute(inst, &st), TQO_OK);
    assert_close(st.measures[0].total, 65, 0);
    assert_int_equal(st.n_components, 2);
    assert_int_equal(st.n_isolated, 1);
    assert_close(st.history_totals[0], 1255.5, 1e-9);
    tqo_instance_stats_free(&st);
    tqo_instance_free(inst);
}

static void delaunay_adjacency(void **state)
{
    (void)state;
    tqo_instance *inst = load_ok(FIX "/good/full", "delaunay");
    assert_string_equal(inst->adjacency_source, "delaunay");
    int *comp = malloc(sizeof(int) * 7);
    assert_int_equal(tqo_graph_components(inst, comp), 1);
    free(comp);
    tqo_instance_free(inst);
}

/* Every bad fixture: TQO_ERR_INPUT, and the first message is exactly the
   one in its 'expected' file, prefixed with the fixture's path. */
static void malformed_fixtures(void **state)
{
    (void)state;
    DIR *dir = opendir(FIX "/bad");
    assert_non_null(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024], exp_path[1100], want[2048], expected[1024];
        snprintf(path, sizeof path, FIX "/bad/%s", e->d_name);
        snprintf(exp_path, sizeof exp_path, "%s/expected", path);
        FILE *fp = fopen(exp_path, "r");
        assert_non_null(fp);
        assert_non_null(fgets(expected, sizeof expected, fp));
        fclose(fp);
        expected[strcspn(expected, "\n")] = '\0';
        snprintf(want, sizeof want, "%s/%s", path, expected);
        tqo_diag d;
        tqo_diag_init(&d);
        tqo_instance *inst = (tqo_instance *)1;
        tqo_status st = tqo_instance_load(path, NULL, &inst, &d);
        if (st != TQO_ERR_INPUT || !tqo_diag_first_error(&d) || strcmp(tqo_diag_first_error(&d), want) != 0)
            fprintf(stderr, "fixture %s\n  want: %s\n  got:  %s (status %d)\n", e->d_name, want,
                    tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "(none)", st);
        assert_int_equal(st, TQO_ERR_INPUT);
        assert_null(inst);
        assert_string_equal(tqo_diag_first_error(&d), want);
        tqo_diag_free(&d);
        n++;
    }
    closedir(dir);
    assert_true(n >= 30);
}

static void shared_data(void **state)
{
    (void)state;
    struct stat sb;
    if (stat(TQO_SHARED_DATA "/italy/units.csv", &sb) != 0)
        skip();
    tqo_instance *it = load_ok(TQO_SHARED_DATA "/italy", NULL);
    assert_int_equal(it->n_units, 7900);
    tqo_instance_stats st;
    assert_int_equal(tqo_instance_stats_compute(it, &st), TQO_OK);
    int pop = tqo_instance_measure(it, "population");
    assert_close(st.measures[pop].total, 59414471.0, 0);
    assert_string_equal(it->unit_id[0], "001001");
    tqo_instance_stats_free(&st);
    tqo_instance_free(it);

    tqo_instance *us = load_ok(TQO_SHARED_DATA "/uscounties", NULL);
    assert_int_equal(us->n_units, 3231);
    assert_int_equal(us->n_edges, 8944);
    assert_int_equal(tqo_instance_stats_compute(us, &st), TQO_OK);
    assert_int_equal(st.n_components, 21);
    tqo_instance_stats_free(&st);
    tqo_instance_free(us);

    tqo_instance *ss = load_ok(TQO_SHARED_DATA "/superstore", NULL);
    assert_int_equal(ss->n_units, 631);
    assert_int_equal(ss->n_periods, 16);
    assert_int_equal(ss->period_kind, TQO_PERIOD_QUARTER);
    char buf[16];
    tqo_period_format(ss->period_kind, ss->period_first, buf, sizeof buf);
    assert_string_equal(buf, "2014Q1");
    tqo_instance_free(ss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_bom_crlf),
        cmocka_unit_test(full_instance),
        cmocka_unit_test(delaunay_adjacency),
        cmocka_unit_test(malformed_fixtures),
        cmocka_unit_test(shared_data),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* ctest counts cmocka's skip() as passed: without the shared data the
       whole file says skipped (77) once the other tests have passed. */
    struct stat sb;
    if (!failed && stat(TQO_SHARED_DATA "/italy/units.csv", &sb) != 0) {
        fprintf(stderr, "skipped: shared data not found at %s\n", TQO_SHARED_DATA);
        return 77;
    }
    return failed;
}
