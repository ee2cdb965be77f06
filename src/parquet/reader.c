/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Parquet reader: footer loading and validation, and the scan that streams row groups.
 *
 * Opening reads the 8-byte tail, then the Thrift footer, decodes it into an arena bounded by a
 * multiple of the footer size, and checks that every column chunk lies inside the data area.
 *
 * A scan loads the projected column chunks of one row group at a time (one read each, sizes
 * checked against max_row_group_size), then walks each chunk's pages in order: a dictionary
 * page is detected by its type (whatever dictionary_page_offset says), data pages v1 and v2 are
 * decompressed, their levels decoded and their values decoded densely. Batches copy levels and
 * scatter the dense values to their slots; byte values keep pointing into the chunk, the
 * dictionary or the decompressed page, whose buffers are kept until the next batch is asked
 * for (a batch of a repeated column may span pages).
 */
#include "read_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define DEFAULT_MAX_FOOTER ((size_t)64 << 20)
#define DEFAULT_MAX_PAGE ((size_t)256 << 20)
#define DEFAULT_MAX_ROW_GROUP ((size_t)2 << 30)
#define DEFAULT_BATCH_ROWS 8192
/* The decoded footer may take this many times the footer's bytes (plus a constant). */
#define FOOTER_EXPANSION 32

struct floe_pq_reader {
    floe_input *in;
    bool owns_input;
    floe_pq_read_opts opts;
    floe_arena *arena;
    floe_pq_file_meta meta;
    uint64_t file_size;
    int64_t *rg_first_row; /* per row group: file-level index of its first row */
    uint64_t data_end;     /* where the footer starts: column chunks lie in [4, data_end) */
};

/* ==== Opening ==== */

static void fill_defaults(floe_pq_read_opts *o, const floe_pq_read_opts *given)
{
    if (given != NULL) {
        *o = *given;
    } else {
        memset(o, 0, sizeof(*o));
    }
    if (o->max_footer_size == 0) {
        o->max_footer_size = DEFAULT_MAX_FOOTER;
    }
    if (o->max_page_size == 0) {
        o->max_page_size = DEFAULT_MAX_PAGE;
    }
    if (o->max_row_group_size == 0) {
        o->max_row_group_size = DEFAULT_MAX_ROW_GROUP;
    }
}

/* Start and length of a column chunk's pages. */
static void chunk_range(const floe_pq_column_chunk *cc, uint64_t *start, uint64_t *len)
{
    uint64_t s = (uint64_t)cc->data_page_offset;
    /* Some writers store 0 (or nonsense) here: only an earlier, positive offset counts. */
    if (cc->has_dictionary_page_offset && cc->dictionary_page_offset > 0 &&
        (uint64_t)cc->dictionary_page_offset < s) {
        s = (uint64_t)cc->dictionary_page_offset;
    }
    *start = s;
    *len = (uint64_t)cc->total_compressed_size;
}

/* File-level index of each row group's first row. */
static floe_status first_rows(floe_pq_reader *r, floe_err *err)
{
    const floe_pq_file_meta *m = &r->meta;
    r->rg_first_row = floe_arena_calloc(r->arena, m->n_row_groups + 1, sizeof(int64_t));
    if (r->rg_first_row == NULL) {
        return floe_arena_check(r->arena, err);
    }
    int64_t row = 0;
    for (size_t g = 0; g < m->n_row_groups; g++) {
        r->rg_first_row[g] = row;
        row += m->row_groups[g].num_rows; /* no overflow: checked by the footer decoder */
    }
    r->rg_first_row[m->n_row_groups] = row;
    return FLOE_OK;
}

