/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only Parquet decoding; see pq_testutil.h. Deliberately simple and strict. */
#include "pq_testutil.h"

#include "floe/compress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ==== Thrift compact ==== */

typedef struct rd {
    const uint8_t *p;
    size_t len, pos;
    floe_arena *a;
    int depth;
} rd;

static bool rd_byte(rd *r, uint8_t *b)
{
    if (r->pos >= r->len) {
        return false;
    }
    *b = r->p[r->pos++];
    return true;
}

static bool rd_uvarint(rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!rd_byte(r, &b)) {
            return false;
        }
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool rd_zigzag(rd *r, int64_t *out)
{
    uint64_t u;
    if (!rd_uvarint(r, &u)) {
        return false;
    }
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return true;
}

static bool rd_struct(rd *r, tt_val *out);

static bool rd_value(rd *r, uint8_t type, tt_val *v)
{
    v->type = type;
    switch (type) {
    case FLOE_TC_TRUE:
        v->i = 1;
        return true;
    case FLOE_TC_FALSE:
        v->i = 0;
        return true;
    case FLOE_TC_I8: {
        uint8_t b;
        if (!rd_byte(r, &b)) {
            return false;
        }
        v->i = (int8_t)b;
        return true;
    }
    case FLOE_TC_I16:
    case FLOE_TC_I32:
    case FLOE_TC_I64:
        return rd_zigzag(r, &v->i);
    case FLOE_TC_DOUBLE:
        if (r->len - r->pos < 8) {
            return false;
        }
        memcpy(&v->d, r->p + r->pos, 8);
        r->pos += 8;
        return true;
    case FLOE_TC_BINARY: {
        uint64_t n;
        if (!rd_uvarint(r, &n) || n > r->len - r->pos) {
            return false;
        }
        v->bin = r->p + r->pos;
        v->len = (size_t)n;
        r->pos += (size_t)n;
        return true;
    }
    case FLOE_TC_LIST:
    case FLOE_TC_SET: {
        uint8_t h;
        if (!rd_byte(r, &h)) {
            return false;
        }
        uint64_t n = h >> 4;
        v->elem_type = h & 0x0F;
        if (n == 15 && !rd_uvarint(r, &n)) {
            return false;
        }
        if (n > r->len) {
            return false;
        }
        v->n = (size_t)n;
        v->items = floe_arena_calloc(r->a, n ? n : 1, sizeof(tt_val));
        for (size_t k = 0; k < n; k++) {
            if (v->elem_type == FLOE_TC_TRUE || v->elem_type == FLOE_TC_FALSE) {
                uint8_t b;
                if (!rd_byte(r, &b)) {
                    return false;
                }
                v->items[k].type = FLOE_TC_TRUE;
                v->items[k].i = b == 1;
            } else if (!rd_value(r, v->elem_type, &v->items[k])) {
                return false;
            }
        }
        return true;
    }
    case FLOE_TC_STRUCT:
        return rd_struct(r, v);
    default:
        return false;
    }
}

static bool rd_struct(rd *r, tt_val *out)
{
    if (++r->depth > 64) {
        return false;
    }
    out->type = FLOE_TC_STRUCT;
    size_t cap = 8;
    out->items = floe_arena_calloc(r->a, cap, sizeof(tt_val));
    out->n = 0;
    int16_t last = 0;
    for (;;) {
        uint8_t h;
        if (!rd_byte(r, &h)) {
            return false;
        }
        uint8_t type = h & 0x0F;
        if (type == FLOE_TC_STOP) {
            break;
        }
        int16_t id;
        if (h >> 4) {
            id = (int16_t)(last + (h >> 4));
        } else {
            int64_t z;
            if (!rd_zigzag(r, &z)) {
                return false;
            }
            id = (int16_t)z;
        }
        last = id;
        if (out->n == cap) {
            tt_val *bigger = floe_arena_calloc(r->a, cap * 2, sizeof(tt_val));
            memcpy(bigger, out->items, cap * sizeof(tt_val));
            out->items = bigger;
            cap *= 2;
        }
        tt_val *f = &out->items[out->n++];
        memset(f, 0, sizeof(*f));
        f->id = id;
        if (!rd_value(r, type, f)) {
            return false;
        }
    }
    r->depth--;
    return true;
}

