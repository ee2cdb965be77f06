/* SPDX-License-Identifier: Apache-2.0 */
/* Test-side Thrift compact writer and one-column Parquet file builder (see pq_build.h). */
#include "pq_build.h"

#include <string.h>

void tc_init(tc *w, floe_buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
}

void tc_byte(tc *w, uint8_t v)
{
    floe_buf_append_byte(w->b, v, NULL);
}

void tc_uvarint(tc *w, uint64_t v)
{
    while (v >= 0x80) {
        tc_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    tc_byte(w, (uint8_t)v);
}

void tc_zigzag(tc *w, int64_t v)
{
    tc_uvarint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void tc_field_hdr(tc *w, int16_t id, uint8_t type, bool force_long)
{
    int16_t *last = &w->last[w->depth];
    int delta = id - *last;
    if (!force_long && delta > 0 && delta <= 15) {
        tc_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        tc_byte(w, type);
        tc_zigzag(w, id);
    }
    *last = id;
}

void tc_struct_begin(tc *w, int16_t id)
{
    if (id != 0) {
        tc_field_hdr(w, id, 12, false);
    }
    w->depth++;
    w->last[w->depth] = 0;
}

void tc_struct_end(tc *w)
{
    tc_byte(w, 0);
    w->depth--;
}

void tc_i32(tc *w, int16_t id, int32_t v)
{
    tc_field_hdr(w, id, 5, false);
    tc_zigzag(w, v);
}

void tc_i64(tc *w, int16_t id, int64_t v)
{
    tc_field_hdr(w, id, 6, false);
    tc_zigzag(w, v);
}

void tc_bool(tc *w, int16_t id, bool v)
{
    tc_field_hdr(w, id, v ? 1 : 2, false);
}

void tc_bin(tc *w, int16_t id, const void *p, size_t len)
{
    tc_field_hdr(w, id, 8, false);
    tc_elem_bin(w, p, len);
}

void tc_str(tc *w, int16_t id, const char *s)
{
    tc_bin(w, id, s, strlen(s));
}

void tc_list(tc *w, int16_t id, uint8_t elem_type, uint32_t n)
{
    tc_field_hdr(w, id, 9, false);
    if (n < 15) {
        tc_byte(w, (uint8_t)(n << 4 | elem_type));
    } else {
        tc_byte(w, (uint8_t)(0xf0 | elem_type));
        tc_uvarint(w, n);
    }
}

void tc_elem_i32(tc *w, int32_t v)
{
    tc_zigzag(w, v);
}

void tc_elem_bin(tc *w, const void *p, size_t len)
{
    tc_uvarint(w, len);
    floe_buf_append(w->b, p, len, NULL);
}

/* ==== Reference encoders ==== */

void pq_pack_lsb(const uint64_t *v, size_t n, int w, floe_buf *out)
{
    size_t nbytes = (n * (size_t)w + 7) / 8;
    size_t start = out->len;
    for (size_t i = 0; i < nbytes; i++) {
        floe_buf_append_byte(out, 0, NULL);
    }
    uint8_t *p = (uint8_t *)out->data + start;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < w; k++) {
            if ((v[i] >> k) & 1) {
                size_t bit = i * (size_t)w + (size_t)k;
                p[bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
        }
    }
}

static int bits_of(uint64_t x)
{
    int w = 0;
    while (x != 0) {
        w++;
        x >>= 1;
    }
    return w;
}

void pq_dbp_encode(const int64_t *v, size_t n, floe_buf *out)
{
    tc w;
    tc_init(&w, out);
    tc_uvarint(&w, 128);
    tc_uvarint(&w, 4);
    tc_uvarint(&w, n);
    tc_zigzag(&w, n > 0 ? v[0] : 0);
    for (size_t start = 1; start < n; start += 128) {
        size_t cnt = n - start < 128 ? n - start : 128;
        uint64_t rel[128] = {0};
        int64_t min = INT64_MAX;
        for (size_t i = 0; i < cnt; i++) {
            int64_t d = (int64_t)((uint64_t)v[start + i] - (uint64_t)v[start + i - 1]);
            min = d < min ? d : min;
        }
        for (size_t i = 0; i < cnt; i++) {
            uint64_t d = (uint64_t)v[start + i] - (uint64_t)v[start + i - 1];
            rel[i] = d - (uint64_t)min;
        }
        tc_zigzag(&w, min);
        int widths[4] = {0};
        size_t used = (cnt + 31) / 32;
        for (size_t m = 0; m < used; m++) {
            for (size_t i = m * 32; i < m * 32 + 32; i++) {
                int b = bits_of(rel[i]);
                widths[m] = b > widths[m] ? b : widths[m];
            }
        }
        for (int m = 0; m < 4; m++) {
            tc_byte(&w, (uint8_t)widths[m]);
        }
        for (size_t m = 0; m < used; m++) {
            pq_pack_lsb(rel + m * 32, 32, widths[m], out);
        }
    }
}

/* ==== Files ==== */

static void page_header(const pq_page *p, floe_buf *out)
{
    tc w;
    tc_init(&w, out);
    int32_t comp = p->compressed == 0 ? (int32_t)p->len : p->compressed < 0 ? 0 : p->compressed;
    int32_t uncomp = p->uncompressed == 0 ? (int32_t)p->len : p->uncompressed;
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, p->type);
    tc_i32(&w, 2, uncomp);
    tc_i32(&w, 3, comp);
    if (p->has_crc) {
        tc_i32(&w, 4, (int32_t)p->crc);
    }
    if (p->type == 0) {
        tc_struct_begin(&w, 5);
        tc_i32(&w, 1, p->num_values);
        tc_i32(&w, 2, p->encoding);
        tc_i32(&w, 3, p->def_encoding ? p->def_encoding : 3);
        tc_i32(&w, 4, p->rep_encoding ? p->rep_encoding : 3);
        tc_struct_end(&w);
    } else if (p->type == 2) {
        tc_struct_begin(&w, 7);
        tc_i32(&w, 1, p->num_values);
        tc_i32(&w, 2, p->encoding);
        tc_struct_end(&w);
    } else if (p->type == 3) {
        tc_struct_begin(&w, 8);
        tc_i32(&w, 1, p->num_values);
        tc_i32(&w, 2, p->num_nulls);
        tc_i32(&w, 3, p->num_rows);
        tc_i32(&w, 4, p->encoding);
        tc_i32(&w, 5, p->def_len);
        tc_i32(&w, 6, p->rep_len);
        if (p->not_compressed) {
            tc_bool(&w, 7, false);
        }
        tc_struct_end(&w);
    }
    tc_struct_end(&w);
}

static size_t pages_size(const pq_spec *s)
{
    floe_buf tmp;
    floe_buf_init(&tmp, 0);
    size_t n = 0;
    for (size_t i = 0; i < s->n_pages; i++) {
        floe_buf_reset(&tmp);
        page_header(&s->pages[i], &tmp);
        n += tmp.len + s->pages[i].len;
    }
    floe_buf_fini(&tmp);
    return n;
}

static void schema_leaf(tc *w, const pq_spec *s, const char *name, int32_t repetition)
{
    tc_struct_begin(w, 0);
    tc_i32(w, 1, s->type);
    if (s->type_length > 0) {
        tc_i32(w, 2, s->type_length);
    }
    tc_i32(w, 3, repetition);
    tc_str(w, 4, name);
    if (s->converted >= 0) {
        tc_i32(w, 6, s->converted);
        if (s->converted == 5) {
            tc_i32(w, 7, s->scale);
            tc_i32(w, 8, s->precision);
        }
    }
    tc_i32(w, 9, 7); /* field id */
    tc_struct_end(w);
}

void pq_build_footer(const pq_spec *s, floe_buf *out)
{
    size_t psize = pages_size(s);
    int64_t num_values = 0;
    for (size_t i = 0; i < s->n_pages; i++) {
        if (s->pages[i].type != 2 && s->pages[i].num_values > 0) {
            num_values += s->pages[i].num_values;
        }
    }
    tc w;
    tc_init(&w, out);
    tc_struct_begin(&w, 0);
    tc_i32(&w, 1, 1);
    tc_list(&w, 2, 12, s->list ? 4 : 2);
    tc_struct_begin(&w, 0);
    tc_str(&w, 4, "schema");
    tc_i32(&w, 5, 1);
    tc_struct_end(&w);
    if (s->list) {
        tc_struct_begin(&w, 0);
        tc_i32(&w, 3, 1);
        tc_str(&w, 4, "x");
        tc_i32(&w, 5, 1);
        tc_i32(&w, 6, 3); /* LIST */
        tc_struct_end(&w);
        tc_struct_begin(&w, 0);
        tc_i32(&w, 3, 2);
        tc_str(&w, 4, "list");
        tc_i32(&w, 5, 1);
        tc_struct_end(&w);
        schema_leaf(&w, s, "element", s->repetition);
    } else {
        schema_leaf(&w, s, "x", s->repetition);
    }
    int groups = s->n_row_groups > 1 ? s->n_row_groups : 1;
    tc_i64(&w, 3, s->num_rows * groups);
    tc_list(&w, 4, 12, (uint32_t)groups);
    for (int g = 0; g < groups; g++) {
        tc_struct_begin(&w, 0); /* RowGroup */
        tc_list(&w, 1, 12, 1);
        tc_struct_begin(&w, 0); /* ColumnChunk */
        tc_i64(&w, 2, 0);
        tc_struct_begin(&w, 3); /* ColumnMetaData */
        tc_i32(&w, 1, s->type);
        tc_list(&w, 2, 5, 1);
        tc_elem_i32(&w, 0);
        if (s->list) {
            tc_list(&w, 3, 8, 3);
            tc_elem_bin(&w, "x", 1);
            tc_elem_bin(&w, "list", 4);
            tc_elem_bin(&w, "element", 7);
        } else {
            tc_list(&w, 3, 8, 1);
            tc_elem_bin(&w, "x", 1);
        }
        tc_i32(&w, 4, s->codec);
        tc_i64(&w, 5, num_values);
        tc_i64(&w, 6, (int64_t)psize);
        tc_i64(&w, 7, (int64_t)psize);
        tc_i64(&w, 9, 4 + (int64_t)psize * g);
        tc_struct_end(&w);
        tc_struct_end(&w);
        tc_i64(&w, 2, (int64_t)psize);
        tc_i64(&w, 3, s->num_rows);
        tc_struct_end(&w);
    }
    tc_str(&w, 6, "floe test builder");
    tc_struct_end(&w);
}

void pq_build(const pq_spec *s, floe_buf *out)
{
    floe_buf_append(out, "PAR1", 4, NULL);
    int groups = s->n_row_groups > 1 ? s->n_row_groups : 1;
    for (int g = 0; g < groups; g++) {
        for (size_t i = 0; i < s->n_pages; i++) {
            page_header(&s->pages[i], out);
            if (s->pages[i].len > 0) {
                floe_buf_append(out, s->pages[i].body, s->pages[i].len, NULL);
            }
        }
    }
    size_t start = out->len;
    pq_build_footer(s, out);
    uint8_t len[4];
    floe_store_u32le(len, (uint32_t)(out->len - start));
    floe_buf_append(out, len, 4, NULL);
    floe_buf_append(out, "PAR1", 4, NULL);
}

/* ==== Reading back ==== */

floe_status pq_read_json(const char *path, const floe_pq_read_opts *opts, floe_buf *out,
                         size_t *rows, floe_err *err)
{
    *rows = 0;
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r = NULL;
    floe_status st = floe_pq_reader_open(io, path, opts, &r, err);
    floe_pq_scan *scan = NULL;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    if (st == FLOE_OK) {
        st = floe_pq_scan_new(r, NULL, &scan, err);
    }
    while (st == FLOE_OK) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        const floe_pq_node *root = floe_pq_reader_schema(r)->root;
        floe_arena_reset(a);
        floe_pq_assembler *as;
        st = floe_pq_assembler_new(b, (const floe_pq_node *const *)root->children, root->n_children,
                                   a, &as, err);
        for (size_t i = 0; st == FLOE_OK && i < b->n_rows; i++) {
            floe_value v;
            st = floe_pq_assembler_next(as, &v, err);
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v, out, err);
                floe_buf_append_byte(out, '\n', NULL);
                (*rows)++;
            }
        }
    }
    floe_pq_scan_free(scan);
    floe_arena_free(a);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
    return st;
}
