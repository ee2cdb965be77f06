/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Block compression codecs shared by the Parquet and Avro codecs (and metadata files), on top
 * of Debian's zlib, zstd, snappy, lz4 and brotli libraries.
 *
 * Decompression never trusts a size from the input: the caller states how much output it
 * expects (Parquet knows each page's uncompressed size) or the most it accepts, and a stream
 * that would produce more fails with FLOE_ERR_CORRUPT or FLOE_ERR_TOO_BIG.
 */
#ifndef FLOE_COMPRESS_H
#define FLOE_COMPRESS_H

#include "floe/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum floe_codec {
    FLOE_CODEC_NONE = 0,
    FLOE_CODEC_SNAPPY,     /* raw snappy block (not the framed format) */
    FLOE_CODEC_GZIP,       /* RFC 1952 gzip; decompression accepts concatenated members and zlib */
    FLOE_CODEC_DEFLATE,    /* raw RFC 1951 deflate (Avro's "deflate") */
    FLOE_CODEC_ZSTD,       /* zstd frames; the frame content size may be absent */
    FLOE_CODEC_LZ4_RAW,    /* one LZ4 block (Parquet LZ4_RAW) */
    FLOE_CODEC_LZ4_HADOOP, /* Hadoop framing of LZ4 blocks (Parquet's deprecated LZ4); falls back
                              to a raw block on decompression, as other readers do */
    FLOE_CODEC_BROTLI,
    FLOE_CODEC_COUNT_
} floe_codec;

const char *floe_codec_name(floe_codec c);

/*
 * Decompress `src` into exactly `dst_len` bytes at `dst`. Fails with FLOE_ERR_CORRUPT when the
 * data is malformed or decompresses to any other length.
 */
floe_status floe_decompress(floe_codec c, const void *src, size_t src_len, void *dst,
                            size_t dst_len, floe_err *err);

/*
 * Decompress `src` when the output size is not known in advance, appending to `out`; fails
 * with FLOE_ERR_TOO_BIG when the output would pass `max_out` bytes.
 */
floe_status floe_decompress_buf(floe_codec c, const void *src, size_t src_len, size_t max_out,
                                floe_buf *out, floe_err *err);

/*
 * Compress `src`, appending to `out`. `level` 0 means the codec's default (zstd 3, gzip 6,
 * brotli 5); it is ignored by codecs without levels.
 */
floe_status floe_compress(floe_codec c, int level, const void *src, size_t len, floe_buf *out,
                          floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_COMPRESS_H */
