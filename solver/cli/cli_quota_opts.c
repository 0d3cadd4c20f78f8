/* The quota options shared by several commands (see cli_quota_opts.h). */
#include "cli/cli_quota_opts.h"
#include "cli/cli_common.h"
#include "util/csv_reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_VALUE = CLI_QOPT_BASE, O_POT, O_UNTIL, O_PLAN, O_FC, O_TARGET, O_GROWTH, O_OVER, O_HW, O_MING, O_MAXG,
       O_FAIR, O_TRAIN, O_RT, O_RC };

const struct option cli_quota_options[] = {
    {"value", required_argument, NULL, O_VALUE},
    {"potential", required_argument, NULL, O_POT},
    {"history-until", required_argument, NULL, O_UNTIL},
    {"plan-period", required_argument, NULL, O_PLAN},
    {"forecast", required_argument, NULL, O_FC},
    {"target", required_argument, NULL, O_TARGET},
    {"growth", required_argument, NULL, O_GROWTH},
    {"over-assign", required_argument, NULL, O_OVER},
    {"history-weight", required_argument, NULL, O_HW},
    {"min-growth", required_argument, NULL, O_MING},
    {"max-growth", required_argument, NULL, O_MAXG},
    {"fairness", required_argument, NULL, O_FAIR},
    {"min-train-years", required_argument, NULL, O_TRAIN},
    {"region-targets", required_argument, NULL, O_RT},
    {"region-col", required_argument, NULL, O_RC},
    {NULL, 0, NULL, 0},
};

const char cli_quota_options_help[] =
    "      --value COL          history value column (default sales)\n"
    "      --potential COL      a units measure for the potential share\n"
    "      --history-until P    ignore history after period P (e.g. 2016Q4)\n"
    "      --plan-period YYYY   the plan year (default: after the last complete year)\n"
    "      --forecast M         last, trend, holt or auto (default auto: lowest MASE\n"
    "                           in a rolling-origin backtest)\n"
    "      --target AMOUNT      the company target\n"
    "      --growth PCT         or: growth over the last complete year\n"
    "      --over-assign PCT    quotas add up to target x (1 + PCT/100) (default 0)\n"
    "      --history-weight A   weight of the forecast share against the potential\n"
    "                           share in the fair share, 0..1 (default 0.7)\n"
    "      --min-growth PCT     floor on each quota against its last year\n"
    "      --max-growth PCT     cap on each quota against its last year\n"
    "      --fairness F         sum (default: the sum of relative deviations from the\n"
    "                           fair shares) or minimax (the largest)\n"
    "      --min-train-years N  years a backtest fold needs (default 2)\n"
    "      --region-targets FILE  region,target: regional sums the quotas must meet\n"
    "      --region-col COL     a territory's region: the units label holding most of\n"
    "                           its potential (default: territories.csv region)\n";

struct option *cli_quota_options_merge(const struct option *own)
{
    size_t a = 0, b = 0;
    while (own[a].name)
        a++;
    while (cli_quota_options[b].name)
        b++;
    struct option *o = calloc(a + b + 1, sizeof *o);
    if (!o)
        return NULL;
    memcpy(o, own, a * sizeof *o);
    memcpy(o + a, cli_quota_options, b * sizeof *o);
    return o;
}

