/*
 * tqo_delaunay: invariants that hold whatever triangulation qhull picks
 * among co-circular ties: sorted unique pairs, connectivity, the edge
 * count of a triangulation (3n - 3 - h), no crossing edges, nearest
 * neighbours among Delaunay neighbours; and the degenerate cases
 * (twins, collinear points, tiny inputs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tqo.h"

typedef struct graph {
    int n, ne;
    int *u, *v;
} graph;

static graph run(int n, const double *x, const double *y, tqo_coords c)
{
    graph g = {n, 0, NULL, NULL};
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqo_delaunay(n, x, y, c, &g.ne, &g.u, &g.v, &d);
    assert_int_equal(st, TQO_OK);
    assert_int_equal(d.n_errors, 0);
    tqo_diag_free(&d);
    return g;
}

static void graph_free(graph *g)
{
    free(g->u);
    free(g->v);
}

static int find(int *p, int i)
{
    while (p[i] != i)
        i = p[i] = p[p[i]];
    return i;
}

/* Pairs are u < v, sorted by (u, v), unique, in range; the graph is connected. */
static void check_basic(const graph *g)
{
    for (int e = 0; e < g->ne; e++) {
        assert_true(g->u[e] >= 0 && g->u[e] < g->v[e] && g->v[e] < g->n);
        if (e > 0)
            assert_true(g->u[e - 1] < g->u[e] || (g->u[e - 1] == g->u[e] && g->v[e - 1] < g->v[e]));
    }
    int *p = malloc((size_t)(g->n + 1) * sizeof *p);
    for (int i = 0; i < g->n; i++)
        p[i] = i;
    int comps = g->n;
    for (int e = 0; e < g->ne; e++) {
        int a = find(p, g->u[e]), b = find(p, g->v[e]);
        if (a != b) {
            p[a] = b;
            comps--;
        }
    }
    free(p);
    if (g->n > 0)
        assert_int_equal(comps, 1);
}

static int has_edge(const graph *g, int a, int b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    for (int e = 0; e < g->ne; e++)
        if (g->u[e] == a && g->v[e] == b)
            return 1;
    return 0;
}

/* Number of convex hull vertices (strictly convex corners), monotone chain. */
static const double *sx, *sy;
static int cmp_xy(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (sx[i] != sx[j])
        return sx[i] < sx[j] ? -1 : 1;
    return (sy[i] > sy[j]) - (sy[i] < sy[j]);
}
static double cross(int o, int a, int b)
{
    return (sx[a] - sx[o]) * (sy[b] - sy[o]) - (sy[a] - sy[o]) * (sx[b] - sx[o]);
}
static int hull_size(int n, const double *x, const double *y)
{
    int *idx = malloc((size_t)n * sizeof *idx), *h = malloc((size_t)(2 * n + 1) * sizeof *h);
    sx = x;
    sy = y;
    for (int i = 0; i < n; i++)
        idx[i] = i;
    qsort(idx, (size_t)n, sizeof *idx, cmp_xy);
    int k = 0;
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], idx[i]) <= 0)
            k--;
        h[k++] = idx[i];
    }
    for (int i = n - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && cross(h[k - 2], h[k - 1], idx[i]) <= 0)
            k--;
        h[k++] = idx[i];
    }
    free(idx);
    free(h);
    return k - 1;
}

static int segments_cross(const double *x, const double *y, int a, int b, int c, int d)
{
    if (a == c || a == d || b == c || b == d)
        return 0;
    double d1 = (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]);
    double d2 = (x[b] - x[a]) * (y[d] - y[a]) - (y[b] - y[a]) * (x[d] - x[a]);
    double d3 = (x[d] - x[c]) * (y[a] - y[c]) - (y[d] - y[c]) * (x[a] - x[c]);
    double d4 = (x[d] - x[c]) * (y[b] - y[c]) - (y[d] - y[c]) * (x[b] - x[c]);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

