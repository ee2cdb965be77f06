/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan planning: snapshot selection (current, id, ref, time), delete files matched to data
 * files by the v2 sequence-number and partition rules (a hand-built table with every case), and
 * pruning by manifest summaries, partition projection and metrics; then the fixture tables
 * against the counts of their README.
 */
#include "ice_helpers.h"

#include <string.h>

/* ==== Helpers ==== */

static const floe_ice_expr *parse(floe_arena *a, const char *text)
{
    const floe_ice_expr *e = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, text, strlen(text), &e, &err), &err);
    return e;
}

static size_t plan(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *m,
                   const floe_scan_opts *o, floe_scan_task **tasks, floe_scan_stats *st)
{
    floe_err err = {0};
    size_t n = 0;
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, io, m, o, tasks, &n, st, &err), &err);
    return n;
}

/* The delete files of a task as "name@seq,name@seq" (names after the last '/'). */
static const char *deletes_of(floe_arena *a, const floe_scan_task *t)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    for (size_t i = 0; i < t->n_deletes; i++) {
        FLOE_ASSERT_OK(floe_buf_printf(&b, &err, "%s%s@%lld", i > 0 ? "," : "",
                                       ice_test_basename(t->deletes[i]->file_path),
                                       (long long)t->delete_sequence_numbers[i]),
                       &err);
    }
    const char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

/* ==== A hand-built table with every delete case ==== */

static const char *HB_SCHEMA = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                               "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
                               "{\"id\":2,\"name\":\"p\",\"required\":false,\"type\":\"int\"}]}";

typedef struct hb_table {
    floe_fileio *io;
    floe_table_meta *meta;
    const floe_ice_schema *schema;
    const floe_partition_spec *spec0; /* identity(p) */
    const floe_partition_spec *spec1; /* unpartitioned */
} hb_table;

static floe_data_file hb_file(floe_arena *a, const char *name, floe_file_content c, int p,
                              int spec_id)
{
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    if (spec_id == 0) {
        floe_value *v = floe_arena_calloc(a, 1, sizeof(*v));
        *v = floe_value_int(p);
        part.u.nested.items = v;
        part.u.nested.n = 1;
    }
    static const int32_t eq[] = {1};
    floe_data_file f = {.content = c,
                        .file_path = floe_arena_sprintf(a, "file:///t/data/%s", name),
                        .file_format = FLOE_FORMAT_PARQUET,
                        .spec_id = spec_id,
                        .partition = part,
                        .record_count = 10,
                        .file_size_in_bytes = 100,
                        .equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? eq : NULL,
                        .n_equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? 1 : 0};
    return f;
}

static floe_str le64(floe_arena *a, int64_t v)
{
    char *p = floe_arena_alloc(a, 8);
    floe_store_u64le(p, (uint64_t)v);
    return (floe_str){p, 8};
}

/* id metrics [lo, hi] without nulls */
static void with_id_range(floe_arena *a, floe_data_file *f, int64_t lo, int64_t hi)
{
    floe_field_count *vc = floe_arena_calloc(a, 1, sizeof(*vc));
    floe_field_count *nc = floe_arena_calloc(a, 1, sizeof(*nc));
    floe_field_bound *l = floe_arena_calloc(a, 1, sizeof(*l));
    floe_field_bound *h = floe_arena_calloc(a, 1, sizeof(*h));
    *vc = (floe_field_count){1, 10};
    *nc = (floe_field_count){1, 0};
    *l = (floe_field_bound){1, le64(a, lo)};
    *h = (floe_field_bound){1, le64(a, hi)};
    f->value_counts = vc;
    f->n_value_counts = 1;
    f->null_value_counts = nc;
    f->n_null_value_counts = 1;
    f->lower_bounds = l;
    f->n_lower_bounds = 1;
    f->upper_bounds = h;
    f->n_upper_bounds = 1;
}

static void with_path_bounds(floe_arena *a, floe_data_file *f, const char *lo, const char *hi)
{
    floe_field_bound *l = floe_arena_calloc(a, 1, sizeof(*l));
    floe_field_bound *h = floe_arena_calloc(a, 1, sizeof(*h));
    *l = (floe_field_bound){FLOE_ICE_DELETE_FILE_PATH_ID, {lo, strlen(lo)}};
    *h = (floe_field_bound){FLOE_ICE_DELETE_FILE_PATH_ID, {hi, strlen(hi)}};
    f->lower_bounds = l;
    f->n_lower_bounds = 1;
    f->upper_bounds = h;
    f->n_upper_bounds = 1;
}

