/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg row reader: schema evolution and projection, position and equality deletes with
 * their edge cases, residual filters, name mappings, error paths, and the third-party fixture
 * tables' data and delete files.
 */
#include "rows_helpers.h"

#include "floe/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static floe_fileio *new_io(void)
{
    floe_local_io_opts lo = {.no_sync = true};
    return floe_fileio_local_new(&lo);
}

/* Write rows (JSON) with a writer over `o`; the single data file written. */
static const floe_data_file *write_one(floe_test_ctx *t, floe_fileio *io,
                                       const floe_ice_write_opts *o, const char *const *rows,
                                       size_t n)
{
    floe_err err = {0};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, o, &w, &err), &err);
    const floe_ice_schema *s =
        o->schema != NULL ? o->schema : floe_table_meta_current_schema(o->table);
    rows_test_write(t->arena, w, s, rows, n);
    const floe_data_file *files = NULL;
    size_t nf = 0;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, &nf, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(nf, 1);
    return &files[0];
}

/* ==== Schema evolution ==== */

static const char *V1_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"int\"},"
    "{\"id\":2,\"name\":\"name\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":4,\"name\":\"d\",\"required\":false,\"type\":\"decimal(5,2)\"},"
    "{\"id\":5,\"name\":\"s\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":7,\"name\":\"a\",\"required\":false,\"type\":\"int\"},"
    "{\"id\":8,\"name\":\"b\",\"required\":false,\"type\":\"string\"}]}},"
    "{\"id\":6,\"name\":\"gone\",\"required\":false,\"type\":\"string\"}]}";

static void test_evolution(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "evo", V1_SCHEMA, NULL, NULL, NULL, 0);
    const char *rows[] = {
        "{\"1\":1,\"2\":\"one\",\"3\":1.5,\"4\":\"123.45\",\"5\":{\"7\":10,\"8\":\"x\"},"
        "\"6\":\"bye\"}",
        "{\"1\":2,\"2\":null,\"3\":null,\"4\":null,\"5\":null,\"6\":null}",
    };
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *f = write_one(t, io, &o, rows, 2);
    /* Renamed, promoted, reordered, added (with and without an initial default), dropped. */
    const floe_ice_schema *v2 = ice_test_schema(
        t->arena,
        "{\"type\":\"struct\",\"schema-id\":1,\"fields\":["
        "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
        "{\"id\":5,\"name\":\"s\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
        "{\"id\":8,\"name\":\"b\",\"required\":false,\"type\":\"string\"},"
        "{\"id\":7,\"name\":\"a\",\"required\":false,\"type\":\"long\"},"
        "{\"id\":20,\"name\":\"c\",\"required\":false,\"type\":\"string\"}]}},"
        "{\"id\":2,\"name\":\"full_name\",\"required\":false,\"type\":\"string\"},"
        "{\"id\":3,\"name\":\"f\",\"required\":false,\"type\":\"double\"},"
        "{\"id\":4,\"name\":\"d\",\"required\":false,\"type\":\"decimal(9,2)\"},"
        "{\"id\":21,\"name\":\"added\",\"required\":false,\"type\":\"string\"},"
        "{\"id\":22,\"name\":\"with_default\",\"required\":true,\"type\":\"int\","
        "\"initial-default\":7,\"write-default\":7}]}");
    floe_ice_read_opts ro = {.schema = v2, .file = f};
    const char *got = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(
        got, "{\"id\":1,\"s\":{\"b\":\"x\",\"a\":10,\"c\":null},\"full_name\":\"one\",\"f\":1.5,"
             "\"d\":\"123.45\",\"added\":null,\"with_default\":7}\n"
             "{\"id\":2,\"s\":null,\"full_name\":null,\"f\":null,\"d\":null,\"added\":null,"
             "\"with_default\":7}\n");

    /* A subset, nested too. */
    const floe_ice_schema *sub = ice_test_schema(
        t->arena,
        "{\"type\":\"struct\",\"schema-id\":2,\"fields\":["
        "{\"id\":5,\"name\":\"s\",\"required\":false,\"type\":{\"type\":\"struct\","
        "\"fields\":[{\"id\":8,\"name\":\"b\",\"required\":false,\"type\":\"string\"}]}}]}");
    ro.schema = sub;
    got = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(got, "{\"s\":{\"b\":\"x\"}}\n{\"s\":null}\n");

    /* Nothing projected: rows are still counted. */
    const floe_ice_schema *none =
        ice_test_schema(t->arena, "{\"type\":\"struct\",\"schema-id\":3,\"fields\":[]}");
    ro.schema = none;
    got = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(got, "{}\n{}\n");

    /* A required column the file lacks, without a default. */
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    ro.schema = ice_test_schema(t->arena, "{\"type\":\"struct\",\"schema-id\":4,\"fields\":["
                                          "{\"id\":30,\"name\":\"must\",\"required\":true,"
                                          "\"type\":\"int\"}]}");
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &ro, &r, &err), FLOE_ERR_INVALID, &err,
                    "required column 'must' (id 30) is missing");
    assert_null(r);
    floe_err_clear(&err);

    /* Types that are no promotion: a string read as int fails with the column named. */
    ro.schema = ice_test_schema(t->arena, "{\"type\":\"struct\",\"schema-id\":5,\"fields\":["
                                          "{\"id\":2,\"name\":\"name\",\"required\":false,"
                                          "\"type\":\"int\"}]}");
    FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
    const floe_ice_batch *b;
    FLOE_ASSERT_ERR(floe_ice_reader_next(r, &b, &err), FLOE_ERR_INVALID, &err,
                    "cannot be read as int");
    floe_ice_reader_close(r);
    floe_err_clear(&err);
    /* A struct read as a primitive is refused at open. */
    ro.schema = ice_test_schema(t->arena, "{\"type\":\"struct\",\"schema-id\":6,\"fields\":["
                                          "{\"id\":5,\"name\":\"s\",\"required\":false,"
                                          "\"type\":\"string\"}]}");
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &ro, &r, &err), FLOE_ERR_INVALID, &err,
                    "column 's' (id 5, string): the file has a group");
    floe_err_clear(&err);
    /* A decimal narrowed (or rescaled) is not a promotion. */
    ro.schema = ice_test_schema(t->arena, "{\"type\":\"struct\",\"schema-id\":7,\"fields\":["
                                          "{\"id\":4,\"name\":\"d\",\"required\":false,"
                                          "\"type\":\"decimal(9,3)\"}]}");
    FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_reader_next(r, &b, &err), FLOE_ERR_INVALID, &err, "decimal");
    floe_ice_reader_close(r);
    floe_fileio_free(io);
}

