/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commit operations on a filesystem table: append, merge append, row delta, rewrite,
 * overwrite, delete; snapshot summaries; validations against concurrent commits; the retry
 * loop; several processes committing to one table at once.
 */
#include "ice_helpers.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *SCHEMA = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                            "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
                            "{\"id\":2,\"name\":\"p\",\"required\":false,\"type\":\"int\"}]}";

typedef struct tbl {
    floe_fileio *io;
    floe_ice_catalog cat;
    const char *loc;
} tbl;

/* A v2 table partitioned by identity(p) with `props` ("k=v" pairs, NULL-terminated). */
static void tbl_create(floe_test_ctx *t, tbl *tb, const char *const *props)
{
    floe_arena *a = t->arena;
    floe_err err = {0};
    tb->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    tb->loc = floe_test_tmp_path(t, "tbl");
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    json_t *j = ice_test_json("{\"spec-id\":0,\"fields\":[{\"name\":\"p\",\"transform\":"
                              "\"identity\",\"source-id\":2,\"field-id\":1000}]}");
    const floe_partition_spec *spec;
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &spec, &err), &err);
    json_decref(j);
    floe_kv kv[8];
    size_t n = 0;
    for (; props != NULL && props[n] != NULL; n++) {
        const char *eq = strchr(props[n], '=');
        kv[n] = (floe_kv){floe_arena_strndup(a, props[n], (size_t)(eq - props[n])), eq + 1};
    }
    floe_ice_create_opts o = {.location = tb->loc,
                              .schema = s,
                              .spec = spec,
                              .properties = kv,
                              .n_properties = n,
                              .now_ms = 1000};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_ice_table_create(a, &o, &m, &err), &err);
    FLOE_ASSERT_OK(floe_fs_table_create(tb->io, tb->loc, m, &tb->cat, &err), &err);
}

static void tbl_free(tbl *tb)
{
    floe_fs_table_free(&tb->cat);
    floe_fileio_free(tb->io);
}

static floe_table_meta *load(floe_test_ctx *t, tbl *tb)
{
    floe_table_meta *m = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(tb->cat.ops->load(tb->cat.ctx, t->arena, &m, &err), &err);
    return m;
}

static floe_data_file file(floe_arena *a, const char *name, floe_file_content c, int p,
                           int64_t records)
{
    floe_value *v = floe_arena_calloc(a, 1, sizeof(*v));
    *v = floe_value_int(p);
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    part.u.nested.items = v;
    part.u.nested.n = 1;
    static const int32_t eq[] = {1};
    floe_data_file f = {.content = c,
                        .file_path = floe_arena_sprintf(a, "/data/%s.parquet", name),
                        .file_format = FLOE_FORMAT_PARQUET,
                        .spec_id = 0,
                        .partition = part,
                        .record_count = records,
                        .file_size_in_bytes = records * 10,
                        .equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? eq : NULL,
                        .n_equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? 1 : 0};
    return f;
}

static floe_table_meta *run(floe_test_ctx *t, tbl *tb, floe_ice_op *op)
{
    floe_table_meta *m = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_op_commit(op, t->arena, &tb->cat, &m, &err), &err);
    floe_ice_op_free(op);
    return m;
}

static floe_table_meta *append(floe_test_ctx *t, tbl *tb, floe_ice_op_kind kind,
                               const floe_data_file *files, size_t n)
{
    floe_err err = {0};
    floe_ice_op *op = floe_ice_op_new(kind);
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_op_add_file(op, &files[i], &err), &err);
    }
    return run(t, tb, op);
}

static const char *summary(const floe_table_meta *m, const char *key)
{
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t i = 0; i < s->n_summary; i++) {
        if (strcmp(s->summary[i].key, key) == 0) {
            return s->summary[i].value;
        }
    }
    return NULL;
}

static void expect_summary(const floe_table_meta *m, const char *key, const char *want)
{
    const char *got = summary(m, key);
    if (want == NULL ? got != NULL : (got == NULL || strcmp(got, want) != 0)) {
        print_error("summary %s: got %s, want %s\n", key, got != NULL ? got : "(absent)",
                    want != NULL ? want : "(absent)");
        fail();
    }
}

