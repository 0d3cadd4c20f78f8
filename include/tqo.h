/*
 * tqo - territory and quota optimization.
 *
 * Public API of the tqo library. The instance model (tqo_instance) is loaded
 * from a folder of CSV files, or generated, and flows through the pipeline
 * steps. Every step takes a settings struct, fills a result, and returns a
 * tqo_status; messages meant for a person are collected in a tqo_diag.
 * The library never prints and never exits: callers pass a log callback.
 */
#ifndef TQO_H
#define TQO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TQO_VERSION, generated from project() in CMakeLists.txt. */
#include "tqo_version.h"

/* The library is built with -fvisibility=hidden: only what is declared
 * here is exported from libtqo.so. */
#pragma GCC visibility push(default)

/* ------------------------------------------------------------------ */
/* Status codes and diagnostics                                        */
/* ------------------------------------------------------------------ */

typedef enum tqo_status {
    TQO_OK = 0,
    TQO_ERR_INPUT = 1,      /* malformed or inconsistent input data */
    TQO_ERR_IO = 2,         /* a file could not be read or written */
    TQO_ERR_ARG = 3,        /* an invalid argument or setting */
    TQO_ERR_NOMEM = 4,      /* out of memory */
    TQO_ERR_INFEASIBLE = 5, /* the model has no solution */
    TQO_ERR_SOLVER = 6,     /* the LP/MIP solver failed */
    TQO_ERR_LIMIT = 7       /* a time or iteration limit was reached */
} tqo_status;

/* A short English name of a status ("input error", ...). */
const char *tqo_status_string(tqo_status st);

/* How many error messages of one file are kept before only counting. */
#define TQO_DIAG_KEEP_PER_FILE 10

/*
 * Messages for a person, collected by the library. Errors beyond
 * TQO_DIAG_KEEP_PER_FILE in one file are counted, not kept; a closing
 * "N errors in all" line is added for such files.
 */
typedef struct tqo_diag {
    int n_errors;      /* errors found, including those not kept */
    int n_warnings;
    int n_msgs;        /* messages kept, errors and warnings in order */
    int cap;
    char **msgs;       /* each "error: ..." or "warning: ..." free of newline */
    int *is_error;     /* 1 for an error, 0 for a warning */
} tqo_diag;

