/* Period labels: YYYY, YYYYQn and YYYY-MM, as consecutive ordinals. */
#include "tqo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int tqo_period_parse(const char *s, tqo_period_kind *kind, int *ordinal)
{
    size_t n = strlen(s);
    if (n < 4)
        return 0;
    int year = digits(s, 4);
    if (year < 1000) /* also rejects non-digits (-1) */
        return 0;
    if (n == 4) {
        *kind = TQO_PERIOD_YEAR;
        *ordinal = year;
        return 1;
    }
    if (n == 6 && (s[4] == 'Q' || s[4] == 'q') && s[5] >= '1' && s[5] <= '4') {
        *kind = TQO_PERIOD_QUARTER;
        *ordinal = year * 4 + (s[5] - '1');
        return 1;
    }
    if (n == 7 && s[4] == '-') {
        int m = digits(s + 5, 2);
        if (m < 1 || m > 12)
            return 0;
        *kind = TQO_PERIOD_MONTH;
        *ordinal = year * 12 + m - 1;
        return 1;
    }
    return 0;
}

void tqo_period_format(tqo_period_kind kind, int ordinal, char *buf, size_t size)
{
    switch (kind) {
    case TQO_PERIOD_YEAR: snprintf(buf, size, "%04d", ordinal); break;
    case TQO_PERIOD_QUARTER: snprintf(buf, size, "%04dQ%d", ordinal / 4, ordinal % 4 + 1); break;
    case TQO_PERIOD_MONTH: snprintf(buf, size, "%04d-%02d", ordinal / 12, ordinal % 12 + 1); break;
    default: snprintf(buf, size, "?"); break;
    }
}

int tqo_period_year(tqo_period_kind kind, int ordinal)
{
    return kind == TQO_PERIOD_NONE ? ordinal : ordinal / (int)kind;
}

const char *tqo_period_kind_name(tqo_period_kind kind)
{
    switch (kind) {
    case TQO_PERIOD_YEAR: return "yearly";
    case TQO_PERIOD_QUARTER: return "quarterly";
    case TQO_PERIOD_MONTH: return "monthly";
    default: return "none";
    }
}
