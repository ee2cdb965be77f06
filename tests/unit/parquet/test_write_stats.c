/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics the writer stores and reports: orderings (unsigned bytes, unsigned integers,
 * signed decimals on FIXED and variable-length BYTE_ARRAY), floats (-0/+0 rule, NaN skipped
 * and counted, NaN-only chunks without bounds), undefined orders (INT96), all-null chunks, and
 * truncation of long binary bounds. Each case checks the footer Statistics, the page index and
 * the Iceberg metrics of floe_pq_write_result.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

#include <math.h>

typedef struct one_col {
    tu_writer tw;
    uint8_t *data;
    size_t len;
    tu_file f;
    floe_pq_write_result res;
    const tt_val *stats; /* chunk 0 */
    const tt_val *ci;    /* column index of chunk 0, NULL if none */
} one_col;

/* Write one optional column of `n` slots (def 0 = null) in one row group. */
static void write_col(floe_test_ctx *t, one_col *oc, floe_pq_node *leaf, const int16_t *def,
                      const void *values, size_t n, size_t page_size)
{
    floe_pq_schema s = tu_schema(t->arena, 1, leaf);
    floe_pq_write_opts o = floe_pq_write_opts_default();
    o.page_size = page_size ? page_size : o.page_size;
    tu_writer_open(&oc->tw, floe_test_tmp_path(t, "s.parquet"), &s, &o);
    floe_pq_column col = {.leaf = s.leaves[0], .n = n, .def = def};
    col.v.b = values;
    floe_pq_batch b = {.n_rows = n, .columns = &col, .n_columns = 1};
    tu_writer_write(&oc->tw, &b);
    oc->data = tu_writer_close(&oc->tw, &oc->res, &oc->len);
    assert_true(tu_file_parse(oc->data, oc->len, t->arena, &oc->f));
    oc->stats = tt_get(tu_chunk_meta(&oc->f, 0, 0), 12);
    assert_non_null(oc->stats);
    const tt_val *chunk = &tt_get(tu_row_group(&oc->f, 0), 1)->items[0];
    const tt_val *ci_off = tt_get(chunk, 6);
    oc->ci = NULL;
    if (ci_off != NULL) {
        tt_val *ci = floe_arena_calloc(t->arena, 1, sizeof(*ci));
        int64_t len = tt_int(chunk, 7, 0);
        assert_true(tt_parse_struct(oc->data + ci_off->i, (size_t)len, t->arena, ci, NULL));
        oc->ci = ci;
    }
}

static void done(one_col *oc)
{
    free(oc->data);
    tu_writer_free(&oc->tw);
}

static void assert_stat(const one_col *oc, int16_t id, const void *want, size_t len)
{
    const tt_val *v = tt_get(oc->stats, id);
    assert_non_null(v);
    assert_int_equal(v->len, len);
    if (len > 0) {
        assert_memory_equal(v->bin, want, len);
    }
}

static floe_pq_node *opt_leaf(floe_test_ctx *t, floe_pq_type type, int32_t len, floe_pq_logical lt)
{
    return tu_leaf(t->arena, "c", FLOE_PQ_OPTIONAL, type, len, lt, 1);
}

static void test_bytes_unsigned_order(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_bytes v[] = {{(const uint8_t *)"a", 1},
                         {(const uint8_t *)"\xff", 1},
                         {(const uint8_t *)"B", 1},
                         {(const uint8_t *)"ab", 2},
                         {NULL, 0}};
    int16_t def[] = {1, 1, 1, 1, 0};
    one_col oc;
    write_col(t, &oc,
              opt_leaf(t, FLOE_PQ_BYTE_ARRAY, 0, (floe_pq_logical){.kind = FLOE_PQ_LT_STRING}), def,
              v, 5, 0);
    assert_stat(&oc, 6, "B", 1);      /* min_value */
    assert_stat(&oc, 5, "\xff", 1);   /* max_value: 0xFF sorts after ASCII */
    assert_null(tt_get(oc.stats, 2)); /* no deprecated signed min */
    assert_int_equal(tt_int(oc.stats, 3, -1), 1);
    assert_null(tt_get(oc.stats, 9)); /* nan_count only for floats */
    const floe_pq_column_metrics *m = &oc.res.columns[0];
    assert_true(m->has_bounds);
    assert_int_equal(m->lower.kind, FLOE_V_STRING);
    assert_int_equal(m->lower.u.bytes.len, 1);
    assert_memory_equal(m->lower.u.bytes.ptr, "B", 1);
    assert_memory_equal(m->upper.u.bytes.ptr, "\xff", 1);
    assert_int_equal(m->null_count, 1);
    assert_int_equal(m->value_count, 5);
    assert_false(m->has_nan_count);
    done(&oc);
}

