/* SPDX-License-Identifier: Apache-2.0 */
/* Avro schema parsing: Iceberg's attributes, named types and namespaces, recursion, logical
 * types, and bad schemas rejected with messages that say what and where. */
#include "floe_test.h"

#include "floe/avro.h"

#include <jansson.h>

static floe_avro_schema *parse(const char *json, unsigned flags)
{
    floe_err err = {0};
    floe_avro_schema *s = NULL;
    FLOE_ASSERT_OK(floe_avro_schema_parse(json, strlen(json), flags, &s, &err), &err);
    return s;
}

/* A cut-down Iceberg v2 manifest_entry schema, as Java writes it. */
static const char manifest_schema[] =
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
    "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
    "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
    "{\"name\":\"file_path\",\"type\":\"string\",\"doc\":\"Location URI\",\"field-id\":100},"
    "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":["
    "{\"name\":\"ts_day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],"
    "\"default\":null,\"field-id\":1000}]},\"field-id\":102},"
    "{\"name\":\"lower_bounds\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k126_v127\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":126},{\"name\":\"value\",\"type\":\"bytes\",\"field-id\":127}]},"
    "\"logicalType\":\"map\"}],\"default\":null,\"field-id\":125},"
    "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
    "\"element-id\":133}],\"default\":null,\"field-id\":132},"
    "{\"name\":\"props\",\"type\":{\"type\":\"map\",\"values\":\"string\",\"key-id\":7,"
    "\"value-id\":\"8\"},\"field-id\":150}"
    "]},\"field-id\":2}]}";

static void test_iceberg_attributes_are_read(void **state)
{
    (void)state;
    floe_avro_schema *s = parse(manifest_schema, FLOE_AVRO_SCHEMA_STRICT);
    const floe_avro_node *root = floe_avro_schema_root(s);
    assert_int_equal(floe_avro_node_type(root), FLOE_AVRO_RECORD);
    assert_string_equal(floe_avro_node_fullname(root), "manifest_entry");
    assert_int_equal(floe_avro_node_count(root), 3);

    /* Fields are found by id, whatever their position. */
    assert_int_equal(floe_avro_field_index_by_id(root, 0), 0);
    assert_int_equal(floe_avro_field_index_by_id(root, 2), 2);
    assert_int_equal(floe_avro_field_index_by_id(root, 3), -1);
    assert_int_equal(floe_avro_field_index(root, "snapshot_id"), 1);
    int32_t id = -1;
    assert_true(floe_avro_field_id(root, 1, &id));
    assert_int_equal(id, 1);

    /* An optional field: ["null", long] with default null. */
    const floe_avro_node *snap = floe_avro_field_type(root, 1);
    assert_int_equal(floe_avro_node_type(snap), FLOE_AVRO_UNION);
    assert_int_equal(floe_avro_node_null_branch(snap), 0);
    assert_int_equal(floe_avro_node_type(floe_avro_node_nonnull(snap)), FLOE_AVRO_LONG);
    const json_t *dflt = floe_avro_field_default(root, 1);
    assert_non_null(dflt);
    assert_true(json_is_null(dflt));
    assert_null(floe_avro_field_default(root, 0));

    const floe_avro_node *df = floe_avro_field_type(root, 2);
    assert_string_equal(floe_avro_node_name(df), "r2");
    assert_string_equal(floe_avro_field_doc(df, 0), "Location URI");
    const floe_avro_node *part = floe_avro_field_type(df, floe_avro_field_index_by_id(df, 102));
    const floe_avro_node *day = floe_avro_node_nonnull(floe_avro_field_type(part, 0));
    assert_int_equal(floe_avro_node_logical(day), FLOE_AVRO_LT_DATE);

    /* Iceberg's map with int keys: an array of k/v records annotated logicalType map. */
    const floe_avro_node *lb = floe_avro_node_nonnull(floe_avro_field_type(df, 2));
    assert_int_equal(floe_avro_node_type(lb), FLOE_AVRO_ARRAY);
    assert_int_equal(floe_avro_node_logical(lb), FLOE_AVRO_LT_MAP);
    const floe_avro_node *kv = floe_avro_node_items(lb);
    assert_true(floe_avro_field_id(kv, 0, &id) && id == 126);
    assert_true(floe_avro_field_id(kv, 1, &id) && id == 127);

    /* element-id on an array; key-id/value-id on a map, as integer or digit string. */
    int64_t prop = 0;
    const floe_avro_node *so = floe_avro_node_nonnull(floe_avro_field_type(df, 3));
    assert_true(floe_avro_node_int_prop(so, "element-id", &prop) && prop == 133);
    assert_false(floe_avro_node_int_prop(so, "key-id", &prop));
    const floe_avro_node *props = floe_avro_field_type(df, 4);
    assert_true(floe_avro_node_int_prop(props, "key-id", &prop) && prop == 7);
    assert_true(floe_avro_node_int_prop(props, "value-id", &prop) && prop == 8);

    /* Unknown attributes stay reachable through the JSON. */
    const json_t *fj = floe_avro_field_json(df, 0);
    assert_string_equal(json_string_value(json_object_get(fj, "doc")), "Location URI");

    /* The text is kept exactly as given. */
    size_t len = 0;
    assert_string_equal(floe_avro_schema_text(s, &len), manifest_schema);
    assert_int_equal(len, strlen(manifest_schema));
    floe_avro_schema_free(s);
}

static void test_namespaces_resolve_like_the_spec(void **state)
{
    (void)state;
    const char *json =
        "{\"type\":\"record\",\"name\":\"Outer\",\"namespace\":\"a.b\",\"fields\":["
        "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"Hash\",\"size\":16}},"
        "{\"name\":\"y\",\"type\":\"Hash\"},"
        "{\"name\":\"z\",\"type\":{\"type\":\"record\",\"name\":\"c.Inner\",\"fields\":["
        "{\"name\":\"w\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"R\","
        "\"G\"]}}]}},"
        "{\"name\":\"v\",\"type\":\"c.Color\"},"
        "{\"name\":\"u\",\"type\":{\"type\":\"record\",\"name\":\"Top\",\"namespace\":\"\","
        "\"fields\":[]}},"
        "{\"name\":\"t\",\"type\":\"Top\"},"
        "{\"name\":\"s\",\"type\":{\"type\":\"a.b.Hash\"}}]}";
    floe_avro_schema *s = parse(json, FLOE_AVRO_SCHEMA_STRICT);
    const floe_avro_node *root = floe_avro_schema_root(s);
    assert_string_equal(floe_avro_node_fullname(root), "a.b.Outer");
    assert_string_equal(floe_avro_node_namespace(root), "a.b");
    const floe_avro_node *hash = floe_avro_schema_named(s, "a.b.Hash");
    assert_non_null(hash);
    assert_int_equal(floe_avro_node_fixed_size(hash), 16);
    assert_ptr_equal(floe_avro_field_type(root, 0), hash);
    assert_ptr_equal(floe_avro_field_type(root, 1), hash); /* "Hash" in namespace a.b */
    assert_ptr_equal(floe_avro_field_type(root, 6), hash); /* {"type": "a.b.Hash"} */
    const floe_avro_node *inner = floe_avro_schema_named(s, "c.Inner");
    assert_non_null(inner);
    assert_string_equal(floe_avro_node_name(inner), "Inner");
    /* Color takes its namespace from the enclosing c.Inner, not from Outer. */
    const floe_avro_node *color = floe_avro_schema_named(s, "c.Color");
    assert_non_null(color);
    assert_null(floe_avro_schema_named(s, "a.b.Color"));
    assert_ptr_equal(floe_avro_field_type(root, 3), color);
    assert_string_equal(floe_avro_node_symbol(color, 1), "G");
    /* "Top" is in the null namespace; the lookup falls back to it. */
    const floe_avro_node *top = floe_avro_schema_named(s, "Top");
    assert_non_null(top);
    assert_null(floe_avro_node_namespace(top));
    assert_ptr_equal(floe_avro_field_type(root, 5), top);
    floe_avro_schema_free(s);
}

static void test_recursive_type_points_to_itself(void **state)
{
    floe_test_ctx *t = *state;
    const char *json = "{\"type\":\"record\",\"name\":\"List\",\"fields\":["
                       "{\"name\":\"value\",\"type\":\"int\"},"
                       "{\"name\":\"next\",\"type\":[\"null\",\"List\"]}]}";
    floe_avro_schema *s = parse(json, 0);
    const floe_avro_node *root = floe_avro_schema_root(s);
    assert_ptr_equal(floe_avro_node_nonnull(floe_avro_field_type(root, 1)), root);
    /* 1 -> 2 -> 3 -> null */
    const uint8_t data[] = {0x02, 0x02, 0x04, 0x02, 0x06, 0x00};
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(floe_avro_decode(root, data, sizeof(data), t->arena, &v, NULL, &err), &err);
    floe_buf out;
    floe_buf_init(&out, 0);
    FLOE_ASSERT_OK(floe_value_to_json(&v, &out, &err), &err);
    assert_string_equal(out.data, "{\"value\":1,\"next\":{\"value\":2,\"next\":{\"value\":3,"
                                  "\"next\":null}}}");
    floe_buf_fini(&out);
    /* A datum nested past the depth limit is refused, not followed. */
    size_t n = 2 * 300 + 1;
    uint8_t *deep = floe_arena_alloc(t->arena, n);
    for (size_t i = 0; i + 1 < n; i += 2) {
        deep[i] = 0x02;
        deep[i + 1] = 0x02;
    }
    deep[n - 1] = 0x00;
    FLOE_ASSERT_ERR(floe_avro_decode(root, deep, n, t->arena, &v, NULL, &err), FLOE_ERR_CORRUPT,
                    &err, "nested deeper than");
    floe_avro_schema_free(s);
}

static void test_logical_types_and_invalid_ones(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        floe_avro_logical want;
        bool utc;
        int precision, scale;
    } cases[] = {
        {"{\"type\":\"int\",\"logicalType\":\"date\"}", FLOE_AVRO_LT_DATE, false, 0, 0},
        {"{\"type\":\"int\",\"logicalType\":\"time-millis\"}", FLOE_AVRO_LT_TIME_MILLIS, false, 0,
         0},
        {"{\"type\":\"long\",\"logicalType\":\"time-micros\"}", FLOE_AVRO_LT_TIME_MICROS, false, 0,
         0},
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", FLOE_AVRO_LT_TIMESTAMP_MILLIS,
         true, 0, 0},
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":false}",
         FLOE_AVRO_LT_TIMESTAMP_MICROS, false, 0, 0},
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":true}",
         FLOE_AVRO_LT_TIMESTAMP_MICROS, true, 0, 0},
        {"{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\"}", FLOE_AVRO_LT_TIMESTAMP_NANOS,
         true, 0, 0},
        {"{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}",
         FLOE_AVRO_LT_LOCAL_TIMESTAMP_MICROS, false, 0, 0},
        {"{\"type\":\"long\",\"logicalType\":\"local-timestamp-nanos\"}",
         FLOE_AVRO_LT_LOCAL_TIMESTAMP_NANOS, false, 0, 0},
        {"{\"type\":\"string\",\"logicalType\":\"uuid\"}", FLOE_AVRO_LT_UUID, false, 0, 0},
        {"{\"type\":\"fixed\",\"name\":\"u\",\"size\":16,\"logicalType\":\"uuid\"}",
         FLOE_AVRO_LT_UUID, false, 0, 0},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}",
         FLOE_AVRO_LT_DECIMAL, false, 10, 2},
        {"{\"type\":\"fixed\",\"name\":\"d\",\"size\":5,\"logicalType\":\"decimal\","
         "\"precision\":11}",
         FLOE_AVRO_LT_DECIMAL, false, 11, 0},
        /* Invalid logical types are ignored (Avro spec): the underlying type is used. */
        {"{\"type\":\"long\",\"logicalType\":\"date\"}", FLOE_AVRO_LT_NONE, false, 0, 0},
        {"{\"type\":\"fixed\",\"name\":\"u\",\"size\":8,\"logicalType\":\"uuid\"}",
         FLOE_AVRO_LT_NONE, false, 0, 0},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":2,\"scale\":3}",
         FLOE_AVRO_LT_NONE, false, 0, 0},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\"}", FLOE_AVRO_LT_NONE, false, 0, 0},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":39}", FLOE_AVRO_LT_NONE,
         false, 0, 0},
        {"{\"type\":\"fixed\",\"name\":\"d\",\"size\":5,\"logicalType\":\"decimal\","
         "\"precision\":12}",
         FLOE_AVRO_LT_NONE, false, 0, 0},
        {"{\"type\":\"array\",\"items\":\"int\",\"logicalType\":\"map\"}", FLOE_AVRO_LT_NONE, false,
         0, 0},
        {"{\"type\":\"string\",\"logicalType\":\"no-such-type\"}", FLOE_AVRO_LT_NONE, false, 0, 0},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_avro_schema *s = parse(cases[i].json, 0);
        const floe_avro_node *n = floe_avro_schema_root(s);
        if (floe_avro_node_logical(n) != cases[i].want) {
            fail_msg("case %zu (%s): logical %d, want %d", i, cases[i].json,
                     (int)floe_avro_node_logical(n), (int)cases[i].want);
        }
        assert_int_equal(floe_avro_node_utc(n), cases[i].utc);
        assert_int_equal(floe_avro_node_precision(n), cases[i].precision);
        assert_int_equal(floe_avro_node_scale(n), cases[i].scale);
        floe_avro_schema_free(s);
    }
}

