/* Exact decimal conversion of doubles (see dtoa.h).

   A finite double is m * 2^e with an integer m < 2^53. Its value times
   10^k, rounded to an integer, is (m * 10^k) / 2^-e rounded: with k <= 22
   the product stays below 2^127, so the quotient, the remainder and the
   tie are exact, which is what printf's arbitrary precision buys. */
#include "util/dtoa.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The decimal digits of u, most significant first; returns their count. */
static int digits(uint64_t u, char *out)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

int tqoi_dtoa_put_scaled(int neg, uint64_t q, int decimals, char *buf)
{
    char d[24];
    int nd = digits(q, d), len = 0;
    if (neg)
        buf[len++] = '-';
    if (nd <= decimals) { /* pad to one integer digit and the decimals */
        memmove(d + (decimals + 1 - nd), d, (size_t)nd);
        memset(d, '0', (size_t)(decimals + 1 - nd));
        nd = decimals + 1;
    }
    memcpy(buf + len, d, (size_t)(nd - decimals));
    len += nd - decimals;
    if (decimals > 0) {
        buf[len++] = '.';
        memcpy(buf + len, d + nd - decimals, (size_t)decimals);
        len += decimals;
    }
    buf[len] = '\0';
    return len;
}

#ifdef __SIZEOF_INT128__

__extension__ typedef unsigned __int128 u128;

#define MAX_K 22 /* 10^22 * 2^53 < 2^127 */

/* 10^k for 0 <= k <= MAX_K: on every conversion's path, so a table (a
   u128 literal cannot hold 10^20 and up, hence the product). */
static u128 pow10_128(int k)
{
    static const uint64_t P[20] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL,
                                   1000000000000000000ULL,
                                   10000000000000000000ULL};
    return k < 20 ? (u128)P[k] : (u128)P[19] * P[k - 19];
}

/* |v| = m * 2^e, m with its implicit bit (none for subnormals); 0 for
   zero, infinities and NaN. */
static int split(double v, uint64_t *m, int *e)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int be = (int)((bits >> 52) & 0x7ff);
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    if (be == 0x7ff || (be == 0 && frac == 0))
        return 0;
    *m = be ? frac | (UINT64_C(1) << 52) : frac;
    *e = be ? be - 1075 : -1074;
    return 1;
}

/* m * 2^e * 10^k rounded to an integer, ties to even (up = 1) or down
   (up = 0); all ones when it would not fit 64 bits. */
static uint64_t scaled(uint64_t m, int e, int k, int up)
{
    u128 x = (u128)m * pow10_128(k);
    if (e >= 0) {
        if (e >= 64 || (x >> (64 - e)) != 0)
            return UINT64_MAX;
        return (uint64_t)(x << e);
    }
    int s = -e;
    if (s >= 128)
        return 0; /* x < 2^126.1, below half of 2^s: rounds to 0, no tie */
    u128 q = x >> s, rem = x & (((u128)1 << s) - 1), half = (u128)1 << (s - 1);
    if (up && (rem > half || (rem == half && (q & 1))))
        q++;
    return q >> 64 ? UINT64_MAX : (uint64_t)q;
}

int tqoi_dtoa_fixed(double v, int decimals, char *buf)
{
    uint64_t m;
    int e;
    if (decimals < 0 || decimals > 9)
        return -1;
    if (v == 0) {
        m = 0;
        e = 0;
    } else if (!split(v, &m, &e)) {
        return -1;
    }
    uint64_t q = m ? scaled(m, e, decimals, 1) : 0;
    return q == UINT64_MAX ? -1 : tqoi_dtoa_put_scaled(signbit(v) != 0, q, decimals, buf);
}

/* N = |v| rounded to prec significant digits, as N * 10^-k; 0 when out of
   the range (the %g exponent must be -4 .. prec-1, k 0 .. MAX_K). As
   printf does: the exponent is that of |v| itself (its floor, scaled,
   has prec digits), and a rounding up to 10^prec moves it up by one. */
