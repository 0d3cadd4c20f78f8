/*
 * tqo serve: the plan as JSON, and Save (tqo plan's
 * files written to a staging folder beside OUT, then swapped in whole).
 * Callers hold S->mu.
 */
#define _XOPEN_SOURCE 700
#include "cli/cli_serve.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

json_t *serve_plan_json(const serve_state *S, int full)
{
    int p = S->p, nb = S->nb;
    double *tot = calloc((size_t)p * nb + 1, sizeof(double)), *cmp = calloc((size_t)p + 1, sizeof(double));
    int *cnt = calloc((size_t)p + 1, sizeof(int));
    json_t *o = json_object();
    if (!tot || !cmp || !cnt || !o) {
        free(tot), free(cmp), free(cnt);
        json_decref(o);
        return NULL;
    }
    const tqo_instance *I = S->inst;
    const double *w = I->measures[S->wmeas].value;
    for (int i = 0; i < S->n; i++) {
        int j = S->cur.terr[i];
        if (j < 0)
            continue;
        cnt[j]++;
        for (int b = 0; b < nb; b++)
            tot[j * nb + b] += I->measures[S->meas[b]].value[i];
        double d = tqo_distance(I->coords, I->x[i], I->y[i], S->cur.cx[j], S->cur.cy[j]);
        cmp[j] += w[i] * d * d;
    }
    json_t *bal = json_array(), *ter = json_array();
    double maxdev = 0;
    for (int b = 0; b < nb; b++)
        json_array_append_new(bal, json_pack("{s:s,s:f}", "measure", S->P->align.balance[b], "tol_pct",
                                             S->P->align.balance_tol_pct[b]));
    for (int j = 0; j < p; j++) {
        json_t *t = json_array(), *g = json_array(), *dv = json_array();
        for (int b = 0; b < nb; b++) {
            double tg = S->target[j * nb + b], v = tot[j * nb + b];
            double dev = tg > 0 ? 100 * (v - tg) / tg : 0;
            maxdev = fmax(maxdev, fabs(dev));
            json_array_append_new(t, json_real(v));
            json_array_append_new(g, json_real(tg));
            json_array_append_new(dv, json_real(dev));
        }
        json_array_append_new(ter, json_pack("{s:s,s:i,s:o,s:o,s:o,s:f,s:f,s:f}", "id", S->tid[j], "units",
                                             cnt[j], "total", t, "target", g, "dev_pct", dv, "compactness",
                                             cmp[j], "cx", S->cur.cx[j], "cy", S->cur.cy[j]));
    }
    json_object_set_new(o, "version", json_integer(S->version));
    json_object_set_new(o, "dirty", json_boolean(S->dirty));
    json_object_set_new(o, "can_undo", json_boolean(S->n_undo > 0));
    json_object_set_new(o, "can_redo", json_boolean(S->n_redo > 0));
    json_object_set_new(o, "balance", bal);
    json_object_set_new(o, "max_dev_pct", json_real(maxdev));
    json_object_set_new(o, "territories", ter);
    json_object_set_new(o, "last_align_s", json_real(S->last_align_s));
    if (full) {
        json_t *u = json_array();
        for (int i = 0; i < S->n; i++) {
            int j = S->cur.terr[i];
            json_array_append_new(u, json_pack("{s:s,s:f,s:f,s:s?,s:b,s:b}", "id", I->unit_id[i], "x", I->x[i],
                                               "y", I->y[i], "t", j >= 0 ? S->tid[j] : NULL, "locked",
                                               S->cur.locked[i] || S->inst_lock[i] >= 0, "edited",
                                               (int)S->cur.edited[i]));
        }
        json_object_set_new(o, "units", u);
        json_object_set_new(o, "shapes", json_boolean(S->shapes.n > 0));
        json_object_set_new(o, "coords", json_string(I->coords == TQO_COORDS_LATLON ? "latlon" : "xy"));
    }
    free(tot), free(cmp), free(cnt);
    return o;
}

