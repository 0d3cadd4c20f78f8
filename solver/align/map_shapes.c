/*
 * Unit polygons for the maps, simplified without tearing shared borders.
 *
 * GEOS 3.11 (Debian 12) has no coverage simplification, and simplifying
 * each polygon on its own (even GEOSTopologyPreserveSimplify over the
 * whole collection) simplifies a shared border twice, differently from
 * each side, which leaves slivers and gaps between neighbours. So the
 * rings are cut into arcs at junctions (vertices with other than two
 * distinct neighbours over all rings), each arc is simplified once, in
 * one canonical direction, and the result is kept per shared vertex: both
 * sides of a border drop and keep the same vertices.
 */
#include "align/map_shapes.h"
#include "instance/gis.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void tqoi_map_shapes_free(map_shapes *m)
{
    free(m->ring_start);
    free(m->pt_start);
    free(m->x);
    free(m->y);
    free(m->keep);
    free(m->vid);
    free(m->arc_ring);
    free(m->arc_len);
    free(m->arc_a);
    free(m->arc_b);
    free(m->arc_first);
    memset(m, 0, sizeof *m);
}

static int grow(map_shapes *m, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    double *x = realloc(m->x, c * sizeof *x);
    if (x)
        m->x = x;
    double *y = realloc(m->y, c * sizeof *y);
    if (y)
        m->y = y;
    if (!x || !y)
        return -1;
    *cap = c;
    return 0;
}

/* Appends one ring (without its closing vertex and repeated vertices);
   longitudes unwrapped to within 180 degrees of the unit's point. */
static int add_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, double ux, int latlon, map_shapes *m,
                    size_t *cap, int *ring_cap)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np))
        return -1;
    if (grow(m, cap, m->n_pts + np) != 0)
        return -1;
    if (m->n_rings + 2 > *ring_cap) {
        int c = *ring_cap ? 2 * *ring_cap : 1024;
        size_t *ps = realloc(m->pt_start, (size_t)c * sizeof *ps);
        if (!ps)
            return -1;
        m->pt_start = ps;
        *ring_cap = c;
    }
    size_t first = m->n_pts;
    for (unsigned int k = 0; k < np; k++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, k, &x, &y))
            return -1;
        while (latlon && x - ux > 180)
            x -= 360;
        while (latlon && x - ux < -180)
            x += 360;
        if (m->n_pts > first && x == m->x[m->n_pts - 1] && y == m->y[m->n_pts - 1])
            continue;
        m->x[m->n_pts] = x;
        m->y[m->n_pts] = y;
        m->n_pts++;
    }
    while (m->n_pts > first + 1 && m->x[m->n_pts - 1] == m->x[first] && m->y[m->n_pts - 1] == m->y[first])
        m->n_pts--;
    if (m->n_pts - first < 3) {
        m->n_pts = first; /* a degenerate ring draws nothing */
        return 0;
    }
    m->pt_start[m->n_rings++] = first;
    m->pt_start[m->n_rings] = m->n_pts;
    return 0;
}

static int load_unit(gis_geos *G, const tqo_instance *inst, int i, map_shapes *m, size_t *cap, int *ring_cap)
{
    GEOSGeometry *g = tqoi_gis_unit_geom(G, inst->geometry, i);
    if (!g)
        return -1;
    int rc = 0, latlon = inst->coords == TQO_COORDS_LATLON;
    double ux = inst->x ? inst->x[i] : 0;
    int ng = GEOSGetNumGeometries_r(G->h, g);
    for (int k = 0; k < ng && rc == 0; k++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(G->h, g, k);
        if (GEOSGeomTypeId_r(G->h, poly) != GEOS_POLYGON)
            continue;
        rc = add_ring(G->h, GEOSGetExteriorRing_r(G->h, poly), ux, latlon, m, cap, ring_cap);
        int nh = GEOSGetNumInteriorRings_r(G->h, poly);
        for (int q = 0; q < nh && rc == 0; q++)
            rc = add_ring(G->h, GEOSGetInteriorRingN_r(G->h, poly, q), ux, latlon, m, cap, ring_cap);
    }
    GEOSGeom_destroy_r(G->h, g);
    return rc;
}

static int find_arcs(map_shapes *m);

