/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single values (spec Appendix D): the binary form used for column bounds and partition
 * summaries, metrics-mode truncation of bounds, and the JSON form used for defaults and REST
 * partition values. Also the decimal and ISO date/time text helpers the expression binder uses.
 */
#include "ice_int.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ==== Kinds ==== */

floe_value_kind floe_ice_value_kind(const floe_ice_type *t)
{
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        return FLOE_V_BOOL;
    case FLOE_ICE_INT:
        return FLOE_V_INT;
    case FLOE_ICE_LONG:
        return FLOE_V_LONG;
    case FLOE_ICE_FLOAT:
        return FLOE_V_FLOAT;
    case FLOE_ICE_DOUBLE:
        return FLOE_V_DOUBLE;
    case FLOE_ICE_DECIMAL:
        return FLOE_V_DECIMAL;
    case FLOE_ICE_DATE:
        return FLOE_V_DATE;
    case FLOE_ICE_TIME:
        return FLOE_V_TIME;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        return FLOE_V_TIMESTAMP;
    case FLOE_ICE_STRING:
        return FLOE_V_STRING;
    case FLOE_ICE_UUID:
        return FLOE_V_UUID;
    case FLOE_ICE_FIXED:
        return FLOE_V_FIXED;
    case FLOE_ICE_BINARY:
    case FLOE_ICE_GEOMETRY:
    case FLOE_ICE_GEOGRAPHY:
        return FLOE_V_BINARY;
    case FLOE_ICE_STRUCT:
        return FLOE_V_STRUCT;
    case FLOE_ICE_LIST:
        return FLOE_V_LIST;
    case FLOE_ICE_MAP:
        return FLOE_V_MAP;
    default:
        return FLOE_V_NULL;
    }
}

static bool is_tz(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
}

static bool is_ns(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
}

/* A timestamp value of type `t` from micros or nanos. */
static floe_value make_ts(const floe_ice_type *t, int64_t v)
{
    return floe_value_timestamp(v, is_ns(t) ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS, is_tz(t));
}

bool floe_ice_value_matches(const floe_ice_type *t, const floe_value *v)
{
    if (v->kind == FLOE_V_NULL) {
        return true;
    }
    if (v->kind != floe_ice_value_kind(t)) {
        return false;
    }
    switch (t->id) {
    case FLOE_ICE_DECIMAL:
        return v->scale == t->scale;
    case FLOE_ICE_TIME:
        return v->unit == FLOE_UNIT_MICROS;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        return v->unit == (is_ns(t) ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS) &&
               ((v->flags & FLOE_VF_UTC) != 0) == is_tz(t);
    case FLOE_ICE_FIXED:
        return v->u.bytes.len == (size_t)t->length;
    case FLOE_ICE_STRUCT:
    case FLOE_ICE_LIST:
    case FLOE_ICE_MAP:
        return true; /* shallow */
    default:
        return true;
    }
}

/* ==== Decimal helpers ==== */

__int128 ice_pow10(int n)
{
    __int128 p = 1;
    for (int i = 0; i < n && i < 38; i++) {
        p *= 10;
    }
    return p;
}

int ice_decimal_digits(__int128 v)
{
    unsigned __int128 m =
        v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    int d = 1;
    while (m >= 10) {
        m /= 10;
        d++;
    }
    return d;
}

size_t ice_decimal_to_be(__int128 v, uint8_t out[16])
{
    uint8_t full[16];
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = 15; i >= 0; i--) {
        full[i] = (uint8_t)(u & 0xFF);
        u >>= 8;
    }
    size_t start = 0;
    /* Drop leading sign-extension bytes while the next byte still carries the sign. */
    while (start < 15 && ((full[start] == 0x00 && (full[start + 1] & 0x80) == 0) ||
                          (full[start] == 0xFF && (full[start + 1] & 0x80) != 0))) {
        start++;
    }
    size_t n = 16 - start;
    memcpy(out, full + start, n);
    return n;
}

__int128 ice_decimal_from_be(const uint8_t *p, size_t len)
{
    unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (size_t i = 0; i < len; i++) {
        u = (u << 8) | p[i];
    }
    return (__int128)u;
}

