/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requirements and updates: JSON both ways for every type, requirement checks, and applying
 * every update with Java's TableMetadata.Builder semantics, success and failure; creating
 * tables.
 */
#include "ice_helpers.h"

/* ==== Fixtures ==== */

#define UUID1 "9c12d441-03fe-4693-9a96-a0705ddf69c1"
#define SCHEMA0                                                                                    \
    "{\"type\":\"struct\",\"schema-id\":0,\"identifier-field-ids\":[1],\"fields\":["               \
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"                              \
    "{\"id\":2,\"name\":\"data\",\"required\":false,\"type\":\"string\"},"                         \
    "{\"id\":3,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"}]}"

static const char *BASE =
    "{\"format-version\":2,\"table-uuid\":\"" UUID1 "\",\"location\":\"s3://b/t\","
    "\"last-sequence-number\":1,\"last-updated-ms\":1000,\"last-column-id\":3,"
    "\"current-schema-id\":0,\"schemas\":[" SCHEMA0 "],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,"
    "\"fields\":[]}],\"properties\":{\"owner\":\"me\"},\"current-snapshot-id\":1,"
    "\"refs\":{\"main\":{\"snapshot-id\":1,\"type\":\"branch\"}},"
    "\"snapshots\":[{\"sequence-number\":1,\"snapshot-id\":1,\"timestamp-ms\":900,"
    "\"summary\":{\"operation\":\"append\"},\"manifest-list\":\"s3://b/t/metadata/snap-1.avro\","
    "\"schema-id\":0}],"
    "\"statistics\":[{\"snapshot-id\":1,\"statistics-path\":\"s3://s1.puffin\","
    "\"file-size-in-bytes\":10,\"file-footer-size-in-bytes\":5,\"blob-metadata\":[]}],"
    "\"snapshot-log\":[{\"timestamp-ms\":900,\"snapshot-id\":1}],"
    "\"metadata-log\":[{\"timestamp-ms\":500,\"metadata-file\":\"s3://b/t/metadata/00000.json\"}],"
    "\"x-extra\":[1]}";

static floe_table_meta *base_meta(floe_test_ctx *t)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_iceberg_parse_metadata(t->arena, floe_str_c(BASE), &m, &err), &err);
    m->metadata_location = "s3://b/t/metadata/00001.json";
    return m;
}

static floe_ice_update up(floe_test_ctx *t, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_ice_update u;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_update_from_json(t->arena, j, &u, &err), &err);
    json_decref(j);
    return u;
}

static floe_ice_requirement req(floe_test_ctx *t, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_ice_requirement r;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_requirement_from_json(t->arena, j, &r, &err), &err);
    json_decref(j);
    return r;
}

/* Apply JSON updates (a JSON array) at time 5000; the test fails on errors. */
static floe_table_meta *apply(floe_test_ctx *t, const floe_table_meta *base, const char *updates,
                              bool *changed)
{
    json_t *arr = ice_test_json(updates);
    size_t n = json_array_size(arr);
    floe_ice_update *us = floe_arena_calloc(t->arena, n + 1, sizeof(*us));
    floe_err err = {0};
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_update_from_json(t->arena, json_array_get(arr, i), &us[i], &err),
                       &err);
    }
    json_decref(arr);
    floe_ice_apply_opts o = {.now_ms = 5000};
    floe_table_meta *out = NULL;
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, base, us, n, &o, &out, changed, &err), &err);
    return out;
}

/* Apply and expect a failure with `code` and `msg`. */
static void apply_fails(floe_test_ctx *t, const floe_table_meta *base, const char *updates,
                        floe_status code, const char *msg)
{
    json_t *arr = ice_test_json(updates);
    size_t n = json_array_size(arr);
    floe_ice_update *us = floe_arena_calloc(t->arena, n + 1, sizeof(*us));
    floe_err err = {0};
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_update_from_json(t->arena, json_array_get(arr, i), &us[i], &err),
                       &err);
    }
    json_decref(arr);
    floe_ice_apply_opts o = {.now_ms = 5000};
    floe_table_meta *out = NULL;
    FLOE_ASSERT_ERR(floe_ice_updates_apply(t->arena, base, us, n, &o, &out, NULL, &err), code, &err,
                    msg);
}

/* ==== JSON ==== */

