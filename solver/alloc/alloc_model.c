/*
 * The allocation model in GLPK: building it (with readable names), writing
 * it as CPLEX LP or free MPS, and the MIP over a subset of the units that
 * makes split LP units whole.
 *
 * Costs: exported models carry the TRUE costs c_ij, so another solver's
 * objective compares directly with ours. The solve paths divide the costs
 * by their mean positive value (w d^2 in km^2 can be 1e9 and more, which
 * GLPK's tolerances do not like) and convert results back.
 */
#include "alloc/alloc_glpk.h"
#include "util/glpk_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Longest sanitized id used in names; longer ids fall back to indices so
   names stay well inside GLPK's 255-character limit. */
#define NAME_ID_MAX 100

double tqoi_alloc_glpk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int tqoi_alloc_glpk_tm_lim(double seconds)
{
    if (!(seconds > 0))
        return INT_MAX;
    double ms = seconds * 1000.0;
    if (ms >= (double)INT_MAX - 1)
        return INT_MAX - 1;
    return ms < 1 ? 1 : (int)ms;
}

int tqoi_alloc_glpk_col(const alloc_glpk_model *m, int i, int j)
{
    for (int c = m->unit_start[i]; c < m->unit_start[i + 1]; c++)
        if (m->col_terr[c] == j)
            return c + 1;
    return 0;
}

void tqoi_alloc_glpk_model_free(alloc_glpk_model *m, int keep_lp)
{
    if (!m)
        return;
    if (m->lp && !keep_lp)
        glp_delete_prob(m->lp);
    free(m->unit_start);
    free(m->col_unit);
    free(m->col_terr);
    memset(m, 0, sizeof *m);
}

/* A unit "moves" when it has a current territory and leaves it. */
static int is_move(const alloc_problem *P, int i, int j)
{
    return P->current && P->current[i] >= 0 && j != P->current[i];
}

static int pair_allowed(const alloc_problem *P, int i, int j)
{
    return tqoi_alloc_allowed(P, i, j) && isfinite(tqoi_alloc_cost(P, i, j));
}

/* GLPK row type for lo <= activity <= hi. Activities are sums of
   non-negative measures, so a lower bound <= 0 is no bound at all. */
static void row_type(double lo, double hi, int *type, double *lb, double *ub)
{
    int no_lo = !(lo > 0), no_hi = isinf(hi) && hi > 0;
    *lb = no_lo ? 0 : lo;
    *ub = no_hi ? 0 : hi;
    if (no_lo && no_hi)
        *type = GLP_FR;
    else if (no_lo)
        *type = GLP_UP;
    else if (no_hi)
        *type = GLP_LO;
    else if (lo == hi)
        *type = GLP_FX;
    else
        *type = GLP_DB;
}

/* ---- names ---- */

/* Only [A-Za-z0-9_.] is safe in both CPLEX LP and free MPS. */
static char *sanitize(const char *id)
{
    if (!id || !*id)
        return NULL;
    size_t len = strlen(id);
    if (len > NAME_ID_MAX)
        return NULL;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)id[k];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.';
        s[k] = ok ? (char)c : '_';
    }
    s[len] = '\0';
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when the n strings are distinct (n pointers, sorted in a copy). */
static int all_distinct(char **s, int n, int *nomem)
{
    if (n < 2)
        return 1;
    char **v = malloc((size_t)n * sizeof *v);
    if (!v) {
        *nomem = 1;
        return 0;
    }
    memcpy(v, s, (size_t)n * sizeof *v);
    qsort(v, (size_t)n, sizeof *v, cmp_str);
    int ok = 1;
    for (int k = 1; k < n && ok; k++)
        ok = strcmp(v[k - 1], v[k]) != 0;
    free(v);
    return ok;
}

static void free_strs(char **s, int n)
{
    if (!s)
        return;
    for (int k = 0; k < n; k++)
        free(s[k]);
    free(s);
}

static char *fmt_name(const char *fmt, const char *a, const char *b)
{
    int len = snprintf(NULL, 0, fmt, a, b);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s)
        snprintf(s, (size_t)len + 1, fmt, a, b);
    return s;
}

/* ---- the builder ---- */

typedef struct build_data {
    int integer, n_rows, n_cols, nnz;
    char **row_name, **col_name;
    int *row_type;
    double *row_lb, *row_ub;
    double *obj;
    int *ia, *ja;
    double *ar;
    glp_prob *lp;
} build_data;

