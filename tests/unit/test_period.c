/* Period labels: parsing, formatting, ordinals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tqo.h"

static void parses_each_granularity(void **state)
{
    (void)state;
    tqo_period_kind k;
    int o;
    assert_true(tqo_period_parse("2017", &k, &o));
    assert_int_equal(k, TQO_PERIOD_YEAR);
    assert_int_equal(o, 2017);
    assert_true(tqo_period_parse("2017Q3", &k, &o));
    assert_int_equal(k, TQO_PERIOD_QUARTER);
    assert_int_equal(o, 2017 * 4 + 2);
    assert_true(tqo_period_parse("2017-09", &k, &o));
    assert_int_equal(k, TQO_PERIOD_MONTH);
    assert_int_equal(o, 2017 * 12 + 8);
    assert_int_equal(tqo_period_year(TQO_PERIOD_MONTH, o), 2017);
}

static void consecutive_periods_have_consecutive_ordinals(void **state)
{
    (void)state;
    tqo_period_kind k;
    int a, b;
    assert_true(tqo_period_parse("2016Q4", &k, &a));
    assert_true(tqo_period_parse("2017Q1", &k, &b));
    assert_int_equal(b, a + 1);
    assert_true(tqo_period_parse("2016-12", &k, &a));
    assert_true(tqo_period_parse("2017-01", &k, &b));
    assert_int_equal(b, a + 1);
}

static void rejects_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"", "17", "2017Q0", "2017Q5", "2017-00", "2017-13", "2017-1", "2017Q", "2017 ",
                         "20a7", "2017-011", "2017/01", "Q1 2017", "0999"};
    tqo_period_kind k;
    int o;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(tqo_period_parse(bad[i], &k, &o));
}

static void format_round_trips(void **state)
{
    (void)state;
    const char *labels[] = {"2014", "2014Q1", "2017Q4", "2020-01", "2020-12"};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        tqo_period_kind k;
        int o;
        char buf[16];
        assert_true(tqo_period_parse(labels[i], &k, &o));
        tqo_period_format(k, o, buf, sizeof buf);
        assert_string_equal(buf, labels[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_each_granularity),
        cmocka_unit_test(consecutive_periods_have_consecutive_ordinals),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(format_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
