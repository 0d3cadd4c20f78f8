/*
 * Guarded GLPK calls. GLPK calls abort() on an internal error; these run a
 * solve under a thread-local setjmp with glp_error_hook, so the library
 * returns an error instead of killing the caller. After a failure GLPK's
 * environment (and with it the problem object) has been freed: the caller
 * must neither use nor delete that glp_prob.
 */
#ifndef TQO_GLPK_GUARD_H
#define TQO_GLPK_GUARD_H

#include <glpk.h>

/* Each returns 0 when GLPK came back (its return code in *ret) and -1 when
   GLPK failed internally. */
int tqoi_guarded_simplex(glp_prob *P, const glp_smcp *parm, int *ret);
int tqoi_guarded_intopt(glp_prob *P, const glp_iocp *parm, int *ret);
int tqoi_guarded_write_lp(glp_prob *P, const char *path, int *ret);
int tqoi_guarded_write_mps(glp_prob *P, const char *path, int *ret);

/* Runs fn(arg) under the GLPK guard: 0 when it returned, -1 when GLPK
   failed internally (its environment is then freed, as for guarded_*).
*/
int tqoi_guarded_call(void (*fn)(void *), void *arg);

/* The first line of GLPK's message for the last guarded failure on this
   thread */
const char *tqoi_glpk_last_error(void);

/* Silences GLPK's terminal output for this thread (once per thread). */
void tqoi_glpk_quiet(void);

#endif
