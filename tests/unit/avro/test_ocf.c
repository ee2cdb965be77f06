/* SPDX-License-Identifier: Apache-2.0 */
/* Object container files: every codec round trips through memory and through a floe_input;
 * broken headers, sync markers, truncated blocks, bad CRCs, impossible counts and unknown
 * codecs fail with clear errors; the writer keeps the schema text and metadata verbatim. */
#include "floe_test.h"

#include "avro/avro_int.h"
#include "floe/avro.h"
#include "floe/io.h"
#include "sample.h"

static const uint8_t fixed_sync[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
                                       5,    6,    7,    8,    9, 10, 11, 12};

static const floe_codec codecs[] = {FLOE_CODEC_NONE, FLOE_CODEC_DEFLATE, FLOE_CODEC_SNAPPY,
                                    FLOE_CODEC_ZSTD};

/* Write `n` all-types records (or manifest entries) into `out`. */
static void write_sample(floe_arena *a, const char *schema, bool manifest, floe_codec codec,
                         size_t block_records, int n, floe_buf *out)
{
    floe_err err = {0};
    floe_avro_write_opts o = {.codec = codec, .block_records = block_records, .sync = fixed_sync};
    floe_avro_writer *w = NULL;
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(out, schema, strlen(schema), &o, &w, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_set_meta_str(w, "format-version", "2", &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_set_meta(w, "binary", "\x00\x01", 2, &err), &err);
    for (int i = 0; i < n; i++) {
        floe_value v = manifest ? avro_sample_manifest_entry(a, i) : avro_sample_all_types(a, i);
        FLOE_ASSERT_OK(floe_avro_writer_append(w, &v, &err), &err);
    }
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    assert_int_equal(floe_avro_writer_records(w), n);
    assert_int_equal(floe_avro_writer_bytes(w), out->len);
    floe_avro_writer_free(w);
}

static char *json_of(floe_arena *a, const floe_value *v)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_value_to_json(v, &b, NULL), NULL);
    char *s = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

/* Read every record of `r`, checking each against the sample; returns the count. */
static int read_all_checked(floe_test_ctx *t, floe_avro_reader *r, bool manifest)
{
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    int n = 0;
    for (;;) {
        floe_value v;
        bool got = false;
        floe_arena_reset(a);
        FLOE_ASSERT_OK(floe_avro_reader_next(r, a, &v, &got, &err), &err);
        if (!got) {
            break;
        }
        floe_value want = manifest ? avro_sample_manifest_entry(a, n) : avro_sample_all_types(a, n);
        assert_string_equal(json_of(t->arena, &v), json_of(t->arena, &want));
        n++;
    }
    floe_arena_free(a);
    return n;
}

static void test_every_codec_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    const size_t block_sizes[] = {1, 7, 0};
    for (size_t ci = 0; ci < FLOE_ARRAY_LEN(codecs); ci++) {
        for (size_t bi = 0; bi < FLOE_ARRAY_LEN(block_sizes); bi++) {
            floe_err err = {0};
            floe_buf file;
            floe_buf_init(&file, 0);
            write_sample(t->arena, avro_sample_all_types_schema, false, codecs[ci], block_sizes[bi],
                         50, &file);
            floe_avro_reader *r = NULL;
            FLOE_ASSERT_OK(floe_avro_reader_open_mem(file.data, file.len, NULL, &r, &err), &err);
            assert_int_equal(floe_avro_reader_codec(r), codecs[ci]);
            assert_string_equal(floe_avro_reader_codec_name(r), floe_avro_codec_name(codecs[ci]));
            assert_memory_equal(floe_avro_reader_sync(r), fixed_sync, 16);
            floe_str v;
            assert_true(floe_avro_reader_meta_get(r, "format-version", &v));
            assert_true(floe_str_eq_c(v, "2"));
            assert_true(floe_avro_reader_meta_get(r, "binary", &v));
            assert_int_equal(v.len, 2);
            assert_memory_equal(v.ptr, "\x00\x01", 2);
            /* The schema is in the header byte for byte. */
            assert_true(floe_avro_reader_meta_get(r, "avro.schema", &v));
            assert_true(floe_str_eq_c(v, avro_sample_all_types_schema));
            assert_int_equal(read_all_checked(t, r, false), 50);
            size_t want_blocks = block_sizes[bi] ? (50 + block_sizes[bi] - 1) / block_sizes[bi] : 1;
            assert_int_equal(floe_avro_reader_blocks(r), want_blocks);
            assert_int_equal(floe_avro_reader_records(r), 50);
            floe_avro_reader_close(r);
            floe_buf_fini(&file);
        }
    }
}

