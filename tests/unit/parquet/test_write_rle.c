/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RLE / bit-packed hybrid encoder: exact bytes for hand-worked inputs (the spec's bit-packing
 * example, runs borrowed into a literal group, width 0), and round trips through the test-only
 * decoder for every width 0..32 over inputs mixing runs and noise.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

static void expect(const floe_buf *b, const uint8_t *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void test_rle_run_bytes(void **state)
{
    (void)state;
    floe_buf b;
    floe_buf_init(&b, 0);
    uint32_t ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    floe_pq_rle_encode_u32(ones, 8, 1, &b); /* header 8 << 1, one value byte */
    expect(&b, (const uint8_t[]){0x10, 0x01}, 2);

    floe_buf_reset(&b);
    uint32_t big[300];
    for (int i = 0; i < 300; i++) {
        big[i] = 0x12345;
    }
    floe_pq_rle_encode_u32(big, 300, 17, &b); /* header 600 = 0xD8 0x04, 3 value bytes */
    expect(&b, (const uint8_t[]){0xD8, 0x04, 0x45, 0x23, 0x01}, 5);
    floe_buf_fini(&b);
}

static void test_bit_packing_spec_example(void **state)
{
    (void)state;
    /* Encodings.md: 0..7 with width 3 pack to 10001000 11000110 11111010. */
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_rle_encode_u32(v, 8, 3, &b);
    expect(&b, (const uint8_t[]){0x03, 0x88, 0xC6, 0xFA}, 4);
    floe_buf_fini(&b);
}

static void test_literal_group_borrows_from_run(void **state)
{
    (void)state;
    /* 3 literals, then 20 fives: 5 fives fill the literal group, 15 remain as a run. */
    uint32_t v[23] = {1, 2, 3};
    for (int i = 3; i < 23; i++) {
        v[i] = 5;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_rle_encode_u32(v, 23, 3, &b);
    /* group [1,2,3,5,5,5,5,5] packed LSB-first in 3-bit fields: D1 DA B6 */
    expect(&b, (const uint8_t[]){0x03, 0xD1, 0xDA, 0xB6, 0x1E, 0x05}, 6);

    /* A repeat too short to stand alone after filling the group stays literal. */
    floe_buf_reset(&b);
    floe_pq_rle_encode_u32(v, 13, 3, &b); /* 3 literals + 10 fives: 13 values, 2 groups */
    assert_int_equal(b.len, 1 + 6);
    assert_int_equal((uint8_t)b.data[0], 0x05);
    floe_buf_fini(&b);
}

static void test_width_zero_and_empty(void **state)
{
    (void)state;
    uint32_t zeros[100] = {0};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_rle_encode_u32(zeros, 0, 5, &b);
    assert_int_equal(b.len, 0);
    floe_pq_rle_encode_u32(zeros, 100, 0, &b);
    expect(&b, (const uint8_t[]){0xC8, 0x01}, 2);
    floe_buf_fini(&b);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static void test_round_trip_every_width(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 64, 1000, 5003};
    uint32_t *vals = floe_xmalloc(5003 * sizeof(uint32_t));
    uint32_t *back = floe_xmalloc(5003 * sizeof(uint32_t));
    floe_buf b;
    floe_buf_init(&b, 0);
    for (int w = 0; w <= 32; w++) {
        uint32_t mask = w == 32 ? UINT32_MAX : ((uint32_t)1 << w) - 1;
        for (size_t li = 0; li < FLOE_ARRAY_LEN(lens); li++) {
            size_t n = lens[li];
            /* stretches of noise and of repeats of random lengths */
            size_t i = 0;
            while (i < n) {
                size_t len = 1 + rnd() % 40;
                bool repeat = rnd() % 2;
                uint32_t v = rnd() & mask;
                for (size_t k = 0; k < len && i < n; k++, i++) {
                    vals[i] = repeat ? v : (rnd() & mask);
                }
            }
            vals[n - 1] = mask; /* the widest value occurs */
            floe_buf_reset(&b);
            floe_pq_rle_encode_u32(vals, n, w, &b);
            size_t used = 0;
            memset(back, 0xAB, n * sizeof(uint32_t));
            assert_true(tu_rle_decode((const uint8_t *)b.data, b.len, w, back, n, &used));
            assert_int_equal(used, b.len);
            assert_memory_equal(back, vals, n * sizeof(uint32_t));
            /* never worse than one bit-packed run plus headers */
            assert_true(b.len <= (n + 7) / 8 * (size_t)w + 16 + n / 8 * 6);
        }
    }
    floe_buf_fini(&b);
    free(vals);
    free(back);
}

static void test_levels_round_trip(void **state)
{
    (void)state;
    int16_t lv[3000];
    for (int i = 0; i < 3000; i++) {
        lv[i] = (int16_t)(i % 100 < 90 ? 3 : i % 4); /* long runs of 3 with noise */
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_pq_rle_encode_i16(lv, 3000, 2, &b);
    uint32_t back[3000];
    assert_true(tu_rle_decode((const uint8_t *)b.data, b.len, 2, back, 3000, NULL));
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(back[i], (uint32_t)lv[i]);
    }
    assert_true(b.len < 3000 / 4); /* runs compress */
    floe_buf_fini(&b);
}

FLOE_TEST_GROUP(write_rle)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rle_run_bytes),
        cmocka_unit_test(test_bit_packing_spec_example),
        cmocka_unit_test(test_literal_group_borrows_from_run),
        cmocka_unit_test(test_width_zero_and_empty),
        cmocka_unit_test(test_round_trip_every_width),
        cmocka_unit_test(test_levels_round_trip),
    };
    return cmocka_run_group_tests_name("write_rle", tests, NULL, NULL);
}
