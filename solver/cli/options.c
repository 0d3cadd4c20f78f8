/* The option table of every tqo command (see options.h) and what is made
   from it: values checked and set, plan.ini written, --help. */
#include "cli/options.h"
#include "cli/cli_common.h"

#include <omp.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define F(m) offsetof(cli_settings, m)
#define ALL (CMD_VALIDATE | CMD_GENERATE | CMD_ALIGN | CMD_QUOTA | CMD_SCENARIOS | CMD_PLAN | CMD_MERGE)
#define AP (CMD_ALIGN | CMD_PLAN)
#define QSP (CMD_QUOTA | CMD_SCENARIOS | CMD_PLAN)
#define QS (CMD_QUOTA | CMD_SCENARIOS)

/* Rows in plan.ini's order: plan.ini is written in this order. */
const cli_option cli_options[] = {
    {"out", 'o', T_STRING, "DIR", 0, 0, NULL, 0, F(out), ALL, NULL, NULL, NULL,
     "folder to write, created if needed (required; validate: also write DIR/validation.json; "
     "generate --format commdis: the FILE to write)"},
    {"config", 0, T_STRING, "FILE", 0, 0, NULL, 0, F(config), CMD_PLAN, NULL, NULL, NULL,
     "read settings from an INI file (such as a run's plan.ini); the command line wins"},
    {"format", 0, T_FORMAT, "F", 0, 0, NULL, 0, F(load.format), CMD_VALIDATE | AP, "input", "format", "auto",
     "instance format: tqo (a folder of CSV files), commdis (one file of the academic districting format: "
     "its p and tolerances are the defaults of -k and --balance) or auto (a folder is tqo, a file commdis)"},
    {"adjacency", 0, T_STRING, "SRC", 0, 0, "instance", 0, F(load.adjacency), CMD_VALIDATE | AP, "input",
     "adjacency", "instance",
     "neighbours from SRC: instance (its adjacency.csv), a CSV file of unit_a,unit_b pairs, "
     "delaunay (triangulation of unit locations), rook or queen (unit polygons sharing a border / any point) "
     "or none"},
    {"id-field", 0, T_STRING, "FIELD", 0, 0, "unit_id", 0, F(load.id_field), CMD_VALIDATE | AP, "input",
     "id_field", "unit_id", "the attribute holding the unit ids in a GIS file or --boundaries"},
    {"boundaries", 0, T_STRING, "FILE", 0, 0, "none", 0, F(load.boundaries), CMD_VALIDATE | AP, "input",
     "boundaries", "the folder's boundaries.geojson",
     "unit polygons (any OGR vector file, FILE[:LAYER]) joined to units.csv on the id"},
    {"snap", 0, T_DOUBLE, "METRES", 0, 1e6, NULL, 0, F(load.snap_m), CMD_VALIDATE | AP, "input", "snap", "0",
     "rook/queen: polygons this close count as touching"},
    {"assume-crs", 0, T_STRING, "CRS", 0, 0, "none", 0, F(load.assume_crs), CMD_VALIDATE | AP, "input",
     "assume_crs", "none", "the coordinate reference system of a GIS file that declares none (e.g. EPSG:4326)"},
    {"current", 0, T_STRING, "FILE", 0, 0, "none", 0, F(plan_current), CMD_PLAN, "input", "current",
     "the 'current' column", "the current plan, unit_id,territory_id,share (tqo serve's Save writes it): "
     "--max-moves counts moves away from it"},
    {"locks", 0, T_STRING, "FILE", 0, 0, "none", 0, F(plan_locks), CMD_PLAN, "input", "locks", "the instance's locks.csv",
     "unit_id,territory_id: units that must stay in a territory, instead of the instance's locks.csv"},
    {"gis-format", 0, T_STRING, "F", 0, 0, "geojson", 0, F(align.gis_format), AP, "align", "gis_format",
     "geojson", "with unit polygons: territories and units as geojson (two files) or gpkg (one GeoPackage)"},
    {"k", 'k', T_INT, "N", 1, 10000000, "0", 0, F(align.k), AP, "align", "k", "the instance's territories",
     "territories to draw when the instance has no home bases"},
    {"balance", 0, T_BALANCE, "COL[:TOL]", 0, 100, NULL, 0, F(align), AP, "align", "balance",
     "the first measure at 5",
     "balance measure COL within TOL percent of its target (TOL default 5); repeat, or give a comma-separated "
     "list, for up to 8 measures; the first --balance replaces the config's"},
    {"weight", 0, T_STRING, "COL", 0, 0, "none", 0, F(align.weight), AP, "align", "weight",
     "the first balanced measure", "compactness weight per unit"},
    {"allow-splits", 0, T_BOOL, NULL, 0, 0, NULL, 0, F(align.allow_splits), AP, "align", "allow_splits", "false",
     "units may be shared between territories"},
    {"max-distance", 0, T_DOUBLE, "KM", 0, 1e9, NULL, 0, F(align.max_distance_km), AP, "align", "max_distance",
     "0: no limit", "no unit farther than KM from its centre; 0: no limit"},
    {"max-moves", 0, T_DOUBLE, "PCT", 0, 100, "-1", -1, F(align.max_moves_pct), AP, "align", "max_moves",
     "no cap", "move at most PCT percent of the first balanced measure away from the current plan"},
    {"disruption-weight", 0, T_DOUBLE, "W", 0, 1e12, NULL, 0, F(align.disruption_weight), AP, "align",
     "disruption_weight", "0", "add W x the moved measure to the objective"},
    {"contiguity", 0, T_BOOL, NULL, 0, 0, NULL, 0, F(align.contiguity), AP, "align", "contiguity", "true",
     "keep territories connected when there is adjacency (--no-contiguity: do not)"},
    {"objective", 0, T_OBJECTIVE, "OBJ", 0, 0, NULL, 0, F(align.objective), AP, "align", "objective", "moment",
     "what to minimise: moment (the weighted moment, sum of w d^2 to the centres), diameter (the largest "
     "distance between two units of one territory) or center (the largest distance from a unit to its "
     "territory's centre unit); diameter and center also report lower bounds (docs/objectives.md)"},
    {"search-rounds", 0, T_INT, "N", 0, 1000, NULL, 0, F(align.search_rounds), AP, "align", "search_rounds",
     "0: the default", "diameter and center: at most N rounds of the tabu search, 0 for the default "
     "(docs/objectives.md; fewer rounds are for tests)"},
    {"exact", 0, T_BOOL, NULL, 0, 0, NULL, 0, F(align.exact), AP, "align", "exact", "false",
     "solve the whole assignment as one MIP"},
    {"time-limit", 0, T_DOUBLE, "S", 0, 1e9, NULL, 0, F(align.time_limit), AP, "align", "time_limit", "0: none",
     "seconds for --exact and the --objective search, 0 for none"},
    {"candidates", 0, T_INT, "N", 1, 1000000, NULL, 0, F(align.candidates), AP, "align", "candidates", "8",
     "nearest centres per unit in the first LP"},
    {"starts", 0, T_INT, "N", 1, 100000, NULL, 0, F(align.starts), AP, "align", "starts", "3",
     "starts when centres are placed; with --objective diameter or center each start's plan is a start of the search"},
    {"write-lp", 0, T_STRING, "FILE", 0, 0, "none", 0, F(write_lp), AP, "align", "write_lp", "none",
     "also write the allocation model in CPLEX LP format"},
    {"write-mps", 0, T_STRING, "FILE", 0, 0, "none", 0, F(write_mps), AP, "align", "write_mps", "none",
     "also write the allocation model in free MPS format"},
    {"assignment", 0, T_STRING, "FILE", 0, 0, NULL, 0, F(assignment), QS, NULL, NULL, "the 'current' column",
     "unit_id,territory_id,share (tqo align's assignment.csv)"},
    {"value", 0, T_STRING, "COL", 0, 0, "none", 0, F(quota.value), QSP, "quota", "value", "sales",
     "history value column"},
    {"potential", 0, T_STRING, "COL", 0, 0, "none", 0, F(quota.potential), QSP, "quota", "potential", "none",
     "a units measure for the potential share"},
    {"history-until", 0, T_STRING, "P", 0, 0, "none", 0, F(quota.history_until), QSP, "quota", "history_until",
     "none", "ignore history after period P (e.g. 2016Q4)"},
    {"plan-period", 0, T_INT, "YYYY", 1000, 9999, "0", 0, F(quota.plan_year), QSP, "quota", "plan_period",
     "after the last complete year", "the plan year"},
    {"forecast", 0, T_METHOD, "M", 0, 0, NULL, 0, F(quota.method), QSP, "quota", "forecast", "auto",
     "last, trend, holt, damped, seasonal, shrink or auto (lowest pooled MAPE in a rolling-origin backtest, the "
     "naive quota unless a method beats it; docs/forecasts.md)"},
    {"target", 0, T_DOUBLE, "AMOUNT", 1e-9, 1e18, "none", 0, F(quota.target), QSP, "quota", "target", "none",
     "the company target"},
    {"growth", 0, T_DOUBLE, "PCT", -100, 1e6, "none", NAN, F(quota.growth_pct), QSP, "quota", "growth", "none",
     "or (not both): growth over the last complete year, percent"},
    {"over-assign", 0, T_DOUBLE, "PCT", -100, 1e6, NULL, 0, F(quota.over_assign_pct), QSP, "quota",
     "over_assign", "0", "quotas add up to target x (1 + PCT/100)"},
    {"history-weight", 0, T_DOUBLE, "A", 0, 1, NULL, 0, F(quota.history_weight), QSP, "quota", "history_weight",
     "0.7", "weight of the forecast share against the potential share in the fair share, 0..1 (needs --potential)"},
    {"min-growth", 0, T_DOUBLE, "PCT", -100, 1e6, "none", NAN, F(quota.min_growth_pct), QSP, "quota",
     "min_growth", "none", "floor on each quota against its last year, percent"},
    {"max-growth", 0, T_DOUBLE, "PCT", -100, 1e6, "none", NAN, F(quota.max_growth_pct), QSP, "quota",
     "max_growth", "none", "cap on each quota against its last year, percent"},
    {"fairness", 0, T_FAIRNESS, "F", 0, 0, NULL, 0, F(quota.minimax), QSP, "quota", "fairness", "sum",
     "sum (of the relative deviations from the fair shares) or minimax (the largest)"},
    {"min-train-years", 0, T_INT, "N", 1, 100, NULL, 0, F(quota.min_train_years), QSP, "quota",
     "min_train_years", "2", "years a backtest fold needs"},
    {"region-targets", 0, T_STRING, "FILE", 0, 0, "none", 0, F(region_targets), QSP, "quota", "region_targets",
     "none", "region,target CSV: regional sums the quotas must meet"},
    {"region-col", 0, T_STRING, "COL", 0, 0, "none", 0, F(quota.region_col), QSP, "quota", "region_col",
     "territories.csv region", "a territory's region: the units label holding most of its potential"},
    {"hierarchy", 0, T_STRING, "FILE", 0, 0, "none", 0, F(quota.hierarchy), CMD_QUOTA | CMD_PLAN, "quota",
     "hierarchy", "territories.csv's level: columns",
     "territory_id,level:NAME,... CSV (outermost level first): the quota hierarchy; quotas are then set by one "
     "LP over every node and quotas_rollup.csv is written"},
    {"nodes", 0, T_STRING, "FILE", 0, 0, "none", 0, F(quota.nodes), CMD_QUOTA | CMD_PLAN, "quota", "nodes", "none",
     "id,level,target,min_growth,max_growth,over_assignment CSV: targets, growth bands and over-assignment of "
     "any node of the hierarchy (the region column is a one-level hierarchy)"},
    {"submissions", 0, T_STRING, "FILE", 0, 0, "none", 0, F(quota.submissions), CMD_QUOTA | CMD_PLAN, "quota",
     "submissions", "none",
     "node_id,value[,weight] CSV: bottom-up numbers reconciled with the top-down plan (closest to them within "
     "the bands and the target)"},
    {"export", 0, T_STRING, "FMT", 0, 0, "none", 0, F(quota.export_format), CMD_QUOTA | CMD_PLAN, "quota",
     "export", "none", "also write the quotas in a quota tool's import layout: varicent, xactly or csv-long"},
    {"scenarios", 0, T_STRING, "FILE", 0, 0, "none", 0, F(scenarios), CMD_SCENARIOS | CMD_PLAN, "scenarios",
     "scenarios", "none (scenarios: required)",
     "scenarios.csv to compare: scenario, growth, target, over_assign, history_weight, min_growth, max_growth, "
     "fairness, forecast, target_incentive, payout_curve; empty cells take the quota options"},
    {"replicates", 0, T_INT, "R", 1, 10000000, NULL, 0, F(replicates), CMD_SCENARIOS | CMD_PLAN, "scenarios",
     "replicates", "1000", "Monte Carlo replicates"},
    {"target-incentive", 0, T_DOUBLE, "X", 0, 1e12, NULL, 0, F(incentive), CMD_SCENARIOS | CMD_PLAN,
     "scenarios", "target_incentive", "10000", "paid per territory at 100% attainment"},
    {"payout-curve", 0, T_CURVE, "C", 0, 0, NULL, 0, F(curve), CMD_SCENARIOS | CMD_PLAN, "scenarios",
     "payout_curve", "50:0;100:100;150:250;200:250",
     "attainment%:payout% points, e.g. 80:0;80:20;100:100 (a repeated attainment is a step)"},
    {"choose", 0, T_STRING, "NAME", 0, 0, "none", 0, F(choose), CMD_PLAN, "scenarios", "choose", "none",
     "the scenario listed first in the report"},
    {"port", 0, T_INT, "P", 0, 65535, NULL, 0, F(port), CMD_SERVE, NULL, NULL, "8765 (0: any free port)",
     "TCP port of tqo serve"},
    {"bind", 0, T_STRING, "ADDR", 0, 0, NULL, 0, F(bind), CMD_SERVE, NULL, NULL, "127.0.0.1",
     "IPv4 address tqo serve listens on (another machine reaching it needs the printed token too)"},
    {"top", 0, T_INT, "N", 0, 1000000, NULL, 0, F(top), CMD_SCENARIOS, NULL, NULL, "10",
     "Pareto-efficient scenarios to print"},
    {"shard", 0, T_STRING, "I/N", 0, 0, NULL, 0, F(shard), CMD_SCENARIOS, NULL, NULL, "none",
     "evaluate only shard I of N (scenarios I-1, I-1+N, ...) and write DIR/scenarios_part_I_of_N.bin; "
     "tqo merge combines the parts into the files of a single run"},
    {"seed", 0, T_U64, "S", 0, 0, NULL, 0, F(seed), CMD_GENERATE | AP | CMD_SCENARIOS, "run", "seed", "1",
     "random seed (instance, alignment starts, Monte Carlo)"},
    {"threads", 0, T_INT, "N", 1, 4096, NULL, 0, F(threads), AP | CMD_SCENARIOS, "run", "threads", "all cores",
     "threads; the files are the same for any number"},
    {"max-memory", 0, T_STRING, "SIZE", 0, 0, NULL, 0, F(max_memory), CMD_VALIDATE | AP | CMD_SCENARIOS, NULL, NULL,
     "the memory available",
     "refuse, before allocating, a problem whose estimated peak memory is above SIZE (512M, 4G; 0: no check)"},
    {"units", 0, T_INT, "N", 1, 50000000, NULL, 0, F(gen.n_units), CMD_GENERATE, NULL, NULL, "1000",
     "number of units"},
    {"territories", 0, T_INT, "P", 1, 50000000, NULL, 0, F(gen.n_territories), CMD_GENERATE, NULL, NULL, "10",
     "number of territories, at most --units"},
    {"periods", 0, T_INT, "T", 0, 1200, NULL, 0, F(gen.n_periods), CMD_GENERATE, NULL, NULL, "12",
     "history periods, 0 for none"},
    {"granularity", 0, T_GRANULARITY, "G", 0, 0, NULL, 0, F(gen.granularity), CMD_GENERATE, NULL, NULL,
     "quarter", "year, quarter or month"},
    {"first-year", 0, T_INT, "Y", 1000, 9999, NULL, 0, F(gen.first_year), CMD_GENERATE, NULL, NULL, "2020",
     "year of the first period"},
    {"geo", 0, T_FLAG, NULL, 0, 0, NULL, 0, F(gen.geo), CMD_GENERATE, NULL, NULL, "off",
     "lat/lon coordinates instead of planar km"},
    {"plan-imbalance", 0, T_DOUBLE, "PCT", 0, 1000, NULL, 0, F(gen.plan_imbalance_pct), CMD_GENERATE, NULL, NULL,
     "the usual mild balancing",
     "balance the current plan only until its largest workload deviation is within PCT% (a plan to realign)"},
    {"flat-history", 0, T_FLAG, NULL, 0, 0, NULL, 0, F(gen.flat_history), CMD_GENERATE, NULL, NULL, "off",
     "every unit sells the same whole amount every period: no trend, season or noise"},
    {"boundaries", 0, T_FLAG, NULL, 0, 0, NULL, 0, F(gen.boundaries), CMD_GENERATE, NULL, NULL, "off",
     "also write each unit's Voronoi cell, clipped to the units' convex hull, as boundaries.geojson (loaded "
     "with the folder; planar instances: in km, without a CRS)"},
    {"format", 0, T_GENFMT, "F", 0, 0, NULL, 0, F(gen_format), CMD_GENERATE, NULL, NULL, "tqo",
     "tqo (a folder of CSV files) or commdis (one file of the academic districting format)"},
    {"tolerance", 0, T_DOUBLE, "PCT", 1e-9, 100, NULL, 0, F(gen_tolerance), CMD_GENERATE, NULL, NULL, "5",
     "commdis: the balance tolerance of a1..a3"},
    {"quiet", 'q', T_FLAG, NULL, 0, 0, NULL, 0, F(quiet), ALL, NULL, NULL, "off",
     "print nothing but warnings and errors (plan: and the report path)"},
    {"verbose", 'v', T_FLAG, NULL, 0, 0, NULL, 0, F(verbose), CMD_ALIGN | CMD_QUOTA, NULL, NULL, "off",
     "also print the solver's progress in detail (quota: the hierarchy LP's size, iterations and time)"},
    {"help", 'h', T_FLAG, NULL, 0, 0, NULL, 0, F(help), ALL, NULL, NULL, NULL, "this help"},
};
#undef F
const int cli_n_options = (int)(sizeof cli_options / sizeof cli_options[0]);
_Static_assert(sizeof cli_options / sizeof cli_options[0] <= CLI_MAX_ROWS, "raise CLI_MAX_ROWS in options.h");

