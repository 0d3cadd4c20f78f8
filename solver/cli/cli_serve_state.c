/*
 * tqo serve's plan state: the assignment being edited, its undo and redo
 * stacks, and the alignment runs (open, rebalance). Callers hold S->mu.
 */
#include "cli/cli_serve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void snap_free(serve_snap *s)
{
    free(s->terr);
    free(s->edited);
    free(s->locked);
    free(s->cx);
    free(s->cy);
    memset(s, 0, sizeof *s);
}

static int snap_copy(serve_snap *d, const serve_snap *s, int n, int p)
{
    d->terr = malloc((size_t)n * sizeof(int));
    d->edited = malloc((size_t)n);
    d->locked = malloc((size_t)n);
    d->cx = malloc((size_t)p * sizeof(double));
    d->cy = malloc((size_t)p * sizeof(double));
    if (!d->terr || !d->edited || !d->locked || !d->cx || !d->cy) {
        snap_free(d);
        return -1;
    }
    memcpy(d->terr, s->terr, (size_t)n * sizeof(int));
    memcpy(d->edited, s->edited, (size_t)n);
    memcpy(d->locked, s->locked, (size_t)n);
    memcpy(d->cx, s->cx, (size_t)p * sizeof(double));
    memcpy(d->cy, s->cy, (size_t)p * sizeof(double));
    return 0;
}

/* Makes room on a full stack: the oldest step is forgotten. */
static void stack_room(serve_snap *st, int *n)
{
    if (*n < SERVE_UNDO)
        return;
    snap_free(&st[0]);
    memmove(st, st + 1, (SERVE_UNDO - 1) * sizeof(serve_snap));
    (*n)--;
}

int serve_push_undo(serve_state *S)
{
    stack_room(S->undo, &S->n_undo);
    if (snap_copy(&S->undo[S->n_undo], &S->cur, S->n, S->p) != 0)
        return -1;
    S->n_undo++;
    while (S->n_redo > 0)
        snap_free(&S->redo[--S->n_redo]);
    return 0;
}

/* redo=0: back one step; redo=1: forward one. -1 when there is none. */
int serve_undo(serve_state *S, int redo)
{
    serve_snap *from = redo ? S->redo : S->undo, *to = redo ? S->undo : S->redo;
    int *nf = redo ? &S->n_redo : &S->n_undo, *nt = redo ? &S->n_undo : &S->n_redo;
    if (*nf == 0)
        return -1;
    stack_room(to, nt);
    to[(*nt)++] = S->cur;
    S->cur = from[--(*nf)];
    memset(&from[*nf], 0, sizeof(serve_snap));
    S->version++;
    S->dirty = 1;
    S->have_edits = 1;
    return 0;
}

int serve_unit(const serve_state *S, const char *id)
{
    return tqo_instance_unit(S->inst, id);
}

int serve_territory(const serve_state *S, const char *id)
{
    for (int j = 0; j < S->p; j++)
        if (strcmp(S->tid[j], id) == 0)
            return j;
    return -1;
}

/* Takes the alignment's assignment (each unit's largest share), ids and
   centres into the state. */
static int take_result(serve_state *S, const tqo_align_result *r)
{
    if (!S->tid) {
        S->p = r->n_territories;
        S->nb = r->n_balance;
        S->tid = calloc((size_t)S->p, sizeof(char *));
        S->target = malloc((size_t)S->p * S->nb * sizeof(double));
        if (!S->tid || !S->target)
            return -1;
        for (int j = 0; j < S->p; j++)
            if (!(S->tid[j] = strdup(r->territory_id[j])))
                return -1;
        memcpy(S->target, r->target, (size_t)S->p * S->nb * sizeof(double));
    }
    if (!S->cur.terr)
        return 0; /* ids only: the state is allocated next */
    int *map = malloc((size_t)r->n_territories * sizeof(int));
    if (!map)
        return -1;
    for (int j = 0; j < r->n_territories; j++)
        map[j] = serve_territory(S, r->territory_id[j]);
    for (int i = 0; i < S->n; i++) {
        int best = -1;
        for (int e = r->unit_start[i]; e < r->unit_start[i + 1]; e++)
            if (best < 0 || r->share[e] > r->share[best])
                best = e;
        S->cur.terr[i] = best >= 0 ? map[r->terr[best]] : -1;
    }
    for (int j = 0; j < r->n_territories; j++)
        if (map[j] >= 0) {
            S->cur.cx[map[j]] = r->center_x[j];
            S->cur.cy[map[j]] = r->center_y[j];
        }
    free(map);
    return 0;
}

