/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Identifiers: validation of namespace levels and object names, their display form, their
 * storage key (levels joined by 0x1F, which no valid name contains), and the safe path segment
 * a name becomes inside a warehouse location.
 */
#include "catalog_int.h"

#include <stdio.h>
#include <string.h>

#define NS_SEP '\x1f'

/* Length of the valid UTF-8 sequence at `p` (RFC 3629: no overlongs, no surrogates), 0 if bad. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t n;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (avail < n || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

floe_status floe_ident_check_name(const char *s, size_t len, floe_err *err)
{
    if (s == NULL || len == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty name");
    }
    if (len > FLOE_IDENT_NAME_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "name longer than %d bytes",
                            FLOE_IDENT_NAME_MAX);
    }
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            return floe_err_set(err, FLOE_ERR_INVALID, "name has a control character at byte %zu",
                                i);
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "name is not valid UTF-8 at byte %zu", i);
        }
        if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "name has a control character at byte %zu",
                                i); /* C1 controls U+0080..U+009F */
        }
        i += n;
    }
    return FLOE_OK;
}

floe_status floe_namespace_check(const floe_namespace *ns, floe_err *err)
{
    if (ns == NULL || ns->n == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty namespace");
    }
    if (ns->n > FLOE_NAMESPACE_LEVELS_MAX) {
        return floe_err_set(err, FLOE_ERR_INVALID, "namespace has more than %d levels",
                            FLOE_NAMESPACE_LEVELS_MAX);
    }
    for (size_t i = 0; i < ns->n; i++) {
        const char *l = ns->levels[i];
        if (floe_ident_check_name(l, l != NULL ? strlen(l) : 0, err) != FLOE_OK) {
            floe_err_wrap(err, "namespace level %zu", i + 1);
            return FLOE_ERR_INVALID;
        }
    }
    return FLOE_OK;
}

floe_status floe_ident_check(const floe_ident *id, floe_err *err)
{
    floe_status st = floe_namespace_check(&id->ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (floe_ident_check_name(id->name, id->name != NULL ? strlen(id->name) : 0, err) != FLOE_OK) {
        floe_err_wrap(err, "object name");
        return FLOE_ERR_INVALID;
    }
    return FLOE_OK;
}

static char *join_levels(floe_arena *a, const char *const *levels, size_t n, char sep)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += strlen(levels[i]) + 1;
    }
    char *out = floe_arena_alloc(a, len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            out[pos++] = sep;
        }
        size_t l = strlen(levels[i]);
        memcpy(out + pos, levels[i], l);
        pos += l;
    }
    out[pos] = '\0';
    return out;
}

const char *floe_namespace_display(floe_arena *a, const floe_namespace *ns)
{
    return join_levels(a, ns->levels, ns->n, '.');
}

const char *floe_ident_display(floe_arena *a, const floe_ident *id)
{
    const char *ns = floe_namespace_display(a, &id->ns);
    return ns != NULL ? floe_arena_sprintf(a, "%s.%s", ns, id->name) : NULL;
}

char *catalog_ns_key(floe_arena *a, const floe_namespace *ns)
{
    return join_levels(a, ns->levels, ns->n, NS_SEP);
}

char *catalog_ns_parent_key(floe_arena *a, const floe_namespace *ns)
{
    return join_levels(a, ns->levels, ns->n > 0 ? ns->n - 1 : 0, NS_SEP);
}

floe_status catalog_ns_from_key(floe_arena *a, const char *key, floe_namespace *out, floe_err *err)
{
    size_t n = 1;
    for (const char *p = key; *p != '\0'; p++) {
        n += *p == NS_SEP;
    }
    const char **levels = floe_arena_calloc(a, n, sizeof(char *));
    if (levels == NULL) {
        return floe_arena_check(a, err);
    }
    size_t i = 0;
    const char *start = key;
    for (const char *p = key;; p++) {
        if (*p == NS_SEP || *p == '\0') {
            levels[i] = floe_arena_strndup(a, start, (size_t)(p - start));
            if (levels[i] == NULL) {
                return floe_arena_check(a, err);
            }
            i++;
            start = p + 1;
            if (*p == '\0') {
                break;
            }
        }
    }
    out->levels = levels;
    out->n = n;
    return FLOE_OK;
}

static bool safe_segment_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

const char *floe_ident_path_segment(floe_arena *a, const char *name)
{
    size_t len = strlen(name);
    bool safe = len > 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
    for (size_t i = 0; safe && i < len; i++) {
        safe = safe_segment_byte((unsigned char)name[i]);
    }
    if (safe) {
        return floe_arena_strdup(a, name);
    }
    char *out = floe_arena_alloc(a, len + 10);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        out[i] = safe_segment_byte(c) && c != '.' ? (char)c : '_';
    }
    uint32_t h = (uint32_t)floe_xxh64(name, len, 0);
    snprintf(out + len, 10, "-%08x", h);
    return out;
}
