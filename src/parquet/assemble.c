/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record assembly (Dremel) from leaf-column batches into floe_value rows, and the conversion of
 * single leaf values by their logical type (shared with statistics).
 *
 * The schema under each requested field is first turned into a plan: leaves, structs, lists
 * and maps, with the list and map shapes recognised by the backward-compatibility rules of
 * LogicalTypes.md (3-level lists, 2-level lists whose repeated field is the element, the
 * "array" and "<name>_tuple" names, unannotated repeated fields as required lists, maps whose
 * key_value group carries MAP_KEY_VALUE, maps without a value). Assembling a row then walks the
 * plan with one slot cursor per leaf column: a node's presence is read from the definition
 * level of its first leaf, the number of list elements from that leaf's repetition levels, and
 * a null or empty node consumes exactly one slot of every leaf below it. Every cursor move is
 * bounds-checked, so inconsistent columns in a corrupt file give an error, not a crash.
 */
#include "read_int.h"

#include <string.h>

/* ==== Leaf values ==== */

float floe_pq_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13); /* infinity or NaN */
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign; /* signed zero */
    } else {
        /* Subnormal half: normalise into a float. */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while ((man & 0x400) == 0);
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof(f));
    return f;
}

/* Big-endian two's complement bytes to a 128-bit integer; false when it does not fit. */
static bool be_to_i128(const uint8_t *p, size_t len, __int128 *out)
{
    if (len == 0) {
        *out = 0;
        return true;
    }
    bool neg = (p[0] & 0x80) != 0;
    uint8_t fill = neg ? 0xff : 0x00;
    while (len > 16) {
        if (p[0] != fill) {
            return false;
        }
        p++;
        len--;
    }
    if (((p[0] & 0x80) != 0) != neg) {
        return false;
    }
    unsigned __int128 v = neg ? ~(unsigned __int128)0 : 0;
    for (size_t i = 0; i < len; i++) {
        v = v << 8 | p[i];
    }
    *out = (__int128)v;
    return true;
}

static floe_value bytes_value(const floe_pq_node *leaf, floe_pq_bytes b)
{
    const floe_pq_logical *lt = &leaf->logical;
    switch (lt->kind) {
    case FLOE_PQ_LT_STRING:
    case FLOE_PQ_LT_ENUM:
    case FLOE_PQ_LT_JSON:
        return floe_value_string((const char *)b.ptr, b.len);
    case FLOE_PQ_LT_DECIMAL: {
        __int128 v;
        if (be_to_i128(b.ptr, b.len, &v)) {
            return floe_value_decimal(v, lt->precision, lt->scale);
        }
        break; /* wider than 128 bits: keep the bytes */
    }
    case FLOE_PQ_LT_UUID:
        if (b.len == 16) {
            return floe_value_uuid(b.ptr);
        }
        break;
    case FLOE_PQ_LT_FLOAT16:
        if (b.len == 2) {
            return floe_value_float(floe_pq_half_to_float((uint16_t)(b.ptr[0] | b.ptr[1] << 8)));
        }
        break;
    case FLOE_PQ_LT_UNKNOWN:
        return floe_value_null();
    default:
        break;
    }
    if (leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
        return floe_value_fixed(b.ptr, b.len);
    }
    return floe_value_binary(b.ptr, b.len);
}

