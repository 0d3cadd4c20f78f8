/* Shared pieces of the tqo command line: exit codes, messages, option parsing. */
#ifndef TQO_CLI_COMMON_H
#define TQO_CLI_COMMON_H

#include "tqo.h"

/* Exit statuses of the tqo command. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,   /* solver failure, i/o error, infeasible model */
    CLI_EXIT_INPUT = 2,  /* bad input data or bad command-line usage */
};

/* Options every command shares; set by cli_parse_common. */
typedef struct cli_common {
    int quiet;
    int verbose;     /* also print the solver's debug log */
    int threads;
    uint64_t seed;
    double time_limit;
    const char *out;
} cli_common;

/* Prints the diagnostics to stderr, errors prefixed "tqo: error: ". */
void cli_print_diag(const tqo_diag *d);
/* The exit code for a library status. */
int cli_exit_code(tqo_status st);
/* A tqo_log_fn printing to stderr; ctx is a cli_common (quiet hides info). */
void cli_log(void *ctx, tqo_log_level level, const char *msg);
/* printf to stderr prefixed "tqo: error: ", returns CLI_EXIT_INPUT. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Settings tqo align takes from the instance when the command line leaves
   them out: a commdis file's p and tolerances, else the first measure
   within default_tol percent (announced on stderr unless quiet). */
tqo_status cli_align_defaults(const tqo_instance *inst, tqo_align_settings *s, double default_tol, int quiet,
                              tqo_diag *diag);
/* From the alignment's independent check (its status, violated[] and
   exceptions): the broken constraints in words ("none" when none), and
   the contiguity claim; what tqo align and tqo plan print. */
void cli_align_violated(const tqo_align_settings *s, const tqo_align_result *r, char *buf, size_t n);
/* The diameter or center objective's lines: value, bounds, gap, search. */
void cli_align_print_minmax(const tqo_instance *inst, const tqo_align_result *r, int ok);
const char *cli_align_contiguity(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                                 char *buf, size_t n);

/* cli_progress.c: the alignment's progress line on a terminal (stderr),
   per phase: done/total, elapsed, time left; nothing with quiet or when
   stderr is not a terminal. End it before printing the results. */
typedef struct cli_align_progress {
    char phase[64];
    double t0;
    int open; /* a line is drawn and not yet ended */
} cli_align_progress;
void cli_align_progress_attach(tqo_align_settings *s, cli_align_progress *pg, int quiet);
void cli_align_progress_end(cli_align_progress *pg);
/* Monotonic wall clock in seconds (for elapsed times). */
double cli_now_s(void);

/* Commands: each returns the process exit status. */
int cli_validate(int argc, char **argv);
int cli_generate(int argc, char **argv);
int cli_align(int argc, char **argv);
/* The instance at path (no adjacency: quotas need none) and its
   assignment: asg_path's file, else the instance's current plan; threads
   read history.csv (0: all cores). */
tqo_status cli_load_assigned(const char *path, const char *asg_path, int threads, tqo_instance **inst,
                             tqo_assignment *asg, tqo_diag *diag);

int cli_quota(int argc, char **argv);
int cli_scenarios(int argc, char **argv);
int cli_plan(int argc, char **argv);
int cli_merge(int argc, char **argv);

#endif