/* ==== Position deletes ==== */

static const char *DEL_SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"name\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"score\",\"required\":false,\"type\":\"double\"}]}";

static const floe_data_file *ten_rows(floe_test_ctx *t, floe_fileio *io, floe_table_meta *m)
{
    const char *rows[10];
    for (int i = 0; i < 10; i++) {
        rows[i] = floe_arena_sprintf(t->arena, "{\"1\":%d,\"2\":\"n%d\",\"3\":%d.5}", i, i, i);
    }
    floe_ice_write_opts o = {.table = m};
    return write_one(t, io, &o, rows, 10);
}

static const floe_data_file *posdel(floe_test_ctx *t, floe_fileio *io, floe_table_meta *m,
                                    const char *const *paths, const int64_t *pos, size_t n)
{
    floe_err err = {0};
    floe_ice_posdel_writer *w = NULL;
    floe_ice_posdel_opts o = {.table = m};
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(io, &o, &w, &err), &err);
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, paths[i], pos[i], &err), &err);
    }
    const floe_data_file *f = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w, t->arena, &f, &err), &err);
    floe_ice_posdel_writer_free(w);
    return f;
}

static void test_position_deletes(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "pos", DEL_SCHEMA, NULL, NULL, NULL, 0);
    const floe_data_file *data = ten_rows(t, io, m);
    const char *other = "s3://elsewhere/data/other.parquet";
    const char *p1[] = {data->file_path, other, data->file_path, data->file_path};
    int64_t q1[] = {3, 1, 0, 3};
    const floe_data_file *d1 = posdel(t, io, m, p1, q1, 4);
    assert_int_equal(d1->content, FLOE_CONTENT_POSITION_DELETES);
    assert_int_equal(d1->record_count, 3); /* the duplicate is written once */
    assert_null(d1->referenced_data_file);
    assert_false(d1->has_sort_order_id);
    assert_true(floe_ends_with(d1->file_path, "-deletes.parquet"));
    floe_str lo;
    assert_true(floe_data_file_lower_bound(d1, FLOE_ICE_POS_DELETE_PATH_ID, &lo));
    assert_true(lo.len > 16); /* full metrics: the whole path */
    const char *p2[] = {data->file_path};
    int64_t q2[] = {9};
    const floe_data_file *d2 = posdel(t, io, m, p2, q2, 1);
    assert_string_equal(d2->referenced_data_file, data->file_path);
    const char *p3[] = {other, other};
    int64_t q3[] = {5, 6};
    const floe_data_file *d3 = posdel(t, io, m, p3, q3, 2);
    assert_string_equal(d3->referenced_data_file, other);

    const floe_data_file *dels[] = {d1, d2, d3};
    floe_ice_read_opts ro = {.schema = floe_table_meta_current_schema(m),
                             .file = data,
                             .deletes = dels,
                             .n_deletes = 3,
                             .batch_rows = 3};
    floe_ice_read_stats st;
    const char *got = rows_test_read(t, io, &ro, &st);
    assert_int_equal(rows_test_lines(got), 7);
    assert_true(floe_starts_with(got, "{\"id\":1,\"name\":\"n1\",\"score\":1.5}\n"
                                      "{\"id\":2,\"name\":\"n2\",\"score\":2.5}\n"
                                      "{\"id\":4,"));
    assert_null(strstr(got, "\"id\":9"));
    assert_int_equal(st.rows_read, 10);
    assert_int_equal(st.rows_pos_deleted, 3);
    assert_int_equal(st.delete_positions, 3);
    assert_int_equal(st.rows_returned, 7);

    /* The bound on positions held in memory. */
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    ro.max_delete_positions = 2;
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &ro, &r, &err), FLOE_ERR_TOO_BIG, &err,
                    "more than 2 deleted positions");
    floe_err_clear(&err);
    /* A data file given as a delete file is not a position delete file. */
    floe_data_file fake = *data;
    fake.content = FLOE_CONTENT_POSITION_DELETES;
    const floe_data_file *bad[] = {&fake};
    floe_ice_read_opts rb = {.schema = ro.schema, .file = data, .deletes = bad, .n_deletes = 1};
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &rb, &r, &err), FLOE_ERR_CORRUPT, &err,
                    "not a position delete file");
    floe_err_clear(&err);
    /* Position delete writer errors. */
    floe_ice_posdel_writer *w = NULL;
    floe_ice_posdel_opts po = {.table = m, .max_positions = 1};
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(io, &po, &w, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_posdel_writer_add(w, "x", -1, &err), FLOE_ERR_INVALID, &err,
                    "negative position");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, "x", 1, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_posdel_writer_add(w, "x", 2, &err), FLOE_ERR_TOO_BIG, &err, "limit");
    floe_ice_posdel_writer_free(w);
    floe_err_clear(&err);
    /* Nothing added: no file. */
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(io, &po, &w, &err), &err);
    const floe_data_file *none = d1;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w, t->arena, &none, &err), &err);
    assert_null(none);
    floe_ice_posdel_writer_free(w);
    floe_fileio_free(io);
}

/* ==== Equality deletes ==== */

static const floe_data_file *eqdel(floe_test_ctx *t, floe_fileio *io, floe_table_meta *m,
                                   const char *schema_json, const int32_t *ids, size_t n_ids,
                                   const char *const *rows, size_t n)
{
    const floe_ice_schema *s = ice_test_schema(t->arena, schema_json);
    floe_ice_write_opts o = {.table = m,
                             .schema = s,
                             .content = FLOE_CONTENT_EQUALITY_DELETES,
                             .equality_ids = ids,
                             .n_equality_ids = n_ids};
    const floe_data_file *f = write_one(t, io, &o, rows, n);
    assert_int_equal(f->content, FLOE_CONTENT_EQUALITY_DELETES);
    assert_int_equal(f->n_equality_ids, n_ids);
    assert_true(floe_ends_with(f->file_path, "-eq-deletes.parquet"));
    return f;
}