static void build_in_glpk(void *arg)
{
    build_data *d = arg;
    glp_prob *lp = glp_create_prob();
    d->lp = lp;
    glp_set_prob_name(lp, "tqo_alloc");
    glp_set_obj_name(lp, "cost");
    glp_set_obj_dir(lp, GLP_MIN);
    if (d->n_rows > 0)
        glp_add_rows(lp, d->n_rows);
    for (int r = 1; r <= d->n_rows; r++) {
        glp_set_row_name(lp, r, d->row_name[r - 1]);
        glp_set_row_bnds(lp, r, d->row_type[r - 1], d->row_lb[r - 1], d->row_ub[r - 1]);
    }
    if (d->n_cols > 0)
        glp_add_cols(lp, d->n_cols);
    for (int c = 1; c <= d->n_cols; c++) {
        glp_set_col_name(lp, c, d->col_name[c - 1]);
        if (d->integer)
            glp_set_col_kind(lp, c, GLP_BV);
        else
            glp_set_col_bnds(lp, c, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(lp, c, d->obj[c - 1]);
    }
    if (d->nnz > 0)
        glp_load_matrix(lp, d->nnz, d->ia, d->ja, d->ar);
}

/* What tqoi_alloc_glpk_build's steps share: the arguments, the arrays handed
   to GLPK (d) and the per-unit and per-territory work space. */
typedef struct model_build {
    const alloc_problem *P;
    const int *fixed, *cand_start, *cand;
    alloc_glpk_model *m;
    build_data d;
    int has_move;
    int n_free;               /* free units: assignment rows 1..n_free, then the balance rows */
    int *stamp;               /* per territory: the last unit that took it, against duplicates */
    int *assign_row;          /* per unit: its assignment row, 0 when fixed */
    double *shift;            /* [j*nb+b] measures of the fixed units */
    double move_shift;        /* moved measure of the fixed units */
    double *cost;             /* per column, true units */
    char **su, **st_;         /* sanitized unit and territory ids */
    int ids_ok;               /* names from ids, else from indices */
} model_build;

/* First pass: counts the columns (the allowed candidate territories of
   every free unit, each once) and numbers the assignment rows; fixed
   units' measures and moves go into the shifts of the row bounds. */
static tqo_status count_columns(model_build *B, tqo_diag *diag)
{
    const alloc_problem *P = B->P;
    const int *fixed = B->fixed, *cand_start = B->cand_start, *cand = B->cand;
    alloc_glpk_model *m = B->m;
    const int n = P->n, p = P->p, nb = P->nb;
    for (int j = 0; j < p; j++)
        B->stamp[j] = -1;
    int n_cols = 0, n_free = 0;
    for (int i = 0; i < n; i++) {
        m->unit_start[i] = n_cols;
        B->assign_row[i] = 0;
        if (fixed && fixed[i] >= 0) {
            int j = fixed[i];
            if (j >= p) {
                tqo_diag_error(diag, "allocation model: unit %d is fixed to territory %d of %d", i, j, p);
                return TQO_ERR_ARG;
            }
            for (int b = 0; b < nb; b++)
                B->shift[(size_t)j * nb + b] += P->a[b][i];
            if (B->has_move && is_move(P, i, j))
                B->move_shift += P->a[0][i];
            continue;
        }
        B->assign_row[i] = ++n_free;
        int k0 = cand ? cand_start[i] : 0, k1 = cand ? cand_start[i + 1] : p;
        for (int k = k0; k < k1; k++) {
            int j = cand ? cand[k] : k;
            if (j < 0 || j >= p) {
                tqo_diag_error(diag, "allocation model: candidate territory %d of unit %d is out of range", j, i);
                return TQO_ERR_ARG;
            }
            if (B->stamp[j] == i || !pair_allowed(P, i, j))
                continue;
            B->stamp[j] = i;
            n_cols++;
        }
    }
    B->n_free = n_free;
    m->unit_start[n] = n_cols;
    m->n_cols = B->d.n_cols = n_cols;
    B->d.n_rows = n_free + p * nb + (B->has_move ? 1 : 0);
    m->n_rows = B->d.n_rows;
    m->move_row = B->has_move ? B->d.n_rows : 0;
    return TQO_OK;
}

/* The column map, the costs and GLPK's arrays, at the sizes counted. */
static tqo_status alloc_model_arrays(model_build *B)
{
    alloc_glpk_model *m = B->m;
    build_data *d = &B->d;
    size_t nc = (size_t)d->n_cols + 1;
    m->col_unit = malloc(nc * sizeof *m->col_unit);
    m->col_terr = malloc(nc * sizeof *m->col_terr);
    B->cost = malloc(nc * sizeof *B->cost);
    d->obj = malloc(nc * sizeof *d->obj);
    d->col_name = calloc(nc, sizeof *d->col_name);
    size_t nr = (size_t)d->n_rows + 1;
    d->row_name = calloc(nr, sizeof *d->row_name);
    d->row_type = malloc(nr * sizeof *d->row_type);
    d->row_lb = malloc(nr * sizeof *d->row_lb);
    d->row_ub = malloc(nr * sizeof *d->row_ub);
    size_t max_nnz = (size_t)d->n_cols * (size_t)(B->P->nb + 2) + 1;
    d->ia = malloc(max_nnz * sizeof *d->ia);
    d->ja = malloc(max_nnz * sizeof *d->ja);
    d->ar = malloc(max_nnz * sizeof *d->ar);
    if (!m->col_unit || !m->col_terr || !B->cost || !d->obj || !d->col_name || !d->row_name || !d->row_type ||
        !d->row_lb || !d->row_ub || !d->ia || !d->ja || !d->ar)
        return TQO_ERR_NOMEM;
    return TQO_OK;
}

/* Second pass: fills the columns in the same order (never past the
   count, should tqoi_alloc_allowed answer differently this time); scaled: the
   costs are divided by their mean positive value. */
static void fill_columns(model_build *B, int scaled)
{
    const alloc_problem *P = B->P;
    const int *cand_start = B->cand_start, *cand = B->cand;
    alloc_glpk_model *m = B->m;
    const int n = P->n, p = P->p, n_cols = B->d.n_cols;
    double *cost = B->cost;
    for (int j = 0; j < p; j++)
        B->stamp[j] = -1;
    int c = 0;
    double cost_sum = 0;
    int cost_pos = 0;
    for (int i = 0; i < n; i++) {
        m->unit_start[i] = c;
        if (!B->assign_row[i])
            continue;
        int k0 = cand ? cand_start[i] : 0, k1 = cand ? cand_start[i + 1] : p;
        for (int k = k0; k < k1 && c < n_cols; k++) {
            int j = cand ? cand[k] : k;
            if (B->stamp[j] == i || !pair_allowed(P, i, j))
                continue;
            B->stamp[j] = i;
            m->col_unit[c] = i;
            m->col_terr[c] = j;
            cost[c] = tqoi_alloc_cost(P, i, j);
            if (cost[c] > 0) {
                cost_sum += cost[c];
                cost_pos++;
            }
            c++;
        }
    }
    m->unit_start[n] = c;
    m->n_cols = B->d.n_cols = c;
    m->scale = scaled && cost_pos > 0 ? cost_sum / cost_pos : 1.0;
    if (!(m->scale > 0) || !isfinite(m->scale))
        m->scale = 1.0;
}

/* The objective and the matrix, column by column: the unit's assignment
   row, its measures in the territory's balance rows, the move row. */
static void fill_matrix(model_build *B)
{
    const alloc_problem *P = B->P;
    const alloc_glpk_model *m = B->m;
    build_data *d = &B->d;
    const int nb = P->nb, n_cols = d->n_cols;
    const int bal0 = B->n_free; /* rows bal0+1 .. bal0+p*nb */
    int nnz = 0;
    for (int c = 0; c < n_cols; c++) {
        int i = m->col_unit[c], j = m->col_terr[c];
        d->obj[c] = B->cost[c] / m->scale;
        nnz++;
        d->ia[nnz] = B->assign_row[i];
        d->ja[nnz] = c + 1;
        d->ar[nnz] = 1.0;
        for (int b = 0; b < nb; b++) {
            double v = P->a[b][i];
            if (v == 0)
                continue;
            nnz++;
            d->ia[nnz] = bal0 + j * nb + b + 1;
            d->ja[nnz] = c + 1;
            d->ar[nnz] = v;
        }
        if (B->has_move && is_move(P, i, j) && P->a[0][i] != 0) {
            nnz++;
            d->ia[nnz] = m->move_row;
            d->ja[nnz] = c + 1;
            d->ar[nnz] = P->a[0][i];
        }
    }
    d->nnz = nnz;
}

/* Row bounds; fixed units' measures are already in the rows. */
static void model_row_bounds(model_build *B)
{
    const alloc_problem *P = B->P;
    build_data *d = &B->d;
    const int n = P->n, p = P->p, nb = P->nb, bal0 = B->n_free;
    for (int i = 0; i < n; i++)
        if (B->assign_row[i]) {
            int r = B->assign_row[i] - 1;
            d->row_type[r] = GLP_FX;
            d->row_lb[r] = d->row_ub[r] = 1.0;
        }
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++) {
            size_t q = (size_t)j * nb + b;
            int r = bal0 + (int)q;
            row_type(P->lo[q] - B->shift[q], P->hi[q] - B->shift[q], &d->row_type[r], &d->row_lb[r],
                     &d->row_ub[r]);
        }
    if (B->has_move) {
        int r = B->m->move_row - 1;
        d->row_type[r] = GLP_UP;
        d->row_lb[r] = 0;
        d->row_ub[r] = P->max_move - B->move_shift;
    }
}

