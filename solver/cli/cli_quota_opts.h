/*
 * What tqo quota, tqo scenarios and tqo plan share about the quota
 * options beyond the option table (cli/options.c, which parses them, checks
 * their ranges and documents them): the checks that look at several
 * settings at once, and the region targets file.
 */
#ifndef TQO_CLI_QUOTA_OPTS_H
#define TQO_CLI_QUOTA_OPTS_H

#include "cli/options.h"
#include "tqo.h"

/*
 * The checks of settings together, the same for every command: --target
 * and --growth not both, --history-weight only with --potential,
 * --min-growth not above --max-growth; need_target: a target or growth is
 * required. 0, or -1 after printing an error that starts with cmd.
 */
int cli_quota_check(const cli_settings *S, int need_target, const char *cmd);

/* Region targets read from --region-targets. */
typedef struct cli_region_targets {
    int n, cap;
    char **name;
    double *target;
    const char *path;
} cli_region_targets;

/* Reads rt->path (when given) into rt and points s at it. */
tqo_status cli_region_targets_load(cli_region_targets *rt, tqo_quota_settings *s, tqo_diag *diag);
void cli_region_targets_free(cli_region_targets *rt);

#endif
