/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of Parquet's Thrift structures (parquet.thrift): FileMetaData into floe_pq_file_meta
 * with the schema rebuilt as a tree, PageHeader, and the page index (OffsetIndex, ColumnIndex).
 *
 * Every struct is decoded field by field; fields with an unexpected type or an unknown id are
 * skipped, required fields are checked afterwards. Strings and statistics are copied into the
 * caller's arena, so a decoded footer does not point into the footer bytes. Legacy
 * ConvertedType annotations are mapped onto logical types following the backward-compatibility
 * rules of LogicalTypes.md.
 */
#include "parquet_int.h"

#include <string.h>

/* ==== Small helpers ==== */

static bool is_bool(uint8_t t)
{
    return t == FLOE_TC_TRUE || t == FLOE_TC_FALSE;
}

static const char *dup_str(floe_arena *a, floe_str s)
{
    return floe_arena_strndup(a, s.ptr, s.len);
}

static floe_status read_str(floe_thrift_in *in, floe_arena *a, const char **out, floe_err *err)
{
    floe_str s;
    floe_status st = floe_thrift_binary(in, &s, err);
    if (st == FLOE_OK) {
        *out = dup_str(a, s);
        if (*out == NULL) {
            return floe_arena_check(a, err);
        }
    }
    return st;
}

/* Copy bytes into the arena, or borrow them when `a` is NULL. */
static floe_status read_bytes(floe_thrift_in *in, floe_arena *a, floe_str *out, floe_err *err)
{
    floe_str s;
    floe_status st = floe_thrift_binary(in, &s, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (a == NULL || s.len == 0) {
        *out = s;
        return FLOE_OK;
    }
    out->ptr = floe_arena_memdup(a, s.ptr, s.len);
    out->len = s.len;
    return out->ptr == NULL ? floe_arena_check(a, err) : FLOE_OK;
}

/* Allocate `n` zeroed elements of `size` for a list. */
static void *alloc_list(floe_arena *a, uint32_t n, size_t size, floe_err *err, floe_status *st)
{
    if (n == 0) {
        return NULL;
    }
    void *p = floe_arena_calloc(a, n, size);
    if (p == NULL) {
        *st = floe_arena_check(a, err);
    }
    return p;
}

static floe_status expect_list(floe_thrift_in *in, uint8_t want, uint32_t *n, floe_err *err)
{
    uint8_t et;
    floe_status st = floe_thrift_list(in, &et, n, err);
    if (st == FLOE_OK && *n > 0 && et != want && !(is_bool(want) && is_bool(et))) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: list of type %u where type %u was expected at offset %zu",
                            (unsigned)et, (unsigned)want, in->cur.pos);
    }
    return st;
}

static floe_status missing(floe_err *err, const char *strct, const char *field)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT, "%s has no %s", strct, field);
}

/* ==== Statistics ==== */

static floe_status decode_stats(floe_thrift_in *in, floe_arena *a, floe_pq_stats *out,
                                floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_str legacy_min = {0}, legacy_max = {0};
    bool has_lmin = false, has_lmax = false;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_BINARY) {
            st = read_bytes(in, a, &legacy_max, err);
            has_lmax = true;
        } else if (id == 2 && t == FLOE_TC_BINARY) {
            st = read_bytes(in, a, &legacy_min, err);
            has_lmin = true;
        } else if (id == 3 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &out->null_count, err);
            out->has_null_count = true;
        } else if (id == 4 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &out->distinct_count, err);
            out->has_distinct_count = true;
        } else if (id == 5 && t == FLOE_TC_BINARY) {
            st = read_bytes(in, a, &out->max, err);
            out->has_max = true;
        } else if (id == 6 && t == FLOE_TC_BINARY) {
            st = read_bytes(in, a, &out->min, err);
            out->has_min = true;
        } else if (id == 7 && is_bool(t)) {
            st = floe_thrift_bool(in, t, &out->max_exact, err);
            out->has_max_exact = true;
        } else if (id == 8 && is_bool(t)) {
            st = floe_thrift_bool(in, t, &out->min_exact, err);
            out->has_min_exact = true;
        } else if (id == 9 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &out->nan_count, err);
            out->has_nan_count = true;
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "statistics");
    }
    /* Only the deprecated signed min/max: keep them, flagged. */
    if (!out->has_min && !out->has_max && (has_lmin || has_lmax)) {
        out->legacy_minmax = true;
        out->has_min = has_lmin;
        out->min = legacy_min;
        out->has_max = has_lmax;
        out->max = legacy_max;
    }
    return floe_thrift_struct_end(in, err);
}

/* ==== Key-value metadata ==== */

static floe_status decode_kv_list(floe_thrift_in *in, floe_arena *a, floe_pq_kv **out,
                                  size_t *n_out, floe_err *err)
{
    uint32_t n;
    floe_status st = expect_list(in, FLOE_TC_STRUCT, &n, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_pq_kv *kv = alloc_list(a, n, sizeof(*kv), err, &st);
    for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
        bool has_key = false;
        st = floe_thrift_struct_begin(in, err);
        while (st == FLOE_OK) {
            int16_t id;
            uint8_t t;
            st = floe_thrift_field(in, &id, &t, err);
            if (st != FLOE_OK || t == FLOE_TC_STOP) {
                break;
            }
            if (id == 1 && t == FLOE_TC_BINARY) {
                st = read_str(in, a, &kv[i].key, err);
                has_key = true;
            } else if (id == 2 && t == FLOE_TC_BINARY) {
                st = read_str(in, a, &kv[i].value, err);
            } else {
                st = floe_thrift_skip(in, t, err);
            }
        }
        if (st == FLOE_OK) {
            st = floe_thrift_struct_end(in, err);
        }
        if (st == FLOE_OK && !has_key) {
            st = missing(err, "KeyValue", "key");
        }
    }
    if (st == FLOE_OK) {
        *out = kv;
        *n_out = n;
    }
    return st;
}

