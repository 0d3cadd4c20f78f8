/*
 * map.svg: units coloured by territory, centres, and a legend.
 *
 * The file must stay usable at 100,000 units, so each unit is one bare
 * <circle> (position, radius and a <title>) inside a group per territory
 * that carries the colour as a CSS class; coordinates have one decimal in
 * a viewBox about 1000 px wide, which is finer than a screen shows.
 */
#include "align/map_svg.h"
#include "align/map_shapes.h"
#include "util/fmt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* Tableau-like hues that stay apart from each other and light enough for
   the black centre stars and outlines to show on all of them. */
static const char *const PALETTE[TQO_PALETTE_SIZE] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#a0cbe8", "#8cd17d", "#d37295", "#b6992d", "#499894", "#d4a6c8", "#ffbe7d",
};

const char *tqoi_palette_colour(int c)
{
    if (c < 0)
        c = 0;
    return PALETTE[c % TQO_PALETTE_SIZE];
}

int tqoi_unit_main_territory(const tqo_align_result *r, int i)
{
    int best = -1;
    double best_share = 0;
    for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++) {
        int j = r->terr[k];
        if (j < 0 || j >= r->n_territories || !(r->share[k] > best_share))
            continue;
        best = j;
        best_share = r->share[k];
    }
    return best;
}

/* ------------------------------------------------------------------ */
/* Territory adjacency and colouring                                   */
/* ------------------------------------------------------------------ */

typedef struct pair_list {
    uint64_t *key; /* a << 32 | b with a < b: sorting orders by (a, b) */
    size_t n, cap;
} pair_list;

static int pair_add(pair_list *pl, int a, int b)
{
    if (a == b || a < 0 || b < 0)
        return 0;
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? 2 * pl->cap : 256;
        uint64_t *k = realloc(pl->key, cap * sizeof *k);
        if (!k)
            return -1;
        pl->key = k;
        pl->cap = cap;
    }
    pl->key[pl->n++] = (uint64_t)a << 32 | (uint64_t)b;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Territory pairs touching through a unit edge or a split unit. */
static int collect_pairs(const tqo_instance *inst, const tqo_align_result *r, const int *main_t, pair_list *pl)
{
    int n = r->n_units;
    if (inst->has_adjacency && inst->adj_start && inst->adj) {
        for (int i = 0; i < n; i++)
            for (int k = inst->adj_start[i]; k < inst->adj_start[i + 1]; k++)
                if (inst->adj[k] > i && pair_add(pl, main_t[i], main_t[inst->adj[k]]) != 0)
                    return -1;
    } else if (inst->coords != TQO_COORDS_NONE && n > 1) {
        /* Without a unit graph, Delaunay neighbours are the units that look
           adjacent on the map, which is what the colours must separate. */
        int ne = 0, *eu = NULL, *ev = NULL;
        tqo_status st = tqo_delaunay(n, inst->x, inst->y, inst->coords, &ne, &eu, &ev, NULL);
        if (st == TQO_ERR_NOMEM)
            return -1;
        int bad = 0;
        for (int e = 0; st == TQO_OK && e < ne && !bad; e++)
            bad = pair_add(pl, main_t[eu[e]], main_t[ev[e]]) != 0;
        free(eu);
        free(ev);
        if (bad)
            return -1;
        /* Any other failure only costs distinctness: colour without it. */
    }
    for (int i = 0; i < n; i++) {
        if (r->unit_start[i + 1] - r->unit_start[i] < 2)
            continue;
        for (int a = r->unit_start[i]; a < r->unit_start[i + 1]; a++)
            for (int b = a + 1; b < r->unit_start[i + 1]; b++)
                if (r->share[a] > 0 && r->share[b] > 0 && r->terr[a] < r->n_territories &&
                    r->terr[b] < r->n_territories && pair_add(pl, r->terr[a], r->terr[b]) != 0)
                    return -1;
    }
    return 0;
}

/* A max-heap entry of DSatur: highest saturation, then degree, then the
   lowest index, so that the order is deterministic. Stale entries (an old
   saturation, or an already coloured territory) are skipped on pop. */
