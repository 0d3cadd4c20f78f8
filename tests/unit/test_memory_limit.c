/* Issue 16's last hardening items, in the library: the diagnostics list
   keeps every warning when malloc fails (util/diag.c's reserve), checked
   under a real out-of-memory (the heap filled under RLIMIT_AS); the memory
   limit's parsing and the estimates' growth (util/memory_estimate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tqo.h"
#include "util/memory_estimate.h"

/* Many messages, and long ones, are all kept, in order, whole. */
static void test_diag_keeps_all(void **state)
{
    (void)state;
    tqo_diag d;
    tqo_diag_init(&d);
    for (int i = 0; i < 10000; i++) {
        if (i % 3)
            tqo_diag_warning(&d, "warning %d", i);
        else
            tqo_diag_error(&d, "error %d", i);
    }
    char *big = malloc(100001);
    assert_non_null(big);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    tqo_diag_warning(&d, "%s", big);
    assert_int_equal(d.n_msgs, 10001);
    assert_int_equal(d.n_errors + d.n_warnings, 10001);
    for (int i = 0; i < 10000; i++) {
        char want[32];
        snprintf(want, sizeof want, "%s %d", i % 3 ? "warning" : "error", i);
        assert_string_equal(d.msgs[i], want);
        assert_int_equal(d.is_error[i], i % 3 == 0);
    }
    assert_string_equal(d.msgs[10000], big);
    assert_string_equal(tqo_diag_first_error(&d), "error 0");
    free(big);
    tqo_diag_free(&d);
    assert_int_equal(d.n_msgs, 0);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_RLIMIT_AS 1 /* the sanitizers reserve terabytes of address space */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_RLIMIT_AS 1
#endif
#endif

/* Under a real out-of-memory (RLIMIT_AS, the heap filled until malloc
   fails), 40 warnings are still kept, a long one cut at the reserve's
   block, and the reserve is given back (the next list uses it again). */
static void test_diag_out_of_memory(void **state)
{
    (void)state;
#ifdef NO_RLIMIT_AS
    skip();
#else
    struct rlimit old, rl;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    rl = old;
    rl.rlim_cur = (rlim_t)pages * 4096 + (64u << 20);
    assert_int_equal(setrlimit(RLIMIT_AS, &rl), 0);
    char *big = malloc(10000);
    memset(big, 'y', 9999);
    big[9999] = '\0';
    for (int round = 0; round < 2; round++) {
        /* fill the heap: a list threaded through the blocks themselves */
        void *head = NULL;
        long got = 0;
        for (size_t sz = 1u << 20; sz >= 16; sz /= 2) {
            void *p;
            while ((p = malloc(sz)) != NULL) {
                *(void **)p = head;
                head = p;
                got++;
            }
        }
        assert_true(got > 0);
        assert_null(malloc(16)); /* nothing left */
        tqo_diag d;
        tqo_diag_init(&d);
        for (int i = 0; i < 40; i++)
            tqo_diag_warning(&d, "warning %d under out of memory", i);
        tqo_diag_warning(&d, "%s", big);
        /* freed before the checks: cmocka's own messages need memory */
        int n_msgs = d.n_msgs, n_warn = d.n_warnings;
        int ok = 1;
        for (int i = 0; i < 40 && i < n_msgs; i++) {
            char want[64];
            snprintf(want, sizeof want, "warning %d under out of memory", i);
            ok &= strcmp(d.msgs[i], want) == 0;
        }
        size_t cut = n_msgs == 41 ? strlen(d.msgs[40]) : 0;
        int all_y = n_msgs == 41 && strspn(d.msgs[40], "y") == cut;
        tqo_diag_free(&d);
        while (head) {
            void *next = *(void **)head;
            free(head);
            head = next;
        }
        assert_int_equal(n_warn, 41);
        assert_int_equal(n_msgs, 41);
        assert_true(ok);
        assert_int_equal(cut, 1023);
        assert_true(all_y);
    }
    free(big);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
#endif
}

static void test_memory_limit(void **state)
{
    (void)state;
    assert_true(tqoi_mem_limit("512M") == 512.0 * 1024 * 1024);
    assert_true(tqoi_mem_limit("4G") == 4.0 * 1024 * 1024 * 1024);
    assert_true(tqoi_mem_limit("4gb") == 4.0 * 1024 * 1024 * 1024);
    assert_true(tqoi_mem_limit("1.5K") == 1536.0);
    assert_true(tqoi_mem_limit("1000") == 1000.0);
    assert_true(tqoi_mem_limit("0") == 0.0);
    assert_true(tqoi_mem_limit("12Q") < 0);
    assert_true(tqoi_mem_limit("") < 0);
    assert_true(tqoi_mem_limit("-1G") < 0);
    assert_true(tqoi_mem_limit("4GiB") < 0);
    double machine = tqoi_mem_limit(NULL);
    assert_true(machine > 64e6);
    /* RLIMIT_AS lowers it */
#ifndef NO_RLIMIT_AS
    struct rlimit old, rl;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    rl = old;
    rl.rlim_cur = 40ul << 30;
    if (setrlimit(RLIMIT_AS, &rl) == 0) {
        double lim = tqoi_mem_limit(NULL);
        assert_true(lim <= 40.0 * (1ul << 30));
        assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    }
#endif
}

/* Each estimate grows with each count, and the check says what it needs. */
static void test_estimates(void **state)
{
    (void)state;
    assert_true(tqoi_mem_align_bytes(20000, 100, 1, 2) < tqoi_mem_align_bytes(40000, 100, 1, 2));
    assert_true(tqoi_mem_align_bytes(20000, 100, 1, 2) < tqoi_mem_align_bytes(20000, 200, 1, 2));
    assert_true(tqoi_mem_align_bytes(20000, 100, 1, 2) < tqoi_mem_align_bytes(20000, 100, 1, 4));
    assert_true(tqoi_mem_scenarios_bytes(60, 12, 1000, 3, 2) < tqoi_mem_scenarios_bytes(120, 12, 1000, 3, 2));
    assert_true(tqoi_mem_scenarios_bytes(60, 12, 1000, 3, 2) < tqoi_mem_scenarios_bytes(60, 12, 100000, 3, 2));
    assert_true(tqoi_mem_scenarios_bytes(60, 12, 1000, 3, 2) < tqoi_mem_scenarios_bytes(60, 24, 1000, 3, 2));
    /* ten million units and a thousand territories: tens of GB */
    double big = tqoi_mem_align_bytes(10000000, 1000, 1, 8);
    assert_true(big > 10e9 && big < 100e9);

    tqo_diag d;
    tqo_diag_init(&d);
    assert_int_equal(tqoi_mem_check("align", 3.0 * (1u << 30), "10 units", "2G", &d), TQO_ERR_ARG);
    assert_string_equal(d.msgs[0], "align needs about 3.0 GB for 10 units; --max-memory allows 2.0 GB");
    assert_int_equal(tqoi_mem_check("align", 1.0 * (1u << 30), "10 units", "2G", &d), TQO_OK);
    assert_int_equal(tqoi_mem_check("align", 1e15, "10 units", "0", &d), TQO_OK);
    assert_int_equal(tqoi_mem_check("align", 1e3, "10 units", "2X", &d), TQO_ERR_ARG);
    assert_int_equal(d.n_msgs, 2);
    assert_non_null(strstr(d.msgs[1], "'2X' is not a size"));
    tqo_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_keeps_all),
        cmocka_unit_test(test_diag_out_of_memory),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_estimates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