static void test_every_update_json_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    static const char *const updates[] = {
        "{\"action\":\"assign-uuid\",\"uuid\":\"" UUID1 "\"}",
        "{\"action\":\"upgrade-format-version\",\"format-version\":3}",
        "{\"action\":\"add-schema\",\"schema\":" SCHEMA0 ",\"last-column-id\":3}",
        "{\"action\":\"set-current-schema\",\"schema-id\":-1}",
        "{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"b\",\"transform\":"
        "\"bucket[8]\",\"source-id\":1}]}}",
        "{\"action\":\"set-default-spec\",\"spec-id\":1}",
        "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":1,\"fields\":[{\"transform\":"
        "\"identity\",\"source-id\":1,\"direction\":\"asc\",\"null-order\":\"nulls-first\"}]}}",
        "{\"action\":\"set-default-sort-order\",\"sort-order-id\":1}",
        "{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,\"snapshot-id\":2,"
        "\"parent-snapshot-id\":1,\"timestamp-ms\":1,\"summary\":{\"operation\":\"append\"},"
        "\"manifest-list\":\"s3://m\",\"schema-id\":0}}",
        "{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":2,\"type\":"
        "\"branch\",\"min-snapshots-to-keep\":2,\"max-snapshot-age-ms\":10,\"max-ref-age-ms\":20}",
        "{\"action\":\"remove-snapshots\",\"snapshot-ids\":[1,2]}",
        "{\"action\":\"remove-snapshot-ref\",\"ref-name\":\"tag1\"}",
        "{\"action\":\"set-location\",\"location\":\"s3://x\"}",
        "{\"action\":\"set-properties\",\"updates\":{\"a\":\"1\",\"b\":\"2\"}}",
        "{\"action\":\"remove-properties\",\"removals\":[\"a\"]}",
        "{\"action\":\"set-statistics\",\"snapshot-id\":1,\"statistics\":{\"snapshot-id\":1,"
        "\"statistics-path\":\"s3://p\",\"file-size-in-bytes\":1,\"file-footer-size-in-bytes\":1,"
        "\"blob-metadata\":[]}}",
        "{\"action\":\"remove-statistics\",\"snapshot-id\":1}",
        "{\"action\":\"set-partition-statistics\",\"partition-statistics\":{\"snapshot-id\":1,"
        "\"statistics-path\":\"s3://q\",\"file-size-in-bytes\":3}}",
        "{\"action\":\"remove-partition-statistics\",\"snapshot-id\":1}",
        "{\"action\":\"remove-partition-specs\",\"spec-ids\":[1,2]}",
        "{\"action\":\"remove-schemas\",\"schema-ids\":[0]}",
        "{\"action\":\"add-encryption-key\",\"encryption-key\":{\"key-id\":\"k\","
        "\"encrypted-key-metadata\":\"AAAA\",\"encrypted-by-id\":\"k0\"}}",
        "{\"action\":\"remove-encryption-key\",\"key-id\":\"k\"}",
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(updates); i++) {
        floe_ice_update u = up(t, updates[i]);
        assert_int_equal(u.kind, (floe_ice_update_kind)i);
        ice_test_json_eq(floe_ice_update_to_json(&u), updates[i]);
    }
    /* Java's first spellings of the property updates are read too */
    floe_ice_update u = up(t, "{\"action\":\"set-properties\",\"updated\":{\"a\":\"1\"}}");
    assert_int_equal(u.n_updates, 1);
    u = up(t, "{\"action\":\"remove-properties\",\"removed\":[\"a\",\"b\"]}");
    assert_int_equal(u.n_removals, 2);
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"action\":\"add-view-version\",\"view-version\":{}}", "unknown update action"},
        {"{\"action\":\"frobnicate\"}", "unknown update action \"frobnicate\""},
        {"{\"uuid\":\"x\"}", "update: action: missing"},
        {"{\"action\":\"set-location\"}", "set-location: location: missing"},
        {"{\"action\":\"set-current-schema\",\"schema-id\":\"1\"}", "expected an integer"},
        {"{\"action\":\"set-snapshot-ref\",\"ref-name\":\"b\",\"snapshot-id\":1,\"type\":\"x\"}",
         "type: expected \"branch\" or \"tag\""},
        {"{\"action\":\"remove-snapshots\",\"snapshot-ids\":[\"1\"]}", "snapshot-ids[0]"},
        {"{\"action\":\"set-properties\",\"updates\":{\"a\":1}}", "value of \"a\""},
        {"[]", "expected an object"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        json_t *j = ice_test_json(bad[i].json);
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_ice_update_from_json(t->arena, j, &u, &err), FLOE_ERR_INVALID, &err,
                        bad[i].msg);
        json_decref(j);
    }
}

static void test_every_requirement_json_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    static const char *const reqs[] = {
        "{\"type\":\"assert-create\"}",
        "{\"type\":\"assert-table-uuid\",\"uuid\":\"" UUID1 "\"}",
        "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":1}",
        "{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":3}",
        "{\"type\":\"assert-current-schema-id\",\"current-schema-id\":0}",
        "{\"type\":\"assert-last-assigned-partition-id\",\"last-assigned-partition-id\":999}",
        "{\"type\":\"assert-default-spec-id\",\"default-spec-id\":0}",
        "{\"type\":\"assert-default-sort-order-id\",\"default-sort-order-id\":0}",
    };
    floe_table_meta *base = base_meta(t);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(reqs); i++) {
        floe_ice_requirement r = req(t, reqs[i]);
        assert_int_equal(r.kind, (floe_ice_req_kind)i);
        ice_test_json_eq(floe_ice_requirement_to_json(&r), reqs[i]);
        floe_err err = {0};
        if (i == 0) {
            FLOE_ASSERT_ERR(floe_ice_requirements_check(base, &r, 1, &err), FLOE_ERR_CONFLICT, &err,
                            "Requirement failed: table already exists");
        } else {
            FLOE_ASSERT_OK(floe_ice_requirements_check(base, &r, 1, &err), &err);
        }
    }
    floe_ice_requirement r =
        req(t, "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"b\",\"snapshot-id\":null}");
    assert_false(r.has_snapshot_id);
    ice_test_json_eq(floe_ice_requirement_to_json(&r),
                     "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"b\",\"snapshot-id\":null}");
    json_t *j = ice_test_json("{\"type\":\"assert-view-uuid\",\"uuid\":\"x\"}");
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_requirement_from_json(t->arena, j, &r, &err), FLOE_ERR_INVALID, &err,
                    "unknown requirement type \"assert-view-uuid\"");
    json_decref(j);
}

static void expect_conflict(floe_test_ctx *t, const floe_table_meta *base, const char *json,
                            const char *msg)
{
    floe_ice_requirement r = req(t, json);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_requirements_check(base, &r, 1, &err), FLOE_ERR_CONFLICT, &err, msg);
}

