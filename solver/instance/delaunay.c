/*
 * Delaunay neighbours with qhull (reentrant libqhull_r). Units that share a
 * Delaunay edge are taken as neighbours when an instance has no adjacency
 * of its own. qhull cannot triangulate coincident or collinear points, so
 * those cases are handled here: exact twins are removed before qhull and
 * joined to their first twin, near twins that qhull keeps out of the
 * triangulation are joined to the nearest vertex of their facet, and
 * collinear input becomes a chain along the line. The graph is therefore
 * connected whenever n > 1.
 */
#include "tqo.h"

#include <libqhull_r/qhull_ra.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KM_PER_DEGREE (TQO_EARTH_RADIUS_KM * 3.14159265358979323846 / 180.0)

/* A growable list of edges, each packed as (u << 32 | v) with u < v so
   that sorting the keys sorts the pairs by (u, v). */
typedef struct edge_list {
    uint64_t *key;
    size_t n, cap;
} edge_list;

static int edge_add(edge_list *el, int a, int b)
{
    if (a == b)
        return 0;
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    if (el->n == el->cap) {
        size_t cap = el->cap ? 2 * el->cap : 1024;
        uint64_t *k = realloc(el->key, cap * sizeof *k);
        if (!k)
            return -1;
        el->key = k;
        el->cap = cap;
    }
    el->key[el->n++] = (uint64_t)a << 32 | (uint64_t)b;
    return 0;
}

/* LSD radix sort of the keys, 16 bits a pass: qsort is several times
   slower on the million keys of a large instance. */
static int sort_keys(uint64_t *key, size_t n)
{
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t *count = malloc(65537 * sizeof *count); /* too big for a thread's stack */
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return -1;
    }
    uint64_t *src = key, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65537 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xffff) + 1]++;
        if (count[1] == n) /* this digit is 0 everywhere: nothing to move */
            continue;
        for (int d = 0; d < 65536; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != key)
        memcpy(key, src, n * sizeof *key);
    free(count);
    free(tmp);
    return 0;
}

/* Planar coordinates in km, centred on the mean so that qhull works with
   small numbers. Lat/lon is projected equirectangularly around the mean
   latitude, longitudes taken relative to the first point so that a set of
   points across the 180th meridian stays together. */
