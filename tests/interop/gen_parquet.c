/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): writes Parquet files with floe's writer for the
 * interop tests, which read them back with DuckDB and hyparquet.
 *
 *   gen_parquet CASE OUT.parquet [--rows N] [--codec NAME] [--v2] [--no-dict]
 *               [--page-size N] [--row-group-size N] [--batch N] [--dict-limit N]
 *               [--no-page-index] [--no-stats] [--page-stats] [--expect FILE]
 *
 * CASE is one of: types (every physical and logical type, flat), nested (structs, lists, maps,
 * lists of lists, with nulls at every level and empty lists), many (a realistic table for row
 * group and page tests), empty (the types schema with no rows).
 *
 * Rows are built as floe_value structs; --expect writes them as canonical JSON lines (the format
 * of value.h), then they are shredded into leaf columns (Dremel levels) and written in batches.
 * stdout gets one JSON object: {"fields": [type descriptions], "rows": N, "metrics": [...]}.
 */
#include "floe/parquet.h"
#include "floe/value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static floe_arena *A;

static void die(const char *fmt, ...) FLOE_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_parquet: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        die("%s: %s", what, err->msg);
    }
}

/* ==== Deterministic randomness ==== */

static uint64_t rng = 0x853C49E6748FEA9Bull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static bool chance(int pct)
{
    return (int)(rnd() % 100) < pct;
}

/* ==== Schema building ==== */

static floe_pq_node *leaf(const char *name, floe_pq_repetition rep, floe_pq_type t, int32_t len,
                          floe_pq_logical lt, int32_t id)
{
    floe_pq_node *n = floe_arena_calloc(A, 1, sizeof(*n));
    *n = (floe_pq_node){.name = name,
                        .repetition = rep,
                        .is_leaf = true,
                        .type = t,
                        .type_length = len,
                        .logical = lt,
                        .converted_type = -1,
                        .has_field_id = id >= 0,
                        .field_id = id};
    return n;
}

static floe_pq_node *group(const char *name, floe_pq_repetition rep, floe_pq_logical_kind k,
                           int32_t id, size_t n, ...)
{
    floe_pq_node *g = floe_arena_calloc(A, 1, sizeof(*g));
    *g = (floe_pq_node){.name = name,
                        .repetition = rep,
                        .logical = {.kind = k},
                        .converted_type = -1,
                        .has_field_id = id >= 0,
                        .field_id = id};
    g->children = floe_arena_calloc(A, n, sizeof(floe_pq_node *));
    g->n_children = n;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        g->children[i] = va_arg(ap, floe_pq_node *);
    }
    va_end(ap);
    return g;
}

/* 3-level list (ids on the outer group and the element). */
static floe_pq_node *list_of(const char *name, floe_pq_repetition rep, int32_t id,
                             floe_pq_node *element)
{
    return group(name, rep, FLOE_PQ_LT_LIST, id, 1,
                 group("list", FLOE_PQ_REPEATED, FLOE_PQ_LT_NONE, -1, 1, element));
}

static floe_pq_node *map_of(const char *name, floe_pq_repetition rep, int32_t id, floe_pq_node *key,
                            floe_pq_node *value)
{
    return group(name, rep, FLOE_PQ_LT_MAP, id, 1,
                 group("key_value", FLOE_PQ_REPEATED, FLOE_PQ_LT_NONE, -1, 2, key, value));
}

#define LT(...) ((floe_pq_logical){__VA_ARGS__})
#define OPT FLOE_PQ_OPTIONAL
#define REQ FLOE_PQ_REQUIRED

static floe_pq_schema finish(floe_pq_node *root)
{
    floe_pq_schema s = {.root = root};
    floe_err err = {0};
    check(floe_pq_schema_finish(&s, A, &err), &err, "schema");
    return s;
}

