/* SPDX-License-Identifier: Apache-2.0 */
/* Datum encoding and decoding: every type and logical type round trips to the documented
 * floe_value mapping; unions pick branches by value kind; bad values and hostile bytes fail
 * with messages that name the field or the byte. */
#include "floe_test.h"

#include "floe/avro.h"
#include "sample.h"

static floe_avro_schema *parse(const char *json)
{
    floe_err err = {0};
    floe_avro_schema *s = NULL;
    FLOE_ASSERT_OK(floe_avro_schema_parse(json, strlen(json), FLOE_AVRO_SCHEMA_STRICT, &s, &err),
                   &err);
    return s;
}

static char *to_json(floe_arena *a, const floe_value *v)
{
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_value_to_json(v, &b, &err), &err);
    char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static const char all_types_0[] =
    "{\"n\":null,\"b\":true,\"i\":2147483647,\"l\":1234567890123456789,\"f\":1.5,"
    "\"d\":3.141592653589793,\"by\":\"0000ff\",\"s\":\"r\xc3\xa9"
    "cord 0 \xf0\x9f\x90\x87\","
    "\"e\":\"SPADES\",\"fx\":\"61620061\",\"arr\":[-9223372036854775808,0,9223372036854775807],"
    "\"m\":[{\"key\":\"one\",\"value\":1},{\"key\":\"nothing\",\"value\":null}],\"u\":null,"
    "\"dec\":\"999999.99\",\"decf\":\"-12345678901234567.800\","
    "\"uuid\":\"123e4567-e89b-12d3-a456-426614174000\","
    "\"uuidf\":\"123e4567-e89b-12d3-a456-426614174000\",\"date\":\"2024-01-01\","
    "\"tms\":\"12:34:56.789000\",\"tus\":\"12:34:56.789012\","
    "\"tsms\":\"2024-01-01T00:00:00.123000+00:00\",\"tsus\":\"2024-01-01T00:00:00.123456\","
    "\"tsns\":\"2024-01-01T00:00:00.123456789+00:00\",\"lts\":\"1969-12-31T23:59:59.000000\","
    "\"kv\":[{\"key\":7,\"value\":\"seven\"},{\"key\":-1,\"value\":null}],"
    "\"rec\":{\"suit\":\"HEARTS\",\"opt\":null}}";

static void test_every_type_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_avro_schema *s = parse(avro_sample_all_types_schema);
    const floe_avro_node *root = floe_avro_schema_root(s);
    for (int i = 0; i < 6; i++) {
        floe_value in = avro_sample_all_types(t->arena, i);
        floe_buf bytes;
        floe_buf_init(&bytes, 0);
        FLOE_ASSERT_OK(floe_avro_encode(root, &in, &bytes, &err), &err);
        floe_value out;
        size_t used = 0;
        FLOE_ASSERT_OK(floe_avro_decode(root, bytes.data, bytes.len, t->arena, &out, &used, &err),
                       &err);
        assert_int_equal(used, bytes.len);
        /* Decoding gives back the value written, kind for kind. */
        assert_string_equal(to_json(t->arena, &out), to_json(t->arena, &in));
        assert_true(floe_value_eq(&out, &in));
        if (i == 0) {
            assert_string_equal(to_json(t->arena, &out), all_types_0);
        }
        /* And encoding the decoded value gives the same bytes. */
        floe_buf again;
        floe_buf_init(&again, 0);
        FLOE_ASSERT_OK(floe_avro_encode(root, &out, &again, &err), &err);
        assert_int_equal(again.len, bytes.len);
        assert_memory_equal(again.data, bytes.data, bytes.len);
        floe_buf_fini(&again);
        floe_buf_fini(&bytes);
    }
    floe_avro_schema_free(s);
}

/* Encode `v` with `schema` and return the bytes as hex. */
static floe_status encode_hex(floe_arena *a, const char *schema, const floe_value *v, char **hex,
                              floe_err *err)
{
    floe_avro_schema *s = parse(schema);
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_avro_encode(floe_avro_schema_root(s), v, &b, err);
    *hex = floe_arena_alloc(a, 2 * b.len + 1);
    floe_hex_encode(b.data ? b.data : "", b.len, *hex);
    floe_buf_fini(&b);
    floe_avro_schema_free(s);
    return st;
}

