/*
 * Reading the commdis format (see instance_commdis.h). The file is read
 * whole and split into lines and tokens in place. A value that is wrong
 * (not a number, negative, an unknown unit) is reported and reading goes
 * on, so that one run shows several; a line of the wrong shape stops
 * reading, since the lines after it can no longer be placed. Errors go
 * through tqoi_csv_file_error, which keeps a few per file and counts the rest.
 */
#include "instance/instance_commdis.h"

#include "util/csv_reader.h"
#include "util/json_writer.h"
#include "util/strmap.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 8                /* tokens kept per line; more are only counted */
#define MAX_COUNT (INT_MAX / 4)  /* n and m: room for 2m adjacency entries */

static const char *const MEASURE_NAMES[3] = {"a1", "a2", "a3"};

/* Lines of the file, split into NUL-terminated tokens in place. */
typedef struct reader {
    char *p, *end;
    long line;        /* line of the tokens last returned */
    long next;        /* line number at p */
    int n;            /* tokens on that line, all counted */
    char *tok[MAX_TOK];
} reader;

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next line holding anything: blank lines (and CRLF's '\r') are
   harmless anywhere. Returns 0 at the end of the file, with r->line left
   on the last line read. */
static int next_line(reader *r)
{
    while (r->p < r->end) {
        char *s = r->p, *eol = memchr(s, '\n', (size_t)(r->end - s));
        if (!eol)
            eol = r->end;
        r->p = eol < r->end ? eol + 1 : eol;
        long line = r->next++;
        int n = 0;
        while (s < eol) {
            if (is_sep(*s)) {
                s++;
                continue;
            }
            if (n < MAX_TOK)
                r->tok[n] = s;
            n++;
            while (s < eol && !is_sep(*s))
                s++;
            *s++ = '\0'; /* at eol this is the '\n' or the buffer's final NUL */
        }
        if (n) {
            r->line = line;
            r->n = n;
            return 1;
        }
    }
    return 0;
}

/* A whole number into *out: 0 within [lo, hi], 1 not a whole number,
   2 below lo, 3 above hi. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
    const char *d = s + (*s == '+' || *s == '-');
    if (!isdigit((unsigned char)*d))
        return 1;
    char *end;
    long v = strtol(s, &end, 10); /* LONG_MIN/MAX on overflow: out of range */
    if (*end)
        return 1;
    *out = v;
    return v < lo ? 2 : v > hi ? 3 : 0;
}

/* A finite number (what = "x", "a2", ...); 0 ok. Activities must not be
   negative. */
static int parse_value(csv_file *f, long line, const char *unit, const char *what, const char *s, int nonneg,
                       double *out)
{
    int r = tqoi_csv_parse_number(s, out);
    if (r == 0 && nonneg && *out < 0)
        r = 3;
    if (r)
        tqoi_csv_file_error(f, line, NULL, "unit %s: %s '%s' is %s", unit, what, s,
                       r == 1 ? "not a number" : r == 2 ? "not a finite number" : "negative");
    else if (*out == 0)
        *out = 0; /* no negative zero */
    return r;
}

/* The whole file, NUL-terminated; NULL with errno set on failure. */
static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int err = buf ? 0 : ENOMEM;
    while (!err) {
        errno = 0;
        n += fread(buf + n, 1, cap - 1 - n, fp);
        if (ferror(fp))
            err = errno ? errno : EIO;
        else if (n < cap - 1)
            break;
        else {
            char *b = realloc(buf, cap * 2);
            if (b) {
                buf = b;
                cap *= 2;
            } else {
                err = ENOMEM;
            }
        }
    }
    fclose(fp);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Edges come as keys u << 33 | v << 1 | reversed with u < v: sorting puts
   a pair's copies together, and only copies in the same direction count as
   repeats (files may list every edge both ways). */