static void test_bad_schemas_are_rejected_clearly(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        unsigned flags;
        floe_status code;
        const char *msg;
    } cases[] = {
        {"{", 0, FLOE_ERR_INVALID, "avro schema: invalid JSON at line 1"},
        {"42", 0, FLOE_ERR_INVALID, "must be a type name, an object or a union array"},
        {"\"foo\"", 0, FLOE_ERR_INVALID, "unknown type 'foo'"},
        {"{\"type\":\"record\",\"name\":\"r\"}", 0, FLOE_ERR_INVALID,
         "record 'r' without a \"fields\" array"},
        {"{\"type\":\"record\",\"fields\":[]}", 0, FLOE_ERR_INVALID, "record without a \"name\""},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
         "{\"name\":\"a\",\"type\":\"long\"}]}",
         0, FLOE_ERR_INVALID, "record 'r': field 'a' appears twice"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\"}]}", 0, FLOE_ERR_INVALID,
         "field 'a' has no \"type\""},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":"
         "\"record\",\"name\":\"s\",\"fields\":[{\"name\":\"b\",\"type\":\"nope\"}]}}]}",
         0, FLOE_ERR_INVALID, "avro schema: field a.b: unknown type 'nope'"},
        {"[\"int\",\"int\"]", 0, FLOE_ERR_INVALID, "union has two branches of type int"},
        {"[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"},\"int\"]", 0, FLOE_ERR_INVALID,
         "union has two branches of type int"},
        {"[{\"type\":\"fixed\",\"name\":\"f\",\"size\":1},\"f\"]", 0, FLOE_ERR_INVALID,
         "union lists type 'f' twice"},
        {"[\"null\",[\"int\"]]", 0, FLOE_ERR_INVALID, "union branch 1 is itself a union"},
        {"[]", 0, FLOE_ERR_INVALID, "empty union"},
        {"{\"type\":\"record\",\"name\":\"int\",\"fields\":[]}", 0, FLOE_ERR_INVALID,
         "record may not be named 'int'"},
        {"{\"type\":\"record\",\"name\":\"1x\",\"fields\":[]}", 0, FLOE_ERR_INVALID,
         "invalid record name '1x'"},
        {"{\"type\":\"record\",\"name\":\"x\",\"namespace\":\"a..b\",\"fields\":[]}", 0,
         FLOE_ERR_INVALID, "invalid record name 'a..b.x'"},
        {"[{\"type\":\"fixed\",\"name\":\"f\",\"size\":1},{\"type\":\"enum\",\"name\":\"f\","
         "\"symbols\":[]}]",
         0, FLOE_ERR_INVALID, "type 'f' is defined twice"},
        {"{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}", 0, FLOE_ERR_INVALID,
         "fixed 'f' without a non-negative integer \"size\""},
        {"{\"type\":\"fixed\",\"name\":\"f\",\"size\":4294967296}", 0, FLOE_ERR_TOO_BIG,
         "fixed 'f' is larger than"},
        {"{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\",\"A\"]}", 0, FLOE_ERR_INVALID,
         "enum 'e': symbol 1 appears twice"},
        {"{\"type\":\"array\"}", 0, FLOE_ERR_INVALID, "array without \"items\""},
        {"{\"type\":\"map\",\"items\":\"int\"}", 0, FLOE_ERR_INVALID, "map without \"values\""},
        {"{\"type\":7}", 0, FLOE_ERR_INVALID, "\"type\" must be a string, object or array"},
        {"{\"logicalType\":\"date\"}", 0, FLOE_ERR_INVALID, "schema object without a \"type\""},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
         "\"field-id\":\"x\"}]}",
         0, FLOE_ERR_INVALID, "has a \"field-id\" that is not a 32-bit integer"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
         "\"field-id\":4294967296}]}",
         0, FLOE_ERR_INVALID, "not a 32-bit integer"},
        /* Only strict parsing (the writer's) holds field names to the Avro grammar. */
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a-b\",\"type\":\"int\"}]}",
         FLOE_AVRO_SCHEMA_STRICT, FLOE_ERR_INVALID, "invalid field name 'a-b'"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"\",\"type\":\"int\"}]}", 0,
         FLOE_ERR_INVALID, "invalid field name ''"},
        /* The writer's strict parse checks defaults; a union's fits its first branch. */
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":[\"long\","
         "\"null\"],\"default\":null}]}",
         FLOE_AVRO_SCHEMA_STRICT, FLOE_ERR_INVALID,
         "record 'r': the default of field 'a' is not a value of its type"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
         "\"default\":4294967296}]}",
         FLOE_AVRO_SCHEMA_STRICT, FLOE_ERR_INVALID, "the default of field 'a'"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":"
         "\"enum\",\"name\":\"e\",\"symbols\":[\"A\"]},\"default\":\"B\"}]}",
         FLOE_AVRO_SCHEMA_STRICT, FLOE_ERR_INVALID, "the default of field 'a'"},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":"
         "\"array\",\"items\":\"string\"},\"default\":[\"x\",1]}]}",
         FLOE_AVRO_SCHEMA_STRICT, FLOE_ERR_INVALID, "the default of field 'a'"},
        /* A type may not be used before its definition. */
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"later\"},"
         "{\"name\":\"b\",\"type\":{\"type\":\"fixed\",\"name\":\"later\",\"size\":1}}]}",
         0, FLOE_ERR_INVALID, "field a: unknown type 'later'"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_err err = {0};
        floe_avro_schema *s = NULL;
        floe_status st =
            floe_avro_schema_parse(cases[i].json, strlen(cases[i].json), cases[i].flags, &s, &err);
        if (st != cases[i].code || strstr(err.msg, cases[i].msg) == NULL) {
            fail_msg("case %zu (%s): status %s, message \"%s\"; want %s with \"%s\"", i,
                     cases[i].json, floe_status_name(st), err.msg, floe_status_name(cases[i].code),
                     cases[i].msg);
        }
        assert_null(s);
    }
    /* Defaults that fit pass the strict parse: nested records, maps, first union branches. */
    floe_avro_schema *ok = parse(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
        "{\"name\":\"a\",\"type\":[\"null\",\"long\"],\"default\":null},"
        "{\"name\":\"b\",\"type\":{\"type\":\"map\",\"values\":\"double\"},\"default\":{\"x\":1,"
        "\"y\":2.5}},"
        "{\"name\":\"c\",\"type\":{\"type\":\"record\",\"name\":\"s\",\"fields\":[{\"name\":"
        "\"d\",\"type\":\"string\"},{\"name\":\"e\",\"type\":\"int\",\"default\":3}]},"
        "\"default\":{\"d\":\"z\"}}]}",
        FLOE_AVRO_SCHEMA_STRICT);
    floe_avro_schema_free(ok);
    /* The lenient reader accepts field names other writers produce. */
    floe_avro_schema *s = parse(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a-b\",\"type\":\"int\"}]}", 0);
    floe_avro_schema_free(s);
}

