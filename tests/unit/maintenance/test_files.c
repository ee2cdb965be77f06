/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files an expiration made unreachable, and their deletion: a table with an overwrite (a
 * DELETED entry), manifests shared between expired and remaining snapshots, delete files,
 * statistics and a tag; interrupted and failed deletions resumed by running again; refusing to
 * clean up on an incomplete or mismatched picture.
 */
#include "mnt_helpers.h"

#include <sys/stat.h>

#define NOW INT64_C(1000000)
#define A FLOE_ENTRY_ADDED
#define E FLOE_ENTRY_EXISTING
#define D FLOE_ENTRY_DELETED
#define DATA FLOE_CONTENT_DATA
#define POS FLOE_CONTENT_POSITION_DELETES

/*
 * S1 adds d1 d2 (m1). S2 adds d3 (m2). S3 overwrites d2 and adds d4 with position deletes pd1
 * (m3 rewrites m1 keeping d1; m4). S4 adds d5 (m5).
 */
static const fk_manifest MANIFESTS[] = {
    {"metadata/m1.avro", {{"data/d1.parquet", A, DATA}, {"data/d2.parquet", A, DATA}}},
    {"metadata/m2.avro", {{"data/d3.parquet", A, DATA}}},
    {"metadata/m3.avro", {{"data/d1.parquet", E, DATA}, {"data/d2.parquet", D, DATA}}},
    {"metadata/m4.avro", {{"data/d4.parquet", A, DATA}, {"data/pd1.parquet", A, POS}}},
    {"metadata/m5.avro", {{"data/d5.parquet", A, DATA}}},
};
static const fk_snap SNAP_MANIFESTS[] = {
    {1, {"metadata/m1.avro"}},
    {2, {"metadata/m1.avro", "metadata/m2.avro"}},
    {3, {"metadata/m3.avro", "metadata/m2.avro", "metadata/m4.avro"}},
    {4, {"metadata/m3.avro", "metadata/m2.avro", "metadata/m4.avro", "metadata/m5.avro"}},
};
static const tsnap SNAPS[] = {
    {1, NO_PARENT, 100000}, {2, 1, 200000}, {3, 2, 300000}, {4, 3, 400000}};

typedef struct fixture {
    fk_source fk;
    floe_mnt_manifest_source src;
    floe_table_meta *before;
    floe_table_meta *after;
} fixture;

static void fixture_init(floe_test_ctx *t, fixture *fx, const tref *refs, size_t n_refs,
                         int64_t older_than)
{
    const char *loc = floe_test_tmp_path(t, "t");
    char stats[1024];
    snprintf(stats, sizeof(stats),
             "[{\"snapshot-id\":1,\"statistics-path\":\"%s/metadata/s1.puffin\","
             "\"file-size-in-bytes\":1,\"file-footer-size-in-bytes\":1,\"blob-metadata\":[]},"
             "{\"snapshot-id\":4,\"statistics-path\":\"%s/metadata/s4.puffin\","
             "\"file-size-in-bytes\":1,\"file-footer-size-in-bytes\":1,\"blob-metadata\":[]}]",
             loc, loc);
    fx->before = mnt_test_meta(t, &(tmeta){.snaps = SNAPS,
                                           .n_snaps = 4,
                                           .current = 4,
                                           .refs = refs,
                                           .n_refs = n_refs,
                                           .stats = stats});
    fx->fk = (fk_source){.t = t,
                         .io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true}),
                         .location = loc,
                         .ms = MANIFESTS,
                         .nm = FLOE_ARRAY_LEN(MANIFESTS),
                         .ss = SNAP_MANIFESTS,
                         .nss = FLOE_ARRAY_LEN(SNAP_MANIFESTS)};
    fx->src = fk_as_source(&fx->fk);
    fk_materialize(&fx->fk, fx->before, 1000);
    mnt_touch(fk_path(&fx->fk, "metadata/s1.puffin"), 1000);
    mnt_touch(fk_path(&fx->fk, "metadata/s4.puffin"), 1000);
    /* Plan and commit the expiration; `after` is what the catalog would return. */
    floe_mnt_expire_opts o = {.now_ms = NOW, .older_than_ms = older_than, .retain_last = 1};
    floe_mnt_expire_plan p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_expire_select(t->arena, fx->before, &o, &p, &err), &err);
    floe_ice_apply_opts ao = {.now_ms = NOW};
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, fx->before, p.updates, p.n_updates, &ao,
                                          &fx->after, NULL, &err),
                   &err);
}

