/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed values: constructors, Iceberg ordering and equality, and the canonical JSON form
 * shared by every command that prints rows.
 */
#include "floe/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== Constructors ==== */

static floe_value make(floe_value_kind k)
{
    floe_value v;
    memset(&v, 0, sizeof(v));
    v.kind = (uint8_t)k;
    return v;
}

floe_value floe_value_null(void)
{
    return make(FLOE_V_NULL);
}

floe_value floe_value_bool(bool b)
{
    floe_value v = make(FLOE_V_BOOL);
    v.u.b = b;
    return v;
}

floe_value floe_value_int(int32_t x)
{
    floe_value v = make(FLOE_V_INT);
    v.u.i32 = x;
    return v;
}

floe_value floe_value_long(int64_t x)
{
    floe_value v = make(FLOE_V_LONG);
    v.u.i64 = x;
    return v;
}

floe_value floe_value_float(float x)
{
    floe_value v = make(FLOE_V_FLOAT);
    v.u.f32 = x;
    return v;
}

floe_value floe_value_double(double x)
{
    floe_value v = make(FLOE_V_DOUBLE);
    v.u.f64 = x;
    return v;
}

floe_value floe_value_decimal(__int128 unscaled, int precision, int scale)
{
    floe_value v = make(FLOE_V_DECIMAL);
    v.u.dec = unscaled;
    v.precision = (uint8_t)precision;
    v.scale = scale;
    return v;
}

floe_value floe_value_date(int32_t days)
{
    floe_value v = make(FLOE_V_DATE);
    v.u.i32 = days;
    return v;
}

floe_value floe_value_time(int64_t x, floe_time_unit unit)
{
    floe_value v = make(FLOE_V_TIME);
    v.u.i64 = x;
    v.unit = (uint8_t)unit;
    return v;
}

floe_value floe_value_timestamp(int64_t x, floe_time_unit unit, bool utc)
{
    floe_value v = make(FLOE_V_TIMESTAMP);
    v.u.i64 = x;
    v.unit = (uint8_t)unit;
    v.flags = utc ? FLOE_VF_UTC : 0;
    return v;
}

static floe_value make_bytes(floe_value_kind k, const void *p, size_t len)
{
    floe_value v = make(k);
    v.u.bytes.ptr = p;
    v.u.bytes.len = len;
    return v;
}

floe_value floe_value_string(const char *p, size_t len)
{
    return make_bytes(FLOE_V_STRING, p, len);
}

floe_value floe_value_binary(const void *p, size_t len)
{
    return make_bytes(FLOE_V_BINARY, p, len);
}

floe_value floe_value_fixed(const void *p, size_t len)
{
    return make_bytes(FLOE_V_FIXED, p, len);
}

floe_value floe_value_uuid(const uint8_t bytes[16])
{
    floe_value v = make(FLOE_V_UUID);
    memcpy(v.u.uuid, bytes, 16);
    return v;
}

/* ==== Ordering ==== */

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

/* Iceberg float order: -NaN < -Inf < ... < -0 < +0 < ... < +Inf < NaN; NaN sign ignored here. */
static int cmp_double(double a, double b)
{
    bool an = isnan(a), bn = isnan(b);
    if (an || bn) {
        return an - bn;
    }
    if (a == 0 && b == 0) {
        return (int)!signbit(a) - (int)!signbit(b);
    }
    return (a > b) - (a < b);
}

static int cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return (alen > blen) - (alen < blen);
}

/* Compare a * 10^sa with b * 10^sb without overflow where possible. */
static int cmp_decimal(__int128 a, int sa, __int128 b, int sb)
{
    if ((a < 0) != (b < 0)) {
        return a < 0 ? -1 : 1;
    }
    while (sa < sb) {
        if (a > ((__int128)1 << 120) || a < -((__int128)1 << 120)) {
            break; /* magnitudes differ enough that unscaled order decides */
        }
        a *= 10;
        sa++;
    }
    while (sb < sa) {
        if (b > ((__int128)1 << 120) || b < -((__int128)1 << 120)) {
            break;
        }
        b *= 10;
        sb++;
    }
    return (a > b) - (a < b);
}

