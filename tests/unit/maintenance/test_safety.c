/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safety on a real filesystem table written with the Iceberg manifest writer and committed
 * through the filesystem-table helper: appends, an overwrite with a position delete file, a
 * branch and a tag. After every expiration (planned, committed, then cleaned with the real
 * manifest reader), every file every remaining snapshot needs exists, and what was deleted was
 * unreachable. Orphan cleaning on the same table deletes only strays.
 */
#include "mnt_helpers.h"

typedef struct table {
    floe_test_ctx *t;
    floe_fileio *io;
    const char *loc;
    floe_ice_catalog cat; /* floe_fs_table */
    floe_table_meta *m;
    floe_mnt_fileio_source rsrc;
    floe_mnt_manifest_source src;
} table;

static void check(floe_status st, const floe_err *err)
{
    floe_test_check_ok(st, "table step", err, __FILE__, __LINE__);
}

static void table_create(floe_test_ctx *t, table *tb)
{
    tb->t = t;
    tb->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    tb->loc = floe_test_tmp_path(t, "t");
    const char *schema_json =
        "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\","
        "\"required\":true,\"type\":\"long\"}]}";
    json_error_t je;
    json_t *j = json_loads(schema_json, 0, &je);
    const floe_ice_schema *schema = NULL;
    floe_err err = {0};
    check(floe_ice_schema_from_json(t->arena, j, &schema, &err), &err);
    json_decref(j);
    floe_ice_create_opts o = {.location = tb->loc, .schema = schema, .now_ms = 1};
    floe_table_meta *m = NULL;
    check(floe_ice_table_create(t->arena, &o, &m, &err), &err);
    check(floe_fs_table_create(tb->io, tb->loc, m, &tb->cat, &err), &err);
    check(tb->cat.ops->load(tb->cat.ctx, t->arena, &tb->m, &err), &err);
    tb->rsrc = (floe_mnt_fileio_source){tb->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_fileio_source_init(&tb->rsrc, &tb->src);
}

static floe_data_file data_file(table *tb, const char *name, floe_file_content content)
{
    const char *path = floe_arena_sprintf(tb->t->arena, "%s/data/%s", tb->loc, name);
    floe_err err = {0};
    check(floe_io_write_file(tb->io, path, FLOE_IO_CREATE_OVERWRITE, "x", 1, &err), &err);
    return (floe_data_file){.content = content,
                            .file_path = path,
                            .file_format = FLOE_FORMAT_PARQUET,
                            .partition = {.kind = FLOE_V_STRUCT},
                            .record_count = 1,
                            .file_size_in_bytes = 1};
}

/* Write a manifest of `snap` holding `added` files (ADDED) and `kept`/`dropped` entries
 * (EXISTING / DELETED) carried from earlier snapshots. */
static floe_manifest_file manifest(table *tb, int64_t snap, const char *name,
                                   floe_manifest_content content, const floe_data_file *added,
                                   size_t n_added, const floe_manifest_entry *kept, size_t n_kept,
                                   const floe_manifest_entry *dropped, size_t n_dropped)
{
    floe_manifest_write_opts o = {
        .format_version = 2,
        .content = content,
        .spec = floe_table_meta_default_spec(tb->m),
        .schema = floe_table_meta_current_schema(tb->m),
        .snapshot_id = snap,
    };
    const char *path = floe_arena_sprintf(tb->t->arena, "%s/metadata/%s", tb->loc, name);
    floe_manifest_writer *w = NULL;
    floe_err err = {0};
    check(floe_manifest_writer_open(tb->io, path, &o, &w, &err), &err);
    for (size_t i = 0; i < n_added; i++) {
        check(floe_manifest_writer_add(w, &added[i], FLOE_SEQ_UNASSIGNED, &err), &err);
    }
    for (size_t i = 0; i < n_kept; i++) {
        check(floe_manifest_writer_existing(w, &kept[i], &err), &err);
    }
    for (size_t i = 0; i < n_dropped; i++) {
        check(floe_manifest_writer_delete(w, &dropped[i], &err), &err);
    }
    floe_manifest_file mf;
    check(floe_manifest_writer_finish(w, tb->t->arena, &mf, &err), &err);
    floe_manifest_writer_free(w);
    return mf;
}

static floe_manifest_entry carried(const floe_data_file *f, int64_t snap, int64_t seq)
{
    return (floe_manifest_entry){.status = FLOE_ENTRY_EXISTING,
                                 .has_snapshot_id = true,
                                 .snapshot_id = snap,
                                 .has_sequence_number = true,
                                 .sequence_number = seq,
                                 .has_file_sequence_number = true,
                                 .file_sequence_number = seq,
                                 .file = *f};
}

/* Commit snapshot `id` (parent, time) with these manifests and point `ref` at it. */
static void commit_snapshot(table *tb, int64_t id, int64_t parent, int64_t ts, const char *ref,
                            const floe_manifest_file *mfs, size_t n)
{
    floe_err err = {0};
    int64_t seq = tb->m->last_sequence_number + 1;
    const char *list =
        floe_arena_sprintf(tb->t->arena, "%s/metadata/snap-%lld.avro", tb->loc, (long long)id);
    floe_manifest_list_write_opts lo = {.format_version = 2,
                                        .snapshot_id = id,
                                        .has_parent = parent >= 0,
                                        .parent_snapshot_id = parent,
                                        .sequence_number = seq};
    check(floe_manifest_list_write(tb->io, list, &lo, mfs, n, NULL, &err), &err);
    floe_kv *summary = floe_arena_calloc(tb->t->arena, 1, sizeof(*summary));
    summary[0] = (floe_kv){"operation", "append"};
    floe_snapshot *s = floe_arena_calloc(tb->t->arena, 1, sizeof(*s));
    *s = (floe_snapshot){.snapshot_id = id,
                         .has_parent = parent >= 0,
                         .parent_id = parent,
                         .sequence_number = seq,
                         .timestamp_ms = ts,
                         .manifest_list = list,
                         .operation = "append",
                         .has_summary = true,
                         .summary = summary,
                         .n_summary = 1,
                         .has_schema_id = true,
                         .schema_id = 0};
    floe_ice_update ups[2] = {
        {.kind = FLOE_ICE_UP_ADD_SNAPSHOT, .snapshot = s},
        {.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
         .ref = {.name = ref, .snapshot_id = id, .type = FLOE_REF_BRANCH}},
    };
    (void)ts;
    check(tb->cat.ops->commit(tb->cat.ctx, tb->t->arena, NULL, 0, ups, 2, NULL, &err), &err);
    check(tb->cat.ops->load(tb->cat.ctx, tb->t->arena, &tb->m, &err), &err);
}

static void set_ref(table *tb, const char *name, int64_t id, bool tag, bool remove)
{
    floe_ice_update u =
        remove ? (floe_ice_update){.kind = FLOE_ICE_UP_REMOVE_SNAPSHOT_REF, .ref_name = name}
               : (floe_ice_update){.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
                                   .ref = {.name = name,
                                           .snapshot_id = id,
                                           .type = tag ? FLOE_REF_TAG : FLOE_REF_BRANCH}};
    floe_err err = {0};
    check(tb->cat.ops->commit(tb->cat.ctx, tb->t->arena, NULL, 0, &u, 1, NULL, &err), &err);
    check(tb->cat.ops->load(tb->cat.ctx, tb->t->arena, &tb->m, &err), &err);
}

/* Every file a snapshot of the table needs exists, read back with the real reader. */
static floe_status need_exists(void *ud, const floe_manifest_entry *e, floe_err *err)
{
    (void)ud;
    (void)err;
    if (e->status != FLOE_ENTRY_DELETED && !mnt_file_exists(e->file.file_path)) {
        fail_msg("live file %s was deleted", e->file.file_path);
    }
    return FLOE_OK;
}

static void assert_table_intact(table *tb)
{
    floe_err err = {0};
    /* A fresh load, as a reader would. */
    floe_table_meta *m = NULL;
    check(tb->cat.ops->load(tb->cat.ctx, tb->t->arena, &m, &err), &err);
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const floe_manifest_file *mfs = NULL;
        size_t n = 0;
        check(tb->src.snapshot_manifests(tb->src.ctx, tb->t->arena, m, &m->snapshots[i], &mfs, &n,
                                         &err),
              &err);
        for (size_t k = 0; k < n; k++) {
            check(tb->src.manifest_entries(tb->src.ctx, m, &mfs[k], need_exists, NULL, &err), &err);
        }
    }
}

