/*
 * Peak-memory estimates of loading, align and scenarios, checked before
 * they allocate (issue 16): a problem too large for the machine is refused
 * with the estimate and the limit, instead of failing halfway with "out of
 * memory" after minutes of work. The constants are fitted to peak RSS
 * measured with /usr/bin/time -v (docs/reliability.md has the table).
 */
#ifndef TQO_UTIL_MEMORY_ESTIMATE_H
#define TQO_UTIL_MEMORY_ESTIMATE_H

#include "tqo.h"

/*
 * The memory a run may use, in bytes: max_memory (the --max-memory text:
 * "512M", "4G", "1.5T", a plain number of bytes; "0" turns the check off
 * and returns 0) or, when NULL, the least of physical memory, RLIMIT_AS and
 * the cgroup's memory.max. Returns -1 when max_memory is not a size.
 */
double tqoi_mem_limit(const char *max_memory);

/* Loading the instance at path, from its files' sizes and a sample of
   their first lines (rows and columns), before reading them. */
double tqoi_mem_load_bytes(const char *path);
/* A loaded instance in memory, from its counts. */
double tqoi_mem_instance_bytes(const tqo_instance *inst);
/* The alignment's peak on top of the instance: n units, p territories. */
double tqoi_mem_align_bytes(int n, int p, int n_balance, int threads);
/* The scenario sweep's peak on top of the instance. */
double tqoi_mem_scenarios_bytes(int n_scenarios, int p, int replicates, int n_years, int threads);

/*
 * TQO_OK when need (bytes) fits the limit (see tqoi_mem_limit); else
 * TQO_ERR_ARG and the error "STEP needs about X GB for WHAT; this machine
 * has Y GB available (--max-memory to change)" in diag.
 */
tqo_status tqoi_mem_check(const char *step, double need, const char *what, const char *max_memory,
                          tqo_diag *diag);

/* The checks before loading, align and scenarios are public: tqo_memory_check_* in tqo.h. */

#endif
