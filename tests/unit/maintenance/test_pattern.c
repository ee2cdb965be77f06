/* SPDX-License-Identifier: Apache-2.0 */
/* Datetime patterns: compiling (and refusing), formatting, parsing and the period a value
 * stands for. */
#include "mnt_helpers.h"

#define US_DAY (INT64_C(86400) * 1000000)

static const floe_mnt_pattern *compile(floe_test_ctx *t, const char *text)
{
    const floe_mnt_pattern *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_pattern_compile(t->arena, text, &p, &err), &err);
    return p;
}

static int64_t iso(const char *s)
{
    int64_t us = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_time_parse_iso(s, strlen(s), &us, &err), &err);
    return us;
}

static void test_pattern_format(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *pattern;
        const char *when;
        const char *want;
    } cases[] = {
        {"'tag-'yyyyMMdd", "2022-08-07T23:59:59Z", "tag-20220807"},
        {"'tag-'yyyyMMddHH", "2022-08-07T05:00:00Z", "tag-2022080705"},
        {"'tag-'yyyyMM", "2022-12-31T00:00:00Z", "tag-202212"},
        {"yyyy-MM-dd HH:mm:ss", "2024-02-29T13:04:05Z", "2024-02-29 13:04:05"},
        {"yyyy-MM-dd HH:mm:ss.SSS", "2024-02-29T13:04:05.123456Z", "2024-02-29 13:04:05.123"},
        {"yy/M/d H:m:s", "2009-01-02T03:04:05Z", "09/1/2 3:4:5"},
        {"'it''s' yyyy", "2020-01-01T00:00:00Z", "it's 2020"},
        {"''yyyy''", "2020-01-01T00:00:00Z", "'2020'"},
        {"yyyy_MM", "1969-12-31T23:59:59Z", "1969_12"},
        {"SSSSSSSSS", "2020-01-01T00:00:00.000001Z", "000001000"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_mnt_pattern *p = compile(t, cases[i].pattern);
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_mnt_pattern_format(p, iso(cases[i].when), &b, &err), &err);
        if (strcmp(floe_buf_cstr(&b), cases[i].want) != 0) {
            fail_msg("%s: got '%s', want '%s'", cases[i].pattern, floe_buf_cstr(&b), cases[i].want);
        }
        floe_buf_fini(&b);
    }
}

static void test_pattern_refuses(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *pattern;
        floe_status code;
        const char *needle;
    } cases[] = {
        {"", FLOE_ERR_INVALID, "empty"},
        {"'tag-'", FLOE_ERR_INVALID, "no date or time field"},
        {"yyyy-MM-dd EEE", FLOE_ERR_INVALID, "letter 'E' at offset 11"},
        {"'tag-yyyy", FLOE_ERR_INVALID, "unterminated quote at offset 0"},
        {"yyyyy", FLOE_ERR_INVALID, "'yyyyy' at offset 0 has an unsupported width"},
        {"yyy", FLOE_ERR_INVALID, "unsupported width"},
        {"MMM", FLOE_ERR_INVALID, "unsupported width"},
        {"yyyy[MM]", FLOE_ERR_INVALID, "'[' at offset 4 is reserved"},
        {"yyyy-MM-yyyy", FLOE_ERR_INVALID, "repeats a field"},
        {"yy-yyyy", FLOE_ERR_INVALID, "repeats a field"},
        {"hh:mm", FLOE_ERR_INVALID, "letter 'h'"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_mnt_pattern *p = NULL;
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_mnt_pattern_compile(t->arena, cases[i].pattern, &p, &err),
                        cases[i].code, &err, cases[i].needle);
    }
    char long_pattern[FLOE_MNT_PATTERN_MAX + 2];
    memset(long_pattern, '-', sizeof(long_pattern) - 1);
    long_pattern[sizeof(long_pattern) - 1] = '\0';
    long_pattern[0] = 'y';
    long_pattern[1] = 'y';
    const floe_mnt_pattern *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_mnt_pattern_compile(t->arena, long_pattern, &p, &err), FLOE_ERR_TOO_BIG,
                    &err, "longer than");
    /* Years a four-digit pattern cannot show are an error, not a wrong name. */
    p = compile(t, "yyyy");
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_pattern_format(p, iso("9999-12-31T00:00:00Z") + 2 * US_DAY, &b, &err),
                    FLOE_ERR_INVALID, &err, "year 10000");
    floe_buf_fini(&b);
}

