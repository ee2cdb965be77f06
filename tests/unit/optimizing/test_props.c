/* SPDX-License-Identifier: Apache-2.0 */
/* Self-optimizing properties: defaults, layering, validation, the filter. */
#include "opt_helpers.h"

static void test_defaults_match_amoro(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_props_parse(t->arena, NULL, 0, NULL, 0, &p, &err), &err);
    assert_true(p.enabled);
    assert_string_equal(p.group, "default");
    assert_true(p.quota == 0.5);
    assert_int_equal(p.execute_num_retries, 5);
    assert_false(p.allow_partial_commit);
    assert_int_equal(p.target_size, 134217728);
    assert_int_equal(p.fragment_ratio, 8);
    assert_true(p.min_target_size_ratio == 0.75);
    assert_int_equal(p.max_task_size_bytes, 134217728);
    assert_int_equal(p.minor_trigger_file_count, 12);
    assert_int_equal(p.minor_trigger_interval_ms, 3600000);
    assert_true(p.major_trigger_duplicate_ratio == 0.1);
    assert_int_equal(p.full_trigger_interval_ms, -1);
    assert_true(p.full_rewrite_all_files);
    assert_int_equal(p.min_plan_interval_ms, 60000);
    assert_null(p.filter);
    assert_null(p.filter_expr);
    assert_false(p.row_group_merge);
    assert_int_equal(floe_opt_props_fragment_size(&p), 16 * MB);
    assert_int_equal(floe_opt_props_min_target_size(&p), 96 * MB);
    assert_int_equal(floe_opt_props_task_size(&p), 128 * MB);
}

static void test_catalog_defaults_under_table_properties(void **state)
{
    floe_test_ctx *t = *state;
    floe_kv cat[] = {{"table.self-optimizing.group", "batch"},
                     {"table.self-optimizing.quota", "0.25"},
                     {"self-optimizing.quota", "0.9"}, /* no table. prefix: not a default */
                     {"warehouse", "s3://w"}};
    floe_kv tab[] = {{"self-optimizing.quota", "2"},
                     {"self-optimizing.target-size", "64MB"},
                     {"write.format.default", "parquet"}};
    floe_opt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_props_parse(t->arena, cat, 4, tab, 3, &p, &err), &err);
    assert_string_equal(p.group, "batch");
    assert_true(p.quota == 2.0);
    assert_int_equal(p.target_size, 64 * MB);
    assert_int_equal(floe_opt_props_fragment_size(&p), 8 * MB);

    FLOE_ASSERT_OK(floe_opt_props_parse(t->arena, cat, 4, NULL, 0, &p, &err), &err);
    assert_true(p.quota == 0.25);
}

static void test_every_key_parses(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_props p = oth_props(
        t->arena, "self-optimizing.enabled=false", "self-optimizing.group=g-1",
        "self-optimizing.quota=3", "self-optimizing.execute.num-retries=0",
        "self-optimizing.allow-partial-commit=TRUE", "self-optimizing.target-size=268435456",
        "self-optimizing.fragment-ratio=4", "self-optimizing.min-target-size-ratio=0.5",
        "self-optimizing.max-task-size-bytes=1GiB", "self-optimizing.max-file-count=100",
        "self-optimizing.minor.trigger.file-count=3", "self-optimizing.minor.trigger.interval=-1",
        "self-optimizing.major.trigger.duplicate-ratio=0",
        "self-optimizing.full.trigger.interval=86400000",
        "self-optimizing.full.rewrite-all-files=false", "self-optimizing.min-plan-interval=0",
        "self-optimizing.evaluation.fallback-interval=1000",
        "self-optimizing.evaluation.file-size.mse-tolerance=12.5",
        "self-optimizing.refresh-table.adaptive.max-interval-ms=5000",
        "self-optimizing.refresh-table.adaptive.increase-step-ms=100",
        "self-optimizing.rewrite.use-parquet-row-group-merge.enabled=true",
        "self-optimizing.rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes=1024",
        "read.split.open-file-cost=0", NULL);
    assert_false(p.enabled);
    assert_string_equal(p.group, "g-1");
    assert_true(p.quota == 3);
    assert_int_equal(p.execute_num_retries, 0);
    assert_true(p.allow_partial_commit);
    assert_int_equal(p.target_size, 256 * MB);
    assert_int_equal(p.fragment_ratio, 4);
    assert_int_equal(floe_opt_props_min_target_size(&p), 128 * MB);
    assert_int_equal(p.max_task_size_bytes, 1024 * MB);
    assert_int_equal(floe_opt_props_task_size(&p), 1024 * MB);
    assert_int_equal(p.max_file_count, 100);
    assert_int_equal(p.minor_trigger_file_count, 3);
    assert_int_equal(p.minor_trigger_interval_ms, -1);
    assert_true(p.major_trigger_duplicate_ratio == 0);
    assert_int_equal(p.full_trigger_interval_ms, 86400000);
    assert_false(p.full_rewrite_all_files);
    assert_int_equal(p.min_plan_interval_ms, 0);
    assert_int_equal(p.evaluation_fallback_interval_ms, 1000);
    assert_true(p.evaluation_mse_tolerance == 12.5);
    assert_int_equal(p.refresh_adaptive_max_interval_ms, 5000);
    assert_int_equal(p.refresh_adaptive_increase_step_ms, 100);
    assert_true(p.row_group_merge);
    assert_int_equal(p.row_group_merge_min_avg_bytes, 1024);
    assert_int_equal(p.open_file_cost, 0);
}