const cli_command_doc cli_commands[] = {
    {CMD_VALIDATE, "validate", "tqo validate INSTANCE [options]",
     "Loads an instance folder (units.csv and the optional territories.csv, adjacency.csv, locks.csv, "
     "history.csv) or a commdis file (the academic districting format; docs/format.md), checks every value, "
     "and prints counts, totals and ranges of each measure, the coordinate bounding box, the graph's connected "
     "components and isolated units, and the history periods covered. Errors name file, line and column; exit "
     "status 2.",
     NULL},
    {CMD_GENERATE, "generate", "tqo generate -o DIR [options]",
     "Writes a synthetic instance (units.csv, territories.csv, adjacency.csv, history.csv) with clustered "
     "locations, correlated measures, Delaunay adjacency, a current plan and sales history. The same options "
     "always give the same files. --format commdis writes one file of the academic districting format instead "
     "(-o FILE; measures potential, accounts, workload as a1..a3, p = --territories; no history, plan or home "
     "bases).",
     NULL},
    {CMD_ALIGN, "align", "tqo align INSTANCE -o DIR [options]",
     "Assigns the units of an instance folder to territories: compact territories (weighted squared distance "
     "to their centre) whose totals of the balanced measures stay within a tolerance of their targets, and "
     "connected in the unit graph when the instance has one. Centres are the rep home bases of "
     "territories.csv, else they are placed by the solver. Writes DIR/assignment.csv, territories.csv, "
     "summary.json and map.svg.",
     "Exit status: 0 success, 1 solver failure, infeasible model or i/o error, 2 bad input or usage."},
    {CMD_QUOTA, "quota", "tqo quota INSTANCE -o DIR [options]",
     "Sets territory quotas for the plan year: history aggregated to territories through the assignment, a "
     "forecast per territory, fair shares blending forecast and potential, and an LP (GLPK) that meets the "
     "company target, growth bounds and region targets as close to the fair shares as it can. Writes "
     "DIR/quotas.csv, quotas_by_period.csv and quota_summary.json.",
     NULL},
    {CMD_SCENARIOS, "scenarios", "tqo scenarios INSTANCE --scenarios FILE -o DIR [options]",
     "Compares quota scenarios before one is chosen. Each row of FILE is a set of tqo quota parameters and a "
     "pay plan; each is judged by a backtest (quotas for every past year set from the years before it, against "
     "what was sold) and by a Monte Carlo of the plan year (outcomes: the forecast times the errors of a whole "
     "past year drawn at random, the same draws for every scenario). Writes DIR/scenarios_summary.csv, "
     "scenarios_detail.csv, scenarios.svg and scenarios.json, and prints the Pareto-efficient scenarios. The "
     "quota options are the defaults of every scenario (and --value, --potential, --history-until, --forecast "
     "and --min-train-years set the outcome model).",
     NULL},
    {CMD_MERGE, "merge", "tqo merge OUT PART...",
     "Combines the part files of a scenario sweep run in shards (tqo scenarios --shard I/N, e.g. one per "
     "Slurm array task) into OUT/scenarios_summary.csv, scenarios_detail.csv, scenarios.svg and "
     "scenarios.json, byte for byte those of a single run. Refuses parts of another sweep (their inputs or "
     "settings differ), of another split, given twice, or a missing shard (exit status 2).",
     NULL},
    {CMD_SERVE, "serve", "tqo serve INSTANCE -o OUT [--config plan.ini] [--port P] [--bind ADDR] [options]",
     "The plan as a web app on this machine: opens the plan (OUT/plan.ini when OUT holds one, else --config and "
     "the options, which are those of tqo plan), aligns, and serves a map and a JSON API (docs/serve.md) to move "
     "and lock units, rebalance the rest, rerun quotas and scenarios, undo, redo and save. Save writes to OUT "
     "the files of tqo plan, all or none, with the edits as OUT/current.csv and OUT/locks.csv named in "
     "plan.ini. Prints the URL with its access token; Ctrl-C stops.",
     NULL},
    {CMD_PLAN, "plan", "tqo plan INSTANCE -o OUT [--config plan.ini] [options]",
     "The year's plan in one run: tqo align, then tqo quota on the new territories (when a target or growth is "
     "given and the instance has history), then tqo scenarios (when a scenarios file is given). Each step "
     "writes its files to OUT/align, OUT/quota and OUT/scenarios; OUT/plan.ini gets every value used (tqo plan "
     "INSTANCE --config OUT/plan.ini -o OUT2 repeats the run, byte for byte) and OUT/report.html the planning "
     "report. Every setting with a [section] key below can also be given in the config file, as 'key = value' "
     "in its section; the command line wins. Optional settings take 'none'.",
     NULL},
};
const int cli_n_commands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

