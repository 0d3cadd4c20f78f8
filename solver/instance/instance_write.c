/*
 * Writes an instance as a folder of tqo CSV files through an output set,
 * so that either every file is in place or none is. Numbers are written
 * in the shortest form that reads back to the same double, which keeps
 * the files small, readable and byte-for-byte deterministic.
 */
#include "tqo.h"
#include "instance/gis_voronoi.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Lines are built in memory and written in large blocks: per-field stdio
   calls dominate the time of a 200,000-unit history otherwise. */
typedef struct out_buf {
    FILE *fp;
    char *s;
    size_t n, cap;
    int failed;
} out_buf;

#define FLUSH_AT ((size_t)1 << 20)

static int ob_reserve(out_buf *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : FLUSH_AT + 4096;
    while (cap < b->n + extra)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

static void ob_flush(out_buf *b)
{
    if (b->n && fwrite(b->s, 1, b->n, b->fp) != b->n)
        b->failed = 1;
    b->n = 0;
}

static void ob_bytes(out_buf *b, const char *s, size_t len)
{
    if (ob_reserve(b, len) != 0)
        return;
    memcpy(b->s + b->n, s, len);
    b->n += len;
}

static void ob_char(out_buf *b, char c)
{
    if (ob_reserve(b, 1) == 0)
        b->s[b->n++] = c;
}

/* End of a record: flush when the block is full. */
static void ob_eol(out_buf *b)
{
    ob_char(b, '\n');
    if (b->n >= FLUSH_AT)
        ob_flush(b);
}

/* A text field, quoted by the CSV rules only where it must be: for a
   comma, quote or line break, and for spaces at either end, which readers
   drop from unquoted fields. */
static void ob_field(out_buf *b, const char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    int edge_space = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
    if (!edge_space && !strpbrk(s, ",\"\r\n")) {
        ob_bytes(b, s, len);
        return;
    }
    ob_char(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            ob_char(b, '"');
        ob_char(b, *s);
    }
    ob_char(b, '"');
}

/*
 * The shortest decimal that reads back as v. Most values have few
 * decimals (cents, metres, micro-degrees): for those, the first k in 0..6
 * with round(v * 10^k) / 10^k == v gives the digits exactly, since that
 * division and strtod both round the same rational correctly. Others fall
 * back to the fewest of 15..17 significant digits that round-trip.
 */
static size_t fmt_num(char *buf, double v)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    for (int k = 0; k < 7; k++) {
        double c = round(v * p10[k]);
        if (fabs(c) >= 9007199254740992.0) /* 2^53: no longer exact */
            break;
        if (c / p10[k] != v)
            continue;
        char tmp[32];
        size_t len = 0;
        uint64_t u = (uint64_t)fabs(c);
        int nd = 0;
        do { /* digits in reverse, with the decimal point after k of them */
            tmp[len++] = (char)('0' + u % 10);
            u /= 10;
            if (++nd == k)
                tmp[len++] = '.';
        } while (u > 0 || nd <= k);
        size_t out = 0;
        if (c < 0)
            buf[out++] = '-';
        while (len > 0)
            buf[out++] = tmp[--len];
        if (k == 0 && buf[out - 1] == '.')
            out--;
        buf[out] = '\0';
        return out;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return strlen(buf);
}

static void ob_num(out_buf *b, double v)
{
    char buf[40];
    size_t len = fmt_num(buf, v);
    ob_bytes(b, buf, len);
}

/* Starts a file of the output set; on failure notes it in diag. */
static int ob_open(out_buf *b, tqo_outset *o, const char *dir, const char *name, tqo_diag *diag)
{
    memset(b, 0, sizeof *b);
    b->fp = tqo_outset_open(o, name);
    if (!b->fp) {
        tqo_diag_error(diag, "%s/%s: cannot create", dir, name);
        return -1;
    }
    return 0;
}

/* Writes out what is left; the FILE itself is closed by the output set. */
static int ob_close(out_buf *b, const char *dir, const char *name, tqo_diag *diag)
{
    ob_flush(b);
    free(b->s);
    b->s = NULL;
    if (b->failed || ferror(b->fp)) {
        tqo_diag_error(diag, "%s/%s: write failed", dir, name);
        return -1;
    }
    return 0;
}

static const char *territory_name(const tqo_instance *inst, int t)
{
    return t >= 0 && t < inst->n_territories ? inst->territory_id[t] : NULL;
}

static int write_units(const tqo_instance *inst, out_buf *b)
{
    const char *cx = inst->coords == TQO_COORDS_LATLON ? "lat" : "x";
    const char *cy = inst->coords == TQO_COORDS_LATLON ? "lon" : "y";
    int has_coords = inst->coords != TQO_COORDS_NONE && inst->x && inst->y;
    int latlon = inst->coords == TQO_COORDS_LATLON;

    ob_field(b, "unit_id");
    if (has_coords) {
        ob_char(b, ',');
        ob_field(b, cx);
        ob_char(b, ',');
        ob_field(b, cy);
    }
    for (int m = 0; m < inst->n_measures; m++) {
        ob_char(b, ',');
        ob_field(b, inst->measures[m].name);
    }
    for (int l = 0; l < inst->n_labels; l++) {
        ob_char(b, ',');
        ob_field(b, inst->labels[l].name);
    }
    if (inst->current)
        ob_bytes(b, ",current", 8);
    ob_eol(b);

    for (int i = 0; i < inst->n_units; i++) {
        ob_field(b, inst->unit_id[i]);
        if (has_coords) {
            /* lat,lon is the usual order; y holds the latitude. */
            ob_char(b, ',');
            ob_num(b, latlon ? inst->y[i] : inst->x[i]);
            ob_char(b, ',');
            ob_num(b, latlon ? inst->x[i] : inst->y[i]);
        }
        for (int m = 0; m < inst->n_measures; m++) {
            ob_char(b, ',');
            ob_num(b, inst->measures[m].value[i]);
        }
        for (int l = 0; l < inst->n_labels; l++) {
            ob_char(b, ',');
            ob_field(b, inst->labels[l].value[i]);
        }
        if (inst->current) {
            ob_char(b, ',');
            ob_field(b, territory_name(inst, inst->current[i]));
        }
        ob_eol(b);
    }
    return b->failed ? -1 : 0;
}

static int any_not_one(const double *v, int n)
{
    for (int i = 0; v && i < n; i++)
        if (v[i] != 1.0)
            return 1;
    return 0;
}

static int write_territories(const tqo_instance *inst, out_buf *b)
{
    int p = inst->n_territories;
    int latlon = inst->coords == TQO_COORDS_LATLON;
    int homes = inst->n_homes > 0 && inst->home_x && inst->home_y;
    int ramp = any_not_one(inst->ramp, p);

    ob_field(b, "territory_id");
    if (homes)
        ob_bytes(b, latlon ? ",lat,lon" : ",x,y", latlon ? 8 : 4);
    ob_bytes(b, ",capacity", 9);
    if (ramp)
        ob_bytes(b, ",ramp", 5);
    if (inst->region)
        ob_bytes(b, ",region", 7);
    if (inst->rep)
        ob_bytes(b, ",rep", 4);
    for (int l = 0; l < inst->n_territory_labels; l++) {
        ob_char(b, ',');
        ob_field(b, inst->territory_labels[l].name);
    }
    ob_eol(b);

    for (int t = 0; t < p; t++) {
        ob_field(b, inst->territory_id[t]);
        if (homes) {
            ob_char(b, ',');
            ob_num(b, latlon ? inst->home_y[t] : inst->home_x[t]); /* NAN: empty */
            ob_char(b, ',');
            ob_num(b, latlon ? inst->home_x[t] : inst->home_y[t]);
        }
        ob_char(b, ',');
        ob_num(b, inst->capacity ? inst->capacity[t] : 1.0);
        if (ramp) {
            ob_char(b, ',');
            ob_num(b, inst->ramp[t]);
        }
        if (inst->region) {
            ob_char(b, ',');
            ob_field(b, inst->region[t]);
        }
        if (inst->rep) {
            ob_char(b, ',');
            ob_field(b, inst->rep[t]);
        }
        for (int l = 0; l < inst->n_territory_labels; l++) {
            ob_char(b, ',');
            ob_field(b, inst->territory_labels[l].value[t]);
        }
        ob_eol(b);
    }
    return b->failed ? -1 : 0;
}

static int write_adjacency(const tqo_instance *inst, out_buf *b)
{
    ob_bytes(b, "unit_a,unit_b", 13);
    ob_eol(b);
    for (int e = 0; e < inst->n_edges; e++) {
        ob_field(b, inst->unit_id[inst->edge_u[e]]);
        ob_char(b, ',');
        ob_field(b, inst->unit_id[inst->edge_v[e]]);
        ob_eol(b);
    }
    return b->failed ? -1 : 0;
}

static int write_locks(const tqo_instance *inst, out_buf *b)
{
    ob_bytes(b, "unit_id,territory_id", 20);
    ob_eol(b);
    for (int i = 0; i < inst->n_units; i++) {
        if (inst->lock[i] < 0)
            continue;
        ob_field(b, inst->unit_id[i]);
        ob_char(b, ',');
        ob_field(b, territory_name(inst, inst->lock[i]));
        ob_eol(b);
    }
    return b->failed ? -1 : 0;
}

static int period_is_empty(const tqo_instance *inst, int t)
{
    for (int i = 0; i < inst->n_units; i++)
        for (int v = 0; v < inst->n_history_values; v++)
            if (inst->history[v][(size_t)i * inst->n_periods + t] != 0.0)
                return 0;
    return 1;
}

/* Long format, a row only where some value is not zero (a missing row
   reads as zero), by unit and then period. The span of periods is that
   of the rows, so a first or last period without any sale gets an
   explicit zero row for the first unit to keep it. */
static int write_history(const tqo_instance *inst, out_buf *b)
{
    int np = inst->n_periods, nv = inst->n_history_values;
    char (*label)[16] = malloc((size_t)np * sizeof *label);
    if (!label)
        return -1;
    for (int t = 0; t < np; t++)
        tqo_period_format(inst->period_kind, inst->period_first + t, label[t], sizeof label[t]);
    int keep_first = period_is_empty(inst, 0), keep_last = np > 1 && period_is_empty(inst, np - 1);

    ob_bytes(b, "unit_id,period", 14);
    for (int v = 0; v < nv; v++) {
        ob_char(b, ',');
        ob_field(b, inst->history_value_name[v]);
    }
    ob_eol(b);
    for (int i = 0; i < inst->n_units; i++) {
        const char *id = inst->unit_id[i];
        for (int t = 0; t < np; t++) {
            size_t at = (size_t)i * np + t;
            int nonzero = 0;
            for (int v = 0; v < nv; v++)
                nonzero |= inst->history[v][at] != 0.0;
            if (i == 0 && ((t == 0 && keep_first) || (t == np - 1 && keep_last)))
                nonzero = 1;
            if (!nonzero)
                continue;
            ob_field(b, id);
            ob_char(b, ',');
            ob_bytes(b, label[t], strlen(label[t]));
            for (int v = 0; v < nv; v++) {
                ob_char(b, ',');
                ob_num(b, inst->history[v][at]);
            }
            ob_eol(b);
        }
    }
    free(label);
    return b->failed ? -1 : 0;
}

/* The unit polygons (generate --boundaries) as GeoJSON. */
static int write_boundaries(const tqo_instance *inst, out_buf *b)
{
    char *text = NULL;
    size_t len = 0;
    if (tqoi_gis_boundaries_geojson(inst, &text, &len) != TQO_OK)
        return -1;
    ob_bytes(b, text, len);
    free(text);
    return b->failed ? -1 : 0;
}

typedef int (*write_fn)(const tqo_instance *inst, out_buf *b);

tqo_status tqo_instance_write(const tqo_instance *inst, const char *dir, tqo_diag *diag)
{
    struct {
        const char *name;
        write_fn fn;
        int wanted;
    } files[] = {
        {"units.csv", write_units, 1},
        {"territories.csv", write_territories, inst->n_territories > 0},
        {"adjacency.csv", write_adjacency, inst->has_adjacency && inst->edge_u},
        {"locks.csv", write_locks, inst->lock != NULL},
        {"history.csv", write_history,
         inst->n_history_values > 0 && inst->n_periods > 0 && inst->history},
        {"boundaries.geojson", write_boundaries, inst->geometry != NULL},
    };
    const int n_files = (int)(sizeof files / sizeof files[0]);

    tqo_outset *o = tqo_outset_new(dir);
    if (!o) {
        tqo_diag_error(diag, "%s: out of memory", dir);
        return TQO_ERR_NOMEM;
    }
    for (int f = 0; f < n_files; f++) {
        if (!files[f].wanted)
            continue;
        out_buf b;
        if (ob_open(&b, o, dir, files[f].name, diag) != 0) {
            tqo_outset_abort(o);
            return TQO_ERR_IO;
        }
        int rc = files[f].fn(inst, &b);
        if (ob_close(&b, dir, files[f].name, diag) != 0 || rc != 0) {
            if (rc != 0 && !b.failed)
                tqo_diag_error(diag, "%s/%s: out of memory", dir, files[f].name);
            tqo_outset_abort(o);
            return rc != 0 && !b.failed ? TQO_ERR_NOMEM : TQO_ERR_IO;
        }
    }
    tqo_status st = tqo_outset_commit(o, diag);
    if (st != TQO_OK)
        return st;
    /* Files of an earlier instance that this one has no data for would
       make the folder read back as something else: remove them. */
    for (int f = 0; f < n_files; f++) {
        if (files[f].wanted)
            continue;
        size_t len = strlen(dir) + strlen(files[f].name) + 2;
        char *path = malloc(len);
        if (!path)
            continue;
        snprintf(path, len, "%s/%s", dir, files[f].name);
        remove(path);
        free(path);
    }
    return TQO_OK;
}