static floe_pq_schema schema_types(void)
{
    floe_pq_logical none = {0};
    floe_pq_node *f[] = {
        leaf("b", OPT, FLOE_PQ_BOOLEAN, 0, none, 1),
        leaf("i32", OPT, FLOE_PQ_INT32, 0, none, 2),
        leaf("i64", REQ, FLOE_PQ_INT64, 0, none, 3),
        leaf("f32", OPT, FLOE_PQ_FLOAT, 0, none, 4),
        leaf("f64", OPT, FLOE_PQ_DOUBLE, 0, none, 5),
        leaf("bin", OPT, FLOE_PQ_BYTE_ARRAY, 0, none, 6),
        leaf("fix", OPT, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 5, none, 7),
        leaf("str", OPT, FLOE_PQ_BYTE_ARRAY, 0, LT(.kind = FLOE_PQ_LT_STRING), 8),
        leaf("enm", OPT, FLOE_PQ_BYTE_ARRAY, 0, LT(.kind = FLOE_PQ_LT_ENUM), 9),
        leaf("jsn", OPT, FLOE_PQ_BYTE_ARRAY, 0, LT(.kind = FLOE_PQ_LT_JSON), 10),
        leaf("uid", OPT, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 16, LT(.kind = FLOE_PQ_LT_UUID), 11),
        leaf("d32", OPT, FLOE_PQ_INT32, 0,
             LT(.kind = FLOE_PQ_LT_DECIMAL, .precision = 9, .scale = 2), 12),
        leaf("d64", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_DECIMAL, .precision = 18, .scale = 4), 13),
        leaf("dfx", OPT, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 13,
             LT(.kind = FLOE_PQ_LT_DECIMAL, .precision = 30, .scale = 5), 14),
        leaf("dba", OPT, FLOE_PQ_BYTE_ARRAY, 0,
             LT(.kind = FLOE_PQ_LT_DECIMAL, .precision = 38, .scale = 6), 15),
        leaf("dt", OPT, FLOE_PQ_INT32, 0, LT(.kind = FLOE_PQ_LT_DATE), 16),
        leaf("tms", OPT, FLOE_PQ_INT32, 0,
             LT(.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_MILLIS, .utc = true), 17),
        leaf("tus", OPT, FLOE_PQ_INT64, 0, LT(.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_MICROS),
             18),
        leaf("tns", OPT, FLOE_PQ_INT64, 0, LT(.kind = FLOE_PQ_LT_TIME, .unit = FLOE_UNIT_NANOS),
             19),
        leaf("tsms", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MILLIS), 20),
        leaf("tsus", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MICROS), 21),
        leaf("tsns", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_NANOS), 22),
        leaf("tsmsz", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MILLIS, .utc = true), 23),
        leaf("tsusz", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MICROS, .utc = true), 24),
        leaf("tsnsz", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_NANOS, .utc = true), 25),
        leaf("i8", OPT, FLOE_PQ_INT32, 0,
             LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 8, .is_signed = true), 26),
        leaf("i16", OPT, FLOE_PQ_INT32, 0,
             LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 16, .is_signed = true), 27),
        leaf("i32s", OPT, FLOE_PQ_INT32, 0,
             LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 32, .is_signed = true), 28),
        leaf("i64s", OPT, FLOE_PQ_INT64, 0,
             LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 64, .is_signed = true), 29),
        leaf("u8", OPT, FLOE_PQ_INT32, 0, LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 8), 30),
        leaf("u16", OPT, FLOE_PQ_INT32, 0, LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 16), 31),
        leaf("u32", OPT, FLOE_PQ_INT32, 0, LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 32), 32),
        leaf("u64", OPT, FLOE_PQ_INT64, 0, LT(.kind = FLOE_PQ_LT_INTEGER, .bit_width = 64), 33),
        leaf("i96", OPT, FLOE_PQ_INT96, 0, none, 34),
    };
    floe_pq_node *root = group("schema", REQ, FLOE_PQ_LT_NONE, -1, 0);
    root->children = floe_arena_memdup(A, f, sizeof(f));
    root->n_children = FLOE_ARRAY_LEN(f);
    return finish(root);
}

static floe_pq_schema schema_nested(void)
{
    floe_pq_logical none = {0}, str = {.kind = FLOE_PQ_LT_STRING};
    floe_pq_node *root = group(
        "schema", REQ, FLOE_PQ_LT_NONE, -1, 7, leaf("id", REQ, FLOE_PQ_INT64, 0, none, 1),
        group("s", OPT, FLOE_PQ_LT_NONE, 2, 2, leaf("a", OPT, FLOE_PQ_INT32, 0, none, 3),
              group("inner", OPT, FLOE_PQ_LT_NONE, 4, 2,
                    leaf("x", OPT, FLOE_PQ_BYTE_ARRAY, 0, str, 5),
                    leaf("y", REQ, FLOE_PQ_INT64, 0, none, 6))),
        list_of("l", OPT, 7, leaf("element", OPT, FLOE_PQ_INT32, 0, none, 8)),
        list_of("ls", OPT, 9,
                group("element", OPT, FLOE_PQ_LT_NONE, 10, 2,
                      leaf("k", OPT, FLOE_PQ_BYTE_ARRAY, 0, str, 11),
                      leaf("v", OPT, FLOE_PQ_DOUBLE, 0, none, 12))),
        map_of("m", OPT, 13, leaf("key", REQ, FLOE_PQ_BYTE_ARRAY, 0, str, 14),
               list_of("value", OPT, 15, leaf("element", OPT, FLOE_PQ_INT64, 0, none, 16))),
        list_of("ll", REQ, 17,
                list_of("element", OPT, 18, leaf("element", OPT, FLOE_PQ_INT32, 0, none, 19))),
        list_of("e", REQ, 20, leaf("element", REQ, FLOE_PQ_INT32, 0, none, 21)));
    return finish(root);
}

static floe_pq_schema schema_many(void)
{
    floe_pq_logical none = {0}, str = {.kind = FLOE_PQ_LT_STRING};
    floe_pq_node *root =
        group("schema", REQ, FLOE_PQ_LT_NONE, -1, 6, leaf("id", REQ, FLOE_PQ_INT64, 0, none, 1),
              leaf("ts", OPT, FLOE_PQ_INT64, 0,
                   LT(.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MICROS, .utc = true), 2),
              leaf("cat", OPT, FLOE_PQ_BYTE_ARRAY, 0, str, 3),
              leaf("amount", OPT, FLOE_PQ_INT64, 0,
                   LT(.kind = FLOE_PQ_LT_DECIMAL, .precision = 18, .scale = 2), 4),
              leaf("v", OPT, FLOE_PQ_DOUBLE, 0, none, 5),
              leaf("payload", OPT, FLOE_PQ_BYTE_ARRAY, 0, str, 6));
    return finish(root);
}

