/*
 * report.html (internal): the planning report of tqo plan, one
 * self-contained file (inline SVG, CSS and a few lines of script; no
 * network) for a planner and for leadership.
 */
#ifndef TQO_REPORT_HTML_H
#define TQO_REPORT_HTML_H

#include <stdio.h>

#include "tqo.h"

/* The report's input is public (tqo_report_input in tqo.h): tqo_report_write
   is the library's entry, report_html_write the module's own. */
typedef tqo_report_input report_input;

/* Writes the whole document. Deterministic: the same input gives the same
   bytes (no dates, timings or paths beyond what the input holds). */
tqo_status tqoi_report_html_write(FILE *fp, const report_input *in, tqo_diag *diag);

#endif
