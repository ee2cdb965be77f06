/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Parquet writer: schema copy and checks, batch intake, row-group cuts, chunk layout,
 * the page index, the footer, and the per-leaf metrics Iceberg needs (floe/parquet.h).
 *
 * File layout (Parquet format, "File format"): "PAR1", then row groups one after another, each
 * the column chunks of its leaves in order (dictionary page, data pages); after the last row
 * group every ColumnIndex, then every OffsetIndex; then the Thrift FileMetaData, its 4-byte
 * length and "PAR1".
 *
 * Memory: each column keeps the encoded (compressed) pages of the current row group plus its
 * pending page, so a writer holds about one row group's encoded size. Footer metadata and page
 * index entries accumulate in the writer's arena until close.
 */
#include "writer_int.h"

#include <stdlib.h>
#include <string.h>

#ifndef FLOE_VERSION
#define FLOE_VERSION "0.0.0"
#endif

#define DEFAULT_PAGE_SIZE ((size_t)1 << 20)
#define DEFAULT_ROW_GROUP_SIZE ((size_t)128 << 20)
#define DEFAULT_DICT_LIMIT ((size_t)1 << 20)
#define FIRST_SLICE_ROWS 256 /* rows written before the row size is known */

/* The page index of one finished column chunk, written at close. */
typedef struct pq_chunk_index {
    floe_pq_offset_index oi;
    bool has_ci;
    floe_pq_column_index ci;
} pq_chunk_index;

struct floe_pq_writer {
    floe_output *out;
    floe_arena *arena; /* schema copy, options, footer metadata, page index, results */
    floe_pq_schema schema;
    floe_pq_write_opts opts;
    floe_codec codec;
    bool use_dict;
    pq_col *cols;
    size_t n_cols;
    const char ***paths; /* path_in_schema per leaf */
    size_t *path_len;
    pq_scratch s;
    floe_buf dict_page;
    size_t *cursor;  /* per leaf: slot where the next slice starts */
    uint64_t offset; /* bytes written */
    int64_t rg_rows, total_rows;
    floe_vec row_groups;  /* floe_pq_row_group */
    floe_vec chunk_index; /* pq_chunk_index, row group by row group, leaf by leaf */
    bool failed, closed;
    floe_pq_write_result result;
};

floe_pq_write_opts floe_pq_write_opts_default(void)
{
    return (floe_pq_write_opts){
        .codec = FLOE_PQ_ZSTD,
        .page_size = DEFAULT_PAGE_SIZE,
        .row_group_size = DEFAULT_ROW_GROUP_SIZE,
        .dictionary_page_limit = DEFAULT_DICT_LIMIT,
    };
}

/* ==== Schema copy and checks ==== */

static floe_pq_node *copy_node(const floe_pq_node *src, floe_arena *a)
{
    floe_pq_node *n = floe_arena_calloc(a, 1, sizeof(*n));
    if (n == NULL) {
        return NULL;
    }
    *n = *src;
    n->name = floe_arena_strdup(a, src->name ? src->name : "");
    n->parent = NULL;
    n->children = NULL;
    if (src->n_children > 0) {
        n->children = floe_arena_calloc(a, src->n_children, sizeof(floe_pq_node *));
        if (n->children == NULL) {
            return NULL;
        }
        for (size_t i = 0; i < src->n_children; i++) {
            n->children[i] = copy_node(src->children[i], a);
            if (n->children[i] == NULL) {
                return NULL;
            }
        }
    }
    return n;
}