/* ==== Logical types ==== */

/* A struct whose fields are all skipped (empty union members). */
static floe_status skip_struct_body(floe_thrift_in *in, floe_err *err)
{
    return floe_thrift_skip(in, FLOE_TC_STRUCT, err);
}

static floe_status decode_time_unit(floe_thrift_in *in, floe_time_unit *unit, bool *seen,
                                    floe_err *err)
{
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (t == FLOE_TC_STRUCT && id >= 1 && id <= 3) {
            *unit = id == 1 ? FLOE_UNIT_MILLIS : id == 2 ? FLOE_UNIT_MICROS : FLOE_UNIT_NANOS;
            *seen = true;
        }
        st = floe_thrift_skip(in, t, err);
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

/* TimeType / TimestampType: 1 isAdjustedToUTC, 2 unit. */
static floe_status decode_time_type(floe_thrift_in *in, floe_pq_logical *lt, floe_err *err)
{
    bool has_unit = false;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && is_bool(t)) {
            st = floe_thrift_bool(in, t, &lt->utc, err);
        } else if (id == 2 && t == FLOE_TC_STRUCT) {
            st = decode_time_unit(in, &lt->unit, &has_unit, err);
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st == FLOE_OK && !has_unit) {
        st = missing(err, "time type", "unit");
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

static floe_status decode_logical(floe_thrift_in *in, floe_pq_logical *lt, floe_err *err)
{
    memset(lt, 0, sizeof(*lt));
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (t != FLOE_TC_STRUCT) {
            st = floe_thrift_skip(in, t, err);
            continue;
        }
        switch (id) {
        case 1:
            lt->kind = FLOE_PQ_LT_STRING;
            break;
        case 2:
            lt->kind = FLOE_PQ_LT_MAP;
            break;
        case 3:
            lt->kind = FLOE_PQ_LT_LIST;
            break;
        case 4:
            lt->kind = FLOE_PQ_LT_ENUM;
            break;
        case 5:
            lt->kind = FLOE_PQ_LT_DECIMAL;
            break;
        case 6:
            lt->kind = FLOE_PQ_LT_DATE;
            break;
        case 7:
            lt->kind = FLOE_PQ_LT_TIME;
            break;
        case 8:
            lt->kind = FLOE_PQ_LT_TIMESTAMP;
            break;
        case 10:
            lt->kind = FLOE_PQ_LT_INTEGER;
            break;
        case 11:
            lt->kind = FLOE_PQ_LT_UNKNOWN;
            break;
        case 12:
            lt->kind = FLOE_PQ_LT_JSON;
            break;
        case 13:
            lt->kind = FLOE_PQ_LT_BSON;
            break;
        case 14:
            lt->kind = FLOE_PQ_LT_UUID;
            break;
        case 15:
            lt->kind = FLOE_PQ_LT_FLOAT16;
            break;
        default: /* VARIANT, GEOMETRY, GEOGRAPHY and whatever comes next */
            lt->kind = FLOE_PQ_LT_OTHER;
            break;
        }
        if (id == 5) {
            bool has_p = false, has_s = false;
            st = floe_thrift_struct_begin(in, err);
            while (st == FLOE_OK) {
                st = floe_thrift_field(in, &id, &t, err);
                if (st != FLOE_OK || t == FLOE_TC_STOP) {
                    break;
                }
                if (id == 1 && t == FLOE_TC_I32) {
                    st = floe_thrift_i32(in, &lt->scale, err);
                    has_s = true;
                } else if (id == 2 && t == FLOE_TC_I32) {
                    st = floe_thrift_i32(in, &lt->precision, err);
                    has_p = true;
                } else {
                    st = floe_thrift_skip(in, t, err);
                }
            }
            if (st == FLOE_OK && (!has_p || !has_s)) {
                st = missing(err, "decimal type", !has_p ? "precision" : "scale");
            }
            if (st == FLOE_OK) {
                st = floe_thrift_struct_end(in, err);
            }
        } else if (id == 7 || id == 8) {
            st = decode_time_type(in, lt, err);
        } else if (id == 10) {
            bool has_w = false;
            lt->is_signed = true;
            st = floe_thrift_struct_begin(in, err);
            while (st == FLOE_OK) {
                st = floe_thrift_field(in, &id, &t, err);
                if (st != FLOE_OK || t == FLOE_TC_STOP) {
                    break;
                }
                if (id == 1 && t == FLOE_TC_I8) {
                    st = floe_thrift_i8(in, &lt->bit_width, err);
                    has_w = true;
                } else if (id == 2 && is_bool(t)) {
                    st = floe_thrift_bool(in, t, &lt->is_signed, err);
                } else {
                    st = floe_thrift_skip(in, t, err);
                }
            }
            if (st == FLOE_OK && (!has_w || (lt->bit_width != 8 && lt->bit_width != 16 &&
                                             lt->bit_width != 32 && lt->bit_width != 64))) {
                st = floe_err_set(err, FLOE_ERR_CORRUPT, "integer type has bit width %d",
                                  (int)lt->bit_width);
            }
            if (st == FLOE_OK) {
                st = floe_thrift_struct_end(in, err);
            }
        } else {
            st = skip_struct_body(in, err);
        }
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "logical type");
    }
    return floe_thrift_struct_end(in, err);
}

