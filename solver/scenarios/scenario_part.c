/*
 * A scenario sweep in parts: the rows of some scenarios as bytes (for MPI
 * ranks and part files), part files with their header, and the merge that
 * rebuilds the single run's result and writes it with tqo_scenarios_write.
 *
 * Part file, every number little-endian:
 *   "TQOSCNP\n", u32 version, u64 hash, u32 shard, u32 n_shards,
 *   u64 length + the sweep (settings, sweep-wide figures, every scenario's
 *   definition), u64 length + the rows, u64 FNV-1a of all bytes before it.
 * Doubles travel as their IEEE bits, so a merged result is the same bit for
 * bit as the one a single run holds, and so are the files written from it.
 */
#include "tqo.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M TQO_SCENARIO_N_METRICS
#define PART_VERSION 2u
static const char MAGIC[8] = {'T', 'Q', 'O', 'S', 'C', 'N', 'P', '\n'};
#define NO_STRING 0xFFFFFFFFu

/* tqo_hash_bytes (FNV-1a) is in util/strmap.c, shared with the id maps. */

int tqo_scenarios_shard(int n, int shard, int n_shards, int *index)
{
    int k = 0;
    for (int g = shard - 1; shard >= 1 && shard <= n_shards && g < n; g += n_shards)
        index[k++] = g;
    return k;
}

/* ---- growing output buffer and bounds-checked reader ---- */

typedef struct obuf {
    unsigned char *p;
    size_t n, cap;
    int nomem;
} obuf;

static void put(obuf *b, const void *d, size_t len)
{
    if (b->nomem)
        return;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->nomem = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, len);
    b->n += len;
}

static void put_u64(obuf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, 8);
}

static void put_u32(obuf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, 4);
}

static void put_i32(obuf *b, int v)
{
    put_u32(b, (uint32_t)v);
}

static void put_f64(obuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u64(b, u);
}

static void put_f64s(obuf *b, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_f64(b, v[i]);
}

static void put_str(obuf *b, const char *s)
{
    if (!s) {
        put_u32(b, NO_STRING);
        return;
    }
    size_t len = strlen(s);
    put_u32(b, (uint32_t)len);
    put(b, s, len);
}

typedef struct ibuf {
    const unsigned char *p;
    size_t n, at;
    int bad;
} ibuf;

static const unsigned char *take(ibuf *b, size_t len)
{
    if (b->bad || len > b->n - b->at) {
        b->bad = 1;
        return NULL;
    }
    const unsigned char *q = b->p + b->at;
    b->at += len;
    return q;
}

static uint64_t get_u64(ibuf *b)
{
    const unsigned char *x = take(b, 8);
    uint64_t v = 0;
    for (int i = 0; x && i < 8; i++)
        v |= (uint64_t)x[i] << (8 * i);
    return v;
}

static uint32_t get_u32(ibuf *b)
{
    const unsigned char *x = take(b, 4);
    uint32_t v = 0;
    for (int i = 0; x && i < 4; i++)
        v |= (uint32_t)x[i] << (8 * i);
    return v;
}

static int get_i32(ibuf *b)
{
    return (int)get_u32(b);
}

