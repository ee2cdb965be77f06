/* SPDX-License-Identifier: Apache-2.0 */
/* The RLE/bit-packed hybrid, bit unpacking at every width, and legacy BIT_PACKED levels. */
#include "floe_test.h"
#include "pq_build.h"

#include "parquet/read_int.h"

static void test_bit_width(void **state)
{
    (void)state;
    const struct {
        uint64_t max;
        int w;
    } cases[] = {{0, 0}, {1, 1},   {2, 2},   {3, 2},          {4, 3},
                 {7, 3}, {255, 8}, {256, 9}, {UINT64_MAX, 64}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        assert_int_equal(floe_pq_bit_width(cases[i].max), cases[i].w);
    }
}

/* Decode from an exactly sized heap copy so ASan catches any read past the runs. */
static floe_status decode32(const uint8_t *p, size_t len, int w, uint32_t *out, size_t n,
                            floe_err *err)
{
    uint8_t *copy = floe_xmalloc(len > 0 ? len : 1);
    memcpy(copy, p, len);
    floe_status st = floe_pq_rle_decode_u32(copy, len, w, out, n, err);
    free(copy);
    return st;
}

static void test_rle_and_bit_packed_runs(void **state)
{
    (void)state;
    floe_err err = {0};
    uint32_t out[32];
    /* The spec's example: 0..7 bit-packed with width 3 is 10001000 11000110 11111010. */
    const uint8_t packed[] = {0x03, 0x88, 0xc6, 0xfa};
    FLOE_ASSERT_OK(decode32(packed, sizeof(packed), 3, out, 8, &err), &err);
    for (uint32_t i = 0; i < 8; i++) {
        assert_int_equal(out[i], i);
    }
    /* An RLE run of 5 threes, then 300 copies of 0x1234 at width 13 (2 value bytes). */
    const uint8_t runs[] = {0x0a, 0x03, 0xd8, 0x04, 0x34, 0x12};
    uint32_t *big = floe_xmalloc(305 * sizeof(uint32_t));
    FLOE_ASSERT_OK(decode32(runs, 2, 2, out, 5, &err), &err);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(out[i], 3);
    }
    const uint8_t runs13[] = {0x0a, 0x03, 0x00, 0xd8, 0x04, 0x34, 0x12};
    FLOE_ASSERT_OK(decode32(runs13, sizeof(runs13), 13, big, 305, &err), &err);
    assert_int_equal(big[4], 3);
    assert_int_equal(big[5], 0x1234);
    assert_int_equal(big[304], 0x1234);
    free(big);
}

static void test_bit_packed_tail_padding_is_ignored(void **state)
{
    (void)state;
    floe_err err = {0};
    /* Two groups (16 values) of width 1 holding 10 wanted values, then junk-free end. */
    uint64_t v[16] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, /* padding: */ 1, 1, 1, 1, 1, 1};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_byte(&b, 2 << 1 | 1, NULL);
    pq_pack_lsb(v, 16, 1, &b);
    uint32_t out[10];
    FLOE_ASSERT_OK(decode32((const uint8_t *)b.data, b.len, 1, out, 10, &err), &err);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(out[i], v[i]);
    }
    /* A final bit-packed run cut short still yields the values its bytes hold. */
    FLOE_ASSERT_OK(decode32((const uint8_t *)b.data, 2, 1, out, 8, &err), &err);
    assert_int_equal(out[6], 1);
    floe_buf_fini(&b);
}

static void test_width_zero_is_all_zeros(void **state)
{
    (void)state;
    floe_err err = {0};
    uint32_t out[7] = {9, 9, 9, 9, 9, 9, 9};
    FLOE_ASSERT_OK(floe_pq_rle_decode_u32(NULL, 0, 0, out, 7, &err), &err);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(out[i], 0);
    }
    int16_t lv[3] = {5, 5, 5};
    const uint8_t junk[] = {0xff};
    FLOE_ASSERT_OK(floe_pq_rle_decode_i16(junk, 1, 0, lv, 3, &err), &err);
    assert_int_equal(lv[2], 0);
}

