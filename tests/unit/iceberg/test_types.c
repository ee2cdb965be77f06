/* SPDX-License-Identifier: Apache-2.0 */
/* Types and schemas: type strings, JSON forms, lookups, validation, fresh ids, format and
 * evolution checks; partition specs and sort orders JSON. */
#include "ice_helpers.h"

static const char *type_str(floe_arena *a, const floe_ice_type *t)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_type_format(t, &b, &err), &err);
    const char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static void test_every_primitive_type_string(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        const char *in, *out;
        floe_ice_type_id id;
    } cases[] = {
        {"boolean", "boolean", FLOE_ICE_BOOLEAN},
        {"int", "int", FLOE_ICE_INT},
        {"long", "long", FLOE_ICE_LONG},
        {"float", "float", FLOE_ICE_FLOAT},
        {"double", "double", FLOE_ICE_DOUBLE},
        {"date", "date", FLOE_ICE_DATE},
        {"time", "time", FLOE_ICE_TIME},
        {"timestamp", "timestamp", FLOE_ICE_TIMESTAMP},
        {"timestamptz", "timestamptz", FLOE_ICE_TIMESTAMPTZ},
        {"timestamp_ns", "timestamp_ns", FLOE_ICE_TIMESTAMP_NS},
        {"timestamptz_ns", "timestamptz_ns", FLOE_ICE_TIMESTAMPTZ_NS},
        {"string", "string", FLOE_ICE_STRING},
        {"uuid", "uuid", FLOE_ICE_UUID},
        {"binary", "binary", FLOE_ICE_BINARY},
        {"unknown", "unknown", FLOE_ICE_UNKNOWN},
        {"variant", "variant", FLOE_ICE_VARIANT},
        {"fixed[16]", "fixed[16]", FLOE_ICE_FIXED},
        {" fixed[ 3 ] ", "fixed[3]", FLOE_ICE_FIXED},
        {"decimal(9,2)", "decimal(9, 2)", FLOE_ICE_DECIMAL},
        {"decimal(9, 2)", "decimal(9, 2)", FLOE_ICE_DECIMAL},
        {"decimal( 38 ,0 )", "decimal(38, 0)", FLOE_ICE_DECIMAL},
        {"geometry", "geometry", FLOE_ICE_GEOMETRY},
        {"geometry(srid:4326)", "geometry(srid:4326)", FLOE_ICE_GEOMETRY},
        {"geography(OGC:CRS84)", "geography(OGC:CRS84)", FLOE_ICE_GEOGRAPHY},
        {"geography(srid:4326, spherical)", "geography(srid:4326, spherical)", FLOE_ICE_GEOGRAPHY},
        {"geography(srid:4326,vincenty)", "geography(srid:4326, vincenty)", FLOE_ICE_GEOGRAPHY},
        {"LONG", "long", FLOE_ICE_LONG},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_ice_type *ty;
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_ice_type_parse(t->arena, cases[i].in, &ty, &err), &err);
        assert_int_equal(ty->id, cases[i].id);
        assert_string_equal(type_str(t->arena, ty), cases[i].out);
    }
    static const char *const bad[] = {
        "decimal(39,2)",      "decimal(0,0)", "decimal(9)", "decimal(a,b)",
        "fixed[0]",           "fixed[]",      "fixed[-1]",  "integer",
        "geography(x, flat)", "geometry()",   "",           "struct"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        const floe_ice_type *ty;
        floe_err err = {0};
        FLOE_ASSERT_ERR(floe_ice_type_parse(t->arena, bad[i], &ty, &err), FLOE_ERR_INVALID, &err,
                        "invalid type");
    }
}

static const char *NESTED =
    "{\"type\":\"struct\",\"schema-id\":3,\"identifier-field-ids\":[1,5],\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\",\"doc\":\"the key\"},"
    "{\"id\":2,\"name\":\"tags\",\"required\":false,\"type\":{\"type\":\"list\","
    "\"element-id\":6,\"element\":{\"type\":\"struct\",\"fields\":[{\"id\":7,\"name\":\"k\","
    "\"required\":true,\"type\":\"string\"}]},\"element-required\":true}},"
    "{\"id\":3,\"name\":\"props\",\"required\":false,\"type\":{\"type\":\"map\",\"key-id\":8,"
    "\"key\":\"string\",\"value-id\":9,\"value\":{\"type\":\"struct\",\"fields\":[{\"id\":10,"
    "\"name\":\"v\",\"required\":false,\"type\":\"decimal(10, 2)\"}]},\"value-required\":false}},"
    "{\"id\":4,\"name\":\"loc\",\"required\":true,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":5,\"name\":\"zip\",\"required\":true,\"type\":\"string\"},"
    "{\"id\":11,\"name\":\"lat\",\"required\":false,\"type\":\"double\",\"initial-default\":1.5,"
    "\"write-default\":2.5}]}}]}";

