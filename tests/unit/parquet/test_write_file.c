/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole files written by floe_pq_writer and decoded back with the test-only decoder: every
 * physical type plus a nullable list of nullable ints, over every codec, data page v1 and v2,
 * dictionary on and off, with pages and row groups small enough that there are many. Also the
 * result metrics, field ids in the footer, zero-row files, and the error paths of the API.
 */
#include "floe_test.h"
#include "parquet/parquet_int.h"
#include "pq_testutil.h"

#include <math.h>
#include <stdio.h>

enum { C_ID, C_FLAG, C_I32, C_F32, C_F64, C_STR, C_FIX, C_I96, C_LIST, N_COLS };

typedef struct dataset {
    size_t rows;
    floe_pq_schema schema;
    /* flat columns: slot = row */
    int64_t *id;
    uint8_t *flag;
    int32_t *i32;
    float *f32;
    double *f64;
    floe_pq_bytes *str, *fix, *i96;
    int16_t *def[N_COLS];
    /* the list column */
    size_t list_slots;
    size_t *row_slot; /* first slot of each row, rows + 1 entries */
    int16_t *list_def, *list_rep;
    int32_t *list_val;
} dataset;

static floe_pq_schema make_schema(floe_arena *a)
{
    floe_pq_logical none = {0}, str = {.kind = FLOE_PQ_LT_STRING};
    return tu_schema(
        a, 9, tu_leaf(a, "id", FLOE_PQ_REQUIRED, FLOE_PQ_INT64, 0, none, 1),
        tu_leaf(a, "flag", FLOE_PQ_OPTIONAL, FLOE_PQ_BOOLEAN, 0, none, 2),
        tu_leaf(a, "i32", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32, 0, none, 3),
        tu_leaf(a, "f32", FLOE_PQ_OPTIONAL, FLOE_PQ_FLOAT, 0, none, 4),
        tu_leaf(a, "f64", FLOE_PQ_OPTIONAL, FLOE_PQ_DOUBLE, 0, none, 5),
        tu_leaf(a, "s", FLOE_PQ_OPTIONAL, FLOE_PQ_BYTE_ARRAY, 0, str, 6),
        tu_leaf(a, "fx", FLOE_PQ_OPTIONAL, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 3, none, 7),
        tu_leaf(a, "t96", FLOE_PQ_OPTIONAL, FLOE_PQ_INT96, 0, none, 8),
        tu_group(a, "l", FLOE_PQ_OPTIONAL, FLOE_PQ_LT_LIST, 9, 1,
                 tu_group(a, "list", FLOE_PQ_REPEATED, FLOE_PQ_LT_NONE, -1, 1,
                          tu_leaf(a, "element", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32, 0, none, 10))));
}

