/*
 * scenarios.svg: cost of sales against share at quota, one point per
 * quota scenario with P10-P90 whiskers, the Pareto-efficient scenarios
 * marked, joined and labelled. Internal to the library.
 */
#ifndef TQO_SCENARIO_SVG_H
#define TQO_SCENARIO_SVG_H

#include <stdio.h>

typedef struct scenario_point {
    const char *name;           /* scenario name, UTF-8; escaped on output */
    double x_p10, x_p50, x_p90; /* share of territories at or above quota, % (0..100) */
    double y_p10, y_p50, y_p90; /* cost of sales, % (payout / revenue) */
} scenario_point;

/*
 * Pareto efficiency by the medians: more share at quota (x_p50) and less
 * cost of sales (y_p50) are better. efficient[i] = 1 when no other point
 * is at least as good on both and strictly better on one (so identical
 * points are all efficient), else 0. A point with a non-finite median is
 * never efficient and dominates nothing. O(n log n), independent of the
 * order of equal points. Returns the number of efficient points, or -1
 * when out of memory (efficient is then all 0).
 */
int tqoi_scenario_pareto(const scenario_point *pt, int n, unsigned char *efficient);

/*
 * Writes the chart as one <svg> element: axes with 1-2-5 ticks, each point
 * at its medians with whiskers to its finite P10 and P90, a tooltip
 * (<title>) per point, the efficient points joined in order of share and
 * labelled, and a legend. Points with a non-finite median are left out;
 * n = 0 draws empty axes with a note. efficient may be NULL: it is then
 * computed with tqoi_scenario_pareto. standalone adds the XML prolog, which a
 * file needs and inline HTML must not have; the CSS classes are prefixed
 * "sc-" so that the chart can sit in a page with other styles. The output
 * depends only on the arguments (fixed decimals, no locale). Returns 0, -1
 * on a write error, -2 when out of memory.
 */
int tqoi_scenario_svg_write(FILE *f, const scenario_point *pt, int n, const unsigned char *efficient,
                       int standalone);

#endif
