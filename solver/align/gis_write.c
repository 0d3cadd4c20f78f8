/*
 * The alignment as GIS layers, for instances with unit polygons:
 * territories (each territory's units dissolved into one polygon or
 * multipolygon, with the columns of territories.csv) and units (each
 * unit's polygon with its main territory and share). GeoJSON (two files)
 * or one GeoPackage with both layers, written into the alignment's output
 * set so that they appear with the other files or not at all.
 */
#include "align/gis_write.h"
#include "align/map_svg.h"
#include "instance/gis.h"
#include "util/json_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

static double at(const double *a, size_t k) { return a ? a[k] : NAN; }

/* ------------------------------------------------------------------ */
/* Dissolving                                                          */

/* Each territory's units (by main territory) dissolved: terr[j], NULL
   for a territory without units. The polygons form a coverage (no
   overlaps), so the fast coverage union is tried first. */
static tqo_status dissolve(gis_geos *G, GEOSGeometry **unit, const int *main_t, int n, int p, GEOSGeometry **terr)
{
    GEOSGeometry **parts = malloc((size_t)(n + 1) * sizeof *parts);
    if (!parts)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    for (int j = 0; j < p && st == TQO_OK; j++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (main_t[i] == j && unit[i])
                parts[m++] = GEOSGeom_clone_r(G->h, unit[i]);
        terr[j] = NULL;
        if (!m)
            continue;
        GEOSGeometry *coll = GEOSGeom_createCollection_r(G->h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)m);
        if (!coll) {
            st = TQO_ERR_NOMEM;
            break;
        }
        GEOSGeometry *u = GEOSCoverageUnion_r(G->h, coll);
        if (!u || GEOSisValid_r(G->h, u) != 1) {
            if (u)
                GEOSGeom_destroy_r(G->h, u);
            u = GEOSUnaryUnion_r(G->h, coll);
        }
        GEOSGeom_destroy_r(G->h, coll);
        if (!u)
            st = TQO_ERR_INPUT;
        terr[j] = u;
    }
    free(parts);
    return st;
}

/* ------------------------------------------------------------------ */
/* GeoJSON                                                             */

static void json_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

static void json_num(FILE *fp, double v)
{
    char b[40];
    if (!isfinite(v)) {
        fputs("null", fp);
        return;
    }
    tqoi_jw_format_double(v, b, sizeof b);
    fputs(b, fp);
}

static void json_key(FILE *fp, const char *k, int first)
{
    if (!first)
        fputc(',', fp);
    json_str(fp, k);
    fputc(':', fp);
}

static int put_geometry(gis_geos *G, GEOSGeoJSONWriter *w, FILE *fp, const GEOSGeometry *g)
{
    if (!g) {
        fputs("null", fp);
        return 0;
    }
    char *s = GEOSGeoJSONWriter_writeGeometry_r(G->h, w, g, -1);
    if (!s)
        return -1;
    fputs(s, fp);
    GEOSFree_r(G->h, s);
    return 0;
}

