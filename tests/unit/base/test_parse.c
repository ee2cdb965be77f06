/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_parse_i64(void **state)
{
    (void)state;
    floe_err err = {0};
    int64_t v;
    FLOE_ASSERT_OK(floe_parse_i64("-9223372036854775808", &v, &err), &err);
    assert_true(v == INT64_MIN);
    FLOE_ASSERT_OK(floe_parse_i64("42", &v, &err), &err);
    assert_int_equal(v, 42);
    static const char *const bad[] = {"", " 1", "1 ", "12x", "0x10", "abc", "9223372036854775808"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_parse_i64(bad[i], &v, &err), FLOE_ERR_INVALID, &err, NULL);
    }
    FLOE_ASSERT_ERR(floe_parse_i64(NULL, &v, &err), FLOE_ERR_INVALID, &err, NULL);
}

static void test_parse_i32_and_u64(void **state)
{
    (void)state;
    floe_err err = {0};
    int32_t i;
    uint64_t u;
    FLOE_ASSERT_OK(floe_parse_i32("-2147483648", &i, &err), &err);
    assert_int_equal(i, INT32_MIN);
    FLOE_ASSERT_ERR(floe_parse_i32("2147483648", &i, &err), FLOE_ERR_INVALID, &err, "out of range");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_parse_u64("18446744073709551615", &u, &err), &err);
    assert_true(u == UINT64_MAX);
    FLOE_ASSERT_ERR(floe_parse_u64("-1", &u, &err), FLOE_ERR_INVALID, &err, NULL);
}

static void test_parse_double_and_bool(void **state)
{
    (void)state;
    floe_err err = {0};
    double d;
    bool b;
    FLOE_ASSERT_OK(floe_parse_double("0.75", &d, &err), &err);
    assert_true(d == 0.75);
    FLOE_ASSERT_ERR(floe_parse_double("nan", &d, &err), FLOE_ERR_INVALID, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_parse_double("1e999", &d, &err), FLOE_ERR_INVALID, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_parse_bool("TRUE", &b, &err), &err);
    assert_true(b);
    FLOE_ASSERT_OK(floe_parse_bool("off", &b, &err), &err);
    assert_false(b);
    FLOE_ASSERT_ERR(floe_parse_bool("maybe", &b, &err), FLOE_ERR_INVALID, &err, "boolean");
}

static void test_parse_size(void **state)
{
    (void)state;
    floe_err err = {0};
    static const struct {
        const char *in;
        uint64_t want;
    } ok[] = {
        {"0", 0},
        {"1048576", 1048576},
        {"64k", 65536},
        {"128MB", 134217728},
        {"1GiB", 1073741824},
        {"2g", 2147483648u},
        {"1t", 1099511627776ull},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(ok); i++) {
        uint64_t v = 1;
        FLOE_ASSERT_OK(floe_parse_size(ok[i].in, &v, &err), &err);
        assert_true(v == ok[i].want);
    }
    uint64_t v;
    FLOE_ASSERT_ERR(floe_parse_size("12q", &v, &err), FLOE_ERR_INVALID, &err, "unit");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_parse_size("99999999999t", &v, &err), FLOE_ERR_INVALID, &err, "range");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_parse_size("-1", &v, &err), FLOE_ERR_INVALID, &err, NULL);
}

static void test_string_helpers(void **state)
{
    (void)state;
    assert_true(floe_starts_with("s3://bucket", "s3://"));
    assert_false(floe_starts_with("s3", "s3://"));
    assert_true(floe_ends_with("x.metadata.json", ".metadata.json"));
    assert_false(floe_ends_with("json", ".metadata.json"));
    assert_true(floe_str_eq_c(FLOE_STR_LIT("abc"), "abc"));
    assert_false(floe_str_eq_c(FLOE_STR_LIT("abc"), "abd"));
    assert_int_equal(floe_str_c(NULL).len, 0);
    char *s = floe_xasprintf("%s-%d", "v", 7);
    assert_string_equal(s, "v-7");
    free(s);
    size_t out;
    assert_true(floe_mul_overflow(SIZE_MAX / 2, 3, &out));
    assert_false(floe_mul_overflow(1000, 1000, &out));
    assert_int_equal(out, 1000000);
}

FLOE_TEST_GROUP(parse)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_parse_i32_and_u64),
        cmocka_unit_test(test_parse_double_and_bool),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_string_helpers),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