bool ice_parse_decimal(const char *s, size_t len, __int128 *unscaled, int32_t *scale)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    unsigned __int128 m = 0;
    int sig = 0, digits = 0, frac = -1;
    for (; i < len; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (frac >= 0) {
                return false;
            }
            frac = 0;
            continue;
        }
        if (ch < '0' || ch > '9') {
            return false;
        }
        digits++;
        if (frac >= 0) {
            frac++;
        }
        if (sig > 0 || ch != '0') {
            sig++;
        }
        if (sig > 38 || (frac > 38)) {
            return false;
        }
        m = m * 10 + (unsigned)(ch - '0');
    }
    if (digits == 0) {
        return false;
    }
    *unscaled = neg ? -(__int128)m : (__int128)m;
    *scale = frac < 0 ? 0 : frac; /* "12." is scale 0, as in Java's BigDecimal */
    return true;
}

/* ==== Binary single values ==== */

static floe_status wrong_kind(const floe_ice_type *t, const floe_value *v, floe_err *err)
{
    return floe_err_set(err, FLOE_ERR_INVALID, "value of kind %d does not match type %s",
                        (int)v->kind, floe_ice_type_name(t->id));
}

floe_status floe_ice_value_to_bytes(const floe_ice_type *t, const floe_value *v, floe_buf *out,
                                    floe_err *err)
{
    if (v->kind == FLOE_V_NULL || !floe_ice_value_matches(t, v)) {
        return wrong_kind(t, v, err);
    }
    uint8_t b[16];
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        b[0] = v->u.b ? 1 : 0;
        return floe_buf_append(out, b, 1, err);
    case FLOE_ICE_INT:
    case FLOE_ICE_DATE:
        floe_store_u32le(b, (uint32_t)v->u.i32);
        return floe_buf_append(out, b, 4, err);
    case FLOE_ICE_LONG:
    case FLOE_ICE_TIME:
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        floe_store_u64le(b, (uint64_t)v->u.i64);
        return floe_buf_append(out, b, 8, err);
    case FLOE_ICE_FLOAT: {
        uint32_t bits;
        memcpy(&bits, &v->u.f32, 4);
        floe_store_u32le(b, bits);
        return floe_buf_append(out, b, 4, err);
    }
    case FLOE_ICE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.f64, 8);
        floe_store_u64le(b, bits);
        return floe_buf_append(out, b, 8, err);
    }
    case FLOE_ICE_DECIMAL: {
        size_t n = ice_decimal_to_be(v->u.dec, b);
        return floe_buf_append(out, b, n, err);
    }
    case FLOE_ICE_UUID:
        return floe_buf_append(out, v->u.uuid, 16, err);
    case FLOE_ICE_STRING:
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY:
    case FLOE_ICE_GEOMETRY:
    case FLOE_ICE_GEOGRAPHY:
        if (v->u.bytes.len == 0) {
            return FLOE_OK;
        }
        return floe_buf_append(out, v->u.bytes.ptr, v->u.bytes.len, err);
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "type %s has no binary single-value form",
                            floe_ice_type_name(t->id));
    }
}

static floe_status bad_len(const floe_ice_type *t, size_t len, floe_err *err)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT, "invalid %zu-byte single value for type %s", len,
                        floe_ice_type_name(t->id));
}

#define US_PER_DAY INT64_C(86400000000)
#define NS_PER_DAY INT64_C(86400000000000)

