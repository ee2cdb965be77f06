/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Automatic tags with a controllable clock: daily, hourly and monthly periods, each with an
 * offset and the max-delay skip, existing tags and branches, the snapshot at the boundary from the
 * log or from main's ancestry, expired snapshots, and the commit applied.
 */
#include "mnt_helpers.h"

static int64_t ms(const char *s)
{
    int64_t us = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_time_parse_iso(s, strlen(s), &us, &err), &err);
    return us / 1000;
}

typedef struct tag_case {
    floe_table_meta *m;
    floe_mnt_tag_opts o;
} tag_case;

/* Snapshots 1, 2 on Aug 7 (2 one second before midnight), 3 just after midnight, 4 on Sep 1. */
static floe_table_meta *table(floe_test_ctx *t, const tref *extra, size_t n_extra, bool with_log)
{
    static tsnap snaps[4];
    snaps[0] = (tsnap){1, NO_PARENT, ms("2022-08-07T10:00:00Z")};
    snaps[1] = (tsnap){2, 1, ms("2022-08-07T23:59:59Z")};
    snaps[2] = (tsnap){3, 2, ms("2022-08-08T00:10:00Z")};
    snaps[3] = (tsnap){4, 3, ms("2022-09-01T00:01:00Z")};
    static int64_t log[4][2];
    for (int i = 0; i < 4; i++) {
        log[i][0] = snaps[i].ts;
        log[i][1] = snaps[i].id;
    }
    tref refs[4] = {BRANCH("main", 4)};
    for (size_t i = 0; i < n_extra; i++) {
        refs[1 + i] = extra[i];
    }
    return mnt_test_meta(t, &(tmeta){.snaps = snaps,
                                     .n_snaps = 4,
                                     .current = 4,
                                     .refs = refs,
                                     .n_refs = 1 + n_extra,
                                     .log = with_log ? log : NULL,
                                     .n_log = with_log ? 4 : 0});
}

static floe_mnt_tag_opts opts(floe_test_ctx *t, const char *now, floe_mnt_period period, int offset,
                              int max_delay, const char *format)
{
    floe_mnt_tag_opts o = {.now_ms = ms(now),
                           .period = period,
                           .offset_minutes = offset,
                           .max_delay_minutes = max_delay,
                           .max_age_ms = -1};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_pattern_compile(t->arena, format, &o.format, &err), &err);
    return o;
}

static floe_mnt_tag_decision decide(floe_test_ctx *t, const floe_table_meta *m,
                                    const floe_mnt_tag_opts *o)
{
    floe_mnt_tag_decision d;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_tag_decide(t->arena, m, o, &d, &err), &err);
    return d;
}

static void test_tag_daily(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = table(t, NULL, 0, true);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:30:00Z", FLOE_MNT_PERIOD_DAILY, 0, 60, "'tag-'yyyyMMdd");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-20220807");
    assert_int_equal(d.snapshot_id, 2); /* one second before midnight, not the 00:10 one */
    assert_int_equal(d.boundary_ms, ms("2022-08-08T00:00:00Z"));
    assert_int_equal(d.trigger_ms, d.boundary_ms);
    assert_int_equal(d.update.kind, FLOE_ICE_UP_SET_SNAPSHOT_REF);
    assert_int_equal(d.update.ref.type, FLOE_REF_TAG);
    assert_string_equal(d.update.ref.name, "tag-20220807");
    assert_false(d.update.ref.has_max_ref_age_ms);
    assert_int_equal(d.req.kind, FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID);
    assert_false(d.req.has_snapshot_id);
    /* Right at the boundary it is already due; one hour later than the max delay it is not. */
    o.now_ms = ms("2022-08-08T00:00:00Z");
    assert_true(decide(t, m, &o).due);
    o.now_ms = ms("2022-08-08T01:00:00Z");
    assert_true(decide(t, m, &o).due);
    o.now_ms = ms("2022-08-08T01:00:00.001Z");
    d = decide(t, m, &o);
    assert_false(d.due);
    assert_string_equal(d.reason, "past the maximum delay");
    o.max_delay_minutes = 0; /* no limit */
    assert_true(decide(t, m, &o).due);
    /* The tag carries the max age when set. */
    o.max_age_ms = 86400000;
    d = decide(t, m, &o);
    assert_true(d.update.ref.has_max_ref_age_ms);
    assert_int_equal(d.update.ref.max_ref_age_ms, 86400000);
}