/* ==== Values ==== */

static floe_value v_null(void)
{
    return floe_value_null();
}

static floe_value v_str(const char *s)
{
    return floe_value_string(s, strlen(s));
}

static floe_value v_struct(size_t n, const floe_pq_node *g, floe_value *items)
{
    floe_value v = {.kind = FLOE_V_STRUCT};
    const char **names = floe_arena_calloc(A, n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        names[i] = g->children[i]->name;
    }
    v.u.nested.items = floe_arena_memdup(A, items, n * sizeof(floe_value));
    v.u.nested.names = names;
    v.u.nested.n = n;
    return v;
}

static floe_value v_list(size_t n, floe_value *items)
{
    floe_value v = {.kind = FLOE_V_LIST};
    v.u.nested.items = n ? floe_arena_memdup(A, items, n * sizeof(floe_value)) : NULL;
    v.u.nested.n = n;
    return v;
}

static floe_value v_map(size_t n, floe_value *kv)
{
    floe_value v = {.kind = FLOE_V_MAP};
    v.u.nested.items = n ? floe_arena_memdup(A, kv, 2 * n * sizeof(floe_value)) : NULL;
    v.u.nested.n = n;
    return v;
}

static floe_value v_bytes(floe_value_kind k, size_t len)
{
    uint8_t *p = floe_arena_alloc(A, len + 1);
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)rnd();
    }
    floe_value v = k == FLOE_V_FIXED ? floe_value_fixed(p, len) : floe_value_binary(p, len);
    return v;
}

static __int128 rnd_decimal(int digits)
{
    __int128 v = 0;
    int n = 1 + (int)(rnd() % (uint64_t)digits);
    for (int i = 0; i < n; i++) {
        v = v * 10 + (__int128)(rnd() % 10);
    }
    return chance(50) ? -v : v;
}

static __int128 max_decimal(int digits)
{
    __int128 v = 0;
    for (int i = 0; i < digits; i++) {
        v = v * 10 + 9;
    }
    return v;
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    return (int64_t)((uint64_t)lo + rnd() % span);
}

static const char *const words[] = {"alpha", "beta",      "gamma",  "δέλτα",
                                    "",      "e\"q\\u\n", "日本語", "zzz"};

