/*
 * Streaming CSV reading over libcsv (strict mode) for the instance loaders:
 * physical line numbers (libcsv counts none), UTF-8 BOM and validation,
 * header lookup by name, and per-file error reporting with a cap.
 */
#ifndef TQO_CSV_READER_H
#define TQO_CSV_READER_H

#include "tqo.h"

/* Errors of one file: the first TQO_DIAG_KEEP_PER_FILE are kept in diag,
   the rest only counted; tqoi_csv_file_finish adds the closing count. */
typedef struct csv_file {
    const char *path;   /* as shown in messages */
    tqo_diag *diag;
    int n_errors;
    /* header, valid during and after reading */
    int n_cols;
    char **cols;
} csv_file;

void tqoi_csv_file_init(csv_file *f, const char *path, tqo_diag *diag);
void tqoi_csv_file_free(csv_file *f);
/* "path:line: column 'col': ..." (col may be NULL, line 0 omits the line). */
void tqoi_csv_file_error(csv_file *f, long line, const char *col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void tqoi_csv_file_finish(csv_file *f);

/* One record: fields are NUL-terminated copies valid during the callback. */
typedef struct csv_row {
    long line;          /* physical line where the record starts */
    int n;
    char **field;
    size_t *len;
} csv_row;

/* Called for every data row (the header is taken by the reader). Return 0
   to go on, non-zero to stop reading. */
typedef int (*csv_row_fn)(void *ctx, csv_file *f, const csv_row *row);

/*
 * Reads the file: the header into f->cols (names trimmed), then each data
 * row to fn. Missing, unreadable or empty files, malformed quoting and
 * invalid UTF-8 are reported as errors of f. Rows with the wrong number of
 * fields are reported here and not passed on. Returns TQO_OK, or
 * TQO_ERR_INPUT when the file could not be read to its end.
 */
tqo_status tqoi_csv_read(csv_file *f, csv_row_fn fn, void *ctx);

/*
 * Reads the file's data rows in n parts at once, each on its own thread
 * with its own libcsv parser: part k's rows go to fn with ctx[k], in file
 * order within the part, and their line numbers plus line_base[k] are the
 * file's physical line numbers. Returns n when every part was read without
 * any error (f->cols then holds the header), else 0 with f untouched and
 * nothing reported: the caller resets its contexts and reads the file with
 * tqoi_csv_read, which tells the errors. Also 0 for small files, a quote
 * anywhere (a quoted field may hold a newline) or n < 2.
 */
int tqoi_csv_read_parts(csv_file *f, int n, csv_row_fn fn, void *const *ctx, long *line_base);

/* Column index by name, case-insensitive, or -1. */
int tqoi_csv_col(const csv_file *f, const char *name);

/* Number parsing as the loaders want it: 0 ok, 1 not a number, 2 not finite. */
int tqoi_csv_parse_number(const char *s, double *out);

#endif