static void test_tag_offset(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = table(t, NULL, 0, true);
    /* Offset 30 min: at 00:20 the period that ended 30 minutes ago is still Aug 6. */
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:20:00Z", FLOE_MNT_PERIOD_DAILY, 30, 0, "'tag-'yyyyMMdd");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-20220806");
    assert_false(d.due); /* nothing was committed before Aug 7 */
    assert_string_equal(d.reason, "no snapshot before the period boundary");
    o.max_delay_minutes = 60;
    d = decide(t, m, &o);
    assert_string_equal(d.reason, "past the maximum delay");
    /* At 00:30 the Aug 7 tag is due, still on the state at midnight. */
    o.now_ms = ms("2022-08-08T00:30:00Z");
    d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-20220807");
    assert_int_equal(d.snapshot_id, 2);
    assert_int_equal(d.trigger_ms, ms("2022-08-08T00:30:00Z"));
    o.now_ms = ms("2022-08-08T01:30:01Z");
    assert_false(decide(t, m, &o).due);
    floe_err err = {0};
    o.offset_minutes = -1;
    FLOE_ASSERT_ERR(floe_mnt_tag_decide(t->arena, m, &o, &d, &err), FLOE_ERR_INVALID, &err,
                    "negative");
}

static void test_tag_hourly_and_monthly(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = table(t, NULL, 0, true);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:10:00Z", FLOE_MNT_PERIOD_HOURLY, 0, 60, "'tag-'yyyyMMddHH");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-2022080723");
    assert_int_equal(d.snapshot_id, 2);
    o.now_ms = ms("2022-08-08T01:05:00Z");
    d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-2022080800");
    assert_int_equal(d.snapshot_id, 3);
    o = opts(t, "2022-09-01T00:05:00Z", FLOE_MNT_PERIOD_MONTHLY, 0, 60, "'tag-'yyyyMM");
    d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-202208");
    assert_int_equal(d.snapshot_id, 3); /* 4 was committed after the boundary */
    assert_int_equal(d.boundary_ms, ms("2022-09-01T00:00:00Z"));
    /* January looks back to December of the year before. */
    o.now_ms = ms("2023-01-01T00:00:00Z");
    o.max_delay_minutes = 0;
    d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-202212");
    assert_int_equal(d.snapshot_id, 4);
}

/* Hourly and monthly periods with an offset and a max delay: the offset delays creation
 * (the period before is the one tagged until then), the tag still points at the state at the
 * boundary, and past trigger + max delay the period is skipped. */
static void test_tag_hourly_monthly_offset_and_delay(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = table(t, NULL, 0, true);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:14:59Z", FLOE_MNT_PERIOD_HOURLY, 15, 30, "'tag-'yyyyMMddHH");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-2022080722"); /* 23:00's tag is not due before 00:15 */
    assert_false(d.due);
    assert_string_equal(d.reason, "past the maximum delay");
    o.now_ms = ms("2022-08-08T00:15:00Z");
    d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-2022080723");
    assert_int_equal(d.snapshot_id, 2); /* before midnight, not the 00:10 snapshot */
    assert_int_equal(d.boundary_ms, ms("2022-08-08T00:00:00Z"));
    assert_int_equal(d.trigger_ms, ms("2022-08-08T00:15:00Z"));
    o.now_ms = ms("2022-08-08T00:45:00Z");
    assert_true(decide(t, m, &o).due);
    o.now_ms = ms("2022-08-08T00:45:00.001Z");
    d = decide(t, m, &o);
    assert_false(d.due);
    assert_string_equal(d.reason, "past the maximum delay");
    assert_string_equal(d.name, "tag-2022080723");

    o = opts(t, "2022-09-01T01:59:59Z", FLOE_MNT_PERIOD_MONTHLY, 120, 60, "'tag-'yyyyMM");
    d = decide(t, m, &o);
    assert_string_equal(d.name, "tag-202207"); /* August's tag waits for 02:00 */
    assert_false(d.due);
    o.now_ms = ms("2022-09-01T02:00:00Z");
    d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-202208");
    assert_int_equal(d.snapshot_id, 3); /* 4 (00:01) came after the boundary */
    assert_int_equal(d.boundary_ms, ms("2022-09-01T00:00:00Z"));
    assert_int_equal(d.trigger_ms, ms("2022-09-01T02:00:00Z"));
    o.now_ms = ms("2022-09-01T03:00:00Z");
    assert_true(decide(t, m, &o).due);
    o.now_ms = ms("2022-09-01T03:00:00.001Z");
    d = decide(t, m, &o);
    assert_false(d.due);
    assert_string_equal(d.reason, "past the maximum delay");
    /* Without a limit the skipped month is created late, on the same snapshot. */
    o.max_delay_minutes = 0;
    o.now_ms = ms("2022-09-20T00:00:00Z");
    d = decide(t, m, &o);
    assert_true(d.due);
    assert_string_equal(d.name, "tag-202208");
    assert_int_equal(d.snapshot_id, 3);
}

