/* `tqo generate`: writes a synthetic instance folder. */
#include "cli/cli_common.h"
#include "cli/options.h"

#include <stdio.h>
#include <string.h>

int cli_generate(int argc, char **argv)
{
    cli_settings S;
    cli_settings_default(&S);
    int first = 0;
    int rc = cli_options_parse(CMD_GENERATE, argc, argv, &S, 0, &first);
    tqo_generate_settings s = S.gen;
    s.seed = S.seed;
    cli_common common = {.quiet = S.quiet, .out = S.out, .seed = S.seed};
    tqo_format format = S.gen_format;
    double tol_pct = S.gen_tolerance;
    cli_settings_free(&S); /* the command line's strings stay in argv */
    if (rc != 0)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (first < argc)
        return cli_usage_error("unexpected argument '%s' (see 'tqo generate --help')", argv[first]);
    if (!common.out)
        return cli_usage_error("missing output folder: use -o DIR (see 'tqo generate --help')");
    if (s.n_territories > s.n_units)
        return cli_usage_error("--territories %d is more than --units %d", s.n_territories, s.n_units);
    if (format == TQO_FORMAT_COMMDIS && s.geo)
        return cli_usage_error("--format commdis has planar coordinates: drop --geo");
    if (format == TQO_FORMAT_COMMDIS)
        s.n_periods = 0; /* the format has no history */

    s.log = cli_log;
    s.log_ctx = &common;
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_generate(&s, &inst, &diag);
    if (st == TQO_OK && format == TQO_FORMAT_COMMDIS) {
        double tau[3] = {tol_pct / 100, tol_pct / 100, tol_pct / 100};
        st = tqo_instance_write_commdis(inst, common.out, s.n_territories, tau, &diag);
    } else if (st == TQO_OK) {
        st = tqo_instance_write(inst, common.out, &diag);
    }
    cli_print_diag(&diag);
    if (st == TQO_OK && !common.quiet) {
        if (format == TQO_FORMAT_COMMDIS)
            printf("generated %d units, %d edges, p = %d, tolerance %g%% in %s (commdis)\n", inst->n_units,
                   inst->n_edges, s.n_territories, tol_pct, common.out);
        else
            printf("generated %d units, %d territories, %d %s period%s in %s\n", inst->n_units,
                   inst->n_territories, s.n_periods, tqo_period_kind_name(s.granularity),
                   s.n_periods == 1 ? "" : "s", common.out);
    }
    tqo_instance_free(inst);
    tqo_diag_free(&diag);
    return cli_exit_code(st);
}
