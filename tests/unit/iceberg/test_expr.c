/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expressions: the filter text parser, binding with literal conversion, row evaluation with
 * null and NaN semantics, inclusive projection through transforms, the metrics evaluator, and
 * the REST/Java JSON form.
 */
#include "ice_helpers.h"

#include <math.h>

static const char *SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"int\"},"
    "{\"id\":2,\"name\":\"l\",\"required\":false,\"type\":\"long\"},"
    "{\"id\":3,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":4,\"name\":\"d\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":5,\"name\":\"dec\",\"required\":false,\"type\":\"decimal(9,2)\"},"
    "{\"id\":6,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":7,\"name\":\"dt\",\"required\":false,\"type\":\"date\"},"
    "{\"id\":8,\"name\":\"t\",\"required\":false,\"type\":\"time\"},"
    "{\"id\":9,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
    "{\"id\":10,\"name\":\"tz\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":11,\"name\":\"tsn\",\"required\":false,\"type\":\"timestamp_ns\"},"
    "{\"id\":12,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":13,\"name\":\"b\",\"required\":false,\"type\":\"binary\"},"
    "{\"id\":14,\"name\":\"flag\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":15,\"name\":\"st\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":16,\"name\":\"a\",\"required\":false,\"type\":\"int\"}]}},"
    "{\"id\":17,\"name\":\"lst\",\"required\":false,\"type\":{\"type\":\"list\",\"element-id\":18,"
    "\"element\":\"int\",\"element-required\":false}},"
    "{\"id\":19,\"name\":\"Breed Name\",\"required\":false,\"type\":\"string\"}]}";

static const char *to_text(floe_arena *a, const floe_ice_expr *e)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_to_string(e, &b, &err), &err);
    const char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static const floe_ice_expr *parse(floe_arena *a, const char *text)
{
    const floe_ice_expr *e = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, text, strlen(text), &e, &err), &err);
    /* the text form reads back to the same tree */
    const char *printed = to_text(a, e);
    const floe_ice_expr *again = NULL;
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, printed, strlen(printed), &again, &err), &err);
    assert_string_equal(to_text(a, again), printed);
    return e;
}

static void expect_parse(floe_arena *a, const char *text, const char *want)
{
    const char *got = to_text(a, parse(a, text));
    if (strcmp(got, want) != 0) {
        print_error("parse(%s)\n  got:  %s\n  want: %s\n", text, got, want);
        fail();
    }
}

static void expect_bind(floe_arena *a, const floe_ice_schema *s, const char *text, const char *want)
{
    const char *got = to_text(a, ice_test_bind(a, s, text));
    if (strcmp(got, want) != 0) {
        print_error("bind(%s)\n  got:  %s\n  want: %s\n", text, got, want);
        fail();
    }
}

/* ==== Parsing ==== */

static void test_parse_forms(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    expect_parse(a,
                 "id > 5 AND ts >= '2023-03-01T19:25:00' OR name IN ('a','b') AND NOT (x IS NULL)",
                 "((id > 5 AND ts >= '2023-03-01T19:25:00') OR (name IN ('a', 'b') AND NOT (x IS "
                 "NULL)))");
    expect_parse(a, "5 < id", "id > 5");
    expect_parse(a, "a = 1 and b <> 2 or not c == 3", "((a = 1 AND b != 2) OR NOT (c = 3))");
    expect_parse(a, "x = NULL", "x IS NULL");
    expect_parse(a, "x != null", "x IS NOT NULL");
    expect_parse(a, "x < null", "FALSE");
    expect_parse(a, "x is not nan and y IS NaN", "(x IS NOT NAN AND y IS NAN)");
    expect_parse(a, "x BETWEEN 1 AND 10", "(x >= 1 AND x <= 10)");
    expect_parse(a, "x NOT BETWEEN 1 AND 10", "(x < 1 OR x > 10)");
    expect_parse(a, "s LIKE 'abc%'", "s STARTS WITH 'abc'");
    expect_parse(a, "s NOT LIKE 'it''s%'", "s NOT STARTS WITH 'it''s'");
    expect_parse(a, "s LIKE 'exact'", "s = 'exact'");
    expect_parse(a, "s starts with 'p'", "s STARTS WITH 'p'");
    expect_parse(a, "`Breed Name` = 'Rex'", "`Breed Name` = 'Rex'");
    expect_parse(a, "\"and\" = 1", "`and` = 1");
    expect_parse(a, "loc.lat > -1.5", "loc.lat > -1.5");
    expect_parse(a, "d = 1e3", "d = 1e+03");
    expect_parse(a, "d = 2.50", "d = 2.50");
    expect_parse(a, "n = 123456789012345678901234567890", "n = 123456789012345678901234567890.");
    expect_parse(a, "b = X'00ff'", "b = X'00ff'");
    expect_parse(a, "dt >= DATE '2023-01-01'", "dt >= '2023-01-01'");
    expect_parse(a, "DATE '2023-01-01' <= date", "`date` >= '2023-01-01'");
    expect_parse(a, "flag = TRUE", "flag = TRUE");
    expect_parse(a, "TRUE", "TRUE");
    expect_parse(a, "x IN (1, NULL)", "x IN (1)");
    expect_parse(a, "x NOT IN (1, NULL)", "FALSE");
    expect_parse(a, "x IN (NULL)", "FALSE");
    expect_parse(a, "a = 1 AND b = 2 AND c = 3 AND d = 4",
                 "((a = 1 AND b = 2) AND (c = 3 AND d = 4))");
}

