/*
 * tqo serve: the plan as a live web app (libmicrohttpd, jansson). The
 * state (cli_serve_state.c) is the plan being edited; the API
 * (cli_serve_api.c) turns requests into state changes under one mutex;
 * cli_serve_save.c writes the plan's JSON and Save, cli_serve_runs.c the
 * quota and scenario reruns; cli_serve.c runs the daemon, the token and
 * the signals; the page is cli_serve_page.inc.
 */
#ifndef TQO_CLI_SERVE_H
#define TQO_CLI_SERVE_H

#include "cli/cli_common.h"
#include "cli/options.h"

#include <pthread.h>
#include <stddef.h>

/* A plan laid over the instance from memory: tqo serve's Save hands its
   edits to tqo plan's run this way while plan.ini names the files. */
typedef struct cli_plan_edits {
    int n_terr;
    const char *const *ids;
    const int *current; /* per unit, index into ids or -1; NULL: none */
    const int *lock;    /* per unit, index into ids or -1; NULL: none */
} cli_plan_edits;

/* After loading: P->edits when set, else plan.ini's [input] current and
   locks files when set, laid over inst (cli_plan_edits.c). */
tqo_status cli_plan_edits_apply(tqo_instance *inst, const cli_settings *P, tqo_diag *diag);

/* tqo plan's whole run (cli_plan.c), writing to cc->out. */
int cli_plan_run(cli_settings *P, const char *instance, const cli_common *cc);

int cli_serve(int argc, char **argv);

/* One state of the edited plan (for undo and redo). */
typedef struct serve_snap {
    int *terr;               /* main territory per unit */
    unsigned char *edited;   /* moved by hand since the plan was opened */
    unsigned char *locked;   /* locked by the planner */
    double *cx, *cy;         /* centres of the last alignment */
} serve_snap;

enum { SERVE_UNDO = 64, SERVE_RUNS = 8 };

/* One alignment of a rebalance: its cap and what it cost (counts too, as
   timings on a shared machine say little). */
typedef struct serve_run {
    double cap_pct;
    char status[16];
    int iterations, lp_rounds, moved_units;
    double seconds;
    double sec[5];           /* the alignment's phases: centres, lp, splits, contiguity, local */
} serve_run;

typedef struct serve_state {
    pthread_mutex_t mu;      /* every request that reads or changes the plan */
    cli_settings *P;
    const char *instance, *out;
    tqo_instance *inst;
    int n, p, nb;
    char **tid;              /* territory ids (owned) */
    int *meas;               /* balanced measure index per b */
    int wmeas;               /* compactness weight measure */
    double *target;          /* p x nb */
    int *inst_lock;          /* the instance's (or plan.ini's) locks, -1 none */
    serve_snap cur;
    serve_snap undo[SERVE_UNDO], redo[SERVE_UNDO];
    int n_undo, n_redo;
    long version;            /* +1 per change */
    int dirty;               /* hand edits since the last alignment */
    int have_edits;          /* the plan differs from plan.ini's: Save writes current/locks */
    int *reb_current, *reb_lock; /* the plan of the last rebalance (Save repeats it) */
    double reb_max_moves;
    double reb_bound_pct;    /* the last rebalance's lower bound on the cap */
    serve_run runs[SERVE_RUNS]; /* its alignments, in order */
    int n_runs;
    double last_align_s;
    tqo_map_paths shapes;    /* the unit polygons as the report draws them (n = 0: none) */
} serve_state;

/* Opens the plan: loads the instance and aligns. 0, or an exit code. */
int serve_state_open(serve_state *S, cli_settings *P, const char *instance, const char *out);
void serve_state_free(serve_state *S);
int serve_unit(const serve_state *S, const char *id);
int serve_territory(const serve_state *S, const char *id);
/* Snapshot the current state onto the undo stack (clears redo). */
int serve_push_undo(serve_state *S);
int serve_undo(serve_state *S, int redo);
/* Rebalance with edited/locked units locked; max_moves < 0: the smallest
   cap of a ladder that restores balance. 0, or -1 with msg. */
int serve_rebalance(serve_state *S, double max_moves, char *msg, size_t n);
/* Save to OUT: all or nothing. 0, or -1 with msg. */
int serve_save(serve_state *S, char *msg, size_t n);

/* The JSON of the plan (all units when full, else territories only). */
struct json_t;
struct json_t *serve_plan_json(const serve_state *S, int full);
/* The unit polygons in the units' order (GET /api/shapes), or NULL. */
struct json_t *serve_shapes_json(const serve_state *S);
/* Quotas, and the scenarios of the plan's scenarios file, rerun on the
   edited plan (cli_serve_runs.c); NULL with msg when they cannot run. */
struct json_t *serve_quotas_json(serve_state *S, char *msg, size_t n);
struct json_t *serve_scenarios_json(serve_state *S, char *msg, size_t n);

/* The API: method, path, body -> status and a JSON (or HTML) body. */
typedef struct serve_reply {
    int status;
    char *body;              /* malloc'ed */
    const char *type;
} serve_reply;
void serve_handle(serve_state *S, const char *method, const char *path, const char *body, size_t len,
                  serve_reply *r);
extern const char serve_page_html[];

#endif
