/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every Parquet file in ../shared/fixtures/parquet read and checked against the expectations of
 * ../shared/fixtures/README.md and the *_expect.csv / *.md files that parquet-testing ships.
 */
#include "floe_test.h"
#include "pq_build.h"

#include "parquet/parquet_int.h"

#include <stdio.h>

typedef struct lines {
    floe_buf buf;
    char **line;
    size_t n;
} lines;

/* Read a fixture (copied into the test's directory) into JSON lines. */
static void read_fixture(floe_test_ctx *t, const char *name, lines *out)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "parquet/%s", name);
    const char *path = floe_test_copy_shared(t, rel);
    floe_err err = {0};
    floe_buf_init(&out->buf, 0);
    size_t rows;
    FLOE_ASSERT_OK(pq_read_json(path, NULL, &out->buf, &rows, &err), &err);
    out->line = floe_xcalloc(rows + 1, sizeof(char *));
    out->n = 0;
    char *p = out->buf.data;
    while (p != NULL && *p != '\0') {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        out->line[out->n++] = p;
        p = nl + 1;
    }
    assert_int_equal(out->n, rows);
}

static void lines_fini(lines *l)
{
    free(l->line);
    floe_buf_fini(&l->buf);
}

static void test_alltypes(void **state)
{
    floe_test_ctx *t = *state;
    lines l;
    read_fixture(t, "alltypes_plain.parquet", &l);
    assert_int_equal(l.n, 8);
    const int ids[] = {4, 5, 6, 7, 2, 3, 0, 1};
    for (size_t i = 0; i < 8; i++) {
        char want[64];
        snprintf(want, sizeof(want), "{\"id\":%d,", ids[i]);
        assert_true(floe_starts_with(l.line[i], want));
    }
    /* INT96 timestamps keep nanoseconds and are not adjusted to UTC. */
    assert_string_equal(l.line[1],
                        "{\"id\":5,\"bool_col\":false,\"tinyint_col\":1,\"smallint_col\":1,"
                        "\"int_col\":1,\"bigint_col\":10,\"float_col\":1.1,\"double_col\":10.1,"
                        "\"date_string_col\":\"30332f30312f3039\",\"string_col\":\"31\","
                        "\"timestamp_col\":\"2009-03-01T00:01:00.000000000\"}");
    lines_fini(&l);
    read_fixture(t, "alltypes_plain.snappy.parquet", &l);
    assert_int_equal(l.n, 2);
    assert_true(floe_starts_with(l.line[0], "{\"id\":6,"));
    assert_true(floe_starts_with(l.line[1], "{\"id\":7,"));
    lines_fini(&l);
    read_fixture(t, "alltypes_dictionary.parquet", &l);
    assert_int_equal(l.n, 2);
    assert_true(floe_starts_with(l.line[1], "{\"id\":1,\"bool_col\":false"));
    lines_fini(&l);
}

/* A minimal CSV reader: comma-separated, optional double quotes with "" escapes. */
static size_t csv_fields(char *line, char **fields, bool *quoted, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        fields[n] = w;
        quoted[n] = *p == '"';
        if (quoted[n]) {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
        } else {
            while (*p != ',' && *p != '\0' && *p != '\r') {
                *w++ = *p++;
            }
        }
        char end = *p;
        *w = '\0';
        n++;
        if (end != ',') {
            break;
        }
        p++;
    }
    return n;
}

/*
 * Compare a fixture with its expect.csv: an empty unquoted field is null, strings compare as
 * text, numbers by their canonical digits.
 */
