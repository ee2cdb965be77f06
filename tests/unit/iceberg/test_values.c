/* SPDX-License-Identifier: Apache-2.0 */
/* Single values (spec Appendix D): binary round trips, bounds written before promotion, bound
 * truncation, and the JSON single-value form. */
#include "ice_helpers.h"

#include <math.h>

static const floe_ice_type *T(floe_ice_type_id id)
{
    return floe_ice_type_get(id);
}

static void round_trip(const floe_ice_type *t, floe_value v, const char *hex)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_value_to_bytes(t, &v, &b, &err), &err);
    char got[128];
    floe_hex_encode(b.data, b.len, got);
    if (strcmp(got, hex) != 0) {
        print_error("%s: bytes %s, want %s\n", floe_ice_type_name(t->id), got, hex);
        fail();
    }
    floe_value back;
    FLOE_ASSERT_OK(floe_ice_value_from_bytes(t, (floe_str){b.data, b.len}, &back, &err), &err);
    assert_true(floe_ice_value_matches(t, &back));
    assert_true(floe_value_eq(&back, &v));
    floe_buf_fini(&b);
}

static void test_binary_round_trips_every_primitive(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    round_trip(T(FLOE_ICE_BOOLEAN), floe_value_bool(true), "01");
    round_trip(T(FLOE_ICE_BOOLEAN), floe_value_bool(false), "00");
    round_trip(T(FLOE_ICE_INT), floe_value_int(34), "22000000");
    round_trip(T(FLOE_ICE_INT), floe_value_int(-1), "ffffffff");
    round_trip(T(FLOE_ICE_LONG), floe_value_long(34), "2200000000000000");
    round_trip(T(FLOE_ICE_FLOAT), floe_value_float(1.0f), "0000803f");
    round_trip(T(FLOE_ICE_DOUBLE), floe_value_double(1.0), "000000000000f03f");
    round_trip(T(FLOE_ICE_DATE), floe_value_date(17486), "4e440000");
    round_trip(T(FLOE_ICE_TIME), floe_value_time(81068000000, FLOE_UNIT_MICROS),
               "008307e012000000");
    round_trip(T(FLOE_ICE_TIMESTAMP), floe_value_timestamp(1, FLOE_UNIT_MICROS, false),
               "0100000000000000");
    round_trip(T(FLOE_ICE_TIMESTAMPTZ), floe_value_timestamp(-1, FLOE_UNIT_MICROS, true),
               "ffffffffffffffff");
    round_trip(T(FLOE_ICE_TIMESTAMP_NS), floe_value_timestamp(1000, FLOE_UNIT_NANOS, false),
               "e803000000000000");
    round_trip(T(FLOE_ICE_TIMESTAMPTZ_NS), floe_value_timestamp(1000, FLOE_UNIT_NANOS, true),
               "e803000000000000");
    round_trip(T(FLOE_ICE_STRING), floe_value_string("iceberg", 7), "69636562657267");
    round_trip(T(FLOE_ICE_STRING), floe_value_string("", 0), "");
    static const uint8_t u[16] = {0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd,
                                  0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7};
    round_trip(T(FLOE_ICE_UUID), floe_value_uuid(u), "f79c3e09677c4bbda4793f349cb785e7");
    static const uint8_t b[] = {0, 1, 2, 3};
    round_trip(T(FLOE_ICE_BINARY), floe_value_binary(b, 4), "00010203");
    round_trip(floe_ice_type_fixed(a, 4), floe_value_fixed(b, 4), "00010203");
    /* decimals: minimal big-endian two's complement of the unscaled value */
    const floe_ice_type *d = floe_ice_type_decimal(a, 38, 2);
    static const struct {
        __int128 v;
        const char *hex;
    } decs[] = {{0, "00"},       {1, "01"},       {127, "7f"},      {128, "0080"},
                {-1, "ff"},      {-128, "80"},    {-129, "ff7f"},   {1420, "058c"},
                {-1420, "fa74"}, {32767, "7fff"}, {32768, "008000"}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(decs); i++) {
        round_trip(d, floe_value_decimal(decs[i].v, 38, 2), decs[i].hex);
    }
    __int128 big = (__int128)1;
    for (int i = 0; i < 37; i++) {
        big *= 10;
    }
    round_trip(d, floe_value_decimal(big, 38, 2), "0785ee10d5da46d900f436a000000000");
    round_trip(d, floe_value_decimal(-big, 38, 2), "f87a11ef2a25b926ff0bc96000000000");
}