json_t *serve_shapes_json(const serve_state *S)
{
    const tqo_map_paths *m = &S->shapes;
    if (!m->n)
        return NULL;
    json_t *d = json_array(), *x = json_array(), *y = json_array();
    for (int i = 0; i < m->n; i++) {
        json_array_append_new(d, json_string(m->d[i]));
        json_array_append_new(x, json_real(m->ux[i]));
        json_array_append_new(y, json_real(m->uy[i]));
    }
    return json_pack("{s:f,s:f,s:o,s:o,s:o}", "width", m->width, "height", m->height, "d", d, "x", x, "y", y);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes a folder this process made (staging, or the replaced OUT). */
static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_edit_files(const serve_state *S, const char *dir, tqo_diag *d)
{
    tqo_outset *o = tqo_outset_new(dir);
    FILE *fc = o ? tqo_outset_open(o, "current.csv") : NULL;
    FILE *fl = fc ? tqo_outset_open(o, "locks.csv") : NULL;
    if (!fl) {
        tqo_outset_abort(o);
        return -1;
    }
    fputs("unit_id,territory_id,share\n", fc);
    fputs("unit_id,territory_id\n", fl);
    /* Ids through the library's CSV writer: one with a comma or a quote
       is quoted, so tqo plan --config reads back the same ids. */
    for (int i = 0; i < S->n; i++) {
        if (S->reb_current[i] >= 0) {
            tqo_csv_put_field(fc, S->inst->unit_id[i]);
            fputc(',', fc);
            tqo_csv_put_field(fc, S->tid[S->reb_current[i]]);
            fputs(",1\n", fc);
        }
        if (S->reb_lock[i] >= 0) {
            tqo_csv_put_field(fl, S->inst->unit_id[i]);
            fputc(',', fl);
            tqo_csv_put_field(fl, S->tid[S->reb_lock[i]]);
            fputc('\n', fl);
        }
    }
    return tqo_outset_commit(o, d) == TQO_OK ? 0 : -1;
}

/* Staging beside OUT, then OUT swapped for it: a reader sees the old plan or
   the new one. */
static int swap_in(const char *stage, const char *out, char *msg, size_t n)
{
    char old[PATH_MAX + 32];
    snprintf(old, sizeof old, "%s.old.%ld", out, (long)getpid());
    struct stat sb;
    int had = stat(out, &sb) == 0;
    if (had && rename(out, old) != 0) {
        snprintf(msg, n, "cannot replace the output folder: %s", strerror(errno));
        return -1;
    }
    if (rename(stage, out) != 0) {
        snprintf(msg, n, "cannot move the saved plan into place: %s", strerror(errno));
        if (had)
            rename(old, out);
        return -1;
    }
    if (had)
        rm_tree(old);
    return 0;
}

int serve_save(serve_state *S, char *msg, size_t n)
{
    if (S->dirty && serve_rebalance(S, -1, msg, n) != 0)
        return -1;
    mkdir(S->out, 0777);
    char out[PATH_MAX], stage[PATH_MAX + 32], fc[PATH_MAX + 16], fl[PATH_MAX + 16];
    if (!realpath(S->out, out)) {
        snprintf(msg, n, "cannot open the output folder: %s", strerror(errno));
        return -1;
    }
    snprintf(stage, sizeof stage, "%s.staging.%ld", out, (long)getpid());
    rm_tree(stage);
    cli_settings P2 = *S->P; /* shallow: the strings stay S->P's */
    cli_plan_edits E = {S->p, (const char *const *)S->tid, S->reb_current, S->reb_lock};
    if (S->have_edits && S->reb_current) {
        snprintf(fc, sizeof fc, "%s/current.csv", out);
        snprintf(fl, sizeof fl, "%s/locks.csv", out);
        P2.plan_current = fc;
        P2.plan_locks = fl;
        P2.edits = &E;
        P2.align.max_moves_pct = S->reb_max_moves;
    }
    P2.n_pool = 0;
    cli_common cc = {.quiet = 1, .out = stage};
    int rc = cli_plan_run(&P2, S->instance, &cc);
    tqo_diag d;
    tqo_diag_init(&d);
    if (rc == 0 && P2.edits && write_edit_files(S, stage, &d) != 0)
        rc = CLI_EXIT_FAIL;
    tqo_diag_free(&d);
    if (rc != 0) {
        snprintf(msg, n, "the plan could not be written (exit %d; see the server's log)", rc);
        rm_tree(stage);
        return -1;
    }
    if (swap_in(stage, out, msg, n) != 0) {
        rm_tree(stage);
        return -1;
    }
    return 0;
}