/* Logical annotations the writer can store on a leaf of this physical type (LogicalTypes.md). */
static floe_status check_annotation(const floe_pq_node *n, floe_err *err)
{
    const floe_pq_logical *lt = &n->logical;
    bool ok = true;
    if (!n->is_leaf) {
        ok = lt->kind == FLOE_PQ_LT_NONE || lt->kind == FLOE_PQ_LT_LIST ||
             lt->kind == FLOE_PQ_LT_MAP;
    } else {
        floe_pq_type t = n->type;
        switch (lt->kind) {
        case FLOE_PQ_LT_NONE:
        case FLOE_PQ_LT_UNKNOWN:
        case FLOE_PQ_LT_DECIMAL: /* checked by floe_pq_schema_finish */
            break;
        case FLOE_PQ_LT_STRING:
        case FLOE_PQ_LT_ENUM:
        case FLOE_PQ_LT_JSON:
        case FLOE_PQ_LT_BSON:
            ok = t == FLOE_PQ_BYTE_ARRAY;
            break;
        case FLOE_PQ_LT_DATE:
            ok = t == FLOE_PQ_INT32;
            break;
        case FLOE_PQ_LT_TIME:
            ok = (lt->unit == FLOE_UNIT_MILLIS && t == FLOE_PQ_INT32) ||
                 ((lt->unit == FLOE_UNIT_MICROS || lt->unit == FLOE_UNIT_NANOS) &&
                  t == FLOE_PQ_INT64);
            break;
        case FLOE_PQ_LT_TIMESTAMP:
            ok = t == FLOE_PQ_INT64 && (unsigned)lt->unit <= FLOE_UNIT_NANOS;
            break;
        case FLOE_PQ_LT_INTEGER:
            ok = (t == FLOE_PQ_INT32 &&
                  (lt->bit_width == 8 || lt->bit_width == 16 || lt->bit_width == 32)) ||
                 (t == FLOE_PQ_INT64 && lt->bit_width == 64);
            break;
        case FLOE_PQ_LT_UUID:
            ok = t == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && n->type_length == 16;
            break;
        case FLOE_PQ_LT_FLOAT16:
            ok = t == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && n->type_length == 2;
            break;
        case FLOE_PQ_LT_INTERVAL:
            ok = t == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && n->type_length == 12;
            break;
        default:
            return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                                "column '%s' has a logical type the writer cannot store", n->name);
        }
    }
    if (!ok) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': logical type does not fit %s",
                            n->name, n->is_leaf ? floe_pq_type_name(n->type) : "a group");
    }
    for (size_t i = 0; i < n->n_children; i++) {
        floe_status st = check_annotation(n->children[i], err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

static floe_status build_paths(floe_pq_writer *w, floe_err *err)
{
    w->paths = floe_arena_calloc(w->arena, w->n_cols, sizeof(*w->paths));
    w->path_len = floe_arena_calloc(w->arena, w->n_cols, sizeof(*w->path_len));
    if (w->paths == NULL || w->path_len == NULL) {
        return floe_arena_check(w->arena, err);
    }
    for (size_t i = 0; i < w->n_cols; i++) {
        const floe_pq_node *leaf = w->schema.leaves[i];
        size_t depth = 0;
        for (const floe_pq_node *n = leaf; n->parent != NULL; n = n->parent) {
            depth++;
        }
        const char **p = floe_arena_calloc(w->arena, depth, sizeof(char *));
        if (p == NULL) {
            return floe_arena_check(w->arena, err);
        }
        size_t k = depth;
        for (const floe_pq_node *n = leaf; n->parent != NULL; n = n->parent) {
            p[--k] = n->name;
        }
        w->paths[i] = p;
        w->path_len[i] = depth;
    }
    return FLOE_OK;
}

/* ==== Output ==== */

static floe_status emit(floe_pq_writer *w, const void *p, size_t len, floe_err *err)
{
    if (len == 0) {
        return FLOE_OK;
    }
    floe_status st = floe_output_write(w->out, p, len, err);
    if (st != FLOE_OK) {
        w->failed = true;
        return st;
    }
    w->offset += len;
    return FLOE_OK;
}

/* ==== Construction ==== */

floe_status floe_pq_writer_new(floe_output *out, const floe_pq_schema *schema,
                               const floe_pq_write_opts *opts, floe_pq_writer **wp, floe_err *err)
{
    *wp = NULL;
    if (schema == NULL || schema->root == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "parquet writer: no schema");
    }
    floe_pq_write_opts o = opts ? *opts : floe_pq_write_opts_default();
    floe_codec codec;
    floe_status st = floe_pq_codec_to_floe(o.codec, &codec, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "parquet writer");
    }
    if (o.page_size == 0) {
        o.page_size = DEFAULT_PAGE_SIZE;
    }
    if (o.row_group_size == 0) {
        o.row_group_size = DEFAULT_ROW_GROUP_SIZE;
    }
    if (o.dictionary_page_limit == 0) {
        o.dictionary_page_limit = DEFAULT_DICT_LIMIT;
    }
    if (o.page_size > PQ_MAX_PAGE_SIZE || o.dictionary_page_limit > PQ_MAX_PAGE_SIZE) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "parquet writer: page size and dictionary limit must be at most %zu",
                            PQ_MAX_PAGE_SIZE);
    }

    floe_pq_writer *w = floe_xcalloc(1, sizeof(*w));
    w->out = out;
    w->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->codec = codec;
    w->use_dict = !o.disable_dictionary;
    floe_vec_init(&w->row_groups, sizeof(floe_pq_row_group));
    floe_vec_init(&w->chunk_index, sizeof(pq_chunk_index));
    floe_buf_init(&w->dict_page, 0);
    floe_buf_init(&w->s.dense, 0);
    floe_vec_init(&w->s.dense_bytes, sizeof(floe_pq_bytes));
    floe_buf_init(&w->s.levels, 0);
    floe_buf_init(&w->s.values, 0);
    floe_buf_init(&w->s.raw, 0);
    floe_buf_init(&w->s.comp, 0);
    floe_buf_init(&w->s.header, 0);
    floe_buf_init(&w->s.stat_min, 0);
    floe_buf_init(&w->s.stat_max, 0);

    /* Options: strings copied into the arena. */
    o.created_by =
        floe_arena_strdup(w->arena, o.created_by ? o.created_by : "floe version " FLOE_VERSION);
    if (o.n_kv > 0) {
        floe_pq_kv *kv = floe_arena_calloc(w->arena, o.n_kv, sizeof(*kv));
        for (size_t i = 0; kv != NULL && i < o.n_kv; i++) {
            kv[i].key = floe_arena_strdup(w->arena, o.kv[i].key ? o.kv[i].key : "");
            kv[i].value = floe_arena_strdup(w->arena, o.kv[i].value);
        }
        o.kv = kv;
    } else {
        o.kv = NULL;
    }
    w->opts = o;

    w->schema.root = copy_node(schema->root, w->arena);
    st = w->schema.root ? FLOE_OK : floe_arena_check(w->arena, err);
    if (st == FLOE_OK) {
        st = floe_pq_schema_finish(&w->schema, w->arena, err);
    }
    if (st == FLOE_OK) {
        st = check_annotation(w->schema.root, err);
    }
    if (st == FLOE_OK) {
        w->n_cols = w->schema.n_leaves;
        st = build_paths(w, err);
    }
    if (st != FLOE_OK) {
        floe_pq_writer_free(w);
        return floe_err_wrap(err, "parquet writer schema");
    }
    w->cols = floe_xcalloc(w->n_cols, sizeof(pq_col));
    w->cursor = floe_xcalloc(w->n_cols, sizeof(size_t));
    for (size_t i = 0; i < w->n_cols; i++) {
        pq_col_init(&w->cols[i], w->schema.leaves[i], w->use_dict);
    }
    st = emit(w, "PAR1", 4, err);
    if (st != FLOE_OK) {
        floe_pq_writer_free(w);
        return floe_err_wrap(err, "parquet writer");
    }
    *wp = w;
    return FLOE_OK;
}