/* Column names from ids (x_UNIT_TERR); indices when ids are missing, too
   long, or clash (an LP file would silently merge two variables of one
   name). Sets B->ids_ok for the row names. */
static tqo_status name_columns(model_build *B)
{
    const alloc_problem *P = B->P;
    alloc_glpk_model *m = B->m;
    build_data *d = &B->d;
    const int n = P->n, p = P->p, n_cols = d->n_cols;
    int ids_ok = P->unit_id && P->territory_id, nomem = 0;
    for (int i = 0; ids_ok && i < n; i++)
        ids_ok = (B->su[i] = sanitize(P->unit_id[i])) != NULL;
    for (int j = 0; ids_ok && j < p; j++)
        ids_ok = (B->st_[j] = sanitize(P->territory_id[j])) != NULL;
    ids_ok = ids_ok && all_distinct(B->su, n, &nomem) && all_distinct(B->st_, p, &nomem);
    for (int c = 0; ids_ok && c < n_cols; c++) {
        d->col_name[c] = fmt_name("x_%s_%s", B->su[m->col_unit[c]], B->st_[m->col_terr[c]]);
        if (!d->col_name[c])
            return TQO_ERR_NOMEM;
    }
    ids_ok = ids_ok && all_distinct(d->col_name, n_cols, &nomem);
    if (nomem)
        return TQO_ERR_NOMEM;
    if (!ids_ok) {
        for (int c = 0; c < n_cols; c++) {
            free(d->col_name[c]);
            char a[16], b[16];
            snprintf(a, sizeof a, "%d", m->col_unit[c]);
            snprintf(b, sizeof b, "%d", m->col_terr[c]);
            if (!(d->col_name[c] = fmt_name("x_%s_%s", a, b)))
                return TQO_ERR_NOMEM;
        }
    }
    B->ids_ok = ids_ok;
    return TQO_OK;
}

/* Row names: assign_UNIT, bal_TERR_B (ids or indices, as the columns)
   and move. */
