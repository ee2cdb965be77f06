/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON helpers for the Iceberg module: typed member access on jansson values with messages
 * that name the key, copying into the caller's arena, and small writers. The error code of a
 * malformed document is chosen by the caller through ice_jctx (CORRUPT for files, INVALID for
 * requests).
 */
#include "ice_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

floe_status ice_nomem(floe_arena *a, floe_err *err)
{
    if (a != NULL && floe_arena_failed(a)) {
        return floe_arena_check(a, err);
    }
    return floe_err_set(err, FLOE_ERR_TOO_BIG, "allocation too large");
}

json_t *ice_jnew(json_t *v)
{
    FLOE_VERIFY(v != NULL);
    return v;
}

static bool utf8_valid(const char *s);

void ice_jset(json_t *obj, const char *key, json_t *v)
{
    if (v == NULL) {
        return;
    }
    if (!utf8_valid(key)) {
        json_t *k = ice_jstring(key); /* sanitised copy */
        FLOE_VERIFY(json_object_set_new(obj, json_string_value(k), v) == 0);
        json_decref(k);
        return;
    }
    FLOE_VERIFY(json_object_set_new(obj, key, v) == 0);
}

void ice_jappend(json_t *arr, json_t *v)
{
    FLOE_VERIFY(v != NULL && json_array_append_new(arr, v) == 0);
}

floe_status ice_jfail(ice_jctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_status st = floe_err_setv(c->err, c->code, fmt, ap);
    va_end(ap);
    return st;
}