static void test_requirement_failures(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    expect_conflict(t, base,
                    "{\"type\":\"assert-table-uuid\",\"uuid\":"
                    "\"00000000-0000-0000-0000-000000000000\"}",
                    "Requirement failed: UUID does not match: expected "
                    "00000000-0000-0000-0000-000000000000 != " UUID1);
    expect_conflict(t, base,
                    "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":7}",
                    "Requirement failed: branch main has changed: expected id 7 != 1");
    expect_conflict(t, base,
                    "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":null}",
                    "Requirement failed: branch main was created concurrently");
    expect_conflict(t, base,
                    "{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"dev\",\"snapshot-id\":1}",
                    "Requirement failed: branch or tag dev is missing, expected 1");
    expect_conflict(t, base,
                    "{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":4}",
                    "Requirement failed: last assigned field id changed: expected id 4 != 3");
    expect_conflict(t, base, "{\"type\":\"assert-current-schema-id\",\"current-schema-id\":1}",
                    "Requirement failed: current schema changed: expected id 1 != 0");
    expect_conflict(t, base,
                    "{\"type\":\"assert-last-assigned-partition-id\","
                    "\"last-assigned-partition-id\":1000}",
                    "Requirement failed: last assigned partition id changed: expected id 1000 != "
                    "999");
    expect_conflict(t, base, "{\"type\":\"assert-default-spec-id\",\"default-spec-id\":1}",
                    "Requirement failed: default partition spec changed: expected id 1 != 0");
    expect_conflict(t, base,
                    "{\"type\":\"assert-default-sort-order-id\",\"default-sort-order-id\":1}",
                    "Requirement failed: default sort order changed: expected id 1 != 0");
    /* the uuid compares case-insensitively */
    floe_ice_requirement r = req(t, "{\"type\":\"assert-table-uuid\",\"uuid\":\"9C12D441-03FE-"
                                    "4693-9A96-A0705DDF69C1\"}");
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_requirements_check(base, &r, 1, &err), &err);
    /* against a missing table */
    r = req(t, "{\"type\":\"assert-create\"}");
    FLOE_ASSERT_OK(floe_ice_requirements_check(NULL, &r, 1, &err), &err);
    r = req(t, "{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":0}");
    FLOE_ASSERT_OK(floe_ice_requirements_check(NULL, &r, 1, &err), &err);
    expect_conflict(t, NULL, "{\"type\":\"assert-table-uuid\",\"uuid\":\"" UUID1 "\"}",
                    "Requirement failed: table does not exist");
}

/* ==== Applying ==== */

static void test_schema_updates(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    /* a new schema with one more column: id 1, last-column-id 4, current via -1 */
    floe_table_meta *m = apply(
        t, base,
        "[{\"action\":\"add-schema\",\"schema\":{\"type\":\"struct\",\"schema-id\":7,"
        "\"identifier-field-ids\":[1],\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,"
        "\"type\":\"long\"},{\"id\":2,\"name\":\"data\",\"required\":false,\"type\":\"string\"},"
        "{\"id\":3,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},{\"id\":4,\"name\":"
        "\"n\",\"required\":false,\"type\":\"int\"}]}},"
        "{\"action\":\"set-current-schema\",\"schema-id\":-1}]",
        &changed);
    assert_true(changed);
    assert_int_equal(m->n_schemas, 2);
    assert_int_equal(m->current_schema_id, 1);
    assert_int_equal(m->schemas[1]->schema_id, 1);
    assert_int_equal(m->last_column_id, 4);
    assert_int_equal(m->last_updated_ms, 5000);
    /* the previous file joins the metadata log with the base's timestamp */
    assert_int_equal(m->n_metadata_log, 2);
    assert_string_equal(m->metadata_log[1].file, "s3://b/t/metadata/00001.json");
    assert_int_equal(m->metadata_log[1].timestamp_ms, 1000);
    /* unknown top-level fields are carried */
    assert_int_equal(m->n_extra, 1);
    /* re-adding an identical schema reuses its id and changes nothing */
    floe_table_meta *m2 = apply(t, base,
                                "[{\"action\":\"add-schema\",\"schema\":" SCHEMA0 "},"
                                "{\"action\":\"set-current-schema\",\"schema-id\":0}]",
                                &changed);
    assert_false(changed);
    assert_int_equal(m2->n_schemas, 1);
    assert_int_equal(m2->last_updated_ms, 1000);
    assert_int_equal(m2->n_metadata_log, 1);
    apply_fails(t, base, "[{\"action\":\"set-current-schema\",\"schema-id\":-1}]", FLOE_ERR_INVALID,
                "Cannot set last added schema: no schema has been added");
    apply_fails(t, base, "[{\"action\":\"set-current-schema\",\"schema-id\":5}]", FLOE_ERR_INVALID,
                "Cannot set current schema to unknown schema: 5");
    apply_fails(t, base,
                "[{\"action\":\"add-schema\",\"schema\":{\"type\":\"struct\",\"fields\":[{\"id\":"
                "1,\"name\":\"id\",\"required\":true,\"type\":\"string\"}]}}]",
                FLOE_ERR_INVALID, "cannot change type of column id (id 1) from long to string");
    apply_fails(t, base,
                "[{\"action\":\"add-schema\",\"schema\":{\"type\":\"struct\",\"fields\":[{\"id\":"
                "9,\"name\":\"t\",\"required\":false,\"type\":\"timestamp_ns\"}]}}]",
                FLOE_ERR_INVALID, "timestamp_ns is not supported until v3");
    apply_fails(t, base, "[{\"action\":\"remove-schemas\",\"schema-ids\":[0]}]", FLOE_ERR_INVALID,
                "Cannot remove the current schema");
    /* an old schema can be removed once another is current */
    floe_table_meta *m3 =
        apply(t, m, "[{\"action\":\"remove-schemas\",\"schema-ids\":[0,42]}]", &changed);
    assert_int_equal(m3->n_schemas, 1);
    assert_int_equal(m3->schemas[0]->schema_id, 1);
}

