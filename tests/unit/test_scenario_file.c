/* Pay curves and scenarios.csv: values, steps, caps; errors that name the
   line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tqo.h"

#define close_to(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9)

static void curve_values(void **state)
{
    (void)state;
    tqo_payout_curve c;
    char err[200];
    assert_int_equal(tqo_payout_parse("50:0;100:100;150:250;200:250", &c, err, sizeof err), 0);
    close_to(tqo_payout_eval(&c, 40), 0);
    close_to(tqo_payout_eval(&c, 50), 0);
    close_to(tqo_payout_eval(&c, 75), 50);
    close_to(tqo_payout_eval(&c, 100), 100);
    close_to(tqo_payout_eval(&c, 125), 175);
    close_to(tqo_payout_eval(&c, 300), 250); /* capped */
    assert_int_equal(tqo_payout_parse("80:0;80:20;100:100", &c, err, sizeof err), 0);
    close_to(tqo_payout_eval(&c, 79.9), 0);
    close_to(tqo_payout_eval(&c, 80), 20); /* the step is earned at 80 */
    close_to(tqo_payout_eval(&c, 90), 60);
}

static void curve_errors(void **state)
{
    (void)state;
    tqo_payout_curve c;
    char err[200];
    assert_int_equal(tqo_payout_parse("50:0;40:10", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "must not go back"));
    assert_int_equal(tqo_payout_parse("50-0", &c, err, sizeof err), -1);
    assert_int_equal(tqo_payout_parse("", &c, err, sizeof err), -1);
    assert_int_equal(tqo_payout_parse("50:-1", &c, err, sizeof err), -1);
}

static const char *load_first_error(const char *text, int *n_out)
{
    static char buf[512], path[128];
    snprintf(path, sizeof path, "/tmp/tqo_test_scen_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    tqo_quota_settings def;
    tqo_quota_settings_default(&def);
    def.growth_pct = 5;
    tqo_payout_curve curve;
    char err[100];
    tqo_payout_parse("50:0;100:100", &curve, err, sizeof err);
    tqo_scenario *s;
    int n;
    tqo_diag d;
    tqo_diag_init(&d);
    tqo_status st = tqo_scenarios_load(path, &def, 1000, &curve, &s, &n, &d);
    buf[0] = '\0';
    if (st != TQO_OK)
        snprintf(buf, sizeof buf, "%s", tqo_diag_first_error(&d) + strlen(path));
    else
        tqo_scenarios_free(s, n);
    *n_out = st == TQO_OK ? n : -1;
    tqo_diag_free(&d);
    remove(path);
    return buf;
}

static void scenarios_with_defaults(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/tqo_test_scen2_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    fputs("scenario,growth,history_weight,fairness,forecast,target_incentive,payout_curve\n"
          "base,,,,,,\n"
          "bold,15,1,minimax,trend,5000,\"80:0;80:20;100:100\"\n",
          fp);
    fclose(fp);
    tqo_quota_settings def;
    tqo_quota_settings_default(&def);
    def.growth_pct = 5;
    def.potential = "accounts"; /* a history weight needs a potential */
    tqo_payout_curve curve;
    char err[100];
    tqo_payout_parse("50:0;100:100", &curve, err, sizeof err);
    tqo_scenario *s;
    int n;
    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqo_scenarios_load(path, &def, 1000, &curve, &s, &n, &d), TQO_OK);
    assert_int_equal(n, 2);
    assert_string_equal(s[0].name, "base");
    close_to(s[0].quota.growth_pct, 5);
    close_to(s[0].quota.history_weight, 0.7);
    close_to(s[0].target_incentive, 1000);
    close_to(s[1].quota.growth_pct, 15);
    assert_int_equal(s[1].quota.minimax, 1);
    assert_string_equal(s[1].quota.method, "trend");
    close_to(tqo_payout_eval(&s[1].curve, 80), 20);
    tqo_scenarios_free(s, n);
    tqo_diag_free(&d);
    remove(path);
}

static void scenario_errors(void **state)
{
    (void)state;
    int n;
    assert_string_equal(load_first_error("scenario,growth\na,1\nb,abc\n", &n),
                        ":3: column 'growth': 'abc' is not a number");
    assert_string_equal(load_first_error("scenario,growth\na,1\na,2\n", &n),
                        ":3: column 'scenario': 'a' appears twice (first on line 2)");
    assert_string_equal(load_first_error("scenario,grwoth\na,1\n", &n),
                        ":1: column 'grwoth': not a scenario column (scenario, growth, target, over_assign, "
                        "history_weight, min_growth, max_growth, fairness, forecast, target_incentive, payout_curve)");
    assert_string_equal(load_first_error("scenario,payout_curve\na,\"100:0;50:1\"\n", &n),
                        ":2: column 'payout_curve': attainment 50 comes after 100: points must not go back");
    assert_string_equal(load_first_error("scenario,history_weight\na,1.5\n", &n),
                        ":2: column 'history_weight': 1.5 is out of range [0, 1]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(curve_values),
        cmocka_unit_test(curve_errors),
        cmocka_unit_test(scenarios_with_defaults),
        cmocka_unit_test(scenario_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
