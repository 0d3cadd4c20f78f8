/*
 * Distances between units and the min-max objectives of a set of units:
 * its diameter (hull and rotating calipers on planar points, all pairs on
 * the sphere, where a hull is no shortcut) and its radius about the best
 * centre unit (all centres tried, each dropped as soon as one unit is
 * farther than the best radius so far).
 */
#include "align/district_diameter.h"
#include "align/objective_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tqo_status tqoi_obj_geom_init(obj_geom *g, const tqo_instance *inst)
{
    memset(g, 0, sizeof *g);
    g->n = inst->n_units;
    g->x = inst->x;
    g->y = inst->y;
    g->latlon = inst->coords == TQO_COORDS_LATLON;
    if (!g->latlon)
        return TQO_OK;
    size_t sz = ((size_t)g->n + 1) * sizeof(double);
    g->ux = malloc(sz);
    g->uy = malloc(sz);
    g->uz = malloc(sz);
    if (!g->ux || !g->uy || !g->uz) {
        tqoi_obj_geom_free(g);
        return TQO_ERR_NOMEM;
    }
    const double rad = 3.14159265358979323846 / 180.0;
    for (int i = 0; i < g->n; i++) {
        double lat = inst->y[i] * rad, lon = inst->x[i] * rad;
        g->ux[i] = cos(lat) * cos(lon);
        g->uy[i] = cos(lat) * sin(lon);
        g->uz[i] = sin(lat);
    }
    return TQO_OK;
}

void tqoi_obj_geom_free(obj_geom *g)
{
    free(g->ux);
    free(g->uy);
    free(g->uz);
    g->ux = g->uy = g->uz = NULL;
}

/* Great-circle km from the chord between unit vectors (monotone in it). */
static double chord_km(double ch)
{
    double h = ch / 2;
    return 2 * TQO_EARTH_RADIUS_KM * asin(h > 1 ? 1 : h);
}