static void test_uuid_bytes_unsigned(void **state)
{
    floe_test_ctx *t = *state;
    uint8_t a[16], b[16];
    memset(a, 0x80, 16);
    memset(b, 0x7F, 16);
    floe_pq_bytes v[] = {{a, 16}, {b, 16}};
    int16_t def[] = {1, 1};
    one_col oc;
    write_col(
        t, &oc,
        opt_leaf(t, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 16, (floe_pq_logical){.kind = FLOE_PQ_LT_UUID}),
        def, v, 2, 0);
    assert_stat(&oc, 6, b, 16);
    assert_stat(&oc, 5, a, 16);
    assert_int_equal(oc.res.columns[0].lower.kind, FLOE_V_UUID);
    assert_memory_equal(oc.res.columns[0].lower.u.uuid, b, 16);
    done(&oc);
}

static uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static void assert_float_stats(const one_col *oc, float min, float max)
{
    uint8_t lo[4], hi[4];
    floe_store_u32le(lo, fbits(min));
    floe_store_u32le(hi, fbits(max));
    assert_stat(oc, 6, lo, 4);
    assert_stat(oc, 5, hi, 4);
}

static void test_float_signed_zero_rule(void **state)
{
    floe_test_ctx *t = *state;
    static const struct {
        float v[3];
        size_t n;
        float min, max;
    } cases[] = {
        {{0.0f, -0.0f}, 2, -0.0f, 0.0f},
        {{0.0f}, 1, -0.0f, 0.0f},  /* +0 alone: min written as -0 */
        {{-0.0f}, 1, -0.0f, 0.0f}, /* -0 alone: max written as +0 */
        {{1.0f, -0.0f}, 2, -0.0f, 1.0f},
        {{-1.0f, 0.0f}, 2, -1.0f, 0.0f},
        {{-1.0f, -0.0f}, 2, -1.0f, 0.0f},
        {{INFINITY, -INFINITY, 2.5f}, 3, -INFINITY, INFINITY},
    };
    int16_t def[] = {1, 1, 1};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        one_col oc;
        write_col(t, &oc, opt_leaf(t, FLOE_PQ_FLOAT, 0, (floe_pq_logical){0}), def, cases[i].v,
                  cases[i].n, 0);
        assert_float_stats(&oc, cases[i].min, cases[i].max);
        assert_int_equal(tt_int(oc.stats, 9, -1), 0); /* nan_count written, 0 */
        const floe_pq_column_metrics *m = &oc.res.columns[0];
        assert_true(m->has_bounds);
        assert_int_equal(fbits(m->lower.u.f32), fbits(cases[i].min));
        assert_int_equal(fbits(m->upper.u.f32), fbits(cases[i].max));
        /* the page index follows the same rule */
        assert_non_null(oc.ci);
        uint8_t lo[4];
        floe_store_u32le(lo, fbits(cases[i].min));
        assert_memory_equal(tt_get(oc.ci, 2)->items[0].bin, lo, 4);
        done(&oc);
    }
}

static void test_nan_skipped_and_counted(void **state)
{
    floe_test_ctx *t = *state;
    float v[] = {NAN, 2.0f, 1.0f, NAN, 0.0f};
    int16_t def[] = {1, 1, 1, 1, 0};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_FLOAT, 0, (floe_pq_logical){0}), def, v, 5, 0);
    assert_float_stats(&oc, 1.0f, 2.0f);
    assert_int_equal(tt_int(oc.stats, 9, -1), 2);
    assert_int_equal(tt_int(oc.stats, 3, -1), 1);
    assert_true(oc.res.columns[0].has_nan_count);
    assert_int_equal(oc.res.columns[0].nan_count, 2);
    done(&oc);

    /* Only NaN and nulls: no bounds anywhere, and no column index (a page without bounds). */
    double d[] = {NAN, NAN, 0};
    int16_t def2[] = {1, 1, 0};
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_DOUBLE, 0, (floe_pq_logical){0}), def2, d, 3, 0);
    assert_null(tt_get(oc.stats, 5));
    assert_null(tt_get(oc.stats, 6));
    assert_int_equal(tt_int(oc.stats, 9, -1), 2);
    assert_int_equal(tt_int(oc.stats, 3, -1), 1);
    assert_null(oc.ci);
    assert_false(oc.res.columns[0].has_bounds);
    assert_int_equal(oc.res.columns[0].nan_count, 2);
    done(&oc);
}

