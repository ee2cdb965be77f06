/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The optimizer service: optimizer groups, the processes queued in each, and the optimizer
 * protocol (register, heartbeat, poll, ack, complete) as JSON-in / JSON-out calls. One mutex
 * guards everything; no call blocks while holding it. Time comes from an injected clock so
 * timeouts are tested without sleeping.
 *
 * Scheduling: a poll from an optimizer thread picks, among the tables of the optimizer's group
 * with a running process, the first in policy order (quota: least execution time over the last
 * hour relative to the table's thread quota; balanced: longest since last optimized) that is
 * under its quota and has a PLANNED task.
 */
#include "opt_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS ((int64_t)3600 * 1000)
#define HISTORY_MAX 1000
#define MAX_THREADS 1024

typedef struct opt_group {
    char *name;
    floe_opt_policy policy;
    int64_t max_input_per_thread;
} opt_group;

typedef struct opt_optimizer {
    char token[FLOE_OPT_TOKEN_MAX + 1];
    char *group;
    char *resource_id;
    int32_t threads;
    int32_t memory_mb;
    int64_t registered_ms, touch_ms;
} opt_optimizer;

typedef struct quota_span {
    int64_t start_ms, end_ms;
} quota_span;

typedef struct opt_table {
    char *table;
    char *group;
    double quota;
    int32_t max_retries;
    bool allow_partial;
    int64_t last_optimized_ms;
    floe_opt_process *proc; /* RUNNING or COMMITTING; NULL when none */
    bool commit_taken;
    floe_vec spans; /* quota_span of finished executions in the last hour */
} opt_table;

struct floe_opt_service {
    pthread_mutex_t mu;
    floe_opt_service_opts opts;
    floe_vec groups;            /* opt_group */
    floe_vec optimizers;        /* opt_optimizer */
    floe_vec tables;            /* opt_table * */
    floe_vec history;           /* floe_opt_process *: finished processes, oldest first */
    floe_opt_tasks_fn tasks_fn; /* long-poll hook: tasks may be available to a group */
    void *tasks_ud;
    int planning; /* tables the server is planning (floe_opt_service_planning) */
};

static int64_t wall_clock(void *ud)
{
    (void)ud;
    return floe_time_now_us() / 1000;
}

static int64_t now_ms(const floe_opt_service *s)
{
    return s->opts.clock(s->opts.clock_ud);
}

/* Tell the long-poll hook that `group` may have tasks for its optimizers (lock held). */
static void tasks_changed(floe_opt_service *s, const char *group)
{
    if (s->tasks_fn != NULL && group != NULL) {
        s->tasks_fn(s->tasks_ud, group);
    }
}

void floe_opt_service_planning(floe_opt_service *s, bool on)
{
    pthread_mutex_lock(&s->mu);
    s->planning += on ? 1 : -1;
    if (s->planning == 0 && s->opts.break_quota) {
        /* Quotas may be broken again: wake held polls of every group. */
        for (size_t i = 0; i < s->groups.n; i++) {
            tasks_changed(s, FLOE_VEC_AT(&s->groups, opt_group, i)->name);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

void floe_opt_service_set_tasks_hook(floe_opt_service *s, floe_opt_tasks_fn fn, void *ud)
{
    pthread_mutex_lock(&s->mu);
    s->tasks_fn = fn;
    s->tasks_ud = ud;
    pthread_mutex_unlock(&s->mu);
}

floe_opt_service *floe_opt_service_new(const floe_opt_service_opts *opts)
{
    floe_opt_service *s = floe_xcalloc(1, sizeof(*s));
    if (opts != NULL) {
        s->opts = *opts;
    }
    if (s->opts.clock == NULL) {
        s->opts.clock = wall_clock;
    }
    if (s->opts.heartbeat_timeout_ms <= 0) {
        s->opts.heartbeat_timeout_ms = 60000;
    }
    if (s->opts.ack_timeout_ms <= 0) {
        s->opts.ack_timeout_ms = 30000;
    }
    if (s->opts.execute_timeout_ms == 0) {
        s->opts.execute_timeout_ms = HOUR_MS;
    }
    if (s->opts.max_optimizers <= 0) {
        s->opts.max_optimizers = 1024;
    }
    pthread_mutex_init(&s->mu, NULL);
    floe_vec_init(&s->groups, sizeof(opt_group));
    floe_vec_init(&s->optimizers, sizeof(opt_optimizer));
    floe_vec_init(&s->tables, sizeof(opt_table *));
    floe_vec_init(&s->history, sizeof(floe_opt_process *));
    return s;
}

static void table_free(opt_table *t)
{
    free(t->table);
    free(t->group);
    floe_opt_process_free(t->proc);
    floe_vec_fini(&t->spans);
    free(t);
}

void floe_opt_service_free(floe_opt_service *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->groups.n; i++) {
        free(FLOE_VEC_AT(&s->groups, opt_group, i)->name);
    }
    for (size_t i = 0; i < s->optimizers.n; i++) {
        opt_optimizer *o = FLOE_VEC_AT(&s->optimizers, opt_optimizer, i);
        free(o->group);
        free(o->resource_id);
    }
    for (size_t i = 0; i < s->tables.n; i++) {
        table_free(*FLOE_VEC_AT(&s->tables, opt_table *, i));
    }
    for (size_t i = 0; i < s->history.n; i++) {
        floe_opt_process_free(*FLOE_VEC_AT(&s->history, floe_opt_process *, i));
    }
    floe_vec_fini(&s->groups);
    floe_vec_fini(&s->optimizers);
    floe_vec_fini(&s->tables);
    floe_vec_fini(&s->history);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ==== Lookups (lock held) ==== */

static opt_group *find_group(floe_opt_service *s, const char *name)
{
    for (size_t i = 0; i < s->groups.n; i++) {
        opt_group *g = FLOE_VEC_AT(&s->groups, opt_group, i);
        if (strcmp(g->name, name) == 0) {
            return g;
        }
    }
    return NULL;
}

static opt_optimizer *find_optimizer(floe_opt_service *s, const char *token)
{
    for (size_t i = 0; i < s->optimizers.n; i++) {
        opt_optimizer *o = FLOE_VEC_AT(&s->optimizers, opt_optimizer, i);
        if (strcmp(o->token, token) == 0) {
            return o;
        }
    }
    return NULL;
}

static opt_table *find_table_by_process(floe_opt_service *s, int64_t process_id)
{
    for (size_t i = 0; i < s->tables.n; i++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, i);
        if (t->proc != NULL && t->proc->process_id == process_id) {
            return t;
        }
    }
    return NULL;
}

static opt_table *find_table(floe_opt_service *s, const char *name)
{
    for (size_t i = 0; i < s->tables.n; i++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, i);
        if (strcmp(t->table, name) == 0) {
            return t;
        }
    }
    return NULL;
}

static int32_t group_threads(floe_opt_service *s, const char *group)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->optimizers.n; i++) {
        opt_optimizer *o = FLOE_VEC_AT(&s->optimizers, opt_optimizer, i);
        if (strcmp(o->group, group) == 0) {
            n += o->threads;
        }
    }
    return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

/* ==== Groups and processes ==== */

floe_status floe_opt_service_set_group(floe_opt_service *s, const floe_opt_group_def *def,
                                       floe_err *err)
{
    if (def == NULL || !floe_opt_group_name_valid(def->name)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "optimizer group name: 1..%d characters of [A-Za-z0-9_-]",
                            FLOE_OPT_GROUP_NAME_MAX);
    }
    if (def->max_input_per_thread < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "max-input-file-size-per-thread: negative");
    }
    pthread_mutex_lock(&s->mu);
    opt_group *g = find_group(s, def->name);
    if (g == NULL) {
        g = floe_vec_push(&s->groups);
        g->name = floe_xstrdup(def->name);
    }
    g->policy = def->policy;
    g->max_input_per_thread =
        def->max_input_per_thread > 0 ? def->max_input_per_thread : (int64_t)512 << 20;
    pthread_mutex_unlock(&s->mu);
    return FLOE_OK;
}