/* The scan of the current snapshot as "name@seq[deletes...]" in manifest order. */
static const char *scan_text(floe_test_ctx *t, tbl *tb, const floe_table_meta *m)
{
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, tb->io, m, NULL, &tasks, &n, NULL, &err), &err);
    floe_buf b;
    floe_buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        const char *name = ice_test_basename(tasks[i].file->file_path);
        FLOE_ASSERT_OK(floe_buf_printf(&b, &err, "%s%.*s@%lld", i > 0 ? " " : "",
                                       (int)(strlen(name) - 8), name,
                                       (long long)tasks[i].data_sequence_number),
                       &err);
        for (size_t k = 0; k < tasks[i].n_deletes; k++) {
            const char *d = ice_test_basename(tasks[i].deletes[k]->file_path);
            FLOE_ASSERT_OK(
                floe_buf_printf(&b, &err, "%s%.*s", k == 0 ? "[" : ",", (int)(strlen(d) - 8), d),
                &err);
        }
        if (tasks[i].n_deletes > 0) {
            FLOE_ASSERT_OK(floe_buf_append(&b, "]", 1, &err), &err);
        }
    }
    const char *s = floe_arena_strdup(t->arena, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static void expect_scan(floe_test_ctx *t, tbl *tb, const floe_table_meta *m, const char *want)
{
    const char *got = scan_text(t, tb, m);
    if (strcmp(got, want) != 0) {
        print_error("scan: got  %s\n      want %s\n", got, want);
        fail();
    }
}

static size_t manifest_count(floe_test_ctx *t, tbl *tb, const floe_table_meta *m)
{
    const floe_manifest_file *ms;
    size_t n;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, tb->io, m, floe_table_meta_current_snapshot(m),
                                           &ms, &n, &err),
                   &err);
    return n;
}

/* ==== Tests ==== */

static void test_append_and_summary(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_data_file f[3] = {file(a, "a", FLOE_CONTENT_DATA, 1, 10),
                           file(a, "b", FLOE_CONTENT_DATA, 2, 5),
                           file(a, "c", FLOE_CONTENT_DATA, 2, 7)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 2);
    assert_int_equal(m->last_sequence_number, 1);
    assert_string_equal(ice_test_basename(m->metadata_location), "v2.metadata.json");
    expect_summary(m, "operation", "append");
    expect_summary(m, "added-data-files", "2");
    expect_summary(m, "added-records", "15");
    expect_summary(m, "added-files-size", "150");
    expect_summary(m, "changed-partition-count", "2");
    expect_summary(m, "total-records", "15");
    expect_summary(m, "total-data-files", "2");
    expect_summary(m, "total-delete-files", "0");
    expect_summary(m, "total-files-size", "150");
    expect_summary(m, "deleted-data-files", NULL);
    expect_scan(t, &tb, m, "a@1 b@1");

    m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f + 2, 1);
    assert_int_equal(m->last_sequence_number, 2);
    assert_int_equal(m->n_snapshots, 2);
    assert_true(floe_table_meta_current_snapshot(m)->has_parent);
    expect_summary(m, "total-records", "22");
    expect_summary(m, "changed-partition-count", "1");
    assert_int_equal(manifest_count(t, &tb, m), 2); /* fast append adds a manifest */
    expect_scan(t, &tb, m, "c@2 a@1 b@1");
    /* The version hint follows, and a fresh open loads the same table. */
    floe_ice_catalog again;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_fs_table_open(tb.io, tb.loc, &again, &err), &err);
    floe_table_meta *m2 = NULL;
    FLOE_ASSERT_OK(again.ops->load(again.ctx, a, &m2, &err), &err);
    assert_int_equal(m2->current_snapshot_id, m->current_snapshot_id);
    floe_fs_table_free(&again);
    /* Creating over it fails. */
    FLOE_ASSERT_ERR(floe_fs_table_create(tb.io, tb.loc, m, &again, &err), FLOE_ERR_EXISTS, &err,
                    "a table exists");
    tbl_free(&tb);
}

