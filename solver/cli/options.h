/*
 * The one option table of the tqo command line. Each setting is one row:
 * its name, type, range, default, help, the commands that take it and its
 * plan.ini section and key. getopt parsing, every command's --help, the
 * range checks (one message for every command), plan.ini reading and
 * writing, the man page and docs/options.md all come from the rows.
 *
 * Booleans, in every command: --NAME sets, --no-NAME clears, and
 * --NAME=VALUE or --NAME VALUE take true/false (also yes/no, on/off, 1/0).
 */
#ifndef TQO_CLI_OPTIONS_H
#define TQO_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tqo.h"

/* The commands, as bits of a row's command set. */
enum {
    CMD_VALIDATE = 1 << 0,
    CMD_GENERATE = 1 << 1,
    CMD_ALIGN = 1 << 2,
    CMD_QUOTA = 1 << 3,
    CMD_SCENARIOS = 1 << 4,
    CMD_PLAN = 1 << 5,
    CMD_MERGE = 1 << 6,
    CMD_SERVE = 1 << 7, /* parsed as CMD_SERVE | CMD_PLAN: serve takes plan's settings */
};

typedef enum cli_type {
    T_FLAG,     /* no value: --quiet */
    T_BOOL,     /* --NAME, --no-NAME, --NAME=true|false */
    T_INT,
    T_U64,
    T_DOUBLE,
    T_STRING,
    T_FORMAT,   /* instance format: tqo, commdis or auto */
    T_GENFMT,   /* generated format: tqo or commdis */
    T_FAIRNESS, /* sum or minimax, stored as minimax 0/1 */
    T_METHOD,   /* forecast method name */
    T_GRANULARITY,
    T_BALANCE,  /* COL[:TOL][, COL[:TOL]...], repeatable */
    T_CURVE,    /* payout curve */
    T_OBJECTIVE, /* moment, diameter or center (tqo_objective) */
} cli_type;

/* Every setting of every command, in one place. */
#define CLI_MAX_POOL 256
#define CLI_VALUE_MAX 4096 /* a formatted setting, '\0' included (plan.ini lines are shorter) */
#define CLI_MAX_ROWS 128 /* rows of the option table (checked where it is defined) */
typedef struct cli_settings {
    tqo_load_settings load;
    tqo_align_settings align;
    tqo_quota_settings quota;
    tqo_generate_settings gen;
    tqo_format gen_format;
    double gen_tolerance;
    const char *region_targets;
    const char *write_lp, *write_mps;
    const char *scenarios;
    const char *shard;   /* scenarios --shard I/N */
    const char *assignment;
    const char *plan_current, *plan_locks; /* [input] current, locks: a plan laid over the instance */
    int port;            /* serve */
    const char *bind;    /* serve */
    const struct cli_plan_edits *edits;    /* tqo serve's Save: that plan from memory, not the files */
    int replicates;
    double incentive;
    const char *curve;
    const char *choose;
    int top;
    uint64_t seed;
    int threads;
    const char *out, *config;
    const char *max_memory; /* --max-memory: NULL, the machine's memory (util/memory_estimate.h) */
    int quiet, verbose, help;
    int balance_given;   /* a --balance seen: the next ones add measures */
    unsigned char given[CLI_MAX_ROWS]; /* per table row: set by the user (see cli_given) */
    char *pool[CLI_MAX_POOL]; /* strings owned by the settings */
    int n_pool;
} cli_settings;

typedef struct cli_option {
    const char *name;     /* long name: --max-moves */
    char short_name;      /* 0: none */
    cli_type type;
    const char *arg;      /* the value's name in --help */
    double lo, hi;        /* range of numbers and of balance tolerances */
    const char *unset;    /* plan.ini's word for "not set" (NULL: always set);
                             "none" is also taken on the command line */
    double unset_value;   /* the stored value meaning "not set" (numbers) */
    size_t off;           /* the field of cli_settings */
    unsigned commands;    /* CMD_ bits */
    const char *section, *key; /* plan.ini (NULL: not in plan.ini) */
    const char *def;      /* default, in words */
    const char *help;
} cli_option;

extern const cli_option cli_options[];
extern const int cli_n_options;

/* A command's name, usage line, description and help trailer. */
typedef struct cli_command_doc {
    unsigned cmd;
    const char *name, *usage, *about, *trailer;
} cli_command_doc;
extern const cli_command_doc cli_commands[];
extern const int cli_n_commands;

/* Defaults of every setting (the library's, and the command line's own). */
void cli_settings_default(cli_settings *S);
void cli_settings_free(cli_settings *S);

/*
 * Sets row o from text v (from the command line, or from plan.ini when
 * ini). 0 on success; else -1 with the reason in err, the same words for
 * every command and for plan.ini.
 */
int cli_option_set(cli_settings *S, const cli_option *o, const char *v, int ini, char *err, size_t n);
/* Row o's value as plan.ini writes it. */
void cli_option_format(const cli_settings *S, const cli_option *o, char *buf, size_t n);
/* Rows plan.ini and the report leave out at their default, so that a run
   without them writes what it wrote before they existed (--objective). */
int cli_option_omitted(const cli_settings *S, const cli_option *o);

/*
 * Parses argv for command cmd into S. Returns 0 (the first operand at
 * *first), 1 after printing --help, or CLI_EXIT_INPUT after printing an
 * error. With pass == 1 only --config and --help are taken (plan's first
 * pass, so that the command line wins over the file).
 */
int cli_options_parse(unsigned cmd, int argc, char **argv, cli_settings *S, int pass, int *first);

/* Whether the user set the row named name (--history-weight: "history-weight"):
   on the command line, or in a config file with a value other than the
   default (plan.ini records every setting, the defaults too). */
int cli_given(const cli_settings *S, const char *name);

/* The --help of command cmd. */
void cli_options_help(unsigned cmd, FILE *fp);

/* Reads an INI file of plan.ini's sections into S; 0 or -1 after printing
   file:line errors. */
int cli_config_read(cli_settings *S, const char *path);
/* Writes every plan.ini setting of S. */
void cli_config_write(FILE *f, const cli_settings *S, const char *instance);

/* The option reference: "man" (roff) or "markdown"; 0, or -1 for another. */
int cli_options_dump(const char *what, FILE *fp);

#endif
