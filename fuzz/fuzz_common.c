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
