/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema evolution helpers (spec "Schema Evolution"): a mutable copy of a schema that accepts
 * add / rename / delete / move / promote / nullability / doc / default / identifier changes,
 * each checked against the spec's rules, and produces the new schema and last column id.
 */
#include "ice_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct mnode mnode;
struct mnode {
    floe_ice_field f;      /* id, name, required, doc, defaults; f.type used for primitives */
    floe_ice_type_id kind; /* the node's type id */
    mnode **kids;          /* struct fields; list: element; map: key, value */
    size_t n, cap;
};

struct floe_ice_schema_update {
    floe_arena *a;
    const floe_ice_schema *base;
    int format_version;
    int32_t last_column_id;
    mnode *root;
    bool ids_set;
    const char *const *id_names;
    size_t n_id_names;
};

/* ==== Tree conversion ==== */

static mnode *from_field(floe_arena *a, const floe_ice_field *f, int depth)
{
    mnode *m = floe_arena_calloc(a, 1, sizeof(*m));
    if (m == NULL || depth > FLOE_ICE_MAX_DEPTH) {
        return NULL;
    }
    m->f = *f;
    m->kind = f->type->id;
    if (floe_ice_type_is_nested(f->type)) {
        m->cap = f->type->n_fields > 0 ? f->type->n_fields : 1;
        m->kids = floe_arena_calloc(a, m->cap, sizeof(*m->kids));
        if (m->kids == NULL) {
            return NULL;
        }
        for (size_t i = 0; i < f->type->n_fields; i++) {
            m->kids[i] = from_field(a, &f->type->fields[i], depth + 1);
            if (m->kids[i] == NULL) {
                return NULL;
            }
        }
        m->n = f->type->n_fields;
    }
    return m;
}

static const floe_ice_type *to_type(floe_arena *a, const mnode *m)
{
    if (m->kind != FLOE_ICE_STRUCT && m->kind != FLOE_ICE_LIST && m->kind != FLOE_ICE_MAP) {
        return m->f.type;
    }
    floe_ice_type *t = floe_arena_calloc(a, 1, sizeof(*t));
    floe_ice_field *fs = floe_arena_calloc(a, m->n > 0 ? m->n : 1, sizeof(*fs));
    if (t == NULL || fs == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        fs[i] = m->kids[i]->f;
        fs[i].type = to_type(a, m->kids[i]);
        if (fs[i].type == NULL) {
            return NULL;
        }
    }
    t->id = m->kind;
    t->fields = fs;
    t->n_fields = m->n;
    return t;
}

floe_ice_schema_update *floe_ice_schema_update_new(floe_arena *a, const floe_ice_schema *base,
                                                   int32_t last_column_id, int format_version)
{
    floe_ice_schema_update *u = floe_arena_calloc(a, 1, sizeof(*u));
    if (u == NULL) {
        return NULL;
    }
    u->a = a;
    u->base = base;
    u->format_version = format_version;
    int32_t highest = floe_ice_schema_highest_id(base);
    u->last_column_id = last_column_id > highest ? last_column_id : highest;
    floe_ice_field root = {.id = 0, .name = "", .required = true, .type = base->root};
    u->root = from_field(a, &root, 0);
    return u->root != NULL ? u : NULL;
}

/* ==== Name resolution ==== */

typedef struct found {
    mnode *node;
    mnode *parent;
    size_t index;
} found;

/* Depth-first search for the canonical dotted name. */
static bool find_in(mnode *parent, const char *prefix, size_t plen, const char *name, found *out,
                    int depth)
{
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return false;
    }
    for (size_t i = 0; i < parent->n; i++) {
        mnode *k = parent->kids[i];
        size_t kl = strlen(k->f.name);
        size_t full = plen + (plen > 0 ? 1 : 0) + kl;
        if (strlen(name) < full) {
            continue;
        }
        if (plen > 0 && (strncmp(name, prefix, plen) != 0 || name[plen] != '.')) {
            continue;
        }
        const char *rest = name + plen + (plen > 0 ? 1 : 0);
        if (strncmp(rest, k->f.name, kl) != 0) {
            continue;
        }
        if (rest[kl] == '\0') {
            out->node = k;
            out->parent = parent;
            out->index = i;
            return true;
        }
        if (rest[kl] == '.' && k->n > 0 && find_in(k, name, full, name, out, depth + 1)) {
            return true;
        }
    }
    return false;
}