static floe_manifest_entry hb_entry(floe_data_file f, floe_entry_status status, int64_t seq)
{
    floe_manifest_entry e = {.status = status,
                             .has_snapshot_id = true,
                             .snapshot_id = seq,
                             .has_sequence_number = true,
                             .sequence_number = seq,
                             .has_file_sequence_number = true,
                             .file_sequence_number = seq,
                             .file = f};
    return e;
}

static floe_manifest_file hb_manifest(floe_test_ctx *t, hb_table *hb, const char *name,
                                      floe_manifest_content content,
                                      const floe_partition_spec *spec,
                                      const floe_manifest_entry *es, size_t n)
{
    floe_err err = {0};
    floe_manifest_write_opts o = {.format_version = 2,
                                  .content = content,
                                  .spec = spec,
                                  .schema = hb->schema,
                                  .snapshot_id = 4,
                                  .codec = FLOE_CODEC_NONE};
    floe_manifest_writer *w = NULL;
    FLOE_ASSERT_OK(floe_manifest_writer_open(hb->io, floe_test_tmp_path(t, name), &o, &w, &err),
                   &err);
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_manifest_writer_write(w, &es[i], &err), &err);
    }
    floe_manifest_file mf;
    FLOE_ASSERT_OK(floe_manifest_writer_finish(w, t->arena, &mf, &err), &err);
    floe_manifest_writer_free(w);
    mf.sequence_number = 4;
    if (mf.min_sequence_number == FLOE_SEQ_UNASSIGNED) {
        mf.min_sequence_number = 4;
    }
    return mf;
}

/*
 * Data: D1 (p=1, seq 1, id 0..10), D2 (p=2, seq 1, id 20..30), D3 (p=1, seq 3, no metrics),
 * D4 (p=1, seq 1, DELETED entry), D5 (p=3, seq 1) in a manifest of spec 1? no: spec 0.
 * Deletes (spec 0 unless noted):
 *   P1 pos p=1 seq 2                      -> D1 (1 <= 2), not D3 (3 > 2)
 *   P2 pos p=1 seq 3 referencing D3      -> D3 only
 *   P3 pos p=1 seq 3 file_path = D1..D1  -> D1 only
 *   P4 pos p=2 seq 1                      -> D2 (equal sequence numbers apply)
 *   P5 pos p=1 seq 5 bounds [D3, D9]     -> D3 only (D1 sorts before the lower bound)
 *   E1 eq  p=1 seq 3                      -> D1 (1 < 3), not D3 (3 < 3 is false)
 *   E3 eq  p=2 seq 1                      -> nothing (1 < 1 is false)
 *   G1 eq  spec 1 (unpartitioned) seq 4   -> every data file
 *   X1 pos p=1 seq 9, DELETED entry       -> nothing
 */
