/* SPDX-License-Identifier: Apache-2.0 */
/*
 * REST path helpers: strict percent-decoding and the parsing of namespaces and names out of
 * path segments and query values. libmicrohttpd is told not to decode anything (see server.c),
 * so every byte of a path reaches these functions as the client sent it: a '/' inside a name
 * arrives as %2F and never splits a segment, and a bad escape is a 400, not a guess.
 */
#include "server_int.h"

#include <string.h>

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

floe_status floe_rest_decode(floe_arena *a, const char *s, size_t len, char **out, size_t *out_len,
                             floe_err *err)
{
    if (len > FLOE_REST_SEGMENT_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "path segment longer than %d bytes",
                            FLOE_REST_SEGMENT_MAX);
    }
    char *d = floe_arena_alloc(a, len + 1);
    if (d == NULL) {
        return floe_arena_check(a, err);
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3) {
                return floe_err_set(err, FLOE_ERR_INVALID, "truncated percent-escape at byte %zu",
                                    i);
            }
            int h = hex_val(s[i + 1]), l = hex_val(s[i + 2]);
            if (h < 0 || l < 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "bad percent-escape at byte %zu", i);
            }
            c = (char)(h << 4 | l);
            if (c == '\0') {
                return floe_err_set(err, FLOE_ERR_INVALID, "percent-escape decodes to NUL");
            }
            i += 2;
        } else if (c == '+') {
            c = ' ';
        } else if (c == '\0') {
            return floe_err_set(err, FLOE_ERR_INVALID, "NUL byte in path");
        }
        d[n++] = c;
    }
    d[n] = '\0';
    *out = d;
    if (out_len != NULL) {
        *out_len = n;
    }
    return FLOE_OK;
}

floe_status floe_rest_parse_namespace(floe_arena *a, const char *raw, size_t len,
                                      floe_namespace *out, floe_err *err)
{
    char *d = NULL;
    size_t dlen = 0;
    floe_status st = floe_rest_decode(a, raw, len, &d, &dlen, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "namespace");
        return st;
    }
    size_t n = 1;
    for (size_t i = 0; i < dlen; i++) {
        n += d[i] == '\x1f';
    }
    if (n > FLOE_NAMESPACE_LEVELS_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "namespace has more than %d levels",
                            FLOE_NAMESPACE_LEVELS_MAX);
    }
    const char **levels = floe_arena_calloc(a, n, sizeof(char *));
    if (levels == NULL) {
        return floe_arena_check(a, err);
    }
    size_t k = 0;
    char *start = d;
    for (size_t i = 0; i <= dlen; i++) {
        if (i == dlen || d[i] == '\x1f') {
            d[i] = '\0';
            levels[k++] = start;
            start = d + i + 1;
        }
    }
    out->levels = levels;
    out->n = n;
    st = floe_namespace_check(out, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "namespace");
    }
    return st;
}

floe_status floe_rest_parse_name(floe_arena *a, const char *raw, size_t len, const char **out,
                                 floe_err *err)
{
    char *d = NULL;
    size_t dlen = 0;
    floe_status st = floe_rest_decode(a, raw, len, &d, &dlen, err);
    if (st == FLOE_OK) {
        st = floe_ident_check_name(d, dlen, err);
    }
    if (st != FLOE_OK) {
        floe_err_wrap(err, "name");
        return st;
    }
    *out = d;
    return FLOE_OK;
}