static floe_status find(floe_ice_schema_update *u, const char *name, found *out, floe_err *err)
{
    if (name == NULL || !find_in(u->root, "", 0, name, out, 0)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot find column %s",
                            name != NULL ? name : "(null)");
    }
    return FLOE_OK;
}

static bool in_struct(const found *f)
{
    return f->parent->kind == FLOE_ICE_STRUCT;
}

static bool name_taken(const mnode *parent, const char *name, const mnode *except)
{
    for (size_t i = 0; i < parent->n; i++) {
        if (parent->kids[i] != except && strcmp(parent->kids[i]->f.name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_identifier(const floe_ice_schema_update *u, int32_t id)
{
    if (u->ids_set) {
        return false; /* replaced wholesale; checked at apply */
    }
    for (size_t i = 0; i < u->base->n_identifier_ids; i++) {
        if (u->base->identifier_ids[i] == id) {
            return true;
        }
    }
    return false;
}

static bool subtree_has_identifier(const floe_ice_schema_update *u, const mnode *m, int depth)
{
    if (is_identifier(u, m->f.id)) {
        return true;
    }
    for (size_t i = 0; i < m->n && depth < FLOE_ICE_MAX_DEPTH; i++) {
        if (subtree_has_identifier(u, m->kids[i], depth + 1)) {
            return true;
        }
    }
    return false;
}

static floe_status check_default(floe_ice_schema_update *u, const floe_ice_type *t,
                                 const char *json, const char **out, floe_err *err)
{
    *out = NULL;
    if (json == NULL) {
        return FLOE_OK;
    }
    if (u->format_version < 3) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "default values are not supported until v3 (table is v%d)",
                            u->format_version);
    }
    json_error_t jerr;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "invalid default value JSON: %s", jerr.text);
    }
    floe_status st = ice_check_default(u->a, t, j, FLOE_ERR_INVALID, err);
    if (st == FLOE_OK) {
        ice_jctx c = {u->a, FLOE_ERR_INVALID, err};
        st = ice_jtext(&c, j, out);
    }
    json_decref(j);
    return st;
}

/* ==== Changes ==== */

floe_status floe_ice_schema_add_column(floe_ice_schema_update *u, const char *parent,
                                       const char *name, const floe_ice_type *type, bool required,
                                       const char *doc, const char *default_json, floe_err *err)
{
    mnode *p = u->root;
    if (parent != NULL) {
        found f;
        floe_status st = find(u, parent, &f, err);
        if (st != FLOE_OK) {
            return st;
        }
        p = f.node;
        if (p->kind == FLOE_ICE_LIST) {
            p = p->kids[0];
        } else if (p->kind == FLOE_ICE_MAP) {
            p = p->kids[1];
        }
        if (p->kind != FLOE_ICE_STRUCT) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "cannot add column %s: parent %s is not a struct", name, parent);
        }
    } else if (name != NULL && strchr(name, '.') != NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot add column with ambiguous name %s: give the parent instead",
                            name);
    }
    if (name == NULL || name[0] == '\0' || type == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot add a column without a name and type");
    }
    if (name_taken(p, name, NULL)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot add column, name already exists: %s%s%s",
                            parent != NULL ? parent : "", parent != NULL ? "." : "", name);
    }
    if (required && default_json == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "incompatible change: cannot add required column without a default: "
                            "%s",
                            name);
    }
    if (floe_ice_type_min_format_version(type) > u->format_version) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot add column %s: type %s needs v%d", name,
                            floe_ice_type_name(type->id), floe_ice_type_min_format_version(type));
    }
    const char *def;
    floe_status st = check_default(u, type, default_json, &def, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "column %s", name);
    }
    if (u->last_column_id >= FLOE_ICE_MAX_USER_FIELD_ID) {
        return floe_err_set(err, FLOE_ERR_INVALID, "no field ids left");
    }
    floe_ice_field f = {0};
    f.id = ++u->last_column_id;
    f.name = floe_arena_strdup(u->a, name);
    f.required = required;
    f.doc = doc != NULL ? floe_arena_strdup(u->a, doc) : NULL;
    f.initial_default = def;
    f.write_default = def;
    st = ice_type_fresh_ids(u->a, type, &u->last_column_id, &f.type, err);
    if (st != FLOE_OK) {
        return st;
    }
    mnode *m = from_field(u->a, &f, 0);
    if (m == NULL || f.name == NULL) {
        return ice_nomem(u->a, err);
    }
    if (p->n == p->cap) {
        size_t cap = p->cap > 0 ? p->cap * 2 : 4;
        mnode **kids = floe_arena_calloc(u->a, cap, sizeof(*kids));
        if (kids == NULL) {
            return ice_nomem(u->a, err);
        }
        if (p->n > 0) {
            memcpy(kids, p->kids, p->n * sizeof(*kids));
        }
        p->kids = kids;
        p->cap = cap;
    }
    p->kids[p->n++] = m;
    return FLOE_OK;
}