static void test_decimal_on_fixed_is_signed(void **state)
{
    floe_test_ctx *t = *state;
    uint8_t raw[][2] = {{0x00, 0x01}, {0xFF, 0xFF}, {0x80, 0x00}, {0x7F, 0xFF}, {0x00, 0x00}};
    floe_pq_bytes v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = (floe_pq_bytes){raw[i], 2};
    }
    int16_t def[] = {1, 1, 1, 1, 1};
    floe_pq_logical dec = {.kind = FLOE_PQ_LT_DECIMAL, .precision = 4, .scale = 1};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 2, dec), def, v, 5, 0);
    assert_stat(&oc, 6, raw[2], 2); /* -32768 */
    assert_stat(&oc, 5, raw[3], 2); /* 32767 */
    const floe_pq_column_metrics *m = &oc.res.columns[0];
    assert_int_equal(m->lower.kind, FLOE_V_DECIMAL);
    assert_true(m->lower.u.dec == -32768);
    assert_true(m->upper.u.dec == 32767);
    assert_int_equal(m->lower.scale, 1);
    assert_int_equal(m->lower.precision, 4);
    done(&oc);
}

static void test_decimal_on_byte_array_any_length(void **state)
{
    floe_test_ctx *t = *state;
    /* 1, -1, 128, -129, 0 (empty) in minimal big-endian two's complement */
    floe_pq_bytes v[] = {{(const uint8_t *)"\x01", 1},
                         {(const uint8_t *)"\xff", 1},
                         {(const uint8_t *)"\x00\x80", 2},
                         {(const uint8_t *)"\xff\x7f", 2},
                         {NULL, 0}};
    int16_t def[] = {1, 1, 1, 1, 1};
    floe_pq_logical dec = {.kind = FLOE_PQ_LT_DECIMAL, .precision = 20, .scale = 2};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_BYTE_ARRAY, 0, dec), def, v, 5, 0);
    assert_stat(&oc, 6, "\xff\x7f", 2);
    assert_stat(&oc, 5, "\x00\x80", 2);
    assert_true(oc.res.columns[0].lower.u.dec == -129);
    assert_true(oc.res.columns[0].upper.u.dec == 128);
    done(&oc);
}

static void test_unsigned_integers(void **state)
{
    floe_test_ctx *t = *state;
    int32_t v[] = {1, -1, 5};
    int16_t def[] = {1, 1, 1};
    floe_pq_logical u32 = {.kind = FLOE_PQ_LT_INTEGER, .bit_width = 32, .is_signed = false};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT32, 0, u32), def, v, 3, 0);
    assert_stat(&oc, 6, "\x01\x00\x00\x00", 4);
    assert_stat(&oc, 5, "\xff\xff\xff\xff", 4); /* 4294967295 */
    assert_true(oc.res.columns[0].upper.flags & FLOE_VF_UNSIGNED);
    assert_int_equal(oc.res.columns[0].upper.u.i32, -1);
    done(&oc);
    /* The same bits as signed INT32. */
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT32, 0, (floe_pq_logical){0}), def, v, 3, 0);
    assert_stat(&oc, 6, "\xff\xff\xff\xff", 4);
    assert_stat(&oc, 5, "\x05\x00\x00\x00", 4);
    done(&oc);
    int64_t w[] = {INT64_MIN, 3};
    floe_pq_logical u64 = {.kind = FLOE_PQ_LT_INTEGER, .bit_width = 64, .is_signed = false};
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT64, 0, u64), def, w, 2, 0);
    assert_stat(&oc, 6, "\x03\x00\x00\x00\x00\x00\x00\x00", 8);
    assert_stat(&oc, 5, "\x00\x00\x00\x00\x00\x00\x00\x80", 8);
    done(&oc);
}

static void test_logical_bounds(void **state)
{
    floe_test_ctx *t = *state;
    int64_t v[] = {1700000000123456, -5, 42};
    int16_t def[] = {1, 1, 1};
    floe_pq_logical ts = {.kind = FLOE_PQ_LT_TIMESTAMP, .unit = FLOE_UNIT_MICROS, .utc = true};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT64, 0, ts), def, v, 3, 0);
    const floe_pq_column_metrics *m = &oc.res.columns[0];
    assert_int_equal(m->lower.kind, FLOE_V_TIMESTAMP);
    assert_int_equal(m->lower.u.i64, -5);
    assert_int_equal(m->upper.u.i64, 1700000000123456);
    assert_int_equal(m->upper.unit, FLOE_UNIT_MICROS);
    assert_true(m->upper.flags & FLOE_VF_UTC);
    done(&oc);
    int32_t days[] = {19000, -3};
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT32, 0, (floe_pq_logical){.kind = FLOE_PQ_LT_DATE}),
              def, days, 2, 0);
    assert_int_equal(oc.res.columns[0].lower.kind, FLOE_V_DATE);
    assert_int_equal(oc.res.columns[0].lower.u.i32, -3);
    done(&oc);
    uint8_t bools[] = {1, 1, 1};
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_BOOLEAN, 0, (floe_pq_logical){0}), def, bools, 3, 0);
    assert_stat(&oc, 6, "\x01", 1);
    assert_stat(&oc, 5, "\x01", 1);
    done(&oc);
}

