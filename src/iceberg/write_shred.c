/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Iceberg schema -> Parquet schema, and rows -> Parquet leaf columns.
 *
 * The Parquet schema follows what Iceberg's Java writer produces (spec "Parquet" appendix):
 * every struct field, list element, map key and map value carries its field id; lists are the
 * 3-level form `<name> (LIST) { repeated group list { element } }`, maps `<name> (MAP) {
 * repeated group key_value { required key; value } }`.
 *
 * Shredding is Dremel's: each row is walked once alongside the write plan, and each leaf gets
 * one (definition level, repetition level) slot per value or per null/empty ancestor. Values
 * are converted to the leaf's physical type as they are appended.
 */
#include "rows_int.h"

#include <string.h>

#include "ice_int.h"

/* ==== Schema ==== */

typedef struct sbuild {
    floe_arena *a;
    floe_err *err;
} sbuild;

static floe_pq_node *new_node(sbuild *b, const char *name, floe_pq_repetition rep, int32_t id)
{
    floe_pq_node *n = floe_arena_calloc(b->a, 1, sizeof(*n));
    if (n == NULL) {
        return NULL;
    }
    n->name = name;
    n->repetition = rep;
    n->has_field_id = id >= 0;
    n->field_id = id;
    n->converted_type = -1;
    n->leaf_index = -1;
    return n;
}

/* Bytes of a FIXED holding a decimal of `precision` digits (spec: minimum bytes). */
static int32_t decimal_bytes(int32_t precision)
{
    int32_t n = 1;
    while (n < 16 && ice_decimal_digits(((__int128)1 << (8 * n - 1)) - 1) <= precision) {
        n++;
    }
    return n;
}

static floe_status set_primitive(sbuild *b, floe_pq_node *n, const floe_ice_type *t)
{
    n->is_leaf = true;
    floe_pq_logical *lt = &n->logical;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        n->type = FLOE_PQ_BOOLEAN;
        break;
    case FLOE_ICE_INT:
        n->type = FLOE_PQ_INT32;
        break;
    case FLOE_ICE_LONG:
        n->type = FLOE_PQ_INT64;
        break;
    case FLOE_ICE_FLOAT:
        n->type = FLOE_PQ_FLOAT;
        break;
    case FLOE_ICE_DOUBLE:
        n->type = FLOE_PQ_DOUBLE;
        break;
    case FLOE_ICE_DECIMAL:
        lt->kind = FLOE_PQ_LT_DECIMAL;
        lt->precision = t->precision;
        lt->scale = t->scale;
        if (t->precision <= 9) {
            n->type = FLOE_PQ_INT32;
        } else if (t->precision <= 18) {
            n->type = FLOE_PQ_INT64;
        } else {
            n->type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
            n->type_length = decimal_bytes(t->precision);
        }
        break;
    case FLOE_ICE_DATE:
        n->type = FLOE_PQ_INT32;
        lt->kind = FLOE_PQ_LT_DATE;
        break;
    case FLOE_ICE_TIME:
        n->type = FLOE_PQ_INT64;
        lt->kind = FLOE_PQ_LT_TIME;
        lt->unit = FLOE_UNIT_MICROS;
        lt->utc = false;
        break;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        n->type = FLOE_PQ_INT64;
        lt->kind = FLOE_PQ_LT_TIMESTAMP;
        lt->unit = (t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS)
                       ? FLOE_UNIT_NANOS
                       : FLOE_UNIT_MICROS;
        lt->utc = t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        break;
    case FLOE_ICE_STRING:
        n->type = FLOE_PQ_BYTE_ARRAY;
        lt->kind = FLOE_PQ_LT_STRING;
        break;
    case FLOE_ICE_UUID:
        n->type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
        n->type_length = 16;
        lt->kind = FLOE_PQ_LT_UUID;
        break;
    case FLOE_ICE_FIXED:
        n->type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
        n->type_length = t->length;
        break;
    case FLOE_ICE_BINARY:
        n->type = FLOE_PQ_BYTE_ARRAY;
        break;
    default:
        return floe_err_set(b->err, FLOE_ERR_INVALID,
                            "column '%s': type %s cannot be written to Parquet by this build",
                            n->name, floe_ice_type_name(t->id));
    }
    return FLOE_OK;
}