void cli_settings_default(cli_settings *S)
{
    memset(S, 0, sizeof *S);
    tqo_load_settings_default(&S->load);
    tqo_align_settings_default(&S->align);
    S->align.n_balance = 0; /* from the instance unless given */
    tqo_quota_settings_default(&S->quota);
    tqo_generate_settings_default(&S->gen);
    S->gen_format = TQO_FORMAT_TQO;
    S->gen_tolerance = 5;
    S->replicates = 1000;
    S->incentive = 10000;
    S->curve = "50:0;100:100;150:250;200:250";
    S->top = 10;
    S->seed = 1;
    S->threads = omp_get_num_procs(); /* every core: the files do not depend on it */
    S->port = 8765;
    S->bind = "127.0.0.1";
}

static const char *keep(cli_settings *S, const char *s)
{
    if (!s || S->n_pool == CLI_MAX_POOL)
        return NULL;
    char *c = strdup(s);
    if (c)
        S->pool[S->n_pool++] = c;
    return c;
}

void cli_settings_free(cli_settings *S)
{
    for (int k = 0; k < S->n_pool; k++)
        free(S->pool[k]);
    S->n_pool = 0;
}

/* The words for "not set": plan.ini's own word (a number such as k's 0
   only in plan.ini, where it is written), "none" wherever none is not a
   value of its own (--adjacency none is), and an empty value in plan.ini. */
