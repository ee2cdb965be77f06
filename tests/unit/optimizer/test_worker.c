/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker loop against a local HTTP server: libmicrohttpd in the test, answering
 * POST /api/v1/optimizer/{op} with the real optimizer service (floe_opt_service_handle), plus
 * switches to answer 503 or to lose every registration (a restarted server). Tasks are real:
 * fixture tables copied to the test directory, executed by the worker and reported back.
 */
#include "exec_helpers.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ==== The test server ==== */

typedef struct tsrv {
    struct MHD_Daemon *d;
    uint16_t port;
    pthread_mutex_t mu;
    floe_opt_service *svc;
    int fail_next;      /* answer 503 to this many requests */
    int n_register;     /* register requests answered 200 */
    int n_unauthorized; /* 401 answers */
    int n_failed;       /* 503 answers given */
    int n_ack;          /* ack requests answered 200 */
    int n_complete;     /* complete requests received */
} tsrv;

typedef struct req_body {
    floe_buf b;
} req_body;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)version;
    tsrv *s = cls;
    req_body *rb = *con_cls;
    if (rb == NULL) {
        rb = floe_xcalloc(1, sizeof(*rb));
        floe_buf_init(&rb->b, 0);
        *con_cls = rb;
        return MHD_YES;
    }
    if (*size > 0) {
        floe_buf_append(&rb->b, data, *size, NULL);
        *size = 0;
        return MHD_YES;
    }
    const char *prefix = "/api/v1/optimizer/";
    int status = 404;
    json_t *resp = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->fail_next > 0) {
        s->fail_next--;
        s->n_failed++;
        status = 503;
        resp = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", 503, "type", "Unavailable",
                         "message", "test server says no");
    } else if (strcmp(method, "POST") == 0 && floe_starts_with(url, prefix)) {
        json_t *req = json_loadb(floe_buf_cstr(&rb->b), rb->b.len, 0, NULL);
        const char *op = url + strlen(prefix);
        status = floe_opt_service_handle(s->svc, op, req != NULL ? req : json_null(), &resp);
        json_decref(req);
        if (status == 200 && strcmp(op, "register") == 0) {
            s->n_register++;
        }
        if (status == 200 && strcmp(op, "ack") == 0) {
            s->n_ack++;
        }
        if (strcmp(op, "complete") == 0) {
            s->n_complete++;
        }
        if (status == 401) {
            s->n_unauthorized++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    char *text = resp != NULL ? json_dumps(resp, JSON_COMPACT) : floe_xstrdup("{}");
    json_decref(resp);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    req_body *rb = *con_cls;
    if (rb != NULL) {
        floe_buf_fini(&rb->b);
        free(rb);
        *con_cls = NULL;
    }
}

static floe_opt_service *new_service(void)
{
    floe_opt_service *svc = floe_opt_service_new(NULL);
    floe_opt_group_def g = {.name = "default"};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_service_set_group(svc, &g, &err), &err);
    return svc;
}

static void tsrv_listen(tsrv *s, uint16_t port)
{
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, port,
                            NULL, NULL, on_request, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    assert_non_null(s->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info->port;
}

static void tsrv_start(tsrv *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->svc = new_service();
    tsrv_listen(s, 0);
}

static void tsrv_stop(tsrv *s)
{
    if (s->d != NULL) {
        MHD_stop_daemon(s->d);
        s->d = NULL;
    }
    floe_opt_service_free(s->svc);
    pthread_mutex_destroy(&s->mu);
}

/* A restarted server: a fresh service that knows no optimizer. */
static void tsrv_forget(tsrv *s)
{
    pthread_mutex_lock(&s->mu);
    floe_opt_service_free(s->svc);
    s->svc = new_service();
    pthread_mutex_unlock(&s->mu);
}

static void submit(tsrv *s, const char *table, int64_t pid, const floe_opt_task_input *tasks,
                   size_t n)
{
    floe_opt_plan plan = {
        .type = FLOE_OPT_MINOR, .tasks = (floe_opt_task_input *)tasks, .n_tasks = n};
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_opt_process_from_plan(&plan, pid, table, floe_time_now_us() / 1000, &p, &err), &err);
    floe_arena *a = floe_arena_new(1 << 20);
    floe_kv kv[] = {{"self-optimizing.execute.num-retries", "0"}};
    floe_opt_props pr;
    FLOE_ASSERT_OK(floe_opt_props_parse(a, NULL, 0, kv, 1, &pr, &err), &err);
    pthread_mutex_lock(&s->mu);
    FLOE_ASSERT_OK(floe_opt_service_submit(s->svc, p, &pr, 0, &err), &err);
    pthread_mutex_unlock(&s->mu);
    floe_arena_free(a);
}

