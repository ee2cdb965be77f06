/* SPDX-License-Identifier: Apache-2.0 */
/* Durations and maintenance properties: Amoro's syntax and defaults, and clear errors. */
#include "mnt_helpers.h"

static void test_duration_valid(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"720min", 720 * 60000},
        {"90d", INT64_C(90) * 86400000},
        {"12h", 12 * 3600000},
        {"0s", 0},
        {"90m", 90 * 60000},
        {"3d", 3 * 86400000},
        {"15 s", 15000},
        {"2 Hours", 7200000},
        {"1day", 86400000},
        {"250", 250},
        {"1500us", 1},
        {"999999ns", 0},
        {"30 seconds", 30000},
        {" 5min ", 300000},
        {"7 DAYS", 7 * 86400000},
        {"1ms", 1},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        int64_t ms = -1;
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_mnt_duration_parse(cases[i].text, &ms, &err), &err);
        if (ms != cases[i].ms) {
            fail_msg("%s: got %lld, want %lld", cases[i].text, (long long)ms,
                     (long long)cases[i].ms);
        }
    }
}

static void test_duration_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        floe_status code;
        const char *needle;
    } cases[] = {
        {"", FLOE_ERR_INVALID, "expected a number"},
        {"min", FLOE_ERR_INVALID, "expected a number"},
        {"-5min", FLOE_ERR_INVALID, "expected a number"},
        {"12x", FLOE_ERR_INVALID, "unknown unit 'x'"},
        {"12 h 5", FLOE_ERR_INVALID, "unexpected '5'"},
        {"1.5h", FLOE_ERR_INVALID, "unexpected '.5h'"},
        {"99999999999999999999d", FLOE_ERR_TOO_BIG, "too large"},
        {"9999999999999999d", FLOE_ERR_TOO_BIG, "too large"},
        {"1h30m", FLOE_ERR_INVALID, "unexpected '30m'"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        int64_t ms = 0;
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_mnt_duration_parse(cases[i].text, &ms, &err), cases[i].code, &err,
                        cases[i].needle);
    }
    floe_err err = {0};
    int64_t ms;
    FLOE_ASSERT_ERR(floe_mnt_duration_parse(NULL, &ms, &err), FLOE_ERR_INVALID, &err, "empty");
}

static void test_props_defaults(void **state)
{
    (void)state;
    floe_mnt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_props_parse(NULL, 0, &p, &err), &err);
    assert_true(p.gc_enabled);
    assert_true(p.expire_enabled);
    assert_int_equal(p.snapshot_keep_ms, 720 * 60000);
    assert_int_equal(p.snapshot_keep_min_count, 1);
    assert_false(p.orphan_enabled);
    assert_int_equal(p.orphan_min_age_ms, INT64_C(2880) * 60000);
    assert_true(p.dangling_delete_enabled);
    assert_false(p.data_expire_enabled);
    assert_int_equal(p.data_expire_level, FLOE_MNT_TTL_PARTITION);
    assert_string_equal(p.data_expire_string_pattern, "yyyy-MM-dd");
    assert_int_equal(p.data_expire_nfmt, FLOE_MNT_TIMESTAMP_MS);
    assert_int_equal(p.data_expire_base, FLOE_MNT_BASE_LAST_COMMIT_TIME);
    assert_false(p.tag_enabled);
    assert_int_equal(p.tag_period, FLOE_MNT_PERIOD_DAILY);
    assert_int_equal(p.tag_max_delay_min, 60);
    assert_string_equal(p.tag_format, "'tag-'yyyyMMdd");
    assert_int_equal(p.tag_max_age_ms, -1);
    assert_false(p.has_history_max_snapshot_age);
}