static void test_streams_from_input_larger_than_the_window(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    /* ~1.5 MB of manifest entries in small blocks, with a 200 KiB metadata value, so both the
     * header read and the block window have to grow and slide. */
    floe_buf file;
    floe_buf_init(&file, 0);
    floe_avro_write_opts o = {.codec = FLOE_CODEC_DEFLATE, .block_bytes = 20000};
    floe_avro_writer *w = NULL;
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&file, avro_sample_manifest_schema,
                                            strlen(avro_sample_manifest_schema), &o, &w, &err),
                   &err);
    size_t big_len = 200 << 10;
    char *big = floe_xmalloc(big_len);
    memset(big, 'q', big_len);
    FLOE_ASSERT_OK(floe_avro_writer_set_meta(w, "big", big, big_len, &err), &err);
    free(big);
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    int n = 6000;
    for (int i = 0; i < n; i++) {
        floe_arena_reset(a);
        floe_value v = avro_sample_manifest_entry(a, i);
        FLOE_ASSERT_OK(floe_avro_writer_append(w, &v, &err), &err);
    }
    floe_arena_free(a);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    floe_avro_writer_free(w);

    const char *path = floe_test_tmp_path(t, "big.avro");
    floe_test_write_file(path, file.data, file.len);
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_input *in = NULL;
    FLOE_ASSERT_OK(floe_io_open(io, path, &in, &err), &err);
    floe_avro_reader *r = NULL;
    FLOE_ASSERT_OK(floe_avro_reader_open(in, NULL, &r, &err), &err);
    floe_str v;
    assert_true(floe_avro_reader_meta_get(r, "big", &v));
    assert_int_equal(v.len, big_len);
    assert_int_equal(read_all_checked(t, r, true), n);
    assert_true(floe_avro_reader_blocks(r) > 10);
    floe_avro_reader_close(r);

    /* A header larger than max_header_bytes is refused. */
    floe_avro_read_opts small = {.max_header_bytes = 100 << 10};
    FLOE_ASSERT_ERR(floe_avro_reader_open(in, &small, &r, &err), FLOE_ERR_TOO_BIG, &err,
                    "header is larger than 102400 bytes");
    assert_null(r);
    floe_input_close(in);
    floe_fileio_free(io);
    floe_buf_fini(&file);
}

static void test_empty_file_has_header_only(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_buf file;
    floe_buf_init(&file, 0);
    floe_avro_writer *w = NULL;
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&file, "\"long\"", 6, NULL, &w, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    FLOE_ASSERT_ERR(floe_avro_writer_finish(w, &err), FLOE_ERR_INVALID, &err, "already finished");
    floe_avro_writer_free(w);
    floe_avro_reader *r = NULL;
    FLOE_ASSERT_OK(floe_avro_reader_open_mem(file.data, file.len, NULL, &r, &err), &err);
    assert_string_equal(floe_avro_reader_codec_name(r), "null");
    floe_arena *a = floe_arena_new(1 << 20);
    floe_value v;
    bool got = true;
    FLOE_ASSERT_OK(floe_avro_reader_next(r, a, &v, &got, &err), &err);
    assert_false(got);
    floe_arena_free(a);
    floe_avro_reader_close(r);
    floe_buf_fini(&file);
}

