/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The optimizer service, after Amoro's TestDefaultOptimizingService and TestOptimizingQueue:
 * register/poll/ack/complete, authentication, ack / heartbeat / execute timeouts (an injected
 * clock, no sleeping), stale and duplicate reports, retries, quotas, scheduling policies,
 * cancel and partial commit, the commit hand-off.
 */
#include "opt_helpers.h"

typedef struct clockv {
    int64_t now;
} clockv;

static int64_t test_clock(void *ud)
{
    return ((clockv *)ud)->now;
}

typedef struct svc_fx {
    clockv clock;
    floe_opt_service *s;
} svc_fx;

static void fx_start(svc_fx *fx, floe_opt_policy policy)
{
    fx->clock.now = 1000000;
    floe_opt_service_opts o = {.clock = test_clock, .clock_ud = &fx->clock};
    fx->s = floe_opt_service_new(&o);
    floe_err err = {0};
    floe_opt_group_def g = {.name = "default", .policy = policy};
    FLOE_ASSERT_OK(floe_opt_service_set_group(fx->s, &g, &err), &err);
}

/* Call an operation with a JSON request text; returns the status, *out the body (decref). */
static int call(svc_fx *fx, const char *op, const char *req_text, json_t **out)
{
    json_error_t je;
    json_t *req = json_loads(req_text, 0, &je);
    if (req == NULL) {
        fail_msg("bad test JSON %s: %s", req_text, je.text);
    }
    json_t *resp = NULL;
    int http = floe_opt_service_handle(fx->s, op, req, &resp);
    json_decref(req);
    assert_non_null(resp);
    if (out != NULL) {
        *out = resp;
    } else {
        json_decref(resp);
    }
    return http;
}

static char *reg(svc_fx *fx, int threads)
{
    char req[128];
    snprintf(req, sizeof(req), "{\"group\":\"default\",\"threads\":%d,\"memory-mb\":1024}",
             threads);
    json_t *r = NULL;
    assert_int_equal(call(fx, "register", req, &r), 200);
    char *tok = floe_xstrdup(json_string_value(json_object_get(r, "token")));
    assert_int_equal(strlen(tok), 32);
    json_decref(r);
    return tok;
}

typedef struct polled {
    int64_t pid;
    int task_id;
    int attempt;
} polled;

/* Poll; returns false when no task was handed out. */
static bool poll_task(svc_fx *fx, const char *tok, int thread, polled *p)
{
    char req[160];
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":%d}", tok, thread);
    json_t *r = NULL;
    assert_int_equal(call(fx, "poll", req, &r), 200);
    json_t *task = json_object_get(r, "task");
    bool got = json_is_object(task);
    if (got) {
        p->pid = json_integer_value(json_object_get(task, "process-id"));
        p->task_id = (int)json_integer_value(json_object_get(task, "task-id"));
        p->attempt = (int)json_integer_value(json_object_get(task, "attempt"));
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(task, "input"), "table")), "db.t");
    }
    json_decref(r);
    return got;
}

static int report(svc_fx *fx, const char *op, const char *tok, int thread, const polled *p,
                  const char *extra)
{
    char req[512];
    snprintf(req, sizeof(req),
             "{\"token\":\"%s\",\"thread\":%d,\"process-id\":%lld,\"task-id\":%d,"
             "\"attempt\":%d%s}",
             tok, thread, (long long)p->pid, p->task_id, p->attempt, extra ? extra : "");
    return call(fx, op, req, NULL);
}

#define OUTPUT ",\"output\":{\"files\":[],\"summary\":{\"rows\":\"0\"}}"

static void submit(svc_fx *fx, const char *table, int64_t pid, size_t n_tasks,
                   const char *const *props, int64_t last_optimized)
{
    static const floe_opt_data_file files[] = {{.path = "a", .size = 10, .records = 1}};
    floe_opt_task_input *in = calloc(n_tasks, sizeof(*in));
    for (size_t i = 0; i < n_tasks; i++) {
        in[i] = (floe_opt_task_input){.table = "db.t",
                                      .type = FLOE_OPT_MINOR,
                                      .snapshot_id = 5,
                                      .sequence_number = 3,
                                      .partition = "{}",
                                      .files = files,
                                      .n_files = 1};
    }
    floe_opt_plan plan = {.type = FLOE_OPT_MINOR, .tasks = in, .n_tasks = n_tasks};
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_process_from_plan(&plan, pid, table, fx->clock.now, &p, &err), &err);
    free(in);
    floe_arena *a = floe_arena_new(1 << 20);
    floe_kv kv[8];
    size_t n = 0;
    for (; props != NULL && props[n] != NULL; n++) {
        const char *eq = strchr(props[n], '=');
        kv[n].key = floe_arena_strndup(a, props[n], (size_t)(eq - props[n]));
        kv[n].value = eq + 1;
    }
    floe_opt_props pr;
    FLOE_ASSERT_OK(floe_opt_props_parse(a, NULL, 0, kv, n, &pr, &err), &err);
    FLOE_ASSERT_OK(floe_opt_service_submit(fx->s, p, &pr, last_optimized, &err), &err);
    floe_arena_free(a);
}

