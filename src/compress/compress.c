/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Block codecs over Debian's compression libraries. Every decompression is bounded by a size
 * the caller states, so a hostile stream cannot make us allocate or write past it. zstd
 * contexts are cached per thread (they are expensive to create and compaction compresses
 * thousands of pages).
 */
#include "floe/compress.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static const char *const codec_names[FLOE_CODEC_COUNT_] = {
    [FLOE_CODEC_NONE] = "uncompressed", [FLOE_CODEC_SNAPPY] = "snappy",
    [FLOE_CODEC_GZIP] = "gzip",         [FLOE_CODEC_DEFLATE] = "deflate",
    [FLOE_CODEC_ZSTD] = "zstd",         [FLOE_CODEC_LZ4_RAW] = "lz4_raw",
    [FLOE_CODEC_LZ4_HADOOP] = "lz4",    [FLOE_CODEC_BROTLI] = "brotli",
};

const char *floe_codec_name(floe_codec c)
{
    if ((unsigned)c >= FLOE_CODEC_COUNT_) {
        return "unknown";
    }
    return codec_names[c];
}

static floe_status corrupt(floe_err *err, floe_codec c, const char *what)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT, "%s data is corrupt: %s", floe_codec_name(c), what);
}

/* ==== Per-thread zstd contexts ==== */

static pthread_key_t zstd_c_key, zstd_d_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;

static void free_cctx(void *p)
{
    ZSTD_freeCCtx(p);
}

static void free_dctx(void *p)
{
    ZSTD_freeDCtx(p);
}

static void zstd_keys(void)
{
    pthread_key_create(&zstd_c_key, free_cctx);
    pthread_key_create(&zstd_d_key, free_dctx);
}

static ZSTD_CCtx *thread_cctx(void)
{
    pthread_once(&zstd_once, zstd_keys);
    ZSTD_CCtx *c = pthread_getspecific(zstd_c_key);
    if (c == NULL) {
        c = ZSTD_createCCtx();
        FLOE_VERIFY(c != NULL);
        pthread_setspecific(zstd_c_key, c);
    }
    return c;
}

static ZSTD_DCtx *thread_dctx(void)
{
    pthread_once(&zstd_once, zstd_keys);
    ZSTD_DCtx *d = pthread_getspecific(zstd_d_key);
    if (d == NULL) {
        d = ZSTD_createDCtx();
        FLOE_VERIFY(d != NULL);
        pthread_setspecific(zstd_d_key, d);
    }
    return d;
}

/* ==== zlib (gzip and raw deflate) ==== */

/*
 * Inflate `src`. With `grow` NULL, output goes to exactly [dst, dst + cap) and must fill it;
 * otherwise it is appended to `grow`, which may reach `max_out` bytes. Concatenated gzip
 * members are decoded one after another (parquet-testing has such files).
 */
static floe_status inflate_core(floe_codec c, const void *src, size_t src_len, uint8_t *dst,
                                size_t cap, floe_buf *grow, size_t max_out, floe_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    int wbits = c == FLOE_CODEC_DEFLATE ? -15 : 15 + 32; /* +32: gzip or zlib header */
    if (inflateInit2(&z, wbits) != Z_OK) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "inflateInit2 failed");
    }
    floe_status st = FLOE_OK;
    size_t consumed = 0, produced = 0, start = grow ? grow->len : 0;
    for (;;) {
        if (grow != NULL && produced == cap) {
            /* Out of room: grow geometrically up to the limit. */
            if (produced >= max_out) {
                st = floe_err_set(err, FLOE_ERR_TOO_BIG,
                                  "decompressed data is larger than %zu bytes", max_out);
                break;
            }
            size_t more = produced < 65536 ? 65536 : produced;
            if (more > max_out - produced) {
                more = max_out - produced;
            }
            grow->len = start + produced;
            st = floe_buf_reserve(grow, more, err);
            if (st != FLOE_OK) {
                break;
            }
            dst = (uint8_t *)grow->data + start;
            cap = produced + more;
        }
        size_t in_left = src_len - consumed, room = cap - produced;
        z.next_in = (Bytef *)(uintptr_t)src + consumed;
        z.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
        z.next_out = dst + produced;
        z.avail_out = room > UINT32_MAX ? UINT32_MAX : (uInt)room;
        uInt before_in = z.avail_in, before_out = z.avail_out;
        int rc = inflate(&z, Z_NO_FLUSH);
        consumed += before_in - z.avail_in;
        produced += before_out - z.avail_out;
        if (rc == Z_STREAM_END) {
            /* Skip zero padding some writers leave; another gzip member may follow. */
            while (consumed < src_len && ((const uint8_t *)src)[consumed] == 0) {
                consumed++;
            }
            if (consumed >= src_len || c == FLOE_CODEC_DEFLATE) {
                break;
            }
            inflateReset(&z);
            continue;
        }
        if (rc == Z_OK || rc == Z_BUF_ERROR) {
            bool progress = before_in != z.avail_in || before_out != z.avail_out;
            if (progress) {
                continue;
            }
            if (z.avail_out == 0 && grow != NULL) {
                continue; /* the top of the loop makes room */
            }
            st = corrupt(err, c,
                         z.avail_out == 0 ? "output longer than expected" : "truncated stream");
            break;
        }
        st = corrupt(err, c, rc == Z_BUF_ERROR ? "truncated stream" : (z.msg ? z.msg : "bad data"));
        break;
    }
    inflateEnd(&z);
    if (st == FLOE_OK && grow == NULL && produced != cap) {
        st = corrupt(err, c, "output shorter than expected");
    }
    if (grow != NULL) {
        grow->len = start + produced;
        if (grow->data != NULL) {
            grow->data[grow->len] = '\0';
        }
    }
    return st;
}