static int is_unset_word(const cli_option *o, const char *v, int ini)
{
    if (!o->unset)
        return 0;
    int none_is_unset = strcmp(o->unset, "none") == 0 || o->type != T_STRING;
    if (strcasecmp(v, o->unset) == 0)
        return ini || o->type == T_STRING;
    if (strcasecmp(v, "none") == 0)
        return none_is_unset;
    return ini && !*v;
}

static int parse_number(const cli_option *o, const char *v, double *out, char *err, size_t n)
{
    char *end;
    errno = 0;
    if (o->type == T_INT) {
        long x = strtol(v, &end, 10);
        if (errno || end == v || *end) {
            snprintf(err, n, "'%s' is not an integer", v);
            return -1;
        }
        if (x < (long)o->lo || x > (long)o->hi) {
            snprintf(err, n, "%ld is out of range [%ld, %ld]", x, (long)o->lo, (long)o->hi);
            return -1;
        }
        *out = (double)x;
        return 0;
    }
    double d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d)) {
        snprintf(err, n, "'%s' is not a number", v);
        return -1;
    }
    if (d < o->lo || d > o->hi) {
        snprintf(err, n, "%g is out of range [%g, %g]", d, o->lo, o->hi);
        return -1;
    }
    *out = d;
    return 0;
}