/* The committed-ready process of the service, or NULL (caller frees). */
static json_t *take_commit(tsrv *s)
{
    pthread_mutex_lock(&s->mu);
    json_t *j = floe_opt_service_take_commit(s->svc);
    pthread_mutex_unlock(&s->mu);
    return j;
}

/* ==== Waiting ==== */

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

typedef bool (*cond_fn)(const floe_optimizer_stats *st, int64_t want);

static bool done_at_least(const floe_optimizer_stats *st, int64_t want)
{
    return st->tasks_done >= want;
}
static bool failed_at_least(const floe_optimizer_stats *st, int64_t want)
{
    return st->tasks_failed >= want;
}
static bool registered_at_least(const floe_optimizer_stats *st, int64_t want)
{
    return st->registrations >= want;
}
static bool errors_at_least(const floe_optimizer_stats *st, int64_t want)
{
    return st->request_errors >= want;
}
static bool polls_at_least(const floe_optimizer_stats *st, int64_t want)
{
    return st->polls >= want;
}

static floe_optimizer_stats wait_for(floe_optimizer *o, cond_fn fn, int64_t want, const char *what)
{
    floe_optimizer_stats st;
    for (int i = 0; i < 600; i++) { /* 30 s */
        floe_optimizer_get_stats(o, &st);
        if (fn(&st, want)) {
            return st;
        }
        sleep_ms(50);
    }
    fail_msg("timed out waiting for %s >= %lld (registrations %lld, polls %lld, done %lld, "
             "failed %lld, abandoned %lld, errors %lld)",
             what, (long long)want, (long long)st.registrations, (long long)st.polls,
             (long long)st.tasks_done, (long long)st.tasks_failed, (long long)st.tasks_abandoned,
             (long long)st.request_errors);
    return st;
}

static floe_optimizer_config worker_config(floe_test_ctx *t, const tsrv *s, floe_fileio *io,
                                           int threads)
{
    return (floe_optimizer_config){
        .server_url = floe_arena_sprintf(t->arena, "http://127.0.0.1:%u/", (unsigned)s->port),
        .threads = threads,
        .io = io,
        .poll_interval_ms = 20,
        .retry_min_ms = 10,
        .retry_max_ms = 100,
        .request_timeout_ms = 5000,
        .stop_grace_ms = 0,
    };
}

/* The output files of the first task of a committing process JSON. */
static const json_t *first_task_output(const json_t *proc)
{
    const json_t *tasks = json_object_get(proc, "tasks");
    assert_true(json_array_size(tasks) >= 1);
    return json_object_get(json_array_get(tasks, 0), "output");
}

/* ==== Tests ==== */

