/* SPDX-License-Identifier: Apache-2.0 */
/* FileMetaData, PageHeader and page index decoding from hand-built Thrift bytes. */
#include "floe_test.h"
#include "pq_build.h"

#include "parquet/parquet_int.h"

static void test_page_headers(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    tc w;
    tc_init(&w, &b);
    /* v1 data page with a CRC, statistics and an unknown field. */
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, FLOE_PQ_PAGE_DATA);
    tc_i32(&w, 2, 100);
    tc_i32(&w, 3, 80);
    tc_i32(&w, 4, (int32_t)0xdeadbeef);
    tc_struct_begin(&w, 5);
    tc_i32(&w, 1, 10);
    tc_i32(&w, 2, FLOE_PQ_ENC_PLAIN);
    tc_i32(&w, 3, FLOE_PQ_ENC_RLE);
    tc_i32(&w, 4, FLOE_PQ_ENC_BIT_PACKED);
    tc_struct_begin(&w, 5);
    tc_i64(&w, 3, 2);
    tc_bin(&w, 5, "\x09\0\0\0", 4);
    tc_bin(&w, 6, "\x01\0\0\0", 4);
    tc_struct_end(&w);
    tc_struct_end(&w);
    tc_str(&w, 20, "future field");
    tc_struct_end(&w);
    size_t first = b.len;
    /* v2 page, not compressed. */
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, FLOE_PQ_PAGE_DATA_V2);
    tc_i32(&w, 2, 50);
    tc_i32(&w, 3, 50);
    tc_struct_begin(&w, 8);
    tc_i32(&w, 1, 7);
    tc_i32(&w, 2, 2);
    tc_i32(&w, 3, 5);
    tc_i32(&w, 4, FLOE_PQ_ENC_RLE_DICTIONARY);
    tc_i32(&w, 5, 3);
    tc_i32(&w, 6, 1);
    tc_bool(&w, 7, false);
    tc_struct_end(&w);
    tc_struct_end(&w);

    floe_cursor c;
    floe_cursor_init(&c, b.data, b.len);
    floe_pq_page_header h;
    FLOE_ASSERT_OK(floe_pq_decode_page_header(&c, &h, &err), &err);
    assert_int_equal(c.pos, first);
    assert_int_equal(h.type, FLOE_PQ_PAGE_DATA);
    assert_int_equal(h.uncompressed_size, 100);
    assert_int_equal(h.compressed_size, 80);
    assert_true(h.has_crc);
    assert_int_equal(h.crc, 0xdeadbeef);
    assert_int_equal(h.num_values, 10);
    assert_int_equal(h.def_encoding, FLOE_PQ_ENC_RLE);
    assert_int_equal(h.rep_encoding, FLOE_PQ_ENC_BIT_PACKED);
    assert_true(h.has_stats && h.stats.has_null_count && h.stats.null_count == 2);
    assert_true(h.stats.has_max && h.stats.max.len == 4 && h.stats.max.ptr[0] == 9);
    FLOE_ASSERT_OK(floe_pq_decode_page_header(&c, &h, &err), &err);
    assert_int_equal(c.pos, b.len);
    assert_int_equal(h.type, FLOE_PQ_PAGE_DATA_V2);
    assert_int_equal(h.num_nulls, 2);
    assert_int_equal(h.num_rows, 5);
    assert_int_equal(h.def_len, 3);
    assert_int_equal(h.rep_len, 1);
    assert_false(h.is_compressed);

    /* Malformed: negative size, missing sub-header, missing field, truncated. */
    const struct {
        int32_t type, size;
        bool sub;
        const char *msg;
    } bad[] = {
        {FLOE_PQ_PAGE_DATA, -1, true, "negative size"},
        {FLOE_PQ_PAGE_DICT, 10, false, "has no dictionary page header"},
        {FLOE_PQ_PAGE_DATA, 10, false, "has no data page header"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        floe_buf_reset(&b);
        tc_init(&w, &b);
        tc_struct_begin(&w, 0);
        tc_i32(&w, 1, bad[i].type);
        tc_i32(&w, 2, bad[i].size);
        tc_i32(&w, 3, 10);
        if (bad[i].sub) {
            tc_struct_begin(&w, 5);
            tc_i32(&w, 1, 1);
            tc_i32(&w, 2, 0);
            tc_i32(&w, 3, 3);
            tc_i32(&w, 4, 3);
            tc_struct_end(&w);
        }
        tc_struct_end(&w);
        floe_err_clear(&err);
        floe_cursor_init(&c, b.data, b.len);
        FLOE_ASSERT_ERR(floe_pq_decode_page_header(&c, &h, &err), FLOE_ERR_CORRUPT, &err,
                        bad[i].msg);
    }
    floe_buf_reset(&b);
    tc_init(&w, &b);
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, FLOE_PQ_PAGE_DATA);
    tc_i32(&w, 2, 1);
    tc_i32(&w, 3, 1);
    tc_struct_begin(&w, 5);
    tc_i32(&w, 1, 1);
    tc_i32(&w, 2, 0);
    tc_i32(&w, 4, 3);
    tc_struct_end(&w);
    tc_struct_end(&w);
    floe_err_clear(&err);
    floe_cursor_init(&c, b.data, b.len);
    FLOE_ASSERT_ERR(floe_pq_decode_page_header(&c, &h, &err), FLOE_ERR_CORRUPT, &err,
                    "DataPageHeader has no definition_level_encoding");
    floe_err_clear(&err);
    floe_cursor_init(&c, b.data, b.len - 3);
    FLOE_ASSERT_ERR(floe_pq_decode_page_header(&c, &h, &err), FLOE_ERR_CORRUPT, &err,
                    "page header");
    floe_buf_fini(&b);
}

