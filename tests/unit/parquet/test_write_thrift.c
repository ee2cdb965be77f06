/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Thrift compact encoder against hand-computed bytes (field header short and long forms,
 * booleans, nested structs, lists short and long, zigzag extremes), and the metadata encoders
 * (page headers, footers with every annotation, page index) decoded back with the test-only
 * Thrift decoder.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

#include <stdio.h>

static void assert_bytes(const floe_buf *b, const uint8_t *want, size_t n)
{
    if (b->len != n || memcmp(b->data, want, n) != 0) {
        char got[512] = {0}, exp[512] = {0};
        for (size_t i = 0; i < b->len && i < 100; i++) {
            snprintf(got + 3 * i, 4, "%02x ", (uint8_t)b->data[i]);
        }
        for (size_t i = 0; i < n && i < 100; i++) {
            snprintf(exp + 3 * i, 4, "%02x ", want[i]);
        }
        fail_msg("bytes differ\n got: %s\nwant: %s", got, exp);
    }
}

#define ASSERT_BYTES(buf, ...)                                                                     \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        assert_bytes((buf), want_, sizeof(want_));                                                 \
    } while (0)

static void test_short_field_headers(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i32_field(&o, 1, 5);           /* delta 1, I32, zigzag 10 */
    floe_thrift_w_i64_field(&o, 3, -1);          /* delta 2, I64, zigzag 1 */
    floe_thrift_w_binary_field(&o, 18, "ab", 2); /* delta 15, BINARY */
    floe_thrift_w_struct_end(&o);
    ASSERT_BYTES(&b, 0x15, 0x0A, 0x26, 0x01, 0xF8, 0x02, 'a', 'b', 0x00);
    floe_buf_fini(&b);
}

static void test_long_field_headers(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i32_field(&o, 1, 0);
    floe_thrift_w_i32_field(&o, 20, -1); /* delta 19 > 15: type byte, zigzag id 40 */
    floe_thrift_w_i32_field(&o, 2, 1);   /* negative delta: long form, zigzag id 4 */
    floe_thrift_w_i32_field(&o, 300, 2); /* id 300: zigzag 600 = 0xD8 0x04 */
    floe_thrift_w_struct_end(&o);
    ASSERT_BYTES(&b, 0x15, 0x00, 0x05, 0x28, 0x01, 0x05, 0x04, 0x02, 0x05, 0xD8, 0x04, 0x04, 0x00);
    floe_buf_fini(&b);
}

static void test_bool_fields_and_elements(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_bool_field(&o, 1, true);  /* value in the type nibble: 1 */
    floe_thrift_w_bool_field(&o, 2, false); /* 2 */
    floe_thrift_w_field(&o, 3, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_TRUE, 3);
    floe_thrift_w_bool(&o, true);
    floe_thrift_w_bool(&o, false);
    floe_thrift_w_bool(&o, true);
    floe_thrift_w_struct_end(&o);
    ASSERT_BYTES(&b, 0x11, 0x12, 0x19, 0x31, 0x01, 0x00, 0x01, 0x00);
    floe_buf_fini(&b);
}

static void test_nested_struct_restores_field_ids(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i32_field(&o, 4, 1);
    floe_thrift_w_field(&o, 5, FLOE_TC_STRUCT);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i64_field(&o, 1, 300); /* the inner struct counts from 0 */
    floe_thrift_w_struct_end(&o);
    floe_thrift_w_i32_field(&o, 6, 1); /* the outer one continues from 5 */
    floe_thrift_w_struct_end(&o);
    ASSERT_BYTES(&b, 0x45, 0x02, 0x1C, 0x16, 0xD8, 0x04, 0x00, 0x15, 0x02, 0x00);
    floe_buf_fini(&b);
}

static void test_list_headers_short_and_long(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_list_begin(&o, FLOE_TC_I32, 14); /* largest short form */
    floe_thrift_w_list_begin(&o, FLOE_TC_I32, 15); /* smallest long form */
    floe_thrift_w_list_begin(&o, FLOE_TC_BINARY, 200);
    floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, 0);
    ASSERT_BYTES(&b, 0xE5, 0xF5, 0x0F, 0xF8, 0xC8, 0x01, 0x0C);
    floe_buf_fini(&b);
}

static void test_zigzag_extremes(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_i64(&o, INT64_MIN);
    floe_thrift_w_i64(&o, INT64_MAX);
    floe_thrift_w_i32(&o, INT32_MIN);
    ASSERT_BYTES(&b, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, /* 2^64-1 */
                 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,     /* 2^64-2 */
                 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);                                  /* 2^32-1 */
    floe_buf_fini(&b);
}

