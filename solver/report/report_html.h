/*
 * report.html (internal): the planning report of tqo plan, one
 * self-contained file (inline SVG, CSS and a few lines of script; no
 * network) for a planner and for leadership.
 */
#ifndef TQO_REPORT_HTML_H
#define TQO_REPORT_HTML_H

#include <stdio.h>

#include "tqo.h"

typedef struct report_input {
    const char *title;                    /* e.g. "tqo plan: instances/superstore" */
    const tqo_instance *inst;
    /* alignment (required) */
    const tqo_align_settings *align_settings;
    const tqo_align_result *align;
    /* quotas (NULL: not run); quota->has_actual: the replay of the plan year */
    const tqo_quota_settings *quota_settings;
    const tqo_quota_result *quota;
    /* scenarios (NULL: not run) */
    const tqo_scenario *scenarios;
    int n_scenarios;
    const tqo_scenario_settings *scenario_settings;
    const tqo_scenarios_result *scen;
    const char *chosen_scenario;          /* listed first; NULL: none chosen */
    /* the run's parameters as "key = value" lines, in order (plan.ini) */
    int n_params;
    const char *const *param_key;
    const char *const *param_value;
    /* warnings collected from the steps, in plain words */
    int n_warnings;
    const char *const *warnings;
} report_input;

/* Writes the whole document. Deterministic: the same input gives the same
   bytes (no dates, timings or paths beyond what the input holds). */
tqo_status report_html_write(FILE *fp, const report_input *in, tqo_diag *diag);

#endif