static const char *process_status(svc_fx *fx, int64_t pid, char *buf)
{
    json_t *j = floe_opt_service_process_json(fx->s, pid);
    assert_non_null(j);
    snprintf(buf, 32, "%s", json_string_value(json_object_get(j, "status")));
    json_decref(j);
    return buf;
}

static void test_register_and_auth(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    json_t *r = NULL;
    assert_int_equal(call(&fx, "register", "{\"group\":\"nope\",\"threads\":1}", &r), 404);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "type")),
                        "NotFoundException");
    json_decref(r);
    assert_int_equal(call(&fx, "register", "{\"group\":\"default\",\"threads\":0}", NULL), 400);
    assert_int_equal(call(&fx, "register", "{\"group\":\"default\"}", NULL), 400);
    assert_int_equal(call(&fx, "register", "[1]", NULL), 400);
    assert_int_equal(call(&fx, "poll", "{\"token\":\"bad\",\"thread\":0}", NULL), 401);
    assert_int_equal(call(&fx, "heartbeat", "{\"token\":\"bad\"}", NULL), 401);
    assert_int_equal(call(&fx, "launch", "{}", NULL), 404);
    char *tok = reg(&fx, 2);
    char req[128];
    snprintf(req, sizeof(req), "{\"token\":\"%s\"}", tok);
    assert_int_equal(call(&fx, "heartbeat", req, NULL), 200);
    polled p;
    assert_false(poll_task(&fx, tok, 0, &p)); /* nothing queued */
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":5000}", tok);
    assert_int_equal(call(&fx, "poll", req, NULL), 400);
    json_t *v = floe_opt_service_optimizers_json(fx.s);
    assert_int_equal(json_array_size(json_object_get(v, "optimizers")), 1);
    json_decref(v);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_poll_ack_complete_commit(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 2);
    submit(&fx, "db.t", 101, 2, (const char *const[]){"self-optimizing.quota=1", NULL}, 0);
    floe_err err = {0};
    /* The same table cannot get a second process while one runs. */
    floe_opt_task_input in = {.table = "db.t",
                              .partition = "{}",
                              .n_files = 1,
                              .files = &(floe_opt_data_file){.path = "a"}};
    floe_opt_plan plan = {.type = FLOE_OPT_MINOR, .tasks = &in, .n_tasks = 1};
    floe_opt_process *p2 = NULL;
    FLOE_ASSERT_OK(floe_opt_process_from_plan(&plan, 102, "db.t", 0, &p2, &err), &err);
    floe_opt_props pr;
    floe_opt_props_default(&pr);
    FLOE_ASSERT_ERR(floe_opt_service_submit(fx.s, p2, &pr, 0, &err), FLOE_ERR_EXISTS, &err,
                    "already has process 101");

    floe_err_clear(&err);
    polled a, b;
    assert_true(poll_task(&fx, tok, 0, &a));
    assert_true(poll_task(&fx, tok, 1, &b));
    assert_int_equal(a.task_id, 1);
    assert_int_equal(b.task_id, 2);
    assert_int_equal(a.attempt, 1);
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200);
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200); /* repeated ack */
    assert_int_equal(report(&fx, "ack", tok, 1, &b, NULL), 200);
    fx.clock.now += 5000;
    assert_int_equal(report(&fx, "complete", tok, 0, &a, OUTPUT), 200);
    assert_int_equal(report(&fx, "complete", tok, 0, &a, OUTPUT), 200); /* duplicate: ignored */
    assert_null(floe_opt_service_take_commit(fx.s));
    /* Invalid completions. */
    assert_int_equal(report(&fx, "complete", tok, 1, &b, ",\"output\":{\"files\":[{}]}"), 400);
    assert_int_equal(report(&fx, "complete", tok, 1, &b, OUTPUT ",\"error\":\"x\""), 400);
    assert_int_equal(report(&fx, "complete", tok, 1, &b, NULL), 400);
    assert_int_equal(report(&fx, "complete", tok, 1, &b, OUTPUT), 200);
    char buf[32];
    assert_string_equal(process_status(&fx, 101, buf), "committing");
    json_t *c = floe_opt_service_take_commit(fx.s);
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "process-id")), 101);
    json_t *t0 = json_array_get(json_object_get(c, "tasks"), 0);
    assert_true(json_is_array(json_object_get(json_object_get(t0, "output"), "files")));
    json_decref(c);
    assert_null(floe_opt_service_take_commit(fx.s)); /* handed out once */
    FLOE_ASSERT_OK(floe_opt_service_commit_done(fx.s, 101, true, NULL, &err), &err);
    FLOE_ASSERT_OK(floe_opt_service_commit_done(fx.s, 101, true, NULL, &err), &err); /* repeat */
    assert_string_equal(process_status(&fx, 101, buf), "success");
    FLOE_ASSERT_ERR(floe_opt_service_commit_done(fx.s, 999, true, NULL, &err), FLOE_ERR_NOT_FOUND,
                    &err, "not known");
    /* A late report on the finished process is stale. */
    assert_int_equal(report(&fx, "complete", tok, 1, &b, OUTPUT), 409);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_ack_timeout_resets_without_retry(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 1);
    submit(&fx, "db.t", 7, 1, NULL, 0);
    polled a, again;
    assert_true(poll_task(&fx, tok, 0, &a));
    fx.clock.now += 30001;
    /* The late ack is refused; the task was re-planned and is handed out again. */
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 409);
    assert_true(poll_task(&fx, tok, 0, &again));
    assert_int_equal(again.task_id, a.task_id);
    assert_int_equal(again.attempt, 2);
    json_t *j = floe_opt_service_process_json(fx.s, 7);
    json_t *t0 = json_array_get(json_object_get(j, "tasks"), 0);
    assert_int_equal(json_integer_value(json_object_get(t0, "retries")), 0);
    json_decref(j);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_heartbeat_timeout_moves_task(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *dead = reg(&fx, 1);
    submit(&fx, "db.t", 8, 1, NULL, 0);
    polled a, b;
    assert_true(poll_task(&fx, dead, 0, &a));
    assert_int_equal(report(&fx, "ack", dead, 0, &a, NULL), 200);
    fx.clock.now += 30000;
    char *alive = reg(&fx, 1);
    fx.clock.now += 30001; /* the first optimizer has been silent for 60.001 s */
    char req[128];
    snprintf(req, sizeof(req), "{\"token\":\"%s\"}", alive);
    assert_int_equal(call(&fx, "heartbeat", req, NULL), 200);
    snprintf(req, sizeof(req), "{\"token\":\"%s\"}", dead);
    assert_int_equal(call(&fx, "heartbeat", req, NULL), 401);
    assert_true(poll_task(&fx, alive, 0, &b));
    assert_int_equal(b.task_id, a.task_id);
    assert_int_equal(b.attempt, 2);
    /* The dead optimizer's late completion cannot land. */
    assert_int_equal(report(&fx, "complete", dead, 0, &a, OUTPUT), 401);
    free(dead);
    free(alive);
    floe_opt_service_free(fx.s);
}

