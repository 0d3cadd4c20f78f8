/*
 * A program built on the installed tqo library, through include/tqo.h
 * only: loads an instance, aligns K territories balanced on a measure,
 * sets next year's quotas on the new territories from the history, and
 * prints a summary. See README.md beside it for building it with CMake
 * or pkg-config.
 *
 * Usage: plan_summary INSTANCE K MEASURE:TOL [HISTORY_UNTIL GROWTH_PCT]
 * e.g.   plan_summary instances/superstore 12 accounts:10 2016Q4 10
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tqo.h>

/* Prints the library's messages, errors first in line. */
static void print_diag(const tqo_diag *d)
{
    for (int i = 0; i < d->n_msgs; i++)
        fprintf(stderr, "plan_summary: %s\n", d->msgs[i]);
}

static int fail(const char *what, tqo_status st, tqo_diag *d)
{
    fprintf(stderr, "plan_summary: %s: %s\n", what, tqo_status_string(st));
    print_diag(d);
    return 1;
}

/* Aligns and prints one line per territory; fills *a for the quotas. */
static int align(const tqo_instance *inst, int k, char *balance, tqo_assignment *a, tqo_diag *d)
{
    tqo_align_settings s;
    tqo_align_settings_default(&s);
    char *colon = strchr(balance, ':');
    if (colon) {
        *colon = '\0';
        s.balance_tol_pct[0] = atof(colon + 1);
    }
    s.k = k;
    s.n_balance = 1;
    s.balance[0] = balance;
    s.starts = 1;

    tqo_align_result r;
    memset(&r, 0, sizeof r);
    tqo_status st = tqo_align(inst, &s, &r, d);
    if (st != TQO_OK)
        return fail("align", st, d);
    printf("align: %d territories, status %s, gap %.2f%%, largest deviation of %s %.2f%%\n",
           r.n_territories, r.status, 100.0 * r.gap, balance, r.max_dev_pct[0]);
    for (int j = 0; j < r.n_territories; j++)
        printf("  territory %-6s units %5d  %s %.0f\n", r.territory_id[j], r.units_in[j], balance,
               r.total[j * r.n_balance]);
    /* the assignment in memory, as tqo_quota takes it */
    st = tqo_align_assignment(&r, a, d);
    tqo_align_result_free(&r);
    return st == TQO_OK ? 0 : fail("assignment", st, d);
}

static int quotas(const tqo_instance *inst, const tqo_assignment *a, const char *until, double growth,
                  tqo_diag *d)
{
    tqo_quota_settings s;
    tqo_quota_settings_default(&s);
    s.history_until = until;
    s.growth_pct = growth;

    tqo_quota_result r;
    memset(&r, 0, sizeof r);
    tqo_status st = tqo_quota(inst, a, &s, &r, d);
    if (st != TQO_OK)
        return fail("quota", st, d);
    printf("quota: plan year %d, method %s, target %.2f\n", r.plan_year, r.method, r.target);
    for (int j = 0; j < r.n_territories; j++)
        printf("  quota %-6s %.2f\n", r.territory_id[j], r.quota[j]);
    printf("quota total %.2f\n", r.total);
    tqo_quota_result_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: plan_summary INSTANCE K MEASURE:TOL [HISTORY_UNTIL GROWTH_PCT]\n");
        return 2;
    }
    printf("tqo %s\n", TQO_VERSION);
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(argv[1], NULL, &inst, &d);
    if (st != TQO_OK) {
        int rc = fail(argv[1], st, &d);
        tqo_diag_free(&d);
        return rc;
    }
    printf("instance %s: %d units, %d measures, %d history periods\n", argv[1], inst->n_units,
           inst->n_measures, inst->n_periods);

    tqo_assignment a;
    memset(&a, 0, sizeof a);
    int rc = align(inst, atoi(argv[2]), argv[3], &a, &d);
    if (rc == 0 && argc == 6)
        rc = quotas(inst, &a, argv[4], atof(argv[5]), &d);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
    return rc;
}