static tqo_status store_edges(tqo_instance *inst, uint64_t *key, int n, int *repeats)
{
    qsort(key, (size_t)n, sizeof *key, cmp_u64);
    inst->edge_u = malloc((size_t)(n + 1) * sizeof(int));
    inst->edge_v = malloc((size_t)(n + 1) * sizeof(int));
    if (!inst->edge_u || !inst->edge_v)
        return TQO_ERR_NOMEM;
    int m = 0;
    *repeats = 0;
    for (int k = 0; k < n; k++) {
        if (k && key[k] == key[k - 1])
            ++*repeats;
        if (k && key[k] >> 1 == key[k - 1] >> 1)
            continue;
        inst->edge_u[m] = (int)(key[k] >> 33);
        inst->edge_v[m] = (int)(key[k] >> 1 & 0xffffffffu);
        m++;
    }
    inst->n_edges = m;
    inst->has_adjacency = 1;
    return tqo_instance_build_graph(inst);
}

/* The state of one commdis read. The steps return 0, or FAIL (the
   error is in f) or NOMEM. */
enum { FAIL = -1, NOMEM = -2 };
typedef struct loader {
    csv_file f;
    reader r;
    tqo_instance *inst;
    strmap ids;
    long *uline;       /* line of each unit */
    uint64_t *key;     /* edges, packed */
    int ne;
    long lines;        /* bounds what the counts may allocate */
    long n, n_line, m, m_line;
} loader;

/* A line with one count (n or m), what: "units n" / "edges m"; hint_n:
   the field count that suggests one section ran into the next. */
static int read_count(loader *L, const char *what, long lo, const char *hint_after, int hint_n, long *out,
                      long *out_line)
{
    reader *r = &L->r;
    *out_line = r->line;
    if (r->n != 1) {
        char hint[96] = "";
        if (hint_after && r->n == hint_n)
            snprintf(hint, sizeof hint, "%s", hint_after);
        tqoi_csv_file_error(&L->f, r->line, NULL, "expected 1 field (the number of %s), found %d%s", what, r->n, hint);
        return FAIL;
    }
    int e = parse_int(r->tok[0], lo, MAX_COUNT, out);
    if (!e)
        return 0;
    const char *sym = what + strlen(what) - 1; /* "n" or "m" */
    if (e == 1)
        tqoi_csv_file_error(&L->f, r->line, NULL, "expected the number of %s, found '%s'", what, r->tok[0]);
    else if (e == 2 && lo == 1)
        tqoi_csv_file_error(&L->f, r->line, NULL, "%s = %s: there must be at least 1 unit", sym, r->tok[0]);
    else if (e == 2)
        tqoi_csv_file_error(&L->f, r->line, NULL, "%s = %s: the number of edges cannot be negative", sym, r->tok[0]);
    else
        tqoi_csv_file_error(&L->f, r->line, NULL, "%s = %s: too many %s (at most %d)", sym, r->tok[0],
                       lo == 1 ? "units" : "edges", MAX_COUNT);
    return FAIL;
}

/* The instance's arrays for cap units and the three measures. */
static int alloc_units(loader *L, const char *path, int cap)
{
    tqo_instance *inst = L->inst;
    inst->source = strdup(path);
    inst->coords = TQO_COORDS_XY;
    inst->n_units = cap;
    inst->unit_id = calloc((size_t)cap, sizeof(char *));
    inst->x = malloc((size_t)cap * sizeof(double));
    inst->y = malloc((size_t)cap * sizeof(double));
    inst->measures = calloc(3, sizeof *inst->measures);
    L->uline = malloc((size_t)cap * sizeof *L->uline);
    if (!inst->source || !inst->unit_id || !inst->x || !inst->y || !inst->measures || !L->uline ||
        tqoi_strmap_init(&L->ids, (size_t)cap) != 0)
        return NOMEM;
    inst->n_measures = 3;
    for (int k = 0; k < 3; k++) {
        inst->measures[k].name = strdup(MEASURE_NAMES[k]);
        inst->measures[k].value = malloc((size_t)cap * sizeof(double));
        if (!inst->measures[k].name || !inst->measures[k].value)
            return NOMEM;
    }
    return 0;
}