/* One value for a flat leaf of the types schema; `edge` selects an extreme. */
static floe_value types_value(const floe_pq_node *n, size_t row, int edge)
{
    const floe_pq_logical *lt = &n->logical;
    switch (lt->kind) {
    case FLOE_PQ_LT_STRING:
        if (edge) {
            return v_str(edge == 1 ? "" : "\xf0\x9f\x98\x80 emoji");
        }
        return chance(30) ? v_str(floe_arena_sprintf(A, "s-%zu-%llu", row,
                                                     (unsigned long long)(rnd() % 1000)))
                          : v_str(words[rnd() % FLOE_ARRAY_LEN(words)]);
    case FLOE_PQ_LT_ENUM:
        return v_str(edge == 1 ? "RED" : edge ? "BLUE" : (rnd() % 2 ? "RED" : "GREEN"));
    case FLOE_PQ_LT_JSON:
        return v_str(floe_arena_sprintf(A, "{\"a\":%llu,\"b\":[true,null]}",
                                        (unsigned long long)(rnd() % 100)));
    case FLOE_PQ_LT_UUID: {
        uint8_t u[16];
        for (int i = 0; i < 16; i++) {
            u[i] = edge == 1 ? 0 : edge ? 0xFF : (uint8_t)rnd();
        }
        return floe_value_uuid(u);
    }
    case FLOE_PQ_LT_DECIMAL: {
        __int128 m = max_decimal(lt->precision);
        __int128 d = edge == 1 ? -m : edge ? m : rnd_decimal(lt->precision);
        return floe_value_decimal(d, lt->precision, lt->scale);
    }
    case FLOE_PQ_LT_DATE:
        return floe_value_date(edge == 1 ? -719162 /* 0001-01-01 */
                               : edge    ? 2932896 /* 9999-12-31 */
                                         : (int32_t)rnd_range(-30000, 60000));
    case FLOE_PQ_LT_TIME: {
        int64_t per_day = lt->unit == FLOE_UNIT_MILLIS   ? 86400000LL
                          : lt->unit == FLOE_UNIT_MICROS ? 86400000000LL
                                                         : 86400000000000LL;
        return floe_value_time(edge == 1 ? 0
                               : edge    ? per_day - 1
                                         : rnd_range(0, per_day - 1),
                               lt->unit);
    }
    case FLOE_PQ_LT_TIMESTAMP: {
        int64_t per_s = lt->unit == FLOE_UNIT_MILLIS   ? 1000LL
                        : lt->unit == FLOE_UNIT_MICROS ? 1000000LL
                                                       : 1000000000LL;
        /* 1900..2200 keeps every unit in range for every reader */
        int64_t lo = -2208988800LL * per_s, hi = 7258118400LL * per_s;
        int64_t v = edge == 1 ? lo : edge ? hi : rnd_range(lo, hi);
        if (lt->unit == FLOE_UNIT_NANOS && lt->utc) {
            v -= v % 1000; /* DuckDB reads this type at microsecond precision */
        }
        return floe_value_timestamp(v, lt->unit, lt->utc);
    }
    case FLOE_PQ_LT_INTEGER: {
        int bw = lt->bit_width;
        if (lt->is_signed) {
            int64_t max = bw == 64 ? INT64_MAX : ((int64_t)1 << (bw - 1)) - 1;
            int64_t min = -max - 1;
            int64_t v = edge == 1 ? min : edge ? max : (int64_t)(rnd() % 200) - 100;
            return bw == 64 ? floe_value_long(v) : floe_value_int((int32_t)v);
        }
        uint64_t max = bw == 64 ? UINT64_MAX : ((uint64_t)1 << bw) - 1;
        uint64_t v = edge == 1 ? 0 : edge ? max : rnd() % (max < 100000 ? max + 1 : 100000);
        floe_value out = bw == 64 ? floe_value_long((int64_t)v) : floe_value_int((int32_t)v);
        out.flags |= FLOE_VF_UNSIGNED;
        return out;
    }
    default:
        break;
    }
    switch (n->type) {
    case FLOE_PQ_BOOLEAN:
        return floe_value_bool(edge ? edge == 2 : rnd() % 2);
    case FLOE_PQ_INT32:
        return floe_value_int(edge == 1 ? INT32_MIN
                              : edge    ? INT32_MAX
                                        : (int32_t)(rnd() % 50) - 25);
    case FLOE_PQ_INT64:
        return floe_value_long(edge == 1 ? INT64_MIN : edge ? INT64_MAX : (int64_t)rnd());
    case FLOE_PQ_FLOAT: {
        static const float sp[] = {-0.0f, 0.0f, INFINITY, -INFINITY, 1e-45f, 3.4028235e38f};
        if (edge) {
            return floe_value_float(sp[(row + (size_t)edge) % FLOE_ARRAY_LEN(sp)]);
        }
        return floe_value_float(chance(5) ? NAN : (float)((int)(rnd() % 20000) - 10000) / 64.0f);
    }
    case FLOE_PQ_DOUBLE: {
        static const double sp[] = {-0.0, 0.0, INFINITY, -INFINITY, 5e-324, 1.7976931348623157e308};
        if (edge) {
            return floe_value_double(sp[(row + (size_t)edge) % FLOE_ARRAY_LEN(sp)]);
        }
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, 8);
        return floe_value_double(chance(3) ? NAN : isfinite(d) ? d : 0.1 * (double)row);
    }
    case FLOE_PQ_BYTE_ARRAY:
        return edge == 1 ? floe_value_binary("", 0) : v_bytes(FLOE_V_BINARY, rnd() % 12);
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        return v_bytes(FLOE_V_FIXED, (size_t)n->type_length);
    case FLOE_PQ_INT96: {
        /* legacy timestamps; whole microseconds so every reader is exact */
        int64_t us = edge == 1 ? -2208988800000000LL
                     : edge    ? 7258118400000000LL
                               : rnd_range(-2208988800000000LL, 7258118400000000LL);
        return floe_value_timestamp(us * 1000, FLOE_UNIT_NANOS, false);
    }
    default:
        return v_null();
    }
}

static floe_value row_types(const floe_pq_schema *s, size_t row)
{
    const floe_pq_node *root = s->root;
    floe_value *f = floe_arena_calloc(A, root->n_children, sizeof(floe_value));
    int edge = row < 6 ? (int)(row % 2) + 1 : 0; /* rows 0..5 carry min/max extremes */
    for (size_t i = 0; i < root->n_children; i++) {
        const floe_pq_node *n = root->children[i];
        bool null = n->repetition == OPT && (row >= 6 ? chance(15) : row == 5);
        f[i] = null ? v_null() : types_value(n, row, edge);
    }
    return v_struct(root->n_children, root, f);
}

static floe_value rnd_int32_list(int max_len, int null_pct)
{
    int n = (int)(rnd() % (uint64_t)(max_len + 1));
    floe_value items[16];
    for (int i = 0; i < n; i++) {
        items[i] = chance(null_pct) ? v_null() : floe_value_int((int32_t)(rnd() % 1000) - 500);
    }
    return v_list((size_t)n, items);
}

