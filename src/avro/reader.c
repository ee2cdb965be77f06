/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading Avro object container files (Avro specification 1.12, "Object Container Files"):
 *
 *   header: "Obj" 0x01, metadata as an Avro map<bytes> (avro.schema, avro.codec, anything else),
 *           a 16-byte sync marker;
 *   blocks: record count (long), byte size (long), that many bytes of (compressed) records, the
 *           sync marker again.
 *
 * The reader keeps a window over the file (all of it for memory input) holding at most one
 * block plus a read-ahead chunk, and a buffer with the current block decompressed, so memory is
 * bounded by max_block_bytes whatever the file claims. Records are decoded lazily, one per
 * floe_avro_reader_next call.
 */
#include "avro_int.h"

#include <zlib.h>

#define READ_CHUNK ((size_t)256 << 10)
#define HEADER_FIRST_READ ((size_t)64 << 10)
#define ZERO_SIZE_RECORDS_MAX 65536 /* records per block when a record takes no bytes */

typedef struct meta_entry {
    floe_str key;
    floe_str value;
} meta_entry;

struct floe_avro_reader {
    floe_avro_read_opts opts;
    avro_dec_limits lim;

    /* Source: an input read through a window, or memory. */
    floe_input *in;
    const uint8_t *mem;
    uint64_t file_size;
    uint8_t *win; /* bytes [win_off, win_off + win_len) of the file */
    size_t win_len;
    size_t win_cap;
    uint64_t win_off;
    uint64_t pos; /* file offset of the next block */

    /* Header. */
    floe_avro_schema *schema;
    floe_codec codec;
    char *codec_name;
    uint8_t sync[FLOE_AVRO_SYNC_LEN];
    meta_entry *meta;
    size_t nmeta;

    /* The current block. */
    floe_buf block; /* decompressed records (unused for the null codec) */
    const uint8_t *bdata;
    const uint8_t *bp;
    const uint8_t *bend;
    int64_t count; /* records in the block */
    int64_t left;  /* records not yet returned */
    uint64_t block_off;
    uint64_t blocks;
    uint64_t records;

    /* A failure is sticky: later calls report it again. */
    floe_status failed;
    char *fail_msg;
};

/* ==== Codec names ==== */