int floe_value_cmp(const floe_value *a, const floe_value *b)
{
    if (a->kind != b->kind) {
        return (a->kind > b->kind) - (a->kind < b->kind);
    }
    switch ((floe_value_kind)a->kind) {
    case FLOE_V_NULL:
        return 0;
    case FLOE_V_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case FLOE_V_INT:
    case FLOE_V_DATE:
        if (a->flags & FLOE_VF_UNSIGNED) {
            return cmp_u64((uint32_t)a->u.i32, (uint32_t)b->u.i32);
        }
        return cmp_i64(a->u.i32, b->u.i32);
    case FLOE_V_LONG:
    case FLOE_V_TIME:
    case FLOE_V_TIMESTAMP:
        if (a->flags & FLOE_VF_UNSIGNED) {
            return cmp_u64((uint64_t)a->u.i64, (uint64_t)b->u.i64);
        }
        return cmp_i64(a->u.i64, b->u.i64);
    case FLOE_V_FLOAT:
        return cmp_double(a->u.f32, b->u.f32);
    case FLOE_V_DOUBLE:
        return cmp_double(a->u.f64, b->u.f64);
    case FLOE_V_DECIMAL:
        return cmp_decimal(a->u.dec, a->scale, b->u.dec, b->scale);
    case FLOE_V_STRING:
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return cmp_bytes(a->u.bytes.ptr, a->u.bytes.len, b->u.bytes.ptr, b->u.bytes.len);
    case FLOE_V_UUID:
        return cmp_bytes(a->u.uuid, 16, b->u.uuid, 16);
    case FLOE_V_STRUCT:
    case FLOE_V_LIST:
    case FLOE_V_MAP: {
        size_t na = a->u.nested.n, nb = b->u.nested.n;
        size_t items_a = a->kind == FLOE_V_MAP ? 2 * na : na;
        size_t items_b = b->kind == FLOE_V_MAP ? 2 * nb : nb;
        size_t n = items_a < items_b ? items_a : items_b;
        for (size_t i = 0; i < n; i++) {
            int c = floe_value_cmp(&a->u.nested.items[i], &b->u.nested.items[i]);
            if (c != 0) {
                return c;
            }
        }
        return (items_a > items_b) - (items_a < items_b);
    }
    }
    return 0;
}

bool floe_value_eq(const floe_value *a, const floe_value *b)
{
    if (a->kind == FLOE_V_FLOAT || a->kind == FLOE_V_DOUBLE) {
        if (a->kind != b->kind) {
            return false;
        }
        double x = a->kind == FLOE_V_FLOAT ? a->u.f32 : a->u.f64;
        double y = b->kind == FLOE_V_FLOAT ? b->u.f32 : b->u.f64;
        if (isnan(x) || isnan(y)) {
            return isnan(x) && isnan(y);
        }
        return x == y; /* -0 == +0 */
    }
    return floe_value_cmp(a, b) == 0;
}

uint64_t floe_value_hash(const floe_value *v, uint64_t seed)
{
    uint64_t h = seed ^ (uint64_t)v->kind * UINT64_C(0x9E3779B97F4A7C15);
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_NULL:
        return h;
    case FLOE_V_BOOL:
        return floe_xxh64(&v->u.b, 1, h);
    case FLOE_V_INT:
    case FLOE_V_DATE:
        return floe_xxh64(&v->u.i32, 4, h);
    case FLOE_V_LONG:
    case FLOE_V_TIME:
    case FLOE_V_TIMESTAMP:
        return floe_xxh64(&v->u.i64, 8, h);
    case FLOE_V_FLOAT:
    case FLOE_V_DOUBLE: {
        double d = v->kind == FLOE_V_FLOAT ? v->u.f32 : v->u.f64;
        if (d == 0) {
            d = 0; /* -0 and +0 hash alike */
        }
        if (isnan(d)) {
            d = NAN;
        }
        return floe_xxh64(&d, sizeof(d), h);
    }
    case FLOE_V_DECIMAL: {
        /* Normalise away trailing zeros so 1.50 and 1.5 hash alike. */
        __int128 x = v->u.dec;
        int s = v->scale;
        while (s > 0 && x % 10 == 0) {
            x /= 10;
            s--;
        }
        h = floe_xxh64(&s, sizeof(s), h);
        return floe_xxh64(&x, sizeof(x), h);
    }
    case FLOE_V_STRING:
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return floe_xxh64(v->u.bytes.ptr, v->u.bytes.len, h);
    case FLOE_V_UUID:
        return floe_xxh64(v->u.uuid, 16, h);
    case FLOE_V_STRUCT:
    case FLOE_V_LIST:
    case FLOE_V_MAP: {
        size_t n = v->kind == FLOE_V_MAP ? 2 * v->u.nested.n : v->u.nested.n;
        for (size_t i = 0; i < n; i++) {
            h = floe_value_hash(&v->u.nested.items[i], h);
        }
        return h;
    }
    }
    return h;
}

/* ==== Text formats ==== */