/* Plan an expiration at `now`, commit it, clean up; returns what was deleted. */
static floe_mnt_file_list expire(table *tb, int64_t now, int64_t older_than, size_t *n_expired)
{
    floe_err err = {0};
    floe_mnt_expire_opts o = {.now_ms = now, .older_than_ms = older_than, .retain_last = 1};
    floe_mnt_expire_plan p;
    check(floe_mnt_expire_select(tb->t->arena, tb->m, &o, &p, &err), &err);
    *n_expired = p.n_expire;
    floe_table_meta *before = tb->m;
    check(tb->cat.ops->commit(tb->cat.ctx, tb->t->arena, p.reqs, p.n_reqs, p.updates, p.n_updates,
                              NULL, &err),
          &err);
    /* Clean up from what a reader loads now, not from the commit's own result. */
    floe_table_meta *committed = NULL;
    check(tb->cat.ops->load(tb->cat.ctx, tb->t->arena, &committed, &err), &err);
    tb->m = committed;
    floe_mnt_file_list l;
    check(floe_mnt_expired_files(tb->t->arena, before, committed, &tb->src, &l, &err), &err);
    floe_mnt_delete_result r;
    check(floe_mnt_delete_files(tb->io, &l, NULL, &r, &err), &err);
    assert_int_equal(r.deleted, l.n);
    return l;
}