typedef struct hnode {
    int sat, deg, v;
} hnode;

static int hbetter(const hnode *a, const hnode *b)
{
    if (a->sat != b->sat)
        return a->sat > b->sat;
    if (a->deg != b->deg)
        return a->deg > b->deg;
    return a->v < b->v;
}

static void hpush(hnode *h, int *n, hnode x)
{
    int i = (*n)++;
    while (i > 0) {
        int up = (i - 1) / 2;
        if (!hbetter(&x, &h[up]))
            break;
        h[i] = h[up];
        i = up;
    }
    h[i] = x;
}

static hnode hpop(hnode *h, int *n)
{
    hnode top = h[0], x = h[--(*n)];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && hbetter(&h[c + 1], &h[c]))
            c++;
        if (!hbetter(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = x;
    return top;
}

int tqoi_territory_colours(const tqo_instance *inst, const tqo_align_result *r, int *colour)
{
    int p = r->n_territories, n = r->n_units;
    if (p <= 0)
        return 0;
    int result = -1;
    pair_list pl = {0};
    int *main_t = malloc(((size_t)n + 1) * sizeof *main_t);
    int *start = calloc((size_t)p + 1, sizeof *start);
    int *adj = NULL, *fill = NULL, *sat = NULL, *mark = NULL, *used = NULL;
    hnode *heap = NULL;
    if (!main_t || !start)
        goto done;
    for (int i = 0; i < n; i++)
        main_t[i] = tqoi_unit_main_territory(r, i);
    if (collect_pairs(inst, r, main_t, &pl) != 0)
        goto done;
    if (pl.n)
        qsort(pl.key, pl.n, sizeof *pl.key, cmp_u64);
    size_t ne = 0;
    for (size_t e = 0; e < pl.n; e++)
        if (e == 0 || pl.key[e] != pl.key[e - 1])
            pl.key[ne++] = pl.key[e];

    /* Compressed rows of the territory graph. */
    for (size_t e = 0; e < ne; e++) {
        start[(pl.key[e] >> 32) + 1]++;
        start[(pl.key[e] & 0xffffffffu) + 1]++;
    }
    for (int j = 0; j < p; j++)
        start[j + 1] += start[j];
    adj = malloc((2 * ne + 1) * sizeof *adj);
    fill = malloc((size_t)p * sizeof *fill);
    sat = calloc((size_t)p, sizeof *sat);
    /* A colour index never exceeds max(palette, degree). */
    mark = calloc((size_t)p + TQO_PALETTE_SIZE + 1, sizeof *mark);
    used = calloc((size_t)p + TQO_PALETTE_SIZE + 1, sizeof *used);
    heap = malloc(((size_t)p + 2 * ne + 1) * sizeof *heap);
    if (!adj || !fill || !sat || !mark || !used || !heap)
        goto done;
    memcpy(fill, start, (size_t)p * sizeof *fill);
    for (size_t e = 0; e < ne; e++) {
        int a = (int)(pl.key[e] >> 32), b = (int)(pl.key[e] & 0xffffffffu);
        adj[fill[a]++] = b;
        adj[fill[b]++] = a;
    }

    int hn = 0;
    for (int j = 0; j < p; j++) {
        colour[j] = -1;
        hpush(heap, &hn, (hnode){0, start[j + 1] - start[j], j});
    }
    while (hn > 0) {
        hnode top = hpop(heap, &hn);
        int v = top.v;
        if (colour[v] >= 0 || top.sat != sat[v])
            continue;
        for (int k = start[v]; k < start[v + 1]; k++)
            if (colour[adj[k]] >= 0)
                mark[colour[adj[k]]] = v + 1;
        int best = -1;
        for (int c = 0; c < TQO_PALETTE_SIZE; c++)
            if (mark[c] != v + 1 && (best < 0 || used[c] < used[best]))
                best = c;
        for (int c = TQO_PALETTE_SIZE; best < 0; c++)
            if (mark[c] != v + 1)
                best = c;
        colour[v] = best;
        used[best]++;
        /* A neighbour's saturation grows only if best is new around it. */
        for (int k = start[v]; k < start[v + 1]; k++) {
            int u = adj[k];
            if (colour[u] >= 0)
                continue;
            int seen = 0;
            for (int q = start[u]; q < start[u + 1] && !seen; q++)
                seen = adj[q] != v && colour[adj[q]] == best;
            if (!seen) {
                sat[u]++;
                hpush(heap, &hn, (hnode){sat[u], start[u + 1] - start[u], u});
            }
        }
    }
    result = 0;
    for (int c = 0; c < p + TQO_PALETTE_SIZE + 1; c++)
        result += used[c] > 0;
done:
    free(pl.key);
    free(main_t);
    free(start);
    free(adj);
    free(fill);
    free(sat);
    free(mark);
    free(used);
    free(heap);
    return result;
}

/* ------------------------------------------------------------------ */
/* SVG                                                                 */
/* ------------------------------------------------------------------ */

#define MAP_SIZE 1000.0 /* the map's longer side, px */
#define MARGIN 10.0
#define HEADER 52.0     /* title and subtitle above the map */
#define ROW 16.0        /* legend line height */

/* Length of a valid UTF-8 sequence at p, or 0: XML parsers reject a whole
   file for one bad byte, and paths or titles are not checked on load. */
static int utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        if (p[0] == 0xe0)
            lo = 0xa0;
        if (p[0] == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        if (p[0] == 0xf0)
            lo = 0x90;
        if (p[0] == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int k = 2; k < len; k++)
        if (p[k] < 0x80 || p[k] > 0xbf)
            return 0;
    return len;
}

int tqoi_utf8_len(const unsigned char *p) { return utf8_len(p); }

/* Text content: markup escaped, control characters and bad bytes replaced. */
static void put_text(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        int len = utf8_len(p);
        if (len == 0) {
            fputc('?', fp);
            p++;
            continue;
        }
        if (len > 1) {
            fwrite(p, 1, (size_t)len, fp);
        } else if (*p == '&') {
            fputs("&amp;", fp);
        } else if (*p == '<') {
            fputs("&lt;", fp);
        } else if (*p == '>') {
            fputs("&gt;", fp);
        } else if (*p < 0x20 || *p == 0x7f) {
            fputc(' ', fp);
        } else {
            fputc(*p, fp);
        }
        p += len;
    }
}

