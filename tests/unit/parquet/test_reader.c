/* SPDX-License-Identifier: Apache-2.0 */
/* The reader on hand-built files: page shapes, scans, and malformed files with their messages. */
#include "floe_test.h"
#include "pq_build.h"

#include "floe/parquet.h"

#include <zlib.h>

typedef struct rd {
    floe_fileio *io;
    floe_pq_reader *r;
    floe_buf json; /* rows, one per line */
    size_t rows;
} rd;

static const char *write_spec(floe_test_ctx *t, const pq_spec *spec, const char *name)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    pq_build(spec, &b);
    const char *path = floe_test_tmp_path(t, name);
    floe_test_write_file(path, b.data, b.len);
    floe_buf_fini(&b);
    return path;
}

/* Open `path` and print every row as canonical JSON into r->json. */
static floe_status read_all(const char *path, const floe_pq_read_opts *opts, rd *r, floe_err *err)
{
    memset(r, 0, sizeof(*r));
    floe_buf_init(&r->json, 0);
    r->io = floe_fileio_local_new(NULL);
    floe_status st = floe_pq_reader_open(r->io, path, opts, &r->r, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_pq_schema *s = floe_pq_reader_schema(r->r);
    floe_pq_scan *scan = NULL;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    st = floe_pq_scan_new(r->r, NULL, &scan, err);
    while (st == FLOE_OK) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        floe_pq_assembler *as;
        st = floe_pq_assembler_new(b, (const floe_pq_node *const *)s->root->children,
                                   s->root->n_children, a, &as, err);
        for (size_t i = 0; st == FLOE_OK && i < b->n_rows; i++) {
            floe_value v;
            st = floe_pq_assembler_next(as, &v, err);
            if (st == FLOE_OK) {
                st = floe_value_to_json(&v, &r->json, err);
                floe_buf_append_byte(&r->json, '\n', NULL);
                r->rows++;
            }
        }
    }
    floe_pq_scan_free(scan);
    floe_arena_free(a);
    return st;
}

static void rd_fini(rd *r)
{
    floe_pq_reader_close(r->r);
    floe_fileio_free(r->io);
    floe_buf_fini(&r->json);
}

static void expect_rows(floe_test_ctx *t, const pq_spec *spec, const char *want)
{
    floe_err err = {0};
    rd r;
    FLOE_ASSERT_OK(read_all(write_spec(t, spec, "f.parquet"), NULL, &r, &err), &err);
    assert_string_equal(floe_buf_cstr(&r.json), want);
    rd_fini(&r);
}

static void expect_fail(floe_test_ctx *t, const pq_spec *spec, const floe_pq_read_opts *opts,
                        floe_status code, const char *msg)
{
    floe_err err = {0};
    rd r;
    FLOE_ASSERT_ERR(read_all(write_spec(t, spec, "bad.parquet"), opts, &r, &err), code, &err, msg);
    rd_fini(&r);
}

static const int32_t ints3[] = {10, -20, 30};

static void test_required_and_optional_columns(void **state)
{
    floe_test_ctx *t = *state;
    pq_page p = {.type = 0, .num_values = 3, .body = ints3, .len = sizeof(ints3)};
    pq_spec s = {.type = FLOE_PQ_INT32, .num_rows = 3, .pages = &p, .n_pages = 1, .converted = -1};
    expect_rows(t, &s, "{\"x\":10}\n{\"x\":-20}\n{\"x\":30}\n");

    /* Optional: 4 entries with definition levels 1 0 1 1 (bit-packed), 3 values. */
    uint8_t body[6 + sizeof(ints3)] = {2, 0, 0, 0, 0x03, 0x0d};
    memcpy(body + 6, ints3, sizeof(ints3));
    pq_page po = {.type = 0, .num_values = 4, .body = body, .len = sizeof(body)};
    s.repetition = 1;
    s.num_rows = 4;
    s.pages = &po;
    expect_rows(t, &s, "{\"x\":10}\n{\"x\":null}\n{\"x\":-20}\n{\"x\":30}\n");

    /* The same levels in the legacy BIT_PACKED encoding (MSB first, no length prefix). */
    uint8_t legacy[1 + sizeof(ints3)] = {0xb0};
    memcpy(legacy + 1, ints3, sizeof(ints3));
    pq_page pl = {.type = 0,
                  .num_values = 4,
                  .def_encoding = FLOE_PQ_ENC_BIT_PACKED,
                  .body = legacy,
                  .len = sizeof(legacy)};
    s.pages = &pl;
    expect_rows(t, &s, "{\"x\":10}\n{\"x\":null}\n{\"x\":-20}\n{\"x\":30}\n");
}

