/*
 * Reading unit polygons with GDAL/OGR: a vector file as a whole instance
 * (FILE[:LAYER]), or boundaries joined to units.csv on the id. Every
 * polygon is reprojected to WGS84 lon/lat, checked with GEOS (repaired by
 * MakeValid when it can be, with a warning naming the unit) and kept as
 * WKB. Errors name the file, the feature (1-based, in reading order) and
 * its id.
 */
#include "instance/delaunay.h"
#include "instance/gis.h"
#include "util/csv_reader.h"
#include "util/strmap.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define MAX_ERRORS 10
/* Half the width of the sliver that stands for a collapsed polygon, in
   degrees (about 0.1 m). */
#define SLIVER_DEG 1e-6

/* ------------------------------------------------------------------ */
/* The geometry store and GEOS contexts                                */

void tqoi_gis_geometry_free(tqo_geometry *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n; i++)
        free(g->wkb ? g->wkb[i] : NULL);
    free(g->wkb);
    free(g->len);
    free(g->sliver);
    free(g->source);
    free(g);
}

static void geos_msg(const char *msg, void *ctx)
{
    gis_geos *g = ctx;
    snprintf(g->msg, sizeof g->msg, "%s", msg);
}

int tqoi_gis_geos_init(gis_geos *g)
{
    g->msg[0] = 0;
    g->h = NULL;
    if (tqoi_gis_available(NULL) != TQO_OK)
        return -1;
    g->h = GEOS_init_r();
    if (!g->h)
        return -1;
    GEOSContext_setErrorMessageHandler_r(g->h, geos_msg, g);
    GEOSContext_setNoticeMessageHandler_r(g->h, NULL, NULL);
    return 0;
}

void tqoi_gis_geos_finish(gis_geos *g)
{
    if (g->h)
        GEOS_finish_r(g->h);
    g->h = NULL;
}

GEOSGeometry *tqoi_gis_unit_geom(gis_geos *g, const tqo_geometry *geo, int i)
{
    if (!geo || i < 0 || i >= geo->n || !geo->wkb[i])
        return NULL;
    GEOSWKBReader *r = GEOSWKBReader_create_r(g->h);
    if (!r)
        return NULL;
    GEOSGeometry *out = GEOSWKBReader_read_r(g->h, r, geo->wkb[i], geo->len[i]);
    GEOSWKBReader_destroy_r(g->h, r);
    return out;
}

