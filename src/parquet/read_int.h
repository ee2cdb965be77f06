/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reader's private half: bit unpacking, value decoders for every Parquet encoding, and the
 * leaf-value conversion shared by the assembler, floe_pq_column_value and floe_pq_stat_value.
 * Used by rle_read.c, decode.c, reader.c, assemble.c and the unit tests; not by the writer.
 */
#ifndef FLOE_PARQUET_READ_INT_H
#define FLOE_PARQUET_READ_INT_H

#include "parquet_int.h"

/* ==== Bit unpacking (rle_read.c) ==== */

/*
 * Unpack `n` values of `width` bits (0..32, LSB-first, as in the hybrid's bit-packed runs and
 * DELTA_BINARY_PACKED miniblocks) from `in`, which must hold at least ceil(n * width / 8)
 * bytes (`in_len`). Groups of 8 values are unpacked with fixed-width code paths.
 */
void floe_pq_unpack32(const uint8_t *in, size_t in_len, int width, uint32_t *out, size_t n);
/* As above for widths 0..64 into 64-bit values. */
void floe_pq_unpack64(const uint8_t *in, size_t in_len, int width, uint64_t *out, size_t n);

/*
 * Levels in the hybrid encoding, checked in the same pass: fails when a level is over `max`;
 * `*at_max` gets the number of levels equal to `max` (non-null values, for definition levels).
 */
floe_status floe_pq_rle_decode_levels(const uint8_t *p, size_t len, int bit_width, int16_t max,
                                      int16_t *out, size_t n, size_t *at_max, floe_err *err);

/*
 * Legacy BIT_PACKED levels: `n` values of `width` bits packed MSB-first, taking exactly
 * ceil(n * width / 8) bytes, which must be available in `len`.
 */
floe_status floe_pq_bitpacked_decode_i16(const uint8_t *p, size_t len, int width, int16_t *out,
                                         size_t n, floe_err *err);

/* ==== Value decoding (decode.c) ==== */

/* Bytes one dense value takes in a decoded array: 1 for BOOLEAN, 4, 8, or a floe_pq_bytes. */
size_t floe_pq_elem_size(floe_pq_type t);

/* The values of a dictionary page (PLAIN), decoded once per column chunk. */
typedef struct floe_pq_dict {
    void *values; /* n elements of floe_pq_elem_size(type); heap, owned */
    size_t n;
} floe_pq_dict;

/* What a value decoder needs to know about its leaf. */
typedef struct floe_pq_decoder {
    floe_pq_type type;
    int32_t type_length;      /* FIXED_LEN_BYTE_ARRAY width */
    const floe_pq_dict *dict; /* NULL when the chunk has no dictionary page */
    size_t max_bytes;         /* limit on bytes a decoder may allocate (max_page_size) */
    size_t max_count;         /* most values a DELTA stream may declare (the page's entries);
                                 0: exactly the values decoded */
} floe_pq_decoder;

/*
 * Decode exactly `n` values encoded with `encoding` from [p, p + len) into `out` (n elements
 * of floe_pq_elem_size). Byte values point into `p`, into the dictionary, or into a buffer the
 * decoder allocates and returns in `*owned` (heap; the caller frees it once the values are no
 * longer used; NULL when nothing was allocated). `scratch` is reusable working memory.
 */
floe_status floe_pq_decode_values(const floe_pq_decoder *d, int32_t encoding, const uint8_t *p,
                                  size_t len, size_t n, void *out, floe_buf *scratch,
                                  uint8_t **owned, floe_err *err);

/*
 * Decode a dictionary page's `n` PLAIN values from [p, p + len) into `dict` (which owns the
 * array; byte values point into `p`, which must outlive the dictionary).
 */
floe_status floe_pq_decode_dict(const floe_pq_decoder *d, const uint8_t *p, size_t len, size_t n,
                                floe_pq_dict *dict, floe_err *err);
void floe_pq_dict_fini(floe_pq_dict *dict);

/*
 * DELTA_BINARY_PACKED: decode the stream at [p, p + len) and store its first `n` values into
 * `out` (uint64 values, wrapping arithmetic; 32-bit columns truncate). The stream must hold
 * at least `n` values and at most `max_total`. `*used` receives the stream's length in bytes
 * (where the next section starts), `*total` the number of values it declares.
 */
floe_status floe_pq_delta_decode(const uint8_t *p, size_t len, uint64_t *out, size_t n,
                                 size_t max_total, size_t *used, size_t *total, floe_err *err);

/* ==== Values (assemble.c) ==== */

/* Convert one raw value of `leaf`'s physical type (as stored in a batch) to a floe_value. */
floe_value floe_pq_leaf_value(const floe_pq_node *leaf, const void *raw);

/* IEEE 754 half precision to float. */
float floe_pq_half_to_float(uint16_t h);

#endif /* FLOE_PARQUET_READ_INT_H */
