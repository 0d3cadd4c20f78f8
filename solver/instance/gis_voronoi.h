/* Voronoi cells as unit polygons for generated instances (tqo generate
   --boundaries). Internal to the library. */
#ifndef TQO_GIS_VORONOI_H
#define TQO_GIS_VORONOI_H

#include <stddef.h>

#include "tqo.h"

/* Sets inst->geometry to each unit's Voronoi cell clipped to the convex
   hull of the units (lat/lon: computed with longitudes scaled by the
   cosine of the mean latitude, as tqo_delaunay does, so that the cells'
   neighbours are its Delaunay neighbours). */
tqo_status tqoi_gis_voronoi_cells(tqo_instance *inst, tqo_diag *diag);

/* inst->geometry as a GeoJSON FeatureCollection with a unit_id property,
   in a malloc'd string (*len bytes). Lat/lon instances have six decimals
   and no "crs" member (GeoJSON's default, WGS84); planar ones four. */
tqo_status tqoi_gis_boundaries_geojson(const tqo_instance *inst, char **text, size_t *len);

#endif
