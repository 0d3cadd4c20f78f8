/*
 * A plan laid over a loaded instance: its territories, each unit's current
 * territory and the locks, from memory (tqo serve's edits) or from files
 * (plan.ini's [input] current and locks, which tqo serve's Save writes), so
 * that both reach tqo_align with exactly the same instance.
 */
#include "instance/assignment_load.h"
#include "util/csv_reader.h"
#include "util/strmap.h"
#include "tqo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Gives an instance without territories the plan's, sorted by id so that
   any source of the same ids makes the same instance. */
static tqo_status adopt_territories(tqo_instance *inst, int n, const char *const *ids, int *map, tqo_diag *diag)
{
    char **sorted = malloc((size_t)n * sizeof(char *));
    inst->territory_id = calloc((size_t)n, sizeof(char *));
    inst->home_x = malloc((size_t)n * sizeof(double));
    inst->home_y = malloc((size_t)n * sizeof(double));
    inst->capacity = malloc((size_t)n * sizeof(double));
    inst->ramp = malloc((size_t)n * sizeof(double));
    if (!sorted || !inst->territory_id || !inst->home_x || !inst->home_y || !inst->capacity || !inst->ramp) {
        free(sorted);
        return TQO_ERR_NOMEM;
    }
    memcpy(sorted, ids, (size_t)n * sizeof(char *));
    qsort(sorted, (size_t)n, sizeof(char *), by_str);
    inst->n_territories = n;
    for (int k = 0; k < n; k++) {
        if (k > 0 && strcmp(sorted[k], sorted[k - 1]) == 0) {
            tqo_diag_error(diag, "territory '%s' is named twice", sorted[k]);
            free(sorted);
            return TQO_ERR_ARG;
        }
        inst->territory_id[k] = strdup(sorted[k]);
        if (!inst->territory_id[k]) {
            free(sorted);
            return TQO_ERR_NOMEM;
        }
        inst->home_x[k] = inst->home_y[k] = NAN;
        inst->capacity[k] = inst->ramp[k] = 1.0;
    }
    free(sorted);
    for (int j = 0; j < n; j++)
        map[j] = tqo_instance_territory(inst, ids[j]);
    return TQO_OK;
}

tqo_status tqo_instance_set_plan(tqo_instance *inst, int n_terr, const char *const *ids, const int *current,
                                 const int *lock, tqo_diag *diag)
{
    if (!inst || n_terr < 1 || !ids)
        return TQO_ERR_ARG;
    int *map = malloc((size_t)n_terr * sizeof(int));
    if (!map)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    if (inst->n_territories == 0) {
        st = adopt_territories(inst, n_terr, ids, map, diag);
    } else {
        for (int j = 0; j < n_terr && st == TQO_OK; j++) {
            map[j] = tqo_instance_territory(inst, ids[j]);
            if (map[j] < 0) {
                tqo_diag_error(diag, "territory '%s' is not one of the instance's", ids[j]);
                st = TQO_ERR_ARG;
            }
        }
    }
    int n = inst->n_units;
    if (st == TQO_OK && current) {
        if (!inst->current && !(inst->current = malloc((size_t)n * sizeof(int))))
            st = TQO_ERR_NOMEM;
        for (int i = 0; st == TQO_OK && i < n; i++)
            inst->current[i] = current[i] >= 0 && current[i] < n_terr ? map[current[i]] : -1;
    }
    if (st == TQO_OK && lock) {
        free(inst->lock);
        inst->lock = malloc((size_t)n * sizeof(int));
        inst->n_locks = 0;
        if (!inst->lock)
            st = TQO_ERR_NOMEM;
        for (int i = 0; st == TQO_OK && i < n; i++) {
            inst->lock[i] = lock[i] >= 0 && lock[i] < n_terr ? map[lock[i]] : -1;
            inst->n_locks += inst->lock[i] >= 0;
        }
    }
    free(map);
    return st;
}

/* locks.csv rows: unit_id,territory_id, each unit at most once. */
typedef struct lock_rows {
    const tqo_instance *inst;
    strmap units, terrs;
    int cu, ct, n_terr, cap, nomem;
    char **ids;
    int *lock;
} lock_rows;

