/*
 * Synthetic instances that look like real sales-territory data: units
 * (postal areas) clustered in towns of lognormal size with dense cores,
 * suburbs around them and sparse rural units in between; measures with
 * the skew and correlations of real ones; Delaunay adjacency; home bases
 * spread with the business; a current plan of nearest-home territories,
 * mildly balanced; and sales history with trend, season and noise.
 *
 * Everything is drawn from tqo_rng streams keyed by purpose (and by unit
 * where a unit draws its own numbers), so the same settings give the same
 * instance everywhere, and a new feature with a new key shifts nothing.
 */
#include "tqo.h"
#include "instance/gis_voronoi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define KM_PER_DEGREE (TQO_EARTH_RADIUS_KM * PI / 180.0)

/* Where the geo variant is placed on the globe (northern Italy). */
#define GEO_LAT0 45.0
#define GEO_LON0 10.0

/* Stream keys, one per purpose; per-unit streams add the unit index. */
enum {
    KEY_TOWNS = 1,
    KEY_PLACE = 2,
    KEY_MEASURES = 3,
    KEY_HOMES = 4,
    KEY_REPS = 5,
    KEY_SEASON = 6,
    KEY_HISTORY = 7,
};

static uint64_t unit_key(int purpose, int i)
{
    return (uint64_t)purpose << 48 | (uint64_t)(uint32_t)i;
}

enum { RURAL = 0, CORE = 1, SUBURB = 2 };

typedef struct town {
    double cx, cy;       /* centre, km */
    double core_sd;      /* spread of the dense core, km */
    double suburb_sd;    /* spread of the suburbs, km */
    double wealth;       /* multiplies the potential of its units */
    char name[32];
} town;

/* Units while they are being made, before they go into the instance. */
typedef struct draft {
    double *x, *y;       /* planar km */
    unsigned char *kind; /* RURAL, CORE, SUBURB */
    int *town;           /* -1 for rural units */
} draft;

/* Progress for the caller's log. */
#define logf_(s, ...) tqo_log_printf((s)->log, (s)->log_ctx, TQO_LOG_DEBUG, __VA_ARGS__)

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Decimal digits of v >= 0, at most 10 (all an int can have). */
static int digits(long v)
{
    int d = 1;
    while (v >= 10 && d < 10) {
        v /= 10;
        d++;
    }
    return d;
}

static double round_to(double v, double scale)
{
    return round(v * scale) / scale;
}

void tqo_generate_settings_default(tqo_generate_settings *s)
{
    memset(s, 0, sizeof *s);
    s->n_units = 1000;
    s->n_territories = 10;
    s->n_periods = 12;
    s->granularity = TQO_PERIOD_QUARTER;
    s->first_year = 2020;
    s->seed = 1;
}

#define MAX_UNITS 50000000
#define MAX_PERIODS 1200

static tqo_status validate(const tqo_generate_settings *s, tqo_diag *diag)
{
    if (s->n_units < 1 || s->n_units > MAX_UNITS) {
        tqo_diag_error(diag, "generate: the number of units must be in [1, %d], got %d",
                       MAX_UNITS, s->n_units);
        return TQO_ERR_ARG;
    }
    if (s->n_territories < 1 || s->n_territories > s->n_units) {
        tqo_diag_error(diag, "generate: the number of territories must be in [1, %d] (the number of units), got %d",
                       s->n_units, s->n_territories);
        return TQO_ERR_ARG;
    }
    if (s->n_periods < 0 || s->n_periods > MAX_PERIODS) {
        tqo_diag_error(diag, "generate: the number of periods must be in [0, %d], got %d",
                       MAX_PERIODS, s->n_periods);
        return TQO_ERR_ARG;
    }
    if (s->granularity != TQO_PERIOD_YEAR && s->granularity != TQO_PERIOD_QUARTER &&
        s->granularity != TQO_PERIOD_MONTH) {
        tqo_diag_error(diag, "generate: the granularity must be yearly, quarterly or monthly");
        return TQO_ERR_ARG;
    }
    /* Period labels have four-digit years. */
    int k = (int)s->granularity;
    if (s->first_year < 1000 || s->first_year > 9999 ||
        (s->n_periods > 0 && (s->first_year * k + s->n_periods - 1) / k > 9999)) {
        tqo_diag_error(diag, "generate: the history must lie within the years 1000 to 9999 (first year %d)",
                       s->first_year);
        return TQO_ERR_ARG;
    }
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Towns and unit locations                                            */
/* ------------------------------------------------------------------ */

static const char *const syllables[] = {
    "al", "ber", "can", "dor", "el", "fen", "gar", "hal", "is", "jor", "kel", "lan",
    "mar", "nor", "os", "pen", "quin", "ros", "sal", "tor", "ul", "ven", "wick", "zan",
    "ash", "brook", "ford", "ham", "ley", "mont", "ton", "vil",
};
#define N_SYLLABLES ((int)(sizeof syllables / sizeof syllables[0]))

static void town_name(tqo_rng *r, char *buf, size_t size)
{
    int n = 2 + (tqo_rng_uniform(r) < 0.3);
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < n; k++) {
        const char *s = syllables[tqo_rng_int(r, N_SYLLABLES)];
        size_t l = strlen(s);
        if (len + l + 1 > size)
            break;
        memcpy(buf + len, s, l + 1);
        len += l;
    }
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
}

