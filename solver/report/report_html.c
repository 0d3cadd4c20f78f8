/*
 * report.html: the planning report of tqo plan (see report_html.h).
 *
 * One self-contained page: inline CSS, inline SVG and one small script;
 * nothing is fetched. Sized for 100,000 units and 1,000 territories: a
 * unit is one bare <circle> in a group per territory that carries the
 * colour class (no <title> per unit: the map's one mousemove handler
 * finds the nearest unit and reads its id, name and territory from a JSON
 * block embedded once), and tables sort by a header click. The output
 * depends only on the input: fixed decimals, no dates, no timings.
 */
#include "report/report_html.h"
#include "report/report_forecast.h"
#include "util/fmt.h"
#include "util/json_writer.h"
#include "align/map_svg.h"
#include "align/map_shapes.h"
#include "scenarios/scenario_svg.h"
#include "util/strmap.h"

#include <math.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#define PI 3.14159265358979323846
#define LIST_MAX 10 /* names listed in one warning before "and N more" */
#define MC(r, s, m, k) ((r)->mc[((size_t)(s) * TQO_SCENARIO_N_METRICS + (m)) * 3 + (k)])

/* ------------------------------------------------------------------ */
/* Escaping and numbers                                                */
/* ------------------------------------------------------------------ */

/* Text or attribute value: markup and both quotes escaped, control
   characters blanked and bad bytes replaced (U+FFFD), so that no id or
   name can end an element or an attribute. */
static void put_html(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        int len = tqoi_utf8_len(p);
        if (len == 0) {
            fputs("\xef\xbf\xbd", fp);
            p++;
            continue;
        }
        if (len > 1) {
            fwrite(p, 1, (size_t)len, fp);
            p += len;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, fp);
        }
        p++;
    }
}

/* A JSON string that is safe inside <script>: '<', '>' and '&' as \u
   escapes (so neither "</script" nor "<!--" can occur), U+2028/2029
   escaped, bad bytes as U+FFFD. json_writer's strings are for files and
   leave '<' as it is. */