static floe_status build_field(sbuild *b, const floe_ice_field *f, const char *name,
                               floe_pq_node **out, rows_wnode *w);

/* Fill `g` (a group node) with children for the fields of struct type `t`. */
static floe_status build_struct(sbuild *b, floe_pq_node *g, const floe_ice_type *t, rows_wnode *w)
{
    g->children = floe_arena_calloc(b->a, t->n_fields + 1, sizeof(floe_pq_node *));
    w->kids = floe_arena_calloc(b->a, t->n_fields + 1, sizeof(rows_wnode));
    if (g->children == NULL || w->kids == NULL) {
        return ice_nomem(b->a, b->err);
    }
    g->n_children = t->n_fields;
    w->n_kids = t->n_fields;
    for (size_t i = 0; i < t->n_fields; i++) {
        floe_status st =
            build_field(b, &t->fields[i], t->fields[i].name, &g->children[i], &w->kids[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

static floe_status build_field(sbuild *b, const floe_ice_field *f, const char *name,
                               floe_pq_node **out, rows_wnode *w)
{
    floe_pq_repetition rep = f->required ? FLOE_PQ_REQUIRED : FLOE_PQ_OPTIONAL;
    floe_pq_node *n = new_node(b, name, rep, f->id);
    if (n == NULL) {
        return ice_nomem(b->a, b->err);
    }
    *out = n;
    w->field = f;
    w->type = f->type;
    w->node = n;
    w->leaf = -1;
    const floe_ice_type *t = f->type;
    if (t->id != FLOE_ICE_STRUCT && t->id != FLOE_ICE_LIST && t->id != FLOE_ICE_MAP) {
        return set_primitive(b, n, t);
    }
    if (t->id == FLOE_ICE_STRUCT) {
        return build_struct(b, n, t, w);
    }
    bool is_list = t->id == FLOE_ICE_LIST;
    n->logical.kind = is_list ? FLOE_PQ_LT_LIST : FLOE_PQ_LT_MAP;
    floe_pq_node *r = new_node(b, is_list ? "list" : "key_value", FLOE_PQ_REPEATED, -1);
    n->children = floe_arena_calloc(b->a, 1, sizeof(floe_pq_node *));
    r->children = floe_arena_calloc(b->a, t->n_fields, sizeof(floe_pq_node *));
    w->kids = floe_arena_calloc(b->a, t->n_fields, sizeof(rows_wnode));
    if (r == NULL || n->children == NULL || r->children == NULL || w->kids == NULL) {
        return ice_nomem(b->a, b->err);
    }
    n->children[0] = r;
    n->n_children = 1;
    r->n_children = t->n_fields;
    w->rep = r;
    w->n_kids = t->n_fields;
    for (size_t i = 0; i < t->n_fields; i++) {
        const char *kname = is_list ? "element" : (i == 0 ? "key" : "value");
        floe_status st = build_field(b, &t->fields[i], kname, &r->children[i], &w->kids[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

static void assign_leaves(rows_wnode *w)
{
    if (w->node->is_leaf) {
        w->leaf = w->node->leaf_index;
    }
    for (size_t i = 0; i < w->n_kids; i++) {
        assign_leaves(&w->kids[i]);
    }
}

floe_status rows_pq_schema(floe_arena *a, const floe_ice_schema *s, floe_pq_schema *out,
                           rows_wnode **plan, floe_err *err)
{
    sbuild b = {a, err};
    memset(out, 0, sizeof(*out));
    floe_pq_node *root = new_node(&b, "table", FLOE_PQ_REQUIRED, -1);
    rows_wnode *w = floe_arena_calloc(a, 1, sizeof(*w));
    if (root == NULL || w == NULL) {
        return ice_nomem(a, err);
    }
    w->type = s->root;
    w->node = root;
    w->leaf = -1;
    floe_status st = build_struct(&b, root, s->root, w);
    if (st != FLOE_OK) {
        return st;
    }
    out->root = root;
    st = floe_pq_schema_finish(out, a, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "parquet schema");
    }
    assign_leaves(w);
    *plan = w;
    return FLOE_OK;
}

/* ==== Shredding ==== */

static size_t phys_size(floe_pq_type t)
{
    switch (t) {
    case FLOE_PQ_BOOLEAN:
        return 1;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        return 4;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        return 8;
    default:
        return sizeof(floe_pq_bytes);
    }
}

void rows_shredder_init(rows_shredder *sh, const floe_pq_schema *pq, const rows_wnode *plan)
{
    memset(sh, 0, sizeof(*sh));
    sh->pq = pq;
    sh->plan = plan;
    sh->leaves = floe_xcalloc(pq->n_leaves + 1, sizeof(rows_leafbuf));
    sh->cols = floe_xcalloc(pq->n_leaves + 1, sizeof(floe_pq_column));
    for (size_t i = 0; i < pq->n_leaves; i++) {
        floe_vec_init(&sh->leaves[i].def, sizeof(int16_t));
        floe_vec_init(&sh->leaves[i].rep, sizeof(int16_t));
        floe_vec_init(&sh->leaves[i].vals, phys_size(pq->leaves[i]->type));
    }
    sh->scratch = floe_arena_new(FLOE_ARENA_UNLIMITED);
}

void rows_shredder_fini(rows_shredder *sh)
{
    if (sh->leaves != NULL) {
        for (size_t i = 0; i < sh->pq->n_leaves; i++) {
            floe_vec_fini(&sh->leaves[i].def);
            floe_vec_fini(&sh->leaves[i].rep);
            floe_vec_fini(&sh->leaves[i].vals);
        }
    }
    free(sh->leaves);
    free(sh->cols);
    floe_arena_free(sh->scratch);
    memset(sh, 0, sizeof(*sh));
}

void rows_shredder_reset(rows_shredder *sh)
{
    for (size_t i = 0; i < sh->pq->n_leaves; i++) {
        floe_vec_clear(&sh->leaves[i].def);
        floe_vec_clear(&sh->leaves[i].rep);
        floe_vec_clear(&sh->leaves[i].vals);
        sh->leaves[i].n_values = 0;
    }
    floe_arena_reset(sh->scratch);
    sh->n_rows = 0;
}

static void push_slot(rows_shredder *sh, int32_t leaf, int16_t def, int16_t rep)
{
    rows_leafbuf *lb = &sh->leaves[leaf];
    *(int16_t *)floe_vec_push(&lb->def) = def;
    *(int16_t *)floe_vec_push(&lb->rep) = rep;
}

/* Every leaf under `w` gets a null (or empty) slot at definition level `def`. */
static void push_nulls(rows_shredder *sh, const rows_wnode *w, int16_t def, int16_t rep)
{
    if (w->leaf >= 0) {
        push_slot(sh, w->leaf, def, rep);
        (void)floe_vec_push(&sh->leaves[w->leaf].vals);
        return;
    }
    for (size_t i = 0; i < w->n_kids; i++) {
        push_nulls(sh, &w->kids[i], def, rep);
    }
}

static floe_status bad_value(floe_err *err, const rows_wnode *w, const floe_value *v)
{
    return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': a value of kind %d is not a %s",
                        w->field != NULL ? w->field->name : "(row)", v->kind,
                        floe_ice_type_name(w->type->id));
}

static floe_status put_bytes(rows_shredder *sh, rows_leafbuf *lb, const void *p, size_t len,
                             floe_err *err)
{
    if (len > UINT32_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "value of %zu bytes", len);
    }
    floe_pq_bytes *b = floe_vec_push(&lb->vals);
    b->ptr = p;
    b->len = (uint32_t)len;
    (void)sh;
    return FLOE_OK;
}

static floe_status push_value(rows_shredder *sh, const rows_wnode *w, const floe_value *v,
                              int16_t rep, floe_err *err)
{
    rows_leafbuf *lb = &sh->leaves[w->leaf];
    const floe_ice_type *t = w->type;
    floe_value x;
    if (!rows_to_ice(t, v, &x)) {
        return bad_value(err, w, v);
    }
    floe_status st = FLOE_OK;
    switch (w->node->type) {
    case FLOE_PQ_BOOLEAN:
        *(uint8_t *)floe_vec_push(&lb->vals) = x.u.b ? 1 : 0;
        break;
    case FLOE_PQ_INT32:
        if (x.kind == FLOE_V_DECIMAL) {
            *(int32_t *)floe_vec_push(&lb->vals) = (int32_t)x.u.dec;
        } else {
            *(int32_t *)floe_vec_push(&lb->vals) = x.u.i32;
        }
        break;
    case FLOE_PQ_INT64:
        if (x.kind == FLOE_V_DECIMAL) {
            *(int64_t *)floe_vec_push(&lb->vals) = (int64_t)x.u.dec;
        } else {
            *(int64_t *)floe_vec_push(&lb->vals) = x.u.i64;
        }
        break;
    case FLOE_PQ_FLOAT:
        *(float *)floe_vec_push(&lb->vals) = x.u.f32;
        break;
    case FLOE_PQ_DOUBLE:
        *(double *)floe_vec_push(&lb->vals) = x.u.f64;
        break;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY: {
        size_t width = (size_t)w->node->type_length;
        uint8_t *p = floe_arena_alloc(sh->scratch, width);
        if (p == NULL) {
            return ice_nomem(sh->scratch, err);
        }
        if (x.kind == FLOE_V_DECIMAL) {
            uint8_t be[16];
            size_t n = ice_decimal_to_be(x.u.dec, be);
            if (n > width) {
                return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': decimal too wide",
                                    w->field->name);
            }
            memset(p, (be[0] & 0x80) ? 0xff : 0x00, width - n);
            memcpy(p + width - n, be, n);
        } else if (x.kind == FLOE_V_UUID) {
            memcpy(p, x.u.uuid, 16);
        } else {
            if (x.u.bytes.len != width) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "column '%s': fixed value of %zu bytes, expected %zu",
                                    w->field->name, x.u.bytes.len, width);
            }
            memcpy(p, x.u.bytes.ptr, width);
        }
        st = put_bytes(sh, lb, p, width, err);
        break;
    }
    case FLOE_PQ_BYTE_ARRAY:
        st = put_bytes(sh, lb, x.u.bytes.ptr, x.u.bytes.len, err);
        break;
    default:
        return floe_err_set(err, FLOE_ERR_INTERNAL, "unexpected physical type");
    }
    if (st == FLOE_OK) {
        push_slot(sh, w->leaf, w->node->max_def, rep);
        lb->n_values++;
    }
    return st;
}

static floe_status shred(rows_shredder *sh, const rows_wnode *w, const floe_value *v, int16_t rep,
                         floe_err *err)
{
    if (v == NULL || v->kind == FLOE_V_NULL) {
        if (w->node->repetition == FLOE_PQ_REQUIRED) {
            return floe_err_set(err, FLOE_ERR_INVALID, "required column '%s' is null",
                                w->field != NULL ? w->field->name : "(row)");
        }
        push_nulls(sh, w, (int16_t)(w->node->max_def - 1), rep);
        return FLOE_OK;
    }
    if (w->leaf >= 0) {
        return push_value(sh, w, v, rep, err);
    }
    switch (w->type->id) {
    case FLOE_ICE_STRUCT:
        if (v->kind != FLOE_V_STRUCT || v->u.nested.n != w->n_kids) {
            return bad_value(err, w, v);
        }
        for (size_t i = 0; i < w->n_kids; i++) {
            floe_status st = shred(sh, &w->kids[i], &v->u.nested.items[i], rep, err);
            if (st != FLOE_OK) {
                return st;
            }
        }
        return FLOE_OK;
    case FLOE_ICE_LIST:
    case FLOE_ICE_MAP: {
        bool is_list = w->type->id == FLOE_ICE_LIST;
        if (v->kind != (is_list ? FLOE_V_LIST : FLOE_V_MAP)) {
            return bad_value(err, w, v);
        }
        size_t n = v->u.nested.n;
        if (n == 0) {
            push_nulls(sh, w, w->node->max_def, rep);
            return FLOE_OK;
        }
        int16_t inner = w->rep->max_rep;
        for (size_t i = 0; i < n; i++) {
            int16_t r = i == 0 ? rep : inner;
            floe_status st;
            if (is_list) {
                st = shred(sh, &w->kids[0], &v->u.nested.items[i], r, err);
            } else {
                st = shred(sh, &w->kids[0], &v->u.nested.items[2 * i], r, err);
                if (st == FLOE_OK) {
                    st = shred(sh, &w->kids[1], &v->u.nested.items[2 * i + 1], r, err);
                }
            }
            if (st != FLOE_OK) {
                return st;
            }
        }
        return FLOE_OK;
    }
    default:
        return bad_value(err, w, v);
    }
}

floe_status rows_shred_row(rows_shredder *sh, const floe_value *row, floe_err *err)
{
    const rows_wnode *root = sh->plan;
    if (row->kind != FLOE_V_STRUCT || row->u.nested.n != root->n_kids) {
        return floe_err_set(err, FLOE_ERR_INVALID, "row has %zu fields, the schema %zu",
                            row->kind == FLOE_V_STRUCT ? row->u.nested.n : 0, root->n_kids);
    }
    /* On failure the partial row is dropped: rewind every leaf to where the row started. */
    size_t n = sh->pq->n_leaves;
    size_t marks[64], vmarks[64];
    size_t *mark = n <= 64 ? marks : floe_xmalloc(n * sizeof(size_t));
    size_t *vmark = n <= 64 ? vmarks : floe_xmalloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        mark[i] = sh->leaves[i].def.n;
        vmark[i] = sh->leaves[i].n_values;
    }
    floe_status st = FLOE_OK;
    for (size_t i = 0; st == FLOE_OK && i < root->n_kids; i++) {
        st = shred(sh, &root->kids[i], &row->u.nested.items[i], 0, err);
    }
    if (st != FLOE_OK) {
        for (size_t i = 0; i < n; i++) {
            sh->leaves[i].def.n = mark[i];
            sh->leaves[i].rep.n = mark[i];
            sh->leaves[i].vals.n = mark[i];
            sh->leaves[i].n_values = vmark[i];
        }
    } else {
        sh->n_rows++;
    }
    if (mark != marks) {
        free(mark);
        free(vmark);
    }
    return st;
}

void rows_shredder_batch(rows_shredder *sh, floe_pq_batch *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < sh->pq->n_leaves; i++) {
        const floe_pq_node *leaf = sh->pq->leaves[i];
        rows_leafbuf *lb = &sh->leaves[i];
        floe_pq_column *c = &sh->cols[i];
        memset(c, 0, sizeof(*c));
        c->leaf = leaf;
        c->n = lb->def.n;
        c->def = leaf->max_def > 0 ? lb->def.data : NULL;
        c->rep = leaf->max_rep > 0 ? lb->rep.data : NULL;
        c->n_values = lb->n_values;
        c->v.b = lb->vals.data;
    }
    out->n_rows = sh->n_rows;
    out->columns = sh->cols;
    out->n_columns = sh->pq->n_leaves;
}
