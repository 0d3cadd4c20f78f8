/*
 * Unit polygons: reading vector files with GDAL/OGR, adjacency from shared
 * borders and the GEOS helpers the writers share. Internal to the library.
 * The polygons are kept as WKB (lon/lat, WGS84) so that each thread can
 * parse them into its own GEOS context.
 */
#ifndef TQO_GIS_H
#define TQO_GIS_H

#include <stddef.h>

/* GDAL and GEOS through the table loaded on first use */
#include "instance/gis_api.h"
#include "tqo.h"

struct tqo_geometry {
    int n;                 /* = the instance's n_units */
    unsigned char **wkb;   /* per unit, a valid Polygon or MultiPolygon */
    size_t *len;
    unsigned char *sliver; /* 1: a polygon that had collapsed to a line,
                              kept as a thin sliver over its borders */
    char *source;          /* the file they came from */
};

void tqoi_gis_geometry_free(tqo_geometry *g);

/* A GEOS context whose messages land in buf (the last one). */
typedef struct gis_geos {
    GEOSContextHandle_t h;
    char msg[256];
} gis_geos;
int tqoi_gis_geos_init(gis_geos *g);
void tqoi_gis_geos_finish(gis_geos *g);
/* Unit i's polygon in context g (the caller destroys it), or NULL. */
GEOSGeometry *tqoi_gis_unit_geom(gis_geos *g, const tqo_geometry *geo, int i);

/* Whether path names a vector file to read with OGR: FILE:LAYER, or an
   extension OGR reads (.geojson, .shp, .gpkg, ...). */
int tqoi_gis_is_vector_path(const char *path);

/* A vector file FILE[:LAYER] as an instance (ids, attributes as labels and
   measures, each polygon's point on surface as the location). */
tqo_status tqoi_gis_load_instance(const char *path, const tqo_load_settings *s, tqo_instance **out, tqo_diag *diag);

/* The polygons of s->boundaries (else dir/boundaries.geojson when it
   exists; else nothing) joined to inst's units on the id. */
tqo_status tqoi_gis_attach_boundaries(tqo_instance *inst, const char *dir, const tqo_load_settings *s, tqo_diag *diag);

/* Rook (shared border of positive length) or queen (any shared point)
   adjacency of the unit polygons; snap_m: gaps this narrow are closed. */
tqo_status tqoi_gis_adjacency(tqo_instance *inst, int queen, double snap_m, tqo_diag *diag);

#endif