static int lock_row(void *ctx, csv_file *f, const csv_row *row)
{
    lock_rows *A = ctx;
    int u, k = tqoi_instance_unit_row(f, row, &A->units, &A->cu, &A->ct, "unit_id,territory_id", &u);
    if (k != 2)
        return k;
    const char *us = row->field[A->cu], *ts = row->field[A->ct];
    if (A->lock[u] >= 0) {
        tqoi_csv_file_error(f, row->line, f->cols[A->cu], "unit '%s' is locked twice", us);
        return 0;
    }
    int t = tqoi_strmap_get(&A->terrs, ts);
    if (t < 0) {
        if (A->n_terr == A->cap) {
            int cap = A->cap ? 2 * A->cap : 16;
            char **ids = realloc(A->ids, (size_t)cap * sizeof(char *));
            if (!ids)
                return A->nomem = 1;
            A->ids = ids;
            A->cap = cap;
        }
        if (!*ts || !(A->ids[A->n_terr] = strdup(ts))) {
            if (*ts)
                return A->nomem = 1;
            tqoi_csv_file_error(f, row->line, f->cols[A->ct], "empty territory id");
            return 0;
        }
        t = A->n_terr++;
        tqoi_strmap_put(&A->terrs, A->ids[t], t);
    }
    A->lock[u] = t;
    return 0;
}

/* Merges the territories of the current plan and of the locks into one id
   list; lock indices are renumbered into it. */
static tqo_status merge_ids(tqo_assignment *a, lock_rows *L, const char ***ids, int *n, int *cur, tqo_diag *diag)
{
    int na = a ? a->n_territories : 0, cap = na + L->n_terr + 1;
    *ids = malloc((size_t)cap * sizeof(char *));
    if (!*ids)
        return TQO_ERR_NOMEM;
    *n = 0;
    for (int j = 0; j < na; j++)
        (*ids)[(*n)++] = a->territory_id[j];
    for (int t = 0; t < L->n_terr; t++) {
        int k = 0;
        while (k < *n && strcmp((*ids)[k], L->ids[t]) != 0)
            k++;
        if (k == *n)
            (*ids)[(*n)++] = L->ids[t];
        for (int i = 0; i < L->inst->n_units; i++)
            if (L->lock[i] == t)
                L->lock[i] = -2 - k; /* renumbered; made positive below */
    }
    for (int i = 0; i < L->inst->n_units; i++)
        if (L->lock[i] <= -2)
            L->lock[i] = -2 - L->lock[i];
    for (int i = 0; a && i < a->n_units; i++) {
        int best = -1;
        for (int e = a->unit_start[i]; e < a->unit_start[i + 1]; e++)
            if (best < 0 || a->share[e] > a->share[best])
                best = e;
        cur[i] = best >= 0 ? a->terr[best] : -1;
    }
    (void)diag;
    return TQO_OK;
}

static tqo_status read_locks(const tqo_instance *inst, const char *path, lock_rows *L, tqo_diag *diag)
{
    L->inst = inst;
    L->cu = L->ct = -1;
    L->lock = malloc((size_t)inst->n_units * sizeof(int));
    if (!L->lock || tqoi_strmap_init(&L->units, (size_t)inst->n_units) != 0 || tqoi_strmap_init(&L->terrs, 64) != 0)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < inst->n_units; i++) {
        L->lock[i] = -1;
        tqoi_strmap_put(&L->units, inst->unit_id[i], i);
    }
    if (!path)
        return TQO_OK;
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, lock_row, L);
    if (L->nomem)
        st = TQO_ERR_NOMEM;
    else if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    return st;
}

tqo_status tqo_instance_read_plan(tqo_instance *inst, const char *current_path, const char *locks_path,
                                  tqo_diag *diag)
{
    if (!inst || (!current_path && !locks_path))
        return TQO_ERR_ARG;
    tqo_assignment a;
    memset(&a, 0, sizeof a);
    lock_rows L;
    memset(&L, 0, sizeof L);
    const char **ids = NULL;
    int n_ids = 0;
    int *cur = malloc((size_t)inst->n_units * sizeof(int) + 1);
    tqo_status st = cur ? TQO_OK : TQO_ERR_NOMEM;
    if (st == TQO_OK && current_path)
        st = tqo_assignment_load(current_path, inst, &a, diag);
    if (st == TQO_OK)
        st = read_locks(inst, locks_path, &L, diag);
    if (st == TQO_OK)
        st = merge_ids(current_path ? &a : NULL, &L, &ids, &n_ids, cur, diag);
    if (st == TQO_OK && n_ids == 0) {
        tqo_diag_error(diag, "%s: names no territory", locks_path ? locks_path : current_path);
        st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK)
        st = tqo_instance_set_plan(inst, n_ids, ids, current_path ? cur : NULL, locks_path ? L.lock : NULL, diag);
    free(ids);
    free(cur);
    for (int t = 0; t < L.n_terr; t++)
        free(L.ids[t]);
    free(L.ids);
    free(L.lock);
    tqoi_strmap_free(&L.units);
    tqoi_strmap_free(&L.terrs);
    tqo_assignment_free(&a);
    return st;
}
