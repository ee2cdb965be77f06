/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg row writer: round trips through the reader, partitioning, rolling, sorting,
 * metrics (counts, bounds, truncation, per-column modes), file naming and error paths.
 */
#include "rows_helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floe/parquet.h"

static const char *FLAT_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"name\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"price\",\"required\":false,\"type\":\"decimal(10,2)\"},"
    "{\"id\":4,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":5,\"name\":\"score\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":6,\"name\":\"flag\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":7,\"name\":\"day\",\"required\":false,\"type\":\"date\"},"
    "{\"id\":8,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":9,\"name\":\"bin\",\"required\":false,\"type\":\"binary\"},"
    "{\"id\":10,\"name\":\"fx\",\"required\":false,\"type\":\"fixed[3]\"},"
    "{\"id\":11,\"name\":\"big\",\"required\":false,\"type\":\"decimal(30,3)\"},"
    "{\"id\":12,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":13,\"name\":\"i\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":14,\"name\":\"t\",\"required\":false,\"type\":\"time\"}]}";

static floe_fileio *new_io(void)
{
    floe_local_io_opts lo = {.no_sync = true};
    return floe_fileio_local_new(&lo);
}

static const floe_data_file *write_rows(floe_test_ctx *t, floe_fileio *io,
                                        const floe_ice_write_opts *o, const char *const *rows,
                                        size_t n, size_t *n_files)
{
    floe_err err = {0};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, o, &w, &err), &err);
    const floe_ice_schema *s =
        o->schema != NULL ? o->schema : floe_table_meta_current_schema(o->table);
    rows_test_write(t->arena, w, s, rows, n);
    const floe_data_file *files = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, n_files, &err), &err);
    floe_ice_writer_free(w);
    return files;
}

static const char *read_file(floe_test_ctx *t, floe_fileio *io, const floe_ice_schema *s,
                             const floe_data_file *f)
{
    floe_ice_read_opts ro = {.schema = s, .file = f};
    return rows_test_read(t, io, &ro, NULL);
}

static int64_t count_of(const floe_field_count *c, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].field_id == id) {
            return c[i].value;
        }
    }
    return -1;
}

