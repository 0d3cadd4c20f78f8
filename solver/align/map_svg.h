/*
 * The map of an alignment (map.svg), and the territory colouring that the
 * HTML report shares with it. Internal to the library.
 */
#ifndef TQO_MAP_SVG_H
#define TQO_MAP_SVG_H

#include <stdio.h>

#include "tqo.h"

/* Colours of the palette; colour indices beyond it cycle. */
#define TQO_PALETTE_SIZE 16

/* "#rrggbb" of colour c (c modulo the palette). */
const char *tqoi_palette_colour(int c);

/* The territory of unit i's largest share (the first on ties); -1 when
   the unit has no entry with a positive share. */
int tqoi_unit_main_territory(const tqo_align_result *r, int i);

/*
 * Colours the territories so that adjacent ones differ: colour[j] for each
 * of r->n_territories. Two territories are adjacent when units of theirs
 * are neighbours in the instance's unit graph (its Delaunay triangulation
 * when it has none) or when they share a split unit. DSatur picks the
 * order; each territory takes the least used palette colour its
 * neighbours leave free, which spreads the palette over the map. Only a
 * territory with TQO_PALETTE_SIZE or more differently coloured neighbours
 * gets an index beyond the palette. Returns the number of colours used,
 * or -1 when out of memory.
 */
int tqoi_territory_colours(const tqo_instance *inst, const tqo_align_result *r, int *colour);

/* Length of the valid UTF-8 sequence at p (1..4; 1 for ASCII), or 0 for
   a bad byte: markup writers replace those, as one makes a file unreadable. */
int tqoi_utf8_len(const unsigned char *p);

/* The size of the area a map draws (px, the longer side 1000), and the
   unit radius and centre star size that map.svg uses for it. */
typedef struct tqo_map_frame {
    double width, height, radius, star;
} tqo_map_frame;

/*
 * Positions for drawing the map elsewhere (the HTML report) in map.svg's
 * projection, in px from the top-left corner of the area that the units
 * and centres span: ux/uy for each unit, cx/cy for each territory's centre
 * (NAN where it has none); either pair may be NULL. Returns 1, 0 when the
 * instance has no coordinates (nothing is set), or -1 when out of memory.
 */
/* When sh is not NULL the unit polygons too:
   loaded, projected to the same px and simplified (sh->n = 0 when the
   instance has none; tqoi_map_shapes_free releases them). -1 when out of
   memory (sh is then empty). */
struct map_shapes;
int tqoi_map_positions_shapes(const tqo_instance *inst, const tqo_align_result *r, double *ux, double *uy, double *cx,
                         double *cy, tqo_map_frame *f, struct map_shapes *sh);

/*
 * Writes the map: one circle per unit in its main territory's colour
 * (split units outlined), a star at each centre, and a legend with each
 * territory's id, units, and total and deviation of every balanced measure
 * (named from s; s may be NULL). Lat/lon is drawn equirectangular, scaled
 * by the cosine of the mean latitude. Numbers have one decimal in a
 * viewBox about 1000 wide, which keeps 100,000 units near 8 MB.
 */
tqo_status tqoi_map_svg_write(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s,
                             const tqo_align_result *r, const char *title);

/* Balanced measure b's name as written in units.csv (the user may have
   typed it in another case), else as given in the settings. */
const char *tqoi_align_measure_name(const tqo_instance *inst, const tqo_align_settings *s, int b);

#endif
