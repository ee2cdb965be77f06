/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tasks, processes and table runtimes: plain data, pure state transitions (each either applies,
 * recognises a repeat as done, or refuses without changing anything), and their JSON form for
 * the store and the dashboard.
 */
#include "opt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Names ==== */

static const char *const TASK_STATUS[] = {"planned", "scheduled", "acked",
                                          "success", "failed",    "canceled"};
static const char *const PROC_STATUS[] = {"running", "committing", "success", "failed", "canceled"};
static const char *const STATUS[] = {"idle",  "pending", "planning",  "minor",
                                     "major", "full",    "committing"};
static const char *const EVENTS[] = {"evaluated", "plan-begin", "plan-failed", "plan-empty",
                                     "plan-done", "tasks-done", "committed",   "process-closed",
                                     "disable",   "recover"};

static floe_status parse_name(const char *const *names, size_t n, const char *what, const char *s,
                              int *out, floe_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (s != NULL && strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "unknown %s '%s'", what, s ? s : "");
}

const char *floe_opt_task_status_name(floe_opt_task_status s)
{
    return (unsigned)s < FLOE_ARRAY_LEN(TASK_STATUS) ? TASK_STATUS[s] : "unknown";
}

floe_status floe_opt_task_status_parse(const char *s, floe_opt_task_status *out, floe_err *err)
{
    int v = 0;
    floe_status st =
        parse_name(TASK_STATUS, FLOE_ARRAY_LEN(TASK_STATUS), "task status", s, &v, err);
    *out = (floe_opt_task_status)v;
    return st;
}

const char *floe_opt_process_status_name(floe_opt_process_status s)
{
    return (unsigned)s < FLOE_ARRAY_LEN(PROC_STATUS) ? PROC_STATUS[s] : "unknown";
}

floe_status floe_opt_process_status_parse(const char *s, floe_opt_process_status *out,
                                          floe_err *err)
{
    int v = 0;
    floe_status st =
        parse_name(PROC_STATUS, FLOE_ARRAY_LEN(PROC_STATUS), "process status", s, &v, err);
    *out = (floe_opt_process_status)v;
    return st;
}

const char *floe_opt_status_name(floe_opt_status s)
{
    return (unsigned)s < FLOE_ARRAY_LEN(STATUS) ? STATUS[s] : "unknown";
}

floe_status floe_opt_status_parse(const char *s, floe_opt_status *out, floe_err *err)
{
    int v = 0;
    floe_status st = parse_name(STATUS, FLOE_ARRAY_LEN(STATUS), "optimizing status", s, &v, err);
    *out = (floe_opt_status)v;
    return st;
}

const char *floe_opt_event_name(floe_opt_event ev)
{
    return (unsigned)ev < FLOE_ARRAY_LEN(EVENTS) ? EVENTS[ev] : "unknown";
}

/* ==== Task transitions ==== */

void floe_opt_task_fini(floe_opt_task *t)
{
    if (t == NULL) {
        return;
    }
    free(t->fail_reason);
    free(t->input_json);
    free(t->output_json);
    t->fail_reason = t->input_json = t->output_json = NULL;
}

static floe_status refuse(const floe_opt_task *t, const char *what, floe_err *err)
{
    return floe_err_set(err, FLOE_ERR_CONFLICT, "task %lld.%d: cannot %s a %s task (attempt %d)",
                        (long long)t->process_id, (int)t->task_id, what,
                        floe_opt_task_status_name(t->status), (int)t->attempt);
}

static floe_status stale(const floe_opt_task *t, const char *what, const char *token,
                         int32_t attempt, floe_err *err)
{
    return floe_err_set(
        err, FLOE_ERR_CONFLICT, "task %lld.%d: stale %s (attempt %d, the task is at attempt %d%s)",
        (long long)t->process_id, (int)t->task_id, what, (int)attempt, (int)t->attempt,
        strcmp(token, t->token) != 0 ? ", held by another optimizer" : "");
}

static bool holder(const floe_opt_task *t, const char *token, int32_t attempt)
{
    return attempt == t->attempt && strcmp(token, t->token) == 0;
}

