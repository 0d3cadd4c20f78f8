/*
 * tqo plan: the fiscal year's job in one command. Align, then set quotas
 * on the new territories, then compare quota scenarios, each step's files
 * in its own sub-folder of OUT (the later steps read the earlier ones'),
 * then OUT/plan.ini with every value used and OUT/report.html.
 *
 * Every setting is a key of one table below: the same entry parses it from
 * the config file (read with inih) and from the command line (which wins),
 * documents it in --help and writes it back to plan.ini, so the three can
 * never disagree and `tqo plan INSTANCE --config OUT/plan.ini` repeats a
 * run exactly.
 */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"
#include "quota/forecast.h"
#include "util/json_writer.h"
#include "report/report_html.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_CURVE "50:0;100:100;150:250;200:250"
#define MAX_POOL 256

typedef struct plan {
    tqo_load_settings load;
    tqo_align_settings align;
    tqo_quota_settings quota;
    const char *region_targets;
    const char *write_lp, *write_mps;
    const char *scenarios;
    int replicates;
    double incentive;
    const char *curve;
    const char *choose;
    uint64_t seed;
    int threads;
    int balance_append;    /* after the first --balance (which replaces the
                              config's), each adds a measure */
    char *pool[MAX_POOL];  /* strings owned by the plan */
    int n_pool;
} plan;

typedef enum kind { K_INT, K_SEED, K_DBL, K_OPT, K_STR, K_ADJ, K_BOOL, K_BAL, K_FAIR, K_FORMAT, K_CURVE, K_METHOD } kind;

typedef struct key {
    const char *section, *name;
    kind k;
    size_t off;
    double lo, hi;
    const char *help;
} key;

