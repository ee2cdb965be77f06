/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark driver: decode every column of a Parquet file with floe's reader and fold every
 * value into a checksum (so nothing can be optimised away), the way a compaction reads its
 * input. Prints rows, values, the checksum and the wall time.
 *
 *   pq_decode FILE [BATCH_ROWS]
 */
#include "floe/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fold(const floe_pq_column *c)
{
    uint64_t h = 0;
    switch (c->leaf->type) {
    case FLOE_PQ_BOOLEAN:
        for (size_t i = 0; i < c->n; i++) {
            h += c->v.b[i];
        }
        break;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        for (size_t i = 0; i < c->n; i++) {
            h += (uint32_t)c->v.i32[i];
        }
        break;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        for (size_t i = 0; i < c->n; i++) {
            h += (uint64_t)c->v.i64[i];
        }
        break;
    default:
        for (size_t i = 0; i < c->n; i++) {
            h += c->v.bytes[i].len + (c->v.bytes[i].len > 0 ? c->v.bytes[i].ptr[0] : 0);
        }
        break;
    }
    if (c->def != NULL) {
        for (size_t i = 0; i < c->n; i++) {
            h += (uint64_t)c->def[i];
        }
    }
    return h;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pq_decode FILE [BATCH_ROWS]\n");
        return 2;
    }
    floe_err err = {0};
    int64_t t0 = floe_time_mono_us();
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r = NULL;
    floe_pq_scan *scan = NULL;
    floe_pq_scan_opts so = {.batch_rows = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 0};
    uint64_t rows = 0, values = 0, sum = 0;
    floe_status st = floe_pq_reader_open(io, argv[1], NULL, &r, &err);
    if (st == FLOE_OK) {
        st = floe_pq_scan_new(r, &so, &scan, &err);
    }
    while (st == FLOE_OK) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, &err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        rows += b->n_rows;
        for (size_t c = 0; c < b->n_columns; c++) {
            values += b->columns[c].n_values;
            sum += fold(&b->columns[c]);
        }
    }
    int64_t t1 = floe_time_mono_us();
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
    if (st != FLOE_OK) {
        fprintf(stderr, "pq_decode: %s: %s\n", argv[1], err.msg);
        return 1;
    }
    printf("rows=%llu values=%llu checksum=%llu seconds=%.3f\n", (unsigned long long)rows,
           (unsigned long long)values, (unsigned long long)sum, (double)(t1 - t0) / 1e6);
    return 0;
}