int tqoi_map_shapes_load(const tqo_instance *inst, map_shapes *m)
{
    memset(m, 0, sizeof *m);
    if (!inst->geometry || inst->geometry->n != inst->n_units || inst->n_units <= 0)
        return 0;
    gis_geos G;
    if (tqoi_gis_geos_init(&G) != 0)
        return -1;
    int n = inst->n_units, ring_cap = 0, rc = 0;
    size_t cap = 0;
    m->n = n;
    m->ring_start = malloc(((size_t)n + 1) * sizeof *m->ring_start);
    if (!m->ring_start)
        rc = -1;
    for (int i = 0; i < n && rc == 0; i++) {
        m->ring_start[i] = m->n_rings;
        rc = load_unit(&G, inst, i, m, &cap, &ring_cap);
    }
    tqoi_gis_geos_finish(&G);
    if (rc == 0) {
        m->ring_start[n] = m->n_rings;
        if (!m->pt_start)
            m->pt_start = calloc(1, sizeof *m->pt_start);
        rc = m->pt_start ? find_arcs(m) : -1;
    }
    if (rc != 0) {
        tqoi_map_shapes_free(m);
        return -1;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Shared vertices and arcs                                            */
/* ------------------------------------------------------------------ */

static const map_shapes *sort_m; /* qsort has no context argument */

static int cmp_pt(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const double *x = sort_m->x, *y = sort_m->y;
    if (x[i] != x[j])
        return x[i] < x[j] ? -1 : 1;
    if (y[i] != y[j])
        return y[i] < y[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Equal coordinates get one id, numbered in (x, y) order so that a
   choice by the smallest id is the same from every side. */
static int assign_vids(map_shapes *m, int *n_vid)
{
    size_t np = m->n_pts;
    size_t *idx = malloc((np + 1) * sizeof *idx);
    m->vid = malloc((np + 1) * sizeof *m->vid);
    if (!idx || !m->vid) {
        free(idx);
        return -1;
    }
    for (size_t k = 0; k < np; k++)
        idx[k] = k;
    sort_m = m;
    qsort(idx, np, sizeof *idx, cmp_pt);
    int v = -1;
    for (size_t k = 0; k < np; k++) {
        if (k == 0 || m->x[idx[k]] != m->x[idx[k - 1]] || m->y[idx[k]] != m->y[idx[k - 1]])
            v++;
        m->vid[idx[k]] = v;
    }
    free(idx);
    *n_vid = v + 1;
    return 0;
}

/* Junctions: vertices with other than two distinct neighbours. */
static unsigned char *junctions(const map_shapes *m, int n_vid)
{
    uint64_t *e = malloc((2 * m->n_pts + 1) * sizeof *e);
    unsigned char *node = calloc((size_t)n_vid + 1, 1);
    int *deg = calloc((size_t)n_vid + 1, sizeof *deg);
    if (!e || !node || !deg) {
        free(e);
        free(node);
        free(deg);
        return NULL;
    }
    size_t ne = 0;
    for (int r = 0; r < m->n_rings; r++) {
        size_t s = m->pt_start[r], len = m->pt_start[r + 1] - s;
        for (size_t k = 0; k < len; k++) {
            uint64_t a = (uint64_t)m->vid[s + k], b = (uint64_t)m->vid[s + (k + 1) % len];
            e[ne++] = a << 32 | b;
            e[ne++] = b << 32 | a;
        }
    }
    qsort(e, ne, sizeof *e, cmp_u64);
    for (size_t k = 0; k < ne; k++)
        if (k == 0 || e[k] != e[k - 1])
            deg[e[k] >> 32]++;
    for (int v = 0; v < n_vid; v++)
        node[v] = deg[v] != 2;
    free(e);
    free(deg);
    return node;
}

typedef struct arc_rec {
    uint64_t key; /* the canonical first edge */
    int unit, ring, len;
    size_t first;
} arc_rec;

static int cmp_rec(const void *a, const void *b)
{
    const arc_rec *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    if (p->unit != q->unit)
        return p->unit < q->unit ? -1 : 1;
    return p->ring < q->ring ? -1 : p->ring > q->ring;
}

/* Vertex t of the arc (ring r from offset first, len vertices). */
static size_t arc_pt(const map_shapes *m, int r, size_t first, size_t t)
{
    size_t s = m->pt_start[r], len = m->pt_start[r + 1] - s;
    return s + (first + t) % len;
}

/* Whether the arc runs in its canonical direction: from the smaller end
   id, or on a closed loop toward the smaller second vertex. */
static int arc_forward(const map_shapes *m, int r, size_t first, int len)
{
    int a = m->vid[arc_pt(m, r, first, 0)], b = m->vid[arc_pt(m, r, first, (size_t)len - 1)];
    if (a != b)
        return a < b;
    return m->vid[arc_pt(m, r, first, 1)] <= m->vid[arc_pt(m, r, first, (size_t)len - 2)];
}

static int ring_arcs(const map_shapes *m, int r, int unit, const unsigned char *node, arc_rec **rec, size_t *n,
                     size_t *cap)
{
    size_t s = m->pt_start[r], len = m->pt_start[r + 1] - s, start = 0;
    int found = 0;
    for (size_t k = 0; k < len && !found; k++)
        if (node[m->vid[s + k]]) {
            start = k;
            found = 1;
        }
    if (!found) /* a ring without junctions starts at its smallest vertex */
        for (size_t k = 1; k < len; k++)
            if (m->vid[s + k] < m->vid[s + start])
                start = k;
    size_t t = 0;
    while (t < len) {
        size_t u = t + 1;
        while (u < len && !(found && node[m->vid[s + (start + u) % len]]))
            u++;
        if (*n == *cap) {
            size_t c = *cap ? 2 * *cap : 4096;
            arc_rec *q = realloc(*rec, c * sizeof *q);
            if (!q)
                return -1;
            *rec = q;
            *cap = c;
        }
        arc_rec a = {0, unit, r, (int)(u - t + 1), (start + t) % len};
        int fw = arc_forward(m, r, a.first, a.len);
        uint64_t v0 = (uint64_t)m->vid[arc_pt(m, r, a.first, fw ? 0 : (size_t)a.len - 1)];
        uint64_t v1 = (uint64_t)m->vid[arc_pt(m, r, a.first, fw ? 1 : (size_t)a.len - 2)];
        a.key = v0 << 32 | v1;
        (*rec)[(*n)++] = a;
        t = u;
    }
    return 0;
}

static int find_arcs(map_shapes *m)
{
    int n_vid = 0;
    if (assign_vids(m, &n_vid) != 0)
        return -1;
    unsigned char *node = junctions(m, n_vid);
    arc_rec *rec = NULL;
    size_t n = 0, cap = 0;
    int rc = node ? 0 : -1;
    for (int i = 0; i < m->n && rc == 0; i++)
        for (int r = m->ring_start[i]; r < m->ring_start[i + 1] && rc == 0; r++)
            rc = ring_arcs(m, r, i, node, &rec, &n, &cap);
    free(node);
    if (rc == 0 && n)
        qsort(rec, n, sizeof *rec, cmp_rec);
    size_t na = 0;
    for (size_t k = 0; k < n; k++)
        na += k == 0 || rec[k].key != rec[k - 1].key;
    m->arc_ring = malloc((na + 1) * sizeof *m->arc_ring);
    m->arc_len = malloc((na + 1) * sizeof *m->arc_len);
    m->arc_a = malloc((na + 1) * sizeof *m->arc_a);
    m->arc_b = malloc((na + 1) * sizeof *m->arc_b);
    m->arc_first = malloc((na + 1) * sizeof *m->arc_first);
    if (rc != 0 || !m->arc_ring || !m->arc_len || !m->arc_a || !m->arc_b || !m->arc_first) {
        free(rec);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && rec[k].key == rec[k - 1].key) {
            int a = m->n_arcs - 1;
            if (m->arc_b[a] < 0 && rec[k].unit != m->arc_a[a])
                m->arc_b[a] = rec[k].unit;
            continue;
        }
        int a = m->n_arcs++;
        m->arc_ring[a] = rec[k].ring;
        m->arc_len[a] = rec[k].len;
        m->arc_first[a] = rec[k].first;
        m->arc_a[a] = rec[k].unit;
        m->arc_b[a] = -1;
    }
    free(rec);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Simplification and output                                          */
/* ------------------------------------------------------------------ */

/* Squared distance from p to the segment a-b (to a when they coincide). */
static double seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / l2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

/* Douglas-Peucker over arc a in its canonical direction, with an explicit
   stack (a coastline arc can have many thousands of vertices). */
static int simplify_arc(const map_shapes *m, int a, double tol2, unsigned char *keep_vid, size_t *stack)
{
    int r = m->arc_ring[a], len = m->arc_len[a];
    int fw = arc_forward(m, r, m->arc_first[a], len);
#define P(t) arc_pt(m, r, m->arc_first[a], fw ? (size_t)(t) : (size_t)(len - 1 - (t)))
    keep_vid[m->vid[P(0)]] = 1;
    keep_vid[m->vid[P(len - 1)]] = 1;
    size_t sp = 0;
    stack[sp++] = 0;
    stack[sp++] = (size_t)len - 1;
    while (sp > 0) {
        size_t hi = stack[--sp], lo = stack[--sp];
        if (hi <= lo + 1)
            continue;
        size_t pa = P(lo), pb = P(hi), best = 0;
        double bd = -1;
        for (size_t t = lo + 1; t < hi; t++) {
            size_t q = P(t);
            double d = seg_dist2(m->x[q], m->y[q], m->x[pa], m->y[pa], m->x[pb], m->y[pb]);
            if (d > bd) {
                bd = d;
                best = t;
            }
        }
        /* a closed loop always keeps its farthest vertex: a ring needs three */
        if (bd > tol2 || (lo == 0 && hi == (size_t)len - 1 && m->vid[pa] == m->vid[pb])) {
            keep_vid[m->vid[P(best)]] = 1;
            stack[sp++] = lo;
            stack[sp++] = best;
            stack[sp++] = best;
            stack[sp++] = hi;
        }
    }
#undef P
    return 0;
}

int tqoi_map_shapes_simplify(map_shapes *m, double tol)
{
    int n_vid = 0;
    for (size_t k = 0; k < m->n_pts; k++)
        if (m->vid[k] + 1 > n_vid)
            n_vid = m->vid[k] + 1;
    size_t longest = 0;
    for (int r = 0; r < m->n_rings; r++)
        if (m->pt_start[r + 1] - m->pt_start[r] > longest)
            longest = m->pt_start[r + 1] - m->pt_start[r];
    unsigned char *keep_vid = calloc((size_t)n_vid + 1, 1);
    size_t *stack = malloc((4 * longest + 8) * sizeof *stack);
    free(m->keep);
    m->keep = malloc(m->n_pts + 1);
    if (!keep_vid || !stack || !m->keep) {
        free(keep_vid);
        free(stack);
        return -1;
    }
    for (int a = 0; a < m->n_arcs; a++)
        simplify_arc(m, a, tol * tol, keep_vid, stack);
    for (size_t k = 0; k < m->n_pts; k++)
        m->keep[k] = keep_vid[m->vid[k]];
    free(keep_vid);
    free(stack);
    return 0;
}

/* One decimal, no trailing ".0", no "-0" (as map.svg's numbers). */
static void fmt1(char *buf, double v)
{
    long long t = llround(v * 10.0);
    const char *sign = t < 0 ? "-" : "";
    long long a = t < 0 ? -t : t;
    if (a % 10)
        snprintf(buf, 32, "%s%lld.%lld", sign, a / 10, a % 10);
    else
        snprintf(buf, 32, "%s%lld", sign, a / 10);
}

/* A point unless it rounds to the previous one. */
static void put_pt(FILE *fp, double x, double y, char *last, int move)
{
    char a[32], b[32], both[72];
    fmt1(a, x);
    fmt1(b, y);
    snprintf(both, sizeof both, "%s %s", a, b);
    if (!move && strcmp(both, last) == 0)
        return;
    fprintf(fp, move ? "M%s" : " %s", both);
    strcpy(last, both);
}

void tqoi_map_shapes_put_path(FILE *fp, const map_shapes *m, int i, double ox, double oy)
{
    for (int r = m->ring_start[i]; r < m->ring_start[i + 1]; r++) {
        size_t s = m->pt_start[r], e = m->pt_start[r + 1], kept = 0;
        for (size_t k = s; k < e && m->keep; k++)
            kept += m->keep[k];
        int all = !m->keep || kept < 3; /* a ring simplified away stays whole */
        char last[72] = "";
        int first = 1;
        for (size_t k = s; k < e; k++) {
            if (!all && !m->keep[k])
                continue;
            put_pt(fp, m->x[k] + ox, m->y[k] + oy, last, first);
            first = 0;
        }
        fputc('Z', fp);
    }
}

void tqoi_map_shapes_put_borders(FILE *fp, const map_shapes *m, const int *main_t, double ox, double oy)
{
    for (int a = 0; a < m->n_arcs; a++) {
        int u = m->arc_a[a], v = m->arc_b[a];
        if (v >= 0 && main_t[u] == main_t[v])
            continue;
        char last[72] = "";
        for (int t = 0; t < m->arc_len[a]; t++) {
            size_t q = arc_pt(m, m->arc_ring[a], m->arc_first[a], (size_t)t);
            if (t == 0 || t == m->arc_len[a] - 1 || !m->keep || m->keep[q])
                put_pt(fp, m->x[q] + ox, m->y[q] + oy, last, t == 0);
        }
    }
}
