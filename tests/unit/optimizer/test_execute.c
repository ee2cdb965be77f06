/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe_optimizer_execute on copies of fixture tables: the rows of the output files (read back
 * with the row reader, no deletes) equal the rows of the input files read with their deletes;
 * every metric of every output is recomputed from those rows; rewrite-deletes produce a
 * position-delete file that removes exactly the rows the original deletes removed; failures and
 * cancellation leave no file behind.
 */
#include "exec_helpers.h"

#include <stdio.h>
#include <string.h>

#define JAVA_POS_EQ "iceberg/java_api_pos_and_eq_deletes"
#define JAVA_POS_EQ_LOC "s3a://hyperparam-iceberg/java/bunnies"
#define JAVA_PART "iceberg/java_api_eq_deletes_identity_partition"
#define JAVA_PART_LOC "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned"

/* The expected rows of a task: each data file read with the deletes that apply to it. */
static const char *expected_rows(floe_test_ctx *t, const xtable *x, const size_t *idx, size_t n,
                                 size_t *n_rows)
{
    floe_vec lines;
    floe_vec_init(&lines, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const xfile *df = &x->data[idx[i]];
        const xfile *app[64];
        size_t n_app = xtable_applicable(x, df, app, FLOE_ARRAY_LEN(app));
        const floe_data_file *dels[64];
        for (size_t j = 0; j < n_app; j++) {
            dels[j] = &app[j]->f;
        }
        xread_rows(t, x->io, x->meta, &df->f, dels, n_app, &lines);
    }
    *n_rows = lines.n;
    const char *s = xjoin_sorted(t, &lines);
    floe_vec_fini(&lines);
    return s;
}

/* The rows of a task's output data files, and a check of every metric against them. */
static const char *output_rows(floe_test_ctx *t, const xtable *x, const floe_opt_task_input *in,
                               const floe_opt_task_output *out, size_t *n_rows)
{
    floe_err err = {0};
    const floe_ice_schema *s = floe_table_meta_current_schema(x->meta);
    const floe_ice_type *root = s->root;
    floe_vec all;
    floe_vec_init(&all, sizeof(char *));
    for (size_t k = 0; k < out->n_files; k++) {
        const floe_opt_output_file *o = &out->files[k];
        if (o->content != FLOE_CONTENT_DATA) {
            continue;
        }
        assert_true(floe_starts_with(o->path, x->prefix));
        floe_file_info info;
        FLOE_ASSERT_OK(floe_io_stat(x->io, o->path, &info, &err), &err);
        assert_int_equal((int64_t)info.size, o->size);
        assert_true(o->n_split_offsets >= 1);
        /* Recompute counts and bounds per top-level primitive column. */
        floe_data_file f = xoutput_as_file(t, x, in, o);
        floe_ice_read_opts ro = {
            .schema = s, .file = &f, .spec = floe_table_meta_spec(x->meta, in->spec_id)};
        floe_ice_reader *r = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_open(x->io, &ro, &r, &err), &err);
        size_t nc = root->n_fields;
        int64_t *nulls = floe_arena_calloc(t->arena, nc, sizeof(int64_t));
        floe_value *mins = floe_arena_calloc(t->arena, nc, sizeof(floe_value));
        floe_value *maxs = floe_arena_calloc(t->arena, nc, sizeof(floe_value));
        bool *seen = floe_arena_calloc(t->arena, nc, sizeof(bool));
        int64_t rows = 0;
        floe_buf b;
        floe_buf_init(&b, 0);
        for (;;) {
            const floe_ice_batch *batch = NULL;
            FLOE_ASSERT_OK(floe_ice_reader_next(r, &batch, &err), &err);
            if (batch == NULL) {
                break;
            }
            for (size_t i = 0; i < batch->n_rows; i++) {
                floe_buf_reset(&b);
                FLOE_ASSERT_OK(floe_ice_batch_row_json(batch, i, &b, &err), &err);
                char *line = floe_arena_strdup(t->arena, floe_buf_cstr(&b));
                floe_vec_push_copy(&all, &line);
                for (size_t c = 0; c < nc; c++) {
                    const floe_value *v = &batch->columns[c][i];
                    if (v->kind == FLOE_V_NULL) {
                        nulls[c]++;
                        continue;
                    }
                    if (!floe_ice_type_is_primitive(root->fields[c].type) ||
                        (v->kind == FLOE_V_DOUBLE && v->u.f64 != v->u.f64)) {
                        continue;
                    }
                    /* Values are copied: the batch goes away at the next call. */
                    floe_value copy = *v;
                    if (v->kind == FLOE_V_STRING || v->kind == FLOE_V_BINARY) {
                        copy.u.bytes.ptr =
                            floe_arena_memdup(t->arena, v->u.bytes.ptr, v->u.bytes.len + 1);
                    }
                    if (!seen[c] || floe_value_cmp(&copy, &mins[c]) < 0) {
                        mins[c] = copy;
                    }
                    if (!seen[c] || floe_value_cmp(&copy, &maxs[c]) > 0) {
                        maxs[c] = copy;
                    }
                    seen[c] = true;
                }
                rows++;
            }
        }
        floe_buf_fini(&b);
        floe_ice_reader_close(r);
        assert_int_equal(rows, o->records);
        for (size_t c = 0; c < nc; c++) {
            const floe_ice_field *fld = &root->fields[c];
            if (!floe_ice_type_is_primitive(fld->type)) {
                continue;
            }
            bool found_vc = false, found_nc = false, found_cs = false;
            for (size_t i = 0; i < o->n_value_counts; i++) {
                if (o->value_counts[i].field_id == fld->id) {
                    assert_int_equal(o->value_counts[i].value, rows);
                    found_vc = true;
                }
            }
            for (size_t i = 0; i < o->n_null_value_counts; i++) {
                if (o->null_value_counts[i].field_id == fld->id) {
                    assert_int_equal(o->null_value_counts[i].value, nulls[c]);
                    found_nc = true;
                }
            }
            for (size_t i = 0; i < o->n_column_sizes; i++) {
                if (o->column_sizes[i].field_id == fld->id) {
                    assert_true(o->column_sizes[i].value > 0);
                    found_cs = true;
                }
            }
            assert_true(found_vc && found_nc && found_cs);
            bool exact = fld->type->id != FLOE_ICE_STRING && fld->type->id != FLOE_ICE_BINARY;
            bool has_lower = false, has_upper = false;
            for (size_t i = 0; i < o->n_lower_bounds; i++) {
                if (o->lower_bounds[i].field_id == fld->id) {
                    floe_value lo;
                    FLOE_ASSERT_OK(
                        floe_ice_value_from_bytes(fld->type, o->lower_bounds[i].bytes, &lo, &err),
                        &err);
                    assert_true(seen[c]);
                    assert_true(exact ? floe_value_cmp(&lo, &mins[c]) == 0
                                      : floe_value_cmp(&lo, &mins[c]) <= 0);
                    has_lower = true;
                }
            }
            for (size_t i = 0; i < o->n_upper_bounds; i++) {
                if (o->upper_bounds[i].field_id == fld->id) {
                    floe_value hi;
                    FLOE_ASSERT_OK(
                        floe_ice_value_from_bytes(fld->type, o->upper_bounds[i].bytes, &hi, &err),
                        &err);
                    assert_true(exact ? floe_value_cmp(&hi, &maxs[c]) == 0
                                      : floe_value_cmp(&hi, &maxs[c]) >= 0);
                    has_upper = true;
                }
            }
            /* Bounds exist exactly when the column has a non-null value. */
            assert_int_equal(has_lower, seen[c]);
            assert_int_equal(has_upper, seen[c]);
        }
    }
    *n_rows = all.n;
    const char *text = xjoin_sorted(t, &all);
    floe_vec_fini(&all);
    return text;
}

