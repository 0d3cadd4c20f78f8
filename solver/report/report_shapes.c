/*
 * The map of the report as data for a page that draws it itself (tqo
 * serve's app): each unit's polygon as SVG path data and each unit's point,
 * in the projection, frame and simplification of report.html's map, so
 * that the live app and the report show the same shapes.
 */
#include "align/map_shapes.h"
#include "align/map_svg.h"
#include "tqo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tqo_map_paths_free(tqo_map_paths *m)
{
    for (int i = 0; m->d && i < m->n; i++)
        free(m->d[i]);
    free(m->d);
    free(m->ux);
    free(m->uy);
    memset(m, 0, sizeof *m);
}

/* Unit i's path data as a string (open_memstream: the writer is the
   report's own). NULL when out of memory. */
static char *path_of(const map_shapes *sh, int i)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    tqoi_map_shapes_put_path(fp, sh, i, 0, 0);
    if (fclose(fp) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int tqo_map_paths_make(const tqo_instance *inst, const tqo_align_result *r, tqo_map_paths *out)
{
    memset(out, 0, sizeof *out);
    if (!inst || !r || r->n_units != inst->n_units)
        return 0;
    int n = r->n_units;
    out->ux = malloc(((size_t)n + 1) * sizeof(double));
    out->uy = malloc(((size_t)n + 1) * sizeof(double));
    if (!out->ux || !out->uy) {
        tqo_map_paths_free(out);
        return -1;
    }
    tqo_map_frame f;
    map_shapes sh;
    int has = tqoi_map_positions_shapes(inst, r, out->ux, out->uy, NULL, NULL, &f, &sh);
    if (has <= 0 || sh.n != n) {
        tqoi_map_shapes_free(&sh);
        tqo_map_paths_free(out);
        return has < 0 ? -1 : 0;
    }
    out->n = n;
    out->width = f.width;
    out->height = f.height;
    out->d = calloc((size_t)n, sizeof(char *));
    int rc = out->d ? 1 : -1;
    for (int i = 0; rc == 1 && i < n; i++)
        if (!(out->d[i] = path_of(&sh, i)))
            rc = -1;
    tqoi_map_shapes_free(&sh);
    if (rc < 0)
        tqo_map_paths_free(out);
    return rc;
}