static void test_bounds_written_before_promotion_decode_by_length(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_value v;
    /* a long column whose bound was written as an int */
    static const uint8_t four[] = {0xfe, 0xff, 0xff, 0xff};
    FLOE_ASSERT_OK(
        floe_ice_value_from_bytes(T(FLOE_ICE_LONG), (floe_str){(const char *)four, 4}, &v, &err),
        &err);
    assert_int_equal(v.kind, FLOE_V_LONG);
    assert_int_equal(v.u.i64, -2);
    /* a double column with a float bound */
    static const uint8_t f1[] = {0x00, 0x00, 0xc0, 0x3f};
    FLOE_ASSERT_OK(
        floe_ice_value_from_bytes(T(FLOE_ICE_DOUBLE), (floe_str){(const char *)f1, 4}, &v, &err),
        &err);
    assert_int_equal(v.kind, FLOE_V_DOUBLE);
    assert_true(v.u.f64 == 1.5);
    /* a timestamp column (v3 promotion from date) with a date bound: midnight */
    static const uint8_t day[] = {0x01, 0x00, 0x00, 0x00};
    FLOE_ASSERT_OK(floe_ice_value_from_bytes(T(FLOE_ICE_TIMESTAMP),
                                             (floe_str){(const char *)day, 4}, &v, &err),
                   &err);
    assert_int_equal(v.u.i64, INT64_C(86400000000));
    FLOE_ASSERT_OK(floe_ice_value_from_bytes(T(FLOE_ICE_TIMESTAMP_NS),
                                             (floe_str){(const char *)day, 4}, &v, &err),
                   &err);
    assert_int_equal(v.u.i64, INT64_C(86400000000000));
    /* lengths that fit no rule */
    FLOE_ASSERT_ERR(
        floe_ice_value_from_bytes(T(FLOE_ICE_LONG), (floe_str){(const char *)four, 3}, &v, &err),
        FLOE_ERR_CORRUPT, &err, "invalid 3-byte single value for type long");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_value_from_bytes(T(FLOE_ICE_INT), (floe_str){(const char *)four, 0}, &v, &err),
        FLOE_ERR_CORRUPT, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_value_from_bytes(T(FLOE_ICE_UUID), (floe_str){(const char *)four, 4}, &v, &err),
        FLOE_ERR_CORRUPT, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_value_from_bytes(T(FLOE_ICE_TIMESTAMPTZ),
                                              (floe_str){(const char *)four, 4}, &v, &err),
                    FLOE_ERR_CORRUPT, &err, NULL); /* no date -> timestamptz promotion */
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_value_from_bytes(T(FLOE_ICE_VARIANT), (floe_str){(const char *)four, 4}, &v, &err),
        FLOE_ERR_INVALID, &err, "no binary single-value form");
    /* a value of the wrong kind cannot be written */
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_value s = floe_value_string("x", 1);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_value_to_bytes(T(FLOE_ICE_INT), &s, &b, &err), FLOE_ERR_INVALID, &err,
                    "does not match type int");
    floe_buf_fini(&b);
}

static const char *bytes_of(floe_arena *a, const floe_value *v)
{
    return floe_arena_strndup(a, (const char *)v->u.bytes.ptr, v->u.bytes.len);
}

