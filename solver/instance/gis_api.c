/*
 * GDAL and GEOS loaded on first use (see gis_api.h). The library names
 * come from the build (TQO_GDAL_LIB, TQO_GEOS_C_LIB: the sonames CMake
 * found), so the libraries loaded are those the build was checked with.
 */
#define _GNU_SOURCE
#define TQOI_GIS_API_IMPL
#include "instance/gis_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TQO_GDAL_LIB
#define TQO_GDAL_LIB "libgdal.so"
#endif
#ifndef TQO_GEOS_C_LIB
#define TQO_GEOS_C_LIB "libgeos_c.so"
#endif

static gis_api api;
static int api_ok;
static char api_why[512];
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

/* The symbol name from lib (handle h) into *slot; 0, or -1 with why set. */
static int take(void *h, const char *lib, const char *name, void *slot)
{
    void *p = dlsym(h, name);
    if (!p) {
        snprintf(api_why, sizeof api_why, "%s has no function %s", lib, name);
        return -1;
    }
    memcpy(slot, &p, sizeof p); /* a data pointer to a function pointer, as POSIX allows */
    return 0;
}

static void api_load(void)
{
    /* RTLD_GLOBAL: GDAL's drivers and GEOS resolve each other's symbols as
       when linked. Never closed: the process keeps them, as before. */
    void *gdal = dlopen(TQO_GDAL_LIB, RTLD_NOW | RTLD_GLOBAL);
    if (!gdal) {
        snprintf(api_why, sizeof api_why, "cannot load GDAL (%s): %s", TQO_GDAL_LIB, dlerror());
        return;
    }
    void *geos = dlopen(TQO_GEOS_C_LIB, RTLD_NOW | RTLD_GLOBAL);
    if (!geos) {
        snprintf(api_why, sizeof api_why, "cannot load GEOS (%s): %s", TQO_GEOS_C_LIB, dlerror());
        return;
    }
    int bad = 0;
#define TAKE_GDAL(f) bad |= take(gdal, TQO_GDAL_LIB, #f, &api.f);
#define TAKE_GEOS(f) bad |= take(geos, TQO_GEOS_C_LIB, #f, &api.f);
    TQOI_GDAL_FUNCTIONS(TAKE_GDAL)
    TQOI_GEOS_FUNCTIONS(TAKE_GEOS)
#undef TAKE_GDAL
#undef TAKE_GEOS
    api_ok = !bad;
}

const gis_api *tqoi_gis_api(void)
{
    pthread_once(&api_once, api_load);
    if (!api_ok) {
        /* only reached past tqoi_gis_available's check by a writer that
           does not make it: as a missing library at start did, stop */
        fprintf(stderr, "tqo: %s\n", api_why);
        abort();
    }
    return &api;
}

tqo_status tqoi_gis_available(tqo_diag *diag)
{
    pthread_once(&api_once, api_load);
    if (api_ok)
        return TQO_OK;
    if (diag)
        tqo_diag_error(diag, "GIS files need GDAL and GEOS: %s", api_why);
    return TQO_ERR_INPUT;
}
