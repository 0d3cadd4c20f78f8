/*
 * A GIS instance read through GDAL from memory (/vsimem/): tqo's reading
 * of the features (ids, measures, polygons, repair) rather than GDAL's
 * own parser, which OSS-Fuzz covers.
 */
#include "fuzz_common.h"
#include "tqo.h"

#include <cpl_vsi.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = "/vsimem/fuzz.geojson";
    VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)data, (vsi_l_offset)size, FALSE);
    if (!f)
        abort();
    VSIFCloseL(f);
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    s.format = TQO_FORMAT_GIS;
    tqo_instance_free(fuzz_load(path, &s));
    VSIUnlink(path);
    return 0;
}
