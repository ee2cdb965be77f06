/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writer's private structs, shared by writer.c (the file: batches, row groups, page index,
 * footer, metrics), column.c (one leaf column: levels, dictionary, PLAIN values, pages),
 * stats.c (orderings, running min/max, PLAIN and logical forms of bounds) and stitch.c
 * (row-group stitching). See docs/internals/parquet-writer.md.
 */
#ifndef FLOE_PQ_WRITER_INT_H
#define FLOE_PQ_WRITER_INT_H

#include "parquet_int.h"

/* ==== Limits and tuning ==== */

#define PQ_PAGE_MAX_ROWS 20000             /* rows per data page (page index granularity) */
#define PQ_SEGMENT_MAX_SLOTS 16384         /* slots appended between page-size checks */
#define PQ_INDEX_TRUNCATE 64               /* page index min/max bytes kept for binary columns */
#define PQ_STATS_TRUNCATE 4096             /* footer statistics bytes kept for binary columns */
#define PQ_MAX_PAGE_SIZE ((size_t)1 << 30) /* largest page_size / dictionary limit accepted */
#define PQ_MAX_VALUE_LEN ((size_t)1 << 30) /* largest single BYTE_ARRAY value */

/* ==== Orderings (statistics) ==== */

typedef enum pq_order {
    PQ_ORDER_NONE = 0, /* undefined sort order: no min/max (INT96, INTERVAL, FLOAT16) */
    PQ_ORDER_BOOL,
    PQ_ORDER_I32,
    PQ_ORDER_U32,
    PQ_ORDER_I64,
    PQ_ORDER_U64,
    PQ_ORDER_F32,
    PQ_ORDER_F64,
    PQ_ORDER_BYTES,  /* unsigned lexicographic */
    PQ_ORDER_DECIMAL /* two's complement big-endian, signed, any length */
} pq_order;

/* A numeric bound: signed orders use i, unsigned u, floats d (a float is exact as double). */
typedef union pq_num {
    int64_t i;
    uint64_t u;
    double d;
} pq_num;

/* Running min/max of non-null, non-NaN values. Byte orders keep copies in bmin/bmax. */
typedef struct pq_minmax {
    bool has;
    pq_num min, max;
    floe_buf bmin, bmax;
} pq_minmax;

