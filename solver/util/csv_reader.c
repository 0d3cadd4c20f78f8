/*
 * Streaming CSV reader over libcsv.
 *
 * libcsv reports fields and records but not where they are. To name the
 * physical line of every record we feed it one physical line at a time:
 * a record's first field then ends on the current line, and its start line
 * is the current line less the newlines inside that field (a quoted field
 * may hold newlines).
 */
#include "util/csv_reader.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1 << 20)

void tqoi_csv_file_init(csv_file *f, const char *path, tqo_diag *diag)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->diag = diag;
}

void tqoi_csv_file_free(csv_file *f)
{
    for (int i = 0; i < f->n_cols; i++)
        free(f->cols[i]);
    free(f->cols);
    f->cols = NULL;
    f->n_cols = 0;
}

void tqoi_csv_file_error(csv_file *f, long line, const char *col, const char *fmt, ...)
{
    f->n_errors++;
    if (f->n_errors > TQO_DIAG_KEEP_PER_FILE) {
        f->diag->n_errors++; /* counted, not kept */
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[64] = "";
    if (line > 0)
        snprintf(where, sizeof where, ":%ld", line);
    if (col)
        tqo_diag_error(f->diag, "%s%s: column '%s': %s", f->path, where, col, msg);
    else
        tqo_diag_error(f->diag, "%s%s: %s", f->path, where, msg);
}

void tqoi_csv_file_finish(csv_file *f)
{
    if (f->n_errors > TQO_DIAG_KEEP_PER_FILE) {
        /* The summary line is not an error of its own. */
        tqo_diag_error(f->diag, "%s: %d errors in all, the first %d shown", f->path, f->n_errors,
                       TQO_DIAG_KEEP_PER_FILE);
        f->diag->n_errors--;
    }
}

int tqoi_csv_col(const csv_file *f, const char *name)
{
    for (int i = 0; i < f->n_cols; i++)
        if (strcasecmp(f->cols[i], name) == 0)
            return i;
    return -1;
}


/*
 * Exact fast path for plain decimals ("-123.45", "7", "0.5"): with at most
 * 15 significant digits the digits form an exact double, and dividing by an
 * exact power of ten (<= 1e22) is correctly rounded, so the result equals
 * strtod's. Anything else (exponents, long mantissas) goes to strtod.
 */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int fast_decimal(const char *s, double *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, frac = 0, seen = 0;
    while (*p >= '0' && *p <= '9') {
        if (m || *p != '0')
            digits++;
        m = m * 10 + (uint64_t)(*p++ - '0');
        seen = 1;
        if (digits > 15)
            return 0;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (m || *p != '0')
                digits++;
            m = m * 10 + (uint64_t)(*p++ - '0');
            frac++;
            seen = 1;
            if (digits > 15 || frac > 22)
                return 0;
        }
    }
    if (!seen)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return 0; /* exponent, trailing text: the slow path decides */
    double v = (double)m / POW10[frac];
    *out = neg ? -v : v;
    return 1;
}

int tqoi_csv_parse_number(const char *s, double *out)
{
    /* Plain decimals first: what the checks below accept them as, for a
       third of the work on a large history.csv. */
    if (fast_decimal(s, out))
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    /* strtod also takes hex and "infinity"; only decimal notation is a
       number here, while nan/inf are told apart as "not finite". */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p) && *p != '.') {
        if (strncasecmp(p, "nan", 3) == 0 || strncasecmp(p, "inf", 3) == 0) {
            const char *q = p + 3;
            if (strncasecmp(p, "infinity", 8) == 0)
                q = p + 8;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '\0')
                return 2;
        }
        return 1;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return 1;
    if (fast_decimal(s, out))
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return 1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return 1;
    if (!isfinite(v))
        return 2; /* overflow such as 1e999 */
    *out = v;
    return 0;
}

/* Returns 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    /* Most fields are ASCII: check 8 bytes at a time first. */
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
        i += 8;
    }
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + (size_t)len > n)
            return 0;
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += (size_t)len;
    }
    return 1;
}

typedef struct reader {
    csv_file *f;
    csv_row_fn fn;
    void *ctx;
    long cur_line;      /* physical line being fed to libcsv */
    long rec_line;      /* start line of the record being assembled */
    int header_done;
    int stop;
    int nomem; /* stopped by a failed allocation */
    /* fields of the record being assembled */
    char *buf;
    size_t buf_len, buf_cap;
    size_t *off;
    size_t *len;
    char **ptr;
    int n_fields, fields_cap;
} reader;