static void expect_parse_error(floe_arena *a, const char *text, floe_status code, const char *msg)
{
    const floe_ice_expr *e;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_expr_parse(a, text, strlen(text), &e, &err), code, &err, msg);
}

static void test_parse_errors(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    expect_parse_error(a, "", FLOE_ERR_INVALID, "empty expression");
    expect_parse_error(a, "id >", FLOE_ERR_INVALID, "expected a literal at offset 4");
    expect_parse_error(a, "id = 'abc", FLOE_ERR_INVALID, "unterminated quoted text at offset 5");
    expect_parse_error(a, "(id = 1", FLOE_ERR_INVALID, "expected ')'");
    expect_parse_error(a, "id = 1 AND", FLOE_ERR_INVALID, "expected a predicate");
    expect_parse_error(a, "id = 1 $", FLOE_ERR_INVALID, "unexpected character '$' at offset 7");
    expect_parse_error(a, "id = 1 id = 2", FLOE_ERR_INVALID, "unexpected text after");
    expect_parse_error(a, "a = b", FLOE_ERR_UNSUPPORTED, "comparing two columns");
    expect_parse_error(a, "s LIKE '%x'", FLOE_ERR_UNSUPPORTED, "only prefix patterns");
    expect_parse_error(a, "x IN 1", FLOE_ERR_INVALID, "expected '(' after IN");
    expect_parse_error(a, "x IN (1 2)", FLOE_ERR_INVALID, "expected ',' or ')'");
    expect_parse_error(a, "x IS 5", FLOE_ERR_INVALID, "expected NULL or NAN after IS");
    expect_parse_error(a, "x = 1.2.3", FLOE_ERR_INVALID, "invalid number");
    expect_parse_error(a, "b = X'0'", FLOE_ERR_INVALID, "even number of digits");
    expect_parse_error(a, "`` = 1", FLOE_ERR_INVALID, "empty quoted name");
    floe_buf deep;
    floe_buf_init(&deep, 0);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_byte(&deep, '(', NULL);
    }
    floe_buf_append_str(&deep, "x = 1", NULL);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_byte(&deep, ')', NULL);
    }
    expect_parse_error(a, floe_buf_cstr(&deep), FLOE_ERR_TOO_BIG, "nesting deeper than");
    floe_buf_reset(&deep);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_str(&deep, "NOT ", NULL);
    }
    floe_buf_append_str(&deep, "x = 1", NULL);
    expect_parse_error(a, floe_buf_cstr(&deep), FLOE_ERR_TOO_BIG, "nesting deeper than");
    floe_buf_fini(&deep);
    const floe_ice_expr *e;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_expr_parse(a, "x = 1\0y", 7, &e, &err), FLOE_ERR_INVALID, &err,
                    "NUL byte");
}

static void test_long_chains_stay_shallow(void **state)
{
    floe_test_ctx *t = *state;
    floe_buf b;
    floe_buf_init(&b, 0);
    for (int i = 0; i < 5000; i++) {
        floe_buf_printf(&b, NULL, "%sx = %d", i > 0 ? " OR " : "", i);
    }
    const floe_ice_expr *e;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_parse(t->arena, b.data, b.len, &e, &err), &err);
    int depth = 0;
    while (e->op == FLOE_ICE_EXPR_OR) {
        e = e->left;
        depth++;
    }
    assert_true(depth <= 13); /* balanced: log2(5000) */
    floe_buf_fini(&b);
}

/* ==== Binding ==== */

