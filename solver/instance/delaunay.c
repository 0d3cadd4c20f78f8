/*
 * Delaunay neighbours with qhull (reentrant libqhull_r). Units that share a
 * Delaunay edge are taken as neighbours when an instance has no adjacency
 * of its own. qhull cannot triangulate coincident or collinear points, so
 * those cases are handled here: exact twins are removed before qhull and
 * given their twin's neighbours and each other (they are at one place),
 * near twins that qhull keeps out of the triangulation are joined to the
 * nearest vertex of their facet, and collinear input becomes a chain along
 * the line. The graph is therefore connected whenever n > 1.
 *
 * Lat/lon is triangulated on the sphere (issue 16): points within a
 * hemisphere of their mean direction are projected stereographically from
 * the opposite point, which maps circles on the sphere to circles in the
 * plane, so the planar Delaunay graph of the image is the spherical one
 * (without the triangles that wrap round the far side of the globe); the
 * 180th meridian and the poles are nothing special there. Points spread
 * wider use the convex hull of their unit vectors in 3D, which is the
 * spherical Delaunay triangulation.
 */
#include "instance/delaunay.h"
#include "instance/sphere_plane.h"
#include "tqo.h"

#include <libqhull_r/qhull_ra.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
   small numbers. Lat/lon goes through unit vectors (p3): returns 1 when
   the points lie beyond a hemisphere of their mean direction, to be
   triangulated in 3D; else projects them stereographically from the
   point opposite that direction (scaled to km at the centre). */
