/*
 * mpirun -n R tqo scenarios: the sweep over R ranks (built with
 * -DTQO_MPI=ON). Every rank loads the inputs and prepares the sweep (cheap
 * next to the scenarios); scenarios are handed out in chunks from a
 * counter on rank 0 (MPI_Fetch_and_op: no rank has to stop and serve, and
 * a rank that draws costly scenarios simply takes fewer chunks); each rank
 * runs its chunks on its OpenMP threads, and rank 0 gathers the rows,
 * finishes (failures, Pareto front) and writes. A scenario's rows do not
 * depend on the rank or chunk that ran it, so the files are those of a
 * single run for any R and any thread count; before the first chunk the
 * ranks check, by a hash, that they prepared the same sweep. MPI is called
 * only from the main thread, outside parallel regions (MPI_THREAD_FUNNELED).
 * tqo plan's scenario step is the same sweep: rank 0 aligns while the
 * others wait asleep, then hands them its assignment
 * (cli_mpi_plan_handover).
 */
#include "cli/cli_sweep.h"
#include "cli/cli_common.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PIECE (1 << 30) /* bytes per message: counts are ints */

static int g_mpi, g_rank = -1;

int cli_mpi_rank(void)
{
    return g_mpi ? g_rank : -1;
}

/* Waits for rq asleep: Open MPI's blocking calls poll at full speed, which
   on a shared node takes a core from the rank that is working (rank 0's
   alignment, the last chunks, the writing of the files). */
static void idle_wait(MPI_Request *rq)
{
    int done = 0;
    MPI_Test(rq, &done, MPI_STATUS_IGNORE);
    while (!done) {
        struct timespec ts = {0, 2000000}; /* 2 ms: nothing next to what is awaited */
        nanosleep(&ts, NULL);
        MPI_Test(rq, &done, MPI_STATUS_IGNORE);
    }
}

/* Every rank here, the waiting ones asleep. */
static void idle_barrier(void)
{
    MPI_Request rq;
    MPI_Ibarrier(MPI_COMM_WORLD, &rq);
    idle_wait(&rq);
}

int cli_mpi_init(void)
{
    /* Only when a launcher started us: a plain tqo stays a plain process. */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK"))
        return -1;
    int provided = 0, rank = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    g_mpi = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    g_rank = rank;
    if (provided < MPI_THREAD_FUNNELED) {
        fprintf(stderr, "tqo: error: this MPI offers no MPI_THREAD_FUNNELED, which the OpenMP threads need\n");
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAIL);
    }
    return rank;
}

void cli_mpi_finalize(void)
{
    if (g_mpi) {
        idle_barrier(); /* the other ranks wait for rank 0's writing here */
        MPI_Finalize();
    }
    g_mpi = 0;
    g_rank = -1;
}

/* A rank that cannot go on: its message, then the whole job ends (the
   other ranks may be waiting for it). */
static void fail_abort(int rank, int size, const tqo_diag *diag)
{
    fprintf(stderr, "tqo: error: rank %d of %d failed; stopping every rank\n", rank, size);
    cli_print_diag(diag);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAIL);
}

/* The same status on every rank: the first failing rank's. Its message is
   printed once (rank 0's by the command, another's here). */
static tqo_status agree(tqo_status st, int rank, int size, const tqo_diag *diag)
{
    int me = st != TQO_OK ? rank : size, first = size;
    MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size)
        return TQO_OK;
    int code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    if (rank == first && rank != 0) {
        fprintf(stderr, "tqo: rank %d of %d:\n", rank, size);
        cli_print_diag(diag);
    }
    return (tqo_status)code;
}

tqo_status cli_mpi_agree(tqo_status st, tqo_diag *diag)
{
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return agree(st, g_rank, size, diag);
}

/* The sweep as this rank prepared it, assignment included: ranks that load
   other files (nodes that do not share them) or were given other settings
   would send rows of another sweep. */
