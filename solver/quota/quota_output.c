/* Writing a quota result: quotas.csv, quotas_by_period.csv and
   quota_summary.json, all through one output set. */
#include "util/csv_writer.h"
#include "util/json_writer.h"
#include "tqo.h"

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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
    if (!js) {
        tqo_diag_error(diag, "%s: cannot write the quota files", dir);
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