static void test_merge_append(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    tbl tb;
    static const char *const props[] = {"commit.manifest.min-count-to-merge=3", NULL};
    tbl_create(t, &tb, props);
    floe_data_file f[4] = {
        file(a, "a", FLOE_CONTENT_DATA, 1, 1), file(a, "b", FLOE_CONTENT_DATA, 1, 1),
        file(a, "c", FLOE_CONTENT_DATA, 2, 1), file(a, "d", FLOE_CONTENT_DATA, 2, 1)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_MERGE_APPEND, f, 1);
    m = append(t, &tb, FLOE_ICE_OP_MERGE_APPEND, f + 1, 1);
    assert_int_equal(manifest_count(t, &tb, m), 2); /* 2 < min count: nothing merged */
    m = append(t, &tb, FLOE_ICE_OP_MERGE_APPEND, f + 2, 1);
    assert_int_equal(manifest_count(t, &tb, m), 1); /* 3 manifests: merged into one */
    /* Entries keep their sequence numbers; the new one is ADDED by this snapshot. */
    expect_scan(t, &tb, m, "c@3 b@2 a@1");
    const floe_manifest_file *ms;
    size_t n;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_snapshot_manifests(a, tb.io, m, floe_table_meta_current_snapshot(m), &ms, &n, &err),
        &err);
    assert_int_equal(ms[0].added_files_count, 1);
    assert_int_equal(ms[0].existing_files_count, 2);
    assert_int_equal(ms[0].min_sequence_number, 1);
    assert_int_equal(ms[0].sequence_number, 3);
    /* The new manifest that was merged away was deleted: only the merged one and the list of
     * this snapshot are new files in metadata/. */
    m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f + 3, 1);
    assert_int_equal(manifest_count(t, &tb, m), 2);
    expect_summary(m, "total-records", "4");
    tbl_free(&tb);
}