/* ConvertedType -> logical type (LogicalTypes.md, "Backward compatibility"). */
static void logical_from_converted(int32_t ct, int32_t scale, int32_t precision,
                                   floe_pq_logical *lt)
{
    memset(lt, 0, sizeof(*lt));
    switch (ct) {
    case 0:
        lt->kind = FLOE_PQ_LT_STRING;
        break;
    case 1:
    case 2: /* MAP_KEY_VALUE: also found where MAP belongs */
        lt->kind = FLOE_PQ_LT_MAP;
        break;
    case 3:
        lt->kind = FLOE_PQ_LT_LIST;
        break;
    case 4:
        lt->kind = FLOE_PQ_LT_ENUM;
        break;
    case 5:
        lt->kind = FLOE_PQ_LT_DECIMAL;
        lt->scale = scale;
        lt->precision = precision;
        break;
    case 6:
        lt->kind = FLOE_PQ_LT_DATE;
        break;
    case 7:
    case 8:
        lt->kind = FLOE_PQ_LT_TIME;
        lt->unit = ct == 7 ? FLOE_UNIT_MILLIS : FLOE_UNIT_MICROS;
        lt->utc = true;
        break;
    case 9:
    case 10:
        lt->kind = FLOE_PQ_LT_TIMESTAMP;
        lt->unit = ct == 9 ? FLOE_UNIT_MILLIS : FLOE_UNIT_MICROS;
        lt->utc = true;
        break;
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
        lt->kind = FLOE_PQ_LT_INTEGER;
        lt->is_signed = ct >= 15;
        lt->bit_width = (int8_t)(8 << ((ct - 11) % 4));
        break;
    case 19:
        lt->kind = FLOE_PQ_LT_JSON;
        break;
    case 20:
        lt->kind = FLOE_PQ_LT_BSON;
        break;
    case 21:
        lt->kind = FLOE_PQ_LT_INTERVAL;
        break;
    default:
        break;
    }
}

/* ==== Schema ==== */

typedef struct schema_elem {
    bool has_type;
    int32_t type;
    int32_t type_length;
    bool has_repetition;
    int32_t repetition;
    const char *name;
    bool has_children;
    int32_t num_children;
    int32_t converted_type; /* -1: absent */
    int32_t scale, precision;
    bool has_field_id;
    int32_t field_id;
    bool has_logical;
    floe_pq_logical logical;
} schema_elem;