floe_value floe_pq_leaf_value(const floe_pq_node *leaf, const void *raw)
{
    const floe_pq_logical *lt = &leaf->logical;
    if (lt->kind == FLOE_PQ_LT_UNKNOWN) {
        return floe_value_null();
    }
    switch (leaf->type) {
    case FLOE_PQ_BOOLEAN:
        return floe_value_bool(*(const uint8_t *)raw != 0);
    case FLOE_PQ_INT32: {
        int32_t v;
        memcpy(&v, raw, sizeof(v));
        switch (lt->kind) {
        case FLOE_PQ_LT_DATE:
            return floe_value_date(v);
        case FLOE_PQ_LT_DECIMAL:
            return floe_value_decimal(v, lt->precision, lt->scale);
        case FLOE_PQ_LT_TIME:
            return floe_value_time(v, lt->unit);
        case FLOE_PQ_LT_INTEGER: {
            floe_value x = floe_value_int(v);
            if (!lt->is_signed) {
                x.flags |= FLOE_VF_UNSIGNED;
            }
            return x;
        }
        default:
            return floe_value_int(v);
        }
    }
    case FLOE_PQ_INT64: {
        int64_t v;
        memcpy(&v, raw, sizeof(v));
        switch (lt->kind) {
        case FLOE_PQ_LT_TIMESTAMP:
            return floe_value_timestamp(v, lt->unit, lt->utc);
        case FLOE_PQ_LT_TIME:
            return floe_value_time(v, lt->unit);
        case FLOE_PQ_LT_DECIMAL:
            return floe_value_decimal(v, lt->precision, lt->scale);
        case FLOE_PQ_LT_INTEGER: {
            floe_value x = floe_value_long(v);
            if (!lt->is_signed) {
                x.flags |= FLOE_VF_UNSIGNED;
            }
            return x;
        }
        default:
            return floe_value_long(v);
        }
    }
    case FLOE_PQ_INT96: {
        /* 8 bytes of nanoseconds in the day, then the Julian day (2440588 is 1970-01-01). */
        const floe_pq_bytes *b = raw;
        if (b->len != 12) {
            return floe_value_null();
        }
        uint64_t nanos = floe_load_u64le(b->ptr);
        int32_t jd = (int32_t)floe_load_u32le(b->ptr + 8);
        uint64_t t = (uint64_t)((int64_t)jd - 2440588) * UINT64_C(86400000000000) + nanos;
        return floe_value_timestamp((int64_t)t, FLOE_UNIT_NANOS, false);
    }
    case FLOE_PQ_FLOAT: {
        float f;
        memcpy(&f, raw, sizeof(f));
        return floe_value_float(f);
    }
    case FLOE_PQ_DOUBLE: {
        double d;
        memcpy(&d, raw, sizeof(d));
        return floe_value_double(d);
    }
    case FLOE_PQ_BYTE_ARRAY:
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        return bytes_value(leaf, *(const floe_pq_bytes *)raw);
    }
    return floe_value_null();
}

floe_value floe_pq_column_value(const floe_pq_column *c, size_t slot)
{
    if (slot >= c->n || (c->def != NULL && c->def[slot] != c->leaf->max_def)) {
        return floe_value_null();
    }
    const uint8_t *base = c->v.b;
    return floe_pq_leaf_value(c->leaf, base + slot * floe_pq_elem_size(c->leaf->type));
}

bool floe_pq_stat_value(const floe_pq_node *leaf, floe_str plain, floe_value *out)
{
    const uint8_t *p = (const uint8_t *)plain.ptr;
    uint64_t raw[2] = {0, 0};
    floe_pq_bytes b = {p, (uint32_t)plain.len};
    switch (leaf->type) {
    case FLOE_PQ_BOOLEAN:
        if (plain.len < 1) {
            return false;
        }
        raw[0] = p[0] & 1;
        break;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        if (plain.len != 4) {
            return false;
        }
        memcpy(raw, p, 4);
        break;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        if (plain.len != 8) {
            return false;
        }
        memcpy(raw, p, 8);
        break;
    case FLOE_PQ_INT96:
        if (plain.len != 12) {
            return false;
        }
        memcpy(raw, &b, sizeof(b));
        break;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        if (plain.len != (size_t)leaf->type_length) {
            return false;
        }
        memcpy(raw, &b, sizeof(b));
        break;
    case FLOE_PQ_BYTE_ARRAY:
        if (plain.len > UINT32_MAX) {
            return false;
        }
        memcpy(raw, &b, sizeof(b));
        break;
    default:
        return false;
    }
    *out = floe_pq_leaf_value(leaf, raw);
    return true;
}

/* ==== Assembly plans ==== */

typedef enum plan_kind { P_LEAF, P_STRUCT, P_LIST, P_MAP } plan_kind;

typedef struct plan plan;
struct plan {
    plan_kind kind;
    const floe_pq_node *node; /* the node this value comes from */
    bool nullable;            /* an OPTIONAL node: null below its max_def */
    const floe_pq_node *rep;  /* LIST, MAP: the repeated node */
    size_t col;               /* LEAF: batch column */
    size_t first_col;         /* batch column of the first leaf below */
    size_t *cols;             /* every batch column below (consumed together when absent) */
    size_t n_cols;
    plan **kids; /* STRUCT fields; LIST: element; MAP: key, value (may be NULL) */
    const char **names;
    size_t n_kids;
};

