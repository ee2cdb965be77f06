/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the Avro schema parser: the input up to the first NUL byte is schema JSON, the rest is a
 * datum decoded with that schema. Parsing must fail cleanly or give a tree every accessor can
 * walk; decoding must fail cleanly or consume no more than it was given.
 */
#include "floe/avro.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const floe_avro_node *n, int depth)
{
    if (depth > 2 * FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return 0; /* recursive types loop: stop */
    }
    size_t seen = 1;
    (void)floe_avro_node_logical(n);
    (void)floe_avro_node_fullname(n);
    (void)floe_avro_node_json(n);
    int64_t id;
    (void)floe_avro_node_int_prop(n, "element-id", &id);
    switch (floe_avro_node_type(n)) {
    case FLOE_AVRO_RECORD:
        for (size_t i = 0; i < floe_avro_node_count(n) && i < 64; i++) {
            int32_t fid;
            if (floe_avro_field_id(n, i, &fid)) {
                FLOE_VERIFY(floe_avro_field_index_by_id(n, fid) >= 0);
            }
            FLOE_VERIFY(floe_avro_field_index(n, floe_avro_field_name(n, i)) == (int)i);
            seen += walk(floe_avro_field_type(n, i), depth + 1);
        }
        break;
    case FLOE_AVRO_UNION:
        for (size_t i = 0; i < floe_avro_node_count(n) && i < 64; i++) {
            seen += walk(floe_avro_node_branch(n, i), depth + 1);
        }
        (void)floe_avro_node_nonnull(n);
        break;
    case FLOE_AVRO_ARRAY:
    case FLOE_AVRO_MAP:
        seen += walk(floe_avro_node_items(n), depth + 1);
        break;
    default:
        break;
    }
    return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t json_len = nul != NULL ? (size_t)(nul - data) : size;
    for (unsigned flags = 0; flags <= FLOE_AVRO_SCHEMA_STRICT; flags++) {
        floe_avro_schema *s = NULL;
        floe_err err = {0};
        if (floe_avro_schema_parse((const char *)data, json_len, flags, &s, &err) != FLOE_OK) {
            FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
            continue;
        }
        const floe_avro_node *root = floe_avro_schema_root(s);
        walk(root, 0);
        if (nul != NULL) {
            const uint8_t *datum = nul + 1;
            size_t len = size - json_len - 1;
            floe_arena *a = floe_arena_new(8 << 20);
            floe_value v;
            size_t used = 0;
            if (floe_avro_decode(root, datum, len, a, &v, &used, NULL) == FLOE_OK) {
                FLOE_VERIFY(used <= len);
                floe_buf out;
                floe_buf_init(&out, 0);
                (void)floe_value_to_json(&v, &out, NULL);
                floe_buf_fini(&out);
            }
            floe_arena_free(a);
        }
        floe_avro_schema_free(s);
    }
    return 0;
}
