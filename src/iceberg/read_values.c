/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Values between files and the Iceberg model: reading a file's value as a (possibly promoted)
 * Iceberg type, normalising equality-delete keys, deep copies of values and data files, and
 * the canonical JSON form of a batch row.
 */
#include "rows_int.h"

#include <string.h>

#include "ice_int.h"

/* ==== Conversion to Iceberg kinds ==== */

static int64_t to_unit(int64_t v, floe_time_unit from, floe_time_unit to)
{
    static const int64_t per_sec[] = {1000, 1000000, 1000000000};
    if (from == to || from > FLOE_UNIT_NANOS || to > FLOE_UNIT_NANOS) {
        return v;
    }
    if (per_sec[from] < per_sec[to]) {
        return v * (per_sec[to] / per_sec[from]);
    }
    int64_t d = per_sec[from] / per_sec[to];
    int64_t q = v / d;
    return (v % d != 0 && v < 0) ? q - 1 : q; /* floor, as Java's Math.floorDiv */
}

bool rows_to_ice(const floe_ice_type *t, const floe_value *in, floe_value *out)
{
    *out = *in;
    if (in->kind == FLOE_V_NULL) {
        return true;
    }
    out->flags &= (uint8_t)~FLOE_VF_UNSIGNED;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        return in->kind == FLOE_V_BOOL;
    case FLOE_ICE_INT:
        return in->kind == FLOE_V_INT;
    case FLOE_ICE_LONG:
        if (in->kind == FLOE_V_INT) {
            *out = floe_value_long((in->flags & FLOE_VF_UNSIGNED) ? (int64_t)(uint32_t)in->u.i32
                                                                  : (int64_t)in->u.i32);
            return true;
        }
        return in->kind == FLOE_V_LONG;
    case FLOE_ICE_FLOAT:
        return in->kind == FLOE_V_FLOAT;
    case FLOE_ICE_DOUBLE:
        if (in->kind == FLOE_V_FLOAT) {
            *out = floe_value_double((double)in->u.f32);
            return true;
        }
        return in->kind == FLOE_V_DOUBLE;
    case FLOE_ICE_DECIMAL:
        if (in->kind != FLOE_V_DECIMAL || in->scale != t->scale ||
            ice_decimal_digits(in->u.dec) > t->precision) {
            return false;
        }
        out->precision = (uint8_t)t->precision;
        return true;
    case FLOE_ICE_DATE:
        return in->kind == FLOE_V_DATE;
    case FLOE_ICE_TIME:
        if (in->kind != FLOE_V_TIME) {
            return false;
        }
        *out = floe_value_time(to_unit(in->u.i64, (floe_time_unit)in->unit, FLOE_UNIT_MICROS),
                               FLOE_UNIT_MICROS);
        return true;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS: {
        floe_time_unit unit = (t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS)
                                  ? FLOE_UNIT_NANOS
                                  : FLOE_UNIT_MICROS;
        bool utc = t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        int64_t v;
        if (in->kind == FLOE_V_DATE) { /* v3 date -> timestamp promotion: midnight */
            if (unit == FLOE_UNIT_MICROS) {
                v = (int64_t)in->u.i32 * INT64_C(86400000000);
            } else {
                v = (int64_t)in->u.i32 * INT64_C(86400000000000);
            }
        } else if (in->kind == FLOE_V_TIMESTAMP) {
            v = to_unit(in->u.i64, (floe_time_unit)in->unit, unit);
        } else {
            return false;
        }
        *out = floe_value_timestamp(v, unit, utc);
        return true;
    }
    case FLOE_ICE_STRING:
        if (in->kind == FLOE_V_BINARY) {
            *out = floe_value_string((const char *)in->u.bytes.ptr, in->u.bytes.len);
            return true;
        }
        return in->kind == FLOE_V_STRING;
    case FLOE_ICE_UUID:
        if (in->kind == FLOE_V_FIXED && in->u.bytes.len == 16) {
            *out = floe_value_uuid(in->u.bytes.ptr);
            return true;
        }
        return in->kind == FLOE_V_UUID;
    case FLOE_ICE_FIXED:
        if ((in->kind == FLOE_V_FIXED || in->kind == FLOE_V_BINARY) &&
            in->u.bytes.len == (size_t)t->length) {
            *out = floe_value_fixed(in->u.bytes.ptr, in->u.bytes.len);
            return true;
        }
        return false;
    case FLOE_ICE_BINARY:
        if (in->kind == FLOE_V_FIXED || in->kind == FLOE_V_STRING) {
            *out = floe_value_binary(in->u.bytes.ptr, in->u.bytes.len);
            return true;
        }
        return in->kind == FLOE_V_BINARY;
    default:
        return false;
    }
}