static floe_status decode_schema_elem(floe_thrift_in *in, floe_arena *a, schema_elem *e,
                                      floe_err *err)
{
    e->converted_type = -1;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->type, err);
            e->has_type = true;
        } else if (id == 2 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->type_length, err);
        } else if (id == 3 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->repetition, err);
            e->has_repetition = true;
        } else if (id == 4 && t == FLOE_TC_BINARY) {
            st = read_str(in, a, &e->name, err);
        } else if (id == 5 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->num_children, err);
            e->has_children = true;
        } else if (id == 6 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->converted_type, err);
        } else if (id == 7 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->scale, err);
        } else if (id == 8 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->precision, err);
        } else if (id == 9 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &e->field_id, err);
            e->has_field_id = true;
        } else if (id == 10 && t == FLOE_TC_STRUCT) {
            st = decode_logical(in, &e->logical, err);
            e->has_logical = true;
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st == FLOE_OK && e->name == NULL) {
        st = missing(err, "SchemaElement", "name");
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

typedef struct tree_ctx {
    schema_elem *elems;
    size_t n;
    size_t next;
    floe_arena *a;
    floe_err *err;
} tree_ctx;

static floe_status build_node(tree_ctx *c, int depth, floe_pq_node **out)
{
    if (depth > FLOE_PQ_MAX_SCHEMA_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_CORRUPT, "schema nests deeper than %d levels",
                            FLOE_PQ_MAX_SCHEMA_DEPTH);
    }
    if (c->next >= c->n) {
        return floe_err_set(c->err, FLOE_ERR_CORRUPT,
                            "schema: a group declares more children than the %zu elements hold",
                            c->n);
    }
    size_t idx = c->next++;
    const schema_elem *e = &c->elems[idx];
    floe_pq_node *node = floe_arena_calloc(c->a, 1, sizeof(*node));
    if (node == NULL) {
        return floe_arena_check(c->a, c->err);
    }
    node->name = e->name;
    node->has_field_id = e->has_field_id;
    node->field_id = e->field_id;
    node->converted_type = e->converted_type;
    node->leaf_index = -1;
    if (e->has_repetition) {
        if (e->repetition < 0 || e->repetition > FLOE_PQ_REPEATED) {
            return floe_err_set(c->err, FLOE_ERR_CORRUPT,
                                "schema element '%s' has an unknown repetition %d", e->name,
                                e->repetition);
        }
        node->repetition = (floe_pq_repetition)e->repetition;
    } else {
        node->repetition = FLOE_PQ_REQUIRED;
    }
    if (e->has_logical) {
        node->logical = e->logical;
    } else if (e->converted_type >= 0) {
        logical_from_converted(e->converted_type, e->scale, e->precision, &node->logical);
    }
    bool group = depth == 0 || (e->has_children && e->num_children > 0) || !e->has_type;
    if (!group) {
        if (e->type < 0 || e->type > FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            return floe_err_set(c->err, FLOE_ERR_CORRUPT,
                                "schema element '%s' has an unknown physical type %d", e->name,
                                e->type);
        }
        node->is_leaf = true;
        node->type = (floe_pq_type)e->type;
        node->type_length = e->type_length;
        *out = node;
        return FLOE_OK;
    }
    if (!e->has_children) {
        return floe_err_set(c->err, FLOE_ERR_CORRUPT,
                            "schema element '%s' has neither a type nor children", e->name);
    }
    if (e->num_children < 0 || (size_t)e->num_children > c->n - c->next) {
        return floe_err_set(c->err, FLOE_ERR_CORRUPT,
                            "schema group '%s' declares %d children but only %zu elements follow",
                            e->name, e->num_children, c->n - c->next);
    }
    node->n_children = (size_t)e->num_children;
    if (node->n_children > 0) {
        node->children = floe_arena_calloc(c->a, node->n_children, sizeof(*node->children));
        if (node->children == NULL) {
            return floe_arena_check(c->a, c->err);
        }
    }
    for (size_t i = 0; i < node->n_children; i++) {
        floe_status st = build_node(c, depth + 1, &node->children[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = node;
    return FLOE_OK;
}

static floe_status decode_schema(floe_thrift_in *in, floe_arena *a, floe_pq_schema *schema,
                                 floe_err *err)
{
    uint32_t n;
    floe_status st = expect_list(in, FLOE_TC_STRUCT, &n, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (n == 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "schema has no elements");
    }
    schema_elem *elems = alloc_list(a, n, sizeof(*elems), err, &st);
    for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
        st = decode_schema_elem(in, a, &elems[i], err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "schema element %u", i);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    tree_ctx c = {.elems = elems, .n = n, .a = a, .err = err};
    st = build_node(&c, 0, &schema->root);
    if (st == FLOE_OK && c.next != n) {
        st = floe_err_set(err, FLOE_ERR_CORRUPT,
                          "schema has %zu elements outside the tree rooted at '%s'", n - c.next,
                          elems[0].name);
    }
    if (st != FLOE_OK) {
        return st;
    }
    /* The schema checks report INVALID for hand-built schemas; from a file it is corruption. */
    floe_err local = {0};
    st = floe_pq_schema_finish(schema, a, &local);
    if (st == FLOE_ERR_INVALID) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "schema: %s", local.msg);
    }
    if (st != FLOE_OK) {
        return floe_err_set(err, st, "schema: %s", local.msg);
    }
    return FLOE_OK;
}

/* ==== Row groups ==== */

static floe_status decode_i32_list(floe_thrift_in *in, floe_arena *a, int32_t **out, size_t *n_out,
                                   floe_err *err)
{
    uint32_t n;
    floe_status st = expect_list(in, FLOE_TC_I32, &n, err);
    int32_t *v = st == FLOE_OK ? alloc_list(a, n, sizeof(*v), err, &st) : NULL;
    for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
        st = floe_thrift_i32(in, &v[i], err);
    }
    if (st == FLOE_OK) {
        *out = v;
        *n_out = n;
    }
    return st;
}

static floe_status decode_encoding_stats(floe_thrift_in *in, floe_arena *a,
                                         floe_pq_column_chunk *cc, floe_err *err)
{
    uint32_t n;
    floe_status st = expect_list(in, FLOE_TC_STRUCT, &n, err);
    floe_pq_page_encoding_stats *v = st == FLOE_OK ? alloc_list(a, n, sizeof(*v), err, &st) : NULL;
    for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
        st = floe_thrift_struct_begin(in, err);
        while (st == FLOE_OK) {
            int16_t id;
            uint8_t t;
            st = floe_thrift_field(in, &id, &t, err);
            if (st != FLOE_OK || t == FLOE_TC_STOP) {
                break;
            }
            if (id == 1 && t == FLOE_TC_I32) {
                st = floe_thrift_i32(in, &v[i].page_type, err);
            } else if (id == 2 && t == FLOE_TC_I32) {
                st = floe_thrift_i32(in, &v[i].encoding, err);
            } else if (id == 3 && t == FLOE_TC_I32) {
                st = floe_thrift_i32(in, &v[i].count, err);
            } else {
                st = floe_thrift_skip(in, t, err);
            }
        }
        if (st == FLOE_OK) {
            st = floe_thrift_struct_end(in, err);
        }
    }
    if (st == FLOE_OK) {
        cc->encoding_stats = v;
        cc->n_encoding_stats = n;
    }
    return st;
}

enum {
    CMD_TYPE = 1 << 0,
    CMD_ENCODINGS = 1 << 1,
    CMD_PATH = 1 << 2,
    CMD_CODEC = 1 << 3,
    CMD_NUM_VALUES = 1 << 4,
    CMD_UNCOMP = 1 << 5,
    CMD_COMP = 1 << 6,
    CMD_DATA_OFF = 1 << 7,
    CMD_REQUIRED = CMD_TYPE | CMD_CODEC | CMD_NUM_VALUES | CMD_UNCOMP | CMD_COMP | CMD_DATA_OFF
};

