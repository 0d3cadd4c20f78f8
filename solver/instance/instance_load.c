/*
 * Loading an instance folder: units.csv, then territories.csv,
 * adjacency.csv, locks.csv and history.csv where present. Every check names
 * the file, line and column; errors are collected (a few per file, then a
 * count) so that one run shows what is wrong, and nothing is returned
 * unless the whole instance is valid.
 */
#include "instance/assignment_load.h"
#include "util/csv_reader.h"
#include "instance/instance_commdis.h"
#include "instance/delaunay.h"
#include "instance/gis.h"
#include "util/path.h"
#include "util/strmap.h"
#include "tqo.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Cells of history kept dense; beyond this the periods span is unreasonable. */
#define MAX_HISTORY_CELLS 400000000L

void tqo_load_settings_default(tqo_load_settings *s)
{
    memset(s, 0, sizeof *s);
    s->format = TQO_FORMAT_AUTO;
}

const char *tqo_format_name(tqo_format f)
{
    return f == TQO_FORMAT_COMMDIS ? "commdis" : f == TQO_FORMAT_TQO ? "tqo" : f == TQO_FORMAT_GIS ? "gis" : "auto";
}

int tqo_format_parse(const char *s, tqo_format *f)
{
    static const tqo_format all[] = {TQO_FORMAT_AUTO, TQO_FORMAT_TQO, TQO_FORMAT_COMMDIS, TQO_FORMAT_GIS};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++)
        if (strcasecmp(s, tqo_format_name(all[k])) == 0) {
            *f = all[k];
            return 1;
        }
    return 0;
}


static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Finds the first of several accepted names for a column. */
static int col_any(const csv_file *f, const char *const *names)
{
    for (; *names; names++) {
        int c = tqoi_csv_col(f, *names);
        if (c >= 0)
            return c;
    }
    return -1;
}

static const char *const LAT_NAMES[] = {"lat", "latitude", NULL};
static const char *const LON_NAMES[] = {"lon", "lng", "long", "longitude", NULL};
static const char *const X_NAMES[] = {"x", NULL};
static const char *const Y_NAMES[] = {"y", NULL};

/* "0123" is a code, not a number: such columns stay labels. */
static int looks_like_code(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '+' || *s == '-')
        s++;
    return s[0] == '0' && isdigit((unsigned char)s[1]);
}

/* ------------------------------------------------------------------ */
/* A table of raw rows, for files whose columns are typed after reading:
   the rows of a large file come in parts read at once on the loader's
   threads (the parts follow each other in the file). */

typedef struct table_part {
    int n_cols;
    int n_rows, cap_rows;
    long *line;         /* counted from the part's start: plus line_base */
    size_t *off;        /* n_rows * n_cols offsets into text */
    char *text;
    size_t text_len, text_cap;
} table_part;

#define TABLE_PARTS_MAX 16

typedef struct table {
    int n_cols, n_rows, n_parts;
    table_part part[TABLE_PARTS_MAX];
    int row0[TABLE_PARTS_MAX + 1]; /* part k holds rows row0[k] .. row0[k + 1] - 1 */
    long line_base[TABLE_PARTS_MAX];
} table;

static void table_free(table *t)
{
    for (int k = 0; k < TABLE_PARTS_MAX; k++) {
        free(t->part[k].line);
        free(t->part[k].off);
        free(t->part[k].text);
    }
    memset(t, 0, sizeof *t);
}

/* The part that holds row (a few parts: a scan). */
static const table_part *row_part(const table *t, int *row, long *base)
{
    int k = 0;
    while (k + 1 < t->n_parts && *row >= t->row0[k + 1])
        k++;
    *row -= t->row0[k];
    *base = t->line_base[k];
    return &t->part[k];
}

static const char *cell(const table *t, int row, int col)
{
    long base;
    const table_part *p = row_part(t, &row, &base);
    return p->text + p->off[(size_t)row * (size_t)t->n_cols + (size_t)col];
}

/* The file line of a row. */
static long row_line(const table *t, int row)
{
    long base;
    const table_part *p = row_part(t, &row, &base);
    return p->line[row] + base;
}

/* p reallocated to bytes; on failure (or after an earlier one: *fail set)
   p itself, kept, with *fail set. One failure check for parallel arrays. */
static void *regrow(void *p, size_t bytes, int *fail)
{
    void *q = *fail ? NULL : realloc(p, bytes);
    if (!q)
        *fail = 1;
    return q ? q : p;
}

static int table_row(void *ctx, csv_file *f, const csv_row *row)
{
    table_part *t = ctx;
    t->n_cols = f->n_cols;
    if (t->n_rows == t->cap_rows) {
        int cap = t->cap_rows ? 2 * t->cap_rows : 1024;
        long *l = realloc(t->line, (size_t)cap * sizeof *l);
        if (!l)
            goto nomem;
        t->line = l;
        size_t *o = realloc(t->off, (size_t)cap * (size_t)t->n_cols * sizeof *o);
        if (!o)
            goto nomem;
        t->off = o;
        t->cap_rows = cap;
    }
    size_t need = 0;
    for (int i = 0; i < row->n; i++)
        need += row->len[i] + 1;
    if (t->text_len + need > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap : 1 << 16;
        while (cap < t->text_len + need)
            cap *= 2;
        char *s = realloc(t->text, cap);
        if (!s)
            goto nomem;
        t->text = s;
        t->text_cap = cap;
    }
    for (int i = 0; i < row->n; i++) {
        t->off[(size_t)t->n_rows * (size_t)t->n_cols + (size_t)i] = t->text_len;
        memcpy(t->text + t->text_len, row->field[i], row->len[i] + 1);
        t->text_len += row->len[i] + 1;
    }
    t->line[t->n_rows++] = row->line;
    return 0;
nomem:
    tqoi_csv_file_error(f, row->line, NULL, "out of memory");
    return 1;
}

/* ------------------------------------------------------------------ */
/* Coordinates                                                         */

typedef struct coord_cols {
    tqo_coords kind;
    int cx, cy;   /* columns of x/lon and y/lat, or -1 */
} coord_cols;

/* Finds x,y or lat,lon among the columns; reports half pairs and both. */
static int find_coords(csv_file *f, coord_cols *cc)
{
    int lat = col_any(f, LAT_NAMES), lon = col_any(f, LON_NAMES);
    int x = col_any(f, X_NAMES), y = col_any(f, Y_NAMES);
    cc->kind = TQO_COORDS_NONE;
    cc->cx = cc->cy = -1;
    if ((lat >= 0) != (lon >= 0)) {
        tqoi_csv_file_error(f, 1, lat >= 0 ? f->cols[lat] : f->cols[lon], "has no partner column ('%s' needs '%s')",
                       lat >= 0 ? f->cols[lat] : f->cols[lon], lat >= 0 ? "lon" : "lat");
        return -1;
    }
    if ((x >= 0) != (y >= 0)) {
        tqoi_csv_file_error(f, 1, x >= 0 ? "x" : "y", "has no partner column ('%s' needs '%s')",
                       x >= 0 ? "x" : "y", x >= 0 ? "y" : "x");
        return -1;
    }
    if (lat >= 0 && x >= 0) {
        tqoi_csv_file_error(f, 1, NULL, "both x,y and lat,lon columns: keep one pair of coordinates");
        return -1;
    }
    if (lat >= 0) {
        cc->kind = TQO_COORDS_LATLON;
        cc->cx = lon;
        cc->cy = lat;
    } else if (x >= 0) {
        cc->kind = TQO_COORDS_XY;
        cc->cx = x;
        cc->cy = y;
    }
    return 0;
}

