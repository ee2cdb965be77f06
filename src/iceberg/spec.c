/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition specs and sort orders: JSON forms (spec Appendix C, including the bare v1 field
 * list), validation against a schema, the partition tuple type, partition tuples of rows, and
 * partition paths.
 */
#include "ice_int.h"

#include <stdio.h>
#include <stdlib.h>

/* ==== Partition specs ==== */

bool floe_partition_spec_is_unpartitioned(const floe_partition_spec *s)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        if (s->fields[i].transform.kind != FLOE_ICE_T_VOID) {
            return false;
        }
    }
    return true;
}

int32_t floe_partition_spec_last_field_id(const floe_partition_spec *s)
{
    int32_t last = FLOE_ICE_PARTITION_ID_START - 1;
    for (size_t i = 0; i < s->n_fields; i++) {
        if (s->fields[i].field_id > last) {
            last = s->fields[i].field_id;
        }
    }
    return last;
}

static bool source_ids_equal(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

bool floe_partition_spec_equivalent(const floe_partition_spec *a, const floe_partition_spec *b)
{
    if (a->n_fields != b->n_fields) {
        return false;
    }
    for (size_t i = 0; i < a->n_fields; i++) {
        const floe_partition_field *x = &a->fields[i], *y = &b->fields[i];
        if (x->source_id != y->source_id || strcmp(x->name, y->name) != 0 ||
            !floe_ice_transform_equal(x->transform, y->transform) ||
            !source_ids_equal(x->source_ids, x->n_source_ids, y->source_ids, y->n_source_ids)) {
            return false;
        }
    }
    return true;
}

/* "source-id" or the v3 "source-ids" list (the first id becomes source_id). */
static floe_status read_sources(ice_jctx *c, const json_t *fj, int32_t *source_id,
                                const int32_t **ids, size_t *n_ids)
{
    const json_t *multi = ice_jget(fj, "source-ids");
    *ids = NULL;
    *n_ids = 0;
    if (multi != NULL && !json_is_null(multi)) {
        floe_status st = ice_ji32_array(c, multi, "source-ids", ids, n_ids);
        if (st != FLOE_OK) {
            return st;
        }
        if (*n_ids == 0) {
            return ice_jfail(c, "source-ids: must not be empty");
        }
        *source_id = (*ids)[0];
        return FLOE_OK;
    }
    return ice_get_i32(c, fj, "source-id", source_id);
}

static floe_status read_transform(ice_jctx *c, const json_t *fj, floe_ice_transform *out)
{
    const char *text;
    floe_status st = ice_get_str(c, fj, "transform", &text);
    if (st != FLOE_OK) {
        return st;
    }
    floe_err tmp = {0};
    st = floe_ice_transform_parse(c->a, text, out, &tmp);
    if (st != FLOE_OK) {
        return st == FLOE_ERR_TOO_BIG ? floe_err_set(c->err, st, "%s", tmp.msg)
                                      : ice_jfail(c, "%s", tmp.msg);
    }
    return FLOE_OK;
}

floe_status ice_spec_from_json(ice_jctx *c, const json_t *j, bool fields_only, int32_t spec_id,
                               bool assign_ids, const floe_partition_spec **out)
{
    const json_t *fields = j;
    floe_status st = FLOE_OK;
    if (!fields_only) {
        if (!json_is_object(j)) {
            return ice_jfail(c, "partition spec: expected an object, got %s", ice_jtype_name(j));
        }
        bool has_id;
        st = ice_opt_i32(c, j, "spec-id", &has_id, &spec_id);
        if (st != FLOE_OK) {
            return st;
        }
        if (!has_id) {
            spec_id = -1;
        } else if (spec_id < 0) {
            return ice_jfail(c, "spec-id: %d must not be negative", spec_id);
        }
        st = ice_get_arr(c, j, "fields", &fields);
        if (st != FLOE_OK) {
            return st;
        }
    } else if (!json_is_array(j)) {
        return ice_jfail(c, "partition spec: expected a list of fields, got %s", ice_jtype_name(j));
    }
    size_t n = json_array_size(fields);
    floe_partition_spec *spec = floe_arena_calloc(c->a, 1, sizeof(*spec));
    floe_partition_field *fs = floe_arena_calloc(c->a, n > 0 ? n : 1, sizeof(*fs));
    if (spec == NULL || fs == NULL) {
        return ice_nomem(c->a, c->err);
    }
    /* Missing ids continue after the highest id seen, as v1 writers assigned them. */
    int32_t last = FLOE_ICE_PARTITION_ID_START - 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *fj = json_array_get(fields, i);
        floe_partition_field *f = &fs[i];
        if (!json_is_object(fj)) {
            st = ice_jfail(c, "expected an object, got %s", ice_jtype_name(fj));
        }
        if (st == FLOE_OK) {
            st = ice_get_str(c, fj, "name", &f->name);
        }
        if (st == FLOE_OK) {
            st = read_transform(c, fj, &f->transform);
        }
        if (st == FLOE_OK) {
            st = read_sources(c, fj, &f->source_id, &f->source_ids, &f->n_source_ids);
        }
        bool has_fid = false;
        if (st == FLOE_OK) {
            st = ice_opt_i32(c, fj, "field-id", &has_fid, &f->field_id);
        }
        if (st == FLOE_OK && has_fid && f->field_id < 0) {
            st = ice_jfail(c, "field-id: %d must not be negative", f->field_id);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(c->err, "partition field %zu", i);
        }
        if (has_fid) {
            last = f->field_id > last ? f->field_id : last;
        } else if (assign_ids) {
            if (last == INT32_MAX) {
                return ice_jfail(c, "partition field %zu: no field id left", i);
            }
            f->field_id = ++last;
        } else {
            f->field_id = -1;
        }
    }
    spec->spec_id = spec_id;
    spec->fields = fs;
    spec->n_fields = n;
    *out = spec;
    return FLOE_OK;
}

