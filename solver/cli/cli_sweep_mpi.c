/*
 * mpirun -n R tqo scenarios: the sweep over R ranks (built with
 * -DTQO_MPI=ON). Every rank loads the inputs and prepares the sweep (cheap
 * next to the scenarios); scenarios are handed out in chunks from a
 * counter on rank 0 (MPI_Fetch_and_op: no rank has to stop and serve, and
 * a rank that draws costly scenarios simply takes fewer chunks); each rank
 * runs its chunks on its OpenMP threads, and rank 0 gathers the rows,
 * finishes (failures, Pareto front) and writes. A scenario's rows do not
 * depend on the rank or chunk that ran it, so the files are those of a
 * single run for any R and any thread count. MPI is called only from the
 * main thread, outside parallel regions (MPI_THREAD_FUNNELED).
 */
#include "cli/cli_sweep.h"
#include "cli/cli_common.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE (1 << 30) /* bytes per message: counts are ints */

static int g_mpi;

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
    if (provided < MPI_THREAD_FUNNELED) {
        fprintf(stderr, "tqo: error: this MPI offers no MPI_THREAD_FUNNELED, which the OpenMP threads need\n");
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAIL);
    }
    return rank;
}

void cli_mpi_finalize(void)
{
    if (g_mpi)
        MPI_Finalize();
    g_mpi = 0;
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

/* Chunks from the shared counter until none is left; this rank's
   scenarios in mine, their count returned. */
static int take_chunks(tqo_scenarios_run *run, int n, int rank, int size, int *mine, tqo_diag *diag)
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
        if (tqo_scenarios_eval(run, mine + k, cnt, diag) != TQO_OK)
            fail_abort(rank, size, diag);
        k += cnt;
    }
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
static tqo_status gather_rows(tqo_scenarios_result *r, const int *mine, int k, int size, tqo_diag *diag)
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
    int k = take_chunks(run, w->n, rank, size, mine, diag);
    tqo_scenarios_end(run);
    if (rank != 0) {
        send_rows(r, mine, k, rank, size, diag);
        tqo_scenarios_result_free(r);
    } else {
        st = gather_rows(r, mine, k, size, diag);
        if (st == TQO_OK)
            st = tqo_scenarios_finish(w->sc, r, diag);
        if (st == TQO_OK)
            r->seconds = MPI_Wtime() - t0;
        else
            tqo_scenarios_result_free(r);
    }
    free(mine);
    return st;
}
