/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the writer lays data out: dictionary kept, abandoned or falling back to PLAIN mid-chunk;
 * pages cut at page_size and at the row cap, and only at row boundaries for repeated columns;
 * row groups cut at row_group_size and by flush(); the page index (offsets that match the pages,
 * boundary order, null pages); estimated_size.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

typedef struct written {
    tu_writer tw;
    uint8_t *data;
    size_t len;
    tu_file f;
    floe_pq_write_result res;
} written;

static void finish(floe_test_ctx *t, written *w)
{
    w->data = tu_writer_close(&w->tw, &w->res, &w->len);
    assert_true(tu_file_parse(w->data, w->len, t->arena, &w->f));
}

static void release(written *w)
{
    free(w->data);
    tu_writer_free(&w->tw);
}

static floe_pq_write_opts opts(size_t page, size_t rg)
{
    floe_pq_write_opts o = floe_pq_write_opts_default();
    o.codec = FLOE_PQ_UNCOMPRESSED;
    o.page_size = page;
    o.row_group_size = rg;
    return o;
}

/* One required INT64 column of values v[0..n), written in batches of `batch` rows. */
static void write_i64(floe_test_ctx *t, written *w, const int64_t *v, size_t n, size_t batch,
                      const floe_pq_write_opts *o)
{
    floe_pq_schema s = tu_schema(
        t->arena, 1,
        tu_leaf(t->arena, "v", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, (floe_pq_logical){0}, 1));
    tu_writer_open(&w->tw, floe_test_tmp_path(t, "l.parquet"), &s, o);
    for (size_t r = 0; r < n; r += batch) {
        size_t k = n - r < batch ? n - r : batch;
        floe_pq_column col = {.leaf = s.leaves[0], .n = k, .v.i64 = v + r};
        floe_pq_batch b = {.n_rows = k, .columns = &col, .n_columns = 1};
        tu_writer_write(&w->tw, &b);
    }
    finish(t, w);
}

static tu_column read_chunk(floe_test_ctx *t, const written *w, size_t rg, floe_pq_type type,
                            int max_def, int max_rep)
{
    tu_column c;
    char why[256] = {0};
    if (!tu_read_chunk(&w->f, rg, 0, type, 0, max_def, max_rep, t->arena, &c, why, sizeof(why))) {
        fail_msg("%s", why);
    }
    return c;
}

static void test_dictionary_kept_for_low_cardinality(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 50000;
    int64_t *v = floe_arena_calloc(t->arena, n, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)(i % 10) * 1000003;
    }
    floe_pq_write_opts o = opts(4096, (size_t)64 << 20);
    written w;
    write_i64(t, &w, v, n, 8192, &o);
    tu_column c = read_chunk(t, &w, 0, FLOE_PQ_INT64, 0, 0);
    assert_true(c.has_dict);
    assert_int_equal(c.dict_n, 10);
    assert_true(c.n_pages >= 3); /* the 20000-row page cap */
    for (size_t p = 0; p < c.n_pages; p++) {
        assert_int_equal(c.page_encoding[p], FLOE_PQ_ENC_RLE_DICTIONARY);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c.ints[i], v[i]);
    }
    const tt_val *cm = tu_chunk_meta(&w.f, 0, 0);
    const tt_val *enc = tt_get(cm, 2);
    assert_int_equal(enc->n, 2); /* PLAIN (the dictionary page), RLE_DICTIONARY */
    assert_int_equal(enc->items[0].i, FLOE_PQ_ENC_PLAIN);
    assert_int_equal(enc->items[1].i, FLOE_PQ_ENC_RLE_DICTIONARY);
    assert_int_equal(tt_int(cm, 11, -1), 4); /* dictionary page first in the file */
    release(&w);
}

static void test_dictionary_abandoned_when_it_does_not_pay(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 30000;
    int64_t *v = floe_arena_calloc(t->arena, n, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)(i * 2654435761u);
    }
    floe_pq_write_opts o = opts(8192, (size_t)64 << 20);
    written w;
    write_i64(t, &w, v, n, 4096, &o);
    tu_column c = read_chunk(t, &w, 0, FLOE_PQ_INT64, 0, 0);
    assert_false(c.has_dict);
    for (size_t p = 0; p < c.n_pages; p++) {
        assert_int_equal(c.page_encoding[p], FLOE_PQ_ENC_PLAIN);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c.ints[i], v[i]);
    }
    assert_null(tt_get(tu_chunk_meta(&w.f, 0, 0), 11));
    release(&w);
}

