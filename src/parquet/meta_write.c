/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Serialisation of Parquet's Thrift structs (parquet.thrift): the footer (FileMetaData with its
 * schema, row groups, column chunks, statistics and column orders), page headers, and the page
 * index (OffsetIndex, ColumnIndex). Fields are written in increasing id order; optional fields
 * only when set.
 *
 * Schema elements carry both annotations, as LogicalTypes.md asks of writers: the LogicalType
 * union and the ConvertedType equivalent where one exists (none for UUID, FLOAT16, UNKNOWN and
 * NANOS units; TIME and TIMESTAMP get TIME_* / TIMESTAMP_* whatever their UTC flag, per the
 * spec's forward-compatibility tables). The converted type is always derived from the logical
 * type; a node's raw `converted_type` is ignored.
 */
#include "parquet_int.h"

#include <string.h>

/* ConvertedType values (parquet.thrift). */
enum {
    CT_NONE = -1,
    CT_UTF8 = 0,
    CT_MAP = 1,
    CT_LIST = 3,
    CT_ENUM = 4,
    CT_DECIMAL = 5,
    CT_DATE = 6,
    CT_TIME_MILLIS = 7,
    CT_TIME_MICROS = 8,
    CT_TIMESTAMP_MILLIS = 9,
    CT_TIMESTAMP_MICROS = 10,
    CT_UINT_8 = 11,
    CT_INT_8 = 15,
    CT_JSON = 19,
    CT_BSON = 20,
    CT_INTERVAL = 21
};

static int int_width_index(int bits)
{
    switch (bits) {
    case 8:
        return 0;
    case 16:
        return 1;
    case 32:
        return 2;
    case 64:
        return 3;
    default:
        return -1;
    }
}

static int32_t converted_type_of(const floe_pq_logical *lt)
{
    switch (lt->kind) {
    case FLOE_PQ_LT_STRING:
        return CT_UTF8;
    case FLOE_PQ_LT_MAP:
        return CT_MAP;
    case FLOE_PQ_LT_LIST:
        return CT_LIST;
    case FLOE_PQ_LT_ENUM:
        return CT_ENUM;
    case FLOE_PQ_LT_DECIMAL:
        return CT_DECIMAL;
    case FLOE_PQ_LT_DATE:
        return CT_DATE;
    case FLOE_PQ_LT_TIME:
        return lt->unit == FLOE_UNIT_MILLIS   ? CT_TIME_MILLIS
               : lt->unit == FLOE_UNIT_MICROS ? CT_TIME_MICROS
                                              : CT_NONE;
    case FLOE_PQ_LT_TIMESTAMP:
        return lt->unit == FLOE_UNIT_MILLIS   ? CT_TIMESTAMP_MILLIS
               : lt->unit == FLOE_UNIT_MICROS ? CT_TIMESTAMP_MICROS
                                              : CT_NONE;
    case FLOE_PQ_LT_INTEGER: {
        int w = int_width_index(lt->bit_width);
        if (w < 0) {
            return CT_NONE;
        }
        return (lt->is_signed ? CT_INT_8 : CT_UINT_8) + w;
    }
    case FLOE_PQ_LT_JSON:
        return CT_JSON;
    case FLOE_PQ_LT_BSON:
        return CT_BSON;
    case FLOE_PQ_LT_INTERVAL:
        return CT_INTERVAL;
    default:
        return CT_NONE;
    }
}

static void w_empty_struct_field(floe_thrift_out *o, int16_t id)
{
    floe_thrift_w_field(o, id, FLOE_TC_STRUCT);
    floe_thrift_w_struct_begin(o);
    floe_thrift_w_struct_end(o);
}

static void w_i8_field(floe_thrift_out *o, int16_t id, int8_t v)
{
    floe_thrift_w_field(o, id, FLOE_TC_I8);
    uint8_t b = (uint8_t)v;
    floe_status st = floe_buf_append(o->buf, &b, 1, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

static void w_i16_field(floe_thrift_out *o, int16_t id, int16_t v)
{
    floe_thrift_w_field(o, id, FLOE_TC_I16);
    floe_thrift_w_i32(o, v); /* i16 is a zigzag varint too */
}

static void w_struct_field_begin(floe_thrift_out *o, int16_t id)
{
    floe_thrift_w_field(o, id, FLOE_TC_STRUCT);
    floe_thrift_w_struct_begin(o);
}

/* TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS (empty structs). */
static void w_time_unit(floe_thrift_out *o, int16_t id, floe_time_unit unit)
{
    w_struct_field_begin(o, id);
    w_empty_struct_field(o, unit == FLOE_UNIT_MILLIS ? 1 : unit == FLOE_UNIT_MICROS ? 2 : 3);
    floe_thrift_w_struct_end(o);
}

/* The LogicalType union (field 10 of SchemaElement); false when the kind has none. */
static floe_status w_logical_type(floe_thrift_out *o, const floe_pq_node *n, floe_err *err)
{
    const floe_pq_logical *lt = &n->logical;
    int16_t member;
    switch (lt->kind) {
    case FLOE_PQ_LT_NONE:
    case FLOE_PQ_LT_INTERVAL: /* ConvertedType only */
        return FLOE_OK;
    case FLOE_PQ_LT_STRING:
        member = 1;
        break;
    case FLOE_PQ_LT_MAP:
        member = 2;
        break;
    case FLOE_PQ_LT_LIST:
        member = 3;
        break;
    case FLOE_PQ_LT_ENUM:
        member = 4;
        break;
    case FLOE_PQ_LT_DECIMAL:
        member = 5;
        break;
    case FLOE_PQ_LT_DATE:
        member = 6;
        break;
    case FLOE_PQ_LT_TIME:
        member = 7;
        break;
    case FLOE_PQ_LT_TIMESTAMP:
        member = 8;
        break;
    case FLOE_PQ_LT_INTEGER:
        member = 10;
        break;
    case FLOE_PQ_LT_UNKNOWN:
        member = 11;
        break;
    case FLOE_PQ_LT_JSON:
        member = 12;
        break;
    case FLOE_PQ_LT_BSON:
        member = 13;
        break;
    case FLOE_PQ_LT_UUID:
        member = 14;
        break;
    case FLOE_PQ_LT_FLOAT16:
        member = 15;
        break;
    default:
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                            "schema node '%s' has a logical type this build cannot write", n->name);
    }
    w_struct_field_begin(o, 10);
    w_struct_field_begin(o, member);
    switch (lt->kind) {
    case FLOE_PQ_LT_DECIMAL:
        floe_thrift_w_i32_field(o, 1, lt->scale);
        floe_thrift_w_i32_field(o, 2, lt->precision);
        break;
    case FLOE_PQ_LT_TIME:
    case FLOE_PQ_LT_TIMESTAMP:
        floe_thrift_w_bool_field(o, 1, lt->utc);
        w_time_unit(o, 2, lt->unit);
        break;
    case FLOE_PQ_LT_INTEGER:
        w_i8_field(o, 1, lt->bit_width);
        floe_thrift_w_bool_field(o, 2, lt->is_signed);
        break;
    default:
        break;
    }
    floe_thrift_w_struct_end(o); /* member */
    floe_thrift_w_struct_end(o); /* LogicalType */
    return FLOE_OK;
}

/* ==== Schema ==== */

static floe_status w_schema_element(floe_thrift_out *o, const floe_pq_node *n, bool is_root,
                                    floe_err *err)
{
    floe_thrift_w_struct_begin(o);
    if (n->is_leaf) {
        floe_thrift_w_i32_field(o, 1, (int32_t)n->type);
        if (n->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            floe_thrift_w_i32_field(o, 2, n->type_length);
        }
    }
    if (!is_root) {
        floe_thrift_w_i32_field(o, 3, (int32_t)n->repetition);
    }
    floe_thrift_w_binary_field(o, 4, n->name, strlen(n->name));
    if (!n->is_leaf) {
        floe_thrift_w_i32_field(o, 5, (int32_t)n->n_children);
    }
    int32_t ct = converted_type_of(&n->logical);
    if (ct != CT_NONE) {
        floe_thrift_w_i32_field(o, 6, ct);
    }
    if (n->logical.kind == FLOE_PQ_LT_DECIMAL) {
        floe_thrift_w_i32_field(o, 7, n->logical.scale);
        floe_thrift_w_i32_field(o, 8, n->logical.precision);
    }
    if (n->has_field_id) {
        floe_thrift_w_i32_field(o, 9, n->field_id);
    }
    floe_status st = w_logical_type(o, n, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_thrift_w_struct_end(o);
    return FLOE_OK;
}

static size_t count_nodes(const floe_pq_node *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->n_children; i++) {
        c += count_nodes(n->children[i]);
    }
    return c;
}

static floe_status w_schema_tree(floe_thrift_out *o, const floe_pq_node *n, bool is_root,
                                 floe_err *err)
{
    floe_status st = w_schema_element(o, n, is_root, err);
    for (size_t i = 0; st == FLOE_OK && i < n->n_children; i++) {
        st = w_schema_tree(o, n->children[i], false, err);
    }
    return st;
}

/* ==== Statistics and column chunks ==== */

static void w_statistics(floe_thrift_out *o, int16_t id, const floe_pq_stats *s)
{
    w_struct_field_begin(o, id);
    if (s->legacy_minmax) {
        if (s->has_max) {
            floe_thrift_w_binary_field(o, 1, s->max.ptr, s->max.len);
        }
        if (s->has_min) {
            floe_thrift_w_binary_field(o, 2, s->min.ptr, s->min.len);
        }
    }
    if (s->has_null_count) {
        floe_thrift_w_i64_field(o, 3, s->null_count);
    }
    if (s->has_distinct_count) {
        floe_thrift_w_i64_field(o, 4, s->distinct_count);
    }
    if (!s->legacy_minmax) {
        if (s->has_max) {
            floe_thrift_w_binary_field(o, 5, s->max.ptr, s->max.len);
        }
        if (s->has_min) {
            floe_thrift_w_binary_field(o, 6, s->min.ptr, s->min.len);
        }
    }
    if (s->has_max_exact) {
        floe_thrift_w_bool_field(o, 7, s->max_exact);
    }
    if (s->has_min_exact) {
        floe_thrift_w_bool_field(o, 8, s->min_exact);
    }
    if (s->has_nan_count) {
        floe_thrift_w_i64_field(o, 9, s->nan_count);
    }
    floe_thrift_w_struct_end(o);
}

static void w_kv_list(floe_thrift_out *o, int16_t id, const floe_pq_kv *kv, size_t n)
{
    floe_thrift_w_field(o, id, FLOE_TC_LIST);
    floe_thrift_w_list_begin(o, FLOE_TC_STRUCT, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        floe_thrift_w_struct_begin(o);
        const char *k = kv[i].key ? kv[i].key : "";
        floe_thrift_w_binary_field(o, 1, k, strlen(k));
        if (kv[i].value != NULL) {
            floe_thrift_w_binary_field(o, 2, kv[i].value, strlen(kv[i].value));
        }
        floe_thrift_w_struct_end(o);
    }
}

static void w_column_meta(floe_thrift_out *o, const floe_pq_column_chunk *c)
{
    w_struct_field_begin(o, 3);
    floe_thrift_w_i32_field(o, 1, (int32_t)c->type);
    floe_thrift_w_field(o, 2, FLOE_TC_LIST);
    floe_thrift_w_list_begin(o, FLOE_TC_I32, (uint32_t)c->n_encodings);
    for (size_t i = 0; i < c->n_encodings; i++) {
        floe_thrift_w_i32(o, c->encodings[i]);
    }
    floe_thrift_w_field(o, 3, FLOE_TC_LIST);
    floe_thrift_w_list_begin(o, FLOE_TC_BINARY, (uint32_t)c->n_path);
    for (size_t i = 0; i < c->n_path; i++) {
        floe_thrift_w_binary(o, c->path_in_schema[i], strlen(c->path_in_schema[i]));
    }
    floe_thrift_w_i32_field(o, 4, (int32_t)c->codec);
    floe_thrift_w_i64_field(o, 5, c->num_values);
    floe_thrift_w_i64_field(o, 6, c->total_uncompressed_size);
    floe_thrift_w_i64_field(o, 7, c->total_compressed_size);
    if (c->n_kv > 0) {
        w_kv_list(o, 8, c->kv, c->n_kv);
    }
    floe_thrift_w_i64_field(o, 9, c->data_page_offset);
    if (c->has_index_page_offset) {
        floe_thrift_w_i64_field(o, 10, c->index_page_offset);
    }
    if (c->has_dictionary_page_offset) {
        floe_thrift_w_i64_field(o, 11, c->dictionary_page_offset);
    }
    if (c->has_stats) {
        w_statistics(o, 12, &c->stats);
    }
    if (c->n_encoding_stats > 0) {
        floe_thrift_w_field(o, 13, FLOE_TC_LIST);
        floe_thrift_w_list_begin(o, FLOE_TC_STRUCT, (uint32_t)c->n_encoding_stats);
        for (size_t i = 0; i < c->n_encoding_stats; i++) {
            const floe_pq_page_encoding_stats *es = &c->encoding_stats[i];
            floe_thrift_w_struct_begin(o);
            floe_thrift_w_i32_field(o, 1, es->page_type);
            floe_thrift_w_i32_field(o, 2, es->encoding);
            floe_thrift_w_i32_field(o, 3, es->count);
            floe_thrift_w_struct_end(o);
        }
    }
    if (c->has_bloom_filter) {
        floe_thrift_w_i64_field(o, 14, c->bloom_filter_offset);
        if (c->bloom_filter_length > 0) {
            floe_thrift_w_i32_field(o, 15, c->bloom_filter_length);
        }
    }
    floe_thrift_w_struct_end(o);
}

static void w_column_chunk(floe_thrift_out *o, const floe_pq_column_chunk *c)
{
    floe_thrift_w_struct_begin(o);
    if (c->file_path != NULL) {
        floe_thrift_w_binary_field(o, 1, c->file_path, strlen(c->file_path));
    }
    floe_thrift_w_i64_field(o, 2, c->file_offset);
    w_column_meta(o, c);
    if (c->has_offset_index) {
        floe_thrift_w_i64_field(o, 4, c->offset_index_offset);
        floe_thrift_w_i32_field(o, 5, c->offset_index_length);
    }
    if (c->has_column_index) {
        floe_thrift_w_i64_field(o, 6, c->column_index_offset);
        floe_thrift_w_i32_field(o, 7, c->column_index_length);
    }
    floe_thrift_w_struct_end(o);
}

static void w_row_group(floe_thrift_out *o, const floe_pq_row_group *rg)
{
    floe_thrift_w_struct_begin(o);
    floe_thrift_w_field(o, 1, FLOE_TC_LIST);
    floe_thrift_w_list_begin(o, FLOE_TC_STRUCT, (uint32_t)rg->n_columns);
    for (size_t i = 0; i < rg->n_columns; i++) {
        w_column_chunk(o, &rg->columns[i]);
    }
    floe_thrift_w_i64_field(o, 2, rg->total_byte_size);
    floe_thrift_w_i64_field(o, 3, rg->num_rows);
    if (rg->n_sorting_columns > 0) {
        floe_thrift_w_field(o, 4, FLOE_TC_LIST);
        floe_thrift_w_list_begin(o, FLOE_TC_STRUCT, (uint32_t)rg->n_sorting_columns);
        for (size_t i = 0; i < rg->n_sorting_columns; i++) {
            const floe_pq_sorting_column *sc = &rg->sorting_columns[i];
            floe_thrift_w_struct_begin(o);
            floe_thrift_w_i32_field(o, 1, sc->column_idx);
            floe_thrift_w_bool_field(o, 2, sc->descending);
            floe_thrift_w_bool_field(o, 3, sc->nulls_first);
            floe_thrift_w_struct_end(o);
        }
    }
    if (rg->has_file_offset) {
        floe_thrift_w_i64_field(o, 5, rg->file_offset);
    }
    if (rg->has_total_compressed_size) {
        floe_thrift_w_i64_field(o, 6, rg->total_compressed_size);
    }
    if (rg->has_ordinal) {
        w_i16_field(o, 7, rg->ordinal);
    }
    floe_thrift_w_struct_end(o);
}

/* ==== FileMetaData ==== */

floe_status floe_pq_encode_file_meta(const floe_pq_file_meta *m, floe_buf *out, floe_err *err)
{
    const floe_pq_schema *s = &m->schema;
    if (s->root == NULL || s->root->is_leaf) {
        return floe_err_set(err, FLOE_ERR_INVALID, "file metadata has no schema root group");
    }
    if (m->n_column_orders != 0 && m->n_column_orders != s->n_leaves) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%zu column orders for %zu leaf columns",
                            m->n_column_orders, s->n_leaves);
    }
    for (size_t i = 0; i < m->n_row_groups; i++) {
        if (m->row_groups[i].n_columns != s->n_leaves) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "row group %zu has %zu column chunks for %zu leaf columns", i,
                                m->row_groups[i].n_columns, s->n_leaves);
        }
    }
    size_t start = out->len;
    floe_thrift_out o;
    floe_thrift_out_init(&o, out);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i32_field(&o, 1, m->version ? m->version : 1);
    floe_thrift_w_field(&o, 2, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, (uint32_t)count_nodes(s->root));
    floe_status st = w_schema_tree(&o, s->root, true, err);
    if (st != FLOE_OK) {
        out->len = start;
        return st;
    }
    floe_thrift_w_i64_field(&o, 3, m->num_rows);
    floe_thrift_w_field(&o, 4, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, (uint32_t)m->n_row_groups);
    for (size_t i = 0; i < m->n_row_groups; i++) {
        w_row_group(&o, &m->row_groups[i]);
    }
    if (m->n_kv > 0) {
        w_kv_list(&o, 5, m->kv, m->n_kv);
    }
    if (m->created_by != NULL) {
        floe_thrift_w_binary_field(&o, 6, m->created_by, strlen(m->created_by));
    }
    if (m->n_column_orders > 0) {
        /* ColumnOrder is a union whose only member is TYPE_ORDER (field 1, empty struct); an
         * empty union says "undefined order" for a column. */
        floe_thrift_w_field(&o, 7, FLOE_TC_LIST);
        floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, (uint32_t)m->n_column_orders);
        for (size_t i = 0; i < m->n_column_orders; i++) {
            floe_thrift_w_struct_begin(&o);
            if (m->type_defined_order[i]) {
                w_empty_struct_field(&o, 1);
            }
            floe_thrift_w_struct_end(&o);
        }
    }
    floe_thrift_w_struct_end(&o);
    return FLOE_OK;
}