/* The n unit lines: id x y a1 a2 a3. */
static int read_units(loader *L)
{
    reader *r = &L->r;
    tqo_instance *inst = L->inst;
    for (int i = 0; i < L->n; i++) {
        if (!next_line(r)) {
            tqoi_csv_file_error(&L->f, r->line, NULL, "file ends after %d of the %ld units announced on line %ld", i,
                           L->n, L->n_line);
            return FAIL;
        }
        if (r->n != 6) {
            char hint[96] = "";
            if (r->n == 1) /* likely the edge count: units are missing */
                snprintf(hint, sizeof hint, " (only %d of the %ld units announced on line %ld?)", i, L->n,
                         L->n_line);
            tqoi_csv_file_error(&L->f, r->line, NULL, "expected 6 fields (id x y a1 a2 a3), found %d%s", r->n, hint);
            return FAIL;
        }
        /* i < cap: unit i sits on line i + 2 or later */
        const char *id = r->tok[0];
        L->uline[i] = r->line;
        if (!(inst->unit_id[i] = strdup(id)))
            return NOMEM;
        int prev = tqoi_strmap_put(&L->ids, inst->unit_id[i], i);
        if (prev == -2)
            return NOMEM;
        if (prev >= 0)
            tqoi_csv_file_error(&L->f, r->line, NULL, "unit %s: duplicate id (first on line %ld)", id, L->uline[prev]);
        parse_value(&L->f, r->line, id, "x", r->tok[1], 0, &inst->x[i]);
        parse_value(&L->f, r->line, id, "y", r->tok[2], 0, &inst->y[i]);
        for (int k = 0; k < 3; k++)
            parse_value(&L->f, r->line, id, MEASURE_NAMES[k], r->tok[3 + k], 1, &inst->measures[k].value[i]);
    }
    return 0;
}

/* The m edge lines: u v, packed into L->key. */
static int read_edges(loader *L)
{
    reader *r = &L->r;
    long m = L->m;
    L->key = malloc((size_t)(m < L->lines ? m : L->lines) * sizeof *L->key + 1);
    if (!L->key)
        return NOMEM;
    for (long k = 0; k < m; k++) {
        if (!next_line(r)) {
            tqoi_csv_file_error(&L->f, r->line, NULL, "file ends after %ld of the %ld edges announced on line %ld", k, m,
                           L->m_line);
            return FAIL;
        }
        if (r->n != 2) {
            char hint[96] = "";
            if (r->n == 5) /* likely the last line: edges are missing */
                snprintf(hint, sizeof hint, " (only %ld of the %ld edges announced on line %ld?)", k, m, L->m_line);
            tqoi_csv_file_error(&L->f, r->line, NULL, "expected 2 fields (u v), found %d%s", r->n, hint);
            return FAIL;
        }
        const char *su = r->tok[0], *sv = r->tok[1];
        int a = tqoi_strmap_get(&L->ids, su), b = tqoi_strmap_get(&L->ids, sv);
        if (a < 0 && b < 0)
            tqoi_csv_file_error(&L->f, r->line, NULL, "edge %s %s: units %s and %s are not defined", su, sv, su, sv);
        else if (a < 0 || b < 0)
            tqoi_csv_file_error(&L->f, r->line, NULL, "edge %s %s: unit %s is not defined", su, sv, a < 0 ? su : sv);
        else if (a == b)
            tqoi_csv_file_error(&L->f, r->line, NULL, "edge %s %s: a self-loop (a unit is not its own neighbour)", su,
                           sv);
        else
            L->key[L->ne++] =
                (uint64_t)(a < b ? a : b) << 33 | (uint64_t)(a < b ? b : a) << 1 | (uint64_t)(a > b);
    }
    return 0;
}

