/* `tqo align`: assigns units to territories and writes the plan. */
#include "cli/cli_common.h"
#include "util/fmt.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void usage(FILE *fp, const tqo_align_settings *def)
{
    char threads[32];
    if (def->threads > 0)
        snprintf(threads, sizeof threads, "%d", def->threads);
    else
        snprintf(threads, sizeof threads, "automatic");
    fprintf(fp,
            "usage: tqo align INSTANCE -o DIR [options]\n"
            "\n"
            "Assigns the units of an instance folder to territories: compact\n"
            "territories (weighted squared distance to their centre) whose totals of\n"
            "the balanced measures stay within a tolerance of their targets, and\n"
            "connected in the unit graph when the instance has one. Centres are the\n"
            "rep home bases of territories.csv, else they are placed by the solver.\n"
            "Writes DIR/assignment.csv, territories.csv, summary.json and map.svg.\n"
            "\n"
            "options:\n"
            "  -o, --out DIR              folder to write (required; created if needed)\n"
            "  -k N                       territories to draw when the instance has no\n"
            "                             home bases (default: the instance's territories)\n"
            "      --balance COL[:TOL]    balance measure COL within TOL percent of its\n"
            "                             target (default TOL %g); repeat for up to %d\n"
            "                             measures (default: the first measure)\n"
            "      --weight COL           compactness weight per unit (default: the first\n"
            "                             balanced measure)\n"
            "      --allow-splits         units may be shared between territories (default off)\n"
            "      --max-distance KM      no unit farther than KM from its centre (default:\n"
            "                             no limit)\n"
            "      --max-moves PCT        move at most PCT percent of the first balanced\n"
            "                             measure away from the current plan (default: no cap)\n"
            "      --disruption-weight W  add W x the moved measure to the objective\n"
            "                             (default %g)\n"
            "      --format F             tqo (a folder), commdis (one file of the academic\n"
            "                             districting format: its p and tolerances are the\n"
            "                             defaults of -k and --balance) or auto (default)\n"
            "      --adjacency SRC        neighbours from SRC: a CSV file (unit_a,unit_b),\n"
            "                             'delaunay' or 'none' (default: the instance's\n"
            "                             adjacency.csv)\n"
            "      --no-contiguity        do not keep territories connected (default: keep\n"
            "                             them connected when there is adjacency)\n"
            "      --exact                solve the whole assignment as one MIP (default off)\n"
            "      --time-limit S         seconds for --exact, 0 for none (default %g)\n"
            "      --candidates N         nearest centres per unit in the first LP (default %d)\n"
            "      --starts N             starts when centres are placed (default %d)\n"
            "      --seed S               random seed (default %llu)\n"
            "      --threads N            threads (default %s)\n"
            "      --write-lp FILE        also write the model in CPLEX LP format\n"
            "      --write-mps FILE       also write the model in free MPS format\n"
            "  -q, --quiet                print nothing but warnings and errors\n"
            "  -v, --verbose              also print the solver's progress in detail\n"
            "  -h, --help                 this help\n"
            "\n"
            "Exit status: 0 success, 1 solver failure, infeasible model or i/o error,\n"
            "2 bad input or usage.\n",
            def->balance_tol_pct[0], TQO_MAX_BALANCE, def->disruption_weight, def->time_limit, def->candidates,
            def->starts, (unsigned long long)def->seed, threads);
}

/* "pop" or "pop:3.5"; the tolerance after the last colon. */
static int parse_balance(const char *arg, tqo_align_settings *s, double default_tol)
{
    if (s->n_balance >= TQO_MAX_BALANCE) {
        cli_usage_error("option '--balance': at most %d measures", TQO_MAX_BALANCE);
        return -1;
    }
    const char *colon = strrchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    if (len == 0) {
        cli_usage_error("option '--balance': '%s' names no measure", arg);
        return -1;
    }
    double tol = default_tol;
    if (colon && cli_parse_double("--balance", colon + 1, 0, 100, &tol) != 0)
        return -1;
    /* The settings point into argv; a copy is needed to cut the tolerance. */
    char *name = malloc(len + 1);
    if (!name) {
        cli_usage_error("out of memory");
        return -1;
    }
    memcpy(name, arg, len);
    name[len] = '\0';
    for (int b = 0; b < s->n_balance; b++) {
        if (strcasecmp(s->balance[b], name) == 0) {
            cli_usage_error("option '--balance': measure '%s' given twice", name);
            free(name);
            return -1;
        }
    }
    s->balance[s->n_balance] = name;
    s->balance_tol_pct[s->n_balance] = tol;
    s->n_balance++;
    return 0;
}