floe_status floe_opt_task_schedule(floe_opt_task *t, const char *token, int32_t thread_id,
                                   int64_t now_ms, floe_err *err)
{
    if (token == NULL || *token == '\0' || strlen(token) > FLOE_OPT_TOKEN_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "bad optimizer token");
    }
    if (t->status != FLOE_OPT_TASK_PLANNED) {
        return refuse(t, "schedule", err);
    }
    if (t->attempt == INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "task %lld.%d: too many attempts",
                            (long long)t->process_id, (int)t->task_id);
    }
    t->attempt++;
    snprintf(t->token, sizeof(t->token), "%s", token);
    t->thread_id = thread_id;
    t->scheduled_ms = now_ms;
    t->acked_ms = 0;
    t->status = FLOE_OPT_TASK_SCHEDULED;
    return FLOE_OK;
}

floe_status floe_opt_task_ack(floe_opt_task *t, const char *token, int32_t attempt, int64_t now_ms,
                              floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_ACKED && holder(t, token, attempt)) {
        return FLOE_OK; /* a repeated ack */
    }
    if (t->status != FLOE_OPT_TASK_SCHEDULED) {
        return t->status == FLOE_OPT_TASK_PLANNED || !holder(t, token, attempt)
                   ? stale(t, "ack", token, attempt, err)
                   : refuse(t, "ack", err);
    }
    if (!holder(t, token, attempt)) {
        return stale(t, "ack", token, attempt, err);
    }
    t->status = FLOE_OPT_TASK_ACKED;
    t->acked_ms = now_ms;
    return FLOE_OK;
}

floe_status floe_opt_task_succeed(floe_opt_task *t, const char *token, int32_t attempt,
                                  const char *output_json, int64_t now_ms, floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_SUCCESS && holder(t, token, attempt)) {
        return FLOE_OK; /* a duplicate completion */
    }
    if (!holder(t, token, attempt)) {
        return stale(t, "completion", token, attempt, err);
    }
    if (t->status != FLOE_OPT_TASK_ACKED) {
        return refuse(t, "complete", err);
    }
    free(t->output_json);
    t->output_json = floe_xstrdup(output_json ? output_json : "{}");
    t->status = FLOE_OPT_TASK_SUCCESS;
    t->finished_ms = now_ms;
    return FLOE_OK;
}

floe_status floe_opt_task_fail(floe_opt_task *t, const char *token, int32_t attempt,
                               const char *reason, int64_t now_ms, floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_FAILED && holder(t, token, attempt)) {
        return FLOE_OK;
    }
    if (!holder(t, token, attempt)) {
        return stale(t, "failure report", token, attempt, err);
    }
    if (t->status != FLOE_OPT_TASK_ACKED) {
        return refuse(t, "fail", err);
    }
    free(t->fail_reason);
    t->fail_reason = floe_xstrdup(reason ? reason : "unknown error");
    t->retries++;
    t->status = FLOE_OPT_TASK_FAILED;
    t->finished_ms = now_ms;
    return FLOE_OK;
}

floe_status floe_opt_task_reset(floe_opt_task *t, floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_PLANNED) {
        return FLOE_OK;
    }
    if (t->status != FLOE_OPT_TASK_SCHEDULED && t->status != FLOE_OPT_TASK_ACKED) {
        return refuse(t, "reset", err);
    }
    t->status = FLOE_OPT_TASK_PLANNED;
    t->token[0] = '\0';
    t->thread_id = -1;
    return FLOE_OK;
}

floe_status floe_opt_task_retry(floe_opt_task *t, int32_t max_retries, floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_PLANNED) {
        return FLOE_OK;
    }
    if (t->status != FLOE_OPT_TASK_FAILED) {
        return refuse(t, "retry", err);
    }
    if (t->retries > max_retries) {
        return floe_err_set(err, FLOE_ERR_CONFLICT, "task %lld.%d: failed %d times (retries: %d)",
                            (long long)t->process_id, (int)t->task_id, (int)t->retries,
                            (int)max_retries);
    }
    t->status = FLOE_OPT_TASK_PLANNED;
    t->token[0] = '\0';
    t->thread_id = -1;
    return FLOE_OK;
}