static void test_spec_and_sort_order_updates(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    floe_table_meta *m = apply(
        t, base,
        "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"id_bucket\",\"transform\":"
        "\"bucket[16]\",\"source-id\":1},{\"name\":\"ts_day\",\"transform\":\"day\","
        "\"source-id\":3}]}},"
        "{\"action\":\"set-default-spec\",\"spec-id\":-1},"
        "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":5,\"fields\":[{\"transform\":"
        "\"identity\",\"source-id\":2,\"direction\":\"desc\",\"null-order\":\"nulls-last\"}]}},"
        "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1}]",
        &changed);
    assert_true(changed);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_int_equal(spec->spec_id, 1);
    assert_int_equal(spec->fields[0].field_id, 1000);
    assert_int_equal(spec->fields[1].field_id, 1001);
    assert_int_equal(m->last_partition_id, 1001);
    assert_int_equal(m->default_sort_order_id, 1); /* ids are assigned, not taken */
    /* a later spec reuses the ids of equivalent fields and takes new ones after the last */
    floe_table_meta *m2 = apply(
        t, m,
        "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"ts_day\",\"transform\":"
        "\"day\",\"source-id\":3},{\"name\":\"data\",\"transform\":\"identity\",\"source-id\":2}"
        "]}}]",
        &changed);
    const floe_partition_spec *s2 = floe_table_meta_spec(m2, 2);
    assert_non_null(s2);
    assert_int_equal(s2->fields[0].field_id, 1001);
    assert_int_equal(s2->fields[1].field_id, 1002);
    assert_int_equal(m2->last_partition_id, 1002);
    assert_int_equal(m2->default_spec_id, 1);
    /* adding an equivalent spec again changes nothing */
    apply(t, m,
          "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"id_bucket\",\"transform\":"
          "\"bucket[16]\",\"source-id\":1},{\"name\":\"ts_day\",\"transform\":\"day\","
          "\"source-id\":3}]}},{\"action\":\"set-default-spec\",\"spec-id\":1}]",
          &changed);
    assert_false(changed);
    apply_fails(t, m,
                "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"x\",\"transform\":"
                "\"identity\",\"source-id\":2,\"field-id\":1000}]}}]",
                FLOE_ERR_INVALID, "field id 1000 is already used by partition field id_bucket");
    apply_fails(t, base,
                "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"x\",\"transform\":"
                "\"hour\",\"source-id\":1}]}}]",
                FLOE_ERR_INVALID, "cannot apply hour to a long column");
    apply_fails(t, base, "[{\"action\":\"set-default-spec\",\"spec-id\":-1}]", FLOE_ERR_INVALID,
                "no spec has been added");
    apply_fails(t, base, "[{\"action\":\"set-default-spec\",\"spec-id\":3}]", FLOE_ERR_INVALID,
                "unknown spec: 3");
    apply_fails(t, m, "[{\"action\":\"remove-partition-specs\",\"spec-ids\":[1]}]",
                FLOE_ERR_INVALID, "Cannot remove the default partition spec");
    floe_table_meta *m3 =
        apply(t, m, "[{\"action\":\"remove-partition-specs\",\"spec-ids\":[0]}]", &changed);
    assert_int_equal(m3->n_specs, 1);
    apply_fails(t, base,
                "[{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":1,\"fields\":[{"
                "\"transform\":\"identity\",\"source-id\":9,\"direction\":\"asc\","
                "\"null-order\":\"nulls-first\"}]}}]",
                FLOE_ERR_INVALID, "sort field 0: cannot find source column 9");
    apply_fails(t, base, "[{\"action\":\"set-default-sort-order\",\"sort-order-id\":4}]",
                FLOE_ERR_INVALID, "unknown sort order: 4");
    /* v1 partition field ids are sequential */
    floe_table_meta *v1 = apply(t, NULL,
                                "[{\"action\":\"upgrade-format-version\",\"format-version\":1},"
                                "{\"action\":\"add-schema\",\"schema\":" SCHEMA0 "},"
                                "{\"action\":\"set-current-schema\",\"schema-id\":-1},"
                                "{\"action\":\"add-spec\",\"spec\":{\"fields\":[]}},"
                                "{\"action\":\"set-default-spec\",\"spec-id\":-1},"
                                "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,"
                                "\"fields\":[]}},"
                                "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1},"
                                "{\"action\":\"set-location\",\"location\":\"/t\"}]",
                                &changed);
    assert_int_equal(v1->format_version, 1);
    apply_fails(t, v1,
                "[{\"action\":\"add-spec\",\"spec\":{\"fields\":[{\"name\":\"x\",\"transform\":"
                "\"identity\",\"source-id\":2,\"field-id\":1005}]}}]",
                FLOE_ERR_INVALID, "sequential IDs that are required in v1");
}

static const char *SNAP2 =
    "{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,\"snapshot-id\":2,"
    "\"parent-snapshot-id\":1,\"timestamp-ms\":4000,\"summary\":{\"operation\":\"append\"},"
    "\"manifest-list\":\"s3://b/t/metadata/snap-2.avro\",\"schema-id\":0}}";
static const char *SNAP3 =
    "{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":3,\"snapshot-id\":3,"
    "\"parent-snapshot-id\":2,\"timestamp-ms\":4500,\"summary\":{\"operation\":\"append\"},"
    "\"manifest-list\":\"s3://b/t/metadata/snap-3.avro\",\"schema-id\":0}}";

