/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The optimizer protocol's long-poll ("wait-ms" on poll): the service's part (the tasks hook,
 * the capped wait, bad values) on its own, and the HTTP server's part against a real floe
 * server started in this process: an empty poll held for its wait, a poll woken by a process
 * submitted meanwhile, other requests answered while polls are held (one HTTP thread: a held
 * poll must not occupy it), a server stopping with a held poll, and the worker: a task submitted
 * while its thread waits starts at once, and stop does not wait for the held poll.
 */
#include "opt_helpers.h"

#include "floe/optimizer.h"
#include "floe/server.h"

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* ==== Helpers ==== */

static double secs_since(int64_t start_us)
{
    return (double)(floe_time_mono_us() - start_us) / 1e6;
}

/* A running process of one task for table `table` in group "default" (input without a metadata
 * location: a worker fails it). */
static void submit(floe_opt_service *s, const char *table, int64_t pid)
{
    static const floe_opt_data_file files[] = {{.path = "a", .size = 10, .records = 1}};
    floe_opt_task_input in = {.table = table,
                              .type = FLOE_OPT_MINOR,
                              .snapshot_id = 5,
                              .sequence_number = 3,
                              .partition = "{}",
                              .files = files,
                              .n_files = 1};
    floe_opt_plan plan = {.type = FLOE_OPT_MINOR, .tasks = &in, .n_tasks = 1};
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_opt_process_from_plan(&plan, pid, table, floe_time_now_us() / 1000, &p, &err), &err);
    floe_opt_props pr;
    floe_opt_props_default(&pr);
    FLOE_ASSERT_OK(floe_opt_service_submit(s, p, &pr, 0, &err), &err);
}

typedef struct hook_log {
    int calls;
    char last[FLOE_OPT_GROUP_NAME_MAX + 1];
} hook_log;

static void record_hook(void *ud, const char *group)
{
    hook_log *h = ud;
    h->calls++;
    snprintf(h->last, sizeof(h->last), "%s", group);
}

static int call(floe_opt_service *s, const char *op, const char *text, json_t **out)
{
    json_t *req = json_loads(text, 0, NULL);
    assert_non_null(req);
    json_t *resp = NULL;
    int http = floe_opt_service_handle(s, op, req, &resp);
    json_decref(req);
    *out = resp;
    return http;
}

/* ==== The service ==== */

static int64_t fixed_clock(void *ud)
{
    return *(int64_t *)ud;
}

static void test_service_hook_and_wait(void **state)
{
    (void)state;
    int64_t now = 1000000;
    floe_opt_service_opts o = {
        .clock = fixed_clock, .clock_ud = &now, .heartbeat_timeout_ms = 30000};
    floe_opt_service *s = floe_opt_service_new(&o);
    floe_err err = {0};
    floe_opt_group_def g = {.name = "default"};
    FLOE_ASSERT_OK(floe_opt_service_set_group(s, &g, &err), &err);
    hook_log h = {0};
    floe_opt_service_set_tasks_hook(s, record_hook, &h);

    json_t *r = NULL;
    assert_int_equal(call(s, "register", "{\"group\":\"default\",\"threads\":1}", &r), 200);
    assert_int_equal(h.calls, 1); /* more threads in the group */
    assert_string_equal(h.last, "default");
    char tok[64];
    snprintf(tok, sizeof(tok), "%s", json_string_value(json_object_get(r, "token")));
    json_decref(r);

    /* Empty poll asking to wait: capped at a third of the 30 s heartbeat timeout. */
    char req[160];
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":25000}", tok);
    json_t *jreq = json_loads(req, 0, NULL);
    floe_opt_poll_wait w;
    assert_int_equal(floe_opt_service_poll_wait(s, jreq, &w, &r), 200);
    assert_true(json_is_null(json_object_get(r, "task")));
    assert_int_equal(w.wait_ms, 10000);
    assert_string_equal(w.group, "default");
    json_decref(r);
    json_decref(jreq);
    /* No wait asked: none given. */
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":0}", tok);
    jreq = json_loads(req, 0, NULL);
    assert_int_equal(floe_opt_service_poll_wait(s, jreq, &w, &r), 200);
    assert_int_equal(w.wait_ms, 0);
    json_decref(r);
    json_decref(jreq);
    /* Bad waits. */
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":-1}", tok);
    assert_int_equal(call(s, "poll", req, &r), 400);
    json_decref(r);
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":\"1s\"}", tok);
    assert_int_equal(call(s, "poll", req, &r), 400);
    json_decref(r);

    /* A submitted process wakes the group; a poll with a task available gives no wait. */
    int before = h.calls;
    submit(s, "db.t", 7);
    assert_int_equal(h.calls, before + 1);
    snprintf(req, sizeof(req), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":5000}", tok);
    jreq = json_loads(req, 0, NULL);
    assert_int_equal(floe_opt_service_poll_wait(s, jreq, &w, &r), 200);
    assert_true(json_is_object(json_object_get(r, "task")));
    assert_int_equal(w.wait_ms, 0);
    json_decref(r);
    json_decref(jreq);

    /* The scheduled task is never acked: the ack timeout plans it again and wakes the group. */
    before = h.calls;
    now += 31000;
    floe_opt_service_expire(s);
    assert_true(h.calls > before);

    floe_opt_service_set_tasks_hook(s, NULL, NULL);
    before = h.calls;
    submit(s, "db.u", 8);
    assert_int_equal(h.calls, before); /* removed */
    floe_opt_service_free(s);
}