static void test_page_index(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    tc w;
    tc_init(&w, &b);
    tc_struct_begin(&w, 0);
    tc_list(&w, 1, FLOE_TC_STRUCT, 2);
    for (int i = 0; i < 2; i++) {
        tc_struct_begin(&w, 0);
        tc_i64(&w, 1, 4 + i * 100);
        tc_i32(&w, 2, 100);
        tc_i64(&w, 3, i * 1000);
        tc_struct_end(&w);
    }
    tc_struct_end(&w);
    floe_pq_offset_index oi;
    FLOE_ASSERT_OK(floe_pq_decode_offset_index((const uint8_t *)b.data, b.len, t->arena, &oi, &err),
                   &err);
    assert_int_equal(oi.n, 2);
    assert_int_equal(oi.pages[1].offset, 104);
    assert_int_equal(oi.pages[1].first_row_index, 1000);

    floe_buf_reset(&b);
    tc_init(&w, &b);
    tc_struct_begin(&w, 0);
    tc_list(&w, 1, FLOE_TC_TRUE, 2);
    tc_byte(&w, 1);
    tc_byte(&w, 2); /* parquet-java's "false" */
    tc_list(&w, 2, FLOE_TC_BINARY, 2);
    tc_elem_bin(&w, "", 0);
    tc_elem_bin(&w, "a", 1);
    tc_list(&w, 3, FLOE_TC_BINARY, 2);
    tc_elem_bin(&w, "", 0);
    tc_elem_bin(&w, "z", 1);
    tc_i32(&w, 4, 1);
    tc_list(&w, 5, FLOE_TC_I64, 2);
    tc_zigzag(&w, 10);
    tc_zigzag(&w, 0);
    tc_struct_end(&w);
    floe_pq_column_index ci;
    FLOE_ASSERT_OK(floe_pq_decode_column_index((const uint8_t *)b.data, b.len, t->arena, &ci, &err),
                   &err);
    assert_int_equal(ci.n, 2);
    assert_true(ci.null_pages[0]);
    assert_false(ci.null_pages[1]);
    assert_int_equal(ci.max_values[1].len, 1);
    assert_int_equal(ci.boundary_order, 1);
    assert_true(ci.has_null_counts && ci.null_counts[0] == 10);

    /* Lists of different lengths. */
    floe_buf_reset(&b);
    tc_init(&w, &b);
    tc_struct_begin(&w, 0);
    tc_list(&w, 1, FLOE_TC_TRUE, 1);
    tc_byte(&w, 1);
    tc_list(&w, 2, FLOE_TC_BINARY, 0);
    tc_list(&w, 3, FLOE_TC_BINARY, 0);
    tc_i32(&w, 4, 0);
    tc_struct_end(&w);
    FLOE_ASSERT_ERR(
        floe_pq_decode_column_index((const uint8_t *)b.data, b.len, t->arena, &ci, &err),
        FLOE_ERR_CORRUPT, &err, "ColumnIndex lists differ in length (1 null_pages, 0 min, 0 max)");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_pq_decode_offset_index((const uint8_t *)"\x00", 1, t->arena, &oi, &err),
                    FLOE_ERR_CORRUPT, &err, "OffsetIndex has no page_locations");
    floe_buf_fini(&b);
}