static int run_align(serve_state *S, tqo_align_result *r, tqo_diag *d)
{
    cli_settings *P = S->P;
    P->align.seed = P->seed;
    P->align.threads = P->threads;
    P->align.stable_summary = 1;
    P->align.log = NULL;
    memset(r, 0, sizeof *r);
    double t0 = cli_now_s();
    tqo_status st = tqo_align(S->inst, &P->align, r, d);
    S->last_align_s = cli_now_s() - t0;
    return st == TQO_OK ? 0 : -1;
}

static int alloc_state(serve_state *S)
{
    int n = S->n, p = S->p;
    S->cur.terr = malloc((size_t)n * sizeof(int));
    S->cur.edited = calloc((size_t)n, 1);
    S->cur.locked = calloc((size_t)n, 1);
    S->cur.cx = calloc((size_t)p, sizeof(double));
    S->cur.cy = calloc((size_t)p, sizeof(double));
    S->inst_lock = malloc((size_t)n * sizeof(int));
    S->meas = malloc((size_t)S->nb * sizeof(int));
    if (!S->cur.terr || !S->cur.edited || !S->cur.locked || !S->cur.cx || !S->cur.cy || !S->inst_lock || !S->meas)
        return -1;
    for (int b = 0; b < S->nb; b++)
        S->meas[b] = tqo_instance_measure(S->inst, S->P->align.balance[b]);
    S->wmeas = S->P->align.weight ? tqo_instance_measure(S->inst, S->P->align.weight) : S->meas[0];
    if (S->wmeas < 0)
        S->wmeas = S->meas[0];
    for (int i = 0; i < n; i++) {
        int k = S->inst->lock ? S->inst->lock[i] : -1;
        S->inst_lock[i] = k >= 0 ? serve_territory(S, S->inst->territory_id[k]) : -1;
    }
    return 0;
}

int serve_state_open(serve_state *S, cli_settings *P, const char *instance, const char *out)
{
    memset(S, 0, sizeof *S);
    pthread_mutex_init(&S->mu, NULL);
    S->P = P;
    S->instance = instance;
    S->out = out;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqo_instance_load(instance, &P->load, &S->inst, &d);
    if (st == TQO_OK)
        st = cli_plan_edits_apply(S->inst, P, &d);
    if (st == TQO_OK)
        st = cli_align_defaults(S->inst, &P->align, 5, P->quiet, &d);
    tqo_align_result r;
    memset(&r, 0, sizeof r);
    if (st == TQO_OK && run_align(S, &r, &d) != 0)
        st = TQO_ERR_INFEASIBLE;
    cli_print_diag(&d);
    tqo_diag_free(&d);
    if (st != TQO_OK) {
        tqo_align_result_free(&r);
        return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_FAIL : cli_exit_code(st);
    }
    S->n = S->inst->n_units;
    S->p = r.n_territories;
    S->nb = r.n_balance;
    int rc = take_result(S, &r) == 0 ? 0 : -1;
    if (rc == 0)
        rc = alloc_state(S);
    if (rc == 0)
        rc = take_result(S, &r); /* the assignment, now that it has room */
    if (rc == 0 && tqo_map_paths_make(S->inst, &r, &S->shapes) < 0)
        rc = -1; /* polygons drawn in the frame of the first alignment, kept */
    tqo_align_result_free(&r);
    S->reb_max_moves = P->align.max_moves_pct;
    return rc == 0 ? 0 : CLI_EXIT_FAIL;
}

void serve_state_free(serve_state *S)
{
    snap_free(&S->cur);
    for (int k = 0; k < S->n_undo; k++)
        snap_free(&S->undo[k]);
    for (int k = 0; k < S->n_redo; k++)
        snap_free(&S->redo[k]);
    for (int j = 0; S->tid && j < S->p; j++)
        free(S->tid[j]);
    free(S->tid);
    free(S->target);
    free(S->meas);
    free(S->inst_lock);
    free(S->reb_current);
    free(S->reb_lock);
    tqo_map_paths_free(&S->shapes);
    tqo_instance_free(S->inst);
    pthread_mutex_destroy(&S->mu);
}

/* The edited plan as current and locks (edited and locked units stay). */
static int edits_arrays(const serve_state *S, int **cur, int **lock)
{
    *cur = malloc((size_t)S->n * sizeof(int));
    *lock = malloc((size_t)S->n * sizeof(int));
    if (!*cur || !*lock)
        return -1;
    for (int i = 0; i < S->n; i++) {
        (*cur)[i] = S->cur.terr[i];
        int l = S->inst_lock[i];
        if (l < 0 && (S->cur.edited[i] || S->cur.locked[i]))
            l = S->cur.terr[i];
        (*lock)[i] = l;
    }
    return 0;
}

