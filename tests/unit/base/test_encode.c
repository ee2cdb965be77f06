/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    floe_err err = {0};
    /* RFC 4648 section 10. */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(in); i++) {
        floe_buf b;
        floe_buf_init(&b, 0);
        FLOE_ASSERT_OK(floe_base64_encode(in[i], strlen(in[i]), FLOE_BASE64_STD, &b, &err), &err);
        assert_string_equal(floe_buf_cstr(&b), out[i]);
        floe_buf_reset(&b);
        FLOE_ASSERT_OK(floe_base64_decode(out[i], strlen(out[i]), &b, &err), &err);
        assert_int_equal(b.len, strlen(in[i]));
        assert_memory_equal(floe_buf_cstr(&b), in[i], b.len);
        floe_buf_fini(&b);
    }
}

static void test_base64_url_and_binary(void **state)
{
    (void)state;
    floe_err err = {0};
    uint8_t bytes[256];
    for (int i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)(255 - i);
    }
    floe_buf enc, dec;
    floe_buf_init(&enc, 0);
    floe_buf_init(&dec, 0);
    FLOE_ASSERT_OK(floe_base64_encode(bytes, sizeof(bytes), FLOE_BASE64_URL, &enc, &err), &err);
    assert_null(strpbrk(floe_buf_cstr(&enc), "+/="));
    FLOE_ASSERT_OK(floe_base64_decode(enc.data, enc.len, &dec, &err), &err);
    assert_int_equal(dec.len, sizeof(bytes));
    assert_memory_equal(dec.data, bytes, sizeof(bytes));
    floe_buf_fini(&enc);
    floe_buf_fini(&dec);
}

static void test_base64_rejects_junk(void **state)
{
    (void)state;
    static const char *const bad[] = {"Zm9v!", "Z", "Zm9 v", "Zg=", "Zh==", "Zm9v===", "=Zg="};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        floe_err err = {0};
        floe_buf b;
        floe_buf_init(&b, 0);
        FLOE_ASSERT_ERR(floe_base64_decode(bad[i], strlen(bad[i]), &b, &err), FLOE_ERR_INVALID,
                        &err, "base64");
        floe_buf_fini(&b);
    }
}

static void test_base64_respects_buffer_limit(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf b;
    floe_buf_init(&b, 8);
    FLOE_ASSERT_ERR(floe_base64_encode("0123456789", 10, FLOE_BASE64_STD, &b, &err),
                    FLOE_ERR_TOO_BIG, &err, NULL);
    floe_buf_fini(&b);
}

static void test_hex(void **state)
{
    (void)state;
    floe_err err = {0};
    const uint8_t bytes[] = {0x00, 0x01, 0xab, 0xff};
    char s[9];
    floe_hex_encode(bytes, sizeof(bytes), s);
    assert_string_equal(s, "0001abff");
    uint8_t back[4];
    FLOE_ASSERT_OK(floe_hex_decode("0001ABff", 8, back, &err), &err);
    assert_memory_equal(back, bytes, 4);
    FLOE_ASSERT_ERR(floe_hex_decode("abc", 3, back, &err), FLOE_ERR_INVALID, &err, "odd length");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_hex_decode("0g", 2, back, &err), FLOE_ERR_INVALID, &err, "offset 1");
}

FLOE_TEST_GROUP(encode)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_url_and_binary),
        cmocka_unit_test(test_base64_rejects_junk),
        cmocka_unit_test(test_base64_respects_buffer_limit),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