static void check_against_csv(floe_test_ctx *t, const char *parquet, const char *csv)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "parquet/%s", csv);
    size_t len;
    char *text = floe_test_read_file(floe_test_shared_path(t, rel), &len);
    lines l;
    read_fixture(t, parquet, &l);
    char *save = text;
    char *nl = strchr(save, '\n');
    save = nl + 1; /* header */
    size_t row = 0;
    while (*save != '\0') {
        nl = strchr(save, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        char *fields[128];
        bool quoted[128];
        size_t nf = csv_fields(save, fields, quoted, 128);
        assert_true(row < l.n);
        /* Walk the JSON object's values in order. */
        const char *p = l.line[row];
        for (size_t f = 0; f < nf; f++) {
            p = strstr(p, "\":");
            assert_non_null(p);
            p += 2;
            const char *end = p;
            if (*p == '"') {
                end++;
                while (*end != '"') {
                    end += *end == '\\' ? 2 : 1;
                }
                end++;
            } else {
                while (*end != ',' && *end != '}') {
                    end++;
                }
            }
            char got[512];
            snprintf(got, sizeof(got), "%.*s", (int)(end - p), p);
            char want[512];
            if (fields[f][0] == '\0' && !quoted[f]) {
                snprintf(want, sizeof(want), "null");
            } else if (got[0] == '"') {
                snprintf(want, sizeof(want), "\"%s\"", fields[f]);
            } else {
                snprintf(want, sizeof(want), "%s", fields[f]);
            }
            if (strcmp(got, want) != 0) {
                fail_msg("%s row %zu field %zu: floe %s, expected %s", parquet, row, f, got, want);
            }
            p = end;
        }
        row++;
        if (nl == NULL) {
            break;
        }
        save = nl + 1;
    }
    assert_int_equal(row, l.n);
    lines_fini(&l);
    free(text);
}

static void test_delta_encodings_match_expected_csv(void **state)
{
    floe_test_ctx *t = *state;
    check_against_csv(t, "delta_binary_packed.parquet", "delta_binary_packed_expect.csv");
    check_against_csv(t, "delta_byte_array.parquet", "delta_byte_array_expect.csv");
    check_against_csv(t, "delta_encoding_optional_column.parquet",
                      "delta_encoding_optional_column_expect.csv");
    lines l;
    read_fixture(t, "delta_length_byte_array.parquet", &l);
    assert_int_equal(l.n, 1000);
    for (size_t i = 0; i < l.n; i++) {
        char want[64];
        snprintf(want, sizeof(want), "{\"FRUIT\":\"apple_banana_mango%zu\"}", i * i);
        assert_string_equal(l.line[i], want);
    }
    lines_fini(&l);
}

static void test_simple_expectations(void **state)
{
    floe_test_ctx *t = *state;
    lines l;
    read_fixture(t, "lz4_raw_compressed.parquet", &l);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.line[0], "{\"c0\":1593604800,\"c1\":\"616263\",\"v11\":42}");
    assert_string_equal(l.line[3], "{\"c0\":1593604801,\"c1\":\"646566\",\"v11\":7.7}");
    lines_fini(&l);

    read_fixture(t, "datapage_v2.snappy.parquet", &l);
    const char *const want_v2[] = {
        "{\"a\":\"abc\",\"b\":1,\"c\":2,\"d\":true,\"e\":[1,2,3]}",
        "{\"a\":\"abc\",\"b\":2,\"c\":3,\"d\":true,\"e\":null}",
        "{\"a\":\"abc\",\"b\":3,\"c\":4,\"d\":true,\"e\":null}",
        "{\"a\":null,\"b\":4,\"c\":5,\"d\":false,\"e\":[1,2,3]}",
        "{\"a\":\"abc\",\"b\":5,\"c\":2,\"d\":true,\"e\":[1,2]}",
    };
    assert_int_equal(l.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(l.line[i], want_v2[i]);
    }
    lines_fini(&l);

    read_fixture(t, "nulls.snappy.parquet", &l);
    assert_int_equal(l.n, 8);
    for (size_t i = 0; i < l.n; i++) {
        assert_string_equal(l.line[i], "{\"b_struct\":{\"b_c_int\":null}}");
    }
    lines_fini(&l);

    read_fixture(t, "fixed_length_decimal.parquet", &l);
    assert_int_equal(l.n, 24);
    for (size_t i = 0; i < l.n; i++) {
        char want[64];
        snprintf(want, sizeof(want), "{\"value\":\"%zu.00\"}", i + 1);
        assert_string_equal(l.line[i], want);
    }
    lines_fini(&l);

    read_fixture(t, "rle_boolean_encoding.parquet", &l);
    assert_int_equal(l.n, 68);
    size_t non_null = 0;
    for (size_t i = 0; i < l.n; i++) {
        non_null += strstr(l.line[i], "null") == NULL;
    }
    assert_int_equal(non_null, 62);
    lines_fini(&l);

    read_fixture(t, "byte_stream_split.zstd.parquet", &l);
    assert_int_equal(l.n, 300);
    assert_string_equal(l.line[0], "{\"f32\":1.7640524,\"f64\":-1.3065268517353166}");
    lines_fini(&l);
}