/* Parses a finite number, or says why the cell holds none (if_empty for
   an empty one); 0 ok. */
static int parse_finite(csv_file *f, long line, const char *col, const char *s, const char *if_empty, double *out)
{
    int r = tqoi_csv_parse_number(s, out);
    if (r == 1) {
        if (!*s)
            tqoi_csv_file_error(f, line, col, "%s", if_empty);
        else
            tqoi_csv_file_error(f, line, col, "'%s' is not a number", s);
        return -1;
    }
    if (r == 2) {
        tqoi_csv_file_error(f, line, col, "'%s' is not a finite number", s);
        return -1;
    }
    return 0;
}

/* Parses one coordinate value; 0 ok. is_lat/is_lon select range checks. */
static int parse_coord(csv_file *f, long line, const char *col, const char *s, tqo_coords kind, int is_y,
                       double *out)
{
    if (parse_finite(f, line, col, s, "empty value (a coordinate is needed)", out) != 0)
        return -1;
    if (kind == TQO_COORDS_LATLON) {
        double lim = is_y ? 90.0 : 180.0;
        if (*out < -lim || *out > lim) {
            tqoi_csv_file_error(f, line, col, "%s is out of range [%g, %g]", s, -lim, lim);
            return -1;
        }
    }
    return 0;
}

/* Parses a non-negative finite measure; 0 ok. */
static int parse_measure(csv_file *f, long line, const char *col, const char *s, double *out)
{
    if (parse_finite(f, line, col, s, "empty value (write 0 for none)", out) != 0)
        return -1;
    if (*out < 0) {
        tqoi_csv_file_error(f, line, col, "'%s' is negative", s);
        return -1;
    }
    if (*out == 0)
        *out = 0; /* no negative zero in output */
    return 0;
}

/* ------------------------------------------------------------------ */
/* units.csv                                                           */

typedef struct loader {
    tqo_instance *inst;
    tqo_diag *diag;
    const tqo_load_settings *s;
    const char *dir;
    strmap units;          /* unit id -> index */
    strmap terrs;          /* territory id -> index */
    int terr_cap;
    char **current_raw;    /* 'current' strings until territories are known */
    long *unit_line;
    char *units_path;
    int territories_ok;
} loader;

static int add_territory(loader *L, const char *id)
{
    tqo_instance *inst = L->inst;
    if (inst->n_territories == L->terr_cap) {
        int cap = L->terr_cap ? 2 * L->terr_cap : 16;
        char **t = realloc(inst->territory_id, (size_t)cap * sizeof *t);
        if (!t)
            return -1;
        inst->territory_id = t;
        L->terr_cap = cap;
    }
    inst->territory_id[inst->n_territories] = strdup(id);
    if (!inst->territory_id[inst->n_territories])
        return -1;
    if (tqoi_strmap_put(&L->terrs, inst->territory_id[inst->n_territories], inst->n_territories) == -2)
        return -1;
    return inst->n_territories++;
}

/* Reads a whole CSV file into t, in parts on nth threads when it is large
   (see tqoi_csv_read_parts: any error, or a quote, reads it again in one
   part, which tells the errors), and finds its id column (*cid) and its
   coordinate columns. */
static tqo_status read_table(csv_file *f, table *t, const char *id_col, int *cid, coord_cols *cc, int nth)
{
    memset(t, 0, sizeof *t);
    int n = nth > TABLE_PARTS_MAX ? TABLE_PARTS_MAX : nth;
    void *ctx[TABLE_PARTS_MAX];
    for (int k = 0; k < n; k++)
        ctx[k] = &t->part[k];
    t->n_parts = n > 1 ? tqoi_csv_read_parts(f, n, table_row, ctx, t->line_base) : 0;
    tqo_status st = TQO_OK;
    if (t->n_parts != n) {
        table_free(t);
        t->n_parts = 1;
        st = tqoi_csv_read(f, table_row, &t->part[0]);
    }
    for (int k = 0; k < t->n_parts; k++)
        t->row0[k + 1] = t->row0[k] + t->part[k].n_rows;
    t->n_rows = t->row0[t->n_parts];
    t->n_cols = f->n_cols;
    if (st != TQO_OK)
        return st;
    *cid = tqoi_csv_col(f, id_col);
    if (*cid < 0) {
        tqoi_csv_file_error(f, 1, id_col, "missing from the header");
        return TQO_ERR_INPUT;
    }
    if (find_coords(f, cc) != 0)
        return TQO_ERR_INPUT;
    return TQO_OK;
}

/* Column c of t's n rows as a text label. Nonzero when out of memory
   (what was allocated stays in l, for the instance's free). */
static int copy_label(tqo_label *l, const char *name, const table *t, int c, int n)
{
    l->name = strdup(name);
    l->value = calloc((size_t)n, sizeof(char *));
    if (!l->name || !l->value)
        return -1;
    for (int i = 0; i < n; i++)
        if (!(l->value[i] = strdup(cell(t, i, c))))
            return -1;
    return 0;
}

static tqo_status load_nomem(csv_file *f)
{
    tqoi_csv_file_error(f, 0, NULL, "out of memory");
    return TQO_ERR_NOMEM;
}

/* Closes a file read into a table: its errors told, both freed. */
static tqo_status table_done(csv_file *f, table *t, tqo_status st)
{
    tqoi_csv_file_finish(f);
    tqoi_csv_file_free(f);
    table_free(t);
    return st;
}

/* The ids of units.csv's rows, their lines and the id map; -1 when out
   of memory. */
