#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load_parts.h"

char load_parts_root[256];

int load_parts_setup(void **state)
{
    (void)state;
    snprintf(load_parts_root, sizeof load_parts_root, "/tmp/tqo_test_parts_XXXXXX");
    return mkdtemp(load_parts_root) ? 0 : -1;
}

int load_parts_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", load_parts_root);
    return system(cmd) == 0 ? 0 : -1;
}

tqo_status load_parts_load(const char *name, int threads, tqo_instance **inst, tqo_diag *d)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", load_parts_root, name);
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    s.threads = threads;
    tqo_diag_init(d);
    *inst = NULL;
    return tqo_instance_load(dir, &s, inst, d);
}

void load_parts_same_messages(const char *name, int n_errors, const char *first, const char *last)
{
    tqo_instance *inst;
    tqo_diag one, many;
    assert_int_equal(load_parts_load(name, 1, &inst, &one), TQO_ERR_INPUT);
    assert_null(inst);
    assert_int_equal(one.n_errors, n_errors);
    assert_non_null(strstr(one.msgs[0], first));
    assert_non_null(strstr(one.msgs[one.n_msgs - 1], last));
    for (int t = 2; t <= 3; t++) {
        assert_int_equal(load_parts_load(name, t, &inst, &many), TQO_ERR_INPUT);
        assert_int_equal(many.n_errors, one.n_errors);
        assert_int_equal(many.n_msgs, one.n_msgs);
        for (int k = 0; k < one.n_msgs; k++)
            assert_string_equal(many.msgs[k], one.msgs[k]);
        tqo_diag_free(&many);
    }
    tqo_diag_free(&one);
}
