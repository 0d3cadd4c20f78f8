/* One commdis file (n, n unit lines, m, m edge lines, the p/tau line). */
#include "fuzz_common.h"
#include "tqo.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "instance.txt");
    fuzz_write(path, data, size);
    tqo_load_settings s;
    tqo_load_settings_default(&s);
    s.format = TQO_FORMAT_COMMDIS;
    tqo_instance_free(fuzz_load(path, &s));
    return 0;
}