static void test_equality_deletes(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "eq", DEL_SCHEMA, NULL, NULL, NULL, 0);
    const char *rows[] = {
        "{\"1\":1,\"2\":\"a\",\"3\":1.0}",  "{\"1\":2,\"2\":null,\"3\":\"NaN\"}",
        "{\"1\":3,\"2\":\"b\",\"3\":-0.0}", "{\"1\":4,\"2\":\"b\",\"3\":0.0}",
        "{\"1\":5,\"2\":null,\"3\":2.0}",   "{\"1\":6,\"2\":\"c\",\"3\":\"NaN\"}",
        "{\"1\":7,\"2\":\"d\",\"3\":3.0}",  "{\"1\":8,\"2\":\"b\",\"3\":null}",
    };
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *data = write_one(t, io, &o, rows, 8);
    /* By name: null matches null. */
    int32_t by_name[] = {2};
    const char *r1[] = {"{\"2\":null}", "{\"2\":\"c\"}", "{\"2\":\"zzz\"}"};
    const floe_data_file *d1 =
        eqdel(t, io, m,
              "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":2,\"name\":\"name\","
              "\"required\":false,\"type\":\"string\"}]}",
              by_name, 1, r1, 3);
    /* By score: NaN matches NaN, -0.0 only -0.0 (Java's Double.equals). */
    int32_t by_score[] = {3};
    const char *r2[] = {"{\"3\":\"NaN\"}", "{\"3\":-0.0}"};
    const floe_data_file *d2 =
        eqdel(t, io, m,
              "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":3,\"name\":\"score\","
              "\"required\":false,\"type\":\"double\"}]}",
              by_score, 1, r2, 2);
    /* By (name, id), ids listed out of order, the key file carrying an extra column. */
    int32_t by_pair[] = {2, 1};
    const char *r3[] = {"{\"1\":4,\"2\":\"b\",\"3\":99.0}", "{\"1\":1,\"2\":\"zz\",\"3\":null}"};
    const floe_data_file *d3 = eqdel(t, io, m, DEL_SCHEMA, by_pair, 2, r3, 2);

    const floe_data_file *dels[] = {d1, d2, d3};
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    floe_ice_read_opts ro = {.schema = s, .file = data, .deletes = dels, .n_deletes = 3};
    floe_ice_read_stats st;
    const char *got = rows_test_read(t, io, &ro, &st);
    assert_string_equal(got, "{\"id\":1,\"name\":\"a\",\"score\":1}\n"
                             "{\"id\":7,\"name\":\"d\",\"score\":3}\n"
                             "{\"id\":8,\"name\":\"b\",\"score\":null}\n");
    assert_int_equal(st.rows_eq_deleted, 5);
    assert_int_equal(st.delete_keys, 7);

    /* Keys come from columns outside the projection too. */
    const floe_ice_schema *only_id = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":1,\"fields\":[{\"id\":1,\"name\":\"id\","
                  "\"required\":true,\"type\":\"long\"}]}");
    ro.schema = only_id;
    got = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(got, "{\"id\":1}\n{\"id\":7}\n{\"id\":8}\n");

    /* A key column the data file lacks (added later) is null: null keys delete those rows. */
    int32_t by_new[] = {9};
    const char *r4[] = {"{\"9\":null}"};
    const floe_data_file *d4 =
        eqdel(t, io, m,
              "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":9,\"name\":\"later\","
              "\"required\":false,\"type\":\"int\"}]}",
              by_new, 1, r4, 1);
    const floe_data_file *dels4[] = {d4};
    floe_ice_read_opts r4o = {.schema = s, .file = data, .deletes = dels4, .n_deletes = 1};
    assert_string_equal(rows_test_read(t, io, &r4o, NULL), "");

    /* Memory bound on keys. */
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    ro.max_delete_memory = 64;
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &ro, &r, &err), FLOE_ERR_TOO_BIG, &err,
                    "equality delete keys need more than 64 bytes");
    floe_err_clear(&err);
    /* An equality delete file without ids is corrupt. */
    floe_data_file noids = *d1;
    noids.equality_ids = NULL;
    noids.n_equality_ids = 0;
    const floe_data_file *badd[] = {&noids};
    floe_ice_read_opts rb = {.schema = s, .file = data, .deletes = badd, .n_deletes = 1};
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &rb, &r, &err), FLOE_ERR_CORRUPT, &err,
                    "without equality ids");
    floe_err_clear(&err);
    /* Equality ids of the writer must name primitive columns. */
    floe_ice_writer *w = NULL;
    int32_t missing[] = {42};
    floe_ice_write_opts eo = {.table = m,
                              .content = FLOE_CONTENT_EQUALITY_DELETES,
                              .equality_ids = missing,
                              .n_equality_ids = 1};
    FLOE_ASSERT_ERR(floe_ice_writer_new(io, &eo, &w, &err), FLOE_ERR_INVALID, &err,
                    "equality id 42");
    floe_fileio_free(io);
}