/* rows [1,2], null, [], [null]: (r0,d3)(r1,d3) (0,0) (0,1) (0,2) */
static const uint8_t list_rep[] = {0x03, 0x02};       /* bit-packed width 1: 0 1 0 0 0 */
static const uint8_t list_def[] = {0x03, 0x4f, 0x02}; /* width 2: 3 3 0 1 2 */
static const char list_rows[] = "{\"x\":[1,2]}\n{\"x\":null}\n{\"x\":[]}\n{\"x\":[null]}\n";

static void test_lists_v1_and_v2(void **state)
{
    floe_test_ctx *t = *state;
    const int32_t vals[] = {1, 2};
    floe_buf b;
    floe_buf_init(&b, 0);
    uint8_t len4[4];
    floe_store_u32le(len4, sizeof(list_rep));
    floe_buf_append(&b, len4, 4, NULL);
    floe_buf_append(&b, list_rep, sizeof(list_rep), NULL);
    floe_store_u32le(len4, sizeof(list_def));
    floe_buf_append(&b, len4, 4, NULL);
    floe_buf_append(&b, list_def, sizeof(list_def), NULL);
    floe_buf_append(&b, vals, sizeof(vals), NULL);
    pq_page p1 = {.type = 0, .num_values = 5, .body = b.data, .len = b.len};
    pq_spec s = {.type = FLOE_PQ_INT32,
                 .repetition = 1,
                 .converted = -1,
                 .num_rows = 4,
                 .pages = &p1,
                 .n_pages = 1,
                 .list = true};
    expect_rows(t, &s, list_rows);

    /* v2: the same levels without length prefixes, values not compressed. */
    floe_buf v2;
    floe_buf_init(&v2, 0);
    floe_buf_append(&v2, list_rep, sizeof(list_rep), NULL);
    floe_buf_append(&v2, list_def, sizeof(list_def), NULL);
    floe_buf_append(&v2, vals, sizeof(vals), NULL);
    pq_page p2 = {.type = 3,
                  .num_values = 5,
                  .num_nulls = 3,
                  .num_rows = 4,
                  .rep_len = sizeof(list_rep),
                  .def_len = sizeof(list_def),
                  .not_compressed = true,
                  .body = v2.data,
                  .len = v2.len};
    s.pages = &p2;
    s.codec = FLOE_PQ_SNAPPY; /* ignored: the page says it is not compressed */
    expect_rows(t, &s, list_rows);

    /* A chunk whose first repetition level is 1. */
    const uint8_t bad_rep[] = {0x03, 0x03};
    floe_buf_reset(&v2);
    floe_buf_append(&v2, bad_rep, sizeof(bad_rep), NULL);
    floe_buf_append(&v2, list_def, sizeof(list_def), NULL);
    floe_buf_append(&v2, vals, sizeof(vals), NULL);
    p2.body = v2.data;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "row group 0, column 'x.list.element': the column chunk starts with repetition "
                "level 1, not 0");
    floe_buf_fini(&v2);
    floe_buf_fini(&b);
}