static void test_row_delta_rewrite_overwrite_delete(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_data_file f[2] = {file(a, "a", FLOE_CONTENT_DATA, 1, 10),
                           file(a, "b", FLOE_CONTENT_DATA, 2, 10)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 2);
    int64_t s1 = m->current_snapshot_id;

    /* Row delta: a position delete for a, an equality delete in partition 2. */
    floe_data_file pd = file(a, "a-pos", FLOE_CONTENT_POSITION_DELETES, 1, 3);
    pd.referenced_data_file = "/data/a.parquet";
    floe_data_file ed = file(a, "b-eq", FLOE_CONTENT_EQUALITY_DELETES, 2, 2);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &pd, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &ed, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, NULL, &err), &err);
    m = run(t, &tb, op);
    int64_t s2 = m->current_snapshot_id;
    expect_summary(m, "operation", "delete");
    expect_summary(m, "added-delete-files", "2");
    expect_summary(m, "added-position-delete-files", "1");
    expect_summary(m, "added-equality-delete-files", "1");
    expect_summary(m, "added-position-deletes", "3");
    expect_summary(m, "added-equality-deletes", "2");
    expect_summary(m, "total-delete-files", "2");
    expect_summary(m, "total-records", "20");
    expect_scan(t, &tb, m, "a@1[a-pos] b@1[b-eq]");

    /* Rewrite a (compaction) from s1: the position delete added since applies to a: conflict. */
    floe_data_file ac = file(a, "a-compact", FLOE_CONTENT_DATA, 1, 7);
    op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/a.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &ac, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, NULL, &err), &err);
    floe_ice_op_set_data_sequence_number(op, 1);
    floe_table_meta *none = NULL;
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "a-pos.parquet added by snapshot");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* Rewriting b from s1 with the data sequence number kept: the newer equality delete still
     * applies to the compacted file, so it is no conflict. */
    floe_data_file bc = file(a, "b-compact", FLOE_CONTENT_DATA, 2, 10);
    op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/b.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &bc, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, NULL, &err), &err);
    floe_ice_op_set_data_sequence_number(op, 1);
    m = run(t, &tb, op);
    expect_summary(m, "operation", "replace");
    expect_summary(m, "added-data-files", "1");
    expect_summary(m, "deleted-data-files", "1");
    expect_summary(m, "total-data-files", "2");
    expect_scan(t, &tb, m, "b-compact@1[b-eq] a@1[a-pos]");
    /* Without the kept sequence number, the same rewrite conflicts with the equality delete. */
    op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/b-compact.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &bc, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, NULL, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "validation");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* A rewrite of a file that is not live (removed concurrently) conflicts. */
    op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/b.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &bc, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "is not a live file");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* Validation from a snapshot that is not an ancestor. */
    op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &pd, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, 12345, NULL, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "not an ancestor");
    floe_ice_op_free(op);
    err = (floe_err){0};
    (void)s2;

    /* Overwrite by filter: partition p = 2 goes whole (data and its equality delete). */
    floe_data_file b2 = file(a, "b2", FLOE_CONTENT_DATA, 2, 4);
    op = floe_ice_op_new(FLOE_ICE_OP_OVERWRITE);
    FLOE_ASSERT_OK(
        floe_ice_op_remove_where(op, ice_test_bind(a, ice_test_schema(a, SCHEMA), "p = 2"), &err),
        &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &b2, &err), &err);
    m = run(t, &tb, op);
    expect_summary(m, "operation", "overwrite");
    expect_summary(m, "deleted-data-files", "1");
    expect_summary(m, "removed-equality-delete-files", "1");
    expect_summary(m, "total-records", "14");
    expect_summary(m, "total-delete-files", "1");
    expect_scan(t, &tb, m, "b2@4 a@1[a-pos]");
    /* A filter that only some rows of a file match cannot remove whole files. */
    op = floe_ice_op_new(FLOE_ICE_OP_DELETE_FILES);
    const floe_ice_expr *part = NULL;
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, "id > 5", 6, &part, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_remove_where(op, part, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_INVALID, &err,
                    "some, but not all");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* Delete files by path. */
    op = floe_ice_op_new(FLOE_ICE_OP_DELETE_FILES);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/a.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/a-pos.parquet", &err), &err);
    m = run(t, &tb, op);
    expect_summary(m, "operation", "delete");
    expect_summary(m, "total-records", "4");
    expect_summary(m, "total-data-files", "1");
    expect_summary(m, "total-delete-files", "0");
    expect_summary(m, "total-position-deletes", "0");
    expect_scan(t, &tb, m, "b2@4");
    tbl_free(&tb);
}

static void test_bad_input(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_data_file d = file(a, "x", FLOE_CONTENT_POSITION_DELETES, 1, 1);
    FLOE_ASSERT_ERR(floe_ice_op_add_file(op, &d, &err), FLOE_ERR_INVALID, &err, "row delta");
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_ice_op_remove_file(op, "/data/x", &err), FLOE_ERR_INVALID, &err,
                    "append cannot remove");
    err = (floe_err){0};
    floe_data_file bad = file(a, "y", FLOE_CONTENT_DATA, 1, 1);
    bad.spec_id = 7;
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &bad, &err), &err);
    floe_table_meta *none = NULL;
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_INVALID, &err,
                    "partition spec 7 does not exist");
    floe_ice_op_free(op);
    err = (floe_err){0};
    op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_data_file arity = file(a, "z", FLOE_CONTENT_DATA, 1, 1);
    arity.partition.u.nested.n = 0;
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &arity, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_INVALID, &err,
                    "does not match spec 0");
    floe_ice_op_free(op);
    err = (floe_err){0};
    op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_ERR(floe_ice_op_add_file(op, &(floe_data_file){0}, &err), FLOE_ERR_INVALID, &err,
                    "no path");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* No table at all. */
    floe_ice_catalog c;
    FLOE_ASSERT_OK(floe_fs_table_open(tb.io, floe_test_tmp_path(t, "nothing"), &c, &err), &err);
    floe_table_meta *m = NULL;
    FLOE_ASSERT_ERR(c.ops->load(c.ctx, a, &m, &err), FLOE_ERR_NOT_FOUND, &err, "no table at");
    floe_fs_table_free(&c);
    err = (floe_err){0};
    /* A corrupt version hint. */
    floe_test_write_file(floe_arena_sprintf(a, "%s/metadata/version-hint.text", tb.loc), "x", 1);
    FLOE_ASSERT_ERR(tb.cat.ops->load(tb.cat.ctx, a, &m, &err), FLOE_ERR_CORRUPT, &err,
                    "not a version number");
    tbl_free(&tb);
}