static floe_status open_footer(floe_pq_reader *r, floe_err *err)
{
    uint64_t size = r->file_size;
    if (size < 12) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "file of %llu bytes is too short to be Parquet (at least 12)",
                            (unsigned long long)size);
    }
    uint8_t head[4], tail[8];
    floe_status st = floe_input_read(r->in, 0, head, 4, err);
    if (st == FLOE_OK) {
        st = floe_input_read(r->in, size - 8, tail, 8, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    if (memcmp(head, "PAR1", 4) != 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not a Parquet file: it starts with %02x %02x %02x %02x, not \"PAR1\"",
                            head[0], head[1], head[2], head[3]);
    }
    if (memcmp(tail + 4, "PARE", 4) == 0) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                            "encrypted Parquet files (footer magic \"PARE\") are not supported");
    }
    if (memcmp(tail + 4, "PAR1", 4) != 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "file does not end with \"PAR1\" (truncated or not Parquet): last "
                            "bytes %02x %02x %02x %02x",
                            tail[4], tail[5], tail[6], tail[7]);
    }
    uint32_t flen = floe_load_u32le(tail);
    if ((uint64_t)flen > size - 12) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "footer length %u is more than the file's %llu bytes hold", flen,
                            (unsigned long long)size);
    }
    if (flen > r->opts.max_footer_size) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "footer of %u bytes is over the limit of %zu",
                            flen, r->opts.max_footer_size);
    }
    uint8_t *footer = floe_xmalloc(flen > 0 ? flen : 1);
    st = floe_input_read(r->in, size - 8 - flen, footer, flen, err);
    if (st == FLOE_OK) {
        size_t limit = (size_t)flen * FOOTER_EXPANSION + ((size_t)1 << 20);
        r->arena = floe_arena_new(limit);
        st = floe_pq_decode_file_meta(footer, flen, r->arena, &r->meta, err);
        if (st == FLOE_ERR_TOO_BIG && floe_arena_failed(r->arena)) {
            floe_err_wrap(err, "footer of %u bytes", flen);
        }
    }
    free(footer);
    if (st == FLOE_OK) {
        r->data_end = size - 8 - flen;
        st = first_rows(r, err);
    }
    return st;
}

floe_status floe_pq_reader_open_input(floe_input *in, const floe_pq_read_opts *opts,
                                      floe_pq_reader **out, floe_err *err)
{
    *out = NULL;
    floe_pq_reader *r = floe_xcalloc(1, sizeof(*r));
    r->in = in;
    fill_defaults(&r->opts, opts);
    r->file_size = floe_input_size(in);
    floe_status st = open_footer(r, err);
    if (st != FLOE_OK) {
        floe_pq_reader_close(r);
        return st;
    }
    *out = r;
    return FLOE_OK;
}

floe_status floe_pq_reader_open(floe_fileio *io, const char *location,
                                const floe_pq_read_opts *opts, floe_pq_reader **out, floe_err *err)
{
    *out = NULL;
    floe_input *in = NULL;
    floe_status st = floe_io_open(io, location, &in, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = floe_pq_reader_open_input(in, opts, out, err);
    if (st != FLOE_OK) {
        floe_input_close(in);
        return st;
    }
    (*out)->owns_input = true;
    return FLOE_OK;
}

void floe_pq_reader_close(floe_pq_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->owns_input) {
        floe_input_close(r->in);
    }
    floe_arena_free(r->arena);
    free(r);
}

const floe_pq_file_meta *floe_pq_reader_meta(const floe_pq_reader *r)
{
    return &r->meta;
}

const floe_pq_schema *floe_pq_reader_schema(const floe_pq_reader *r)
{
    return &r->meta.schema;
}

uint64_t floe_pq_reader_file_size(const floe_pq_reader *r)
{
    return r->file_size;
}

floe_input *floe_pq_reader_input(floe_pq_reader *r)
{
    return r->in;
}

/* ==== Column chunk readers ==== */

typedef struct col_reader {
    const floe_pq_node *leaf;
    const char *path; /* for messages */
    size_t es;        /* dense element size */
    floe_pq_decoder dec;
    floe_codec codec;
    /* The chunk's bytes, read once per row group. */
    uint8_t *chunk;
    size_t chunk_len, chunk_pos;
    uint64_t chunk_start;
    /* Dictionary */
    floe_pq_dict dict;
    uint8_t *dict_buf; /* decompressed dictionary page, owned; NULL when in `chunk` */
    bool have_dict, seen_data;
    /* Current data page: levels and dense values */
    size_t page_n, page_pos;
    int16_t *page_def, *page_rep;
    size_t level_cap;
    uint8_t *page_vals;
    size_t vals_cap;           /* bytes */
    const uint8_t *page_dense; /* the page's dense values: page_vals, or the page itself (PLAIN) */
    size_t page_vpos;
    bool page_no_nulls; /* every definition level is the maximum */
    uint8_t *page_buf;  /* decompressed page, owned */
    size_t page_buf_cap;
    uint8_t *page_owned; /* bytes a decoder allocated */
    floe_buf scratch;
    /*
     * Buffers byte values of the current batch may point into: recycled into `pool` (or freed)
     * when the next batch is asked for. Pooled buffers spare a fresh allocation, and its page
     * faults, per page.
     */
    floe_vec retired; /* pooled */
    floe_vec pool;    /* pooled */
    size_t chunk_cap;
    size_t dict_buf_cap;
    /* Batch output */
    int16_t *out_def, *out_rep;
    uint8_t *out_vals;
    size_t out_cap;
} col_reader;