static int field_push(reader *r, const char *s, size_t n)
{
    if (r->n_fields == r->fields_cap) {
        int cap = r->fields_cap ? 2 * r->fields_cap : 32;
        size_t *o = realloc(r->off, (size_t)cap * sizeof *o);
        if (!o)
            return -1;
        r->off = o;
        size_t *l = realloc(r->len, (size_t)cap * sizeof *l);
        if (!l)
            return -1;
        r->len = l;
        char **p = realloc(r->ptr, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        r->ptr = p;
        r->fields_cap = cap;
    }
    if (r->buf_len + n + 1 > r->buf_cap) {
        size_t cap = r->buf_cap ? r->buf_cap : 4096;
        while (cap < r->buf_len + n + 1)
            cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b)
            return -1;
        r->buf = b;
        r->buf_cap = cap;
    }
    memcpy(r->buf + r->buf_len, s, n);
    r->buf[r->buf_len + n] = '\0';
    r->off[r->n_fields] = r->buf_len;
    r->len[r->n_fields] = n;
    r->buf_len += n + 1;
    r->n_fields++;
    return 0;
}

static void on_field(void *s, size_t n, void *data)
{
    reader *r = data;
    if (r->stop)
        return;
    if (r->n_fields == 0) {
        long nl = 0;
        for (size_t i = 0; i < n; i++)
            nl += ((const char *)s)[i] == '\n';
        r->rec_line = r->cur_line - nl;
    }
    if (field_push(r, s ? s : "", s ? n : 0) != 0) {
        r->stop = r->nomem = 1;
    }
}

static void take_header(reader *r)
{
    csv_file *f = r->f;
    if (r->n_fields <= 0) {
        r->stop = 1;
        return;
    }
    f->cols = calloc((size_t)r->n_fields, sizeof *f->cols);
    if (!f->cols) {
        r->stop = r->nomem = 1;
        return;
    }
    f->n_cols = r->n_fields;
    for (int i = 0; i < r->n_fields; i++) {
        const char *s = r->buf + r->off[i];
        size_t n = r->len[i];
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        f->cols[i] = strndup(s, n);
        if (!f->cols[i]) {
            f->n_cols = i; /* the names read so far, all set */
            r->stop = r->nomem = 1;
            return;
        }
    }
    int bad = 0;
    if (f->n_cols == 1 && strchr(f->cols[0], ';')) {
        tqoi_csv_file_error(f, r->rec_line, NULL,
                       "the header has semicolons but no commas: tqo reads comma-separated files");
        bad = 1;
    }
    for (int i = 0; i < f->n_cols && !bad; i++) {
        if (!f->cols[i][0]) {
            tqoi_csv_file_error(f, r->rec_line, NULL, "column %d of the header has no name", i + 1);
            bad = 1;
        }
        for (int j = 0; j < i && !bad; j++)
            if (strcasecmp(f->cols[i], f->cols[j]) == 0) {
                tqoi_csv_file_error(f, r->rec_line, f->cols[i], "appears twice in the header");
                bad = 1;
            }
    }
    if (bad)
        r->stop = 1;
}

static void on_record(int c, void *data)
{
    (void)c;
    reader *r = data;
    if (r->stop) {
        r->n_fields = 0;
        r->buf_len = 0;
        return;
    }
    for (int i = 0; i < r->n_fields; i++) {
        if (!utf8_valid((const unsigned char *)r->buf + r->off[i], r->len[i])) {
            const char *col = r->header_done && i < r->f->n_cols ? r->f->cols[i] : NULL;
            if (col)
                tqoi_csv_file_error(r->f, r->rec_line, col, "invalid UTF-8 (save the file as UTF-8)");
            else
                tqoi_csv_file_error(r->f, r->rec_line, NULL, "field %d: invalid UTF-8 (save the file as UTF-8)",
                               i + 1);
            r->n_fields = 0;
            r->buf_len = 0;
            if (!r->header_done)
                r->stop = 1;
            return;
        }
    }
    if (!r->header_done) {
        r->header_done = 1;
        take_header(r);
    } else if (r->n_fields != r->f->n_cols) {
        tqoi_csv_file_error(r->f, r->rec_line, NULL, "row has %d field%s, the header has %d", r->n_fields,
                       r->n_fields == 1 ? "" : "s", r->f->n_cols);
    } else {
        for (int i = 0; i < r->n_fields; i++)
            r->ptr[i] = r->buf + r->off[i];
        csv_row row = {r->rec_line, r->n_fields, r->ptr, r->len};
        int errors = r->f->n_errors;
        if (r->fn(r->ctx, r->f, &row) != 0) {
            /* a row function stops with an error of its own, or without
               one when an allocation failed */
            r->stop = 1;
            r->nomem |= r->f->n_errors == errors;
        }
    }
    r->n_fields = 0;
    r->buf_len = 0;
}

