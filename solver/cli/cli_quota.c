/* tqo quota: territory quotas from history and potential. */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"
#include "cli/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line on the hierarchy: its size, and the reconciliation's largest gap. */
static void print_hierarchy(const tqo_quota_result *r)
{
    int levels = 0, subs = 0, worst = -1;
    for (int v = 0; v < r->n_nodes; v++) {
        const tqo_quota_node *n = &r->nodes[v];
        levels = n->depth > levels ? n->depth : levels;
        if (!isnan(n->submitted)) {
            subs++;
            if (worst < 0 || fabs(n->quota - n->submitted) > fabs(r->nodes[worst].quota - r->nodes[worst].submitted))
                worst = v;
        }
    }
    printf("hierarchy    %d nodes on %d levels below the company %.2f", r->n_nodes, levels, r->nodes[0].quota);
    if (worst >= 0)
        printf("; %d submissions reconciled, largest gap %.2f at '%s'", subs,
               r->nodes[worst].quota - r->nodes[worst].submitted, r->nodes[worst].id);
    printf(" (quotas_rollup.csv)\n");
}

int cli_quota(int argc, char **argv)
{
    cli_settings S;
    cli_settings_default(&S);
    int first = 0;
    int rc = cli_options_parse(CMD_QUOTA, argc, argv, &S, 0, &first);
    if (rc == 0 && cli_quota_check(&S, 1, "quota") != 0)
        rc = CLI_EXIT_INPUT;
    cli_common cc = {.quiet = S.quiet, .verbose = S.verbose, .out = S.out};
    const char *asg_path = S.assignment;
    tqo_quota_settings s = S.quota;
    s.log = cli_log; /* --verbose: the hierarchy LP's size, iterations and time */
    s.log_ctx = &cc;
    cli_region_targets R = {0};
    R.path = S.region_targets;
    cli_settings_free(&S); /* the command line's strings stay in argv */
    if (rc != 0)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (first != argc - 1)
        return cli_usage_error("quota: expected one INSTANCE folder (see 'tqo quota --help')");
    if (!cc.out)
        return cli_usage_error("quota: missing output folder (-o DIR)");

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    memset(&asg, 0, sizeof asg);
    tqo_status st = cli_load_assigned(argv[first], asg_path, 0, &inst, &asg, &diag);
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
        if (r.nodes)
            print_hierarchy(&r);
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