static void make_dataset(floe_arena *a, size_t rows, dataset *d)
{
    memset(d, 0, sizeof(*d));
    d->rows = rows;
    d->schema = make_schema(a);
    d->id = floe_arena_calloc(a, rows, sizeof(int64_t));
    d->flag = floe_arena_calloc(a, rows, 1);
    d->i32 = floe_arena_calloc(a, rows, sizeof(int32_t));
    d->f32 = floe_arena_calloc(a, rows, sizeof(float));
    d->f64 = floe_arena_calloc(a, rows, sizeof(double));
    d->str = floe_arena_calloc(a, rows, sizeof(floe_pq_bytes));
    d->fix = floe_arena_calloc(a, rows, sizeof(floe_pq_bytes));
    d->i96 = floe_arena_calloc(a, rows, sizeof(floe_pq_bytes));
    for (int c = 0; c < N_COLS; c++) {
        d->def[c] = floe_arena_calloc(a, rows, sizeof(int16_t));
    }
    d->row_slot = floe_arena_calloc(a, rows + 1, sizeof(size_t));
    size_t cap = rows * 5 + 1;
    d->list_def = floe_arena_calloc(a, cap, sizeof(int16_t));
    d->list_rep = floe_arena_calloc(a, cap, sizeof(int16_t));
    d->list_val = floe_arena_calloc(a, cap, sizeof(int32_t));
    for (size_t r = 0; r < rows; r++) {
        d->id[r] = (int64_t)r * 7 - 1000;
        d->def[C_FLAG][r] = r % 7 != 0;
        d->flag[r] = r % 3 == 0;
        d->def[C_I32][r] = r % 5 != 0;
        d->i32[r] = (int32_t)(r % 50) - 25;
        d->def[C_F32][r] = r % 11 != 0;
        d->f32[r] = r % 13 == 0 ? NAN : (float)r * 0.5f - 100.0f;
        d->def[C_F64][r] = r % 17 != 0;
        d->f64[r] = (double)r * 1.25 - 3.0;
        d->def[C_STR][r] = r % 9 != 0;
        char *s = r % 4 == 0 ? floe_arena_sprintf(a, "unique-%zu-%s", r, r % 8 ? "x" : "")
                             : floe_arena_sprintf(a, "cat-%zu", r % 10);
        d->str[r] = (floe_pq_bytes){(const uint8_t *)s, (uint32_t)strlen(s)};
        if (r == 3) {
            d->str[r] = (floe_pq_bytes){NULL, 0}; /* the empty string */
        }
        d->def[C_FIX][r] = r % 6 != 0;
        uint8_t *fx = floe_arena_alloc(a, 3);
        fx[0] = (uint8_t)r;
        fx[1] = (uint8_t)(r >> 8);
        fx[2] = 7;
        d->fix[r] = (floe_pq_bytes){fx, 3};
        d->def[C_I96][r] = r % 4 != 0;
        uint8_t *t = floe_arena_alloc(a, 12);
        for (int k = 0; k < 12; k++) {
            t[k] = (uint8_t)(r * 31 + (size_t)k);
        }
        d->i96[r] = (floe_pq_bytes){t, 12};
        /* list: null, empty, or 1..4 elements, some null */
        size_t at = d->list_slots;
        d->row_slot[r] = at;
        if (r % 8 == 0) {
            d->list_def[at] = 0;
            d->list_rep[at] = 0;
            d->list_slots++;
        } else if (r % 8 == 1) {
            d->list_def[at] = 1;
            d->list_rep[at] = 0;
            d->list_slots++;
        } else {
            size_t len = r % 4 + 1;
            for (size_t k = 0; k < len; k++) {
                d->list_rep[at + k] = k == 0 ? 0 : 1;
                d->list_def[at + k] = (r + k) % 5 == 0 ? 2 : 3;
                d->list_val[at + k] = (int32_t)(r + k);
            }
            d->list_slots += len;
        }
    }
    d->row_slot[rows] = d->list_slots;
}

/* Batch of rows [a, b). */
static void make_batch(const dataset *d, size_t a, size_t b, floe_pq_column *cols,
                       floe_pq_batch *out)
{
    const floe_pq_schema *s = &d->schema;
    size_t n = b - a;
    for (int c = 0; c < N_COLS; c++) {
        cols[c] = (floe_pq_column){.leaf = s->leaves[c], .n = n};
        if (c != C_ID && c != C_LIST) {
            cols[c].def = d->def[c] + a;
        }
    }
    cols[C_ID].v.i64 = d->id + a;
    cols[C_FLAG].v.b = d->flag + a;
    cols[C_I32].v.i32 = d->i32 + a;
    cols[C_F32].v.f32 = d->f32 + a;
    cols[C_F64].v.f64 = d->f64 + a;
    cols[C_STR].v.bytes = d->str + a;
    cols[C_FIX].v.bytes = d->fix + a;
    cols[C_I96].v.bytes = d->i96 + a;
    size_t sa = d->row_slot[a], sb = d->row_slot[b];
    cols[C_LIST].n = sb - sa;
    cols[C_LIST].def = d->list_def + sa;
    cols[C_LIST].rep = d->list_rep + sa;
    cols[C_LIST].v.i32 = d->list_val + sa;
    *out = (floe_pq_batch){.n_rows = n, .columns = cols, .n_columns = N_COLS};
}

