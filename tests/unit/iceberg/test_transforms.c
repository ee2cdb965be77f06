/* SPDX-License-Identifier: Apache-2.0 */
/* Transforms: Murmur3 and bucket vectors from spec Appendix B, truncate, time transforms,
 * human strings and partition paths. */
#include "ice_helpers.h"

#include <math.h>

static const floe_ice_type *T(floe_ice_type_id id)
{
    return floe_ice_type_get(id);
}

static floe_ice_transform tr(const char *s)
{
    floe_ice_transform t;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_transform_parse(NULL, s, &t, &err), &err);
    return t;
}

static int32_t hash(const floe_ice_type *t, floe_value v)
{
    int32_t h = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_bucket_hash(t, &v, &h, &err), &err);
    return h;
}

static void test_murmur3_appendix_b_vectors(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    int64_t us;
    assert_int_equal(hash(T(FLOE_ICE_INT), floe_value_int(34)), 2017239379);
    assert_int_equal(hash(T(FLOE_ICE_LONG), floe_value_long(34)), 2017239379);
    const floe_ice_type *dec = floe_ice_type_decimal(t->arena, 4, 2);
    assert_int_equal(hash(dec, floe_value_decimal(1420, 4, 2)), -500754589);
    int32_t days = (int32_t)floe_days_from_civil(2017, 11, 16);
    assert_int_equal(hash(T(FLOE_ICE_DATE), floe_value_date(days)), -653330422);
    int64_t tod = ((22 * 60 + 31) * 60 + 8) * INT64_C(1000000);
    assert_int_equal(hash(T(FLOE_ICE_TIME), floe_value_time(tod, FLOE_UNIT_MICROS)), -662762989);
    FLOE_ASSERT_OK(floe_time_parse_iso("2017-11-16T22:31:08", 19, &us, &err), &err);
    assert_int_equal(hash(T(FLOE_ICE_TIMESTAMP), floe_value_timestamp(us, FLOE_UNIT_MICROS, false)),
                     -2047944441);
    assert_int_equal(
        hash(T(FLOE_ICE_TIMESTAMP), floe_value_timestamp(us + 1, FLOE_UNIT_MICROS, false)),
        -1207196810);
    /* timestamptz from a -08:00 offset is the same instant */
    FLOE_ASSERT_OK(floe_time_parse_iso("2017-11-16T14:31:08-08:00", 25, &us, &err), &err);
    assert_int_equal(
        hash(T(FLOE_ICE_TIMESTAMPTZ), floe_value_timestamp(us, FLOE_UNIT_MICROS, true)),
        -2047944441);
    /* nanosecond timestamps hash as micros */
    assert_int_equal(hash(T(FLOE_ICE_TIMESTAMP_NS),
                          floe_value_timestamp((us + 1) * 1000 + 1, FLOE_UNIT_NANOS, false)),
                     -1207196810);
    assert_int_equal(hash(T(FLOE_ICE_STRING), floe_value_string("iceberg", 7)), 1210000089);
    floe_uuid u;
    FLOE_ASSERT_OK(floe_uuid_parse("f79c3e09-677c-4bbd-a479-3f349cb785e7", 36, &u, &err), &err);
    assert_int_equal(hash(T(FLOE_ICE_UUID), floe_value_uuid(u.b)), 1488055340);
    static const uint8_t b4[] = {0, 1, 2, 3};
    assert_int_equal(hash(T(FLOE_ICE_BINARY), floe_value_binary(b4, 4)), -188683207);
    const floe_ice_type *fx = floe_ice_type_fixed(t->arena, 4);
    assert_int_equal(hash(fx, floe_value_fixed(b4, 4)), -188683207);
    /* the hash of the non-bucketable reference values, through the raw function */
    uint8_t one[8];
    double d = 1.0;
    uint64_t bits;
    memcpy(&bits, &d, 8);
    floe_store_u64le(one, bits);
    assert_int_equal(floe_murmur3_32(one, 8, 0), -142385009);
}

