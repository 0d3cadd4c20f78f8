/*
 * The quota options (--value, --growth, --fairness, ...), shared by tqo
 * quota, tqo scenarios and tqo plan so that they parse, check and document
 * them the same way.
 */
#ifndef TQO_CLI_QUOTA_OPTS_H
#define TQO_CLI_QUOTA_OPTS_H

#include <getopt.h>

#include "tqo.h"

/* Option values start here, above every command's own. */
enum { CLI_QOPT_BASE = 1000 };

/* The quota options, terminated by a zero entry. */
extern const struct option cli_quota_options[];
/* Their --help lines. */
extern const char cli_quota_options_help[];

/* Concatenates own (terminated) and the quota options into a new array
   for getopt_long; NULL when out of memory. */
struct option *cli_quota_options_merge(const struct option *own);

/* Region targets read from --region-targets. */
typedef struct cli_region_targets {
    int n, cap;
    char **name;
    double *target;
    const char *path;
} cli_region_targets;

/*
 * Handles option c (with optarg) when it is a quota option: returns 1 when
 * handled, 0 when c is not one, -1 after printing an error.
 */
int cli_quota_option(int c, const char *optarg, tqo_quota_settings *s, cli_region_targets *rt);
/* Checks after parsing; -1 after printing an error. need_target: a target
   or growth is required. */
int cli_quota_check(const tqo_quota_settings *s, int need_target, const char *cmd);
/* Reads rt->path (when given) into rt and points s at it. */
tqo_status cli_region_targets_load(cli_region_targets *rt, tqo_quota_settings *s, tqo_diag *diag);
void cli_region_targets_free(cli_region_targets *rt);

#endif