floe_status floe_opt_service_submit(floe_opt_service *s, floe_opt_process *p,
                                    const floe_opt_props *props, int64_t last_optimized_ms,
                                    floe_err *err)
{
    if (p == NULL || p->table == NULL || p->n_tasks == 0 || p->status != FLOE_OPT_PROC_RUNNING) {
        floe_opt_process_free(p);
        return floe_err_set(err, FLOE_ERR_INVALID, "submit needs a running process with tasks");
    }
    pthread_mutex_lock(&s->mu);
    floe_status st = FLOE_OK;
    opt_table *t = find_table(s, p->table);
    if (find_group(s, props->group) == NULL) {
        st = floe_err_set(err, FLOE_ERR_NOT_FOUND, "optimizer group '%s' does not exist",
                          props->group);
    } else if (find_table_by_process(s, p->process_id) != NULL) {
        st = floe_err_set(err, FLOE_ERR_EXISTS, "process %lld already submitted",
                          (long long)p->process_id);
    } else if (t != NULL && t->proc != NULL) {
        st = floe_err_set(err, FLOE_ERR_EXISTS, "table %s already has process %lld", p->table,
                          (long long)t->proc->process_id);
    }
    if (st != FLOE_OK) {
        pthread_mutex_unlock(&s->mu);
        floe_opt_process_free(p);
        return st;
    }
    if (t == NULL) {
        t = floe_xcalloc(1, sizeof(*t));
        t->table = floe_xstrdup(p->table);
        floe_vec_init(&t->spans, sizeof(quota_span));
        floe_vec_push_copy(&s->tables, &t);
    }
    free(t->group);
    t->group = floe_xstrdup(props->group);
    t->quota = props->quota;
    t->max_retries = props->execute_num_retries;
    t->allow_partial = props->allow_partial_commit;
    t->last_optimized_ms = last_optimized_ms;
    t->proc = p;
    t->commit_taken = false;
    tasks_changed(s, t->group);
    pthread_mutex_unlock(&s->mu);
    return FLOE_OK;
}