static int units_ids(loader *L, csv_file *f, const table *t, int cid)
{
    tqo_instance *inst = L->inst;
    int n = t->n_rows;
    inst->unit_id = calloc((size_t)n, sizeof *inst->unit_id);
    L->unit_line = malloc((size_t)n * sizeof *L->unit_line);
    if (!inst->unit_id || !L->unit_line || tqoi_strmap_init(&L->units, (size_t)n) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        L->unit_line[i] = row_line(t, i);
    for (int i = 0; i < n; i++) {
        const char *id = cell(t, i, cid);
        inst->unit_id[i] = strdup(id);
        if (!inst->unit_id[i])
            return -1;
        if (!*id) {
            tqoi_csv_file_error(f, L->unit_line[i], "unit_id", "empty id");
            continue;
        }
        int prev = tqoi_strmap_put(&L->units, inst->unit_id[i], i);
        if (prev == -2)
            return -1;
        if (prev >= 0)
            tqoi_csv_file_error(f, L->unit_line[i], "unit_id", "duplicate id '%s' (first on line %ld)", id,
                                L->unit_line[prev]);
    }
    return 0;
}

/* Every other column of units.csv: the coordinates, 'current' and the
   measures and labels; -1 when out of memory. */
static int units_columns(loader *L, csv_file *f, const table *t, int cid, const coord_cols *cc, int ccur)
{
    tqo_instance *inst = L->inst;
    int n = t->n_rows;
    if (cc->kind != TQO_COORDS_NONE) {
        inst->x = malloc((size_t)n * sizeof(double));
        inst->y = malloc((size_t)n * sizeof(double));
        if (!inst->x || !inst->y)
            return -1;
        for (int i = 0; i < n; i++) {
            long line = row_line(t, i);
            parse_coord(f, line, f->cols[cc->cy], cell(t, i, cc->cy), cc->kind, 1, &inst->y[i]);
            parse_coord(f, line, f->cols[cc->cx], cell(t, i, cc->cx), cc->kind, 0, &inst->x[i]);
        }
    }
    if (ccur >= 0) {
        L->current_raw = calloc((size_t)n, sizeof *L->current_raw);
        if (!L->current_raw)
            return -1;
        for (int i = 0; i < n; i++)
            if (!(L->current_raw[i] = strdup(cell(t, i, ccur))))
                return -1;
    }
    /* Every other column is a measure when it is mostly numbers and holds
       no zero-padded codes, else a label kept as text. */
    inst->measures = calloc((size_t)f->n_cols, sizeof *inst->measures);
    inst->labels = calloc((size_t)f->n_cols, sizeof *inst->labels);
    if (!inst->measures || !inst->labels)
        return -1;
    for (int c = 0; c < f->n_cols; c++) {
        if (c == cid || c == cc->cx || c == cc->cy || c == ccur)
            continue;
        int numeric = 0, nonempty = 0, code = 0;
        for (int i = 0; i < n; i++) {
            const char *s = cell(t, i, c);
            if (!*s)
                continue;
            nonempty++;
            double v;
            if (tqoi_csv_parse_number(s, &v) != 1)
                numeric++;
            if (looks_like_code(s))
                code = 1;
        }
        if (!code && nonempty > 0 && 2 * numeric > nonempty) {
            tqo_measure *m = &inst->measures[inst->n_measures++];
            m->name = strdup(f->cols[c]);
            m->value = malloc((size_t)n * sizeof(double));
            if (!m->name || !m->value)
                return -1;
            for (int i = 0; i < n; i++)
                if (parse_measure(f, row_line(t, i), f->cols[c], cell(t, i, c), &m->value[i]) != 0)
                    m->value[i] = 0;
        } else {
            if (copy_label(&inst->labels[inst->n_labels++], f->cols[c], t, c, n) != 0)
                return -1;
        }
    }
    return 0;
}

/* The ids, and at the same time on a second thread the other columns
   (serial, they were a third of a sweep's serial loading). The columns'
   errors are kept apart, then told after the ids' as one thread tells
   them (the file's cap on kept messages applied to the whole). */
static int units_split(loader *L, csv_file *f, const table *t, int cid, const coord_cols *cc, int ccur, int nth)
{
    tqo_diag d;
    tqo_diag_init(&d);
    csv_file g = *f; /* the header shared, read only */
    g.diag = &d;
    g.n_errors = 0;
    int bad_ids = 0, bad_cols = 0;
#pragma omp parallel sections num_threads(nth > 1 ? 2 : 1)
    {
#pragma omp section
        bad_ids = units_ids(L, f, t, cid);
#pragma omp section
        bad_cols = units_columns(L, &g, t, cid, cc, ccur);
    }
    for (int k = 0; k < g.n_errors && !bad_ids && !bad_cols; k++) {
        if (++f->n_errors > TQO_DIAG_KEEP_PER_FILE || k >= d.n_msgs)
            f->diag->n_errors++; /* counted, not kept (as tqoi_csv_file_error) */
        else
            tqo_diag_error(f->diag, "%s", d.msgs[k]);
    }
    tqo_diag_free(&d);
    return bad_ids || bad_cols ? -1 : 0;
}

static tqo_status load_units(loader *L)
{
    tqo_instance *inst = L->inst;
    csv_file f;
    L->units_path = tqoi_path_join(L->dir, "units.csv");
    if (!L->units_path)
        return TQO_ERR_NOMEM;
    tqoi_csv_file_init(&f, L->units_path, L->diag);
    table t;
    int cid;
    coord_cols cc;
    int nth = L->s->threads > 0 ? L->s->threads : omp_get_max_threads();
    tqo_status st = read_table(&f, &t, "unit_id", &cid, &cc, nth);
    if (st != TQO_OK)
        goto done;
    int ccur = tqoi_csv_col(&f, "current");
    if (t.n_rows == 0) {
        tqoi_csv_file_error(&f, 0, NULL, "has a header but no units");
        st = TQO_ERR_INPUT;
        goto done;
    }
    inst->n_units = t.n_rows;
    inst->coords = cc.kind;
    if (units_split(L, &f, &t, cid, &cc, ccur, nth) != 0)
        st = load_nomem(&f);
    else
        st = f.n_errors ? TQO_ERR_INPUT : TQO_OK;
done:
    return table_done(&f, &t, st);
}

/* ------------------------------------------------------------------ */
/* territories.csv                                                     */

static tqo_status load_territories(loader *L, const char *path)
{
    tqo_instance *inst = L->inst;
    csv_file f;
    tqoi_csv_file_init(&f, path, L->diag);
    table t;
    int cid;
    coord_cols cc;
    tqo_status st = read_table(&f, &t, "territory_id", &cid, &cc, 1);
    if (st != TQO_OK)
        goto done;
    if (cc.kind != TQO_COORDS_NONE && cc.kind != inst->coords) {
        const char *have = cc.kind == TQO_COORDS_XY ? "x,y" : "lat,lon";
        if (inst->coords == TQO_COORDS_NONE)
            tqoi_csv_file_error(&f, 1, NULL, "home bases in %s, but units.csv has no coordinates", have);
        else
            tqoi_csv_file_error(&f, 1, NULL, "home bases in %s, but units.csv uses %s", have,
                           inst->coords == TQO_COORDS_XY ? "x,y" : "lat,lon");
        st = TQO_ERR_INPUT;
        goto done;
    }
    int ccap = tqoi_csv_col(&f, "capacity"), cramp = tqoi_csv_col(&f, "ramp");
    int creg = tqoi_csv_col(&f, "region"), crep = tqoi_csv_col(&f, "rep");
    int n = t.n_rows;
    if (n == 0) {
        tqoi_csv_file_error(&f, 0, NULL, "has a header but no territories");
        st = TQO_ERR_INPUT;
        goto done;
    }
    inst->has_territories_file = 1;
    inst->home_x = malloc((size_t)n * sizeof(double));
    inst->home_y = malloc((size_t)n * sizeof(double));
    inst->capacity = malloc((size_t)n * sizeof(double));
    inst->ramp = malloc((size_t)n * sizeof(double));
    if (creg >= 0 && !(inst->region = calloc((size_t)n, sizeof(char *))))
        goto nomem;
    if (crep >= 0 && !(inst->rep = calloc((size_t)n, sizeof(char *))))
        goto nomem;
    if (!inst->home_x || !inst->home_y || !inst->capacity || !inst->ramp)
        goto nomem;
    for (int i = 0; i < n; i++) {
        long line = row_line(&t, i);
        const char *id = cell(&t, i, cid);
        if (!*id) {
            tqoi_csv_file_error(&f, line, "territory_id", "empty id");
            continue;
        }
        int prev = tqoi_strmap_get(&L->terrs, id);
        if (prev >= 0) {
            tqoi_csv_file_error(&f, line, "territory_id", "duplicate id '%s' (first on line %ld)", id, row_line(&t, prev));
            continue;
        }
        int k = add_territory(L, id);
        if (k < 0)
            goto nomem;
        inst->home_x[k] = inst->home_y[k] = NAN;
        inst->capacity[k] = 1.0;
        inst->ramp[k] = 1.0;
        if (cc.kind != TQO_COORDS_NONE) {
            const char *sx = cell(&t, i, cc.cx), *sy = cell(&t, i, cc.cy);
            if (*sx || *sy) { /* both empty: no home base for this territory */
                int bad = parse_coord(&f, line, f.cols[cc.cy], sy, cc.kind, 1, &inst->home_y[k]);
                bad |= parse_coord(&f, line, f.cols[cc.cx], sx, cc.kind, 0, &inst->home_x[k]);
                if (bad)
                    inst->home_x[k] = inst->home_y[k] = NAN;
                else
                    inst->n_homes++;
            }
        }
        if (ccap >= 0 && *cell(&t, i, ccap)) {
            double v;
            if (parse_measure(&f, line, "capacity", cell(&t, i, ccap), &v) == 0) {
                if (v <= 0)
                    tqoi_csv_file_error(&f, line, "capacity", "'%s' must be positive", cell(&t, i, ccap));
                else
                    inst->capacity[k] = v;
            }
        }
        if (cramp >= 0 && *cell(&t, i, cramp)) {
            double v;
            if (parse_measure(&f, line, "ramp", cell(&t, i, cramp), &v) == 0) {
                if (v > 1)
                    tqoi_csv_file_error(&f, line, "ramp", "'%s' is out of range [0, 1]", cell(&t, i, cramp));
                else
                    inst->ramp[k] = v;
            }
        }
        if (creg >= 0 && !(inst->region[k] = strdup(cell(&t, i, creg))))
            goto nomem;
        if (crep >= 0 && !(inst->rep[k] = strdup(cell(&t, i, crep))))
            goto nomem;
    }
    /* Other columns are kept as text labels of the territory. */
    int nl = 0;
    for (int c = 0; c < f.n_cols; c++)
        nl += !(c == cid || c == cc.cx || c == cc.cy || c == ccap || c == cramp || c == creg || c == crep);
    if (nl && f.n_errors == 0) {
        inst->territory_labels = calloc((size_t)nl, sizeof *inst->territory_labels);
        if (!inst->territory_labels)
            goto nomem;
        for (int c = 0; c < f.n_cols; c++) {
            if (c == cid || c == cc.cx || c == cc.cy || c == ccap || c == cramp || c == creg || c == crep)
                continue;
            if (copy_label(&inst->territory_labels[inst->n_territory_labels++], f.cols[c], &t, c, n) != 0)
                goto nomem;
        }
    }
    st = f.n_errors ? TQO_ERR_INPUT : TQO_OK;
    goto done;
nomem:
    st = load_nomem(&f);
done:
    return table_done(&f, &t, st);
}

/* Resolves 'current' to territory indices. Without territories.csv the
   territories are the distinct values in order of first appearance. */
static tqo_status resolve_current(loader *L)
{
    tqo_instance *inst = L->inst;
    if (!L->current_raw)
        return TQO_OK;
    csv_file f;
    tqoi_csv_file_init(&f, L->units_path, L->diag);
    inst->current = malloc((size_t)inst->n_units * sizeof(int));
    if (!inst->current)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < inst->n_units; i++) {
        const char *s = L->current_raw[i];
        int k = -1;
        if (*s) {
            k = tqoi_strmap_get(&L->terrs, s);
            if (k < 0 && !inst->has_territories_file) {
                k = add_territory(L, s);
                if (k < 0)
                    return TQO_ERR_NOMEM;
            } else if (k < 0) {
                tqoi_csv_file_error(&f, L->unit_line[i], "current", "unknown territory '%s' (not in territories.csv)",
                               s);
            }
        }
        inst->current[i] = k;
    }
    tqoi_csv_file_finish(&f);
    return f.n_errors ? TQO_ERR_INPUT : TQO_OK;
}