static void test_flat_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "flat", FLAT_SCHEMA, NULL, NULL, NULL, 0);
    const char *rows[] = {
        "{\"1\":1,\"2\":\"alpha\",\"3\":\"12.30\",\"4\":\"2024-01-02T03:04:05.000006+00:00\","
        "\"5\":1.5,\"6\":true,\"7\":\"2024-01-02\",\"8\":\"f79c3e09-677c-4bbd-a479-3f349cb785e7\","
        "\"9\":\"00ff\",\"10\":\"616263\",\"11\":\"-12345678901234567890.125\",\"12\":0.25,"
        "\"13\":-7,\"14\":\"22:31:08.000001\"}",
        "{\"1\":2,\"2\":null,\"3\":null,\"4\":null,\"5\":null,\"6\":null,\"7\":null,\"8\":null,"
        "\"9\":null,\"10\":null,\"11\":null,\"12\":null,\"13\":null,\"14\":null}",
        "{\"1\":-3,\"2\":\"\",\"3\":\"-0.05\",\"4\":\"1969-12-31T23:59:59.999999+00:00\","
        "\"5\":-0.0,\"6\":false,\"7\":\"1960-01-01\",\"8\":\"00000000-0000-0000-0000-"
        "000000000000\","
        "\"9\":\"\",\"10\":\"000000\",\"11\":\"0.000\",\"12\":-1.5,\"13\":2147483647,"
        "\"14\":\"00:00:00.000000\"}",
    };
    size_t n = 0;
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *f = write_rows(t, io, &o, rows, 3, &n);
    assert_int_equal(n, 1);
    assert_int_equal(f->record_count, 3);
    assert_int_equal(f->content, FLOE_CONTENT_DATA);
    assert_true(floe_starts_with(f->file_path, m->location));
    assert_non_null(strstr(f->file_path, "/data/"));
    assert_true(floe_ends_with(f->file_path, "-00001.parquet"));
    assert_false(f->has_sort_order_id);
    assert_int_equal(f->n_split_offsets, 1);
    assert_int_equal(f->split_offsets[0], 4);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    const char *got = read_file(t, io, s, f);
    const char *want =
        "{\"id\":1,\"name\":\"alpha\",\"price\":\"12.30\",\"ts\":\"2024-01-02T03:04:05.000006+00:"
        "00\",\"score\":1.5,\"flag\":true,\"day\":\"2024-01-02\",\"u\":\"f79c3e09-677c-4bbd-a479-"
        "3f349cb785e7\",\"bin\":\"00ff\",\"fx\":\"616263\",\"big\":\"-12345678901234567890.125\","
        "\"f\":0.25,\"i\":-7,\"t\":\"22:31:08.000001\"}\n"
        "{\"id\":2,\"name\":null,\"price\":null,\"ts\":null,\"score\":null,\"flag\":null,\"day\":"
        "null,\"u\":null,\"bin\":null,\"fx\":null,\"big\":null,\"f\":null,\"i\":null,\"t\":null}\n"
        "{\"id\":-3,\"name\":\"\",\"price\":\"-0.05\",\"ts\":\"1969-12-31T23:59:59.999999+00:00\","
        "\"score\":-0,\"flag\":false,\"day\":\"1960-01-01\",\"u\":\"00000000-0000-0000-0000-"
        "000000000000\",\"bin\":\"\",\"fx\":\"000000\",\"big\":\"0.000\",\"f\":-1.5,\"i\":"
        "2147483647,\"t\":\"00:00:00.000000\"}\n";
    assert_string_equal(got, want);

    /* Metrics: counts for every column, bounds decoded with the column types. */
    floe_err err = {0};
    assert_int_equal(count_of(f->value_counts, f->n_value_counts, 1), 3);
    assert_int_equal(count_of(f->null_value_counts, f->n_null_value_counts, 1), 0);
    assert_int_equal(count_of(f->null_value_counts, f->n_null_value_counts, 2), 1);
    assert_int_equal(count_of(f->nan_value_counts, f->n_nan_value_counts, 5), 0);
    assert_int_equal(count_of(f->nan_value_counts, f->n_nan_value_counts, 1), -1);
    assert_true(count_of(f->column_sizes, f->n_column_sizes, 1) > 0);
    struct {
        int32_t id;
        const char *lo, *hi;
    } bounds[] = {
        {1, "-3", "2"},
        {2, "\"\"", "\"alpha\""},
        {3, "\"-0.05\"", "\"12.30\""},
        {4, "\"1969-12-31T23:59:59.999999+00:00\"", "\"2024-01-02T03:04:05.000006+00:00\""},
        {5, "-0", "1.5"},
        {6, "false", "true"},
        {7, "\"1960-01-01\"", "\"2024-01-02\""},
        {11, "\"-12345678901234567890.125\"", "\"0.000\""},
        {13, "-7", "2147483647"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bounds); i++) {
        const floe_ice_field *fld = floe_ice_schema_find_id(s, bounds[i].id);
        floe_str lb, ub;
        assert_true(floe_data_file_lower_bound(f, bounds[i].id, &lb));
        assert_true(floe_data_file_upper_bound(f, bounds[i].id, &ub));
        floe_value lv, uv;
        FLOE_ASSERT_OK(floe_ice_value_from_bytes(fld->type, lb, &lv, &err), &err);
        FLOE_ASSERT_OK(floe_ice_value_from_bytes(fld->type, ub, &uv, &err), &err);
        floe_buf b;
        floe_buf_init(&b, 0);
        FLOE_ASSERT_OK(floe_value_to_json(&lv, &b, &err), &err);
        assert_string_equal(floe_buf_cstr(&b), bounds[i].lo);
        floe_buf_reset(&b);
        FLOE_ASSERT_OK(floe_value_to_json(&uv, &b, &err), &err);
        assert_string_equal(floe_buf_cstr(&b), bounds[i].hi);
        floe_buf_fini(&b);
    }
    /* Decimal bounds are minimal big-endian bytes, not the fixed width. */
    floe_str db;
    assert_true(floe_data_file_lower_bound(f, 3, &db));
    assert_int_equal(db.len, 1);
    assert_int_equal((uint8_t)db.ptr[0], 0xfb); /* -5 */

    /* The file has field ids and the Iceberg schema in its footer. */
    floe_pq_reader *pr = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, f->file_path, NULL, &pr, &err), &err);
    const floe_pq_file_meta *pm = floe_pq_reader_meta(pr);
    assert_non_null(floe_pq_meta_kv(pm, "iceberg.schema"));
    assert_int_equal(pm->schema.leaves[0]->field_id, 1);
    assert_int_equal(pm->row_groups[0].columns[0].codec, FLOE_PQ_ZSTD);
    assert_int_equal(f->file_size_in_bytes, (int64_t)floe_pq_reader_file_size(pr));
    floe_pq_reader_close(pr);
    floe_fileio_free(io);
}