static tqo_status name_rows(model_build *B)
{
    const alloc_problem *P = B->P;
    build_data *d = &B->d;
    const int n = P->n, p = P->p, nb = P->nb, bal0 = B->n_free, ids_ok = B->ids_ok;
    for (int i = 0; i < n; i++) {
        if (!B->assign_row[i])
            continue;
        char a[16];
        snprintf(a, sizeof a, "%d", i);
        if (!(d->row_name[B->assign_row[i] - 1] = fmt_name("assign_%s%s", ids_ok ? B->su[i] : a, "")))
            return TQO_ERR_NOMEM;
    }
    for (int j = 0; j < p; j++)
        for (int b = 0; b < nb; b++) {
            char a[16], bb[16];
            snprintf(a, sizeof a, "%d", j);
            snprintf(bb, sizeof bb, "%d", b);
            if (!(d->row_name[bal0 + j * nb + b] = fmt_name("bal_%s_%s", ids_ok ? B->st_[j] : a, bb)))
                return TQO_ERR_NOMEM;
        }
    if (B->has_move && !(d->row_name[B->m->move_row - 1] = fmt_name("move%s%s", "", "")))
        return TQO_ERR_NOMEM;
    return TQO_OK;
}

tqo_status tqoi_alloc_glpk_build(const alloc_problem *P, int integer, int scaled, const int *fixed,
                            const int *cand_start, const int *cand, alloc_glpk_model *m,
                            tqo_diag *diag)
{
    memset(m, 0, sizeof *m);
    if (!P || P->n <= 0 || P->p <= 0 || P->nb < 0 || (P->nb > 0 && (!P->a || !P->lo || !P->hi)) ||
        (cand && !cand_start)) {
        tqo_diag_error(diag, "allocation model: invalid problem (no units or territories)");
        return TQO_ERR_ARG;
    }
    const int n = P->n, p = P->p, nb = P->nb;
    model_build B;
    memset(&B, 0, sizeof B);
    B.P = P;
    B.fixed = fixed;
    B.cand_start = cand_start;
    B.cand = cand;
    B.m = m;
    /* The cap is on moved amounts of a[0]: no measure, no cap. */
    B.has_move = P->max_move >= 0 && P->current != NULL && nb > 0;
    B.d.integer = integer;
    tqo_status st = TQO_ERR_NOMEM;
    B.stamp = malloc((size_t)p * sizeof *B.stamp);
    B.assign_row = malloc((size_t)n * sizeof *B.assign_row);
    B.shift = calloc((size_t)p * nb + 1, sizeof *B.shift);
    B.su = calloc((size_t)n, sizeof *B.su);
    B.st_ = calloc((size_t)p, sizeof *B.st_);
    m->unit_start = malloc(((size_t)n + 1) * sizeof *m->unit_start);
    if (!B.stamp || !B.assign_row || !B.shift || !B.su || !B.st_ || !m->unit_start)
        goto fail;
    if ((st = count_columns(&B, diag)) != TQO_OK || (st = alloc_model_arrays(&B)) != TQO_OK)
        goto fail;
    fill_columns(&B, scaled);
    fill_matrix(&B);
    model_row_bounds(&B);
    if ((st = name_columns(&B)) != TQO_OK || (st = name_rows(&B)) != TQO_OK)
        goto fail;
    if (tqoi_guarded_call(build_in_glpk, &B.d) != 0) {
        tqo_diag_error(diag, "allocation model: GLPK failed while building the model: %s", tqoi_glpk_last_error());
        B.d.lp = NULL; /* freed with GLPK's environment */
        st = TQO_ERR_SOLVER;
        goto fail;
    }
    m->lp = B.d.lp;
    st = TQO_OK;
    goto done;

fail:
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "allocation model: out of memory");
    if (B.d.lp)
        glp_delete_prob(B.d.lp);
    tqoi_alloc_glpk_model_free(m, 1);
done:
    free_strs(B.su, n);
    free_strs(B.st_, p);
    free_strs(B.d.col_name, B.d.n_cols);
    free_strs(B.d.row_name, B.d.n_rows);
    free(B.d.row_type);
    free(B.d.row_lb);
    free(B.d.row_ub);
    free(B.d.obj);
    free(B.d.ia);
    free(B.d.ja);
    free(B.d.ar);
    free(B.cost);
    free(B.stamp);
    free(B.assign_row);
    free(B.shift);
    return st;
}

void *tqoi_alloc_build_glpk(const alloc_problem *P, int integer)
{
    alloc_glpk_model m;
    tqoi_glpk_quiet();
    if (tqoi_alloc_glpk_build(P, integer, 0, NULL, NULL, NULL, &m, NULL) != TQO_OK)
        return NULL;
    glp_prob *lp = m.lp;
    m.lp = NULL;
    tqoi_alloc_glpk_model_free(&m, 1);
    return lp;
}

/* ---- export ---- */

/* Creates an unused temporary name beside path (same folder, so rename is
   atomic), keeping a ".gz" suffix since GLPK compresses by name. */
static char *temp_beside(const char *path, int *err)
{
    size_t len = strlen(path);
    int gz = len > 3 && strcmp(path + len - 3, ".gz") == 0;
    size_t cap = len + 64;
    char *tmp = malloc(cap);
    if (!tmp) {
        *err = ENOMEM;
        return NULL;
    }
    static _Thread_local unsigned counter;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(tmp, cap, "%.*s.tmp%ld_%u%s", (int)(gz ? len - 3 : len), path, (long)getpid(),
                 counter++, gz ? ".gz" : "");
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd >= 0) {
            close(fd);
            return tmp;
        }
        if (errno != EEXIST)
            break;
    }
    *err = errno;
    free(tmp);
    return NULL;
}

