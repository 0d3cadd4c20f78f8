/*
 * Atomic output sets. Every file of a step is first written to a hidden
 * temporary name beside its final name; only when all were written and
 * closed are they renamed, so an interrupted or failed run never leaves a
 * half-written file, and a failed step leaves no file at all.
 */
#include "util/path.h"
#include "tqo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct out_file {
    char *final_path;
    char *tmp_path;
    FILE *fp;
} out_file;

struct tqo_outset {
    char *dir;
    int n, cap;
    out_file *files;
    int created_dir; /* we made the folder: remove it again on abort if empty */
};


/* mkdir -p; returns 0 on success, sets *created when the leaf was made. */
static int make_dirs(const char *dir, int *created)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    *created = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) == 0) {
                if (c == '\0')
                    *created = 1;
            } else if (errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

tqo_outset *tqo_outset_new(const char *dir)
{
    tqo_outset *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->dir = strdup(dir);
    if (!o->dir) {
        free(o);
        return NULL;
    }
    return o;
}

FILE *tqo_outset_open(tqo_outset *o, const char *name)
{
    if (o->n == 0 && make_dirs(o->dir, &o->created_dir) != 0)
        return NULL;
    if (o->n == o->cap) {
        int cap = o->cap ? 2 * o->cap : 8;
        out_file *f = realloc(o->files, (size_t)cap * sizeof *f);
        if (!f)
            return NULL;
        o->files = f;
        o->cap = cap;
    }
    out_file *f = &o->files[o->n];
    memset(f, 0, sizeof *f);
    f->final_path = tqoi_path_join(o->dir, name);
    char tmpname[512];
    snprintf(tmpname, sizeof tmpname, ".%s.%ld.tmp", name, (long)getpid());
    f->tmp_path = tqoi_path_join(o->dir, tmpname);
    if (!f->final_path || !f->tmp_path) {
        free(f->final_path);
        free(f->tmp_path);
        return NULL;
    }
    f->fp = fopen(f->tmp_path, "wb");
    if (!f->fp) {
        free(f->final_path);
        free(f->tmp_path);
        return NULL;
    }
    o->n++;
    return f->fp;
}

static void outset_free(tqo_outset *o)
{
    for (int i = 0; i < o->n; i++) {
        free(o->files[i].final_path);
        free(o->files[i].tmp_path);
    }
    free(o->files);
    free(o->dir);
    free(o);
}

void tqo_outset_abort(tqo_outset *o)
{
    if (!o)
        return;
    for (int i = 0; i < o->n; i++) {
        if (o->files[i].fp)
            fclose(o->files[i].fp);
        remove(o->files[i].tmp_path);
    }
    if (o->created_dir)
        rmdir(o->dir); /* only succeeds when empty, which is what we want */
    outset_free(o);
}

tqo_status tqo_outset_commit(tqo_outset *o, tqo_diag *diag)
{
    for (int i = 0; i < o->n; i++) {
        out_file *f = &o->files[i];
        int bad = ferror(f->fp);
        if (fclose(f->fp) != 0)
            bad = 1;
        f->fp = NULL;
        if (bad) {
            tqo_diag_error(diag, "%s: write failed: %s", f->final_path, strerror(errno));
            tqo_outset_abort(o);
            return TQO_ERR_IO;
        }
    }
    for (int i = 0; i < o->n; i++) {
        out_file *f = &o->files[i];
        if (rename(f->tmp_path, f->final_path) != 0) {
            tqo_diag_error(diag, "%s: cannot rename into place: %s", f->final_path, strerror(errno));
            tqo_outset_abort(o);
            return TQO_ERR_IO;
        }
    }
    outset_free(o);
    return TQO_OK;
}
