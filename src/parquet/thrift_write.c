/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thrift compact protocol encoder, the writing half of what parquet_int.h declares. Parquet's
 * footer, page headers and page index are Thrift structs; meta_write.c walks them field by field
 * with these calls.
 *
 * Encoding (Thrift compact protocol spec): integers are zigzag varints, a field header is one
 * byte (id delta << 4 | type) when the id is 1..15 above the previous one in the same struct,
 * otherwise the type byte followed by the zigzag i16 id; booleans live in the header's type
 * nibble; a list header is one byte (size << 4 | type) for 0..14 elements, else (0xF0 | type)
 * followed by a varint size.
 *
 * The target buffer must have no size limit (floe_buf max 0): growth then only fails on memory
 * exhaustion, which aborts, so the calls return nothing.
 */
#include "parquet_int.h"

#include <string.h>

static void put(floe_thrift_out *o, const void *p, size_t n)
{
    floe_status st = floe_buf_append(o->buf, p, n, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

static void put_byte(floe_thrift_out *o, uint8_t b)
{
    put(o, &b, 1);
}

static void put_uvarint(floe_thrift_out *o, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    put(o, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void floe_thrift_out_init(floe_thrift_out *o, floe_buf *buf)
{
    memset(o, 0, sizeof(*o));
    o->buf = buf;
}

void floe_thrift_w_struct_begin(floe_thrift_out *o)
{
    FLOE_VERIFY(o->depth < FLOE_PQ_MAX_THRIFT_DEPTH);
    o->last_id[o->depth++] = 0;
}

void floe_thrift_w_struct_end(floe_thrift_out *o)
{
    FLOE_VERIFY(o->depth > 0);
    put_byte(o, FLOE_TC_STOP);
    o->depth--;
}

void floe_thrift_w_field(floe_thrift_out *o, int16_t id, uint8_t type)
{
    FLOE_VERIFY(o->depth > 0);
    int16_t *last = &o->last_id[o->depth - 1];
    int delta = (int)id - (int)*last;
    if (delta > 0 && delta <= 15) {
        put_byte(o, (uint8_t)(delta << 4 | type));
    } else {
        put_byte(o, type);
        put_uvarint(o, zigzag(id));
    }
    *last = id;
}

void floe_thrift_w_bool_field(floe_thrift_out *o, int16_t id, bool v)
{
    floe_thrift_w_field(o, id, v ? FLOE_TC_TRUE : FLOE_TC_FALSE);
}

void floe_thrift_w_i32_field(floe_thrift_out *o, int16_t id, int32_t v)
{
    floe_thrift_w_field(o, id, FLOE_TC_I32);
    floe_thrift_w_i32(o, v);
}

void floe_thrift_w_i64_field(floe_thrift_out *o, int16_t id, int64_t v)
{
    floe_thrift_w_field(o, id, FLOE_TC_I64);
    floe_thrift_w_i64(o, v);
}

void floe_thrift_w_binary_field(floe_thrift_out *o, int16_t id, const void *p, size_t len)
{
    floe_thrift_w_field(o, id, FLOE_TC_BINARY);
    floe_thrift_w_binary(o, p, len);
}

void floe_thrift_w_list_begin(floe_thrift_out *o, uint8_t elem_type, uint32_t n)
{
    if (n < 15) {
        put_byte(o, (uint8_t)(n << 4 | elem_type));
    } else {
        put_byte(o, (uint8_t)(0xF0 | elem_type));
        put_uvarint(o, n);
    }
}

void floe_thrift_w_i32(floe_thrift_out *o, int32_t v)
{
    put_uvarint(o, zigzag(v));
}

void floe_thrift_w_i64(floe_thrift_out *o, int64_t v)
{
    put_uvarint(o, zigzag(v));
}

void floe_thrift_w_binary(floe_thrift_out *o, const void *p, size_t len)
{
    put_uvarint(o, len);
    if (len > 0) {
        put(o, p, len);
    }
}

/* A boolean list element is one byte: 1 for true, 0 for false (readers take 1 as true). */
void floe_thrift_w_bool(floe_thrift_out *o, bool v)
{
    put_byte(o, v ? 1 : 0);
}