void floe_pq_writer_free(floe_pq_writer *w)
{
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; w->cols != NULL && i < w->n_cols; i++) {
        pq_col_fini(&w->cols[i]);
    }
    free(w->cols);
    free(w->cursor);
    floe_buf_fini(&w->dict_page);
    floe_buf_fini(&w->s.dense);
    floe_vec_fini(&w->s.dense_bytes);
    floe_buf_fini(&w->s.levels);
    floe_buf_fini(&w->s.values);
    floe_buf_fini(&w->s.raw);
    floe_buf_fini(&w->s.comp);
    floe_buf_fini(&w->s.header);
    floe_buf_fini(&w->s.stat_min);
    floe_buf_fini(&w->s.stat_max);
    floe_vec_fini(&w->row_groups);
    floe_vec_fini(&w->chunk_index);
    floe_arena_free(w->arena);
    free(w);
}

static floe_status check_usable(const floe_pq_writer *w, floe_err *err)
{
    if (w->closed) {
        return floe_err_set(err, FLOE_ERR_INVALID, "parquet writer is closed");
    }
    if (w->failed) {
        return floe_err_set(err, FLOE_ERR_INVALID, "parquet writer failed earlier");
    }
    return FLOE_OK;
}

static pq_col_opts col_opts(floe_pq_writer *w, floe_err *err)
{
    return (pq_col_opts){.w = &w->opts, .codec = w->codec, .s = &w->s, .err = err};
}

/* ==== Batches ==== */