floe_status floe_ice_value_from_bytes(const floe_ice_type *t, floe_str bytes, floe_value *out,
                                      floe_err *err)
{
    const uint8_t *p = (const uint8_t *)bytes.ptr;
    size_t n = bytes.len;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        if (n != 1) {
            return bad_len(t, n, err);
        }
        *out = floe_value_bool(p[0] != 0);
        return FLOE_OK;
    case FLOE_ICE_INT:
    case FLOE_ICE_DATE:
        if (n != 4) {
            return bad_len(t, n, err);
        }
        *out = t->id == FLOE_ICE_INT ? floe_value_int((int32_t)floe_load_u32le(p))
                                     : floe_value_date((int32_t)floe_load_u32le(p));
        return FLOE_OK;
    case FLOE_ICE_LONG:
        if (n == 4) { /* written as an int before promotion */
            *out = floe_value_long((int32_t)floe_load_u32le(p));
        } else if (n == 8) {
            *out = floe_value_long((int64_t)floe_load_u64le(p));
        } else {
            return bad_len(t, n, err);
        }
        return FLOE_OK;
    case FLOE_ICE_FLOAT:
    case FLOE_ICE_DOUBLE:
        if (n == 4) {
            uint32_t bits = floe_load_u32le(p);
            float f;
            memcpy(&f, &bits, 4);
            *out = t->id == FLOE_ICE_FLOAT ? floe_value_float(f) : floe_value_double(f);
        } else if (n == 8 && t->id == FLOE_ICE_DOUBLE) {
            uint64_t bits = floe_load_u64le(p);
            double d;
            memcpy(&d, &bits, 8);
            *out = floe_value_double(d);
        } else {
            return bad_len(t, n, err);
        }
        return FLOE_OK;
    case FLOE_ICE_TIME:
        if (n != 8) {
            return bad_len(t, n, err);
        }
        *out = floe_value_time((int64_t)floe_load_u64le(p), FLOE_UNIT_MICROS);
        return FLOE_OK;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        if (n == 4 && (t->id == FLOE_ICE_TIMESTAMP || t->id == FLOE_ICE_TIMESTAMP_NS)) {
            /* A date bound written before a v3 date -> timestamp promotion. */
            int64_t days = (int32_t)floe_load_u32le(p);
            *out = make_ts(t, days * (is_ns(t) ? NS_PER_DAY : US_PER_DAY));
        } else if (n == 8) {
            *out = make_ts(t, (int64_t)floe_load_u64le(p));
        } else {
            return bad_len(t, n, err);
        }
        return FLOE_OK;
    case FLOE_ICE_DECIMAL: {
        size_t start = 0;
        /* Tolerate redundant sign bytes beyond 16 (not minimal, but the same number). */
        while (n - start > 16 && (p[start] == 0x00 || p[start] == 0xFF) &&
               ((p[start] == 0xFF) == ((p[start + 1] & 0x80) != 0))) {
            start++;
        }
        if (n == 0 || n - start > 16) {
            return bad_len(t, n, err);
        }
        *out =
            floe_value_decimal(ice_decimal_from_be(p + start, n - start), t->precision, t->scale);
        return FLOE_OK;
    }
    case FLOE_ICE_UUID:
        if (n != 16) {
            return bad_len(t, n, err);
        }
        *out = floe_value_uuid(p);
        return FLOE_OK;
    case FLOE_ICE_STRING:
        *out = floe_value_string(bytes.ptr, n);
        return FLOE_OK;
    case FLOE_ICE_FIXED:
        *out = floe_value_fixed(bytes.ptr, n);
        return FLOE_OK;
    case FLOE_ICE_BINARY:
    case FLOE_ICE_GEOMETRY:
    case FLOE_ICE_GEOGRAPHY:
        *out = floe_value_binary(bytes.ptr, n);
        return FLOE_OK;
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "type %s has no binary single-value form",
                            floe_ice_type_name(t->id));
    }
}

/* ==== Bound truncation ==== */

/* Byte length of the UTF-8 sequence starting with `c` (1 for invalid lead bytes). */
static size_t utf8_len(uint8_t c)
{
    if (c >= 0xF0) {
        return 4;
    }
    if (c >= 0xE0) {
        return 3;
    }
    if (c >= 0xC0) {
        return 2;
    }
    return 1;
}

/* Byte offset after `cps` code points (or len when the string is shorter). */
static size_t cp_prefix(const uint8_t *p, size_t len, int32_t cps, int32_t *count)
{
    size_t i = 0;
    int32_t k = 0;
    while (i < len && k < cps) {
        size_t l = utf8_len(p[i]);
        i = i + l > len ? len : i + l;
        k++;
    }
    *count = k;
    return i;
}

floe_status floe_ice_truncate_lower_bound(const floe_ice_type *t, const floe_value *v, int32_t len,
                                          floe_value *out, floe_err *err)
{
    if (len <= 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "truncate length must be positive");
    }
    *out = *v;
    if (t->id == FLOE_ICE_STRING && v->kind == FLOE_V_STRING) {
        int32_t k;
        out->u.bytes.len = cp_prefix(v->u.bytes.ptr, v->u.bytes.len, len, &k);
        return FLOE_OK;
    }
    if ((t->id == FLOE_ICE_BINARY || t->id == FLOE_ICE_FIXED) &&
        (v->kind == FLOE_V_BINARY || v->kind == FLOE_V_FIXED)) {
        if (v->u.bytes.len > (size_t)len) {
            out->u.bytes.len = (size_t)len;
        }
        return FLOE_OK;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "cannot truncate bounds of type %s",
                        floe_ice_type_name(t->id));
}