static void random_points(int n, uint64_t seed, double *x, double *y, double scale)
{
    tqo_rng r;
    tqo_rng_init(&r, seed, 0);
    for (int i = 0; i < n; i++) {
        x[i] = scale * tqo_rng_uniform(&r);
        y[i] = scale * tqo_rng_uniform(&r);
    }
}

/* Every point's nearest other point is one of its Delaunay neighbours. */
static void check_nearest(const graph *g, const double *x, const double *y, tqo_coords c)
{
    int *start = calloc((size_t)g->n + 1, sizeof *start), *adj = malloc((size_t)(2 * g->ne + 1) * sizeof *adj);
    for (int e = 0; e < g->ne; e++) {
        start[g->u[e] + 1]++;
        start[g->v[e] + 1]++;
    }
    for (int i = 0; i < g->n; i++)
        start[i + 1] += start[i];
    int *fill = malloc((size_t)g->n * sizeof *fill);
    memcpy(fill, start, (size_t)g->n * sizeof *fill);
    for (int e = 0; e < g->ne; e++) {
        adj[fill[g->u[e]]++] = g->v[e];
        adj[fill[g->v[e]]++] = g->u[e];
    }
    for (int i = 0; i < g->n; i++) {
        int best = -1;
        double bd = 0;
        for (int j = 0; j < g->n; j++) {
            if (j == i)
                continue;
            double d = tqo_distance(c, x[i], y[i], x[j], y[j]);
            if (best < 0 || d < bd) {
                best = j;
                bd = d;
            }
        }
        int found = 0;
        for (int k = start[i]; k < start[i + 1]; k++)
            found |= adj[k] == best;
        assert_true(found);
    }
    free(start);
    free(adj);
    free(fill);
}

static void test_tiny_inputs(void **state)
{
    (void)state;
    double x[4] = {0, 1, 0, 1}, y[4] = {0, 0, 1, 1};
    graph g = run(0, x, y, TQO_COORDS_XY);
    assert_int_equal(g.ne, 0);
    graph_free(&g);
    g = run(1, x, y, TQO_COORDS_XY);
    assert_int_equal(g.ne, 0);
    graph_free(&g);
    g = run(2, x, y, TQO_COORDS_XY);
    assert_int_equal(g.ne, 1);
    assert_true(has_edge(&g, 0, 1));
    graph_free(&g);
    g = run(3, x, y, TQO_COORDS_XY); /* a triangle */
    assert_int_equal(g.ne, 3);
    check_basic(&g);
    graph_free(&g);
    g = run(4, x, y, TQO_COORDS_XY); /* a square: four sides and one diagonal */
    assert_int_equal(g.ne, 5);
    check_basic(&g);
    assert_true(has_edge(&g, 0, 1) && has_edge(&g, 0, 2) && has_edge(&g, 1, 3) && has_edge(&g, 2, 3));
    graph_free(&g);
}

static void test_grid_3x3(void **state)
{
    (void)state;
    double x[9], y[9];
    for (int i = 0; i < 9; i++) {
        x[i] = i % 3;
        y[i] = i / 3;
    }
    graph g = run(9, x, y, TQO_COORDS_XY);
    check_basic(&g);
    /* 3n - 3 - h with 8 hull points: 12 grid sides and one diagonal of
       each of the 4 squares, whichever diagonal qhull picks. */
    assert_int_equal(g.ne, 16);
    for (int i = 0; i < 9; i++) {
        if (i % 3 < 2)
            assert_true(has_edge(&g, i, i + 1));
        if (i / 3 < 2)
            assert_true(has_edge(&g, i, i + 3));
    }
    for (int a = 0; a < g.ne; a++)
        for (int b = a + 1; b < g.ne; b++)
            assert_false(segments_cross(x, y, g.u[a], g.v[a], g.u[b], g.v[b]));
    graph_free(&g);
}

