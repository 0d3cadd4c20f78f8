/* What a thread that called the library must release before it ends:
   GLPK keeps one environment per thread (tqo serve's connection threads). */
#include "tqo.h"

#include <glpk.h>

void tqo_thread_end(void)
{
    glp_free_env();
}