static size_t utf8_encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t utf8_decode(const uint8_t *p, size_t l)
{
    if (l == 1) {
        return p[0];
    }
    uint32_t cp = p[0] & (0xFF >> (l + 1));
    for (size_t i = 1; i < l; i++) {
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    return cp;
}

floe_status floe_ice_truncate_upper_bound(floe_arena *a, const floe_ice_type *t,
                                          const floe_value *v, int32_t len, floe_value *out,
                                          bool *has_out, floe_err *err)
{
    if (len <= 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "truncate length must be positive");
    }
    *out = *v;
    *has_out = true;
    const uint8_t *p = v->u.bytes.ptr;
    size_t n = v->u.bytes.len;
    if (t->id == FLOE_ICE_STRING && v->kind == FLOE_V_STRING) {
        int32_t k;
        size_t cut = cp_prefix(p, n, len, &k);
        if (cut >= n) {
            return FLOE_OK; /* short enough: the value itself is the bound */
        }
        /* Offsets of the kept code points, to walk them backwards. */
        size_t *offs = floe_arena_calloc(a, (size_t)k, sizeof(*offs));
        uint8_t *buf = floe_arena_alloc(a, cut + 4);
        if (offs == NULL || buf == NULL) {
            return ice_nomem(a, err);
        }
        for (size_t i = 0, j = 0; i < cut && j < (size_t)k; j++) {
            offs[j] = i;
            i += utf8_len(p[i]);
        }
        for (int32_t j = k - 1; j >= 0; j--) {
            size_t off = offs[j];
            size_t l = utf8_len(p[off]);
            if (off + l > cut) {
                l = cut - off;
            }
            uint32_t cp = utf8_decode(p + off, l) + 1;
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xE000; /* surrogates are not code points of valid UTF-8 */
            }
            if (cp > 0x10FFFF) {
                continue;
            }
            memcpy(buf, p, off);
            size_t m = off + utf8_encode(cp, buf + off);
            *out = floe_value_string((const char *)buf, m);
            return FLOE_OK;
        }
        *has_out = false;
        return FLOE_OK;
    }
    if ((t->id == FLOE_ICE_BINARY || t->id == FLOE_ICE_FIXED) &&
        (v->kind == FLOE_V_BINARY || v->kind == FLOE_V_FIXED)) {
        if (n <= (size_t)len) {
            return FLOE_OK;
        }
        uint8_t *buf = floe_arena_alloc(a, (size_t)len);
        if (buf == NULL) {
            return ice_nomem(a, err);
        }
        memcpy(buf, p, (size_t)len);
        for (size_t i = (size_t)len; i > 0; i--) {
            if (buf[i - 1] != 0xFF) {
                buf[i - 1]++;
                out->u.bytes.ptr = buf;
                out->u.bytes.len = i;
                return FLOE_OK;
            }
        }
        *has_out = false;
        return FLOE_OK;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "cannot truncate bounds of type %s",
                        floe_ice_type_name(t->id));
}

/* ==== ISO date and time text ==== */

static bool digits_at(const char *s, size_t len, size_t *pos, int n, int64_t *out)
{
    if (*pos + (size_t)n > len) {
        return false;
    }
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static int days_in_month(int64_t y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* "[+-]YYYY-MM-DD" (4 to 6 year digits); advances *pos. */
static bool parse_date_at(const char *s, size_t len, size_t *pos, int64_t *days)
{
    int sign = 1;
    if (*pos < len && (s[*pos] == '-' || s[*pos] == '+')) {
        sign = s[*pos] == '-' ? -1 : 1;
        (*pos)++;
    }
    size_t start = *pos;
    while (*pos < len && isdigit((unsigned char)s[*pos])) {
        (*pos)++;
    }
    size_t ny = *pos - start;
    if (ny < 4 || ny > 6) {
        return false;
    }
    int64_t y = 0, mo, d;
    size_t p = start;
    digits_at(s, len, &p, (int)ny, &y);
    y *= sign;
    if (*pos >= len || s[*pos] != '-') {
        return false;
    }
    (*pos)++;
    if (!digits_at(s, len, pos, 2, &mo) || *pos >= len || s[*pos] != '-') {
        return false;
    }
    (*pos)++;
    if (!digits_at(s, len, pos, 2, &d)) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo)) {
        return false;
    }
    *days = floe_days_from_civil(y, (int)mo, (int)d);
    return true;
}

