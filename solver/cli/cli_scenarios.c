/* tqo scenarios: quota scenarios judged against history and the plan year. */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CURVE "50:0;100:100;150:250;200:250"
#define DEFAULT_INCENTIVE 10000.0

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: tqo scenarios INSTANCE --scenarios FILE -o DIR [options]\n"
            "\n"
            "Compares quota scenarios before one is chosen. Each row of FILE is a set of\n"
            "tqo quota parameters and a pay plan; each is judged by a backtest (quotas for\n"
            "every past year set from the years before it, against what was sold) and by a\n"
            "Monte Carlo of the plan year (outcomes: the forecast times the errors of a\n"
            "whole past year drawn at random, the same draws for every scenario). Writes\n"
            "DIR/scenarios_summary.csv, scenarios_detail.csv, scenarios.svg and\n"
            "scenarios.json, and prints the Pareto-efficient scenarios.\n"
            "\n"
            "options:\n"
            "  -o, --out DIR            output folder (required)\n"
            "      --scenarios FILE     scenarios.csv: scenario (required), growth, target,\n"
            "                           over_assign, history_weight, min_growth, max_growth,\n"
            "                           fairness, forecast, target_incentive, payout_curve;\n"
            "                           empty or missing cells take the options below\n"
            "      --assignment FILE    unit_id,territory_id,share (tqo align's\n"
            "                           assignment.csv); default: the 'current' column\n"
            "      --replicates R       Monte Carlo replicates (default 1000)\n"
            "      --seed S             random seed (default 1)\n"
            "      --threads N          OpenMP threads (default: all cores); the output is\n"
            "                           the same for any N\n"
            "      --target-incentive X paid per territory at 100%% attainment (default %g)\n"
            "      --payout-curve C     attainment%%:payout%% points, e.g. 80:0;80:20;100:100\n"
            "                           (a repeated attainment is a step; default %s)\n"
            "      --top N              Pareto-efficient scenarios to print (default 10)\n"
            "\n"
            "quota defaults for every scenario (and --value, --potential, --history-until,\n"
            "--forecast and --min-train-years for the outcome model):\n"
            "%s"
            "  -q, --quiet              print nothing but warnings and errors; no progress bar\n"
            "  -h, --help               this help\n",
            DEFAULT_INCENTIVE, DEFAULT_CURVE, cli_quota_options_help);
}

