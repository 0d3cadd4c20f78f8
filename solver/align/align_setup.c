/*
 * Alignment set-up: settings against the instance, territories and their
 * centres, balance bounds, and the checks that can tell before any solve
 * that a model has no solution.
 */
#include "align/align_internal.h"
#include "util/fmt.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double tqoi_align_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void tqo_align_settings_default(tqo_align_settings *s)
{
    memset(s, 0, sizeof *s);
    for (int b = 0; b < TQO_MAX_BALANCE; b++)
        s->balance_tol_pct[b] = 5.0;
    s->max_moves_pct = -1;
    s->contiguity = 1;
    s->candidates = 8;
    s->starts = 3;
    s->seed = 1;
    s->threads = omp_get_num_procs(); /* every core: results do not depend on it */
}

const char *tqoi_align_unit_name(const align_ctx *c, int i, char *buf, size_t size)
{
    int l = tqo_instance_label(c->inst, "name");
    if (l >= 0 && c->inst->labels[l].value[i][0])
        snprintf(buf, size, "%s (%s)", c->inst->labels[l].value[i], c->inst->unit_id[i]);
    else
        snprintf(buf, size, "%s", c->inst->unit_id[i]);
    return buf;
}

void tqoi_align_ctx_free(align_ctx *c)
{
    free(c->target);
    free(c->lo);
    free(c->hi);
    free(c->cx);
    free(c->cy);
    free(c->fixed_centre);
    if (c->territory_id)
        for (int j = 0; j < c->p; j++)
            free(c->territory_id[j]);
    free(c->territory_id);
    free(c->comp);
    free(c->comp_size);
    free(c->prices);
    memset(c, 0, sizeof *c);
}

void tqoi_align_bind_problem(align_ctx *c)
{
    alloc_problem *P = &c->P;
    memset(P, 0, sizeof *P);
    P->n = c->n;
    P->p = c->p;
    P->nb = c->nb;
    P->a = c->a;
    P->w = c->w;
    P->lo = c->lo;
    P->hi = c->hi;
    P->coords = c->inst->coords;
    P->ux = c->inst->x;
    P->uy = c->inst->y;
    P->cx = c->cx;
    P->cy = c->cy;
    P->lock = c->lock;
    P->current = c->current;
    P->disruption_weight = c->current ? c->s->disruption_weight : 0;
    P->max_move = c->max_move;
    P->max_distance = c->s->max_distance_km;
    P->threads = c->s->threads;
    P->unit_id = (const char *const *)c->inst->unit_id;
    P->territory_id = (const char *const *)c->territory_id;
}

/* Explains why a name given for a measure is not one. */
static void no_such_measure(align_ctx *c, const char *opt, const char *name)
{
    const tqo_instance *inst = c->inst;
    int l = tqo_instance_label(inst, name);
    if (l >= 0) {
        int bad = 0;
        const char *first = NULL;
        for (int i = 0; i < inst->n_units; i++) {
            char *end;
            const char *v = inst->labels[l].value[i];
            strtod(v, &end);
            if (!*v || *end) {
                bad++;
                if (!first)
                    first = v;
            }
        }
        tqo_diag_error(c->diag,
                       "%s '%s': that column of units.csv is text, not a measure (%d of %d values are not numbers, "
                       "e.g. '%s', or it holds zero-padded codes)",
                       opt, name, bad, inst->n_units, first ? first : "");
        return;
    }
    char list[512] = "";
    for (int m = 0; m < inst->n_measures; m++) {
        size_t k = strlen(list);
        snprintf(list + k, sizeof list - k, "%s%s", m ? ", " : "", inst->measures[m].name);
    }
    tqo_diag_error(c->diag, "%s '%s': units.csv has no such column (measures: %s)", opt, name,
                   inst->n_measures ? list : "none");
}

/* The measures to balance and the weight measure, checked against the
   instance. */
