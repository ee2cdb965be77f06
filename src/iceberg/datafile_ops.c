/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Working with data files outside a manifest: deep copies, partition value coercion (writers
 * disagree about Avro annotations of partition values) and byte keys identifying a partition,
 * which the delete index and the snapshot summaries use.
 */
#include "ops_int.h"

#include <math.h>

char *ice_value_strdup(floe_arena *a, const floe_value *v)
{
    return floe_arena_strndup(a, (const char *)v->u.bytes.ptr, v->u.bytes.len);
}

/* ==== Coercion ==== */

static floe_status coerce_fail(const floe_ice_type *t, const floe_value *v, floe_err *err)
{
    static const char *const kinds[] = {
        "null",      "boolean", "int",    "long",  "float", "double", "decimal", "date", "time",
        "timestamp", "string",  "binary", "fixed", "uuid",  "struct", "list",    "map"};
    const char *k = v->kind < FLOE_ARRAY_LEN(kinds) ? kinds[v->kind] : "?";
    return floe_err_set(err, FLOE_ERR_CORRUPT, "a %s value cannot be of type %s", k,
                        floe_ice_type_name(t->id));
}

static bool type_is_ns(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
}

static bool type_is_tz(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
}

floe_status ice_coerce_value(const floe_ice_type *t, floe_value *v, floe_err *err)
{
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    floe_value_kind want = floe_ice_value_kind(t);
    switch (want) {
    case FLOE_V_INT:
        if (v->kind == FLOE_V_DATE) {
            v->kind = FLOE_V_INT;
        }
        break;
    case FLOE_V_LONG:
        if (v->kind == FLOE_V_INT) {
            *v = floe_value_long(v->u.i32);
        }
        break;
    case FLOE_V_DOUBLE:
        if (v->kind == FLOE_V_FLOAT) {
            *v = floe_value_double(v->u.f32);
        }
        break;
    case FLOE_V_DATE:
        if (v->kind == FLOE_V_INT) {
            *v = floe_value_date(v->u.i32);
        }
        break;
    case FLOE_V_TIME:
        if (v->kind == FLOE_V_LONG) {
            *v = floe_value_time(v->u.i64, FLOE_UNIT_MICROS);
        } else if (v->kind == FLOE_V_TIME && v->unit == FLOE_UNIT_MILLIS) {
            *v = floe_value_time(v->u.i64 * 1000, FLOE_UNIT_MICROS);
        }
        break;
    case FLOE_V_TIMESTAMP: {
        floe_time_unit unit = type_is_ns(t) ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS;
        if (v->kind == FLOE_V_LONG) {
            *v = floe_value_timestamp(v->u.i64, unit, type_is_tz(t));
        } else if (v->kind == FLOE_V_TIMESTAMP) {
            int64_t x = v->u.i64;
            if (v->unit == FLOE_UNIT_MILLIS) {
                x *= unit == FLOE_UNIT_NANOS ? 1000000 : 1000;
            } else if (v->unit == FLOE_UNIT_MICROS && unit == FLOE_UNIT_NANOS) {
                x *= 1000;
            } else if (v->unit == FLOE_UNIT_NANOS && unit == FLOE_UNIT_MICROS) {
                x = ice_floor_div(x, 1000);
            }
            *v = floe_value_timestamp(x, unit, type_is_tz(t));
        }
        break;
    }
    case FLOE_V_DECIMAL:
        if (v->kind == FLOE_V_DECIMAL && v->scale == t->scale) {
            v->precision = (uint8_t)t->precision;
        }
        break;
    case FLOE_V_UUID:
        if ((v->kind == FLOE_V_FIXED || v->kind == FLOE_V_BINARY) && v->u.bytes.len == 16) {
            *v = floe_value_uuid(v->u.bytes.ptr);
        }
        break;
    case FLOE_V_FIXED:
        if (v->kind == FLOE_V_BINARY) {
            v->kind = FLOE_V_FIXED;
        }
        break;
    case FLOE_V_BINARY:
        if (v->kind == FLOE_V_FIXED) {
            v->kind = FLOE_V_BINARY;
        }
        break;
    default:
        break;
    }
    if (!floe_ice_value_matches(t, v)) {
        return coerce_fail(t, v, err);
    }
    return FLOE_OK;
}