static void test_snapshot_updates(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "[%s,{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":2,"
             "\"type\":\"branch\"}]",
             SNAP2);
    floe_table_meta *m = apply(t, base, buf, &changed);
    assert_int_equal(m->current_snapshot_id, 2);
    assert_int_equal(m->last_sequence_number, 2);
    assert_int_equal(floe_table_meta_ref(m, "main")->snapshot_id, 2);
    assert_int_equal(m->n_snapshot_log, 2);
    assert_int_equal(m->snapshot_log[1].snapshot_id, 2);
    assert_int_equal(m->snapshot_log[1].timestamp_ms, 4000); /* the snapshot's own time */
    /* rolling main back to an existing snapshot is logged at the commit time */
    floe_table_meta *rb = apply(t, m,
                                "[{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\","
                                "\"snapshot-id\":1,\"type\":\"branch\"}]",
                                &changed);
    assert_int_equal(rb->current_snapshot_id, 1);
    assert_int_equal(rb->snapshot_log[rb->n_snapshot_log - 1].timestamp_ms, 5000);
    /* two snapshots in one commit: the intermediate one leaves the log */
    snprintf(buf, sizeof(buf),
             "[%s,{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":2,"
             "\"type\":\"branch\"},%s,{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\","
             "\"snapshot-id\":3,\"type\":\"branch\"}]",
             SNAP2, SNAP3);
    floe_table_meta *m3 = apply(t, base, buf, &changed);
    assert_int_equal(m3->current_snapshot_id, 3);
    assert_int_equal(m3->n_snapshot_log, 2);
    assert_int_equal(m3->snapshot_log[1].snapshot_id, 3);
    /* a stale sequence number is a retryable conflict */
    apply_fails(t, m,
                "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,"
                "\"snapshot-id\":9,\"parent-snapshot-id\":2,\"timestamp-ms\":1,\"summary\":{"
                "\"operation\":\"append\"},\"manifest-list\":\"s3://m\"}}]",
                FLOE_ERR_CONFLICT,
                "Cannot add snapshot with sequence number 2 older than last sequence number 2");
    apply_fails(t, base,
                "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,"
                "\"snapshot-id\":1,\"timestamp-ms\":1,\"manifest-list\":\"s3://m\"}}]",
                FLOE_ERR_INVALID, "Snapshot already exists for id: 1");
    apply_fails(t, base,
                "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,"
                "\"snapshot-id\":8,\"timestamp-ms\":1,\"manifests\":[\"s3://m\"]}}]",
                FLOE_ERR_INVALID, "has no manifest-list");
    apply_fails(t, base,
                "[{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":44,"
                "\"type\":\"branch\"}]",
                FLOE_ERR_INVALID, "Cannot set main to unknown snapshot: 44");
    apply_fails(t, base,
                "[{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":1,"
                "\"type\":\"tag\"}]",
                FLOE_ERR_INVALID, "Cannot set main to a tag");
    /* setting a ref to what it already is changes nothing */
    apply(t, base,
          "[{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"snapshot-id\":1,\"type\":"
          "\"branch\"}]",
          &changed);
    assert_false(changed);
    /* a tag, then removing it */
    floe_table_meta *tg = apply(t, m,
                                "[{\"action\":\"set-snapshot-ref\",\"ref-name\":\"v1\","
                                "\"snapshot-id\":1,\"type\":\"tag\",\"max-ref-age-ms\":99}]",
                                &changed);
    assert_int_equal(floe_table_meta_ref(tg, "v1")->type, FLOE_REF_TAG);
    assert_int_equal(tg->current_snapshot_id, 2);
    floe_table_meta *untag =
        apply(t, tg, "[{\"action\":\"remove-snapshot-ref\",\"ref-name\":\"v1\"}]", &changed);
    assert_null(floe_table_meta_ref(untag, "v1"));
    assert_true(changed);
    /* removing snapshot 1: its tag, statistics and earlier log history go */
    floe_table_meta *rm =
        apply(t, tg, "[{\"action\":\"remove-snapshots\",\"snapshot-ids\":[1]}]", &changed);
    assert_int_equal(rm->n_snapshots, 1);
    assert_null(floe_table_meta_ref(rm, "v1"));
    assert_int_equal(rm->n_statistics, 0);
    assert_int_equal(rm->n_snapshot_log, 1);
    assert_int_equal(rm->snapshot_log[0].snapshot_id, 2);
    assert_int_equal(rm->current_snapshot_id, 2);
    /* removing main's ref clears the current snapshot */
    floe_table_meta *nomain =
        apply(t, m, "[{\"action\":\"remove-snapshot-ref\",\"ref-name\":\"main\"}]", &changed);
    assert_int_equal(nomain->current_snapshot_id, -1);
    assert_null(floe_table_meta_ref(nomain, "main"));
    /* a table written without a snapshot log can still expire snapshots */
    json_t *nolog = floe_table_meta_to_json(m);
    json_object_set_new(nolog, "snapshot-log", json_array());
    floe_table_meta *m_nolog;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, nolog, &m_nolog, &err), &err);
    json_decref(nolog);
    floe_table_meta *expired =
        apply(t, m_nolog, "[{\"action\":\"remove-snapshots\",\"snapshot-ids\":[1]}]", &changed);
    assert_int_equal(expired->n_snapshots, 1);
    assert_int_equal(expired->current_snapshot_id, 2);
    /* removing the current snapshot drops main too */
    floe_table_meta *gone =
        apply(t, m, "[{\"action\":\"remove-snapshots\",\"snapshot-ids\":[2]}]", &changed);
    assert_int_equal(gone->current_snapshot_id, -1);
    assert_int_equal(gone->n_refs, 0);
}

