/* `tqo align`: assigns units to territories and writes the plan. */
#include "cli/cli_common.h"
#include "cli/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One broken constraint in words, with the setting that asked for it. */
static const char *violated_words(const tqo_align_settings *s, const tqo_align_result *r, const char *name,
                                  char *buf, size_t n)
{
    if (strcmp(name, "max_moves") == 0)
        snprintf(buf, n, "max_moves (the move cap, --max-moves %g)", s->max_moves_pct);
    else if (strcmp(name, "max_distance") == 0)
        snprintf(buf, n, "max_distance (the distance cap, --max-distance %g)", s->max_distance_km);
    else if (strcmp(name, "balance") == 0)
        snprintf(buf, n, "balance (a --balance tolerance)");
    else if (strcmp(name, "locks") == 0)
        snprintf(buf, n, "locks (locks.csv)");
    else if (strcmp(name, "contiguity") == 0)
        snprintf(buf, n, "contiguity (%d detached piece%s)", r->n_detached, r->n_detached == 1 ? "" : "s");
    else if (strcmp(name, "assignment") == 0)
        snprintf(buf, n, "assignment (a unit not assigned exactly once)");
    else
        snprintf(buf, n, "%s", name);
    return buf;
}

void cli_align_violated(const tqo_align_settings *s, const tqo_align_result *r, char *buf, size_t n)
{
    size_t u = 0;
    buf[0] = 0;
    for (int k = 0; k < r->n_violated && u < n; k++) {
        char w[160];
        u += (size_t)snprintf(buf + u, n - u, "%s%s", k ? ", " : "", violated_words(s, r, r->violated[k], w, sizeof w));
    }
    if (!r->n_violated)
        snprintf(buf, n, "none");
}

const char *cli_align_contiguity(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                                 char *buf, size_t n)
{
    int islands = r->n_exceptions - r->n_detached;
    if (!s->contiguity)
        snprintf(buf, n, "not required");
    else if (!inst->has_adjacency)
        snprintf(buf, n, "no adjacency");
    else if (r->n_exceptions == 0)
        snprintf(buf, n, "every territory connected");
    else if (r->n_detached == 0)
        snprintf(buf, n, "%d exception%s (islands joined to territories not connected to them)", islands,
                 islands == 1 ? "" : "s");
    else
        snprintf(buf, n, "%d exception%s: %d island%s joined to territories not connected to them, %d detached "
                 "piece%s cut off from %s territory (broken)", r->n_exceptions, r->n_exceptions == 1 ? "" : "s",
                 islands, islands == 1 ? "" : "s", r->n_detached, r->n_detached == 1 ? "" : "s",
                 r->n_detached == 1 ? "its" : "their");
    return buf;
}

/* What the run's exit means, from the check's status. */
static void print_status(const tqo_align_settings *s, const tqo_align_result *r, tqo_status st)
{
    char broken[1024];
    cli_align_violated(s, r, broken, sizeof broken);
    const char *status = r->status[0] ? r->status : "ok";
    if (strcmp(status, "ok") == 0) {
        printf("status       ok%s\n", st == TQO_ERR_LIMIT ? " (stopped at the time limit: the best plan found "
                                                            "meets every constraint)" : "");
        return;
    }
    if (strcmp(status, "infeasible") == 0)
        printf("status       infeasible: the exact MIP proves that no plan meets every constraint\n");
    else if (strcmp(status, "limit") == 0)
        printf("status       limit: no plan meeting every constraint was found within the limit\n");
    else
        printf("status       %s\n", status);
    printf("violated     %s: the plan written breaks %s, for inspection only\n", broken,
           r->n_violated == 1 ? "it" : "them");
}

void cli_align_print_minmax(const tqo_instance *inst, const tqo_align_result *r, int ok)
{
    int center = r->minmax_objective == TQO_OBJECTIVE_CENTER;
    const char *dist = inst->coords == TQO_COORDS_LATLON ? "great-circle km" : "Euclidean";
    if (center)
        printf("center       %.6g (the objective: largest distance from a unit to its territory's centre unit, %s)\n",
               r->minmax_value, dist);
    else
        printf("diameter     %.6g (the objective: largest distance between two units of one territory, %s)\n",
               r->minmax_value, dist);
    char ex[64] = "";
    if (r->minmax_bound_exact > 0)
        snprintf(ex, sizeof ex, ", exact MIP %.6g", r->minmax_bound_exact);
    printf("             lower bound %.6g (balance ball %.6g, dispersion %.6g%s), gap %s", r->minmax_lower_bound,
           r->minmax_bound_ball, r->minmax_bound_dispersion, ex, ok && isfinite(r->minmax_gap) ? "" : "n/a\n");
    if (ok && isfinite(r->minmax_gap))
        printf("%.2f%%\n", 100 * r->minmax_gap);
    printf("search       %ld moves, %ld swaps, %ld distance evaluations\n", r->minmax_moves, r->minmax_swaps,
           r->minmax_evals);
}

