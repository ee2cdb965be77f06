/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the RLE/bit-packed hybrid (levels, dictionary indices, RLE booleans), of the
 * legacy MSB-first BIT_PACKED level encoding, and the LSB-first bit unpacking they and
 * DELTA_BINARY_PACKED share (Parquet Encodings.md, "Run Length Encoding / Bit-Packing Hybrid").
 *
 * Bit-packed values come in groups of 8 that take exactly `width` bytes. Each width gets its
 * own unrolled loop (one always-inline body instantiated per width), so the shifts and masks
 * are constants and every value is one unaligned 64-bit load, a shift and a mask. Groups too
 * close to the end of the input for an 8-byte load go through a zero-padded copy.
 */
#include "read_int.h"

#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

int floe_pq_bit_width(uint64_t max)
{
    int w = 0;
    while (max != 0) {
        w++;
        max >>= 1;
    }
    return w;
}

/* ==== LSB-first unpacking ==== */

static ALWAYS_INLINE void unpack_groups32(const uint8_t *in, uint32_t *out, size_t groups,
                                          const int w)
{
    const uint64_t mask = w == 32 ? 0xffffffffu : (((uint64_t)1 << w) - 1);
    for (size_t g = 0; g < groups; g++) {
        for (int i = 0; i < 8; i++) {
            const int bit = i * w;
            out[i] = (uint32_t)((floe_load_u64le(in + (bit >> 3)) >> (bit & 7)) & mask);
        }
        in += w;
        out += 8;
    }
}

/* Groups of 8 values, each group `w` bytes; needs w + 8 readable bytes past each group start. */
static void unpack_groups32_any(const uint8_t *in, uint32_t *out, size_t groups, int w)
{
    /* One instantiation of the unrolled body per width. */
    // clang-format off
    switch (w) {
#define W(k) case k: unpack_groups32(in, out, groups, k); return;
    W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8)
    W(9) W(10) W(11) W(12) W(13) W(14) W(15) W(16)
    W(17) W(18) W(19) W(20) W(21) W(22) W(23) W(24)
    W(25) W(26) W(27) W(28) W(29) W(30) W(31) W(32)
#undef W
    default:
        memset(out, 0, groups * 8 * sizeof(*out));
        return;
    }
    // clang-format on
}

void floe_pq_unpack32(const uint8_t *in, size_t in_len, int width, uint32_t *out, size_t n)
{
    if (width <= 0) {
        memset(out, 0, n * sizeof(*out));
        return;
    }
    size_t w = (size_t)width;
    size_t groups = n / 8;
    /* Groups that can be read in place: the 8-byte load of the last value stays inside. */
    size_t fast = in_len >= w + 8 ? (in_len - 8) / w : 0;
    if (fast > groups) {
        fast = groups;
    }
    unpack_groups32_any(in, out, fast, width);
    size_t done = fast * 8;
    size_t off = fast * w;
    while (done < n) {
        uint8_t tmp[32 + 16] = {0};
        size_t avail = in_len > off ? in_len - off : 0;
        memcpy(tmp, in + off, avail < w ? avail : w);
        uint32_t vals[8];
        unpack_groups32_any(tmp, vals, 1, width);
        size_t take = n - done < 8 ? n - done : 8;
        memcpy(out + done, vals, take * sizeof(*out));
        done += take;
        off += w;
    }
}

static ALWAYS_INLINE void unpack_groups64(const uint8_t *in, uint64_t *out, size_t groups,
                                          const int w)
{
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);
    for (size_t g = 0; g < groups; g++) {
        for (int i = 0; i < 8; i++) {
            const int bit = i * w;
            const int sh = bit & 7;
            uint64_t v = floe_load_u64le(in + (bit >> 3)) >> sh;
            if (w + 7 > 64 && sh + w > 64) {
                v |= (uint64_t)in[(bit >> 3) + 8] << (64 - sh);
            }
            out[i] = v & mask;
        }
        in += w;
        out += 8;
    }
}