/* One row holding a list of 1000 elements: its batch is bounded like a row group. */
static void test_batch_size_is_bounded(void **state)
{
    floe_test_ctx *t = *state;
    const uint8_t rep[] = {1 << 1, 0, 0xce, 0x0f, 1}; /* one 0, then 999 ones */
    const uint8_t def[] = {0xd0, 0x0f, 3};            /* 1000 threes */
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append(&b, rep, sizeof(rep), NULL);
    floe_buf_append(&b, def, sizeof(def), NULL);
    for (int32_t i = 0; i < 1000; i++) {
        floe_buf_append(&b, &i, 4, NULL);
    }
    pq_page p = {.type = 3,
                 .num_values = 1000,
                 .num_rows = 1,
                 .rep_len = sizeof(rep),
                 .def_len = sizeof(def),
                 .body = b.data,
                 .len = b.len};
    pq_spec s = {.type = FLOE_PQ_INT32,
                 .repetition = 1,
                 .converted = -1,
                 .num_rows = 1,
                 .pages = &p,
                 .n_pages = 1,
                 .list = true};
    floe_err err = {0};
    rd r;
    FLOE_ASSERT_OK(read_all(write_spec(t, &s, "big.parquet"), NULL, &r, &err), &err);
    assert_int_equal(r.rows, 1);
    assert_true(floe_starts_with(floe_buf_cstr(&r.json), "{\"x\":[0,1,2,3,"));
    rd_fini(&r);
    floe_pq_read_opts o = {.max_row_group_size = 6000};
    expect_fail(t, &s, &o, FLOE_ERR_TOO_BIG, "a batch of 1000 entries is over the limit of 6000");
    floe_buf_fini(&b);
}

static void test_dictionary_pages(void **state)
{
    floe_test_ctx *t = *state;
    const uint8_t dict[] = {1, 0, 0, 0, 'a', 2, 0, 0, 0, 'b', 'c'};
    const uint8_t idx[] = {1, 3 << 1, 1, 1 << 1, 0}; /* width 1: 1 1 1 0 */
    pq_page pages[2] = {
        {.type = 2,
         .num_values = 2,
         .encoding = FLOE_PQ_ENC_PLAIN,
         .body = dict,
         .len = sizeof(dict)},
        {.type = 0,
         .num_values = 4,
         .encoding = FLOE_PQ_ENC_RLE_DICTIONARY,
         .body = idx,
         .len = sizeof(idx)},
    };
    pq_spec s = {
        .type = FLOE_PQ_BYTE_ARRAY, .converted = 0, .num_rows = 4, .pages = pages, .n_pages = 2};
    expect_rows(t, &s, "{\"x\":\"bc\"}\n{\"x\":\"bc\"}\n{\"x\":\"bc\"}\n{\"x\":\"a\"}\n");

    /* An index past the dictionary. */
    const uint8_t bad[] = {2, 4 << 1, 2};
    pages[1].body = bad;
    pages[1].len = sizeof(bad);
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "dictionary index 2 (value 0) is out of range for a dictionary of 2 entries");
    /* Negative counts. */
    pages[1].body = idx;
    pages[1].len = sizeof(idx);
    pages[0].num_values = -3;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "page at offset 4: dictionary page has negative num_values -3");
    pages[0].num_values = 2;
    pages[1].num_values = -1;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "data page has negative num_values -1");
    /* Two dictionaries, and a dictionary after data. */
    pages[1] = pages[0];
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "second dictionary page in the column chunk");
    pq_page after[2] = {{.type = 0,
                         .num_values = 4,
                         .encoding = FLOE_PQ_ENC_RLE_DICTIONARY,
                         .body = idx,
                         .len = sizeof(idx)},
                        pages[0]};
    s.pages = after;
    s.num_rows = 8;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "without a dictionary page");
}

static void test_empty_v2_pages(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    /* Three nulls: only definition levels, no value bytes; snappy is never called on 0 bytes. */
    const uint8_t def[] = {3 << 1, 0};
    pq_page p = {.type = 3,
                 .num_values = 3,
                 .num_nulls = 3,
                 .num_rows = 3,
                 .def_len = sizeof(def),
                 .body = def,
                 .len = sizeof(def)};
    pq_spec s = {.type = FLOE_PQ_INT64,
                 .repetition = 1,
                 .converted = -1,
                 .codec = FLOE_PQ_SNAPPY,
                 .num_rows = 3,
                 .pages = &p,
                 .n_pages = 1};
    expect_rows(t, &s, "{\"x\":null}\n{\"x\":null}\n{\"x\":null}\n");

    /* A real ZSTD frame that decodes to nothing. */
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append(&b, def, sizeof(def), NULL);
    FLOE_ASSERT_OK(floe_compress(FLOE_CODEC_ZSTD, 0, "", 0, &b, &err), &err);
    assert_true(b.len > sizeof(def));
    p.body = b.data;
    p.len = b.len;
    p.uncompressed = sizeof(def);
    s.codec = FLOE_PQ_ZSTD;
    expect_rows(t, &s, "{\"x\":null}\n{\"x\":null}\n{\"x\":null}\n");
    floe_buf_fini(&b);

    /* Zero compressed bytes cannot produce values. */
    p.body = def;
    p.len = sizeof(def);
    p.uncompressed = sizeof(def) + 8;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "compressed page of 0 bytes declares 8 uncompressed bytes");
}

