/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tasks, processes and runtimes: every allowed and refused transition, idempotent repeats, and
 * JSON round trips with their error paths.
 */
#include "opt_helpers.h"

/* ==== Task transitions ==== */

enum { OP_SCHEDULE, OP_ACK, OP_SUCCEED, OP_FAIL, OP_RESET, OP_RETRY, OP_CANCEL, OP_COUNT };
static const char *const OP_NAMES[] = {"schedule", "ack",   "succeed", "fail",
                                       "reset",    "retry", "cancel"};
#define X (-1) /* refused */

/* Expected status after each op from each status (X: refused, unchanged). */
static const int TASK_TABLE[FLOE_OPT_TASK_STATUS_COUNT_][OP_COUNT] = {
    /* planned   */ {FLOE_OPT_TASK_SCHEDULED, X, X, X, FLOE_OPT_TASK_PLANNED, FLOE_OPT_TASK_PLANNED,
                     FLOE_OPT_TASK_CANCELED},
    /* scheduled */
    {X, FLOE_OPT_TASK_ACKED, X, X, FLOE_OPT_TASK_PLANNED, X, FLOE_OPT_TASK_CANCELED},
    /* acked     */
    {X, FLOE_OPT_TASK_ACKED, FLOE_OPT_TASK_SUCCESS, FLOE_OPT_TASK_FAILED, FLOE_OPT_TASK_PLANNED, X,
     FLOE_OPT_TASK_CANCELED},
    /* success   */ {X, X, FLOE_OPT_TASK_SUCCESS, X, X, X, X},
    /* failed    */ {X, X, X, FLOE_OPT_TASK_FAILED, X, FLOE_OPT_TASK_PLANNED, X},
    /* canceled  */ {X, X, X, X, X, X, FLOE_OPT_TASK_CANCELED},
};

static void task_in(floe_opt_task *t, floe_opt_task_status s)
{
    *t = (floe_opt_task){.process_id = 9, .task_id = 1, .thread_id = -1};
    if (s != FLOE_OPT_TASK_PLANNED) {
        /* Held by optimizer "tok", attempt 1. */
        t->attempt = 1;
        snprintf(t->token, sizeof(t->token), "tok");
        t->thread_id = 0;
    }
    t->status = s;
    if (s == FLOE_OPT_TASK_FAILED) {
        t->retries = 1;
    }
}

static floe_status task_op(floe_opt_task *t, int op, floe_err *err)
{
    switch (op) {
    case OP_SCHEDULE:
        return floe_opt_task_schedule(t, "tok2", 3, 100, err);
    case OP_ACK:
        return floe_opt_task_ack(t, "tok", 1, 100, err);
    case OP_SUCCEED:
        return floe_opt_task_succeed(t, "tok", 1, "{\"files\":[]}", 100, err);
    case OP_FAIL:
        return floe_opt_task_fail(t, "tok", 1, "boom", 100, err);
    case OP_RESET:
        return floe_opt_task_reset(t, err);
    case OP_RETRY:
        return floe_opt_task_retry(t, 5, err);
    default:
        return floe_opt_task_cancel(t, 100, err);
    }
}

static void test_task_transition_table(void **state)
{
    (void)state;
    for (int s = 0; s < FLOE_OPT_TASK_STATUS_COUNT_; s++) {
        for (int op = 0; op < OP_COUNT; op++) {
            floe_opt_task t, before;
            task_in(&t, (floe_opt_task_status)s);
            before = t;
            floe_err err = {0};
            floe_status st = task_op(&t, op, &err);
            int want = TASK_TABLE[s][op];
            if (want == X) {
                if (st != FLOE_ERR_CONFLICT) {
                    fail_msg("%s on %s: want refusal, got %s", OP_NAMES[op],
                             floe_opt_task_status_name((floe_opt_task_status)s),
                             floe_status_name(st));
                }
                assert_int_equal(t.status, before.status);
                assert_int_equal(t.attempt, before.attempt);
                assert_int_equal(t.retries, before.retries);
                assert_string_equal(t.token, before.token);
            } else {
                if (st != FLOE_OK || (int)t.status != want) {
                    fail_msg("%s on %s: want %s, got %s / %s (%s)", OP_NAMES[op],
                             floe_opt_task_status_name((floe_opt_task_status)s),
                             floe_opt_task_status_name((floe_opt_task_status)want),
                             floe_status_name(st), floe_opt_task_status_name(t.status), err.msg);
                }
            }
            floe_opt_task_fini(&t);
        }
    }
}

