/*
 * scenarios.svg: cost of sales against share at quota (see scenario_svg.h).
 *
 * A run may compare a thousand scenarios, so each one is a bare group of a
 * <title>, one whisker path and one circle, styled by a class; pixel
 * coordinates have one decimal in a 900 x 560 viewBox.
 */
#include "scenarios/scenario_svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 900.0
#define H 560.0
#define PL 70.0  /* plot area: left, right, top, bottom */
#define PR 880.0
#define PT 60.0
#define PB 500.0
#define CAP 3.0  /* half length of a whisker cap */
#define LEVELS 4 /* label rows tried on each side of a point */

#define TITLE "Quota scenarios: cost of sales against share at quota (P50, whiskers P10-P90)"

/* A sort key; Pareto negates x so that one comparator serves both uses. */
typedef struct key {
    double x, y;
    int i;
} key;

/* Total order on finite keys, the index last: equal points come out the
   same way whatever qsort does with them. */
static int cmp_key(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int finite_median(const scenario_point *p) { return isfinite(p->x_p50) && isfinite(p->y_p50); }

int tqoi_scenario_pareto(const scenario_point *pt, int n, unsigned char *efficient)
{
    if (n <= 0)
        return 0;
    memset(efficient, 0, (size_t)n);
    key *k = malloc((size_t)n * sizeof *k);
    if (!k)
        return -1;
    int m = 0, count = 0;
    for (int i = 0; i < n; i++)
        if (finite_median(&pt[i]))
            k[m++] = (key){-pt[i].x_p50, pt[i].y_p50, i};
    qsort(k, (size_t)m, sizeof *k, cmp_key);
    /* Sweep from the largest share down. Within a group of equal shares
       only the lowest cost can be efficient (ties all are), and only if
       it beats every cost seen at a larger share: an equal cost there
       would dominate it through the share. */
    double best = INFINITY;
    for (int a = 0, b; a < m; a = b) {
        for (b = a; b < m && k[b].x == k[a].x; b++)
            ;
        double gmin = k[a].y;
        if (gmin < best) {
            for (int c = a; c < b && k[c].y == gmin; c++, count++)
                efficient[k[c].i] = 1;
            best = gmin;
        }
    }
    free(k);
    return count;
}

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */
/* ------------------------------------------------------------------ */

/* Fixed decimals without printf's locale-dependent decimal point and
   without "-0"; "n/a" for a non-finite figure. Beyond the range of exact
   integers "%.0f" has no decimal point either. */
static const char *num(char *buf, double v, int d)
{
    if (!isfinite(v)) {
        snprintf(buf, 40, "n/a");
        return buf;
    }
    unsigned long long p = 1;
    for (int k = 0; k < d; k++)
        p *= 10;
    double t = v * (double)p;
    if (fabs(t) >= 9e15) {
        snprintf(buf, 40, "%.0f", v);
        return buf;
    }
    long long q = llround(t);
    unsigned long long a = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
    const char *sign = q < 0 ? "-" : "";
    if (d == 0)
        snprintf(buf, 40, "%s%llu", sign, a);
    else
        snprintf(buf, 40, "%s%llu.%0*llu", sign, a / p, d, a % p);
    return buf;
}

/* pre, then a pixel coordinate: one decimal, never "n/a". Printing each
   number on its own keeps buffers from being shared within one printf. */
static void px(FILE *f, const char *pre, double v)
{
    char buf[40];
    fputs(pre, f);
    fputs(num(buf, isfinite(v) ? v : 0, 1), f);
}

/* Length of a valid UTF-8 sequence at p, or 0: one bad byte makes a
   whole XML file unreadable, and scenario names come from user files. */
static int utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int len = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
              : p[0] >= 0xe0 && p[0] <= 0xef ? 3
              : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                             : 0;
    unsigned char lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf; /* no surrogates, <= U+10FFFF */
    if (len == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (int k = 2; k < len; k++)
        if (p[k] < 0x80 || p[k] > 0xbf)
            return 0;
    return len;
}

/* Escaped text; control characters become spaces, bad bytes '?'. */
static void put_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        int len = utf8_len(p);
        const char *e = NULL;
        switch (*p) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&apos;"; break;
        }
        if (e)
            fputs(e, f);
        else if (len == 0)
            fputc('?', f);
        else if (len == 1 && (*p < 0x20 || *p == 0x7f))
            fputc(' ', f);
        else
            fwrite(p, 1, (size_t)len, f);
        p += len ? len : 1;
    }
}

/* ------------------------------------------------------------------ */
/* Axes                                                                */
/* ------------------------------------------------------------------ */

