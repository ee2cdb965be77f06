/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Value decoders for every Parquet encoding (Encodings.md): PLAIN, PLAIN_DICTIONARY /
 * RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
 *
 * A decoder turns one page's value section into a dense array (non-null values only) of the
 * leaf's physical type: uint8 booleans, 4- or 8-byte numbers, or floe_pq_bytes that point into
 * the page, the dictionary, or a buffer the decoder allocates (DELTA_BYTE_ARRAY prefixes,
 * split fixed-width bytes). Loops are specialised per element size; fixed-width PLAIN values
 * are copied in bulk.
 */
#include "read_int.h"

#include <stdlib.h>
#include <string.h>

size_t floe_pq_elem_size(floe_pq_type t)
{
    switch (t) {
    case FLOE_PQ_BOOLEAN:
        return 1;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        return 4;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        return 8;
    default:
        return sizeof(floe_pq_bytes);
    }
}

static floe_status short_data(floe_err *err, const char *enc, size_t n, size_t need, size_t have)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT,
                        "%s: %zu values need %zu bytes but the page holds %zu", enc, n, need, have);
}

/* ==== PLAIN ==== */

static floe_status plain_bytes(const uint8_t *p, size_t len, size_t n, floe_pq_bytes *out,
                               floe_err *err)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - pos < 4) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "PLAIN byte array %zu of %zu: length runs past the page end", i, n);
        }
        uint32_t l = floe_load_u32le(p + pos);
        pos += 4;
        if (l > len - pos) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "PLAIN byte array %zu of %zu: %u bytes run past the page end", i, n,
                                l);
        }
        out[i].ptr = p + pos;
        out[i].len = l;
        pos += l;
    }
    return FLOE_OK;
}

static floe_status plain_fixed_ptrs(const uint8_t *p, size_t len, size_t n, size_t width,
                                    floe_pq_bytes *out, floe_err *err)
{
    size_t need;
    if (floe_mul_overflow(n, width, &need) || need > len) {
        return short_data(err, "PLAIN", n, floe_mul_overflow(n, width, &need) ? SIZE_MAX : need,
                          len);
    }
    for (size_t i = 0; i < n; i++) {
        out[i].ptr = p + i * width;
        out[i].len = (uint32_t)width;
    }
    return FLOE_OK;
}

static floe_status decode_plain(const floe_pq_decoder *d, const uint8_t *p, size_t len, size_t n,
                                void *out, floe_err *err)
{
    switch (d->type) {
    case FLOE_PQ_BOOLEAN: {
        if ((n + 7) / 8 > len) {
            return short_data(err, "PLAIN boolean", n, (n + 7) / 8, len);
        }
        uint8_t *o = out;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint8_t b = p[i / 8];
            for (int k = 0; k < 8; k++) {
                o[i + k] = (b >> k) & 1;
            }
        }
        for (; i < n; i++) {
            o[i] = (p[i / 8] >> (i % 8)) & 1;
        }
        return FLOE_OK;
    }
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE: {
        size_t es = floe_pq_elem_size(d->type);
        if (n > len / es) {
            return short_data(err, "PLAIN", n, n > SIZE_MAX / es ? SIZE_MAX : n * es, len);
        }
        if (n > 0) {
            memcpy(out, p, n * es); /* little-endian on every platform we build for */
        }
        return FLOE_OK;
    }
    case FLOE_PQ_INT96:
        return plain_fixed_ptrs(p, len, n, 12, out, err);
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        return plain_fixed_ptrs(p, len, n, (size_t)d->type_length, out, err);
    case FLOE_PQ_BYTE_ARRAY:
        return plain_bytes(p, len, n, out, err);
    }
    return floe_err_set(err, FLOE_ERR_CORRUPT, "unknown physical type %d", (int)d->type);
}

