/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the Parquet Thrift decoders directly on raw bytes: FileMetaData (the footer), page
 * headers, and the page index structures. The decoded footer is walked (schema paths, lookups,
 * statistics) so that whatever the decoder accepts is also safe to use.
 */
#include "floe/parquet.h"

#include "../../src/parquet/parquet_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const floe_pq_file_meta *m, floe_arena *a)
{
    const floe_pq_schema *s = &m->schema;
    for (size_t i = 0; i < s->n_leaves; i++) {
        const char *path = floe_pq_node_path(s->leaves[i], a);
        if (path != NULL) {
            floe_pq_schema_find_path(s, path); /* names may hold dots: any answer is fine */
        }
        if (s->leaves[i]->has_field_id) {
            FLOE_VERIFY(floe_pq_schema_find_field_id(s, s->leaves[i]->field_id) != NULL);
        }
    }
    for (size_t g = 0; g < m->n_row_groups; g++) {
        FLOE_VERIFY(m->row_groups[g].n_columns == s->n_leaves);
        for (size_t c = 0; c < s->n_leaves; c++) {
            const floe_pq_column_chunk *cc = &m->row_groups[g].columns[c];
            floe_value v;
            if (cc->has_stats && cc->stats.has_min) {
                floe_pq_stat_value(s->leaves[c], cc->stats.min, &v);
            }
        }
    }
    floe_pq_meta_kv(m, "iceberg.schema");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new(size * 32 + ((size_t)1 << 20));
    floe_pq_file_meta m;
    if (floe_pq_decode_file_meta(data, size, a, &m, NULL) == FLOE_OK) {
        walk(&m, a);
    }
    floe_arena_reset(a);
    floe_cursor c;
    floe_cursor_init(&c, data, size);
    floe_pq_page_header h;
    while (floe_pq_decode_page_header(&c, &h, NULL) == FLOE_OK) {
        FLOE_VERIFY(c.pos <= size);
    }
    floe_pq_offset_index oi;
    floe_pq_decode_offset_index(data, size, a, &oi, NULL);
    floe_pq_column_index ci;
    floe_pq_decode_column_index(data, size, a, &ci, NULL);
    floe_arena_free(a);
    return 0;
}
