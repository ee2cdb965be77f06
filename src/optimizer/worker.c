/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker loop: register with an optimizer group, heartbeat, and run tasks with N threads
 * (poll, ack, execute, complete), talking JSON over HTTP with libcurl (one easy handle per
 * thread).
 *
 * Registration is shared: the first thread that needs a token registers while the others wait
 * on the condition variable; a 401 on any call drops the token of that registration only (its
 * generation), so several threads seeing the same 401 register once. Network errors and 5xx
 * answers are retried with doubling back-off. A completion is retried until the server answers
 * (the task's files are only worth anything once reported); when the server refuses it (the
 * attempt was reset, or the token expired and the task went back to planned), the files are
 * deleted, since nothing will ever commit them.
 *
 * Stop: no new polls; running tasks may finish within the grace period, then the cancel flag
 * makes the executor stop at its next batch (deleting what it wrote) and aborts transfers.
 */
#include "floe/optimizer.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESPONSE_MAX (FLOE_OPT_TASK_JSON_MAX + ((size_t)1 << 20))
#define DEFAULT_HEARTBEAT_MS 10000

struct floe_optimizer {
    char *base_url; /* without a trailing '/' */
    char *group;
    int threads;
    char *auth_header; /* "Authorization: Bearer ..." or NULL */
    char *resource_id;
    int64_t memory_mb;
    floe_fileio *io;
    bool own_io;
    int (*handler)(void *ud, const char *op, const json_t *req, json_t **resp);
    void *handler_ud;
    int64_t poll_interval_ms, poll_wait_ms, retry_min_ms, retry_max_ms, request_timeout_ms,
        stop_grace_ms;
    floe_optimizer_exec_opts exec;
    atomic_bool cancel;   /* hard stop: running tasks and transfers abort */
    atomic_bool stopping; /* no new work */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *token; /* current registration, NULL when none */
    int64_t gen; /* incremented per registration */
    bool registering;
    int64_t heartbeat_ms;
    int busy; /* threads inside a task */
    floe_optimizer_stats stats;

    pthread_t heartbeat_thread;
    bool heartbeat_started;
    pthread_t *workers;
    int n_started;
};

/* Per-thread state. */
typedef struct thread_ctx {
    floe_optimizer *o;
    int index; /* executor thread number; -1 for the heartbeat thread */
    CURL *h;
    int64_t backoff_ms;
} thread_ctx;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ==== Small helpers ==== */

static void count(floe_optimizer *o, int64_t *field)
{
    pthread_mutex_lock(&o->mu);
    (*field)++;
    pthread_mutex_unlock(&o->mu);
}

static struct timespec deadline_in(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = (int64_t)ts.tv_nsec + (ms % 1000) * 1000000;
    ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

/* Wait up to `ms`, or until the stop (`hard`: the cancel) flag is set. */
static void wait_ms(floe_optimizer *o, int64_t ms, bool hard)
{
    struct timespec ts = deadline_in(ms);
    atomic_bool *flag = hard ? &o->cancel : &o->stopping;
    pthread_mutex_lock(&o->mu);
    while (!atomic_load(flag)) {
        if (pthread_cond_timedwait(&o->cv, &o->mu, &ts) == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&o->mu);
}

/* Sleep up to `ms` unless the worker stops first; false when stopping. */
static bool nap(floe_optimizer *o, int64_t ms)
{
    wait_ms(o, ms, false);
    return !atomic_load(&o->stopping);
}

static bool back_off(thread_ctx *t)
{
    bool go_on = nap(t->o, t->backoff_ms);
    t->backoff_ms = t->backoff_ms * 2 > t->o->retry_max_ms ? t->o->retry_max_ms : t->backoff_ms * 2;
    return go_on;
}

/* ==== HTTP ==== */

typedef struct http_body {
    floe_buf buf;
} http_body;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    http_body *b = ud;
    if (floe_buf_append(&b->buf, p, size * n, NULL) != FLOE_OK) {
        return 0; /* too big: curl fails the transfer */
    }
    return size * n;
}

typedef struct xfer_ctx {
    floe_optimizer *o;
    bool abort_on_stop; /* polls and heartbeats end at stop; reports only at cancel */
} xfer_ctx;

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    const xfer_ctx *x = ud;
    return atomic_load(&x->o->cancel) || (x->abort_on_stop && atomic_load(&x->o->stopping));
}

/*
 * POST `body` to <server>/api/v1/optimizer/<op>. Returns the HTTP status with *resp the parsed
 * JSON answer (NULL when it was not JSON), or -1 for a network error (message in `err`).
 */