static void put_js(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', fp);
    while (*p) {
        int len = tqoi_utf8_len(p);
        if (len == 0) {
            fputs("\\ufffd", fp);
            p++;
        } else if (len == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            fprintf(fp, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
            p += 3;
        } else if (len > 1) {
            fwrite(p, 1, (size_t)len, fp);
            p += len;
        } else {
            if (*p == '"' || *p == '\\')
                fprintf(fp, "\\%c", *p);
            else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
            p++;
        }
    }
    fputc('"', fp);
}

/* The number helpers write at most 40 bytes into buffers of 48, which
   leaves room for a sign or a '%' around them. */

/* Fixed decimals (tqoi_fmt_fixed): "" when not finite. */
static const char *fx(char *buf, double v, int d)
{
    tqoi_fmt_fixed(buf, 40, v, d);
    return buf;
}

/* Fixed decimals with a sign on positive figures ("+1.2", "0.0", "-3.4"). */
static const char *fx_signed(char *buf, double v, int d)
{
    char t[40];
    tqoi_fmt_fixed(t, sizeof t, v, d);
    int zero = t[strspn(t, "-0.")] == 0;
    snprintf(buf, 48, "%s%s", t[0] != '-' && !zero && t[0] ? "+" : "", t);
    return buf;
}

/* Shortest "%g" form, for figures the user typed (tolerances, bounds). */
static const char *fg(char *buf, double v)
{
    snprintf(buf, 40, "%g", v);
    return buf;
}

/* Thousands separators ("1,234,568"; four digits below 1000); "". */
static const char *th(char *buf, double v)
{
    tqoi_fmt_thousands(buf, 40, v, "");
    return buf;
}

/* pre, a pixel coordinate with one decimal (no ".0", no "-0"), post. */
static void px(FILE *fp, const char *pre, double v, const char *post)
{
    char buf[48];
    long long t = llround(isfinite(v) ? v * 10.0 : 0);
    long long a = t < 0 ? -t : t;
    if (a % 10)
        snprintf(buf, sizeof buf, "%s%lld.%lld", t < 0 ? "-" : "", a / 10, a % 10);
    else
        snprintf(buf, sizeof buf, "%s%lld", t < 0 ? "-" : "", a / 10);
    fputs(pre, fp);
    fputs(buf, fp);
    fputs(post, fp);
}

/* A number cell: the text shown and, for the sort, the exact value in
   data-v; blank when not finite. cls may be NULL. */
static void td_num(FILE *fp, double v, const char *text, const char *cls)
{
    if (!isfinite(v)) {
        fputs("<td></td>", fp);
        return;
    }
    char raw[48];
    tqoi_jw_format_double(v, raw, sizeof raw);
    fprintf(fp, "<td%s%s%s data-v=\"%s\">%s</td>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "", raw,
            text);
}

/* At most max characters of s (UTF-8), then an ellipsis if cut. */
static void put_cut(FILE *fp, const char *s, int max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int chars = 0;
    size_t len = 0;
    while (p[len] && chars < max) {
        int l = tqoi_utf8_len(p + len);
        len += l > 0 ? (size_t)l : 1;
        chars++;
    }
    if (!p[len]) {
        put_html(fp, s);
        return;
    }
    char *t = malloc(len + 1);
    if (t) {
        memcpy(t, p, len);
        t[len] = 0;
        put_html(fp, t);
        free(t);
    }
    fputs("&hellip;", fp);
}

static void td_text(FILE *fp, const char *s)
{
    fputs("<td class=\"t\">", fp);
    put_html(fp, s);
    fputs("</td>", fp);
}

/* ------------------------------------------------------------------ */
/* What the sections share                                             */
/* ------------------------------------------------------------------ */

typedef struct rep {
    FILE *fp;
    const report_input *in;
    const tqo_instance *inst;
    const tqo_align_result *r;
    const tqo_quota_result *q;       /* NULL: no quotas */
    const tqo_scenarios_result *sc;  /* NULL: no scenarios */
    int n, p, nb, ns;
    const char *mname[TQO_MAX_BALANCE]; /* balanced measures, as in units.csv */
    char mbuf[TQO_MAX_BALANCE][24];
    int mcol[TQO_MAX_BALANCE];       /* their units.csv column, or -1 */
    double tol[TQO_MAX_BALANCE];     /* tolerance %, NAN when unknown */
    int name_label;                  /* the units label "name", or -1 */
    int *main_t;                     /* per unit: main territory, -1 none */
    int *colour;                     /* per territory */
    int *first, *order;              /* units grouped by main territory, slot p: none */
    int *q_row;                      /* per territory: row of the quota result, or -1 */
    int *moved_in, *moved_out;       /* NULL: moves not measured */
    int moved_total, current_unmatched;
    int *sc_order;                   /* the chosen scenario first, then input order */
    int chosen;                      /* -1: none (or not found) */
    int shapes;                      /* unit shapes on the map */
    int n_warnings;
} rep;

static const char *tname(const rep *R, int j) { return j >= 0 && j < R->p ? R->r->territory_id[j] : "no territory"; }

/* "Holyoke (01040)" when the unit has a name, else its id. */
static void put_unit(const rep *R, int i)
{
    const char *nm = R->name_label >= 0 ? R->inst->labels[R->name_label].value[i] : NULL;
    if (nm && nm[0]) {
        put_html(R->fp, nm);
        fputs(" (", R->fp);
        put_html(R->fp, R->inst->unit_id[i]);
        fputc(')', R->fp);
    } else {
        put_html(R->fp, R->inst->unit_id[i]);
    }
}

static tqo_status prepare(rep *R)
{
    const report_input *in = R->in;
    const tqo_instance *inst = R->inst;
    const tqo_align_result *r = R->r;
    int n = R->n, p = R->p;
    for (int b = 0; b < R->nb; b++) {
        const tqo_align_settings *s = in->align_settings;
        R->mcol[b] = s && b < s->n_balance && s->balance[b] ? tqo_instance_measure(inst, s->balance[b]) : -1;
        if (R->mcol[b] >= 0)
            R->mname[b] = inst->measures[R->mcol[b]].name;
        else if (s && b < s->n_balance && s->balance[b])
            R->mname[b] = s->balance[b];
        else {
            snprintf(R->mbuf[b], sizeof R->mbuf[b], "measure %d", b + 1);
            R->mname[b] = R->mbuf[b];
        }
        R->tol[b] = s && b < s->n_balance ? s->balance_tol_pct[b] : NAN;
    }
    R->name_label = tqo_instance_label(inst, "name");
    R->main_t = malloc(((size_t)n + 1) * sizeof(int));
    R->colour = malloc(((size_t)p + 1) * sizeof(int));
    R->first = calloc((size_t)p + 2, sizeof(int));
    R->order = malloc(((size_t)n + 1) * sizeof(int));
    int *pos = malloc(((size_t)p + 1) * sizeof(int));
    if (!R->main_t || !R->colour || !R->first || !R->order || !pos || tqoi_territory_colours(inst, r, R->colour) < 0) {
        free(pos);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        R->main_t[i] = tqoi_unit_main_territory(r, i);
        R->first[(R->main_t[i] < 0 ? p : R->main_t[i]) + 1]++;
    }
    for (int j = 0; j <= p; j++)
        R->first[j + 1] += R->first[j];
    memcpy(pos, R->first, ((size_t)p + 1) * sizeof(int));
    for (int i = 0; i < n; i++)
        R->order[pos[R->main_t[i] < 0 ? p : R->main_t[i]]++] = i;
    free(pos);

    /* Territories matched by id: the quota result's rows, the current plan's. */
    strmap ids;
    if (tqoi_strmap_init(&ids, (size_t)p) != 0)
        return TQO_ERR_NOMEM;
    for (int j = 0; j < p; j++)
        if (tqoi_strmap_put(&ids, r->territory_id[j], j) == -2) {
            tqoi_strmap_free(&ids);
            return TQO_ERR_NOMEM;
        }
    tqo_status st = TQO_OK;
    if (R->q) {
        R->q_row = malloc(((size_t)p + 1) * sizeof(int));
        if (!R->q_row)
            st = TQO_ERR_NOMEM;
        for (int j = 0; st == TQO_OK && j < p; j++)
            R->q_row[j] = -1;
        for (int k = 0; st == TQO_OK && k < R->q->n_territories; k++) {
            int j = tqoi_strmap_get(&ids, R->q->territory_id[k]);
            if (j >= 0 && R->q_row[j] < 0)
                R->q_row[j] = k;
        }
    }
    if (st == TQO_OK && inst->current) {
        R->moved_in = calloc((size_t)p + 1, sizeof(int));
        R->moved_out = calloc((size_t)p + 1, sizeof(int));
        if (!R->moved_in || !R->moved_out)
            st = TQO_ERR_NOMEM;
        int matched = 0;
        for (int i = 0; st == TQO_OK && i < n; i++) {
            int c = inst->current[i];
            if (c < 0 || c >= inst->n_territories)
                continue;
            int was = tqoi_strmap_get(&ids, inst->territory_id[c]);
            if (was < 0) {
                R->current_unmatched++;
                continue;
            }
            matched++;
            if (was == R->main_t[i])
                continue;
            R->moved_total++;
            R->moved_out[was]++;
            if (R->main_t[i] >= 0)
                R->moved_in[R->main_t[i]]++;
        }
        if (st == TQO_OK && matched == 0) { /* other territories drawn: nothing to compare */
            free(R->moved_in);
            free(R->moved_out);
            R->moved_in = R->moved_out = NULL;
        }
    }
    tqoi_strmap_free(&ids);
    if (st != TQO_OK)
        return st;

    R->chosen = -1;
    if (R->sc) {
        R->sc_order = malloc(((size_t)R->ns + 1) * sizeof(int));
        if (!R->sc_order)
            return TQO_ERR_NOMEM;
        for (int s = 0; in->chosen_scenario && s < R->ns && R->chosen < 0; s++)
            if (in->scenarios[s].name && strcmp(in->scenarios[s].name, in->chosen_scenario) == 0)
                R->chosen = s;
        int k = 0;
        if (R->chosen >= 0)
            R->sc_order[k++] = R->chosen;
        for (int s = 0; s < R->ns; s++)
            if (s != R->chosen)
                R->sc_order[k++] = s;
    }
    return TQO_OK;
}

static void release(rep *R)
{
    free(R->main_t);
    free(R->colour);
    free(R->first);
    free(R->order);
    free(R->q_row);
    free(R->moved_in);
    free(R->moved_out);
    free(R->sc_order);
}

/* ------------------------------------------------------------------ */
/* Page head, style and key figures                                    */
/* ------------------------------------------------------------------ */

static const char CSS[] =
    ":root{--fg:#1d232b;--muted:#5d6875;--line:#dde2e8;--bad:#c62828;--good:#2e7d32}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Liberation Sans\",Arial,"
    "sans-serif;color:var(--fg);background:#f3f5f8}\n"
    "header{background:#1f2d3d;color:#fff;padding:16px 28px}\n"
    "header h1{margin:0;font-size:21px;font-weight:600}\n"
    "header p{margin:4px 0 0;color:#c5d0dc}\n"
    "nav{margin-top:8px}nav a{color:#9fc3ea;margin-right:16px;text-decoration:none}\n"
    "main{max-width:1360px;margin:0 auto;padding:18px 28px}\n"
    "section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 20px;margin:0 0 18px}\n"
    "h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}\n"
    "p.note{color:var(--muted);margin:6px 0;font-size:13px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:170px;background:#fafbfc}\n"
    ".card b{display:block;font-size:20px;font-weight:600}.card span{color:var(--muted);font-size:12px}\n"
    ".card.bad b{color:var(--bad)}\n"
    "ul.warn{margin:0;padding-left:20px}ul.warn li{margin:3px 0}\n"
    ".ok{color:var(--good)}\n"
    ".tw{max-height:620px;overflow:auto;border:1px solid var(--line);border-radius:4px}\n"
    "table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:3px 9px;border-bottom:1px solid #edf0f3;text-align:right;white-space:nowrap}\n"
    "th{position:sticky;top:0;background:#eef1f5;font-weight:600;z-index:1}\n"
    "table.sortable th{cursor:pointer;user-select:none}table.sortable th:hover{background:#e2e8f0}\n"
    "th[aria-sort=ascending]::after{content:\" \\25B2\"}th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
    "th.t,td.t{text-align:left}td.w{white-space:normal;min-width:220px;text-align:left}\n"
    "td.out{color:var(--bad);font-weight:600}tr.chosen td{background:#fff6d6}\n"
    "tbody tr:hover td{background:#f2f6fb}\n"
    ".sw{display:inline-block;width:11px;height:11px;margin-right:7px;border-radius:2px;vertical-align:-1px}\n"
    ".mapbox{position:relative;max-width:1000px}\n"
    "#tqo-map,.chart,.sc-chart{display:block;width:100%;height:auto;max-width:1000px}\n"
    "#tqo-tip{position:absolute;pointer-events:none;background:rgba(20,24,30,.9);color:#fff;padding:4px 8px;"
    "border-radius:4px;font-size:12px;white-space:nowrap;z-index:2}\n"
    ".mbg{fill:#fbfcfd}#tqo-units .s{stroke:#000;stroke-width:.4}#tqo-units path{fill-rule:evenodd}\n"
    ".tb{fill:none;stroke:#222;stroke-width:.9;stroke-linejoin:round;pointer-events:none}\n"
    ".star{fill:#fff;stroke:#000;stroke-width:1}#tqo-hl{fill:none;stroke:#000;stroke-width:1.5;pointer-events:none}\n"
    ".chart text,#tqo-map text{font:11px sans-serif;fill:#333}\n"
    "#tqo-map .cl{font-size:12px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
    ".chart .ax{font-size:12px;text-anchor:middle}.chart .ty{text-anchor:end}\n"
    ".grid{stroke:#e8ebef;stroke-width:1}.zero{stroke:#666;stroke-width:1}\n"
    ".band{fill:#e3f1e3}.ref{stroke:#333;stroke-width:1.2;stroke-dasharray:5 3}\n"
    ".bi{fill:#4e79a7}.bo{fill:#c62828}.bh{fill:#59a14f}.bm{fill:#f28e2b}\n"
    "table.kv td{text-align:left}table.kv td:first-child{color:var(--muted)}\n"
    "#tqo-selftest{font:13px monospace}\n";

static void put_head(rep *R, const char *title)
{
    FILE *fp = R->fp;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          fp);
    put_html(fp, title);
    fputs("</title>\n<style>\n", fp);
    fputs(CSS, fp);
    /* One rule per palette colour: fill for the map, background for the
       table's swatches. */
    for (int c = 0; c < TQO_PALETTE_SIZE; c++)
        fprintf(fp, ".c%d{fill:%s;background:%s}\n", c, tqoi_palette_colour(c), tqoi_palette_colour(c));
    fputs(".u{fill:#bbb;background:#bbb}\n</style>\n</head>\n<body>\n<header>\n<h1>", fp);
    put_html(fp, title);
    fputs("</h1>\n<p>", fp);
    put_html(fp, R->inst->source);
    fprintf(fp, ": %d units, %d territories", R->n, R->p);
    if (R->q)
        fprintf(fp, "; quotas for %d", R->q->plan_year);
    if (R->sc)
        fprintf(fp, "; %d quota scenarios", R->ns);
    fputs("</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#warnings\">Warnings</a><a href=\"#map\">Map</a>"
          "<a href=\"#territories\">Territories</a><a href=\"#balance\">Balance</a>",
          fp);
    if (R->q && R->q->has_actual)
        fputs("<a href=\"#replay\">Quota replay</a>", fp);
    if (R->q && R->q->n_pool_methods > 0)
        fputs("<a href=\"#forecasts\">Forecasts</a>", fp);
    if (R->sc)
        fputs("<a href=\"#scenarios\">Scenarios</a><a href=\"#odds\">Odds</a>", fp);
    fputs("<a href=\"#parameters\">Parameters</a></nav>\n</header>\n<main>\n", fp);
}

static void card(FILE *fp, int bad, const char *value, const char *what)
{
    fprintf(fp, "<div class=\"card%s\"><b>%s</b><span>", bad ? " bad" : "", value);
    put_html(fp, what);
    fputs("</span></div>\n", fp);
}