static void test_task_attempts_and_stale_reports(void **state)
{
    (void)state;
    floe_opt_task t = {.process_id = 1, .task_id = 2, .thread_id = -1};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_task_schedule(&t, "a", 0, 10, &err), &err);
    assert_int_equal(t.attempt, 1);
    /* Ack timeout: reset, no retry counted; the late ack of attempt 1 is stale. */
    FLOE_ASSERT_OK(floe_opt_task_reset(&t, &err), &err);
    assert_int_equal(t.retries, 0);
    FLOE_ASSERT_ERR(floe_opt_task_ack(&t, "a", 1, 20, &err), FLOE_ERR_CONFLICT, &err, "stale ack");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_opt_task_schedule(&t, "b", 1, 30, &err), &err);
    assert_int_equal(t.attempt, 2);
    /* Another optimizer or the old attempt cannot ack or complete it. */
    FLOE_ASSERT_ERR(floe_opt_task_ack(&t, "a", 2, 40, &err), FLOE_ERR_CONFLICT, &err,
                    "held by another optimizer");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_opt_task_ack(&t, "b", 2, 40, &err), &err);
    FLOE_ASSERT_ERR(floe_opt_task_succeed(&t, "b", 1, "{}", 50, &err), FLOE_ERR_CONFLICT, &err,
                    "stale completion");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_opt_task_succeed(&t, "b", 2, "{\"files\":[]}", 50, &err), &err);
    /* A duplicate completion is accepted and changes nothing. */
    FLOE_ASSERT_OK(floe_opt_task_succeed(&t, "b", 2, "{\"other\":1}", 60, &err), &err);
    assert_string_equal(t.output_json, "{\"files\":[]}");
    assert_int_equal(t.finished_ms, 50);
    floe_opt_task_fini(&t);
}

static void test_task_retries_are_limited(void **state)
{
    (void)state;
    floe_opt_task t = {.process_id = 1, .task_id = 1, .thread_id = -1};
    floe_err err = {0};
    /* num-retries 2: three runs in all. */
    for (int run = 1; run <= 3; run++) {
        FLOE_ASSERT_OK(floe_opt_task_schedule(&t, "x", 0, run, &err), &err);
        FLOE_ASSERT_OK(floe_opt_task_ack(&t, "x", run, run, &err), &err);
        FLOE_ASSERT_OK(floe_opt_task_fail(&t, "x", run, "disk full", run, &err), &err);
        assert_int_equal(t.retries, run);
        if (run < 3) {
            FLOE_ASSERT_OK(floe_opt_task_retry(&t, 2, &err), &err);
        }
    }
    FLOE_ASSERT_ERR(floe_opt_task_retry(&t, 2, &err), FLOE_ERR_CONFLICT, &err, "failed 3 times");
    assert_int_equal(t.status, FLOE_OPT_TASK_FAILED);
    assert_string_equal(t.fail_reason, "disk full");
    floe_err e2 = {0};
    FLOE_ASSERT_ERR(floe_opt_task_schedule(&t, "", 0, 1, &e2), FLOE_ERR_INVALID, &e2, "token");
    floe_opt_task_fini(&t);
}

/* ==== Runtime transitions ==== */

enum {
    EV_EVAL_YES,
    EV_EVAL_NO,
    EV_PLAN_BEGIN,
    EV_PLAN_FAILED,
    EV_PLAN_EMPTY,
    EV_PLAN_DONE,
    EV_TASKS_DONE,
    EV_COMMITTED,
    EV_CLOSED,
    EV_DISABLE,
    EV_RECOVER,
    EV_N
};

