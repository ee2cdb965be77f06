/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Iceberg types and schemas: type strings, the JSON forms of spec Appendix C, schema validation
 * and indexing (by id and by dotted name), fresh id assignment, and the format-version and
 * evolution checks used by the update path.
 */
#include "ice_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ==== Primitive singletons and names ==== */

static const floe_ice_type PRIMS[FLOE_ICE_MAP + 1] = {
    [FLOE_ICE_BOOLEAN] = {.id = FLOE_ICE_BOOLEAN},
    [FLOE_ICE_INT] = {.id = FLOE_ICE_INT},
    [FLOE_ICE_LONG] = {.id = FLOE_ICE_LONG},
    [FLOE_ICE_FLOAT] = {.id = FLOE_ICE_FLOAT},
    [FLOE_ICE_DOUBLE] = {.id = FLOE_ICE_DOUBLE},
    [FLOE_ICE_DATE] = {.id = FLOE_ICE_DATE},
    [FLOE_ICE_TIME] = {.id = FLOE_ICE_TIME},
    [FLOE_ICE_TIMESTAMP] = {.id = FLOE_ICE_TIMESTAMP},
    [FLOE_ICE_TIMESTAMPTZ] = {.id = FLOE_ICE_TIMESTAMPTZ},
    [FLOE_ICE_TIMESTAMP_NS] = {.id = FLOE_ICE_TIMESTAMP_NS},
    [FLOE_ICE_TIMESTAMPTZ_NS] = {.id = FLOE_ICE_TIMESTAMPTZ_NS},
    [FLOE_ICE_STRING] = {.id = FLOE_ICE_STRING},
    [FLOE_ICE_UUID] = {.id = FLOE_ICE_UUID},
    [FLOE_ICE_BINARY] = {.id = FLOE_ICE_BINARY},
    [FLOE_ICE_UNKNOWN] = {.id = FLOE_ICE_UNKNOWN},
    [FLOE_ICE_VARIANT] = {.id = FLOE_ICE_VARIANT},
    [FLOE_ICE_GEOMETRY] = {.id = FLOE_ICE_GEOMETRY},
    [FLOE_ICE_GEOGRAPHY] = {.id = FLOE_ICE_GEOGRAPHY},
};

static const char *const TYPE_NAMES[FLOE_ICE_MAP + 1] = {
    [FLOE_ICE_BOOLEAN] = "boolean",
    [FLOE_ICE_INT] = "int",
    [FLOE_ICE_LONG] = "long",
    [FLOE_ICE_FLOAT] = "float",
    [FLOE_ICE_DOUBLE] = "double",
    [FLOE_ICE_DECIMAL] = "decimal",
    [FLOE_ICE_DATE] = "date",
    [FLOE_ICE_TIME] = "time",
    [FLOE_ICE_TIMESTAMP] = "timestamp",
    [FLOE_ICE_TIMESTAMPTZ] = "timestamptz",
    [FLOE_ICE_TIMESTAMP_NS] = "timestamp_ns",
    [FLOE_ICE_TIMESTAMPTZ_NS] = "timestamptz_ns",
    [FLOE_ICE_STRING] = "string",
    [FLOE_ICE_UUID] = "uuid",
    [FLOE_ICE_FIXED] = "fixed",
    [FLOE_ICE_BINARY] = "binary",
    [FLOE_ICE_UNKNOWN] = "unknown",
    [FLOE_ICE_VARIANT] = "variant",
    [FLOE_ICE_GEOMETRY] = "geometry",
    [FLOE_ICE_GEOGRAPHY] = "geography",
    [FLOE_ICE_STRUCT] = "struct",
    [FLOE_ICE_LIST] = "list",
    [FLOE_ICE_MAP] = "map",
};

const char *floe_ice_type_name(floe_ice_type_id id)
{
    if ((int)id < FLOE_ICE_BOOLEAN || (int)id > FLOE_ICE_MAP) {
        return "invalid";
    }
    return TYPE_NAMES[id];
}

bool floe_ice_type_is_nested(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_STRUCT || t->id == FLOE_ICE_LIST || t->id == FLOE_ICE_MAP;
}

bool floe_ice_type_is_primitive(const floe_ice_type *t)
{
    return !floe_ice_type_is_nested(t) && t->id != FLOE_ICE_VARIANT;
}

int floe_ice_type_min_format_version(const floe_ice_type *t)
{
    switch (t->id) {
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
    case FLOE_ICE_UNKNOWN:
    case FLOE_ICE_VARIANT:
    case FLOE_ICE_GEOMETRY:
    case FLOE_ICE_GEOGRAPHY:
        return 3;
    default:
        return 1;
    }
}

const floe_ice_type *floe_ice_type_get(floe_ice_type_id id)
{
    if ((int)id < FLOE_ICE_BOOLEAN || (int)id > FLOE_ICE_MAP || id == FLOE_ICE_DECIMAL ||
        id == FLOE_ICE_FIXED || floe_ice_type_is_nested(&PRIMS[id]) || PRIMS[id].id == 0) {
        return NULL;
    }
    return &PRIMS[id];
}

const floe_ice_type *floe_ice_type_decimal(floe_arena *a, int32_t precision, int32_t scale)
{
    floe_ice_type *t = floe_arena_calloc(a, 1, sizeof(*t));
    if (t != NULL) {
        t->id = FLOE_ICE_DECIMAL;
        t->precision = precision;
        t->scale = scale;
    }
    return t;
}

const floe_ice_type *floe_ice_type_fixed(floe_arena *a, int32_t length)
{
    floe_ice_type *t = floe_arena_calloc(a, 1, sizeof(*t));
    if (t != NULL) {
        t->id = FLOE_ICE_FIXED;
        t->length = length;
    }
    return t;
}

