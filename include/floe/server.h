/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe server`: the HTTP server, its configuration, and the Iceberg REST catalog routes.
 *
 * Configuration comes from built-in defaults, then an optional YAML file, then command-line
 * flags (docs/internals/server.md has the format). The server opens the metadata store, one
 * floe_catalog per configured catalog, and serves HTTP with libmicrohttpd's internal thread pool.
 * Every request gets its own arena and request id; every response is logged as one logfmt line;
 * every error body is the Iceberg ErrorModel. Stopping is graceful: the listening socket closes,
 * requests in flight finish (up to the grace period), then the store closes.
 *
 * The REST path helpers at the end are public so they can be fuzzed on their own.
 */
#ifndef FLOE_SERVER_H
#define FLOE_SERVER_H

#include "floe/base.h"
#include "floe/catalog.h"
#include "floe/maintenance.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Configuration ==== */

#define FLOE_SERVER_DEFAULT_LISTEN "127.0.0.1:8181"
#define FLOE_SERVER_DEFAULT_DATA_DIR "./floe-data"
#define FLOE_CONFIG_FILE_MAX ((size_t)1 << 20) /* a config file larger than 1 MiB is refused */

/* A client allowed to obtain tokens. */
typedef struct floe_auth_client {
    char *id;          /* [A-Za-z0-9_.@-], 1..128 bytes */
    char *secret_hash; /* a crypt(3) hash, e.g. yescrypt "$y$..." (floe server --hash-secret) */
} floe_auth_client;

typedef struct floe_catalog_config {
    char *name;
    char *warehouse; /* NULL: <data-dir>/warehouse/<name> */
    floe_kv *properties;
    size_t n_properties;
} floe_catalog_config;

/* An optimizer group (YAML `optimizer-groups:`); a group named "default" always exists. */
typedef struct floe_optimizer_group_config {
    char *name;          /* [A-Za-z0-9_-], 1..64 bytes */
    char *policy;        /* scheduling-policy: "quota" (default) or "balanced" */
    floe_kv *properties; /* max-input-file-size-per-thread (bytes or a size) is the only one read */
    size_t n_properties;
} floe_optimizer_group_config;

/*
 * The table maintenance scheduler (docs/internals/maintenance.md, "The scheduler"): how often it
 * looks at the tables and how often each action runs per table. Defaults are Amoro's.
 */
typedef struct floe_maintenance_config {
    bool enabled;                               /* maintenance.enabled (true) */
    int64_t first_run_ms;                       /* first pass after start-up (1m) */
    int64_t poll_ms;                            /* pause between passes (1m) */
    int64_t interval_ms[FLOE_MNT_ACTION_COUNT]; /* per action, by floe_mnt_action */
    unsigned keep_runs;                         /* run records kept per table and action (100) */
} floe_maintenance_config;

/* Every field is owned (heap); floe_server_config_fini() frees them. */
typedef struct floe_server_config {
    char *listen;       /* host:port; port 0 picks a free one */
    char *data_dir;     /* created at start-up */
    char *database_url; /* NULL: sqlite:<data-dir>/floe.db */
    char *port_file;    /* when set, the bound port is written there once listening */
    unsigned db_pool_size;
    int64_t db_busy_timeout_ms;
    unsigned threads;             /* HTTP worker threads */
    uint64_t max_body;            /* request body limit in bytes (413 past it) */
    int64_t shutdown_grace_ms;    /* how long in-flight requests may take to finish */
    int64_t connection_timeout_s; /* idle keep-alive connections close after this */
    bool auth_enabled;
    int64_t token_ttl_ms;
    floe_auth_client *clients;
    size_t n_clients;
    bool insecure; /* allow a non-loopback listen address without auth */
    floe_log_level log_level;
    bool log_level_set;
    floe_catalog_config *catalogs; /* empty: one catalog named "default" */
    size_t n_catalogs;
    /* Self-optimizing (YAML `optimizing:` and `optimizer-groups:`). */
    bool opt_enabled;                 /* optimizing.enabled (true): evaluate, plan, commit */
    int64_t opt_refresh_interval_ms;  /* optimizing.refresh-tables.interval (60s) */
    int64_t opt_heartbeat_timeout_ms; /* optimizing.heartbeat-timeout (60s) */
    int64_t opt_ack_timeout_ms;       /* optimizing.ack-timeout (30s) */
    int64_t opt_execute_timeout_ms;   /* optimizing.execute-timeout (1h) */
    int64_t opt_history_keep_ms;      /* optimizing.process.history-data-keep-time (7d) */
    bool opt_break_quota; /* optimizing.break-quota-limit-enabled (true): idle threads may run
                           * tasks of a table past its quota when nothing else waits */
    floe_optimizer_group_config *groups; /* "default" is added by finish when missing */
    size_t n_groups;
    floe_maintenance_config maintenance;
} floe_server_config;

/* Fill `c` with the built-in defaults. */
void floe_server_config_init(floe_server_config *c);
void floe_server_config_fini(floe_server_config *c);
/*
 * Apply a YAML document on top of `c` (keys it does not mention keep their values). Unknown
 * keys, wrong types and out-of-range values are FLOE_ERR_INVALID naming the key and line.
 */
floe_status floe_server_config_parse(floe_server_config *c, const char *yaml, size_t len,
                                     floe_err *err);
/* Read FILE (at most FLOE_CONFIG_FILE_MAX bytes) and apply it. */
floe_status floe_server_config_load(floe_server_config *c, const char *path, floe_err *err);
/*
 * Check the whole configuration and complete it: the default catalog when none is configured,
 * warehouses and the SQLite file under the data directory (made absolute), refuse a
 * non-loopback listen address without auth unless `insecure`, and auth on without clients.
 */
floe_status floe_server_config_finish(floe_server_config *c, floe_err *err);

/* ==== Server ==== */

typedef struct floe_server floe_server;

/*
 * Create the data directory, open the store (running migrations) and the catalogs, and start
 * serving. `cfg` must have been finished; it is borrowed until floe_server_free.
 */
floe_status floe_server_start(const floe_server_config *cfg, floe_server **out, floe_err *err);
/* The port the server listens on (useful with port 0). */
uint16_t floe_server_port(const floe_server *s);
/*
 * Stop gracefully: stop accepting connections, wait for requests in flight (at most the grace
 * period), then stop the HTTP threads. Idempotent.
 */
void floe_server_stop(floe_server *s);
/* Stop if needed, close the catalogs and the store, free everything. */
void floe_server_free(floe_server *s);

/*
 * The server's catalogs, for components running inside the server (self-optimizing): a
 * catalog by name (NULL: the default catalog), or by index. Borrowed until floe_server_free.
 * To be told when tables change, add a listener (floe_catalog_add_listener): it is called once
 * per successful create, commit, multi-table commit, register, drop and rename, after the change
 * is durable, whatever path made it (REST or in-process). The server itself adds one that logs
 * each change (component=catalog, `change=<kind> table=<ns.name> location=<file>`).
 */
floe_catalog *floe_server_catalog(floe_server *s, const char *name);
size_t floe_server_catalog_count(const floe_server *s);
floe_catalog *floe_server_catalog_at(floe_server *s, size_t i);

/*
 * The server's optimizer service (self-optimizing): what `POST /api/v1/optimizer/...` calls,
 * for an optimizer embedded in the server process to call directly. Borrowed until
 * floe_server_free.
 */
typedef struct floe_opt_service floe_opt_service;
floe_opt_service *floe_server_opt_service(floe_server *s);

/*
 * Snapshots that table maintenance must not expire on a table: the snapshot each running
 * optimizing process of it planned from. Writes at most `max` ids to `out` and returns how many
 * there are. Called from the maintenance thread before each expiration.
 */
typedef size_t (*floe_protected_snapshots_fn)(void *ud, const char *catalog, const floe_ident *id,
                                              int64_t *out, size_t max);
/* Install the provider (self-optimizing does, when it runs in the server); NULL removes it. */
void floe_server_set_protected_snapshots(floe_server *s, floe_protected_snapshots_fn fn, void *ud);

/*
 * Run one maintenance action on one table now, as the scheduler would, and record it in the
 * store. One job per table at a time: it waits up to 30 s for a running one, then fails with
 * FLOE_ERR_CONFLICT. `o` carries
 * dry_run, ignore_switch and older_than_ms; now_ms 0 means the current time. `*record` (may be
 * NULL) receives the run record, a new reference. FLOE_ERR_NOT_FOUND for an unknown table.
 */
floe_status floe_server_maintain(floe_server *s, floe_catalog *cat, const floe_ident *id,
                                 floe_mnt_action action, const floe_mnt_job_opts *o,
                                 json_t **record, floe_err *err);

/* Hash a client secret for the config file (yescrypt with a random salt); free() the result. */
floe_status floe_server_hash_secret(const char *secret, char **out, floe_err *err);

/* ==== REST path helpers ==== */

#define FLOE_REST_SEGMENT_MAX 4096 /* bytes in one raw path segment or query value */

/*
 * Percent-decode `s` (RFC 3986 escapes; '+' is a space, as Java's URLEncoder writes it).
 * A '%' not followed by two hex digits, an escape that decodes to NUL, or input longer than
 * FLOE_REST_SEGMENT_MAX is FLOE_ERR_INVALID. The result (NUL-terminated) is in `a`.
 */
floe_status floe_rest_decode(floe_arena *a, const char *s, size_t len, char **out, size_t *out_len,
                             floe_err *err);

/*
 * A namespace from its path segment or `parent` query value: percent-decoded, then split into
 * levels on 0x1F (the unit separator, "%1F" in the URL); every level is checked with
 * floe_ident_check_name. Levels are in `a`.
 */
floe_status floe_rest_parse_namespace(floe_arena *a, const char *raw, size_t len,
                                      floe_namespace *out, floe_err *err);

/* A table or view name from its path segment: decoded and checked. */
floe_status floe_rest_parse_name(floe_arena *a, const char *raw, size_t len, const char **out,
                                 floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_SERVER_H */
