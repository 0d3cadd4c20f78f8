/* util/dtoa and the writers built on it: byte for byte what glibc's printf
   (and the strtod read-back loop it replaced) writes, on random doubles of
   every magnitude, on short decimals and their neighbours, on exact ties,
   and around powers of two and ten; and the fast paths really taken where
   dtoa.h says they are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv_writer.h"
#include "util/dtoa.h"
#include "util/fmt.h"
#include "util/json_writer.h"

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* What tqoi_jw_format_double did before dtoa: the reference. */
static void ref_roundtrip(double v, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* What tqoi_fmt_fixed did before: llround of the scaled value, printf's
   integer digits. */
static void ref_fmt_fixed(double v, int decimals, char *buf, size_t size)
{
    static const double P10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scaled = v * P10[decimals];
    if (!isfinite(v)) {
        buf[0] = 0;
        return;
    }
    if (fabs(scaled) >= 9e15) {
        snprintf(buf, size, "%.*f", decimals, v);
        return;
    }
    long long n = llround(scaled);
    unsigned long long u = (unsigned long long)(n < 0 ? -n : n), den = (unsigned long long)P10[decimals];
    if (decimals == 0)
        snprintf(buf, size, "%s%llu", n < 0 ? "-" : "", u);
    else
        snprintf(buf, size, "%s%llu.%0*llu", n < 0 ? "-" : "", u / den, decimals, u % den);
}

static long fast_fixed, fast_general, fast_roundtrip;

/* Every conversion of v against its reference; counts the fast paths. */
static void check(double v)
{
    char want[64], got[TQOI_DTOA_BUF], msg[160];
    double a = fabs(v);
    for (int d = 0; d <= 9; d++) {
        snprintf(want, sizeof want, "%.*f", d, v);
        int n = tqoi_dtoa_fixed(v, d, got);
        if (n >= 0) {
            fast_fixed++;
            snprintf(msg, sizeof msg, "%%.%df of %a", d, v);
            if (strcmp(got, want) != 0 || n != (int)strlen(want))
                fail_msg("%s: '%s', printf '%s'", msg, got, want);
        } else if (a < 1e9) {
            fail_msg("%%.%df of %a (%.17g) not on the fast path", d, v, v);
        }
        char long_want[400], long_got[400]; /* DBL_MAX has 309 digits */
        ref_fmt_fixed(v, d, long_want, sizeof long_want);
        tqoi_fmt_fixed(long_got, sizeof long_got, v, d);
        if (strcmp(long_got, long_want) != 0)
            fail_msg("tqoi_fmt_fixed(%a, %d): '%s', before '%s'", v, d, long_got, long_want);
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(want, sizeof want, "%.*g", p, v);
        int n = tqoi_dtoa_general(v, p, got);
        if (n >= 0) {
            fast_general++;
            if (strcmp(got, want) != 0 || n != (int)strlen(want))
                fail_msg("%%.%dg of %a: '%s', printf '%s'", p, v, got, want);
        } else if (a >= 1e-4 && a < 1e15 && a < pow(10, p - 1)) {
            fail_msg("%%.%dg of %a (%.17g) not on the fast path", p, v, v);
        }
    }
    ref_roundtrip(v, want, sizeof want);
    int n = tqoi_dtoa_roundtrip(v, got);
    if (n >= 0) {
        fast_roundtrip++;
        if (strcmp(got, want) != 0)
            fail_msg("round trip of %a: '%s', reference '%s'", v, got, want);
    } else if (a >= 1e-4 && a < 9e14) {
        fail_msg("round trip of %a (%.17g) not on the fast path", v, v);
    }
    if (v != 0) { /* the writer keeps its own "0" for both zeros */
        tqoi_jw_format_double(v, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("tqoi_jw_format_double(%a): '%s', reference '%s'", v, got, want);
    }
}

static void check_both_signs(double v)
{
    check(v);
    check(-v);
}

static void test_random_bits(void **s)
{
    (void)s;
    /* magnitudes 2^-40 .. 2^70: both sides of every fast range */
    for (int i = 0; i < 40000; i++) {
        uint64_t m = next() & ((UINT64_C(1) << 52) - 1);
        int e = (int)(next() % 111) - 40;
        uint64_t bits = m | ((uint64_t)(e + 1023) << 52) | (next() & (UINT64_C(1) << 63));
        double v;
        memcpy(&v, &bits, sizeof v);
        check(v);
    }
}

static void test_short_decimals_and_neighbours(void **s)
{
    (void)s;
    /* amounts, percentages and probabilities as the files hold them */
    for (int i = 0; i < 15000; i++) {
        int digits = 1 + (int)(next() % 17), dec = (int)(next() % 13);
        double n = (double)(next() % (uint64_t)pow(10, digits));
        double v = n / pow(10, dec);
        check_both_signs(v);
        check_both_signs(nextafter(v, INFINITY));
        check_both_signs(nextafter(v, 0));
    }
}

static void test_exact_ties(void **s)
{
    (void)s;
    /* i + (2t+1)/2^j: the digit after the last printed one is exactly 5
       for some precisions, where printf rounds half to even */
    for (int j = 1; j <= 12; j++)
        for (int t = 0; t < (1 << (j - 1)) && t < 64; t++)
            for (int i = 0; i < 40; i++) {
                double base = (double)(i % 4 == 0 ? i : (int64_t)(next() % 100000000));
                check_both_signs(base + (2.0 * t + 1) / ldexp(1, j));
            }
}

static void test_powers_of_two_and_ten(void **s)
{
    (void)s;
    for (int e = -30; e <= 60; e++) {
        double v = ldexp(1, e);
        check_both_signs(v);
        check_both_signs(nextafter(v, 0));
        check_both_signs(nextafter(v, INFINITY));
    }
    for (int e = -6; e <= 17; e++) {
        double v = pow(10, e);
        for (int k = 0; k < 4; k++) {
            check_both_signs(v);
            check_both_signs(v * (1 - 1e-16 * k));
            check_both_signs(v * (1 + 1e-16 * k));
            v = nextafter(v, 0);
        }
        check_both_signs(9.5 * pow(10, e));
        check_both_signs(9.9999999999999995 * pow(10, e));
    }
    check(0.0);
    check(-0.0);
    check(INFINITY);
    check(-INFINITY);
    check(NAN);
    check(5e-324);
    check(2.2250738585072014e-308);
    check(1.7976931348623157e308);
}

static void test_writers_and_truncation(void **s)
{
    (void)s;
    static const double V[] = {0, -0.0, 0.125, -0.005, 2.675, 1234567.895, 1e-7, 123456789012.345, 0.1, NAN};
    char *got = NULL, *want = NULL;
    size_t ng = 0, nw = 0;
    FILE *g = open_memstream(&got, &ng), *w = open_memstream(&want, &nw);
    assert_non_null(g);
    assert_non_null(w);
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        tqoi_csv_put_money(g, V[i]);
        tqoi_csv_put_num(g, V[i]);
        fputc(';', g);
        char b[64];
        if (isfinite(V[i])) {
            fprintf(w, "%.2f", V[i]);
            ref_roundtrip(V[i], b, sizeof b);
            fputs(V[i] == 0 ? "0" : b, w);
        }
        fputc(';', w);
    }
    fclose(g);
    fclose(w);
    assert_string_equal(got, want);
    free(got);
    free(want);
    /* as snprintf: the full length returned, the text cut to fit */
    char small[6];
    assert_int_equal(tqoi_fmt_fixed(small, sizeof small, -1234.5678, 3), 9);
    assert_string_equal(small, "-1234");
    assert_int_equal(tqoi_fmt_fixed(NULL, 0, 3.14159, 2), 4);
}

static void test_fast_paths_taken(void **s)
{
    (void)s;
    /* the earlier tests ran through check(), which counted */
    assert_true(fast_fixed > 500000);
    assert_true(fast_general > 500000);
    assert_true(fast_roundtrip > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_bits),
        cmocka_unit_test(test_short_decimals_and_neighbours),
        cmocka_unit_test(test_exact_ties),
        cmocka_unit_test(test_powers_of_two_and_ten),
        cmocka_unit_test(test_writers_and_truncation),
        cmocka_unit_test(test_fast_paths_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
