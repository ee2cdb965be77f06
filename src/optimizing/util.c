/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers of the self-optimizing module: the hash set used to count delete files once
 * per partition without keeping their paths, and strict JSON field readers.
 */
#include "opt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Hash set ==== */

static size_t slot_of(uint64_t h, size_t cap)
{
    /* Mix so that hashes that differ only in high bits spread too. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static void hset_grow(opt_hset *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 16;
    uint64_t *ns = floe_xcalloc(ncap, sizeof(uint64_t));
    for (size_t i = 0; i < s->cap; i++) {
        uint64_t h = s->slots[i];
        if (h != 0) {
            size_t j = slot_of(h, ncap);
            while (ns[j] != 0) {
                j = (j + 1) & (ncap - 1);
            }
            ns[j] = h;
        }
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
}

bool opt_hset_add(opt_hset *s, uint64_t h)
{
    if (h == 0) {
        bool added = !s->has_zero;
        s->has_zero = true;
        return added;
    }
    if ((s->n + 1) * 4 > s->cap * 3) {
        hset_grow(s);
    }
    size_t j = slot_of(h, s->cap);
    while (s->slots[j] != 0) {
        if (s->slots[j] == h) {
            return false;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = h;
    s->n++;
    return true;
}

bool opt_hset_has(const opt_hset *s, uint64_t h)
{
    if (h == 0) {
        return s->has_zero;
    }
    if (s->cap == 0) {
        return false;
    }
    size_t j = slot_of(h, s->cap);
    while (s->slots[j] != 0) {
        if (s->slots[j] == h) {
            return true;
        }
        j = (j + 1) & (s->cap - 1);
    }
    return false;
}

void opt_hset_fini(opt_hset *s)
{
    free(s->slots);
    *s = (opt_hset){0};
}

uint64_t opt_path_hash(const char *path)
{
    /* A fixed seed: the set only lives during one evaluation, hostile collisions only merge
     * counts of two delete files in one partition's statistics. */
    return floe_xxh64(path, strlen(path), 0x6f7074696d697a65ULL);
}

/* ==== JSON readers ==== */

floe_status opt_json_obj(const json_t *j, const char *what, floe_err *err)
{
    if (!json_is_object(j)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an object", what);
    }
    return FLOE_OK;
}

floe_status opt_json_opt_i64(const json_t *o, const char *key, int64_t *out, bool *present,
                             floe_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (present) {
        *present = false;
    }
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    if (!json_is_integer(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an integer", key);
    }
    *out = (int64_t)json_integer_value(v);
    if (present) {
        *present = true;
    }
    return FLOE_OK;
}

floe_status opt_json_i64(const json_t *o, const char *key, int64_t *out, floe_err *err)
{
    bool present = false;
    floe_status st = opt_json_opt_i64(o, key, out, &present, err);
    if (st == FLOE_OK && !present) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: missing", key);
    }
    return st;
}

floe_status opt_json_i32(const json_t *o, const char *key, int32_t *out, floe_err *err)
{
    int64_t v = 0;
    floe_status st = opt_json_i64(o, key, &v, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: %lld is out of range", key, (long long)v);
    }
    *out = (int32_t)v;
    return FLOE_OK;
}

floe_status opt_json_opt_str(const json_t *o, const char *key, const char **out, floe_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    if (!json_is_string(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected a string", key);
    }
    /* Refuse embedded NULs: the value is used as a C string. */
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: contains a NUL character", key);
    }
    *out = json_string_value(v);
    return FLOE_OK;
}

floe_status opt_json_str(const json_t *o, const char *key, const char **out, floe_err *err)
{
    const char *s = NULL;
    floe_status st = opt_json_opt_str(o, key, &s, err);
    if (st == FLOE_OK && s == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: missing", key);
    }
    if (st == FLOE_OK) {
        *out = s;
    }
    return st;
}

floe_status opt_json_opt_bool(const json_t *o, const char *key, bool *out, floe_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    if (!json_is_boolean(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected a boolean", key);
    }
    *out = json_is_true(v);
    return FLOE_OK;
}

floe_status opt_json_bool(const json_t *o, const char *key, bool *out, floe_err *err)
{
    if (json_object_get(o, key) == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: missing", key);
    }
    return opt_json_opt_bool(o, key, out, err);
}

floe_status opt_json_opt_array(const json_t *o, const char *key, size_t max, const json_t **out,
                               floe_err *err)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    if (!json_is_array(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an array", key);
    }
    if (json_array_size(v) > max) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "%s: more than %zu elements", key, max);
    }
    *out = v;
    return FLOE_OK;
}

char *opt_json_dumps(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL) {
        floe_panic(__FILE__, __LINE__, "json_dumps failed (out of memory)");
    }
    return s;
}

json_t *opt_json_int(int64_t v)
{
    return json_integer((json_int_t)v);
}