static void test_file_meta_from_builder(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    pq_page page = {.type = 0, .num_values = 3, .body = "abc", .len = 3};
    pq_spec spec = {.type = FLOE_PQ_INT32,
                    .repetition = 1,
                    .converted = 15, /* INT_8 */
                    .codec = FLOE_PQ_ZSTD,
                    .num_rows = 3,
                    .pages = &page,
                    .n_pages = 1,
                    .list = true,
                    .n_row_groups = 2};
    floe_buf b;
    floe_buf_init(&b, 0);
    pq_build_footer(&spec, &b);
    floe_pq_file_meta m;
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    assert_int_equal(m.version, 1);
    assert_int_equal(m.num_rows, 6);
    assert_string_equal(m.created_by, "floe test builder");
    assert_int_equal(m.n_row_groups, 2);
    assert_int_equal(m.schema.n_leaves, 1);
    const floe_pq_node *leaf = m.schema.leaves[0];
    assert_string_equal(floe_pq_node_path(leaf, t->arena), "x.list.element");
    assert_int_equal(leaf->max_def, 3);
    assert_int_equal(leaf->max_rep, 1);
    assert_true(leaf->has_field_id && leaf->field_id == 7);
    assert_int_equal(leaf->logical.kind, FLOE_PQ_LT_INTEGER);
    assert_int_equal(leaf->logical.bit_width, 8);
    assert_true(leaf->logical.is_signed);
    assert_int_equal(leaf->converted_type, 15);
    assert_int_equal(m.schema.root->children[0]->logical.kind, FLOE_PQ_LT_LIST);
    const floe_pq_column_chunk *cc = &m.row_groups[1].columns[0];
    assert_int_equal(cc->codec, FLOE_PQ_ZSTD);
    assert_int_equal(cc->n_path, 3);
    assert_string_equal(cc->path_in_schema[2], "element");
    assert_true(cc->data_page_offset > 4);
    floe_buf_fini(&b);
}

/* Every ConvertedType maps onto the logical type LogicalTypes.md gives it. */
static void test_converted_types_map_to_logical(void **state)
{
    floe_test_ctx *t = *state;
    const struct {
        int32_t ct, type;
        floe_pq_logical_kind kind;
        int bits;
        bool is_signed;
        floe_time_unit unit;
    } cases[] = {
        {0, FLOE_PQ_BYTE_ARRAY, FLOE_PQ_LT_STRING, 0, false, 0},
        {4, FLOE_PQ_BYTE_ARRAY, FLOE_PQ_LT_ENUM, 0, false, 0},
        {5, FLOE_PQ_INT64, FLOE_PQ_LT_DECIMAL, 0, false, 0},
        {6, FLOE_PQ_INT32, FLOE_PQ_LT_DATE, 0, false, 0},
        {7, FLOE_PQ_INT32, FLOE_PQ_LT_TIME, 0, false, FLOE_UNIT_MILLIS},
        {8, FLOE_PQ_INT64, FLOE_PQ_LT_TIME, 0, false, FLOE_UNIT_MICROS},
        {9, FLOE_PQ_INT64, FLOE_PQ_LT_TIMESTAMP, 0, false, FLOE_UNIT_MILLIS},
        {10, FLOE_PQ_INT64, FLOE_PQ_LT_TIMESTAMP, 0, false, FLOE_UNIT_MICROS},
        {11, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 8, false, 0},
        {12, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 16, false, 0},
        {13, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 32, false, 0},
        {14, FLOE_PQ_INT64, FLOE_PQ_LT_INTEGER, 64, false, 0},
        {15, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 8, true, 0},
        {16, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 16, true, 0},
        {17, FLOE_PQ_INT32, FLOE_PQ_LT_INTEGER, 32, true, 0},
        {18, FLOE_PQ_INT64, FLOE_PQ_LT_INTEGER, 64, true, 0},
        {19, FLOE_PQ_BYTE_ARRAY, FLOE_PQ_LT_JSON, 0, false, 0},
        {20, FLOE_PQ_BYTE_ARRAY, FLOE_PQ_LT_BSON, 0, false, 0},
        {21, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, FLOE_PQ_LT_INTERVAL, 0, false, 0},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_err err = {0};
        pq_spec spec = {.type = cases[i].type,
                        .type_length = cases[i].type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY ? 12 : 0,
                        .converted = cases[i].ct,
                        .scale = 2,
                        .precision = 10};
        floe_buf b;
        floe_buf_init(&b, 0);
        pq_build_footer(&spec, &b);
        floe_pq_file_meta m;
        FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                       &err);
        const floe_pq_logical *lt = &m.schema.leaves[0]->logical;
        assert_int_equal(lt->kind, cases[i].kind);
        if (cases[i].kind == FLOE_PQ_LT_INTEGER) {
            assert_int_equal(lt->bit_width, cases[i].bits);
            assert_int_equal(lt->is_signed, cases[i].is_signed);
        }
        if (cases[i].kind == FLOE_PQ_LT_TIME || cases[i].kind == FLOE_PQ_LT_TIMESTAMP) {
            assert_int_equal(lt->unit, cases[i].unit);
            assert_true(lt->utc);
        }
        if (cases[i].kind == FLOE_PQ_LT_DECIMAL) {
            assert_int_equal(lt->precision, 10);
            assert_int_equal(lt->scale, 2);
        }
        floe_buf_fini(&b);
    }
}

