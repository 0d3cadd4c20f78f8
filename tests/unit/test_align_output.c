/*
 * The files of `tqo align` (assignment.csv, territories.csv, summary.json,
 * map.svg) from a hand-built instance and result: exact headers, shares
 * that add up to 1 when read back, valid JSON, one circle per unit,
 * distinct colours for adjacent territories, and all-or-nothing writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "align/map_svg.h"
#include "tqo.h"

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */
/* ------------------------------------------------------------------ */

/* Ids that need CSV quoting or XML escaping, and one plain pattern. */
static char *unit_name(int i)
{
    char buf[32];
    if (i == 0)
        return strdup("A,\"1\"");
    if (i == 1)
        return strdup(" lead");
    if (i == 2)
        return strdup("<b>&");
    snprintf(buf, sizeof buf, "U%03d", i);
    return strdup(buf);
}

/* An nx x ny grid of units 1 km apart (or 0.01 degrees), measures pop and
   Work, a 'name' label, and the 4-neighbour grid as adjacency. */
static tqo_instance *grid_instance(int nx, int ny, tqo_coords coords, int adjacency)
{
    tqo_instance *inst = calloc(1, sizeof *inst);
    int n = nx * ny;
    inst->source = strdup("test-instance");
    inst->n_units = n;
    inst->unit_id = calloc((size_t)n, sizeof(char *));
    inst->coords = coords;
    inst->x = calloc((size_t)n, sizeof(double));
    inst->y = calloc((size_t)n, sizeof(double));
    inst->n_measures = 2;
    inst->measures = calloc(2, sizeof(tqo_measure));
    inst->measures[0].name = strdup("pop");
    inst->measures[1].name = strdup("Work");
    inst->n_labels = 1;
    inst->labels = calloc(1, sizeof(tqo_label));
    inst->labels[0].name = strdup("name");
    inst->labels[0].value = calloc((size_t)n, sizeof(char *));
    for (int m = 0; m < 2; m++)
        inst->measures[m].value = calloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) {
        int cx = i % nx, cy = i / nx;
        inst->unit_id[i] = unit_name(i);
        double step = coords == TQO_COORDS_LATLON ? 0.01 : 1.0;
        inst->x[i] = (coords == TQO_COORDS_LATLON ? 7.0 : 0.0) + cx * step;
        inst->y[i] = (coords == TQO_COORDS_LATLON ? 45.0 : 0.0) + cy * step;
        inst->measures[0].value[i] = 100 + i;
        inst->measures[1].value[i] = 1 + i % 3;
        char buf[32];
        snprintf(buf, sizeof buf, i == 5 ? "Town <%d>" : "Town %d", i);
        inst->labels[0].value[i] = strdup(buf);
    }
    if (adjacency) {
        inst->has_adjacency = 1;
        inst->adjacency_source = strdup("grid");
        inst->edge_u = malloc((size_t)(2 * n) * sizeof(int));
        inst->edge_v = malloc((size_t)(2 * n) * sizeof(int));
        for (int i = 0; i < n; i++) {
            /* (u, v) sorted: right neighbour before the one above. */
            if (i % nx + 1 < nx) {
                inst->edge_u[inst->n_edges] = i;
                inst->edge_v[inst->n_edges++] = i + 1;
            }
            if (i + nx < n) {
                inst->edge_u[inst->n_edges] = i;
                inst->edge_v[inst->n_edges++] = i + nx;
            }
        }
        assert_int_equal(tqo_instance_build_graph(inst), TQO_OK);
    }
    return inst;
}

/* Territories of bw x bh blocks of units; unit 3 split three ways and
   unit 4 in thirds. Totals, targets and deviations are computed from the
   assignment like a solver would. */