pq_order pq_order_of(const floe_pq_node *leaf);
bool pq_order_is_bytes(pq_order o);
void pq_minmax_init(pq_minmax *m);
void pq_minmax_fini(pq_minmax *m);
void pq_minmax_reset(pq_minmax *m);
/* Compare two byte strings under a byte order. */
int pq_bytes_cmp(pq_order o, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
int pq_num_cmp(pq_order o, pq_num a, pq_num b);
/* Widen `m` by the numeric bounds [lo, hi] / the byte bounds [lo, hi] (copied). */
void pq_minmax_add_num(pq_order o, pq_minmax *m, pq_num lo, pq_num hi);
void pq_minmax_add_bytes(pq_order o, pq_minmax *m, const uint8_t *lo, size_t lo_len,
                         const uint8_t *hi, size_t hi_len);
void pq_minmax_merge(pq_order o, pq_minmax *into, const pq_minmax *from);

/*
 * The PLAIN forms of the bounds (no length prefix) appended to `min`/`max`; floats follow the
 * signed-zero rule (a zero minimum is written as -0.0, a zero maximum as +0.0). Binary bounds
 * longer than `truncate` bytes (0: never) are cut: the minimum to a prefix, the maximum to a
 * prefix whose last byte that can be is incremented; *exact says whether both are untouched.
 * Returns false when there are no bounds to write (or a maximum cannot be truncated).
 */
bool pq_minmax_plain(pq_order o, const pq_minmax *m, size_t truncate, floe_buf *min, floe_buf *max,
                     bool *min_exact, bool *max_exact);
/* Bounds decoded from PLAIN statistics bytes (row-group stitching); false when malformed. */
bool pq_minmax_from_plain(pq_order o, const floe_pq_node *leaf, floe_str min, floe_str max,
                          pq_minmax *out);
/* Compare two PLAIN-encoded bounds of one column (page index boundary order). */
int pq_plain_cmp(pq_order o, floe_str a, floe_str b);
/* A bound as a logical value (strings, decimals, dates, timestamps...); bytes copied to `a`. */
bool pq_minmax_value(const floe_pq_node *leaf, pq_order o, const pq_minmax *m, bool upper,
                     floe_arena *a, floe_value *out);

/* ==== Column writer ==== */

/* Scratch buffers shared by every column of a writer (reused page after page). */
typedef struct pq_scratch {
    floe_buf dense;       /* gathered non-null fixed-width values */
    floe_vec dense_bytes; /* gathered non-null BYTE_ARRAY values (floe_pq_bytes) */
    floe_buf levels;      /* encoded levels */
    floe_buf values;      /* encoded values */
    floe_buf raw;         /* an uncompressed page */
    floe_buf comp;        /* a compressed page */
    floe_buf header;      /* a page header */
    floe_buf stat_min, stat_max;
} pq_scratch;

/* Per-page record kept until the page index is written. */
typedef struct pq_page_rec {
    int64_t offset; /* from the start of the chunk's data pages */
    int32_t size;   /* header + stored payload */
    int64_t first_row;
    int64_t null_count;
    bool null_page;
    uint32_t min_off, min_len, max_off, max_len; /* into the column's index bytes */
} pq_page_rec;

typedef struct pq_dict_entry {
    uint32_t off; /* value bytes in the dictionary's PLAIN buffer */
    uint32_t len;
    uint32_t hash;
} pq_dict_entry;

/* Open-addressing hash table over the dictionary's values. */
typedef struct pq_dict {
    uint32_t *slots;     /* entry index + 1; 0 = empty */
    size_t cap;          /* power of two */
    int shift;           /* 64 - log2(cap) */
    uint32_t n;          /* entries */
    floe_buf plain;      /* the dictionary page: PLAIN-encoded entries */
    pq_dict_entry *ents; /* byte-valued dictionaries */
    size_t ents_cap;
} pq_dict;

typedef enum pq_mode { PQ_MODE_DICT = 0, PQ_MODE_PLAIN } pq_mode;

typedef struct pq_col {
    const floe_pq_node *leaf;
    floe_pq_type type;
    size_t width; /* bytes per fixed-width value (0 for BYTE_ARRAY, 1 for BOOLEAN) */
    pq_order order;
    int16_t max_def, max_rep;
    int def_bw, rep_bw;
    bool is_float;

    /* Current page */
    int16_t *defs, *reps;
    size_t n_levels, cap_defs, cap_reps;
    uint32_t *idx; /* dictionary indices */
    size_t n_idx, cap_idx;
    /* PLAIN values after `plain_off` bytes of headroom, where a v1 page's levels are put so
     * levels and values reach the codec as one block without copying the values (BOOLEAN: one
     * byte per value until the page is packed, no headroom) */
    floe_buf plain;
    size_t plain_off, headroom;
    size_t page_slots, page_values, page_nulls, page_rows, page_nans;
    size_t page_plain_bytes; /* the page's values as PLAIN (dictionary decision) */
    pq_minmax page_mm;

    /* Encoding state for the current chunk */
    pq_mode mode;
    bool dict_full;    /* dictionary passed its limit: fall back after this segment */
    bool dict_decided; /* the first page with values chose dictionary or PLAIN */
    uint64_t dict_seed;
    pq_dict dict;
    int32_t n_dict_pages, n_plain_pages;

    /* Current chunk (row group) */
    floe_buf pages; /* encoded data pages, headers included */
    int64_t chunk_uncompressed;
    int64_t chunk_slots, chunk_nulls, chunk_nans, chunk_rows;
    pq_minmax chunk_mm;
    floe_vec page_recs;   /* pq_page_rec */
    floe_buf index_bytes; /* page index min/max bytes */
    bool index_valid;     /* every non-null page has bounds */

    /* Whole file (metrics) */
    pq_minmax file_mm;
    int64_t file_values, file_nulls, file_nans;
    uint64_t file_compressed;
    bool bounds_unknown; /* a stitched chunk had no usable bounds */
    bool nan_unknown;    /* a stitched float chunk had no nan_count */
} pq_col;

typedef struct pq_col_opts {
    const floe_pq_write_opts *w;
    floe_codec codec;
    pq_scratch *s;
    floe_err *err;
} pq_col_opts;

void pq_col_init(pq_col *c, const floe_pq_node *leaf, bool use_dict);
void pq_col_fini(pq_col *c);
/*
 * Append slots [from, to) of a validated batch column (whole rows), cutting pages as they
 * fill. Fails only on internal errors (a codec).
 */
floe_status pq_col_append(pq_col *c, const floe_pq_column *col, size_t from, size_t to,
                          const pq_col_opts *o);
/* Flush the current page (if any slot is pending). */
floe_status pq_col_flush_page(pq_col *c, const pq_col_opts *o);
/* Bytes of the current chunk so far: finished pages, the pending page, the dictionary. */
uint64_t pq_col_estimated_size(const pq_col *c);
/*
 * Finish the chunk: flush the page, encode the dictionary page into `dict_page` (empty when
 * none). The caller writes dict_page then c->pages and calls pq_col_reset_chunk().
 */
floe_status pq_col_finish_chunk(pq_col *c, const pq_col_opts *o, floe_buf *dict_page,
                                int32_t *dict_uncompressed);
void pq_col_reset_chunk(pq_col *c, bool use_dict);

/* ==== Writer internals used by row-group stitching (stitch.c) ==== */

floe_arena *pq_writer_arena(floe_pq_writer *w);
/* Check the writer is usable and flush buffered rows (the next bytes start a row group). */
floe_status pq_writer_begin_stitch(floe_pq_writer *w, floe_err *err);
floe_status pq_writer_emit(floe_pq_writer *w, const void *p, size_t len, floe_err *err);
uint64_t pq_writer_offset(const floe_pq_writer *w);
const floe_pq_schema *pq_writer_schema(const floe_pq_writer *w);
const floe_pq_write_opts *pq_writer_opts(const floe_pq_writer *w);
pq_col *pq_writer_col(floe_pq_writer *w, size_t i);
/* Add a copied row group (columns in the writer's arena); it gets no page index. */
void pq_writer_add_row_group(floe_pq_writer *w, const floe_pq_row_group *rg);
void pq_writer_fail(floe_pq_writer *w);

#endif /* FLOE_PQ_WRITER_INT_H */
