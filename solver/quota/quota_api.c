/* Public helpers of the quota step for callers of tqo.h: the forecast
   method names and the region targets file. */
#include "quota/forecast.h"
#include "util/csv_reader.h"
#include "tqo.h"

#include <stdlib.h>
#include <string.h>

const char *tqo_forecast_method_lookup(const char *name)
{
    forecast_method m;
    /* tqoi_forecast_method_name returns string constants: safe to keep */
    return tqoi_forecast_method_parse(name, &m) ? tqoi_forecast_method_name(m) : NULL;
}

void tqo_region_targets_free(tqo_region_targets *rt)
{
    if (!rt)
        return;
    for (int k = 0; k < rt->n; k++)
        free(rt->name[k]);
    free(rt->name);
    free(rt->target);
    memset(rt, 0, sizeof *rt);
}

typedef struct rt_acc {
    tqo_region_targets *rt;
    int cap;
    int nomem;
} rt_acc;

static int rt_grow(rt_acc *A)
{
    tqo_region_targets *rt = A->rt;
    int c = A->cap ? 2 * A->cap : 16;
    char **nn = realloc(rt->name, (size_t)c * sizeof *nn);
    if (!nn)
        return -1;
    rt->name = nn;
    double *tt = realloc(rt->target, (size_t)c * sizeof *tt);
    if (!tt)
        return -1;
    rt->target = tt;
    A->cap = c;
    return 0;
}

static int rt_row(void *ctx, csv_file *f, const csv_row *row)
{
    rt_acc *A = ctx;
    tqo_region_targets *rt = A->rt;
    int cr = tqoi_csv_col(f, "region"), ct = tqoi_csv_col(f, "target");
    if (cr < 0 || ct < 0) {
        tqoi_csv_file_error(f, 1, cr < 0 ? "region" : "target", "missing from the header (expected region,target)");
        return 1;
    }
    double v;
    if (tqoi_csv_parse_number(row->field[ct], &v) != 0 || v < 0) {
        tqoi_csv_file_error(f, row->line, f->cols[ct], "'%s' is not a non-negative number", row->field[ct]);
        return 0;
    }
    for (int k = 0; k < rt->n; k++)
        if (strcmp(rt->name[k], row->field[cr]) == 0) {
            tqoi_csv_file_error(f, row->line, f->cols[cr], "region '%s' appears twice", row->field[cr]);
            return 0;
        }
    if ((rt->n == A->cap && rt_grow(A) != 0) || !(rt->name[rt->n] = strdup(row->field[cr]))) {
        A->nomem = 1;
        return 1;
    }
    rt->target[rt->n++] = v;
    return 0;
}

tqo_status tqo_region_targets_load(const char *path, tqo_region_targets *rt, tqo_diag *diag)
{
    if (!rt)
        return TQO_ERR_ARG;
    memset(rt, 0, sizeof *rt);
    if (!path) {
        tqo_diag_error(diag, "region targets: no file given");
        return TQO_ERR_ARG;
    }
    rt_acc A = {rt, 0, 0};
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, rt_row, &A);
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    if (A.nomem)
        st = TQO_ERR_NOMEM;
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    if (st != TQO_OK)
        tqo_region_targets_free(rt);
    return st;
}