static void test_bind_converts_literals(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    const floe_ice_expr *e = ice_test_bind(a, s, "id > 5");
    assert_true(e->bound);
    assert_int_equal(e->field_id, 1);
    assert_int_equal(e->lits[0].kind, FLOE_V_INT);
    expect_bind(a, s, "id < 5.5", "id <= 5");
    expect_bind(a, s, "id <= 5.5", "id <= 5");
    expect_bind(a, s, "id > 5.5", "id >= 6");
    expect_bind(a, s, "id > -5.5", "id >= -5");
    expect_bind(a, s, "id = 5.5", "FALSE");
    expect_bind(a, s, "id != 5.5", "id IS NOT NULL");
    expect_bind(a, s, "id < 3000000000", "id IS NOT NULL");
    expect_bind(a, s, "id > 3000000000", "FALSE");
    expect_bind(a, s, "id >= -3000000000", "id IS NOT NULL");
    expect_bind(a, s, "id IN (1, 2.5, 3000000000, 1)", "id = 1");
    expect_bind(a, s, "id NOT IN (2.5)", "id IS NOT NULL");
    expect_bind(a, s, "id = 5e0", "id = 5");
    expect_bind(a, s, "l = 9223372036854775807", "l = 9223372036854775807");
    expect_bind(a, s, "l > 9223372036854775808", "FALSE");
    expect_bind(a, s, "d = 1", "d = 1e+00");
    expect_bind(a, s, "dec = '14.2'", "dec = 14.20");
    expect_bind(a, s, "dec > 14.205", "dec >= 14.21");
    expect_bind(a, s, "dec < -14.205", "dec <= -14.21");
    expect_bind(a, s, "dec < 1e10", "dec IS NOT NULL");
    expect_bind(a, s, "dec = 10000000", "FALSE");
    expect_bind(a, s, "dt = '2023-03-01'", "dt = DATE '2023-03-01'");
    expect_bind(a, s, "t < '22:31:08'", "t < TIME '22:31:08.000000'");
    expect_bind(a, s, "ts >= '2023-03-01T19:25:00'",
                "ts >= TIMESTAMP '2023-03-01T19:25:00.000000'");
    expect_bind(a, s, "ts >= '2023-03-01 19:25'", "ts >= TIMESTAMP '2023-03-01T19:25:00.000000'");
    expect_bind(a, s, "tz = '2023-03-01T19:25:00-01:00'",
                "tz = TIMESTAMP '2023-03-01T20:25:00.000000+00:00'");
    expect_bind(a, s, "tsn = '2023-03-01T19:25:00.123456789'",
                "tsn = TIMESTAMP '2023-03-01T19:25:00.123456789'");
    expect_bind(a, s, "u = 'F79C3E09-677C-4BBD-A479-3F349CB785E7'",
                "u = 'f79c3e09-677c-4bbd-a479-3f349cb785e7'");
    expect_bind(a, s, "b = 'ab'", "b = X'6162'");
    expect_bind(a, s, "flag = 'true'", "flag = TRUE");
    expect_bind(a, s, "st.a = 1", "st.a = 1");
    expect_bind(a, s, "`Breed Name` LIKE 'Hol%'", "`Breed Name` STARTS WITH 'Hol'");
    /* NOT goes away; NaN keeps matching the negation of a float comparison */
    expect_bind(a, s, "NOT (id < 5)", "id >= 5");
    expect_bind(a, s, "NOT (id = 1 AND s IS NULL)", "(id != 1 OR s IS NOT NULL)");
    expect_bind(a, s, "NOT (d < 1.5)", "(d >= 1.5e+00 OR d IS NAN)");
    expect_bind(a, s, "NOT NOT (d < 1.5)", "d < 1.5e+00");
    expect_bind(a, s, "NOT (d = 1.5)", "d != 1.5e+00");
    expect_bind(a, s, "NOT (s STARTS WITH 'a')", "s NOT STARTS WITH 'a'");
    expect_bind(a, s, "NOT TRUE OR id = 1", "id = 1");
}

static void expect_bind_error(floe_arena *a, const floe_ice_schema *s, const char *text,
                              const char *msg)
{
    const floe_ice_expr *e = NULL, *b = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, text, strlen(text), &e, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_expr_bind(a, e, s, &b, &err), FLOE_ERR_INVALID, &err, msg);
}

static void test_bind_errors(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    expect_bind_error(a, s, "zz = 1", "cannot find field 'zz' in the schema");
    expect_bind_error(a, s, "ID = 1", "cannot find field 'ID'");
    expect_bind_error(a, s, "st = 1", "cannot filter on st: it is a struct");
    expect_bind_error(a, s, "lst.element = 1", "cannot filter on lst.element: it is inside a list");
    expect_bind_error(a, s, "s > 5", "cannot compare string column s with literal 5");
    expect_bind_error(a, s, "id = 'x'", "cannot compare int column id with literal \"x\"");
    expect_bind_error(a, s, "dt = '2023-02-30'", "expected a date 'YYYY-MM-DD'");
    expect_bind_error(a, s, "ts > 'yesterday'", "expected an ISO timestamp");
    expect_bind_error(a, s, "u = 'nope'", "expected a uuid");
    expect_bind_error(a, s, "id IS NAN", "IS NAN needs a float or double column, but id is int");
    expect_bind_error(a, s, "id STARTS WITH 'a'", "STARTS WITH needs a string column");
    expect_bind_error(a, s, "flag = 1", "cannot compare boolean column flag");
}