static void test_truncate_bounds(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    floe_value lo, hi;
    bool has;
    floe_value s = floe_value_string("iceberg", 7);
    FLOE_ASSERT_OK(floe_ice_truncate_lower_bound(T(FLOE_ICE_STRING), &s, 3, &lo, &err), &err);
    assert_string_equal(bytes_of(a, &lo), "ice");
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &s, 3, &hi, &has, &err),
                   &err);
    assert_true(has);
    assert_string_equal(bytes_of(a, &hi), "icf");
    /* short values are their own bounds */
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &s, 16, &hi, &has, &err),
                   &err);
    assert_string_equal(bytes_of(a, &hi), "iceberg");
    /* multi-byte: 16 code points, and the increment of U+00E9 is U+00EA */
    const char *m = "\xc3\xa9\xc3\xa9\xc3\xa9z";
    floe_value mv = floe_value_string(m, strlen(m));
    FLOE_ASSERT_OK(floe_ice_truncate_lower_bound(T(FLOE_ICE_STRING), &mv, 2, &lo, &err), &err);
    assert_int_equal(lo.u.bytes.len, 4);
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &mv, 2, &hi, &has, &err),
                   &err);
    assert_string_equal(bytes_of(a, &hi), "\xc3\xa9\xc3\xaa");
    /* the last code point is U+10FFFF: carry to the one before it */
    const char *mx = "a\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf";
    floe_value mxv = floe_value_string(mx, strlen(mx));
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &mxv, 2, &hi, &has, &err),
                   &err);
    assert_true(has);
    assert_string_equal(bytes_of(a, &hi), "b");
    /* U+D7FF increments past the surrogates to U+E000 */
    const char *sur = "\xed\x9f\xbfxyz";
    floe_value surv = floe_value_string(sur, strlen(sur));
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &surv, 1, &hi, &has, &err),
                   &err);
    assert_string_equal(bytes_of(a, &hi), "\xee\x80\x80");
    /* nothing can be incremented: no upper bound */
    const char *all = "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbfq";
    floe_value allv = floe_value_string(all, strlen(all));
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_STRING), &allv, 2, &hi, &has, &err),
                   &err);
    assert_false(has);
    /* binary */
    static const uint8_t b[] = {1, 0xff, 0xff, 7};
    floe_value bv = floe_value_binary(b, 4);
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_BINARY), &bv, 3, &hi, &has, &err),
                   &err);
    assert_true(has);
    assert_int_equal(hi.u.bytes.len, 1);
    assert_int_equal(hi.u.bytes.ptr[0], 2);
    static const uint8_t ff[] = {0xff, 0xff, 0};
    floe_value ffv = floe_value_binary(ff, 3);
    FLOE_ASSERT_OK(floe_ice_truncate_upper_bound(a, T(FLOE_ICE_BINARY), &ffv, 2, &hi, &has, &err),
                   &err);
    assert_false(has);
    FLOE_ASSERT_ERR(floe_ice_truncate_lower_bound(T(FLOE_ICE_INT), &bv, 2, &lo, &err),
                    FLOE_ERR_INVALID, &err, "cannot truncate bounds of type int");
}

static void json_round_trip(floe_arena *a, const floe_ice_type *t, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_value v;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_value_from_json(a, t, j, &v, &err), &err);
    assert_true(floe_ice_value_matches(t, &v));
    ice_test_json_eq(floe_ice_value_to_json(t, &v), json);
    json_decref(j);
}

