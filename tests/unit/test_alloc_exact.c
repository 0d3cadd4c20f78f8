/* The GLPK side of allocation: the guard, the exact MIP (against brute
   force, with and without contiguity), the subset MIP, and model export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <glpk.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc/alloc.h"
#include "alloc/alloc_glpk.h"
#include "util/glpk_guard.h"
#include "alloc_reference.h"

#define assert_close(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))
#define assert_rel(a, b, rel) assert_true(fabs((double)(a) - (double)(b)) <= (rel) * (1.0 + fabs((double)(b))))

/* ------------------------------------------------------------------ */
/* Hand-built instances                                                */
/* ------------------------------------------------------------------ */

typedef struct tinst {
    int n, p, nb;
    double *ux, *uy, *cx, *cy, *w, *lo, *hi, *a0;
    const double *a[1];
    int *lock, *current;
    int *adj_start, *adj;
    char **uid, **tid;
    alloc_problem P;
} tinst;

static _Thread_local uint64_t rng_state; /* per thread: test_threads builds instances concurrently */
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static tinst *tinst_new(int n, int p)
{
    tinst *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->n = n;
    t->p = p;
    t->nb = 1;
    t->ux = calloc((size_t)n, sizeof(double));
    t->uy = calloc((size_t)n, sizeof(double));
    t->w = calloc((size_t)n, sizeof(double));
    t->a0 = calloc((size_t)n, sizeof(double));
    t->cx = calloc((size_t)p, sizeof(double));
    t->cy = calloc((size_t)p, sizeof(double));
    t->lo = calloc((size_t)p, sizeof(double));
    t->hi = calloc((size_t)p, sizeof(double));
    t->uid = calloc((size_t)n, sizeof(char *));
    t->tid = calloc((size_t)p, sizeof(char *));
    for (int i = 0; i < n; i++) {
        t->uid[i] = malloc(16);
        snprintf(t->uid[i], 16, "u%d", i);
        t->w[i] = t->a0[i] = 1;
    }
    for (int j = 0; j < p; j++) {
        t->tid[j] = malloc(16);
        snprintf(t->tid[j], 16, "T%d", j);
    }
    t->a[0] = t->a0;
    return t;
}

/* Points the alloc_problem at the arrays (after any change of pointers). */
static alloc_problem *tinst_problem(tinst *t)
{
    alloc_problem *P = &t->P;
    memset(P, 0, sizeof *P);
    P->n = t->n;
    P->p = t->p;
    P->nb = t->nb;
    P->a = t->a;
    P->w = t->w;
    P->lo = t->lo;
    P->hi = t->hi;
    P->coords = TQO_COORDS_XY;
    P->ux = t->ux;
    P->uy = t->uy;
    P->cx = t->cx;
    P->cy = t->cy;
    P->lock = t->lock;
    P->current = t->current;
    P->max_move = -1;
    P->unit_id = (const char *const *)t->uid;
    P->territory_id = (const char *const *)t->tid;
    return P;
}

static void tinst_free(tinst *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->uid[i]);
    for (int j = 0; j < t->p; j++)
        free(t->tid[j]);
    free(t->uid);
    free(t->tid);
    free(t->ux);
    free(t->uy);
    free(t->w);
    free(t->a0);
    free(t->cx);
    free(t->cy);
    free(t->lo);
    free(t->hi);
    free(t->lock);
    free(t->current);
    free(t->adj_start);
    free(t->adj);
    free(t);
}

/* Adjacency from an edge list. */
static void tinst_edges(tinst *t, int ne, const int *eu, const int *ev)
{
    int n = t->n;
    t->adj_start = calloc((size_t)n + 1, sizeof(int));
    t->adj = malloc((size_t)(2 * ne + 1) * sizeof(int));
    for (int e = 0; e < ne; e++) {
        t->adj_start[eu[e] + 1]++;
        t->adj_start[ev[e] + 1]++;
    }
    for (int i = 0; i < n; i++)
        t->adj_start[i + 1] += t->adj_start[i];
    int *fill = malloc((size_t)n * sizeof(int));
    memcpy(fill, t->adj_start, (size_t)n * sizeof(int));
    for (int e = 0; e < ne; e++) {
        t->adj[fill[eu[e]]++] = ev[e];
        t->adj[fill[ev[e]]++] = eu[e];
    }
    free(fill);
}

/* Balance bounds: total/p within +-tol. */
static void tinst_balance(tinst *t, double tol)
{
    double tot = 0;
    for (int i = 0; i < t->n; i++)
        tot += t->a0[i];
    for (int j = 0; j < t->p; j++) {
        t->lo[j] = (1 - tol) * tot / t->p;
        t->hi[j] = (1 + tol) * tot / t->p;
    }
}