static void test_nested(void **state)
{
    floe_test_ctx *t = *state;
    lines l;
    read_fixture(t, "nested_lists.snappy.parquet", &l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.line[0], "{\"a\":[[[\"a\",\"b\"],[\"c\"]],[null,[\"d\"]]],\"b\":1}");
    lines_fini(&l);

    /* Structs, lists and maps with nulls at every level (rows as DuckDB reads them). */
    read_fixture(t, "nullable.impala.parquet", &l);
    assert_int_equal(l.n, 7);
    assert_string_equal(l.line[2],
                        "{\"id\":3,\"int_array\":[],\"int_array_Array\":[null],\"int_map\":[],"
                        "\"int_Map_Array\":[null,null],\"nested_struct\":{\"A\":null,\"b\":null,"
                        "\"C\":{\"d\":[]},\"g\":[]}}");
    assert_true(floe_starts_with(
        l.line[1], "{\"id\":2,\"int_array\":[null,1,2,null,3,null],\"int_array_Array\":[[null,1,2,"
                   "null],[3,null,4],[],null],\"int_map\":[{\"key\":\"k1\",\"value\":2},{\"key\":"
                   "\"k2\",\"value\":null}]"));
    lines_fini(&l);
}

/* Page index file: 10 pages of 100 rows, null counts and bounds per parquet-cli's output. */
static void test_int32_with_null_pages(void **state)
{
    floe_test_ctx *t = *state;
    const int nulls[10] = {8, 55, 100, 52, 16, 12, 5, 7, 8, 12};
    const int64_t mins[10] = {-2135807632, -2104090659, 0,           -2116849709, -2048691758,
                              -2017923401, -2136906554, -2113313110, -2046900272, -1941944785};
    const int64_t maxs[10] = {2144701119, 1745329571, 0,          2077105757, 2143189382,
                              2087827129, 2125689411, 2145722375, 2087168549, 2078586537};
    const char *path = floe_test_copy_shared(t, "parquet/int32_with_null_pages.parquet");
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, path, NULL, &r, &err), &err);
    const floe_pq_column_chunk *cc = &floe_pq_reader_meta(r)->row_groups[0].columns[0];
    assert_true(cc->has_offset_index && cc->has_column_index);
    floe_pq_scan_opts so = {.batch_rows = 100};
    floe_pq_scan *scan;
    FLOE_ASSERT_OK(floe_pq_scan_new(r, &so, &scan, &err), &err);
    for (int page = 0; page < 10; page++) {
        const floe_pq_batch *b;
        FLOE_ASSERT_OK(floe_pq_scan_next(scan, &b, &err), &err);
        const floe_pq_column *c = &b->columns[0];
        assert_int_equal(c->n, 100);
        assert_int_equal((int)(c->n - c->n_values), nulls[page]);
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (size_t i = 0; i < c->n; i++) {
            if (c->def[i] == 1) {
                lo = c->v.i32[i] < lo ? c->v.i32[i] : lo;
                hi = c->v.i32[i] > hi ? c->v.i32[i] : hi;
            }
        }
        if (nulls[page] < 100) {
            assert_true(lo == mins[page]);
            assert_true(hi == maxs[page]);
        }
    }
    floe_pq_scan_free(scan);
    /* The footer's page index locations decode. */
    uint8_t *buf = floe_xmalloc((size_t)cc->offset_index_length);
    floe_input *in;
    FLOE_ASSERT_OK(floe_io_open(io, path, &in, &err), &err);
    FLOE_ASSERT_OK(floe_input_read(in, (uint64_t)cc->offset_index_offset, buf,
                                   (size_t)cc->offset_index_length, &err),
                   &err);
    floe_pq_offset_index oi;
    FLOE_ASSERT_OK(
        floe_pq_decode_offset_index(buf, (size_t)cc->offset_index_length, t->arena, &oi, &err),
        &err);
    assert_int_equal(oi.n, 10);
    assert_int_equal(oi.pages[3].first_row_index, 300);
    free(buf);
    buf = floe_xmalloc((size_t)cc->column_index_length);
    FLOE_ASSERT_OK(floe_input_read(in, (uint64_t)cc->column_index_offset, buf,
                                   (size_t)cc->column_index_length, &err),
                   &err);
    floe_pq_column_index ci;
    FLOE_ASSERT_OK(
        floe_pq_decode_column_index(buf, (size_t)cc->column_index_length, t->arena, &ci, &err),
        &err);
    assert_true(ci.null_pages[2]);
    assert_false(ci.null_pages[3]);
    assert_true(ci.has_null_counts && ci.null_counts[1] == 55);
    free(buf);
    floe_input_close(in);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