static void project(int n, const double *x, const double *y, tqo_coords coords,
                    double *px, double *py)
{
    double mx = 0, my = 0;
    if (coords == TQO_COORDS_LATLON) {
        for (int i = 0; i < n; i++) {
            double d = fmod(x[i] - x[0], 360.0);
            if (d >= 180.0)
                d -= 360.0;
            else if (d < -180.0)
                d += 360.0;
            px[i] = d;
            py[i] = y[i];
            mx += d;
            my += y[i];
        }
        mx /= n;
        my /= n;
        double kx = KM_PER_DEGREE * cos(my * 3.14159265358979323846 / 180.0);
        for (int i = 0; i < n; i++) {
            px[i] = (px[i] - mx) * kx;
            py[i] = (py[i] - my) * KM_PER_DEGREE;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    for (int i = 0; i < n; i++) {
        px[i] = x[i] - mx;
        py[i] = y[i] - my;
    }
}

/* A point with its index, sorted by (x, y, index) to find twins and to
   order a chain; the copy keeps qsort free of global state. */
typedef struct sorted_point {
    double x, y;
    int i;
} sorted_point;

static int cmp_point(const void *a, const void *b)
{
    const sorted_point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* True when all points lie within a tiny relative distance of the line
   through the lexicographically first and last: qhull then has no
   triangle to start from. */
static int collinear(int m, const int *uniq, const double *px, const double *py)
{
    int a = uniq[0], b = uniq[m - 1];
    double dx = px[b] - px[a], dy = py[b] - py[a];
    double len = hypot(dx, dy);
    if (len == 0)
        return 1;
    for (int k = 1; k < m - 1; k++) {
        int i = uniq[k];
        double cross = dx * (py[i] - py[a]) - dy * (px[i] - px[a]);
        if (fabs(cross) > 1e-9 * len * len)
            return 0;
    }
    return 1;
}

static double dist2(const double *px, const double *py, int i, int j)
{
    double dx = px[i] - px[j], dy = py[i] - py[j];
    return dx * dx + dy * dy;
}

/*
 * Runs qhull on the m unique points uniq[] and adds the edges of the lower
 * Delaunay triangles. Points that qhull keeps out of the triangulation
 * (near twins) are joined to the nearest vertex of the facet qhull puts
 * them with. Returns the qhull exit code, or -1 when out of memory.
 */
static int qhull_edges(int m, const int *uniq, const double *px, const double *py,
                       const char *options, edge_list *el)
{
    coordT *pts = malloc((size_t)m * 2 * sizeof *pts);
    char *placed = calloc((size_t)m, 1);
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull)
        devnull = tmpfile(); /* qhull needs some errfile; never stdout/stderr */
    if (!pts || !placed || !devnull) {
        free(pts);
        free(placed);
        if (devnull)
            fclose(devnull);
        return -1;
    }
    for (int k = 0; k < m; k++) {
        pts[2 * k] = px[uniq[k]];
        pts[2 * k + 1] = py[uniq[k]];
    }

    char cmd[64];
    snprintf(cmd, sizeof cmd, "qhull %s", options);
    qhT qh_qh;
    qhT *qh = &qh_qh;
    qh_zero(qh, devnull);
    int rc = qh_new_qhull(qh, 2, m, pts, False, cmd, NULL, devnull);
    if (rc == 0) {
        facetT *facet;
        vertexT *vertex, **vertexp;
        FORALLfacets {
            if (facet->upperdelaunay)
                continue;
            int ids[3], nv = 0;
            FOREACHvertex_(facet->vertices) {
                int id = qh_pointid(qh, vertex->point);
                if (id >= 0 && id < m && nv < 3)
                    ids[nv++] = id;
            }
            for (int a = 0; a < nv; a++) {
                placed[ids[a]] = 1;
                for (int b = a + 1; b < nv; b++)
                    if (edge_add(el, uniq[ids[a]], uniq[ids[b]]) != 0)
                        rc = -1;
            }
        }
        /* Points left out as coplanar: join each to its facet's nearest
           vertex (with 'Qc' qhull keeps them with the facet they are on). */
        FORALLfacets {
            pointT *point, **pointp;
            FOREACHpoint_(facet->coplanarset) {
                int id = qh_pointid(qh, point);
                if (id < 0 || id >= m || placed[id])
                    continue;
                int best = -1;
                double bd = 0;
                FOREACHvertex_(facet->vertices) {
                    int v = qh_pointid(qh, vertex->point);
                    if (v < 0 || v >= m || v == id)
                        continue;
                    double d = dist2(px, py, uniq[id], uniq[v]);
                    if (best < 0 || d < bd) {
                        best = v;
                        bd = d;
                    }
                }
                if (best >= 0) {
                    placed[id] = 1;
                    if (edge_add(el, uniq[id], uniq[best]) != 0)
                        rc = -1;
                }
            }
        }
    }
    qh_freeqhull(qh, !qh_ALL);
    int curlong, totlong;
    qh_memfreeshort(qh, &curlong, &totlong);
    fclose(devnull);

    /* Any point still unplaced (not expected) is joined to its nearest
       placed point by a plain scan, so that the graph stays connected. */
    for (int k = 0; rc == 0 && k < m; k++) {
        if (placed[k])
            continue;
        int best = -1;
        double bd = 0;
        for (int j = 0; j < m; j++) {
            if (j == k || !placed[j])
                continue;
            double d = dist2(px, py, uniq[k], uniq[j]);
            if (best < 0 || d < bd) {
                best = j;
                bd = d;
            }
        }
        if (best >= 0 && edge_add(el, uniq[k], uniq[best]) != 0)
            rc = -1;
    }
    free(placed);
    free(pts);
    return rc;
}

tqo_status tqo_delaunay(int n, const double *x, const double *y, tqo_coords coords,
                        int *n_edges, int **edge_u, int **edge_v, tqo_diag *diag)
{
    *n_edges = 0;
    *edge_u = *edge_v = NULL;
    if (n < 0 || (n > 0 && (!x || !y))) {
        tqo_diag_error(diag, "delaunay: invalid point set");
        return TQO_ERR_ARG;
    }
    if (coords != TQO_COORDS_XY && coords != TQO_COORDS_LATLON) {
        tqo_diag_error(diag, "delaunay: the units have no coordinates");
        return TQO_ERR_ARG;
    }
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            tqo_diag_error(diag, "delaunay: unit %d has no valid coordinates", i + 1);
            return TQO_ERR_INPUT;
        }
    }
    if (n <= 1)
        return TQO_OK;

    tqo_status st = TQO_OK;
    double *px = malloc((size_t)n * sizeof *px);
    double *py = malloc((size_t)n * sizeof *py);
    sorted_point *order = malloc((size_t)n * sizeof *order);
    int *uniq = malloc((size_t)n * sizeof *uniq);
    edge_list el = {0};
    if (!px || !py || !order || !uniq) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    project(n, x, y, coords, px, py);

    /* Exact twins: joined to the first of their group, left out of qhull. */
    for (int i = 0; i < n; i++) {
        order[i].x = px[i];
        order[i].y = py[i];
        order[i].i = i;
    }
    qsort(order, (size_t)n, sizeof *order, cmp_point);
    int m = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k].i;
        if (m > 0 && px[i] == px[uniq[m - 1]] && py[i] == py[uniq[m - 1]]) {
            if (edge_add(&el, uniq[m - 1], i) != 0) {
                st = TQO_ERR_NOMEM;
                goto done;
            }
            continue;
        }
        uniq[m++] = i;
    }

    free(order); /* not needed any more: free it before qhull's peak */
    order = NULL;
    size_t n_twin_edges = el.n;
    int chain = 0;
    if (m == 3 && !collinear(m, uniq, px, py)) {
        /* A single triangle: qhull's Delaunay needs more points to start. */
        for (int a = 0; a < 3 && st == TQO_OK; a++)
            if (edge_add(&el, uniq[a], uniq[(a + 1) % 3]) != 0)
                st = TQO_ERR_NOMEM;
    } else if (m >= 3 && !collinear(m, uniq, px, py)) {
        /* d: Delaunay; Qbb: scale the lifted coordinate for precision; Qz:
           a point at infinity, which copes with co-circular points such
           as grids; Qt: triangulated output, so no edge crosses another;
           Qc: keep the points left out with the facet they are on. */
        int rc = qhull_edges(m, uniq, px, py, "d Qbb Qz Qt Qc", &el);
        if (rc > 0) {
            /* A precision failure: joggling the input always triangulates,
               at the price of an arbitrary choice among near-ties. */
            el.n = n_twin_edges;
            rc = qhull_edges(m, uniq, px, py, "d Qbb Qz Qt Qc QJ", &el);
            if (rc > 0) {
                tqo_diag_warning(diag, "delaunay: qhull failed (code %d): units chained instead", rc);
                chain = 1;
            }
        }
        if (rc < 0)
            st = TQO_ERR_NOMEM;
    } else {
        chain = 1;
    }
    if (chain && st == TQO_OK) {
        /* Collinear points: the Delaunay graph is the path along the line,
           and the (x, y) order is the order along it. */
        for (int k = 0; k + 1 < m; k++)
            if (edge_add(&el, uniq[k], uniq[k + 1]) != 0) {
                st = TQO_ERR_NOMEM;
                break;
            }
    }
    if (st != TQO_OK)
        goto done;

    if (sort_keys(el.key, el.n) != 0) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    size_t ne = 0;
    for (size_t k = 0; k < el.n; k++)
        if (k == 0 || el.key[k] != el.key[k - 1])
            el.key[ne++] = el.key[k];
    int *eu = malloc((ne ? ne : 1) * sizeof *eu);
    int *ev = malloc((ne ? ne : 1) * sizeof *ev);
    if (!eu || !ev) {
        free(eu);
        free(ev);
        st = TQO_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < ne; k++) {
        eu[k] = (int)(el.key[k] >> 32);
        ev[k] = (int)(el.key[k] & 0xffffffffu);
    }
    *n_edges = (int)ne;
    *edge_u = eu;
    *edge_v = ev;

done:
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "delaunay: out of memory for %d points", n);
    free(el.key);
    free(uniq);
    free(order);
    free(py);
    free(px);
    return st;
}
