/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifests and manifest lists: every fixture manifest and list reads by field id with the facts
 * of the fixtures README (files, rows, sequence numbers, delete files, partitions, summaries),
 * inheritance, the v1 embedded manifests list, write -> read round trips for v1, v2 and v3 with
 * every field, and malformed input.
 */
#include "ice_helpers.h"

#include "floe/avro.h"

#include <dirent.h>
#include <stdio.h>

/* ==== Helpers ==== */

typedef struct entry_fact {
    const char *file; /* basename */
    floe_entry_status status;
    floe_file_content content;
    int64_t snapshot_id;
    int64_t seq;
    int64_t file_seq;
    int64_t records;
} entry_fact;

/* Read every entry of a manifest list entry's manifest (with inheritance) into `out`. */
static size_t read_entries(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *meta,
                           const floe_manifest_file *mf, floe_manifest_entry *out, size_t max)
{
    floe_err err = {0};
    floe_manifest_reader *r = NULL;
    floe_manifest_read_opts o = {.meta = meta, .manifest = mf};
    FLOE_ASSERT_OK(floe_manifest_reader_open(io, mf->manifest_path, &o, &r, &err), &err);
    size_t n = 0;
    for (;;) {
        bool got;
        floe_manifest_entry e;
        FLOE_ASSERT_OK(floe_manifest_reader_next(r, t->arena, &e, &got, &err), &err);
        if (!got) {
            break;
        }
        assert_true(n < max);
        FLOE_ASSERT_OK(floe_data_file_dup(t->arena, &e.file, &e.file, &err), &err);
        out[n++] = e;
    }
    assert_int_equal(floe_manifest_reader_count(r), n);
    floe_manifest_reader_close(r);
    return n;
}

/* All entries of a snapshot, manifests in list order. */
static size_t snapshot_entries(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *meta,
                               int64_t snapshot_id, floe_manifest_entry *out, size_t max)
{
    floe_err err = {0};
    const floe_snapshot *s = floe_table_meta_snapshot(meta, snapshot_id);
    assert_non_null(s);
    const floe_manifest_file *ms;
    size_t nm;
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, io, meta, s, &ms, &nm, &err), &err);
    size_t n = 0;
    for (size_t i = 0; i < nm; i++) {
        n += read_entries(t, io, meta, &ms[i], out + n, max - n);
    }
    return n;
}

static void expect_entries(const floe_manifest_entry *got, size_t n, const entry_fact *want,
                           size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        const floe_manifest_entry *e = &got[i];
        const entry_fact *w = &want[i];
        if (strcmp(ice_test_basename(e->file.file_path), w->file) != 0) {
            print_error("entry %zu: got %s, want %s\n", i, e->file.file_path, w->file);
            fail();
        }
        assert_int_equal(e->status, w->status);
        assert_int_equal(e->file.content, w->content);
        assert_true(e->has_snapshot_id && e->has_sequence_number && e->has_file_sequence_number);
        assert_int_equal(e->snapshot_id, w->snapshot_id);
        assert_int_equal(e->sequence_number, w->seq);
        assert_int_equal(e->file_sequence_number, w->file_seq);
        assert_int_equal(e->file.record_count, w->records);
    }
}

/* ==== Fixtures ==== */

static void test_every_fixture_file_reads(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg");
    DIR *d = opendir(root);
    assert_non_null(d);
    struct dirent *de;
    size_t lists = 0, manifests = 0, entries = 0;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        const char *mdir = floe_arena_sprintf(t->arena, "%s/%s/metadata", root, de->d_name);
        DIR *md = opendir(mdir);
        assert_non_null(md);
        struct dirent *fe;
        floe_fileio *io = floe_fileio_local_new(NULL);
        while ((fe = readdir(md)) != NULL) {
            if (!floe_ends_with(fe->d_name, ".avro")) {
                continue;
            }
            const char *path = floe_arena_sprintf(t->arena, "%s/%s", mdir, fe->d_name);
            floe_err err = {0};
            floe_arena_reset(a);
            if (floe_starts_with(fe->d_name, "snap-")) {
                floe_manifest_list l;
                FLOE_ASSERT_OK(floe_manifest_list_read(a, io, path, &l, &err), &err);
                assert_true(l.n_manifests > 0);
                assert_true(l.has_snapshot_id);
                for (size_t i = 0; i < l.n_manifests; i++) {
                    assert_true(l.manifests[i].has_counts);
                    assert_true(l.manifests[i].manifest_length > 0);
                }
                lists++;
            } else {
                floe_manifest_reader *r = NULL;
                FLOE_ASSERT_OK(floe_manifest_reader_open(io, path, NULL, &r, &err), &err);
                for (;;) {
                    floe_manifest_entry e;
                    bool got;
                    FLOE_ASSERT_OK(floe_manifest_reader_next(r, a, &e, &got, &err), &err);
                    if (!got) {
                        break;
                    }
                    assert_true(e.file.record_count > 0);
                    assert_true(e.has_snapshot_id);
                    entries++;
                }
                floe_manifest_reader_close(r);
                manifests++;
            }
        }
        closedir(md);
        floe_fileio_free(io);
    }
    closedir(d);
    floe_arena_free(a);
    /* 17 lists and 19 manifests with 27 entries in the fixtures */
    assert_int_equal(lists, 17);
    assert_int_equal(manifests, 19);
    assert_int_equal(entries, 27);
}