/* ==== Partition keys ==== */

static floe_status key_value(floe_buf *out, const floe_value *v, floe_err *err)
{
    uint8_t b[24];
    size_t n = 0;
    switch (v->kind) {
    case FLOE_V_NULL:
        b[n++] = 0;
        break;
    case FLOE_V_BOOL:
        b[n++] = 1;
        b[n++] = v->u.b ? 1 : 0;
        break;
    case FLOE_V_INT:
    case FLOE_V_DATE:
        b[n++] = 2;
        floe_store_u32le(b + n, (uint32_t)v->u.i32);
        n += 4;
        break;
    case FLOE_V_LONG:
    case FLOE_V_TIME:
    case FLOE_V_TIMESTAMP:
        b[n++] = 3;
        floe_store_u64le(b + n, (uint64_t)v->u.i64);
        n += 8;
        break;
    case FLOE_V_FLOAT: {
        float f = isnan(v->u.f32) ? NAN : v->u.f32;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        b[n++] = 4;
        floe_store_u32le(b + n, bits);
        n += 4;
        break;
    }
    case FLOE_V_DOUBLE: {
        double d = isnan(v->u.f64) ? NAN : v->u.f64;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        b[n++] = 5;
        floe_store_u64le(b + n, bits);
        n += 8;
        break;
    }
    case FLOE_V_DECIMAL: {
        unsigned __int128 u = (unsigned __int128)v->u.dec;
        b[n++] = 6;
        floe_store_u64le(b + n, (uint64_t)u);
        floe_store_u64le(b + n + 8, (uint64_t)(u >> 64));
        n += 16;
        break;
    }
    case FLOE_V_UUID:
        b[n++] = 8;
        memcpy(b + n, v->u.uuid, 16);
        n += 16;
        break;
    case FLOE_V_STRING:
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        b[n++] = 7;
        floe_store_u32le(b + n, (uint32_t)v->u.bytes.len);
        n += 4;
        if (floe_buf_append(out, b, n, err) != FLOE_OK) {
            return floe_err_wrap(err, "partition key");
        }
        return floe_buf_append(out, v->u.bytes.ptr, v->u.bytes.len, err);
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "nested partition value");
    }
    return floe_buf_append(out, b, n, err);
}

floe_status ice_partition_key(floe_buf *out, int32_t spec_id, const floe_value *partition,
                              floe_err *err)
{
    uint8_t b[4];
    floe_store_u32le(b, (uint32_t)spec_id);
    floe_status st = floe_buf_append(out, b, 4, err);
    if (st != FLOE_OK || partition->kind != FLOE_V_STRUCT) {
        return st;
    }
    for (size_t i = 0; i < partition->u.nested.n && st == FLOE_OK; i++) {
        st = key_value(out, &partition->u.nested.items[i], err);
    }
    return st;
}

/* ==== Deep copies ==== */

/* A copy of `len` bytes with a NUL after them (never NULL unless the arena is exhausted). */
static const char *dup_bytes(floe_arena *a, const char *p, size_t len)
{
    char *c = floe_arena_alloc(a, len + 1);
    if (c != NULL) {
        if (len > 0) {
            memcpy(c, p, len);
        }
        c[len] = 0;
    }
    return c;
}

