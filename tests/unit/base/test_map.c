/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <stdio.h>
#include <string.h>

static int freed;

static void count_free(void *v)
{
    freed++;
    free(v);
}

static const floe_map_type owning = {count_free};

static void test_put_get_replace_remove(void **state)
{
    (void)state;
    freed = 0;
    floe_map *m = floe_map_new(&owning);
    floe_map_put_s(m, "a", floe_xstrdup("1"));
    floe_map_put_s(m, "b", floe_xstrdup("2"));
    assert_int_equal(floe_map_count(m), 2);
    assert_string_equal(floe_map_get_s(m, "a"), "1");
    floe_map_put_s(m, "a", floe_xstrdup("3")); /* replace frees the old value */
    assert_int_equal(freed, 1);
    assert_string_equal(floe_map_get_s(m, "a"), "3");
    assert_int_equal(floe_map_count(m), 2);
    assert_true(floe_map_remove_s(m, "a"));
    assert_int_equal(freed, 2);
    assert_false(floe_map_remove_s(m, "a"));
    assert_null(floe_map_get_s(m, "a"));
    char *taken = floe_map_take(m, "b", 1); /* take hands ownership back */
    assert_string_equal(taken, "2");
    assert_int_equal(freed, 2);
    free(taken);
    floe_map_put_s(m, "c", floe_xstrdup("4"));
    floe_map_free(m); /* frees remaining values */
    assert_int_equal(freed, 3);
}

static void test_binary_keys(void **state)
{
    (void)state;
    floe_map *m = floe_map_new(NULL);
    int64_t k1 = 1, k2 = 1LL << 32;
    int v1 = 10, v2 = 20;
    floe_map_put(m, &k1, sizeof(k1), &v1);
    floe_map_put(m, &k2, sizeof(k2), &v2);
    floe_map_put(m, "a\0b", 3, &v2); /* keys may contain NUL */
    assert_ptr_equal(floe_map_get(m, &k1, sizeof(k1)), &v1);
    assert_ptr_equal(floe_map_get(m, &k2, sizeof(k2)), &v2);
    assert_ptr_equal(floe_map_get(m, "a\0b", 3), &v2);
    assert_null(floe_map_get(m, "a", 1));
    floe_map_free(m);
}

static void test_many_keys_with_deletes(void **state)
{
    (void)state;
    floe_map *m = floe_map_new(NULL);
    static int marker;
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        floe_map_put_s(m, key, &marker);
    }
    /* Remove every third key; the rest must stay reachable (backward-shift deletion). */
    for (int i = 0; i < 20000; i += 3) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_true(floe_map_remove_s(m, key));
    }
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(floe_map_get_s(m, key) != NULL, i % 3 != 0);
    }
    size_t seen = 0;
    floe_map_iter it = {0};
    const char *k;
    size_t klen;
    void *v;
    while (floe_map_next(m, &it, &k, &klen, &v)) {
        assert_int_equal(strlen(k), klen);
        assert_ptr_equal(v, &marker);
        seen++;
    }
    assert_int_equal(seen, floe_map_count(m));
    assert_int_equal(seen, 20000 - 6667);
    floe_map_clear(m);
    assert_int_equal(floe_map_count(m), 0);
    assert_null(floe_map_get_s(m, "k1"));
    floe_map_free(m);
}

FLOE_TEST_GROUP(map)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace_remove),
        cmocka_unit_test(test_binary_keys),
        cmocka_unit_test(test_many_keys_with_deletes),
    };
    return cmocka_run_group_tests_name("map", tests, NULL, NULL);
}
