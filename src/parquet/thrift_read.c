/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thrift compact-protocol decoder for Parquet metadata (footer, page headers, page index).
 *
 * The input is hostile: every length is checked against the bytes that remain, lists against
 * FLOE_PQ_MAX_LIST_ELEMS, nesting against FLOE_PQ_MAX_THRIFT_DEPTH, and integers against their
 * declared width. Unknown fields of any type are skipped recursively, so footers written by
 * newer writers still decode. Errors name the byte offset inside the buffer being decoded.
 */
#include "parquet_int.h"

#include <string.h>

void floe_thrift_in_init(floe_thrift_in *in, const uint8_t *data, size_t len)
{
    memset(in, 0, sizeof(*in));
    floe_cursor_init(&in->cur, data, len);
    in->pending_bool = -1;
}

static floe_status corrupt_at(floe_thrift_in *in, floe_err *err, const char *what)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT, "thrift: %s at offset %zu", what, in->cur.pos);
}

floe_status floe_thrift_struct_begin(floe_thrift_in *in, floe_err *err)
{
    if (in->depth >= FLOE_PQ_MAX_THRIFT_DEPTH) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: structures nest deeper than %d levels at offset %zu",
                            FLOE_PQ_MAX_THRIFT_DEPTH, in->cur.pos);
    }
    in->last_id[in->depth++] = 0;
    return FLOE_OK;
}

floe_status floe_thrift_struct_end(floe_thrift_in *in, floe_err *err)
{
    if (in->depth <= 0) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "thrift: struct end without a struct");
    }
    in->depth--;
    in->pending_bool = -1;
    return FLOE_OK;
}

static bool valid_type(uint8_t t)
{
    return t >= FLOE_TC_TRUE && t <= FLOE_TC_UUID;
}

floe_status floe_thrift_field(floe_thrift_in *in, int16_t *id, uint8_t *type, floe_err *err)
{
    if (in->depth <= 0) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "thrift: field read outside a struct");
    }
    in->pending_bool = -1;
    size_t at = in->cur.pos;
    uint8_t b;
    floe_status st = floe_cursor_u8(&in->cur, &b, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: truncated struct");
    }
    uint8_t t = b & 0x0f;
    if (b == FLOE_TC_STOP) {
        *type = FLOE_TC_STOP;
        *id = 0;
        return FLOE_OK;
    }
    if (!valid_type(t)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "thrift: unknown field type %u at offset %zu",
                            (unsigned)t, at);
    }
    int16_t *last = &in->last_id[in->depth - 1];
    int32_t fid;
    uint8_t delta = b >> 4;
    if (delta != 0) {
        fid = *last + delta;
    } else {
        /* Long form: the id follows as a zigzag varint i16. */
        int64_t v;
        st = floe_cursor_zvarint(&in->cur, &v, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "thrift: field id");
        }
        fid = v < INT16_MIN || v > INT16_MAX ? INT32_MAX : (int32_t)v;
    }
    if (fid > INT16_MAX) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "thrift: field id out of range at offset %zu",
                            at);
    }
    *last = (int16_t)fid;
    *id = (int16_t)fid;
    *type = t;
    if (t == FLOE_TC_TRUE || t == FLOE_TC_FALSE) {
        in->pending_bool = t == FLOE_TC_TRUE ? 1 : 0;
    }
    return FLOE_OK;
}

floe_status floe_thrift_bool(floe_thrift_in *in, uint8_t type, bool *out, floe_err *err)
{
    if (type != FLOE_TC_TRUE && type != FLOE_TC_FALSE) {
        return corrupt_at(in, err, "expected a boolean");
    }
    if (in->pending_bool >= 0) {
        /* A struct field: the value was in the header's type nibble. */
        *out = in->pending_bool == 1;
        in->pending_bool = -1;
        return FLOE_OK;
    }
    /* A list element: one byte. The spec says 1/0 but Java wrote 1/2, so only 1 is true. */
    uint8_t b;
    floe_status st = floe_cursor_u8(&in->cur, &b, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: boolean");
    }
    *out = b == 1;
    return FLOE_OK;
}

