/* SPDX-License-Identifier: Apache-2.0 */
#include "ice_helpers.h"

#include <stdio.h>
#include <stdlib.h>

json_t *ice_test_json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        print_error("bad test JSON: %s (%s)\n", jerr.text, text);
        fail();
    }
    return j;
}

const floe_ice_schema *ice_test_schema(floe_arena *a, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_err err = {0};
    const floe_ice_schema *s = NULL;
    FLOE_ASSERT_OK(floe_ice_schema_from_json(a, j, &s, &err), &err);
    json_decref(j);
    return s;
}

const char *ice_test_dump(floe_arena *a, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    char *copy = floe_arena_strdup(a, s);
    free(s);
    return copy;
}

void ice_test_json_eq(json_t *got, const char *want)
{
    json_t *w = ice_test_json(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("JSON differs:\n  got:  %s\n  want: %s\n", g, want);
        free(g);
        json_decref(w);
        json_decref(got);
        fail();
    }
    json_decref(w);
    json_decref(got);
}

const floe_ice_expr *ice_test_bind(floe_arena *a, const floe_ice_schema *s, const char *text)
{
    floe_err err = {0};
    const floe_ice_expr *e = NULL, *b = NULL;
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, text, strlen(text), &e, &err), &err);
    FLOE_ASSERT_OK(floe_ice_expr_bind(a, e, s, &b, &err), &err);
    return b;
}