static void test_long_list_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_thrift_out o;
    floe_thrift_out_init(&o, &b);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_field(&o, 1, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_I64, 40);
    for (int i = 0; i < 40; i++) {
        floe_thrift_w_i64(&o, (int64_t)i * -1000003);
    }
    floe_thrift_w_field(&o, 2, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, 17);
    for (int i = 0; i < 17; i++) {
        floe_thrift_w_struct_begin(&o);
        floe_thrift_w_i32_field(&o, 1, i);
        floe_thrift_w_bool_field(&o, 2, i % 2 == 0);
        floe_thrift_w_struct_end(&o);
    }
    floe_thrift_w_struct_end(&o);
    tt_val v;
    size_t used;
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, &used));
    assert_int_equal(used, b.len);
    const tt_val *l = tt_get(&v, 1);
    assert_non_null(l);
    assert_int_equal(l->n, 40);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(l->items[i].i, (int64_t)i * -1000003);
    }
    const tt_val *s = tt_get(&v, 2);
    assert_int_equal(s->n, 17);
    assert_int_equal(tt_int(&s->items[16], 1, -1), 16);
    assert_int_equal(tt_int(&s->items[16], 2, -1), 1);
    assert_int_equal(tt_int(&s->items[15], 2, -1), 0);
    floe_buf_fini(&b);
}

static void test_page_header_fields(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_page_header h = {0};
    h.type = FLOE_PQ_PAGE_DATA_V2;
    h.uncompressed_size = 1000;
    h.compressed_size = 400;
    h.num_values = 12;
    h.num_nulls = 2;
    h.num_rows = 5;
    h.encoding = FLOE_PQ_ENC_RLE_DICTIONARY;
    h.def_len = 7;
    h.rep_len = 3;
    h.is_compressed = false;
    h.has_stats = true;
    h.stats.has_null_count = true;
    h.stats.null_count = 2;
    h.stats.has_min = h.stats.has_max = true;
    h.stats.min = FLOE_STR_LIT("a");
    h.stats.max = FLOE_STR_LIT("zz");
    h.stats.has_nan_count = true;
    h.stats.nan_count = 4;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_encode_page_header(&h, &b);
    tt_val v;
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, NULL));
    assert_int_equal(tt_int(&v, 1, -1), FLOE_PQ_PAGE_DATA_V2);
    assert_int_equal(tt_int(&v, 2, -1), 1000);
    assert_int_equal(tt_int(&v, 3, -1), 400);
    assert_null(tt_get(&v, 4)); /* no crc */
    const tt_val *d = tt_get(&v, 8);
    assert_non_null(d);
    assert_int_equal(tt_int(d, 1, -1), 12);
    assert_int_equal(tt_int(d, 2, -1), 2);
    assert_int_equal(tt_int(d, 3, -1), 5);
    assert_int_equal(tt_int(d, 4, -1), FLOE_PQ_ENC_RLE_DICTIONARY);
    assert_int_equal(tt_int(d, 5, -1), 7);
    assert_int_equal(tt_int(d, 6, -1), 3);
    assert_int_equal(tt_get(d, 7)->type, FLOE_TC_FALSE);
    const tt_val *st = tt_get(d, 8);
    assert_int_equal(tt_int(st, 3, -1), 2);
    assert_int_equal(tt_get(st, 5)->len, 2); /* max_value */
    assert_memory_equal(tt_get(st, 6)->bin, "a", 1);
    assert_int_equal(tt_int(st, 9, -1), 4);
    assert_null(tt_get(st, 1)); /* no deprecated min/max */

    floe_buf_reset(&b);
    floe_pq_page_header dh = {.type = FLOE_PQ_PAGE_DICT,
                              .uncompressed_size = 8,
                              .compressed_size = 8,
                              .dict_num_values = 2,
                              .dict_encoding = FLOE_PQ_ENC_PLAIN};
    floe_pq_encode_page_header(&dh, &b);
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, NULL));
    const tt_val *dd = tt_get(&v, 7);
    assert_int_equal(tt_int(dd, 1, -1), 2);
    assert_int_equal(tt_int(dd, 2, -1), FLOE_PQ_ENC_PLAIN);
    assert_null(tt_get(dd, 3));
    floe_buf_fini(&b);
}

/* ==== Footer ==== */

typedef struct ann_case {
    floe_pq_type type;
    int32_t type_length;
    floe_pq_logical lt;
    int32_t converted;      /* -1: none */
    int16_t logical_member; /* 0: no LogicalType */
} ann_case;

