/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Real manifest lists and manifests written by Spark, the Iceberg Java API, Athena/Trino and
 * PyIceberg (../shared/fixtures/iceberg, copied to a temporary directory first). Fields are
 * found by Iceberg field id, as the Iceberg library will find them, and the values are checked
 * against the facts in the fixtures README.
 */
#include "floe_test.h"

#include "floe/avro.h"
#include "floe/io.h"

#include <stdio.h>

typedef struct avro_file {
    floe_fileio *io;
    floe_input *in;
    floe_avro_reader *r;
    floe_value *rows;
    size_t n;
} avro_file;

/* Open `<copy of iceberg/>/<rel>` and read every record into the test arena. */
static void load(floe_test_ctx *t, const char *root, const char *rel, avro_file *f)
{
    floe_err err = {0};
    memset(f, 0, sizeof(*f));
    char *path = rel[0] == '/' ? floe_xstrdup(rel) : floe_io_join(root, rel);
    f->io = floe_fileio_local_new(NULL);
    FLOE_ASSERT_OK(floe_io_open(f->io, path, &f->in, &err), &err);
    free(path);
    FLOE_ASSERT_OK(floe_avro_reader_open(f->in, NULL, &f->r, &err), &err);
    size_t cap = 0;
    for (;;) {
        floe_value v;
        bool got = false;
        FLOE_ASSERT_OK(floe_avro_reader_next(f->r, t->arena, &v, &got, &err), &err);
        if (!got) {
            break;
        }
        if (f->n == cap) {
            cap = cap ? 2 * cap : 8;
            floe_value *grown = floe_arena_alloc(t->arena, cap * sizeof(*grown));
            if (f->n > 0) {
                memcpy(grown, f->rows, f->n * sizeof(*grown));
            }
            f->rows = grown;
        }
        f->rows[f->n++] = v;
    }
}

static void unload(avro_file *f)
{
    floe_avro_reader_close(f->r);
    floe_input_close(f->in);
    floe_fileio_free(f->io);
}

static const floe_avro_node *root_of(const avro_file *f)
{
    return floe_avro_schema_root(floe_avro_reader_schema(f->r));
}

/* The field with Iceberg id `id` of record value `v` whose schema is `rec`; fails if absent. */
static const floe_value *by_id(const floe_avro_node *rec, const floe_value *v, int32_t id)
{
    int i = floe_avro_field_index_by_id(rec, id);
    if (i < 0) {
        fail_msg("record %s has no field with id %d", floe_avro_node_fullname(rec), (int)id);
    }
    assert_int_equal(v->kind, FLOE_V_STRUCT);
    return &v->u.nested.items[i];
}

/* The record type of field `id` (through an optional union). */
static const floe_avro_node *type_by_id(const floe_avro_node *rec, int32_t id)
{
    int i = floe_avro_field_index_by_id(rec, id);
    assert_true(i >= 0);
    return floe_avro_node_nonnull(floe_avro_field_type(rec, (size_t)i));
}

static bool meta_is(const avro_file *f, const char *key, const char *want)
{
    floe_str v;
    return floe_avro_reader_meta_get(f->r, key, &v) && floe_str_eq_c(v, want);
}

/* Every field of every record reachable from `n` carries a field-id. */
static void check_field_ids(const floe_avro_node *n, int depth)
{
    assert_true(depth < 32);
    switch (floe_avro_node_type(n)) {
    case FLOE_AVRO_RECORD:
        for (size_t i = 0; i < floe_avro_node_count(n); i++) {
            int32_t id;
            if (!floe_avro_field_id(n, i, &id)) {
                fail_msg("field %s of %s has no field-id", floe_avro_field_name(n, i),
                         floe_avro_node_fullname(n));
            }
            check_field_ids(floe_avro_field_type(n, i), depth + 1);
        }
        break;
    case FLOE_AVRO_UNION:
        for (size_t i = 0; i < floe_avro_node_count(n); i++) {
            check_field_ids(floe_avro_node_branch(n, i), depth + 1);
        }
        break;
    case FLOE_AVRO_ARRAY: {
        int64_t id;
        /* A plain list carries its element id; a k/v map array has ids on its record. */
        if (floe_avro_node_logical(n) != FLOE_AVRO_LT_MAP) {
            assert_true(floe_avro_node_int_prop(n, "element-id", &id));
        }
        check_field_ids(floe_avro_node_items(n), depth + 1);
        break;
    }
    case FLOE_AVRO_MAP:
        check_field_ids(floe_avro_node_items(n), depth + 1);
        break;
    default:
        break;
    }
}