/* ==== Row evaluation ==== */

typedef struct row {
    const floe_ice_schema *s;
    floe_value items[19];
    floe_value st_items[1];
    floe_value v;
} row;

static void row_init(row *r, const floe_ice_schema *s)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    for (size_t i = 0; i < 19; i++) {
        r->items[i] = floe_value_null();
    }
    r->st_items[0] = floe_value_null();
    r->items[14].kind = FLOE_V_STRUCT;
    r->items[14].u.nested.items = r->st_items;
    r->items[14].u.nested.n = 1;
    r->v = floe_value_null();
    r->v.kind = FLOE_V_STRUCT;
    r->v.u.nested.items = r->items;
    r->v.u.nested.n = 19;
}

static bool eval(floe_arena *a, row *r, const char *text)
{
    const floe_ice_expr *e = ice_test_bind(a, r->s, text);
    floe_ice_row fr = {r->s, &r->v};
    return floe_ice_expr_eval(e, floe_ice_row_value, &fr);
}

static void test_row_evaluation_null_and_nan(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    row r;
    row_init(&r, s);
    r.items[0] = floe_value_int(6);
    r.items[1] = floe_value_int(7); /* a long column read from a file written as int */
    r.items[3] = floe_value_double(NAN);
    r.items[5] = floe_value_string("abc", 3);
    r.st_items[0] = floe_value_int(2);
    assert_true(eval(a, &r, "id > 5"));
    assert_false(eval(a, &r, "id > 6"));
    assert_true(eval(a, &r, "id > 5.5"));
    assert_true(eval(a, &r, "l = 7 AND l IN (1, 7) AND l NOT IN (8)"));
    assert_true(eval(a, &r, "st.a = 2"));
    /* NaN: comparisons false, != and NOT IN true, and the negations consistent */
    assert_false(eval(a, &r, "d < 1.5"));
    assert_false(eval(a, &r, "d >= 1.5"));
    assert_false(eval(a, &r, "d = 1.5"));
    assert_true(eval(a, &r, "d != 1.5"));
    assert_true(eval(a, &r, "NOT (d < 1.5)"));
    assert_true(eval(a, &r, "d IS NAN"));
    assert_false(eval(a, &r, "d IS NOT NAN"));
    assert_true(eval(a, &r, "d NOT IN (1, 2)"));
    /* null: every comparison is unknown, so neither it nor its negation matches */
    assert_false(eval(a, &r, "f = 1"));
    assert_false(eval(a, &r, "NOT (f = 1)"));
    assert_false(eval(a, &r, "f != 1"));
    assert_false(eval(a, &r, "f IS NAN"));
    assert_false(eval(a, &r, "f IS NOT NAN"));
    assert_true(eval(a, &r, "f IS NULL"));
    assert_false(eval(a, &r, "NOT (f IS NULL)"));
    assert_false(eval(a, &r, "dt NOT IN ('2023-01-01')"));
    assert_false(eval(a, &r, "`Breed Name` NOT STARTS WITH 'x'"));
    assert_false(eval(a, &r, "NOT (b = 'x')"));
    /* strings */
    assert_true(eval(a, &r, "s STARTS WITH 'ab'"));
    assert_false(eval(a, &r, "s STARTS WITH 'abcd'"));
    assert_true(eval(a, &r, "s NOT STARTS WITH 'b'"));
    assert_true(eval(a, &r, "s > 'ab' AND s < 'b'"));
    /* OR with a null operand */
    assert_true(eval(a, &r, "f = 1 OR id = 6"));
}

