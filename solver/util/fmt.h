/* Number formatting for messages and summaries read by people. Internal. */
#ifndef TQO_FMT_H
#define TQO_FMT_H

#include <stddef.h>

/* 1234567.8 -> "1,234,568"; below 1000 four significant digits ("332.5");
   non-finite values print as nonfinite. */
void tqoi_fmt_thousands(char *buf, size_t size, double v, const char *nonfinite);

/* v with exactly `decimals` (0..9) decimals, "-0.00" printed as "0.00":
   a fast path for the millions of amounts and percentages in scenario
   files, where printf's exact decimal conversion dominates the run.
   Returns the length; non-finite values give "". */
int tqoi_fmt_fixed(char *buf, size_t size, double v, int decimals);

#endif