/* ------------------------------------------------------------------ */
/* adjacency.csv                                                       */

typedef struct edge_acc {
    loader *L;
    int n, cap;
    int *u, *v;
    long *line;
    int ca, cb;
    int last_a;
} edge_acc;

static int edge_row(void *ctx, csv_file *f, const csv_row *row)
{
    edge_acc *E = ctx;
    if (E->ca < 0) {
        E->ca = tqoi_csv_col(f, "unit_a");
        E->cb = tqoi_csv_col(f, "unit_b");
        if (E->ca < 0 || E->cb < 0) {
            tqoi_csv_file_error(f, 1, E->ca < 0 ? "unit_a" : "unit_b", "missing from the header (expected unit_a,unit_b)");
            return 1;
        }
    }
    const char *a = row->field[E->ca], *b = row->field[E->cb];
    int ua = E->last_a >= 0 && strcmp(E->L->inst->unit_id[E->last_a], a) == 0 ? E->last_a
                                                                           : tqoi_strmap_get(&E->L->units, a);
    int ub = tqoi_strmap_get(&E->L->units, b);
    E->last_a = ua;
    if (ua < 0)
        tqoi_csv_file_error(f, row->line, f->cols[E->ca], "unknown unit '%s' (not in units.csv)", a);
    if (ub < 0)
        tqoi_csv_file_error(f, row->line, f->cols[E->cb], "unknown unit '%s' (not in units.csv)", b);
    if (ua < 0 || ub < 0)
        return 0;
    if (ua == ub) {
        tqoi_csv_file_error(f, row->line, NULL, "self-loop: unit '%s' is listed as its own neighbour", a);
        return 0;
    }
    if (E->n == E->cap) {
        int cap = E->cap ? 2 * E->cap : 4096;
        int fail = 0;
        E->u = regrow(E->u, (size_t)cap * sizeof(int), &fail);
        E->v = regrow(E->v, (size_t)cap * sizeof(int), &fail);
        E->line = regrow(E->line, (size_t)cap * sizeof(long), &fail);
        if (fail)
            return 1;
        E->cap = cap;
    }
    E->u[E->n] = ua < ub ? ua : ub;
    E->v[E->n] = ua < ub ? ub : ua;
    E->line[E->n] = row->line;
    E->n++;
    return 0;
}