static void test_runs_tasks_and_reports(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input good = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    floe_opt_task_input bad = good;
    bad.metadata_location = "s3a://hyperparam-iceberg/java/bunnies/metadata/gone.metadata.json";

    tsrv s;
    tsrv_start(&s);
    submit(&s, "db.good", 1, &good, 1);
    submit(&s, "db.bad", 2, &bad, 1);
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 2);
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    wait_for(o, done_at_least, 1, "tasks done");
    wait_for(o, failed_at_least, 1, "tasks failed");

    /* The good process is ready to commit, with the worker's output. */
    json_t *proc = take_commit(&s);
    assert_non_null(proc);
    assert_string_equal(json_string_value(json_object_get(proc, "table")), "db.good");
    const json_t *output = first_task_output(proc);
    floe_opt_task_output out;
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, output, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    assert_int_equal(out.files[0].records, 15);
    assert_string_equal(floe_optimizer_summary_get(&out, "rows"), "15");
    bool exists = false;
    FLOE_ASSERT_OK(floe_io_exists(x.io, out.files[0].path, &exists, &err), &err);
    assert_true(exists);
    json_decref(proc);
    assert_null(take_commit(&s)); /* the bad one failed: nothing to commit */

    /* Its failure reached the server with the executor's message. */
    pthread_mutex_lock(&s.mu);
    json_t *pj = floe_opt_service_process_json(s.svc, 2);
    pthread_mutex_unlock(&s.mu);
    char *text = json_dumps(pj, JSON_COMPACT);
    assert_non_null(strstr(text, "gone.metadata.json"));
    free(text);
    json_decref(pj);

    floe_optimizer_stats st;
    floe_optimizer_get_stats(o, &st);
    assert_int_equal(st.registrations, 1);
    assert_int_equal(st.tasks_abandoned, 0);
    floe_optimizer_stop(o);
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_registers_again_after_401(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input good = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    tsrv s;
    tsrv_start(&s);
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 3);
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    floe_optimizer_stats st = wait_for(o, polls_at_least, 3, "polls");
    assert_int_equal(st.registrations, 1);

    /* The server restarts and forgets every optimizer: the next call answers 401. */
    tsrv_forget(&s);
    submit(&s, "db.t", 7, &good, 1);
    wait_for(o, registered_at_least, 2, "registrations");
    wait_for(o, done_at_least, 1, "tasks done");
    json_t *proc = take_commit(&s);
    assert_non_null(proc);
    json_decref(proc);
    /* Three threads saw the 401 at about the same time; one registration served them all. */
    sleep_ms(200);
    floe_optimizer_get_stats(o, &st);
    assert_int_equal(st.registrations, 2);
    pthread_mutex_lock(&s.mu);
    assert_true(s.n_unauthorized >= 1);
    assert_int_equal(s.n_register, 2);
    pthread_mutex_unlock(&s.mu);
    floe_optimizer_stop(o);
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_retries_while_server_unavailable(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input good = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);

    /* Nothing listens on the port yet: the worker retries with back-off. */
    tsrv s;
    tsrv_start(&s);
    uint16_t port = s.port;
    MHD_stop_daemon(s.d);
    s.d = NULL;
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 1);
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    floe_optimizer_stats st = wait_for(o, errors_at_least, 3, "request errors");
    assert_int_equal(st.registrations, 0);

    /* It comes up (on the same port) answering 503 a few times, then serves. */
    s.fail_next = 4;
    submit(&s, "db.t", 3, &good, 1);
    tsrv_listen(&s, port);
    wait_for(o, registered_at_least, 1, "registrations");
    wait_for(o, done_at_least, 1, "tasks done");
    pthread_mutex_lock(&s.mu);
    assert_int_equal(s.n_failed, 4);
    pthread_mutex_unlock(&s.mu);

    /* A 503 in the middle of polling is retried too. */
    floe_optimizer_get_stats(o, &st);
    int64_t errors = st.request_errors, polls = st.polls;
    pthread_mutex_lock(&s.mu);
    s.fail_next = 2;
    pthread_mutex_unlock(&s.mu);
    wait_for(o, errors_at_least, errors + 2, "request errors");
    wait_for(o, polls_at_least, polls + 2, "polls");
    json_t *proc = take_commit(&s);
    assert_non_null(proc);
    json_decref(proc);
    floe_optimizer_stop(o);
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_stop_is_prompt_while_retrying(void **state)
{
    floe_test_ctx *t = *state;
    floe_optimizer_config cfg = {
        .server_url = "http://127.0.0.1:9", /* discard port: refused */
        .threads = 4,
        .retry_min_ms = 1000,
        .retry_max_ms = 60000,
    };
    (void)t;
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    sleep_ms(300);
    int64_t t0 = floe_time_mono_us();
    floe_optimizer_stop(o);
    assert_true(floe_time_mono_us() - t0 < 2000000);
}

static int call_direct(void *ud, const char *op, const json_t *req, json_t **resp)
{
    tsrv *s = ud;
    pthread_mutex_lock(&s->mu);
    int code = floe_opt_service_handle(s->svc, op, req, resp);
    pthread_mutex_unlock(&s->mu);
    return code;
}