static const ann_case ann_cases[] = {
    {FLOE_PQ_BYTE_ARRAY, 0, {.kind = FLOE_PQ_LT_STRING}, 0, 1},
    {FLOE_PQ_BYTE_ARRAY, 0, {.kind = FLOE_PQ_LT_ENUM}, 4, 4},
    {FLOE_PQ_BYTE_ARRAY, 0, {.kind = FLOE_PQ_LT_JSON}, 19, 12},
    {FLOE_PQ_BYTE_ARRAY, 0, {.kind = FLOE_PQ_LT_BSON}, 20, 13},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_DECIMAL, .precision = 9, .scale = 2}, 5, 5},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_DATE}, 6, 6},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_MILLIS, .utc = true}, 7, 7},
    {FLOE_PQ_INT64, 0, {.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_MICROS}, 8, 7},
    {FLOE_PQ_INT64, 0, {.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_NANOS}, -1, 7},
    {FLOE_PQ_INT64, 0, {.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MILLIS}, 9, 8},
    {FLOE_PQ_INT64,
     0,
     {.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MICROS, .utc = true},
     10,
     8},
    {FLOE_PQ_INT64, 0, {.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_NANOS, .utc = true}, -1, 8},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_INTEGER, .bit_width = 8, .is_signed = true}, 15, 10},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_INTEGER, .bit_width = 16, .is_signed = false}, 12, 10},
    {FLOE_PQ_INT64, 0, {.kind = FLOE_PQ_LT_INTEGER, .bit_width = 64, .is_signed = false}, 14, 10},
    {FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 16, {.kind = FLOE_PQ_LT_UUID}, -1, 14},
    {FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 2, {.kind = FLOE_PQ_LT_FLOAT16}, -1, 15},
    {FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 12, {.kind = FLOE_PQ_LT_INTERVAL}, 21, 0},
    {FLOE_PQ_INT32, 0, {.kind = FLOE_PQ_LT_UNKNOWN}, -1, 11},
    {FLOE_PQ_DOUBLE, 0, {.kind = FLOE_PQ_LT_NONE}, -1, 0},
};

static void test_footer_annotations(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = FLOE_ARRAY_LEN(ann_cases);
    floe_pq_node root = {.name = "schema"};
    floe_pq_node *kids[FLOE_ARRAY_LEN(ann_cases)];
    floe_pq_node nodes[FLOE_ARRAY_LEN(ann_cases)];
    for (size_t i = 0; i < n; i++) {
        nodes[i] = (floe_pq_node){.name = floe_arena_sprintf(t->arena, "c%zu", i),
                                  .repetition = FLOE_PQ_OPTIONAL,
                                  .is_leaf = true,
                                  .type = ann_cases[i].type,
                                  .type_length = ann_cases[i].type_length,
                                  .logical = ann_cases[i].lt,
                                  .has_field_id = i % 2 == 0,
                                  .field_id = (int32_t)i + 100};
        kids[i] = &nodes[i];
    }
    root.children = kids;
    root.n_children = n;
    floe_pq_file_meta m = {.schema = {.root = &root}, .num_rows = 0, .created_by = "floe test"};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_schema_finish(&m.schema, t->arena, &err), &err);
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_pq_encode_file_meta(&m, &b, &err), &err);
    tt_val v;
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, NULL));
    assert_int_equal(tt_int(&v, 1, -1), 1);
    const tt_val *schema = tt_get(&v, 2);
    assert_int_equal(schema->n, n + 1);
    assert_int_equal(tt_int(&schema->items[0], 5, -1), (int64_t)n); /* root num_children */
    assert_null(tt_get(&schema->items[0], 3));                      /* root repetition */
    for (size_t i = 0; i < n; i++) {
        const tt_val *e = &schema->items[i + 1];
        const ann_case *c = &ann_cases[i];
        assert_int_equal(tt_int(e, 1, -1), c->type);
        assert_int_equal(tt_int(e, 3, -1), FLOE_PQ_OPTIONAL);
        assert_int_equal(tt_int(e, 6, -1), c->converted);
        assert_int_equal(tt_int(e, 9, -1), i % 2 == 0 ? (int64_t)i + 100 : -1);
        if (c->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            assert_int_equal(tt_int(e, 2, -1), c->type_length);
        }
        const tt_val *lt = tt_get(e, 10);
        if (c->logical_member == 0) {
            assert_null(lt);
            continue;
        }
        assert_non_null(lt);
        assert_int_equal(lt->n, 1);
        const tt_val *mem = &lt->items[0];
        assert_int_equal(mem->id, c->logical_member);
        switch (c->lt.kind) {
        case FLOE_PQ_LT_DECIMAL:
            assert_int_equal(tt_int(mem, 1, -1), 2); /* scale first */
            assert_int_equal(tt_int(mem, 2, -1), 9);
            assert_int_equal(tt_int(e, 7, -1), 2);
            assert_int_equal(tt_int(e, 8, -1), 9);
            break;
        case FLOE_PQ_LT_TIME:
        case FLOE_PQ_LT_TIMESTAMP:
            assert_int_equal(tt_int(mem, 1, -1), c->lt.utc);
            assert_int_equal(tt_get(mem, 2)->items[0].id, (int)c->lt.unit + 1);
            break;
        case FLOE_PQ_LT_INTEGER:
            assert_int_equal(tt_get(mem, 1)->type, FLOE_TC_I8);
            assert_int_equal(tt_int(mem, 1, -1), c->lt.bit_width);
            assert_int_equal(tt_int(mem, 2, -1), c->lt.is_signed);
            break;
        default:
            assert_int_equal(mem->n, 0);
            break;
        }
    }
    assert_int_equal(tt_get(&v, 4)->n, 0);
    assert_memory_equal(tt_get(&v, 6)->bin, "floe test", 9);
    assert_null(tt_get(&v, 7)); /* no column orders asked for */
    floe_buf_fini(&b);
}

