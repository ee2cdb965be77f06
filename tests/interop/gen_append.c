/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): one small append as a REST commit request, for the
 * self-optimizing integration tests that append to a table through `floe server`.
 *
 *   gen_append METADATA_FILE ROWS FIRST_ID
 *   gen_append --output METADATA_FILE ROWS FIRST_ID
 *   gen_append --check METADATA_FILE
 *
 * Reads the table's metadata file, writes one Parquet data file of ROWS rows (columns `id` long
 * = FIRST_ID.., `data` string = "row-<id>") with floe's writer under the table's data location,
 * applies a fast append on that metadata (manifest and manifest list written next to the
 * metadata), and prints the CommitTableRequest body {"requirements": [...], "updates": [...]}
 * that the caller POSTs to /v1/namespaces/{ns}/tables/{t}. A 409 means another writer won: run
 * again on the new metadata. With --output nothing is committed: the data file is written and
 * described as a self-optimizing task output {"files": [...]} (what an optimizer completes a
 * task with), for tests that play the optimizer. With --check the current snapshot is read row
 * by row (deletes applied) and {"rows", "distinct-ids", "id-sum"} printed: what the tests
 * compare with the rows they appended.
 */
#include "floe/iceberg.h"
#include "floe/optimizing.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const floe_err *err)
{
    fprintf(stderr, "gen_append: %s\n", err->msg);
    return 1;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Read every live row of the current snapshot; print counts of the `id` column (field 1). */
static int check(const char *metadata)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err err = {0};
    floe_table_meta *meta = NULL;
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    if (floe_iceberg_read_metadata(a, io, metadata, &meta, &err) != FLOE_OK ||
        floe_scan_collect(a, io, meta, NULL, &tasks, &n, NULL, &err) != FLOE_OK) {
        return fail(&err);
    }
    const floe_ice_schema *schema = floe_table_meta_current_schema(meta);
    floe_vec ids;
    floe_vec_init(&ids, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        floe_ice_read_opts ro = {.schema = schema,
                                 .file = tasks[i].file,
                                 .deletes = tasks[i].deletes,
                                 .n_deletes = tasks[i].n_deletes,
                                 .spec = tasks[i].spec};
        floe_ice_reader *r = NULL;
        if (floe_ice_reader_open(io, &ro, &r, &err) != FLOE_OK) {
            return fail(&err);
        }
        const floe_ice_batch *b = NULL;
        while (floe_ice_reader_next(r, &b, &err) == FLOE_OK && b != NULL) {
            for (size_t k = 0; k < b->n_rows; k++) {
                int64_t id = b->columns[0][k].u.i64;
                floe_vec_push_copy(&ids, &id);
            }
        }
        floe_ice_reader_close(r);
        if (err.code != FLOE_OK) {
            return fail(&err);
        }
    }
    qsort(ids.data, ids.n, sizeof(int64_t), cmp_i64);
    size_t distinct = 0;
    long long sum = 0;
    for (size_t i = 0; i < ids.n; i++) {
        int64_t v = *FLOE_VEC_AT(&ids, int64_t, i);
        sum += v;
        distinct += i == 0 || v != *FLOE_VEC_AT(&ids, int64_t, i - 1);
    }
    printf("{\"rows\":%zu,\"distinct-ids\":%zu,\"id-sum\":%lld}\n", ids.n, distinct, sum);
    floe_vec_fini(&ids);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        return check(argv[2]);
    }
    bool output = argc == 5 && strcmp(argv[1], "--output") == 0;
    if (output) {
        argv++;
        argc--;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: gen_append [--output] METADATA_FILE ROWS FIRST_ID\n");
        return 2;
    }
    long rows = strtol(argv[2], NULL, 10);
    long long first = strtoll(argv[3], NULL, 10);
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err err = {0};
    floe_table_meta *meta = NULL;
    if (floe_iceberg_read_metadata(a, io, argv[1], &meta, &err) != FLOE_OK) {
        return fail(&err);
    }
    floe_ice_writer *w = NULL;
    floe_ice_write_opts wo = {.table = meta};
    if (floe_ice_writer_new(io, &wo, &w, &err) != FLOE_OK) {
        return fail(&err);
    }
    static const char *const names[] = {"id", "data"};
    for (long i = 0; i < rows; i++) {
        char text[64];
        int len = snprintf(text, sizeof(text), "row-%lld", first + i);
        floe_value items[2] = {floe_value_long(first + i), floe_value_string(text, (size_t)len)};
        floe_value row = floe_value_null();
        row.kind = FLOE_V_STRUCT;
        row.u.nested.items = items;
        row.u.nested.n = 2;
        row.u.nested.names = names;
        if (floe_ice_writer_write_row(w, &row, &err) != FLOE_OK) {
            return fail(&err);
        }
    }
    const floe_data_file *files = NULL;
    size_t n = 0;
    if (floe_ice_writer_close(w, a, &files, &n, &err) != FLOE_OK) {
        return fail(&err);
    }
    floe_ice_writer_free(w);
    if (output) {
        floe_opt_output_file *of = floe_arena_calloc(a, n + 1, sizeof(*of));
        for (size_t i = 0; i < n; i++) {
            const floe_data_file *f = &files[i];
            of[i] = (floe_opt_output_file){.path = f->file_path,
                                           .content = f->content,
                                           .format = f->file_format,
                                           .size = f->file_size_in_bytes,
                                           .records = f->record_count,
                                           .column_sizes = f->column_sizes,
                                           .n_column_sizes = f->n_column_sizes,
                                           .value_counts = f->value_counts,
                                           .n_value_counts = f->n_value_counts,
                                           .null_value_counts = f->null_value_counts,
                                           .n_null_value_counts = f->n_null_value_counts,
                                           .lower_bounds = f->lower_bounds,
                                           .n_lower_bounds = f->n_lower_bounds,
                                           .upper_bounds = f->upper_bounds,
                                           .n_upper_bounds = f->n_upper_bounds,
                                           .split_offsets = f->split_offsets,
                                           .n_split_offsets = f->n_split_offsets};
        }
        floe_opt_task_output out = {.files = of, .n_files = n};
        json_t *j = floe_opt_task_output_to_json(&out);
        char *text = json_dumps(j, JSON_COMPACT);
        puts(text);
        free(text);
        json_decref(j);
        floe_fileio_free(io);
        floe_arena_free(a);
        return 0;
    }
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    for (size_t i = 0; i < n; i++) {
        if (floe_ice_op_add_file(op, &files[i], &err) != FLOE_OK) {
            return fail(&err);
        }
    }
    floe_ice_op_result res;
    if (floe_ice_op_apply(op, a, io, meta, floe_time_now_us() / 1000, &res, &err) != FLOE_OK) {
        return fail(&err);
    }
    json_t *body = json_object(), *reqs = json_array(), *ups = json_array();
    for (size_t i = 0; i < res.n_reqs; i++) {
        json_array_append_new(reqs, floe_ice_requirement_to_json(&res.reqs[i]));
    }
    for (size_t i = 0; i < res.n_updates; i++) {
        json_array_append_new(ups, floe_ice_update_to_json(&res.updates[i]));
    }
    json_object_set_new(body, "requirements", reqs);
    json_object_set_new(body, "updates", ups);
    char *text = json_dumps(body, JSON_COMPACT);
    puts(text);
    free(text);
    json_decref(body);
    floe_ice_op_free(op);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
