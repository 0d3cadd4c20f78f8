/* What is made from the option table: getopt parsing, --help, plan.ini
   reading and writing, the man page and docs/options.md. */
#include "cli/options.h"
#include "cli/cli_common.h"

#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ID_BASE = 1000, ID_NEG = 3000 };

static const cli_command_doc *command_doc(unsigned cmd)
{
    for (int k = 0; k < cli_n_commands; k++)
        if (cli_commands[k].cmd == cmd || ((cmd & CMD_SERVE) && cli_commands[k].cmd == CMD_SERVE))
            return &cli_commands[k];
    return &cli_commands[0];
}

/* "-k" for a one-letter name, else "--max-moves". */
static void display_name(const cli_option *o, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", strlen(o->name) == 1 ? "-" : "--", o->name);
}

static int is_flag_row(const cli_option *o, size_t off) { return o->off == off && o->type == T_FLAG; }

/* Long options of command cmd, each boolean also as --no-NAME. */
static struct option *build_long(unsigned cmd, char (*neg)[64], char *shorts, size_t n_shorts)
{
    struct option *lo = calloc(2 * (size_t)cli_n_options + 1, sizeof *lo);
    if (!lo)
        return NULL;
    int n = 0;
    size_t ns = strlen(shorts);
    for (int i = 0; i < cli_n_options; i++) {
        const cli_option *o = &cli_options[i];
        if (!(o->commands & cmd))
            continue;
        int has = o->type == T_FLAG ? no_argument : o->type == T_BOOL ? optional_argument : required_argument;
        if (strlen(o->name) > 1)
            lo[n++] = (struct option){o->name, has, NULL, ID_BASE + i};
        if (o->type == T_BOOL) {
            snprintf(neg[i], sizeof neg[i], "no-%s", o->name);
            lo[n++] = (struct option){neg[i], no_argument, NULL, ID_NEG + i};
        }
        if (o->short_name && ns + 3 < n_shorts) {
            shorts[ns++] = o->short_name;
            if (has == required_argument)
                shorts[ns++] = ':';
            shorts[ns] = 0;
        }
    }
    return lo;
}

static int row_of(unsigned cmd, int c)
{
    if (c >= ID_NEG)
        return c - ID_NEG;
    if (c >= ID_BASE)
        return c - ID_BASE;
    for (int i = 0; i < cli_n_options; i++)
        if ((cli_options[i].commands & cmd) && cli_options[i].short_name == c)
            return i;
    return -1;
}

/* One option found by getopt; 0, 1 after --help, or CLI_EXIT_INPUT. */
static int take(unsigned cmd, const cli_option *o, int negated, const char *v, cli_settings *S, int pass)
{
    if (is_flag_row(o, offsetof(cli_settings, help))) {
        cli_options_help(cmd, stdout);
        return 1;
    }
    int is_config = o->off == offsetof(cli_settings, config);
    if (pass == 1 && !is_config)
        return 0;
    if (o->type == T_FLAG)
        v = "true";
    if (o->type == T_BOOL && negated)
        v = "false";
    char err[300], name[64];
    if (cli_option_set(S, o, v, 0, err, sizeof err) != 0) {
        display_name(o, name, sizeof name);
        return cli_usage_error("option '%s': %s", name, err);
    }
    S->given[o - cli_options] = 1;
    return 0;
}

int cli_options_parse(unsigned cmd, int argc, char **argv, cli_settings *S, int pass, int *first)
{
    const char *cname = command_doc(cmd)->name;
    char (*neg)[64] = calloc((size_t)cli_n_options, sizeof *neg);
    char shorts[64] = ":";
    struct option *lo = neg ? build_long(cmd, neg, shorts, sizeof shorts) : NULL;
    if (!lo) {
        free(neg);
        return cli_usage_error("out of memory");
    }
    /* The dispatcher has parsed its own options already: start afresh,
       and report errors ourselves with the tqo prefix. */
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        int i = c == ':' || c == '?' ? -1 : row_of(cmd, c);
        if (c == ':') {
            rc = cli_usage_error("%s: option '%s' needs a value (see 'tqo %s --help')", cname, argv[optind - 1],
                                 cname);
        } else if (i < 0) {
            rc = cli_usage_error("%s: unknown option '%s' (see 'tqo %s --help')", cname, argv[optind - 1], cname);
        } else {
            const char *v = optarg;
            /* --contiguity false: a boolean takes the next word when it is one */
            if (cli_options[i].type == T_BOOL && c < ID_NEG && !v) {
                static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "1", "0"};
                v = "true";
                for (int k = 0; optind < argc && k < 8; k++)
                    if (strcasecmp(argv[optind], words[k]) == 0) {
                        v = argv[optind++];
                        break;
                    }
            }
            rc = take(cmd, &cli_options[i], c >= ID_NEG, v, S, pass);
        }
    }
    free(lo);
    free(neg);
    *first = optind;
    return rc;
}

