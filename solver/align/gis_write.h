/* The alignment as GIS layers (territories and units), for instances with
   unit polygons. Internal to the library. */
#ifndef TQO_GIS_WRITE_H
#define TQO_GIS_WRITE_H

#include "tqo.h"

/* TQO_ERR_ARG with a message unless s->gis_format is NULL, geojson or gpkg. */
tqo_status tqoi_gis_write_check(const tqo_align_settings *s, tqo_diag *diag);

/* Into output set o (folder dir): territories.geojson and units.geojson,
   or territories.gpkg with layers territories and units. Nothing when the
   instance has no polygons. */
tqo_status tqoi_gis_write(tqo_outset *o, const char *dir, const tqo_instance *inst, const tqo_align_settings *s,
                     const tqo_align_result *r, tqo_diag *diag);

#endif
