/*
 * Quotas in the column layouts quota tools import (see docs/format.md,
 * "Vendor layouts", for the sources and what is assumed):
 *
 *   varicent  Quota component,Territory ID,Period,Value   (Varicent Sales
 *             Planning's quota file; Period Q1..Q4 or January..December,
 *             left out for a yearly plan)
 *   xactly    Quota Name,Position Name,Period Name,Quota Value  (assumed
 *             from Incent's quota fields: one row per position and period)
 *   csv-long  territory_id,component,period,value  (tqo's own periods)
 */
#include "quota/quota_hierarchy.h"
#include "util/csv_writer.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};

const char *tqoi_quota_export_name(const char *fmt)
{
    if (!fmt)
        return NULL;
    if (strcasecmp(fmt, "varicent") == 0)
        return "quotas_varicent.csv";
    if (strcasecmp(fmt, "xactly") == 0)
        return "quotas_xactly.csv";
    if (strcasecmp(fmt, "csv-long") == 0)
        return "quotas_long.csv";
    return NULL;
}

/* Period k of the plan year as fmt names it. */
static void period_name(const char *fmt, const tqo_quota_result *r, int k, char *buf, size_t n)
{
    int ord = r->per_year == 1 ? r->plan_year : r->plan_year * r->per_year + k;
    if (strcasecmp(fmt, "csv-long") == 0) {
        tqo_period_format(r->kind, ord, buf, n);
    } else if (strcasecmp(fmt, "varicent") == 0) {
        if (r->per_year == 4)
            snprintf(buf, n, "Q%d", k + 1);
        else if (r->per_year == 12)
            snprintf(buf, n, "%s", months[k]);
        else
            buf[0] = 0;
    } else { /* xactly: calendar period names as Incent's default calendar shows them */
        if (r->per_year == 4)
            snprintf(buf, n, "Q%d-%d", k + 1, r->plan_year);
        else if (r->per_year == 12)
            snprintf(buf, n, "%.3s-%d", months[k], r->plan_year);
        else
            snprintf(buf, n, "%d", r->plan_year);
    }
}

int tqoi_quota_export(FILE *fp, const char *fmt, const char *component, const tqo_quota_result *r)
{
    if (!tqoi_quota_export_name(fmt))
        return -1;
    int varicent = strcasecmp(fmt, "varicent") == 0, yearly = r->per_year == 1;
    int longf = strcasecmp(fmt, "csv-long") == 0;
    if (varicent)
        fputs(yearly ? "Quota component,Territory ID,Value\n" : "Quota component,Territory ID,Period,Value\n", fp);
    else if (strcasecmp(fmt, "xactly") == 0)
        fputs("Quota Name,Position Name,Period Name,Quota Value\n", fp);
    else
        fputs("territory_id,component,period,value\n", fp);
    for (int j = 0; j < r->n_territories; j++)
        for (int k = 0; k < r->per_year; k++) {
            char per[32];
            period_name(fmt, r, k, per, sizeof per);
            double v = r->period_quota[(size_t)j * r->per_year + k];
            if (!longf) { /* the vendors: the quota's name first */
                tqoi_csv_put_field(fp, component);
                fputc(',', fp);
                tqoi_csv_put_field(fp, r->territory_id[j]);
            } else {
                tqoi_csv_put_field(fp, r->territory_id[j]);
                fputc(',', fp);
                tqoi_csv_put_field(fp, component);
            }
            if (!(varicent && yearly)) {
                fputc(',', fp);
                tqoi_csv_put_field(fp, per);
            }
            fprintf(fp, ",%.2f\n", v);
        }
    return 0;
}
