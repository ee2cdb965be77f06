/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include "floe/compress.h"

#include <string.h>

static const floe_codec all_codecs[] = {
    FLOE_CODEC_NONE, FLOE_CODEC_SNAPPY,  FLOE_CODEC_GZIP,       FLOE_CODEC_DEFLATE,
    FLOE_CODEC_ZSTD, FLOE_CODEC_LZ4_RAW, FLOE_CODEC_LZ4_HADOOP, FLOE_CODEC_BROTLI,
};

static void fill(uint8_t *p, size_t n)
{
    /* Compressible but not trivial: repeated phrases with a counter. */
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)("lakehouse tables stay fast "[i % 27] + (i / 997) % 3);
    }
}

static void test_round_trip_every_codec(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 100, 70000, 1 << 20};
    for (size_t ci = 0; ci < FLOE_ARRAY_LEN(all_codecs); ci++) {
        floe_codec c = all_codecs[ci];
        for (size_t si = 0; si < FLOE_ARRAY_LEN(sizes); si++) {
            floe_err err = {0};
            size_t n = sizes[si];
            uint8_t *src = floe_xmalloc(n + 1);
            fill(src, n);
            floe_buf comp;
            floe_buf_init(&comp, 0);
            FLOE_ASSERT_OK(floe_compress(c, 0, src, n, &comp, &err), &err);
            if (c != FLOE_CODEC_NONE && n >= 70000) {
                assert_true(comp.len < n / 2); /* it really compressed */
            }
            uint8_t *back = floe_xmalloc(n + 1);
            FLOE_ASSERT_OK(floe_decompress(c, comp.data, comp.len, back, n, &err), &err);
            assert_memory_equal(back, src, n);
            floe_buf grown;
            floe_buf_init(&grown, 0);
            FLOE_ASSERT_OK(floe_decompress_buf(c, comp.data, comp.len, n + 10, &grown, &err), &err);
            assert_int_equal(grown.len, n);
            assert_memory_equal(grown.data ? grown.data : "", src, n);
            floe_buf_fini(&grown);
            floe_buf_fini(&comp);
            free(back);
            free(src);
        }
    }
}

static void test_wrong_size_and_garbage_fail(void **state)
{
    (void)state;
    uint8_t src[5000], out[6000];
    fill(src, sizeof(src));
    for (size_t ci = 1; ci < FLOE_ARRAY_LEN(all_codecs); ci++) {
        floe_codec c = all_codecs[ci];
        floe_err err = {0};
        floe_buf comp;
        floe_buf_init(&comp, 0);
        FLOE_ASSERT_OK(floe_compress(c, 0, src, sizeof(src), &comp, &err), &err);
        /* Claimed size too small or too large. */
        FLOE_ASSERT_ERR(floe_decompress(c, comp.data, comp.len, out, sizeof(src) - 1, &err),
                        FLOE_ERR_CORRUPT, &err, NULL);
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_decompress(c, comp.data, comp.len, out, sizeof(src) + 1, &err),
                        FLOE_ERR_CORRUPT, &err, NULL);
        floe_err_clear(&err);
        /* Truncated input. */
        FLOE_ASSERT_ERR(floe_decompress(c, comp.data, comp.len / 2, out, sizeof(src), &err),
                        FLOE_ERR_CORRUPT, &err, "corrupt");
        floe_err_clear(&err);
        /* Output bigger than the stated limit. */
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_status st = floe_decompress_buf(c, comp.data, comp.len, 100, &b, &err);
        assert_true(st == FLOE_ERR_TOO_BIG || st == FLOE_ERR_CORRUPT);
        floe_buf_fini(&b);
        floe_buf_fini(&comp);
    }
    floe_err err = {0};
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof(junk));
    for (size_t ci = 1; ci < FLOE_ARRAY_LEN(all_codecs); ci++) {
        floe_err_clear(&err);
        FLOE_ASSERT_ERR(floe_decompress(all_codecs[ci], junk, sizeof(junk), out, 1000, &err),
                        FLOE_ERR_CORRUPT, &err, NULL);
    }
}

static void test_concatenated_gzip_members(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf comp;
    floe_buf_init(&comp, 0);
    FLOE_ASSERT_OK(floe_compress(FLOE_CODEC_GZIP, 0, "hello ", 6, &comp, &err), &err);
    FLOE_ASSERT_OK(floe_compress(FLOE_CODEC_GZIP, 9, "world", 5, &comp, &err), &err);
    char out[11];
    FLOE_ASSERT_OK(floe_decompress(FLOE_CODEC_GZIP, comp.data, comp.len, out, 11, &err), &err);
    assert_memory_equal(out, "hello world", 11);
    floe_buf_fini(&comp);
}

static void test_lz4_label_on_raw_block(void **state)
{
    (void)state;
    /* Some writers label raw LZ4 blocks as LZ4; the Hadoop decoder falls back to raw. */
    floe_err err = {0};
    uint8_t src[3000], out[3000];
    fill(src, sizeof(src));
    floe_buf comp;
    floe_buf_init(&comp, 0);
    FLOE_ASSERT_OK(floe_compress(FLOE_CODEC_LZ4_RAW, 0, src, sizeof(src), &comp, &err), &err);
    FLOE_ASSERT_OK(
        floe_decompress(FLOE_CODEC_LZ4_HADOOP, comp.data, comp.len, out, sizeof(out), &err), &err);
    assert_memory_equal(out, src, sizeof(src));
    floe_buf_fini(&comp);
    assert_string_equal(floe_codec_name(FLOE_CODEC_ZSTD), "zstd");
    assert_string_equal(floe_codec_name((floe_codec)99), "unknown");
}

FLOE_TEST_GROUP(codecs)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_codec),
        cmocka_unit_test(test_wrong_size_and_garbage_fail),
        cmocka_unit_test(test_concatenated_gzip_members),
        cmocka_unit_test(test_lz4_label_on_raw_block),
    };
    return cmocka_run_group_tests_name("codecs", tests, NULL, NULL);
}
