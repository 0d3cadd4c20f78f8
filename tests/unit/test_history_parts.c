/* history.csv read in parts on several threads (issue 13): the instance,
   and every message with its physical line, are those of one thread, for
   clean files, CRLF endings, quoted fields and files with errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tqo.h"
#include "load_parts.h"

#define N_UNITS 4000
#define N_QUARTERS 20 /* 80,000 rows, about 1.9 MB: read in parts */


/* An edit of the history: row r (0-based data row) written by fn instead. */
typedef int (*row_edit)(FILE *f, long r, int u, int q, const char *eol);

static void write_instance(const char *name, const char *eol, row_edit edit)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/%s", load_parts_root, name);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/units.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "unit_id,x,y,accounts%s", eol);
    for (int u = 0; u < N_UNITS; u++)
        fprintf(f, "u%05d,%d,%d,%d%s", u, u % 97, u / 97, 1 + u % 7, eol);
    fclose(f);
    snprintf(path, sizeof path, "%s/history.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "unit_id,period,sales,units%s", eol);
    long r = 0;
    for (int u = 0; u < N_UNITS; u++)
        for (int q = 0; q < N_QUARTERS; q++, r++)
            if (!edit || !edit(f, r, u, q, eol))
                fprintf(f, "u%05d,%dQ%d,%d.%02d,%d%s", u, 2020 + q / 4, 1 + q % 4, (u * 37 + q * 11) % 9000,
                        (u + q) % 100, q, eol);
    fclose(f);
}

static void assert_same_history(const tqo_instance *a, const tqo_instance *b)
{
    assert_int_equal(a->n_history_rows, b->n_history_rows);
    assert_int_equal(a->n_periods, b->n_periods);
    assert_int_equal(a->period_first, b->period_first);
    assert_int_equal(a->period_kind, b->period_kind);
    assert_int_equal(a->n_history_values, b->n_history_values);
    size_t cells = (size_t)a->n_units * (size_t)a->n_periods;
    for (int k = 0; k < a->n_history_values; k++) {
        assert_string_equal(a->history_value_name[k], b->history_value_name[k]);
        assert_memory_equal(a->history[k], b->history[k], cells * sizeof(double));
    }
}

/* The instance loaded on 2 and 3 threads equals that on 1; returns it. */
static tqo_instance *same_for_threads(const char *name)
{
    tqo_instance *one;
    tqo_diag d;
    assert_int_equal(load_parts_load(name, 1, &one, &d), TQO_OK);
    tqo_diag_free(&d);
    assert_int_equal(one->n_history_rows, N_UNITS * N_QUARTERS);
    for (int t = 2; t <= 3; t++) {
        tqo_instance *many;
        assert_int_equal(load_parts_load(name, t, &many, &d), TQO_OK);
        tqo_diag_free(&d);
        assert_same_history(one, many);
        tqo_instance_free(many);
    }
    return one;
}

static void clean_file(void **state)
{
    (void)state;
    write_instance("clean", "\n", NULL);
    tqo_instance *a = same_for_threads("clean");
    assert_int_equal(a->n_periods, N_QUARTERS);
    /* a value from the second half, recomputed */
    int u = 3999, q = 17;
    double want = (u * 37 + q * 11) % 9000 + ((u + q) % 100) / 100.0;
    assert_true(a->history[0][(size_t)u * a->n_periods + q] == want);
    write_instance("crlf", "\r\n", NULL);
    tqo_instance *b = same_for_threads("crlf");
    assert_same_history(a, b);
    tqo_instance_free(a);
    tqo_instance_free(b);
}

/* A quoted id (with a newline inside a quoted field of a second value
   column would be refused; a quoted id is not): the file goes to one part. */
static int quote_late(FILE *f, long r, int u, int q, const char *eol)
{
    if (r != 70000)
        return 0;
    fprintf(f, "\"u%05d\",%dQ%d,%d.%02d,%d%s", u, 2020 + q / 4, 1 + q % 4, (u * 37 + q * 11) % 9000, (u + q) % 100,
            q, eol);
    return 1;
}

static void quoted_field(void **state)
{
    (void)state;
    write_instance("clean", "\n", NULL);
    write_instance("quoted", "\n", quote_late);
    tqo_instance *a = same_for_threads("clean"), *b = same_for_threads("quoted");
    assert_same_history(a, b);
    tqo_instance_free(a);
    tqo_instance_free(b);
}

/* Errors in both halves: a second row for a period (found after reading,
   on the parts' rows), a value that is not a number and an unknown unit
   (found while reading). */
static int errors(FILE *f, long r, int u, int q, const char *eol)
{
    (void)q;
    if (r == 60001) /* line 60003: a second row for u00000's first quarter */
        fprintf(f, "u00000,2020Q1,1,0%s", eol);
    else if (r == 75000) /* line 75002 */
        fprintf(f, "u%05d,2021Q1,abc,0%s", u, eol);
    else if (r == 79998) /* line 80000 */
        fprintf(f, "nobody,2021Q1,1,0%s", eol);
    else if (r == 5) /* line 7: the first row of u00000 again, in the first half */
        fprintf(f, "u00000,2020Q1,2,0%s", eol);
    else
        return 0;
    return 1;
}

static int duplicate_only(FILE *f, long r, int u, int q, const char *eol)
{
    (void)u;
    (void)q;
    if (r != 79990) /* line 79992: u00000's first quarter again, far in the second part */
        return 0;
    fprintf(f, "u00000,2020Q1,1,0%s", eol);
    return 1;
}

static void bad_rows(void **state)
{
    (void)state;
    write_instance("dup", "\n", duplicate_only);
    load_parts_same_messages("dup", 1, "history.csv:79992: unit 'u00000' has a second row for period 2020Q1 (first on line 2)",
                         "history.csv:79992:");
    write_instance("bad", "\n", errors);
    load_parts_same_messages("bad", 2, "history.csv:75002: column 'sales': 'abc' is not a number",
                         "history.csv:80000: column 'unit_id': unknown unit 'nobody'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_file),
        cmocka_unit_test(quoted_field),
        cmocka_unit_test(bad_rows),
    };
    return cmocka_run_group_tests(tests, load_parts_setup, load_parts_teardown);
}
