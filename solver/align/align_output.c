/*
 * The files of `tqo align`: assignment.csv, territories.csv, summary.json
 * and map.svg. Other tools read them, so their layout is fixed (see
 * docs); all four go through one output set, so a failed write leaves
 * none of them, and numbers are written in the shortest form that reads
 * back to the same double, which makes the files deterministic.
 */
#include "util/csv_writer.h"
#include "util/json_writer.h"
#include "align/map_svg.h"
#include "align/gis_write.h"
#include "align/align_assignment.h"
#include "align/objective_core.h"
#include "tqo.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double at(const double *a, size_t k) { return a ? a[k] : NAN; }


/* The result must describe this instance before anything is written:
   a wrong file that other tools trust is worse than an error. */
static tqo_status check_result(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                               tqo_diag *diag)
{
    const char *what = NULL;
    if (r->n_units != inst->n_units || !r->unit_start || !r->terr || !r->share)
        what = "no assignment for the instance's units";
    else if (r->n_territories < 1 || !r->territory_id)
        what = "no territories";
    else if (r->n_balance < 0 || r->n_balance > TQO_MAX_BALANCE || r->n_balance > s->n_balance)
        what = "balanced measures do not match the settings";
    else if (r->unit_start[0] != 0)
        what = "assignment rows do not start at 0";
    if (what) {
        tqo_diag_error(diag, "alignment result: %s", what);
        return TQO_ERR_ARG;
    }
    for (int b = 0; b < r->n_balance; b++) {
        if (!s->balance[b]) {
            tqo_diag_error(diag, "alignment settings: balanced measure %d has no name", b + 1);
            return TQO_ERR_ARG;
        }
    }
    for (int i = 0; i < r->n_units; i++) {
        int a = r->unit_start[i], e = r->unit_start[i + 1];
        double sum = 0;
        for (int k = a; k < e; k++) {
            if (r->terr[k] < 0 || r->terr[k] >= r->n_territories || !isfinite(r->share[k]) || r->share[k] < 0) {
                tqo_diag_error(diag, "alignment result: unit '%s': entry %d has territory %d, share %g",
                               inst->unit_id[i], k - a + 1, r->terr[k], r->share[k]);
                return TQO_ERR_ARG;
            }
            for (int q = a; q < k; q++) {
                if (r->terr[q] == r->terr[k]) {
                    tqo_diag_error(diag, "alignment result: unit '%s': territory '%s' appears twice",
                                   inst->unit_id[i], r->territory_id[r->terr[k]]);
                    return TQO_ERR_ARG;
                }
            }
            sum += r->share[k];
        }
        if (e < a || !(fabs(sum - 1) <= 1e-6)) {
            tqo_diag_error(diag, "alignment result: unit '%s': shares sum to %.17g, not 1", inst->unit_id[i], sum);
            return TQO_ERR_ARG;
        }
    }
    return TQO_OK;
}

/*
 * assignment.csv: unit_id,territory_id,share. A whole unit's share is
 * "1". Split shares are normalised and the largest becomes 1 minus the
 * others, nudged by ulps until adding the printed values in file order
 * gives exactly 1: each prints in round-trip form, so a reader summing
 * the rows of a unit gets 1, not 0.9999999999999999.
 */
static tqo_status write_assignment(FILE *fp, const tqo_instance *inst, const tqo_align_result *r)
{
    int maxdeg = 1;
    for (int i = 0; i < r->n_units; i++)
        if (r->unit_start[i + 1] - r->unit_start[i] > maxdeg)
            maxdeg = r->unit_start[i + 1] - r->unit_start[i];
    double *v = malloc((size_t)maxdeg * sizeof *v);
    if (!v)
        return TQO_ERR_NOMEM;
    fputs("unit_id,territory_id,share\n", fp);
    for (int i = 0; i < r->n_units; i++) {
        /* the shares tqo_align_assignment hands on, so files and memory agree */
        int m = tqoi_align_unit_shares(r, i, v);
        for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++) {
            if (!(r->share[k] > 0))
                continue; /* an LP's zero entries are not part of the plan */
            tqoi_csv_put_field(fp, inst->unit_id[i]);
            fputc(',', fp);
            tqoi_csv_put_field(fp, r->territory_id[r->terr[k]]);
            if (m == 1) {
                fputs(",1\n", fp);
            } else {
                fputc(',', fp);
                tqoi_csv_put_num(fp, v[k - r->unit_start[i]]);
                fputc('\n', fp);
            }
        }
    }
    free(v);
    return TQO_OK;
}

