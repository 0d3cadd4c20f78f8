/* The public number formatting of tqo.h (and one CSV cell): thin wrappers,
   so that callers of the library print numbers and ids exactly as its own
   files and summaries do. */
#include "util/csv_writer.h"
#include "util/fmt.h"
#include "util/json_writer.h"
#include "tqo.h"

void tqo_format_double(double v, char *buf, size_t size)
{
    if (!buf || !size)
        return;
    tqoi_jw_format_double(v, buf, size);
}

void tqo_format_thousands(double v, const char *nonfinite, char *buf, size_t size)
{
    if (!buf || !size)
        return;
    tqoi_fmt_thousands(buf, size, v, nonfinite ? nonfinite : "");
}

void tqo_csv_put_field(FILE *fp, const char *s)
{
    if (fp)
        tqoi_csv_put_field(fp, s);
}