static void hb_build(floe_test_ctx *t, hb_table *hb)
{
    floe_arena *a = t->arena;
    floe_err err = {0};
    hb->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    hb->schema = ice_test_schema(a, HB_SCHEMA);
    json_t *j = ice_test_json("{\"spec-id\":0,\"fields\":[{\"name\":\"p\",\"transform\":"
                              "\"identity\",\"source-id\":2,\"field-id\":1000}]}");
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &hb->spec0, &err), &err);
    json_decref(j);
    j = ice_test_json("{\"spec-id\":1,\"fields\":[]}");
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 1, &hb->spec1, &err), &err);
    json_decref(j);

    floe_data_file d1 = hb_file(a, "D1", FLOE_CONTENT_DATA, 1, 0);
    with_id_range(a, &d1, 0, 10);
    floe_data_file d2 = hb_file(a, "D2", FLOE_CONTENT_DATA, 2, 0);
    with_id_range(a, &d2, 20, 30);
    floe_manifest_entry data[] = {
        hb_entry(d1, FLOE_ENTRY_EXISTING, 1),
        hb_entry(d2, FLOE_ENTRY_EXISTING, 1),
        hb_entry(hb_file(a, "D3", FLOE_CONTENT_DATA, 1, 0), FLOE_ENTRY_ADDED, 3),
        hb_entry(hb_file(a, "D4", FLOE_CONTENT_DATA, 1, 0), FLOE_ENTRY_DELETED, 1),
    };
    floe_data_file p2 = hb_file(a, "P2", FLOE_CONTENT_POSITION_DELETES, 1, 0);
    p2.referenced_data_file = "file:///t/data/D3";
    floe_data_file p3 = hb_file(a, "P3", FLOE_CONTENT_POSITION_DELETES, 1, 0);
    with_path_bounds(a, &p3, "file:///t/data/D1", "file:///t/data/D1");
    floe_data_file p5 = hb_file(a, "P5", FLOE_CONTENT_POSITION_DELETES, 1, 0);
    with_path_bounds(a, &p5, "file:///t/data/D3", "file:///t/data/D9");
    floe_manifest_entry dels[] = {
        hb_entry(hb_file(a, "P1", FLOE_CONTENT_POSITION_DELETES, 1, 0), FLOE_ENTRY_EXISTING, 2),
        hb_entry(p2, FLOE_ENTRY_ADDED, 3),
        hb_entry(p3, FLOE_ENTRY_ADDED, 3),
        hb_entry(hb_file(a, "P4", FLOE_CONTENT_POSITION_DELETES, 2, 0), FLOE_ENTRY_EXISTING, 1),
        hb_entry(p5, FLOE_ENTRY_ADDED, 5),
        hb_entry(hb_file(a, "E1", FLOE_CONTENT_EQUALITY_DELETES, 1, 0), FLOE_ENTRY_ADDED, 3),
        hb_entry(hb_file(a, "E3", FLOE_CONTENT_EQUALITY_DELETES, 2, 0), FLOE_ENTRY_EXISTING, 1),
        hb_entry(hb_file(a, "X1", FLOE_CONTENT_POSITION_DELETES, 1, 0), FLOE_ENTRY_DELETED, 9),
    };
    floe_manifest_entry global[] = {
        hb_entry(hb_file(a, "G1", FLOE_CONTENT_EQUALITY_DELETES, 0, 1), FLOE_ENTRY_ADDED, 4),
    };
    /* A data manifest of only deleted entries is skipped without being opened. */
    floe_manifest_entry gone[] = {
        hb_entry(hb_file(a, "D9", FLOE_CONTENT_DATA, 7, 0), FLOE_ENTRY_DELETED, 1),
    };
    floe_manifest_file ms[4];
    ms[0] = hb_manifest(t, hb, "d.avro", FLOE_MANIFEST_DATA, hb->spec0, data, 4);
    ms[1] = hb_manifest(t, hb, "x.avro", FLOE_MANIFEST_DELETES, hb->spec0, dels, 8);
    ms[2] = hb_manifest(t, hb, "g.avro", FLOE_MANIFEST_DELETES, hb->spec1, global, 1);
    ms[3] = hb_manifest(t, hb, "gone.avro", FLOE_MANIFEST_DATA, hb->spec0, gone, 1);
    /* gone.avro is removed: opening it would fail the plan */
    FLOE_ASSERT_OK(floe_io_delete(hb->io, ms[3].manifest_path, &err), &err);
    floe_manifest_list_write_opts lo = {
        .format_version = 2, .snapshot_id = 4, .sequence_number = 4, .codec = FLOE_CODEC_NONE};
    const char *list = floe_test_tmp_path(t, "snap-4.avro");
    FLOE_ASSERT_OK(floe_manifest_list_write(hb->io, list, &lo, ms, 4, NULL, &err), &err);
    const char *meta = floe_arena_sprintf(
        a,
        "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
        "\"location\":\"%s\",\"last-sequence-number\":5,\"last-updated-ms\":1700000005000,"
        "\"last-column-id\":2,\"current-schema-id\":0,\"schemas\":[%s],"
        "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[{\"name\":\"p\","
        "\"transform\":\"identity\",\"source-id\":2,\"field-id\":1000}]},{\"spec-id\":1,"
        "\"fields\":[]}],\"last-partition-id\":1000,\"default-sort-order-id\":0,"
        "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],\"properties\":{},"
        "\"current-snapshot-id\":4,\"refs\":{\"main\":{\"snapshot-id\":4,\"type\":\"branch\"},"
        "\"old\":{\"snapshot-id\":3,\"type\":\"tag\"}},\"snapshots\":["
        "{\"snapshot-id\":3,\"sequence-number\":3,\"timestamp-ms\":1700000003000,"
        "\"manifest-list\":\"%s/none.avro\",\"summary\":{\"operation\":\"append\"}},"
        "{\"snapshot-id\":4,\"parent-snapshot-id\":3,\"sequence-number\":5,"
        "\"timestamp-ms\":1700000004000,\"manifest-list\":\"%s\",\"summary\":{\"operation\":"
        "\"overwrite\"},\"schema-id\":0}],"
        "\"snapshot-log\":[{\"timestamp-ms\":1700000003000,\"snapshot-id\":3},"
        "{\"timestamp-ms\":1700000004000,\"snapshot-id\":4}],\"metadata-log\":[]}",
        t->tmpdir, HB_SCHEMA, t->tmpdir, list);
    FLOE_ASSERT_OK(floe_iceberg_parse_metadata(a, (floe_str){meta, strlen(meta)}, &hb->meta, &err),
                   &err);
}