#define I FLOE_OPT_IDLE
#define P FLOE_OPT_PENDING
#define PL FLOE_OPT_PLANNING
#define MI FLOE_OPT_MINOR_OPTIMIZING
#define MA FLOE_OPT_MAJOR_OPTIMIZING
#define FU FLOE_OPT_FULL_OPTIMIZING
#define CO FLOE_OPT_COMMITTING

static const int RT_TABLE[FLOE_OPT_STATUS_COUNT_][EV_N] = {
    /*         eval+ eval- begin fail empty done tasks commit closed disable recover */
    /* idle */ {P, I, X, X, X, X, X, X, X, I, I},
    /* pend */ {P, I, PL, P, X, X, X, X, X, I, P},
    /* plan */ {X, X, PL, P, I, MI, X, X, I, I, P},
    /* min  */ {X, X, X, X, X, MI, CO, X, I, I, I},
    /* maj  */ {X, X, X, X, X, X, CO, X, I, I, I},
    /* full */ {X, X, X, X, X, X, CO, X, I, I, I},
    /* comm */ {X, X, X, X, X, X, CO, I, I, I, I},
};

static floe_status rt_op(floe_opt_runtime *rt, int ev, floe_err *err)
{
    floe_opt_summary pending = {.data_files = 3};
    floe_opt_event_args a = {.now_ms = 1000000,
                             .snapshot_id = 5,
                             .necessary = ev == EV_EVAL_YES,
                             .pending = &pending,
                             .min_plan_interval_ms = 60000,
                             .type = FLOE_OPT_MINOR,
                             .process_id = 7,
                             .plan_ms = 900000,
                             .plan_snapshot_id = 5,
                             .process_exists = false};
    static const floe_opt_event map[EV_N] = {
        FLOE_OPT_EV_EVALUATED,   FLOE_OPT_EV_EVALUATED,  FLOE_OPT_EV_PLAN_BEGIN,
        FLOE_OPT_EV_PLAN_FAILED, FLOE_OPT_EV_PLAN_EMPTY, FLOE_OPT_EV_PLAN_DONE,
        FLOE_OPT_EV_TASKS_DONE,  FLOE_OPT_EV_COMMITTED,  FLOE_OPT_EV_PROCESS_CLOSED,
        FLOE_OPT_EV_DISABLE,     FLOE_OPT_EV_RECOVER};
    return floe_opt_runtime_apply(rt, map[ev], &a, err);
}

static void test_runtime_transition_table(void **state)
{
    (void)state;
    for (int s = 0; s < FLOE_OPT_STATUS_COUNT_; s++) {
        for (int ev = 0; ev < EV_N; ev++) {
            floe_opt_runtime rt, before;
            floe_opt_runtime_init(&rt, 0);
            rt.status = (floe_opt_status)s;
            rt.status_since_ms = 400000;
            rt.process_id = s >= FLOE_OPT_MINOR_OPTIMIZING ? 7 : 0;
            before = rt;
            floe_err err = {0};
            floe_status st = rt_op(&rt, ev, &err);
            int want = RT_TABLE[s][ev];
            if (want == X) {
                if (st != FLOE_ERR_CONFLICT) {
                    fail_msg("event %d on %s: want refusal, got %s", ev,
                             floe_opt_status_name((floe_opt_status)s), floe_status_name(st));
                }
                assert_memory_equal(&rt, &before, sizeof(rt));
            } else {
                if (st != FLOE_OK || (int)rt.status != want) {
                    fail_msg("event %d on %s: want %s, got %s / %s (%s)", ev,
                             floe_opt_status_name((floe_opt_status)s),
                             floe_opt_status_name((floe_opt_status)want), floe_status_name(st),
                             floe_opt_status_name(rt.status), err.msg);
                }
                if (want != s) {
                    /* Time spent in the old status is accounted. */
                    assert_int_equal(rt.time_in_ms[s], 600000);
                    assert_int_equal(rt.status_since_ms, 1000000);
                }
                /* Applying the same event again is harmless (idempotent) for the arrows that
                 * have a well-defined repeat. */
                if (ev != EV_EVAL_NO && ev != EV_DISABLE && ev != EV_RECOVER) {
                    floe_opt_runtime again = rt;
                    floe_err e2 = {0};
                    if (rt_op(&again, ev, &e2) == FLOE_OK) {
                        assert_int_equal(again.status, rt.status);
                    }
                }
            }
        }
    }
}