/* "HH:MM[:SS[.fffffffff]]" into nanoseconds of the day; advances *pos. */
static bool parse_time_at(const char *s, size_t len, size_t *pos, int64_t *nanos)
{
    int64_t h, mi, sec = 0, frac = 0;
    if (!digits_at(s, len, pos, 2, &h) || *pos >= len || s[*pos] != ':') {
        return false;
    }
    (*pos)++;
    if (!digits_at(s, len, pos, 2, &mi)) {
        return false;
    }
    if (*pos < len && s[*pos] == ':') {
        (*pos)++;
        if (!digits_at(s, len, pos, 2, &sec)) {
            return false;
        }
        if (*pos < len && s[*pos] == '.') {
            (*pos)++;
            int nd = 0;
            int64_t scale = 100000000;
            while (*pos < len && isdigit((unsigned char)s[*pos])) {
                if (++nd > 9) {
                    return false;
                }
                frac += (s[*pos] - '0') * scale;
                scale /= 10;
                (*pos)++;
            }
            if (nd == 0) {
                return false;
            }
        }
    }
    if (h > 23 || mi > 59 || sec > 59) {
        return false;
    }
    *nanos = ((h * 60 + mi) * 60 + sec) * INT64_C(1000000000) + frac;
    return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" / "+HHMM" / "+HH" into seconds; advances *pos. */
static bool parse_offset_at(const char *s, size_t len, size_t *pos, int64_t *secs)
{
    if (*pos < len && (s[*pos] == 'Z' || s[*pos] == 'z')) {
        (*pos)++;
        *secs = 0;
        return true;
    }
    if (*pos >= len || (s[*pos] != '+' && s[*pos] != '-')) {
        return false;
    }
    int sign = s[*pos] == '-' ? -1 : 1;
    (*pos)++;
    int64_t oh, om = 0;
    if (!digits_at(s, len, pos, 2, &oh)) {
        return false;
    }
    if (*pos < len && s[*pos] == ':') {
        (*pos)++;
    }
    if (*pos < len && !digits_at(s, len, pos, 2, &om)) {
        return false;
    }
    if (oh > 18 || om > 59) {
        return false;
    }
    *secs = sign * (oh * 3600 + om * 60);
    return true;
}

bool ice_parse_date(const char *s, size_t len, int32_t *days)
{
    size_t pos = 0;
    int64_t d;
    if (!parse_date_at(s, len, &pos, &d) || pos != len || d < INT32_MIN || d > INT32_MAX) {
        return false;
    }
    *days = (int32_t)d;
    return true;
}

bool ice_parse_time(const char *s, size_t len, int64_t *micros)
{
    size_t pos = 0;
    int64_t ns;
    if (!parse_time_at(s, len, &pos, &ns) || pos != len) {
        return false;
    }
    *micros = ns / 1000;
    return true;
}

bool ice_parse_timestamp(const char *s, size_t len, int offset_rule, bool nanos, int64_t *out)
{
    size_t pos = 0;
    int64_t days, tod = 0, off = 0;
    if (!parse_date_at(s, len, &pos, &days)) {
        return false;
    }
    bool has_time = false;
    if (pos < len && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        pos++;
        if (!parse_time_at(s, len, &pos, &tod)) {
            return false;
        }
        has_time = true;
    }
    bool has_off = false;
    if (pos < len) {
        if (!parse_offset_at(s, len, &pos, &off)) {
            return false;
        }
        has_off = true;
    }
    if (pos != len) {
        return false;
    }
    if ((offset_rule == ICE_TS_NO_OFFSET && has_off) ||
        (offset_rule == ICE_TS_NEED_OFFSET && !has_off) ||
        (offset_rule != ICE_TS_LENIENT && !has_time)) {
        return false;
    }
    /* days * 86400e9 overflows int64 past about year 2262: compute in 128 bits and check. */
    __int128 ns = (__int128)days * NS_PER_DAY + tod - (__int128)off * 1000000000;
    if (!nanos) {
        __int128 us = ns / 1000;
        if (ns % 1000 < 0) {
            us -= 1;
        }
        ns = us;
    }
    if (ns < INT64_MIN || ns > INT64_MAX) {
        return false;
    }
    *out = (int64_t)ns;
    return true;
}

/* ==== JSON single values ==== */

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *h = floe_xmalloc(n * 2 + 1);
    floe_hex_encode(p, n, h);
    json_t *j = ice_jnew(json_string(h));
    free(h);
    return j;
}