static floe_value row_nested(const floe_pq_schema *s, size_t row)
{
    const floe_pq_node *root = s->root;
    floe_value f[7];
    f[0] = floe_value_long((int64_t)row);
    /* s: struct { a, inner { x, y } } */
    const floe_pq_node *sn = root->children[1];
    if (chance(20)) {
        f[1] = v_null();
    } else {
        floe_value in[2];
        in[0] = chance(30) ? v_null() : floe_value_int((int32_t)rnd());
        if (chance(30)) {
            in[1] = v_null();
        } else {
            floe_value xy[2] = {chance(30) ? v_null() : v_str(words[rnd() % 8]),
                                floe_value_long((int64_t)rnd())};
            in[1] = v_struct(2, sn->children[1], xy);
        }
        f[1] = v_struct(2, sn, in);
    }
    /* l: list<int32> */
    f[2] = chance(20) ? v_null() : rnd_int32_list(5, 25);
    /* ls: list<struct{k, v}> */
    if (chance(20)) {
        f[3] = v_null();
    } else {
        const floe_pq_node *el = root->children[3]->children[0]->children[0];
        int n = (int)(rnd() % 4);
        floe_value items[4];
        for (int i = 0; i < n; i++) {
            if (chance(20)) {
                items[i] = v_null();
                continue;
            }
            floe_value kv[2] = {chance(20) ? v_null() : v_str(words[rnd() % 8]),
                                chance(20) ? v_null() : floe_value_double((double)rnd() / 7.0)};
            items[i] = v_struct(2, el, kv);
        }
        f[3] = v_list((size_t)n, items);
    }
    /* m: map<string, list<int64>> */
    if (chance(20)) {
        f[4] = v_null();
    } else {
        int n = (int)(rnd() % 4);
        floe_value kv[8];
        for (int i = 0; i < n; i++) {
            kv[2 * i] = v_str(floe_arena_sprintf(A, "k%d", i));
            if (chance(25)) {
                kv[2 * i + 1] = v_null();
            } else {
                int m = (int)(rnd() % 3);
                floe_value items[3];
                for (int j = 0; j < m; j++) {
                    items[j] = chance(20) ? v_null() : floe_value_long((int64_t)rnd());
                }
                kv[2 * i + 1] = v_list((size_t)m, items);
            }
        }
        f[4] = v_map((size_t)n, kv);
    }
    /* ll: required list<optional list<optional int32>> */
    {
        int n = (int)(rnd() % 4);
        floe_value items[4];
        for (int i = 0; i < n; i++) {
            items[i] = chance(25) ? v_null() : rnd_int32_list(3, 20);
        }
        f[5] = v_list((size_t)n, items);
    }
    /* e: required list<required int32>, often empty */
    f[6] = rnd_int32_list(chance(60) ? 0 : 4, 0);
    return v_struct(7, root, f);
}

static floe_value row_many(const floe_pq_schema *s, size_t row)
{
    static const char *const cats[] = {"books", "music", "garden", "toys", "food", "tools"};
    floe_value f[6];
    f[0] = floe_value_long(1000000 + (int64_t)row);
    f[1] = chance(2) ? v_null()
                     : floe_value_timestamp(1700000000000000LL + (int64_t)row * 1000 +
                                                (int64_t)(rnd() % 1000),
                                            FLOE_UNIT_MICROS, true);
    f[2] = chance(5) ? v_null() : v_str(cats[rnd() % 6]);
    f[3] = chance(5) ? v_null() : floe_value_decimal((__int128)(rnd() % 10000000), 18, 2);
    f[4] = chance(5) ? v_null() : floe_value_double((double)(rnd() % 100000) / 100.0);
    /* a third unique, the rest two repeated texts: dictionary-friendly at first, then the
     * dictionary fills up */
    f[5] =
        chance(5) ? v_null()
        : row % 3
            ? v_str(row % 3 == 1 ? "lorem ipsum dolor sit amet" : "consectetur")
            : v_str(floe_arena_sprintf(A, "payload %zu %016llx", row, (unsigned long long)rnd()));
    return v_struct(6, s->root, f);
}

/* ==== Shredding rows into leaf columns ==== */

static size_t slot_width(floe_pq_type t)
{
    switch (t) {
    case FLOE_PQ_BOOLEAN:
        return 1;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        return 4;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        return 8;
    default:
        return sizeof(floe_pq_bytes);
    }
}

typedef struct col_buf {
    const floe_pq_node *leaf;
    floe_vec def, rep; /* int16_t */
    floe_vec vals;     /* slot-aligned: uint8_t / int32_t / int64_t / float / double / bytes */
} col_buf;