/* Feeds s[0..n) to p one physical line at a time (see the top of this
   file); -1 after reporting malformed CSV. */
static int feed_lines(reader *r, struct csv_parser *p, char *s, size_t n)
{
    while (n && !r->stop) {
        char *nl = memchr(s, '\n', n);
        size_t seg = nl ? (size_t)(nl - s) + 1 : n;
        if (csv_parse(p, s, seg, on_field, on_record, r) != seg) {
            tqoi_csv_file_error(r->f, r->cur_line, NULL, "malformed CSV (%s): a quote inside an unquoted "
                                "field, or text after a closing quote", csv_strerror(csv_error(p)));
            r->stop = 1;
            return -1;
        }
        s += seg;
        n -= seg;
        if (nl)
            r->cur_line++;
    }
    return 0;
}

static void reader_free(reader *r)
{
    free(r->buf);
    free(r->off);
    free(r->len);
    free(r->ptr);
}

tqo_status tqoi_csv_read(csv_file *f, csv_row_fn fn, void *ctx)
{
    FILE *fp = fopen(f->path, "rb");
    if (!fp) {
        tqoi_csv_file_error(f, 0, NULL, "cannot open: %s", strerror(errno));
        return TQO_ERR_INPUT;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(fp);
        tqoi_csv_file_error(f, 0, NULL, "out of memory");
        return TQO_ERR_NOMEM;
    }
    reader r;
    memset(&r, 0, sizeof r);
    r.f = f;
    r.fn = fn;
    r.ctx = ctx;
    r.cur_line = 1;
    char *chunk = malloc(READ_CHUNK);
    tqo_status st = TQO_OK;
    int first = 1;
    size_t total = 0;
    while (chunk && !r.stop) {
        size_t n = fread(chunk, 1, READ_CHUNK, fp);
        if (n == 0) {
            if (ferror(fp)) {
                tqoi_csv_file_error(f, 0, NULL, "read error: %s", strerror(errno));
                st = TQO_ERR_INPUT;
            }
            break;
        }
        char *s = chunk;
        if (first && n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF) {
            s += 3;
            n -= 3;
        }
        first = 0;
        total += n;
        if (feed_lines(&r, &p, s, n) != 0) {
            st = TQO_ERR_INPUT;
            break;
        }
    }
    if (!chunk || r.nomem) {
        tqoi_csv_file_error(f, 0, NULL, "out of memory");
        st = TQO_ERR_NOMEM;
    }
    if (st == TQO_OK && !r.stop && csv_fini(&p, on_field, on_record, &r) != 0) {
        tqoi_csv_file_error(f, r.rec_line, NULL, "malformed CSV: a quoted field is not closed before the end "
                       "of the file");
        st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK && !r.header_done && f->n_errors == 0) {
        tqoi_csv_file_error(f, 0, NULL, total ? "has no header row" : "file is empty (a header row is needed)");
        st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK && r.header_done && !f->cols)
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK && f->n_errors)
        st = TQO_ERR_INPUT;
    csv_free(&p);
    fclose(fp);
    free(chunk);
    reader_free(&r);
    return st;
}

/* ------------------------------------------------------------------ */
/* Reading in parts on several threads                                 */

/* Below this a file is read in one part: the threads cost more than they
   save. */
#define PARTS_MIN_BYTES (256 * 1024)
#define PARTS_MAX 16

/* One part of a file, read on its own thread into its own errors. */
typedef struct part {
    csv_file f;
    tqo_diag diag;
    off_t from, to;
    long first_line, end_line; /* physical line numbers, counted from the part's start */
    int clean;                 /* read to its end: no error, no stop, no quote character */
} part;

/* The header: the file's first line, without quotes; *data_from is where
   the rows start. Nonzero when the file should be read in one part. */
static int parts_header(int fd, csv_file *h, off_t *data_from, char *buf, size_t size)
{
    ssize_t got = pread(fd, buf, size, 0);
    if (got <= 0)
        return -1;
    size_t skip = got >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
                  (unsigned char)buf[2] == 0xBF ? 3 : 0;
    char *nl = memchr(buf + skip, '\n', (size_t)got - skip);
    if (!nl || memchr(buf + skip, '"', (size_t)(nl - buf) - skip))
        return -1;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    reader r;
    memset(&r, 0, sizeof r);
    r.f = h;
    r.cur_line = 1;
    int bad = feed_lines(&r, &p, buf + skip, (size_t)(nl - buf) + 1 - skip) != 0;
    bad |= !r.header_done || r.stop || !h->cols || h->n_errors;
    csv_free(&p);
    reader_free(&r);
    *data_from = (off_t)(nl - buf) + 1;
    return bad ? -1 : 0;
}

