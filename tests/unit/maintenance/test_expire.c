/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshot expiration selection: ages and minimum counts, branches and tags with their own
 * retention, ref expiry (never main), protected snapshots, unreferenced snapshots, corrupt
 * ancestry, and the commit the plan produces (applied and checked against fresh metadata).
 */
#include "mnt_helpers.h"

#define NOW INT64_C(1000000)

/* main: 1 <- 2 <- 3 <- 4 <- 5 at 100k..500k. */
static const tsnap LINEAR[] = {
    {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {4, 3, 400000}, {5, 4, 500000},
};

static floe_mnt_expire_opts opts(int64_t older_than, int32_t retain)
{
    return (floe_mnt_expire_opts){
        .now_ms = NOW, .older_than_ms = older_than, .retain_last = retain};
}

static floe_mnt_expire_plan plan(floe_test_ctx *t, const floe_table_meta *m,
                                 const floe_mnt_expire_opts *o)
{
    floe_mnt_expire_plan p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_expire_select(t->arena, m, o, &p, &err), &err);
    return p;
}

static void assert_ids(const floe_mnt_expire_plan *p, const int64_t *want, size_t n)
{
    if (p->n_expire != n) {
        fail_msg("expired %zu snapshots, want %zu", p->n_expire, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (p->expire_ids[i] != want[i]) {
            fail_msg("expired[%zu] = %lld, want %lld", i, (long long)p->expire_ids[i],
                     (long long)want[i]);
        }
    }
}

#define EXPECT(p, ...)                                                                             \
    do {                                                                                           \
        static const int64_t want_[] = {__VA_ARGS__};                                              \
        assert_ids((p), want_, FLOE_ARRAY_LEN(want_));                                             \
    } while (0)

static void test_expire_by_age(void **state)
{
    floe_test_ctx *t = *state;
    tref refs[] = {BRANCH("main", 5)};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5, .refs = refs, .n_refs = 1});
    floe_mnt_expire_opts o = opts(350000, 1);
    floe_mnt_expire_plan p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3);
    assert_int_equal(p.n_retained, 2);
    assert_int_equal(p.n_drop_refs, 0);
    assert_int_equal(p.n_updates, 1);
    assert_int_equal(p.updates[0].kind, FLOE_ICE_UP_REMOVE_SNAPSHOTS);
    assert_int_equal(p.updates[0].n_snapshot_ids, 3);
    /* The boundary: a snapshot exactly at the cutoff stays (timestamp >= older-than). */
    o = opts(300000, 1);
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2);
}

static void test_expire_min_count_and_current(void **state)
{
    floe_test_ctx *t = *state;
    tref refs[] = {BRANCH("main", 5)};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5, .refs = refs, .n_refs = 1});
    /* Everything is old: the last 4 of main stay. */
    floe_mnt_expire_opts o = opts(NOW, 4);
    floe_mnt_expire_plan p = plan(t, m, &o);
    EXPECT(&p, 1);
    /* Everything is old and only one is kept: the current snapshot, never anything else. */
    o = opts(NOW + 1, 1);
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3, 4);
    /* A min count larger than the history keeps everything: no remove-snapshots update. */
    o = opts(NOW, 50);
    p = plan(t, m, &o);
    assert_int_equal(p.n_expire, 0);
    assert_int_equal(p.n_updates, 0);
    /* main's own retention wins over the defaults. */
    tref own[] = {{"main", 5, false, 2, UNSET, UNSET}};
    m = mnt_test_meta(
        t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5, .refs = own, .n_refs = 1});
    o = opts(NOW, 4);
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3);
    tref aged[] = {{"main", 5, false, UNSET, 700000, UNSET}}; /* keeps ts >= 300k */
    m = mnt_test_meta(
        t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5, .refs = aged, .n_refs = 1});
    o = opts(NOW, 1);
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2);
}

static void test_expire_tags_and_branches(void **state)
{
    floe_test_ctx *t = *state;
    /* main 1..5; dev branches off 2: 2 <- 6 <- 7; a tag on 1. */
    static const tsnap snaps[] = {
        {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {4, 3, 400000},
        {5, 4, 500000},         {6, 2, 210000}, {7, 6, 220000},
    };
    tref refs[] = {BRANCH("main", 5), BRANCH("dev", 7), TAG("v1", 1)};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 7, .current = 5, .refs = refs, .n_refs = 3});
    floe_mnt_expire_opts o = opts(450000, 1);
    floe_mnt_expire_plan p = plan(t, m, &o);
    /* Kept: 5 (main head), 7 (dev head), 1 (tag). */
    EXPECT(&p, 2, 3, 4, 6);
    /* dev keeps 3 along its own ancestry: 7, 6, 2. */
    tref dev3[] = {BRANCH("main", 5), {"dev", 7, false, 3, UNSET, UNSET}, TAG("v1", 1)};
    m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 7, .current = 5, .refs = dev3, .n_refs = 3});
    p = plan(t, m, &o);
    EXPECT(&p, 3, 4);
    /* dev keeps by age: max-snapshot-age 795000 keeps ts >= 205000: 7 and 6, not 2. */
    tref devage[] = {BRANCH("main", 5), {"dev", 7, false, UNSET, 795000, UNSET}};
    m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 7, .current = 5, .refs = devage, .n_refs = 2});
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3, 4);
    /* A tag's snapshot in the middle of main stays while its neighbours go. */
    tref midtag[] = {BRANCH("main", 5), TAG("mid", 3)};
    m = mnt_test_meta(
        t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5, .refs = midtag, .n_refs = 2});
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 4);
}

