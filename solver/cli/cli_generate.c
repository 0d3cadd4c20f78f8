/* `tqo generate`: writes a synthetic instance folder. */
#include "cli/cli_common.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void usage(FILE *fp, const tqo_generate_settings *def)
{
    fprintf(fp,
            "usage: tqo generate -o DIR [options]\n"
            "\n"
            "Writes a synthetic instance (units.csv, territories.csv, adjacency.csv,\n"
            "history.csv) with clustered locations, correlated measures, Delaunay\n"
            "adjacency, a current plan and sales history. The same options always\n"
            "give the same files.\n"
            "\n"
            "options:\n"
            "  -o, --out DIR          folder to write (required; created if needed)\n"
            "      --units N          number of units (default %d)\n"
            "      --territories P    number of territories, at most N (default %d)\n"
            "      --periods T        history periods, 0 for none (default %d)\n"
            "      --granularity G    year, quarter or month (default quarter)\n"
            "      --first-year Y     year of the first period (default %d)\n"
            "      --seed S           random seed (default %llu)\n"
            "      --geo              lat/lon coordinates instead of planar km (default off)\n"
            "      --plan-imbalance PCT  balance the current plan only until its largest\n"
            "                         workload deviation is within PCT%% (a plan to realign;\n"
            "                         default: the usual mild balancing)\n"
            "      --format F         tqo (default: a folder of CSV files) or commdis: one file\n"
            "                         of the academic districting format (-o FILE; measures\n"
            "                         potential, accounts, workload as a1..a3, p = --territories;\n"
            "                         no history, plan or home bases)\n"
            "      --tolerance PCT    commdis: the balance tolerance of a1..a3 (default 5)\n"
            "      --flat-history     every unit sells the same whole amount every period:\n"
            "                         no trend, season or noise (default off)\n"
            "      --quiet            print nothing on success (default off)\n"
            "  -h, --help             show this help\n",
            def->n_units, def->n_territories, def->n_periods, def->first_year,
            (unsigned long long)def->seed);
}

static int parse_granularity(const char *s, tqo_period_kind *out)
{
    static const struct {
        const char *name;
        tqo_period_kind kind;
    } names[] = {
        {"year", TQO_PERIOD_YEAR}, {"yearly", TQO_PERIOD_YEAR},
        {"quarter", TQO_PERIOD_QUARTER}, {"quarterly", TQO_PERIOD_QUARTER},
        {"month", TQO_PERIOD_MONTH}, {"monthly", TQO_PERIOD_MONTH},
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcasecmp(s, names[k].name) == 0) {
            *out = names[k].kind;
            return 0;
        }
    }
    return -1;
}