floe_status floe_opt_task_cancel(floe_opt_task *t, int64_t now_ms, floe_err *err)
{
    if (t->status == FLOE_OPT_TASK_CANCELED) {
        return FLOE_OK;
    }
    if (t->status != FLOE_OPT_TASK_PLANNED && t->status != FLOE_OPT_TASK_SCHEDULED &&
        t->status != FLOE_OPT_TASK_ACKED) {
        return refuse(t, "cancel", err);
    }
    t->status = FLOE_OPT_TASK_CANCELED;
    t->finished_ms = now_ms;
    return FLOE_OK;
}

/* ==== Task JSON ==== */

static json_t *text_json(const char *text)
{
    if (text == NULL) {
        return json_null();
    }
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    return j ? j : json_null();
}

json_t *floe_opt_task_to_json(const floe_opt_task *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "process-id", opt_json_int(t->process_id));
    json_object_set_new(o, "task-id", opt_json_int(t->task_id));
    json_object_set_new(o, "attempt", opt_json_int(t->attempt));
    json_object_set_new(o, "status", json_string(floe_opt_task_status_name(t->status)));
    json_object_set_new(o, "retries", opt_json_int(t->retries));
    json_object_set_new(o, "token", json_string(t->token));
    json_object_set_new(o, "thread", opt_json_int(t->thread_id));
    json_object_set_new(o, "planned-ms", opt_json_int(t->planned_ms));
    json_object_set_new(o, "scheduled-ms", opt_json_int(t->scheduled_ms));
    json_object_set_new(o, "acked-ms", opt_json_int(t->acked_ms));
    json_object_set_new(o, "finished-ms", opt_json_int(t->finished_ms));
    json_object_set_new(o, "input-bytes", opt_json_int(t->input_bytes));
    json_object_set_new(o, "fail-reason",
                        t->fail_reason ? json_string(t->fail_reason) : json_null());
    json_object_set_new(o, "input", text_json(t->input_json));
    json_object_set_new(o, "output", text_json(t->output_json));
    return o;
}

/* Check a task input or output object by parsing it into a scratch arena. */
static floe_status check_embedded(const json_t *v, bool input, char **out, floe_err *err)
{
    floe_arena *a = floe_arena_new(FLOE_OPT_TASK_JSON_MAX);
    floe_status st;
    if (input) {
        floe_opt_task_input in;
        st = floe_opt_task_input_from_json(a, v, &in, err);
    } else {
        floe_opt_task_output o;
        st = floe_opt_task_output_from_json(a, v, &o, err);
    }
    floe_arena_free(a);
    if (st == FLOE_OK) {
        *out = opt_json_dumps(v);
    }
    return st;
}

floe_status floe_opt_task_from_json(const json_t *j, floe_opt_task *out, floe_err *err)
{
    floe_opt_task t = {.thread_id = -1};
    const char *status = NULL, *token = "", *reason = NULL;
    floe_status st = opt_json_obj(j, "task", err);
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "process-id", &t.process_id, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i32(j, "task-id", &t.task_id, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i32(j, "attempt", &t.attempt, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(j, "status", &status, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_task_status_parse(status, &t.status, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i32(j, "retries", &t.retries, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_str(j, "token", &token, err);
        if (st == FLOE_OK && strlen(token) > FLOE_OPT_TOKEN_MAX) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "token: too long");
        }
        snprintf(t.token, sizeof(t.token), "%s", st == FLOE_OK ? token : "");
    }
    int64_t thread = -1;
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "thread", &thread, NULL, err);
        if (st == FLOE_OK && (thread < -1 || thread > INT32_MAX)) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "thread: out of range");
        }
        t.thread_id = (int32_t)thread;
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "planned-ms", &t.planned_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "scheduled-ms", &t.scheduled_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "acked-ms", &t.acked_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "finished-ms", &t.finished_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "input-bytes", &t.input_bytes, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_str(j, "fail-reason", &reason, err);
        t.fail_reason = reason ? floe_xstrdup(reason) : NULL;
    }
    if (st == FLOE_OK && (t.attempt < 0 || t.retries < 0 || t.task_id < 1)) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "task-id, attempt or retries out of range");
    }
    if (st == FLOE_OK) {
        const json_t *in = json_object_get(j, "input");
        st = check_embedded(in, true, &t.input_json, err);
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "input");
        }
    }
    if (st == FLOE_OK) {
        const json_t *o = json_object_get(j, "output");
        if (o != NULL && !json_is_null(o)) {
            st = check_embedded(o, false, &t.output_json, err);
            if (st != FLOE_OK) {
                st = floe_err_wrap(err, "output");
            }
        }
    }
    *out = t;
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "task");
    }
    return FLOE_OK;
}