/*
 * A W x H jittered grid (10 km spacing) triangulated like a Delaunay mesh
 * (right, down and one diagonal neighbour), lognormal-ish measure used as
 * both balance and weight, p centres spread over the grid.
 */
static tinst *tinst_grid(int W, int H, int p, double tol, uint64_t seed)
{
    rng_state = 0x9E3779B97F4A7C15ULL ^ (seed * 0xD1B54A32D192ED03ULL);
    tinst *t = tinst_new(W * H, p);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            int i = r * W + c;
            t->ux[i] = 10 * (c + 0.6 * (urand() - 0.5));
            t->uy[i] = 10 * (r + 0.6 * (urand() - 0.5));
            t->a0[i] = t->w[i] = 100 * exp(urand() + urand() + urand() - 1.5);
        }
    int *eu = malloc(3 * (size_t)W * H * sizeof(int)), *ev = malloc(3 * (size_t)W * H * sizeof(int)), ne = 0;
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            int i = r * W + c;
            if (c + 1 < W) {
                eu[ne] = i;
                ev[ne++] = i + 1;
            }
            if (r + 1 < H) {
                eu[ne] = i;
                ev[ne++] = i + W;
            }
            if (c + 1 < W && r + 1 < H) {
                eu[ne] = i;
                ev[ne++] = i + W + 1;
            }
        }
    tinst_edges(t, ne, eu, ev);
    free(eu);
    free(ev);
    for (int j = 0; j < p; j++) {
        int i = (int)((j + 0.5) * t->n / p);
        t->cx[j] = t->ux[i];
        t->cy[j] = t->uy[i];
    }
    tinst_balance(t, tol);
    tinst_problem(t);
    return t;
}

/* ------------------------------------------------------------------ */
/* Independent checks                                                  */
/* ------------------------------------------------------------------ */

static double cost_of(const alloc_problem *P, const int *t)
{
    double s = 0;
    for (int i = 0; i < P->n; i++)
        s += tqoi_alloc_cost(P, i, t[i]);
    return s;
}

/* Balance, locks, allowed pairs and move cap of a whole assignment. */
static int feasible(const alloc_problem *P, const int *t)
{
    double sum[16] = {0}, moved = 0;
    for (int i = 0; i < P->n; i++) {
        if (t[i] < 0 || t[i] >= P->p || !tqoi_alloc_allowed(P, i, t[i]))
            return 0;
        sum[t[i]] += P->a[0][i];
        if (P->current && P->current[i] >= 0 && t[i] != P->current[i])
            moved += P->a[0][i];
    }
    for (int j = 0; j < P->p; j++)
        if (sum[j] < P->lo[j] - 1e-9 || sum[j] > P->hi[j] + 1e-9)
            return 0;
    if (P->max_move >= 0 && P->current && moved > P->max_move + 1e-9)
        return 0;
    return 1;
}

/* The contiguity rule, by plain BFS: at most one piece per territory that
   is not a whole component of the unit graph. */
static int contiguous(const tinst *ti, const int *t)
{
    int n = ti->n, comp[128], csize[128], piece[128], q[128];
    for (int i = 0; i < n; i++)
        comp[i] = piece[i] = -1;
    int nc = 0;
    for (int s = 0; s < n; s++) {
        if (comp[s] >= 0)
            continue;
        int h = 0, tl = 0;
        q[tl++] = s;
        comp[s] = nc;
        while (h < tl) {
            int u = q[h++];
            for (int e = ti->adj_start[u]; e < ti->adj_start[u + 1]; e++)
                if (comp[ti->adj[e]] < 0) {
                    comp[ti->adj[e]] = nc;
                    q[tl++] = ti->adj[e];
                }
        }
        csize[nc++] = tl;
    }
    int partial[16] = {0};
    for (int s = 0; s < n; s++) {
        if (piece[s] >= 0)
            continue;
        int h = 0, tl = 0;
        q[tl++] = s;
        piece[s] = s;
        while (h < tl) {
            int u = q[h++];
            for (int e = ti->adj_start[u]; e < ti->adj_start[u + 1]; e++) {
                int v = ti->adj[e];
                if (piece[v] < 0 && t[v] == t[s]) {
                    piece[v] = s;
                    q[tl++] = v;
                }
            }
        }
        if (tl < csize[comp[s]] && ++partial[t[s]] > 1)
            return 0;
    }
    return 1;
}

/* Minimum cost over all p^n assignments (INFINITY when none is feasible). */
static double brute_force(const tinst *ti, int contiguity, int *best)
{
    const alloc_problem *P = &ti->P;
    int n = P->n, t[64];
    long total = 1;
    for (int i = 0; i < n; i++)
        total *= P->p;
    double opt = INFINITY;
    for (long code = 0; code < total; code++) {
        long c = code;
        for (int i = 0; i < n; i++) {
            t[i] = (int)(c % P->p);
            c /= P->p;
        }
        if (!feasible(P, t) || (contiguity && !contiguous(ti, t)))
            continue;
        double v = cost_of(P, t);
        if (v < opt) {
            opt = v;
            if (best)
                memcpy(best, t, (size_t)n * sizeof(int));
        }
    }
    return opt;
}