static int post(thread_ctx *t, const char *op, const json_t *body, bool abort_on_stop,
                int64_t extra_timeout_ms, json_t **resp, floe_err *err)
{
    floe_optimizer *o = t->o;
    *resp = NULL;
    if (o->handler != NULL) {
        int code = o->handler(o->handler_ud, op, body, resp);
        if (code != 200) {
            json_t *e = *resp != NULL ? json_object_get(*resp, "error") : NULL;
            const char *msg = json_string_value(json_object_get(e, "message"));
            floe_err_set(err, FLOE_ERR_UNAVAILABLE, "%s: status %d%s%s", op, code,
                         msg != NULL ? ": " : "", msg != NULL ? msg : "");
        }
        return code;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    char *url = floe_xasprintf("%s/api/v1/optimizer/%s", o->base_url, op);
    http_body rb;
    floe_buf_init(&rb.buf, RESPONSE_MAX);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (o->auth_header != NULL) {
        hdrs = curl_slist_append(hdrs, o->auth_header);
    }
    xfer_ctx x = {.o = o, .abort_on_stop = abort_on_stop};
    CURL *h = t->h;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, text != NULL ? text : "{}");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &rb);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* A long-poll may be held by the server for up to its wait: the timeout is above that. */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->request_timeout_ms + extra_timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(o->request_timeout_ms < 10000 ? o->request_timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    CURLcode cc = curl_easy_perform(h);
    int status = -1;
    if (cc != CURLE_OK) {
        floe_err_set(err, FLOE_ERR_UNAVAILABLE, "%s: %s", url, curl_easy_strerror(cc));
    } else {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        status = (int)code;
        *resp = json_loadb(floe_buf_cstr(&rb.buf), rb.buf.len, 0, NULL);
        if (status != 200) {
            json_t *e = *resp != NULL ? json_object_get(*resp, "error") : NULL;
            const char *msg = json_string_value(json_object_get(e, "message"));
            floe_err_set(err, FLOE_ERR_UNAVAILABLE, "%s: HTTP %d%s%s", url, status,
                         msg != NULL ? ": " : "", msg != NULL ? msg : "");
        }
    }
    curl_slist_free_all(hdrs);
    floe_buf_fini(&rb.buf);
    free(url);
    free(text);
    return status;
}

/* ==== Registration ==== */

static floe_status do_register(thread_ctx *t, char **token, int64_t *hb_ms, floe_err *err)
{
    floe_optimizer *o = t->o;
    json_t *req = json_object();
    json_object_set_new(req, "group", json_string(o->group));
    json_object_set_new(req, "threads", json_integer(o->threads));
    if (o->memory_mb > 0) {
        json_object_set_new(req, "memory-mb", json_integer(o->memory_mb));
    }
    if (o->resource_id != NULL) {
        json_object_set_new(req, "resource-id", json_string(o->resource_id));
    }
    json_t *resp = NULL;
    int status = post(t, "register", req, true, 0, &resp, err);
    json_decref(req);
    floe_status st = FLOE_OK;
    if (status != 200) {
        st = status >= 400 && status < 500 ? FLOE_ERR_INVALID : FLOE_ERR_UNAVAILABLE;
    } else {
        const char *tok = json_string_value(json_object_get(resp, "token"));
        json_t *hb = json_object_get(resp, "heartbeat-interval-ms");
        if (tok == NULL || tok[0] == '\0') {
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "register: answer without a token");
        } else {
            *token = floe_xstrdup(tok);
            *hb_ms = json_is_integer(hb) && json_integer_value(hb) > 0 ? json_integer_value(hb)
                                                                       : DEFAULT_HEARTBEAT_MS;
        }
    }
    json_decref(resp);
    return st;
}

/*
 * The current token (a heap copy in *out, with its generation), registering when there is none.
 * Returns false when the worker stops first.
 */