int tqoi_gis_is_vector_path(const char *path)
{
    static const char *const ext[] = {".geojson", ".json", ".shp", ".gpkg", ".gml", ".kml", ".fgb", ".sqlite",
                                      ".gdb", ".tab", ".mif", ".geojsonl", NULL};
    struct stat sb;
    const char *colon = strrchr(path, ':');
    if (stat(path, &sb) != 0 && colon && colon > path)
        return 1; /* FILE:LAYER */
    const char *dot = strrchr(path, '.');
    for (int k = 0; dot && ext[k]; k++)
        if (strcasecmp(dot, ext[k]) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading a layer                                                     */

typedef struct reader {
    const char *file;      /* the file part of FILE[:LAYER], for messages */
    tqo_diag *diag;
    int n_errors;
    int n_repaired;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRCoordinateTransformationH ct;
    OGRSpatialReferenceH src, dst;
    int id_col;
    const char *id_name;
    gis_geos geos;
    GEOSWKBReader *wkb_in;
    GEOSWKBWriter *wkb_out;
    /* per feature */
    int n, cap;
    char **id;
    unsigned char **wkb;
    size_t *len;
    unsigned char *sliver;
    double *px, *py;
    /* attributes (instance files): n_fields columns of n strings */
    int n_fields;
    int *field_col;
    char ***field_val;     /* [field][feature], NULL for a null value */
} reader;

static void rerr(reader *R, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void rerr(reader *R, const char *fmt, ...)
{
    if (++R->n_errors > MAX_ERRORS)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tqo_diag_error(R->diag, "%s: %s", R->file, buf);
}

static void reader_free(reader *R)
{
    for (int i = 0; i < R->n; i++) {
        free(R->id[i]);
        free(R->wkb[i]);
    }
    free(R->id);
    free(R->wkb);
    free(R->len);
    free(R->sliver);
    free(R->px);
    free(R->py);
    for (int c = 0; c < R->n_fields; c++) {
        for (int i = 0; i < R->n; i++)
            free(R->field_val[c][i]);
        free(R->field_val[c]);
    }
    free(R->field_val);
    free(R->field_col);
    if (R->wkb_in)
        GEOSWKBReader_destroy_r(R->geos.h, R->wkb_in);
    if (R->wkb_out)
        GEOSWKBWriter_destroy_r(R->geos.h, R->wkb_out);
    tqoi_gis_geos_finish(&R->geos);
    if (R->ct)
        OCTDestroyCoordinateTransformation(R->ct);
    if (R->src)
        OSRDestroySpatialReference(R->src);
    if (R->dst)
        OSRDestroySpatialReference(R->dst);
    if (R->ds)
        GDALClose(R->ds);
}

/* Opens FILE[:LAYER] and sets up the transformation to WGS84 lon/lat. */
static tqo_status reader_open(reader *R, const char *path, const tqo_load_settings *s, char *file_buf,
                              size_t size)
{
    static int registered;
    if (tqoi_gis_available(R->diag) != TQO_OK)
        return TQO_ERR_INPUT;
    if (!registered) {
        GDALAllRegister();
        registered = 1;
    }
    snprintf(file_buf, size, "%s", path);
    const char *layer = NULL;
    struct stat sb;
    char *colon = strrchr(file_buf, ':');
    if (stat(file_buf, &sb) != 0 && colon && colon > file_buf) {
        *colon = 0;
        layer = colon + 1;
    }
    R->file = file_buf;
    R->ds = GDALOpenEx(file_buf, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!R->ds) {
        tqo_diag_error(R->diag, "%s: cannot open as a vector file (GDAL/OGR)", file_buf);
        return TQO_ERR_INPUT;
    }
    R->layer = layer ? GDALDatasetGetLayerByName(R->ds, layer) : GDALDatasetGetLayer(R->ds, 0);
    if (!R->layer) {
        tqo_diag_error(R->diag, "%s: no layer '%s'", file_buf, layer ? layer : "(none)");
        return TQO_ERR_INPUT;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(R->layer);
    R->id_name = s->id_field && *s->id_field ? s->id_field : "unit_id";
    R->id_col = OGR_FD_GetFieldIndex(defn, R->id_name);
    if (R->id_col < 0) {
        tqo_diag_error(R->diag, "%s: no field '%s' for the unit ids (--id-field names another)", file_buf,
                       R->id_name);
        return TQO_ERR_INPUT;
    }
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(R->layer);
    if (lsrs) {
        R->src = OSRClone(lsrs);
    } else if (s->assume_crs) {
        R->src = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(R->src, s->assume_crs) != OGRERR_NONE) {
            tqo_diag_error(R->diag, "%s: --assume-crs '%s' is not a coordinate reference system GDAL knows",
                           file_buf, s->assume_crs);
            return TQO_ERR_ARG;
        }
    } else {
        tqo_diag_error(R->diag, "%s: no coordinate reference system (--assume-crs names one, e.g. EPSG:4326)",
                       file_buf);
        return TQO_ERR_INPUT;
    }
    R->dst = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(R->dst, 4326);
    /* lon, lat order in and out, whatever the CRS's official axis order */
    OSRSetAxisMappingStrategy(R->dst, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(R->src, OAMS_TRADITIONAL_GIS_ORDER);
    if (!OSRIsSame(R->src, R->dst)) {
        R->ct = OCTNewCoordinateTransformation(R->src, R->dst);
        if (!R->ct) {
            tqo_diag_error(R->diag, "%s: cannot transform its coordinate reference system to WGS84", file_buf);
            return TQO_ERR_INPUT;
        }
    }
    if (tqoi_gis_geos_init(&R->geos) != 0)
        return TQO_ERR_NOMEM;
    R->wkb_in = GEOSWKBReader_create_r(R->geos.h);
    R->wkb_out = GEOSWKBWriter_create_r(R->geos.h);
    if (!R->wkb_in || !R->wkb_out)
        return TQO_ERR_NOMEM;
    GEOSWKBWriter_setOutputDimension_r(R->geos.h, R->wkb_out, 2);
    return TQO_OK;
}

static int reader_grow(reader *R)
{
    if (R->n < R->cap)
        return 0;
    int cap = R->cap ? 2 * R->cap : 1024;
#define GROW(p)                                                   \
    do {                                                          \
        void *q = realloc(p, (size_t)cap * sizeof *(p));          \
        if (!q)                                                   \
            return -1;                                            \
        p = q;                                                    \
    } while (0)
    GROW(R->id);
    GROW(R->wkb);
    GROW(R->len);
    GROW(R->sliver);
    GROW(R->px);
    GROW(R->py);
    for (int c = 0; c < R->n_fields; c++)
        GROW(R->field_val[c]);
#undef GROW
    R->cap = cap;
    return 0;
}

/* The polygonal part of g (MakeValid may add lines or points), or NULL;
   takes g. */
static GEOSGeometry *polygonal_part(gis_geos *G, GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(G->h, g);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        return g;
    int n = t == GEOS_GEOMETRYCOLLECTION ? GEOSGetNumGeometries_r(G->h, g) : 0, total = 0;
    for (int k = 0; k < n; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(G->h, g, k);
        int pt = GEOSGeomTypeId_r(G->h, p);
        total += pt == GEOS_POLYGON ? 1 : pt == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(G->h, p) : 0;
    }
    GEOSGeometry **parts = malloc((size_t)(total + 1) * sizeof *parts);
    int m = 0;
    for (int k = 0; parts && k < n; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(G->h, g, k);
        int pt = GEOSGeomTypeId_r(G->h, p);
        if (pt == GEOS_POLYGON)
            parts[m++] = GEOSGeom_clone_r(G->h, p);
        else if (pt == GEOS_MULTIPOLYGON)
            for (int q = 0; q < GEOSGetNumGeometries_r(G->h, p); q++)
                parts[m++] = GEOSGeom_clone_r(G->h, GEOSGetGeometryN_r(G->h, p, q));
    }
    GEOSGeom_destroy_r(G->h, g);
    GEOSGeometry *out = m ? GEOSGeom_createCollection_r(G->h, GEOS_MULTIPOLYGON, parts, (unsigned)m) : NULL;
    free(parts);
    return out;
}

/* The area of g's polygons (0 for lines and points). */
static double polygonal_area(gis_geos *G, const GEOSGeometry *g)
{
    double a = 0;
    return GEOSArea_r(G->h, g, &a) ? a : 0;
}

/* Checks feature k's geometry (already in lon/lat WKB) and stores it. */
static int take_polygon(reader *R, int k, const unsigned char *wkb, size_t len)
{
    gis_geos *G = &R->geos;
    const char *id = R->id[k];
    GEOSGeometry *g = GEOSWKBReader_read_r(G->h, R->wkb_in, wkb, len);
    if (!g) {
        rerr(R, "feature %d (id '%s'): unreadable geometry: %s", k + 1, id, G->msg);
        return 0;
    }
    if (GEOSisValid_r(G->h, g) != 1) {
        char *why = GEOSisValidReason_r(G->h, g);
        GEOSGeometry *fixed = GEOSMakeValid_r(G->h, g);
        const char *how = "repaired";
        if (fixed && !GEOSisEmpty_r(G->h, fixed) && polygonal_area(G, fixed) == 0) {
            /* collapsed to a line or point (a simplified tiny unit): a thin
               sliver keeps the unit and its borders with its neighbours */
            GEOSGeometry *b = GEOSBuffer_r(G->h, fixed, SLIVER_DEG, 4);
            GEOSGeom_destroy_r(G->h, fixed);
            fixed = b;
            how = "collapsed to a line: kept as a sliver 0.2 m wide";
            R->sliver[k] = 1;
        }
        if (fixed)
            fixed = polygonal_part(G, fixed);
        if (!fixed || GEOSisEmpty_r(G->h, fixed) || GEOSisValid_r(G->h, fixed) != 1) {
            rerr(R, "feature %d (id '%s'): invalid polygon (%s) that GEOS cannot repair", k + 1, id,
                 why ? why : "?");
            if (fixed)
                GEOSGeom_destroy_r(G->h, fixed);
            GEOSFree_r(G->h, why);
            GEOSGeom_destroy_r(G->h, g);
            return 0;
        }
        if (++R->n_repaired <= MAX_ERRORS)
            tqo_diag_warning(R->diag, "%s: feature %d (id '%s'): invalid polygon (%s) %s", R->file, k + 1, id,
                             why ? why : "?", how);
        GEOSFree_r(G->h, why);
        GEOSGeom_destroy_r(G->h, g);
        g = fixed;
    }
    GEOSGeometry *pt = GEOSPointOnSurface_r(G->h, g);
    int ok = pt && GEOSGeomGetX_r(G->h, pt, &R->px[k]) && GEOSGeomGetY_r(G->h, pt, &R->py[k]);
    if (pt)
        GEOSGeom_destroy_r(G->h, pt);
    size_t n = 0;
    unsigned char *out = ok ? GEOSWKBWriter_write_r(G->h, R->wkb_out, g, &n) : NULL;
    GEOSGeom_destroy_r(G->h, g);
    if (!out)
        return -1;
    R->wkb[k] = malloc(n);
    if (R->wkb[k])
        memcpy(R->wkb[k], out, n);
    R->len[k] = n;
    GEOSFree_r(G->h, out);
    return R->wkb[k] ? 0 : -1;
}

/* Feature k's id and geometry: checks type, emptiness, reprojects. */
static int take_feature(reader *R, OGRFeatureH f, int k)
{
    R->wkb[k] = NULL;
    R->len[k] = 0;
    R->sliver[k] = 0;
    R->px[k] = R->py[k] = NAN;
    int has_id = OGR_F_IsFieldSetAndNotNull(f, R->id_col);
    R->id[k] = strdup(has_id ? OGR_F_GetFieldAsString(f, R->id_col) : "");
    if (!R->id[k])
        return -1;
    if (!R->id[k][0]) {
        rerr(R, "feature %d (id ''): no '%s' value", k + 1, R->id_name);
        return 0;
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g)) {
        rerr(R, "feature %d (id '%s'): empty geometry", k + 1, R->id[k]);
        return 0;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbPolygon && t != wkbMultiPolygon) {
        rerr(R, "feature %d (id '%s'): a %s, not a polygon", k + 1, R->id[k], OGRGeometryTypeToName(t));
        return 0;
    }
    OGRGeometryH c = OGR_G_Clone(g);
    if (!c)
        return -1;
    OGR_G_FlattenTo2D(c);
    if (R->ct && OGR_G_Transform(c, R->ct) != OGRERR_NONE) {
        rerr(R, "feature %d (id '%s'): cannot be transformed to WGS84", k + 1, R->id[k]);
        OGR_G_DestroyGeometry(c);
        return 0;
    }
    int size = OGR_G_WkbSize(c);
    unsigned char *buf = malloc((size_t)size + 1);
    int rc = -1;
    if (buf && OGR_G_ExportToWkb(c, wkbNDR, buf) == OGRERR_NONE)
        rc = take_polygon(R, k, buf, (size_t)size);
    free(buf);
    OGR_G_DestroyGeometry(c);
    return rc;
}

/* Reads every feature; with_fields: the other attributes too. */
static tqo_status reader_read(reader *R, int with_fields)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(R->layer);
    if (with_fields) {
        int nf = OGR_FD_GetFieldCount(defn);
        R->field_col = malloc((size_t)(nf + 1) * sizeof *R->field_col);
        R->field_val = calloc((size_t)(nf + 1), sizeof *R->field_val);
        if (!R->field_col || !R->field_val)
            return TQO_ERR_NOMEM;
        for (int c = 0; c < nf; c++)
            if (c != R->id_col)
                R->field_col[R->n_fields++] = c;
    }
    OGR_L_ResetReading(R->layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(R->layer)) != NULL) {
        int k = R->n;
        if (reader_grow(R) != 0) {
            OGR_F_Destroy(f);
            return TQO_ERR_NOMEM;
        }
        R->n++;
        for (int c = 0; c < R->n_fields; c++) {
            int fc = R->field_col[c];
            R->field_val[c][k] = NULL;
            if (OGR_F_IsFieldSetAndNotNull(f, fc) && !(R->field_val[c][k] = strdup(OGR_F_GetFieldAsString(f, fc)))) {
                OGR_F_Destroy(f);
                return TQO_ERR_NOMEM;
            }
        }
        int rc = take_feature(R, f, k);
        OGR_F_Destroy(f);
        if (rc < 0)
            return TQO_ERR_NOMEM;
    }
    if (R->n == 0) {
        tqo_diag_error(R->diag, "%s: no features", R->file);
        return TQO_ERR_INPUT;
    }
    return TQO_OK;
}

/* Ends the error list ("N errors in all" when some were not shown). */
static tqo_status reader_status(reader *R)
{
    if (R->n_repaired > MAX_ERRORS)
        tqo_diag_warning(R->diag, "%s: %d invalid polygons repaired in all", R->file, R->n_repaired);
    if (R->n_errors > MAX_ERRORS)
        tqo_diag_error(R->diag, "%s: %d errors in all", R->file, R->n_errors);
    return R->n_errors ? TQO_ERR_INPUT : TQO_OK;
}

/* Moves the polygons of the reader into a store, in unit order. */
static tqo_geometry *take_store(reader *R, int n_units, const int *unit_of_feature)
{
    tqo_geometry *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->n = n_units;
    g->wkb = calloc((size_t)n_units, sizeof *g->wkb);
    g->len = calloc((size_t)n_units, sizeof *g->len);
    g->sliver = calloc((size_t)n_units, 1);
    g->source = strdup(R->file);
    if (!g->wkb || !g->len || !g->sliver || !g->source) {
        tqoi_gis_geometry_free(g);
        return NULL;
    }
    for (int k = 0; k < R->n; k++) {
        int i = unit_of_feature ? unit_of_feature[k] : k;
        g->wkb[i] = R->wkb[k];
        g->len[i] = R->len[k];
        g->sliver[i] = R->sliver[k];
        R->wkb[k] = NULL;
    }
    return g;
}

/* ------------------------------------------------------------------ */
/* Ids                                                                  */

/* Checks that the ids are unique; fills map (borrowing R->id). */
static tqo_status check_ids(reader *R, strmap *map)
{
    if (tqoi_strmap_init(map, (size_t)R->n) != 0)
        return TQO_ERR_NOMEM;
    for (int k = 0; k < R->n; k++) {
        if (!R->id[k][0])
            continue;
        int prev = tqoi_strmap_put(map, R->id[k], k);
        if (prev == -2)
            return TQO_ERR_NOMEM;
        if (prev >= 0)
            rerr(R, "feature %d (id '%s'): duplicate id (first in feature %d)", k + 1, R->id[k], prev + 1);
    }
    return TQO_OK;
}

/* The start both loaders share: opens PATH into R (file names the file
 * opened), reads its features (with their fields if asked) and fills ids.
 * R and ids are always set up, so the caller frees them whatever it returns. */
static tqo_status reader_load(reader *R, strmap *ids, const char *path, const tqo_load_settings *s,
                              int with_fields, char *file, size_t file_size, tqo_diag *diag)
{
    memset(R, 0, sizeof *R);
    R->diag = diag;
    memset(ids, 0, sizeof *ids);
    tqo_status st = reader_open(R, path, s, file, file_size);
    if (st == TQO_OK)
        st = reader_read(R, with_fields);
    if (st == TQO_OK)
        st = check_ids(R, ids);
    return st;
}

/* ------------------------------------------------------------------ */
/* Boundaries joined to units.csv                                        */

tqo_status tqoi_gis_attach_boundaries(tqo_instance *inst, const char *dir, const tqo_load_settings *s, tqo_diag *diag)
{
    char *path = NULL;
    if (s->boundaries) {
        path = strdup(s->boundaries);
    } else {
        size_t n = strlen(dir) + sizeof "/boundaries.geojson";
        path = malloc(n);
        if (path)
            snprintf(path, n, "%s/boundaries.geojson", dir);
        struct stat sb;
        if (path && stat(path, &sb) != 0) {
            free(path);
            return TQO_OK;
        }
    }
    if (!path)
        return TQO_ERR_NOMEM;
    reader R;
    char file[4096];
    strmap ids;
    int *unit_of = NULL;
    tqo_status st = reader_load(&R, &ids, path, s, 0, file, sizeof file, diag);
    if (st == TQO_OK && !(unit_of = malloc((size_t)R.n * sizeof *unit_of)))
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK) {
        strmap units;
        if (tqoi_strmap_init(&units, (size_t)inst->n_units) != 0) {
            st = TQO_ERR_NOMEM;
        } else {
            for (int i = 0; i < inst->n_units; i++)
                tqoi_strmap_put(&units, inst->unit_id[i], i);
            for (int k = 0; k < R.n; k++) {
                unit_of[k] = R.id[k][0] ? tqoi_strmap_get(&units, R.id[k]) : -1;
                if (R.id[k][0] && unit_of[k] < 0)
                    rerr(&R, "feature %d (id '%s'): no such unit in units.csv", k + 1, R.id[k]);
            }
            for (int i = 0; i < inst->n_units; i++)
                if (tqoi_strmap_get(&ids, inst->unit_id[i]) < 0)
                    rerr(&R, "unit '%s' of units.csv has no polygon", inst->unit_id[i]);
            tqoi_strmap_free(&units);
        }
    }
    if (st == TQO_OK)
        st = reader_status(&R);
    if (st == TQO_OK) {
        if (!(inst->geometry = take_store(&R, inst->n_units, unit_of)))
            st = TQO_ERR_NOMEM;
        /* units.csv without coordinates: each polygon's point on surface */
        if (st == TQO_OK && inst->coords == TQO_COORDS_NONE) {
            inst->x = malloc((size_t)inst->n_units * sizeof(double));
            inst->y = malloc((size_t)inst->n_units * sizeof(double));
            if (!inst->x || !inst->y) {
                st = TQO_ERR_NOMEM;
            } else {
                inst->coords = TQO_COORDS_LATLON;
                for (int k = 0; k < R.n; k++) {
                    inst->x[unit_of[k]] = R.px[k];
                    inst->y[unit_of[k]] = R.py[k];
                }
            }
        }
    }
    tqoi_strmap_free(&ids);
    free(unit_of);
    reader_free(&R);
    free(path);
    return st;
}