static void test_expire_ref_age(void **state)
{
    floe_test_ctx *t = *state;
    static const tsnap snaps[] = {
        {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {4, 3, 950000}, {6, 2, 910000},
    };
    /* old tag (age 900k > 100k) goes, fresh tag stays, main never goes even when "old". */
    tref refs[] = {{"main", 4, false, UNSET, UNSET, 1},
                   {"old", 1, true, UNSET, UNSET, 100000},
                   {"fresh", 6, true, UNSET, UNSET, 100000},
                   {"stale-branch", 3, false, UNSET, UNSET, 100000}};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 5, .current = 4, .refs = refs, .n_refs = 4});
    floe_mnt_expire_opts o = opts(900000, 1);
    floe_mnt_expire_plan p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3);
    assert_int_equal(p.n_drop_refs, 2);
    assert_string_equal(p.drop_refs[0], "old");
    assert_string_equal(p.drop_refs[1], "stale-branch");
    assert_int_equal(p.n_updates, 3);
    assert_int_equal(p.updates[0].kind, FLOE_ICE_UP_REMOVE_SNAPSHOT_REF);
    assert_string_equal(p.updates[0].ref_name, "old");
    assert_int_equal(p.updates[2].kind, FLOE_ICE_UP_REMOVE_SNAPSHOTS);
    /* The default max ref age applies to refs without their own. */
    tref plain[] = {BRANCH("main", 4), TAG("t", 1)};
    m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 5, .current = 4, .refs = plain, .n_refs = 2});
    o.max_ref_age_ms = 899999;
    p = plan(t, m, &o);
    assert_int_equal(p.n_drop_refs, 1);
    o.max_ref_age_ms = 900000; /* age == max: stays (only older refs go) */
    p = plan(t, m, &o);
    assert_int_equal(p.n_drop_refs, 0);
    EXPECT(&p, 2, 3); /* 6 is on no branch but younger than the cutoff */
}

static void test_expire_protected_and_unreferenced(void **state)
{
    floe_test_ctx *t = *state;
    /* 8 is an orphaned snapshot no ref reaches (a branch that was dropped), 9 a recent one. */
    static const tsnap snaps[] = {
        {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {8, 1, 150000}, {9, 1, 800000},
    };
    tref refs[] = {BRANCH("main", 3)};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 5, .current = 3, .refs = refs, .n_refs = 1});
    int64_t protect[] = {2, 12345 /* unknown ids are ignored */};
    floe_mnt_expire_opts o = opts(500000, 1);
    o.protected_ids = protect;
    o.n_protected = 2;
    floe_mnt_expire_plan p = plan(t, m, &o);
    EXPECT(&p, 1, 8);
}

static void test_expire_corrupt_ancestry(void **state)
{
    floe_test_ctx *t = *state;
    /* A parent cycle (3 -> 2 -> 3) and a missing parent (5 -> 99) terminate the walk. */
    static const tsnap snaps[] = {
        {2, 3, 200000},
        {3, 2, 300000},
        {4, 3, 400000},
        {5, 99, 100000},
    };
    tref refs[] = {BRANCH("main", 4), {"b", 5, false, 10, UNSET, UNSET}};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 4, .current = 4, .refs = refs, .n_refs = 2});
    floe_mnt_expire_opts o = opts(NOW, 100);
    floe_mnt_expire_plan p = plan(t, m, &o);
    assert_int_equal(p.n_expire, 0);
    o = opts(NOW, 1);
    p = plan(t, m, &o);
    EXPECT(&p, 2, 3);
}

static void test_expire_empty_and_bad_opts(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = mnt_test_meta(t, &(tmeta){.current = -1});
    floe_mnt_expire_opts o = opts(NOW, 1);
    floe_mnt_expire_plan p = plan(t, m, &o);
    assert_int_equal(p.n_expire, 0);
    assert_int_equal(p.n_updates, 0);
    assert_int_equal(p.n_reqs, 1); /* the table uuid */
    o.retain_last = 0;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_mnt_expire_select(t->arena, m, &o, &p, &err), FLOE_ERR_INVALID, &err,
                    "retain-last must be at least 1");
    /* v1-style metadata without refs: the current snapshot and its ancestry are main. */
    m = mnt_test_meta(t, &(tmeta){.snaps = LINEAR, .n_snaps = 5, .current = 5});
    o = opts(NOW, 2);
    p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 3);
}

