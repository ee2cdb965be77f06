/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition transforms (spec "Partition Transforms"): parsing and printing, result types,
 * application to values, the 32-bit Murmur3 hash of Appendix B, and the human strings used in
 * partition paths.
 */
#include "ice_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ==== Murmur3 (x86, 32-bit) ==== */

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

int32_t floe_murmur3_32(const void *data, size_t len, uint32_t seed)
{
    const uint8_t *p = data;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = seed;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        uint32_t k = floe_load_u32le(p + 4 * i);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    const uint8_t *tail = p + 4 * blocks;
    uint32_t k = 0;
    switch (len & 3) {
    case 3:
        k ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        break;
    default:
        break;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return (int32_t)h;
}

static int32_t hash_long(int64_t v)
{
    uint8_t b[8];
    floe_store_u64le(b, (uint64_t)v);
    return floe_murmur3_32(b, 8, 0);
}

floe_status floe_ice_bucket_hash(const floe_ice_type *t, const floe_value *v, int32_t *out,
                                 floe_err *err)
{
    if (v->kind == FLOE_V_NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot hash a null value");
    }
    switch (t->id) {
    case FLOE_ICE_INT:
    case FLOE_ICE_DATE:
        if (v->kind == FLOE_V_INT || v->kind == FLOE_V_DATE) {
            *out = hash_long(v->u.i32);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_LONG:
        if (v->kind == FLOE_V_LONG || v->kind == FLOE_V_INT) {
            *out = hash_long(v->kind == FLOE_V_INT ? v->u.i32 : v->u.i64);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_TIME:
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        if (v->kind == FLOE_V_TIME || v->kind == FLOE_V_TIMESTAMP) {
            int64_t x = v->u.i64;
            if (v->unit == FLOE_UNIT_NANOS) {
                x = ice_floor_div(x, 1000); /* spec: nanoseconds hash as micros */
            } else if (v->unit == FLOE_UNIT_MILLIS && __builtin_mul_overflow(x, 1000, &x)) {
                return floe_err_set(err, FLOE_ERR_INVALID, "timestamp out of range");
            }
            *out = hash_long(x);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_DECIMAL:
        if (v->kind == FLOE_V_DECIMAL) {
            uint8_t b[16];
            size_t n = ice_decimal_to_be(v->u.dec, b);
            *out = floe_murmur3_32(b, n, 0);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_STRING:
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY:
        if (v->kind == FLOE_V_STRING || v->kind == FLOE_V_BINARY || v->kind == FLOE_V_FIXED) {
            *out = floe_murmur3_32(v->u.bytes.ptr, v->u.bytes.len, 0);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_UUID:
        if (v->kind == FLOE_V_UUID) {
            *out = floe_murmur3_32(v->u.uuid, 16, 0);
            return FLOE_OK;
        }
        break;
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "cannot bucket a %s value",
                            floe_ice_type_name(t->id));
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "value does not match type %s",
                        floe_ice_type_name(t->id));
}

/* ==== Parsing and printing ==== */

static bool bracket_param(const char *s, const char *name, int32_t *out, bool *malformed)
{
    size_t n = strlen(name);
    if (strncasecmp(s, name, n) != 0 || s[n] != '[') {
        return false;
    }
    const char *p = s + n + 1;
    const char *close = strchr(p, ']');
    if (close == NULL || close[1] != '\0') {
        return false;
    }
    int64_t v = 0;
    size_t digits = (size_t)(close - p);
    if (digits == 0) {
        return false;
    }
    for (const char *q = p; q < close; q++) {
        if (*q < '0' || *q > '9') {
            return false; /* not name[digits]: an unknown transform, as in Java */
        }
        if (v <= INT32_MAX) {
            v = v * 10 + (*q - '0');
        }
    }
    if (v < 1 || v > INT32_MAX) {
        *malformed = true;
        return true;
    }
    *out = (int32_t)v;
    return true;
}

floe_status floe_ice_transform_parse(floe_arena *a, const char *s, floe_ice_transform *out,
                                     floe_err *err)
{
    static const struct {
        const char *name;
        floe_ice_transform_kind kind;
    } names[] = {
        {"identity", FLOE_ICE_T_IDENTITY}, {"year", FLOE_ICE_T_YEAR},
        {"years", FLOE_ICE_T_YEAR},        {"month", FLOE_ICE_T_MONTH},
        {"months", FLOE_ICE_T_MONTH},      {"day", FLOE_ICE_T_DAY},
        {"days", FLOE_ICE_T_DAY},          {"hour", FLOE_ICE_T_HOUR},
        {"hours", FLOE_ICE_T_HOUR},        {"void", FLOE_ICE_T_VOID},
        {"alwaysNull", FLOE_ICE_T_VOID},
    };
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < FLOE_ARRAY_LEN(names); i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            out->kind = names[i].kind;
            return FLOE_OK;
        }
    }
    bool malformed = false;
    if (bracket_param(s, "bucket", &out->param, &malformed)) {
        out->kind = FLOE_ICE_T_BUCKET;
    } else if (bracket_param(s, "truncate", &out->param, &malformed)) {
        out->kind = FLOE_ICE_T_TRUNCATE;
    } else {
        out->kind = FLOE_ICE_T_UNKNOWN;
        out->text = floe_arena_strdup(a, s);
        if (out->text == NULL) {
            return ice_nomem(a, err);
        }
        return FLOE_OK;
    }
    if (malformed) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "invalid transform \"%s\": the parameter "
                            "must be between 1 and 2147483647",
                            s);
    }
    return FLOE_OK;
}

static const char *transform_word(floe_ice_transform_kind k)
{
    switch (k) {
    case FLOE_ICE_T_IDENTITY:
        return "identity";
    case FLOE_ICE_T_BUCKET:
        return "bucket";
    case FLOE_ICE_T_TRUNCATE:
        return "truncate";
    case FLOE_ICE_T_YEAR:
        return "year";
    case FLOE_ICE_T_MONTH:
        return "month";
    case FLOE_ICE_T_DAY:
        return "day";
    case FLOE_ICE_T_HOUR:
        return "hour";
    case FLOE_ICE_T_VOID:
        return "void";
    default:
        return "unknown";
    }
}

floe_status floe_ice_transform_format(floe_ice_transform t, floe_buf *out, floe_err *err)
{
    if (t.kind == FLOE_ICE_T_BUCKET || t.kind == FLOE_ICE_T_TRUNCATE) {
        return floe_buf_printf(out, err, "%s[%d]", transform_word(t.kind), t.param);
    }
    if (t.kind == FLOE_ICE_T_UNKNOWN) {
        return floe_buf_append_str(out, t.text != NULL ? t.text : "unknown", err);
    }
    return floe_buf_append_str(out, transform_word(t.kind), err);
}

json_t *ice_transform_to_json(floe_ice_transform t)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_ice_transform_format(t, &b, NULL);
    json_t *j = ice_jstring(floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return j;
}

bool floe_ice_transform_equal(floe_ice_transform a, floe_ice_transform b)
{
    if (a.kind != b.kind) {
        return false;
    }
    if (a.kind == FLOE_ICE_T_BUCKET || a.kind == FLOE_ICE_T_TRUNCATE) {
        return a.param == b.param;
    }
    if (a.kind == FLOE_ICE_T_UNKNOWN) {
        return a.text != NULL && b.text != NULL && strcmp(a.text, b.text) == 0;
    }
    return true;
}

/* ==== Result types ==== */

static bool is_timestamp(floe_ice_type_id id)
{
    return id == FLOE_ICE_TIMESTAMP || id == FLOE_ICE_TIMESTAMPTZ || id == FLOE_ICE_TIMESTAMP_NS ||
           id == FLOE_ICE_TIMESTAMPTZ_NS;
}

static bool bucketable(floe_ice_type_id id)
{
    switch (id) {
    case FLOE_ICE_INT:
    case FLOE_ICE_LONG:
    case FLOE_ICE_DECIMAL:
    case FLOE_ICE_DATE:
    case FLOE_ICE_TIME:
    case FLOE_ICE_STRING:
    case FLOE_ICE_UUID:
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY:
        return true;
    default:
        return is_timestamp(id);
    }
}

floe_status floe_ice_transform_result_type(floe_arena *a, floe_ice_transform t,
                                           const floe_ice_type *source, const floe_ice_type **out,
                                           floe_err *err)
{
    (void)a;
    floe_ice_type_id id = source->id;
    bool ok = false;
    const floe_ice_type *result = source;
    switch (t.kind) {
    case FLOE_ICE_T_IDENTITY:
        ok = floe_ice_type_is_primitive(source) && id != FLOE_ICE_GEOMETRY &&
             id != FLOE_ICE_GEOGRAPHY;
        break;
    case FLOE_ICE_T_BUCKET:
        ok = bucketable(id);
        result = floe_ice_type_get(FLOE_ICE_INT);
        break;
    case FLOE_ICE_T_TRUNCATE:
        ok = id == FLOE_ICE_INT || id == FLOE_ICE_LONG || id == FLOE_ICE_DECIMAL ||
             id == FLOE_ICE_STRING || id == FLOE_ICE_BINARY;
        break;
    case FLOE_ICE_T_YEAR:
    case FLOE_ICE_T_MONTH:
        ok = id == FLOE_ICE_DATE || is_timestamp(id);
        result = floe_ice_type_get(FLOE_ICE_INT);
        break;
    case FLOE_ICE_T_DAY:
        ok = id == FLOE_ICE_DATE || is_timestamp(id);
        result = floe_ice_type_get(FLOE_ICE_DATE);
        break;
    case FLOE_ICE_T_HOUR:
        ok = is_timestamp(id);
        result = floe_ice_type_get(FLOE_ICE_INT);
        break;
    case FLOE_ICE_T_VOID:
        ok = true;
        break;
    case FLOE_ICE_T_UNKNOWN:
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unknown transform \"%s\"",
                            t.text != NULL ? t.text : "?");
    }
    if (!ok) {
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_ice_transform_format(t, &b, NULL);
        floe_status st = floe_err_set(err, FLOE_ERR_INVALID, "cannot apply %s to a %s column",
                                      floe_buf_cstr(&b), floe_ice_type_name(id));
        floe_buf_fini(&b);
        return st;
    }
    *out = result;
    return FLOE_OK;
}

