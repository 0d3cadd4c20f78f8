/* units.csv read in parts on several threads, and history.csv placed
   without an array of first lines (issue 13, the scenario sweep's serial
   loading): the instance, and every message with its physical line, are
   those of one thread; cells without a row are 0; the first line named
   for a second row is recomputed from the file as written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tqo.h"
#include "load_parts.h"

#define N_UNITS 12000 /* about 0.6 MB of units.csv: read in parts */
#define N_QUARTERS 8


/* An edit of units.csv: unit u written by fn instead (1: written). */
typedef int (*unit_edit)(FILE *f, int u);
/* Which history rows to write: 0 leaves the cell without a row. */
typedef int (*hist_keep)(int u, int q);

static void unit_row(FILE *f, int u)
{
    fprintf(f, "u%05d,%d.%03d,%d.%02d,%d,%d.5,Place %d,Region %d,T%02d\n", u, u % 97, u % 1000, u / 97, u % 100,
            1 + u % 7, u % 13, u, u % 5, u % 20);
}

static void write_instance(const char *name, unit_edit edit, hist_keep keep, int n_dups)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/%s", load_parts_root, name);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/units.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "unit_id,x,y,accounts,workload,name,region,current\n");
    for (int u = 0; u < N_UNITS; u++)
        if (!edit || !edit(f, u))
            unit_row(f, u);
    fclose(f);
    snprintf(path, sizeof path, "%s/history.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "unit_id,period,sales,units\n");
    for (int u = 0; u < N_UNITS; u++)
        for (int q = 0; q < N_QUARTERS; q++)
            if (!keep || keep(u, q))
                fprintf(f, "u%05d,%dQ%d,%d.%02d,%d\n", u, 2020 + q / 4, 1 + q % 4, (u * 37 + q * 11) % 9000,
                        (u + q) % 100, 1 + q);
    /* second rows at the end: unit 2k's quarter k % N_QUARTERS again */
    for (int k = 0; k < n_dups; k++)
        fprintf(f, "u%05d,%dQ%d,1,1\n", 2 * k, 2020 + (k % N_QUARTERS) / 4, 1 + k % 4);
    fclose(f);
}

static void assert_same_units(const tqo_instance *a, const tqo_instance *b)
{
    assert_int_equal(a->n_units, b->n_units);
    assert_int_equal(a->coords, b->coords);
    int n = a->n_units;
    for (int i = 0; i < n; i++)
        assert_string_equal(a->unit_id[i], b->unit_id[i]);
    assert_memory_equal(a->x, b->x, (size_t)n * sizeof(double));
    assert_memory_equal(a->y, b->y, (size_t)n * sizeof(double));
    assert_int_equal(a->n_measures, b->n_measures);
    for (int m = 0; m < a->n_measures; m++) {
        assert_string_equal(a->measures[m].name, b->measures[m].name);
        assert_memory_equal(a->measures[m].value, b->measures[m].value, (size_t)n * sizeof(double));
    }
    assert_int_equal(a->n_labels, b->n_labels);
    for (int l = 0; l < a->n_labels; l++) {
        assert_string_equal(a->labels[l].name, b->labels[l].name);
        for (int i = 0; i < n; i++)
            assert_string_equal(a->labels[l].value[i], b->labels[l].value[i]);
    }
    assert_int_equal(a->n_territories, b->n_territories);
    assert_memory_equal(a->current, b->current, (size_t)n * sizeof(int));
    assert_int_equal(a->n_periods, b->n_periods);
    assert_int_equal(a->n_history_rows, b->n_history_rows);
    size_t cells = (size_t)a->n_units * (size_t)a->n_periods;
    for (int k = 0; k < a->n_history_values; k++)
        assert_memory_equal(a->history[k], b->history[k], cells * sizeof(double));
}

/* The instance loaded on 2 and 3 threads equals that on 1; returns it. */
static tqo_instance *same_for_threads(const char *name)
{
    tqo_instance *one;
    tqo_diag d;
    assert_int_equal(load_parts_load(name, 1, &one, &d), TQO_OK);
    tqo_diag_free(&d);
    for (int t = 2; t <= 3; t++) {
        tqo_instance *many;
        assert_int_equal(load_parts_load(name, t, &many, &d), TQO_OK);
        tqo_diag_free(&d);
        assert_same_units(one, many);
        tqo_instance_free(many);
    }
    return one;
}

/* Every third unit misses its quarters 2 and 5. */
static int gaps(int u, int q)
{
    return u % 3 != 0 || (q != 2 && q != 5);
}

static void clean_and_gaps(void **state)
{
    (void)state;
    write_instance("gaps", NULL, gaps, 0);
    tqo_instance *a = same_for_threads("gaps");
    assert_int_equal(a->n_units, N_UNITS);
    assert_int_equal(a->n_measures, 2);
    assert_int_equal(a->n_labels, 2);
    assert_int_equal(a->n_periods, N_QUARTERS);
    assert_int_equal(a->n_history_values, 2);
    /* a unit of the second half, recomputed from unit_row */
    int u = 11111;
    char want[16];
    snprintf(want, sizeof want, "u%05d", u);
    assert_string_equal(a->unit_id[u], want);
    char num[32];
    snprintf(num, sizeof num, "%d.%03d", u % 97, u % 1000);
    assert_true(a->x[u] == strtod(num, NULL));
    assert_true(a->measures[0].value[u] == 1 + u % 7);
    snprintf(want, sizeof want, "Place %d", u);
    assert_string_equal(a->labels[0].value[u], want);
    /* history: every cell is its row's value, or 0 without a row */
    long rows = 0;
    for (int v = 0; v < N_UNITS; v++)
        for (int q = 0; q < N_QUARTERS; q++) {
            double s = a->history[0][(size_t)v * N_QUARTERS + q], n = a->history[1][(size_t)v * N_QUARTERS + q];
            if (!gaps(v, q)) {
                assert_true(s == 0 && n == 0 && !signbit(s));
                continue;
            }
            rows++;
            char num[32];
            snprintf(num, sizeof num, "%d.%02d", (v * 37 + q * 11) % 9000, (v + q) % 100);
            assert_true(s == strtod(num, NULL));
            assert_true(n == 1 + q);
        }
    assert_int_equal(a->n_history_rows, rows);
    tqo_instance_free(a);
}

