/* Shared by the tests of files read in parts on several threads
   (test_history_parts, test_units_parts): a scratch folder of instances,
   loading one on a number of threads, and the check that its messages are
   those of one thread. */
#ifndef TQO_TEST_LOAD_PARTS_H
#define TQO_TEST_LOAD_PARTS_H

#include "tqo.h"

/* The scratch folder (a fresh one per test program, removed at the end). */
extern char load_parts_root[256];
/* cmocka group setup and teardown: make and remove the folder. */
int load_parts_setup(void **state);
int load_parts_teardown(void **state);
/* Instance `name` of the folder loaded on `threads` threads. */
tqo_status load_parts_load(const char *name, int threads, tqo_instance **inst, tqo_diag *d);
/* Loading `name` fails on 1, 2 and 3 threads with the same n_errors
   errors, the same messages in the same order; the first contains first,
   the last contains last. */
void load_parts_same_messages(const char *name, int n_errors, const char *first, const char *last);

#endif
