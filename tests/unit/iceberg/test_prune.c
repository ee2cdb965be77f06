/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pruning evaluators: partition summaries of manifest lists (ManifestEvaluator), strict metrics
 * (all rows match) and strict identity-partition evaluation.
 */
#include "ice_helpers.h"

static const char *SCHEMA = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                            "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"int\"},"
                            "{\"id\":2,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
                            "{\"id\":3,\"name\":\"d\",\"required\":false,\"type\":\"double\"}]}";

static const floe_partition_spec *identity_spec(floe_arena *a)
{
    json_t *j = ice_test_json(
        "{\"spec-id\":0,\"fields\":["
        "{\"name\":\"id\",\"transform\":\"identity\",\"source-id\":1,\"field-id\":1000},"
        "{\"name\":\"s\",\"transform\":\"identity\",\"source-id\":2,\"field-id\":1001},"
        "{\"name\":\"d\",\"transform\":\"identity\",\"source-id\":3,\"field-id\":1002}]}");
    const floe_partition_spec *s;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &s, &err), &err);
    json_decref(j);
    return s;
}

static floe_str le32(floe_arena *a, int32_t v)
{
    char *p = floe_arena_alloc(a, 4);
    floe_store_u32le(p, (uint32_t)v);
    return (floe_str){p, 4};
}

static void test_manifest_summaries(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    const floe_partition_spec *spec = identity_spec(a);
    /* id in [10, 20] without nulls; s in ["apple", "apricot"] with nulls; d all NaN */
    floe_field_summary sums[3] = {
        {.contains_null = false, .lower_bound = le32(a, 10), .upper_bound = le32(a, 20)},
        {.contains_null = true,
         .has_contains_nan = true,
         .lower_bound = {"apple", 5},
         .upper_bound = {"apricot", 7}},
        {.contains_null = false, .has_contains_nan = true, .contains_nan = true},
    };
    floe_manifest_file m = {.partitions = sums, .n_partitions = 3};
    static const struct {
        const char *filter;
        bool want;
    } cases[] = {
        {"id = 15", true},
        {"id = 9", false},
        {"id = 21", false},
        {"id < 10", false},
        {"id <= 10", true},
        {"id > 20", false},
        {"id >= 20", true},
        {"id IN (1, 2, 30)", false},
        {"id IN (1, 12)", true},
        {"id != 15", true},
        {"id IS NULL", false},
        {"s IS NULL", true},
        {"id IS NOT NULL", true},
        {"s STARTS WITH 'ap'", true},
        {"s STARTS WITH 'b'", false},
        {"s STARTS WITH 'aa'", false},
        {"s NOT STARTS WITH 'ap'", true}, /* conservative when the field has nulls */
        {"d IS NAN", true},
        {"d IS NOT NAN", false},
        {"d > 1.0", false},
        {"id = 9 OR s = 'apricot'", true},
        {"id = 15 AND d = 1.0", false},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_ice_expr *p;
        FLOE_ASSERT_OK(
            floe_ice_expr_project(a, ice_test_bind(a, s, cases[i].filter), spec, s, &p, &err),
            &err);
        bool got = floe_ice_manifest_might_match(p, spec, &m);
        if (got != cases[i].want) {
            print_error("%s: got %d\n", cases[i].filter, got);
            fail();
        }
    }
    /* no summaries: nothing can be pruned */
    floe_manifest_file none = {0};
    const floe_ice_expr *p;
    FLOE_ASSERT_OK(floe_ice_expr_project(a, ice_test_bind(a, s, "id = 9"), spec, s, &p, &err),
                   &err);
    assert_true(floe_ice_manifest_might_match(p, spec, &none));
    /* all-null partition field: comparisons cannot match, IS NULL can */
    floe_field_summary nulls[3] = {{.contains_null = true}, sums[1], sums[2]};
    floe_manifest_file mn = {.partitions = nulls, .n_partitions = 3};
    FLOE_ASSERT_OK(floe_ice_expr_project(a, ice_test_bind(a, s, "id = 9"), spec, s, &p, &err),
                   &err);
    assert_false(floe_ice_manifest_might_match(p, spec, &mn));
    FLOE_ASSERT_OK(floe_ice_expr_project(a, ice_test_bind(a, s, "id IS NULL"), spec, s, &p, &err),
                   &err);
    assert_true(floe_ice_manifest_might_match(p, spec, &mn));
    FLOE_ASSERT_OK(
        floe_ice_expr_project(a, ice_test_bind(a, s, "id IS NOT NULL"), spec, s, &p, &err), &err);
    assert_false(floe_ice_manifest_might_match(p, spec, &mn));
}