/* ==== Processes ==== */

floe_status floe_opt_process_from_plan(const floe_opt_plan *plan, int64_t process_id,
                                       const char *table, int64_t now_ms, floe_opt_process **out,
                                       floe_err *err)
{
    if (plan->n_tasks == 0 || plan->type == FLOE_OPT_NONE) {
        return floe_err_set(err, FLOE_ERR_INVALID, "a process needs a plan with tasks");
    }
    if (plan->n_tasks > INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "too many tasks in one plan");
    }
    floe_opt_process *p = floe_xcalloc(1, sizeof(*p));
    p->process_id = process_id;
    p->table = floe_xstrdup(table);
    p->type = plan->type;
    p->status = FLOE_OPT_PROC_RUNNING;
    p->snapshot_id = plan->tasks[0].snapshot_id;
    p->sequence_number = plan->tasks[0].sequence_number;
    p->plan_ms = now_ms;
    p->tasks = floe_xcalloc(plan->n_tasks, sizeof(*p->tasks));
    p->n_tasks = plan->n_tasks;
    if (plan->evaluation != NULL) {
        json_t *sj = floe_opt_summary_to_json(&plan->evaluation->summary);
        p->summary_json = opt_json_dumps(sj);
        json_decref(sj);
    }
    for (size_t i = 0; i < plan->n_tasks; i++) {
        floe_opt_task *t = &p->tasks[i];
        t->process_id = process_id;
        t->task_id = (int32_t)(i + 1);
        t->thread_id = -1;
        t->planned_ms = now_ms;
        for (size_t f = 0; f < plan->tasks[i].n_files; f++) {
            t->input_bytes += plan->tasks[i].files[f].size;
        }
        json_t *in = floe_opt_task_input_to_json(&plan->tasks[i]);
        t->input_json = opt_json_dumps(in);
        json_decref(in);
    }
    *out = p;
    return FLOE_OK;
}

void floe_opt_process_free(floe_opt_process *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n_tasks; i++) {
        floe_opt_task_fini(&p->tasks[i]);
    }
    free(p->tasks);
    free(p->table);
    free(p->fail_reason);
    free(p->summary_json);
    free(p);
}

void floe_opt_process_task_counts(const floe_opt_process *p, size_t *counts)
{
    memset(counts, 0, FLOE_OPT_TASK_STATUS_COUNT_ * sizeof(*counts));
    for (size_t i = 0; i < p->n_tasks; i++) {
        if ((unsigned)p->tasks[i].status < FLOE_OPT_TASK_STATUS_COUNT_) {
            counts[p->tasks[i].status]++;
        }
    }
}

json_t *floe_opt_process_to_json(const floe_opt_process *p, bool with_tasks)
{
    json_t *o = json_object();
    json_object_set_new(o, "process-id", opt_json_int(p->process_id));
    json_object_set_new(o, "table", json_string(p->table));
    json_object_set_new(o, "type", json_string(floe_opt_type_name(p->type)));
    json_object_set_new(o, "status", json_string(floe_opt_process_status_name(p->status)));
    json_object_set_new(o, "snapshot-id", opt_json_int(p->snapshot_id));
    json_object_set_new(o, "sequence-number", opt_json_int(p->sequence_number));
    json_object_set_new(o, "plan-ms", opt_json_int(p->plan_ms));
    json_object_set_new(o, "end-ms", opt_json_int(p->end_ms));
    json_object_set_new(o, "fail-reason",
                        p->fail_reason ? json_string(p->fail_reason) : json_null());
    json_object_set_new(o, "summary", text_json(p->summary_json));
    size_t counts[FLOE_OPT_TASK_STATUS_COUNT_];
    floe_opt_process_task_counts(p, counts);
    json_t *c = json_object();
    for (size_t i = 0; i < FLOE_OPT_TASK_STATUS_COUNT_; i++) {
        json_object_set_new(c, TASK_STATUS[i], opt_json_int((int64_t)counts[i]));
    }
    json_object_set_new(o, "task-count", opt_json_int((int64_t)p->n_tasks));
    json_object_set_new(o, "task-counts", c);
    if (with_tasks) {
        json_t *arr = json_array();
        for (size_t i = 0; i < p->n_tasks; i++) {
            json_array_append_new(arr, floe_opt_task_to_json(&p->tasks[i]));
        }
        json_object_set_new(o, "tasks", arr);
    }
    return o;
}

