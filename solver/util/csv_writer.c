/* Writing CSV cells (see csv_writer.h). */
#include "util/csv_writer.h"
#include "util/dtoa.h"
#include "util/fmt.h"
#include "util/json_writer.h"

#include <csv.h>
#include <math.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<stdio_ext.h>)
#include <stdio_ext.h>
#define HAVE_STDIO_EXT 1
#endif
#endif

void tqoi_csv_put_field(FILE *fp, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0)
        return;
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' && s[len - 1] != '\t')
        fwrite(s, 1, len, fp);
    else
        csv_fwrite(fp, s, len);
}

void tqoi_csv_put_num(FILE *fp, double v)
{
    if (!isfinite(v))
        return;
    char buf[40];
    tqoi_jw_format_double(v, buf, sizeof buf);
    fputs(buf, fp);
}

void tqoi_csv_put_money(FILE *fp, double v)
{
    char buf[TQOI_DTOA_BUF];
    if (tqoi_dtoa_fixed(v, 2, buf) >= 0)
        fputs(buf, fp);
    else if (isfinite(v))
        fprintf(fp, "%.2f", v);
}

void tqoi_csv_put_fixed(FILE *fp, double v, int decimals)
{
    char buf[64];
    if (tqoi_fmt_fixed(buf, sizeof buf, v, decimals) > 0)
        fputs(buf, fp);
}

int tqoi_stream_unlocked(FILE *fp)
{
#ifdef HAVE_STDIO_EXT
    return __fsetlocking(fp, FSETLOCKING_BYCALLER);
#else
    (void)fp;
    return 0;
#endif
}

void tqoi_stream_restore(FILE *fp, int mode)
{
#ifdef HAVE_STDIO_EXT
    __fsetlocking(fp, mode);
#else
    (void)fp;
    (void)mode;
#endif
}
