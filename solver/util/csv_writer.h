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

#endif