static floe_status decode_column_meta(floe_thrift_in *in, floe_arena *a, floe_pq_column_chunk *cc,
                                      floe_err *err)
{
    unsigned seen = 0;
    int32_t v32;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &v32, err);
            if (st == FLOE_OK && (v32 < 0 || v32 > FLOE_PQ_FIXED_LEN_BYTE_ARRAY)) {
                st = floe_err_set(err, FLOE_ERR_CORRUPT, "unknown physical type %d", v32);
            }
            cc->type = (floe_pq_type)v32;
            seen |= CMD_TYPE;
        } else if (id == 2 && t == FLOE_TC_LIST) {
            st = decode_i32_list(in, a, &cc->encodings, &cc->n_encodings, err);
            seen |= CMD_ENCODINGS;
        } else if (id == 3 && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(in, FLOE_TC_BINARY, &n, err);
            const char **path = st == FLOE_OK ? alloc_list(a, n, sizeof(*path), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                st = read_str(in, a, &path[i], err);
            }
            cc->path_in_schema = path;
            cc->n_path = n;
            seen |= CMD_PATH;
        } else if (id == 4 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &v32, err);
            cc->codec = (floe_pq_codec)v32;
            seen |= CMD_CODEC;
        } else if (id == 5 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->num_values, err);
            seen |= CMD_NUM_VALUES;
        } else if (id == 6 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->total_uncompressed_size, err);
            seen |= CMD_UNCOMP;
        } else if (id == 7 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->total_compressed_size, err);
            seen |= CMD_COMP;
        } else if (id == 8 && t == FLOE_TC_LIST) {
            st = decode_kv_list(in, a, &cc->kv, &cc->n_kv, err);
        } else if (id == 9 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->data_page_offset, err);
            seen |= CMD_DATA_OFF;
        } else if (id == 10 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->index_page_offset, err);
            cc->has_index_page_offset = true;
        } else if (id == 11 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->dictionary_page_offset, err);
            cc->has_dictionary_page_offset = true;
        } else if (id == 12 && t == FLOE_TC_STRUCT) {
            st = decode_stats(in, a, &cc->stats, err);
            cc->has_stats = true;
        } else if (id == 13 && t == FLOE_TC_LIST) {
            st = decode_encoding_stats(in, a, cc, err);
        } else if (id == 14 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->bloom_filter_offset, err);
            cc->has_bloom_filter = true;
        } else if (id == 15 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &cc->bloom_filter_length, err);
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    if ((seen & CMD_REQUIRED) != CMD_REQUIRED) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "ColumnMetaData lacks a required field (%s)",
                            !(seen & CMD_TYPE)         ? "type"
                            : !(seen & CMD_CODEC)      ? "codec"
                            : !(seen & CMD_NUM_VALUES) ? "num_values"
                            : !(seen & CMD_UNCOMP)     ? "total_uncompressed_size"
                            : !(seen & CMD_COMP)       ? "total_compressed_size"
                                                       : "data_page_offset");
    }
    if (cc->num_values < 0 || cc->total_compressed_size < 0 || cc->total_uncompressed_size < 0 ||
        cc->data_page_offset < 0 ||
        (cc->has_dictionary_page_offset && cc->dictionary_page_offset < 0)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "ColumnMetaData has a negative count, size or offset (num_values "
                            "%lld, compressed size %lld, data page offset %lld)",
                            (long long)cc->num_values, (long long)cc->total_compressed_size,
                            (long long)cc->data_page_offset);
    }
    return floe_thrift_struct_end(in, err);
}

static floe_status decode_column_chunk(floe_thrift_in *in, floe_arena *a, floe_pq_column_chunk *cc,
                                       floe_err *err)
{
    bool has_meta = false, encrypted = false;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_BINARY) {
            st = read_str(in, a, &cc->file_path, err);
        } else if (id == 2 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->file_offset, err);
        } else if (id == 3 && t == FLOE_TC_STRUCT) {
            st = decode_column_meta(in, a, cc, err);
            has_meta = true;
        } else if (id == 4 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->offset_index_offset, err);
            cc->has_offset_index = true;
        } else if (id == 5 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &cc->offset_index_length, err);
        } else if (id == 6 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &cc->column_index_offset, err);
            cc->has_column_index = true;
        } else if (id == 7 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &cc->column_index_length, err);
        } else {
            if (id == 8 || id == 9) {
                encrypted = true;
            }
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st == FLOE_OK && !has_meta) {
        if (encrypted) {
            return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "column chunk is encrypted");
        }
        return missing(err, "ColumnChunk", "meta_data");
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