floe_status floe_opt_process_from_json(const json_t *j, floe_opt_process **out, floe_err *err)
{
    floe_opt_process *p = floe_xcalloc(1, sizeof(*p));
    const char *table = NULL, *type = NULL, *status = NULL, *reason = NULL;
    const json_t *tasks = NULL;
    floe_status st = opt_json_obj(j, "process", err);
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "process-id", &p->process_id, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(j, "table", &table, err);
        p->table = table ? floe_xstrdup(table) : NULL;
    }
    if (st == FLOE_OK) {
        st = opt_json_str(j, "type", &type, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_type_parse(type, &p->type, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(j, "status", &status, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_process_status_parse(status, &p->status, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "snapshot-id", &p->snapshot_id, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "sequence-number", &p->sequence_number, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "plan-ms", &p->plan_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(j, "end-ms", &p->end_ms, NULL, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_str(j, "fail-reason", &reason, err);
        p->fail_reason = reason ? floe_xstrdup(reason) : NULL;
    }
    if (st == FLOE_OK) {
        const json_t *s = json_object_get(j, "summary");
        if (s != NULL && !json_is_null(s)) {
            if (!json_is_object(s)) {
                st = floe_err_set(err, FLOE_ERR_INVALID, "summary: expected an object");
            } else {
                p->summary_json = opt_json_dumps(s);
            }
        }
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_array(j, "tasks", FLOE_OPT_TASK_MAX_FILES, &tasks, err);
    }
    if (st == FLOE_OK && tasks != NULL) {
        p->n_tasks = json_array_size(tasks);
        p->tasks = floe_xcalloc(p->n_tasks + 1, sizeof(*p->tasks));
        for (size_t i = 0; i < p->n_tasks && st == FLOE_OK; i++) {
            st = floe_opt_task_from_json(json_array_get(tasks, i), &p->tasks[i], err);
            if (st == FLOE_OK && (p->tasks[i].process_id != p->process_id ||
                                  p->tasks[i].task_id != (int32_t)(i + 1))) {
                st = floe_err_set(err, FLOE_ERR_INVALID, "tasks[%zu]: id does not match", i);
            }
        }
    }
    if (st != FLOE_OK) {
        floe_opt_process_free(p);
        return floe_err_wrap(err, "process");
    }
    *out = p;
    return FLOE_OK;
}

/* ==== Table runtime ==== */

void floe_opt_runtime_init(floe_opt_runtime *rt, int64_t now_ms)
{
    *rt = (floe_opt_runtime){.status = FLOE_OPT_IDLE,
                             .status_since_ms = now_ms,
                             .last_optimized_snapshot_id = -1,
                             .last_evaluated_snapshot_id = -1};
}

static void move_to(floe_opt_runtime *rt, floe_opt_status to, int64_t now_ms)
{
    if (rt->status == to) {
        return;
    }
    int64_t spent = now_ms - rt->status_since_ms;
    rt->time_in_ms[rt->status] += spent > 0 ? spent : 0;
    rt->status = to;
    rt->status_since_ms = now_ms;
}

static floe_status rt_refuse(const floe_opt_runtime *rt, floe_opt_event ev, floe_err *err)
{
    return floe_err_set(err, FLOE_ERR_CONFLICT, "optimizing status %s: event %s not allowed",
                        floe_opt_status_name(rt->status), floe_opt_event_name(ev));
}

static bool is_executing(floe_opt_status s)
{
    return s == FLOE_OPT_MINOR_OPTIMIZING || s == FLOE_OPT_MAJOR_OPTIMIZING ||
           s == FLOE_OPT_FULL_OPTIMIZING;
}

static floe_opt_status executing_status(floe_opt_type t)
{
    switch (t) {
    case FLOE_OPT_MAJOR:
        return FLOE_OPT_MAJOR_OPTIMIZING;
    case FLOE_OPT_FULL:
        return FLOE_OPT_FULL_OPTIMIZING;
    default:
        return FLOE_OPT_MINOR_OPTIMIZING;
    }
}

floe_status floe_opt_runtime_apply(floe_opt_runtime *rt, floe_opt_event ev,
                                   const floe_opt_event_args *args, floe_err *err)
{
    int64_t now = args->now_ms;
    switch (ev) {
    case FLOE_OPT_EV_EVALUATED:
        if (rt->status != FLOE_OPT_IDLE && rt->status != FLOE_OPT_PENDING) {
            return rt_refuse(rt, ev, err);
        }
        rt->last_evaluated_snapshot_id = args->snapshot_id;
        if (args->necessary) {
            if (args->pending != NULL) {
                rt->pending = *args->pending;
                rt->has_pending = true;
            }
            move_to(rt, FLOE_OPT_PENDING, now);
        } else if (rt->status == FLOE_OPT_IDLE) {
            rt->last_optimized_snapshot_id = args->snapshot_id;
            rt->has_pending = false;
        } else {
            /* Pending but no longer necessary (e.g. files expired): back to idle. */
            rt->has_pending = false;
            rt->last_optimized_snapshot_id = args->snapshot_id;
            move_to(rt, FLOE_OPT_IDLE, now);
        }
        return FLOE_OK;
    case FLOE_OPT_EV_PLAN_BEGIN:
        if (rt->status == FLOE_OPT_PLANNING) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_PENDING) {
            return rt_refuse(rt, ev, err);
        }
        if (rt->last_plan_ms > 0 && now - rt->last_plan_ms < args->min_plan_interval_ms) {
            return floe_err_set(
                err, FLOE_ERR_UNAVAILABLE, "planned %lld ms ago, min-plan-interval is %lld ms",
                (long long)(now - rt->last_plan_ms), (long long)args->min_plan_interval_ms);
        }
        rt->last_plan_ms = now;
        move_to(rt, FLOE_OPT_PLANNING, now);
        return FLOE_OK;
    case FLOE_OPT_EV_PLAN_FAILED:
        if (rt->status == FLOE_OPT_PENDING) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_PLANNING) {
            return rt_refuse(rt, ev, err);
        }
        move_to(rt, FLOE_OPT_PENDING, now);
        return FLOE_OK;
    case FLOE_OPT_EV_PLAN_EMPTY:
        if (rt->status == FLOE_OPT_IDLE && rt->last_optimized_snapshot_id == args->snapshot_id) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_PLANNING) {
            return rt_refuse(rt, ev, err);
        }
        rt->last_optimized_snapshot_id = args->snapshot_id;
        rt->has_pending = false;
        move_to(rt, FLOE_OPT_IDLE, now);
        return FLOE_OK;
    case FLOE_OPT_EV_PLAN_DONE:
        if (args->type == FLOE_OPT_NONE || args->process_id == 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "plan-done needs a type and a process");
        }
        if (rt->status == executing_status(args->type) && rt->process_id == args->process_id) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_PLANNING) {
            return rt_refuse(rt, ev, err);
        }
        rt->process_id = args->process_id;
        move_to(rt, executing_status(args->type), now);
        return FLOE_OK;
    case FLOE_OPT_EV_TASKS_DONE:
        if (rt->status == FLOE_OPT_COMMITTING && rt->process_id == args->process_id) {
            return FLOE_OK;
        }
        if (!is_executing(rt->status) || rt->process_id != args->process_id) {
            return rt_refuse(rt, ev, err);
        }
        move_to(rt, FLOE_OPT_COMMITTING, now);
        return FLOE_OK;
    case FLOE_OPT_EV_COMMITTED: {
        if (rt->status == FLOE_OPT_IDLE && rt->process_id == args->process_id &&
            rt->last_optimized_snapshot_id == args->plan_snapshot_id) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_COMMITTING || rt->process_id != args->process_id) {
            return rt_refuse(rt, ev, err);
        }
        rt->last_optimized_snapshot_id = args->plan_snapshot_id;
        switch (args->type) {
        case FLOE_OPT_FULL:
            rt->last_full_ms = args->plan_ms;
            break;
        case FLOE_OPT_MAJOR:
            rt->last_major_ms = args->plan_ms;
            break;
        default:
            rt->last_minor_ms = args->plan_ms;
            break;
        }
        rt->has_pending = false;
        move_to(rt, FLOE_OPT_IDLE, now);
        return FLOE_OK;
    }
    case FLOE_OPT_EV_PROCESS_CLOSED:
        if (rt->status == FLOE_OPT_IDLE && rt->process_id == args->process_id) {
            return FLOE_OK;
        }
        if (rt->status != FLOE_OPT_PLANNING && !is_executing(rt->status) &&
            rt->status != FLOE_OPT_COMMITTING) {
            return rt_refuse(rt, ev, err);
        }
        if (rt->status != FLOE_OPT_PLANNING && rt->process_id != args->process_id) {
            return rt_refuse(rt, ev, err);
        }
        rt->process_id = args->process_id;
        move_to(rt, FLOE_OPT_IDLE, now);
        return FLOE_OK;
    case FLOE_OPT_EV_DISABLE:
        rt->has_pending = false;
        move_to(rt, FLOE_OPT_IDLE, now);
        return FLOE_OK;
    case FLOE_OPT_EV_RECOVER:
        if (rt->status == FLOE_OPT_PLANNING) {
            /* Planning is not resumable; it is cheap to redo. */
            move_to(rt, FLOE_OPT_PENDING, now);
        } else if (is_executing(rt->status)) {
            if (!args->process_exists || args->process_status != FLOE_OPT_PROC_RUNNING) {
                move_to(rt,
                        args->process_exists && args->process_status == FLOE_OPT_PROC_COMMITTING
                            ? FLOE_OPT_COMMITTING
                            : FLOE_OPT_IDLE,
                        now);
            }
        } else if (rt->status == FLOE_OPT_COMMITTING) {
            if (!args->process_exists || args->process_status != FLOE_OPT_PROC_COMMITTING) {
                move_to(rt, FLOE_OPT_IDLE, now);
            }
        }
        return FLOE_OK;
    case FLOE_OPT_EV_COUNT_:
        break;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "unknown optimizing event %d", (int)ev);
}