floe_value rows_key_norm(const floe_value *v)
{
    floe_value x = *v;
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_INT:
        return floe_value_long((v->flags & FLOE_VF_UNSIGNED) ? (int64_t)(uint32_t)v->u.i32
                                                             : (int64_t)v->u.i32);
    case FLOE_V_FLOAT:
        return floe_value_double((double)v->u.f32);
    case FLOE_V_TIME:
        if (v->unit == FLOE_UNIT_MILLIS) {
            return floe_value_time(to_unit(v->u.i64, FLOE_UNIT_MILLIS, FLOE_UNIT_MICROS),
                                   FLOE_UNIT_MICROS);
        }
        return x;
    case FLOE_V_TIMESTAMP:
        if (v->unit == FLOE_UNIT_MILLIS) {
            x.u.i64 = to_unit(v->u.i64, FLOE_UNIT_MILLIS, FLOE_UNIT_MICROS);
            x.unit = FLOE_UNIT_MICROS;
        }
        x.flags &= (uint8_t)~FLOE_VF_UTC;
        return x;
    case FLOE_V_FIXED:
    case FLOE_V_STRING:
        x.kind = FLOE_V_BINARY; /* a promoted or re-typed column keeps its bytes */
        return x;
    default:
        return x;
    }
}

/* ==== Deep copies ==== */

bool rows_value_dup(floe_arena *a, const floe_value *v, floe_value *out)
{
    *out = *v;
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_STRING:
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        if (v->u.bytes.len > 0) {
            void *p = floe_arena_memdup(a, v->u.bytes.ptr, v->u.bytes.len);
            if (p == NULL) {
                return false;
            }
            out->u.bytes.ptr = p;
        }
        return true;
    case FLOE_V_STRUCT:
    case FLOE_V_LIST:
    case FLOE_V_MAP: {
        size_t n = v->u.nested.n * (v->kind == FLOE_V_MAP ? 2 : 1);
        floe_value *items = floe_arena_calloc(a, n + 1, sizeof(floe_value));
        if (items == NULL) {
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            if (!rows_value_dup(a, &v->u.nested.items[i], &items[i])) {
                return false;
            }
        }
        out->u.nested.items = items;
        /* Partition tuples name their fields; the names live where the tuple was made. */
        if (v->kind == FLOE_V_STRUCT && v->u.nested.names != NULL) {
            const char **names = floe_arena_calloc(a, n + 1, sizeof(*names));
            if (names == NULL) {
                return false;
            }
            for (size_t i = 0; i < n; i++) {
                names[i] = floe_arena_strdup(a, v->u.nested.names[i]);
                if (v->u.nested.names[i] != NULL && names[i] == NULL) {
                    return false;
                }
            }
            out->u.nested.names = names;
        }
        return true;
    }
    default:
        return true;
    }
}

/* ==== Batches ==== */

void floe_ice_batch_row(const floe_ice_batch *b, size_t r, floe_value *items, floe_value *row)
{
    const floe_ice_type *root = b->schema->root;
    for (size_t c = 0; c < b->n_columns; c++) {
        items[c] = b->columns[c][r];
    }
    memset(row, 0, sizeof(*row));
    row->kind = FLOE_V_STRUCT;
    row->u.nested.items = items;
    row->u.nested.n = b->n_columns;
    row->u.nested.names = NULL;
    (void)root;
}

floe_status floe_ice_batch_row_json(const floe_ice_batch *b, size_t r, floe_buf *out, floe_err *err)
{
    const floe_ice_type *root = b->schema->root;
    floe_status st = floe_buf_append_byte(out, '{', err);
    for (size_t c = 0; st == FLOE_OK && c < b->n_columns; c++) {
        if (c > 0) {
            st = floe_buf_append_byte(out, ',', err);
        }
        if (st == FLOE_OK) {
            const char *name = c < root->n_fields ? root->fields[c].name : "";
            st = floe_json_append_string(out, name, strlen(name), err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(out, ':', err);
        }
        if (st == FLOE_OK) {
            st = floe_value_to_json(&b->columns[c][r], out, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_buf_append_byte(out, '}', err);
    }
    return st;
}
