/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_append_and_printf(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    assert_string_equal(floe_buf_cstr(&b), "");
    FLOE_ASSERT_OK(floe_buf_append_str(&b, "ns", &err), &err);
    FLOE_ASSERT_OK(floe_buf_append_byte(&b, 0x1f, &err), &err);
    FLOE_ASSERT_OK(floe_buf_printf(&b, &err, "%s-%d", "t", 42), &err);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "ns\x1ft-42", 8); /* NUL-terminated */
    for (int i = 0; i < 10000; i++) {
        FLOE_ASSERT_OK(floe_buf_append(&b, "0123456789", 10, &err), &err);
    }
    assert_int_equal(b.len, 100007);
    assert_int_equal(b.data[b.len], '\0');
    floe_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(floe_buf_cstr(&b), "");
    floe_buf_fini(&b);
}

static void test_limit(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 10);
    FLOE_ASSERT_OK(floe_buf_append(&b, "0123456789", 10, &err), &err);
    FLOE_ASSERT_ERR(floe_buf_append_byte(&b, 'x', &err), FLOE_ERR_TOO_BIG, &err,
                    "limit of 10 bytes");
    assert_int_equal(b.len, 10); /* unchanged by the refused append */
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_buf_printf(&b, &err, "%d", 1), FLOE_ERR_TOO_BIG, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_buf_reserve(&b, SIZE_MAX, &err), FLOE_ERR_TOO_BIG, &err, NULL);
    floe_buf_fini(&b);
}

static void test_detach(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    size_t len = 99;
    char *empty = floe_buf_detach(&b, &len);
    assert_int_equal(len, 0);
    assert_string_equal(empty, "");
    free(empty);
    floe_buf_append_str(&b, "hello", NULL);
    char *s = floe_buf_detach(&b, &len);
    assert_string_equal(s, "hello");
    assert_int_equal(len, 5);
    assert_null(b.data);
    free(s);
    floe_buf_fini(&b);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void test_vector(void **state)
{
    (void)state;
    floe_vec v;
    floe_vec_init(&v, sizeof(int));
    for (int i = 0; i < 1000; i++) {
        int x = (i * 7919) % 1000;
        floe_vec_push_copy(&v, &x);
    }
    assert_int_equal(v.n, 1000);
    floe_vec_sort(&v, cmp_int);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(*FLOE_VEC_AT(&v, int, i), i);
    }
    floe_vec_remove(&v, 0);
    assert_int_equal(*FLOE_VEC_AT(&v, int, 0), 1);
    floe_vec_pop(&v);
    assert_int_equal(v.n, 998);
    assert_int_equal(*FLOE_VEC_AT(&v, int, 997), 998);
    int *slot = floe_vec_push(&v);
    assert_int_equal(*slot, 0); /* pushed slots are zeroed */
    floe_vec_clear(&v);
    assert_int_equal(v.n, 0);
    floe_vec_fini(&v);
}

FLOE_TEST_GROUP(buf)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_vector),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
