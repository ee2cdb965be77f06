/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the REST path helpers: percent-decoding, namespace segments (levels split on 0x1F) and
 * object names. Whatever they accept must be a valid identifier, and an accepted namespace must
 * have a path segment that stays inside its directory (no '/', not "." or "..").
 */
#include "floe/catalog.h"
#include "floe/server.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_segment(floe_arena *a, const char *name)
{
    const char *seg = floe_ident_path_segment(a, name);
    FLOE_VERIFY(seg != NULL && seg[0] != '\0');
    FLOE_VERIFY(strchr(seg, '/') == NULL && strchr(seg, '\\') == NULL);
    FLOE_VERIFY(strcmp(seg, ".") != 0 && strcmp(seg, "..") != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new(1 << 20);
    const char *s = (const char *)data;

    char *d = NULL;
    size_t dlen = 0;
    if (floe_rest_decode(a, s, size, &d, &dlen, NULL) == FLOE_OK) {
        FLOE_VERIFY(dlen <= size && strlen(d) == dlen); /* never longer, never an inner NUL */
    }

    floe_namespace ns;
    if (floe_rest_parse_namespace(a, s, size, &ns, NULL) == FLOE_OK) {
        FLOE_VERIFY(ns.n >= 1 && ns.n <= FLOE_NAMESPACE_LEVELS_MAX);
        FLOE_VERIFY(floe_namespace_check(&ns, NULL) == FLOE_OK);
        for (size_t i = 0; i < ns.n; i++) {
            check_segment(a, ns.levels[i]);
        }
        FLOE_VERIFY(floe_namespace_display(a, &ns) != NULL);
    }

    const char *name = NULL;
    if (floe_rest_parse_name(a, s, size, &name, NULL) == FLOE_OK) {
        FLOE_VERIFY(floe_ident_check_name(name, strlen(name), NULL) == FLOE_OK);
        check_segment(a, name);
    }
    floe_arena_free(a);
    return 0;
}