/* Checks the shape and feasibility of an exact solution; returns its
   territories in t. */
static void check_solution(const alloc_problem *P, const alloc_solution *x, int *t)
{
    assert_int_equal(x->n, P->n);
    for (int i = 0; i < P->n; i++) {
        assert_int_equal(x->start[i + 1] - x->start[i], 1);
        assert_close(x->share[x->start[i]], 1.0, 0);
        t[i] = x->terr[x->start[i]];
        assert_true(t[i] >= 0 && t[i] < P->p);
        if (P->lock && P->lock[i] >= 0)
            assert_int_equal(t[i], P->lock[i]);
    }
    assert_true(feasible(P, t));
    assert_rel(x->objective, cost_of(P, t), 1e-12);
    assert_true(x->lower_bound <= x->objective * (1 + 1e-12));
}

static tqo_status solve_exact(tinst *ti, int contiguity, double tl, alloc_solution *x, double *gap)
{
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqoi_alloc_solve_exact(&ti->P, contiguity ? ti->adj_start : NULL, contiguity ? ti->adj : NULL,
                                      tl, x, gap, &d);
    if (st != TQO_OK && st != TQO_ERR_INFEASIBLE && st != TQO_ERR_LIMIT)
        fprintf(stderr, "alloc_solve_exact: %s\n", tqo_diag_first_error(&d));
    tqo_diag_free(&d);
    return st;
}

/* ------------------------------------------------------------------ */
/* Guard                                                               */
/* ------------------------------------------------------------------ */

static void bad_bounds(void *arg)
{
    glp_set_col_bnds(arg, 999, GLP_LO, 0.0, 0.0);
}

static void nested_bad(void *arg)
{
    /* The inner guard never returns on failure: the outer one catches. */
    tqoi_guarded_call(bad_bounds, arg);
    fail_msg("a failed nested guarded call returned");
}

static void good_call(void *arg)
{
    glp_set_col_bnds(arg, 1, GLP_DB, 0.0, 2.0);
}

static glp_prob *one_column(void)
{
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, 1);
    glp_set_obj_coef(lp, 1, 1.0);
    glp_set_col_bnds(lp, 1, GLP_DB, 1.0, 3.0);
    glp_add_rows(lp, 1);
    int ind[2] = {0, 1};
    double val[2] = {0, 1.0};
    glp_set_mat_row(lp, 1, 1, ind, val);
    glp_set_row_bnds(lp, 1, GLP_UP, 0.0, 5.0);
    return lp;
}

static void test_guard(void **state)
{
    (void)state;
    tqoi_glpk_quiet();
    glp_prob *lp = one_column();
    assert_int_equal(tqoi_guarded_call(good_call, lp), 0);
    assert_int_equal(glp_get_col_type(lp, 1), GLP_DB);
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    int ret = -7;
    assert_int_equal(tqoi_guarded_simplex(lp, &sp, &ret), 0);
    assert_int_equal(ret, 0);
    assert_close(glp_get_obj_val(lp), 0.0, 1e-12);

    /* An invalid call: GLPK would abort(); the guard returns -1, prints
       nothing, and keeps the message. lp is gone with the environment. */
    fflush(stdout);
    char path[] = "/tmp/tqo_guard_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(1);
    dup2(fd, 1);
    int g = tqoi_guarded_call(bad_bounds, lp);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    close(fd);
    unlink(path);
    assert_int_equal(g, -1);
    assert_int_equal((int)sb.st_size, 0);
    assert_non_null(strstr(tqoi_glpk_last_error(), "glp_set_col_bnds"));

    /* GLPK works again afterwards, and nesting unwinds to the outer guard. */
    tqoi_glpk_quiet();
    lp = one_column();
    assert_int_equal(tqoi_guarded_simplex(lp, &sp, &ret), 0);
    assert_close(glp_get_obj_val(lp), 1.0, 1e-12);
    assert_int_equal(tqoi_guarded_call(nested_bad, lp), -1);
    lp = one_column();
    assert_int_equal(tqoi_guarded_simplex(lp, &sp, &ret), 0);
    assert_int_equal(ret, 0);
    glp_delete_prob(lp);
    glp_free_env();
}

/* ------------------------------------------------------------------ */
/* Exact MIP                                                           */
/* ------------------------------------------------------------------ */