static void test_schema_json_round_trip_and_lookups(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *s = ice_test_schema(t->arena, NESTED);
    assert_int_equal(s->schema_id, 3);
    assert_int_equal(s->n_identifier_ids, 2);
    assert_int_equal(floe_ice_schema_field_count(s), 11);
    assert_int_equal(floe_ice_schema_highest_id(s), 11);
    ice_test_json_eq(floe_ice_schema_to_json(s), NESTED);
    /* by id and by name, canonical and short forms */
    assert_string_equal(floe_ice_schema_find_id(s, 1)->doc, "the key");
    assert_string_equal(floe_ice_schema_id_name(s, 7), "tags.element.k");
    assert_int_equal(floe_ice_schema_find_name(s, "tags.element.k")->id, 7);
    assert_int_equal(floe_ice_schema_find_name(s, "tags.k")->id, 7);
    assert_int_equal(floe_ice_schema_find_name(s, "tags.element")->id, 6);
    assert_int_equal(floe_ice_schema_find_name(s, "props.key")->id, 8);
    assert_int_equal(floe_ice_schema_find_name(s, "props.value.v")->id, 10);
    assert_int_equal(floe_ice_schema_find_name(s, "props.v")->id, 10);
    assert_int_equal(floe_ice_schema_find_name(s, "loc.zip")->id, 5);
    assert_null(floe_ice_schema_find_name(s, "LOC.zip")); /* case-sensitive */
    assert_null(floe_ice_schema_find_name(s, "loc.nope"));
    assert_null(floe_ice_schema_find_id(s, 99));
    assert_int_equal(floe_ice_schema_parent_id(s, 5), 4);
    assert_int_equal(floe_ice_schema_parent_id(s, 1), 0);
    assert_int_equal(floe_ice_schema_parent_id(s, 99), -1);
    assert_true(floe_ice_schema_in_repeated(s, 7));
    assert_false(floe_ice_schema_in_repeated(s, 5));
    const floe_ice_field *lat = floe_ice_schema_find_id(s, 11);
    assert_string_equal(lat->initial_default, "1.5");
    assert_string_equal(lat->write_default, "2.5");
    /* a copy parsed again is the same schema */
    const floe_ice_schema *s2 = ice_test_schema(t->arena, NESTED);
    assert_true(floe_ice_schema_same(s, s2));
    assert_true(floe_ice_type_equal(s->root, s2->root));
}

static void expect_schema_error(floe_test_ctx *t, const char *json, const char *msg)
{
    json_t *j = ice_test_json(json);
    floe_err err = {0};
    const floe_ice_schema *s;
    FLOE_ASSERT_ERR(floe_ice_schema_from_json(t->arena, j, &s, &err), FLOE_ERR_INVALID, &err, msg);
    json_decref(j);
}

static void test_schema_validation(void **state)
{
    floe_test_ctx *t = *state;
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":"
                        "true,\"type\":\"int\"},{\"id\":1,\"name\":\"b\",\"required\":true,"
                        "\"type\":\"int\"}]}",
                        "duplicate field id 1 (a and b)");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":"
                        "true,\"type\":\"int\"},{\"id\":2,\"name\":\"a\",\"required\":true,"
                        "\"type\":\"int\"}]}",
                        "multiple fields for name a");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"identifier-field-ids\":[1],\"fields\":[{\"id\":1,"
                        "\"name\":\"a\",\"required\":true,\"type\":\"double\"}]}",
                        "identifier field a: must not be a float or double field");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"identifier-field-ids\":[3],\"fields\":[{\"id\":1,"
                        "\"name\":\"s\",\"required\":false,\"type\":{\"type\":\"struct\","
                        "\"fields\":[{\"id\":3,\"name\":\"x\",\"required\":true,\"type\":"
                        "\"int\"}]}}]}",
                        "identifier field s.x: must not be nested in an optional field");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"identifier-field-ids\":[2],\"fields\":[{\"id\":1,"
                        "\"name\":\"l\",\"required\":true,\"type\":{\"type\":\"list\","
                        "\"element-id\":2,\"element\":\"int\",\"element-required\":true}}]}",
                        "identifier field l.element: must not be nested in a list or map");
    expect_schema_error(t, "{\"type\":\"struct\",\"identifier-field-ids\":[9],\"fields\":[]}",
                        "identifier field 9: field does not exist");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"identifier-field-ids\":[1],\"fields\":[{\"id\":1,"
                        "\"name\":\"s\",\"required\":true,\"type\":{\"type\":\"struct\","
                        "\"fields\":[]}}]}",
                        "identifier field s: not a primitive type field");
    expect_schema_error(t, "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\"}]}",
                        "field a: required: missing");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":"
                        "true,\"type\":{\"type\":\"set\"}}]}",
                        "unknown nested type \"set\"");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":"
                        "true,\"type\":\"date\",\"initial-default\":\"2017-13-01\"}]}",
                        "initial-default: invalid date value");
    expect_schema_error(t,
                        "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":"
                        "false,\"type\":\"variant\",\"write-default\":\"x\"}]}",
                        "a variant value must be null");
    expect_schema_error(t,
                        "{\"type\":\"list\",\"element-id\":1,\"element\":\"int\","
                        "\"element-required\":true}",
                        "schema: type must be \"struct\"");
}