static void test_execute_timeout_and_repoll(void **state)
{
    (void)state;
    svc_fx fx;
    fx.clock.now = 1000000;
    floe_opt_service_opts o = {.clock = test_clock,
                               .clock_ud = &fx.clock,
                               .execute_timeout_ms = 100000,
                               .heartbeat_timeout_ms = 1000000};
    fx.s = floe_opt_service_new(&o);
    floe_err err = {0};
    floe_opt_group_def g = {.name = "default"};
    FLOE_ASSERT_OK(floe_opt_service_set_group(fx.s, &g, &err), &err);
    char *tok = reg(&fx, 2);
    submit(&fx, "db.t", 9, 2, (const char *const[]){"self-optimizing.quota=2", NULL}, 0);
    polled a, b, c;
    assert_true(poll_task(&fx, tok, 0, &a));
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200);
    fx.clock.now += 100001;
    assert_int_equal(report(&fx, "complete", tok, 0, &a, OUTPUT), 409); /* reset meanwhile */
    /* Thread 1 takes a task; when it polls again, what it held is reset. */
    assert_true(poll_task(&fx, tok, 1, &b));
    assert_true(poll_task(&fx, tok, 1, &c));
    assert_int_equal(c.task_id, b.task_id);
    assert_int_equal(c.attempt, b.attempt + 1);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_failures_retry_then_fail_process(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 1);
    submit(&fx, "db.t", 10, 1, (const char *const[]){"self-optimizing.execute.num-retries=1", NULL},
           0);
    polled a;
    for (int run = 1; run <= 2; run++) {
        assert_true(poll_task(&fx, tok, 0, &a));
        assert_int_equal(a.attempt, run);
        assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200);
        assert_int_equal(report(&fx, "complete", tok, 0, &a, ",\"error\":\"out of memory\""), 200);
    }
    char buf[32];
    assert_string_equal(process_status(&fx, 10, buf), "failed");
    json_t *j = floe_opt_service_process_json(fx.s, 10);
    assert_non_null(strstr(json_string_value(json_object_get(j, "fail-reason")), "out of memory"));
    json_decref(j);
    assert_false(poll_task(&fx, tok, 0, &a));
    /* The table is free for a new process. */
    submit(&fx, "db.t", 11, 1, NULL, 0);
    assert_true(poll_task(&fx, tok, 0, &a));
    assert_int_equal(a.pid, 11);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_quota_limits_concurrent_tasks(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 4);
    submit(&fx, "db.t", 12, 4, NULL, 0); /* quota 0.5 of 4 threads = 2 */
    polled p;
    assert_true(poll_task(&fx, tok, 0, &p));
    assert_true(poll_task(&fx, tok, 1, &p));
    assert_false(poll_task(&fx, tok, 2, &p));
    json_t *g = floe_opt_service_groups_json(fx.s);
    json_t *g0 = json_array_get(json_object_get(g, "groups"), 0);
    assert_int_equal(json_integer_value(json_object_get(g0, "threads")), 4);
    assert_int_equal(json_integer_value(json_object_get(g0, "pending-tasks")), 2);
    assert_int_equal(json_integer_value(json_object_get(g0, "executing-tasks")), 2);
    json_decref(g);
    free(tok);
    floe_opt_service_free(fx.s);
}

