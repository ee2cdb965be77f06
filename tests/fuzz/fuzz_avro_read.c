/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the Avro container reader: arbitrary bytes as an object container file, every record
 * decoded. The reader must return a status, never crash, hang or allocate past its limits. A
 * record it accepts must encode back with the same schema (unless it holds a decimal wider than
 * its declared precision, which the writer rightly refuses) and decode to the same value.
 */
#include "floe/avro.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const floe_avro_node *root, const floe_value *v, floe_arena *a)
{
    floe_err err = {0};
    floe_buf bytes;
    floe_buf_init(&bytes, 0);
    floe_status st = floe_avro_encode(root, v, &bytes, &err);
    if (st != FLOE_OK) {
        FLOE_VERIFY(st == FLOE_ERR_INVALID && strstr(err.msg, "decimal") != NULL);
        floe_buf_fini(&bytes);
        return;
    }
    floe_value back;
    size_t used = 0;
    st = floe_avro_decode(root, bytes.data, bytes.len, a, &back, &used, &err);
    FLOE_VERIFY(st == FLOE_OK && used == bytes.len);
    floe_buf j1, j2;
    floe_buf_init(&j1, 0);
    floe_buf_init(&j2, 0);
    FLOE_VERIFY(floe_value_to_json(v, &j1, NULL) == FLOE_OK);
    FLOE_VERIFY(floe_value_to_json(&back, &j2, NULL) == FLOE_OK);
    FLOE_VERIFY(j1.len == j2.len && (j1.len == 0 || memcmp(j1.data, j2.data, j1.len) == 0));
    floe_buf_fini(&j1);
    floe_buf_fini(&j2);
    floe_buf_fini(&bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_avro_read_opts opts = {
        .max_block_bytes = 1 << 20,
        .max_block_records = 1 << 16,
        .max_header_bytes = 1 << 20,
        .max_items = 1 << 16,
    };
    floe_avro_reader *r = NULL;
    if (floe_avro_reader_open_mem(data, size, &opts, &r, NULL) != FLOE_OK) {
        return 0;
    }
    const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(r));
    floe_arena *a = floe_arena_new(16 << 20);
    for (int i = 0; i < 100000; i++) {
        floe_value v;
        bool got = false;
        floe_arena_reset(a);
        if (floe_avro_reader_next(r, a, &v, &got, NULL) != FLOE_OK || !got) {
            break;
        }
        if (i < 64) {
            check_round_trip(root, &v, a);
        }
    }
    floe_arena_free(a);
    floe_avro_reader_close(r);
    return 0;
}
