/*
 * Unit polygons prepared for the maps (map.svg, report.html): rings of
 * vertices that the caller projects to px, simplified arc by arc so that
 * neighbours keep sharing exactly the same border (topology-preserving in
 * the sense that matters on a map: no gaps, no overlaps between units).
 * Internal to the library; the GEOS work stays in align/ and instance/.
 */
#ifndef TQO_MAP_SHAPES_H
#define TQO_MAP_SHAPES_H

#include <stddef.h>
#include <stdio.h>

#include "tqo.h"

typedef struct map_shapes {
    int n;              /* units */
    int n_rings;
    size_t n_pts;
    int *ring_start;    /* per unit: its rings are ring_start[i] .. [i+1] */
    size_t *pt_start;   /* per ring: its vertices (not closed) */
    double *x, *y;      /* world coordinates (lon unwrapped around the unit's
                           point), then px once the caller has projected them */
    unsigned char *keep; /* per vertex, set by tqoi_map_shapes_simplify */
    int *vid;           /* per vertex: shared id of equal coordinates */
    /* arcs: runs of a ring between junctions, each drawn once */
    int n_arcs;
    int *arc_ring, *arc_len, *arc_a, *arc_b; /* ring, length, two sides (b: -1 outer) */
    size_t *arc_first;  /* offset of the arc's first vertex within its ring */
} map_shapes;

/* Loads the instance's polygons: 1, 0 when it has none, -1 when out of
   memory or a polygon cannot be read. */
int tqoi_map_shapes_load(const tqo_instance *inst, map_shapes *m);

/* After projection: finds the shared arcs and simplifies each once
   (Douglas-Peucker, tolerance tol px). -1 when out of memory. */
int tqoi_map_shapes_simplify(map_shapes *m, double tol);

/* Unit i's path data ("M..Z" per ring), shifted by (ox, oy), one decimal. */
void tqoi_map_shapes_put_path(FILE *fp, const map_shapes *m, int i, double ox, double oy);

/* The territory outlines: every arc whose two sides are in different
   territories (main_t per unit) or which has a unit on one side only. */
void tqoi_map_shapes_put_borders(FILE *fp, const map_shapes *m, const int *main_t, double ox, double oy);

void tqoi_map_shapes_free(map_shapes *m);

#endif