static void test_java_pos_and_eq_deletes(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "java_api_pos_and_eq_deletes", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v5.metadata.json");
    floe_err err = {0};
    floe_manifest_list l;
    FLOE_ASSERT_OK(floe_manifest_list_read(
                       t->arena, io, floe_table_meta_current_snapshot(m)->manifest_list, &l, &err),
                   &err);
    assert_int_equal(l.format_version, 2);
    assert_int_equal(l.snapshot_id, 9158179788527662767LL);
    assert_true(l.has_parent_snapshot_id);
    assert_int_equal(l.parent_snapshot_id, 6458828015811002920LL);
    assert_int_equal(l.sequence_number, 3);
    assert_int_equal(l.n_manifests, 4);
    static const int contents[] = {0, 0, 1, 1}, seqs[] = {3, 1, 3, 2};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(l.manifests[i].content, contents[i]);
        assert_int_equal(l.manifests[i].sequence_number, seqs[i]);
        assert_int_equal(l.manifests[i].min_sequence_number, seqs[i]);
        assert_int_equal(l.manifests[i].added_files_count, 1);
        assert_int_equal(l.manifests[i].n_partitions, 0);
        assert_non_null(l.manifests[i].partitions); /* present but empty: unpartitioned */
    }
    floe_manifest_entry es[8];
    size_t n = snapshot_entries(t, io, m, m->current_snapshot_id, es, 8);
    const entry_fact want[] = {
        {"bunnies-updated-new-zealand.parquet", FLOE_ENTRY_ADDED, FLOE_CONTENT_DATA,
         9158179788527662767LL, 3, 3, 1},
        {"bunnies-initial.parquet", FLOE_ENTRY_ADDED, FLOE_CONTENT_DATA, 4951213507629824583LL, 1,
         1, 21},
        {"bunnies-eq-delete-new-zealand.parquet", FLOE_ENTRY_ADDED, FLOE_CONTENT_EQUALITY_DELETES,
         9158179788527662767LL, 3, 3, 1},
        {"bunnies-pos-deletes.parquet", FLOE_ENTRY_ADDED, FLOE_CONTENT_POSITION_DELETES,
         6458828015811002920LL, 2, 2, 6},
    };
    expect_entries(es, n, want, FLOE_ARRAY_LEN(want));
    /* the equality delete is keyed on Breed Name (id 1) */
    assert_int_equal(es[2].file.n_equality_ids, 1);
    assert_int_equal(es[2].file.equality_ids[0], 1);
    /* the position delete file's path bounds are truncated to 16 bytes, so they differ */
    floe_str lo, hi;
    assert_true(floe_data_file_lower_bound(&es[3].file, 2147483546, &lo));
    assert_true(floe_data_file_upper_bound(&es[3].file, 2147483546, &hi));
    assert_int_equal(lo.len, 16);
    assert_memory_equal(lo.ptr, "s3a://hyperparam", 16);
    assert_memory_equal(hi.ptr, "s3a://hyperparan", 16);
    assert_null(es[3].file.referenced_data_file);
    assert_int_equal(es[1].file.file_format, FLOE_FORMAT_PARQUET);
    /* the Java API wrote this data file without column metrics */
    assert_null(es[1].file.value_counts);
    assert_null(es[1].file.lower_bounds);
    assert_true(es[1].file.has_sort_order_id);
    floe_fileio_free(io);
}

static void test_spark_posdel_removed_file(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "spark_posdel_schema_evolution", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v5.metadata.json");
    floe_manifest_entry es[8];
    size_t n = snapshot_entries(t, io, m, m->current_snapshot_id, es, 8);
    const int64_t cur = 2701171901096418979LL;
    const entry_fact want[] = {
        {"00000-1-6cd7611f-0ceb-4cf3-8b8e-8c856356df3e-00001.parquet", FLOE_ENTRY_ADDED,
         FLOE_CONTENT_DATA, cur, 3, 3, 20},
        /* the rewritten file is DELETED by the overwrite and keeps its own sequence numbers */
        {"00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet", FLOE_ENTRY_DELETED,
         FLOE_CONTENT_DATA, cur, 1, 1, 21},
        {"00000-3-6fdcdaeb-591f-4ae0-a39a-75c7fba53907-00001-deletes.parquet", FLOE_ENTRY_ADDED,
         FLOE_CONTENT_POSITION_DELETES, 469881615898633426LL, 2, 2, 1},
    };
    expect_entries(es, n, want, FLOE_ARRAY_LEN(want));
    floe_str lo, hi;
    assert_true(floe_data_file_lower_bound(&es[2].file, 2147483546, &lo));
    assert_true(floe_data_file_upper_bound(&es[2].file, 2147483546, &hi));
    assert_true(lo.len == hi.len && memcmp(lo.ptr, hi.ptr, lo.len) == 0);
    assert_true(floe_ends_with(floe_arena_strndup(t->arena, lo.ptr, lo.len),
                               "00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet"));
    /* time travel: the first snapshot has just the original file */
    n = snapshot_entries(t, io, m, 7505300640432048841LL, es, 8);
    assert_int_equal(n, 1);
    assert_int_equal(es[0].file.record_count, 21);
    floe_fileio_free(io);
}

static void test_eq_deletes_identity_partition(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "java_api_eq_deletes_identity_partition", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v6.metadata.json");
    floe_err err = {0};
    const floe_manifest_file *ms;
    size_t nm;
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, io, m, floe_table_meta_current_snapshot(m),
                                           &ms, &nm, &err),
                   &err);
    assert_int_equal(nm, 5);
    /* partition summaries: name in [a, d] for the first append */
    assert_int_equal(ms[1].n_partitions, 1);
    assert_false(ms[1].partitions[0].contains_null);
    assert_true(ms[1].partitions[0].has_contains_nan);
    assert_memory_equal(ms[1].partitions[0].lower_bound.ptr, "a", 1);
    assert_memory_equal(ms[1].partitions[0].upper_bound.ptr, "d", 1);
    floe_manifest_entry es[16];
    size_t n = snapshot_entries(t, io, m, m->current_snapshot_id, es, 16);
    assert_int_equal(n, 9);
    static const char names[] = "efabcdfcb";
    static const int contents[] = {0, 0, 0, 0, 0, 0, 2, 2, 2};
    static const int seqs[] = {4, 4, 1, 1, 1, 1, 5, 3, 2};
    for (size_t i = 0; i < n; i++) {
        const floe_value *p = &es[i].file.partition;
        assert_int_equal(p->kind, FLOE_V_STRUCT);
        assert_int_equal(p->u.nested.n, 1);
        assert_string_equal(p->u.nested.names[0], "name");
        assert_int_equal(p->u.nested.items[0].kind, FLOE_V_STRING);
        assert_int_equal(p->u.nested.items[0].u.bytes.len, 1);
        assert_int_equal(p->u.nested.items[0].u.bytes.ptr[0], names[i]);
        assert_int_equal(es[i].file.content, contents[i]);
        assert_int_equal(es[i].sequence_number, seqs[i]);
        assert_int_equal(es[i].file.spec_id, 0);
    }
    /* the delete in partition c has two key columns: name (2) then id (1) */
    assert_int_equal(es[7].file.n_equality_ids, 2);
    assert_int_equal(es[7].file.equality_ids[0], 2);
    assert_int_equal(es[7].file.equality_ids[1], 1);
    floe_fileio_free(io);
}