static floe_status check_column(const floe_pq_writer *w, size_t ci, const floe_pq_column *c,
                                size_t n_rows, floe_err *err)
{
    const floe_pq_node *leaf = w->schema.leaves[ci];
    const char *name = leaf->name;
    if (c->leaf == NULL || c->leaf->type != leaf->type || c->leaf->max_def != leaf->max_def ||
        c->leaf->max_rep != leaf->max_rep ||
        (leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && c->leaf->type_length != leaf->type_length)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "batch column %zu does not match leaf '%s' (%s, max levels %d/%d)", ci,
                            name, floe_pq_type_name(leaf->type), leaf->max_def, leaf->max_rep);
    }
    if ((leaf->max_def > 0 && c->n > 0 && c->def == NULL) ||
        (leaf->max_rep > 0 && c->n > 0 && c->rep == NULL)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': batch has no levels", name);
    }
    if (leaf->max_rep == 0 && c->n != n_rows) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': %zu slots for %zu rows", name,
                            c->n, n_rows);
    }
    size_t rows = 0, values = 0;
    for (size_t i = 0; i < c->n; i++) {
        int16_t d = leaf->max_def > 0 ? c->def[i] : 0;
        if (d < 0 || d > leaf->max_def) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "column '%s': definition level %d at slot %zu (max %d)", name, d, i,
                                leaf->max_def);
        }
        if (leaf->max_rep > 0) {
            int16_t r = c->rep[i];
            if (r < 0 || r > leaf->max_rep || (i == 0 && r != 0)) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "column '%s': repetition level %d at slot %zu", name, r, i);
            }
            rows += r == 0;
        }
        values += d == leaf->max_def;
    }
    if (leaf->max_rep > 0 && rows != n_rows) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': %zu rows in a batch of %zu", name,
                            rows, n_rows);
    }
    if (values > 0 && c->v.b == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': batch has no values", name);
    }
    if (leaf->type == FLOE_PQ_BYTE_ARRAY || leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY ||
        leaf->type == FLOE_PQ_INT96) {
        size_t want = leaf->type == FLOE_PQ_INT96 ? 12 : (size_t)leaf->type_length;
        for (size_t i = 0; i < c->n; i++) {
            if (leaf->max_def > 0 && c->def[i] != leaf->max_def) {
                continue;
            }
            const floe_pq_bytes *b = &c->v.bytes[i];
            if (b->len > 0 && b->ptr == NULL) {
                return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': NULL value at slot %zu",
                                    name, i);
            }
            if (leaf->type == FLOE_PQ_BYTE_ARRAY ? b->len > PQ_MAX_VALUE_LEN : b->len != want) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "column '%s': value of %u bytes at slot %zu", name, b->len, i);
            }
        }
    }
    return FLOE_OK;
}

/* The slot where the row `k` rows after the one starting at `from` starts. */
static size_t advance_rows(const floe_pq_column *c, int16_t max_rep, size_t from, size_t k)
{
    if (max_rep == 0) {
        return from + k;
    }
    size_t i = from, rows = 0;
    for (; i < c->n; i++) {
        if (c->rep[i] == 0) {
            if (rows == k) {
                break;
            }
            rows++;
        }
    }
    return i;
}

static uint64_t row_group_estimate(const floe_pq_writer *w)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < w->n_cols; i++) {
        sum += pq_col_estimated_size(&w->cols[i]);
    }
    return sum;
}

uint64_t floe_pq_writer_estimated_size(const floe_pq_writer *w)
{
    return w->offset + row_group_estimate(w);
}

static floe_status flush_row_group(floe_pq_writer *w, floe_err *err);

