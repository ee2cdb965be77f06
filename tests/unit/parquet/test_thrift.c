/* SPDX-License-Identifier: Apache-2.0 */
/* The Thrift compact-protocol decoder: headers, skipping, limits and malformed input. */
#include "floe_test.h"
#include "pq_build.h"

#include "parquet/parquet_int.h"

typedef struct bytes {
    floe_buf b;
    tc w;
} bytes;

static void bytes_init(bytes *x)
{
    floe_buf_init(&x->b, 0);
    tc_init(&x->w, &x->b);
}

static void in_init(floe_thrift_in *in, const bytes *x)
{
    floe_thrift_in_init(in, (const uint8_t *)x->b.data, x->b.len);
}

static void test_short_and_long_field_headers(void **state)
{
    (void)state;
    bytes x;
    bytes_init(&x);
    tc_struct_begin(&x.w, 0);
    tc_i32(&x.w, 1, -5);                         /* short form */
    tc_field_hdr(&x.w, 300, FLOE_TC_I64, false); /* delta too big: long form */
    tc_zigzag(&x.w, INT64_MIN);
    tc_field_hdr(&x.w, 2, FLOE_TC_I32, false); /* going back: long form */
    tc_zigzag(&x.w, 7);
    tc_field_hdr(&x.w, 3, FLOE_TC_I32, true); /* long form although short would do */
    tc_zigzag(&x.w, INT32_MAX);
    tc_bool(&x.w, 4, true);
    tc_bool(&x.w, 5, false);
    tc_struct_end(&x.w);

    floe_err err = {0};
    floe_thrift_in in;
    in_init(&in, &x);
    int16_t id;
    uint8_t t;
    int32_t v32;
    int64_t v64;
    bool b;
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 1);
    assert_int_equal(t, FLOE_TC_I32);
    FLOE_ASSERT_OK(floe_thrift_i32(&in, &v32, &err), &err);
    assert_int_equal(v32, -5);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 300);
    FLOE_ASSERT_OK(floe_thrift_i64(&in, &v64, &err), &err);
    assert_true(v64 == INT64_MIN);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 2);
    FLOE_ASSERT_OK(floe_thrift_i32(&in, &v32, &err), &err);
    assert_int_equal(v32, 7);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 3);
    FLOE_ASSERT_OK(floe_thrift_i32(&in, &v32, &err), &err);
    assert_int_equal(v32, INT32_MAX);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 4);
    FLOE_ASSERT_OK(floe_thrift_bool(&in, t, &b, &err), &err);
    assert_true(b);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 5);
    FLOE_ASSERT_OK(floe_thrift_bool(&in, t, &b, &err), &err);
    assert_false(b);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(t, FLOE_TC_STOP);
    FLOE_ASSERT_OK(floe_thrift_struct_end(&in, &err), &err);
    assert_int_equal(in.cur.pos, x.b.len);
    floe_buf_fini(&x.b);
}

/* Every type is skipped, including nested containers, and the next field still reads. */
static void test_skips_unknown_fields_of_every_type(void **state)
{
    (void)state;
    bytes x;
    bytes_init(&x);
    tc_struct_begin(&x.w, 0);
    tc_field_hdr(&x.w, 10, FLOE_TC_I8, false);
    tc_byte(&x.w, 0xff);
    tc_field_hdr(&x.w, 11, FLOE_TC_I16, false);
    tc_zigzag(&x.w, -300);
    tc_field_hdr(&x.w, 12, FLOE_TC_DOUBLE, false);
    for (int i = 0; i < 8; i++) {
        tc_byte(&x.w, (uint8_t)i);
    }
    tc_str(&x.w, 13, "skip me");
    tc_list(&x.w, 14, FLOE_TC_STRUCT, 2); /* list<struct> */
    tc_struct_begin(&x.w, 0);
    tc_i32(&x.w, 1, 1);
    tc_list(&x.w, 2, FLOE_TC_BINARY, 1);
    tc_elem_bin(&x.w, "x", 1);
    tc_struct_end(&x.w);
    tc_struct_begin(&x.w, 0);
    tc_struct_end(&x.w);
    tc_field_hdr(&x.w, 15, FLOE_TC_SET, false); /* set<i32> with a long size */
    tc_byte(&x.w, 0xf0 | FLOE_TC_I32);
    tc_uvarint(&x.w, 20);
    for (int i = 0; i < 20; i++) {
        tc_zigzag(&x.w, i * 1000);
    }
    tc_field_hdr(&x.w, 16, FLOE_TC_MAP, false); /* map<binary, list<bool>> */
    tc_uvarint(&x.w, 2);
    tc_byte(&x.w, FLOE_TC_BINARY << 4 | FLOE_TC_LIST);
    for (int i = 0; i < 2; i++) {
        tc_elem_bin(&x.w, "k", 1);
        tc_byte(&x.w, 3 << 4 | FLOE_TC_TRUE);
        tc_byte(&x.w, 1);
        tc_byte(&x.w, 2);
        tc_byte(&x.w, 0);
    }
    tc_field_hdr(&x.w, 17, FLOE_TC_MAP, false); /* empty map: no type byte */
    tc_uvarint(&x.w, 0);
    tc_field_hdr(&x.w, 18, FLOE_TC_UUID, false);
    for (int i = 0; i < 16; i++) {
        tc_byte(&x.w, 0xab);
    }
    tc_struct_begin(&x.w, 19); /* nested struct with a bool field */
    tc_bool(&x.w, 1, true);
    tc_struct_begin(&x.w, 2);
    tc_i64(&x.w, 1, 5);
    tc_struct_end(&x.w);
    tc_struct_end(&x.w);
    tc_bool(&x.w, 20, true);
    tc_i32(&x.w, 21, 4242); /* the field we want */
    tc_struct_end(&x.w);

    floe_err err = {0};
    floe_thrift_in in;
    in_init(&in, &x);
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    int32_t found = 0;
    for (;;) {
        int16_t id;
        uint8_t t;
        FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
        if (t == FLOE_TC_STOP) {
            break;
        }
        if (id == 21) {
            FLOE_ASSERT_OK(floe_thrift_i32(&in, &found, &err), &err);
        } else {
            FLOE_ASSERT_OK(floe_thrift_skip(&in, t, &err), &err);
        }
    }
    FLOE_ASSERT_OK(floe_thrift_struct_end(&in, &err), &err);
    assert_int_equal(found, 4242);
    assert_int_equal(in.cur.pos, x.b.len);
    floe_buf_fini(&x.b);
}

