/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

typedef struct captured {
    floe_buf text;
    int lines;
} captured;

static void capture(void *ud, floe_log_level level, const char *line, size_t len)
{
    (void)level;
    captured *c = ud;
    floe_buf_append(&c->text, line, len, NULL);
    c->lines++;
}

static int setup(void **state)
{
    captured *c = floe_xcalloc(1, sizeof(*c));
    floe_buf_init(&c->text, 0);
    floe_log_set_sink(capture, c);
    floe_log_set_level(FLOE_LOG_INFO);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    captured *c = *state;
    floe_log_set_sink(NULL, NULL);
    floe_log_set_context(NULL);
    floe_log_set_level(FLOE_LOG_INFO);
    floe_buf_fini(&c->text);
    free(c);
    return 0;
}

static void test_logfmt_line(void **state)
{
    captured *c = *state;
    floe_log_set_context("req-7");
    FLOE_LOG_WARN("store", "retrying commit for %s (attempt %d)", "db.t", 2);
    assert_int_equal(c->lines, 1);
    const char *s = floe_buf_cstr(&c->text);
    assert_true(strncmp(s, "ts=", 3) == 0);
    assert_non_null(strstr(s, " level=warn component=store id=req-7 "
                              "msg=\"retrying commit for db.t (attempt 2)\"\n"));
}

static void test_level_filter(void **state)
{
    captured *c = *state;
    FLOE_LOG_DEBUG("x", "hidden");
    assert_int_equal(c->lines, 0);
    floe_log_set_level(FLOE_LOG_DEBUG);
    FLOE_LOG_DEBUG("x", "shown");
    assert_int_equal(c->lines, 1);
    floe_log_set_level(FLOE_LOG_OFF);
    FLOE_LOG_ERROR("x", "hidden");
    assert_int_equal(c->lines, 1);
}

static void test_escaping_and_kv(void **state)
{
    captured *c = *state;
    const char *kv[] = {"path", "/v1/config", "agent", "a \"b\"\n", "empty", ""};
    floe_log_kv(FLOE_LOG_INFO, "http", kv, 6, "tab\there\x01");
    const char *s = floe_buf_cstr(&c->text);
    assert_non_null(strstr(s, "msg=\"tab\\there\\x01\""));
    assert_non_null(strstr(s, " path=/v1/config "));
    assert_non_null(strstr(s, " agent=\"a \\\"b\\\"\\n\""));
    assert_non_null(strstr(s, " empty=\"\"\n"));
    /* One event is one line: no raw newline before the end. */
    assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
}

static void test_level_parse(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_log_level l;
    FLOE_ASSERT_OK(floe_log_level_parse("WARNING", &l, &err), &err);
    assert_int_equal(l, FLOE_LOG_WARN);
    FLOE_ASSERT_OK(floe_log_level_parse("off", &l, &err), &err);
    assert_int_equal(l, FLOE_LOG_OFF);
    FLOE_ASSERT_ERR(floe_log_level_parse("loud", &l, &err), FLOE_ERR_INVALID, &err, "loud");
}

static void test_long_message_is_cut_not_overrun(void **state)
{
    captured *c = *state;
    char big[10000];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    FLOE_LOG_INFO("x", "%s", big);
    assert_int_equal(c->lines, 1);
    assert_true(c->text.len < 4100);
    assert_int_equal(c->text.data[c->text.len - 1], '\n');
}

FLOE_TEST_GROUP(log)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_logfmt_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping_and_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_message_is_cut_not_overrun, setup, teardown),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