/* Move a finished process to the history (lock held). */
static void finish_process(floe_opt_service *s, opt_table *t, floe_opt_process_status status,
                           const char *reason)
{
    floe_opt_process *p = t->proc;
    p->status = status;
    p->end_ms = now_ms(s);
    if (reason != NULL) {
        free(p->fail_reason);
        p->fail_reason = floe_xstrdup(reason);
    }
    if (status == FLOE_OPT_PROC_SUCCESS) {
        t->last_optimized_ms = p->end_ms;
    }
    t->proc = NULL;
    t->commit_taken = false;
    if (s->history.n >= HISTORY_MAX) {
        floe_opt_process_free(*FLOE_VEC_AT(&s->history, floe_opt_process *, 0));
        floe_vec_remove(&s->history, 0);
    }
    floe_vec_push_copy(&s->history, &p);
}

/* Every task finished one way or another: commit what succeeded, or fail (lock held). */
static void settle_process(floe_opt_service *s, opt_table *t)
{
    floe_opt_process *p = t->proc;
    size_t c[FLOE_OPT_TASK_STATUS_COUNT_];
    floe_opt_process_task_counts(p, c);
    if (c[FLOE_OPT_TASK_PLANNED] + c[FLOE_OPT_TASK_SCHEDULED] + c[FLOE_OPT_TASK_ACKED] > 0) {
        return;
    }
    if (c[FLOE_OPT_TASK_SUCCESS] == p->n_tasks ||
        (t->allow_partial && c[FLOE_OPT_TASK_SUCCESS] > 0)) {
        /* Everything (or, with allow-partial-commit, what succeeded) goes to the committer. */
        p->status = FLOE_OPT_PROC_COMMITTING;
    } else if (p->status == FLOE_OPT_PROC_RUNNING) {
        finish_process(s, t, FLOE_OPT_PROC_FAILED, p->fail_reason ? NULL : "tasks failed");
    }
}

static void record_span(opt_table *t, int64_t start, int64_t end)
{
    if (end > start && start > 0) {
        quota_span sp = {start, end};
        floe_vec_push_copy(&t->spans, &sp);
    }
}

/* Drop a task's holder after its optimizer left or a timeout (lock held). */
static void reset_task(floe_opt_service *s, opt_table *t, floe_opt_task *task, int64_t now)
{
    if (task->status == FLOE_OPT_TASK_ACKED) {
        record_span(t, task->acked_ms, now);
    }
    floe_opt_task_reset(task, NULL);
    tasks_changed(s, t->group);
}

static void expire_locked(floe_opt_service *s, int64_t now)
{
    /* Optimizers silent past the heartbeat timeout leave; their tasks go back to PLANNED. */
    for (size_t i = s->optimizers.n; i-- > 0;) {
        opt_optimizer *o = FLOE_VEC_AT(&s->optimizers, opt_optimizer, i);
        if (now - o->touch_ms <= s->opts.heartbeat_timeout_ms) {
            continue;
        }
        for (size_t ti = 0; ti < s->tables.n; ti++) {
            opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, ti);
            for (size_t k = 0; t->proc != NULL && k < t->proc->n_tasks; k++) {
                floe_opt_task *task = &t->proc->tasks[k];
                if ((task->status == FLOE_OPT_TASK_SCHEDULED ||
                     task->status == FLOE_OPT_TASK_ACKED) &&
                    strcmp(task->token, o->token) == 0) {
                    reset_task(s, t, task, now);
                }
            }
        }
        free(o->group);
        free(o->resource_id);
        floe_vec_remove(&s->optimizers, i);
    }
    /* Unacknowledged and overrunning tasks. */
    for (size_t ti = 0; ti < s->tables.n; ti++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, ti);
        for (size_t k = 0; t->proc != NULL && k < t->proc->n_tasks; k++) {
            floe_opt_task *task = &t->proc->tasks[k];
            if (task->status == FLOE_OPT_TASK_SCHEDULED &&
                now - task->scheduled_ms > s->opts.ack_timeout_ms) {
                reset_task(s, t, task, now);
            } else if (task->status == FLOE_OPT_TASK_ACKED && s->opts.execute_timeout_ms > 0 &&
                       now - task->acked_ms > s->opts.execute_timeout_ms) {
                reset_task(s, t, task, now);
            }
        }
        /* Forget quota spans that ended more than an hour ago. */
        for (size_t k = t->spans.n; k-- > 0;) {
            if (FLOE_VEC_AT(&t->spans, quota_span, k)->end_ms < now - HOUR_MS) {
                floe_vec_remove(&t->spans, k);
            }
        }
    }
}