static void test_fixture_filter_expectations(void **state)
{
    /* spark_v1_day_partition: ts > 2023-03-01 19:25 selects id 3; >= selects ids 2 and 3. */
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(
        a, "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\","
           "\"required\":false,\"type\":\"int\"},{\"id\":2,\"name\":\"str\",\"required\":false,"
           "\"type\":\"string\"},{\"id\":3,\"name\":\"ts\",\"required\":false,\"type\":"
           "\"timestamp\"}]}");
    static const char *const times[] = {"2023-03-01T18:15:00", "2023-03-01T19:25:00",
                                        "2023-03-02T22:00:00"};
    const floe_ice_expr *gt = ice_test_bind(a, s, "ts > '2023-03-01 19:25'");
    const floe_ice_expr *ge = ice_test_bind(a, s, "ts >= '2023-03-01 19:25'");
    int n_gt = 0, n_ge = 0, last_gt = 0;
    for (int i = 0; i < 3; i++) {
        int64_t us;
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_time_parse_iso(times[i], strlen(times[i]), &us, &err), &err);
        floe_value items[3] = {floe_value_int(i + 1), floe_value_null(),
                               floe_value_timestamp(us, FLOE_UNIT_MICROS, false)};
        floe_value r = floe_value_null();
        r.kind = FLOE_V_STRUCT;
        r.u.nested.items = items;
        r.u.nested.n = 3;
        floe_ice_row fr = {s, &r};
        if (floe_ice_expr_eval(gt, floe_ice_row_value, &fr)) {
            n_gt++;
            last_gt = i + 1;
        }
        n_ge += floe_ice_expr_eval(ge, floe_ice_row_value, &fr) ? 1 : 0;
    }
    assert_int_equal(n_gt, 1);
    assert_int_equal(last_gt, 3);
    assert_int_equal(n_ge, 2);
}

/* ==== Projection ==== */

static const floe_partition_spec *spec_of(floe_arena *a, const char *fields)
{
    json_t *j = ice_test_json(fields);
    const floe_partition_spec *sp;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, true, 0, &sp, &err), &err);
    json_decref(j);
    return sp;
}

static const char *project(floe_arena *a, const floe_ice_schema *s, const floe_partition_spec *sp,
                           const char *filter)
{
    const floe_ice_expr *p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_project(a, ice_test_bind(a, s, filter), sp, s, &p, &err), &err);
    return to_text(a, p);
}

static void expect_projection(floe_arena *a, const floe_ice_schema *s,
                              const floe_partition_spec *sp, const char *filter, const char *want)
{
    const char *got = project(a, s, sp, filter);
    if (strcmp(got, want) != 0) {
        print_error("project(%s)\n  got:  %s\n  want: %s\n", filter, got, want);
        fail();
    }
}

static void test_inclusive_projection(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    const floe_partition_spec *day = spec_of(
        a, "[{\"name\":\"ts_day\",\"transform\":\"day\",\"source-id\":9},{\"name\":\"id_b\","
           "\"transform\":\"bucket[16]\",\"source-id\":1},{\"name\":\"s3\",\"transform\":"
           "\"truncate[3]\",\"source-id\":6},{\"name\":\"id10\",\"transform\":\"truncate[10]\","
           "\"source-id\":1},{\"name\":\"dt_m\",\"transform\":\"month\",\"source-id\":7},"
           "{\"name\":\"f\",\"transform\":\"identity\",\"source-id\":3},{\"name\":\"v\","
           "\"transform\":\"void\",\"source-id\":2},{\"name\":\"z\",\"transform\":\"zorder\","
           "\"source-id\":4}]");
    expect_projection(a, s, day, "ts > '2023-03-01T19:25:00'", "ts_day >= DATE '2023-03-01'");
    expect_projection(a, s, day, "ts < '2023-03-01T00:00:00'", "ts_day <= DATE '2023-02-28'");
    expect_projection(a, s, day, "ts <= '2023-03-01T00:00:00'", "ts_day <= DATE '2023-03-01'");
    expect_projection(a, s, day, "ts = '2023-03-01T10:00:00'", "ts_day = DATE '2023-03-01'");
    expect_projection(a, s, day, "ts != '2023-03-01T10:00:00'", "TRUE");
    /* pre-epoch: widened for files from writers that rounded toward zero */
    expect_projection(a, s, day, "ts = '1969-12-31T10:00:00'",
                      "ts_day IN (DATE '1969-12-31', DATE '1970-01-01')");
    expect_projection(a, s, day, "ts < '1969-12-31T00:00:00'", "ts_day <= DATE '1969-12-31'");
    expect_projection(a, s, day, "id = 34", "(id_b = 3 AND id10 = 30)");
    expect_projection(a, s, day, "id IN (34, 35)", "(id_b IN (3, 5) AND id10 = 30)");
    expect_projection(a, s, day, "id > 34", "id10 >= 30");
    expect_projection(a, s, day, "id < 10", "id10 <= 0");
    expect_projection(a, s, day, "id > 2147483647", "FALSE");
    expect_projection(a, s, day, "s = 'iceberg'", "s3 = 'ice'");
    expect_projection(a, s, day, "s < 'iceberg'", "s3 <= 'ice'");
    expect_projection(a, s, day, "s STARTS WITH 'iceberg'", "s3 = 'ice'");
    expect_projection(a, s, day, "s STARTS WITH 'ic'", "s3 STARTS WITH 'ic'");
    expect_projection(a, s, day, "s NOT STARTS WITH 'ice'", "s3 != 'ice'");
    expect_projection(a, s, day, "s NOT STARTS WITH 'ic'", "s3 NOT STARTS WITH 'ic'");
    expect_projection(a, s, day, "s NOT STARTS WITH 'iceb'", "TRUE");
    expect_projection(a, s, day, "dt >= '2017-11-16'", "dt_m >= 574");
    expect_projection(a, s, day, "f > 1.5 AND f IS NOT NAN", "(f > 1.5e+00 AND f IS NOT NAN)");
    expect_projection(a, s, day, "l = 5", "TRUE"); /* void */
    expect_projection(a, s, day, "d = 5", "TRUE"); /* unknown transform */
    expect_projection(a, s, day, "u IS NULL", "TRUE");
    expect_projection(a, s, day, "id IS NULL OR ts IS NOT NULL",
                      "((id_b IS NULL AND id10 IS NULL) OR ts_day IS NOT NULL)");
    expect_projection(a, s, day, "id = 34 OR s = 'x'", "((id_b = 3 AND id10 = 30) OR s3 = 'x')");
}