#define F(m) offsetof(plan, m)
static const key KEYS[] = {
    {"input", "format", K_FORMAT, F(load.format), 0, 0, "tqo (a folder), commdis (one file) or auto"},
    {"input", "adjacency", K_ADJ, F(load.adjacency), 0, 0, "instance (its adjacency.csv), a CSV of unit pairs, delaunay or none"},
    {"align", "k", K_INT, F(align.k), 0, 1e7, "territories to draw without home bases (0: the instance's)"},
    {"align", "balance", K_BAL, F(align), 0, 100, "COL:TOL[, COL:TOL...]: measures to balance within TOL percent"},
    {"align", "weight", K_STR, F(align.weight), 0, 0, "compactness weight measure (default: the first balanced)"},
    {"align", "allow_splits", K_BOOL, F(align.allow_splits), 0, 0, "units may be shared between territories"},
    {"align", "max_distance", K_DBL, F(align.max_distance_km), 0, 1e9, "no unit farther than this from its centre (0: none)"},
    {"align", "max_moves", K_DBL, F(align.max_moves_pct), -1, 100, "move at most this percent from the current plan (-1: no cap)"},
    {"align", "disruption_weight", K_DBL, F(align.disruption_weight), 0, 1e12, "objective weight of moved measure"},
    {"align", "contiguity", K_BOOL, F(align.contiguity), 0, 0, "keep territories connected when there is adjacency"},
    {"align", "exact", K_BOOL, F(align.exact), 0, 0, "solve the whole assignment as one MIP"},
    {"align", "time_limit", K_DBL, F(align.time_limit), 0, 1e9, "seconds for exact (0: none)"},
    {"align", "candidates", K_INT, F(align.candidates), 1, 100000, "nearest centres per unit in the first LP"},
    {"align", "starts", K_INT, F(align.starts), 1, 1000, "starts when centres are placed"},
    {"align", "write_lp", K_STR, F(write_lp), 0, 0, "also write the allocation model in CPLEX LP format to this file"},
    {"align", "write_mps", K_STR, F(write_mps), 0, 0, "also write the allocation model in free MPS format to this file"},
    {"quota", "value", K_STR, F(quota.value), 0, 0, "history value column"},
    {"quota", "potential", K_STR, F(quota.potential), 0, 0, "a units measure for the potential share"},
    {"quota", "history_until", K_STR, F(quota.history_until), 0, 0, "ignore history after this period (e.g. 2016Q4)"},
    {"quota", "plan_period", K_INT, F(quota.plan_year), 0, 9999, "the plan year (0: after the last complete year)"},
    {"quota", "forecast", K_METHOD, F(quota.method), 0, 0, "last, trend, holt or auto"},
    {"quota", "target", K_OPT, F(quota.target), 1e-9, 1e18, "the company target (none: use growth)"},
    {"quota", "growth", K_OPT, F(quota.growth_pct), -100, 1e6, "growth over the last complete year, percent (none: no quotas unless a target)"},
    {"quota", "over_assign", K_DBL, F(quota.over_assign_pct), -100, 1e6, "quotas add up to target x (1 + this/100)"},
    {"quota", "history_weight", K_DBL, F(quota.history_weight), 0, 1, "weight of the forecast share against potential"},
    {"quota", "min_growth", K_OPT, F(quota.min_growth_pct), -100, 1e6, "floor on each quota against its last year, percent"},
    {"quota", "max_growth", K_OPT, F(quota.max_growth_pct), -100, 1e6, "cap on each quota against its last year, percent"},
    {"quota", "fairness", K_FAIR, F(quota.minimax), 0, 0, "sum or minimax"},
    {"quota", "min_train_years", K_INT, F(quota.min_train_years), 1, 100, "years a backtest fold needs"},
    {"quota", "region_targets", K_STR, F(region_targets), 0, 0, "region,target CSV: regional sums to meet"},
    {"quota", "region_col", K_STR, F(quota.region_col), 0, 0, "units label giving a territory's region"},
    {"scenarios", "scenarios", K_STR, F(scenarios), 0, 0, "scenarios.csv to compare (none: no scenarios)"},
    {"scenarios", "replicates", K_INT, F(replicates), 1, 10000000, "Monte Carlo replicates"},
    {"scenarios", "target_incentive", K_DBL, F(incentive), 0, 1e12, "paid per territory at 100% attainment"},
    {"scenarios", "payout_curve", K_CURVE, F(curve), 0, 0, "attainment%:payout% points"},
    {"scenarios", "choose", K_STR, F(choose), 0, 0, "the scenario listed first in the report"},
    {"run", "seed", K_SEED, F(seed), 0, 0, "random seed (alignment starts, Monte Carlo)"},
    {"run", "threads", K_INT, F(threads), 1, 1024, "threads (the files are the same for any number)"},
};
#undef F
#define N_KEYS ((int)(sizeof KEYS / sizeof KEYS[0]))
static const char *const SECTIONS[] = {"input", "align", "quota", "scenarios", "run"};

static void *field(plan *P, const key *k) { return (char *)P + k->off; }

static const char *keep(plan *P, const char *s)
{
    if (!s || P->n_pool == MAX_POOL)
        return NULL;
    char *c = strdup(s);
    if (c)
        P->pool[P->n_pool++] = c;
    return c;
}

static void plan_free(plan *P)
{
    for (int k = 0; k < P->n_pool; k++)
        free(P->pool[k]);
    P->n_pool = 0;
}

static void plan_default(plan *P)
{
    memset(P, 0, sizeof *P);
    tqo_load_settings_default(&P->load);
    tqo_align_settings_default(&P->align);
    P->align.n_balance = 0; /* from the instance unless given */
    tqo_quota_settings_default(&P->quota);
    P->replicates = 1000;
    P->incentive = 10000;
    P->curve = DEFAULT_CURVE;
    P->seed = 1;
    P->threads = 1;
}

static int is_none(const char *v) { return !*v || strcasecmp(v, "none") == 0; }

static int parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == v || *end || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

