/*
 * tqo serve's JSON API: each request is checked whole before anything
 * changes (malformed JSON, unknown keys, units or territories give 400 and
 * leave the plan as it was), then applied under S->mu so that concurrent
 * requests are serialised and the plan is never torn.
 */
#include "cli/cli_serve.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_json(serve_reply *r, int status, json_t *o)
{
    r->status = status;
    r->type = "application/json";
    r->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!r->body) {
        r->status = 500;
        r->body = strdup("{\"error\":\"out of memory\"}");
    }
}

static void reply_error(serve_reply *r, int status, const char *msg)
{
    reply_json(r, status, json_pack("{s:s}", "error", msg));
}

/* The body as a JSON object whose keys are all in allowed (NULL-ended). */
static json_t *parse_body(const char *body, size_t len, const char *const *allowed, serve_reply *r)
{
    json_error_t e;
    json_t *o = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &e) : json_object();
    char msg[300];
    if (!o) {
        snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", e.line, e.column, e.text);
        reply_error(r, 400, msg);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        reply_error(r, 400, "the body must be a JSON object");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        int ok = 0;
        for (int k = 0; allowed[k]; k++)
            ok |= strcmp(key, allowed[k]) == 0;
        if (!ok) {
            snprintf(msg, sizeof msg, "unknown field '%.100s'", key);
            json_decref(o);
            reply_error(r, 400, msg);
            return NULL;
        }
    }
    return o;
}

/* "units": a non-empty array of known unit ids -> indices (malloc'ed). */
static int *parse_units(serve_state *S, json_t *o, int *n, serve_reply *r)
{
    json_t *a = json_object_get(o, "units");
    char msg[300];
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > (size_t)S->n) {
        reply_error(r, 400, "'units' must be a non-empty array of unit ids");
        return NULL;
    }
    *n = (int)json_array_size(a);
    int *u = malloc((size_t)*n * sizeof(int));
    if (!u) {
        reply_error(r, 500, "out of memory");
        return NULL;
    }
    for (int k = 0; k < *n; k++) {
        json_t *s = json_array_get(a, (size_t)k);
        u[k] = json_is_string(s) ? serve_unit(S, json_string_value(s)) : -1;
        if (u[k] < 0) {
            snprintf(msg, sizeof msg, "unknown unit '%.100s'", json_is_string(s) ? json_string_value(s) : "(not a string)");
            reply_error(r, 400, msg);
            free(u);
            return NULL;
        }
    }
    return u;
}

static void reply_plan(serve_state *S, serve_reply *r, int full)
{
    reply_json(r, 200, serve_plan_json(S, full));
}

static void api_move(serve_state *S, const char *body, size_t len, serve_reply *r)
{
    static const char *const keys[] = {"units", "territory", NULL};
    json_t *o = parse_body(body, len, keys, r);
    if (!o)
        return;
    int n = 0, *u = parse_units(S, o, &n, r);
    json_t *t = json_object_get(o, "territory");
    int j = json_is_string(t) ? serve_territory(S, json_string_value(t)) : -1;
    char msg[300];
    if (u && j < 0) {
        snprintf(msg, sizeof msg, "unknown territory '%.100s'", json_is_string(t) ? json_string_value(t) : "(none)");
        reply_error(r, 400, msg);
    }
    for (int k = 0; u && j >= 0 && k < n; k++)
        if ((S->inst_lock[u[k]] >= 0 && S->inst_lock[u[k]] != j) || (S->cur.locked[u[k]] && S->cur.terr[u[k]] != j)) {
            snprintf(msg, sizeof msg, "unit '%.100s' is locked to '%s'", S->inst->unit_id[u[k]],
                     S->tid[S->inst_lock[u[k]] >= 0 ? S->inst_lock[u[k]] : S->cur.terr[u[k]]]);
            reply_error(r, 400, msg);
            j = -1;
        }
    if (u && j >= 0) {
        if (serve_push_undo(S) != 0) {
            reply_error(r, 500, "out of memory");
        } else {
            for (int k = 0; k < n; k++) {
                S->cur.terr[u[k]] = j;
                S->cur.edited[u[k]] = 1;
            }
            S->version++;
            S->dirty = S->have_edits = 1;
            reply_plan(S, r, 0);
        }
    }
    free(u);
    json_decref(o);
}

static void api_lock(serve_state *S, const char *body, size_t len, serve_reply *r)
{
    static const char *const keys[] = {"units", "locked", NULL};
    json_t *o = parse_body(body, len, keys, r);
    if (!o)
        return;
    int n = 0, *u = parse_units(S, o, &n, r);
    json_t *l = json_object_get(o, "locked");
    if (u && !json_is_boolean(l))
        reply_error(r, 400, "'locked' must be true or false");
    else if (u && serve_push_undo(S) != 0)
        reply_error(r, 500, "out of memory");
    else if (u) {
        for (int k = 0; k < n; k++)
            S->cur.locked[u[k]] = json_is_true(l);
        S->version++;
        S->dirty = S->have_edits = 1;
        reply_plan(S, r, 0);
    }
    free(u);
    json_decref(o);
}