static void put_slot(col_buf *c, int16_t d, int16_t r, const floe_value *v)
{
    floe_vec_push_copy(&c->def, &d);
    floe_vec_push_copy(&c->rep, &r);
    const floe_pq_node *n = c->leaf;
    union {
        uint8_t b;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        floe_pq_bytes bytes;
    } x;
    memset(&x, 0, sizeof(x));
    if (v != NULL) {
        const floe_pq_logical *lt = &n->logical;
        switch (n->type) {
        case FLOE_PQ_BOOLEAN:
            x.b = v->u.b;
            break;
        case FLOE_PQ_INT32:
            x.i32 = lt->kind == FLOE_PQ_LT_DECIMAL ? (int32_t)v->u.dec
                    : v->kind == FLOE_V_TIME       ? (int32_t)v->u.i64
                                                   : v->u.i32;
            break;
        case FLOE_PQ_INT64:
            x.i64 = lt->kind == FLOE_PQ_LT_DECIMAL ? (int64_t)v->u.dec : v->u.i64;
            break;
        case FLOE_PQ_FLOAT:
            x.f32 = v->u.f32;
            break;
        case FLOE_PQ_DOUBLE:
            x.f64 = v->u.f64;
            break;
        case FLOE_PQ_INT96: {
            /* nanoseconds of the day (8 bytes LE), then the Julian day (4 bytes LE) */
            int64_t ns = v->u.i64, day = ns / 86400000000000LL;
            if (ns % 86400000000000LL < 0) {
                day--;
            }
            int64_t nod = ns - day * 86400000000000LL;
            uint8_t *p = floe_arena_alloc(A, 12);
            floe_store_u64le(p, (uint64_t)nod);
            floe_store_u32le(p + 8, (uint32_t)(day + 2440588));
            x.bytes = (floe_pq_bytes){p, 12};
            break;
        }
        case FLOE_PQ_BYTE_ARRAY:
        case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
            if (lt->kind == FLOE_PQ_LT_DECIMAL) {
                /* big-endian two's complement: the type's width, or the fewest bytes */
                size_t len = n->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY ? (size_t)n->type_length : 1;
                if (n->type == FLOE_PQ_BYTE_ARRAY) {
                    while (len < 16) {
                        __int128 lim = (__int128)1 << (8 * len - 1);
                        if (v->u.dec >= -lim && v->u.dec < lim) {
                            break;
                        }
                        len++;
                    }
                }
                uint8_t *p = floe_arena_alloc(A, len);
                __int128 u = v->u.dec;
                for (size_t k = 0; k < len; k++) {
                    p[len - 1 - k] = (uint8_t)(u & 0xFF);
                    u >>= 8;
                }
                x.bytes = (floe_pq_bytes){p, (uint32_t)len};
            } else if (v->kind == FLOE_V_UUID) {
                x.bytes = (floe_pq_bytes){floe_arena_memdup(A, v->u.uuid, 16), 16};
            } else {
                x.bytes = (floe_pq_bytes){v->u.bytes.ptr, (uint32_t)v->u.bytes.len};
            }
            break;
        default:
            die("unsupported leaf type");
        }
    }
    memcpy(floe_vec_push(&c->vals), &x, slot_width(n->type));
}

/* Emit the slots of leaf `c` for value `v` at node `path[j]` (def/rep as described in 3.6). */
static void shred(col_buf *c, const floe_pq_node *const *path, size_t depth, size_t j,
                  const floe_value *v, int16_t def, int16_t rep)
{
    const floe_pq_node *n = path[j];
    if (v == NULL || v->kind == FLOE_V_NULL) {
        if (n->repetition == REQ) {
            die("null value for required field '%s'", n->name);
        }
        put_slot(c, def, rep, NULL);
        return;
    }
    int16_t d = (int16_t)(def + (n->repetition == OPT ? 1 : 0));
    if (n->is_leaf) {
        put_slot(c, d, rep, v);
        return;
    }
    if (n->logical.kind == FLOE_PQ_LT_LIST || n->logical.kind == FLOE_PQ_LT_MAP) {
        const floe_pq_node *r = n->children[0]; /* the repeated group */
        bool is_map = n->logical.kind == FLOE_PQ_LT_MAP;
        size_t items = v->u.nested.n;
        if (items == 0) {
            put_slot(c, d, rep, NULL);
            return;
        }
        /* path[j + 1] is r; path[j + 2] the element, key or value */
        size_t which = 0;
        if (is_map) {
            which = path[j + 2] == r->children[0] ? 0 : 1;
        }
        for (size_t i = 0; i < items; i++) {
            int16_t ir = i == 0 ? rep : r->max_rep;
            const floe_value *item =
                is_map ? &v->u.nested.items[2 * i + which] : &v->u.nested.items[i];
            shred(c, path, depth, j + 2, item, (int16_t)(d + 1), ir);
        }
        return;
    }
    /* a struct: follow the child on the path */
    const floe_pq_node *next = path[j + 1];
    for (size_t i = 0; i < n->n_children; i++) {
        if (n->children[i] == next) {
            shred(c, path, depth, j + 1, &v->u.nested.items[i], d, rep);
            return;
        }
    }
    die("path not found");
}

static void shred_row(col_buf *cols, const floe_pq_schema *s, const floe_value *row)
{
    for (size_t k = 0; k < s->n_leaves; k++) {
        const floe_pq_node *path[64];
        size_t depth = 0;
        for (const floe_pq_node *n = s->leaves[k]; n->parent != NULL; n = n->parent) {
            depth++;
        }
        size_t i = depth;
        for (const floe_pq_node *n = s->leaves[k]; n->parent != NULL; n = n->parent) {
            path[--i] = n;
        }
        const floe_pq_node *top = path[0];
        size_t idx = 0;
        while (s->root->children[idx] != top) {
            idx++;
        }
        shred(&cols[k], path, depth, 0, &row->u.nested.items[idx], 0, 0);
    }
}