/* True for true/yes/on/1, false for false/no/off/0; -1 for another word. */
static int parse_bool(const char *v)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (int k = 0; k < 4; k++) {
        if (strcasecmp(v, yes[k]) == 0)
            return 1;
        if (strcasecmp(v, no[k]) == 0)
            return 0;
    }
    return -1;
}

/* One balance item "COL" or "COL:TOL" (the tolerance after the last colon). */
static int add_balance(cli_settings *S, const cli_option *o, char *tok, char *err, size_t n)
{
    tqo_align_settings *s = &S->align;
    char *colon = strrchr(tok, ':');
    double tol = 5;
    if (colon) {
        *colon = 0;
        if (!*tok) {
            *colon = ':';
            snprintf(err, n, "'%s' names no measure", tok);
            return -1;
        }
        cli_option t = *o;
        t.type = T_DOUBLE;
        if (parse_number(&t, colon + 1, &tol, err, n) != 0)
            return -1;
    }
    if (!*tok) {
        snprintf(err, n, "an empty measure name");
        return -1;
    }
    if (s->n_balance == TQO_MAX_BALANCE) {
        snprintf(err, n, "at most %d measures", TQO_MAX_BALANCE);
        return -1;
    }
    for (int b = 0; b < s->n_balance; b++)
        if (strcasecmp(s->balance[b], tok) == 0) {
            snprintf(err, n, "measure '%s' given twice", tok);
            return -1;
        }
    if (!(s->balance[s->n_balance] = keep(S, tok))) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    s->balance_tol_pct[s->n_balance++] = tol;
    return 0;
}