static void test_delete_matching(void **state)
{
    floe_test_ctx *t = *state;
    hb_table hb;
    hb_build(t, &hb);
    floe_scan_task *tasks = NULL;
    floe_scan_stats st;
    size_t n = plan(t, hb.io, hb.meta, NULL, &tasks, &st);
    assert_int_equal(n, 3);
    assert_int_equal(st.snapshot_id, 4);
    assert_int_equal(st.manifests, 4);
    assert_int_equal(st.manifests_skipped, 1); /* gone.avro: only deleted entries */
    assert_int_equal(st.delete_files, 8);      /* X1 is a DELETED entry */
    assert_int_equal(st.data_files, 3);
    assert_int_equal(st.records, 30);
    /* Manifest order is kept: D1, D2, D3 */
    assert_string_equal(ice_test_basename(tasks[0].file->file_path), "D1");
    assert_string_equal(deletes_of(t->arena, &tasks[0]), "P1@2,P3@3,E1@3,G1@4");
    assert_string_equal(ice_test_basename(tasks[1].file->file_path), "D2");
    assert_string_equal(deletes_of(t->arena, &tasks[1]), "P4@1,G1@4");
    assert_string_equal(ice_test_basename(tasks[2].file->file_path), "D3");
    assert_string_equal(deletes_of(t->arena, &tasks[2]), "P2@3,P5@5,G1@4");
    assert_int_equal(tasks[2].data_sequence_number, 3);
    assert_int_equal(tasks[2].spec->spec_id, 0);
    assert_int_equal(st.deletes_applied, 9);
    /* The data file keeps its metrics unless asked to skip them. */
    assert_int_equal(tasks[0].file->n_lower_bounds, 1);
    floe_scan_opts o = {.skip = FLOE_MANIFEST_SKIP_STATS};
    n = plan(t, hb.io, hb.meta, &o, &tasks, &st);
    assert_int_equal(n, 3);
    assert_null(tasks[0].file->lower_bounds);
    floe_fileio_free(hb.io);
}