/* ==== Application ==== */

#define US_PER_HOUR INT64_C(3600000000)
#define US_PER_DAY INT64_C(86400000000)

/* Micros since the epoch of a timestamp value in any unit (floor for nanos). */
static int64_t ts_micros(const floe_value *v)
{
    if (v->unit == FLOE_UNIT_NANOS) {
        return ice_floor_div(v->u.i64, 1000);
    }
    int64_t us;
    if (v->unit == FLOE_UNIT_MILLIS) {
        /* saturate: millisecond values this far out are not real dates */
        return __builtin_mul_overflow(v->u.i64, 1000, &us) ? (v->u.i64 < 0 ? INT64_MIN : INT64_MAX)
                                                           : us;
    }
    return v->u.i64;
}

/* Days since the epoch of a date or timestamp value. */
static int64_t value_days(const floe_value *v)
{
    if (v->kind == FLOE_V_DATE) {
        return v->u.i32;
    }
    return ice_floor_div(ts_micros(v), US_PER_DAY);
}

static int32_t months_from_days(int64_t days)
{
    int64_t y;
    int m, d;
    floe_civil_from_days(days, &y, &m, &d);
    return (int32_t)((y - 1970) * 12 + (m - 1));
}

static int32_t years_from_days(int64_t days)
{
    int64_t y;
    int m, d;
    floe_civil_from_days(days, &y, &m, &d);
    return (int32_t)(y - 1970);
}