/* Each BYTE_STREAM_SPLIT column equals its PLAIN twin, value by value. */
static void test_byte_stream_split_twins(void **state)
{
    floe_test_ctx *t = *state;
    const char *path = floe_test_copy_shared(t, "parquet/byte_stream_split_extended.gzip.parquet");
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, path, NULL, &r, &err), &err);
    const floe_pq_schema *s = floe_pq_reader_schema(r);
    assert_int_equal(s->n_leaves, 14);
    floe_pq_scan *scan;
    FLOE_ASSERT_OK(floe_pq_scan_new(r, NULL, &scan, &err), &err);
    const floe_pq_batch *b;
    size_t rows = 0, compared = 0;
    for (;;) {
        FLOE_ASSERT_OK(floe_pq_scan_next(scan, &b, &err), &err);
        if (b == NULL) {
            break;
        }
        for (size_t c = 0; c < 14; c += 2) {
            const floe_pq_column *plain = &b->columns[c], *bss = &b->columns[c + 1];
            assert_non_null(strstr(plain->leaf->name, "_plain"));
            assert_non_null(strstr(bss->leaf->name, "_byte_stream_split"));
            assert_int_equal(plain->n, bss->n);
            for (size_t i = 0; i < plain->n; i++) {
                floe_value x = floe_pq_column_value(plain, i), y = floe_pq_column_value(bss, i);
                assert_true(floe_value_eq(&x, &y));
                compared += x.kind != FLOE_V_NULL;
            }
        }
        rows += b->n_rows;
    }
    assert_int_equal(rows, 200);
    assert_true(compared > 1000);
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

static void test_bad_data_fails_cleanly(void **state)
{
    floe_test_ctx *t = *state;
    const struct {
        const char *file;
        floe_status code;
        const char *msg;
    } cases[] = {
        {"PARQUET-1481.parquet", FLOE_ERR_CORRUPT,
         "footer: schema element 'Handle' has an unknown physical type -7"},
        {"ARROW-RS-GH-6229-DICTHEADER.parquet", FLOE_ERR_CORRUPT,
         "row group 0, column 'name': chunk at offset 129 of 322 bytes lies outside the data "
         "area [4, 291)"},
        {"ARROW-GH-45185.parquet", FLOE_ERR_CORRUPT,
         "column 'x.list.element': the column chunk starts with repetition level 1, not 0"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "parquet/bad_data/%s", cases[i].file);
        floe_err err = {0};
        floe_buf out;
        floe_buf_init(&out, 0);
        size_t rows;
        FLOE_ASSERT_ERR(pq_read_json(floe_test_copy_shared(t, rel), NULL, &out, &rows, &err),
                        cases[i].code, &err, cases[i].msg);
        floe_buf_fini(&out);
    }
}

FLOE_TEST_GROUP(fixtures)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_alltypes),
        T(test_delta_encodings_match_expected_csv),
        T(test_simple_expectations),
        T(test_nested),
        T(test_int32_with_null_pages),
        T(test_byte_stream_split_twins),
        T(test_bad_data_fails_cleanly),
    };
#undef T
    return cmocka_run_group_tests_name("fixtures", tests, NULL, NULL);
}
