/*
 * plan.ini (inih and the option table). A file that reads must also
 * round-trip: written back by cli_config_write and read again, it gives
 * the same text.
 */
#include "cli/options.h"
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    char *buf = malloc(1 << 20);
    if (!buf)
        abort();
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static void write_settings(const cli_settings *S, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    cli_config_write(f, S, "instance");
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "plan.ini");
    fuzz_write(path, data, size);
    cli_settings S;
    cli_settings_default(&S);
    if (cli_config_read(&S, path) == 0) {
        const char *p1 = fuzz_path(1, "plan1.ini"), *p2 = fuzz_path(2, "plan2.ini");
        write_settings(&S, p1);
        cli_settings T;
        cli_settings_default(&T);
        FUZZ_CHECK(cli_config_read(&T, p1) == 0, "plan.ini written by tqo does not read back");
        write_settings(&T, p2);
        size_t n1, n2;
        char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
        FUZZ_CHECK(n1 == n2 && memcmp(a, b, n1) == 0, "plan.ini changes on a round trip");
        free(a);
        free(b);
        cli_settings_free(&T);
    }
    cli_settings_free(&S);
    return 0;
}
