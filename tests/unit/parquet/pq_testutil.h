/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only decoding for the Parquet writer's tests: a generic Thrift compact decoder that
 * turns any struct into a tree (so tests can look at every field by id), an RLE/bit-packed
 * hybrid decoder, and a minimal column chunk decoder (page headers, decompression, levels,
 * dictionary and PLAIN values). Independent of the product reader on purpose: the writer is
 * checked against a second, simple implementation of the spec, plus DuckDB and hyparquet in the
 * interop tests. Everything is allocated from the given arena; failures return false.
 */
#ifndef PQ_TESTUTIL_H
#define PQ_TESTUTIL_H

#include "floe/base.h"
#include "parquet/parquet_int.h"

/* ==== Thrift tree ==== */

typedef struct tt_val tt_val;
struct tt_val {
    uint8_t type; /* floe_tc_type; booleans are FLOE_TC_TRUE/FALSE */
    int16_t id;   /* field id (struct members) */
    int64_t i;    /* integers and booleans (1/0) */
    double d;
    const uint8_t *bin;
    size_t len;
    uint8_t elem_type; /* lists */
    tt_val *items;     /* struct fields or list elements */
    size_t n;
};

/* Parse one struct at p; *used gets its length. */
bool tt_parse_struct(const uint8_t *p, size_t len, floe_arena *a, tt_val *out, size_t *used);
/* A struct's field by id, or NULL. */
const tt_val *tt_get(const tt_val *s, int16_t id);
/* Field `id` as an integer; `dflt` when absent. */
int64_t tt_int(const tt_val *s, int16_t id, int64_t dflt);

/* ==== RLE hybrid ==== */

/* Decode n values; *used (may be NULL) gets the bytes consumed. */
bool tu_rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n, size_t *used);

/* ==== Files and chunks ==== */

typedef struct tu_file {
    const uint8_t *data;
    size_t len;
    tt_val meta; /* FileMetaData */
    uint32_t footer_len;
} tu_file;

/* Parse a whole file held in memory (magic, footer). */
bool tu_file_parse(const uint8_t *data, size_t len, floe_arena *a, tu_file *out);
const tt_val *tu_row_group(const tu_file *f, size_t rg);
/* ColumnMetaData of a chunk. */
const tt_val *tu_chunk_meta(const tu_file *f, size_t rg, size_t col);

typedef struct tu_column {
    size_t n; /* slots (level entries) */
    int16_t *def, *rep;
    size_t n_values;
    int64_t *ints;   /* BOOLEAN, INT32 (sign-extended), INT64 */
    double *dbls;    /* FLOAT, DOUBLE */
    floe_str *bytes; /* BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96 */
    size_t n_pages;  /* data pages */
    int32_t *page_encoding;
    int32_t *page_type;
    int32_t *page_values; /* level entries per page */
    int64_t *page_offset; /* file offset of each data page header */
    int32_t *page_size;   /* header + stored payload */
    bool has_dict;
    uint32_t dict_n;
} tu_column;

/*
 * Decode column chunk `col` of row group `rg` whose leaf has `type`, `type_length`, max_def and
 * max_rep, reading pages sequentially from the chunk start.
 */
bool tu_read_chunk(const tu_file *f, size_t rg, size_t col, floe_pq_type type, int type_length,
                   int max_def, int max_rep, floe_arena *a, tu_column *out, char *why,
                   size_t why_len);

/* ==== Building schemas and writing files (fail the test on error) ==== */

floe_pq_node *tu_leaf(floe_arena *a, const char *name, floe_pq_repetition rep, floe_pq_type type,
                      int32_t type_length, floe_pq_logical lt, int32_t field_id);
/* A group of `n` children (varargs floe_pq_node *); field_id < 0: none. */
floe_pq_node *tu_group(floe_arena *a, const char *name, floe_pq_repetition rep,
                       floe_pq_logical_kind kind, int32_t field_id, size_t n, ...);
/* A finished schema whose root ("schema") has `n` children. */
floe_pq_schema tu_schema(floe_arena *a, size_t n, ...);

typedef struct tu_writer {
    floe_fileio *io;
    floe_output *out;
    floe_pq_writer *w;
    const char *path;
} tu_writer;

void tu_writer_open(tu_writer *tw, const char *path, const floe_pq_schema *s,
                    const floe_pq_write_opts *o);
void tu_writer_write(tu_writer *tw, const floe_pq_batch *b);
/* Close and commit; returns the file's bytes (free()). `res` stays valid until tu_writer_free. */
uint8_t *tu_writer_close(tu_writer *tw, floe_pq_write_result *res, size_t *len);
void tu_writer_free(tu_writer *tw);

#endif /* PQ_TESTUTIL_H */
