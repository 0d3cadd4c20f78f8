/* scenarios.svg: Pareto efficiency against the definition (dominance,
   ties, NaN), and a chart that is well-formed XML with a tooltip per
   point, labels only on efficient points, escaped names, no NaN on
   degenerate input, and the same bytes on every call. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen outside CMake */
#endif
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

#include "scenarios/scenario_svg.h"

#define close_px(a, b) assert_true(fabs((a) - (b)) <= 0.051)

static scenario_point P(const char *name, double x, double y)
{
    return (scenario_point){name, x - 5, x, x + 5, y - 1, y, y + 1};
}

/* The definition, O(n^2). */
static void pareto_brute(const scenario_point *pt, int n, unsigned char *eff)
{
    for (int i = 0; i < n; i++) {
        eff[i] = isfinite(pt[i].x_p50) && isfinite(pt[i].y_p50);
        for (int j = 0; j < n && eff[i]; j++)
            if (j != i && isfinite(pt[j].x_p50) && isfinite(pt[j].y_p50) && pt[j].x_p50 >= pt[i].x_p50 &&
                pt[j].y_p50 <= pt[i].y_p50 && (pt[j].x_p50 > pt[i].x_p50 || pt[j].y_p50 < pt[i].y_p50))
                eff[i] = 0;
    }
}

static void pareto_dominance(void **state)
{
    (void)state;
    scenario_point pt[] = {P("a", 50, 10), P("b", 60, 10), P("c", 70, 20), P("d", 40, 5), P("e", 55, 12),
                           P("f", 70, 25)};
    unsigned char eff[6];
    assert_int_equal(tqoi_scenario_pareto(pt, 6, eff), 3);
    unsigned char want[6] = {0, 1, 1, 1, 0, 0};
    assert_memory_equal(eff, want, 6);
}

static void pareto_ties_and_nan(void **state)
{
    (void)state;
    /* Identical points are both efficient; same share, higher cost is not;
       same cost, lower share is not. A NaN point with the best figures on
       its finite axis neither counts nor dominates. */
    scenario_point pt[] = {P("a", 60, 10), P("b", 60, 10), P("c", 60, 11), P("d", 59, 10),
                           P("e", NAN, 0), P("f", 100, NAN), P("g", 30, 2)};
    unsigned char eff[7];
    assert_int_equal(tqoi_scenario_pareto(pt, 7, eff), 3);
    unsigned char want[7] = {1, 1, 0, 0, 0, 0, 1};
    assert_memory_equal(eff, want, 7);
    assert_int_equal(tqoi_scenario_pareto(pt, 0, eff), 0);
}

static void pareto_matches_definition(void **state)
{
    (void)state;
    enum { N = 300 };
    scenario_point pt[N];
    unsigned char fast[N], slow[N];
    unsigned s = 12345;
    for (int round = 0; round < 20; round++) {
        int n = 1 + round * 15;
        for (int i = 0; i < n; i++) {
            /* Small integer grids make ties common. */
            s = s * 1103515245u + 12345u;
            double x = (s >> 16) % 12;
            s = s * 1103515245u + 12345u;
            double y = (s >> 16) % 9;
            if ((s >> 8) % 23 == 0)
                x = NAN;
            pt[i] = P("p", x, y);
        }
        int c = tqoi_scenario_pareto(pt, n, fast);
        pareto_brute(pt, n, slow);
        assert_memory_equal(fast, slow, (size_t)n);
        int k = 0;
        for (int i = 0; i < n; i++)
            k += slow[i];
        assert_int_equal(c, k);
    }
}

/* The chart as a string (caller frees). */
static char *render(const scenario_point *pt, int n, const unsigned char *eff, int standalone)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(tqoi_scenario_svg_write(f, pt, n, eff, standalone), 0);
    long len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
    s[len] = 0;
    fclose(f);
    return s;
}

static int count(const char *s, const char *what)
{
    int c = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        c++;
    return c;
}

/* Well-formed XML by python's parser, when there is a python. */
static void assert_parses(const char *svg)
{
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        return;
    char path[] = "/tmp/test_scenario_svg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(svg, f);
    fclose(f);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' %s",
             path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

static void assert_no_nan(const char *svg)
{
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "NaN"));
    assert_null(strstr(svg, "inf"));
}

