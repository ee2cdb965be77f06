/* SPDX-License-Identifier: Apache-2.0 */
/* Avro binary primitives: zigzag varints at their edges, rejected overlong forms, fixed-width
 * floats, and the length checks of bytes and strings. */
#include "floe_test.h"

#include "avro/avro_int.h"
#include "floe/avro.h"

#include <math.h>

static void test_zigzag_edges_round_trip(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *hex; /* the encoding, per the Avro spec's zigzag table */
    } cases[] = {
        {0, "00"},
        {-1, "01"},
        {1, "02"},
        {-2, "03"},
        {2, "04"},
        {-64, "7f"},
        {64, "8001"},
        {63, "7e"},
        {8191, "fe7f"},
        {-8193, "818001"},
        {INT32_MAX, "feffffff0f"},
        {INT32_MIN, "ffffffff0f"},
        {INT64_MAX, "feffffffffffffffff01"},
        {INT64_MIN, "ffffffffffffffffff01"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        uint8_t buf[10];
        size_t n = avro_put_long(buf, cases[i].v);
        char hex[21];
        floe_hex_encode(buf, n, hex);
        assert_string_equal(hex, cases[i].hex);
        const uint8_t *p = buf;
        int64_t back = 0;
        const char *why = NULL;
        assert_true(avro_read_long(&p, buf + n, &back, &why));
        assert_true(back == cases[i].v);
        assert_ptr_equal(p, buf + n);
    }
}

static void test_varint_rejects_truncated_and_overlong(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        const char *why;
    } cases[] = {
        {"", "truncated varint"},
        {"80", "truncated varint"},
        {"ffffffff", "truncated varint"},
        /* Ten bytes whose last carries more than the top bit of a 64-bit value. */
        {"ffffffffffffffffff02", "varint overflows 64 bits"},
        {"ffffffffffffffffff7f", "varint overflows 64 bits"},
        /* Eleven bytes: the tenth still has its continuation bit. */
        {"8080808080808080808000", "varint overflows 64 bits"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        uint8_t buf[16];
        size_t n = strlen(cases[i].hex) / 2;
        assert_int_equal(floe_hex_decode(cases[i].hex, 2 * n, buf, NULL), FLOE_OK);
        const uint8_t *p = buf;
        int64_t v;
        const char *why = NULL;
        assert_false(avro_read_long(&p, buf + n, &v, &why));
        assert_string_equal(why, cases[i].why);
        assert_ptr_equal(p, buf); /* a failed read does not move */
    }
}

/* Decode `hex` as the schema `schema_json`; returns the status and fills `out`. */
static floe_status decode_hex(floe_arena *a, const char *schema_json, const char *hex,
                              floe_value *out, floe_err *err)
{
    floe_avro_schema *s = NULL;
    FLOE_ASSERT_OK(floe_avro_schema_parse(schema_json, strlen(schema_json), 0, &s, err), err);
    size_t n = strlen(hex) / 2;
    uint8_t *buf = floe_arena_alloc(a, n + 1);
    assert_int_equal(floe_hex_decode(hex, 2 * n, buf, NULL), FLOE_OK);
    size_t used = 0;
    floe_status st = floe_avro_decode(floe_avro_schema_root(s), buf, n, a, out, &used, err);
    if (st == FLOE_OK) {
        assert_int_equal(used, n); /* every test datum is exactly its bytes */
    }
    floe_avro_schema_free(s);
    return st;
}

static void test_int_range_is_checked(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"int\"", "feffffff0f", &v, &err), &err);
    assert_int_equal(v.kind, FLOE_V_INT);
    assert_int_equal(v.u.i32, INT32_MAX);
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"int\"", "ffffffff0f", &v, &err), &err);
    assert_int_equal(v.u.i32, INT32_MIN);
    /* 2^31 is a valid long but not an int. */
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"int\"", "8080808010", &v, &err), FLOE_ERR_CORRUPT, &err,
                    "int value 2147483648 out of 32-bit range at byte 0");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"long\"", "ffffffffffffffffff01", &v, &err), &err);
    assert_int_equal(v.kind, FLOE_V_LONG);
    assert_true(v.u.i64 == INT64_MIN);
}

