/* Number formatting for people (see fmt.h). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void fmt_thousands(char *buf, size_t size, double v, const char *nonfinite)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", nonfinite);
        return;
    }
    if (fabs(v) < 1000) {
        snprintf(buf, size, "%.4g", v);
        return;
    }
    char raw[48];
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    size_t len = strlen(raw), k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < len && k + 2 < size; i++) {
        buf[k++] = raw[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len)
            buf[k++] = ',';
    }
    buf[k] = '\0';
}
