/* SPDX-License-Identifier: Apache-2.0 */
/* Randomness from the kernel (getrandom) and UUID version 4 (RFC 9562 section 5.4). */
#include "floe/base.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

void floe_random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            floe_panic(__FILE__, __LINE__, "getrandom failed: %s", strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
}

uint64_t floe_random_u64(void)
{
    uint64_t v;
    floe_random_bytes(&v, sizeof(v));
    return v;
}

void floe_uuid_v4(floe_uuid *out)
{
    floe_random_bytes(out->b, sizeof(out->b));
    out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40); /* version 4 */
    out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* variant 10 */
}

void floe_uuid_format(const floe_uuid *u, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[u->b[i] >> 4];
        out[o++] = hex[u->b[i] & 15];
    }
    out[o] = '\0';
}

floe_status floe_uuid_parse(const char *s, size_t len, floe_uuid *out, floe_err *err)
{
    if (len != FLOE_UUID_STR_LEN) {
        goto bad;
    }
    size_t bi = 0;
    for (size_t i = 0; i < len;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                goto bad;
            }
            i++;
            continue;
        }
        if (floe_hex_decode(s + i, 2, &out->b[bi], NULL) != FLOE_OK) {
            goto bad;
        }
        bi++;
        i += 2;
    }
    return FLOE_OK;
bad:
    return floe_err_set(err, FLOE_ERR_INVALID, "'%.*s' is not a UUID", (int)(len > 64 ? 64 : len),
                        s);
}