/* The order of pairs by (u, v, file line): a stable counting sort on v,
   then on u; the pairs come in file order, so equal pairs keep it. Linear
   in pairs and units (qsort was a tenth of loading a large adjacency). */
static int *edge_order(int n, int n_units, const int *u, const int *v)
{
    int *ord = malloc((size_t)(n + 1) * sizeof(int)), *tmp = malloc((size_t)(n + 1) * sizeof(int));
    int *at = malloc((size_t)(n_units + 1) * sizeof(int));
    if (!ord || !tmp || !at) {
        free(ord);
        free(tmp);
        free(at);
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++) {
        const int *key = pass == 0 ? v : u;
        int *dst = pass == 0 ? tmp : ord;
        memset(at, 0, (size_t)(n_units + 1) * sizeof(int));
        for (int i = 0; i < n; i++)
            at[key[i] + 1]++;
        for (int k = 0; k < n_units; k++)
            at[k + 1] += at[k];
        for (int j = 0; j < n; j++) {
            int i = pass == 0 ? j : tmp[j];
            dst[at[key[i]]++] = i;
        }
    }
    free(tmp);
    free(at);
    return ord;
}

/* Sorts pairs, drops repeats (counted in *dups), stores them in inst. */
static tqo_status store_edges(tqo_instance *inst, int n, int *u, int *v, int *dups)
{
    int *ord = edge_order(n, inst->n_units, u, v);
    if (!ord)
        return TQO_ERR_NOMEM;
    inst->edge_u = malloc((size_t)(n + 1) * sizeof(int));
    inst->edge_v = malloc((size_t)(n + 1) * sizeof(int));
    if (!inst->edge_u || !inst->edge_v) {
        free(ord);
        return TQO_ERR_NOMEM;
    }
    int m = 0;
    *dups = 0;
    for (int k = 0; k < n; k++) {
        int i = ord[k];
        if (m && inst->edge_u[m - 1] == u[i] && inst->edge_v[m - 1] == v[i]) {
            (*dups)++;
            continue;
        }
        inst->edge_u[m] = u[i];
        inst->edge_v[m] = v[i];
        m++;
    }
    inst->n_edges = m;
    inst->has_adjacency = 1;
    free(ord);
    return tqo_instance_build_graph(inst);
}

static tqo_status load_adjacency(loader *L, const char *path)
{
    csv_file f;
    tqoi_csv_file_init(&f, path, L->diag);
    edge_acc E;
    memset(&E, 0, sizeof E);
    E.L = L;
    E.ca = E.cb = -1;
    E.last_a = -1;
    tqo_status st = tqoi_csv_read(&f, edge_row, &E);
    if (st == TQO_OK && E.ca < 0 && f.n_errors == 0) {
        /* header only: check its columns */
        if (tqoi_csv_col(&f, "unit_a") < 0 || tqoi_csv_col(&f, "unit_b") < 0) {
            tqoi_csv_file_error(&f, 1, tqoi_csv_col(&f, "unit_a") < 0 ? "unit_a" : "unit_b",
                           "missing from the header (expected unit_a,unit_b)");
            st = TQO_ERR_INPUT;
        }
    }
    if (st == TQO_OK && f.n_errors == 0) {
        int dups;
        st = store_edges(L->inst, E.n, E.u, E.v, &dups);
        if (st == TQO_OK && dups)
            tqo_diag_warning(L->diag, "%s: %d repeated pair%s ignored", path, dups, dups == 1 ? "" : "s");
        L->inst->adjacency_source = strdup(path);
        if (st == TQO_OK && !L->inst->adjacency_source)
            st = TQO_ERR_NOMEM;
    } else if (st == TQO_OK) {
        st = TQO_ERR_INPUT;
    }
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    free(E.u);
    free(E.v);
    free(E.line);
    return st;
}

static tqo_status derive_delaunay(loader *L)
{
    tqo_instance *inst = L->inst;
    if (inst->coords == TQO_COORDS_NONE) {
        tqo_diag_error(L->diag, "%s: adjacency 'delaunay' needs unit coordinates (x,y or lat,lon)", L->units_path);
        return TQO_ERR_INPUT;
    }
    int n_edges, *u, *v;
    tqo_status st = tqo_delaunay(inst->n_units, inst->x, inst->y, inst->coords, &n_edges, &u, &v, L->diag);
    if (st != TQO_OK)
        return st;
    inst->edge_u = u;
    inst->edge_v = v;
    inst->n_edges = n_edges;
    inst->has_adjacency = 1;
    if (!(inst->adjacency_source = strdup("delaunay")))
        return TQO_ERR_NOMEM;
    return tqo_instance_build_graph(inst);
}

/* ------------------------------------------------------------------ */
/* locks.csv                                                           */

typedef struct lock_acc {
    loader *L;
    int cu, ct;
    long *first_line;
} lock_acc;

static int lock_row(void *ctx, csv_file *f, const csv_row *row)
{
    lock_acc *A = ctx;
    tqo_instance *inst = A->L->inst;
    int u, got = tqoi_instance_unit_row(f, row, &A->L->units, &A->cu, &A->ct, "unit_id,territory_id", &u);
    if (got != 2)
        return got;
    const char *us = row->field[A->cu], *ts = row->field[A->ct];
    int k = tqoi_strmap_get(&A->L->terrs, ts);
    if (k < 0) {
        if (!*ts) {
            tqoi_csv_file_error(f, row->line, f->cols[A->ct], "empty territory id");
            return 0;
        }
        if (inst->has_territories_file) {
            if (A->L->territories_ok)
                tqoi_csv_file_error(f, row->line, f->cols[A->ct], "unknown territory '%s' (not in territories.csv)", ts);
            return 0;
        }
        k = add_territory(A->L, ts);
        if (k < 0)
            return 1;
    }
    if (inst->lock[u] >= 0) {
        if (inst->lock[u] != k)
            tqoi_csv_file_error(f, row->line, f->cols[A->cu], "unit '%s' is locked to '%s' and to '%s' (line %ld)", us,
                           ts, inst->territory_id[inst->lock[u]], A->first_line[u]);
        return 0;
    }
    inst->lock[u] = k;
    A->first_line[u] = row->line;
    inst->n_locks++;
    return 0;
}

static tqo_status load_locks(loader *L, const char *path)
{
    tqo_instance *inst = L->inst;
    csv_file f;
    tqoi_csv_file_init(&f, path, L->diag);
    lock_acc A = {L, -1, -1, NULL};
    inst->lock = malloc((size_t)inst->n_units * sizeof(int));
    A.first_line = malloc((size_t)inst->n_units * sizeof(long));
    if (!inst->lock || !A.first_line) {
        free(A.first_line);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < inst->n_units; i++)
        inst->lock[i] = -1;
    tqo_status st = tqoi_csv_read(&f, lock_row, &A);
    if (st == TQO_OK && A.cu < 0 && f.n_errors == 0 &&
        (tqoi_csv_col(&f, "unit_id") < 0 || tqoi_csv_col(&f, "territory_id") < 0))
        tqoi_csv_file_error(&f, 1, tqoi_csv_col(&f, "unit_id") < 0 ? "unit_id" : "territory_id",
                       "missing from the header (expected unit_id,territory_id)");
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    free(A.first_line);
    return st;
}

