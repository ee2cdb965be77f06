/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Heap allocation that aborts on exhaustion, string helpers and strict number parsing.
 * Running out of memory is not an error a caller can handle usefully here; sizes that come
 * from untrusted input are checked against limits before they reach these functions.
 */
#include "floe/base.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ==== Allocation ==== */

void *floe_xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        floe_panic(__FILE__, __LINE__, "out of memory allocating %zu bytes", n);
    }
    return p;
}

void *floe_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
    if (p == NULL) {
        floe_panic(__FILE__, __LINE__, "out of memory allocating %zu x %zu bytes", count, size);
    }
    return p;
}

void *floe_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        floe_panic(__FILE__, __LINE__, "out of memory reallocating to %zu bytes", n);
    }
    return q;
}

char *floe_xstrdup(const char *s)
{
    return floe_xstrndup(s, strlen(s));
}

char *floe_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = floe_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *floe_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    FLOE_VERIFY(n >= 0);
    char *p = floe_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

bool floe_mul_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* ==== Strings ==== */

floe_str floe_str_c(const char *s)
{
    floe_str r = {s ? s : "", s ? strlen(s) : 0};
    return r;
}

bool floe_str_eq(floe_str a, floe_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool floe_str_eq_c(floe_str a, const char *b)
{
    return floe_str_eq(a, floe_str_c(b));
}

bool floe_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool floe_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* ==== Numbers ==== */

static floe_status bad_number(floe_err *err, const char *s, const char *what)
{
    return floe_err_set(err, FLOE_ERR_INVALID, "'%s' is not %s", s ? s : "(null)", what);
}

floe_status floe_parse_i64(const char *s, int64_t *out, floe_err *err)
{
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        return bad_number(err, s, "an integer");
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0') {
        return bad_number(err, s, "an integer");
    }
    if (errno == ERANGE) {
        return floe_err_set(err, FLOE_ERR_INVALID, "'%s' is out of range for a 64-bit integer", s);
    }
    *out = (int64_t)v;
    return FLOE_OK;
}

floe_status floe_parse_i32(const char *s, int32_t *out, floe_err *err)
{
    int64_t v;
    floe_status st = floe_parse_i64(s, &v, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "'%s' is out of range for a 32-bit integer", s);
    }
    *out = (int32_t)v;
    return FLOE_OK;
}

floe_status floe_parse_u64(const char *s, uint64_t *out, floe_err *err)
{
    if (s == NULL || !isdigit((unsigned char)*s)) {
        return bad_number(err, s, "a non-negative integer");
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0') {
        return bad_number(err, s, "a non-negative integer");
    }
    if (errno == ERANGE) {
        return floe_err_set(err, FLOE_ERR_INVALID, "'%s' is out of range for a 64-bit integer", s);
    }
    *out = (uint64_t)v;
    return FLOE_OK;
}

floe_status floe_parse_double(const char *s, double *out, floe_err *err)
{
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        return bad_number(err, s, "a number");
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || isnan(v) || isinf(v)) {
        return bad_number(err, s, "a finite number");
    }
    if (errno == ERANGE && fabs(v) > 1.0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "'%s' is out of range", s);
    }
    *out = v;
    return FLOE_OK;
}

floe_status floe_parse_bool(const char *s, bool *out, floe_err *err)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; s != NULL && i < FLOE_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return FLOE_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return FLOE_OK;
        }
    }
    return bad_number(err, s, "a boolean (true or false)");
}

floe_status floe_parse_size(const char *s, uint64_t *out, floe_err *err)
{
    if (s == NULL || !isdigit((unsigned char)*s)) {
        return bad_number(err, s, "a size");
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE) {
        return floe_err_set(err, FLOE_ERR_INVALID, "size '%s' is out of range", s);
    }
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {
        {"", 0},     {"b", 0},  {"k", 10},  {"kb", 10},  {"kib", 10}, {"m", 20},  {"mb", 20},
        {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40},   {"tb", 40}, {"tib", 40},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(units); i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            if (units[i].shift > 0 && v > (UINT64_MAX >> units[i].shift)) {
                return floe_err_set(err, FLOE_ERR_INVALID, "size '%s' is out of range", s);
            }
            *out = (uint64_t)v << units[i].shift;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "size '%s' has an unknown unit (use k, m, g or t)",
                        s);
}