static void print_summary(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                          const char *out)
{
    char a[64];
    printf("territories  %d (%s)\n", r->n_territories,
           r->fixed_centres ? "centres at the home bases" : "centres placed");
    fmt_thousands(a, sizeof a, r->objective, "n/a");
    printf("objective    %s\n", a);
    fmt_thousands(a, sizeof a, r->lower_bound, "n/a");
    printf("lower bound  %s\n", a);
    if (isfinite(r->gap))
        printf("gap          %.2f%%\n", 100 * r->gap);
    else
        printf("gap          n/a\n");
    for (int b = 0; b < r->n_balance && b < s->n_balance; b++) {
        int m = tqo_instance_measure(inst, s->balance[b]);
        printf("%s %-12s largest deviation %.2f%% (tolerance %g%%)\n", b ? "            " : "balance     ",
               m >= 0 ? inst->measures[m].name : s->balance[b], r->max_dev_pct[b], s->balance_tol_pct[b]);
    }
    if (s->allow_splits)
        printf("splits       %d unit%s shared (LP: %d)\n", r->splits, r->splits == 1 ? "" : "s", r->lp_splits);
    else if (r->lp_splits)
        printf("splits       %d in the LP, made whole by %s\n", r->lp_splits,
               r->split_resolution[0] ? r->split_resolution : "rounding");
    else
        printf("splits       none in the LP\n");
    if (r->n_exceptions) {
        printf("contiguity   %d exception%s (islands joined to territories not connected to them)\n",
               r->n_exceptions, r->n_exceptions == 1 ? "" : "s");
    } else {
        printf("contiguity   %s\n", !s->contiguity ? "not required"
                                    : inst->has_adjacency ? "every territory connected"
                                                          : "no adjacency");
    }
    if (inst->current)
        printf("moved        %d units, %.2f%% of %s\n", r->moved_units, r->moved_share,
               r->n_balance ? s->balance[0] : "");
    if (inst->coords == TQO_COORDS_XY) {
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
    enum { OPT_BALANCE = 256, OPT_WEIGHT, OPT_SPLITS, OPT_MAXDIST, OPT_MAXMOVES, OPT_DISRUPTION,
           OPT_ADJACENCY, OPT_NOCONTIG, OPT_EXACT, OPT_TIME, OPT_CANDIDATES, OPT_STARTS, OPT_SEED,
           OPT_THREADS, OPT_WRITE_LP, OPT_WRITE_MPS, OPT_FORMAT };
    static const struct option opts[] = {
        {"balance", required_argument, NULL, OPT_BALANCE},
        {"weight", required_argument, NULL, OPT_WEIGHT},
        {"allow-splits", no_argument, NULL, OPT_SPLITS},
        {"max-distance", required_argument, NULL, OPT_MAXDIST},
        {"max-moves", required_argument, NULL, OPT_MAXMOVES},
        {"disruption-weight", required_argument, NULL, OPT_DISRUPTION},
        {"adjacency", required_argument, NULL, OPT_ADJACENCY},
        {"no-contiguity", no_argument, NULL, OPT_NOCONTIG},
        {"exact", no_argument, NULL, OPT_EXACT},
        {"time-limit", required_argument, NULL, OPT_TIME},
        {"candidates", required_argument, NULL, OPT_CANDIDATES},
        {"starts", required_argument, NULL, OPT_STARTS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"write-lp", required_argument, NULL, OPT_WRITE_LP},
        {"write-mps", required_argument, NULL, OPT_WRITE_MPS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    tqo_align_settings s, def;
    tqo_align_settings_default(&def);
    s = def;
    s.n_balance = 0; /* --balance replaces the defaults rather than adding to them */
    /* tqo.h documents 5: keep to it should the defaults leave tolerances unset. */
    double default_tol = def.balance_tol_pct[0] > 0 ? def.balance_tol_pct[0] : 5.0;
    def.balance_tol_pct[0] = default_tol;
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    cli_common cc = {0};
    const char *write_lp = NULL, *write_mps = NULL;
    char *owned[TQO_MAX_BALANCE] = {0}; /* balance names cut from their tolerance */
    int rc = CLI_EXIT_INPUT;
    long v;
    double d;

    /* The dispatcher has parsed its own options already: start afresh,
       and report errors ourselves with the tqo prefix. */
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":k:o:qvh", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (cli_parse_int("-k", optarg, 1, 10000000, &v) != 0)
                goto out;
            s.k = (int)v;
            break;
        case OPT_BALANCE:
            if (parse_balance(optarg, &s, default_tol) != 0)
                goto out;
            owned[s.n_balance - 1] = (char *)s.balance[s.n_balance - 1];
            break;
        case OPT_WEIGHT: s.weight = optarg; break;
        case OPT_SPLITS: s.allow_splits = 1; break;
        case OPT_MAXDIST:
            if (cli_parse_double("--max-distance", optarg, 0, 1e9, &d) != 0)
                goto out;
            s.max_distance_km = d;
            break;
        case OPT_MAXMOVES:
            if (cli_parse_double("--max-moves", optarg, 0, 100, &d) != 0)
                goto out;
            s.max_moves_pct = d;
            break;
        case OPT_DISRUPTION:
            if (cli_parse_double("--disruption-weight", optarg, 0, 1e12, &d) != 0)
                goto out;
            s.disruption_weight = d;
            break;
        case OPT_ADJACENCY: ls.adjacency = optarg; break;
        case OPT_NOCONTIG: s.contiguity = 0; break;
        case OPT_EXACT: s.exact = 1; break;
        case OPT_TIME:
            if (cli_parse_double("--time-limit", optarg, 0, 1e9, &d) != 0)
                goto out;
            s.time_limit = cc.time_limit = d;
            break;
        case OPT_CANDIDATES:
            if (cli_parse_int("--candidates", optarg, 1, 1000000, &v) != 0)
                goto out;
            s.candidates = (int)v;
            break;
        case OPT_STARTS:
            if (cli_parse_int("--starts", optarg, 1, 100000, &v) != 0)
                goto out;
            s.starts = (int)v;
            break;
        case OPT_SEED:
            if (cli_parse_u64("--seed", optarg, &s.seed) != 0)
                goto out;
            cc.seed = s.seed;
            break;
        case OPT_THREADS:
            if (cli_parse_int("--threads", optarg, 1, 4096, &v) != 0)
                goto out;
            s.threads = cc.threads = (int)v;
            break;
        case OPT_WRITE_LP: write_lp = optarg; break;
        case OPT_WRITE_MPS: write_mps = optarg; break;
        case OPT_FORMAT:
            if (!tqo_format_parse(optarg, &ls.format)) {
                cli_usage_error("align: --format '%s': not tqo, commdis or auto", optarg);
                goto out;
            }
            break;
        case 'o': cc.out = optarg; break;
        case 'q': cc.quiet = 1; break;
        case 'v': cc.verbose = 1; break;
        case 'h':
            usage(stdout, &def);
            rc = CLI_EXIT_OK;
            goto out;
        case ':':
            cli_usage_error("align: option '%s' needs a value (see 'tqo align --help')", argv[optind - 1]);
            goto out;
        default:
            cli_usage_error("align: unknown option '%s' (see 'tqo align --help')", argv[optind - 1]);
            goto out;
        }
    }
    if (optind >= argc) {
        cli_usage_error("align: expected an INSTANCE folder (see 'tqo align --help')");
        goto out;
    }
    if (optind < argc - 1) {
        cli_usage_error("align: unexpected argument '%s' (see 'tqo align --help')", argv[optind + 1]);
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
    tqo_status st = tqo_instance_load(argv[optind], &ls, &inst, &diag);
    flush_diag(&diag);
    if (st == TQO_OK)
        st = cli_align_defaults(inst, &s, default_tol, cc.quiet, &diag);
    if (st == TQO_OK) {
        st = tqo_align(inst, &s, &res, &diag);
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
            if (wst == TQO_OK && !cc.quiet) {
                if (st == TQO_ERR_LIMIT)
                    printf("stopped at a limit: the best plan found is written\n");
                if (st == TQO_ERR_INFEASIBLE)
                    printf("the plan misses a bound (see the error): it is written for inspection\n");
                print_summary(inst, &s, &res, cc.out);
            }
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
    for (int b = 0; b < TQO_MAX_BALANCE; b++)
        free(owned[b]);
    return rc;
}
