/* scenarios.csv and pay plans (see tqo.h). */
#include "tqo.h"
#include "util/csv_reader.h"
#include "quota/forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tqo_payout_parse(const char *s, tqo_payout_curve *c, char *err, size_t errsize)
{
    c->n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || *end != ':') {
            snprintf(err, errsize, "'%s' is not a curve of attainment:payout points like 50:0;100:100", s);
            return -1;
        }
        p = end + 1;
        double y = strtod(p, &end);
        if (end == p || (*end && *end != ';')) {
            snprintf(err, errsize, "'%s' is not a curve of attainment:payout points like 50:0;100:100", s);
            return -1;
        }
        if (!isfinite(x) || !isfinite(y) || x < 0 || y < 0) {
            snprintf(err, errsize, "point %g:%g: attainment and payout must be finite and non-negative", x, y);
            return -1;
        }
        if (c->n == 32) {
            snprintf(err, errsize, "more than 32 points");
            return -1;
        }
        if (c->n && x < c->x[c->n - 1]) {
            snprintf(err, errsize, "attainment %g comes after %g: points must not go back", x, c->x[c->n - 1]);
            return -1;
        }
        c->x[c->n] = x;
        c->y[c->n] = y;
        c->n++;
        p = *end ? end + 1 : end;
    }
    if (c->n == 0) {
        snprintf(err, errsize, "an empty curve");
        return -1;
    }
    return 0;
}

double tqo_payout_eval(const tqo_payout_curve *c, double a)
{
    if (a < c->x[0])
        return 0; /* nothing before the first point: reaching it earns its payout */
    /* the last point at or below a: at a step, the upper value counts */
    int k = 0;
    while (k + 1 < c->n && c->x[k + 1] <= a)
        k++;
    if (k + 1 == c->n)
        return c->y[k];
    double x0 = c->x[k], x1 = c->x[k + 1];
    return x1 > x0 ? c->y[k] + (c->y[k + 1] - c->y[k]) * (a - x0) / (x1 - x0) : c->y[k + 1];
}