/* The last line: p <unused> tau1 tau2 tau3, and nothing after it. */
static int read_last_line(loader *L, long *p, double tau[3])
{
    reader *r = &L->r;
    if (!next_line(r)) {
        tqoi_csv_file_error(&L->f, r->line, NULL, "file ends before the last line (p <unused> tau1 tau2 tau3)");
        return FAIL;
    }
    long p_line = r->line;
    if (r->n != 5) {
        char hint[96] = "";
        if (r->n == 2)
            snprintf(hint, sizeof hint, " (more edges than the %ld announced on line %ld?)", L->m, L->m_line);
        tqoi_csv_file_error(&L->f, r->line, NULL, "expected 5 fields (p <unused> tau1 tau2 tau3), found %d%s", r->n,
                       hint);
        return FAIL;
    }
    int e = parse_int(r->tok[0], 1, L->n, p);
    if (e == 1)
        tqoi_csv_file_error(&L->f, r->line, NULL, "p '%s' is not a whole number", r->tok[0]);
    else if (e)
        tqoi_csv_file_error(&L->f, r->line, NULL, "p = %s is out of range [1, %ld] (1 to n districts)", r->tok[0], L->n);
    for (int k = 0; k < 3; k++) {
        const char *s = r->tok[2 + k];
        int t = tqoi_csv_parse_number(s, &tau[k]);
        if (t == 0 && !(tau[k] > 0 && tau[k] <= 1))
            t = 3;
        if (t)
            tqoi_csv_file_error(&L->f, r->line, NULL, "tau%d '%s' is %s", k + 1, s,
                           t == 1 ? "not a number" : t == 2 ? "not a finite number" : "not in (0, 1]");
    }
    if (next_line(r)) {
        tqoi_csv_file_error(&L->f, r->line, NULL,
                       "unexpected content after the last line (p <unused> tau1 tau2 tau3 on line %ld)", p_line);
        return FAIL;
    }
    return 0;
}

/* The sections in file order: n, the units, m, the edges, the last line. */
static int read_sections(loader *L, const char *path, long *p, double tau[3])
{
    reader *r = &L->r;
    if (!next_line(r)) {
        tqoi_csv_file_error(&L->f, 0, NULL, "file is empty (expected the number of units n)");
        return FAIL;
    }
    int e = read_count(L, "units n", 1, NULL, 0, &L->n, &L->n_line);
    /* Arrays hold min(n, lines): a file too short for n units fails
       without a huge allocation first. */
    if (!e)
        e = alloc_units(L, path, (int)(L->n < L->lines ? L->n : L->lines));
    if (!e)
        e = read_units(L);
    if (e)
        return e;
    if (!next_line(r)) {
        tqoi_csv_file_error(&L->f, r->line, NULL, "file ends after the units (expected the number of edges m)");
        return FAIL;
    }
    char hint[96];
    snprintf(hint, sizeof hint, " (more units than the %ld announced on line %ld?)", L->n, L->n_line);
    e = read_count(L, "edges m", 0, hint, 6, &L->m, &L->m_line);
    if (!e)
        e = read_edges(L);
    if (!e)
        e = read_last_line(L, p, tau);
    return e;
}

tqo_status tqoi_commdis_load(const char *path, tqo_instance **out, int *p_out, double tau_out[3], tqo_diag *diag)
{
    *out = NULL;
    loader L;
    memset(&L, 0, sizeof L);
    tqoi_csv_file_init(&L.f, path, diag);
    size_t len = 0;
    char *buf = read_all(path, &len);
    if (!buf) {
        int err = errno;
        if (err == ENOMEM)
            tqoi_csv_file_error(&L.f, 0, NULL, "out of memory");
        else
            tqoi_csv_file_error(&L.f, 0, NULL, "cannot open: %s", strerror(err));
        return err == ENOMEM ? TQO_ERR_NOMEM : TQO_ERR_INPUT;
    }
    L.r = (reader){.p = buf, .end = buf + len, .line = 1, .next = 1};
    L.inst = calloc(1, sizeof *L.inst);
    int e = L.inst ? 0 : NOMEM;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        L.r.p += 3;
    L.lines = 1;
    for (char *s = buf; (s = memchr(s, '\n', (size_t)(L.r.end - s))); s++)
        L.lines++;
    char *nul = memchr(buf, '\0', len);
    if (!e && nul) {
        long line = 1;
        for (char *s = buf; s < nul; s++)
            line += *s == '\n';
        tqoi_csv_file_error(&L.f, line, NULL, "a NUL byte: this is not a text file");
        e = FAIL;
    }
    long p = 0;
    double tau[3];
    if (!e)
        e = read_sections(&L, path, &p, tau);
    if (!e && L.f.n_errors)
        e = FAIL;
    /* n_units == n here: the file held n unit lines. */
    if (!e && !(L.inst->adjacency_source = strdup(path)))
        e = NOMEM;
    int repeats = 0;
    if (!e && store_edges(L.inst, L.key, L.ne, &repeats) != TQO_OK)
        e = NOMEM;
    tqo_status st = e == NOMEM ? TQO_ERR_NOMEM : e ? TQO_ERR_INPUT : TQO_OK;
    if (e == NOMEM)
        tqoi_csv_file_error(&L.f, 0, NULL, "out of memory");
    if (!e) {
        if (repeats)
            tqo_diag_warning(diag, "%s: %d repeated edge%s merged", path, repeats, repeats == 1 ? "" : "s");
        if (p_out)
            *p_out = (int)p;
        if (tau_out)
            memcpy(tau_out, tau, sizeof tau);
        *out = L.inst;
        L.inst = NULL;
    }
    tqoi_csv_file_finish(&L.f);
    tqo_instance_free(L.inst);
    tqoi_strmap_free(&L.ids);
    free(L.uline);
    free(L.key);
    free(buf);
    return st;
}

