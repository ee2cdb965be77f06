/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg schema of a Parquet file (what Java's ParquetSchemaUtil.convert gives): used to
 * create a table "like" a file and to check a file's columns against a table before its rows
 * are appended. Lists and maps are recognised the way the row reader assembles them (3-level,
 * legacy 2-level, `array` and `<name>_tuple` element groups, unannotated repeated fields).
 */
#include "floe/iceberg.h"
#include "floe/parquet.h"

#include <string.h>

typedef struct conv {
    floe_arena *a;
    int32_t next_id;
    floe_err *err;
} conv;

static floe_status conv_type(conv *c, const floe_pq_node *n, bool as_element,
                             const floe_ice_type **out, int depth);

static floe_status unsupported(conv *c, const floe_pq_node *n, const char *what)
{
    return floe_err_set(c->err, FLOE_ERR_UNSUPPORTED, "column '%s': %s has no Iceberg type",
                        floe_pq_node_path(n, c->a), what);
}

static floe_status prim(conv *c, floe_ice_type_id id, const floe_ice_type **out)
{
    *out = floe_ice_type_get(id);
    (void)c;
    return FLOE_OK;
}

static floe_status leaf_type(conv *c, const floe_pq_node *n, const floe_ice_type **out)
{
    const floe_pq_logical *l = &n->logical;
    if (l->kind == FLOE_PQ_LT_DECIMAL) {
        *out = floe_ice_type_decimal(c->a, l->precision, l->scale);
        return *out != NULL ? FLOE_OK : floe_arena_check(c->a, c->err);
    }
    switch (n->type) {
    case FLOE_PQ_BOOLEAN:
        return prim(c, FLOE_ICE_BOOLEAN, out);
    case FLOE_PQ_INT32:
        if (l->kind == FLOE_PQ_LT_DATE) {
            return prim(c, FLOE_ICE_DATE, out);
        }
        if (l->kind == FLOE_PQ_LT_TIME) {
            return prim(c, FLOE_ICE_TIME, out);
        }
        if (l->kind == FLOE_PQ_LT_INTEGER && !l->is_signed && l->bit_width == 32) {
            return prim(c, FLOE_ICE_LONG, out);
        }
        return prim(c, FLOE_ICE_INT, out);
    case FLOE_PQ_INT64:
        if (l->kind == FLOE_PQ_LT_TIMESTAMP) {
            return prim(c, l->utc ? FLOE_ICE_TIMESTAMPTZ : FLOE_ICE_TIMESTAMP, out);
        }
        if (l->kind == FLOE_PQ_LT_TIME) {
            return prim(c, FLOE_ICE_TIME, out);
        }
        if (l->kind == FLOE_PQ_LT_INTEGER && !l->is_signed) {
            return unsupported(c, n, "an unsigned 64-bit integer");
        }
        return prim(c, FLOE_ICE_LONG, out);
    case FLOE_PQ_INT96:
        return prim(c, FLOE_ICE_TIMESTAMPTZ, out); /* as Java reads INT96 */
    case FLOE_PQ_FLOAT:
        return prim(c, FLOE_ICE_FLOAT, out);
    case FLOE_PQ_DOUBLE:
        return prim(c, FLOE_ICE_DOUBLE, out);
    case FLOE_PQ_BYTE_ARRAY:
        if (l->kind == FLOE_PQ_LT_STRING || l->kind == FLOE_PQ_LT_ENUM ||
            l->kind == FLOE_PQ_LT_JSON) {
            return prim(c, FLOE_ICE_STRING, out);
        }
        return prim(c, FLOE_ICE_BINARY, out);
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        if (l->kind == FLOE_PQ_LT_UUID && n->type_length == 16) {
            return prim(c, FLOE_ICE_UUID, out);
        }
        if (l->kind == FLOE_PQ_LT_FLOAT16) {
            return unsupported(c, n, "a float16");
        }
        *out = floe_ice_type_fixed(c->a, n->type_length);
        return *out != NULL ? FLOE_OK : floe_arena_check(c->a, c->err);
    }
    return unsupported(c, n, "this physical type");
}

/* A field for node `n` named `name` (`required` decided by the caller). */
static floe_status make_field(conv *c, const floe_pq_node *n, const char *name, bool required,
                              bool as_element, floe_ice_field *out, int depth)
{
    memset(out, 0, sizeof(*out));
    out->id = ++c->next_id;
    out->name = floe_arena_strdup(c->a, name);
    out->required = required;
    return conv_type(c, n, as_element, &out->type, depth + 1);
}

static floe_status nested(conv *c, floe_ice_type_id id, floe_ice_field *fields, size_t n,
                          const floe_ice_type **out)
{
    floe_ice_type *t = floe_arena_calloc(c->a, 1, sizeof(*t));
    if (t == NULL) {
        return floe_arena_check(c->a, c->err);
    }
    t->id = id;
    t->fields = fields;
    t->n_fields = n;
    *out = t;
    return FLOE_OK;
}

/* The type of node `n`; `as_element` reads a repeated node as one of its instances. */
static floe_status conv_type(conv *c, const floe_pq_node *n, bool as_element,
                             const floe_ice_type **out, int depth)
{
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_TOO_BIG, "schema nested deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    if (n->repetition == FLOE_PQ_REPEATED && !as_element) {
        /* An unannotated repeated field: a list of required instances. */
        floe_ice_field *el = floe_arena_calloc(c->a, 1, sizeof(*el));
        if (el == NULL) {
            return floe_arena_check(c->a, c->err);
        }
        floe_status st = make_field(c, n, "element", true, true, el, depth);
        return st == FLOE_OK ? nested(c, FLOE_ICE_LIST, el, 1, out) : st;
    }
    if (n->is_leaf) {
        return leaf_type(c, n, out);
    }
    if (n->logical.kind == FLOE_PQ_LT_LIST && n->n_children == 1 &&
        n->children[0]->repetition == FLOE_PQ_REPEATED) {
        const floe_pq_node *rn = n->children[0];
        size_t nl = strlen(n->name);
        bool tuple = strlen(rn->name) == nl + 6 && strncmp(rn->name, n->name, nl) == 0 &&
                     strcmp(rn->name + nl, "_tuple") == 0;
        floe_ice_field *el = floe_arena_calloc(c->a, 1, sizeof(*el));
        if (el == NULL) {
            return floe_arena_check(c->a, c->err);
        }
        floe_status st;
        if (rn->is_leaf || rn->n_children > 1 || strcmp(rn->name, "array") == 0 || tuple) {
            st = make_field(c, rn, "element", true, true, el, depth); /* 2-level */
        } else {
            const floe_pq_node *e = rn->children[0];
            st = make_field(c, e, "element", e->repetition == FLOE_PQ_REQUIRED, false, el, depth);
        }
        return st == FLOE_OK ? nested(c, FLOE_ICE_LIST, el, 1, out) : st;
    }
    if (n->logical.kind == FLOE_PQ_LT_MAP && n->n_children == 1 &&
        n->children[0]->repetition == FLOE_PQ_REPEATED && !n->children[0]->is_leaf &&
        n->children[0]->n_children == 2) {
        const floe_pq_node *kv = n->children[0];
        floe_ice_field *f = floe_arena_calloc(c->a, 2, sizeof(*f));
        if (f == NULL) {
            return floe_arena_check(c->a, c->err);
        }
        floe_status st = make_field(c, kv->children[0], "key", true, false, &f[0], depth);
        if (st == FLOE_OK) {
            st = make_field(c, kv->children[1], "value",
                            kv->children[1]->repetition == FLOE_PQ_REQUIRED, false, &f[1], depth);
        }
        return st == FLOE_OK ? nested(c, FLOE_ICE_MAP, f, 2, out) : st;
    }
    floe_ice_field *f = floe_arena_calloc(c->a, n->n_children + 1, sizeof(*f));
    if (f == NULL) {
        return floe_arena_check(c->a, c->err);
    }
    for (size_t i = 0; i < n->n_children; i++) {
        const floe_pq_node *ch = n->children[i];
        floe_status st =
            make_field(c, ch, ch->name, ch->repetition == FLOE_PQ_REQUIRED, false, &f[i], depth);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return nested(c, FLOE_ICE_STRUCT, f, n->n_children, out);
}

floe_status floe_ice_schema_from_parquet(floe_arena *a, const struct floe_pq_schema *pq,
                                         const floe_ice_schema **out, floe_err *err)
{
    conv c = {.a = a, .err = err};
    const floe_ice_type *root = NULL;
    floe_status st = conv_type(&c, pq->root, true, &root, 0);
    if (st == FLOE_OK && root->id != FLOE_ICE_STRUCT) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "the file's root is not a group");
    }
    if (st == FLOE_OK) {
        st = floe_ice_schema_new(a, 0, root, NULL, 0, out, err);
    }
    return st;
}