static void test_rle_errors(void **state)
{
    (void)state;
    floe_err err = {0};
    uint32_t out[16];
    const uint8_t short_run[] = {0x04, 0x01}; /* 2 values, 4 wanted */
    FLOE_ASSERT_ERR(decode32(short_run, sizeof(short_run), 1, out, 4, &err), FLOE_ERR_CORRUPT, &err,
                    "runs end after 2 of 4 values");
    floe_err_clear(&err);
    const uint8_t no_value[] = {0x08}; /* RLE run whose value bytes are missing */
    FLOE_ASSERT_ERR(decode32(no_value, sizeof(no_value), 9, out, 4, &err), FLOE_ERR_CORRUPT, &err,
                    "run value at offset 1 runs past the end");
    floe_err_clear(&err);
    const uint8_t no_data[] = {0x03}; /* bit-packed run with no bytes */
    FLOE_ASSERT_ERR(decode32(no_data, sizeof(no_data), 3, out, 4, &err), FLOE_ERR_CORRUPT, &err,
                    "bit-packed run at offset 0 has no data");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(decode32(no_data, sizeof(no_data), 33, out, 4, &err), FLOE_ERR_CORRUPT, &err,
                    "bit width 33");
    floe_err_clear(&err);
    int16_t lv[4];
    FLOE_ASSERT_ERR(floe_pq_rle_decode_i16(no_data, 1, 17, lv, 4, &err), FLOE_ERR_CORRUPT, &err,
                    "level bit width 17");
    /* Zero-length runs make progress and then end. */
    floe_err_clear(&err);
    const uint8_t zeros[] = {0x00, 0x01, 0x01}; /* an empty RLE run, an empty bit-packed run */
    FLOE_ASSERT_ERR(decode32(zeros, sizeof(zeros), 1, out, 1, &err), FLOE_ERR_CORRUPT, &err,
                    "runs end after 0 of 1");
}

/* Every width 1..32 (and 1..64), with counts that are and are not multiples of 8. */
static void test_unpack_every_width(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int w = 1; w <= 64; w++) {
        for (size_t n = 1; n <= 41; n += 8) {
            uint64_t v[48];
            uint64_t mask = w == 64 ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                v[i] = (seed ^ (seed >> 29)) & mask;
            }
            v[0] = mask; /* all ones once */
            floe_buf b;
            floe_buf_init(&b, 0);
            pq_pack_lsb(v, n, w, &b);
            uint8_t *exact = floe_xmalloc(b.len);
            memcpy(exact, b.data, b.len);
            uint64_t out64[48];
            floe_pq_unpack64(exact, b.len, w, out64, n);
            for (size_t i = 0; i < n; i++) {
                assert_true(out64[i] == v[i]);
            }
            if (w <= 32) {
                uint32_t out32[48];
                floe_pq_unpack32(exact, b.len, w, out32, n);
                for (size_t i = 0; i < n; i++) {
                    assert_int_equal(out32[i], (uint32_t)v[i]);
                }
            }
            free(exact);
            floe_buf_fini(&b);
        }
    }
}

/* Long bit-packed runs take the in-place fast path and the tail path; levels too. */
static void test_long_bit_packed_runs(void **state)
{
    (void)state;
    floe_err err = {0};
    const size_t n = 1000;
    uint64_t *v = floe_xmalloc(1008 * sizeof(uint64_t));
    for (size_t i = 0; i < 1008; i++) {
        v[i] = (i * 7919) % 1000;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    tc w;
    tc_init(&w, &b);
    tc_uvarint(&w, (1008 / 8) << 1 | 1);
    pq_pack_lsb(v, 1008, 10, &b);
    uint32_t *out = floe_xmalloc(n * sizeof(uint32_t));
    FLOE_ASSERT_OK(decode32((const uint8_t *)b.data, b.len, 10, out, n, &err), &err);
    int16_t *lv = floe_xmalloc(n * sizeof(int16_t));
    FLOE_ASSERT_OK(floe_pq_rle_decode_i16((const uint8_t *)b.data, b.len, 10, lv, n, &err), &err);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i], v[i]);
        assert_int_equal(lv[i], (int16_t)v[i]);
    }
    free(lv);
    free(out);
    free(v);
    floe_buf_fini(&b);
}

