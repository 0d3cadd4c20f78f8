/* tqo quota: territory quotas from history and potential. */
#include "cli_common.h"
#include "csv_reader.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fputs("usage: tqo quota INSTANCE -o DIR [options]\n"
          "\n"
          "Sets territory quotas for the plan year: history aggregated to territories\n"
          "through the assignment, a forecast per territory, fair shares blending forecast\n"
          "and potential, and an LP (GLPK) that meets the company target, growth bounds\n"
          "and region targets as close to the fair shares as it can. Writes\n"
          "DIR/quotas.csv, quotas_by_period.csv and quota_summary.json.\n"
          "\n"
          "options:\n"
          "  -o, --out DIR            output folder (required)\n"
          "      --assignment FILE    unit_id,territory_id,share (tqo align's\n"
          "                           assignment.csv); default: the 'current' column\n"
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
          "                           its potential (default: territories.csv region)\n"
          "  -q, --quiet              print nothing but warnings and errors\n"
          "  -h, --help               this help\n",
          fp);
}

typedef struct rt_acc {
    int n, cap;
    char **name;
    double *target;
    int cr, ct;
} rt_acc;

static int rt_row(void *ctx, csv_file *f, const csv_row *row)
{
    rt_acc *A = ctx;
    if (A->cr < 0) {
        A->cr = csv_col(f, "region");
        A->ct = csv_col(f, "target");
        if (A->cr < 0 || A->ct < 0) {
            csv_file_error(f, 1, A->cr < 0 ? "region" : "target", "missing from the header (expected region,target)");
            return 1;
        }
    }
    double v;
    if (csv_parse_number(row->field[A->ct], &v) != 0 || v < 0) {
        csv_file_error(f, row->line, f->cols[A->ct], "'%s' is not a non-negative number", row->field[A->ct]);
        return 0;
    }
    for (int k = 0; k < A->n; k++)
        if (strcmp(A->name[k], row->field[A->cr]) == 0) {
            csv_file_error(f, row->line, f->cols[A->cr], "region '%s' appears twice", row->field[A->cr]);
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
    A->name[A->n] = strdup(row->field[A->cr]);
    A->target[A->n] = v;
    A->n++;
    return 0;
}

int cli_quota(int argc, char **argv)
{
    enum { O_ASG = 256, O_VALUE, O_POT, O_UNTIL, O_PLAN, O_FC, O_TARGET, O_GROWTH, O_OVER, O_HW, O_MING, O_MAXG,
           O_FAIR, O_TRAIN, O_RT, O_RC };
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"assignment", required_argument, NULL, O_ASG},
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
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common cc = {0};
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    const char *asg_path = NULL, *rt_path = NULL;
    optind = 1;
    opterr = 0;
    int c;
    long lv;
    double dv;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': cc.out = optarg; break;
        case 'q': cc.quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case O_ASG: asg_path = optarg; break;
        case O_VALUE: s.value = optarg; break;
        case O_POT: s.potential = optarg; break;
        case O_UNTIL: s.history_until = optarg; break;
        case O_PLAN:
            if (cli_parse_int("--plan-period", optarg, 1000, 9999, &lv) != 0)
                return CLI_EXIT_INPUT;
            s.plan_year = (int)lv;
            break;
        case O_FC: s.method = optarg; break;
        case O_TARGET:
            if (cli_parse_double("--target", optarg, 1e-9, 1e18, &s.target) != 0)
                return CLI_EXIT_INPUT;
            break;
        case O_GROWTH:
            if (cli_parse_double("--growth", optarg, -100, 1e6, &s.growth_pct) != 0)
                return CLI_EXIT_INPUT;
            break;
        case O_OVER:
            if (cli_parse_double("--over-assign", optarg, -100, 1e6, &s.over_assign_pct) != 0)
                return CLI_EXIT_INPUT;
            break;
        case O_HW:
            if (cli_parse_double("--history-weight", optarg, 0, 1, &s.history_weight) != 0)
                return CLI_EXIT_INPUT;
            break;
        case O_MING:
            if (cli_parse_double("--min-growth", optarg, -100, 1e6, &dv) != 0)
                return CLI_EXIT_INPUT;
            s.min_growth_pct = dv;
            break;
        case O_MAXG:
            if (cli_parse_double("--max-growth", optarg, -100, 1e6, &dv) != 0)
                return CLI_EXIT_INPUT;
            s.max_growth_pct = dv;
            break;
        case O_FAIR:
            if (strcmp(optarg, "sum") == 0)
                s.minimax = 0;
            else if (strcmp(optarg, "minimax") == 0)
                s.minimax = 1;
            else
                return cli_usage_error("option '--fairness': '%s' is not sum or minimax", optarg);
            break;
        case O_TRAIN:
            if (cli_parse_int("--min-train-years", optarg, 1, 100, &lv) != 0)
                return CLI_EXIT_INPUT;
            s.min_train_years = (int)lv;
            break;
        case O_RT: rt_path = optarg; break;
        case O_RC: s.region_col = optarg; break;
        case ':': return cli_usage_error("quota: option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("quota: unknown option '%s' (see 'tqo quota --help')", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("quota: expected one INSTANCE folder (see 'tqo quota --help')");
    if (!cc.out)
        return cli_usage_error("quota: missing output folder (-o DIR)");
    if (!(s.target > 0) && isnan(s.growth_pct))
        return cli_usage_error("quota: give the company target: --target AMOUNT or --growth PCT");
    if (!isnan(s.min_growth_pct) && !isnan(s.max_growth_pct) && s.min_growth_pct > s.max_growth_pct)
        return cli_usage_error("quota: --min-growth %g is above --max-growth %g", s.min_growth_pct, s.max_growth_pct);

    tqo_diag diag;
    tqo_diag_init(&diag);
    rt_acc R = {0, 0, NULL, NULL, -1, -1};
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    memset(&asg, 0, sizeof asg);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    ls.adjacency = "none";
    tqo_status st = tqo_instance_load(argv[optind], &ls, &inst, &diag);
    if (st == TQO_OK)
        st = asg_path ? tqo_assignment_load(asg_path, inst, &asg, &diag) : tqo_assignment_from_current(inst, &asg, &diag);
    if (st == TQO_OK && rt_path) {
        csv_file f;
        csv_file_init(&f, rt_path, &diag);
        st = csv_read(&f, rt_row, &R);
        if (st == TQO_OK && f.n_errors)
            st = TQO_ERR_INPUT;
        csv_file_finish(&f);
        csv_file_free(&f);
        s.n_region_targets = R.n;
        s.region_names = (const char *const *)R.name;
        s.region_targets = R.target;
    }
    tqo_quota_result r;
    memset(&r, 0, sizeof r);
    if (st == TQO_OK)
        st = tqo_quota(inst, &asg, &s, &r, &diag);
    if (st == TQO_OK)
        st = tqo_quota_write(inst, &s, &r, asg_path, cc.out, &diag);
    cli_print_diag(&diag);
    if (st == TQO_OK && !cc.quiet) {
        double sum = 0;
        int nb = 0;
        for (int j = 0; j < r.n_territories; j++) {
            sum += r.quota[j];
            nb += r.bound[j] != 0;
        }
        printf("territories  %d, plan year %d (%d complete years of history from %d)\n", r.n_territories, r.plan_year,
               r.n_years, r.first_year);
        printf("target       %.2f; quotas add up to %.2f\n", r.total, sum);
        printf("forecast     %s (backtest MASE: last %.3g, trend %.3g, holt %.3g; %d folds)\n", r.method, r.mase[0],
               r.mase[1], r.mase[2], r.n_folds);
        printf("LP           %s, objective %.6g, %d quotas at a bound, %d territories without history\n",
               r.lp_status, r.objective, nb, r.n_no_history);
        if (r.has_actual)
            printf("replay       %.0f%% at or above quota; attainment median %.1f%%, P10 %.1f%%, P90 %.1f%%; "
                   "MAPE %.1f%% (naive %.1f%%)\n",
                   100 * r.share_at_quota, r.attainment_median, r.attainment_p10, r.attainment_p90, r.mape_quota,
                   r.mape_naive);
        printf("results: %s/\n", cc.out);
    }
    tqo_quota_result_free(&r);
    tqo_assignment_free(&asg);
    tqo_instance_free(inst);
    for (int k = 0; k < R.n; k++)
        free(R.name[k]);
    free(R.name);
    free(R.target);
    tqo_diag_free(&diag);
    /* quotas that cannot meet the given target and bounds: the user's
       figures are at fault, as with bad input */
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}