struct floe_pq_scan {
    floe_pq_reader *r;
    floe_arena *arena; /* paths and the batch's column array */
    size_t batch_rows;
    size_t *rgs; /* selected row groups */
    size_t n_rgs;
    size_t next_rg; /* index into rgs of the next row group to load */
    bool have_rg;
    size_t rg;       /* current row group */
    int64_t rg_done; /* rows of the current row group already returned */
    col_reader *cols;
    size_t n_cols;
    floe_pq_batch batch;
    floe_status failed;
};

/* A heap buffer and its capacity; capacity 0 marks one that is freed rather than pooled. */
typedef struct pooled {
    uint8_t *p;
    size_t cap;
} pooled;

#define POOL_MAX 4

static void retire(col_reader *c, void *p, size_t cap)
{
    if (p != NULL) {
        pooled b = {p, cap};
        floe_vec_push_copy(&c->retired, &b);
    }
}

/* The current batch is gone: its buffers go back to the pool (a few) or are freed. */
static void recycle_retired(col_reader *c)
{
    for (size_t i = 0; i < c->retired.n; i++) {
        pooled b = *FLOE_VEC_AT(&c->retired, pooled, i);
        if (b.cap > 0 && c->pool.n < POOL_MAX) {
            floe_vec_push_copy(&c->pool, &b);
        } else {
            free(b.p);
        }
    }
    floe_vec_clear(&c->retired);
}

/* A buffer of at least `size` bytes, from the pool when one is large enough. */
static uint8_t *buf_get(col_reader *c, size_t size, size_t *cap)
{
    for (size_t i = 0; i < c->pool.n; i++) {
        pooled b = *FLOE_VEC_AT(&c->pool, pooled, i);
        if (b.cap >= size) {
            floe_vec_remove(&c->pool, i);
            *cap = b.cap;
            return b.p;
        }
    }
    /* Some headroom, so that the next, slightly larger page still fits. */
    *cap = size + size / 4 + 64;
    return floe_xmalloc(*cap);
}

static void free_pool(col_reader *c)
{
    recycle_retired(c);
    for (size_t i = 0; i < c->pool.n; i++) {
        free(FLOE_VEC_AT(&c->pool, pooled, i)->p);
    }
    floe_vec_clear(&c->pool);
}

/* Drop everything tied to the current row group's chunk. */
static void col_release_chunk(col_reader *c)
{
    retire(c, c->page_buf, c->page_buf_cap);
    retire(c, c->page_owned, 0);
    retire(c, c->dict_buf, c->dict_buf_cap);
    c->page_buf = c->page_owned = c->dict_buf = NULL;
    recycle_retired(c);
    c->chunk_len = c->chunk_pos = 0; /* the chunk buffer is kept for the next row group */
    floe_pq_dict_fini(&c->dict);
    c->have_dict = c->seen_data = false;
    c->dec.dict = NULL;
    c->page_n = c->page_pos = c->page_vpos = 0;
}

static void col_fini(col_reader *c)
{
    col_release_chunk(c);
    free_pool(c);
    free(c->chunk);
    floe_vec_fini(&c->retired);
    floe_vec_fini(&c->pool);
    floe_buf_fini(&c->scratch);
    free(c->page_def);
    free(c->page_rep);
    free(c->page_vals);
    free(c->out_def);
    free(c->out_rep);
    free(c->out_vals);
}

/*
 * Decompress a page (or a v2 value section) of `src_len` bytes into `dst_len` bytes. The
 * result points into `src` when the chunk is uncompressed, else into `*owned` (heap).
 */
static floe_status page_bytes(col_reader *c, bool compressed, const uint8_t *src, size_t src_len,
                              size_t dst_len, const uint8_t **out, uint8_t **owned, size_t *cap,
                              floe_err *err)
{
    *owned = NULL;
    if (!compressed || c->codec == FLOE_CODEC_NONE) {
        if (src_len != dst_len) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "uncompressed page has %zu bytes but declares %zu", src_len,
                                dst_len);
        }
        *out = src;
        return FLOE_OK;
    }
    if (src_len == 0) {
        /* Never hand a codec zero bytes (snappy rejects it): only an empty result fits. */
        if (dst_len != 0) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "compressed page of 0 bytes declares %zu uncompressed bytes",
                                dst_len);
        }
        *out = src;
        return FLOE_OK;
    }
    uint8_t *buf = buf_get(c, dst_len, cap);
    floe_status st = floe_decompress(c->codec, src, src_len, buf, dst_len, err);
    if (st != FLOE_OK) {
        retire(c, buf, *cap);
        return st;
    }
    *out = buf;
    *owned = buf;
    return FLOE_OK;
}