static void test_crc_is_checked_when_asked(void **state)
{
    floe_test_ctx *t = *state;
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)ints3, sizeof(ints3));
    pq_page p = {.type = 0,
                 .num_values = 3,
                 .body = ints3,
                 .len = sizeof(ints3),
                 .has_crc = true,
                 .crc = crc};
    pq_spec s = {.type = FLOE_PQ_INT32, .converted = -1, .num_rows = 3, .pages = &p, .n_pages = 1};
    floe_pq_read_opts o = {.verify_crc = true};
    floe_err err = {0};
    rd r;
    FLOE_ASSERT_OK(read_all(write_spec(t, &s, "crc.parquet"), &o, &r, &err), &err);
    assert_int_equal(r.rows, 3);
    rd_fini(&r);
    p.crc = crc ^ 1;
    expect_fail(t, &s, &o, FLOE_ERR_CORRUPT, "CRC mismatch");
    /* Without verify_crc a wrong CRC is not looked at. */
    FLOE_ASSERT_OK(read_all(write_spec(t, &s, "crc2.parquet"), NULL, &r, &err), &err);
    rd_fini(&r);
}

static void test_malformed_pages(void **state)
{
    floe_test_ctx *t = *state;
    pq_page p = {.type = 0, .num_values = 3, .body = ints3, .len = sizeof(ints3)};
    pq_spec s = {.type = FLOE_PQ_INT32, .converted = -1, .num_rows = 3, .pages = &p, .n_pages = 1};

    p.compressed = 1000;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "row group 0, column 'x': page at offset 4: 1000 bytes run past the end of the "
                "column chunk (12 bytes left)");
    p.compressed = 0;
    p.uncompressed = 20;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "uncompressed page has 12 bytes but declares 20");
    p.uncompressed = 0;
    s.codec = FLOE_PQ_SNAPPY;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "snappy");
    s.codec = FLOE_PQ_GZIP;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "gzip");
    s.codec = FLOE_PQ_LZO;
    expect_fail(t, &s, NULL, FLOE_ERR_UNSUPPORTED, "unsupported compression codec LZO");
    s.codec = FLOE_PQ_UNCOMPRESSED;
    s.num_rows = 5;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "column 'x': the column chunk ends after 3 of the row group's 5 rows");
    s.num_rows = 3;
    floe_pq_read_opts small = {.max_page_size = 8};
    expect_fail(t, &s, &small, FLOE_ERR_TOO_BIG, "over the page limit of 8");
    floe_pq_read_opts tiny_rg = {.max_row_group_size = 10};
    expect_fail(t, &s, &tiny_rg, FLOE_ERR_TOO_BIG, "row group 0: the projected column chunks take");
    p.encoding = FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY;
    expect_fail(t, &s, NULL, FLOE_ERR_UNSUPPORTED,
                "encoding DELTA_LENGTH_BYTE_ARRAY is not supported for INT32 columns");
    p.encoding = 0;

    /* A definition level over the maximum (an RLE run value needs no more than its byte). */
    uint8_t body[6 + sizeof(ints3)] = {2, 0, 0, 0, 3 << 1, 2};
    memcpy(body + 6, ints3, sizeof(ints3));
    pq_page po = {.type = 0, .num_values = 3, .body = body, .len = sizeof(body)};
    s.pages = &po;
    s.repetition = 1;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "definition levels: level 2 of entry 0 is over the maximum 1");
    /* Levels whose length runs past the page. */
    body[0] = 200;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT,
                "definition levels: levels: length 200 runs past the page end");
    /* v2 level lengths larger than the page. */
    pq_page p2 = {.type = 3, .num_values = 3, .def_len = 50, .body = body, .len = sizeof(body)};
    s.pages = &p2;
    expect_fail(t, &s, NULL, FLOE_ERR_CORRUPT, "v2 page level lengths (0 + 50) do not fit");
}