/* Reads part P's bytes as data rows (the header is taken) through fn. */
static void parts_read(int fd, part *P, const csv_file *h, csv_row_fn fn, void *ctx)
{
    P->f.n_cols = h->n_cols;
    P->f.cols = h->cols; /* shared, read only */
    reader r;
    memset(&r, 0, sizeof r);
    r.f = &P->f;
    r.fn = fn;
    r.ctx = ctx;
    r.cur_line = P->first_line;
    r.header_done = 1;
    struct csv_parser p;
    char *chunk = malloc(READ_CHUNK);
    int inited = chunk && csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) == 0;
    int ok = inited;
    for (off_t at = P->from; ok && at < P->to && !r.stop;) {
        size_t want = P->to - at < READ_CHUNK ? (size_t)(P->to - at) : READ_CHUNK;
        ssize_t got = pread(fd, chunk, want, at);
        /* a quoted field may hold a newline, so a part may start inside
           one: any quote sends the file back to one part */
        if (got <= 0 || memchr(chunk, '"', (size_t)got)) {
            ok = 0;
            break;
        }
        at += got;
        ok = feed_lines(&r, &p, chunk, (size_t)got) == 0;
    }
    if (ok && !r.stop && csv_fini(&p, on_field, on_record, &r) != 0)
        ok = 0;
    P->clean = ok && !r.stop && !r.nomem && P->f.n_errors == 0;
    P->end_line = r.cur_line;
    P->f.cols = NULL;
    P->f.n_cols = 0;
    if (inited)
        csv_free(&p);
    free(chunk);
    reader_free(&r);
}

/* Part borders: after the first newline at or past each even share of
   the rows' bytes. Nonzero when a share holds no newline. */
static int parts_split(int fd, off_t from, off_t size, int n, part *P, char *buf, size_t bsize)
{
    P[0].from = from;
    for (int k = 1; k < n; k++) {
        off_t at = from + (size - from) / n * k;
        ssize_t got = pread(fd, buf, bsize, at);
        char *nl = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
        if (!nl || at + (nl - buf) + 1 >= size || at + (nl - buf) + 1 <= P[k - 1].from)
            return -1;
        P[k].from = at + (nl - buf) + 1;
        P[k - 1].to = P[k].from;
    }
    P[n - 1].to = size;
    return 0;
}

int tqoi_csv_read_parts(csv_file *f, int n, csv_row_fn fn, void *const *ctx, long *line_base)
{
    if (n > PARTS_MAX)
        n = PARTS_MAX;
    int fd = n > 1 ? open(f->path, O_RDONLY) : -1;
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size < PARTS_MIN_BYTES) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    csv_file h;
    tqoi_csv_file_init(&h, f->path, f->diag);
    tqo_diag hd; /* a bad header is told by the reading in one part */
    tqo_diag_init(&hd);
    h.diag = &hd;
    part P[PARTS_MAX];
    memset(P, 0, sizeof P);
    off_t from = 0;
    size_t bsize = 65536;
    char *buf = malloc(bsize);
    int ok = buf && parts_header(fd, &h, &from, buf, bsize) == 0 &&
             parts_split(fd, from, sb.st_size, n, P, buf, bsize) == 0;
    free(buf);
    for (int k = 0; k < n; k++) {
        tqo_diag_init(&P[k].diag);
        tqoi_csv_file_init(&P[k].f, f->path, &P[k].diag);
        P[k].first_line = k == 0 ? 2 : 1;
    }
    if (ok) {
#pragma omp parallel for schedule(static, 1) num_threads(n)
        for (int k = 0; k < n; k++)
            parts_read(fd, &P[k], &h, fn, ctx[k]);
    }
    long base = 0;
    for (int k = 0; k < n; k++) {
        ok &= P[k].clean;
        line_base[k] = base;
        base += P[k].end_line - 1; /* part k + 1 starts on the line after part k's last newline */
        tqo_diag_free(&P[k].diag);
    }
    close(fd);
    tqo_diag_free(&hd);
    if (!ok) {
        tqoi_csv_file_free(&h);
        return 0;
    }
    f->cols = h.cols;
    f->n_cols = h.n_cols;
    return n;
}