tqo_status tqoi_alloc_write_model(const alloc_problem *P, int integer, int mps, const char *path, tqo_diag *diag)
{
    if (!path || !*path) {
        tqo_diag_error(diag, "no file name given for the model");
        return TQO_ERR_ARG;
    }
    tqoi_glpk_quiet();
    alloc_glpk_model m;
    tqo_status st = tqoi_alloc_glpk_build(P, integer, 0, NULL, NULL, NULL, &m, diag);
    if (st != TQO_OK)
        return st;
    for (int i = 0; i < P->n; i++)
        if (m.unit_start[i] == m.unit_start[i + 1]) {
            tqo_diag_warning(diag, "model written to '%s' is infeasible: unit '%s' may join no territory "
                             "(locks or maximum distance)", path, P->unit_id ? P->unit_id[i] : "?");
            break;
        }
    int err = 0;
    char *tmp = temp_beside(path, &err);
    if (!tmp) {
        tqo_diag_error(diag, "cannot write '%s': %s", path, strerror(err));
        tqoi_alloc_glpk_model_free(&m, 0);
        return err == ENOMEM ? TQO_ERR_NOMEM : TQO_ERR_IO;
    }
    int ret = 0;
    int g = mps ? tqoi_guarded_write_mps(m.lp, tmp, &ret) : tqoi_guarded_write_lp(m.lp, tmp, &ret);
    if (g != 0) {
        tqo_diag_error(diag, "GLPK failed while writing '%s': %s", path, tqoi_glpk_last_error());
        st = TQO_ERR_SOLVER;
    } else if (ret != 0) {
        tqo_diag_error(diag, "cannot write '%s' (GLPK could not write the %s file)", path, mps ? "MPS" : "LP");
        st = TQO_ERR_IO;
    } else if (rename(tmp, path) != 0) {
        tqo_diag_error(diag, "cannot write '%s': %s", path, strerror(errno));
        st = TQO_ERR_IO;
    }
    if (st != TQO_OK)
        unlink(tmp);
    free(tmp);
    tqoi_alloc_glpk_model_free(&m, g != 0);
    return st;
}

/* ---- the MIP over a subset of units ---- */

static const char *unit_name(const alloc_problem *P, int i, char *buf, size_t size)
{
    if (P->unit_id && P->unit_id[i])
        return P->unit_id[i];
    snprintf(buf, size, "#%d", i);
    return buf;
}

static const char *terr_name(const alloc_problem *P, int j, char *buf, size_t size)
{
    if (P->territory_id && P->territory_id[j])
        return P->territory_id[j];
    snprintf(buf, size, "#%d", j);
    return buf;
}

/* With every unit fixed there is nothing to solve: check the rows. */
static tqo_status check_fixed_rows(const alloc_problem *P, const int *fixed, tqo_diag *diag)
{
    int n = P->n, p = P->p, nb = P->nb;
    double *sum = calloc((size_t)p * nb + 1, sizeof *sum);
    if (!sum) {
        tqo_diag_error(diag, "subset MIP: out of memory");
        return TQO_ERR_NOMEM;
    }
    double moved = 0;
    for (int i = 0; i < n; i++) {
        for (int b = 0; b < nb; b++)
            sum[(size_t)fixed[i] * nb + b] += P->a[b][i];
        if (is_move(P, i, fixed[i]) && nb > 0)
            moved += P->a[0][i];
    }
    tqo_status st = TQO_OK;
    for (int q = 0; q < p * nb && st == TQO_OK; q++) {
        double tol = 1e-9 * fmax(1.0, fabs(sum[q]));
        if (sum[q] < P->lo[q] - tol || sum[q] > P->hi[q] + tol) {
            char buf[16];
            tqo_diag_error(diag, "subset MIP: with every unit fixed, territory '%s' has %g of balanced "
                           "measure %d, outside its bounds %g..%g",
                           terr_name(P, q / nb, buf, sizeof buf), sum[q], q % nb, P->lo[q], P->hi[q]);
            st = TQO_ERR_INFEASIBLE;
        }
    }
    if (st == TQO_OK && P->max_move >= 0 && P->current && moved > P->max_move * (1 + 1e-9) + 1e-9) {
        tqo_diag_error(diag, "subset MIP: with every unit fixed, %g is moved, more than the cap %g", moved,
                       P->max_move);
        st = TQO_ERR_INFEASIBLE;
    }
    free(sum);
    return st;
}

/* Ends branch and cut after a number of subproblems: a limit of work
   rather than of time, so that the result does not depend on the load of
   the machine. */
typedef struct node_stop {
    int limit, seen;
} node_stop;

static void count_nodes(glp_tree *tree, void *info)
{
    node_stop *ns = info;
    if (glp_ios_reason(tree) == GLP_ISELECT && ++ns->seen > ns->limit)
        glp_ios_terminate(tree);
}

/* The subset MIP's arguments checked: fixed territories in range and
   allowed, bounds not empty. Counts the fixed units (*n_fixed). */
static tqo_status check_subset_args(const alloc_problem *P, const int *fixed, int *n_fixed, tqo_diag *diag)
{
    const int n = P->n, p = P->p, nb = P->nb;
    char b1[16], b2[16];
    *n_fixed = 0;
    for (int i = 0; fixed && i < n; i++) {
        if (fixed[i] < 0)
            continue;
        if (fixed[i] >= p) {
            tqo_diag_error(diag, "subset MIP: unit '%s' is fixed to territory %d, out of range",
                           unit_name(P, i, b1, sizeof b1), fixed[i]);
            return TQO_ERR_ARG;
        }
        if (!pair_allowed(P, i, fixed[i])) {
            tqo_diag_error(diag, "subset MIP: unit '%s' is fixed to territory '%s', which it may not join "
                           "(lock or maximum distance)",
                           unit_name(P, i, b1, sizeof b1), terr_name(P, fixed[i], b2, sizeof b2));
            return TQO_ERR_ARG;
        }
        (*n_fixed)++;
    }
    for (int q = 0; q < p * nb; q++)
        if (P->lo[q] > P->hi[q]) {
            tqo_diag_error(diag, "subset MIP: territory '%s' has empty bounds %g..%g on balanced measure %d",
                           terr_name(P, q / nb, b1, sizeof b1), P->lo[q], P->hi[q], q % nb);
            return TQO_ERR_INFEASIBLE;
        }
    return TQO_OK;
}