floe_status floe_ice_schema_rename_column(floe_ice_schema_update *u, const char *name,
                                          const char *new_name, floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!in_struct(&f)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot rename %s: list elements and map keys "
                            "and values have fixed names",
                            name);
    }
    if (new_name == NULL || new_name[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot rename %s to an empty name", name);
    }
    if (name_taken(f.parent, new_name, f.node)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot rename %s: name already exists: %s",
                            name, new_name);
    }
    f.node->f.name = floe_arena_strdup(u->a, new_name);
    return f.node->f.name != NULL ? FLOE_OK : ice_nomem(u->a, err);
}

floe_status floe_ice_schema_delete_column(floe_ice_schema_update *u, const char *name,
                                          floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!in_struct(&f)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot delete %s: delete the list or map "
                            "instead",
                            name);
    }
    if (subtree_has_identifier(u, f.node, 0)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot delete identifier field %s: update the identifier fields first",
                            name);
    }
    memmove(&f.parent->kids[f.index], &f.parent->kids[f.index + 1],
            (f.parent->n - f.index - 1) * sizeof(mnode *));
    f.parent->n--;
    return FLOE_OK;
}

static floe_status move(floe_ice_schema_update *u, const char *name, const char *ref, int where,
                        floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!in_struct(&f)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot move %s: it is not a struct field",
                            name);
    }
    size_t target = 0;
    if (where != 0) {
        found r;
        st = find(u, ref, &r, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (r.parent != f.parent) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "cannot move %s next to %s: they are in different structs", name,
                                ref);
        }
        if (r.node == f.node) {
            return floe_err_set(err, FLOE_ERR_INVALID, "cannot move %s relative to itself", name);
        }
        target = r.index;
    }
    mnode **kids = f.parent->kids;
    mnode *m = kids[f.index];
    memmove(&kids[f.index], &kids[f.index + 1], (f.parent->n - f.index - 1) * sizeof(mnode *));
    f.parent->n--;
    if (where != 0 && target > f.index) {
        target--; /* the reference shifted left */
    }
    if (where > 0) {
        target++; /* after */
    }
    memmove(&kids[target + 1], &kids[target], (f.parent->n - target) * sizeof(mnode *));
    kids[target] = m;
    f.parent->n++;
    return FLOE_OK;
}

floe_status floe_ice_schema_move_first(floe_ice_schema_update *u, const char *name, floe_err *err)
{
    return move(u, name, NULL, 0, err);
}

floe_status floe_ice_schema_move_before(floe_ice_schema_update *u, const char *name,
                                        const char *before, floe_err *err)
{
    return move(u, name, before, -1, err);
}

floe_status floe_ice_schema_move_after(floe_ice_schema_update *u, const char *name,
                                       const char *after, floe_err *err)
{
    return move(u, name, after, 1, err);
}

floe_status floe_ice_schema_update_type(floe_ice_schema_update *u, const char *name,
                                        const floe_ice_type *type, floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_ice_type *old = f.node->f.type;
    if (floe_ice_type_is_nested(old) || type == NULL || floe_ice_type_is_nested(type)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot change the type of %s: only primitive types can be promoted",
                            name);
    }
    if (!floe_ice_type_can_promote(old, type, u->format_version)) {
        floe_buf a, b;
        floe_buf_init(&a, 0);
        floe_buf_init(&b, 0);
        floe_ice_type_format(old, &a, NULL);
        floe_ice_type_format(type, &b, NULL);
        st = floe_err_set(err, FLOE_ERR_INVALID, "cannot change column type: %s: %s -> %s", name,
                          floe_buf_cstr(&a), floe_buf_cstr(&b));
        floe_buf_fini(&a);
        floe_buf_fini(&b);
        return st;
    }
    /* Defaults must still be values of the new type. */
    const char *defs[2] = {f.node->f.initial_default, f.node->f.write_default};
    for (int i = 0; i < 2; i++) {
        if (defs[i] == NULL) {
            continue;
        }
        json_t *j = ice_jparse_text(defs[i]);
        st = ice_check_default(u->a, type, j, FLOE_ERR_INVALID, err);
        json_decref(j);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "cannot change the type of %s: its default", name);
        }
    }
    f.node->f.type = type;
    f.node->kind = type->id;
    return FLOE_OK;
}