static double get_f64(ibuf *b)
{
    uint64_t u = get_u64(b);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static void get_f64s(ibuf *b, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = get_f64(b);
}

/* A malloc'd string; NULL for a NULL string (or with b->bad set). */
static char *get_str(ibuf *b)
{
    uint32_t len = get_u32(b);
    if (len == NO_STRING || b->bad)
        return NULL;
    const unsigned char *q = take(b, len);
    char *s = q ? malloc((size_t)len + 1) : NULL;
    if (!s) {
        b->bad = 1;
        return NULL;
    }
    memcpy(s, q, len);
    s[len] = 0;
    return s;
}

/* ---- rows ---- */

static void put_row(obuf *b, const tqo_scenarios_result *r, int s)
{
    int p = r->n_territories, nb = r->n_backtest_years;
    put_u32(b, (uint32_t)s);
    put_f64s(b, r->mc + (size_t)s * M * 3, (size_t)M * 3);
    put_f64s(b, r->backtest_mean + (size_t)s * M, M);
    put_f64s(b, r->backtest + (size_t)s * nb * M, (size_t)nb * M);
    put_f64s(b, r->quota + (size_t)s * p, (size_t)p);
    put(b, r->bound + (size_t)s * p, (size_t)p);
    put_f64s(b, r->expected_payout + (size_t)s * p, (size_t)p);
    put_f64s(b, r->backtest_attainment + (size_t)s * nb * p, (size_t)nb * p);
    put_str(b, r->error[s]);
}

tqo_status tqo_scenarios_rows_pack(const tqo_scenarios_result *r, const int *index, int k, unsigned char **buf,
                                   size_t *len)
{
    obuf b = {0};
    put_u32(&b, (uint32_t)k);
    for (int i = 0; i < k; i++)
        put_row(&b, r, index ? index[i] : i);
    if (b.nomem) {
        free(b.p);
        return TQO_ERR_NOMEM;
    }
    *buf = b.p;
    *len = b.n;
    return TQO_OK;
}

static int get_row(ibuf *b, tqo_scenarios_result *r, unsigned char *seen, const char *from, tqo_diag *diag)
{
    int p = r->n_territories, nb = r->n_backtest_years;
    uint32_t s = get_u32(b);
    if (b->bad)
        return -1;
    if (s >= (uint32_t)r->n_scenarios || seen[s]) {
        tqo_diag_error(diag, "%s: scenario #%u %s", from, s,
                       s >= (uint32_t)r->n_scenarios ? "is not in the sweep" : "came twice (a part given twice?)");
        return -2;
    }
    seen[s] = 1;
    get_f64s(b, r->mc + (size_t)s * M * 3, (size_t)M * 3);
    get_f64s(b, r->backtest_mean + (size_t)s * M, M);
    get_f64s(b, r->backtest + (size_t)s * nb * M, (size_t)nb * M);
    get_f64s(b, r->quota + (size_t)s * p, (size_t)p);
    const unsigned char *q = take(b, (size_t)p);
    if (q)
        memcpy(r->bound + (size_t)s * p, q, (size_t)p);
    get_f64s(b, r->expected_payout + (size_t)s * p, (size_t)p);
    get_f64s(b, r->backtest_attainment + (size_t)s * nb * p, (size_t)nb * p);
    free(r->error[s]);
    r->error[s] = get_str(b);
    return b->bad ? -1 : 0;
}

tqo_status tqo_scenarios_rows_unpack(tqo_scenarios_result *r, const unsigned char *buf, size_t len,
                                     unsigned char *seen, const char *from, tqo_diag *diag)
{
    ibuf b = {buf, len, 0, 0};
    uint32_t k = get_u32(&b);
    int rc = 0;
    for (uint32_t i = 0; i < k && rc == 0 && !b.bad; i++)
        rc = get_row(&b, r, seen, from, diag);
    if (rc == -2)
        return TQO_ERR_INPUT;
    if (b.bad || b.at != len) {
        tqo_diag_error(diag, "%s: damaged scenario rows", from);
        return TQO_ERR_INPUT;
    }
    return TQO_OK;
}

/* ---- the sweep: what every part shares ---- */

static void put_settings(obuf *b, const tqo_quota_settings *q)
{
    put_str(b, q->value);
    put_str(b, q->potential);
    put_str(b, q->history_until);
    put_i32(b, q->plan_year);
    put_str(b, q->method);
    put_f64(b, q->target);
    put_f64(b, q->growth_pct);
    put_f64(b, q->over_assign_pct);
    put_f64(b, q->history_weight);
    put_f64(b, q->min_growth_pct);
    put_f64(b, q->max_growth_pct);
    put_i32(b, q->minimax);
    put_i32(b, q->min_train_years);
    put_str(b, q->region_col);
    put_i32(b, q->n_region_targets);
    for (int k = 0; k < q->n_region_targets; k++) {
        put_str(b, q->region_names[k]);
        put_f64(b, q->region_targets[k]);
    }
}

static void put_sweep(obuf *b, const tqo_scenario *sc, const tqo_scenario_settings *s, const tqo_scenarios_result *r)
{
    int p = r->n_territories;
    put_i32(b, s->replicates);
    put_u64(b, s->seed);
    put_settings(b, &s->base);
    put_i32(b, r->n_scenarios);
    put_i32(b, p);
    put_i32(b, r->replicates);
    put_i32(b, r->plan_year);
    put_str(b, r->method);
    put_i32(b, (int)r->period_kind);
    put_i32(b, r->n_error_blocks);
    for (int k = 0; k < r->n_error_blocks; k++)
        put_i32(b, r->error_block[k]);
    put_i32(b, r->n_backtest_years);
    for (int k = 0; k < r->n_backtest_years; k++)
        put_i32(b, r->backtest_year[k]);
    for (int j = 0; j < p; j++)
        put_str(b, r->territory_id[j]);
    put_f64s(b, r->potential, (size_t)p);
    put_f64s(b, r->forecast, (size_t)p);
    for (int k = 0; k < r->n_error_blocks; k++)
        put_i32(b, r->block_replicates[k]);
    put_f64s(b, r->block_outcome, (size_t)r->n_error_blocks * p);
    for (int k = 0; k < r->n_scenarios; k++) {
        put_str(b, sc[k].name);
        put_settings(b, &sc[k].quota);
        put_f64(b, sc[k].target_incentive);
        put_i32(b, sc[k].curve.n);
        put_f64s(b, sc[k].curve.x, (size_t)sc[k].curve.n);
        put_f64s(b, sc[k].curve.y, (size_t)sc[k].curve.n);
    }
}

uint64_t tqo_scenarios_hash(uint64_t inputs, const tqo_scenario *sc, const tqo_scenario_settings *s,
                            const tqo_scenarios_result *r)
{
    obuf b = {0};
    put_u64(&b, inputs);
    put_sweep(&b, sc, s, r);
    uint64_t h = b.nomem ? 0 : tqo_hash_bytes(TQO_HASH_INIT, b.p, b.n); /* 0: out of memory */
    free(b.p);
    return h;
}

tqo_status tqo_scenarios_part_write(const char *dir, const char *name, uint64_t hash, int shard, int n_shards,
                                    const tqo_scenario *sc, const tqo_scenario_settings *s,
                                    const tqo_scenarios_result *r, const int *index, int k, tqo_diag *diag)
{
    obuf b = {0}, sw = {0};
    unsigned char *rows = NULL;
    size_t nrows = 0;
    put_sweep(&sw, sc, s, r);
    tqo_status st = tqo_scenarios_rows_pack(r, index, k, &rows, &nrows);
    put(&b, MAGIC, sizeof MAGIC);
    put_u32(&b, PART_VERSION);
    put_u64(&b, hash);
    put_u32(&b, (uint32_t)shard);
    put_u32(&b, (uint32_t)n_shards);
    put_u64(&b, sw.n);
    put(&b, sw.p, sw.n);
    put_u64(&b, nrows);
    if (rows)
        put(&b, rows, nrows);
    put_u64(&b, b.nomem ? 0 : tqo_hash_bytes(TQO_HASH_INIT, b.p, b.n));
    free(rows);
    if (st == TQO_OK && (b.nomem || sw.nomem))
        st = TQO_ERR_NOMEM;
    free(sw.p);
    if (st != TQO_OK) {
        free(b.p);
        return st;
    }
    tqo_outset *o = tqo_outset_new(dir);
    FILE *f = o ? tqo_outset_open(o, name) : NULL;
    if (!f || fwrite(b.p, 1, b.n, f) != b.n) {
        tqo_diag_error(diag, "%s/%s: cannot write the part file", dir, name);
        tqo_outset_abort(o);
        free(b.p);
        return TQO_ERR_IO;
    }
    free(b.p);
    return tqo_outset_commit(o, diag);
}

/* ---- the merge ---- */

/* A sweep rebuilt from a part: what tqo_scenarios_write needs. */
#define KEEP 4                   /* strings kept per settings: see get_settings */
typedef struct sweep {
    tqo_scenario_settings s;
    char *keep[KEEP];            /* s.base's strings */
    char **sc_keep;              /* [k * KEEP + i]: scenario k's */
    tqo_scenario *sc;
    int n;
    tqo_scenarios_result r;
} sweep;

static void sweep_free(sweep *w)
{
    for (int k = 0; k < KEEP; k++)
        free(w->keep[k]);
    for (int k = 0; w->sc_keep && k < w->n * KEEP; k++)
        free(w->sc_keep[k]);
    free(w->sc_keep);
    tqo_scenarios_free(w->sc, w->n);
    tqo_scenarios_result_free(&w->r);
}

/* Quota settings: value, potential, history_until and region_col owned by
   keep[0..3] (the writer tells a scenario with a potential from one
   without), the method as the library's constant; region targets are only
   hashed. */
static void get_settings(ibuf *b, tqo_quota_settings *q, char **keep)
{
    for (int k = 0; k < 3; k++)
        keep[k] = get_str(b);
    q->plan_year = get_i32(b);
    char *m = get_str(b);
    q->method = tqo_forecast_method_lookup(m);
    if (m && !q->method)
        b->bad = 1;
    free(m);
    q->target = get_f64(b);
    q->growth_pct = get_f64(b);
    q->over_assign_pct = get_f64(b);
    q->history_weight = get_f64(b);
    q->min_growth_pct = get_f64(b);
    q->max_growth_pct = get_f64(b);
    q->minimax = get_i32(b);
    q->min_train_years = get_i32(b);
    keep[3] = get_str(b);
    int nr = get_i32(b);
    for (int k = 0; k < nr && !b->bad; k++) {
        free(get_str(b));
        get_f64(b);
    }
    q->value = keep[0];
    q->potential = keep[1];
    q->history_until = keep[2];
    q->region_col = keep[3];
}

/* The result's arrays for n scenarios, p territories, nb backtest years. */
static int alloc_rows(tqo_scenarios_result *r)
{
    size_t n = (size_t)r->n_scenarios, p = (size_t)r->n_territories, nb = (size_t)r->n_backtest_years;
    r->quota = malloc((n * p + 1) * sizeof(double));
    r->bound = calloc(n * p + 1, 1);
    r->expected_payout = malloc((n * p + 1) * sizeof(double));
    r->backtest_attainment = malloc((n * nb * p + 1) * sizeof(double));
    r->mc = malloc((n * M * 3 + 1) * sizeof(double));
    r->backtest = malloc((n * nb * M + 1) * sizeof(double));
    r->backtest_mean = malloc((n * M + 1) * sizeof(double));
    r->efficient = calloc(n + 1, 1);
    r->error = calloc(n + 1, sizeof(char *));
    return r->quota && r->bound && r->expected_payout && r->backtest_attainment && r->mc && r->backtest &&
                   r->backtest_mean && r->efficient && r->error
               ? 0
               : -1;
}

/* Counts read from a file are checked before they size an allocation. */
static int count_ok(ibuf *b, int v, size_t each)
{
    return !b->bad && v >= 0 && (size_t)v <= (b->n - b->at) / each;
}

static int get_figures(ibuf *b, tqo_scenarios_result *r)
{
    r->n_scenarios = get_i32(b);
    int p = r->n_territories = get_i32(b);
    r->replicates = get_i32(b);
    r->plan_year = get_i32(b);
    char *m = get_str(b);
    snprintf(r->method, sizeof r->method, "%s", m ? m : "");
    free(m);
    r->period_kind = (tqo_period_kind)get_i32(b);
    r->n_error_blocks = get_i32(b);
    if (!count_ok(b, r->n_error_blocks, 4) || !(r->error_block = malloc(((size_t)r->n_error_blocks + 1) * 4)))
        return -1;
    for (int k = 0; k < r->n_error_blocks; k++)
        r->error_block[k] = get_i32(b);
    r->n_backtest_years = get_i32(b);
    if (!count_ok(b, r->n_backtest_years, 4) ||
        !(r->backtest_year = malloc(((size_t)r->n_backtest_years + 1) * 4)))
        return -1;
    for (int k = 0; k < r->n_backtest_years; k++)
        r->backtest_year[k] = get_i32(b);
    if (!count_ok(b, p, 4) || !count_ok(b, r->n_scenarios, 4) || !(r->territory_id = calloc((size_t)p + 1, sizeof(char *))) ||
        !(r->potential = malloc(((size_t)p + 1) * sizeof(double))) ||
        !(r->forecast = malloc(((size_t)p + 1) * sizeof(double))))
        return -1;
    for (int j = 0; j < p && !b->bad; j++)
        r->territory_id[j] = get_str(b);
    get_f64s(b, r->potential, (size_t)p);
    get_f64s(b, r->forecast, (size_t)p);
    size_t nbo = (size_t)r->n_error_blocks * p;
    if (b->bad || !count_ok(b, r->n_error_blocks, 4) ||
        !(r->block_replicates = malloc(((size_t)r->n_error_blocks + 1) * sizeof(int))) ||
        nbo > (b->n - b->at) / 8 ||
        !(r->block_outcome = malloc((nbo + 1) * sizeof(double))))
        return -1;
    for (int k = 0; k < r->n_error_blocks; k++)
        r->block_replicates[k] = get_i32(b);
    get_f64s(b, r->block_outcome, nbo);
    return b->bad || alloc_rows(r) != 0 ? -1 : 0;
}

static int get_sweep(const unsigned char *p, size_t len, sweep *w)
{
    ibuf b = {p, len, 0, 0};
    tqo_scenario_settings_default(&w->s);
    w->s.replicates = get_i32(&b);
    w->s.seed = get_u64(&b);
    get_settings(&b, &w->s.base, w->keep);
    if (get_figures(&b, &w->r) != 0)
        return -1;
    int n = w->r.n_scenarios;
    w->sc = calloc((size_t)n + 1, sizeof *w->sc);
    w->sc_keep = calloc((size_t)n * KEEP + 1, sizeof(char *));
    if (!w->sc || !w->sc_keep)
        return -1;
    for (int k = 0; k < n && !b.bad; k++) {
        tqo_scenario *sc = &w->sc[k];
        w->n = k + 1; /* freed from here on */
        sc->name = get_str(&b);
        get_settings(&b, &sc->quota, w->sc_keep + (size_t)k * KEEP);
        sc->target_incentive = get_f64(&b);
        sc->curve.n = get_i32(&b);
        if (!sc->name || sc->curve.n < 0 || sc->curve.n > TQO_PAYOUT_MAX_POINTS)
            return -1;
        get_f64s(&b, sc->curve.x, (size_t)sc->curve.n);
        get_f64s(&b, sc->curve.y, (size_t)sc->curve.n);
    }
    return b.bad || b.at != len ? -1 : 0;
}

/* One part file, read whole and its header checked. */
typedef struct part {
    const char *path;
    unsigned char *data;
    uint64_t hash;
    int shard, n_shards;
    const unsigned char *sweep, *rows;
    size_t sweep_len, rows_len;
} part;

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *d = NULL;
    long sz = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (sz >= 0 && fseek(f, 0, SEEK_SET) == 0 && (d = malloc((size_t)sz + 1)) &&
        fread(d, 1, (size_t)sz, f) != (size_t)sz) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *len = (size_t)(sz > 0 ? sz : 0);
    return d;
}

