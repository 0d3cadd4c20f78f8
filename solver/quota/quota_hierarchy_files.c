/* nodes.csv and the submissions file of the quota hierarchy (see
   quota_hierarchy.h and docs/format.md). */
#include "quota/quota_hierarchy.h"
#include "util/csv_reader.h"
#include "util/strmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct spec_acc {
    const quota_hier *H;
    quota_node_spec *S;
    strmap ids;
    long *seen;                /* line per node of this file (0: not yet) */
    int submissions;           /* 1: the submissions file */
    int cid, clev, ct, cmin, cmax, coa, cval, cw;
} spec_acc;

/* The columns; an unknown one is a typo more often than not. */
static int spec_header(spec_acc *A, csv_file *f)
{
    static const char *const node_cols[] = {"id", "level", "target", "min_growth", "max_growth", "over_assignment"};
    static const char *const sub_cols[] = {"node_id", "value", "weight"};
    const char *const *known = A->submissions ? sub_cols : node_cols;
    int nk = A->submissions ? 3 : 6;
    for (int c = 0; c < f->n_cols; c++) {
        int ok = 0;
        for (int k = 0; k < nk; k++)
            ok |= strcasecmp(f->cols[c], known[k]) == 0;
        if (!ok) {
            tqoi_csv_file_error(f, 1, f->cols[c], "unknown column (expected %s)",
                                A->submissions ? "node_id, value, weight"
                                               : "id, level, target, min_growth, max_growth, over_assignment");
            return 1;
        }
    }
    if (A->submissions) {
        A->cid = tqoi_csv_col(f, "node_id");
        A->cval = tqoi_csv_col(f, "value");
        A->cw = tqoi_csv_col(f, "weight");
        if (A->cid < 0 || A->cval < 0) {
            tqoi_csv_file_error(f, 1, A->cid < 0 ? "node_id" : "value", "missing from the header");
            return 1;
        }
        return 0;
    }
    A->cid = tqoi_csv_col(f, "id");
    A->clev = tqoi_csv_col(f, "level");
    A->ct = tqoi_csv_col(f, "target");
    A->cmin = tqoi_csv_col(f, "min_growth");
    A->cmax = tqoi_csv_col(f, "max_growth");
    A->coa = tqoi_csv_col(f, "over_assignment");
    if (A->cid < 0) {
        tqoi_csv_file_error(f, 1, "id", "missing from the header");
        return 1;
    }
    return 0;
}

/* A number of column c into *out (empty: NAN); lo: the smallest allowed,
   strictly above it when strict. 0 ok, else an error was reported. */
static int spec_num(csv_file *f, const csv_row *row, int c, double lo, int strict, const char *what, double *out)
{
    *out = NAN;
    if (c < 0 || !*row->field[c])
        return 0;
    double v;
    if (tqoi_csv_parse_number(row->field[c], &v) != 0 || (strict ? v <= lo : v < lo)) {
        tqoi_csv_file_error(f, row->line, f->cols[c], "'%s' is not %s", row->field[c], what);
        return 1;
    }
    *out = v;
    return 0;
}

