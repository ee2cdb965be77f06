/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Row-group stitching (floe_pq_writer_append_row_group): row groups copied byte for byte between
 * rows written normally, offsets moved so every chunk decodes at its new place, statistics and
 * metrics carried over, no page index for copied chunks, and the checks that run before any
 * byte is copied.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

#include <math.h>

#define ROWS 300

typedef struct src_data {
    int64_t id[ROWS];
    int16_t sdef[ROWS], ddef[ROWS];
    floe_pq_bytes s[ROWS];
    double d[ROWS];
} src_data;

static floe_pq_schema make_schema(floe_arena *a)
{
    floe_pq_logical none = {0}, str = {.kind = FLOE_PQ_LT_STRING};
    return tu_schema(a, 3, tu_leaf(a, "id", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, none, 1),
                     tu_leaf(a, "s", FLOE_PQ_OPTIONAL, FLOE_PQ_BYTE_ARRAY, 0, str, 2),
                     tu_leaf(a, "d", FLOE_PQ_OPTIONAL, FLOE_PQ_DOUBLE, 0, none, 3));
}

static void fill(floe_arena *a, src_data *sd, int64_t base)
{
    for (size_t r = 0; r < ROWS; r++) {
        sd->id[r] = base + (int64_t)r;
        sd->sdef[r] = r % 4 != 0;
        const char *s = floe_arena_sprintf(a, "v%zu", (size_t)(base + (int64_t)r) % 17);
        sd->s[r] = (floe_pq_bytes){(const uint8_t *)s, (uint32_t)strlen(s)};
        sd->ddef[r] = r % 5 != 0;
        sd->d[r] = r % 7 == 0 ? NAN : (double)base + (double)r / 8.0;
    }
}

static void write_rows(tu_writer *tw, const floe_pq_schema *s, const src_data *sd, size_t a,
                       size_t b)
{
    floe_pq_column c[3] = {
        {.leaf = s->leaves[0], .n = b - a, .v.i64 = sd->id + a},
        {.leaf = s->leaves[1], .n = b - a, .def = sd->sdef + a, .v.bytes = sd->s + a},
        {.leaf = s->leaves[2], .n = b - a, .def = sd->ddef + a, .v.f64 = sd->d + a},
    };
    floe_pq_batch batch = {.n_rows = b - a, .columns = c, .n_columns = 3};
    tu_writer_write(tw, &batch);
}

/* A source file of three row groups of 100 rows (ids 1000..1299). */
static const char *make_source(floe_test_ctx *t, const floe_pq_schema *s, src_data *sd,
                               floe_pq_codec codec)
{
    const char *path = floe_test_tmp_path(t, "src.parquet");
    fill(t->arena, sd, 1000);
    floe_pq_write_opts o = floe_pq_write_opts_default();
    o.codec = codec;
    tu_writer tw;
    tu_writer_open(&tw, path, s, &o);
    floe_err err = {0};
    for (size_t g = 0; g < 3; g++) {
        write_rows(&tw, s, sd, g * 100, g * 100 + 100);
        FLOE_ASSERT_OK(floe_pq_writer_flush(tw.w, &err), &err);
    }
    floe_pq_write_result res;
    size_t len;
    free(tu_writer_close(&tw, &res, &len));
    tu_writer_free(&tw);
    return path;
}

