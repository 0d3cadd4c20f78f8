/*
 * tqo plan's output folder as one set (docs/reliability.md): the run writes
 * into a hidden staging folder beside OUT and swaps it in at the end, so
 * OUT holds the earlier complete set or the new one, never a mix; SIGINT
 * and SIGTERM end the run with exit 130 leaving OUT as it was.
 */
#ifndef TQO_CLI_SIGNAL_H
#define TQO_CLI_SIGNAL_H

#include <stddef.h>

/* Exit status after SIGINT/SIGTERM (128 + SIGINT, as shells report it). */
enum { CLI_EXIT_INTERRUPTED = 130 };

typedef struct cli_stage {
    char out[4096];   /* OUT as given (messages) */
    char stage[4400]; /* <parent of OUT>/.<name of OUT>.tqo-stage.<pid> */
} cli_stage;

/*
 * Checks OUT (absent, or a folder holding only what tqo plan writes),
 * removes the staging folders that killed runs left beside it, and names
 * this run's. Returns 0, or -1 with the reason printed on stderr.
 */
int cli_stage_begin(cli_stage *s, const char *out);
/* Swaps the finished staging folder in as OUT (atomic: renameat2 with
   RENAME_EXCHANGE, or rename when OUT is new) and removes the earlier set.
   Returns 0, or -1 with the reason printed; OUT is then unchanged. */
int cli_stage_commit(cli_stage *s);
/* Removes the staging folder (a failed run). */
void cli_stage_abort(cli_stage *s);

/* SIGINT/SIGTERM: print that the run was interrupted and OUT kept, exit 130
   (the staging folder is removed by the next run). */
void cli_signal_install(const char *out);
/* Blocks / unblocks them around the swap, so that it is never cut short. */
void cli_signal_hold(int hold);

#endif
