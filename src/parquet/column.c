/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One leaf column of the writer: buffering levels and values of the current page, dictionary
 * encoding with PLAIN fallback, statistics, and encoding finished pages (levels, values,
 * compression, page header) into the chunk's page buffer.
 *
 * Values arrive as slot ranges of a batch column. Each range is cut into segments small enough
 * that a page or the dictionary overshoots its limit by at most one row; a segment's non-null
 * values are gathered into a dense array once, then min/max and encoding run as tight loops over
 * it, specialised per physical type (no per-value indirect calls).
 *
 * Dictionary encoding (Encodings.md, RLE_DICTIONARY): a chunk starts in dictionary mode (except
 * BOOLEAN). When the first page with values is flushed, the dictionary is kept only if dictionary
 * plus indices are smaller than the PLAIN form of that page; otherwise the page is re-encoded as
 * PLAIN and the chunk continues in PLAIN. When the dictionary passes dictionary_page_limit the
 * current page is flushed with indices and the rest of the chunk is PLAIN, so such a chunk mixes
 * RLE_DICTIONARY and PLAIN data pages after its one dictionary page.
 *
 * PLAIN values are little-endian; like the rest of floe this assumes a little-endian host, where
 * the batch's native arrays are already PLAIN.
 */
#include "writer_int.h"

#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet writer assumes a little-endian host"
#endif

static int bit_width_of(uint64_t max)
{
    int w = 0;
    while (max != 0) {
        w++;
        max >>= 1;
    }
    return w;
}