static void test_runtime_full_cycle(void **state)
{
    (void)state;
    floe_opt_runtime rt;
    floe_opt_runtime_init(&rt, 1000);
    floe_err err = {0};
    floe_opt_summary pending = {.data_files = 12, .pending_files = 12};
    floe_opt_event_args a = {
        .now_ms = 2000, .snapshot_id = 10, .necessary = true, .pending = &pending};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_EVALUATED, &a, &err), &err);
    assert_true(rt.has_pending);
    a = (floe_opt_event_args){.now_ms = 5000, .min_plan_interval_ms = 60000};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_PLAN_BEGIN, &a, &err), &err);
    a = (floe_opt_event_args){.now_ms = 6000, .type = FLOE_OPT_MAJOR, .process_id = 77};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_PLAN_DONE, &a, &err), &err);
    assert_int_equal(rt.status, FLOE_OPT_MAJOR_OPTIMIZING);
    /* Another process's completion is refused. */
    a = (floe_opt_event_args){.now_ms = 7000, .process_id = 78};
    FLOE_ASSERT_ERR(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_TASKS_DONE, &a, &err),
                    FLOE_ERR_CONFLICT, &err, "event tasks-done not allowed");
    floe_err_clear(&err);
    a.process_id = 77;
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_TASKS_DONE, &a, &err), &err);
    a = (floe_opt_event_args){.now_ms = 9000,
                              .process_id = 77,
                              .type = FLOE_OPT_MAJOR,
                              .plan_ms = 5000,
                              .plan_snapshot_id = 10};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_COMMITTED, &a, &err), &err);
    /* A retried commit report after a crash is a no-op. */
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_COMMITTED, &a, &err), &err);
    assert_int_equal(rt.status, FLOE_OPT_IDLE);
    assert_int_equal(rt.last_optimized_snapshot_id, 10);
    assert_int_equal(rt.last_major_ms, 5000);
    assert_false(rt.has_pending);
    assert_int_equal(rt.time_in_ms[FLOE_OPT_IDLE], 1000);
    assert_int_equal(rt.time_in_ms[FLOE_OPT_PENDING], 3000);
    assert_int_equal(rt.time_in_ms[FLOE_OPT_PLANNING], 1000);
    assert_int_equal(rt.time_in_ms[FLOE_OPT_MAJOR_OPTIMIZING], 1000);
    assert_int_equal(rt.time_in_ms[FLOE_OPT_COMMITTING], 2000);
    /* min-plan-interval: a second plan within a minute waits. */
    a = (floe_opt_event_args){.now_ms = 10000, .snapshot_id = 11, .necessary = true};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_EVALUATED, &a, &err), &err);
    a = (floe_opt_event_args){.now_ms = 20000, .min_plan_interval_ms = 60000};
    FLOE_ASSERT_ERR(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_PLAN_BEGIN, &a, &err),
                    FLOE_ERR_UNAVAILABLE, &err, "min-plan-interval");
    assert_int_equal(rt.status, FLOE_OPT_PENDING);
    floe_err_clear(&err);
    a.now_ms = 70000;
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_PLAN_BEGIN, &a, &err), &err);
}

static void test_runtime_recover(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_opt_runtime rt;
    floe_opt_runtime_init(&rt, 0);
    rt.status = FLOE_OPT_MINOR_OPTIMIZING;
    rt.process_id = 3;
    /* The process is still running: nothing changes. */
    floe_opt_event_args a = {
        .now_ms = 5, .process_exists = true, .process_status = FLOE_OPT_PROC_RUNNING};
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_RECOVER, &a, &err), &err);
    assert_int_equal(rt.status, FLOE_OPT_MINOR_OPTIMIZING);
    /* All its tasks finished before the crash: committing. */
    a.process_status = FLOE_OPT_PROC_COMMITTING;
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_RECOVER, &a, &err), &err);
    assert_int_equal(rt.status, FLOE_OPT_COMMITTING);
    /* The commit went through (process SUCCESS): idle, never stuck in committing. */
    a.process_status = FLOE_OPT_PROC_SUCCESS;
    FLOE_ASSERT_OK(floe_opt_runtime_apply(&rt, FLOE_OPT_EV_RECOVER, &a, &err), &err);
    assert_int_equal(rt.status, FLOE_OPT_IDLE);
}