int cli_quota_option(int c, const char *optarg, tqo_quota_settings *s, cli_region_targets *rt)
{
    long lv;
    double dv;
    switch (c) {
    case O_VALUE: s->value = optarg; return 1;
    case O_POT: s->potential = optarg; return 1;
    case O_UNTIL: s->history_until = optarg; return 1;
    case O_PLAN:
        if (cli_parse_int("--plan-period", optarg, 1000, 9999, &lv) != 0)
            return -1;
        s->plan_year = (int)lv;
        return 1;
    case O_FC: s->method = optarg; return 1;
    case O_TARGET: return cli_parse_double("--target", optarg, 1e-9, 1e18, &s->target) != 0 ? -1 : 1;
    case O_GROWTH: return cli_parse_double("--growth", optarg, -100, 1e6, &s->growth_pct) != 0 ? -1 : 1;
    case O_OVER: return cli_parse_double("--over-assign", optarg, -100, 1e6, &s->over_assign_pct) != 0 ? -1 : 1;
    case O_HW: return cli_parse_double("--history-weight", optarg, 0, 1, &s->history_weight) != 0 ? -1 : 1;
    case O_MING:
        if (cli_parse_double("--min-growth", optarg, -100, 1e6, &dv) != 0)
            return -1;
        s->min_growth_pct = dv;
        return 1;
    case O_MAXG:
        if (cli_parse_double("--max-growth", optarg, -100, 1e6, &dv) != 0)
            return -1;
        s->max_growth_pct = dv;
        return 1;
    case O_FAIR:
        if (strcmp(optarg, "sum") == 0)
            s->minimax = 0;
        else if (strcmp(optarg, "minimax") == 0)
            s->minimax = 1;
        else {
            cli_usage_error("option '--fairness': '%s' is not sum or minimax", optarg);
            return -1;
        }
        return 1;
    case O_TRAIN:
        if (cli_parse_int("--min-train-years", optarg, 1, 100, &lv) != 0)
            return -1;
        s->min_train_years = (int)lv;
        return 1;
    case O_RT: rt->path = optarg; return 1;
    case O_RC: s->region_col = optarg; return 1;
    default: return 0;
    }
}

int cli_quota_check(const tqo_quota_settings *s, int need_target, const char *cmd)
{
    if (need_target && !(s->target > 0) && isnan(s->growth_pct)) {
        cli_usage_error("%s: give the company target: --target AMOUNT or --growth PCT", cmd);
        return -1;
    }
    if (!isnan(s->min_growth_pct) && !isnan(s->max_growth_pct) && s->min_growth_pct > s->max_growth_pct) {
        cli_usage_error("%s: --min-growth %g is above --max-growth %g", cmd, s->min_growth_pct, s->max_growth_pct);
        return -1;
    }
    return 0;
}

static int rt_row(void *ctx, csv_file *f, const csv_row *row)
{
    cli_region_targets *A = ctx;
    int cr = csv_col(f, "region"), ct = csv_col(f, "target");
    if (cr < 0 || ct < 0) {
        csv_file_error(f, 1, cr < 0 ? "region" : "target", "missing from the header (expected region,target)");
        return 1;
    }
    double v;
    if (csv_parse_number(row->field[ct], &v) != 0 || v < 0) {
        csv_file_error(f, row->line, f->cols[ct], "'%s' is not a non-negative number", row->field[ct]);
        return 0;
    }
    for (int k = 0; k < A->n; k++)
        if (strcmp(A->name[k], row->field[cr]) == 0) {
            csv_file_error(f, row->line, f->cols[cr], "region '%s' appears twice", row->field[cr]);
            return 0;
        }
    if (A->n == A->cap) {
        int c = A->cap ? 2 * A->cap : 16;
        char **nn = realloc(A->name, (size_t)c * sizeof *nn);
        if (!nn)
            return 1;
        A->name = nn;
        double *tt = realloc(A->target, (size_t)c * sizeof *tt);
        if (!tt)
            return 1;
        A->target = tt;
        A->cap = c;
    }
    if (!(A->name[A->n] = strdup(row->field[cr])))
        return 1;
    A->target[A->n++] = v;
    return 0;
}

tqo_status cli_region_targets_load(cli_region_targets *rt, tqo_quota_settings *s, tqo_diag *diag)
{
    if (!rt->path)
        return TQO_OK;
    csv_file f;
    csv_file_init(&f, rt->path, diag);
    tqo_status st = csv_read(&f, rt_row, rt);
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    csv_file_finish(&f);
    csv_file_free(&f);
    s->n_region_targets = rt->n;
    s->region_names = (const char *const *)rt->name;
    s->region_targets = rt->target;
    return st;
}

void cli_region_targets_free(cli_region_targets *rt)
{
    for (int k = 0; k < rt->n; k++)
        free(rt->name[k]);
    free(rt->name);
    free(rt->target);
    rt->name = NULL;
    rt->target = NULL;
    rt->n = rt->cap = 0;
}