static void test_exact_grid(void **state)
{
    (void)state;
    tinst *ti = tinst_grid(6, 4, 3, 0.05, 7);
    /* Locks and a maximum distance that still leaves a choice. */
    ti->lock = malloc((size_t)ti->n * sizeof(int));
    for (int i = 0; i < ti->n; i++)
        ti->lock[i] = -1;
    ti->lock[0] = 2;
    ti->lock[23] = 0;
    alloc_problem *P = tinst_problem(ti);
    P->max_distance = 45;
    alloc_solution x;
    double gap = -1;
    int t[64];
    for (int contiguity = 0; contiguity <= 1; contiguity++) {
        assert_int_equal(solve_exact(ti, contiguity, 0, &x, &gap), TQO_OK);
        check_solution(P, &x, t);
        assert_string_equal(x.status, "optimal");
        assert_true(gap >= 0 && gap <= 1e-6);
        assert_true(x.lower_bound >= x.objective * (1 - 1e-6));
        assert_int_equal(t[0], 2);
        assert_int_equal(t[23], 0);
        for (int i = 0; i < ti->n; i++)
            assert_true(sqrt(tqoi_alloc_dist2(P, i, t[i])) <= 45);
        if (contiguity)
            assert_true(contiguous(ti, t));
        tqoi_alloc_solution_free(&x);
    }
    tinst_free(ti);
    glp_free_env();
}

/* 10 units, 2 territories: 1024 assignments, with and without contiguity,
   locks, and the move cap with disruption cost. */
static void test_exact_brute_force(void **state)
{
    (void)state;
    for (int seed = 1; seed <= 6; seed++) {
        tinst *ti = tinst_grid(5, 2, 2, 0.15, (uint64_t)seed);
        if (seed % 2 == 0) {
            ti->current = malloc((size_t)ti->n * sizeof(int));
            for (int i = 0; i < ti->n; i++)
                ti->current[i] = i % 5 < 3 ? 0 : 1;
            ti->lock = malloc((size_t)ti->n * sizeof(int));
            for (int i = 0; i < ti->n; i++)
                ti->lock[i] = i == 4 ? 0 : -1;
        }
        alloc_problem *P = tinst_problem(ti);
        if (seed % 2 == 0) {
            P->disruption_weight = 50;
            P->max_move = 250;
        }
        for (int contiguity = 0; contiguity <= 1; contiguity++) {
            int best[64], t[64];
            double opt = brute_force(ti, contiguity, best);
            alloc_solution x;
            double gap;
            tqo_status st = solve_exact(ti, contiguity, 0, &x, &gap);
            if (isinf(opt)) {
                assert_int_equal(st, TQO_ERR_INFEASIBLE);
                continue;
            }
            assert_int_equal(st, TQO_OK);
            check_solution(P, &x, t);
            assert_rel(x.objective, opt, 2e-6);
            assert_true(x.lower_bound <= opt * (1 + 1e-9));
            if (contiguity)
                assert_true(contiguous(ti, t));
            tqoi_alloc_solution_free(&x);
        }
        tinst_free(ti);
    }
    glp_free_env();
}

/* 9 units in two graph components (a 3x2 grid and a path of 3), 3
   territories: checks the island exception and the cross-component cut
   against brute force over 3^9 assignments. */
static void test_exact_brute_force_islands(void **state)
{
    (void)state;
    for (int seed = 1; seed <= 4; seed++) {
        rng_state = 12345u + (uint64_t)seed * 7919u;
        tinst *ti = tinst_new(9, 3);
        for (int i = 0; i < 9; i++) {
            ti->ux[i] = 40 * urand();
            ti->uy[i] = 40 * urand();
            ti->a0[i] = ti->w[i] = 1 + 4 * urand();
        }
        int eu[] = {0, 1, 3, 4, 0, 1, 2, 6, 7}, ev[] = {1, 2, 4, 5, 3, 4, 5, 7, 8};
        tinst_edges(ti, 9, eu, ev);
        for (int j = 0; j < 3; j++) {
            ti->cx[j] = ti->ux[j * 3];
            ti->cy[j] = ti->uy[j * 3];
        }
        tinst_balance(ti, 0.3);
        alloc_problem *P = tinst_problem(ti);
        int best[64], t[64];
        double opt = brute_force(ti, 1, best);
        alloc_solution x;
        double gap;
        tqo_status st = solve_exact(ti, 1, 0, &x, &gap);
        if (isinf(opt)) {
            assert_int_equal(st, TQO_ERR_INFEASIBLE);
        } else {
            assert_int_equal(st, TQO_OK);
            check_solution(P, &x, t);
            assert_true(contiguous(ti, t));
            assert_rel(x.objective, opt, 2e-6);
            tqoi_alloc_solution_free(&x);
        }
        tinst_free(ti);
    }
    glp_free_env();
}

