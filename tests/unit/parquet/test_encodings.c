/* SPDX-License-Identifier: Apache-2.0 */
/* Every value encoding decoded from hand-built bytes, and their malformed forms. */
#include "floe_test.h"
#include "pq_build.h"

#include "parquet/read_int.h"

#include <math.h>

typedef struct dec_ctx {
    floe_pq_decoder d;
    floe_buf scratch;
    uint8_t *owned;
    uint8_t *copy;
} dec_ctx;

static void ctx_init(dec_ctx *c, floe_pq_type type, int32_t type_length)
{
    memset(c, 0, sizeof(*c));
    c->d.type = type;
    c->d.type_length = type_length;
    c->d.max_bytes = 1 << 20;
    floe_buf_init(&c->scratch, 0);
}

static void ctx_fini(dec_ctx *c)
{
    free(c->owned);
    free(c->copy);
    floe_buf_fini(&c->scratch);
}

/* Decode from an exactly sized copy, so reads past the input are caught by ASan. */
static floe_status dec(dec_ctx *c, int32_t enc, const void *p, size_t len, size_t n, void *out,
                       floe_err *err)
{
    free(c->owned);
    free(c->copy);
    c->copy = floe_xmalloc(len > 0 ? len : 1);
    memcpy(c->copy, p, len);
    return floe_pq_decode_values(&c->d, enc, c->copy, len, n, out, &c->scratch, &c->owned, err);
}

static void test_plain_fixed_width(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    int32_t i32[3] = {1, -2, INT32_MAX}, o32[3];
    ctx_init(&c, FLOE_PQ_INT32, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, i32, sizeof(i32), 3, o32, &err), &err);
    assert_memory_equal(o32, i32, sizeof(i32));
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_PLAIN, i32, 11, 3, o32, &err), FLOE_ERR_CORRUPT, &err,
                    "PLAIN: 3 values need 12 bytes but the page holds 11");
    ctx_fini(&c);

    double f64[2] = {-0.0, NAN}, o64[2];
    ctx_init(&c, FLOE_PQ_DOUBLE, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, f64, sizeof(f64), 2, o64, &err), &err);
    assert_true(signbit(o64[0]) && isnan(o64[1]));
    ctx_fini(&c);

    /* Booleans are bit-packed LSB first: 10 values in 2 bytes. */
    const uint8_t bits[] = {0x4d, 0x02}; /* 1 0 1 1 0 0 1 0 | 0 1 */
    uint8_t ob[10];
    ctx_init(&c, FLOE_PQ_BOOLEAN, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, bits, 2, 10, ob, &err), &err);
    const uint8_t want[] = {1, 0, 1, 1, 0, 0, 1, 0, 0, 1};
    assert_memory_equal(ob, want, 10);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_PLAIN, bits, 1, 10, ob, &err), FLOE_ERR_CORRUPT, &err,
                    "PLAIN boolean: 10 values need 2 bytes");
    ctx_fini(&c);
}

static void test_plain_byte_arrays(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    const uint8_t ba[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 2, 0, 0, 0, 0xff, 0x00};
    floe_pq_bytes out[3];
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, ba, sizeof(ba), 3, out, &err), &err);
    assert_int_equal(out[0].len, 3);
    assert_memory_equal(out[0].ptr, "abc", 3);
    assert_int_equal(out[1].len, 0);
    assert_int_equal(out[2].len, 2);
    assert_int_equal(out[2].ptr[0], 0xff);
    assert_null(c.owned); /* pointed into the page, not copied */
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_PLAIN, ba, sizeof(ba) - 1, 3, out, &err), FLOE_ERR_CORRUPT,
                    &err, "PLAIN byte array 2 of 3: 2 bytes run past");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_PLAIN, ba, 9, 3, out, &err), FLOE_ERR_CORRUPT, &err,
                    "PLAIN byte array 1 of 3: length runs past");
    ctx_fini(&c);

    const uint8_t fixed[] = {1, 2, 3, 4, 5, 6};
    ctx_init(&c, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 3);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, fixed, 6, 2, out, &err), &err);
    assert_int_equal(out[1].len, 3);
    assert_int_equal(out[1].ptr[0], 4);
    ctx_fini(&c);

    uint8_t i96[12] = {0};
    ctx_init(&c, FLOE_PQ_INT96, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN, i96, 12, 1, out, &err), &err);
    assert_int_equal(out[0].len, 12);
    ctx_fini(&c);
}