/* ==== JSON ==== */

static floe_opt_task_input sample_input(void)
{
    static const uint32_t d0[] = {0, 1};
    static const floe_opt_data_file files[] = {
        {.path = "s3://b/t/data/a.parquet",
         .format = FLOE_FORMAT_PARQUET,
         .role = FLOE_OPT_REWRITE,
         .size = 1000,
         .records = 10,
         .data_sequence_number = 3,
         .deletes = d0,
         .n_deletes = 2},
        {.path = "s3://b/t/data/b.parquet",
         .format = FLOE_FORMAT_PARQUET,
         .role = FLOE_OPT_REWRITE_POS,
         .size = 200000000,
         .records = 99,
         .data_sequence_number = 1},
    };
    static const int32_t eq_ids[] = {1, 2};
    static const floe_opt_delete_file dels[] = {
        {.path = "s3://b/t/data/eq.parquet",
         .content = FLOE_CONTENT_EQUALITY_DELETES,
         .format = FLOE_FORMAT_PARQUET,
         .size = 50,
         .records = 2,
         .data_sequence_number = 4,
         .equality_ids = eq_ids,
         .n_equality_ids = 2,
         .removable = true},
        {.path = "s3://b/t/data/dv.puffin",
         .content = FLOE_CONTENT_POSITION_DELETES,
         .format = FLOE_FORMAT_PUFFIN,
         .size = 70,
         .records = 3,
         .data_sequence_number = 5,
         .referenced_data_file = "s3://b/t/data/a.parquet",
         .has_content_offset = true,
         .content_offset = 4,
         .content_size = 40,
         .removable = false},
    };
    static const floe_kv props[] = {{"rewrite.use-parquet-row-group-merge.enabled", "true"}};
    return (floe_opt_task_input){.table = "db.t",
                                 .metadata_location = "s3://b/t/metadata/00003-x.metadata.json",
                                 .type = FLOE_OPT_MAJOR,
                                 .snapshot_id = 123456789012345LL,
                                 .sequence_number = 42,
                                 .schema_id = 2,
                                 .spec_id = 1,
                                 .partition = "{\"1000\":\"eu\",\"1001\":19000}",
                                 .target_size = 134217728,
                                 .files = files,
                                 .n_files = 2,
                                 .deletes = dels,
                                 .n_deletes = 2,
                                 .properties = props,
                                 .n_properties = 1};
}

static void test_task_input_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_task_input in = sample_input();
    json_t *j = floe_opt_task_input_to_json(&in);
    floe_opt_task_input back;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_task_input_from_json(t->arena, j, &back, &err), &err);
    assert_int_equal(back.n_files, 2);
    assert_int_equal(back.n_deletes, 2);
    assert_int_equal(back.snapshot_id, 123456789012345LL);
    assert_string_equal(back.metadata_location, "s3://b/t/metadata/00003-x.metadata.json");
    assert_string_equal(back.deletes[1].referenced_data_file, "s3://b/t/data/a.parquet");
    assert_int_equal(back.deletes[1].format, FLOE_FORMAT_PUFFIN);
    assert_true(back.deletes[1].has_content_offset);
    assert_int_equal(back.files[1].role, FLOE_OPT_REWRITE_POS);
    assert_int_equal(back.files[0].deletes[1], 1);
    json_t *j2 = floe_opt_task_input_to_json(&back);
    assert_true(json_equal(j, j2));
    json_decref(j2);
    /* Inputs written before metadata-location existed still parse, with NULL. */
    json_object_del(j, "metadata-location");
    FLOE_ASSERT_OK(floe_opt_task_input_from_json(t->arena, j, &back, &err), &err);
    assert_null(back.metadata_location);
    j2 = floe_opt_task_input_to_json(&back);
    assert_null(json_object_get(j2, "metadata-location"));
    json_decref(j);
    json_decref(j2);
}