/* ------------------------------------------------------------------ */
/* A vector file as an instance                                         */

/* "0123" is a code, not a number (as in units.csv). */
static int looks_like_code(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '+' || *s == '-')
        s++;
    return s[0] == '0' && isdigit((unsigned char)s[1]);
}

/* Field c as a measure: every value a non-negative finite number. */
static int field_measure(reader *R, int c, const char *name, tqo_measure *m)
{
    m->name = strdup(name);
    m->value = malloc((size_t)R->n * sizeof(double));
    if (!m->name || !m->value)
        return -1;
    for (int k = 0; k < R->n; k++) {
        const char *v = R->field_val[c][k];
        double x = 0;
        int r = v ? tqoi_csv_parse_number(v, &x) : 1;
        if (!v || !*v)
            rerr(R, "feature %d (id '%s'): field '%s': empty value (write 0 for none)", k + 1, R->id[k], name);
        else if (r == 1)
            rerr(R, "feature %d (id '%s'): field '%s': '%s' is not a number", k + 1, R->id[k], name, v);
        else if (r == 2)
            rerr(R, "feature %d (id '%s'): field '%s': '%s' is not a finite number", k + 1, R->id[k], name, v);
        else if (x < 0)
            rerr(R, "feature %d (id '%s'): field '%s': '%s' is negative", k + 1, R->id[k], name, v);
        m->value[k] = r == 0 && x > 0 ? x : 0;
    }
    return 0;
}