static void test_dictionary_indices(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    ctx_init(&c, FLOE_PQ_INT64, 0);
    const int64_t dv[3] = {100, -200, 300};
    floe_pq_dict dict;
    FLOE_ASSERT_OK(floe_pq_decode_dict(&c.d, (const uint8_t *)dv, sizeof(dv), 3, &dict, &err),
                   &err);
    c.d.dict = &dict;
    /* Width 2: bit-packed 2,0,1,2,... then an RLE run of four 1s. */
    uint64_t idx[8] = {2, 0, 1, 2, 2, 1, 0, 0};
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_byte(&b, 2, NULL);
    floe_buf_append_byte(&b, 1 << 1 | 1, NULL);
    pq_pack_lsb(idx, 8, 2, &b);
    floe_buf_append_byte(&b, 4 << 1, NULL);
    floe_buf_append_byte(&b, 1, NULL);
    int64_t out[12];
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, b.data, b.len, 12, out, &err), &err);
    for (int i = 0; i < 8; i++) {
        assert_true(out[i] == dv[idx[i]]);
    }
    assert_true(out[11] == -200);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_PLAIN_DICTIONARY, b.data, b.len, 12, out, &err), &err);

    /* Width 0: every index is 0, and the runs may be absent. */
    const uint8_t zero[] = {0};
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, zero, 1, 5, out, &err), &err);
    assert_true(out[4] == 100);

    /* Index 3 in a dictionary of 3. */
    const uint8_t bad[] = {2, 2 << 1, 1, 2 << 1, 3};
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, bad, sizeof(bad), 4, out, &err),
                    FLOE_ERR_CORRUPT, &err,
                    "dictionary index 3 (value 2) is out of range for a dictionary of 3 entries");
    floe_err_clear(&err);
    const uint8_t wide[] = {33, 0};
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, wide, 2, 1, out, &err), FLOE_ERR_CORRUPT,
                    &err, "bit width 33 is over 32");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, wide, 0, 1, out, &err), FLOE_ERR_CORRUPT,
                    &err, "missing bit width byte");
    floe_err_clear(&err);
    c.d.dict = NULL;
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE_DICTIONARY, zero, 1, 1, out, &err), FLOE_ERR_CORRUPT,
                    &err, "without a dictionary page");
    floe_pq_dict_fini(&dict);
    floe_buf_fini(&b);
    ctx_fini(&c);

    /* A dictionary page claiming more values than its bytes can hold. */
    floe_err_clear(&err);
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    FLOE_ASSERT_ERR(floe_pq_decode_dict(&c.d, (const uint8_t *)"ab", 2, 1000, &dict, &err),
                    FLOE_ERR_CORRUPT, &err, "declares 1000 values but holds only 2 bytes");
    ctx_fini(&c);
}

static void test_rle_booleans(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    ctx_init(&c, FLOE_PQ_BOOLEAN, 0);
    /* length 4: RLE run of 3 trues, RLE run of 2 falses */
    const uint8_t p[] = {4, 0, 0, 0, 3 << 1, 1, 2 << 1, 0};
    uint8_t out[5];
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_RLE, p, sizeof(p), 5, out, &err), &err);
    const uint8_t want[] = {1, 1, 1, 0, 0};
    assert_memory_equal(out, want, 5);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE, p, 3, 5, out, &err), FLOE_ERR_CORRUPT, &err,
                    "missing 4-byte length");
    floe_err_clear(&err);
    const uint8_t longer[] = {9, 0, 0, 0, 3 << 1, 1};
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE, longer, sizeof(longer), 3, out, &err),
                    FLOE_ERR_CORRUPT, &err, "length 9 runs past the page end");
    ctx_fini(&c);
    floe_err_clear(&err);
    ctx_init(&c, FLOE_PQ_INT32, 0);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_RLE, p, sizeof(p), 1, out, &err), FLOE_ERR_UNSUPPORTED,
                    &err, "encoding RLE is not supported for INT32 columns");
    ctx_fini(&c);
}