static floe_status grow_levels(col_reader *c, size_t n)
{
    if (n > c->level_cap) {
        size_t cap = n + n / 4 + 16;
        free(c->page_def);
        free(c->page_rep);
        c->page_def = floe_xmalloc(cap * sizeof(int16_t));
        c->page_rep = floe_xmalloc(cap * sizeof(int16_t));
        c->level_cap = cap;
    }
    return FLOE_OK;
}

/* Check levels against their maximum; returns the count equal to the maximum. */
static floe_status check_levels(const int16_t *lv, size_t n, int16_t max, size_t *at_max,
                                floe_err *err)
{
    size_t count = 0;
    uint16_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        count += lv[i] == max;
        bad |= (uint16_t)lv[i] > (uint16_t)max;
    }
    if (bad) {
        size_t i = 0;
        while ((uint16_t)lv[i] <= (uint16_t)max) {
            i++;
        }
        return floe_err_set(err, FLOE_ERR_CORRUPT, "level %d of entry %zu is over the maximum %d",
                            lv[i], i, max);
    }
    *at_max = count;
    return FLOE_OK;
}

/* v1 levels: RLE with a 4-byte length, or legacy BIT_PACKED; checked and counted. */
static floe_status v1_levels(int32_t enc, const uint8_t *p, size_t len, int16_t max, int16_t *out,
                             size_t n, size_t *used, size_t *at_max, floe_err *err)
{
    int w = floe_pq_bit_width((uint64_t)max);
    if (enc == FLOE_PQ_ENC_RLE) {
        if (len < 4) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "levels: missing 4-byte length");
        }
        uint32_t l = floe_load_u32le(p);
        if (l > len - 4) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "levels: length %u runs past the page end (%zu bytes left)", l,
                                len - 4);
        }
        *used = 4 + (size_t)l;
        return floe_pq_rle_decode_levels(p + 4, l, w, max, out, n, at_max, err);
    }
    if (enc == FLOE_PQ_ENC_BIT_PACKED) {
        *used = (size_t)(((uint64_t)n * (uint64_t)w + 7) / 8);
        floe_status st = floe_pq_bitpacked_decode_i16(p, len, w, out, n, err);
        return st == FLOE_OK ? check_levels(out, n, max, at_max, err) : st;
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unsupported level encoding %s",
                        floe_pq_encoding_name(enc));
}

static floe_status load_data_page(floe_pq_scan *s, col_reader *c, const floe_pq_page_header *h,
                                  const uint8_t *data, floe_err *err)
{
    const floe_pq_node *leaf = c->leaf;
    if (h->num_values < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "data page has negative num_values %d",
                            h->num_values);
    }
    size_t n = (size_t)h->num_values;
    size_t per = c->es + (leaf->max_def > 0 ? 2 : 0) + (leaf->max_rep > 0 ? 2 : 0);
    if (n > s->r->opts.max_page_size / per) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "data page of %zu values decodes to more than the page limit of %zu "
                            "bytes",
                            n, s->r->opts.max_page_size);
    }
    grow_levels(c, n);
    const uint8_t *vp;
    size_t vlen;
    size_t nvals = n, unused = 0; /* values: the definition levels at their maximum */
    floe_status st;
    if (h->type == FLOE_PQ_PAGE_DATA) {
        const uint8_t *p;
        st = page_bytes(c, true, data, (size_t)h->compressed_size, (size_t)h->uncompressed_size, &p,
                        &c->page_buf, &c->page_buf_cap, err);
        if (st != FLOE_OK) {
            return st;
        }
        size_t len = (size_t)h->uncompressed_size, pos = 0, used = 0;
        if (leaf->max_rep > 0) {
            st = v1_levels(h->rep_encoding, p, len, leaf->max_rep, c->page_rep, n, &used, &unused,
                           err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "repetition levels");
            }
            pos += used;
        }
        if (leaf->max_def > 0) {
            st = v1_levels(h->def_encoding, p + pos, len - pos, leaf->max_def, c->page_def, n,
                           &used, &nvals, err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "definition levels");
            }
            pos += used;
        }
        vp = p + pos;
        vlen = len - pos;
    } else {
        if (h->rep_len < 0 || h->def_len < 0 ||
            (int64_t)h->rep_len + h->def_len > (int64_t)h->compressed_size ||
            (int64_t)h->rep_len + h->def_len > (int64_t)h->uncompressed_size) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "v2 page level lengths (%d + %d) do not fit the page (%d bytes)",
                                h->rep_len, h->def_len, h->compressed_size);
        }
        size_t rl = (size_t)h->rep_len, dl = (size_t)h->def_len;
        if (leaf->max_rep > 0) {
            st = floe_pq_rle_decode_levels(data, rl, floe_pq_bit_width((uint64_t)leaf->max_rep),
                                           leaf->max_rep, c->page_rep, n, &unused, err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "repetition levels");
            }
        }
        if (leaf->max_def > 0) {
            st =
                floe_pq_rle_decode_levels(data + rl, dl, floe_pq_bit_width((uint64_t)leaf->max_def),
                                          leaf->max_def, c->page_def, n, &nvals, err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "definition levels");
            }
        }
        size_t src = (size_t)h->compressed_size - rl - dl;
        size_t dst = (size_t)h->uncompressed_size - rl - dl;
        if (!h->is_compressed || c->codec == FLOE_CODEC_NONE) {
            dst = src;
        }
        st = page_bytes(c, h->is_compressed, data + rl + dl, src, dst, &vp, &c->page_buf,
                        &c->page_buf_cap, err);
        if (st != FLOE_OK) {
            return st;
        }
        vlen = dst;
    }
    size_t need = (nvals + 1) * c->es;
    if (need > c->vals_cap) {
        free(c->page_vals);
        c->vals_cap = need + need / 4;
        c->page_vals = floe_xmalloc(c->vals_cap);
    }
    c->page_dense = c->page_vals;
    bool fixed = leaf->type == FLOE_PQ_INT32 || leaf->type == FLOE_PQ_INT64 ||
                 leaf->type == FLOE_PQ_FLOAT || leaf->type == FLOE_PQ_DOUBLE;
    if (nvals > 0 && h->encoding == FLOE_PQ_ENC_PLAIN && fixed && nvals <= vlen / c->es) {
        c->page_dense = vp; /* PLAIN numbers are already dense: copy them once, into batches */
    } else if (nvals > 0) {
        c->dec.max_count = n;
        st = floe_pq_decode_values(&c->dec, h->encoding, vp, vlen, nvals, c->page_vals, &c->scratch,
                                   &c->page_owned, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "%s values", floe_pq_encoding_name(h->encoding));
        }
    }
    c->page_n = n;
    c->page_pos = 0;
    c->page_vpos = 0;
    c->page_no_nulls = nvals == n;
    return FLOE_OK;
}

