/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Avro binary decoding (Avro specification 1.12, "Binary Encoding") into floe_value trees.
 *
 * The decoder walks the parsed schema: each node carries a precomputed op (type and logical type
 * folded together) and the fewest bytes one of its datums can take, so the hot loop is a switch
 * per value and a pointer bump, with no JSON and no name lookups. Every length and count is
 * checked against the bytes that remain before anything is read or allocated: a count of items
 * can never exceed remaining / (fewest bytes per item), and items that may take no bytes at all
 * (arrays of null) are capped separately, so hostile input cannot make the decoder spin or
 * allocate beyond what its size justifies.
 */
#include "avro_int.h"

#include <stdarg.h>
#include <stdio.h>

/* Collections whose items can take zero bytes are capped at this many items. */
#define ZERO_SIZE_ITEMS_MAX ((size_t)1 << 16)

typedef struct dec {
    const uint8_t *base;
    const uint8_t *p;
    const uint8_t *end;
    floe_arena *a;
    floe_err *err;
    size_t max_items;
    floe_status st; /* the first failure, also when err is NULL */
} dec;

static bool corrupt(dec *d, const uint8_t *at, const char *fmt, ...) FLOE_PRINTF(3, 4);

static bool corrupt(dec *d, const uint8_t *at, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    floe_status st =
        floe_err_set(d->err, FLOE_ERR_CORRUPT, "%s at byte %zu", msg, (size_t)(at - d->base));
    if (d->st == FLOE_OK) {
        d->st = st;
    }
    return false;
}

static bool out_of_memory(dec *d)
{
    floe_arena_check(d->a, d->err);
    floe_status st = floe_err_set(d->err, FLOE_ERR_TOO_BIG, "arena limit reached while decoding");
    if (d->st == FLOE_OK) {
        d->st = st;
    }
    return false;
}

static inline size_t left(const dec *d)
{
    return (size_t)(d->end - d->p);
}

static inline bool read_long(dec *d, int64_t *out)
{
    const uint8_t *at = d->p;
    const char *why = NULL;
    if (avro_read_long(&d->p, d->end, out, &why)) {
        return true;
    }
    return corrupt(d, at, "%s", why);
}

static inline bool read_int(dec *d, int32_t *out)
{
    const uint8_t *at = d->p;
    int64_t v = 0;
    if (!read_long(d, &v)) {
        return false;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        return corrupt(d, at, "int value %lld out of 32-bit range", (long long)v);
    }
    *out = (int32_t)v;
    return true;
}

/* A length prefix (bytes, string), checked against what is left. */
static inline bool read_len(dec *d, const char *what, size_t *out)
{
    const uint8_t *at = d->p;
    int64_t v = 0;
    if (!read_long(d, &v)) {
        return false;
    }
    if (v < 0) {
        return corrupt(d, at, "negative %s length %lld", what, (long long)v);
    }
    if ((uint64_t)v > left(d)) {
        return corrupt(d, at, "%s length %lld exceeds the %zu bytes left", what, (long long)v,
                       left(d));
    }
    *out = (size_t)v;
    return true;
}

static inline bool need(dec *d, size_t n, const char *what)
{
    if (n > left(d)) {
        return corrupt(d, d->p, "%s needs %zu bytes, %zu left", what, n, left(d));
    }
    return true;
}

/* Copy `len` bytes at the cursor into the arena. */
static inline bool take_bytes(dec *d, size_t len, const uint8_t **out)
{
    if (len == 0) {
        *out = (const uint8_t *)"";
        return true;
    }
    uint8_t *q = floe_arena_alloc(d->a, len);
    if (q == NULL) {
        return out_of_memory(d);
    }
    memcpy(q, d->p, len);
    d->p += len;
    *out = q;
    return true;
}

/* Big-endian two's complement -> 128-bit integer; false when it does not fit. */
static bool be_to_i128(const uint8_t *b, size_t len, __int128 *out)
{
    uint8_t ext = (b[0] & 0x80) ? 0xff : 0x00;
    size_t skip = len > 16 ? len - 16 : 0;
    for (size_t i = 0; i < skip; i++) {
        if (b[i] != ext) {
            return false;
        }
    }
    if (skip > 0 && ((b[skip] ^ ext) & 0x80) != 0) {
        return false;
    }
    unsigned __int128 u = ext ? ~(unsigned __int128)0 : 0;
    for (size_t i = skip; i < len; i++) {
        u = (u << 8) | b[i];
    }
    *out = (__int128)u;
    return true;
}