static size_t find_data(const xtable *x, const char *suffix)
{
    for (size_t i = 0; i < x->n_data; i++) {
        if (floe_ends_with(x->data[i].f.file_path, suffix)) {
            return i;
        }
    }
    fail_msg("no data file ending in %s", suffix);
    return 0;
}

static const char *sum(const floe_opt_task_output *out, const char *key)
{
    const char *v = floe_optimizer_summary_get(out, key);
    assert_non_null(v);
    return v;
}

static void test_compacts_with_position_and_equality_deletes(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    assert_int_equal(x.n_data, 2);
    size_t idx[] = {0, 1};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    assert_int_equal(in.n_deletes, 2);
    size_t n_expected = 0;
    const char *expected = expected_rows(t, &x, idx, 2, &n_expected);
    assert_int_equal(n_expected, 15);

    size_t parquet_before = xcount_files(x.dir, ".parquet");
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    assert_int_equal(out.files[0].content, FLOE_CONTENT_DATA);
    assert_int_equal(out.files[0].records, 15);
    assert_true(floe_starts_with(out.files[0].path, JAVA_POS_EQ_LOC "/data/"));
    assert_int_equal(xcount_files(x.dir, ".parquet"), parquet_before + 1);
    size_t n_out = 0;
    const char *got = output_rows(t, &x, &in, &out, &n_out);
    assert_int_equal(n_out, 15);
    assert_string_equal(got, expected);
    assert_null(strstr(got, "Flemish Giant"));

    assert_string_equal(sum(&out, "input-files"), "2");
    assert_string_equal(sum(&out, "input-delete-files"), "2");
    assert_string_equal(sum(&out, "rows-read"), "22");
    assert_string_equal(sum(&out, "rows-position-deleted"), "6");
    assert_string_equal(sum(&out, "rows-equality-deleted"), "1");
    assert_string_equal(sum(&out, "rows"), "15");
    assert_string_equal(sum(&out, "output-files"), "1");
    char size[32];
    snprintf(size, sizeof(size), "%lld", (long long)out.files[0].size);
    assert_string_equal(sum(&out, "output-bytes"), size);

    /* The table asks for zstd; the output says so in its footer. */
    floe_buf local;
    floe_buf_init(&local, 0);
    FLOE_ASSERT_OK(floe_fileio_resolve(x.io, out.files[0].path, &local, &err), &err);
    assert_int_equal(floe_test_system("grep -q iceberg.schema '%s'", floe_buf_cstr(&local)), 0);
    floe_buf_fini(&local);

    /* The output JSON round-trips through the task output parser (what the server reads). */
    json_t *oj = floe_opt_task_output_to_json(&out);
    floe_opt_task_output back;
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, oj, &back, &err), &err);
    assert_int_equal(back.n_files, 1);
    assert_int_equal(back.files[0].records, 15);
    json_decref(oj);
    xtable_close(&x);
}