size_t floe_format_decimal(__int128 unscaled, int scale, char *out)
{
    char digits[48];
    size_t nd = 0;
    bool neg = unscaled < 0;
    /* Work on the magnitude as unsigned so INT128_MIN does not overflow. */
    unsigned __int128 m =
        neg ? (unsigned __int128)0 - (unsigned __int128)unscaled : (unsigned __int128)unscaled;
    do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m != 0);
    size_t o = 0;
    if (neg) {
        out[o++] = '-';
    }
    if (scale <= 0) {
        for (size_t i = nd; i > 0; i--) {
            out[o++] = digits[i - 1];
        }
        for (int i = 0; i < -scale && o < FLOE_VALUE_TEXT_MAX - 1; i++) {
            out[o++] = '0';
        }
        out[o] = '\0';
        return o;
    }
    size_t sc = (size_t)scale;
    if (nd <= sc) {
        out[o++] = '0';
        out[o++] = '.';
        for (size_t i = nd; i < sc; i++) {
            out[o++] = '0';
        }
        for (size_t i = nd; i > 0; i--) {
            out[o++] = digits[i - 1];
        }
    } else {
        for (size_t i = nd; i > sc; i--) {
            out[o++] = digits[i - 1];
        }
        out[o++] = '.';
        for (size_t i = sc; i > 0; i--) {
            out[o++] = digits[i - 1];
        }
    }
    out[o] = '\0';
    return o;
}

static int64_t floor_div64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static size_t format_ymd(int64_t days, char *out)
{
    int64_t y;
    int m, d;
    floe_civil_from_days(days, &y, &m, &d);
    int n;
    if (y >= 0 && y <= 9999) {
        n = snprintf(out, FLOE_VALUE_TEXT_MAX, "%04d-%02d-%02d", (int)y, m, d);
    } else {
        n = snprintf(out, FLOE_VALUE_TEXT_MAX, "%+05lld-%02d-%02d", (long long)y, m, d);
    }
    return n < 0 ? 0 : (size_t)n;
}

size_t floe_format_date(int32_t days, char *out)
{
    return format_ymd(days, out);
}

static int64_t unit_per_sec(floe_time_unit unit)
{
    return unit == FLOE_UNIT_MILLIS ? 1000 : unit == FLOE_UNIT_NANOS ? 1000000000 : 1000000;
}

/* "HH:MM:SS.ffffff" (or 9 fraction digits for nanos) for `v` units since midnight, v >= 0. */
static size_t format_hms(int64_t v, floe_time_unit unit, char *out)
{
    int64_t per = unit_per_sec(unit);
    int64_t secs = floor_div64(v, per);
    int64_t frac = v - secs * per;
    int64_t h = secs / 3600, mi = secs / 60 % 60, s = secs % 60;
    int n;
    if (unit == FLOE_UNIT_NANOS) {
        n = snprintf(out, FLOE_VALUE_TEXT_MAX, "%02lld:%02lld:%02lld.%09lld", (long long)h,
                     (long long)mi, (long long)s, (long long)frac);
    } else {
        int64_t us = unit == FLOE_UNIT_MILLIS ? frac * 1000 : frac;
        n = snprintf(out, FLOE_VALUE_TEXT_MAX, "%02lld:%02lld:%02lld.%06lld", (long long)h,
                     (long long)mi, (long long)s, (long long)us);
    }
    return n < 0 ? 0 : (size_t)n;
}

size_t floe_format_time(int64_t v, floe_time_unit unit, char *out)
{
    return format_hms(v, unit, out);
}

size_t floe_format_timestamp(int64_t v, floe_time_unit unit, bool utc, char *out)
{
    int64_t per_day = unit_per_sec(unit) * 86400;
    int64_t days = floor_div64(v, per_day);
    int64_t rem = v - days * per_day;
    size_t o = format_ymd(days, out);
    out[o++] = 'T';
    o += format_hms(rem, unit, out + o);
    if (utc) {
        memcpy(out + o, "+00:00", 7);
        o += 6;
    }
    return o;
}

/* ==== JSON ==== */