/* Open `data` and read everything; returns the first failure (or FLOE_OK) and the records. */
static floe_status read_bytes(const void *data, size_t len, const floe_avro_read_opts *opts,
                              int *records, floe_err *err)
{
    floe_avro_reader *r = NULL;
    *records = 0;
    floe_status st = floe_avro_reader_open_mem(data, len, opts, &r, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(64 << 20);
    for (;;) {
        floe_value v;
        bool got = false;
        floe_arena_reset(a);
        st = floe_avro_reader_next(r, a, &v, &got, err);
        if (st != FLOE_OK || !got) {
            break;
        }
        (*records)++;
    }
    if (st != FLOE_OK) {
        /* Errors are sticky: the next call reports the same thing. */
        floe_err again = {0};
        floe_value v;
        bool got = true;
        assert_int_equal(floe_avro_reader_next(r, a, &v, &got, &again), st);
        assert_false(got);
        assert_string_equal(again.msg, err->msg);
    }
    floe_arena_free(a);
    floe_avro_reader_close(r);
    return st;
}

/* A file with schema "long", the null codec, the fixed sync, and `blocks` appended raw. */
static void raw_file(floe_buf *out, const char *codec, const uint8_t *blocks, size_t len)
{
    floe_buf_init(out, 0);
    floe_buf_append(out, "Obj\x01", 4, NULL);
    floe_buf_append_byte(out, 4, NULL); /* 2 entries */
    floe_buf_append_byte(out, 22, NULL);
    floe_buf_append_str(out, "avro.schema", NULL);
    floe_buf_append_byte(out, 12, NULL);
    floe_buf_append_str(out, "\"long\"", NULL);
    floe_buf_append_byte(out, 20, NULL);
    floe_buf_append_str(out, "avro.codec", NULL);
    floe_buf_append_byte(out, (uint8_t)(2 * strlen(codec)), NULL);
    floe_buf_append_str(out, codec, NULL);
    floe_buf_append_byte(out, 0, NULL);
    floe_buf_append(out, fixed_sync, 16, NULL);
    floe_buf_append(out, blocks, len, NULL);
}

static void test_header_errors(void **state)
{
    (void)state;
    floe_err err = {0};
    int n;
    FLOE_ASSERT_ERR(read_bytes("", 0, NULL, &n, &err), FLOE_ERR_CORRUPT, &err,
                    "not an avro file: 0 bytes");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes("PAR1xxxxxxxxxxxxxxxxxxxx", 24, NULL, &n, &err), FLOE_ERR_CORRUPT,
                    &err, "not an avro object container file (bad magic bytes)");

    floe_buf f;
    raw_file(&f, "null", NULL, 0);
    /* Every proper prefix of the header is a clean error. */
    for (size_t cut = 0; cut < f.len; cut++) {
        floe_err_clear(&err);
        floe_status st = read_bytes(f.data, cut, NULL, &n, &err);
        if (st != FLOE_ERR_CORRUPT) {
            fail_msg("cut at %zu: %s %s", cut, floe_status_name(st), err.msg);
        }
    }
    floe_err_clear(&err);
    FLOE_ASSERT_OK(read_bytes(f.data, f.len, NULL, &n, &err), &err);
    assert_int_equal(n, 0);
    floe_buf_fini(&f);

    floe_err_clear(&err);
    raw_file(&f, "xz", NULL, 0);
    FLOE_ASSERT_ERR(read_bytes(f.data, f.len, NULL, &n, &err), FLOE_ERR_UNSUPPORTED, &err,
                    "unsupported avro codec 'xz'");
    floe_buf_fini(&f);
    floe_err_clear(&err);
    raw_file(&f, "zstd", NULL, 0); /* an alias some writers use */
    FLOE_ASSERT_OK(read_bytes(f.data, f.len, NULL, &n, &err), &err);
    floe_buf_fini(&f);

    /* No avro.schema; a bad schema; a key twice. */
    static const uint8_t no_schema[] = {
        'O', 'b', 'j', 1, 2, 20, 'a', 'v', 'r', 'o', '.', 'c', 'o', 'd', 'e', 'c', 8,  'n', 'u',
        'l', 'l', 0,   1, 2, 3,  4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14, 15,  16};
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes(no_schema, sizeof(no_schema), NULL, &n, &err), FLOE_ERR_CORRUPT,
                    &err, "header has no avro.schema");
    static const uint8_t bad_schema[] = {'O', 'b', 'j', 1,   2,   22,  'a', 'v', 'r', 'o',
                                         '.', 's', 'c', 'h', 'e', 'm', 'a', 8,   '"', 'n',
                                         'o', '"', 0,   1,   2,   3,   4,   5,   6,   7,
                                         8,   9,   10,  11,  12,  13,  14,  15,  16};
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes(bad_schema, sizeof(bad_schema), NULL, &n, &err), FLOE_ERR_INVALID,
                    &err, "header avro.schema: avro schema: unknown type 'no'");
    static const uint8_t twice[] = {'O', 'b', 'j', 1, 4, 2, 'k', 0,  2,  'k', 0,  0,  1,  2,
                                    3,   4,   5,   6, 7, 8, 9,   10, 11, 12,  13, 14, 15, 16};
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes(twice, sizeof(twice), NULL, &n, &err), FLOE_ERR_CORRUPT, &err,
                    "metadata key 'k' appears twice");
    /* A metadata count far larger than the bytes that follow. */
    static const uint8_t huge_count[] = {'O', 'b', 'j', 1, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0};
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes(huge_count, sizeof(huge_count), NULL, &n, &err), FLOE_ERR_TOO_BIG,
                    &err, "more than 10000 metadata entries");
}

