/*
 * Free centres: seeded by weighted k-means++ (or at the current plan's
 * territories), moved by plain k-means first (cheap), then by alternating
 * the balanced allocation LP with moves to the weighted centroid of each
 * territory, which lowers the objective at every step. Several starts; the
 * best is kept. Rep home bases never move.
 */
#include "align/align_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)
#define MAX_LLOYD 15
#define MAX_BALANCED 15

/* Weight of a unit in centroids: the compactness weight, else the first
   balanced measure, else one. */
static double cw(const align_ctx *c, int i, int wmode)
{
    return wmode == 0 ? c->w[i] : wmode == 1 ? c->a[0][i] : 1.0;
}

/* Moves free centres to the weighted centroid of their units.
   asg (whole units) or x (shares) gives the membership. Returns the
   largest move in km. */
static double relocate(align_ctx *c, const int *asg, const alloc_solution *x)
{
    int p = c->p, n = c->n;
    int latlon = c->inst->coords == TQO_COORDS_LATLON;
    double *acc = calloc((size_t)p * 4 * 3, sizeof(double)); /* 3 weight modes x (sx, sy, sz, sw) */
    if (!acc)
        return 0;
    for (int i = 0; i < n; i++) {
        double v[3];
        if (latlon) {
            double la = c->inst->y[i] * DEG2RAD, lo = c->inst->x[i] * DEG2RAD;
            v[0] = cos(la) * cos(lo);
            v[1] = cos(la) * sin(lo);
            v[2] = sin(la);
        } else {
            v[0] = c->inst->x[i];
            v[1] = c->inst->y[i];
            v[2] = 0;
        }
        int k0 = x ? x->start[i] : 0, k1 = x ? x->start[i + 1] : 1;
        for (int k = k0; k < k1; k++) {
            int j = x ? x->terr[k] : asg[i];
            double sh = x ? x->share[k] : 1.0;
            for (int mode = 0; mode < 3; mode++) {
                double wt = cw(c, i, mode) * sh;
                double *a = acc + ((size_t)j * 3 + mode) * 4;
                a[0] += wt * v[0];
                a[1] += wt * v[1];
                a[2] += wt * v[2];
                a[3] += wt;
            }
        }
    }
    double maxmove = 0;
    for (int j = 0; j < p; j++) {
        if (c->fixed_centre[j])
            continue;
        double *a = NULL;
        for (int mode = 0; mode < 3 && !a; mode++)
            if (acc[((size_t)j * 3 + mode) * 4 + 3] > 0)
                a = acc + ((size_t)j * 3 + mode) * 4;
        if (!a)
            continue; /* an empty territory keeps its centre */
        double nx, ny;
        if (latlon) {
            double r = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
            if (!(r > 0))
                continue;
            ny = asin(fmax(-1, fmin(1, a[2] / r))) / DEG2RAD;
            nx = atan2(a[1], a[0]) / DEG2RAD;
        } else {
            nx = a[0] / a[3];
            ny = a[1] / a[3];
        }
        double d = tqo_distance(c->inst->coords, c->cx[j], c->cy[j], nx, ny);
        if (d > maxmove)
            maxmove = d;
        c->cx[j] = nx;
        c->cy[j] = ny;
    }
    free(acc);
    return maxmove;
}

/* Weighted k-means++ for the free centres, given the fixed ones. */
static void seed_centres(align_ctx *c, uint64_t key)
{
    int n = c->n, p = c->p;
    tqo_rng r;
    tqo_rng_init(&r, c->s->seed, key);
    double *d2 = malloc((size_t)n * sizeof(double));
    if (!d2)
        return;
    int any = 0;
    for (int i = 0; i < n; i++)
        d2[i] = INFINITY;
    for (int j = 0; j < p; j++)
        if (c->fixed_centre[j]) {
            any = 1;
            for (int i = 0; i < n; i++) {
                double d = tqo_distance(c->inst->coords, c->inst->x[i], c->inst->y[i], c->cx[j], c->cy[j]);
                if (d * d < d2[i])
                    d2[i] = d * d;
            }
        }
    int mode = 0;
    double wsum = 0;
    for (int i = 0; i < n; i++)
        wsum += c->w[i];
    if (!(wsum > 0))
        mode = 1;
    for (int j = 0; j < p; j++) {
        if (c->fixed_centre[j])
            continue;
        double tot = 0;
        for (int i = 0; i < n; i++)
            tot += cw(c, i, mode) * (any ? d2[i] : 1.0);
        int pick = n - 1;
        if (tot > 0) {
            double u = tqo_rng_uniform(&r) * tot, acc = 0;
            for (int i = 0; i < n; i++) {
                acc += cw(c, i, mode) * (any ? d2[i] : 1.0);
                if (acc >= u) {
                    pick = i;
                    break;
                }
            }
        } else {
            pick = tqo_rng_int(&r, n);
        }
        c->cx[j] = c->inst->x[pick];
        c->cy[j] = c->inst->y[pick];
        any = 1;
        for (int i = 0; i < n; i++) {
            double d = tqo_distance(c->inst->coords, c->inst->x[i], c->inst->y[i], c->cx[j], c->cy[j]);
            if (d * d < d2[i])
                d2[i] = d * d;
        }
    }
    free(d2);
}