floe_status floe_avro_codec_from_name(const char *name, size_t len, floe_codec *out, floe_err *err)
{
    static const struct {
        const char *name;
        floe_codec codec;
    } names[] = {
        {"null", FLOE_CODEC_NONE},     {"deflate", FLOE_CODEC_DEFLATE},
        {"snappy", FLOE_CODEC_SNAPPY}, {"zstandard", FLOE_CODEC_ZSTD},
        {"zstd", FLOE_CODEC_ZSTD}, /* not in the spec, but some writers say it */
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(names); i++) {
        if (strlen(names[i].name) == len && memcmp(names[i].name, name, len) == 0) {
            *out = names[i].codec;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unsupported avro codec '%.*s'",
                        (int)(len > 64 ? 64 : len), name);
}

const char *floe_avro_codec_name(floe_codec c)
{
    switch (c) {
    case FLOE_CODEC_NONE:
        return "null";
    case FLOE_CODEC_DEFLATE:
        return "deflate";
    case FLOE_CODEC_SNAPPY:
        return "snappy";
    case FLOE_CODEC_ZSTD:
        return "zstandard";
    default:
        return NULL;
    }
}

/* ==== The window over the file ==== */

/*
 * Make file bytes [r->pos, r->pos + n) available and return a pointer to them; the caller has
 * checked that the file has them. Only called between blocks, so moving the window never
 * invalidates records still to be decoded.
 */
static floe_status window(floe_avro_reader *r, size_t n, const uint8_t **out, floe_err *err)
{
    if (r->mem != NULL || r->in == NULL) {
        *out = r->mem + r->pos;
        return FLOE_OK;
    }
    if (r->pos >= r->win_off && r->pos + n <= r->win_off + r->win_len) {
        *out = r->win + (r->pos - r->win_off);
        return FLOE_OK;
    }
    /* Keep what is already read from pos on, then read the rest plus some read-ahead. */
    size_t keep = 0;
    if (r->pos >= r->win_off && r->pos < r->win_off + r->win_len) {
        keep = (size_t)(r->win_off + r->win_len - r->pos);
        memmove(r->win, r->win + (r->pos - r->win_off), keep);
    }
    size_t want = n > READ_CHUNK ? n : READ_CHUNK;
    uint64_t avail = r->file_size - r->pos;
    if (want > avail) {
        want = (size_t)avail;
    }
    if (want > r->win_cap) {
        r->win = floe_xrealloc(r->win, want);
        r->win_cap = want;
    }
    floe_status st = floe_input_read(r->in, r->pos + keep, r->win + keep, want - keep, err);
    if (st != FLOE_OK) {
        r->win_len = 0;
        return st;
    }
    r->win_off = r->pos;
    r->win_len = want;
    *out = r->win;
    return FLOE_OK;
}

/* ==== Header ==== */

typedef struct hcur {
    const uint8_t *base;
    const uint8_t *p;
    const uint8_t *end;
    bool short_; /* ran out of bytes: more of the file may complete the header */
} hcur;

static floe_status hdr_long(hcur *c, int64_t *out, floe_err *err)
{
    const uint8_t *at = c->p;
    const char *why = NULL;
    if (avro_read_long(&c->p, c->end, out, &why)) {
        return FLOE_OK;
    }
    if (c->p == c->end || strcmp(why, "truncated varint") == 0) {
        c->short_ = true;
    }
    return floe_err_set(err, FLOE_ERR_CORRUPT, "header: %s at offset %zu", why,
                        (size_t)(at - c->base));
}

static floe_status hdr_bytes(hcur *c, const char *what, floe_str *out, floe_err *err)
{
    const uint8_t *at = c->p;
    int64_t len = 0;
    floe_status st = hdr_long(c, &len, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (len < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "header: negative %s length at offset %zu", what,
                            (size_t)(at - c->base));
    }
    if ((uint64_t)len > (size_t)(c->end - c->p)) {
        c->short_ = true;
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "header: %s length %lld at offset %zu runs past the end", what,
                            (long long)len, (size_t)(at - c->base));
    }
    out->ptr = (const char *)c->p;
    out->len = (size_t)len;
    c->p += len;
    return FLOE_OK;
}

static void free_meta(floe_avro_reader *r)
{
    for (size_t i = 0; i < r->nmeta; i++) {
        free((void *)r->meta[i].key.ptr);
        free((void *)r->meta[i].value.ptr);
    }
    free(r->meta);
    r->meta = NULL;
    r->nmeta = 0;
}

static char *dup_bytes(floe_str s)
{
    char *p = floe_xmalloc(s.len + 1);
    if (s.len > 0) {
        memcpy(p, s.ptr, s.len);
    }
    p[s.len] = '\0';
    return p;
}