/* ==== Over HTTP ==== */

typedef struct srv {
    floe_server_config c; /* the server borrows it until floe_server_free */
    floe_server *s;
    char uri[64];
} srv;

/* One HTTP thread: a poll held on it must leave it free for everything else. */
static void srv_start(floe_test_ctx *t, srv *sv)
{
    floe_server_config *c = &sv->c;
    floe_server_config_init(c);
    free(c->listen);
    c->listen = floe_xstrdup("127.0.0.1:0");
    free(c->data_dir);
    c->data_dir = floe_xstrdup(floe_test_tmp_path(t, "data"));
    floe_log_set_level(FLOE_LOG_ERROR);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_server_config_finish(c, &err), &err);
    c->threads = 1;
    FLOE_ASSERT_OK(floe_server_start(c, &sv->s, &err), &err);
    snprintf(sv->uri, sizeof(sv->uri), "http://127.0.0.1:%u", floe_server_port(sv->s));
}

static void srv_stop(srv *sv)
{
    floe_server_free(sv->s);
    sv->s = NULL;
    floe_server_config_fini(&sv->c);
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    floe_buf *b = ud;
    return floe_buf_append(b, p, size * n, NULL) == FLOE_OK ? size * n : 0;
}

/* POST (body != NULL) or GET `path`; returns the status (0: no answer), *out the JSON body. */
static long request_within(const char *uri, const char *path, const char *body, json_t **out,
                           long timeout_ms)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", uri, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    floe_buf b;
    floe_buf_init(&b, 1 << 20);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (out != NULL) {
        *out = b.len > 0 ? json_loadb(floe_buf_cstr(&b), b.len, 0, NULL) : NULL;
    }
    floe_buf_fini(&b);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static long request(const char *uri, const char *path, const char *body, json_t **out)
{
    return request_within(uri, path, body, out, 60000);
}

static char *register_optimizer(srv *sv, int threads)
{
    char body[96];
    snprintf(body, sizeof(body), "{\"group\":\"default\",\"threads\":%d}", threads);
    json_t *r = NULL;
    assert_int_equal(request(sv->uri, "/api/v1/optimizer/register", body, &r), 200);
    char *tok = floe_xstrdup(json_string_value(json_object_get(r, "token")));
    json_decref(r);
    return tok;
}

/* A poll on its own thread, timed. */
typedef struct poller {
    const char *uri;
    char body[160];
    pthread_t th;
    long status;
    json_t *resp;
    double secs;
} poller;

static void *poll_main(void *ud)
{
    poller *p = ud;
    int64_t start = floe_time_mono_us();
    p->status = request(p->uri, "/api/v1/optimizer/poll", p->body, &p->resp);
    p->secs = secs_since(start);
    return NULL;
}

static void poller_start(poller *p, srv *sv, const char *tok, int thread, int wait_ms)
{
    memset(p, 0, sizeof(*p));
    p->uri = sv->uri;
    snprintf(p->body, sizeof(p->body), "{\"token\":\"%s\",\"thread\":%d,\"wait-ms\":%d}", tok,
             thread, wait_ms);
    assert_int_equal(pthread_create(&p->th, NULL, poll_main, p), 0);
}