static void test_stitch_between_written_rows(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_schema s = make_schema(t->arena);
    src_data *src = floe_arena_calloc(t->arena, 1, sizeof(*src));
    const char *src_path = make_source(t, &s, src, FLOE_PQ_SNAPPY);
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_pq_reader *r = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, src_path, NULL, &r, &err), &err);

    /* Out: 50 own rows (zstd), row groups 1 and 2 of the source, 50 own rows. */
    src_data *own = floe_arena_calloc(t->arena, 1, sizeof(*own));
    fill(t->arena, own, -500);
    tu_writer tw;
    tu_writer_open(&tw, floe_test_tmp_path(t, "out.parquet"), &s, NULL);
    write_rows(&tw, &s, own, 0, 50);
    FLOE_ASSERT_OK(floe_pq_writer_append_row_group(tw.w, r, 1, &err), &err);
    FLOE_ASSERT_OK(floe_pq_writer_append_row_group(tw.w, r, 2, &err), &err);
    write_rows(&tw, &s, own, 50, 100);
    floe_pq_write_result res;
    size_t len;
    uint8_t *data = tu_writer_close(&tw, &res, &len);
    tu_file f;
    assert_true(tu_file_parse(data, len, t->arena, &f));

    const tt_val *rgs = tt_get(&f.meta, 4);
    assert_int_equal(rgs->n, 4);
    assert_int_equal(res.num_rows, 300);
    static const int64_t first_id[] = {-500, 1100, 1200, -450};
    for (size_t g = 0; g < 4; g++) {
        assert_int_equal(tt_int(&rgs->items[g], 7, -1), (int64_t)g); /* ordinals renumbered */
        assert_int_equal(res.row_group_offsets[g], tt_int(&rgs->items[g], 5, -1));
        tu_column c;
        char why[256] = {0};
        if (!tu_read_chunk(&f, g, 0, FLOE_PQ_INT64, 0, 0, 0, t->arena, &c, why, sizeof(why))) {
            fail_msg("row group %zu: %s", g, why);
        }
        assert_int_equal(c.ints[0], first_id[g]);
        assert_int_equal(c.n, g == 1 || g == 2 ? 100 : 50);
        /* every chunk of every row group decodes at its new offsets */
        for (size_t col = 1; col < 3; col++) {
            floe_pq_type type = col == 1 ? FLOE_PQ_BYTE_ARRAY : FLOE_PQ_DOUBLE;
            if (!tu_read_chunk(&f, g, col, type, 0, 1, 0, t->arena, &c, why, sizeof(why))) {
                fail_msg("row group %zu column %zu: %s", g, col, why);
            }
        }
        const tt_val *chunk = &tt_get(&rgs->items[g], 1)->items[1];
        bool copied = g == 1 || g == 2;
        assert_int_equal(tt_get(chunk, 4) == NULL, copied);                       /* offset index */
        assert_int_equal(tt_int(tt_get(chunk, 3), 4, -1), copied ? 1 : 6);        /* codec kept */
        assert_int_equal(tt_int(chunk, 2, -1), tt_int(tt_get(chunk, 3), 11, -2)); /* dict start */
    }
    /* stitched chunk statistics survive */
    const tt_val *st = tt_get(tu_chunk_meta(&f, 1, 0), 12);
    assert_int_equal((int64_t)floe_load_u64le(tt_get(st, 6)->bin), 1100);
    assert_int_equal((int64_t)floe_load_u64le(tt_get(st, 5)->bin), 1199);

    /* metrics add up over written and copied chunks */
    int64_t nulls_s = 0, nulls_d = 0, nans = 0;
    for (size_t i = 0; i < 100; i++) {
        nulls_s += own->sdef[i] == 0;
        nulls_d += own->ddef[i] == 0;
        nans += own->ddef[i] && isnan(own->d[i]);
    }
    for (size_t i = 100; i < 300; i++) {
        nulls_s += src->sdef[i] == 0;
        nulls_d += src->ddef[i] == 0;
        nans += src->ddef[i] && isnan(src->d[i]);
    }
    assert_int_equal(res.columns[0].value_count, 300);
    assert_int_equal(res.columns[1].null_count, nulls_s);
    assert_int_equal(res.columns[2].null_count, nulls_d);
    assert_true(res.columns[2].has_nan_count);
    assert_int_equal(res.columns[2].nan_count, nans);
    assert_true(res.columns[0].has_bounds);
    assert_int_equal(res.columns[0].lower.u.i64, -500);
    assert_int_equal(res.columns[0].upper.u.i64, 1299);
    uint64_t sizes = 0;
    for (size_t g = 0; g < 4; g++) {
        sizes += (uint64_t)tt_int(tu_chunk_meta(&f, g, 1), 7, 0);
    }
    assert_int_equal(res.columns[1].compressed_size, sizes);

    /* and floe's reader reads the whole file */
    floe_pq_reader *r2 = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, tw.path, NULL, &r2, &err), &err);
    floe_pq_scan *scan = NULL;
    FLOE_ASSERT_OK(floe_pq_scan_new(r2, NULL, &scan, &err), &err);
    size_t rows = 0;
    const floe_pq_batch *b = NULL;
    do {
        FLOE_ASSERT_OK(floe_pq_scan_next(scan, &b, &err), &err);
        rows += b ? b->n_rows : 0;
    } while (b != NULL);
    assert_int_equal(rows, 300);
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r2);
    free(data);
    tu_writer_free(&tw);
    floe_pq_reader_close(r);
    floe_fileio_free(io);
}