/* ------------------------------------------------------------------ */
/* history.csv                                                         */

typedef struct hist_acc {
    loader *L;
    int cu, cp;
    int nv;
    int *vcol;             /* value columns */
    tqo_period_kind kind;
    long kind_line;
    int pmin, pmax;
    int last_unit;
    long n, cap;
    int *unit, *period;
    long *line;
    double *val;           /* n * nv */
} hist_acc;

static int hist_header(hist_acc *H, csv_file *f)
{
    H->cu = tqoi_csv_col(f, "unit_id");
    H->cp = tqoi_csv_col(f, "period");
    if (H->cu < 0 || H->cp < 0) {
        tqoi_csv_file_error(f, 1, H->cu < 0 ? "unit_id" : "period",
                       "missing from the header (expected unit_id,period,<values>)");
        return 1;
    }
    H->vcol = malloc((size_t)f->n_cols * sizeof(int));
    if (!H->vcol)
        return 1;
    for (int c = 0; c < f->n_cols; c++)
        if (c != H->cu && c != H->cp)
            H->vcol[H->nv++] = c;
    if (H->nv == 0) {
        tqoi_csv_file_error(f, 1, NULL, "no value column (such as 'sales') after unit_id and period");
        return 1;
    }
    return 0;
}

static int hist_row(void *ctx, csv_file *f, const csv_row *row)
{
    hist_acc *H = ctx;
    if (!H->vcol && hist_header(H, f))
        return 1;
    const char *us = row->field[H->cu], *ps = row->field[H->cp];
    /* Long files list a unit's periods together: the last id is likely. */
    int u = H->last_unit >= 0 && strcmp(H->L->inst->unit_id[H->last_unit], us) == 0 ? H->last_unit
                                                                                    : tqoi_strmap_get(&H->L->units, us);
    H->last_unit = u;
    int bad = 0;
    if (u < 0) {
        tqoi_csv_file_error(f, row->line, f->cols[H->cu], "unknown unit '%s' (not in units.csv)", us);
        bad = 1;
    }
    tqo_period_kind kind;
    int ord = 0;
    if (!tqo_period_parse(ps, &kind, &ord)) {
        tqoi_csv_file_error(f, row->line, f->cols[H->cp], "'%s' is not a period (YYYY, YYYYQn or YYYY-MM)", ps);
        bad = 1;
    } else if (H->kind == TQO_PERIOD_NONE) {
        H->kind = kind;
        H->kind_line = row->line;
        H->pmin = H->pmax = ord;
    } else if (kind != H->kind) {
        tqoi_csv_file_error(f, row->line, f->cols[H->cp], "'%s' is %s, but line %ld is %s: use one granularity per file",
                       ps, tqo_period_kind_name(kind), H->kind_line, tqo_period_kind_name(H->kind));
        bad = 1;
    }
    if (H->n == H->cap) {
        long cap = H->cap ? 2 * H->cap : 65536;
        int fail = 0;
        H->unit = regrow(H->unit, (size_t)cap * sizeof(int), &fail);
        H->period = regrow(H->period, (size_t)cap * sizeof(int), &fail);
        H->line = regrow(H->line, (size_t)cap * sizeof(long), &fail);
        H->val = regrow(H->val, (size_t)cap * (size_t)H->nv * sizeof(double), &fail);
        if (fail)
            return 1;
        H->cap = cap;
    }
    double *vals = H->val + (size_t)H->n * (size_t)H->nv;
    for (int k = 0; k < H->nv; k++) {
        const char *s = row->field[H->vcol[k]];
        int r = tqoi_csv_parse_number(s, &vals[k]);
        if (r == 1) {
            if (*s)
                tqoi_csv_file_error(f, row->line, f->cols[H->vcol[k]], "'%s' is not a number", s);
            else
                tqoi_csv_file_error(f, row->line, f->cols[H->vcol[k]], "empty value (write 0, or leave the row out)");
            bad = 1;
        } else if (r == 2) {
            tqoi_csv_file_error(f, row->line, f->cols[H->vcol[k]], "'%s' is not a finite number", s);
            bad = 1;
        }
    }
    if (bad)
        return 0;
    if (ord < H->pmin)
        H->pmin = ord;
    if (ord > H->pmax)
        H->pmax = ord;
    H->unit[H->n] = u;
    H->period[H->n] = ord;
    H->line[H->n] = row->line;
    H->n++;
    return 0;
}

static void hist_init(hist_acc *H, loader *L)
{
    memset(H, 0, sizeof *H);
    H->L = L;
    H->cu = H->cp = -1;
    H->last_unit = -1;
}

static void hist_free(hist_acc *H)
{
    free(H->vcol);
    free(H->unit);
    free(H->period);
    free(H->line);
    free(H->val);
}

/* The rows of history.csv, in parts that follow each other in the file:
   part k's line numbers plus base[k] are the file's. */
typedef struct hist_parts {
    int n;
    hist_acc *part;
    long *base;
} hist_parts;

static void hist_parts_free(hist_parts *P)
{
    for (int k = 0; P->part && k < P->n; k++)
        hist_free(&P->part[k]);
    free(P->part);
    free(P->base);
}

/* Reads history.csv on the loader's threads, one part each (issue 13: the
   history was most of a scenario sweep's serial time). The parts must
   agree on the granularity; any error, or a file read in one part, leaves
   P with one empty part for tqoi_csv_read, which tells the errors. */
static tqo_status hist_read(loader *L, csv_file *f, hist_parts *P)
{
    int nth = L->s->threads > 0 ? L->s->threads : omp_get_max_threads();
    P->n = nth > 1 ? nth : 1;
    P->part = calloc((size_t)P->n, sizeof *P->part);
    P->base = calloc((size_t)P->n, sizeof *P->base);
    void **ctx = calloc((size_t)P->n, sizeof *ctx);
    int ok = P->part && P->base && ctx;
    for (int k = 0; ok && k < P->n; k++) {
        hist_init(&P->part[k], L);
        ctx[k] = &P->part[k];
    }
    ok = ok && P->n > 1 && tqoi_csv_read_parts(f, P->n, hist_row, ctx, P->base) == P->n;
    free(ctx);
    tqo_period_kind kind = TQO_PERIOD_NONE;
    for (int k = 0; ok && k < P->n; k++) {
        if (P->part[k].n == 0)
            continue;
        ok = kind == TQO_PERIOD_NONE || P->part[k].kind == kind;
        kind = P->part[k].kind;
    }
    if (ok)
        return TQO_OK;
    if (P->n > 1 && f->cols) { /* read in parts, but the granularities differ */
        tqoi_csv_file_free(f);
    }
    hist_parts_free(P);
    P->n = 1;
    P->part = calloc(1, sizeof *P->part);
    P->base = calloc(1, sizeof *P->base);
    if (!P->part || !P->base)
        return TQO_ERR_NOMEM;
    hist_init(&P->part[0], L);
    return tqoi_csv_read(f, hist_row, &P->part[0]);
}