/* "accounts:10, population:5" (tolerance default 5) into the settings. */
static int set_balance(plan *P, const char *v, double lo, double hi, char *err, size_t n)
{
    tqo_align_settings *s = &P->align;
    if (!P->balance_append)
        s->n_balance = 0;
    char *copy = strdup(v);
    if (!copy) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ", \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, ", \t", &save)) {
        char *colon = strrchr(tok, ':');
        double tol = 5;
        if (colon) {
            *colon = 0;
            if (parse_double(colon + 1, &tol) != 0 || tol < lo || tol > hi) {
                snprintf(err, n, "'%s': the tolerance of '%s' is not a percentage in [0, 100]", v, tok);
                rc = -1;
                break;
            }
        }
        if (!*tok || s->n_balance == TQO_MAX_BALANCE) {
            snprintf(err, n, "'%s': %s", v, *tok ? "too many measures" : "a tolerance without a measure");
            rc = -1;
            break;
        }
        for (int b = 0; b < s->n_balance; b++)
            if (strcasecmp(s->balance[b], tok) == 0) {
                snprintf(err, n, "'%s': measure '%s' given twice", v, tok);
                rc = -1;
            }
        s->balance[s->n_balance] = keep(P, tok);
        s->balance_tol_pct[s->n_balance++] = tol;
    }
    free(copy);
    return rc;
}

/* Sets key k from text v; on error a reason in err. */
static int set_key(plan *P, const key *k, const char *v, char *err, size_t n)
{
    void *f = field(P, k);
    double d;
    switch (k->k) {
    case K_INT:
    case K_DBL:
    case K_OPT:
        if (k->k == K_OPT && is_none(v)) {
            /* the target's "none" is 0, the others' NAN */
            *(double *)f = k->off == offsetof(plan, quota.target) ? 0 : NAN;
            return 0;
        }
        if (parse_double(v, &d) != 0) {
            snprintf(err, n, "'%s' is not a number", v);
            return -1;
        }
        if (d < k->lo || d > k->hi || (k->k == K_INT && d != floor(d))) {
            snprintf(err, n, "%s is not %s in [%g, %g]", v, k->k == K_INT ? "a whole number" : "a number", k->lo,
                     k->hi);
            return -1;
        }
        if (k->k == K_INT)
            *(int *)f = (int)d;
        else
            *(double *)f = d;
        return 0;
    case K_SEED: {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(v, &end, 10);
        if (end == v || *end || errno || v[0] == '-') {
            snprintf(err, n, "'%s' is not a non-negative whole number", v);
            return -1;
        }
        *(uint64_t *)f = u;
        return 0;
    }
    case K_STR:
        *(const char **)f = is_none(v) ? NULL : keep(P, v);
        return 0;
    case K_ADJ: /* here "none" is a value: no adjacency */
        *(const char **)f = !*v || strcasecmp(v, "instance") == 0 ? NULL : keep(P, v);
        return 0;
    case K_BOOL:
        if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on"))
            *(int *)f = 1;
        else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") || !strcasecmp(v, "off"))
            *(int *)f = 0;
        else {
            snprintf(err, n, "'%s' is not true or false", v);
            return -1;
        }
        return 0;
    case K_BAL: return set_balance(P, v, k->lo, k->hi, err, n);
    case K_FAIR:
        if (strcmp(v, "sum") && strcmp(v, "minimax")) {
            snprintf(err, n, "'%s' is not sum or minimax", v);
            return -1;
        }
        *(int *)f = strcmp(v, "minimax") == 0;
        return 0;
    case K_FORMAT:
        if (!tqo_format_parse(v, (tqo_format *)f)) {
            snprintf(err, n, "'%s' is not tqo, commdis or auto", v);
            return -1;
        }
        return 0;
    case K_CURVE: {
        tqo_payout_curve c;
        if (tqo_payout_parse(v, &c, err, n) != 0)
            return -1;
        *(const char **)f = keep(P, v);
        return 0;
    }
    case K_METHOD: {
        forecast_method m;
        if (!forecast_method_parse(v, &m)) {
            snprintf(err, n, "'%s' is not last, trend, holt or auto", v);
            return -1;
        }
        *(const char **)f = forecast_method_name(m);
        return 0;
    }
    }
    return -1;
}