static void buf_put(floe_buf *b, const void *p, size_t n)
{
    floe_status st = floe_buf_append(b, p, n, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

static void buf_reserve(floe_buf *b, size_t n)
{
    floe_status st = floe_buf_reserve(b, n, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

/* ==== Dictionary ==== */

static inline uint64_t mix64(uint64_t k)
{
    k ^= k >> 32;
    k *= 0x9E3779B97F4A7C15ull;
    k ^= k >> 29;
    return k;
}

static void dict_init(pq_dict *d)
{
    memset(d, 0, sizeof(*d));
    floe_buf_init(&d->plain, 0);
}

static void dict_fini(pq_dict *d)
{
    free(d->slots);
    free(d->ents);
    floe_buf_fini(&d->plain);
    memset(d, 0, sizeof(*d));
}

static void dict_clear(pq_dict *d)
{
    if (d->slots != NULL) {
        memset(d->slots, 0, d->cap * sizeof(uint32_t));
    }
    d->n = 0;
    floe_buf_reset(&d->plain);
}

static size_t slot_of(const pq_dict *d, uint64_t h)
{
    return (size_t)(mix64(h) >> d->shift);
}

/* Hash of entry i as the table knows it (fixed-width keys hash their bits). */
static uint64_t entry_hash(const pq_dict *d, size_t width, uint32_t i)
{
    if (d->ents != NULL) {
        return d->ents[i].hash;
    }
    const uint8_t *p = (const uint8_t *)d->plain.data + (size_t)i * width;
    return width == 4 ? floe_load_u32le(p) : floe_load_u64le(p);
}

/* Double the table (or create it) and re-insert every entry. */
static void dict_grow(pq_dict *d, size_t width)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    int bits = 0;
    while (((size_t)1 << bits) < cap) {
        bits++;
    }
    free(d->slots);
    d->slots = floe_xcalloc(cap, sizeof(uint32_t));
    d->cap = cap;
    d->shift = 64 - bits;
    size_t mask = cap - 1;
    for (uint32_t i = 0; i < d->n; i++) {
        size_t h = slot_of(d, entry_hash(d, width, i));
        while (d->slots[h] != 0) {
            h = (h + 1) & mask;
        }
        d->slots[h] = i + 1;
    }
}

#define DEFINE_DICT_PUT(NAME, T, LOAD)                                                             \
    static inline uint32_t NAME(pq_dict *d, T key)                                                 \
    {                                                                                              \
        if ((size_t)d->n * 2 >= d->cap) {                                                          \
            dict_grow(d, sizeof(T));                                                               \
        }                                                                                          \
        size_t mask = d->cap - 1;                                                                  \
        size_t h = slot_of(d, key);                                                                \
        for (;;) {                                                                                 \
            uint32_t s = d->slots[h];                                                              \
            if (s == 0) {                                                                          \
                d->slots[h] = d->n + 1;                                                            \
                buf_put(&d->plain, &key, sizeof(T));                                               \
                return d->n++;                                                                     \
            }                                                                                      \
            if (LOAD(d->plain.data + (size_t)(s - 1) * sizeof(T)) == key) {                        \
                return s - 1;                                                                      \
            }                                                                                      \
            h = (h + 1) & mask;                                                                    \
        }                                                                                          \
    }

DEFINE_DICT_PUT(dict_put_u32, uint32_t, floe_load_u32le)
DEFINE_DICT_PUT(dict_put_u64, uint64_t, floe_load_u64le)

/* Byte-valued entries: BYTE_ARRAY (stored with a 4-byte length prefix) or fixed width. */
static uint32_t dict_put_bytes(pq_dict *d, const uint8_t *p, uint32_t len, bool prefix,
                               uint64_t seed)
{
    if ((size_t)d->n * 2 >= d->cap) {
        dict_grow(d, 0);
    }
    uint32_t hash = (uint32_t)floe_xxh64(len > 0 ? p : (const uint8_t *)"", len, seed);
    size_t mask = d->cap - 1;
    size_t h = slot_of(d, hash);
    for (;;) {
        uint32_t s = d->slots[h];
        if (s == 0) {
            break;
        }
        const pq_dict_entry *e = &d->ents[s - 1];
        if (e->hash == hash && e->len == len &&
            (len == 0 || memcmp(d->plain.data + e->off, p, len) == 0)) {
            return s - 1;
        }
        h = (h + 1) & mask;
    }
    if (d->n == d->ents_cap) {
        d->ents_cap = d->ents_cap ? d->ents_cap * 2 : 1024;
        d->ents = floe_xrealloc(d->ents, d->ents_cap * sizeof(*d->ents));
    }
    if (prefix) {
        uint8_t lenb[4];
        floe_store_u32le(lenb, len);
        buf_put(&d->plain, lenb, 4);
    }
    d->ents[d->n] = (pq_dict_entry){.off = (uint32_t)d->plain.len, .len = len, .hash = hash};
    if (len > 0) {
        buf_put(&d->plain, p, len);
    }
    d->slots[h] = d->n + 1;
    return d->n++;
}

/* ==== Column state ==== */

/* Empty the PLAIN value buffer, keeping `headroom` bytes in front for the levels. */
static void plain_reset(pq_col *c)
{
    floe_buf_reset(&c->plain);
    buf_reserve(&c->plain, c->headroom);
    c->plain.len = c->headroom;
    c->plain.data[c->plain.len] = '\0';
    c->plain_off = c->headroom;
}

static size_t plain_values_len(const pq_col *c)
{
    return c->plain.len - c->plain_off;
}

static size_t value_width(const floe_pq_node *leaf)
{
    switch (leaf->type) {
    case FLOE_PQ_BOOLEAN:
        return 1;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        return 4;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        return 8;
    case FLOE_PQ_INT96:
        return 12;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        return (size_t)leaf->type_length;
    case FLOE_PQ_BYTE_ARRAY:
        return 0;
    }
    return 0;
}

static pq_mode initial_mode(const pq_col *c, bool use_dict)
{
    return use_dict && c->type != FLOE_PQ_BOOLEAN ? PQ_MODE_DICT : PQ_MODE_PLAIN;
}

void pq_col_init(pq_col *c, const floe_pq_node *leaf, bool use_dict)
{
    memset(c, 0, sizeof(*c));
    c->leaf = leaf;
    c->type = leaf->type;
    c->width = value_width(leaf);
    c->order = pq_order_of(leaf);
    c->max_def = leaf->max_def;
    c->max_rep = leaf->max_rep;
    c->def_bw = bit_width_of((uint64_t)leaf->max_def);
    c->rep_bw = bit_width_of((uint64_t)leaf->max_rep);
    c->is_float = c->type == FLOE_PQ_FLOAT || c->type == FLOE_PQ_DOUBLE;
    floe_buf_init(&c->plain, 0);
    pq_minmax_init(&c->page_mm);
    pq_minmax_init(&c->chunk_mm);
    pq_minmax_init(&c->file_mm);
    dict_init(&c->dict);
    c->dict_seed = floe_random_u64();
    floe_buf_init(&c->pages, 0);
    floe_vec_init(&c->page_recs, sizeof(pq_page_rec));
    floe_buf_init(&c->index_bytes, 0);
    c->mode = initial_mode(c, use_dict);
    c->index_valid = true;
    c->headroom = c->type == FLOE_PQ_BOOLEAN ? 0 : 1024;
    plain_reset(c);
}

void pq_col_fini(pq_col *c)
{
    free(c->defs);
    free(c->reps);
    free(c->idx);
    floe_buf_fini(&c->plain);
    pq_minmax_fini(&c->page_mm);
    pq_minmax_fini(&c->chunk_mm);
    pq_minmax_fini(&c->file_mm);
    dict_fini(&c->dict);
    floe_buf_fini(&c->pages);
    floe_vec_fini(&c->page_recs);
    floe_buf_fini(&c->index_bytes);
    memset(c, 0, sizeof(*c));
}

void pq_col_reset_chunk(pq_col *c, bool use_dict)
{
    floe_buf_reset(&c->pages);
    dict_clear(&c->dict);
    c->mode = initial_mode(c, use_dict);
    c->dict_full = false;
    c->dict_decided = false;
    c->n_dict_pages = c->n_plain_pages = 0;
    c->chunk_uncompressed = 0;
    c->chunk_slots = c->chunk_nulls = c->chunk_nans = c->chunk_rows = 0;
    pq_minmax_reset(&c->chunk_mm);
    floe_vec_clear(&c->page_recs);
    floe_buf_reset(&c->index_bytes);
    c->index_valid = true;
}

static int dict_index_width(const pq_col *c)
{
    int bw = bit_width_of(c->dict.n > 0 ? c->dict.n - 1 : 0);
    return bw > 0 ? bw : 1;
}

/*
 * Encoded bytes of the pending page, estimated without encoding it. Until the first page with
 * values has decided for or against the dictionary, pages are sized as PLAIN, so a page that
 * falls back is not larger than page_size.
 */
static uint64_t page_estimate(const pq_col *c)
{
    uint64_t levels = ((uint64_t)c->n_levels * (uint64_t)(c->def_bw + c->rep_bw) + 7) / 8;
    uint64_t values;
    if (c->mode == PQ_MODE_DICT && !c->dict_decided) {
        values = c->page_plain_bytes;
    } else if (c->mode == PQ_MODE_DICT) {
        values = 1 + ((uint64_t)c->n_idx * (uint64_t)dict_index_width(c) + 7) / 8;
    } else if (c->type == FLOE_PQ_BOOLEAN) {
        values = (plain_values_len(c) + 7) / 8;
    } else {
        values = plain_values_len(c);
    }
    return levels + values;
}

uint64_t pq_col_estimated_size(const pq_col *c)
{
    return c->pages.len + page_estimate(c) +
           (c->mode == PQ_MODE_DICT || c->n_dict_pages > 0 ? c->dict.plain.len : 0);
}

static bool page_full(const pq_col *c, const floe_pq_write_opts *o)
{
    return c->page_slots > 0 &&
           (page_estimate(c) >= o->page_size || c->page_rows >= PQ_PAGE_MAX_ROWS);
}

/* ==== Appending slots ==== */

/*
 * Where the next segment starting at `from` ends: after as many whole rows as fit the page's
 * remaining bytes and rows, and (in dictionary mode) the dictionary's remaining bytes, counting
 * at least one row. `*rows` gets the rows in the segment.
 */
static size_t plan_segment(const pq_col *c, const floe_pq_column *col, size_t from, size_t to,
                           const floe_pq_write_opts *o, size_t *rows_out)
{
    uint64_t est = page_estimate(c);
    uint64_t page_left = o->page_size > est ? o->page_size - est : 1;
    size_t rows_left = PQ_PAGE_MAX_ROWS > c->page_rows ? PQ_PAGE_MAX_ROWS - c->page_rows : 1;
    uint64_t max_vals;
    uint64_t byte_budget = UINT64_MAX; /* BYTE_ARRAY: PLAIN bytes the segment may add */
    if (c->mode == PQ_MODE_DICT) {
        if (!c->dict_decided) {
            max_vals = c->width > 0 ? (page_left + c->width - 1) / c->width : UINT64_MAX;
        } else {
            max_vals = page_left * 8 / (uint64_t)dict_index_width(c);
        }
        /* A dictionary close to its limit still gets segments of a useful size (values
         * already in it cost nothing): the limit is soft by up to `floor` bytes. */
        uint64_t floor = o->dictionary_page_limit / 16;
        floor = floor < 256 ? 256 : floor > 16384 ? 16384 : floor;
        uint64_t dict_left = o->dictionary_page_limit > c->dict.plain.len
                                 ? o->dictionary_page_limit - c->dict.plain.len
                                 : 1;
        dict_left = dict_left < floor ? floor : dict_left;
        if (c->width > 0) {
            uint64_t d = (dict_left + c->width - 1) / c->width;
            max_vals = d < max_vals ? d : max_vals;
        } else {
            byte_budget = dict_left;
            if (!c->dict_decided && page_left < byte_budget) {
                byte_budget = page_left;
            }
        }
    } else if (c->type == FLOE_PQ_BOOLEAN) {
        max_vals = page_left * 8;
    } else if (c->width > 0) {
        max_vals = (page_left + c->width - 1) / c->width;
    } else {
        max_vals = UINT64_MAX;
        byte_budget = page_left;
    }
    if (max_vals > PQ_SEGMENT_MAX_SLOTS) {
        max_vals = PQ_SEGMENT_MAX_SLOTS;
    }
    if (max_vals == 0) {
        max_vals = 1;
    }
    const int16_t *def = c->max_def > 0 ? col->def : NULL;
    const int16_t *rep = c->max_rep > 0 ? col->rep : NULL;
    if (def == NULL && rep == NULL && c->width > 0) {
        size_t n = to - from;
        n = n < max_vals ? n : (size_t)max_vals;
        n = n < rows_left ? n : rows_left;
        *rows_out = n;
        return from + n;
    }
    const floe_pq_bytes *bytes = c->type == FLOE_PQ_BYTE_ARRAY ? col->v.bytes : NULL;
    /* levels count too: a long run of nulls fills a page by itself */
    uint64_t level_slots = c->def_bw + c->rep_bw > 0
                               ? page_left * 8 / (uint64_t)(c->def_bw + c->rep_bw) + 1
                               : UINT64_MAX;
    size_t i = from, rows = 0;
    uint64_t vals = 0, nbytes = 0;
    for (; i < to; i++) {
        if (rep == NULL || rep[i] == 0) {
            if (i > from && (vals >= max_vals || rows >= rows_left || nbytes >= byte_budget ||
                             i - from >= level_slots || i - from >= PQ_SEGMENT_MAX_SLOTS)) {
                break;
            }
            rows++;
        }
        if (def == NULL || def[i] == c->max_def) {
            vals++;
            if (bytes != NULL) {
                nbytes += 4 + (uint64_t)bytes[i].len;
            }
        }
    }
    *rows_out = rows;
    return i;
}

static void append_levels(int16_t **dst, size_t n_have, size_t *cap, const int16_t *src, size_t n)
{
    if (n_have + n > *cap) {
        size_t cap2 = *cap ? *cap : 1024;
        while (cap2 < n_have + n) {
            cap2 *= 2;
        }
        *dst = floe_xrealloc(*dst, cap2 * sizeof(int16_t));
        *cap = cap2;
    }
    memcpy(*dst + n_have, src, n * sizeof(int16_t));
}

static void reserve_idx(pq_col *c, size_t n)
{
    if (c->n_idx + n > c->cap_idx) {
        size_t cap = c->cap_idx ? c->cap_idx : 1024;
        while (cap < c->n_idx + n) {
            cap *= 2;
        }
        c->idx = floe_xrealloc(c->idx, cap * sizeof(uint32_t));
        c->cap_idx = cap;
    }
}

static void note_dict_size(pq_col *c, const floe_pq_write_opts *o)
{
    if (c->dict.plain.len > o->dictionary_page_limit || c->dict.n >= ((uint32_t)1 << 30)) {
        c->dict_full = true;
    }
}

/*
 * Gather the non-null values of slots [from, from + n) of fixed width `w` into contiguous memory
 * (the batch's own array when there are no nulls). Branch-free: every slot is copied and the
 * write position only advances for values.
 */
#define DEFINE_GATHER(NAME, T)                                                                     \
    static const T *NAME(const T *src, const int16_t *def, int16_t max_def, size_t from, size_t n, \
                         floe_buf *dense, size_t *nv)                                              \
    {                                                                                              \
        if (def == NULL) {                                                                         \
            *nv = n;                                                                               \
            return src + from;                                                                     \
        }                                                                                          \
        floe_buf_reset(dense);                                                                     \
        buf_reserve(dense, (n + 1) * sizeof(T));                                                   \
        T *dst = (T *)(void *)dense->data;                                                         \
        size_t k = 0;                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            dst[k] = src[from + i];                                                                \
            k += def[from + i] == max_def;                                                         \
        }                                                                                          \
        *nv = k;                                                                                   \
        return dst;                                                                                \
    }

DEFINE_GATHER(gather_u8, uint8_t)
DEFINE_GATHER(gather_u32, uint32_t)
DEFINE_GATHER(gather_u64, uint64_t)

/* Min/max of dense numeric values into the page bounds. */
#define DEFINE_MINMAX_INT(NAME, T, FIELD)                                                          \
    static void NAME(pq_col *c, const T *v, size_t n)                                              \
    {                                                                                              \
        if (n == 0) {                                                                              \
            return;                                                                                \
        }                                                                                          \
        T lo = v[0], hi = v[0];                                                                    \
        for (size_t i = 1; i < n; i++) {                                                           \
            lo = v[i] < lo ? v[i] : lo;                                                            \
            hi = v[i] > hi ? v[i] : hi;                                                            \
        }                                                                                          \
        pq_num a, b;                                                                               \
        a.FIELD = lo;                                                                              \
        b.FIELD = hi;                                                                              \
        pq_minmax_add_num(c->order, &c->page_mm, a, b);                                            \
    }

DEFINE_MINMAX_INT(minmax_i32, int32_t, i)
DEFINE_MINMAX_INT(minmax_u32, uint32_t, u)
DEFINE_MINMAX_INT(minmax_i64, int64_t, i)
DEFINE_MINMAX_INT(minmax_u64, uint64_t, u)

/* Floats: NaN is counted and skipped; the signed-zero rule is applied when bounds are written. */
#define DEFINE_MINMAX_FLOAT(NAME, T)                                                               \
    static void NAME(pq_col *c, const T *v, size_t n)                                              \
    {                                                                                              \
        size_t i = 0, nans = 0;                                                                    \
        while (i < n && v[i] != v[i]) {                                                            \
            i++;                                                                                   \
            nans++;                                                                                \
        }                                                                                          \
        if (i < n) {                                                                               \
            T lo = v[i], hi = v[i];                                                                \
            for (i++; i < n; i++) {                                                                \
                T x = v[i];                                                                        \
                if (x != x) {                                                                      \
                    nans++;                                                                        \
                    continue;                                                                      \
                }                                                                                  \
                lo = x < lo ? x : lo;                                                              \
                hi = x > hi ? x : hi;                                                              \
            }                                                                                      \
            pq_num a, b;                                                                           \
            a.d = lo;                                                                              \
            b.d = hi;                                                                              \
            pq_minmax_add_num(c->order, &c->page_mm, a, b);                                        \
        }                                                                                          \
        c->page_nans += nans;                                                                      \
    }

DEFINE_MINMAX_FLOAT(minmax_f32, float)
DEFINE_MINMAX_FLOAT(minmax_f64, double)

static void values_bool(pq_col *c, const floe_pq_column *col, const int16_t *def, size_t from,
                        size_t n, pq_scratch *s)
{
    size_t nv;
    const uint8_t *v = gather_u8(col->v.b, def, c->max_def, from, n, &s->dense, &nv);
    if (nv == 0) {
        return;
    }
    bool any_false = false, any_true = false;
    size_t at = c->plain.len;
    buf_reserve(&c->plain, nv);
    uint8_t *dst = (uint8_t *)c->plain.data + at;
    for (size_t i = 0; i < nv; i++) {
        uint8_t b = v[i] != 0;
        dst[i] = b;
        any_true |= b;
        any_false |= !b;
    }
    c->plain.len += nv;
    c->plain.data[c->plain.len] = '\0';
    pq_num lo = {.i = any_false ? 0 : 1}, hi = {.i = any_true ? 1 : 0};
    pq_minmax_add_num(c->order, &c->page_mm, lo, hi);
    c->page_plain_bytes += nv;
}

static void values_32(pq_col *c, const floe_pq_column *col, const int16_t *def, size_t from,
                      size_t n, pq_scratch *s, const floe_pq_write_opts *o)
{
    size_t nv;
    const uint32_t *v = gather_u32((const uint32_t *)(const void *)col->v.i32, def, c->max_def,
                                   from, n, &s->dense, &nv);
    if (nv == 0) {
        return;
    }
    switch (c->order) {
    case PQ_ORDER_I32:
        minmax_i32(c, (const int32_t *)(const void *)v, nv);
        break;
    case PQ_ORDER_U32:
        minmax_u32(c, v, nv);
        break;
    case PQ_ORDER_F32:
        minmax_f32(c, (const float *)(const void *)v, nv);
        break;
    default:
        break;
    }
    if (c->mode == PQ_MODE_DICT) {
        reserve_idx(c, nv);
        uint32_t *idx = c->idx + c->n_idx;
        for (size_t i = 0; i < nv; i++) {
            idx[i] = dict_put_u32(&c->dict, v[i]);
        }
        c->n_idx += nv;
        note_dict_size(c, o);
    } else {
        buf_put(&c->plain, v, nv * 4);
    }
    c->page_plain_bytes += nv * 4;
}

static void values_64(pq_col *c, const floe_pq_column *col, const int16_t *def, size_t from,
                      size_t n, pq_scratch *s, const floe_pq_write_opts *o)
{
    size_t nv;
    const uint64_t *v = gather_u64((const uint64_t *)(const void *)col->v.i64, def, c->max_def,
                                   from, n, &s->dense, &nv);
    if (nv == 0) {
        return;
    }
    switch (c->order) {
    case PQ_ORDER_I64:
        minmax_i64(c, (const int64_t *)(const void *)v, nv);
        break;
    case PQ_ORDER_U64:
        minmax_u64(c, v, nv);
        break;
    case PQ_ORDER_F64:
        minmax_f64(c, (const double *)(const void *)v, nv);
        break;
    default:
        break;
    }
    if (c->mode == PQ_MODE_DICT) {
        reserve_idx(c, nv);
        uint32_t *idx = c->idx + c->n_idx;
        for (size_t i = 0; i < nv; i++) {
            idx[i] = dict_put_u64(&c->dict, v[i]);
        }
        c->n_idx += nv;
        note_dict_size(c, o);
    } else {
        buf_put(&c->plain, v, nv * 8);
    }
    c->page_plain_bytes += nv * 8;
}

/* Gather non-null byte values (pointers) of slots [from, from + n). */
static const floe_pq_bytes *gather_bytes(const floe_pq_bytes *src, const int16_t *def,
                                         int16_t max_def, size_t from, size_t n, floe_vec *dense,
                                         size_t *nv)
{
    if (def == NULL) {
        *nv = n;
        return src + from;
    }
    floe_vec_clear(dense);
    floe_vec_reserve(dense, n + 1);
    floe_pq_bytes *dst = dense->data;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        dst[k] = src[from + i];
        k += def[from + i] == max_def;
    }
    *nv = k;
    return dst;
}

/* Page bounds of byte values: find the extremes by pointer, copy them once. */
static void minmax_bytes(pq_col *c, const floe_pq_bytes *v, size_t nv)
{
    if (nv == 0 || c->order == PQ_ORDER_NONE) {
        return;
    }
    size_t lo = 0, hi = 0;
    for (size_t i = 1; i < nv; i++) {
        if (pq_bytes_cmp(c->order, v[i].ptr, v[i].len, v[lo].ptr, v[lo].len) < 0) {
            lo = i;
        } else if (pq_bytes_cmp(c->order, v[i].ptr, v[i].len, v[hi].ptr, v[hi].len) > 0) {
            hi = i;
        }
    }
    pq_minmax_add_bytes(c->order, &c->page_mm, v[lo].ptr, v[lo].len, v[hi].ptr, v[hi].len);
}

static void values_bytes(pq_col *c, const floe_pq_column *col, const int16_t *def, size_t from,
                         size_t n, pq_scratch *s, const floe_pq_write_opts *o)
{
    size_t nv;
    const floe_pq_bytes *v =
        gather_bytes(col->v.bytes, def, c->max_def, from, n, &s->dense_bytes, &nv);
    if (nv == 0) {
        return;
    }
    minmax_bytes(c, v, nv);
    bool prefix = c->type == FLOE_PQ_BYTE_ARRAY;
    size_t plain_bytes = 0;
    if (c->mode == PQ_MODE_DICT) {
        reserve_idx(c, nv);
        uint32_t *idx = c->idx + c->n_idx;
        for (size_t i = 0; i < nv; i++) {
            idx[i] = dict_put_bytes(&c->dict, v[i].ptr, v[i].len, prefix, c->dict_seed);
            plain_bytes += v[i].len;
        }
        c->n_idx += nv;
        note_dict_size(c, o);
    } else {
        for (size_t i = 0; i < nv; i++) {
            plain_bytes += v[i].len;
        }
        size_t total = plain_bytes + (prefix ? 4 * nv : 0);
        buf_reserve(&c->plain, total);
        uint8_t *dst = (uint8_t *)c->plain.data + c->plain.len;
        for (size_t i = 0; i < nv; i++) {
            if (prefix) {
                floe_store_u32le(dst, v[i].len);
                dst += 4;
            }
            if (v[i].len > 0) {
                memcpy(dst, v[i].ptr, v[i].len);
                dst += v[i].len;
            }
        }
        c->plain.len += total;
        c->plain.data[c->plain.len] = '\0';
    }
    c->page_plain_bytes += plain_bytes + (prefix ? 4 * nv : 0);
}

static void append_segment(pq_col *c, const floe_pq_column *col, size_t from, size_t to,
                           size_t rows, const pq_col_opts *o)
{
    size_t n = to - from;
    size_t values_before = c->page_values;
    const int16_t *def = c->max_def > 0 ? col->def : NULL;
    if (c->max_rep > 0) {
        append_levels(&c->reps, c->n_levels, &c->cap_reps, col->rep + from, n);
    }
    if (def != NULL) {
        append_levels(&c->defs, c->n_levels, &c->cap_defs, def + from, n);
        size_t nulls = 0;
        for (size_t i = from; i < to; i++) {
            nulls += def[i] != c->max_def;
        }
        c->page_nulls += nulls;
        c->page_values += n - nulls;
    } else {
        c->page_values += n;
    }
    if (c->max_def > 0 || c->max_rep > 0) {
        c->n_levels += n;
    }
    c->page_slots += n;
    c->page_rows += rows;
    if (def != NULL && c->page_values == values_before) {
        return; /* only nulls: the batch need not even have a value array */
    }
    switch (c->type) {
    case FLOE_PQ_BOOLEAN:
        values_bool(c, col, def, from, n, o->s);
        break;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        values_32(c, col, def, from, n, o->s, o->w);
        break;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        values_64(c, col, def, from, n, o->s, o->w);
        break;
    case FLOE_PQ_INT96:
    case FLOE_PQ_BYTE_ARRAY:
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        values_bytes(c, col, def, from, n, o->s, o->w);
        break;
    }
}

floe_status pq_col_append(pq_col *c, const floe_pq_column *col, size_t from, size_t to,
                          const pq_col_opts *o)
{
    while (from < to) {
        if (page_full(c, o->w)) {
            floe_status st = pq_col_flush_page(c, o);
            if (st != FLOE_OK) {
                return st;
            }
        }
        size_t rows;
        size_t end = plan_segment(c, col, from, to, o->w, &rows);
        append_segment(c, col, from, end, rows, o);
        from = end;
        if (c->dict_full) {
            floe_status st = pq_col_flush_page(c, o);
            if (st != FLOE_OK) {
                return st;
            }
            c->mode = PQ_MODE_PLAIN;
            c->dict_full = false;
        }
    }
    return FLOE_OK;
}

/* ==== Pages ==== */

/* Re-express the pending page's dictionary indices as PLAIN values. */
static void indices_to_plain(pq_col *c)
{
    const uint8_t *dp = (const uint8_t *)c->dict.plain.data;
    plain_reset(c);
    if (c->width > 0 && c->type != FLOE_PQ_FIXED_LEN_BYTE_ARRAY && c->type != FLOE_PQ_INT96) {
        buf_reserve(&c->plain, c->n_idx * c->width);
        for (size_t i = 0; i < c->n_idx; i++) {
            memcpy(c->plain.data + c->plain.len, dp + (size_t)c->idx[i] * c->width, c->width);
            c->plain.len += c->width;
        }
        c->plain.data[c->plain.len] = '\0';
    } else {
        bool prefix = c->type == FLOE_PQ_BYTE_ARRAY;
        for (size_t i = 0; i < c->n_idx; i++) {
            const pq_dict_entry *e = &c->dict.ents[c->idx[i]];
            if (prefix) {
                uint8_t lenb[4];
                floe_store_u32le(lenb, e->len);
                buf_put(&c->plain, lenb, 4);
            }
            buf_put(&c->plain, dp + e->off, e->len);
        }
    }
    c->n_idx = 0;
}

/* RLE hybrid levels; v1 frames them with a 4-byte little-endian length. */
static size_t encode_levels(const int16_t *lv, size_t n, int bw, bool prefix, floe_buf *out)
{
    size_t at = out->len;
    if (prefix) {
        buf_put(out, "\0\0\0\0", 4);
    }
    floe_pq_rle_encode_i16(lv, n, bw, out);
    size_t len = out->len - at - (prefix ? 4 : 0);
    if (prefix) {
        floe_store_u32le(out->data + at, (uint32_t)len);
    }
    return out->len - at;
}

static floe_status compress_into(const pq_col_opts *o, const void *src, size_t len, floe_buf *out)
{
    floe_buf_reset(out);
    floe_status st = floe_compress(o->codec, o->w->compression_level, src, len, out, o->err);
    if (st != FLOE_OK) {
        return floe_err_wrap(o->err, "compress page");
    }
    return FLOE_OK;
}

static void page_stats(const pq_col *c, pq_scratch *s, floe_pq_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->has_null_count = true;
    st->null_count = (int64_t)c->page_nulls;
    if (c->is_float) {
        st->has_nan_count = true;
        st->nan_count = (int64_t)c->page_nans;
    }
    floe_buf_reset(&s->stat_min);
    floe_buf_reset(&s->stat_max);
    bool min_exact, max_exact;
    if (pq_minmax_plain(c->order, &c->page_mm, PQ_STATS_TRUNCATE, &s->stat_min, &s->stat_max,
                        &min_exact, &max_exact)) {
        st->has_min = st->has_max = true;
        st->min = (floe_str){s->stat_min.data, s->stat_min.len};
        st->max = (floe_str){s->stat_max.data, s->stat_max.len};
        if (!min_exact || !max_exact) {
            st->has_min_exact = st->has_max_exact = true;
            st->min_exact = min_exact;
            st->max_exact = max_exact;
        }
    }
}

static void record_page(pq_col *c, pq_scratch *s, int64_t offset, size_t size)
{
    pq_page_rec *r = floe_vec_push(&c->page_recs);
    r->offset = offset;
    r->size = (int32_t)size;
    r->first_row = c->chunk_rows;
    r->null_count = (int64_t)c->page_nulls;
    r->null_page = c->page_values == 0;
    if (r->null_page) {
        return;
    }
    floe_buf_reset(&s->stat_min);
    floe_buf_reset(&s->stat_max);
    bool min_exact, max_exact;
    if (!pq_minmax_plain(c->order, &c->page_mm, PQ_INDEX_TRUNCATE, &s->stat_min, &s->stat_max,
                         &min_exact, &max_exact)) {
        c->index_valid = false; /* undefined order, or only NaN values */
        return;
    }
    r->min_off = (uint32_t)c->index_bytes.len;
    r->min_len = (uint32_t)s->stat_min.len;
    buf_put(&c->index_bytes, s->stat_min.data, s->stat_min.len);
    r->max_off = (uint32_t)c->index_bytes.len;
    r->max_len = (uint32_t)s->stat_max.len;
    buf_put(&c->index_bytes, s->stat_max.data, s->stat_max.len);
}

floe_status pq_col_flush_page(pq_col *c, const pq_col_opts *o)
{
    if (c->page_slots == 0) {
        return FLOE_OK;
    }
    pq_scratch *s = o->s;
    const floe_pq_write_opts *wo = o->w;
    bool v2 = wo->data_page_v2;

    /* Keep the dictionary only if it pays off on the chunk's first page with values. */
    if (c->mode == PQ_MODE_DICT && !c->dict_decided && c->n_idx > 0) {
        c->dict_decided = true;
        uint64_t cost =
            c->dict.plain.len + ((uint64_t)c->n_idx * (uint64_t)dict_index_width(c) + 7) / 8;
        if (cost >= c->page_plain_bytes && c->n_dict_pages == 0) {
            indices_to_plain(c);
            dict_clear(&c->dict);
            c->mode = PQ_MODE_PLAIN;
            c->dict_full = false;
        }
    }

    /* Levels first: a v1 page compresses levels and values as one block, so they are laid out
     * contiguously (in front of the values) before the codec sees them. */
    floe_buf_reset(&s->levels);
    size_t rep_len = 0, def_len = 0;
    if (c->max_rep > 0) {
        rep_len = encode_levels(c->reps, c->n_levels, c->rep_bw, !v2, &s->levels);
    }
    if (c->max_def > 0) {
        def_len = encode_levels(c->defs, c->n_levels, c->def_bw, !v2, &s->levels);
    }
    size_t lv_len = s->levels.len;
    bool v1_compressed = !v2 && o->codec != FLOE_CODEC_NONE;

    /* Values. A page without values is written PLAIN (empty) even in dictionary mode, so a
     * chunk of nulls needs no dictionary. `block` is [levels][values] for v1_compressed. */
    bool page_dict = c->mode == PQ_MODE_DICT && c->n_idx > 0;
    const uint8_t *vals, *block = NULL;
    size_t vals_len;
    if (page_dict || c->type == FLOE_PQ_BOOLEAN) {
        floe_buf_reset(&s->values);
        if (v1_compressed) {
            buf_put(&s->values, s->levels.data, lv_len);
        }
        size_t at = s->values.len;
        if (page_dict) {
            int bw = dict_index_width(c);
            uint8_t b = (uint8_t)bw;
            buf_put(&s->values, &b, 1);
            floe_pq_rle_encode_u32(c->idx, c->n_idx, bw, &s->values);
        } else {
            size_t n = plain_values_len(c), nbytes = (n + 7) / 8;
            buf_reserve(&s->values, nbytes);
            uint8_t *dst = (uint8_t *)s->values.data + at;
            memset(dst, 0, nbytes);
            const uint8_t *src = (const uint8_t *)c->plain.data + c->plain_off;
            for (size_t i = 0; i < n; i++) {
                dst[i >> 3] |= (uint8_t)(src[i] << (i & 7));
            }
            s->values.len += nbytes;
            s->values.data[s->values.len] = '\0';
        }
        vals = (const uint8_t *)s->values.data + at;
        vals_len = s->values.len - at;
        block = (const uint8_t *)s->values.data;
    } else {
        vals = (const uint8_t *)c->plain.data + c->plain_off;
        vals_len = plain_values_len(c);
        if (v1_compressed && lv_len <= c->plain_off) {
            uint8_t *at = (uint8_t *)c->plain.data + c->plain_off - lv_len;
            if (lv_len > 0) {
                memcpy(at, s->levels.data, lv_len);
            }
            block = at;
        } else if (v1_compressed) {
            /* not enough headroom: copy this once, keep more room for the next pages */
            floe_buf_reset(&s->raw);
            buf_put(&s->raw, s->levels.data, lv_len);
            buf_put(&s->raw, vals, vals_len);
            block = (const uint8_t *)s->raw.data;
            c->headroom = lv_len + lv_len / 2 + 64 < ((size_t)4 << 20) ? lv_len + lv_len / 2 + 64
                                                                       : ((size_t)4 << 20);
        }
    }
    uint64_t uncompressed = (uint64_t)lv_len + vals_len;
    if (uncompressed > INT32_MAX) {
        return floe_err_set(o->err, FLOE_ERR_TOO_BIG,
                            "column '%s': a page of %llu bytes passes the 2 GiB page limit",
                            c->leaf->name, (unsigned long long)uncompressed);
    }
    const uint8_t *body_tail; /* what follows the stored levels in the page */
    size_t tail_len;
    bool is_compressed = o->codec != FLOE_CODEC_NONE;
    floe_status st;
    if (v1_compressed) {
        st = compress_into(o, block, lv_len + vals_len, &s->comp);
        if (st != FLOE_OK) {
            return st;
        }
        floe_buf_reset(&s->levels); /* compressed together with the values */
        body_tail = (const uint8_t *)s->comp.data;
        tail_len = s->comp.len;
    } else if (!v2) {
        body_tail = vals;
        tail_len = vals_len;
    } else {
        /* v2: levels stay uncompressed; an empty value section is stored uncompressed. */
        is_compressed = is_compressed && vals_len > 0;
        if (is_compressed) {
            st = compress_into(o, vals, vals_len, &s->comp);
            if (st != FLOE_OK) {
                return st;
            }
            body_tail = (const uint8_t *)s->comp.data;
            tail_len = s->comp.len;
        } else {
            body_tail = vals;
            tail_len = vals_len;
        }
    }
    uint64_t stored = (uint64_t)s->levels.len + tail_len;
    if (stored > INT32_MAX) {
        return floe_err_set(o->err, FLOE_ERR_TOO_BIG,
                            "column '%s': a compressed page passes the 2 GiB page limit",
                            c->leaf->name);
    }

    floe_pq_page_header h;
    memset(&h, 0, sizeof(h));
    h.type = v2 ? FLOE_PQ_PAGE_DATA_V2 : FLOE_PQ_PAGE_DATA;
    h.uncompressed_size = (int32_t)uncompressed;
    h.compressed_size = (int32_t)stored;
    h.num_values = (int32_t)c->page_slots;
    h.encoding = page_dict ? FLOE_PQ_ENC_RLE_DICTIONARY : FLOE_PQ_ENC_PLAIN;
    h.def_encoding = FLOE_PQ_ENC_RLE;
    h.rep_encoding = FLOE_PQ_ENC_RLE;
    h.num_nulls = (int32_t)c->page_nulls;
    h.num_rows = (int32_t)c->page_rows;
    h.def_len = (int32_t)def_len;
    h.rep_len = (int32_t)rep_len;
    h.is_compressed = is_compressed;
    if (wo->page_statistics && !wo->disable_statistics) {
        h.has_stats = true;
        page_stats(c, s, &h.stats);
    }
    floe_buf_reset(&s->header);
    floe_pq_encode_page_header(&h, &s->header);

    int64_t offset = (int64_t)c->pages.len;
    buf_put(&c->pages, s->header.data, s->header.len);
    buf_put(&c->pages, s->levels.data, s->levels.len);
    buf_put(&c->pages, body_tail, tail_len);
    record_page(c, s, offset, (size_t)((int64_t)c->pages.len - offset));

    c->chunk_uncompressed += (int64_t)(s->header.len + uncompressed);
    c->chunk_slots += (int64_t)c->page_slots;
    c->chunk_nulls += (int64_t)c->page_nulls;
    c->chunk_nans += (int64_t)c->page_nans;
    c->chunk_rows += (int64_t)c->page_rows;
    pq_minmax_merge(c->order, &c->chunk_mm, &c->page_mm);
    if (page_dict) {
        c->n_dict_pages++;
    } else {
        c->n_plain_pages++;
    }

    c->n_levels = 0;
    c->n_idx = 0;
    plain_reset(c);
    c->page_slots = c->page_values = c->page_nulls = c->page_rows = c->page_nans = 0;
    c->page_plain_bytes = 0;
    pq_minmax_reset(&c->page_mm);
    return FLOE_OK;
}

floe_status pq_col_finish_chunk(pq_col *c, const pq_col_opts *o, floe_buf *dict_page,
                                int32_t *dict_uncompressed)
{
    floe_status st = pq_col_flush_page(c, o);
    if (st != FLOE_OK) {
        return st;
    }
    floe_buf_reset(dict_page);
    *dict_uncompressed = 0;
    if (c->n_dict_pages == 0) {
        return FLOE_OK;
    }
    pq_scratch *s = o->s;
    const uint8_t *body = (const uint8_t *)c->dict.plain.data;
    size_t body_len = c->dict.plain.len;
    if (o->codec != FLOE_CODEC_NONE) {
        st = compress_into(o, body, body_len, &s->comp);
        if (st != FLOE_OK) {
            return st;
        }
        body = (const uint8_t *)s->comp.data;
        body_len = s->comp.len;
    }
    if (c->dict.plain.len > INT32_MAX || body_len > INT32_MAX) {
        return floe_err_set(o->err, FLOE_ERR_TOO_BIG,
                            "column '%s': dictionary page passes the 2 GiB page limit",
                            c->leaf->name);
    }
    floe_pq_page_header h;
    memset(&h, 0, sizeof(h));
    h.type = FLOE_PQ_PAGE_DICT;
    h.uncompressed_size = (int32_t)c->dict.plain.len;
    h.compressed_size = (int32_t)body_len;
    h.dict_num_values = (int32_t)c->dict.n;
    h.dict_encoding = FLOE_PQ_ENC_PLAIN;
    floe_pq_encode_page_header(&h, dict_page);
    *dict_uncompressed = (int32_t)(dict_page->len + c->dict.plain.len);
    buf_put(dict_page, body, body_len);
    return FLOE_OK;
}
