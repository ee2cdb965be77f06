/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server module's private half: the server object, one HTTP request as the REST handlers
 * see it, the listen-address parser and the token authority.
 */
#ifndef FLOE_SERVER_INT_H
#define FLOE_SERVER_INT_H

#include "floe/optimizing.h"
#include "floe/server.h"

#include <jansson.h>

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

struct MHD_Connection;
struct MHD_Daemon;

/* ==== Listen address ==== */

typedef struct server_listen_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    bool ipv6;
    bool loopback;
} server_listen_addr;

/* "127.0.0.1:8181", "[::1]:8181", "localhost:0", "0.0.0.0:8181" (numeric or "localhost"). */
floe_status server_parse_listen(const char *listen, server_listen_addr *out, floe_err *err);

/* ==== Tokens and client secrets (auth.c) ==== */

typedef struct server_auth server_auth;

typedef enum auth_result {
    AUTH_OK = 0,
    AUTH_MISSING, /* no bearer token */
    AUTH_INVALID, /* malformed or bad signature */
    AUTH_EXPIRED
} auth_result;

/* A token authority with a fresh random signing key; `clients` is borrowed. */
server_auth *server_auth_new(const floe_auth_client *clients, size_t n, int64_t ttl_ms);
void server_auth_free(server_auth *a);
/* FLOE_OK when `secret` matches the client's stored hash; FLOE_ERR_AUTH otherwise. */
floe_status server_auth_check_client(server_auth *a, const char *id, const char *secret,
                                     floe_err *err);
/* A signed bearer token for `client` valid for the configured TTL (in `ar`). */
const char *server_auth_issue(server_auth *a, floe_arena *ar, const char *client,
                              int64_t *expires_in_s);
/* Check a token; `client` (may be NULL) receives its subject in `ar`. */
auth_result server_auth_verify(server_auth *a, floe_arena *ar, const char *token,
                               const char **client);

/* ==== Self-optimizing (optimizing.c) ==== */

typedef struct server_opt server_opt;

/*
 * The optimizer service with the configured groups, runtimes reloaded from the store, the
 * catalogs' listener and the background thread (not started when optimizing.enabled is false:
 * the service still answers). Needs the store and the catalogs open.
 */
floe_status server_opt_start(floe_server *srv, server_opt **out, floe_err *err);
/* Stop the thread and remove the listener (idempotent). */
void server_opt_stop(server_opt *o);
void server_opt_free(server_opt *o);
floe_opt_service *server_opt_service(server_opt *o);
/* Cancel the table's running process; *process_id receives it. NOT_FOUND when none runs. */
floe_status server_opt_cancel(server_opt *o, const char *catalog, const floe_ident *id,
                              int64_t *process_id, floe_err *err);
/* The snapshots a table's optimizing processes planned from (a floe_protected_snapshots_fn over
 * the server_opt): table maintenance must not expire them. */
size_t server_opt_protected_snapshots(void *ud, const char *catalog, const floe_ident *id,
                                      int64_t *out, size_t max);
/* {"tables": [...]}: every known table's runtime. */
json_t *server_opt_tables_json(server_opt *o);
/* {"processes": [...]} of one table, newest first (with tasks). */
floe_status server_opt_processes_json(server_opt *o, const char *catalog, const floe_ident *id,
                                      json_t **out, floe_err *err);

/* ==== Table maintenance (maintenance.c, maintenance_routes.c) ==== */

typedef struct mnt_scheduler mnt_scheduler;
typedef struct http_req http_req;

/* The scheduler of `s` (not started). */
mnt_scheduler *mnt_scheduler_new(floe_server *s);
/* Start the maintenance thread when the configuration enables it. */
floe_status mnt_scheduler_start(mnt_scheduler *m, floe_err *err);
/* Ask the thread to stop (between batches) and join it. Idempotent. */
void mnt_scheduler_stop(mnt_scheduler *m);
void mnt_scheduler_free(mnt_scheduler *m);