static void chart_structure(void **state)
{
    (void)state;
    scenario_point pt[] = {P("A&B <x>", 60, 10), P("plain", 50, 12), P("it's \"q\"", 70, 14),
                           P("gone", NAN, 3), {"half", NAN, 40, 45, 8, 9, NAN}};
    unsigned char eff[5];
    assert_int_equal(tqoi_scenario_pareto(pt, 5, eff), 3); /* A&B, it's, half */
    char *svg = render(pt, 5, eff, 1);
    assert_true(strncmp(svg, "<?xml", 5) == 0);
    assert_int_equal(count(svg, "<svg"), 1);
    assert_int_equal(count(svg, "</svg>"), 1);
    assert_non_null(strstr(svg, "Quota scenarios: cost of sales against share at quota"));
    assert_int_equal(count(svg, "<title>"), 4); /* every finite point, not "gone" */
    assert_int_equal(count(svg, "<g class=\"sc-e\"><title>"), 3);
    assert_null(strstr(svg, "gone"));
    assert_non_null(strstr(svg, "A&amp;B &lt;x&gt;"));
    assert_null(strstr(svg, "A&B"));
    assert_non_null(strstr(svg, "it&apos;s &quot;q&quot;"));
    /* Names appear as labels (text content ending in </text>) only when
       efficient; "plain" only in its tooltip. */
    assert_int_equal(count(svg, ">A&amp;B &lt;x&gt;</text>"), 1);
    assert_int_equal(count(svg, ">half</text>"), 1);
    assert_int_equal(count(svg, "plain</text>"), 0);
    assert_int_equal(count(svg, "plain"), 1);
    assert_non_null(strstr(svg, "<polyline class=\"sc-f\""));
    assert_no_nan(svg);
    assert_parses(svg);

    /* Inline: no prolog; NULL efficient computes the same chart. */
    char *inl = render(pt, 5, NULL, 0);
    assert_true(strncmp(inl, "<svg", 4) == 0);
    assert_string_equal(inl, svg + strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    free(inl);
    free(svg);
}

/* Whiskers start at the point, run to P10 and P90 on each axis (y drawn
   upwards), and carry caps; a NaN end is simply not drawn. */
static void chart_whiskers(void **state)
{
    (void)state;
    scenario_point pt[] = {{"w", 40, 50, 70, 8, 10, 11}, {"v", 20, 30, NAN, 4, 6, 9}};
    unsigned char eff[2] = {0, 0};
    char *svg = render(pt, 2, eff, 1);
    const char *g = strstr(svg, "<title>w&#10;");
    assert_non_null(g);
    double mx[4], my[4], e[4], cx, cy;
    assert_int_equal(sscanf(strstr(g, "<path d="),
                            "<path d=\"M%lf %lfH%lfm0 -3v6M%lf %lfV%lfm-3 0h6M%lf %lfH%lfm0 -3v6M%lf %lfV%lfm-3 0h6\""
                            "/><circle cx=\"%lf\" cy=\"%lf\"",
                            &mx[0], &my[0], &e[0], &mx[1], &my[1], &e[1], &mx[2], &my[2], &e[2], &mx[3], &my[3],
                            &e[3], &cx, &cy),
                     14);
    for (int k = 0; k < 4; k++) {
        close_px(mx[k], cx);
        close_px(my[k], cy);
    }
    assert_true(e[0] < cx && cx < e[2]);         /* x: P10 left, P90 right */
    assert_true(e[1] > cy && cy > e[3]);         /* y: P10 below, P90 above */
    assert_true(fabs((cx - e[0]) * 2 - (e[2] - cx)) <= 0.2); /* 10 left, 20 right */
    const char *v = strstr(svg, "<title>v&#10;");
    assert_non_null(v);
    const char *path = strstr(v, "<path d=\""), *end = strstr(path, "\"/>");
    assert_int_equal(count(path, "H") - count(end, "H"), 1); /* P90 of x is NaN */
    assert_no_nan(svg);
    free(svg);
}

static void chart_degenerate(void **state)
{
    (void)state;
    char *svg = render(NULL, 0, NULL, 1);
    assert_non_null(strstr(svg, "no scenarios"));
    assert_int_equal(count(svg, "<title>"), 0);
    assert_no_nan(svg);
    assert_parses(svg);
    free(svg);

    scenario_point one = {"only", 55, 55, 55, 9, 9, 9};
    svg = render(&one, 1, NULL, 1);
    assert_int_equal(count(svg, "<title>"), 1);
    assert_int_equal(count(svg, ">only</text>"), 1);
    assert_no_nan(svg);
    assert_parses(svg);
    free(svg);

    scenario_point same[3] = {P("s1", 0, 0), P("s2", 0, 0), P("s3", 0, 0)};
    svg = render(same, 3, NULL, 1);
    assert_int_equal(count(svg, "<g class=\"sc-e\"><title>"), 3);
    assert_no_nan(svg);
    assert_parses(svg);
    free(svg);

    scenario_point nan_only = {"n", NAN, NAN, NAN, NAN, NAN, NAN};
    svg = render(&nan_only, 1, NULL, 1);
    assert_non_null(strstr(svg, "no scenarios"));
    assert_no_nan(svg);
    free(svg);

    scenario_point huge[2] = {P("h1", 1e300, 1e300), P("h2", -1e300, -1e300)};
    svg = render(huge, 2, NULL, 1);
    assert_no_nan(svg);
    free(svg);
}

/* 30 efficient points crowded on a line: no two labels at one spot, and
   1,000 scenarios stay a small file. */
static void chart_labels_and_size(void **state)
{
    (void)state;
    enum { N = 1000 };
    static scenario_point pt[N];
    static char names[N][24];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "scen-%d", i);
        if (i < 30)
            pt[i] = P(names[i], 40 + i * 0.5, 5 + i * 0.2);
        else
            pt[i] = P(names[i], 20 + (i % 37), 12 + (i % 11));
    }
    unsigned char eff[N];
    int ne = tqoi_scenario_pareto(pt, N, eff);
    assert_true(ne >= 30);
    char *svg = render(pt, N, eff, 1);
    assert_int_equal(count(svg, "<title>"), N);
    assert_true(strlen(svg) < 500000);
    const char *lab = strstr(svg, "<g class=\"sc-l\">");
    assert_non_null(lab);
    double xy[N][2];
    int nl = 0;
    const char *end = strstr(lab, "</g>");
    assert_non_null(end);
    for (const char *p = strstr(lab, "<text x=\""); p && p < end && nl < N; p = strstr(p + 1, "<text x=\"")) {
        assert_int_equal(sscanf(p, "<text x=\"%lf\" y=\"%lf\"", &xy[nl][0], &xy[nl][1]), 2);
        nl++;
    }
    assert_int_equal(nl, ne);
    for (int i = 0; i < nl; i++)
        for (int j = i + 1; j < nl; j++)
            assert_false(xy[i][0] == xy[j][0] && xy[i][1] == xy[j][1]);
    assert_parses(svg);
    free(svg);
}

static void chart_deterministic(void **state)
{
    (void)state;
    scenario_point pt[] = {P("a", 33.333, 7.777), P("b", 66.6666, 9.1), P("c", 12.5, 3.14159)};
    char *s1 = render(pt, 3, NULL, 1), *s2 = render(pt, 3, NULL, 1);
    assert_string_equal(s1, s2);
    free(s1);
    free(s2);
}

static void chart_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/null", "r"); /* writes fail */
    assert_non_null(f);
    scenario_point pt[] = {P("a", 50, 10)};
    assert_int_equal(tqoi_scenario_svg_write(f, pt, 1, NULL, 1), -1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pareto_dominance),      cmocka_unit_test(pareto_ties_and_nan),
        cmocka_unit_test(pareto_matches_definition), cmocka_unit_test(chart_structure),
        cmocka_unit_test(chart_whiskers),        cmocka_unit_test(chart_degenerate),      cmocka_unit_test(chart_labels_and_size),
        cmocka_unit_test(chart_deterministic),   cmocka_unit_test(chart_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