/* One alignment with cap pct over the edited plan; 0 when its check is ok. */
static int try_cap(serve_state *S, double pct, tqo_align_result *r, char *msg, size_t n)
{
    tqo_diag d;
    tqo_diag_init(&d);
    double keep = S->P->align.max_moves_pct;
    S->P->align.max_moves_pct = pct;
    int rc = run_align(S, r, &d);
    S->P->align.max_moves_pct = keep;
    if (S->n_runs < SERVE_RUNS) {
        serve_run *u = &S->runs[S->n_runs++];
        u->cap_pct = pct;
        snprintf(u->status, sizeof u->status, "%s", rc == 0 ? r->status : "error");
        u->iterations = r->iterations;
        u->lp_rounds = r->lp_rounds;
        u->moved_units = r->moved_units;
        u->seconds = S->last_align_s;
        double sec[5] = {r->sec_centres, r->sec_lp, r->sec_splits, r->sec_contiguity, r->sec_local};
        memcpy(u->sec, sec, sizeof sec);
    }
    if (rc != 0)
        snprintf(msg, n, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "alignment failed");
    else if (strcmp(r->status, "ok") != 0) {
        snprintf(msg, n, "alignment with max_moves %g: %s", pct, r->status);
        rc = 1;
    }
    tqo_diag_free(&d);
    return rc;
}

/*
 * A lower bound on the move cap (percent of the first balanced measure)
 * under which the edited plan cannot be balanced: what sits above the
 * territories' upper tolerances must move out, what is missing below the
 * lower ones must move in, and both count as moved. The ladder's rungs
 * below it would fail the check anyway: skipping them gives the same plan
 * one alignment or more sooner.
 */
static double cap_bound(const serve_state *S)
{
    const double *v = S->inst->measures[S->meas[0]].value;
    double *tot = calloc((size_t)S->p, sizeof(double)), all = 0, over = 0, under = 0;
    if (!tot)
        return 0;
    for (int i = 0; i < S->n; i++) {
        all += v[i];
        if (S->cur.terr[i] >= 0)
            tot[S->cur.terr[i]] += v[i];
    }
    double tol = S->P->align.balance_tol_pct[0] / 100;
    for (int j = 0; j < S->p; j++) { /* with the slack of the alignment's own check (1e-9 of the target) */
        double tg = S->target[j * S->nb], slack = 1e-9 * fmax(1.0, tg);
        over += fmax(0, tot[j] - tg * (1 + tol) - slack);
        under += fmax(0, tg * (1 - tol) - slack - tot[j]);
    }
    free(tot);
    return all > 0 ? 100 * fmax(over, under) / all : 0;
}

int serve_rebalance(serve_state *S, double max_moves, char *msg, size_t n)
{
    static const double ladder[] = {0, 1, 2, 5, 10, 25, -1};
    int *cur = NULL, *lock = NULL;
    tqo_diag d;
    tqo_diag_init(&d);
    int rc = edits_arrays(S, &cur, &lock);
    if (rc == 0 && tqo_instance_set_plan(S->inst, S->p, (const char *const *)S->tid, cur, lock, &d) != TQO_OK) {
        snprintf(msg, n, "%s", tqo_diag_first_error(&d) ? tqo_diag_first_error(&d) : "out of memory");
        rc = -1;
    }
    tqo_diag_free(&d);
    tqo_align_result r;
    memset(&r, 0, sizeof r);
    double used = max_moves;
    int found = 0;
    double t0 = cli_now_s();
    S->n_runs = 0;
    S->reb_bound_pct = cap_bound(S);
    if (rc == 0 && max_moves >= 0) {
        found = try_cap(S, max_moves, &r, msg, n) == 0;
    } else {
        for (size_t k = 0; rc == 0 && !found && k < sizeof ladder / sizeof *ladder; k++) {
            if (ladder[k] >= 0 && ladder[k] < S->reb_bound_pct * (1 - 1e-9))
                continue; /* cannot restore balance: see cap_bound */
            tqo_align_result_free(&r);
            used = ladder[k];
            found = try_cap(S, used, &r, msg, n) == 0;
        }
    }
    if (rc == 0 && !found)
        rc = -1;
    if (rc == 0 && (serve_push_undo(S) != 0 || take_result(S, &r) != 0)) {
        snprintf(msg, n, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        free(S->reb_current);
        free(S->reb_lock);
        S->reb_current = cur;
        S->reb_lock = lock;
        cur = lock = NULL;
        S->reb_max_moves = used;
        S->dirty = 0;
        S->have_edits = 1;
        S->version++;
        S->last_align_s = cli_now_s() - t0;
    }
    tqo_align_result_free(&r);
    free(cur);
    free(lock);
    return rc;
}