/* One decimal, without a trailing ".0" and without "-0": the bulk of
   the file is these numbers. */
static void fmt1(char *buf, double v)
{
    long long t = llround(v * 10.0);
    const char *sign = t < 0 ? "-" : "";
    long long a = t < 0 ? -t : t;
    if (a % 10)
        snprintf(buf, 32, "%s%lld.%lld", sign, a / 10, a % 10);
    else
        snprintf(buf, 32, "%s%lld", sign, a / 10);
}


/* "+1.2%", never "-0.0%". */
static void fmt_dev(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    double d = round(v * 10.0) / 10.0;
    if (d == 0)
        d = 0; /* turns -0 into +0 */
    snprintf(buf, size, "%+.1f%%", d);
}

const char *tqoi_align_measure_name(const tqo_instance *inst, const tqo_align_settings *s, int b)
{
    int m = tqo_instance_measure(inst, s->balance[b]);
    return m >= 0 ? inst->measures[m].name : s->balance[b];
}

/* The name, or "measure N" when the settings do not name it. */
static const char *measure_name(const tqo_instance *inst, const tqo_align_settings *s, int b, char *buf,
                                size_t size)
{
    if (s && b < s->n_balance && s->balance[b])
        return tqoi_align_measure_name(inst, s, b);
    snprintf(buf, size, "measure %d", b + 1);
    return buf;
}