static void test_fresh_ids_follow_java_order(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *s = ice_test_schema(t->arena, NESTED);
    int32_t next = 0;
    const floe_ice_schema *f;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_schema_assign_fresh_ids(t->arena, s, 0, &next, &f, &err), &err);
    assert_int_equal(next, 11);
    /* top-level fields first (1..4), then each field's nested ids in order */
    assert_int_equal(floe_ice_schema_find_name(f, "id")->id, 1);
    assert_int_equal(floe_ice_schema_find_name(f, "tags")->id, 2);
    assert_int_equal(floe_ice_schema_find_name(f, "props")->id, 3);
    assert_int_equal(floe_ice_schema_find_name(f, "loc")->id, 4);
    assert_int_equal(floe_ice_schema_find_name(f, "tags.element")->id, 5);
    assert_int_equal(floe_ice_schema_find_name(f, "tags.element.k")->id, 6);
    assert_int_equal(floe_ice_schema_find_name(f, "props.key")->id, 7);
    assert_int_equal(floe_ice_schema_find_name(f, "props.value")->id, 8);
    assert_int_equal(floe_ice_schema_find_name(f, "props.value.v")->id, 9);
    assert_int_equal(floe_ice_schema_find_name(f, "loc.zip")->id, 10);
    assert_int_equal(floe_ice_schema_find_name(f, "loc.lat")->id, 11);
    /* identifier fields follow the renumbering: 1 -> 1, 5 (loc.zip) -> 10 */
    assert_int_equal(f->identifier_ids[0], 1);
    assert_int_equal(f->identifier_ids[1], 10);
}

static void test_format_version_checks(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *s = ice_test_schema(t->arena, NESTED);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_schema_check_format(s, 2, &err), FLOE_ERR_INVALID, &err,
                    "invalid default for loc.lat: non-null default (1.5) is not supported until "
                    "v3");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_check_format(s, 3, &err), &err);
    const floe_ice_schema *ns = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"t\",\"required\":false,"
                  "\"type\":\"timestamp_ns\"}]}");
    FLOE_ASSERT_ERR(floe_ice_schema_check_format(ns, 2, &err), FLOE_ERR_INVALID, &err,
                    "timestamp_ns is not supported until v3");
}

static void test_evolution_checks(void **state)
{
    floe_test_ctx *t = *state;
#define TMPL                                                                                       \
    "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":false,\"type\":\"%"    \
    "s\"}]}"
    static const struct {
        const char *from, *to;
        int fv;
        bool ok;
    } cases[] = {
        {"int", "long", 2, true},
        {"float", "double", 2, true},
        {"decimal(9,2)", "decimal(18,2)", 2, true},
        {"decimal(9,2)", "decimal(18,3)", 2, false},
        {"decimal(18,2)", "decimal(9,2)", 2, false},
        {"long", "int", 2, false},
        {"int", "string", 2, false},
        {"date", "timestamp", 2, false},
        {"date", "timestamp", 3, true},
        {"date", "timestamptz", 3, false},
        {"unknown", "string", 3, true},
        {"string", "binary", 3, false},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_ice_schema *a =
            ice_test_schema(t->arena, floe_arena_sprintf(t->arena, TMPL, cases[i].from));
        const floe_ice_schema *b =
            ice_test_schema(t->arena, floe_arena_sprintf(t->arena, TMPL, cases[i].to));
        floe_err err = {0};
        floe_status st = floe_ice_schema_check_evolution(a, b, cases[i].fv, &err);
        if ((st == FLOE_OK) != cases[i].ok) {
            print_error("%s -> %s (v%d): %s\n", cases[i].from, cases[i].to, cases[i].fv, err.msg);
            fail();
        }
        if (!cases[i].ok) {
            assert_non_null(strstr(err.msg, "cannot change type of column a (id 1)"));
        }
    }
    /* a primitive cannot become a struct */
    const floe_ice_schema *a = ice_test_schema(t->arena, floe_arena_sprintf(t->arena, TMPL, "int"));
    const floe_ice_schema *b = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"required\":false,"
                  "\"type\":{\"type\":\"struct\",\"fields\":[]}}]}");
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_schema_check_evolution(a, b, 3, &err), FLOE_ERR_INVALID, &err,
                    "from int to struct<>");
}

