/* The quota hierarchy's tree (see quota_hierarchy.h): read from level:
   columns, or made of the region column. */
#include "quota/quota_hierarchy.h"
#include "util/csv_reader.h"
#include "util/path.h"
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEVEL_PREFIX "level:"

/* The nodes above the territories while reading: grown arrays. */
typedef struct qh_acc {
    const tqo_assignment *a;
    strmap terr;               /* territory id -> index in a */
    strmap nodes;              /* node id -> internal index */
    int n, cap;
    char **id;
    int *lev, *parent;         /* level column index, parent internal index (-1: root) */
    long *line;
    int *terr_parent;          /* per territory: internal index, -1 root, -2 not seen */
    long *terr_line;
    int lcol[64], n_levels;    /* the level: columns, outermost first */
    int cid;
    int nomem;
} qh_acc;

static int acc_add(qh_acc *A, const char *id, int lev, int parent, long line)
{
    if (A->n == A->cap) {
        int c = A->cap ? 2 * A->cap : 32;
        char **ni = realloc(A->id, (size_t)c * sizeof *ni);
        if (ni)
            A->id = ni;
        int *nl = realloc(A->lev, (size_t)c * sizeof *nl);
        if (nl)
            A->lev = nl;
        int *np = realloc(A->parent, (size_t)c * sizeof *np);
        if (np)
            A->parent = np;
        long *nn = realloc(A->line, (size_t)c * sizeof *nn);
        if (nn)
            A->line = nn;
        if (!ni || !nl || !np || !nn)
            return -1;
        A->cap = c;
    }
    if (!(A->id[A->n] = strdup(id)))
        return -1;
    A->lev[A->n] = lev;
    A->parent[A->n] = parent;
    A->line[A->n] = line;
    if (tqoi_strmap_put(&A->nodes, A->id[A->n], A->n) == -2)
        return -1;
    return A->n++;
}

/* The header: territory_id and the level: columns, in order. */
static int qh_header(qh_acc *A, csv_file *f)
{
    A->cid = tqoi_csv_col(f, "territory_id");
    if (A->cid < 0) {
        tqoi_csv_file_error(f, 1, "territory_id", "missing from the header");
        return 1;
    }
    for (int c = 0; c < f->n_cols; c++)
        if (strncasecmp(f->cols[c], LEVEL_PREFIX, strlen(LEVEL_PREFIX)) == 0) {
            if (!f->cols[c][strlen(LEVEL_PREFIX)]) {
                tqoi_csv_file_error(f, 1, f->cols[c], "a level column needs a name (level:region)");
                return 1;
            }
            if (A->n_levels == 64) {
                tqoi_csv_file_error(f, 1, f->cols[c], "more than 64 levels");
                return 1;
            }
            A->lcol[A->n_levels++] = c;
        }
    if (!A->n_levels) {
        tqoi_csv_file_error(f, 1, "level:NAME", "missing: the hierarchy needs level:NAME columns, outermost "
                            "first (e.g. level:area,level:region)");
        return 1;
    }
    return 0;
}

/* One territory's path from the top level down: every node must keep the
   level and the parent it was first seen with. */
static int qh_row(void *ctx, csv_file *f, const csv_row *row)
{
    qh_acc *A = ctx;
    if (A->n_levels == 0 && qh_header(A, f) != 0)
        return 1;
    const char *tid = row->field[A->cid];
    int j = tqoi_strmap_get(&A->terr, tid);
    if (j < 0)
        return 0; /* a territory without units: not in the plan */
    if (A->terr_parent[j] != -2) {
        tqoi_csv_file_error(f, row->line, f->cols[A->cid], "territory '%s' appears twice (first on line %ld)", tid,
                            A->terr_line[j]);
        return 0;
    }
    int parent = -1;
    for (int k = 0; k < A->n_levels; k++) {
        const char *col = f->cols[A->lcol[k]], *v = row->field[A->lcol[k]];
        if (!*v) {
            tqoi_csv_file_error(f, row->line, col, "empty: territory '%s' needs a node at every level", tid);
            return 0;
        }
        int node = tqoi_strmap_get(&A->nodes, v);
        if (node < 0) {
            if ((node = acc_add(A, v, k, parent, row->line)) < 0) {
                A->nomem = 1;
                return 1;
            }
        } else if (A->lev[node] != k) {
            tqoi_csv_file_error(f, row->line, col, "node '%s' is also a %s (line %ld): ids must be unique across "
                                "levels", v, f->cols[A->lcol[A->lev[node]]] + strlen(LEVEL_PREFIX), A->line[node]);
            return 0;
        } else if (A->parent[node] != parent) {
            const char *was = A->parent[node] < 0 ? "company" : A->id[A->parent[node]];
            tqoi_csv_file_error(f, row->line, col, "node '%s' is under '%s' here but under '%s' on line %ld", v,
                                parent < 0 ? "company" : A->id[parent], was, A->line[node]);
            return 0;
        }
        parent = node;
    }
    A->terr_parent[j] = parent;
    A->terr_line[j] = row->line;
    return 0;
}