/* ==== Runtime JSON ==== */

static const char *const SUMMARY_KEYS[] = {"data-files",
                                           "data-bytes",
                                           "data-records",
                                           "filtered-out-files",
                                           "fragment-files",
                                           "fragment-bytes",
                                           "undersized-files",
                                           "undersized-bytes",
                                           "segment-files",
                                           "segment-bytes",
                                           "equality-delete-files",
                                           "equality-delete-bytes",
                                           "equality-delete-records",
                                           "position-delete-files",
                                           "position-delete-bytes",
                                           "position-delete-records",
                                           "partitions",
                                           "pending-partitions",
                                           "pending-files",
                                           "pending-bytes"};

static int64_t *summary_field(floe_opt_summary *s, size_t i)
{
    int64_t *fields[] = {
        &s->data_files,        &s->data_bytes,         &s->data_records,     &s->filtered_out,
        &s->fragment_count,    &s->fragment_bytes,     &s->undersized_count, &s->undersized_bytes,
        &s->segment_count,     &s->segment_bytes,      &s->eq_delete_files,  &s->eq_delete_bytes,
        &s->eq_delete_records, &s->pos_delete_files,   &s->pos_delete_bytes, &s->pos_delete_records,
        &s->partitions,        &s->pending_partitions, &s->pending_files,    &s->pending_bytes};
    return fields[i];
}

