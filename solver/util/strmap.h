/* A string -> int hash map (open addressing), for id lookups in loaders. */
#ifndef TQO_STRMAP_H
#define TQO_STRMAP_H

#include <stddef.h>

typedef struct strmap {
    size_t cap;       /* power of two */
    size_t n;
    const char **keys; /* borrowed: the caller keeps the strings alive */
    int *vals;
} strmap;

int tqoi_strmap_init(strmap *m, size_t expected);
void tqoi_strmap_free(strmap *m);
/* The value for key, or -1. */
int tqoi_strmap_get(const strmap *m, const char *key);
/* Inserts key if absent and returns -1; if present returns the old value
   and leaves it. Returns -2 when out of memory. */
int tqoi_strmap_put(strmap *m, const char *key, int val);

#endif
