#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];
static char g_path[8][512];

const char *fuzz_dir(void)
{
    if (g_dir[0])
        return g_dir;
    struct stat sb;
    const char *base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(g_dir, sizeof g_dir, "%s/tqo-fuzz-XXXXXX", base);
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        abort();
    }
    return g_dir;
}

const char *fuzz_path(int slot, const char *name)
{
    snprintf(g_path[slot & 7], sizeof g_path[0], "%s/%s", fuzz_dir(), name);
    return g_path[slot & 7];
}

void fuzz_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

void fuzz_unlink(const char *name)
{
    unlink(fuzz_path(7, name));
}

int fuzz_split(const uint8_t *data, size_t size, int max, const uint8_t **start, size_t *len)
{
    int n = 0;
    size_t from = 0;
    for (size_t i = 0; n < max - 1 && i + FUZZ_SEP_LEN <= size; i++) {
        if (memcmp(data + i, FUZZ_SEP, FUZZ_SEP_LEN) == 0) {
            start[n] = data + from;
            len[n++] = i - from;
            from = i + FUZZ_SEP_LEN;
            i = from - 1;
        }
    }
    start[n] = data + from;
    len[n++] = size - from;
    return n;
}

const char *fuzz_source_dir(void)
{
    const char *s = getenv("TQO_SOURCE_DIR");
    return s && *s ? s : TQO_SOURCE_DIR;
}

tqo_instance *fuzz_load(const char *path, const tqo_load_settings *s)
{
    tqo_diag diag;
    tqo_diag_init(&diag);
    tqo_instance *inst = NULL;
    tqo_status st = tqo_instance_load(path, s, &inst, &diag);
    FUZZ_CHECK((st == TQO_OK) == (inst != NULL), "load status %d but instance %p", st, (void *)inst);
    FUZZ_CHECK(st == TQO_OK || tqo_diag_first_error(&diag), "load failed (%d) without a message", st);
    tqo_diag_free(&diag);
    if (!inst)
        return NULL;
    FUZZ_CHECK(inst->n_units > 0, "an instance of %d units", inst->n_units);
    for (int e = 0; e < inst->n_edges; e++)
        FUZZ_CHECK(inst->edge_u[e] >= 0 && inst->edge_u[e] < inst->edge_v[e] && inst->edge_v[e] < inst->n_units,
                   "edge %d (%d, %d) out of range", e, inst->edge_u[e], inst->edge_v[e]);
    return inst;
}

tqo_instance *fuzz_fixture(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/good/full", fuzz_source_dir());
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_instance *inst = NULL;
    if (tqo_instance_load(dir, NULL, &inst, &d) != TQO_OK) {
        fprintf(stderr, "%s: %s\n", dir, tqo_diag_first_error(&d));
        abort();
    }
    tqo_diag_free(&d);
    return inst;
}
