/*
 * scenarios.csv and pay plans, for the coming tqo scenarios (internal):
 * one row per scenario, `scenario` required and unique, every other column
 * optional and falling back to the command line's defaults.
 */
#ifndef TQO_SCENARIO_FILE_H
#define TQO_SCENARIO_FILE_H

#include "tqo.h"

/* Attainment % -> payout % of the target incentive: nothing below the
   first point, piecewise linear through the points, flat after the last;
   a repeated attainment makes a step, reached at that attainment. */
typedef struct payout_curve {
    int n;
    double x[32], y[32];
} payout_curve;

/* Parses "50:0;100:100;150:250;200:250". Returns 0, or -1 with a reason
   in err. */
int payout_parse(const char *s, payout_curve *c, char *err, size_t errsize);
double payout_eval(const payout_curve *c, double attainment_pct);

typedef struct scenario {
    char *name;
    tqo_quota_settings quota;   /* strings point to constants or defaults */
    double target_incentive;
    payout_curve curve;
} scenario;

/*
 * Loads path. defaults gives the quota settings of the command line;
 * incentive and curve the default pay plan. Errors name the file, the line,
 * the scenario and the column.
 */
tqo_status scenarios_load(const char *path, const tqo_quota_settings *defaults, double incentive,
                          const payout_curve *curve, scenario **out, int *n, tqo_diag *diag);
void scenarios_free(scenario *s, int n);

#endif