floe_status floe_pq_decode_dict(const floe_pq_decoder *d, const uint8_t *p, size_t len, size_t n,
                                floe_pq_dict *dict, floe_err *err)
{
    memset(dict, 0, sizeof(*dict));
    size_t es = floe_pq_elem_size(d->type);
    /* Every PLAIN value takes at least one bit (booleans) or one byte; bound n before
     * allocating. */
    size_t max_n = d->type == FLOE_PQ_BOOLEAN ? len * 8 : len;
    if (n > max_n) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "dictionary page declares %zu values but holds only %zu bytes", n, len);
    }
    dict->values = floe_xmalloc(n * es + 1);
    floe_status st = decode_plain(d, p, len, n, dict->values, err);
    if (st != FLOE_OK) {
        floe_pq_dict_fini(dict);
        return floe_err_wrap(err, "dictionary page");
    }
    dict->n = n;
    return FLOE_OK;
}

void floe_pq_dict_fini(floe_pq_dict *dict)
{
    free(dict->values);
    dict->values = NULL;
    dict->n = 0;
}

/* ==== Dictionary indices ==== */

static floe_status decode_dict_indices(const floe_pq_decoder *d, const uint8_t *p, size_t len,
                                       size_t n, void *out, floe_buf *scratch, floe_err *err)
{
    if (d->dict == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "dictionary-encoded page in a column chunk without a dictionary page");
    }
    if (n == 0) {
        return FLOE_OK;
    }
    if (len < 1) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "dictionary indices: missing bit width byte");
    }
    int w = p[0];
    if (w > 32) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "dictionary indices: bit width %d is over 32",
                            w);
    }
    floe_buf_reset(scratch);
    floe_status st = floe_buf_reserve(scratch, n * sizeof(uint32_t), err);
    if (st != FLOE_OK) {
        return st;
    }
    uint32_t *idx = (uint32_t *)(void *)scratch->data;
    st = floe_pq_rle_decode_u32(p + 1, len - 1, w, idx, n, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "dictionary indices");
    }
    size_t dn = d->dict->n;
    /* One check over all indices keeps the gather loops free of branches. */
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++) {
        max = idx[i] > max ? idx[i] : max;
    }
    if (max >= dn) {
        size_t bad = 0;
        while (idx[bad] < dn) {
            bad++;
        }
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "dictionary index %u (value %zu) is out of range for a dictionary "
                            "of %zu entries",
                            idx[bad], bad, dn);
    }
    switch (floe_pq_elem_size(d->type)) {
    case 1: {
        const uint8_t *dv = d->dict->values;
        uint8_t *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i] = dv[idx[i]];
        }
        break;
    }
    case 4: {
        const uint32_t *dv = d->dict->values;
        uint32_t *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i] = dv[idx[i]];
        }
        break;
    }
    case 8: {
        const uint64_t *dv = d->dict->values;
        uint64_t *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i] = dv[idx[i]];
        }
        break;
    }
    default: {
        const floe_pq_bytes *dv = d->dict->values;
        floe_pq_bytes *o = out;
        for (size_t i = 0; i < n; i++) {
            o[i] = dv[idx[i]];
        }
        break;
    }
    }
    return FLOE_OK;
}

/* ==== RLE booleans ==== */

static floe_status decode_rle_bool(const uint8_t *p, size_t len, size_t n, uint8_t *out,
                                   floe_buf *scratch, floe_err *err)
{
    if (len < 4) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "RLE booleans: missing 4-byte length");
    }
    uint32_t l = floe_load_u32le(p);
    if (l > len - 4) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "RLE booleans: length %u runs past the page end (%zu bytes)", l,
                            len - 4);
    }
    floe_buf_reset(scratch);
    floe_status st = floe_buf_reserve(scratch, n * sizeof(uint32_t), err);
    if (st != FLOE_OK) {
        return st;
    }
    uint32_t *v = (uint32_t *)(void *)scratch->data;
    st = floe_pq_rle_decode_u32(p + 4, l, 1, v, n, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "RLE booleans");
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(v[i] & 1);
    }
    return FLOE_OK;
}

/* ==== DELTA_BINARY_PACKED ==== */

#define DELTA_MAX_BLOCK (1u << 20)