floe_status ice_value_dup(floe_arena *a, const floe_value *v, floe_value *out, floe_err *err)
{
    *out = *v;
    switch (v->kind) {
    case FLOE_V_STRING:
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        out->u.bytes.ptr =
            (const uint8_t *)dup_bytes(a, (const char *)v->u.bytes.ptr, v->u.bytes.len);
        return out->u.bytes.ptr != NULL ? FLOE_OK : ice_nomem(a, err);
    case FLOE_V_STRUCT:
    case FLOE_V_LIST:
    case FLOE_V_MAP: {
        size_t n = v->u.nested.n * (v->kind == FLOE_V_MAP ? 2 : 1);
        floe_value *items = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*items));
        if (items == NULL) {
            return ice_nomem(a, err);
        }
        for (size_t i = 0; i < n; i++) {
            floe_status st = ice_value_dup(a, &v->u.nested.items[i], &items[i], err);
            if (st != FLOE_OK) {
                return st;
            }
        }
        out->u.nested.items = items;
        if (v->kind == FLOE_V_STRUCT && v->u.nested.names != NULL) {
            const char **names = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*names));
            if (names == NULL) {
                return ice_nomem(a, err);
            }
            for (size_t i = 0; i < n; i++) {
                names[i] = floe_arena_strdup(a, v->u.nested.names[i]);
                if (v->u.nested.names[i] != NULL && names[i] == NULL) {
                    return ice_nomem(a, err);
                }
            }
            out->u.nested.names = names;
        }
        return FLOE_OK;
    }
    default:
        return FLOE_OK;
    }
}

#define DUP_ARRAY(field, count)                                                                    \
    do {                                                                                           \
        if (f->field != NULL) {                                                                    \
            out->field =                                                                           \
                floe_arena_memdup(a, f->field, (f->count > 0 ? f->count : 1) * sizeof(*f->field)); \
            if (out->field == NULL) {                                                              \
                return ice_nomem(a, err);                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static floe_status dup_bounds(floe_arena *a, const floe_field_bound *b, size_t n,
                              const floe_field_bound **out, floe_err *err)
{
    if (b == NULL) {
        *out = NULL;
        return FLOE_OK;
    }
    floe_field_bound *c = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*c));
    if (c == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        c[i].field_id = b[i].field_id;
        c[i].bytes.len = b[i].bytes.len;
        c[i].bytes.ptr = b[i].bytes.ptr;
        if (b[i].bytes.ptr != NULL) {
            c[i].bytes.ptr = dup_bytes(a, b[i].bytes.ptr, b[i].bytes.len);
            if (c[i].bytes.ptr == NULL) {
                return ice_nomem(a, err);
            }
        }
    }
    *out = c;
    return FLOE_OK;
}

floe_status floe_data_file_dup(floe_arena *a, const floe_data_file *f, floe_data_file *out,
                               floe_err *err)
{
    *out = *f;
    out->file_path = floe_arena_strdup(a, f->file_path);
    out->referenced_data_file = floe_arena_strdup(a, f->referenced_data_file);
    if ((f->file_path != NULL && out->file_path == NULL) ||
        (f->referenced_data_file != NULL && out->referenced_data_file == NULL)) {
        return ice_nomem(a, err);
    }
    floe_status st = ice_value_dup(a, &f->partition, &out->partition, err);
    if (st != FLOE_OK) {
        return st;
    }
    DUP_ARRAY(column_sizes, n_column_sizes);
    DUP_ARRAY(value_counts, n_value_counts);
    DUP_ARRAY(null_value_counts, n_null_value_counts);
    DUP_ARRAY(nan_value_counts, n_nan_value_counts);
    DUP_ARRAY(split_offsets, n_split_offsets);
    DUP_ARRAY(equality_ids, n_equality_ids);
    st = dup_bounds(a, f->lower_bounds, f->n_lower_bounds, &out->lower_bounds, err);
    if (st == FLOE_OK) {
        st = dup_bounds(a, f->upper_bounds, f->n_upper_bounds, &out->upper_bounds, err);
    }
    if (st == FLOE_OK && f->key_metadata.ptr != NULL) {
        out->key_metadata.ptr = dup_bytes(a, f->key_metadata.ptr, f->key_metadata.len);
        if (out->key_metadata.ptr == NULL) {
            return ice_nomem(a, err);
        }
    }
    return st;
}

void floe_data_file_strip_stats(floe_data_file *f)
{
    f->column_sizes = f->value_counts = f->null_value_counts = f->nan_value_counts = NULL;
    f->n_column_sizes = f->n_value_counts = f->n_null_value_counts = f->n_nan_value_counts = 0;
    f->lower_bounds = f->upper_bounds = NULL;
    f->n_lower_bounds = f->n_upper_bounds = 0;
}