static void test_props_all(void **state)
{
    (void)state;
    static const floe_kv kv[] = {
        {"gc.enabled", "FALSE"},
        {"table-expire.enabled", "false"},
        {"snapshot.keep.duration", "2h"},
        {"snapshot.keep.min-count", "5"},
        {"clean-orphan-file.enabled", "true"},
        {"clean-orphan-file.min-existing-time-minutes", "60"},
        {"clean-dangling-delete-files.enabled", "false"},
        {"data-expire.enabled", "true"},
        {"data-expire.field", "ts"},
        {"data-expire.level", "FILE"},
        {"data-expire.retention-time", "90d"},
        {"data-expire.datetime-string-pattern", "yyyyMMdd"},
        {"data-expire.datetime-number-format", "timestamp_s"},
        {"data-expire.base-on-rule", "CURRENT_TIME"},
        {"tag.auto-create.enabled", "true"},
        {"tag.auto-create.trigger.period", "hourly"},
        {"tag.auto-create.trigger.offset.minutes", "10"},
        {"tag.auto-create.trigger.max-delay.minutes", "0"},
        {"tag.auto-create.max-age-ms", "86400000"},
        {"history.expire.max-snapshot-age-ms", "432000000"},
        {"history.expire.min-snapshots-to-keep", "3"},
        {"history.expire.max-ref-age-ms", "1000"},
        {"unrelated", "whatever"},
    };
    floe_mnt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_props_parse(kv, FLOE_ARRAY_LEN(kv), &p, &err), &err);
    assert_false(p.gc_enabled);
    assert_false(p.expire_enabled);
    assert_int_equal(p.snapshot_keep_ms, 7200000);
    assert_int_equal(p.snapshot_keep_min_count, 5);
    assert_true(p.orphan_enabled);
    assert_int_equal(p.orphan_min_age_ms, 3600000);
    assert_false(p.dangling_delete_enabled);
    assert_true(p.data_expire_enabled);
    assert_string_equal(p.data_expire_field, "ts");
    assert_int_equal(p.data_expire_level, FLOE_MNT_TTL_FILE);
    assert_int_equal(p.data_expire_retention_ms, INT64_C(90) * 86400000);
    assert_string_equal(p.data_expire_string_pattern, "yyyyMMdd");
    assert_int_equal(p.data_expire_nfmt, FLOE_MNT_TIMESTAMP_S);
    assert_int_equal(p.data_expire_base, FLOE_MNT_BASE_CURRENT_TIME);
    assert_true(p.tag_enabled);
    assert_int_equal(p.tag_period, FLOE_MNT_PERIOD_HOURLY);
    assert_int_equal(p.tag_offset_minutes, 10);
    assert_int_equal(p.tag_max_delay_min, 0);
    assert_string_equal(p.tag_format, "'tag-'yyyyMMddHH"); /* the hourly default */
    assert_int_equal(p.tag_max_age_ms, 86400000);
    assert_true(p.has_history_max_snapshot_age);
    assert_int_equal(p.history_max_snapshot_age_ms, 432000000);
    assert_int_equal(p.history_min_snapshots, 3);
    assert_int_equal(p.history_max_ref_age_ms, 1000);

    /* Expiration options take the more conservative of Amoro's and Iceberg's settings. */
    floe_mnt_expire_opts o;
    floe_mnt_expire_opts_from_props(&p, 1000000000, &o);
    assert_int_equal(o.older_than_ms, 1000000000 - 432000000);
    assert_int_equal(o.retain_last, 5);
    assert_int_equal(o.max_ref_age_ms, 1000);
}

static void test_props_monthly_default_format(void **state)
{
    (void)state;
    static const floe_kv kv[] = {{"tag.auto-create.trigger.period", "Monthly"}};
    floe_mnt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_props_parse(kv, 1, &p, &err), &err);
    assert_string_equal(p.tag_format, "'tag-'yyyyMM");
}

static void test_props_errors(void **state)
{
    (void)state;
    static const struct {
        floe_kv kv[3];
        const char *needle;
    } cases[] = {
        {{{"gc.enabled", "yes"}}, "property gc.enabled: bad value 'yes': expected true or false"},
        {{{"snapshot.keep.duration", "12 parsecs"}},
         "property snapshot.keep.duration: bad duration '12 parsecs': unknown unit 'parsecs'"},
        {{{"snapshot.keep.min-count", "0"}}, "snapshot.keep.min-count: 0 is out of range"},
        {{{"snapshot.keep.min-count", "two"}}, "expected an integer"},
        {{{"clean-orphan-file.min-existing-time-minutes", "-1"}}, "out of range"},
        {{{"data-expire.level", "row"}},
         "data-expire.level: bad value 'row': expected one of partition, file"},
        {{{"data-expire.base-on-rule", "NOW"}}, "LAST_COMMIT_TIME, CURRENT_TIME"},
        {{{"data-expire.enabled", "true"}, {"data-expire.retention-time", "1d"}},
         "data-expire.field is required"},
        {{{"data-expire.enabled", "true"}, {"data-expire.field", "ts"}},
         "data-expire.retention-time must be set"},
        {{{"data-expire.enabled", "true"},
          {"data-expire.field", "ts"},
          {"data-expire.datetime-string-pattern", "yyyy-QQ"}},
         "datetime-string-pattern: pattern letter 'Q'"},
        {{{"tag.auto-create.enabled", "true"}, {"tag.auto-create.tag-format", "'tag-"}},
         "tag.auto-create.tag-format: unterminated quote"},
        {{{"tag.auto-create.trigger.period", "weekly"}}, "daily, hourly, monthly"},
        {{{"history.expire.max-ref-age-ms", "soon"}}, "history.expire.max-ref-age-ms"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        size_t n = 0;
        while (n < 3 && cases[i].kv[n].key != NULL) {
            n++;
        }
        floe_mnt_props p;
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_mnt_props_parse(cases[i].kv, n, &p, &err), FLOE_ERR_INVALID, &err,
                        cases[i].needle);
    }
    /* A bad tag format does not matter while auto tags are off. */
    static const floe_kv off[] = {{"tag.auto-create.tag-format", "'tag-"}};
    floe_mnt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_props_parse(off, 1, &p, &err), &err);
}

FLOE_TEST_GROUP(props)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_valid),
        cmocka_unit_test(test_duration_invalid),
        cmocka_unit_test(test_props_defaults),
        cmocka_unit_test(test_props_all),
        cmocka_unit_test(test_props_monthly_default_format),
        cmocka_unit_test(test_props_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