/* The LP relaxation, solved before branch and cut so that the search
   starts from its basis; an infeasible relaxation proves the MIP
   infeasible. *glpk_failed: GLPK failed internally (m->lp is gone). */
static tqo_status subset_relaxation(const alloc_glpk_model *m, double time_limit, int n_free, const char *what,
                                    int *glpk_failed, tqo_diag *diag)
{
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.meth = GLP_DUALP;
    sp.tm_lim = tqoi_alloc_glpk_tm_lim(time_limit);
    int ret = 0;
    if (tqoi_guarded_simplex(m->lp, &sp, &ret) != 0) {
        *glpk_failed = 1;
        return TQO_ERR_SOLVER;
    }
    if (ret == 0 && glp_get_status(m->lp) == GLP_NOFEAS) {
        tqo_diag_error(diag, "subset MIP: no assignment of the %d free units to their candidate territories "
                       "meets %s, not even a fractional one", n_free, what);
        return TQO_ERR_INFEASIBLE;
    }
    if (ret == GLP_ETMLIM) {
        tqo_diag_error(diag, "subset MIP: time limit of %g s reached while solving the LP relaxation", time_limit);
        return TQO_ERR_LIMIT;
    }
    if (ret != 0 || glp_get_status(m->lp) != GLP_OPT) {
        tqo_diag_error(diag, "subset MIP: GLPK's simplex failed on the LP relaxation (return code %d, "
                       "status %d)", ret, glp_get_status(m->lp));
        return TQO_ERR_SOLVER;
    }
    return TQO_OK;
}

/* Branch and cut from the relaxation's basis, within what is left of
   the time limit (from t0) and within node_limit subproblems (0: none).
   *ret: glp_intopt's return code; TQO_OK when GLPK has an assignment. */
static tqo_status subset_branch_and_cut(const alloc_glpk_model *m, double time_limit, double t0, int node_limit,
                                        int n_free, const char *what, int *ret, int *glpk_failed,
                                        tqo_diag *diag)
{
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    /* A split repair needs a good assignment, not a proof: the gap that
       counts is reported against the full LP bound anyway. */
    parm.mip_gap = 1e-4;
    parm.fp_heur = GLP_ON;
    parm.mir_cuts = GLP_ON;
    parm.cov_cuts = GLP_ON;
    if (time_limit > 0) {
        double left = time_limit - (tqoi_alloc_glpk_now() - t0);
        parm.tm_lim = tqoi_alloc_glpk_tm_lim(left > 0.001 ? left : 0.001);
    }
    node_stop ns = {node_limit, 0};
    if (node_limit > 0) {
        parm.cb_func = count_nodes;
        parm.cb_info = &ns;
    }
    if (tqoi_guarded_intopt(m->lp, &parm, ret) != 0) {
        *glpk_failed = 1;
        return TQO_ERR_SOLVER;
    }
    int ms = glp_mip_status(m->lp);
    if (ms == GLP_NOFEAS) {
        tqo_diag_error(diag, "subset MIP: no assignment of the %d free units to their candidate territories "
                       "meets %s", n_free, what);
        return TQO_ERR_INFEASIBLE;
    }
    if (!(*ret == 0 || *ret == GLP_ETMLIM || *ret == GLP_EMIPGAP || *ret == GLP_ESTOP)) {
        tqo_diag_error(diag, "subset MIP: GLPK's branch and cut failed (glp_intopt returned %d)", *ret);
        return TQO_ERR_SOLVER;
    }
    if (ms != GLP_OPT && ms != GLP_FEAS) {
        if (*ret == GLP_ESTOP) {
            tqo_diag_error(diag, "subset MIP: no assignment of the %d free units found within %d subproblems",
                           n_free, node_limit);
            return TQO_ERR_LIMIT;
        }
        if (*ret == GLP_ETMLIM) {
            tqo_diag_error(diag, "subset MIP: no assignment of the %d free units found within the time "
                           "limit of %g s", n_free, time_limit);
            return TQO_ERR_LIMIT;
        }
        tqo_diag_error(diag, "subset MIP: GLPK ended without a solution (status %d)", ms);
        return TQO_ERR_SOLVER;
    }
    return TQO_OK;
}

/* GLPK's assignment into out (fixed units where they are) and its true
   cost into *objective; a stop at a limit is said as a warning. */