/* Needs w + 9 readable bytes past each group start. */
static void unpack_groups64_any(const uint8_t *in, uint64_t *out, size_t groups, int w)
{
    /* One instantiation of the unrolled body per width. */
    // clang-format off
    switch (w) {
#define W(k) case k: unpack_groups64(in, out, groups, k); return;
    W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8)
    W(9) W(10) W(11) W(12) W(13) W(14) W(15) W(16)
    W(17) W(18) W(19) W(20) W(21) W(22) W(23) W(24)
    W(25) W(26) W(27) W(28) W(29) W(30) W(31) W(32)
    W(33) W(34) W(35) W(36) W(37) W(38) W(39) W(40)
    W(41) W(42) W(43) W(44) W(45) W(46) W(47) W(48)
    W(49) W(50) W(51) W(52) W(53) W(54) W(55) W(56)
    W(57) W(58) W(59) W(60) W(61) W(62) W(63) W(64)
#undef W
    default:
        memset(out, 0, groups * 8 * sizeof(*out));
        return;
    }
    // clang-format on
}

void floe_pq_unpack64(const uint8_t *in, size_t in_len, int width, uint64_t *out, size_t n)
{
    if (width <= 0) {
        memset(out, 0, n * sizeof(*out));
        return;
    }
    size_t w = (size_t)width;
    size_t groups = n / 8;
    size_t fast = in_len >= w + 9 ? (in_len - 9) / w : 0;
    if (fast > groups) {
        fast = groups;
    }
    unpack_groups64_any(in, out, fast, width);
    size_t done = fast * 8;
    size_t off = fast * w;
    while (done < n) {
        uint8_t tmp[64 + 16] = {0};
        size_t avail = in_len > off ? in_len - off : 0;
        memcpy(tmp, in + off, avail < w ? avail : w);
        uint64_t vals[8];
        unpack_groups64_any(tmp, vals, 1, width);
        size_t take = n - done < 8 ? n - done : 8;
        memcpy(out + done, vals, take * sizeof(*out));
        done += take;
        off += w;
    }
}

/* ==== RLE / bit-packed hybrid ==== */

/*
 * One decoder body for both output widths: `wide` (a constant at each call) selects `out32`,
 * else `out16`. Bit-packed runs into 16-bit output go through a small 32-bit staging array.
 * For 16-bit output (levels) the same pass counts values equal to `max` into `*at_max` and
 * flags values above it in `*over`, so levels need no second pass.
 */
static ALWAYS_INLINE floe_status rle_decode(const uint8_t *p, size_t len, int w, const bool wide,
                                            uint32_t *out32, int16_t *out16, size_t n, uint32_t max,
                                            size_t *at_max, uint32_t *over, floe_err *err)
{
    if (w < 0 || w > 32) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "rle: bit width %d is over 32", w);
    }
    if (w == 0) {
        /* Only zeros can be stored; writers may omit the runs entirely. */
        if (wide) {
            memset(out32, 0, n * sizeof(*out32));
        } else {
            memset(out16, 0, n * sizeof(*out16));
            *at_max = max == 0 ? n : 0;
        }
        return FLOE_OK;
    }
    size_t vbytes = ((size_t)w + 7) / 8;
    size_t done = 0;
    floe_cursor c;
    floe_cursor_init(&c, p, len);
    while (done < n) {
        if (c.pos >= len) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "rle: runs end after %zu of %zu values (%zu bytes)", done, n, len);
        }
        size_t at = c.pos;
        uint64_t header;
        floe_status st = floe_cursor_uvarint(&c, &header, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "rle: run header");
        }
        size_t want = n - done;
        if (header & 1) {
            uint64_t groups = header >> 1;
            size_t rem = len - c.pos;
            /* Values this run holds, limited to the bytes present (a final run may be cut). */
            uint64_t count = groups > (SIZE_MAX / 8) ? SIZE_MAX : groups * 8;
            uint64_t avail = (uint64_t)rem * 8 / (uint64_t)w;
            uint64_t take = count < avail ? count : avail;
            if (take > want) {
                take = want;
            }
            if (take == 0 && groups != 0) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "rle: bit-packed run at offset %zu has no data", at);
            }
            if (wide) {
                floe_pq_unpack32(p + c.pos, rem, w, out32 + done, (size_t)take);
            } else {
                uint32_t stage[512];
                size_t off = 0;
                for (size_t k = 0; k < take; k += 512) {
                    size_t m = take - k < 512 ? (size_t)take - k : 512;
                    floe_pq_unpack32(p + c.pos + off, rem - off, w, stage, m);
                    size_t cnt = 0;
                    uint32_t bad = 0;
                    for (size_t j = 0; j < m; j++) {
                        out16[done + k + j] = (int16_t)stage[j];
                        cnt += stage[j] == max;
                        bad |= stage[j] > max;
                    }
                    *at_max += cnt;
                    *over |= bad;
                    off += m / 8 * (size_t)w; /* m is a multiple of 8 except at the end */
                }
            }
            done += (size_t)take;
            uint64_t run_bytes = groups * (uint64_t)w;
            if (groups > UINT64_MAX / 64 || run_bytes > rem) {
                run_bytes = rem;
            }
            c.pos += (size_t)run_bytes;
        } else {
            uint64_t count = header >> 1;
            if (vbytes > len - c.pos) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "rle: run value at offset %zu runs past the end", c.pos);
            }
            uint32_t v = 0;
            for (size_t i = 0; i < vbytes; i++) {
                v |= (uint32_t)p[c.pos + i] << (8 * i);
            }
            c.pos += vbytes;
            size_t take = count < want ? (size_t)count : want;
            if (wide) {
                for (size_t i = 0; i < take; i++) {
                    out32[done + i] = v;
                }
            } else {
                for (size_t i = 0; i < take; i++) {
                    out16[done + i] = (int16_t)v;
                }
                *at_max += v == max ? take : 0;
                *over |= v > max;
            }
            done += take;
        }
    }
    return FLOE_OK;
}