bool tt_parse_struct(const uint8_t *p, size_t len, floe_arena *a, tt_val *out, size_t *used)
{
    rd r = {.p = p, .len = len, .a = a};
    memset(out, 0, sizeof(*out));
    if (!rd_struct(&r, out)) {
        return false;
    }
    if (used != NULL) {
        *used = r.pos;
    }
    return true;
}

const tt_val *tt_get(const tt_val *s, int16_t id)
{
    for (size_t i = 0; s != NULL && i < s->n; i++) {
        if (s->items[i].id == id) {
            return &s->items[i];
        }
    }
    return NULL;
}

int64_t tt_int(const tt_val *s, int16_t id, int64_t dflt)
{
    const tt_val *v = tt_get(s, id);
    return v ? v->i : dflt;
}

/* ==== RLE hybrid ==== */

bool tu_rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n, size_t *used)
{
    rd r = {.p = p, .len = len};
    size_t k = 0;
    size_t vbytes = (size_t)(bw + 7) / 8;
    while (k < n) {
        uint64_t h;
        if (!rd_uvarint(&r, &h)) {
            return false;
        }
        if ((h & 1) == 0) {
            uint64_t count = h >> 1;
            uint32_t v = 0;
            if (count == 0 || r.len - r.pos < vbytes) {
                return false;
            }
            for (size_t b = 0; b < vbytes; b++) {
                v |= (uint32_t)r.p[r.pos++] << (8 * b);
            }
            for (uint64_t c = 0; c < count && k < n; c++) {
                out[k++] = v;
            }
        } else {
            uint64_t count = (h >> 1) * 8;
            size_t bytes = (size_t)((h >> 1) * (uint64_t)bw);
            if (count == 0 || r.len - r.pos < bytes) {
                return false;
            }
            const uint8_t *d = r.p + r.pos;
            for (uint64_t c = 0; c < count; c++) {
                uint64_t bit = c * (uint64_t)bw;
                uint32_t v = 0;
                for (int b = 0; b < bw; b++) {
                    uint64_t at = bit + (uint64_t)b;
                    v |= (uint32_t)((d[at / 8] >> (at % 8)) & 1) << b;
                }
                if (k < n) {
                    out[k++] = v;
                }
            }
            r.pos += bytes;
        }
    }
    if (used != NULL) {
        *used = r.pos;
    }
    return true;
}

/* ==== Files ==== */

bool tu_file_parse(const uint8_t *data, size_t len, floe_arena *a, tu_file *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 12 || memcmp(data, "PAR1", 4) != 0 || memcmp(data + len - 4, "PAR1", 4) != 0) {
        return false;
    }
    uint32_t flen = floe_load_u32le(data + len - 8);
    if (flen > len - 12) {
        return false;
    }
    out->data = data;
    out->len = len;
    out->footer_len = flen;
    size_t used;
    return tt_parse_struct(data + len - 8 - flen, flen, a, &out->meta, &used) && used == flen;
}

const tt_val *tu_row_group(const tu_file *f, size_t rg)
{
    const tt_val *rgs = tt_get(&f->meta, 4);
    return rgs && rg < rgs->n ? &rgs->items[rg] : NULL;
}

const tt_val *tu_chunk_meta(const tu_file *f, size_t rg, size_t col)
{
    const tt_val *g = tu_row_group(f, rg);
    const tt_val *cols = tt_get(g, 1);
    if (cols == NULL || col >= cols->n) {
        return NULL;
    }
    return tt_get(&cols->items[col], 3);
}