/* ==== Page headers ==== */

void floe_pq_encode_page_header(const floe_pq_page_header *h, floe_buf *out)
{
    floe_thrift_out o;
    floe_thrift_out_init(&o, out);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_i32_field(&o, 1, h->type);
    floe_thrift_w_i32_field(&o, 2, h->uncompressed_size);
    floe_thrift_w_i32_field(&o, 3, h->compressed_size);
    if (h->has_crc) {
        floe_thrift_w_i32_field(&o, 4, (int32_t)h->crc);
    }
    switch (h->type) {
    case FLOE_PQ_PAGE_DATA:
        w_struct_field_begin(&o, 5);
        floe_thrift_w_i32_field(&o, 1, h->num_values);
        floe_thrift_w_i32_field(&o, 2, h->encoding);
        floe_thrift_w_i32_field(&o, 3, h->def_encoding);
        floe_thrift_w_i32_field(&o, 4, h->rep_encoding);
        if (h->has_stats) {
            w_statistics(&o, 5, &h->stats);
        }
        floe_thrift_w_struct_end(&o);
        break;
    case FLOE_PQ_PAGE_INDEX:
        w_empty_struct_field(&o, 6);
        break;
    case FLOE_PQ_PAGE_DICT:
        w_struct_field_begin(&o, 7);
        floe_thrift_w_i32_field(&o, 1, h->dict_num_values);
        floe_thrift_w_i32_field(&o, 2, h->dict_encoding);
        if (h->dict_sorted) {
            floe_thrift_w_bool_field(&o, 3, true);
        }
        floe_thrift_w_struct_end(&o);
        break;
    case FLOE_PQ_PAGE_DATA_V2:
        w_struct_field_begin(&o, 8);
        floe_thrift_w_i32_field(&o, 1, h->num_values);
        floe_thrift_w_i32_field(&o, 2, h->num_nulls);
        floe_thrift_w_i32_field(&o, 3, h->num_rows);
        floe_thrift_w_i32_field(&o, 4, h->encoding);
        floe_thrift_w_i32_field(&o, 5, h->def_len);
        floe_thrift_w_i32_field(&o, 6, h->rep_len);
        floe_thrift_w_bool_field(&o, 7, h->is_compressed);
        if (h->has_stats) {
            w_statistics(&o, 8, &h->stats);
        }
        floe_thrift_w_struct_end(&o);
        break;
    default:
        break;
    }
    floe_thrift_w_struct_end(&o);
}

