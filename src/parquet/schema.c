/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema trees: completing a hand-built schema (levels, leaf indexes, checks) and lookups by
 * path and field id. Shared by the reader (which builds trees from the footer) and the writer.
 */
#include "parquet_int.h"

#include <string.h>

typedef struct finish_ctx {
    floe_vec leaves; /* floe_pq_node * */
    floe_err *err;
} finish_ctx;

/* Decimal precision that fits each physical type (Parquet LogicalTypes.md). */
static bool decimal_fits(const floe_pq_node *n)
{
    int32_t p = n->logical.precision;
    if (p < 1 || n->logical.scale < 0 || n->logical.scale > p) {
        return false;
    }
    switch (n->type) {
    case FLOE_PQ_INT32:
        return p <= 9;
    case FLOE_PQ_INT64:
        return p <= 18;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY: {
        /* n bytes hold floor(log10(2^(8n-1) - 1)) digits. */
        double digits = (8.0 * n->type_length - 1) * 0.30102999566398120;
        return n->type_length > 0 && (double)p <= digits + 1e-9;
    }
    case FLOE_PQ_BYTE_ARRAY:
        return true;
    default:
        return false;
    }
}

static floe_status finish_node(floe_pq_node *n, floe_pq_node *parent, int depth, finish_ctx *c)
{
    if (depth > FLOE_PQ_MAX_SCHEMA_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_INVALID, "schema nests deeper than %d levels",
                            FLOE_PQ_MAX_SCHEMA_DEPTH);
    }
    if (n->name == NULL || n->name[0] == '\0') {
        return floe_err_set(c->err, FLOE_ERR_INVALID, "schema node at depth %d has no name", depth);
    }
    n->parent = parent;
    int16_t def = parent ? parent->max_def : 0, rep = parent ? parent->max_rep : 0;
    if (parent != NULL) {
        if (n->repetition == FLOE_PQ_OPTIONAL) {
            def++;
        } else if (n->repetition == FLOE_PQ_REPEATED) {
            def++;
            rep++;
        }
    }
    n->max_def = def;
    n->max_rep = rep;
    if (n->is_leaf) {
        if (n->n_children != 0) {
            return floe_err_set(c->err, FLOE_ERR_INVALID, "leaf '%s' has children", n->name);
        }
        if ((unsigned)n->type > FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            return floe_err_set(c->err, FLOE_ERR_INVALID, "leaf '%s' has an unknown type %d",
                                n->name, (int)n->type);
        }
        if (n->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && n->type_length <= 0) {
            return floe_err_set(c->err, FLOE_ERR_INVALID, "fixed-length leaf '%s' has width %d",
                                n->name, n->type_length);
        }
        if (n->logical.kind == FLOE_PQ_LT_DECIMAL && !decimal_fits(n)) {
            return floe_err_set(
                c->err, FLOE_ERR_INVALID, "decimal(%d,%d) does not fit leaf '%s' of type %s",
                n->logical.precision, n->logical.scale, n->name, floe_pq_type_name(n->type));
        }
        n->leaf_index = (int32_t)c->leaves.n;
        floe_vec_push_copy(&c->leaves, &n);
        return FLOE_OK;
    }
    n->leaf_index = -1;
    if (parent != NULL && n->n_children == 0) {
        return floe_err_set(c->err, FLOE_ERR_INVALID, "group '%s' has no children", n->name);
    }
    for (size_t i = 0; i < n->n_children; i++) {
        floe_status st = finish_node(n->children[i], n, depth + 1, c);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

floe_status floe_pq_schema_finish(floe_pq_schema *s, floe_arena *a, floe_err *err)
{
    if (s->root == NULL || s->root->is_leaf) {
        return floe_err_set(err, FLOE_ERR_INVALID, "schema root must be a group");
    }
    finish_ctx c;
    floe_vec_init(&c.leaves, sizeof(floe_pq_node *));
    c.err = err;
    s->root->repetition = FLOE_PQ_REQUIRED;
    floe_status st = finish_node(s->root, NULL, 0, &c);
    if (st == FLOE_OK && c.leaves.n == 0) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "schema has no columns");
    }
    if (st == FLOE_OK) {
        s->leaves = floe_arena_memdup(a, c.leaves.data, c.leaves.n * sizeof(floe_pq_node *));
        s->n_leaves = c.leaves.n;
        if (s->leaves == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    floe_vec_fini(&c.leaves);
    return st;
}

const floe_pq_node *floe_pq_schema_find_path(const floe_pq_schema *s, const char *path)
{
    const floe_pq_node *n = s->root;
    const char *p = path;
    while (n != NULL && *p != '\0') {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        const floe_pq_node *next = NULL;
        for (size_t i = 0; i < n->n_children; i++) {
            const char *name = n->children[i]->name;
            if (strlen(name) == len && memcmp(name, p, len) == 0) {
                next = n->children[i];
                break;
            }
        }
        n = next;
        p += len;
        if (*p == '.') {
            p++;
        }
    }
    return n == s->root ? NULL : n;
}

static const floe_pq_node *find_id(const floe_pq_node *n, int32_t id)
{
    if (n->has_field_id && n->field_id == id) {
        return n;
    }
    for (size_t i = 0; i < n->n_children; i++) {
        const floe_pq_node *hit = find_id(n->children[i], id);
        if (hit != NULL) {
            return hit;
        }
    }
    return NULL;
}

const floe_pq_node *floe_pq_schema_find_field_id(const floe_pq_schema *s, int32_t field_id)
{
    return s->root ? find_id(s->root, field_id) : NULL;
}

void floe_pq_node_leaves(const floe_pq_node *node, floe_vec *out)
{
    if (node->is_leaf) {
        floe_vec_push_copy(out, &node->leaf_index);
        return;
    }
    for (size_t i = 0; i < node->n_children; i++) {
        floe_pq_node_leaves(node->children[i], out);
    }
}

const char *floe_pq_node_path(const floe_pq_node *node, floe_arena *a)
{
    size_t len = 0;
    for (const floe_pq_node *n = node; n && n->parent; n = n->parent) {
        len += strlen(n->name) + 1;
    }
    if (len == 0) {
        return floe_arena_strdup(a, "");
    }
    char *out = floe_arena_alloc(a, len);
    if (out == NULL) {
        return NULL;
    }
    size_t end = len - 1;
    out[end] = '\0';
    for (const floe_pq_node *n = node; n && n->parent; n = n->parent) {
        size_t nl = strlen(n->name);
        end -= nl;
        memcpy(out + end, n->name, nl);
        if (end > 0) {
            out[--end] = '.';
        }
    }
    return out;
}

const char *floe_pq_meta_kv(const floe_pq_file_meta *m, const char *key)
{
    for (size_t i = 0; i < m->n_kv; i++) {
        if (m->kv[i].key != NULL && strcmp(m->kv[i].key, key) == 0) {
            return m->kv[i].value;
        }
    }
    return NULL;
}