static void test_bad_values_are_refused(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *key, *value, *needle;
    } cases[] = {
        {"self-optimizing.quota", "lots", "self-optimizing.quota: expected a number"},
        {"self-optimizing.quota", "0", "got '0'"},
        {"self-optimizing.quota", "-1", "got '-1'"},
        {"self-optimizing.quota", "nan", "got 'nan'"},
        {"self-optimizing.min-target-size-ratio", "1.5", "min-target-size-ratio"},
        {"self-optimizing.min-target-size-ratio", "0", "min-target-size-ratio"},
        {"self-optimizing.major.trigger.duplicate-ratio", "2", "duplicate-ratio"},
        {"self-optimizing.fragment-ratio", "0", "fragment-ratio: expected an integer in [1,"},
        {"self-optimizing.fragment-ratio", "8.5", "got '8.5'"},
        {"self-optimizing.target-size", "12x", "target-size: expected a byte size"},
        {"self-optimizing.target-size", "", "target-size"},
        {"self-optimizing.execute.num-retries", "-1", "num-retries"},
        {"self-optimizing.minor.trigger.file-count", "0", "file-count"},
        {"self-optimizing.minor.trigger.interval", "-2", "minor.trigger.interval"},
        {"self-optimizing.full.trigger.interval", "1h", "full.trigger.interval"},
        {"self-optimizing.enabled", "yes please", "expected true or false"},
        {"self-optimizing.group", "a b", "group name"},
        {"self-optimizing.group", "", "group name"},
        {"self-optimizing.target-szie", "1", "unknown self-optimizing property"},
        {"self-optimizing.filter", "region = ", "self-optimizing.filter"},
        {"self-optimizing.filter", "((a = 1)", "self-optimizing.filter"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_kv kv = {cases[i].key, cases[i].value};
        floe_opt_props p;
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_opt_props_parse(t->arena, NULL, 0, &kv, 1, &p, &err), FLOE_ERR_INVALID,
                        &err, cases[i].needle);
        assert_non_null(strstr(err.msg, "table property"));
    }
    /* The same key in the catalog defaults says where it came from. */
    floe_kv cat = {"table.self-optimizing.quota", "x"};
    floe_opt_props p;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_opt_props_parse(t->arena, &cat, 1, NULL, 0, &p, &err), FLOE_ERR_INVALID,
                    &err, "catalog property self-optimizing.quota");
    /* A ratio larger than the target size. */
    floe_kv two[] = {{"self-optimizing.target-size", "1024"},
                     {"self-optimizing.fragment-ratio", "2048"}};
    floe_err err2 = {0};
    FLOE_ASSERT_ERR(floe_opt_props_parse(t->arena, NULL, 0, two, 2, &p, &err2), FLOE_ERR_INVALID,
                    &err2, "fragment-ratio 2048 is larger than target-size");
}

static void test_filter_parses_to_expression(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_props p = oth_props(
        t->arena, "self-optimizing.filter=op_time >= '2024-01-01' AND region = 'eu'", NULL);
    assert_non_null(p.filter_expr);
    assert_int_equal(p.filter_expr->op, FLOE_ICE_EXPR_AND);
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_to_string(p.filter_expr, &b, &err), &err);
    assert_non_null(strstr(floe_buf_cstr(&b), "region"));
    floe_buf_fini(&b);
    /* Amoro's older name works too; a blank filter is no filter. */
    p = oth_props(t->arena, "self-optimizing.partition-filter=region IN ('eu', 'us')", NULL);
    assert_int_equal(p.filter_expr->op, FLOE_ICE_EXPR_IN);
    p = oth_props(t->arena, "self-optimizing.filter=  ", NULL);
    assert_null(p.filter_expr);
}

static void test_quota_threads(void **state)
{
    (void)state;
    assert_int_equal(floe_opt_quota_threads(0.5, 4), 2);
    assert_int_equal(floe_opt_quota_threads(0.5, 3), 2); /* ceil */
    assert_int_equal(floe_opt_quota_threads(0.1, 1), 1);
    assert_int_equal(floe_opt_quota_threads(0.5, 0), 1); /* no optimizer yet: still 1 */
    assert_int_equal(floe_opt_quota_threads(3, 100), 3); /* > 1: absolute threads */
    assert_int_equal(floe_opt_quota_threads(1, 8), 8);
}

static void test_names_parse(void **state)
{
    (void)state;
    floe_opt_type ty;
    floe_opt_policy po;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_type_parse("major", &ty, &err), &err);
    assert_int_equal(ty, FLOE_OPT_MAJOR);
    FLOE_ASSERT_ERR(floe_opt_type_parse("huge", &ty, &err), FLOE_ERR_INVALID, &err, "huge");
    floe_err e2 = {0};
    FLOE_ASSERT_OK(floe_opt_policy_parse("Balanced", &po, &e2), &e2);
    assert_int_equal(po, FLOE_OPT_POLICY_BALANCED);
    FLOE_ASSERT_ERR(floe_opt_policy_parse("fifo", &po, &e2), FLOE_ERR_INVALID, &e2,
                    "unknown scheduling policy 'fifo'");
}

FLOE_TEST_GROUP(props)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_match_amoro, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_catalog_defaults_under_table_properties,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_every_key_parses, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_are_refused, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_filter_parses_to_expression, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test(test_quota_threads),
        cmocka_unit_test(test_names_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