static bool fail(char *why, size_t why_len, const char *fmt, ...) FLOE_PRINTF(3, 4);
static bool fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return false;
}

/* PLAIN values of one page, appended to the output at value index *k. */
static bool plain_values(const uint8_t *p, size_t len, size_t nv, floe_pq_type type, int tlen,
                         tu_column *o, size_t *k)
{
    size_t pos = 0;
    for (size_t i = 0; i < nv; i++, (*k)++) {
        switch (type) {
        case FLOE_PQ_BOOLEAN:
            if (i / 8 >= len) {
                return false;
            }
            o->ints[*k] = (p[i / 8] >> (i % 8)) & 1;
            break;
        case FLOE_PQ_INT32:
            if (pos + 4 > len) {
                return false;
            }
            o->ints[*k] = (int32_t)floe_load_u32le(p + pos);
            pos += 4;
            break;
        case FLOE_PQ_INT64:
            if (pos + 8 > len) {
                return false;
            }
            o->ints[*k] = (int64_t)floe_load_u64le(p + pos);
            pos += 8;
            break;
        case FLOE_PQ_FLOAT: {
            if (pos + 4 > len) {
                return false;
            }
            float f;
            uint32_t bits = floe_load_u32le(p + pos);
            memcpy(&f, &bits, 4);
            o->dbls[*k] = f;
            pos += 4;
            break;
        }
        case FLOE_PQ_DOUBLE: {
            if (pos + 8 > len) {
                return false;
            }
            uint64_t bits = floe_load_u64le(p + pos);
            memcpy(&o->dbls[*k], &bits, 8);
            pos += 8;
            break;
        }
        case FLOE_PQ_BYTE_ARRAY: {
            if (pos + 4 > len) {
                return false;
            }
            uint32_t l = floe_load_u32le(p + pos);
            pos += 4;
            if (l > len - pos) {
                return false;
            }
            o->bytes[*k] = (floe_str){(const char *)p + pos, l};
            pos += l;
            break;
        }
        case FLOE_PQ_INT96:
        case FLOE_PQ_FIXED_LEN_BYTE_ARRAY: {
            size_t w = type == FLOE_PQ_INT96 ? 12 : (size_t)tlen;
            if (pos + w > len) {
                return false;
            }
            o->bytes[*k] = (floe_str){(const char *)p + pos, w};
            pos += w;
            break;
        }
        }
    }
    return type == FLOE_PQ_BOOLEAN ? (nv + 7) / 8 <= len : pos == len;
}

static int bw_of(int max)
{
    int w = 0;
    while (max) {
        w++;
        max >>= 1;
    }
    return w;
}

static floe_codec codec_of(int64_t c)
{
    floe_codec out = FLOE_CODEC_NONE;
    floe_pq_codec_to_floe((floe_pq_codec)c, &out, NULL);
    return out;
}

