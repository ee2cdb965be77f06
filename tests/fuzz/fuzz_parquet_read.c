/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the whole Parquet reader on in-memory bytes: open (tail, footer), scan every column of
 * every row group in small batches, assemble every row into a value and print it as JSON, and
 * decode the footer statistics. Any input must give a status, never a crash, a hang or an
 * allocation past the limits set below.
 *
 * The input is served by a test-only in-memory floe_input (through FileIO's private header), so
 * no file is written per run.
 */
#include "floe/parquet.h"

#include "../../src/io/io_int.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct mem_input {
    floe_input base;
    const uint8_t *data;
} mem_input;

static floe_status mem_read(floe_input *in, uint64_t offset, void *buf, size_t len, floe_err *err)
{
    (void)err;
    memcpy(buf, ((mem_input *)in)->data + offset, len); /* floe_input_read checked the range */
    return FLOE_OK;
}

static void mem_close(floe_input *in)
{
    (void)in; /* lives on the caller's stack */
}

static const floe_input_ops mem_ops = {.read = mem_read, .close = mem_close};

#define MAX_ROWS 20000

static void read_stats(const floe_pq_file_meta *m)
{
    for (size_t g = 0; g < m->n_row_groups; g++) {
        for (size_t c = 0; c < m->row_groups[g].n_columns; c++) {
            const floe_pq_column_chunk *cc = &m->row_groups[g].columns[c];
            floe_value v;
            if (cc->has_stats && cc->stats.has_min) {
                floe_pq_stat_value(m->schema.leaves[c], cc->stats.min, &v);
            }
            if (cc->has_stats && cc->stats.has_max) {
                floe_pq_stat_value(m->schema.leaves[c], cc->stats.max, &v);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char location[] = "fuzz.parquet";
    mem_input in = {.base = {.ops = &mem_ops, .location = location, .size = size}, .data = data};
    floe_pq_read_opts opts = {.max_footer_size = (size_t)1 << 20,
                              .max_page_size = (size_t)1 << 22,
                              .max_row_group_size = (size_t)1 << 24,
                              .verify_crc = size % 2 == 1};
    floe_pq_reader *r = NULL;
    if (floe_pq_reader_open_input(&in.base, &opts, &r, NULL) != FLOE_OK) {
        return 0;
    }
    const floe_pq_file_meta *m = floe_pq_reader_meta(r);
    read_stats(m);
    const floe_pq_node *root = m->schema.root;
    floe_pq_scan_opts so = {.batch_rows = 1 + size % 97};
    floe_pq_scan *scan = NULL;
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_buf json;
    floe_buf_init(&json, 0);
    size_t rows = 0;
    floe_status st = floe_pq_scan_new(r, &so, &scan, NULL);
    while (st == FLOE_OK && rows < MAX_ROWS) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, NULL);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        for (size_t c = 0; c < b->n_columns; c++) {
            const floe_pq_column *col = &b->columns[c];
            for (size_t i = 0; i < col->n && i < 64; i++) {
                floe_pq_column_value(col, i);
            }
        }
        floe_arena_reset(a);
        floe_pq_assembler *as;
        st = floe_pq_assembler_new(b, (const floe_pq_node *const *)root->children, root->n_children,
                                   a, &as, NULL);
        for (size_t i = 0; st == FLOE_OK && i < b->n_rows; i++) {
            floe_value v;
            st = floe_pq_assembler_next(as, &v, NULL);
            if (st == FLOE_OK) {
                floe_buf_reset(&json);
                floe_value_to_json(&v, &json, NULL);
            }
        }
        rows += b->n_rows;
    }
    floe_buf_fini(&json);
    floe_arena_free(a);
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    return 0;
}
