/* Exact decimal conversion of doubles without printf (internal).

   tqo's files hold millions of numbers, and glibc's printf converts each
   through arbitrary-precision arithmetic: in a scenario sweep that was a
   third of the command. These functions compute the same correctly rounded
   digits with 128-bit integers and write exactly the bytes glibc's printf
   writes (round half to even on exact ties, "-0.00" for a negative amount
   that rounds to zero), so no output file changes.

   Each handles the range where its arithmetic is exact and returns -1
   elsewhere (tiny or huge magnitudes, non-finite values, a compiler without
   128-bit integers); the caller then calls snprintf, which stays the
   reference. buf must hold TQOI_DTOA_BUF bytes. */
#ifndef TQO_DTOA_H
#define TQO_DTOA_H

#include <stdint.h>

#define TQOI_DTOA_BUF 40

/* q / 10^decimals written with exactly `decimals` (0..9) decimals, '-'
   first when neg, as printf's "%s%llu.%0*llu" would; returns the length.
   Any build (no 128-bit integers needed). */
int tqoi_dtoa_put_scaled(int neg, uint64_t q, int decimals, char *buf);

/* snprintf(buf, size, "%.*f", decimals, v) for decimals 0..9 and |v| below
   about 1.8e10 * 10^(9 - decimals); returns the length, or -1. */
int tqoi_dtoa_fixed(double v, int decimals, char *buf);

/* snprintf(buf, size, "%.*g", prec, v) for prec 1..17 where %g prints no
   exponent and 1e-4 <= |v| < 2^52, and for 0; returns the length, or -1. */
int tqoi_dtoa_general(double v, int prec, char *buf);

/* The shortest of "%.15g", "%.16g" that strtod reads back as v, else
   "%.17g" (tqoi_jw_format_double's rule), deciding the read-back exactly
   instead of calling strtod; same range as tqoi_dtoa_general. */
int tqoi_dtoa_roundtrip(double v, char *buf);

#endif
