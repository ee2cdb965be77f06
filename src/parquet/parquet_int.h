/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of the Parquet codec, shared by the reader and the writer: the Thrift
 * compact protocol (both directions), page headers, the page index, and the RLE/bit-packed
 * hybrid. Declarations only; thrift_read.c / meta_read.c / rle_read.c belong to the reader,
 * thrift_write.c / meta_write.c / rle_write.c to the writer.
 */
#ifndef FLOE_PARQUET_INT_H
#define FLOE_PARQUET_INT_H

#include "floe/parquet.h"

/* ==== Limits ==== */

#define FLOE_PQ_MAX_THRIFT_DEPTH 32     /* nesting of structs/lists in one Thrift message */
#define FLOE_PQ_MAX_SCHEMA_DEPTH 64     /* nesting of schema groups */
#define FLOE_PQ_MAX_LIST_ELEMS 10000000 /* elements in one Thrift list */

/* ==== Thrift compact protocol ==== */

typedef enum floe_tc_type {
    FLOE_TC_STOP = 0,
    FLOE_TC_TRUE = 1, /* boolean field true (type nibble carries the value) */
    FLOE_TC_FALSE = 2,
    FLOE_TC_I8 = 3,
    FLOE_TC_I16 = 4,
    FLOE_TC_I32 = 5,
    FLOE_TC_I64 = 6,
    FLOE_TC_DOUBLE = 7,
    FLOE_TC_BINARY = 8,
    FLOE_TC_LIST = 9,
    FLOE_TC_SET = 10,
    FLOE_TC_MAP = 11,
    FLOE_TC_STRUCT = 12,
    FLOE_TC_UUID = 13
} floe_tc_type;

/*
 * Decoder over a bounded buffer. Keeps the per-struct "last field id" stack and a depth limit.
 * Every function fails with FLOE_ERR_CORRUPT naming the offset on malformed input.
 */
typedef struct floe_thrift_in {
    floe_cursor cur;
    int16_t last_id[FLOE_PQ_MAX_THRIFT_DEPTH];
    int depth;
    int8_t pending_bool; /* -1, or the value of a boolean field just read from its header */
} floe_thrift_in;

void floe_thrift_in_init(floe_thrift_in *in, const uint8_t *data, size_t len);
floe_status floe_thrift_struct_begin(floe_thrift_in *in, floe_err *err);
floe_status floe_thrift_struct_end(floe_thrift_in *in, floe_err *err);
/* Next field header; *type == FLOE_TC_STOP at the end of the struct. */
floe_status floe_thrift_field(floe_thrift_in *in, int16_t *id, uint8_t *type, floe_err *err);
floe_status floe_thrift_bool(floe_thrift_in *in, uint8_t type, bool *out, floe_err *err);
floe_status floe_thrift_i8(floe_thrift_in *in, int8_t *out, floe_err *err);
floe_status floe_thrift_i16(floe_thrift_in *in, int16_t *out, floe_err *err);
floe_status floe_thrift_i32(floe_thrift_in *in, int32_t *out, floe_err *err);
floe_status floe_thrift_i64(floe_thrift_in *in, int64_t *out, floe_err *err);
floe_status floe_thrift_double(floe_thrift_in *in, double *out, floe_err *err);
/* Borrow a binary/string (points into the input buffer). */
floe_status floe_thrift_binary(floe_thrift_in *in, floe_str *out, floe_err *err);
floe_status floe_thrift_list(floe_thrift_in *in, uint8_t *elem_type, uint32_t *n, floe_err *err);
/* Skip a value of `type` (recursively, depth-limited). */
floe_status floe_thrift_skip(floe_thrift_in *in, uint8_t type, floe_err *err);

/* Encoder appending to a buffer; the field-id stack mirrors the decoder's. */
typedef struct floe_thrift_out {
    floe_buf *buf;
    int16_t last_id[FLOE_PQ_MAX_THRIFT_DEPTH];
    int depth;
} floe_thrift_out;

void floe_thrift_out_init(floe_thrift_out *o, floe_buf *buf);
void floe_thrift_w_struct_begin(floe_thrift_out *o);
void floe_thrift_w_struct_end(floe_thrift_out *o); /* writes STOP */
void floe_thrift_w_field(floe_thrift_out *o, int16_t id, uint8_t type);
void floe_thrift_w_bool_field(floe_thrift_out *o, int16_t id, bool v);
void floe_thrift_w_i32_field(floe_thrift_out *o, int16_t id, int32_t v);
void floe_thrift_w_i64_field(floe_thrift_out *o, int16_t id, int64_t v);
void floe_thrift_w_binary_field(floe_thrift_out *o, int16_t id, const void *p, size_t len);
void floe_thrift_w_list_begin(floe_thrift_out *o, uint8_t elem_type, uint32_t n);
void floe_thrift_w_i32(floe_thrift_out *o, int32_t v);
void floe_thrift_w_i64(floe_thrift_out *o, int64_t v);
void floe_thrift_w_binary(floe_thrift_out *o, const void *p, size_t len);
void floe_thrift_w_bool(floe_thrift_out *o, bool v); /* list element */