/* "accounts:10, population:5": from plan.ini it replaces the list, from
   the command line the first --balance replaces and the next ones add. */
static int set_balance(cli_settings *S, const cli_option *o, const char *v, int ini, char *err, size_t n)
{
    if (ini || !S->balance_given)
        S->align.n_balance = 0;
    if (!ini)
        S->balance_given = 1;
    if (ini && strcasecmp(v, "none") == 0)
        return 0;
    char *copy = strdup(v);
    if (!copy) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    int rc = 0, items = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ", \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, ", \t", &save), items++)
        rc = add_balance(S, o, tok, err, n);
    if (rc == 0 && !items) {
        snprintf(err, n, "'%s' names no measure", v);
        rc = -1;
    }
    free(copy);
    return rc;
}

static int set_choice(const char *v, const char *const *names, int count, const char *say, char *err, size_t n)
{
    for (int k = 0; k < count; k++)
        if (strcasecmp(v, names[k]) == 0)
            return k;
    snprintf(err, n, "'%s' is not %s", v, say);
    return -1;
}

static int option_store(cli_settings *S, const cli_option *o, const char *v, int ini, char *err, size_t n)
{
    void *f = (char *)S + o->off;
    double d;
    int k;
    if (is_unset_word(o, v, ini)) {
        if (o->type == T_INT)
            *(int *)f = (int)o->unset_value;
        else if (o->type == T_DOUBLE)
            *(double *)f = o->unset_value;
        else
            *(const char **)f = NULL;
        return 0;
    }
    switch (o->type) {
    case T_FLAG: *(int *)f = 1; return 0;
    case T_BOOL:
        if ((k = parse_bool(v)) < 0) {
            snprintf(err, n, "'%s' is not true or false", v);
            return -1;
        }
        *(int *)f = k;
        return 0;
    case T_INT:
    case T_DOUBLE:
        if (parse_number(o, v, &d, err, n) != 0)
            return -1;
        if (o->type == T_INT)
            *(int *)f = (int)d;
        else
            *(double *)f = d;
        return 0;
    case T_U64: {
        char *end;
        errno = 0;
        if (*v == '-') {
            snprintf(err, n, "'%s' must not be negative", v);
            return -1;
        }
        unsigned long long u = strtoull(v, &end, 10);
        if (errno || end == v || *end) {
            snprintf(err, n, "'%s' is not a non-negative integer", v);
            return -1;
        }
        *(uint64_t *)f = u;
        return 0;
    }
    case T_STRING:
        /* argv lives as long as the run; inih's buffer does not */
        if (!(*(const char **)f = ini ? keep(S, v) : v)) {
            snprintf(err, n, "out of memory");
            return -1;
        }
        return 0;
    case T_FORMAT:
    case T_GENFMT:
        if (!tqo_format_parse(v, (tqo_format *)f) || (o->type == T_GENFMT && *(tqo_format *)f == TQO_FORMAT_AUTO)) {
            snprintf(err, n, "'%s' is not %s", v, o->type == T_GENFMT ? "tqo or commdis" : "tqo, commdis or auto");
            return -1;
        }
        return 0;
    case T_OBJECTIVE: {
        static const char *const names[] = {"moment", "diameter", "center"};
        if ((k = set_choice(v, names, 3, "moment, diameter or center", err, n)) < 0)
            return -1;
        *(int *)f = k;
        return 0;
    }
    case T_FAIRNESS: {
        static const char *const names[] = {"sum", "minimax"};
        if ((k = set_choice(v, names, 2, "sum or minimax", err, n)) < 0)
            return -1;
        *(int *)f = k;
        return 0;
    }
    case T_METHOD: {
        static const char *const names[] = {"last", "trend", "holt", "auto", "damped", "seasonal", "shrink"};
        if ((k = set_choice(v, names, 7, "last, trend, holt, damped, seasonal, shrink or auto", err, n)) < 0)
            return -1;
        *(const char **)f = names[k];
        return 0;
    }
    case T_GRANULARITY: {
        static const char *const names[] = {"year", "yearly", "quarter", "quarterly", "month", "monthly"};
        static const tqo_period_kind kinds[] = {TQO_PERIOD_YEAR, TQO_PERIOD_YEAR, TQO_PERIOD_QUARTER,
                                                TQO_PERIOD_QUARTER, TQO_PERIOD_MONTH, TQO_PERIOD_MONTH};
        if ((k = set_choice(v, names, 6, "one of year, quarter, month", err, n)) < 0)
            return -1;
        *(tqo_period_kind *)f = kinds[k];
        return 0;
    }
    case T_BALANCE: return set_balance(S, o, v, ini, err, n);
    case T_CURVE: {
        tqo_payout_curve c;
        if (tqo_payout_parse(v, &c, err, n) != 0)
            return -1;
        if (!(*(const char **)f = ini ? keep(S, v) : v)) {
            snprintf(err, n, "out of memory");
            return -1;
        }
        return 0;
    }
    }
    return -1;
}

