/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's life cycle and its HTTP layer on libmicrohttpd.
 *
 * libmicrohttpd runs an internal pool of threads, each polling its share of the connections
 * (keep-alive is HTTP/1.1's default). For every request the access callback is called several
 * times: first with the headers (we allocate the request's arena and id, and answer 413 at once
 * when Content-Length is over the limit), then with chunks of the body (collected up to the
 * limit), then once more when the body is complete (we route and answer). The completion
 * callback writes the request's log line and frees its arena.
 *
 * URL decoding is switched off (an identity unescape callback): the REST layer decodes each path
 * segment itself, strictly, after splitting on '/'.
 *
 * Stopping: MHD_quiesce_daemon closes the listening socket, then we wait until no request is in
 * flight (or the grace period ends), then MHD_stop_daemon joins the threads.
 */
#include "server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ==== Listen address ==== */

floe_status server_parse_listen(const char *listen, server_listen_addr *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    if (listen == NULL || listen[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty listen address");
    }
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "listen address '%s': expected [ipv6]:port",
                                listen);
        }
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "listen address '%s': expected host:port",
                                listen);
        }
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    uint64_t p = 0;
    if (floe_parse_u64(port, &p, NULL) != FLOE_OK || p > 65535) {
        return floe_err_set(err, FLOE_ERR_INVALID, "listen address '%s': bad port", listen);
    }
    if (host[0] == '\0') {
        snprintf(host, sizeof(host), "0.0.0.0");
    }
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, host, &v4) == 1) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)p);
        sin->sin_addr = v4;
        out->len = sizeof(*sin);
        out->loopback = (ntohl(v4.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, host, &v6) == 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)p);
        sin6->sin6_addr = v6;
        out->len = sizeof(*sin6);
        out->ipv6 = true;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    } else {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "listen address '%s': host must be an IP address or localhost", listen);
    }
    return FLOE_OK;
}

/* ==== Request plumbing ==== */

typedef struct req_ctx {
    http_req r;
    floe_buf body;
    bool too_big;
    bool answered;
    int64_t start_us;
    char id[17];
} req_ctx;