/* Break-quota (Amoro's break-quota-limit-enabled): with nothing being planned, idle threads
 * take tasks past a table's quota; while a table is planning, quotas hold again. */
static void test_break_quota(void **state)
{
    (void)state;
    svc_fx fx;
    fx.clock.now = 1000000;
    floe_opt_service_opts o = {.clock = test_clock, .clock_ud = &fx.clock, .break_quota = true};
    fx.s = floe_opt_service_new(&o);
    floe_err err = {0};
    floe_opt_group_def g = {.name = "default", .policy = FLOE_OPT_POLICY_QUOTA};
    FLOE_ASSERT_OK(floe_opt_service_set_group(fx.s, &g, &err), &err);
    char *tok = reg(&fx, 4);
    submit(&fx, "db.t", 12, 4, NULL, 0); /* quota 0.5 of 4 threads = 2 */
    polled p;
    assert_true(poll_task(&fx, tok, 0, &p));
    assert_true(poll_task(&fx, tok, 1, &p));
    floe_opt_service_planning(fx.s, true);
    assert_false(poll_task(&fx, tok, 2, &p)); /* another table is being planned */
    floe_opt_service_planning(fx.s, false);
    assert_true(poll_task(&fx, tok, 2, &p)); /* past the quota: nothing else waits */
    assert_true(poll_task(&fx, tok, 3, &p));
    assert_int_equal(p.pid, 12);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_quota_policy_prefers_least_occupied(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 2);
    const char *const q1[] = {"self-optimizing.quota=1", NULL};
    submit(&fx, "db.a", 20, 3, q1, 0);
    /* a runs one task for 10 minutes. */
    polled p;
    assert_true(poll_task(&fx, tok, 0, &p));
    assert_int_equal(p.pid, 20);
    assert_int_equal(report(&fx, "ack", tok, 0, &p, NULL), 200);
    char hb[128];
    snprintf(hb, sizeof(hb), "{\"token\":\"%s\"}", tok);
    for (int i = 0; i < 20; i++) {
        fx.clock.now += 30000; /* heartbeats keep the optimizer registered */
        assert_int_equal(call(&fx, "heartbeat", hb, NULL), 200);
    }
    assert_int_equal(report(&fx, "complete", tok, 0, &p, OUTPUT), 200);
    submit(&fx, "db.b", 21, 3, q1, 0);
    /* b has used nothing in the last hour: it goes first, though a was there before. */
    assert_true(poll_task(&fx, tok, 0, &p));
    assert_int_equal(p.pid, 21);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_balanced_policy_prefers_longest_waiting(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_BALANCED);
    char *tok = reg(&fx, 2);
    const char *const q1[] = {"self-optimizing.quota=1", NULL};
    submit(&fx, "db.recent", 30, 1, q1, 900000);
    submit(&fx, "db.stale", 31, 1, q1, 100);
    polled p;
    assert_true(poll_task(&fx, tok, 0, &p));
    assert_int_equal(p.pid, 31);
    assert_true(poll_task(&fx, tok, 1, &p));
    assert_int_equal(p.pid, 30);
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_cancel_and_partial_commit(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    char *tok = reg(&fx, 2);
    submit(&fx, "db.t", 40, 2, (const char *const[]){"self-optimizing.quota=2", NULL}, 0);
    polled a, b;
    assert_true(poll_task(&fx, tok, 0, &a));
    assert_true(poll_task(&fx, tok, 1, &b));
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_service_cancel(fx.s, 40, &err), &err);
    char buf[32];
    assert_string_equal(process_status(&fx, 40, buf), "canceled");
    assert_int_equal(report(&fx, "complete", tok, 0, &a, OUTPUT), 409);
    FLOE_ASSERT_ERR(floe_opt_service_cancel(fx.s, 40, &err), FLOE_ERR_NOT_FOUND, &err, "40");

    /* With allow-partial-commit, what succeeded is committed. */
    submit(&fx, "db.t", 41, 2,
           (const char *const[]){"self-optimizing.quota=2",
                                 "self-optimizing.allow-partial-commit=true", NULL},
           0);
    assert_true(poll_task(&fx, tok, 0, &a));
    assert_true(poll_task(&fx, tok, 1, &b));
    assert_int_equal(report(&fx, "ack", tok, 0, &a, NULL), 200);
    assert_int_equal(report(&fx, "complete", tok, 0, &a, OUTPUT), 200);
    floe_err e2 = {0};
    FLOE_ASSERT_OK(floe_opt_service_cancel(fx.s, 41, &e2), &e2);
    assert_string_equal(process_status(&fx, 41, buf), "committing");
    json_t *c = floe_opt_service_take_commit(fx.s);
    assert_non_null(c);
    json_decref(c);
    FLOE_ASSERT_OK(floe_opt_service_commit_done(fx.s, 41, false, "conflict", &e2), &e2);
    assert_string_equal(process_status(&fx, 41, buf), "failed");
    free(tok);
    floe_opt_service_free(fx.s);
}

