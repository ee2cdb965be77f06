/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema equality for row-group stitching and for rewriting several files into one: two files
 * can share a writer only when their column trees match node for node.
 */
#include "parquet_int.h"

#include <stdio.h>
#include <string.h>

/* Dotted path of a node into `out` (the root's own name left out). */
static void node_path(const floe_pq_node *n, char *out, size_t cap)
{
    const floe_pq_node *chain[FLOE_PQ_MAX_SCHEMA_DEPTH + 2];
    size_t depth = 0;
    for (; n != NULL && n->parent != NULL && depth < FLOE_ARRAY_LEN(chain); n = n->parent) {
        chain[depth++] = n;
    }
    size_t len = 0;
    out[0] = '\0';
    while (depth > 0 && len + 1 < cap) {
        int w = snprintf(out + len, cap - len, "%s%s", len ? "." : "", chain[--depth]->name);
        if (w < 0) {
            break;
        }
        len += (size_t)w < cap - len ? (size_t)w : cap - len - 1;
    }
    if (len == 0) {
        snprintf(out, cap, "(root)");
    }
}

static bool logical_same(const floe_pq_logical *a, const floe_pq_logical *b)
{
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case FLOE_PQ_LT_DECIMAL:
        return a->precision == b->precision && a->scale == b->scale;
    case FLOE_PQ_LT_TIME:
    case FLOE_PQ_LT_TIMESTAMP:
        return a->unit == b->unit && a->utc == b->utc;
    case FLOE_PQ_LT_INTEGER:
        return a->bit_width == b->bit_width && a->is_signed == b->is_signed;
    default:
        return true;
    }
}

static const char *const rep_names[] = {"required", "optional", "repeated"};

static floe_status nodes_same(const floe_pq_node *a, const floe_pq_node *b, bool root,
                              floe_err *err)
{
    char path[512];
    node_path(a, path, sizeof(path));
    if (!root && strcmp(a->name, b->name) != 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': named '%s' in the other schema",
                            path, b->name);
    }
    if (a->is_leaf != b->is_leaf) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': a %s vs a %s", path,
                            a->is_leaf ? "leaf" : "group", b->is_leaf ? "leaf" : "group");
    }
    if (!root && a->repetition != b->repetition) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': %s vs %s", path,
                            rep_names[a->repetition % 3], rep_names[b->repetition % 3]);
    }
    if (a->has_field_id != b->has_field_id || (a->has_field_id && a->field_id != b->field_id)) {
        char ida[16] = "none", idb[16] = "none";
        if (a->has_field_id) {
            snprintf(ida, sizeof(ida), "%d", a->field_id);
        }
        if (b->has_field_id) {
            snprintf(idb, sizeof(idb), "%d", b->field_id);
        }
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': field id %s vs %s", path, ida,
                            idb);
    }
    if (a->is_leaf && a->type != b->type) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': type %s vs %s", path,
                            floe_pq_type_name(a->type), floe_pq_type_name(b->type));
    }
    if (a->is_leaf && a->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY && a->type_length != b->type_length) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': width %d vs %d", path,
                            a->type_length, b->type_length);
    }
    if (!logical_same(&a->logical, &b->logical)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': different logical types", path);
    }
    size_t n = a->n_children < b->n_children ? a->n_children : b->n_children;
    for (size_t i = 0; i < n; i++) {
        floe_status st = nodes_same(a->children[i], b->children[i], false, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (a->n_children != b->n_children) {
        const floe_pq_node *extra = a->n_children > n ? a->children[n] : b->children[n];
        char epath[512];
        node_path(extra, epath, sizeof(epath));
        return floe_err_set(err, FLOE_ERR_INVALID, "column '%s' is only in the %s schema", epath,
                            a->n_children > n ? "first" : "second");
    }
    return FLOE_OK;
}

floe_status floe_pq_schema_same(const floe_pq_schema *a, const floe_pq_schema *b, floe_err *err)
{
    if (a->root == NULL || b->root == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "schema without a root");
    }
    return nodes_same(a->root, b->root, true, err);
}
