/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Avro binary encoding (Avro specification 1.12, "Binary Encoding") from floe_value trees: the
 * inverse of decode.c's mapping. A union takes the first branch whose type is the value's own
 * kind (a LONG for "long", a DATE for an int-date), else the first branch that can hold it
 * (an INT for "long", a FLOAT for "double"); NULL takes the null branch. A value that fits no
 * branch, or a STRUCT whose field count differs from the record's, fails with FLOE_ERR_INVALID
 * naming the field path ("data_file.partition.ts_day").
 */
#include "avro_int.h"

#include <stdarg.h>
#include <stdio.h>

typedef struct enc {
    floe_buf *out;
    floe_err *err;
    int npath;
    const char *path[FLOE_AVRO_MAX_SCHEMA_DEPTH + 2];
} enc;

static const char *const kind_names[] = {
    [FLOE_V_NULL] = "NULL",           [FLOE_V_BOOL] = "BOOL",     [FLOE_V_INT] = "INT",
    [FLOE_V_LONG] = "LONG",           [FLOE_V_FLOAT] = "FLOAT",   [FLOE_V_DOUBLE] = "DOUBLE",
    [FLOE_V_DECIMAL] = "DECIMAL",     [FLOE_V_DATE] = "DATE",     [FLOE_V_TIME] = "TIME",
    [FLOE_V_TIMESTAMP] = "TIMESTAMP", [FLOE_V_STRING] = "STRING", [FLOE_V_BINARY] = "BINARY",
    [FLOE_V_FIXED] = "FIXED",         [FLOE_V_UUID] = "UUID",     [FLOE_V_STRUCT] = "STRUCT",
    [FLOE_V_LIST] = "LIST",           [FLOE_V_MAP] = "MAP",
};

static const char *kind_name(const floe_value *v)
{
    return v->kind < FLOE_ARRAY_LEN(kind_names) ? kind_names[v->kind] : "unknown";
}

/* How a node is described in messages: "long", "int (date)", "record r2". */
static void describe(const floe_avro_node *n, char *out, size_t cap)
{
    static const char *const lt_names[] = {
        [FLOE_AVRO_LT_NONE] = "",
        [FLOE_AVRO_LT_DECIMAL] = "decimal",
        [FLOE_AVRO_LT_UUID] = "uuid",
        [FLOE_AVRO_LT_DATE] = "date",
        [FLOE_AVRO_LT_TIME_MILLIS] = "time-millis",
        [FLOE_AVRO_LT_TIME_MICROS] = "time-micros",
        [FLOE_AVRO_LT_TIMESTAMP_MILLIS] = "timestamp-millis",
        [FLOE_AVRO_LT_TIMESTAMP_MICROS] = "timestamp-micros",
        [FLOE_AVRO_LT_TIMESTAMP_NANOS] = "timestamp-nanos",
        [FLOE_AVRO_LT_LOCAL_TIMESTAMP_MILLIS] = "local-timestamp-millis",
        [FLOE_AVRO_LT_LOCAL_TIMESTAMP_MICROS] = "local-timestamp-micros",
        [FLOE_AVRO_LT_LOCAL_TIMESTAMP_NANOS] = "local-timestamp-nanos",
        [FLOE_AVRO_LT_MAP] = "map",
    };
    const char *t = floe_avro_type_name((floe_avro_type)n->type);
    if (n->logical != FLOE_AVRO_LT_NONE) {
        snprintf(out, cap, "%s (%s)", t, lt_names[n->logical]);
    } else if (n->fullname != NULL) {
        snprintf(out, cap, "%s %s", t, n->fullname);
    } else {
        snprintf(out, cap, "%s", t);
    }
}

static floe_status bad(enc *e, const char *fmt, ...) FLOE_PRINTF(2, 3);