static const char *NESTED_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"int\"},"
    "{\"id\":2,\"name\":\"loc\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":5,\"name\":\"lat\",\"required\":true,\"type\":\"double\"},"
    "{\"id\":6,\"name\":\"tag\",\"required\":false,\"type\":\"string\"}]}},"
    "{\"id\":3,\"name\":\"items\",\"required\":false,\"type\":{\"type\":\"list\","
    "\"element-id\":7,\"element-required\":false,\"element\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":8,\"name\":\"k\",\"required\":true,\"type\":\"string\"},"
    "{\"id\":9,\"name\":\"v\",\"required\":false,\"type\":{\"type\":\"list\",\"element-id\":10,"
    "\"element-required\":true,\"element\":\"long\"}}]}}},"
    "{\"id\":4,\"name\":\"attrs\",\"required\":false,\"type\":{\"type\":\"map\",\"key-id\":11,"
    "\"key\":\"string\",\"value-id\":12,\"value-required\":false,\"value\":\"int\"}}]}";

static void test_nested_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "nested", NESTED_SCHEMA, NULL, NULL, NULL, 0);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    assert_int_equal(floe_ice_schema_find_name(s, "items.element.v.element")->id, 10);
    const char *rows[] = {
        "{\"1\":1,\"2\":{\"5\":1.5,\"6\":\"x\"},\"3\":[{\"8\":\"a\",\"9\":[1,2]},null,"
        "{\"8\":\"b\",\"9\":[]},{\"8\":\"c\",\"9\":null}],\"4\":{\"keys\":[\"p\",\"q\"],"
        "\"values\":[1,null]}}",
        "{\"1\":2,\"2\":null,\"3\":null,\"4\":null}",
        "{\"1\":3,\"2\":{\"5\":-2,\"6\":null},\"3\":[],\"4\":{\"keys\":[],\"values\":[]}}",
    };
    size_t n = 0;
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *f = write_rows(t, io, &o, rows, 3, &n);
    assert_int_equal(n, 1);
    const char *got = read_file(t, io, s, f);
    assert_string_equal(
        got, "{\"id\":1,\"loc\":{\"lat\":1.5,\"tag\":\"x\"},\"items\":[{\"k\":\"a\",\"v\":[1,2]},"
             "null,{\"k\":\"b\",\"v\":[]},{\"k\":\"c\",\"v\":null}],\"attrs\":[{\"key\":\"p\","
             "\"value\":1},{\"key\":\"q\",\"value\":null}]}\n"
             "{\"id\":2,\"loc\":null,\"items\":null,\"attrs\":null}\n"
             "{\"id\":3,\"loc\":{\"lat\":-2,\"tag\":null},\"items\":[],\"attrs\":[]}\n");
    /* Leaves inside lists and maps have counts but no bounds; struct leaves have both. */
    assert_int_equal(count_of(f->value_counts, f->n_value_counts, 10), 7);
    assert_int_equal(count_of(f->null_value_counts, f->n_null_value_counts, 10), 5);
    floe_str b;
    assert_false(floe_data_file_lower_bound(f, 10, &b));
    assert_false(floe_data_file_lower_bound(f, 8, &b));
    assert_false(floe_data_file_lower_bound(f, 11, &b));
    assert_true(floe_data_file_lower_bound(f, 5, &b));
    assert_int_equal(count_of(f->null_value_counts, f->n_null_value_counts, 5), 1);

    /* A required struct field that is null, and a value of the wrong kind, are refused. */
    floe_err err = {0};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &o, &w, &err), &err);
    floe_value bad = rows_test_row(t->arena, s, "{\"1\":4,\"2\":{\"5\":null},\"3\":null}");
    FLOE_ASSERT_ERR(floe_ice_writer_write_row(w, &bad, &err), FLOE_ERR_INVALID, &err,
                    "required column 'lat' is null");
    floe_err_clear(&err);
    floe_value ok = rows_test_row(t->arena, s, "{\"1\":5}");
    floe_value wrong = ok;
    floe_value items[4];
    memcpy(items, ok.u.nested.items, sizeof(items));
    items[0] = floe_value_string("x", 1);
    wrong.u.nested.items = items;
    FLOE_ASSERT_ERR(floe_ice_writer_write_row(w, &wrong, &err), FLOE_ERR_INVALID, &err,
                    "column 'id'");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_writer_write_row(w, &ok, &err), &err);
    const floe_data_file *files;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, &n, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(n, 1);
    assert_int_equal(files[0].record_count, 1); /* refused rows left nothing behind */
    got = read_file(t, io, s, &files[0]);
    assert_string_equal(got, "{\"id\":5,\"loc\":null,\"items\":null,\"attrs\":null}\n");
    floe_fileio_free(io);
}

