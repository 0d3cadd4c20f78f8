/*
 * Counter-based random numbers. Every draw is a pure function of
 * (seed, key, counter): the stream does not depend on which thread draws
 * it, and a new key gives an independent stream, so adding a feature that
 * draws from its own key never shifts the numbers of another.
 */
#include "tqo.h"

#include <math.h>

/* The splitmix64 / murmur3-style finalizer: a bijection on 64 bits with
   full avalanche, strong enough that consecutive inputs look independent. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

void tqo_rng_init(tqo_rng *r, uint64_t seed, uint64_t key)
{
    r->seed = seed;
    r->key = key;
    r->counter = 0;
    r->has_spare = 0;
    r->spare = 0.0;
}

uint64_t tqo_rng_u64(tqo_rng *r)
{
    /* The stream base mixes seed and key twice so that nearby (seed, key)
       pairs, e.g. key and key+1, give unrelated streams; the counter is then
       spread by the golden ratio as in splitmix64. */
    uint64_t base = mix64(r->seed ^ mix64(r->key + GOLDEN));
    uint64_t c = r->counter++;
    return mix64(base + (c + 1) * GOLDEN);
}

double tqo_rng_uniform(tqo_rng *r)
{
    /* 53 random bits, shifted by half a step: never exactly 0 or 1, so
       log(u) and 1/u are always safe. */
    return ((double)(tqo_rng_u64(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double tqo_rng_normal(tqo_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    /* Marsaglia's polar method: no trigonometry, and each accepted pair
       gives two independent normals. */
    double u, v, s;
    do {
        u = 2.0 * tqo_rng_uniform(r) - 1.0;
        v = 2.0 * tqo_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

int tqo_rng_int(tqo_rng *r, int n)
{
    if (n <= 1)
        return 0;
    /* Lemire's multiply-and-reject on 32 bits: exactly uniform, and the
       rejection is rare (at most n / 2^32 of draws). */
    uint32_t un = (uint32_t)n;
    uint64_t m = (tqo_rng_u64(r) >> 32) * (uint64_t)un;
    uint32_t low = (uint32_t)m;
    if (low < un) {
        uint32_t threshold = (uint32_t)(-un) % un;
        while (low < threshold) {
            m = (tqo_rng_u64(r) >> 32) * (uint64_t)un;
            low = (uint32_t)m;
        }
    }
    return (int)(m >> 32);
}