static void test_bool_list_elements_true_only_for_one(void **state)
{
    (void)state;
    const uint8_t data[] = {4 << 4 | FLOE_TC_TRUE, 1, 2, 0, 1};
    floe_err err = {0};
    floe_thrift_in in;
    floe_thrift_in_init(&in, data, sizeof(data));
    uint8_t et;
    uint32_t n;
    FLOE_ASSERT_OK(floe_thrift_list(&in, &et, &n, &err), &err);
    assert_int_equal(n, 4);
    bool want[] = {true, false, false, true};
    for (uint32_t i = 0; i < n; i++) {
        bool b;
        FLOE_ASSERT_OK(floe_thrift_bool(&in, et, &b, &err), &err);
        assert_int_equal(b, want[i]);
    }
    assert_int_equal(in.cur.pos, sizeof(data));
}

static void test_depth_limit(void **state)
{
    (void)state;
    bytes x;
    bytes_init(&x);
    tc_struct_begin(&x.w, 0);
    tc_i32(&x.w, 1, 1);
    for (int i = 0; i < FLOE_PQ_MAX_THRIFT_DEPTH + 5; i++) {
        tc_struct_begin(&x.w, 2);
    }
    for (int i = 0; i < FLOE_PQ_MAX_THRIFT_DEPTH + 5; i++) {
        tc_struct_end(&x.w);
    }
    tc_struct_end(&x.w);
    floe_err err = {0};
    floe_thrift_in in;
    in_init(&in, &x);
    int16_t id;
    uint8_t t;
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_skip(&in, t, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    FLOE_ASSERT_ERR(floe_thrift_skip(&in, t, &err), FLOE_ERR_CORRUPT, &err, "deeper than 32");
    floe_buf_fini(&x.b);

    /* Lists of lists nest too. */
    uint8_t lists[200];
    for (size_t i = 0; i < sizeof(lists); i++) {
        lists[i] = 1 << 4 | FLOE_TC_LIST;
    }
    floe_err err2 = {0};
    floe_thrift_in_init(&in, lists, sizeof(lists));
    FLOE_ASSERT_ERR(floe_thrift_skip(&in, FLOE_TC_LIST, &err2), FLOE_ERR_CORRUPT, &err2,
                    "nest deeper");
}

static void test_huge_list_sizes(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_thrift_in in;
    uint8_t et;
    uint32_t n;
    /* Over the element limit. */
    const uint8_t huge[] = {0xf0 | FLOE_TC_I32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    floe_thrift_in_init(&in, huge, sizeof(huge));
    FLOE_ASSERT_ERR(floe_thrift_list(&in, &et, &n, &err), FLOE_ERR_TOO_BIG, &err, "over the limit");
    /* Within the limit, but more elements than bytes left. */
    floe_err_clear(&err);
    const uint8_t longer[] = {0xf0 | FLOE_TC_I32, 0xe8, 0x07, 1, 2, 3};
    floe_thrift_in_init(&in, longer, sizeof(longer));
    FLOE_ASSERT_ERR(floe_thrift_list(&in, &et, &n, &err), FLOE_ERR_CORRUPT, &err,
                    "list of 1000 elements at offset 0 is longer than the 3 bytes left");
    /* A map whose size cannot fit. */
    floe_err_clear(&err);
    const uint8_t map[] = {0xff, 0xff, 0xff, 0x0f, 0x55, 1, 1};
    floe_thrift_in_init(&in, map, sizeof(map));
    FLOE_ASSERT_ERR(floe_thrift_skip(&in, FLOE_TC_MAP, &err), FLOE_ERR_CORRUPT, &err, "too long");
}

static void test_malformed_values(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_thrift_in in;
    int64_t v64;
    int32_t v32;
    floe_str s;
    int16_t id;
    uint8_t t;
    /* A varint past 64 bits. */
    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    floe_thrift_in_init(&in, over, sizeof(over));
    FLOE_ASSERT_ERR(floe_thrift_i64(&in, &v64, &err), FLOE_ERR_CORRUPT, &err, "overflows 64 bits");
    /* A truncated varint. */
    floe_err_clear(&err);
    const uint8_t trunc[] = {0x80, 0x80};
    floe_thrift_in_init(&in, trunc, sizeof(trunc));
    FLOE_ASSERT_ERR(floe_thrift_i64(&in, &v64, &err), FLOE_ERR_CORRUPT, &err, "truncated varint");
    /* An i32 that does not fit 32 bits. */
    floe_err_clear(&err);
    const uint8_t big[] = {0x80, 0x80, 0x80, 0x80, 0x20};
    floe_thrift_in_init(&in, big, sizeof(big));
    FLOE_ASSERT_ERR(floe_thrift_i32(&in, &v32, &err), FLOE_ERR_CORRUPT, &err, "out of range");
    /* A binary longer than the input. */
    floe_err_clear(&err);
    const uint8_t bin[] = {10, 'a', 'b'};
    floe_thrift_in_init(&in, bin, sizeof(bin));
    FLOE_ASSERT_ERR(floe_thrift_binary(&in, &s, &err), FLOE_ERR_CORRUPT, &err,
                    "binary of 10 bytes at offset 0 runs past the end (2 bytes left)");
    /* A struct without STOP. */
    floe_err_clear(&err);
    const uint8_t nostop[] = {0x15, 0x02};
    floe_thrift_in_init(&in, nostop, sizeof(nostop));
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_skip(&in, t, &err), &err);
    FLOE_ASSERT_ERR(floe_thrift_field(&in, &id, &t, &err), FLOE_ERR_CORRUPT, &err,
                    "truncated struct");
    /* Unknown type nibbles. */
    floe_err_clear(&err);
    const uint8_t badtype[] = {0x1e};
    floe_thrift_in_init(&in, badtype, sizeof(badtype));
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_ERR(floe_thrift_field(&in, &id, &t, &err), FLOE_ERR_CORRUPT, &err,
                    "unknown field type 14 at offset 0");
    /* A long-form id past i16. */
    floe_err_clear(&err);
    const uint8_t longid[] = {FLOE_TC_I32, 0x80, 0x80, 0x04, 0x00};
    floe_thrift_in_init(&in, longid, sizeof(longid));
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_ERR(floe_thrift_field(&in, &id, &t, &err), FLOE_ERR_CORRUPT, &err,
                    "field id out of range");
    /* Short deltas that climb past i16. */
    floe_err_clear(&err);
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_byte(&b, FLOE_TC_I32, NULL);
    floe_buf_append_byte(&b, 0xfc, NULL); /* zigzag 32766 = 0xfcff01 */
    floe_buf_append_byte(&b, 0xff, NULL);
    floe_buf_append_byte(&b, 0x03, NULL);
    floe_buf_append_byte(&b, 0x00, NULL);
    floe_buf_append_byte(&b, 0xf5, NULL); /* delta 15 */
    floe_thrift_in_init(&in, (const uint8_t *)b.data, b.len);
    FLOE_ASSERT_OK(floe_thrift_struct_begin(&in, &err), &err);
    FLOE_ASSERT_OK(floe_thrift_field(&in, &id, &t, &err), &err);
    assert_int_equal(id, 32766);
    FLOE_ASSERT_OK(floe_thrift_skip(&in, t, &err), &err);
    FLOE_ASSERT_ERR(floe_thrift_field(&in, &id, &t, &err), FLOE_ERR_CORRUPT, &err,
                    "field id out of range");
    floe_buf_fini(&b);
    /* A non-boolean read as a boolean. */
    floe_err_clear(&err);
    bool bv;
    FLOE_ASSERT_ERR(floe_thrift_bool(&in, FLOE_TC_I32, &bv, &err), FLOE_ERR_CORRUPT, &err,
                    "expected a boolean");
}

FLOE_TEST_GROUP(thrift)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_and_long_field_headers),
        cmocka_unit_test(test_skips_unknown_fields_of_every_type),
        cmocka_unit_test(test_bool_list_elements_true_only_for_one),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_huge_list_sizes),
        cmocka_unit_test(test_malformed_values),
    };
    return cmocka_run_group_tests_name("thrift", tests, NULL, NULL);
}
