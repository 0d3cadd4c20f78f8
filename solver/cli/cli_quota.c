/* tqo quota: territory quotas from history and potential. */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp, "usage: tqo quota INSTANCE -o DIR [options]\n"
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
          "%s"
          "  -q, --quiet              print nothing but warnings and errors\n"
          "  -h, --help               this help\n",
          cli_quota_options_help);
}

int cli_quota(int argc, char **argv)
{
    enum { O_ASG = 256 };
    static const struct option own[] = {
        {"out", required_argument, NULL, 'o'},
        {"assignment", required_argument, NULL, O_ASG},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option *opts = cli_quota_options_merge(own);
    if (!opts)
        return CLI_EXIT_FAIL;
    cli_common cc = {0};
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    cli_region_targets R = {0};
    const char *asg_path = NULL;
    optind = 1;
    opterr = 0;
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        int q = cli_quota_option(c, optarg, &s, &R);
        if (q < 0) {
            bad = CLI_EXIT_INPUT;
            break;
        }
        if (q > 0)
            continue;
        switch (c) {
        case 'o': cc.out = optarg; break;
        case 'q': cc.quiet = 1; break;
        case 'h': usage(stdout); bad = -1; break;
        case O_ASG: asg_path = optarg; break;
        case ':': bad = cli_usage_error("quota: option '%s' needs a value", argv[optind - 1]); break;
        default: bad = cli_usage_error("quota: unknown option '%s' (see 'tqo quota --help')", argv[optind - 1]);
        }
    }
    free(opts);
    if (bad)
        return bad < 0 ? CLI_EXIT_OK : bad;
    if (optind != argc - 1)
        return cli_usage_error("quota: expected one INSTANCE folder (see 'tqo quota --help')");
    if (!cc.out)
        return cli_usage_error("quota: missing output folder (-o DIR)");
    if (cli_quota_check(&s, 1, "quota") != 0)
        return CLI_EXIT_INPUT;

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    memset(&asg, 0, sizeof asg);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    ls.adjacency = "none";
    tqo_status st = tqo_instance_load(argv[optind], &ls, &inst, &diag);
    if (st == TQO_OK)
        st = asg_path ? tqo_assignment_load(asg_path, inst, &asg, &diag) : tqo_assignment_from_current(inst, &asg, &diag);
    if (st == TQO_OK)
        st = cli_region_targets_load(&R, &s, &diag);
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
    cli_region_targets_free(&R);
    tqo_diag_free(&diag);
    /* quotas that cannot meet the given target and bounds: the user's
       figures are at fault, as with bad input */
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}