static void fixture_fini(fixture *fx)
{
    floe_fileio_free(fx->fk.io);
}

static floe_mnt_file_list expired(floe_test_ctx *t, fixture *fx)
{
    floe_mnt_file_list l;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_expired_files(t->arena, fx->before, fx->after, &fx->src, &l, &err),
                   &err);
    return l;
}

/* "kind:relative-path" lines, for readable comparisons. */
static const char *describe(floe_test_ctx *t, fixture *fx, const floe_mnt_file_list *l)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    size_t skip = strlen(fx->fk.location) + 1;
    for (size_t i = 0; i < l->n; i++) {
        floe_buf_printf(&b, NULL, "%s%s:%s", i ? " " : "",
                        floe_mnt_file_kind_name(l->files[i].kind), l->files[i].location + skip);
    }
    const char *s = floe_arena_strdup(t->arena, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

/* Every file the remaining snapshots need is still there. */
static void assert_remaining_intact(fixture *fx)
{
    const floe_table_meta *m = fx->after;
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const floe_snapshot *s = &m->snapshots[i];
        assert_true(mnt_file_exists(s->manifest_list));
        for (size_t k = 0; k < FLOE_ARRAY_LEN(SNAP_MANIFESTS); k++) {
            if (SNAP_MANIFESTS[k].id != s->snapshot_id) {
                continue;
            }
            for (size_t j = 0; j < 8 && SNAP_MANIFESTS[k].manifests[j]; j++) {
                const char *mp = SNAP_MANIFESTS[k].manifests[j];
                assert_true(mnt_file_exists(fk_path(&fx->fk, mp)));
                for (size_t x = 0; x < FLOE_ARRAY_LEN(MANIFESTS); x++) {
                    if (strcmp(MANIFESTS[x].path, mp) != 0) {
                        continue;
                    }
                    for (size_t e = 0; e < 8 && MANIFESTS[x].entries[e].path; e++) {
                        if (MANIFESTS[x].entries[e].status != D &&
                            !mnt_file_exists(fk_path(&fx->fk, MANIFESTS[x].entries[e].path))) {
                            fail_msg("live file %s of snapshot %lld was deleted",
                                     MANIFESTS[x].entries[e].path, (long long)s->snapshot_id);
                        }
                    }
                }
            }
        }
    }
}

static void test_files_after_overwrite(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000); /* expires 1 and 2 */
    assert_int_equal(fx.after->n_snapshots, 2);
    floe_mnt_file_list l = expired(t, &fx);
    /* d1 lives on in m3 and d3 in the shared m2; d2 was overwritten and only S1/S2 had it. */
    assert_string_equal(describe(t, &fx, &l),
                        "data:data/d2.parquet manifest:metadata/m1.avro "
                        "manifest-list:metadata/snap-1.avro manifest-list:metadata/snap-2.avro "
                        "statistics:metadata/s1.puffin");
    floe_mnt_delete_result r;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_delete_files(fx.fk.io, &l, NULL, &r, &err), &err);
    assert_int_equal(r.deleted, 5);
    assert_int_equal(r.by_kind[FLOE_MNT_FILE_DATA], 1);
    assert_int_equal(r.by_kind[FLOE_MNT_FILE_MANIFEST_LIST], 2);
    assert_int_equal(r.bytes, 10 + 100);
    assert_false(mnt_file_exists(fk_path(&fx.fk, "data/d2.parquet")));
    assert_false(mnt_file_exists(fk_path(&fx.fk, "metadata/m1.avro")));
    assert_true(mnt_file_exists(fk_path(&fx.fk, "metadata/s4.puffin")));
    assert_remaining_intact(&fx);
    /* Running again is harmless: the lists are gone, so only the statistics file that `before`
     * names is found again, and it is already gone. */
    l = expired(t, &fx);
    assert_string_equal(describe(t, &fx, &l), "statistics:metadata/s1.puffin");
    FLOE_ASSERT_OK(floe_mnt_delete_files(fx.fk.io, &l, NULL, &r, &err), &err);
    assert_int_equal(r.missing, 1);
    assert_int_equal(r.deleted, 0);
    fixture_fini(&fx);
}