static floe_status append(floe_buf *out, const char *s, size_t n, floe_err *err)
{
    return floe_buf_append(out, s, n, err);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes are not valid UTF-8. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (p[i] & 0x3f);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

floe_status floe_json_append_string(floe_buf *out, const char *s, size_t len, floe_err *err)
{
    const uint8_t *p = (const uint8_t *)s;
    floe_status st = floe_buf_reserve(out, len + 2, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = append(out, "\"", 1, err);
    size_t i = 0;
    while (st == FLOE_OK && i < len) {
        /* Copy a run of bytes that need no escaping in one go. */
        size_t j = i;
        while (j < len && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\') {
            j++;
        }
        if (j > i) {
            st = append(out, s + i, j - i, err);
            i = j;
            continue;
        }
        uint8_t c = p[i];
        char esc[8];
        switch (c) {
        case '"':
            st = append(out, "\\\"", 2, err);
            i++;
            continue;
        case '\\':
            st = append(out, "\\\\", 2, err);
            i++;
            continue;
        case '\n':
            st = append(out, "\\n", 2, err);
            i++;
            continue;
        case '\r':
            st = append(out, "\\r", 2, err);
            i++;
            continue;
        case '\t':
            st = append(out, "\\t", 2, err);
            i++;
            continue;
        case '\b':
            st = append(out, "\\b", 2, err);
            i++;
            continue;
        case '\f':
            st = append(out, "\\f", 2, err);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            st = append(out, esc, 6, err);
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            st = append(out, "\xef\xbf\xbd", 3, err); /* U+FFFD for each invalid byte */
            i++;
        } else {
            st = append(out, s + i, n, err);
            i += n;
        }
    }
    if (st == FLOE_OK) {
        st = append(out, "\"", 1, err);
    }
    return st;
}

/*
 * Shortest round-trip digits: the fewest significant digits d1..dk and decimal exponent e
 * (value = 0.d1..dk * 10^e) whose correctly rounded decimal reads back as exactly `v`.
 */
static void shortest_digits(double v, bool is_float, char *digits, int *ndigits, int *point)
{
    char buf[40];
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
        bool same = is_float ? (strtof(buf, NULL) == (float)v) : (strtod(buf, NULL) == v);
        if (same || p == maxp) {
            break;
        }
    }
    /* buf = "d.ddde[+-]XX": collect digits, drop trailing zeros, read the exponent. */
    int k = 0;
    const char *q = buf;
    for (; *q && *q != 'e'; q++) {
        if (*q >= '0' && *q <= '9') {
            digits[k++] = *q;
        }
    }
    while (k > 1 && digits[k - 1] == '0') {
        k--;
    }
    digits[k] = '\0';
    int exp10 = (int)strtol(q + 1, NULL, 10); /* "e+XX" from snprintf: always well formed */
    *ndigits = k;
    *point = exp10 + 1;
}

floe_status floe_json_append_double(floe_buf *out, double v, bool is_float, floe_err *err)
{
    if (isnan(v)) {
        return append(out, "\"NaN\"", 5, err);
    }
    if (isinf(v)) {
        return v > 0 ? append(out, "\"Infinity\"", 10, err) : append(out, "\"-Infinity\"", 11, err);
    }
    if (v == 0) {
        return signbit(v) ? append(out, "-0", 2, err) : append(out, "0", 1, err);
    }
    char text[64];
    size_t o = 0;
    if (v < 0) {
        text[o++] = '-';
        v = -v;
    }
    char digits[24];
    int k, n;
    shortest_digits(v, is_float, digits, &k, &n);
    /* ECMAScript Number::toString layout (k digits, decimal point after n of them). */
    if (k <= n && n <= 21) {
        memcpy(text + o, digits, (size_t)k);
        o += (size_t)k;
        for (int i = k; i < n; i++) {
            text[o++] = '0';
        }
    } else if (0 < n && n <= 21) {
        memcpy(text + o, digits, (size_t)n);
        o += (size_t)n;
        text[o++] = '.';
        memcpy(text + o, digits + n, (size_t)(k - n));
        o += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {
        text[o++] = '0';
        text[o++] = '.';
        for (int i = 0; i < -n; i++) {
            text[o++] = '0';
        }
        memcpy(text + o, digits, (size_t)k);
        o += (size_t)k;
    } else {
        text[o++] = digits[0];
        if (k > 1) {
            text[o++] = '.';
            memcpy(text + o, digits + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        int e = n - 1;
        o += (size_t)snprintf(text + o, sizeof(text) - o, "e%c%d", e < 0 ? '-' : '+',
                              e < 0 ? -e : e);
    }
    return append(out, text, o, err);
}

static floe_status append_hex(floe_buf *out, const uint8_t *p, size_t len, floe_err *err)
{
    floe_status st = floe_buf_reserve(out, 2 * len + 2, err);
    if (st != FLOE_OK) {
        return st;
    }
    out->data[out->len++] = '"';
    floe_hex_encode(p, len, out->data + out->len);
    out->len += 2 * len;
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
    return FLOE_OK;
}

static floe_status append_quoted(floe_buf *out, const char *s, size_t n, floe_err *err)
{
    floe_status st = append(out, "\"", 1, err);
    if (st == FLOE_OK) {
        st = append(out, s, n, err);
    }
    if (st == FLOE_OK) {
        st = append(out, "\"", 1, err);
    }
    return st;
}

floe_status floe_value_to_json(const floe_value *v, floe_buf *out, floe_err *err)
{
    char text[FLOE_VALUE_TEXT_MAX];
    size_t n;
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_NULL:
        return append(out, "null", 4, err);
    case FLOE_V_BOOL:
        return v->u.b ? append(out, "true", 4, err) : append(out, "false", 5, err);
    case FLOE_V_INT:
        if (v->flags & FLOE_VF_UNSIGNED) {
            return floe_buf_printf(out, err, "%u", (unsigned)(uint32_t)v->u.i32);
        }
        return floe_buf_printf(out, err, "%d", (int)v->u.i32);
    case FLOE_V_LONG:
        if (v->flags & FLOE_VF_UNSIGNED) {
            return floe_buf_printf(out, err, "%llu", (unsigned long long)(uint64_t)v->u.i64);
        }
        return floe_buf_printf(out, err, "%lld", (long long)v->u.i64);
    case FLOE_V_FLOAT:
        return floe_json_append_double(out, v->u.f32, true, err);
    case FLOE_V_DOUBLE:
        return floe_json_append_double(out, v->u.f64, false, err);
    case FLOE_V_DECIMAL:
        n = floe_format_decimal(v->u.dec, v->scale, text);
        return append_quoted(out, text, n, err);
    case FLOE_V_DATE:
        n = floe_format_date(v->u.i32, text);
        return append_quoted(out, text, n, err);
    case FLOE_V_TIME:
        n = floe_format_time(v->u.i64, (floe_time_unit)v->unit, text);
        return append_quoted(out, text, n, err);
    case FLOE_V_TIMESTAMP:
        n = floe_format_timestamp(v->u.i64, (floe_time_unit)v->unit, (v->flags & FLOE_VF_UTC) != 0,
                                  text);
        return append_quoted(out, text, n, err);
    case FLOE_V_STRING:
        return floe_json_append_string(out, (const char *)v->u.bytes.ptr, v->u.bytes.len, err);
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return append_hex(out, v->u.bytes.ptr, v->u.bytes.len, err);
    case FLOE_V_UUID: {
        floe_uuid u;
        memcpy(u.b, v->u.uuid, 16);
        char s[FLOE_UUID_STR_LEN + 1];
        floe_uuid_format(&u, s);
        return append_quoted(out, s, FLOE_UUID_STR_LEN, err);
    }
    case FLOE_V_STRUCT: {
        floe_status st = append(out, "{", 1, err);
        for (size_t i = 0; st == FLOE_OK && i < v->u.nested.n; i++) {
            if (i > 0) {
                st = append(out, ",", 1, err);
            }
            const char *name = v->u.nested.names ? v->u.nested.names[i] : "";
            if (st == FLOE_OK) {
                st = floe_json_append_string(out, name, strlen(name), err);
            }
            if (st == FLOE_OK) {
                st = append(out, ":", 1, err);
            }
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v->u.nested.items[i], out, err);
            }
        }
        return st == FLOE_OK ? append(out, "}", 1, err) : st;
    }
    case FLOE_V_LIST: {
        floe_status st = append(out, "[", 1, err);
        for (size_t i = 0; st == FLOE_OK && i < v->u.nested.n; i++) {
            if (i > 0) {
                st = append(out, ",", 1, err);
            }
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v->u.nested.items[i], out, err);
            }
        }
        return st == FLOE_OK ? append(out, "]", 1, err) : st;
    }
    case FLOE_V_MAP: {
        floe_status st = append(out, "[", 1, err);
        for (size_t i = 0; st == FLOE_OK && i < v->u.nested.n; i++) {
            if (i > 0) {
                st = append(out, ",", 1, err);
            }
            if (st == FLOE_OK) {
                st = append(out, "{\"key\":", 7, err);
            }
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v->u.nested.items[2 * i], out, err);
            }
            if (st == FLOE_OK) {
                st = append(out, ",\"value\":", 9, err);
            }
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v->u.nested.items[2 * i + 1], out, err);
            }
            if (st == FLOE_OK) {
                st = append(out, "}", 1, err);
            }
        }
        return st == FLOE_OK ? append(out, "]", 1, err) : st;
    }
    }
    return floe_err_set(err, FLOE_ERR_INTERNAL, "unknown value kind %d", v->kind);
}
