/* plan.ini's [input] current and locks, or tqo serve's edits in memory,
   laid over the loaded instance. tqo plan and tqo serve both call it, and
   through the same library calls, so that a Save and a later
   tqo plan --config see the same instance. */
#include "cli/cli_serve.h"

tqo_status cli_plan_edits_apply(tqo_instance *inst, const cli_settings *P, tqo_diag *diag)
{
    const cli_plan_edits *E = P->edits;
    if (E)
        return tqo_instance_set_plan(inst, E->n_terr, E->ids, E->current, E->lock, diag);
    if (P->plan_current || P->plan_locks)
        return tqo_instance_read_plan(inst, P->plan_current, P->plan_locks, diag);
    return TQO_OK;
}