static void test_v1_day_partition(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "spark_v1_day_partition", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v2.metadata.json");
    floe_err err = {0};
    floe_manifest_list l;
    FLOE_ASSERT_OK(floe_manifest_list_read(
                       t->arena, io, floe_table_meta_current_snapshot(m)->manifest_list, &l, &err),
                   &err);
    assert_int_equal(l.format_version, 1);
    assert_false(l.has_sequence_number);
    assert_true(l.has_snapshot_id);
    assert_false(l.has_parent_snapshot_id); /* written as the string "null" */
    assert_int_equal(l.n_manifests, 1);
    assert_int_equal(l.manifests[0].content, FLOE_MANIFEST_DATA);
    assert_int_equal(l.manifests[0].sequence_number, 0);
    assert_int_equal(l.manifests[0].added_files_count, 2);
    assert_int_equal(l.manifests[0].added_rows_count, 3);
    floe_manifest_entry es[4];
    size_t n = read_entries(t, io, m, &l.manifests[0], es, 4);
    assert_int_equal(n, 2);
    int32_t day = (int32_t)floe_days_from_civil(2023, 3, 1);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(es[i].sequence_number, 0); /* v1: everything is sequence number 0 */
        assert_int_equal(es[i].file.content, FLOE_CONTENT_DATA);
        const floe_value *p = &es[i].file.partition.u.nested.items[0];
        assert_int_equal(p->kind, FLOE_V_DATE);
        assert_int_equal(p->u.i32, day + (int32_t)i);
        assert_int_equal(es[i].file.n_split_offsets, 1);
        assert_true(es[i].file.has_sort_order_id);
    }
    assert_int_equal(es[0].file.record_count, 2);
    assert_int_equal(es[1].file.record_count, 1);
    floe_fileio_free(io);
}

static void test_v1_embedded_manifests(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "spark_v1_embedded_manifests_edge", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v2.metadata.json");
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    assert_null(s->manifest_list);
    assert_int_equal(s->n_manifests, 1);
    floe_manifest_entry es[4];
    size_t n = snapshot_entries(t, io, m, s->snapshot_id, es, 4);
    assert_int_equal(n, 2);
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        rows += es[i].file.record_count;
        assert_int_equal(es[i].sequence_number, 0);
        assert_int_equal(es[i].file_sequence_number, 0);
        assert_int_equal(es[i].file.partition.u.nested.items[0].kind, FLOE_V_STRING);
    }
    assert_int_equal(rows, 3);
    floe_fileio_free(io);
}

static void test_bucket_identity_null_partition(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "spark_bucket_identity_rename", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v3.metadata.json");
    floe_err err = {0};
    const floe_manifest_file *ms;
    size_t nm;
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, io, m, floe_table_meta_current_snapshot(m),
                                           &ms, &nm, &err),
                   &err);
    assert_int_equal(nm, 1);
    assert_int_equal(ms[0].n_partitions, 2);
    assert_false(ms[0].partitions[0].contains_null);
    assert_true(ms[0].partitions[1].contains_null); /* the date=null partition */
    floe_manifest_entry es[4];
    size_t n = read_entries(t, io, m, &ms[0], es, 4);
    assert_int_equal(n, 3);
    int32_t d1 = (int32_t)floe_days_from_civil(2022, 1, 1);
    struct {
        int32_t bucket;
        int32_t day; /* -1: null */
    } want[] = {{3, -1}, {2, d1 + 1}, {0, d1}};
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        const floe_value *p = es[i].file.partition.u.nested.items;
        assert_int_equal(p[0].kind, FLOE_V_INT);
        assert_int_equal(p[0].u.i32, want[i].bucket);
        if (want[i].day < 0) {
            assert_int_equal(p[1].kind, FLOE_V_NULL);
        } else {
            assert_int_equal(p[1].kind, FLOE_V_DATE);
            assert_int_equal(p[1].u.i32, want[i].day);
        }
        rows += es[i].file.record_count;
    }
    assert_int_equal(rows, 4);
    floe_fileio_free(io);
}

static void test_pyiceberg_and_athena(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "pyiceberg_day_partition_map", &dir);
    floe_table_meta *m = ice_test_fixture_meta(
        t, io, dir, "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json");
    floe_manifest_entry es[4];
    size_t n = snapshot_entries(t, io, m, m->current_snapshot_id, es, 4);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(es[i].file.partition.u.nested.items[0].kind, FLOE_V_DATE);
        assert_int_equal(es[i].file.record_count, 1);
    }
    floe_fileio_free(io);

    io = ice_test_fixture_io(t, "athena_trino_object_storage", &dir);
    m = ice_test_fixture_meta(t, io, dir,
                              "00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json");
    n = snapshot_entries(t, io, m, m->current_snapshot_id, es, 4);
    assert_int_equal(n, 1);
    assert_int_equal(es[0].file.record_count, 2);
    assert_int_equal(es[0].sequence_number, 1);
    assert_true(floe_ends_with(es[0].file.file_path,
                               "20250401_023623_00108_u4nkm-ee75816e-a3dd-4356-97b3-"
                               "1c6d0128a41f.parquet"));
    (void)err;
    floe_fileio_free(io);
}