static void test_grid_large(void **state)
{
    (void)state;
    /* A 40 x 40 grid is fully co-circular: the worst case for precision. */
    int side = 40, n = side * side;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    for (int i = 0; i < n; i++) {
        x[i] = 1000.0 + 0.5 * (i % side);
        y[i] = -300.0 + 0.5 * (i / side);
    }
    graph g = run(n, x, y, TQO_COORDS_XY);
    check_basic(&g);
    assert_int_equal(g.ne, 3 * n - 3 - 4 * (side - 1));
    for (int i = 0; i < n; i++)
        if (i % side < side - 1)
            assert_true(has_edge(&g, i, i + 1));
    graph_free(&g);
    free(x);
    free(y);
}

static void test_random_is_triangulation(void **state)
{
    (void)state;
    int n = 400;
    double x[400], y[400];
    random_points(n, 3, x, y, 100.0);
    graph g = run(n, x, y, TQO_COORDS_XY);
    check_basic(&g);
    assert_true(g.ne <= 3 * n - 6);
    assert_int_equal(g.ne, 3 * n - 3 - hull_size(n, x, y));
    for (int a = 0; a < g.ne; a++)
        for (int b = a + 1; b < g.ne; b++)
            assert_false(segments_cross(x, y, g.u[a], g.v[a], g.u[b], g.v[b]));
    check_nearest(&g, x, y, TQO_COORDS_XY);
    graph_free(&g);
}

static void test_clustered_large(void **state)
{
    (void)state;
    /* Dense clusters far apart, as real units are: the graph must still
       be one triangulation of all of them. */
    int n = 20000;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    tqo_rng r;
    tqo_rng_init(&r, 11, 0);
    for (int i = 0; i < n; i++) {
        int c = tqo_rng_int(&r, 5);
        double s = c == 0 ? 300.0 : 2.0;
        x[i] = c * 250.0 + s * tqo_rng_normal(&r);
        y[i] = c * 90.0 + s * tqo_rng_normal(&r);
    }
    graph g = run(n, x, y, TQO_COORDS_XY);
    check_basic(&g);
    assert_int_equal(g.ne, 3 * n - 3 - hull_size(n, x, y));
    graph_free(&g);
    free(x);
    free(y);
}

static void test_duplicates_joined(void **state)
{
    (void)state;
    int n = 60;
    double x[60], y[60];
    random_points(40, 5, x, y, 10.0);
    /* 20 twins of the first 20 points, one of them a triple. */
    for (int i = 40; i < 60; i++) {
        x[i] = x[i - 40];
        y[i] = y[i - 40];
    }
    x[59] = x[0];
    y[59] = y[0];
    graph g = run(n, x, y, TQO_COORDS_XY);
    check_basic(&g);
    for (int i = 40; i < 59; i++)
        assert_true(has_edge(&g, i - 40, i));
    assert_true(has_edge(&g, 0, 59) || has_edge(&g, 40, 59));
    graph_free(&g);

    /* All points the same place: each a neighbour of every other (issue 16:
       a star left contiguous territories no room). */
    double cx[5] = {3, 3, 3, 3, 3}, cy[5] = {4, 4, 4, 4, 4};
    g = run(5, cx, cy, TQO_COORDS_XY);
    check_basic(&g);
    assert_int_equal(g.ne, 10);
    graph_free(&g);
}

static void test_near_duplicates(void **state)
{
    (void)state;
    /* Twins a hair apart are within qhull's precision: qhull leaves them
       out of the triangulation, and they must still be joined. */
    int n = 200;
    double x[200], y[200];
    random_points(100, 6, x, y, 1000.0);
    for (int i = 100; i < 200; i++) {
        x[i] = x[i - 100] + 1e-11 * (i % 3);
        y[i] = y[i - 100] + 1e-11;
    }
    graph g = run(n, x, y, TQO_COORDS_XY);
    check_basic(&g);
    assert_true(g.ne <= 3 * n - 6);
    graph_free(&g);
}