static bool get_token(thread_ctx *t, char **out, int64_t *gen)
{
    floe_optimizer *o = t->o;
    pthread_mutex_lock(&o->mu);
    for (;;) {
        if (atomic_load(&o->stopping)) {
            pthread_mutex_unlock(&o->mu);
            return false;
        }
        if (o->token != NULL) {
            *out = floe_xstrdup(o->token);
            *gen = o->gen;
            pthread_mutex_unlock(&o->mu);
            return true;
        }
        if (o->registering) {
            pthread_cond_wait(&o->cv, &o->mu);
            continue;
        }
        /* This thread registers (retrying with back-off); the others wait for it. */
        o->registering = true;
        pthread_mutex_unlock(&o->mu);
        char *tok = NULL;
        int64_t hb = 0;
        floe_status st = FLOE_ERR_CANCELED;
        while (!atomic_load(&o->stopping)) {
            floe_err err = {0};
            st = do_register(t, &tok, &hb, &err);
            if (st == FLOE_OK) {
                break;
            }
            count(o, &o->stats.request_errors);
            FLOE_LOG_WARN("optimizer", "register: %s; retrying in %lld ms", err.msg,
                          (long long)t->backoff_ms);
            if (!back_off(t)) {
                break;
            }
        }
        pthread_mutex_lock(&o->mu);
        o->registering = false;
        if (st == FLOE_OK) {
            o->token = tok;
            o->gen++;
            o->heartbeat_ms = hb;
            o->stats.registrations++;
            t->backoff_ms = o->retry_min_ms;
            FLOE_LOG_INFO("optimizer", "registered with group %s at %s (%d threads)", o->group,
                          o->base_url, o->threads);
        }
        pthread_cond_broadcast(&o->cv); /* the lock stays held for the loop */
    }
}

/* Drop registration `gen` after a 401 (a newer registration is kept). */
static void invalidate(floe_optimizer *o, int64_t gen)
{
    pthread_mutex_lock(&o->mu);
    if (o->gen == gen && o->token != NULL) {
        free(o->token);
        o->token = NULL;
        FLOE_LOG_WARN("optimizer", "token refused by %s; registering again", o->base_url);
    }
    pthread_mutex_unlock(&o->mu);
}

/* ==== Heartbeat ==== */

static void *heartbeat_main(void *ud)
{
    thread_ctx *t = ud;
    floe_optimizer *o = t->o;
    for (;;) {
        char *tok = NULL;
        int64_t gen = 0;
        if (!get_token(t, &tok, &gen)) {
            break;
        }
        json_t *req = json_object();
        json_object_set_new(req, "token", json_string(tok));
        json_t *resp = NULL;
        floe_err err = {0};
        int status = post(t, "heartbeat", req, true, 0, &resp, &err);
        json_decref(req);
        json_decref(resp);
        free(tok);
        if (status == 200) {
            count(o, &o->stats.heartbeats);
        } else if (status == 401) {
            invalidate(o, gen);
            continue;
        } else if (!atomic_load(&o->stopping)) {
            count(o, &o->stats.request_errors);
            FLOE_LOG_WARN("optimizer", "heartbeat: %s", err.msg);
        }
        pthread_mutex_lock(&o->mu);
        int64_t ms = o->heartbeat_ms;
        pthread_mutex_unlock(&o->mu);
        if (!nap(o, ms)) {
            break;
        }
    }
    return NULL;
}

/* ==== Tasks ==== */

/* The request fields that name a task attempt: token, thread and the ids the poll gave. */
static json_t *task_request(const char *token, int thread, const json_t *task)
{
    json_t *req = json_object();
    json_object_set_new(req, "token", json_string(token));
    json_object_set_new(req, "thread", json_integer(thread));
    static const char *const keys[] = {"process-id", "task-id", "attempt"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(task, keys[i]);
        json_object_set(req, keys[i], v != NULL ? v : json_null());
    }
    return req;
}

static void delete_outputs(floe_optimizer *o, const floe_opt_task_output *out)
{
    for (size_t i = 0; i < out->n_files; i++) {
        floe_err ignored = {0};
        (void)floe_io_delete(o->io, out->files[i].path, &ignored);
    }
}

/*
 * Report a finished task. Network errors and 5xx are retried (until the hard stop); 401 and
 * 409 mean the server no longer expects this attempt. True when the report was accepted.
 */