/* Number fields are measures; text fields too when mostly numbers
   without zero-padded codes (as in units.csv); the rest are labels. */
static int is_measure_field(reader *R, int c, OGRFieldType t)
{
    if (t == OFTInteger || t == OFTInteger64 || t == OFTReal)
        return 1;
    if (t != OFTString)
        return 0;
    int numeric = 0, nonempty = 0;
    for (int k = 0; k < R->n; k++) {
        const char *v = R->field_val[c][k];
        if (!v || !*v)
            continue;
        nonempty++;
        double x;
        if (looks_like_code(v))
            return 0;
        if (tqoi_csv_parse_number(v, &x) != 1)
            numeric++;
    }
    return nonempty > 0 && 2 * numeric > nonempty;
}

/* 'current' names each unit's territory; territories in order of first
   appearance, with default attributes. */
static int take_current(tqo_instance *inst, reader *R, int c)
{
    int n = R->n;
    strmap terrs;
    inst->current = malloc((size_t)n * sizeof(int));
    inst->territory_id = malloc((size_t)n * sizeof(char *));
    if (!inst->current || !inst->territory_id || tqoi_strmap_init(&terrs, 64) != 0)
        return -1;
    for (int k = 0; k < n; k++) {
        const char *v = R->field_val[c][k];
        inst->current[k] = -1;
        if (!v || !*v)
            continue;
        int t = tqoi_strmap_get(&terrs, v);
        if (t < 0) {
            t = inst->n_territories;
            if (!(inst->territory_id[t] = strdup(v)) || tqoi_strmap_put(&terrs, inst->territory_id[t], t) == -2) {
                tqoi_strmap_free(&terrs);
                return -1;
            }
            inst->n_territories++;
        }
        inst->current[k] = t;
    }
    tqoi_strmap_free(&terrs);
    int p = inst->n_territories;
    inst->home_x = malloc((size_t)(p + 1) * sizeof(double));
    inst->home_y = malloc((size_t)(p + 1) * sizeof(double));
    inst->capacity = malloc((size_t)(p + 1) * sizeof(double));
    inst->ramp = malloc((size_t)(p + 1) * sizeof(double));
    if (!inst->home_x || !inst->home_y || !inst->capacity || !inst->ramp)
        return -1;
    for (int t = 0; t < p; t++) {
        inst->home_x[t] = inst->home_y[t] = NAN;
        inst->capacity[t] = inst->ramp[t] = 1.0;
    }
    return 0;
}