static void test_limits_are_enforced(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_avro_schema *s = NULL;
    floe_buf b;
    floe_buf_init(&b, 0);

    /* Nesting deeper than the limit. */
    for (int i = 0; i < FLOE_AVRO_MAX_SCHEMA_DEPTH + 5; i++) {
        floe_buf_append_str(&b, "{\"type\":\"array\",\"items\":", NULL);
    }
    floe_buf_append_str(&b, "\"int\"", NULL);
    for (int i = 0; i < FLOE_AVRO_MAX_SCHEMA_DEPTH + 5; i++) {
        floe_buf_append_byte(&b, '}', NULL);
    }
    FLOE_ASSERT_ERR(floe_avro_schema_parse(b.data, b.len, 0, &s, &err), FLOE_ERR_TOO_BIG, &err,
                    "schema nested deeper than 128 levels");

    /* Too many fields in one record. */
    floe_buf_reset(&b);
    floe_err_clear(&err);
    floe_buf_append_str(&b, "{\"type\":\"record\",\"name\":\"r\",\"fields\":[", NULL);
    for (int i = 0; i <= FLOE_AVRO_MAX_FIELDS; i++) {
        floe_buf_printf(&b, NULL, "%s{\"name\":\"f%d\",\"type\":\"null\"}", i ? "," : "", i);
    }
    floe_buf_append_str(&b, "]}", NULL);
    FLOE_ASSERT_ERR(floe_avro_schema_parse(b.data, b.len, 0, &s, &err), FLOE_ERR_TOO_BIG, &err,
                    "record 'r' has more than 65535 fields");

    /* A name over the length limit. */
    floe_buf_reset(&b);
    floe_err_clear(&err);
    floe_buf_append_str(&b, "{\"type\":\"fixed\",\"size\":1,\"name\":\"", NULL);
    for (int i = 0; i <= FLOE_AVRO_MAX_NAME_LEN; i++) {
        floe_buf_append_byte(&b, 'n', NULL);
    }
    floe_buf_append_str(&b, "\"}", NULL);
    FLOE_ASSERT_ERR(floe_avro_schema_parse(b.data, b.len, 0, &s, &err), FLOE_ERR_TOO_BIG, &err,
                    "fixed name longer than 1024 bytes");

    /* Many references to one type count against the node limit. */
    floe_buf_reset(&b);
    floe_err_clear(&err);
    floe_buf_append_str(&b,
                        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                        "\"type\":{\"type\":\"fixed\",\"name\":\"f\",\"size\":1}}",
                        NULL);
    for (int i = 0; i < 60000; i++) {
        floe_buf_printf(&b, NULL,
                        ",{\"name\":\"b%d\",\"type\":{\"type\":\"array\","
                        "\"items\":\"f\"}}",
                        i);
    }
    floe_buf_append_str(&b, "]}", NULL);
    FLOE_ASSERT_ERR(floe_avro_schema_parse(b.data, b.len, 0, &s, &err), FLOE_ERR_TOO_BIG, &err,
                    "schema has more than 100000 types");
    assert_null(s);
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(schema)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iceberg_attributes_are_read),
        cmocka_unit_test(test_namespaces_resolve_like_the_spec),
        cmocka_unit_test_setup_teardown(test_recursive_type_points_to_itself, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test(test_logical_types_and_invalid_ones),
        cmocka_unit_test(test_bad_schemas_are_rejected_clearly),
        cmocka_unit_test(test_limits_are_enforced),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