static tqo_align_result *block_result(const tqo_instance *inst, int nx, int bw, int bh, int splits)
{
    int n = inst->n_units, ny = n / nx;
    int tx = (nx + bw - 1) / bw, ty = (ny + bh - 1) / bh, p = tx * ty, nb = 2;
    tqo_align_result *r = calloc(1, sizeof *r);
    r->n_units = n;
    r->n_territories = p;
    r->n_balance = nb;
    r->territory_id = calloc((size_t)p, sizeof(char *));
    r->center_x = calloc((size_t)p, sizeof(double));
    r->center_y = calloc((size_t)p, sizeof(double));
    r->unit_start = calloc((size_t)n + 1, sizeof(int));
    r->terr = calloc((size_t)n + 8, sizeof(int));
    r->share = calloc((size_t)n + 8, sizeof(double));
    r->total = calloc((size_t)(p * nb), sizeof(double));
    r->target = calloc((size_t)(p * nb), sizeof(double));
    r->dev_pct = calloc((size_t)(p * nb), sizeof(double));
    r->compactness = calloc((size_t)p, sizeof(double));
    r->units_in = calloc((size_t)p, sizeof(int));
    for (int j = 0; j < p; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, j == 0 ? "T,%d" : "T%d", j);
        r->territory_id[j] = strdup(buf);
    }
    int *cnt = calloc((size_t)p, sizeof(int));
    int k = 0;
    for (int i = 0; i < n; i++) {
        int j = (i % nx) / bw + ((i / nx) / bh) * tx;
        r->unit_start[i] = k;
        if (splits && i == 3 && p >= 3) {
            /* Adding 1 - (0.2 + 0.13) back in this order misses 1 by an ulp. */
            double sh[3] = {0.2, 0.67, 0.13};
            for (int q = 0; q < 3; q++) {
                r->terr[k] = (j + q) % p;
                r->share[k++] = sh[q];
            }
        } else if (splits && i == 4 && p >= 2) {
            r->terr[k] = j;
            r->share[k++] = 1.0 / 3;
            r->terr[k] = (j + 1) % p;
            r->share[k++] = 2.0 / 3;
        } else {
            r->terr[k] = j;
            r->share[k++] = 1;
        }
    }
    r->unit_start[n] = k;
    for (int i = 0; i < n; i++) {
        for (int e = r->unit_start[i]; e < r->unit_start[i + 1]; e++) {
            int j = r->terr[e];
            r->units_in[j]++;
            for (int b = 0; b < nb; b++)
                r->total[j * nb + b] += r->share[e] * inst->measures[b].value[i];
            if (r->share[e] == 1 || e == r->unit_start[i]) {
                r->center_x[j] += inst->x[i];
                r->center_y[j] += inst->y[i];
                cnt[j]++;
            }
        }
    }
    for (int j = 0; j < p; j++) {
        r->center_x[j] /= cnt[j];
        r->center_y[j] /= cnt[j];
        r->compactness[j] = 10.5 * j;
    }
    for (int b = 0; b < nb; b++) {
        double sum = 0;
        for (int j = 0; j < p; j++)
            sum += r->total[j * nb + b];
        for (int j = 0; j < p; j++) {
            r->target[j * nb + b] = sum / p;
            r->dev_pct[j * nb + b] = 100 * (r->total[j * nb + b] / (sum / p) - 1);
            if (fabs(r->dev_pct[j * nb + b]) > r->max_dev_pct[b])
                r->max_dev_pct[b] = fabs(r->dev_pct[j * nb + b]);
        }
    }
    free(cnt);
    r->objective = 1234.5;
    r->lower_bound = 1200.25;
    r->gap = (r->objective - r->lower_bound) / r->objective;
    r->lp_splits = 3;
    r->splits = splits ? 2 : 0;
    snprintf(r->split_resolution, sizeof r->split_resolution, "subset MIP");
    r->n_exceptions = 1;
    r->exceptions = calloc(1, sizeof(tqo_exception));
    r->exceptions[0].territory = p - 1;
    r->exceptions[0].component = 1;
    r->exceptions[0].n_units = 1;
    r->exceptions[0].first_unit = n - 1;
    r->moved_units = 7;
    r->moved_share = 12.5;
    r->iterations = 4;
    r->sec_total = 0.75;
    snprintf(r->lp_status, sizeof r->lp_status, "optimal");
    snprintf(r->mip_status, sizeof r->mip_status, "optimal");
    return r;
}

/* The library frees the fields; the test allocated the struct itself. */
static void result_free(tqo_align_result *r)
{
    tqo_align_result_free(r);
    free(r);
}