static void test_projection_prunes_fixture_partitions(void **state)
{
    /* spark_bucket_identity_rename: partitions (0, 2022-01-01), (2, 2022-01-02), (3, null). */
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const char *dir = floe_test_copy_shared(t, "iceberg");
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_table_meta *m;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_iceberg_read_metadata(a, io,
                                   floe_arena_sprintf(a,
                                                      "%s/spark_bucket_identity_rename/metadata/"
                                                      "v3.metadata.json",
                                                      dir),
                                   &m, &err),
        &err);
    floe_fileio_free(io);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    const floe_partition_spec *sp = floe_table_meta_default_spec(m);
    const floe_ice_schema *ps;
    FLOE_ASSERT_OK(floe_partition_spec_schema(a, sp, s, &ps, &err), &err);
    int32_t d1 = (int32_t)floe_days_from_civil(2022, 1, 1);
    floe_value parts[3][2] = {{floe_value_int(0), floe_value_date(d1)},
                              {floe_value_int(2), floe_value_date(d1 + 1)},
                              {floe_value_int(3), floe_value_null()}};
    static const struct {
        const char *filter;
        int want[3];
    } cases[] = {
        {"event_date = '2022-01-02'", {0, 1, 0}},
        {"id = 4", {0, 1, 0}}, /* bucket[4](4) = 2 */
        {"id = 1", {1, 0, 0}},
        {"event_date IS NULL", {0, 0, 1}},
        {"event_date >= '2022-01-01'", {1, 1, 0}},
        {"price > 5", {1, 1, 1}},
        {"id = 4 OR event_date IS NULL", {0, 1, 1}},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        const floe_ice_expr *p;
        FLOE_ASSERT_OK(
            floe_ice_expr_project(a, ice_test_bind(a, s, cases[i].filter), sp, s, &p, &err), &err);
        for (int k = 0; k < 3; k++) {
            floe_value tup = floe_value_null();
            tup.kind = FLOE_V_STRUCT;
            tup.u.nested.items = parts[k];
            tup.u.nested.n = 2;
            floe_ice_row fr = {ps, &tup};
            bool got = floe_ice_expr_eval(p, floe_ice_row_value, &fr);
            if (got != (cases[i].want[k] != 0)) {
                print_error("%s on partition %d: got %d (projected: %s)\n", cases[i].filter, k, got,
                            to_text(a, p));
                fail();
            }
        }
    }
}

/* ==== Metrics ==== */

static floe_field_bound bound(floe_arena *a, int32_t id, const floe_ice_type *t, floe_value v)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_value_to_bytes(t, &v, &b, &err), &err);
    floe_field_bound fb = {id, {floe_arena_memdup(a, b.data != NULL ? b.data : "", b.len), b.len}};
    floe_buf_fini(&b);
    return fb;
}