static json_t *float_json(double d)
{
    if (isnan(d)) {
        return ice_jnew(json_string("NaN"));
    }
    if (isinf(d)) {
        return ice_jnew(json_string(d > 0 ? "Infinity" : "-Infinity"));
    }
    return ice_jnew(json_real(d));
}

json_t *floe_ice_value_to_json(const floe_ice_type *t, const floe_value *v)
{
    if (v == NULL || v->kind == FLOE_V_NULL) {
        return ice_jnew(json_null());
    }
    char buf[FLOE_VALUE_TEXT_MAX];
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        return ice_jnew(json_boolean(v->u.b));
    case FLOE_ICE_INT:
        return ice_jnew(json_integer(v->kind == FLOE_V_LONG ? v->u.i64 : v->u.i32));
    case FLOE_ICE_LONG:
        return ice_jnew(json_integer(v->kind == FLOE_V_INT ? v->u.i32 : v->u.i64));
    case FLOE_ICE_FLOAT:
    case FLOE_ICE_DOUBLE:
        return float_json(v->kind == FLOE_V_FLOAT ? (double)v->u.f32 : v->u.f64);
    case FLOE_ICE_DECIMAL:
        floe_format_decimal(v->u.dec, v->scale, buf);
        return ice_jnew(json_string(buf));
    case FLOE_ICE_DATE:
        floe_format_date(v->u.i32, buf);
        return ice_jnew(json_string(buf));
    case FLOE_ICE_TIME:
        floe_format_time(v->u.i64, (floe_time_unit)v->unit, buf);
        return ice_jnew(json_string(buf));
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        floe_format_timestamp(v->u.i64, (floe_time_unit)v->unit, is_tz(t), buf);
        return ice_jnew(json_string(buf));
    case FLOE_ICE_STRING: {
        json_t *j = json_stringn((const char *)v->u.bytes.ptr, v->u.bytes.len);
        if (j == NULL) { /* invalid UTF-8: sanitise */
            char *tmp = floe_xstrndup((const char *)v->u.bytes.ptr, v->u.bytes.len);
            j = ice_jstring(tmp);
            free(tmp);
        }
        return j;
    }
    case FLOE_ICE_UUID: {
        floe_uuid u;
        memcpy(u.b, v->u.uuid, 16);
        floe_uuid_format(&u, buf);
        return ice_jnew(json_string(buf));
    }
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY:
        return hex_json(v->u.bytes.ptr, v->u.bytes.len);
    case FLOE_ICE_STRUCT: {
        json_t *o = ice_jnew(json_object());
        for (size_t i = 0; i < t->n_fields && i < v->u.nested.n; i++) {
            char key[16];
            snprintf(key, sizeof(key), "%d", t->fields[i].id);
            const floe_value *item = &v->u.nested.items[i];
            if (item->kind != FLOE_V_NULL) {
                ice_jset(o, key, floe_ice_value_to_json(t->fields[i].type, item));
            }
        }
        return o;
    }
    case FLOE_ICE_LIST: {
        json_t *arr = ice_jnew(json_array());
        for (size_t i = 0; i < v->u.nested.n; i++) {
            ice_jappend(arr, floe_ice_value_to_json(t->fields[0].type, &v->u.nested.items[i]));
        }
        return arr;
    }
    case FLOE_ICE_MAP: {
        json_t *keys = ice_jnew(json_array()), *vals = ice_jnew(json_array());
        for (size_t i = 0; i < v->u.nested.n; i++) {
            ice_jappend(keys, floe_ice_value_to_json(t->fields[0].type, &v->u.nested.items[2 * i]));
            ice_jappend(vals,
                        floe_ice_value_to_json(t->fields[1].type, &v->u.nested.items[2 * i + 1]));
        }
        json_t *o = ice_jnew(json_object());
        ice_jset(o, "keys", keys);
        ice_jset(o, "values", vals);
        return o;
    }
    default:
        return ice_jnew(json_null());
    }
}

static floe_status bad_json(const floe_ice_type *t, const json_t *j, floe_err *err)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    floe_status st = floe_err_set(err, FLOE_ERR_INVALID, "invalid %s value: %.80s",
                                  floe_ice_type_name(t->id), text != NULL ? text : "?");
    free(text);
    return st;
}

