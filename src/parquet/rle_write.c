/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLE / bit-packed hybrid encoder (Parquet Encodings.md, "Run Length Encoding / Bit-Packing
 * Hybrid"), used for definition and repetition levels and dictionary indices.
 *
 * A run of 8 or more equal values becomes an RLE run (varint header `count << 1`, then the value
 * in ceil(width / 8) little-endian bytes); everything else is packed LSB-first in groups of 8
 * values (varint header `groups << 1 | 1`). Since a bit-packed run must hold whole groups, a
 * literal stretch that does not end on a group boundary borrows the first values of the
 * following repeat to fill its last group, and only a repeat still 8 or longer after that is
 * run-length encoded. The final group is padded with zeros, which readers ignore past their
 * value count.
 */
#include "parquet_int.h"

#include <string.h>

/* Runs are split below 2^31 values, the limit readers assume. */
#define MAX_RLE_RUN ((size_t)1 << 30)
#define MAX_LIT_GROUPS ((size_t)1 << 27)

static uint8_t *put_uvarint(uint8_t *dst, uint64_t v)
{
    while (v >= 0x80) {
        *dst++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *dst++ = (uint8_t)v;
    return dst;
}

static uint8_t *put_rle_run(uint8_t *dst, uint32_t value, size_t count, int value_bytes)
{
    while (count > 0) {
        size_t c = count < MAX_RLE_RUN ? count : MAX_RLE_RUN;
        dst = put_uvarint(dst, (uint64_t)c << 1);
        for (int b = 0; b < value_bytes; b++) {
            *dst++ = (uint8_t)(value >> (8 * b));
        }
        count -= c;
    }
    return dst;
}

/*
 * Bit-pack `count` values (the last group padded with zeros to 8) under as many headers as the
 * group limit needs. `count` is a multiple of 8 except for the final stretch of the input.
 */
#define DEFINE_PUT_LITERALS(NAME, T)                                                               \
    static uint8_t *NAME(uint8_t *dst, const T *vals, size_t count, int width)                     \
    {                                                                                              \
        while (count > 0) {                                                                        \
            size_t groups = (count + 7) / 8;                                                       \
            if (groups > MAX_LIT_GROUPS) {                                                         \
                groups = MAX_LIT_GROUPS;                                                           \
            }                                                                                      \
            size_t take = groups * 8 < count ? groups * 8 : count;                                 \
            dst = put_uvarint(dst, (uint64_t)groups << 1 | 1);                                     \
            uint64_t acc = 0;                                                                      \
            int bits = 0;                                                                          \
            for (size_t k = 0; k < groups * 8; k++) {                                              \
                uint64_t v = k < take ? (uint64_t)vals[k] : 0;                                     \
                acc |= v << bits;                                                                  \
                bits += width;                                                                     \
                while (bits >= 8) {                                                                \
                    *dst++ = (uint8_t)acc;                                                         \
                    acc >>= 8;                                                                     \
                    bits -= 8;                                                                     \
                }                                                                                  \
            }                                                                                      \
            vals += take;                                                                          \
            count -= take;                                                                         \
        }                                                                                          \
        return dst;                                                                                \
    }

DEFINE_PUT_LITERALS(put_literals_u32, uint32_t)
DEFINE_PUT_LITERALS(put_literals_u16, uint16_t)

/* An upper bound of the encoded size of n values (literal bytes, run headers and values). */
static size_t encoded_bound(size_t n, int width)
{
    return (n / 8 + 2) * ((size_t)width + 16) + 64;
}

#define DEFINE_ENCODE(NAME, T, PUT_LITERALS)                                                       \
    static void NAME(const T *vals, size_t n, int width, floe_buf *out)                            \
    {                                                                                              \
        if (n == 0) {                                                                              \
            return;                                                                                \
        }                                                                                          \
        FLOE_VERIFY(width >= 0 && width <= 32);                                                    \
        floe_status st = floe_buf_reserve(out, encoded_bound(n, width), NULL);                     \
        FLOE_VERIFY(st == FLOE_OK);                                                                \
        uint8_t *dst = (uint8_t *)out->data + out->len;                                            \
        int value_bytes = (width + 7) / 8;                                                         \
        if (width == 0) {                                                                          \
            dst = put_rle_run(dst, 0, n, 0);                                                       \
        } else {                                                                                   \
            size_t i = 0, lit = 0; /* [lit, i) are pending literals */                             \
            while (i < n) {                                                                        \
                T v = vals[i];                                                                     \
                size_t j = i + 1;                                                                  \
                while (j < n && vals[j] == v) {                                                    \
                    j++;                                                                           \
                }                                                                                  \
                if (j - i >= 8) {                                                                  \
                    size_t fill = (8 - (i - lit) % 8) % 8;                                         \
                    if (j - i - fill >= 8) {                                                       \
                        dst = PUT_LITERALS(dst, vals + lit, i + fill - lit, width);                \
                        dst = put_rle_run(dst, (uint32_t)v, j - i - fill, value_bytes);            \
                        lit = j;                                                                   \
                    }                                                                              \
                }                                                                                  \
                i = j;                                                                             \
            }                                                                                      \
            dst = PUT_LITERALS(dst, vals + lit, n - lit, width);                                   \
        }                                                                                          \
        out->len = (size_t)(dst - (uint8_t *)out->data);                                           \
        out->data[out->len] = '\0';                                                                \
    }

DEFINE_ENCODE(encode_u32, uint32_t, put_literals_u32)
DEFINE_ENCODE(encode_u16, uint16_t, put_literals_u16)

void floe_pq_rle_encode_u32(const uint32_t *vals, size_t n, int bit_width, floe_buf *out)
{
    encode_u32(vals, n, bit_width, out);
}

void floe_pq_rle_encode_i16(const int16_t *vals, size_t n, int bit_width, floe_buf *out)
{
    /* Levels are never negative: the same bits read as unsigned. */
    FLOE_VERIFY(bit_width <= 16);
    encode_u16((const uint16_t *)(const void *)vals, n, bit_width, out);
}
