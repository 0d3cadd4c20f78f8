/*
 * Peak-memory estimates and the check before the big allocations (see
 * memory_estimate.h). The constants come from peak RSS measured on
 * generated instances (docs/reliability.md, "Limits"); each is rounded up,
 * so the estimate errs on the large side.
 */
#define _GNU_SOURCE
#include "util/memory_estimate.h"
#include "util/fmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fitted constants, in bytes. */
#define MEM_BASE 48e6       /* the process: libraries, GDAL, GLPK, OpenMP */
#define MEM_UNIT 100.0      /* per unit: id, coordinates, indexes */
#define MEM_UNIT_COL 20.0   /* per unit and column of units.csv */
#define MEM_HIST_ROW 48.0   /* per history row, one value */
#define MEM_HIST_VALUE 12.0 /* per history row and further value */
#define MEM_EDGE 48.0       /* per adjacency pair */
#define MEM_GIS_FACTOR 3.0  /* GIS boundaries: times the file's size (not fitted) */
#define MEM_ALIGN_UNIT 200.0  /* align: per unit (assignment, candidates, local search) */
#define MEM_ALIGN_PAIR 2.0    /* align: per unit and territory (pricing, coarse copies) */
#define MEM_ALIGN_TERR2 8.0   /* align: per pair of territories */
#define MEM_ALIGN_THREAD_UNIT 48.0 /* align: per unit and thread */
#define MEM_MODEL_PAIR 40.0    /* the whole model in GLPK: per column */
#define MEM_MODEL_NONZERO 140.0 /* ... and per nonzero of the column */

double tqoi_mem_limit(const char *max_memory)
{
    if (max_memory) {
        char *end;
        errno = 0;
        double v = strtod(max_memory, &end);
        if (end == max_memory || errno || !(v >= 0) || !isfinite(v))
            return -1;
        const char *units = "KMGT";
        const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
        if (*end && (!u || (end[1] && strcasecmp(end + 1, "B") != 0)))
            return -1;
        for (const char *k = units; u && k <= u; k++)
            v *= 1024.0;
        return v;
    }
    double lim = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < lim)
        lim = (double)rl.rlim_cur;
    /* a container's limit (cgroup v2, then v1): "max" or a byte count */
    const char *cg[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(cg[i], "r");
        double v;
        if (f && fscanf(f, "%lf", &v) == 1 && v > 0 && v < lim)
            lim = v;
        if (f)
            fclose(f);
    }
    return lim;
}

/* Rows (lines after the header) and columns of a CSV file, from its size
   and its first 64 KB: exact for a small file, an extrapolation else. */
static int csv_shape(const char *dir, const char *name, double *rows, int *cols, double *size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *rows = 0;
    *cols = 0;
    *size = 0;
    struct stat st;
    FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
    if (!f)
        return 0;
    *size = (double)st.st_size;
    static _Thread_local char buf[65536];
    size_t got = fread(buf, 1, sizeof buf, f);
    fclose(f);
    size_t lines = 0, first = got;
    for (size_t i = 0; i < got; i++)
        if (buf[i] == '\n' && lines++ == 0)
            first = i;
    *cols = 1;
    for (size_t i = 0; i < first; i++)
        *cols += buf[i] == ',' || buf[i] == ';' || buf[i] == '\t';
    if (got < sizeof buf)
        *rows = lines > 0 ? (double)lines - 1 + (got && buf[got - 1] != '\n') : 0;
    else if (lines <= 1)
        /* a line longer than the sample: at most one row per 64 KB */
        *rows = *size / (double)sizeof buf + 1;
    else
        *rows = (*size - (double)first) * (double)(lines - 1) / (double)(got - first);
    return 1;
}

double tqoi_mem_load_bytes(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return MEM_BASE;
    if (!S_ISDIR(st.st_mode)) /* one file (commdis): its numbers, a few per byte */
        return MEM_BASE + 12.0 * (double)st.st_size;
    double need = MEM_BASE, rows, size;
    int cols;
    if (csv_shape(path, "units.csv", &rows, &cols, &size))
        need += rows * (MEM_UNIT + MEM_UNIT_COL * cols);
    if (csv_shape(path, "territories.csv", &rows, &cols, &size))
        need += rows * (MEM_UNIT + MEM_UNIT_COL * cols);
    if (csv_shape(path, "history.csv", &rows, &cols, &size))
        need += rows * (MEM_HIST_ROW + MEM_HIST_VALUE * (cols > 3 ? cols - 3 : 0));
    if (csv_shape(path, "adjacency.csv", &rows, &cols, &size))
        need += rows * MEM_EDGE;
    char gis[4096];
    snprintf(gis, sizeof gis, "%s/boundaries.geojson", path);
    if (stat(gis, &st) == 0)
        need += MEM_GIS_FACTOR * (double)st.st_size;
    return need;
}

double tqoi_mem_instance_bytes(const tqo_instance *inst)
{
    double n = inst->n_units;
    double need = MEM_BASE + n * (MEM_UNIT + MEM_UNIT_COL * (3 + inst->n_measures + inst->n_labels));
    need += (double)inst->n_territories * (MEM_UNIT + MEM_UNIT_COL * (4 + inst->n_territory_labels));
    if (inst->n_history_values > 0)
        need += n * inst->n_periods * (MEM_HIST_ROW + MEM_HIST_VALUE * (inst->n_history_values - 1));
    return need + (double)inst->n_edges * MEM_EDGE;
}