static floe_status bad(enc *e, const char *fmt, ...)
{
    char msg[400], where[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    avro_format_path(where, sizeof(where), e->path, e->npath);
    if (where[0] != '\0') {
        return floe_err_set(e->err, FLOE_ERR_INVALID, "avro value for field %s: %s", where, msg);
    }
    return floe_err_set(e->err, FLOE_ERR_INVALID, "avro value: %s", msg);
}

static floe_status mismatch(enc *e, const floe_avro_node *n, const floe_value *v)
{
    char what[160];
    describe(n, what, sizeof(what));
    if (v->kind == FLOE_V_NULL) {
        return bad(e, "null for non-null type %s", what);
    }
    return bad(e, "%s value does not fit type %s", kind_name(v), what);
}

floe_status avro_buf_put_long(floe_buf *b, int64_t v, floe_err *err)
{
    uint8_t tmp[10];
    return floe_buf_append(b, tmp, avro_put_long(tmp, v), err);
}

/*
 * How well `v` fits `n`: 2 when it is the value kind the type decodes to, 1 when it can be
 * converted without loss, 0 when it cannot be written as `n`.
 */
static int fit(const floe_avro_node *n, const floe_value *v)
{
    int k = v->kind;
    switch ((avro_op)n->op) {
    case OP_NULL:
        return k == FLOE_V_NULL ? 2 : 0;
    case OP_BOOLEAN:
        return k == FLOE_V_BOOL ? 2 : 0;
    case OP_INT:
        return k == FLOE_V_INT ? 2 : 0;
    case OP_LONG:
        return k == FLOE_V_LONG ? 2 : k == FLOE_V_INT ? 1 : 0;
    case OP_FLOAT:
        return k == FLOE_V_FLOAT ? 2 : 0;
    case OP_DOUBLE:
        return k == FLOE_V_DOUBLE ? 2 : k == FLOE_V_FLOAT ? 1 : 0;
    case OP_BYTES:
        return k == FLOE_V_BINARY ? 2 : (k == FLOE_V_STRING || k == FLOE_V_FIXED) ? 1 : 0;
    case OP_STRING:
        return k == FLOE_V_STRING ? 2 : 0;
    case OP_FIXED:
        if (k == FLOE_V_FIXED && v->u.bytes.len == n->size) {
            return 2;
        }
        return k == FLOE_V_BINARY && v->u.bytes.len == n->size ? 1 : 0;
    case OP_ENUM:
        return k == FLOE_V_STRING ? 2 : 0;
    case OP_RECORD:
        return k == FLOE_V_STRUCT && v->u.nested.n == n->n ? 2 : 0;
    case OP_ARRAY:
        return k == FLOE_V_LIST ? 2 : 0;
    case OP_MAP:
        return k == FLOE_V_MAP ? 2 : 0;
    case OP_KV_ARRAY:
        return k == FLOE_V_MAP ? 2 : k == FLOE_V_LIST ? 1 : 0;
    case OP_UNION:
        return 0; /* unions never nest directly */
    case OP_DATE:
        return k == FLOE_V_DATE ? 2 : k == FLOE_V_INT ? 1 : 0;
    case OP_TIME_MILLIS:
        return k == FLOE_V_TIME && v->unit == FLOE_UNIT_MILLIS ? 2 : k == FLOE_V_INT ? 1 : 0;
    case OP_TIME_MICROS:
        return k == FLOE_V_TIME && v->unit == FLOE_UNIT_MICROS ? 2 : k == FLOE_V_LONG ? 1 : 0;
    case OP_TIMESTAMP:
        return k == FLOE_V_TIMESTAMP && v->unit == n->unit ? 2 : k == FLOE_V_LONG ? 1 : 0;
    case OP_DECIMAL_BYTES:
    case OP_DECIMAL_FIXED:
        return k == FLOE_V_DECIMAL ? 2 : 0;
    case OP_UUID_STRING:
        return k == FLOE_V_UUID ? 2 : k == FLOE_V_STRING ? 1 : 0;
    case OP_UUID_FIXED:
        if (k == FLOE_V_UUID) {
            return 2;
        }
        return (k == FLOE_V_FIXED || k == FLOE_V_BINARY) && v->u.bytes.len == 16 ? 1 : 0;
    }
    return 0;
}

static floe_status put_bytes(enc *e, const void *p, size_t len)
{
    floe_status st = avro_buf_put_long(e->out, (int64_t)len, e->err);
    return st != FLOE_OK ? st : floe_buf_append(e->out, p, len, e->err);
}

/* 10^p for p = 0..38, to check a decimal's precision. */
static unsigned __int128 pow10_u128(int p)
{
    unsigned __int128 r = 1;
    for (int i = 0; i < p; i++) {
        r *= 10;
    }
    return r;
}

static floe_status put_decimal(enc *e, const floe_avro_node *n, const floe_value *v)
{
    if (v->scale != n->scale) {
        return bad(e, "decimal scale %d does not match the schema's scale %d", (int)v->scale,
                   (int)n->scale);
    }
    __int128 x = v->u.dec;
    unsigned __int128 mag = x < 0 ? -(unsigned __int128)x : (unsigned __int128)x;
    if (mag >= pow10_u128(n->precision)) {
        return bad(e, "decimal value has more than the schema's %d digits", (int)n->precision);
    }
    uint8_t be[16];
    unsigned __int128 u = (unsigned __int128)x;
    for (int i = 15; i >= 0; i--) {
        be[i] = (uint8_t)u;
        u >>= 8;
    }
    uint8_t ext = x < 0 ? 0xff : 0x00;
    if (n->op == OP_DECIMAL_FIXED) {
        /* Sign-extend to the fixed size; the precision check above guarantees it fits. */
        size_t size = n->size;
        for (size_t i = 16; i < size; i++) {
            floe_status st = floe_buf_append_byte(e->out, ext, e->err);
            if (st != FLOE_OK) {
                return st;
            }
        }
        size_t from = size >= 16 ? 0 : 16 - size;
        return floe_buf_append(e->out, be + from, 16 - from, e->err);
    }
    /* Minimal two's complement: drop leading bytes that only repeat the sign. */
    size_t from = 0;
    while (from < 15 && be[from] == ext && ((be[from + 1] ^ ext) & 0x80) == 0) {
        from++;
    }
    return put_bytes(e, be + from, 16 - from);
}

static floe_status enc_value(enc *e, const floe_avro_node *n, const floe_value *v, int depth);

static floe_status enc_fields(enc *e, const floe_avro_node *rec, const floe_value *items, int depth)
{
    for (size_t i = 0; i < rec->n; i++) {
        e->path[e->npath++] = rec->fields[i].name;
        floe_status st = enc_value(e, rec->fields[i].type, &items[i], depth + 1);
        e->npath--;
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

static floe_status enc_collection(enc *e, const floe_avro_node *n, const floe_value *v, int depth)
{
    size_t count = v->u.nested.n;
    floe_status st = FLOE_OK;
    if (count > 0) {
        st = avro_buf_put_long(e->out, (int64_t)count, e->err);
    }
    const floe_avro_node *it = n->items;
    for (size_t i = 0; i < count && st == FLOE_OK; i++) {
        if (n->op == OP_ARRAY) {
            st = enc_value(e, it, &v->u.nested.items[i], depth + 1);
        } else if (n->op == OP_MAP) {
            const floe_value *k = &v->u.nested.items[2 * i];
            if (k->kind != FLOE_V_STRING) {
                return bad(e, "map key is %s, not STRING", kind_name(k));
            }
            st = put_bytes(e, k->u.bytes.ptr, k->u.bytes.len);
            if (st == FLOE_OK) {
                st = enc_value(e, it, &v->u.nested.items[2 * i + 1], depth + 1);
            }
        } else if (v->kind == FLOE_V_MAP) { /* OP_KV_ARRAY from a MAP */
            st = enc_fields(e, it, &v->u.nested.items[2 * i], depth + 1);
        } else { /* OP_KV_ARRAY from a LIST of {key, value} structs */
            st = enc_value(e, it, &v->u.nested.items[i], depth + 1);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    return floe_buf_append_byte(e->out, 0, e->err);
}

static floe_status enc_value(enc *e, const floe_avro_node *n, const floe_value *v, int depth)
{
    if (depth >= FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return bad(e, "value nested deeper than %d levels", FLOE_AVRO_MAX_SCHEMA_DEPTH);
    }
    if (n->op == OP_UNION) {
        int best = -1, best_fit = 0;
        for (size_t i = 0; i < n->n && best_fit < 2; i++) {
            int f = fit(n->branches[i], v);
            if (f > best_fit) {
                best = (int)i;
                best_fit = f;
            }
        }
        if (best < 0) {
            if (v->kind == FLOE_V_NULL) {
                return bad(e, "null for a union without a null branch");
            }
            return bad(e, "%s value fits no branch of the union", kind_name(v));
        }
        floe_status st = avro_buf_put_long(e->out, best, e->err);
        return st != FLOE_OK ? st : enc_value(e, n->branches[best], v, depth + 1);
    }
    if (fit(n, v) == 0) {
        return mismatch(e, n, v);
    }
    uint8_t tmp[8];
    switch ((avro_op)n->op) {
    case OP_NULL:
        return FLOE_OK;
    case OP_BOOLEAN:
        return floe_buf_append_byte(e->out, v->u.b ? 1 : 0, e->err);
    case OP_INT:
    case OP_DATE:
    case OP_TIME_MILLIS:
        if (v->kind == FLOE_V_TIME) {
            if (v->u.i64 < INT32_MIN || v->u.i64 > INT32_MAX) {
                return bad(e, "time-millis value %lld out of int range", (long long)v->u.i64);
            }
            return avro_buf_put_long(e->out, v->u.i64, e->err);
        }
        return avro_buf_put_long(e->out, v->u.i32, e->err);
    case OP_LONG:
    case OP_TIME_MICROS:
    case OP_TIMESTAMP:
        return avro_buf_put_long(e->out, v->kind == FLOE_V_INT ? v->u.i32 : v->u.i64, e->err);
    case OP_FLOAT: {
        uint32_t u;
        memcpy(&u, &v->u.f32, 4);
        floe_store_u32le(tmp, u);
        return floe_buf_append(e->out, tmp, 4, e->err);
    }
    case OP_DOUBLE: {
        double d = v->kind == FLOE_V_FLOAT ? (double)v->u.f32 : v->u.f64;
        uint64_t u;
        memcpy(&u, &d, 8);
        floe_store_u64le(tmp, u);
        return floe_buf_append(e->out, tmp, 8, e->err);
    }
    case OP_BYTES:
    case OP_STRING:
        return put_bytes(e, v->u.bytes.ptr, v->u.bytes.len);
    case OP_FIXED:
        return floe_buf_append(e->out, v->u.bytes.ptr, v->u.bytes.len, e->err);
    case OP_ENUM:
        for (size_t i = 0; i < n->n; i++) {
            if (n->symbol_lens[i] == v->u.bytes.len &&
                memcmp(n->symbols[i], v->u.bytes.ptr, v->u.bytes.len) == 0) {
                return avro_buf_put_long(e->out, (int64_t)i, e->err);
            }
        }
        return bad(e, "'%.*s' is not a symbol of enum %s",
                   (int)(v->u.bytes.len > 100 ? 100 : v->u.bytes.len), (const char *)v->u.bytes.ptr,
                   n->fullname);
    case OP_RECORD:
        return enc_fields(e, n, v->u.nested.items, depth);
    case OP_ARRAY:
    case OP_MAP:
    case OP_KV_ARRAY:
        return enc_collection(e, n, v, depth);
    case OP_DECIMAL_BYTES:
    case OP_DECIMAL_FIXED:
        return put_decimal(e, n, v);
    case OP_UUID_STRING: {
        char text[FLOE_UUID_STR_LEN + 1];
        if (v->kind == FLOE_V_STRING) {
            floe_uuid u;
            if (floe_uuid_parse((const char *)v->u.bytes.ptr, v->u.bytes.len, &u, NULL) !=
                FLOE_OK) {
                return bad(e, "string is not a UUID");
            }
            floe_uuid_format(&u, text);
        } else {
            floe_uuid u;
            memcpy(u.b, v->u.uuid, 16);
            floe_uuid_format(&u, text);
        }
        return put_bytes(e, text, FLOE_UUID_STR_LEN);
    }
    case OP_UUID_FIXED:
        return floe_buf_append(e->out, v->kind == FLOE_V_UUID ? v->u.uuid : v->u.bytes.ptr, 16,
                               e->err);
    case OP_UNION:
        break;
    }
    return floe_err_set(e->err, FLOE_ERR_INTERNAL, "avro encode: unknown op %d", n->op);
}

floe_status floe_avro_encode(const floe_avro_node *n, const floe_value *v, floe_buf *out,
                             floe_err *err)
{
    enc e = {.out = out, .err = err};
    size_t start = out->len;
    floe_status st = enc_value(&e, n, v, 0);
    if (st != FLOE_OK && out->data != NULL) {
        out->len = start;
        out->data[start] = '\0';
    }
    return st;
}