static int spec_row(void *ctx, csv_file *f, const csv_row *row)
{
    spec_acc *A = ctx;
    if (A->cid < 0 && spec_header(A, f) != 0)
        return 1;
    const char *id = row->field[A->cid];
    int v = tqoi_strmap_get(&A->ids, id);
    if (v < 0) {
        tqoi_csv_file_error(f, row->line, f->cols[A->cid], "no node '%s' in the hierarchy (%s)", id, A->H->source);
        return 0;
    }
    if (A->seen[v]) {
        tqoi_csv_file_error(f, row->line, f->cols[A->cid], "node '%s' appears twice (first on line %ld)", id,
                            A->seen[v]);
        return 0;
    }
    A->seen[v] = row->line;
    quota_node_spec *S = A->S;
    if (A->submissions) {
        double w;
        if (spec_num(f, row, A->cval, 0, 0, "a non-negative number", &S->submitted[v]) ||
            spec_num(f, row, A->cw, 0, 1, "a positive number", &w))
            return 0;
        if (isnan(S->submitted[v]))
            tqoi_csv_file_error(f, row->line, f->cols[A->cval], "empty: a submission needs a value");
        S->weight[v] = isnan(w) ? 1.0 : w;
        return 0;
    }
    if (A->clev >= 0 && *row->field[A->clev] && strcasecmp(row->field[A->clev], A->H->level[v]) != 0) {
        tqoi_csv_file_error(f, row->line, f->cols[A->clev], "node '%s' is at level '%s' in the hierarchy, not '%s'", id,
                            A->H->level[v], row->field[A->clev]);
        return 0;
    }
    S->line[v] = row->line;
    if (spec_num(f, row, A->ct, 0, 0, "a non-negative amount", &S->target[v]) ||
        spec_num(f, row, A->cmin, -100, 0, "a growth in percent (at least -100)", &S->min_growth[v]) ||
        spec_num(f, row, A->cmax, -100, 0, "a growth in percent (at least -100)", &S->max_growth[v]) ||
        spec_num(f, row, A->coa, -100, 1, "an over-assignment in percent (above -100)", &S->over_assign[v]))
        return 0;
    if (!isnan(S->over_assign[v]) && v >= A->H->first_leaf)
        tqoi_csv_file_error(f, row->line, f->cols[A->coa], "territory '%s' has no children to over-assign to", id);
    return 0;
}

static tqo_status spec_read(spec_acc *A, const char *path, tqo_diag *diag)
{
    memset(A->seen, 0, (size_t)A->H->n * sizeof(long));
    A->cid = -1;
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, spec_row, A);
    if (st == TQO_OK && !f.n_errors && A->cid < 0)
        spec_header(A, &f); /* header only: still check it */
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    return st;
}

void tqoi_qh_spec_free(quota_node_spec *S)
{
    free(S->target);
    free(S->min_growth);
    free(S->max_growth);
    free(S->over_assign);
    free(S->submitted);
    free(S->weight);
    free(S->line);
    memset(S, 0, sizeof *S);
}

tqo_status tqoi_qh_spec_load(const quota_hier *H, const char *nodes, const char *submissions, quota_node_spec *S,
                             tqo_diag *diag)
{
    memset(S, 0, sizeof *S);
    int n = H->n;
    double **arr[] = {&S->target, &S->min_growth, &S->max_growth, &S->over_assign, &S->submitted, &S->weight};
    for (int k = 0; k < 6; k++) {
        if (!(*arr[k] = malloc((size_t)n * sizeof(double))))
            goto nomem;
        for (int v = 0; v < n; v++)
            (*arr[k])[v] = NAN;
    }
    S->line = calloc((size_t)n, sizeof(long));
    S->nodes_path = nodes;
    spec_acc A;
    memset(&A, 0, sizeof A);
    A.H = H;
    A.S = S;
    A.seen = calloc((size_t)n, sizeof(long));
    if (!S->line || !A.seen || tqoi_strmap_init(&A.ids, (size_t)n) != 0)
        goto nomem_acc;
    for (int v = 0; v < n; v++)
        if (tqoi_strmap_put(&A.ids, H->id[v], v) == -2)
            goto nomem_acc;
    tqo_status st = TQO_OK;
    if (nodes)
        st = spec_read(&A, nodes, diag);
    A.submissions = 1;
    if (st == TQO_OK && submissions)
        st = spec_read(&A, submissions, diag);
    free(A.seen);
    tqoi_strmap_free(&A.ids);
    if (st != TQO_OK)
        tqoi_qh_spec_free(S);
    return st;
nomem_acc:
    free(A.seen);
    tqoi_strmap_free(&A.ids);
nomem:
    tqo_diag_error(diag, "out of memory reading the node settings");
    tqoi_qh_spec_free(S);
    return TQO_ERR_NOMEM;
}
