/* Number formatting for people (see fmt.h). */
#include "util/fmt.h"
#include "util/dtoa.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void tqoi_fmt_thousands(char *buf, size_t size, double v, const char *nonfinite)
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

int tqoi_fmt_fixed(char *buf, size_t size, double v, int decimals)
{
    static const double P10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!isfinite(v)) {
        if (size)
            buf[0] = 0;
        return 0;
    }
    double scaled = v * P10[decimals];
    if (fabs(scaled) >= 9e15) /* beyond exact integers: let printf do it */
        return snprintf(buf, size, "%.*f", decimals, v);
    /* llround's digits with the point put in, without printf's cost per
       call; "-0.00" prints as "0.00" (the sign is the integer's) */
    int64_t n = llround(scaled);
    char out[TQOI_DTOA_BUF];
    int len = tqoi_dtoa_put_scaled(n < 0, (uint64_t)(n < 0 ? -n : n), decimals, out);
    if (size) {
        size_t c = (size_t)len < size ? (size_t)len : size - 1;
        memcpy(buf, out, c);
        buf[c] = '\0';
    }
    return len;
}
