/* Reading assignment.csv (see assignment_load.h). */
#include "instance/assignment_load.h"
#include "util/csv_reader.h"
#include "util/strmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tqo_assignment_free(tqo_assignment *a)
{
    if (a->territory_id)
        for (int j = 0; j < a->n_territories; j++)
            free(a->territory_id[j]);
    free(a->territory_id);
    free(a->unit_start);
    free(a->terr);
    free(a->share);
    memset(a, 0, sizeof *a);
}

typedef struct row3 {
    int unit, terr;
    double share;
    long line;
} row3;

typedef struct acc {
    const tqo_instance *inst;
    strmap units, terrs;
    tqo_assignment *a;
    int tcap;
    int cu, ct, cs;
    row3 *rows;
    long n, cap;
    int nomem;
} acc;

int tqoi_instance_unit_row(csv_file *f, const csv_row *row, const strmap *units, int *cu, int *ct, const char *expected,
                      int *u)
{
    if (*cu < 0) {
        *cu = tqoi_csv_col(f, "unit_id");
        *ct = tqoi_csv_col(f, "territory_id");
        if (*cu < 0 || *ct < 0) {
            tqoi_csv_file_error(f, 1, *cu < 0 ? "unit_id" : "territory_id", "missing from the header (expected %s)",
                           expected);
            return 1;
        }
    }
    const char *us = row->field[*cu];
    *u = tqoi_strmap_get(units, us);
    if (*u < 0) {
        tqoi_csv_file_error(f, row->line, f->cols[*cu], "unknown unit '%s' (not in units.csv)", us);
        return 0;
    }
    return 2;
}

static int row_fn(void *ctx, csv_file *f, const csv_row *row)
{
    acc *A = ctx;
    int first = A->cu < 0, u;
    int k = tqoi_instance_unit_row(f, row, &A->units, &A->cu, &A->ct, "unit_id,territory_id,share", &u);
    if (first && A->cu >= 0)
        A->cs = tqoi_csv_col(f, "share");
    if (k != 2)
        return k;
    const char *ts = row->field[A->ct];
    if (!*ts) {
        tqoi_csv_file_error(f, row->line, f->cols[A->ct], "empty territory id");
        return 0;
    }
    double sh = 1.0;
    if (A->cs >= 0) {
        const char *ss = row->field[A->cs];
        int r = tqoi_csv_parse_number(ss, &sh);
        if (r != 0 || !(sh > 0) || sh > 1 + 1e-9) {
            tqoi_csv_file_error(f, row->line, f->cols[A->cs], "'%s' is not a share in (0, 1]", ss);
            return 0;
        }
    }
    int t = tqoi_strmap_get(&A->terrs, ts);
    if (t < 0) {
        tqo_assignment *a = A->a;
        if (a->n_territories == A->tcap) {
            int c = A->tcap ? 2 * A->tcap : 16;
            char **x = realloc(a->territory_id, (size_t)c * sizeof *x);
            if (!x) {
                A->nomem = 1;
                return 1;
            }
            a->territory_id = x;
            A->tcap = c;
        }
        a->territory_id[a->n_territories] = strdup(ts);
        if (!a->territory_id[a->n_territories] ||
            tqoi_strmap_put(&A->terrs, a->territory_id[a->n_territories], a->n_territories) == -2) {
            A->nomem = 1;
            return 1;
        }
        t = a->n_territories++;
    }
    if (A->n == A->cap) {
        long c = A->cap ? 2 * A->cap : 1024;
        row3 *x = realloc(A->rows, (size_t)c * sizeof *x);
        if (!x) {
            A->nomem = 1;
            return 1;
        }
        A->rows = x;
        A->cap = c;
    }
    A->rows[A->n].unit = u;
    A->rows[A->n].terr = t;
    A->rows[A->n].share = sh;
    A->rows[A->n].line = row->line;
    A->n++;
    return 0;
}

static int by_unit(const void *x, const void *y)
{
    const row3 *a = x, *b = y;
    if (a->unit != b->unit)
        return a->unit - b->unit;
    if (a->terr != b->terr)
        return a->terr - b->terr;
    return a->line < b->line ? -1 : a->line > b->line;
}

static _Thread_local char **sort_names;
static int by_name(const void *x, const void *y)
{
    return strcmp(sort_names[*(const int *)x], sort_names[*(const int *)y]);
}

/* Territories in id order, so that outputs do not depend on row order. */
static tqo_status sort_territories(tqo_assignment *a)
{
    int p = a->n_territories;
    int *ord = malloc(((size_t)p + 1) * sizeof(int)), *pos = malloc(((size_t)p + 1) * sizeof(int));
    char **ids = malloc(((size_t)p + 1) * sizeof(char *));
    if (!ord || !pos || !ids) {
        free(ord);
        free(pos);
        free(ids);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++)
        ord[j] = j;
    sort_names = a->territory_id;
    qsort(ord, (size_t)p, sizeof(int), by_name);
    for (int k = 0; k < p; k++) {
        pos[ord[k]] = k;
        ids[k] = a->territory_id[ord[k]];
    }
    memcpy(a->territory_id, ids, (size_t)p * sizeof(char *));
    for (int k = 0; k < a->unit_start[a->n_units]; k++)
        a->terr[k] = pos[a->terr[k]];
    free(ord);
    free(pos);
    free(ids);
    return TQO_OK;
}