static void test_block_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *hex; /* blocks after the header; the sync is "S" */
        floe_status code;
        const char *msg;
        int records; /* read before the error */
    } cases[] = {
        {"two good blocks",
         "0404"
         "0406S"
         "0202"
         "02S",
         FLOE_OK, NULL, 3},
        {"count larger than the bytes",
         "d00f04"
         "0204S",
         FLOE_ERR_CORRUPT, "block 0 at offset 57: 1000 records cannot fit in 2 bytes", 0},
        {"negative count",
         "0304"
         "0204S",
         FLOE_ERR_CORRUPT, "negative record count -2", 0},
        {"negative size", "0203S", FLOE_ERR_CORRUPT, "negative byte size -2", 0},
        {"size past the end",
         "02c801"
         "02S",
         FLOE_ERR_CORRUPT, "truncated: 100 bytes and a sync marker announced, 17 left", 0},
        {"sync mismatch",
         "0202"
         "02S"
         "0202"
         "04XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
         FLOE_ERR_CORRUPT, "block 1 at offset 76: sync marker does not match the header's", 1},
        {"trailing bytes",
         "0206"
         "020406S",
         FLOE_ERR_CORRUPT, "block 0 at offset 57: 2 bytes left after its last record", 1},
        {"record runs past its block",
         "0404"
         "0280S",
         FLOE_ERR_CORRUPT, "block 0 at offset 57, record 1 of 2: truncated varint at byte 1", 1},
        {"junk after the last block",
         "0202"
         "02S"
         "02",
         FLOE_ERR_CORRUPT, "byte size", 1},
        {"overlong count", "ffffffffffffffffffff01", FLOE_ERR_CORRUPT,
         "record count: varint overflows 64 bits", 0},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_buf blocks;
        floe_buf_init(&blocks, 0);
        for (const char *h = cases[i].hex; *h;) {
            if (*h == 'S') {
                floe_buf_append(&blocks, fixed_sync, 16, NULL);
                h++;
            } else if (*h == 'X') {
                floe_buf_append_byte(&blocks, 0x58, NULL);
                h += 2;
            } else {
                uint8_t b;
                assert_int_equal(floe_hex_decode(h, 2, &b, NULL), FLOE_OK);
                floe_buf_append_byte(&blocks, b, NULL);
                h += 2;
            }
        }
        floe_buf f;
        raw_file(&f, "null", (const uint8_t *)blocks.data, blocks.len);
        floe_err err = {0};
        int n = -1;
        floe_status st = read_bytes(f.data, f.len, NULL, &n, &err);
        if (st != cases[i].code || (cases[i].msg && strstr(err.msg, cases[i].msg) == NULL) ||
            n != cases[i].records) {
            fail_msg("%s: status %s, %d records, message \"%s\"", cases[i].name,
                     floe_status_name(st), n, err.msg);
        }
        floe_buf_fini(&f);
        floe_buf_fini(&blocks);
    }
}

/* A schema whose records take no bytes: a block may not claim more than 65536 of them. */
static void test_zero_size_records_are_capped(void **state)
{
    (void)state;
    floe_buf f;
    floe_buf_init(&f, 0);
    floe_buf_append(&f,
                    "Obj\x01\x02\x16"
                    "avro.schema\x0c"
                    "\"null\"\x00",
                    25, NULL);
    floe_buf_append(&f, fixed_sync, 16, NULL);
    uint8_t ok[] = {0x80, 0x80, 0x08, 0x00}; /* 65536 records in 0 bytes */
    floe_buf_append(&f, ok, sizeof(ok), NULL);
    floe_buf_append(&f, fixed_sync, 16, NULL);
    floe_err err = {0};
    int n;
    FLOE_ASSERT_OK(read_bytes(f.data, f.len, NULL, &n, &err), &err);
    assert_int_equal(n, 65536);
    uint8_t many[] = {0x82, 0x80, 0x08, 0x00}; /* 65537 */
    floe_buf_append(&f, many, sizeof(many), NULL);
    floe_buf_append(&f, fixed_sync, 16, NULL);
    FLOE_ASSERT_ERR(read_bytes(f.data, f.len, NULL, &n, &err), FLOE_ERR_TOO_BIG, &err,
                    "65537 records of a schema that takes no bytes");
    assert_int_equal(n, 65536);
    floe_buf_fini(&f);
}