static tqo_status write_territories_json(FILE *fp, gis_geos *G, GEOSGeoJSONWriter *w, const tqo_instance *inst,
                                         const tqo_align_settings *s, const tqo_align_result *r,
                                         GEOSGeometry **terr)
{
    int nb = r->n_balance;
    fputs("{\"type\":\"FeatureCollection\",\"name\":\"territories\",\"features\":[\n", fp);
    for (int j = 0; j < r->n_territories; j++) {
        fputs(j ? ",\n{\"type\":\"Feature\",\"properties\":{" : "{\"type\":\"Feature\",\"properties\":{", fp);
        json_key(fp, "territory_id", 1);
        json_str(fp, r->territory_id[j]);
        json_key(fp, "center_lat", 0);
        json_num(fp, at(r->center_y, (size_t)j));
        json_key(fp, "center_lon", 0);
        json_num(fp, at(r->center_x, (size_t)j));
        json_key(fp, "units", 0);
        fprintf(fp, "%d", r->units_in ? r->units_in[j] : 0);
        for (int b = 0; b < nb; b++) {
            char dev[256];
            snprintf(dev, sizeof dev, "%s_dev_pct", tqoi_align_measure_name(inst, s, b));
            json_key(fp, tqoi_align_measure_name(inst, s, b), 0);
            json_num(fp, at(r->total, (size_t)j * nb + b));
            json_key(fp, dev, 0);
            json_num(fp, at(r->dev_pct, (size_t)j * nb + b));
        }
        json_key(fp, "compactness", 0);
        json_num(fp, at(r->compactness, (size_t)j));
        fputs("},\"geometry\":", fp);
        if (put_geometry(G, w, fp, terr[j]) != 0)
            return TQO_ERR_NOMEM;
        fputc('}', fp);
    }
    fputs("\n]}\n", fp);
    return ferror(fp) ? TQO_ERR_IO : TQO_OK;
}

static tqo_status write_units_json(FILE *fp, gis_geos *G, GEOSGeoJSONWriter *w, const tqo_instance *inst,
                                   const tqo_align_result *r, GEOSGeometry **unit, const int *main_t)
{
    fputs("{\"type\":\"FeatureCollection\",\"name\":\"units\",\"features\":[\n", fp);
    for (int i = 0; i < inst->n_units; i++) {
        int j = main_t[i];
        double share = 0;
        for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++)
            if (r->terr[k] == j)
                share += r->share[k];
        fputs(i ? ",\n{\"type\":\"Feature\",\"properties\":{" : "{\"type\":\"Feature\",\"properties\":{", fp);
        json_key(fp, "unit_id", 1);
        json_str(fp, inst->unit_id[i]);
        json_key(fp, "territory_id", 0);
        if (j >= 0)
            json_str(fp, r->territory_id[j]);
        else
            fputs("null", fp);
        json_key(fp, "share", 0);
        json_num(fp, share);
        fputs("},\"geometry\":", fp);
        if (put_geometry(G, w, fp, unit[i]) != 0)
            return TQO_ERR_NOMEM;
        fputc('}', fp);
    }
    fputs("\n]}\n", fp);
    return ferror(fp) ? TQO_ERR_IO : TQO_OK;
}

/* ------------------------------------------------------------------ */
/* GeoPackage                                                          */

/* One OGR feature of layer l with geometry g (may be NULL). */
static int gpkg_geom(OGRFeatureH f, gis_geos *G, const GEOSGeometry *g)
{
    if (!g)
        return 0;
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(G->h);
    size_t n = 0;
    unsigned char *b = w ? GEOSWKBWriter_write_r(G->h, w, g, &n) : NULL;
    OGRGeometryH og = NULL;
    int rc = -1;
    if (b && OGR_G_CreateFromWkb(b, NULL, &og, (int)n) == OGRERR_NONE) {
        /* a single polygon goes into the multipolygon column as one */
        if (wkbFlatten(OGR_G_GetGeometryType(og)) == wkbPolygon)
            og = OGR_G_ForceToMultiPolygon(og);
        rc = OGR_F_SetGeometryDirectly(f, og) == OGRERR_NONE ? 0 : -1;
    }
    if (b)
        GEOSFree_r(G->h, b);
    if (w)
        GEOSWKBWriter_destroy_r(G->h, w);
    return rc;
}

static OGRLayerH gpkg_layer(GDALDatasetH ds, const char *name, const char *const *fields, const int *real, int nf)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH l = GDALDatasetCreateLayer(ds, name, srs, wkbMultiPolygon, NULL);
    OSRDestroySpatialReference(srs);
    for (int c = 0; l && c < nf; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[c], real[c] ? OFTReal : OFTString);
        OGR_L_CreateField(l, fd, 1);
        OGR_Fld_Destroy(fd);
    }
    return l;
}