static void api_rebalance(serve_state *S, const char *body, size_t len, serve_reply *r)
{
    static const char *const keys[] = {"max_moves", NULL};
    json_t *o = parse_body(body, len, keys, r);
    if (!o)
        return;
    json_t *m = json_object_get(o, "max_moves");
    double cap = -1;
    if (m && !(json_is_number(m) && json_number_value(m) >= 0 && json_number_value(m) <= 100)) {
        reply_error(r, 400, "'max_moves' must be a percentage in [0, 100]");
        json_decref(o);
        return;
    }
    if (m)
        cap = json_number_value(m);
    json_decref(o);
    int *before = malloc((size_t)S->n * sizeof(int));
    char msg[600];
    if (!before) {
        reply_error(r, 500, "out of memory");
        return;
    }
    memcpy(before, S->cur.terr, (size_t)S->n * sizeof(int));
    if (serve_rebalance(S, cap, msg, sizeof msg) != 0) {
        reply_error(r, 422, msg);
    } else {
        json_t *p = serve_plan_json(S, 0), *mv = json_array();
        for (int i = 0; i < S->n; i++)
            if (before[i] != S->cur.terr[i])
                json_array_append_new(mv, json_pack("{s:s,s:s}", "id", S->inst->unit_id[i], "t",
                                                    S->tid[S->cur.terr[i]]));
        json_object_set_new(p, "moved", mv);
        json_object_set_new(p, "max_moves", json_real(S->reb_max_moves));
        json_object_set_new(p, "cap_bound_pct", json_real(S->reb_bound_pct));
        json_t *runs = json_array();
        for (int k = 0; k < S->n_runs; k++) {
            const serve_run *u = &S->runs[k];
            json_array_append_new(runs, json_pack("{s:f,s:s,s:i,s:i,s:i,s:f,s:{s:f,s:f,s:f,s:f,s:f}}", "max_moves",
                                                  u->cap_pct, "status", u->status, "iterations", u->iterations,
                                                  "lp_rounds", u->lp_rounds, "moved_units", u->moved_units,
                                                  "seconds", u->seconds, "phases", "centres", u->sec[0], "lp",
                                                  u->sec[1], "splits", u->sec[2], "contiguity", u->sec[3],
                                                  "local", u->sec[4]));
        }
        json_object_set_new(p, "runs", runs);
        reply_json(r, 200, p);
    }
    free(before);
}

/* Requests without a body of their own: it must be empty or {}. */
static int empty_body(const char *body, size_t len, serve_reply *r)
{
    static const char *const none[] = {NULL};
    json_t *o = parse_body(body, len, none, r);
    json_decref(o);
    return o != NULL;
}

static void api_post(serve_state *S, const char *what, const char *body, size_t len, serve_reply *r)
{
    char msg[600];
    if (strcmp(what, "move") == 0)
        api_move(S, body, len, r);
    else if (strcmp(what, "lock") == 0)
        api_lock(S, body, len, r);
    else if (strcmp(what, "rebalance") == 0)
        api_rebalance(S, body, len, r);
    else if (!empty_body(body, len, r))
        return;
    else if (strcmp(what, "undo") == 0 || strcmp(what, "redo") == 0) {
        if (serve_undo(S, what[0] == 'r') != 0)
            reply_error(r, 409, what[0] == 'r' ? "nothing to redo" : "nothing to undo");
        else
            reply_plan(S, r, 1);
    } else if (strcmp(what, "save") == 0) {
        if (serve_save(S, msg, sizeof msg) != 0)
            reply_error(r, 500, msg);
        else
            reply_json(r, 200, json_pack("{s:b,s:I,s:f}", "saved", 1, "version", (json_int_t)S->version,
                                         "max_moves", S->reb_max_moves));
    } else if (strcmp(what, "quotas") == 0 || strcmp(what, "scenarios") == 0) {
        json_t *q = what[0] == 'q' ? serve_quotas_json(S, msg, sizeof msg) : serve_scenarios_json(S, msg, sizeof msg);
        if (q)
            reply_json(r, 200, q);
        else
            reply_error(r, 422, msg);
    } else
        reply_error(r, 404, "no such API call");
}

void serve_handle(serve_state *S, const char *method, const char *path, const char *body, size_t len,
                  serve_reply *r)
{
    memset(r, 0, sizeof *r);
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (get && (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)) {
        r->status = 200;
        r->type = "text/html; charset=utf-8";
        r->body = strdup(serve_page_html);
        return;
    }
    if (strncmp(path, "/api/", 5) != 0) {
        reply_error(r, 404, "not found");
        return;
    }
    const char *what = path + 5;
    pthread_mutex_lock(&S->mu);
    if (get && strcmp(what, "plan") == 0)
        reply_plan(S, r, 1);
    else if (get && strcmp(what, "shapes") == 0) {
        json_t *o = serve_shapes_json(S);
        if (o)
            reply_json(r, 200, o);
        else
            reply_error(r, 404, "the instance has no unit polygons");
    }
    else if (post)
        api_post(S, what, body, len, r);
    else
        reply_error(r, 405, "method not allowed");
    pthread_mutex_unlock(&S->mu);
}
