/*
 * Voronoi cells of the units, clipped to their convex hull, for generated
 * instances: every size can then be tested with polygons. GEOS 3.11 does
 * not keep the input order of the cells, so each cell is matched to the
 * unit inside it through an STRtree.
 */
#include "instance/gis_voronoi.h"
#include "instance/gis.h"
#include "instance/sphere_plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

typedef struct match_ctx {
    gis_geos *G;
    const GEOSGeometry *pt;
    const GEOSGeometry *found;
} match_ctx;

static void match_cb(void *item, void *userdata)
{
    match_ctx *c = userdata;
    if (!c->found && GEOSIntersects_r(c->G->h, item, c->pt) == 1)
        c->found = item;
}

/* The cells' plane: lat/lon goes through the stereographic plane of
   tqo_delaunay, so that rook on the cells is its Delaunay graph; points
   beyond a hemisphere (and planar ones) use longitudes shrunk by k. */
typedef struct cell_frame {
    int stereo;
    tqoi_plane pl;
    double k;
} cell_frame;

static int frame_init(const tqo_instance *inst, cell_frame *f)
{
    f->stereo = 0;
    f->k = 1.0;
    if (inst->coords != TQO_COORDS_LATLON)
        return 0;
    int n = inst->n_units;
    double *p3 = malloc((size_t)n * 3 * sizeof *p3);
    if (!p3)
        return -1;
    tqoi_unit_vectors(n, inst->x, inst->y, p3);
    f->stereo = !tqoi_plane_fit(n, p3, &f->pl);
    free(p3);
    double my = 0;
    for (int i = 0; i < n; i++)
        my += inst->y[i];
    double k = cos(my / n * PI / 180.0);
    f->k = k > 0.01 ? k : 0.01;
    return 0;
}

static void to_frame(const cell_frame *f, const tqo_instance *inst, int i, double *x, double *y)
{
    if (f->stereo) {
        double q[3];
        tqoi_unit_vectors(1, inst->x + i, inst->y + i, q);
        tqoi_plane_forward(&f->pl, q, x, y);
    } else {
        *x = inst->x[i] * f->k;
        *y = inst->y[i];
    }
}

/* A copy of g back from the cells' plane in the instance's coordinates. */
static GEOSGeometry *unproject(GEOSContextHandle_t h, const GEOSGeometry *g, const cell_frame *f)
{
    GEOSGeometry *c = GEOSGeom_clone_r(h, g);
    if (!c || (!f->stereo && f->k == 1.0))
        return c;
    int ng = GEOSGetNumGeometries_r(h, c);
    for (int p = 0; p < ng; p++) {
        GEOSGeometry *poly = (GEOSGeometry *)GEOSGetGeometryN_r(h, c, p);
        int nr = 1 + GEOSGetNumInteriorRings_r(h, poly);
        for (int r = 0; r < nr; r++) {
            const GEOSGeometry *ring =
                r == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, r - 1);
            GEOSCoordSequence *cs = (GEOSCoordSequence *)GEOSGeom_getCoordSeq_r(h, ring);
            unsigned int np = 0;
            GEOSCoordSeq_getSize_r(h, cs, &np);
            for (unsigned int q = 0; q < np; q++) {
                double x = 0, y = 0;
                GEOSCoordSeq_getXY_r(h, cs, q, &x, &y);
                if (f->stereo)
                    tqoi_plane_inverse(&f->pl, x, y, &x, &y);
                else
                    x /= f->k;
                GEOSCoordSeq_setXY_r(h, cs, q, x, y);
            }
        }
    }
    return c;
}

/* Cells of the diagram (cells) matched to the units, clipped to hull,
   back in the instance's coordinates, as WKB in geo. */