typedef struct list_ctx {
    floe_test_ctx *t;
    const char *root;
    size_t files;
    size_t records;
} list_ctx;

static floe_status check_one(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    list_ctx *c = ud;
    if (!floe_ends_with(info->location, ".avro")) {
        return FLOE_OK;
    }
    avro_file f;
    load(c->t, c->root, info->location, &f);
    const floe_avro_node *root = root_of(&f);
    const char *name = floe_avro_node_fullname(root);
    bool is_list = strstr(info->location, "/snap-") != NULL;
    assert_string_equal(name, is_list ? "manifest_file" : "manifest_entry");
    check_field_ids(root, 0);
    assert_true(floe_avro_reader_meta_get(f.r, "format-version", &(floe_str){0}));
    /* PyIceberg wrote the null codec, everyone else deflate (fixtures README). */
    bool py = strstr(info->location, "pyiceberg_day_partition_map") != NULL;
    assert_string_equal(floe_avro_reader_codec_name(f.r), py ? "null" : "deflate");
    assert_true(f.n >= 1);
    c->files++;
    c->records += f.n;
    unload(&f);
    return FLOE_OK;
}

static void test_every_fixture_avro_file_reads(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    const char *root = floe_test_copy_shared(t, "iceberg");
    floe_fileio *io = floe_fileio_local_new(NULL);
    list_ctx c = {.t = t, .root = root};
    FLOE_ASSERT_OK(floe_io_list(io, root, check_one, &c, &err), &err);
    floe_fileio_free(io);
    assert_int_equal(c.files, 36);
    assert_true(c.records >= 50);
}

