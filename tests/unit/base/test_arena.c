/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <stdalign.h>
#include <string.h>

static void test_alloc_aligned_and_distinct(void **state)
{
    (void)state;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    char *prev = NULL;
    for (size_t i = 1; i < 2000; i += 7) {
        char *p = floe_arena_alloc(a, i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xab, i); /* ASan checks the whole range is ours */
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    floe_arena_free(a);
}

static void test_limit_is_sticky_and_reported(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_arena *a = floe_arena_new(1000);
    assert_non_null(floe_arena_alloc(a, 900));
    FLOE_ASSERT_OK(floe_arena_check(a, &err), &err);
    assert_null(floe_arena_alloc(a, 200)); /* over the limit */
    assert_true(floe_arena_failed(a));
    assert_null(floe_arena_alloc(a, 1)); /* sticky: even small requests now fail */
    FLOE_ASSERT_ERR(floe_arena_check(a, &err), FLOE_ERR_TOO_BIG, &err, "limit of 1000 bytes");
    floe_arena_reset(a);
    assert_false(floe_arena_failed(a));
    assert_int_equal(floe_arena_used(a), 0);
    assert_non_null(floe_arena_alloc(a, 500));
    floe_arena_free(a);
}

static void test_huge_request_fails_cleanly(void **state)
{
    (void)state;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    assert_null(floe_arena_alloc(a, SIZE_MAX - 3));
    assert_true(floe_arena_failed(a));
    floe_arena_reset(a);
    assert_null(floe_arena_calloc(a, SIZE_MAX / 2, 4)); /* count * size overflows */
    assert_true(floe_arena_failed(a));
    floe_arena_free(a);
}

static void test_big_blocks_and_reset_reuse(void **state)
{
    (void)state;
    floe_arena *a = floe_arena_new(64 << 20);
    char *small = floe_arena_alloc(a, 16);
    char *big = floe_arena_alloc(a, 8 << 20); /* larger than any block: gets its own */
    assert_non_null(big);
    memset(big, 1, 8 << 20);
    char *small2 = floe_arena_alloc(a, 16); /* still served from the first block */
    assert_non_null(small2);
    assert_true(small2 == small + 16);
    assert_true(floe_arena_used(a) >= (8u << 20) + 32);
    floe_arena_reset(a);
    assert_non_null(floe_arena_alloc(a, 100));
    floe_arena_free(a);
}

static void test_string_helpers(void **state)
{
    (void)state;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    assert_string_equal(floe_arena_strdup(a, "table"), "table");
    assert_string_equal(floe_arena_strndup(a, "namespace", 4), "name");
    assert_string_equal(floe_arena_sprintf(a, "%s.%s-%03d", "db", "t", 7), "db.t-007");
    assert_null(floe_arena_strdup(a, NULL));
    int *zero = floe_arena_calloc(a, 100, sizeof(int));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(zero[i], 0);
    }
    unsigned char src[3] = {1, 2, 3};
    unsigned char *dup = floe_arena_memdup(a, src, 3);
    assert_memory_equal(dup, src, 3);
    floe_arena_free(a);
    floe_arena_free(NULL); /* destructors accept NULL */
}

FLOE_TEST_GROUP(arena)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_and_distinct),
        cmocka_unit_test(test_limit_is_sticky_and_reported),
        cmocka_unit_test(test_huge_request_fails_cleanly),
        cmocka_unit_test(test_big_blocks_and_reset_reuse),
        cmocka_unit_test(test_string_helpers),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