static void test_partition_spec_json(void **state)
{
    floe_test_ctx *t = *state;
    static const char *full = "{\"spec-id\":2,\"fields\":[{\"name\":\"id_bucket\",\"transform\":"
                              "\"bucket[16]\",\"source-id\":1,\"field-id\":1000},{\"name\":\"ts_"
                              "day\",\"transform\":\"day\",\"source-id\":4,\"field-id\":1001},"
                              "{\"name\":\"z\",\"transform\":\"zorder\",\"source-ids\":[1,4],"
                              "\"field-id\":1002}]}";
    json_t *j = ice_test_json(full);
    const floe_partition_spec *s;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, false, 0, &s, &err), &err);
    json_decref(j);
    assert_int_equal(s->spec_id, 2);
    assert_int_equal(s->n_fields, 3);
    assert_int_equal(s->fields[2].transform.kind, FLOE_ICE_T_UNKNOWN);
    assert_int_equal(s->fields[2].n_source_ids, 2);
    assert_int_equal(floe_partition_spec_last_field_id(s), 1002);
    ice_test_json_eq(floe_partition_spec_to_json(s), full);
    /* the v1 bare field list: missing ids continue from 1000 */
    j = ice_test_json("[{\"name\":\"a\",\"transform\":\"identity\",\"source-id\":1},"
                      "{\"name\":\"b\",\"transform\":\"void\",\"source-id\":2}]");
    FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, true, 0, &s, &err), &err);
    json_decref(j);
    assert_int_equal(s->spec_id, 0);
    assert_int_equal(s->fields[0].field_id, 1000);
    assert_int_equal(s->fields[1].field_id, 1001);
    assert_false(floe_partition_spec_is_unpartitioned(s));
    ice_test_json_eq(floe_partition_spec_fields_to_json(s),
                     "[{\"name\":\"a\",\"transform\":\"identity\",\"source-id\":1,\"field-id\":"
                     "1000},{\"name\":\"b\",\"transform\":\"void\",\"source-id\":2,\"field-id\":"
                     "1001}]");
    j = ice_test_json("{\"spec-id\":0,\"fields\":[{\"name\":\"a\",\"source-id\":1}]}");
    FLOE_ASSERT_ERR(floe_partition_spec_from_json(t->arena, j, false, 0, &s, &err),
                    FLOE_ERR_INVALID, &err, "partition field 0: transform: missing");
    json_decref(j);
}

static void test_partition_spec_validation(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *schema = ice_test_schema(t->arena, NESTED);
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"[{\"name\":\"x\",\"transform\":\"identity\",\"source-id\":99}]",
         "cannot find source column 99"},
        {"[{\"name\":\"x\",\"transform\":\"identity\",\"source-id\":7}]", "inside a list or map"},
        {"[{\"name\":\"x\",\"transform\":\"identity\",\"source-id\":4}]", "not a primitive"},
        {"[{\"name\":\"x\",\"transform\":\"day\",\"source-id\":1}]", "cannot apply day to a long"},
        {"[{\"name\":\"x\",\"transform\":\"identity\",\"source-id\":1},{\"name\":\"x\","
         "\"transform\":\"bucket[2]\",\"source-id\":1}]",
         "name is used twice"},
        {"[{\"name\":\"tags\",\"transform\":\"identity\",\"source-id\":1}]",
         "name conflicts with a schema column"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        json_t *j = ice_test_json(cases[i].json);
        const floe_partition_spec *s;
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, true, 0, &s, &err), &err);
        FLOE_ASSERT_ERR(floe_partition_spec_validate(s, schema, &err), FLOE_ERR_INVALID, &err,
                        cases[i].msg);
        json_decref(j);
    }
    /* identity named like its own column is fine, and so is a void of a dropped column */
    json_t *j = ice_test_json("[{\"name\":\"id\",\"transform\":\"identity\",\"source-id\":1},"
                              "{\"name\":\"gone\",\"transform\":\"void\",\"source-id\":42}]");
    const floe_partition_spec *s;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, true, 0, &s, &err), &err);
    FLOE_ASSERT_OK(floe_partition_spec_validate(s, schema, &err), &err);
    const floe_ice_type *pt;
    FLOE_ASSERT_OK(floe_partition_spec_type(t->arena, s, schema, &pt, &err), &err);
    assert_int_equal(pt->fields[0].type->id, FLOE_ICE_LONG);
    assert_int_equal(pt->fields[1].type->id, FLOE_ICE_INT);
    json_decref(j);
}