static bool report(thread_ctx *t, const char *token, int64_t gen, const json_t *task,
                   json_t *output, const char *error)
{
    floe_optimizer *o = t->o;
    json_t *req = task_request(token, t->index, task);
    if (output != NULL) {
        json_object_set(req, "output", output);
    } else {
        json_object_set_new(req, "error", json_string(error));
    }
    bool ok = false;
    t->backoff_ms = o->retry_min_ms;
    for (;;) {
        json_t *resp = NULL;
        floe_err err = {0};
        int status = post(t, "complete", req, false, 0, &resp, &err);
        json_decref(resp);
        if (status == 200) {
            ok = true;
            break;
        }
        if (status == 401) {
            invalidate(o, gen);
        }
        if (status >= 400 && status < 500) {
            FLOE_LOG_WARN("optimizer", "complete refused: %s", err.msg);
            break;
        }
        count(o, &o->stats.request_errors);
        FLOE_LOG_WARN("optimizer", "complete: %s; retrying", err.msg);
        if (atomic_load(&o->cancel)) {
            break;
        }
        /* Keep trying through a stop (only the hard stop ends it): the work is done. */
        wait_ms(o, t->backoff_ms, true);
        t->backoff_ms = t->backoff_ms * 2 > o->retry_max_ms ? o->retry_max_ms : t->backoff_ms * 2;
    }
    json_decref(req);
    return ok;
}

static void run_task(thread_ctx *t, const char *token, int64_t gen, const json_t *task)
{
    floe_optimizer *o = t->o;
    json_t *pid = json_object_get(task, "process-id");
    json_t *tid = json_object_get(task, "task-id");
    char ctx[64];
    snprintf(ctx, sizeof(ctx), "task-%lld.%lld", (long long)json_integer_value(pid),
             (long long)json_integer_value(tid));
    floe_log_set_context(ctx);

    /* Ack first: the server expects it within its ack timeout. */
    json_t *req = task_request(token, t->index, task);
    json_t *resp = NULL;
    floe_err err = {0};
    int status = post(t, "ack", req, false, 0, &resp, &err);
    json_decref(req);
    json_decref(resp);
    if (status != 200) {
        if (status == 401) {
            invalidate(o, gen);
        } else if (status < 0 || status >= 500) {
            count(o, &o->stats.request_errors);
        }
        FLOE_LOG_WARN("optimizer", "ack: %s; task left to the server", err.msg);
        count(o, &o->stats.tasks_abandoned);
        floe_log_set_context(NULL);
        return;
    }

    floe_arena *a = floe_arena_new(FLOE_OPTIMIZER_TASK_ARENA_MAX);
    floe_opt_task_input in;
    floe_opt_task_output out;
    memset(&out, 0, sizeof(out));
    int64_t t0 = floe_time_mono_us();
    floe_status st = floe_opt_task_input_from_json(a, json_object_get(task, "input"), &in, &err);
    if (st != FLOE_OK) {
        floe_err_wrap(&err, "task input");
    } else {
        FLOE_LOG_INFO("optimizer", "executing %s: %zu data files, %zu delete files", in.table,
                      in.n_files, in.n_deletes);
        st = floe_optimizer_execute(&in, o->io, &o->exec, a, &out, &err);
    }
    int64_t ms = (floe_time_mono_us() - t0) / 1000;
    if (st == FLOE_ERR_CANCELED && atomic_load(&o->cancel)) {
        FLOE_LOG_INFO("optimizer", "canceled by stop after %lld ms", (long long)ms);
        count(o, &o->stats.tasks_abandoned);
    } else if (st == FLOE_OK) {
        json_t *oj = floe_opt_task_output_to_json(&out);
        bool ok = report(t, token, gen, task, oj, NULL);
        json_decref(oj);
        if (ok) {
            FLOE_LOG_INFO("optimizer", "done in %lld ms: %zu files, %s rows", (long long)ms,
                          out.n_files, floe_optimizer_summary_get(&out, "rows"));
            count(o, &o->stats.tasks_done);
        } else {
            delete_outputs(o, &out);
            count(o, &o->stats.tasks_abandoned);
        }
    } else {
        FLOE_LOG_WARN("optimizer", "failed after %lld ms: %s", (long long)ms, err.msg);
        if (report(t, token, gen, task, NULL, err.msg)) {
            count(o, &o->stats.tasks_failed);
        } else {
            count(o, &o->stats.tasks_abandoned);
        }
    }
    floe_arena_free(a);
    floe_log_set_context(NULL);
}

/*
 * Whether an empty poll answer was held by the server (a long-poll): the server says how long
 * it waited ("wait-ms") and the answer took at least half of that. Then the next poll goes out
 * at once; otherwise the thread naps, so an answer that comes back at once never spins.
 */
static bool held(const json_t *resp, int64_t took_ms)
{
    json_t *w = json_object_get(resp, "wait-ms");
    return json_is_integer(w) && json_integer_value(w) > 0 && took_ms >= json_integer_value(w) / 2;
}