/* Parse the magic, metadata map and sync marker from [data, data + len). */
static floe_status parse_header(floe_avro_reader *r, const uint8_t *data, size_t len, size_t *used,
                                bool *short_, floe_err *err)
{
    hcur c = {.base = data, .p = data, .end = data + len};
    *short_ = false;
    if (len < 4) {
        *short_ = true;
        return floe_err_set(err, FLOE_ERR_CORRUPT, "not an avro file: %zu bytes, no header", len);
    }
    if (memcmp(data, "Obj\x01", 4) != 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not an avro object container file (bad magic bytes)");
    }
    c.p += 4;
    free_meta(r);
    size_t cap = 0;
    floe_status st = FLOE_OK;
    for (;;) {
        const uint8_t *at = c.p;
        int64_t count = 0;
        st = hdr_long(&c, &count, err);
        if (st != FLOE_OK) {
            break;
        }
        if (count == 0) {
            break;
        }
        if (count < 0) {
            int64_t size = 0;
            if (count == INT64_MIN) {
                st = floe_err_set(err, FLOE_ERR_CORRUPT, "header: bad metadata count");
                break;
            }
            count = -count;
            st = hdr_long(&c, &size, err);
            if (st != FLOE_OK) {
                break;
            }
        }
        if ((uint64_t)count > FLOE_AVRO_MAX_META_ENTRIES - r->nmeta) {
            st = floe_err_set(err, FLOE_ERR_TOO_BIG,
                              "header: more than %d metadata entries at offset %zu",
                              FLOE_AVRO_MAX_META_ENTRIES, (size_t)(at - c.base));
            break;
        }
        if ((uint64_t)count > (size_t)(c.end - c.p) / 2) {
            c.short_ = true;
            st = floe_err_set(err, FLOE_ERR_CORRUPT,
                              "header: metadata count %lld at offset %zu runs past the end",
                              (long long)count, (size_t)(at - c.base));
            break;
        }
        for (int64_t i = 0; i < count && st == FLOE_OK; i++) {
            floe_str k, v;
            st = hdr_bytes(&c, "metadata key", &k, err);
            if (st == FLOE_OK) {
                st = hdr_bytes(&c, "metadata value", &v, err);
            }
            if (st != FLOE_OK) {
                break;
            }
            for (size_t j = 0; j < r->nmeta; j++) {
                if (floe_str_eq(r->meta[j].key, k)) {
                    st = floe_err_set(err, FLOE_ERR_CORRUPT,
                                      "header: metadata key '%.*s' appears twice",
                                      (int)(k.len > 100 ? 100 : k.len), k.ptr);
                    break;
                }
            }
            if (st != FLOE_OK) {
                break;
            }
            if (r->nmeta == cap) {
                cap = cap ? cap * 2 : 8;
                r->meta = floe_xrealloc(r->meta, cap * sizeof(*r->meta));
            }
            meta_entry *e = &r->meta[r->nmeta++];
            e->key = (floe_str){dup_bytes(k), k.len};
            e->value = (floe_str){dup_bytes(v), v.len};
        }
        if (st != FLOE_OK) {
            break;
        }
    }
    if (st == FLOE_OK) {
        if ((size_t)(c.end - c.p) < FLOE_AVRO_SYNC_LEN) {
            c.short_ = true;
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "header: truncated before the sync marker");
        } else {
            memcpy(r->sync, c.p, FLOE_AVRO_SYNC_LEN);
            c.p += FLOE_AVRO_SYNC_LEN;
        }
    }
    *short_ = c.short_;
    *used = (size_t)(c.p - c.base);
    return st;
}

/* Read the header, growing the window until the header fits or a limit is reached. */
static floe_status read_header(floe_avro_reader *r, floe_err *err)
{
    size_t want = HEADER_FIRST_READ;
    for (;;) {
        if (want > r->file_size) {
            want = (size_t)r->file_size;
        }
        if (want > r->opts.max_header_bytes) {
            want = r->opts.max_header_bytes;
        }
        const uint8_t *data;
        floe_status st = window(r, want, &data, err);
        if (st != FLOE_OK) {
            return st;
        }
        floe_err attempt = {0};
        size_t used = 0;
        bool short_ = false;
        st = parse_header(r, data, want, &used, &short_, &attempt);
        if (st == FLOE_OK) {
            r->pos += used;
            return FLOE_OK;
        }
        if (short_ && want < r->file_size && want < r->opts.max_header_bytes) {
            want = want > SIZE_MAX / 4 ? SIZE_MAX / 2 : want * 4;
            continue;
        }
        if (short_ && want >= r->opts.max_header_bytes && want < r->file_size) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "header is larger than %zu bytes",
                                r->opts.max_header_bytes);
        }
        return floe_err_set(err, attempt.code, "%s", attempt.msg);
    }
}

