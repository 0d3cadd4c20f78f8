/*
 * Contiguity from the unit polygons. Candidate pairs come from a GEOS
 * STRtree of bounding boxes (grown by the snap distance), never all pairs;
 * each candidate is then decided exactly by its DE-9IM relation:
 *   rook:  the boundaries share a line (dimension 1); a unit whose polygon
 *          had collapsed to a line (kept as a thin sliver over its
 *          borders) is a rook neighbour of the polygons it overlaps;
 *   queen: the polygons share any point.
 * With a snap distance, the second polygon's vertices are first snapped
 * to the first's within that distance, which closes slivers and gaps.
 */
#include "instance/gis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Metres per degree of latitude (and of longitude at the equator). */
#define M_PER_DEG 111320.0
#define PI 3.14159265358979323846

typedef struct cand {
    int *j;
    int n, cap;
    int self;
} cand;

static void collect(void *item, void *ctx)
{
    cand *c = ctx;
    int j = *(int *)item;
    if (j <= c->self)
        return;
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 64;
        int *p = realloc(c->j, (size_t)cap * sizeof *p);
        if (!p)
            return; /* the caller sees the short list as out of memory */
        c->j = p;
        c->cap = cap;
    }
    c->j[c->n++] = j;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Whether a and b are neighbours (1), not (0), or GEOS failed (-1). */
static int touching(gis_geos *G, const GEOSGeometry *a, const GEOSGeometry *b, int queen, int sliver, double tol)
{
    GEOSGeometry *snapped = NULL;
    if (tol > 0) {
        double d;
        if (!GEOSDistance_r(G->h, a, b, &d))
            return -1;
        if (d > tol)
            return 0;
        if (!(snapped = GEOSSnap_r(G->h, b, a, tol)))
            return -1;
        b = snapped;
    }
    int r;
    if (queen) {
        r = GEOSIntersects_r(G->h, a, b);
        r = r == 2 ? -1 : r;
    } else {
        char *m = GEOSRelate_r(G->h, a, b);
        r = m ? ((sliver && m[0] == '2') || m[4] == '1') : -1;
        if (m)
            GEOSFree_r(G->h, m);
    }
    if (snapped)
        GEOSGeom_destroy_r(G->h, snapped);
    return r;
}

/* The envelope of g grown by dx, dy, as a rectangle for the tree. */
static GEOSGeometry *grown_box(gis_geos *G, const GEOSGeometry *g, double dx, double dy)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(G->h, g, &x0) || !GEOSGeom_getYMin_r(G->h, g, &y0) ||
        !GEOSGeom_getXMax_r(G->h, g, &x1) || !GEOSGeom_getYMax_r(G->h, g, &y1))
        return NULL;
    return GEOSGeom_createRectangle_r(G->h, x0 - dx, y0 - dy, x1 + dx, y1 + dy);
}

typedef struct edges {
    int *u, *v;
    int n, cap;
} edges;

static int edge_add(edges *E, int u, int v)
{
    if (E->n == E->cap) {
        int cap = E->cap ? 2 * E->cap : 4096;
        int *a = realloc(E->u, (size_t)cap * sizeof *a);
        if (!a)
            return -1;
        E->u = a;
        int *b = realloc(E->v, (size_t)cap * sizeof *b);
        if (!b)
            return -1;
        E->v = b;
        E->cap = cap;
    }
    E->u[E->n] = u;
    E->v[E->n] = v;
    E->n++;
    return 0;
}