/* ==== Type descriptions for the JavaScript side ==== */

static void describe(FILE *out, const floe_pq_node *n)
{
    const floe_pq_logical *lt = &n->logical;
    fprintf(out, "{\"name\":\"%s\"", n->name);
    if (n->has_field_id) {
        fprintf(out, ",\"id\":%d", n->field_id);
    }
    if (!n->is_leaf) {
        if (lt->kind == FLOE_PQ_LT_LIST) {
            fputs(",\"kind\":\"list\",\"element\":", out);
            describe(out, n->children[0]->children[0]);
        } else if (lt->kind == FLOE_PQ_LT_MAP) {
            fputs(",\"kind\":\"map\",\"key\":", out);
            describe(out, n->children[0]->children[0]);
            fputs(",\"value\":", out);
            describe(out, n->children[0]->children[1]);
        } else {
            fputs(",\"kind\":\"struct\",\"fields\":[", out);
            for (size_t i = 0; i < n->n_children; i++) {
                if (i > 0) {
                    fputc(',', out);
                }
                describe(out, n->children[i]);
            }
            fputc(']', out);
        }
        fputc('}', out);
        return;
    }
    static const char *const units[] = {"millis", "micros", "nanos"};
    fprintf(out, ",\"physical\":\"%s\"", floe_pq_type_name(n->type));
    switch (lt->kind) {
    case FLOE_PQ_LT_STRING:
        fputs(",\"kind\":\"string\"", out);
        break;
    case FLOE_PQ_LT_ENUM:
        fputs(",\"kind\":\"enum\"", out);
        break;
    case FLOE_PQ_LT_JSON:
        fputs(",\"kind\":\"json\"", out);
        break;
    case FLOE_PQ_LT_UUID:
        fputs(",\"kind\":\"uuid\"", out);
        break;
    case FLOE_PQ_LT_DECIMAL:
        fprintf(out, ",\"kind\":\"decimal\",\"precision\":%d,\"scale\":%d", lt->precision,
                lt->scale);
        break;
    case FLOE_PQ_LT_DATE:
        fputs(",\"kind\":\"date\"", out);
        break;
    case FLOE_PQ_LT_TIME:
        fprintf(out, ",\"kind\":\"time\",\"unit\":\"%s\",\"utc\":%s", units[lt->unit],
                lt->utc ? "true" : "false");
        break;
    case FLOE_PQ_LT_TIMESTAMP:
        fprintf(out, ",\"kind\":\"timestamp\",\"unit\":\"%s\",\"utc\":%s", units[lt->unit],
                lt->utc ? "true" : "false");
        break;
    case FLOE_PQ_LT_INTEGER:
        fprintf(out, ",\"kind\":\"int\",\"bits\":%d,\"signed\":%s", lt->bit_width,
                lt->is_signed ? "true" : "false");
        break;
    default: {
        static const char *const kinds[] = {"boolean", "int32",  "int64",  "int96",
                                            "float",   "double", "binary", "fixed"};
        fprintf(out, ",\"kind\":\"%s\"", kinds[n->type]);
        break;
    }
    }
    fputc('}', out);
}

/* ==== Main ==== */