floe_status floe_partition_spec_from_json(floe_arena *a, const json_t *j, bool fields_only,
                                          int32_t spec_id, const floe_partition_spec **out,
                                          floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    return ice_spec_from_json(&c, j, fields_only, spec_id, true, out);
}

static json_t *spec_field_to_json(const floe_partition_field *f)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "name", ice_jstring(f->name));
    ice_jset(o, "transform", ice_transform_to_json(f->transform));
    if (f->source_ids != NULL) {
        ice_jset(o, "source-ids", ice_i32_array_to_json(f->source_ids, f->n_source_ids));
    } else {
        ice_jset(o, "source-id", ice_jnew(json_integer(f->source_id)));
    }
    if (f->field_id >= 0) {
        ice_jset(o, "field-id", ice_jnew(json_integer(f->field_id)));
    }
    return o;
}

json_t *floe_partition_spec_fields_to_json(const floe_partition_spec *s)
{
    json_t *arr = ice_jnew(json_array());
    for (size_t i = 0; i < s->n_fields; i++) {
        ice_jappend(arr, spec_field_to_json(&s->fields[i]));
    }
    return arr;
}

json_t *floe_partition_spec_to_json(const floe_partition_spec *s)
{
    json_t *o = ice_jnew(json_object());
    if (s->spec_id >= 0) {
        ice_jset(o, "spec-id", ice_jnew(json_integer(s->spec_id)));
    }
    ice_jset(o, "fields", floe_partition_spec_fields_to_json(s));
    return o;
}

const floe_ice_type *ice_source_type(const floe_ice_schema *schema, int32_t source_id)
{
    const floe_ice_field *f = floe_ice_schema_find_id(schema, source_id);
    return f != NULL ? f->type : NULL;
}

/* Check one source column of a partition or sort field. */
static floe_status check_source(const floe_ice_schema *schema, int32_t source_id,
                                floe_ice_transform t, const char *what, floe_err *err)
{
    const ice_entry *e = ice_schema_entry(schema, source_id);
    if (e == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: cannot find source column %d", what,
                            source_id);
    }
    if (!floe_ice_type_is_primitive(e->field->type)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: source column %s is not a primitive type",
                            what, e->name);
    }
    if (e->in_repeated) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: source column %s is inside a list or map",
                            what, e->name);
    }
    if (t.kind == FLOE_ICE_T_UNKNOWN) {
        return FLOE_OK;
    }
    const floe_ice_type *rt;
    floe_status st = floe_ice_transform_result_type(NULL, t, e->field->type, &rt, err);
    return st != FLOE_OK ? floe_err_wrap(err, "%s", what) : FLOE_OK;
}