static void test_footer_rejects_mismatched_row_group(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_node leaf = {.name = "x", .is_leaf = true, .type = FLOE_PQ_INT32};
    floe_pq_node *kids[] = {&leaf};
    floe_pq_node root = {.name = "schema", .children = kids, .n_children = 1};
    floe_pq_row_group rg = {.n_columns = 2};
    floe_pq_file_meta m = {.schema = {.root = &root}, .row_groups = &rg, .n_row_groups = 1};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_schema_finish(&m.schema, t->arena, &err), &err);
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_ERR(floe_pq_encode_file_meta(&m, &b, &err), FLOE_ERR_INVALID, &err,
                    "row group 0 has 2 column chunks for 1 leaf columns");
    floe_err_clear(&err);
    leaf.logical.kind = FLOE_PQ_LT_OTHER;
    m.n_row_groups = 0;
    FLOE_ASSERT_ERR(floe_pq_encode_file_meta(&m, &b, &err), FLOE_ERR_UNSUPPORTED, &err,
                    "logical type this build cannot write");
    floe_buf_fini(&b);
}

static void test_column_index_encoding(void **state)
{
    floe_test_ctx *t = *state;
    bool nulls[] = {false, true, false};
    floe_str mins[] = {FLOE_STR_LIT("a"), FLOE_STR_LIT(""), FLOE_STR_LIT("m")};
    floe_str maxs[] = {FLOE_STR_LIT("f"), FLOE_STR_LIT(""), FLOE_STR_LIT("z")};
    int64_t nc[] = {0, 10, 3};
    floe_pq_column_index ci = {.null_pages = nulls,
                               .min_values = mins,
                               .max_values = maxs,
                               .n = 3,
                               .boundary_order = 1,
                               .has_null_counts = true,
                               .null_counts = nc};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_encode_column_index(&ci, &b);
    tt_val v;
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, NULL));
    const tt_val *np = tt_get(&v, 1);
    assert_int_equal(np->n, 3);
    assert_int_equal(np->items[0].i, 0);
    assert_int_equal(np->items[1].i, 1);
    assert_int_equal(tt_get(&v, 2)->items[2].bin[0], 'm');
    assert_int_equal(tt_get(&v, 3)->items[1].len, 0);
    assert_int_equal(tt_int(&v, 4, -1), 1);
    assert_int_equal(tt_get(&v, 5)->items[1].i, 10);

    floe_pq_page_location locs[] = {{4, 100, 0}, {104, 50, 20000}};
    floe_pq_offset_index oi = {.pages = locs, .n = 2};
    floe_buf_reset(&b);
    floe_pq_encode_offset_index(&oi, &b);
    assert_true(tt_parse_struct((const uint8_t *)b.data, b.len, t->arena, &v, NULL));
    const tt_val *pl = tt_get(&v, 1);
    assert_int_equal(pl->n, 2);
    assert_int_equal(tt_int(&pl->items[1], 1, -1), 104);
    assert_int_equal(tt_int(&pl->items[1], 2, -1), 50);
    assert_int_equal(tt_int(&pl->items[1], 3, -1), 20000);
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(write_thrift)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_field_headers),
        cmocka_unit_test(test_long_field_headers),
        cmocka_unit_test(test_bool_fields_and_elements),
        cmocka_unit_test(test_nested_struct_restores_field_ids),
        cmocka_unit_test(test_list_headers_short_and_long),
        cmocka_unit_test(test_zigzag_extremes),
        cmocka_unit_test_setup_teardown(test_long_list_round_trips, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_page_header_fields, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_footer_annotations, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_footer_rejects_mismatched_row_group, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_column_index_encoding, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("write_thrift", tests, NULL, NULL);
}