/* Plain k-means: nearest allowed centre, then centroids. */
static void lloyd(align_ctx *c, int *asg)
{
    for (int it = 0; it < MAX_LLOYD; it++) {
        for (int i = 0; i < c->n; i++) {
            if (c->lock && c->lock[i] >= 0) {
                asg[i] = c->lock[i];
                continue;
            }
            double best = INFINITY;
            int bj = 0;
            for (int j = 0; j < c->p; j++) {
                double d = alloc_dist2(&c->P, i, j);
                if (d < best) {
                    best = d;
                    bj = j;
                }
            }
            asg[i] = bj;
        }
        if (relocate(c, asg, NULL) < 1e-6)
            break;
    }
}

tqo_status align_choose_centres(align_ctx *c, int *iterations)
{
    int p = c->p, nb = c->nb;
    *iterations = 0;
    if (c->n_fixed == p)
        return TQO_OK;
    int *asg = malloc((size_t)c->n * sizeof(int));
    double *bx = malloc((size_t)p * sizeof(double)), *by = malloc((size_t)p * sizeof(double));
    double *bprices = calloc((size_t)p * nb + 1, sizeof(double));
    if (!asg || !bx || !by || !bprices) {
        free(asg);
        free(bx);
        free(by);
        free(bprices);
        return TQO_ERR_NOMEM;
    }
    double best = INFINITY;
    tqo_status st = TQO_OK, last = TQO_OK;
    /* With a current plan the territories keep their identity, so the
       search starts from them, once. */
    int starts = c->current ? 1 : (c->s->starts > 0 ? c->s->starts : 1);
    for (int start = 0; start < starts; start++) {
        if (c->current) {
            for (int i = 0; i < c->n; i++)
                asg[i] = c->current[i] >= 0 ? c->current[i] : 0;
            seed_centres(c, 999); /* territories without units keep a seed */
            relocate(c, asg, NULL);
        } else {
            seed_centres(c, 1000 + (uint64_t)start);
            lloyd(c, asg);
        }
        memset(c->prices, 0, ((size_t)p * nb + 1) * sizeof(double));
        double prev = INFINITY;
        int it;
        for (it = 0; it < MAX_BALANCED; it++) {
            alloc_solution x;
            tqo_diag d;
            tqo_diag_init(&d);
            st = alloc_solve_lp(&c->P, c->s->candidates, c->prices, &x, c->s->log, c->s->log_ctx, &d);
            if (st != TQO_OK) {
                /* keep the messages of the failed solve for the caller */
                for (int k = 0; k < d.n_msgs; k++)
                    if (d.is_error[k])
                        tqo_diag_error(c->diag, "%s", d.msgs[k]);
                tqo_diag_free(&d);
                break;
            }
            tqo_diag_free(&d);
            double obj = x.objective;
            double moved = relocate(c, NULL, &x);
            alloc_solution_free(&x);
            /* Prices stay a good warm start only while centres move little
               against the typical distance to them; after a big move the
               solver's own coarse start is better. */
            double wsum = 0;
            for (int i = 0; i < c->n; i++)
                wsum += c->w[i];
            double typical = wsum > 0 ? sqrt(obj / wsum) : 0;
            if (!(moved < 0.1 * typical))
                memset(c->prices, 0, ((size_t)p * nb + 1) * sizeof(double));
            (*iterations)++;
            tqo_log_printf(c->s->log, c->s->log_ctx, TQO_LOG_DEBUG, "centres: objective %.9g, largest centre move %.3g km (start %d)",
                           obj, moved, start + 1);
            if (obj < best) {
                best = obj;
                memcpy(bx, c->cx, (size_t)p * sizeof(double));
                memcpy(by, c->cy, (size_t)p * sizeof(double));
                memcpy(bprices, c->prices, ((size_t)p * nb + 1) * sizeof(double));
            }
            if (moved < 1e-3 || prev - obj < 5e-4 * fabs(obj))
                break;
            prev = obj;
        }
        last = st;
    }
    if (isfinite(best)) {
        /* The best centres: those after the relocation that followed the
           best allocation are at least as good, so keep the relocated ones. */
        memcpy(c->cx, bx, (size_t)p * sizeof(double));
        memcpy(c->cy, by, (size_t)p * sizeof(double));
        memcpy(c->prices, bprices, ((size_t)p * nb + 1) * sizeof(double));
        st = TQO_OK;
    } else {
        st = last != TQO_OK ? last : TQO_ERR_SOLVER;
    }
    free(asg);
    free(bx);
    free(by);
    free(bprices);
    return st;
}

double align_refit_centres(align_ctx *c, const int *asg)
{
    return relocate(c, asg, NULL);
}