/* The attributes of R as the instance's measures, labels and current. */
static int take_fields(tqo_instance *inst, reader *R)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(R->layer);
    inst->measures = calloc((size_t)R->n_fields + 1, sizeof *inst->measures);
    inst->labels = calloc((size_t)R->n_fields + 1, sizeof *inst->labels);
    if (!inst->measures || !inst->labels)
        return -1;
    for (int c = 0; c < R->n_fields; c++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, R->field_col[c]);
        const char *name = OGR_Fld_GetNameRef(fd);
        if (strcasecmp(name, "current") == 0) {
            if (!inst->current && take_current(inst, R, c) != 0)
                return -1;
        } else if (is_measure_field(R, c, OGR_Fld_GetType(fd))) {
            if (field_measure(R, c, name, &inst->measures[inst->n_measures++]) != 0)
                return -1;
        } else {
            tqo_label *l = &inst->labels[inst->n_labels++];
            l->name = strdup(name);
            l->value = calloc((size_t)R->n, sizeof(char *));
            if (!l->name || !l->value)
                return -1;
            for (int k = 0; k < R->n; k++)
                if (!(l->value[k] = strdup(R->field_val[c][k] ? R->field_val[c][k] : "")))
                    return -1;
        }
    }
    return 0;
}

/* ids, locations and polygons of R into inst. */
static int take_units(tqo_instance *inst, reader *R)
{
    int n = R->n;
    inst->n_units = n;
    inst->coords = TQO_COORDS_LATLON;
    inst->unit_id = R->id;
    R->id = calloc((size_t)n, sizeof(char *)); /* reader_free frees NULLs */
    inst->x = R->px;
    inst->y = R->py;
    R->px = R->py = NULL;
    if (!R->id)
        return -1;
    return (inst->geometry = take_store(R, n, NULL)) ? 0 : -1;
}