static floe_status deflate_into(floe_codec c, int level, const void *src, size_t len, floe_buf *out,
                                floe_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    int wbits = c == FLOE_CODEC_DEFLATE ? -15 : 15 + 16; /* +16: gzip wrapper */
    if (deflateInit2(&z, level ? level : 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return floe_err_set(err, FLOE_ERR_INVALID, "bad %s level %d", floe_codec_name(c), level);
    }
    if (len > UINT32_MAX) {
        deflateEnd(&z);
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "block of %zu bytes is too large to compress",
                            len);
    }
    size_t bound = deflateBound(&z, (uLong)len);
    floe_status st = floe_buf_reserve(out, bound, err);
    if (st == FLOE_OK) {
        z.next_in = (Bytef *)(uintptr_t)src;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
            st = floe_err_set(err, FLOE_ERR_INTERNAL, "deflate did not finish");
        } else {
            out->len += bound - z.avail_out;
            out->data[out->len] = '\0';
        }
    }
    deflateEnd(&z);
    return st;
}

/* ==== LZ4 with Hadoop framing ==== */

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hadoop's framing: repeated [u32 BE raw size][u32 BE compressed size][LZ4 block]. */
static bool lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, outp = 0;
    while (in < src_len) {
        if (src_len - in < 8) {
            return false;
        }
        uint32_t raw = load_be32(src + in), comp = load_be32(src + in + 4);
        in += 8;
        if (comp > src_len - in || raw > dst_len - outp || comp > INT32_MAX || raw > INT32_MAX) {
            return false;
        }
        int n =
            LZ4_decompress_safe((const char *)src + in, (char *)dst + outp, (int)comp, (int)raw);
        if (n < 0 || (uint32_t)n != raw) {
            return false;
        }
        in += comp;
        outp += raw;
    }
    return outp == dst_len;
}

/* ==== Public entry points ==== */

floe_status floe_decompress(floe_codec c, const void *src, size_t src_len, void *dst,
                            size_t dst_len, floe_err *err)
{
    switch (c) {
    case FLOE_CODEC_NONE:
        if (src_len != dst_len) {
            return corrupt(err, c, "size mismatch");
        }
        if (dst_len > 0) {
            memcpy(dst, src, dst_len);
        }
        return FLOE_OK;
    case FLOE_CODEC_SNAPPY: {
        size_t n = 0;
        if (snappy_uncompressed_length(src, src_len, &n) != SNAPPY_OK || n != dst_len) {
            return corrupt(err, c, "bad length header");
        }
        if (snappy_uncompress(src, src_len, dst, &n) != SNAPPY_OK || n != dst_len) {
            return corrupt(err, c, "bad block");
        }
        return FLOE_OK;
    }
    case FLOE_CODEC_GZIP:
    case FLOE_CODEC_DEFLATE:
        return inflate_core(c, src, src_len, dst, dst_len, NULL, 0, err);
    case FLOE_CODEC_ZSTD: {
        size_t n = ZSTD_decompressDCtx(thread_dctx(), dst, dst_len, src, src_len);
        if (ZSTD_isError(n)) {
            return corrupt(err, c, ZSTD_getErrorName(n));
        }
        if (n != dst_len) {
            return corrupt(err, c, "output shorter than expected");
        }
        return FLOE_OK;
    }
    case FLOE_CODEC_LZ4_RAW: {
        if (src_len > INT32_MAX || dst_len > INT32_MAX) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "lz4 block over 2 GiB");
        }
        int n = LZ4_decompress_safe(src, dst, (int)src_len, (int)dst_len);
        if (n < 0 || (size_t)n != dst_len) {
            return corrupt(err, c, "bad block");
        }
        return FLOE_OK;
    }
    case FLOE_CODEC_LZ4_HADOOP:
        if (lz4_hadoop(src, src_len, dst, dst_len)) {
            return FLOE_OK;
        }
        /* Some writers label raw LZ4 blocks as LZ4: try that before giving up. */
        return floe_decompress(FLOE_CODEC_LZ4_RAW, src, src_len, dst, dst_len, err) == FLOE_OK
                   ? FLOE_OK
                   : corrupt(err, c, "neither Hadoop-framed nor raw LZ4");
    case FLOE_CODEC_BROTLI: {
        size_t n = dst_len;
        if (BrotliDecoderDecompress(src_len, src, &n, dst) != BROTLI_DECODER_RESULT_SUCCESS ||
            n != dst_len) {
            return corrupt(err, c, "bad stream or wrong length");
        }
        return FLOE_OK;
    }
    case FLOE_CODEC_COUNT_:
        break;
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unknown codec %d", (int)c);
}

