/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name mappings (spec "Column Projection", table property schema.name-mapping.default): the
 * field ids to give the columns of files written without ids, by column name at each level.
 */
#include "rows_int.h"

#include <string.h>

#include "ice_int.h"

/* Largest name mapping JSON accepted, and the most names one entry may list. */
#define NAME_MAPPING_MAX ((size_t)16 << 20)

typedef struct nm_field {
    const char *const *names;
    size_t n_names;
    int32_t id; /* -1 when the entry has no field-id */
    const floe_ice_name_mapping *fields;
} nm_field;

struct floe_ice_name_mapping {
    const nm_field *fields;
    size_t n;
};

static floe_status parse_level(ice_jctx *c, const json_t *arr, int depth,
                               const floe_ice_name_mapping **out);

static floe_status parse_field(ice_jctx *c, const json_t *o, int depth, nm_field *f)
{
    if (!json_is_object(o)) {
        return ice_jfail(c, "expected an object, got %s", ice_jtype_name(o));
    }
    bool has_id = false;
    floe_status st = ice_opt_i32(c, o, "field-id", &has_id, &f->id);
    if (st != FLOE_OK) {
        return st;
    }
    if (!has_id) {
        f->id = -1;
    }
    const json_t *names = ice_jget(o, "names");
    if (names != NULL && !json_is_null(names)) {
        if (!json_is_array(names)) {
            return ice_jfail(c, "names: expected an array");
        }
        size_t n = json_array_size(names);
        const char **v = floe_arena_calloc(c->a, n + 1, sizeof(char *));
        if (v == NULL) {
            return ice_nomem(c->a, c->err);
        }
        for (size_t i = 0; i < n; i++) {
            st = ice_jstr(c, json_array_get(names, i), "names[]", &v[i]);
            if (st != FLOE_OK) {
                return st;
            }
        }
        f->names = v;
        f->n_names = n;
    }
    const json_t *fields = ice_jget(o, "fields");
    if (fields != NULL && !json_is_null(fields)) {
        st = parse_level(c, fields, depth + 1, &f->fields);
        if (st != FLOE_OK) {
            /* Depth errors are not wrapped level by level (the path would drown the cause). */
            return st == FLOE_ERR_TOO_BIG ? st : floe_err_wrap(c->err, "fields");
        }
    }
    return FLOE_OK;
}

static floe_status parse_level(ice_jctx *c, const json_t *arr, int depth,
                               const floe_ice_name_mapping **out)
{
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_TOO_BIG, "name mapping nested deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    if (!json_is_array(arr)) {
        return ice_jfail(c, "expected an array of fields, got %s", ice_jtype_name(arr));
    }
    size_t n = json_array_size(arr);
    floe_ice_name_mapping *m = floe_arena_calloc(c->a, 1, sizeof(*m));
    nm_field *f = floe_arena_calloc(c->a, n + 1, sizeof(*f));
    if (m == NULL || f == NULL) {
        return ice_nomem(c->a, c->err);
    }
    for (size_t i = 0; i < n; i++) {
        floe_status st = parse_field(c, json_array_get(arr, i), depth, &f[i]);
        if (st != FLOE_OK) {
            return st == FLOE_ERR_TOO_BIG ? st : floe_err_wrap(c->err, "[%zu]", i);
        }
    }
    m->fields = f;
    m->n = n;
    *out = m;
    return FLOE_OK;
}

floe_status floe_ice_name_mapping_parse(floe_arena *a, floe_str json,
                                        const floe_ice_name_mapping **out, floe_err *err)
{
    *out = NULL;
    if (json.len > NAME_MAPPING_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "name mapping of %zu bytes (limit %zu)",
                            json.len, NAME_MAPPING_MAX);
    }
    json_error_t je;
    /* jansson's own nesting limit (2048) is above ours; parse_level checks depth. */
    json_t *j = json_loadb(json.ptr != NULL ? json.ptr : "", json.len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "name mapping: %s at offset %d", je.text,
                            je.position);
    }
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    floe_status st = parse_level(&c, j, 0, out);
    json_decref(j);
    if (st != FLOE_OK) {
        *out = NULL;
        return floe_err_wrap(err, "name mapping");
    }
    return FLOE_OK;
}

static floe_status from_type(floe_arena *a, const floe_ice_type *t,
                             const floe_ice_name_mapping **out, floe_err *err)
{
    *out = NULL;
    if (floe_ice_type_is_primitive(t) || t->n_fields == 0) {
        return FLOE_OK;
    }
    floe_ice_name_mapping *m = floe_arena_calloc(a, 1, sizeof(*m));
    nm_field *f = floe_arena_calloc(a, t->n_fields + 1, sizeof(*f));
    if (m == NULL || f == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < t->n_fields; i++) {
        const char **names = floe_arena_calloc(a, 1, sizeof(char *));
        if (names == NULL) {
            return ice_nomem(a, err);
        }
        names[0] = t->fields[i].name;
        f[i].names = names;
        f[i].n_names = 1;
        f[i].id = t->fields[i].id;
        floe_status st = from_type(a, t->fields[i].type, &f[i].fields, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    m->fields = f;
    m->n = t->n_fields;
    *out = m;
    return FLOE_OK;
}

floe_status floe_ice_name_mapping_from_schema(floe_arena *a, const floe_ice_schema *s,
                                              const floe_ice_name_mapping **out, floe_err *err)
{
    floe_status st = from_type(a, s->root, out, err);
    if (st == FLOE_OK && *out == NULL) {
        floe_ice_name_mapping *m = floe_arena_calloc(a, 1, sizeof(*m));
        if (m == NULL) {
            return ice_nomem(a, err);
        }
        *out = m;
    }
    return st;
}

/* The entry of a level that lists `name`, or NULL. */
const floe_ice_name_mapping *rows_mapping_find_field(const floe_ice_name_mapping *m,
                                                     const char *name, int32_t *id)
{
    *id = -1;
    if (m == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        for (size_t k = 0; k < m->fields[i].n_names; k++) {
            if (strcmp(m->fields[i].names[k], name) == 0) {
                *id = m->fields[i].id;
                return m->fields[i].fields;
            }
        }
    }
    return NULL;
}

int32_t floe_ice_name_mapping_find(const floe_ice_name_mapping *m, const char *const *path,
                                   size_t n)
{
    int32_t id = -1;
    for (size_t i = 0; i < n; i++) {
        if (m == NULL) {
            return -1;
        }
        m = rows_mapping_find_field(m, path[i], &id);
        if (id < 0 && i + 1 == n) {
            return -1;
        }
    }
    return n == 0 ? -1 : id;
}