/* The table gets a sort order (Average Weight desc nulls last, then Breed Name asc): the
 * output holds the same rows, in that order, and says which order it follows; the row-group
 * merge is not used (stitching cannot sort) even when asked for. */
static void test_sorts_by_table_sort_order(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    /* v6 = v5 plus the sort order, written next to it in the copy. */
    json_error_t je;
    json_t *m =
        json_load_file(floe_arena_sprintf(t->arena, "%s/metadata/v5.metadata.json", x.dir), 0, &je);
    assert_non_null(m);
    json_t *order = json_pack("{s:i, s:[{s:s, s:i, s:s, s:s}, {s:s, s:i, s:s, s:s}]}", "order-id",
                              1, "fields", "transform", "identity", "source-id", 2, "direction",
                              "desc", "null-order", "nulls-last", "transform", "identity",
                              "source-id", 1, "direction", "asc", "null-order", "nulls-first");
    assert_non_null(order);
    json_array_append_new(json_object_get(m, "sort-orders"), order);
    json_object_set_new(m, "default-sort-order-id", json_integer(1));
    assert_int_equal(
        json_dump_file(m, floe_arena_sprintf(t->arena, "%s/metadata/v6.metadata.json", x.dir), 0),
        0);
    json_decref(m);

    size_t idx[] = {0, 1};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    in.metadata_location = JAVA_POS_EQ_LOC "/metadata/v6.metadata.json";
    static const floe_kv merge[] = {{"rewrite.use-parquet-row-group-merge.enabled", "true"}};
    in.properties = merge;
    in.n_properties = 1;
    size_t n_expected = 0;
    const char *expected = expected_rows(t, &x, idx, 2, &n_expected);
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    assert_true(out.files[0].has_sort_order_id);
    assert_int_equal(out.files[0].sort_order_id, 1);
    size_t n_out = 0;
    assert_string_equal(output_rows(t, &x, &in, &out, &n_out), expected);
    assert_string_not_equal(sum(&out, "row-group-merge"), "true");

    /* Read the output in file order: weights never rise, names rise within a weight. */
    floe_data_file f = xoutput_as_file(t, &x, &in, &out.files[0]);
    const floe_ice_schema *schema = floe_table_meta_current_schema(x.meta);
    floe_ice_read_opts ro = {.schema = schema, .file = &f, .spec = floe_table_meta_spec(x.meta, 0)};
    floe_ice_reader *r = NULL;
    FLOE_ASSERT_OK(floe_ice_reader_open(x.io, &ro, &r, &err), &err);
    double prev_w = 1e300;
    char prev_name[128] = "";
    size_t rows = 0;
    for (;;) {
        const floe_ice_batch *b = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
        if (b == NULL) {
            break;
        }
        for (size_t i = 0; i < b->n_rows; i++, rows++) {
            const floe_value *name = &b->columns[0][i], *w = &b->columns[1][i];
            assert_int_equal(w->kind, FLOE_V_DOUBLE);
            assert_int_equal(name->kind, FLOE_V_STRING);
            char cur[128];
            snprintf(cur, sizeof(cur), "%.*s", (int)name->u.bytes.len, name->u.bytes.ptr);
            assert_true(w->u.f64 <= prev_w);
            if (w->u.f64 == prev_w) {
                assert_true(strcmp(prev_name, cur) <= 0);
            }
            prev_w = w->u.f64;
            snprintf(prev_name, sizeof(prev_name), "%s", cur);
        }
    }
    floe_ice_reader_close(r);
    assert_int_equal(rows, n_expected);
    xtable_close(&x);
}

