/* tqo serve's page: the map and tables of the plan, live over the API. */
#include "cli/cli_serve.h"

const char serve_page_html[] =
#include "cli/cli_serve_page.inc"
    ;