static void test_block_limits(void **state)
{
    floe_test_ctx *t = *state;
    floe_buf file;
    floe_buf_init(&file, 0);
    write_sample(t->arena, avro_sample_all_types_schema, false, FLOE_CODEC_NONE, 10, 20, &file);
    floe_err err = {0};
    int n;
    floe_avro_read_opts small_block = {.max_block_bytes = 1000};
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, &small_block, &n, &err), FLOE_ERR_TOO_BIG, &err,
                    "bytes, more than the 1000 allowed");
    floe_err_clear(&err);
    floe_avro_read_opts few_records = {.max_block_records = 5};
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, &few_records, &n, &err), FLOE_ERR_TOO_BIG, &err,
                    "10 records, more than the 5 allowed");
    floe_err_clear(&err);
    floe_avro_read_opts few_items = {.max_items = 2};
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, &few_items, &n, &err), FLOE_ERR_TOO_BIG, &err,
                    "array with more than 2 items");
    floe_buf_fini(&file);

    /* A deflate block that inflates past the limit. */
    floe_buf_init(&file, 0);
    floe_avro_writer *w = NULL;
    floe_avro_write_opts o = {.codec = FLOE_CODEC_DEFLATE};
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&file, "\"string\"", 8, &o, &w, &err), &err);
    char *s = floe_xcalloc(1, 100000);
    memset(s, 'a', 99999);
    floe_value v = floe_value_string(s, 99999);
    FLOE_ASSERT_OK(floe_avro_writer_append(w, &v, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    floe_avro_writer_free(w);
    free(s);
    floe_avro_read_opts limit = {.max_block_bytes = 50000};
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, &limit, &n, &err), FLOE_ERR_TOO_BIG, &err,
                    "block 0 at offset");
    floe_buf_fini(&file);
}

static void test_truncation_anywhere_fails_cleanly(void **state)
{
    floe_test_ctx *t = *state;
    for (size_t ci = 0; ci < FLOE_ARRAY_LEN(codecs); ci++) {
        floe_buf file, header;
        floe_buf_init(&file, 0);
        floe_buf_init(&header, 0);
        write_sample(t->arena, avro_sample_all_types_schema, false, codecs[ci], 2, 4, &file);
        write_sample(t->arena, avro_sample_all_types_schema, false, codecs[ci], 2, 0, &header);
        /* Every cut in the blocks; header cuts are sampled (test_header_errors has them all). */
        for (size_t cut = 0; cut < file.len; cut += cut + 16 < header.len ? 37 : 1) {
            floe_err err = {0};
            int n;
            floe_status st = read_bytes(file.data, cut, NULL, &n, &err);
            /* A cut at a block boundary leaves a shorter valid file. */
            bool clean_cut = st == FLOE_OK && n % 2 == 0 && n < 4;
            if ((st != FLOE_ERR_CORRUPT && !clean_cut) || n > 4) {
                fail_msg("%s cut at %zu of %zu: %s, %d records: %s", floe_codec_name(codecs[ci]),
                         cut, file.len, floe_status_name(st), n, err.msg);
            }
        }
        floe_buf_fini(&header);
        floe_buf_fini(&file);
    }
}

