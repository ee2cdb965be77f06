/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include "floe/value.h"

#include <math.h>

static void expect_json(const floe_value *v, const char *want)
{
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_value_to_json(v, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), want);
    floe_buf_fini(&b);
}

static void test_doubles_match_ecmascript(void **state)
{
    (void)state;
    /* Expected strings were produced by Node's Number.prototype.toString. */
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {0.30000000000000004, "0.30000000000000004"},
        {0.3333333333333333, "0.3333333333333333"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e21, "1e+21"},
        {1.5e-7, "1.5e-7"},
        {0.000001, "0.000001"},
        {0.0000015, "0.0000015"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-2.5, "-2.5"},
        {100, "100"},
        {1e300, "1e+300"},
        {123.456, "123.456"},
        {9007199254740992.0, "9007199254740992"},
        {9.5367431640625e-7, "9.5367431640625e-7"},
        {4.35, "4.35"},
        {1e-7, "1e-7"},
        {1.23e-18, "1.23e-18"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_value v = floe_value_double(cases[i].v);
        expect_json(&v, cases[i].want);
    }
}

static void test_floats_use_float32_precision(void **state)
{
    (void)state;
    static const struct {
        float v;
        const char *want;
    } cases[] = {
        {0.1f, "0.1"},
        {3.4028234663852886e38f, "3.4028235e+38"},
        {1.401298464324817e-45f, "1e-45"},
        {16777216.0f, "16777216"},
        {0.3f, "0.3"},
        {1.1f, "1.1"},
        {100.5f, "100.5"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_value v = floe_value_float(cases[i].v);
        expect_json(&v, cases[i].want);
    }
}

static void test_special_floats(void **state)
{
    (void)state;
    floe_value v = floe_value_double(-0.0);
    expect_json(&v, "-0");
    v = floe_value_double(0.0);
    expect_json(&v, "0");
    v = floe_value_double(NAN);
    expect_json(&v, "\"NaN\"");
    v = floe_value_float(INFINITY);
    expect_json(&v, "\"Infinity\"");
    v = floe_value_double(-INFINITY);
    expect_json(&v, "\"-Infinity\"");
}

static void test_integers_keep_every_digit(void **state)
{
    (void)state;
    floe_value v = floe_value_long(INT64_MIN);
    expect_json(&v, "-9223372036854775808");
    v = floe_value_long(INT64_MAX);
    expect_json(&v, "9223372036854775807");
    v = floe_value_long(-1);
    v.flags = FLOE_VF_UNSIGNED;
    expect_json(&v, "18446744073709551615");
    v = floe_value_int(-1);
    v.flags = FLOE_VF_UNSIGNED;
    expect_json(&v, "4294967295");
    v = floe_value_int(INT32_MIN);
    expect_json(&v, "-2147483648");
}

static void test_decimals(void **state)
{
    (void)state;
    static const struct {
        __int128 unscaled;
        int scale;
        const char *want;
    } cases[] = {
        {-1230, 2, "\"-12.30\""},
        {7, 0, "\"7\""},
        {5, 3, "\"0.005\""},
        {-5, 3, "\"-0.005\""},
        {9999999999, 2, "\"99999999.99\""},
        {0, 2, "\"0.00\""},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_value v = floe_value_decimal(cases[i].unscaled, 38, cases[i].scale);
        expect_json(&v, cases[i].want);
    }
    /* The full 38-digit range, including the most negative 128-bit value. */
    __int128 big = (__int128)99999999999999999LL * 1000000000000000000LL + 999999999999999999LL;
    floe_value v = floe_value_decimal(-big, 38, 5);
    expect_json(&v, "\"-999999999999999999999999999999.99999\""); /* 35 nines */
    __int128 min = (__int128)((unsigned __int128)1 << 127);
    v = floe_value_decimal(min, 38, 0);
    expect_json(&v, "\"-170141183460469231731687303715884105728\"");
}

static void test_dates_and_times(void **state)
{
    (void)state;
    floe_value v = floe_value_date(17486);
    expect_json(&v, "\"2017-11-16\"");
    v = floe_value_date(-1);
    expect_json(&v, "\"1969-12-31\"");
    v = floe_value_time(81068000000LL, FLOE_UNIT_MICROS);
    expect_json(&v, "\"22:31:08.000000\"");
    v = floe_value_time(81068123LL, FLOE_UNIT_MILLIS);
    expect_json(&v, "\"22:31:08.123000\"");
    v = floe_value_time(81068000000001LL, FLOE_UNIT_NANOS);
    expect_json(&v, "\"22:31:08.000000001\"");
    v = floe_value_timestamp(1510871468000001LL, FLOE_UNIT_MICROS, false);
    expect_json(&v, "\"2017-11-16T22:31:08.000001\"");
    v = floe_value_timestamp(1510871468000001LL, FLOE_UNIT_MICROS, true);
    expect_json(&v, "\"2017-11-16T22:31:08.000001+00:00\"");
    v = floe_value_timestamp(-1, FLOE_UNIT_NANOS, false);
    expect_json(&v, "\"1969-12-31T23:59:59.999999999\"");
    v = floe_value_timestamp(-2208988800001LL, FLOE_UNIT_MILLIS, true);
    expect_json(&v, "\"1899-12-31T23:59:59.999000+00:00\"");
}

static void test_strings_binary_uuid(void **state)
{
    (void)state;
    floe_value v = floe_value_string("a\"b\\c\n\x01 \xf0\x9f\x90\x87", 12);
    expect_json(&v, "\"a\\\"b\\\\c\\n\\u0001 \xf0\x9f\x90\x87\"");
    v = floe_value_string("bad\xff\xc0\xafz", 7); /* invalid UTF-8, overlong form */
    expect_json(&v, "\"bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"");
    v = floe_value_binary("\x00\x01\xab", 3);
    expect_json(&v, "\"0001ab\"");
    const uint8_t u[16] = {0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd,
                           0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7};
    v = floe_value_uuid(u);
    expect_json(&v, "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"");
}

static void test_nested(void **state)
{
    (void)state;
    floe_value kv[4] = {floe_value_string("k1", 2), floe_value_int(1), floe_value_string("k2", 2),
                        floe_value_null()};
    floe_value map = {.kind = FLOE_V_MAP};
    map.u.nested.items = kv;
    map.u.nested.n = 2;
    floe_value items[2] = {floe_value_int(1), floe_value_null()};
    floe_value list = {.kind = FLOE_V_LIST};
    list.u.nested.items = items;
    list.u.nested.n = 2;
    floe_value fields[3] = {list, map, floe_value_bool(true)};
    static const char *const names[] = {"l", "m", "ok"};
    floe_value row = {.kind = FLOE_V_STRUCT};
    row.u.nested.items = fields;
    row.u.nested.names = names;
    row.u.nested.n = 3;
    expect_json(&row, "{\"l\":[1,null],\"m\":[{\"key\":\"k1\",\"value\":1},"
                      "{\"key\":\"k2\",\"value\":null}],\"ok\":true}");
    floe_value empty = {.kind = FLOE_V_LIST};
    expect_json(&empty, "[]");
}

static void test_output_limit_is_an_error(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 4);
    floe_value v = floe_value_string("too long", 8);
    FLOE_ASSERT_ERR(floe_value_to_json(&v, &b, &err), FLOE_ERR_TOO_BIG, &err, NULL);
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(json)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_match_ecmascript),
        cmocka_unit_test(test_floats_use_float32_precision),
        cmocka_unit_test(test_special_floats),
        cmocka_unit_test(test_integers_keep_every_digit),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_dates_and_times),
        cmocka_unit_test(test_strings_binary_uuid),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_output_limit_is_an_error),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
