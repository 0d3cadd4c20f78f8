/* The report's forecast and odds sections (see report_forecast.h). */
#include "report/report_forecast.h"
#include "scenarios/scenario_metrics.h"

#include <math.h>
#include <stdio.h>

#define M TQO_SCENARIO_N_METRICS

static void esc(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

/* A figure with d decimals, or a dash for none. */
static void num(FILE *fp, double v, int d)
{
    if (isfinite(v))
        fprintf(fp, "%.*f", d, v);
    else
        fputs("&ndash;", fp);
}

void tqoi_report_put_forecasts(FILE *fp, const report_input *in)
{
    const tqo_quota_result *q = in->quota;
    if (!q || q->n_pool_methods < 1)
        return;
    int c = q->pool_chosen;
    fputs("<section id=\"forecasts\">\n<h2>Forecasts against the naive quota</h2>\n<p class=\"note\">Rolling-origin "
          "backtest over every territory at once: each method forecasts each past year from the years before it, "
          "scaled to that year's company total (how well it splits the number, which is what a quota takes from "
          "it). The naive quota is last year times the company's growth. Bias is of the unscaled company total. ",
          fp);
    fprintf(fp, "Used: <b>%s</b>", q->method);
    if (c > 0)
        fprintf(fp, "; auto chooses %s (MAPE %.1f%% against %.1f%% for the naive quota).", q->pool_method[c],
                q->pool_mape[c], q->pool_mape[0]);
    else
        fputs("; auto keeps the naive quota: no method beat it in the backtest.", fp);
    fprintf(fp, " %d territory-years.</p>\n", q->pool_terms);
    fputs("<div class=\"tw\">\n<table id=\"tqo-forecasts\">\n<thead><tr><th class=\"t\">method</th><th>MAPE %</th>"
          "<th>WAPE %</th><th>bias %</th></tr></thead>\n<tbody>\n",
          fp);
    for (int k = 0; k < q->n_pool_methods; k++) {
        fputs(k == c ? "<tr class=\"chosen\"><td class=\"t\">" : "<tr><td class=\"t\">", fp);
        esc(fp, q->pool_method[k]);
        fputs(k == c ? " <b>(auto)</b></td><td>" : "</td><td>", fp);
        num(fp, q->pool_mape[k], 1);
        fputs("</td><td>", fp);
        num(fp, q->pool_wape[k], 1);
        fputs("</td><td>", fp);
        num(fp, q->pool_bias[k], 1);
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", fp);
}

/* Best, base and worst cases: the Monte Carlo's P90, P50 and P10 of
   company attainment; cost of sales at its own P10, P50 and P90. */
static void put_cases(FILE *fp, const tqo_scenarios_result *r, int s)
{
    const double *ca = r->mc + ((size_t)s * M + TQO_M_COMPANY_ATTAINMENT) * 3;
    const double *cs = r->mc + ((size_t)s * M + TQO_M_COST_OF_SALES) * 3;
    fputs("<table id=\"tqo-cases\">\n<thead><tr><th class=\"t\"></th><th>worst (P10)</th><th>base (P50)</th>"
          "<th>best (P90)</th></tr></thead>\n<tbody>\n<tr><td class=\"t\">company attainment %</td>",
          fp);
    for (int t = 0; t < 3; t++) {
        fputs("<td>", fp);
        num(fp, ca[t], 1);
        fputs("</td>", fp);
    }
    fputs("</tr>\n<tr><td class=\"t\">cost of sales % (P10, P50, P90)</td>", fp);
    for (int t = 0; t < 3; t++) {
        fputs("<td>", fp);
        num(fp, cs[t], 2);
        fputs("</td>", fp);
    }
    fputs("</tr>\n</tbody>\n</table>\n", fp);
}

void tqoi_report_put_odds(FILE *fp, const report_input *in, int chosen)
{
    const tqo_scenarios_result *r = in->scen;
    if (!r || !in->scenarios || r->n_scenarios < 1 || !r->block_outcome)
        return;
    int s = chosen >= 0 && chosen < r->n_scenarios ? chosen : 0, p = r->n_territories;
    if (!isfinite(r->quota[(size_t)s * p]))
        return; /* the scenario failed: no quotas to have odds of */
    const tqo_scenario *sc = &in->scenarios[s];
    fputs("<section id=\"odds\">\n<h2>Each rep's odds: ", fp);
    esc(fp, sc->name);
    fprintf(fp, "</h2>\n<p class=\"note\">From the Monte Carlo's %d replicates of plan year %d: each territory's "
                "chance of reaching 100%% of quota and the pay curve's first paying point (%g%% of quota), and its "
                "expected payout (scenarios_detail.csv has them for every scenario).%s</p>\n",
            r->replicates, r->plan_year, tqoi_scenario_first_paying(&sc->curve),
            chosen >= 0 ? "" : " No scenario was chosen: the first one is shown.");
    put_cases(fp, r, s);
    fputs("<div class=\"tw\">\n<table id=\"tqo-odds\" class=\"sortable\">\n<thead><tr><th class=\"t\">territory</th>"
          "<th>quota</th><th>P(100% of quota)</th><th>P(first paying point)</th><th>expected payout</th></tr>"
          "</thead>\n<tbody>\n",
          fp);
    for (int j = 0; j < p; j++) {
        double pq, pp;
        tqoi_scenario_odds(r, sc, s, j, &pq, &pp);
        fputs("<tr class=\"odds-row\"><td class=\"t\">", fp);
        esc(fp, r->territory_id[j]);
        fputs("</td><td>", fp);
        num(fp, r->quota[(size_t)s * p + j], 2);
        fputs("</td><td>", fp);
        num(fp, 100 * pq, 1);
        fputs("%</td><td>", fp);
        num(fp, 100 * pp, 1);
        fputs("%</td><td>", fp);
        num(fp, r->expected_payout[(size_t)s * p + j], 2);
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", fp);
}