void floe_opt_service_expire(floe_opt_service *s)
{
    pthread_mutex_lock(&s->mu);
    expire_locked(s, now_ms(s));
    pthread_mutex_unlock(&s->mu);
}

/* ==== Responses ==== */

static int reply_error(int http, const char *message, json_t **resp)
{
    const char *type = http == 400   ? "BadRequestException"
                       : http == 401 ? "NotAuthorizedException"
                       : http == 404 ? "NotFoundException"
                       : http == 409 ? "ConflictException"
                       : http == 503 ? "ServiceUnavailableException"
                                     : "InternalServerError";
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(http));
    json_object_set_new(e, "type", json_string(type));
    json_object_set_new(e, "message", json_string(message));
    *resp = json_object();
    json_object_set_new(*resp, "error", e);
    return http;
}

static int reply_status(const floe_err *err, json_t **resp)
{
    return reply_error(floe_status_http(err->code), err->msg, resp);
}

static int reply_ok(json_t *body, json_t **resp)
{
    *resp = body ? body : json_object();
    return 200;
}

/* Parse the common "token" (and optionally "thread") members; 400/401 replies. */
static int request_optimizer(floe_opt_service *s, const json_t *req, bool with_thread,
                             opt_optimizer **out, int32_t *thread, json_t **resp)
{
    floe_err err = {0};
    const char *token = NULL;
    if (opt_json_obj(req, "request", &err) != FLOE_OK ||
        opt_json_str(req, "token", &token, &err) != FLOE_OK) {
        return reply_error(400, err.msg, resp);
    }
    if (with_thread) {
        if (opt_json_i32(req, "thread", thread, &err) != FLOE_OK) {
            return reply_error(400, err.msg, resp);
        }
        if (*thread < 0 || *thread >= MAX_THREADS) {
            return reply_error(400, "thread: out of range", resp);
        }
    }
    *out = find_optimizer(s, token);
    if (*out == NULL) {
        return reply_error(401, "unknown or expired optimizer token; register again", resp);
    }
    return 0;
}

/* ==== Protocol ==== */

int floe_opt_service_register(floe_opt_service *s, const json_t *req, json_t **resp)
{
    floe_err err = {0};
    const char *group = NULL, *resource = NULL;
    int32_t threads = 0;
    int64_t memory = 0;
    if (opt_json_obj(req, "request", &err) != FLOE_OK ||
        opt_json_str(req, "group", &group, &err) != FLOE_OK ||
        opt_json_i32(req, "threads", &threads, &err) != FLOE_OK ||
        opt_json_opt_i64(req, "memory-mb", &memory, NULL, &err) != FLOE_OK ||
        opt_json_opt_str(req, "resource-id", &resource, &err) != FLOE_OK) {
        return reply_error(400, err.msg, resp);
    }
    if (threads < 1 || threads > MAX_THREADS) {
        return reply_error(400, "threads: expected 1..1024", resp);
    }
    if (memory < 0 || memory > INT32_MAX) {
        return reply_error(400, "memory-mb: out of range", resp);
    }
    if (resource != NULL && strlen(resource) > 256) {
        return reply_error(400, "resource-id: longer than 256 bytes", resp);
    }
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms(s);
    expire_locked(s, now);
    int http = 0;
    if (find_group(s, group) == NULL) {
        char msg[160];
        snprintf(msg, sizeof(msg), "optimizer group '%.64s' does not exist", group);
        http = reply_error(404, msg, resp);
    } else if (s->optimizers.n >= (size_t)s->opts.max_optimizers) {
        http = reply_error(503, "too many optimizers registered", resp);
    }
    if (http != 0) {
        pthread_mutex_unlock(&s->mu);
        return http;
    }
    opt_optimizer *o = floe_vec_push(&s->optimizers);
    uint8_t rnd[16];
    floe_random_bytes(rnd, sizeof(rnd));
    floe_hex_encode(rnd, sizeof(rnd), o->token);
    o->group = floe_xstrdup(group);
    o->resource_id = resource ? floe_xstrdup(resource) : NULL;
    o->threads = threads;
    o->memory_mb = (int32_t)memory;
    o->registered_ms = o->touch_ms = now;
    tasks_changed(s, o->group); /* more threads: the group's quotas may have room now */
    json_t *body = json_object();
    json_object_set_new(body, "token", json_string(o->token));
    json_object_set_new(body, "heartbeat-interval-ms",
                        opt_json_int(s->opts.heartbeat_timeout_ms / 6));
    pthread_mutex_unlock(&s->mu);
    return reply_ok(body, resp);
}