/* A footer with one leaf annotated by a LogicalType built by `member`. */
static void logical_footer(floe_buf *b, int32_t type, int32_t type_length, void (*member)(tc *))
{
    tc w;
    tc_init(&w, b);
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, 2);
    tc_list(&w, 2, FLOE_TC_STRUCT, 2);
    tc_struct_begin(&w, 0);
    tc_str(&w, 4, "root");
    tc_i32(&w, 5, 1);
    tc_struct_end(&w);
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, type);
    if (type_length > 0) {
        tc_i32(&w, 2, type_length);
    }
    tc_i32(&w, 3, 1);
    tc_str(&w, 4, "v");
    tc_i32(&w, 6, 10); /* a ConvertedType that the LogicalType overrides */
    tc_struct_begin(&w, 10);
    member(&w);
    tc_struct_end(&w);
    tc_struct_end(&w);
    tc_i64(&w, 3, 0);
    tc_list(&w, 4, FLOE_TC_STRUCT, 0);
    tc_struct_end(&w);
}

static void lt_timestamp_nanos(tc *w)
{
    tc_struct_begin(w, 8);
    tc_bool(w, 1, false);
    tc_struct_begin(w, 2);
    tc_struct_begin(w, 3);
    tc_struct_end(w);
    tc_struct_end(w);
    tc_struct_end(w);
}

static void lt_decimal(tc *w)
{
    tc_struct_begin(w, 5);
    tc_i32(w, 1, 3);  /* scale */
    tc_i32(w, 2, 20); /* precision */
    tc_struct_end(w);
}

static void lt_uint16(tc *w)
{
    tc_struct_begin(w, 10);
    tc_field_hdr(w, 1, FLOE_TC_I8, false);
    tc_byte(w, 16);
    tc_bool(w, 2, false);
    tc_struct_end(w);
}

static void lt_variant(tc *w)
{
    tc_struct_begin(w, 16);
    tc_struct_end(w);
}

static void lt_float16(tc *w)
{
    tc_struct_begin(w, 15);
    tc_struct_end(w);
}

static void lt_bad_int(tc *w)
{
    tc_struct_begin(w, 10);
    tc_field_hdr(w, 1, FLOE_TC_I8, false);
    tc_byte(w, 12);
    tc_struct_end(w);
}