static void test_union_branch_follows_the_value(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    char *hex;
    static const struct {
        const char *schema;
        floe_value v;
        const char *hex;
    } cases[] = {
        {"[\"null\",\"int\",\"long\"]", {.kind = FLOE_V_NULL}, "00"},
        {"[\"null\",\"int\",\"long\"]", {.kind = FLOE_V_INT, .u.i32 = 1}, "0202"},
        {"[\"null\",\"int\",\"long\"]", {.kind = FLOE_V_LONG, .u.i64 = 1}, "0402"},
        /* No exact branch: an INT widens to the first long. */
        {"[\"long\",\"null\"]", {.kind = FLOE_V_INT, .u.i32 = -1}, "0001"},
        /* Exact beats convertible even when it comes later. */
        {"[\"double\",\"float\"]", {.kind = FLOE_V_FLOAT, .u.f32 = 1.0f}, "020000803f"},
        {"[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}]",
         {.kind = FLOE_V_DATE, .u.i32 = 3},
         "0206"},
        {"[\"null\",\"string\",\"bytes\"]",
         {.kind = FLOE_V_BINARY, .u.bytes = {(const uint8_t *)"x", 1}},
         "040278"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        FLOE_ASSERT_OK(encode_hex(t->arena, cases[i].schema, &cases[i].v, &hex, &err), &err);
        if (strcmp(hex, cases[i].hex) != 0) {
            fail_msg("case %zu: %s, want %s", i, hex, cases[i].hex);
        }
    }
    floe_value n = floe_value_null();
    FLOE_ASSERT_ERR(encode_hex(t->arena, "[\"int\",\"string\"]", &n, &hex, &err), FLOE_ERR_INVALID,
                    &err, "null for a union without a null branch");
    floe_err_clear(&err);
    floe_value d = floe_value_double(1);
    FLOE_ASSERT_ERR(encode_hex(t->arena, "[\"null\",\"float\"]", &d, &hex, &err), FLOE_ERR_INVALID,
                    &err, "DOUBLE value fits no branch of the union");
}

static void test_bad_values_name_the_field(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_avro_schema *s = parse(avro_sample_manifest_schema);
    const floe_avro_node *root = floe_avro_schema_root(s);
    floe_buf out;
    floe_buf_init(&out, 0);
    floe_buf_append_str(&out, "keep", NULL);

    floe_value e = avro_sample_manifest_entry(t->arena, 0);
    e.u.nested.items[0] = floe_value_null(); /* status is required */
    FLOE_ASSERT_ERR(floe_avro_encode(root, &e, &out, &err), FLOE_ERR_INVALID, &err,
                    "avro value for field status: null for non-null type int");
    assert_int_equal(out.len, 4); /* nothing of the failed value stays behind */
    assert_string_equal(out.data, "keep");

    floe_err_clear(&err);
    e = avro_sample_manifest_entry(t->arena, 0);
    floe_value *file = e.u.nested.items[4].u.nested.items;
    file[3].u.nested.items[1] = floe_value_string("x", 1); /* partition ts_day */
    FLOE_ASSERT_ERR(floe_avro_encode(root, &e, &out, &err), FLOE_ERR_INVALID, &err,
                    "field data_file.partition.ts_day: STRING value fits no branch");

    floe_err_clear(&err);
    e = avro_sample_manifest_entry(t->arena, 0);
    e.u.nested.items[4].u.nested.n = 3; /* a data_file struct with too few fields */
    FLOE_ASSERT_ERR(floe_avro_encode(root, &e, &out, &err), FLOE_ERR_INVALID, &err,
                    "field data_file: STRUCT value does not fit type record r2");

    floe_err_clear(&err);
    e = avro_sample_manifest_entry(t->arena, 0);
    file = e.u.nested.items[4].u.nested.items;
    file[6].u.nested.items[0] = floe_value_long(1); /* column_sizes key must be an int */
    FLOE_ASSERT_ERR(floe_avro_encode(root, &e, &out, &err), FLOE_ERR_INVALID, &err,
                    "field data_file.column_sizes.key: LONG value does not fit type int");
    assert_int_equal(out.len, 4);
    floe_buf_fini(&out);
    floe_avro_schema_free(s);

    char *hex;
    floe_err_clear(&err);
    floe_value sym = floe_value_string("JOKER", 5);
    FLOE_ASSERT_ERR(encode_hex(t->arena, "{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\"]}",
                               &sym, &hex, &err),
                    FLOE_ERR_INVALID, &err, "'JOKER' is not a symbol of enum e");
    floe_err_clear(&err);
    floe_value dec = floe_value_decimal(12345, 10, 3);
    const char *dec_schema = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4,"
                             "\"scale\":2}";
    FLOE_ASSERT_ERR(encode_hex(t->arena, dec_schema, &dec, &hex, &err), FLOE_ERR_INVALID, &err,
                    "decimal scale 3 does not match the schema's scale 2");
    floe_err_clear(&err);
    dec = floe_value_decimal(12345, 10, 2);
    FLOE_ASSERT_ERR(encode_hex(t->arena, dec_schema, &dec, &hex, &err), FLOE_ERR_INVALID, &err,
                    "decimal value has more than the schema's 4 digits");
    floe_err_clear(&err);
    floe_value fx = floe_value_fixed("abc", 3);
    FLOE_ASSERT_ERR(
        encode_hex(t->arena, "{\"type\":\"fixed\",\"name\":\"f\",\"size\":4}", &fx, &hex, &err),
        FLOE_ERR_INVALID, &err, "FIXED value does not fit type fixed f");
}

static void test_decimals_use_minimal_and_fixed_widths(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    char *hex;
    static const struct {
        int64_t v;
        const char *bytes_hex; /* length prefix + minimal two's complement */
        const char *fixed_hex; /* fixed(5), sign-extended */
    } cases[] = {
        {0, "0200", "0000000000"},        {127, "027f", "000000007f"},
        {128, "040080", "0000000080"},    {-1, "02ff", "ffffffffff"},
        {-128, "0280", "ffffffff80"},     {-129, "04ff7f", "ffffffff7f"},
        {-12345, "04cfc7", "ffffffcfc7"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_value v = floe_value_decimal(cases[i].v, 10, 2);
        FLOE_ASSERT_OK(encode_hex(t->arena,
                                  "{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                                  "\"precision\":10,\"scale\":2}",
                                  &v, &hex, &err),
                       &err);
        assert_string_equal(hex, cases[i].bytes_hex);
        FLOE_ASSERT_OK(encode_hex(t->arena,
                                  "{\"type\":\"fixed\",\"name\":\"d\",\"size\":5,\"logicalType\":"
                                  "\"decimal\",\"precision\":10,\"scale\":2}",
                                  &v, &hex, &err),
                       &err);
        assert_string_equal(hex, cases[i].fixed_hex);
    }
}

/* Decode `hex` as `schema`. */
static floe_status decode_hex(floe_arena *a, const char *schema, const char *hex, floe_value *out,
                              floe_err *err)
{
    floe_avro_schema *s = parse(schema);
    size_t n = strlen(hex) / 2;
    uint8_t *buf = floe_arena_alloc(a, n + 1);
    assert_int_equal(floe_hex_decode(hex, 2 * n, buf, NULL), FLOE_OK);
    floe_status st = floe_avro_decode(floe_avro_schema_root(s), buf, n, a, out, NULL, err);
    floe_avro_schema_free(s);
    return st;
}

static void test_collection_blocks_are_bounded(void **state)
{
    floe_test_ctx *t = *state;
    floe_value v;
    static const struct {
        const char *schema;
        const char *hex;
        floe_status code; /* FLOE_OK: decodes to `json` */
        const char *want;
    } cases[] = {
        {"{\"type\":\"array\",\"items\":\"long\"}", "04020400", FLOE_OK, "[1,2]"},
        /* Two blocks, the second with the negative-count form: -1 items in 1 byte. */
        {"{\"type\":\"array\",\"items\":\"long\"}", "020201020600", FLOE_OK, "[1,3]"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "0304020400", FLOE_OK, "[1,2]"},
        {"{\"type\":\"map\",\"values\":\"int\"}", "0202610200", FLOE_OK,
         "[{\"key\":\"a\",\"value\":1}]"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "c801020400", FLOE_ERR_CORRUPT,
         "array block count 100 exceeds what the 3 bytes left can hold at byte 0"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "0306020400", FLOE_ERR_CORRUPT,
         "array block byte size does not match its items"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "0364020400", FLOE_ERR_CORRUPT,
         "array block byte size 50 does not fit the 3 bytes left at byte 1"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "ffffffffffffffffff01", FLOE_ERR_CORRUPT,
         "array block count out of range"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "0402", FLOE_ERR_CORRUPT,
         "array block count 2 exceeds"},
        {"{\"type\":\"array\",\"items\":\"long\"}", "0202", FLOE_ERR_CORRUPT,
         "truncated varint at byte 2"},
        /* Items that take no bytes: counts are capped instead of trusted. */
        {"{\"type\":\"array\",\"items\":\"null\"}", "feffffffffffffffff0100", FLOE_ERR_TOO_BIG,
         "array with more than 65536 items at byte 0"},
        {"{\"type\":\"array\",\"items\":\"null\"}", "0600", FLOE_OK, "[null,null,null]"},
        {"{\"type\":\"map\",\"values\":\"null\"}", "060261", FLOE_ERR_CORRUPT,
         "map block count 3 exceeds what the 2 bytes left can hold"},
        {"{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\",\"B\"]}", "04", FLOE_ERR_CORRUPT,
         "enum index 2 out of range for 2 symbols at byte 0"},
        {"[\"null\",\"int\"]", "04", FLOE_ERR_CORRUPT,
         "union branch 2 out of range for 2 branches"},
        {"[\"null\",\"int\"]", "01", FLOE_ERR_CORRUPT, "union branch -1 out of range"},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":38}",
         "22ffffffffffffffffffffffffffffffffff", FLOE_OK, "\"-1\""},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":38}",
         "2201000000000000000000000000000000ff", FLOE_ERR_CORRUPT,
         "decimal of 17 bytes does not fit 128 bits"},
        {"{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":38}", "00",
         FLOE_ERR_CORRUPT, "empty decimal"},
        {"{\"type\":\"string\",\"logicalType\":\"uuid\"}", "066e6f74", FLOE_ERR_CORRUPT,
         "uuid string of 3 bytes is not a valid UUID"},
        {"{\"type\":\"fixed\",\"name\":\"f\",\"size\":4}", "616263", FLOE_ERR_CORRUPT,
         "fixed needs 4 bytes, 3 left"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_err err = {0};
        floe_status st = decode_hex(t->arena, cases[i].schema, cases[i].hex, &v, &err);
        if (cases[i].code == FLOE_OK) {
            if (st != FLOE_OK) {
                fail_msg("case %zu: %s", i, err.msg);
            }
            assert_string_equal(to_json(t->arena, &v), cases[i].want);
        } else if (st != cases[i].code || strstr(err.msg, cases[i].want) == NULL) {
            fail_msg("case %zu: status %s, message \"%s\"; want %s with \"%s\"", i,
                     floe_status_name(st), err.msg, floe_status_name(cases[i].code), cases[i].want);
        }
    }
}