static tqo_status instance_adjacency(tqo_instance *inst, const char *file, const tqo_load_settings *s,
                                     tqo_diag *diag)
{
    const char *a = s->adjacency;
    if (!a || strcmp(a, "none") == 0)
        return TQO_OK;
    if (strcmp(a, "rook") == 0 || strcmp(a, "queen") == 0)
        return tqoi_gis_adjacency(inst, a[0] == 'q', s->snap_m, diag);
    if (strcmp(a, "delaunay") != 0) {
        tqo_diag_error(diag, "%s: --adjacency %s: a GIS file takes rook, queen, delaunay or none", file, a);
        return TQO_ERR_ARG;
    }
    return tqoi_instance_delaunay(inst, diag);
}

tqo_status tqoi_gis_load_instance(const char *path, const tqo_load_settings *s, tqo_instance **out, tqo_diag *diag)
{
    *out = NULL;
    reader R;
    char file[4096];
    strmap ids;
    tqo_instance *inst = NULL;
    tqo_status st = reader_load(&R, &ids, path, s, 1, file, sizeof file, diag);
    if (st == TQO_OK && !(inst = calloc(1, sizeof *inst)))
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK) {
        inst->format = TQO_FORMAT_GIS;
        inst->n_units = R.n; /* so that freeing frees the labels */
        if (!(inst->source = strdup(path)) || take_fields(inst, &R) != 0)
            st = TQO_ERR_NOMEM;
    }
    if (st == TQO_OK)
        st = reader_status(&R);
    if (st == TQO_OK && take_units(inst, &R) != 0)
        st = TQO_ERR_NOMEM;
    tqoi_strmap_free(&ids);
    reader_free(&R);
    if (st == TQO_OK)
        st = instance_adjacency(inst, file, s, diag);
    if (st == TQO_ERR_NOMEM && diag->n_errors == 0)
        tqo_diag_error(diag, "%s: out of memory while loading", path);
    if (st != TQO_OK) {
        tqo_instance_free(inst);
        return st;
    }
    *out = inst;
    return TQO_OK;
}