/* Pairs (u < v), sorted, of the neighbouring polygons. */
static tqo_status find_pairs(gis_geos *G, GEOSGeometry **geom, const unsigned char *sliver, int n, int queen,
                             double snap_m, edges *E, tqo_diag *diag)
{
    double tol = snap_m / M_PER_DEG, maxlat = 0;
    for (int i = 0; i < n && tol > 0; i++) {
        double y0, y1;
        if (GEOSGeom_getYMin_r(G->h, geom[i], &y0) && GEOSGeom_getYMax_r(G->h, geom[i], &y1))
            maxlat = fmax(maxlat, fmax(fabs(y0), fabs(y1)));
    }
    /* a degree of longitude shrinks with the latitude: grow boxes enough */
    double tol_x = tol / fmax(cos(fmin(maxlat, 89.0) * PI / 180.0), 0.01);
    GEOSSTRtree *tree = GEOSSTRtree_create_r(G->h, 10);
    GEOSGeometry **box = calloc((size_t)n + 1, sizeof *box);
    int *idx = malloc(((size_t)n + 1) * sizeof *idx);
    cand c = {NULL, 0, 0, 0};
    tqo_status st = tree && box && idx ? TQO_OK : TQO_ERR_NOMEM;
    for (int i = 0; st == TQO_OK && i < n; i++) {
        idx[i] = i;
        if (!(box[i] = grown_box(G, geom[i], tol_x, tol)))
            st = TQO_ERR_NOMEM;
        else
            GEOSSTRtree_insert_r(G->h, tree, box[i], &idx[i]);
    }
    for (int i = 0; st == TQO_OK && i < n; i++) {
        c.n = 0;
        c.self = i;
        GEOSSTRtree_query_r(G->h, tree, box[i], collect, &c);
        if (c.n > 1)
            qsort(c.j, (size_t)c.n, sizeof *c.j, int_cmp);
        for (int k = 0; st == TQO_OK && k < c.n; k++) {
            /* the snap distance in degrees of latitude: a lower bound */
            int j = c.j[k];
            int r = touching(G, geom[i], geom[j], queen, sliver[i] || sliver[j], tol);
            if (r < 0) {
                tqo_diag_error(diag, "adjacency from polygons: GEOS failed on a pair of units: %s", G->msg);
                st = TQO_ERR_INPUT;
            } else if (r && edge_add(E, i, j) != 0) {
                st = TQO_ERR_NOMEM;
            }
        }
    }
    if (tree)
        GEOSSTRtree_destroy_r(G->h, tree);
    for (int i = 0; box && i < n; i++)
        if (box[i])
            GEOSGeom_destroy_r(G->h, box[i]);
    free(box);
    free(idx);
    free(c.j);
    return st;
}

tqo_status tqoi_gis_adjacency(tqo_instance *inst, int queen, double snap_m, tqo_diag *diag)
{
    const tqo_geometry *geo = inst->geometry;
    if (!geo) {
        tqo_diag_error(diag, "%s: --adjacency %s needs unit polygons (a GIS file, boundaries.geojson or "
                       "--boundaries)", inst->source ? inst->source : "instance", queen ? "queen" : "rook");
        return TQO_ERR_INPUT;
    }
    int n = inst->n_units;
    gis_geos G;
    if (tqoi_gis_geos_init(&G) != 0)
        return TQO_ERR_NOMEM;
    GEOSGeometry **geom = calloc((size_t)n + 1, sizeof *geom);
    edges E = {NULL, NULL, 0, 0};
    tqo_status st = geom ? TQO_OK : TQO_ERR_NOMEM;
    for (int i = 0; st == TQO_OK && i < n; i++)
        if (!(geom[i] = tqoi_gis_unit_geom(&G, geo, i)))
            st = TQO_ERR_NOMEM;
    if (st == TQO_OK)
        st = find_pairs(&G, geom, geo->sliver, n, queen, snap_m > 0 ? snap_m : 0, &E, diag);
    for (int i = 0; geom && i < n; i++)
        if (geom[i])
            GEOSGeom_destroy_r(G.h, geom[i]);
    free(geom);
    tqoi_gis_geos_finish(&G);
    if (st != TQO_OK) {
        free(E.u);
        free(E.v);
        return st;
    }
    char src[64];
    if (snap_m > 0)
        snprintf(src, sizeof src, "%s (snap %g m)", queen ? "queen" : "rook", snap_m);
    else
        snprintf(src, sizeof src, "%s", queen ? "queen" : "rook");
    free(inst->edge_u);
    free(inst->edge_v);
    free(inst->adjacency_source);
    inst->edge_u = E.u ? E.u : malloc(sizeof(int));
    inst->edge_v = E.v ? E.v : malloc(sizeof(int));
    inst->n_edges = E.n;
    inst->has_adjacency = 1;
    inst->adjacency_source = strdup(src);
    if (!inst->edge_u || !inst->edge_v || !inst->adjacency_source)
        return TQO_ERR_NOMEM;
    return tqo_instance_build_graph(inst);
}
