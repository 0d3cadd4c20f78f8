/* Reference values for the allocation tests, computed by GLPK over the
   whole model (every allowed unit-territory pair) built by
   tqoi_alloc_build_glpk: what the pricing LP and the exact MIP are checked
   against. Linked into test_alloc_exact and test_alloc_pricing. */
#ifndef TQO_TESTS_ALLOC_REFERENCE_H
#define TQO_TESTS_ALLOC_REFERENCE_H

#include "alloc/alloc.h"

/* GLPK's optimal value of the whole model as an LP (cmocka-asserts that
   the simplex ends optimal). */
double alloc_reference_lp_value(const alloc_problem *P);

#endif