typedef struct axis {
    double lo, hi, step;
    int nt, dec; /* intervals between ticks, decimals of tick labels */
} axis;

/* A 1-2-5 step for about six intervals over [lo, hi] (the data range, or
   lo > hi when there are none), widened a little and kept within
   [lim_lo, lim_hi] when the data are. A single value gets a margin of its
   own; whatever the data, lo < hi on return. */
static void axis_fit(axis *a, double lo, double hi, double lim_lo, double lim_hi, double def_hi)
{
    double step = 0;
    if (lo <= hi) {
        double mag = fmax(1, fmax(fabs(lo), fabs(hi)));
        double pad = hi - lo > 1e-6 * mag ? 0.04 * (hi - lo) : fmax(0.5, 0.05 * mag);
        double plo = lo - pad, phi = hi + pad;
        if (lo >= lim_lo && plo < lim_lo)
            plo = lim_lo;
        if (hi <= lim_hi && phi > lim_hi)
            phi = lim_hi;
        double raw = (phi - plo) / 6;
        if (isfinite(raw) && raw > 0) {
            double p10 = pow(10, floor(log10(raw))), r = raw / p10;
            step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * p10;
            a->lo = floor(plo / step) * step;
            a->hi = ceil(phi / step) * step;
        }
    }
    if (!(step > 0) || !isfinite(a->hi - a->lo) || !(a->hi - a->lo >= step) || (a->hi - a->lo) / step > 20) {
        /* No data, or values too large or too close for doubles: a plain
           axis, with the points wherever they fall. */
        a->lo = 0;
        a->hi = def_hi;
        step = def_hi / 5;
    }
    a->step = step;
    a->nt = (int)llround((a->hi - a->lo) / step);
    a->dec = step >= 1 ? 0 : (int)fmin(9, ceil(-log10(step) - 1e-9));
}

static double sx(const axis *a, double v) { return PL + (v - a->lo) / (a->hi - a->lo) * (PR - PL); }
static double sy(const axis *a, double v) { return PB - (v - a->lo) / (a->hi - a->lo) * (PB - PT); }

/* Gridlines and tick labels of both axes. */
static void put_axes(FILE *f, const axis *ax, const axis *ay)
{
    char b[40];
    fputs("<path class=\"sc-grid\" d=\"", f);
    for (int k = 0; k <= ax->nt; k++) {
        px(f, "M", sx(ax, ax->lo + k * ax->step));
        fprintf(f, " %.0fV%.0f", PT, PB);
    }
    for (int k = 0; k <= ay->nt; k++) {
        fprintf(f, "M%.0f", PL);
        px(f, " ", sy(ay, ay->lo + k * ay->step));
        fprintf(f, "H%.0f", PR);
    }
    fprintf(f, "\"/>\n<rect class=\"sc-ax\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>\n", PL, PT,
            PR - PL, PB - PT);
    for (int k = 0; k <= ax->nt; k++) {
        double v = ax->lo + k * ax->step;
        px(f, "<text class=\"sc-tx\" x=\"", sx(ax, v));
        fprintf(f, "\" y=\"%.0f\">%s</text>\n", PB + 16, num(b, fabs(v) < 1e-9 * ax->step ? 0 : v, ax->dec));
    }
    for (int k = 0; k <= ay->nt; k++) {
        double v = ay->lo + k * ay->step;
        fprintf(f, "<text class=\"sc-ty\" x=\"%.0f\"", PL - 6);
        px(f, " y=\"", sy(ay, v) + 4);
        fprintf(f, "\">%s</text>\n", num(b, fabs(v) < 1e-9 * ay->step ? 0 : v, ay->dec));
    }
    fprintf(f,
            "<text class=\"sc-at\" x=\"%.0f\" y=\"%.0f\">share of territories at or above quota (%%)</text>\n"
            "<text class=\"sc-at\" transform=\"translate(18 %.0f) rotate(-90)\">cost of sales (%%)</text>\n",
            (PL + PR) / 2, PB + 40, (PT + PB) / 2);
}

/* ------------------------------------------------------------------ */
/* Chart                                                               */
/* ------------------------------------------------------------------ */

