/* tqo: the command line. Parses the command name and hands over. */
#include "cli/cli_common.h"
#include "cli/cli_serve.h"
#include "cli/options.h"

#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: tqo <command> [options]\n"
    "\n"
    "Territory and quota optimization.\n"
    "\n"
    "commands:\n"
    "  validate INSTANCE    load an instance folder, check it, and summarise it\n"
    "  align INSTANCE -o DIR  assign units to balanced, compact territories\n"
    "  quota INSTANCE -o DIR  set territory quotas from history and potential\n"
    "  scenarios INSTANCE --scenarios FILE -o DIR\n"
    "                       compare quota scenarios: backtest and Monte Carlo\n"
    "  plan INSTANCE -o DIR   align, quotas and scenarios in one run, with plan.ini\n"
    "                       and report.html\n"
    "  serve INSTANCE -o DIR  the plan as a web app: move, lock, rebalance, save\n"
    "  merge OUT PART...    combine the parts of tqo scenarios --shard I/N\n"
    "  generate -o DIR      write a synthetic instance\n"
    "\n"
    "options:\n"
    "  -h, --help           this help; 'tqo <command> --help' for a command\n"
    "  -V, --version        print the version\n"
    "\n"
    "Exit status: 0 success, 1 failure (solver, i/o), 2 bad input or usage.\n"
    "Instance format: docs/format.md.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command COMMANDS[] = {
    {"validate", cli_validate},
    {"align", cli_align},
    {"quota", cli_quota},
    {"scenarios", cli_scenarios},
    {"plan", cli_plan},
    {"merge", cli_merge},
    {"serve", cli_serve},
    {"generate", cli_generate},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CLI_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(USAGE, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tqo %s\n", TQO_VERSION);
        return CLI_EXIT_OK;
    }
    /* Hidden: writes doc/tqo.1 and docs/options.md from the option table. */
    if (strcmp(cmd, "--dump-options") == 0) {
        if (argc != 3 || cli_options_dump(argv[2], stdout) != 0)
            return cli_usage_error("--dump-options takes man or markdown");
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 && argc >= 3) {
        char help[] = "--help";
        char *args[] = {argv[2], help, NULL};
        for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
            if (strcmp(argv[2], COMMANDS[i].name) == 0)
                return COMMANDS[i].run(2, args);
        return cli_usage_error("unknown command '%s' (see 'tqo --help')", argv[2]);
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(cmd, COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s' (see 'tqo --help')", cmd);
}