static void test_v3_row_lineage(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    floe_table_meta *v3 =
        apply(t, base, "[{\"action\":\"upgrade-format-version\",\"format-version\":3}]", &changed);
    assert_int_equal(v3->format_version, 3);
    assert_int_equal(v3->next_row_id, 0);
    apply_fails(t, v3, "[{\"action\":\"upgrade-format-version\",\"format-version\":2}]",
                FLOE_ERR_INVALID, "Cannot downgrade v3 table to v2");
    apply_fails(t, v3, "[{\"action\":\"upgrade-format-version\",\"format-version\":4}]",
                FLOE_ERR_INVALID, "unsupported format version: v4");
    apply_fails(
        t, v3,
        "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,\"snapshot-id\":2,"
        "\"parent-snapshot-id\":1,\"timestamp-ms\":1,\"manifest-list\":\"s3://m\"}}]",
        FLOE_ERR_INVALID, "first-row-id is null");
    floe_table_meta *m =
        apply(t, v3,
              "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":2,\"snapshot-id\":2,"
              "\"parent-snapshot-id\":1,\"timestamp-ms\":1,\"manifest-list\":\"s3://m\","
              "\"first-row-id\":0,\"added-rows\":30}}]",
              &changed);
    assert_int_equal(m->next_row_id, 30);
    apply_fails(t, m,
                "[{\"action\":\"add-snapshot\",\"snapshot\":{\"sequence-number\":3,\"snapshot-id\":"
                "3,\"parent-snapshot-id\":2,\"timestamp-ms\":1,\"manifest-list\":\"s3://m\","
                "\"first-row-id\":10,\"added-rows\":5}}]",
                FLOE_ERR_CONFLICT, "first-row-id is behind table next-row-id: 10 < 30");
}

static void test_properties_location_statistics_keys(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    floe_table_meta *m = apply(
        t, base,
        "[{\"action\":\"set-properties\",\"updates\":{\"owner\":\"you\",\"k\":\"v\"}},"
        "{\"action\":\"remove-properties\",\"removals\":[\"k\",\"absent\"]},"
        "{\"action\":\"set-location\",\"location\":\"s3://b/t2\"},"
        "{\"action\":\"set-statistics\",\"statistics\":{\"snapshot-id\":1,\"statistics-path\":"
        "\"s3://s2.puffin\",\"file-size-in-bytes\":20,\"file-footer-size-in-bytes\":6,"
        "\"blob-metadata\":[]}},"
        "{\"action\":\"set-partition-statistics\",\"partition-statistics\":{\"snapshot-id\":1,"
        "\"statistics-path\":\"s3://p.parquet\",\"file-size-in-bytes\":3}},"
        "{\"action\":\"add-encryption-key\",\"encryption-key\":{\"key-id\":\"k1\","
        "\"encrypted-key-metadata\":\"AAAA\"}},"
        "{\"action\":\"add-encryption-key\",\"encryption-key\":{\"key-id\":\"k1\","
        "\"encrypted-key-metadata\":\"BBBB\"}}]",
        &changed);
    assert_string_equal(floe_table_meta_property(m, "owner"), "you");
    assert_null(floe_table_meta_property(m, "k"));
    assert_string_equal(m->location, "s3://b/t2");
    assert_int_equal(m->n_statistics, 1); /* replaced, not added */
    assert_non_null(strstr(m->statistics[0].json, "s2.puffin"));
    assert_int_equal(m->n_partition_statistics, 1);
    assert_int_equal(m->n_encryption_keys, 1);
    assert_string_equal(m->encryption_keys[0].encrypted_key_metadata, "AAAA");
    floe_table_meta *m2 = apply(t, m,
                                "[{\"action\":\"remove-statistics\",\"snapshot-id\":1},"
                                "{\"action\":\"remove-partition-statistics\",\"snapshot-id\":1},"
                                "{\"action\":\"remove-encryption-key\",\"key-id\":\"k1\"}]",
                                &changed);
    assert_int_equal(m2->n_statistics, 0);
    assert_int_equal(m2->n_partition_statistics, 0);
    assert_int_equal(m2->n_encryption_keys, 0);
    /* removals of things that are not there change nothing */
    apply(t, m2,
          "[{\"action\":\"remove-statistics\",\"snapshot-id\":1},"
          "{\"action\":\"remove-encryption-key\",\"key-id\":\"zz\"},"
          "{\"action\":\"set-location\",\"location\":\"s3://b/t2\"},"
          "{\"action\":\"remove-snapshot-ref\",\"ref-name\":\"nope\"}]",
          &changed);
    assert_false(changed);
    apply_fails(t, base,
                "[{\"action\":\"assign-uuid\",\"uuid\":\"00000000-0000-0000-0000-000000000001\"}]",
                FLOE_ERR_INVALID, "cannot reassign the uuid of an existing table");
    apply(t, base, "[{\"action\":\"assign-uuid\",\"uuid\":\"" UUID1 "\"}]", &changed);
    assert_false(changed);
}