static void test_snappy_crc_is_verified(void **state)
{
    (void)state;
    /* One snappy block holding the strings "abc" and "de". */
    floe_err err = {0};
    floe_buf file;
    floe_buf_init(&file, 0);
    floe_avro_write_opts o = {.codec = FLOE_CODEC_SNAPPY, .sync = fixed_sync};
    floe_avro_writer *w = NULL;
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&file, "\"string\"", 8, &o, &w, &err), &err);
    floe_value a = floe_value_string("abc", 3), b = floe_value_string("de", 2);
    FLOE_ASSERT_OK(floe_avro_writer_append(w, &a, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_append(w, &b, &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    floe_avro_writer_free(w);
    int n;
    FLOE_ASSERT_OK(read_bytes(file.data, file.len, NULL, &n, &err), &err);
    assert_int_equal(n, 2);
    /* The CRC is the 4 bytes before the trailing sync marker. */
    size_t crc_at = file.len - 16 - 4;
    file.data[crc_at] ^= 0x01;
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, NULL, &n, &err), FLOE_ERR_CORRUPT, &err,
                    "snappy CRC32 mismatch");
    assert_int_equal(n, 0);
    file.data[crc_at] ^= 0x01;
    /* A flipped literal byte decompresses fine, so only the CRC can catch it. */
    char *lit = memchr(file.data + file.len - 40, 'a', 40);
    assert_non_null(lit);
    *lit = 'A';
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(read_bytes(file.data, file.len, NULL, &n, &err), FLOE_ERR_CORRUPT, &err,
                    "snappy CRC32 mismatch");
    floe_buf_fini(&file);
}

static void test_projection_skips_fields(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_buf file;
    floe_buf_init(&file, 0);
    write_sample(t->arena, avro_sample_manifest_schema, true, FLOE_CODEC_NONE, 0, 5, &file);
    floe_avro_reader *r = NULL;
    FLOE_ASSERT_OK(floe_avro_reader_open_mem(file.data, file.len, NULL, &r, &err), &err);
    const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(r));
    int df = floe_avro_field_index_by_id(root, 2);
    const floe_avro_node *r2 = floe_avro_field_type(root, (size_t)df);
    int lower = floe_avro_field_index_by_id(r2, 125), upper = floe_avro_field_index_by_id(r2, 128);
    FLOE_ASSERT_OK(floe_avro_reader_skip_field(r, r2, (size_t)lower, &err), &err);
    FLOE_ASSERT_OK(floe_avro_reader_skip_field(r, r2, (size_t)upper, &err), &err);
    FLOE_ASSERT_ERR(floe_avro_reader_skip_field(r, r2, 99, &err), FLOE_ERR_INVALID, &err,
                    "record r2 has no field 99");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_avro_reader_skip_field(r, floe_avro_field_type(r2, 0), 0, &err),
                    FLOE_ERR_INVALID, &err, "needs a record type of this reader's schema");
    for (int i = 0; i < 5; i++) {
        floe_value v;
        bool got = false;
        FLOE_ASSERT_OK(floe_avro_reader_next(r, t->arena, &v, &got, &err), &err);
        assert_true(got);
        const floe_value *file_v = &v.u.nested.items[df];
        assert_int_equal(file_v->u.nested.items[lower].kind, FLOE_V_NULL);
        assert_int_equal(file_v->u.nested.items[upper].kind, FLOE_V_NULL);
        /* Fields after the skipped ones still decode. */
        const floe_value *sort = &file_v->u.nested.items[floe_avro_field_index_by_id(r2, 140)];
        assert_int_equal(sort->kind, FLOE_V_INT);
        const floe_value *rc = &file_v->u.nested.items[floe_avro_field_index_by_id(r2, 103)];
        assert_int_equal(rc->u.i64, 10 + i);
    }
    floe_avro_reader_close(r);
    floe_buf_fini(&file);
}