static void test_metrics_evaluator(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    const floe_ice_type *I = floe_ice_type_get(FLOE_ICE_INT),
                        *S = floe_ice_type_get(FLOE_ICE_STRING);
    floe_field_count values[] = {{1, 100}, {4, 100}, {6, 100}, {3, 100}, {7, 100}};
    floe_field_count nulls[] = {{1, 0}, {4, 0}, {6, 10}, {3, 100}, {7, 0}};
    floe_field_count nans[] = {{4, 100}};
    /* the long column l carries 4-byte bounds written before int -> long promotion */
    floe_field_bound lower[] = {bound(a, 1, I, floe_value_int(1)),
                                bound(a, 6, S, floe_value_string("apple", 5)),
                                bound(a, 2, I, floe_value_int(-5)),
                                {7, {"\x01\x02\x03", 3}}}; /* an undecodable bound */
    floe_field_bound upper[] = {bound(a, 1, I, floe_value_int(10)),
                                bound(a, 6, S, floe_value_string("banana", 6)),
                                bound(a, 2, I, floe_value_int(5))};
    floe_data_file f = {0};
    f.record_count = 100;
    f.value_counts = values;
    f.n_value_counts = FLOE_ARRAY_LEN(values);
    f.null_value_counts = nulls;
    f.n_null_value_counts = FLOE_ARRAY_LEN(nulls);
    f.nan_value_counts = nans;
    f.n_nan_value_counts = 1;
    f.lower_bounds = lower;
    f.n_lower_bounds = FLOE_ARRAY_LEN(lower);
    f.upper_bounds = upper;
    f.n_upper_bounds = FLOE_ARRAY_LEN(upper);
    static const struct {
        const char *filter;
        bool might;
    } cases[] = {
        {"id < 1", false},
        {"id < 2", true},
        {"id <= 0", false},
        {"id <= 1", true},
        {"id > 10", false},
        {"id >= 10", true},
        {"id = 11", false},
        {"id = 0", false},
        {"id = 5", true},
        {"id != 5", true},
        {"id IN (20, 30)", false},
        {"id IN (0, 5)", true},
        {"id NOT IN (5)", true},
        {"id IS NULL", false},
        {"id IS NOT NULL", true},
        {"f IS NOT NULL", false},
        {"f < 1", false},
        {"f IS NULL", true},
        {"d IS NAN", true},
        {"d IS NOT NAN", false},
        {"d > 1", false},
        {"s STARTS WITH 'b'", true},
        {"s STARTS WITH 'c'", false},
        {"s STARTS WITH 'aa'", false},
        {"s STARTS WITH 'bananas'", false},
        {"s = 'cherry'", false},
        {"s >= 'banana'", true},
        {"s NOT STARTS WITH 'a'", true}, /* nulls might be there */
        {"l > 5", false},
        {"l >= 5", true},
        {"l < -5", false},
        {"dt = '2023-01-01'", true}, /* the bound does not decode: no information */
        {"u = 'f79c3e09-677c-4bbd-a479-3f349cb785e7'", true}, /* no metrics at all */
        {"id < 1 OR s = 'cherry'", false},
        {"id < 1 OR s = 'b'", true},
        {"id = 5 AND f IS NOT NULL", false},
        {"NOT (id >= 1)", false},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        bool got = floe_ice_metrics_might_match(ice_test_bind(a, s, cases[i].filter), &f);
        if (got != cases[i].might) {
            print_error("metrics(%s): got %d, want %d\n", cases[i].filter, got, cases[i].might);
            fail();
        }
    }
    /* every value starts with the prefix and no nulls: NOT STARTS WITH cannot match */
    floe_field_count nn[] = {{6, 0}};
    floe_field_bound lo2[] = {bound(a, 6, S, floe_value_string("abc", 3))};
    floe_field_bound hi2[] = {bound(a, 6, S, floe_value_string("azz", 3))};
    floe_data_file g = {0};
    g.record_count = 5;
    g.null_value_counts = nn;
    g.n_null_value_counts = 1;
    g.lower_bounds = lo2;
    g.n_lower_bounds = 1;
    g.upper_bounds = hi2;
    g.n_upper_bounds = 1;
    assert_false(floe_ice_metrics_might_match(ice_test_bind(a, s, "s NOT STARTS WITH 'a'"), &g));
    assert_true(floe_ice_metrics_might_match(ice_test_bind(a, s, "s NOT STARTS WITH 'ab'"), &g));
    /* an empty file never matches; a file with unknown row count always might */
    g.record_count = 0;
    assert_false(floe_ice_metrics_might_match(floe_ice_expr_true(), &g));
    g.record_count = -1;
    assert_true(floe_ice_metrics_might_match(ice_test_bind(a, s, "s = 'zzz'"), &g));
    /* lookups */
    int64_t n;
    assert_true(floe_data_file_value_count(&f, 6, &n));
    assert_int_equal(n, 100);
    assert_true(floe_data_file_null_count(&f, 6, &n));
    assert_int_equal(n, 10);
    assert_false(floe_data_file_nan_count(&f, 6, &n));
    floe_str bs;
    assert_true(floe_data_file_upper_bound(&f, 6, &bs));
    assert_int_equal(bs.len, 6);
    assert_false(floe_data_file_lower_bound(&f, 99, &bs));
}

/* ==== JSON ==== */