static floe_status summary_from_json(const json_t *j, floe_opt_summary *s, floe_err *err)
{
    floe_status st = opt_json_obj(j, "pending", err);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(SUMMARY_KEYS) && st == FLOE_OK; i++) {
        st = opt_json_opt_i64(j, SUMMARY_KEYS[i], summary_field(s, i), NULL, err);
    }
    int64_t v[4] = {100, 40, 40, 20};
    const char *score_keys[] = {"health-score", "small-file-score", "equality-delete-score",
                                "position-delete-score"};
    for (size_t i = 0; i < 4 && st == FLOE_OK; i++) {
        st = opt_json_opt_i64(j, score_keys[i], &v[i], NULL, err);
        if (st == FLOE_OK && (v[i] < 0 || v[i] > 100)) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "%s: out of range", score_keys[i]);
        }
    }
    s->health_score = (int32_t)v[0];
    s->small_file_score = (int32_t)v[1];
    s->eq_delete_score = (int32_t)v[2];
    s->pos_delete_score = (int32_t)v[3];
    const char *type = "none";
    if (st == FLOE_OK) {
        st = opt_json_opt_str(j, "type", &type, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_type_parse(type, &s->type, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_bool(j, "full-interval-reached", &s->full_interval_reached, err);
    }
    return st;
}

json_t *floe_opt_runtime_to_json(const floe_opt_runtime *rt, int64_t now_ms)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(floe_opt_status_name(rt->status)));
    json_object_set_new(o, "status-since-ms", opt_json_int(rt->status_since_ms));
    json_t *acc = json_object(), *dur = json_object();
    for (size_t i = 0; i < FLOE_OPT_STATUS_COUNT_; i++) {
        int64_t d = rt->time_in_ms[i];
        json_object_set_new(acc, STATUS[i], opt_json_int(d));
        if ((floe_opt_status)i == rt->status && now_ms > rt->status_since_ms) {
            d += now_ms - rt->status_since_ms;
        }
        json_object_set_new(dur, STATUS[i], opt_json_int(d));
    }
    json_object_set_new(o, "time-in-ms", acc);
    json_object_set_new(o, "durations-ms", dur);
    json_object_set_new(o, "process-id", opt_json_int(rt->process_id));
    json_object_set_new(o, "last-optimized-snapshot-id",
                        opt_json_int(rt->last_optimized_snapshot_id));
    json_object_set_new(o, "last-evaluated-snapshot-id",
                        opt_json_int(rt->last_evaluated_snapshot_id));
    json_object_set_new(o, "last-minor-ms", opt_json_int(rt->last_minor_ms));
    json_object_set_new(o, "last-major-ms", opt_json_int(rt->last_major_ms));
    json_object_set_new(o, "last-full-ms", opt_json_int(rt->last_full_ms));
    json_object_set_new(o, "last-plan-ms", opt_json_int(rt->last_plan_ms));
    json_object_set_new(o, "pending",
                        rt->has_pending ? floe_opt_summary_to_json(&rt->pending) : json_null());
    return o;
}