struct floe_pq_assembler {
    const floe_pq_batch *b;
    floe_arena *a;
    plan root;
    size_t *pos; /* slot cursor per batch column */
    size_t row;
    floe_err *err;
};

static floe_status plan_field(floe_pq_assembler *as, const floe_pq_node *node, plan **out);

static floe_status plan_alloc(floe_pq_assembler *as, plan_kind kind, const floe_pq_node *node,
                              size_t n_kids, plan **out)
{
    plan *p = floe_arena_calloc(as->a, 1, sizeof(*p));
    if (p != NULL && n_kids > 0) {
        p->kids = floe_arena_calloc(as->a, n_kids, sizeof(*p->kids));
        p->names = floe_arena_calloc(as->a, n_kids, sizeof(*p->names));
    }
    if (p == NULL || (n_kids > 0 && (p->kids == NULL || p->names == NULL))) {
        return floe_arena_check(as->a, as->err);
    }
    p->kind = kind;
    p->node = node;
    p->n_kids = n_kids;
    *out = p;
    return FLOE_OK;
}

/* Record the batch columns of every leaf under `node`. */
static floe_status plan_cols(floe_pq_assembler *as, plan *p, const floe_pq_node *node)
{
    floe_vec leaves;
    floe_vec_init(&leaves, sizeof(int32_t));
    floe_pq_node_leaves(node, &leaves);
    floe_status st = FLOE_OK;
    p->n_cols = leaves.n;
    p->cols = floe_arena_calloc(as->a, leaves.n, sizeof(size_t));
    if (p->cols == NULL) {
        st = floe_arena_check(as->a, as->err);
    }
    for (size_t i = 0; st == FLOE_OK && i < leaves.n; i++) {
        int32_t li = *FLOE_VEC_AT(&leaves, int32_t, i);
        size_t j = 0;
        while (j < as->b->n_columns && as->b->columns[j].leaf->leaf_index != li) {
            j++;
        }
        if (j == as->b->n_columns) {
            st = floe_err_set(as->err, FLOE_ERR_INVALID,
                              "field '%s' needs leaf column %d, which the batch does not hold",
                              node->name, li);
        }
        p->cols[i] = j;
    }
    if (st == FLOE_OK) {
        p->first_col = p->cols[0];
    }
    floe_vec_fini(&leaves);
    return st;
}

/* An element of a repeated node: the node itself, present (no null check). */
static floe_status plan_instance(floe_pq_assembler *as, const floe_pq_node *r, plan **out)
{
    floe_status st;
    if (r->is_leaf) {
        st = plan_alloc(as, P_LEAF, r, 0, out);
    } else {
        st = plan_alloc(as, P_STRUCT, r, r->n_children, out);
        for (size_t i = 0; st == FLOE_OK && i < r->n_children; i++) {
            (*out)->names[i] = r->children[i]->name;
            st = plan_field(as, r->children[i], &(*out)->kids[i]);
        }
    }
    if (st == FLOE_OK) {
        st = plan_cols(as, *out, r);
    }
    if (st == FLOE_OK && r->is_leaf) {
        (*out)->col = (*out)->first_col;
    }
    return st;
}

static bool is_list_group(const floe_pq_node *n)
{
    return !n->is_leaf && n->logical.kind == FLOE_PQ_LT_LIST && n->n_children == 1 &&
           n->children[0]->repetition == FLOE_PQ_REPEATED;
}

static bool is_map_group(const floe_pq_node *n)
{
    if (n->is_leaf || n->n_children != 1) {
        return false;
    }
    const floe_pq_node *kv = n->children[0];
    if (kv->repetition != FLOE_PQ_REPEATED || kv->is_leaf || kv->n_children < 1 ||
        kv->n_children > 2) {
        return false;
    }
    /* MAP (or MAP_KEY_VALUE misused) on the group, or only MAP_KEY_VALUE on key_value. */
    return n->logical.kind == FLOE_PQ_LT_MAP ||
           (n->logical.kind == FLOE_PQ_LT_NONE && kv->converted_type == 2);
}