static void test_task_output_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    static const floe_field_count sizes[] = {{1, 500}, {2, 800}};
    static const floe_field_bound lower[] = {{1, {"\x01\x00\x00\x00\x00\x00\x00\x00", 8}}};
    static const int64_t splits[] = {4};
    static const floe_kv summary[] = {{"input-bytes", "1000"}, {"rows", "10"}};
    floe_opt_output_file f = {.path = "s3://b/t/data/out.parquet",
                              .content = FLOE_CONTENT_DATA,
                              .format = FLOE_FORMAT_PARQUET,
                              .size = 900,
                              .records = 8,
                              .column_sizes = sizes,
                              .n_column_sizes = 2,
                              .lower_bounds = lower,
                              .n_lower_bounds = 1,
                              .split_offsets = splits,
                              .n_split_offsets = 1,
                              .has_sort_order_id = true,
                              .sort_order_id = 0};
    floe_opt_task_output o = {.files = &f, .n_files = 1, .summary = summary, .n_summary = 2};
    json_t *j = floe_opt_task_output_to_json(&o);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(j, "files"), 0), "lower-bounds"), "1")),
        "0100000000000000");
    floe_opt_task_output back;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, j, &back, &err), &err);
    assert_int_equal(back.files[0].lower_bounds[0].bytes.len, 8);
    assert_memory_equal(back.files[0].lower_bounds[0].bytes.ptr, lower[0].bytes.ptr, 8);
    json_t *j2 = floe_opt_task_output_to_json(&back);
    assert_true(json_equal(j, j2));
    json_decref(j);
    json_decref(j2);
}

static void test_task_input_rejects_bad_json(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *path; /* "data-files.0.size" style: object member to replace */
        const char *value;
        const char *needle;
    } cases[] = {
        {"table", "7", "table: expected a string"},
        {"metadata-location", "7", "metadata-location: expected a string"},
        {"type", "\"huge\"", "unknown optimizing type"},
        {"snapshot-id", "\"x\"", "snapshot-id: expected an integer"},
        {"partition", "[1]", "partition: expected an object"},
        {"data-files", "[]", "at least one file"},
        {"data-files.0.size", "-1", "size: negative"},
        {"data-files.0.role", "\"shred\"", "role: unknown value"},
        {"data-files.0.deletes", "[2]", "deletes[0]: expected an integer in [0, 1]"},
        {"data-files.0.path", "\"\"", "path: empty"},
        {"data-files.0.format", "\"csv\"", "csv"},
        {"delete-files.0.content", "\"data\"", "cannot be data"},
        {"delete-files.0.equality-ids", "[]", "equality-ids: required"},
        {"delete-files.0.removable", "1", "removable: expected a boolean"},
        {"delete-files.1.content-offset", "-3", "content-offset: negative"},
        {"properties", "{\"a\":1}", "properties.a: expected a string"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_opt_task_input in = sample_input();
        json_t *j = floe_opt_task_input_to_json(&in);
        /* Walk to the parent of the member to replace. */
        char path[128];
        snprintf(path, sizeof(path), "%s", cases[i].path);
        json_t *parent = j;
        char *save = path, *dot;
        while ((dot = strchr(save, '.')) != NULL) {
            *dot = '\0';
            json_t *next = json_is_array(parent) ? json_array_get(parent, strtoul(save, NULL, 10))
                                                 : json_object_get(parent, save);
            assert_non_null(next);
            parent = next;
            save = dot + 1;
        }
        json_t *v = json_loads(cases[i].value, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        json_object_set_new(parent, save, v);
        floe_opt_task_input back;
        floe_err err = {0};
        floe_status st = floe_opt_task_input_from_json(t->arena, j, &back, &err);
        json_decref(j);
        if (st != FLOE_ERR_INVALID || strstr(err.msg, cases[i].needle) == NULL) {
            fail_msg("%s = %s: got %s '%s', want '%s'", cases[i].path, cases[i].value,
                     floe_status_name(st), err.msg, cases[i].needle);
        }
    }
}

static floe_opt_process *sample_process(floe_test_ctx *t)
{
    floe_opt_task_input in[2] = {sample_input(), sample_input()};
    floe_opt_evaluation ev = {
        .summary = {.data_files = 5, .health_score = 80, .type = FLOE_OPT_MAJOR}};
    floe_opt_plan plan = {.evaluation = &ev, .type = FLOE_OPT_MAJOR, .tasks = in, .n_tasks = 2};
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_process_from_plan(&plan, 555, "db.t", 1000, &p, &err), &err);
    (void)t;
    return p;
}