static void test_spark_v2_bucket_identity_partitions(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg/spark_bucket_identity_rename");
    avro_file list;
    load(t, root, "metadata/snap-5276958600260276572-1-abf62b15-903b-40b6-9e6b-26bcdceac9b3.avro",
         &list);
    assert_true(meta_is(&list, "snapshot-id", "5276958600260276572"));
    assert_true(meta_is(&list, "format-version", "2"));
    assert_true(meta_is(&list, "parent-snapshot-id", "null"));
    assert_int_equal(list.n, 1);
    const floe_avro_node *mf = root_of(&list);
    assert_true(floe_str_eq_c((floe_str){(const char *)by_id(mf, &list.rows[0], 500)->u.bytes.ptr,
                                         by_id(mf, &list.rows[0], 500)->u.bytes.len},
                              "s3a://hyperparam-iceberg/spark/rename_column/metadata/"
                              "abf62b15-903b-40b6-9e6b-26bcdceac9b3-m0.avro"));
    assert_int_equal(by_id(mf, &list.rows[0], 515)->u.i64, 1); /* sequence_number */
    assert_true(by_id(mf, &list.rows[0], 503)->u.i64 == 5276958600260276572LL);
    assert_int_equal(by_id(mf, &list.rows[0], 512)->u.i64, 4); /* added_rows_count */
    unload(&list);

    avro_file m;
    load(t, root, "metadata/abf62b15-903b-40b6-9e6b-26bcdceac9b3-m0.avro", &m);
    assert_true(meta_is(&m, "content", "data"));
    assert_true(meta_is(&m, "partition-spec-id", "0"));
    assert_int_equal(m.n, 3);
    const floe_avro_node *entry = root_of(&m);
    const floe_avro_node *df = type_by_id(entry, 2);
    const floe_avro_node *part = type_by_id(df, 102);
    /* Partitions (0, 2022-01-01), (2, 2022-01-02) and (3, null), in some order. */
    int64_t rows = 0;
    int seen = 0;
    for (size_t i = 0; i < m.n; i++) {
        const floe_value *file = by_id(entry, &m.rows[i], 2);
        const floe_value *p = by_id(df, file, 102);
        const floe_value *bucket = by_id(part, p, 1000), *date = by_id(part, p, 1001);
        assert_int_equal(bucket->kind, FLOE_V_INT);
        rows += by_id(df, file, 103)->u.i64;
        const floe_value *path = by_id(df, file, 100);
        char buf[256];
        snprintf(buf, sizeof(buf), "%.*s", (int)path->u.bytes.len, (const char *)path->u.bytes.ptr);
        if (bucket->u.i32 == 3) {
            assert_int_equal(date->kind, FLOE_V_NULL);
            assert_non_null(strstr(buf, "/id_bucket=3/date=null/"));
            seen |= 1;
        } else {
            assert_int_equal(date->kind, FLOE_V_DATE);
            int32_t want = bucket->u.i32 == 0 ? 18993 : 18994; /* 2022-01-01, 2022-01-02 */
            assert_int_equal(date->u.i32, want);
            seen |= bucket->u.i32 == 0 ? 2 : 4;
        }
        assert_int_equal(by_id(entry, &m.rows[i], 0)->u.i32, 1); /* ADDED */
        /* v2 added entries inherit their sequence numbers: null in the file. */
        assert_int_equal(by_id(entry, &m.rows[i], 3)->kind, FLOE_V_NULL);
        assert_int_equal(by_id(entry, &m.rows[i], 4)->kind, FLOE_V_NULL);
    }
    assert_int_equal(seen, 7);
    assert_int_equal(rows, 4);
    unload(&m);
}

static void test_spark_v1_has_no_sequence_numbers(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg/spark_v1_day_partition");
    avro_file list;
    load(t, root, "metadata/snap-7051579356916758811-1-aef5d952-7e24-4764-9b30-3483be37240f.avro",
         &list);
    assert_true(meta_is(&list, "format-version", "1"));
    const floe_avro_node *mf = root_of(&list);
    assert_int_equal(floe_avro_field_index_by_id(mf, 515), -1); /* no sequence_number */
    assert_int_equal(floe_avro_field_index_by_id(mf, 517), -1); /* no content */
    assert_true(floe_avro_field_index_by_id(mf, 500) >= 0);
    assert_int_equal(list.n, 1);
    unload(&list);

    avro_file m;
    load(t, root, "metadata/aef5d952-7e24-4764-9b30-3483be37240f-m0.avro", &m);
    const floe_avro_node *entry = root_of(&m);
    assert_int_equal(floe_avro_field_index_by_id(entry, 3), -1);
    assert_int_equal(floe_avro_field_index_by_id(entry, 4), -1);
    const floe_avro_node *df = type_by_id(entry, 2);
    assert_true(floe_avro_field_index_by_id(df, 105) >= 0); /* v1 block_size_in_bytes */
    assert_int_equal(floe_avro_field_index_by_id(df, 134), -1);
    const floe_avro_node *part = type_by_id(df, 102);
    assert_int_equal(floe_avro_node_logical(type_by_id(part, 1000)), FLOE_AVRO_LT_DATE);
    assert_int_equal(m.n, 2);
    int64_t rows = 0;
    int days = 0;
    for (size_t i = 0; i < m.n; i++) {
        const floe_value *file = by_id(entry, &m.rows[i], 2);
        rows += by_id(df, file, 103)->u.i64;
        const floe_value *day = by_id(part, by_id(df, file, 102), 1000);
        assert_int_equal(day->kind, FLOE_V_DATE);
        days |= day->u.i32 == 19417 ? 1 : day->u.i32 == 19418 ? 2 : 4; /* 2023-03-01/02 */
        const floe_value *path = by_id(df, file, 100);
        assert_true(path->u.bytes.len > 30);
        assert_memory_equal(path->u.bytes.ptr, "/tmp/iceberg/t1/data/ts_day=2023-03-0", 37);
    }
    assert_int_equal(days, 3);
    assert_int_equal(rows, 3);
    unload(&m);
}