static void test_logical_type_union(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_file_meta m;
    const floe_pq_logical *lt;

    logical_footer(&b, FLOE_PQ_INT64, 0, lt_timestamp_nanos);
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    lt = &m.schema.leaves[0]->logical;
    assert_int_equal(lt->kind, FLOE_PQ_LT_TIMESTAMP);
    assert_int_equal(lt->unit, FLOE_UNIT_NANOS);
    assert_false(lt->utc);
    assert_int_equal(m.version, 2);

    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 9, lt_decimal);
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    lt = &m.schema.leaves[0]->logical;
    assert_int_equal(lt->kind, FLOE_PQ_LT_DECIMAL);
    assert_int_equal(lt->scale, 3);
    assert_int_equal(lt->precision, 20);

    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_INT32, 0, lt_uint16);
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    lt = &m.schema.leaves[0]->logical;
    assert_int_equal(lt->kind, FLOE_PQ_LT_INTEGER);
    assert_int_equal(lt->bit_width, 16);
    assert_false(lt->is_signed);

    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_BYTE_ARRAY, 0, lt_variant);
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    assert_int_equal(m.schema.leaves[0]->logical.kind, FLOE_PQ_LT_OTHER);

    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 2, lt_float16);
    FLOE_ASSERT_OK(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                   &err);
    assert_int_equal(m.schema.leaves[0]->logical.kind, FLOE_PQ_LT_FLOAT16);

    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_INT32, 0, lt_bad_int);
    FLOE_ASSERT_ERR(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                    FLOE_ERR_CORRUPT, &err, "integer type has bit width 12");
    /* A decimal whose precision does not fit its physical type. */
    floe_err_clear(&err);
    floe_buf_reset(&b);
    logical_footer(&b, FLOE_PQ_INT32, 0, lt_decimal);
    FLOE_ASSERT_ERR(floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
                    FLOE_ERR_CORRUPT, &err, "schema: decimal(20,3) does not fit leaf 'v'");
    floe_buf_fini(&b);
}

/* Schema shapes and footer fields that must be rejected. */
static void test_malformed_footers(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_file_meta m;
    floe_buf b;
    floe_buf_init(&b, 0);
    tc w;
    const struct {
        int variant;
        const char *msg;
    } cases[] = {
        {0, "declares 5 children but only 1 elements follow"},
        {1, "schema has 1 elements outside the tree rooted at 'root'"},
        {2, "footer: negative num_rows -5"},
        {3, "FileMetaData has no row_groups"},
        {4, "row group 0 has 0 columns, the schema 1 leaves"},
        {5, "has an unknown physical type 9"},
        {6, "has neither a type nor children"},
        {7, "SchemaElement has no name"},
        {8, "schema has no elements"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        int v = cases[i].variant;
        floe_buf_reset(&b);
        tc_init(&w, &b);
        tc_struct_begin(&w, 0);
        tc_i32(&w, 1, 1);
        tc_list(&w, 2, FLOE_TC_STRUCT, v == 8 ? 0 : v == 1 ? 3 : 2);
        if (v != 8) {
            tc_struct_begin(&w, 0);
            tc_str(&w, 4, "root");
            tc_i32(&w, 5, v == 0 ? 5 : 1);
            tc_struct_end(&w);
            tc_struct_begin(&w, 0);
            if (v != 6) {
                tc_i32(&w, 1, v == 5 ? 9 : FLOE_PQ_INT32);
            }
            if (v != 7) {
                tc_str(&w, 4, "a");
            }
            tc_struct_end(&w);
        }
        if (v == 1) {
            tc_struct_begin(&w, 0);
            tc_i32(&w, 1, FLOE_PQ_INT32);
            tc_str(&w, 4, "extra");
            tc_struct_end(&w);
        }
        tc_i64(&w, 3, v == 2 ? -5 : 0);
        if (v != 3) {
            tc_list(&w, 4, FLOE_TC_STRUCT, v == 4 ? 1 : 0);
            if (v == 4) {
                tc_struct_begin(&w, 0);
                tc_list(&w, 1, FLOE_TC_STRUCT, 0);
                tc_i64(&w, 2, 0);
                tc_i64(&w, 3, 0);
                tc_struct_end(&w);
            }
        }
        tc_struct_end(&w);
        floe_err err = {0};
        FLOE_ASSERT_ERR(
            floe_pq_decode_file_meta((const uint8_t *)b.data, b.len, t->arena, &m, &err),
            FLOE_ERR_CORRUPT, &err, cases[i].msg);
    }
    /* A footer cut short. */
    pq_page page = {.type = 0, .num_values = 1, .body = "a", .len = 1};
    pq_spec spec = {.type = FLOE_PQ_INT32, .num_rows = 1, .pages = &page, .n_pages = 1};
    floe_buf_reset(&b);
    pq_build_footer(&spec, &b);
    for (size_t cut = 0; cut < b.len; cut += 7) {
        floe_err err = {0};
        assert_int_equal(floe_pq_decode_file_meta((const uint8_t *)b.data, cut, t->arena, &m, &err),
                         FLOE_ERR_CORRUPT);
        assert_non_null(strstr(err.msg, "footer"));
    }
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(meta)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_headers),
        cmocka_unit_test_setup_teardown(test_page_index, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_file_meta_from_builder, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_converted_types_map_to_logical, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_logical_type_union, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_footers, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("meta", tests, NULL, NULL);
}