static const char *PART_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"cat\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"}]}";

static void test_partitioned_files(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(
        t, "part", PART_SCHEMA,
        "{\"spec-id\":0,\"fields\":[{\"source-id\":2,\"field-id\":1000,\"name\":\"cat\","
        "\"transform\":\"identity\"},{\"source-id\":3,\"field-id\":1001,\"name\":\"ts_day\","
        "\"transform\":\"day\"}]}",
        NULL, NULL, 0);
    const char *rows[] = {
        "{\"1\":1,\"2\":\"a b/c\",\"3\":\"2024-03-01T10:00:00.000000\"}",
        "{\"1\":2,\"2\":null,\"3\":\"2024-03-01T11:00:00.000000\"}",
        "{\"1\":3,\"2\":\"a b/c\",\"3\":\"2024-03-01T23:59:59.999999\"}",
        "{\"1\":4,\"2\":\"z\",\"3\":null}",
        "{\"1\":5,\"2\":\"a b/c\",\"3\":\"2024-03-02T00:00:00.000000\"}",
    };
    size_t n = 0;
    floe_ice_write_opts o = {.table = m, .max_open_files = 2};
    const floe_data_file *files = write_rows(t, io, &o, rows, 5, &n);
    assert_int_equal(n, 4);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    int64_t total = 0;
    bool saw_escaped = false, saw_null = false;
    for (size_t i = 0; i < n; i++) {
        const floe_data_file *f = &files[i];
        total += f->record_count;
        assert_int_equal(f->partition.kind, FLOE_V_STRUCT);
        assert_int_equal(f->partition.u.nested.n, 2);
        /* The tuple's field names outlive the (freed) writer: they are the caller's. */
        assert_string_equal(f->partition.u.nested.names[0], "cat");
        assert_string_equal(f->partition.u.nested.names[1], "ts_day");
        const char *got = read_file(t, io, s, f);
        assert_int_equal(rows_test_lines(got), f->record_count);
        if (strstr(f->file_path, "/cat=a+b%2Fc/ts_day=2024-03-01/") != NULL) {
            saw_escaped = true;
            assert_int_equal(f->record_count, 2);
            assert_string_equal(got, "{\"id\":1,\"cat\":\"a b/c\",\"ts\":\"2024-03-01T10:00:00."
                                     "000000\"}\n{\"id\":3,\"cat\":\"a b/c\",\"ts\":\"2024-03-"
                                     "01T23:59:59.999999\"}\n");
        }
        if (strstr(f->file_path, "/cat=null/ts_day=2024-03-01/") != NULL) {
            saw_null = true;
            assert_int_equal(f->partition.u.nested.items[0].kind, FLOE_V_NULL);
            assert_int_equal(f->partition.u.nested.items[1].kind, FLOE_V_DATE);
        }
    }
    assert_true(saw_escaped);
    assert_true(saw_null);
    assert_int_equal(total, 5);
    floe_fileio_free(io);
}