static void settings(tqo_align_settings *s)
{
    memset(s, 0, sizeof *s);
    s->n_balance = 2;
    s->balance[0] = "pop";
    s->balance[1] = "work"; /* the file says "Work": outputs use that */
    s->balance_tol_pct[0] = 5;
    s->balance_tol_pct[1] = 2.5;
    s->max_moves_pct = -1;
    s->contiguity = 1;
    s->candidates = 8;
    s->starts = 3;
    s->seed = 42;
    s->threads = 2;
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/tqo_align_out_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static char *tqoi_path_join(const char *a, const char *b)
{
    char *s = malloc(strlen(a) + strlen(b) + 2);
    sprintf(s, "%s/%s", a, b);
    return s;
}

static char *read_all(const char *dir, const char *name)
{
    char *path = tqoi_path_join(dir, name);
    FILE *fp = fopen(path, "rb");
    free(path);
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    size_t got = fread(s, 1, (size_t)len, fp);
    s[got] = '\0';
    fclose(fp);
    return s;
}

/* Entries of a folder other than . and ..; -1 when it does not exist. */
static int count_entries(const char *dir, int *hidden)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    *hidden = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (e->d_name[0] == '.')
            (*hidden)++;
    }
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *p = tqoi_path_join(dir, e->d_name);
            struct stat sb;
            if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(p);
            else
                remove(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* A small CSV reader (RFC 4180 quoting) and a JSON validator          */
/* ------------------------------------------------------------------ */

#define MAXF 16
#define FLEN 128

/* The next record at *pp into f; returns its field count, 0 at the end. */
static int csv_next(const char **pp, char f[MAXF][FLEN])
{
    const char *p = *pp;
    if (!*p)
        return 0;
    int nf = 0;
    size_t len = 0;
    int quoted = 0;
    for (;;) {
        char c = *p;
        if (quoted) {
            assert_true(c != '\0');
            if (c == '"' && p[1] == '"') {
                f[nf][len++] = '"';
                p += 2;
            } else if (c == '"') {
                quoted = 0;
                p++;
            } else {
                f[nf][len++] = c;
                p++;
            }
            assert_true(len < FLEN);
            continue;
        }
        if (c == '"' && len == 0) {
            quoted = 1;
            p++;
        } else if (c == ',' || c == '\n' || c == '\0') {
            f[nf][len] = '\0';
            nf++;
            len = 0;
            assert_true(nf < MAXF);
            if (c != ',') {
                *pp = c ? p + 1 : p;
                return nf;
            }
            p++;
        } else {
            f[nf][len++] = c;
            p++;
            assert_true(len < FLEN);
        }
    }
}

static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *js_string(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p != '"'; p++) {
        if (*p == '\0' || (unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!isxdigit((unsigned char)p[k]))
                        return NULL;
                p += 4;
            } else if (*p == '\0' || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
    return p + 1;
}

static const char *js_digits(const char *p)
{
    if (!isdigit((unsigned char)*p))
        return NULL;
    while (isdigit((unsigned char)*p))
        p++;
    return p;
}

static const char *js_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (!(p = js_digits(p)))
        return NULL;
    if (*p == '.' && !(p = js_digits(p + 1)))
        return NULL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(p = js_digits(p)))
            return NULL;
    }
    return p;
}