/* The parts' rows as one: granularity, value columns, periods spanned. */
static void hist_span(const hist_parts *P, hist_acc *H)
{
    for (int k = 0; k < P->n; k++) {
        const hist_acc *A = &P->part[k];
        if (!H->vcol && A->vcol) {
            H->vcol = A->vcol;
            H->nv = A->nv;
        }
        if (A->n == 0)
            continue;
        if (H->n == 0) {
            H->kind = A->kind;
            H->pmin = A->pmin;
            H->pmax = A->pmax;
        }
        H->pmin = A->pmin < H->pmin ? A->pmin : H->pmin;
        H->pmax = A->pmax > H->pmax ? A->pmax : H->pmax;
        H->n += A->n;
    }
}

/* The file line of the first row of the parts before part k0's row r0
   that fills cell c: for the message on a second row. */
static long hist_first_line(int np, const hist_parts *P, int pmin, int k0, long r0, size_t c)
{
    for (int k = 0; k <= k0; k++) {
        const hist_acc *A = &P->part[k];
        for (long r = 0; r < (k == k0 ? r0 : A->n); r++)
            if ((size_t)A->unit[r] * (size_t)np + (size_t)(A->period[r] - pmin) == c)
                return A->line[r] + P->base[k];
    }
    return 0;
}

/* The parts' rows into the dense history, in file order. A cell of the
   first value array still NaN has no row yet (every value read is
   finite): no array of first lines to fault in (6 MB of fresh pages for
   20,000 units x 40 quarters, serial work), the first line is looked up
   again for the few second rows that get a message. */
static void hist_place(tqo_instance *inst, csv_file *f, const hist_parts *P, const hist_acc *H)
{
    int np = inst->n_periods;
    double *h0 = inst->history[0];
    for (int k = 0; k < P->n; k++) {
        const hist_acc *A = &P->part[k];
        for (long r = 0; r < A->n; r++) {
            size_t c = (size_t)A->unit[r] * (size_t)np + (size_t)(A->period[r] - H->pmin);
            if (!isnan(h0[c])) {
                long first = f->n_errors < TQO_DIAG_KEEP_PER_FILE ? hist_first_line(np, P, H->pmin, k, r, c) : 0;
                char lab[16];
                tqo_period_format(H->kind, A->period[r], lab, sizeof lab);
                tqoi_csv_file_error(f, A->line[r] + P->base[k], NULL,
                                    "unit '%s' has a second row for period %s (first on line %ld)",
                                    inst->unit_id[A->unit[r]], lab, first);
                continue;
            }
            for (int v = 0; v < H->nv; v++)
                inst->history[v][c] = A->val[(size_t)r * (size_t)H->nv + (size_t)v];
        }
    }
}

#define HIST_FILL_BLOCK 65536 /* cells per work item of hist_fill */

/* Cells [0, cells) of the value arrays: NaN in the first (no row yet,
   see hist_place) and 0 in the others when mark, else the first's NaN
   turned to 0 (no row: nothing sold). Over the threads, as touching the
   fresh arrays' pages the first time is most of the work. */
static void hist_fill(tqo_instance *inst, int nv, size_t cells, int nth, int mark)
{
    long nblk = (long)((cells + HIST_FILL_BLOCK - 1) / HIST_FILL_BLOCK);
#pragma omp parallel for schedule(static) num_threads(nth) if (nblk > 1)
    for (long b = 0; b < nblk; b++) {
        size_t c0 = (size_t)b * HIST_FILL_BLOCK, c1 = c0 + HIST_FILL_BLOCK < cells ? c0 + HIST_FILL_BLOCK : cells;
        double *h0 = inst->history[0];
        for (size_t c = c0; c < c1; c++)
            h0[c] = mark ? NAN : isnan(h0[c]) ? 0 : h0[c];
        for (int v = 1; mark && v < nv; v++)
            memset(inst->history[v] + c0, 0, (c1 - c0) * sizeof(double));
    }
}