static void write_dataset(tu_writer *tw, const dataset *d)
{
    static const size_t sizes[] = {1000, 1, 2345, 17, 4096};
    size_t r = 0, k = 0;
    floe_pq_column cols[N_COLS];
    floe_pq_batch b;
    while (r < d->rows) {
        size_t n = sizes[k++ % FLOE_ARRAY_LEN(sizes)];
        n = n < d->rows - r ? n : d->rows - r;
        make_batch(d, r, r + n, cols, &b);
        tu_writer_write(tw, &b);
        r += n;
    }
}

/* Concatenate chunk `col` over every row group. */
static void read_column(const tu_file *f, const floe_pq_node *leaf, size_t col, floe_arena *a,
                        tu_column *all)
{
    const tt_val *rgs = tt_get(&f->meta, 4);
    memset(all, 0, sizeof(*all));
    size_t cap_slots = 0, cap_vals = 0;
    tu_column parts[4096];
    assert_true(rgs->n <= 4096);
    for (size_t g = 0; g < rgs->n; g++) {
        char why[256] = {0};
        bool ok = tu_read_chunk(f, g, col, leaf->type, leaf->type_length, leaf->max_def,
                                leaf->max_rep, a, &parts[g], why, sizeof(why));
        if (!ok) {
            fail_msg("column %s row group %zu: %s", leaf->name, g, why);
        }
        cap_slots += parts[g].n;
        cap_vals += parts[g].n_values;
    }
    all->def = floe_arena_calloc(a, cap_slots + 1, sizeof(int16_t));
    all->rep = floe_arena_calloc(a, cap_slots + 1, sizeof(int16_t));
    all->ints = floe_arena_calloc(a, cap_vals + 1, sizeof(int64_t));
    all->dbls = floe_arena_calloc(a, cap_vals + 1, sizeof(double));
    all->bytes = floe_arena_calloc(a, cap_vals + 1, sizeof(floe_str));
    for (size_t g = 0; g < rgs->n; g++) {
        memcpy(all->def + all->n, parts[g].def, parts[g].n * sizeof(int16_t));
        memcpy(all->rep + all->n, parts[g].rep, parts[g].n * sizeof(int16_t));
        memcpy(all->ints + all->n_values, parts[g].ints, parts[g].n_values * sizeof(int64_t));
        memcpy(all->dbls + all->n_values, parts[g].dbls, parts[g].n_values * sizeof(double));
        memcpy(all->bytes + all->n_values, parts[g].bytes, parts[g].n_values * sizeof(floe_str));
        all->n += parts[g].n;
        all->n_values += parts[g].n_values;
        all->n_pages += parts[g].n_pages;
    }
}

static void check_bytes_col(const tu_column *got, const dataset *d, const floe_pq_bytes *vals,
                            int c)
{
    size_t k = 0;
    for (size_t r = 0; r < d->rows; r++) {
        assert_int_equal(got->def[r], d->def[c][r]);
        if (d->def[c][r]) {
            assert_int_equal(got->bytes[k].len, vals[r].len);
            if (vals[r].len > 0) {
                assert_memory_equal(got->bytes[k].ptr, vals[r].ptr, vals[r].len);
            }
            k++;
        }
    }
    assert_int_equal(got->n_values, k);
}

