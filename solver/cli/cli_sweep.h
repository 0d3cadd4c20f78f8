/*
 * tqo scenarios beyond one process: --shard I/N part files, and MPI ranks
 * (built with -DTQO_MPI=ON and started by mpirun). Both drive the
 * library's sweep-in-parts API (tqo_scenarios_begin/eval/finish), so the
 * library itself never needs MPI. tqo plan's scenario step runs over MPI
 * ranks the same way (cli_plan.c).
 */
#ifndef TQO_CLI_SWEEP_H
#define TQO_CLI_SWEEP_H

#include "tqo.h"

/* One sweep's inputs, borrowed. */
typedef struct cli_sweep {
    const tqo_instance *inst;
    const tqo_assignment *asg;
    const tqo_scenario *sc;
    int n;
    const tqo_scenario_settings *set;
    const char *out;
    int quiet;
} cli_sweep;

/* "I/N", 1 <= I <= N: 0, or -1 after printing an error. */
int cli_shard_parse(const char *text, int *shard, int *n_shards);

/* FNV-1a of the input files (an instance folder: its CSV files by name;
   a file: its bytes), NULL paths skipped, so that parts of one sweep
   made from other data do not merge. */
uint64_t cli_hash_inputs(const char *const *paths, int n);

/* Evaluates shard I/N and writes OUT/scenarios_part_I_of_N.bin. */
tqo_status cli_sweep_shard(const cli_sweep *w, uint64_t inputs, int shard, int n_shards, tqo_diag *diag);

/*
 * MPI (TQO_MPI builds; elsewhere these do nothing): cli_mpi_init returns
 * this process's rank when mpirun started it (MPI_Init_thread, funneled),
 * else -1. cli_sweep_mpi agrees on load_status across ranks, hands out
 * scenarios dynamically, and gathers every row on rank 0, which gets the
 * finished result in r (other ranks: TQO_OK and r empty). A rank that
 * fails prints its message and aborts the job.
 */
int cli_mpi_init(void);
void cli_mpi_finalize(void);
tqo_status cli_sweep_mpi(const cli_sweep *w, tqo_status load_status, tqo_scenarios_result *r, tqo_diag *diag);

/* This process's rank once cli_mpi_init found mpirun, else -1. */
int cli_mpi_rank(void);

/* Every rank calls it with its own status: the first failing rank's
   status on all (its message printed by it when it is not rank 0). */
tqo_status cli_mpi_agree(tqo_status st, tqo_diag *diag);

/*
 * tqo plan under mpirun: rank 0 aligns alone, then every rank calls this
 * once. Rank 0 passes go (a scenario step follows) and its assignment a;
 * the other ranks wait (asleep, leaving the cores to rank 0's alignment)
 * and get go and, when go, a copy of the assignment in *a (zeroed first;
 * freed with tqo_assignment_free). Returns go.
 */
int cli_mpi_plan_handover(int go, tqo_assignment *a, tqo_diag *diag);

#endif