static void test_dictionary_falls_back_to_plain_mid_chunk(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 6000;
    floe_pq_bytes *v = floe_arena_calloc(t->arena, n, sizeof(floe_pq_bytes));
    static const char *const few[] = {"red", "green", "blue", "cyan", "magenta"};
    for (size_t i = 0; i < n; i++) {
        const char *s = i < 3000 ? few[i % 5] : floe_arena_sprintf(t->arena, "unique-%zu", i);
        v[i] = (floe_pq_bytes){(const uint8_t *)s, (uint32_t)strlen(s)};
    }
    floe_pq_logical str = {.kind = FLOE_PQ_LT_STRING};
    floe_pq_schema s = tu_schema(
        t->arena, 1, tu_leaf(t->arena, "s", FLOE_PQ_REQUIRED, FLOE_PQ_BYTE_ARRAY, 0, str, 1));
    floe_pq_write_opts o = opts(1024, (size_t)64 << 20);
    o.dictionary_page_limit = 4096;
    written w;
    tu_writer_open(&w.tw, floe_test_tmp_path(t, "fb.parquet"), &s, &o);
    floe_pq_column col = {.leaf = s.leaves[0], .n = n, .v.bytes = v};
    floe_pq_batch b = {.n_rows = n, .columns = &col, .n_columns = 1};
    tu_writer_write(&w.tw, &b);
    finish(t, &w);
    tu_column c = read_chunk(t, &w, 0, FLOE_PQ_BYTE_ARRAY, 0, 0);
    assert_true(c.has_dict);
    /* dictionary pages first, then PLAIN to the end of the chunk */
    size_t first_plain = c.n_pages;
    for (size_t p = 0; p < c.n_pages; p++) {
        if (c.page_encoding[p] == FLOE_PQ_ENC_PLAIN && first_plain == c.n_pages) {
            first_plain = p;
        }
        if (p > first_plain) {
            assert_int_equal(c.page_encoding[p], FLOE_PQ_ENC_PLAIN);
        }
    }
    assert_true(first_plain > 0 && first_plain < c.n_pages);
    /* the dictionary stopped near its limit (one segment over at most) */
    const tt_val *cm = tu_chunk_meta(&w.f, 0, 0);
    int64_t dict_size = tt_int(cm, 9, 0) - tt_int(cm, 11, 0);
    assert_true(dict_size < 4096 + 1024 + 64);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c.bytes[i].len, v[i].len);
        assert_memory_equal(c.bytes[i].ptr, v[i].ptr, v[i].len);
    }
    const tt_val *es = tt_get(cm, 13);
    assert_int_equal(es->n, 3);
    assert_int_equal(tt_int(&es->items[0], 1, -1), FLOE_PQ_PAGE_DICT);
    assert_int_equal(tt_int(&es->items[1], 2, -1), FLOE_PQ_ENC_RLE_DICTIONARY);
    assert_int_equal(tt_int(&es->items[1], 3, -1), (int64_t)first_plain);
    assert_int_equal(tt_int(&es->items[2], 2, -1), FLOE_PQ_ENC_PLAIN);
    assert_int_equal(tt_int(&es->items[2], 3, -1), (int64_t)(c.n_pages - first_plain));
    release(&w);
}

static void test_pages_cut_at_page_size(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 10000;
    int64_t *v = floe_arena_calloc(t->arena, n, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)(i * 0x9E3779B97F4A7C15ull); /* no dictionary */
    }
    floe_pq_write_opts o = opts(1024, (size_t)64 << 20);
    written w;
    write_i64(t, &w, v, n, 3000, &o);
    tu_column c = read_chunk(t, &w, 0, FLOE_PQ_INT64, 0, 0);
    assert_int_equal(c.n_pages, (n * 8 + 1023) / 1024);
    for (size_t p = 0; p + 1 < c.n_pages; p++) {
        assert_int_equal(c.page_values[p], 128); /* 1024 bytes of INT64 */
    }
    release(&w);

    /* Booleans: 20000 rows per page at most, whatever the byte size. */
    size_t m = 50000;
    uint8_t *bits = floe_arena_calloc(t->arena, m, 1);
    floe_pq_schema s = tu_schema(
        t->arena, 1,
        tu_leaf(t->arena, "b", FLOE_PQ_REQUIRED, FLOE_PQ_BOOLEAN, 0, (floe_pq_logical){0}, 1));
    o = opts((size_t)1 << 20, (size_t)64 << 20);
    tu_writer_open(&w.tw, floe_test_tmp_path(t, "b.parquet"), &s, &o);
    floe_pq_column col = {.leaf = s.leaves[0], .n = m, .v.b = bits};
    floe_pq_batch b = {.n_rows = m, .columns = &col, .n_columns = 1};
    tu_writer_write(&w.tw, &b);
    finish(t, &w);
    c = read_chunk(t, &w, 0, FLOE_PQ_BOOLEAN, 0, 0);
    assert_int_equal(c.n_pages, 3);
    assert_int_equal(c.page_values[0], 20000);
    assert_int_equal(c.page_values[2], 10000);
    release(&w);
}