static void test_branches_and_v1(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_data_file f[2] = {file(a, "a", FLOE_CONTENT_DATA, 1, 1),
                           file(a, "b", FLOE_CONTENT_DATA, 2, 2)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 1);
    int64_t s1 = m->current_snapshot_id;
    /* A commit to a new branch creates it from nothing; main stays. */
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_ice_op_set_branch(op, "dev");
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f[1], &err), &err);
    m = run(t, &tb, op);
    assert_int_equal(m->current_snapshot_id, s1);
    const floe_snapshot *dev = floe_table_meta_ref_snapshot(m, "dev");
    assert_non_null(dev);
    assert_false(dev->has_parent);
    floe_scan_opts o = {.ref = "dev"};
    floe_scan_task *tasks;
    size_t n;
    FLOE_ASSERT_OK(floe_scan_collect(a, tb.io, m, &o, &tasks, &n, NULL, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(tasks[0].file->file_path, "/data/b.parquet");
    /* Tags cannot be committed to. */
    floe_ice_update tag = {.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
                           .ref = {.name = "v1", .snapshot_id = s1, .type = FLOE_REF_TAG}};
    FLOE_ASSERT_OK(tb.cat.ops->commit(tb.cat.ctx, a, NULL, 0, &tag, 1, NULL, &err), &err);
    op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_ice_op_set_branch(op, "v1");
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f[1], &err), &err);
    floe_table_meta *none = NULL;
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_INVALID, &err,
                    "is a tag");
    floe_ice_op_free(op);
    err = (floe_err){0};
    tbl_free(&tb);

    /* A v1 table: sequence numbers stay 0, delete files are refused. */
    floe_test_rm_rf(floe_test_tmp_path(t, "tbl"));
    static const char *const v1[] = {"format-version=1", NULL};
    tbl_create(t, &tb, v1);
    m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 1);
    m = append(t, &tb, FLOE_ICE_OP_MERGE_APPEND, f + 1, 1);
    assert_int_equal(m->format_version, 1);
    assert_int_equal(m->last_sequence_number, 0);
    expect_scan(t, &tb, m, "b@0 a@0");
    expect_summary(m, "total-records", "3");
    op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    floe_data_file pd = file(a, "a-pos", FLOE_CONTENT_POSITION_DELETES, 1, 1);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &pd, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_INVALID, &err,
                    "need format version 2");
    floe_ice_op_free(op);
    tbl_free(&tb);
}

static void test_overwrite_validates_its_filter(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_data_file f[3] = {file(a, "a", FLOE_CONTENT_DATA, 1, 1),
                           file(a, "b", FLOE_CONTENT_DATA, 2, 2),
                           file(a, "c", FLOE_CONTENT_DATA, 1, 3)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 2);
    int64_t start = m->current_snapshot_id;
    m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f + 2, 1); /* concurrent: p = 1 */
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    /* Overwriting p = 2 from the start: c (p = 1) does not match its filter. */
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_OVERWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_where(op, ice_test_bind(a, s, "p = 2"), &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, start, NULL, &err), &err);
    m = run(t, &tb, op);
    expect_summary(m, "deleted-data-files", "1");
    expect_scan(t, &tb, m, "c@2 a@1");
    /* Overwriting p = 1 from the start conflicts with c. */
    op = floe_ice_op_new(FLOE_ICE_OP_OVERWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_where(op, ice_test_bind(a, s, "p = 1"), &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, start, NULL, &err), &err);
    floe_table_meta *none = NULL;
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "conflicting data file /data/c.parquet");
    floe_ice_op_free(op);
    tbl_free(&tb);
}

/* ==== Concurrency ==== */

/* A catalog that lets another writer commit just before its first swap. */
typedef struct racing {
    tbl *tb;
    floe_test_ctx *t;
    int commits;
    floe_ice_op *intruder;
} racing;

