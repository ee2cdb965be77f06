/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication: client secrets and bearer tokens.
 *
 * Client secrets are stored only as crypt(3) hashes (yescrypt by default, via libcrypt's
 * crypt_r); checking one recomputes the hash with the stored salt and compares in constant time.
 *
 * Tokens are stateless: "floe1.<payload>.<mac>", where the payload (base64url) is the client id
 * and the expiry time, and the mac (base64url) is HMAC-SHA256 over the payload with a key drawn
 * at start-up. No token table can fill up, and a restart invalidates every token (clients fetch
 * a new one, as they do on expiry).
 */
#include "server_int.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_KEY_LEN 32
#define AUTH_MAC_LEN 32
#define TOKEN_PREFIX "floe1."
#define TOKEN_MAX 1024

struct server_auth {
    const floe_auth_client *clients;
    size_t n;
    int64_t ttl_ms;
    uint8_t key[AUTH_KEY_LEN];
};

server_auth *server_auth_new(const floe_auth_client *clients, size_t n, int64_t ttl_ms)
{
    server_auth *a = floe_xcalloc(1, sizeof(*a));
    a->clients = clients;
    a->n = n;
    a->ttl_ms = ttl_ms;
    floe_random_bytes(a->key, sizeof(a->key));
    return a;
}

void server_auth_free(server_auth *a)
{
    if (a != NULL) {
        OPENSSL_cleanse(a->key, sizeof(a->key));
        free(a);
    }
}

floe_status floe_server_hash_secret(const char *secret, char **out, floe_err *err)
{
    *out = NULL;
    if (secret == NULL || secret[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty secret");
    }
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "libcrypt cannot make a yescrypt salt");
    }
    struct crypt_data *cd = floe_xcalloc(1, sizeof(*cd));
    const char *h = crypt_r(secret, salt, cd);
    floe_status st = FLOE_OK;
    if (h == NULL || h[0] != '$') {
        st = floe_err_set(err, FLOE_ERR_INTERNAL, "crypt failed");
    } else {
        *out = floe_xstrdup(h);
    }
    OPENSSL_cleanse(cd, sizeof(*cd));
    free(cd);
    return st;
}

floe_status server_auth_check_client(server_auth *a, const char *id, const char *secret,
                                     floe_err *err)
{
    const floe_auth_client *c = NULL;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->clients[i].id, id) == 0) {
            c = &a->clients[i];
        }
    }
    /* An unknown client costs a hash too, so timing does not reveal which ids exist. */
    const char *stored = c != NULL ? c->secret_hash : (a->n > 0 ? a->clients[0].secret_hash : "$");
    struct crypt_data *cd = floe_xcalloc(1, sizeof(*cd));
    const char *h = crypt_r(secret, stored, cd);
    size_t hl = h != NULL ? strlen(h) : 0, sl = strlen(stored);
    bool match =
        c != NULL && h != NULL && h[0] == '$' && hl == sl && CRYPTO_memcmp(h, stored, sl) == 0;
    OPENSSL_cleanse(cd, sizeof(*cd));
    free(cd);
    if (!match) {
        return floe_err_set(err, FLOE_ERR_AUTH, "bad client credentials");
    }
    return FLOE_OK;
}

static bool mac(const server_auth *a, const char *data, size_t len, uint8_t out[AUTH_MAC_LEN])
{
    size_t outlen = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, a->key, sizeof(a->key),
                     (const unsigned char *)data, len, out, AUTH_MAC_LEN, &outlen) != NULL &&
           outlen == AUTH_MAC_LEN;
}

const char *server_auth_issue(server_auth *a, floe_arena *ar, const char *client,
                              int64_t *expires_in_s)
{
    int64_t expiry_ms = floe_time_now_us() / 1000 + a->ttl_ms;
    char payload[256];
    int plen = snprintf(payload, sizeof(payload), "%s\n%lld", client, (long long)expiry_ms);
    uint8_t m[AUTH_MAC_LEN];
    if (plen < 0 || (size_t)plen >= sizeof(payload) || !mac(a, payload, (size_t)plen, m)) {
        return NULL;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_str(&b, TOKEN_PREFIX, NULL);
    floe_base64_encode(payload, (size_t)plen, FLOE_BASE64_URL, &b, NULL);
    floe_buf_append_byte(&b, '.', NULL);
    floe_base64_encode(m, sizeof(m), FLOE_BASE64_URL, &b, NULL);
    const char *tok = floe_arena_strdup(ar, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    *expires_in_s = a->ttl_ms / 1000;
    return tok;
}

auth_result server_auth_verify(server_auth *a, floe_arena *ar, const char *token,
                               const char **client)
{
    if (token == NULL || token[0] == '\0') {
        return AUTH_MISSING;
    }
    size_t len = strlen(token);
    if (len > TOKEN_MAX || !floe_starts_with(token, TOKEN_PREFIX)) {
        return AUTH_INVALID;
    }
    const char *p = token + strlen(TOKEN_PREFIX);
    const char *dot = strchr(p, '.');
    if (dot == NULL) {
        return AUTH_INVALID;
    }
    floe_buf payload, sig;
    floe_buf_init(&payload, 512);
    floe_buf_init(&sig, 64);
    auth_result res = AUTH_INVALID;
    uint8_t want[AUTH_MAC_LEN];
    if (floe_base64_decode(p, (size_t)(dot - p), &payload, NULL) == FLOE_OK &&
        floe_base64_decode(dot + 1, strlen(dot + 1), &sig, NULL) == FLOE_OK &&
        sig.len == AUTH_MAC_LEN && payload.len > 0 && mac(a, payload.data, payload.len, want) &&
        CRYPTO_memcmp(want, sig.data, AUTH_MAC_LEN) == 0) {
        /* Signed by us: the payload is well-formed. */
        char *nl = memchr(payload.data, '\n', payload.len);
        int64_t expiry = 0;
        if (nl != NULL && floe_parse_i64(nl + 1, &expiry, NULL) == FLOE_OK) {
            res = floe_time_now_us() / 1000 < expiry ? AUTH_OK : AUTH_EXPIRED;
            if (client != NULL) {
                *client = floe_arena_strndup(ar, payload.data, (size_t)(nl - payload.data));
            }
        }
    }
    floe_buf_fini(&payload);
    floe_buf_fini(&sig);
    return res;
}