static void test_floats_are_little_endian(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"float\"", "0000c03f", &v, &err), &err);
    assert_int_equal(v.kind, FLOE_V_FLOAT);
    assert_true(v.u.f32 == 1.5f);
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"double\"", "000000000000f0bf", &v, &err), &err);
    assert_true(v.u.f64 == -1.0);
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"double\"", "000000000000f87f", &v, &err), &err);
    assert_true(isnan(v.u.f64));
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"double\"", "00000000", &v, &err), FLOE_ERR_CORRUPT,
                    &err, "double needs 8 bytes, 4 left");
}

static void test_bytes_and_strings_check_their_length(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"string\"", "06666f6f", &v, &err), &err);
    assert_int_equal(v.kind, FLOE_V_STRING);
    assert_int_equal(v.u.bytes.len, 3);
    assert_memory_equal(v.u.bytes.ptr, "foo", 3);
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"bytes\"", "00", &v, &err), &err);
    assert_int_equal(v.kind, FLOE_V_BINARY);
    assert_int_equal(v.u.bytes.len, 0);
    /* Length 3 with two bytes left; a negative length. */
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"string\"", "06666f", &v, &err), FLOE_ERR_CORRUPT, &err,
                    "string length 3 exceeds the 2 bytes left at byte 0");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"bytes\"", "01", &v, &err), FLOE_ERR_CORRUPT, &err,
                    "negative bytes length -1");
    floe_err_clear(&err);
    /* A huge length never reaches the allocator. */
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"bytes\"", "feffffffffffffffff01", &v, &err),
                    FLOE_ERR_CORRUPT, &err, "exceeds the 0 bytes left");
}

static void test_boolean_accepts_only_zero_and_one(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(decode_hex(t->arena, "\"boolean\"", "01", &v, &err), &err);
    assert_true(v.kind == FLOE_V_BOOL && v.u.b);
    FLOE_ASSERT_ERR(decode_hex(t->arena, "\"boolean\"", "02", &v, &err), FLOE_ERR_CORRUPT, &err,
                    "boolean byte 0x02 is neither 0 nor 1");
}

static void test_encoder_writes_spec_bytes(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_avro_schema *s = NULL;
    const char *json = "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
                       "{\"name\":\"a\",\"type\":\"long\"},{\"name\":\"b\",\"type\":\"string\"},"
                       "{\"name\":\"c\",\"type\":[\"null\",\"int\"]},"
                       "{\"name\":\"d\",\"type\":{\"type\":\"array\",\"items\":\"int\"}}]}";
    FLOE_ASSERT_OK(floe_avro_schema_parse(json, strlen(json), 0, &s, &err), &err);
    floe_value list_items[2] = {floe_value_int(1), floe_value_int(-1)};
    floe_value items[4] = {
        floe_value_long(-3), floe_value_string("hi", 2), floe_value_int(5), {.kind = FLOE_V_LIST}};
    items[3].u.nested.items = list_items;
    items[3].u.nested.n = 2;
    floe_value rec = {.kind = FLOE_V_STRUCT};
    rec.u.nested.items = items;
    rec.u.nested.n = 4;
    floe_buf out;
    floe_buf_init(&out, 0);
    FLOE_ASSERT_OK(floe_avro_encode(floe_avro_schema_root(s), &rec, &out, &err), &err);
    char hex[64];
    floe_hex_encode(out.data, out.len, hex);
    /* -3 -> 05; "hi" -> 04 68 69; branch 1 -> 02, 5 -> 0a; array: count 2 -> 04, 02 01, end 00 */
    assert_string_equal(hex, "0504686902"
                             "0a"
                             "04020100");
    floe_buf_fini(&out);
    floe_avro_schema_free(s);
}

FLOE_TEST_GROUP(binary)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zigzag_edges_round_trip),
        cmocka_unit_test(test_varint_rejects_truncated_and_overlong),
        cmocka_unit_test_setup_teardown(test_int_range_is_checked, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_floats_are_little_endian, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bytes_and_strings_check_their_length, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_boolean_accepts_only_zero_and_one, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test(test_encoder_writes_spec_bytes),
    };
    return cmocka_run_group_tests_name("binary", tests, NULL, NULL);
}