static void test_malformed_files(void **state)
{
    floe_test_ctx *t = *state;
    pq_page p = {.type = 0, .num_values = 3, .body = ints3, .len = sizeof(ints3)};
    pq_spec s = {.type = FLOE_PQ_INT32, .converted = -1, .num_rows = 3, .pages = &p, .n_pages = 1};
    floe_buf good;
    floe_buf_init(&good, 0);
    pq_build(&s, &good);
    const char *path = floe_test_tmp_path(t, "m.parquet");
    floe_fileio *io = floe_fileio_local_new(NULL);
    struct {
        size_t cut;       /* keep this many bytes (0: all) */
        int patch_at;     /* byte to overwrite, from the end when negative; 0: none */
        uint8_t patch[4]; /* bytes written there */
        size_t npatch;
        floe_status code;
        const char *msg;
    } cases[] = {
        {0, 1, {'X'}, 1, FLOE_ERR_CORRUPT, "not a Parquet file: it starts with 50 58 52 31"},
        {0, -1, {'X'}, 1, FLOE_ERR_CORRUPT, "file does not end with \"PAR1\""},
        {0, -4, {'P', 'A', 'R', 'E'}, 4, FLOE_ERR_UNSUPPORTED, "encrypted Parquet files"},
        {0, -8, {0x0f, 0x27, 0, 0}, 4, FLOE_ERR_CORRUPT, "footer length 9999 is more than"},
        {0, -8, {0x05, 0, 0, 0}, 4, FLOE_ERR_CORRUPT, "footer"},
        {good.len - 3, 0, {0}, 0, FLOE_ERR_CORRUPT, "does not end with"},
        {10, 0, {0}, 0, FLOE_ERR_CORRUPT, "file of 10 bytes is too short to be Parquet"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_buf_append(&b, good.data, cases[i].cut ? cases[i].cut : good.len, NULL);
        if (cases[i].patch_at != 0) {
            size_t at = cases[i].patch_at > 0 ? (size_t)cases[i].patch_at
                                              : b.len - (size_t)(-cases[i].patch_at);
            memcpy(b.data + at, cases[i].patch, cases[i].npatch);
        }
        floe_test_write_file(path, b.data, b.len);
        floe_err err = {0};
        floe_pq_reader *r = NULL;
        FLOE_ASSERT_ERR(floe_pq_reader_open(io, path, NULL, &r, &err), cases[i].code, &err,
                        cases[i].msg);
        assert_null(r);
        floe_buf_fini(&b);
    }
    /* A footer over the limit. */
    floe_test_write_file(path, good.data, good.len);
    floe_err err = {0};
    floe_pq_reader *r = NULL;
    floe_pq_read_opts o = {.max_footer_size = 16};
    FLOE_ASSERT_ERR(floe_pq_reader_open(io, path, &o, &r, &err), FLOE_ERR_TOO_BIG, &err,
                    "over the limit of 16");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_pq_reader_open(io, floe_test_tmp_path(t, "missing.parquet"), NULL, &r, &err),
        FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_fileio_free(io);
    floe_buf_fini(&good);
}

/* Row group selection, projection, batch sizes and file-level row numbers. */
static void test_scan_options(void **state)
{
    floe_test_ctx *t = *state;
    pq_page p = {.type = 0, .num_values = 3, .body = ints3, .len = sizeof(ints3)};
    pq_spec s = {.type = FLOE_PQ_INT32,
                 .converted = -1,
                 .num_rows = 3,
                 .pages = &p,
                 .n_pages = 1,
                 .n_row_groups = 4};
    const char *path = write_spec(t, &s, "rg.parquet");
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, path, NULL, &r, &err), &err);
    assert_int_equal(floe_pq_reader_meta(r)->n_row_groups, 4);
    size_t file_len;
    free(floe_test_read_file(path, &file_len));
    assert_int_equal(floe_pq_reader_file_size(r), file_len);
    const size_t sel[] = {1, 3};
    const int32_t cols[] = {0, 0}; /* the same leaf twice */
    floe_pq_scan_opts so = {
        .row_groups = sel, .n_row_groups = 2, .batch_rows = 2, .columns = cols, .n_columns = 2};
    floe_pq_scan *scan;
    FLOE_ASSERT_OK(floe_pq_scan_new(r, &so, &scan, &err), &err);
    const int64_t want_first[] = {3, 5, 9, 11};
    const size_t want_rows[] = {2, 1, 2, 1};
    const size_t want_rg[] = {1, 1, 3, 3};
    for (size_t i = 0; i < 4; i++) {
        const floe_pq_batch *b;
        FLOE_ASSERT_OK(floe_pq_scan_next(scan, &b, &err), &err);
        assert_non_null(b);
        assert_int_equal(b->n_rows, want_rows[i]);
        assert_int_equal(b->first_row, want_first[i]);
        assert_int_equal(b->row_group, want_rg[i]);
        assert_int_equal(b->n_columns, 2);
        assert_null(b->columns[0].def);
        assert_int_equal(b->columns[1].v.i32[0], ints3[(b->first_row - 3) % 3]);
        floe_value v = floe_pq_column_value(&b->columns[0], 0);
        assert_int_equal(v.kind, FLOE_V_INT);
    }
    const floe_pq_batch *end;
    FLOE_ASSERT_OK(floe_pq_scan_next(scan, &end, &err), &err);
    assert_null(end);
    FLOE_ASSERT_OK(floe_pq_scan_next(scan, &end, &err), &err);
    assert_null(end);
    floe_pq_scan_free(scan);

    /* Bad options. */
    const int32_t bad_col[] = {1};
    floe_pq_scan_opts bc = {.columns = bad_col, .n_columns = 1};
    FLOE_ASSERT_ERR(floe_pq_scan_new(r, &bc, &scan, &err), FLOE_ERR_INVALID, &err,
                    "projected column 1 is not a leaf index (the schema has 1)");
    floe_err_clear(&err);
    const size_t unordered[] = {2, 1};
    floe_pq_scan_opts uo = {.row_groups = unordered, .n_row_groups = 2};
    FLOE_ASSERT_ERR(floe_pq_scan_new(r, &uo, &scan, &err), FLOE_ERR_INVALID, &err,
                    "ascending indexes below 4");
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