void tqo_payout_format(const tqo_payout_curve *c, char *buf, size_t size)
{
    size_t used = 0;
    if (size)
        buf[0] = 0;
    for (int k = 0; k < c->n && used < size; k++) {
        int w = snprintf(buf + used, size - used, "%s%.15g:%.15g", k ? ";" : "", c->x[k], c->y[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void tqo_scenarios_free(tqo_scenario *s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i].name);
    free(s);
}

enum { C_NAME, C_GROWTH, C_TARGET, C_OVER, C_HW, C_MING, C_MAXG, C_FAIR, C_FC, C_INC, C_CURVE, C_N };
static const char *const COLS[C_N] = {"scenario", "growth", "target", "over_assign", "history_weight", "min_growth",
                                      "max_growth", "fairness", "forecast", "target_incentive", "payout_curve"};

typedef struct sacc {
    const tqo_quota_settings *def;
    double incentive;
    const tqo_payout_curve *curve;
    tqo_scenario *list;
    int n, cap;
    long *line;
    int col[C_N];
    int nomem;
} sacc;


static int number(csv_file *f, const csv_row *row, int c, double lo, double hi, double *out)
{
    const char *s = row->field[c];
    double v;
    int r = tqoi_csv_parse_number(s, &v);
    if (r != 0) {
        tqoi_csv_file_error(f, row->line, f->cols[c], "'%s' is not a number", s);
        return -1;
    }
    if (v < lo || v > hi) {
        tqoi_csv_file_error(f, row->line, f->cols[c], "%s is out of range [%g, %g]", s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int srow(void *ctx, csv_file *f, const csv_row *row)
{
    sacc *A = ctx;
    if (A->col[C_NAME] < 0) {
        for (int c = 0; c < f->n_cols; c++) {
            int known = -1;
            for (int k = 0; k < C_N; k++)
                if (strcasecmp(f->cols[c], COLS[k]) == 0)
                    known = k;
            if (known < 0) {
                tqoi_csv_file_error(f, 1, f->cols[c], "not a scenario column (scenario, growth, target, over_assign, "
                               "history_weight, min_growth, max_growth, fairness, forecast, target_incentive, "
                               "payout_curve)");
                return 1;
            }
            A->col[known] = c;
        }
        if (A->col[C_NAME] < 0) {
            tqoi_csv_file_error(f, 1, "scenario", "missing from the header");
            return 1;
        }
    }
    const char *name = row->field[A->col[C_NAME]];
    if (!*name) {
        tqoi_csv_file_error(f, row->line, "scenario", "empty name");
        return 0;
    }
    for (int i = 0; i < A->n; i++)
        if (strcmp(A->list[i].name, name) == 0) {
            tqoi_csv_file_error(f, row->line, "scenario", "'%s' appears twice (first on line %ld)", name, A->line[i]);
            return 0;
        }
    tqo_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.quota = *A->def;
    sc.target_incentive = A->incentive;
    sc.curve = *A->curve;
    int bad = 0;
    double v;
#define CELL(k) (A->col[k] >= 0 && *row->field[A->col[k]])
    if (CELL(C_GROWTH)) {
        if (number(f, row, A->col[C_GROWTH], -100, 1e6, &v) == 0) {
            sc.quota.growth_pct = v;
            sc.quota.target = 0; /* a growth given in the row wins over a default target */
        } else
            bad = 1;
    }
    if (CELL(C_GROWTH) && CELL(C_TARGET)) {
        /* as on the command line: one of them sets the total, never both */
        tqoi_csv_file_error(f, row->line, f->cols[A->col[C_TARGET]], "scenario '%s': a growth and a target: give one "
                       "of them", name);
        bad = 1;
    } else if (CELL(C_TARGET)) {
        if (number(f, row, A->col[C_TARGET], 1e-9, 1e18, &v) == 0) {
            sc.quota.target = v;
            sc.quota.growth_pct = NAN; /* a target given in the row wins over a default growth */
        } else
            bad = 1;
    }
    if (CELL(C_OVER))
        bad |= number(f, row, A->col[C_OVER], -100, 1e6, &sc.quota.over_assign_pct) != 0;
    if (CELL(C_HW)) {
        bad |= number(f, row, A->col[C_HW], 0, 1, &sc.quota.history_weight) != 0;
        /* without a potential the fair share is the forecast share alone:
           a weight would be ignored, so it is refused */
        if (!sc.quota.potential) {
            tqoi_csv_file_error(f, row->line, f->cols[A->col[C_HW]], "scenario '%s': a history weight needs a potential "
                           "(--potential COL): without one the fair share is the forecast share alone", name);
            bad = 1;
        }
    }
    if (CELL(C_MING))
        bad |= number(f, row, A->col[C_MING], -100, 1e6, &sc.quota.min_growth_pct) != 0;
    if (CELL(C_MAXG))
        bad |= number(f, row, A->col[C_MAXG], -100, 1e6, &sc.quota.max_growth_pct) != 0;
    if (CELL(C_FAIR)) {
        const char *s = row->field[A->col[C_FAIR]];
        if (strcmp(s, "sum") == 0)
            sc.quota.minimax = 0;
        else if (strcmp(s, "minimax") == 0)
            sc.quota.minimax = 1;
        else {
            tqoi_csv_file_error(f, row->line, f->cols[A->col[C_FAIR]], "'%s' is not sum or minimax", s);
            bad = 1;
        }
    }
    if (CELL(C_FC)) {
        forecast_method m;
        const char *s = row->field[A->col[C_FC]];
        if (tqoi_forecast_method_parse(s, &m))
            sc.quota.method = tqoi_forecast_method_name(m);
        else {
            tqoi_csv_file_error(f, row->line, f->cols[A->col[C_FC]],
                                "'%s' is not last, trend, holt, damped, seasonal, shrink or auto", s);
            bad = 1;
        }
    }
    if (CELL(C_INC))
        bad |= number(f, row, A->col[C_INC], 0, 1e12, &sc.target_incentive) != 0;
    if (CELL(C_CURVE)) {
        char why[200];
        if (tqo_payout_parse(row->field[A->col[C_CURVE]], &sc.curve, why, sizeof why) != 0) {
            tqoi_csv_file_error(f, row->line, f->cols[A->col[C_CURVE]], "%s", why);
            bad = 1;
        }
    }
#undef CELL
    if (!isnan(sc.quota.min_growth_pct) && !isnan(sc.quota.max_growth_pct) &&
        sc.quota.min_growth_pct > sc.quota.max_growth_pct) {
        tqoi_csv_file_error(f, row->line, "min_growth", "scenario '%s': min_growth %g is above max_growth %g", name,
                       sc.quota.min_growth_pct, sc.quota.max_growth_pct);
        bad = 1;
    }
    if (!bad && !(sc.quota.target > 0) && isnan(sc.quota.growth_pct)) {
        tqoi_csv_file_error(f, row->line, "growth", "scenario '%s' has neither a growth nor a target (and no default)",
                       name);
        bad = 1;
    }
    if (bad)
        return 0;
    if (A->n == A->cap) {
        int c = A->cap ? 2 * A->cap : 64;
        tqo_scenario *l = realloc(A->list, (size_t)c * sizeof *l);
        long *ln = l ? realloc(A->line, (size_t)c * sizeof *ln) : NULL;
        if (l)
            A->list = l;
        if (!l || !ln) {
            A->nomem = 1;
            return 1;
        }
        A->line = ln;
        A->cap = c;
    }
    if (!(sc.name = strdup(name))) {
        A->nomem = 1;
        return 1;
    }
    A->line[A->n] = row->line;
    A->list[A->n++] = sc;
    return 0;
}

tqo_status tqo_scenarios_load(const char *path, const tqo_quota_settings *defaults, double incentive,
                          const tqo_payout_curve *curve, tqo_scenario **out, int *n, tqo_diag *diag)
{
    *out = NULL;
    *n = 0;
    sacc A;
    memset(&A, 0, sizeof A);
    A.def = defaults;
    A.incentive = incentive;
    A.curve = curve;
    for (int k = 0; k < C_N; k++)
        A.col[k] = -1;
    csv_file f;
    tqoi_csv_file_init(&f, path, diag);
    tqo_status st = tqoi_csv_read(&f, srow, &A);
    if (A.nomem)
        st = TQO_ERR_NOMEM;
    if (st == TQO_OK && f.n_errors)
        st = TQO_ERR_INPUT;
    if (st == TQO_OK && A.n == 0) {
        tqoi_csv_file_error(&f, 0, NULL, "has no scenarios");
        st = TQO_ERR_INPUT;
    }
    tqoi_csv_file_finish(&f);
    tqoi_csv_file_free(&f);
    free(A.line);
    if (st != TQO_OK) {
        tqo_scenarios_free(A.list, A.n);
        return st;
    }
    *out = A.list;
    *n = A.n;
    return TQO_OK;
}
