/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the runtime's text and byte parsers: ISO timestamps, durations, UUIDs, base64, hex,
 * sizes, integers, and cursor varints. Every parser must return a status, never crash, and
 * round-trip what it accepts where a formatter exists.
 */
#include "floe/base.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = floe_xstrndup((const char *)data, size); /* stops at an embedded NUL */
    size_t n = strlen(s);
    floe_err err = {0};

    int64_t us;
    if (floe_time_parse_iso(s, n, &us, &err) == FLOE_OK) {
        char iso[FLOE_ISO_TIME_MAX];
        size_t len = floe_time_format_iso(us, iso);
        int64_t back;
        FLOE_VERIFY(floe_time_parse_iso(iso, len, &back, NULL) == FLOE_OK && back == us);
    }
    floe_duration_parse(s, &us, NULL);

    floe_uuid u;
    if (floe_uuid_parse(s, n, &u, NULL) == FLOE_OK) {
        char out[FLOE_UUID_STR_LEN + 1];
        floe_uuid_format(&u, out);
        FLOE_VERIFY(strlen(out) == FLOE_UUID_STR_LEN);
    }

    floe_buf b;
    floe_buf_init(&b, 1 << 20);
    if (floe_base64_decode(s, n, &b, NULL) == FLOE_OK) {
        floe_buf again;
        floe_buf_init(&again, 0);
        FLOE_VERIFY(floe_base64_encode(b.data, b.len, FLOE_BASE64_STD, &again, NULL) == FLOE_OK);
        floe_buf_fini(&again);
    }
    floe_buf_fini(&b);

    uint8_t *hex = floe_xmalloc(n / 2 + 1);
    floe_hex_decode(s, n, hex, NULL);
    free(hex);

    uint64_t u64;
    int64_t i64;
    double d;
    bool bl;
    floe_parse_size(s, &u64, NULL);
    floe_parse_i64(s, &i64, NULL);
    floe_parse_u64(s, &u64, NULL);
    floe_parse_double(s, &d, NULL);
    floe_parse_bool(s, &bl, NULL);
    free(s);

    floe_cursor c;
    floe_cursor_init(&c, data, size);
    while (floe_cursor_remaining(&c) > 0) {
        if (floe_cursor_zvarint(&c, &i64, NULL) != FLOE_OK) {
            break;
        }
    }
    return 0;
}