static floe_status decode_row_group(floe_thrift_in *in, floe_arena *a, floe_pq_row_group *rg,
                                    floe_err *err)
{
    bool has_cols = false, has_rows = false, has_size = false;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(in, FLOE_TC_STRUCT, &n, err);
            rg->columns = st == FLOE_OK ? alloc_list(a, n, sizeof(*rg->columns), err, &st) : NULL;
            rg->n_columns = n;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                st = decode_column_chunk(in, a, &rg->columns[i], err);
                if (st != FLOE_OK) {
                    floe_err_wrap(err, "column %u", i);
                }
            }
            has_cols = true;
        } else if (id == 2 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &rg->total_byte_size, err);
            has_size = true;
        } else if (id == 3 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &rg->num_rows, err);
            has_rows = true;
        } else if (id == 4 && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(in, FLOE_TC_STRUCT, &n, err);
            floe_pq_sorting_column *sc =
                st == FLOE_OK ? alloc_list(a, n, sizeof(*sc), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                st = floe_thrift_struct_begin(in, err);
                while (st == FLOE_OK) {
                    st = floe_thrift_field(in, &id, &t, err);
                    if (st != FLOE_OK || t == FLOE_TC_STOP) {
                        break;
                    }
                    if (id == 1 && t == FLOE_TC_I32) {
                        st = floe_thrift_i32(in, &sc[i].column_idx, err);
                    } else if (id == 2 && is_bool(t)) {
                        st = floe_thrift_bool(in, t, &sc[i].descending, err);
                    } else if (id == 3 && is_bool(t)) {
                        st = floe_thrift_bool(in, t, &sc[i].nulls_first, err);
                    } else {
                        st = floe_thrift_skip(in, t, err);
                    }
                }
                if (st == FLOE_OK) {
                    st = floe_thrift_struct_end(in, err);
                }
            }
            rg->sorting_columns = sc;
            rg->n_sorting_columns = n;
        } else if (id == 5 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &rg->file_offset, err);
            rg->has_file_offset = true;
        } else if (id == 6 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(in, &rg->total_compressed_size, err);
            rg->has_total_compressed_size = true;
        } else if (id == 7 && t == FLOE_TC_I16) {
            st = floe_thrift_i16(in, &rg->ordinal, err);
            rg->has_ordinal = true;
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    if (!has_cols || !has_rows || !has_size) {
        return missing(err, "RowGroup",
                       !has_cols   ? "columns"
                       : !has_rows ? "num_rows"
                                   : "total_byte_size");
    }
    if (rg->num_rows < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "negative num_rows %lld",
                            (long long)rg->num_rows);
    }
    return floe_thrift_struct_end(in, err);
}

static floe_status decode_column_orders(floe_thrift_in *in, floe_arena *a, floe_pq_file_meta *m,
                                        floe_err *err)
{
    uint32_t n;
    floe_status st = expect_list(in, FLOE_TC_STRUCT, &n, err);
    bool *orders = st == FLOE_OK ? alloc_list(a, n, sizeof(*orders), err, &st) : NULL;
    for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
        st = floe_thrift_struct_begin(in, err);
        while (st == FLOE_OK) {
            int16_t id;
            uint8_t t;
            st = floe_thrift_field(in, &id, &t, err);
            if (st != FLOE_OK || t == FLOE_TC_STOP) {
                break;
            }
            if (id == 1 && t == FLOE_TC_STRUCT) {
                orders[i] = true;
            }
            st = floe_thrift_skip(in, t, err);
        }
        if (st == FLOE_OK) {
            st = floe_thrift_struct_end(in, err);
        }
    }
    if (st == FLOE_OK) {
        m->type_defined_order = orders;
        m->n_column_orders = n;
    }
    return st;
}

/* ==== FileMetaData ==== */

floe_status floe_pq_decode_file_meta(const uint8_t *bytes, size_t len, floe_arena *a,
                                     floe_pq_file_meta *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    out->footer_length = len;
    floe_thrift_in in;
    floe_thrift_in_init(&in, bytes, len);
    bool has_version = false, has_schema = false, has_rows = false, has_rgs = false;
    floe_status st = floe_thrift_struct_begin(&in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(&in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &out->version, err);
            has_version = true;
        } else if (id == 2 && t == FLOE_TC_LIST) {
            st = decode_schema(&in, a, &out->schema, err);
            has_schema = true;
        } else if (id == 3 && t == FLOE_TC_I64) {
            st = floe_thrift_i64(&in, &out->num_rows, err);
            has_rows = true;
        } else if (id == 4 && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(&in, FLOE_TC_STRUCT, &n, err);
            out->row_groups =
                st == FLOE_OK ? alloc_list(a, n, sizeof(*out->row_groups), err, &st) : NULL;
            out->n_row_groups = n;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                st = decode_row_group(&in, a, &out->row_groups[i], err);
                if (st != FLOE_OK) {
                    floe_err_wrap(err, "row group %u", i);
                }
            }
            has_rgs = true;
        } else if (id == 5 && t == FLOE_TC_LIST) {
            st = decode_kv_list(&in, a, &out->kv, &out->n_kv, err);
        } else if (id == 6 && t == FLOE_TC_BINARY) {
            st = read_str(&in, a, &out->created_by, err);
        } else if (id == 7 && t == FLOE_TC_LIST) {
            st = decode_column_orders(&in, a, out, err);
        } else {
            st = floe_thrift_skip(&in, t, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_thrift_struct_end(&in, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "footer");
    }
    if (!has_version || !has_schema || !has_rows || !has_rgs) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "footer: FileMetaData has no %s",
                            !has_version  ? "version"
                            : !has_schema ? "schema"
                            : !has_rows   ? "num_rows"
                                          : "row_groups");
    }
    if (out->num_rows < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "footer: negative num_rows %lld",
                            (long long)out->num_rows);
    }
    int64_t total = 0;
    for (size_t i = 0; i < out->n_row_groups; i++) {
        const floe_pq_row_group *rg = &out->row_groups[i];
        if (rg->n_columns != out->schema.n_leaves) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "footer: row group %zu has %zu columns, the schema %zu leaves", i,
                                rg->n_columns, out->schema.n_leaves);
        }
        if (__builtin_add_overflow(total, rg->num_rows, &total)) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "footer: row counts overflow");
        }
        for (size_t c = 0; c < rg->n_columns; c++) {
            const floe_pq_column_chunk *cc = &rg->columns[c];
            const floe_pq_node *leaf = out->schema.leaves[c];
            if (cc->type != leaf->type) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "footer: row group %zu column %zu ('%s') is %s but the schema "
                                    "says %s",
                                    i, c, leaf->name, floe_pq_type_name(cc->type),
                                    floe_pq_type_name(leaf->type));
            }
        }
    }
    return FLOE_OK;
}

