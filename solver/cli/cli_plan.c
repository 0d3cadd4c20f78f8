/*
 * tqo plan: the fiscal year's job in one command. Align, then set quotas
 * on the new territories, then compare quota scenarios, each step's files
 * in its own sub-folder of OUT (the later steps take the earlier ones'
 * results in memory),
 * then OUT/plan.ini with every value used and OUT/report.html.
 *
 * Every setting is a row of the option table of every command
 * (cli/options.c): the same row parses it from the config file (read with
 * inih) and from the command line (which wins), documents it in --help and
 * writes it back to plan.ini, so the three can never disagree and
 * `tqo plan INSTANCE --config OUT/plan.ini` repeats a run exactly.
 */
#include "cli/cli_common.h"
#include "cli/cli_quota_opts.h"
#include "cli/cli_serve.h"
#include "cli/cli_signal.h"
#include "cli/cli_sweep.h"
#include "cli/options.h"

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

typedef cli_settings plan; /* every setting, from the option table of cli/options.c */

/* Writes to OUT/<name> through an output set: all or nothing. */
static tqo_status write_plan_files(const char *out, const plan *P, const char *instance, const tqo_report_input *rin,
                                   tqo_diag *diag)
{
    tqo_outset *o = tqo_outset_new(out);
    FILE *fi = o ? tqo_outset_open(o, "plan.ini") : NULL;
    FILE *fr = fi ? tqo_outset_open(o, "report.html") : NULL;
    if (!fr) {
        tqo_diag_error(diag, "%s: cannot write plan.ini and report.html: %s", out, strerror(errno));
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    cli_config_write(fi, P, instance);
    tqo_status st = tqo_report_write(fr, rin, diag);
    if (st != TQO_OK) {
        tqo_outset_abort(o);
        return st;
    }
    return tqo_outset_commit(o, diag);
}

/* a/b into buf of 4500 bytes (the lengths checked by the caller) */
static void join(char *buf, const char *a, const char *b)
{
    snprintf(buf, 4500, "%s/%s", a, b);
}

/* Collects the steps' warnings for the report, in plain words. */
/* The warnings of every step, for the report: each step's diag is moved
   here whole (no copy that could fail for lack of memory), w[] points into
   them. */
typedef struct warn_list {
    int n, nd;
    const char *w[64];
    tqo_diag d[8];
    char lost[96];
} warn_list;

static void take_warnings(warn_list *W, tqo_diag *d)
{
    int kept = 0;
    for (int i = 0; i < d->n_msgs; i++)
        kept += !d->is_error[i];
    if ((kept == 0 && d->n_warnings == 0) || W->nd == 8)
        return;
    for (int i = 0; i < d->n_msgs && W->n < 64; i++)
        if (!d->is_error[i])
            W->w[W->n++] = d->msgs[i];
    if (d->n_warnings > kept && W->n < 64) { /* util/diag.c could not keep them all */
        snprintf(W->lost, sizeof W->lost, "%d further warning(s) lost for lack of memory", d->n_warnings - kept);
        W->w[W->n++] = W->lost;
    }
    W->d[W->nd++] = *d; /* moved: d starts empty */
    tqo_diag_init(d);
}

/* The report's table of settings: plan.ini's keys and values. */
enum { MAX_KEYS = 64 };
typedef struct report_params {
    const char *key[MAX_KEYS], *value[MAX_KEYS];
    char names[MAX_KEYS][80], vals[MAX_KEYS][256];
} report_params;

static int report_params_fill(report_params *R, const plan *P)
{
    int n = 0;
    for (int i = 0; i < cli_n_options && n < MAX_KEYS; i++) {
        const cli_option *o = &cli_options[i];
        if (!o->section || cli_option_omitted(P, o))
            continue;
        snprintf(R->names[n], sizeof R->names[n], "%s.%s", o->section, o->key);
        cli_option_format(P, o, R->vals[n], sizeof R->vals[n]);
        R->key[n] = R->names[n];
        R->value[n] = R->vals[n];
        n++;
    }
    return n;
}

/* The alignment's line, every claim from its independent check. */
static void print_align(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *ar,
                        tqo_status st, double seconds, const char *dir)
{
    char txt[1024];
    if (st != TQO_OK && ar->n_violated == 0) {
        printf("align        status %s: stopped at a limit (written to %s/; no quotas or scenarios)\n", ar->status,
               dir);
        return;
    }
    if (st != TQO_OK) {
        cli_align_violated(s, ar, txt, sizeof txt);
        printf("align        status %s: breaks %s (written for inspection to %s/; no quotas or scenarios)\n",
               ar->status, txt, dir);
        return;
    }
    char gap[96] = "n/a";
    if (ar->minmax_objective) /* the objective's own value and gap (docs/objectives.md) */
        snprintf(gap, sizeof gap, "%.6g, lower bound %.6g, gap %.2f%%", ar->minmax_value, ar->minmax_lower_bound,
                 100 * ar->minmax_gap);
    else if (isfinite(ar->gap))
        snprintf(gap, sizeof gap, "%.2f%%", 100 * ar->gap);
    const char *cont = txt;
    if (!inst->has_adjacency || !s->contiguity)
        cont = "no contiguity asked";
    else if (ar->n_exceptions == 0)
        cont = "every territory connected";
    else
        snprintf(txt, sizeof txt, "connected but for %d reported island%s", ar->n_exceptions,
                 ar->n_exceptions == 1 ? "" : "s");
    printf("align        %d territories, %s%s, %s (%.1f s) -> %s/\n", ar->n_territories,
           !ar->minmax_objective ? "gap " : ar->minmax_objective == TQO_OBJECTIVE_CENTER ? "center " : "diameter ",
           gap, cont, seconds, dir);
}

/* Step 1: the alignment, written to dir (a plan that breaks a constraint
   too, for inspection, as tqo align does; the run stops there). */
static int plan_inspect; /* the alignment failed but wrote its files: OUT gets them */

static tqo_status plan_align(plan *P, const tqo_instance *inst, const cli_common *cc, cli_common *quiet,
                             tqo_align_result *ar, const char *dir, const char *shown, tqo_diag *diag)
{
    double t1 = cli_now_s();
    tqo_status st = cli_align_defaults(inst, &P->align, 5, cc->quiet, diag);
    int whole = P->write_lp || P->write_mps;
    if (st == TQO_OK && (st = tqo_memory_check_align(inst, &P->align, whole, P->max_memory, diag)) != TQO_OK)
        cli_print_diag(diag); /* refused before the alignment allocates */
    if (st != TQO_OK)
        return st;
    P->align.seed = P->seed;
    P->align.threads = P->threads;
    P->align.stable_summary = 1; /* plan's files are the same run after run */
    P->align.log = cli_log;
    P->align.log_ctx = quiet;
    cli_align_progress pg; /* a terminal's progress line (not with -q or -v) */
    cli_align_progress_attach(&P->align, &pg, cc->quiet || cc->verbose);
    tqo_status ast = st = tqo_align(inst, &P->align, ar, diag);
    cli_align_progress_end(&pg);
    P->align.progress = NULL;
    if (st == TQO_OK || ((st == TQO_ERR_LIMIT || st == TQO_ERR_INFEASIBLE) && ar->unit_start)) {
        tqo_status wst = tqo_align_write(inst, &P->align, ar, dir, diag);
        if (wst != TQO_OK)
            st = wst;
        plan_inspect = wst == TQO_OK && st != TQO_OK;
    }
    if (st == TQO_OK && P->write_lp)
        st = tqo_align_write_model(inst, &P->align, ar, P->write_lp, 0, diag);
    if (st == TQO_OK && P->write_mps)
        st = tqo_align_write_model(inst, &P->align, ar, P->write_mps, 1, diag);
    double seconds = cli_now_s() - t1;
    cli_print_diag(diag);
    if (!cc->quiet && ar->unit_start && ar->status[0] && st == ast)
        print_align(inst, &P->align, ar, ast, seconds, shown);
    return st;
}

/* Step 3: the scenarios of P->scenarios on the new territories. Under
   mpirun every rank comes here (st: its status so far) and takes its share
   of the sweep; rank 0 gets every row and writes. */
static tqo_status plan_scenarios(plan *P, const tqo_instance *inst, const tqo_assignment *asg,
                                 tqo_scenario_settings *ss, tqo_scenario **sc, int *n_sc, tqo_scenarios_result *sr,
                                 const char *dir, tqo_status st, tqo_diag *diag)
{
    tqo_payout_curve curve;
    char why[200];
    tqo_payout_parse(P->curve, &curve, why, sizeof why); /* checked when set */
    ss->base = P->quota;
    ss->replicates = P->replicates;
    ss->seed = P->seed;
    ss->threads = P->threads;
    if (st == TQO_OK)
        st = tqo_scenarios_load(P->scenarios, &P->quota, P->incentive, &curve, sc, n_sc, diag);
    if (st == TQO_OK)
        st = tqo_memory_check_scenarios(inst, asg->n_territories, *n_sc, P->replicates, P->threads, P->max_memory,
                                        diag);
    int rank = cli_mpi_rank();
    if (rank >= 0) {
        cli_sweep w = {inst, asg, *sc, *n_sc, ss, dir, 1};
        st = cli_sweep_mpi(&w, st, sr, diag);
        if (rank > 0)
            return st;
    } else if (st == TQO_OK) {
        st = tqo_scenarios(inst, asg, *sc, *n_sc, ss, sr, diag);
    }
    if (st == TQO_OK)
        st = tqo_scenarios_write(*sc, ss, sr, dir, diag);
    if (st == TQO_OK && P->choose) {
        int found = 0;
        for (int k = 0; k < *n_sc; k++)
            found |= strcmp((*sc)[k].name, P->choose) == 0;
        if (!found)
            tqo_diag_warning(diag, "choose: no scenario named '%s' in %s", P->choose, P->scenarios);
    }
    return st;
}

/*
 * mpirun -n R tqo plan, ranks 1..R-1: they load the instance as rank 0
 * does, wait for its alignment (asleep), take their share of the scenario
 * step and exit; nothing printed but a failure of their own, no files.
 */
static int plan_rank_worker(plan *P, const char *instance)
{
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_assignment asg;
    tqo_scenarios_result sr;
    memset(&asg, 0, sizeof asg);
    memset(&sr, 0, sizeof sr);
    tqo_scenario *sc = NULL;
    int n_sc = 0;
    P->load.log = NULL; /* rank 0 speaks for the job */
    tqo_status st = tqo_instance_load(instance, &P->load, &inst, &diag);
    if (st == TQO_OK)
        st = cli_plan_edits_apply(inst, P, &diag);
    st = cli_mpi_agree(st, &diag);
    cli_region_targets R = {0};
    R.path = P->region_targets;
    if (cli_mpi_plan_handover(0, &asg, &diag)) {
        tqo_scenario_settings ss;
        tqo_scenario_settings_default(&ss);
        st = cli_region_targets_load(&R, &P->quota, &diag);
        st = plan_scenarios(P, inst, &asg, &ss, &sc, &n_sc, &sr, NULL, st, &diag);
    }
    cli_region_targets_free(&R);
    tqo_scenarios_result_free(&sr);
    tqo_scenarios_free(sc, n_sc);
    tqo_assignment_free(&asg);
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}

/* The run, writing under root (a staging folder for tqo plan) and naming
   cc->out in what it prints. */
static int plan_run(plan *P, const char *instance, const cli_common *cc, const char *root)
{
    double t0 = cli_now_s();
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
    char dir_align[4500], dir_quota[4500], dir_scen[4500], shown[4500];
    if (strlen(root) > 4400 || strlen(cc->out) > 4400)
        return cli_usage_error("%s: path too long", cc->out);
    join(dir_align, root, "align"), join(dir_quota, root, "quota"), join(dir_scen, root, "scenarios");
    join(shown, cc->out, "align");
    cli_common quiet = *cc;
    P->load.log = cli_log;
    P->load.log_ctx = &quiet;
    tqo_status st = tqo_memory_check_load(instance, P->max_memory, &diag);
    if (st == TQO_OK)
        st = tqo_instance_load(instance, &P->load, &inst, &diag);
    if (st == TQO_OK)
        st = cli_plan_edits_apply(inst, P, &diag); /* [input] current, locks */
    int rank = cli_mpi_rank(); /* 0 under mpirun: the other ranks are in plan_rank_worker */
    if (rank == 0)
        st = cli_mpi_agree(st, &diag);

    /* 1. Alignment. */
    if (st == TQO_OK)
        st = plan_align(P, inst, cc, &quiet, &ar, dir_align, shown, &diag);
    else
        cli_print_diag(&diag);
    take_warnings(&W, &diag);
    /* printed and taken: the later steps' prints must not repeat them */
    tqo_diag_free(&diag);
    tqo_diag_init(&diag);

    /* 2. Quotas, on the territories just drawn, handed over in memory (the
       same assignment tqo quota --assignment reads from align/assignment.csv). */
    int want_quota = P->quota.target > 0 || isfinite(P->quota.growth_pct);
    double t_quota = 0, t1 = 0;
    if (st == TQO_OK && want_quota && !inst->n_periods) {
        tqo_diag_warning(&diag, "no quotas: the instance has no history");
        want_quota = 0;
    }
    if (st == TQO_OK && (want_quota || P->scenarios)) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        st = tqo_align_assignment(&ar, &asg, &diag);
    }
    cli_region_targets R = {0};
    R.path = P->region_targets;
    if (st == TQO_OK && (want_quota || P->scenarios))
        st = cli_region_targets_load(&R, &P->quota, &diag);
    if (st == TQO_OK && want_quota) {
        t1 = cli_now_s();
        st = tqo_quota(inst, &asg, &P->quota, &qr, &diag);
        /* the assignment as a path relative to OUT: the same files from any OUT */
        if (st == TQO_OK)
            st = tqo_quota_write(inst, &P->quota, &qr, "align/assignment.csv", dir_quota, &diag);
        have_quota = st == TQO_OK;
        t_quota = cli_now_s() - t1;
        if (have_quota && !cc->quiet) {
            int nb = 0;
            for (int j = 0; j < qr.n_territories; j++)
                nb += qr.bound[j] != 0;
            printf("quota        plan year %d, target %.2f, forecast %s, %d at a bound (%.1f s) -> %s/quota/\n",
                   qr.plan_year, qr.total, qr.method, nb, t_quota, cc->out);
        }
    }
    cli_print_diag(&diag);
    take_warnings(&W, &diag);

    /* 3. Scenarios. */
    tqo_scenario_settings ss;
    tqo_scenario_settings_default(&ss);
    if (rank == 0) /* the other ranks wait for this, on every path */
        cli_mpi_plan_handover(st == TQO_OK && P->scenarios, &asg, &diag);
    if (st == TQO_OK && P->scenarios) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        double t3 = cli_now_s();
        st = plan_scenarios(P, inst, &asg, &ss, &sc, &n_sc, &sr, dir_scen, TQO_OK, &diag);
        if (st == TQO_OK && have_quota) { /* the replicates exist now: the quotas' odds */
            tqo_payout_curve curve;
            char why[200];
            tqo_payout_parse(P->curve, &curve, why, sizeof why); /* checked when set */
            st = tqo_quota_summary_add_odds(&qr, &curve, P->incentive, &sr, dir_quota, &diag);
        }
        have_scen = st == TQO_OK;
        if (have_scen && !cc->quiet) {
            int ne = 0;
            for (int k = 0; k < n_sc; k++)
                ne += sr.efficient[k];
            printf("scenarios    %d x %d replicates, %d Pareto-efficient (%.1f s) -> %s/scenarios/\n", n_sc,
                   sr.replicates, ne, cli_now_s() - t3, cc->out);
        }
        cli_print_diag(&diag);
        take_warnings(&W, &diag);
    }

    /* 4. plan.ini and the report. */
    if (st == TQO_OK) {
        tqo_diag_free(&diag);
        tqo_diag_init(&diag);
        report_params prm;
        int n_params = report_params_fill(&prm, P);
        const char **pk = prm.key, **pv = prm.value;
        char title[512];
        snprintf(title, sizeof title, "tqo plan: %s", inst->source);
        tqo_report_input rin = {.title = title,
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
                                .n_params = n_params,
                                .param_key = pk,
                                .param_value = pv,
                                .n_warnings = W.n,
                                .warnings = W.w};
        st = write_plan_files(root, P, instance, &rin, &diag);
        cli_print_diag(&diag);
    }
    if (st == TQO_OK)
        printf("%sreport: %s/report.html (%.1f s in all)\n", cc->quiet ? "" : "\n", cc->out, cli_now_s() - t0);
    for (int k = 0; k < W.nd; k++)
        tqo_diag_free(&W.d[k]);
    cli_region_targets_free(&R);
    tqo_scenarios_result_free(&sr);
    tqo_scenarios_free(sc, n_sc);
    tqo_quota_result_free(&qr);
    tqo_assignment_free(&asg);
    tqo_align_result_free(&ar);
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}