floe_status floe_pq_delta_decode(const uint8_t *p, size_t len, uint64_t *out, size_t n,
                                 size_t max_total, size_t *used, size_t *total_out, floe_err *err)
{
    floe_cursor c;
    floe_cursor_init(&c, p, len);
    uint64_t block, mbs, total;
    int64_t first;
    floe_status st = floe_cursor_uvarint(&c, &block, err);
    if (st == FLOE_OK) {
        st = floe_cursor_uvarint(&c, &mbs, err);
    }
    if (st == FLOE_OK) {
        st = floe_cursor_uvarint(&c, &total, err);
    }
    if (st == FLOE_OK) {
        st = floe_cursor_zvarint(&c, &first, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "DELTA_BINARY_PACKED header");
    }
    if (block == 0 || block % 128 != 0 || block > DELTA_MAX_BLOCK || mbs == 0 || block % mbs != 0 ||
        (block / mbs) % 32 != 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "DELTA_BINARY_PACKED: bad block size %llu with %llu miniblocks",
                            (unsigned long long)block, (unsigned long long)mbs);
    }
    if (total < n || total > max_total) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "DELTA_BINARY_PACKED: stream holds %llu values, %zu expected",
                            (unsigned long long)total, n);
    }
    size_t per_mb = (size_t)(block / mbs);
    uint64_t last = (uint64_t)first;
    if (total > 0 && n > 0) {
        out[0] = last;
    }
    size_t done = total > 0 ? 1 : 0;
    uint64_t vals[8];
    while (done < total) {
        int64_t min_delta;
        st = floe_cursor_zvarint(&c, &min_delta, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "DELTA_BINARY_PACKED block after %zu values", done);
        }
        const uint8_t *widths;
        st = floe_cursor_bytes(&c, (size_t)mbs, &widths, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "DELTA_BINARY_PACKED miniblock widths");
        }
        for (size_t m = 0; m < mbs && done < total; m++) {
            int w = widths[m];
            if (w > 64) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "DELTA_BINARY_PACKED: miniblock bit width %d is over 64", w);
            }
            size_t in_mb = total - done < per_mb ? (size_t)(total - done) : per_mb;
            size_t mb_bytes = per_mb / 8 * (size_t)w;
            size_t rem = len - c.pos;
            size_t need = (in_mb * (size_t)w + 7) / 8;
            if (need > rem) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "DELTA_BINARY_PACKED: miniblock needs %zu bytes, %zu left",
                                    need, rem);
            }
            const uint8_t *mp = p + c.pos;
            size_t mrem = rem < mb_bytes ? rem : mb_bytes;
            for (size_t g = 0; g < in_mb; g += 8) {
                size_t k = in_mb - g < 8 ? in_mb - g : 8;
                size_t goff = g / 8 * (size_t)w;
                floe_pq_unpack64(mp + goff, mrem - goff, w, vals, k);
                if (done + k <= n) {
                    for (size_t j = 0; j < k; j++) {
                        last += (uint64_t)min_delta + vals[j];
                        out[done + j] = last;
                    }
                } else {
                    for (size_t j = 0; j < k; j++) {
                        last += (uint64_t)min_delta + vals[j];
                        if (done + j < n) {
                            out[done + j] = last;
                        }
                    }
                }
                done += k;
            }
            /* A full miniblock's bytes are present unless the stream ends here. */
            c.pos += done < total ? mb_bytes : (mrem < mb_bytes ? mrem : mb_bytes);
            if (c.pos > len) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "DELTA_BINARY_PACKED: miniblock runs past the end");
            }
        }
    }
    *used = c.pos;
    *total_out = (size_t)total;
    return FLOE_OK;
}

static size_t max_count(const floe_pq_decoder *d, size_t n)
{
    return d->max_count > n ? d->max_count : n;
}

static floe_status decode_delta_ints(const floe_pq_decoder *d, const uint8_t *p, size_t len,
                                     size_t n, void *out, floe_buf *scratch, floe_err *err)
{
    size_t used, total;
    if (d->type == FLOE_PQ_INT64) {
        return floe_pq_delta_decode(p, len, out, n, max_count(d, n), &used, &total, err);
    }
    floe_buf_reset(scratch);
    floe_status st = floe_buf_reserve(scratch, n * sizeof(uint64_t) + 8, err);
    if (st != FLOE_OK) {
        return st;
    }
    uint64_t *tmp = (uint64_t *)(void *)scratch->data;
    st = floe_pq_delta_decode(p, len, tmp, n, max_count(d, n), &used, &total, err);
    if (st != FLOE_OK) {
        return st;
    }
    uint32_t *o = out;
    for (size_t i = 0; i < n; i++) {
        o[i] = (uint32_t)tmp[i];
    }
    return FLOE_OK;
}

