/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (RFC 4648, standard and URL-safe alphabets) and hexadecimal. */
#include "floe/base.h"

#include <string.h>

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

floe_status floe_base64_encode(const void *data, size_t len, floe_base64_variant v, floe_buf *out,
                               floe_err *err)
{
    const char *alpha = v == FLOE_BASE64_URL ? b64_url : b64_std;
    const uint8_t *p = data;
    floe_status st = floe_buf_reserve(out, (len + 2) / 3 * 4, err);
    if (st != FLOE_OK) {
        return st;
    }
    char *o = out->data + out->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = alpha[w >> 18];
        *o++ = alpha[(w >> 12) & 63];
        *o++ = alpha[(w >> 6) & 63];
        *o++ = alpha[w & 63];
    }
    if (i < len) {
        uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = alpha[w >> 18];
        *o++ = alpha[(w >> 12) & 63];
        if (i + 1 < len) {
            *o++ = alpha[(w >> 6) & 63];
        } else if (v == FLOE_BASE64_STD) {
            *o++ = '=';
        }
        if (v == FLOE_BASE64_STD) {
            *o++ = '=';
        }
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return FLOE_OK;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

floe_status floe_base64_decode(const char *s, size_t len, floe_buf *out, floe_err *err)
{
    /* Strip up to two '=' of padding; then the length mod 4 must not be 1. */
    size_t n = len;
    for (int k = 0; k < 2 && n > 0 && s[n - 1] == '='; k++) {
        n--;
    }
    if (n % 4 == 1 || (n != len && len % 4 != 0)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "base64 input has a bad length (%zu)", len);
    }
    floe_status st = floe_buf_reserve(out, n / 4 * 3 + 2, err);
    if (st != FLOE_OK) {
        return st;
    }
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "bad base64 character at offset %zu", i);
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->data[out->len++] = (char)((acc >> bits) & 0xff);
        }
    }
    /* Leftover bits must be zero, or the input was not produced by an encoder. */
    if ((acc & ((1u << bits) - 1)) != 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "base64 input has nonzero trailing bits");
    }
    out->data[out->len] = '\0';
    return FLOE_OK;
}

void floe_hex_encode(const void *data, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
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

floe_status floe_hex_decode(const char *s, size_t len, uint8_t *out, floe_err *err)
{
    if (len % 2 != 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "hex string has odd length %zu", len);
    }
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
        if (hi < 0 || lo < 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "bad hex digit at offset %zu",
                                hi < 0 ? i : i + 1);
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return FLOE_OK;
}