static void test_partition_tuple_of_a_row(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *schema = ice_test_schema(t->arena, NESTED);
    json_t *j = ice_test_json("[{\"name\":\"b\",\"transform\":\"bucket[16]\",\"source-id\":1},"
                              "{\"name\":\"z\",\"transform\":\"truncate[2]\",\"source-id\":5}]");
    const floe_partition_spec *s;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, true, 0, &s, &err), &err);
    json_decref(j);
    /* row: id=34, tags=null, props=null, loc={zip:"94107", lat:null} */
    floe_value loc_items[2] = {floe_value_string("94107", 5), floe_value_null()};
    floe_value loc = floe_value_null();
    loc.kind = FLOE_V_STRUCT;
    loc.u.nested.items = loc_items;
    loc.u.nested.n = 2;
    floe_value items[4] = {floe_value_long(34), floe_value_null(), floe_value_null(), loc};
    floe_value row = floe_value_null();
    row.kind = FLOE_V_STRUCT;
    row.u.nested.items = items;
    row.u.nested.n = 4;
    floe_value tuple;
    FLOE_ASSERT_OK(floe_partition_tuple(t->arena, s, schema, &row, &tuple, &err), &err);
    assert_int_equal(tuple.u.nested.n, 2);
    assert_int_equal(tuple.u.nested.items[0].u.i32, 3);
    assert_int_equal(tuple.u.nested.items[1].u.bytes.len, 2);
    assert_memory_equal(tuple.u.nested.items[1].u.bytes.ptr, "94", 2);
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_partition_path(s, schema, &tuple, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), "b=3/z=94");
    floe_buf_fini(&b);
}

static void test_sort_order_json(void **state)
{
    floe_test_ctx *t = *state;
    static const char *text =
        "{\"order-id\":1,\"fields\":[{\"transform\":\"identity\",\"source-id\":2,\"direction\":"
        "\"asc\",\"null-order\":\"nulls-first\"},{\"transform\":\"bucket[4]\",\"source-id\":3,"
        "\"direction\":\"desc\",\"null-order\":\"nulls-last\"}]}";
    json_t *j = ice_test_json(text);
    const floe_sort_order *o;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_sort_order_from_json(t->arena, j, &o, &err), &err);
    json_decref(j);
    assert_int_equal(o->n_fields, 2);
    assert_int_equal(o->fields[1].direction, FLOE_SORT_DESC);
    assert_int_equal(o->fields[1].null_order, FLOE_NULLS_LAST);
    ice_test_json_eq(floe_sort_order_to_json(o), text);
    j = ice_test_json("{\"order-id\":1,\"fields\":[{\"transform\":\"identity\",\"source-id\":2,"
                      "\"direction\":\"up\",\"null-order\":\"nulls-first\"}]}");
    FLOE_ASSERT_ERR(floe_sort_order_from_json(t->arena, j, &o, &err), FLOE_ERR_INVALID, &err,
                    "direction: expected \"asc\" or \"desc\", got \"up\"");
    json_decref(j);
    floe_err_clear(&err);
    j = ice_test_json("{\"order-id\":0,\"fields\":[{\"transform\":\"identity\",\"source-id\":2,"
                      "\"direction\":\"asc\",\"null-order\":\"nulls-first\"}]}");
    FLOE_ASSERT_ERR(floe_sort_order_from_json(t->arena, j, &o, &err), FLOE_ERR_INVALID, &err,
                    "reserved for the unsorted order");
    json_decref(j);
}

FLOE_TEST_GROUP(types)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_primitive_type_string, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_schema_json_round_trip_and_lookups, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_schema_validation, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fresh_ids_follow_java_order, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_format_version_checks, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_evolution_checks, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partition_spec_json, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partition_spec_validation, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partition_tuple_of_a_row, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_sort_order_json, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