floe_status floe_ice_schema_set_required(floe_ice_schema_update *u, const char *name, bool required,
                                         bool allow_incompatible, floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (f.parent->kind == FLOE_ICE_MAP && f.index == 0) {
        if (!required) {
            return floe_err_set(err, FLOE_ERR_INVALID, "map keys are always required: %s", name);
        }
        return FLOE_OK;
    }
    if (required && !f.node->f.required && !allow_incompatible) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot change column nullability: %s: optional -> required", name);
    }
    if (!required && is_identifier(u, f.node->f.id)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot make identifier field %s optional",
                            name);
    }
    f.node->f.required = required;
    return FLOE_OK;
}

floe_status floe_ice_schema_update_doc(floe_ice_schema_update *u, const char *name, const char *doc,
                                       floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    f.node->f.doc = doc != NULL ? floe_arena_strdup(u->a, doc) : NULL;
    return (doc == NULL || f.node->f.doc != NULL) ? FLOE_OK : ice_nomem(u->a, err);
}

floe_status floe_ice_schema_set_write_default(floe_ice_schema_update *u, const char *name,
                                              const char *default_json, floe_err *err)
{
    found f;
    floe_status st = find(u, name, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *def;
    st = check_default(u, f.node->f.type != NULL ? f.node->f.type : u->base->root, default_json,
                       &def, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "column %s", name);
    }
    if (def == NULL && f.node->f.required) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "cannot clear the write default of required column %s", name);
    }
    f.node->f.write_default = def;
    return FLOE_OK;
}

floe_status floe_ice_schema_set_identifier_fields(floe_ice_schema_update *u,
                                                  const char *const *names, size_t n, floe_err *err)
{
    const char **copy = floe_arena_calloc(u->a, n > 0 ? n : 1, sizeof(*copy));
    if (copy == NULL) {
        return ice_nomem(u->a, err);
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = floe_arena_strdup(u->a, names[i]);
        if (copy[i] == NULL) {
            return ice_nomem(u->a, err);
        }
    }
    u->ids_set = true;
    u->id_names = copy;
    u->n_id_names = n;
    return FLOE_OK;
}

floe_status floe_ice_schema_update_apply(floe_ice_schema_update *u, int32_t schema_id,
                                         const floe_ice_schema **out, int32_t *last_column_id,
                                         floe_err *err)
{
    const floe_ice_type *root = to_type(u->a, u->root);
    if (root == NULL) {
        return ice_nomem(u->a, err);
    }
    const int32_t *ids = u->base->identifier_ids;
    size_t n_ids = u->base->n_identifier_ids;
    if (u->ids_set) {
        /* Resolve names against the new schema. */
        const floe_ice_schema *tmp;
        floe_status st = floe_ice_schema_new(u->a, schema_id, root, NULL, 0, &tmp, err);
        if (st != FLOE_OK) {
            return st;
        }
        int32_t *v = floe_arena_calloc(u->a, u->n_id_names > 0 ? u->n_id_names : 1, sizeof(*v));
        if (v == NULL) {
            return ice_nomem(u->a, err);
        }
        for (size_t i = 0; i < u->n_id_names; i++) {
            const floe_ice_field *f = floe_ice_schema_find_name(tmp, u->id_names[i]);
            if (f == NULL) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "cannot add %s as an identifier field: not found in the schema",
                                    u->id_names[i]);
            }
            v[i] = f->id;
        }
        ids = v;
        n_ids = u->n_id_names;
    }
    floe_status st = floe_ice_schema_new(u->a, schema_id, root, ids, n_ids, out, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (last_column_id != NULL) {
        *last_column_id = u->last_column_id;
    }
    return FLOE_OK;
}