/* Path 0-1-2-3 with units 0, 2 at centre A and 1, 3 at centre B: the
   unconstrained optimum {0,2} {1,3} (cost 0) is disconnected; the
   contiguous one costs 200. */
static void test_contiguity_path(void **state)
{
    (void)state;
    tinst *ti = tinst_new(4, 2);
    double xs[4] = {0, 10, 0, 10};
    for (int i = 0; i < 4; i++)
        ti->ux[i] = xs[i];
    ti->cx[1] = 10;
    int eu[] = {0, 1, 2}, ev[] = {1, 2, 3};
    tinst_edges(ti, 3, eu, ev);
    tinst_balance(ti, 0);
    alloc_problem *P = tinst_problem(ti);
    alloc_solution x;
    double gap;
    int t[4];
    assert_int_equal(solve_exact(ti, 0, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    double plain = x.objective;
    assert_close(plain, 0, 1e-9);
    assert_false(contiguous(ti, t));
    tqoi_alloc_solution_free(&x);

    assert_int_equal(solve_exact(ti, 1, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    assert_true(contiguous(ti, t));
    assert_true(x.objective >= plain);
    assert_close(x.objective, 200, 1e-6);
    assert_true(t[0] == t[1] && t[2] == t[3] && t[0] != t[2]);
    tqoi_alloc_solution_free(&x);

    /* Two components {0,1} and {2,3}: one territory may not hold a part
       of each (A = {0,2} is disconnected across components). */
    free(ti->adj_start);
    free(ti->adj);
    int eu2[] = {0, 2}, ev2[] = {1, 3};
    tinst_edges(ti, 2, eu2, ev2);
    assert_int_equal(solve_exact(ti, 1, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    assert_true(t[0] == t[1] && t[2] == t[3]);
    assert_close(x.objective, 200, 1e-6);
    tqoi_alloc_solution_free(&x);

    /* An island may join any territory: unit 3 alone, 0-1-2 a path, units
       0 and 3 at centre A, 1 and 2 at B: A = {0, 3}, B = {1, 2} costs 0
       although A has two pieces. */
    free(ti->adj_start);
    free(ti->adj);
    double xs2[4] = {0, 10, 10, 0};
    for (int i = 0; i < 4; i++)
        ti->ux[i] = xs2[i];
    int eu3[] = {0, 1}, ev3[] = {1, 2};
    tinst_edges(ti, 2, eu3, ev3);
    assert_int_equal(solve_exact(ti, 1, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    assert_close(x.objective, 0, 1e-9);
    assert_true(t[0] == t[3] && t[1] == t[2] && t[0] != t[1]);
    tqoi_alloc_solution_free(&x);
    tinst_free(ti);
    glp_free_env();
}

static void test_exact_infeasible(void **state)
{
    (void)state;
    tinst *ti = tinst_grid(4, 3, 2, 0.0, 3);
    /* Exact halves of a lognormal measure over 12 units: impossible (as
       brute force confirms). */
    alloc_problem *P = tinst_problem(ti);
    int best[64];
    double opt = brute_force(ti, 0, best);
    assert_true(isinf(opt));
    alloc_solution x;
    double gap;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_alloc_solve_exact(P, NULL, NULL, 0, &x, &gap, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(tqo_diag_first_error(&d));
    assert_non_null(strstr(tqo_diag_first_error(&d), "balance"));
    assert_string_equal(x.status, "infeasible");
    tqo_diag_free(&d);

    /* A unit that may join no territory. */
    tinst_balance(ti, 0.5);
    ti->lock = malloc((size_t)ti->n * sizeof(int));
    for (int i = 0; i < ti->n; i++)
        ti->lock[i] = -1;
    tinst_problem(ti);
    P->max_distance = 1e-3;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_alloc_solve_exact(P, NULL, NULL, 0, &x, &gap, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "may join no territory"));
    tqo_diag_free(&d);
    tinst_free(ti);
    glp_free_env();
}

/* A short time limit on a larger instance: whatever is returned must be a
   feasible solution with a valid bound (compared with the true optimum). */
static void test_exact_time_limit(void **state)
{
    (void)state;
    tinst *ti = tinst_grid(10, 8, 4, 0.03, 11);
    alloc_problem *P = tinst_problem(ti);
    alloc_solution x;
    double gap;
    int t[128];
    assert_int_equal(solve_exact(ti, 1, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    assert_true(contiguous(ti, t));
    double opt = x.objective;
    tqoi_alloc_solution_free(&x);
    for (int k = 0; k < 3; k++) {
        double lim = k == 0 ? 0.001 : 0.02 * k;
        tqo_status st = solve_exact(ti, 1, lim, &x, &gap);
        assert_true(st == TQO_OK || st == TQO_ERR_LIMIT);
        if (st == TQO_OK) {
            check_solution(P, &x, t);
            assert_true(x.objective >= opt * (1 - 1e-6));
            assert_true(x.lower_bound <= opt * (1 + 1e-9));
            assert_true(gap >= 0);
            tqoi_alloc_solution_free(&x);
        } else {
            assert_string_equal(x.status, "time limit");
        }
    }
    tinst_free(ti);
    glp_free_env();
}

/* A start assignment: used when feasible, so even a run out of time
   returns it; refused with a warning otherwise. */
static void test_exact_start(void **state)
{
    (void)state;
    tinst *ti = tinst_grid(10, 8, 4, 0.03, 11);
    alloc_problem *P = tinst_problem(ti);
    alloc_solution x;
    double gap;
    int opt_t[128], t[128];
    assert_int_equal(solve_exact(ti, 1, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, opt_t);
    double opt = x.objective;
    tqoi_alloc_solution_free(&x);

    tqo_diag d;
    tqo_diag_init(&d);
    for (int k = 0; k < 3; k++) {
        double lim = k == 0 ? 1e-6 : k == 1 ? 0.01 : 0;
        assert_int_equal(tqoi_alloc_solve_exact_start(P, ti->adj_start, ti->adj, lim, opt_t, &x, &gap, &d), TQO_OK);
        check_solution(P, &x, t);
        assert_true(contiguous(ti, t));
        assert_rel(x.objective, opt, 2e-6);
        assert_true(x.lower_bound <= opt * (1 + 1e-9));
        tqoi_alloc_solution_free(&x);
    }
    tqo_diag_free(&d);

    /* Everything in territory 0 breaks the bounds; the plain optimum of a
       path instance is not contiguous. */
    for (int i = 0; i < ti->n; i++)
        t[i] = 0;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_alloc_solve_exact_start(P, ti->adj_start, ti->adj, 0, t, &x, &gap, &d), TQO_OK);
    assert_rel(x.objective, opt, 2e-6);
    assert_int_equal(d.n_warnings, 1);
    assert_non_null(strstr(d.msgs[0], "start assignment is not used"));
    tqoi_alloc_solution_free(&x);
    tqo_diag_free(&d);
    tinst_free(ti);

    ti = tinst_new(4, 2);
    ti->ux[1] = ti->ux[3] = ti->cx[1] = 10;
    int eu[] = {0, 1, 2}, ev[] = {1, 2, 3};
    tinst_edges(ti, 3, eu, ev);
    tinst_balance(ti, 0);
    P = tinst_problem(ti);
    int split[4] = {0, 1, 0, 1};
    tqo_diag_init(&d);
    assert_int_equal(tqoi_alloc_solve_exact_start(P, ti->adj_start, ti->adj, 0, split, &x, &gap, &d), TQO_OK);
    assert_close(x.objective, 200, 1e-6);
    assert_non_null(strstr(d.msgs[0], "not contiguous"));
    tqoi_alloc_solution_free(&x);
    tqo_diag_free(&d);
    tinst_free(ti);
    glp_free_env();
}

/* Threads solve their own problems with GLPK's thread-local environment;
   a guarded failure on one thread leaves the other's solve intact. */
typedef struct thread_job {
    int seed, fail, ok;
    double objective;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    if (job->fail) {
        job->ok = 1;
        for (int k = 0; k < 50; k++) {
            tqoi_glpk_quiet();
            glp_prob *lp = one_column();
            job->ok &= tqoi_guarded_call(bad_bounds, lp) == -1;
        }
    } else {
        tinst *ti = tinst_grid(6, 5, 3, 0.05, (uint64_t)job->seed);
        alloc_solution x;
        double gap;
        tqo_diag d;
        tqo_diag_init(&d);
        job->ok = tqoi_alloc_solve_exact(&ti->P, ti->adj_start, ti->adj, 0, &x, &gap, &d) == TQO_OK;
        job->objective = x.objective;
        if (job->ok)
            tqoi_alloc_solution_free(&x);
        tqo_diag_free(&d);
        tinst_free(ti);
    }
    glp_free_env(); /* as each thread ends */
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    thread_job jobs[3] = {{.seed = 21}, {.seed = 22}, {.fail = 1}};
    double serial[2];
    for (int k = 0; k < 2; k++) {
        thread_main(&jobs[k]);
        assert_true(jobs[k].ok);
        serial[k] = jobs[k].objective;
    }
    pthread_t th[3];
    for (int k = 0; k < 3; k++)
        assert_int_equal(pthread_create(&th[k], NULL, thread_main, &jobs[k]), 0);
    for (int k = 0; k < 3; k++)
        assert_int_equal(pthread_join(th[k], NULL), 0);
    for (int k = 0; k < 3; k++)
        assert_true(jobs[k].ok);
    assert_rel(jobs[0].objective, serial[0], 1e-12);
    assert_rel(jobs[1].objective, serial[1], 1e-12);
}

/* ------------------------------------------------------------------ */
/* Subset MIP                                                          */
/* ------------------------------------------------------------------ */

static void test_subset_mip(void **state)
{
    (void)state;
    tinst *ti = tinst_grid(6, 4, 3, 0.05, 5);
    alloc_problem *P = tinst_problem(ti);
    alloc_solution x;
    double gap;
    int t[64], fixed[64], out[64];
    assert_int_equal(solve_exact(ti, 0, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    double opt = x.objective;
    tqoi_alloc_solution_free(&x);

    /* Fix half the units where the optimum has them: the rest completes
       an optimum again, and the fixed ones stay. */
    for (int i = 0; i < ti->n; i++)
        fixed[i] = i % 2 ? t[i] : -1;
    tqo_diag d;
    tqo_diag_init(&d);
    double obj = -1;
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, fixed, NULL, NULL, 0, 0, out, &obj, &d), TQO_OK);
    for (int i = 0; i < ti->n; i++)
        if (fixed[i] >= 0)
            assert_int_equal(out[i], fixed[i]);
    assert_true(feasible(P, out));
    assert_rel(obj, cost_of(P, out), 1e-12);
    assert_rel(obj, opt, 2e-6);

    /* Candidate lists: each free unit may only take its optimal territory
       or territory 0. */
    int cs[65], cand[128], nc = 0;
    for (int i = 0; i < ti->n; i++) {
        cs[i] = nc;
        if (fixed[i] < 0) {
            cand[nc++] = t[i];
            cand[nc++] = 0;
        }
    }
    cs[ti->n] = nc;
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, fixed, cs, cand, 0, 0, out, &obj, &d), TQO_OK);
    for (int i = 0; i < ti->n; i++)
        assert_true(out[i] == t[i] || (fixed[i] < 0 && out[i] == 0));
    assert_true(feasible(P, out));

    /* Every unit fixed: feasible as the optimum, infeasible otherwise. */
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, t, NULL, NULL, 0, 0, out, &obj, &d), TQO_OK);
    assert_rel(obj, opt, 1e-12);
    for (int i = 0; i < ti->n; i++)
        fixed[i] = 0;
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, fixed, NULL, NULL, 0, 0, out, &obj, &d), TQO_ERR_INFEASIBLE);
    tqo_diag_free(&d);

    /* Too much fixed into territory 0, and the free units may only join
       territory 0 as well: no completion meets the bounds. */
    tqo_diag_init(&d);
    double in0 = 0;
    nc = 0;
    for (int i = 0; i < ti->n; i++) {
        fixed[i] = -1;
        cs[i] = nc;
        if (in0 < ti->hi[0] * 0.9) {
            fixed[i] = 0;
            in0 += ti->a0[i];
        } else {
            cand[nc++] = 0;
        }
    }
    cs[ti->n] = nc;
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, fixed, cs, cand, 0, 0, out, &obj, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "balance bounds"));
    tqo_diag_free(&d);

    /* A free unit without candidates; a unit fixed where it may not go. */
    tqo_diag_init(&d);
    for (int i = 0; i < ti->n; i++)
        fixed[i] = i == 3 ? -1 : t[i];
    for (int i = 0; i <= ti->n; i++)
        cs[i] = 0;
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, fixed, cs, cand, 0, 0, out, &obj, &d), TQO_ERR_INFEASIBLE);
    assert_non_null(strstr(tqo_diag_first_error(&d), "u3"));
    tqo_diag_free(&d);
    ti->lock = malloc((size_t)ti->n * sizeof(int));
    for (int i = 0; i < ti->n; i++)
        ti->lock[i] = -1;
    ti->lock[5] = (t[5] + 1) % 3;
    tinst_problem(ti);
    tqo_diag_init(&d);
    assert_int_equal(tqoi_alloc_solve_subset_mip(P, t, NULL, NULL, 0, 0, out, &obj, &d), TQO_ERR_ARG);
    tqo_diag_free(&d);
    tinst_free(ti);
    glp_free_env();
}