int cli_given(const cli_settings *S, const char *name)
{
    for (int i = 0; i < cli_n_options; i++)
        if (S->given[i] && strcmp(cli_options[i].name, name) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* --help                                                              */
/* ------------------------------------------------------------------ */

/* Prints text wrapped at 79 columns, continuation lines indented. */
static void wrap(FILE *fp, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (col > indent && col + 1 + (int)w > 79) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, w, fp);
        col += (int)w;
        p += w;
    }
    fputc('\n', fp);
}

/* "-o, --out DIR", "--[no-]exact", "-k N". */
static void option_label(const cli_option *o, char *buf, size_t n)
{
    char name[80];
    if (o->type == T_BOOL)
        snprintf(name, sizeof name, "--%s, --no-%s", o->name, o->name);
    else if (strlen(o->name) == 1)
        snprintf(name, sizeof name, "-%s", o->name);
    else if (o->short_name)
        snprintf(name, sizeof name, "-%c, --%s", o->short_name, o->name);
    else
        snprintf(name, sizeof name, "--%s", o->name);
    snprintf(buf, n, "%s%s%s", name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* A row's help with its default and plan.ini key. */
static void option_text(const cli_option *o, unsigned cmd, char *buf, size_t n)
{
    size_t u = (size_t)snprintf(buf, n, "%s", o->help);
    if (o->def && u < n)
        u += (size_t)snprintf(buf + u, n - u, " (default %s)", o->def);
    if (o->section && (cmd & CMD_PLAN) && u < n)
        snprintf(buf + u, n - u, " [%s] %s", o->section, o->key);
}

void cli_options_help(unsigned cmd, FILE *fp)
{
    const cli_command_doc *d = command_doc(cmd);
    fprintf(fp, "usage: %s\n\n", d->usage);
    wrap(fp, d->about, 0, 0);
    fputs("\noptions:\n", fp);
    for (int i = 0; i < cli_n_options; i++) {
        const cli_option *o = &cli_options[i];
        if (!(o->commands & cmd))
            continue;
        char label[96], text[1024];
        option_label(o, label, sizeof label);
        option_text(o, cmd, text, sizeof text);
        int col = fprintf(fp, "  %s%s", o->short_name || strlen(o->name) == 1 ? "" : "    ", label);
        if (col > 29) {
            fprintf(fp, "\n%30s", "");
        } else {
            fprintf(fp, "%*s", 30 - col, "");
        }
        wrap(fp, text, 30, 30);
    }
    fputs("\nBooleans: --NAME or --NAME true sets, --no-NAME or --NAME false clears\n"
          "(also --NAME=VALUE; yes/no, on/off and 1/0 too).\n"
          "Exit status: 0 success, 1 failure (solver, infeasible model, i/o), 2 bad\n"
          "input or usage. All options: man tqo, docs/options.md.\n",
          fp);
}

/* ------------------------------------------------------------------ */
/* plan.ini                                                            */
/* ------------------------------------------------------------------ */

static const char *const SECTIONS[] = {"input", "align", "quota", "scenarios", "run"};

typedef struct ini_ctx {
    cli_settings *S;
    const char *path;
    FILE *fp;
    int line;        /* the line inih is on: our reader counts them */
    int n_errors;
} ini_ctx;

static int ini_error(ini_ctx *c, const char *fmt, ...);

static char *config_reader(char *str, int num, void *stream)
{
    ini_ctx *c = stream;
    char *r = fgets(str, num, c->fp);
    if (!r)
        return NULL;
    c->line++;
    size_t len = strlen(str);
    int ch;
    if (len + 1 == (size_t)num && str[len - 1] != '\n' && (ch = fgetc(c->fp)) != EOF && ch != '\n') {
        /* inih would read the rest as lines of their own: say so once, on
           this line's number, and skip the rest of it */
        ini_error(c, "line longer than %d characters", num - 2);
        while ((ch = fgetc(c->fp)) != EOF && ch != '\n')
            ;
        str[0] = '\n';
        str[1] = 0;
    }
    return r;
}

static int ini_error(ini_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tqo: error: %s:%d: %s\n", c->path, c->line, msg);
    c->n_errors++;
    return 1; /* keep reading: report every error at once */
}

static const cli_option *find_key(const char *section, const char *name)
{
    char norm[64];
    snprintf(norm, sizeof norm, "%s", name);
    for (char *c = norm; *c; c++)
        if (*c == '-')
            *c = '_';
    for (int i = 0; i < cli_n_options; i++)
        if (cli_options[i].section && strcmp(cli_options[i].section, section) == 0 &&
            strcasecmp(cli_options[i].key, norm) == 0)
            return &cli_options[i];
    return NULL;
}

static int config_entry(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;
    int known = 0;
    for (size_t s = 0; s < sizeof SECTIONS / sizeof *SECTIONS; s++)
        known |= strcmp(section, SECTIONS[s]) == 0;
    if (!known)
        return ini_error(c, "unknown section [%s] (sections: input, align, quota, scenarios, run)", section);
    const cli_option *o = find_key(section, name);
    if (!o)
        return ini_error(c, "key '%s': not a setting of [%s] (see 'tqo plan --help')", name, section);
    char err[300];
    if (cli_option_set(c->S, o, value, 1, err, sizeof err) != 0)
        return ini_error(c, "key '%s': %s", name, err);
    /* plan.ini records the defaults too: only another value counts as set */
    cli_settings def;
    cli_settings_default(&def);
    char now[CLI_VALUE_MAX], was[CLI_VALUE_MAX];
    cli_option_format(c->S, o, now, sizeof now);
    cli_option_format(&def, o, was, sizeof was);
    if (strcmp(now, was) != 0)
        c->S->given[o - cli_options] = 1;
    return 1;
}

int cli_config_read(cli_settings *S, const char *path)
{
    ini_ctx c = {S, path, fopen(path, "r"), 0, 0};
    if (!c.fp) {
        fprintf(stderr, "tqo: error: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int r = ini_parse_stream(config_reader, &c, config_entry, &c);
    fclose(c.fp);
    if (r > 0 && !c.n_errors) /* inih's own syntax errors: a line that is no key = value nor [section] */
        fprintf(stderr, "tqo: error: %s:%d: not a 'key = value' line nor a [section]\n", path, r);
    return r != 0 || c.n_errors ? -1 : 0;
}

void cli_config_write(FILE *f, const cli_settings *S, const char *instance)
{
    fprintf(f, "; tqo plan settings, every value used: repeat the run with\n"
               ";   tqo plan %s --config THIS_FILE -o OUT\n",
            instance);
    const char *sec = "";
    for (int i = 0; i < cli_n_options; i++) {
        const cli_option *o = &cli_options[i];
        if (!o->section || cli_option_omitted(S, o))
            continue;
        if (strcmp(sec, o->section) != 0) {
            sec = o->section;
            fprintf(f, "\n[%s]\n", sec);
        }
        char v[CLI_VALUE_MAX];
        cli_option_format(S, o, v, sizeof v);
        fprintf(f, "%s = %s\n", o->key, v);
    }
}

/* ------------------------------------------------------------------ */
/* The man page and docs/options.md                                    */
/* ------------------------------------------------------------------ */

/* roff: a leading dot or quote would be a request; backslashes escape. */
static void roff(FILE *fp, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            fputs("\\e", fp);
        else if (*p == '-')
            fputs("\\-", fp);
        else
            fputc(*p, fp);
    }
}

static void dump_man(FILE *fp)
{
    fprintf(fp, ".\\\" Generated by 'tqo --dump-options man' from solver/cli/options.c: do not edit.\n"
                ".TH TQO 1 \"\" \"tqo %s\" \"User Commands\"\n"
                ".SH NAME\ntqo \\- territory and quota optimization\n"
                ".SH SYNOPSIS\n.B tqo\n.I command\n[options]\n"
                ".SH DESCRIPTION\nThe commands, each with its options below.\n"
                "Booleans: \\fB\\-\\-NAME\\fR or \\fB\\-\\-NAME true\\fR sets, \\fB\\-\\-no\\-NAME\\fR or "
                "\\fB\\-\\-NAME false\\fR clears (also \\fB\\-\\-NAME=VALUE\\fR; yes/no, on/off and 1/0 too).\n"
                "Settings with a plan.ini key can also be given in the file read by "
                "\\fBtqo plan \\-\\-config\\fR.\n",
            TQO_VERSION);
    for (int k = 0; k < cli_n_commands; k++) {
        const cli_command_doc *d = &cli_commands[k];
        fprintf(fp, ".SH \"TQO %s\"\n.B ", d->name);
        roff(fp, d->usage);
        fputs("\n.PP\n", fp);
        roff(fp, d->about);
        fputc('\n', fp);
        for (int i = 0; i < cli_n_options; i++) {
            const cli_option *o = &cli_options[i];
            if (!(o->commands & d->cmd))
                continue;
            char label[96], text[1024];
            option_label(o, label, sizeof label);
            option_text(o, d->cmd, text, sizeof text);
            fputs(".TP\n.B ", fp);
            roff(fp, label);
            fputc('\n', fp);
            roff(fp, text);
            fputc('\n', fp);
        }
    }
    fputs(".SH EXIT STATUS\n0 success, 1 failure (solver, infeasible model, i/o), 2 bad input or usage.\n"
          ".SH SEE ALSO\ndocs/options.md, docs/format.md, docs/outputs.md\n",
          fp);
}

/* Markdown table cells: a bar would end the cell. */
static void md(FILE *fp, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            fputs("\\|", fp);
        else
            fputc(*p, fp);
    }
}

static void dump_markdown(FILE *fp)
{
    fputs("# tqo options\n\n"
          "<!-- Generated by 'tqo --dump-options markdown' from solver/cli/options.c: do not edit. -->\n\n"
          "Every option of every command, from the one option table of the command line "
          "(`solver/cli/options.c`); `man tqo` (doc/tqo.1) is made from the same table.\n\n"
          "Booleans, in every command: `--NAME` or `--NAME true` sets, `--no-NAME` or `--NAME false` clears "
          "(also `--NAME=VALUE`; yes/no, on/off and 1/0 too). A number out of its range is refused with the "
          "same message in every command and in plan.ini. Settings with a plan.ini key can also be given in "
          "the file read by `tqo plan --config` (`key = value` in its `[section]`); the command line wins. "
          "Optional settings take `none`.\n",
          fp);
    for (int k = 0; k < cli_n_commands; k++) {
        const cli_command_doc *d = &cli_commands[k];
        fprintf(fp, "\n## tqo %s\n\n`%s`\n\n%s\n\n", d->name, d->usage, d->about);
        fputs("| option | range | default | plan.ini | description |\n|---|---|---|---|---|\n", fp);
        for (int i = 0; i < cli_n_options; i++) {
            const cli_option *o = &cli_options[i];
            if (!(o->commands & d->cmd))
                continue;
            char label[96], range[96] = "";
            option_label(o, label, sizeof label);
            if (o->type == T_INT || o->type == T_DOUBLE || o->type == T_BALANCE)
                snprintf(range, sizeof range, "%s[%g, %g]", o->type == T_BALANCE ? "TOL " : "", o->lo, o->hi);
            fputs("| `", fp);
            md(fp, label);
            fprintf(fp, "` | %s | ", range);
            md(fp, o->def ? o->def : "");
            fputs(" | ", fp);
            if (o->section && (d->cmd & CMD_PLAN))
                fprintf(fp, "`[%s] %s`", o->section, o->key);
            fputs(" | ", fp);
            md(fp, o->help);
            fputs(" |\n", fp);
        }
    }
}

int cli_options_dump(const char *what, FILE *fp)
{
    if (strcmp(what, "man") == 0)
        dump_man(fp);
    else if (strcmp(what, "markdown") == 0)
        dump_markdown(fp);
    else
        return -1;
    return 0;
}