static void check_file(floe_test_ctx *t, const uint8_t *data, size_t len, const dataset *d,
                       const floe_pq_write_result *res)
{
    tu_file f;
    assert_true(tu_file_parse(data, len, t->arena, &f));
    assert_int_equal(tt_int(&f.meta, 3, -1), (int64_t)d->rows);
    assert_int_equal(res->num_rows, (int64_t)d->rows);
    assert_int_equal(res->file_size, len);
    const tt_val *rgs = tt_get(&f.meta, 4);
    assert_int_equal(res->n_row_groups, rgs->n);
    for (size_t g = 0; g < rgs->n; g++) {
        assert_int_equal(res->row_group_offsets[g], tt_int(&rgs->items[g], 5, -1));
    }
    const floe_pq_schema *s = &d->schema;
    tu_column got;
    /* id */
    read_column(&f, s->leaves[C_ID], C_ID, t->arena, &got);
    assert_int_equal(got.n, d->rows);
    for (size_t r = 0; r < d->rows; r++) {
        assert_int_equal(got.ints[r], d->id[r]);
    }
    /* flag, i32 */
    read_column(&f, s->leaves[C_FLAG], C_FLAG, t->arena, &got);
    size_t k = 0;
    for (size_t r = 0; r < d->rows; r++) {
        assert_int_equal(got.def[r], d->def[C_FLAG][r]);
        if (d->def[C_FLAG][r]) {
            assert_int_equal(got.ints[k++], d->flag[r]);
        }
    }
    read_column(&f, s->leaves[C_I32], C_I32, t->arena, &got);
    k = 0;
    for (size_t r = 0; r < d->rows; r++) {
        assert_int_equal(got.def[r], d->def[C_I32][r]);
        if (d->def[C_I32][r]) {
            assert_int_equal(got.ints[k++], d->i32[r]);
        }
    }
    /* floats, NaN included (compared by bits) */
    read_column(&f, s->leaves[C_F32], C_F32, t->arena, &got);
    k = 0;
    for (size_t r = 0; r < d->rows; r++) {
        assert_int_equal(got.def[r], d->def[C_F32][r]);
        if (d->def[C_F32][r]) {
            float x = (float)got.dbls[k++];
            assert_memory_equal(&x, &d->f32[r], 4);
        }
    }
    read_column(&f, s->leaves[C_F64], C_F64, t->arena, &got);
    k = 0;
    for (size_t r = 0; r < d->rows; r++) {
        if (d->def[C_F64][r]) {
            assert_true(got.dbls[k++] == d->f64[r]);
        }
    }
    assert_int_equal(got.n_values, k);
    read_column(&f, s->leaves[C_STR], C_STR, t->arena, &got);
    check_bytes_col(&got, d, d->str, C_STR);
    read_column(&f, s->leaves[C_FIX], C_FIX, t->arena, &got);
    check_bytes_col(&got, d, d->fix, C_FIX);
    read_column(&f, s->leaves[C_I96], C_I96, t->arena, &got);
    check_bytes_col(&got, d, d->i96, C_I96);
    /* the list */
    read_column(&f, s->leaves[C_LIST], C_LIST, t->arena, &got);
    assert_int_equal(got.n, d->list_slots);
    k = 0;
    for (size_t i = 0; i < d->list_slots; i++) {
        assert_int_equal(got.def[i], d->list_def[i]);
        assert_int_equal(got.rep[i], d->list_rep[i]);
        if (d->list_def[i] == 3) {
            assert_int_equal(got.ints[k++], d->list_val[i]);
        }
    }
    /* metrics */
    int64_t nulls[N_COLS] = {0};
    int64_t nans = 0;
    for (size_t r = 0; r < d->rows; r++) {
        for (int c = C_FLAG; c < C_LIST; c++) {
            nulls[c] += d->def[c][r] == 0;
        }
        nans += d->def[C_F32][r] && isnan(d->f32[r]);
    }
    for (size_t i = 0; i < d->list_slots; i++) {
        nulls[C_LIST] += d->list_def[i] < 3;
    }
    for (int c = 0; c < N_COLS; c++) {
        const floe_pq_column_metrics *m = &res->columns[c];
        assert_ptr_equal(m->leaf->name, res->columns[c].leaf->name);
        assert_int_equal(m->value_count, c == C_LIST ? (int64_t)d->list_slots : (int64_t)d->rows);
        assert_int_equal(m->null_count, nulls[c]);
        uint64_t sum = 0;
        for (size_t g = 0; g < rgs->n; g++) {
            sum += (uint64_t)tt_int(tu_chunk_meta(&f, g, (size_t)c), 7, 0);
        }
        assert_int_equal(m->compressed_size, sum);
    }
    assert_true(res->columns[C_F32].has_nan_count);
    assert_int_equal(res->columns[C_F32].nan_count, nans);
    assert_false(res->columns[C_I32].has_nan_count);
    assert_true(res->columns[C_ID].has_bounds);
    assert_int_equal(res->columns[C_ID].lower.u.i64, -1000);
    assert_int_equal(res->columns[C_ID].upper.u.i64, (int64_t)(d->rows - 1) * 7 - 1000);
    assert_false(res->columns[C_I96].has_bounds); /* INT96 has no order */
}

