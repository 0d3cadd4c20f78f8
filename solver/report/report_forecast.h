/*
 * The report's forecast and odds sections (internal; issue 19): the
 * pooled backtest of every forecast method against the naive quota, and
 * each rep's odds with the company's best, base and worst cases from the
 * Monte Carlo. Deterministic, like the rest of report.html.
 */
#ifndef TQO_REPORT_FORECAST_H
#define TQO_REPORT_FORECAST_H

#include "report/report_html.h"

/* <section id="forecasts">, when the quota step ran a pooled backtest. */
void tqoi_report_put_forecasts(FILE *fp, const report_input *in);
/* <section id="odds"> for scenario `chosen` (-1: the first one), when the
   scenarios ran: one row (class odds-row) per territory. */
void tqoi_report_put_odds(FILE *fp, const report_input *in, int chosen);

#endif