static void test_bucket_of_34_in_16_is_3(void **state)
{
    (void)state;
    floe_value v = floe_value_int(34), out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("bucket[16]"), T(FLOE_ICE_INT), &v, &out, &err),
                   &err);
    assert_int_equal(out.kind, FLOE_V_INT);
    assert_int_equal(out.u.i32, 3);
    /* int and long bucket alike (promotion keeps partitions) */
    v = floe_value_long(34);
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("bucket[16]"), T(FLOE_ICE_LONG), &v, &out, &err),
                   &err);
    assert_int_equal(out.u.i32, 3);
}

static void test_bucket_rejects_floats_and_nulls_give_null(void **state)
{
    (void)state;
    floe_value v = floe_value_double(1.0), out;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_transform_apply(tr("bucket[4]"), T(FLOE_ICE_DOUBLE), &v, &out, &err),
                    FLOE_ERR_INVALID, &err, "cannot apply bucket[4] to a double column");
    floe_value n = floe_value_null();
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("bucket[4]"), T(FLOE_ICE_INT), &n, &out, &err),
                   &err);
    assert_int_equal(out.kind, FLOE_V_NULL);
}

static void test_truncate_spec_examples(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_value out;
    static const struct {
        int32_t in, want;
    } ints[] = {{1, 0}, {-1, -10}, {0, 0}, {9, 0}, {10, 10}, {-10, -10}, {-11, -20}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(ints); i++) {
        floe_value v = floe_value_int(ints[i].in);
        FLOE_ASSERT_OK(
            floe_ice_transform_apply(tr("truncate[10]"), T(FLOE_ICE_INT), &v, &out, &err), &err);
        assert_int_equal(out.u.i32, ints[i].want);
    }
    floe_value l = floe_value_long(-1);
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("truncate[10]"), T(FLOE_ICE_LONG), &l, &out, &err),
                   &err);
    assert_int_equal(out.u.i64, -10);
    /* decimal(4,2) 10.65 with W=50 -> 10.50 */
    const floe_ice_type *dec = floe_ice_type_decimal(t->arena, 4, 2);
    floe_value d = floe_value_decimal(1065, 4, 2);
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("truncate[50]"), dec, &d, &out, &err), &err);
    assert_true(out.u.dec == 1050);
    assert_int_equal(out.scale, 2);
    floe_value s = floe_value_string("iceberg", 7);
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("truncate[3]"), T(FLOE_ICE_STRING), &s, &out, &err),
                   &err);
    assert_int_equal(out.u.bytes.len, 3);
    assert_memory_equal(out.u.bytes.ptr, "ice", 3);
    /* code points, not bytes: "éa😀b" truncated to 3 code points is "éa😀" */
    const char *mb = "\xc3\xa9"
                     "a"
                     "\xf0\x9f\x98\x80"
                     "b";
    floe_value m = floe_value_string(mb, strlen(mb));
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("truncate[3]"), T(FLOE_ICE_STRING), &m, &out, &err),
                   &err);
    assert_int_equal(out.u.bytes.len, 7);
    static const uint8_t bin[] = {1, 2, 3, 4, 5};
    floe_value b = floe_value_binary(bin, 5);
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr("truncate[3]"), T(FLOE_ICE_BINARY), &b, &out, &err),
                   &err);
    assert_int_equal(out.u.bytes.len, 3);
}

static int32_t apply_int(const char *t, const floe_ice_type *src, floe_value v)
{
    floe_value out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_transform_apply(tr(t), src, &v, &out, &err), &err);
    return out.u.i32;
}