static floe_status apply_truncate(int32_t w, const floe_ice_type *source, const floe_value *v,
                                  floe_value *out, floe_err *err)
{
    *out = *v;
    switch (source->id) {
    case FLOE_ICE_INT:
        if (v->kind == FLOE_V_INT) {
            /* v - (((v % W) + W) % W), wrapping like Java's int arithmetic */
            int32_t r = (int32_t)((((int64_t)v->u.i32 % w) + w) % w);
            out->u.i32 = (int32_t)((uint32_t)v->u.i32 - (uint32_t)r);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_LONG:
        if (v->kind == FLOE_V_LONG || v->kind == FLOE_V_INT) {
            int64_t x = v->kind == FLOE_V_INT ? v->u.i32 : v->u.i64;
            int64_t r = ((x % w) + w) % w;
            *out = floe_value_long((int64_t)((uint64_t)x - (uint64_t)r));
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_DECIMAL:
        if (v->kind == FLOE_V_DECIMAL) {
            __int128 r = ((v->u.dec % w) + w) % w;
            out->u.dec = v->u.dec - r;
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_STRING:
        if (v->kind == FLOE_V_STRING) {
            return floe_ice_truncate_lower_bound(source, v, w, out, err);
        }
        break;
    case FLOE_ICE_BINARY:
        if (v->kind == FLOE_V_BINARY || v->kind == FLOE_V_FIXED) {
            return floe_ice_truncate_lower_bound(source, v, w, out, err);
        }
        break;
    default:
        break;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "cannot truncate a %s value",
                        floe_ice_type_name(source->id));
}

floe_status floe_ice_transform_apply(floe_ice_transform t, const floe_ice_type *source,
                                     const floe_value *v, floe_value *out, floe_err *err)
{
    const floe_ice_type *rt;
    floe_status st = floe_ice_transform_result_type(NULL, t, source, &rt, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (v->kind == FLOE_V_NULL || t.kind == FLOE_ICE_T_VOID) {
        *out = floe_value_null();
        return FLOE_OK;
    }
    bool time_ok = v->kind == FLOE_V_DATE || v->kind == FLOE_V_TIMESTAMP;
    switch (t.kind) {
    case FLOE_ICE_T_IDENTITY:
        *out = *v;
        return FLOE_OK;
    case FLOE_ICE_T_BUCKET: {
        int32_t h;
        st = floe_ice_bucket_hash(source, v, &h, err);
        if (st != FLOE_OK) {
            return st;
        }
        *out = floe_value_int((h & INT32_MAX) % t.param);
        return FLOE_OK;
    }
    case FLOE_ICE_T_TRUNCATE:
        return apply_truncate(t.param, source, v, out, err);
    case FLOE_ICE_T_YEAR:
        if (!time_ok) {
            break;
        }
        *out = floe_value_int(years_from_days(value_days(v)));
        return FLOE_OK;
    case FLOE_ICE_T_MONTH:
        if (!time_ok) {
            break;
        }
        *out = floe_value_int(months_from_days(value_days(v)));
        return FLOE_OK;
    case FLOE_ICE_T_DAY:
        if (!time_ok) {
            break;
        }
        *out = floe_value_date((int32_t)value_days(v));
        return FLOE_OK;
    case FLOE_ICE_T_HOUR:
        if (v->kind != FLOE_V_TIMESTAMP) {
            break;
        }
        *out = floe_value_int((int32_t)ice_floor_div(ts_micros(v), US_PER_HOUR));
        return FLOE_OK;
    default:
        break;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "value does not match the %s source type",
                        floe_ice_type_name(source->id));
}

/* ==== Human strings ==== */

/* Java's LocalTime.toString: HH:mm, then :ss and a 3, 6 or 9 digit fraction when nonzero. */
static floe_status java_time(int64_t nanos_of_day, floe_buf *out, floe_err *err)
{
    int64_t secs = nanos_of_day / 1000000000, frac = nanos_of_day % 1000000000;
    int h = (int)(secs / 3600), m = (int)(secs / 60 % 60), s = (int)(secs % 60);
    floe_status st = floe_buf_printf(out, err, "%02d:%02d", h, m);
    if (st != FLOE_OK || (s == 0 && frac == 0)) {
        return st;
    }
    st = floe_buf_printf(out, err, ":%02d", s);
    if (st != FLOE_OK || frac == 0) {
        return st;
    }
    if (frac % 1000000 == 0) {
        return floe_buf_printf(out, err, ".%03lld", (long long)(frac / 1000000));
    }
    if (frac % 1000 == 0) {
        return floe_buf_printf(out, err, ".%06lld", (long long)(frac / 1000));
    }
    return floe_buf_printf(out, err, ".%09lld", (long long)frac);
}

static floe_status java_date(int64_t days, floe_buf *out, floe_err *err)
{
    char buf[FLOE_VALUE_TEXT_MAX];
    if (days < INT32_MIN || days > INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "date out of range");
    }
    floe_format_date((int32_t)days, buf);
    return floe_buf_append_str(out, buf, err);
}

/* Java's BigDecimal.toString: plain unless the adjusted exponent is below -6. */
static floe_status java_decimal(__int128 unscaled, int32_t scale, floe_buf *out, floe_err *err)
{
    int digits = ice_decimal_digits(unscaled);
    int64_t adjusted = -(int64_t)scale + (digits - 1);
    char buf[FLOE_VALUE_TEXT_MAX];
    if (scale >= 0 && adjusted >= -6) {
        floe_format_decimal(unscaled, scale, buf);
        return floe_buf_append_str(out, buf, err);
    }
    floe_format_decimal(unscaled, 0, buf); /* all digits, with sign */
    const char *d = buf[0] == '-' ? buf + 1 : buf;
    floe_status st = floe_buf_printf(out, err, "%s%c", buf[0] == '-' ? "-" : "", d[0]);
    if (st == FLOE_OK && d[1] != '\0') {
        st = floe_buf_printf(out, err, ".%s", d + 1);
    }
    if (st == FLOE_OK) {
        st = floe_buf_printf(out, err, "E%s%lld", adjusted >= 0 ? "+" : "", (long long)adjusted);
    }
    return st;
}

/* Java's Double.toString (and Float.toString with float precision). */
static floe_status java_double(double v, bool is_float, floe_buf *out, floe_err *err)
{
    if (isnan(v)) {
        return floe_buf_append_str(out, "NaN", err);
    }
    if (isinf(v)) {
        return floe_buf_append_str(out, v > 0 ? "Infinity" : "-Infinity", err);
    }
    if (v == 0) {
        return floe_buf_append_str(out, signbit(v) ? "-0.0" : "0.0", err);
    }
    /* Shortest digits that round-trip. */
    char buf[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
        if (is_float ? (float)strtod(buf, NULL) == (float)v : strtod(buf, NULL) == v) {
            break;
        }
    }
    /* buf is "-d.ddde+XX": split into digits and exponent. */
    bool neg = buf[0] == '-';
    const char *p = neg ? buf + 1 : buf;
    char digits[32];
    size_t nd = 0;
    for (; *p != 'e' && *p != '\0'; p++) {
        if (*p != '.') {
            digits[nd++] = *p;
        }
    }
    digits[nd] = '\0';
    int exp = atoi(p + 1);
    floe_status st = neg ? floe_buf_append_str(out, "-", err) : FLOE_OK;
    double mag = fabs(v);
    if (st == FLOE_OK && mag >= 1e-3 && mag < 1e7) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++) {
                st = floe_buf_append_byte(out, (uint8_t)((size_t)i < nd ? digits[i] : '0'), err);
            }
            st = floe_buf_append_byte(out, '.', err);
            if ((size_t)exp + 1 < nd) {
                st = floe_buf_append_str(out, digits + exp + 1, err);
            } else {
                st = floe_buf_append_byte(out, '0', err);
            }
        } else {
            st = floe_buf_append_str(out, "0.", err);
            for (int i = 0; i < -exp - 1; i++) {
                st = floe_buf_append_byte(out, '0', err);
            }
            st = floe_buf_append_str(out, digits, err);
        }
        return st;
    }
    if (st == FLOE_OK) {
        st = floe_buf_printf(out, err, "%c.%s", digits[0], nd > 1 ? digits + 1 : "0");
    }
    if (st == FLOE_OK) {
        st = floe_buf_printf(out, err, "E%d", exp);
    }
    return st;
}