floe_status floe_pq_writer_write(floe_pq_writer *w, const floe_pq_batch *b, floe_err *err)
{
    floe_status st = check_usable(w, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (b->n_columns != w->n_cols) {
        return floe_err_set(err, FLOE_ERR_INVALID, "batch has %zu columns, the schema %zu leaves",
                            b->n_columns, w->n_cols);
    }
    for (size_t i = 0; i < w->n_cols; i++) {
        st = check_column(w, i, &b->columns[i], b->n_rows, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "parquet write");
        }
    }
    memset(w->cursor, 0, w->n_cols * sizeof(size_t));
    pq_col_opts co = col_opts(w, err);
    size_t r0 = 0;
    while (r0 < b->n_rows) {
        /* Rows that should fill the row group, from its bytes per row so far. */
        size_t left = b->n_rows - r0, k;
        uint64_t est = row_group_estimate(w);
        if (w->rg_rows == 0 || est == 0) {
            k = FIRST_SLICE_ROWS;
        } else {
            uint64_t per_row = est / (uint64_t)w->rg_rows + 1;
            uint64_t room = w->opts.row_group_size > est ? w->opts.row_group_size - est : 0;
            k = (size_t)(room / per_row) + 1;
        }
        k = k < left ? k : left;
        for (size_t i = 0; i < w->n_cols; i++) {
            const floe_pq_column *c = &b->columns[i];
            size_t to = advance_rows(c, w->cols[i].max_rep, w->cursor[i], k);
            st = pq_col_append(&w->cols[i], c, w->cursor[i], to, &co);
            if (st != FLOE_OK) {
                w->failed = true;
                return floe_err_wrap(err, "parquet write column '%s'", w->cols[i].leaf->name);
            }
            w->cursor[i] = to;
        }
        w->rg_rows += (int64_t)k;
        r0 += k;
        if (row_group_estimate(w) >= w->opts.row_group_size) {
            st = flush_row_group(w, err);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    return FLOE_OK;
}

/* ==== Row groups ==== */

static int32_t boundary_order(pq_order o, const floe_pq_column_index *ci)
{
    bool asc = true, desc = true, have_prev = false;
    size_t prev = 0;
    for (size_t i = 0; i < ci->n; i++) {
        if (ci->null_pages[i]) {
            continue;
        }
        if (have_prev) {
            int cmin = pq_plain_cmp(o, ci->min_values[prev], ci->min_values[i]);
            int cmax = pq_plain_cmp(o, ci->max_values[prev], ci->max_values[i]);
            asc = asc && cmin <= 0 && cmax <= 0;
            desc = desc && cmin >= 0 && cmax >= 0;
        }
        prev = i;
        have_prev = true;
    }
    return asc ? 1 : desc ? 2 : 0;
}

static floe_status record_chunk_index(floe_pq_writer *w, const pq_col *c, int64_t data_offset,
                                      pq_chunk_index *ix, floe_err *err)
{
    size_t n = c->page_recs.n;
    const pq_page_rec *recs = c->page_recs.data;
    memset(ix, 0, sizeof(*ix));
    ix->oi.n = n;
    ix->oi.pages = floe_arena_calloc(w->arena, n ? n : 1, sizeof(floe_pq_page_location));
    if (ix->oi.pages == NULL) {
        return floe_arena_check(w->arena, err);
    }
    for (size_t i = 0; i < n; i++) {
        ix->oi.pages[i] = (floe_pq_page_location){.offset = data_offset + recs[i].offset,
                                                  .compressed_page_size = recs[i].size,
                                                  .first_row_index = recs[i].first_row};
    }
    if (!c->index_valid || c->order == PQ_ORDER_NONE) {
        return FLOE_OK;
    }
    floe_pq_column_index *ci = &ix->ci;
    ci->n = n;
    ci->null_pages = floe_arena_calloc(w->arena, n ? n : 1, sizeof(bool));
    ci->min_values = floe_arena_calloc(w->arena, n ? n : 1, sizeof(floe_str));
    ci->max_values = floe_arena_calloc(w->arena, n ? n : 1, sizeof(floe_str));
    ci->null_counts = floe_arena_calloc(w->arena, n ? n : 1, sizeof(int64_t));
    char *bytes = c->index_bytes.len
                      ? floe_arena_memdup(w->arena, c->index_bytes.data, c->index_bytes.len)
                      : "";
    if (ci->null_pages == NULL || ci->min_values == NULL || ci->max_values == NULL ||
        ci->null_counts == NULL || bytes == NULL) {
        return floe_arena_check(w->arena, err);
    }
    ci->has_null_counts = true;
    for (size_t i = 0; i < n; i++) {
        ci->null_pages[i] = recs[i].null_page;
        ci->null_counts[i] = recs[i].null_count;
        ci->min_values[i] = recs[i].null_page
                                ? (floe_str){"", 0}
                                : (floe_str){bytes + recs[i].min_off, recs[i].min_len};
        ci->max_values[i] = recs[i].null_page
                                ? (floe_str){"", 0}
                                : (floe_str){bytes + recs[i].max_off, recs[i].max_len};
    }
    ci->boundary_order = boundary_order(c->order, ci);
    ix->has_ci = true;
    return FLOE_OK;
}

/* Column chunk metadata from a finished chunk. */
static floe_status chunk_meta(floe_pq_writer *w, size_t ci, const pq_col *c, int64_t start,
                              int64_t data_offset, size_t dict_len, int32_t dict_uncompressed,
                              floe_pq_column_chunk *cc, floe_err *err)
{
    floe_arena *a = w->arena;
    memset(cc, 0, sizeof(*cc));
    cc->file_offset = start;
    cc->type = c->type;
    int32_t enc[4];
    size_t ne = 0;
    if (dict_len > 0 || c->n_plain_pages > 0) {
        enc[ne++] = FLOE_PQ_ENC_PLAIN;
    }
    if (c->max_def > 0 || c->max_rep > 0) {
        enc[ne++] = FLOE_PQ_ENC_RLE;
    }
    if (dict_len > 0) {
        enc[ne++] = FLOE_PQ_ENC_RLE_DICTIONARY;
    }
    if (ne == 0) {
        enc[ne++] = FLOE_PQ_ENC_PLAIN;
    }
    cc->encodings = floe_arena_memdup(a, enc, ne * sizeof(int32_t));
    cc->n_encodings = ne;
    cc->path_in_schema = w->paths[ci];
    cc->n_path = w->path_len[ci];
    cc->codec = w->opts.codec;
    cc->num_values = c->chunk_slots;
    cc->total_uncompressed_size = c->chunk_uncompressed + dict_uncompressed;
    cc->total_compressed_size = (int64_t)(c->pages.len + dict_len);
    cc->data_page_offset = data_offset;
    if (dict_len > 0) {
        cc->has_dictionary_page_offset = true;
        cc->dictionary_page_offset = start;
    }
    if (!w->opts.disable_statistics) {
        floe_pq_stats *s = &cc->stats;
        cc->has_stats = true;
        s->has_null_count = true;
        s->null_count = c->chunk_nulls;
        if (c->is_float) {
            s->has_nan_count = true;
            s->nan_count = c->chunk_nans;
        }
        floe_buf_reset(&w->s.stat_min);
        floe_buf_reset(&w->s.stat_max);
        bool min_exact, max_exact;
        if (pq_minmax_plain(c->order, &c->chunk_mm, PQ_STATS_TRUNCATE, &w->s.stat_min,
                            &w->s.stat_max, &min_exact, &max_exact)) {
            s->has_min = s->has_max = true;
            s->min.len = w->s.stat_min.len;
            s->max.len = w->s.stat_max.len;
            s->min.ptr = floe_arena_memdup(a, w->s.stat_min.data, w->s.stat_min.len + 1);
            s->max.ptr = floe_arena_memdup(a, w->s.stat_max.data, w->s.stat_max.len + 1);
            if (!min_exact || !max_exact) {
                s->has_min_exact = s->has_max_exact = true;
                s->min_exact = min_exact;
                s->max_exact = max_exact;
            }
        }
    }
    floe_pq_page_encoding_stats es[3];
    size_t nes = 0;
    int32_t data_type = w->opts.data_page_v2 ? FLOE_PQ_PAGE_DATA_V2 : FLOE_PQ_PAGE_DATA;
    if (dict_len > 0) {
        es[nes++] = (floe_pq_page_encoding_stats){FLOE_PQ_PAGE_DICT, FLOE_PQ_ENC_PLAIN, 1};
    }
    if (c->n_dict_pages > 0) {
        es[nes++] =
            (floe_pq_page_encoding_stats){data_type, FLOE_PQ_ENC_RLE_DICTIONARY, c->n_dict_pages};
    }
    if (c->n_plain_pages > 0) {
        es[nes++] = (floe_pq_page_encoding_stats){data_type, FLOE_PQ_ENC_PLAIN, c->n_plain_pages};
    }
    cc->encoding_stats = floe_arena_memdup(a, es, nes * sizeof(es[0]));
    cc->n_encoding_stats = nes;
    return floe_arena_check(a, err);
}

static floe_status flush_row_group(floe_pq_writer *w, floe_err *err)
{
    if (w->rg_rows == 0) {
        return FLOE_OK;
    }
    pq_col_opts co = col_opts(w, err);
    floe_pq_row_group rg;
    memset(&rg, 0, sizeof(rg));
    rg.columns = floe_arena_calloc(w->arena, w->n_cols, sizeof(floe_pq_column_chunk));
    if (rg.columns == NULL) {
        w->failed = true;
        return floe_arena_check(w->arena, err);
    }
    rg.n_columns = w->n_cols;
    rg.num_rows = w->rg_rows;
    rg.has_file_offset = true;
    rg.file_offset = (int64_t)w->offset;
    rg.has_total_compressed_size = true;
    for (size_t i = 0; i < w->n_cols; i++) {
        pq_col *c = &w->cols[i];
        int32_t dict_unc = 0;
        floe_status st = pq_col_finish_chunk(c, &co, &w->dict_page, &dict_unc);
        if (st != FLOE_OK) {
            w->failed = true;
            return floe_err_wrap(err, "parquet column '%s'", c->leaf->name);
        }
        FLOE_VERIFY(c->chunk_rows == w->rg_rows);
        int64_t start = (int64_t)w->offset;
        st = emit(w, w->dict_page.data, w->dict_page.len, err);
        int64_t data_offset = (int64_t)w->offset;
        if (st == FLOE_OK) {
            st = emit(w, c->pages.data, c->pages.len, err);
        }
        floe_pq_column_chunk *cc = &rg.columns[i];
        if (st == FLOE_OK) {
            st = chunk_meta(w, i, c, start, data_offset, w->dict_page.len, dict_unc, cc, err);
        }
        if (st == FLOE_OK && !w->opts.disable_page_index) {
            pq_chunk_index *ix = floe_vec_push(&w->chunk_index);
            st = record_chunk_index(w, c, data_offset, ix, err);
        }
        if (st != FLOE_OK) {
            w->failed = true;
            return floe_err_wrap(err, "parquet column '%s'", c->leaf->name);
        }
        rg.total_byte_size += cc->total_uncompressed_size;
        rg.total_compressed_size += cc->total_compressed_size;
        pq_minmax_merge(c->order, &c->file_mm, &c->chunk_mm);
        c->file_values += c->chunk_slots;
        c->file_nulls += c->chunk_nulls;
        c->file_nans += c->chunk_nans;
        c->file_compressed += (uint64_t)cc->total_compressed_size;
        pq_col_reset_chunk(c, w->use_dict);
    }
    if (w->row_groups.n <= INT16_MAX) {
        rg.has_ordinal = true;
        rg.ordinal = (int16_t)w->row_groups.n;
    }
    floe_vec_push_copy(&w->row_groups, &rg);
    w->total_rows += w->rg_rows;
    w->rg_rows = 0;
    return FLOE_OK;
}

floe_status floe_pq_writer_flush(floe_pq_writer *w, floe_err *err)
{
    floe_status st = check_usable(w, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = flush_row_group(w, err);
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "parquet flush");
}

/* ==== Stitching hooks (stitch.c) ==== */

floe_arena *pq_writer_arena(floe_pq_writer *w)
{
    return w->arena;
}

floe_status pq_writer_begin_stitch(floe_pq_writer *w, floe_err *err)
{
    floe_status st = check_usable(w, err);
    if (st == FLOE_OK) {
        st = flush_row_group(w, err);
    }
    return st;
}

floe_status pq_writer_emit(floe_pq_writer *w, const void *p, size_t len, floe_err *err)
{
    return emit(w, p, len, err);
}

uint64_t pq_writer_offset(const floe_pq_writer *w)
{
    return w->offset;
}

const floe_pq_schema *pq_writer_schema(const floe_pq_writer *w)
{
    return &w->schema;
}

const floe_pq_write_opts *pq_writer_opts(const floe_pq_writer *w)
{
    return &w->opts;
}

pq_col *pq_writer_col(floe_pq_writer *w, size_t i)
{
    return &w->cols[i];
}

/* A stitched row group carries no page index: an empty entry per chunk keeps the layout. */
void pq_writer_add_row_group(floe_pq_writer *w, const floe_pq_row_group *rg)
{
    floe_pq_row_group copy = *rg;
    if (w->row_groups.n <= INT16_MAX) {
        copy.has_ordinal = true;
        copy.ordinal = (int16_t)w->row_groups.n;
    } else {
        copy.has_ordinal = false;
    }
    floe_vec_push_copy(&w->row_groups, &copy);
    if (!w->opts.disable_page_index) {
        for (size_t i = 0; i < w->n_cols; i++) {
            pq_chunk_index *ix = floe_vec_push(&w->chunk_index);
            memset(ix, 0, sizeof(*ix));
        }
    }
    w->total_rows += rg->num_rows;
}

void pq_writer_fail(floe_pq_writer *w)
{
    w->failed = true;
}

/* ==== Close ==== */

static floe_status write_page_index(floe_pq_writer *w, floe_err *err)
{
    floe_buf *b = &w->s.raw;
    pq_chunk_index *ix = w->chunk_index.data;
    floe_pq_row_group *rgs = w->row_groups.data;
    /* Column indexes first, then offset indexes, as parquet-java lays them out. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t g = 0; g < w->row_groups.n; g++) {
            for (size_t i = 0; i < w->n_cols; i++) {
                pq_chunk_index *x = &ix[g * w->n_cols + i];
                floe_pq_column_chunk *cc = &rgs[g].columns[i];
                if (x->oi.pages == NULL || (pass == 0 && !x->has_ci)) {
                    continue; /* stitched chunk, or no column index */
                }
                floe_buf_reset(b);
                if (pass == 0) {
                    floe_pq_encode_column_index(&x->ci, b);
                } else {
                    floe_pq_encode_offset_index(&x->oi, b);
                }
                int64_t at = (int64_t)w->offset;
                floe_status st = emit(w, b->data, b->len, err);
                if (st != FLOE_OK) {
                    return st;
                }
                if (pass == 0) {
                    cc->has_column_index = true;
                    cc->column_index_offset = at;
                    cc->column_index_length = (int32_t)b->len;
                } else {
                    cc->has_offset_index = true;
                    cc->offset_index_offset = at;
                    cc->offset_index_length = (int32_t)b->len;
                }
            }
        }
    }
    return FLOE_OK;
}

