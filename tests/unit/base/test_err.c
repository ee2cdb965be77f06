/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <errno.h>
#include <string.h>

static void test_first_error_wins(void **state)
{
    (void)state;
    floe_err err = {0};
    assert_int_equal(floe_err_set(&err, FLOE_ERR_CORRUPT, "bad block at %d", 8), FLOE_ERR_CORRUPT);
    /* A later error does not overwrite the first, and the first code is returned. */
    assert_int_equal(floe_err_set(&err, FLOE_ERR_IO, "disk gone"), FLOE_ERR_CORRUPT);
    assert_string_equal(err.msg, "bad block at 8");
    floe_err_clear(&err);
    assert_int_equal(err.code, FLOE_OK);
    assert_int_equal(floe_err_set(&err, FLOE_ERR_IO, "disk gone"), FLOE_ERR_IO);
    assert_string_equal(err.msg, "disk gone");
}

static void test_wrap_adds_context_outermost_first(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_err_set(&err, FLOE_ERR_CORRUPT, "negative block count at offset %d", 8192);
    floe_err_wrap(&err, "manifest list %s", "snap-42.avro");
    assert_int_equal(floe_err_wrap(&err, "load table %s", "db.events"), FLOE_ERR_CORRUPT);
    assert_string_equal(err.msg,
                        "load table db.events: manifest list snap-42.avro: negative block count at "
                        "offset 8192");
}

static void test_wrap_without_error_is_internal(void **state)
{
    (void)state;
    floe_err err = {0};
    assert_int_equal(floe_err_wrap(&err, "ctx"), FLOE_ERR_INTERNAL);
    assert_string_equal(err.msg, "ctx: unknown error");
}

static void test_null_sink_returns_code(void **state)
{
    (void)state;
    assert_int_equal(floe_err_set(NULL, FLOE_ERR_NOT_FOUND, "x"), FLOE_ERR_NOT_FOUND);
    /* Setting FLOE_OK as an error is a bug and must not read as success. */
    assert_int_equal(floe_err_set(NULL, FLOE_OK, "x"), FLOE_ERR_INTERNAL);
}

static floe_status inner_fails(floe_err *err)
{
    return floe_err_set(err, FLOE_ERR_NOT_FOUND, "no such table");
}

static floe_status outer_wraps(floe_err *err)
{
    floe_status st = inner_fails(err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "load table");
    }
    return FLOE_OK;
}

static void test_wrap_into_null_sink_keeps_code(void **state)
{
    (void)state;
    assert_int_equal(outer_wraps(NULL), FLOE_ERR_NOT_FOUND);
    floe_err err = {0};
    assert_int_equal(outer_wraps(&err), FLOE_ERR_NOT_FOUND);
    assert_string_equal(err.msg, "load table: no such table");
}

static void test_long_message_truncated_safely(void **state)
{
    (void)state;
    floe_err err = {0};
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    floe_err_set(&err, FLOE_ERR_INVALID, "%s", big);
    assert_int_equal(strlen(err.msg), FLOE_ERR_MSG_MAX - 1);
    floe_err_wrap(&err, "%s", big);
    assert_int_equal(strlen(err.msg), FLOE_ERR_MSG_MAX - 1);
}

static void test_status_table(void **state)
{
    (void)state;
    static const struct {
        floe_status st;
        int exit_code;
        int http;
    } rows[] = {
        {FLOE_OK, 0, 200},
        {FLOE_ERR_USAGE, 2, 400},
        {FLOE_ERR_INVALID, 1, 400},
        {FLOE_ERR_NOT_FOUND, 1, 404},
        {FLOE_ERR_EXISTS, 1, 409},
        {FLOE_ERR_CONFLICT, 1, 409},
        {FLOE_ERR_TOO_BIG, 1, 413},
        {FLOE_ERR_AUTH, 1, 401},
        {FLOE_ERR_FORBIDDEN, 1, 403},
        {FLOE_ERR_UNSUPPORTED, 1, 406},
        {FLOE_ERR_UNAVAILABLE, 1, 503},
        {FLOE_ERR_INTERNAL, 1, 500},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(rows); i++) {
        assert_int_equal(floe_status_exit_code(rows[i].st), rows[i].exit_code);
        assert_int_equal(floe_status_http(rows[i].st), rows[i].http);
    }
    /* Every code has a name, and out-of-range codes map like an internal error. */
    for (int st = 0; st < FLOE_STATUS_COUNT_; st++) {
        assert_non_null(floe_status_info_get((floe_status)st)->name);
    }
    assert_int_equal(floe_status_http((floe_status)999), 500);
    assert_string_equal(floe_status_name((floe_status)-1), "internal error");
}

static void test_errno_mapping(void **state)
{
    (void)state;
    floe_err err = {0};
    assert_int_equal(floe_err_errno(&err, ENOENT, "open %s", "/x"), FLOE_ERR_NOT_FOUND);
    assert_string_equal(err.msg, "open /x: No such file or directory");
    assert_int_equal(floe_status_from_errno(EEXIST), FLOE_ERR_EXISTS);
    assert_int_equal(floe_status_from_errno(ENOSPC), FLOE_ERR_TOO_BIG);
    assert_int_equal(floe_status_from_errno(EIO), FLOE_ERR_IO);
}

FLOE_TEST_GROUP(err)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_wrap_adds_context_outermost_first),
        cmocka_unit_test(test_wrap_without_error_is_internal),
        cmocka_unit_test(test_null_sink_returns_code),
        cmocka_unit_test(test_wrap_into_null_sink_keeps_code),
        cmocka_unit_test(test_long_message_truncated_safely),
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_errno_mapping),
    };
    return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