floe_status floe_partition_spec_validate(const floe_partition_spec *spec,
                                         const floe_ice_schema *schema, floe_err *err)
{
    for (size_t i = 0; i < spec->n_fields; i++) {
        const floe_partition_field *f = &spec->fields[i];
        if (f->name == NULL || f->name[0] == '\0') {
            return floe_err_set(err, FLOE_ERR_INVALID, "partition field %zu: empty name", i);
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(spec->fields[k].name, f->name) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "partition field %s: name is used twice",
                                    f->name);
            }
            if (f->field_id >= 0 && spec->fields[k].field_id == f->field_id) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "partition field %s: field id %d is used twice", f->name,
                                    f->field_id);
            }
        }
        char what[160];
        snprintf(what, sizeof(what), "partition field %s", f->name);
        /* A void field may keep a source column that was dropped (v1 evolution). */
        bool missing_ok = f->transform.kind == FLOE_ICE_T_VOID &&
                          floe_ice_schema_find_id(schema, f->source_id) == NULL;
        if (!missing_ok) {
            size_t n = f->source_ids != NULL ? f->n_source_ids : 1;
            for (size_t k = 0; k < n; k++) {
                int32_t sid = f->source_ids != NULL ? f->source_ids[k] : f->source_id;
                floe_ice_transform t = f->transform;
                if (n > 1) {
                    t.kind = FLOE_ICE_T_UNKNOWN; /* multi-argument: only existence is checked */
                }
                floe_status st = check_source(schema, sid, t, what, err);
                if (st != FLOE_OK) {
                    return st;
                }
            }
        }
        /* A name that is also a column name must partition by that very column (Java). */
        const floe_ice_field *same = floe_ice_schema_find_name(schema, f->name);
        if (same != NULL && same->id != f->source_id) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "partition field %s: name conflicts with a schema column", f->name);
        }
    }
    return FLOE_OK;
}

floe_status floe_partition_spec_type(floe_arena *a, const floe_partition_spec *spec,
                                     const floe_ice_schema *schema, const floe_ice_type **out,
                                     floe_err *err)
{
    floe_ice_field *fs = floe_arena_calloc(a, spec->n_fields > 0 ? spec->n_fields : 1, sizeof(*fs));
    if (fs == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < spec->n_fields; i++) {
        const floe_partition_field *f = &spec->fields[i];
        const floe_ice_type *src = ice_source_type(schema, f->source_id);
        const floe_ice_type *rt;
        if (f->transform.kind == FLOE_ICE_T_UNKNOWN) {
            rt = floe_ice_type_get(FLOE_ICE_STRING); /* as Java's UnknownTransform */
        } else if (src == NULL && f->transform.kind == FLOE_ICE_T_VOID) {
            rt = floe_ice_type_get(FLOE_ICE_INT);
        } else if (src == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "partition field %s: cannot find source column %d", f->name,
                                f->source_id);
        } else {
            floe_status st = floe_ice_transform_result_type(a, f->transform, src, &rt, err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "partition field %s", f->name);
            }
        }
        fs[i].id = f->field_id;
        fs[i].name = f->name;
        fs[i].required = false;
        fs[i].type = rt;
    }
    const floe_ice_type *t = ice_struct_type(a, fs, spec->n_fields);
    if (t == NULL) {
        return ice_nomem(a, err);
    }
    *out = t;
    return FLOE_OK;
}

/* URL-encode like Java's URLEncoder (UTF-8): unreserved bytes kept, space '+', rest %XX. */
static floe_status url_encode(const char *s, size_t n, floe_buf *out, floe_err *err)
{
    static const char hex[] = "0123456789ABCDEF";
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '*' || c == '_') {
            st = floe_buf_append_byte(out, c, err);
        } else if (c == ' ') {
            st = floe_buf_append_byte(out, '+', err);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            st = floe_buf_append(out, e, 3, err);
        }
    }
    return st;
}