static floe_status setup(floe_avro_reader *r, floe_err *err)
{
    floe_status st = read_header(r, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_str schema, codec = FLOE_STR_LIT("null");
    if (!floe_avro_reader_meta_get(r, "avro.schema", &schema)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "header has no avro.schema");
    }
    floe_avro_reader_meta_get(r, "avro.codec", &codec);
    /* Some writers store an empty codec for "null". */
    if (codec.len == 0) {
        codec = FLOE_STR_LIT("null");
    }
    st = floe_avro_codec_from_name(codec.ptr, codec.len, &r->codec, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->codec_name = dup_bytes(codec);
    st = floe_avro_schema_parse(schema.ptr, schema.len, 0, &r->schema, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "header avro.schema");
    }
    return FLOE_OK;
}

static floe_avro_reader *reader_new(const floe_avro_read_opts *opts)
{
    floe_avro_reader *r = floe_xcalloc(1, sizeof(*r));
    if (opts != NULL) {
        r->opts = *opts;
    }
    if (r->opts.max_block_bytes == 0) {
        r->opts.max_block_bytes = FLOE_AVRO_DEFAULT_MAX_BLOCK_BYTES;
    }
    if (r->opts.max_block_records <= 0) {
        r->opts.max_block_records = FLOE_AVRO_DEFAULT_MAX_BLOCK_RECORDS;
    }
    if (r->opts.max_header_bytes == 0) {
        r->opts.max_header_bytes = FLOE_AVRO_DEFAULT_MAX_HEADER_BYTES;
    }
    if (r->opts.max_items == 0) {
        r->opts.max_items = FLOE_AVRO_DEFAULT_MAX_ITEMS;
    }
    r->lim.max_items = r->opts.max_items;
    floe_buf_init(&r->block, r->opts.max_block_bytes + 1);
    return r;
}

floe_status floe_avro_reader_open(floe_input *in, const floe_avro_read_opts *opts,
                                  floe_avro_reader **out, floe_err *err)
{
    floe_avro_reader *r = reader_new(opts);
    r->in = in;
    r->file_size = floe_input_size(in);
    floe_status st = setup(r, err);
    if (st != FLOE_OK) {
        floe_avro_reader_close(r);
        *out = NULL;
        return st;
    }
    *out = r;
    return FLOE_OK;
}

floe_status floe_avro_reader_open_mem(const void *data, size_t len, const floe_avro_read_opts *opts,
                                      floe_avro_reader **out, floe_err *err)
{
    floe_avro_reader *r = reader_new(opts);
    r->mem = data != NULL ? data : (const uint8_t *)"";
    r->file_size = len;
    floe_status st = setup(r, err);
    if (st != FLOE_OK) {
        floe_avro_reader_close(r);
        *out = NULL;
        return st;
    }
    *out = r;
    return FLOE_OK;
}

void floe_avro_reader_close(floe_avro_reader *r)
{
    if (r == NULL) {
        return;
    }
    free_meta(r);
    floe_avro_schema_free(r->schema);
    free(r->codec_name);
    free(r->win);
    floe_buf_fini(&r->block);
    free(r->fail_msg);
    free(r);
}

/* ==== Accessors ==== */

const floe_avro_schema *floe_avro_reader_schema(const floe_avro_reader *r)
{
    return r->schema;
}

floe_codec floe_avro_reader_codec(const floe_avro_reader *r)
{
    return r->codec;
}

const char *floe_avro_reader_codec_name(const floe_avro_reader *r)
{
    return r->codec_name;
}

const uint8_t *floe_avro_reader_sync(const floe_avro_reader *r)
{
    return r->sync;
}

size_t floe_avro_reader_meta_count(const floe_avro_reader *r)
{
    return r->nmeta;
}

void floe_avro_reader_meta_at(const floe_avro_reader *r, size_t i, floe_str *key, floe_str *value)
{
    *key = r->meta[i].key;
    *value = r->meta[i].value;
}