static floe_status load_dict_page(floe_pq_scan *s, col_reader *c, const floe_pq_page_header *h,
                                  const uint8_t *data, floe_err *err)
{
    (void)s;
    if (c->have_dict) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "second dictionary page in the column chunk");
    }
    if (c->seen_data) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "dictionary page after data pages");
    }
    if (h->dict_num_values < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "dictionary page has negative num_values %d",
                            h->dict_num_values);
    }
    if (h->dict_encoding != FLOE_PQ_ENC_PLAIN && h->dict_encoding != FLOE_PQ_ENC_PLAIN_DICTIONARY) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "dictionary page encoded as %s",
                            floe_pq_encoding_name(h->dict_encoding));
    }
    const uint8_t *p;
    floe_status st =
        page_bytes(c, true, data, (size_t)h->compressed_size, (size_t)h->uncompressed_size, &p,
                   &c->dict_buf, &c->dict_buf_cap, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = floe_pq_decode_dict(&c->dec, p, (size_t)h->uncompressed_size, (size_t)h->dict_num_values,
                             &c->dict, err);
    if (st != FLOE_OK) {
        return st;
    }
    c->have_dict = true;
    c->dec.dict = &c->dict;
    return FLOE_OK;
}

/* Move to the next data page of the chunk; *eof when there is none. */
static floe_status next_page(floe_pq_scan *s, col_reader *c, bool *eof, floe_err *err)
{
    retire(c, c->page_buf, c->page_buf_cap);
    retire(c, c->page_owned, 0);
    c->page_buf = c->page_owned = NULL;
    c->page_n = c->page_pos = c->page_vpos = 0;
    *eof = false;
    while (c->chunk_pos < c->chunk_len) {
        uint64_t off = c->chunk_start + c->chunk_pos;
        floe_cursor cur;
        floe_cursor_init(&cur, c->chunk, c->chunk_len);
        cur.pos = c->chunk_pos;
        floe_pq_page_header h;
        floe_status st = floe_pq_decode_page_header(&cur, &h, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "page at offset %llu", (unsigned long long)off);
        }
        size_t body = cur.pos;
        if ((size_t)h.compressed_size > c->chunk_len - body) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "page at offset %llu: %d bytes run past the end of the column "
                                "chunk (%zu bytes left)",
                                (unsigned long long)off, h.compressed_size, c->chunk_len - body);
        }
        size_t maxp = s->r->opts.max_page_size;
        if ((size_t)h.compressed_size > maxp || (size_t)h.uncompressed_size > maxp) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG,
                                "page at offset %llu: %d bytes (%d uncompressed) is over the page "
                                "limit of %zu",
                                (unsigned long long)off, h.compressed_size, h.uncompressed_size,
                                maxp);
        }
        const uint8_t *data = c->chunk + body;
        c->chunk_pos = body + (size_t)h.compressed_size;
        if (s->r->opts.verify_crc && h.has_crc) {
            uint32_t crc = (uint32_t)crc32(0L, data, (uInt)h.compressed_size);
            if (crc != h.crc) {
                return floe_err_set(
                    err, FLOE_ERR_CORRUPT,
                    "page at offset %llu: CRC mismatch (stored %08x, computed %08x)",
                    (unsigned long long)off, h.crc, crc);
            }
        }
        if (h.type == FLOE_PQ_PAGE_DICT) {
            st = load_dict_page(s, c, &h, data, err);
        } else if (h.type == FLOE_PQ_PAGE_DATA || h.type == FLOE_PQ_PAGE_DATA_V2) {
            c->seen_data = true;
            st = load_data_page(s, c, &h, data, err);
            if (st == FLOE_OK) {
                return FLOE_OK;
            }
        } else {
            continue; /* index pages and unknown page types carry nothing we read */
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "page at offset %llu", (unsigned long long)off);
        }
    }
    *eof = true;
    return FLOE_OK;
}

