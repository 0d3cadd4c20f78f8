/*
 * tqo plan's output as one set, and its interruption (see cli_signal.h and
 * docs/reliability.md). Each step's files are atomic on their own
 * (util/outset.c), but a plan has several steps: a run killed between two
 * would leave a new align/ beside an old quota/. So the whole run goes to a
 * staging folder beside OUT (same file system: a rename, never a copy),
 * swapped in whole at the end.
 */
#define _GNU_SOURCE /* renameat2, nftw */
#include "cli/cli_signal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What tqo plan (and tqo serve's save) writes in OUT: anything else there
   is someone's file, which replacing OUT would delete. */
static const char *const plan_entries[] = {"align",  "quota",    "scenarios", "plan.ini", "report.html",
                                           "current.csv", "locks.csv"};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* mkdir -p: OUT's parent may not exist yet (tqo plan -o new/deeper/OUT). */
static void make_parents(char *dir)
{
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0777);
            *p = '/';
        }
    mkdir(dir, 0777);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Splits OUT into its parent folder and its name (no trailing slash). */
static int split_out(const char *out, char *parent, size_t np, char *name, size_t nn)
{
    char buf[4096];
    size_t len = strlen(out);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, out, len + 1);
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';
    char *slash = strrchr(buf, '/');
    const char *base = slash ? slash + 1 : buf;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return -1; /* "/", "." or "..": no name to stage beside */
    if (slash == buf)
        snprintf(parent, np, "/");
    else if (slash) {
        *slash = '\0';
        snprintf(parent, np, "%s", buf);
    } else
        snprintf(parent, np, ".");
    return snprintf(name, nn, "%s", base) >= (int)nn ? -1 : 0;
}

/* A folder OUT may be replaced: only plan's own entries (or leftovers of
   its per-file temporaries, ".NAME.PID.tmp"). Sets *foreign to the first
   other entry. */
static int out_is_plan(const char *out, char *foreign, size_t n)
{
    DIR *d = opendir(out);
    if (!d)
        return -1;
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d))) {
        const char *s = e->d_name;
        if (!strcmp(s, ".") || !strcmp(s, ".."))
            continue;
        size_t len = strlen(s);
        if (s[0] == '.' && len > 4 && !strcmp(s + len - 4, ".tmp"))
            continue;
        int known = 0;
        for (size_t i = 0; i < sizeof plan_entries / sizeof *plan_entries; i++)
            known |= !strcmp(s, plan_entries[i]);
        if (!known) {
            snprintf(foreign, n, "%s", s);
            ok = 0;
        }
    }
    closedir(d);
    return ok;
}

/* Staging and old-set folders of runs that are no longer alive: removed
   (a run killed after its swap leaves the earlier set in one). */
static void recover(const char *out, const char *parent, const char *name)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    char pre[300], path[8400];
    int np = snprintf(pre, sizeof pre, ".%s.tqo-stage.", name);
    struct dirent *e;
    while (np > 0 && np < (int)sizeof pre && (e = readdir(d))) {
        if (strncmp(e->d_name, pre, (size_t)np) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + np, &end, 10);
        int dead = pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH) || pid == (long)getpid();
        if (!dead)
            continue; /* another run's, still going */
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        struct stat sb;
        if (!strcmp(end, ".old") && stat(out, &sb) != 0 && errno == ENOENT)
            rename(path, out); /* killed between the fallback's two renames */
        else
            rm_tree(path);
    }
    closedir(d);
}

int cli_stage_begin(cli_stage *s, const char *out)
{
    char parent[4096], name[256], foreign[256];
    snprintf(s->out, sizeof s->out, "%s", out);
    if (split_out(out, parent, sizeof parent, name, sizeof name) != 0) {
        fprintf(stderr, "tqo: error: %s: name a folder to write the plan to (not '/', '.' or '..')\n", out);
        return -1;
    }
    make_parents(parent);
    recover(out, parent, name);
    struct stat sb;
    if (stat(out, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "tqo: error: %s: exists and is not a folder\n", out);
            return -1;
        }
        int r = out_is_plan(out, foreign, sizeof foreign);
        if (r < 0) {
            fprintf(stderr, "tqo: error: %s: cannot read the folder: %s\n", out, strerror(errno));
            return -1;
        }
        if (r == 0) {
            fprintf(stderr,
                    "tqo: error: %s: holds '%s', which tqo plan did not write: the plan replaces the whole folder, "
                    "so give a new or empty one\n",
                    out, foreign);
            return -1;
        }
    } else if (errno != ENOENT) {
        fprintf(stderr, "tqo: error: %s: %s\n", out, strerror(errno));
        return -1;
    }
    snprintf(s->stage, sizeof s->stage, "%s/.%s.tqo-stage.%ld", parent, name, (long)getpid());
    rm_tree(s->stage);
    if (mkdir(s->stage, 0777) != 0) {
        fprintf(stderr, "tqo: error: %s: cannot create the staging folder %s beside it: %s\n", out, s->stage,
                strerror(errno));
        return -1;
    }
    return 0;
}

int cli_stage_commit(cli_stage *s)
{
    struct stat sb;
    int had = stat(s->out, &sb) == 0;
    int r = had ? renameat2(AT_FDCWD, s->stage, AT_FDCWD, s->out, RENAME_EXCHANGE) : rename(s->stage, s->out);
    if (r != 0 && had && (errno == EINVAL || errno == ENOSYS)) {
        /* no RENAME_EXCHANGE on this file system: move the old set aside
           first (a kill between the two renames leaves OUT missing and the
           earlier set in the staging folder's place) */
        char old[4420];
        snprintf(old, sizeof old, "%s.old", s->stage);
        r = rename(s->out, old);
        if (r == 0 && (r = rename(s->stage, s->out)) != 0)
            rename(old, s->out);
        if (r == 0)
            rm_tree(old);
        else
            rm_tree(s->stage);
        if (r != 0)
            fprintf(stderr, "tqo: error: %s: cannot move the new plan into place: %s\n", s->out, strerror(errno));
        return r == 0 ? 0 : -1;
    }
    if (r != 0) {
        fprintf(stderr, "tqo: error: %s: cannot move the new plan into place: %s\n", s->out, strerror(errno));
        rm_tree(s->stage);
        return -1;
    }
    rm_tree(s->stage); /* after an exchange: the earlier set */
    return 0;
}

void cli_stage_abort(cli_stage *s)
{
    rm_tree(s->stage);
}

static char sig_msg[4200];
static size_t sig_len;
static volatile sig_atomic_t sig_holding, sig_pending;

static void on_signal(int sig)
{
    (void)sig;
    if (sig_holding) {
        sig_pending = 1;
        return;
    }
    ssize_t w = write(STDERR_FILENO, sig_msg, sig_len);
    (void)w;
    _exit(CLI_EXIT_INTERRUPTED);
}

void cli_signal_install(const char *out)
{
    int n = snprintf(sig_msg, sizeof sig_msg, "\ntqo: interrupted: %s left as it was\n", out);
    sig_len = n < 0 ? 0 : (size_t)n < sizeof sig_msg ? (size_t)n : sizeof sig_msg - 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_signal_hold(int hold)
{
    if (hold) {
        sig_holding = 1;
        return;
    }
    sig_holding = 0;
    if (sig_pending) {
        /* came during the swap, which finished: the new set is in place */
        static const char m[] = "\ntqo: interrupted after the new plan was complete and in place\n";
        ssize_t w = write(STDERR_FILENO, m, sizeof m - 1);
        (void)w;
        _exit(CLI_EXIT_INTERRUPTED);
    }
}