static tqo_status load_history(loader *L, const char *path)
{
    tqo_instance *inst = L->inst;
    csv_file f;
    tqoi_csv_file_init(&f, path, L->diag);
    hist_parts P = {0, NULL, NULL};
    hist_acc H; /* the parts' totals; its vcol is a part's */
    hist_init(&H, L);
    tqo_status st = hist_read(L, &f, &P);
    if (st == TQO_OK)
        hist_span(&P, &H);
    int own_vcol = 0;
    if (st == TQO_OK && !H.vcol && f.n_errors == 0) {
        own_vcol = 1;
        if (hist_header(&H, &f))
            st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    if (st == TQO_OK) {
        int np = H.n ? H.pmax - H.pmin + 1 : 0;
        long cells = (long)inst->n_units * np;
        if (cells > MAX_HISTORY_CELLS) {
            tqoi_csv_file_error(&f, 0, "period", "history spans %d periods for %d units: too many to hold", np,
                           inst->n_units);
            st = TQO_ERR_INPUT;
            goto done;
        }
        inst->period_kind = H.kind;
        inst->period_first = H.pmin;
        inst->n_periods = np;
        inst->n_history_rows = H.n;
        inst->n_history_values = H.nv;
        inst->history_value_name = calloc((size_t)H.nv, sizeof(char *));
        inst->history = calloc((size_t)H.nv, sizeof(double *));
        if (!inst->history_value_name || !inst->history)
            goto nomem;
        for (int k = 0; k < H.nv; k++) {
            inst->history_value_name[k] = strdup(f.cols[H.vcol[k]]);
            inst->history[k] = malloc((size_t)(cells ? cells : 1) * sizeof(double));
            if (!inst->history_value_name[k] || !inst->history[k])
                goto nomem;
        }
        int nth = L->s->threads > 0 ? L->s->threads : omp_get_max_threads();
        hist_fill(inst, H.nv, (size_t)cells, nth, 1);
        hist_place(inst, &f, &P, &H);
        hist_fill(inst, H.nv, (size_t)cells, nth, 0);
        if (f.n_errors)
            st = TQO_ERR_INPUT;
    }
    goto done;
nomem:
    st = load_nomem(&f);
done:
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    if (own_vcol)
        free(H.vcol);
    hist_parts_free(&P);
    return st;
}

/* ------------------------------------------------------------------ */

static tqo_status worst(tqo_status a, tqo_status b)
{
    if (a == TQO_ERR_NOMEM || b == TQO_ERR_NOMEM)
        return TQO_ERR_NOMEM;
    return a != TQO_OK ? a : b;
}

/* --adjacency for a commdis file: its edges, "none", or "delaunay". */
static tqo_status apply_adjacency_option(tqo_instance *inst, const char *path, const tqo_load_settings *s,
                                         tqo_diag *diag)
{
    int none = strcmp(s->adjacency, "none") == 0, del = strcmp(s->adjacency, "delaunay") == 0;
    if (!none && !del) {
        tqo_diag_error(diag, "%s: --adjacency %s: a commdis file carries its own edges; use 'none' or 'delaunay'",
                       path, s->adjacency);
        return TQO_ERR_ARG;
    }
    free(inst->edge_u);
    free(inst->edge_v);
    free(inst->adj_start);
    free(inst->adj);
    free(inst->adjacency_source);
    inst->edge_u = inst->edge_v = inst->adj_start = inst->adj = NULL;
    inst->adjacency_source = NULL;
    inst->n_edges = 0;
    inst->has_adjacency = 0;
    if (none)
        return TQO_OK;
    return tqoi_instance_delaunay(inst, diag);
}

/* A commdis file: the problem's p and tolerances travel with the instance.
   The adjacency option applies as for folders ("none", "delaunay" or a
   CSV file replacing the file's edges). */
static tqo_status load_commdis(const char *path, const tqo_load_settings *s, tqo_instance **out, tqo_diag *diag)
{
    int p = 0;
    double tau[3];
    tqo_status st = tqoi_commdis_load(path, out, &p, tau, diag);
    if (st != TQO_OK)
        return st;
    tqo_instance *inst = *out;
    inst->format = TQO_FORMAT_COMMDIS;
    inst->default_k = p;
    inst->default_tol_pct = malloc((size_t)inst->n_measures * sizeof(double));
    if (!inst->default_tol_pct) {
        tqo_instance_free(inst);
        *out = NULL;
        return TQO_ERR_NOMEM;
    }
    for (int m = 0; m < inst->n_measures; m++)
        inst->default_tol_pct[m] = m < 3 ? 100.0 * tau[m] : NAN;
    if (s->adjacency)
        st = apply_adjacency_option(inst, path, s, diag);
    if (st != TQO_OK) {
        tqo_instance_free(inst);
        *out = NULL;
    }
    return st;
}

tqo_status tqo_instance_load(const char *path, const tqo_load_settings *s, tqo_instance **out,
                             tqo_diag *diag)
{
    tqo_load_settings defaults;
    if (!s) {
        tqo_load_settings_default(&defaults);
        s = &defaults;
    }
    *out = NULL;
    struct stat sb;
    int is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    /* A vector file (FILE[:LAYER] may name no file of its own): GDAL/OGR. */
    if (s->format == TQO_FORMAT_GIS || (s->format == TQO_FORMAT_AUTO && !is_dir && tqoi_gis_is_vector_path(path)))
        return tqoi_gis_load_instance(path, s, out, diag);
    if (stat(path, &sb) != 0) {
        tqo_diag_error(diag, "%s: cannot open: %s", path, strerror(errno));
        return TQO_ERR_INPUT;
    }
    if (s->format == TQO_FORMAT_COMMDIS || (s->format == TQO_FORMAT_AUTO && !is_dir)) {
        if (is_dir) {
            tqo_diag_error(diag, "%s: a folder, but --format commdis reads one file", path);
            return TQO_ERR_INPUT;
        }
        if (s->format == TQO_FORMAT_AUTO && !tqoi_commdis_sniff(path)) {
            tqo_diag_error(diag, "%s: not a folder of CSV files (units.csv, ...) nor a commdis file (its first "
                           "line is the number of units)", path);
            return TQO_ERR_INPUT;
        }
        return load_commdis(path, s, out, diag);
    }
    if (!is_dir) {
        tqo_diag_error(diag, "%s: not a folder: an instance is a folder of CSV files (units.csv, ...)", path);
        return TQO_ERR_INPUT;
    }
    loader L;
    memset(&L, 0, sizeof L);
    L.diag = diag;
    L.s = s;
    L.dir = path;
    L.inst = calloc(1, sizeof *L.inst);
    if (!L.inst || tqoi_strmap_init(&L.terrs, 64) != 0) {
        free(L.inst);
        return TQO_ERR_NOMEM;
    }
    tqo_instance *inst = L.inst;
    inst->source = strdup(path);

    /* without its name the summaries would say "(null)" */
    tqo_status st = inst->source ? load_units(&L) : TQO_ERR_NOMEM;
    char *tp = NULL, *ap = NULL, *lp = NULL, *hp = NULL;
    if (st != TQO_OK)
        goto done;
    tp = tqoi_path_join(path, "territories.csv");
    ap = tqoi_path_join(path, "adjacency.csv");
    lp = tqoi_path_join(path, "locks.csv");
    hp = tqoi_path_join(path, "history.csv");
    if (!tp || !ap || !lp || !hp) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    L.territories_ok = 1;
    if (file_exists(tp)) {
        tqo_status t = load_territories(&L, tp);
        L.territories_ok = t == TQO_OK;
        st = worst(st, t);
    }
    if (L.territories_ok)
        st = worst(st, resolve_current(&L));
    /* unit polygons (boundaries.geojson or --boundaries), joined on the id */
    if (st == TQO_OK)
        st = worst(st, tqoi_gis_attach_boundaries(inst, path, s, diag));

    const char *adj = s->adjacency;
    if (adj && (strcmp(adj, "rook") == 0 || strcmp(adj, "queen") == 0))
        st = st == TQO_OK ? tqoi_gis_adjacency(inst, adj[0] == 'q', s->snap_m, diag) : st;
    else if (adj && strcmp(adj, "delaunay") == 0)
        st = worst(st, derive_delaunay(&L));
    else if (adj && strcmp(adj, "none") == 0)
        ;
    else if (adj)
        st = worst(st, load_adjacency(&L, adj));
    else if (file_exists(ap))
        st = worst(st, load_adjacency(&L, ap));

    if (file_exists(lp))
        st = worst(st, load_locks(&L, lp));
    if (file_exists(hp))
        st = worst(st, load_history(&L, hp));

    if (st == TQO_OK && !inst->has_territories_file && inst->n_territories > 0) {
        /* Territories implied by 'current' and locks get default attributes. */
        int n = inst->n_territories;
        inst->home_x = malloc((size_t)n * sizeof(double));
        inst->home_y = malloc((size_t)n * sizeof(double));
        inst->capacity = malloc((size_t)n * sizeof(double));
        inst->ramp = malloc((size_t)n * sizeof(double));
        if (!inst->home_x || !inst->home_y || !inst->capacity || !inst->ramp) {
            st = TQO_ERR_NOMEM;
        } else {
            for (int k = 0; k < n; k++) {
                inst->home_x[k] = inst->home_y[k] = NAN;
                inst->capacity[k] = inst->ramp[k] = 1.0;
            }
        }
    }
done:
    if (st == TQO_ERR_NOMEM && diag->n_errors == 0)
        tqo_diag_error(diag, "%s: out of memory while loading", path);
    free(tp);
    free(ap);
    free(lp);
    free(hp);
    if (L.current_raw) {
        for (int i = 0; i < inst->n_units; i++)
            free(L.current_raw[i]);
        free(L.current_raw);
    }
    free(L.unit_line);
    free(L.units_path);
    tqoi_strmap_free(&L.units);
    tqoi_strmap_free(&L.terrs);
    if (st != TQO_OK) {
        tqo_instance_free(inst);
        return st;
    }
    *out = inst;
    return TQO_OK;
}