tqo_status tqo_assignment_load(const char *path, const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag)
{
    memset(a, 0, sizeof *a);
    acc A;
    memset(&A, 0, sizeof A);
    A.inst = inst;
    A.a = a;
    A.cu = A.ct = A.cs = -1;
    if (tqoi_strmap_init(&A.units, (size_t)inst->n_units) != 0 || tqoi_strmap_init(&A.terrs, 64) != 0) {
        tqoi_strmap_free(&A.units);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < inst->n_units; i++)
        tqoi_strmap_put(&A.units, inst->unit_id[i], i);
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, row_fn, &A);
    if (st == TQO_OK && A.cu < 0 && f.n_errors == 0) {
        tqoi_csv_file_error(&f, 0, NULL, "has no rows: every unit must be assigned");
        st = TQO_ERR_INPUT;
    }
    if (A.nomem)
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK && f.n_errors == 0) {
        int n = inst->n_units;
        qsort(A.rows, (size_t)A.n, sizeof(row3), by_unit);
        a->n_units = n;
        a->unit_start = calloc((size_t)n + 1, sizeof(int));
        a->terr = malloc((size_t)(A.n + 1) * sizeof(int));
        a->share = malloc((size_t)(A.n + 1) * sizeof(double));
        if (!a->unit_start || !a->terr || !a->share) {
            st = TQO_ERR_NOMEM;
        } else {
            long k = 0;
            int missing = 0;
            for (int i = 0; i < n; i++) {
                a->unit_start[i] = (int)k;
                double sum = 0;
                long k0 = k;
                while (k < A.n && A.rows[k].unit == i) {
                    if (k > k0 && A.rows[k].terr == A.rows[k - 1].terr)
                        tqoi_csv_file_error(&f, A.rows[k].line, "territory_id",
                                       "unit '%s' is assigned to '%s' twice (first on line %ld)", inst->unit_id[i],
                                       a->territory_id[A.rows[k].terr], A.rows[k - 1].line);
                    a->terr[k] = A.rows[k].terr;
                    a->share[k] = A.rows[k].share;
                    sum += A.rows[k].share;
                    k++;
                }
                if (k == k0) {
                    if (missing++ < 5)
                        tqoi_csv_file_error(&f, 0, NULL, "unit '%s' of units.csv is not assigned", inst->unit_id[i]);
                    else
                        f.n_errors++, diag->n_errors++;
                } else if (fabs(sum - 1) > 1e-6) {
                    tqoi_csv_file_error(&f, A.rows[k0].line, "share", "the shares of unit '%s' add up to %.9g, not 1",
                                   inst->unit_id[i], sum);
                } else {
                    for (long q = k0; q < k; q++)
                        a->share[q] /= sum;
                }
            }
            a->unit_start[n] = (int)k;
            if (f.n_errors)
                st = TQO_ERR_INPUT;
        }
    } else if (st == TQO_OK) {
        st = TQO_ERR_INPUT;
    }
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    free(A.rows);
    tqoi_strmap_free(&A.units);
    tqoi_strmap_free(&A.terrs);
    if (st == TQO_OK)
        st = sort_territories(a);
    if (st != TQO_OK)
        tqo_assignment_free(a);
    return st;
}

tqo_status tqo_assignment_from_current(const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag)
{
    memset(a, 0, sizeof *a);
    if (!inst->current) {
        tqo_diag_error(diag, "no assignment: give --assignment FILE, or a 'current' column in units.csv");
        return TQO_ERR_INPUT;
    }
    int n = inst->n_units, p = inst->n_territories;
    for (int i = 0; i < n; i++)
        if (inst->current[i] < 0) {
            tqo_diag_error(diag, "unit '%s' has no current territory: give --assignment FILE", inst->unit_id[i]);
            return TQO_ERR_INPUT;
        }
    a->n_units = n;
    a->n_territories = p;
    a->territory_id = calloc((size_t)p, sizeof(char *));
    a->unit_start = malloc(((size_t)n + 1) * sizeof(int));
    a->terr = malloc(((size_t)n + 1) * sizeof(int));
    a->share = malloc(((size_t)n + 1) * sizeof(double));
    if (!a->territory_id || !a->unit_start || !a->terr || !a->share) {
        tqo_assignment_free(a);
        return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++)
        if (!(a->territory_id[j] = strdup(inst->territory_id[j]))) {
            tqo_assignment_free(a);
            return TQO_ERR_NOMEM;
        }
    for (int i = 0; i < n; i++) {
        a->unit_start[i] = i;
        a->terr[i] = inst->current[i];
        a->share[i] = 1.0;
    }
    a->unit_start[n] = n;
    return TQO_OK;
}