int tqoi_commdis_sniff(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    int whole = n < sizeof buf; /* the file ended within the buffer */
    fclose(fp);
    size_t i = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < n && (is_sep(buf[i]) || buf[i] == '\n'))
        i++;
    if (i < n && (buf[i] == '+' || buf[i] == '-'))
        i++;
    size_t digits = i;
    while (i < n && isdigit((unsigned char)buf[i]))
        i++;
    if (i == digits)
        return 0;
    /* The integer must end the token: "12,x,y" is a CSV row. */
    return i < n ? is_sep(buf[i]) || buf[i] == '\n' : whole;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

tqo_status tqo_instance_write_commdis(const tqo_instance *inst, const char *path, int p, const double tau[3],
                                      tqo_diag *diag)
{
    if (inst->coords != TQO_COORDS_XY) {
        tqo_diag_error(diag, "%s: the commdis format has planar x,y coordinates; this instance has %s", path,
                       inst->coords == TQO_COORDS_LATLON ? "lat,lon" : "none");
        return TQO_ERR_ARG;
    }
    if (p < 1 || p > inst->n_units) {
        tqo_diag_error(diag, "%s: p = %d districts for %d units", path, p, inst->n_units);
        return TQO_ERR_ARG;
    }
    /* One file, written atomically like every output: a temporary name in
       its folder, renamed at the end. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    tqo_outset *o = dir ? tqo_outset_new(dir) : NULL;
    FILE *f = o ? tqo_outset_open(o, slash ? slash + 1 : path) : NULL;
    free(dir);
    if (!f) {
        tqo_diag_error(diag, "%s: cannot write", path);
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    fprintf(f, "%d\n", inst->n_units);
    char b[40];
    for (int i = 0; i < inst->n_units; i++) {
        fprintf(f, "%d", i);
        double v[5] = {inst->x[i], inst->y[i], 0, 0, 0};
        for (int m = 0; m < 3 && m < inst->n_measures; m++)
            v[2 + m] = inst->measures[m].value[i];
        for (int k = 0; k < 5; k++) {
            tqoi_jw_format_double(v[k], b, sizeof b); /* shortest exact decimals */
            fprintf(f, " %s", b);
        }
        fputc('\n', f);
    }
    fprintf(f, "%d\n", inst->has_adjacency ? inst->n_edges : 0);
    for (int e = 0; inst->has_adjacency && e < inst->n_edges; e++)
        fprintf(f, "%d %d\n", inst->edge_u[e], inst->edge_v[e]);
    fprintf(f, "%d 0", p);
    for (int k = 0; k < 3; k++) {
        tqoi_jw_format_double(tau[k], b, sizeof b);
        fprintf(f, " %s", b);
    }
    fputc('\n', f);
    return tqo_outset_commit(o, diag);
}
