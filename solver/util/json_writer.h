/* A small streaming JSON writer for the summary files (pretty-printed,
   deterministic number formatting). */
#ifndef TQO_JSON_WRITER_H
#define TQO_JSON_WRITER_H

#include <stdio.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
    FILE *fp;
    int depth;
    int count[JW_MAX_DEPTH]; /* items written at each depth */
    unsigned char flat[JW_MAX_DEPTH]; /* items on one line */
} jw;

void tqoi_jw_init(jw *w, FILE *fp);
/* key is NULL inside arrays and for the top-level value. */
void tqoi_jw_object(jw *w, const char *key);
void tqoi_jw_object_end(jw *w);
void tqoi_jw_array(jw *w, const char *key);
void tqoi_jw_array_end(jw *w);
/* An array of scalars written on one line: long per-territory series
   stay readable and a fraction of the size. Close with tqoi_jw_array_end. */
void tqoi_jw_array_flat(jw *w, const char *key);
void tqoi_jw_string(jw *w, const char *key, const char *v); /* NULL writes null */
void tqoi_jw_number(jw *w, const char *key, double v);      /* non-finite writes null */
void tqoi_jw_int(jw *w, const char *key, long long v);
/* v with a fixed number of decimals (tqoi_fmt_fixed); non-finite writes null. */
void tqoi_jw_fixed(jw *w, const char *key, double v, int decimals);
void tqoi_jw_bool(jw *w, const char *key, int v);
void tqoi_jw_null(jw *w, const char *key);
/* Ends the document with a newline. */
void tqoi_jw_finish(jw *w);

/* Shortest "%.{15..17}g" that reads back as v: stable, readable output. */
void tqoi_jw_format_double(double v, char *buf, size_t size);

#endif