static void test_repeated_pages_start_at_rows(void **state)
{
    floe_test_ctx *t = *state;
    floe_pq_logical none = {0};
    floe_pq_schema s =
        tu_schema(t->arena, 1,
                  tu_group(t->arena, "l", FLOE_PQ_OPTIONAL, FLOE_PQ_LT_LIST, 1, 1,
                           tu_group(t->arena, "list", FLOE_PQ_REPEATED, FLOE_PQ_LT_NONE, -1, 1,
                                    tu_leaf(t->arena, "element", FLOE_PQ_REQUIRED, FLOE_PQ_INT32, 0,
                                            none, 2))));
    size_t rows = 2000, cap = rows * 40;
    int16_t *def = floe_arena_calloc(t->arena, cap, sizeof(int16_t));
    int16_t *rep = floe_arena_calloc(t->arena, cap, sizeof(int16_t));
    int32_t *val = floe_arena_calloc(t->arena, cap, sizeof(int32_t));
    size_t k = 0;
    for (size_t r = 0; r < rows; r++) {
        size_t len = (r * 7) % 37; /* 0..36 elements, 0 = empty list */
        if (len == 0) {
            def[k] = 1;
            rep[k++] = 0;
            continue;
        }
        for (size_t e = 0; e < len; e++) {
            def[k] = 2;
            rep[k] = e == 0 ? 0 : 1;
            val[k++] = (int32_t)(r * 100 + e) * 7919; /* no dictionary */
        }
    }
    floe_pq_write_opts o = opts(256, (size_t)64 << 20);
    written w;
    tu_writer_open(&w.tw, floe_test_tmp_path(t, "rep.parquet"), &s, &o);
    floe_pq_column col = {.leaf = s.leaves[0], .n = k, .def = def, .rep = rep, .v.i32 = val};
    floe_pq_batch b = {.n_rows = rows, .columns = &col, .n_columns = 1};
    tu_writer_write(&w.tw, &b);
    finish(t, &w);
    tu_column c = read_chunk(t, &w, 0, FLOE_PQ_INT32, 2, 1);
    assert_int_equal(c.n, k);
    assert_true(c.n_pages > 20);
    size_t slot = 0;
    /* the offset index: one location per page, at the page, first rows counting rows */
    const tt_val *chunk = &tt_get(tu_row_group(&w.f, 0), 1)->items[0];
    tt_val oi;
    assert_true(tt_parse_struct(w.data + tt_int(chunk, 4, 0), (size_t)tt_int(chunk, 5, 0), t->arena,
                                &oi, NULL));
    const tt_val *locs = tt_get(&oi, 1);
    assert_int_equal(locs->n, c.n_pages);
    int64_t rows_before = 0;
    for (size_t p = 0; p < c.n_pages; p++) {
        assert_int_equal(c.rep[slot], 0); /* every page starts a row */
        assert_int_equal(tt_int(&locs->items[p], 1, -1), c.page_offset[p]);
        assert_int_equal(tt_int(&locs->items[p], 2, -1), c.page_size[p]);
        assert_int_equal(tt_int(&locs->items[p], 3, -1), rows_before);
        for (int32_t i = 0; i < c.page_values[p]; i++) {
            rows_before += c.rep[slot + (size_t)i] == 0;
        }
        slot += (size_t)c.page_values[p];
    }
    assert_int_equal(rows_before, rows);
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(c.def[i], def[i]);
        assert_int_equal(c.rep[i], rep[i]);
    }
    release(&w);
}