static floe_status fill_result(floe_pq_writer *w, floe_err *err)
{
    floe_pq_write_result *r = &w->result;
    memset(r, 0, sizeof(*r));
    r->file_size = w->offset;
    r->num_rows = w->total_rows;
    r->n_columns = w->n_cols;
    r->columns = floe_arena_calloc(w->arena, w->n_cols ? w->n_cols : 1, sizeof(*r->columns));
    r->n_row_groups = w->row_groups.n;
    r->row_group_offsets =
        floe_arena_calloc(w->arena, w->row_groups.n ? w->row_groups.n : 1, sizeof(int64_t));
    if (r->columns == NULL || r->row_group_offsets == NULL) {
        return floe_arena_check(w->arena, err);
    }
    const floe_pq_row_group *rgs = w->row_groups.data;
    for (size_t g = 0; g < w->row_groups.n; g++) {
        r->row_group_offsets[g] = rgs[g].file_offset;
    }
    for (size_t i = 0; i < w->n_cols; i++) {
        const pq_col *c = &w->cols[i];
        floe_pq_column_metrics *m = &r->columns[i];
        m->leaf = c->leaf;
        m->compressed_size = c->file_compressed;
        m->value_count = c->file_values;
        m->null_count = c->file_nulls;
        m->has_nan_count = c->is_float && !c->nan_unknown;
        m->nan_count = m->has_nan_count ? c->file_nans : 0;
        m->has_bounds =
            !c->bounds_unknown &&
            pq_minmax_value(c->leaf, c->order, &c->file_mm, false, w->arena, &m->lower) &&
            pq_minmax_value(c->leaf, c->order, &c->file_mm, true, w->arena, &m->upper);
        if (!m->has_bounds) {
            m->lower = m->upper = floe_value_null();
        }
    }
    return floe_arena_check(w->arena, err);
}