static void poller_join(poller *p)
{
    pthread_join(p->th, NULL);
}

static void test_empty_poll_is_held_for_its_wait(void **state)
{
    srv sv;
    srv_start(*state, &sv);
    char *tok = register_optimizer(&sv, 1);
    char body[160];
    json_t *r = NULL;

    /* Without wait-ms: answered at once, as before. */
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"thread\":0}", tok);
    int64_t start = floe_time_mono_us();
    assert_int_equal(request(sv.uri, "/api/v1/optimizer/poll", body, &r), 200);
    assert_true(secs_since(start) < 1.0);
    assert_true(json_is_null(json_object_get(r, "task")));
    assert_null(json_object_get(r, "wait-ms"));
    json_decref(r);

    /* wait-ms 2000 and nothing planned: {"task": null} after about 2 s, saying it waited. */
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":2000}", tok);
    start = floe_time_mono_us();
    assert_int_equal(request(sv.uri, "/api/v1/optimizer/poll", body, &r), 200);
    double secs = secs_since(start);
    assert_true(secs >= 1.5);
    assert_true(secs < 10.0);
    assert_true(json_is_null(json_object_get(r, "task")));
    assert_int_equal(json_integer_value(json_object_get(r, "wait-ms")), 2000);
    json_decref(r);

    /* A bad wait is refused at once. */
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":-5}", tok);
    assert_int_equal(request(sv.uri, "/api/v1/optimizer/poll", body, NULL), 400);
    free(tok);
    srv_stop(&sv);
}

static void test_held_poll_gets_task_submitted_meanwhile(void **state)
{
    srv sv;
    srv_start(*state, &sv);
    char *tok = register_optimizer(&sv, 1);
    poller p;
    poller_start(&p, &sv, tok, 0, 10000);
    usleep(600 * 1000); /* the poll is held by now */
    submit(floe_server_opt_service(sv.s), "db.t", 42);
    poller_join(&p);
    assert_int_equal(p.status, 200);
    json_t *task = json_object_get(p.resp, "task");
    assert_true(json_is_object(task));
    assert_int_equal(json_integer_value(json_object_get(task, "process-id")), 42);
    assert_true(p.secs >= 0.5); /* it waited for the submission ... */
    assert_true(p.secs < 3.0);  /* ... and was woken by it, well before its 10 s */
    json_decref(p.resp);
    free(tok);
    srv_stop(&sv);
}

static void test_held_polls_leave_the_server_free(void **state)
{
    srv sv;
    srv_start(*state, &sv); /* one HTTP thread */
    char *tok = register_optimizer(&sv, 2);
    poller a, b;
    poller_start(&a, &sv, tok, 0, 4000);
    poller_start(&b, &sv, tok, 1, 4000);
    usleep(400 * 1000);
    /* Both polls are held on the only HTTP thread; other requests are answered at once. */
    int64_t start = floe_time_mono_us();
    assert_int_equal(request(sv.uri, "/health", NULL, NULL), 200);
    json_t *r = NULL;
    assert_int_equal(request(sv.uri, "/api/v1/optimizers", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "optimizers")), 1);
    json_decref(r);
    char body[96];
    snprintf(body, sizeof(body), "{\"token\":\"%s\"}", tok);
    assert_int_equal(request(sv.uri, "/api/v1/optimizer/heartbeat", body, NULL), 200);
    assert_true(secs_since(start) < 1.0);
    /* One task: one poll gets it, the other goes on waiting until its deadline. */
    submit(floe_server_opt_service(sv.s), "db.t", 43);
    poller_join(&a);
    poller_join(&b);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    bool a_got = json_is_object(json_object_get(a.resp, "task"));
    bool b_got = json_is_object(json_object_get(b.resp, "task"));
    assert_true(a_got != b_got);
    poller *got = a_got ? &a : &b, *none = a_got ? &b : &a;
    assert_true(got->secs < 3.0);
    assert_true(none->secs >= 3.5); /* woken, found nothing, held again until 4 s */
    assert_int_equal(json_integer_value(json_object_get(none->resp, "wait-ms")), 4000);
    json_decref(a.resp);
    json_decref(b.resp);
    free(tok);
    srv_stop(&sv);
}

