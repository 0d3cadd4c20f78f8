/* The plan year's outcome model (see scenario_mc.h). */
#include "scenarios/scenario_mc.h"

#include <stdlib.h>
#include <string.h>

void tqoi_scenario_outcomes_free(scenario_outcomes *o)
{
    free(o->ratio);
    free(o->draw);
    memset(o, 0, sizeof *o);
}

tqo_status tqoi_scenario_outcomes_init(scenario_outcomes *o, int p, const double *plan_forecast, int n_years,
                                  const double *const *actual, const double *const *forecast, int replicates,
                                  uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->p = p;
    o->n_years = n_years;
    o->replicates = replicates;
    o->forecast = plan_forecast;
    o->ratio = malloc(((size_t)n_years * p + 1) * sizeof(double));
    o->draw = malloc(((size_t)replicates + 1) * sizeof(int));
    if (!o->ratio || !o->draw) {
        tqoi_scenario_outcomes_free(o);
        return TQO_ERR_NOMEM;
    }
    for (int y = 0; y < n_years; y++)
        for (int j = 0; j < p; j++)
            o->ratio[(size_t)y * p + j] = forecast[y][j] > 0 ? actual[y][j] / forecast[y][j] : 1.0;
    for (int r = 0; r < replicates; r++) {
        tqo_rng g;
        tqo_rng_init(&g, seed, (uint64_t)r);
        o->draw[r] = tqo_rng_int(&g, n_years);
    }
    return TQO_OK;
}

void tqoi_scenario_outcomes_draw(const scenario_outcomes *o, int r, double *out)
{
    const double *rat = o->ratio + (size_t)o->draw[r] * o->p;
    for (int j = 0; j < o->p; j++)
        out[j] = o->forecast[j] * rat[j];
}

void tqoi_scenario_mc_block(const scenario_judge *J, const scenario_outcomes *o, int r0, int r1, double *vals,
                       double *pay, double *outcome, scenario_scratch *w)
{
    for (int r = r0; r < r1; r++) {
        tqoi_scenario_outcomes_draw(o, r, outcome);
        tqoi_scenario_judge_eval(J, outcome, vals + (size_t)(r - r0) * TQO_SCENARIO_N_METRICS, pay, w);
    }
}