static void test_delta_binary_packed(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    /* The spec's first example: 1..5, a single block of width-0 miniblocks. */
    const uint8_t simple[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    int64_t o[300];
    ctx_init(&c, FLOE_PQ_INT64, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, simple, sizeof(simple), 5, o, &err),
                   &err);
    for (int i = 0; i < 5; i++) {
        assert_true(o[i] == i + 1);
    }
    /* Extremes need 64-bit miniblocks; arithmetic wraps. */
    int64_t v[300];
    for (int i = 0; i < 300; i++) {
        v[i] = i % 3 == 0 ? INT64_MIN : i % 3 == 1 ? INT64_MAX : (int64_t)i * 1000003;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    pq_dbp_encode(v, 300, &b);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, b.data, b.len, 300, o, &err), &err);
    assert_memory_equal(o, v, sizeof(v));
    ctx_fini(&c);

    /* INT32 values, decoded through the same stream. */
    ctx_init(&c, FLOE_PQ_INT32, 0);
    int64_t v32[200];
    int32_t o32[200];
    for (int i = 0; i < 200; i++) {
        v32[i] = i % 2 ? INT32_MIN + i : INT32_MAX - i * 7;
    }
    floe_buf_reset(&b);
    pq_dbp_encode(v32, 200, &b);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, b.data, b.len, 200, o32, &err), &err);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(o32[i], (int32_t)v32[i]);
    }
    /* Only the padding of the last miniblock may be missing. */
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, b.data, b.len - 20, 200, o32, &err),
                   &err);
    assert_int_equal(o32[199], (int32_t)v32[199]);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, b.data, b.len / 2, 200, o32, &err),
                    FLOE_ERR_CORRUPT, &err, "miniblock needs");
    /* A block size that is not a multiple of 128. */
    floe_err_clear(&err);
    const uint8_t badblock[] = {100, 4, 5, 2};
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, badblock, 4, 5, o32, &err),
                    FLOE_ERR_CORRUPT, &err, "bad block size 100 with 4 miniblocks");
    /* Fewer values than the page needs. */
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, simple, sizeof(simple), 6, o32, &err),
                    FLOE_ERR_CORRUPT, &err, "stream holds 5 values, 6 expected");
    /* A miniblock wider than 64 bits. */
    floe_err_clear(&err);
    const uint8_t wide[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 65, 0, 0, 0};
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BINARY_PACKED, wide, sizeof(wide), 5, o32, &err),
                    FLOE_ERR_CORRUPT, &err, "miniblock bit width 65 is over 64");
    floe_buf_fini(&b);
    ctx_fini(&c);
}

static void test_delta_length_byte_array(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    const int64_t lens[] = {3, 0, 5};
    floe_buf b;
    floe_buf_init(&b, 0);
    pq_dbp_encode(lens, 3, &b);
    floe_buf_append_str(&b, "abchello", NULL);
    floe_pq_bytes out[3];
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY, b.data, b.len, 3, out, &err), &err);
    assert_int_equal(out[0].len, 3);
    assert_memory_equal(out[0].ptr, "abc", 3);
    assert_int_equal(out[1].len, 0);
    assert_memory_equal(out[2].ptr, "hello", 5);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY, b.data, b.len - 1, 3, out, &err),
                    FLOE_ERR_CORRUPT, &err, "value 2 of 5 bytes runs past the page end");
    floe_err_clear(&err);
    const int64_t neg[] = {3, -1};
    floe_buf_reset(&b);
    pq_dbp_encode(neg, 2, &b);
    floe_buf_append_str(&b, "abc", NULL);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY, b.data, b.len, 2, out, &err),
                    FLOE_ERR_CORRUPT, &err, "delta length -1 of value 1 is invalid");
    floe_buf_fini(&b);
    ctx_fini(&c);
}

static void build_front_coded(floe_buf *b, const int64_t *prefix, const char *const *suffix,
                              size_t n)
{
    int64_t slen[8];
    for (size_t i = 0; i < n; i++) {
        slen[i] = (int64_t)strlen(suffix[i]);
    }
    pq_dbp_encode(prefix, n, b);
    pq_dbp_encode(slen, n, b);
    for (size_t i = 0; i < n; i++) {
        floe_buf_append_str(b, suffix[i], NULL);
    }
}