bool floe_avro_reader_meta_get(const floe_avro_reader *r, const char *key, floe_str *value)
{
    floe_str k = floe_str_c(key);
    for (size_t i = 0; i < r->nmeta; i++) {
        if (floe_str_eq(r->meta[i].key, k)) {
            *value = r->meta[i].value;
            return true;
        }
    }
    return false;
}

uint64_t floe_avro_reader_blocks(const floe_avro_reader *r)
{
    return r->blocks;
}

uint64_t floe_avro_reader_records(const floe_avro_reader *r)
{
    return r->records;
}

floe_status floe_avro_reader_skip_field(floe_avro_reader *r, const floe_avro_node *rec,
                                        size_t field, floe_err *err)
{
    if (rec == NULL || rec->owner != r->schema || rec->type != FLOE_AVRO_RECORD) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "skip_field needs a record type of this reader's schema");
    }
    if (field >= rec->n) {
        return floe_err_set(err, FLOE_ERR_INVALID, "record %s has no field %zu", rec->fullname,
                            field);
    }
    /* The reader owns its schema, so its projection flags are the reader's to set. */
    ((floe_avro_node *)rec)->fields[field].skip = true;
    return FLOE_OK;
}

/* ==== Blocks ==== */

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Load the next block; *eof when the file ends cleanly after the previous one. */
static floe_status load_block(floe_avro_reader *r, bool *eof, floe_err *err)
{
    *eof = false;
    if (r->pos >= r->file_size) {
        *eof = true;
        return FLOE_OK;
    }
    uint64_t index = r->blocks;
    r->block_off = r->pos;
    uint64_t left = r->file_size - r->pos;
    size_t peek = left < 20 ? (size_t)left : 20;
    const uint8_t *p;
    floe_status st = window(r, peek, &p, err);
    if (st != FLOE_OK) {
        return st;
    }
    const uint8_t *q = p, *end = p + peek;
    const char *why = NULL;
    int64_t count = 0, size = 0;
    if (!avro_read_long(&q, end, &count, &why)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "block %llu at offset %llu: record count: %s",
                            (unsigned long long)index, (unsigned long long)r->pos, why);
    }
    if (!avro_read_long(&q, end, &size, &why)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "block %llu at offset %llu: byte size: %s",
                            (unsigned long long)index, (unsigned long long)r->pos, why);
    }
    if (count < 0) {
        return floe_err_set(
            err, FLOE_ERR_CORRUPT, "block %llu at offset %llu: negative record count %lld",
            (unsigned long long)index, (unsigned long long)r->pos, (long long)count);
    }
    if (count > r->opts.max_block_records) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "block %llu at offset %llu: %lld records, more than the %lld allowed",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)count,
                            (long long)r->opts.max_block_records);
    }
    if (size < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "block %llu at offset %llu: negative byte size %lld",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)size);
    }
    if ((uint64_t)size > r->opts.max_block_bytes) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "block %llu at offset %llu: %lld bytes, more than the %zu allowed",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)size,
                            r->opts.max_block_bytes);
    }
    size_t hdr = (size_t)(q - p);
    if ((uint64_t)size + FLOE_AVRO_SYNC_LEN > left - hdr) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "block %llu at offset %llu: truncated: %lld bytes and a sync marker "
                            "announced, %llu left",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)size,
                            (unsigned long long)(left - hdr));
    }
    size_t total = hdr + (size_t)size + FLOE_AVRO_SYNC_LEN;
    st = window(r, total, &p, err);
    if (st != FLOE_OK) {
        return st;
    }
    const uint8_t *data = p + hdr;
    if (memcmp(data + size, r->sync, FLOE_AVRO_SYNC_LEN) != 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "block %llu at offset %llu: sync marker does not match the header's",
                            (unsigned long long)index, (unsigned long long)r->pos);
    }
    const uint8_t *bdata = data;
    size_t blen = (size_t)size;
    if (r->codec != FLOE_CODEC_NONE) {
        size_t clen = (size_t)size;
        if (r->codec == FLOE_CODEC_SNAPPY) {
            if (clen < 4) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "block %llu at offset %llu: snappy block without its CRC",
                                    (unsigned long long)index, (unsigned long long)r->pos);
            }
            clen -= 4;
        }
        floe_buf_reset(&r->block);
        st = floe_decompress_buf(r->codec, data, clen, r->opts.max_block_bytes, &r->block, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "block %llu at offset %llu", (unsigned long long)index,
                                 (unsigned long long)r->pos);
        }
        bdata = r->block.len > 0 ? (const uint8_t *)r->block.data : (const uint8_t *)"";
        blen = r->block.len;
        if (r->codec == FLOE_CODEC_SNAPPY) {
            uint32_t want = load_be32(data + clen);
            uint32_t got = (uint32_t)crc32(0L, bdata, (uInt)0);
            /* zlib's crc32 takes uInt lengths: feed large blocks in pieces. */
            for (size_t off = 0; off < blen;) {
                size_t n = blen - off > (1u << 30) ? (1u << 30) : blen - off;
                got = (uint32_t)crc32(got, bdata + off, (uInt)n);
                off += n;
            }
            if (got != want) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "block %llu at offset %llu: snappy CRC32 mismatch (stored "
                                    "%08x, computed %08x)",
                                    (unsigned long long)index, (unsigned long long)r->pos, want,
                                    got);
            }
        }
    }
    size_t min = r->schema->top->min_size;
    if (min > 0 && (uint64_t)count > blen / min) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "block %llu at offset %llu: %lld records cannot fit in %zu bytes",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)count,
                            blen);
    }
    /* Records that take no bytes (schema "null", an empty record) cost nothing to claim: cap
     * them like zero-size collection items, so a small file cannot promise billions. */
    if (min == 0 && count > ZERO_SIZE_RECORDS_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "block %llu at offset %llu: %lld records of a schema that takes no "
                            "bytes, more than the %d allowed",
                            (unsigned long long)index, (unsigned long long)r->pos, (long long)count,
                            ZERO_SIZE_RECORDS_MAX);
    }
    r->bdata = bdata;
    r->bp = bdata;
    r->bend = bdata + blen;
    r->count = count;
    r->left = count;
    r->pos += total;
    r->blocks++;
    return FLOE_OK;
}