/* One scenario: tooltip, whiskers to each finite end, and the point. */
static void put_point(FILE *f, const scenario_point *p, const axis *ax, const axis *ay, int eff)
{
    char a[40], b[40], c[40];
    double x = sx(ax, p->x_p50), y = sy(ay, p->y_p50);
    fprintf(f, "<g class=\"%s\"><title>", eff ? "sc-e" : "sc-o");
    put_text(f, p->name);
    fprintf(f, "%s&#10;share at quota %s%% (P10 %s, P90 %s)", eff ? " (Pareto-efficient)" : "",
            num(a, p->x_p50, 2), num(b, p->x_p10, 2), num(c, p->x_p90, 2));
    fprintf(f, "&#10;cost of sales %s%% (P10 %s, P90 %s)</title><path d=\"", num(a, p->y_p50, 2),
            num(b, p->y_p10, 2), num(c, p->y_p90, 2));
    double xe[2] = {p->x_p10, p->x_p90}, ye[2] = {p->y_p10, p->y_p90};
    for (int k = 0; k < 2; k++) {
        /* Caps relative to the whisker end; none under the point itself. */
        if (isfinite(xe[k]) && fabs(sx(ax, xe[k]) - x) >= 0.5) {
            px(f, "M", x);
            px(f, " ", y);
            px(f, "H", sx(ax, xe[k]));
            fprintf(f, "m0 %.0fv%.0f", -CAP, 2 * CAP);
        }
        if (isfinite(ye[k]) && fabs(sy(ay, ye[k]) - y) >= 0.5) {
            px(f, "M", x);
            px(f, " ", y);
            px(f, "V", sy(ay, ye[k]));
            fprintf(f, "m%.0f 0h%.0f", -CAP, 2 * CAP);
        }
    }
    px(f, "\"/><circle cx=\"", x);
    px(f, "\" cy=\"", y);
    fprintf(f, "\" r=\"%s\"/></g>\n", eff ? "4.5" : "3.5");
}

/* Labels of the efficient points, left to right (order is sorted by x).
   Each takes the first free spot of: above or below its point (the side
   tried first alternates, so neighbours start apart), then up to three
   rows further out. Free means that its box, at 6 px a character, meets
   no label placed before; when no spot is free, the one meeting the
   fewest wins. Quadratic, but there are rarely more than a few dozen
   efficient scenarios. Returns -2 when out of memory. */