static tqo_status clip_cells(gis_geos *G, const tqo_instance *inst, const GEOSGeometry *cells,
                             const GEOSGeometry *hull, const cell_frame *f, tqo_geometry *geo, tqo_diag *diag)
{
    GEOSContextHandle_t h = G->h;
    int nc = GEOSGetNumGeometries_r(h, cells);
    GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    if (!tree || !w) {
        if (tree)
            GEOSSTRtree_destroy_r(h, tree);
        return TQO_ERR_NOMEM;
    }
    for (int c = 0; c < nc; c++)
        GEOSSTRtree_insert_r(h, tree, GEOSGetGeometryN_r(h, cells, c), (void *)GEOSGetGeometryN_r(h, cells, c));
    tqo_status st = TQO_OK;
    for (int i = 0; i < inst->n_units && st == TQO_OK; i++) {
        double px, py;
        to_frame(f, inst, i, &px, &py);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, px, py);
        match_ctx mc = {G, pt, NULL};
        if (pt)
            GEOSSTRtree_query_r(h, tree, pt, match_cb, &mc);
        GEOSGeometry *clip = mc.found ? GEOSIntersection_r(h, mc.found, hull) : NULL;
        GEOSGeometry *out = clip ? unproject(h, clip, f) : NULL;
        if (!mc.found) {
            tqo_diag_error(diag, "generate --boundaries: no Voronoi cell for unit '%s'", inst->unit_id[i]);
            st = TQO_ERR_INPUT;
        } else if (!out || !(geo->wkb[i] = GEOSWKBWriter_write_r(h, w, out, &geo->len[i]))) {
            st = TQO_ERR_NOMEM;
        }
        GEOSGeom_destroy_r(h, pt);
        GEOSGeom_destroy_r(h, clip);
        GEOSGeom_destroy_r(h, out);
    }
    GEOSSTRtree_destroy_r(h, tree);
    GEOSWKBWriter_destroy_r(h, w);
    return st;
}