typedef struct cfg {
    floe_pq_codec codec;
    bool v2, no_dict;
} cfg;

static void test_round_trip_matrix(void **state)
{
    floe_test_ctx *t = *state;
    static const cfg cfgs[] = {
        {FLOE_PQ_UNCOMPRESSED, false, false}, {FLOE_PQ_UNCOMPRESSED, true, true},
        {FLOE_PQ_SNAPPY, false, true},        {FLOE_PQ_SNAPPY, true, false},
        {FLOE_PQ_GZIP, false, false},         {FLOE_PQ_ZSTD, true, false},
        {FLOE_PQ_ZSTD, false, true},          {FLOE_PQ_LZ4_RAW, true, false},
        {FLOE_PQ_BROTLI, false, false},       {FLOE_PQ_LZ4, true, true},
    };
    dataset d;
    make_dataset(t->arena, 3000, &d);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cfgs); i++) {
        floe_pq_write_opts o = floe_pq_write_opts_default();
        o.codec = cfgs[i].codec;
        o.data_page_v2 = cfgs[i].v2;
        o.disable_dictionary = cfgs[i].no_dict;
        o.page_size = 2048;
        o.row_group_size = 24 << 10;
        o.page_statistics = i % 2 == 0;
        tu_writer tw;
        const char *path = floe_test_tmp_path(t, "m.parquet");
        tu_writer_open(&tw, path, &d.schema, &o);
        write_dataset(&tw, &d);
        floe_pq_write_result res;
        size_t len;
        uint8_t *data = tu_writer_close(&tw, &res, &len);
        assert_true(res.n_row_groups > 1);
        check_file(t, data, len, &d, &res);
        tu_file f;
        assert_true(tu_file_parse(data, len, t->arena, &f));
        const tt_val *cm = tu_chunk_meta(&f, 0, C_I32);
        assert_int_equal(tt_int(cm, 4, -1), cfgs[i].codec);
        free(data);
        tu_writer_free(&tw);
    }
}

