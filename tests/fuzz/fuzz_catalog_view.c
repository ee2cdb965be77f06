/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the view half of the REST catalog: the input is a JSON object {"create": a
 * CreateViewRequest, "requirements": [...], "updates": [...]} (or any bytes). The create part
 * is built into view metadata; the updates are applied to it, then to a fixed two-version view.
 * Whatever succeeds must be metadata the same code accepts again: it serialises, parses back,
 * and takes an empty update list unchanged. This is what the server runs on untrusted bodies.
 */
#include "catalog/catalog_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char BASE[] =
    "{\"view-uuid\":\"fa6506c3-7681-40c8-86dc-e36561f83385\",\"format-version\":1,"
    "\"location\":\"s3://b/v\",\"current-version-id\":2,\"properties\":{\"a\":\"b\"},"
    "\"schemas\":[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\","
    "\"type\":\"long\",\"required\":false}]}],\"versions\":[{\"version-id\":1,\"timestamp-ms\":1,"
    "\"schema-id\":0,\"summary\":{},\"representations\":[{\"type\":\"sql\",\"sql\":\"select 1\","
    "\"dialect\":\"spark\"}],\"default-namespace\":[\"db\"]},{\"version-id\":2,\"timestamp-ms\":2,"
    "\"schema-id\":0,\"summary\":{},\"representations\":[{\"type\":\"sql\",\"sql\":\"select 2\","
    "\"dialect\":\"spark\"}],\"default-namespace\":[]}],\"version-log\":[{\"timestamp-ms\":1,"
    "\"version-id\":1},{\"timestamp-ms\":2,\"version-id\":2}]}";

/* Serialise, parse back, apply nothing: the same metadata. */
static void check_stable(floe_arena *a, json_t *m)
{
    char *text = json_dumps(m, JSON_COMPACT);
    FLOE_VERIFY(text != NULL);
    json_t *back = json_loads(text, 0, NULL);
    FLOE_VERIFY(back != NULL && json_equal(back, m));
    json_t *none = json_array();
    floe_err err = {0};
    FLOE_VERIFY(catalog_view_apply(NULL, a, back, none, none, &err) == FLOE_OK);
    FLOE_VERIFY(json_equal(back, m));
    json_decref(none);
    json_decref(back);
    free(text);
}

static void apply_to(floe_arena *a, const json_t *m, const json_t *reqs, const json_t *ups)
{
    json_t *copy = json_deep_copy(m);
    floe_err err = {0};
    if (catalog_view_apply(NULL, a, copy, reqs, ups, &err) == FLOE_OK) {
        check_stable(a, copy);
    } else {
        FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
    }
    json_decref(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (in == NULL) {
        return 0;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const json_t *reqs = json_object_get(in, "requirements");
    const json_t *ups = json_object_get(in, "updates");
    json_t *m = NULL;
    floe_err err = {0};
    if (catalog_view_build(a, json_object_get(in, "create"), "s3://b/new", "0-0", &m, &err) ==
        FLOE_OK) {
        check_stable(a, m);
        apply_to(a, m, reqs, ups);
        json_decref(m);
    }
    json_t *base = json_loads(BASE, 0, NULL);
    FLOE_VERIFY(base != NULL);
    apply_to(a, base, reqs, ups);
    json_decref(base);
    floe_arena_free(a);
    json_decref(in);
    return 0;
}