static void put_summary(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    char a[48], b[48], c[48], v[64], what[600];
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n", fp);
    snprintf(a, sizeof a, "%d", R->p);
    snprintf(what, sizeof what, "territories, %d units%s", R->n, r->splits ? "" : ", none split");
    card(fp, 0, a, what);
    if (r->splits) {
        snprintf(a, sizeof a, "%d", r->splits);
        card(fp, 0, a, "units split between territories");
    }
    for (int k = 0; k < R->nb; k++) {
        double d = r->max_dev_pct[k];
        snprintf(what, sizeof what, "largest deviation of %s%s%s%s", R->mname[k],
                 isfinite(R->tol[k]) ? " (tolerance \xc2\xb1" : "", isfinite(R->tol[k]) ? fg(b, R->tol[k]) : "",
                 isfinite(R->tol[k]) ? "%)" : "");
        snprintf(v, sizeof v, "%s%%", fx(a, d, 2));
        card(fp, isfinite(R->tol[k]) && d > R->tol[k] + 1e-9, v, what);
    }
    snprintf(what, sizeof what, "compactness; lower bound %s, gap %s%%", th(b, r->lower_bound), fx(c, 100 * r->gap, 2));
    card(fp, 0, th(a, r->objective), what);
    if (R->moved_in) {
        snprintf(a, sizeof a, "%d", R->moved_total);
        card(fp, 0, a, "units moved against the current plan");
    }
    if (R->q) {
        snprintf(what, sizeof what, "quotas for %d (target %s; forecast %s)", R->q->plan_year, th(b, R->q->target),
                 R->q->method);
        card(fp, 0, th(a, R->q->total), what);
        if (R->q->has_actual) {
            snprintf(v, sizeof v, "%s%%", fx(b, 100 * R->q->share_at_quota, 1));
            snprintf(what, sizeof what, "of territories at or above quota in the %d replay; median attainment %s%%",
                     R->q->plan_year, fx(c, R->q->attainment_median, 1));
            card(fp, 0, v, what);
        }
    }
    if (R->sc) {
        int ne = 0;
        for (int s = 0; s < R->ns; s++)
            ne += R->sc->efficient && R->sc->efficient[s];
        snprintf(a, sizeof a, "%d", R->ns);
        snprintf(what, sizeof what, "quota scenarios, %d Pareto-efficient%s%s", ne, R->chosen >= 0 ? "; chosen: " : "",
                 R->chosen >= 0 ? R->in->scenarios[R->chosen].name : "");
        card(fp, 0, a, what);
    }
    fputs("</div>\n", fp);
    /* The bound in plain words. */
    fputs("<p class=\"note\">Compactness is the sum of each unit's weight times its squared distance to its "
          "territory's centre.",
          fp);
    if (isfinite(r->lower_bound) && isfinite(r->gap))
        fprintf(fp, " No plan with these centres can do better than the lower bound %s: this plan is within %s%% "
                    "of it.",
                th(a, r->lower_bound), fx(b, 100 * r->gap, 2));
    fputs("</p>\n", fp);
    fputs("</section>\n", fp);
}

/* ------------------------------------------------------------------ */
/* Warnings                                                            */
/* ------------------------------------------------------------------ */

static FILE *warn(rep *R)
{
    fputs(R->n_warnings++ ? "<li>" : "<ul class=\"warn\">\n<li>", R->fp);
    return R->fp;
}

static void more(FILE *fp, int shown, int total)
{
    if (total > shown)
        fprintf(fp, " and %d more", total - shown);
}