floe_status floe_pq_rle_decode_u32(const uint8_t *p, size_t len, int bit_width, uint32_t *out,
                                   size_t n, floe_err *err)
{
    size_t unused = 0;
    uint32_t over = 0;
    return rle_decode(p, len, bit_width, true, out, NULL, n, 0, &unused, &over, err);
}

floe_status floe_pq_rle_decode_i16(const uint8_t *p, size_t len, int bit_width, int16_t *out,
                                   size_t n, floe_err *err)
{
    if (bit_width > 16) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "rle: level bit width %d is over 16", bit_width);
    }
    size_t unused = 0;
    uint32_t over = 0;
    return rle_decode(p, len, bit_width, false, NULL, out, n, UINT32_MAX, &unused, &over, err);
}

floe_status floe_pq_rle_decode_levels(const uint8_t *p, size_t len, int bit_width, int16_t max,
                                      int16_t *out, size_t n, size_t *at_max, floe_err *err)
{
    if (bit_width > 16) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "rle: level bit width %d is over 16", bit_width);
    }
    uint32_t over = 0;
    *at_max = 0;
    floe_status st =
        rle_decode(p, len, bit_width, false, NULL, out, n, (uint32_t)max, at_max, &over, err);
    if (st == FLOE_OK && over) {
        size_t i = 0;
        while ((uint16_t)out[i] <= (uint16_t)max) {
            i++;
        }
        return floe_err_set(err, FLOE_ERR_CORRUPT, "level %d of entry %zu is over the maximum %d",
                            (uint16_t)out[i], i, max);
    }
    return st;
}

/* ==== Legacy BIT_PACKED (MSB-first) ==== */

floe_status floe_pq_bitpacked_decode_i16(const uint8_t *p, size_t len, int width, int16_t *out,
                                         size_t n, floe_err *err)
{
    if (width < 0 || width > 16) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "bit-packed levels: bit width %d is over 16",
                            width);
    }
    uint64_t bits = (uint64_t)n * (uint64_t)width;
    if ((bits + 7) / 8 > len) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "bit-packed levels: %zu values of %d bits need %llu bytes, %zu present",
                            n, width, (unsigned long long)((bits + 7) / 8), len);
    }
    uint64_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (int k = 0; k < width; k++, bit++) {
            v = v << 1 | ((p[bit >> 3] >> (7 - (bit & 7))) & 1u);
        }
        out[i] = (int16_t)v;
    }
    return FLOE_OK;
}