static void acc_free(qh_acc *A)
{
    for (int k = 0; k < A->n; k++)
        free(A->id[k]);
    free(A->id);
    free(A->lev);
    free(A->parent);
    free(A->line);
    free(A->terr_parent);
    free(A->terr_line);
    tqoi_strmap_free(&A->terr);
    tqoi_strmap_free(&A->nodes);
}

void tqoi_qh_free(quota_hier *H)
{
    if (!H)
        return;
    for (int k = 0; k < H->n; k++) {
        free(H->id ? H->id[k] : NULL);
        free(H->level ? H->level[k] : NULL);
    }
    free(H->id);
    free(H->level);
    free(H->parent);
    free(H->depth);
    free(H->child_start);
    free(H->child);
    free(H->line);
    free(H->source);
    memset(H, 0, sizeof *H);
}

/* The final arrays from the accumulated nodes: root, nodes, territories. */
static tqo_status qh_finish(qh_acc *A, csv_file *f, const char *const *level_names, quota_hier *H)
{
    int p = A->a->n_territories, n = 1 + A->n + p;
    H->n = n;
    H->p = p;
    H->first_leaf = 1 + A->n;
    H->n_levels = A->n_levels;
    H->id = calloc((size_t)n, sizeof(char *));
    H->level = calloc((size_t)n, sizeof(char *));
    H->parent = malloc((size_t)n * sizeof(int));
    H->depth = malloc((size_t)n * sizeof(int));
    H->line = calloc((size_t)n, sizeof(long));
    H->child_start = calloc((size_t)n + 1, sizeof(int));
    H->child = malloc((size_t)n * sizeof(int));
    if (!H->id || !H->level || !H->parent || !H->depth || !H->line || !H->child_start || !H->child)
        return TQO_ERR_NOMEM;
    H->id[0] = strdup("company");
    H->level[0] = strdup("company");
    H->parent[0] = -1;
    H->depth[0] = 0;
    for (int k = 0; k < A->n; k++) {
        H->id[1 + k] = strdup(A->id[k]);
        H->level[1 + k] = strdup(level_names[A->lev[k]]);
        H->parent[1 + k] = A->parent[k] < 0 ? 0 : 1 + A->parent[k];
        H->line[1 + k] = A->line[k];
    }
    for (int j = 0; j < p; j++) {
        int v = H->first_leaf + j;
        H->id[v] = strdup(A->a->territory_id[j]);
        H->level[v] = strdup("territory");
        H->parent[v] = A->terr_parent[j] < 0 ? 0 : 1 + A->terr_parent[j];
        H->line[v] = A->terr_line ? A->terr_line[j] : 0;
        int clash = tqoi_strmap_get(&A->nodes, A->a->territory_id[j]);
        if (clash >= 0 && f)
            tqoi_csv_file_error(f, H->line[v], "territory_id", "territory '%s' is also a %s (line %ld): ids must be "
                                "unique across levels", A->a->territory_id[j], level_names[A->lev[clash]],
                                A->line[clash]);
    }
    for (int v = 0; v < n; v++)
        if (!H->id[v] || !H->level[v])
            return TQO_ERR_NOMEM;
    for (int v = 1; v < n; v++) {
        H->depth[v] = H->depth[H->parent[v]] + 1; /* parents come first */
        H->child_start[H->parent[v] + 1]++;
    }
    for (int v = 0; v < n; v++)
        H->child_start[v + 1] += H->child_start[v];
    int *fill = calloc((size_t)n, sizeof(int));
    if (!fill)
        return TQO_ERR_NOMEM;
    for (int v = 1; v < n; v++) {
        int u = H->parent[v];
        H->child[H->child_start[u] + fill[u]++] = v;
    }
    free(fill);
    return f && f->n_errors ? TQO_ERR_INPUT : TQO_OK;
}