/* plan.ini has no quoting: inih strips the spaces around a value, ends it
   at a ';' that follows a space and reads lines of at most ini_max_line
   bytes. A setting that plan.ini could not carry back is refused here, from
   either source, so that the plan.ini tqo writes always reads back the same. */
static int ini_storable(const cli_option *o, const char *v, char *err, size_t n)
{
    size_t len = strlen(v);
    const char *why = NULL;
    /* "key = value\n" and inih's terminating NUL must fit in its line */
    if (strlen(o->key) + 3 + len + 2 > (size_t)ini_max_line || len + 1 >= CLI_VALUE_MAX)
        why = "is too long for a plan.ini line";
    else if (len && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[len - 1])))
        why = "starts or ends with a space, which plan.ini drops";
    else if (strpbrk(v, "\r\n"))
        why = "holds a line break";
    else if (v[0] == ';' || v[0] == '#')
        why = "starts with a comment sign";
    for (const char *p = v; !why && (p = strchr(p, ';')) != NULL; p++)
        if (p > v && isspace((unsigned char)p[-1]))
            why = "has a ';' after a space, which starts a comment in plan.ini";
    if (!why)
        return 0;
    snprintf(err, n, "'%.60s%s' %s", v, len > 60 ? "..." : "", why);
    return -1;
}

