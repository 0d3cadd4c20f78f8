/* The allocation LP from centres far from balance (all of them in one
   corner of clustered units, a few units worth several territories): the
   first restricted LPs lean on their slacks, and pricing adds improving
   columns a few per unit and round. The LP must still be exact: its
   value equals GLPK's over the whole model, its bound meets it, and the
   solution recomputed from its shares keeps every bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "alloc_reference.h"

#define N 500
#define P_T 25

static uint64_t rng_state = 88172645463325252ULL;
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

/* From the LP's debug log: rounds priced while a slack was used, and
   whether any round added more than 4 columns per free unit. */
typedef struct round_log {
    int slack_rounds, rounds, over_batch;
} round_log;

static void on_log(void *ctx, tqo_log_level level, const char *msg)
{
    (void)level;
    round_log *r = ctx;
    int round, nfree, ncol, added;
    double lp, bound, slack;
    if (sscanf(msg, "alloc: round %d, %d free units, %d columns, LP %lf, bound %lf, slack %lf, +%d columns", &round,
               &nfree, &ncol, &lp, &bound, &slack, &added) == 7) {
        r->rounds++;
        r->slack_rounds += slack > 0;
        r->over_batch |= added > 4 * nfree;
    }
}

static void lp_from_far_centres_is_exact(void **state)
{
    (void)state;
    static double ux[N], uy[N], w[N], a0[N], cx[P_T], cy[P_T], lo[P_T], hi[P_T];
    const double *a[1] = {a0};
    double total = 0;
    for (int i = 0; i < N; i++) {
        /* five clusters; every 50th unit large */
        int k = i % 5;
        ux[i] = 100 * k + 10 * urand();
        uy[i] = 50 * (k % 2) + 10 * urand();
        a0[i] = i % 50 == 0 ? 60 : 1 + urand();
        w[i] = a0[i];
        total += a0[i];
    }
    for (int j = 0; j < P_T; j++) {
        cx[j] = 5 * urand(); /* all in the first cluster's corner */
        cy[j] = 5 * urand();
        lo[j] = 0.95 * total / P_T;
        hi[j] = 1.05 * total / P_T;
    }
    alloc_problem P = {.n = N, .p = P_T, .nb = 1, .a = a, .w = w, .lo = lo, .hi = hi, .coords = TQO_COORDS_XY,
                       .ux = ux, .uy = uy, .cx = cx, .cy = cy, .max_move = -1, .threads = 1};
    alloc_solution x;
    tqo_diag d;
    tqo_diag_init(&d);
    round_log rl = {0, 0, 0};
    assert_int_equal(tqoi_alloc_solve_lp(&P, 4, NULL, &x, on_log, &rl, &d), TQO_OK);
    tqo_diag_free(&d);
    assert_string_equal(x.status, "optimal");
    /* the case meant: priced at slack duals, columns added in batches */
    assert_true(rl.slack_rounds > 0);
    assert_false(rl.over_batch);
    double ref = alloc_reference_lp_value(&P);
    assert_true(fabs(x.objective - ref) <= 1e-6 * ref);
    assert_true(x.lower_bound <= x.objective * (1 + 1e-9));
    assert_true(x.lower_bound >= ref * (1 - 1e-6));
    /* recomputed from the shares: one per unit, loads within bounds, cost */
    double load[P_T] = {0}, cost = 0;
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int k = x.start[i]; k < x.start[i + 1]; k++) {
            s += x.share[k];
            load[x.terr[k]] += x.share[k] * a0[i];
            cost += x.share[k] * tqoi_alloc_cost(&P, i, x.terr[k]);
        }
        assert_true(fabs(s - 1) <= 1e-9);
    }
    for (int j = 0; j < P_T; j++)
        assert_true(load[j] >= lo[j] * (1 - 1e-7) && load[j] <= hi[j] * (1 + 1e-7));
    assert_true(fabs(cost - x.objective) <= 1e-9 * x.objective);
    tqoi_alloc_solution_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lp_from_far_centres_is_exact),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glp_free_env();
    return rc;
}