/* Answer a request under /api/v1/ (maintenance runs and triggers); auth already checked. */
void mnt_api_handle(http_req *r);

/* ==== Long-poll of the optimizer protocol (longpoll.c) ==== */

typedef struct server_waits server_waits;

/* The waiter list (empty, timer not started). */
server_waits *server_waits_new(void);
/* Start the timer thread that resumes waiters whose deadline passed. */
floe_status server_waits_start(server_waits *w, floe_err *err);
/* The optimizer service's tasks hook (a floe_opt_tasks_fn, `ud` the server_waits): resume the
 * waiters of `group`. */
void server_waits_tasks_hook(void *ud, const char *group);
/* The hook's generation; read it before polling and pass it to server_waits_suspend. */
uint64_t server_waits_gen(server_waits *w);
/*
 * From the request handler only: suspend r's connection until the hook names `group`,
 * r->wait_deadline_us (floe_time_mono_us) passes or the server stops; r->suspended is set and
 * the handler must return without answering (it runs again once resumed). When the generation
 * moved past `gen`, the connection is resumed at once (poll again). False, nothing suspended,
 * when the waits are stopping.
 */
bool server_waits_suspend(server_waits *w, http_req *r, const char *group, uint64_t gen);
/* Whether the client of a resumed request closed its connection while it was held (a peek at
 * the socket: end of stream or an error). libmicrohttpd does not watch suspended sockets. */
bool server_waits_client_gone(http_req *r);
/* Resume every waiter, refuse new ones, join the timer. Idempotent. */
void server_waits_stop(server_waits *w);
/* Stop and free; accepts NULL. */
void server_waits_free(server_waits *w);

/* ==== The server ==== */

struct floe_server {
    const floe_server_config *cfg; /* borrowed: must outlive the server */
    floe_store *store;
    floe_fileio *io;
    floe_catalog **catalogs; /* catalogs[0] is the default catalog */
    size_t n_catalogs;
    server_auth *auth;
    server_opt *opt;
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t started_us;

    pthread_mutex_t mu; /* guards the two below and signals `idle` */
    pthread_cond_t idle;
    long inflight; /* requests between their first byte and their completion */
    atomic_bool stopping;
    bool stopped;

    mnt_scheduler *mnt;  /* table maintenance (maintenance.c) */
    server_waits *waits; /* suspended optimizer polls (longpoll.c) */
};

/* One request as the handlers see it, and the response they build. */
struct http_req {
    floe_server *srv;
    floe_arena *a; /* everything per request; freed after the response is sent */
    struct MHD_Connection *conn;
    const char *method;
    const char *path; /* as sent: still percent-encoded */
    const char *body; /* NUL-terminated; body_len bytes */
    size_t body_len;
    const char *id;        /* request id, also in every log line of the request */
    const char *principal; /* authenticated client id, or NULL */

    int status;
    floe_buf resp; /* response body */
    const char *content_type;
    const char *hdr_names[6];
    const char *hdr_values[6];
    size_t n_hdrs;
    const char *error_msg; /* for the request log line */

    /* Long-poll (longpoll.c, h_poll in rest.c). */
    bool suspended;           /* the handler suspended the connection: answer nothing yet */
    int64_t wait_deadline_us; /* floe_time_mono_us deadline of a held poll; 0: not held */
    char wait_group[FLOE_OPT_GROUP_NAME_MAX + 1];
    http_req *wait_prev, *wait_next; /* the waiter list, while suspended */
    http_req *resume_next;           /* a chain of waiters being resumed */
};

/* Route and answer one complete request (rest.c). */
void rest_handle(http_req *r);

/* A header of the request or NULL. */
const char *http_header(http_req *r, const char *name);
/* A raw (not decoded) query argument, or NULL when absent. */
const char *http_query(http_req *r, const char *name);
void http_add_header(http_req *r, const char *name, const char *value);

/* Find a catalog by name; NULL when unknown. */
floe_catalog *server_catalog(floe_server *s, const char *name);

#endif /* FLOE_SERVER_INT_H */