static void test_metadata_log_is_trimmed(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *base = base_meta(t);
    bool changed;
    floe_table_meta *m = apply(
        t, base,
        "[{\"action\":\"set-properties\",\"updates\":{\"write.metadata.previous-versions-max\":"
        "\"1\"}}]",
        &changed);
    /* the property applies to this very commit: one entry, the previous file */
    assert_int_equal(m->n_metadata_log, 1);
    assert_string_equal(m->metadata_log[0].file, "s3://b/t/metadata/00001.json");
    /* an explicit base location wins over the one the metadata was read from */
    floe_ice_update u = up(t, "{\"action\":\"set-location\",\"location\":\"s3://elsewhere\"}");
    floe_ice_apply_opts o = {.now_ms = 7000, .base_location = "s3://b/t/metadata/00009.json"};
    floe_table_meta *out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, m, &u, 1, &o, &out, &changed, &err), &err);
    assert_int_equal(out->n_metadata_log, 1);
    assert_string_equal(out->metadata_log[0].file, "s3://b/t/metadata/00009.json");
    assert_int_equal(out->metadata_log[0].timestamp_ms, 5000);
    /* the result does not depend on the base: it lives in its own arena */
    floe_arena *other = floe_arena_new(FLOE_ARENA_UNLIMITED);
    FLOE_ASSERT_OK(floe_ice_updates_apply(other, m, &u, 1, &o, &out, &changed, &err), &err);
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_table_meta_write_json(out, true, &b, &err), &err);
    assert_non_null(strstr(floe_buf_cstr(&b), "s3://elsewhere"));
    floe_buf_fini(&b);
    floe_arena_free(other);
}

static void test_create_from_updates_and_from_request(void **state)
{
    floe_test_ctx *t = *state;
    bool changed;
    floe_table_meta *m = apply(t, NULL,
                               "[{\"action\":\"assign-uuid\",\"uuid\":\"" UUID1 "\"},"
                               "{\"action\":\"upgrade-format-version\",\"format-version\":2},"
                               "{\"action\":\"add-schema\",\"schema\":" SCHEMA0 "},"
                               "{\"action\":\"set-current-schema\",\"schema-id\":-1},"
                               "{\"action\":\"add-spec\",\"spec\":{\"spec-id\":0,\"fields\":[]}},"
                               "{\"action\":\"set-default-spec\",\"spec-id\":-1},"
                               "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,"
                               "\"fields\":[]}},"
                               "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1},"
                               "{\"action\":\"set-location\",\"location\":\"s3://b/new\"},"
                               "{\"action\":\"set-properties\",\"updates\":{\"a\":\"b\"}}]",
                               &changed);
    assert_true(changed);
    assert_string_equal(m->table_uuid, UUID1);
    assert_int_equal(m->format_version, 2);
    assert_int_equal(m->last_column_id, 3);
    assert_int_equal(m->current_snapshot_id, -1);
    assert_int_equal(m->n_metadata_log, 0);
    apply_fails(t, NULL,
                "[{\"action\":\"add-schema\",\"schema\":" SCHEMA0 "},"
                "{\"action\":\"set-current-schema\",\"schema-id\":-1},"
                "{\"action\":\"add-spec\",\"spec\":{\"fields\":[]}},"
                "{\"action\":\"set-default-spec\",\"spec-id\":-1},"
                "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,\"fields\":[]}},"
                "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1}]",
                FLOE_ERR_INVALID, "the table has no location");
    apply_fails(t, NULL, "[{\"action\":\"set-location\",\"location\":\"s3://x\"}]",
                FLOE_ERR_INVALID, "the table has no current schema");

    /* A CreateTableRequest with ids 10, 20, 30: fresh ids 1, 2, 3 and everything re-bound. */
    json_t *j = ice_test_json(
        "{\"name\":\"events\",\"location\":\"s3://w/db/events/\",\"schema\":{\"type\":\"struct\","
        "\"fields\":[{\"id\":10,\"name\":\"id\",\"required\":true,\"type\":\"long\"},{\"id\":20,"
        "\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},{\"id\":30,\"name\":\"p\","
        "\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":[{\"id\":31,\"name\":\"q\","
        "\"required\":false,\"type\":\"string\"}]}}],\"identifier-field-ids\":[10]},"
        "\"partition-spec\":{\"fields\":[{\"name\":\"ts_day\",\"transform\":\"day\","
        "\"source-id\":20,\"field-id\":5000},{\"name\":\"q_trunc\",\"transform\":\"truncate[2]\","
        "\"source-id\":31}]},"
        "\"write-order\":{\"fields\":[{\"transform\":\"identity\",\"source-id\":10,\"direction\":"
        "\"asc\",\"null-order\":\"nulls-first\"}]},"
        "\"stage-create\":true,\"properties\":{\"format-version\":\"1\",\"owner\":\"x\"}}");
    floe_ice_create_opts o;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_create_request_from_json(t->arena, j, &o, &err), &err);
    json_decref(j);
    assert_string_equal(o.name, "events");
    assert_true(o.stage_create);
    o.now_ms = 42;
    o.table_uuid = UUID1;
    FLOE_ASSERT_OK(floe_ice_table_create(t->arena, &o, &m, &err), &err);
    assert_int_equal(m->format_version, 1);
    assert_null(floe_table_meta_property(m, "format-version"));
    assert_string_equal(floe_table_meta_property(m, "owner"), "x");
    assert_string_equal(m->location, "s3://w/db/events");
    assert_int_equal(m->last_column_id, 4);
    assert_int_equal(m->last_updated_ms, 42);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    assert_int_equal(s->schema_id, 0);
    assert_int_equal(floe_ice_schema_find_name(s, "ts")->id, 2);
    assert_int_equal(floe_ice_schema_find_name(s, "p.q")->id, 4);
    assert_int_equal(s->identifier_ids[0], 1);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_int_equal(spec->spec_id, 0);
    assert_int_equal(spec->fields[0].source_id, 2);
    assert_int_equal(spec->fields[0].field_id, 1000);
    assert_int_equal(spec->fields[1].source_id, 4);
    assert_int_equal(spec->fields[1].field_id, 1001);
    assert_int_equal(m->last_partition_id, 1001);
    const floe_sort_order *so = floe_table_meta_default_sort_order(m);
    assert_int_equal(so->order_id, 1);
    assert_int_equal(so->fields[0].source_id, 1);
    /* the result is valid metadata: it round-trips */
    json_t *out = floe_table_meta_to_json(m);
    floe_table_meta *back;
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, out, &back, &err), &err);
    json_decref(out);
    /* an unsorted, unpartitioned v2 table by default */
    floe_ice_create_opts plain = {.location = "/tmp/t", .schema = s, .now_ms = 1};
    FLOE_ASSERT_OK(floe_ice_table_create(t->arena, &plain, &m, &err), &err);
    assert_int_equal(m->format_version, 2);
    assert_int_equal(m->last_partition_id, 999);
    assert_int_equal(m->default_sort_order_id, 0);
    assert_int_equal(strlen(m->table_uuid), 36);
    floe_kv bad = {"format-version", "7"};
    plain.properties = &bad;
    plain.n_properties = 1;
    FLOE_ASSERT_ERR(floe_ice_table_create(t->arena, &plain, &m, &err), FLOE_ERR_INVALID, &err,
                    "unsupported format-version \"7\"");
}