static void test_collinear_chain(void **state)
{
    (void)state;
    /* Shuffled points on a line: the path along the line. */
    double t[10] = {3, 7, 0, 9, 1, 8, 2, 6, 4, 5};
    double x[10], y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = 10.0 + t[i];
        y[i] = 1.0 + 2.0 * t[i];
    }
    graph g = run(10, x, y, TQO_COORDS_XY);
    check_basic(&g);
    assert_int_equal(g.ne, 9);
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
            if (t[j] == t[i] + 1)
                assert_true(has_edge(&g, i, j));
    graph_free(&g);

    /* A vertical line with a twin. */
    double vx[6] = {5, 5, 5, 5, 5, 5}, vy[6] = {4, 1, 3, 2, 0, 2};
    g = run(6, vx, vy, TQO_COORDS_XY);
    check_basic(&g);
    /* the twin 5 shares 3's place and so its neighbours 1 and 2 */
    assert_int_equal(g.ne, 7);
    assert_true(has_edge(&g, 3, 5));
    assert_true(has_edge(&g, 1, 4) && has_edge(&g, 1, 3) && has_edge(&g, 2, 5) && has_edge(&g, 1, 5));
    graph_free(&g);
}

static void test_latlon(void **state)
{
    (void)state;
    /* High latitude: without projection the triangulation would favour
       north-south edges; nearest neighbours by great circle must be kept. */
    int n = 300;
    double lon[300], lat[300];
    tqo_rng r;
    tqo_rng_init(&r, 8, 0);
    for (int i = 0; i < n; i++) {
        lon[i] = 20.0 + 2.0 * tqo_rng_uniform(&r);
        lat[i] = 65.0 + 1.0 * tqo_rng_uniform(&r);
    }
    graph g = run(n, lon, lat, TQO_COORDS_LATLON);
    check_basic(&g);
    check_nearest(&g, lon, lat, TQO_COORDS_LATLON);
    graph_free(&g);

    /* Across the 180th meridian the same points, shifted, give the same graph. */
    double wrapped[300], shifted[300];
    for (int i = 0; i < n; i++) {
        double l = 179.0 + 2.0 * (lon[i] - 20.0) / 2.0;
        shifted[i] = l - 100.0;
        wrapped[i] = l >= 180.0 ? l - 360.0 : l;
    }
    graph a = run(n, wrapped, lat, TQO_COORDS_LATLON);
    graph b = run(n, shifted, lat, TQO_COORDS_LATLON);
    check_basic(&a);
    assert_int_equal(a.ne, b.ne);
    int same = 0;
    for (int e = 0; e < a.ne; e++)
        same += a.u[e] == b.u[e] && a.v[e] == b.v[e];
    assert_int_equal(same, a.ne);
    graph_free(&a);
    graph_free(&b);
}

static void test_bad_input(void **state)
{
    (void)state;
    double x[3] = {0, 1, NAN}, y[3] = {0, 1, 2};
    int ne = 99, *u = (int *)1, *v = (int *)1;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_delaunay(3, x, y, TQO_COORDS_NONE, &ne, &u, &v, &d), TQO_ERR_ARG);
    assert_int_equal(ne, 0);
    assert_null(u);
    assert_int_equal(tqo_delaunay(3, x, y, TQO_COORDS_XY, &ne, &u, &v, &d), TQO_ERR_INPUT);
    assert_non_null(tqo_diag_first_error(&d));
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_inputs),
        cmocka_unit_test(test_grid_3x3),
        cmocka_unit_test(test_grid_large),
        cmocka_unit_test(test_random_is_triangulation),
        cmocka_unit_test(test_clustered_large),
        cmocka_unit_test(test_duplicates_joined),
        cmocka_unit_test(test_near_duplicates),
        cmocka_unit_test(test_collinear_chain),
        cmocka_unit_test(test_latlon),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
