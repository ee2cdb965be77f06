/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing Avro object container files. The header carries the caller's schema JSON byte for
 * byte (so Iceberg's field-id, element-id, key-id, value-id and the other attributes reach
 * PyIceberg, Java and avsc intact), the codec name and the caller's metadata. Records are
 * encoded into a block buffer; a block is compressed and written when it reaches
 * block_records records or block_bytes bytes, and at finish.
 */
#include "avro_int.h"

#include <zlib.h>

typedef struct meta_kv {
    char *key;
    uint8_t *value;
    size_t len;
} meta_kv;

struct floe_avro_writer {
    floe_output *o; /* one of o and dst */
    floe_buf *dst;
    floe_avro_schema *schema;
    floe_avro_write_opts opts;
    uint8_t sync[FLOE_AVRO_SYNC_LEN];
    floe_vec meta; /* meta_kv */
    floe_buf block;
    floe_buf comp;
    uint64_t block_records;
    uint64_t records;
    uint64_t bytes;
    bool header_written;
    bool finished;
    floe_status failed; /* sticky I/O or codec failure */
};

static floe_status sink(floe_avro_writer *w, const void *p, size_t len, floe_err *err)
{
    floe_status st =
        w->o != NULL ? floe_output_write(w->o, p, len, err) : floe_buf_append(w->dst, p, len, err);
    if (st == FLOE_OK) {
        w->bytes += len;
    }
    return st;
}

static floe_status put_str(floe_buf *b, const void *p, size_t len, floe_err *err)
{
    floe_status st = avro_buf_put_long(b, (int64_t)len, err);
    return st != FLOE_OK ? st : floe_buf_append(b, p, len, err);
}

static floe_status write_header(floe_avro_writer *w, floe_err *err)
{
    floe_buf h;
    floe_buf_init(&h, 0);
    const char *codec = floe_avro_codec_name(w->opts.codec);
    floe_status st = floe_buf_append(&h, "Obj\x01", 4, err);
    if (st == FLOE_OK) {
        st = avro_buf_put_long(&h, (int64_t)(2 + w->meta.n), err);
    }
    if (st == FLOE_OK) {
        st = put_str(&h, "avro.schema", 11, err);
    }
    if (st == FLOE_OK) {
        st = put_str(&h, w->schema->text, w->schema->text_len, err);
    }
    if (st == FLOE_OK) {
        st = put_str(&h, "avro.codec", 10, err);
    }
    if (st == FLOE_OK) {
        st = put_str(&h, codec, strlen(codec), err);
    }
    for (size_t i = 0; i < w->meta.n && st == FLOE_OK; i++) {
        const meta_kv *kv = FLOE_VEC_AT(&w->meta, meta_kv, i);
        st = put_str(&h, kv->key, strlen(kv->key), err);
        if (st == FLOE_OK) {
            st = put_str(&h, kv->value, kv->len, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_buf_append_byte(&h, 0, err);
    }
    if (st == FLOE_OK) {
        st = floe_buf_append(&h, w->sync, FLOE_AVRO_SYNC_LEN, err);
    }
    if (st == FLOE_OK) {
        st = sink(w, h.data, h.len, err);
    }
    floe_buf_fini(&h);
    if (st == FLOE_OK) {
        w->header_written = true;
    }
    return st;
}

static floe_status flush_block(floe_avro_writer *w, floe_err *err)
{
    if (w->block_records == 0) {
        return FLOE_OK;
    }
    floe_buf_reset(&w->comp);
    floe_status st =
        floe_compress(w->opts.codec, w->opts.level, w->block.data, w->block.len, &w->comp, err);
    if (st == FLOE_OK && w->opts.codec == FLOE_CODEC_SNAPPY) {
        /* Avro's snappy framing: the block, then the CRC32 of the uncompressed data (BE). */
        uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
        for (size_t off = 0; off < w->block.len;) {
            size_t n = w->block.len - off > (1u << 30) ? (1u << 30) : w->block.len - off;
            crc = (uint32_t)crc32(crc, (const Bytef *)w->block.data + off, (uInt)n);
            off += n;
        }
        uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8),
                         (uint8_t)crc};
        st = floe_buf_append(&w->comp, be, 4, err);
    }
    uint8_t hdr[20];
    size_t n = 0;
    if (st == FLOE_OK) {
        n = avro_put_long(hdr, (int64_t)w->block_records);
        n += avro_put_long(hdr + n, (int64_t)w->comp.len);
        st = sink(w, hdr, n, err);
    }
    if (st == FLOE_OK) {
        st = sink(w, w->comp.data, w->comp.len, err);
    }
    if (st == FLOE_OK) {
        st = sink(w, w->sync, FLOE_AVRO_SYNC_LEN, err);
    }
    floe_buf_reset(&w->block);
    w->block_records = 0;
    return st;
}