static floe_status from_json(floe_arena *a, const floe_ice_type *t, const json_t *j,
                             floe_value *out, floe_err *err, int depth)
{
    if (j == NULL || json_is_null(j)) {
        *out = floe_value_null();
        return FLOE_OK;
    }
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "value nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    const char *s = json_is_string(j) ? json_string_value(j) : NULL;
    size_t sl = s != NULL ? json_string_length(j) : 0;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        if (!json_is_boolean(j)) {
            return bad_json(t, j, err);
        }
        *out = floe_value_bool(json_is_true(j));
        return FLOE_OK;
    case FLOE_ICE_INT:
        if (!json_is_integer(j) || json_integer_value(j) < INT32_MIN ||
            json_integer_value(j) > INT32_MAX) {
            return bad_json(t, j, err);
        }
        *out = floe_value_int((int32_t)json_integer_value(j));
        return FLOE_OK;
    case FLOE_ICE_LONG:
        if (!json_is_integer(j)) {
            return bad_json(t, j, err);
        }
        *out = floe_value_long(json_integer_value(j));
        return FLOE_OK;
    case FLOE_ICE_FLOAT:
    case FLOE_ICE_DOUBLE: {
        double d;
        if (json_is_number(j)) {
            d = json_number_value(j);
        } else if (s != NULL && strcmp(s, "NaN") == 0) {
            d = NAN;
        } else if (s != NULL && strcmp(s, "Infinity") == 0) {
            d = INFINITY;
        } else if (s != NULL && strcmp(s, "-Infinity") == 0) {
            d = -INFINITY;
        } else {
            return bad_json(t, j, err);
        }
        if (t->id == FLOE_ICE_FLOAT) {
            /* out-of-range doubles become infinities rather than undefined conversions */
            float f = d > FLT_MAX ? INFINITY : d < -FLT_MAX ? -INFINITY : (float)d;
            *out = floe_value_float(f);
        } else {
            *out = floe_value_double(d);
        }
        return FLOE_OK;
    }
    case FLOE_ICE_DECIMAL: {
        __int128 u;
        int32_t sc;
        if (s == NULL || !ice_parse_decimal(s, sl, &u, &sc) || sc != t->scale ||
            ice_decimal_digits(u) > t->precision) {
            return bad_json(t, j, err);
        }
        *out = floe_value_decimal(u, t->precision, t->scale);
        return FLOE_OK;
    }
    case FLOE_ICE_DATE: {
        int32_t days;
        if (s == NULL || !ice_parse_date(s, sl, &days)) {
            return bad_json(t, j, err);
        }
        *out = floe_value_date(days);
        return FLOE_OK;
    }
    case FLOE_ICE_TIME: {
        int64_t us;
        if (s == NULL || !ice_parse_time(s, sl, &us)) {
            return bad_json(t, j, err);
        }
        *out = floe_value_time(us, FLOE_UNIT_MICROS);
        return FLOE_OK;
    }
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS: {
        int64_t v;
        int rule = is_tz(t) ? ICE_TS_NEED_OFFSET : ICE_TS_NO_OFFSET;
        if (s == NULL || !ice_parse_timestamp(s, sl, rule, is_ns(t), &v)) {
            return bad_json(t, j, err);
        }
        *out = make_ts(t, v);
        return FLOE_OK;
    }
    case FLOE_ICE_STRING: {
        if (s == NULL) {
            return bad_json(t, j, err);
        }
        char *copy = floe_arena_strndup(a, s, sl);
        if (copy == NULL) {
            return ice_nomem(a, err);
        }
        *out = floe_value_string(copy, sl);
        return FLOE_OK;
    }
    case FLOE_ICE_UUID: {
        floe_uuid u;
        if (s == NULL || floe_uuid_parse(s, sl, &u, NULL) != FLOE_OK) {
            return bad_json(t, j, err);
        }
        *out = floe_value_uuid(u.b);
        return FLOE_OK;
    }
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY: {
        if (s == NULL || sl % 2 != 0 || (t->id == FLOE_ICE_FIXED && sl / 2 != (size_t)t->length)) {
            return bad_json(t, j, err);
        }
        uint8_t *bytes = floe_arena_alloc(a, sl / 2 + 1);
        if (bytes == NULL) {
            return ice_nomem(a, err);
        }
        if (floe_hex_decode(s, sl, bytes, NULL) != FLOE_OK) {
            return bad_json(t, j, err);
        }
        *out = t->id == FLOE_ICE_FIXED ? floe_value_fixed(bytes, sl / 2)
                                       : floe_value_binary(bytes, sl / 2);
        return FLOE_OK;
    }
    case FLOE_ICE_STRUCT: {
        if (!json_is_object(j)) {
            return bad_json(t, j, err);
        }
        floe_value *items = floe_arena_calloc(a, t->n_fields > 0 ? t->n_fields : 1, sizeof(*items));
        const char **names =
            floe_arena_calloc(a, t->n_fields > 0 ? t->n_fields : 1, sizeof(*names));
        if (items == NULL || names == NULL) {
            return ice_nomem(a, err);
        }
        size_t matched = 0;
        for (size_t i = 0; i < t->n_fields; i++) {
            char key[16];
            snprintf(key, sizeof(key), "%d", t->fields[i].id);
            names[i] = t->fields[i].name;
            const json_t *fj = json_object_get(j, key);
            if (fj != NULL) {
                matched++;
            }
            floe_status st = from_json(a, t->fields[i].type, fj, &items[i], err, depth + 1);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "field %s", t->fields[i].name);
            }
        }
        if (matched != json_object_size(j)) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "struct value has keys that are not field ids of the struct");
        }
        out->kind = FLOE_V_STRUCT;
        out->u.nested.items = items;
        out->u.nested.names = names;
        out->u.nested.n = t->n_fields;
        return FLOE_OK;
    }
    case FLOE_ICE_LIST: {
        if (!json_is_array(j)) {
            return bad_json(t, j, err);
        }
        size_t n = json_array_size(j);
        floe_value *items = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*items));
        if (items == NULL) {
            return ice_nomem(a, err);
        }
        for (size_t i = 0; i < n; i++) {
            floe_status st =
                from_json(a, t->fields[0].type, json_array_get(j, i), &items[i], err, depth + 1);
            if (st != FLOE_OK) {
                return st;
            }
        }
        *out = floe_value_null();
        out->kind = FLOE_V_LIST;
        out->u.nested.items = items;
        out->u.nested.n = n;
        return FLOE_OK;
    }
    case FLOE_ICE_MAP: {
        const json_t *keys = json_object_get(j, "keys"), *vals = json_object_get(j, "values");
        if (!json_is_object(j) || !json_is_array(keys) || !json_is_array(vals) ||
            json_array_size(keys) != json_array_size(vals) || json_object_size(j) != 2) {
            return bad_json(t, j, err);
        }
        size_t n = json_array_size(keys);
        floe_value *items = floe_arena_calloc(a, n > 0 ? 2 * n : 1, sizeof(*items));
        if (items == NULL) {
            return ice_nomem(a, err);
        }
        for (size_t i = 0; i < n; i++) {
            floe_status st = from_json(a, t->fields[0].type, json_array_get(keys, i), &items[2 * i],
                                       err, depth + 1);
            if (st == FLOE_OK) {
                st = from_json(a, t->fields[1].type, json_array_get(vals, i), &items[2 * i + 1],
                               err, depth + 1);
            }
            if (st != FLOE_OK) {
                return st;
            }
        }
        *out = floe_value_null();
        out->kind = FLOE_V_MAP;
        out->u.nested.items = items;
        out->u.nested.n = n;
        return FLOE_OK;
    }
    default:
        /* unknown, variant, geometry, geography: only null is a valid default. */
        return floe_err_set(err, FLOE_ERR_INVALID, "a %s value must be null",
                            floe_ice_type_name(t->id));
    }
}

floe_status floe_ice_value_from_json(floe_arena *a, const floe_ice_type *t, const json_t *j,
                                     floe_value *out, floe_err *err)
{
    return from_json(a, t, j, out, err, 0);
}

floe_status ice_check_default(floe_arena *a, const floe_ice_type *t, const json_t *j,
                              floe_status code, floe_err *err)
{
    floe_err tmp = {0};
    floe_value v;
    floe_status st = floe_ice_value_from_json(a, t, j, &v, &tmp);
    if (st == FLOE_OK) {
        return FLOE_OK;
    }
    return floe_err_set(err, st == FLOE_ERR_INVALID ? code : st, "%s", tmp.msg);
}
