/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include "floe/value.h"

#include <math.h>

static void test_float_order(void **state)
{
    (void)state;
    /* Iceberg order: -Inf < -1 < -0 < +0 < 1 < +Inf < NaN. */
    double order[] = {-INFINITY, -1, -0.0, 0.0, 1, INFINITY, NAN};
    for (size_t i = 0; i + 1 < FLOE_ARRAY_LEN(order); i++) {
        floe_value a = floe_value_double(order[i]), b = floe_value_double(order[i + 1]);
        assert_true(floe_value_cmp(&a, &b) < 0);
        assert_true(floe_value_cmp(&b, &a) > 0);
    }
    floe_value z1 = floe_value_double(-0.0), z2 = floe_value_double(0.0);
    assert_true(floe_value_eq(&z1, &z2)); /* equality deletes treat -0 and +0 alike */
    assert_int_equal(floe_value_hash(&z1, 7), floe_value_hash(&z2, 7));
    floe_value n1 = floe_value_double(NAN), n2 = floe_value_double(-NAN);
    assert_true(floe_value_eq(&n1, &n2));
}

static void test_bytes_unsigned_lexicographic(void **state)
{
    (void)state;
    floe_value a = floe_value_string("a", 1), b = floe_value_string("\xc3\xa9", 2);
    floe_value ab = floe_value_string("ab", 2);
    assert_true(floe_value_cmp(&a, &b) < 0);  /* 0x61 < 0xc3 as unsigned */
    assert_true(floe_value_cmp(&a, &ab) < 0); /* prefix first */
    floe_value e1 = floe_value_binary("", 0), e2 = floe_value_binary(NULL, 0);
    assert_true(floe_value_eq(&e1, &e2));
}

static void test_decimals_compare_by_value(void **state)
{
    (void)state;
    floe_value a = floe_value_decimal(150, 10, 2), b = floe_value_decimal(15, 10, 1);
    assert_int_equal(floe_value_cmp(&a, &b), 0);
    assert_int_equal(floe_value_hash(&a, 1), floe_value_hash(&b, 1));
    floe_value c = floe_value_decimal(-1, 10, 0), d = floe_value_decimal(1, 10, 5);
    assert_true(floe_value_cmp(&c, &d) < 0);
}

static void test_integers_and_kinds(void **state)
{
    (void)state;
    floe_value a = floe_value_long(-5), b = floe_value_long(3);
    assert_true(floe_value_cmp(&a, &b) < 0);
    floe_value ua = a, ub = b;
    ua.flags = ub.flags = FLOE_VF_UNSIGNED;
    assert_true(floe_value_cmp(&ua, &ub) > 0); /* 2^64 - 5 > 3 */
    floe_value n = floe_value_null(), i = floe_value_int(0);
    assert_true(floe_value_eq(&n, &n));
    assert_false(floe_value_eq(&n, &i));
}

FLOE_TEST_GROUP(cmp)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_order),
        cmocka_unit_test(test_bytes_unsigned_lexicographic),
        cmocka_unit_test(test_decimals_compare_by_value),
        cmocka_unit_test(test_integers_and_kinds),
    };
    return cmocka_run_group_tests_name("cmp", tests, NULL, NULL);
}