static void test_tag_exists_and_conflicts(void **state)
{
    floe_test_ctx *t = *state;
    tref tag[] = {TAG("tag-20220807", 1)};
    floe_table_meta *m = table(t, tag, 1, true);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:30:00Z", FLOE_MNT_PERIOD_DAILY, 0, 60, "'tag-'yyyyMMdd");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_false(d.due);
    assert_string_equal(d.reason, "tag exists");
    tref branch[] = {BRANCH("tag-20220807", 1)};
    m = table(t, branch, 1, true);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_mnt_tag_decide(t->arena, m, &o, &d, &err), FLOE_ERR_INVALID, &err,
                    "taken by a branch");
    o.format = NULL;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_tag_decide(t->arena, m, &o, &d, &err), FLOE_ERR_INVALID, &err,
                    "no tag format");
}

static void test_tag_snapshot_sources(void **state)
{
    floe_test_ctx *t = *state;
    /* Without a snapshot log, main's ancestry gives the same answer. */
    floe_table_meta *m = table(t, NULL, 0, false);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:30:00Z", FLOE_MNT_PERIOD_DAILY, 0, 60, "'tag-'yyyyMMdd");
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_true(d.due);
    assert_int_equal(d.snapshot_id, 2);
    /* The log names a snapshot that has expired: no tag. */
    static const tsnap snaps[] = {{3, NO_PARENT, 1659917400000}};
    static const int64_t log[][2] = {{1659866400000, 1}, {1659917400000, 3}};
    tref refs[] = {BRANCH("main", 3)};
    m = mnt_test_meta(t, &(tmeta){.snaps = snaps,
                                  .n_snaps = 1,
                                  .current = 3,
                                  .refs = refs,
                                  .n_refs = 1,
                                  .log = log,
                                  .n_log = 2});
    d = decide(t, m, &o);
    assert_false(d.due);
    assert_string_equal(d.reason, "the snapshot at the period boundary has expired");
    /* An empty table. */
    m = mnt_test_meta(t, &(tmeta){.current = -1});
    d = decide(t, m, &o);
    assert_false(d.due);
}

static void test_tag_commit(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = table(t, NULL, 0, true);
    floe_mnt_tag_opts o =
        opts(t, "2022-08-08T00:30:00Z", FLOE_MNT_PERIOD_DAILY, 0, 60, "'tag-'yyyyMMdd");
    o.max_age_ms = 3600000;
    floe_mnt_tag_decision d = decide(t, m, &o);
    assert_true(d.due);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_requirements_check(m, &d.req, 1, &err), &err);
    floe_table_meta *next = NULL;
    floe_ice_apply_opts ao = {.now_ms = o.now_ms};
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, m, &d.update, 1, &ao, &next, NULL, &err), &err);
    const floe_snapshot_ref *r = floe_table_meta_ref(next, "tag-20220807");
    assert_non_null(r);
    assert_int_equal(r->type, FLOE_REF_TAG);
    assert_int_equal(r->snapshot_id, 2);
    assert_int_equal(r->max_ref_age_ms, 3600000);
    assert_int_equal(next->current_snapshot_id, 4);
    /* The next check finds it; a concurrent creator makes the requirement fail. */
    assert_string_equal(decide(t, next, &o).reason, "tag exists");
    FLOE_ASSERT_ERR(floe_ice_requirements_check(next, &d.req, 1, &err), FLOE_ERR_CONFLICT, &err,
                    NULL);
}

FLOE_TEST_GROUP(tag)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tag_daily, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_offset, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_hourly_and_monthly, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_hourly_monthly_offset_and_delay, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_exists_and_conflicts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_snapshot_sources, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_tag_commit, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