static void *executor_main(void *ud)
{
    thread_ctx *t = ud;
    floe_optimizer *o = t->o;
    t->backoff_ms = o->retry_min_ms;
    for (;;) {
        char *tok = NULL;
        int64_t gen = 0;
        if (!get_token(t, &tok, &gen)) {
            break;
        }
        json_t *req = json_object();
        json_object_set_new(req, "token", json_string(tok));
        json_object_set_new(req, "thread", json_integer(t->index));
        if (o->poll_wait_ms > 0) {
            json_object_set_new(req, "wait-ms", json_integer(o->poll_wait_ms));
        }
        json_t *resp = NULL;
        floe_err err = {0};
        int64_t started = floe_time_mono_us();
        int status = post(t, "poll", req, true, o->poll_wait_ms, &resp, &err);
        int64_t took_ms = (floe_time_mono_us() - started) / 1000;
        json_decref(req);
        if (status == 200) {
            count(o, &o->stats.polls);
            t->backoff_ms = o->retry_min_ms;
            json_t *task = json_object_get(resp, "task");
            if (json_is_object(task) && !atomic_load(&o->stopping)) {
                pthread_mutex_lock(&o->mu);
                o->busy++;
                pthread_mutex_unlock(&o->mu);
                run_task(t, tok, gen, task);
                pthread_mutex_lock(&o->mu);
                o->busy--;
                pthread_cond_broadcast(&o->cv);
                pthread_mutex_unlock(&o->mu);
            } else if (!held(resp, took_ms) && !nap(o, o->poll_interval_ms)) {
                /* Answered at once (a server without long-poll, the in-process transport, a
                 * stopping server): wait before the next poll instead of spinning. */
                json_decref(resp);
                free(tok);
                break;
            }
        } else if (status == 401) {
            invalidate(o, gen);
        } else if (!atomic_load(&o->stopping)) {
            count(o, &o->stats.request_errors);
            FLOE_LOG_WARN("optimizer", "poll: %s; retrying in %lld ms", err.msg,
                          (long long)t->backoff_ms);
            if (!back_off(t)) {
                json_decref(resp);
                free(tok);
                break;
            }
        }
        json_decref(resp);
        free(tok);
    }
    return NULL;
}

static void *thread_main(void *ud)
{
    thread_ctx *t = ud;
    t->h = curl_easy_init();
    if (t->h != NULL) {
        if (t->index < 0) {
            heartbeat_main(t);
        } else {
            executor_main(t);
        }
        curl_easy_cleanup(t->h);
    }
    free(t);
    return NULL;
}

/* ==== Start and stop ==== */

static floe_status start_thread(floe_optimizer *o, int index, pthread_t *out, floe_err *err)
{
    thread_ctx *t = floe_xcalloc(1, sizeof(*t));
    t->o = o;
    t->index = index;
    t->backoff_ms = o->retry_min_ms;
    int rc = pthread_create(out, NULL, thread_main, t);
    if (rc != 0) {
        free(t);
        return floe_err_errno(err, rc, "optimizer: start thread");
    }
    return FLOE_OK;
}

static floe_status check_config(const floe_optimizer_config *cfg, floe_err *err)
{
    if (cfg->server_url == NULL || !(floe_starts_with(cfg->server_url, "http://") ||
                                     floe_starts_with(cfg->server_url, "https://"))) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "optimizer: server url must start with http:// or https://, got '%s'",
                            cfg->server_url != NULL ? cfg->server_url : "");
    }
    if (cfg->threads < 0 || cfg->threads > 1024) {
        return floe_err_set(err, FLOE_ERR_INVALID, "optimizer: threads must be 1..1024, got %d",
                            cfg->threads);
    }
    if (cfg->group != NULL) {
        size_t n = strlen(cfg->group);
        if (n == 0 || n > 64 ||
            strspn(cfg->group, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
                               "rstuvwxyz0123456789_-") != n) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "optimizer: group must be [A-Za-z0-9_-]{1,64}, got '%s'",
                                cfg->group);
        }
    }
    if (cfg->poll_wait_ms > FLOE_OPT_POLL_WAIT_MAX_MS) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "optimizer: poll wait must be at most %d ms, got %lld",
                            FLOE_OPT_POLL_WAIT_MAX_MS, (long long)cfg->poll_wait_ms);
    }
    if (cfg->token != NULL && strpbrk(cfg->token, "\r\n") != NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "optimizer: token contains a line break");
    }
    return FLOE_OK;
}