static void test_row_groups_cut_at_size_and_flush(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 100000;
    int64_t *v = floe_arena_calloc(t->arena, n, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)(i * 0x9E3779B97F4A7C15ull);
    }
    size_t rg = 64 << 10;
    floe_pq_write_opts o = opts(4096, rg);
    written w;
    write_i64(t, &w, v, n, 10000, &o);
    const tt_val *rgs = tt_get(&w.f.meta, 4);
    assert_int_equal(rgs->n, (n * 8 + rg - 1) / rg);
    int64_t rows = 0;
    for (size_t g = 0; g < rgs->n; g++) {
        int64_t size = tt_int(&rgs->items[g], 6, -1);
        if (g + 1 < rgs->n) {
            /* closed at the target: not short of it, over by less than a page */
            assert_true(size >= (int64_t)rg && size < (int64_t)(rg + 4096 + 512));
        }
        assert_int_equal(tt_int(&rgs->items[g], 7, -1), (int64_t)g); /* ordinal */
        rows += tt_int(&rgs->items[g], 3, 0);
        tu_column c = read_chunk(t, &w, g, FLOE_PQ_INT64, 0, 0);
        for (size_t i = 0; i < c.n; i++) {
            assert_int_equal(c.ints[i], v[(size_t)rows - c.n + i]);
        }
    }
    assert_int_equal(rows, n);
    assert_int_equal(w.res.n_row_groups, rgs->n);
    release(&w);

    /* flush() closes a row group where the caller wants */
    floe_pq_schema s = tu_schema(
        t->arena, 1,
        tu_leaf(t->arena, "v", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, (floe_pq_logical){0}, 1));
    o = floe_pq_write_opts_default();
    tu_writer_open(&w.tw, floe_test_tmp_path(t, "f.parquet"), &s, &o);
    floe_err err = {0};
    for (int i = 0; i < 3; i++) {
        floe_pq_column col = {.leaf = s.leaves[0], .n = 10, .v.i64 = v};
        floe_pq_batch b = {.n_rows = 10, .columns = &col, .n_columns = 1};
        tu_writer_write(&w.tw, &b);
        uint64_t est = floe_pq_writer_estimated_size(w.tw.w);
        assert_true(est > 4);
        FLOE_ASSERT_OK(floe_pq_writer_flush(w.tw.w, &err), &err);
        FLOE_ASSERT_OK(floe_pq_writer_flush(w.tw.w, &err), &err); /* nothing pending: no-op */
    }
    finish(t, &w);
    rgs = tt_get(&w.f.meta, 4);
    assert_int_equal(rgs->n, 3);
    assert_int_equal(tt_int(&rgs->items[2], 3, -1), 10);
    assert_int_equal(w.res.row_group_offsets[1], tt_int(&rgs->items[1], 5, -1));
    release(&w);
}

static void test_column_index_order_and_null_pages(void **state)
{
    floe_test_ctx *t = *state;
    size_t n = 20000;
    int32_t *v = floe_arena_calloc(t->arena, n, sizeof(int32_t));
    int16_t *def = floe_arena_calloc(t->arena, n, sizeof(int16_t));
    static const struct {
        int order; /* 0 random, 1 ascending, 2 descending */
        bool null_block;
    } cases[] = {{1, false}, {2, false}, {0, false}, {1, true}};
    for (size_t ci = 0; ci < FLOE_ARRAY_LEN(cases); ci++) {
        for (size_t i = 0; i < n; i++) {
            v[i] = cases[ci].order == 1   ? (int32_t)i
                   : cases[ci].order == 2 ? -(int32_t)i
                                          : (int32_t)((i * 7919) % 1000);
            /* 10000 nulls in a row: more than a page of levels */
            def[i] = !(cases[ci].null_block && i >= 5000 && i < 15000);
        }
        floe_pq_schema s = tu_schema(
            t->arena, 1,
            tu_leaf(t->arena, "v", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32, 0, (floe_pq_logical){0}, 1));
        floe_pq_write_opts o = opts(512, (size_t)64 << 20);
        o.disable_dictionary = true;
        written w;
        tu_writer_open(&w.tw, floe_test_tmp_path(t, "ci.parquet"), &s, &o);
        floe_pq_column col = {.leaf = s.leaves[0], .n = n, .def = def, .v.i32 = v};
        floe_pq_batch b = {.n_rows = n, .columns = &col, .n_columns = 1};
        tu_writer_write(&w.tw, &b);
        finish(t, &w);
        const tt_val *chunk = &tt_get(tu_row_group(&w.f, 0), 1)->items[0];
        tt_val cidx;
        assert_true(tt_parse_struct(w.data + tt_int(chunk, 6, 0), (size_t)tt_int(chunk, 7, 0),
                                    t->arena, &cidx, NULL));
        assert_int_equal(tt_int(&cidx, 4, -1), cases[ci].order);
        const tt_val *nullp = tt_get(&cidx, 1), *mins = tt_get(&cidx, 2);
        tu_column c = read_chunk(t, &w, 0, FLOE_PQ_INT32, 1, 0);
        assert_int_equal(nullp->n, c.n_pages);
        size_t nulls = 0;
        for (size_t p = 0; p < nullp->n; p++) {
            if (nullp->items[p].i) {
                nulls++;
                assert_int_equal(mins->items[p].len, 0);
            } else {
                assert_int_equal(mins->items[p].len, 4);
            }
        }
        assert_true(cases[ci].null_block ? nulls >= 1 : nulls == 0);
        release(&w);
    }
}

FLOE_TEST_GROUP(write_layout)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_dictionary_kept_for_low_cardinality),
        T(test_dictionary_abandoned_when_it_does_not_pay),
        T(test_dictionary_falls_back_to_plain_mid_chunk),
        T(test_pages_cut_at_page_size),
        T(test_repeated_pages_start_at_rows),
        T(test_row_groups_cut_at_size_and_flush),
        T(test_column_index_order_and_null_pages),
    };
#undef T
    return cmocka_run_group_tests_name("write_layout", tests, NULL, NULL);
}
