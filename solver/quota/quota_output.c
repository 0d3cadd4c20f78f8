/* Writing a quota result: quotas.csv, quotas_by_period.csv and
   quota_summary.json, all through one output set. */
#include "quota/quota_hierarchy.h"
#include "quota/quota_history.h"
#include "util/csv_writer.h"
#include "util/json_writer.h"
#include "tqo.h"

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

/* An amount, or an empty cell for NAN. */
static void put_opt(FILE *fp, double v)
{
    fputc(',', fp);
    if (!isnan(v))
        tqoi_csv_put_money(fp, v);
}

void tqoi_qh_write_rollup(FILE *fp, const tqo_quota_result *r)
{
    fputs("node_id,level,parent_id,depth,quota,children_sum,over_assign_pct,last_year,growth_pct,min,max,target,"
          "top_down,submitted,reconciled,gap_to_submitted,gap_to_top_down\n", fp);
    for (int v = 0; v < r->n_nodes; v++) {
        const tqo_quota_node *n = &r->nodes[v];
        tqoi_csv_put_field(fp, n->id);
        fputc(',', fp);
        tqoi_csv_put_field(fp, n->level);
        fputc(',', fp);
        if (n->parent >= 0)
            tqoi_csv_put_field(fp, r->nodes[n->parent].id);
        fprintf(fp, ",%d,", n->depth);
        tqoi_csv_put_money(fp, n->quota);
        put_opt(fp, n->children_sum);
        fputc(',', fp);
        tqoi_csv_put_num(fp, n->over_assign_pct);
        put_opt(fp, n->last_year);
        fputc(',', fp);
        if (!isnan(n->growth_pct))
            tqoi_csv_put_num(fp, round(n->growth_pct * 1e4) / 1e4);
        put_opt(fp, n->lo);
        put_opt(fp, n->hi);
        put_opt(fp, n->target);
        put_opt(fp, n->top_down);
        put_opt(fp, n->submitted);
        put_opt(fp, n->reconciled);
        put_opt(fp, isnan(n->submitted) ? NAN : n->quota - n->submitted);
        put_opt(fp, n->quota - n->top_down);
        fputc('\n', fp);
    }
}

/* quota_summary.json's "hierarchy": its size and the submissions. */
static void put_hierarchy_json(jw *w, const tqo_quota_settings *s, const tqo_quota_result *r)
{
    int levels = 0, submitted = 0;
    for (int v = 0; v < r->n_nodes; v++) {
        levels = r->nodes[v].depth > levels ? r->nodes[v].depth : levels;
        submitted += !isnan(r->nodes[v].submitted);
    }
    tqoi_jw_object(w, "hierarchy");
    tqoi_jw_int(w, "nodes", r->n_nodes);
    tqoi_jw_int(w, "levels", levels); /* below the company, the territories included */
    tqoi_jw_int(w, "submissions", submitted);
    tqoi_jw_string(w, "rollup", "quotas_rollup.csv");
    tqoi_jw_string(w, "hierarchy_file", s->hierarchy);
    tqoi_jw_string(w, "nodes_file", s->nodes);
    tqoi_jw_string(w, "submissions_file", s->submissions);
    tqoi_jw_object_end(w);
}

/* The files only some runs write: the roll-up and a vendor layout (NULL: none). */
static void put_extras(FILE *ru, FILE *xf, const tqo_quota_settings *s, const tqo_quota_result *r)
{
    if (ru)
        tqoi_qh_write_rollup(ru, r);
    if (xf)
        tqoi_quota_export(xf, s->export_format, s->value ? s->value : "sales", r);
}

static const char *bound_name(char b)
{
    return b == 'l' ? "min" : b == 'u' ? "max" : "";
}

