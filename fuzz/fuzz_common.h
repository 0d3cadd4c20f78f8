/*
 * Helpers shared by the fuzz targets: a scratch folder per process (in
 * /dev/shm when there is one, so that the readers' file I/O stays in
 * memory), files written from the fuzz bytes, and the split of one input
 * into several files at a separator line, so that one input can hold a
 * whole instance folder.
 */
#ifndef TQO_FUZZ_COMMON_H
#define TQO_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tqo.h"

/* The separator between files in one input (also in the dictionaries). */
#define FUZZ_SEP "\n%%%%\n"
#define FUZZ_SEP_LEN 6

/* The process's scratch folder (created on the first call). */
const char *fuzz_dir(void);
/* fuzz_dir()/name, in a static buffer per slot (0..7). */
const char *fuzz_path(int slot, const char *name);
/* Writes len bytes to path; aborts when it cannot (the fuzzer's fault). */
void fuzz_write(const char *path, const uint8_t *data, size_t len);
/* Removes fuzz_dir()/name when present. */
void fuzz_unlink(const char *name);
/* Splits data at FUZZ_SEP into at most max parts: part k is
   [start[k], start[k] + len[k]); returns the number of parts (>= 1). */
int fuzz_split(const uint8_t *data, size_t size, int max, const uint8_t **start, size_t *len);
/* The fixture folder of the source tree (for the targets that need a
   fixed instance beside the fuzzed file). */
const char *fuzz_source_dir(void);

/* Loads path (settings may be NULL) and checks what every load must give:
   an instance exactly when the status is TQO_OK, a message when it is
   not, at least one unit and edges in range. Returns the instance (the
   caller frees it) or NULL. */
tqo_instance *fuzz_load(const char *path, const tqo_load_settings *s);
/* The fixed instance tests/fixtures/good/full of the source tree, for the
   targets that fuzz a file read against an instance; aborts when it does
   not load (the setup's fault, not the input's). */
tqo_instance *fuzz_fixture(void);

/* A violated invariant: prints it and aborts, which libFuzzer reports as
   a crash with the input that caused it. */
#define FUZZ_CHECK(cond, ...)                                                                                     \
    do {                                                                                                          \
        if (!(cond)) {                                                                                            \
            fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);                                               \
            fprintf(stderr, "\n");                                                                                \
            abort();                                                                                              \
        }                                                                                                         \
    } while (0)

#endif