static tqo_status setup_measures(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s,
                                 tqo_diag *diag)
{
    if (s->n_balance < 1 || s->n_balance > TQO_MAX_BALANCE) {
        tqo_diag_error(diag, "give one to %d measures to balance (--balance COL[:TOL])", TQO_MAX_BALANCE);
        return TQO_ERR_ARG;
    }
    c->nb = s->n_balance;
    for (int b = 0; b < c->nb; b++) {
        int m = tqo_instance_measure(inst, s->balance[b]);
        if (m < 0) {
            no_such_measure(c, "--balance", s->balance[b]);
            return TQO_ERR_ARG;
        }
        for (int b2 = 0; b2 < b; b2++)
            if (c->meas[b2] == m) {
                tqo_diag_error(diag, "--balance '%s' is given twice", s->balance[b]);
                return TQO_ERR_ARG;
            }
        if (!(s->balance_tol_pct[b] >= 0 && s->balance_tol_pct[b] <= 100)) {
            tqo_diag_error(diag, "--balance '%s': tolerance %g%% is out of range [0, 100]", s->balance[b],
                           s->balance_tol_pct[b]);
            return TQO_ERR_ARG;
        }
        c->meas[b] = m;
        c->a[b] = inst->measures[m].value;
        double t = 0;
        for (int i = 0; i < c->n; i++)
            t += c->a[b][i];
        if (!(t > 0)) {
            tqo_diag_error(diag, "--balance '%s': the measure is zero for every unit", s->balance[b]);
            return TQO_ERR_INPUT;
        }
        c->total[b] = t;
    }
    c->wmeas = c->meas[0];
    if (s->weight) {
        c->wmeas = tqo_instance_measure(inst, s->weight);
        if (c->wmeas < 0) {
            no_such_measure(c, "--weight", s->weight);
            return TQO_ERR_ARG;
        }
    }
    c->w = inst->measures[c->wmeas].value;
    return TQO_OK;
}

/* Territories: rep home bases fix the centres; otherwise -k, or the
   instance's own territories, with centres chosen by the solver. Sets p,
   allocates the per-territory arrays and names the territories; *use_ids
   tells whether they are the instance's own. */
static tqo_status setup_territories(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s,
                                    tqo_diag *diag, int *use_ids)
{
    int have = inst->n_territories;
    if (inst->n_homes > 0 && s->k > 0 && s->k != have) {
        tqo_diag_error(diag, "-k %d, but territories.csv has %d territories with home bases: drop -k, or give "
                       "a territories.csv without home bases", s->k, have);
        return TQO_ERR_ARG;
    }
    if (s->k > 0)
        c->p = s->k;
    else if (have > 0)
        c->p = have;
    else {
        tqo_diag_error(diag, "how many territories? give -k N, or a territories.csv (home bases fix the centres)");
        return TQO_ERR_ARG;
    }
    if (c->p > c->n) {
        tqo_diag_error(diag, "%d territories for %d units: at most one territory per unit", c->p, c->n);
        return TQO_ERR_ARG;
    }
    int p = c->p, nb = c->nb;
    /* The instance's territory ids are kept when they are the territories
       being drawn; -k with another count names them T01, T02, ... */
    *use_ids = have == p;
    c->territory_id = calloc((size_t)p, sizeof(char *));
    c->cx = malloc((size_t)p * sizeof(double));
    c->cy = malloc((size_t)p * sizeof(double));
    c->fixed_centre = calloc((size_t)p, 1);
    c->target = malloc((size_t)p * nb * sizeof(double));
    c->lo = malloc((size_t)p * nb * sizeof(double));
    c->hi = malloc((size_t)p * nb * sizeof(double));
    c->prices = calloc((size_t)p * nb + 1, sizeof(double));
    if (!c->territory_id || !c->cx || !c->cy || !c->fixed_centre || !c->target || !c->lo || !c->hi || !c->prices)
        return TQO_ERR_NOMEM;
    int width = 2;
    for (int q = p; q >= 100 && width < 9; q /= 10)
        width++;
    for (int j = 0; j < p; j++) {
        char buf[32];
        if (!*use_ids)
            snprintf(buf, sizeof buf, "T%0*d", width & 15, (j + 1) % 1000000000);
        c->territory_id[j] = strdup(*use_ids ? inst->territory_id[j] : buf);
        if (!c->territory_id[j])
            return TQO_ERR_NOMEM;
        c->cx[j] = c->cy[j] = NAN;
        if (*use_ids && inst->home_x && !isnan(inst->home_x[j])) {
            c->cx[j] = inst->home_x[j];
            c->cy[j] = inst->home_y[j];
            c->fixed_centre[j] = 1;
            c->n_fixed++;
        }
    }
    return TQO_OK;
}

/* Current plan and locks refer to the instance's territories: they carry
   over only when those are the territories drawn here. */
static tqo_status setup_current(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s,
                                tqo_diag *diag, int use_ids)
{
    int have = inst->n_territories, p = c->p;
    if (inst->current && use_ids)
        c->current = inst->current;
    else if (inst->current)
        tqo_diag_warning(diag, "the current plan has %d territories and %d are drawn: moves are not measured "
                         "against it", have, p);
    if (inst->lock) {
        if (!use_ids) {
            tqo_diag_error(diag, "locks.csv names the instance's %d territories, but %d are drawn (-k): they "
                           "must match", have, p);
            return TQO_ERR_ARG;
        }
        c->lock = inst->lock;
    }
    if ((s->max_moves_pct >= 0 || s->disruption_weight > 0) && !c->current) {
        tqo_diag_error(diag, "--max-moves and --disruption-weight need a current plan ('current' column in "
                       "units.csv, with the same territories)");
        return TQO_ERR_ARG;
    }
    c->max_move = s->max_moves_pct >= 0 ? s->max_moves_pct / 100.0 * c->total[0] : -1;
    return TQO_OK;
}