static void test_spark_deleted_entry_keeps_explicit_sequence_numbers(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg/spark_posdel_schema_evolution");
    avro_file list;
    load(t, root, "metadata/snap-2701171901096418979-1-91d5eea0-314d-4056-8818-59b825cbd38a.avro",
         &list);
    assert_int_equal(list.n, 3); /* new data, the deleted entry, the still-live deletes */
    const floe_avro_node *mf = root_of(&list);
    int deletes = 0;
    for (size_t i = 0; i < list.n; i++) {
        deletes += by_id(mf, &list.rows[i], 517)->u.i32 == 1;
    }
    assert_int_equal(deletes, 1);
    unload(&list);

    avro_file m0, m1, del;
    load(t, root, "metadata/91d5eea0-314d-4056-8818-59b825cbd38a-m0.avro", &m0);
    const floe_avro_node *entry = root_of(&m0);
    assert_int_equal(by_id(entry, &m0.rows[0], 0)->u.i32, 2); /* DELETED */
    assert_int_equal(by_id(entry, &m0.rows[0], 3)->kind, FLOE_V_LONG);
    assert_int_equal(by_id(entry, &m0.rows[0], 3)->u.i64, 1);
    assert_int_equal(by_id(entry, &m0.rows[0], 4)->u.i64, 1);
    unload(&m0);
    load(t, root, "metadata/91d5eea0-314d-4056-8818-59b825cbd38a-m1.avro", &m1);
    entry = root_of(&m1);
    assert_int_equal(by_id(entry, &m1.rows[0], 0)->u.i32, 1);
    assert_int_equal(by_id(entry, &m1.rows[0], 3)->kind, FLOE_V_NULL);
    const floe_avro_node *df = type_by_id(entry, 2);
    assert_int_equal(by_id(df, by_id(entry, &m1.rows[0], 2), 103)->u.i64, 20);
    unload(&m1);
    load(t, root, "metadata/ac75cc9f-cc0c-4712-8337-fe4b0c473459-m0.avro", &del);
    entry = root_of(&del);
    df = type_by_id(entry, 2);
    const floe_value *file = by_id(entry, &del.rows[0], 2);
    assert_int_equal(by_id(df, file, 134)->u.i32, 1); /* position deletes */
    const floe_value *path = by_id(df, file, 100);
    assert_true(path->u.bytes.len > 16);
    assert_memory_equal(path->u.bytes.ptr + path->u.bytes.len - 16, "-deletes.parquet", 16);
    /* Bounds maps are keyed by int column ids: the reserved file_path id 2147483546. */
    const floe_value *lower = by_id(df, file, 125);
    assert_int_equal(lower->kind, FLOE_V_MAP);
    assert_int_equal(lower->u.nested.items[0].u.i32, 2147483546);
    unload(&del);
}