static void test_arena_limit_stops_decoding(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_avro_schema *s = parse("{\"type\":\"array\",\"items\":\"string\"}");
    /* 1000 strings of 100 bytes need ~100 KB; the arena allows 16 KiB. */
    floe_buf b;
    floe_buf_init(&b, 0);
    uint8_t hdr[3] = {0xd0, 0x0f}; /* zigzag(1000) = 2000 = 0xd0 0x0f */
    floe_buf_append(&b, hdr, 2, NULL);
    char s100[101];
    memset(s100, 'x', 100);
    for (int i = 0; i < 1000; i++) {
        uint8_t len[2] = {0xc8, 0x01}; /* zigzag(100) = 200 */
        floe_buf_append(&b, len, 2, NULL);
        floe_buf_append(&b, s100, 100, NULL);
    }
    floe_buf_append_byte(&b, 0, NULL);
    floe_arena *small = floe_arena_new(16 << 10);
    floe_value v;
    FLOE_ASSERT_ERR(
        floe_avro_decode(floe_avro_schema_root(s), b.data, b.len, small, &v, NULL, &err),
        FLOE_ERR_TOO_BIG, &err, NULL);
    floe_arena_free(small);
    floe_buf_fini(&b);
    floe_avro_schema_free(s);
}

FLOE_TEST_GROUP(datum)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_type_round_trips, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_union_branch_follows_the_value, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_name_the_field, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_decimals_use_minimal_and_fixed_widths, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_collection_blocks_are_bounded, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test(test_arena_limit_stops_decoding),
    };
    return cmocka_run_group_tests_name("datum", tests, NULL, NULL);
}