static int threads_of(int threads)
{
    return threads > 0 ? threads : omp_get_num_procs();
}

double tqoi_mem_align_bytes(int n, int p, int n_balance, int threads)
{
    double dn = n, dp = p;
    return dn * (MEM_ALIGN_UNIT + 8.0 * n_balance + MEM_ALIGN_THREAD_UNIT * threads_of(threads)) +
           dn * dp * MEM_ALIGN_PAIR + dp * dp * MEM_ALIGN_TERR2;
}

double tqoi_mem_scenarios_bytes(int n_scenarios, int p, int replicates, int n_years, int threads)
{
    /* As scenarios.c allocates: per scenario and territory the quotas,
       bounds and payouts, and per backtest year the same again; per wave
       of 4 x threads scenarios the replicates' metrics and payouts. */
    double n = n_scenarios, dp = p, R = replicates, nb = n_years > 0 ? n_years : 1;
    double m = TQO_SCENARIO_N_METRICS, th = threads_of(threads);
    double w = 4 * th < n ? 4 * th : n;
    double per_scen = dp * (17 + 17 * nb) + m * 8 * (3 + nb + 1) + 64;
    double wave = w * (R * m * 8 + (R / 64 + 1) * dp * 8);
    double thread = th * (dp * 256 + R * 32);
    return n * per_scen + wave + thread + R * 4 + nb * dp * 16;
}

/* "38.2 GB" / "512 MB", in units of 1024 as --max-memory reads them */
static void fmt_bytes(char *buf, size_t size, double b)
{
    double mb = b / (1024.0 * 1024.0);
    if (mb >= 1024)
        snprintf(buf, size, "%.1f GB", mb / 1024);
    else
        snprintf(buf, size, "%.0f MB", ceil(mb));
}

tqo_status tqoi_mem_check(const char *step, double need, const char *what, const char *max_memory,
                          tqo_diag *diag)
{
    double lim = tqoi_mem_limit(max_memory);
    if (lim < 0) {
        tqo_diag_error(diag, "option '--max-memory': '%s' is not a size (e.g. 512M, 4G, 0 for no check)",
                       max_memory);
        return TQO_ERR_ARG;
    }
    if (lim == 0 || need <= lim)
        return TQO_OK;
    char nb[32], lb[32];
    fmt_bytes(nb, sizeof nb, need);
    fmt_bytes(lb, sizeof lb, lim);
    if (max_memory)
        tqo_diag_error(diag, "%s needs about %s for %s; --max-memory allows %s", step, nb, what, lb);
    else
        tqo_diag_error(diag, "%s needs about %s for %s; this machine has %s available (--max-memory to change)",
                       step, nb, what, lb);
    return TQO_ERR_ARG;
}

tqo_status tqo_memory_check_load(const char *path, const char *max_memory, tqo_diag *diag)
{
    char what[4200];
    snprintf(what, sizeof what, "the instance %s", path);
    return tqoi_mem_check("loading", tqoi_mem_load_bytes(path), what, max_memory, diag);
}

tqo_status tqo_memory_check_align(const tqo_instance *inst, const tqo_align_settings *s, int whole_model,
                                  const char *max_memory, tqo_diag *diag)
{
    int p = s->k > 0 ? s->k : inst->n_territories > 0 ? inst->n_territories : inst->default_k;
    if (p < 1)
        p = 1;
    char nu[32], nt[32], what[128];
    tqoi_fmt_thousands(nu, sizeof nu, inst->n_units, "?");
    tqoi_fmt_thousands(nt, sizeof nt, p, "?");
    snprintf(what, sizeof what, "%s units x %s territories", nu, nt);
    double need = tqoi_mem_instance_bytes(inst) + tqoi_mem_align_bytes(inst->n_units, p, s->n_balance, s->threads);
    if (whole_model || s->exact) /* GLPK's columns of every pair (README: 417 MB at 10,000 x 100, 2 measures) */
        need += (double)inst->n_units * p * (MEM_MODEL_PAIR + MEM_MODEL_NONZERO * (1 + s->n_balance));
    return tqoi_mem_check("align", need, what, max_memory, diag);
}

tqo_status tqo_memory_check_scenarios(const tqo_instance *inst, int p, int n_scenarios, int replicates, int threads,
                                    const char *max_memory, tqo_diag *diag)
{
    int per_year = inst->period_kind > 0 ? (int)inst->period_kind : 1;
    int years = inst->n_periods / per_year + 1;
    char ns[32], nr[32], nt[32], what[160];
    tqoi_fmt_thousands(ns, sizeof ns, n_scenarios, "?");
    tqoi_fmt_thousands(nr, sizeof nr, replicates, "?");
    tqoi_fmt_thousands(nt, sizeof nt, p, "?");
    snprintf(what, sizeof what, "%s scenarios x %s replicates x %s territories", ns, nr, nt);
    double need = tqoi_mem_instance_bytes(inst) + tqoi_mem_scenarios_bytes(n_scenarios, p, replicates, years, threads);
    return tqoi_mem_check("scenarios", need, what, max_memory, diag);
}
