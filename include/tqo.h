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

#define TQO_VERSION "0.1.0"

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
    TQO_FORMAT_COMMDIS = 2
} tqo_format;

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
} tqo_instance;


typedef struct tqo_load_settings {
    tqo_format format;
    const char *adjacency;  /* NULL: the instance's adjacency.csv if any;
                               a path; "none"; or "delaunay" */
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
    int candidates;           /* nearest centres per unit in the first LP */
    int starts;               /* multiple starts for free centres */
    uint64_t seed;
    int threads;
    int stable_summary;       /* 1: summary.json leaves out the timings, the
                                 thread count and the command line, so that
                                 repeated runs write identical files (tqo plan) */
    tqo_log_fn log;
    void *log_ctx;
} tqo_align_settings;

void tqo_align_settings_default(tqo_align_settings *s);

/* An island (graph component) whose units went to a territory that is not
   connected to it: allowed, reported. */
typedef struct tqo_exception {
    int territory;
    int component;
    int n_units;
    int first_unit;
} tqo_exception;

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
    char split_resolution[64];
    int n_exceptions;
    tqo_exception *exceptions;
    int moved_units;
    double moved_share;       /* of balance[0], percent */
    int iterations;           /* centre relocations */
    int lp_rounds;            /* pricing rounds of the last allocation */
    double sec_centres, sec_lp, sec_splits, sec_contiguity, sec_local, sec_total;
    char lp_status[32];
    char mip_status[32];
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
   through one output set: all of them, or none on failure. */
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

typedef struct tqo_quota_settings {
    const char *value;          /* history value column (default "sales") */
    const char *potential;      /* a units measure, or NULL */
    const char *history_until;  /* ignore later history; NULL: all */
    int plan_year;              /* 0: the year after the last complete year */
    const char *method;         /* last, trend, holt or auto (default) */
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
    tqo_log_fn log;
    void *log_ctx;
} tqo_quota_settings;

void tqo_quota_settings_default(tqo_quota_settings *s);

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
    double objective;
    char lp_status[32];
    int has_actual;                  /* the plan year is in the history */
    double *actual, *attainment_pct;
    double share_at_quota, attainment_median, attainment_p10, attainment_p90;
    double mape_quota, mape_naive;
} tqo_quota_result;

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

#ifdef __cplusplus
}
#endif

#endif /* TQO_H */