/*
 * Room for `n` slots in the batch arrays. A batch of a repeated column can hold any number of
 * entries (one row may be a huge list), so its size is bounded like a row group's.
 */
static floe_status grow_out(floe_pq_scan *s, col_reader *c, size_t n, floe_err *err)
{
    if (n <= c->out_cap) {
        return FLOE_OK;
    }
    size_t per = c->es + 2 * sizeof(int16_t);
    if (n > s->r->opts.max_row_group_size / per) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "a batch of %zu entries is over the limit of %zu bytes", n,
                            s->r->opts.max_row_group_size);
    }
    size_t cap = n + n / 2 + 64;
    c->out_def = floe_xrealloc(c->out_def, cap * sizeof(int16_t));
    c->out_rep = floe_xrealloc(c->out_rep, cap * sizeof(int16_t));
    c->out_vals = floe_xrealloc(c->out_vals, cap * c->es);
    c->out_cap = cap;
    return FLOE_OK;
}

/* Copy `take` slots of the current page to the batch at `at`; returns non-null values. */
static size_t copy_slots(col_reader *c, size_t at, size_t take)
{
    const floe_pq_node *leaf = c->leaf;
    const int16_t *def = c->page_def + c->page_pos;
    if (leaf->max_rep > 0) {
        memcpy(c->out_rep + at, c->page_rep + c->page_pos, take * sizeof(int16_t));
    }
    size_t es = c->es;
    const uint8_t *src = c->page_dense + c->page_vpos * es;
    uint8_t *dst = c->out_vals + at * es;
    size_t nn = take;
    if (leaf->max_def > 0) {
        memcpy(c->out_def + at, def, take * sizeof(int16_t));
        if (!c->page_no_nulls) {
            const int16_t md = leaf->max_def;
            nn = 0;
            for (size_t i = 0; i < take; i++) {
                nn += def[i] == md;
            }
        }
    }
    if (nn == take) {
        memcpy(dst, src, take * es);
    } else {
        const int16_t md = leaf->max_def;
        size_t k = 0;
        switch (es) {
        case 1:
            for (size_t i = 0; i < take; i++) {
                dst[i] = def[i] == md ? src[k++] : 0;
            }
            break;
        case 4: /* the source may be an unaligned page: load through memcpy */
            for (size_t i = 0; i < take; i++) {
                uint32_t v = 0;
                if (def[i] == md) {
                    memcpy(&v, src + 4 * k++, 4);
                }
                memcpy(dst + 4 * i, &v, 4);
            }
            break;
        case 8:
            for (size_t i = 0; i < take; i++) {
                uint64_t v = 0;
                if (def[i] == md) {
                    memcpy(&v, src + 8 * k++, 8);
                }
                memcpy(dst + 8 * i, &v, 8);
            }
            break;
        default: {
            floe_pq_bytes *db = (floe_pq_bytes *)(void *)dst;
            const floe_pq_bytes *sb = (const floe_pq_bytes *)(const void *)src;
            const floe_pq_bytes none = {NULL, 0};
            for (size_t i = 0; i < take; i++) {
                db[i] = def[i] == md ? sb[k++] : none;
            }
            break;
        }
        }
    }
    c->page_vpos += nn;
    c->page_pos += take;
    return nn;
}

