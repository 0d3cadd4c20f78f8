/*
 * tqo_generate and tqo_instance_write: a generated instance is complete
 * and consistent (ids, coordinates, measures, connected adjacency, a plan
 * with every territory used, history), deterministic for a seed, different
 * for another; settings are validated; and the writer's files hold exactly
 * the instance's values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tqo.h"

static tqo_instance *gen(int n, int p, int periods, tqo_period_kind g, uint64_t seed, int geo)
{
    tqo_generate_settings s;
    tqo_generate_settings_default(&s);
    s.n_units = n;
    s.n_territories = p;
    s.n_periods = periods;
    s.granularity = g;
    s.seed = seed;
    s.geo = geo;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_generate(&s, &inst, &d);
    if (st != TQO_OK)
        fprintf(stderr, "generate: %s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_non_null(inst);
    assert_int_equal(d.n_errors, 0);
    tqo_diag_free(&d);
    return inst;
}

static void check_consistent(const tqo_instance *inst, int n, int p, int periods)
{
    assert_int_equal(inst->n_units, n);
    assert_string_equal(inst->source, "generated");

    /* Ids: zero-padded to the digits of n, unique (in increasing order). */
    int width = snprintf(NULL, 0, "%d", n);
    for (int i = 0; i < n; i++) {
        assert_int_equal((int)strlen(inst->unit_id[i]), width);
        assert_int_equal(atoi(inst->unit_id[i]), i + 1);
    }
    for (int i = 0; i < n; i++) {
        assert_true(isfinite(inst->x[i]) && isfinite(inst->y[i]));
        if (inst->coords == TQO_COORDS_LATLON)
            assert_true(fabs(inst->y[i]) < 90.0 && fabs(inst->x[i]) <= 180.0);
    }

    assert_int_equal(inst->n_measures, 3);
    int pot = tqo_instance_measure(inst, "potential"), acc = tqo_instance_measure(inst, "accounts"),
        work = tqo_instance_measure(inst, "workload");
    assert_true(pot >= 0 && acc >= 0 && work >= 0);
    for (int i = 0; i < n; i++) {
        for (int m = 0; m < 3; m++)
            assert_true(isfinite(inst->measures[m].value[i]) && inst->measures[m].value[i] >= 0.0);
        double a = inst->measures[acc].value[i];
        assert_true(a >= 1.0 && a == floor(a));
        assert_true(inst->measures[pot].value[i] > 0.0);
    }
    int name = tqo_instance_label(inst, "name"), region = tqo_instance_label(inst, "region");
    assert_true(name >= 0 && region >= 0);
    for (int i = 0; i < n; i++) {
        assert_non_null(inst->labels[name].value[i]);
        assert_true(strlen(inst->labels[region].value[i]) > 0);
    }

    /* Adjacency: sorted pairs, one connected component. */
    assert_true(inst->has_adjacency);
    for (int e = 0; e < inst->n_edges; e++) {
        assert_true(inst->edge_u[e] < inst->edge_v[e] && inst->edge_v[e] < n);
        if (e)
            assert_true(inst->edge_u[e - 1] < inst->edge_u[e] ||
                        (inst->edge_u[e - 1] == inst->edge_u[e] && inst->edge_v[e - 1] < inst->edge_v[e]));
    }
    assert_non_null(inst->adj_start);
    assert_int_equal(inst->adj_start[n], 2 * inst->n_edges);
    int *comp = malloc((size_t)n * sizeof *comp);
    assert_int_equal(tqo_graph_components(inst, comp), 1);
    free(comp);
    if (n >= 3)
        assert_true(inst->n_edges >= n - 1 && inst->n_edges <= 3 * n - 3);

    /* Territories and plan: every unit assigned, every territory used,
       each home unit in its own territory. */
    assert_int_equal(inst->n_territories, p);
    assert_int_equal(inst->n_homes, p);
    assert_non_null(inst->current);
    int *size = calloc((size_t)p, sizeof *size);
    for (int i = 0; i < n; i++) {
        assert_true(inst->current[i] >= 0 && inst->current[i] < p);
        size[inst->current[i]]++;
    }
    for (int t = 0; t < p; t++) {
        assert_true(size[t] > 0);
        assert_int_equal(inst->territory_id[t][0], 'T');
        assert_true(strlen(inst->territory_id[t]) >= 4);
        assert_true(inst->capacity[t] == 1.0);
        assert_non_null(inst->rep[t]);
        assert_non_null(inst->region[t]);
        int home = -1;
        for (int i = 0; i < n && home < 0; i++)
            if (inst->x[i] == inst->home_x[t] && inst->y[i] == inst->home_y[t] && inst->current[i] == t)
                home = i;
        assert_true(home >= 0);
    }
    free(size);
    if (p >= 2)
        assert_string_equal(inst->territory_id[1], p < 1000 ? "T002" : "T0002");

    /* History: dense, non-negative, cents, rows counted. */
    if (periods == 0) {
        assert_int_equal(inst->n_history_values, 0);
        return;
    }
    assert_int_equal(inst->n_periods, periods);
    assert_int_equal(inst->n_history_values, 1);
    assert_string_equal(inst->history_value_name[0], "sales");
    long rows = 0;
    for (size_t k = 0; k < (size_t)n * periods; k++) {
        double v = inst->history[0][k];
        assert_true(v >= 0.0 && isfinite(v));
        assert_true(round(v * 100) / 100 == v);
        rows += v != 0.0;
    }
    assert_int_equal(rows, inst->n_history_rows);
    assert_true(rows > 0);
}

