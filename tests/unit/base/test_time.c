/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_civil_round_trip(void **state)
{
    (void)state;
    assert_int_equal(floe_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(floe_days_from_civil(2017, 11, 16), 17486); /* the Iceberg spec's example */
    assert_int_equal(floe_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(floe_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(floe_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(floe_days_from_civil(1899, 1, 1), -25932);
    for (int64_t d = -800000; d <= 800000; d += 997) {
        int64_t y;
        int m, dd;
        floe_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(floe_days_from_civil(y, m, dd), d);
    }
}

static void test_format(void **state)
{
    (void)state;
    char buf[FLOE_ISO_TIME_MAX];
    floe_time_format_iso(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
    floe_time_format_iso(INT64_C(1510871468000001), buf);
    assert_string_equal(buf, "2017-11-16T22:31:08.000001Z");
    floe_time_format_iso(-1, buf); /* floor, not truncation, before the epoch */
    assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
    floe_time_format_iso(INT64_C(-2208988800000000) - 1, buf);
    assert_string_equal(buf, "1899-12-31T23:59:59.999999Z");
}

static void test_parse(void **state)
{
    (void)state;
    floe_err err = {0};
    static const struct {
        const char *in;
        int64_t want;
    } ok[] = {
        {"1970-01-01", 0},
        {"2017-11-16T22:31:08", INT64_C(1510871468000000)},
        {"2017-11-16 22:31:08.000001", INT64_C(1510871468000001)},
        {"2017-11-16T22:31:08.123456789Z", INT64_C(1510871468123456)},
        {"2017-11-16T22:31", INT64_C(1510871460000000)},
        {"2017-11-16T23:31:08+01:00", INT64_C(1510871468000000)},
        {"2017-11-16T21:31:08-0100", INT64_C(1510871468000000)},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800000000)},
        {"1969-12-31T23:59:59.5", INT64_C(-500000)},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(ok); i++) {
        int64_t v = 0;
        FLOE_ASSERT_OK(floe_time_parse_iso(ok[i].in, strlen(ok[i].in), &v, &err), &err);
        assert_true(v == ok[i].want);
    }
    static const char *const bad[] = {
        "",
        "2017",
        "2017-13-01",
        "2017-02-29",
        "2023-02-29T00:00",
        "2017-11-16T24:00:00",
        "2017-11-16T22:31:08.",
        "2017-11-16T22:31:08.1234567890",
        "2017-11-16X",
        "17-11-16",
        "2017-11-16T22:31:08+25:00",
        "2017-11-16T22:31:08Z ",
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        int64_t v;
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_time_parse_iso(bad[i], strlen(bad[i]), &v, &err), FLOE_ERR_INVALID,
                        &err, "not a timestamp");
    }
}

static void test_format_parse_round_trip(void **state)
{
    (void)state;
    floe_err err = {0};
    char buf[FLOE_ISO_TIME_MAX];
    for (int64_t us = INT64_C(-2000000000000000); us < INT64_C(4000000000000000);
         us += INT64_C(123456789012345)) {
        size_t n = floe_time_format_iso(us, buf);
        int64_t back;
        FLOE_ASSERT_OK(floe_time_parse_iso(buf, n, &back, &err), &err);
        assert_true(back == us);
    }
}

static void test_durations(void **state)
{
    (void)state;
    floe_err err = {0};
    static const struct {
        const char *in;
        int64_t want;
    } ok[] = {
        {"0s", 0},
        {"90m", INT64_C(5400000000)},
        {"12h", INT64_C(43200000000)},
        {"3d", INT64_C(259200000000)},
        {"1h30m", INT64_C(5400000000)},
        {"250ms", 250000},
        {"2w", INT64_C(1209600000000)},
        {"720m", INT64_C(43200000000)},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(ok); i++) {
        int64_t v = -1;
        FLOE_ASSERT_OK(floe_duration_parse(ok[i].in, &v, &err), &err);
        assert_true(v == ok[i].want);
    }
    static const char *const bad[] = {
        "", "5", "m", "-5m", "5 m", "5y", "99999999999999999999d", "9999999999999d"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        int64_t v;
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_duration_parse(bad[i], &v, &err), FLOE_ERR_INVALID, &err, NULL);
    }
}

static void test_clocks_move(void **state)
{
    (void)state;
    int64_t a = floe_time_mono_us();
    int64_t now = floe_time_now_us();
    assert_true(now > INT64_C(1700000000000000)); /* after 2023 */
    assert_true(floe_time_mono_us() >= a);
}

FLOE_TEST_GROUP(time)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_clocks_move),
    };
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