static tqo_status put_warnings(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    int nb = R->nb, p = R->p;
    char a[48], b[48];
    fputs("<section id=\"warnings\">\n<h2>Warnings</h2>\n", fp);

    /* Units larger than any territory may be on a balanced measure. */
    for (int k = 0; k < nb; k++) {
        if (R->mcol[k] < 0 || !isfinite(R->tol[k]) || !r->target)
            continue;
        double hi = 0;
        for (int j = 0; j < p; j++)
            hi = fmax(hi, r->target[j * nb + k] * (1 + R->tol[k] / 100));
        const double *v = R->inst->measures[R->mcol[k]].value;
        int count = 0;
        for (int i = 0; i < R->n; i++)
            count += v[i] > hi * (1 + 1e-12);
        if (!count)
            continue;
        fprintf(warn(R), "%d unit%s larger on ", count, count == 1 ? " is" : "s are");
        put_html(fp, R->mname[k]);
        fprintf(fp, " than a territory may be (at most %s with the \xc2\xb1%s%% tolerance), so %s territory "
                    "cannot be balanced%s: ",
                th(a, hi), fg(b, R->tol[k]), count == 1 ? "its" : "their",
                r->splits ? " unless the unit is split" : "");
        for (int i = 0, shown = 0; i < R->n && shown < LIST_MAX; i++)
            if (v[i] > hi * (1 + 1e-12)) {
                fputs(shown++ ? ", " : "", fp);
                put_unit(R, i);
                fprintf(fp, " %s", th(a, v[i]));
            }
        more(fp, LIST_MAX, count);
        fputs(".</li>\n", fp);
    }

    /* Territories outside the tolerance band. */
    for (int k = 0; k < nb && r->dev_pct; k++) {
        if (!isfinite(R->tol[k]))
            continue;
        int count = 0;
        for (int j = 0; j < p; j++)
            count += fabs(r->dev_pct[j * nb + k]) > R->tol[k] + 1e-9;
        if (!count)
            continue;
        fprintf(warn(R), "%d territor%s outside the \xc2\xb1%s%% band on ", count, count == 1 ? "y is" : "ies are",
                fg(a, R->tol[k]));
        put_html(fp, R->mname[k]);
        fputs(": ", fp);
        for (int j = 0, shown = 0; j < p && shown < LIST_MAX; j++)
            if (fabs(r->dev_pct[j * nb + k]) > R->tol[k] + 1e-9) {
                fputs(shown++ ? ", " : "", fp);
                put_html(fp, r->territory_id[j]);
                fprintf(fp, " (%s%%)", fx_signed(a, r->dev_pct[j * nb + k], 1));
            }
        more(fp, LIST_MAX, count);
        fputs(".</li>\n", fp);
    }

    /* Islands placed with a territory they are not connected to. */
    for (int e = 0; e < r->n_exceptions && e < LIST_MAX; e++) {
        const tqo_exception *x = &r->exceptions[e];
        fprintf(warn(R), "An island of %d unit%s (with ", x->n_units, x->n_units == 1 ? "" : "s");
        if (x->first_unit >= 0 && x->first_unit < R->n)
            put_unit(R, x->first_unit);
        else
            fputs("an unknown unit", fp);
        fputs(") is part of territory ", fp);
        put_html(fp, tname(R, x->territory));
        fputs(", which it is not connected to.</li>\n", fp);
    }
    if (r->n_exceptions > LIST_MAX)
        fprintf(warn(R), "%d more islands are part of territories they are not connected to.</li>\n",
                r->n_exceptions - LIST_MAX);

    if (R->inst->current && !R->moved_in)
        fputs("The current plan's territories are not the ones drawn: moves are not measured against it.</li>\n",
              warn(R));
    else if (R->moved_in && R->current_unmatched)
        fprintf(warn(R), "%d units are in current-plan territories that were not drawn: they are not counted as "
                         "moves.</li>\n",
                R->current_unmatched);

    /* Quotas held at a growth bound. */
    const tqo_quota_result *q = R->q;
    for (int side = 0; q && q->bound && side < 2; side++) {
        char want = side ? 'u' : 'l';
        int count = 0;
        for (int k = 0; k < q->n_territories; k++)
            count += q->bound[k] == want;
        if (!count)
            continue;
        const tqo_quota_settings *qs = R->in->quota_settings;
        double lim = qs ? (side ? qs->max_growth_pct : qs->min_growth_pct) : NAN;
        fprintf(warn(R), "%d quota%s held at the %s", count, count == 1 ? " is" : "s are",
                side ? "cap on growth" : "floor on growth");
        if (isfinite(lim))
            fprintf(fp, " (%s%s%% over last year)", lim > 0 ? "+" : "", fg(a, lim));
        fputs(", not at the fair share: ", fp);
        for (int k = 0, shown = 0; k < q->n_territories && shown < LIST_MAX; k++)
            if (q->bound[k] == want) {
                fputs(shown++ ? ", " : "", fp);
                put_html(fp, q->territory_id[k]);
            }
        more(fp, LIST_MAX, count);
        fputs(".</li>\n", fp);
    }
    if (q && q->n_no_history)
        fprintf(warn(R), "%d territor%s no sales in the last complete year: no growth bounds apply to %s "
                         "quota%s.</li>\n",
                q->n_no_history, q->n_no_history == 1 ? "y has" : "ies have", q->n_no_history == 1 ? "its" : "their",
                q->n_no_history == 1 ? "" : "s");

    /* Scenarios. */
    if (R->in->chosen_scenario && R->sc && R->chosen < 0) {
        fputs("The chosen scenario '", warn(R));
        put_html(fp, R->in->chosen_scenario);
        fputs("' is not among the scenarios.</li>\n", fp);
    }
    for (int s = 0, shown = 0; R->sc && R->sc->error && s < R->ns; s++) {
        if (!R->sc->error[s])
            continue;
        if (shown++ == LIST_MAX) {
            int rest = 0;
            for (int t = s; t < R->ns; t++)
                rest += R->sc->error[t] != NULL;
            fprintf(warn(R), "%d more scenarios could not be (fully) evaluated: see the error column.</li>\n", rest);
            break;
        }
        fputs("Scenario ", warn(R));
        put_html(fp, R->in->scenarios[s].name);
        fputs(" could not be (fully) evaluated: ", fp);
        put_html(fp, R->sc->error[s]);
        fputs(".</li>\n", fp);
    }

    /* The steps' own, as tqo_diag keeps them or without the prefix. */
    for (int k = 0; k < R->in->n_warnings; k++) {
        const char *w = R->in->warnings[k] ? R->in->warnings[k] : "";
        put_html(warn(R), w + (strncmp(w, "warning: ", 9) == 0 ? 9 : 0));
        fputs("</li>\n", fp);
    }
    fputs(R->n_warnings ? "</ul>\n" : "<p class=\"ok\">None: every territory is within its tolerance and nothing "
                                     "needed an exception.</p>\n",
          fp);
    fputs("</section>\n", fp);
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* The map                                                             */
/* ------------------------------------------------------------------ */

/* A five-pointed star of outer radius s centred on (x, y). */
static void put_star(FILE *fp, double x, double y, double s)
{
    fputs("<path class=\"star\" d=\"M", fp);
    for (int k = 0; k < 10; k++) {
        double rad = k % 2 ? s * 0.45 : s, ang = -PI / 2 + k * PI / 5;
        px(fp, k ? " " : "", x + rad * cos(ang), " ");
        px(fp, "", y + rad * sin(ang), "");
    }
    fputs("Z\">", fp);
}

static tqo_status put_map(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    int n = R->n, p = R->p;
    fputs("<section id=\"map\">\n<h2>Territory map</h2>\n", fp);
    double *ux = malloc(((size_t)n + 1) * sizeof *ux), *uy = malloc(((size_t)n + 1) * sizeof *uy);
    double *cx = malloc(((size_t)p + 1) * sizeof *cx), *cy = malloc(((size_t)p + 1) * sizeof *cy);
    tqo_map_frame f;
    map_shapes sh; /* the unit polygons, when the instance has them */
    int has = ux && uy && cx && cy ? tqoi_map_positions_shapes(R->inst, r, ux, uy, cx, cy, &f, &sh) : -1;
    if (has < 0) {
        free(ux);
        free(uy);
        free(cx);
        free(cy);
        return TQO_ERR_NOMEM;
    }
    R->shapes = has ? n : 0;
    if (!has) {
        fputs("<p class=\"note\">The instance has no coordinates: there is no map to draw.</p>\n</section>\n", fp);
    } else {
        double pad = f.star + 2;
        px(fp, "<div class=\"mapbox\">\n<svg id=\"tqo-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
           f.width + 2 * pad, " ");
        px(fp, "", f.height + 2 * pad, "\" ");
        px(fp, "width=\"", f.width + 2 * pad, "\" ");
        px(fp, "height=\"", f.height + 2 * pad, "\" ");
        px(fp, "data-r=\"", f.radius, "\" role=\"img\" aria-label=\"units coloured by territory\">\n");
        fputs("<rect class=\"mbg\" width=\"100%\" height=\"100%\"/>\n<g id=\"tqo-units\">\n", fp);
        char rad[48];
        {
            long long t = llround(f.radius * 10);
            snprintf(rad, sizeof rad, t % 10 ? "%lld.%lld" : "%lld", t / 10, t % 10);
        }
        /* One group per territory (data-t: its index in the data block),
           then the units without one; the data block lists the units in
           this same order. */
        for (int g = 0; g <= p; g++) {
            if (R->first[g] == R->first[g + 1])
                continue;
            if (g < p)
                fprintf(fp, "<g class=\"c%d\" data-t=\"%d\">\n", R->colour[g] % TQO_PALETTE_SIZE, g);
            else
                fputs("<g class=\"u\" data-t=\"-1\">\n", fp);
            for (int k = R->first[g]; k < R->first[g + 1] && sh.n; k++) {
                int i = R->order[k];
                fputs(r->unit_start[i + 1] - r->unit_start[i] > 1 ? "<path class=\"s\" d=\"" : "<path d=\"", fp);
                tqoi_map_shapes_put_path(fp, &sh, i, pad, pad);
                fputs("\"/>\n", fp);
            }
            for (int k = R->first[g]; k < R->first[g + 1] && !sh.n; k++) {
                int i = R->order[k];
                fputs(r->unit_start[i + 1] - r->unit_start[i] > 1 ? "<circle class=\"s\"" : "<circle", fp);
                px(fp, " cx=\"", ux[i] + pad, "\"");
                px(fp, " cy=\"", uy[i] + pad, "\"");
                fprintf(fp, " r=\"%s\"/>\n", rad);
            }
            fputs("</g>\n", fp);
        }
        fputs("</g>\n", fp);
        if (sh.n) { /* territory outlines over the units */
            fputs("<path class=\"tb\" d=\"", fp);
            tqoi_map_shapes_put_borders(fp, &sh, R->main_t, pad, pad);
            fputs("\"/>\n", fp);
        }
        fputs("<g id=\"tqo-centres\">\n", fp);
        /* Hundreds of stars would hide the units: smaller ones there. */
        double star = p > 200 ? fmax(3.0, f.star * sqrt(200.0 / p)) : f.star;
        for (int j = 0; j < p; j++) {
            if (!isfinite(cx[j]) || !isfinite(cy[j]))
                continue;
            put_star(fp, cx[j] + pad, cy[j] + pad, star);
            fputs(r->fixed_centres ? "<title>home base of " : "<title>centre of ", fp);
            put_html(fp, r->territory_id[j]);
            fputs("</title></path>\n", fp);
        }
        /* Names at the centres while they fit. */
        for (int j = 0; j < p && p <= 40; j++) {
            if (!isfinite(cx[j]) || !isfinite(cy[j]))
                continue;
            px(fp, "<text class=\"cl\" x=\"", cx[j] + pad + f.star + 2, "\"");
            px(fp, " y=\"", cy[j] + pad + 4, "\">");
            put_html(fp, r->territory_id[j]);
            fputs("</text>\n", fp);
        }
        fputs(sh.n ? "</g>\n<path id=\"tqo-hl\" d=\"\"/>\n</svg>\n"
                   : "</g>\n<circle id=\"tqo-hl\" cx=\"0\" cy=\"0\" r=\"0\"/>\n</svg>\n",
              fp);
        fputs("<div id=\"tqo-tip\" hidden></div>\n</div>\n", fp);
        fprintf(fp, "<p class=\"note\">Each %s is a unit in its territory's colour%s%s; stars mark the %s. Point at "
                    "a unit for its id, name and territory.</p>\n</section>\n",
                sh.n ? "area" : "dot", r->splits ? " (outlined: split between territories)" : "",
                sh.n ? ", with the territories' borders drawn over them" : "",
                r->fixed_centres ? "home bases" : "territory centres");
    }
    tqoi_map_shapes_free(&sh);
    free(ux);
    free(uy);
    free(cx);
    free(cy);
    return TQO_OK;
}

/* The map's data block: territory ids, and per unit in the map's order
   its id, name and (split units) its shares. */
static void put_map_data(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    int n = R->n, p = R->p;
    fputs("<script type=\"application/json\" id=\"tqo-data\">\n{\"terr\":[", fp);
    for (int j = 0; j < p; j++) {
        fputs(j ? "," : "", fp);
        put_js(fp, r->territory_id[j]);
    }
    fputs("],\n\"id\":[", fp);
    for (int k = 0; k < n; k++) {
        fputs(k ? "," : "", fp);
        put_js(fp, R->inst->unit_id[R->order[k]]);
    }
    fputs("]", fp);
    if (R->name_label >= 0) {
        fputs(",\n\"name\":[", fp);
        for (int k = 0; k < n; k++) {
            fputs(k ? "," : "", fp);
            put_js(fp, R->inst->labels[R->name_label].value[R->order[k]]);
        }
        fputs("]", fp);
    }
    fputs(",\n\"split\":{", fp);
    for (int k = 0, first = 1; k < n; k++) {
        int i = R->order[k];
        if (r->unit_start[i + 1] - r->unit_start[i] < 2)
            continue;
        char text[512] = "", one[64];
        size_t len = 0;
        for (int e = r->unit_start[i]; e < r->unit_start[i + 1] && len + 1 < sizeof text; e++) {
            if (!(r->share[e] > 0) || r->terr[e] < 0 || r->terr[e] >= p)
                continue;
            snprintf(one, sizeof one, " %.3g%%", 100 * r->share[e]);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s", len ? ", " : "",
                                    r->territory_id[r->terr[e]], one);
        }
        fprintf(fp, "%s\"%d\":", first ? "" : ",", k);
        put_js(fp, text);
        first = 0;
    }
    fputs("}}\n</script>\n", fp);
}

/* ------------------------------------------------------------------ */
/* Bar charts: balance and the quota replay                            */
/* ------------------------------------------------------------------ */

typedef struct bars {
    const char *label;       /* the chart's aria-label */
    const char *yname;       /* the y axis title */
    int n;
    char *const *name;       /* per bar */
    const double *v;
    int stride;
    double band;             /* > 0: the band +-band around 0 is shaded */
    double ref;              /* finite: a dashed line there */
    const char *unit;        /* after the value in a bar's tooltip */
} bars;