static uint64_t sweep_hash(const cli_sweep *w, const tqo_scenarios_result *r)
{
    const tqo_assignment *a = w->asg;
    uint64_t h = tqo_hash_bytes(TQO_HASH_INIT, &a->n_units, sizeof a->n_units);
    int nnz = a->unit_start ? a->unit_start[a->n_units] : 0;
    if (a->unit_start) {
        h = tqo_hash_bytes(h, a->unit_start, ((size_t)a->n_units + 1) * sizeof *a->unit_start);
        h = tqo_hash_bytes(h, a->terr, (size_t)nnz * sizeof *a->terr);
        h = tqo_hash_bytes(h, a->share, (size_t)nnz * sizeof *a->share);
    }
    return tqo_scenarios_hash(h, w->sc, w->set, r);
}

/* After begin succeeded everywhere: every rank's sweep is rank 0's. */
static tqo_status same_sweep(const cli_sweep *w, const tqo_scenarios_result *r, int rank, int size,
                             tqo_diag *diag)
{
    uint64_t h = sweep_hash(w, r), h0 = h;
    MPI_Bcast(&h0, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    tqo_status st = TQO_OK;
    if (h != h0) {
        tqo_diag_error(diag, "rank %d prepared another sweep than rank 0 (hash %016llx, not %016llx): the inputs or "
                             "settings differ between ranks (are the files the same on every node?)",
                       rank, (unsigned long long)h, (unsigned long long)h0);
        st = TQO_ERR_ARG;
    }
    return agree(st, rank, size, diag);
}

/* Where a sweep's time went, for TQO_MPI_STATS (bench/mpi_scaling.sh). */
typedef struct sweep_clock {
    double prepare, eval, gather, finish; /* seconds; eval: this rank's evaluating alone */
    double eval_cpu;                      /* CPU seconds of that, all threads: the work, whatever the load */
    double bytes;                         /* rows received by rank 0 */
    int chunk;
} sweep_clock;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Chunks from the shared counter until none is left; this rank's
   scenarios in mine, their count returned. */
static int take_chunks(tqo_scenarios_run *run, int n, int rank, int size, int *mine, sweep_clock *clk,
                       tqo_diag *diag)
{
    long *counter = NULL;
    MPI_Win win;
    MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(long) : 0, (int)sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD,
                     &counter, &win);
    if (rank == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
        *counter = 0;
        MPI_Win_unlock(0, win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    /* About four chunks per rank, at most 64 scenarios each: costs even out. */
    int chunk = (n + 4 * size - 1) / (4 * size);
    chunk = chunk < 1 ? 1 : chunk > 64 ? 64 : chunk;
    clk->chunk = chunk;
    const char *inject = getenv("TQO_TEST_FAIL_RANK"); /* tests: this rank fails */
    if (inject && atoi(inject) == rank) {
        tqo_diag_error(diag, "injected failure (TQO_TEST_FAIL_RANK=%d)", rank);
        fail_abort(rank, size, diag);
    }
    int k = 0;
    for (;;) {
        long one = 1, c = 0;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
        MPI_Fetch_and_op(&one, &c, MPI_LONG, 0, 0, MPI_SUM, win);
        MPI_Win_unlock(0, win);
        if (c * chunk >= n)
            break;
        int lo = (int)(c * chunk), cnt = n - lo < chunk ? n - lo : chunk;
        for (int i = 0; i < cnt; i++)
            mine[k + i] = lo + i;
        double t = MPI_Wtime(), cpu = cpu_now();
        if (tqo_scenarios_eval(run, mine + k, cnt, diag) != TQO_OK)
            fail_abort(rank, size, diag);
        clk->eval += MPI_Wtime() - t;
        clk->eval_cpu += cpu_now() - cpu;
        k += cnt;
    }
    idle_barrier(); /* the last chunks still run on other ranks */
    MPI_Win_free(&win);
    return k;
}

static void send_rows(const tqo_scenarios_result *r, const int *mine, int k, int rank, int size, tqo_diag *diag)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (tqo_scenarios_rows_pack(r, mine, k, &buf, &len) != TQO_OK) {
        tqo_diag_error(diag, "out of memory packing %d scenarios", k);
        fail_abort(rank, size, diag);
    }
    uint64_t L = len;
    MPI_Send(&L, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD);
    for (size_t at = 0; at < len; at += PIECE)
        MPI_Send(buf + at, (int)(len - at < PIECE ? len - at : PIECE), MPI_BYTE, 0, 2, MPI_COMM_WORLD);
    free(buf);
}

/* Rank 0: every other rank's rows into r, each scenario exactly once. */
static tqo_status gather_rows(tqo_scenarios_result *r, const int *mine, int k, int size, double *bytes,
                              tqo_diag *diag)
{
    unsigned char *seen = calloc((size_t)r->n_scenarios + 1, 1);
    if (!seen)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < k; i++)
        seen[mine[i]] = 1;
    tqo_status st = TQO_OK;
    for (int src = 1; src < size && st == TQO_OK; src++) {
        uint64_t L = 0;
        MPI_Recv(&L, 1, MPI_UINT64_T, src, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        *bytes += (double)L;
        unsigned char *buf = malloc((size_t)L + 1);
        if (!buf) {
            tqo_diag_error(diag, "out of memory receiving rank %d's rows", src);
            fail_abort(0, size, diag);
        }
        for (size_t at = 0; at < L; at += PIECE)
            MPI_Recv(buf + at, (int)(L - at < PIECE ? L - at : PIECE), MPI_BYTE, src, 2, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        char from[32];
        snprintf(from, sizeof from, "rank %d", src);
        st = tqo_scenarios_rows_unpack(r, buf, (size_t)L, seen, from, diag);
        free(buf);
    }
    for (int s = 0; s < r->n_scenarios && st == TQO_OK; s++)
        if (!seen[s]) {
            tqo_diag_error(diag, "scenario #%d came from no rank", s);
            st = TQO_ERR_IO;
        }
    free(seen);
    return st;
}

/* Rank 0, with TQO_MPI_STATS set: one line of key=value pairs on stderr
   (per_rank: scenarios:evaluating seconds:their CPU seconds). Every rank
   takes part. */
static void print_stats(const sweep_clock *c, int k, int rank, int size, int n)
{
    double mine[3] = {k, c->eval, c->eval_cpu}, *all = rank == 0 ? malloc(3 * (size_t)size * sizeof *all) : NULL;
    if (rank == 0 && !all) {
        tqo_diag d;
        tqo_diag_init(&d);
        tqo_diag_error(&d, "out of memory");
        fail_abort(0, size, &d);
    }
    MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0 && all && getenv("TQO_MPI_STATS")) {
        fprintf(stderr, "tqo: mpi stats: ranks=%d scenarios=%d chunk=%d prepare_s=%.3f gather_s=%.3f gather_bytes=%.0f "
                        "finish_s=%.3f per_rank=", size, n, c->chunk, c->prepare, c->gather, c->bytes, c->finish);
        for (int i = 0; i < size; i++)
            fprintf(stderr, "%s%.0f:%.3f:%.3f", i ? "," : "", all[3 * i], all[3 * i + 1], all[3 * i + 2]);
        fputc('\n', stderr);
    }
    free(all);
}

tqo_status cli_sweep_mpi(const cli_sweep *w, tqo_status load_status, tqo_scenarios_result *r, tqo_diag *diag)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double t0 = MPI_Wtime();
    memset(r, 0, sizeof *r);
    tqo_scenarios_run *run = NULL;
    tqo_status st = load_status;
    if (st == TQO_OK)
        st = tqo_scenarios_begin(w->inst, w->asg, w->sc, w->n, w->set, r, &run, diag);
    st = agree(st, rank, size, diag);
    if (st == TQO_OK)
        st = same_sweep(w, r, rank, size, diag);
    sweep_clock clk = {.prepare = MPI_Wtime() - t0};
    int *mine = NULL;
    if (st == TQO_OK) {
        mine = malloc(((size_t)w->n + 1) * sizeof *mine);
        if (!mine)
            tqo_diag_error(diag, "out of memory");
        st = agree(mine ? TQO_OK : TQO_ERR_NOMEM, rank, size, diag);
    }
    if (st != TQO_OK) {
        tqo_scenarios_end(run);
        tqo_scenarios_result_free(r);
        free(mine);
        return st;
    }
    int k = take_chunks(run, w->n, rank, size, mine, &clk, diag);
    tqo_scenarios_end(run);
    if (rank != 0) {
        send_rows(r, mine, k, rank, size, diag);
        tqo_scenarios_result_free(r);
    } else {
        double t = MPI_Wtime();
        st = gather_rows(r, mine, k, size, &clk.bytes, diag);
        clk.gather = MPI_Wtime() - t;
        t = MPI_Wtime();
        if (st == TQO_OK)
            st = tqo_scenarios_finish(w->sc, r, diag);
        clk.finish = MPI_Wtime() - t;
        if (st == TQO_OK)
            r->seconds = MPI_Wtime() - t0;
        else
            tqo_scenarios_result_free(r);
    }
    print_stats(&clk, k, rank, size, w->n);
    free(mine);
    return st;
}