static size_t parse_size(const char *s)
{
    uint64_t v;
    floe_err err = {0};
    check(floe_parse_size(s, &v, &err), &err, "size");
    return (size_t)v;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        die("usage: gen_parquet CASE OUT [options]");
    }
    const char *kase = argv[1], *path = argv[2], *expect = NULL;
    size_t rows = 0, batch = 1000;
    floe_pq_write_opts o = floe_pq_write_opts_default();
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        floe_err err = {0};
        if (strcmp(a, "--rows") == 0 && val) {
            rows = parse_size(val);
            i++;
        } else if (strcmp(a, "--codec") == 0 && val) {
            check(floe_pq_codec_parse(val, &o.codec, &err), &err, "codec");
            i++;
        } else if (strcmp(a, "--v2") == 0) {
            o.data_page_v2 = true;
        } else if (strcmp(a, "--no-dict") == 0) {
            o.disable_dictionary = true;
        } else if (strcmp(a, "--no-page-index") == 0) {
            o.disable_page_index = true;
        } else if (strcmp(a, "--no-stats") == 0) {
            o.disable_statistics = true;
        } else if (strcmp(a, "--page-stats") == 0) {
            o.page_statistics = true;
        } else if (strcmp(a, "--page-size") == 0 && val) {
            o.page_size = parse_size(val);
            i++;
        } else if (strcmp(a, "--row-group-size") == 0 && val) {
            o.row_group_size = parse_size(val);
            i++;
        } else if (strcmp(a, "--dict-limit") == 0 && val) {
            o.dictionary_page_limit = parse_size(val);
            i++;
        } else if (strcmp(a, "--batch") == 0 && val) {
            batch = parse_size(val);
            i++;
        } else if (strcmp(a, "--expect") == 0 && val) {
            expect = val;
            i++;
        } else {
            die("unknown option '%s'", a);
        }
    }
    A = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_pq_schema s;
    floe_value (*make_row)(const floe_pq_schema *, size_t);
    if (strcmp(kase, "types") == 0 || strcmp(kase, "empty") == 0) {
        s = schema_types();
        make_row = row_types;
        rows = strcmp(kase, "empty") == 0 ? 0 : rows ? rows : 500;
    } else if (strcmp(kase, "nested") == 0) {
        s = schema_nested();
        make_row = row_nested;
        rows = rows ? rows : 1000;
    } else if (strcmp(kase, "many") == 0) {
        s = schema_many();
        make_row = row_many;
        rows = rows ? rows : 20000;
    } else {
        die("unknown case '%s'", kase);
    }
    batch = batch ? batch : 1000;

    FILE *ef = NULL;
    if (expect != NULL) {
        ef = fopen(expect, "w");
        if (ef == NULL) {
            die("cannot write %s", expect);
        }
    }
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_output *out;
    check(floe_io_create(io, path, FLOE_IO_CREATE_OVERWRITE, &out, &err), &err, path);
    floe_pq_writer *w;
    check(floe_pq_writer_new(out, &s, &o, &w, &err), &err, "writer");

    col_buf *cols = floe_xcalloc(s.n_leaves, sizeof(col_buf));
    floe_pq_column *pc = floe_xcalloc(s.n_leaves, sizeof(floe_pq_column));
    floe_buf json;
    floe_buf_init(&json, 0);
    size_t done = 0;
    while (done < rows) {
        size_t n = rows - done < batch ? rows - done : batch;
        for (size_t k = 0; k < s.n_leaves; k++) {
            cols[k].leaf = s.leaves[k];
            floe_vec_init(&cols[k].def, sizeof(int16_t));
            floe_vec_init(&cols[k].rep, sizeof(int16_t));
            floe_vec_init(&cols[k].vals, slot_width(s.leaves[k]->type));
        }
        for (size_t r = 0; r < n; r++) {
            floe_value row = make_row(&s, done + r);
            if (ef != NULL) {
                floe_buf_reset(&json);
                check(floe_value_to_json(&row, &json, &err), &err, "json");
                fprintf(ef, "%s\n", json.data);
            }
            shred_row(cols, &s, &row);
        }
        for (size_t k = 0; k < s.n_leaves; k++) {
            const floe_pq_node *lf = s.leaves[k];
            pc[k] = (floe_pq_column){.leaf = lf,
                                     .n = cols[k].def.n,
                                     .def = lf->max_def ? cols[k].def.data : NULL,
                                     .rep = lf->max_rep ? cols[k].rep.data : NULL};
            pc[k].v.b = cols[k].vals.data;
        }
        floe_pq_batch b = {.n_rows = n, .columns = pc, .n_columns = s.n_leaves};
        check(floe_pq_writer_write(w, &b, &err), &err, "write");
        for (size_t k = 0; k < s.n_leaves; k++) {
            floe_vec_fini(&cols[k].def);
            floe_vec_fini(&cols[k].rep);
            floe_vec_fini(&cols[k].vals);
        }
        done += n;
    }
    floe_pq_write_result res;
    check(floe_pq_writer_close(w, &res, &err), &err, "close");
    check(floe_output_commit(out, &err), &err, "commit");
    if (ef != NULL) {
        fclose(ef);
    }

    printf("{\"rows\":%zu,\"file_size\":%llu,\"row_groups\":%zu,\"fields\":[", rows,
           (unsigned long long)res.file_size, res.n_row_groups);
    for (size_t i = 0; i < s.root->n_children; i++) {
        if (i > 0) {
            putchar(',');
        }
        describe(stdout, s.root->children[i]);
    }
    printf("],\"metrics\":[");
    for (size_t k = 0; k < res.n_columns; k++) {
        const floe_pq_column_metrics *m = &res.columns[k];
        floe_buf_reset(&json);
        if (m->has_bounds) {
            floe_buf_append_str(&json, "\"lower\":", NULL);
            floe_value_to_json(&m->lower, &json, NULL);
            floe_buf_append_str(&json, ",\"upper\":", NULL);
            floe_value_to_json(&m->upper, &json, NULL);
            floe_buf_append_str(&json, ",", NULL);
        }
        printf("%s{\"leaf\":\"%s\",%s\"values\":%lld,\"nulls\":%lld,\"nans\":%lld,"
               "\"size\":%llu}",
               k ? "," : "", m->leaf->name, json.data ? json.data : "", (long long)m->value_count,
               (long long)m->null_count, m->has_nan_count ? (long long)m->nan_count : -1LL,
               (unsigned long long)m->compressed_size);
    }
    printf("],\"split_offsets\":[");
    for (size_t g = 0; g < res.n_row_groups; g++) {
        printf("%s%lld", g ? "," : "", (long long)res.row_group_offsets[g]);
    }
    printf("]}\n");
    floe_buf_fini(&json);
    free(cols);
    free(pc);
    floe_pq_writer_free(w);
    floe_fileio_free(io);
    floe_arena_free(A);
    return 0;
}