/*
 * Value constructors the compiler can inline (value.h's are out of line); the decoder builds one
 * per datum, so this is the hottest code in manifest planning.
 */
static inline floe_value v_bytes(uint8_t kind, const void *p, size_t len)
{
    floe_value v = {.kind = kind};
    v.u.bytes.ptr = p;
    v.u.bytes.len = len;
    return v;
}

static bool dec_slow(dec *d, const floe_avro_node *n, floe_value *out, int depth);
static bool skip_value(dec *d, const floe_avro_node *n, int depth);

/*
 * The hot path, inlined into the record and collection loops: a union's branch index and the
 * leaf types manifests are made of (int, long, string, bytes, null). Everything else goes to
 * dec_slow, which handles every type.
 */
static inline bool dec_value(dec *d, const floe_avro_node *n, floe_value *out, int depth)
{
    if (n->op == OP_UNION) {
        const uint8_t *at = d->p;
        int64_t b = 0;
        if (!read_long(d, &b)) {
            return false;
        }
        if (b < 0 || (uint64_t)b >= n->n) {
            return corrupt(d, at, "union branch %lld out of range for %zu branches", (long long)b,
                           n->n);
        }
        n = n->branches[b];
        depth++;
    }
    switch (n->op) {
    case OP_NULL:
        *out = (floe_value){.kind = FLOE_V_NULL};
        return true;
    case OP_INT: {
        int32_t v = 0;
        if (!read_int(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_INT, .u.i32 = v};
        return true;
    }
    case OP_LONG: {
        int64_t v = 0;
        if (!read_long(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_LONG, .u.i64 = v};
        return true;
    }
    case OP_STRING:
    case OP_BYTES: {
        size_t len = 0;
        const uint8_t *b;
        bool str = n->op == OP_STRING;
        if (!read_len(d, str ? "string" : "bytes", &len) || !take_bytes(d, len, &b)) {
            return false;
        }
        *out = v_bytes(str ? FLOE_V_STRING : FLOE_V_BINARY, b, len);
        return true;
    }
    default:
        return dec_slow(d, n, out, depth);
    }
}

/* ==== Records, arrays and maps ==== */

static bool too_deep(dec *d)
{
    return corrupt(d, d->p, "datum nested deeper than %d levels", FLOE_AVRO_MAX_SCHEMA_DEPTH);
}

/* The fields of `rec` into `items[0..n)`. */
static bool dec_fields(dec *d, const floe_avro_node *rec, floe_value *items, int depth)
{
    for (size_t i = 0; i < rec->n; i++) {
        const avro_field *f = &rec->fields[i];
        if (f->skip) {
            items[i] = (floe_value){.kind = FLOE_V_NULL};
            if (!skip_value(d, f->type, depth + 1)) {
                return false;
            }
        } else if (!dec_value(d, f->type, &items[i], depth + 1)) {
            return false;
        }
    }
    return true;
}

/*
 * One block header of an array or map: a count, and for a negative count the block's byte size
 * (Avro lets writers add it so readers can skip). Returns the item count (0 at the end) and in
 * *block_end where the block must end (NULL when the size was not given).
 */
static bool block_header(dec *d, const char *what, size_t per_item_min, size_t have,
                         size_t max_items, size_t *count, const uint8_t **block_end)
{
    const uint8_t *at = d->p;
    int64_t c = 0;
    if (!read_long(d, &c)) {
        return false;
    }
    *block_end = NULL;
    if (c < 0) {
        if (c == INT64_MIN) {
            return corrupt(d, at, "%s block count out of range", what);
        }
        c = -c;
        const uint8_t *size_at = d->p;
        int64_t size = 0;
        if (!read_long(d, &size)) {
            return false;
        }
        if (size < 0 || (uint64_t)size > left(d)) {
            return corrupt(d, size_at, "%s block byte size %lld does not fit the %zu bytes left",
                           what, (long long)size, left(d));
        }
        *block_end = d->p + size;
    }
    if ((uint64_t)c > max_items - have) {
        floe_status st =
            floe_err_set(d->err, FLOE_ERR_TOO_BIG, "%s with more than %zu items at byte %zu", what,
                         max_items, (size_t)(at - d->base));
        if (d->st == FLOE_OK) {
            d->st = st;
        }
        return false;
    }
    if (per_item_min > 0 && (uint64_t)c > left(d) / per_item_min) {
        return corrupt(d, at, "%s block count %lld exceeds what the %zu bytes left can hold", what,
                       (long long)c, left(d));
    }
    *count = (size_t)c;
    return true;
}

static bool dec_collection(dec *d, const floe_avro_node *n, floe_value *out, int depth)
{
    const floe_avro_node *it = n->items;
    bool is_list = n->op == OP_ARRAY;
    const char *what = n->op == OP_MAP ? "map" : "array";
    size_t per = is_list ? 1 : 2; /* values per entry */
    size_t item_min = n->op == OP_MAP ? 1 + it->min_size : it->min_size;
    size_t max_items = d->max_items;
    if (item_min == 0 && max_items > ZERO_SIZE_ITEMS_MAX) {
        max_items = ZERO_SIZE_ITEMS_MAX;
    }
    floe_value *items = NULL;
    size_t have = 0, cap = 0;
    for (;;) {
        size_t count = 0;
        const uint8_t *block_end;
        if (!block_header(d, what, item_min, have, max_items, &count, &block_end)) {
            return false;
        }
        if (count == 0) {
            break;
        }
        if (have + count > cap) {
            size_t want = have + count;
            if (cap > 0 && want < cap * 2 && cap * 2 <= max_items) {
                want = cap * 2; /* geometric growth: many one-item blocks stay linear */
            }
            floe_value *grown = floe_arena_alloc(d->a, want * per * sizeof(floe_value));
            if (grown == NULL) {
                return out_of_memory(d);
            }
            if (have > 0) {
                memcpy(grown, items, have * per * sizeof(floe_value));
            }
            items = grown;
            cap = want;
        }
        for (size_t i = 0; i < count; i++) {
            floe_value *slot = &items[(have + i) * per];
            if (n->op == OP_ARRAY) {
                if (!dec_value(d, it, slot, depth + 1)) {
                    return false;
                }
            } else if (n->op == OP_MAP) {
                size_t len = 0;
                const uint8_t *key;
                if (!read_len(d, "map key", &len) || !take_bytes(d, len, &key)) {
                    return false;
                }
                slot[0] = v_bytes(FLOE_V_STRING, key, len);
                if (!dec_value(d, it, &slot[1], depth + 1)) {
                    return false;
                }
            } else { /* OP_KV_ARRAY: a {key, value} record per entry */
                if (depth + 1 >= FLOE_AVRO_MAX_SCHEMA_DEPTH) {
                    return too_deep(d);
                }
                if (!dec_fields(d, it, slot, depth + 1)) {
                    return false;
                }
            }
        }
        have += count;
        if (block_end != NULL && d->p != block_end) {
            return corrupt(d, d->p, "%s block byte size does not match its items", what);
        }
    }
    out->kind = is_list ? FLOE_V_LIST : FLOE_V_MAP;
    out->u.nested.items = items;
    out->u.nested.names = NULL;
    out->u.nested.n = have;
    return true;
}

/* ==== Values ==== */

static bool dec_slow(dec *d, const floe_avro_node *n, floe_value *out, int depth)
{
    if (depth >= FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return too_deep(d);
    }
    const uint8_t *at = d->p;
    switch ((avro_op)n->op) {
    case OP_NULL:
        *out = (floe_value){.kind = FLOE_V_NULL};
        return true;
    case OP_BOOLEAN:
        if (!need(d, 1, "boolean")) {
            return false;
        }
        if (*d->p > 1) {
            return corrupt(d, at, "boolean byte 0x%02x is neither 0 nor 1", *d->p);
        }
        *out = (floe_value){.kind = FLOE_V_BOOL, .u.b = *d->p++ != 0};
        return true;
    case OP_INT: {
        int32_t v = 0;
        if (!read_int(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_INT, .u.i32 = v};
        return true;
    }
    case OP_LONG: {
        int64_t v = 0;
        if (!read_long(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_LONG, .u.i64 = v};
        return true;
    }
    case OP_FLOAT: {
        if (!need(d, 4, "float")) {
            return false;
        }
        uint32_t u = floe_load_u32le(d->p);
        float f;
        memcpy(&f, &u, sizeof(f));
        d->p += 4;
        *out = (floe_value){.kind = FLOE_V_FLOAT, .u.f32 = f};
        return true;
    }
    case OP_DOUBLE: {
        if (!need(d, 8, "double")) {
            return false;
        }
        uint64_t u = floe_load_u64le(d->p);
        double f;
        memcpy(&f, &u, sizeof(f));
        d->p += 8;
        *out = (floe_value){.kind = FLOE_V_DOUBLE, .u.f64 = f};
        return true;
    }
    case OP_BYTES:
    case OP_STRING: {
        size_t len = 0;
        const uint8_t *b;
        bool str = n->op == OP_STRING;
        if (!read_len(d, str ? "string" : "bytes", &len) || !take_bytes(d, len, &b)) {
            return false;
        }
        *out = v_bytes(str ? FLOE_V_STRING : FLOE_V_BINARY, b, len);
        return true;
    }
    case OP_FIXED: {
        const uint8_t *b;
        if (!need(d, n->size, "fixed") || !take_bytes(d, n->size, &b)) {
            return false;
        }
        *out = v_bytes(FLOE_V_FIXED, b, n->size);
        return true;
    }
    case OP_ENUM: {
        int32_t v = 0;
        if (!read_int(d, &v)) {
            return false;
        }
        if (v < 0 || (size_t)v >= n->n) {
            return corrupt(d, at, "enum index %d out of range for %zu symbols", (int)v, n->n);
        }
        *out = v_bytes(FLOE_V_STRING, n->symbols[v], n->symbol_lens[v]);
        return true;
    }
    case OP_RECORD: {
        floe_value *items = NULL;
        if (n->n > 0) {
            items = floe_arena_alloc(d->a, n->n * sizeof(floe_value));
            if (items == NULL) {
                return out_of_memory(d);
            }
        }
        if (!dec_fields(d, n, items, depth)) {
            return false;
        }
        out->kind = FLOE_V_STRUCT;
        out->u.nested.items = items;
        out->u.nested.names = n->names;
        out->u.nested.n = n->n;
        return true;
    }
    case OP_ARRAY:
    case OP_MAP:
    case OP_KV_ARRAY:
        return dec_collection(d, n, out, depth);
    case OP_UNION: {
        int64_t b = 0;
        if (!read_long(d, &b)) {
            return false;
        }
        if (b < 0 || (uint64_t)b >= n->n) {
            return corrupt(d, at, "union branch %lld out of range for %zu branches", (long long)b,
                           n->n);
        }
        return dec_value(d, n->branches[b], out, depth + 1);
    }
    case OP_DATE: {
        int32_t v = 0;
        if (!read_int(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_DATE, .u.i32 = v};
        return true;
    }
    case OP_TIME_MILLIS: {
        int32_t v = 0;
        if (!read_int(d, &v)) {
            return false;
        }
        *out = (floe_value){.kind = FLOE_V_TIME, .unit = FLOE_UNIT_MILLIS, .u.i64 = v};
        return true;
    }
    case OP_TIME_MICROS:
    case OP_TIMESTAMP: {
        int64_t v = 0;
        if (!read_long(d, &v)) {
            return false;
        }
        if (n->op == OP_TIME_MICROS) {
            *out = (floe_value){.kind = FLOE_V_TIME, .unit = FLOE_UNIT_MICROS, .u.i64 = v};
        } else {
            *out = (floe_value){.kind = FLOE_V_TIMESTAMP,
                                .unit = n->unit,
                                .flags = n->utc ? FLOE_VF_UTC : 0,
                                .u.i64 = v};
        }
        return true;
    }
    case OP_DECIMAL_BYTES:
    case OP_DECIMAL_FIXED: {
        size_t len = n->size;
        if (n->op == OP_DECIMAL_BYTES) {
            if (!read_len(d, "decimal", &len)) {
                return false;
            }
        } else if (!need(d, len, "decimal")) {
            return false;
        }
        __int128 v;
        if (len == 0) {
            return corrupt(d, at, "empty decimal");
        }
        if (!be_to_i128(d->p, len, &v)) {
            return corrupt(d, at, "decimal of %zu bytes does not fit 128 bits", len);
        }
        d->p += len;
        *out = floe_value_decimal(v, n->precision, n->scale);
        return true;
    }
    case OP_UUID_STRING: {
        size_t len = 0;
        if (!read_len(d, "uuid", &len)) {
            return false;
        }
        floe_uuid u;
        if (floe_uuid_parse((const char *)d->p, len, &u, NULL) != FLOE_OK) {
            return corrupt(d, at, "uuid string of %zu bytes is not a valid UUID", len);
        }
        d->p += len;
        *out = floe_value_uuid(u.b);
        return true;
    }
    case OP_UUID_FIXED:
        if (!need(d, 16, "uuid")) {
            return false;
        }
        *out = floe_value_uuid(d->p);
        d->p += 16;
        return true;
    }
    return corrupt(d, at, "internal: unknown op %d", n->op);
}

/* ==== Skipping (projection) ==== */

static bool skip_bytes(dec *d, size_t n, const char *what)
{
    if (!need(d, n, what)) {
        return false;
    }
    d->p += n;
    return true;
}

static bool skip_value(dec *d, const floe_avro_node *n, int depth)
{
    if (depth >= FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return too_deep(d);
    }
    const uint8_t *at = d->p;
    int64_t v = 0;
    size_t len = 0;
    switch ((avro_op)n->op) {
    case OP_NULL:
        return true;
    case OP_BOOLEAN:
        return skip_bytes(d, 1, "boolean");
    case OP_INT:
    case OP_ENUM:
    case OP_DATE:
    case OP_TIME_MILLIS:
    case OP_LONG:
    case OP_TIME_MICROS:
    case OP_TIMESTAMP:
        return read_long(d, &v);
    case OP_FLOAT:
        return skip_bytes(d, 4, "float");
    case OP_DOUBLE:
        return skip_bytes(d, 8, "double");
    case OP_BYTES:
    case OP_STRING:
    case OP_DECIMAL_BYTES:
    case OP_UUID_STRING:
        if (!read_len(d, "bytes", &len)) {
            return false;
        }
        d->p += len;
        return true;
    case OP_FIXED:
    case OP_DECIMAL_FIXED:
    case OP_UUID_FIXED:
        return skip_bytes(d, n->size, "fixed");
    case OP_RECORD:
        for (size_t i = 0; i < n->n; i++) {
            if (!skip_value(d, n->fields[i].type, depth + 1)) {
                return false;
            }
        }
        return true;
    case OP_UNION:
        if (!read_long(d, &v)) {
            return false;
        }
        if (v < 0 || (uint64_t)v >= n->n) {
            return corrupt(d, at, "union branch %lld out of range for %zu branches", (long long)v,
                           n->n);
        }
        return skip_value(d, n->branches[v], depth + 1);
    case OP_ARRAY:
    case OP_MAP:
    case OP_KV_ARRAY: {
        const floe_avro_node *it = n->items;
        const char *what = n->op == OP_MAP ? "map" : "array";
        size_t item_min = n->op == OP_MAP ? 1 + it->min_size : it->min_size;
        size_t max_items = d->max_items;
        if (item_min == 0 && max_items > ZERO_SIZE_ITEMS_MAX) {
            max_items = ZERO_SIZE_ITEMS_MAX;
        }
        size_t have = 0;
        for (;;) {
            size_t count = 0;
            const uint8_t *block_end;
            if (!block_header(d, what, item_min, have, max_items, &count, &block_end)) {
                return false;
            }
            if (count == 0) {
                return true;
            }
            if (block_end != NULL) {
                d->p = block_end; /* what the byte size is for */
                have += count;
                continue;
            }
            for (size_t i = 0; i < count; i++) {
                if (n->op == OP_MAP) {
                    if (!read_len(d, "map key", &len)) {
                        return false;
                    }
                    d->p += len;
                }
                if (!skip_value(d, it, depth + 1)) {
                    return false;
                }
            }
            have += count;
        }
    }
    }
    return corrupt(d, at, "internal: unknown op %d", n->op);
}

/* ==== Entry points ==== */

floe_status avro_decode_datum(const floe_avro_node *n, const uint8_t *base, const uint8_t **p,
                              const uint8_t *end, const avro_dec_limits *lim, floe_arena *a,
                              floe_value *out, floe_err *err)
{
    dec d = {.base = base, .p = *p, .end = end, .a = a, .err = err, .max_items = lim->max_items};
    if (!dec_value(&d, n, out, 0)) {
        return d.st != FLOE_OK ? d.st : FLOE_ERR_INTERNAL;
    }
    *p = d.p;
    return FLOE_OK;
}

floe_status floe_avro_decode(const floe_avro_node *n, const void *data, size_t len, floe_arena *a,
                             floe_value *out, size_t *used, floe_err *err)
{
    const uint8_t *base = data != NULL ? data : (const uint8_t *)"";
    const uint8_t *p = base;
    avro_dec_limits lim = {.max_items = FLOE_AVRO_DEFAULT_MAX_ITEMS};
    floe_status st = avro_decode_datum(n, base, &p, base + len, &lim, a, out, err);
    if (st == FLOE_OK && used != NULL) {
        *used = (size_t)(p - base);
    }
    return st;
}