void tqo_diag_init(tqo_diag *d);
void tqo_diag_free(tqo_diag *d);
/* printf-style; the message should not end in a newline. */
void tqo_diag_error(tqo_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void tqo_diag_warning(tqo_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The first error message kept, or NULL. */
const char *tqo_diag_first_error(const tqo_diag *d);

typedef enum tqo_log_level {
    TQO_LOG_ERROR = 0,
    TQO_LOG_WARNING = 1,
    TQO_LOG_INFO = 2,
    TQO_LOG_DEBUG = 3
} tqo_log_level;

/* Progress and information from long steps; msg has no trailing newline. */
typedef void (*tqo_log_fn)(void *ctx, tqo_log_level level, const char *msg);

/* printf-style call of fn (nothing when fn is NULL); at most 511 bytes. */
void tqo_log_printf(tqo_log_fn fn, void *ctx, tqo_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ------------------------------------------------------------------ */
/* Periods                                                             */
/* ------------------------------------------------------------------ */

typedef enum tqo_period_kind {
    TQO_PERIOD_NONE = 0,
    TQO_PERIOD_YEAR = 1,    /* "2017" */
    TQO_PERIOD_QUARTER = 4, /* "2017Q3" */
    TQO_PERIOD_MONTH = 12   /* "2017-09" */
} tqo_period_kind;

/*
 * Parses a period label. On success sets *kind and *ordinal and returns 1:
 * the ordinal counts periods from year 0 (year, year*4+q-1, year*12+m-1), so
 * consecutive periods have consecutive ordinals. Returns 0 if malformed.
 */
int tqo_period_parse(const char *s, tqo_period_kind *kind, int *ordinal);
/* Writes the label of a period into buf (at least 16 bytes). */
void tqo_period_format(tqo_period_kind kind, int ordinal, char *buf, size_t size);
/* The calendar year of a period ordinal. */
int tqo_period_year(tqo_period_kind kind, int ordinal);
const char *tqo_period_kind_name(tqo_period_kind kind); /* "yearly", ... */

/* ------------------------------------------------------------------ */
/* The instance model                                                  */
/* ------------------------------------------------------------------ */

typedef enum tqo_coords {
    TQO_COORDS_NONE = 0,
    TQO_COORDS_XY = 1,     /* planar, km, Euclidean distance */
    TQO_COORDS_LATLON = 2  /* WGS84 degrees, great-circle distance */
} tqo_coords;

/* Mean Earth radius (IUGG) used for great-circle distances, km. */
#define TQO_EARTH_RADIUS_KM 6371.0088

/* A numeric column of units.csv: non-negative and finite. */
typedef struct tqo_measure {
    char *name;     /* header as written in the file */
    double *value;  /* one per unit */
} tqo_measure;

/* A text column of units.csv (or territories.csv), kept as written. */
typedef struct tqo_label {
    char *name;
    char **value;   /* one per unit (or territory) */
} tqo_label;

typedef enum tqo_format {
    TQO_FORMAT_AUTO = 0,    /* a folder is tqo CSV; a file is commdis */
    TQO_FORMAT_TQO = 1,
    TQO_FORMAT_COMMDIS = 2,
    TQO_FORMAT_GIS = 3      /* one vector file read with GDAL/OGR: FILE[:LAYER] */
} tqo_format;

/* Each unit's polygon (WGS84), owned by the instance; opaque here so that
   the header needs neither GDAL nor GEOS. */
typedef struct tqo_geometry tqo_geometry;

typedef struct tqo_instance {
    char *source;           /* folder or file it was loaded from, or "generated" */

    /* Units (units.csv). */
    int n_units;
    char **unit_id;         /* unique strings; leading zeros kept */
    tqo_coords coords;
    double *x;              /* XY: x in km; LATLON: longitude in degrees */
    double *y;              /* XY: y in km; LATLON: latitude in degrees */
    int n_measures;
    tqo_measure *measures;
    int n_labels;
    tqo_label *labels;
    int *current;           /* territory index per unit (-1: none), or NULL */

    /* Territories: territories.csv, else the distinct 'current' values
       and lock targets in order of first appearance. */
    int n_territories;
    int has_territories_file;
    char **territory_id;
    double *home_x, *home_y;  /* home base per territory, NAN where none */
    int n_homes;              /* territories with a home base */
    double *capacity;         /* relative share, default 1 */
    double *ramp;             /* 0..1, default 1 */
    char **region;            /* NULL array when absent */
    char **rep;               /* NULL array when absent */
    int n_territory_labels;   /* other columns of territories.csv */
    tqo_label *territory_labels;

    /* Adjacency: undirected pairs u < v, sorted, without duplicates,
       and the same graph in compressed rows (adj_start has n_units+1). */
    int has_adjacency;
    char *adjacency_source;   /* path, "delaunay", or NULL */
    int n_edges;
    int *edge_u, *edge_v;
    int *adj_start, *adj;

    /* Locks: territory index per unit or -1; NULL when there are none. */
    int *lock;
    int n_locks;

    /* History: dense over [period_first, period_first + n_periods). */
    tqo_period_kind period_kind;
    int period_first;
    int n_periods;
    long n_history_rows;
    int n_history_values;
    char **history_value_name;
    double **history;         /* [value][unit * n_periods + period] */

    /* Formats that carry the problem with the data (commdis): territories
       to draw (0: none given) and each measure's balance tolerance in
       percent (NULL, or NAN for a measure without one). tqo align uses
       them when the command line does not say otherwise. */
    tqo_format format;
    int default_k;
    double *default_tol_pct;

    /* Unit polygons from a GIS file or boundaries.geojson, or NULL. */
    tqo_geometry *geometry;
} tqo_instance;


typedef struct tqo_load_settings {
    tqo_format format;
    const char *adjacency;  /* NULL: the instance's adjacency.csv if any;
                               a path; "none"; "delaunay"; or "rook" /
                               "queen" (shared border / any shared point
                               of the unit polygons) */
    const char *id_field;   /* GIS: the id attribute (NULL: "unit_id") */
    const char *boundaries; /* polygons joined to units.csv on the id (NULL:
                               the folder's boundaries.geojson if any) */
    const char *assume_crs; /* CRS of a GIS file that declares none */
    double snap_m;          /* rook/queen: borders this close (metres) meet */
    int threads;            /* threads that read a large history.csv in
                               parts (0: all cores OpenMP sees); the
                               instance is the same for any number */
    tqo_log_fn log;
    void *log_ctx;
} tqo_load_settings;

void tqo_load_settings_default(tqo_load_settings *s);

/*
 * Loads an instance: a folder of CSV files (TQO_FORMAT_TQO), or one file
 * of the academic districting format (TQO_FORMAT_COMMDIS: n, then n lines
 * "id x y a1 a2 a3", m, m lines "u v", and "p <unused> tau1 tau2 tau3").
 * TQO_FORMAT_AUTO takes a folder as tqo CSV and a file as commdis. On any
 * error returns non-OK, sets *out to NULL and leaves messages
 * ("units.csv:412: column 'population': 'abc' is not a number") in diag.
 */
tqo_status tqo_instance_load(const char *path, const tqo_load_settings *s,
                             tqo_instance **out, tqo_diag *diag);

void tqo_instance_free(tqo_instance *inst);
/* "tqo", "commdis"; parse: 1 on success (also "auto"). */
const char *tqo_format_name(tqo_format f);
int tqo_format_parse(const char *s, tqo_format *f);
/* Writes inst as one commdis file: its first three measures (zeros where
   it has fewer) as a1..a3, its adjacency as the edges, then p and the
   tolerances (fractions). Planar (x,y) coordinates only. */
tqo_status tqo_instance_write_commdis(const tqo_instance *inst, const char *path, int p, const double tau[3],
                                      tqo_diag *diag);

/* Index of a measure by name (case-insensitive), or -1. */
int tqo_instance_measure(const tqo_instance *inst, const char *name);
/* Index of a label column by name (case-insensitive), or -1. */
int tqo_instance_label(const tqo_instance *inst, const char *name);
/* Index of a unit or territory by id, or -1 (linear scan: for tests/CLI). */
int tqo_instance_unit(const tqo_instance *inst, const char *id);
int tqo_instance_territory(const tqo_instance *inst, const char *id);

/*
 * Lays a plan over a loaded instance (tqo serve's edits, plan.ini's
 * [input] current and locks). ids names the plan's n_terr territories:
 * an instance without territories takes them (sorted by id, no home bases,
 * capacity 1), else each must be one of the instance's. current (NULL:
 * unchanged) and lock (NULL: unchanged; else it replaces the instance's
 * locks) give per unit an index into ids or -1. TQO_ERR_ARG with a message
 * in diag for an unknown or repeated territory; the instance may then be
 * partly changed and should be freed.
 */
tqo_status tqo_instance_set_plan(tqo_instance *inst, int n_terr, const char *const *ids, const int *current,
                                 const int *lock, tqo_diag *diag);
/*
 * The same from files: current_path in assignment.csv's layout
 * (unit_id,territory_id,share: each unit's largest share is its current
 * territory), locks_path in locks.csv's (unit_id,territory_id); either may
 * be NULL, not both. Errors name the file, line and column.
 */
tqo_status tqo_instance_read_plan(tqo_instance *inst, const char *current_path, const char *locks_path,
                                  tqo_diag *diag);

/* Releases what the library keeps per thread (GLPK's environment): call it
   at the end of a thread, other than the main one, that called the solver. */
void tqo_thread_end(void);

/* Builds adj_start/adj from edge_u/edge_v (called by the loader). */
tqo_status tqo_instance_build_graph(tqo_instance *inst);

/* Distance in km between two points in the instance's coordinates. */
double tqo_distance(tqo_coords c, double x1, double y1, double x2, double y2);

/*
 * Writes the instance as a folder of CSV files in tqo's format (units.csv,
 * and territories.csv, adjacency.csv, locks.csv, history.csv where there
 * is data for them). Each file goes to a temporary name first, and all are
 * renamed only when every one was written.
 */
tqo_status tqo_instance_write(const tqo_instance *inst, const char *dir, tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* Instance statistics (what `tqo validate` shows)                     */
/* ------------------------------------------------------------------ */

typedef struct tqo_measure_stats {
    double total, min, max, mean;
    int zeros;
} tqo_measure_stats;

typedef struct tqo_instance_stats {
    int n_units, n_territories, n_measures, n_labels;
    tqo_measure_stats *measures;     /* one per measure */
    double bbox_min_x, bbox_max_x, bbox_min_y, bbox_max_y;
    int n_edges;
    int n_components;                /* of the unit graph, isolated units count */
    int largest_component;
    int n_isolated;
    int n_locks;
    int n_current_territories;       /* distinct territories in 'current' */
    int n_units_without_current;
    int n_periods;
    char first_period[16], last_period[16];
    long n_history_rows;
    double *history_totals;          /* per history value column */
} tqo_instance_stats;

tqo_status tqo_instance_stats_compute(const tqo_instance *inst, tqo_instance_stats *st);
void tqo_instance_stats_free(tqo_instance_stats *st);

/*
 * Writes validation.json (what `tqo validate -o DIR` writes) to fp: the
 * instance's source, units, coordinates and bounding box, each measure's
 * total/min/mean/max/zeros, labels, territories, adjacency components,
 * locks and history totals, from st (tqo_instance_stats_compute on inst).
 * Numbers in the shortest form that reads back the same; ends in a
 * newline. Writes nothing else; fp stays open and owned by the caller.
 * TQO_ERR_ARG when an argument is NULL, TQO_ERR_IO when fp reports an
 * error.
 */
tqo_status tqo_instance_stats_write_json(FILE *fp, const tqo_instance *inst, const tqo_instance_stats *st);

/*
 * Connected components of the unit graph: comp[i] in [0, n_comp), numbered
 * in order of their smallest unit index. Returns the number of components,
 * or -1 when out of memory. Without adjacency every unit is its own one.
 */
int tqo_graph_components(const tqo_instance *inst, int *comp);

/* ------------------------------------------------------------------ */
/* Delaunay neighbours (qhull)                                         */
/* ------------------------------------------------------------------ */

/*
 * Neighbour pairs of the Delaunay triangulation of n points (lat/lon is
 * projected locally first). Coincident points are joined to their twin, so
 * the graph is connected whenever n > 1. Returns pairs u < v, sorted.
 */
tqo_status tqo_delaunay(int n, const double *x, const double *y, tqo_coords coords,
                        int *n_edges, int **edge_u, int **edge_v, tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/* ------------------------------------------------------------------ */

/*
 * Counter-based generator: the stream (seed, key) yields the same numbers
 * whatever thread draws them, which keeps results identical for any
 * thread count.
 */
typedef struct tqo_rng {
    uint64_t seed, key, counter;
    int has_spare;
    double spare;
} tqo_rng;

void tqo_rng_init(tqo_rng *r, uint64_t seed, uint64_t key);
uint64_t tqo_rng_u64(tqo_rng *r);
double tqo_rng_uniform(tqo_rng *r);              /* in (0, 1) */
double tqo_rng_normal(tqo_rng *r);               /* standard normal */
int tqo_rng_int(tqo_rng *r, int n);              /* uniform in [0, n) */

/* ------------------------------------------------------------------ */
/* Instance generator                                                  */
/* ------------------------------------------------------------------ */

typedef struct tqo_generate_settings {
    int n_units;              /* default 1000 */
    int n_territories;        /* default 10 */
    int n_periods;            /* history periods, default 12 */
    tqo_period_kind granularity; /* default TQO_PERIOD_QUARTER */
    int first_year;           /* first history year, default 2020 */
    uint64_t seed;            /* default 1 */
    int geo;                  /* 1: lat/lon instead of planar km */
    double plan_imbalance_pct; /* > 0: balance the current plan only until
                                  its largest workload deviation is within
                                  this (e.g. 25: a plan to realign) */
    int flat_history;         /* 1: every unit sells the same whole amount
                                 every period (no trend, season or noise):
                                 a history whose forecasts are exact */
    int boundaries;           /* 1: each unit's Voronoi cell clipped to the
                                 units' convex hull as its polygon (written
                                 as boundaries.geojson) */
    tqo_log_fn log;
    void *log_ctx;
} tqo_generate_settings;

void tqo_generate_settings_default(tqo_generate_settings *s);

/*
 * A realistic synthetic instance: clustered locations, lognormal potential,
 * correlated workload and accounts, Delaunay adjacency, a current plan,
 * rep home bases and history with trend, seasonality and noise. The same
 * settings give the same instance on every machine.
 */
tqo_status tqo_generate(const tqo_generate_settings *s, tqo_instance **out, tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* Territory alignment                                                 */
/* ------------------------------------------------------------------ */

#define TQO_MAX_BALANCE 8

/* What tqo_align minimises: the weighted moment (sum of w d^2 to the
   centres), the largest district diameter or the largest distance from a
   unit to its district's centre unit (docs/objectives.md). */
typedef enum tqo_objective {
    TQO_OBJECTIVE_MOMENT = 0,
    TQO_OBJECTIVE_DIAMETER = 1,
    TQO_OBJECTIVE_CENTER = 2
} tqo_objective;

typedef struct tqo_align_settings {
    int k;                    /* territories to draw when the instance has no
                                 home bases (0: the instance's territories) */
    int n_balance;            /* balanced measures (at least 1) */
    const char *balance[TQO_MAX_BALANCE];     /* measure names */
    double balance_tol_pct[TQO_MAX_BALANCE];  /* default 5 */
    const char *weight;       /* compactness weight measure; NULL: balance[0] */
    int allow_splits;         /* units may be shared between territories */
    double max_distance_km;   /* 0: no limit */
    double max_moves_pct;     /* cap on moved share of balance[0]; <0: none */
    double disruption_weight; /* objective += W x moved measure; 0: none */
    int contiguity;           /* 1: territories connected in the unit graph
                                 when the instance has adjacency (default) */
    int exact;                /* solve the whole assignment as a MIP */
    double time_limit;        /* seconds for --exact (0: none) */
    int objective;            /* tqo_objective: moment (default), diameter or
                                 center (docs/objectives.md) */
    int search_rounds;        /* diameter and center: rounds of the tabu search
                                 at most (0: the default; fewer for tests) */
    int candidates;           /* nearest centres per unit in the first LP */
    int starts;               /* multiple starts for free centres */
    uint64_t seed;
    int threads;
    int stable_summary;       /* 1: summary.json leaves out the timings, the
                                 thread count and the command line, so that
                                 repeated runs write identical files (tqo plan) */
    const char *gis_format;   /* instances with polygons: territories and units
                                 as "geojson" (NULL: the default) or "gpkg" */
    tqo_log_fn log;
    void *log_ctx;
    /* Progress of the long phases (may be NULL): the phase's name, the work
       done and the total; called from one thread at a time. */
    void (*progress)(void *ctx, const char *phase, int done, int total);
    void *progress_ctx;
} tqo_align_settings;

void tqo_align_settings_default(tqo_align_settings *s);

/* A piece of a territory apart from its main part: an island (a whole
   graph component), allowed and reported, or a detached piece (detached=1),
   which breaks contiguity: listed too, and the run fails naming it. */
typedef struct tqo_exception {
    int territory;
    int component;
    int n_units;
    int first_unit;
    int detached;             /* 1: not a whole graph component, so a broken
                                 contiguity constraint, not an allowed island */
} tqo_exception;

#define TQO_ALIGN_MAX_VIOLATED 8

typedef struct tqo_align_result {
    int n_units, n_territories, n_balance;
    char **territory_id;      /* owned copies */
    int fixed_centres;        /* 1: centres are the rep home bases */
    double *center_x, *center_y;
    /* Assignment in compressed rows: unit i has entries
       [unit_start[i], unit_start[i+1]) of (terr, share). */
    int *unit_start;
    int *terr;
    double *share;
    /* Per territory j and balanced measure b, index j*n_balance+b. */
    double *total, *target, *dev_pct;
    double *compactness;      /* per territory: sum w d^2 share */
    int *units_in;            /* units (wholly or partly) per territory */
    double objective;         /* compactness (+ disruption) of the result */
    double lower_bound;       /* proven bound for the full model, given centres */
    double gap;               /* (objective - lower_bound) / objective */
    double max_dev_pct[TQO_MAX_BALANCE];
    int lp_splits;            /* units split in the LP solution */
    int splits;               /* units split in the result */
    char split_resolution[128];
    int n_exceptions;
    tqo_exception *exceptions;
    int moved_units;
    double moved_share;       /* of balance[0], percent */
    int iterations;           /* centre relocations */
    int lp_rounds;            /* pricing rounds of the last allocation */
    double sec_centres, sec_lp, sec_splits, sec_contiguity, sec_local, sec_total;
    char lp_status[32];
    char mip_status[32];
    /* From the one independent check of the final plan (every figure above
       is recomputed there too): "ok", "violated" (the plan breaks the
       constraints named in violated), "infeasible" (the exact MIP proved
       that no plan meets them) or "limit" (none found within the limit). */
    char status[16];
    int n_violated;
    char violated[TQO_ALIGN_MAX_VIOLATED][16]; /* "balance", "max_moves",
                                 "max_distance", "locks", "contiguity",
                                 "assignment" */
    int n_detached;           /* exceptions that are detached pieces */
    /* --objective diameter or center (docs/objectives.md); 0 and NULL for
       moment. From the independent check: the plan's value (largest
       diameter or radius over the territories, by each unit's main
       territory), each territory's, and the gap to the best of the proven
       lower bounds (ball, dispersion, exact MIP: 0 when not computed). */
    int minmax_objective;     /* tqo_objective of the run */
    double minmax_value, minmax_lower_bound, minmax_gap;
    double minmax_bound_ball, minmax_bound_dispersion, minmax_bound_exact;
    double *minmax_territory; /* per territory (owned) */
    int *minmax_centre_unit;  /* center: each territory's centre unit (owned) */
    long minmax_moves, minmax_swaps, minmax_evals; /* the search's counts */
    /* The LP relaxation's value at the final centres, when lower_bound was
       raised above it by branching on the units the LP splits (a bound for
       whole-unit plans only); 0 when lower_bound is that LP value. */
    double lp_bound;
} tqo_align_result;

tqo_status tqo_align(const tqo_instance *inst, const tqo_align_settings *s, tqo_align_result *res,
                     tqo_diag *diag);
void tqo_align_result_free(tqo_align_result *res);
/* The district diameter, the objective of the academic districting
   literature: the largest distance between two units of one territory
   (by each unit's main territory), maximised over territories;
   per_territory (may be NULL) receives each territory's. Planar (x,y)
   instances only: NAN otherwise. */
double tqo_align_diameter(const tqo_instance *inst, const tqo_align_result *r, double *per_territory);

/* Writes OUT/assignment.csv, territories.csv, summary.json and map.svg
   (and, when the instance has polygons, territories.geojson and
   units.geojson, or territories.gpkg with both layers) through one output
   set: all of them, or none on failure. */
tqo_status tqo_align_write(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                           const char *dir, tqo_diag *diag);
/* The whole allocation model for the result's centres, CPLEX LP (mps=0) or
   free MPS (mps=1): binary unless --allow-splits. */
tqo_status tqo_align_write_model(const tqo_instance *inst, const tqo_align_settings *s, const tqo_align_result *r,
                                 const char *path, int mps, tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* Quotas                                                              */
/* ------------------------------------------------------------------ */

/* Units to territories, with shares (tqo align's assignment.csv, or the
   current plan). */
typedef struct tqo_assignment {
    int n_units, n_territories;
    char **territory_id;
    int *unit_start;          /* n_units + 1 */
    int *terr;
    double *share;
} tqo_assignment;

tqo_status tqo_assignment_load(const char *path, const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag);
tqo_status tqo_assignment_from_current(const tqo_instance *inst, tqo_assignment *a, tqo_diag *diag);
void tqo_assignment_free(tqo_assignment *a);

/*
 * The alignment result as an assignment for tqo_quota and tqo_scenarios,
 * without a file: fills *a (zeroed first; the caller frees it with
 * tqo_assignment_free; r is not changed and may be freed afterwards).
 * It equals, bit for bit, what tqo_assignment_load reads from the
 * assignment.csv that tqo_align_write writes: entries of zero share are
 * left out, territories holding a unit come in id order, and a split
 * unit's shares add up to exactly 1. TQO_ERR_ARG (with a message in d)
 * when r holds no assignment or leaves a unit unassigned, TQO_ERR_NOMEM.
 */
tqo_status tqo_align_assignment(const tqo_align_result *r, tqo_assignment *a, tqo_diag *d);

typedef struct tqo_quota_settings {
    const char *value;          /* history value column (default "sales") */
    const char *potential;      /* a units measure, or NULL */
    const char *history_until;  /* ignore later history; NULL: all */
    int plan_year;              /* 0: the year after the last complete year */
    const char *method;         /* last, trend, holt, damped, seasonal, shrink or auto (default) */
    double target;              /* > 0: the company target */
    double growth_pct;          /* else growth over the last complete year */
    double over_assign_pct;     /* quotas add up to target x (1 + this/100) */
    double history_weight;      /* a in the fair share (default 0.7) */
    double min_growth_pct;      /* NAN: no floor */
    double max_growth_pct;      /* NAN: no cap */
    int minimax;                /* fairness: largest relative deviation */
    int min_train_years;        /* backtest folds need this many (default 2) */
    const char *region_col;     /* region from this units label (most potential) */
    int n_region_targets;
    const char *const *region_names;
    const double *region_targets;
    /* The quota hierarchy (tqo quota, tqo plan; see docs/format.md): any
       of these turns it on; quotas are then set by one LP over every node
       and DIR/quotas_rollup.csv is written. */
    const char *hierarchy;      /* territory_id,level:NAME,... CSV; NULL: territories.csv's
                                   level: columns, else its region column */
    const char *nodes;          /* nodes.csv: id,level,target,min_growth,max_growth,over_assignment */
    const char *submissions;    /* node_id,value[,weight]: bottom-up numbers to reconcile */
    const char *export_format;  /* varicent, xactly or csv-long: also DIR/quotas_FORMAT.csv */
    tqo_log_fn log;
    void *log_ctx;
} tqo_quota_settings;

void tqo_quota_settings_default(tqo_quota_settings *s);

/*
 * The forecast method named by name, case-insensitive: "last", "trend",
 * "holt" or "auto" as a string constant of the library (never freed; fit
 * for tqo_quota_settings.method), or NULL when name is NULL or no method.
 */
const char *tqo_forecast_method_lookup(const char *name);

/* Company targets per region (tqo_quota_settings.region_names and
   region_targets point into it). */
typedef struct tqo_region_targets {
    int n;
    char **name;      /* owned */
    double *target;   /* owned, non-negative */
} tqo_region_targets;

/*
 * Reads a region targets file (CSV with columns region,target; any order,
 * more columns ignored): fills *rt (zeroed first), to be freed with
 * tqo_region_targets_free, also after an error. TQO_ERR_INPUT with
 * "path:line: column 'target': ..." messages in diag for a missing file or
 * column, a value that is not a non-negative number or a region given
 * twice; TQO_ERR_ARG when path or rt is NULL; TQO_ERR_NOMEM.
 */
tqo_status tqo_region_targets_load(const char *path, tqo_region_targets *rt, tqo_diag *diag);
void tqo_region_targets_free(tqo_region_targets *rt);

typedef struct tqo_quota_result {
    int n_territories;
    char **territory_id, **region;   /* owned; region entries may be "" */
    double *quota, *last_year, *forecast, *potential, *fair_share, *growth_pct;
    char *bound;                     /* 'l' floor, 'u' cap, 0 */
    int n_no_history;                /* territories without a last year: no bounds */
    int plan_year, first_year, n_years;   /* complete years used */
    tqo_period_kind kind;
    int per_year;
    double *period_quota;            /* n_territories x per_year, adding up */
    double target, total;            /* total = target x (1 + over-assignment) */
    char method[16];                 /* the method used */
    double mape[3], mase[3];         /* backtest per method: last, trend, holt */
    int n_folds;
    int *fold_train_years;
    /* The pooled backtest (docs/forecasts.md): each method's forecasts
       scaled to each fold year's company total against the actuals, the
       naive quota (last year x company growth) first. */
    int n_pool_methods;              /* 0: no fold */
    char pool_method[8][16];         /* "naive", "trend", ..., "shrink" */
    double pool_mape[8], pool_wape[8], pool_bias[8]; /* %, NAN: none */
    int pool_chosen;                 /* the row auto chose (or would) */
    int pool_terms;                  /* (territory, fold) pairs in MAPE */
    double objective;
    char lp_status[32];
    int has_actual;                  /* the plan year is in the history */
    double *actual, *attainment_pct;
    double share_at_quota, attainment_median, attainment_p10, attainment_p90;
    double mape_quota, mape_naive;
    /* The hierarchy (NULL, 0 without one): root first, every parent
       before its children, the territories last (in territory order). */
    int n_nodes;
    struct tqo_quota_node *nodes;
} tqo_quota_result;

/* One node of the quota hierarchy, as quotas_rollup.csv shows it. */
typedef struct tqo_quota_node {
    char *id, *level;                /* owned; the root is "company" */
    int parent, depth;               /* parent -1 at the root */
    int territory;                   /* its territory index, -1 above */
    double quota, children_sum;      /* children_sum = quota x (1 + over_assign/100); NAN at a territory */
    double last_year, growth_pct, over_assign_pct;
    double lo, hi, target;           /* its band and target (NAN: none) */
    double top_down, submitted, reconciled; /* NAN where none (without submissions: no reconciled) */
} tqo_quota_node;

tqo_status tqo_quota(const tqo_instance *inst, const tqo_assignment *a, const tqo_quota_settings *s,
                     tqo_quota_result *r, tqo_diag *diag);
void tqo_quota_result_free(tqo_quota_result *r);
/* Writes DIR/quotas.csv, quotas_by_period.csv and quota_summary.json
   (one output set: all or none). */
tqo_status tqo_quota_write(const tqo_instance *inst, const tqo_quota_settings *s, const tqo_quota_result *r,
                           const char *assignment, const char *dir, tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* Quota scenarios                                                     */
/* ------------------------------------------------------------------ */

/* A pay plan's curve: attainment % -> payout % of the target incentive.
   Nothing below the first point, piecewise linear through the points,
   flat after the last; a repeated attainment makes a step, earned at
   that attainment. */
#define TQO_PAYOUT_MAX_POINTS 32
typedef struct tqo_payout_curve {
    int n;
    double x[TQO_PAYOUT_MAX_POINTS], y[TQO_PAYOUT_MAX_POINTS];
} tqo_payout_curve;

/* Parses "50:0;100:100;150:250;200:250". Returns 0, or -1 with a reason
   in err. */
int tqo_payout_parse(const char *s, tqo_payout_curve *c, char *err, size_t errsize);
double tqo_payout_eval(const tqo_payout_curve *c, double attainment_pct);
/* Writes the curve back as "x:y;x:y" (shortest exact decimals). */
void tqo_payout_format(const tqo_payout_curve *c, char *buf, size_t size);

/* One quota plan and its pay plan. */
typedef struct tqo_scenario {
    char *name;
    tqo_quota_settings quota;   /* strings point to constants or defaults */
    double target_incentive;    /* paid per territory at 100% attainment */
    tqo_payout_curve curve;
} tqo_scenario;

/*
 * Reads scenarios.csv: `scenario` required and unique, every other column
 * optional, falling back to defaults (quota settings) and incentive/curve
 * (the pay plan). Errors name the file, line, scenario and column.
 */
tqo_status tqo_scenarios_load(const char *path, const tqo_quota_settings *defaults, double incentive,
                              const tqo_payout_curve *curve, tqo_scenario **out, int *n, tqo_diag *diag);
void tqo_scenarios_free(tqo_scenario *s, int n);

/* Called from the library as scenarios finish (from one thread at a time). */
typedef void (*tqo_progress_fn)(void *ctx, int done, int total);

typedef struct tqo_scenario_settings {
    /* The outcome model and the history: value, potential, history_until,
       method (the forecast that outcomes are drawn around) and
       min_train_years (backtest years need this many earlier years). */
    tqo_quota_settings base;
    int replicates;             /* Monte Carlo replicates (default 1000) */
    uint64_t seed;              /* replicate r draws from the stream (seed, r) */
    int threads;                /* OpenMP threads; 0: all available */
    tqo_progress_fn progress;
    void *progress_ctx;
    tqo_log_fn log;
    void *log_ctx;
} tqo_scenario_settings;

void tqo_scenario_settings_default(tqo_scenario_settings *s);

/* The metrics, in this order in every array of the result. */
typedef enum tqo_scenario_metric {
    TQO_M_PCT_AT_QUOTA = 0,     /* share of territories at or above quota, % */
    TQO_M_PCT_BELOW_THRESHOLD,  /* share below the curve's first paying point, % */
    TQO_M_ATTAINMENT_MEDIAN,    /* % */
    TQO_M_ATTAINMENT_P10,
    TQO_M_ATTAINMENT_P90,
    TQO_M_GINI,                 /* Gini coefficient of attainment */
    TQO_M_SPEARMAN,             /* attainment against potential (fairness: near 0) */
    TQO_M_PAYOUT,               /* total payout */
    TQO_M_COST_OF_SALES,        /* payout / revenue, % */
    TQO_M_COMPANY_ATTAINMENT,   /* revenue / sum of quotas, % */
    TQO_M_AT_BOUND,             /* quotas held at a floor or cap */
    TQO_M_MAPE,                 /* of quota against outcome, % */
    TQO_SCENARIO_N_METRICS
} tqo_scenario_metric;

/* "pct_at_quota", ...: the column stems of scenarios_summary.csv. */
const char *tqo_scenario_metric_name(int m);

typedef struct tqo_scenarios_result {
    int n_scenarios, n_territories, replicates;
    char **territory_id;        /* owned */
    double *potential;          /* per territory (0 without --potential) */
    double *forecast;           /* the outcome model's plan-year forecast */
    int plan_year;
    char method[16];            /* the outcome model's forecast method */
    /* The blocks the Monte Carlo resamples: every run of 12 months (4
       quarters, 1 year) of the history with min_train_years whole years
       before it, as the period ordinal of its first period. */
    int n_error_blocks;
    int *error_block;
    /* The Monte Carlo's outcomes: replicate r's outcome of territory j is
       block_outcome[k * n_territories + j] for the block k it resamples,
       and block_replicates[k] replicates resample block k (the odds are
       counts over these: scenarios_detail.csv's prob_ columns). */
    double *block_outcome;
    int *block_replicates;
    tqo_period_kind period_kind;
    int n_backtest_years;
    int *backtest_year;
    /* Per scenario s and territory j: [s * n_territories + j]. */
    double *quota;              /* plan-year quota */
    char *bound;                /* 'l' floor, 'u' cap, 0 */
    double *expected_payout;    /* mean over replicates */
    /* [((s * n_backtest_years) + y) * n_territories + j]: NAN without quota */
    double *backtest_attainment;
    /* Monte Carlo: [(s * TQO_SCENARIO_N_METRICS + m) * 3 + k], k: P10, P50, P90. */
    double *mc;
    /* Backtest: per year [(s * n_backtest_years + y) * TQO_SCENARIO_N_METRICS + m]
       and the mean over years [s * TQO_SCENARIO_N_METRICS + m] (NAN: none). */
    double *backtest;
    double *backtest_mean;
    unsigned char *efficient;   /* Pareto-efficient by the P50s of share at quota and cost of sales */
    char **error;               /* per scenario: NULL, or why (part of) it could not be evaluated */
    int n_failed;               /* scenarios without plan-year quotas */
    double seconds;
} tqo_scenarios_result;

/*
 * Every scenario's quotas for the plan year and for each backtest year,
 * judged against history (backtest) and against R replicates of the plan
 * year (Monte Carlo with common random numbers). The result is the same
 * bit for bit for any number of threads. A scenario that cannot be met is
 * reported in r->error and the others still run; TQO_ERR_INFEASIBLE only
 * when none can. The threads it runs on end with glp_free_env().
 */
tqo_status tqo_scenarios(const tqo_instance *inst, const tqo_assignment *a, const tqo_scenario *sc, int n,
                         const tqo_scenario_settings *s, tqo_scenarios_result *r, tqo_diag *diag);
void tqo_scenarios_result_free(tqo_scenarios_result *r);
/* Writes DIR/scenarios_summary.csv, scenarios_detail.csv, scenarios.svg
   and scenarios.json (one output set: all or none). */
tqo_status tqo_scenarios_write(const tqo_scenario *sc, const tqo_scenario_settings *s,
                               const tqo_scenarios_result *r, const char *dir, tqo_diag *diag);

/*
 * Each rep's odds on the quota step's own quotas: q's quotas judged
 * against r's replicates (block_outcome) under the pay plan (curve,
 * incentive), appended as an "odds" object to DIR/quota_summary.json
 * written by tqo_quota_write (its other keys unchanged): per territory
 * prob_at_quota, prob_first_paying and expected_payout, and P10/P50/P90 of
 * company attainment, cost of sales and share at quota. tqo plan calls it
 * after the scenario step; tqo scenarios alone has the same odds per
 * scenario in scenarios_detail.csv and scenarios_summary.csv.
 */
tqo_status tqo_quota_summary_add_odds(const tqo_quota_result *q, const tqo_payout_curve *curve, double incentive,
                                      const tqo_scenarios_result *r, const char *dir, tqo_diag *diag);

/*
 * A sweep in parts (shards on many machines, MPI ranks). A scenario's
 * figures depend only on its own settings and on the replicate streams
 * (seed, r), never on which other scenarios run beside it, so any split
 * gives the rows of a single run bit for bit. tqo_scenarios is begin,
 * eval of every scenario, end, finish.
 *
 * begin checks and prepares (history, forecasts, outcome model) and fills
 * r's sweep-wide fields; eval evaluates scenarios index[0..k) (global
 * indices; NULL: 0..k-1) into their rows of r (other rows stay unset);
 * finish, once every row is in r, counts the failures, warns of them and
 * marks the Pareto front, as a single run does (TQO_ERR_INFEASIBLE when
 * no scenario could run). sc and s must outlive the run.
 */
typedef struct tqo_scenarios_run tqo_scenarios_run;
tqo_status tqo_scenarios_begin(const tqo_instance *inst, const tqo_assignment *a, const tqo_scenario *sc, int n,
                               const tqo_scenario_settings *s, tqo_scenarios_result *r, tqo_scenarios_run **run,
                               tqo_diag *diag);
tqo_status tqo_scenarios_eval(tqo_scenarios_run *run, const int *index, int k, tqo_diag *diag);
void tqo_scenarios_end(tqo_scenarios_run *run);
tqo_status tqo_scenarios_finish(const tqo_scenario *sc, tqo_scenarios_result *r, tqo_diag *diag);

/* Shard i of n_shards (1-based) holds scenarios g with g % n_shards == i - 1
   (round robin: neighbouring grid rows often cost alike). Writes them to
   index (n / n_shards + 1 ints) and returns their count. */
int tqo_scenarios_shard(int n, int shard, int n_shards, int *index);

/* A 64-bit FNV-1a hash: of bytes, continuing from h (start: TQO_HASH_INIT). */
#define TQO_HASH_INIT 14695981039346656037ULL
uint64_t tqo_hash_bytes(uint64_t h, const void *data, size_t len);

/* The hash that ties parts to one sweep: inputs (the caller's hash of its
   input files) with every setting, scenario and sweep-wide figure of r. */
uint64_t tqo_scenarios_hash(uint64_t inputs, const tqo_scenario *sc, const tqo_scenario_settings *s,
                            const tqo_scenarios_result *r);

/* Rows index[0..k) of r as bytes (malloc'd, to send to another process),
   and back into r: unpack refuses a row out of range or already marked
   in seen (n_scenarios flags), and marks the rows it stores. */
tqo_status tqo_scenarios_rows_pack(const tqo_scenarios_result *r, const int *index, int k, unsigned char **buf,
                                   size_t *len);
tqo_status tqo_scenarios_rows_unpack(tqo_scenarios_result *r, const unsigned char *buf, size_t len,
                                     unsigned char *seen, const char *from, tqo_diag *diag);

/* Writes DIR/NAME, one part of a sweep: format version, hash, shard
   (shard/n_shards), what tqo_scenarios_write needs of sc, s and r, and the
   rows index[0..k) (through an output set: all or nothing). */
tqo_status tqo_scenarios_part_write(const char *dir, const char *name, uint64_t hash, int shard, int n_shards,
                                    const tqo_scenario *sc, const tqo_scenario_settings *s,
                                    const tqo_scenarios_result *r, const int *index, int k, tqo_diag *diag);
/* Reads the parts of one sweep, refuses a part of another sweep (hash),
   of another split, or one missing or given twice (TQO_ERR_INPUT), and
   writes DIR's files exactly as a single run's tqo_scenarios_write.
   *n_scenarios (may be NULL): the sweep's scenario count. */
tqo_status tqo_scenarios_merge(const char *const *parts, int n_parts, const char *dir, int *n_scenarios,
                               tqo_diag *diag);

/* ------------------------------------------------------------------ */
/* The planning report                                                 */
/* ------------------------------------------------------------------ */

/* What the report shows; every pointer is borrowed (the report keeps
   none of them after tqo_report_write returns). */
typedef struct tqo_report_input {
    const char *title;                    /* e.g. "tqo plan: instances/superstore"; NULL: "tqo plan" */
    const tqo_instance *inst;
    /* alignment (required) */
    const tqo_align_settings *align_settings;
    const tqo_align_result *align;
    /* quotas (NULL: not run); quota->has_actual: the replay of the plan year */
    const tqo_quota_settings *quota_settings;
    const tqo_quota_result *quota;
    /* scenarios (NULL: not run) */
    const tqo_scenario *scenarios;
    int n_scenarios;
    const tqo_scenario_settings *scenario_settings;
    const tqo_scenarios_result *scen;
    const char *chosen_scenario;          /* listed first; NULL: none chosen */
    /* the run's parameters as "key = value" lines, in order (plan.ini) */
    int n_params;
    const char *const *param_key;
    const char *const *param_value;
    /* warnings collected from the steps, in plain words */
    int n_warnings;
    const char *const *warnings;
} tqo_report_input;

/*
 * Writes report.html, the planning report of `tqo plan` (one
 * self-contained page: inline SVG map, CSS and script, no network), to fp,
 * which stays open and owned by the caller (e.g. from tqo_outset_open).
 * Deterministic: the same input gives the same bytes. TQO_ERR_ARG when fp
 * is NULL or in is incomplete or inconsistent (no instance or alignment,
 * an alignment of other units, scenarios without their result, ...);
 * TQO_ERR_NOMEM; TQO_ERR_IO when fp reports a write error. Messages go to
 * diag; after an error fp holds a partial document.
 */
tqo_status tqo_report_write(FILE *fp, const tqo_report_input *in, tqo_diag *diag);

/*
 * The report's map as data, for a page that draws it itself (tqo serve):
 * when the instance has unit polygons, each unit's as SVG path data
 * ("M..Z" per ring, d[i] for unit i) and each unit's point (ux, uy), in
 * report.html's projection (px, y down, width x height with the longer
 * side 1000, spanning the units and r's centres) and simplification
 * (neighbours keep sharing their borders). Returns 1; 0 when there are no
 * polygons (out is then empty); -1 when out of memory.
 */
typedef struct tqo_map_paths {
    int n;
    char **d;
    double *ux, *uy;
    double width, height;
} tqo_map_paths;
int tqo_map_paths_make(const tqo_instance *inst, const tqo_align_result *r, tqo_map_paths *out);
void tqo_map_paths_free(tqo_map_paths *m);

/* ------------------------------------------------------------------ */
/* Number formatting                                                   */
/* ------------------------------------------------------------------ */

/* v in the shortest "%.15g".."%.17g" form that reads back as v, as the
   library's CSV and JSON files write numbers ("0" for zero). buf gets at
   most size bytes, NUL-terminated; 32 bytes always suffice. */
void tqo_format_double(double v, char *buf, size_t size);
/* v for people: 1234567.8 -> "1,234,568"; below 1000 four significant
   digits ("332.5"); a non-finite v prints as nonfinite (NULL: ""). */
void tqo_format_thousands(double v, const char *nonfinite, char *buf, size_t size);
/* s as one CSV cell the way the library's files write ids: quoted only
   where tqo's reader would otherwise misread it (separators, quotes, line
   breaks, spaces at either end); NULL and "" write nothing. */
void tqo_csv_put_field(FILE *fp, const char *s);

/* ------------------------------------------------------------------ */
/* Output files                                                        */
/* ------------------------------------------------------------------ */

/*
 * A set of output files written atomically: each is written to a hidden
 * temporary name in dir, and tqo_outset_commit renames them all, or
 * tqo_outset_abort removes them. The folder is created when needed.
 */
typedef struct tqo_outset tqo_outset;

tqo_outset *tqo_outset_new(const char *dir);
/* Opens a temporary file that becomes dir/name on commit; NULL on error. */
FILE *tqo_outset_open(tqo_outset *o, const char *name);
tqo_status tqo_outset_commit(tqo_outset *o, tqo_diag *diag);
void tqo_outset_abort(tqo_outset *o);

/*
 * Memory checks before the big steps allocate (issue 16): TQO_OK when the
 * step's estimated peak memory fits max_memory ("512M", "4G", plain bytes;
 * "0": no check) or, when max_memory is NULL, the least of physical memory,
 * RLIMIT_AS and the cgroup's memory.max. Else TQO_ERR_ARG and the error
 * "STEP needs about X GB for WHAT; this machine has Y GB available" in diag
 * (also for a max_memory that is not a size). The estimates are fitted to
 * measured peak RSS and err on the large side (docs/reliability.md).
 * whole_model: the alignment also builds the whole model in GLPK (every
 * unit-territory pair: --write-lp, --write-mps; s->exact counts too).
 */
tqo_status tqo_memory_check_load(const char *path, const char *max_memory, tqo_diag *diag);
tqo_status tqo_memory_check_align(const tqo_instance *inst, const tqo_align_settings *s, int whole_model,
                                  const char *max_memory, tqo_diag *diag);
tqo_status tqo_memory_check_scenarios(const tqo_instance *inst, int p, int n_scenarios, int replicates, int threads,
                                      const char *max_memory, tqo_diag *diag);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* TQO_H */