static void test_projection_skips_stats(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "java_api_pos_and_eq_deletes", &dir);
    floe_err err = {0};
    floe_manifest_reader *r = NULL;
    floe_manifest_read_opts o = {.skip =
                                     FLOE_MANIFEST_SKIP_BOUNDS | FLOE_MANIFEST_SKIP_COLUMN_SIZES};
    FLOE_ASSERT_OK(
        floe_manifest_reader_open(
            io,
            floe_arena_sprintf(t->arena, "%s/metadata/e1756967-c907-47e2-8b37-82123c5e5908-m0.avro",
                               dir),
            &o, &r, &err),
        &err);
    floe_manifest_entry e;
    bool got;
    FLOE_ASSERT_OK(floe_manifest_reader_next(r, t->arena, &e, &got, &err), &err);
    assert_true(got);
    assert_null(e.file.lower_bounds); /* present in the file, skipped */
    assert_null(e.file.column_sizes); /* present in the file, skipped */
    assert_int_equal(e.file.record_count, 6);
    assert_false(e.has_sequence_number); /* no inheritance without the list entry */
    const floe_manifest_info *info = floe_manifest_reader_info(r);
    assert_int_equal(info->format_version, 2);
    assert_int_equal(info->content, FLOE_MANIFEST_DELETES);
    assert_non_null(info->schema);
    assert_int_equal(info->spec->n_fields, 0);
    FLOE_ASSERT_OK(floe_manifest_reader_next(r, t->arena, &e, &got, &err), &err);
    assert_false(got);
    floe_manifest_reader_close(r);
    floe_fileio_free(io);
}

/* ==== Round trips ==== */

static const char *RT_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":3,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":3,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":4,\"name\":\"price\",\"required\":false,\"type\":\"decimal(10, 2)\"},"
    "{\"id\":5,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":6,\"name\":\"f\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":7,\"name\":\"b\",\"required\":false,\"type\":\"boolean\"}]}";

static const char *RT_SPEC =
    "{\"spec-id\":2,\"fields\":["
    "{\"name\":\"id_bucket\",\"transform\":\"bucket[16]\",\"source-id\":1,\"field-id\":1000},"
    "{\"name\":\"ts_day\",\"transform\":\"day\",\"source-id\":2,\"field-id\":1001},"
    "{\"name\":\"s_trunc\",\"transform\":\"truncate[4]\",\"source-id\":3,\"field-id\":1002},"
    "{\"name\":\"price\",\"transform\":\"identity\",\"source-id\":4,\"field-id\":1003},"
    "{\"name\":\"u\",\"transform\":\"identity\",\"source-id\":5,\"field-id\":1004},"
    "{\"name\":\"f\",\"transform\":\"identity\",\"source-id\":6,\"field-id\":1005},"
    "{\"name\":\"ts_hour\",\"transform\":\"hour\",\"source-id\":2,\"field-id\":1006},"
    "{\"name\":\"b\",\"transform\":\"identity\",\"source-id\":7,\"field-id\":1007}]}";

static const floe_partition_spec *rt_spec(floe_arena *a)
{
    json_t *j = ice_test_json(RT_SPEC);
    const floe_partition_spec *s;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &s, &err), &err);
    json_decref(j);
    return s;
}

static const uint8_t UUID_A[16] = {0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd,
                                   0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7};

/* A data file with every field set; `i` varies the values. */
static floe_data_file full_file(floe_arena *a, int i, floe_file_content content)
{
    floe_value *p = floe_arena_calloc(a, 8, sizeof(*p));
    p[0] = floe_value_int(i % 16);
    p[1] = i == 2 ? floe_value_null() : floe_value_date(19000 + i);
    p[2] = floe_value_string(i == 1 ? "zeta" : "abcd", 4);
    p[3] = floe_value_decimal(1234 - 1000 * i, 10, 2);
    p[4] = floe_value_uuid(UUID_A);
    p[5] = i == 1 ? floe_value_double(0.0 / 0.0) : floe_value_double(1.5 * i);
    p[6] = floe_value_int(456000 + i);
    p[7] = floe_value_bool(i % 2 == 0);
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    part.u.nested.items = p;
    part.u.nested.n = 8;
    floe_field_count *cs = floe_arena_calloc(a, 2, sizeof(*cs));
    cs[0] = (floe_field_count){1, 100 + i};
    cs[1] = (floe_field_count){3, 200};
    floe_field_bound *lo = floe_arena_calloc(a, 2, sizeof(*lo));
    lo[0] = (floe_field_bound){1, {"\x01\0\0\0\0\0\0\0", 8}};
    lo[1] = (floe_field_bound){3, {"", 0}}; /* an empty string bound is not absent */
    floe_field_bound *hi = floe_arena_calloc(a, 1, sizeof(*hi));
    hi[0] = (floe_field_bound){1, {"\x09\0\0\0\0\0\0\0", 8}};
    static const int64_t splits[] = {4, 1024};
    static const int32_t eq[] = {1, 3};
    floe_data_file f = {
        .content = content,
        .file_path = floe_arena_sprintf(a, "s3://b/t/data/f-%d.parquet", i),
        .file_format = FLOE_FORMAT_PARQUET,
        .partition = part,
        .record_count = 10 + i,
        .file_size_in_bytes = 4096 + i,
        .column_sizes = cs,
        .n_column_sizes = 2,
        .value_counts = cs,
        .n_value_counts = 2,
        .null_value_counts = cs + 1,
        .n_null_value_counts = 1,
        .nan_value_counts = cs,
        .n_nan_value_counts = 0, /* present and empty */
        .lower_bounds = lo,
        .n_lower_bounds = 2,
        .upper_bounds = hi,
        .n_upper_bounds = 1,
        .key_metadata = {"key", 3},
        .split_offsets = splits,
        .n_split_offsets = 2,
        .equality_ids = content == FLOE_CONTENT_EQUALITY_DELETES ? eq : NULL,
        .n_equality_ids = content == FLOE_CONTENT_EQUALITY_DELETES ? 2 : 0,
        .has_sort_order_id = content != FLOE_CONTENT_POSITION_DELETES,
        .sort_order_id = 1,
        .referenced_data_file =
            content == FLOE_CONTENT_POSITION_DELETES ? "s3://b/t/data/f-0.parquet" : NULL,
    };
    return f;
}