static floe_status human_value(const floe_ice_type *t, const floe_value *v, floe_buf *out,
                               floe_err *err)
{
    char buf[FLOE_VALUE_TEXT_MAX];
    switch (v->kind) {
    case FLOE_V_BOOL:
        return floe_buf_append_str(out, v->u.b ? "true" : "false", err);
    case FLOE_V_INT:
        return floe_buf_printf(out, err, "%d", v->u.i32);
    case FLOE_V_LONG:
        return floe_buf_printf(out, err, "%lld", (long long)v->u.i64);
    case FLOE_V_FLOAT:
        return java_double(v->u.f32, true, out, err);
    case FLOE_V_DOUBLE:
        return java_double(v->u.f64, false, out, err);
    case FLOE_V_DECIMAL:
        return java_decimal(v->u.dec, v->scale, out, err);
    case FLOE_V_DATE:
        return java_date(v->u.i32, out, err);
    case FLOE_V_TIME: {
        __int128 ns = v->unit == FLOE_UNIT_NANOS    ? (__int128)v->u.i64
                      : v->unit == FLOE_UNIT_MILLIS ? (__int128)v->u.i64 * 1000000
                                                    : (__int128)v->u.i64 * 1000;
        if (ns < 0 || ns >= (__int128)86400 * 1000000000) {
            return floe_err_set(err, FLOE_ERR_INVALID, "time of day out of range");
        }
        return java_time((int64_t)ns, out, err);
    }
    case FLOE_V_TIMESTAMP: {
        int64_t per_day = v->unit == FLOE_UNIT_NANOS    ? INT64_C(86400000000000)
                          : v->unit == FLOE_UNIT_MILLIS ? INT64_C(86400000)
                                                        : US_PER_DAY;
        int64_t days = ice_floor_div(v->u.i64, per_day);
        int64_t rem = v->u.i64 - days * per_day;
        int64_t ns = v->unit == FLOE_UNIT_NANOS    ? rem
                     : v->unit == FLOE_UNIT_MILLIS ? rem * 1000000
                                                   : rem * 1000;
        floe_status st = java_date(days, out, err);
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(out, 'T', err);
        }
        if (st == FLOE_OK) {
            st = java_time(ns, out, err);
        }
        if (st == FLOE_OK && (v->flags & FLOE_VF_UTC)) {
            st = floe_buf_append_byte(out, 'Z', err);
        }
        return st;
    }
    case FLOE_V_STRING:
        return floe_buf_append(out, v->u.bytes.ptr, v->u.bytes.len, err);
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return floe_base64_encode(v->u.bytes.ptr, v->u.bytes.len, FLOE_BASE64_STD, out, err);
    case FLOE_V_UUID: {
        floe_uuid u;
        memcpy(u.b, v->u.uuid, 16);
        floe_uuid_format(&u, buf);
        return floe_buf_append_str(out, buf, err);
    }
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "no human string for a %s value",
                            floe_ice_type_name(t->id));
    }
}