const char *http_header(http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void http_add_header(http_req *r, const char *name, const char *value)
{
    if (r->n_hdrs < FLOE_ARRAY_LEN(r->hdr_names)) {
        r->hdr_names[r->n_hdrs] = name;
        r->hdr_values[r->n_hdrs] = value;
        r->n_hdrs++;
    }
}

floe_catalog *server_catalog(floe_server *s, const char *name)
{
    for (size_t i = 0; i < s->n_catalogs; i++) {
        if (strcmp(floe_catalog_name(s->catalogs[i]), name) == 0) {
            return s->catalogs[i];
        }
    }
    return NULL;
}

/* Leave URLs as they are; rest.c decodes segment by segment. */
static size_t identity_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result send_response(req_ctx *rc)
{
    http_req *r = &rc->r;
    size_t len = 0;
    char *data = r->resp.len > 0 ? floe_buf_detach(&r->resp, &len) : NULL;
    struct MHD_Response *resp =
        data != NULL ? MHD_create_response_from_buffer_with_free_callback(len, data, free)
                     : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        free(data);
        return MHD_NO;
    }
    if (data != NULL && r->content_type != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    }
    MHD_add_response_header(resp, "X-Request-Id", rc->id);
    for (size_t i = 0; i < r->n_hdrs; i++) {
        MHD_add_response_header(resp, r->hdr_names[i], r->hdr_values[i]);
    }
    if (atomic_load(&r->srv->stopping)) {
        /* Tell keep-alive clients to go away: this server is about to stop. */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    rc->answered = true;
    return ret;
}

static void answer_too_big(req_ctx *rc)
{
    http_req *r = &rc->r;
    r->status = 413;
    r->content_type = "application/json";
    r->error_msg = "request body too large";
    floe_buf_printf(&r->resp, NULL,
                    "{\"error\":{\"message\":\"request body is larger than %llu bytes\","
                    "\"type\":\"BadRequestException\",\"code\":413}}",
                    (unsigned long long)r->srv->cfg->max_body);
}

/*
 * A request id: 16 hex digits, unique enough to find a request in the logs. A per-thread
 * splitmix64 sequence seeded from the kernel once, so a request costs no getrandom call.
 */
static void request_id(char *out)
{
    static _Thread_local uint64_t state;
    if (state == 0) {
        state = floe_random_u64() | 1;
    }
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(z >> (8 * i));
    }
    floe_hex_encode(b, sizeof(b), out);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    floe_server *s = cls;
    req_ctx *rc = *con_cls;
    if (rc == NULL) {
        rc = floe_xcalloc(1, sizeof(*rc));
        rc->start_us = floe_time_mono_us();
        request_id(rc->id);
        rc->r.srv = s;
        rc->r.a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
        rc->r.conn = conn;
        rc->r.method = floe_arena_strdup(rc->r.a, method);
        rc->r.path = floe_arena_strdup(rc->r.a, url);
        rc->r.id = rc->id;
        floe_buf_init(&rc->r.resp, 0);
        floe_buf_init(&rc->body, (size_t)s->cfg->max_body);
        pthread_mutex_lock(&s->mu);
        s->inflight++;
        pthread_mutex_unlock(&s->mu);
        *con_cls = rc;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        uint64_t n = 0;
        if (cl != NULL && floe_parse_u64(cl, &n, NULL) == FLOE_OK && n > s->cfg->max_body) {
            /* Answer before reading the body; libmicrohttpd then closes the connection. */
            rc->too_big = true;
            floe_log_set_context(rc->id);
            answer_too_big(rc);
            enum MHD_Result ret = send_response(rc);
            floe_log_set_context(NULL);
            return ret;
        }
        return MHD_YES;
    }
    if (rc->answered) {
        *upload_data_size = 0; /* discard the rest of a refused body */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!rc->too_big &&
            floe_buf_append(&rc->body, upload_data, *upload_data_size, NULL) != FLOE_OK) {
            rc->too_big = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    floe_log_set_context(rc->id);
    if (rc->too_big) {
        answer_too_big(rc);
    } else {
        rc->r.body = floe_buf_cstr(&rc->body);
        rc->r.body_len = rc->body.len;
        rest_handle(&rc->r);
        if (rc->r.suspended) {
            /* A held poll (longpoll.c): this callback runs again once the connection resumes. */
            rc->r.suspended = false;
            floe_log_set_context(NULL);
            return MHD_YES;
        }
    }
    enum MHD_Result ret = send_response(rc);
    floe_log_set_context(NULL);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    floe_server *s = cls;
    req_ctx *rc = *con_cls;
    if (rc == NULL) {
        return;
    }
    *con_cls = NULL;
    http_req *r = &rc->r;
    int64_t us = floe_time_mono_us() - rc->start_us;
    char status[16], dur[32];
    snprintf(status, sizeof(status), "%d", rc->answered ? r->status : 0);
    snprintf(dur, sizeof(dur), "%.3f", (double)us / 1000.0);
    const char *kv[12];
    size_t nkv = 0;
    kv[nkv++] = "method";
    kv[nkv++] = r->method;
    kv[nkv++] = "path";
    kv[nkv++] = r->path;
    kv[nkv++] = "status";
    kv[nkv++] = status;
    kv[nkv++] = "duration_ms";
    kv[nkv++] = dur;
    if (r->principal != NULL) {
        kv[nkv++] = "client";
        kv[nkv++] = r->principal;
    }
    if (r->error_msg != NULL) {
        kv[nkv++] = "error";
        kv[nkv++] = r->error_msg;
    }
    floe_log_set_context(rc->id);
    floe_log_level lvl = r->status >= 500 || !rc->answered ? FLOE_LOG_WARN : FLOE_LOG_INFO;
    if (floe_log_enabled(lvl)) {
        floe_log_kv(lvl, "http", kv, nkv, "%s",
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "request" : "request aborted");
    }
    floe_log_set_context(NULL);
    floe_buf_fini(&r->resp);
    floe_buf_fini(&rc->body);
    floe_arena_free(r->a);
    free(rc);
    pthread_mutex_lock(&s->mu);
    s->inflight--;
    if (s->inflight == 0) {
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->mu);
}

/* libmicrohttpd's own complaints (socket errors and the like) go to our log. */
static void mhd_log(void *cls, const char *fmt, va_list ap) FLOE_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t len = strlen(msg);
    while (len > 0 && msg[len - 1] == '\n') {
        msg[--len] = '\0';
    }
    FLOE_LOG_DEBUG("http", "libmicrohttpd: %s", msg);
}

/* ==== Start and stop ==== */

/* mkdir -p for a local directory. */
static floe_status make_dirs(const char *path, floe_err *err)
{
    char *p = floe_xstrdup(path);
    floe_status st = FLOE_OK;
    for (char *q = p + 1; st == FLOE_OK; q++) {
        if (*q == '/' || *q == '\0') {
            char saved = *q;
            *q = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                st = floe_err_errno(err, errno, "create directory %s", p);
            }
            *q = saved;
            if (saved == '\0') {
                break;
            }
        }
    }
    free(p);
    return st;
}

