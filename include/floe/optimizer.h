/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The optimizer: floe's self-optimizing worker. It runs the rewrite tasks the server plans
 * (src/optimizing/): the executor reads a task's data files with the delete files that apply
 * to them and writes new data files (or, for `rewrite-deletes` files, one position-delete file)
 * with the metrics a commit needs; the worker loop registers with an optimizer group over HTTP
 * (POST <server>/api/v1/optimizer/{register,heartbeat,poll,ack,complete}), polls for tasks with
 * N threads, runs them and reports each output or error. The worker only talks JSON over HTTP,
 * so it runs inside `floe server` (the embedded optimizer) or anywhere else (`floe optimizer`).
 * docs/internals/optimizer.md has the design.
 */
#ifndef FLOE_OPTIMIZER_H
#define FLOE_OPTIMIZER_H

#include "floe/base.h"
#include "floe/iceberg.h"
#include "floe/io.h"
#include "floe/optimizing.h"

#include <stdatomic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Executor ==== */

#define FLOE_OPTIMIZER_TASK_ARENA_MAX ((size_t)256 << 20) /* per-task arena of the worker */
#define FLOE_OPTIMIZER_METADATA_MAX ((size_t)64 << 20)    /* largest metadata file read */

typedef struct floe_optimizer_exec_opts {
    /* Writer bounds (0: the Iceberg writer's defaults). */
    size_t sort_buffer_bytes;
    size_t max_open_files;
    size_t batch_rows; /* reader batch size; 0: FLOE_ICE_DEFAULT_BATCH_ROWS */
    /* When set and true, the task stops at the next batch with FLOE_ERR_CANCELED (its files
     * are deleted). Borrowed. */
    const atomic_bool *cancel;
} floe_optimizer_exec_opts;

/*
 * Run one task. The table metadata is read from in->metadata_location through `io` (whose
 * prefix map decides where files really are); schema `in->schema_id` (the current one when
 * absent), spec `in->spec_id`, the table's default sort order and its write.* properties
 * (codec, row group and page sizes, metrics modes, write.data.path) shape the output.
 *
 * `rewrite` files are read with their delete files applied (position deletes with a data
 * sequence number >= the file's, equality deletes with a greater one) and their live rows are
 * written into new Parquet data files of about in->target_size under the partition's data path,
 * sorted by the table's sort order when it has one. `rewrite-deletes` files are kept: the rows
 * their deletes remove are written as positions into one new position-delete file for the task.
 * Output names carry a random UUID and are created exclusively, so nothing is ever overwritten.
 *
 * On success *out describes every file written (path, content, size, records, column sizes,
 * value/null/NaN counts, bounds, split offsets, sort order id, referenced data file) and a
 * summary (input and output files, bytes and rows; see docs/internals/optimizer.md), all
 * allocated from `a`. On failure nothing written is left behind (best effort: a crash does).
 * FLOE_ERR_INVALID for a task the metadata cannot serve (unknown schema or spec, no metadata
 * location), FLOE_ERR_UNSUPPORTED for non-Parquet files and deletion vectors, and the reader's,
 * writer's and FileIO's errors wrapped with the file. `opts` may be NULL.
 */
floe_status floe_optimizer_execute(const floe_opt_task_input *in, floe_fileio *io,
                                   const floe_optimizer_exec_opts *opts, floe_arena *a,
                                   floe_opt_task_output *out, floe_err *err);

/* Look up a summary entry of a task output by key; NULL when absent. Borrowed from `out`. */
const char *floe_optimizer_summary_get(const floe_opt_task_output *out, const char *key);

/* ==== Worker ==== */

#define FLOE_OPTIMIZER_POLL_WAIT_MS 10000 /* default long-poll wait */

typedef struct floe_optimizer_config {
    const char *server_url;  /* required: "http://host:port" (a trailing '/' is ignored) */
    const char *group;       /* NULL: "default" */
    int threads;             /* executor threads, 1..1024; 0: 1 */
    const char *token;       /* bearer token sent with every request; NULL: none */
    const char *resource_id; /* sent at registration; NULL: none */
    int64_t memory_mb;       /* sent at registration when > 0 */
    /* Where files are: a FileIO shared by every thread (borrowed; must outlive the worker and
     * be fully configured). NULL: a local FileIO with `location_map` applied (FROM -> TO). */
    floe_fileio *io;
    const floe_kv *location_map;
    size_t n_location_map;
    /* In-process transport: when set, requests go to this function instead of HTTP (an
     * optimizer inside the server calls floe_opt_service_handle directly, e.g. when the HTTP
     * routes require credentials it does not have). Returns the HTTP status and sets *resp to a
     * new JSON object; `req` is borrowed. server_url is then only used in log lines. */
    int (*handler)(void *ud, const char *op, const json_t *req, json_t **resp);
    void *handler_ud;
    int64_t poll_interval_ms; /* nap after an empty poll the server answered at once; 0: 1000 */
    /* Long-poll: how long the server may hold a poll that finds no task ("wait-ms"); an answer
     * held that long is followed by the next poll at once. 0: FLOE_OPTIMIZER_POLL_WAIT_MS;
     * -1: do not ask (poll every poll_interval_ms); at most FLOE_OPT_POLL_WAIT_MAX_MS. The
     * poll's HTTP timeout is request_timeout_ms plus this wait. */
    int64_t poll_wait_ms;
    int64_t retry_min_ms;       /* first back-off after a network or server error; 0: 200 */
    int64_t retry_max_ms;       /* back-off cap (doubling); 0: 10000 */
    int64_t request_timeout_ms; /* per HTTP request; 0: 30000 */
    /* What floe_optimizer_stop does with running tasks: wait for them up to this long, then
     * cancel them. 0: cancel at once; -1: wait for them to finish. */
    int64_t stop_grace_ms;
    floe_optimizer_exec_opts exec; /* executor options (cancel is set by the worker) */
} floe_optimizer_config;

typedef struct floe_optimizer floe_optimizer;

/* Counters of a running worker (for tests, logs and the CLI). */
typedef struct floe_optimizer_stats {
    int64_t registrations;   /* successful registers, re-registrations after 401 included */
    int64_t polls;           /* successful polls, empty ones included */
    int64_t tasks_done;      /* completed with an output and accepted */
    int64_t tasks_failed;    /* completed with an error and accepted */
    int64_t tasks_abandoned; /* canceled by stop, or their report refused (409/401) */
    int64_t request_errors;  /* network errors and 5xx answers (each retried) */
    int64_t heartbeats;      /* accepted heartbeats */
} floe_optimizer_stats;

/*
 * Start a worker: check the configuration, start the heartbeat thread and `threads` executor
 * threads, and return. Registration happens in the background (and again whenever the server
 * answers 401, e.g. after it restarted or dropped this optimizer); network errors and 5xx
 * answers are retried with exponential back-off, so a worker may start before its server.
 * Each executor thread: poll, ack, execute (per-task arena), complete with the output or the
 * error message. FLOE_ERR_INVALID for a bad configuration. Stop with floe_optimizer_stop.
 */
floe_status floe_optimizer_start(const floe_optimizer_config *cfg, floe_optimizer **out,
                                 floe_err *err);
/* Copy the counters (thread-safe). */
void floe_optimizer_get_stats(floe_optimizer *o, floe_optimizer_stats *out);
/*
 * Stop and free: no new polls; running tasks finish within cfg.stop_grace_ms or are canceled
 * (their files deleted, nothing reported: the server re-plans them when this optimizer's
 * heartbeat expires); threads are joined. Accepts NULL.
 */
void floe_optimizer_stop(floe_optimizer *o);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_OPTIMIZER_H */