/* Both layers into a GeoPackage at path. */
static tqo_status gpkg_write(const char *path, gis_geos *G, const tqo_instance *inst, const tqo_align_settings *s,
                             const tqo_align_result *r, GEOSGeometry **unit, const int *main_t, GEOSGeometry **terr)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds)
        return TQO_ERR_IO;
    int nb = r->n_balance, nf = 5 + 2 * nb;
    const char **names = calloc((size_t)nf, sizeof *names);
    char (*dev)[256] = calloc((size_t)nb + 1, sizeof *dev);
    int *real = calloc((size_t)nf, sizeof *real);
    tqo_status st = names && dev && real ? TQO_OK : TQO_ERR_NOMEM;
    if (st == TQO_OK) {
        names[0] = "territory_id", names[1] = "center_lat", names[2] = "center_lon", names[3] = "units";
        for (int b = 0; b < nb; b++) {
            snprintf(dev[b], sizeof dev[b], "%s_dev_pct", tqoi_align_measure_name(inst, s, b));
            names[4 + 2 * b] = tqoi_align_measure_name(inst, s, b);
            names[5 + 2 * b] = dev[b];
        }
        names[nf - 1] = "compactness";
        for (int c = 1; c < nf; c++)
            real[c] = 1;
        GDALDatasetStartTransaction(ds, 0);
        OGRLayerH lt = gpkg_layer(ds, "territories", names, real, nf);
        for (int j = 0; lt && st == TQO_OK && j < r->n_territories; j++) {
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lt));
            OGR_F_SetFieldString(f, 0, r->territory_id[j]);
            OGR_F_SetFieldDouble(f, 1, at(r->center_y, (size_t)j));
            OGR_F_SetFieldDouble(f, 2, at(r->center_x, (size_t)j));
            OGR_F_SetFieldDouble(f, 3, r->units_in ? r->units_in[j] : 0);
            for (int b = 0; b < nb; b++) {
                OGR_F_SetFieldDouble(f, 4 + 2 * b, at(r->total, (size_t)j * nb + b));
                OGR_F_SetFieldDouble(f, 5 + 2 * b, at(r->dev_pct, (size_t)j * nb + b));
            }
            OGR_F_SetFieldDouble(f, nf - 1, at(r->compactness, (size_t)j));
            if (gpkg_geom(f, G, terr[j]) != 0 || OGR_L_CreateFeature(lt, f) != OGRERR_NONE)
                st = TQO_ERR_IO;
            OGR_F_Destroy(f);
        }
        static const char *const unames[3] = {"unit_id", "territory_id", "share"};
        static const int ureal[3] = {0, 0, 1};
        OGRLayerH lu = gpkg_layer(ds, "units", unames, ureal, 3);
        for (int i = 0; lu && st == TQO_OK && i < inst->n_units; i++) {
            int j = main_t[i];
            double share = 0;
            for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++)
                if (r->terr[k] == j)
                    share += r->share[k];
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lu));
            OGR_F_SetFieldString(f, 0, inst->unit_id[i]);
            if (j >= 0)
                OGR_F_SetFieldString(f, 1, r->territory_id[j]);
            OGR_F_SetFieldDouble(f, 2, share);
            if (gpkg_geom(f, G, unit[i]) != 0 || OGR_L_CreateFeature(lu, f) != OGRERR_NONE)
                st = TQO_ERR_IO;
            OGR_F_Destroy(f);
        }
        if (!lt || !lu)
            st = TQO_ERR_IO;
        GDALDatasetCommitTransaction(ds);
    }
    GDALClose(ds);
    free(names);
    free(dev);
    free(real);
    return st;
}

/* Copies the file at path into fp. */
static tqo_status copy_into(const char *path, FILE *fp)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return TQO_ERR_IO;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, fp) != n)
            break;
    int bad = ferror(in) || ferror(fp);
    fclose(in);
    return bad ? TQO_ERR_IO : TQO_OK;
}