static void test_process_and_task_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_process *p = sample_process(t);
    assert_int_equal(p->n_tasks, 2);
    assert_int_equal(p->tasks[1].task_id, 2);
    assert_int_equal(p->tasks[0].input_bytes, 200001000);
    assert_int_equal(p->snapshot_id, 123456789012345LL);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_task_schedule(&p->tasks[0], "tok", 1, 2000, &err), &err);
    FLOE_ASSERT_OK(floe_opt_task_ack(&p->tasks[0], "tok", 1, 2001, &err), &err);
    FLOE_ASSERT_OK(
        floe_opt_task_succeed(&p->tasks[0], "tok", 1, "{\"files\":[],\"summary\":{}}", 2002, &err),
        &err);
    json_t *j = floe_opt_process_to_json(p, true);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "task-counts"), "success")), 1);
    floe_opt_process *back = NULL;
    FLOE_ASSERT_OK(floe_opt_process_from_json(j, &back, &err), &err);
    json_t *j2 = floe_opt_process_to_json(back, true);
    assert_true(json_equal(j, j2));
    /* A task whose id does not match its place is refused. */
    json_object_set_new(json_array_get(json_object_get(j, "tasks"), 1), "task-id", json_integer(5));
    floe_opt_process *bad = NULL;
    FLOE_ASSERT_ERR(floe_opt_process_from_json(j, &bad, &err), FLOE_ERR_INVALID, &err,
                    "id does not match");
    json_decref(j);
    json_decref(j2);
    floe_opt_process_free(back);
    floe_opt_process_free(p);
}

static void test_runtime_round_trip(void **state)
{
    (void)state;
    floe_opt_runtime rt;
    floe_opt_runtime_init(&rt, 100);
    rt.status = FLOE_OPT_PENDING;
    rt.time_in_ms[FLOE_OPT_IDLE] = 5000;
    rt.process_id = 9;
    rt.last_minor_ms = 77;
    rt.has_pending = true;
    rt.pending = (floe_opt_summary){.data_files = 12,
                                    .pending_bytes = 1 << 20,
                                    .health_score = 61,
                                    .small_file_score = 21,
                                    .eq_delete_score = 20,
                                    .pos_delete_score = 20,
                                    .type = FLOE_OPT_MINOR};
    json_t *j = floe_opt_runtime_to_json(&rt, 1100);
    /* durations include the current stay; time-in-ms does not */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "durations-ms"), "pending")), 1000);
    floe_opt_runtime back;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_runtime_from_json(j, &back, &err), &err);
    assert_memory_equal(&back, &rt, sizeof(rt));
    json_object_set_new(j, "status", json_string("sleeping"));
    FLOE_ASSERT_ERR(floe_opt_runtime_from_json(j, &back, &err), FLOE_ERR_INVALID, &err,
                    "unknown optimizing status 'sleeping'");
    json_decref(j);
}

#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)

FLOE_TEST_GROUP(model)
{
    const struct CMUnitTest tests[] = {
        T(test_task_transition_table),       T(test_task_attempts_and_stale_reports),
        T(test_task_retries_are_limited),    T(test_runtime_transition_table),
        T(test_runtime_full_cycle),          T(test_runtime_recover),
        T(test_task_input_round_trip),       T(test_task_output_round_trip),
        T(test_task_input_rejects_bad_json), T(test_process_and_task_round_trip),
        T(test_runtime_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
