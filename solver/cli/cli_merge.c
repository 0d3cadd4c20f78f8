/* tqo merge OUT PART...: the parts of a sharded scenario sweep into the
   files of a single run (the checks are tqo_scenarios_merge's). */
#include "cli/cli_common.h"
#include "cli/options.h"

#include <stdio.h>

int cli_merge(int argc, char **argv)
{
    cli_settings S;
    cli_settings_default(&S);
    int first = 0;
    int rc = cli_options_parse(CMD_MERGE, argc, argv, &S, 0, &first);
    const char *out = S.out;
    int quiet = S.quiet;
    cli_settings_free(&S); /* out points into argv */
    if (rc != 0)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (!out && first < argc)
        out = argv[first++]; /* tqo merge OUT PART... */
    if (!out)
        return cli_usage_error("merge: missing the output folder (tqo merge OUT PART...)");
    if (first >= argc)
        return cli_usage_error("merge: no part files given (tqo merge OUT PART...)");
    tqo_diag diag;
    tqo_diag_init(&diag);
    int n = 0;
    tqo_status st = tqo_scenarios_merge((const char *const *)(argv + first), argc - first, out, &n, &diag);
    cli_print_diag(&diag);
    tqo_diag_free(&diag);
    if (st == TQO_OK && !quiet)
        printf("merged %d parts: %d scenarios\nresults: %s/\n", argc - first, n, out);
    return st == TQO_ERR_INFEASIBLE ? CLI_EXIT_INPUT : cli_exit_code(st);
}