static void test_files_tag_keeps_everything(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4), TAG("v1", 1)};
    fixture_init(t, &fx, refs, 2, 250000); /* expires 2 only: S1 is tagged */
    floe_mnt_file_list l = expired(t, &fx);
    /* S2's own list goes; m1 is S1's, m2 is S3's: nothing else. */
    assert_string_equal(describe(t, &fx, &l), "manifest-list:metadata/snap-2.avro");
    fixture_fini(&fx);
}

static void test_files_nothing_expired(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 0);
    floe_mnt_file_list l = expired(t, &fx);
    assert_int_equal(l.n, 0);
    assert_int_equal(fx.fk.reads, 0); /* no manifest was read */
    fixture_fini(&fx);
}

static floe_status cancel_after(void *ud, size_t done, size_t total, floe_err *err)
{
    (void)total;
    size_t *limit = ud;
    return done >= *limit ? floe_err_set(err, FLOE_ERR_CANCELED, "stopped") : FLOE_OK;
}

static void test_files_resume_after_interruption(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000);
    floe_mnt_file_list l = expired(t, &fx);
    /* Stop after two files: d2 and m1 are gone, the lists and statistics remain. */
    size_t limit = 2;
    floe_mnt_delete_opts o = {.batch_size = 1, .on_batch = cancel_after, .ud = &limit};
    floe_mnt_delete_result r;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_mnt_delete_files(fx.fk.io, &l, &o, &r, &err), FLOE_ERR_CANCELED, &err,
                    "stopped");
    assert_int_equal(r.deleted, 2);
    assert_remaining_intact(&fx);
    /* A second run skips the missing manifest and finds the rest. */
    l = expired(t, &fx);
    assert_string_equal(describe(t, &fx, &l),
                        "manifest-list:metadata/snap-1.avro manifest-list:metadata/snap-2.avro "
                        "statistics:metadata/s1.puffin");
    FLOE_ASSERT_OK(floe_mnt_delete_files(fx.fk.io, &l, NULL, &r, &err), &err);
    assert_int_equal(r.deleted, 3);
    assert_remaining_intact(&fx);
    fixture_fini(&fx);
}

static void test_files_failed_delete_keeps_manifests(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000);
    floe_mnt_file_list l = expired(t, &fx);
    /* d2 cannot be deleted (a non-empty directory stands in its place). */
    const char *d2 = fk_path(&fx.fk, "data/d2.parquet");
    remove(d2);
    assert_int_equal(mkdir(d2, 0755), 0);
    mnt_touch(floe_arena_sprintf(t->arena, "%s/x", d2), 1000);
    floe_mnt_delete_result r;
    floe_err err = {0};
    floe_status st = floe_mnt_delete_files(fx.fk.io, &l, NULL, &r, &err);
    assert_int_not_equal(st, FLOE_OK);
    assert_non_null(strstr(err.msg, "d2.parquet"));
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.deleted, 0);
    /* m1 still names d2, so a later run finds d2 again. */
    assert_true(mnt_file_exists(fk_path(&fx.fk, "metadata/m1.avro")));
    assert_true(mnt_file_exists(fk_path(&fx.fk, "metadata/snap-1.avro")));
    floe_test_rm_rf(d2);
    l = expired(t, &fx);
    assert_int_equal(l.n, 5);
    fixture_fini(&fx);
}