static void test_filter_pruning(void **state)
{
    floe_test_ctx *t = *state;
    hb_table hb;
    hb_build(t, &hb);
    floe_scan_task *tasks = NULL;
    floe_scan_stats st;
    static const struct {
        const char *filter;
        const char *files; /* task names in order */
        uint64_t skipped;
        uint64_t del_skipped;
    } cases[] = {
        {"p = 2", "D2", 2, 5},      /* partition: D1 and D3 pruned; deletes of p=1 too */
        {"id > 15", "D2,D3", 1, 0}, /* metrics: D1 tops at 10; D3 has none */
        {"id > 15 AND p = 1", "D3", 2, 2},
        {"id < 0 OR p = 9", "D1,D2,D3", 0, 0}, /* no metrics for p; nothing to project */
        {"p = 9", "", 0, 0},                   /* manifest summaries: d.avro and x.avro skipped */
        {"p IS NULL", "", 0, 0},
        {"TRUE", "D1,D2,D3", 0, 0},
        {"id IS NOT NULL", "D1,D2,D3", 0, 0},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_scan_opts o = {.filter = parse(t->arena, cases[i].filter),
                            .skip = FLOE_MANIFEST_SKIP_STATS};
        size_t n = plan(t, hb.io, hb.meta, &o, &tasks, &st);
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_err err = {0};
        for (size_t k = 0; k < n; k++) {
            FLOE_ASSERT_OK(floe_buf_printf(&b, &err, "%s%s", k > 0 ? "," : "",
                                           ice_test_basename(tasks[k].file->file_path)),
                           &err);
            /* metrics were read for the filter, then dropped as asked */
            assert_null(tasks[k].file->lower_bounds);
        }
        if (strcmp(floe_buf_cstr(&b), cases[i].files) != 0 ||
            st.data_files_skipped != cases[i].skipped ||
            st.delete_files_skipped != cases[i].del_skipped) {
            print_error("%s: got %s, %llu skipped, %llu deletes skipped\n", cases[i].filter,
                        floe_buf_cstr(&b), (unsigned long long)st.data_files_skipped,
                        (unsigned long long)st.delete_files_skipped);
            fail();
        }
        floe_buf_fini(&b);
    }
    /* A filter that folds to FALSE reads no manifest at all. */
    floe_scan_opts o = {.filter = parse(t->arena, "FALSE")};
    assert_int_equal(plan(t, hb.io, hb.meta, &o, &tasks, &st), 0);
    assert_int_equal(st.manifests_skipped, 4);
    floe_fileio_free(hb.io);
}

static void test_snapshot_selection(void **state)
{
    floe_test_ctx *t = *state;
    hb_table hb;
    hb_build(t, &hb);
    floe_err err = {0};
    const floe_snapshot *s = NULL;
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, NULL, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 4);
    floe_scan_opts o = {.has_snapshot_id = true, .snapshot_id = 3};
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, &o, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 3);
    o = (floe_scan_opts){.ref = "old"};
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, &o, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 3);
    o = (floe_scan_opts){.ref = "main"};
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, &o, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 4);
    o = (floe_scan_opts){.has_as_of = true, .as_of_ms = 1700000003999};
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, &o, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 3);
    o = (floe_scan_opts){.has_as_of = true, .as_of_ms = 1700000004000};
    FLOE_ASSERT_OK(floe_scan_snapshot(hb.meta, &o, &s, &err), &err);
    assert_int_equal(s->snapshot_id, 4);

    /* errors */
    o = (floe_scan_opts){.has_snapshot_id = true, .snapshot_id = 99};
    FLOE_ASSERT_ERR(floe_scan_snapshot(hb.meta, &o, &s, &err), FLOE_ERR_NOT_FOUND, &err,
                    "snapshot 99 does not exist");
    err = (floe_err){0};
    o = (floe_scan_opts){.ref = "nope"};
    FLOE_ASSERT_ERR(floe_scan_snapshot(hb.meta, &o, &s, &err), FLOE_ERR_NOT_FOUND, &err,
                    "ref nope does not exist");
    err = (floe_err){0};
    o = (floe_scan_opts){.has_as_of = true, .as_of_ms = 1600000000000};
    FLOE_ASSERT_ERR(floe_scan_snapshot(hb.meta, &o, &s, &err), FLOE_ERR_NOT_FOUND, &err,
                    "no snapshot at or before");
    err = (floe_err){0};
    floe_scan_task *tasks;
    size_t n;
    floe_scan_stats st;
    /* snapshot 3's manifest list does not exist */
    o = (floe_scan_opts){.ref = "old"};
    FLOE_ASSERT_ERR(floe_scan_collect(t->arena, hb.io, hb.meta, &o, &tasks, &n, &st, &err),
                    FLOE_ERR_NOT_FOUND, &err, "plan snapshot 3");
    err = (floe_err){0};
    /* an unknown column in the filter */
    o = (floe_scan_opts){.filter = parse(t->arena, "nope = 1")};
    FLOE_ASSERT_ERR(floe_scan_collect(t->arena, hb.io, hb.meta, &o, &tasks, &n, &st, &err),
                    FLOE_ERR_INVALID, &err, "scan filter");
    err = (floe_err){0};
    /* the callback's error stops planning */
    floe_fileio_free(hb.io);
}

