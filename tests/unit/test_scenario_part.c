/* A sweep in parts (issue 17), through the public API: any split of the
   scenarios, evaluated in any order on another thread count, packed and
   unpacked, gives exactly the rows of tqo_scenarios; shards partition the
   indices round robin; unpack refuses a repeated row; the hash follows the
   seed and the inputs; part files merge into the single run's files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tqo.h"

#define N 7
#define M TQO_SCENARIO_N_METRICS

static tqo_scenario make(const char *name, double growth)
{
    tqo_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.name = (char *)name;
    tqo_quota_settings_default(&sc.quota);
    sc.quota.growth_pct = growth;
    sc.quota.potential = "accounts";
    sc.quota.max_growth_pct = 25;
    sc.target_incentive = 1000;
    char err[100];
    tqo_payout_parse("50:0;100:100;150:250;200:250", &sc.curve, err, sizeof err);
    return sc;
}

/* superstore with territories by region and the unit id's first digit */
static void superstore(tqo_instance **inst, tqo_assignment *a, tqo_diag *d)
{
    assert_int_equal(tqo_instance_load(TQO_SOURCE_DIR "/instances/superstore", NULL, inst, d), TQO_OK);
    char path[128];
    snprintf(path, sizeof path, "/tmp/tqo_test_part_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    int l = tqo_instance_label(*inst, "region");
    fprintf(fp, "unit_id,territory_id,share\n");
    for (int i = 0; i < (*inst)->n_units; i++)
        fprintf(fp, "%s,%s %s,1\n", (*inst)->unit_id[i], (*inst)->labels[l].value[i],
                (*inst)->unit_id[i][0] < '5' ? "A" : "B");
    fclose(fp);
    assert_int_equal(tqo_assignment_load(path, *inst, a, d), TQO_OK);
    remove(path);
}

static void same_rows(const tqo_scenarios_result *x, const tqo_scenarios_result *y)
{
    int n = x->n_scenarios, p = x->n_territories, nb = x->n_backtest_years;
    assert_int_equal(n, y->n_scenarios);
    assert_memory_equal(x->mc, y->mc, sizeof(double) * n * M * 3);
    assert_memory_equal(x->backtest_mean, y->backtest_mean, sizeof(double) * n * M);
    assert_memory_equal(x->backtest, y->backtest, sizeof(double) * n * nb * M);
    assert_memory_equal(x->quota, y->quota, sizeof(double) * n * p);
    assert_memory_equal(x->bound, y->bound, (size_t)n * p);
    assert_memory_equal(x->expected_payout, y->expected_payout, sizeof(double) * n * p);
    assert_memory_equal(x->backtest_attainment, y->backtest_attainment, sizeof(double) * n * nb * p);
    assert_memory_equal(x->efficient, y->efficient, (size_t)n);
    assert_int_equal(x->n_failed, y->n_failed);
    for (int s = 0; s < n; s++)
        assert_true((!x->error[s] && !y->error[s]) || (x->error[s] && y->error[s] && !strcmp(x->error[s], y->error[s])));
}

static void split_equals_single_run(void **state)
{
    (void)state;
    tqo_instance *inst;
    tqo_assignment a;
    tqo_diag d;
    tqo_diag_init(&d);
    superstore(&inst, &a, &d);
    tqo_scenario sc[N] = {make("g0", 0),   make("g5", 5),   make("g10", 10), make("g15", 15),
                          make("g20", 20), make("bad", 60), make("g2", 2)}; /* 60% over a 25% cap fails */
    tqo_scenario_settings s;
    tqo_scenario_settings_default(&s);
    s.base.potential = "accounts";
    s.base.min_train_years = 1;
    s.replicates = 130;
    s.seed = 5;
    s.threads = 2;
    tqo_scenarios_result one, parts, recv;
    assert_int_equal(tqo_scenarios(inst, &a, sc, N, &s, &one, &d), TQO_OK);
    assert_int_equal(one.n_failed, 1);

    /* shards 1..3 of 7: round robin, a partition */
    int ix[3][N], k[3], cover[N] = {0};
    for (int i = 0; i < 3; i++) {
        k[i] = tqo_scenarios_shard(N, i + 1, 3, ix[i]);
        for (int j = 0; j < k[i]; j++) {
            assert_int_equal(ix[i][j] % 3, i);
            cover[ix[i][j]]++;
        }
    }
    for (int g = 0; g < N; g++)
        assert_int_equal(cover[g], 1);
    assert_int_equal(tqo_scenarios_shard(N, 4, 3, ix[0]), 0);

    /* the shards evaluated last first, on 1 thread, in one run */
    s.threads = 1;
    tqo_scenarios_run *run;
    assert_int_equal(tqo_scenarios_begin(inst, &a, sc, N, &s, &parts, &run, &d), TQO_OK);
    for (int i = 2; i >= 0; i--)
        assert_int_equal(tqo_scenarios_eval(run, ix[i], k[i], &d), TQO_OK);
    int out_of_range = N;
    assert_int_equal(tqo_scenarios_eval(run, &out_of_range, 1, &d), TQO_ERR_ARG);
    assert_non_null(strstr(tqo_diag_first_error(&d), "scenario index 7"));
    tqo_scenarios_end(run);

    /* carried through bytes, shard by shard, into a fresh sweep */
    tqo_scenarios_run *run2;
    assert_int_equal(tqo_scenarios_begin(inst, &a, sc, N, &s, &recv, &run2, &d), TQO_OK);
    tqo_scenarios_end(run2);
    unsigned char seen[N] = {0};
    unsigned char *buf[3];
    size_t len[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tqo_scenarios_rows_pack(&parts, ix[i], k[i], &buf[i], &len[i]), TQO_OK);
        assert_int_equal(tqo_scenarios_rows_unpack(&recv, buf[i], len[i], seen, "shard", &d), TQO_OK);
    }
    tqo_diag_free(&d);
    tqo_diag_init(&d);
    assert_int_equal(tqo_scenarios_rows_unpack(&recv, buf[1], len[1], seen, "again", &d), TQO_ERR_INPUT);
    assert_non_null(strstr(tqo_diag_first_error(&d), "again: scenario #1 came twice"));
    assert_int_equal(tqo_scenarios_finish(sc, &recv, &d), TQO_OK);
    same_rows(&one, &recv);

    /* the hash: the same sweep agrees, another seed or other inputs do not */
    uint64_t h = tqo_scenarios_hash(42, sc, &s, &one);
    assert_true(h == tqo_scenarios_hash(42, sc, &s, &recv));
    assert_true(h != tqo_scenarios_hash(43, sc, &s, &one));
    s.seed = 6;
    assert_true(h != tqo_scenarios_hash(42, sc, &s, &one));
    s.seed = 5;

    /* part files merge into the single run's files */
    char dir[128], one_dir[160], merged[160], names[3][200];
    snprintf(dir, sizeof dir, "/tmp/tqo_test_part_%ld", (long)getpid());
    snprintf(one_dir, sizeof one_dir, "%s/one", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    assert_int_equal(tqo_scenarios_write(sc, &s, &one, one_dir, &d), TQO_OK);
    const char *paths[3];
    for (int i = 0; i < 3; i++) {
        char nm[64];
        snprintf(nm, sizeof nm, "part%d.bin", i + 1);
        assert_int_equal(tqo_scenarios_part_write(dir, nm, h, i + 1, 3, sc, &s, &parts, ix[i], k[i], &d), TQO_OK);
        snprintf(names[i], sizeof names[i], "%s/%s", dir, nm);
        paths[i] = names[i];
    }
    int n = 0;
    assert_int_equal(tqo_scenarios_merge(paths, 3, merged, &n, &d), TQO_OK);
    assert_int_equal(n, N);
    static const char *const F[] = {"scenarios_summary.csv", "scenarios_detail.csv", "scenarios.svg",
                                    "scenarios.json"};
    char cmd[1200];
    for (int f = 0; f < 4; f++) {
        snprintf(cmd, sizeof cmd, "cmp -s %s/%s %s/%s", one_dir, F[f], merged, F[f]);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(tqo_scenarios_merge(paths, 2, merged, NULL, &d), TQO_ERR_INPUT); /* shard 3 missing */
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);

    for (int i = 0; i < 3; i++)
        free(buf[i]);
    tqo_scenarios_result_free(&one);
    tqo_scenarios_result_free(&parts);
    tqo_scenarios_result_free(&recv);
    tqo_assignment_free(&a);
    tqo_instance_free(inst);
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_equals_single_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
