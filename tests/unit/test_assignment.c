/* Reading assignment.csv against an instance: good files, and errors that
   name file, line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instance/assignment_load.h"

#define FULL TQO_SOURCE_DIR "/tests/fixtures/good/full"

static tqo_instance *inst;
static char path[256];

static int setup(void **state)
{
    (void)state;
    tqo_diag d;
    tqo_diag_init(&d);
    int st = tqo_instance_load(FULL, NULL, &inst, &d);
    tqo_diag_free(&d);
    snprintf(path, sizeof path, "/tmp/tqo_test_assignment_%ld.csv", (long)getpid());
    return st;
}

static int teardown(void **state)
{
    (void)state;
    tqo_instance_free(inst);
    remove(path);
    return 0;
}

static void write_file(const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *first_error(const char *text, tqo_status want)
{
    static char buf[1024];
    write_file(text);
    tqo_assignment a;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_assignment_load(path, inst, &a, &d), want);
    snprintf(buf, sizeof buf, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "");
    tqo_diag_free(&d);
    if (want == TQO_OK)
        tqo_assignment_free(&a);
    /* the path prefix is the temporary file's: return what follows it */
    return strncmp(buf, path, strlen(path)) == 0 ? buf + strlen(path) : buf;
}

static void reads_whole_and_split_units(void **state)
{
    (void)state;
    write_file("unit_id,territory_id,share\na1,T1,1\na2,T1,0.25\na2,T2,0.75\na3,T2,1\na4,T1,1\na5,T2,1\n"
               "a6,T2,1\nb1,T9,1\n");
    tqo_assignment a;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_assignment_load(path, inst, &a, &d), TQO_OK);
    assert_int_equal(a.n_units, 7);
    assert_int_equal(a.n_territories, 3);
    assert_string_equal(a.territory_id[2], "T9");
    int u = tqo_instance_unit(inst, "a2");
    assert_int_equal(a.unit_start[u + 1] - a.unit_start[u], 2);
    assert_true(fabs(a.share[a.unit_start[u]] + a.share[a.unit_start[u] + 1] - 1) < 1e-12);
    tqo_assignment_free(&a);
    tqo_diag_free(&d);
}

static void errors_name_line_and_column(void **state)
{
    (void)state;
    const char *head = "unit_id,territory_id,share\n";
    char text[512];
    snprintf(text, sizeof text, "%sa1,T1,1\nzz,T1,1\n", head);
    assert_string_equal(first_error(text, TQO_ERR_INPUT), ":3: column 'unit_id': unknown unit 'zz' (not in units.csv)");
    snprintf(text, sizeof text, "%sa1,T1,abc\n", head);
    assert_string_equal(first_error(text, TQO_ERR_INPUT), ":2: column 'share': 'abc' is not a share in (0, 1]");
    snprintf(text, sizeof text, "%sa1,T1,1\na2,T1,0.5\na2,T2,0.4\na3,T1,1\na4,T1,1\na5,T1,1\na6,T1,1\nb1,T1,1\n", head);
    assert_string_equal(first_error(text, TQO_ERR_INPUT),
                        ":3: column 'share': the shares of unit 'a2' add up to 0.9, not 1");
    snprintf(text, sizeof text, "%sa1,T1,1\n", head);
    assert_string_equal(first_error(text, TQO_ERR_INPUT), ": unit 'a2' of units.csv is not assigned");
    snprintf(text, sizeof text, "unit_id,share\na1,1\n");
    assert_string_equal(first_error(text, TQO_ERR_INPUT),
                        ":1: column 'territory_id': missing from the header (expected unit_id,territory_id,share)");
}

static void current_plan_as_assignment(void **state)
{
    (void)state;
    tqo_assignment a;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_assignment_from_current(inst, &a, &d), TQO_OK);
    assert_int_equal(a.n_territories, inst->n_territories);
    assert_int_equal(a.terr[0], inst->current[0]);
    tqo_assignment_free(&a);
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_whole_and_split_units),
        cmocka_unit_test(errors_name_line_and_column),
        cmocka_unit_test(current_plan_as_assignment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