static floe_status plan_field(floe_pq_assembler *as, const floe_pq_node *node, plan **out)
{
    floe_status st;
    plan *p;
    if (node->repetition == FLOE_PQ_REPEATED) {
        /* An unannotated repeated field is a required list of required elements. */
        st = plan_alloc(as, P_LIST, node, 1, &p);
        if (st == FLOE_OK) {
            p->rep = node;
            st = plan_instance(as, node, &p->kids[0]);
        }
    } else if (is_map_group(node)) {
        const floe_pq_node *kv = node->children[0];
        st = plan_alloc(as, P_MAP, node, 2, &p);
        if (st == FLOE_OK) {
            p->rep = kv;
            st = plan_field(as, kv->children[0], &p->kids[0]);
        }
        if (st == FLOE_OK && kv->n_children == 2) {
            st = plan_field(as, kv->children[1], &p->kids[1]);
        }
    } else if (is_list_group(node)) {
        const floe_pq_node *r = node->children[0];
        st = plan_alloc(as, P_LIST, node, 1, &p);
        if (st == FLOE_OK) {
            p->rep = r;
            size_t nl = strlen(node->name);
            bool tuple = strlen(r->name) == nl + 6 && strncmp(r->name, node->name, nl) == 0 &&
                         strcmp(r->name + nl, "_tuple") == 0;
            if (r->is_leaf || r->n_children > 1 || strcmp(r->name, "array") == 0 || tuple) {
                st = plan_instance(as, r, &p->kids[0]); /* 2-level: the repeated field */
            } else {
                st = plan_field(as, r->children[0], &p->kids[0]); /* 3-level */
            }
        }
    } else if (node->is_leaf) {
        st = plan_alloc(as, P_LEAF, node, 0, &p);
    } else {
        st = plan_alloc(as, P_STRUCT, node, node->n_children, &p);
        for (size_t i = 0; st == FLOE_OK && i < node->n_children; i++) {
            p->names[i] = node->children[i]->name;
            st = plan_field(as, node->children[i], &p->kids[i]);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    p->nullable = node->repetition == FLOE_PQ_OPTIONAL;
    st = plan_cols(as, p, node);
    if (st == FLOE_OK && p->kind == P_LEAF) {
        p->col = p->first_col;
    }
    *out = p;
    return st;
}

floe_status floe_pq_assembler_new(const floe_pq_batch *b, const floe_pq_node *const *fields,
                                  size_t n_fields, floe_arena *a, floe_pq_assembler **out,
                                  floe_err *err)
{
    *out = NULL;
    floe_pq_assembler *as = floe_arena_calloc(a, 1, sizeof(*as));
    if (as == NULL) {
        return floe_arena_check(a, err);
    }
    as->b = b;
    as->a = a;
    as->err = err;
    as->pos = floe_arena_calloc(a, b->n_columns + 1, sizeof(size_t));
    as->root.kind = P_STRUCT;
    as->root.n_kids = n_fields;
    as->root.kids = floe_arena_calloc(a, n_fields + 1, sizeof(plan *));
    as->root.names = floe_arena_calloc(a, n_fields + 1, sizeof(const char *));
    if (as->pos == NULL || as->root.kids == NULL || as->root.names == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < n_fields; i++) {
        as->root.names[i] = fields[i]->name;
        floe_status st = plan_field(as, fields[i], &as->root.kids[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = as;
    return FLOE_OK;
}

/* ==== Assembly ==== */

static floe_status exhausted(floe_pq_assembler *as, size_t col)
{
    return floe_err_set(as->err, FLOE_ERR_CORRUPT,
                        "column '%s' runs out of levels while assembling row %zu (its levels "
                        "disagree with the other columns)",
                        as->b->columns[col].leaf->name, as->row);
}

static floe_status def_at(floe_pq_assembler *as, size_t col, int16_t *d)
{
    const floe_pq_column *c = &as->b->columns[col];
    if (as->pos[col] >= c->n) {
        return exhausted(as, col);
    }
    *d = c->def != NULL ? c->def[as->pos[col]] : c->leaf->max_def;
    return FLOE_OK;
}

/* An absent (null or empty) value takes one slot in every column below it. */
static floe_status consume(floe_pq_assembler *as, const plan *p)
{
    for (size_t i = 0; i < p->n_cols; i++) {
        size_t col = p->cols[i];
        if (as->pos[col] >= as->b->columns[col].n) {
            return exhausted(as, col);
        }
        as->pos[col]++;
    }
    return FLOE_OK;
}

/* Elements of the repeated node `r` starting at the first column's cursor. */
static size_t count_elems(floe_pq_assembler *as, size_t col, int16_t rmax)
{
    const floe_pq_column *c = &as->b->columns[col];
    size_t cnt = 1;
    for (size_t i = as->pos[col] + 1; i < c->n; i++) {
        int16_t r = c->rep != NULL ? c->rep[i] : 0;
        if (r < rmax) {
            break;
        }
        cnt += r == rmax;
    }
    return cnt;
}

static floe_status read_plan(floe_pq_assembler *as, const plan *p, floe_value *out)
{
    int16_t d;
    floe_status st;
    if (p->nullable) {
        st = def_at(as, p->first_col, &d);
        if (st != FLOE_OK) {
            return st;
        }
        if (d < p->node->max_def) {
            *out = floe_value_null();
            return consume(as, p);
        }
    }
    switch (p->kind) {
    case P_LEAF: {
        st = def_at(as, p->col, &d);
        if (st != FLOE_OK) {
            return st;
        }
        const floe_pq_column *c = &as->b->columns[p->col];
        size_t slot = as->pos[p->col]++;
        if (d == c->leaf->max_def) {
            const uint8_t *base = c->v.b;
            *out = floe_pq_leaf_value(c->leaf, base + slot * floe_pq_elem_size(c->leaf->type));
        } else {
            *out = floe_value_null();
        }
        return FLOE_OK;
    }
    case P_STRUCT: {
        floe_value *items = floe_arena_alloc(as->a, (p->n_kids + 1) * sizeof(*items));
        if (items == NULL) {
            return floe_arena_check(as->a, as->err);
        }
        for (size_t i = 0; i < p->n_kids; i++) {
            st = read_plan(as, p->kids[i], &items[i]);
            if (st != FLOE_OK) {
                return st;
            }
        }
        memset(out, 0, sizeof(*out));
        out->kind = FLOE_V_STRUCT;
        out->u.nested.items = items;
        out->u.nested.names = p->names;
        out->u.nested.n = p->n_kids;
        return FLOE_OK;
    }
    case P_LIST:
    case P_MAP: {
        memset(out, 0, sizeof(*out));
        out->kind = p->kind == P_LIST ? FLOE_V_LIST : FLOE_V_MAP;
        st = def_at(as, p->first_col, &d);
        if (st != FLOE_OK) {
            return st;
        }
        if (d < p->rep->max_def) {
            return consume(as, p); /* empty */
        }
        size_t n = count_elems(as, p->first_col, p->rep->max_rep);
        size_t per = p->kind == P_LIST ? 1 : 2;
        floe_value *items = floe_arena_alloc(as->a, (n * per + 1) * sizeof(*items));
        if (items == NULL) {
            return floe_arena_check(as->a, as->err);
        }
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < per; k++) {
                if (p->kids[k] == NULL) {
                    items[i * per + k] = floe_value_null(); /* a map without values */
                    continue;
                }
                st = read_plan(as, p->kids[k], &items[i * per + k]);
                if (st != FLOE_OK) {
                    return st;
                }
            }
        }
        out->u.nested.items = items;
        out->u.nested.n = n;
        return FLOE_OK;
    }
    }
    return floe_err_set(as->err, FLOE_ERR_INTERNAL, "unknown assembly plan");
}

floe_status floe_pq_assembler_next(floe_pq_assembler *as, floe_value *row, floe_err *err)
{
    if (as->row >= as->b->n_rows) {
        return floe_err_set(err, FLOE_ERR_INVALID, "the batch has only %zu rows", as->b->n_rows);
    }
    as->err = err;
    floe_status st = read_plan(as, &as->root, row);
    as->row++;
    return st;
}