static void test_delta_byte_array(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    const int64_t prefix[] = {0, 5, 4, 0};
    const char *const suffix[] = {"apple", "sauce", "y", "banana"};
    floe_buf b;
    floe_buf_init(&b, 0);
    build_front_coded(&b, prefix, suffix, 4);
    floe_pq_bytes out[4];
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BYTE_ARRAY, b.data, b.len, 4, out, &err), &err);
    const char *const want[] = {"apple", "applesauce", "apply", "banana"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(out[i].len, strlen(want[i]));
        assert_memory_equal(out[i].ptr, want[i], out[i].len);
    }
    assert_non_null(c.owned);
    /* A prefix longer than the previous value. */
    const int64_t badp[] = {0, 9};
    const char *const bads[] = {"ab", "c"};
    floe_buf_reset(&b);
    build_front_coded(&b, badp, bads, 2);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BYTE_ARRAY, b.data, b.len, 2, out, &err),
                    FLOE_ERR_CORRUPT, &err,
                    "value 1 has a prefix of 9 bytes but the previous value has 2");
    ctx_fini(&c);

    /* FIXED_LEN_BYTE_ARRAY values must keep their width. */
    floe_err_clear(&err);
    ctx_init(&c, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 3);
    const int64_t fp[] = {0, 2, 1};
    const char *const fs[] = {"abc", "d", "xy"};
    floe_buf_reset(&b);
    build_front_coded(&b, fp, fs, 3);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_DELTA_BYTE_ARRAY, b.data, b.len, 3, out, &err), &err);
    assert_memory_equal(out[1].ptr, "abd", 3);
    assert_memory_equal(out[2].ptr, "axy", 3);
    const char *const fs_bad[] = {"abc", "de", "xy"};
    floe_buf_reset(&b);
    build_front_coded(&b, fp, fs_bad, 3);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BYTE_ARRAY, b.data, b.len, 3, out, &err),
                    FLOE_ERR_CORRUPT, &err, "value 1 has 4 bytes in a FIXED(3) column");
    ctx_fini(&c);

    /* The rebuilt values are bounded by the decoder's byte limit. */
    floe_err_clear(&err);
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    c.d.max_bytes = 100;
    int64_t manyp[8] = {0, 60, 60, 60, 60, 60, 60, 60};
    const char *const manys[8] = {
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", "", "", "", "", "", ""};
    floe_buf_reset(&b);
    build_front_coded(&b, manyp, manys, 8);
    floe_pq_bytes out8[8];
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_DELTA_BYTE_ARRAY, b.data, b.len, 8, out8, &err),
                    FLOE_ERR_TOO_BIG, &err, "more than 100 bytes");
    floe_buf_fini(&b);
    ctx_fini(&c);
}

static void test_byte_stream_split(void **state)
{
    (void)state;
    floe_err err = {0};
    dec_ctx c;
    float f[3] = {1.5f, -2.25f, 3e38f}, of[3];
    uint8_t split[12];
    for (int i = 0; i < 3; i++) {
        uint8_t raw[4];
        memcpy(raw, &f[i], 4);
        for (int k = 0; k < 4; k++) {
            split[k * 3 + i] = raw[k];
        }
    }
    ctx_init(&c, FLOE_PQ_FLOAT, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_BYTE_STREAM_SPLIT, split, 12, 3, of, &err), &err);
    assert_memory_equal(of, f, sizeof(f));
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_BYTE_STREAM_SPLIT, split, 11, 3, of, &err),
                    FLOE_ERR_CORRUPT, &err, "BYTE_STREAM_SPLIT: 3 values need 12 bytes");
    ctx_fini(&c);

    int64_t l[2] = {INT64_MIN, 0x0102030405060708}, ol[2];
    uint8_t split8[16];
    for (int i = 0; i < 2; i++) {
        uint8_t raw[8];
        memcpy(raw, &l[i], 8);
        for (int k = 0; k < 8; k++) {
            split8[k * 2 + i] = raw[k];
        }
    }
    ctx_init(&c, FLOE_PQ_INT64, 0);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_BYTE_STREAM_SPLIT, split8, 16, 2, ol, &err), &err);
    assert_memory_equal(ol, l, sizeof(l));
    ctx_fini(&c);

    /* FIXED(4): must not be mistaken for a 4-byte number. */
    const uint8_t fx[8] = {'a', 'e', 'b', 'f', 'c', 'g', 'd', 'h'};
    floe_pq_bytes ob[2];
    ctx_init(&c, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 4);
    FLOE_ASSERT_OK(dec(&c, FLOE_PQ_ENC_BYTE_STREAM_SPLIT, fx, 8, 2, ob, &err), &err);
    assert_memory_equal(ob[0].ptr, "abcd", 4);
    assert_memory_equal(ob[1].ptr, "efgh", 4);
    ctx_fini(&c);

    floe_err_clear(&err);
    ctx_init(&c, FLOE_PQ_BYTE_ARRAY, 0);
    FLOE_ASSERT_ERR(dec(&c, FLOE_PQ_ENC_BYTE_STREAM_SPLIT, fx, 8, 2, ob, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "BYTE_STREAM_SPLIT on BYTE_ARRAY values");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(dec(&c, 42, fx, 8, 2, ob, &err), FLOE_ERR_UNSUPPORTED, &err,
                    "unsupported value encoding UNKNOWN (42)");
    ctx_fini(&c);
}