static void test_json_single_values(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    json_round_trip(a, T(FLOE_ICE_BOOLEAN), "true");
    json_round_trip(a, T(FLOE_ICE_INT), "34");
    json_round_trip(a, T(FLOE_ICE_LONG), "-9223372036854775808");
    json_round_trip(a, T(FLOE_ICE_FLOAT), "1.5");
    json_round_trip(a, T(FLOE_ICE_DOUBLE), "\"NaN\"");
    json_round_trip(a, T(FLOE_ICE_DOUBLE), "\"-Infinity\"");
    json_round_trip(a, floe_ice_type_decimal(a, 9, 2), "\"14.20\"");
    json_round_trip(a, floe_ice_type_decimal(a, 9, 2), "\"-0.05\"");
    json_round_trip(a, T(FLOE_ICE_DATE), "\"2017-11-16\"");
    json_round_trip(a, T(FLOE_ICE_DATE), "\"1969-12-31\"");
    json_round_trip(a, T(FLOE_ICE_TIME), "\"22:31:08.123456\"");
    json_round_trip(a, T(FLOE_ICE_TIMESTAMP), "\"2017-11-16T22:31:08.123456\"");
    json_round_trip(a, T(FLOE_ICE_TIMESTAMPTZ), "\"2017-11-16T22:31:08.123456+00:00\"");
    json_round_trip(a, T(FLOE_ICE_TIMESTAMP_NS), "\"2017-11-16T22:31:08.123456789\"");
    json_round_trip(a, T(FLOE_ICE_TIMESTAMPTZ_NS), "\"2017-11-16T22:31:08.123456789+00:00\"");
    json_round_trip(a, T(FLOE_ICE_STRING), "\"iceberg \\u00e9\"");
    json_round_trip(a, T(FLOE_ICE_UUID), "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"");
    json_round_trip(a, floe_ice_type_fixed(a, 4), "\"000102ff\"");
    json_round_trip(a, T(FLOE_ICE_BINARY), "\"000102ff\"");
    json_round_trip(a, T(FLOE_ICE_INT), "null");
    /* an offset other than +00:00 reads as the same instant and writes as UTC */
    json_t *j = ice_test_json("\"2017-11-16T14:31:08-08:00\"");
    floe_value v;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_value_from_json(a, T(FLOE_ICE_TIMESTAMPTZ), j, &v, &err), &err);
    ice_test_json_eq(floe_ice_value_to_json(T(FLOE_ICE_TIMESTAMPTZ), &v),
                     "\"2017-11-16T22:31:08.000000+00:00\"");
    json_decref(j);
    /* nested values */
    const floe_ice_schema *s = ice_test_schema(
        a, "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"s\",\"required\":false,\"type\":"
           "{\"type\":\"struct\",\"fields\":[{\"id\":2,\"name\":\"a\",\"required\":false,\"type\":"
           "\"int\"},{\"id\":3,\"name\":\"b\",\"required\":false,\"type\":\"string\"}]}},"
           "{\"id\":4,\"name\":\"l\",\"required\":false,\"type\":{\"type\":\"list\","
           "\"element-id\":5,\"element\":\"long\",\"element-required\":false}},"
           "{\"id\":6,\"name\":\"m\",\"required\":false,\"type\":{\"type\":\"map\",\"key-id\":7,"
           "\"key\":\"string\",\"value-id\":8,\"value\":\"double\",\"value-required\":false}}]}");
    json_round_trip(a, floe_ice_schema_find_id(s, 1)->type, "{\"2\":1,\"3\":\"bar\"}");
    json_round_trip(a, floe_ice_schema_find_id(s, 1)->type, "{}");
    json_round_trip(a, floe_ice_schema_find_id(s, 4)->type, "[1,2,null]");
    json_round_trip(a, floe_ice_schema_find_id(s, 6)->type,
                    "{\"keys\":[\"a\",\"b\"],\"values\":[1.5,null]}");
    /* strict reading */
    static const struct {
        floe_ice_type_id id;
        const char *json;
    } bad[] = {
        {FLOE_ICE_INT, "3000000000"},
        {FLOE_ICE_INT, "\"3\""},
        {FLOE_ICE_BOOLEAN, "1"},
        {FLOE_ICE_DATE, "\"2017-02-29\""},
        {FLOE_ICE_DATE, "\"2017-11-16T00:00\""},
        {FLOE_ICE_TIME, "\"25:00:00\""},
        {FLOE_ICE_TIMESTAMP, "\"2017-11-16T22:31:08+00:00\""}, /* no zone allowed */
        {FLOE_ICE_TIMESTAMPTZ, "\"2017-11-16T22:31:08\""},     /* zone required */
        {FLOE_ICE_UUID, "\"f79c3e09\""},
        {FLOE_ICE_BINARY, "\"0g\""},
        {FLOE_ICE_BINARY, "\"012\""},
        {FLOE_ICE_STRING, "5"},
        {FLOE_ICE_UNKNOWN, "5"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        json_t *bj = ice_test_json(bad[i].json);
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_ice_value_from_json(a, T(bad[i].id), bj, &v, &err), FLOE_ERR_INVALID,
                        &err, NULL);
        json_decref(bj);
    }
    json_t *dj = ice_test_json("\"14.2\""); /* scale must match */
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_value_from_json(a, floe_ice_type_decimal(a, 9, 2), dj, &v, &err),
                    FLOE_ERR_INVALID, &err, "invalid decimal value: \"14.2\"");
    json_decref(dj);
    dj = ice_test_json("{\"9\":1}");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_value_from_json(a, floe_ice_schema_find_id(s, 1)->type, dj, &v, &err),
                    FLOE_ERR_INVALID, &err, "not field ids");
    json_decref(dj);
}

FLOE_TEST_GROUP(values)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_binary_round_trips_every_primitive, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bounds_written_before_promotion_decode_by_length,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_truncate_bounds, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_json_single_values, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