static tqo_status part_read(part *pt, tqo_diag *diag)
{
    size_t len = 0;
    errno = 0;
    pt->data = read_all(pt->path, &len);
    if (!pt->data) {
        tqo_diag_error(diag, "%s: cannot read: %s", pt->path, errno ? strerror(errno) : "out of memory");
        return TQO_ERR_INPUT;
    }
    ibuf b = {pt->data, len, 0, 0};
    const unsigned char *mg = take(&b, sizeof MAGIC);
    if (!mg || memcmp(mg, MAGIC, sizeof MAGIC) != 0) {
        tqo_diag_error(diag, "%s: not a part of a scenario sweep (tqo scenarios --shard writes them)", pt->path);
        return TQO_ERR_INPUT;
    }
    uint32_t v = get_u32(&b);
    if (v != PART_VERSION) {
        /* version 2 added the error blocks the odds are computed from: an older part lacks them */
        tqo_diag_error(diag, "%s: part format version %u; this tqo reads version %u only: rerun every shard with this tqo",
                       pt->path, v, PART_VERSION);
        return TQO_ERR_INPUT;
    }
    pt->hash = get_u64(&b);
    pt->shard = (int)get_u32(&b);
    pt->n_shards = (int)get_u32(&b);
    pt->sweep_len = (size_t)get_u64(&b);
    pt->sweep = take(&b, pt->sweep_len);
    pt->rows_len = (size_t)get_u64(&b);
    pt->rows = take(&b, pt->rows_len);
    size_t body = b.at;
    uint64_t sum = get_u64(&b);
    if (b.bad || b.at != len || sum != tqo_hash_bytes(TQO_HASH_INIT, pt->data, body) || pt->n_shards < 1 ||
        pt->shard < 1 || pt->shard > pt->n_shards) {
        tqo_diag_error(diag, "%s: damaged or truncated part file", pt->path);
        return TQO_ERR_INPUT;
    }
    return TQO_OK;
}