/* Key k's value as plan.ini writes it. */
static void format_key(const plan *P, const key *k, char *buf, size_t n)
{
    const void *f = (const char *)P + k->off;
    buf[0] = 0;
    switch (k->k) {
    case K_INT: snprintf(buf, n, "%d", *(const int *)f); break;
    case K_SEED: snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)f); break;
    case K_DBL: jw_format_double(*(const double *)f, buf, n); break;
    case K_OPT: {
        double d = *(const double *)f;
        if (isnan(d) || (k->off == offsetof(plan, quota.target) && !(d > 0)))
            snprintf(buf, n, "none");
        else
            jw_format_double(d, buf, n);
        break;
    }
    case K_STR:
    case K_CURVE:
    case K_METHOD: snprintf(buf, n, "%s", *(const char *const *)f ? *(const char *const *)f : "none"); break;
    case K_ADJ: snprintf(buf, n, "%s", *(const char *const *)f ? *(const char *const *)f : "instance"); break;
    case K_BOOL: snprintf(buf, n, "%s", *(const int *)f ? "true" : "false"); break;
    case K_FAIR: snprintf(buf, n, "%s", *(const int *)f ? "minimax" : "sum"); break;
    case K_FORMAT: snprintf(buf, n, "%s", tqo_format_name(*(const tqo_format *)f)); break;
    case K_BAL: {
        size_t used = 0;
        for (int b = 0; b < P->align.n_balance && used < n; b++) {
            char t[40];
            jw_format_double(P->align.balance_tol_pct[b], t, sizeof t);
            used += (size_t)snprintf(buf + used, n - used, "%s%s:%s", b ? ", " : "", P->align.balance[b], t);
        }
        if (!P->align.n_balance)
            snprintf(buf, n, "none");
        break;
    }
    }
}