/* Targets: capacity shares of each total, and the balance bounds around
   them. */
static void setup_targets(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s, int use_ids)
{
    int p = c->p, nb = c->nb;
    double capsum = 0;
    for (int j = 0; j < p; j++)
        capsum += use_ids && inst->capacity ? inst->capacity[j] : 1.0;
    for (int j = 0; j < p; j++) {
        double share = (use_ids && inst->capacity ? inst->capacity[j] : 1.0) / capsum;
        for (int b = 0; b < nb; b++) {
            double t = share * c->total[b], tol = s->balance_tol_pct[b] / 100.0;
            c->target[j * nb + b] = t;
            c->lo[j * nb + b] = (1 - tol) * t;
            c->hi[j * nb + b] = (1 + tol) * t;
        }
    }
}

/* Contiguity: the instance's adjacency and its connected components. */
static tqo_status setup_contiguity(align_ctx *c, const tqo_instance *inst)
{
    c->contiguity = 1;
    c->adj_start = inst->adj_start;
    c->adj = inst->adj;
    c->comp = malloc((size_t)c->n * sizeof(int));
    if (!c->comp)
        return TQO_ERR_NOMEM;
    c->n_comp = tqo_graph_components(inst, c->comp);
    if (c->n_comp < 0)
        return TQO_ERR_NOMEM;
    c->comp_size = calloc((size_t)c->n_comp, sizeof(int));
    if (!c->comp_size)
        return TQO_ERR_NOMEM;
    for (int i = 0; i < c->n; i++)
        c->comp_size[c->comp[i]]++;
    return TQO_OK;
}

tqo_status tqoi_align_setup(align_ctx *c, const tqo_instance *inst, const tqo_align_settings *s, tqo_diag *diag)
{
    memset(c, 0, sizeof *c);
    c->inst = inst;
    c->s = s;
    c->diag = diag;
    c->n = inst->n_units;
    if (inst->coords == TQO_COORDS_NONE) {
        tqo_diag_error(diag, "alignment needs unit coordinates: units.csv has neither x,y nor lat,lon");
        return TQO_ERR_INPUT;
    }
    int use_ids = 0;
    tqo_status st = setup_measures(c, inst, s, diag);
    if (st == TQO_OK)
        st = setup_territories(c, inst, s, diag, &use_ids);
    if (st == TQO_OK)
        st = setup_current(c, inst, s, diag, use_ids);
    if (st != TQO_OK)
        return st;
    setup_targets(c, inst, s, use_ids);
    if (s->contiguity && inst->has_adjacency) {
        st = setup_contiguity(c, inst);
        if (st != TQO_OK)
            return st;
    }
    tqoi_align_bind_problem(c);
    return TQO_OK;
}