/* A quoted name with a comma: units.csv goes to one part. */
static int quoted(FILE *f, int u)
{
    if (u != 9000)
        return 0;
    fprintf(f, "u%05d,%d.%03d,%d.%02d,%d,%d.5,\"Place, %d\",Region %d,T%02d\n", u, u % 97, u % 1000, u / 97,
            u % 100, 1 + u % 7, u % 13, u, u % 5, u % 20);
    return 1;
}

static void quoted_field(void **state)
{
    (void)state;
    write_instance("quoted", quoted, NULL, 0);
    tqo_instance *a = same_for_threads("quoted");
    assert_string_equal(a->labels[0].value[9000], "Place, 9000");
    tqo_instance_free(a);
}

/* Errors in both halves of units.csv (line = unit + 2). */
static int unit_errors(FILE *f, int u)
{
    if (u == 100) /* line 102: no id */
        fprintf(f, ",1,1,1,1,P,R,T01\n");
    else if (u == 10000) /* line 10002: u00005 again */
        fprintf(f, "u00005,1,1,1,1,P,R,T01\n");
    else if (u == 11000) /* line 11002 */
        fprintf(f, "u%05d,east,1,1,1,P,R,T01\n", u);
    else if (u == 11500) /* line 11502 */
        fprintf(f, "u%05d,1,1,-3,1,P,R,T01\n", u);
    else
        return 0;
    return 1;
}

static void bad_units(void **state)
{
    (void)state;
    write_instance("bad_units", unit_errors, NULL, 0);
    load_parts_same_messages("bad_units", 4, "units.csv:102: column 'unit_id': empty id",
                         "units.csv:11502: column 'accounts': '-3' is negative");
    tqo_instance *inst;
    tqo_diag d;
    assert_int_equal(load_parts_load("bad_units", 2, &inst, &d), TQO_ERR_INPUT);
    assert_non_null(strstr(d.msgs[1], "units.csv:10002: column 'unit_id': duplicate id 'u00005' (first on line 7)"));
    assert_non_null(strstr(d.msgs[2], "units.csv:11002: column 'x': 'east' is not a number"));
    tqo_diag_free(&d);
}

/* 6 empty ids and 8 bad y (found on another thread than the ids, told
   after them): 10 messages kept, the last the fourth y. */
static int many_errors(FILE *f, int u)
{
    if (u % 2000 == 100 && u / 2000 < 6)
        fprintf(f, ",1,1,1,1,P,R,T01\n");
    else if (u % 1500 == 150)
        fprintf(f, "u%05d,1,y?,1,1,P,R,T01\n", u);
    else
        return 0;
    return 1;
}

static void capped_errors(void **state)
{
    (void)state;
    write_instance("many", many_errors, NULL, 0);
    load_parts_same_messages("many", 14, "units.csv:102: column 'unit_id': empty id",
                         "units.csv: 14 errors in all, the first 10 shown");
    tqo_instance *inst;
    tqo_diag d;
    assert_int_equal(load_parts_load("many", 2, &inst, &d), TQO_ERR_INPUT);
    assert_int_equal(d.n_msgs, TQO_DIAG_KEEP_PER_FILE + 1);
    assert_non_null(strstr(d.msgs[5], "units.csv:10102: column 'unit_id': empty id"));
    assert_non_null(strstr(d.msgs[6], "units.csv:152: column 'y': 'y?' is not a number"));
    assert_non_null(strstr(d.msgs[9], "units.csv:4652: column 'y': 'y?' is not a number"));
    tqo_diag_free(&d);
}

/* 14 second rows at the end of history.csv: 10 messages kept, each naming
   the line of the cell's first row (unit u, quarter q: line 2 + u * 8 + q). */
static void second_rows(void **state)
{
    (void)state;
    write_instance("dups", NULL, NULL, 14);
    long last_row = 1 + (long)N_UNITS * N_QUARTERS;
    char first[200], last[200];
    snprintf(first, sizeof first, "history.csv:%ld: unit 'u00000' has a second row for period 2020Q1 (first on line 2)",
             last_row + 1);
    snprintf(last, sizeof last, "history.csv: 14 errors in all, the first %d shown", TQO_DIAG_KEEP_PER_FILE);
    load_parts_same_messages("dups", 14, first, last);
    tqo_instance *inst;
    tqo_diag d;
    assert_int_equal(load_parts_load("dups", 3, &inst, &d), TQO_ERR_INPUT);
    for (int k = 0; k < TQO_DIAG_KEEP_PER_FILE; k++) {
        char want[200];
        int u = 2 * k, q = k % N_QUARTERS;
        snprintf(want, sizeof want, "history.csv:%ld: unit 'u%05d' has a second row for period %dQ%d (first on line %ld)",
                 last_row + 1 + k, u, 2020 + q / 4, 1 + q % 4, 2L + (long)u * N_QUARTERS + q);
        assert_non_null(strstr(d.msgs[k], want));
    }
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_and_gaps),
        cmocka_unit_test(quoted_field),
        cmocka_unit_test(bad_units),
        cmocka_unit_test(capped_errors),
        cmocka_unit_test(second_rows),
    };
    return cmocka_run_group_tests(tests, load_parts_setup, load_parts_teardown);
}