static const char *js_items(const char *p, int depth, char close, int keyed)
{
    p = js_ws(p);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (keyed) {
            if (!(p = js_string(js_ws(p))))
                return NULL;
            p = js_ws(p);
            if (*p++ != ':')
                return NULL;
        }
        if (!(p = js_value(p, depth + 1)))
            return NULL;
        p = js_ws(p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *js_value(const char *p, int depth)
{
    p = js_ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '{')
        return js_items(p + 1, depth, '}', 1);
    if (*p == '[')
        return js_items(p + 1, depth, ']', 0);
    if (*p == '"')
        return js_string(p);
    if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    return js_number(p);
}

static int json_valid(const char *s)
{
    const char *p = js_value(s, 0);
    return p && *js_ws(p) == '\0';
}

static int count_substr(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
        n++;
    return n;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static tqo_status write_to(const char *dir, const tqo_instance *inst, const tqo_align_result *r, tqo_diag *d)
{
    tqo_align_settings s;
    settings(&s);
    tqo_diag_init(d);
    return tqo_align_write(inst, &s, r, dir, d);
}

/* Every unit once per territory entry, shares adding to exactly 1 in
   file order, whole units written as "1". */
static void assignment_reads_back(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(6, 4, TQO_COORDS_XY, 1);
    tqo_align_result *r = block_result(inst, 6, 2, 2, 1);
    char *tmp = temp_dir(), *out = tqoi_path_join(tmp, "out/nested");
    tqo_diag d;
    assert_int_equal(write_to(out, inst, r, &d), TQO_OK);
    assert_int_equal(d.n_errors, 0);
    tqo_diag_free(&d);

    char *text = read_all(out, "assignment.csv");
    assert_non_null(text);
    const char *p = text;
    char f[MAXF][FLEN];
    assert_int_equal(csv_next(&p, f), 3);
    assert_string_equal(f[0], "unit_id");
    assert_string_equal(f[1], "territory_id");
    assert_string_equal(f[2], "share");
    int n = inst->n_units;
    double *sum = calloc((size_t)n, sizeof(double));
    int *rows = calloc((size_t)n, sizeof(int));
    int nf;
    while ((nf = csv_next(&p, f)) > 0) {
        assert_int_equal(nf, 3);
        int i = tqo_instance_unit(inst, f[0]);
        assert_true(i >= 0); /* quoted ids come back as they were */
        int found = 0;
        for (int j = 0; j < r->n_territories; j++)
            found |= strcmp(r->territory_id[j], f[1]) == 0;
        assert_true(found);
        char *end;
        double v = strtod(f[2], &end);
        assert_true(*end == '\0' && v > 0 && v <= 1);
        if (r->unit_start[i + 1] - r->unit_start[i] == 1)
            assert_string_equal(f[2], "1");
        sum[i] += v;
        rows[i]++;
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(rows[i], r->unit_start[i + 1] - r->unit_start[i]);
        assert_true(sum[i] == 1.0);
    }
    assert_int_equal(rows[3], 3);
    assert_int_equal(rows[4], 2);
    assert_non_null(strstr(text, "\"A,\"\"1\"\"\",\"T,0\",1\n"));
    assert_non_null(strstr(text, "\" lead\","));

    /* Nothing but the four files: no temporary left behind. */
    int hidden;
    assert_int_equal(count_entries(out, &hidden), 4);
    assert_int_equal(hidden, 0);
    free(sum);
    free(rows);
    free(text);
    remove_tree(out);
    free(out);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

static void check_territories(tqo_coords coords, const char *header)
{
    tqo_instance *inst = grid_instance(4, 4, coords, 0);
    tqo_align_result *r = block_result(inst, 4, 2, 2, 0);
    char *tmp = temp_dir();
    tqo_diag d;
    assert_int_equal(write_to(tmp, inst, r, &d), TQO_OK);
    tqo_diag_free(&d);
    char *text = read_all(tmp, "territories.csv");
    assert_non_null(text);
    const char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_int_equal((size_t)(nl - text), strlen(header));
    assert_memory_equal(text, header, strlen(header));

    const char *p = nl + 1;
    char f[MAXF][FLEN];
    int rows = 0, nf;
    while ((nf = csv_next(&p, f)) > 0) {
        assert_int_equal(nf, 9);
        int j = rows++;
        assert_string_equal(f[0], r->territory_id[j]);
        double c1 = strtod(f[1], NULL), c2 = strtod(f[2], NULL);
        /* lat/lon order for geographic coordinates */
        double want1 = coords == TQO_COORDS_LATLON ? r->center_y[j] : r->center_x[j];
        double want2 = coords == TQO_COORDS_LATLON ? r->center_x[j] : r->center_y[j];
        assert_true(c1 == want1 && c2 == want2); /* round-trip exact */
        assert_int_equal(atoi(f[3]), 4);
        assert_true(strtod(f[4], NULL) == r->total[j * 2]);
        assert_true(strtod(f[5], NULL) == r->dev_pct[j * 2]);
        assert_true(strtod(f[6], NULL) == r->total[j * 2 + 1]);
        assert_true(strtod(f[7], NULL) == r->dev_pct[j * 2 + 1]);
        assert_true(fabs(strtod(f[8], NULL) - 10.5 * j) <= 1e-12);
    }
    assert_int_equal(rows, r->n_territories);
    free(text);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

static void territories_header_xy(void **state)
{
    (void)state;
    check_territories(TQO_COORDS_XY,
                      "territory_id,center_x,center_y,units,pop,pop_dev_pct,Work,Work_dev_pct,compactness");
}

static void territories_header_latlon(void **state)
{
    (void)state;
    check_territories(TQO_COORDS_LATLON,
                      "territory_id,center_lat,center_lon,units,pop,pop_dev_pct,Work,Work_dev_pct,compactness");
}

static void summary_is_json(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(6, 4, TQO_COORDS_XY, 1);
    tqo_align_result *r = block_result(inst, 6, 2, 2, 1);
    char *tmp = temp_dir();
    tqo_diag d;
    assert_int_equal(write_to(tmp, inst, r, &d), TQO_OK);
    tqo_diag_free(&d);
    char *text = read_all(tmp, "summary.json");
    assert_non_null(text);
    assert_true(json_valid(text));
    assert_false(json_valid("{\"a\": 1,}"));
    static const char *const keys[] = {
        "\"tqo_version\": \"" TQO_VERSION "\"", "\"instance\": \"test-instance\"", "\"objective\": 1234.5",
        "\"lower_bound\": 1200.25", "\"gap\": ", "\"max_abs_dev_pct\": {", "\"pop\": ", "\"Work\": ",
        "\"splits\": {", "\"lp\": 3", "\"resolution\": \"subset MIP\"", "\"contiguity_exceptions\": [",
        "\"territory\": \"T5\"", "\"island_units\": 1", "\"first_unit\": \"U023\"", "\"moved\": {",
        "\"share_pct\": 12.5", "\"iterations\": 4", "\"seconds\": {", "\"total\": 0.75", "\"solver_status\": {",
        "\"parameters\": {", "\"adjacency\": \"grid\"", "\"tolerance_pct\": 2.5", "\"allow_splits\": false",
        "\"max_moves_pct\": -1", "\"contiguity\": true", "\"exact\": false", "\"time_limit\": 0",
        "\"candidates\": 8", "\"starts\": 3", "\"seed\": 42", "\"threads\": 2", "\"weight\": \"pop\"",
        "\"command\": \"tqo align test-instance --balance pop:5 --balance work:2.5",
    };
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        if (!strstr(text, keys[k]))
            fprintf(stderr, "missing %s\n", keys[k]);
        assert_non_null(strstr(text, keys[k]));
    }
    free(text);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

/* Adjacent territories (through a unit edge) never share a colour. */
static void check_colouring(const tqo_instance *inst, const tqo_align_result *r, int ne, const int *eu,
                            const int *ev)
{
    int *colour = malloc((size_t)r->n_territories * sizeof(int));
    int used = tqoi_territory_colours(inst, r, colour);
    assert_true(used >= 2 && used <= r->n_territories);
    int conflicts = 0, pairs = 0;
    for (int e = 0; e < ne; e++) {
        int a = tqoi_unit_main_territory(r, eu[e]), b = tqoi_unit_main_territory(r, ev[e]);
        if (a != b) {
            pairs++;
            conflicts += colour[a] == colour[b];
        }
    }
    assert_true(pairs > 0);
    assert_int_equal(conflicts, 0);
    for (int j = 0; j < r->n_territories; j++)
        assert_true(colour[j] >= 0 && colour[j] < TQO_PALETTE_SIZE);
    free(colour);
}

static void colours_grid(void **state)
{
    (void)state;
    /* 12 x 12 units, 3 x 2 blocks: 4 x 6 territories. */
    tqo_instance *inst = grid_instance(12, 12, TQO_COORDS_XY, 1);
    tqo_align_result *r = block_result(inst, 12, 3, 2, 0);
    check_colouring(inst, r, inst->n_edges, inst->edge_u, inst->edge_v);
    result_free(r);
    tqo_instance_free(inst);

    /* Without adjacency the Delaunay neighbours count (diagonals too). */
    inst = grid_instance(12, 12, TQO_COORDS_LATLON, 0);
    r = block_result(inst, 12, 3, 2, 1);
    int ne, *eu, *ev;
    assert_int_equal(tqo_delaunay(inst->n_units, inst->x, inst->y, inst->coords, &ne, &eu, &ev, NULL), TQO_OK);
    check_colouring(inst, r, ne, eu, ev);
    free(eu);
    free(ev);
    result_free(r);
    tqo_instance_free(inst);
}

/* A hub territory touching all others: every colour differs from it. */
static void colours_star(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(21, 1, TQO_COORDS_XY, 0);
    inst->has_adjacency = 1;
    inst->edge_u = malloc(20 * sizeof(int));
    inst->edge_v = malloc(20 * sizeof(int));
    for (int i = 1; i <= 20; i++) {
        inst->edge_u[inst->n_edges] = 0;
        inst->edge_v[inst->n_edges++] = i;
    }
    assert_int_equal(tqo_instance_build_graph(inst), TQO_OK);
    tqo_align_result *r = block_result(inst, 21, 1, 1, 0); /* one territory per unit */
    int colour[21];
    int used = tqoi_territory_colours(inst, r, colour);
    assert_true(used >= 2);
    for (int j = 1; j < 21; j++)
        assert_true(colour[j] != colour[0]);
    result_free(r);
    tqo_instance_free(inst);
}

static void svg_one_circle_per_unit(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(9, 7, TQO_COORDS_LATLON, 1);
    tqo_align_result *r = block_result(inst, 9, 3, 3, 1);
    char *tmp = temp_dir();
    tqo_diag d;
    assert_int_equal(write_to(tmp, inst, r, &d), TQO_OK);
    tqo_diag_free(&d);
    char *svg = read_all(tmp, "map.svg");
    assert_non_null(svg);
    assert_int_equal(strncmp(svg, "<?xml", 5), 0);
    assert_non_null(strstr(svg, "</svg>\n"));
    assert_int_equal(count_substr(svg, "<circle "), inst->n_units);
    assert_int_equal(count_substr(svg, "</circle>"), inst->n_units);
    assert_int_equal(count_substr(svg, "<path class=\"x\""), r->n_territories); /* centre stars */
    assert_null(strstr(svg, "style=\""));
    assert_null(strstr(svg, "fill=\""));
    assert_non_null(strstr(svg, ".c0{fill:#"));
    /* Escaped text: ids and labels with markup characters. */
    assert_non_null(strstr(svg, "<title>&lt;b&gt;&amp; (Town 2): T,0</title>"));
    assert_non_null(strstr(svg, "(Town &lt;5&gt;)"));
    assert_non_null(strstr(svg, "<title>A,\"1\" (Town 0): T,0</title>"));
    /* The split units are outlined and list their shares. */
    assert_int_equal(count_substr(svg, "<circle class=\"s\""), 2);
    assert_non_null(strstr(svg, "T1 33.3%, T2 66.7%"));
    /* Legend: one swatch per territory, with the measure names. */
    assert_int_equal(count_substr(svg, "width=\"10\" height=\"10\""), r->n_territories);
    assert_non_null(strstr(svg, "; Work "));
    free(svg);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

/* A folder that cannot be made: an error, and nothing written anywhere. */
static void unwritable_leaves_nothing(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(4, 4, TQO_COORDS_XY, 1);
    tqo_align_result *r = block_result(inst, 4, 2, 2, 1);
    char *tmp = temp_dir();
    char *file = tqoi_path_join(tmp, "plain-file");
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    char *out = tqoi_path_join(file, "out");
    tqo_diag d;
    assert_int_equal(write_to(out, inst, r, &d), TQO_ERR_IO);
    assert_true(d.n_errors >= 1);
    assert_non_null(strstr(tqo_diag_first_error(&d), "assignment.csv"));
    tqo_diag_free(&d);
    int hidden;
    assert_int_equal(count_entries(tmp, &hidden), 1);

    /* Without write permission (root ignores it, so only as a user). */
    if (geteuid() != 0) {
        char *ro = tqoi_path_join(tmp, "readonly");
        assert_int_equal(mkdir(ro, 0555), 0);
        char *sub = tqoi_path_join(ro, "out");
        assert_int_equal(write_to(sub, inst, r, &d), TQO_ERR_IO);
        tqo_diag_free(&d);
        assert_int_equal(count_entries(ro, &hidden), 0);
        chmod(ro, 0755);
        free(sub);
        free(ro);
    }
    free(out);
    free(file);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

/* A result that does not add up is refused before any file is made. */
static void inconsistent_result_refused(void **state)
{
    (void)state;
    tqo_instance *inst = grid_instance(4, 4, TQO_COORDS_XY, 1);
    tqo_align_result *r = block_result(inst, 4, 2, 2, 0);
    char *tmp = temp_dir(), *out = tqoi_path_join(tmp, "out");
    tqo_diag d;
    r->share[5] = 0.5;
    assert_int_equal(write_to(out, inst, r, &d), TQO_ERR_ARG);
    assert_non_null(strstr(tqo_diag_first_error(&d), "'U005'"));
    tqo_diag_free(&d);
    r->share[5] = 1;
    r->terr[6] = r->n_territories;
    assert_int_equal(write_to(out, inst, r, &d), TQO_ERR_ARG);
    tqo_diag_free(&d);
    int hidden;
    assert_int_equal(count_entries(out, &hidden), -1);
    free(out);
    remove_tree(tmp);
    free(tmp);
    result_free(r);
    tqo_instance_free(inst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(assignment_reads_back),
        cmocka_unit_test(territories_header_xy),
        cmocka_unit_test(territories_header_latlon),
        cmocka_unit_test(summary_is_json),
        cmocka_unit_test(colours_grid),
        cmocka_unit_test(colours_star),
        cmocka_unit_test(svg_one_circle_per_unit),
        cmocka_unit_test(unwritable_leaves_nothing),
        cmocka_unit_test(inconsistent_result_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