static void test_two_runs_never_overwrite(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    floe_opt_task_output a, b;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &a, &err), &err);
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &b, &err), &err);
    assert_int_equal(a.n_files, 1);
    assert_int_equal(b.n_files, 1);
    assert_string_not_equal(a.files[0].path, b.files[0].path);
    bool exists = false;
    FLOE_ASSERT_OK(floe_io_exists(x.io, a.files[0].path, &exists, &err), &err);
    assert_true(exists);
    xtable_close(&x);
}

static void test_rewrite_deletes_as_positions(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t idx[] = {initial};
    floe_opt_task_input in = xtable_task(t, &x, idx, 1, FLOE_OPT_REWRITE_POS);
    size_t n_expected = 0;
    const char *expected = expected_rows(t, &x, idx, 1, &n_expected);
    assert_int_equal(n_expected, 14); /* 21 - 6 position deletes - New Zealand */

    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    const floe_opt_output_file *pd = &out.files[0];
    assert_int_equal(pd->content, FLOE_CONTENT_POSITION_DELETES);
    assert_int_equal(pd->records, 7);
    assert_non_null(pd->referenced_data_file);
    assert_string_equal(pd->referenced_data_file, x.data[initial].f.file_path);
    assert_string_equal(sum(&out, "output-positions"), "7");
    assert_string_equal(sum(&out, "output-delete-files"), "1");
    assert_string_equal(sum(&out, "output-data-files"), "0");

    /* The data file read with only the new position-delete file gives the same rows. */
    floe_data_file pdf = xoutput_as_file(t, &x, &in, pd);
    const floe_data_file *dels[] = {&pdf};
    floe_vec lines;
    floe_vec_init(&lines, sizeof(char *));
    xread_rows(t, x.io, x.meta, &x.data[initial].f, dels, 1, &lines);
    assert_int_equal(lines.n, 14);
    assert_string_equal(xjoin_sorted(t, &lines), expected);
    floe_vec_fini(&lines);
    xtable_close(&x);
}

static void test_partitioned_equality_deletes(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_PART, JAVA_PART_LOC, "v6.metadata.json");
    floe_err err = {0};

    /* name=c: its one row is removed by the two-column equality delete: no output file. */
    size_t c = find_data(&x, "c1e9226724b9-00003.parquet");
    floe_opt_task_input in = xtable_task(t, &x, &c, 1, FLOE_OPT_REWRITE);
    assert_string_equal(in.partition, "{\"1000\":\"c\"}");
    assert_int_equal(in.n_deletes, 1);
    floe_opt_task_output out;
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 0);
    assert_string_equal(sum(&out, "rows"), "0");
    assert_string_equal(sum(&out, "rows-equality-deleted"), "1");

    /* name=a listed twice (two small files of one partition): two rows in the partition. */
    size_t a = find_data(&x, "c1e9226724b9-00001.parquet");
    size_t twice[] = {a, a};
    in = xtable_task(t, &x, twice, 2, FLOE_OPT_REWRITE);
    size_t n_expected = 0;
    const char *expected = expected_rows(t, &x, twice, 2, &n_expected);
    assert_int_equal(n_expected, 2);
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    if (strstr(out.files[0].path, JAVA_PART_LOC "/data/name=a/") == NULL) {
        fail_msg("output path %s", out.files[0].path);
    }
    size_t n_out = 0;
    assert_string_equal(output_rows(t, &x, &in, &out, &n_out), expected);
    assert_non_null(strstr(expected, "\"name\":\"a\""));
    xtable_close(&x);
}

static void test_rolls_at_target_size(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    /* The same 21-row file four times, small batches, a tiny target: several outputs. */
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t idx[] = {initial, initial, initial, initial};
    floe_opt_task_input in = xtable_task(t, &x, idx, 4, FLOE_OPT_REWRITE);
    in.target_size = 1;
    size_t n_expected = 0;
    const char *expected = expected_rows(t, &x, idx, 4, &n_expected);
    floe_optimizer_exec_opts eo = {.batch_rows = 5};
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, &eo, t->arena, &out, &err), &err);
    assert_true(out.n_files > 1);
    size_t n_out = 0;
    assert_string_equal(output_rows(t, &x, &in, &out, &n_out), expected);
    assert_int_equal(n_out, 4 * 14);
    xtable_close(&x);
}

static void test_missing_file_leaves_nothing(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t idx[] = {initial, initial};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    floe_opt_data_file *files = (floe_opt_data_file *)in.files;
    files[1].path = JAVA_POS_EQ_LOC "/data/missing.parquet";
    in.target_size = 1; /* the first file's rows are in a finished file before the failure */
    size_t before = xcount_files(x.dir, ".parquet");
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_NOT_FOUND, &err, "missing.parquet");
    assert_int_equal(out.n_files, 0);
    assert_int_equal(xcount_files(x.dir, ".parquet"), before);
    xtable_close(&x);
}