static void expect_counts(const floe_field_count *a, size_t na, const floe_field_count *b,
                          size_t nb)
{
    assert_int_equal(na, nb);
    assert_true((a == NULL) == (b == NULL));
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].field_id, b[i].field_id);
        assert_int_equal(a[i].value, b[i].value);
    }
}

static void expect_bounds(const floe_field_bound *a, size_t na, const floe_field_bound *b,
                          size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].field_id, b[i].field_id);
        assert_int_equal(a[i].bytes.len, b[i].bytes.len);
        assert_non_null(a[i].bytes.ptr);
        assert_memory_equal(a[i].bytes.ptr, b[i].bytes.ptr, a[i].bytes.len);
    }
}

static void expect_same_file(const floe_data_file *got, const floe_data_file *want, int version)
{
    assert_string_equal(got->file_path, want->file_path);
    assert_int_equal(got->content, want->content);
    assert_int_equal(got->file_format, want->file_format);
    assert_int_equal(got->record_count, want->record_count);
    assert_int_equal(got->file_size_in_bytes, want->file_size_in_bytes);
    assert_int_equal(floe_value_cmp(&got->partition, &want->partition), 0);
    for (size_t k = 0; k < want->partition.u.nested.n; k++) {
        assert_int_equal(got->partition.u.nested.items[k].kind,
                         want->partition.u.nested.items[k].kind);
    }
    expect_counts(got->column_sizes, got->n_column_sizes, want->column_sizes, want->n_column_sizes);
    expect_counts(got->value_counts, got->n_value_counts, want->value_counts, want->n_value_counts);
    expect_counts(got->null_value_counts, got->n_null_value_counts, want->null_value_counts,
                  want->n_null_value_counts);
    expect_counts(got->nan_value_counts, got->n_nan_value_counts, want->nan_value_counts,
                  want->n_nan_value_counts);
    expect_bounds(got->lower_bounds, got->n_lower_bounds, want->lower_bounds, want->n_lower_bounds);
    expect_bounds(got->upper_bounds, got->n_upper_bounds, want->upper_bounds, want->n_upper_bounds);
    assert_int_equal(got->key_metadata.len, 3);
    assert_memory_equal(got->key_metadata.ptr, "key", 3);
    assert_int_equal(got->n_split_offsets, 2);
    assert_int_equal(got->split_offsets[1], 1024);
    assert_int_equal(got->has_sort_order_id, want->has_sort_order_id);
    if (version >= 2) {
        assert_int_equal(got->n_equality_ids, want->n_equality_ids);
        if (want->referenced_data_file != NULL) {
            assert_string_equal(got->referenced_data_file, want->referenced_data_file);
        } else {
            assert_null(got->referenced_data_file);
        }
    }
}