static int project(int n, const double *x, const double *y, tqo_coords coords, double *px, double *py,
                   double *p3)
{
    if (coords == TQO_COORDS_LATLON) {
        tqoi_unit_vectors(n, x, y, p3);
        tqoi_plane pl;
        if (tqoi_plane_fit(n, p3, &pl)) {
            /* The chain order of a failed hull: longitude, latitude. */
            for (int i = 0; i < n; i++) {
                px[i] = atan2(p3[3 * i + 1], p3[3 * i]);
                py[i] = p3[3 * i + 2];
            }
            return 1;
        }
        for (int i = 0; i < n; i++)
            tqoi_plane_forward(&pl, p3 + 3 * i, px + i, py + i);
        return 0;
    }
    double mx = 0, my = 0;
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
    return 0;
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

static double dist2(const double *coord, int dim, int i, int j)
{
    double s = 0;
    for (int d = 0; d < dim; d++) {
        double t = coord[dim * i + d] - coord[dim * j + d];
        s += t * t;
    }
    return s;
}

/* The lower Delaunay facets (2D) or the hull facets but those through the
   origin (3D: the origin is added as point m so that points within a
   hemisphere leave no facet spanning the empty side). */
static int facet_wanted(qhT *qh, facetT *facet, int dim, int m)
{
    vertexT *vertex, **vertexp;
    if (dim == 2)
        return !facet->upperdelaunay;
    FOREACHvertex_(facet->vertices) {
        if (qh_pointid(qh, vertex->point) == m)
            return 0;
    }
    return 1;
}

/* Points left out as coplanar: join each to its facet's nearest vertex
   (with 'Qc' qhull keeps them with the facet they are on). */
static int join_coplanar(qhT *qh, int m, const int *uniq, const double *coord, int dim, char *placed,
                         edge_list *el)
{
    facetT *facet;
    vertexT *vertex, **vertexp;
    int rc = 0;
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
                double d = dist2(coord, dim, uniq[id], uniq[v]);
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
    return rc;
}

/*
 * Runs qhull on the m unique points uniq[] (coord: dim numbers per unit)
 * and adds the edges of the Delaunay triangles: the lower facets of the
 * lifted points in 2D, the hull facets on the unit sphere in 3D. Points
 * that qhull keeps out of the triangulation (near twins) are joined to
 * the nearest vertex of the facet qhull puts them with. Returns the qhull
 * exit code, or -1 when out of memory.
 */
static int qhull_edges(int m, const int *uniq, const double *coord, int dim, const char *options, edge_list *el)
{
    int np = dim == 3 ? m + 1 : m;
    coordT *pts = calloc((size_t)np * (size_t)dim, sizeof *pts);
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
    for (int k = 0; k < m; k++)
        for (int d = 0; d < dim; d++)
            pts[dim * k + d] = coord[dim * uniq[k] + d];

    char cmd[64];
    snprintf(cmd, sizeof cmd, "qhull %s", options);
    qhT qh_qh;
    qhT *qh = &qh_qh;
    qh_zero(qh, devnull);
    int rc = qh_new_qhull(qh, dim, np, pts, False, cmd, NULL, devnull);
    if (rc == 0) {
        facetT *facet;
        vertexT *vertex, **vertexp;
        FORALLfacets {
            if (!facet_wanted(qh, facet, dim, m))
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
        if (join_coplanar(qh, m, uniq, coord, dim, placed, el) != 0)
            rc = -1;
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
            double d = dist2(coord, dim, uniq[k], uniq[j]);
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

/* Twin groups of more units than this are joined as a chain, each to the
   first too, rather than all to all (g^2 / 2 edges). */
#define TWIN_CLIQUE 64

/*
 * Exact twins: uniq[] gets the first unit of each point (in (x, y)
 * order), twin[] links each unit to the next of its point (-1 ends). The
 * twins of a point are joined to each other (all to all up to
 * TWIN_CLIQUE). Returns the number of distinct points, or -1 when out of
 * memory.
 */
static int find_twins(int n, const double *px, const double *py, sorted_point *order, int *uniq, int *twin,
                      edge_list *el)
{
    for (int i = 0; i < n; i++) {
        order[i].x = px[i];
        order[i].y = py[i];
        order[i].i = i;
        twin[i] = -1;
    }
    qsort(order, (size_t)n, sizeof *order, cmp_point);
    int m = 0;
    for (int k = 0; k < n;) {
        int e = k + 1;
        while (e < n && order[e].x == order[k].x && order[e].y == order[k].y)
            e++;
        uniq[m++] = order[k].i;
        for (int a = k; a + 1 < e; a++)
            twin[order[a].i] = order[a + 1].i;
        for (int a = k; a < e; a++)
            for (int b = a + 1; b < e; b++) {
                if (e - k > TWIN_CLIQUE && b > a + 1 && a != k)
                    break; /* a big group: chain and star */
                if (edge_add(el, order[a].i, order[b].i) != 0)
                    return -1;
            }
        k = e;
    }
    return m;
}

/* Each twin gets the Delaunay neighbours of its point's first unit: they
   are at one place, so either may border what is around it. */
static int spread_twins(const int *twin, size_t from, size_t to, edge_list *el)
{
    for (size_t k = from; k < to; k++) {
        int a = (int)(el->key[k] >> 32), b = (int)(el->key[k] & 0xffffffffu);
        for (int t = twin[a]; t >= 0; t = twin[t])
            if (edge_add(el, t, b) != 0)
                return -1;
        for (int t = twin[b]; t >= 0; t = twin[t])
            if (edge_add(el, a, t) != 0)
                return -1;
    }
    return 0;
}

/* The edges among the m distinct points: one triangle, qhull (joggled on
   a precision failure), or a chain for collinear points. 0, or -1 when
   out of memory. */
static int triangulate(int n, int m, const int *uniq, const double *px, const double *py, const double *p3, int wide,
                       edge_list *el, tqo_diag *diag)
{
    size_t base = el->n;
    int chain = 0;
    if (m == 1) {
        tqo_diag_warning(diag, "delaunay: all %d units are at one point, so their coordinates say nothing of "
                         "who borders whom: each is taken as a neighbour of the others", n);
    } else if (wide) {
        /* Qt: triangulated output; Qc: keep the points left out with their
           facet. The origin rides along (see facet_wanted). */
        int rc = qhull_edges(m, uniq, p3, 3, "Qt Qc", el);
        if (rc > 0) {
            el->n = base;
            rc = qhull_edges(m, uniq, p3, 3, "Qt Qc QJ", el);
            if (rc > 0) {
                tqo_diag_warning(diag, "delaunay: qhull failed (code %d): units chained instead", rc);
                chain = 1;
            }
        }
        if (rc < 0)
            return -1;
    } else if (m == 3 && !collinear(m, uniq, px, py)) {
        /* A single triangle: qhull's Delaunay needs more points to start. */
        for (int a = 0; a < 3; a++)
            if (edge_add(el, uniq[a], uniq[(a + 1) % 3]) != 0)
                return -1;
    } else if (m >= 3 && !collinear(m, uniq, px, py)) {
        double *xy = malloc((size_t)n * 2 * sizeof *xy);
        if (!xy)
            return -1;
        for (int i = 0; i < n; i++) {
            xy[2 * i] = px[i];
            xy[2 * i + 1] = py[i];
        }
        /* d: Delaunay; Qbb: scale the lifted coordinate for precision; Qz:
           a point at infinity, which copes with co-circular points such
           as grids; Qt: triangulated output, so no edge crosses another;
           Qc: keep the points left out with the facet they are on. */
        int rc = qhull_edges(m, uniq, xy, 2, "d Qbb Qz Qt Qc", el);
        if (rc > 0) {
            /* A precision failure: joggling the input always triangulates,
               at the price of an arbitrary choice among near-ties. */
            el->n = base;
            rc = qhull_edges(m, uniq, xy, 2, "d Qbb Qz Qt Qc QJ", el);
            if (rc > 0) {
                tqo_diag_warning(diag, "delaunay: qhull failed (code %d): units chained instead", rc);
                chain = 1;
            }
        }
        free(xy);
        if (rc < 0)
            return -1;
    } else {
        chain = 1;
        if (m >= 3)
            tqo_diag_warning(diag, "delaunay: the %d distinct points of the units lie on one line: each is "
                             "taken as a neighbour of the next along it", m);
    }
    if (chain) {
        /* Collinear points: the Delaunay graph is the path along the line,
           and the (x, y) order is the order along it. */
        el->n = base;
        for (int k = 0; k + 1 < m; k++)
            if (edge_add(el, uniq[k], uniq[k + 1]) != 0)
                return -1;
    }
    return 0;
}

/* Sorts and dedupes the edges into the caller's arrays. */
static int edges_out(edge_list *el, int *n_edges, int **edge_u, int **edge_v)
{
    if (sort_keys(el->key, el->n) != 0)
        return -1;
    size_t ne = 0;
    for (size_t k = 0; k < el->n; k++)
        if (k == 0 || el->key[k] != el->key[k - 1])
            el->key[ne++] = el->key[k];
    int *eu = malloc((ne ? ne : 1) * sizeof *eu);
    int *ev = malloc((ne ? ne : 1) * sizeof *ev);
    if (!eu || !ev) {
        free(eu);
        free(ev);
        return -1;
    }
    for (size_t k = 0; k < ne; k++) {
        eu[k] = (int)(el->key[k] >> 32);
        ev[k] = (int)(el->key[k] & 0xffffffffu);
    }
    *n_edges = (int)ne;
    *edge_u = eu;
    *edge_v = ev;
    return 0;
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

    tqo_status st = TQO_ERR_NOMEM;
    double *px = malloc((size_t)n * sizeof *px);
    double *py = malloc((size_t)n * sizeof *py);
    double *p3 = coords == TQO_COORDS_LATLON ? malloc((size_t)n * 3 * sizeof *p3) : NULL;
    sorted_point *order = malloc((size_t)n * sizeof *order);
    int *uniq = malloc((size_t)n * sizeof *uniq);
    int *twin = malloc((size_t)n * sizeof *twin);
    edge_list el = {0};
    if (!px || !py || !order || !uniq || !twin || (coords == TQO_COORDS_LATLON && !p3))
        goto done;
    int wide = project(n, x, y, coords, px, py, p3);
    int m = find_twins(n, px, py, order, uniq, twin, &el);
    free(order); /* not needed any more: free it before qhull's peak */
    order = NULL;
    if (m < 0)
        goto done;
    size_t from = el.n;
    if (triangulate(n, m, uniq, px, py, p3, wide, &el, diag) != 0)
        goto done;
    if (spread_twins(twin, from, el.n, &el) != 0 || edges_out(&el, n_edges, edge_u, edge_v) != 0)
        goto done;
    st = TQO_OK;

done:
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "delaunay: out of memory for %d points", n);
    free(el.key);
    free(twin);
    free(uniq);
    free(order);
    free(p3);
    free(py);
    free(px);
    return st;
}

tqo_status tqoi_instance_delaunay(tqo_instance *inst, tqo_diag *diag)
{
    tqo_status st = tqo_delaunay(inst->n_units, inst->x, inst->y, inst->coords, &inst->n_edges, &inst->edge_u,
                                 &inst->edge_v, diag);
    if (st != TQO_OK)
        return st;
    inst->has_adjacency = 1;
    if (!(inst->adjacency_source = strdup("delaunay")))
        return TQO_ERR_NOMEM;
    return tqo_instance_build_graph(inst);
}