static floe_status next_record(floe_avro_reader *r, floe_arena *a, floe_value *out, bool *got,
                               floe_err *err)
{
    while (r->left == 0) {
        if (r->bp != r->bend) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "block %llu at offset %llu: %zu bytes left after its last record",
                                (unsigned long long)(r->blocks - 1),
                                (unsigned long long)r->block_off, (size_t)(r->bend - r->bp));
        }
        bool eof;
        floe_status st = load_block(r, &eof, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (eof) {
            *got = false;
            return FLOE_OK;
        }
    }
    floe_status st =
        avro_decode_datum(r->schema->top, r->bdata, &r->bp, r->bend, &r->lim, a, out, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "block %llu at offset %llu, record %lld of %lld",
                             (unsigned long long)(r->blocks - 1), (unsigned long long)r->block_off,
                             (long long)(r->count - r->left), (long long)r->count);
    }
    r->left--;
    r->records++;
    *got = true;
    return FLOE_OK;
}

floe_status floe_avro_reader_next(floe_avro_reader *r, floe_arena *a, floe_value *out, bool *got,
                                  floe_err *err)
{
    *got = false;
    if (r->failed != FLOE_OK) {
        return floe_err_set(err, r->failed, "%s", r->fail_msg);
    }
    floe_err local = {0};
    floe_status st = next_record(r, a, out, got, &local);
    if (st != FLOE_OK) {
        *got = false;
        r->failed = st;
        r->fail_msg = floe_xstrdup(local.msg);
        return floe_err_set(err, st, "%s", local.msg);
    }
    return FLOE_OK;
}