floe_status floe_ice_transform_human(floe_ice_transform t, const floe_ice_type *result,
                                     const floe_value *v, floe_buf *out, floe_err *err)
{
    if (v->kind == FLOE_V_NULL) {
        return floe_buf_append_str(out, "null", err);
    }
    switch (t.kind) {
    case FLOE_ICE_T_YEAR:
        if (v->kind != FLOE_V_INT) {
            break;
        }
        return floe_buf_printf(out, err, "%04lld", (long long)(1970 + (int64_t)v->u.i32));
    case FLOE_ICE_T_MONTH: {
        if (v->kind != FLOE_V_INT) {
            break;
        }
        int64_t months = v->u.i32;
        int64_t yy = 1970 + ice_floor_div(months, 12);
        int64_t mm = months - ice_floor_div(months, 12) * 12 + 1;
        return floe_buf_printf(out, err, "%04lld-%02lld", (long long)yy, (long long)mm);
    }
    case FLOE_ICE_T_DAY:
        if (v->kind != FLOE_V_DATE && v->kind != FLOE_V_INT) {
            break;
        }
        return java_date(v->u.i32, out, err);
    case FLOE_ICE_T_HOUR: {
        if (v->kind != FLOE_V_INT) {
            break;
        }
        int64_t hours = v->u.i32;
        int64_t days = ice_floor_div(hours, 24);
        floe_status st = java_date(days, out, err);
        return st != FLOE_OK ? st
                             : floe_buf_printf(out, err, "-%02lld", (long long)(hours - days * 24));
    }
    default:
        return human_value(result, v, out, err);
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "partition value does not match the transform");
}