floe_status floe_decompress_buf(floe_codec c, const void *src, size_t src_len, size_t max_out,
                                floe_buf *out, floe_err *err)
{
    switch (c) {
    case FLOE_CODEC_NONE:
        if (src_len > max_out) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "data is larger than %zu bytes", max_out);
        }
        return floe_buf_append(out, src, src_len, err);
    case FLOE_CODEC_GZIP:
    case FLOE_CODEC_DEFLATE:
        return inflate_core(c, src, src_len, NULL, 0, out, max_out, err);
    case FLOE_CODEC_SNAPPY: {
        size_t n = 0;
        if (snappy_uncompressed_length(src, src_len, &n) != SNAPPY_OK) {
            return corrupt(err, c, "bad length header");
        }
        if (n > max_out) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "decompressed data is larger than %zu bytes",
                                max_out);
        }
        floe_status st = floe_buf_reserve(out, n, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (snappy_uncompress(src, src_len, out->data + out->len, &n) != SNAPPY_OK) {
            return corrupt(err, c, "bad block");
        }
        out->len += n;
        out->data[out->len] = '\0';
        return FLOE_OK;
    }
    case FLOE_CODEC_ZSTD: {
        ZSTD_DCtx *d = thread_dctx();
        ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
        ZSTD_inBuffer in = {src, src_len, 0};
        size_t start = out->len;
        for (;;) {
            if (out->len - start >= max_out && in.pos < in.size) {
                return floe_err_set(err, FLOE_ERR_TOO_BIG,
                                    "decompressed data is larger than %zu bytes", max_out);
            }
            size_t want = 65536;
            if (want > max_out - (out->len - start)) {
                want = max_out - (out->len - start);
            }
            floe_status st = floe_buf_reserve(out, want ? want : 1, err);
            if (st != FLOE_OK) {
                return st;
            }
            ZSTD_outBuffer o = {out->data + out->len, want, 0};
            size_t rc = ZSTD_decompressStream(d, &o, &in);
            if (ZSTD_isError(rc)) {
                return corrupt(err, c, ZSTD_getErrorName(rc));
            }
            out->len += o.pos;
            out->data[out->len] = '\0';
            if (rc == 0 && in.pos == in.size) {
                return FLOE_OK;
            }
            if (in.pos == in.size && o.pos < o.size) {
                return corrupt(err, c, "truncated frame");
            }
            if (want == 0) {
                return floe_err_set(err, FLOE_ERR_TOO_BIG,
                                    "decompressed data is larger than %zu bytes", max_out);
            }
        }
    }
    case FLOE_CODEC_LZ4_HADOOP: {
        /* The frame headers state the raw sizes: sum them, then decode in one go. */
        const uint8_t *p = src;
        size_t in = 0, total = 0;
        bool framed = src_len > 0;
        while (framed && in < src_len) {
            if (src_len - in < 8) {
                framed = false;
                break;
            }
            uint32_t raw = load_be32(p + in), comp = load_be32(p + in + 4);
            in += 8;
            if (comp > src_len - in || raw > max_out - total) {
                framed = false;
                break;
            }
            in += comp;
            total += raw;
        }
        if (framed) {
            floe_status st = floe_buf_reserve(out, total, err);
            if (st != FLOE_OK) {
                return st;
            }
            if (lz4_hadoop(src, src_len, (uint8_t *)out->data + out->len, total)) {
                out->len += total;
                out->data[out->len] = '\0';
                return FLOE_OK;
            }
        }
        return floe_decompress_buf(FLOE_CODEC_LZ4_RAW, src, src_len, max_out, out, err);
    }
    case FLOE_CODEC_LZ4_RAW:
    case FLOE_CODEC_BROTLI: {
        /* No size header: try growing capacities up to the limit. */
        size_t cap = src_len < (SIZE_MAX / 4) ? src_len * 4 + 64 : max_out;
        for (;;) {
            if (cap > max_out) {
                cap = max_out;
            }
            floe_status st = floe_buf_reserve(out, cap, err);
            if (st != FLOE_OK) {
                return st;
            }
            size_t n = cap;
            bool ok;
            if (c == FLOE_CODEC_BROTLI) {
                ok = BrotliDecoderDecompress(src_len, src, &n, (uint8_t *)out->data + out->len) ==
                     BROTLI_DECODER_RESULT_SUCCESS;
            } else {
                int r =
                    src_len > INT32_MAX || cap > INT32_MAX
                        ? -1
                        : LZ4_decompress_safe(src, out->data + out->len, (int)src_len, (int)cap);
                ok = r >= 0;
                n = ok ? (size_t)r : 0;
            }
            if (ok) {
                out->len += n;
                out->data[out->len] = '\0';
                return FLOE_OK;
            }
            if (cap >= max_out) {
                return corrupt(err, c, "bad data, or larger than the limit");
            }
            cap *= 2;
        }
    }
    case FLOE_CODEC_COUNT_:
        break;
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unknown codec %d", (int)c);
}