static void test_writer_rules(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_buf file;
    floe_buf_init(&file, 0);
    floe_avro_writer *w = NULL;
    floe_avro_write_opts brotli = {.codec = FLOE_CODEC_BROTLI};
    FLOE_ASSERT_ERR(floe_avro_writer_new_buf(&file, "\"int\"", 5, &brotli, &w, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "avro files cannot use the brotli codec");
    assert_null(w);
    floe_err_clear(&err);
    const char *bad = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a b\","
                      "\"type\":\"int\"}]}";
    FLOE_ASSERT_ERR(floe_avro_writer_new_buf(&file, bad, strlen(bad), NULL, &w, &err),
                    FLOE_ERR_INVALID, &err, "invalid field name 'a b'");
    floe_err_clear(&err);

    const char *schema = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                         "\"type\":\"int\",\"field-id\":1,\"x-custom\":{\"keep\":[1,2]}}]}";
    FLOE_ASSERT_OK(floe_avro_writer_new_buf(&file, schema, strlen(schema), NULL, &w, &err), &err);
    FLOE_ASSERT_ERR(floe_avro_writer_set_meta_str(w, "avro.codec", "x", &err), FLOE_ERR_INVALID,
                    &err, "avro metadata key 'avro.codec' is reserved");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_avro_writer_set_meta_str(w, "k", "first", &err), &err);
    FLOE_ASSERT_OK(floe_avro_writer_set_meta_str(w, "k", "second", &err), &err);
    const char *const names[] = {"a"};
    floe_value ok = avro_sample_struct(t->arena, names, 1, (floe_value[]){floe_value_int(7)});
    floe_value wrong =
        avro_sample_struct(t->arena, names, 1, (floe_value[]){floe_value_string("x", 1)});
    FLOE_ASSERT_OK(floe_avro_writer_append(w, &ok, &err), &err);
    /* A value that does not fit is refused, and the writer goes on. */
    FLOE_ASSERT_ERR(floe_avro_writer_append(w, &wrong, &err), FLOE_ERR_INVALID, &err,
                    "avro value for field a: STRING value does not fit type int");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_avro_writer_append(w, &ok, &err), &err);
    FLOE_ASSERT_ERR(floe_avro_writer_set_meta_str(w, "late", "x", &err), FLOE_ERR_INVALID, &err,
                    "must be set before the first record");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    FLOE_ASSERT_ERR(floe_avro_writer_append(w, &ok, &err), FLOE_ERR_INVALID, &err,
                    "already finished");
    floe_avro_writer_free(w);

    floe_avro_reader *r = NULL;
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_avro_reader_open_mem(file.data, file.len, NULL, &r, &err), &err);
    floe_str v;
    assert_true(floe_avro_reader_meta_get(r, "k", &v) && floe_str_eq_c(v, "second"));
    assert_true(floe_avro_reader_meta_get(r, "avro.schema", &v) && floe_str_eq_c(v, schema));
    int n = 0;
    for (;;) {
        floe_value rec;
        bool got;
        FLOE_ASSERT_OK(floe_avro_reader_next(r, t->arena, &rec, &got, &err), &err);
        if (!got) {
            break;
        }
        assert_int_equal(rec.u.nested.items[0].u.i32, 7);
        n++;
    }
    assert_int_equal(n, 2);
    floe_avro_reader_close(r);
    floe_buf_fini(&file);
}

static void test_writes_through_floe_output(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    const char *path = floe_test_tmp_path(t, "m.avro");
    floe_output *o = NULL;
    FLOE_ASSERT_OK(floe_io_create(io, path, FLOE_IO_CREATE_EXCLUSIVE, &o, &err), &err);
    floe_avro_writer *w = NULL;
    floe_avro_write_opts opts = {.codec = FLOE_CODEC_ZSTD, .block_records = 4};
    FLOE_ASSERT_OK(floe_avro_writer_new(o, avro_sample_manifest_schema,
                                        strlen(avro_sample_manifest_schema), &opts, &w, &err),
                   &err);
    for (int i = 0; i < 10; i++) {
        floe_value v = avro_sample_manifest_entry(t->arena, i);
        FLOE_ASSERT_OK(floe_avro_writer_append(w, &v, &err), &err);
    }
    FLOE_ASSERT_OK(floe_avro_writer_finish(w, &err), &err);
    assert_int_equal(floe_avro_writer_bytes(w), floe_output_size(o));
    floe_avro_writer_free(w);
    FLOE_ASSERT_OK(floe_output_commit(o, &err), &err);
    floe_input *in = NULL;
    FLOE_ASSERT_OK(floe_io_open(io, path, &in, &err), &err);
    floe_avro_reader *r = NULL;
    FLOE_ASSERT_OK(floe_avro_reader_open(in, NULL, &r, &err), &err);
    assert_int_equal(read_all_checked(t, r, true), 10);
    assert_int_equal(floe_avro_reader_blocks(r), 3);
    floe_avro_reader_close(r);
    floe_input_close(in);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(ocf)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_codec_round_trips),
        T(test_streams_from_input_larger_than_the_window),
        T(test_empty_file_has_header_only),
        T(test_header_errors),
        T(test_block_errors),
        T(test_block_limits),
        T(test_zero_size_records_are_capped),
        T(test_truncation_anywhere_fails_cleanly),
        T(test_snappy_crc_is_verified),
        T(test_projection_skips_fields),
        T(test_writer_rules),
        T(test_writes_through_floe_output),
    };
#undef T
    return cmocka_run_group_tests_name("ocf", tests, NULL, NULL);
}