static void test_footer_has_ids_orders_and_metadata(void **state)
{
    floe_test_ctx *t = *state;
    dataset d;
    make_dataset(t->arena, 100, &d);
    floe_pq_kv kv[] = {{"iceberg.schema", "{}"}, {"k", NULL}};
    floe_pq_write_opts o = floe_pq_write_opts_default();
    o.kv = kv;
    o.n_kv = 2;
    o.created_by = "test writer";
    tu_writer tw;
    tu_writer_open(&tw, floe_test_tmp_path(t, "ids.parquet"), &d.schema, &o);
    kv[0].value = "changed after new"; /* the writer copied it */
    write_dataset(&tw, &d);
    floe_pq_write_result res;
    size_t len;
    uint8_t *data = tu_writer_close(&tw, &res, &len);
    tu_file f;
    assert_true(tu_file_parse(data, len, t->arena, &f));
    const tt_val *schema = tt_get(&f.meta, 2);
    /* root, 8 flat leaves, l, list, element */
    assert_int_equal(schema->n, 12);
    static const int64_t ids[] = {-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 10};
    for (size_t i = 0; i < 12; i++) {
        assert_int_equal(tt_int(&schema->items[i], 9, -1), ids[i]);
    }
    assert_int_equal(tt_int(&schema->items[9], 6, -1), 3); /* LIST converted type */
    assert_int_equal(tt_int(&schema->items[10], 3, -1), FLOE_PQ_REPEATED);
    const tt_val *kvs = tt_get(&f.meta, 5);
    assert_int_equal(kvs->n, 2);
    assert_memory_equal(tt_get(&kvs->items[0], 2)->bin, "{}", 2);
    assert_null(tt_get(&kvs->items[1], 2));
    assert_memory_equal(tt_get(&f.meta, 6)->bin, "test writer", 11);
    const tt_val *orders = tt_get(&f.meta, 7);
    assert_int_equal(orders->n, N_COLS);
    for (size_t i = 0; i < orders->n; i++) {
        assert_non_null(tt_get(&orders->items[i], 1)); /* TYPE_ORDER */
    }
    /* path_in_schema of the list element */
    const tt_val *path = tt_get(tu_chunk_meta(&f, 0, C_LIST), 3);
    assert_int_equal(path->n, 3);
    assert_memory_equal(path->items[1].bin, "list", 4);
    free(data);
    tu_writer_free(&tw);
}

static void test_zero_rows(void **state)
{
    floe_test_ctx *t = *state;
    dataset d;
    make_dataset(t->arena, 1, &d);
    tu_writer tw;
    tu_writer_open(&tw, floe_test_tmp_path(t, "empty.parquet"), &d.schema, NULL);
    floe_pq_column cols[N_COLS];
    floe_pq_batch b;
    make_batch(&d, 0, 0, cols, &b); /* an empty batch is accepted */
    tu_writer_write(&tw, &b);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_writer_flush(tw.w, &err), &err);
    floe_pq_write_result res;
    size_t len;
    uint8_t *data = tu_writer_close(&tw, &res, &len);
    tu_file f;
    assert_true(tu_file_parse(data, len, t->arena, &f));
    assert_int_equal(tt_int(&f.meta, 3, -1), 0);
    assert_int_equal(tt_get(&f.meta, 4)->n, 0);
    assert_int_equal(res.n_row_groups, 0);
    assert_int_equal(res.num_rows, 0);
    assert_false(res.columns[C_ID].has_bounds);
    assert_int_equal(res.columns[C_ID].value_count, 0);
    free(data);
    tu_writer_free(&tw);
}