/* An absolute form of a local path (relative ones are taken from the working directory). */
static char *absolute_path(const char *path)
{
    if (path[0] == '/') {
        return floe_xstrdup(path);
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return floe_xstrdup(path);
    }
    const char *rel = floe_starts_with(path, "./") ? path + 2 : path;
    return floe_xasprintf("%s/%s", cwd, rel);
}

static bool is_local(const char *loc)
{
    return strstr(loc, "://") == NULL && !floe_starts_with(loc, "file:");
}

/*
 * The server's own change listener: one log line per table or view change, written after the
 * change is durable. It doubles as an audit trail of which metadata file was current when.
 */
static void log_change(void *ud, const floe_change *ch)
{
    (void)ud;
    if (!floe_log_enabled(FLOE_LOG_INFO)) {
        return;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *kv[14];
    size_t n = 0;
    kv[n++] = "change";
    kv[n++] = floe_change_kind_name(ch->kind);
    kv[n++] = floe_object_kind_name(ch->object);
    kv[n++] = floe_ident_display(a, ch->id);
    kv[n++] = "catalog";
    kv[n++] = ch->catalog;
    if (ch->renamed_to != NULL) {
        kv[n++] = "to";
        kv[n++] = floe_ident_display(a, ch->renamed_to);
    }
    if (ch->metadata_location != NULL) {
        kv[n++] = "location";
        kv[n++] = ch->metadata_location;
    }
    if (ch->previous_location != NULL) {
        kv[n++] = "previous";
        kv[n++] = ch->previous_location;
    }
    floe_log_kv(FLOE_LOG_INFO, "catalog", kv, n, "%s changed", floe_object_kind_name(ch->object));
    floe_arena_free(a);
}

floe_catalog *floe_server_catalog(floe_server *s, const char *name)
{
    if (name == NULL) {
        return s->n_catalogs > 0 ? s->catalogs[0] : NULL;
    }
    return server_catalog(s, name);
}

size_t floe_server_catalog_count(const floe_server *s)
{
    return s->n_catalogs;
}

floe_catalog *floe_server_catalog_at(floe_server *s, size_t i)
{
    return i < s->n_catalogs ? s->catalogs[i] : NULL;
}

static floe_status open_catalogs(floe_server *s, const char *data_dir, floe_err *err)
{
    const floe_server_config *cfg = s->cfg;
    s->catalogs = floe_xcalloc(cfg->n_catalogs, sizeof(floe_catalog *));
    for (size_t i = 0; i < cfg->n_catalogs; i++) {
        const floe_catalog_config *cc = &cfg->catalogs[i];
        char *wh = cc->warehouse == NULL ? floe_xasprintf("%s/warehouse/%s", data_dir, cc->name)
                                         : (is_local(cc->warehouse) ? absolute_path(cc->warehouse)
                                                                    : floe_xstrdup(cc->warehouse));
        floe_status st = FLOE_OK;
        if (is_local(wh)) {
            st = make_dirs(wh, err);
        }
        floe_catalog_def def = {
            .name = cc->name,
            .warehouse = wh,
            .properties = cc->properties,
            .n_properties = cc->n_properties,
        };
        if (st == FLOE_OK) {
            st = floe_catalog_open(s->store, s->io, &def, &s->catalogs[i], err);
        }
        free(wh);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "catalog %s", cc->name);
            return st;
        }
        s->n_catalogs++;
        floe_catalog_add_listener(s->catalogs[i], log_change, NULL);
        FLOE_LOG_INFO("server", "catalog %s: warehouse %s", cc->name,
                      floe_catalog_warehouse(s->catalogs[i]));
    }
    return FLOE_OK;
}

static floe_status write_port_file(const char *path, uint16_t port, floe_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return floe_err_errno(err, errno, "port file %s", tmp);
    }
    fprintf(f, "%u\n", (unsigned)port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        return floe_err_errno(err, errno, "port file %s", path);
    }
    return FLOE_OK;
}

