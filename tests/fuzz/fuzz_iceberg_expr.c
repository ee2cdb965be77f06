/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the filter text parser, and what follows it: printing (the text form reads back to the
 * same text), the JSON form (reads back), binding to a schema with every primitive type, row
 * evaluation, inclusive projection and the metrics evaluator.
 */
#include "floe/iceberg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SCHEMA[] =
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
    "{\"id\":10,\"name\":\"tz\",\"required\":false,\"type\":\"timestamptz_ns\"},"
    "{\"id\":11,\"name\":\"u\",\"required\":false,\"type\":\"uuid\"},"
    "{\"id\":12,\"name\":\"b\",\"required\":false,\"type\":\"binary\"},"
    "{\"id\":13,\"name\":\"flag\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":14,\"name\":\"fx\",\"required\":false,\"type\":\"fixed[4]\"},"
    "{\"id\":15,\"name\":\"st\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":16,\"name\":\"a\",\"required\":false,\"type\":\"long\"}]}}]}";

static const char SPEC[] = "[{\"name\":\"a\",\"transform\":\"bucket[8]\",\"source-id\":1},"
                           "{\"name\":\"b\",\"transform\":\"truncate[3]\",\"source-id\":6},"
                           "{\"name\":\"c\",\"transform\":\"day\",\"source-id\":9},"
                           "{\"name\":\"d\",\"transform\":\"hour\",\"source-id\":10},"
                           "{\"name\":\"e\",\"transform\":\"truncate[100]\",\"source-id\":5},"
                           "{\"name\":\"g\",\"transform\":\"month\",\"source-id\":7},"
                           "{\"name\":\"h\",\"transform\":\"identity\",\"source-id\":4},"
                           "{\"name\":\"i\",\"transform\":\"year\",\"source-id\":7},"
                           "{\"name\":\"j\",\"transform\":\"truncate[2]\",\"source-id\":12}]";

static void no_value(void *ud, int32_t field_id, floe_value *out)
{
    (void)ud;
    /* Alternate between nulls and typed zeros so both paths run. */
    *out = (field_id % 2 == 0) ? floe_value_null() : floe_value_int(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_err err = {0};
    const floe_ice_expr *e = NULL;
    if (floe_ice_expr_parse(a, (const char *)data, size, &e, &err) != FLOE_OK) {
        FLOE_VERIFY(err.code != FLOE_OK);
        floe_arena_free(a);
        return 0;
    }
    floe_buf t1, t2;
    floe_buf_init(&t1, 0);
    floe_buf_init(&t2, 0);
    FLOE_VERIFY(floe_ice_expr_to_string(e, &t1, &err) == FLOE_OK);
    const floe_ice_expr *again = NULL;
    FLOE_VERIFY(floe_ice_expr_parse(a, t1.data, t1.len, &again, &err) == FLOE_OK);
    FLOE_VERIFY(floe_ice_expr_to_string(again, &t2, &err) == FLOE_OK);
    FLOE_VERIFY(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0);
    floe_buf_fini(&t1);
    floe_buf_fini(&t2);

    json_t *j = floe_ice_expr_to_json(e);
    const floe_ice_expr *fromj = NULL;
    FLOE_VERIFY(floe_ice_expr_from_json(a, j, NULL, &fromj, &err) == FLOE_OK);
    json_decref(j);

    json_error_t jerr;
    json_t *sj = json_loads(SCHEMA, 0, &jerr);
    json_t *pj = json_loads(SPEC, 0, &jerr);
    const floe_ice_schema *schema = NULL;
    const floe_partition_spec *spec = NULL;
    FLOE_VERIFY(floe_ice_schema_from_json(a, sj, &schema, &err) == FLOE_OK);
    FLOE_VERIFY(floe_partition_spec_from_json(a, pj, true, 0, &spec, &err) == FLOE_OK);
    json_decref(sj);
    json_decref(pj);

    const floe_ice_expr *b = NULL;
    if (floe_ice_expr_bind(a, e, schema, &b, &err) == FLOE_OK) {
        floe_ice_expr_eval(b, no_value, NULL);
        const floe_ice_expr *p = NULL;
        if (floe_ice_expr_project(a, b, spec, schema, &p, &err) == FLOE_OK) {
            floe_ice_expr_eval(p, no_value, NULL);
        }
        floe_field_count counts[] = {{1, 10}, {4, 10}, {6, 10}};
        floe_field_count nulls[] = {{1, 0}, {4, 2}, {6, 10}};
        floe_field_bound lo[] = {{1, {"\x01\x00\x00\x00", 4}}, {6, {"abc", 3}}, {9, {"\x07", 1}}};
        floe_field_bound hi[] = {{1, {"\x09\x00\x00\x00", 4}}, {6, {"abd", 3}}};
        floe_data_file f = {.record_count = 10,
                            .value_counts = counts,
                            .n_value_counts = 3,
                            .null_value_counts = nulls,
                            .n_null_value_counts = 3,
                            .lower_bounds = lo,
                            .n_lower_bounds = 3,
                            .upper_bounds = hi,
                            .n_upper_bounds = 2};
        floe_ice_metrics_might_match(b, &f);
        /* the bound form prints and its JSON reads back against the schema */
        floe_buf bt;
        floe_buf_init(&bt, 0);
        FLOE_VERIFY(floe_ice_expr_to_string(b, &bt, &err) == FLOE_OK);
        floe_buf_fini(&bt);
        json_t *bj = floe_ice_expr_to_json(b);
        const floe_ice_expr *rb = NULL;
        floe_ice_expr_from_json(a, bj, schema, &rb, &err);
        json_decref(bj);
    }
    floe_arena_free(a);
    return 0;
}