static void test_corrupt_file_leaves_nothing(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    const char junk[] = "PAR1 this is not a parquet file at all PAR1";
    floe_test_write_file(floe_arena_sprintf(t->arena, "%s/data/corrupt.parquet", x.dir), junk,
                         sizeof(junk) - 1);
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t idx[] = {initial, initial};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    floe_opt_data_file *files = (floe_opt_data_file *)in.files;
    files[1].path = JAVA_POS_EQ_LOC "/data/corrupt.parquet";
    in.target_size = 1;
    size_t before = xcount_files(x.dir, ".parquet");
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), FLOE_ERR_CORRUPT,
                    &err, "corrupt.parquet");
    assert_int_equal(xcount_files(x.dir, ".parquet"), before);
    xtable_close(&x);
}

static void test_bad_tasks(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t idx[] = {0};
    floe_opt_task_input in = xtable_task(t, &x, idx, 1, FLOE_OPT_REWRITE);
    floe_opt_task_output out;
    floe_err err = {0};

    floe_opt_task_input bad = in;
    bad.metadata_location = NULL;
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_INVALID, &err, "no metadata location");
    bad = in;
    bad.metadata_location = JAVA_POS_EQ_LOC "/metadata/v9.metadata.json";
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_NOT_FOUND, &err, "v9.metadata.json");
    bad = in;
    bad.schema_id = 42;
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_INVALID, &err, "no schema 42");
    bad = in;
    bad.spec_id = 7;
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_INVALID, &err, "no partition spec 7");
    bad = in;
    bad.partition = "{\"1000\":\"x\"}"; /* the table is unpartitioned */
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_INVALID, &err, "partition");
    /* A deletion vector is refused, not ignored. */
    bad = in;
    floe_opt_delete_file dv = {.path = JAVA_POS_EQ_LOC "/data/dv.puffin",
                               .content = FLOE_CONTENT_POSITION_DELETES,
                               .format = FLOE_FORMAT_PUFFIN,
                               .data_sequence_number = 9,
                               .has_content_offset = true};
    uint32_t di = 0;
    floe_opt_data_file f = in.files[0];
    f.deletes = &di;
    f.n_deletes = 1;
    bad.files = &f;
    bad.deletes = &dv;
    bad.n_deletes = 1;
    err = (floe_err){0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&bad, x.io, NULL, t->arena, &out, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "deletion vectors");
    xtable_close(&x);
}

static void test_cancel_leaves_nothing(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t idx[] = {0, 1};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    atomic_bool cancel;
    atomic_init(&cancel, true);
    floe_optimizer_exec_opts eo = {.cancel = &cancel};
    size_t before = xcount_files(x.dir, ".parquet");
    floe_opt_task_output out;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_optimizer_execute(&in, x.io, &eo, t->arena, &out, &err), FLOE_ERR_CANCELED,
                    &err, "canceled");
    assert_int_equal(xcount_files(x.dir, ".parquet"), before);
    xtable_close(&x);
}

static const floe_opt_output_file *compact_once(floe_test_ctx *t, xtable *x)
{
    size_t idx[] = {0, 1};
    floe_opt_task_input in = xtable_task(t, x, idx, 2, FLOE_OPT_REWRITE);
    floe_opt_task_output *out = floe_arena_calloc(t->arena, 1, sizeof(*out));
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x->io, NULL, t->arena, out, &err), &err);
    assert_int_equal(out->n_files, 1);
    return &out->files[0];
}

static int64_t count_of(const floe_field_count *c, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].field_id == id) {
            return c[i].value;
        }
    }
    return -1;
}

static const floe_field_bound *bound_of(const floe_field_bound *b, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i].field_id == id) {
            return &b[i];
        }
    }
    return NULL;
}

