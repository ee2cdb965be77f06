/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the maintenance text parsers, whose input comes from table properties: datetime
 * patterns (compile, format, parse), durations, and whole property sets. The first line is a
 * pattern, the second a text to parse with it; every line is also tried as a duration and as
 * a "key=value" property. Accepted inputs must round-trip: a parsed datetime formats back to
 * text that parses to the same instant, and its period is not empty.
 */
#include "floe/maintenance.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PROPS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = floe_xstrndup((const char *)data, size);
    char *lines[MAX_PROPS];
    size_t n = 0;
    for (char *p = s; n < MAX_PROPS;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl == NULL) {
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    floe_arena *a = floe_arena_new(1 << 20);
    const floe_mnt_pattern *pat = NULL;
    if (floe_mnt_pattern_compile(a, lines[0], &pat, NULL) == FLOE_OK) {
        floe_buf b;
        floe_buf_init(&b, 1 << 16);
        int64_t probes[] = {0, -1, INT64_C(1659917400123456), INT64_C(253402300799999999)};
        for (size_t i = 0; i < FLOE_ARRAY_LEN(probes); i++) {
            floe_buf_reset(&b);
            floe_mnt_pattern_format(pat, probes[i], &b, NULL);
        }
        if (n > 1) {
            int64_t start = 0, end = 0;
            if (floe_mnt_pattern_parse(pat, lines[1], strlen(lines[1]), &start, &end, NULL) ==
                FLOE_OK) {
                FLOE_VERIFY(end > start);
                floe_buf_reset(&b);
                if (floe_mnt_pattern_format(pat, start, &b, NULL) == FLOE_OK) {
                    int64_t again = 0, end2 = 0;
                    FLOE_VERIFY(floe_mnt_pattern_parse(pat, floe_buf_cstr(&b), b.len, &again, &end2,
                                                       NULL) == FLOE_OK);
                    FLOE_VERIFY(again == start && end2 == end);
                }
            }
        }
        floe_buf_fini(&b);
    }
    floe_kv kv[MAX_PROPS];
    size_t nkv = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t ms;
        floe_mnt_duration_parse(lines[i], &ms, NULL);
        char *eq = strchr(lines[i], '=');
        if (eq != NULL) {
            *eq = '\0';
            kv[nkv++] = (floe_kv){lines[i], eq + 1};
        }
    }
    floe_mnt_props props;
    if (floe_mnt_props_parse(kv, nkv, &props, NULL) == FLOE_OK) {
        floe_mnt_expire_opts eo;
        floe_mnt_expire_opts_from_props(&props, INT64_C(1659917400000), &eo);
        FLOE_VERIFY(eo.retain_last >= 1);
        floe_mnt_tag_opts to;
        floe_mnt_tag_opts_from_props(a, &props, INT64_C(1659917400000), &to, NULL);
    }
    floe_arena_free(a);
    free(s);
    return 0;
}
