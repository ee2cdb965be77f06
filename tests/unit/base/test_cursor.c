/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <string.h>

static void test_fixed_width_reads(void **state)
{
    (void)state;
    floe_err err = {0};
    const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                            0x00, 0x00, 0x80, 0x3f, 0xde, 0xad, 0xbe, 0xef};
    floe_cursor c;
    floe_cursor_init(&c, data, sizeof(data));
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    float f;
    FLOE_ASSERT_OK(floe_cursor_u8(&c, &u8, &err), &err);
    assert_int_equal(u8, 1);
    FLOE_ASSERT_OK(floe_cursor_u16le(&c, &u16, &err), &err);
    assert_int_equal(u16, 0x0302);
    FLOE_ASSERT_OK(floe_cursor_u32le(&c, &u32, &err), &err);
    assert_int_equal(u32, 0x07060504);
    FLOE_ASSERT_OK(floe_cursor_skip(&c, 2, &err), &err);
    FLOE_ASSERT_OK(floe_cursor_f32le(&c, &f, &err), &err);
    assert_true(f == 1.0f);
    FLOE_ASSERT_OK(floe_cursor_u32be(&c, &u32, &err), &err);
    assert_int_equal(u32, 0xdeadbeef);
    assert_int_equal(floe_cursor_remaining(&c), 0);
}

static void test_read_past_end_fails_with_offset(void **state)
{
    (void)state;
    floe_err err = {0};
    const uint8_t data[6] = {0};
    floe_cursor c;
    floe_cursor_init(&c, data, sizeof(data));
    uint64_t v;
    FLOE_ASSERT_OK(floe_cursor_skip(&c, 4, &err), &err);
    FLOE_ASSERT_ERR(floe_cursor_u64le(&c, &v, &err), FLOE_ERR_CORRUPT, &err,
                    "at offset 4: need 8 bytes, 2 left");
    assert_int_equal(c.pos, 4); /* a failed read does not move the cursor */
    floe_err_clear(&err);
    const uint8_t *p;
    FLOE_ASSERT_ERR(floe_cursor_bytes(&c, SIZE_MAX, &p, &err), FLOE_ERR_CORRUPT, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_cursor_seek(&c, 7, &err), FLOE_ERR_CORRUPT, &err, "past the end");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_cursor_seek(&c, 6, &err), &err);
    uint8_t b;
    FLOE_ASSERT_ERR(floe_cursor_u8(&c, &b, &err), FLOE_ERR_CORRUPT, &err, NULL);
}

static void test_varints(void **state)
{
    (void)state;
    floe_err err = {0};
    static const struct {
        uint8_t bytes[10];
        size_t len;
        uint64_t want;
    } cases[] = {
        {{0x00}, 1, 0},
        {{0x7f}, 1, 127},
        {{0x80, 0x01}, 2, 128},
        {{0xac, 0x02}, 2, 300},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, UINT64_MAX},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_cursor c;
        floe_cursor_init(&c, cases[i].bytes, cases[i].len);
        uint64_t v;
        FLOE_ASSERT_OK(floe_cursor_uvarint(&c, &v, &err), &err);
        assert_true(v == cases[i].want);
        assert_int_equal(c.pos, cases[i].len);
    }
    /* Zigzag: 0 -> 0, 1 -> -1, 2 -> 1, 3 -> -2. */
    const uint8_t zz[] = {0x00, 0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xff, 0x0f};
    floe_cursor c;
    floe_cursor_init(&c, zz, sizeof(zz));
    int64_t want[] = {0, -1, 1, -2, INT32_MIN};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(want); i++) {
        int64_t v;
        FLOE_ASSERT_OK(floe_cursor_zvarint(&c, &v, &err), &err);
        assert_true(v == want[i]);
    }
}

static void test_bad_varints(void **state)
{
    (void)state;
    floe_err err = {0};
    const uint8_t truncated[] = {0x80, 0x80};
    const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    const uint8_t overflow[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    floe_cursor c;
    uint64_t v;
    floe_cursor_init(&c, truncated, sizeof(truncated));
    FLOE_ASSERT_ERR(floe_cursor_uvarint(&c, &v, &err), FLOE_ERR_CORRUPT, &err, "truncated");
    floe_err_clear(&err);
    floe_cursor_init(&c, too_long, sizeof(too_long));
    FLOE_ASSERT_ERR(floe_cursor_uvarint(&c, &v, &err), FLOE_ERR_CORRUPT, &err, NULL);
    floe_err_clear(&err);
    floe_cursor_init(&c, overflow, sizeof(overflow));
    FLOE_ASSERT_ERR(floe_cursor_uvarint(&c, &v, &err), FLOE_ERR_CORRUPT, &err, "64 bits");
}

FLOE_TEST_GROUP(cursor)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_width_reads),
        cmocka_unit_test(test_read_past_end_fails_with_offset),
        cmocka_unit_test(test_varints),
        cmocka_unit_test(test_bad_varints),
    };
    return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