/* ==== Page headers ==== */

static floe_status decode_data_page_header(floe_thrift_in *in, floe_pq_page_header *h, bool v2,
                                           floe_err *err)
{
    unsigned seen = 0;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        int32_t *dst = NULL;
        if (t == FLOE_TC_I32) {
            if (id == 1) {
                dst = &h->num_values;
            } else if (!v2 && id == 2) {
                dst = &h->encoding;
            } else if (!v2 && id == 3) {
                dst = &h->def_encoding;
            } else if (!v2 && id == 4) {
                dst = &h->rep_encoding;
            } else if (v2 && id == 2) {
                dst = &h->num_nulls;
            } else if (v2 && id == 3) {
                dst = &h->num_rows;
            } else if (v2 && id == 4) {
                dst = &h->encoding;
            } else if (v2 && id == 5) {
                dst = &h->def_len;
            } else if (v2 && id == 6) {
                dst = &h->rep_len;
            }
        }
        if (dst != NULL) {
            st = floe_thrift_i32(in, dst, err);
            seen |= 1u << id;
        } else if (v2 && id == 7 && is_bool(t)) {
            st = floe_thrift_bool(in, t, &h->is_compressed, err);
        } else if (id == (v2 ? 8 : 5) && t == FLOE_TC_STRUCT) {
            st = decode_stats(in, NULL, &h->stats, err);
            h->has_stats = true;
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    static const char *const v1_names[] = {
        "", "num_values", "encoding", "definition_level_encoding", "repetition_level_encoding"};
    static const char *const v2_names[] = {"",
                                           "num_values",
                                           "num_nulls",
                                           "num_rows",
                                           "encoding",
                                           "definition_levels_byte_length",
                                           "repetition_levels_byte_length"};
    int last = v2 ? 6 : 4;
    for (int id = 1; id <= last; id++) {
        if (!(seen & (1u << id))) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "%s has no %s (as an i32)",
                                v2 ? "DataPageHeaderV2" : "DataPageHeader",
                                v2 ? v2_names[id] : v1_names[id]);
        }
    }
    return floe_thrift_struct_end(in, err);
}

static floe_status decode_dict_page_header(floe_thrift_in *in, floe_pq_page_header *h,
                                           floe_err *err)
{
    bool has_n = false, has_enc = false;
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &h->dict_num_values, err);
            has_n = true;
        } else if (id == 2 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(in, &h->dict_encoding, err);
            has_enc = true;
        } else if (id == 3 && is_bool(t)) {
            st = floe_thrift_bool(in, t, &h->dict_sorted, err);
        } else {
            st = floe_thrift_skip(in, t, err);
        }
    }
    if (st == FLOE_OK && (!has_n || !has_enc)) {
        st = missing(err, "DictionaryPageHeader", !has_n ? "num_values" : "encoding");
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

floe_status floe_pq_decode_page_header(floe_cursor *c, floe_pq_page_header *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    out->is_compressed = true;
    floe_thrift_in in;
    floe_thrift_in_init(&in, c->data + c->pos, c->len - c->pos);
    bool has_type = false, has_u = false, has_c = false, has_sub = false;
    int32_t crc = 0;
    floe_status st = floe_thrift_struct_begin(&in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(&in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &out->type, err);
            has_type = true;
        } else if (id == 2 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &out->uncompressed_size, err);
            has_u = true;
        } else if (id == 3 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &out->compressed_size, err);
            has_c = true;
        } else if (id == 4 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &crc, err);
            out->has_crc = true;
            out->crc = (uint32_t)crc;
        } else if (id == 5 && t == FLOE_TC_STRUCT) {
            st = decode_data_page_header(&in, out, false, err);
            has_sub = has_sub || out->type == FLOE_PQ_PAGE_DATA;
        } else if (id == 7 && t == FLOE_TC_STRUCT) {
            st = decode_dict_page_header(&in, out, err);
            has_sub = has_sub || out->type == FLOE_PQ_PAGE_DICT;
        } else if (id == 8 && t == FLOE_TC_STRUCT) {
            st = decode_data_page_header(&in, out, true, err);
            has_sub = has_sub || out->type == FLOE_PQ_PAGE_DATA_V2;
        } else {
            st = floe_thrift_skip(&in, t, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_thrift_struct_end(&in, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "page header");
    }
    if (!has_type || !has_u || !has_c) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "page header has no %s",
                            !has_type ? "type"
                            : !has_u  ? "uncompressed_page_size"
                                      : "compressed_page_size");
    }
    if (out->uncompressed_size < 0 || out->compressed_size < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "page header has a negative size (compressed %d, uncompressed %d)",
                            out->compressed_size, out->uncompressed_size);
    }
    bool needs_sub = out->type == FLOE_PQ_PAGE_DATA || out->type == FLOE_PQ_PAGE_DICT ||
                     out->type == FLOE_PQ_PAGE_DATA_V2;
    if (needs_sub && !has_sub) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "page header of type %d has no %s header",
                            out->type,
                            out->type == FLOE_PQ_PAGE_DICT ? "dictionary page" : "data page");
    }
    c->pos += in.cur.pos;
    return FLOE_OK;
}

