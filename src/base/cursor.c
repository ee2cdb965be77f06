/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds-checked reads from untrusted bytes. Every accessor checks the remaining length before
 * it touches memory and reports the offset of the failed read, so a corrupt file yields
 * "unexpected end of data at offset N" instead of a crash.
 */
#include "floe/base.h"

#include <string.h>

void floe_cursor_init(floe_cursor *c, const void *data, size_t len)
{
    c->data = data;
    c->len = data ? len : 0;
    c->pos = 0;
}

size_t floe_cursor_remaining(const floe_cursor *c)
{
    return c->len - c->pos;
}

floe_status floe_cursor_need(const floe_cursor *c, size_t n, floe_err *err)
{
    if (n > c->len - c->pos) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "unexpected end of data at offset %zu: need %zu bytes, %zu left",
                            c->pos, n, c->len - c->pos);
    }
    return FLOE_OK;
}

floe_status floe_cursor_skip(floe_cursor *c, size_t n, floe_err *err)
{
    floe_status st = floe_cursor_need(c, n, err);
    if (st == FLOE_OK) {
        c->pos += n;
    }
    return st;
}

floe_status floe_cursor_seek(floe_cursor *c, size_t pos, floe_err *err)
{
    if (pos > c->len) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "offset %zu is past the end of %zu bytes", pos,
                            c->len);
    }
    c->pos = pos;
    return FLOE_OK;
}

floe_status floe_cursor_bytes(floe_cursor *c, size_t n, const uint8_t **out, floe_err *err)
{
    floe_status st = floe_cursor_need(c, n, err);
    if (st == FLOE_OK) {
        *out = c->data + c->pos;
        c->pos += n;
    }
    return st;
}

floe_status floe_cursor_copy(floe_cursor *c, void *dst, size_t n, floe_err *err)
{
    const uint8_t *p;
    floe_status st = floe_cursor_bytes(c, n, &p, err);
    if (st == FLOE_OK && n > 0) {
        memcpy(dst, p, n);
    }
    return st;
}

floe_status floe_cursor_u8(floe_cursor *c, uint8_t *out, floe_err *err)
{
    floe_status st = floe_cursor_need(c, 1, err);
    if (st == FLOE_OK) {
        *out = c->data[c->pos++];
    }
    return st;
}

floe_status floe_cursor_u16le(floe_cursor *c, uint16_t *out, floe_err *err)
{
    const uint8_t *p;
    floe_status st = floe_cursor_bytes(c, 2, &p, err);
    if (st == FLOE_OK) {
        *out = (uint16_t)(p[0] | p[1] << 8);
    }
    return st;
}

floe_status floe_cursor_u32le(floe_cursor *c, uint32_t *out, floe_err *err)
{
    const uint8_t *p;
    floe_status st = floe_cursor_bytes(c, 4, &p, err);
    if (st == FLOE_OK) {
        *out = floe_load_u32le(p);
    }
    return st;
}

floe_status floe_cursor_u64le(floe_cursor *c, uint64_t *out, floe_err *err)
{
    const uint8_t *p;
    floe_status st = floe_cursor_bytes(c, 8, &p, err);
    if (st == FLOE_OK) {
        *out = floe_load_u64le(p);
    }
    return st;
}

floe_status floe_cursor_u32be(floe_cursor *c, uint32_t *out, floe_err *err)
{
    const uint8_t *p;
    floe_status st = floe_cursor_bytes(c, 4, &p, err);
    if (st == FLOE_OK) {
        *out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    return st;
}

floe_status floe_cursor_i32le(floe_cursor *c, int32_t *out, floe_err *err)
{
    uint32_t v;
    floe_status st = floe_cursor_u32le(c, &v, err);
    if (st == FLOE_OK) {
        *out = (int32_t)v;
    }
    return st;
}

floe_status floe_cursor_i64le(floe_cursor *c, int64_t *out, floe_err *err)
{
    uint64_t v;
    floe_status st = floe_cursor_u64le(c, &v, err);
    if (st == FLOE_OK) {
        *out = (int64_t)v;
    }
    return st;
}

floe_status floe_cursor_f32le(floe_cursor *c, float *out, floe_err *err)
{
    uint32_t v;
    floe_status st = floe_cursor_u32le(c, &v, err);
    if (st == FLOE_OK) {
        memcpy(out, &v, sizeof(*out));
    }
    return st;
}

floe_status floe_cursor_f64le(floe_cursor *c, double *out, floe_err *err)
{
    uint64_t v;
    floe_status st = floe_cursor_u64le(c, &v, err);
    if (st == FLOE_OK) {
        memcpy(out, &v, sizeof(*out));
    }
    return st;
}

floe_status floe_cursor_uvarint(floe_cursor *c, uint64_t *out, floe_err *err)
{
    size_t start = c->pos;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->pos >= c->len) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "truncated varint at offset %zu", start);
        }
        uint8_t b = c->data[c->pos++];
        /* The tenth byte may only carry the top bit of a 64-bit value. */
        if (shift == 63 && (b & 0x7e) != 0) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "varint overflows 64 bits at offset %zu",
                                start);
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_CORRUPT, "varint longer than 10 bytes at offset %zu", start);
}

floe_status floe_cursor_zvarint(floe_cursor *c, int64_t *out, floe_err *err)
{
    uint64_t v;
    floe_status st = floe_cursor_uvarint(c, &v, err);
    if (st == FLOE_OK) {
        *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    }
    return st;
}
