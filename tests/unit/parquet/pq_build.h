/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers for the Parquet reader: a minimal Thrift compact-protocol writer and a builder
 * of small one-column Parquet files from hand-made pages, so tests can craft exactly the bytes
 * (valid or malformed) they need without depending on the writer.
 */
#ifndef FLOE_TEST_PQ_BUILD_H
#define FLOE_TEST_PQ_BUILD_H

#include "floe/base.h"

/* ==== Thrift compact writer ==== */

typedef struct tc {
    floe_buf *b;
    int16_t last[64];
    int depth;
} tc;

void tc_init(tc *w, floe_buf *b);
void tc_byte(tc *w, uint8_t v);
void tc_uvarint(tc *w, uint64_t v);
void tc_zigzag(tc *w, int64_t v);
/* A field header (short form when the delta fits, long form otherwise or when `force_long`). */
void tc_field_hdr(tc *w, int16_t id, uint8_t type, bool force_long);
void tc_struct_begin(tc *w, int16_t id); /* a struct field; id 0 = top level / list element */
void tc_struct_end(tc *w);               /* STOP, and pop */
void tc_i32(tc *w, int16_t id, int32_t v);
void tc_i64(tc *w, int16_t id, int64_t v);
void tc_bool(tc *w, int16_t id, bool v);
void tc_bin(tc *w, int16_t id, const void *p, size_t len);
void tc_str(tc *w, int16_t id, const char *s);
/* A list field header; elements follow (tc_elem_* or tc_struct_begin(w, 0)). */
void tc_list(tc *w, int16_t id, uint8_t elem_type, uint32_t n);
void tc_elem_i32(tc *w, int32_t v);
void tc_elem_bin(tc *w, const void *p, size_t len);

/* ==== Reference encoders ==== */

/* Pack `n` values of `w` bits LSB-first (bit-packed runs, miniblocks), padding the last byte. */
void pq_pack_lsb(const uint64_t *v, size_t n, int w, floe_buf *out);
/* DELTA_BINARY_PACKED with 128-value blocks of 4 miniblocks, wrapping 64-bit deltas. */
void pq_dbp_encode(const int64_t *v, size_t n, floe_buf *out);

/* ==== One-column Parquet files ==== */

typedef struct pq_page {
    int32_t type;         /* 0 DATA_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2 */
    int32_t num_values;   /* entries (data) or dictionary values */
    int32_t encoding;     /* values (data) or dictionary encoding */
    int32_t def_encoding; /* v1 */
    int32_t rep_encoding; /* v1 */
    int32_t num_nulls;    /* v2 */
    int32_t num_rows;     /* v2 */
    int32_t def_len;      /* v2 */
    int32_t rep_len;      /* v2 */
    bool not_compressed;  /* v2: is_compressed = false */
    const void *body;     /* stored bytes after the header */
    size_t len;
    int32_t uncompressed; /* 0: len */
    int32_t compressed;   /* 0: len; -1: write 0 */
    bool has_crc;
    uint32_t crc;
} pq_page;

typedef struct pq_spec {
    int32_t type;        /* physical type */
    int32_t type_length; /* FIXED_LEN_BYTE_ARRAY */
    int32_t repetition;  /* of the leaf: 0 required, 1 optional */
    int32_t converted;   /* -1: none */
    int32_t scale, precision;
    int32_t codec;
    int64_t num_rows;
    const pq_page *pages;
    size_t n_pages;
    bool list; /* wrap the leaf as `optional group x (LIST) { repeated group list { leaf } }` */
    int n_row_groups; /* 0 or 1: one; more: the pages repeated once per row group */
} pq_spec;

/* Append a complete file ("PAR1", pages, footer, length, "PAR1") to `out`. */
void pq_build(const pq_spec *spec, floe_buf *out);

/* Append just the FileMetaData footer of `spec` (pages starting at offset 4). */
void pq_build_footer(const pq_spec *spec, floe_buf *out);

/* ==== Reading back ==== */

#include "floe/parquet.h"

/*
 * Read every row of the file at `path` and append it as canonical JSON, one line each, to
 * `out`; `*rows` gets the row count. `opts` may be NULL.
 */
floe_status pq_read_json(const char *path, const floe_pq_read_opts *opts, floe_buf *out,
                         size_t *rows, floe_err *err);

#endif /* FLOE_TEST_PQ_BUILD_H */
