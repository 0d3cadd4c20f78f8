/* tqo validate: load an instance and show what a planner needs to trust it. */
#include "cli/cli_common.h"
#include "util/json_writer.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "usage: tqo validate INSTANCE [options]\n"
    "\n"
    "Loads an instance folder (units.csv and the optional territories.csv,\n"
    "adjacency.csv, locks.csv, history.csv) or a commdis file (the academic\n"
    "districting format; docs/format.md), checks every value, and prints\n"
    "counts, totals and ranges of each measure, the coordinate bounding box,\n"
    "the graph's connected components and isolated units, and the history\n"
    "periods covered. Errors name file, line and column; exit status 2.\n"
    "\n"
    "options:\n"
    "  --adjacency SRC   neighbours from SRC: a CSV file (unit_a,unit_b),\n"
    "                    'delaunay' (triangulation of unit locations) or\n"
    "                    'none'; default: the instance's adjacency.csv\n"
    "  --format F        tqo (a folder), commdis (a file) or auto (default:\n"
    "                    a folder is tqo, a file commdis)\n"
    "  -o, --out DIR     also write DIR/validation.json\n"
    "  -q, --quiet       print nothing but errors\n"
    "  -h, --help        this help\n";

/* 1234567.5 -> "1,234,567.5"; integers without decimals. */
static void fmt_num(double v, char *buf, size_t size)
{
    char raw[64];
    if (fabs(v) < 1e15 && v == floor(v))
        snprintf(raw, sizeof raw, "%.0f", v);
    else if (fabs(v) >= 1000 || v == 0)
        snprintf(raw, sizeof raw, "%.2f", v);
    else
        snprintf(raw, sizeof raw, "%.4g", v);
    const char *dot = strchr(raw, '.');
    const char *e = strchr(raw, 'e');
    size_t intlen = dot ? (size_t)(dot - raw) : e ? (size_t)(e - raw) : strlen(raw);
    size_t k = 0, start = raw[0] == '-' ? 1 : 0;
    if (start && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = start; i < intlen && k + 2 < size; i++) {
        buf[k++] = raw[i];
        size_t left = intlen - i - 1;
        if (left && left % 3 == 0)
            buf[k++] = ',';
    }
    for (size_t i = intlen; raw[i] && k + 1 < size; i++)
        buf[k++] = raw[i];
    buf[k] = '\0';
}

static const char *coord_name(tqo_coords c)
{
    return c == TQO_COORDS_XY ? "x,y (km)" : c == TQO_COORDS_LATLON ? "lat,lon (degrees)" : "none";
}

static void print_text(const tqo_instance *inst, const tqo_instance_stats *st)
{
    char a[64], b[64], c[64], d[64];
    printf("instance     %s\n", inst->source);
    if (inst->format == TQO_FORMAT_COMMDIS) {
        printf("format       commdis: %d districts, tolerances", inst->default_k);
        for (int m = 0; m < inst->n_measures && m < 3; m++)
            printf(" %s %g%%", inst->measures[m].name, inst->default_tol_pct[m]);
        printf("\n");
    }
    fmt_num(st->n_units, a, sizeof a);
    printf("units        %s\n", a);
    printf("coordinates  %s\n", coord_name(inst->coords));
    if (inst->coords == TQO_COORDS_LATLON)
        printf("bounding box lat %.5f .. %.5f, lon %.5f .. %.5f\n", st->bbox_min_y, st->bbox_max_y, st->bbox_min_x,
               st->bbox_max_x);
    else if (inst->coords == TQO_COORDS_XY)
        printf("bounding box x %.3f .. %.3f, y %.3f .. %.3f\n", st->bbox_min_x, st->bbox_max_x, st->bbox_min_y,
               st->bbox_max_y);
    printf("measures     %d\n", inst->n_measures);
    for (int m = 0; m < inst->n_measures; m++) {
        const tqo_measure_stats *ms = &st->measures[m];
        fmt_num(ms->total, a, sizeof a);
        fmt_num(ms->min, b, sizeof b);
        fmt_num(ms->mean, c, sizeof c);
        fmt_num(ms->max, d, sizeof d);
        printf("  %-12s total %s  min %s  mean %s  max %s  zeros %d\n", inst->measures[m].name, a, b, c, d,
               ms->zeros);
    }
    printf("labels       ");
    for (int l = 0; l < inst->n_labels; l++)
        printf("%s%s", l ? ", " : "", inst->labels[l].name);
    printf("%s\n", inst->n_labels ? "" : "none");
    if (inst->n_territories) {
        printf("territories  %d%s", inst->n_territories,
               inst->has_territories_file ? " (territories.csv)" : " (from 'current')");
        if (inst->has_territories_file)
            printf(", %d with a home base", inst->n_homes);
        printf("\n");
    } else {
        printf("territories  none\n");
    }
    if (inst->current)
        printf("current plan %d territories, %d unit%s without one\n", st->n_current_territories,
               st->n_units_without_current, st->n_units_without_current == 1 ? "" : "s");
    if (inst->has_adjacency) {
        fmt_num(st->n_edges, a, sizeof a);
        fmt_num(st->largest_component, b, sizeof b);
        printf("adjacency    %s pairs (%s), %d connected component%s (largest %s units), %d isolated unit%s\n", a,
               inst->adjacency_source, st->n_components, st->n_components == 1 ? "" : "s", b, st->n_isolated,
               st->n_isolated == 1 ? "" : "s");
    } else {
        printf("adjacency    none\n");
    }
    printf("locks        %d\n", st->n_locks);
    if (st->n_periods) {
        fmt_num((double)st->n_history_rows, a, sizeof a);
        printf("history      %d %s periods %s-%s, %s rows\n", st->n_periods, tqo_period_kind_name(inst->period_kind),
               st->first_period, st->last_period, a);
        for (int k = 0; k < inst->n_history_values; k++) {
            fmt_num(st->history_totals[k], a, sizeof a);
            printf("  %-12s total %s\n", inst->history_value_name[k], a);
        }
    } else {
        printf("history      none\n");
    }
}