tqo_status tqoi_gis_voronoi_cells(tqo_instance *inst, tqo_diag *diag)
{
    int n = inst->n_units;
    if (n < 3 || inst->coords == TQO_COORDS_NONE) {
        tqo_diag_error(diag, "generate --boundaries: needs at least 3 units with coordinates");
        return TQO_ERR_ARG;
    }
    gis_geos G;
    if (tqoi_gis_geos_init(&G) != 0)
        return TQO_ERR_NOMEM;
    GEOSContextHandle_t h = G.h;
    cell_frame f;
    if (frame_init(inst, &f) != 0) {
        tqoi_gis_geos_finish(&G);
        return TQO_ERR_NOMEM;
    }
    GEOSGeometry **pts = malloc((size_t)n * sizeof *pts);
    tqo_geometry *geo = calloc(1, sizeof *geo);
    GEOSGeometry *mp = NULL, *hull = NULL, *cells = NULL;
    tqo_status st = TQO_ERR_NOMEM;
    if (!pts || !geo)
        goto done;
    geo->n = n;
    geo->wkb = calloc((size_t)n, sizeof *geo->wkb);
    geo->len = calloc((size_t)n, sizeof *geo->len);
    geo->sliver = calloc((size_t)n, 1);
    geo->source = malloc(16);
    if (!geo->wkb || !geo->len || !geo->sliver || !geo->source)
        goto done;
    strcpy(geo->source, "generated");
    for (int i = 0; i < n; i++) {
        double px, py;
        to_frame(&f, inst, i, &px, &py);
        pts[i] = GEOSGeom_createPointFromXY_r(h, px, py);
    }
    mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
    if (!mp)
        goto done;
    hull = GEOSConvexHull_r(h, mp);
    cells = hull ? GEOSVoronoiDiagram_r(h, mp, hull, 0.0, 0) : NULL;
    if (!cells || GEOSGeomTypeId_r(h, hull) != GEOS_POLYGON) {
        tqo_diag_error(diag, "generate --boundaries: no Voronoi diagram (%s)",
                       G.msg[0] ? G.msg : "the units are collinear");
        st = TQO_ERR_INPUT;
        goto done;
    }
    st = clip_cells(&G, inst, cells, hull, &f, geo, diag);
done:
    if (!mp)
        for (int i = 0; pts && i < n; i++)
            GEOSGeom_destroy_r(h, pts[i]);
    free(pts);
    GEOSGeom_destroy_r(h, mp);
    GEOSGeom_destroy_r(h, hull);
    GEOSGeom_destroy_r(h, cells);
    tqoi_gis_geos_finish(&G);
    if (st == TQO_OK) {
        tqoi_gis_geometry_free(inst->geometry);
        inst->geometry = geo;
    } else {
        tqoi_gis_geometry_free(geo);
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* boundaries.geojson                                                  */
/* ------------------------------------------------------------------ */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len)
{
    if (b->failed)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 1 << 16;
        while (c < b->n + len + 1)
            c *= 2;
        char *q = realloc(b->s, c);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->s = q;
        b->cap = c;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* A JSON string (ids are plain text; quotes, backslashes and controls
   escaped). */
static void sb_json(sbuf *b, const char *s)
{
    sb_str(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\';
            e[1] = (char)*p;
            sb_put(b, e, 2);
        } else if (*p < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", *p);
            sb_str(b, e);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_str(b, "\"");
}

static void sb_ring(sbuf *b, GEOSContextHandle_t h, const GEOSGeometry *ring, int dec)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int np = 0;
    GEOSCoordSeq_getSize_r(h, cs, &np);
    sb_str(b, "[");
    for (unsigned int q = 0; q < np; q++) {
        double x = 0, y = 0;
        char t[96];
        GEOSCoordSeq_getXY_r(h, cs, q, &x, &y);
        snprintf(t, sizeof t, "%s[%.*f,%.*f]", q ? "," : "", dec, x, dec, y);
        sb_str(b, t);
    }
    sb_str(b, "]");
}

/* A Polygon or MultiPolygon's "geometry" member. */
static void sb_geometry(sbuf *b, GEOSContextHandle_t h, const GEOSGeometry *g, int dec)
{
    int multi = GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON, ng = GEOSGetNumGeometries_r(h, g);
    sb_str(b, multi ? "{\"type\":\"MultiPolygon\",\"coordinates\":[" : "{\"type\":\"Polygon\",\"coordinates\":");
    for (int p = 0; p < ng; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        sb_str(b, p ? ",[" : "[");
        sb_ring(b, h, GEOSGetExteriorRing_r(h, poly), dec);
        for (int r = 0; r < GEOSGetNumInteriorRings_r(h, poly); r++) {
            sb_str(b, ",");
            sb_ring(b, h, GEOSGetInteriorRingN_r(h, poly, r), dec);
        }
        sb_str(b, "]");
    }
    sb_str(b, multi ? "]}" : "}");
}

tqo_status tqoi_gis_boundaries_geojson(const tqo_instance *inst, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    const tqo_geometry *geo = inst->geometry;
    if (!geo || geo->n != inst->n_units)
        return TQO_ERR_ARG;
    gis_geos G;
    if (tqoi_gis_geos_init(&G) != 0)
        return TQO_ERR_NOMEM;
    int dec = inst->coords == TQO_COORDS_LATLON ? 6 : 4;
    sbuf b = {0};
    sb_str(&b, "{\"type\":\"FeatureCollection\",\"name\":\"boundaries\",\"features\":[\n");
    for (int i = 0; i < inst->n_units && !b.failed; i++) {
        GEOSGeometry *g = tqoi_gis_unit_geom(&G, geo, i);
        if (!g) {
            b.failed = 1;
            break;
        }
        sb_str(&b, i ? ",\n{\"type\":\"Feature\",\"properties\":{\"unit_id\":"
                     : "{\"type\":\"Feature\",\"properties\":{\"unit_id\":");
        sb_json(&b, inst->unit_id[i]);
        sb_str(&b, "},\"geometry\":");
        sb_geometry(&b, G.h, g, dec);
        sb_str(&b, "}");
        GEOSGeom_destroy_r(G.h, g);
    }
    sb_str(&b, "\n]}\n");
    tqoi_gis_geos_finish(&G);
    if (b.failed) {
        free(b.s);
        return TQO_ERR_NOMEM;
    }
    *text = b.s;
    *len = b.n;
    return TQO_OK;
}