/* The tree from a file with level: columns. */
static tqo_status qh_from_file(qh_acc *A, const char *path, quota_hier *H, tqo_diag *diag)
{
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, qh_row, A);
    if (A->nomem)
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK && !f.n_errors && A->n_levels == 0 && qh_header(A, &f) != 0)
        st = TQO_ERR_INPUT; /* a header without rows */
    if (st == TQO_OK && !f.n_errors)
        for (int j = 0; j < A->a->n_territories; j++)
            if (A->terr_parent[j] == -2)
                tqoi_csv_file_error(&f, 0, "territory_id", "territory '%s' of the assignment has no row: every "
                                    "territory needs its place in the hierarchy", A->a->territory_id[j]);
    const char *names[64];
    for (int k = 0; k < A->n_levels; k++)
        names[k] = f.cols[A->lcol[k]] + strlen(LEVEL_PREFIX);
    if (st == TQO_OK && !f.n_errors)
        st = qh_finish(A, &f, names, H);
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    return st;
}

/* One level from the region names (territories without one hang from the root). */
static tqo_status qh_from_regions(qh_acc *A, const char *const *region, quota_hier *H)
{
    int p = A->a->n_territories;
    for (int j = 0; j < p; j++) {
        const char *r = region ? region[j] : "";
        if (!r || !*r) {
            A->terr_parent[j] = -1;
            continue;
        }
        int node = tqoi_strmap_get(&A->nodes, r);
        if (node < 0 && (node = acc_add(A, r, 0, -1, 0)) < 0)
            return TQO_ERR_NOMEM;
        A->terr_parent[j] = node;
    }
    A->n_levels = A->n > 0;
    static const char *const names[] = {"region"};
    return qh_finish(A, NULL, names, H);
}

static int has_level_labels(const tqo_instance *inst)
{
    for (int k = 0; k < inst->n_territory_labels; k++)
        if (strncasecmp(inst->territory_labels[k].name, LEVEL_PREFIX, strlen(LEVEL_PREFIX)) == 0)
            return 1;
    return 0;
}

int tqoi_qh_wanted(const tqo_instance *inst, const tqo_quota_settings *s)
{
    return s->hierarchy || s->nodes || s->submissions || has_level_labels(inst);
}

tqo_status tqoi_qh_build(const tqo_instance *inst, const tqo_assignment *a, const char *const *region,
                         const char *path, quota_hier *H, tqo_diag *diag)
{
    memset(H, 0, sizeof *H);
    qh_acc A;
    memset(&A, 0, sizeof A);
    A.a = a;
    int p = a->n_territories;
    tqo_status st = TQO_OK;
    char *own = NULL;
    if (tqoi_strmap_init(&A.terr, (size_t)p + 1) != 0 || tqoi_strmap_init(&A.nodes, 64) != 0 ||
        !(A.terr_parent = malloc(((size_t)p + 1) * sizeof(int))) ||
        !(A.terr_line = calloc((size_t)p + 1, sizeof(long)))) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    for (int j = 0; j < p; j++) {
        A.terr_parent[j] = -2;
        if (tqoi_strmap_put(&A.terr, a->territory_id[j], j) == -2) {
            st = TQO_ERR_NOMEM;
            goto done;
        }
    }
    if (!path && inst->source && has_level_labels(inst))
        path = own = tqoi_path_join(inst->source, "territories.csv");
    H->source = strdup(path ? path : "region column");
    if (!H->source) {
        st = TQO_ERR_NOMEM;
        goto done;
    }
    st = path ? qh_from_file(&A, path, H, diag) : qh_from_regions(&A, region, H);
done:
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "out of memory in the quota hierarchy");
    if (st != TQO_OK)
        tqoi_qh_free(H);
    free(own);
    acc_free(&A);
    return st;
}

int tqoi_qh_find(const quota_hier *H, const char *id)
{
    for (int v = 0; v < H->n; v++)
        if (strcmp(H->id[v], id) == 0)
            return v;
    return -1;
}

int tqoi_qh_territory_parent(const quota_hier *H, int j)
{
    return j >= 0 && j < H->p ? H->parent[H->first_leaf + j] : -1;
}

int tqoi_qh_territories_under(const quota_hier *H, int n, int *out)
{
    /* a depth-first walk with out as the stack's tail: leaves go to the front */
    int m = 0;
    if (n >= H->first_leaf) {
        out[0] = n - H->first_leaf;
        return 1;
    }
    int *stack = malloc(((size_t)H->n + 1) * sizeof(int)), top = 0;
    if (!stack)
        return 0;
    stack[top++] = n;
    while (top) {
        int v = stack[--top];
        for (int k = H->child_start[v + 1] - 1; k >= H->child_start[v]; k--) {
            int c = H->child[k];
            if (c >= H->first_leaf)
                out[m++] = c - H->first_leaf;
            else
                stack[top++] = c;
        }
    }
    free(stack);
    return m;
}