floe_status floe_partition_path(const floe_partition_spec *spec, const floe_ice_schema *schema,
                                const floe_value *partition, floe_buf *out, floe_err *err)
{
    if (partition->kind != FLOE_V_STRUCT || partition->u.nested.n != spec->n_fields) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "partition tuple does not match the spec (%zu fields)", spec->n_fields);
    }
    floe_arena *tmp = floe_arena_new(1 << 20);
    const floe_ice_type *ptype;
    floe_status st = floe_partition_spec_type(tmp, spec, schema, &ptype, err);
    floe_buf human;
    floe_buf_init(&human, 0);
    for (size_t i = 0; st == FLOE_OK && i < spec->n_fields; i++) {
        const floe_partition_field *f = &spec->fields[i];
        floe_buf_reset(&human);
        st = floe_ice_transform_human(f->transform, ptype->fields[i].type,
                                      &partition->u.nested.items[i], &human, err);
        if (st == FLOE_OK && i > 0) {
            st = floe_buf_append_byte(out, '/', err);
        }
        if (st == FLOE_OK) {
            st = url_encode(f->name, strlen(f->name), out, err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(out, '=', err);
        }
        if (st == FLOE_OK) {
            st = url_encode(floe_buf_cstr(&human), human.len, out, err);
        }
    }
    floe_buf_fini(&human);
    floe_arena_free(tmp);
    return st;
}

floe_status floe_partition_tuple(floe_arena *a, const floe_partition_spec *spec,
                                 const floe_ice_schema *schema, const floe_value *row,
                                 floe_value *out, floe_err *err)
{
    floe_value *items =
        floe_arena_calloc(a, spec->n_fields > 0 ? spec->n_fields : 1, sizeof(*items));
    const char **names =
        floe_arena_calloc(a, spec->n_fields > 0 ? spec->n_fields : 1, sizeof(*names));
    if (items == NULL || names == NULL) {
        return ice_nomem(a, err);
    }
    floe_ice_row r = {schema, row};
    for (size_t i = 0; i < spec->n_fields; i++) {
        const floe_partition_field *f = &spec->fields[i];
        names[i] = f->name;
        if (f->transform.kind == FLOE_ICE_T_VOID) {
            items[i] = floe_value_null();
            continue;
        }
        const floe_ice_type *src = ice_source_type(schema, f->source_id);
        if (src == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "partition field %s: cannot find source column %d", f->name,
                                f->source_id);
        }
        floe_value v;
        floe_ice_row_value(&r, f->source_id, &v);
        floe_status st = floe_ice_transform_apply(f->transform, src, &v, &items[i], err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "partition field %s", f->name);
        }
    }
    *out = floe_value_null();
    out->kind = FLOE_V_STRUCT;
    out->u.nested.items = items;
    out->u.nested.names = names;
    out->u.nested.n = spec->n_fields;
    return FLOE_OK;
}

/* ==== Sort orders ==== */