floe_status floe_optimizer_start(const floe_optimizer_config *cfg, floe_optimizer **out,
                                 floe_err *err)
{
    *out = NULL;
    floe_status st = check_config(cfg, err);
    if (st != FLOE_OK) {
        return st;
    }
    pthread_once(&curl_once, curl_init_once);
    floe_optimizer *o = floe_xcalloc(1, sizeof(*o));
    o->base_url = floe_xstrdup(cfg->server_url);
    size_t n = strlen(o->base_url);
    while (n > 0 && o->base_url[n - 1] == '/') {
        o->base_url[--n] = '\0';
    }
    o->group = floe_xstrdup(cfg->group != NULL ? cfg->group : "default");
    o->threads = cfg->threads > 0 ? cfg->threads : 1;
    o->auth_header =
        cfg->token != NULL ? floe_xasprintf("Authorization: Bearer %s", cfg->token) : NULL;
    o->resource_id = cfg->resource_id != NULL ? floe_xstrdup(cfg->resource_id) : NULL;
    o->memory_mb = cfg->memory_mb;
    o->handler = cfg->handler;
    o->handler_ud = cfg->handler_ud;
    o->poll_interval_ms = cfg->poll_interval_ms > 0 ? cfg->poll_interval_ms : 1000;
    o->poll_wait_ms = cfg->poll_wait_ms < 0    ? 0
                      : cfg->poll_wait_ms == 0 ? FLOE_OPTIMIZER_POLL_WAIT_MS
                                               : cfg->poll_wait_ms;
    o->retry_min_ms = cfg->retry_min_ms > 0 ? cfg->retry_min_ms : 200;
    o->retry_max_ms = cfg->retry_max_ms > 0 ? cfg->retry_max_ms : 10000;
    if (o->retry_max_ms < o->retry_min_ms) {
        o->retry_max_ms = o->retry_min_ms;
    }
    o->request_timeout_ms = cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : 30000;
    o->stop_grace_ms = cfg->stop_grace_ms;
    o->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
    o->exec = cfg->exec;
    o->exec.cancel = &o->cancel;
    atomic_init(&o->cancel, false);
    atomic_init(&o->stopping, false);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    if (cfg->io != NULL) {
        o->io = cfg->io;
    } else {
        o->io = floe_fileio_local_new(NULL);
        o->own_io = true;
        for (size_t i = 0; i < cfg->n_location_map && st == FLOE_OK; i++) {
            st = floe_fileio_map_prefix(o->io, cfg->location_map[i].key, cfg->location_map[i].value,
                                        err);
        }
    }
    o->workers = floe_xcalloc((size_t)o->threads, sizeof(pthread_t));
    if (st == FLOE_OK) {
        st = start_thread(o, -1, &o->heartbeat_thread, err);
        o->heartbeat_started = st == FLOE_OK;
    }
    for (int i = 0; i < o->threads && st == FLOE_OK; i++) {
        st = start_thread(o, i, &o->workers[i], err);
        if (st == FLOE_OK) {
            o->n_started++;
        }
    }
    if (st != FLOE_OK) {
        floe_optimizer_stop(o);
        return st;
    }
    *out = o;
    return FLOE_OK;
}

void floe_optimizer_get_stats(floe_optimizer *o, floe_optimizer_stats *out)
{
    pthread_mutex_lock(&o->mu);
    *out = o->stats;
    pthread_mutex_unlock(&o->mu);
}

void floe_optimizer_stop(floe_optimizer *o)
{
    if (o == NULL) {
        return;
    }
    pthread_mutex_lock(&o->mu);
    atomic_store(&o->stopping, true);
    pthread_cond_broadcast(&o->cv);
    /* Let running tasks finish within the grace period. */
    if (o->stop_grace_ms != 0) {
        int64_t ms = o->stop_grace_ms;
        struct timespec ts = deadline_in(ms > 0 ? ms : 0);
        while (o->busy > 0) {
            if (ms < 0) {
                pthread_cond_wait(&o->cv, &o->mu);
            } else if (pthread_cond_timedwait(&o->cv, &o->mu, &ts) == ETIMEDOUT) {
                break;
            }
        }
    }
    atomic_store(&o->cancel, true);
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    if (o->heartbeat_started) {
        pthread_join(o->heartbeat_thread, NULL);
    }
    for (int i = 0; i < o->n_started; i++) {
        pthread_join(o->workers[i], NULL);
    }
    if (o->own_io) {
        floe_fileio_free(o->io);
    }
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o->workers);
    free(o->token);
    free(o->base_url);
    free(o->group);
    free(o->auth_header);
    free(o->resource_id);
    free(o);
}