int cli_option_set(cli_settings *S, const cli_option *o, const char *v, int ini, char *err, size_t n)
{
    if (option_store(S, o, v, ini, err, n) != 0)
        return -1;
    if (!o->section || cli_option_omitted(S, o))
        return 0;
    char text[CLI_VALUE_MAX];
    cli_option_format(S, o, text, sizeof text);
    return ini_storable(o, text, err, n);
}

static int is_unset_value(const cli_option *o, double d)
{
    if (!o->unset || o->type == T_STRING)
        return 0;
    if (isnan(o->unset_value))
        return isnan(d);
    /* a target is "none" at 0; a move cap at any negative value */
    return o->unset_value < 0 ? d < 0 : !(d > o->unset_value) || d == o->unset_value;
}

int cli_option_omitted(const cli_settings *S, const cli_option *o)
{
    if (o->off == offsetof(cli_settings, align.search_rounds)) /* plan.ini as before unless given */
        return S->align.search_rounds == 0;
    return o->type == T_OBJECTIVE && S->align.objective == TQO_OBJECTIVE_MOMENT;
}

void cli_option_format(const cli_settings *S, const cli_option *o, char *buf, size_t n)
{
    const void *f = (const char *)S + o->off;
    buf[0] = 0;
    switch (o->type) {
    case T_FLAG:
    case T_BOOL: snprintf(buf, n, "%s", *(const int *)f ? "true" : "false"); break;
    case T_INT:
        if (is_unset_value(o, *(const int *)f))
            snprintf(buf, n, "%s", o->unset);
        else
            snprintf(buf, n, "%d", *(const int *)f);
        break;
    case T_U64: snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)f); break;
    case T_DOUBLE:
        if (is_unset_value(o, *(const double *)f))
            snprintf(buf, n, "%s", o->unset);
        else
            tqo_format_double(*(const double *)f, buf, n);
        break;
    case T_STRING:
    case T_CURVE:
    case T_METHOD: {
        const char *s = *(const char *const *)f;
        snprintf(buf, n, "%s", s ? s : o->unset ? o->unset : "");
        break;
    }
    case T_FAIRNESS: snprintf(buf, n, "%s", *(const int *)f ? "minimax" : "sum"); break;
    case T_OBJECTIVE: {
        int k = *(const int *)f;
        snprintf(buf, n, "%s", k == TQO_OBJECTIVE_DIAMETER ? "diameter" : k == TQO_OBJECTIVE_CENTER ? "center" : "moment");
        break;
    }
    case T_FORMAT:
    case T_GENFMT: snprintf(buf, n, "%s", tqo_format_name(*(const tqo_format *)f)); break;
    case T_GRANULARITY: {
        tqo_period_kind g = *(const tqo_period_kind *)f;
        snprintf(buf, n, "%s", g == TQO_PERIOD_YEAR ? "year" : g == TQO_PERIOD_MONTH ? "month" : "quarter");
        break;
    }
    case T_BALANCE: {
        size_t used = 0;
        for (int b = 0; b < S->align.n_balance && used < n; b++) {
            char t[40];
            tqo_format_double(S->align.balance_tol_pct[b], t, sizeof t);
            used += (size_t)snprintf(buf + used, n - used, "%s%s:%s", b ? ", " : "", S->align.balance[b], t);
        }
        if (!S->align.n_balance)
            snprintf(buf, n, "none");
        break;
    }
    }
}
