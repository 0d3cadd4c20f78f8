/* A string -> int hash map (open addressing, linear probing, FNV-1a),
   and the one FNV-1a of the library (also the sweep's input and part
   hashes, tqo_hash_bytes in tqo.h). */
#include "util/strmap.h"
#include "tqo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t tqo_hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash(const char *s)
{
    uint64_t h = tqo_hash_bytes(TQO_HASH_INIT, s, strlen(s));
    return h ^ (h >> 29); /* the high bits into the low ones the table's mask keeps */
}

int tqoi_strmap_init(strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 1)
        cap <<= 1;
    m->cap = cap;
    m->n = 0;
    m->keys = calloc(cap, sizeof *m->keys);
    m->vals = malloc(cap * sizeof *m->vals);
    if (!m->keys || !m->vals) {
        tqoi_strmap_free(m);
        return -1;
    }
    return 0;
}

void tqoi_strmap_free(strmap *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

int tqoi_strmap_get(const strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i])
            return -1;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

static int grow(strmap *m)
{
    strmap g;
    if (tqoi_strmap_init(&g, m->cap) != 0)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            tqoi_strmap_put(&g, m->keys[i], m->vals[i]);
    tqoi_strmap_free(m);
    *m = g;
    return 0;
}

int tqoi_strmap_put(strmap *m, const char *key, int val)
{
    if (2 * (m->n + 1) > m->cap && grow(m) != 0)
        return -2;
    size_t mask = m->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i]) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return -1;
        }
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}