tqo_status tqoi_align_precheck(align_ctx *c)
{
    int n = c->n, p = c->p, nb = c->nb;
    tqo_status st = TQO_OK;
    /* A whole unit larger than the largest territory allowed. */
    if (!c->s->allow_splits) {
        for (int b = 0; b < nb; b++) {
            double maxhi = 0;
            for (int j = 0; j < p; j++)
                if (c->hi[j * nb + b] > maxhi)
                    maxhi = c->hi[j * nb + b];
            int count = 0;
            char list[2048] = "";
            for (int i = 0; i < n; i++) {
                if (c->a[b][i] <= maxhi)
                    continue;
                if (c->lock && c->lock[i] >= 0)
                    continue; /* reported with the locks below */
                if (count < 8) {
                    char nm[256], v[64];
                    tqoi_fmt_thousands(v, sizeof v, c->a[b][i], "-");
                    size_t k = strlen(list);
                    snprintf(list + k, sizeof list - k, "%s%s %s", count ? ", " : "",
                             tqoi_align_unit_name(c, i, nm, sizeof nm), v);
                }
                count++;
            }
            if (count) {
                char mh[64];
                tqoi_fmt_thousands(mh, sizeof mh, maxhi, "-");
                tqo_diag_error(c->diag,
                               "%d unit%s too large for any territory in '%s' (at most %s allowed per "
                               "territory with %d territories and %g%% tolerance): %s%s. Use --allow-splits to "
                               "share such units between territories, fewer territories (-k), or a wider tolerance",
                               count, count == 1 ? " is" : "s are", c->s->balance[b], mh, p,
                               c->s->balance_tol_pct[b], list, count > 8 ? ", ..." : "");
                st = TQO_ERR_INFEASIBLE;
            }
        }
    }
    /* Locks that overfill a territory. */
    if (c->lock) {
        double *load = calloc((size_t)p * nb, sizeof(double));
        int *cnt = calloc((size_t)p, sizeof(int));
        if (!load || !cnt) {
            free(load);
            free(cnt);
            return TQO_ERR_NOMEM;
        }
        for (int i = 0; i < n; i++)
            if (c->lock[i] >= 0) {
                cnt[c->lock[i]]++;
                for (int b = 0; b < nb; b++)
                    load[c->lock[i] * nb + b] += c->a[b][i];
            }
        for (int j = 0; j < p; j++)
            for (int b = 0; b < nb; b++)
                if (load[j * nb + b] > c->hi[j * nb + b] * (1 + 1e-12)) {
                    char l1[64], l2[64];
                    tqoi_fmt_thousands(l1, sizeof l1, load[j * nb + b], "-");
                    tqoi_fmt_thousands(l2, sizeof l2, c->hi[j * nb + b], "-");
                    tqo_diag_error(c->diag,
                                   "the %d units locked to territory '%s' hold %s of '%s', more than the %s it may "
                                   "have: unlock some of them (locks.csv) or widen the tolerance",
                                   cnt[j], c->territory_id[j], l1, c->s->balance[b], l2);
                    st = TQO_ERR_INFEASIBLE;
                }
        free(load);
        free(cnt);
    }
    /* A lock beyond --max-distance of its home base contradicts the cap:
       the input asks for both, and no plan can give both. (A placed centre
       is not known yet; the check after the solve covers those.) */
    if (c->lock && c->s->max_distance_km > 0) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            int j = c->lock[i];
            if (j < 0 || !c->fixed_centre[j])
                continue;
            double d = sqrt(tqoi_alloc_dist2(&c->P, i, j));
            if (d <= c->s->max_distance_km * (1 + 1e-12))
                continue;
            char nm[256];
            if (bad++ < 8)
                tqo_diag_error(c->diag, "unit %s is locked to %s (locks.csv) but is %.4g km from its home base, "
                               "beyond --max-distance %g: unlock it or raise the cap",
                               tqoi_align_unit_name(c, i, nm, sizeof nm), c->territory_id[j], d, c->s->max_distance_km);
        }
        if (bad > 8)
            tqo_diag_error(c->diag, "%d locked units in all are beyond --max-distance %g of their home base", bad,
                           c->s->max_distance_km);
        if (bad)
            return TQO_ERR_INPUT;
    }
    /* Islands: a graph component too small to be a territory of its own
       must join one elsewhere (a reported exception); that is allowed. An
       island too large for the territories it could hold is not. */
    if (c->contiguity && c->n_comp > 1 && !c->s->allow_splits) {
        double *ctot = calloc((size_t)c->n_comp * nb, sizeof(double));
        if (!ctot)
            return TQO_ERR_NOMEM;
        for (int i = 0; i < n; i++)
            for (int b = 0; b < nb; b++)
                ctot[c->comp[i] * nb + b] += c->a[b][i];
        for (int k = 0; k < c->n_comp; k++)
            for (int b = 0; b < nb; b++) {
                /* With equal targets: an island holding between m and m+1
                   territories' worth, not reachable by m territories at
                   most hi each nor by m+1 at least lo each, is infeasible
                   unless other territories reach in with whole islands. */
                double T = c->total[b] / p, hi = (1 + c->s->balance_tol_pct[b] / 100) * T,
                       lo = (1 - c->s->balance_tol_pct[b] / 100) * T, v = ctot[k * nb + b];
                if (v <= hi || k == c->comp[0] || c->n_comp <= 1)
                    continue;
                double m = floor(v / hi);
                if (v > m * hi + 1e-9 && v < (m + 1) * lo - 1e-9 && c->comp_size[k] < n / 2) {
                    int first = 0;
                    while (first < n && c->comp[first] != k)
                        first++;
                    char nm[256];
                    tqo_diag_warning(c->diag, "an island of %d units (with %s) holds %.2f territories' worth of '%s': "
                                     "its territories may not all be balanced", c->comp_size[k],
                                     tqoi_align_unit_name(c, first, nm, sizeof nm), v / T, c->s->balance[b]);
                }
            }
        free(ctot);
    }
    return st;
}