/* territories.csv: territory_id, centre, units, <measure>,<measure>_dev_pct
   for each balanced measure, compactness. */
static tqo_status write_territories(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s,
                                    const tqo_align_result *r)
{
    int p = r->n_territories, nb = r->n_balance;
    int latlon = inst->coords == TQO_COORDS_LATLON;
    int *count = calloc((size_t)p, sizeof *count);
    if (!count)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < r->n_units; i++)
        for (int k = r->unit_start[i]; k < r->unit_start[i + 1]; k++)
            if (r->share[k] > 0)
                count[r->terr[k]]++;

    fputs(latlon ? "territory_id,center_lat,center_lon,units" : "territory_id,center_x,center_y,units", fp);
    for (int b = 0; b < nb; b++) {
        const char *name = tqoi_align_measure_name(inst, s, b);
        size_t len = strlen(name);
        char *dev = malloc(len + sizeof "_dev_pct");
        if (!dev) {
            free(count);
            return TQO_ERR_NOMEM;
        }
        memcpy(dev, name, len);
        memcpy(dev + len, "_dev_pct", sizeof "_dev_pct");
        fputc(',', fp);
        tqoi_csv_put_field(fp, name);
        fputc(',', fp);
        tqoi_csv_put_field(fp, dev);
        free(dev);
    }
    fputs(",compactness\n", fp);

    for (int j = 0; j < p; j++) {
        double cx = at(r->center_x, (size_t)j), cy = at(r->center_y, (size_t)j);
        tqoi_csv_put_field(fp, r->territory_id[j]);
        fputc(',', fp);
        tqoi_csv_put_num(fp, latlon ? cy : cx);
        fputc(',', fp);
        tqoi_csv_put_num(fp, latlon ? cx : cy);
        fprintf(fp, ",%d", r->units_in ? r->units_in[j] : count[j]);
        for (int b = 0; b < nb; b++) {
            fputc(',', fp);
            tqoi_csv_put_num(fp, at(r->total, (size_t)j * nb + b));
            fputc(',', fp);
            tqoi_csv_put_num(fp, at(r->dev_pct, (size_t)j * nb + b));
        }
        fputc(',', fp);
        tqoi_csv_put_num(fp, at(r->compactness, (size_t)j));
        fputc('\n', fp);
    }
    free(count);
    return TQO_OK;
}

/* A growable string for the command line in summary.json. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t len)
{
    if (b->failed)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->failed = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

/* A space and the argument, single-quoted for a POSIX shell when needed. */
static void sb_arg(sbuf *b, const char *arg)
{
    sb_add(b, " ", 1);
    size_t len = strlen(arg);
    if (len && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == len) {
        sb_add(b, arg, len);
        return;
    }
    sb_add(b, "'", 1);
    for (const char *p = arg; *p; p++) {
        if (*p == '\'')
            sb_add(b, "'\\''", 4);
        else
            sb_add(b, p, 1);
    }
    sb_add(b, "'", 1);
}

static void sb_opt_num(sbuf *b, const char *opt, double v)
{
    char num[40];
    tqoi_jw_format_double(v, num, sizeof num);
    sb_arg(b, opt);
    sb_arg(b, num);
}