static void test_equality_deletes_across_promotion(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    /* Data written while `id` was an int; the delete written after it became a long. */
    floe_table_meta *m = rows_test_table(t, "eqp", V1_SCHEMA, NULL, NULL, NULL, 0);
    const char *rows[] = {"{\"1\":1,\"5\":{\"7\":5}}", "{\"1\":2,\"5\":{\"7\":6}}",
                          "{\"1\":3,\"5\":null}"};
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *data = write_one(t, io, &o, rows, 3);
    int32_t ids[] = {1};
    const char *r1[] = {"{\"1\":2}"};
    const floe_data_file *d1 =
        eqdel(t, io, m,
              "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\","
              "\"required\":true,\"type\":\"long\"}]}",
              ids, 1, r1, 1);
    /* Keyed on a nested struct field: s.a = 5; and null s.a (row 3's s is null). */
    int32_t nested[] = {7};
    const char *r2[] = {"{\"5\":{\"7\":5}}", "{\"5\":{\"7\":null}}"};
    const floe_data_file *d2 = eqdel(t, io, m,
                                     "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":5,"
                                     "\"name\":\"s\",\"required\":false,\"type\":{\"type\":"
                                     "\"struct\",\"fields\":[{\"id\":7,\"name\":\"a\","
                                     "\"required\":false,\"type\":\"long\"}]}}]}",
                                     nested, 1, r2, 2);
    const floe_data_file *dels[] = {d1};
    const floe_ice_schema *proj = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":1,\"fields\":[{\"id\":1,\"name\":\"id\","
                  "\"required\":true,\"type\":\"long\"}]}");
    floe_ice_read_opts ro = {.schema = proj, .file = data, .deletes = dels, .n_deletes = 1};
    assert_string_equal(rows_test_read(t, io, &ro, NULL), "{\"id\":1}\n{\"id\":3}\n");
    const floe_data_file *dels2[] = {d2};
    ro.deletes = dels2;
    assert_string_equal(rows_test_read(t, io, &ro, NULL), "{\"id\":2}\n");
    floe_fileio_free(io);
}

/* ==== Filters ==== */

static void test_residual_filter(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_table_meta *m = rows_test_table(t, "filter", DEL_SCHEMA, NULL, NULL, NULL, 0);
    const floe_data_file *data = ten_rows(t, io, m);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    const floe_ice_expr *e = ice_test_bind(t->arena, s, "id > 3 AND name != 'n5' AND score < 8");
    floe_ice_read_opts ro = {.schema = s, .file = data, .filter = e};
    floe_ice_read_stats st;
    const char *got = rows_test_read(t, io, &ro, &st);
    assert_string_equal(got, "{\"id\":4,\"name\":\"n4\",\"score\":4.5}\n"
                             "{\"id\":6,\"name\":\"n6\",\"score\":6.5}\n"
                             "{\"id\":7,\"name\":\"n7\",\"score\":7.5}\n");
    assert_int_equal(st.rows_filtered, 7);
    /* On a column that is not projected. */
    const floe_ice_schema *only_id = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":1,\"fields\":[{\"id\":1,\"name\":\"id\","
                  "\"required\":true,\"type\":\"long\"}]}");
    ro.schema = only_id;
    ro.filter = ice_test_bind(t->arena, s, "name IN ('n2', 'n8') OR score IS NULL");
    assert_string_equal(rows_test_read(t, io, &ro, NULL), "{\"id\":2}\n{\"id\":8}\n");
    ro.filter = floe_ice_expr_false();
    assert_string_equal(rows_test_read(t, io, &ro, NULL), "");
    floe_fileio_free(io);
}

static void test_filter_skips_row_groups(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *props[] = {"write.parquet.row-group-size-bytes=2048"};
    floe_table_meta *m = rows_test_table(t, "rgskip", DEL_SCHEMA, NULL, NULL, props, 1);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &(floe_ice_write_opts){.table = m}, &w, &err), &err);
    size_t n = 3000;
    floe_value *ids = floe_arena_calloc(t->arena, n, sizeof(floe_value));
    floe_value *names = floe_arena_calloc(t->arena, n, sizeof(floe_value));
    floe_value *scores = floe_arena_calloc(t->arena, n, sizeof(floe_value));
    for (size_t i = 0; i < n; i++) {
        ids[i] = floe_value_long((int64_t)i);
        char *nm = floe_arena_sprintf(t->arena, "n%05zu", i);
        names[i] = floe_value_string(nm, strlen(nm));
        scores[i] = floe_value_double((double)i);
    }
    const floe_value *cols[] = {ids, names, scores};
    floe_ice_batch b = {.schema = s, .n_rows = n, .n_columns = 3, .columns = cols};
    FLOE_ASSERT_OK(floe_ice_writer_write(w, &b, &err), &err);
    const floe_data_file *files = NULL;
    size_t nf = 0;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &files, &nf, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(nf, 1);
    assert_true(files[0].n_split_offsets > 4);
    /* A position delete inside the one row group read: positions stay file-level. */
    const char *p1[] = {files[0].file_path};
    int64_t q1[] = {2995};
    const floe_data_file *pd = posdel(t, io, m, p1, q1, 1);
    const floe_data_file *dels[] = {pd};
    floe_ice_read_opts ro = {.schema = s,
                             .file = &files[0],
                             .deletes = dels,
                             .n_deletes = 1,
                             .filter = ice_test_bind(t->arena, s, "id >= 2990")};
    floe_ice_read_stats st;
    const char *got = rows_test_read(t, io, &ro, &st);
    assert_int_equal(rows_test_lines(got), 9);
    assert_true(floe_starts_with(got, "{\"id\":2990,"));
    assert_null(strstr(got, "\"id\":2995,"));
    assert_true(st.row_groups_skipped > 0);
    assert_true(st.rows_read < 3000);
    assert_int_equal(st.rows_pos_deleted, 1);
    /* Strings, and a column outside the projection. */
    const floe_ice_schema *only_id = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":1,\"fields\":[{\"id\":1,\"name\":\"id\","
                  "\"required\":true,\"type\":\"long\"}]}");
    floe_ice_read_opts r2 = {.schema = only_id,
                             .file = &files[0],
                             .filter = ice_test_bind(t->arena, s, "name = 'n00007'")};
    got = rows_test_read(t, io, &r2, &st);
    assert_string_equal(got, "{\"id\":7}\n");
    assert_true(st.row_groups_skipped > 0);
    /* No nulls anywhere: IS NULL reads nothing. */
    r2.filter = ice_test_bind(t->arena, s, "score IS NULL");
    got = rows_test_read(t, io, &r2, &st);
    assert_string_equal(got, "");
    assert_int_equal(st.rows_read, 0);
    /* A filter that cannot prune reads everything. */
    r2.filter = ice_test_bind(t->arena, s, "score != 5");
    got = rows_test_read(t, io, &r2, &st);
    assert_int_equal(rows_test_lines(got), 2999);
    assert_int_equal(st.row_groups_skipped, 0);
    floe_fileio_free(io);
}

/* ==== Name mappings ==== */