/* The assembler refuses fields whose leaves the batch does not hold, and extra rows. */
static void test_assembler_contract(void **state)
{
    floe_test_ctx *t = *state;
    pq_page p = {.type = 0, .num_values = 3, .body = ints3, .len = sizeof(ints3)};
    pq_spec s = {.type = FLOE_PQ_INT32, .converted = -1, .num_rows = 3, .pages = &p, .n_pages = 1};
    const char *path = write_spec(t, &s, "a.parquet");
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, path, NULL, &r, &err), &err);
    floe_pq_scan *scan;
    FLOE_ASSERT_OK(floe_pq_scan_new(r, NULL, &scan, &err), &err);
    const floe_pq_batch *b;
    FLOE_ASSERT_OK(floe_pq_scan_next(scan, &b, &err), &err);
    const floe_pq_node *field = floe_pq_reader_schema(r)->root->children[0];
    floe_pq_assembler *as;
    FLOE_ASSERT_OK(floe_pq_assembler_new(b, &field, 1, t->arena, &as, &err), &err);
    floe_value v;
    for (int i = 0; i < 3; i++) {
        FLOE_ASSERT_OK(floe_pq_assembler_next(as, &v, &err), &err);
        assert_int_equal(v.kind, FLOE_V_STRUCT);
        assert_int_equal(v.u.nested.items[0].u.i32, ints3[i]);
        assert_string_equal(v.u.nested.names[0], "x");
    }
    FLOE_ASSERT_ERR(floe_pq_assembler_next(as, &v, &err), FLOE_ERR_INVALID, &err,
                    "the batch has only 3 rows");
    /* A batch without the field's leaf. */
    floe_pq_batch empty = *b;
    empty.n_columns = 0;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_pq_assembler_new(&empty, &field, 1, t->arena, &as, &err), FLOE_ERR_INVALID,
                    &err, "field 'x' needs leaf column 0");
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(reader)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_required_and_optional_columns),
        T(test_lists_v1_and_v2),
        T(test_batch_size_is_bounded),
        T(test_dictionary_pages),
        T(test_empty_v2_pages),
        T(test_crc_is_checked_when_asked),
        T(test_malformed_pages),
        T(test_malformed_files),
        T(test_scan_options),
        T(test_assembler_contract),
    };
#undef T
    return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