static void test_stitch_checks_before_copying(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_schema s = make_schema(t->arena);
    src_data *src = floe_arena_calloc(t->arena, 1, sizeof(*src));
    const char *src_path = make_source(t, &s, src, FLOE_PQ_ZSTD);
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_pq_reader *r = NULL;
    FLOE_ASSERT_OK(floe_pq_reader_open(io, src_path, NULL, &r, &err), &err);

    /* a writer of another schema: the field id of 'd' differs */
    floe_pq_logical none = {0}, str = {.kind = FLOE_PQ_LT_STRING};
    floe_pq_schema other =
        tu_schema(t->arena, 3, tu_leaf(t->arena, "id", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, none, 1),
                  tu_leaf(t->arena, "s", FLOE_PQ_OPTIONAL, FLOE_PQ_BYTE_ARRAY, 0, str, 2),
                  tu_leaf(t->arena, "d", FLOE_PQ_OPTIONAL, FLOE_PQ_DOUBLE, 0, none, 9));
    tu_writer tw;
    tu_writer_open(&tw, floe_test_tmp_path(t, "o.parquet"), &other, NULL);
    FLOE_ASSERT_ERR(floe_pq_writer_append_row_group(tw.w, r, 0, &err), FLOE_ERR_INVALID, &err,
                    "column 'd': field id 9 vs 3");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_pq_writer_append_row_group(tw.w, r, 3, &err), FLOE_ERR_INVALID, &err,
                    "row group 3 of a file with 3");
    floe_err_clear(&err);
    /* nothing was written: the writer still makes a valid, empty file */
    floe_pq_write_result res;
    size_t len;
    uint8_t *data = tu_writer_close(&tw, &res, &len);
    tu_file f;
    assert_true(tu_file_parse(data, len, t->arena, &f));
    assert_int_equal(res.num_rows, 0);
    free(data);
    tu_writer_free(&tw);
    floe_pq_reader_close(r);
    floe_fileio_free(io);

    /* floe_pq_schema_same on its own */
    FLOE_ASSERT_OK(floe_pq_schema_same(&s, &s, &err), &err);
    floe_pq_schema fewer = tu_schema(
        t->arena, 1, tu_leaf(t->arena, "id", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, none, 1));
    FLOE_ASSERT_ERR(floe_pq_schema_same(&s, &fewer, &err), FLOE_ERR_INVALID, &err,
                    "column 's' is only in the first schema");
    floe_err_clear(&err);
    floe_pq_schema typed =
        tu_schema(t->arena, 3, tu_leaf(t->arena, "id", FLOE_PQ_REQUIRED, FLOE_PQ_INT32, 0, none, 1),
                  tu_leaf(t->arena, "s", FLOE_PQ_OPTIONAL, FLOE_PQ_BYTE_ARRAY, 0, str, 2),
                  tu_leaf(t->arena, "d", FLOE_PQ_OPTIONAL, FLOE_PQ_DOUBLE, 0, none, 3));
    FLOE_ASSERT_ERR(floe_pq_schema_same(&s, &typed, &err), FLOE_ERR_INVALID, &err,
                    "column 'id': type INT64 vs INT32");
}

FLOE_TEST_GROUP(write_stitch)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_stitch_between_written_rows),
        T(test_stitch_checks_before_copying),
    };
#undef T
    return cmocka_run_group_tests_name("write_stitch", tests, NULL, NULL);
}