static void test_name_mapping(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *path = floe_test_copy_shared(t, "parquet/alltypes_plain.parquet");
    floe_data_file f = {
        .content = FLOE_CONTENT_DATA, .file_path = path, .file_format = FLOE_FORMAT_PARQUET};
    const floe_ice_schema *s = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                  "{\"id\":1,\"name\":\"key\",\"required\":false,\"type\":\"long\"},"
                  "{\"id\":2,\"name\":\"flag\",\"required\":false,\"type\":\"boolean\"}]}");
    const char *json = "[{\"field-id\":1,\"names\":[\"key\",\"id\"]},"
                       "{\"field-id\":2,\"names\":[\"bool_col\"]},{\"names\":[\"x\"]}]";
    const floe_ice_name_mapping *nm = NULL;
    FLOE_ASSERT_OK(floe_ice_name_mapping_parse(t->arena, floe_str_c(json), &nm, &err), &err);
    const char *p[] = {"id"};
    assert_int_equal(floe_ice_name_mapping_find(nm, p, 1), 1);
    const char *q[] = {"x"};
    assert_int_equal(floe_ice_name_mapping_find(nm, q, 1), -1);
    floe_ice_read_opts ro = {.schema = s, .file = &f, .name_mapping = nm};
    const char *got = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(got, "{\"key\":4,\"flag\":true}\n{\"key\":5,\"flag\":false}\n"
                             "{\"key\":6,\"flag\":true}\n{\"key\":7,\"flag\":false}\n"
                             "{\"key\":2,\"flag\":true}\n{\"key\":3,\"flag\":false}\n"
                             "{\"key\":0,\"flag\":true}\n{\"key\":1,\"flag\":false}\n");
    /* Without a mapping the schema's own names are used: "key" and "flag" match nothing. */
    ro.name_mapping = NULL;
    got = rows_test_read(t, io, &ro, NULL);
    assert_true(floe_starts_with(got, "{\"key\":null,\"flag\":null}\n"));
    /* Malformed mappings. */
    const char *bad[] = {"{", "{}", "[{\"field-id\":\"x\"}]", "[{\"names\":[1]}]",
                         "[{\"names\":[\"a\"],\"fields\":{}}]"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        FLOE_ASSERT_ERR(floe_ice_name_mapping_parse(t->arena, floe_str_c(bad[i]), &nm, &err),
                        FLOE_ERR_INVALID, &err, "name mapping");
        floe_err_clear(&err);
    }
    /* Nesting past the limit. */
    floe_buf deep;
    floe_buf_init(&deep, 0);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_str(&deep, "[{\"names\":[\"a\"],\"fields\":", NULL);
    }
    floe_buf_append_str(&deep, "[]", NULL);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_str(&deep, "}]", NULL);
    }
    FLOE_ASSERT_ERR(
        floe_ice_name_mapping_parse(t->arena, (floe_str){deep.data, deep.len}, &nm, &err),
        FLOE_ERR_TOO_BIG, &err, "deeper");
    floe_buf_fini(&deep);
    floe_fileio_free(io);
}

static void test_reader_argument_errors(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    const floe_ice_schema *s = ice_test_schema(t->arena, DEL_SCHEMA);
    FLOE_ASSERT_ERR(floe_ice_reader_open(io, &(floe_ice_read_opts){.schema = s}, &r, &err),
                    FLOE_ERR_INVALID, &err, "needs a schema and a data file");
    floe_err_clear(&err);
    floe_data_file f = {.content = FLOE_CONTENT_DATA,
                        .file_path = floe_test_tmp_path(t, "missing.parquet"),
                        .file_format = FLOE_FORMAT_PARQUET};
    FLOE_ASSERT_ERR(
        floe_ice_reader_open(io, &(floe_ice_read_opts){.schema = s, .file = &f}, &r, &err),
        FLOE_ERR_NOT_FOUND, &err, "missing.parquet");
    floe_err_clear(&err);
    f.file_format = FLOE_FORMAT_AVRO;
    FLOE_ASSERT_ERR(
        floe_ice_reader_open(io, &(floe_ice_read_opts){.schema = s, .file = &f}, &r, &err),
        FLOE_ERR_UNSUPPORTED, &err, "avro");
    floe_err_clear(&err);
    f.content = FLOE_CONTENT_EQUALITY_DELETES;
    FLOE_ASSERT_ERR(
        floe_ice_reader_open(io, &(floe_ice_read_opts){.schema = s, .file = &f}, &r, &err),
        FLOE_ERR_INVALID, &err, "not a data file");
    floe_fileio_free(io);
}

/* ==== Rewrites (what compaction does) and partitioned deletes ==== */