#define BW 1000.0
#define BL 64.0
#define BR 990.0
#define BT 14.0
#define BH 210.0

static double nice_step(double range)
{
    double raw = range / 6, m = pow(10, floor(log10(raw))), f = raw / m;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * m;
}

static void put_bars(FILE *fp, const bars *B)
{
    double lo = 0, hi = 0;
    for (int k = 0; k < B->n; k++) {
        double v = B->v[(size_t)k * B->stride];
        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    if (B->band > 0) {
        lo = fmin(lo, -1.25 * B->band);
        hi = fmax(hi, 1.25 * B->band);
    }
    if (isfinite(B->ref))
        hi = fmax(hi, 1.1 * B->ref);
    if (!(hi > lo))
        hi = lo + 1;
    double step = nice_step(hi - lo);
    lo = floor(lo / step + 1e-9) * step;
    hi = ceil(hi / step - 1e-9) * step;
    /* Names under the bars while they fit, slanted: as deep as the
       longest needs (about 6 px a character, at 60 degrees), cut at 18
       characters (the bar's tooltip has the whole name). */
    int labels = B->n <= 60;
    size_t longest = 0;
    for (int k = 0; labels && k < B->n; k++)
        longest = strlen(B->name[k]) > longest ? strlen(B->name[k]) : longest;
    double height = BT + BH + (labels ? 16 + 5.4 * (double)(longest < 18 ? longest : 18) : 30);
    int dec = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
#define SY(v) (BT + (hi - (v)) / (hi - lo) * BH)
    char buf[48];
    fprintf(fp, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                "height=\"%.0f\" role=\"img\" aria-label=\"",
            BW, height, BW, height);
    put_html(fp, B->label);
    fputs("\">\n", fp);
    if (B->band > 0) {
        px(fp, "<rect class=\"band\" x=\"64\" y=\"", SY(B->band), "\" width=\"926\" ");
        px(fp, "height=\"", SY(-B->band) - SY(B->band), "\"/>\n");
    }
    int nt = (int)llround((hi - lo) / step);
    for (int t = 0; t <= nt; t++) {
        double v = lo + t * step;
        if (fabs(v) < 1e-9 * step)
            v = 0;
        px(fp, "<path class=\"grid\" d=\"M64 ", SY(v), "H990\"/>");
        px(fp, "<text class=\"ty\" x=\"58\" y=\"", SY(v) + 4, "\">");
        fprintf(fp, "%s</text>\n", fx(buf, v, dec));
    }
    double bw = (BR - BL) / (B->n > 0 ? B->n : 1);
    for (int k = 0; k < B->n; k++) {
        double v = B->v[(size_t)k * B->stride];
        if (!isfinite(v))
            continue;
        const char *cls = B->band > 0 ? (fabs(v) <= B->band + 1e-9 ? "bi" : "bo") : (v >= B->ref - 1e-9 ? "bh" : "bm");
        double y0 = SY(fmax(v, 0)), y1 = SY(fmin(v, 0));
        fprintf(fp, "<rect class=\"%s\"", cls);
        px(fp, " x=\"", BL + k * bw + 0.1 * bw, "\"");
        px(fp, " y=\"", y0, "\"");
        px(fp, " width=\"", fmax(0.5, 0.8 * bw), "\"");
        px(fp, " height=\"", fmax(0.5, y1 - y0), "\"><title>");
        put_html(fp, B->name[k]);
        fprintf(fp, ": %s%s</title></rect>\n", B->band > 0 ? fx_signed(buf, v, 1) : fx(buf, v, 1), B->unit);
    }
    px(fp, "<path class=\"zero\" d=\"M64 ", SY(0), "H990\"/>\n");
    if (isfinite(B->ref))
        px(fp, "<path class=\"ref\" d=\"M64 ", SY(B->ref), "H990\"/>\n");
    for (int k = 0; labels && k < B->n; k++) {
        double x = BL + (k + 0.5) * bw + 4;
        px(fp, "<text transform=\"translate(", x, " ");
        px(fp, "", BT + BH + 8, ") rotate(-60)\" text-anchor=\"end\">");
        put_cut(fp, B->name[k], 18);
        fputs("</text>\n", fp);
    }
    if (!labels)
        fprintf(fp, "<text class=\"ax\" x=\"527\" y=\"%.0f\">%d territories, in the table's order</text>\n",
                BT + BH + 22, B->n);
    fprintf(fp, "<text class=\"ax\" transform=\"translate(16 %.0f) rotate(-90)\">", BT + BH / 2);
    put_html(fp, B->yname);
    fputs("</text>\n</svg>\n", fp);
#undef SY
}

static void put_balance(rep *R)
{
    FILE *fp = R->fp;
    char a[48];
    fputs("<section id=\"balance\">\n<h2>Balance at a glance</h2>\n"
          "<p class=\"note\">Each bar is a territory's deviation from its target; the shaded band is the "
          "tolerance. Red bars are outside it.</p>\n",
          fp);
    for (int k = 0; k < R->nb && R->r->dev_pct; k++) {
        char label[300], yname[200];
        snprintf(label, sizeof label, "deviation of %s by territory", R->mname[k]);
        snprintf(yname, sizeof yname, "%s: deviation (%%)", R->mname[k]);
        fputs("<h3>", fp);
        put_html(fp, R->mname[k]);
        if (isfinite(R->tol[k]))
            fprintf(fp, " (tolerance \xc2\xb1%s%%)", fg(a, R->tol[k]));
        fputs("</h3>\n", fp);
        bars B = {label, yname, R->p, R->r->territory_id, R->r->dev_pct + k, R->nb,
                  isfinite(R->tol[k]) ? R->tol[k] : 0, NAN, "%"};
        put_bars(fp, &B);
    }
    fputs("</section>\n", fp);
}

static void put_replay(rep *R)
{
    const tqo_quota_result *q = R->q;
    if (!q || !q->has_actual || !q->attainment_pct)
        return;
    FILE *fp = R->fp;
    char a[48], b[48], c[48], d[48];
    fprintf(fp, "<section id=\"replay\">\n<h2>Quota replay: %d</h2>\n", q->plan_year);
    fprintf(fp, "<p class=\"note\">The plan year is in the history, so the quotas are replayed against what was "
                "sold: %s%% of the territories reached their quota; attainment median %s%% (P10 %s%%, P90 "
                "%s%%).",
            fx(a, 100 * q->share_at_quota, 1), fx(b, q->attainment_median, 1), fx(c, q->attainment_p10, 1),
            fx(d, q->attainment_p90, 1));
    if (isfinite(q->mape_quota))
        fprintf(fp, " Quotas missed the actual sales by %s%% on average (MAPE; %s%% for last year's sales).",
                fx(a, q->mape_quota, 1), fx(b, q->mape_naive, 1));
    fputs("</p>\n", fp);
    bars B = {"attainment by territory against quota", "attainment (% of quota)", q->n_territories, q->territory_id,
              q->attainment_pct, 1, 0, 100, "% of quota"};
    put_bars(fp, &B);
    fputs("<p class=\"note\">Green: at or above quota (the dashed line); orange: below.</p>\n</section>\n", fp);
}

/* The quota hierarchy (tqo quota --nodes, --submissions, level: columns):
   every node above the territories and the territories with a submission,
   the top-down, bottom-up and reconciled plans side by side. */
static void put_hierarchy(rep *R)
{
    const tqo_quota_result *q = R->q;
    if (!q || !q->nodes || q->n_nodes < 1)
        return;
    FILE *fp = R->fp;
    char a[48];
    int subs = 0;
    for (int v = 0; v < q->n_nodes; v++)
        subs += !isnan(q->nodes[v].submitted);
    fputs("<section id=\"hierarchy\">\n<h2>Quota hierarchy</h2>\n<p class=\"note\">", fp);
    fprintf(fp, "One LP over all %d nodes: each node's children add up to its quota times its over-assignment, "
                "within every node's growth band and target.", q->n_nodes);
    if (subs)
        fprintf(fp, " %d submitted numbers (bottom-up) reconciled with the top-down plan: as close to them as the "
                    "bands and the company target allow; gap = reconciled - bottom-up.", subs);
    fputs(" Every node: quotas_rollup.csv.</p>\n<div class=\"tw\">\n<table id=\"tqo-hierarchy\">\n<thead><tr>"
          "<th class=\"t\">node</th><th class=\"t\">level</th><th>last year</th><th>top-down</th>"
          "<th>bottom-up</th><th>reconciled</th><th title=\"reconciled - bottom-up\">gap</th>"
          "<th title=\"reconciled - top-down\">vs top-down</th><th>growth %</th></tr></thead>\n<tbody>\n",
          fp);
    for (int v = 0; v < q->n_nodes; v++) {
        const tqo_quota_node *n = &q->nodes[v];
        if (n->territory >= 0 && isnan(n->submitted))
            continue; /* territories: quotas.csv and the table above */
        fprintf(fp, "<tr><td class=\"t\" style=\"padding-left:%.1fem\">", 0.3 + 1.2 * n->depth);
        put_html(fp, n->id);
        fputs("</td>", fp);
        td_text(fp, n->level);
        double rec = isnan(n->reconciled) ? n->quota : n->reconciled;
        td_num(fp, n->last_year, th(a, n->last_year), NULL);
        td_num(fp, n->top_down, th(a, n->top_down), NULL);
        td_num(fp, n->submitted, th(a, n->submitted), NULL);
        td_num(fp, rec, th(a, rec), NULL);
        double gap = rec - n->submitted, vs = rec - n->top_down;
        td_num(fp, gap, fx_signed(a, gap, 0), NULL);
        td_num(fp, vs, fx_signed(a, vs, 0), NULL);
        td_num(fp, n->growth_pct, fx_signed(a, n->growth_pct, 1), NULL);
        fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", fp);
}

/* ------------------------------------------------------------------ */
/* The territory table                                                 */
/* ------------------------------------------------------------------ */

static void put_territories(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    const tqo_quota_result *q = R->q;
    int nb = R->nb;
    char a[48];
    int has_region = 0;
    for (int k = 0; q && q->region && k < q->n_territories && !has_region; k++)
        has_region = q->region[k] && q->region[k][0];
    fputs("<section id=\"territories\">\n<h2>Territories</h2>\n"
          "<p class=\"note\">Click a header to sort by it; click again to reverse.</p>\n"
          "<div class=\"tw\">\n<table id=\"tqo-territories\" class=\"sortable\">\n<thead><tr>"
          "<th class=\"t\">territory</th>",
          fp);
    if (has_region)
        fputs("<th class=\"t\">region</th>", fp);
    fputs("<th title=\"units wholly or partly in the territory\">units</th>", fp);
    for (int k = 0; k < nb; k++) {
        fputs("<th>", fp);
        put_html(fp, R->mname[k]);
        fputs("</th><th title=\"deviation from the target\">", fp);
        put_html(fp, R->mname[k]);
        fputs(" dev %</th>", fp);
    }
    fputs("<th data-selftest title=\"sum of weight times squared distance to the centre\">compactness</th>", fp);
    if (R->moved_in)
        fputs("<th title=\"units the current plan has in another territory\">moved in</th>"
              "<th title=\"units of the current plan's territory now elsewhere\">moved out</th>",
              fp);
    if (q) {
        fputs("<th>quota</th><th>last year</th><th title=\"quota over last year\">growth %</th>"
              "<th class=\"t\" title=\"a quota held at a growth bound\">bound</th>",
              fp);
        if (q->has_actual)
            fputs("<th>actual</th><th>attainment %</th>", fp);
    }
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (int j = 0; j < R->p; j++) {
        int k = R->q_row ? R->q_row[j] : -1;
        fprintf(fp, "<tr><td class=\"t\"><span class=\"sw c%d\"></span>", R->colour[j] % TQO_PALETTE_SIZE);
        put_html(fp, r->territory_id[j]);
        fputs("</td>", fp);
        if (has_region)
            td_text(fp, k >= 0 && q->region ? q->region[k] : "");
        double units = r->units_in ? r->units_in[j] : R->first[j + 1] - R->first[j];
        td_num(fp, units, th(a, units), NULL);
        for (int b = 0; b < nb; b++) {
            double t = r->total ? r->total[j * nb + b] : NAN, d = r->dev_pct ? r->dev_pct[j * nb + b] : NAN;
            td_num(fp, t, th(a, t), NULL);
            td_num(fp, d, fx_signed(a, d, 1), isfinite(R->tol[b]) && fabs(d) > R->tol[b] + 1e-9 ? "out" : NULL);
        }
        double cpt = r->compactness ? r->compactness[j] : NAN;
        td_num(fp, cpt, th(a, cpt), NULL);
        if (R->moved_in) {
            td_num(fp, R->moved_in[j], th(a, R->moved_in[j]), NULL);
            td_num(fp, R->moved_out[j], th(a, R->moved_out[j]), NULL);
        }
        if (q) {
            double quota = k >= 0 ? q->quota[k] : NAN, last = k >= 0 && q->last_year ? q->last_year[k] : NAN;
            double g = k >= 0 && q->growth_pct ? q->growth_pct[k] : NAN;
            td_num(fp, quota, th(a, quota), NULL);
            td_num(fp, last, th(a, last), NULL);
            td_num(fp, g, fx_signed(a, g, 1), NULL);
            char bd = k >= 0 && q->bound ? q->bound[k] : 0;
            td_text(fp, bd == 'l' ? "floor" : bd == 'u' ? "cap" : "");
            if (q->has_actual) {
                double act = k >= 0 && q->actual ? q->actual[k] : NAN;
                double att = k >= 0 && q->attainment_pct ? q->attainment_pct[k] : NAN;
                td_num(fp, act, th(a, act), NULL);
                td_num(fp, att, fx(a, att, 1), isfinite(att) && att < 100 ? "out" : NULL);
            }
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</div>\n", fp);
    if (R->inst->current && !R->moved_in)
        fputs("<p class=\"note\">Moves are not shown: the current plan's territories are not the ones drawn.</p>\n",
              fp);
    else if (!R->inst->current)
        fputs("<p class=\"note\">The instance has no current plan: moves are not shown.</p>\n", fp);
    fputs("</section>\n", fp);
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                           */
/* ------------------------------------------------------------------ */

/* The scenario settings that the table describes, one per kind. */
enum { SP_HW, SP_GROWTH, SP_TARGET, SP_OVER, SP_MING, SP_MAXG, SP_FAIR, SP_METHOD, SP_INC, SP_CURVE, SP_N };
static const char *const SP_NAME[SP_N] = {"history weight", "growth", "target", "over-assign", "min growth",
                                          "max growth", "fairness", "forecast", "incentive", "payout curve"};

/* Setting k of scenario s as text; "" when unset. */
static void sp_text(const tqo_scenario *sc, int k, char *buf, size_t size)
{
    const tqo_quota_settings *q = &sc->quota;
    char t[48];
    buf[0] = 0;
    switch (k) {
    case SP_HW: /* the weight used: without a potential the forecast share alone */
        snprintf(buf, size, "%g", q->potential ? q->history_weight : 1.0);
        break;
    case SP_GROWTH:
        if (!(q->target > 0) && isfinite(q->growth_pct))
            snprintf(buf, size, "%g%%", q->growth_pct);
        break;
    case SP_TARGET:
        if (q->target > 0)
            snprintf(buf, size, "%s", th(t, q->target));
        break;
    case SP_OVER: snprintf(buf, size, "%g%%", q->over_assign_pct); break;
    case SP_MING:
        if (isfinite(q->min_growth_pct))
            snprintf(buf, size, "%g%%", q->min_growth_pct);
        break;
    case SP_MAXG:
        if (isfinite(q->max_growth_pct))
            snprintf(buf, size, "%g%%", q->max_growth_pct);
        break;
    case SP_FAIR: snprintf(buf, size, "%s", q->minimax ? "minimax" : "sum"); break;
    case SP_METHOD: snprintf(buf, size, "%s", q->method ? q->method : "auto"); break;
    case SP_INC: snprintf(buf, size, "%s", th(t, sc->target_incentive)); break;
    case SP_CURVE: tqo_payout_format(&sc->curve, buf, size); break;
    }
}

static tqo_status put_scenarios(rep *R)
{
    const tqo_scenarios_result *r = R->sc;
    if (!r)
        return TQO_OK;
    FILE *fp = R->fp;
    const tqo_scenario *sc = R->in->scenarios;
    int ns = R->ns;
    char a[48], b[48], c[48], t0[600], t1[600];
    fputs("<section id=\"scenarios\">\n<h2>Quota scenarios</h2>\n", fp);
    fprintf(fp, "<p class=\"note\">Each scenario's quotas for %d, judged against %d simulated outcomes of the year "
                "(P50 and, in brackets, P10&ndash;P90) and, for the backtest, against past years. The Pareto-"
                "efficient scenarios reach quota in more territories for the same cost of sales.</p>\n",
            r->plan_year, r->replicates);
    scenario_point *pt = calloc((size_t)ns + 1, sizeof *pt);
    if (!pt)
        return TQO_ERR_NOMEM;
    {
        for (int s = 0; s < ns; s++)
            pt[s] = (scenario_point){sc[s].name,
                                     MC(r, s, TQO_M_PCT_AT_QUOTA, 0),
                                     MC(r, s, TQO_M_PCT_AT_QUOTA, 1),
                                     MC(r, s, TQO_M_PCT_AT_QUOTA, 2),
                                     MC(r, s, TQO_M_COST_OF_SALES, 0),
                                     MC(r, s, TQO_M_COST_OF_SALES, 1),
                                     MC(r, s, TQO_M_COST_OF_SALES, 2)};
        int bad = tqoi_scenario_svg_write(fp, pt, ns, r->efficient, 0);
        free(pt);
        if (bad && !ferror(fp))
            return TQO_ERR_NOMEM;
    }

    /* Settings that are the same in every scenario go above the table;
       those that vary go in its parameters column. */
    int varies[SP_N] = {0};
    for (int k = 0; k < SP_N; k++) {
        sp_text(&sc[0], k, t0, sizeof t0);
        for (int s = 1; s < ns && !varies[k]; s++) {
            sp_text(&sc[s], k, t1, sizeof t1);
            varies[k] = strcmp(t0, t1) != 0;
        }
    }
    fputs("<p class=\"note\">Every scenario: ", fp);
    for (int k = 0, shown = 0; k < SP_N; k++) {
        sp_text(&sc[0], k, t0, sizeof t0);
        if (varies[k] || !t0[0])
            continue;
        fprintf(fp, "%s%s ", shown++ ? ", " : "", SP_NAME[k]);
        put_html(fp, t0);
    }
    fputs(".</p>\n", fp);

    fputs("<div class=\"tw\">\n<table id=\"tqo-scenarios\" class=\"sortable\">\n<thead><tr>"
          "<th class=\"t\">scenario</th><th class=\"t\">parameters</th>"
          "<th title=\"share of territories at or above quota\">at quota %</th>"
          "<th title=\"payout / revenue\">cost of sales %</th><th>payout</th>"
          "<th title=\"Gini coefficient of attainment\">gini</th>"
          "<th title=\"rank correlation of attainment with potential\">spearman</th>"
          "<th title=\"mean absolute percentage error of quotas in the backtest\">backtest MAPE %</th>"
          "<th class=\"t\">Pareto</th><th class=\"t\">error</th></tr></thead>\n<tbody>\n",
          fp);
    for (int o = 0; o < ns; o++) {
        int s = R->sc_order[o];
        fputs(s == R->chosen ? "<tr class=\"chosen\"><td class=\"t\">" : "<tr><td class=\"t\">", fp);
        put_html(fp, sc[s].name);
        fputs(s == R->chosen ? " <b>(chosen)</b></td><td class=\"w\">" : "</td><td class=\"w\">", fp);
        for (int k = 0, shown = 0; k < SP_N; k++) {
            sp_text(&sc[s], k, t0, sizeof t0);
            if (!varies[k] || !t0[0])
                continue;
            fprintf(fp, "%s%s ", shown++ ? ", " : "", SP_NAME[k]);
            put_html(fp, t0);
        }
        fputs("</td>", fp);
        static const int pm[2] = {TQO_M_PCT_AT_QUOTA, TQO_M_COST_OF_SALES};
        for (int m = 0; m < 2; m++) {
            double p50 = MC(r, s, pm[m], 1);
            snprintf(t0, sizeof t0, "%s [%s&ndash;%s]", fx(a, p50, m ? 2 : 1), fx(b, MC(r, s, pm[m], 0), m ? 2 : 1),
                     fx(c, MC(r, s, pm[m], 2), m ? 2 : 1));
            td_num(fp, p50, t0, NULL);
        }
        double pay = MC(r, s, TQO_M_PAYOUT, 1), gini = MC(r, s, TQO_M_GINI, 1), sp = MC(r, s, TQO_M_SPEARMAN, 1);
        double mape = r->backtest_mean ? r->backtest_mean[(size_t)s * TQO_SCENARIO_N_METRICS + TQO_M_MAPE] : NAN;
        td_num(fp, pay, th(a, pay), NULL);
        td_num(fp, gini, fx(a, gini, 3), NULL);
        td_num(fp, sp, fx(a, sp, 3), NULL);
        td_num(fp, mape, fx(a, mape, 1), NULL);
        td_text(fp, r->efficient && r->efficient[s] ? "yes" : "");
        fputs(r->error && r->error[s] ? "<td class=\"w\">" : "<td>", fp);
        put_html(fp, r->error ? r->error[s] : NULL);
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", fp);
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Parameters and the script                                           */
/* ------------------------------------------------------------------ */

static void put_parameters(rep *R)
{
    FILE *fp = R->fp;
    const tqo_align_result *r = R->r;
    char a[48], b[48], c[48];
    fputs("<section id=\"parameters\">\n<h2>Parameters</h2>\n", fp);
    if (R->in->n_params > 0) {
        fputs("<table class=\"kv\">\n<tbody>\n", fp);
        for (int k = 0; k < R->in->n_params; k++) {
            fputs("<tr><td>", fp);
            put_html(fp, R->in->param_key[k]);
            fputs("</td><td>", fp);
            put_html(fp, R->in->param_value[k]);
            fputs("</td></tr>\n", fp);
        }
        fputs("</tbody>\n</table>\n", fp);
    } else {
        fputs("<p class=\"note\">No parameters were recorded for this run.</p>\n", fp);
    }
    fprintf(fp, "<p class=\"note\">Alignment: objective %s, lower bound %s, gap %s%%; %d centre relocations; LP ",
            th(a, r->objective), th(b, r->lower_bound), fx(c, 100 * r->gap, 3), r->iterations);
    put_html(fp, r->lp_status);
    if (r->mip_status[0]) {
        fputs(", MIP ", fp);
        put_html(fp, r->mip_status);
    }
    if (r->split_resolution[0]) {
        fputs("; splits: ", fp);
        put_html(fp, r->split_resolution);
    }
    fputs(".</p>\n", fp);
    if (R->q)
        fprintf(fp, "<p class=\"note\">Quotas: %d complete years of history from %d, forecast %s, LP %s.</p>\n",
                R->q->n_years, R->q->first_year, R->q->method, R->q->lp_status);
    fputs("</section>\n", fp);
}

/* The page's only script: sortable tables, the map's tooltip, and the
   self-test that tests/cli/report_browser.sh reads. It never writes to
   the console, so any console line in a browser's log is a fault. */
static const char SCRIPT[] =
    "<script>\n"
    "(function () {\n"
    "\"use strict\";\n"
    "var errors = [];\n"
    "window.addEventListener(\"error\", function (e) { errors.push(String(e.message)); });\n"
    "function $(id) { return document.getElementById(id); }\n"
    "function each(list, f) { Array.prototype.forEach.call(list, f); }\n"
    "\n"
    "/* Sortable tables: a header click sorts the rows by that column (a cell's\n"
    "   data-v when it has one, numbers as numbers, blanks last); the next\n"
    "   click reverses. aria-sort marks the header. */\n"
    "function key(td) {\n"
    "  var s = !td ? \"\" : td.hasAttribute(\"data-v\") ? td.getAttribute(\"data-v\") : td.textContent.trim();\n"
    "  return {s: s, x: s === \"\" ? NaN : Number(s)};\n"
    "}\n"
    "function compare(a, b) {\n"
    "  var na = !isNaN(a.x), nb = !isNaN(b.x);\n"
    "  if (na && nb) return a.x - b.x;\n"
    "  if (na !== nb) return na ? -1 : 1;\n"
    "  return a.s.localeCompare(b.s, undefined, {numeric: true});\n"
    "}\n"
    "function sortBy(th) {\n"
    "  var cells = th.parentNode.cells, col = Array.prototype.indexOf.call(cells, th);\n"
    "  var body = th.closest(\"table\").tBodies[0], asc = th.getAttribute(\"aria-sort\") !== \"ascending\";\n"
    "  each(cells, function (h) { h.removeAttribute(\"aria-sort\"); });\n"
    "  th.setAttribute(\"aria-sort\", asc ? \"ascending\" : \"descending\");\n"
    "  var rows = Array.prototype.map.call(body.rows, function (tr, i) {\n"
    "    return {tr: tr, k: key(tr.cells[col]), i: i};\n"
    "  });\n"
    "  rows.sort(function (a, b) {\n"
    "    if ((a.k.s === \"\") !== (b.k.s === \"\")) return a.k.s === \"\" ? 1 : -1;\n"
    "    return (asc ? compare(a.k, b.k) : compare(b.k, a.k)) || a.i - b.i;\n"
    "  });\n"
    "  var frag = document.createDocumentFragment();\n"
    "  rows.forEach(function (r) { frag.appendChild(r.tr); });\n"
    "  body.appendChild(frag);\n"
    "}\n"
    "each(document.querySelectorAll(\"table.sortable th\"), function (th) {\n"
    "  th.addEventListener(\"click\", function () { sortBy(th); });\n"
    "});\n"
    "\n"
    "/* The map: one mousemove handler finds the unit nearest the pointer in a\n"
    "   grid of cells (built on first use from the circles) and shows its id,\n"
    "   name and territory from the data block, which lists the units in the\n"
    "   circles' order. */\n"
    "var map = $(\"tqo-map\");\n"
    "if (map) {\n"
    "  var data = JSON.parse($(\"tqo-data\").textContent), tip = $(\"tqo-tip\"), hl = $(\"tqo-hl\");\n"
    "  var CELL = 20, grid = null, pts = [], index = new Map();\n"
    "  var build = function () {\n"
    "    grid = {};\n"
    "    each(document.querySelectorAll(\"#tqo-units > g\"), function (g) {\n"
    "      var t = Number(g.getAttribute(\"data-t\"));\n"
    "      each(g.children, function (c) {\n"
    "        var p = {x: Number(c.getAttribute(\"cx\")), y: Number(c.getAttribute(\"cy\")), t: t, el: c};\n"
    "        index.set(c, pts.length);\n"
    "        var cell = Math.floor(p.x / CELL) + \",\" + Math.floor(p.y / CELL);\n"
    "        (grid[cell] = grid[cell] || []).push(pts.length);\n"
    "        pts.push(p);\n"
    "      });\n"
    "    });\n"
    "  };\n"
    "  var poly = hl.tagName === \"path\";\n"
    "  var hide = function () { tip.hidden = true; if (poly) hl.setAttribute(\"d\", \"\"); else hl.setAttribute(\"r\", 0); };\n"
    "  map.addEventListener(\"mousemove\", function (e) {\n"
    "    if (!grid) build();\n"
    "    var m = map.getScreenCTM();\n"
    "    if (!m) return;\n"
    "    var at = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());\n"
    "    var gx = Math.floor(at.x / CELL), gy = Math.floor(at.y / CELL), best = -1, bd = Infinity;\n"
    "    for (var dx = -1; dx <= 1; dx++) for (var dy = -1; dy <= 1; dy++)\n"
    "      (grid[(gx + dx) + \",\" + (gy + dy)] || []).forEach(function (k) {\n"
    "        var d = Math.pow(pts[k].x - at.x, 2) + Math.pow(pts[k].y - at.y, 2);\n"
    "        if (d < bd) { bd = d; best = k; }\n"
    "      });\n"
    "    var reach = Math.min(CELL, Math.max(2 * Number(map.getAttribute(\"data-r\")), 8 / m.a));\n"
    "    if (index.has(e.target)) best = index.get(e.target), bd = 0; /* pointing at a unit's area */\n"
    "    else if (poly) best = -1;\n"
    "    if (best < 0 || bd > reach * reach) return hide();\n"
    "    var p = pts[best], name = data.name ? data.name[best] : \"\";\n"
    "    tip.textContent = data.id[best] + (name ? \" \" + name : \"\") + \": \" +\n"
    "      (data.split[best] || (p.t >= 0 ? data.terr[p.t] : \"no territory\"));\n"
    "    var box = map.parentNode.getBoundingClientRect();\n"
    "    tip.style.left = (e.clientX - box.left + 14) + \"px\";\n"
    "    tip.style.top = (e.clientY - box.top + 14) + \"px\";\n"
    "    tip.hidden = false;\n"
    "    if (poly) { hl.setAttribute(\"d\", p.el.getAttribute(\"d\")); return; }\n"
    "    hl.setAttribute(\"cx\", p.x); hl.setAttribute(\"cy\", p.y);\n"
    "    hl.setAttribute(\"r\", Number(map.getAttribute(\"data-r\")) + 2);\n"
    "  });\n"
    "  map.addEventListener(\"mouseleave\", hide);\n"
    "}\n"
    "\n"
    "/* #selftest, for tests/cli/report_browser.sh: the map's shapes and the\n"
    "   tables' rows against the counts the writer put on #tqo-selftest, two\n"
    "   clicks on a numeric header that must sort its column up, then down,\n"
    "   and the pointer on the first unit, whose id the tooltip must show.\n"
    "   The result replaces the element's text: PASS or FAIL (with reasons),\n"
    "   then the counts. */\n"
    "if (location.hash === \"#selftest\") {\n"
    "  var out = $(\"tqo-selftest\"), bad = [], got = {}, sorted = \"none\";\n"
    "  var count = function (sel) { return document.querySelectorAll(sel).length; };\n"
    "  got.units = count(\"#tqo-units circle, #tqo-units path\");\n"
    "  got.territories = count(\"#tqo-territories tbody tr\");\n"
    "  got.scenarios = count(\"#tqo-scenarios tbody tr\");\n"
    "  Object.keys(got).forEach(function (k) {\n"
    "    var want = Number(out.getAttribute(\"data-\" + k));\n"
    "    if (got[k] !== want) bad.push(k + \" \" + got[k] + \" (expected \" + want + \")\");\n"
    "  });\n"
    "  var th = document.querySelector(\"th[data-selftest]\");\n"
    "  if (th) {\n"
    "    var col = Array.prototype.indexOf.call(th.parentNode.cells, th), body = th.closest(\"table\").tBodies[0];\n"
    "    var inOrder = function (dir) {\n"
    "      var v = Array.prototype.map.call(body.rows, function (tr) {\n"
    "        return Number(tr.cells[col].getAttribute(\"data-v\"));\n"
    "      });\n"
    "      return v.every(function (x, i) { return i === 0 || dir * (x - v[i - 1]) >= 0; });\n"
    "    };\n"
    "    th.dispatchEvent(new MouseEvent(\"click\", {bubbles: true}));\n"
    "    var up = inOrder(1) && th.getAttribute(\"aria-sort\") === \"ascending\";\n"
    "    th.dispatchEvent(new MouseEvent(\"click\", {bubbles: true}));\n"
    "    var down = inOrder(-1) && th.getAttribute(\"aria-sort\") === \"descending\";\n"
    "    sorted = up && down ? \"ok\" : \"bad\";\n"
    "    if (sorted !== \"ok\") bad.push(\"sort\");\n"
    "  }\n"
    "  var tipped = \"none\", unit = document.querySelector(\"#tqo-units circle, #tqo-units path\");\n"
    "  if (unit) {\n"
    "    var box = unit.getBoundingClientRect();\n"
    "    unit.dispatchEvent(new MouseEvent(\"mousemove\", {bubbles: true, clientX: box.left + box.width / 2,\n"
    "                                                   clientY: box.top + box.height / 2}));\n"
    "    tipped = !tip.hidden && tip.textContent.indexOf(data.id[0] + \" \") === 0 ? \"ok\" : \"bad\";\n"
    "    if (tipped !== \"ok\") bad.push(\"tooltip\");\n"
    "  }\n"
    "  if (errors.length) bad.push(\"errors: \" + errors.join(\" | \"));\n"
    "  out.textContent = (bad.length ? \"FAIL \" + bad.join(\"; \") + \" \" : \"PASS \") + \"units=\" + got.units +\n"
    "    \" territories=\" + got.territories + \" scenarios=\" + got.scenarios + \" sort=\" + sorted +\n"
    "    \" tip=\" + tipped;\n"
    "  out.hidden = false;\n"
    "}\n"
    "})();\n"
    "</script>\n";

/* ------------------------------------------------------------------ */
/* The document                                                        */
/* ------------------------------------------------------------------ */

static tqo_status check_input(const report_input *in, tqo_diag *diag)
{
    const char *what = NULL;
    if (!in || !in->inst || !in->align)
        what = "an instance and an alignment result are required";
    else if (in->align->n_units != in->inst->n_units || !in->align->unit_start || !in->align->terr ||
             !in->align->share)
        what = "the alignment result does not describe the instance's units";
    else if (in->align->n_territories < 0 || (in->align->n_territories > 0 && !in->align->territory_id))
        what = "the alignment result has no territory ids";
    else if (in->align->n_balance < 0 || in->align->n_balance > TQO_MAX_BALANCE)
        what = "the alignment result's balanced measures are out of range";
    else if (in->scen && (!in->scenarios || in->n_scenarios != in->scen->n_scenarios || in->n_scenarios < 1 ||
                          !in->scen->mc))
        what = "the scenarios and their result do not match";
    else if (in->quota && in->quota->n_territories > 0 && (!in->quota->territory_id || !in->quota->quota))
        what = "the quota result is incomplete";
    else if (in->n_params < 0 || (in->n_params > 0 && (!in->param_key || !in->param_value)) || in->n_warnings < 0 ||
             (in->n_warnings > 0 && !in->warnings))
        what = "parameters or warnings are missing";
    if (!what)
        return TQO_OK;
    tqo_diag_error(diag, "report.html: %s", what);
    return TQO_ERR_ARG;
}

tqo_status tqoi_report_html_write(FILE *fp, const report_input *in, tqo_diag *diag)
{
    tqo_status st = check_input(in, diag);
    if (st != TQO_OK)
        return st;
    rep R;
    memset(&R, 0, sizeof R);
    R.fp = fp;
    R.in = in;
    R.inst = in->inst;
    R.r = in->align;
    R.q = in->quota;
    R.sc = in->scen;
    R.n = R.r->n_units;
    R.p = R.r->n_territories;
    R.nb = R.r->n_balance;
    R.ns = R.sc ? R.sc->n_scenarios : 0;
    st = prepare(&R);
    if (st == TQO_OK) {
        const char *title = in->title ? in->title : "tqo plan";
        put_head(&R, title);
        put_summary(&R);
        st = put_warnings(&R);
    }
    if (st == TQO_OK)
        st = put_map(&R);
    if (st == TQO_OK) {
        put_territories(&R);
        put_balance(&R);
        put_replay(&R);
        tqoi_report_put_forecasts(fp, in);
        put_hierarchy(&R);
        st = put_scenarios(&R);
    }
    if (st == TQO_OK)
        tqoi_report_put_odds(fp, in, R.chosen);
    if (st == TQO_OK) {
        put_parameters(&R);
        fprintf(fp, "<pre id=\"tqo-selftest\" data-units=\"%d\" data-territories=\"%d\" data-scenarios=\"%d\" "
                    "hidden>not run</pre>\n</main>\n",
                R.shapes, R.p, R.ns);
        if (R.shapes)
            put_map_data(&R);
        fputs(SCRIPT, fp);
        fputs("</body>\n</html>\n", fp);
    }
    release(&R);
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "report.html: out of memory");
    if (st == TQO_OK && (fflush(fp) != 0 || ferror(fp))) {
        tqo_diag_error(diag, "report.html: write error: %s", strerror(errno));
        st = TQO_ERR_IO;
    }
    return st;
}