floe_status floe_opt_runtime_from_json(const json_t *j, floe_opt_runtime *out, floe_err *err)
{
    floe_opt_runtime rt;
    floe_opt_runtime_init(&rt, 0);
    const char *status = NULL;
    floe_status st = opt_json_obj(j, "runtime", err);
    if (st == FLOE_OK) {
        st = opt_json_str(j, "status", &status, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_status_parse(status, &rt.status, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "status-since-ms", &rt.status_since_ms, err);
    }
    const json_t *acc = json_object_get(j, "time-in-ms");
    if (st == FLOE_OK && acc != NULL) {
        st = opt_json_obj(acc, "time-in-ms", err);
        for (size_t i = 0; i < FLOE_OPT_STATUS_COUNT_ && st == FLOE_OK; i++) {
            st = opt_json_opt_i64(acc, STATUS[i], &rt.time_in_ms[i], NULL, err);
            if (st == FLOE_OK && rt.time_in_ms[i] < 0) {
                st = floe_err_set(err, FLOE_ERR_INVALID, "time-in-ms.%s: negative", STATUS[i]);
            }
        }
    }
    const char *keys[] = {"process-id",
                          "last-optimized-snapshot-id",
                          "last-evaluated-snapshot-id",
                          "last-minor-ms",
                          "last-major-ms",
                          "last-full-ms",
                          "last-plan-ms"};
    int64_t *fields[] = {&rt.process_id,
                         &rt.last_optimized_snapshot_id,
                         &rt.last_evaluated_snapshot_id,
                         &rt.last_minor_ms,
                         &rt.last_major_ms,
                         &rt.last_full_ms,
                         &rt.last_plan_ms};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(keys) && st == FLOE_OK; i++) {
        st = opt_json_opt_i64(j, keys[i], fields[i], NULL, err);
    }
    const json_t *pending = json_object_get(j, "pending");
    if (st == FLOE_OK && pending != NULL && !json_is_null(pending)) {
        st = summary_from_json(pending, &rt.pending, err);
        rt.has_pending = st == FLOE_OK;
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "runtime");
    }
    *out = rt;
    return FLOE_OK;
}