/* Every part of one sweep and one split, each shard once. */
static tqo_status check_parts(const part *pt, int np, tqo_diag *diag)
{
    for (int i = 1; i < np; i++) {
        if (pt[i].hash != pt[0].hash || pt[i].sweep_len != pt[0].sweep_len ||
            memcmp(pt[i].sweep, pt[0].sweep, pt[0].sweep_len) != 0) {
            tqo_diag_error(diag, "%s: a part of another sweep: its inputs or settings differ from those of %s "
                           "(hash %016llx, not %016llx)", pt[i].path, pt[0].path, (unsigned long long)pt[i].hash,
                           (unsigned long long)pt[0].hash);
            return TQO_ERR_INPUT;
        }
        if (pt[i].n_shards != pt[0].n_shards) {
            tqo_diag_error(diag, "%s: shard %d/%d, but %s is shard %d/%d: parts of two different splits",
                           pt[i].path, pt[i].shard, pt[i].n_shards, pt[0].path, pt[0].shard, pt[0].n_shards);
            return TQO_ERR_INPUT;
        }
        for (int j = 0; j < i; j++)
            if (pt[j].shard == pt[i].shard) {
                tqo_diag_error(diag, "%s: shard %d/%d given twice (also %s)", pt[i].path, pt[i].shard,
                               pt[i].n_shards, pt[j].path);
                return TQO_ERR_INPUT;
            }
    }
    if (np < pt[0].n_shards) {
        char list[256] = "";
        size_t at = 0;
        int shown = 0, missing = pt[0].n_shards - np;
        for (int s = 1; s <= pt[0].n_shards && shown < 10; s++) {
            int have = 0;
            for (int i = 0; i < np && !have; i++)
                have = pt[i].shard == s;
            if (!have && at < sizeof list)
                at += (size_t)snprintf(list + at, sizeof list - at, "%s%d", shown++ ? ", " : "", s);
        }
        tqo_diag_error(diag, "%d of %d shards missing: %s%s (merge needs every part of the sweep)", missing,
                       pt[0].n_shards, list, missing > shown ? ", ..." : "");
        return TQO_ERR_INPUT;
    }
    return TQO_OK;
}