static void test_open_file_bound_rolls_partitions(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(
        t, "lru", PART_SCHEMA,
        "{\"spec-id\":0,\"fields\":[{\"source-id\":1,\"field-id\":1000,\"name\":\"b\","
        "\"transform\":\"bucket[3]\"}]}",
        NULL, NULL, 0);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    floe_err err = {0};
    floe_ice_write_opts o = {.table = m, .max_open_files = 1};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &o, &w, &err), &err);
    /* Alternating buckets with one open file: every change of partition closes a file. */
    int64_t ids[] = {34, 1, 34, 1};
    int32_t b34, b1;
    floe_value v34 = floe_value_long(34), v1 = floe_value_long(1);
    FLOE_ASSERT_OK(floe_ice_bucket_hash(floe_ice_type_get(FLOE_ICE_LONG), &v34, &b34, &err), &err);
    FLOE_ASSERT_OK(floe_ice_bucket_hash(floe_ice_type_get(FLOE_ICE_LONG), &v1, &b1, &err), &err);
    assert_int_not_equal((b34 & 0x7fffffff) % 3, (b1 & 0x7fffffff) % 3);
    for (size_t i = 0; i < 4; i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"1\":%lld}", (long long)ids[i]);
        floe_value row = rows_test_row(t->arena, s, json);
        FLOE_ASSERT_OK(floe_ice_writer_write_row(w, &row, &err), &err);
    }
    const floe_data_file *files;
    size_t n;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, &n, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(files[i].record_count, 1);
        assert_int_equal(files[i].partition.u.nested.items[0].u.i32,
                         (int32_t)(((ids[i] == 34 ? b34 : b1) & 0x7fffffff) % 3));
        assert_true(floe_ends_with(files[i].file_path, i == 0   ? "-00001.parquet"
                                                       : i == 1 ? "-00002.parquet"
                                                       : i == 2 ? "-00003.parquet"
                                                                : "-00004.parquet"));
    }
    floe_fileio_free(io);
}

