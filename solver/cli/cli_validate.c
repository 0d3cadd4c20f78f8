/* tqo validate: load an instance and show what a planner needs to trust it. */
#include "cli/cli_common.h"
#include "cli/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>


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

static void put_id(FILE *fp, const char *id)
{
    if (!strpbrk(id, ",\"\r\n")) {
        fputs(id, fp);
        return;
    }
    fputc('"', fp);
    for (; *id; id++) {
        if (*id == '"')
            fputc('"', fp);
        fputc(*id, fp);
    }
    fputc('"', fp);
}

/* adjacency.csv (unit_a,unit_b) of the instance's graph; 0 on failure. */
static int write_pairs(tqo_outset *o, const tqo_instance *inst)
{
    FILE *fp = tqo_outset_open(o, "adjacency.csv");
    if (!fp)
        return 0;
    fputs("unit_a,unit_b\n", fp);
    for (int e = 0; e < inst->n_edges; e++) {
        put_id(fp, inst->unit_id[inst->edge_u[e]]);
        fputc(',', fp);
        put_id(fp, inst->unit_id[inst->edge_v[e]]);
        fputc('\n', fp);
    }
    return 1;
}

int cli_validate(int argc, char **argv)
{
    cli_settings S;
    cli_settings_default(&S);
    int first = 0;
    int rc = cli_options_parse(CMD_VALIDATE, argc, argv, &S, 0, &first);
    cli_common cc = {.quiet = S.quiet, .out = S.out};
    tqo_load_settings ls = S.load;
    cli_settings_free(&S); /* the command line's strings stay in argv */
    if (rc != 0)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (first != argc - 1)
        return cli_usage_error("validate: expected one INSTANCE folder (see 'tqo validate --help')");
    ls.log = cli_log;
    ls.log_ctx = &cc;

    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_memory_check_load(argv[first], S.max_memory, &diag);
    if (st == TQO_OK)
        st = tqo_instance_load(argv[first], &ls, &inst, &diag);
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
            /* neighbours derived from polygons: the graph, for checking */
            if (fp && inst->geometry && inst->has_adjacency && !write_pairs(o, inst))
                fp = NULL;
            if (!fp) {
                tqo_diag_error(&diag, "%s: cannot write validation.json: %s", cc.out, strerror(errno));
                tqo_outset_abort(o);
                st = TQO_ERR_IO;
            } else {
                st = tqo_instance_stats_write_json(fp, inst, &stats);
                if (st == TQO_OK) {
                    st = tqo_outset_commit(o, &diag);
                } else {
                    tqo_diag_error(&diag, "%s: cannot write validation.json: %s", cc.out, strerror(errno));
                    tqo_outset_abort(o);
                }
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