static void test_expire_commit_applies(void **state)
{
    floe_test_ctx *t = *state;
    static const tsnap snaps[] = {
        {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {6, 2, 210000}, {7, 6, 990000},
    };
    static const int64_t log[][2] = {{100000, 1}, {200000, 2}, {300000, 3}};
    tref refs[] = {BRANCH("main", 3), BRANCH("dev", 7), {"gone", 1, true, UNSET, UNSET, 10}};
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps,
                    .n_snaps = 5,
                    .current = 3,
                    .refs = refs,
                    .n_refs = 3,
                    .log = log,
                    .n_log = 3,
                    .stats = "[{\"snapshot-id\":1,\"statistics-path\":\"/s1.puffin\","
                             "\"file-size-in-bytes\":1,\"file-footer-size-in-bytes\":1,"
                             "\"blob-metadata\":[]}]"});
    floe_mnt_expire_opts o = opts(250000, 1);
    floe_mnt_expire_plan p = plan(t, m, &o);
    EXPECT(&p, 1, 2, 6);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_requirements_check(m, p.reqs, p.n_reqs, &err), &err);
    floe_table_meta *next = NULL;
    floe_ice_apply_opts ao = {.now_ms = NOW};
    bool changed = false;
    FLOE_ASSERT_OK(
        floe_ice_updates_apply(t->arena, m, p.updates, p.n_updates, &ao, &next, &changed, &err),
        &err);
    assert_true(changed);
    assert_int_equal(next->n_snapshots, 2);
    assert_non_null(floe_table_meta_snapshot(next, 3));
    assert_non_null(floe_table_meta_snapshot(next, 7));
    assert_null(floe_table_meta_ref(next, "gone"));
    assert_non_null(floe_table_meta_ref(next, "dev"));
    assert_int_equal(next->current_snapshot_id, 3);
    assert_int_equal(next->n_statistics, 0);
    /* Expiring again right away finds nothing more. */
    p = plan(t, next, &o);
    assert_int_equal(p.n_expire, 0);

    /* A concurrent writer moved dev: the plan's requirements refuse to commit. */
    tref moved[] = {BRANCH("main", 3), BRANCH("dev", 6), {"gone", 1, true, UNSET, UNSET, 10}};
    floe_table_meta *now = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = 5, .current = 3, .refs = moved, .n_refs = 3});
    FLOE_ASSERT_ERR(floe_ice_requirements_check(now, p.reqs, p.n_reqs, &err), FLOE_ERR_CONFLICT,
                    &err, NULL);
    floe_mnt_expire_plan p0 = plan(t, m, &o);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_requirements_check(now, p0.reqs, p0.n_reqs, &err), FLOE_ERR_CONFLICT,
                    &err, "dev");
}

static void test_expire_many(void **state)
{
    floe_test_ctx *t = *state;
    /* 2000 snapshots on main and 50 branches forking from it: the walks stay cheap and exact. */
    enum { N = 2000, B = 50 };
    tsnap *snaps = floe_arena_calloc(t->arena, N + B, sizeof(tsnap));
    tref *refs = floe_arena_calloc(t->arena, B + 1, sizeof(tref));
    for (int i = 0; i < N; i++) {
        snaps[i] = (tsnap){i + 1, i == 0 ? NO_PARENT : i, 1000 + i};
    }
    refs[0] = BRANCH("main", N);
    for (int b = 0; b < B; b++) {
        snaps[N + b] = (tsnap){100000 + b, (b + 1) * 10, 500000};
        refs[b + 1] = BRANCH(floe_arena_sprintf(t->arena, "b%d", b), 100000 + b);
    }
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.snaps = snaps, .n_snaps = N + B, .current = N, .refs = refs, .n_refs = B + 1});
    floe_mnt_expire_opts o = opts(400000, 10);
    floe_mnt_expire_plan p = plan(t, m, &o);
    /* main keeps its last 10; each branch keeps its head and its 9 nearest ancestors. */
    size_t kept = 10 + B;
    for (int i = 1; i <= N - 10; i++) {
        bool by_branch = false;
        for (int b = 0; b < B; b++) {
            int fork = (b + 1) * 10;
            by_branch = by_branch || (i <= fork && i > fork - 9);
        }
        kept += by_branch ? 1 : 0;
    }
    assert_int_equal(p.n_retained, kept);
}

FLOE_TEST_GROUP(expire)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expire_by_age, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_min_count_and_current, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_tags_and_branches, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_ref_age, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_protected_and_unreferenced, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_corrupt_ancestry, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_empty_and_bad_opts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_commit_applies, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_many, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