floe_status floe_compress(floe_codec c, int level, const void *src, size_t len, floe_buf *out,
                          floe_err *err)
{
    floe_status st;
    switch (c) {
    case FLOE_CODEC_NONE:
        return floe_buf_append(out, src, len, err);
    case FLOE_CODEC_SNAPPY: {
        size_t n = snappy_max_compressed_length(len);
        st = floe_buf_reserve(out, n, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (snappy_compress(src, len, out->data + out->len, &n) != SNAPPY_OK) {
            return floe_err_set(err, FLOE_ERR_INTERNAL, "snappy_compress failed");
        }
        out->len += n;
        out->data[out->len] = '\0';
        return FLOE_OK;
    }
    case FLOE_CODEC_GZIP:
    case FLOE_CODEC_DEFLATE:
        return deflate_into(c, level, src, len, out, err);
    case FLOE_CODEC_ZSTD: {
        size_t bound = ZSTD_compressBound(len);
        st = floe_buf_reserve(out, bound, err);
        if (st != FLOE_OK) {
            return st;
        }
        size_t n = ZSTD_compressCCtx(thread_cctx(), out->data + out->len, bound, src, len,
                                     level ? level : 3);
        if (ZSTD_isError(n)) {
            return floe_err_set(err, FLOE_ERR_INTERNAL, "zstd: %s", ZSTD_getErrorName(n));
        }
        out->len += n;
        out->data[out->len] = '\0';
        return FLOE_OK;
    }
    case FLOE_CODEC_LZ4_RAW:
    case FLOE_CODEC_LZ4_HADOOP: {
        if (len > LZ4_MAX_INPUT_SIZE) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "block of %zu bytes is too large for lz4",
                                len);
        }
        size_t header = c == FLOE_CODEC_LZ4_HADOOP ? 8 : 0;
        int bound = LZ4_compressBound((int)len);
        st = floe_buf_reserve(out, header + (size_t)bound, err);
        if (st != FLOE_OK) {
            return st;
        }
        uint8_t *p = (uint8_t *)out->data + out->len;
        int n = LZ4_compress_default(src, (char *)p + header, (int)len, bound);
        if (n <= 0) {
            return floe_err_set(err, FLOE_ERR_INTERNAL, "lz4 compression failed");
        }
        if (header) {
            uint32_t raw = (uint32_t)len, comp = (uint32_t)n;
            uint8_t h[8] = {(uint8_t)(raw >> 24), (uint8_t)(raw >> 16),  (uint8_t)(raw >> 8),
                            (uint8_t)raw,         (uint8_t)(comp >> 24), (uint8_t)(comp >> 16),
                            (uint8_t)(comp >> 8), (uint8_t)comp};
            memcpy(p, h, 8);
        }
        out->len += header + (size_t)n;
        out->data[out->len] = '\0';
        return FLOE_OK;
    }
    case FLOE_CODEC_BROTLI: {
        size_t n = BrotliEncoderMaxCompressedSize(len);
        if (n == 0) {
            n = len + 1024;
        }
        st = floe_buf_reserve(out, n, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (!BrotliEncoderCompress(level ? level : 5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                   len, src, &n, (uint8_t *)out->data + out->len)) {
            return floe_err_set(err, FLOE_ERR_INTERNAL, "brotli compression failed");
        }
        out->len += n;
        out->data[out->len] = '\0';
        return FLOE_OK;
    }
    case FLOE_CODEC_COUNT_:
        break;
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unknown codec %d", (int)c);
}