static double chord(const obj_geom *g, int i, int j)
{
    double dx = g->ux[i] - g->ux[j], dy = g->uy[i] - g->uy[j], dz = g->uz[i] - g->uz[j];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

double tqoi_obj_dist(obj_geom *g, int i, int j)
{
    g->evals++;
    if (g->latlon)
        return chord_km(chord(g, i, j));
    double dx = g->x[i] - g->x[j], dy = g->y[i] - g->y[j];
    return sqrt(dx * dx + dy * dy);
}

void tqoi_obj_scratch_free(obj_scratch *w)
{
    free(w->px);
    free(w->py);
    free(w->hull);
    free(w->kv);
    memset(w, 0, sizeof *w);
}

static int scratch_reserve(obj_scratch *w, int m)
{
    if (m <= w->cap)
        return 0;
    int cap = m > 2 * w->cap ? m : 2 * w->cap;
    tqoi_obj_scratch_free(w);
    w->px = malloc((size_t)cap * sizeof(double));
    w->py = malloc((size_t)cap * sizeof(double));
    w->hull = malloc(tqoi_points_diameter_work(cap));
    w->kv = malloc((size_t)cap * sizeof(align_kv));
    if (!w->px || !w->py || !w->hull || !w->kv) {
        tqoi_obj_scratch_free(w);
        return -1;
    }
    w->cap = cap;
    return 0;
}

static double set_diameter(obj_geom *g, const int *set, int m, obj_scratch *w)
{
    if (!g->latlon) {
        for (int k = 0; k < m; k++) {
            w->px[k] = g->x[set[k]];
            w->py[k] = g->y[set[k]];
        }
        g->evals += m; /* the hull's work, about m log m comparisons */
        return tqoi_points_diameter(w->px, w->py, m, w->hull);
    }
    double best = 0;
    for (int a = 0; a < m; a++)
        for (int b = a + 1; b < m; b++)
            best = fmax(best, chord(g, set[a], set[b]));
    g->evals += (long)m * (m - 1) / 2;
    return chord_km(best);
}

/* Radius about the best centre unit. Centres are tried nearest the
   centroid first and units farthest from it first, so most centres are
   dropped after a few distances. */
static double set_radius(obj_geom *g, const int *set, int m, obj_scratch *w, int *centre)
{
    double sx = 0, sy = 0, sz = 0;
    for (int k = 0; k < m; k++) {
        int i = set[k];
        sx += g->latlon ? g->ux[i] : g->x[i];
        sy += g->latlon ? g->uy[i] : g->y[i];
        sz += g->latlon ? g->uz[i] : 0;
    }
    sx /= m, sy /= m, sz /= m;
    for (int k = 0; k < m; k++) {
        int i = set[k];
        double dx = (g->latlon ? g->ux[i] : g->x[i]) - sx, dy = (g->latlon ? g->uy[i] : g->y[i]) - sy;
        double dz = g->latlon ? g->uz[i] - sz : 0;
        w->kv[k] = (align_kv){dx * dx + dy * dy + dz * dz, i};
    }
    qsort(w->kv, (size_t)m, sizeof(align_kv), tqoi_align_kv_cmp);
    double best = INFINITY;
    int bestc = -1;
    for (int a = 0; a < m; a++) {
        int c = w->kv[a].v;
        double e = 0;
        for (int b = m - 1; b >= 0 && e <= best; b--)
            e = fmax(e, tqoi_obj_dist(g, c, w->kv[b].v));
        if (e < best || (e == best && c < bestc)) {
            best = e;
            bestc = c;
        }
    }
    if (centre)
        *centre = bestc;
    return best;
}

double tqoi_obj_set_value(obj_geom *g, int obj, const int *set, int m, obj_scratch *w, int *centre)
{
    if (centre)
        *centre = m > 0 ? set[0] : -1;
    if (m < 2)
        return 0;
    if (scratch_reserve(w, m) < 0)
        return -1;
    return obj == TQO_OBJECTIVE_CENTER ? set_radius(g, set, m, w, centre) : set_diameter(g, set, m, w);
}

double tqoi_obj_plan_value(obj_geom *g, int obj, const int *terr, int p, double *val, int *centre)
{
    int n = g->n;
    int *start = calloc((size_t)p + 2, sizeof(int)), *mem = malloc(((size_t)n + 1) * sizeof(int));
    obj_scratch w;
    memset(&w, 0, sizeof w);
    double best = mem && start ? 0 : -1;
    for (int i = 0; mem && start && i < n; i++)
        if (terr[i] >= 0 && terr[i] < p)
            start[terr[i] + 2]++;
    for (int j = 0; best >= 0 && j < p; j++)
        start[j + 2] += start[j + 1];
    for (int i = 0; best >= 0 && i < n; i++) /* in unit order: ties go to the smallest index */
        if (terr[i] >= 0 && terr[i] < p)
            mem[start[terr[i] + 1]++] = i;
    for (int j = 0; best >= 0 && j < p; j++) {
        int ctr = -1;
        double v = tqoi_obj_set_value(g, obj, mem + start[j], start[j + 1] - start[j], &w, &ctr);
        if (v < 0) {
            best = -1;
            break;
        }
        if (val)
            val[j] = v;
        if (centre)
            centre[j] = ctr;
        best = fmax(best, v);
    }
    tqoi_obj_scratch_free(&w);
    free(start);
    free(mem);
    return best;
}

int tqoi_obj_touches(const align_ctx *c, const int *asg, int w, int j, int not)
{
    for (int e = c->adj_start[w]; e < c->adj_start[w + 1]; e++)
        if (asg[c->adj[e]] == j && c->adj[e] != not)
            return 1;
    return 0;
}

int tqoi_obj_member_add(int **list, int *size, int *cap, int *pos, int j, int u)
{
    if (size[j] == cap[j]) {
        int c = cap[j] ? 2 * cap[j] : 16;
        int *l = realloc(list[j], (size_t)c * sizeof(int));
        if (!l)
            return -1;
        list[j] = l;
        cap[j] = c;
    }
    pos[u] = size[j];
    list[j][size[j]++] = u;
    return 0;
}

void tqoi_obj_member_remove(int **list, int *size, int *pos, int j, int u)
{
    int k = pos[u], last = list[j][--size[j]];
    list[j][k] = last;
    pos[last] = k;
}

int tqoi_obj_members_fill(const align_ctx *c, const int *asg, int nb, int **list, int *size, int *cap, int *pos,
                          double *load, double *moved)
{
    for (int i = 0; i < c->n; i++) {
        if (tqoi_obj_member_add(list, size, cap, pos, asg[i], i) < 0)
            return -1;
        for (int b = 0; b < nb; b++)
            load[asg[i] * nb + b] += c->a[b][i];
        if (c->current && c->current[i] >= 0 && c->current[i] != asg[i])
            *moved += c->a[0][i];
    }
    return 0;
}
