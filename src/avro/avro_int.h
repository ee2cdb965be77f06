/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Avro module's private half: the schema node structs shared by the parser, the datum
 * decoder and encoder and the container reader and writer, and the binary primitives (zigzag
 * varints, little-endian floats) that the unit tests exercise directly.
 */
#ifndef FLOE_AVRO_INT_H
#define FLOE_AVRO_INT_H

#include "floe/avro.h"

#include <jansson.h>
#include <string.h>

/*
 * What the decoder does for a node: the Avro type and a valid logical type folded into one
 * switch value, computed once when the schema is parsed.
 */
typedef enum avro_op {
    OP_NULL = 0,
    OP_BOOLEAN,
    OP_INT,
    OP_LONG,
    OP_FLOAT,
    OP_DOUBLE,
    OP_BYTES,
    OP_STRING,
    OP_RECORD,
    OP_ENUM,
    OP_ARRAY,
    OP_MAP,
    OP_UNION,
    OP_FIXED,
    OP_DATE,          /* int -> DATE */
    OP_TIME_MILLIS,   /* int -> TIME millis */
    OP_TIME_MICROS,   /* long -> TIME micros */
    OP_TIMESTAMP,     /* long -> TIMESTAMP (node unit, utc) */
    OP_DECIMAL_BYTES, /* bytes -> DECIMAL */
    OP_DECIMAL_FIXED, /* fixed -> DECIMAL */
    OP_UUID_STRING,   /* string (36 chars) -> UUID */
    OP_UUID_FIXED,    /* fixed(16) -> UUID */
    OP_KV_ARRAY       /* array of 2-field records with logicalType map -> MAP */
} avro_op;

typedef struct avro_field {
    const char *name;
    floe_avro_node *type;
    const json_t *json; /* the field object */
    const json_t *dflt; /* "default", or NULL */
    const char *doc;
    int32_t id;
    bool has_id;
    bool skip; /* reader projection: skip the bytes, read as NULL */
} avro_field;

struct floe_avro_node {
    uint8_t type;        /* floe_avro_type */
    uint8_t logical;     /* floe_avro_logical */
    uint8_t op;          /* avro_op */
    uint8_t unit;        /* floe_time_unit for TIME and TIMESTAMP */
    bool utc;            /* TIMESTAMP */
    int32_t null_branch; /* UNION: index of the null branch, or -1 */
    int32_t precision;   /* DECIMAL */
    int32_t scale;
    size_t size;               /* FIXED */
    size_t n;                  /* fields, branches or symbols */
    avro_field *fields;        /* RECORD */
    const char **names;        /* RECORD: field names, shared by every decoded STRUCT */
    floe_avro_node **branches; /* UNION */
    const char **symbols;      /* ENUM */
    size_t *symbol_lens;
    floe_avro_node *items; /* ARRAY items, MAP values */
    const char *name;      /* named types */
    const char *space;
    const char *fullname;
    const char *doc;
    const json_t *json;
    size_t min_size; /* fewest bytes one datum of this type takes */
    uint32_t stamp;  /* parser scratch: duplicate named branches in a union */
    bool complete;   /* parsed to the end (false while a record's fields are parsed) */
    const floe_avro_schema *owner;
};

struct floe_avro_schema {
    json_t *root;
    floe_arena *arena; /* nodes, fields and strings */
    floe_map *named;   /* full name -> node (borrowed values) */
    floe_avro_node *top;
    char *text;
    size_t text_len;
    size_t nodes;
};

/* ==== Binary primitives ==== */

/*
 * Read a zigzag varint long at *p (not past `end`); on success advance *p. Returns false for a
 * truncated varint (*p == end before the last byte) or an overlong one (more than 10 bytes, or a
 * tenth byte carrying bits past 64); `*why` says which.
 */
static inline bool avro_read_long(const uint8_t **p, const uint8_t *end, int64_t *out,
                                  const char **why)
{
    const uint8_t *q = *p;
    if (q < end && *q < 0x80) {
        uint64_t u = *q;
        *p = q + 1;
        *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        return true;
    }
    uint64_t u = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (q >= end) {
            *why = "truncated varint";
            return false;
        }
        uint8_t b = *q++;
        if (shift == 63 && b > 1) {
            *why = "varint overflows 64 bits";
            return false;
        }
        u |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *p = q;
            *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
            return true;
        }
    }
    *why = "varint longer than 10 bytes";
    return false;
}

/* Append the zigzag varint of `v` to `out` (at most 10 bytes); returns the length. */
static inline size_t avro_put_long(uint8_t *out, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    while (u >= 0x80) {
        out[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    out[n++] = (uint8_t)u;
    return n;
}

floe_status avro_buf_put_long(floe_buf *b, int64_t v, floe_err *err);

/* ==== Shared between the schema, datum and container code ==== */

/* Append "a.b.c" for the field path in `path[0..depth)` to `out` ("" for the top level). */
void avro_format_path(char *out, size_t cap, const char *const *path, int depth);

/* Reader-side knobs for the decoder. */
typedef struct avro_dec_limits {
    size_t max_items;
} avro_dec_limits;

/*
 * Decode one datum of `n` from [*p, end) into `out`, allocating from `a`; advances *p. Errors
 * name the byte offset relative to `base`.
 */
floe_status avro_decode_datum(const floe_avro_node *n, const uint8_t *base, const uint8_t **p,
                              const uint8_t *end, const avro_dec_limits *lim, floe_arena *a,
                              floe_value *out, floe_err *err);

#endif /* FLOE_AVRO_INT_H */