static void test_pattern_parse_periods(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *pattern;
        const char *text;
        const char *start;
        const char *end;
    } cases[] = {
        {"yyyy-MM-dd", "2024-01-09", "2024-01-09T00:00:00Z", "2024-01-10T00:00:00Z"},
        {"yyyyMMdd", "20240229", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
        {"yyyy-MM", "2023-12", "2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z"},
        {"yyyy", "2023", "2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z"},
        {"yyyy-MM-dd HH", "2024-01-09 23", "2024-01-09T23:00:00Z", "2024-01-10T00:00:00Z"},
        {"yyyy-MM-dd HH:mm:ss", "2024-01-09 12:30:15", "2024-01-09T12:30:15Z",
         "2024-01-09T12:30:16Z"},
        {"yyyy-MM-dd HH:mm:ss.SSS", "2024-01-09 12:30:15.250", "2024-01-09T12:30:15.250Z",
         "2024-01-09T12:30:15.251Z"},
        {"d/M/yyyy", "9/1/2024", "2024-01-09T00:00:00Z", "2024-01-10T00:00:00Z"},
        {"d/M/yyyy", "19/11/2024", "2024-11-19T00:00:00Z", "2024-11-20T00:00:00Z"},
        {"yy-MM-dd", "24-01-09", "2024-01-09T00:00:00Z", "2024-01-10T00:00:00Z"},
        {"'day='yyyy-MM-dd", "day=1969-12-31", "1969-12-31T00:00:00Z", "1970-01-01T00:00:00Z"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_mnt_pattern *p = compile(t, cases[i].pattern);
        int64_t start = 0, end = 0;
        floe_err err = {0};
        FLOE_ASSERT_OK(
            floe_mnt_pattern_parse(p, cases[i].text, strlen(cases[i].text), &start, &end, &err),
            &err);
        if (start != iso(cases[i].start) || end != iso(cases[i].end)) {
            fail_msg("%s on %s: got [%lld, %lld)", cases[i].pattern, cases[i].text,
                     (long long)start, (long long)end);
        }
    }
}

static void test_pattern_parse_rejects(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *pattern;
        const char *text;
        const char *needle;
    } cases[] = {
        {"yyyy-MM-dd", "2024-1-09", "does not match"},
        {"yyyy-MM-dd", "2024-01-09 ", "does not match"},
        {"yyyy-MM-dd", "2024-01-0", "does not match"},
        {"yyyy-MM-dd", "", "does not match"},
        {"yyyy-MM-dd", "2024-02-30", "not a valid date"},
        {"yyyy-MM-dd", "2023-02-29", "not a valid date"},
        {"yyyy-MM-dd", "2024-13-01", "not a valid date"},
        {"yyyy-MM-dd", "2024-00-01", "not a valid date"},
        {"yyyy-MM-dd HH:mm", "2024-01-01 24:00", "not a valid date"},
        {"yyyy-MM-dd HH:mm", "2024-01-01 23:60", "not a valid date"},
        {"yyyyMMdd", "2024010", "does not match"},
        {"'tag-'yyyy", "tab-2024", "does not match"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_mnt_pattern *p = compile(t, cases[i].pattern);
        int64_t start, end;
        floe_err err = {0};
        FLOE_ASSERT_ERR(
            floe_mnt_pattern_parse(p, cases[i].text, strlen(cases[i].text), &start, &end, &err),
            FLOE_ERR_INVALID, &err, cases[i].needle);
    }
}

static void test_pattern_round_trip(void **state)
{
    floe_test_ctx *t = *state;
    const floe_mnt_pattern *p = compile(t, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    for (int64_t us = -5 * US_DAY; us < 400 * US_DAY; us += US_DAY / 7 + 12345) {
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_mnt_pattern_format(p, us, &b, &err), &err);
        int64_t start, end;
        FLOE_ASSERT_OK(floe_mnt_pattern_parse(p, b.data, b.len, &start, &end, &err), &err);
        assert_int_equal(start, us);
        assert_int_equal(end, us + 1);
        floe_buf_fini(&b);
    }
}

FLOE_TEST_GROUP(pattern)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pattern_format, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pattern_refuses, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pattern_parse_periods, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pattern_parse_rejects, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pattern_round_trip, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