static floe_status racing_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    racing *r = ctx;
    return r->tb->cat.ops->load(r->tb->cat.ctx, a, out, err);
}

static floe_status racing_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                                 size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                                 floe_table_meta **out, floe_err *err)
{
    racing *r = ctx;
    if (r->commits++ == 0 && r->intruder != NULL) {
        floe_err ierr = {0};
        FLOE_ASSERT_OK(floe_ice_op_commit(r->intruder, a, &r->tb->cat, NULL, &ierr), &ierr);
    }
    return r->tb->cat.ops->commit(r->tb->cat.ctx, a, reqs, n_reqs, ups, n_ups, out, err);
}

static const floe_ice_catalog_ops RACING = {.load = racing_load, .commit = racing_commit};

static floe_status count_one(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    size_t len = strlen(info->location);
    if (len > 5 && strcmp(info->location + len - 5, ".avro") == 0) {
        ++*(size_t *)ud;
    }
    return FLOE_OK;
}

/* Avro files (manifests and lists) under the table's metadata directory. */
static size_t count_avro(floe_test_ctx *t, tbl *tb)
{
    size_t n = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_io_list(tb->io, floe_arena_sprintf(t->arena, "%s/metadata", tb->loc),
                                count_one, &n, &err),
                   &err);
    return n;
}

static void test_retry_and_validation_on_retry(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    static const char *const props[] = {"commit.retry.min-wait-ms=1", NULL};
    tbl_create(t, &tb, props);
    floe_data_file f[3] = {file(a, "a", FLOE_CONTENT_DATA, 1, 1),
                           file(a, "b", FLOE_CONTENT_DATA, 1, 2),
                           file(a, "c", FLOE_CONTENT_DATA, 2, 3)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 1);
    int64_t s1 = m->current_snapshot_id;
    size_t files_before = count_avro(t, &tb);
    assert_int_equal(files_before, 2); /* one manifest, one list */

    /* Another writer appends b first: the swap fails, the append is re-applied and wins. */
    racing r = {.tb = &tb, .t = t, .intruder = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND)};
    FLOE_ASSERT_OK(floe_ice_op_add_file(r.intruder, &f[1], &err), &err);
    floe_ice_catalog cat = {.ops = &RACING, .ctx = &r, .io = tb.io};
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f[2], &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_commit(op, a, &cat, &m, &err), &err);
    floe_ice_op_free(op);
    floe_ice_op_free(r.intruder);
    assert_int_equal(r.commits, 2);
    assert_int_equal(m->n_snapshots, 3);
    expect_summary(m, "total-records", "6");
    expect_scan(t, &tb, m, "c@3 b@2 a@1");
    /* The failed attempt's manifest and list were deleted: 2 + 2 (b) + 2 (c) files remain. */
    assert_int_equal(count_avro(t, &tb), 6);

    /* A row delta validated from s1 with a conflict filter p = 1: b (p = 1) was added since. */
    r = (racing){.tb = &tb, .t = t};
    op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    floe_data_file pd = file(a, "a-pos", FLOE_CONTENT_POSITION_DELETES, 1, 1);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &pd, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(
                       op, s1, ice_test_bind(a, ice_test_schema(a, SCHEMA), "p = 1"), &err),
                   &err);
    floe_table_meta *none = NULL;
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "conflicting data file /data/b.parquet");
    floe_ice_op_free(op);
    err = (floe_err){0};
    /* The same with p = 2 only conflicts with c. */
    op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &pd, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(
                       op, s1, ice_test_bind(a, ice_test_schema(a, SCHEMA), "p = 3"), &err),
                   &err);
    FLOE_ASSERT_OK(floe_ice_op_commit(op, a, &cat, &m, &err), &err);
    floe_ice_op_free(op);
    /* Retries run out. */
    floe_ice_update set = {.kind = FLOE_ICE_UP_SET_PROPERTIES,
                           .updates = &(floe_kv){"commit.retry.num-retries", "0"},
                           .n_updates = 1};
    FLOE_ASSERT_OK(tb.cat.ops->commit(tb.cat.ctx, a, NULL, 0, &set, 1, NULL, &err), &err);
    r = (racing){.tb = &tb, .t = t, .intruder = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND)};
    FLOE_ASSERT_OK(floe_ice_op_add_file(r.intruder, &f[1], &err), &err);
    op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f[2], &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                    "commit (attempt 1)");
    floe_ice_op_free(op);
    floe_ice_op_free(r.intruder);
    tbl_free(&tb);
}