/* Key k's command-line name: history_until is --history-until. */
static void option_name(const key *k, char *buf, size_t n)
{
    snprintf(buf, n, "%s", k->name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = '-';
}

static const key *find_key(const char *section, const char *name)
{
    char norm[64];
    snprintf(norm, sizeof norm, "%s", name);
    for (char *c = norm; *c; c++)
        if (*c == '-')
            *c = '_';
    for (int i = 0; i < N_KEYS; i++)
        if ((!section || strcmp(KEYS[i].section, section) == 0) && strcasecmp(KEYS[i].name, norm) == 0)
            return &KEYS[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The config file                                                     */
/* ------------------------------------------------------------------ */

typedef struct ini_ctx {
    plan *P;
    const char *path;
    FILE *fp;
    int line;        /* the line inih is on: our reader counts them */
    int n_errors;
} ini_ctx;

static char *config_reader(char *str, int num, void *stream)
{
    ini_ctx *c = stream;
    char *r = fgets(str, num, c->fp);
    if (r)
        c->line++;
    return r;
}

static int ini_error(ini_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tqo: error: %s:%d: %s\n", c->path, c->line, msg);
    c->n_errors++;
    return 1; /* keep reading: report every error at once */
}

static int config_entry(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;
    int known = 0;
    for (size_t s = 0; s < sizeof SECTIONS / sizeof *SECTIONS; s++)
        known |= strcmp(section, SECTIONS[s]) == 0;
    if (!known)
        return ini_error(c, "unknown section [%s] (sections: input, align, quota, scenarios, run)", section);
    const key *k = find_key(section, name);
    if (!k)
        return ini_error(c, "key '%s': not a setting of [%s] (see 'tqo plan --help')", name, section);
    char err[300];
    if (set_key(c->P, k, value, err, sizeof err) != 0)
        return ini_error(c, "key '%s': %s", name, err);
    return 1;
}

static int read_config(plan *P, const char *path)
{
    ini_ctx c = {P, path, fopen(path, "r"), 0, 0};
    if (!c.fp) {
        fprintf(stderr, "tqo: error: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int r = ini_parse_stream(config_reader, &c, config_entry, &c);
    fclose(c.fp);
    if (r > 0 && !c.n_errors) /* inih's own syntax errors: a line that is no key = value nor [section] */
        fprintf(stderr, "tqo: error: %s:%d: not a 'key = value' line nor a [section]\n", path, r);
    return r != 0 || c.n_errors ? -1 : 0;
}

static void write_config(FILE *f, const plan *P, const char *instance)
{
    fprintf(f, "; tqo plan settings, every value used: repeat the run with\n"
               ";   tqo plan %s --config THIS_FILE -o OUT\n",
            instance);
    const char *sec = "";
    for (int i = 0; i < N_KEYS; i++) {
        if (strcmp(sec, KEYS[i].section) != 0) {
            sec = KEYS[i].section;
            fprintf(f, "\n[%s]\n", sec);
        }
        char v[1024];
        format_key(P, &KEYS[i], v, sizeof v);
        fprintf(f, "%s = %s\n", KEYS[i].name, v);
    }
}

/* ------------------------------------------------------------------ */
/* The command line                                                    */
/* ------------------------------------------------------------------ */

static void usage(FILE *fp)
{
    fputs("usage: tqo plan INSTANCE -o OUT [--config plan.ini] [options]\n"
          "\n"
          "The year's plan in one run: tqo align, then tqo quota on the new territories\n"
          "(when a target or growth is given and the instance has history), then\n"
          "tqo scenarios (when a scenarios file is given). Each step writes its files to\n"
          "OUT/align, OUT/quota and OUT/scenarios; OUT/plan.ini gets every value used\n"
          "(tqo plan INSTANCE --config OUT/plan.ini -o OUT2 repeats the run, byte for\n"
          "byte) and OUT/report.html the planning report.\n"
          "\n"
          "Every setting below can be given in the config file, as 'name = value' in its\n"
          "[section], or on the command line as --name VALUE (dashes or underscores);\n"
          "the command line wins. Optional numbers take 'none'.\n"
          "\n"
          "  -o, --out DIR           output folder (required)\n"
          "      --config FILE       read settings from an INI file\n"
          "  -q, --quiet             print nothing but warnings, errors and the report path\n"
          "  -h, --help              this help\n",
          fp);
    plan def;
    plan_default(&def);
    const char *sec = "";
    for (int i = 0; i < N_KEYS; i++) {
        if (strcmp(sec, KEYS[i].section) != 0) {
            sec = KEYS[i].section;
            fprintf(fp, "\n[%s]\n", sec);
        }
        char opt[48], v[256];
        option_name(&KEYS[i], opt, sizeof opt);
        format_key(&def, &KEYS[i], v, sizeof v);
        fprintf(fp, "  %s--%-19s %s", strcmp(KEYS[i].name, "k") == 0 ? "-k, " : "    ", opt, KEYS[i].help);
        if (!strstr(KEYS[i].help, "default"))
            fprintf(fp, " (default %s)", strcmp(KEYS[i].name, "balance") == 0 ? "the first measure at 5" : v);
        fputc('\n', fp);
    }
}

/* getopt options from the key table, plus the command line's own. */
enum { O_CONFIG = 900, O_KEY = 1000 };

static struct option *make_options(void)
{
    static char dashed[N_KEYS][48]; /* --history-until for history_until */
    struct option *o = calloc((size_t)N_KEYS + 5, sizeof *o);
    if (!o)
        return NULL;
    int n = 0;
    o[n++] = (struct option){"out", required_argument, NULL, 'o'};
    o[n++] = (struct option){"config", required_argument, NULL, O_CONFIG};
    o[n++] = (struct option){"quiet", no_argument, NULL, 'q'};
    o[n++] = (struct option){"help", no_argument, NULL, 'h'};
    for (int i = 0; i < N_KEYS; i++) {
        option_name(&KEYS[i], dashed[i], sizeof dashed[i]);
        /* --allow-splits and friends are bare flags (or --exact=false) */
        o[n++] = (struct option){dashed[i], KEYS[i].k == K_BOOL ? optional_argument : required_argument, NULL,
                                 O_KEY + i};
    }
    return o;
}

/* Writes to OUT/<name> through an output set: all or nothing. */
static tqo_status write_plan_files(const char *out, const plan *P, const char *instance, const report_input *rin,
                                   tqo_diag *diag)
{
    tqo_outset *o = tqo_outset_new(out);
    FILE *fi = o ? tqo_outset_open(o, "plan.ini") : NULL;
    FILE *fr = fi ? tqo_outset_open(o, "report.html") : NULL;
    if (!fr) {
        tqo_diag_error(diag, "%s: cannot write plan.ini and report.html", out);
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    write_config(fi, P, instance);
    tqo_status st = report_html_write(fr, rin, diag);
    if (st != TQO_OK) {
        tqo_outset_abort(o);
        return st;
    }
    return tqo_outset_commit(o, diag);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Collects the steps' warnings for the report, in plain words. */
typedef struct warn_list {
    int n;
    char *w[64];
} warn_list;

static void take_warnings(warn_list *W, const tqo_diag *d)
{
    for (int i = 0; i < d->n_msgs && W->n < 64; i++)
        if (!d->is_error[i])
            W->w[W->n++] = strdup(d->msgs[i]);
}

static int run_plan(plan *P, const char *instance, const cli_common *cc)
{
    double t0 = now_s();
    tqo_diag diag;
    tqo_diag_init(&diag);
    warn_list W = {0};
    tqo_instance *inst = NULL;
    tqo_align_result ar;
    tqo_quota_result qr;
    tqo_scenarios_result sr;
    tqo_assignment asg;
    memset(&ar, 0, sizeof ar);
    memset(&qr, 0, sizeof qr);
    memset(&sr, 0, sizeof sr);
    memset(&asg, 0, sizeof asg);
    tqo_scenario *sc = NULL;
    int n_sc = 0, have_quota = 0, have_scen = 0;
    char *dir_align = join(cc->out, "align"), *dir_quota = join(cc->out, "quota"),
         *dir_scen = join(cc->out, "scenarios"), *asg_path = dir_align ? join(dir_align, "assignment.csv") : NULL;
    if (!dir_align || !dir_quota || !dir_scen || !asg_path) {
        free(dir_align);
        free(dir_quota);
        free(dir_scen);
        free(asg_path);
        return CLI_EXIT_FAIL;
    }
    cli_common quiet = *cc;
    P->load.log = cli_log;
    P->load.log_ctx = &quiet;
    tqo_status st = tqo_instance_load(instance, &P->load, &inst, &diag);

    /* 1. Alignment. */
    double t1 = now_s();
    if (st == TQO_OK)
        st = cli_align_defaults(inst, &P->align, 5, cc->quiet, &diag);
    if (st == TQO_OK) {
        P->align.seed = P->seed;
        P->align.threads = P->threads;
        P->align.stable_summary = 1; /* plan's files are the same run after run */
        P->align.log = cli_log;
        P->align.log_ctx = &quiet;
        st = tqo_align(inst, &P->align, &ar, &diag);
        if (st == TQO_OK)
            st = tqo_align_write(inst, &P->align, &ar, dir_align, &diag);
        if (st == TQO_OK && P->write_lp)
            st = tqo_align_write_model(inst, &P->align, &ar, P->write_lp, 0, &diag);
        if (st == TQO_OK && P->write_mps)
            st = tqo_align_write_model(inst, &P->align, &ar, P->write_mps, 1, &diag);
    }
    double t_align = now_s() - t1;
    take_warnings(&W, &diag);
    cli_print_diag(&diag);
    if (st == TQO_OK && !cc->quiet)
        printf("align        %d territories, gap %.2f%%, %s (%.1f s) -> %s/\n", ar.n_territories, 100 * ar.gap,
               !inst->has_adjacency || !P->align.contiguity ? "no contiguity asked"
               : ar.n_exceptions                            ? "connected but for reported islands"
                                                            : "every territory connected",
               t_align, dir_align);

    /* 2. Quotas, on the territories just drawn (read back from their file,
       as tqo quota --assignment would). */
    int want_quota = P->quota.target > 0 || isfinite(P->quota.growth_pct);
    double t_quota = 0;
    if (st == TQO_OK && want_quota && !inst->n_periods) {
        tqo_diag_warning(&diag, "no quotas: the instance has no history");
        want_quota = 0;
    }
    if (st == TQO_OK && (want_quota || P->scenarios)) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        st = tqo_assignment_load(asg_path, inst, &asg, &diag);
    }
    cli_region_targets R = {0};
    R.path = P->region_targets;
    if (st == TQO_OK && (want_quota || P->scenarios))
        st = cli_region_targets_load(&R, &P->quota, &diag);
    if (st == TQO_OK && want_quota) {
        t1 = now_s();
        st = tqo_quota(inst, &asg, &P->quota, &qr, &diag);
        /* the assignment as a path relative to OUT: the same files from any OUT */
        if (st == TQO_OK)
            st = tqo_quota_write(inst, &P->quota, &qr, "align/assignment.csv", dir_quota, &diag);
        have_quota = st == TQO_OK;
        t_quota = now_s() - t1;
        if (have_quota && !cc->quiet) {
            int nb = 0;
            for (int j = 0; j < qr.n_territories; j++)
                nb += qr.bound[j] != 0;
            printf("quota        plan year %d, target %.2f, forecast %s, %d at a bound (%.1f s) -> %s/\n",
                   qr.plan_year, qr.total, qr.method, nb, t_quota, dir_quota);
        }
    }
    take_warnings(&W, &diag);
    cli_print_diag(&diag);

    /* 3. Scenarios. */
    tqo_scenario_settings ss;
    tqo_scenario_settings_default(&ss);
    if (st == TQO_OK && P->scenarios) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        tqo_payout_curve curve;
        char why[200];
        tqo_payout_parse(P->curve, &curve, why, sizeof why); /* checked when set */
        ss.base = P->quota;
        ss.replicates = P->replicates;
        ss.seed = P->seed;
        ss.threads = P->threads;
        t1 = now_s();
        st = tqo_scenarios_load(P->scenarios, &P->quota, P->incentive, &curve, &sc, &n_sc, &diag);
        if (st == TQO_OK)
            st = tqo_scenarios(inst, &asg, sc, n_sc, &ss, &sr, &diag);
        if (st == TQO_OK)
            st = tqo_scenarios_write(sc, &ss, &sr, dir_scen, &diag);
        if (st == TQO_OK && P->choose) {
            int found = 0;
            for (int k = 0; k < n_sc; k++)
                found |= strcmp(sc[k].name, P->choose) == 0;
            if (!found)
                tqo_diag_warning(&diag, "choose: no scenario named '%s' in %s", P->choose, P->scenarios);
        }
        have_scen = st == TQO_OK;
        if (have_scen && !cc->quiet) {
            int ne = 0;
            for (int k = 0; k < n_sc; k++)
                ne += sr.efficient[k];
            printf("scenarios    %d x %d replicates, %d Pareto-efficient (%.1f s) -> %s/\n", n_sc, sr.replicates,
                   ne, now_s() - t1, dir_scen);
        }
        take_warnings(&W, &diag);
        cli_print_diag(&diag);
    }

    /* 4. plan.ini and the report. */
    if (st == TQO_OK) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        const char *pk[N_KEYS], *pv[N_KEYS];
        char vals[N_KEYS][256];
        for (int i = 0; i < N_KEYS; i++) {
            static char names[N_KEYS][80];
            snprintf(names[i], sizeof names[i], "%s.%s", KEYS[i].section, KEYS[i].name);
            format_key(P, &KEYS[i], vals[i], sizeof vals[i]);
            pk[i] = names[i];
            pv[i] = vals[i];
        }
        char title[512];
        snprintf(title, sizeof title, "tqo plan: %s", inst->source);
        report_input rin = {.title = title,
                            .inst = inst,
                            .align_settings = &P->align,
                            .align = &ar,
                            .quota_settings = have_quota ? &P->quota : NULL,
                            .quota = have_quota ? &qr : NULL,
                            .scenarios = have_scen ? sc : NULL,
                            .n_scenarios = have_scen ? n_sc : 0,
                            .scenario_settings = have_scen ? &ss : NULL,
                            .scen = have_scen ? &sr : NULL,
                            .chosen_scenario = P->choose,
                            .n_params = N_KEYS,
                            .param_key = pk,
                            .param_value = pv,
                            .n_warnings = W.n,
                            .warnings = (const char *const *)W.w};
        st = write_plan_files(cc->out, P, instance, &rin, &diag);
        cli_print_diag(&diag);
    }
    if (st == TQO_OK)
        printf("%sreport: %s/report.html (%.1f s in all)\n", cc->quiet ? "" : "\n", cc->out, now_s() - t0);
    for (int k = 0; k < W.n; k++)
        free(W.w[k]);
    cli_region_targets_free(&R);
    tqo_scenarios_result_free(&sr);
    tqo_scenarios_free(sc, n_sc);
    tqo_quota_result_free(&qr);
    tqo_assignment_free(&asg);
    tqo_align_result_free(&ar);
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    free(dir_align);
    free(dir_quota);
    free(dir_scen);
    free(asg_path);
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}

int cli_plan(int argc, char **argv)
{
    plan P;
    plan_default(&P);
    struct option *opts = make_options();
    if (!opts)
        return CLI_EXIT_FAIL;
    cli_common cc = {0};
    const char *config = NULL;
    int rc = CLI_EXIT_INPUT, c;
    /* First pass: the config file, read before the options that override it. */
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhk:", opts, NULL)) != -1) {
        if (c == O_CONFIG)
            config = optarg;
        if (c == 'h') {
            usage(stdout);
            free(opts);
            return CLI_EXIT_OK;
        }
    }
    if (config && read_config(&P, config) != 0)
        goto out;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qhk:", opts, NULL)) != -1) {
        const key *k = NULL;
        if (c == 'k')
            k = find_key("align", "k");
        else if (c >= O_KEY && c < O_KEY + N_KEYS)
            k = &KEYS[c - O_KEY];
        if (k) {
            const char *v = optarg ? optarg : "true"; /* a bare flag */
            char err[300];
            if (set_key(&P, k, v, err, sizeof err) != 0) {
                cli_usage_error("plan: option '--%s': %s", k->name, err);
                goto out;
            }
            if (k->k == K_BAL)
                P.balance_append = 1;
            continue;
        }
        switch (c) {
        case 'o': cc.out = optarg; break;
        case 'q': cc.quiet = 1; break;
        case O_CONFIG: break;
        case ':': cli_usage_error("plan: option '%s' needs a value", argv[optind - 1]); goto out;
        default: cli_usage_error("plan: unknown option '%s' (see 'tqo plan --help')", argv[optind - 1]); goto out;
        }
    }
    if (optind != argc - 1) {
        cli_usage_error("plan: expected one INSTANCE (see 'tqo plan --help')");
        goto out;
    }
    if (!cc.out) {
        cli_usage_error("plan: missing output folder (-o OUT)");
        goto out;
    }
    if (!isnan(P.quota.min_growth_pct) && !isnan(P.quota.max_growth_pct) &&
        P.quota.min_growth_pct > P.quota.max_growth_pct) {
        cli_usage_error("plan: min_growth %g is above max_growth %g", P.quota.min_growth_pct, P.quota.max_growth_pct);
        goto out;
    }
    rc = run_plan(&P, argv[optind], &cc);
out:
    free(opts);
    plan_free(&P);
    return rc;
}