/* Rank 0's assignment to every rank: the header, then the arrays. */
int cli_mpi_plan_handover(int go, tqo_assignment *a, tqo_diag *diag)
{
    int rank = g_rank, size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long long h[5] = {0}; /* go, units, territories, entries, bytes of the territory ids */
    if (rank == 0 && go) {
        h[0] = 1;
        h[1] = a->n_units;
        h[2] = a->n_territories;
        h[3] = a->unit_start[a->n_units];
        for (int j = 0; j < a->n_territories; j++)
            h[4] += (long long)strlen(a->territory_id[j]) + 1;
    }
    MPI_Request rq;
    MPI_Ibcast(h, 5, MPI_LONG_LONG, 0, MPI_COMM_WORLD, &rq);
    idle_wait(&rq); /* the other ranks sleep through rank 0's alignment and quotas */
    if (!h[0])
        return 0;
    int nu = (int)h[1], nt = (int)h[2], nnz = (int)h[3];
    char *ids = malloc((size_t)h[4] + 1);
    if (rank != 0) {
        memset(a, 0, sizeof *a);
        a->territory_id = calloc((size_t)nt + 1, sizeof *a->territory_id);
        a->unit_start = malloc(((size_t)nu + 1) * sizeof *a->unit_start);
        a->terr = malloc(((size_t)nnz + 1) * sizeof *a->terr);
        a->share = malloc(((size_t)nnz + 1) * sizeof *a->share);
    }
    if (!ids || !a->territory_id || !a->unit_start || !a->terr || !a->share) {
        tqo_diag_error(diag, "out of memory receiving the assignment (%d units)", nu);
        fail_abort(rank, size, diag);
    }
    if (rank == 0)
        for (int j = 0, at = 0; j < nt; j++) {
            size_t l = strlen(a->territory_id[j]) + 1;
            memcpy(ids + at, a->territory_id[j], l);
            at += (int)l;
        }
    MPI_Bcast(ids, (int)h[4], MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Bcast(a->unit_start, nu + 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(a->terr, nnz, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(a->share, nnz, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        a->n_units = nu;
        a->n_territories = nt;
        for (int j = 0, at = 0; j < nt; j++) {
            a->territory_id[j] = strdup(ids + at);
            if (!a->territory_id[j]) {
                tqo_diag_error(diag, "out of memory receiving the assignment");
                fail_abort(rank, size, diag);
            }
            at += (int)strlen(ids + at) + 1;
        }
    }
    free(ids);
    return 1;
}