static void test_defaults(void **state)
{
    (void)state;
    tqo_generate_settings s;
    tqo_generate_settings_default(&s);
    assert_int_equal(s.n_units, 1000);
    assert_int_equal(s.n_territories, 10);
    assert_int_equal(s.n_periods, 12);
    assert_int_equal(s.granularity, TQO_PERIOD_QUARTER);
    assert_int_equal(s.first_year, 2020);
    assert_true(s.seed == 1);
    assert_int_equal(s.geo, 0);
}

static void test_consistent(void **state)
{
    (void)state;
    tqo_instance *inst = gen(3000, 25, 8, TQO_PERIOD_QUARTER, 7, 0);
    check_consistent(inst, 3000, 25, 8);
    assert_int_equal(inst->coords, TQO_COORDS_XY);
    assert_int_equal(inst->period_kind, TQO_PERIOD_QUARTER);
    assert_int_equal(inst->period_first, 2020 * 4);
    assert_true(inst->n_history_rows < 3000L * 8); /* some unit-periods without sales */
    tqo_instance_free(inst);
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

static void test_deterministic(void **state)
{
    (void)state;
    tqo_instance *a = gen(2000, 30, 6, TQO_PERIOD_MONTH, 42, 1);
    tqo_instance *b = gen(2000, 30, 6, TQO_PERIOD_MONTH, 42, 1);
    int n = 2000;
    assert_true(same_doubles(a->x, b->x, n) && same_doubles(a->y, b->y, n));
    for (int m = 0; m < a->n_measures; m++)
        assert_true(same_doubles(a->measures[m].value, b->measures[m].value, n));
    for (int l = 0; l < a->n_labels; l++)
        for (int i = 0; i < n; i++)
            assert_string_equal(a->labels[l].value[i], b->labels[l].value[i]);
    assert_memory_equal(a->current, b->current, n * sizeof(int));
    assert_int_equal(a->n_edges, b->n_edges);
    assert_memory_equal(a->edge_u, b->edge_u, a->n_edges * sizeof(int));
    assert_memory_equal(a->edge_v, b->edge_v, a->n_edges * sizeof(int));
    assert_true(same_doubles(a->home_x, b->home_x, 30) && same_doubles(a->home_y, b->home_y, 30));
    for (int t = 0; t < 30; t++)
        assert_string_equal(a->rep[t], b->rep[t]);
    assert_true(same_doubles(a->history[0], b->history[0], (size_t)n * 6));

    /* Another seed: another instance. */
    tqo_instance *c = gen(2000, 30, 6, TQO_PERIOD_MONTH, 43, 1);
    assert_false(same_doubles(a->x, c->x, n));
    assert_false(same_doubles(a->measures[0].value, c->measures[0].value, n));
    assert_false(same_doubles(a->history[0], c->history[0], (size_t)n * 6));
    tqo_instance_free(a);
    tqo_instance_free(b);
    tqo_instance_free(c);
}

static void test_geo(void **state)
{
    (void)state;
    tqo_instance *inst = gen(1500, 12, 3, TQO_PERIOD_YEAR, 3, 1);
    check_consistent(inst, 1500, 12, 3);
    assert_int_equal(inst->coords, TQO_COORDS_LATLON);
    for (int i = 0; i < 1500; i++) {
        assert_true(inst->y[i] > 35.0 && inst->y[i] < 55.0); /* around latitude 45 */
        assert_true(inst->x[i] > -5.0 && inst->x[i] < 25.0); /* around longitude 10 */
    }
    assert_int_equal(inst->period_kind, TQO_PERIOD_YEAR);
    assert_int_equal(inst->period_first, 2020);
    tqo_instance_free(inst);
}

static double quantile(double *v, int n, double q)
{
    for (int i = 1; i < n; i++) { /* insertion sort: n is small here */
        double x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return v[(int)(q * (n - 1))];
}

static double correlation(const double *a, const double *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

static void test_realistic(void **state)
{
    (void)state;
    int n = 4000, p = 20;
    tqo_instance *inst = gen(n, p, 4, TQO_PERIOD_QUARTER, 5, 0);

    /* Clustered, not uniform: nearest-neighbour distances (the shortest
       Delaunay edge of each unit) spread far more than for uniform noise,
       where the 90%/10% quantile ratio is about 4.7 (Italian comuni: 4.2,
       US ZIPs with sales: 20; generated: about 8). */
    double *nn = malloc((size_t)n * sizeof *nn);
    for (int i = 0; i < n; i++) {
        nn[i] = INFINITY;
        for (int k = inst->adj_start[i]; k < inst->adj_start[i + 1]; k++) {
            int j = inst->adj[k];
            nn[i] = fmin(nn[i], tqo_distance(inst->coords, inst->x[i], inst->y[i], inst->x[j], inst->y[j]));
        }
    }
    assert_true(quantile(nn, n, 0.9) / quantile(nn, n, 0.1) > 6.0);
    free(nn);

    /* Measures are correlated as in real data. */
    const double *pot = inst->measures[0].value, *acc = inst->measures[1].value, *work = inst->measures[2].value;
    assert_true(correlation(pot, acc, n) > 0.5);
    assert_true(correlation(acc, work, n) > 0.5);

    /* Sales follow the potential. */
    double *sales = calloc((size_t)n, sizeof *sales);
    for (int i = 0; i < n; i++)
        for (int t = 0; t < 4; t++)
            sales[i] += inst->history[0][(size_t)i * 4 + t];
    assert_true(correlation(pot, sales, n) > 0.5);
    free(sales);

    /* The current plan is not absurdly unbalanced. */
    double load[20] = {0}, total = 0;
    for (int i = 0; i < n; i++) {
        load[inst->current[i]] += work[i];
        total += work[i];
    }
    for (int t = 0; t < p; t++) {
        assert_true(load[t] < 2.5 * total / p);
        assert_true(load[t] > 0.25 * total / p);
    }
    tqo_instance_free(inst);
}

static void test_small_and_edge_sizes(void **state)
{
    (void)state;
    tqo_instance *inst = gen(1, 1, 0, TQO_PERIOD_QUARTER, 1, 0);
    check_consistent(inst, 1, 1, 0);
    assert_int_equal(inst->n_edges, 0);
    tqo_instance_free(inst);

    inst = gen(2, 2, 1, TQO_PERIOD_MONTH, 1, 1);
    check_consistent(inst, 2, 2, 1);
    assert_int_equal(inst->n_edges, 1);
    tqo_instance_free(inst);

    /* As many territories as units: each unit is its own territory. */
    inst = gen(50, 50, 2, TQO_PERIOD_YEAR, 9, 0);
    check_consistent(inst, 50, 50, 2);
    tqo_instance_free(inst);

    inst = gen(12000, 1200, 1, TQO_PERIOD_QUARTER, 2, 0);
    check_consistent(inst, 12000, 1200, 1);
    assert_string_equal(inst->territory_id[0], "T0001");
    assert_string_equal(inst->unit_id[0], "00001");
    tqo_instance_free(inst);
}

static void expect_arg_error(int n, int p, int periods, int g, int first_year)
{
    tqo_generate_settings s;
    tqo_generate_settings_default(&s);
    s.n_units = n;
    s.n_territories = p;
    s.n_periods = periods;
    s.granularity = (tqo_period_kind)g;
    s.first_year = first_year;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = (tqo_instance *)&s; /* must be reset to NULL */
    assert_int_equal(tqo_generate(&s, &inst, &d), TQO_ERR_ARG);
    assert_null(inst);
    assert_non_null(tqo_diag_first_error(&d));
    tqo_diag_free(&d);
}

static void test_invalid_settings(void **state)
{
    (void)state;
    expect_arg_error(0, 1, 4, TQO_PERIOD_QUARTER, 2020);
    expect_arg_error(-5, 1, 4, TQO_PERIOD_QUARTER, 2020);
    expect_arg_error(10, 0, 4, TQO_PERIOD_QUARTER, 2020);
    expect_arg_error(10, 11, 4, TQO_PERIOD_QUARTER, 2020);
    expect_arg_error(10, 2, -1, TQO_PERIOD_QUARTER, 2020);
    expect_arg_error(10, 2, 4, 7, 2020);
    expect_arg_error(10, 2, 4, TQO_PERIOD_NONE, 2020);
    expect_arg_error(10, 2, 4, TQO_PERIOD_YEAR, 999);
    expect_arg_error(10, 2, 24, TQO_PERIOD_MONTH, 9999);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    size_t got = fread(s, 1, (size_t)len, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void remove_dir(const char *dir)
{
    const char *names[] = {"units.csv", "territories.csv", "adjacency.csv", "locks.csv", "history.csv"};
    char path[512];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        remove(path);
    }
    rmdir(dir);
}

static void test_write_files(void **state)
{
    (void)state;
    tqo_instance *inst = gen(500, 7, 4, TQO_PERIOD_QUARTER, 11, 1);
    char dir[] = "/tmp/tqo_test_generate_XXXXXX";
    assert_non_null(mkdtemp(dir));
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_instance_write(inst, dir, &d), TQO_OK);
    assert_int_equal(d.n_errors, 0);

    char *units = slurp(dir, "units.csv"), *terr = slurp(dir, "territories.csv"),
         *adj = slurp(dir, "adjacency.csv"), *hist = slurp(dir, "history.csv");
    assert_non_null(units);
    assert_non_null(terr);
    assert_non_null(adj);
    assert_non_null(hist);
    assert_null(slurp(dir, "locks.csv"));
    const char *units_header = "unit_id,lat,lon,potential,accounts,workload,name,region,current\n";
    assert_int_equal(strncmp(units, units_header, strlen(units_header)), 0);
    assert_int_equal(count_lines(units), 501);
    const char *terr_header = "territory_id,lat,lon,capacity,region,rep\n";
    assert_int_equal(strncmp(terr, terr_header, strlen(terr_header)), 0);
    assert_int_equal(count_lines(terr), 8);
    assert_int_equal(strncmp(adj, "unit_a,unit_b\n", 14), 0);
    assert_int_equal(count_lines(adj), inst->n_edges + 1);
    assert_int_equal(strncmp(hist, "unit_id,period,sales\n", 21), 0);
    assert_int_equal(count_lines(hist), inst->n_history_rows + 1);
    /* The first unit's row, field by field, reads back to the same values. */
    const char *row = strchr(units, '\n') + 1;
    char *end;
    assert_int_equal(strncmp(row, "001,", 4), 0);
    double lat = strtod(row + 4, &end);
    double lon = strtod(end + 1, &end);
    double pot = strtod(end + 1, &end);
    assert_true(lat == inst->y[0] && lon == inst->x[0] && pot == inst->measures[0].value[0]);
    /* No temporary files left behind. */
    char path[600];
    snprintf(path, sizeof path, "%s/.units.csv.%ld.tmp", dir, (long)getpid());
    assert_int_equal(access(path, F_OK), -1);

    /* Writing again gives the same bytes. */
    assert_int_equal(tqo_instance_write(inst, dir, &d), TQO_OK);
    char *again = slurp(dir, "history.csv");
    assert_string_equal(again, hist);
    free(again);

    free(units);
    free(terr);
    free(adj);
    free(hist);
    tqo_diag_free(&d);
    tqo_instance_free(inst);
    remove_dir(dir);
}

/* Awkward values and text: quoting by the CSV rules, numbers that read
   back exactly, locks, and stale files of an earlier instance removed. */
static void test_write_values_and_quoting(void **state)
{
    (void)state;
    tqo_instance *inst = gen(6, 2, 2, TQO_PERIOD_YEAR, 1, 0);
    static const double values[6] = {0.1, 1.0 / 3.0, 1e-9, 123456789.125, 2.5e20, 0.0};
    for (int i = 0; i < 6; i++)
        inst->measures[0].value[i] = values[i];
    free(inst->labels[0].value[0]);
    inst->labels[0].value[0] = strdup("Smith, \"Jr\"\nline");
    inst->lock = malloc(6 * sizeof(int));
    for (int i = 0; i < 6; i++)
        inst->lock[i] = i == 2 ? 1 : -1;
    inst->n_locks = 1;

    char dir[] = "/tmp/tqo_test_generate_XXXXXX";
    assert_non_null(mkdtemp(dir));
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_instance_write(inst, dir, &d), TQO_OK);
    char *units = slurp(dir, "units.csv"), *locks = slurp(dir, "locks.csv");
    assert_non_null(strstr(units, ",\"Smith, \"\"Jr\"\"\nline\","));
    assert_string_equal(locks, "unit_id,territory_id\n3,T002\n");

    /* Each potential reads back exactly, written short. */
    const char *p = strchr(units, '\n') + 1;
    for (int i = 0; i < 6; i++) {
        const char *f = p;
        for (int c = 0; c < 3; c++) /* unit_id, x, y */
            f = strchr(f, ',') + 1;
        char *end;
        double v = strtod(f, &end);
        assert_true(v == values[i]);
        assert_true(end - f <= 18);
        if (i == 0)
            assert_int_equal(strncmp(f, "0.1,", 4), 0);
        if (i == 3)
            assert_int_equal(strncmp(f, "123456789.125,", 14), 0);
        p = strchr(end, '\n') + 1;
        if (i == 0)
            p = strchr(p, '\n') + 1; /* the quoted newline in the name */
    }
    free(units);
    free(locks);

    /* Without locks and history now: their old files must go. */
    free(inst->lock);
    inst->lock = NULL;
    inst->n_locks = 0;
    for (int v = 0; v < inst->n_history_values; v++) {
        free(inst->history_value_name[v]);
        free(inst->history[v]);
    }
    inst->n_history_values = 0;
    assert_int_equal(tqo_instance_write(inst, dir, &d), TQO_OK);
    assert_null(slurp(dir, "locks.csv"));
    assert_null(slurp(dir, "history.csv"));
    tqo_diag_free(&d);
    tqo_instance_free(inst);
    remove_dir(dir);
}

/* What is written reads back as the same instance, value for value. */
static void roundtrip(int geo, tqo_period_kind g)
{
    tqo_instance *a = gen(800, 9, 6, g, 21, geo);
    char dir[] = "/tmp/tqo_test_generate_XXXXXX";
    assert_non_null(mkdtemp(dir));
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_instance_write(a, dir, &d), TQO_OK);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    tqo_instance *b = NULL;
    tqo_status st = tqo_instance_load(dir, &ls, &b, &d);
    if (st != TQO_OK)
        fprintf(stderr, "load: %s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(d.n_errors, 0);
    assert_int_equal(d.n_warnings, 0);

    int n = a->n_units, p = a->n_territories;
    assert_int_equal(b->n_units, n);
    assert_int_equal(b->coords, a->coords);
    for (int i = 0; i < n; i++) {
        assert_string_equal(b->unit_id[i], a->unit_id[i]);
        assert_true(b->x[i] == a->x[i] && b->y[i] == a->y[i]);
        assert_int_equal(b->current[i], a->current[i]);
    }
    assert_int_equal(b->n_measures, a->n_measures);
    for (int m = 0; m < a->n_measures; m++) {
        assert_string_equal(b->measures[m].name, a->measures[m].name);
        assert_true(same_doubles(b->measures[m].value, a->measures[m].value, n));
    }
    assert_int_equal(b->n_labels, a->n_labels);
    for (int l = 0; l < a->n_labels; l++) {
        assert_string_equal(b->labels[l].name, a->labels[l].name);
        for (int i = 0; i < n; i++)
            assert_string_equal(b->labels[l].value[i], a->labels[l].value[i]);
    }
    assert_int_equal(b->n_territories, p);
    assert_int_equal(b->n_homes, p);
    for (int t = 0; t < p; t++) {
        assert_string_equal(b->territory_id[t], a->territory_id[t]);
        assert_true(b->home_x[t] == a->home_x[t] && b->home_y[t] == a->home_y[t]);
        assert_true(b->capacity[t] == a->capacity[t]);
        assert_string_equal(b->region[t], a->region[t]);
        assert_string_equal(b->rep[t], a->rep[t]);
    }
    assert_true(b->has_adjacency);
    assert_int_equal(b->n_edges, a->n_edges);
    assert_memory_equal(b->edge_u, a->edge_u, a->n_edges * sizeof(int));
    assert_memory_equal(b->edge_v, a->edge_v, a->n_edges * sizeof(int));
    assert_null(b->lock);
    assert_int_equal(b->period_kind, a->period_kind);
    assert_int_equal(b->period_first, a->period_first);
    assert_int_equal(b->n_periods, a->n_periods);
    assert_int_equal(b->n_history_rows, a->n_history_rows);
    assert_int_equal(b->n_history_values, 1);
    assert_string_equal(b->history_value_name[0], "sales");
    assert_true(same_doubles(b->history[0], a->history[0], (size_t)n * a->n_periods));

    tqo_diag_free(&d);
    tqo_instance_free(a);
    tqo_instance_free(b);
    remove_dir(dir);
}

static void test_write_reload_roundtrip(void **state)
{
    (void)state;
    roundtrip(0, TQO_PERIOD_QUARTER);
    roundtrip(1, TQO_PERIOD_MONTH);
}

/* Awkward values survive a write and a load: exact numbers, text with
   spaces at its ends, negative history, empty first and last periods. */
static void test_write_reload_awkward(void **state)
{
    (void)state;
    tqo_instance *a = gen(6, 2, 3, TQO_PERIOD_YEAR, 4, 0);
    static const double values[6] = {0.1, 1.0 / 3.0, 1e-9, 123456789.125, 2.5e20, 0.0};
    for (int i = 0; i < 6; i++) {
        a->measures[0].value[i] = values[i];
        a->history[0][i * 3 + 0] = 0.0;
        a->history[0][i * 3 + 2] = 0.0;
        a->history[0][i * 3 + 1] = i == 3 ? -12.5 : 1.0 / (i + 3);
    }
    free(a->labels[0].value[1]);
    a->labels[0].value[1] = strdup(" padded\t");
    free(a->labels[0].value[2]);
    a->labels[0].value[2] = strdup("say \"hi\", twice");

    char dir[] = "/tmp/tqo_test_generate_XXXXXX";
    assert_non_null(mkdtemp(dir));
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_instance_write(a, dir, &d), TQO_OK);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    tqo_instance *b = NULL;
    tqo_status st = tqo_instance_load(dir, &ls, &b, &d);
    if (st != TQO_OK)
        fprintf(stderr, "load: %s\n", tqo_diag_first_error(&d));
    assert_int_equal(st, TQO_OK);
    for (int i = 0; i < 6; i++)
        assert_true(b->measures[0].value[i] == values[i]);
    assert_string_equal(b->labels[0].value[1], " padded\t");
    assert_string_equal(b->labels[0].value[2], "say \"hi\", twice");
    assert_int_equal(b->period_first, a->period_first);
    assert_int_equal(b->n_periods, 3);
    assert_true(same_doubles(b->history[0], a->history[0], 18));
    tqo_diag_free(&d);
    tqo_instance_free(a);
    tqo_instance_free(b);
    remove_dir(dir);
}

static void test_write_fails_cleanly(void **state)
{
    (void)state;
    tqo_instance *inst = gen(20, 2, 1, TQO_PERIOD_YEAR, 1, 0);
    tqo_diag d;
    tqo_diag_init(&d);
    /* A folder that cannot be created: an error, not a crash or a print. */
    assert_int_equal(tqo_instance_write(inst, "/proc/tqo-no-such/dir", &d), TQO_ERR_IO);
    assert_non_null(tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    tqo_instance_free(inst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_consistent),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_geo),
        cmocka_unit_test(test_realistic),
        cmocka_unit_test(test_small_and_edge_sizes),
        cmocka_unit_test(test_invalid_settings),
        cmocka_unit_test(test_write_files),
        cmocka_unit_test(test_write_values_and_quoting),
        cmocka_unit_test(test_write_reload_roundtrip),
        cmocka_unit_test(test_write_reload_awkward),
        cmocka_unit_test(test_write_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