static void round_trip(floe_test_ctx *t, int version, floe_manifest_content content)
{
    floe_arena *a = t->arena;
    floe_err err = {0};
    const floe_ice_schema *schema = ice_test_schema(a, RT_SCHEMA);
    const floe_partition_spec *spec = rt_spec(a);
    floe_buf buf;
    floe_buf_init(&buf, 0);
    floe_manifest_writer *w = NULL;
    floe_manifest_write_opts o = {.format_version = version,
                                  .content = content,
                                  .spec = spec,
                                  .schema = schema,
                                  .snapshot_id = 77,
                                  .codec = version == 1 ? FLOE_CODEC_NONE : FLOE_CODEC_DEFLATE};
    FLOE_ASSERT_OK(floe_manifest_writer_open_buf(&buf, "mem://m.avro", &o, &w, &err), &err);
    floe_file_content fc =
        content == FLOE_MANIFEST_DATA ? FLOE_CONTENT_DATA : FLOE_CONTENT_EQUALITY_DELETES;
    floe_data_file files[3];
    for (int i = 0; i < 3; i++) {
        files[i] = full_file(
            a, i, i == 2 && content == FLOE_MANIFEST_DELETES ? FLOE_CONTENT_POSITION_DELETES : fc);
    }
    /* ADDED inheriting, ADDED with an explicit data sequence number, EXISTING, DELETED */
    FLOE_ASSERT_OK(floe_manifest_writer_add(w, &files[0], FLOE_SEQ_UNASSIGNED, &err), &err);
    FLOE_ASSERT_OK(floe_manifest_writer_add(w, &files[1], 5, &err), &err);
    floe_manifest_entry ex = {.status = FLOE_ENTRY_ADDED,
                              .has_snapshot_id = true,
                              .snapshot_id = 12,
                              .has_sequence_number = true,
                              .sequence_number = 3,
                              .has_file_sequence_number = true,
                              .file_sequence_number = 4,
                              .file = files[2]};
    FLOE_ASSERT_OK(floe_manifest_writer_existing(w, &ex, &err), &err);
    FLOE_ASSERT_OK(floe_manifest_writer_delete(w, &ex, &err), &err);
    assert_int_equal(floe_manifest_writer_count(w), 4);
    floe_manifest_file mf;
    FLOE_ASSERT_OK(floe_manifest_writer_finish(w, a, &mf, &err), &err);
    floe_manifest_writer_free(w);
    assert_int_equal(mf.manifest_length, buf.len);
    assert_int_equal(mf.added_files_count, 2);
    assert_int_equal(mf.existing_files_count, 1);
    assert_int_equal(mf.deleted_files_count, 1);
    assert_int_equal(mf.added_rows_count, 21);
    assert_int_equal(mf.existing_rows_count, 12);
    assert_int_equal(mf.sequence_number, FLOE_SEQ_UNASSIGNED);
    assert_int_equal(mf.min_sequence_number, version >= 2 ? 3 : 3);
    assert_int_equal(mf.added_snapshot_id, 77);
    assert_int_equal(mf.partition_spec_id, 2);
    /* summaries: bucket 0..2, day null in file 2, string truncations, NaN in file 1 */
    assert_int_equal(mf.n_partitions, 8);
    assert_false(mf.partitions[0].contains_null);
    assert_true(mf.partitions[1].contains_null);
    assert_true(mf.partitions[5].contains_nan);
    assert_false(mf.partitions[0].contains_nan);
    assert_int_equal(mf.partitions[0].lower_bound.len, 4);
    assert_int_equal((uint8_t)mf.partitions[0].upper_bound.ptr[0], 2);
    assert_memory_equal(mf.partitions[2].lower_bound.ptr, "abcd", 4);
    assert_memory_equal(mf.partitions[2].upper_bound.ptr, "zeta", 4);
    assert_int_equal(mf.partitions[3].lower_bound.len, 2); /* -766: minimal big-endian bytes */
    assert_true(mf.partitions[7].lower_bound.len == 1 && mf.partitions[7].lower_bound.ptr[0] == 0);

    /* Read back: the list entry gets its sequence number 9 from the list writer. */
    mf.sequence_number = 9;
    if (mf.min_sequence_number == FLOE_SEQ_UNASSIGNED) {
        mf.min_sequence_number = 9;
    }
    floe_manifest_reader *r = NULL;
    floe_manifest_read_opts ro = {.manifest = &mf};
    FLOE_ASSERT_OK(floe_manifest_reader_open_mem(buf.data, buf.len, &ro, &r, &err), &err);
    const floe_manifest_info *info = floe_manifest_reader_info(r);
    assert_int_equal(info->format_version, version);
    assert_int_equal(info->content, content);
    assert_int_equal(info->spec_id, 2);
    assert_int_equal(info->spec->n_fields, 8);
    assert_non_null(info->schema);
    assert_int_equal(info->schema->schema_id, 3);
    struct {
        floe_entry_status status;
        int64_t snap, seq, fseq;
        int file;
    } want[] = {{FLOE_ENTRY_ADDED, 77, 9, 9, 0},
                {FLOE_ENTRY_ADDED, 77, 5, 9, 1},
                {FLOE_ENTRY_EXISTING, 12, 3, 4, 2},
                {FLOE_ENTRY_DELETED, 77, 3, 4, 2}};
    for (size_t i = 0; i < 4; i++) {
        floe_manifest_entry e;
        bool got;
        FLOE_ASSERT_OK(floe_manifest_reader_next(r, a, &e, &got, &err), &err);
        assert_true(got);
        assert_int_equal(e.status, want[i].status);
        assert_int_equal(e.snapshot_id, want[i].snap);
        if (version >= 2) {
            assert_int_equal(e.sequence_number, want[i].seq);
            assert_int_equal(e.file_sequence_number, want[i].fseq);
        } else {
            assert_int_equal(e.sequence_number, 0);
        }
        expect_same_file(&e.file, &files[want[i].file], version);
    }
    floe_manifest_entry e;
    bool got;
    FLOE_ASSERT_OK(floe_manifest_reader_next(r, a, &e, &got, &err), &err);
    assert_false(got);
    floe_manifest_reader_close(r);

    /* The header carries Java's keys. */
    floe_avro_reader *av = NULL;
    FLOE_ASSERT_OK(floe_avro_reader_open_mem(buf.data, buf.len, NULL, &av, &err), &err);
    floe_str v;
    assert_true(floe_avro_reader_meta_get(av, "partition-spec-id", &v));
    assert_true(floe_str_eq_c(v, "2"));
    assert_true(floe_avro_reader_meta_get(av, "schema-id", &v));
    assert_true(floe_str_eq_c(v, "3"));
    assert_true(floe_avro_reader_meta_get(av, "iceberg.schema", &v));
    assert_int_equal(floe_avro_reader_meta_get(av, "content", &v), version >= 2);
    assert_string_equal(floe_avro_reader_codec_name(av), version == 1 ? "null" : "deflate");
    const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(av));
    assert_string_equal(floe_avro_node_name(root), "manifest_entry");
    const floe_avro_node *df =
        floe_avro_field_type(root, (size_t)floe_avro_field_index_by_id(root, 2));
    assert_string_equal(floe_avro_node_name(df), "r2");
    const floe_avro_node *pr =
        floe_avro_field_type(df, (size_t)floe_avro_field_index_by_id(df, 102));
    assert_string_equal(floe_avro_node_name(pr), "r102");
    assert_int_equal(floe_avro_field_index_by_id(df, 105), version == 1 ? 5 : -1);
    floe_avro_reader_close(av);
    floe_buf_fini(&buf);
}

static void test_round_trip_v1(void **state)
{
    round_trip(*state, 1, FLOE_MANIFEST_DATA);
}

static void test_round_trip_v2_data(void **state)
{
    round_trip(*state, 2, FLOE_MANIFEST_DATA);
}

static void test_round_trip_v2_deletes(void **state)
{
    round_trip(*state, 2, FLOE_MANIFEST_DELETES);
}

static void test_round_trip_v3(void **state)
{
    round_trip(*state, 3, FLOE_MANIFEST_DATA);
}