static void test_files_dry_run(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000);
    floe_mnt_file_list l = expired(t, &fx);
    floe_mnt_delete_opts o = {.dry_run = true};
    floe_mnt_delete_result r;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_delete_files(fx.fk.io, &l, &o, &r, &err), &err);
    assert_int_equal(r.deleted, 5);
    for (size_t i = 0; i < l.n; i++) {
        assert_true(mnt_file_exists(l.files[i].location));
    }
    fixture_fini(&fx);
}

static void test_files_refuses_incomplete_picture(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000);
    floe_mnt_file_list l;
    floe_err err = {0};
    /* A manifest a remaining snapshot needs is missing: no list at all. */
    remove(fk_path(&fx.fk, "metadata/m4.avro"));
    FLOE_ASSERT_ERR(floe_mnt_expired_files(t->arena, fx.before, fx.after, &fx.src, &l, &err),
                    FLOE_ERR_NOT_FOUND, &err, "m4.avro");
    assert_int_equal(l.n, 0);
    /* So is a remaining snapshot's manifest list. */
    mnt_touch(fk_path(&fx.fk, "metadata/m4.avro"), 1000);
    remove(fk_path(&fx.fk, "metadata/snap-3.avro"));
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_expired_files(t->arena, fx.before, fx.after, &fx.src, &l, &err),
                    FLOE_ERR_NOT_FOUND, &err, "snapshot 3");
    /* Metadata of another table, or older than the plan, is refused. */
    mnt_touch(fk_path(&fx.fk, "metadata/snap-3.avro"), 1000);
    floe_table_meta other = *fx.after;
    other.table_uuid = "00000000-0000-4000-8000-000000000000";
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_expired_files(t->arena, fx.before, &other, &fx.src, &l, &err),
                    FLOE_ERR_INVALID, &err, "refusing to clean up");
    floe_table_meta older = *fx.after;
    older.last_sequence_number = 1;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_expired_files(t->arena, fx.before, &older, &fx.src, &l, &err),
                    FLOE_ERR_INVALID, &err, "older than");
    /* Passing the plan's own metadata as "committed" (the commit did not happen) finds
     * nothing to delete. */
    FLOE_ASSERT_OK(floe_mnt_expired_files(t->arena, fx.before, fx.before, &fx.src, &l, &err), &err);
    assert_int_equal(l.n, 0);
    fixture_fini(&fx);
}

static void test_files_location_forms(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    tref refs[] = {BRANCH("main", 4)};
    fixture_init(t, &fx, refs, 1, 250000);
    /* The committed metadata names a remaining snapshot's list as file:// URI: still the same
     * file, never a deletion candidate. */
    floe_table_meta after = *fx.after;
    floe_snapshot *snaps =
        floe_arena_memdup(t->arena, after.snapshots, after.n_snapshots * sizeof(floe_snapshot));
    for (size_t i = 0; i < after.n_snapshots; i++) {
        snaps[i].manifest_list = floe_arena_sprintf(t->arena, "file://%s", snaps[i].manifest_list);
    }
    after.snapshots = snaps;
    floe_table_meta before = *fx.before;
    floe_snapshot *bs =
        floe_arena_memdup(t->arena, before.snapshots, before.n_snapshots * sizeof(floe_snapshot));
    bs[2].manifest_list = floe_arena_sprintf(t->arena, "file:%s", bs[2].manifest_list);
    before.snapshots = bs;
    floe_mnt_file_list l;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_expired_files(t->arena, &before, &after, &fx.src, &l, &err), &err);
    for (size_t i = 0; i < l.n; i++) {
        assert_null(strstr(l.files[i].location, "snap-3"));
        assert_null(strstr(l.files[i].location, "snap-4"));
    }
    assert_int_equal(l.n, 5);
    fixture_fini(&fx);
}

FLOE_TEST_GROUP(files)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_after_overwrite, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_tag_keeps_everything, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_nothing_expired, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_resume_after_interruption, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_failed_delete_keeps_manifests, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_dry_run, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_refuses_incomplete_picture, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_files_location_forms, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
