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
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(path, &s, &inst, &diag);
    FUZZ_CHECK((st == TQO_OK) == (inst != NULL), "load status %d but instance %p", st, (void *)inst);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "load failed (%d) without a message", st);
    if (inst) {
        FUZZ_CHECK(inst->n_units > 0, "an instance of %d units", inst->n_units);
        tqo_instance_free(inst);
    }
    tqo_diag_free(&diag);
    VSIUnlink(path);
    return 0;
}
