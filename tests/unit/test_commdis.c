/* The commdis reader and the district diameter: good files load exactly
   (0- and 1-based ids, token ids, tabs, CRLF, BOM) into an instance the
   rest of the library takes; every malformed file gives its exact message
   and nothing else; the diameter equals the all-pairs maximum. */
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
#include <unistd.h>

#include "align/district_diameter.h"
#include "instance/instance_commdis.h"
#include "tqo.h"

#ifndef TQO_SOURCE_DIR
#define TQO_SOURCE_DIR "."
#endif
#define FIX TQO_SOURCE_DIR "/tests/fixtures/commdis"

static tqo_instance *load_ok(const char *path, int *p, double tau[3], tqo_diag *d)
{
    tqo_diag_init(d);
    tqo_instance *inst = NULL;
    tqo_status st = tqoi_commdis_load(path, &inst, p, tau, d);
    if (st != TQO_OK)
        fprintf(stderr, "%s: %s\n", path, tqo_diag_first_error(d));
    assert_int_equal(st, TQO_OK);
    assert_int_equal(d->n_errors, 0);
    assert_non_null(inst);
    return inst;
}

/* The 2 x 3 grid that zero_based.txt and one_based_tabs_crlf.txt both hold. */
static void check_grid(const tqo_instance *inst, int first_id)
{
    assert_int_equal(inst->n_units, 6);
    assert_int_equal(inst->coords, TQO_COORDS_XY);
    char id[8];
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "%d", i + first_id);
        assert_string_equal(inst->unit_id[i], id);
        assert_true(inst->x[i] == i % 3 && inst->y[i] == i / 3);
    }
    assert_int_equal(inst->n_measures, 3);
    const double a3[6] = {0.5, 0.5, 0.5, 0, 1.25, 2};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(tqo_instance_measure(inst, k == 0 ? "a1" : k == 1 ? "A2" : "a3"), k);
        for (int i = 0; i < 6; i++)
            assert_true(inst->measures[k].value[i] == (k == 0 ? 10.0 * (i + 1) : k == 1 ? i + 1 : a3[i]));
    }
    const int eu[7] = {0, 0, 1, 1, 2, 3, 4}, ev[7] = {1, 3, 2, 4, 5, 4, 5};
    assert_true(inst->has_adjacency);
    assert_int_equal(inst->n_edges, 7);
    for (int e = 0; e < 7; e++) {
        assert_int_equal(inst->edge_u[e], eu[e]);
        assert_int_equal(inst->edge_v[e], ev[e]);
    }
    const int start[7] = {0, 2, 5, 7, 9, 12, 14}, adj1[3] = {0, 2, 4};
    assert_memory_equal(inst->adj_start, start, sizeof start);
    assert_memory_equal(inst->adj + start[1], adj1, sizeof adj1);
    assert_int_equal(inst->n_territories, 0);
    assert_null(inst->current);
    assert_null(inst->lock);
    assert_int_equal(inst->n_periods, 0);

    tqo_instance_stats st;
    assert_int_equal(tqo_instance_stats_compute(inst, &st), TQO_OK);
    assert_int_equal(st.n_components, 1);
    assert_true(st.measures[0].total == 210 && st.measures[2].zeros == 1);
    assert_true(st.bbox_max_x == 2 && st.bbox_max_y == 1);
    tqo_instance_stats_free(&st);
}