static void test_rolls_at_target_size(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    const char *props[] = {"write.target-file-size-bytes=1", "write.parquet.compression-codec=gzip",
                           "write.parquet.row-group-size-bytes=4096"};
    floe_table_meta *m = rows_test_table(t, "roll", PART_SCHEMA, NULL, NULL, props, 3);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    floe_err err = {0};
    floe_ice_write_opts o = {.table = m};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &o, &w, &err), &err);
    /* One batch of 2500 rows: files roll after each chunk of 1024 rows. */
    size_t nrows = 2500;
    floe_value *ids = floe_arena_calloc(t->arena, nrows, sizeof(floe_value));
    floe_value *cats = floe_arena_calloc(t->arena, nrows, sizeof(floe_value));
    floe_value *tss = floe_arena_calloc(t->arena, nrows, sizeof(floe_value));
    for (size_t i = 0; i < nrows; i++) {
        ids[i] = floe_value_long((int64_t)i);
        cats[i] = floe_value_string("c", 1);
        tss[i] = floe_value_timestamp((int64_t)i * 1000000, FLOE_UNIT_MICROS, false);
    }
    const floe_value *cols[] = {ids, cats, tss};
    floe_ice_batch b = {.schema = s, .n_rows = nrows, .n_columns = 3, .columns = cols};
    FLOE_ASSERT_OK(floe_ice_writer_write(w, &b, &err), &err);
    const floe_data_file *files;
    size_t n;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, &n, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(n, 3);
    assert_int_equal(files[0].record_count, 1024);
    assert_int_equal(files[1].record_count, 1024);
    assert_int_equal(files[2].record_count, 452);
    /* Small row groups: several split offsets, ascending. */
    assert_true(files[0].n_split_offsets > 1);
    for (size_t i = 1; i < files[0].n_split_offsets; i++) {
        assert_true(files[0].split_offsets[i] > files[0].split_offsets[i - 1]);
    }
    floe_pq_reader *pr = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, files[1].file_path, NULL, &pr, &err), &err);
    assert_int_equal(floe_pq_reader_meta(pr)->row_groups[0].columns[0].codec, FLOE_PQ_GZIP);
    floe_pq_reader_close(pr);
    const char *got = read_file(t, io, s, &files[2]);
    assert_true(floe_starts_with(got, "{\"id\":2048,"));
    floe_fileio_free(io);
}

static void test_sorted_write(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(
        t, "sorted", PART_SCHEMA,
        "{\"spec-id\":0,\"fields\":[{\"source-id\":2,\"field-id\":1000,\"name\":\"cat\","
        "\"transform\":\"identity\"}]}",
        "{\"order-id\":1,\"fields\":[{\"transform\":\"identity\",\"source-id\":3,"
        "\"direction\":\"desc\",\"null-order\":\"nulls-last\"},{\"transform\":\"identity\","
        "\"source-id\":1,\"direction\":\"asc\",\"null-order\":\"nulls-first\"}]}",
        NULL, 0);
    const char *rows[] = {
        "{\"1\":5,\"2\":\"a\",\"3\":\"2024-01-01T00:00:00.000000\"}",
        "{\"1\":1,\"2\":\"b\",\"3\":null}",
        "{\"1\":3,\"2\":\"a\",\"3\":null}",
        "{\"1\":2,\"2\":\"a\",\"3\":\"2024-01-03T00:00:00.000000\"}",
        "{\"1\":4,\"2\":\"a\",\"3\":\"2024-01-01T00:00:00.000000\"}",
        "{\"1\":0,\"2\":\"b\",\"3\":\"2023-01-01T00:00:00.000000\"}",
    };
    size_t n = 0;
    floe_ice_write_opts o = {.table = m, .sort = true};
    const floe_data_file *files = write_rows(t, io, &o, rows, 6, &n);
    assert_int_equal(n, 2);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    for (size_t i = 0; i < n; i++) {
        assert_true(files[i].has_sort_order_id);
        assert_int_equal(files[i].sort_order_id, 1);
        const char *got = read_file(t, io, s, &files[i]);
        if (files[i].record_count == 4) {
            assert_string_equal(got,
                                "{\"id\":2,\"cat\":\"a\",\"ts\":\"2024-01-03T00:00:00.000000\"}\n"
                                "{\"id\":4,\"cat\":\"a\",\"ts\":\"2024-01-01T00:00:00.000000\"}\n"
                                "{\"id\":5,\"cat\":\"a\",\"ts\":\"2024-01-01T00:00:00.000000\"}\n"
                                "{\"id\":3,\"cat\":\"a\",\"ts\":null}\n");
        } else {
            assert_string_equal(got,
                                "{\"id\":0,\"cat\":\"b\",\"ts\":\"2023-01-01T00:00:00.000000\"}\n"
                                "{\"id\":1,\"cat\":\"b\",\"ts\":null}\n");
        }
    }
    /* A small sort buffer: each flush makes sorted files of its own. */
    o.sort_buffer_bytes = 1;
    files = write_rows(t, io, &o, rows, 6, &n);
    assert_int_equal(n, 6);
    floe_fileio_free(io);
}