static void test_groups_are_validated(void **state)
{
    (void)state;
    svc_fx fx;
    fx_start(&fx, FLOE_OPT_POLICY_QUOTA);
    floe_err err = {0};
    floe_opt_group_def bad = {.name = "a b"};
    FLOE_ASSERT_ERR(floe_opt_service_set_group(fx.s, &bad, &err), FLOE_ERR_INVALID, &err,
                    "group name");
    /* Submitting to a group that does not exist is refused and frees the process. */
    floe_opt_task_input in = {.table = "db.t",
                              .partition = "{}",
                              .n_files = 1,
                              .files = &(floe_opt_data_file){.path = "a"}};
    floe_opt_plan plan = {.type = FLOE_OPT_MINOR, .tasks = &in, .n_tasks = 1};
    floe_opt_process *p = NULL;
    floe_err e2 = {0};
    FLOE_ASSERT_OK(floe_opt_process_from_plan(&plan, 1, "db.t", 0, &p, &e2), &e2);
    floe_opt_props pr;
    floe_opt_props_default(&pr);
    pr.group = "other";
    FLOE_ASSERT_ERR(floe_opt_service_submit(fx.s, p, &pr, 0, &e2), FLOE_ERR_NOT_FOUND, &e2,
                    "'other' does not exist");
    floe_opt_service_free(fx.s);
}

#define T(f) cmocka_unit_test(f)

FLOE_TEST_GROUP(service)
{
    const struct CMUnitTest tests[] = {
        T(test_register_and_auth),
        T(test_poll_ack_complete_commit),
        T(test_ack_timeout_resets_without_retry),
        T(test_heartbeat_timeout_moves_task),
        T(test_execute_timeout_and_repoll),
        T(test_failures_retry_then_fail_process),
        T(test_quota_limits_concurrent_tasks),
        T(test_break_quota),
        T(test_quota_policy_prefers_least_occupied),
        T(test_balanced_policy_prefers_longest_waiting),
        T(test_cancel_and_partial_commit),
        T(test_groups_are_validated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