/*
 * The region is sized for a plausible density: about 16 km2 a unit on
 * average, which makes rural units tens of km2 and urban ones a few.
 * Towns get lognormal sizes (a few large cities, many small towns).
 */
static tqo_status place_units(const tqo_generate_settings *s, draft *d, town **towns_out,
                              int *n_towns_out, double *width, double *height)
{
    int n = s->n_units;
    double area = 16.0 * n;
    double w = sqrt(area * 1.4), h = area / w;
    int nt = (int)lround(pow(n, 0.55) / 2.0);
    if (nt < 1)
        nt = 1;

    town *towns = calloc((size_t)nt, sizeof *towns);
    double *cum = malloc((size_t)nt * sizeof *cum);
    if (!towns || !cum) {
        free(towns);
        free(cum);
        return TQO_ERR_NOMEM;
    }
    tqo_rng r;
    tqo_rng_init(&r, s->seed, KEY_TOWNS);
    double total = 0;
    for (int t = 0; t < nt; t++) {
        double size = exp(1.1 * tqo_rng_normal(&r));
        total += size;
        cum[t] = total;
        towns[t].cx = w * (0.05 + 0.9 * tqo_rng_uniform(&r));
        towns[t].cy = h * (0.05 + 0.9 * tqo_rng_uniform(&r));
        towns[t].wealth = exp(0.2 * tqo_rng_normal(&r));
        /* Names are drawn until unique among the towns so far (a few
           tries), so that "Name-12" identifies a unit. */
        for (int tries = 0;; tries++) {
            town_name(&r, towns[t].name, sizeof towns[t].name);
            int dup = 0;
            for (int u = 0; u < t && !dup; u++)
                dup = strcmp(towns[u].name, towns[t].name) == 0;
            if (!dup)
                break;
            if (tries == 8) {
                size_t l = strlen(towns[t].name);
                snprintf(towns[t].name + l, sizeof towns[t].name - l, "%d", t + 1);
                break;
            }
        }
    }
    /* Spreads from the expected unit count: a core unit covers ~2 km2,
       a suburban one ~8 km2 (spread as a 2-D normal, area ~ 2 pi sd^2). */
    double urban = 0.8 * n;
    for (int t = 0; t < nt; t++) {
        double units = urban * (cum[t] - (t ? cum[t - 1] : 0)) / total;
        towns[t].core_sd = sqrt(2.0 * 0.6 * units / (2 * PI)) + 0.5;
        towns[t].suburb_sd = 2.0 * towns[t].core_sd + sqrt(8.0 * 0.4 * units / (2 * PI)) + 1.0;
    }

    for (int i = 0; i < n; i++) {
        tqo_rng_init(&r, s->seed, unit_key(KEY_PLACE, i));
        double u = tqo_rng_uniform(&r);
        if (u < 0.2) {
            d->kind[i] = RURAL;
            d->town[i] = -1;
            d->x[i] = w * tqo_rng_uniform(&r);
            d->y[i] = h * tqo_rng_uniform(&r);
        } else {
            /* The town by its size: binary search in the cumulative sizes. */
            double v = tqo_rng_uniform(&r) * total;
            int lo = 0, hi = nt - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (cum[mid] < v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            const town *t = &towns[lo];
            int core = tqo_rng_uniform(&r) < 0.6;
            double sd = core ? t->core_sd : t->suburb_sd;
            d->kind[i] = core ? CORE : SUBURB;
            d->town[i] = lo;
            d->x[i] = t->cx + sd * tqo_rng_normal(&r);
            d->y[i] = t->cy + sd * tqo_rng_normal(&r);
        }
        /* Metre precision: what the CSV keeps, so a reload is exact. */
        d->x[i] = round_to(d->x[i], 1000.0);
        d->y[i] = round_to(d->y[i], 1000.0);
    }
    free(cum);
    *towns_out = towns;
    *n_towns_out = nt;
    *width = w;
    *height = h;
    return TQO_OK;
}

/* Index of (x, y) along a Hilbert curve over a 2^16 x 2^16 grid. */
static uint64_t hilbert(uint32_t x, uint32_t y)
{
    const uint32_t side = 1u << 16;
    uint64_t d = 0;
    for (uint32_t s = side / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) != 0, ry = (y & s) != 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = side - 1 - x;
                y = side - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

typedef struct keyed {
    uint64_t key;
    int i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/*
 * Renumbers the units along a Hilbert curve, as postal codes follow
 * geography: nearby units get nearby ids, which is what real data looks
 * like, and the sequence of units is a spatially coherent walk (used to
 * spread the home bases).
 */
static tqo_status hilbert_order(int n, draft *d)
{
    double minx = d->x[0], maxx = d->x[0], miny = d->y[0], maxy = d->y[0];
    for (int i = 1; i < n; i++) {
        minx = fmin(minx, d->x[i]);
        maxx = fmax(maxx, d->x[i]);
        miny = fmin(miny, d->y[i]);
        maxy = fmax(maxy, d->y[i]);
    }
    double span = fmax(maxx - minx, maxy - miny);
    double scale = span > 0 ? 65535.0 / span : 0.0;
    keyed *k = malloc((size_t)n * sizeof *k);
    draft t = {
        malloc((size_t)n * sizeof(double)), malloc((size_t)n * sizeof(double)),
        malloc((size_t)n), malloc((size_t)n * sizeof(int)),
    };
    if (!k || !t.x || !t.y || !t.kind || !t.town) {
        free(k);
        free(t.x);
        free(t.y);
        free(t.kind);
        free(t.town);
        return TQO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        k[i].key = hilbert((uint32_t)((d->x[i] - minx) * scale), (uint32_t)((d->y[i] - miny) * scale));
        k[i].i = i;
    }
    qsort(k, (size_t)n, sizeof *k, cmp_keyed);
    for (int j = 0; j < n; j++) {
        int i = k[j].i;
        t.x[j] = d->x[i];
        t.y[j] = d->y[i];
        t.kind[j] = d->kind[i];
        t.town[j] = d->town[i];
    }
    free(k);
    free(d->x);
    free(d->y);
    free(d->kind);
    free(d->town);
    *d = t;
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Measures and labels                                                 */
/* ------------------------------------------------------------------ */

static tqo_status add_measure(tqo_instance *inst, const char *name)
{
    int m = inst->n_measures;
    tqo_measure *ms = realloc(inst->measures, (size_t)(m + 1) * sizeof *ms);
    if (!ms)
        return TQO_ERR_NOMEM;
    inst->measures = ms;
    ms[m].name = dupstr(name);
    ms[m].value = calloc((size_t)inst->n_units, sizeof(double));
    inst->n_measures = m + 1;
    return ms[m].name && ms[m].value ? TQO_OK : TQO_ERR_NOMEM;
}

static tqo_status add_label(tqo_instance *inst, const char *name)
{
    int l = inst->n_labels;
    tqo_label *ls = realloc(inst->labels, (size_t)(l + 1) * sizeof *ls);
    if (!ls)
        return TQO_ERR_NOMEM;
    inst->labels = ls;
    ls[l].name = dupstr(name);
    ls[l].value = calloc((size_t)inst->n_units, sizeof(char *));
    inst->n_labels = l + 1;
    return ls[l].name && ls[l].value ? TQO_OK : TQO_ERR_NOMEM;
}

/*
 * potential: yearly sales potential, lognormal, higher in town cores and
 * in wealthy towns. accounts: customers, about one per 8,000 of potential.
 * workload: yearly hours, mostly per account, some per potential, with a
 * travel surcharge for rural units.
 */
static tqo_status make_measures(const tqo_generate_settings *s, tqo_instance *inst,
                                const draft *d, const town *towns)
{
    tqo_status st;
    if ((st = add_measure(inst, "potential")) != TQO_OK || (st = add_measure(inst, "accounts")) != TQO_OK ||
        (st = add_measure(inst, "workload")) != TQO_OK)
        return st;
    double *pot = inst->measures[0].value, *acc = inst->measures[1].value, *work = inst->measures[2].value;
    static const double median[3] = {45000.0, 120000.0, 90000.0}; /* rural, core, suburb */
    for (int i = 0; i < inst->n_units; i++) {
        tqo_rng r;
        tqo_rng_init(&r, s->seed, unit_key(KEY_MEASURES, i));
        double wealth = d->town[i] >= 0 ? towns[d->town[i]].wealth : 1.0;
        double p = median[d->kind[i]] * wealth * exp(0.6 * tqo_rng_normal(&r));
        double a = fmax(1.0, round(p / 8000.0 * exp(0.35 * tqo_rng_normal(&r))));
        double wl = (5.0 * a * exp(0.3 * tqo_rng_normal(&r)) + p / 5000.0) *
                    (d->kind[i] == RURAL ? 1.25 : 1.0);
        pot[i] = round_to(p, 100.0);
        acc[i] = a;
        work[i] = round_to(wl, 10.0);
    }
    return TQO_OK;
}

static const char *const sectors4[4] = {"East", "North", "West", "South"};
static const char *const sectors8[8] = {"East", "North-East", "North", "North-West",
                                        "West", "South-West", "South", "South-East"};

/* Unit ids, names ("Town-12", "Rural 7") and regions (compass sectors
   around the middle of the map: 4 of them, 8 for larger plans). */
static tqo_status make_labels(const tqo_generate_settings *s, tqo_instance *inst, const draft *d,
                              const town *towns, int n_towns, double width, double height)
{
    int n = inst->n_units;
    tqo_status st;
    if ((st = add_label(inst, "name")) != TQO_OK || (st = add_label(inst, "region")) != TQO_OK)
        return st;
    inst->unit_id = calloc((size_t)n, sizeof(char *));
    int *count = calloc((size_t)n_towns, sizeof *count);
    if (!inst->unit_id || !count) {
        free(count);
        return TQO_ERR_NOMEM;
    }
    int width_id = digits(n);
    int n_sectors = s->n_territories >= 40 ? 8 : 4;
    const char *const *sector = n_sectors == 8 ? sectors8 : sectors4;
    int rural = 0;
    char buf[64];
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%0*d", width_id, i + 1);
        inst->unit_id[i] = dupstr(buf);
        if (d->town[i] >= 0)
            snprintf(buf, sizeof buf, "%s-%d", towns[d->town[i]].name, ++count[d->town[i]]);
        else
            snprintf(buf, sizeof buf, "Rural %d", ++rural);
        inst->labels[0].value[i] = dupstr(buf);
        double a = atan2(d->y[i] - height / 2, d->x[i] - width / 2);
        int k = (int)floor(a / (2 * PI) * n_sectors + 0.5);
        k = ((k % n_sectors) + n_sectors) % n_sectors;
        inst->labels[1].value[i] = dupstr(sector[k]);
        if (!inst->unit_id[i] || !inst->labels[0].value[i] || !inst->labels[1].value[i]) {
            free(count);
            return TQO_ERR_NOMEM;
        }
    }
    free(count);
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* Home bases and the current plan                                     */
/* ------------------------------------------------------------------ */

/*
 * Home bases by systematic sampling along the Hilbert order, weighted by
 * potential: P equally spaced marks on the cumulative potential, each
 * taking the unit where it falls. Reps then sit where the business is,
 * spread over the map (the curve is spatially coherent), in O(n) for any
 * number of territories. Marks falling on the same unit move to the next.
 */
static void choose_homes(const tqo_generate_settings *s, const double *pot, int n, int p, int *home)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += pot[i];
    tqo_rng r;
    tqo_rng_init(&r, s->seed, KEY_HOMES);
    double offset = tqo_rng_uniform(&r);
    double step = total / p, cum = 0;
    int i = 0, last = -1;
    for (int t = 0; t < p; t++) {
        double mark = (t + offset) * step;
        while (i < n - 1 && cum + pot[i] < mark)
            cum += pot[i++];
        int pick = i > last ? i : last + 1;
        if (pick > n - p + t) /* leave a unit for each remaining mark */
            pick = n - p + t;
        home[t] = pick;
        last = pick;
    }
}

/* Homes bucketed in a uniform grid for nearest-home queries. */
typedef struct home_grid {
    double minx, miny, cs;
    int gw, gh;
    int *start;  /* gw*gh + 1 */
    int *item;   /* territory indices */
} home_grid;

static int grid_cell(const home_grid *g, double v, double min, int dim)
{
    int c = (int)((v - min) / g->cs);
    return c < 0 ? 0 : c >= dim ? dim - 1 : c;
}

static tqo_status grid_build(home_grid *g, const double *x, const double *y, int n,
                             const double *hx, const double *hy, int p)
{
    double minx = x[0], maxx = x[0], miny = y[0], maxy = y[0];
    for (int i = 1; i < n; i++) {
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    double w = maxx - minx, h = maxy - miny;
    /* About four cells a home: homes cluster in towns, and a finer grid
       keeps the homes looked at per query few. */
    double cs = sqrt(fmax(w * h, 1e-12) / (4.0 * p));
    cs = fmax(cs, sqrt(w * h / 16e6));  /* at most ~16M cells */
    cs = fmax(cs, fmax(w, h) / 4096.0); /* thin maps: bound the cell count */
    if (!(cs > 0))
        cs = 1.0;
    g->minx = minx;
    g->miny = miny;
    g->cs = cs;
    g->gw = (int)(w / cs) + 1;
    g->gh = (int)(h / cs) + 1;
    size_t cells = (size_t)g->gw * (size_t)g->gh;
    g->start = calloc(cells + 1, sizeof *g->start);
    g->item = malloc((size_t)p * sizeof *g->item);
    if (!g->start || !g->item)
        return TQO_ERR_NOMEM;
    for (int t = 0; t < p; t++) {
        size_t c = (size_t)grid_cell(g, hy[t], miny, g->gh) * g->gw + grid_cell(g, hx[t], minx, g->gw);
        g->start[c + 1]++;
    }
    for (size_t c = 0; c < cells; c++)
        g->start[c + 1] += g->start[c];
    int *fill = malloc(cells * sizeof *fill);
    if (!fill)
        return TQO_ERR_NOMEM;
    memcpy(fill, g->start, cells * sizeof *fill);
    for (int t = 0; t < p; t++) {
        size_t c = (size_t)grid_cell(g, hy[t], miny, g->gh) * g->gw + grid_cell(g, hx[t], minx, g->gw);
        g->item[fill[c]++] = t;
    }
    free(fill);
    return TQO_OK;
}

static void grid_free(home_grid *g)
{
    free(g->start);
    free(g->item);
}

/*
 * The k homes nearest to q (fewer when there are fewer), by squared
 * distance and then index, into cand/cd2; skips territory `skip` (or -1).
 * Rings of cells are searched outward until no farther cell can hold a
 * nearer home. Returns how many were found.
 */
static int grid_knn(const home_grid *g, const double *hx, const double *hy, double qx, double qy,
                    int skip, int k, int *cand, double *cd2)
{
    int cx = grid_cell(g, qx, g->minx, g->gw), cy = grid_cell(g, qy, g->miny, g->gh);
    int found = 0;
    int rmax = g->gw > g->gh ? g->gw : g->gh;
    for (int r = 0; r <= rmax; r++) {
        for (int gy = cy - r; gy <= cy + r; gy++) {
            if (gy < 0 || gy >= g->gh)
                continue;
            int edge = gy == cy - r || gy == cy + r;
            for (int gx = cx - r; gx <= cx + r; gx += edge ? 1 : 2 * r) {
                if (gx >= 0 && gx < g->gw) {
                    size_t c = (size_t)gy * g->gw + gx;
                    for (int e = g->start[c]; e < g->start[c + 1]; e++) {
                        int t = g->item[e];
                        if (t == skip)
                            continue;
                        double dx = qx - hx[t], dy = qy - hy[t], d2 = dx * dx + dy * dy;
                        if (found == k && (d2 > cd2[k - 1] || (d2 == cd2[k - 1] && t > cand[k - 1])))
                            continue;
                        /* Insertion into the short sorted list. */
                        int j = found < k ? found++ : k - 1;
                        while (j > 0 && (cd2[j - 1] > d2 || (cd2[j - 1] == d2 && cand[j - 1] > t))) {
                            cd2[j] = cd2[j - 1];
                            cand[j] = cand[j - 1];
                            j--;
                        }
                        cd2[j] = d2;
                        cand[j] = t;
                    }
                }
                if (r == 0)
                    break;
            }
        }
        /* Cells beyond ring r are at least r cells away from q. */
        double lb = r * g->cs;
        if (found == k && cd2[k - 1] <= lb * lb)
            break;
    }
    return found;
}

#define PLAN_CANDIDATES 8
#define PLAN_ROUNDS 20

/*
 * The current plan: each unit to its nearest home, then rounds of
 * power-diagram balancing on workload (a territory's weight w grows when
 * it is light, shrinks when heavy; a unit goes to the home minimizing
 * d^2 - w among its few nearest), which keeps territories compact and
 * mostly contiguous while taking the worst imbalance out, as a planner
 * would. Each round is O(n) whatever the weights.
 */
static tqo_status make_plan(tqo_instance *inst, const draft *d, const int *home, int p, double imbalance)
{
    int n = inst->n_units;
    int k = p < PLAN_CANDIDATES ? p : PLAN_CANDIDATES;
    const double *work = inst->measures[2].value;
    double *hx = malloc((size_t)p * sizeof *hx), *hy = malloc((size_t)p * sizeof *hy);
    double *wt = calloc((size_t)p, sizeof *wt), *spacing2 = malloc((size_t)p * sizeof *spacing2);
    double *load = malloc((size_t)p * sizeof *load);
    int *cand = malloc((size_t)n * k * sizeof *cand);
    float *cd2 = malloc((size_t)n * k * sizeof *cd2);
    int *ncand = malloc((size_t)n * sizeof *ncand);
    home_grid g = {0};
    tqo_status st = TQO_ERR_NOMEM;
    if (!hx || !hy || !wt || !spacing2 || !load || !cand || !cd2 || !ncand)
        goto done;
    for (int t = 0; t < p; t++) {
        hx[t] = d->x[home[t]];
        hy[t] = d->y[home[t]];
    }
    if ((st = grid_build(&g, d->x, d->y, n, hx, hy, p)) != TQO_OK)
        goto done;

    int ci[PLAN_CANDIDATES];
    double cd[PLAN_CANDIDATES];
    for (int i = 0; i < n; i++) {
        ncand[i] = grid_knn(&g, hx, hy, d->x[i], d->y[i], -1, k, ci, cd);
        for (int j = 0; j < ncand[i]; j++) {
            cand[(size_t)i * k + j] = ci[j];
            cd2[(size_t)i * k + j] = (float)cd[j];
        }
    }
    /* The squared distance to the nearest other home sets the scale of
       each territory's weight steps: town territories are small. */
    for (int t = 0; t < p; t++) {
        int found = p > 1 ? grid_knn(&g, hx, hy, hx[t], hy[t], t, 1, ci, cd) : 0;
        spacing2[t] = found ? fmax(cd[0], 1e-6) : 1.0;
    }

    double total = 0;
    for (int i = 0; i < n; i++)
        total += work[i];
    double target = total / p;
    /* With a target imbalance, rounds go on (up to a cap) until the
       largest deviation from the mean workload is within it. */
    const int rounds = p > 1 ? (imbalance > 0 ? 40 * PLAN_ROUNDS : PLAN_ROUNDS) : 0;
    for (int round = 0; round <= rounds; round++) {
        for (int t = 0; t < p; t++)
            load[t] = 0;
        for (int i = 0; i < n; i++) {
            const int *c = cand + (size_t)i * k;
            const float *c2 = cd2 + (size_t)i * k;
            int best = c[0];
            double bv = c2[0] - wt[c[0]];
            for (int j = 1; j < ncand[i]; j++) {
                double v = c2[j] - wt[c[j]];
                if (v < bv || (v == bv && c[j] < best)) {
                    bv = v;
                    best = c[j];
                }
            }
            inst->current[i] = best;
            load[best] += work[i];
        }
        if (round == rounds)
            break;
        if (imbalance > 0) {
            double worst = 0;
            for (int t = 0; t < p; t++)
                worst = fmax(worst, fabs(load[t] / target - 1) * 100);
            if (worst <= imbalance)
                break;
        }
        for (int t = 0; t < p; t++) {
            double ratio = load[t] > 0 ? load[t] / target : 0.1;
            double step = -log(ratio);
            step = step < -0.5 ? -0.5 : step > 0.5 ? 0.5 : step;
            wt[t] += 0.2 * spacing2[t] * step;
        }
    }
    /* Every rep's home unit is in the rep's own territory. */
    for (int t = 0; t < p; t++)
        inst->current[home[t]] = t;
    st = TQO_OK;
done:
    grid_free(&g);
    free(hx);
    free(hy);
    free(wt);
    free(spacing2);
    free(load);
    free(cand);
    free(cd2);
    free(ncand);
    return st;
}

static const char *const first_names[] = {
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ida", "Jonas",
    "Katja", "Lukas", "Marta", "Nico", "Olga", "Paul", "Rosa", "Simon", "Tina", "Victor",
    "Wanda", "Yusuf", "Zoe", "Marco", "Sofia", "Omar", "Lea", "Tomas",
};
static const char *const last_names[] = {
    "Adler", "Bauer", "Costa", "Dietz", "Esposito", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jensen", "Keller", "Lang", "Moretti", "Novak", "Olsen", "Peters", "Rossi", "Schmid",
    "Torres", "Urban", "Vogel", "Weber", "Young", "Zimmer", "Ricci", "Nowak", "Brandt", "Silva",
};

static tqo_status make_territories(const tqo_generate_settings *s, tqo_instance *inst, const int *home)
{
    int p = s->n_territories;
    inst->n_territories = p;
    inst->has_territories_file = 1;
    inst->territory_id = calloc((size_t)p, sizeof(char *));
    inst->region = calloc((size_t)p, sizeof(char *));
    inst->rep = calloc((size_t)p, sizeof(char *));
    inst->home_x = malloc((size_t)p * sizeof(double));
    inst->home_y = malloc((size_t)p * sizeof(double));
    inst->capacity = malloc((size_t)p * sizeof(double));
    inst->ramp = malloc((size_t)p * sizeof(double));
    if (!inst->territory_id || !inst->region || !inst->rep || !inst->home_x || !inst->home_y ||
        !inst->capacity || !inst->ramp)
        return TQO_ERR_NOMEM;
    int width = digits(p) > 3 ? digits(p) : 3;
    int n_first = (int)(sizeof first_names / sizeof first_names[0]);
    int n_last = (int)(sizeof last_names / sizeof last_names[0]);
    char buf[64];
    for (int t = 0; t < p; t++) {
        tqo_rng r;
        tqo_rng_init(&r, s->seed, unit_key(KEY_REPS, t));
        snprintf(buf, sizeof buf, "T%0*d", width, t + 1);
        inst->territory_id[t] = dupstr(buf);
        snprintf(buf, sizeof buf, "%s %s", first_names[tqo_rng_int(&r, n_first)],
                 last_names[tqo_rng_int(&r, n_last)]);
        inst->rep[t] = dupstr(buf);
        inst->region[t] = dupstr(inst->labels[1].value[home[t]]);
        if (!inst->territory_id[t] || !inst->rep[t] || !inst->region[t])
            return TQO_ERR_NOMEM;
        inst->home_x[t] = inst->x[home[t]];
        inst->home_y[t] = inst->y[home[t]];
        inst->capacity[t] = 1.0;
        inst->ramp[t] = 1.0;
    }
    inst->n_homes = p;
    return TQO_OK;
}

/* ------------------------------------------------------------------ */
/* History                                                             */
/* ------------------------------------------------------------------ */

/*
 * Sales per unit and period: a share of the potential that varies by
 * unit, a per-unit yearly trend on top of a common market path, the
 * season of the period, and lognormal noise that is larger for small
 * units; small units also have periods without any sale. Cents, so the
 * values survive being written and read back.
 */
static tqo_status make_history(const tqo_generate_settings *s, tqo_instance *inst)
{
    int n = inst->n_units, np = s->n_periods, k = (int)s->granularity;
    inst->period_kind = s->granularity;
    inst->period_first = s->first_year * k;
    inst->n_periods = np;
    if (np == 0)
        return TQO_OK;
    inst->history_value_name = calloc(1, sizeof(char *));
    inst->history = calloc(1, sizeof(double *));
    if (!inst->history_value_name || !inst->history)
        return TQO_ERR_NOMEM;
    inst->n_history_values = 1;
    inst->history_value_name[0] = dupstr("sales");
    double *sales = inst->history[0] = malloc((size_t)n * (size_t)np * sizeof(double));
    int n_years = (np + k - 1) / k + 1;
    double *season = malloc((size_t)k * sizeof *season), *market = malloc((size_t)n_years * sizeof *market);
    if (!inst->history_value_name[0] || !sales || !season || !market) {
        free(season);
        free(market);
        return TQO_ERR_NOMEM;
    }

    tqo_rng r;
    tqo_rng_init(&r, s->seed, KEY_SEASON);
    /* Peak at the year end, a dip in summer, and a little randomness;
       scaled to a mean of 1 so the season moves sales, not their level. */
    double mean = 0;
    for (int q = 0; q < k; q++) {
        double phase = 2 * PI * ((q + 0.5) / k - 11.5 / 12.0);
        season[q] = k == 1 ? 1.0 : (1.0 + 0.12 * cos(phase)) * exp(0.03 * tqo_rng_normal(&r));
        mean += season[q];
    }
    for (int q = 0; q < k; q++)
        season[q] /= mean / k;
    market[0] = 1.0;
    for (int y = 1; y < n_years; y++)
        market[y] = market[y - 1] * (1.0 + 0.02 + 0.03 * tqo_rng_normal(&r));

    const double *pot = inst->measures[0].value, *acc = inst->measures[1].value;
    long rows = 0;
    for (int i = 0; i < n; i++) {
        tqo_rng_init(&r, s->seed, unit_key(KEY_HISTORY, i));
        double share = fmin(0.95, 0.35 * exp(0.35 * tqo_rng_normal(&r)));
        double trend = 0.01 + 0.04 * tqo_rng_normal(&r);
        trend = trend < -0.25 ? -0.25 : trend > 0.3 ? 0.3 : trend;
        double sd = 0.15 + 0.3 / sqrt(acc[i]);
        double p_zero = fmin(0.8, 0.3 / acc[i] * sqrt(k / 4.0));
        double base = pot[i] * share / k;
        double *row = sales + (size_t)i * np;
        for (int t = 0; t < np; t++) {
            double noise = exp(sd * tqo_rng_normal(&r) - sd * sd / 2);
            double zero = tqo_rng_uniform(&r);
            int ord = inst->period_first + t;
            double years = (double)t / k;
            double v = base * pow(1.0 + trend, years) * market[t / k] * season[ord % k] * noise;
            if (s->flat_history)
                row[t] = fmax(1.0, round(base)); /* whole amounts: sums stay exact */
            else
                row[t] = zero < p_zero ? 0.0 : round_to(v, 100.0);
            rows += row[t] != 0.0;
        }
    }
    inst->n_history_rows = rows;
    free(season);
    free(market);
    return TQO_OK;
}

/* ------------------------------------------------------------------ */

/* Planar km to degrees around (GEO_LAT0, GEO_LON0), equirectangular, the
   map squeezed if it would reach too far north or south. */
static void to_geo(tqo_instance *inst, const draft *d, double width, double height)
{
    double half = height / 2, squeeze = half > 3000.0 ? 3000.0 / half : 1.0;
    double kx = KM_PER_DEGREE * cos(GEO_LAT0 * PI / 180.0);
    for (int i = 0; i < inst->n_units; i++) {
        inst->x[i] = round_to(GEO_LON0 + squeeze * (d->x[i] - width / 2) / kx, 1e6);
        inst->y[i] = round_to(GEO_LAT0 + squeeze * (d->y[i] - height / 2) / KM_PER_DEGREE, 1e6);
    }
}

tqo_status tqo_generate(const tqo_generate_settings *s, tqo_instance **out, tqo_diag *diag)
{
    *out = NULL;
    tqo_status st = validate(s, diag);
    if (st != TQO_OK)
        return st;
    int n = s->n_units, p = s->n_territories;

    tqo_instance *inst = calloc(1, sizeof *inst);
    draft d = {
        malloc((size_t)n * sizeof(double)), malloc((size_t)n * sizeof(double)),
        malloc((size_t)n), malloc((size_t)n * sizeof(int)),
    };
    int *home = malloc((size_t)p * sizeof *home);
    town *towns = NULL;
    int n_towns = 0;
    double width = 0, height = 0;
    st = TQO_ERR_NOMEM;
    if (!inst || !d.x || !d.y || !d.kind || !d.town || !home)
        goto fail;
    inst->n_units = n;
    inst->source = dupstr("generated");
    inst->x = malloc((size_t)n * sizeof(double));
    inst->y = malloc((size_t)n * sizeof(double));
    inst->current = malloc((size_t)n * sizeof(int));
    if (!inst->source || !inst->x || !inst->y || !inst->current)
        goto fail;

    logf_(s, "generate: placing %d units", n);
    if ((st = place_units(s, &d, &towns, &n_towns, &width, &height)) != TQO_OK ||
        (st = hilbert_order(n, &d)) != TQO_OK)
        goto fail;
    if (s->geo) {
        inst->coords = TQO_COORDS_LATLON;
        to_geo(inst, &d, width, height);
    } else {
        inst->coords = TQO_COORDS_XY;
        memcpy(inst->x, d.x, (size_t)n * sizeof(double));
        memcpy(inst->y, d.y, (size_t)n * sizeof(double));
    }
    if ((st = make_measures(s, inst, &d, towns)) != TQO_OK ||
        (st = make_labels(s, inst, &d, towns, n_towns, width, height)) != TQO_OK)
        goto fail;

    logf_(s, "generate: Delaunay adjacency");
    st = tqo_delaunay(n, inst->x, inst->y, inst->coords, &inst->n_edges, &inst->edge_u, &inst->edge_v, diag);
    if (st != TQO_OK)
        goto fail;
    inst->has_adjacency = 1;
    inst->adjacency_source = dupstr("delaunay");
    if (!inst->adjacency_source || (st = tqo_instance_build_graph(inst)) != TQO_OK) {
        st = TQO_ERR_NOMEM;
        goto fail;
    }

    if (s->boundaries) {
        logf_(s, "generate: Voronoi cells as unit polygons");
        if ((st = tqoi_gis_voronoi_cells(inst, diag)) != TQO_OK)
            goto fail;
    }

    logf_(s, "generate: %d territories and the current plan", p);
    choose_homes(s, inst->measures[0].value, n, p, home);
    if ((st = make_plan(inst, &d, home, p, s->plan_imbalance_pct)) != TQO_OK || (st = make_territories(s, inst, home)) != TQO_OK)
        goto fail;

    logf_(s, "generate: %d periods of history", s->n_periods);
    if ((st = make_history(s, inst)) != TQO_OK)
        goto fail;

    free(d.x);
    free(d.y);
    free(d.kind);
    free(d.town);
    free(towns);
    free(home);
    *out = inst;
    return TQO_OK;

fail:
    if (st == TQO_ERR_NOMEM)
        tqo_diag_error(diag, "generate: out of memory for %d units", n);
    free(d.x);
    free(d.y);
    free(d.kind);
    free(d.town);
    free(towns);
    free(home);
    tqo_instance_free(inst);
    return st;
}
