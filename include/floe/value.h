/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed values: one in-memory form for a single datum of any Iceberg, Parquet or Avro type,
 * and the canonical JSON that `floe parquet cat` and `floe table scan` print.
 *
 * A floe_value is a small tagged struct. Strings, binaries and nested items point to memory the
 * value does not own (an arena, a page buffer); who owns it is the producer's contract.
 *
 * Canonical JSON (chosen so any two readers' outputs can be compared byte for byte):
 *   null -> null; boolean -> true/false; integers -> every digit (int64 and uint64 extremes too);
 *   FLOAT and DOUBLE -> the shortest decimal that round-trips (float32 precision for FLOAT),
 *     laid out as ECMAScript's Number.prototype.toString does (plain notation for exponents in
 *     [-7, 21), else "1e+21" style), "-0" kept, NaN/Infinity/-Infinity as the strings
 *     "NaN", "Infinity", "-Infinity";
 *   DECIMAL -> string with exactly `scale` fraction digits ("-12.30", "7");
 *   DATE -> "YYYY-MM-DD"; TIME -> "HH:MM:SS.ffffff" (9 digits for nanosecond values);
 *   TIMESTAMP -> "YYYY-MM-DDTHH:MM:SS.ffffff" (9 digits for nanos), "+00:00" appended when
 *     adjusted to UTC; STRING -> JSON string (invalid UTF-8 bytes become U+FFFD);
 *   BINARY and FIXED -> lowercase hex string; UUID -> "8-4-4-4-12" lowercase;
 *   STRUCT -> object with fields in schema order; LIST -> array;
 *   MAP -> array of {"key":...,"value":...} in file order.
 */
#ifndef FLOE_VALUE_H
#define FLOE_VALUE_H

#include "floe/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum floe_value_kind {
    FLOE_V_NULL = 0,
    FLOE_V_BOOL,
    FLOE_V_INT,       /* 32-bit integer (also 8/16-bit and unsigned variants, see flags) */
    FLOE_V_LONG,      /* 64-bit integer (FLOE_VF_UNSIGNED for UINT_64) */
    FLOE_V_FLOAT,     /* float32 */
    FLOE_V_DOUBLE,    /* float64 */
    FLOE_V_DECIMAL,   /* unscaled 128-bit integer with precision and scale */
    FLOE_V_DATE,      /* days since 1970-01-01 (i32) */
    FLOE_V_TIME,      /* time of day in `unit`s since midnight (i64) */
    FLOE_V_TIMESTAMP, /* `unit`s since the epoch (i64); FLOE_VF_UTC when adjusted to UTC */
    FLOE_V_STRING,    /* UTF-8 bytes */
    FLOE_V_BINARY,
    FLOE_V_FIXED,
    FLOE_V_UUID,   /* 16 bytes, big-endian (RFC 9562 byte order) */
    FLOE_V_STRUCT, /* n fields: items[i] named names[i] */
    FLOE_V_LIST,   /* n items */
    FLOE_V_MAP     /* n entries: items[2i] is a key, items[2i + 1] its value */
} floe_value_kind;

typedef enum floe_time_unit {
    FLOE_UNIT_MILLIS = 0,
    FLOE_UNIT_MICROS = 1,
    FLOE_UNIT_NANOS = 2
} floe_time_unit;

#define FLOE_VF_UNSIGNED 0x01 /* INT/LONG hold an unsigned value (print as unsigned) */
#define FLOE_VF_UTC 0x02      /* TIMESTAMP is adjusted to UTC */

typedef struct floe_value floe_value;

struct floe_value {
    uint8_t kind;      /* floe_value_kind */
    uint8_t unit;      /* floe_time_unit for TIME and TIMESTAMP */
    uint8_t flags;     /* FLOE_VF_* */
    uint8_t precision; /* DECIMAL */
    int32_t scale;     /* DECIMAL */
    union {
        bool b;
        int32_t i32; /* INT, DATE */
        int64_t i64; /* LONG, TIME, TIMESTAMP */
        float f32;
        double f64;
        __int128 dec; /* DECIMAL unscaled value */
        struct {
            const uint8_t *ptr;
            size_t len;
        } bytes; /* STRING, BINARY, FIXED */
        uint8_t uuid[16];
        struct {
            floe_value *items;
            const char *const *names; /* STRUCT field names; NULL for LIST and MAP */
            size_t n;                 /* fields, items or map entries */
        } nested;
    } u;
};

/* ==== Constructors (plain values; nothing is allocated) ==== */

floe_value floe_value_null(void);
floe_value floe_value_bool(bool b);
floe_value floe_value_int(int32_t v);
floe_value floe_value_long(int64_t v);
floe_value floe_value_float(float v);
floe_value floe_value_double(double v);
floe_value floe_value_decimal(__int128 unscaled, int precision, int scale);
floe_value floe_value_date(int32_t days);
floe_value floe_value_time(int64_t v, floe_time_unit unit);
floe_value floe_value_timestamp(int64_t v, floe_time_unit unit, bool utc);
/* Borrowed bytes: the value points at `p` (not copied). */
floe_value floe_value_string(const char *p, size_t len);
floe_value floe_value_binary(const void *p, size_t len);
floe_value floe_value_fixed(const void *p, size_t len);
floe_value floe_value_uuid(const uint8_t bytes[16]);

/* ==== Comparison ==== */

/*
 * Order two values of the same kind the way Iceberg orders them (signed integers, unsigned
 * lexicographic bytes for strings and binaries, decimals by value after aligning scales, NaN
 * after every other float, -0 before +0). Values of different kinds compare by kind. Nested
 * values compare element by element. Returns <0, 0 or >0.
 */
int floe_value_cmp(const floe_value *a, const floe_value *b);
/* Equality as used by equality deletes: like cmp == 0, and null equals null. */
bool floe_value_eq(const floe_value *a, const floe_value *b);
/* A hash consistent with floe_value_eq (decimals hash by value, -0 and +0 alike). */
uint64_t floe_value_hash(const floe_value *v, uint64_t seed);

/* ==== JSON ==== */

/* Append the canonical JSON form (see the top of this header). */
floe_status floe_value_to_json(const floe_value *v, floe_buf *out, floe_err *err);

/* Append `s` as a JSON string literal (quotes included; invalid UTF-8 becomes U+FFFD). */
floe_status floe_json_append_string(floe_buf *out, const char *s, size_t len, floe_err *err);

/*
 * Append the shortest decimal that round-trips `v` (as float32 when `is_float`), in
 * ECMAScript number layout; NaN and the infinities as quoted strings.
 */
floe_status floe_json_append_double(floe_buf *out, double v, bool is_float, floe_err *err);

/* Format pieces, shared with other formatters (each returns the length written). */
#define FLOE_VALUE_TEXT_MAX 64
size_t floe_format_decimal(__int128 unscaled, int scale, char *out); /* "-12.30" */
size_t floe_format_date(int32_t days, char *out);                    /* "2017-11-16" */
size_t floe_format_time(int64_t v, floe_time_unit unit, char *out);  /* "22:31:08.000000" */
size_t floe_format_timestamp(int64_t v, floe_time_unit unit, bool utc, char *out);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_VALUE_H */