static void test_list_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    floe_field_summary sums[2] = {{.contains_null = true,
                                   .has_contains_nan = true,
                                   .lower_bound = {"\x01\0\0\0", 4},
                                   .upper_bound = {"\x07\0\0\0", 4}},
                                  {.contains_null = false}};
    floe_manifest_file ms[3] = {
        {.manifest_path = "s3://b/t/metadata/new-m0.avro",
         .manifest_length = 1234,
         .partition_spec_id = 1,
         .content = FLOE_MANIFEST_DATA,
         .sequence_number = FLOE_SEQ_UNASSIGNED,
         .min_sequence_number = FLOE_SEQ_UNASSIGNED,
         .added_snapshot_id = 99,
         .has_counts = true,
         .added_files_count = 3,
         .added_rows_count = 30,
         .partitions = sums,
         .n_partitions = 2},
        {.manifest_path = "s3://b/t/metadata/old-m0.avro",
         .manifest_length = 99,
         .partition_spec_id = 0,
         .content = FLOE_MANIFEST_DATA,
         .sequence_number = 4,
         .min_sequence_number = 2,
         .added_snapshot_id = 50,
         .has_counts = true,
         .existing_files_count = 2,
         .existing_rows_count = 5,
         .deleted_files_count = 1,
         .deleted_rows_count = 7},
        {.manifest_path = "s3://b/t/metadata/del-m0.avro",
         .manifest_length = 10,
         .content = FLOE_MANIFEST_DELETES,
         .sequence_number = 4,
         .min_sequence_number = 4,
         .added_snapshot_id = 50,
         .has_counts = true,
         .added_files_count = 1,
         .key_metadata = {"k", 1}},
    };
    for (int version = 1; version <= 3; version++) {
        floe_buf buf;
        floe_buf_init(&buf, 0);
        floe_manifest_list_write_opts o = {.format_version = version,
                                           .snapshot_id = 99,
                                           .has_parent = version != 1,
                                           .parent_snapshot_id = 50,
                                           .sequence_number = version >= 2 ? 5 : 0,
                                           .first_row_id = 1000,
                                           .codec = FLOE_CODEC_ZSTD};
        int64_t rows = -1;
        size_t n = version == 1 ? 2 : 3;
        FLOE_ASSERT_OK(floe_manifest_list_write_buf(&buf, &o, ms, n, &rows, &err), &err);
        floe_manifest_list l;
        FLOE_ASSERT_OK(floe_manifest_list_parse(a, buf.data, buf.len, &l, &err), &err);
        assert_int_equal(l.format_version, version);
        assert_int_equal(l.snapshot_id, 99);
        assert_int_equal(l.has_parent_snapshot_id, version != 1);
        assert_int_equal(l.has_sequence_number, version >= 2);
        assert_int_equal(l.n_manifests, n);
        const floe_manifest_file *m = l.manifests;
        assert_string_equal(m[0].manifest_path, ms[0].manifest_path);
        assert_int_equal(m[0].manifest_length, 1234);
        assert_int_equal(m[0].partition_spec_id, 1);
        assert_int_equal(m[0].added_snapshot_id, 99);
        assert_true(m[0].has_counts);
        assert_int_equal(m[0].added_files_count, 3);
        assert_int_equal(m[0].added_rows_count, 30);
        assert_int_equal(m[1].existing_rows_count, 5);
        assert_int_equal(m[1].deleted_files_count, 1);
        assert_int_equal(m[0].n_partitions, 2);
        assert_true(m[0].partitions[0].contains_null);
        assert_true(m[0].partitions[0].has_contains_nan);
        assert_false(m[0].partitions[1].has_contains_nan);
        assert_null(m[0].partitions[1].lower_bound.ptr);
        assert_memory_equal(m[0].partitions[0].upper_bound.ptr, "\x07\0\0\0", 4);
        assert_null(m[1].partitions);
        if (version >= 2) {
            /* the new manifest gets the snapshot's sequence number; old ones keep theirs */
            assert_int_equal(m[0].sequence_number, 5);
            assert_int_equal(m[0].min_sequence_number, 5);
            assert_int_equal(m[1].sequence_number, 4);
            assert_int_equal(m[1].min_sequence_number, 2);
            assert_int_equal(m[2].content, FLOE_MANIFEST_DELETES);
            assert_memory_equal(m[2].key_metadata.ptr, "k", 1);
        } else {
            assert_int_equal(m[0].sequence_number, 0);
        }
        if (version == 3) {
            /* data manifests get row ids: 1000 for the new one, 1030 for the old one */
            assert_true(l.has_first_row_id);
            assert_int_equal(l.first_row_id, 1000);
            assert_true(m[0].has_first_row_id && m[0].first_row_id == 1000);
            assert_true(m[1].has_first_row_id && m[1].first_row_id == 1030);
            assert_false(m[2].has_first_row_id);
            assert_int_equal(rows, 35);
        }
        floe_buf_fini(&buf);
    }
}

/* ==== Errors ==== */