static void test_rewrite_batches_and_partitioned_deletes(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    floe_table_meta *m = rows_test_table(
        t, "rewrite", DEL_SCHEMA,
        "{\"spec-id\":0,\"fields\":[{\"source-id\":2,\"field-id\":1000,\"name\":\"name\","
        "\"transform\":\"identity\"}]}",
        NULL, NULL, 0);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    const char *rows[] = {"{\"1\":1,\"2\":\"a\",\"3\":1.0}", "{\"1\":2,\"2\":\"a\",\"3\":2.0}",
                          "{\"1\":3,\"2\":\"a\",\"3\":3.0}", "{\"1\":4,\"2\":\"a\",\"3\":4.0}"};
    floe_ice_write_opts o = {.table = m};
    const floe_data_file *data = write_one(t, io, &o, rows, 4);
    assert_non_null(strstr(data->file_path, "/data/name=a/"));
    /* A position delete and an equality delete in the data file's partition. */
    floe_ice_posdel_writer *pw = NULL;
    floe_ice_posdel_opts po = {.table = m, .partition = &data->partition};
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(io, &po, &pw, &err), &err);
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(pw, data->file_path, 0, &err), &err);
    const floe_data_file *pd = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(pw, t->arena, &pd, &err), &err);
    floe_ice_posdel_writer_free(pw);
    assert_non_null(strstr(pd->file_path, "/data/name=a/"));
    assert_true(floe_value_eq(&pd->partition, &data->partition));
    int32_t ids[] = {1};
    const floe_ice_schema *ks = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\","
                  "\"required\":true,\"type\":\"long\"}]}");
    floe_ice_write_opts eo = {.table = m,
                              .schema = ks,
                              .partition = &data->partition,
                              .content = FLOE_CONTENT_EQUALITY_DELETES,
                              .equality_ids = ids,
                              .n_equality_ids = 1};
    const char *keys[] = {"{\"1\":3}"};
    const floe_data_file *ed = write_one(t, io, &eo, keys, 1);
    assert_non_null(strstr(ed->file_path, "/data/name=a/"));
    assert_true(floe_value_eq(&ed->partition, &data->partition));
    assert_int_equal(ed->equality_ids[0], 1);

    /* Read with the deletes, write the batches back out: the live rows in a new file. */
    const floe_data_file *dels[] = {pd, ed};
    floe_ice_read_opts ro = {
        .schema = s, .file = data, .deletes = dels, .n_deletes = 2, .batch_rows = 1};
    floe_ice_reader *r = NULL;
    FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &o, &w, &err), &err);
    for (;;) {
        const floe_ice_batch *b = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
        if (b == NULL) {
            break;
        }
        FLOE_ASSERT_OK(floe_ice_writer_write(w, b, &err), &err);
    }
    floe_ice_reader_close(r);
    const floe_data_file *out = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, t->arena, &out, &n, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].record_count, 2);
    floe_ice_read_opts ro2 = {.schema = s, .file = &out[0]};
    assert_string_equal(
        rows_test_read(t, io, &ro2, NULL),
        "{\"id\":2,\"name\":\"a\",\"score\":2}\n{\"id\":4,\"name\":\"a\",\"score\":4}\n");
    /* A batch of the wrong width is refused. */
    FLOE_ASSERT_OK(floe_ice_writer_new(io, &o, &w, &err), &err);
    const floe_value *cols[1] = {NULL};
    floe_ice_batch bad = {.schema = ks, .n_rows = 0, .n_columns = 1, .columns = cols};
    FLOE_ASSERT_ERR(floe_ice_writer_write(w, &bad, &err), FLOE_ERR_INVALID, &err,
                    "batch has 1 columns");
    floe_ice_writer_free(w);
    floe_fileio_free(io);
}

/* ==== Fixture tables ==== */

static floe_data_file fixture_file(const char *path, floe_file_content c)
{
    return (floe_data_file){.content = c, .file_path = path, .file_format = FLOE_FORMAT_PARQUET};
}

static const floe_ice_schema *fixture_schema(floe_test_ctx *t, floe_fileio *io, const char *meta)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_iceberg_read_metadata(t->arena, io, meta, &m, &err), &err);
    return floe_table_meta_current_schema(m);
}

static void test_fixture_java_pos_and_eq_deletes(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *dir = floe_test_copy_shared(t, "iceberg/java_api_pos_and_eq_deletes");
    const char *loc = "s3a://hyperparam-iceberg/java/bunnies";
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, loc, dir, &err), &err);
    const floe_ice_schema *s =
        fixture_schema(t, io, floe_arena_sprintf(t->arena, "%s/metadata/v5.metadata.json", loc));
    floe_data_file initial = fixture_file(
        floe_arena_sprintf(t->arena, "%s/data/bunnies-initial.parquet", loc), FLOE_CONTENT_DATA);
    floe_data_file updated = fixture_file(
        floe_arena_sprintf(t->arena, "%s/data/bunnies-updated-new-zealand.parquet", loc),
        FLOE_CONTENT_DATA);
    floe_data_file pos =
        fixture_file(floe_arena_sprintf(t->arena, "%s/data/bunnies-pos-deletes.parquet", loc),
                     FLOE_CONTENT_POSITION_DELETES);
    floe_data_file eq = fixture_file(
        floe_arena_sprintf(t->arena, "%s/data/bunnies-eq-delete-new-zealand.parquet", loc),
        FLOE_CONTENT_EQUALITY_DELETES);
    static const int32_t eq_ids[] = {1};
    eq.equality_ids = eq_ids;
    eq.n_equality_ids = 1;
    /* seq 1 data: position deletes (seq 2) and the equality delete (seq 3) apply. */
    const floe_data_file *d1[] = {&pos, &eq};
    floe_ice_read_opts ro = {.schema = s, .file = &initial, .deletes = d1, .n_deletes = 2};
    floe_ice_read_stats st;
    const char *a = rows_test_read(t, io, &ro, &st);
    assert_int_equal(rows_test_lines(a), 14);
    assert_int_equal(st.rows_pos_deleted, 6);
    assert_int_equal(st.rows_eq_deleted, 1);
    assert_null(strstr(a, "New Zealand"));
    assert_null(strstr(a, "Flemish Giant"));
    assert_non_null(strstr(a, "\"Breed Name\":\"Holland Lop\""));
    /* seq 3 data: the equality delete of the same sequence number does not apply. */
    ro.file = &updated;
    ro.deletes = d1;
    ro.n_deletes = 1;
    const char *b = rows_test_read(t, io, &ro, NULL);
    assert_string_equal(b, "{\"Breed Name\":\"New Zealand\",\"Average Weight\":4,\"Fur Length\":"
                           "2.7,\"Lifespan\":8,\"Origin Country\":\"New Zealand\",\"Ear Type\":"
                           "\"Erect\",\"Temperament\":\"Affectionate\",\"Popularity Rank\":0,"
                           "\"__happy__\":true}\n");
    assert_non_null(strstr(a, "\"__happy__\":null}"));
    floe_fileio_free(io);
}

/* The file positions of returned rows skip deleted and filtered rows (what `floe table
 * delete` turns into position deletes): rank r of bunnies-initial.parquet is at position r-1. */