static void test_time_transforms_floor_before_the_epoch(void **state)
{
    (void)state;
    floe_err err = {0};
    int64_t us;
    const floe_ice_type *ts = T(FLOE_ICE_TIMESTAMP);
    FLOE_ASSERT_OK(floe_time_parse_iso("2017-11-16T22:31:08", 19, &us, &err), &err);
    floe_value v = floe_value_timestamp(us, FLOE_UNIT_MICROS, false);
    assert_int_equal(apply_int("year", ts, v), 47);
    assert_int_equal(apply_int("month", ts, v), 47 * 12 + 10);
    assert_int_equal(apply_int("day", ts, v), (int32_t)floe_days_from_civil(2017, 11, 16));
    assert_int_equal(apply_int("hour", ts, v), (int32_t)(us / 3600000000LL));
    /* One microsecond before the epoch is in 1969: hour -1, day -1, month -1, year -1. */
    floe_value pre = floe_value_timestamp(-1, FLOE_UNIT_MICROS, false);
    assert_int_equal(apply_int("hour", ts, pre), -1);
    assert_int_equal(apply_int("day", ts, pre), -1);
    assert_int_equal(apply_int("month", ts, pre), -1);
    assert_int_equal(apply_int("year", ts, pre), -1);
    /* dates: 1969-01-01 is month -12, year -1; 1968-12-31 is month -13 */
    floe_value d1 = floe_value_date((int32_t)floe_days_from_civil(1969, 1, 1));
    assert_int_equal(apply_int("month", T(FLOE_ICE_DATE), d1), -12);
    assert_int_equal(apply_int("year", T(FLOE_ICE_DATE), d1), -1);
    floe_value d2 = floe_value_date((int32_t)floe_days_from_civil(1968, 12, 31));
    assert_int_equal(apply_int("month", T(FLOE_ICE_DATE), d2), -13);
    assert_int_equal(apply_int("year", T(FLOE_ICE_DATE), d2), -2);
    /* nanosecond timestamps floor too */
    floe_value ns = floe_value_timestamp(-1, FLOE_UNIT_NANOS, true);
    assert_int_equal(apply_int("day", T(FLOE_ICE_TIMESTAMPTZ_NS), ns), -1);
    /* hour of a date is not allowed */
    floe_value out;
    FLOE_ASSERT_ERR(floe_ice_transform_apply(tr("hour"), T(FLOE_ICE_DATE), &d1, &out, &err),
                    FLOE_ERR_INVALID, &err, "cannot apply hour to a date column");
}

static void test_transform_strings_parse_and_print(void **state)
{
    floe_test_ctx *t = *state;
    static const char *const canon[] = {"identity", "bucket[16]", "truncate[4]", "year",
                                        "month",    "day",        "hour",        "void"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(canon); i++) {
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_ice_transform_format(tr(canon[i]), &b, &err), &err);
        assert_string_equal(floe_buf_cstr(&b), canon[i]);
        floe_buf_fini(&b);
    }
    floe_ice_transform x, y;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_transform_parse(t->arena, "zorder[a,b]", &x, &err), &err);
    assert_int_equal(x.kind, FLOE_ICE_T_UNKNOWN);
    assert_string_equal(x.text, "zorder[a,b]");
    assert_int_equal(tr("DAYS").kind, FLOE_ICE_T_DAY);
    FLOE_ASSERT_ERR(floe_ice_transform_parse(t->arena, "bucket[0]", &y, &err), FLOE_ERR_INVALID,
                    &err, "parameter must be between");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_transform_parse(t->arena, "truncate[99999999999]", &y, &err),
                    FLOE_ERR_INVALID, &err, NULL);
    const floe_ice_type *rt;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_transform_result_type(t->arena, x, T(FLOE_ICE_INT), &rt, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "unknown transform");
    FLOE_ASSERT_OK(
        floe_ice_transform_result_type(t->arena, tr("day"), T(FLOE_ICE_TIMESTAMPTZ), &rt, &err),
        &err);
    assert_int_equal(rt->id, FLOE_ICE_DATE);
}