bool tu_read_chunk(const tu_file *f, size_t rg, size_t col, floe_pq_type type, int type_length,
                   int max_def, int max_rep, floe_arena *a, tu_column *out, char *why,
                   size_t why_len)
{
    memset(out, 0, sizeof(*out));
    const tt_val *cm = tu_chunk_meta(f, rg, col);
    if (cm == NULL) {
        return fail(why, why_len, "no column chunk %zu/%zu", rg, col);
    }
    int64_t num_values = tt_int(cm, 5, -1);
    int64_t total = tt_int(cm, 7, -1);
    int64_t start = tt_int(cm, 9, -1);
    const tt_val *dpo = tt_get(cm, 11);
    if (dpo != NULL) {
        if (dpo->i >= start) {
            return fail(why, why_len, "dictionary page offset %lld after data page %lld",
                        (long long)dpo->i, (long long)start);
        }
        start = dpo->i;
    }
    floe_codec codec = codec_of(tt_int(cm, 4, 0));
    if (start < 4 || total < 0 || (uint64_t)(start + total) > f->len) {
        return fail(why, why_len, "chunk range %lld+%lld", (long long)start, (long long)total);
    }
    size_t n = (size_t)num_values;
    out->def = floe_arena_calloc(a, n + 1, sizeof(int16_t));
    out->rep = floe_arena_calloc(a, n + 1, sizeof(int16_t));
    out->ints = floe_arena_calloc(a, n + 1, sizeof(int64_t));
    out->dbls = floe_arena_calloc(a, n + 1, sizeof(double));
    out->bytes = floe_arena_calloc(a, n + 1, sizeof(floe_str));
    size_t maxp = n + 2;
    out->page_encoding = floe_arena_calloc(a, maxp, sizeof(int32_t));
    out->page_type = floe_arena_calloc(a, maxp, sizeof(int32_t));
    out->page_values = floe_arena_calloc(a, maxp, sizeof(int32_t));
    out->page_offset = floe_arena_calloc(a, maxp, sizeof(int64_t));
    out->page_size = floe_arena_calloc(a, maxp, sizeof(int32_t));
    tu_column dict = {0};
    size_t pos = (size_t)start, end = (size_t)(start + total), k = 0;
    uint32_t *idx = floe_arena_calloc(a, n + 1, sizeof(uint32_t));
    while (pos < end) {
        tt_val h;
        size_t hl;
        if (!tt_parse_struct(f->data + pos, end - pos, a, &h, &hl)) {
            return fail(why, why_len, "bad page header at %zu", pos);
        }
        int64_t ptype = tt_int(&h, 1, -1), usize = tt_int(&h, 2, -1), csize = tt_int(&h, 3, -1);
        if (usize < 0 || csize < 0 || (size_t)csize > end - pos - hl) {
            return fail(why, why_len, "bad page sizes at %zu", pos);
        }
        const uint8_t *body = f->data + pos + hl;
        floe_buf ub;
        floe_buf_init(&ub, 0);
        if (ptype == FLOE_PQ_PAGE_DICT) {
            const tt_val *dh = tt_get(&h, 7);
            uint32_t dn = (uint32_t)tt_int(dh, 1, 0);
            floe_buf_reserve(&ub, (size_t)usize, NULL);
            if (floe_decompress(codec, body, (size_t)csize, ub.data, (size_t)usize, NULL) !=
                FLOE_OK) {
                floe_buf_fini(&ub);
                return fail(why, why_len, "dictionary page does not decompress");
            }
            dict.ints = floe_arena_calloc(a, dn + 1, sizeof(int64_t));
            dict.dbls = floe_arena_calloc(a, dn + 1, sizeof(double));
            dict.bytes = floe_arena_calloc(a, dn + 1, sizeof(floe_str));
            uint8_t *copy = floe_arena_memdup(a, ub.data, (size_t)usize + 1);
            size_t dk = 0;
            bool ok = plain_values(copy, (size_t)usize, dn, type, type_length, &dict, &dk);
            floe_buf_fini(&ub);
            if (!ok || out->n_pages != 0) {
                return fail(why, why_len, "bad dictionary page");
            }
            out->has_dict = true;
            out->dict_n = dn;
            pos += hl + (size_t)csize;
            continue;
        }
        bool v2 = ptype == FLOE_PQ_PAGE_DATA_V2;
        if (ptype != FLOE_PQ_PAGE_DATA && !v2) {
            return fail(why, why_len, "unexpected page type %lld", (long long)ptype);
        }
        const tt_val *dh = tt_get(&h, v2 ? 8 : 5);
        size_t nv = (size_t)tt_int(dh, 1, 0);
        int32_t enc = (int32_t)tt_int(dh, v2 ? 4 : 2, -1);
        if (k + nv > n) {
            return fail(why, why_len, "pages hold more than num_values %zu", n);
        }
        /* Uncompressed body: levels then values. */
        size_t rep_len = 0, def_len = 0;
        const uint8_t *levels;
        const uint8_t *vals;
        size_t vals_len;
        floe_buf_reserve(&ub, (size_t)usize, NULL);
        if (!v2) {
            if (floe_decompress(codec, body, (size_t)csize, ub.data, (size_t)usize, NULL) !=
                FLOE_OK) {
                floe_buf_fini(&ub);
                return fail(why, why_len, "data page does not decompress");
            }
            uint8_t *u = floe_arena_memdup(a, ub.data, (size_t)usize + 1);
            size_t off = 0;
            levels = u;
            if (max_rep > 0) {
                rep_len = 4 + floe_load_u32le(u + off);
                off += rep_len;
            }
            if (max_def > 0) {
                def_len = 4 + floe_load_u32le(u + off);
                off += def_len;
            }
            vals = u + off;
            vals_len = (size_t)usize - off;
        } else {
            rep_len = (size_t)tt_int(dh, 6, 0);
            def_len = (size_t)tt_int(dh, 5, 0);
            bool compressed = tt_int(dh, 7, 1) != 0;
            levels = body;
            size_t lv = rep_len + def_len;
            size_t vu = (size_t)usize - lv, vc = (size_t)csize - lv;
            if (compressed) {
                if (floe_decompress(codec, body + lv, vc, ub.data, vu, NULL) != FLOE_OK) {
                    floe_buf_fini(&ub);
                    return fail(why, why_len, "v2 values do not decompress");
                }
                vals = floe_arena_memdup(a, ub.data, vu + 1);
            } else {
                vals = body + lv;
            }
            vals_len = vu;
        }
        floe_buf_fini(&ub);
        uint32_t *lv32 = floe_arena_calloc(a, nv + 1, sizeof(uint32_t));
        const uint8_t *lp = levels;
        if (max_rep > 0) {
            size_t skip = v2 ? 0 : 4;
            if (!tu_rle_decode(lp + skip, rep_len - skip, bw_of(max_rep), lv32, nv, NULL)) {
                return fail(why, why_len, "bad repetition levels");
            }
            for (size_t i = 0; i < nv; i++) {
                out->rep[k + i] = (int16_t)lv32[i];
            }
            lp += rep_len;
        }
        size_t non_null = nv;
        if (max_def > 0) {
            size_t skip = v2 ? 0 : 4;
            if (!tu_rle_decode(lp + skip, def_len - skip, bw_of(max_def), lv32, nv, NULL)) {
                return fail(why, why_len, "bad definition levels");
            }
            non_null = 0;
            for (size_t i = 0; i < nv; i++) {
                out->def[k + i] = (int16_t)lv32[i];
                non_null += lv32[i] == (uint32_t)max_def;
            }
        }
        size_t vk = out->n_values;
        if (enc == FLOE_PQ_ENC_RLE_DICTIONARY || enc == FLOE_PQ_ENC_PLAIN_DICTIONARY) {
            if (!out->has_dict || vals_len < 1) {
                return fail(why, why_len, "dictionary-encoded page without dictionary");
            }
            if (!tu_rle_decode(vals + 1, vals_len - 1, vals[0], idx, non_null, NULL)) {
                return fail(why, why_len, "bad dictionary indices");
            }
            for (size_t i = 0; i < non_null; i++) {
                if (idx[i] >= out->dict_n) {
                    return fail(why, why_len, "dictionary index %u of %u", idx[i], out->dict_n);
                }
                out->ints[vk + i] = dict.ints[idx[i]];
                out->dbls[vk + i] = dict.dbls[idx[i]];
                out->bytes[vk + i] = dict.bytes[idx[i]];
            }
        } else if (enc == FLOE_PQ_ENC_PLAIN) {
            size_t kk = vk;
            if (!plain_values(vals, vals_len, non_null, type, type_length, out, &kk)) {
                return fail(why, why_len, "bad PLAIN values in page %zu", out->n_pages);
            }
        } else {
            return fail(why, why_len, "unexpected encoding %d", enc);
        }
        out->page_encoding[out->n_pages] = enc;
        out->page_type[out->n_pages] = (int32_t)ptype;
        out->page_values[out->n_pages] = (int32_t)nv;
        out->page_offset[out->n_pages] = (int64_t)pos;
        out->page_size[out->n_pages] = (int32_t)(hl + (size_t)csize);
        out->n_pages++;
        out->n_values += non_null;
        k += nv;
        pos += hl + (size_t)csize;
    }
    if (k != n) {
        return fail(why, why_len, "pages hold %zu values, num_values %zu", k, n);
    }
    out->n = n;
    return true;
}