static void test_stop_lets_a_running_task_finish(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    enum { COPIES = 300 };
    size_t *idx = floe_arena_calloc(t->arena, COPIES, sizeof(size_t));
    floe_opt_task_input big = xtable_task(t, &x, idx, COPIES, FLOE_OPT_REWRITE);
    tsrv s;
    tsrv_start(&s);
    submit(&s, "db.t", 31, &big, 1);
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 1);
    cfg.exec.batch_rows = 1;
    cfg.stop_grace_ms = -1; /* wait for it */
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    int acked = 0;
    for (int i = 0; i < 600 && acked == 0; i++) {
        pthread_mutex_lock(&s.mu);
        acked = s.n_ack;
        pthread_mutex_unlock(&s.mu);
        sleep_ms(10);
    }
    assert_int_equal(acked, 1);
    floe_optimizer_stop(o); /* returns once the task is done and reported */
    pthread_mutex_lock(&s.mu);
    assert_int_equal(s.n_complete, 1);
    pthread_mutex_unlock(&s.mu);
    json_t *proc = take_commit(&s);
    assert_non_null(proc);
    floe_opt_task_output out;
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, first_task_output(proc), &out, &err),
                   &err);
    assert_string_equal(floe_optimizer_summary_get(&out, "rows"), "300");
    json_decref(proc);
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_in_process_transport(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input good = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    tsrv s;
    tsrv_start(&s);
    MHD_stop_daemon(s.d); /* no HTTP at all */
    s.d = NULL;
    submit(&s, "db.t", 11, &good, 1);
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 1);
    cfg.handler = call_direct;
    cfg.handler_ud = &s;
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    wait_for(o, done_at_least, 1, "tasks done");
    floe_optimizer_stats st;
    floe_optimizer_get_stats(o, &st);
    assert_int_equal(st.request_errors, 0);
    json_t *proc = take_commit(&s);
    assert_non_null(proc);
    json_decref(proc);
    floe_optimizer_stop(o);
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_stop_cancels_a_running_task(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, "iceberg/java_api_pos_and_eq_deletes",
                "s3a://hyperparam-iceberg/java/bunnies", "v5.metadata.json");
    /* One long task: the same small file many times over, read in tiny batches. */
    enum { COPIES = 4000 };
    size_t *idx = floe_arena_calloc(t->arena, COPIES, sizeof(size_t));
    for (size_t i = 0; i < COPIES; i++) {
        idx[i] = 0;
    }
    floe_opt_task_input big = xtable_task(t, &x, idx, COPIES, FLOE_OPT_REWRITE);
    tsrv s;
    tsrv_start(&s);
    submit(&s, "db.t", 21, &big, 1);
    size_t before = xcount_files(x.dir, ".parquet");
    floe_optimizer_config cfg = worker_config(t, &s, x.io, 1);
    cfg.exec.batch_rows = 1;
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    int acked = 0;
    for (int i = 0; i < 600 && acked == 0; i++) {
        pthread_mutex_lock(&s.mu);
        acked = s.n_ack;
        pthread_mutex_unlock(&s.mu);
        sleep_ms(10);
    }
    assert_int_equal(acked, 1);
    sleep_ms(100); /* inside the task now */
    int64_t t0 = floe_time_mono_us();
    floe_optimizer_stop(o); /* grace 0: cancel at once */
    assert_true(floe_time_mono_us() - t0 < 2000000);
    pthread_mutex_lock(&s.mu);
    assert_int_equal(s.n_complete, 0); /* nothing reported: the server re-plans it */
    pthread_mutex_unlock(&s.mu);
    assert_int_equal(xcount_files(x.dir, ".parquet"), before); /* nothing left behind */
    tsrv_stop(&s);
    xtable_close(&x);
}

static void test_bad_config(void **state)
{
    (void)state;
    floe_optimizer *o = NULL;
    floe_err err = {0};
    floe_optimizer_config cfg = {.server_url = "127.0.0.1:8181"};
    FLOE_ASSERT_ERR(floe_optimizer_start(&cfg, &o, &err), FLOE_ERR_INVALID, &err, "http://");
    assert_null(o);
    cfg = (floe_optimizer_config){.server_url = "http://x", .threads = 5000};
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_start(&cfg, &o, &err), FLOE_ERR_INVALID, &err, "threads");
    cfg = (floe_optimizer_config){.server_url = "http://x", .group = "no spaces"};
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_start(&cfg, &o, &err), FLOE_ERR_INVALID, &err, "group");
    cfg = (floe_optimizer_config){.server_url = "http://x", .token = "a\r\nX-Evil: 1"};
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_start(&cfg, &o, &err), FLOE_ERR_INVALID, &err, "token");
    cfg = (floe_optimizer_config){.server_url = "http://x", .poll_wait_ms = 30001};
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_start(&cfg, &o, &err), FLOE_ERR_INVALID, &err, "poll wait");
    floe_optimizer_stop(NULL);
}

FLOE_TEST_GROUP(worker)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_runs_tasks_and_reports, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_registers_again_after_401, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_retries_while_server_unavailable, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_stop_is_prompt_while_retrying, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_stop_cancels_a_running_task, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_stop_lets_a_running_task_finish, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_in_process_transport, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_config, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