static tqo_status read_subset_solution(const alloc_problem *P, const int *fixed, const alloc_glpk_model *m,
                                       int ret, double time_limit, int node_limit, int *out, double *objective,
                                       tqo_diag *diag)
{
    char b1[16];
    double obj = 0;
    for (int i = 0; i < P->n; i++) {
        if (fixed && fixed[i] >= 0) {
            out[i] = fixed[i];
        } else {
            out[i] = -1;
            for (int c = m->unit_start[i]; c < m->unit_start[i + 1]; c++)
                if (glp_mip_col_val(m->lp, c + 1) > 0.5)
                    out[i] = m->col_terr[c];
            if (out[i] < 0) {
                tqo_diag_error(diag, "subset MIP: GLPK's solution leaves unit '%s' unassigned",
                               unit_name(P, i, b1, sizeof b1));
                return TQO_ERR_SOLVER;
            }
        }
        obj += tqoi_alloc_cost(P, i, out[i]);
    }
    if (objective)
        *objective = obj;
    if (ret == GLP_ETMLIM)
        tqo_diag_warning(diag, "subset MIP: time limit of %g s reached; the best assignment found is used",
                         time_limit);
    if (ret == GLP_ESTOP)
        tqo_diag_warning(diag, "subset MIP: stopped after %d subproblems; the best assignment found is used",
                         node_limit);
    return TQO_OK;
}

tqo_status tqoi_alloc_solve_subset_mip(const alloc_problem *P, const int *fixed, const int *cand_start,
                                  const int *cand, double time_limit, int node_limit, int *out, double *objective,
                                  tqo_diag *diag)
{
    if (!P || !out || P->n <= 0 || P->p <= 0) {
        tqo_diag_error(diag, "subset MIP: invalid arguments");
        return TQO_ERR_ARG;
    }
    const int n = P->n;
    char b1[16];
    int n_fixed = 0;
    tqo_status st = check_subset_args(P, fixed, &n_fixed, diag);
    if (st != TQO_OK)
        return st;
    if (n_fixed == n) {
        st = check_fixed_rows(P, fixed, diag);
        if (st == TQO_OK) {
            double obj = 0;
            for (int i = 0; i < n; i++) {
                out[i] = fixed[i];
                obj += tqoi_alloc_cost(P, i, fixed[i]);
            }
            if (objective)
                *objective = obj;
        }
        return st;
    }

    tqoi_glpk_quiet();
    alloc_glpk_model m;
    st = tqoi_alloc_glpk_build(P, 1, 1, fixed, cand_start, cand, &m, diag);
    if (st != TQO_OK)
        return st;
    for (int i = 0; i < n; i++)
        if (!(fixed && fixed[i] >= 0) && m.unit_start[i] == m.unit_start[i + 1]) {
            tqo_diag_error(diag, "subset MIP: unit '%s' has no candidate territory it may join",
                           unit_name(P, i, b1, sizeof b1));
            tqoi_alloc_glpk_model_free(&m, 0);
            return TQO_ERR_INFEASIBLE;
        }

    /* The LP relaxation first, then branch and cut from its basis, both
       without GLPK's presolvers: GLPK 5.0's MIP presolver aborts with
       "glp_add_cols: ncs = 0" when it eliminates every column, which small
       subset models make it do (the guard would only turn that into an
       error), and these models are small enough not to need them. */
    const double t0 = tqoi_alloc_glpk_now();
    const int n_free = n - n_fixed;
    const char *what = m.move_row ? "the balance bounds and the move cap" : "the balance bounds";
    int ret = 0, glpk_failed = 0;
    st = subset_relaxation(&m, time_limit, n_free, what, &glpk_failed, diag);
    if (st == TQO_OK)
        st = subset_branch_and_cut(&m, time_limit, t0, node_limit, n_free, what, &ret, &glpk_failed, diag);
    if (glpk_failed) {
        tqo_diag_error(diag, "subset MIP: GLPK failed internally: %s", tqoi_glpk_last_error());
        tqoi_alloc_glpk_model_free(&m, 1);
        return TQO_ERR_SOLVER;
    }
    if (st == TQO_OK)
        st = read_subset_solution(P, fixed, &m, ret, time_limit, node_limit, out, objective, diag);
    tqoi_alloc_glpk_model_free(&m, 0);
    return st;
}

/* The support rows, added under a GLPK guard: GLPK failing to allocate in
   glp_add_rows or glp_set_mat_row unwinds to the guard instead of aborting
   the process (issue 16's allocation loop). */
typedef struct support_rows {
    alloc_glpk_model *m;
    int n;
    const int *adj_start, *adj, *asg, *depth, *fixed;
    int *ind;
    double *val;
    int nsup;
} support_rows;

static void add_support_rows(void *arg)
{
    support_rows *a = arg;
    const int n = a->n, *adj_start = a->adj_start, *adj = a->adj, *asg = a->asg, *depth = a->depth;
    const int *fixed = a->fixed;
    int *ind = a->ind;
    double *val = a->val;
    for (int i = 0; i < n; i++) {
        if (fixed[i] >= 0)
            continue;
        for (int c = a->m->unit_start[i]; c < a->m->unit_start[i + 1]; c++) {
            int j = a->m->col_terr[c], fixed_nb = 0, any_nb = 0, k = 0;
            ind[++k] = c + 1;
            val[k] = 1.0;
            /* supporters: members of j next to i that stay in j; for a unit
               staying in j, only those nearer the fixed part of j */
            for (int e = adj_start[i]; e < adj_start[i + 1]; e++) {
                int v = adj[e];
                if (asg[v] != j || (j == asg[i] && depth[v] >= depth[i]))
                    continue;
                any_nb = 1;
                if (fixed[v] >= 0) {
                    fixed_nb |= fixed[v] == j;
                    continue;
                }
                int cv = tqoi_alloc_glpk_col(a->m, v, j);
                if (cv) {
                    ind[++k] = cv;
                    val[k] = -1.0;
                }
            }
            if (fixed_nb)
                continue;
            if (j == asg[i] && !any_nb)
                continue; /* alone in its territory: nothing to ask */
            if (k == 1) {
                glp_set_col_bnds(a->m->lp, c + 1, GLP_FX, 0.0, 0.0);
                continue;
            }
            int row = glp_add_rows(a->m->lp, 1);
            glp_set_mat_row(a->m->lp, row, k, ind, val);
            glp_set_row_bnds(a->m->lp, row, GLP_UP, 0.0, 0.0);
            a->nsup++;
        }
    }
}