tqo_status tqo_quota_write(const tqo_instance *inst, const tqo_quota_settings *s, const tqo_quota_result *r,
                           const char *assignment, const char *dir, tqo_diag *diag)
{
    tqo_outset *o = tqo_outset_new(dir);
    FILE *q = o ? tqo_outset_open(o, "quotas.csv") : NULL;
    FILE *pq = q ? tqo_outset_open(o, "quotas_by_period.csv") : NULL;
    FILE *js = pq ? tqo_outset_open(o, "quota_summary.json") : NULL;
    /* the hierarchy's roll-up and a vendor layout, only when asked for:
       the three files above stay as they were */
    FILE *ru = js && r->nodes ? tqo_outset_open(o, "quotas_rollup.csv") : NULL;
    const char *xname = tqoi_quota_export_name(s->export_format);
    FILE *xf = js && xname ? tqo_outset_open(o, xname) : NULL;
    if (s->export_format && !xname) {
        tqo_diag_error(diag, "--export '%s': expected varicent, xactly or csv-long", s->export_format);
        tqo_outset_abort(o);
        return TQO_ERR_ARG;
    }
    if (!js || (r->nodes && !ru) || (xname && !xf)) {
        tqo_diag_error(diag, "%s: cannot write the quota files: %s", dir, strerror(errno));
        tqo_outset_abort(o);
        return TQO_ERR_IO;
    }
    int p = r->n_territories;
    fputs("territory_id,region,quota,last_year,forecast,potential,fair_share,growth_pct,bound", q);
    if (r->has_actual)
        fputs(",actual,attainment_pct", q);
    fputc('\n', q);
    for (int j = 0; j < p; j++) {
        tqoi_csv_put_field(q, r->territory_id[j]);
        fputc(',', q);
        tqoi_csv_put_field(q, r->region[j]);
        fputc(',', q);
        tqoi_csv_put_money(q, r->quota[j]);
        fputc(',', q);
        tqoi_csv_put_money(q, r->last_year[j]);
        fputc(',', q);
        tqoi_csv_put_money(q, r->forecast[j]);
        fputc(',', q);
        tqoi_csv_put_num(q, r->potential[j]);
        fputc(',', q);
        tqoi_csv_put_num(q, r->fair_share[j]);
        fputc(',', q);
        tqoi_csv_put_num(q, r->growth_pct[j]);
        fputc(',', q);
        fputs(bound_name(r->bound[j]), q);
        if (r->has_actual) {
            fputc(',', q);
            tqoi_csv_put_money(q, r->actual[j]);
            fputc(',', q);
            tqoi_csv_put_num(q, r->attainment_pct[j]);
        }
        fputc('\n', q);
    }
    fputs("territory_id,period,quota\n", pq);
    for (int j = 0; j < p; j++)
        for (int k = 0; k < r->per_year; k++) {
            char lab[16];
            int ord = r->per_year == 1 ? r->plan_year : r->plan_year * r->per_year + k;
            tqo_period_format(r->kind, ord, lab, sizeof lab);
            tqoi_csv_put_field(pq, r->territory_id[j]);
            fprintf(pq, ",%s,%.2f\n", lab, r->period_quota[(size_t)j * r->per_year + k]);
        }
    put_extras(ru, xf, s, r);
    double sum = 0;
    for (int j = 0; j < p; j++)
        sum += r->quota[j];
    jw w;
    tqoi_jw_init(&w, js);
    tqoi_jw_object(&w, NULL);
    tqoi_jw_string(&w, "tqo_version", TQO_VERSION);
    tqoi_jw_string(&w, "instance", inst->source);
    tqoi_jw_string(&w, "assignment", assignment ? assignment : "current plan");
    tqoi_jw_int(&w, "plan_year", r->plan_year);
    tqoi_jw_int(&w, "territories", p);
    tqoi_jw_number(&w, "target", r->target);
    tqoi_jw_number(&w, "sum_of_quotas", round(sum * 100) / 100);
    tqoi_jw_number(&w, "over_assignment_pct", s->over_assign_pct);
    tqoi_jw_number(&w, "quota_total", r->total);
    tqoi_jw_object(&w, "forecast");
    tqoi_jw_string(&w, "method", r->method);
    tqoi_jw_int(&w, "complete_years", r->n_years);
    tqoi_jw_int(&w, "first_year", r->first_year);
    tqoi_jw_array(&w, "backtest");
    static const char *names[] = {"last", "trend", "holt"};
    for (int m = 0; m < 3; m++) {
        tqoi_jw_object(&w, NULL);
        tqoi_jw_string(&w, "method", names[m]);
        tqoi_jw_number(&w, "mape_pct", r->mape[m]);
        tqoi_jw_number(&w, "mase", r->mase[m]);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_array_end(&w);
    tqoi_jw_array(&w, "fold_training_years");
    for (int f = 0; f < r->n_folds; f++)
        tqoi_jw_int(&w, NULL, r->fold_train_years[f]);
    tqoi_jw_array_end(&w);
    tqoi_quota_pool_json(&w, r); /* every method against the naive quota */
    tqoi_jw_object_end(&w);
    tqoi_jw_number(&w, "objective", r->objective);
    tqoi_jw_string(&w, "objective_kind", s->minimax ? "max relative deviation" : "sum of relative deviations");
    tqoi_jw_string(&w, "lp_status", r->lp_status);
    tqoi_jw_array(&w, "binding_bounds");
    for (int j = 0; j < p; j++)
        if (r->bound[j]) {
            tqoi_jw_object(&w, NULL);
            tqoi_jw_string(&w, "territory_id", r->territory_id[j]);
            tqoi_jw_string(&w, "bound", bound_name(r->bound[j]));
            tqoi_jw_object_end(&w);
        }
    tqoi_jw_array_end(&w);
    tqoi_jw_int(&w, "territories_without_history", r->n_no_history);
    if (r->nodes)
        put_hierarchy_json(&w, s, r);
    if (r->has_actual) {
        tqoi_jw_object(&w, "replay");
        tqoi_jw_number(&w, "share_at_or_above_quota", r->share_at_quota);
        tqoi_jw_number(&w, "attainment_median_pct", r->attainment_median);
        tqoi_jw_number(&w, "attainment_p10_pct", r->attainment_p10);
        tqoi_jw_number(&w, "attainment_p90_pct", r->attainment_p90);
        tqoi_jw_number(&w, "mape_quota_pct", r->mape_quota);
        tqoi_jw_number(&w, "mape_naive_pct", r->mape_naive);
        tqoi_jw_object_end(&w);
    }
    tqoi_jw_object(&w, "parameters");
    tqoi_jw_string(&w, "value", s->value);
    tqoi_jw_string(&w, "potential", s->potential);
    tqoi_jw_string(&w, "history_until", s->history_until);
    tqoi_jw_int(&w, "plan_period", s->plan_year);
    tqoi_jw_string(&w, "forecast", s->method);
    if (s->target > 0)
        tqoi_jw_number(&w, "target", s->target);
    else
        tqoi_jw_number(&w, "growth_pct", s->growth_pct);
    tqoi_jw_number(&w, "over_assign_pct", s->over_assign_pct);
    /* as used: without a potential the fair shares are the forecast shares */
    tqoi_jw_number(&w, "history_weight", s->potential ? s->history_weight : 1.0);
    tqoi_jw_number(&w, "min_growth_pct", s->min_growth_pct);
    tqoi_jw_number(&w, "max_growth_pct", s->max_growth_pct);
    tqoi_jw_string(&w, "fairness", s->minimax ? "minimax" : "sum");
    tqoi_jw_int(&w, "min_train_years", s->min_train_years);
    tqoi_jw_string(&w, "region_col", s->region_col);
    tqoi_jw_object(&w, "region_targets");
    for (int k = 0; k < s->n_region_targets; k++)
        tqoi_jw_number(&w, s->region_names[k], s->region_targets[k]);
    tqoi_jw_object_end(&w);
    tqoi_jw_object_end(&w);
    tqoi_jw_object_end(&w);
    tqoi_jw_finish(&w);
    return tqo_outset_commit(o, diag);
}