static void test_json_form(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    const floe_ice_schema *s = ice_test_schema(a, SCHEMA);
    static const char *java =
        "{\"type\":\"or\",\"left\":{\"type\":\"and\",\"left\":{\"type\":\"lt\",\"term\":\"id\","
        "\"value\":5},\"right\":{\"type\":\"in\",\"term\":\"s\",\"values\":[\"a\",\"b\"]}},"
        "\"right\":{\"type\":\"not\",\"child\":{\"type\":\"is-null\",\"term\":\"d\"}}}";
    json_t *j = ice_test_json(java);
    const floe_ice_expr *e;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_expr_from_json(a, j, NULL, &e, &err), &err);
    json_decref(j);
    assert_false(e->left->left->bound);
    assert_string_equal(to_text(a, e), "((id < 5 AND s IN ('a', 'b')) OR NOT (d IS NULL))");
    ice_test_json_eq(floe_ice_expr_to_json(e), java);
    /* the REST form with references and literal objects, bound with a schema */
    j = ice_test_json(
        "{\"type\":\"and\",\"left\":{\"type\":\"gt-eq\",\"left\":{\"type\":\"reference\","
        "\"name\":\"dt\"},\"right\":{\"type\":\"literal\",\"value\":\"2023-03-01\"}},"
        "\"right\":{\"type\":\"lt\",\"left\":{\"type\":\"literal\",\"value\":10},\"right\":{"
        "\"type\":\"reference\",\"id\":1}}}");
    FLOE_ASSERT_OK(floe_ice_expr_from_json(a, j, s, &e, &err), &err);
    json_decref(j);
    assert_true(e->left->bound);
    assert_string_equal(to_text(a, e), "(dt >= DATE '2023-03-01' AND id > 10)");
    ice_test_json_eq(floe_ice_expr_to_json(e),
                     "{\"type\":\"and\",\"left\":{\"type\":\"gt-eq\",\"term\":\"dt\",\"value\":"
                     "\"2023-03-01\"},\"right\":{\"type\":\"gt\",\"term\":\"id\",\"value\":10}}");
    /* bare booleans, deprecated true/false objects, binary literals in hex */
    j = ice_test_json("[true,{\"type\":\"false\"},{\"type\":\"eq\",\"term\":\"b\",\"value\":"
                      "\"00ff\"},{\"type\":\"not-in\",\"child\":{\"type\":\"reference\",\"name\":"
                      "\"u\"},\"values\":{\"type\":\"literals\",\"values\":["
                      "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"],\"data-type\":\"uuid\"}}]");
    const char *want[] = {"TRUE", "FALSE", "b = X'00ff'",
                          "u != 'f79c3e09-677c-4bbd-a479-3f349cb785e7'"};
    for (size_t i = 0; i < 4; i++) {
        FLOE_ASSERT_OK(floe_ice_expr_from_json(a, json_array_get(j, i), s, &e, &err), &err);
        assert_string_equal(to_text(a, e), want[i]);
    }
    json_decref(j);
    static const struct {
        const char *json;
        floe_status code;
        const char *msg;
    } bad[] = {
        {"{\"type\":\"xor\"}", FLOE_ERR_INVALID, "unknown expression type \"xor\""},
        {"{\"type\":\"lt\",\"term\":\"id\"}", FLOE_ERR_INVALID, "comparison without a value"},
        {"{\"type\":\"and\",\"left\":true}", FLOE_ERR_INVALID, "and/or needs left and right"},
        {"{\"type\":\"eq\",\"term\":{\"type\":\"transform\",\"transform\":\"day\",\"term\":"
         "\"ts\"},\"value\":1}",
         FLOE_ERR_UNSUPPORTED, "transforms or functions"},
        {"{\"type\":\"eq\",\"term\":\"id\",\"value\":{\"x\":1}}", FLOE_ERR_INVALID,
         "invalid literal"},
        {"{\"type\":\"in\",\"term\":\"id\"}", FLOE_ERR_INVALID, "set predicate without values"},
        {"{\"type\":\"eq\",\"term\":\"zz\",\"value\":1}", FLOE_ERR_INVALID,
         "cannot find field 'zz'"},
        {"7", FLOE_ERR_INVALID, "invalid expression"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        j = ice_test_json(bad[i].json);
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_ice_expr_from_json(a, j, s, &e, &err), bad[i].code, &err, bad[i].msg);
        json_decref(j);
    }
}

FLOE_TEST_GROUP(expr)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_forms, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_long_chains_stay_shallow, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bind_converts_literals, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bind_errors, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_row_evaluation_null_and_nan, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_fixture_filter_expectations, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_inclusive_projection, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_projection_prunes_fixture_partitions, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_metrics_evaluator, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_json_form, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