static tqo_status merge_rows(const part *pt, int np, sweep *w, tqo_diag *diag)
{
    unsigned char *seen = calloc((size_t)w->r.n_scenarios + 1, 1);
    if (!seen)
        return TQO_ERR_NOMEM;
    tqo_status st = TQO_OK;
    for (int i = 0; i < np && st == TQO_OK; i++)
        st = tqo_scenarios_rows_unpack(&w->r, pt[i].rows, pt[i].rows_len, seen, pt[i].path, diag);
    for (int s = 0; s < w->r.n_scenarios && st == TQO_OK; s++)
        if (!seen[s]) {
            tqo_diag_error(diag, "scenario '%s' is in none of the parts", w->sc[s].name);
            st = TQO_ERR_INPUT;
        }
    free(seen);
    return st;
}

tqo_status tqo_scenarios_merge(const char *const *parts, int n_parts, const char *dir, int *n_scenarios,
                               tqo_diag *diag)
{
    if (n_parts < 1) {
        tqo_diag_error(diag, "no parts to merge");
        return TQO_ERR_ARG;
    }
    part *pt = calloc((size_t)n_parts, sizeof *pt);
    if (!pt)
        return TQO_ERR_NOMEM;
    sweep w;
    memset(&w, 0, sizeof w);
    tqo_status st = TQO_OK;
    for (int i = 0; i < n_parts && st == TQO_OK; i++) {
        pt[i].path = parts[i];
        st = part_read(&pt[i], diag);
    }
    if (st == TQO_OK)
        st = check_parts(pt, n_parts, diag);
    if (st == TQO_OK && get_sweep(pt[0].sweep, pt[0].sweep_len, &w) != 0) {
        tqo_diag_error(diag, "%s: damaged part file (its sweep cannot be read)", pt[0].path);
        st = TQO_ERR_INPUT;
    }
    if (st == TQO_OK)
        st = merge_rows(pt, n_parts, &w, diag);
    /* Failures and the Pareto front span every scenario: computed here
       exactly as a single run computes them. */
    if (st == TQO_OK)
        st = tqo_scenarios_finish(w.sc, &w.r, diag);
    if (st == TQO_OK)
        st = tqo_scenarios_write(w.sc, &w.s, &w.r, dir, diag);
    if (n_scenarios)
        *n_scenarios = w.r.n_scenarios;
    sweep_free(&w);
    for (int i = 0; i < n_parts; i++)
        free(pt[i].data);
    free(pt);
    return st;
}
