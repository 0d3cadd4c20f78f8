/*
 * tqo serve INSTANCE -o OUT [--config plan.ini] [--port P] [--bind ADDR]:
 * the plan as a web app on the planner's machine. libmicrohttpd does the
 * HTTP (one thread per connection); every request carries the token
 * printed at start (403 without it), bodies are capped (413), and
 * SIGINT/SIGTERM stop the daemon only after the running requests are done,
 * so a Save in progress finishes (and Save itself swaps in a whole folder).
 */
#include "cli/cli_serve.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BODY_CAP = 1 << 20 }; /* 1 MiB: a move of every italy unit is ~100 kB */

typedef struct server {
    serve_state *S;
    char token[33];
} server;

/* What the library keeps per thread (GLPK's environment) is released when
   a connection's thread ends, not after every request: with one thread per
   connection, the key's destructor runs exactly once in each thread that
   served an API call, whichever way its connection closed. */
static pthread_key_t thread_key;

static void thread_done(void *unused)
{
    (void)unused;
    tqo_thread_end();
}

static void mark_thread(void)
{
    static char used;
    if (!pthread_getspecific(thread_key))
        pthread_setspecific(thread_key, &used);
}

typedef struct conn {
    char *buf;
    size_t len;
    int too_big;
    int answered;            /* a response was queued before the body */
} conn;

/* Compares in constant time, so the token cannot be guessed byte by byte. */
static int token_ok(const char *want, const char *got)
{
    if (!got)
        return 0;
    size_t n = strlen(want);
    unsigned char d = strlen(got) != n;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(want[i] ^ (got[i] ? got[i] : 0));
    return d == 0;
}

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *type, char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *msg)
{
    char *b = malloc(strlen(msg) + 16);
    if (!b)
        return MHD_NO;
    sprintf(b, "{\"error\":\"%s\"}", msg);
    return send_text(c, status, "application/json", b);
}

/* First call of a request: token and declared size, before any body. */
static enum MHD_Result first_call(server *sv, struct MHD_Connection *c, conn *k)
{
    const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-TQO-Token");
    if (!tok)
        tok = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    if (!token_ok(sv->token, tok)) {
        k->answered = 1;
        return send_error(c, 403, "missing or wrong token");
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > BODY_CAP) {
        k->answered = 1;
        return send_error(c, 413, "request body over 1 MiB");
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *sv = cls;
    conn *k = *con_cls;
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k)
            return MHD_NO;
        *con_cls = k;
        return first_call(sv, c, k);
    }
    if (*upload_size) { /* body arrives in pieces; beyond the cap it is dropped */
        if (!k->answered && !k->too_big) {
            if (k->len + *upload_size > BODY_CAP) {
                k->too_big = 1;
            } else {
                char *b = realloc(k->buf, k->len + *upload_size + 1);
                if (!b)
                    return MHD_NO;
                memcpy(b + k->len, upload, *upload_size);
                k->buf = b;
                k->len += *upload_size;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->answered)
        return MHD_YES;
    if (k->too_big)
        return send_error(c, 413, "request body over 1 MiB");
    serve_reply r;
    mark_thread();
    serve_handle(sv->S, method, url, k->buf ? k->buf : "", k->len, &r);
    if (!r.body)
        return send_error(c, 500, "out of memory");
    return send_text(c, r.status, r.type, r.body);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls, (void)c, (void)t;
    conn *k = *con_cls;
    if (k) {
        free(k->buf);
        free(k);
        *con_cls = NULL;
    }
}

static int make_token(char *tok)
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    for (int i = 0; i < 16; i++)
        sprintf(tok + 2 * i, "%02x", b[i]);
    return 0;
}

/* Runs the daemon until SIGINT or SIGTERM. */
static int run_daemon(serve_state *S, const cli_settings *P)
{
    server sv = {S, {0}};
    if (make_token(sv.token) != 0) {
        fprintf(stderr, "tqo: error: cannot read /dev/urandom for the access token\n");
        return CLI_EXIT_FAIL;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)P->port);
    if (inet_pton(AF_INET, P->bind, &sa.sin_addr) != 1)
        return cli_usage_error("serve: --bind '%s' is not an IPv4 address", P->bind);
    /* Blocked here, so the daemon's threads inherit the mask and only
       sigwait below sees the signals. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-reply is not our death */
    if (pthread_key_create(&thread_key, thread_done) != 0) {
        fprintf(stderr, "tqo: error: serve: cannot create a thread key\n");
        return CLI_EXIT_FAIL;
    }
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
                         NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tqo: error: serve: cannot listen on %s:%d\n", P->bind, P->port);
        pthread_key_delete(thread_key);
        return CLI_EXIT_FAIL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("tqo serve: http://%s:%u/?token=%s\n", P->bind, di ? (unsigned)di->port : (unsigned)P->port, sv.token);
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "tqo: %s: stopping after the running requests\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_stop_daemon(d); /* joins the connection threads: their keys' destructors have run */
    pthread_key_delete(thread_key);
    return CLI_EXIT_OK;
}

int cli_serve(int argc, char **argv)
{
    cli_settings P;
    cli_settings_default(&P);
    unsigned cmd = CMD_SERVE | CMD_PLAN;
    int first = 0, rc = cli_options_parse(cmd, argc, argv, &P, 1, &first);
    /* OUT's own plan.ini is the plan to open when no --config names one. */
    char own[4096] = "";
    if (rc == 0 && !P.config && P.out) {
        struct stat sb;
        snprintf(own, sizeof own, "%s/plan.ini", P.out);
        if (stat(own, &sb) == 0)
            P.config = own;
    }
    if (rc == 0 && P.config && cli_config_read(&P, P.config) != 0)
        rc = CLI_EXIT_INPUT;
    if (rc == 0)
        rc = cli_options_parse(cmd, argc, argv, &P, 2, &first);
    if (rc == 0 && first != argc - 1)
        rc = cli_usage_error("serve: expected one INSTANCE (see 'tqo serve --help')");
    else if (rc == 0 && !P.out)
        rc = cli_usage_error("serve: missing output folder (-o OUT)");
    if (rc != 0) {
        cli_settings_free(&P);
        return rc == 1 ? CLI_EXIT_OK : rc;
    }
    serve_state S;
    rc = serve_state_open(&S, &P, argv[first], P.out);
    if (rc == 0) {
        if (!P.quiet)
            fprintf(stderr, "tqo: serve: %d units, %d territories, aligned in %.2f s\n", S.n, S.p, S.last_align_s);
        rc = run_daemon(&S, &P);
    }
    serve_state_free(&S);
    cli_settings_free(&P);
    return rc;
}
