/* SPDX-License-Identifier: Apache-2.0 */
/* Names of Parquet enums, and codec parsing for command lines and table properties. */
#include "parquet_int.h"

#include <strings.h>

const char *floe_pq_type_name(floe_pq_type t)
{
    static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                        "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return (unsigned)t < FLOE_ARRAY_LEN(names) ? names[t] : "UNKNOWN";
}

const char *floe_pq_codec_name(floe_pq_codec c)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return (unsigned)c < FLOE_ARRAY_LEN(names) ? names[c] : "UNKNOWN";
}

const char *floe_pq_encoding_name(int32_t e)
{
    static const char *const names[] = {
        "PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
        "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
        "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return e >= 0 && (size_t)e < FLOE_ARRAY_LEN(names) ? names[e] : "UNKNOWN";
}

floe_status floe_pq_codec_parse(const char *s, floe_pq_codec *out, floe_err *err)
{
    static const struct {
        const char *name;
        floe_pq_codec codec;
    } table[] = {
        {"zstd", FLOE_PQ_ZSTD},
        {"snappy", FLOE_PQ_SNAPPY},
        {"gzip", FLOE_PQ_GZIP},
        {"lz4_raw", FLOE_PQ_LZ4_RAW},
        {"lz4", FLOE_PQ_LZ4},
        {"brotli", FLOE_PQ_BROTLI},
        {"uncompressed", FLOE_PQ_UNCOMPRESSED},
        {"none", FLOE_PQ_UNCOMPRESSED},
    };
    for (size_t i = 0; s != NULL && i < FLOE_ARRAY_LEN(table); i++) {
        if (strcasecmp(s, table[i].name) == 0) {
            *out = table[i].codec;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID,
                        "unknown codec '%s' (use zstd, snappy, gzip, lz4_raw, lz4, brotli or "
                        "uncompressed)",
                        s ? s : "(null)");
}

floe_status floe_pq_codec_to_floe(floe_pq_codec c, floe_codec *out, floe_err *err)
{
    switch (c) {
    case FLOE_PQ_UNCOMPRESSED:
        *out = FLOE_CODEC_NONE;
        return FLOE_OK;
    case FLOE_PQ_SNAPPY:
        *out = FLOE_CODEC_SNAPPY;
        return FLOE_OK;
    case FLOE_PQ_GZIP:
        *out = FLOE_CODEC_GZIP;
        return FLOE_OK;
    case FLOE_PQ_BROTLI:
        *out = FLOE_CODEC_BROTLI;
        return FLOE_OK;
    case FLOE_PQ_LZ4:
        *out = FLOE_CODEC_LZ4_HADOOP;
        return FLOE_OK;
    case FLOE_PQ_ZSTD:
        *out = FLOE_CODEC_ZSTD;
        return FLOE_OK;
    case FLOE_PQ_LZ4_RAW:
        *out = FLOE_CODEC_LZ4_RAW;
        return FLOE_OK;
    case FLOE_PQ_LZO:
        break;
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unsupported compression codec %s",
                        floe_pq_codec_name(c));
}