static int significant(uint64_t m, int e, double a, int prec, uint64_t *n, int *k)
{
    uint64_t lo = (uint64_t)pow10_128(prec - 1), hi = lo * 10;
    int kk = prec - 1 - (int)floor(log10(a)), tries = 0;
    for (;; tries++) {
        if (kk < 0 || kk > MAX_K || tries == 3)
            return 0;
        uint64_t t = scaled(m, e, kk, 0);
        if (t == UINT64_MAX || t >= hi)
            kk--;
        else if (t < lo)
            kk++;
        else
            break;
    }
    uint64_t q = scaled(m, e, kk, 1);
    if (q == hi) {
        q = lo;
        kk--;
    }
    if (kk < 0 || prec - 1 - kk < -4)
        return 0;
    *n = q;
    *k = kk;
    return 1;
}

/* %g without '#': N * 10^-k in fixed notation, trailing zeros of the
   fraction dropped, and the point with them when nothing is left. */
static int put_general(int neg, uint64_t n, int k, char *buf)
{
    char d[24];
    int nd = digits(n, d), len = 0;
    if (neg)
        buf[len++] = '-';
    if (nd > k) {
        memcpy(buf + len, d, (size_t)(nd - k));
        len += nd - k;
        memcpy(buf + len + 1, d + nd - k, (size_t)k);
    } else {
        buf[len++] = '0';
        memset(buf + len + 1, '0', (size_t)(k - nd));
        memcpy(buf + len + 1 + (k - nd), d, (size_t)nd);
    }
    int frac = k;
    while (frac > 0 && buf[len + frac] == '0')
        frac--;
    if (frac > 0) {
        buf[len] = '.';
        len += 1 + frac;
    }
    buf[len] = '\0';
    return len;
}

int tqoi_dtoa_general(double v, int prec, char *buf)
{
    uint64_t m, n;
    int e, k;
    if (prec < 1 || prec > 17)
        return -1;
    if (v == 0) {
        strcpy(buf, signbit(v) ? "-0" : "0");
        return (int)strlen(buf);
    }
    if (!split(v, &m, &e) || e >= 0 || !significant(m, e, fabs(v), prec, &n, &k))
        return -1;
    return put_general(signbit(v) != 0, n, k, buf);
}

/* Whether N * 10^-k reads back as m * 2^e: inside the interval of reals
   that round to it, the half-gaps to its neighbours (the lower one half as
   wide at a power of two), a tie going to the even m. In units of
   10^-k * 2^e, where both are integers below 2^127. */
static int reads_back(uint64_t m, int e, uint64_t n, int k)
{
    int s = -e;
    if (s < 1 || s > 70) /* n < 2^57: n * 2^s stays below 2^127 */
        return -1;
    u128 a = (u128)n << s, b = (u128)m * pow10_128(k), p = pow10_128(k), d;
    int even = (m & 1) == 0, scale = 2;
    if (a >= b) {
        d = a - b;
    } else {
        d = b - a;
        if (m == (UINT64_C(1) << 52))
            scale = 4;
    }
    u128 twice = d * (u128)scale;
    return twice < p || (twice == p && even);
}

int tqoi_dtoa_roundtrip(double v, char *buf)
{
    uint64_t m, n;
    int e, k;
    if (v == 0) {
        strcpy(buf, signbit(v) ? "-0" : "0");
        return (int)strlen(buf);
    }
    if (!split(v, &m, &e) || e >= 0)
        return -1;
    for (int prec = 15; prec <= 17; prec++) {
        if (!significant(m, e, fabs(v), prec, &n, &k))
            return -1;
        int ok = prec == 17 ? 1 : reads_back(m, e, n, k);
        if (ok < 0)
            return -1;
        if (ok)
            return put_general(signbit(v) != 0, n, k, buf);
    }
    return -1;
}

#else /* no 128-bit integers: every caller takes its snprintf path */

int tqoi_dtoa_fixed(double v, int decimals, char *buf)
{
    (void)v, (void)decimals, (void)buf;
    return -1;
}

int tqoi_dtoa_general(double v, int prec, char *buf)
{
    (void)v, (void)prec, (void)buf;
    return -1;
}

int tqoi_dtoa_roundtrip(double v, char *buf)
{
    (void)v, (void)buf;
    return -1;
}

#endif
