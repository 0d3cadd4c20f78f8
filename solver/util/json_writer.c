/* A small streaming JSON writer (see json_writer.h). */
#include "util/json_writer.h"
#include "util/dtoa.h"
#include "util/fmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tqoi_jw_init(jw *w, FILE *fp)
{
    memset(w, 0, sizeof *w);
    w->fp = fp;
}

static void indent(jw *w)
{
    fputc('\n', w->fp);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->fp);
}

static void put_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20)
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

/* Separator, indentation and key before a value. */
static void item(jw *w, const char *key)
{
    if (w->depth > 0) {
        int flat = w->flat[w->depth];
        if (w->count[w->depth]++)
            fputs(flat ? ", " : ",", w->fp);
        if (!flat)
            indent(w);
    }
    if (key) {
        put_string(w->fp, key);
        fputs(": ", w->fp);
    }
}

static void open(jw *w, const char *key, char c)
{
    item(w, key);
    fputc(c, w->fp);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->count[w->depth] = 0;
    w->flat[w->depth] = 0;
}

static void close(jw *w, char c)
{
    int had = w->count[w->depth] && !w->flat[w->depth];
    w->depth--;
    if (had)
        indent(w);
    fputc(c, w->fp);
}

void tqoi_jw_object(jw *w, const char *key) { open(w, key, '{'); }
void tqoi_jw_object_end(jw *w) { close(w, '}'); }
void tqoi_jw_array(jw *w, const char *key) { open(w, key, '['); }
void tqoi_jw_array_end(jw *w) { close(w, ']'); }

void tqoi_jw_array_flat(jw *w, const char *key)
{
    open(w, key, '[');
    w->flat[w->depth] = 1;
}

void tqoi_jw_string(jw *w, const char *key, const char *v)
{
    item(w, key);
    if (v)
        put_string(w->fp, v);
    else
        fputs("null", w->fp);
}

void tqoi_jw_format_double(double v, char *buf, size_t size)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    char fast[TQOI_DTOA_BUF];
    int len = tqoi_dtoa_roundtrip(v, fast);
    if (len >= 0 && (size_t)len < size) {
        memcpy(buf, fast, (size_t)len + 1);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void tqoi_jw_number(jw *w, const char *key, double v)
{
    item(w, key);
    if (!isfinite(v)) {
        fputs("null", w->fp);
        return;
    }
    char buf[64];
    tqoi_jw_format_double(v, buf, sizeof buf);
    fputs(buf, w->fp);
}

void tqoi_jw_fixed(jw *w, const char *key, double v, int decimals)
{
    item(w, key);
    char buf[64];
    if (tqoi_fmt_fixed(buf, sizeof buf, v, decimals) > 0)
        fputs(buf, w->fp);
    else
        fputs("null", w->fp);
}

void tqoi_jw_int(jw *w, const char *key, long long v)
{
    item(w, key);
    fprintf(w->fp, "%lld", v);
}

void tqoi_jw_bool(jw *w, const char *key, int v)
{
    item(w, key);
    fputs(v ? "true" : "false", w->fp);
}

void tqoi_jw_null(jw *w, const char *key)
{
    item(w, key);
    fputs("null", w->fp);
}

void tqoi_jw_finish(jw *w)
{
    fputc('\n', w->fp);
}
