/* SPDX-License-Identifier: Apache-2.0 */
/* Client secrets and bearer tokens, and the strict REST path decoding. */
#include "floe_test.h"

#include "server/server_int.h"

#include <string.h>
#include <unistd.h>

static void test_secret_hash_round_trip(void **state)
{
    (void)state;
    floe_err err = {0};
    char *hash = NULL;
    FLOE_ASSERT_OK(floe_server_hash_secret("s3cret", &hash, &err), &err);
    assert_true(floe_starts_with(hash, "$y$"));
    floe_auth_client clients[] = {{"spark", hash}};
    server_auth *a = server_auth_new(clients, 1, 60000);
    FLOE_ASSERT_OK(server_auth_check_client(a, "spark", "s3cret", &err), &err);
    FLOE_ASSERT_ERR(server_auth_check_client(a, "spark", "s3cre", &err), FLOE_ERR_AUTH, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(server_auth_check_client(a, "other", "s3cret", &err), FLOE_ERR_AUTH, &err,
                    NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_server_hash_secret("", &hash, &err), FLOE_ERR_INVALID, &err, NULL);
    server_auth_free(a);
    free(clients[0].secret_hash);
}

static void test_tokens_verify_and_reject_tampering(void **state)
{
    floe_test_ctx *t = *state;
    server_auth *a = server_auth_new(NULL, 0, 60000);
    int64_t ttl = 0;
    const char *tok = server_auth_issue(a, t->arena, "spark", &ttl);
    assert_int_equal(ttl, 60);
    const char *who = NULL;
    assert_int_equal(server_auth_verify(a, t->arena, tok, &who), AUTH_OK);
    assert_string_equal(who, "spark");
    assert_int_equal(server_auth_verify(a, t->arena, NULL, NULL), AUTH_MISSING);
    assert_int_equal(server_auth_verify(a, t->arena, "", NULL), AUTH_MISSING);
    assert_int_equal(server_auth_verify(a, t->arena, "floe1.abc", NULL), AUTH_INVALID);
    /* Flip one character of the payload, then of the signature. */
    size_t len = strlen(tok);
    char *bad = floe_arena_strdup(t->arena, tok);
    bad[7] = bad[7] == 'A' ? 'B' : 'A';
    assert_int_equal(server_auth_verify(a, t->arena, bad, NULL), AUTH_INVALID);
    bad = floe_arena_strdup(t->arena, tok);
    bad[len - 2] = bad[len - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(server_auth_verify(a, t->arena, bad, NULL), AUTH_INVALID);
    /* Another server (another key) does not accept it. */
    server_auth *other = server_auth_new(NULL, 0, 60000);
    assert_int_equal(server_auth_verify(other, t->arena, tok, NULL), AUTH_INVALID);
    server_auth_free(other);
    server_auth_free(a);

    server_auth *brief = server_auth_new(NULL, 0, 1);
    tok = server_auth_issue(brief, t->arena, "spark", &ttl);
    usleep(5000);
    assert_int_equal(server_auth_verify(brief, t->arena, tok, NULL), AUTH_EXPIRED);
    server_auth_free(brief);
}

static void test_rest_decoding(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    char *d = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_rest_decode(t->arena, "a%2Fb+c%41", 10, &d, &n, &err), &err);
    assert_string_equal(d, "a/b cA");
    const char *bad[] = {"%", "%4", "%G0", "%00", "a%zz"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        assert_int_equal(floe_rest_decode(t->arena, bad[i], strlen(bad[i]), &d, &n, NULL),
                         FLOE_ERR_INVALID);
    }
    floe_namespace ns;
    FLOE_ASSERT_OK(floe_rest_parse_namespace(t->arena, "a%1Fb%1fc", 9, &ns, &err), &err);
    assert_int_equal(ns.n, 3);
    assert_string_equal(ns.levels[2], "c");
    assert_int_equal(floe_rest_parse_namespace(t->arena, "a%1F", 4, &ns, NULL), FLOE_ERR_INVALID);
    assert_int_equal(floe_rest_parse_namespace(t->arena, "", 0, &ns, NULL), FLOE_ERR_INVALID);
    assert_int_equal(floe_rest_parse_namespace(t->arena, "a%01", 4, &ns, NULL), FLOE_ERR_INVALID);
    const char *name = NULL;
    FLOE_ASSERT_OK(floe_rest_parse_name(t->arena, "%2E%2E", 6, &name, &err), &err);
    assert_string_equal(name, "..");
    char huge[FLOE_REST_SEGMENT_MAX + 2];
    memset(huge, 'a', sizeof(huge));
    assert_int_equal(floe_rest_decode(t->arena, huge, sizeof(huge), &d, &n, NULL),
                     FLOE_ERR_INVALID);
}

FLOE_TEST_GROUP(auth)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_hash_round_trip),
        cmocka_unit_test_setup_teardown(test_tokens_verify_and_reject_tampering, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rest_decoding, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