static void test_writer_rejects_bad_entries(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    const floe_ice_schema *schema = ice_test_schema(a, RT_SCHEMA);
    const floe_partition_spec *spec = rt_spec(a);
    floe_buf buf;
    floe_buf_init(&buf, 0);
    floe_manifest_writer *w = NULL;
    floe_manifest_write_opts o = {
        .format_version = 1, .content = FLOE_MANIFEST_DELETES, .spec = spec, .schema = schema};
    FLOE_ASSERT_ERR(floe_manifest_writer_open_buf(&buf, "m.avro", &o, &w, &err), FLOE_ERR_INVALID,
                    &err, "delete manifests need format version 2");
    floe_err_clear(&err);
    o.format_version = 2;
    o.content = FLOE_MANIFEST_DATA;
    FLOE_ASSERT_OK(floe_manifest_writer_open_buf(&buf, "m.avro", &o, &w, &err), &err);
    floe_data_file f = full_file(a, 0, FLOE_CONTENT_POSITION_DELETES);
    FLOE_ASSERT_ERR(floe_manifest_writer_add(w, &f, FLOE_SEQ_UNASSIGNED, &err), FLOE_ERR_INVALID,
                    &err, "a delete file cannot go into a data manifest");
    floe_err_clear(&err);
    f = full_file(a, 0, FLOE_CONTENT_DATA);
    f.partition.u.nested.n = 2;
    FLOE_ASSERT_ERR(floe_manifest_writer_add(w, &f, FLOE_SEQ_UNASSIGNED, &err), FLOE_ERR_INVALID,
                    &err, "partition tuple must be a struct of 8 values");
    floe_err_clear(&err);
    f = full_file(a, 0, FLOE_CONTENT_DATA);
    ((floe_value *)f.partition.u.nested.items)[1] = floe_value_string("x", 1);
    FLOE_ASSERT_ERR(floe_manifest_writer_add(w, &f, FLOE_SEQ_UNASSIGNED, &err), FLOE_ERR_INVALID,
                    &err, "partition value ts_day does not fit type date");
    floe_err_clear(&err);
    /* an existing entry needs its sequence numbers */
    floe_manifest_entry e = {.status = FLOE_ENTRY_EXISTING, .file = full_file(a, 0, 0)};
    FLOE_ASSERT_ERR(floe_manifest_writer_existing(w, &e, &err), FLOE_ERR_INVALID, &err,
                    "carried entries need explicit sequence numbers");
    floe_err_clear(&err);
    /* the writer is still usable */
    f = full_file(a, 0, FLOE_CONTENT_DATA);
    FLOE_ASSERT_OK(floe_manifest_writer_add(w, &f, 1, &err), &err);
    /* never finished: nothing escapes */
    floe_manifest_writer_free(w);
    floe_buf_fini(&buf);

    /* a v2 list needs counts, and unassigned numbers only for its own snapshot's manifests */
    floe_manifest_file m = {.manifest_path = "x.avro",
                            .sequence_number = FLOE_SEQ_UNASSIGNED,
                            .min_sequence_number = FLOE_SEQ_UNASSIGNED,
                            .added_snapshot_id = 1,
                            .has_counts = true};
    floe_manifest_list_write_opts lo = {.format_version = 2, .snapshot_id = 2};
    floe_buf_init(&buf, 0);
    FLOE_ASSERT_ERR(floe_manifest_list_write_buf(&buf, &lo, &m, 1, NULL, &err), FLOE_ERR_INVALID,
                    &err, "was added by snapshot 1, not 2");
    floe_err_clear(&err);
    m.sequence_number = m.min_sequence_number = 1;
    m.has_counts = false;
    FLOE_ASSERT_ERR(floe_manifest_list_write_buf(&buf, &lo, &m, 1, NULL, &err), FLOE_ERR_INVALID,
                    &err, "has no file counts");
    floe_buf_fini(&buf);
}

static void test_reader_rejects_malformed(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_manifest_reader *r = NULL;
    FLOE_ASSERT_ERR(floe_manifest_reader_open_mem("junk", 4, NULL, &r, &err), FLOE_ERR_CORRUPT,
                    &err, "manifest");
    floe_err_clear(&err);
    floe_manifest_list l;
    FLOE_ASSERT_ERR(floe_manifest_list_parse(t->arena, "Obj\x01", 4, &l, &err), FLOE_ERR_CORRUPT,
                    &err, "manifest list");
    floe_err_clear(&err);

    /* An Avro file that is not a manifest. */
    const char *schema = "{\"type\":\"record\",\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"type\":"
                         "\"int\",\"field-id\":0}]}";
    floe_buf buf;
    floe_buf_init(&buf, 0);
    floe_avro_writer *w = NULL;
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&buf, schema, strlen(schema), NULL, &w, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    floe_avro_writer_free(w);
    FLOE_ASSERT_ERR(floe_manifest_reader_open_mem(buf.data, buf.len, NULL, &r, &err),
                    FLOE_ERR_CORRUPT, &err, "not a manifest");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_manifest_list_parse(t->arena, buf.data, buf.len, &l, &err),
                    FLOE_ERR_CORRUPT, &err, "not a manifest list");
    floe_err_clear(&err);
    floe_buf_fini(&buf);

    /* A truncated manifest. */
    const floe_ice_schema *s = ice_test_schema(t->arena, RT_SCHEMA);
    floe_partition_spec unpart = {.spec_id = 0};
    floe_manifest_write_opts o = {.format_version = 2, .spec = &unpart, .schema = s};
    floe_manifest_writer *mw = NULL;
    floe_buf_init(&buf, 0);
    FLOE_ASSERT_OK(floe_manifest_writer_open_buf(&buf, "m.avro", &o, &mw, &err), &err);
    floe_data_file f = {.file_path = "a.parquet", .record_count = 1};
    floe_manifest_entry e = {.status = (floe_entry_status)1, .file = f};
    FLOE_ASSERT_OK(floe_manifest_writer_write(mw, &e, &err), &err);
    floe_manifest_file mf;
    FLOE_ASSERT_OK(floe_manifest_writer_finish(mw, t->arena, &mf, &err), &err);
    floe_manifest_writer_free(mw);
    /* every truncation fails cleanly, at open (header) or while reading (block) */
    for (size_t cut = 1; cut < buf.len; cut += 7) {
        floe_err e2 = {0};
        floe_manifest_reader *rr = NULL;
        floe_status st = floe_manifest_reader_open_mem(buf.data, buf.len - cut, NULL, &rr, &e2);
        if (st == FLOE_OK) {
            floe_manifest_entry x;
            bool got = true;
            while (st == FLOE_OK && got) {
                st = floe_manifest_reader_next(rr, t->arena, &x, &got, &e2);
            }
            floe_manifest_reader_close(rr);
        }
        assert_int_equal(st, FLOE_ERR_CORRUPT);
    }
    floe_buf_fini(&buf);
}

FLOE_TEST_GROUP(manifest)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_fixture_file_reads, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_java_pos_and_eq_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spark_posdel_removed_file, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_eq_deletes_identity_partition, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v1_day_partition, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v1_embedded_manifests, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bucket_identity_null_partition, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pyiceberg_and_athena, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_projection_skips_stats, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_v1, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_v2_data, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_v2_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_v3, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_list_round_trip, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_writer_rejects_bad_entries, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_reader_rejects_malformed, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