static void test_int96_and_all_null(void **state)
{
    floe_test_ctx *t = *state;
    uint8_t raw[12] = {1, 2, 3};
    floe_pq_bytes v[] = {{raw, 12}, {raw, 12}};
    int16_t def[] = {1, 0};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT96, 0, (floe_pq_logical){0}), def, v, 2, 0);
    assert_null(tt_get(oc.stats, 5));
    assert_null(tt_get(oc.stats, 6));
    assert_int_equal(tt_int(oc.stats, 3, -1), 1);
    assert_null(oc.ci); /* undefined order: no column index */
    assert_false(oc.res.columns[0].has_bounds);
    done(&oc);

    int16_t nulls[4] = {0};
    /* only nulls: the batch needs no value array at all */
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_INT32, 0, (floe_pq_logical){0}), nulls, NULL, 4, 0);
    assert_null(tt_get(oc.stats, 5));
    assert_int_equal(tt_int(oc.stats, 3, -1), 4);
    assert_non_null(oc.ci);
    assert_int_equal(tt_get(oc.ci, 1)->items[0].i, 1); /* null page */
    assert_int_equal(tt_get(oc.ci, 2)->items[0].len, 0);
    assert_int_equal(tt_get(oc.ci, 5)->items[0].i, 4);
    assert_false(oc.res.columns[0].has_bounds);
    assert_int_equal(oc.res.columns[0].null_count, 4);
    /* a null-only chunk needs no dictionary */
    assert_null(tt_get(tu_chunk_meta(&oc.f, 0, 0), 11));
    done(&oc);
}

static void test_long_binary_bounds_truncated(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 5000;
    uint8_t *lo = floe_arena_alloc(t->arena, n), *hi = floe_arena_alloc(t->arena, n);
    memset(lo, 'a', n);
    hi[0] = 'b';
    memset(hi + 1, 'z', n - 1);
    floe_pq_bytes v[] = {{hi, (uint32_t)n}, {lo, (uint32_t)n}};
    int16_t def[] = {1, 1};
    one_col oc;
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_BYTE_ARRAY, 0, (floe_pq_logical){0}), def, v, 2, 0);
    const tt_val *mn = tt_get(oc.stats, 6), *mx = tt_get(oc.stats, 5);
    assert_int_equal(mn->len, 4096);
    assert_memory_equal(mn->bin, lo, 4096);
    assert_int_equal(mx->len, 4096);
    assert_memory_equal(mx->bin, hi, 4095);
    assert_int_equal(mx->bin[4095], 'z' + 1); /* incremented: still an upper bound */
    assert_int_equal(tt_int(oc.stats, 7, -1), 0);
    assert_int_equal(tt_int(oc.stats, 8, -1), 0);
    /* page index bounds are cut at 64 bytes */
    assert_int_equal(tt_get(oc.ci, 2)->items[0].len, 64);
    assert_int_equal(tt_get(oc.ci, 3)->items[0].len, 64);
    /* metrics keep the exact values */
    assert_int_equal(oc.res.columns[0].lower.u.bytes.len, n);
    assert_memory_equal(oc.res.columns[0].upper.u.bytes.ptr, hi, n);
    done(&oc);

    /* A maximum of 0xFF bytes cannot be shortened: it is kept whole and exact. */
    memset(hi, 0xFF, n);
    write_col(t, &oc, opt_leaf(t, FLOE_PQ_BYTE_ARRAY, 0, (floe_pq_logical){0}), def, v, 2, 0);
    assert_int_equal(tt_get(oc.stats, 5)->len, n);
    assert_int_equal(tt_int(oc.stats, 7, -1), 1);
    assert_int_equal(tt_int(oc.stats, 8, -1), 0);
    done(&oc);
}

FLOE_TEST_GROUP(write_stats)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_bytes_unsigned_order),       T(test_uuid_bytes_unsigned),
        T(test_float_signed_zero_rule),     T(test_nan_skipped_and_counted),
        T(test_decimal_on_fixed_is_signed), T(test_decimal_on_byte_array_any_length),
        T(test_unsigned_integers),          T(test_logical_bounds),
        T(test_int96_and_all_null),         T(test_long_binary_bounds_truncated),
    };
#undef T
    return cmocka_run_group_tests_name("write_stats", tests, NULL, NULL);
}