/* Logical conversions of single values, shared with statistics. */
static void test_leaf_values_and_stats(void **state)
{
    (void)state;
    floe_pq_node leaf = {.name = "x", .is_leaf = true};
    floe_buf out;
    floe_buf_init(&out, 0);
    floe_value v;
#define JSON_OF(str)                                                                               \
    do {                                                                                           \
        floe_buf_reset(&out);                                                                      \
        assert_true(                                                                               \
            floe_pq_stat_value(&leaf, (floe_str){(const char *)(str), sizeof(str) - 1}, &v));      \
        floe_value_to_json(&v, &out, NULL);                                                        \
    } while (0)
    /* INT96: 1 ns past midnight of 1970-01-02. */
    leaf.type = FLOE_PQ_INT96;
    JSON_OF("\x01\0\0\0\0\0\0\0\x8d\x3d\x25\0");
    assert_string_equal(out.data, "\"1970-01-02T00:00:00.000000001\"");
    /* FLOAT16 1.5 and a subnormal. */
    leaf.type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
    leaf.type_length = 2;
    leaf.logical.kind = FLOE_PQ_LT_FLOAT16;
    JSON_OF("\x00\x3e");
    assert_string_equal(out.data, "1.5");
    JSON_OF("\x01\x00");
    assert_string_equal(out.data, "5.9604645e-8");
    /* Decimals from big-endian bytes, 16 and 17 wide. */
    leaf.type = FLOE_PQ_BYTE_ARRAY;
    leaf.logical = (floe_pq_logical){.kind = FLOE_PQ_LT_DECIMAL, .precision = 38, .scale = 2};
    JSON_OF("\xff\x85");
    assert_string_equal(out.data, "\"-1.23\"");
    JSON_OF("\xff\xff\x85");
    assert_string_equal(out.data, "\"-1.23\"");
    JSON_OF("\x00\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"); /* 2^127: does not fit, stays bytes */
    assert_string_equal(out.data, "\"0080000000000000000000000000000000\"");
    /* Unsigned 32-bit integers and UTC timestamps. */
    leaf.type = FLOE_PQ_INT32;
    leaf.logical = (floe_pq_logical){.kind = FLOE_PQ_LT_INTEGER, .bit_width = 32};
    JSON_OF("\xff\xff\xff\xff");
    assert_string_equal(out.data, "4294967295");
    leaf.type = FLOE_PQ_INT64;
    leaf.logical =
        (floe_pq_logical){.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MILLIS, .utc = true};
    JSON_OF("\xe8\x03\0\0\0\0\0\0");
    assert_string_equal(out.data, "\"1970-01-01T00:00:01.000000+00:00\"");
    /* Wrong widths are malformed, not guessed. */
    assert_false(floe_pq_stat_value(&leaf, (floe_str){"abc", 3}, &v));
    leaf.type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
    leaf.type_length = 16;
    leaf.logical = (floe_pq_logical){.kind = FLOE_PQ_LT_UUID};
    assert_false(floe_pq_stat_value(&leaf, (floe_str){"abc", 3}, &v));
    JSON_OF("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12\x34\x56\x78\x9a\xbc\xde\xf0");
    assert_string_equal(out.data, "\"12345678-9abc-def0-1234-56789abcdef0\"");
#undef JSON_OF
    floe_buf_fini(&out);
}

FLOE_TEST_GROUP(encodings)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fixed_width),
        cmocka_unit_test(test_plain_byte_arrays),
        cmocka_unit_test(test_dictionary_indices),
        cmocka_unit_test(test_rle_booleans),
        cmocka_unit_test(test_delta_binary_packed),
        cmocka_unit_test(test_delta_length_byte_array),
        cmocka_unit_test(test_delta_byte_array),
        cmocka_unit_test(test_byte_stream_split),
        cmocka_unit_test(test_leaf_values_and_stats),
    };
    return cmocka_run_group_tests_name("encodings", tests, NULL, NULL);
}