static void print_summary(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                          tqo_status st, const char *out)
{
    char a[64], txt[512];
    /* Every figure below is the independent check's (tqoi_align_check.c). */
    int ok = !r->status[0] || strcmp(r->status, "ok") == 0;
    print_status(s, r, st);
    printf("territories  %d (%s)\n", r->n_territories,
           r->fixed_centres ? "centres at the home bases" : "centres placed");
    tqo_format_thousands(r->objective, "n/a", a, sizeof a);
    printf("objective    %s%s\n", a, r->minmax_objective ? " (the weighted moment, not minimised: see below)" : "");
    if (ok) {
        tqo_format_thousands(r->lower_bound, "n/a", a, sizeof a);
        printf("lower bound  %s\n", a);
    }
    /* A bound holds for plans within the constraints only: none for others. */
    if (ok && isfinite(r->gap))
        printf("gap          %.2f%%\n", 100 * r->gap);
    else
        printf("gap          n/a%s\n", ok ? "" : " (the plan is outside its constraints)");
    for (int b = 0; b < r->n_balance && b < s->n_balance; b++) {
        int m = tqo_instance_measure(inst, s->balance[b]);
        printf("%s %-12s largest deviation %.2f%% (tolerance %g%%)%s\n", b ? "            " : "balance     ",
               m >= 0 ? inst->measures[m].name : s->balance[b], r->max_dev_pct[b], s->balance_tol_pct[b],
               r->max_dev_pct[b] > s->balance_tol_pct[b] * (1 + 1e-9) ? ": broken" : "");
    }
    if (s->allow_splits)
        printf("splits       %d unit%s shared (LP: %d)\n", r->splits, r->splits == 1 ? "" : "s", r->lp_splits);
    else if (r->lp_splits)
        printf("splits       %d in the LP, made whole by %s\n", r->lp_splits,
               r->split_resolution[0] ? r->split_resolution : "rounding");
    else
        printf("splits       none in the LP\n");
    printf("contiguity   %s\n", cli_align_contiguity(inst, s, r, txt, sizeof txt));
    if (inst->current) {
        int cap_broken = 0;
        for (int k = 0; k < r->n_violated; k++)
            cap_broken |= strcmp(r->violated[k], "max_moves") == 0;
        char cap[96] = "";
        if (s->max_moves_pct >= 0)
            snprintf(cap, sizeof cap, " (cap %g%%%s)", s->max_moves_pct, cap_broken ? ": broken" : "");
        printf("moved        %d units, %.2f%% of %s%s\n", r->moved_units, r->moved_share,
               r->n_balance ? s->balance[0] : "", cap);
    }
    if (r->minmax_objective)
        cli_align_print_minmax(inst, r, ok);
    else if (inst->coords == TQO_COORDS_XY) {
        double d = tqo_align_diameter(inst, r, NULL);
        if (isfinite(d))
            printf("diameter     %.6g (largest distance between two units of one territory)\n", d);
    }
    printf("seconds      %.2f (centres %.2f, LP %.2f, splits %.2f, contiguity %.2f, local %.2f)\n", r->sec_total,
           r->sec_centres, r->sec_lp, r->sec_splits, r->sec_contiguity, r->sec_local);
    size_t len = strlen(out);
    printf("results: %s%s\n", out, len && out[len - 1] == '/' ? "" : "/");
}

tqo_status cli_align_defaults(const tqo_instance *inst, tqo_align_settings *s, double default_tol, int quiet,
                              tqo_diag *diag)
{
    /* A commdis file says how many districts and which tolerances. */
    if (s->k == 0 && inst->default_k > 0 && inst->n_homes == 0)
        s->k = inst->default_k;
    if (s->n_balance == 0 && inst->default_tol_pct) {
        for (int m = 0; m < inst->n_measures && s->n_balance < TQO_MAX_BALANCE; m++)
            if (isfinite(inst->default_tol_pct[m])) {
                s->balance[s->n_balance] = inst->measures[m].name;
                s->balance_tol_pct[s->n_balance++] = inst->default_tol_pct[m];
            }
    }
    if (s->n_balance > 0)
        return TQO_OK;
    if (inst->n_measures == 0) {
        tqo_diag_error(diag, "%s: no measure to balance: units.csv has no numeric column", inst->source);
        return TQO_ERR_INPUT;
    }
    s->n_balance = 1;
    s->balance[0] = inst->measures[0].name;
    s->balance_tol_pct[0] = default_tol;
    if (!quiet)
        fprintf(stderr, "tqo: balancing '%s' (the first measure; see --balance)\n", s->balance[0]);
    return TQO_OK;
}