static void test_java_equality_and_position_deletes(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg/java_api_pos_and_eq_deletes");
    avro_file pos, eq;
    load(t, root, "metadata/e1756967-c907-47e2-8b37-82123c5e5908-m0.avro", &pos);
    const floe_avro_node *entry = root_of(&pos);
    const floe_avro_node *df = type_by_id(entry, 2);
    const floe_value *file = by_id(entry, &pos.rows[0], 2);
    assert_int_equal(by_id(df, file, 134)->u.i32, 1);
    assert_int_equal(by_id(df, file, 103)->u.i64, 6); /* positions 2, 3, 4, 5, 6, 11 */
    assert_true(meta_is(&pos, "content", "deletes"));
    unload(&pos);
    load(t, root, "metadata/a01399a1-e864-4562-b921-c8cb56e6e4a9-m1.avro", &eq);
    entry = root_of(&eq);
    df = type_by_id(entry, 2);
    file = by_id(entry, &eq.rows[0], 2);
    assert_int_equal(by_id(df, file, 134)->u.i32, 2);
    const floe_value *ids = by_id(df, file, 135);
    assert_int_equal(ids->kind, FLOE_V_LIST);
    assert_int_equal(ids->u.nested.n, 1);
    assert_int_equal(ids->u.nested.items[0].u.i32, 1);
    unload(&eq);

    root = floe_test_copy_shared(t, "iceberg/java_api_eq_deletes_identity_partition");
    static const struct {
        const char *file;
        const char *partition;
        int n_ids;
        int ids[2];
    } deletes[] = {
        {"metadata/b096df95-e029-4163-a7b4-762554ad0da9-m0.avro", "b", 1, {2, 0}},
        {"metadata/36f9b154-c2d2-411f-9f29-9d23d46d688b-m0.avro", "c", 2, {2, 1}},
        {"metadata/ff275eec-b23b-435f-a6a5-1ab7ce1c8749-m0.avro", "f", 1, {2, 0}},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(deletes); i++) {
        avro_file d;
        load(t, root, deletes[i].file, &d);
        entry = root_of(&d);
        df = type_by_id(entry, 2);
        file = by_id(entry, &d.rows[0], 2);
        assert_int_equal(by_id(df, file, 134)->u.i32, 2);
        ids = by_id(df, file, 135);
        assert_int_equal(ids->u.nested.n, deletes[i].n_ids);
        for (int k = 0; k < deletes[i].n_ids; k++) {
            assert_int_equal(ids->u.nested.items[k].u.i32, deletes[i].ids[k]);
        }
        const floe_value *name = by_id(type_by_id(df, 102), by_id(df, file, 102), 1000);
        assert_int_equal(name->kind, FLOE_V_STRING);
        assert_true(name->u.bytes.len == 1 && name->u.bytes.ptr[0] == deletes[i].partition[0]);
        unload(&d);
    }
}

static void test_pyiceberg_null_codec_and_day_partition(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg/pyiceberg_day_partition_map");
    avro_file list;
    load(t, root, "metadata/snap-554549470069664013-0-8574bca8-244f-4667-965a-03a41a3e4e0e.avro",
         &list);
    assert_int_equal(floe_avro_reader_codec(list.r), FLOE_CODEC_NONE);
    assert_int_equal(list.n, 2); /* two snapshots, one manifest each */
    unload(&list);
    avro_file m;
    load(t, root, "metadata/8ed9efb3-5eb4-4225-a66a-2b6b46cb4d32-m0.avro", &m);
    const floe_avro_node *entry = root_of(&m);
    const floe_avro_node *df = type_by_id(entry, 2);
    const floe_value *file = by_id(entry, &m.rows[0], 2);
    const floe_value *part = by_id(df, file, 102);
    assert_int_equal(part->u.nested.n, 1);
    assert_int_equal(part->u.nested.items[0].kind, FLOE_V_DATE);
    assert_int_equal(part->u.nested.items[0].u.i32, 20454); /* 2026-01-01 */
    assert_int_equal(by_id(df, file, 103)->u.i64, 1);
    unload(&m);
}

FLOE_TEST_GROUP(fixtures)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_fixture_avro_file_reads),
        T(test_spark_v2_bucket_identity_partitions),
        T(test_spark_v1_has_no_sequence_numbers),
        T(test_spark_deleted_entry_keeps_explicit_sequence_numbers),
        T(test_java_equality_and_position_deletes),
        T(test_pyiceberg_null_codec_and_day_partition),
    };
#undef T
    return cmocka_run_group_tests_name("fixtures", tests, NULL, NULL);
}