/* A row delta whose position deletes name a data file that a compaction removed after the
 * delta's starting snapshot conflicts (its rows live on in the compacted file); deletes naming
 * untouched files commit. */
static void test_row_delta_after_compaction(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    tbl_create(t, &tb, NULL);
    floe_data_file f[2] = {file(a, "a", FLOE_CONTENT_DATA, 1, 5),
                           file(a, "b", FLOE_CONTENT_DATA, 2, 5)};
    floe_table_meta *m = append(t, &tb, FLOE_ICE_OP_FAST_APPEND, f, 2);
    int64_t s1 = m->current_snapshot_id;
    floe_data_file ac = file(a, "a-compact", FLOE_CONTENT_DATA, 1, 5);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    FLOE_ASSERT_OK(floe_ice_op_remove_file(op, "/data/a.parquet", &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &ac, &err), &err);
    floe_ice_op_set_data_sequence_number(op, 1);
    m = run(t, &tb, op);
    const floe_ice_expr *nothing = ice_test_bind(a, ice_test_schema(a, SCHEMA), "p = 3");

    /* Naming a (gone) precisely, or only by partition: conflict. */
    floe_data_file named = file(a, "a-pos", FLOE_CONTENT_POSITION_DELETES, 1, 1);
    named.referenced_data_file = "/data/a.parquet";
    floe_data_file by_partition = file(a, "p1-pos", FLOE_CONTENT_POSITION_DELETES, 1, 1);
    const floe_data_file *bad[] = {&named, &by_partition};
    for (size_t i = 0; i < 2; i++) {
        op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
        FLOE_ASSERT_OK(floe_ice_op_add_file(op, bad[i], &err), &err);
        FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, nothing, &err), &err);
        floe_table_meta *none = NULL;
        FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &tb.cat, &none, &err), FLOE_ERR_CONFLICT, &err,
                        "data file /data/a.parquet, named by position delete file");
        floe_ice_op_free(op);
        err = (floe_err){0};
    }
    /* Naming b (still live), from the same start: commits. */
    floe_data_file ok = file(a, "b-pos", FLOE_CONTENT_POSITION_DELETES, 2, 1);
    ok.referenced_data_file = "/data/b.parquet";
    op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &ok, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_validate_from(op, s1, nothing, &err), &err);
    m = run(t, &tb, op);
    expect_summary(m, "added-position-delete-files", "1");
    tbl_free(&tb);
}

/* A catalog where another writer always commits just before the swap, unless commits are
 * serialized (ops->serialize on). */
typedef struct starving {
    tbl *tb;
    floe_test_ctx *t;
    int swaps, intrusions, serialize_on, serialize_off;
    bool serialized;
} starving;

static floe_status starving_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    starving *s = ctx;
    return s->tb->cat.ops->load(s->tb->cat.ctx, a, out, err);
}

static floe_status starving_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                                   size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                                   floe_table_meta **out, floe_err *err)
{
    starving *s = ctx;
    s->swaps++;
    if (!s->serialized) {
        floe_err ierr = {0};
        const char *name = floe_arena_sprintf(a, "intruder%d", ++s->intrusions);
        floe_data_file f = file(a, name, FLOE_CONTENT_DATA, 1, 1);
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
        FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f, &ierr), &ierr);
        FLOE_ASSERT_OK(floe_ice_op_commit(op, a, &s->tb->cat, NULL, &ierr), &ierr);
        floe_ice_op_free(op);
    }
    return s->tb->cat.ops->commit(s->tb->cat.ctx, a, reqs, n_reqs, ups, n_ups, out, err);
}