/* ==== Building schemas and writing files ==== */

#include "floe_test.h"

floe_pq_node *tu_leaf(floe_arena *a, const char *name, floe_pq_repetition rep, floe_pq_type type,
                      int32_t type_length, floe_pq_logical lt, int32_t field_id)
{
    floe_pq_node *n = floe_arena_calloc(a, 1, sizeof(*n));
    n->name = floe_arena_strdup(a, name);
    n->repetition = rep;
    n->is_leaf = true;
    n->type = type;
    n->type_length = type_length;
    n->logical = lt;
    n->converted_type = -1;
    n->has_field_id = field_id >= 0;
    n->field_id = field_id;
    return n;
}

floe_pq_node *tu_group(floe_arena *a, const char *name, floe_pq_repetition rep,
                       floe_pq_logical_kind kind, int32_t field_id, size_t n, ...)
{
    floe_pq_node *g = floe_arena_calloc(a, 1, sizeof(*g));
    g->name = floe_arena_strdup(a, name);
    g->repetition = rep;
    g->logical.kind = kind;
    g->converted_type = -1;
    g->has_field_id = field_id >= 0;
    g->field_id = field_id;
    g->children = floe_arena_calloc(a, n, sizeof(floe_pq_node *));
    g->n_children = n;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        g->children[i] = va_arg(ap, floe_pq_node *);
    }
    va_end(ap);
    return g;
}