/* Lengths for the byte-array delta encodings: decoded into `scratch`, checked to fit 32 bits. */
static floe_status delta_lengths(const uint8_t *p, size_t len, size_t n, floe_buf *scratch,
                                 size_t scratch_off, uint64_t **lens, size_t *used, floe_err *err)
{
    floe_status st = floe_buf_reserve(scratch, scratch_off + n * sizeof(uint64_t) + 8, err);
    if (st != FLOE_OK) {
        return st;
    }
    *lens = (uint64_t *)(void *)(scratch->data + scratch_off);
    size_t total;
    st = floe_pq_delta_decode(p, len, *lens, n, n, used, &total, err);
    if (st != FLOE_OK) {
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        if ((*lens)[i] > INT32_MAX) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "delta length %lld of value %zu is invalid",
                                (long long)(*lens)[i], i);
        }
    }
    return FLOE_OK;
}

static floe_status decode_delta_length(const uint8_t *p, size_t len, size_t n, floe_pq_bytes *out,
                                       floe_buf *scratch, floe_err *err)
{
    floe_buf_reset(scratch);
    uint64_t *lens;
    size_t used;
    floe_status st = delta_lengths(p, len, n, scratch, 0, &lens, &used, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "DELTA_LENGTH_BYTE_ARRAY lengths");
    }
    size_t pos = used;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] > len - pos) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "DELTA_LENGTH_BYTE_ARRAY: value %zu of %llu bytes runs past the "
                                "page end",
                                i, (unsigned long long)lens[i]);
        }
        out[i].ptr = p + pos;
        out[i].len = (uint32_t)lens[i];
        pos += (size_t)lens[i];
    }
    return FLOE_OK;
}

static floe_status decode_delta_byte_array(const floe_pq_decoder *d, const uint8_t *p, size_t len,
                                           size_t n, floe_pq_bytes *out, floe_buf *scratch,
                                           uint8_t **owned, floe_err *err)
{
    floe_buf_reset(scratch);
    uint64_t *prefix;
    size_t used;
    floe_status st = delta_lengths(p, len, n, scratch, 0, &prefix, &used, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "DELTA_BYTE_ARRAY prefix lengths");
    }
    size_t off2 = n * sizeof(uint64_t) + 8;
    uint64_t *suffix;
    size_t used2;
    st = delta_lengths(p + used, len - used, n, scratch, off2, &suffix, &used2, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "DELTA_BYTE_ARRAY suffix lengths");
    }
    prefix = (uint64_t *)(void *)scratch->data; /* the buffer may have moved */
    size_t pos = used + used2;
    /* Total size of the rebuilt values, checked against the limit before allocating. */
    uint64_t total = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (prefix[i] > prev) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "DELTA_BYTE_ARRAY: value %zu has a prefix of %llu bytes but the "
                                "previous value has %llu",
                                i, (unsigned long long)prefix[i], (unsigned long long)prev);
        }
        prev = prefix[i] + suffix[i];
        if (prev > INT32_MAX) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "DELTA_BYTE_ARRAY: value %zu is too long",
                                i);
        }
        total += prev;
        if (total > d->max_bytes) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG,
                                "DELTA_BYTE_ARRAY: values add up to more than %zu bytes",
                                d->max_bytes);
        }
    }
    uint8_t *buf = floe_xmalloc(total > 0 ? (size_t)total : 1);
    size_t w = 0;
    const uint8_t *last = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t pl = (size_t)prefix[i], sl = (size_t)suffix[i];
        if (sl > len - pos) {
            free(buf);
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "DELTA_BYTE_ARRAY: suffix of value %zu runs past the page end", i);
        }
        if (pl > 0) {
            memcpy(buf + w, last, pl);
        }
        memcpy(buf + w + pl, p + pos, sl);
        pos += sl;
        out[i].ptr = buf + w;
        out[i].len = (uint32_t)(pl + sl);
        if (d->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && out[i].len != (uint32_t)d->type_length) {
            free(buf);
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "DELTA_BYTE_ARRAY: value %zu has %u bytes in a FIXED(%d) column", i,
                                out[i].len, d->type_length);
        }
        last = buf + w;
        w += pl + sl;
    }
    *owned = buf;
    return FLOE_OK;
}