static void test_legacy_bit_packed_levels(void **state)
{
    (void)state;
    floe_err err = {0};
    int16_t out[8];
    const uint8_t w1[] = {0xb0}; /* 1 0 1 1, MSB first */
    FLOE_ASSERT_OK(floe_pq_bitpacked_decode_i16(w1, 1, 1, out, 4, &err), &err);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 1);
    assert_int_equal(out[3], 1);
    const uint8_t w3[] = {0x05, 0x39, 0x77}; /* 0..7 with width 3, MSB first */
    FLOE_ASSERT_OK(floe_pq_bitpacked_decode_i16(w3, 3, 3, out, 8, &err), &err);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(out[i], i);
    }
    FLOE_ASSERT_ERR(floe_pq_bitpacked_decode_i16(w3, 2, 3, out, 8, &err), FLOE_ERR_CORRUPT, &err,
                    "8 values of 3 bits need 3 bytes, 2 present");
}

/* Levels are checked and counted in the decoding pass, in RLE and bit-packed runs alike. */
static void test_levels_checked_and_counted(void **state)
{
    (void)state;
    floe_err err = {0};
    int16_t out[20];
    size_t at_max;
    /* RLE run of 4 twos, then 8 bit-packed values 0 1 2 2 1 0 2 2 (width 2). */
    uint64_t v[8] = {0, 1, 2, 2, 1, 0, 2, 2};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_byte(&b, 4 << 1, NULL);
    floe_buf_append_byte(&b, 2, NULL);
    floe_buf_append_byte(&b, 1 << 1 | 1, NULL);
    pq_pack_lsb(v, 8, 2, &b);
    FLOE_ASSERT_OK(
        floe_pq_rle_decode_levels((const uint8_t *)b.data, b.len, 2, 2, out, 12, &at_max, &err),
        &err);
    assert_int_equal(at_max, 8);
    assert_int_equal(out[4], 0);
    assert_int_equal(out[11], 2);
    /* The same runs against a maximum of 1: the RLE run is already over it. */
    FLOE_ASSERT_ERR(
        floe_pq_rle_decode_levels((const uint8_t *)b.data, b.len, 2, 1, out, 12, &at_max, &err),
        FLOE_ERR_CORRUPT, &err, "level 2 of entry 0 is over the maximum 1");
    /* Only inside the bit-packed run. */
    floe_err_clear(&err);
    floe_buf_reset(&b);
    floe_buf_append_byte(&b, 1 << 1 | 1, NULL);
    pq_pack_lsb(v, 8, 2, &b);
    FLOE_ASSERT_ERR(
        floe_pq_rle_decode_levels((const uint8_t *)b.data, b.len, 2, 1, out, 8, &at_max, &err),
        FLOE_ERR_CORRUPT, &err, "level 2 of entry 2 is over the maximum 1");
    /* Width 0: every level is 0, which is the maximum 0. */
    FLOE_ASSERT_OK(floe_pq_rle_decode_levels(NULL, 0, 0, 0, out, 20, &at_max, &err), &err);
    assert_int_equal(at_max, 20);
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(rle)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_width),
        cmocka_unit_test(test_rle_and_bit_packed_runs),
        cmocka_unit_test(test_bit_packed_tail_padding_is_ignored),
        cmocka_unit_test(test_width_zero_is_all_zeros),
        cmocka_unit_test(test_rle_errors),
        cmocka_unit_test(test_unpack_every_width),
        cmocka_unit_test(test_long_bit_packed_runs),
        cmocka_unit_test(test_legacy_bit_packed_levels),
        cmocka_unit_test(test_levels_checked_and_counted),
    };
    return cmocka_run_group_tests_name("rle", tests, NULL, NULL);
}