static void test_positions_of_live_matching_rows(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *dir = floe_test_copy_shared(t, "iceberg/java_api_pos_and_eq_deletes");
    const char *loc = "s3a://hyperparam-iceberg/java/bunnies";
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, loc, dir, &err), &err);
    const floe_ice_schema *s =
        fixture_schema(t, io, floe_arena_sprintf(t->arena, "%s/metadata/v5.metadata.json", loc));
    floe_data_file initial = fixture_file(
        floe_arena_sprintf(t->arena, "%s/data/bunnies-initial.parquet", loc), FLOE_CONTENT_DATA);
    floe_data_file pos =
        fixture_file(floe_arena_sprintf(t->arena, "%s/data/bunnies-pos-deletes.parquet", loc),
                     FLOE_CONTENT_POSITION_DELETES);
    const floe_data_file *dels[] = {&pos}; /* positions 2, 3, 4, 5, 6 and 11 */
    const floe_ice_expr *e = NULL, *bound = NULL;
    const char *text = "`Popularity Rank` < 10 OR `Popularity Rank` >= 20";
    FLOE_ASSERT_OK(floe_ice_expr_parse(t->arena, text, strlen(text), &e, &err), &err);
    FLOE_ASSERT_OK(floe_ice_expr_bind(t->arena, e, s, &bound, &err), &err);
    floe_ice_read_opts ro = {.schema = s,
                             .file = &initial,
                             .deletes = dels,
                             .n_deletes = 1,
                             .filter = bound,
                             .batch_rows = 3};
    floe_ice_reader *r = NULL;
    FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
    int64_t got[32];
    size_t n = 0;
    int32_t rank_col = -1;
    for (size_t c = 0; c < s->root->n_fields; c++) {
        if (strcmp(s->root->fields[c].name, "Popularity Rank") == 0) {
            rank_col = (int32_t)c;
        }
    }
    assert_true(rank_col >= 0);
    for (;;) {
        const floe_ice_batch *b = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
        if (b == NULL) {
            break;
        }
        const int64_t *p = floe_ice_reader_positions(r);
        for (size_t i = 0; i < b->n_rows && n < 32; i++) {
            /* Each row's rank says where it sits in the file. */
            assert_int_equal(b->columns[rank_col][i].u.i32 - 1, p[i]);
            got[n++] = p[i];
        }
    }
    floe_ice_reader_close(r);
    static const int64_t want[] = {0, 1, 7, 8, 19, 20};
    assert_int_equal(n, FLOE_ARRAY_LEN(want));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i], want[i]);
    }
    floe_fileio_free(io);
}

/* The Iceberg schema of Parquet files: annotations, requiredness, lists and maps. */
static void test_schema_from_parquet(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    static const struct {
        const char *file;
        const char *want;
    } cases[] = {
        {"parquet/datapage_v2.snappy.parquet",
         "struct<1: a: optional string, 2: b: required int, 3: c: required double, 4: d: "
         "required boolean, 5: e: optional list<6: element: required int>>"},
        {"parquet/alltypes_plain.parquet",
         "struct<1: id: optional int, 2: bool_col: optional boolean, 3: tinyint_col: optional "
         "int, 4: smallint_col: optional int, 5: int_col: optional int, 6: bigint_col: optional "
         "long, 7: float_col: optional float, 8: double_col: optional double, 9: "
         "date_string_col: optional binary, 10: string_col: optional binary, 11: timestamp_col: "
         "optional timestamptz>"},
        {"parquet/fixed_length_decimal.parquet", "struct<1: value: optional decimal(25, 2)>"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_pq_reader *r = NULL;
        FLOE_ASSERT_OK(
            floe_pq_reader_open(io, floe_test_shared_path(t, cases[i].file), NULL, &r, &err), &err);
        const floe_ice_schema *s = NULL;
        FLOE_ASSERT_OK(floe_ice_schema_from_parquet(t->arena, floe_pq_reader_schema(r), &s, &err),
                       &err);
        floe_buf b;
        floe_buf_init(&b, 0);
        FLOE_ASSERT_OK(floe_ice_type_format(s->root, &b, &err), &err);
        assert_string_equal(floe_buf_cstr(&b), cases[i].want);
        floe_buf_fini(&b);
        floe_pq_reader_close(r);
    }
    /* Nested lists and a map with nulls at every level. */
    floe_pq_reader *r = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io,
                                       floe_test_shared_path(t, "parquet/nullable.impala.parquet"),
                                       NULL, &r, &err),
                   &err);
    const floe_ice_schema *s = NULL;
    FLOE_ASSERT_OK(floe_ice_schema_from_parquet(t->arena, floe_pq_reader_schema(r), &s, &err),
                   &err);
    const floe_ice_field *f = floe_ice_schema_find_name(s, "int_array");
    assert_non_null(f);
    assert_int_equal(f->type->id, FLOE_ICE_LIST);
    f = floe_ice_schema_find_name(s, "int_map");
    assert_non_null(f);
    assert_int_equal(f->type->id, FLOE_ICE_MAP);
    assert_true(f->type->fields[0].required);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

static void test_fixture_spark_posdel_evolution(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *dir = floe_test_copy_shared(t, "iceberg/spark_posdel_schema_evolution");
    const char *loc = "s3a://hyperparam-iceberg/spark/bunnies";
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, loc, dir, &err), &err);
    const floe_ice_schema *s =
        fixture_schema(t, io, floe_arena_sprintf(t->arena, "%s/metadata/v5.metadata.json", loc));
    floe_data_file cur = fixture_file(
        floe_arena_sprintf(
            t->arena, "%s/data/00000-1-6cd7611f-0ceb-4cf3-8b8e-8c856356df3e-00001.parquet", loc),
        FLOE_CONTENT_DATA);
    floe_data_file old = fixture_file(
        floe_arena_sprintf(
            t->arena, "%s/data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet", loc),
        FLOE_CONTENT_DATA);
    floe_data_file del = fixture_file(
        floe_arena_sprintf(
            t->arena, "%s/data/00000-3-6fdcdaeb-591f-4ae0-a39a-75c7fba53907-00001-deletes.parquet",
            loc),
        FLOE_CONTENT_POSITION_DELETES);
    const floe_data_file *dels[] = {&del};
    /* The delete file targets the old data file only: the current one keeps all 20 rows. */
    floe_ice_read_opts ro = {.schema = s, .file = &cur, .deletes = dels, .n_deletes = 1};
    const char *a = rows_test_read(t, io, &ro, NULL);
    assert_int_equal(rows_test_lines(a), 20);
    assert_true(floe_starts_with(
        a, "{\"Breed Name\":\"Netherland Dwarf\",\"Average Weight\":0.9,\"Fur Length\":2.5,"
           "\"Lifespan\":10,\"Origin Country\":\"Netherlands\",\"Ear Type\":\"Erect\","
           "\"Temperament\":\"Shy\",\"Popularity Rank\":2,\"breed_name_length\":16}\n"));
    /* The old file (schema 0, no breed_name_length) loses "Holland Lop" at position 0. */
    ro.file = &old;
    const char *b = rows_test_read(t, io, &ro, NULL);
    assert_int_equal(rows_test_lines(b), 20);
    assert_null(strstr(b, "Holland Lop"));
    assert_non_null(strstr(b, "\"Popularity Rank\":2,\"breed_name_length\":null}"));
    floe_fileio_free(io);
}