/* ------------------------------------------------------------------ */

tqo_status tqoi_gis_write_check(const tqo_align_settings *s, tqo_diag *diag)
{
    const char *f = s->gis_format;
    if (f && strcmp(f, "geojson") != 0 && strcmp(f, "gpkg") != 0) {
        tqo_diag_error(diag, "--gis-format %s: expected geojson or gpkg", f);
        return TQO_ERR_ARG;
    }
    return TQO_OK;
}

static tqo_status write_layers(gis_geos *G, tqo_outset *o, const char *dir, const tqo_instance *inst,
                               const tqo_align_settings *s, const tqo_align_result *r, GEOSGeometry **unit,
                               const int *main_t, GEOSGeometry **terr, tqo_diag *diag)
{
    int gpkg = s->gis_format && strcmp(s->gis_format, "gpkg") == 0;
    if (gpkg) {
        FILE *fp = tqo_outset_open(o, "territories.gpkg");
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s/.tqo-gpkg-%ld.gpkg", dir, (long)getpid());
        tqo_status st = fp ? gpkg_write(tmp, G, inst, s, r, unit, main_t, terr) : TQO_ERR_IO;
        if (st == TQO_OK)
            st = copy_into(tmp, fp);
        unlink(tmp);
        if (st != TQO_OK)
            tqo_diag_error(diag, "%s: cannot write territories.gpkg", dir);
        return st;
    }
    GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(G->h);
    FILE *ft = tqo_outset_open(o, "territories.geojson");
    FILE *fu = tqo_outset_open(o, "units.geojson");
    tqo_status st = w && ft && fu ? TQO_OK : TQO_ERR_IO;
    if (st == TQO_OK)
        st = write_territories_json(ft, G, w, inst, s, r, terr);
    if (st == TQO_OK)
        st = write_units_json(fu, G, w, inst, r, unit, main_t);
    if (w)
        GEOSGeoJSONWriter_destroy_r(G->h, w);
    if (st != TQO_OK)
        tqo_diag_error(diag, "%s: cannot write territories.geojson and units.geojson", dir);
    return st;
}

tqo_status tqoi_gis_write(tqo_outset *o, const char *dir, const tqo_instance *inst, const tqo_align_settings *s,
                     const tqo_align_result *r, tqo_diag *diag)
{
    if (!inst->geometry)
        return TQO_OK;
    int n = inst->n_units, p = r->n_territories;
    gis_geos G;
    if (tqoi_gis_geos_init(&G) != 0)
        return TQO_ERR_NOMEM;
    GEOSGeometry **unit = calloc((size_t)n + 1, sizeof *unit);
    GEOSGeometry **terr = calloc((size_t)p + 1, sizeof *terr);
    int *main_t = malloc(((size_t)n + 1) * sizeof *main_t);
    tqo_status st = unit && terr && main_t ? TQO_OK : TQO_ERR_NOMEM;
    for (int i = 0; st == TQO_OK && i < n; i++) {
        main_t[i] = tqoi_unit_main_territory(r, i);
        if (!(unit[i] = tqoi_gis_unit_geom(&G, inst->geometry, i)))
            st = TQO_ERR_NOMEM;
    }
    if (st == TQO_OK && (st = dissolve(&G, unit, main_t, n, p, terr)) != TQO_OK)
        tqo_diag_error(diag, "%s: dissolving the territories failed: %s", dir, G.msg);
    if (st == TQO_OK)
        st = write_layers(&G, o, dir, inst, s, r, unit, main_t, terr, diag);
    for (int i = 0; unit && i < n; i++)
        if (unit[i])
            GEOSGeom_destroy_r(G.h, unit[i]);
    for (int j = 0; terr && j < p; j++)
        if (terr[j])
            GEOSGeom_destroy_r(G.h, terr[j]);
    free(unit);
    free(terr);
    free(main_t);
    tqoi_gis_geos_finish(&G);
    return st;
}