static void test_metrics_modes_and_truncation(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    const char *schema = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                         "{\"id\":1,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
                         "{\"id\":2,\"name\":\"b\",\"required\":false,\"type\":\"binary\"},"
                         "{\"id\":3,\"name\":\"full\",\"required\":false,\"type\":\"string\"},"
                         "{\"id\":4,\"name\":\"cnt\",\"required\":false,\"type\":\"double\"},"
                         "{\"id\":5,\"name\":\"off\",\"required\":false,\"type\":\"int\"},"
                         "{\"id\":6,\"name\":\"t2\",\"required\":false,\"type\":\"string\"}]}";
    const char *props[] = {
        "write.metadata.metrics.column.full=full", "write.metadata.metrics.column.cnt=counts",
        "write.metadata.metrics.column.off=none", "write.metadata.metrics.column.t2=truncate(2)"};
    floe_table_meta *m = rows_test_table(t, "metrics", schema, NULL, NULL, props, 4);
    const char *rows[] = {
        "{\"1\":\"abcdefghijklmnopqrstuvwxyz\",\"2\":\"00112233445566778899aabbccddeeff0011\","
        "\"3\":\"abcdefghijklmnopqrstuvwxyz\",\"4\":1.0,\"5\":1,\"6\":\"a\\u00ff\\u00ffz\"}",
        "{\"1\":\"b\",\"2\":\"ffffffffffffffffffffffffffffffffff\",\"3\":\"b\",\"4\":\"NaN\","
        "\"5\":2,\"6\":\"a\"}",
    };
    size_t n = 0;
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *f = write_rows(t, io, &o, rows, 2, &n);
    assert_int_equal(n, 1);
    floe_str lo, hi;
    /* truncate(16) by default: 16 code points; the upper bound "b" is short already. */
    assert_true(floe_data_file_lower_bound(f, 1, &lo));
    assert_int_equal(lo.len, 16);
    assert_memory_equal(lo.ptr, "abcdefghijklmnop", 16);
    assert_true(floe_data_file_upper_bound(f, 1, &hi));
    assert_int_equal(hi.len, 1);
    /* binary: 16 bytes; all-0xff upper bound cannot be incremented: no upper bound. */
    assert_true(floe_data_file_lower_bound(f, 2, &lo));
    assert_int_equal(lo.len, 16);
    assert_false(floe_data_file_upper_bound(f, 2, &hi));
    /* full keeps whole values */
    assert_true(floe_data_file_lower_bound(f, 3, &lo));
    assert_int_equal(lo.len, 26);
    /* counts: no bounds, NaN counted; none: nothing at all */
    assert_false(floe_data_file_lower_bound(f, 4, &lo));
    assert_int_equal(count_of(f->nan_value_counts, f->n_nan_value_counts, 4), 1);
    assert_int_equal(count_of(f->value_counts, f->n_value_counts, 4), 2);
    assert_int_equal(count_of(f->value_counts, f->n_value_counts, 5), -1);
    assert_int_equal(count_of(f->column_sizes, f->n_column_sizes, 5), -1);
    assert_false(floe_data_file_lower_bound(f, 5, &lo));
    /* truncate(2) of "aÿÿz": upper "aÿ" incremented at the last code point: "aĀ" */
    assert_true(floe_data_file_upper_bound(f, 6, &hi));
    assert_int_equal(hi.len, 3);
    assert_memory_equal(hi.ptr, "a\xc4\x80", 3);
    assert_true(floe_data_file_lower_bound(f, 6, &lo));
    assert_int_equal(lo.len, 1);

    /* A bad mode is a clear error. */
    const char *bad[] = {"write.metadata.metrics.default=truncate(x)"};
    floe_table_meta *mb = rows_test_table(t, "metrics_bad", schema, NULL, NULL, bad, 1);
    floe_ice_write_opts ob = {.table = mb};
    floe_ice_writer *w = NULL;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &ob, &w, &err), FLOE_ERR_INVALID, &err,
                    "write.metadata.metrics.default");
    assert_null(w);
    floe_fileio_free(io);
}