static const char *human(floe_arena *a, const char *t, const floe_ice_type *result, floe_value v)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_transform_human(tr(t), result, &v, &b, &err), &err);
    const char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static void test_human_strings(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    int32_t days = (int32_t)floe_days_from_civil(2017, 11, 16);
    assert_string_equal(human(a, "year", T(FLOE_ICE_INT), floe_value_int(47)), "2017");
    assert_string_equal(human(a, "month", T(FLOE_ICE_INT), floe_value_int(47 * 12 + 10)),
                        "2017-11");
    assert_string_equal(human(a, "month", T(FLOE_ICE_INT), floe_value_int(-1)), "1969-12");
    assert_string_equal(human(a, "day", T(FLOE_ICE_DATE), floe_value_date(days)), "2017-11-16");
    assert_string_equal(human(a, "hour", T(FLOE_ICE_INT), floe_value_int(days * 24 + 22)),
                        "2017-11-16-22");
    assert_string_equal(human(a, "hour", T(FLOE_ICE_INT), floe_value_int(-1)), "1969-12-31-23");
    assert_string_equal(human(a, "identity", T(FLOE_ICE_INT), floe_value_null()), "null");
    assert_string_equal(
        human(a, "identity", floe_ice_type_decimal(a, 9, 2), floe_value_decimal(-1420, 9, 2)),
        "-14.20");
    assert_string_equal(
        human(a, "identity", T(FLOE_ICE_TIMESTAMP),
              floe_value_timestamp(INT64_C(1510871468000000), FLOE_UNIT_MICROS, false)),
        "2017-11-16T22:31:08");
    assert_string_equal(
        human(a, "identity", T(FLOE_ICE_TIMESTAMPTZ),
              floe_value_timestamp(INT64_C(1510871468123000), FLOE_UNIT_MICROS, true)),
        "2017-11-16T22:31:08.123Z");
    assert_string_equal(human(a, "identity", T(FLOE_ICE_DOUBLE), floe_value_double(1.0)), "1.0");
    assert_string_equal(human(a, "identity", T(FLOE_ICE_DOUBLE), floe_value_double(1e10)),
                        "1.0E10");
    assert_string_equal(human(a, "identity", T(FLOE_ICE_FLOAT), floe_value_float(0.1f)), "0.1");
    static const uint8_t b[] = {0, 1, 2, 3};
    assert_string_equal(human(a, "identity", T(FLOE_ICE_BINARY), floe_value_binary(b, 4)),
                        "AAECAw==");
}

static void test_partition_path_escapes_values(void **state)
{
    floe_test_ctx *t = *state;
    const floe_ice_schema *s = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                  "{\"id\":1,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
                  "{\"id\":2,\"name\":\"cat\",\"required\":false,\"type\":\"string\"}]}");
    json_t *j = ice_test_json("{\"spec-id\":0,\"fields\":["
                              "{\"name\":\"ts_day\",\"transform\":\"day\",\"source-id\":1,"
                              "\"field-id\":1000},"
                              "{\"name\":\"cat\",\"transform\":\"identity\",\"source-id\":2,"
                              "\"field-id\":1001}]}");
    const floe_partition_spec *spec;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, false, 0, &spec, &err), &err);
    json_decref(j);
    floe_value items[2] = {floe_value_date((int32_t)floe_days_from_civil(2017, 11, 16)),
                           floe_value_string("a b/c=d%", 8)};
    floe_value tuple = floe_value_null();
    tuple.kind = FLOE_V_STRUCT;
    tuple.u.nested.items = items;
    tuple.u.nested.n = 2;
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_partition_path(spec, s, &tuple, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), "ts_day=2017-11-16/cat=a+b%2Fc%3Dd%25");
    floe_buf_reset(&b);
    items[1] = floe_value_null();
    FLOE_ASSERT_OK(floe_partition_path(spec, s, &tuple, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), "ts_day=2017-11-16/cat=null");
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(transforms)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_murmur3_appendix_b_vectors, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bucket_of_34_in_16_is_3, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bucket_rejects_floats_and_nulls_give_null,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_truncate_spec_examples, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_time_transforms_floor_before_the_epoch,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_transform_strings_parse_and_print, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_human_strings, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partition_path_escapes_values, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
