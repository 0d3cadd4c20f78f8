/* tqo scenarios --shard I/N, and the input hash of a sweep (see cli_sweep.h). */
#include "cli/cli_sweep.h"
#include "cli/cli_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_shard_parse(const char *text, int *shard, int *n_shards)
{
    char *end;
    errno = 0;
    long i = strtol(text, &end, 10);
    long n = 0;
    int ok = end != text && *end == '/' && errno == 0;
    if (ok) {
        const char *t = end + 1;
        n = strtol(t, &end, 10);
        ok = end != t && *end == 0 && errno == 0;
    }
    if (!ok || n < 1 || n > 1000000 || i < 1 || i > n) {
        cli_usage_error("option '--shard': '%s' is not I/N with 1 <= I <= N <= 1000000", text);
        return -1;
    }
    *shard = (int)i;
    *n_shards = (int)n;
    return 0;
}

static uint64_t hash_file(uint64_t h, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return h;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        h = tqo_hash_bytes(h, buf, got);
    fclose(f);
    return h;
}

uint64_t cli_hash_inputs(const char *const *paths, int n)
{
    /* The files an instance folder may hold (docs/format.md). */
    static const char *const FOLDER[] = {"units.csv", "territories.csv", "adjacency.csv", "locks.csv",
                                         "history.csv"};
    uint64_t h = TQO_HASH_INIT;
    for (int k = 0; k < n; k++) {
        struct stat st;
        h = tqo_hash_bytes(h, &k, sizeof k); /* which input: a file moved between roles changes the hash */
        if (!paths[k] || stat(paths[k], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            h = hash_file(h, paths[k]);
            continue;
        }
        for (size_t i = 0; i < sizeof FOLDER / sizeof *FOLDER; i++) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", paths[k], FOLDER[i]);
            h = tqo_hash_bytes(h, FOLDER[i], strlen(FOLDER[i]));
            h = hash_file(h, p);
        }
    }
    return h;
}

tqo_status cli_sweep_shard(const cli_sweep *w, uint64_t inputs, int shard, int n_shards, tqo_diag *diag)
{
    int *ix = malloc(((size_t)w->n / (size_t)n_shards + 1) * sizeof *ix);
    if (!ix)
        return TQO_ERR_NOMEM;
    int k = tqo_scenarios_shard(w->n, shard, n_shards, ix);
    tqo_scenarios_result r;
    tqo_scenarios_run *run = NULL;
    tqo_status st = tqo_scenarios_begin(w->inst, w->asg, w->sc, w->n, w->set, &r, &run, diag);
    if (st == TQO_OK)
        st = tqo_scenarios_eval(run, ix, k, diag);
    tqo_scenarios_end(run);
    char name[96];
    snprintf(name, sizeof name, "scenarios_part_%d_of_%d.bin", shard, n_shards);
    if (st == TQO_OK) {
        uint64_t h = tqo_scenarios_hash(inputs, w->sc, w->set, &r);
        st = tqo_scenarios_part_write(w->out, name, h, shard, n_shards, w->sc, w->set, &r, ix, k, diag);
    }
    if (st == TQO_OK && !w->quiet)
        printf("shard %d/%d: %d of %d scenarios x %d replicates x %d territories\npart: %s/%s\n", shard, n_shards,
               k, w->n, r.replicates, r.n_territories, w->out, name);
    tqo_scenarios_result_free(&r);
    free(ix);
    return st;
}

#ifndef TQO_MPI
int cli_mpi_init(void)
{
    return -1;
}

void cli_mpi_finalize(void)
{
}

tqo_status cli_sweep_mpi(const cli_sweep *w, tqo_status load_status, tqo_scenarios_result *r, tqo_diag *diag)
{
    (void)w;
    (void)load_status;
    (void)r;
    tqo_diag_error(diag, "this tqo was built without MPI (-DTQO_MPI=ON)");
    return TQO_ERR_ARG;
}

int cli_mpi_rank(void)
{
    return -1;
}

tqo_status cli_mpi_agree(tqo_status st, tqo_diag *diag)
{
    (void)diag;
    return st;
}

int cli_mpi_plan_handover(int go, tqo_assignment *a, tqo_diag *diag)
{
    (void)a;
    (void)diag;
    return go;
}
#endif