/* ==== Page index ==== */

floe_status floe_pq_decode_offset_index(const uint8_t *p, size_t len, floe_arena *a,
                                        floe_pq_offset_index *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_thrift_in in;
    floe_thrift_in_init(&in, p, len);
    bool has_pages = false;
    floe_status st = floe_thrift_struct_begin(&in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(&in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(&in, FLOE_TC_STRUCT, &n, err);
            floe_pq_page_location *pl =
                st == FLOE_OK ? alloc_list(a, n, sizeof(*pl), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                unsigned seen = 0;
                st = floe_thrift_struct_begin(&in, err);
                while (st == FLOE_OK) {
                    st = floe_thrift_field(&in, &id, &t, err);
                    if (st != FLOE_OK || t == FLOE_TC_STOP) {
                        break;
                    }
                    if (id == 1 && t == FLOE_TC_I64) {
                        st = floe_thrift_i64(&in, &pl[i].offset, err);
                        seen |= 1;
                    } else if (id == 2 && t == FLOE_TC_I32) {
                        st = floe_thrift_i32(&in, &pl[i].compressed_page_size, err);
                        seen |= 2;
                    } else if (id == 3 && t == FLOE_TC_I64) {
                        st = floe_thrift_i64(&in, &pl[i].first_row_index, err);
                        seen |= 4;
                    } else {
                        st = floe_thrift_skip(&in, t, err);
                    }
                }
                if (st == FLOE_OK && seen != 7) {
                    st = missing(err, "PageLocation", "a required field");
                }
                if (st == FLOE_OK) {
                    st = floe_thrift_struct_end(&in, err);
                }
            }
            out->pages = pl;
            out->n = n;
            has_pages = true;
        } else {
            st = floe_thrift_skip(&in, t, err);
        }
    }
    if (st == FLOE_OK && !has_pages) {
        st = missing(err, "OffsetIndex", "page_locations");
    }
    if (st == FLOE_OK) {
        st = floe_thrift_struct_end(&in, err);
    }
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "offset index");
}

floe_status floe_pq_decode_column_index(const uint8_t *p, size_t len, floe_arena *a,
                                        floe_pq_column_index *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_thrift_in in;
    floe_thrift_in_init(&in, p, len);
    uint32_t n_null = 0, n_min = 0, n_max = 0, n_counts = 0;
    unsigned seen = 0;
    floe_status st = floe_thrift_struct_begin(&in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(&in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        if (id == 1 && t == FLOE_TC_LIST) {
            st = expect_list(&in, FLOE_TC_TRUE, &n_null, err);
            out->null_pages = st == FLOE_OK ? alloc_list(a, n_null, sizeof(bool), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n_null; i++) {
                st = floe_thrift_bool(&in, FLOE_TC_TRUE, &out->null_pages[i], err);
            }
            seen |= 1;
        } else if ((id == 2 || id == 3) && t == FLOE_TC_LIST) {
            uint32_t n;
            st = expect_list(&in, FLOE_TC_BINARY, &n, err);
            floe_str *v = st == FLOE_OK ? alloc_list(a, n, sizeof(*v), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
                st = read_bytes(&in, a, &v[i], err);
            }
            if (id == 2) {
                out->min_values = v;
                n_min = n;
            } else {
                out->max_values = v;
                n_max = n;
            }
            seen |= 1u << (id - 1);
        } else if (id == 4 && t == FLOE_TC_I32) {
            st = floe_thrift_i32(&in, &out->boundary_order, err);
            seen |= 8;
        } else if (id == 5 && t == FLOE_TC_LIST) {
            st = expect_list(&in, FLOE_TC_I64, &n_counts, err);
            out->null_counts =
                st == FLOE_OK ? alloc_list(a, n_counts, sizeof(int64_t), err, &st) : NULL;
            for (uint32_t i = 0; st == FLOE_OK && i < n_counts; i++) {
                st = floe_thrift_i64(&in, &out->null_counts[i], err);
            }
            out->has_null_counts = true;
        } else {
            st = floe_thrift_skip(&in, t, err);
        }
    }
    if (st == FLOE_OK && seen != 15) {
        st = missing(err, "ColumnIndex", "a required field");
    }
    if (st == FLOE_OK &&
        (n_min != n_null || n_max != n_null || (out->has_null_counts && n_counts != n_null))) {
        st = floe_err_set(err, FLOE_ERR_CORRUPT,
                          "ColumnIndex lists differ in length (%u null_pages, %u min, %u max)",
                          n_null, n_min, n_max);
    }
    if (st == FLOE_OK) {
        st = floe_thrift_struct_end(&in, err);
    }
    out->n = n_null;
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "column index");
}