floe_status floe_thrift_i8(floe_thrift_in *in, int8_t *out, floe_err *err)
{
    uint8_t b;
    floe_status st = floe_cursor_u8(&in->cur, &b, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: i8");
    }
    *out = (int8_t)b;
    return FLOE_OK;
}

static floe_status read_int(floe_thrift_in *in, int64_t lo, int64_t hi, int64_t *out, floe_err *err)
{
    size_t at = in->cur.pos;
    floe_status st = floe_cursor_zvarint(&in->cur, out, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: integer");
    }
    if (*out < lo || *out > hi) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: integer %lld out of range at offset %zu", (long long)*out, at);
    }
    return FLOE_OK;
}

floe_status floe_thrift_i16(floe_thrift_in *in, int16_t *out, floe_err *err)
{
    int64_t v;
    floe_status st = read_int(in, INT16_MIN, INT16_MAX, &v, err);
    if (st == FLOE_OK) {
        *out = (int16_t)v;
    }
    return st;
}

floe_status floe_thrift_i32(floe_thrift_in *in, int32_t *out, floe_err *err)
{
    int64_t v;
    floe_status st = read_int(in, INT32_MIN, INT32_MAX, &v, err);
    if (st == FLOE_OK) {
        *out = (int32_t)v;
    }
    return st;
}

floe_status floe_thrift_i64(floe_thrift_in *in, int64_t *out, floe_err *err)
{
    return read_int(in, INT64_MIN, INT64_MAX, out, err);
}

floe_status floe_thrift_double(floe_thrift_in *in, double *out, floe_err *err)
{
    floe_status st = floe_cursor_f64le(&in->cur, out, err);
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "thrift: double");
}

floe_status floe_thrift_binary(floe_thrift_in *in, floe_str *out, floe_err *err)
{
    size_t at = in->cur.pos;
    uint64_t n;
    floe_status st = floe_cursor_uvarint(&in->cur, &n, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: binary length");
    }
    if (n > floe_cursor_remaining(&in->cur)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: binary of %llu bytes at offset %zu runs past the end (%zu "
                            "bytes left)",
                            (unsigned long long)n, at, floe_cursor_remaining(&in->cur));
    }
    const uint8_t *p;
    st = floe_cursor_bytes(&in->cur, (size_t)n, &p, err);
    if (st != FLOE_OK) {
        return st;
    }
    out->ptr = (const char *)p;
    out->len = (size_t)n;
    return FLOE_OK;
}

floe_status floe_thrift_list(floe_thrift_in *in, uint8_t *elem_type, uint32_t *n, floe_err *err)
{
    size_t at = in->cur.pos;
    in->pending_bool = -1;
    uint8_t b;
    floe_status st = floe_cursor_u8(&in->cur, &b, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "thrift: list header");
    }
    uint64_t size = b >> 4;
    uint8_t t = b & 0x0f;
    if (size == 15) {
        st = floe_cursor_uvarint(&in->cur, &size, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "thrift: list size");
        }
    }
    if (size > 0 && !valid_type(t)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: list of unknown element type %u at offset %zu", (unsigned)t,
                            at);
    }
    if (size > FLOE_PQ_MAX_LIST_ELEMS) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "thrift: list of %llu elements at offset %zu is over the limit of %d",
                            (unsigned long long)size, at, FLOE_PQ_MAX_LIST_ELEMS);
    }
    /* Every element of every type takes at least one byte. */
    if (size > floe_cursor_remaining(&in->cur)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: list of %llu elements at offset %zu is longer than the %zu "
                            "bytes left",
                            (unsigned long long)size, at, floe_cursor_remaining(&in->cur));
    }
    *elem_type = t;
    *n = (uint32_t)size;
    return FLOE_OK;
}