/* Prints the messages so far and starts a new list, so nothing shows twice. */
static void flush_diag(tqo_diag *d)
{
    cli_print_diag(d);
    tqo_diag_free(d);
    tqo_diag_init(d);
}

int cli_align(int argc, char **argv)
{
    cli_settings S;
    cli_settings_default(&S);
    int first = 0;
    int rc = cli_options_parse(CMD_ALIGN, argc, argv, &S, 0, &first);
    if (rc != 0) {
        cli_settings_free(&S);
        return rc == 1 ? CLI_EXIT_OK : rc;
    }
    rc = CLI_EXIT_INPUT;
    tqo_align_settings s = S.align;
    tqo_load_settings ls = S.load;
    ls.threads = S.threads; /* history.csv read on as many */
    s.seed = S.seed;
    s.threads = S.threads;
    cli_common cc = {.quiet = S.quiet, .verbose = S.verbose, .threads = S.threads, .seed = S.seed,
                     .time_limit = s.time_limit, .out = S.out};
    const char *write_lp = S.write_lp, *write_mps = S.write_mps;
    /* tqo.h documents 5: keep to it should the defaults leave tolerances unset. */
    tqo_align_settings def;
    tqo_align_settings_default(&def);
    double default_tol = def.balance_tol_pct[0] > 0 ? def.balance_tol_pct[0] : 5.0;
    if (first >= argc) {
        cli_usage_error("align: expected an INSTANCE folder (see 'tqo align --help')");
        goto out;
    }
    if (first < argc - 1) {
        cli_usage_error("align: unexpected argument '%s' (see 'tqo align --help')", argv[first + 1]);
        goto out;
    }
    if (!cc.out) {
        cli_usage_error("align: missing output folder: use -o DIR (see 'tqo align --help')");
        goto out;
    }

    ls.log = cli_log;
    ls.log_ctx = &cc;
    s.log = cli_log;
    s.log_ctx = &cc;
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_align_result res;
    memset(&res, 0, sizeof res);
    int aligned = 0;
    tqo_status st = tqo_memory_check_load(argv[first], S.max_memory, &diag);
    if (st == TQO_OK)
        st = tqo_instance_load(argv[first], &ls, &inst, &diag);
    flush_diag(&diag);
    if (st == TQO_OK)
        st = cli_align_defaults(inst, &s, default_tol, cc.quiet, &diag);
    if (st == TQO_OK) /* before the alignment allocates anything */
        st = tqo_memory_check_align(inst, &s, write_lp || write_mps, S.max_memory, &diag);
    if (st == TQO_OK) {
        cli_align_progress pg; /* a terminal's progress line (not with -q or -v: their lines would mix) */
        cli_align_progress_attach(&s, &pg, cc.quiet || cc.verbose);
        st = tqo_align(inst, &s, &res, &diag);
        cli_align_progress_end(&pg);
        aligned = 1;
        flush_diag(&diag);
        /* At a time limit the best plan found is still worth keeping. */
        /* A complete plan that misses a bound is still written, so the
           planner can see where; the exit status says it failed. */
        int have_plan = st == TQO_OK || ((st == TQO_ERR_LIMIT || st == TQO_ERR_INFEASIBLE) && res.unit_start &&
                                         res.n_units == inst->n_units);
        if (have_plan) {
            tqo_status wst = tqo_align_write(inst, &s, &res, cc.out, &diag);
            if (wst == TQO_OK && write_lp)
                wst = tqo_align_write_model(inst, &s, &res, write_lp, 0, &diag);
            if (wst == TQO_OK && write_mps)
                wst = tqo_align_write_model(inst, &s, &res, write_mps, 1, &diag);
            if (wst == TQO_OK && !cc.quiet)
                print_summary(inst, &s, &res, st, cc.out);
            if (wst != TQO_OK)
                st = wst;
        }
    }
    cli_print_diag(&diag);
    tqo_diag_free(&diag);
    if (aligned)
        tqo_align_result_free(&res);
    tqo_instance_free(inst);
    rc = cli_exit_code(st);
out:
    cli_settings_free(&S);
    return rc;
}