static void test_commit_request_json(void **state)
{
    floe_test_ctx *t = *state;
    static const char *body =
        "{\"identifier\":{\"namespace\":[\"db\",\"sub\"],\"name\":\"t\"},\"requirements\":["
        "{\"type\":\"assert-table-uuid\",\"uuid\":\"" UUID1 "\"},{\"type\":"
        "\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":1}],\"updates\":["
        "{\"action\":\"set-properties\",\"updates\":{\"a\":\"b\"}}]}";
    json_t *j = ice_test_json(body);
    floe_ice_commit_request r;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_commit_request_from_json(t->arena, j, &r, &err), &err);
    json_decref(j);
    assert_int_equal(r.n_ns, 2);
    assert_string_equal(r.name, "t");
    assert_int_equal(r.n_reqs, 2);
    assert_int_equal(r.n_updates, 1);
    ice_test_json_eq(floe_ice_commit_request_to_json(&r), body);
    floe_table_meta *base = base_meta(t);
    FLOE_ASSERT_OK(floe_ice_requirements_check(base, r.reqs, r.n_reqs, &err), &err);
    j = ice_test_json("{\"requirements\":[],\"updates\":[{\"action\":\"nope\"}]}");
    FLOE_ASSERT_ERR(floe_ice_commit_request_from_json(t->arena, j, &r, &err), FLOE_ERR_INVALID,
                    &err, "updates[0]: unknown update action \"nope\"");
    json_decref(j);
}

static void test_expiring_thousands_of_snapshots(void **state)
{
    floe_test_ctx *t = *state;
    enum { N = 3000 };
    json_t *j = ice_test_json(BASE);
    json_t *snaps = json_array(), *log = json_array(), *ids = json_array();
    for (int i = 1; i <= N; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "sequence-number", json_integer(i));
        json_object_set_new(s, "snapshot-id", json_integer(i));
        if (i > 1) {
            json_object_set_new(s, "parent-snapshot-id", json_integer(i - 1));
        }
        json_object_set_new(s, "timestamp-ms", json_integer(1000 + i));
        json_object_set_new(s, "manifest-list", json_string("s3://m"));
        json_array_append_new(snaps, s);
        json_t *e = json_object();
        json_object_set_new(e, "timestamp-ms", json_integer(1000 + i));
        json_object_set_new(e, "snapshot-id", json_integer(i));
        json_array_append_new(log, e);
        if (i < N) {
            json_array_append_new(ids, json_integer(i));
        }
    }
    json_object_set_new(j, "snapshots", snaps);
    json_object_set_new(j, "snapshot-log", log);
    json_object_set_new(j, "last-sequence-number", json_integer(N));
    json_object_set_new(j, "current-snapshot-id", json_integer(N));
    json_object_set_new(j, "refs",
                        ice_test_json("{\"main\":{\"snapshot-id\":3000,\"type\":"
                                      "\"branch\"}}"));
    json_object_set_new(j, "statistics", json_array());
    floe_table_meta *m;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, j, &m, &err), &err);
    json_decref(j);
    assert_int_equal(m->n_snapshots, N);
    json_t *u = json_object();
    json_object_set_new(u, "action", json_string("remove-snapshots"));
    json_object_set_new(u, "snapshot-ids", ids);
    floe_ice_update up1;
    FLOE_ASSERT_OK(floe_ice_update_from_json(t->arena, u, &up1, &err), &err);
    json_decref(u);
    floe_ice_apply_opts o = {.now_ms = 999999};
    floe_table_meta *out;
    bool changed;
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, m, &up1, 1, &o, &out, &changed, &err), &err);
    assert_int_equal(out->n_snapshots, 1);
    assert_int_equal(out->snapshots[0].snapshot_id, N);
    assert_int_equal(out->n_snapshot_log, 1);
    assert_int_equal(out->current_snapshot_id, N);
}

FLOE_TEST_GROUP(updates)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_update_json_round_trips, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_every_requirement_json_round_trips, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_requirement_failures, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_schema_updates, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spec_and_sort_order_updates, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_updates, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v3_row_lineage, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_properties_location_statistics_keys, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_metadata_log_is_trimmed, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_create_from_updates_and_from_request, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_commit_request_json, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expiring_thousands_of_snapshots, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
