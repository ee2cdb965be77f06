/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product) for tests/integ/optimizer.sh: a filesystem Iceberg
 * table at DIR (schema id long, cat string, unpartitioned, v2) made of FILES appends of ROWS
 * rows each (one small data file per snapshot, ids 0..FILES*ROWS-1), then one equality-delete
 * file deleting id = 5 (a row delta). Prints the current metadata file's location.
 *
 *   gen_small_table DIR FILES ROWS
 */
#include "floe/iceberg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char METADATA[] =
    "{\"format-version\":2,\"table-uuid\":\"0e4f7c7a-3d1b-4c55-9d0a-5b8f1e2a6c11\","
    "\"location\":\"%s\",\"last-sequence-number\":0,\"last-updated-ms\":1700000000000,"
    "\"last-column-id\":2,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"cat\",\"required\":false,\"type\":\"string\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,"
    "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],"
    "\"properties\":{\"write.parquet.compression-codec\":\"zstd\"},"
    "\"current-snapshot-id\":-1,\"snapshots\":[],\"snapshot-log\":[],\"metadata-log\":[]}";

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        fprintf(stderr, "gen_small_table: %s: %s\n", what, err->msg);
        exit(1);
    }
}

/* Write rows [first, first + n) (or only id `only` as a delete key) and return the files. */
static const floe_data_file *write_rows(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                        int64_t first, int64_t n, bool eq_delete, size_t *n_files)
{
    floe_err err = {0};
    static const int32_t eq_ids[] = {1};
    floe_ice_write_opts wo = {.table = m};
    if (eq_delete) {
        wo.content = FLOE_CONTENT_EQUALITY_DELETES;
        wo.equality_ids = eq_ids;
        wo.n_equality_ids = 1;
    }
    floe_ice_writer *w = NULL;
    check(floe_ice_writer_new(io, &wo, &w, &err), &err, "writer");
    static const char *const names[] = {"id", "cat"};
    static const char *const cats[] = {"a", "b", "c"};
    for (int64_t i = first; i < first + n; i++) {
        floe_value items[2];
        items[0] = floe_value_long(i);
        items[1] = eq_delete ? floe_value_null() : floe_value_string(cats[i % 3], 1);
        floe_value row = {.kind = FLOE_V_STRUCT};
        row.u.nested.items = items;
        row.u.nested.names = names;
        row.u.nested.n = 2;
        check(floe_ice_writer_write_row(w, &row, &err), &err, "write");
    }
    const floe_data_file *files = NULL;
    check(floe_ice_writer_close(w, a, &files, n_files, &err), &err, "close");
    floe_ice_writer_free(w);
    return files;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_small_table DIR FILES ROWS\n");
        return 2;
    }
    const char *dir = argv[1];
    int64_t n_files = strtoll(argv[2], NULL, 10), rows = strtoll(argv[3], NULL, 10);
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    char *text = floe_xasprintf(METADATA, dir);
    floe_table_meta *m = NULL;
    check(floe_iceberg_parse_metadata(a, floe_str_c(text), &m, &err), &err, "metadata");
    free(text);
    floe_ice_catalog cat;
    check(floe_fs_table_create(io, dir, m, &cat, &err), &err, "create");
    for (int64_t f = 0; f < n_files; f++) {
        size_t n = 0;
        const floe_data_file *files = write_rows(a, io, m, f * rows, rows, false, &n);
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
        for (size_t i = 0; i < n; i++) {
            check(floe_ice_op_add_file(op, &files[i], &err), &err, "add");
        }
        check(floe_ice_op_commit(op, a, &cat, &m, &err), &err, "append");
        floe_ice_op_free(op);
    }
    size_t n = 0;
    const floe_data_file *del = write_rows(a, io, m, 5, 1, true, &n);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    for (size_t i = 0; i < n; i++) {
        check(floe_ice_op_add_file(op, &del[i], &err), &err, "add delete");
    }
    check(floe_ice_op_commit(op, a, &cat, &m, &err), &err, "row delta");
    floe_ice_op_free(op);
    printf("%s\n", m->metadata_location != NULL ? m->metadata_location : "?");
    floe_fs_table_free(&cat);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