/* A five-pointed star of outer radius R centred on (x, y). */
static void put_star(FILE *fp, double x, double y, double R)
{
    char a[32], b[32];
    fputs("<path class=\"x\" d=\"M", fp);
    for (int k = 0; k < 10; k++) {
        double rad = k % 2 ? R * 0.45 : R;
        double ang = -PI / 2 + k * PI / 5;
        fmt1(a, x + rad * cos(ang));
        fmt1(b, y + rad * sin(ang));
        fprintf(fp, "%s%s %s", k ? " " : "", a, b);
    }
    fputs("Z\">", fp);
}

typedef struct view {
    int wrap;            /* lat/lon: longitudes below cut are shifted by 360 */
    double cut;
    double kx;           /* lon scale: cos(mean latitude); 1 for planar */
    double min_x, max_y; /* projected bounds */
    double scale, ox, oy;
} view;

/* Longitude unwrapped so that the map is cut in the widest empty band
   (data across the antimeridian, such as the Aleutians and Guam, stays in
   one piece). */
static double wx(const view *v, double x) { return v->wrap && x < v->cut ? x + 360.0 : x; }
static double proj_x(const view *v, double x) { return v->ox + (wx(v, x) * v->kx - v->min_x) * v->scale; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double proj_y(const view *v, double y) { return v->oy + (v->max_y - y) * v->scale; }

/* The projection and sizes of the map: lat/lon equirectangular with the
   x axis shrunk by the cosine of the mean latitude, so shapes look right
   at mid latitudes; the units' and centres' extent scaled to MAP_SIZE
   on its longer side. grid: 100 x 100 zeroed bytes of scratch. */
static void view_setup(const tqo_instance *inst, const tqo_align_result *r, int has_xy, const map_shapes *sh,
                       unsigned char *grid, view *v, double *map_w, double *map_h, double *radius, double *star)
{
    int n = r->n_units, p = r->n_territories;
    *v = (view){0, 0, 1.0, 0, 0, 1.0, 0, 0};
    *map_w = 0;
    *map_h = 0;
    *radius = 3;
    *star = 7;
    if (has_xy) {
        if (inst->coords == TQO_COORDS_LATLON) {
            double sum = 0;
            for (int i = 0; i < n; i++)
                sum += inst->y[i];
            v->kx = cos(sum / n * PI / 180.0);
            if (v->kx < 0.01)
                v->kx = 0.01;
            double *lon = malloc((size_t)n * sizeof *lon);
            if (lon) {
                for (int i = 0; i < n; i++)
                    lon[i] = inst->x[i];
                qsort(lon, (size_t)n, sizeof *lon, cmp_double);
                double gap = lon[0] + 360.0 - lon[n - 1]; /* across the antimeridian */
                double start = lon[0];
                for (int i = 1; i < n; i++)
                    if (lon[i] - lon[i - 1] > gap) {
                        gap = lon[i] - lon[i - 1];
                        start = lon[i];
                    }
                v->wrap = start > lon[0];
                v->cut = start;
                free(lon);
            }
        }
        double min_x = INFINITY, max_x = -INFINITY, min_y = INFINITY, max_y = -INFINITY;
        for (int i = 0; i < n; i++) {
            min_x = fmin(min_x, wx(v, inst->x[i]) * v->kx);
            max_x = fmax(max_x, wx(v, inst->x[i]) * v->kx);
            min_y = fmin(min_y, inst->y[i]);
            max_y = fmax(max_y, inst->y[i]);
        }
        for (int j = 0; r->center_x && r->center_y && j < p; j++) {
            if (!isfinite(r->center_x[j]) || !isfinite(r->center_y[j]))
                continue;
            min_x = fmin(min_x, wx(v, r->center_x[j]) * v->kx);
            max_x = fmax(max_x, wx(v, r->center_x[j]) * v->kx);
            min_y = fmin(min_y, r->center_y[j]);
            max_y = fmax(max_y, r->center_y[j]);
        }
        for (int i = 0; sh && i < sh->n; i++) { /* polygons reach beyond their points */
            double shift = wx(v, inst->x[i]) - inst->x[i];
            for (size_t k = sh->pt_start[sh->ring_start[i]]; k < sh->pt_start[sh->ring_start[i + 1]]; k++) {
                min_x = fmin(min_x, (sh->x[k] + shift) * v->kx);
                max_x = fmax(max_x, (sh->x[k] + shift) * v->kx);
                min_y = fmin(min_y, sh->y[k]);
                max_y = fmax(max_y, sh->y[k]);
            }
        }
        double span = fmax(max_x - min_x, max_y - min_y);
        v->scale = span > 0 ? MAP_SIZE / span : 1.0;
        *map_w = (max_x - min_x) * v->scale;
        *map_h = (max_y - min_y) * v->scale;
        v->min_x = min_x;
        v->max_y = max_y;

        /* Radius from the area the units actually cover (occupied cells of
           a 100 x 100 grid), so clustered units are not drawn as blobs. */
        int occupied = 0;
        double cell = MAP_SIZE / 100.0;
        for (int i = 0; i < n; i++) {
            int gx = (int)((wx(v, inst->x[i]) * v->kx - min_x) * v->scale / cell);
            int gy = (int)((max_y - inst->y[i]) * v->scale / cell);
            gx = gx < 0 ? 0 : gx > 99 ? 99 : gx;
            gy = gy < 0 ? 0 : gy > 99 ? 99 : gy;
            if (!grid[gy * 100 + gx]) {
                grid[gy * 100 + gx] = 1;
                occupied++;
            }
        }
        *radius = 0.45 * sqrt(occupied * cell * cell / n);
        *radius = fmin(6.0, fmax(0.5, round(*radius * 10) / 10));
        *star = fmin(9.0, fmax(5.0, 3 * *radius));
    }
}

/* The polygons' vertices in px (origin at the map area's corner), then
   simplified to half a px: finer than that does not show. */
static int project_shapes(const tqo_instance *inst, const view *v, map_shapes *sh)
{
    for (int i = 0; i < sh->n; i++) {
        double shift = wx(v, inst->x[i]) - inst->x[i];
        for (size_t k = sh->pt_start[sh->ring_start[i]]; k < sh->pt_start[sh->ring_start[i + 1]]; k++) {
            sh->x[k] = ((sh->x[k] + shift) * v->kx - v->min_x) * v->scale;
            sh->y[k] = (v->max_y - sh->y[k]) * v->scale;
        }
    }
    return tqoi_map_shapes_simplify(sh, 0.5);
}

/* Loads the instance's polygons into sh (sh->n = 0 when it has none). */
static int shapes_load(const tqo_instance *inst, map_shapes *sh)
{
    memset(sh, 0, sizeof *sh);
    if (inst->coords == TQO_COORDS_NONE || !inst->x || !inst->y)
        return 0;
    return tqoi_map_shapes_load(inst, sh) < 0 ? -1 : 0;
}

int tqoi_map_positions_shapes(const tqo_instance *inst, const tqo_align_result *r, double *ux, double *uy, double *cx,
                         double *cy, tqo_map_frame *f, map_shapes *sh)
{
    int n = r->n_units, p = r->n_territories;
    if (sh)
        memset(sh, 0, sizeof *sh);
    if (inst->coords == TQO_COORDS_NONE || !inst->x || !inst->y || n <= 0)
        return 0;
    unsigned char *grid = calloc(100 * 100, 1);
    if (!grid || (sh && shapes_load(inst, sh) != 0)) {
        free(grid);
        return -1;
    }
    view v;
    view_setup(inst, r, 1, sh && sh->n ? sh : NULL, grid, &v, &f->width, &f->height, &f->radius, &f->star);
    free(grid);
    v.ox = v.oy = 0;
    if (sh && sh->n && project_shapes(inst, &v, sh) != 0) {
        tqoi_map_shapes_free(sh);
        return -1;
    }
    for (int i = 0; ux && uy && i < n; i++) {
        ux[i] = proj_x(&v, inst->x[i]);
        uy[i] = proj_y(&v, inst->y[i]);
    }
    for (int j = 0; cx && cy && j < p; j++) {
        int ok = r->center_x && r->center_y && isfinite(r->center_x[j]) && isfinite(r->center_y[j]);
        cx[j] = ok ? proj_x(&v, r->center_x[j]) : NAN;
        cy[j] = ok ? proj_y(&v, r->center_y[j]) : NAN;
    }
    return 1;
}

/* Units grouped by main territory (slot p: none), keeping input order:
   group g holds order[first[g] .. first[g+1]). */
static int group_units(const tqo_align_result *r, int *main_t, int *first, int *order)
{
    int n = r->n_units, p = r->n_territories;
    for (int i = 0; i < n; i++) {
        main_t[i] = tqoi_unit_main_territory(r, i);
        first[(main_t[i] < 0 ? p : main_t[i]) + 1]++;
    }
    for (int j = 0; j <= p; j++)
        first[j + 1] += first[j];
    int *pos = malloc(((size_t)p + 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy(pos, first, ((size_t)p + 1) * sizeof *pos);
    for (int i = 0; i < n; i++)
        order[pos[main_t[i] < 0 ? p : main_t[i]]++] = i;
    free(pos);
    return 0;
}

/* The page: the map's frame and the legend's grid. */
typedef struct page {
    double width, height, legend_top, col_w;
    int rows;
} page;

/* Legend columns as wide as the longest entry (about 6.2 px a character
   at 11 px), as many across as fit. */
static void legend_layout(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                          page *pg)
{
    int p = r->n_territories, nb = r->n_balance;
    char nbuf[32], tbuf[48];
    size_t chars = 0;
    for (int j = 0; j < p; j++) {
        size_t c = strlen(r->territory_id[j]) + 16;
        for (int b = 0; b < nb; b++) {
            tqoi_fmt_thousands(tbuf, sizeof tbuf, r->total ? r->total[j * nb + b] : NAN, "-");
            c += strlen(measure_name(inst, s, b, nbuf, sizeof nbuf)) + strlen(tbuf) + 11;
        }
        if (c > chars)
            chars = c;
    }
    pg->col_w = 30 + 6.2 * (double)chars;
    if (pg->col_w + 2 * MARGIN > pg->width)
        pg->width = pg->col_w + 2 * MARGIN;
    int ncols = (int)((pg->width - 2 * MARGIN) / pg->col_w);
    if (ncols < 1)
        ncols = 1;
    pg->rows = (p + ncols - 1) / ncols;
    pg->height = pg->legend_top + pg->rows * ROW + MARGIN;
}

/* The SVG header, styles, title and the line of figures. */
static void put_head(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                     const char *title, const page *pg, int has_xy)
{
    char a[32], b2[32], nbuf[32], dbuf[24];
    fmt1(a, pg->width);
    fmt1(b2, pg->height);
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %s %s\" width=\"%s\" height=\"%s\">\n",
            a, b2, a, b2);
    fputs("<title>", fp);
    put_text(fp, title);
    fputs("</title>\n<style>\n", fp);
    for (int c = 0; c < TQO_PALETTE_SIZE; c++)
        fprintf(fp, ".c%d{fill:%s}\n", c, PALETTE[c]);
    fputs(".u{fill:#bbb}\n"
          ".s{stroke:#000;stroke-width:.4}\n"
          "#units path{fill-rule:evenodd}\n"
          ".tb{fill:none;stroke:#222;stroke-width:.9;stroke-linejoin:round}\n"
          ".x{fill:#fff;stroke:#000;stroke-width:1}\n"
          ".bg{fill:#fff}\n"
          "text{font:11px sans-serif;fill:#222}\n"
          ".h{font-size:15px;font-weight:bold}\n"
          "</style>\n",
          fp);
    fputs("<rect class=\"bg\" width=\"100%\" height=\"100%\"/>\n<text class=\"h\" x=\"10\" y=\"22\">", fp);
    put_text(fp, title);
    fprintf(fp, "</text>\n<text x=\"10\" y=\"40\">%d units, %d territories", r->n_units, r->n_territories);
    for (int b = 0; b < r->n_balance; b++) {
        snprintf(dbuf, sizeof dbuf, "%.1f%%", r->max_dev_pct[b]);
        fputs(b ? ", " : "; largest deviation: ", fp);
        put_text(fp, measure_name(inst, s, b, nbuf, sizeof nbuf));
        fprintf(fp, " %s", dbuf);
    }
    if (!has_xy)
        fputs("; no coordinates to draw", fp);
    fputs("</text>\n", fp);
}

/* One unit's polygon (sh) or circle and its tooltip: id (name):
   territory, or shares. */
static void put_unit(FILE *fp, const tqo_instance *inst, const tqo_align_result *r, const view *v,
                     const map_shapes *sh, int i, int g, int name, const char *radius)
{
    int p = r->n_territories;
    char a[32], b2[32];
    int split = r->unit_start[i + 1] - r->unit_start[i] > 1;
    if (sh) {
        fprintf(fp, "<path%s d=\"", split ? " class=\"s\"" : "");
        tqoi_map_shapes_put_path(fp, sh, i, v->ox, v->oy);
        fputs("\"><title>", fp);
    } else {
        fmt1(a, proj_x(v, inst->x[i]));
        fmt1(b2, proj_y(v, inst->y[i]));
        fprintf(fp, "<circle%s cx=\"%s\" cy=\"%s\" r=\"%s\"><title>", split ? " class=\"s\"" : "", a, b2,
                radius);
    }
    put_text(fp, inst->unit_id[i]);
    if (name >= 0 && inst->labels[name].value[i] && inst->labels[name].value[i][0]) {
        fputs(" (", fp);
        put_text(fp, inst->labels[name].value[i]);
        fputc(')', fp);
    }
    fputs(": ", fp);
    if (g == p)
        fputs("no territory", fp);
    if (g < p && !split)
        put_text(fp, r->territory_id[g]);
    for (int e = r->unit_start[i], shown = 0; g < p && split && e < r->unit_start[i + 1]; e++) {
        if (!(r->share[e] > 0) || r->terr[e] < 0 || r->terr[e] >= p)
            continue;
        fputs(shown++ ? ", " : "", fp);
        put_text(fp, r->territory_id[r->terr[e]]);
        fprintf(fp, " %.3g%%", 100 * r->share[e]);
    }
    fputs(sh ? "</title></path>\n" : "</title></circle>\n", fp);
}

/* The units, group by group, the territory outlines when the units are
   polygons (sh), then the centres as stars. */
static void put_map(FILE *fp, const tqo_instance *inst, const tqo_align_result *r, const view *v,
                    const map_shapes *sh, const int *main_t, const int *colour, const int *first, const int *order,
                    double radius, double star)
{
    int p = r->n_territories;
    int name = tqo_instance_label(inst, "name");
    char c2[32];
    fmt1(c2, radius);
    fputs("<g id=\"units\">\n", fp);
    for (int g = 0; g <= p; g++) {
        if (first[g] == first[g + 1])
            continue;
        if (g < p)
            fprintf(fp, "<g class=\"c%d\">\n", colour[g] % TQO_PALETTE_SIZE);
        else
            fputs("<g class=\"u\">\n", fp);
        for (int k = first[g]; k < first[g + 1]; k++)
            put_unit(fp, inst, r, v, sh, order[k], g, name, c2);
        fputs("</g>\n", fp);
    }
    fputs("</g>\n", fp);
    if (sh) {
        fputs("<path id=\"outlines\" class=\"tb\" d=\"", fp);
        tqoi_map_shapes_put_borders(fp, sh, main_t, v->ox, v->oy);
        fputs("\"/>\n", fp);
    }
    fputs("<g id=\"centres\">\n", fp);
    for (int j = 0; r->center_x && r->center_y && j < p; j++) {
        if (!isfinite(r->center_x[j]) || !isfinite(r->center_y[j]))
            continue;
        put_star(fp, proj_x(v, r->center_x[j]), proj_y(v, r->center_y[j]), star);
        fputs(r->fixed_centres ? "<title>home base of " : "<title>centre of ", fp);
        put_text(fp, r->territory_id[j]);
        fputs("</title></path>\n", fp);
    }
    fputs("</g>\n", fp);
}

/* Legend, column by column in territory order. */
static void put_legend(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                       const page *pg, const int *colour, const int *first)
{
    int p = r->n_territories, nb = r->n_balance;
    char a[32], b2[32], c2[32], nbuf[32], tbuf[48], dbuf[24];
    fputs("<g id=\"legend\">\n", fp);
    for (int j = 0; j < p; j++) {
        double x = MARGIN + (j / pg->rows) * pg->col_w, y = pg->legend_top + (j % pg->rows) * ROW;
        fmt1(a, x);
        fmt1(b2, y - 9);
        fmt1(c2, y);
        fprintf(fp, "<rect class=\"c%d\" x=\"%s\" y=\"%s\" width=\"10\" height=\"10\"/>", colour[j] % TQO_PALETTE_SIZE,
                a, b2);
        fmt1(a, x + 14);
        fprintf(fp, "<text x=\"%s\" y=\"%s\">", a, c2);
        put_text(fp, r->territory_id[j]);
        fprintf(fp, ": %d units", r->units_in ? r->units_in[j] : first[j + 1] - first[j]);
        for (int b = 0; b < nb; b++) {
            tqoi_fmt_thousands(tbuf, sizeof tbuf, r->total ? r->total[j * nb + b] : NAN, "-");
            fmt_dev(dbuf, sizeof dbuf, r->dev_pct ? r->dev_pct[j * nb + b] : NAN);
            fputs("; ", fp);
            put_text(fp, measure_name(inst, s, b, nbuf, sizeof nbuf));
            fprintf(fp, " %s (%s)", tbuf, dbuf);
        }
        fputs("</text>\n", fp);
    }
    fputs("</g>\n</svg>\n", fp);
}

tqo_status tqoi_map_svg_write(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s,
                             const tqo_align_result *r, const char *title)
{
    int n = r->n_units, p = r->n_territories;
    int has_xy = inst->coords != TQO_COORDS_NONE && inst->x && inst->y && n > 0;
    int *colour = malloc(((size_t)p + 1) * sizeof *colour);
    int *main_t = malloc(((size_t)n + 1) * sizeof *main_t);
    int *first = calloc((size_t)p + 2, sizeof *first); /* units grouped by main territory */
    int *order = malloc(((size_t)n + 1) * sizeof *order);
    unsigned char *grid = calloc(100 * 100, 1);
    map_shapes sh = {0};
    tqo_status st = TQO_ERR_NOMEM;
    if (!colour || !main_t || !first || !order || !grid || tqoi_territory_colours(inst, r, colour) < 0 ||
        group_units(r, main_t, first, order) != 0 || (has_xy && shapes_load(inst, &sh) != 0))
        goto done;
    view v;
    double map_w, map_h, radius, star;
    view_setup(inst, r, has_xy, sh.n ? &sh : NULL, grid, &v, &map_w, &map_h, &radius, &star);
    if (sh.n && project_shapes(inst, &v, &sh) != 0)
        goto done;
    double pad = star + 2;
    v.ox = MARGIN + pad + (MAP_SIZE - map_w) / 2;
    v.oy = HEADER + pad;
    page pg = {.width = MAP_SIZE + 2 * (MARGIN + pad), .legend_top = v.oy + (has_xy ? map_h : 0) + pad + 20};
    legend_layout(inst, s, r, &pg);
    put_head(fp, inst, s, r, title, &pg, has_xy);
    if (has_xy)
        put_map(fp, inst, r, &v, sh.n ? &sh : NULL, main_t, colour, first, order, radius, star);
    put_legend(fp, inst, s, r, &pg, colour, first);
    st = ferror(fp) ? TQO_ERR_IO : TQO_OK;
done:
    tqoi_map_shapes_free(&sh);
    free(colour);
    free(main_t);
    free(first);
    free(order);
    free(grid);
    return st;
}
