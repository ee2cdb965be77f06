/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Row-group stitching: floe_pq_writer_append_row_group copies a row group of another file into
 * the file being written, byte for byte, without decoding a page. Pages address nothing outside
 * themselves (no offsets inside page headers), so only the column chunk metadata changes: every
 * offset in it moves by the distance between the chunk's old and new start. Statistics are kept
 * (and feed the writer's metrics); the page index and bloom filters stay behind, since they live
 * elsewhere in the source file.
 *
 * Everything that could make the copy wrong is checked before the first byte is written: the
 * schemas match, every chunk lies inside the source file, and the statistics give the counts the
 * metrics need. A failure while copying leaves the writer failed (the output must be aborted).
 */
#include "writer_int.h"

#include <stdlib.h>
#include <string.h>

#define COPY_BUF ((size_t)1 << 20)

/* Where a chunk starts: its dictionary page when the offset is plausible, else its first data
 * page (some writers store 0 or a wrong dictionary offset; see iceberg-parquet.md 3.11). */
static int64_t chunk_start(const floe_pq_column_chunk *cc)
{
    if (cc->has_dictionary_page_offset && cc->dictionary_page_offset > 0 &&
        cc->dictionary_page_offset < cc->data_page_offset) {
        return cc->dictionary_page_offset;
    }
    return cc->data_page_offset;
}

static const char *dup_str(floe_arena *a, const char *s)
{
    return s ? floe_arena_strdup(a, s) : NULL;
}

static floe_str dup_bytes(floe_arena *a, floe_str s)
{
    if (s.len == 0) {
        return (floe_str){"", 0};
    }
    return (floe_str){floe_arena_memdup(a, s.ptr, s.len), s.len};
}

/* An arena copy of n elements (a zeroed element when there are none). */
static void *dup_array(floe_arena *a, const void *p, size_t n, size_t size)
{
    return n > 0 && p != NULL ? floe_arena_memdup(a, p, n * size) : floe_arena_calloc(a, 1, size);
}

/* Deep copy of a chunk's metadata into the writer's arena. */
static void copy_chunk(floe_arena *a, const floe_pq_column_chunk *src, floe_pq_column_chunk *dst)
{
    *dst = *src;
    dst->file_path = NULL;
    dst->encodings = dup_array(a, src->encodings, src->n_encodings, sizeof(int32_t));
    dst->path_in_schema = floe_arena_calloc(a, src->n_path + 1, sizeof(char *));
    for (size_t i = 0; dst->path_in_schema != NULL && i < src->n_path; i++) {
        dst->path_in_schema[i] = dup_str(a, src->path_in_schema[i]);
    }
    dst->kv = floe_arena_calloc(a, src->n_kv + 1, sizeof(floe_pq_kv));
    for (size_t i = 0; dst->kv != NULL && i < src->n_kv; i++) {
        dst->kv[i].key = dup_str(a, src->kv[i].key);
        dst->kv[i].value = dup_str(a, src->kv[i].value);
    }
    dst->stats.min = dup_bytes(a, src->stats.min);
    dst->stats.max = dup_bytes(a, src->stats.max);
    dst->encoding_stats = dup_array(a, src->encoding_stats, src->n_encoding_stats,
                                    sizeof(floe_pq_page_encoding_stats));
}

/* Fold a copied chunk's counts and bounds into the writer's per-leaf metrics. */
static void add_metrics(pq_col *c, const floe_pq_column_chunk *cc, bool bounds_usable)
{
    c->file_values += cc->num_values;
    c->file_nulls += cc->stats.has_null_count ? cc->stats.null_count : 0;
    c->file_compressed += (uint64_t)cc->total_compressed_size;
    if (c->is_float) {
        if (cc->has_stats && cc->stats.has_nan_count) {
            c->file_nans += cc->stats.nan_count;
        } else {
            c->nan_unknown = true;
        }
    }
    int64_t non_null = cc->num_values - (cc->stats.has_null_count ? cc->stats.null_count : 0);
    if (non_null <= 0) {
        return; /* no values: nothing to bound */
    }
    pq_minmax mm;
    pq_minmax_init(&mm);
    bool ok = bounds_usable && cc->has_stats && cc->stats.has_min && cc->stats.has_max &&
              (!cc->stats.legacy_minmax || !pq_order_is_bytes(c->order)) &&
              pq_minmax_from_plain(c->order, c->leaf, cc->stats.min, cc->stats.max, &mm);
    if (ok) {
        pq_minmax_merge(c->order, &c->file_mm, &mm);
    } else if (!(c->is_float && cc->has_stats && cc->stats.has_nan_count &&
                 cc->stats.nan_count == non_null)) {
        c->bounds_unknown = true; /* values whose bounds this chunk does not say */
    }
    pq_minmax_fini(&mm);
}

floe_status floe_pq_writer_append_row_group(floe_pq_writer *w, floe_pq_reader *r, size_t rg,
                                            floe_err *err)
{
    const floe_pq_file_meta *m = floe_pq_reader_meta(r);
    const floe_pq_schema *ws = pq_writer_schema(w);
    if (rg >= m->n_row_groups) {
        return floe_err_set(err, FLOE_ERR_INVALID, "row group %zu of a file with %zu", rg,
                            m->n_row_groups);
    }
    floe_status st = floe_pq_schema_same(ws, &m->schema, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "stitch row group %zu: schemas differ", rg);
    }
    const floe_pq_row_group *src = &m->row_groups[rg];
    size_t n = ws->n_leaves;
    if (src->n_columns != n) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "row group %zu has %zu column chunks for %zu "
                            "leaves",
                            rg, src->n_columns, n);
    }
    uint64_t fsize = floe_pq_reader_file_size(r);
    for (size_t i = 0; i < n; i++) {
        const floe_pq_column_chunk *cc = &src->columns[i];
        const char *name = ws->leaves[i]->name;
        if (cc->file_path != NULL) {
            return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                                "row group %zu column '%s' lives in another file (%s)", rg, name,
                                cc->file_path);
        }
        int64_t start = chunk_start(cc);
        if (start < 4 || cc->total_compressed_size <= 0 ||
            (uint64_t)start + (uint64_t)cc->total_compressed_size > fsize - 8) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "row group %zu column '%s': chunk at %lld+%lld outside the file",
                                rg, name, (long long)start, (long long)cc->total_compressed_size);
        }
        if (ws->leaves[i]->max_def > 0 && !(cc->has_stats && cc->stats.has_null_count)) {
            return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                                "row group %zu column '%s' has no null count, which the metrics "
                                "need; rewrite it instead of stitching",
                                rg, name);
        }
    }
    st = pq_writer_begin_stitch(w, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = pq_writer_arena(w);
    floe_input *in = floe_pq_reader_input(r);
    floe_pq_row_group out;
    memset(&out, 0, sizeof(out));
    out.columns = floe_arena_calloc(a, n, sizeof(floe_pq_column_chunk));
    if (out.columns == NULL) {
        pq_writer_fail(w);
        return floe_arena_check(a, err);
    }
    out.n_columns = n;
    out.num_rows = src->num_rows;
    out.total_byte_size = src->total_byte_size;
    out.has_file_offset = true;
    out.file_offset = (int64_t)pq_writer_offset(w);
    out.has_total_compressed_size = true;
    if (src->n_sorting_columns > 0) {
        out.sorting_columns = dup_array(a, src->sorting_columns, src->n_sorting_columns,
                                        sizeof(floe_pq_sorting_column));
        out.n_sorting_columns = src->n_sorting_columns;
    }
    uint8_t *buf = floe_xmalloc(COPY_BUF);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        const floe_pq_column_chunk *cc = &src->columns[i];
        int64_t start = chunk_start(cc);
        int64_t at = (int64_t)pq_writer_offset(w);
        uint64_t left = (uint64_t)cc->total_compressed_size, off = (uint64_t)start;
        while (left > 0 && st == FLOE_OK) {
            size_t k = left < COPY_BUF ? (size_t)left : COPY_BUF;
            st = floe_input_read(in, off, buf, k, err);
            if (st == FLOE_OK) {
                st = pq_writer_emit(w, buf, k, err);
            }
            off += k;
            left -= k;
        }
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "stitch row group %zu column '%s'", rg, ws->leaves[i]->name);
            break;
        }
        int64_t shift = at - start;
        floe_pq_column_chunk *dst = &out.columns[i];
        copy_chunk(a, cc, dst);
        dst->file_offset = at;
        dst->data_page_offset += shift;
        if (chunk_start(cc) != cc->data_page_offset) {
            dst->dictionary_page_offset += shift;
        } else {
            dst->has_dictionary_page_offset = false;
        }
        if (dst->has_index_page_offset) {
            dst->index_page_offset += shift;
        }
        dst->has_bloom_filter = false;
        dst->bloom_filter_offset = 0;
        dst->bloom_filter_length = 0;
        dst->has_offset_index = dst->has_column_index = false;
        /* min/max mean something only under the column's type order */
        bool typed = i < m->n_column_orders && m->type_defined_order[i];
        if (!typed && dst->has_stats && !dst->stats.legacy_minmax) {
            dst->stats.has_min = dst->stats.has_max = false;
        }
        add_metrics(pq_writer_col(w, i), dst, typed || dst->stats.legacy_minmax);
        if (pq_writer_opts(w)->disable_statistics) {
            dst->has_stats = false; /* the footer then declares no column orders either */
        }
        out.total_compressed_size += cc->total_compressed_size;
    }
    free(buf);
    if (st == FLOE_OK) {
        st = floe_arena_check(a, err);
    }
    if (st != FLOE_OK) {
        pq_writer_fail(w);
        return st;
    }
    pq_writer_add_row_group(w, &out);
    return FLOE_OK;
}