/*
 * The allocation LP over a part of the units with support rows: a free
 * unit may take territory j only as far as a neighbour holds j (a fixed
 * one in j, or free ones by their own shares of j). Territories then grow
 * or shrink at their boundaries without enclaves. The primal simplex
 * starts from the basis of the assignment asg (feasible when asg is
 * balanced; else GLPK's phase 1 goes first).
 */
tqo_status tqoi_alloc_solve_support_lp(const alloc_problem *P, const int *adj_start, const int *adj, const int *asg,
                                  const int *depth, const int *fixed, const int *cand_start, const int *cand,
                                  alloc_solution *x, tqo_diag *diag)
{
    memset(x, 0, sizeof *x);
    const int n = P->n;
    tqoi_glpk_quiet();
    alloc_glpk_model m;
    tqo_status st = tqoi_alloc_glpk_build(P, 0, 1, fixed, cand_start, cand, &m, diag);
    if (st != TQO_OK)
        return st;
    int *ind = malloc(((size_t)m.n_cols + 2) * sizeof(int));
    double *val = malloc(((size_t)m.n_cols + 2) * sizeof(double));
    if (!ind || !val) {
        free(ind);
        free(val);
        tqoi_alloc_glpk_model_free(&m, 0);
        return TQO_ERR_NOMEM;
    }
    int basis_ok = 1;
    support_rows sr = {&m, n, adj_start, adj, asg, depth, fixed, ind, val, 0};
    if (tqoi_guarded_call(add_support_rows, &sr) != 0) {
        const char *why = tqoi_glpk_last_error();
        tqo_diag_error(diag, "support LP: GLPK failed internally: %s", why);
        free(ind);
        free(val);
        tqoi_alloc_glpk_model_free(&m, 1);
        return strstr(why, "out of memory") ? TQO_ERR_NOMEM : TQO_ERR_SOLVER;
    }
    int nsup = sr.nsup;
    /* the start: each free unit in its territory */
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (fixed[i] >= 0)
            continue;
        r++;
        int cc = tqoi_alloc_glpk_col(&m, i, asg[i]);
        if (!cc) {
            basis_ok = 0;
            break;
        }
        glp_set_col_stat(m.lp, cc, GLP_BS);
        glp_set_row_stat(m.lp, r, GLP_NS);
    }
    if (!basis_ok)
        glp_std_basis(m.lp);
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.meth = GLP_PRIMAL;
    int ret = 0;
    /* a start basis GLPK cannot use: once more from the standard basis */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt)
            glp_std_basis(m.lp);
        if (tqoi_guarded_simplex(m.lp, &sp, &ret) != 0) {
            tqo_diag_error(diag, "support LP: GLPK failed internally: %s", tqoi_glpk_last_error());
            free(ind);
            free(val);
            tqoi_alloc_glpk_model_free(&m, 1);
            return TQO_ERR_SOLVER;
        }
        if (!(ret == GLP_ESING || ret == GLP_EFAIL || ret == GLP_ECOND || ret == GLP_EBADB))
            break;
    }
    free(ind);
    free(val);
    if (ret != 0 || glp_get_status(m.lp) != GLP_OPT) {
        tqo_diag_error(diag, "support LP: GLPK returned %d (status %d)", ret, glp_get_status(m.lp));
        tqoi_alloc_glpk_model_free(&m, 0);
        return TQO_ERR_SOLVER;
    }
    x->n = n;
    x->start = malloc(((size_t)n + 1) * sizeof(int));
    x->terr = malloc(((size_t)n + m.n_cols + 1) * sizeof(int));
    x->share = malloc(((size_t)n + m.n_cols + 1) * sizeof(double));
    if (!x->start || !x->terr || !x->share) {
        tqoi_alloc_solution_free(x);
        tqoi_alloc_glpk_model_free(&m, 0);
        return TQO_ERR_NOMEM;
    }
    int q = 0;
    double obj = 0;
    for (int i = 0; i < n; i++) {
        x->start[i] = q;
        if (fixed[i] >= 0) {
            x->terr[q] = fixed[i];
            x->share[q++] = 1.0;
        } else {
            int q0 = q;
            double sum = 0;
            for (int c = m.unit_start[i]; c < m.unit_start[i + 1]; c++) {
                double v = glp_get_col_prim(m.lp, c + 1);
                if (v > 1e-9) {
                    x->terr[q] = m.col_terr[c];
                    x->share[q++] = v;
                    sum += v;
                }
            }
            if (q == q0) {
                x->terr[q] = asg[i];
                x->share[q++] = 1.0;
                sum = 1.0;
            }
            for (int k = q0; k < q; k++)
                x->share[k] /= sum;
        }
        for (int k = x->start[i]; k < q; k++)
            obj += x->share[k] * tqoi_alloc_cost(P, i, x->terr[k]);
    }
    x->start[n] = q;
    x->objective = obj;
    x->lower_bound = -INFINITY;
    snprintf(x->status, sizeof x->status, "optimal, %d supports", nsup % 1000000);
    tqoi_alloc_glpk_model_free(&m, 0);
    return TQO_OK;
}