/* ------------------------------------------------------------------ */
/* Model export                                                        */
/* ------------------------------------------------------------------ */

static char tmpdir[64];

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tqo_model_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *dir = opendir(tmpdir);
    if (dir) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            if (rmdir(p) != 0)
                unlink(p);
        }
        closedir(dir);
    }
    rmdir(tmpdir);
    return 0;
}

static int count_files(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
    s[len] = '\0';
    fclose(f);
    return s;
}

static double solve_file(const char *path, int mps, int integer)
{
    glp_prob *lp = glp_create_prob();
    int r = mps ? glp_read_mps(lp, GLP_MPS_FILE, NULL, path) : glp_read_lp(lp, NULL, path);
    assert_int_equal(r, 0);
    double v;
    if (integer) {
        glp_iocp ip;
        glp_init_iocp(&ip);
        ip.msg_lev = GLP_MSG_OFF;
        ip.presolve = GLP_ON;
        assert_int_equal(glp_intopt(lp, &ip), 0);
        assert_int_equal(glp_mip_status(lp), GLP_OPT);
        v = glp_mip_obj_val(lp);
    } else {
        glp_smcp sp;
        glp_init_smcp(&sp);
        sp.msg_lev = GLP_MSG_OFF;
        assert_int_equal(glp_simplex(lp, &sp), 0);
        assert_int_equal(glp_get_status(lp), GLP_OPT);
        v = glp_get_obj_val(lp);
    }
    glp_delete_prob(lp);
    return v;
}