static void test_strict_metrics(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    floe_field_count vc[] = {{1, 10}, {2, 10}, {3, 10}};
    floe_field_count nc[] = {{1, 0}, {2, 10}, {3, 0}};
    floe_field_count nan[] = {{3, 0}};
    floe_field_bound lo[] = {{1, le32(a, 5)}};
    floe_field_bound hi[] = {{1, le32(a, 8)}};
    floe_data_file f = {.record_count = 10,
                        .value_counts = vc,
                        .n_value_counts = 3,
                        .null_value_counts = nc,
                        .n_null_value_counts = 3,
                        .nan_value_counts = nan,
                        .n_nan_value_counts = 1,
                        .lower_bounds = lo,
                        .n_lower_bounds = 1,
                        .upper_bounds = hi,
                        .n_upper_bounds = 1};
    static const struct {
        const char *filter;
        bool want;
    } cases[] = {
        {"id < 9", true},
        {"id < 8", false},
        {"id <= 8", true},
        {"id > 4", true},
        {"id > 5", false},
        {"id >= 5", true},
        {"id = 5", false},
        {"id != 9", true},
        {"id != 6", false},
        {"id NOT IN (1, 2, 9)", true},
        {"id NOT IN (1, 6)", false},
        {"id IS NOT NULL", true},
        {"id IS NULL", false},
        {"s IS NULL", true}, /* every value of s is null */
        {"s = 'x'", false},
        {"d IS NOT NAN", true},
        {"d > 0", false}, /* no bounds */
        {"id < 9 AND s IS NULL", true},
        {"id < 2 OR id >= 5", true},
        {"TRUE", true},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        bool got = floe_ice_metrics_must_match(ice_test_bind(a, s, cases[i].filter), &f);
        if (got != cases[i].want) {
            print_error("%s: got %d\n", cases[i].filter, got);
            fail();
        }
    }
    /* unknown null counts: nothing is certain */
    floe_data_file bare = {.record_count = 3};
    assert_false(floe_ice_metrics_must_match(ice_test_bind(a, s, "id IS NOT NULL"), &bare));
    bare.record_count = 0;
    assert_true(floe_ice_metrics_must_match(ice_test_bind(a, s, "id = 1"), &bare));
    /* a single-valued column: equality and IN are certain */
    floe_field_bound same[] = {{1, le32(a, 7)}};
    f.lower_bounds = f.upper_bounds = same;
    assert_true(floe_ice_metrics_must_match(ice_test_bind(a, s, "id = 7"), &f));
    assert_true(floe_ice_metrics_must_match(ice_test_bind(a, s, "id IN (3, 7)"), &f));
}

static void test_identity_partition_must_match(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    const floe_partition_spec *spec = identity_spec(a);
    floe_value items[3] = {floe_value_int(4), floe_value_null(), floe_value_double(1.5)};
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    part.u.nested.items = items;
    part.u.nested.n = 3;
    assert_true(floe_ice_partition_must_match(ice_test_bind(a, s, "id = 4"), spec, &part));
    assert_false(floe_ice_partition_must_match(ice_test_bind(a, s, "id = 5"), spec, &part));
    assert_true(floe_ice_partition_must_match(ice_test_bind(a, s, "s IS NULL"), spec, &part));
    assert_false(floe_ice_partition_must_match(ice_test_bind(a, s, "s = 'x'"), spec, &part));
    assert_true(
        floe_ice_partition_must_match(ice_test_bind(a, s, "id IN (4, 5) AND d > 1"), spec, &part));
    /* a column that is not an identity partition: unknown, so not certain */
    json_t *j = ice_test_json("{\"spec-id\":1,\"fields\":[{\"name\":\"b\",\"transform\":"
                              "\"bucket[4]\",\"source-id\":1,\"field-id\":1000}]}");
    const floe_partition_spec *bucket;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &bucket, &err), &err);
    json_decref(j);
    floe_value b1[1] = {floe_value_int(2)};
    part.u.nested.items = b1;
    part.u.nested.n = 1;
    assert_false(floe_ice_partition_must_match(ice_test_bind(a, s, "id = 4"), bucket, &part));
    assert_true(floe_ice_partition_must_match(floe_ice_expr_true(), bucket, &part));
}

FLOE_TEST_GROUP(prune)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_manifest_summaries, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_strict_metrics, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_identity_partition_must_match, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("prune", tests, NULL, NULL);
}