static void test_row_group_merge(void **state)
{
    floe_test_ctx *t = *state;
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    /* Two files floe wrote (field ids, one schema): the inputs of a second compaction. */
    const floe_opt_output_file *a = compact_once(t, &x);
    const floe_opt_output_file *b = compact_once(t, &x);
    floe_opt_data_file files[] = {
        {.path = a->path,
         .format = FLOE_FORMAT_PARQUET,
         .size = a->size,
         .records = a->records,
         .data_sequence_number = 4},
        {.path = b->path,
         .format = FLOE_FORMAT_PARQUET,
         .size = b->size,
         .records = b->records,
         .data_sequence_number = 4},
    };
    floe_kv props[] = {{"rewrite.use-parquet-row-group-merge.enabled", "true"},
                       {"rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes", "1"}};
    size_t idx[] = {0};
    floe_opt_task_input in = xtable_task(t, &x, idx, 1, FLOE_OPT_REWRITE);
    in.files = files;
    in.n_files = 2;
    in.deletes = NULL;
    in.n_deletes = 0;
    in.properties = props;
    in.n_properties = 2;
    floe_opt_task_output fast, slow;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &fast, &err), &err);
    assert_string_equal(sum(&fast, "row-group-merge"), "true");
    assert_int_equal(fast.n_files, 1);
    assert_int_equal(fast.files[0].records, 30);
    assert_int_equal(fast.files[0].n_split_offsets, 2); /* both row groups, copied */

    /* The same task decoded and encoded: the same rows, and the same counts and bounds. */
    props[0].value = "false";
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &slow, &err), &err);
    assert_string_equal(sum(&slow, "row-group-merge"), "false");
    size_t n1 = 0, n2 = 0;
    const char *fast_rows = output_rows(t, &x, &in, &fast, &n1);
    const char *slow_rows = output_rows(t, &x, &in, &slow, &n2);
    assert_int_equal(n1, 30);
    assert_string_equal(fast_rows, slow_rows);
    const floe_opt_output_file *f = &fast.files[0], *s = &slow.files[0];
    assert_int_equal(f->n_value_counts, s->n_value_counts);
    assert_int_equal(f->n_lower_bounds, s->n_lower_bounds);
    assert_int_equal(f->n_upper_bounds, s->n_upper_bounds);
    for (size_t i = 0; i < s->n_value_counts; i++) {
        int32_t id = s->value_counts[i].field_id;
        assert_int_equal(count_of(f->value_counts, f->n_value_counts, id),
                         s->value_counts[i].value);
        assert_int_equal(count_of(f->null_value_counts, f->n_null_value_counts, id),
                         count_of(s->null_value_counts, s->n_null_value_counts, id));
        assert_int_equal(count_of(f->nan_value_counts, f->n_nan_value_counts, id),
                         count_of(s->nan_value_counts, s->n_nan_value_counts, id));
        assert_true(count_of(f->column_sizes, f->n_column_sizes, id) > 0);
        const floe_field_bound *fl = bound_of(f->lower_bounds, f->n_lower_bounds, id);
        const floe_field_bound *sl = bound_of(s->lower_bounds, s->n_lower_bounds, id);
        const floe_field_bound *fu = bound_of(f->upper_bounds, f->n_upper_bounds, id);
        const floe_field_bound *su = bound_of(s->upper_bounds, s->n_upper_bounds, id);
        assert_int_equal(fl != NULL, sl != NULL);
        assert_int_equal(fu != NULL, su != NULL);
        if (sl != NULL) {
            assert_true(floe_str_eq(fl->bytes, sl->bytes));
        }
        if (su != NULL) {
            assert_true(floe_str_eq(fu->bytes, su->bytes));
        }
    }

    /* Not merged: a file with deletes, or row groups smaller than the minimum average. */
    size_t both[] = {0, 1};
    floe_opt_task_input with_deletes = xtable_task(t, &x, both, 2, FLOE_OPT_REWRITE);
    props[0].value = "true";
    with_deletes.properties = props;
    with_deletes.n_properties = 2;
    floe_opt_task_output o;
    FLOE_ASSERT_OK(floe_optimizer_execute(&with_deletes, x.io, NULL, t->arena, &o, &err), &err);
    assert_string_equal(sum(&o, "row-group-merge"), "false");
    assert_string_equal(sum(&o, "rows"), "15");
    props[1].value = "1MB";
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &o, &err), &err);
    assert_string_equal(sum(&o, "row-group-merge"), "false");
    xtable_close(&x);
}

static void test_mixed_roles_and_partitioned_positions(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    /* One task rewriting one file and converting the deletes of another. */
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t updated = find_data(&x, "bunnies-updated-new-zealand.parquet");
    size_t idx[] = {initial, updated};
    floe_opt_task_input in = xtable_task(t, &x, idx, 2, FLOE_OPT_REWRITE);
    ((floe_opt_data_file *)in.files)[0].role = FLOE_OPT_REWRITE_POS;
    floe_opt_task_output out;
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 2);
    assert_int_equal(out.files[0].content, FLOE_CONTENT_DATA);
    assert_int_equal(out.files[0].records, 1); /* the updated New Zealand row */
    assert_int_equal(out.files[1].content, FLOE_CONTENT_POSITION_DELETES);
    assert_int_equal(out.files[1].records, 7);
    assert_string_equal(sum(&out, "input-files"), "2");
    assert_string_equal(sum(&out, "output-files"), "2");
    size_t n_rows = 0;
    const char *rows = output_rows(t, &x, &in, &out, &n_rows);
    assert_non_null(strstr(rows, "\"New Zealand\""));
    xtable_close(&x);

    /* A partitioned table: the position-delete file lands in the partition's directory. */
    xtable p;
    xtable_open(t, &p, JAVA_PART, JAVA_PART_LOC, "v6.metadata.json");
    size_t b = find_data(&p, "c1e9226724b9-00002.parquet");
    in = xtable_task(t, &p, &b, 1, FLOE_OPT_REWRITE_POS);
    assert_string_equal(in.partition, "{\"1000\":\"b\"}");
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, p.io, NULL, t->arena, &out, &err), &err);
    assert_int_equal(out.n_files, 1);
    assert_int_equal(out.files[0].records, 1);
    assert_non_null(strstr(out.files[0].path, JAVA_PART_LOC "/data/name=b/"));
    assert_string_equal(out.files[0].referenced_data_file, p.data[b].f.file_path);
    floe_data_file pdf = xoutput_as_file(t, &p, &in, &out.files[0]);
    const floe_data_file *dels[] = {&pdf};
    floe_vec lines;
    floe_vec_init(&lines, sizeof(char *));
    xread_rows(t, p.io, p.meta, &p.data[b].f, dels, 1, &lines);
    assert_int_equal(lines.n, 0); /* b's only row is deleted, now by position */
    floe_vec_fini(&lines);
    xtable_close(&p);
}