static floe_status writer_new(floe_output *o, floe_buf *dst, const char *schema_json,
                              size_t schema_len, const floe_avro_write_opts *opts,
                              floe_avro_writer **out, floe_err *err)
{
    *out = NULL;
    floe_avro_write_opts op = {0};
    if (opts != NULL) {
        op = *opts;
    }
    if (floe_avro_codec_name(op.codec) == NULL) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "avro files cannot use the %s codec",
                            floe_codec_name(op.codec));
    }
    if (op.block_bytes == 0) {
        op.block_bytes = FLOE_AVRO_DEFAULT_BLOCK_BYTES;
    }
    floe_avro_schema *schema = NULL;
    floe_status st =
        floe_avro_schema_parse(schema_json, schema_len, FLOE_AVRO_SCHEMA_STRICT, &schema, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_avro_writer *w = floe_xcalloc(1, sizeof(*w));
    w->o = o;
    w->dst = dst;
    w->schema = schema;
    w->opts = op;
    w->opts.sync = NULL;
    if (op.sync != NULL) {
        memcpy(w->sync, op.sync, FLOE_AVRO_SYNC_LEN);
    } else {
        floe_random_bytes(w->sync, FLOE_AVRO_SYNC_LEN);
    }
    floe_vec_init(&w->meta, sizeof(meta_kv));
    floe_buf_init(&w->block, 0);
    floe_buf_init(&w->comp, 0);
    *out = w;
    return FLOE_OK;
}

floe_status floe_avro_writer_new(floe_output *o, const char *schema_json, size_t schema_len,
                                 const floe_avro_write_opts *opts, floe_avro_writer **out,
                                 floe_err *err)
{
    return writer_new(o, NULL, schema_json, schema_len, opts, out, err);
}

floe_status floe_avro_writer_new_buf(floe_buf *dst, const char *schema_json, size_t schema_len,
                                     const floe_avro_write_opts *opts, floe_avro_writer **out,
                                     floe_err *err)
{
    return writer_new(NULL, dst, schema_json, schema_len, opts, out, err);
}

void floe_avro_writer_free(floe_avro_writer *w)
{
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < w->meta.n; i++) {
        meta_kv *kv = FLOE_VEC_AT(&w->meta, meta_kv, i);
        free(kv->key);
        free(kv->value);
    }
    floe_vec_fini(&w->meta);
    floe_buf_fini(&w->block);
    floe_buf_fini(&w->comp);
    floe_avro_schema_free(w->schema);
    free(w);
}

const floe_avro_schema *floe_avro_writer_schema(const floe_avro_writer *w)
{
    return w->schema;
}

floe_status floe_avro_writer_set_meta(floe_avro_writer *w, const char *key, const void *value,
                                      size_t len, floe_err *err)
{
    if (w->header_written || w->records > 0 || w->finished) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "avro metadata '%s' must be set before the first record", key);
    }
    if (key == NULL || key[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty avro metadata key");
    }
    if (strncmp(key, "avro.", 5) == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "avro metadata key '%s' is reserved", key);
    }
    uint8_t *copy = floe_xmalloc(len ? len : 1);
    if (len > 0) {
        memcpy(copy, value, len);
    }
    for (size_t i = 0; i < w->meta.n; i++) {
        meta_kv *kv = FLOE_VEC_AT(&w->meta, meta_kv, i);
        if (strcmp(kv->key, key) == 0) {
            free(kv->value);
            kv->value = copy;
            kv->len = len;
            return FLOE_OK;
        }
    }
    meta_kv *kv = floe_vec_push(&w->meta);
    kv->key = floe_xstrdup(key);
    kv->value = copy;
    kv->len = len;
    return FLOE_OK;
}

floe_status floe_avro_writer_set_meta_str(floe_avro_writer *w, const char *key, const char *value,
                                          floe_err *err)
{
    return floe_avro_writer_set_meta(w, key, value, strlen(value), err);
}

static floe_status fail(floe_avro_writer *w, floe_status st)
{
    w->failed = st;
    return st;
}

floe_status floe_avro_writer_append(floe_avro_writer *w, const floe_value *v, floe_err *err)
{
    if (w->failed != FLOE_OK) {
        return floe_err_set(err, w->failed, "avro writer failed earlier");
    }
    if (w->finished) {
        return floe_err_set(err, FLOE_ERR_INVALID, "avro writer is already finished");
    }
    floe_status st = floe_avro_encode(w->schema->top, v, &w->block, err);
    if (st != FLOE_OK) {
        return st; /* the value was rolled back; the writer goes on */
    }
    w->block_records++;
    w->records++;
    bool full = w->block.len >= w->opts.block_bytes ||
                (w->opts.block_records > 0 && w->block_records >= w->opts.block_records);
    if (full) {
        if (!w->header_written) {
            st = write_header(w, err);
            if (st != FLOE_OK) {
                return fail(w, st);
            }
        }
        st = flush_block(w, err);
        if (st != FLOE_OK) {
            return fail(w, st);
        }
    }
    return FLOE_OK;
}

floe_status floe_avro_writer_finish(floe_avro_writer *w, floe_err *err)
{
    if (w->failed != FLOE_OK) {
        return floe_err_set(err, w->failed, "avro writer failed earlier");
    }
    if (w->finished) {
        return floe_err_set(err, FLOE_ERR_INVALID, "avro writer is already finished");
    }
    w->finished = true;
    floe_status st = FLOE_OK;
    if (!w->header_written) {
        st = write_header(w, err);
    }
    if (st == FLOE_OK) {
        st = flush_block(w, err);
    }
    return st != FLOE_OK ? fail(w, st) : FLOE_OK;
}

uint64_t floe_avro_writer_records(const floe_avro_writer *w)
{
    return w->records;
}

uint64_t floe_avro_writer_bytes(const floe_avro_writer *w)
{
    return w->bytes;
}