/* The `tqo align` command that repeats this run (without --write-lp/-mps). */
static char *command_line(const tqo_instance *inst, const tqo_align_settings *s, const char *dir)
{
    sbuf b = {0};
    char num[48];
    sb_add(&b, "tqo align", 9);
    sb_arg(&b, inst->source ? inst->source : "");
    if (s->k > 0)
        sb_opt_num(&b, "-k", s->k);
    for (int i = 0; i < s->n_balance && i < TQO_MAX_BALANCE; i++) {
        char tol[40];
        tqoi_jw_format_double(s->balance_tol_pct[i], tol, sizeof tol);
        const char *name = s->balance[i] ? s->balance[i] : "";
        size_t len = strlen(name) + strlen(tol) + 2;
        char *arg = malloc(len);
        if (!arg) {
            b.failed = 1;
            break;
        }
        snprintf(arg, len, "%s:%s", name, tol);
        sb_arg(&b, "--balance");
        sb_arg(&b, arg);
        free(arg);
    }
    if (s->weight) {
        sb_arg(&b, "--weight");
        sb_arg(&b, s->weight);
    }
    if (s->allow_splits)
        sb_arg(&b, "--allow-splits");
    if (s->max_distance_km > 0)
        sb_opt_num(&b, "--max-distance", s->max_distance_km);
    if (s->max_moves_pct >= 0)
        sb_opt_num(&b, "--max-moves", s->max_moves_pct);
    if (s->disruption_weight > 0)
        sb_opt_num(&b, "--disruption-weight", s->disruption_weight);
    /* A commdis file's own edges come with the file: naming them again is
       refused on the repeat, so only 'none' and 'delaunay' are written. */
    const char *adj = inst->has_adjacency && inst->adjacency_source ? inst->adjacency_source : "none";
    int own_edges = inst->format == TQO_FORMAT_COMMDIS && strcmp(adj, "none") != 0 && strcmp(adj, "delaunay") != 0;
    if (!own_edges) {
        sb_arg(&b, "--adjacency");
        sb_arg(&b, adj);
    }
    if (!s->contiguity)
        sb_arg(&b, "--no-contiguity");
    if (s->objective) {
        sb_arg(&b, "--objective");
        sb_arg(&b, s->objective == TQO_OBJECTIVE_DIAMETER ? "diameter" : "center");
    }
    if (s->exact)
        sb_arg(&b, "--exact");
    if (s->time_limit > 0)
        sb_opt_num(&b, "--time-limit", s->time_limit);
    sb_opt_num(&b, "--candidates", s->candidates);
    sb_opt_num(&b, "--starts", s->starts);
    snprintf(num, sizeof num, "%llu", (unsigned long long)s->seed);
    sb_arg(&b, "--seed");
    sb_arg(&b, num);
    sb_opt_num(&b, "--threads", s->threads);
    sb_arg(&b, "-o");
    sb_arg(&b, dir);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Integers a JSON reader keeps exactly are numbers; a larger seed is a
   decimal string rather than a silently rounded number. */
static void json_u64(jw *w, const char *key, uint64_t v)
{
    if (v <= ((uint64_t)1 << 53)) {
        tqoi_jw_int(w, key, (long long)v);
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
        tqoi_jw_string(w, key, buf);
    }
}

static tqo_status write_summary(FILE *fp, const tqo_instance *inst, const tqo_align_settings *s,
                                const tqo_align_result *r, const char *dir)
{
    char *cmd = command_line(inst, s, dir);
    if (!cmd)
        return TQO_ERR_NOMEM;
    /* The district diameter (the literature's figure) before a byte is
       written: out of memory must fail the step, not write a null. */
    double *dj = NULL, dmax = NAN;
    if (inst->coords == TQO_COORDS_XY && r->minmax_objective != TQO_OBJECTIVE_DIAMETER) {
        dj = malloc(((size_t)r->n_territories + 1) * sizeof(double));
        dmax = dj ? tqo_align_diameter(inst, r, dj) : NAN;
        if (!dj || (isnan(dmax) && r->unit_start && r->n_units == inst->n_units)) {
            free(dj);
            free(cmd);
            return TQO_ERR_NOMEM;
        }
    }
    jw w;
    tqoi_jw_init(&w, fp);
    tqoi_jw_object(&w, NULL);
    tqoi_jw_string(&w, "tqo_version", TQO_VERSION);
    tqoi_jw_string(&w, "instance", inst->source);
    tqoi_jw_int(&w, "units", r->n_units);
    tqoi_jw_int(&w, "territories", r->n_territories);
    tqoi_jw_string(&w, "centres", r->fixed_centres ? "home bases" : "located");
    tqoi_jw_number(&w, "objective", r->objective);
    tqoi_jw_number(&w, "lower_bound", r->lower_bound);
    if (r->lp_bound > 0) /* the bound was raised above the LP's value */
        tqoi_jw_number(&w, "lp_bound", r->lp_bound);
    tqoi_jw_number(&w, "gap", r->gap);
    /* the verdict of the independent check (tqoi_align_check.c) */
    tqoi_jw_string(&w, "status", r->status[0] ? r->status : "ok");
    tqoi_jw_array_flat(&w, "violated");
    for (int k = 0; k < r->n_violated; k++)
        tqoi_jw_string(&w, NULL, r->violated[k]);
    tqoi_jw_array_end(&w);
    tqoi_jw_object(&w, "max_abs_dev_pct");
    for (int b = 0; b < r->n_balance; b++)
        tqoi_jw_number(&w, tqoi_align_measure_name(inst, s, b), r->max_dev_pct[b]);
    tqoi_jw_object_end(&w);

    tqoi_jw_object(&w, "splits");
    tqoi_jw_int(&w, "lp", r->lp_splits);
    tqoi_jw_int(&w, "result", r->splits);
    tqoi_jw_string(&w, "resolution", r->split_resolution);
    tqoi_jw_object_end(&w);

    tqoi_jw_array(&w, "contiguity_exceptions");
    for (int e = 0; r->exceptions && e < r->n_exceptions; e++) {
        const tqo_exception *x = &r->exceptions[e];
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "territory",
                  x->territory >= 0 && x->territory < r->n_territories ? r->territory_id[x->territory] : NULL);
        tqoi_jw_int(&w, "island_units", x->n_units);
        tqoi_jw_string(&w, "first_unit",
                  x->first_unit >= 0 && x->first_unit < inst->n_units ? inst->unit_id[x->first_unit] : NULL);
        tqoi_jw_int(&w, "component", x->component);
        /* an island is allowed; a detached piece breaks contiguity */
        tqoi_jw_string(&w, "kind", x->detached ? "detached" : "island");
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array_end(&w);

    if (r->minmax_objective) /* the objective's value, bounds and gap (objective_report.c) */
        tqoi_objective_json(&w, inst, r);
    if (dj) {
        tqoi_jw_object(&w, "diameter");
        tqoi_jw_number(&w, "max", dmax);
        tqoi_jw_array_flat(&w, "territories");
        for (int j = 0; dj && isfinite(dmax) && j < r->n_territories; j++)
            tqoi_jw_number(&w, NULL, dj[j]);
        tqoi_jw_array_end(&w);
        tqoi_jw_object_end(&w);
        free(dj);
    }

    tqoi_jw_object(&w, "moved");
    tqoi_jw_int(&w, "units", r->moved_units);
    tqoi_jw_number(&w, "share_pct", r->moved_share);
    tqoi_jw_object_end(&w);
    tqoi_jw_int(&w, "iterations", r->iterations);
    tqoi_jw_int(&w, "lp_rounds", r->lp_rounds);

    if (!s->stable_summary) {
        tqoi_jw_object(&w, "seconds");
        tqoi_jw_number(&w, "centres", r->sec_centres);
        tqoi_jw_number(&w, "lp", r->sec_lp);
        tqoi_jw_number(&w, "splits", r->sec_splits);
        tqoi_jw_number(&w, "contiguity", r->sec_contiguity);
        tqoi_jw_number(&w, "local", r->sec_local);
        tqoi_jw_number(&w, "total", r->sec_total);
        tqoi_jw_object_end(&w);
    }

    tqoi_jw_object(&w, "solver_status");
    tqoi_jw_string(&w, "lp", r->lp_status);
    tqoi_jw_string(&w, "mip", r->mip_status);
    tqoi_jw_object_end(&w);

    /* Every setting, as used, so that the run can be repeated. */
    tqoi_jw_object(&w, "parameters");
    tqoi_jw_string(&w, "instance", inst->source);
    tqoi_jw_string(&w, "adjacency", inst->has_adjacency ? inst->adjacency_source : "none");
    tqoi_jw_string(&w, "tqo_version", TQO_VERSION);
    tqoi_jw_int(&w, "k", s->k);
    tqoi_jw_array(&w, "balance");
    for (int b = 0; b < s->n_balance && b < TQO_MAX_BALANCE; b++) {
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "measure", s->balance[b]);
        tqoi_jw_number(&w, "tolerance_pct", s->balance_tol_pct[b]);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array_end(&w);
    tqoi_jw_string(&w, "weight", s->weight ? s->weight : s->n_balance > 0 ? s->balance[0] : NULL);
    tqoi_jw_bool(&w, "allow_splits", s->allow_splits);
    tqoi_jw_number(&w, "max_distance_km", s->max_distance_km);
    tqoi_jw_number(&w, "max_moves_pct", s->max_moves_pct);
    tqoi_jw_number(&w, "disruption_weight", s->disruption_weight);
    tqoi_jw_bool(&w, "contiguity", s->contiguity);
    if (s->objective) /* absent at moment, the default: those files stay as they were */
        tqoi_jw_string(&w, "objective", s->objective == TQO_OBJECTIVE_DIAMETER ? "diameter" : "center");
    tqoi_jw_bool(&w, "exact", s->exact);
    tqoi_jw_number(&w, "time_limit", s->time_limit);
    tqoi_jw_int(&w, "candidates", s->candidates);
    tqoi_jw_int(&w, "starts", s->starts);
    json_u64(&w, "seed", s->seed);
    if (!s->stable_summary) /* no effect on the result: plan's files leave it out */
        tqoi_jw_int(&w, "threads", s->threads);
    tqoi_jw_object_end(&w);
    if (!s->stable_summary)
        tqoi_jw_string(&w, "command", cmd);
    tqoi_jw_object_end(&w);
    tqoi_jw_finish(&w);
    free(cmd);
    return TQO_OK;
}

tqo_status tqo_align_write(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                           const char *dir, tqo_diag *diag)
{
    if (!inst || !s || !r || !dir || !*dir) {
        tqo_diag_error(diag, "tqo_align_write: missing instance, settings, result or folder");
        return TQO_ERR_ARG;
    }
    tqo_status st = check_result(inst, s, r, diag);
    if (st == TQO_OK)
        st = tqoi_gis_write_check(s, diag);
    if (st != TQO_OK)
        return st;
    tqo_outset *o = tqo_outset_new(dir);
    if (!o) {
        tqo_diag_error(diag, "%s: out of memory", dir);
        return TQO_ERR_NOMEM;
    }
    static const char *const names[4] = {"assignment.csv", "territories.csv", "summary.json", "map.svg"};
    FILE *fp[4];
    for (int f = 0; f < 4; f++) {
        errno = 0;
        fp[f] = tqo_outset_open(o, names[f]);
        if (!fp[f]) {
            tqo_diag_error(diag, "%s: cannot write %s: %s", dir, names[f],
                           errno ? strerror(errno) : "out of memory");
            tqo_outset_abort(o);
            return TQO_ERR_IO;
        }
    }
    size_t tlen = strlen(inst->source ? inst->source : "") + 16;
    char *title = malloc(tlen);
    if (title) {
        snprintf(title, tlen, "tqo align: %s", inst->source ? inst->source : "");
        st = write_assignment(fp[0], inst, r);
        if (st == TQO_OK)
            st = write_territories(fp[1], inst, s, r);
        if (st == TQO_OK)
            st = write_summary(fp[2], inst, s, r, dir);
        if (st == TQO_OK)
            st = tqoi_map_svg_write(fp[3], inst, s, r, title);
        if (st == TQO_OK)
            st = tqoi_gis_write(o, dir, inst, s, r, diag);
        free(title);
    } else {
        st = TQO_ERR_NOMEM;
    }
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "%s: out of memory while writing the results", dir);
    if (st != TQO_OK && st != TQO_ERR_NOMEM)
        tqo_diag_error(diag, "%s: writing the results failed%s%s", dir, st == TQO_ERR_IO ? ": " : "",
                       st == TQO_ERR_IO ? strerror(errno) : "");
    if (st != TQO_OK) {
        tqo_outset_abort(o);
        return st;
    }
    return tqo_outset_commit(o, diag);
}