static void test_bad_batches_are_rejected(void **state)
{
    floe_test_ctx *t = *state;
    dataset d;
    make_dataset(t->arena, 10, &d);
    tu_writer tw;
    tu_writer_open(&tw, floe_test_tmp_path(t, "bad.parquet"), &d.schema, NULL);
    floe_pq_column cols[N_COLS];
    floe_pq_batch b;
    floe_err err = {0};

    make_batch(&d, 0, 10, cols, &b);
    b.n_columns = 3;
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "batch has 3 columns");
    floe_err_clear(&err);

    make_batch(&d, 0, 10, cols, &b);
    int16_t bad_def[10] = {1, 1, 2};
    cols[C_I32].def = bad_def;
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "definition level 2 at slot 2");
    floe_err_clear(&err);

    make_batch(&d, 0, 10, cols, &b);
    floe_pq_bytes shortv[10];
    memcpy(shortv, d.fix, sizeof(shortv));
    shortv[1].len = 2;
    cols[C_FIX].v.bytes = shortv;
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "value of 2 bytes at slot 1");
    floe_err_clear(&err);

    make_batch(&d, 0, 10, cols, &b);
    int16_t reps[64];
    memcpy(reps, d.list_rep, cols[C_LIST].n * sizeof(int16_t));
    reps[0] = 1; /* starts inside a row */
    cols[C_LIST].rep = reps;
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "repetition level 1 at slot 0");
    floe_err_clear(&err);
    reps[0] = 0;
    reps[3] = 0; /* one row too many */
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "11 rows in a batch of 10");
    floe_err_clear(&err);

    make_batch(&d, 0, 10, cols, &b);
    cols[C_I32].leaf = d.schema.leaves[C_ID]; /* wrong leaf type */
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "does not match leaf 'i32'");
    floe_err_clear(&err);

    make_batch(&d, 0, 5, cols, &b);
    cols[C_ID].n = 4;
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err,
                    "4 slots for 5 rows");
    floe_err_clear(&err);

    /* rejected batches left nothing behind: a good one still makes a valid file */
    make_batch(&d, 0, 10, cols, &b);
    tu_writer_write(&tw, &b);
    floe_pq_write_result res;
    size_t len;
    uint8_t *data = tu_writer_close(&tw, &res, &len);
    check_file(t, data, len, &d, &res);
    FLOE_ASSERT_ERR(floe_pq_writer_write(tw.w, &b, &err), FLOE_ERR_INVALID, &err, "closed");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_pq_writer_close(tw.w, NULL, &err), FLOE_ERR_INVALID, &err, "closed");
    free(data);
    tu_writer_free(&tw);
}

static void test_bad_schemas_and_options(void **state)
{
    floe_test_ctx *t = *state;
    floe_local_io_opts lo = {.no_sync = true};
    floe_fileio *io = floe_fileio_local_new(&lo);
    floe_output *out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_io_create(io, floe_test_tmp_path(t, "x.parquet"), FLOE_IO_CREATE_OVERWRITE,
                                  &out, &err),
                   &err);
    floe_pq_writer *w = NULL;
    floe_pq_logical str = {.kind = FLOE_PQ_LT_STRING};
    floe_pq_schema s1 =
        tu_schema(t->arena, 1, tu_leaf(t->arena, "x", FLOE_PQ_REQUIRED, FLOE_PQ_INT32, 0, str, 1));
    FLOE_ASSERT_ERR(floe_pq_writer_new(out, &s1, NULL, &w, &err), FLOE_ERR_INVALID, &err,
                    "column 'x': logical type does not fit INT32");
    assert_null(w);
    floe_err_clear(&err);

    floe_pq_logical uuid = {.kind = FLOE_PQ_LT_UUID};
    floe_pq_schema s2 = tu_schema(
        t->arena, 1,
        tu_leaf(t->arena, "u", FLOE_PQ_REQUIRED, FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 8, uuid, 1));
    FLOE_ASSERT_ERR(floe_pq_writer_new(out, &s2, NULL, &w, &err), FLOE_ERR_INVALID, &err,
                    "FIXED_LEN_BYTE_ARRAY");
    floe_err_clear(&err);

    floe_pq_logical none = {0};
    floe_pq_schema s3 =
        tu_schema(t->arena, 1, tu_leaf(t->arena, "y", FLOE_PQ_REQUIRED, FLOE_PQ_INT32, 0, none, 1));
    floe_pq_write_opts o = floe_pq_write_opts_default();
    o.codec = FLOE_PQ_LZO;
    FLOE_ASSERT_ERR(floe_pq_writer_new(out, &s3, &o, &w, &err), FLOE_ERR_UNSUPPORTED, &err, "LZO");
    floe_err_clear(&err);
    o.codec = FLOE_PQ_ZSTD;
    o.page_size = (size_t)4 << 30;
    FLOE_ASSERT_ERR(floe_pq_writer_new(out, &s3, &o, &w, &err), FLOE_ERR_INVALID, &err,
                    "page size");
    floe_output_abort(out);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(write_file)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_matrix, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_footer_has_ids_orders_and_metadata, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_zero_rows, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_batches_are_rejected, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_schemas_and_options, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("write_file", tests, NULL, NULL);
}