floe_pq_schema tu_schema(floe_arena *a, size_t n, ...)
{
    floe_pq_node *root = floe_arena_calloc(a, 1, sizeof(*root));
    root->name = "schema";
    root->converted_type = -1;
    root->children = floe_arena_calloc(a, n, sizeof(floe_pq_node *));
    root->n_children = n;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        root->children[i] = va_arg(ap, floe_pq_node *);
    }
    va_end(ap);
    floe_pq_schema s = {.root = root};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_schema_finish(&s, a, &err), &err);
    return s;
}

void tu_writer_open(tu_writer *tw, const char *path, const floe_pq_schema *s,
                    const floe_pq_write_opts *o)
{
    floe_err err = {0};
    memset(tw, 0, sizeof(*tw));
    floe_local_io_opts lo = {.no_sync = true};
    tw->io = floe_fileio_local_new(&lo);
    tw->path = path;
    FLOE_ASSERT_OK(floe_io_create(tw->io, path, FLOE_IO_CREATE_OVERWRITE, &tw->out, &err), &err);
    FLOE_ASSERT_OK(floe_pq_writer_new(tw->out, s, o, &tw->w, &err), &err);
}

void tu_writer_write(tu_writer *tw, const floe_pq_batch *b)
{
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_writer_write(tw->w, b, &err), &err);
}

uint8_t *tu_writer_close(tu_writer *tw, floe_pq_write_result *res, size_t *len)
{
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_writer_close(tw->w, res, &err), &err);
    FLOE_ASSERT_OK(floe_output_commit(tw->out, &err), &err);
    tw->out = NULL;
    return (uint8_t *)floe_test_read_file(tw->path, len);
}

void tu_writer_free(tu_writer *tw)
{
    floe_pq_writer_free(tw->w);
    if (tw->out != NULL) {
        floe_output_abort(tw->out);
    }
    floe_fileio_free(tw->io);
    memset(tw, 0, sizeof(*tw));
}