floe_ice_type *ice_struct_type(floe_arena *a, const floe_ice_field *fields, size_t n)
{
    floe_ice_type *t = floe_arena_calloc(a, 1, sizeof(*t));
    if (t != NULL) {
        t->id = FLOE_ICE_STRUCT;
        t->fields = fields;
        t->n_fields = n;
    }
    return t;
}

static bool str_eq_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

bool floe_ice_type_equal(const floe_ice_type *a, const floe_ice_type *b)
{
    if (a == b) {
        return true;
    }
    if (a->id != b->id) {
        return false;
    }
    switch (a->id) {
    case FLOE_ICE_DECIMAL:
        return a->precision == b->precision && a->scale == b->scale;
    case FLOE_ICE_FIXED:
        return a->length == b->length;
    case FLOE_ICE_GEOMETRY:
    case FLOE_ICE_GEOGRAPHY:
        return str_eq_null(a->crs, b->crs) && str_eq_null(a->algorithm, b->algorithm);
    case FLOE_ICE_STRUCT:
    case FLOE_ICE_LIST:
    case FLOE_ICE_MAP:
        if (a->n_fields != b->n_fields) {
            return false;
        }
        for (size_t i = 0; i < a->n_fields; i++) {
            const floe_ice_field *x = &a->fields[i], *y = &b->fields[i];
            if (x->id != y->id || x->required != y->required || strcmp(x->name, y->name) != 0 ||
                !str_eq_null(x->doc, y->doc) ||
                !str_eq_null(x->initial_default, y->initial_default) ||
                !str_eq_null(x->write_default, y->write_default) ||
                !floe_ice_type_equal(x->type, y->type)) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

/* ==== Type strings ==== */

static bool parse_uint(const char *s, size_t len, int32_t max, int32_t *out)
{
    if (len == 0 || len > 10) {
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *out = (int32_t)v;
    return true;
}

/* Trim spaces from both ends of [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1])) {
        (*len)--;
    }
}

static bool word_eq(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Parameters between `open` and the matching last `close`: "(...)" -> inner text. */
static bool params(const char *s, size_t len, size_t name_len, char open, char close,
                   const char **inner, size_t *inner_len)
{
    const char *p = s + name_len;
    size_t n = len - name_len;
    trim(&p, &n);
    if (n < 2 || p[0] != open || p[n - 1] != close) {
        return false;
    }
    *inner = p + 1;
    *inner_len = n - 2;
    return true;
}

static const char *const GEO_ALGORITHMS[] = {"spherical", "vincenty", "thomas", "andoyer",
                                             "karney"};

floe_status floe_ice_type_parse(floe_arena *a, const char *str, const floe_ice_type **out,
                                floe_err *err)
{
    const char *s = str;
    size_t len = strlen(str);
    trim(&s, &len);
    for (int id = FLOE_ICE_BOOLEAN; id <= FLOE_ICE_GEOGRAPHY; id++) {
        if (id != FLOE_ICE_DECIMAL && id != FLOE_ICE_FIXED && word_eq(s, len, TYPE_NAMES[id])) {
            *out = &PRIMS[id];
            return FLOE_OK;
        }
    }
    const char *in;
    size_t in_len;
    if (len > 7 && strncasecmp(s, "decimal", 7) == 0 && params(s, len, 7, '(', ')', &in, &in_len)) {
        const char *comma = memchr(in, ',', in_len);
        if (comma != NULL) {
            const char *p1 = in, *p2 = comma + 1;
            size_t n1 = (size_t)(comma - in), n2 = in_len - n1 - 1;
            trim(&p1, &n1);
            trim(&p2, &n2);
            int32_t p, sc;
            if (parse_uint(p1, n1, 1000, &p) && parse_uint(p2, n2, 1000, &sc)) {
                if (p < 1 || p > 38 || sc > 38) {
                    return floe_err_set(err, FLOE_ERR_INVALID,
                                        "invalid type \"%s\": decimal precision must be 1..38 "
                                        "and scale 0..38",
                                        str);
                }
                const floe_ice_type *t = floe_ice_type_decimal(a, p, sc);
                if (t == NULL) {
                    return ice_nomem(a, err);
                }
                *out = t;
                return FLOE_OK;
            }
        }
    } else if (len > 5 && strncasecmp(s, "fixed", 5) == 0 &&
               params(s, len, 5, '[', ']', &in, &in_len)) {
        int32_t l;
        trim(&in, &in_len);
        if (parse_uint(in, in_len, INT32_MAX, &l) && l > 0) {
            const floe_ice_type *t = floe_ice_type_fixed(a, l);
            if (t == NULL) {
                return ice_nomem(a, err);
            }
            *out = t;
            return FLOE_OK;
        }
    } else if (len > 8 && (strncasecmp(s, "geometry", 8) == 0 ||
                           (len > 9 && strncasecmp(s, "geography", 9) == 0))) {
        bool geog = strncasecmp(s, "geography", 9) == 0;
        if (params(s, len, geog ? 9 : 8, '(', ')', &in, &in_len)) {
            const char *crs = in, *alg = NULL;
            size_t crs_len = in_len, alg_len = 0;
            if (geog) {
                const char *comma = NULL;
                for (size_t i = in_len; i > 0; i--) {
                    if (in[i - 1] == ',') {
                        comma = in + i - 1;
                        break;
                    }
                }
                if (comma != NULL) {
                    crs_len = (size_t)(comma - in);
                    alg = comma + 1;
                    alg_len = in_len - crs_len - 1;
                    trim(&alg, &alg_len);
                }
            }
            trim(&crs, &crs_len);
            bool alg_ok = alg == NULL;
            for (size_t i = 0; alg != NULL && i < FLOE_ARRAY_LEN(GEO_ALGORITHMS); i++) {
                alg_ok = alg_ok || word_eq(alg, alg_len, GEO_ALGORITHMS[i]);
            }
            if (crs_len > 0 && alg_ok) {
                floe_ice_type *t = floe_arena_calloc(a, 1, sizeof(*t));
                if (t == NULL) {
                    return ice_nomem(a, err);
                }
                t->id = geog ? FLOE_ICE_GEOGRAPHY : FLOE_ICE_GEOMETRY;
                t->crs = floe_arena_strndup(a, crs, crs_len);
                t->algorithm = alg != NULL ? floe_arena_strndup(a, alg, alg_len) : NULL;
                if (t->crs == NULL || (alg != NULL && t->algorithm == NULL)) {
                    return ice_nomem(a, err);
                }
                *out = t;
                return FLOE_OK;
            }
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "invalid type \"%s\"", str);
}

static floe_status format_type(const floe_ice_type *t, floe_buf *out, int depth, floe_err *err)
{
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_buf_append_str(out, "...", err);
    }
    switch (t->id) {
    case FLOE_ICE_DECIMAL:
        return floe_buf_printf(out, err, "decimal(%d, %d)", t->precision, t->scale);
    case FLOE_ICE_FIXED:
        return floe_buf_printf(out, err, "fixed[%d]", t->length);
    case FLOE_ICE_GEOMETRY:
        if (t->crs == NULL) {
            return floe_buf_append_str(out, "geometry", err);
        }
        return floe_buf_printf(out, err, "geometry(%s)", t->crs);
    case FLOE_ICE_GEOGRAPHY:
        if (t->crs == NULL && t->algorithm == NULL) {
            return floe_buf_append_str(out, "geography", err);
        }
        if (t->algorithm == NULL) {
            return floe_buf_printf(out, err, "geography(%s)", t->crs);
        }
        return floe_buf_printf(out, err, "geography(%s, %s)", t->crs != NULL ? t->crs : "OGC:CRS84",
                               t->algorithm);
    case FLOE_ICE_STRUCT:
    case FLOE_ICE_LIST:
    case FLOE_ICE_MAP: {
        floe_status st = floe_buf_printf(out, err, "%s<", TYPE_NAMES[t->id]);
        for (size_t i = 0; st == FLOE_OK && i < t->n_fields; i++) {
            const floe_ice_field *f = &t->fields[i];
            st = floe_buf_printf(out, err, "%s%d: %s: %s ", i > 0 ? ", " : "", f->id, f->name,
                                 f->required ? "required" : "optional");
            if (st == FLOE_OK) {
                st = format_type(f->type, out, depth + 1, err);
            }
        }
        return st != FLOE_OK ? st : floe_buf_append_str(out, ">", err);
    }
    default:
        return floe_buf_append_str(out, floe_ice_type_name(t->id), err);
    }
}

floe_status floe_ice_type_format(const floe_ice_type *t, floe_buf *out, floe_err *err)
{
    return format_type(t, out, 0, err);
}

/* The primitive type string as a JSON string. */
static json_t *prim_to_json(const floe_ice_type *t)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    format_type(t, &b, 0, NULL);
    json_t *j = ice_jstring(floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return j;
}

/* ==== Type JSON ==== */

/* Errors deep inside a type get context from the outer levels only, so the cause stays in the
 * message. */
#define WRAP_DEPTH 8

static floe_status read_default(ice_jctx *c, const json_t *fj, const char *key,
                                const floe_ice_type *type, const char **out)
{
    const json_t *d = ice_jget(fj, key);
    *out = NULL;
    if (d == NULL || json_is_null(d)) {
        return FLOE_OK;
    }
    floe_status st = ice_check_default(c->a, type, d, c->code, c->err);
    if (st != FLOE_OK) {
        return floe_err_wrap(c->err, "%s", key);
    }
    return ice_jtext(c, d, out);
}

static floe_status read_field(ice_jctx *c, const json_t *fj, int depth, floe_ice_field *f)
{
    if (!json_is_object(fj)) {
        return ice_jfail(c, "expected a field object, got %s", ice_jtype_name(fj));
    }
    floe_status st = ice_get_i32(c, fj, "id", &f->id);
    if (st == FLOE_OK) {
        st = ice_get_str(c, fj, "name", &f->name);
    }
    if (st == FLOE_OK) {
        st = ice_get_bool(c, fj, "required", &f->required);
    }
    const json_t *tj = NULL;
    if (st == FLOE_OK) {
        st = ice_jreq(c, fj, "type", &tj);
    }
    if (st == FLOE_OK) {
        st = ice_type_from_json(c, tj, depth + 1, &f->type);
        if (st != FLOE_OK && depth < WRAP_DEPTH) {
            floe_err_wrap(c->err, "type");
        }
    }
    if (st == FLOE_OK) {
        st = ice_opt_str(c, fj, "doc", &f->doc);
    }
    if (st == FLOE_OK) {
        st = read_default(c, fj, "initial-default", f->type, &f->initial_default);
    }
    if (st == FLOE_OK) {
        st = read_default(c, fj, "write-default", f->type, &f->write_default);
    }
    if (st != FLOE_OK && f->name != NULL && depth < WRAP_DEPTH) {
        return floe_err_wrap(c->err, "field %s", f->name);
    }
    return st;
}

floe_status ice_type_from_json(ice_jctx *c, const json_t *j, int depth, const floe_ice_type **out)
{
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_TOO_BIG, "type nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    if (json_is_string(j)) {
        floe_err tmp = {0};
        if (floe_ice_type_parse(c->a, json_string_value(j), out, &tmp) != FLOE_OK) {
            if (tmp.code == FLOE_ERR_TOO_BIG) {
                return floe_err_set(c->err, tmp.code, "%s", tmp.msg);
            }
            return ice_jfail(c, "%s", tmp.msg);
        }
        return FLOE_OK;
    }
    if (!json_is_object(j)) {
        return ice_jfail(c, "expected a type string or object, got %s", ice_jtype_name(j));
    }
    const char *kind;
    const json_t *kj;
    floe_status st = ice_jreq(c, j, "type", &kj);
    if (st != FLOE_OK) {
        return st;
    }
    if (!json_is_string(kj)) {
        return ice_jfail(c, "type: expected a string, got %s", ice_jtype_name(kj));
    }
    kind = json_string_value(kj);
    floe_ice_type *t = floe_arena_calloc(c->a, 1, sizeof(*t));
    if (t == NULL) {
        return ice_nomem(c->a, c->err);
    }
    if (strcmp(kind, "struct") == 0) {
        const json_t *fields;
        st = ice_get_arr(c, j, "fields", &fields);
        if (st != FLOE_OK) {
            return st;
        }
        size_t n = json_array_size(fields);
        floe_ice_field *fs = floe_arena_calloc(c->a, n > 0 ? n : 1, sizeof(*fs));
        if (fs == NULL) {
            return ice_nomem(c->a, c->err);
        }
        for (size_t i = 0; i < n; i++) {
            st = read_field(c, json_array_get(fields, i), depth, &fs[i]);
            if (st != FLOE_OK) {
                return st;
            }
        }
        t->id = FLOE_ICE_STRUCT;
        t->fields = fs;
        t->n_fields = n;
    } else if (strcmp(kind, "list") == 0) {
        floe_ice_field *e = floe_arena_calloc(c->a, 1, sizeof(*e));
        if (e == NULL) {
            return ice_nomem(c->a, c->err);
        }
        const json_t *ej = NULL;
        e->name = "element";
        st = ice_get_i32(c, j, "element-id", &e->id);
        if (st == FLOE_OK) {
            st = ice_get_bool(c, j, "element-required", &e->required);
        }
        if (st == FLOE_OK) {
            st = ice_jreq(c, j, "element", &ej);
        }
        if (st == FLOE_OK) {
            st = ice_type_from_json(c, ej, depth + 1, &e->type);
            if (st != FLOE_OK) {
                return depth < WRAP_DEPTH ? floe_err_wrap(c->err, "element") : st;
            }
        }
        if (st != FLOE_OK) {
            return st;
        }
        t->id = FLOE_ICE_LIST;
        t->fields = e;
        t->n_fields = 1;
    } else if (strcmp(kind, "map") == 0) {
        floe_ice_field *kv = floe_arena_calloc(c->a, 2, sizeof(*kv));
        if (kv == NULL) {
            return ice_nomem(c->a, c->err);
        }
        const json_t *kj2 = NULL, *vj = NULL;
        kv[0].name = "key";
        kv[0].required = true;
        kv[1].name = "value";
        st = ice_get_i32(c, j, "key-id", &kv[0].id);
        if (st == FLOE_OK) {
            st = ice_get_i32(c, j, "value-id", &kv[1].id);
        }
        if (st == FLOE_OK) {
            st = ice_get_bool(c, j, "value-required", &kv[1].required);
        }
        if (st == FLOE_OK) {
            st = ice_jreq(c, j, "key", &kj2);
        }
        if (st == FLOE_OK) {
            st = ice_type_from_json(c, kj2, depth + 1, &kv[0].type);
            if (st != FLOE_OK) {
                return depth < WRAP_DEPTH ? floe_err_wrap(c->err, "key") : st;
            }
        }
        if (st == FLOE_OK) {
            st = ice_jreq(c, j, "value", &vj);
        }
        if (st == FLOE_OK) {
            st = ice_type_from_json(c, vj, depth + 1, &kv[1].type);
            if (st != FLOE_OK) {
                return depth < WRAP_DEPTH ? floe_err_wrap(c->err, "value") : st;
            }
        }
        if (st != FLOE_OK) {
            return st;
        }
        t->id = FLOE_ICE_MAP;
        t->fields = kv;
        t->n_fields = 2;
    } else {
        return ice_jfail(c, "unknown nested type \"%s\"", kind);
    }
    *out = t;
    return FLOE_OK;
}

floe_status floe_ice_type_from_json(floe_arena *a, const json_t *j, const floe_ice_type **out,
                                    floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    return ice_type_from_json(&c, j, 0, out);
}

static json_t *type_to_json(const floe_ice_type *t);

static json_t *field_to_json(const floe_ice_field *f)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "id", ice_jnew(json_integer(f->id)));
    ice_jset(o, "name", ice_jstring(f->name));
    ice_jset(o, "required", ice_jnew(json_boolean(f->required)));
    ice_jset(o, "type", type_to_json(f->type));
    if (f->doc != NULL) {
        ice_jset(o, "doc", ice_jstring(f->doc));
    }
    if (f->initial_default != NULL) {
        ice_jset(o, "initial-default", ice_jparse_text(f->initial_default));
    }
    if (f->write_default != NULL) {
        ice_jset(o, "write-default", ice_jparse_text(f->write_default));
    }
    return o;
}

static json_t *type_to_json(const floe_ice_type *t)
{
    json_t *o;
    switch (t->id) {
    case FLOE_ICE_STRUCT:
        o = ice_jnew(json_object());
        ice_jset(o, "type", ice_jnew(json_string("struct")));
        json_t *fields = ice_jnew(json_array());
        for (size_t i = 0; i < t->n_fields; i++) {
            ice_jappend(fields, field_to_json(&t->fields[i]));
        }
        ice_jset(o, "fields", fields);
        return o;
    case FLOE_ICE_LIST:
        o = ice_jnew(json_object());
        ice_jset(o, "type", ice_jnew(json_string("list")));
        ice_jset(o, "element-id", ice_jnew(json_integer(t->fields[0].id)));
        ice_jset(o, "element", type_to_json(t->fields[0].type));
        ice_jset(o, "element-required", ice_jnew(json_boolean(t->fields[0].required)));
        return o;
    case FLOE_ICE_MAP:
        o = ice_jnew(json_object());
        ice_jset(o, "type", ice_jnew(json_string("map")));
        ice_jset(o, "key-id", ice_jnew(json_integer(t->fields[0].id)));
        ice_jset(o, "key", type_to_json(t->fields[0].type));
        ice_jset(o, "value-id", ice_jnew(json_integer(t->fields[1].id)));
        ice_jset(o, "value", type_to_json(t->fields[1].type));
        ice_jset(o, "value-required", ice_jnew(json_boolean(t->fields[1].required)));
        return o;
    default:
        return prim_to_json(t);
    }
}

json_t *floe_ice_type_to_json(const floe_ice_type *t)
{
    return type_to_json(t);
}

/* ==== Schema index ==== */

typedef struct index_builder {
    floe_arena *a;
    floe_status code;
    floe_err *err;
    floe_vec entries; /* ice_entry */
    floe_vec names;   /* ice_name_tmp */
} index_builder;

typedef struct name_tmp {
    const char *name;
    size_t entry; /* index into entries (entries move while growing) */
    bool canonical;
} name_tmp;

static char *join_name(floe_arena *a, const char *prefix, const char *name)
{
    if (prefix == NULL) {
        return floe_arena_strdup(a, name);
    }
    return floe_arena_sprintf(a, "%s.%s", prefix, name);
}

static floe_status add_name(index_builder *b, const char *name, size_t entry, bool canonical)
{
    name_tmp *n = floe_vec_push(&b->names);
    n->name = name;
    n->entry = entry;
    n->canonical = canonical;
    return FLOE_OK;
}

/*
 * Index the children of `t`. `canon` / `shortp` are the dotted prefixes (NULL at the root),
 * `path` the struct positions of the parent when it is reachable through structs only.
 */
static floe_status index_type(index_builder *b, const floe_ice_type *t, int32_t parent_id,
                              const char *canon, const char *shortp, bool in_repeated,
                              bool optional_ancestor, const int32_t *path, uint32_t depth,
                              int level)
{
    if (level > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(b->err, FLOE_ERR_TOO_BIG, "type nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    bool repeated_children = in_repeated || t->id == FLOE_ICE_LIST || t->id == FLOE_ICE_MAP;
    for (size_t i = 0; i < t->n_fields; i++) {
        const floe_ice_field *f = &t->fields[i];
        if (f->name == NULL || f->type == NULL) {
            return floe_err_set(b->err, b->code, "field %d: missing name or type", f->id);
        }
        if (t->id == FLOE_ICE_STRUCT && f->name[0] == '\0') {
            return floe_err_set(b->err, b->code, "field %d: empty name", f->id);
        }
        char *name = join_name(b->a, canon, f->name);
        /* The short name drops list "element" and map "value" levels, as Java's index does. */
        const char *sname = NULL;
        bool skip_level = (t->id == FLOE_ICE_LIST) || (t->id == FLOE_ICE_MAP && i == 1);
        if (!skip_level) {
            sname = join_name(b->a, shortp, f->name);
        }
        int32_t *fpath = NULL;
        if (!repeated_children) {
            fpath = floe_arena_calloc(b->a, depth + 1, sizeof(*fpath));
            if (fpath != NULL) {
                if (depth > 0) {
                    memcpy(fpath, path, depth * sizeof(*fpath));
                }
                fpath[depth] = (int32_t)i;
            }
        }
        if (name == NULL || (!skip_level && sname == NULL) || (!repeated_children && !fpath)) {
            return ice_nomem(b->a, b->err);
        }
        size_t idx = b->entries.n;
        ice_entry *e = floe_vec_push(&b->entries);
        e->id = f->id;
        e->parent_id = parent_id;
        e->field = f;
        e->name = name;
        e->in_repeated = repeated_children;
        e->optional_ancestor = optional_ancestor;
        e->path = fpath;
        e->depth = repeated_children ? 0 : depth + 1;
        add_name(b, name, idx, true);
        if (sname != NULL && strcmp(sname, name) != 0) {
            add_name(b, sname, idx, false);
        }
        if (floe_ice_type_is_nested(f->type)) {
            floe_status st = index_type(
                b, f->type, f->id, name, skip_level ? (shortp ? shortp : NULL) : sname,
                repeated_children, optional_ancestor || (t->id == FLOE_ICE_STRUCT && !f->required),
                fpath, depth + 1, level + 1);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    return FLOE_OK;
}

static int entry_cmp(const void *x, const void *y)
{
    const ice_entry *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

static int name_tmp_cmp(const void *x, const void *y)
{
    const name_tmp *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    if (c != 0) {
        return c;
    }
    if (a->canonical != b->canonical) {
        return a->canonical ? -1 : 1;
    }
    return (a->entry > b->entry) - (a->entry < b->entry);
}

static int name_cmp(const void *x, const void *y)
{
    const ice_name *a = x, *b = y;
    return strcmp(a->name, b->name);
}

static floe_status build_index(floe_arena *a, floe_status code, const floe_ice_type *root,
                               floe_ice_schema_index **out, floe_err *err)
{
    index_builder b = {.a = a, .code = code, .err = err};
    floe_vec_init(&b.entries, sizeof(ice_entry));
    floe_vec_init(&b.names, sizeof(name_tmp));
    floe_status st = index_type(&b, root, 0, NULL, NULL, false, false, NULL, 0, 0);
    floe_ice_schema_index *ix = NULL;
    if (st == FLOE_OK) {
        ix = floe_arena_calloc(a, 1, sizeof(*ix));
        size_t n = b.entries.n;
        ice_entry *by_id = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*by_id));
        ice_name *by_name = floe_arena_calloc(a, b.names.n > 0 ? b.names.n : 1, sizeof(*by_name));
        if (ix == NULL || by_id == NULL || by_name == NULL) {
            st = ice_nomem(a, err);
        } else {
            /* Names point at entries by position in the unsorted vector: sort names first. */
            floe_vec_sort(&b.names, name_tmp_cmp);
            if (n > 0) {
                memcpy(by_id, b.entries.data, n * sizeof(*by_id));
            }
            /* Remember each entry's id so names can be re-pointed after sorting by id. */
            qsort(by_id, n, sizeof(*by_id), entry_cmp);
            for (size_t i = 1; i < n && st == FLOE_OK; i++) {
                if (by_id[i].id == by_id[i - 1].id) {
                    st = floe_err_set(err, code, "duplicate field id %d (%s and %s)", by_id[i].id,
                                      by_id[i - 1].name, by_id[i].name);
                }
            }
            size_t kept = 0;
            for (size_t i = 0; i < b.names.n && st == FLOE_OK; i++) {
                const name_tmp *nt = FLOE_VEC_AT(&b.names, name_tmp, i);
                if (kept > 0 && strcmp(by_name[kept - 1].name, nt->name) == 0) {
                    const name_tmp *prev = FLOE_VEC_AT(&b.names, name_tmp, i - 1);
                    if (nt->canonical && prev->canonical) {
                        st = floe_err_set(err, code, "multiple fields for name %s", nt->name);
                    }
                    continue; /* a short name that collides keeps the first (canonical) one */
                }
                const ice_entry *orig = FLOE_VEC_AT(&b.entries, ice_entry, nt->entry);
                ice_entry key = {.id = orig->id};
                by_name[kept].name = nt->name;
                by_name[kept].entry = bsearch(&key, by_id, n, sizeof(*by_id), entry_cmp);
                kept++;
            }
            ix->by_id = by_id;
            ix->n = n;
            ix->by_name = by_name;
            ix->n_names = kept;
            ix->highest_id = 0;
            for (size_t i = 0; i < n; i++) {
                if (by_id[i].id > ix->highest_id) {
                    ix->highest_id = by_id[i].id;
                }
            }
        }
    }
    floe_vec_fini(&b.entries);
    floe_vec_fini(&b.names);
    if (st == FLOE_OK) {
        *out = ix;
    }
    return st;
}

const ice_entry *ice_schema_entry(const floe_ice_schema *s, int32_t id)
{
    if (s == NULL || s->index == NULL) {
        return NULL;
    }
    ice_entry key = {.id = id};
    return bsearch(&key, s->index->by_id, s->index->n, sizeof(ice_entry), entry_cmp);
}

/* ==== Schemas ==== */

static bool is_float_type(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_FLOAT || t->id == FLOE_ICE_DOUBLE;
}

/* Check the spec's identifier field rules for one id. */
static floe_status check_identifier(const floe_ice_schema *s, int32_t id, floe_status code,
                                    floe_err *err)
{
    const ice_entry *e = ice_schema_entry(s, id);
    if (e == NULL) {
        return floe_err_set(err, code, "identifier field %d: field does not exist", id);
    }
    const floe_ice_type *t = e->field->type;
    if (!floe_ice_type_is_primitive(t)) {
        return floe_err_set(err, code, "identifier field %s: not a primitive type field", e->name);
    }
    if (!e->field->required) {
        return floe_err_set(err, code, "identifier field %s: not a required field", e->name);
    }
    if (is_float_type(t)) {
        return floe_err_set(err, code, "identifier field %s: must not be a float or double field",
                            e->name);
    }
    if (e->in_repeated) {
        return floe_err_set(err, code, "identifier field %s: must not be nested in a list or map",
                            e->name);
    }
    if (e->optional_ancestor) {
        return floe_err_set(err, code,
                            "identifier field %s: must not be nested in an optional "
                            "field",
                            e->name);
    }
    return FLOE_OK;
}

static floe_status check_types(const floe_ice_type *t, floe_status code, floe_err *err, int level)
{
    if (level > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "type nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    if (t->id == FLOE_ICE_DECIMAL &&
        (t->precision < 1 || t->precision > 38 || t->scale < 0 || t->scale > 38)) {
        return floe_err_set(err, code, "invalid decimal(%d, %d)", t->precision, t->scale);
    }
    if (t->id == FLOE_ICE_FIXED && t->length < 1) {
        return floe_err_set(err, code, "invalid fixed[%d]", t->length);
    }
    if (t->id == FLOE_ICE_LIST && t->n_fields != 1) {
        return floe_err_set(err, code, "a list needs exactly one element field");
    }
    if (t->id == FLOE_ICE_MAP && (t->n_fields != 2 || !t->fields[0].required)) {
        return floe_err_set(err, code, "a map needs a required key and a value field");
    }
    for (size_t i = 0; i < t->n_fields; i++) {
        floe_status st = check_types(t->fields[i].type, code, err, level + 1);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

floe_status ice_schema_build(floe_arena *a, floe_status code, int32_t schema_id,
                             const floe_ice_type *root, const int32_t *ids, size_t n_ids,
                             const floe_ice_schema **out, floe_err *err)
{
    if (root == NULL || root->id != FLOE_ICE_STRUCT) {
        return floe_err_set(err, code, "a schema must be a struct");
    }
    floe_status st = check_types(root, code, err, 0);
    if (st != FLOE_OK) {
        return st;
    }
    floe_ice_schema *s = floe_arena_calloc(a, 1, sizeof(*s));
    int32_t *idcopy = floe_arena_calloc(a, n_ids > 0 ? n_ids : 1, sizeof(*idcopy));
    if (s == NULL || idcopy == NULL) {
        return ice_nomem(a, err);
    }
    if (n_ids > 0) {
        memcpy(idcopy, ids, n_ids * sizeof(*idcopy));
    }
    s->schema_id = schema_id;
    s->root = root;
    s->identifier_ids = idcopy;
    s->n_identifier_ids = n_ids;
    floe_ice_schema_index *ix = NULL;
    st = build_index(a, code, root, &ix, err);
    if (st != FLOE_OK) {
        return st;
    }
    s->index = ix;
    for (size_t i = 0; i < n_ids; i++) {
        for (size_t j = 0; j < i; j++) {
            if (ids[j] == ids[i]) {
                return floe_err_set(err, code, "identifier field %d listed twice", ids[i]);
            }
        }
        st = check_identifier(s, ids[i], code, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = s;
    return FLOE_OK;
}

floe_status floe_ice_schema_new(floe_arena *a, int32_t schema_id, const floe_ice_type *root,
                                const int32_t *identifier_ids, size_t n_identifier_ids,
                                const floe_ice_schema **out, floe_err *err)
{
    return ice_schema_build(a, FLOE_ERR_INVALID, schema_id, root, identifier_ids, n_identifier_ids,
                            out, err);
}

floe_status ice_schema_from_json(ice_jctx *c, const json_t *j, const floe_ice_schema **out)
{
    if (!json_is_object(j)) {
        return ice_jfail(c, "schema: expected an object, got %s", ice_jtype_name(j));
    }
    const floe_ice_type *root;
    floe_status st = ice_type_from_json(c, j, 0, &root);
    if (st != FLOE_OK) {
        return st;
    }
    if (root->id != FLOE_ICE_STRUCT) {
        return ice_jfail(c, "schema: type must be \"struct\"");
    }
    bool has_id;
    int32_t schema_id = -1;
    st = ice_opt_i32(c, j, "schema-id", &has_id, &schema_id);
    if (st != FLOE_OK) {
        return st;
    }
    if (!has_id) {
        schema_id = -1;
    } else if (schema_id < 0) {
        return ice_jfail(c, "schema-id: %d must not be negative", schema_id);
    }
    const int32_t *ids = NULL;
    size_t n_ids = 0;
    const json_t *idj = ice_jget(j, "identifier-field-ids");
    if (idj != NULL && !json_is_null(idj)) {
        st = ice_ji32_array(c, idj, "identifier-field-ids", &ids, &n_ids);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return ice_schema_build(c->a, c->code, schema_id, root, ids, n_ids, out, c->err);
}

floe_status floe_ice_schema_from_json(floe_arena *a, const json_t *j, const floe_ice_schema **out,
                                      floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    return ice_schema_from_json(&c, j, out);
}

json_t *floe_ice_schema_to_json(const floe_ice_schema *s)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string("struct")));
    if (s->schema_id >= 0) {
        ice_jset(o, "schema-id", ice_jnew(json_integer(s->schema_id)));
    }
    if (s->n_identifier_ids > 0) {
        ice_jset(o, "identifier-field-ids",
                 ice_i32_array_to_json(s->identifier_ids, s->n_identifier_ids));
    }
    json_t *fields = ice_jnew(json_array());
    for (size_t i = 0; i < s->root->n_fields; i++) {
        ice_jappend(fields, field_to_json(&s->root->fields[i]));
    }
    ice_jset(o, "fields", fields);
    return o;
}

size_t floe_ice_schema_field_count(const floe_ice_schema *s)
{
    return s->index != NULL ? s->index->n : 0;
}

const floe_ice_field *floe_ice_schema_find_id(const floe_ice_schema *s, int32_t id)
{
    const ice_entry *e = ice_schema_entry(s, id);
    return e != NULL ? e->field : NULL;
}

const floe_ice_field *floe_ice_schema_find_name(const floe_ice_schema *s, const char *name)
{
    if (s == NULL || s->index == NULL || name == NULL) {
        return NULL;
    }
    ice_name key = {.name = name};
    const ice_name *n =
        bsearch(&key, s->index->by_name, s->index->n_names, sizeof(ice_name), name_cmp);
    return n != NULL ? n->entry->field : NULL;
}

const char *floe_ice_schema_id_name(const floe_ice_schema *s, int32_t id)
{
    const ice_entry *e = ice_schema_entry(s, id);
    return e != NULL ? e->name : NULL;
}

int32_t floe_ice_schema_parent_id(const floe_ice_schema *s, int32_t id)
{
    const ice_entry *e = ice_schema_entry(s, id);
    return e != NULL ? e->parent_id : -1;
}

bool floe_ice_schema_in_repeated(const floe_ice_schema *s, int32_t id)
{
    const ice_entry *e = ice_schema_entry(s, id);
    return e != NULL && e->in_repeated;
}

int32_t floe_ice_schema_highest_id(const floe_ice_schema *s)
{
    return s->index != NULL ? s->index->highest_id : 0;
}

bool floe_ice_schema_same(const floe_ice_schema *a, const floe_ice_schema *b)
{
    if (a->n_identifier_ids != b->n_identifier_ids) {
        return false;
    }
    for (size_t i = 0; i < a->n_identifier_ids; i++) {
        bool found = false;
        for (size_t j = 0; j < b->n_identifier_ids && !found; j++) {
            found = a->identifier_ids[i] == b->identifier_ids[j];
        }
        if (!found) {
            return false;
        }
    }
    return floe_ice_type_equal(a->root, b->root);
}

/* ==== Fresh ids ==== */

typedef struct id_pair {
    int32_t from, to;
} id_pair;

static floe_status fresh_type(floe_arena *a, const floe_ice_type *t, int32_t *next, floe_vec *map,
                              const floe_ice_type **out, floe_err *err, int level)
{
    if (!floe_ice_type_is_nested(t)) {
        *out = t;
        return FLOE_OK;
    }
    if (level > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "type nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    floe_ice_type *nt = floe_arena_calloc(a, 1, sizeof(*nt));
    floe_ice_field *fs = floe_arena_calloc(a, t->n_fields > 0 ? t->n_fields : 1, sizeof(*fs));
    if (nt == NULL || fs == NULL) {
        return ice_nomem(a, err);
    }
    *nt = *t;
    /* All of a node's own children get ids first, then their nested types (Java's order). */
    for (size_t i = 0; i < t->n_fields; i++) {
        if (*next == INT32_MAX) {
            return floe_err_set(err, FLOE_ERR_INVALID, "too many field ids");
        }
        fs[i] = t->fields[i];
        fs[i].id = ++*next;
        id_pair *p = floe_vec_push(map);
        p->from = t->fields[i].id;
        p->to = fs[i].id;
    }
    for (size_t i = 0; i < t->n_fields; i++) {
        floe_status st = fresh_type(a, t->fields[i].type, next, map, &fs[i].type, err, level + 1);
        if (st != FLOE_OK) {
            return st;
        }
    }
    nt->fields = fs;
    *out = nt;
    return FLOE_OK;
}

floe_status ice_type_fresh_ids(floe_arena *a, const floe_ice_type *t, int32_t *next,
                               const floe_ice_type **out, floe_err *err)
{
    floe_vec map;
    floe_vec_init(&map, sizeof(id_pair));
    floe_status st = fresh_type(a, t, next, &map, out, err, 0);
    floe_vec_fini(&map);
    return st;
}

floe_status floe_ice_schema_assign_fresh_ids(floe_arena *a, const floe_ice_schema *s,
                                             int32_t schema_id, int32_t *next_id,
                                             const floe_ice_schema **out, floe_err *err)
{
    floe_vec map;
    floe_vec_init(&map, sizeof(id_pair));
    const floe_ice_type *root = NULL;
    floe_status st = fresh_type(a, s->root, next_id, &map, &root, err, 0);
    int32_t *ids = NULL;
    if (st == FLOE_OK && s->n_identifier_ids > 0) {
        ids = floe_arena_calloc(a, s->n_identifier_ids, sizeof(*ids));
        if (ids == NULL) {
            st = ice_nomem(a, err);
        }
        for (size_t i = 0; st == FLOE_OK && i < s->n_identifier_ids; i++) {
            ids[i] = -1;
            for (size_t k = 0; k < map.n; k++) {
                const id_pair *p = FLOE_VEC_AT(&map, id_pair, k);
                if (p->from == s->identifier_ids[i]) {
                    ids[i] = p->to;
                    break;
                }
            }
        }
    }
    floe_vec_fini(&map);
    if (st != FLOE_OK) {
        return st;
    }
    return floe_ice_schema_new(a, schema_id, root, ids, s->n_identifier_ids, out, err);
}

/* ==== Format and evolution checks ==== */

floe_status floe_ice_schema_check_format(const floe_ice_schema *s, int format_version,
                                         floe_err *err)
{
    for (size_t i = 0; i < s->index->n; i++) {
        const ice_entry *e = &s->index->by_id[i];
        int need = floe_ice_type_min_format_version(e->field->type);
        if (need > format_version) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "invalid type for %s: %s is not supported until v%d", e->name,
                                floe_ice_type_name(e->field->type->id), need);
        }
        const char *def =
            e->field->initial_default != NULL ? e->field->initial_default : e->field->write_default;
        if (def != NULL && format_version < 3) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "invalid default for %s: non-null default (%s) is not supported "
                                "until v3",
                                e->name, def);
        }
    }
    return FLOE_OK;
}

bool floe_ice_type_can_promote(const floe_ice_type *from, const floe_ice_type *to,
                               int format_version)
{
    if (floe_ice_type_equal(from, to)) {
        return true;
    }
    switch (from->id) {
    case FLOE_ICE_INT:
        return to->id == FLOE_ICE_LONG;
    case FLOE_ICE_FLOAT:
        return to->id == FLOE_ICE_DOUBLE;
    case FLOE_ICE_DECIMAL:
        return to->id == FLOE_ICE_DECIMAL && to->scale == from->scale &&
               to->precision >= from->precision;
    case FLOE_ICE_DATE:
        return format_version >= 3 &&
               (to->id == FLOE_ICE_TIMESTAMP || to->id == FLOE_ICE_TIMESTAMP_NS);
    case FLOE_ICE_UNKNOWN:
        return format_version >= 3;
    default:
        return false;
    }
}

floe_status floe_ice_schema_check_evolution(const floe_ice_schema *prev,
                                            const floe_ice_schema *next, int format_version,
                                            floe_err *err)
{
    for (size_t i = 0; i < next->index->n; i++) {
        const ice_entry *e = &next->index->by_id[i];
        const ice_entry *p = ice_schema_entry(prev, e->id);
        if (p == NULL) {
            continue;
        }
        const floe_ice_type *from = p->field->type, *to = e->field->type;
        bool ok;
        if (floe_ice_type_is_nested(from) || floe_ice_type_is_nested(to)) {
            ok = from->id == to->id || (from->id == FLOE_ICE_UNKNOWN && format_version >= 3);
        } else {
            ok = floe_ice_type_can_promote(from, to, format_version);
        }
        if (!ok) {
            floe_buf a, b;
            floe_buf_init(&a, 4096);
            floe_buf_init(&b, 4096);
            floe_ice_type_format(from, &a, NULL);
            floe_ice_type_format(to, &b, NULL);
            floe_status st = floe_err_set(err, FLOE_ERR_INVALID,
                                          "cannot change type of column %s (id %d) from %s to %s",
                                          e->name, e->id, floe_buf_cstr(&a), floe_buf_cstr(&b));
            floe_buf_fini(&a);
            floe_buf_fini(&b);
            return st;
        }
    }
    return FLOE_OK;
}