static void test_writer_errors_and_abort(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &(floe_ice_write_opts){0}, &w, &err), FLOE_ERR_INVALID,
                    &err, "table metadata");
    floe_err_clear(&err);
    const char *codec[] = {"write.parquet.compression-codec=lzma"};
    floe_table_meta *mc = rows_test_table(t, "codec", PART_SCHEMA, NULL, NULL, codec, 1);
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &(floe_ice_write_opts){.table = mc}, &w, &err),
                    FLOE_ERR_INVALID, &err, "compression-codec");
    floe_err_clear(&err);
    const char *v3schema = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                           "{\"id\":1,\"name\":\"v\",\"required\":false,\"type\":\"variant\"}]}";
    const char *v3[] = {"format-version=3"};
    floe_table_meta *mv = rows_test_table(t, "v3", v3schema, NULL, NULL, v3, 1);
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &(floe_ice_write_opts){.table = mv}, &w, &err),
                    FLOE_ERR_INVALID, &err, "variant");
    floe_err_clear(&err);
    floe_table_meta *m = rows_test_table(t, "abort", PART_SCHEMA, NULL, NULL, NULL, 0);
    floe_ice_write_opts eo = {.table = m, .content = FLOE_CONTENT_EQUALITY_DELETES};
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &eo, &w, &err), FLOE_ERR_INVALID, &err,
                    "needs equality ids");
    floe_err_clear(&err);
    /* A writer freed without close deletes the files it finished. */
    const char *props[] = {"write.target-file-size-bytes=1"};
    floe_table_meta *mr = rows_test_table(t, "abort2", PART_SCHEMA, NULL, NULL, props, 1);
    const floe_ice_schema *s = floe_table_meta_current_schema(mr);
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &(floe_ice_write_opts){.table = mr}, &w, &err), &err);
    size_t nrows = 1500;
    floe_value *ids = floe_arena_calloc(t->arena, nrows, sizeof(floe_value));
    floe_value *nulls = floe_arena_calloc(t->arena, nrows, sizeof(floe_value));
    for (size_t i = 0; i < nrows; i++) {
        ids[i] = floe_value_long((int64_t)i);
    }
    const floe_value *cols[] = {ids, nulls, nulls};
    floe_ice_batch b = {.schema = s, .n_rows = nrows, .n_columns = 3, .columns = cols};
    FLOE_ASSERT_OK(floe_ice_writer_write(w, &b, &err), &err);
    const char *dir = floe_test_tmp_path(t, "abort2/data");
    assert_int_equal(floe_test_system("test $(ls %s | wc -l) -eq 2", dir), 0);
    floe_ice_writer_free(w);
    assert_int_equal(floe_test_system("test $(ls %s | wc -l) -eq 0", dir), 0);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(rows_write)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flat_round_trip, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_nested_round_trip, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partitioned_files, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_open_file_bound_rolls_partitions, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rolls_at_target_size, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_sorted_write, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_metrics_modes_and_truncation, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_writer_errors_and_abort, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
