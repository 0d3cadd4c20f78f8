/* See alloc_reference.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glpk.h>

#include "alloc_reference.h"

double alloc_reference_lp_value(const alloc_problem *P)
{
    glp_prob *lp = tqoi_alloc_build_glpk(P, 0);
    assert_non_null(lp);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    assert_int_equal(glp_simplex(lp, &parm), 0);
    assert_int_equal(glp_get_status(lp), GLP_OPT);
    double v = glp_get_obj_val(lp);
    glp_delete_prob(lp);
    return v;
}