static void zero_based(void **state)
{
    (void)state;
    tqo_diag d;
    int p = 0;
    double tau[3];
    tqo_instance *inst = load_ok(FIX "/good/zero_based.txt", &p, tau, &d);
    assert_int_equal(d.n_warnings, 0);
    check_grid(inst, 0);
    assert_int_equal(p, 2);
    assert_true(tau[0] == 0.05 && tau[1] == 0.1 && tau[2] == 0.2);
    assert_string_equal(inst->source, FIX "/good/zero_based.txt");
    assert_string_equal(inst->adjacency_source, FIX "/good/zero_based.txt");
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

/* BOM, CRLF, tabs, runs of blanks, a trailing blank line; the repeated
   edge is merged with a warning, the reversed one silently. */
static void one_based_tabs_crlf(void **state)
{
    (void)state;
    tqo_diag d;
    int p = 0;
    double tau[3];
    tqo_instance *inst = load_ok(FIX "/good/one_based_tabs_crlf.txt", &p, tau, &d);
    check_grid(inst, 1);
    assert_int_equal(p, 2);
    assert_true(tau[0] == 0.05 && tau[1] == 0.1 && tau[2] == 0.2);
    assert_int_equal(d.n_warnings, 1);
    assert_string_equal(d.msgs[0], FIX "/good/one_based_tabs_crlf.txt: 1 repeated edge merged");
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

/* Ids are tokens kept as written (leading zeros too); edges go through
   them, not through positions; blank lines between sections are fine. */
static void token_ids(void **state)
{
    (void)state;
    tqo_diag d;
    int p = 0;
    double tau[3];
    tqo_instance *inst = load_ok(FIX "/good/token_ids.txt", &p, tau, &d);
    assert_int_equal(inst->n_units, 4);
    assert_string_equal(inst->unit_id[0], "u10");
    assert_string_equal(inst->unit_id[2], "0042");
    assert_int_equal(tqo_instance_unit(inst, "7"), 3);
    assert_true(inst->x[0] == -1.5 && inst->y[0] == 25 && inst->measures[0].value[0] == 1000);
    assert_true(inst->x[2] == 0 && inst->measures[2].value[3] == 3);
    assert_int_equal(inst->n_edges, 3);
    for (int e = 0; e < 3; e++) {
        assert_int_equal(inst->edge_u[e], e);
        assert_int_equal(inst->edge_v[e], e + 1);
    }
    assert_int_equal(p, 1);
    assert_true(tau[0] == 1 && tau[1] == 0.5 && tau[2] == 0.01);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

/* The instance goes through tqo's writer and folder loader unchanged. */
static void round_trip(void **state)
{
    (void)state;
    tqo_diag d;
    tqo_instance *inst = load_ok(FIX "/good/one_based_tabs_crlf.txt", NULL, NULL, &d);
    char dir[] = "/tmp/tqo_commdis_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(tqo_instance_write(inst, dir, &d), TQO_OK);
    tqo_instance *again = NULL;
    assert_int_equal(tqo_instance_load(dir, NULL, &again, &d), TQO_OK);
    check_grid(again, 1);
    tqo_instance_free(again);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
    DIR *dp = opendir(dir);
    struct dirent *e;
    char path[512];
    while ((e = readdir(dp)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(dp);
    rmdir(dir);
}

/* Each malformed fixture and its first message, after "path:". */
static const struct {
    const char *file, *msg;
} BAD[] = {
    {"short_unit_line.txt", "3: expected 6 fields (id x y a1 a2 a3), found 4"},
    {"unknown_unit.txt", "7: edge 3 9: unit 9 is not defined"},
    {"self_loop.txt", "6: edge 2 2: a self-loop (a unit is not its own neighbour)"},
    {"x_not_number.txt", "3: unit 2: x 'abc' is not a number"},
    {"negative_activity.txt", "4: unit 3: a2 '-3' is negative"},
    {"not_finite.txt", "2: unit 1: y 'nan' is not a finite number"},
    {"tau_percent.txt", "8: tau1 '5' is not in (0, 1]"},
    {"tau_zero.txt", "8: tau2 '0' is not in (0, 1]"},
    {"p_zero.txt", "8: p = 0 is out of range [1, 3] (1 to n districts)"},
    {"p_too_large.txt", "8: p = 4 is out of range [1, 3] (1 to n districts)"},
    {"p_not_whole.txt", "8: p '2.5' is not a whole number"},
    {"trailing_garbage.txt", "9: unexpected content after the last line (p <unused> tau1 tau2 tau3 on line 8)"},
    {"fewer_units.txt", "5: expected 6 fields (id x y a1 a2 a3), found 1 (only 3 of the 4 units announced on line 1?)"},
    {"more_units.txt", "4: expected 1 field (the number of edges m), found 6 (more units than the 2 announced on line 1?)"},
    {"fewer_edges.txt", "8: expected 2 fields (u v), found 5 (only 2 of the 3 edges announced on line 5?)"},
    {"more_edges.txt",
     "7: expected 5 fields (p <unused> tau1 tau2 tau3), found 2 (more edges than the 1 announced on line 5?)"},
    {"truncated_units.txt", "3: file ends after 2 of the 3 units announced on line 1"},
    {"truncated_edges.txt", "6: file ends after 1 of the 2 edges announced on line 5"},
    {"missing_last_line.txt", "7: file ends before the last line (p <unused> tau1 tau2 tau3)"},
    {"empty.txt", " file is empty (expected the number of units n)"},
    {"blank.txt", " file is empty (expected the number of units n)"},
    {"n_not_number.txt", "1: expected the number of units n, found 'n=3'"},
    {"n_two_fields.txt", "1: expected 1 field (the number of units n), found 2"},
    {"n_zero.txt", "1: n = 0: there must be at least 1 unit"},
    {"m_negative.txt", "5: m = -1: the number of edges cannot be negative"},
    {"duplicate_id.txt", "4: unit 2: duplicate id (first on line 3)"},
    {"nul_byte.txt", "3: a NUL byte: this is not a text file"},
    {"several_errors.txt", "2: unit 1: y 'zero' is not a number"},
    {"csv_units.txt", "1: expected the number of units n, found 'unit_id,x,y,a1,a2,a3'"},
};
#define N_BAD ((int)(sizeof BAD / sizeof BAD[0]))

static tqo_status load_bad(const char *path, tqo_diag *d)
{
    tqo_diag_init(d);
    tqo_instance *inst = (tqo_instance *)1;
    int p = -7;
    tqo_status st = tqoi_commdis_load(path, &inst, &p, NULL, d);
    assert_null(inst);
    assert_int_equal(p, -7); /* untouched on failure */
    return st;
}

static void malformed(void **state)
{
    (void)state;
    for (int k = 0; k < N_BAD; k++) {
        char path[512], want[1024];
        snprintf(path, sizeof path, FIX "/bad/%s", BAD[k].file);
        snprintf(want, sizeof want, "%s:%s", path, BAD[k].msg);
        tqo_diag d;
        tqo_status st = load_bad(path, &d);
        const char *got = tqo_diag_first_error(&d);
        if (st != TQO_ERR_INPUT || !got || strcmp(got, want) != 0)
            fprintf(stderr, "fixture %s\n  want: %s\n  got:  %s (status %d)\n", BAD[k].file, want,
                    got ? got : "(none)", st);
        assert_int_equal(st, TQO_ERR_INPUT);
        assert_string_equal(got, want);
        tqo_diag_free(&d);
    }
    /* Every file in bad/ has its message above. */
    DIR *dir = opendir(FIX "/bad");
    assert_non_null(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(dir)))
        n += e->d_name[0] != '.';
    closedir(dir);
    assert_int_equal(n, N_BAD);
}

/* Wrong values do not stop reading: one run shows them all. */
static void several_errors(void **state)
{
    (void)state;
    tqo_diag d;
    assert_int_equal(load_bad(FIX "/bad/several_errors.txt", &d), TQO_ERR_INPUT);
    assert_int_equal(d.n_errors, 4);
    assert_int_equal(d.n_msgs, 4);
    const char *want[4] = {"2: unit 1: y 'zero' is not a number", "3: unit 2: a3 '-1' is negative",
                           "7: edge 3 4: unit 4 is not defined", "8: tau3 '2' is not in (0, 1]"};
    for (int k = 0; k < 4; k++) {
        char w[512];
        snprintf(w, sizeof w, FIX "/bad/several_errors.txt:%s", want[k]);
        assert_string_equal(d.msgs[k], w);
    }
    tqo_diag_free(&d);
}

/* Past TQO_DIAG_KEEP_PER_FILE errors only a count is added. */
static void error_cap(void **state)
{
    (void)state;
    char path[] = "/tmp/tqo_commdis_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "15\n");
    for (int i = 0; i < 15; i++)
        fprintf(fp, "%d %d 0 -1 0 0\n", i, i);
    fprintf(fp, "0\n1 x 0.1 0.1 0.1\n");
    fclose(fp);
    tqo_diag d;
    assert_int_equal(load_bad(path, &d), TQO_ERR_INPUT);
    assert_int_equal(d.n_errors, 15);
    assert_int_equal(d.n_msgs, TQO_DIAG_KEEP_PER_FILE + 1);
    char want[256];
    snprintf(want, sizeof want, "%s: 15 errors in all, the first 10 shown", path);
    assert_string_equal(d.msgs[d.n_msgs - 1], want);
    tqo_diag_free(&d);
    unlink(path);
}

static void cannot_open(void **state)
{
    (void)state;
    tqo_diag d;
    assert_int_equal(load_bad(FIX "/no_such_file.txt", &d), TQO_ERR_INPUT);
    assert_string_equal(tqo_diag_first_error(&d), FIX "/no_such_file.txt: cannot open: No such file or directory");
    tqo_diag_free(&d);
    assert_int_equal(load_bad(FIX "/good", &d), TQO_ERR_INPUT);
    assert_string_equal(tqo_diag_first_error(&d), FIX "/good: cannot open: Is a directory");
    tqo_diag_free(&d);
}

static void sniff(void **state)
{
    (void)state;
    assert_int_equal(tqoi_commdis_sniff(FIX "/good/zero_based.txt"), 1);
    assert_int_equal(tqoi_commdis_sniff(FIX "/good/one_based_tabs_crlf.txt"), 1);
    assert_int_equal(tqoi_commdis_sniff(FIX "/good/token_ids.txt"), 1);
    assert_int_equal(tqoi_commdis_sniff(FIX "/bad/n_two_fields.txt"), 1); /* commdis, with an error to report */
    assert_int_equal(tqoi_commdis_sniff(FIX "/bad/csv_units.txt"), 0);
    assert_int_equal(tqoi_commdis_sniff(FIX "/bad/n_not_number.txt"), 0);
    assert_int_equal(tqoi_commdis_sniff(FIX "/bad/empty.txt"), 0);
    assert_int_equal(tqoi_commdis_sniff(TQO_SOURCE_DIR "/tests/fixtures/good/full/units.csv"), 0);
    assert_int_equal(tqoi_commdis_sniff(FIX "/good"), 0);
    assert_int_equal(tqoi_commdis_sniff(FIX "/no_such_file.txt"), 0);
}

/* ------------------------------------------------------------------ */
/* District diameter                                                   */

static double brute_diameter(int n, const double *x, const double *y, const int *terr, int j)
{
    double best = 0;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (terr[a] == j && terr[b] == j)
                best = fmax(best, (x[a] - x[b]) * (x[a] - x[b]) + (y[a] - y[b]) * (y[a] - y[b]));
    return sqrt(best);
}

/* District j of p: 0 uniform, 1 collinear with twins, 2 one point many
   times, 3 a single unit, 4 empty, 5 a ring (every point on the hull),
   6 an integer grid (ties everywhere), 7 a thin sliver; some units -1. */
static void random_districts(tqo_rng *r, int n, double *x, double *y, int *terr)
{
    for (int i = 0; i < n; i++) {
        int j = tqo_rng_int(r, 8);
        double u = tqo_rng_uniform(r), v = tqo_rng_uniform(r);
        terr[i] = j;
        switch (j) {
        case 0: x[i] = 100 * u; y[i] = 100 * v; break;
        case 1: x[i] = 3 + 2 * floor(20 * u); y[i] = -1 + 0.5 * floor(20 * u); break;
        case 2: x[i] = 7.25; y[i] = -3.5; break;
        case 3: x[i] = u; y[i] = v; terr[i] = tqo_rng_int(r, 50) ? -1 : 3; break;
        case 4: x[i] = u; y[i] = v; terr[i] = -1; break;
        case 5: x[i] = 50 + 30 * cos(6.283185307179586 * u); y[i] = 50 + 30 * sin(6.283185307179586 * u); break;
        case 6: x[i] = floor(12 * u); y[i] = floor(9 * v); break;
        default: x[i] = 1e3 * u; y[i] = 1e-6 * v + 2e-3 * x[i]; break;
        }
    }
}

static void diameter_brute_force(void **state)
{
    (void)state;
    tqo_rng r;
    tqo_rng_init(&r, 7, 0);
    for (int round = 0; round < 12; round++) {
        int n = round == 0 ? 6000 : 40 + tqo_rng_int(&r, 1500);
        double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
        int *terr = malloc(sizeof(int) * n);
        double diam[8], want_max = 0;
        random_districts(&r, n, x, y, terr);
        double got = tqoi_district_diameter(n, x, y, terr, 8, diam);
        for (int j = 0; j < 8; j++) {
            double want = brute_diameter(n, x, y, terr, j);
            assert_true(fabs(diam[j] - want) <= 1e-12 * want);
            want_max = fmax(want_max, want);
        }
        assert_true(diam[2] == 0 && diam[4] == 0);
        assert_true(got == want_max);
        assert_true(tqoi_district_diameter(n, x, y, terr, 8, NULL) == got);
        free(x);
        free(y);
        free(terr);
    }
}

static void diameter_small_cases(void **state)
{
    (void)state;
    const double x[5] = {0, 3, 0, 1, NAN}, y[5] = {0, 4, 0, 1, 0};
    const int t[5] = {0, 0, 1, 1, 1};
    double diam[3] = {-1, -1, -1};
    assert_true(tqoi_district_diameter(5, x, y, t, 3, diam) == 5); /* the NAN unit is left out */
    assert_true(diam[0] == 5 && diam[1] == sqrt(2) && diam[2] == 0);
    assert_true(tqoi_district_diameter(0, x, y, t, 0, NULL) == 0);
    const int none[5] = {-1, -1, -1, -1, -1};
    assert_true(tqoi_district_diameter(5, x, y, none, 2, diam) == 0 && diam[0] == 0 && diam[1] == 0);
}

/* A 100,000-unit grid instance: loads, and a strip plan's diameters are
   the strips' diagonals. */
static void large_instance(void **state)
{
    (void)state;
    const int W = 400, H = 250, n = W * H;
    char path[] = "/tmp/tqo_commdis_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "%d\n", n);
    for (int i = 0; i < n; i++)
        fprintf(fp, "%d %.3f %.3f %d %d.5 %g\n", i + 1, 0.5 * (i % W), 0.5 * (i / W), i % 97, i % 13, 0.25 * (i % 5));
    fprintf(fp, "%d\n", (W - 1) * H + W * (H - 1));
    for (int i = 0; i < n; i++) {
        if (i % W < W - 1)
            fprintf(fp, "%d\t%d\n", i + 1, i + 2);
        if (i / W < H - 1)
            fprintf(fp, "%d\t%d\n", i + W + 1, i + 1);
    }
    fprintf(fp, "10 1 0.05 0.05 0.05\n");
    fclose(fp);
    tqo_diag d;
    int p;
    double tau[3];
    tqo_instance *inst = load_ok(path, &p, tau, &d);
    unlink(path);
    assert_int_equal(inst->n_units, n);
    assert_int_equal(inst->n_edges, (W - 1) * H + W * (H - 1));
    assert_int_equal(p, 10);
    tqo_instance_stats st;
    assert_int_equal(tqo_instance_stats_compute(inst, &st), TQO_OK);
    assert_int_equal(st.n_components, 1);
    tqo_instance_stats_free(&st);
    int *terr = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++)
        terr[i] = (i % W) / (W / p); /* vertical strips 40 x 250 units */
    double diam[10];
    double got = tqoi_district_diameter(n, inst->x, inst->y, terr, p, diam);
    double want = hypot(0.5 * (W / p - 1), 0.5 * (H - 1));
    for (int j = 0; j < p; j++)
        assert_true(fabs(diam[j] - want) <= 1e-9);
    assert_true(got == diam[0]);
    free(terr);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zero_based),
        cmocka_unit_test(one_based_tabs_crlf),
        cmocka_unit_test(token_ids),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(malformed),
        cmocka_unit_test(several_errors),
        cmocka_unit_test(error_cap),
        cmocka_unit_test(cannot_open),
        cmocka_unit_test(sniff),
        cmocka_unit_test(diameter_brute_force),
        cmocka_unit_test(diameter_small_cases),
        cmocka_unit_test(large_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