/* The progress bar: scenarios done, rate and time left, redrawn in place. */
typedef struct progress {
    struct timespec t0;
} progress;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *ctx, int done, int total)
{
    progress *pg = ctx;
    double el = since(&pg->t0), rate = el > 0 ? done / el : 0;
    int w = 30, fill = total ? (int)((long)w * done / total) : w;
    char bar[64];
    for (int k = 0; k < w; k++)
        bar[k] = k < fill ? '#' : '.';
    bar[w] = 0;
    fprintf(stderr, "\rscenarios [%s] %d/%d  %.1f/s  %.0f s left ", bar, done, total, rate,
            rate > 0 ? (total - done) / rate : 0.0);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

#define MC(r, s, m, k) ((r)->mc[((size_t)(s) * TQO_SCENARIO_N_METRICS + (m)) * 3 + (k)])

static const tqo_scenarios_result *g_res; /* for the sort of the table */
static int by_share(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    double x = MC(g_res, i, TQO_M_PCT_AT_QUOTA, 1), y = MC(g_res, j, TQO_M_PCT_AT_QUOTA, 1);
    if (x != y)
        return x > y ? -1 : 1;
    double cx = MC(g_res, i, TQO_M_COST_OF_SALES, 1), cy = MC(g_res, j, TQO_M_COST_OF_SALES, 1);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return i - j;
}

/* The Pareto-efficient scenarios, most territories at quota first. */
static void print_top(const tqo_scenario *sc, const tqo_scenarios_result *r, int top)
{
    int n = r->n_scenarios, ne = 0;
    int *ord = malloc(((size_t)n + 1) * sizeof *ord);
    if (!ord)
        return;
    for (int s = 0; s < n; s++)
        if (r->efficient[s])
            ord[ne++] = s;
    g_res = r;
    qsort(ord, (size_t)ne, sizeof *ord, by_share);
    printf("%d Pareto-efficient of %d scenarios (P50 [P10, P90] over the replicates):\n", ne, n);
    printf("  %-20s %-22s %-22s %14s %6s %10s\n", "scenario", "at quota %", "cost of sales %", "payout", "gini",
           "bt MAPE %");
    for (int k = 0; k < ne && k < top; k++) {
        int s = ord[k];
        char a[48], c[48];
        snprintf(a, sizeof a, "%.1f [%.1f, %.1f]", MC(r, s, TQO_M_PCT_AT_QUOTA, 1), MC(r, s, TQO_M_PCT_AT_QUOTA, 0),
                 MC(r, s, TQO_M_PCT_AT_QUOTA, 2));
        snprintf(c, sizeof c, "%.2f [%.2f, %.2f]", MC(r, s, TQO_M_COST_OF_SALES, 1),
                 MC(r, s, TQO_M_COST_OF_SALES, 0), MC(r, s, TQO_M_COST_OF_SALES, 2));
        printf("  %-20.20s %-22s %-22s %14.0f %6.3f %10.1f\n", sc[s].name, a, c, MC(r, s, TQO_M_PAYOUT, 1),
               MC(r, s, TQO_M_GINI, 1), r->backtest_mean[(size_t)s * TQO_SCENARIO_N_METRICS + TQO_M_MAPE]);
    }
    if (ne > top)
        printf("  ... %d more in scenarios_summary.csv (pareto_efficient = 1)\n", ne - top);
    free(ord);
}

int cli_scenarios(int argc, char **argv)
{
    enum { O_ASG = 256, O_SCEN, O_REPL, O_SEED, O_THREADS, O_INC, O_CURVE, O_TOP };
    static const struct option own[] = {
        {"out", required_argument, NULL, 'o'},
        {"assignment", required_argument, NULL, O_ASG},
        {"scenarios", required_argument, NULL, O_SCEN},
        {"replicates", required_argument, NULL, O_REPL},
        {"seed", required_argument, NULL, O_SEED},
        {"threads", required_argument, NULL, O_THREADS},
        {"target-incentive", required_argument, NULL, O_INC},
        {"payout-curve", required_argument, NULL, O_CURVE},
        {"top", required_argument, NULL, O_TOP},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option *opts = cli_quota_options_merge(own);
    if (!opts)
        return CLI_EXIT_FAIL;
    cli_common cc = {0};
    tqo_scenario_settings set;
    tqo_scenario_settings_default(&set);
    cli_region_targets R = {0};
    const char *asg_path = NULL, *scen_path = NULL, *curve_text = DEFAULT_CURVE;
    double incentive = DEFAULT_INCENTIVE;
    long lv, top = 10;
    optind = 1;
    opterr = 0;
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        int q = cli_quota_option(c, optarg, &set.base, &R);
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
        case O_SCEN: scen_path = optarg; break;
        case O_REPL:
            if (cli_parse_int("--replicates", optarg, 1, 10000000, &lv) != 0)
                bad = CLI_EXIT_INPUT;
            set.replicates = (int)lv;
            break;
        case O_SEED:
            if (cli_parse_u64("--seed", optarg, &set.seed) != 0)
                bad = CLI_EXIT_INPUT;
            break;
        case O_THREADS:
            if (cli_parse_int("--threads", optarg, 1, 1024, &lv) != 0)
                bad = CLI_EXIT_INPUT;
            set.threads = (int)lv;
            break;
        case O_INC:
            if (cli_parse_double("--target-incentive", optarg, 0, 1e12, &incentive) != 0)
                bad = CLI_EXIT_INPUT;
            break;
        case O_CURVE: curve_text = optarg; break;
        case O_TOP:
            if (cli_parse_int("--top", optarg, 0, 1000000, &top) != 0)
                bad = CLI_EXIT_INPUT;
            break;
        case ':': bad = cli_usage_error("scenarios: option '%s' needs a value", argv[optind - 1]); break;
        default:
            bad = cli_usage_error("scenarios: unknown option '%s' (see 'tqo scenarios --help')", argv[optind - 1]);
        }
    }
    free(opts);
    if (bad)
        return bad < 0 ? CLI_EXIT_OK : bad;
    if (optind != argc - 1)
        return cli_usage_error("scenarios: expected one INSTANCE folder (see 'tqo scenarios --help')");
    if (!cc.out)
        return cli_usage_error("scenarios: missing output folder (-o DIR)");
    if (!scen_path)
        return cli_usage_error("scenarios: missing the scenarios file (--scenarios FILE)");
    if (cli_quota_check(&set.base, 0, "scenarios") != 0)
        return CLI_EXIT_INPUT;
    tqo_payout_curve curve;
    char why[200];
    if (tqo_payout_parse(curve_text, &curve, why, sizeof why) != 0)
        return cli_usage_error("option '--payout-curve': %s", why);

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    memset(&asg, 0, sizeof asg);
    tqo_scenario *sc = NULL;
    int n = 0;
    tqo_scenarios_result r;
    memset(&r, 0, sizeof r);
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    ls.adjacency = "none";
    tqo_status st = tqo_instance_load(argv[optind], &ls, &inst, &diag);
    if (st == TQO_OK)
        st = asg_path ? tqo_assignment_load(asg_path, inst, &asg, &diag) : tqo_assignment_from_current(inst, &asg, &diag);
    if (st == TQO_OK)
        st = cli_region_targets_load(&R, &set.base, &diag);
    if (st == TQO_OK)
        st = tqo_scenarios_load(scen_path, &set.base, incentive, &curve, &sc, &n, &diag);
    progress pg;
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    if (!cc.quiet && isatty(STDERR_FILENO)) {
        set.progress = show_progress;
        set.progress_ctx = &pg;
    }
    if (st == TQO_OK)
        st = tqo_scenarios(inst, &asg, sc, n, &set, &r, &diag);
    if (st == TQO_OK)
        st = tqo_scenarios_write(sc, &set, &r, cc.out, &diag);
    cli_print_diag(&diag);
    if (st == TQO_OK && !cc.quiet) {
        printf("scenarios    %d x %d replicates x %d territories in %.2f s; plan year %d, forecast %s\n", n,
               r.replicates, r.n_territories, r.seconds, r.plan_year, r.method);
        printf("backtest     years");
        for (int k = 0; k < r.n_backtest_years; k++)
            printf(" %d", r.backtest_year[k]);
        char b0[16], b1[16];
        tqo_period_format(r.period_kind, r.error_block[0], b0, sizeof b0);
        tqo_period_format(r.period_kind, r.error_block[r.n_error_blocks - 1], b1, sizeof b1);
        printf("\nmonte carlo  forecast errors of %d one-year blocks starting %s to %s\n", r.n_error_blocks, b0, b1);
        if (r.n_failed)
            printf("failed       %d scenarios (see the warnings and the error column)\n", r.n_failed);
        print_top(sc, &r, (int)top);
        printf("results: %s/\n", cc.out);
    }
    tqo_scenarios_result_free(&r);
    tqo_scenarios_free(sc, n);
    tqo_assignment_free(&asg);
    tqo_instance_free(inst);
    cli_region_targets_free(&R);
    tqo_diag_free(&diag);
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}