static void starving_serialize(void *ctx, bool on)
{
    starving *s = ctx;
    assert_true(s->serialized != on); /* in pairs */
    s->serialized = on;
    ++*(on ? &s->serialize_on : &s->serialize_off);
}

static const floe_ice_catalog_ops STARVING = {.load = starving_load, .commit = starving_commit};
static const floe_ice_catalog_ops STARVING_SERIALIZED = {
    .load = starving_load, .commit = starving_commit, .serialize = starving_serialize};

/* A writer that loses every race runs out of retries, unless the catalog can hold other
 * commits back: then it takes that after its first loss and its second attempt lands. */
static void test_serialized_retry(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    tbl tb;
    static const char *const props[] = {"commit.retry.num-retries=3", "commit.retry.min-wait-ms=1",
                                        NULL};
    tbl_create(t, &tb, props);
    floe_data_file mine = file(a, "mine", FLOE_CONTENT_DATA, 2, 5);

    starving s = {.tb = &tb, .t = t};
    floe_ice_catalog cat = {.ops = &STARVING, .ctx = &s, .io = tb.io};
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &mine, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_op_commit(op, a, &cat, NULL, &err), FLOE_ERR_CONFLICT, &err,
                    "commit (attempt 4)");
    floe_ice_op_free(op);
    assert_int_equal(s.swaps, 4);
    assert_int_equal(s.intrusions, 4);

    err = (floe_err){0};
    s = (starving){.tb = &tb, .t = t, .intrusions = 4};
    cat.ops = &STARVING_SERIALIZED;
    floe_table_meta *m = NULL;
    op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &mine, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_commit(op, a, &cat, &m, &err), &err);
    floe_ice_op_free(op);
    assert_int_equal(s.swaps, 2);
    assert_int_equal(s.intrusions, 5);
    assert_int_equal(s.serialize_on, 1);
    assert_int_equal(s.serialize_off, 1);
    assert_false(s.serialized);
    expect_scan(t, &tb, m, "mine@6 intruder5@5 intruder4@4 intruder3@3 intruder2@2 intruder1@1");
    tbl_free(&tb);
}

/* Several processes append to one table at once; every append that succeeded is in the
 * history and the totals add up. */
static void test_concurrent_processes(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    static const char *const props[] = {"commit.retry.num-retries=50", "commit.retry.min-wait-ms=1",
                                        "commit.retry.max-wait-ms=20", NULL};
    tbl_create(t, &tb, props);
    enum { PROCS = 4, EACH = 5 };
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
            int ok = 0;
            for (int i = 0; i < EACH; i++) {
                floe_err err = {0};
                floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_MERGE_APPEND);
                floe_data_file f =
                    file(a, floe_arena_sprintf(a, "p%d-%d", p, i), FLOE_CONTENT_DATA, p, 1);
                if (floe_ice_op_add_file(op, &f, &err) == FLOE_OK &&
                    floe_ice_op_commit(op, a, &tb.cat, NULL, &err) == FLOE_OK) {
                    ok++;
                }
                floe_ice_op_free(op);
            }
            floe_arena_free(a);
            _exit(ok == EACH ? 0 : 1);
        }
    }
    int failed = 0;
    for (int p = 0; p < PROCS; p++) {
        int status = 0;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_int_equal(failed, 0);
    floe_table_meta *m = load(t, &tb);
    assert_int_equal(m->n_snapshots, PROCS * EACH);
    assert_int_equal(m->last_sequence_number, PROCS * EACH);
    expect_summary(m, "total-records", "20");
    expect_summary(m, "total-data-files", "20");
    floe_scan_task *tasks;
    size_t n;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, tb.io, m, NULL, &tasks, &n, NULL, &err), &err);
    assert_int_equal(n, PROCS * EACH);
    tbl_free(&tb);
}

FLOE_TEST_GROUP(commit)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_and_summary, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_merge_append, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_row_delta_rewrite_overwrite_delete, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_branches_and_v1, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_overwrite_validates_its_filter, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_retry_and_validation_on_retry, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_serialized_retry, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_row_delta_after_compaction, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_processes, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("commit", tests, NULL, NULL);
}
