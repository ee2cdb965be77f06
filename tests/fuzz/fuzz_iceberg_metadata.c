/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the table metadata JSON parser and writer. Invariants: parsing never crashes; whatever
 * parses writes JSON that parses again and writes the same JSON (the round trip is lossless);
 * a deep copy and an update cycle on the parsed metadata never crash.
 */
#include "floe/iceberg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_err err = {0};
    floe_table_meta *m = NULL;
    if (floe_iceberg_parse_metadata(a, (floe_str){(const char *)data, size}, &m, &err) != FLOE_OK) {
        FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
        floe_arena_free(a);
        return 0;
    }
    json_t *j1 = floe_table_meta_to_json(m);
    floe_table_meta *m2 = NULL;
    FLOE_VERIFY(floe_iceberg_metadata_from_json(a, j1, &m2, &err) == FLOE_OK);
    json_t *j2 = floe_table_meta_to_json(m2);
    FLOE_VERIFY(json_equal(j1, j2));
    json_decref(j1);
    json_decref(j2);

    floe_table_meta *copy = NULL;
    FLOE_VERIFY(floe_table_meta_dup(a, m, &copy, &err) == FLOE_OK);

    /* An ordinary commit on top: properties, a ref move, a schema re-add. */
    const floe_ice_schema *cur = floe_table_meta_current_schema(m);
    floe_kv kv = {"fuzz", "1"};
    floe_ice_update ups[3] = {
        {.kind = FLOE_ICE_UP_SET_PROPERTIES, .updates = &kv, .n_updates = 1},
        {.kind = FLOE_ICE_UP_ADD_SCHEMA, .schema = cur},
        {.kind = FLOE_ICE_UP_REMOVE_SNAPSHOT_REF, .ref_name = "main"},
    };
    floe_ice_apply_opts o = {.now_ms = 1, .base_location = "mem://prev"};
    floe_table_meta *next = NULL;
    floe_err_clear(&err);
    floe_ice_updates_apply(a, m, ups, 3, &o, &next, NULL, &err);

    /* Expressions against the schema and specs of real metadata. */
    const floe_ice_expr *e = NULL, *b = NULL, *p = NULL;
    static const char filter[] = "id > 5 OR data STARTS WITH 'a' OR ts IS NULL";
    if (floe_ice_expr_parse(a, filter, sizeof(filter) - 1, &e, &err) == FLOE_OK &&
        floe_ice_expr_bind(a, e, cur, &b, &err) == FLOE_OK) {
        floe_ice_expr_project(a, b, floe_table_meta_default_spec(m), cur, &p, &err);
    }
    floe_arena_free(a);
    return 0;
}