const char *ice_jtype_name(const json_t *v)
{
    if (v == NULL) {
        return "nothing";
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

const json_t *ice_jget(const json_t *o, const char *key)
{
    if (o == NULL || !json_is_object(o)) {
        return NULL;
    }
    return json_object_get(o, key);
}

floe_status ice_jreq(ice_jctx *c, const json_t *o, const char *key, const json_t **out)
{
    const json_t *v = ice_jget(o, key);
    if (v == NULL || json_is_null(v)) {
        return ice_jfail(c, "%s: missing", key);
    }
    *out = v;
    return FLOE_OK;
}

floe_status ice_jint64(ice_jctx *c, const json_t *v, const char *what, int64_t *out)
{
    if (!json_is_integer(v)) {
        return ice_jfail(c, "%s: expected an integer, got %s", what, ice_jtype_name(v));
    }
    *out = (int64_t)json_integer_value(v);
    return FLOE_OK;
}

floe_status ice_jint32(ice_jctx *c, const json_t *v, const char *what, int32_t *out)
{
    int64_t x;
    floe_status st = ice_jint64(c, v, what, &x);
    if (st != FLOE_OK) {
        return st;
    }
    if (x < INT32_MIN || x > INT32_MAX) {
        return ice_jfail(c, "%s: %lld is out of range for a 32-bit integer", what, (long long)x);
    }
    *out = (int32_t)x;
    return FLOE_OK;
}

floe_status ice_get_i64(ice_jctx *c, const json_t *o, const char *key, int64_t *out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    return st != FLOE_OK ? st : ice_jint64(c, v, key, out);
}

floe_status ice_get_i32(ice_jctx *c, const json_t *o, const char *key, int32_t *out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    return st != FLOE_OK ? st : ice_jint32(c, v, key, out);
}

floe_status ice_opt_i64(ice_jctx *c, const json_t *o, const char *key, bool *has, int64_t *out)
{
    const json_t *v = ice_jget(o, key);
    *has = false;
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    floe_status st = ice_jint64(c, v, key, out);
    *has = st == FLOE_OK;
    return st;
}

floe_status ice_opt_i32(ice_jctx *c, const json_t *o, const char *key, bool *has, int32_t *out)
{
    const json_t *v = ice_jget(o, key);
    *has = false;
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    floe_status st = ice_jint32(c, v, key, out);
    *has = st == FLOE_OK;
    return st;
}

floe_status ice_get_bool(ice_jctx *c, const json_t *o, const char *key, bool *out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    if (st != FLOE_OK) {
        return st;
    }
    if (!json_is_boolean(v)) {
        return ice_jfail(c, "%s: expected a boolean, got %s", key, ice_jtype_name(v));
    }
    *out = json_is_true(v);
    return FLOE_OK;
}

floe_status ice_jstr(ice_jctx *c, const json_t *v, const char *what, const char **out)
{
    if (!json_is_string(v)) {
        return ice_jfail(c, "%s: expected a string, got %s", what, ice_jtype_name(v));
    }
    char *s = floe_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    if (s == NULL) {
        return ice_nomem(c->a, c->err);
    }
    *out = s;
    return FLOE_OK;
}

floe_status ice_get_str(ice_jctx *c, const json_t *o, const char *key, const char **out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    return st != FLOE_OK ? st : ice_jstr(c, v, key, out);
}

floe_status ice_opt_str(ice_jctx *c, const json_t *o, const char *key, const char **out)
{
    const json_t *v = ice_jget(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    return ice_jstr(c, v, key, out);
}

floe_status ice_get_arr(ice_jctx *c, const json_t *o, const char *key, const json_t **out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    if (st != FLOE_OK) {
        return st;
    }
    if (!json_is_array(v)) {
        return ice_jfail(c, "%s: expected an array, got %s", key, ice_jtype_name(v));
    }
    *out = v;
    return FLOE_OK;
}

floe_status ice_get_obj(ice_jctx *c, const json_t *o, const char *key, const json_t **out)
{
    const json_t *v;
    floe_status st = ice_jreq(c, o, key, &v);
    if (st != FLOE_OK) {
        return st;
    }
    if (!json_is_object(v)) {
        return ice_jfail(c, "%s: expected an object, got %s", key, ice_jtype_name(v));
    }
    *out = v;
    return FLOE_OK;
}

floe_status ice_jkv(ice_jctx *c, const json_t *o, const char *what, const floe_kv **out, size_t *n)
{
    if (!json_is_object(o)) {
        return ice_jfail(c, "%s: expected an object, got %s", what, ice_jtype_name(o));
    }
    size_t count = json_object_size(o);
    floe_kv *kv = floe_arena_calloc(c->a, count > 0 ? count : 1, sizeof(*kv));
    if (kv == NULL) {
        return ice_nomem(c->a, c->err);
    }
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        if (!json_is_string(val)) {
            return ice_jfail(c, "%s: value of \"%s\": expected a string, got %s", what, key,
                             ice_jtype_name(val));
        }
        kv[i].key = floe_arena_strdup(c->a, key);
        kv[i].value = floe_arena_strndup(c->a, json_string_value(val), json_string_length(val));
        if (kv[i].key == NULL || kv[i].value == NULL) {
            return ice_nomem(c->a, c->err);
        }
        i++;
    }
    *out = kv;
    *n = count;
    return FLOE_OK;
}

floe_status ice_ji32_array(ice_jctx *c, const json_t *arr, const char *what, const int32_t **out,
                           size_t *n)
{
    if (!json_is_array(arr)) {
        return ice_jfail(c, "%s: expected an array, got %s", what, ice_jtype_name(arr));
    }
    size_t count = json_array_size(arr);
    int32_t *v = floe_arena_calloc(c->a, count > 0 ? count : 1, sizeof(*v));
    if (v == NULL) {
        return ice_nomem(c->a, c->err);
    }
    for (size_t i = 0; i < count; i++) {
        char what_i[96];
        snprintf(what_i, sizeof(what_i), "%s[%zu]", what, i);
        floe_status st = ice_jint32(c, json_array_get(arr, i), what_i, &v[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = v;
    *n = count;
    return FLOE_OK;
}

floe_status ice_ji64_array(ice_jctx *c, const json_t *arr, const char *what, const int64_t **out,
                           size_t *n)
{
    if (!json_is_array(arr)) {
        return ice_jfail(c, "%s: expected an array, got %s", what, ice_jtype_name(arr));
    }
    size_t count = json_array_size(arr);
    int64_t *v = floe_arena_calloc(c->a, count > 0 ? count : 1, sizeof(*v));
    if (v == NULL) {
        return ice_nomem(c->a, c->err);
    }
    for (size_t i = 0; i < count; i++) {
        char what_i[96];
        snprintf(what_i, sizeof(what_i), "%s[%zu]", what, i);
        floe_status st = ice_jint64(c, json_array_get(arr, i), what_i, &v[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = v;
    *n = count;
    return FLOE_OK;
}

floe_status ice_jtext(ice_jctx *c, const json_t *v, const char **out)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    FLOE_VERIFY(s != NULL);
    char *copy = floe_arena_strdup(c->a, s);
    free(s);
    if (copy == NULL) {
        return ice_nomem(c->a, c->err);
    }
    *out = copy;
    return FLOE_OK;
}

json_t *ice_jparse_text(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    FLOE_VERIFY(v != NULL);
    return v;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not valid. */
static size_t utf8_valid_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0;
    }
    return len;
}

static bool utf8_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid_seq((const unsigned char *)s + i, n - i);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

json_t *ice_jstring(const char *s)
{
    if (s == NULL) {
        return ice_jnew(json_null());
    }
    json_t *v = json_string(s);
    if (v != NULL) {
        return v;
    }
    /* Invalid UTF-8 from a caller: replace each bad byte with U+FFFD rather than fail. */
    size_t n = strlen(s);
    floe_buf b;
    floe_buf_init(&b, 0);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid_seq(p + i, n - i);
        if (len == 0) {
            floe_buf_append(&b, "\xEF\xBF\xBD", 3, NULL);
            i++;
        } else {
            floe_buf_append(&b, p + i, len, NULL);
            i += len;
        }
    }
    v = ice_jnew(json_stringn(floe_buf_cstr(&b), b.len));
    floe_buf_fini(&b);
    return v;
}

json_t *ice_kv_to_json(const floe_kv *kv, size_t n)
{
    json_t *o = ice_jnew(json_object());
    for (size_t i = 0; i < n; i++) {
        ice_jset(o, kv[i].key, ice_jstring(kv[i].value));
    }
    return o;
}

json_t *ice_i32_array_to_json(const int32_t *v, size_t n)
{
    json_t *a = ice_jnew(json_array());
    for (size_t i = 0; i < n; i++) {
        ice_jappend(a, json_integer(v[i]));
    }
    return a;
}

json_t *ice_i64_array_to_json(const int64_t *v, size_t n)
{
    json_t *a = ice_jnew(json_array());
    for (size_t i = 0; i < n; i++) {
        ice_jappend(a, json_integer(v[i]));
    }
    return a;
}