/* ==== Reader ==== */

/*
 * The input a reader reads from (borrowed: owned by the reader, or by the caller of
 * floe_pq_reader_open_input); used by the writer to copy row groups byte for byte.
 */
floe_input *floe_pq_reader_input(floe_pq_reader *r);

/* ==== Page headers ==== */

enum {
    FLOE_PQ_PAGE_DATA = 0,
    FLOE_PQ_PAGE_INDEX = 1,
    FLOE_PQ_PAGE_DICT = 2,
    FLOE_PQ_PAGE_DATA_V2 = 3
};

typedef struct floe_pq_page_header {
    int32_t type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    bool has_crc;
    uint32_t crc;
    /* DATA_PAGE (v1) and DATA_PAGE_V2 */
    int32_t num_values;
    int32_t encoding;
    int32_t def_encoding, rep_encoding; /* v1 */
    int32_t num_nulls, num_rows;        /* v2 */
    int32_t def_len, rep_len;           /* v2 */
    bool is_compressed;                 /* v2, default true */
    bool has_stats;
    floe_pq_stats stats;
    /* DICTIONARY_PAGE */
    int32_t dict_num_values;
    int32_t dict_encoding;
    bool dict_sorted;
} floe_pq_page_header;

/* Decode a PageHeader at the cursor; stats bytes borrow the input. */
floe_status floe_pq_decode_page_header(floe_cursor *c, floe_pq_page_header *out, floe_err *err);
void floe_pq_encode_page_header(const floe_pq_page_header *h, floe_buf *out);
/* Serialise a FileMetaData (the footer, without length and magic). */
floe_status floe_pq_encode_file_meta(const floe_pq_file_meta *m, floe_buf *out, floe_err *err);

/* ==== Page index ==== */

typedef struct floe_pq_page_location {
    int64_t offset;
    int32_t compressed_page_size; /* header included */
    int64_t first_row_index;
} floe_pq_page_location;

typedef struct floe_pq_offset_index {
    floe_pq_page_location *pages;
    size_t n;
} floe_pq_offset_index;

typedef struct floe_pq_column_index {
    bool *null_pages;
    floe_str *min_values;
    floe_str *max_values;
    size_t n;
    int32_t boundary_order; /* 0 unordered, 1 ascending, 2 descending */
    bool has_null_counts;
    int64_t *null_counts;
} floe_pq_column_index;

floe_status floe_pq_decode_offset_index(const uint8_t *p, size_t len, floe_arena *a,
                                        floe_pq_offset_index *out, floe_err *err);
floe_status floe_pq_decode_column_index(const uint8_t *p, size_t len, floe_arena *a,
                                        floe_pq_column_index *out, floe_err *err);
void floe_pq_encode_offset_index(const floe_pq_offset_index *oi, floe_buf *out);
void floe_pq_encode_column_index(const floe_pq_column_index *ci, floe_buf *out);

/* ==== RLE / bit-packed hybrid ==== */

/* Bits needed to store values 0..max (0 for max == 0). */
int floe_pq_bit_width(uint64_t max);

/*
 * Decode `n` values of `bit_width` bits from hybrid runs in [p, p + len) into `out`. Fails
 * with FLOE_ERR_CORRUPT when the runs end early or a run is malformed; values past `n` in a
 * final bit-packed group are ignored.
 */
floe_status floe_pq_rle_decode_u32(const uint8_t *p, size_t len, int bit_width, uint32_t *out,
                                   size_t n, floe_err *err);
floe_status floe_pq_rle_decode_i16(const uint8_t *p, size_t len, int bit_width, int16_t *out,
                                   size_t n, floe_err *err);

/* Encoder: append hybrid runs of `n` values to `out` (no length prefix). */
void floe_pq_rle_encode_u32(const uint32_t *vals, size_t n, int bit_width, floe_buf *out);
void floe_pq_rle_encode_i16(const int16_t *vals, size_t n, int bit_width, floe_buf *out);

#endif /* FLOE_PARQUET_INT_H */
