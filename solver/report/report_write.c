/* The public entry of the planning report (tqo_report_write in tqo.h);
   the document itself is built in report_html.c. */
#include "report/report_html.h"
#include "tqo.h"

tqo_status tqo_report_write(FILE *fp, const tqo_report_input *in, tqo_diag *diag)
{
    if (!fp) {
        tqo_diag_error(diag, "report.html: no file to write to");
        return TQO_ERR_ARG;
    }
    return tqoi_report_html_write(fp, in, diag);
}