static floe_status stop_at_second(void *ud, const floe_scan_task *task, floe_err *err)
{
    int *calls = ud;
    (void)task;
    if (++*calls == 2) {
        return floe_err_set(err, FLOE_ERR_CANCELED, "enough");
    }
    return FLOE_OK;
}

static void test_callback_error_and_limits(void **state)
{
    floe_test_ctx *t = *state;
    hb_table hb;
    hb_build(t, &hb);
    floe_err err = {0};
    int calls = 0;
    FLOE_ASSERT_ERR(floe_scan_plan(hb.io, hb.meta, NULL, stop_at_second, &calls, NULL, &err),
                    FLOE_ERR_CANCELED, &err, "enough");
    assert_int_equal(calls, 2);
    /* a delete index that does not fit its memory limit */
    err = (floe_err){0};
    floe_scan_opts o = {.index_max = 256};
    calls = 0;
    FLOE_ASSERT_ERR(floe_scan_plan(hb.io, hb.meta, &o, stop_at_second, &calls, NULL, &err),
                    FLOE_ERR_TOO_BIG, &err, NULL);
    assert_int_equal(calls, 0);
    /* a manifest that is not Avro */
    err = (floe_err){0};
    floe_test_write_file(floe_test_tmp_path(t, "d.avro"), "garbage", 7);
    floe_scan_task *tasks;
    size_t n;
    FLOE_ASSERT_ERR(floe_scan_collect(t->arena, hb.io, hb.meta, NULL, &tasks, &n, NULL, &err),
                    FLOE_ERR_CORRUPT, &err, "d.avro");
    floe_fileio_free(hb.io);
}

/* ==== Fixture tables ==== */

static void test_fixture_tables(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *table;
        const char *meta;
        size_t files;
        int64_t records;
        uint64_t deletes;
    } cases[] = {
        {"spark_posdel_schema_evolution", "v5.metadata.json", 1, 20, 0},
        {"spark_posdel_schema_evolution", "v3.metadata.json", 1, 21, 1},
        {"spark_posdel_schema_evolution", "v1.metadata.json", 1, 21, 0},
        {"java_api_pos_and_eq_deletes", "v5.metadata.json", 2, 22, 2},
        {"java_api_pos_and_eq_deletes", "v4.metadata.json", 1, 21, 1},
        {"spark_bucket_identity_rename", "v3.metadata.json", 3, 4, 0},
        {"spark_v1_day_partition", "v2.metadata.json", 2, 3, 0},
        {"java_api_eq_deletes_identity_partition", "v6.metadata.json", 6, 6, 3},
        {"spark_v1_embedded_manifests_edge", "v2.metadata.json", 2, 3, 0},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const char *dir;
        floe_fileio *io = ice_test_fixture_io(t, cases[i].table, &dir);
        floe_table_meta *m = ice_test_fixture_meta(t, io, dir, cases[i].meta);
        floe_scan_task *tasks = NULL;
        floe_scan_stats st;
        size_t n = plan(t, io, m, NULL, &tasks, &st);
        if (n != cases[i].files || st.records != cases[i].records ||
            st.deletes_applied != cases[i].deletes) {
            print_error("%s %s: %zu files, %lld records, %llu deletes\n", cases[i].table,
                        cases[i].meta, n, (long long)st.records,
                        (unsigned long long)st.deletes_applied);
            fail();
        }
        floe_fileio_free(io);
    }
}