int cli_plan_run(plan *P, const char *instance, const cli_common *cc)
{
    return plan_run(P, instance, cc, cc->out);
}

/* tqo plan on its own: the whole run's files as one set, swapped in at the
   end (cli_signal.c); a failed run leaves OUT as it was, but for an
   alignment that failed and wrote its files for inspection. */
static int plan_staged(plan *P, const char *instance, const cli_common *cc)
{
    cli_stage stg;
    if (cli_stage_begin(&stg, cc->out) != 0)
        return CLI_EXIT_FAIL;
    cli_signal_install(cc->out);
    int rc = plan_run(P, instance, cc, stg.stage);
    if (rc == 0 || plan_inspect) {
        fflush(stdout);
        cli_signal_hold(1);
        if (cli_stage_commit(&stg) != 0 && rc == 0)
            rc = CLI_EXIT_FAIL;
        cli_signal_hold(0);
    } else
        cli_stage_abort(&stg);
    return rc;
}

int cli_plan(int argc, char **argv)
{
    plan P;
    cli_settings_default(&P);
    int first = 0, rc;
    /* First pass: the config file, read before the options that override it. */
    rc = cli_options_parse(CMD_PLAN, argc, argv, &P, 1, &first);
    if (rc == 0 && P.config && cli_config_read(&P, P.config) != 0)
        rc = CLI_EXIT_INPUT;
    if (rc == 0)
        rc = cli_options_parse(CMD_PLAN, argc, argv, &P, 2, &first);
    if (rc != 0) {
        cli_settings_free(&P);
        return rc == 1 ? CLI_EXIT_OK : rc;
    }
    rc = CLI_EXIT_INPUT;
    cli_common cc = {.quiet = P.quiet, .out = P.out};
    if (first != argc - 1) {
        cli_usage_error("plan: expected one INSTANCE (see 'tqo plan --help')");
        goto out;
    }
    if (!cc.out) {
        cli_usage_error("plan: missing output folder (-o OUT)");
        goto out;
    }
    if (cli_quota_check(&P, 0, "plan") != 0)
        goto out;
    /* mpirun: rank 0 runs the plan, the others only the scenario step's share */
    rc = cli_mpi_init() > 0 ? plan_rank_worker(&P, argv[first]) : plan_staged(&P, argv[first], &cc);
    cli_mpi_finalize();
out:
    cli_settings_free(&P);
    return rc;
}
