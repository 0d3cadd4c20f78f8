/* The quota settings' checks shared by several commands (see cli_quota_opts.h). */
#include "cli/cli_quota_opts.h"
#include "cli/cli_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_quota_check(const cli_settings *S, int need_target, const char *cmd)
{
    const tqo_quota_settings *s = &S->quota;
    /* Rejected rather than one silently dropped: the target would win. */
    if (s->target > 0 && !isnan(s->growth_pct)) {
        cli_usage_error("%s: give --target or --growth, not both (--target %.2f sets the company target, "
                        "--growth %g%% would set it from last year)", cmd, s->target, s->growth_pct);
        return -1;
    }
    /* Without a potential the fair shares are the forecast shares alone:
       a weight between them would be ignored. */
    if (cli_given(S, "history-weight") && !s->potential) {
        cli_usage_error("%s: --history-weight needs --potential (it weighs the forecast share against the "
                        "potential share)", cmd);
        return -1;
    }
    if (need_target && !(s->target > 0) && isnan(s->growth_pct)) {
        cli_usage_error("%s: give the company target: --target AMOUNT or --growth PCT", cmd);
        return -1;
    }
    /* a layout name is checked before any work is done */
    if (s->export_format && strcasecmp(s->export_format, "varicent") != 0 &&
        strcasecmp(s->export_format, "xactly") != 0 && strcasecmp(s->export_format, "csv-long") != 0) {
        cli_usage_error("%s: --export '%s': expected varicent, xactly or csv-long", cmd, s->export_format);
        return -1;
    }
    if (!isnan(s->min_growth_pct) && !isnan(s->max_growth_pct) && s->min_growth_pct > s->max_growth_pct) {
        cli_usage_error("%s: --min-growth %g is above --max-growth %g", cmd, s->min_growth_pct, s->max_growth_pct);
        return -1;
    }
    return 0;
}

tqo_status cli_region_targets_load(cli_region_targets *rt, tqo_quota_settings *s, tqo_diag *diag)
{
    if (!rt->path)
        return TQO_OK;
    tqo_region_targets t;
    tqo_status st = tqo_region_targets_load(rt->path, &t, diag);
    /* rt takes over the library's arrays (empty after an error) */
    rt->n = rt->cap = t.n;
    rt->name = t.name;
    rt->target = t.target;
    s->n_region_targets = rt->n;
    s->region_names = (const char *const *)rt->name;
    s->region_targets = rt->target;
    return st;
}

void cli_region_targets_free(cli_region_targets *rt)
{
    for (int k = 0; k < rt->n; k++)
        free(rt->name[k]);
    free(rt->name);
    free(rt->target);
    rt->name = NULL;
    rt->target = NULL;
    rt->n = rt->cap = 0;
}