/* Fill the batch column with up to `want` rows; *rows_out gets how many were found. */
static floe_status fill_column(floe_pq_scan *s, col_reader *c, size_t want, size_t *rows_out,
                               floe_pq_column *col, floe_err *err)
{
    bool repeated = c->leaf->max_rep > 0;
    size_t out_n = 0, rows = 0, n_values = 0;
    for (;;) {
        if (c->page_pos == c->page_n) {
            bool eof;
            floe_status st = next_page(s, c, &eof, err);
            if (st != FLOE_OK) {
                return st;
            }
            if (eof) {
                break;
            }
            continue;
        }
        size_t avail = c->page_n - c->page_pos;
        size_t take;
        if (!repeated) {
            take = want - rows < avail ? want - rows : avail;
            rows += take;
        } else {
            const int16_t *r = c->page_rep + c->page_pos;
            for (take = 0; take < avail; take++) {
                if (r[take] == 0) {
                    if (rows == want) {
                        break;
                    }
                    rows++;
                } else if (rows == 0) {
                    return floe_err_set(err, FLOE_ERR_CORRUPT,
                                        "the column chunk starts with repetition level %d, not 0",
                                        r[take]);
                }
            }
        }
        if (take > 0) {
            floe_status st = grow_out(s, c, out_n + take, err);
            if (st != FLOE_OK) {
                return st;
            }
            n_values += copy_slots(c, out_n, take);
            out_n += take;
        }
        if (!repeated ? rows == want : take < avail) {
            break;
        }
    }
    col->leaf = c->leaf;
    col->n = out_n;
    col->def = c->leaf->max_def > 0 ? c->out_def : NULL;
    col->rep = c->leaf->max_rep > 0 ? c->out_rep : NULL;
    col->n_values = n_values;
    col->v.b = c->out_vals;
    *rows_out = rows;
    return FLOE_OK;
}

/* ==== Scans ==== */

floe_status floe_pq_scan_new(floe_pq_reader *r, const floe_pq_scan_opts *opts, floe_pq_scan **out,
                             floe_err *err)
{
    *out = NULL;
    const floe_pq_file_meta *m = &r->meta;
    const floe_pq_scan_opts none = {0};
    if (opts == NULL) {
        opts = &none;
    }
    size_t n_cols =
        opts->columns != NULL && opts->n_columns > 0 ? opts->n_columns : m->schema.n_leaves;
    for (size_t i = 0; opts->columns != NULL && i < opts->n_columns; i++) {
        if (opts->columns[i] < 0 || (size_t)opts->columns[i] >= m->schema.n_leaves) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "projected column %d is not a leaf index (the schema has %zu)",
                                opts->columns[i], m->schema.n_leaves);
        }
    }
    for (size_t i = 0; opts->row_groups != NULL && i < opts->n_row_groups; i++) {
        if (opts->row_groups[i] >= m->n_row_groups ||
            (i > 0 && opts->row_groups[i] <= opts->row_groups[i - 1])) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "row group selection must be ascending indexes below %zu",
                                m->n_row_groups);
        }
    }
    floe_pq_scan *s = floe_xcalloc(1, sizeof(*s));
    s->r = r;
    s->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    s->batch_rows = opts->batch_rows > 0 ? opts->batch_rows : DEFAULT_BATCH_ROWS;
    if (opts->row_groups != NULL) {
        s->n_rgs = opts->n_row_groups;
        s->rgs = floe_xcalloc(s->n_rgs + 1, sizeof(size_t));
        memcpy(s->rgs, opts->row_groups, s->n_rgs * sizeof(size_t));
    } else {
        s->n_rgs = m->n_row_groups;
        s->rgs = floe_xcalloc(s->n_rgs + 1, sizeof(size_t));
        for (size_t i = 0; i < s->n_rgs; i++) {
            s->rgs[i] = i;
        }
    }
    s->n_cols = n_cols;
    s->cols = floe_xcalloc(n_cols, sizeof(*s->cols));
    s->batch.columns = floe_xcalloc(n_cols, sizeof(*s->batch.columns));
    s->batch.n_columns = n_cols;
    for (size_t i = 0; i < n_cols; i++) {
        col_reader *c = &s->cols[i];
        int32_t li = opts->columns != NULL && opts->n_columns > 0 ? opts->columns[i] : (int32_t)i;
        c->leaf = m->schema.leaves[li];
        c->path = floe_pq_node_path(c->leaf, s->arena);
        c->es = floe_pq_elem_size(c->leaf->type);
        c->dec.type = c->leaf->type;
        c->dec.type_length = c->leaf->type_length;
        c->dec.max_bytes = r->opts.max_page_size;
        floe_buf_init(&c->scratch, 0);
        floe_vec_init(&c->retired, sizeof(pooled));
        floe_vec_init(&c->pool, sizeof(pooled));
        s->batch.columns[i].leaf = c->leaf;
    }
    *out = s;
    return FLOE_OK;
}

