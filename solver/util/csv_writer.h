/* Writing CSV cells the way tqo's own reader reads them back (internal). */
#ifndef TQO_CSV_WRITER_H
#define TQO_CSV_WRITER_H

#include <stdio.h>

/* A text field, quoted only where a reader would otherwise misread it:
   separators, quotes, line breaks, and spaces at either end (the loader
   trims those around unquoted fields). NULL and "" write nothing. */
void tqoi_csv_put_field(FILE *fp, const char *s);
/* Shortest round-trip decimal; nothing (an empty cell) for NAN or inf. */
void tqoi_csv_put_num(FILE *fp, double v);
/* Amounts in cents, with two decimals; nothing for NAN or inf. */
void tqoi_csv_put_money(FILE *fp, double v);
/* A fixed number of decimals (tqoi_fmt_fixed); nothing for NAN or inf. */
void tqoi_csv_put_fixed(FILE *fp, double v, int decimals);

/* A stream written by one thread at a time (a thread's own memory stream,
   or a file written only inside an ordered section) need not lock on every
   call: once a process has threads, glibc locks each fputc, which cost the
   scenario files' formatting on two threads a tenth more work than on one.
   Returns the previous mode for tqoi_stream_restore; where <stdio_ext.h>
   is missing both do nothing and the stream keeps locking. */
int tqoi_stream_unlocked(FILE *fp);
void tqoi_stream_restore(FILE *fp, int mode);

#endif