/* ==== Page index ==== */

void floe_pq_encode_offset_index(const floe_pq_offset_index *oi, floe_buf *out)
{
    floe_thrift_out o;
    floe_thrift_out_init(&o, out);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_field(&o, 1, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_STRUCT, (uint32_t)oi->n);
    for (size_t i = 0; i < oi->n; i++) {
        const floe_pq_page_location *p = &oi->pages[i];
        floe_thrift_w_struct_begin(&o);
        floe_thrift_w_i64_field(&o, 1, p->offset);
        floe_thrift_w_i32_field(&o, 2, p->compressed_page_size);
        floe_thrift_w_i64_field(&o, 3, p->first_row_index);
        floe_thrift_w_struct_end(&o);
    }
    floe_thrift_w_struct_end(&o);
}

void floe_pq_encode_column_index(const floe_pq_column_index *ci, floe_buf *out)
{
    floe_thrift_out o;
    floe_thrift_out_init(&o, out);
    floe_thrift_w_struct_begin(&o);
    floe_thrift_w_field(&o, 1, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_TRUE, (uint32_t)ci->n);
    for (size_t i = 0; i < ci->n; i++) {
        floe_thrift_w_bool(&o, ci->null_pages[i]);
    }
    floe_thrift_w_field(&o, 2, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_BINARY, (uint32_t)ci->n);
    for (size_t i = 0; i < ci->n; i++) {
        floe_thrift_w_binary(&o, ci->min_values[i].ptr, ci->min_values[i].len);
    }
    floe_thrift_w_field(&o, 3, FLOE_TC_LIST);
    floe_thrift_w_list_begin(&o, FLOE_TC_BINARY, (uint32_t)ci->n);
    for (size_t i = 0; i < ci->n; i++) {
        floe_thrift_w_binary(&o, ci->max_values[i].ptr, ci->max_values[i].len);
    }
    floe_thrift_w_i32_field(&o, 4, ci->boundary_order);
    if (ci->has_null_counts) {
        floe_thrift_w_field(&o, 5, FLOE_TC_LIST);
        floe_thrift_w_list_begin(&o, FLOE_TC_I64, (uint32_t)ci->n);
        for (size_t i = 0; i < ci->n; i++) {
            floe_thrift_w_i64(&o, ci->null_counts[i]);
        }
    }
    floe_thrift_w_struct_end(&o);
}
