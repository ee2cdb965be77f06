/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_v4_format_and_bits(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_uuid a, b, back;
    floe_uuid_v4(&a);
    floe_uuid_v4(&b);
    assert_memory_not_equal(a.b, b.b, 16);
    char s[FLOE_UUID_STR_LEN + 1];
    floe_uuid_format(&a, s);
    assert_int_equal(strlen(s), 36);
    assert_int_equal(s[14], '4');           /* version */
    assert_non_null(strchr("89ab", s[19])); /* variant */
    FLOE_ASSERT_OK(floe_uuid_parse(s, 36, &back, &err), &err);
    assert_memory_equal(back.b, a.b, 16);
}

static void test_parse_known_and_bad(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_uuid u;
    const char *s = "F79C3E09-677C-4BBD-A479-3F349CB785E7";
    FLOE_ASSERT_OK(floe_uuid_parse(s, strlen(s), &u, &err), &err);
    assert_int_equal(u.b[0], 0xf7);
    assert_int_equal(u.b[15], 0xe7);
    char out[37];
    floe_uuid_format(&u, out);
    assert_string_equal(out, "f79c3e09-677c-4bbd-a479-3f349cb785e7");
    static const char *const bad[] = {
        "", "f79c3e09677c4bbda4793f349cb785e7", "f79c3e09-677c-4bbd-a479-3f349cb785e",
        "g79c3e09-677c-4bbd-a479-3f349cb785e7", "f79c3e09+677c-4bbd-a479-3f349cb785e7"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_uuid_parse(bad[i], strlen(bad[i]), &u, &err), FLOE_ERR_INVALID, &err,
                        "not a UUID");
    }
}

static void test_random_bytes_vary(void **state)
{
    (void)state;
    uint8_t buf[64] = {0}, zero[64] = {0};
    floe_random_bytes(buf, sizeof(buf));
    assert_memory_not_equal(buf, zero, sizeof(buf));
    assert_true(floe_random_u64() != floe_random_u64());
}

FLOE_TEST_GROUP(uuid)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_format_and_bits),
        cmocka_unit_test(test_parse_known_and_bad),
        cmocka_unit_test(test_random_bytes_vary),
    };
    return cmocka_run_group_tests_name("uuid", tests, NULL, NULL);
}