static floe_status skip_value(floe_thrift_in *in, uint8_t type, bool element, int depth,
                              floe_err *err);

static floe_status skip_struct(floe_thrift_in *in, int depth, floe_err *err)
{
    floe_status st = floe_thrift_struct_begin(in, err);
    while (st == FLOE_OK) {
        int16_t id;
        uint8_t t;
        st = floe_thrift_field(in, &id, &t, err);
        if (st != FLOE_OK || t == FLOE_TC_STOP) {
            break;
        }
        st = skip_value(in, t, false, depth + 1, err);
    }
    return st == FLOE_OK ? floe_thrift_struct_end(in, err) : st;
}

static floe_status skip_value(floe_thrift_in *in, uint8_t type, bool element, int depth,
                              floe_err *err)
{
    if (depth + in->depth > FLOE_PQ_MAX_THRIFT_DEPTH) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "thrift: values nest deeper than %d levels at offset %zu",
                            FLOE_PQ_MAX_THRIFT_DEPTH, in->cur.pos);
    }
    floe_status st;
    uint64_t u;
    switch (type) {
    case FLOE_TC_TRUE:
    case FLOE_TC_FALSE:
        if (!element) {
            in->pending_bool = -1; /* a field's value lives in its header */
            return FLOE_OK;
        }
        st = floe_cursor_skip(&in->cur, 1, err);
        break;
    case FLOE_TC_I8:
        st = floe_cursor_skip(&in->cur, 1, err);
        break;
    case FLOE_TC_I16:
    case FLOE_TC_I32:
    case FLOE_TC_I64:
        st = floe_cursor_uvarint(&in->cur, &u, err);
        break;
    case FLOE_TC_DOUBLE:
        st = floe_cursor_skip(&in->cur, 8, err);
        break;
    case FLOE_TC_UUID:
        st = floe_cursor_skip(&in->cur, 16, err);
        break;
    case FLOE_TC_BINARY: {
        floe_str s;
        return floe_thrift_binary(in, &s, err);
    }
    case FLOE_TC_LIST:
    case FLOE_TC_SET: {
        uint8_t et;
        uint32_t n;
        st = floe_thrift_list(in, &et, &n, err);
        for (uint32_t i = 0; st == FLOE_OK && i < n; i++) {
            st = skip_value(in, et, true, depth + 1, err);
        }
        return st;
    }
    case FLOE_TC_MAP: {
        size_t at = in->cur.pos;
        st = floe_cursor_uvarint(&in->cur, &u, err);
        if (st != FLOE_OK || u == 0) {
            return st;
        }
        uint8_t kv;
        /* Each entry takes at least two bytes. */
        if (u > FLOE_PQ_MAX_LIST_ELEMS || u > floe_cursor_remaining(&in->cur) / 2) {
            return floe_err_set(err, FLOE_ERR_CORRUPT,
                                "thrift: map of %llu entries at offset %zu is too long",
                                (unsigned long long)u, at);
        }
        st = floe_cursor_u8(&in->cur, &kv, err);
        if (st == FLOE_OK && (!valid_type(kv >> 4) || !valid_type(kv & 0x0f))) {
            return corrupt_at(in, err, "map of unknown key or value type");
        }
        for (uint64_t i = 0; st == FLOE_OK && i < u; i++) {
            st = skip_value(in, kv >> 4, true, depth + 1, err);
            if (st == FLOE_OK) {
                st = skip_value(in, kv & 0x0f, true, depth + 1, err);
            }
        }
        return st;
    }
    case FLOE_TC_STRUCT:
        return skip_struct(in, depth, err);
    default:
        return corrupt_at(in, err, "cannot skip a value of unknown type");
    }
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "thrift: skipping a value");
}

floe_status floe_thrift_skip(floe_thrift_in *in, uint8_t type, floe_err *err)
{
    return skip_value(
        in, type, in->pending_bool < 0 && (type == FLOE_TC_TRUE || type == FLOE_TC_FALSE), 0, err);
}