int floe_opt_service_heartbeat(floe_opt_service *s, const json_t *req, json_t **resp)
{
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms(s);
    expire_locked(s, now);
    opt_optimizer *o = NULL;
    int http = request_optimizer(s, req, false, &o, NULL, resp);
    if (http == 0) {
        o->touch_ms = now;
        http = reply_ok(NULL, resp);
    }
    pthread_mutex_unlock(&s->mu);
    return http;
}

/* Execution time of a table's tasks over the last hour, running ones included (lock held). */
static double occupation(const opt_table *t, int64_t now, int32_t quota_threads)
{
    int64_t busy = 0, from = now - HOUR_MS;
    for (size_t i = 0; i < t->spans.n; i++) {
        const quota_span *sp = FLOE_VEC_AT(&t->spans, quota_span, i);
        int64_t a = sp->start_ms > from ? sp->start_ms : from;
        busy += sp->end_ms > a ? sp->end_ms - a : 0;
    }
    for (size_t k = 0; t->proc != NULL && k < t->proc->n_tasks; k++) {
        const floe_opt_task *task = &t->proc->tasks[k];
        if (task->status == FLOE_OPT_TASK_ACKED) {
            int64_t a = task->acked_ms > from ? task->acked_ms : from;
            busy += now > a ? now - a : 0;
        }
    }
    return ((double)busy / (double)HOUR_MS) / (double)(quota_threads > 0 ? quota_threads : 1);
}

typedef struct candidate {
    opt_table *t;
    double key;
} candidate;

static int candidate_cmp(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    return strcmp(a->t->table, b->t->table);
}

static int running_tasks(const floe_opt_process *p)
{
    int n = 0;
    for (size_t k = 0; k < p->n_tasks; k++) {
        n += p->tasks[k].status == FLOE_OPT_TASK_SCHEDULED ||
             p->tasks[k].status == FLOE_OPT_TASK_ACKED;
    }
    return n;
}

int floe_opt_service_poll(floe_opt_service *s, const json_t *req, json_t **resp)
{
    return floe_opt_service_poll_wait(s, req, NULL, resp);
}

int floe_opt_service_poll_wait(floe_opt_service *s, const json_t *req, floe_opt_poll_wait *wait,
                               json_t **resp)
{
    if (wait != NULL) {
        wait->wait_ms = 0;
        wait->group[0] = '\0';
    }
    floe_err err = {0};
    int64_t wait_ms = 0;
    if (opt_json_obj(req, "request", &err) != FLOE_OK ||
        opt_json_opt_i64(req, "wait-ms", &wait_ms, NULL, &err) != FLOE_OK) {
        return reply_error(400, err.msg, resp);
    }
    if (wait_ms < 0) {
        return reply_error(400, "wait-ms: negative", resp);
    }
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms(s);
    expire_locked(s, now);
    opt_optimizer *o = NULL;
    int32_t thread = 0;
    int http = request_optimizer(s, req, true, &o, &thread, resp);
    if (http != 0) {
        pthread_mutex_unlock(&s->mu);
        return http;
    }
    o->touch_ms = now;
    /* A thread that polls again no longer runs what it held: reset that task. */
    for (size_t ti = 0; ti < s->tables.n; ti++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, ti);
        for (size_t k = 0; t->proc != NULL && k < t->proc->n_tasks; k++) {
            floe_opt_task *task = &t->proc->tasks[k];
            if ((task->status == FLOE_OPT_TASK_SCHEDULED || task->status == FLOE_OPT_TASK_ACKED) &&
                task->thread_id == thread && strcmp(task->token, o->token) == 0) {
                reset_task(s, t, task, now);
            }
        }
    }
    opt_group *g = find_group(s, o->group);
    int32_t threads = group_threads(s, o->group);
    candidate *cands = floe_xcalloc(s->tables.n + 1, sizeof(*cands));
    size_t nc = 0;
    for (size_t ti = 0; ti < s->tables.n; ti++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, ti);
        if (t->proc == NULL || t->proc->status != FLOE_OPT_PROC_RUNNING ||
            strcmp(t->group, o->group) != 0) {
            continue;
        }
        int32_t qt = floe_opt_quota_threads(t->quota, threads);
        double key = g != NULL && g->policy == FLOE_OPT_POLICY_BALANCED
                         ? (double)t->last_optimized_ms
                         : occupation(t, now, qt);
        cands[nc++] = (candidate){t, key};
    }
    qsort(cands, nc, sizeof(*cands), candidate_cmp);
    floe_opt_task *chosen = NULL;
    /* Pass 0 keeps quotas; pass 1 (break-quota, nothing being planned) ignores them. */
    int passes = s->opts.break_quota && s->planning == 0 ? 2 : 1;
    for (int pass = 0; pass < passes && chosen == NULL; pass++) {
        for (size_t i = 0; i < nc && chosen == NULL; i++) {
            opt_table *t = cands[i].t;
            if (pass == 0 && running_tasks(t->proc) >= floe_opt_quota_threads(t->quota, threads)) {
                continue; /* at its quota */
            }
            for (size_t k = 0; k < t->proc->n_tasks; k++) {
                if (t->proc->tasks[k].status == FLOE_OPT_TASK_PLANNED) {
                    chosen = &t->proc->tasks[k];
                    break;
                }
            }
        }
    }
    free(cands);
    json_t *body = json_object();
    if (chosen == NULL) {
        json_object_set_new(body, "task", json_null());
        if (wait != NULL && wait_ms > 0) {
            int64_t cap = s->opts.heartbeat_timeout_ms / 3;
            cap = cap < FLOE_OPT_POLL_WAIT_MAX_MS ? cap : FLOE_OPT_POLL_WAIT_MAX_MS;
            wait->wait_ms = wait_ms < cap ? wait_ms : cap;
            snprintf(wait->group, sizeof(wait->group), "%s", o->group);
        }
    } else {
        floe_opt_task_schedule(chosen, o->token, thread, now, NULL);
        json_t *task = json_object();
        json_object_set_new(task, "process-id", opt_json_int(chosen->process_id));
        json_object_set_new(task, "task-id", opt_json_int(chosen->task_id));
        json_object_set_new(task, "attempt", opt_json_int(chosen->attempt));
        json_t *in = json_loads(chosen->input_json, 0, NULL);
        json_object_set_new(task, "input", in ? in : json_null());
        json_object_set_new(body, "task", task);
    }
    pthread_mutex_unlock(&s->mu);
    return reply_ok(body, resp);
}