floe_status floe_pq_writer_close(floe_pq_writer *w, floe_pq_write_result *result, floe_err *err)
{
    floe_status st = check_usable(w, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = flush_row_group(w, err);
    if (st == FLOE_OK && !w->opts.disable_page_index) {
        st = write_page_index(w, err);
    }
    floe_pq_file_meta m;
    memset(&m, 0, sizeof(m));
    bool *orders = NULL;
    if (st == FLOE_OK) {
        m.version = 1;
        m.schema = w->schema;
        m.num_rows = w->total_rows;
        m.row_groups = w->row_groups.data;
        m.n_row_groups = w->row_groups.n;
        m.kv = (floe_pq_kv *)w->opts.kv;
        m.n_kv = w->opts.n_kv;
        m.created_by = w->opts.created_by;
        /* Column orders give min/max their meaning, in Statistics and in the ColumnIndex. */
        if (!w->opts.disable_statistics || !w->opts.disable_page_index) {
            orders = floe_arena_calloc(w->arena, w->n_cols, sizeof(bool));
            for (size_t i = 0; orders != NULL && i < w->n_cols; i++) {
                orders[i] = true;
            }
            m.type_defined_order = orders;
            m.n_column_orders = w->n_cols;
        }
        floe_buf_reset(&w->s.raw);
        st = floe_pq_encode_file_meta(&m, &w->s.raw, err);
    }
    if (st == FLOE_OK) {
        if (w->s.raw.len > UINT32_MAX) {
            st = floe_err_set(err, FLOE_ERR_TOO_BIG, "footer of %zu bytes", w->s.raw.len);
        }
    }
    if (st == FLOE_OK) {
        uint8_t tail[8];
        floe_store_u32le(tail, (uint32_t)w->s.raw.len);
        memcpy(tail + 4, "PAR1", 4);
        st = emit(w, w->s.raw.data, w->s.raw.len, err);
        if (st == FLOE_OK) {
            st = emit(w, tail, 8, err);
        }
    }
    if (st == FLOE_OK) {
        st = fill_result(w, err);
    }
    if (st != FLOE_OK) {
        w->failed = true;
        return floe_err_wrap(err, "parquet close");
    }
    w->closed = true;
    if (result != NULL) {
        *result = w->result;
    }
    return FLOE_OK;
}