static void test_fixture_spark_rename(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *dir = floe_test_copy_shared(t, "iceberg/spark_bucket_identity_rename");
    const char *loc = "s3a://hyperparam-iceberg/spark/rename_column";
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, loc, dir, &err), &err);
    const floe_ice_schema *s =
        fixture_schema(t, io, floe_arena_sprintf(t->arena, "%s/metadata/v3.metadata.json", loc));
    const char *files[] = {
        "id_bucket=3/date=null/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00002.parquet",
        "id_bucket=2/date=2022-01-02/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00003.parquet",
        "id_bucket=0/date=2022-01-01/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00001.parquet",
    };
    floe_buf all;
    floe_buf_init(&all, 0);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(files); i++) {
        floe_data_file f = fixture_file(floe_arena_sprintf(t->arena, "%s/data/%s", loc, files[i]),
                                        FLOE_CONTENT_DATA);
        floe_ice_read_opts ro = {.schema = s, .file = &f};
        floe_buf_append_str(&all, rows_test_read(t, io, &ro, NULL), NULL);
    }
    assert_string_equal(
        floe_buf_cstr(&all),
        "{\"id\":3,\"name\":\"Cottontail\",\"event_date\":null,\"price\":\"0.00\",\"active\":true}"
        "\n"
        "{\"id\":4,\"name\":\"Thumper\",\"event_date\":\"2022-01-02\",\"price\":\"99999999.99\","
        "\"active\":false}\n"
        "{\"id\":1,\"name\":\"Flopsy \xf0\x9f\x90\x87\",\"event_date\":\"2022-01-01\",\"price\":"
        "\"9.99\",\"active\":true}\n"
        "{\"id\":2,\"name\":\"Mopsy\xe2\x80\x93Na\xc3\xafve\",\"event_date\":\"2022-01-01\","
        "\"price\":\"-5.00\",\"active\":false}\n");
    floe_buf_fini(&all);
    floe_fileio_free(io);
}

static void test_fixture_java_eq_deletes_partitioned(void **state)
{
    floe_test_ctx *t = *state;
    floe_fileio *io = new_io();
    floe_err err = {0};
    const char *dir = floe_test_copy_shared(t, "iceberg/java_api_eq_deletes_identity_partition");
    const char *loc = "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned";
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, loc, dir, &err), &err);
    const floe_ice_schema *s =
        fixture_schema(t, io, floe_arena_sprintf(t->arena, "%s/metadata/v6.metadata.json", loc));
    static const int32_t by_name[] = {2}, by_id_name[] = {2, 1};
    struct {
        const char *data, *del;
        const int32_t *ids;
        size_t n_ids;
    } parts[] = {
        {"name=a/00001-1760585152415-373476a7-2e0e-4faa-a399-c1e9226724b9-00001.parquet", NULL,
         NULL, 0},
        {"name=b/00001-1760585152415-373476a7-2e0e-4faa-a399-c1e9226724b9-00002.parquet",
         "name=b/delete-07681bdb-b7a0-4bbc-a7ea-db5e51918b3d.parquet", by_name, 1},
        {"name=c/00001-1760585152415-373476a7-2e0e-4faa-a399-c1e9226724b9-00003.parquet",
         "name=c/delete-1929bcb5-210d-4b3d-9989-a10234740545.parquet", by_id_name, 2},
        {"name=d/00001-1760585152415-373476a7-2e0e-4faa-a399-c1e9226724b9-00004.parquet", NULL,
         NULL, 0},
        {"name=e/00001-1760585154163-9544d795-f42e-4c94-863f-422e5a11b63e-00001.parquet", NULL,
         NULL, 0},
        {"name=f/00001-1760585154163-9544d795-f42e-4c94-863f-422e5a11b63e-00002.parquet",
         "name=f/delete-ad683036-fbdb-4976-b0d3-2d1fc4525299.parquet", by_name, 1},
    };
    floe_buf all;
    floe_buf_init(&all, 0);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(parts); i++) {
        floe_data_file f = fixture_file(
            floe_arena_sprintf(t->arena, "%s/data/%s", loc, parts[i].data), FLOE_CONTENT_DATA);
        floe_data_file d = {0};
        const floe_data_file *dels[] = {&d};
        floe_ice_read_opts ro = {.schema = s, .file = &f};
        if (parts[i].del != NULL) {
            d = fixture_file(floe_arena_sprintf(t->arena, "%s/data/%s", loc, parts[i].del),
                             FLOE_CONTENT_EQUALITY_DELETES);
            d.equality_ids = parts[i].ids;
            d.n_equality_ids = parts[i].n_ids;
            ro.deletes = dels;
            ro.n_deletes = 1;
        }
        floe_buf_append_str(&all, rows_test_read(t, io, &ro, NULL), NULL);
    }
    assert_string_equal(floe_buf_cstr(&all), "{\"id\":1,\"name\":\"a\",\"bir\":\"2025-01-01\"}\n"
                                             "{\"id\":4,\"name\":\"d\",\"bir\":\"2025-01-04\"}\n"
                                             "{\"id\":5,\"name\":\"e\",\"bir\":\"2025-01-05\"}\n");
    floe_buf_fini(&all);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(rows_read)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evolution, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_position_deletes, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_equality_deletes, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_equality_deletes_across_promotion, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_residual_filter, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_filter_skips_row_groups, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_name_mapping, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_reader_argument_errors, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_batches_and_partitioned_deletes,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_positions_of_live_matching_rows, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_schema_from_parquet, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_java_pos_and_eq_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_spark_posdel_evolution, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_spark_rename, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_java_eq_deletes_partitioned, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