static void test_fixture_filters_and_time_travel(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *table;
        const char *meta;
        const char *filter;
        size_t files;
        int64_t records;
    } cases[] = {
        /* README: ts > 19:25 is id 3 only (its file); ts >= 19:25 gives both files */
        {"spark_v1_day_partition", "v2.metadata.json", "ts > '2023-03-01T19:25:00'", 1, 1},
        {"spark_v1_day_partition", "v2.metadata.json", "ts >= '2023-03-01T19:25:00'", 2, 3},
        {"spark_v1_day_partition", "v2.metadata.json", "ts < '2023-03-01T00:00:00'", 0, 0},
        {"spark_v1_embedded_manifests_edge", "v2.metadata.json", "category = 'beta'", 1, 1},
        {"java_api_eq_deletes_identity_partition", "v6.metadata.json", "name = 'a'", 1, 1},
        {"java_api_eq_deletes_identity_partition", "v6.metadata.json", "name IN ('b', 'e')", 2, 2},
        /* the renamed column binds in the current schema; identity(date) prunes */
        {"spark_bucket_identity_rename", "v3.metadata.json", "event_date = '2022-01-01'", 1, 2},
        {"spark_bucket_identity_rename", "v3.metadata.json", "event_date IS NULL", 1, 1},
        /* bucket[4](id): id 3 hashes to bucket 3 (the date=null file) */
        {"spark_bucket_identity_rename", "v3.metadata.json", "id = 3", 1, 1},
        {"pyiceberg_day_partition_map", "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json",
         NULL, 2, 2},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const char *dir;
        floe_fileio *io = ice_test_fixture_io(t, cases[i].table, &dir);
        floe_table_meta *m = ice_test_fixture_meta(t, io, dir, cases[i].meta);
        floe_scan_opts o = {.filter =
                                cases[i].filter != NULL ? parse(t->arena, cases[i].filter) : NULL};
        floe_scan_task *tasks = NULL;
        floe_scan_stats st;
        size_t n = plan(t, io, m, &o, &tasks, &st);
        if (n != cases[i].files || st.records != cases[i].records) {
            print_error("%s %s: %zu files, %lld records\n", cases[i].table,
                        cases[i].filter != NULL ? cases[i].filter : "", n, (long long)st.records);
            fail();
        }
        floe_fileio_free(io);
    }

    /* java_api_pos_and_eq_deletes v5: the initial file gets the position delete (seq 2) and the
     * equality delete (seq 3); the updated New Zealand row (seq 3) gets neither. */
    const char *dir;
    floe_fileio *io = ice_test_fixture_io(t, "java_api_pos_and_eq_deletes", &dir);
    floe_table_meta *m = ice_test_fixture_meta(t, io, dir, "v5.metadata.json");
    floe_scan_task *tasks = NULL;
    floe_scan_stats st;
    size_t n = plan(t, io, m, NULL, &tasks, &st);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        const char *name = ice_test_basename(tasks[i].file->file_path);
        if (strcmp(name, "bunnies-initial.parquet") == 0) {
            assert_string_equal(deletes_of(t->arena, &tasks[i]),
                                "bunnies-pos-deletes.parquet@2,"
                                "bunnies-eq-delete-new-zealand.parquet@3");
            assert_int_equal(tasks[i].deletes[1]->content, FLOE_CONTENT_EQUALITY_DELETES);
            assert_int_equal(tasks[i].data_sequence_number, 1);
        } else {
            assert_string_equal(name, "bunnies-updated-new-zealand.parquet");
            assert_int_equal(tasks[i].n_deletes, 0);
            assert_int_equal(tasks[i].data_sequence_number, 3);
        }
    }
    floe_fileio_free(io);

    /* spark_posdel_schema_evolution: time travel through v5 to the first snapshot (21 rows), to
     * the delete (the position delete applies), by id and by time. */
    io = ice_test_fixture_io(t, "spark_posdel_schema_evolution", &dir);
    m = ice_test_fixture_meta(t, io, dir, "v5.metadata.json");
    floe_scan_opts o = {.has_snapshot_id = true, .snapshot_id = 7505300640432048841LL};
    n = plan(t, io, m, &o, &tasks, &st);
    assert_int_equal(n, 1);
    assert_int_equal(st.records, 21);
    assert_int_equal(st.deletes_applied, 0);
    o = (floe_scan_opts){.has_snapshot_id = true, .snapshot_id = 469881615898633426LL};
    n = plan(t, io, m, &o, &tasks, &st);
    assert_int_equal(n, 1);
    assert_int_equal(tasks[0].n_deletes, 1);
    assert_int_equal(tasks[0].deletes[0]->content, FLOE_CONTENT_POSITION_DELETES);
    const floe_snapshot *first = floe_table_meta_snapshot(m, 7505300640432048841LL);
    o = (floe_scan_opts){.has_as_of = true, .as_of_ms = first->timestamp_ms};
    n = plan(t, io, m, &o, &tasks, &st);
    assert_int_equal(st.snapshot_id, 7505300640432048841LL);
    assert_int_equal(st.records, 21);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(scan)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delete_matching, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_filter_pruning, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_selection, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_callback_error_and_limits, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_tables, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_filters_and_time_travel, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