floe_status ice_sort_order_from_json(ice_jctx *c, const json_t *j, const floe_sort_order **out)
{
    if (!json_is_object(j)) {
        return ice_jfail(c, "sort order: expected an object, got %s", ice_jtype_name(j));
    }
    floe_sort_order *o = floe_arena_calloc(c->a, 1, sizeof(*o));
    if (o == NULL) {
        return ice_nomem(c->a, c->err);
    }
    const json_t *fields;
    floe_status st = ice_get_i32(c, j, "order-id", &o->order_id);
    if (st == FLOE_OK) {
        st = ice_get_arr(c, j, "fields", &fields);
    }
    if (st != FLOE_OK) {
        return st;
    }
    size_t n = json_array_size(fields);
    floe_sort_field *fs = floe_arena_calloc(c->a, n > 0 ? n : 1, sizeof(*fs));
    if (fs == NULL) {
        return ice_nomem(c->a, c->err);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *fj = json_array_get(fields, i);
        floe_sort_field *f = &fs[i];
        const char *dir = NULL, *nulls = NULL;
        if (!json_is_object(fj)) {
            st = ice_jfail(c, "expected an object, got %s", ice_jtype_name(fj));
        }
        if (st == FLOE_OK) {
            st = read_transform(c, fj, &f->transform);
        }
        if (st == FLOE_OK) {
            st = read_sources(c, fj, &f->source_id, &f->source_ids, &f->n_source_ids);
        }
        if (st == FLOE_OK) {
            st = ice_get_str(c, fj, "direction", &dir);
        }
        if (st == FLOE_OK) {
            st = ice_get_str(c, fj, "null-order", &nulls);
        }
        if (st == FLOE_OK) {
            if (strcmp(dir, "asc") == 0) {
                f->direction = FLOE_SORT_ASC;
            } else if (strcmp(dir, "desc") == 0) {
                f->direction = FLOE_SORT_DESC;
            } else {
                st = ice_jfail(c, "direction: expected \"asc\" or \"desc\", got \"%s\"", dir);
            }
        }
        if (st == FLOE_OK) {
            if (strcmp(nulls, "nulls-first") == 0) {
                f->null_order = FLOE_NULLS_FIRST;
            } else if (strcmp(nulls, "nulls-last") == 0) {
                f->null_order = FLOE_NULLS_LAST;
            } else {
                st = ice_jfail(c,
                               "null-order: expected \"nulls-first\" or \"nulls-last\", "
                               "got \"%s\"",
                               nulls);
            }
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(c->err, "sort field %zu", i);
        }
    }
    if (o->order_id == 0 && n > 0) {
        return ice_jfail(c, "sort order 0 is reserved for the unsorted order but has fields");
    }
    o->fields = fs;
    o->n_fields = n;
    *out = o;
    return FLOE_OK;
}

floe_status floe_sort_order_from_json(floe_arena *a, const json_t *j, const floe_sort_order **out,
                                      floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    return ice_sort_order_from_json(&c, j, out);
}

json_t *floe_sort_order_to_json(const floe_sort_order *o)
{
    json_t *obj = ice_jnew(json_object());
    ice_jset(obj, "order-id", ice_jnew(json_integer(o->order_id)));
    json_t *arr = ice_jnew(json_array());
    for (size_t i = 0; i < o->n_fields; i++) {
        const floe_sort_field *f = &o->fields[i];
        json_t *fj = ice_jnew(json_object());
        ice_jset(fj, "transform", ice_transform_to_json(f->transform));
        if (f->source_ids != NULL) {
            ice_jset(fj, "source-ids", ice_i32_array_to_json(f->source_ids, f->n_source_ids));
        } else {
            ice_jset(fj, "source-id", ice_jnew(json_integer(f->source_id)));
        }
        ice_jset(fj, "direction",
                 ice_jnew(json_string(f->direction == FLOE_SORT_ASC ? "asc" : "desc")));
        ice_jset(fj, "null-order",
                 ice_jnew(json_string(f->null_order == FLOE_NULLS_FIRST ? "nulls-first"
                                                                        : "nulls-last")));
        ice_jappend(arr, fj);
    }
    ice_jset(obj, "fields", arr);
    return obj;
}

bool floe_sort_order_same(const floe_sort_order *a, const floe_sort_order *b)
{
    if (a->n_fields != b->n_fields) {
        return false;
    }
    for (size_t i = 0; i < a->n_fields; i++) {
        const floe_sort_field *x = &a->fields[i], *y = &b->fields[i];
        if (x->source_id != y->source_id || x->direction != y->direction ||
            x->null_order != y->null_order ||
            !floe_ice_transform_equal(x->transform, y->transform) ||
            !source_ids_equal(x->source_ids, x->n_source_ids, y->source_ids, y->n_source_ids)) {
            return false;
        }
    }
    return true;
}

floe_status floe_sort_order_validate(const floe_sort_order *o, const floe_ice_schema *schema,
                                     floe_err *err)
{
    for (size_t i = 0; i < o->n_fields; i++) {
        const floe_sort_field *f = &o->fields[i];
        char what[64];
        snprintf(what, sizeof(what), "sort field %zu", i);
        size_t n = f->source_ids != NULL ? f->n_source_ids : 1;
        for (size_t k = 0; k < n; k++) {
            floe_ice_transform t = f->transform;
            if (n > 1) {
                t.kind = FLOE_ICE_T_UNKNOWN;
            }
            floe_status st = check_source(
                schema, f->source_ids != NULL ? f->source_ids[k] : f->source_id, t, what, err);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    return FLOE_OK;
}