int cli_generate(int argc, char **argv)
{
    enum { OPT_UNITS = 256, OPT_TERRITORIES, OPT_PERIODS, OPT_GRANULARITY, OPT_FIRST_YEAR,
           OPT_SEED, OPT_GEO, OPT_IMBALANCE, OPT_FLAT, OPT_FORMAT, OPT_TOL, OPT_QUIET };
    static const struct option options[] = {
        {"out", required_argument, NULL, 'o'},
        {"units", required_argument, NULL, OPT_UNITS},
        {"territories", required_argument, NULL, OPT_TERRITORIES},
        {"periods", required_argument, NULL, OPT_PERIODS},
        {"granularity", required_argument, NULL, OPT_GRANULARITY},
        {"first-year", required_argument, NULL, OPT_FIRST_YEAR},
        {"seed", required_argument, NULL, OPT_SEED},
        {"geo", no_argument, NULL, OPT_GEO},
        {"plan-imbalance", required_argument, NULL, OPT_IMBALANCE},
        {"flat-history", no_argument, NULL, OPT_FLAT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"tolerance", required_argument, NULL, OPT_TOL},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    tqo_generate_settings s, def;
    tqo_generate_settings_default(&def);
    s = def;
    cli_common common = {0};
    tqo_format format = TQO_FORMAT_TQO;
    double tol_pct = 5;
    long v;

    /* The dispatcher has parsed its own options already: start afresh,
       and report errors ourselves with the tqo prefix. */
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
        switch (c) {
        case 'o':
            common.out = optarg;
            break;
        case OPT_UNITS:
            if (cli_parse_int("--units", optarg, 1, 50000000, &v) != 0)
                return CLI_EXIT_INPUT;
            s.n_units = (int)v;
            break;
        case OPT_TERRITORIES:
            if (cli_parse_int("--territories", optarg, 1, 50000000, &v) != 0)
                return CLI_EXIT_INPUT;
            s.n_territories = (int)v;
            break;
        case OPT_PERIODS:
            if (cli_parse_int("--periods", optarg, 0, 1200, &v) != 0)
                return CLI_EXIT_INPUT;
            s.n_periods = (int)v;
            break;
        case OPT_GRANULARITY:
            if (parse_granularity(optarg, &s.granularity) != 0)
                return cli_usage_error("option '--granularity': '%s' is not one of year, quarter, month",
                                       optarg);
            break;
        case OPT_FIRST_YEAR:
            if (cli_parse_int("--first-year", optarg, 1000, 9999, &v) != 0)
                return CLI_EXIT_INPUT;
            s.first_year = (int)v;
            break;
        case OPT_SEED:
            if (cli_parse_u64("--seed", optarg, &s.seed) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_GEO:
            s.geo = 1;
            break;
        case OPT_IMBALANCE: {
            double d;
            if (cli_parse_double("--plan-imbalance", optarg, 0, 1000, &d) != 0)
                return CLI_EXIT_INPUT;
            s.plan_imbalance_pct = d;
            break;
        }
        case OPT_FLAT:
            s.flat_history = 1;
            break;
        case OPT_FORMAT:
            if (!tqo_format_parse(optarg, &format) || format == TQO_FORMAT_AUTO)
                return cli_usage_error("option '--format': '%s' is not tqo or commdis", optarg);
            break;
        case OPT_TOL:
            if (cli_parse_double("--tolerance", optarg, 1e-9, 100, &tol_pct) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_QUIET:
            common.quiet = 1;
            break;
        case 'h':
            usage(stdout, &def);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("option '%s' needs a value (see 'tqo generate --help')",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("unknown option '%s' (see 'tqo generate --help')", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("unexpected argument '%s' (see 'tqo generate --help')", argv[optind]);
    if (!common.out)
        return cli_usage_error("missing output folder: use -o DIR (see 'tqo generate --help')");
    if (s.n_territories > s.n_units)
        return cli_usage_error("--territories %d is more than --units %d", s.n_territories, s.n_units);
    if (format == TQO_FORMAT_COMMDIS && s.geo)
        return cli_usage_error("--format commdis has planar coordinates: drop --geo");
    if (format == TQO_FORMAT_COMMDIS)
        s.n_periods = 0; /* the format has no history */

    s.log = cli_log;
    s.log_ctx = &common;
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_generate(&s, &inst, &diag);
    if (st == TQO_OK && format == TQO_FORMAT_COMMDIS) {
        double tau[3] = {tol_pct / 100, tol_pct / 100, tol_pct / 100};
        st = tqo_instance_write_commdis(inst, common.out, s.n_territories, tau, &diag);
    } else if (st == TQO_OK) {
        st = tqo_instance_write(inst, common.out, &diag);
    }
    cli_print_diag(&diag);
    if (st == TQO_OK && !common.quiet) {
        if (format == TQO_FORMAT_COMMDIS)
            printf("generated %d units, %d edges, p = %d, tolerance %g%% in %s (commdis)\n", inst->n_units,
                   inst->n_edges, s.n_territories, tol_pct, common.out);
        else
            printf("generated %d units, %d territories, %d %s period%s in %s\n", inst->n_units,
                   inst->n_territories, s.n_periods, tqo_period_kind_name(s.granularity),
                   s.n_periods == 1 ? "" : "s", common.out);
    }
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    return cli_exit_code(st);
}