static const floe_opt_pos_delete_report *report_of(const floe_opt_task_output *out,
                                                   const char *path)
{
    for (size_t i = 0; i < out->n_pos_deletes; i++) {
        if (strcmp(out->pos_deletes[i].path, path) == 0) {
            return &out->pos_deletes[i];
        }
    }
    return NULL;
}

/* Add a delete file to a task input, applying to its data files `which` (indices into files). */
static floe_opt_task_input with_delete(floe_test_ctx *t, floe_opt_task_input in,
                                       const floe_data_file *d, int64_t seq, const size_t *which,
                                       size_t n_which)
{
    floe_arena *a = t->arena;
    floe_opt_delete_file *dels = floe_arena_calloc(a, in.n_deletes + 1, sizeof(*dels));
    memcpy(dels, in.deletes, in.n_deletes * sizeof(*dels));
    dels[in.n_deletes] = (floe_opt_delete_file){.path = d->file_path,
                                                .content = d->content,
                                                .format = d->file_format,
                                                .size = d->file_size_in_bytes,
                                                .records = d->record_count,
                                                .data_sequence_number = seq,
                                                .referenced_data_file = d->referenced_data_file};
    floe_opt_data_file *files = floe_arena_memdup(a, in.files, in.n_files * sizeof(*files));
    for (size_t k = 0; k < n_which; k++) {
        floe_opt_data_file *f = &files[which[k]];
        uint32_t *di = floe_arena_calloc(a, f->n_deletes + 1, sizeof(*di));
        memcpy(di, f->deletes, f->n_deletes * sizeof(*di));
        di[f->n_deletes] = (uint32_t)in.n_deletes;
        f->deletes = di;
        f->n_deletes++;
    }
    in.deletes = dels;
    in.n_deletes++;
    in.files = files;
    return in;
}

/*
 * The task output reports, per position-delete file it read, the data files it names that the
 * task does not rewrite: the fixture's own deletes (all named files rewritten), and a hand-made
 * delete naming both data files (plus a missing one) read by tasks that rewrite one, both, or
 * keep one; the rows still come out as the deletes say. Reports survive the JSON round trip.
 */