static int put_labels(FILE *f, const scenario_point *pt, const key *order, int m, const axis *ax,
                      const axis *ay)
{
    double(*box)[4] = malloc(((size_t)m + 1) * sizeof *box); /* x0, y0, x1, y1 */
    if (!box)
        return -2;
    fputs("<g class=\"sc-l\">\n", f);
    for (int k = 0; k < m; k++) {
        const scenario_point *p = &pt[order[k].i];
        int chars = 0;
        for (const unsigned char *c = (const unsigned char *)(p->name ? p->name : ""); *c; c++)
            chars += (*c & 0xc0) != 0x80;
        double x = sx(ax, p->x_p50), y = sy(ay, p->y_p50), w = 6.0 * chars;
        int right = x + 6 + w > W - 4; /* near the right edge: the text ends at the point */
        double tx = right ? x - 6 : x + 6, x0 = right ? tx - w : tx;
        double best_y = 0;
        int best_hits = -1;
        for (int c = 0; c < 2 * LEVELS && best_hits != 0; c++) {
            int below = (c + k) & 1, row = c / 2;
            double ty = below ? y + 15 + 12 * row : y - 7 - 12 * row;
            ty = fmin(H - 4, fmax(12, ty));
            int hits = 0;
            for (int q = 0; q < k; q++)
                hits += box[q][0] < x0 + w && x0 < box[q][2] && box[q][1] < ty + 2 && ty - 10 < box[q][3];
            if (best_hits < 0 || hits < best_hits) {
                best_hits = hits;
                best_y = ty;
            }
        }
        box[k][0] = x0;
        box[k][1] = best_y - 10;
        box[k][2] = x0 + w;
        box[k][3] = best_y + 2;
        px(f, "<text x=\"", tx);
        px(f, "\" y=\"", best_y);
        fprintf(f, "\"%s>", right ? " text-anchor=\"end\"" : "");
        put_text(f, p->name);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
    free(box);
    return 0;
}

int tqoi_scenario_svg_write(FILE *f, const scenario_point *pt, int n, const unsigned char *efficient, int standalone)
{
    if (n < 0)
        n = 0;
    unsigned char *own = NULL;
    key *order = malloc(((size_t)n + 1) * sizeof *order);
    if (!efficient && n > 0) {
        own = malloc((size_t)n);
        if (own && tqoi_scenario_pareto(pt, n, own) < 0) {
            free(own);
            own = NULL;
        }
        efficient = own;
    }
    if (!order || (n > 0 && !efficient)) {
        free(order);
        free(own);
        return -2;
    }

    /* Ranges over what is drawn: the medians and the finite whisker ends
       of the points that have finite medians. */
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int shown = 0, m = 0;
    for (int i = 0; i < n; i++) {
        const scenario_point *p = &pt[i];
        if (!finite_median(p))
            continue;
        shown++;
        double xs[3] = {p->x_p10, p->x_p50, p->x_p90}, ys[3] = {p->y_p10, p->y_p50, p->y_p90};
        for (int k = 0; k < 3; k++) {
            if (isfinite(xs[k])) {
                xlo = fmin(xlo, xs[k]);
                xhi = fmax(xhi, xs[k]);
            }
            if (isfinite(ys[k])) {
                ylo = fmin(ylo, ys[k]);
                yhi = fmax(yhi, ys[k]);
            }
        }
        if (efficient[i])
            order[m++] = (key){p->x_p50, p->y_p50, i};
    }
    qsort(order, (size_t)m, sizeof *order, cmp_key);
    axis ax, ay;
    axis_fit(&ax, xlo, xhi, 0, 100, 100);
    axis_fit(&ay, ylo, yhi, 0, INFINITY, 10);

    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sc-chart\" viewBox=\"0 0 %.0f %.0f\" "
            "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"" TITLE "\">\n",
            W, H, W, H);
    /* Classes are prefixed and text rules scoped: inline in a report, this
       <style> applies to the whole page. */
    fputs("<style>\n"
          ".sc-chart text{font:11px sans-serif;fill:#222}\n"
          ".sc-chart .sc-h{font-size:14px;font-weight:bold}\n"
          ".sc-chart .sc-at{font-size:12px;text-anchor:middle}\n"
          ".sc-chart .sc-tx{text-anchor:middle}\n"
          ".sc-chart .sc-ty{text-anchor:end}\n"
          ".sc-chart .sc-note{font-size:14px;fill:#777;text-anchor:middle}\n"
          ".sc-bg{fill:#fff}\n"
          ".sc-grid{fill:none;stroke:#e6e6e6;stroke-width:1}\n"
          ".sc-ax{fill:none;stroke:#666;stroke-width:1}\n"
          ".sc-o path{fill:none;stroke:#bbb;stroke-width:1}\n"
          ".sc-o circle{fill:#fff;stroke:#777;stroke-width:1.2}\n"
          ".sc-e path{fill:none;stroke:#e8a0a0;stroke-width:1}\n"
          ".sc-e circle{fill:#c62828;stroke:#7f1416;stroke-width:1}\n"
          ".sc-f{fill:none;stroke:#c62828;stroke-width:1.5}\n"
          ".sc-chart .sc-l text{fill:#7f1416;paint-order:stroke;stroke:#fff;stroke-width:3px;"
          "stroke-linejoin:round}\n"
          "</style>\n",
          f);
    fprintf(f, "<rect class=\"sc-bg\" width=\"%.0f\" height=\"%.0f\"/>\n", W, H);
    fputs("<text class=\"sc-h\" x=\"10\" y=\"22\">" TITLE "</text>\n", f);
    put_axes(f, &ax, &ay);

    if (shown == 0)
        fprintf(f, "<text class=\"sc-note\" x=\"%.0f\" y=\"%.0f\">%s</text>\n", (PL + PR) / 2, (PT + PB) / 2,
                n == 0 ? "no scenarios" : "no scenarios with finite medians");
    if (m > 1) {
        fputs("<polyline class=\"sc-f\" points=\"", f);
        for (int k = 0; k < m; k++) {
            px(f, k ? " " : "", sx(&ax, order[k].x));
            px(f, ",", sy(&ay, order[k].y));
        }
        fputs("\"/>\n", f);
    }
    /* Efficient points last, so that they sit on top of the others. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++)
            if (finite_median(&pt[i]) && !efficient[i] == !pass)
                put_point(f, &pt[i], &ax, &ay, pass);
    int bad = put_labels(f, pt, order, m, &ax, &ay);

    fprintf(f,
            "<g class=\"sc-e\"><circle cx=\"%.0f\" cy=\"44\" r=\"4.5\"/></g>"
            "<text x=\"%.0f\" y=\"48\">Pareto-efficient (%d)</text>\n"
            "<g class=\"sc-o\"><circle cx=\"%.0f\" cy=\"44\" r=\"3.5\"/></g>"
            "<text x=\"%.0f\" y=\"48\">other (%d)</text>\n</svg>\n",
            PR - 250, PR - 242, m, PR - 100, PR - 92, shown - m);
    free(order);
    free(own);
    if (bad)
        return bad;
    return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