static void test_stop_with_held_poll(void **state)
{
    srv sv;
    srv_start(*state, &sv);
    char *tok = register_optimizer(&sv, 1);
    poller p;
    poller_start(&p, &sv, tok, 0, 20000);
    usleep(400 * 1000);
    int64_t start = floe_time_mono_us();
    srv_stop(&sv); /* resumes the held poll, which answers {"task": null} */
    double stop_secs = secs_since(start);
    poller_join(&p);
    assert_true(stop_secs < 3.0);
    assert_true(p.secs < 5.0);
    assert_int_equal(p.status, 200);
    assert_true(json_is_null(json_object_get(p.resp, "task")));
    assert_null(json_object_get(p.resp, "wait-ms")); /* not held: the client naps */
    json_decref(p.resp);
    free(tok);
}

static void test_task_not_lost_to_a_departed_poll(void **state)
{
    srv sv;
    srv_start(*state, &sv);
    char *tok = register_optimizer(&sv, 2);
    /* A poll held for 10 s whose client gives up after 0.3 s (as a stopping worker does). */
    char body[160];
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"thread\":0,\"wait-ms\":10000}", tok);
    assert_int_equal(request_within(sv.uri, "/api/v1/optimizer/poll", body, NULL, 300), 0);
    usleep(200 * 1000);
    /* The submission resumes that poll; it must not take the task for a client that left. */
    submit(floe_server_opt_service(sv.s), "db.t", 45);
    usleep(300 * 1000);
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"thread\":1}", tok);
    json_t *r = NULL;
    assert_int_equal(request(sv.uri, "/api/v1/optimizer/poll", body, &r), 200);
    json_t *task = json_object_get(r, "task");
    assert_true(json_is_object(task));
    assert_int_equal(json_integer_value(json_object_get(task, "process-id")), 45);
    json_decref(r);
    free(tok);
    srv_stop(&sv);
}

/* ==== The worker ==== */

static void test_worker_starts_task_at_once_and_stops_promptly(void **state)
{
    srv sv;
    srv_start(*state, &sv);
    floe_opt_service *svc = floe_server_opt_service(sv.s);
    floe_optimizer_config cfg = {
        .server_url = sv.uri,
        .threads = 1,
        .poll_interval_ms = 20000, /* without the long-poll, a task would wait up to 20 s */
        .poll_wait_ms = 10000,
        .stop_grace_ms = 0,
    };
    floe_optimizer *o = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_start(&cfg, &o, &err), &err);
    usleep(1000 * 1000); /* registered, first poll held */
    floe_optimizer_stats st;
    floe_optimizer_get_stats(o, &st);
    assert_int_equal(st.registrations, 1);
    assert_int_equal(st.polls, 0); /* the first poll is still held */

    /* The task (no metadata location: the executor refuses it) is taken and reported fast. */
    int64_t start = floe_time_mono_us();
    submit(svc, "db.t", 44);
    while (secs_since(start) < 5.0) {
        floe_optimizer_get_stats(o, &st);
        if (st.tasks_failed > 0) {
            break;
        }
        usleep(20 * 1000);
    }
    assert_true(st.tasks_failed >= 1);
    assert_true(secs_since(start) < 3.0);
    json_t *p = floe_opt_service_process_json(svc, 44);
    assert_non_null(p);
    json_t *t0 = json_array_get(json_object_get(p, "tasks"), 0);
    assert_true(json_integer_value(json_object_get(t0, "retries")) >= 1); /* the report arrived */
    json_decref(p);

    /* After reporting, the thread polls again (held); stop does not wait for that poll. */
    usleep(300 * 1000);
    start = floe_time_mono_us();
    floe_optimizer_stop(o);
    assert_true(secs_since(start) < 2.5);
    srv_stop(&sv);
}

FLOE_TEST_GROUP(longpoll)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_hook_and_wait),
        cmocka_unit_test_setup_teardown(test_empty_poll_is_held_for_its_wait, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_held_poll_gets_task_submitted_meanwhile,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_held_polls_leave_the_server_free, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_stop_with_held_poll, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_task_not_lost_to_a_departed_poll, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_worker_starts_task_at_once_and_stops_promptly,
                                        floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