static void test_reports_named_paths_of_position_deletes(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    xtable x;
    xtable_open(t, &x, JAVA_POS_EQ, JAVA_POS_EQ_LOC, "v5.metadata.json");
    size_t initial = find_data(&x, "bunnies-initial.parquet");
    size_t updated = find_data(&x, "bunnies-updated-new-zealand.parquet");
    size_t both[] = {initial, updated};
    floe_opt_task_input in = xtable_task(t, &x, both, 2, FLOE_OPT_REWRITE);
    floe_opt_task_output out;
    FLOE_ASSERT_OK(floe_optimizer_execute(&in, x.io, NULL, t->arena, &out, &err), &err);
    size_t n_pos = 0;
    for (size_t i = 0; i < in.n_deletes; i++) {
        const floe_opt_pos_delete_report *r = report_of(&out, in.deletes[i].path);
        if (in.deletes[i].content != FLOE_CONTENT_POSITION_DELETES) {
            assert_null(r); /* equality deletes are not reported */
            continue;
        }
        n_pos++;
        assert_non_null(r);
        assert_int_equal(r->n_others, 0); /* it names only files of this task */
    }
    assert_true(n_pos >= 1);
    assert_int_equal(out.n_pos_deletes, n_pos);

    /* A position delete naming both data files and one that is not in the table. */
    floe_ice_posdel_opts po = {.table = x.meta};
    floe_ice_posdel_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(x.io, &po, &w, &err), &err);
    const char *gone = JAVA_POS_EQ_LOC "/data/gone.parquet";
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, x.data[initial].f.file_path, 1, &err), &err);
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, x.data[updated].f.file_path, 0, &err), &err);
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, gone, 0, &err), &err);
    const floe_data_file *d = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w, t->arena, &d, &err), &err);
    floe_ice_posdel_writer_free(w);
    int64_t seq = floe_table_meta_current_snapshot(x.meta)->sequence_number + 1;

    /* Rewriting both: only the missing file is named outside the task. */
    size_t two[] = {0, 1};
    floe_opt_task_input in2 = with_delete(t, in, d, seq, two, 2);
    FLOE_ASSERT_OK(floe_optimizer_execute(&in2, x.io, NULL, t->arena, &out, &err), &err);
    const floe_opt_pos_delete_report *r = report_of(&out, d->file_path);
    assert_non_null(r);
    assert_int_equal(r->n_others, 1);
    assert_string_equal(r->others[0], gone);
    /* Its two rows are gone from the output, besides what the fixture's deletes remove. */
    size_t n_rows = 0;
    output_rows(t, &x, &in2, &out, &n_rows);
    assert_int_equal(n_rows, 15 - 2);

    /* The JSON form carries the reports; an output without the key has none. */
    json_t *j = floe_opt_task_output_to_json(&out);
    floe_opt_task_output back;
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, j, &back, &err), &err);
    assert_int_equal(back.n_pos_deletes, out.n_pos_deletes);
    r = report_of(&back, d->file_path);
    assert_non_null(r);
    assert_int_equal(r->n_others, 1);
    assert_string_equal(r->others[0], gone);
    json_object_del(j, "position-deletes");
    FLOE_ASSERT_OK(floe_opt_task_output_from_json(t->arena, j, &back, &err), &err);
    assert_int_equal(back.n_pos_deletes, 0);
    json_object_set_new(j, "position-deletes", json_pack("[{s:s}]", "path", "x"));
    FLOE_ASSERT_ERR(floe_opt_task_output_from_json(t->arena, j, &back, &err), FLOE_ERR_INVALID,
                    &err, "other-paths");
    json_decref(j);

    /* Rewriting one file: the other data file is named outside the task too. */
    floe_opt_task_input one = xtable_task(t, &x, &initial, 1, FLOE_OPT_REWRITE);
    size_t first[] = {0};
    one = with_delete(t, one, d, seq, first, 1);
    FLOE_ASSERT_OK(floe_optimizer_execute(&one, x.io, NULL, t->arena, &out, &err), &err);
    r = report_of(&out, d->file_path);
    assert_non_null(r);
    assert_int_equal(r->n_others, 2);
    const char *want[] = {gone, x.data[updated].f.file_path};
    if (strcmp(want[0], want[1]) > 0) {
        const char *tmp = want[0];
        want[0] = want[1];
        want[1] = tmp;
    }
    assert_string_equal(r->others[0], want[0]); /* sorted */
    assert_string_equal(r->others[1], want[1]);

    /* A data file whose deletes are rewritten stays: it is named outside the rewrite. */
    floe_opt_task_input mixed = in2;
    floe_opt_data_file *mf = floe_arena_memdup(t->arena, in2.files, 2 * sizeof(*mf));
    mf[1].role = FLOE_OPT_REWRITE_POS;
    mixed.files = mf;
    FLOE_ASSERT_OK(floe_optimizer_execute(&mixed, x.io, NULL, t->arena, &out, &err), &err);
    r = report_of(&out, d->file_path);
    assert_non_null(r);
    assert_int_equal(r->n_others, 2);

    /* A delete file no rewritten file reads (its bounds exclude them) gets no report. */
    floe_ice_posdel_writer *w2 = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(x.io, &po, &w2, &err), &err);
    FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w2, gone, 3, &err), &err);
    const floe_data_file *d2 = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w2, t->arena, &d2, &err), &err);
    floe_ice_posdel_writer_free(w2);
    floe_opt_task_input unread = with_delete(t, in, d2, seq, two, 2);
    FLOE_ASSERT_OK(floe_optimizer_execute(&unread, x.io, NULL, t->arena, &out, &err), &err);
    assert_null(report_of(&out, d2->file_path));
    xtable_close(&x);
}

FLOE_TEST_GROUP(execute)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compacts_with_position_and_equality_deletes,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_sorts_by_table_sort_order, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_two_runs_never_overwrite, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_deletes_as_positions, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_partitioned_equality_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rolls_at_target_size, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_leaves_nothing, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_file_leaves_nothing, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bad_tasks, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_row_group_merge, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_mixed_roles_and_partitioned_positions, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_leaves_nothing, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_reports_named_paths_of_position_deletes,
                                        floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