/* Find the task a report names (lock held); replies 400/404 on failure. */
static int request_task(floe_opt_service *s, const json_t *req, opt_table **t_out,
                        floe_opt_task **task_out, int32_t *attempt, json_t **resp)
{
    floe_err err = {0};
    int64_t pid = 0;
    int32_t tid = 0;
    if (opt_json_i64(req, "process-id", &pid, &err) != FLOE_OK ||
        opt_json_i32(req, "task-id", &tid, &err) != FLOE_OK ||
        opt_json_i32(req, "attempt", attempt, &err) != FLOE_OK) {
        return reply_error(400, err.msg, resp);
    }
    opt_table *t = find_table_by_process(s, pid);
    if (t == NULL || tid < 1 || (size_t)tid > t->proc->n_tasks) {
        /* Finished, canceled or unknown: a late report for it is stale. */
        return reply_error(409, "no running process holds this task", resp);
    }
    *t_out = t;
    *task_out = &t->proc->tasks[tid - 1];
    return 0;
}

int floe_opt_service_ack(floe_opt_service *s, const json_t *req, json_t **resp)
{
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms(s);
    expire_locked(s, now);
    opt_optimizer *o = NULL;
    int32_t thread = 0, attempt = 0;
    opt_table *t = NULL;
    floe_opt_task *task = NULL;
    int http = request_optimizer(s, req, true, &o, &thread, resp);
    if (http == 0) {
        o->touch_ms = now;
        http = request_task(s, req, &t, &task, &attempt, resp);
    }
    if (http == 0) {
        floe_err err = {0};
        if (floe_opt_task_ack(task, o->token, attempt, now, &err) != FLOE_OK) {
            http = reply_status(&err, resp);
        } else {
            http = reply_ok(NULL, resp);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return http;
}

int floe_opt_service_complete(floe_opt_service *s, const json_t *req, json_t **resp)
{
    pthread_mutex_lock(&s->mu);
    int64_t now = now_ms(s);
    expire_locked(s, now);
    opt_optimizer *o = NULL;
    int32_t thread = 0, attempt = 0;
    opt_table *t = NULL;
    floe_opt_task *task = NULL;
    int http = request_optimizer(s, req, true, &o, &thread, resp);
    if (http == 0) {
        o->touch_ms = now;
        http = request_task(s, req, &t, &task, &attempt, resp);
    }
    const json_t *output = json_object_get(req, "output");
    const char *error = NULL;
    floe_err err = {0};
    if (http == 0 && opt_json_opt_str(req, "error", &error, &err) != FLOE_OK) {
        http = reply_error(400, err.msg, resp);
    }
    if (http == 0 && (error == NULL) == (output == NULL || json_is_null(output))) {
        http = reply_error(400, "a completion carries either \"output\" or \"error\"", resp);
    }
    char *out_text = NULL;
    if (http == 0 && error == NULL) {
        floe_arena *a = floe_arena_new(FLOE_OPT_TASK_JSON_MAX);
        floe_opt_task_output parsed;
        if (floe_opt_task_output_from_json(a, output, &parsed, &err) != FLOE_OK) {
            http = reply_error(400, err.msg, resp);
        } else {
            out_text = opt_json_dumps(output);
        }
        floe_arena_free(a);
    }
    if (http == 0) {
        int64_t acked = task->acked_ms;
        floe_opt_task_status before = task->status;
        /* Error messages are kept for the dashboard; a bounded prefix is enough. */
        char *reason = error ? floe_xstrndup(error, 4096) : NULL;
        floe_status st = error == NULL
                             ? floe_opt_task_succeed(task, o->token, attempt, out_text, now, &err)
                             : floe_opt_task_fail(task, o->token, attempt, reason, now, &err);
        free(reason);
        if (st != FLOE_OK) {
            http = reply_status(&err, resp);
        } else if (before != FLOE_OPT_TASK_ACKED) {
            http = reply_ok(NULL, resp); /* a duplicate report: already applied */
        } else {
            record_span(t, acked, now);
            if (task->status == FLOE_OPT_TASK_FAILED &&
                floe_opt_task_retry(task, t->max_retries, NULL) != FLOE_OK) {
                /* Out of retries: the process cannot succeed as a whole. */
                free(t->proc->fail_reason);
                t->proc->fail_reason =
                    floe_xasprintf("task %d failed %d times: %s", (int)task->task_id,
                                   (int)task->retries, task->fail_reason ? task->fail_reason : "");
                for (size_t k = 0; k < t->proc->n_tasks; k++) {
                    floe_opt_task_cancel(&t->proc->tasks[k], now, NULL);
                }
            }
            settle_process(s, t);
            /* Retried (planned again) or finished (its table's quota has room again). */
            tasks_changed(s, t->group);
            http = reply_ok(NULL, resp);
        }
    }
    free(out_text);
    pthread_mutex_unlock(&s->mu);
    return http;
}

int floe_opt_service_handle(floe_opt_service *s, const char *op, const json_t *req, json_t **resp)
{
    if (op == NULL) {
        return reply_error(404, "no such optimizer operation", resp);
    }
    if (strcmp(op, "register") == 0) {
        return floe_opt_service_register(s, req, resp);
    }
    if (strcmp(op, "heartbeat") == 0) {
        return floe_opt_service_heartbeat(s, req, resp);
    }
    if (strcmp(op, "poll") == 0) {
        return floe_opt_service_poll(s, req, resp);
    }
    if (strcmp(op, "ack") == 0) {
        return floe_opt_service_ack(s, req, resp);
    }
    if (strcmp(op, "complete") == 0) {
        return floe_opt_service_complete(s, req, resp);
    }
    return reply_error(404, "no such optimizer operation", resp);
}

/* ==== Commit hand-off, cancel ==== */

json_t *floe_opt_service_take_commit(floe_opt_service *s)
{
    pthread_mutex_lock(&s->mu);
    json_t *out = NULL;
    for (size_t i = 0; i < s->tables.n && out == NULL; i++) {
        opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, i);
        if (t->proc != NULL && t->proc->status == FLOE_OPT_PROC_COMMITTING && !t->commit_taken) {
            t->commit_taken = true;
            out = floe_opt_process_to_json(t->proc, true);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return out;
}

floe_status floe_opt_service_commit_done(floe_opt_service *s, int64_t process_id, bool ok,
                                         const char *reason, floe_err *err)
{
    pthread_mutex_lock(&s->mu);
    floe_status st = FLOE_OK;
    opt_table *t = find_table_by_process(s, process_id);
    if (t == NULL) {
        /* Already settled (a repeated report after a crash): harmless if it is in history. */
        bool known = false;
        for (size_t i = 0; i < s->history.n; i++) {
            known |= (*FLOE_VEC_AT(&s->history, floe_opt_process *, i))->process_id == process_id;
        }
        st = known ? FLOE_OK
                   : floe_err_set(err, FLOE_ERR_NOT_FOUND, "process %lld is not known",
                                  (long long)process_id);
    } else if (t->proc->status != FLOE_OPT_PROC_COMMITTING) {
        st = floe_err_set(err, FLOE_ERR_CONFLICT, "process %lld is %s, not committing",
                          (long long)process_id, floe_opt_process_status_name(t->proc->status));
    } else {
        finish_process(s, t, ok ? FLOE_OPT_PROC_SUCCESS : FLOE_OPT_PROC_FAILED,
                       ok ? NULL : (reason ? reason : "commit failed"));
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

floe_status floe_opt_service_cancel(floe_opt_service *s, int64_t process_id, floe_err *err)
{
    pthread_mutex_lock(&s->mu);
    floe_status st = FLOE_OK;
    opt_table *t = find_table_by_process(s, process_id);
    if (t == NULL) {
        st =
            floe_err_set(err, FLOE_ERR_NOT_FOUND, "no running process %lld", (long long)process_id);
    } else if (t->proc->status != FLOE_OPT_PROC_RUNNING) {
        st = floe_err_set(err, FLOE_ERR_CONFLICT, "process %lld is %s", (long long)process_id,
                          floe_opt_process_status_name(t->proc->status));
    } else {
        int64_t now = now_ms(s);
        for (size_t k = 0; k < t->proc->n_tasks; k++) {
            floe_opt_task_cancel(&t->proc->tasks[k], now, NULL);
        }
        size_t c[FLOE_OPT_TASK_STATUS_COUNT_];
        floe_opt_process_task_counts(t->proc, c);
        if (t->allow_partial && c[FLOE_OPT_TASK_SUCCESS] > 0) {
            t->proc->status = FLOE_OPT_PROC_COMMITTING;
        } else {
            finish_process(s, t, FLOE_OPT_PROC_CANCELED, "canceled");
        }
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* ==== Views ==== */

json_t *floe_opt_service_groups_json(floe_opt_service *s)
{
    pthread_mutex_lock(&s->mu);
    json_t *arr = json_array();
    for (size_t i = 0; i < s->groups.n; i++) {
        opt_group *g = FLOE_VEC_AT(&s->groups, opt_group, i);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(g->name));
        json_object_set_new(o, "scheduling-policy", json_string(floe_opt_policy_name(g->policy)));
        json_object_set_new(o, "max-input-file-size-per-thread",
                            opt_json_int(g->max_input_per_thread));
        json_object_set_new(o, "threads", opt_json_int(group_threads(s, g->name)));
        int64_t planned = 0, running = 0, tables = 0;
        for (size_t ti = 0; ti < s->tables.n; ti++) {
            opt_table *t = *FLOE_VEC_AT(&s->tables, opt_table *, ti);
            if (t->proc == NULL || strcmp(t->group, g->name) != 0) {
                continue;
            }
            tables++;
            size_t c[FLOE_OPT_TASK_STATUS_COUNT_];
            floe_opt_process_task_counts(t->proc, c);
            planned += (int64_t)c[FLOE_OPT_TASK_PLANNED];
            running += (int64_t)(c[FLOE_OPT_TASK_SCHEDULED] + c[FLOE_OPT_TASK_ACKED]);
        }
        json_object_set_new(o, "optimizing-tables", opt_json_int(tables));
        json_object_set_new(o, "pending-tasks", opt_json_int(planned));
        json_object_set_new(o, "executing-tasks", opt_json_int(running));
        json_array_append_new(arr, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "groups", arr);
    pthread_mutex_unlock(&s->mu);
    return out;
}

json_t *floe_opt_service_optimizers_json(floe_opt_service *s)
{
    pthread_mutex_lock(&s->mu);
    json_t *arr = json_array();
    for (size_t i = 0; i < s->optimizers.n; i++) {
        opt_optimizer *op = FLOE_VEC_AT(&s->optimizers, opt_optimizer, i);
        json_t *o = json_object();
        /* The token is the optimizer's credential: only a short prefix is shown. */
        char id[9];
        snprintf(id, sizeof(id), "%.8s", op->token);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "group", json_string(op->group));
        json_object_set_new(o, "threads", opt_json_int(op->threads));
        json_object_set_new(o, "memory-mb", opt_json_int(op->memory_mb));
        json_object_set_new(o, "resource-id",
                            op->resource_id ? json_string(op->resource_id) : json_null());
        json_object_set_new(o, "registered-ms", opt_json_int(op->registered_ms));
        json_object_set_new(o, "touch-ms", opt_json_int(op->touch_ms));
        json_array_append_new(arr, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "optimizers", arr);
    pthread_mutex_unlock(&s->mu);
    return out;
}

json_t *floe_opt_service_process_json(floe_opt_service *s, int64_t process_id)
{
    pthread_mutex_lock(&s->mu);
    json_t *out = NULL;
    opt_table *t = find_table_by_process(s, process_id);
    if (t != NULL) {
        out = floe_opt_process_to_json(t->proc, true);
    }
    for (size_t i = 0; out == NULL && i < s->history.n; i++) {
        floe_opt_process *p = *FLOE_VEC_AT(&s->history, floe_opt_process *, i);
        if (p->process_id == process_id) {
            out = floe_opt_process_to_json(p, true);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return out;
}