static void test_write_model(void **state)
{
    (void)state;
    tqoi_glpk_quiet();
    tinst *ti = tinst_grid(4, 3, 2, 0.1, 9);
    ti->current = malloc((size_t)ti->n * sizeof(int));
    for (int i = 0; i < ti->n; i++)
        ti->current[i] = i % 4 < 2 ? 0 : 1;
    /* ids that need sanitizing */
    snprintf(ti->uid[1], 16, "u-1 x");
    snprintf(ti->tid[1], 16, "T/1");
    alloc_problem *P = tinst_problem(ti);
    P->disruption_weight = 10;
    P->max_move = 400;
    alloc_solution x;
    double gap;
    int t[64];
    assert_int_equal(solve_exact(ti, 0, 0, &x, &gap), TQO_OK);
    check_solution(P, &x, t);
    double opt = x.objective;
    tqoi_alloc_solution_free(&x);

    /* LP relaxation value from the model itself. */
    double lp_opt = alloc_reference_lp_value(P);
    assert_true(lp_opt <= opt * (1 + 1e-9));

    char path[256];
    tqo_diag d;
    tqo_diag_init(&d);
    for (int mps = 0; mps <= 1; mps++)
        for (int integer = 0; integer <= 1; integer++) {
            snprintf(path, sizeof path, "%s/model%d%d.%s", tmpdir, mps, integer, mps ? "mps" : "lp");
            assert_int_equal(tqoi_alloc_write_model(P, integer, mps, path, &d), TQO_OK);
            double v = solve_file(path, mps, integer);
            assert_rel(v, integer ? opt : lp_opt, 1e-9);
            char *text = slurp(path);
            assert_non_null(strstr(text, "x_u0_T0"));
            assert_null(strstr(text, "u-1"));
            assert_non_null(strstr(text, "x_u_1_x_T_1"));
            assert_non_null(strstr(text, "bal_T_1_0"));
            assert_non_null(strstr(text, "assign_u3"));
            assert_non_null(strstr(text, "move"));
            free(text);
        }
    assert_int_equal(d.n_errors, 0);
    assert_int_equal(count_files(tmpdir), 4);

    /* Ids that clash after sanitizing fall back to indices. */
    snprintf(ti->uid[2], 16, "u_1_x");
    snprintf(path, sizeof path, "%s/clash.lp", tmpdir);
    assert_int_equal(tqoi_alloc_write_model(P, 1, 0, path, &d), TQO_OK);
    char *text = slurp(path);
    assert_non_null(strstr(text, "x_2_0"));
    assert_null(strstr(text, "x_u0_T0"));
    free(text);
    assert_rel(solve_file(path, 0, 1), opt, 1e-9);

    /* Errors: a missing folder, and a target that cannot be replaced (a
       folder): no file is left behind. */
    snprintf(path, sizeof path, "%s/missing/m.lp", tmpdir);
    assert_int_equal(tqoi_alloc_write_model(P, 1, 0, path, &d), TQO_ERR_IO);
    snprintf(path, sizeof path, "%s/adir", tmpdir);
    assert_int_equal(mkdir(path, 0700), 0);
    int before = count_files(tmpdir);
    assert_int_equal(tqoi_alloc_write_model(P, 1, 1, path, &d), TQO_ERR_IO);
    assert_int_equal(count_files(tmpdir), before);
    assert_int_equal(d.n_errors, 2);
    tqo_diag_free(&d);
    tinst_free(ti);
    glp_free_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guard),
        cmocka_unit_test(test_exact_grid),
        cmocka_unit_test(test_exact_brute_force),
        cmocka_unit_test(test_exact_brute_force_islands),
        cmocka_unit_test(test_contiguity_path),
        cmocka_unit_test(test_exact_infeasible),
        cmocka_unit_test(test_exact_time_limit),
        cmocka_unit_test(test_exact_start),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_subset_mip),
        cmocka_unit_test_setup_teardown(test_write_model, setup_tmpdir, remove_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
