/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_crc32c(void **state)
{
    (void)state;
    /* The standard check value for CRC-32C. */
    assert_int_equal(floe_crc32c(0, "123456789", 9), 0xe3069283u);
    assert_int_equal(floe_crc32c(0, "", 0), 0);
    /* Incremental computation equals one-shot. */
    uint32_t c = floe_crc32c(0, "1234", 4);
    assert_int_equal(floe_crc32c(c, "56789", 5), 0xe3069283u);
}

static void test_xxh64_reference_values(void **state)
{
    (void)state;
    /* Expected values produced by Debian's xxhsum (xxh64sum), an independent implementation. */
    assert_true(floe_xxh64("", 0, 0) == UINT64_C(0xef46db3751d8e999));
    assert_true(floe_xxh64("abc", 3, 0) == UINT64_C(0x44bc2cf5ad770999));
    const char *s = "The quick brown fox jumps over the lazy dog, 0123456789!"; /* >= 32 bytes */
    assert_true(floe_xxh64(s, strlen(s), 0) == UINT64_C(0xe7f33cf046a90de0));
    /* The seed changes the hash. */
    assert_true(floe_xxh64("abc", 3, 1) != floe_xxh64("abc", 3, 0));
}

FLOE_TEST_GROUP(hash)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_xxh64_reference_values),
    };
    return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
