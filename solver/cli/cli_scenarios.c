/* tqo scenarios: quota scenarios judged against history and the plan year. */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"
#include "cli/cli_sweep.h"
#include "cli/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


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
    cli_settings S;
    cli_settings_default(&S);
    tqo_scenario_settings set;
    tqo_scenario_settings_default(&set);
    S.threads = set.threads; /* scenarios runs on every core unless told */
    int first = 0;
    int rc = cli_options_parse(CMD_SCENARIOS, argc, argv, &S, 0, &first);
    if (rc == 0 && cli_quota_check(&S, 0, "scenarios") != 0)
        rc = CLI_EXIT_INPUT;
    set.base = S.quota;
    cli_region_targets R = {0};
    R.path = S.region_targets;
    cli_common cc = {.quiet = S.quiet, .out = S.out};
    const char *asg_path = S.assignment, *scen_path = S.scenarios, *curve_text = S.curve;
    double incentive = S.incentive;
    long top = S.top;
    const char *shard_text = S.shard;
    set.replicates = S.replicates;
    set.seed = S.seed;
    set.threads = S.threads;
    cli_settings_free(&S); /* the command line's strings stay in argv */
    if (rc != 0)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (first != argc - 1)
        return cli_usage_error("scenarios: expected one INSTANCE folder (see 'tqo scenarios --help')");
    if (!cc.out)
        return cli_usage_error("scenarios: missing output folder (-o DIR)");
    if (!scen_path)
        return cli_usage_error("scenarios: missing the scenarios file (--scenarios FILE)");
    tqo_payout_curve curve;
    char why[200];
    if (tqo_payout_parse(curve_text, &curve, why, sizeof why) != 0)
        return cli_usage_error("option '--payout-curve': %s", why);
    int shard = 0, n_shards = 0;
    if (shard_text && cli_shard_parse(shard_text, &shard, &n_shards) != 0)
        return CLI_EXIT_INPUT;
    int rank = cli_mpi_init(); /* -1: not started by mpirun */
    if (rank >= 0 && shard_text) {
        cli_mpi_finalize();
        return cli_usage_error("scenarios: --shard splits a sweep over separate runs; under mpirun leave it out");
    }

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    memset(&asg, 0, sizeof asg);
    tqo_scenario *sc = NULL;
    int n = 0;
    tqo_scenarios_result r;
    memset(&r, 0, sizeof r);
    tqo_status st = tqo_memory_check_load(argv[first], S.max_memory, &diag);
    if (st == TQO_OK)
        st = cli_load_assigned(argv[first], asg_path, set.threads, &inst, &asg, &diag);
    if (st == TQO_OK)
        st = cli_region_targets_load(&R, &set.base, &diag);
    if (st == TQO_OK)
        st = tqo_scenarios_load(scen_path, &set.base, incentive, &curve, &sc, &n, &diag);
    if (st == TQO_OK) /* before the sweep allocates */
        st = tqo_memory_check_scenarios(inst, asg.n_territories, n, set.replicates, set.threads, S.max_memory, &diag);
    progress pg;
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    if (!cc.quiet && isatty(STDERR_FILENO)) {
        set.progress = show_progress;
        set.progress_ctx = &pg;
    }
    cli_sweep w = {inst, &asg, sc, n, &set, cc.out, cc.quiet};
    int whole = 1; /* this process writes the sweep's files */
    if (rank >= 0) {
        st = cli_sweep_mpi(&w, st, &r, &diag);
        whole = rank == 0;
    } else if (st == TQO_OK && shard_text) {
        const char *in[] = {argv[first], asg_path, scen_path};
        st = cli_sweep_shard(&w, cli_hash_inputs(in, 3), shard, n_shards, &diag);
        whole = 0;
    } else if (st == TQO_OK) {
        st = tqo_scenarios(inst, &asg, sc, n, &set, &r, &diag);
    }
    if (st == TQO_OK && whole)
        st = tqo_scenarios_write(sc, &set, &r, cc.out, &diag);
    if (rank <= 0)
        cli_print_diag(&diag);
    if (st == TQO_OK && whole && !cc.quiet) {
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
    cli_mpi_finalize();
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}