floe_status floe_server_start(const floe_server_config *cfg, floe_server **out, floe_err *err)
{
    *out = NULL;
    server_listen_addr addr;
    floe_status st = server_parse_listen(cfg->listen, &addr, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_server *s = floe_xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->started_us = floe_time_now_us();
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    atomic_init(&s->stopping, false);

    char *data_dir = absolute_path(cfg->data_dir);
    st = make_dirs(data_dir, err);
    char *url = NULL;
    if (st == FLOE_OK) {
        url = cfg->database_url != NULL ? floe_xstrdup(cfg->database_url)
                                        : floe_xasprintf("sqlite:%s/floe.db", data_dir);
        floe_store_opts so = {
            .url = url,
            .pool_size = cfg->db_pool_size,
            .busy_timeout_ms = cfg->db_busy_timeout_ms,
        };
        st = floe_store_open(&so, &s->store, err);
    }
    if (st == FLOE_OK) {
        int version = 0;
        floe_store_schema_version(s->store, &version, NULL);
        FLOE_LOG_INFO("server", "store: %s, schema version %d", floe_store_backend(s->store),
                      version);
        s->io = floe_fileio_local_new(NULL);
        st = open_catalogs(s, data_dir, err);
    }
    free(url);
    free(data_dir);
    if (st != FLOE_OK) {
        floe_server_free(s);
        return st;
    }
    s->auth = server_auth_new(cfg->clients, cfg->n_clients, cfg->token_ttl_ms);
    st = server_opt_start(s, &s->opt, err);
    if (st != FLOE_OK) {
        floe_server_free(s);
        return st;
    }
    s->mnt = mnt_scheduler_new(s);
    floe_server_set_protected_snapshots(s, server_opt_protected_snapshots, s->opt);
    s->waits = server_waits_new();
    st = server_waits_start(s->waits, err);
    if (st != FLOE_OK) {
        floe_server_free(s);
        return st;
    }
    floe_opt_service_set_tasks_hook(server_opt_service(s->opt), server_waits_tasks_hook, s->waits);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (addr.ipv6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (s->daemon == NULL) {
        int e = errno;
        floe_server_free(s);
        return floe_err_set(err, e == EADDRINUSE ? FLOE_ERR_UNAVAILABLE : FLOE_ERR_IO,
                            "cannot listen on %s%s%s", cfg->listen, e != 0 ? ": " : "",
                            e != 0 ? strerror(e) : "");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : 0;
    if (cfg->port_file != NULL) {
        st = write_port_file(cfg->port_file, s->port, err);
        if (st != FLOE_OK) {
            floe_server_free(s);
            return st;
        }
    }
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)s->port);
    const char *kv[] = {"listen", cfg->listen, "port",
                        port,     "auth",      cfg->auth_enabled ? "on" : "off"};
    floe_log_kv(FLOE_LOG_INFO, "server", kv, FLOE_ARRAY_LEN(kv), "listening");
    st = mnt_scheduler_start(s->mnt, err);
    if (st != FLOE_OK) {
        floe_server_free(s);
        return st;
    }
    *out = s;
    return FLOE_OK;
}

floe_opt_service *floe_server_opt_service(floe_server *s)
{
    return server_opt_service(s->opt);
}

uint16_t floe_server_port(const floe_server *s)
{
    return s->port;
}

void floe_server_stop(floe_server *s)
{
    if (s == NULL || s->daemon == NULL || s->stopped) {
        return;
    }
    atomic_store(&s->stopping, true);
    mnt_scheduler_stop(s->mnt); /* between two batches of its current job */
    MHD_socket lsock = MHD_quiesce_daemon(s->daemon);
    if (lsock != MHD_INVALID_SOCKET) {
        close(lsock);
    }
    /* Held polls answer {"task": null} now; MHD_stop_daemon must not meet a suspended one. */
    server_waits_stop(s->waits);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    int64_t grace = s->cfg->shutdown_grace_ms;
    deadline.tv_sec += (time_t)(grace / 1000);
    deadline.tv_nsec += (long)(grace % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    long waiting = s->inflight;
    if (waiting > 0) {
        FLOE_LOG_INFO("server", "stopping: waiting for %ld request(s) in flight", waiting);
    }
    while (s->inflight > 0) {
        if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT) {
            FLOE_LOG_WARN("server", "stopping: %ld request(s) still running after %lld ms",
                          s->inflight, (long long)grace);
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    server_opt_stop(s->opt);
    s->stopped = true;
}

void floe_server_free(floe_server *s)
{
    if (s == NULL) {
        return;
    }
    floe_server_stop(s);
    mnt_scheduler_free(s->mnt);
    if (s->opt != NULL) {
        floe_opt_service_set_tasks_hook(server_opt_service(s->opt), NULL, NULL);
    }
    server_opt_free(s->opt);
    server_waits_free(s->waits); /* after the service: its hook points here */
    for (size_t i = 0; i < s->n_catalogs; i++) {
        floe_catalog_close(s->catalogs[i]);
    }
    free(s->catalogs);
    floe_store_close(s->store);
    floe_fileio_free(s->io);
    server_auth_free(s->auth);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    free(s);
}