static void write_json(FILE *fp, const tqo_instance *inst, const tqo_instance_stats *st)
{
    jw w;
    jw_init(&w, fp);
    jw_object(&w, NULL);
    jw_string(&w, "instance", inst->source);
    jw_string(&w, "tqo_version", TQO_VERSION);
    jw_int(&w, "units", st->n_units);
    jw_string(&w, "coordinates", inst->coords == TQO_COORDS_XY ? "xy" : inst->coords == TQO_COORDS_LATLON ? "latlon" : "none");
    if (inst->coords != TQO_COORDS_NONE) {
        jw_object(&w, "bounding_box");
        jw_number(&w, inst->coords == TQO_COORDS_XY ? "min_x" : "min_lon", st->bbox_min_x);
        jw_number(&w, inst->coords == TQO_COORDS_XY ? "max_x" : "max_lon", st->bbox_max_x);
        jw_number(&w, inst->coords == TQO_COORDS_XY ? "min_y" : "min_lat", st->bbox_min_y);
        jw_number(&w, inst->coords == TQO_COORDS_XY ? "max_y" : "max_lat", st->bbox_max_y);
        jw_object_end(&w);
    }
    jw_array(&w, "measures");
    for (int m = 0; m < inst->n_measures; m++) {
        jw_object(&w, NULL);
        jw_string(&w, "name", inst->measures[m].name);
        jw_number(&w, "total", st->measures[m].total);
        jw_number(&w, "min", st->measures[m].min);
        jw_number(&w, "mean", st->measures[m].mean);
        jw_number(&w, "max", st->measures[m].max);
        jw_int(&w, "zeros", st->measures[m].zeros);
        jw_object_end(&w);
    }
    jw_array_end(&w);
    jw_array(&w, "labels");
    for (int l = 0; l < inst->n_labels; l++)
        jw_string(&w, NULL, inst->labels[l].name);
    jw_array_end(&w);
    jw_int(&w, "territories", inst->n_territories);
    jw_int(&w, "home_bases", inst->n_homes);
    if (inst->current) {
        jw_int(&w, "current_territories", st->n_current_territories);
        jw_int(&w, "units_without_current", st->n_units_without_current);
    }
    if (inst->has_adjacency) {
        jw_object(&w, "adjacency");
        jw_string(&w, "source", inst->adjacency_source);
        jw_int(&w, "pairs", st->n_edges);
        jw_int(&w, "components", st->n_components);
        jw_int(&w, "largest_component", st->largest_component);
        jw_int(&w, "isolated_units", st->n_isolated);
        jw_object_end(&w);
    } else {
        jw_null(&w, "adjacency");
    }
    jw_int(&w, "locks", st->n_locks);
    if (st->n_periods) {
        jw_object(&w, "history");
        jw_string(&w, "granularity", tqo_period_kind_name(inst->period_kind));
        jw_int(&w, "periods", st->n_periods);
        jw_string(&w, "first", st->first_period);
        jw_string(&w, "last", st->last_period);
        jw_int(&w, "rows", st->n_history_rows);
        jw_object(&w, "totals");
        for (int k = 0; k < inst->n_history_values; k++)
            jw_number(&w, inst->history_value_name[k], st->history_totals[k]);
        jw_object_end(&w);
        jw_object_end(&w);
    } else {
        jw_null(&w, "history");
    }
    jw_object_end(&w);
    jw_finish(&w);
}

int cli_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"adjacency", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common cc = {0};
    tqo_load_settings ls;
    tqo_load_settings_default(&ls);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'a': ls.adjacency = optarg; break;
        case 'f':
            if (!tqo_format_parse(optarg, &ls.format))
                return cli_usage_error("validate: --format '%s': not tqo, commdis or auto", optarg);
            break;
        case 'o': cc.out = optarg; break;
        case 'q': cc.quiet = 1; break;
        case 'h': fputs(HELP, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("validate: option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("validate: unknown option '%s' (see 'tqo validate --help')", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("validate: expected one INSTANCE folder (see 'tqo validate --help')");
    ls.log = cli_log;
    ls.log_ctx = &cc;

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(argv[optind], &ls, &inst, &diag);
    cli_print_diag(&diag);
    if (st != TQO_OK) {
        if (diag.n_errors > 1)
            fprintf(stderr, "tqo: %d errors: the instance is not valid\n", diag.n_errors);
        tqo_diag_free(&diag);
        return cli_exit_code(st);
    }
    tqo_instance_stats stats;
    st = tqo_instance_stats_compute(inst, &stats);
    if (st == TQO_OK) {
        if (!cc.quiet) {
            print_text(inst, &stats);
            printf("valid        yes%s\n", diag.n_warnings ? " (see the warnings above)" : "");
        }
        if (cc.out) {
            tqo_outset *o = tqo_outset_new(cc.out);
            FILE *fp = o ? tqo_outset_open(o, "validation.json") : NULL;
            if (!fp) {
                tqo_diag_error(&diag, "%s: cannot write validation.json", cc.out);
                tqo_outset_abort(o);
                st = TQO_ERR_IO;
            } else {
                write_json(fp, inst, &stats);
                st = tqo_outset_commit(o, &diag);
            }
            if (st != TQO_OK)
                fprintf(stderr, "tqo: error: %s\n", tqo_diag_first_error(&diag));
        }
        tqo_instance_stats_free(&stats);
    }
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    return cli_exit_code(st);
}