static floe_status load_row_group(floe_pq_scan *s, size_t g, floe_err *err)
{
    const floe_pq_row_group *rg = &s->r->meta.row_groups[g];
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_cols; i++) {
        col_reader *c = &s->cols[i];
        col_release_chunk(c);
        const floe_pq_column_chunk *cc = &rg->columns[c->leaf->leaf_index];
        if (cc->file_path != NULL) {
            return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                                "column '%s' is stored in another file ('%s')", c->path,
                                cc->file_path);
        }
        uint64_t start, len;
        chunk_range(cc, &start, &len);
        uint64_t end = s->r->data_end;
        if (start < 4 || start > end || len > end - start) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "row group %zu, column '%s': chunk at offset %llu of %llu bytes "
                                "lies outside the data area [4, %llu)",
                                g, c->path, (unsigned long long)start, (unsigned long long)len,
                                (unsigned long long)end);
        }
        total += len;
    }
    if (total > s->r->opts.max_row_group_size) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "row group %zu: the projected column chunks take %llu bytes, over the "
                            "limit of %zu",
                            g, (unsigned long long)total, s->r->opts.max_row_group_size);
    }
    for (size_t i = 0; i < s->n_cols; i++) {
        col_reader *c = &s->cols[i];
        const floe_pq_column_chunk *cc = &rg->columns[c->leaf->leaf_index];
        floe_status st = floe_pq_codec_to_floe(cc->codec, &c->codec, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "row group %zu, column '%s'", g, c->path);
        }
        uint64_t start, len;
        chunk_range(cc, &start, &len);
        if (len > c->chunk_cap || c->chunk == NULL) {
            free(c->chunk);
            c->chunk_cap = (size_t)len + (size_t)len / 8 + 64; /* room for the next row group */
            c->chunk = floe_xmalloc(c->chunk_cap);
        }
        c->chunk_len = (size_t)len;
        c->chunk_pos = 0;
        c->chunk_start = start;
        st = floe_input_read(s->r->in, start, c->chunk, (size_t)len, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "row group %zu, column '%s'", g, c->path);
        }
    }
    return FLOE_OK;
}

floe_status floe_pq_scan_next(floe_pq_scan *s, const floe_pq_batch **out, floe_err *err)
{
    *out = NULL;
    if (s->failed != FLOE_OK) {
        return floe_err_set(err, s->failed, "the scan already failed");
    }
    for (size_t i = 0; i < s->n_cols; i++) {
        recycle_retired(&s->cols[i]);
    }
    const floe_pq_file_meta *m = &s->r->meta;
    while (!s->have_rg || s->rg_done >= m->row_groups[s->rg].num_rows) {
        s->have_rg = false;
        if (s->next_rg >= s->n_rgs) {
            for (size_t i = 0; i < s->n_cols; i++) {
                col_release_chunk(&s->cols[i]);
            }
            return FLOE_OK;
        }
        size_t g = s->rgs[s->next_rg++];
        if (m->row_groups[g].num_rows == 0) {
            continue;
        }
        floe_status st = load_row_group(s, g, err);
        if (st != FLOE_OK) {
            s->failed = st;
            return st;
        }
        s->rg = g;
        s->rg_done = 0;
        s->have_rg = true;
    }
    int64_t left = m->row_groups[s->rg].num_rows - s->rg_done;
    size_t want = (uint64_t)left < s->batch_rows ? (size_t)left : s->batch_rows;
    for (size_t i = 0; i < s->n_cols; i++) {
        col_reader *c = &s->cols[i];
        size_t rows = 0;
        floe_status st = fill_column(s, c, want, &rows, &s->batch.columns[i], err);
        if (st == FLOE_OK && rows != want) {
            st = floe_err_set(err, FLOE_ERR_CORRUPT,
                              "the column chunk ends after %lld of the row group's %lld rows",
                              (long long)(s->rg_done + (int64_t)rows),
                              (long long)m->row_groups[s->rg].num_rows);
        }
        if (st != FLOE_OK) {
            s->failed = st;
            return floe_err_wrap(err, "row group %zu, column '%s'", s->rg, c->path);
        }
    }
    s->batch.n_rows = want;
    s->batch.row_group = s->rg;
    s->batch.first_row = s->r->rg_first_row[s->rg] + s->rg_done;
    s->rg_done += (int64_t)want;
    *out = &s->batch;
    return FLOE_OK;
}

void floe_pq_scan_free(floe_pq_scan *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_cols; i++) {
        col_fini(&s->cols[i]);
    }
    free(s->cols);
    free(s->batch.columns);
    free(s->rgs);
    floe_arena_free(s->arena);
    free(s);
}
