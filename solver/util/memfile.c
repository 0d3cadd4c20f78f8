/* A stream that writes into memory (see memfile.h). */
#define _GNU_SOURCE /* fopencookie */
#include "util/memfile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifdef __GLIBC__

/* The cookie's write: appends, doubling the block. */
static ssize_t append(void *cookie, const char *buf, size_t size)
{
    tqoi_memfile *m = cookie;
    if (m->len + size > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 16;
        while (cap < m->len + size)
            cap *= 2;
        char *d = realloc(m->data, cap);
        if (!d) {
            m->failed = 1;
            return 0; /* a short write: the stream's error flag */
        }
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->len, buf, size);
    m->len += size;
    return (ssize_t)size;
}

FILE *tqoi_memfile_open(tqoi_memfile *m)
{
    memset(m, 0, sizeof *m);
    cookie_io_functions_t io = {NULL, append, NULL, NULL};
    return fopencookie(m, "w", io);
}

#else

FILE *tqoi_memfile_open(tqoi_memfile *m)
{
    memset(m, 0, sizeof *m);
    return open_memstream(&m->data, &m->len);
}

#endif