/* ==== BYTE_STREAM_SPLIT ==== */

static floe_status decode_bss(const floe_pq_decoder *d, const uint8_t *p, size_t len, size_t n,
                              void *out, uint8_t **owned, floe_err *err)
{
    size_t k;
    switch (d->type) {
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        k = 4;
        break;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        k = 8;
        break;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        k = (size_t)d->type_length;
        break;
    default:
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "BYTE_STREAM_SPLIT on %s values",
                            floe_pq_type_name(d->type));
    }
    size_t need;
    if (floe_mul_overflow(n, k, &need) || need > len) {
        return short_data(err, "BYTE_STREAM_SPLIT", n, need, len);
    }
    if (k == 4 && d->type != FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
        uint32_t *o = out;
        const uint8_t *s0 = p, *s1 = p + n, *s2 = p + 2 * n, *s3 = p + 3 * n;
        for (size_t i = 0; i < n; i++) {
            o[i] = (uint32_t)s0[i] | (uint32_t)s1[i] << 8 | (uint32_t)s2[i] << 16 |
                   (uint32_t)s3[i] << 24;
        }
        return FLOE_OK;
    }
    if (k == 8 && d->type != FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
        uint64_t *o = out;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = 0;
            for (size_t b = 0; b < 8; b++) {
                v |= (uint64_t)p[b * n + i] << (8 * b);
            }
            o[i] = v;
        }
        return FLOE_OK;
    }
    uint8_t *buf = floe_xmalloc(need > 0 ? need : 1);
    floe_pq_bytes *o = out;
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < k; b++) {
            buf[i * k + b] = p[b * n + i];
        }
        o[i].ptr = buf + i * k;
        o[i].len = (uint32_t)k;
    }
    *owned = buf;
    return FLOE_OK;
}

/* ==== Dispatch ==== */

static floe_status wrong_type(floe_err *err, int32_t encoding, floe_pq_type t)
{
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "encoding %s is not supported for %s columns",
                        floe_pq_encoding_name(encoding), floe_pq_type_name(t));
}

floe_status floe_pq_decode_values(const floe_pq_decoder *d, int32_t encoding, const uint8_t *p,
                                  size_t len, size_t n, void *out, floe_buf *scratch,
                                  uint8_t **owned, floe_err *err)
{
    *owned = NULL;
    switch (encoding) {
    case FLOE_PQ_ENC_PLAIN:
        return decode_plain(d, p, len, n, out, err);
    case FLOE_PQ_ENC_PLAIN_DICTIONARY:
    case FLOE_PQ_ENC_RLE_DICTIONARY:
        return decode_dict_indices(d, p, len, n, out, scratch, err);
    case FLOE_PQ_ENC_RLE:
        if (d->type != FLOE_PQ_BOOLEAN) {
            return wrong_type(err, encoding, d->type);
        }
        return decode_rle_bool(p, len, n, out, scratch, err);
    case FLOE_PQ_ENC_DELTA_BINARY_PACKED:
        if (d->type != FLOE_PQ_INT32 && d->type != FLOE_PQ_INT64) {
            return wrong_type(err, encoding, d->type);
        }
        return decode_delta_ints(d, p, len, n, out, scratch, err);
    case FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (d->type != FLOE_PQ_BYTE_ARRAY) {
            return wrong_type(err, encoding, d->type);
        }
        return decode_delta_length(p, len, n, out, scratch, err);
    case FLOE_PQ_ENC_DELTA_BYTE_ARRAY:
        if (d->type != FLOE_PQ_BYTE_ARRAY && d->type != FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            return wrong_type(err, encoding, d->type);
        }
        return decode_delta_byte_array(d, p, len, n, out, scratch, owned, err);
    case FLOE_PQ_ENC_BYTE_STREAM_SPLIT:
        return decode_bss(d, p, len, n, out, owned, err);
    default:
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unsupported value encoding %s (%d)",
                            floe_pq_encoding_name(encoding), (int)encoding);
    }
}