static bool listed(const floe_mnt_file_list *l, const char *suffix)
{
    for (size_t i = 0; i < l->n; i++) {
        if (floe_ends_with(l->files[i].location, suffix)) {
            return true;
        }
    }
    return false;
}

static void test_safety_branches_tags_overwrites(void **state)
{
    floe_test_ctx *t = *state;
    table tb;
    table_create(t, &tb);
    /* S1: d1 d2. S2: + d3. dev (S3, from S2): + d4. S4 on main: overwrite d1, add d5 and a
     * position delete file. S5: + d6. Tag t2 on S2. */
    floe_data_file d1 = data_file(&tb, "d1.parquet", FLOE_CONTENT_DATA);
    floe_data_file d2 = data_file(&tb, "d2.parquet", FLOE_CONTENT_DATA);
    floe_data_file d12[] = {d1, d2};
    floe_manifest_file m1 =
        manifest(&tb, 1, "m1.avro", FLOE_MANIFEST_DATA, d12, 2, NULL, 0, NULL, 0);
    commit_snapshot(&tb, 1, -1, 1000, "main", &m1, 1);
    floe_data_file d3 = data_file(&tb, "d3.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m2 =
        manifest(&tb, 2, "m2.avro", FLOE_MANIFEST_DATA, &d3, 1, NULL, 0, NULL, 0);
    floe_manifest_file s2[] = {m2, m1};
    s2[1].sequence_number = 1;
    s2[1].min_sequence_number = 1;
    commit_snapshot(&tb, 2, 1, 2000, "main", s2, 2);
    floe_data_file d4 = data_file(&tb, "d4.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m3 =
        manifest(&tb, 3, "m3.avro", FLOE_MANIFEST_DATA, &d4, 1, NULL, 0, NULL, 0);
    floe_manifest_file s3[] = {m3, m2, m1};
    s3[1].sequence_number = 2;
    s3[1].min_sequence_number = 2;
    s3[2].sequence_number = 1;
    s3[2].min_sequence_number = 1;
    commit_snapshot(&tb, 3, 2, 3000, "dev", s3, 3);
    floe_manifest_entry keep2 = carried(&d2, 1, 1), drop1 = carried(&d1, 1, 1);
    floe_manifest_file m1b =
        manifest(&tb, 4, "m1b.avro", FLOE_MANIFEST_DATA, NULL, 0, &keep2, 1, &drop1, 1);
    floe_data_file d5 = data_file(&tb, "d5.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m4 =
        manifest(&tb, 4, "m4.avro", FLOE_MANIFEST_DATA, &d5, 1, NULL, 0, NULL, 0);
    floe_data_file pd1 = data_file(&tb, "pd1.parquet", FLOE_CONTENT_POSITION_DELETES);
    floe_manifest_file m5 =
        manifest(&tb, 4, "m5.avro", FLOE_MANIFEST_DELETES, &pd1, 1, NULL, 0, NULL, 0);
    floe_manifest_file s4[] = {m4, m5, m1b, s3[1]};
    commit_snapshot(&tb, 4, 2, 4000, "main", s4, 4);
    floe_data_file d6 = data_file(&tb, "d6.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m6 =
        manifest(&tb, 5, "m6.avro", FLOE_MANIFEST_DATA, &d6, 1, NULL, 0, NULL, 0);
    floe_manifest_file s5[] = {m6, m4, m5, m1b, s3[1]};
    for (int i = 1; i < 4; i++) {
        s5[i].sequence_number = 4;
        s5[i].min_sequence_number = i == 3 ? 1 : 4;
    }
    commit_snapshot(&tb, 5, 4, 5000, "main", s5, 5);
    set_ref(&tb, "t2", 2, true, false);
    assert_int_equal(tb.m->n_snapshots, 5);
    assert_table_intact(&tb);

    /* Everything is old: main keeps S5, dev S3, the tag S2. S1 and S4 go, but d1 (live in S2
     * and S3) stays, and so do the manifests the survivors share. */
    size_t n_expired = 0;
    floe_mnt_file_list l = expire(&tb, 100000, 100000, &n_expired);
    assert_int_equal(n_expired, 2);
    assert_int_equal(l.n, 2);
    assert_true(listed(&l, "/snap-1.avro"));
    assert_true(listed(&l, "/snap-4.avro"));
    assert_true(mnt_file_exists(d1.file_path));
    assert_table_intact(&tb);

    /* Drop the tag and the branch: S2 and S3 go, with d1 (deleted by S4), d4 (dev only), m1
     * and m3; d2 and d3 live on in S5. */
    set_ref(&tb, "t2", 0, true, true);
    set_ref(&tb, "dev", 0, false, true);
    l = expire(&tb, 100000, 100000, &n_expired);
    assert_int_equal(n_expired, 2);
    assert_true(listed(&l, "/d1.parquet"));
    assert_true(listed(&l, "/d4.parquet"));
    assert_true(listed(&l, "/m1.avro"));
    assert_true(listed(&l, "/m3.avro"));
    assert_true(listed(&l, "/snap-2.avro"));
    assert_true(listed(&l, "/snap-3.avro"));
    assert_int_equal(l.n, 6);
    assert_false(mnt_file_exists(d1.file_path));
    assert_true(mnt_file_exists(d2.file_path));
    assert_true(mnt_file_exists(pd1.file_path));
    assert_table_intact(&tb);
    assert_int_equal(tb.m->n_snapshots, 1);

    /* Orphans: old strays go; the metadata history, hint, current files stay. */
    mnt_touch(floe_arena_sprintf(t->arena, "%s/data/stray.parquet", tb.loc), 1000);
    mnt_touch(floe_arena_sprintf(t->arena, "%s/metadata/junk.avro", tb.loc), 1000);
    floe_mnt_orphan_opts oo = {.older_than_us = floe_time_now_us() + 60000000};
    floe_err err = {0};
    check(floe_mnt_orphan_files(t->arena, tb.io, tb.m, &tb.src, &oo, &l, &err), &err);
    /* Metadata files v1..v(N) are all in the metadata log except those beyond the
     * default of 100 previous versions; here every one is in the log. */
    assert_int_equal(l.n, 2);
    assert_true(listed(&l, "/data/stray.parquet"));
    assert_true(listed(&l, "/metadata/junk.avro"));
    floe_mnt_delete_result r;
    check(floe_mnt_delete_files(tb.io, &l, NULL, &r, &err), &err);
    assert_table_intact(&tb);
    floe_fs_table_free(&tb.cat);
    floe_fileio_free(tb.io);
}

static void test_safety_conflict_and_reader_errors(void **state)
{
    floe_test_ctx *t = *state;
    table tb;
    table_create(t, &tb);
    floe_err err = {0};
    floe_data_file d1 = data_file(&tb, "d1.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m1 =
        manifest(&tb, 1, "m1.avro", FLOE_MANIFEST_DATA, &d1, 1, NULL, 0, NULL, 0);
    commit_snapshot(&tb, 1, -1, 1000, "main", &m1, 1);
    floe_manifest_file m1c = m1;
    m1c.sequence_number = 1;
    m1c.min_sequence_number = 1;
    commit_snapshot(&tb, 2, 1, 2000, "main", &m1c, 1);
    /* An expiration planned before a concurrent writer moved main cannot commit. */
    floe_mnt_expire_opts o = {.now_ms = 100000, .older_than_ms = 100000, .retain_last = 1};
    floe_mnt_expire_plan p;
    check(floe_mnt_expire_select(t->arena, tb.m, &o, &p, &err), &err);
    assert_int_equal(p.n_expire, 1);
    set_ref(&tb, "main", 1, false, false); /* a rollback by someone else */
    FLOE_ASSERT_ERR(tb.cat.ops->commit(tb.cat.ctx, t->arena, p.reqs, p.n_reqs, p.updates,
                                       p.n_updates, NULL, &err),
                    FLOE_ERR_CONFLICT, &err, "main");
    /* A corrupt manifest is not "missing": the reader source says so, never NOT_FOUND. */
    check(floe_io_write_file(tb.io, m1.manifest_path, FLOE_IO_CREATE_OVERWRITE, "junk", 4, &err),
          &err);
    floe_err_clear(&err);
    floe_status st = tb.src.manifest_entries(tb.src.ctx, tb.m, &m1, need_exists, NULL, &err);
    assert_int_not_equal(st, FLOE_OK);
    assert_int_not_equal(st, FLOE_ERR_NOT_FOUND);
    check(floe_io_delete(tb.io, m1.manifest_path, &err), &err);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(tb.src.manifest_entries(tb.src.ctx, tb.m, &m1, need_exists, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_fs_table_free(&tb.cat);
    floe_fileio_free(tb.io);
}

static void test_safety_resume_from_history(void **state)
{
    floe_test_ctx *t = *state;
    table tb;
    table_create(t, &tb);
    floe_data_file d1 = data_file(&tb, "d1.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m1 =
        manifest(&tb, 1, "m1.avro", FLOE_MANIFEST_DATA, &d1, 1, NULL, 0, NULL, 0);
    commit_snapshot(&tb, 1, -1, 1000, "main", &m1, 1);
    floe_manifest_entry drop1 = carried(&d1, 1, 1);
    floe_data_file d2 = data_file(&tb, "d2.parquet", FLOE_CONTENT_DATA);
    floe_manifest_file m2 =
        manifest(&tb, 2, "m2.avro", FLOE_MANIFEST_DATA, &d2, 1, NULL, 0, &drop1, 1);
    commit_snapshot(&tb, 2, 1, 2000, "main", &m2, 1);
    /* Expire S1 and "crash" right after the commit: nothing is deleted. */
    floe_err err = {0};
    floe_mnt_expire_opts o = {.now_ms = 100000, .older_than_ms = 100000, .retain_last = 1};
    floe_mnt_expire_plan p;
    check(floe_mnt_expire_select(t->arena, tb.m, &o, &p, &err), &err);
    assert_int_equal(p.n_expire, 1);
    check(tb.cat.ops->commit(tb.cat.ctx, t->arena, p.reqs, p.n_reqs, p.updates, p.n_updates, NULL,
                             &err),
          &err);
    check(tb.cat.ops->load(tb.cat.ctx, t->arena, &tb.m, &err), &err);
    /* The next run has nothing to expire but finds the leftovers in earlier versions. */
    check(floe_mnt_expire_select(t->arena, tb.m, &o, &p, &err), &err);
    assert_int_equal(p.n_expire, 0);
    const floe_table_meta **hist = NULL;
    size_t n_hist = 0;
    check(floe_mnt_load_history(t->arena, tb.io, tb.m, 10, &hist, &n_hist, &err), &err);
    assert_int_equal(n_hist, 3); /* v3, v2, v1 */
    assert_int_equal(hist[0]->n_snapshots, 2);
    floe_mnt_file_list l;
    check(floe_mnt_expired_files_since(t->arena, hist, n_hist, tb.m, &tb.src, &l, &err), &err);
    assert_int_equal(l.n, 3);
    assert_true(listed(&l, "/d1.parquet"));
    assert_true(listed(&l, "/m1.avro"));
    assert_true(listed(&l, "/snap-1.avro"));
    floe_mnt_delete_result r;
    check(floe_mnt_delete_files(tb.io, &l, NULL, &r, &err), &err);
    assert_table_intact(&tb);
    /* And once more: nothing (the list of S1 is gone, so S1 is skipped). */
    check(floe_mnt_expired_files_since(t->arena, hist, n_hist, tb.m, &tb.src, &l, &err), &err);
    assert_int_equal(l.n, 0);
    /* History of a different table is ignored, never trusted. */
    floe_table_meta other = *tb.m;
    other.table_uuid = "00000000-0000-4000-8000-000000000000";
    check(floe_mnt_load_history(t->arena, tb.io, &other, 10, &hist, &n_hist, &err), &err);
    assert_int_equal(n_hist, 0);
    floe_fs_table_free(&tb.cat);
    floe_fileio_free(tb.io);
}

FLOE_TEST_GROUP(safety)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_safety_branches_tags_overwrites, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_safety_conflict_and_reader_errors, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_safety_resume_from_history, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
