/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): appends rows to a table of a REST catalog the way an
 * engine does, with floe's library: load the table through the catalog, write Parquet data files
 * into its location with floe's row writer (partitioned by the table's spec), and commit a fast
 * append through updateTable (floe_rest_table_open). rest_append.test.mjs reads the result with
 * icebird and `floe table scan`.
 *
 *   gen_rest_append URI NAMESPACE TABLE FIRST COUNT
 *
 * The table's schema must be {1: id long, 2: name string, 3: cat string}; row i (FIRST <= i <
 * FIRST+COUNT) is {id: i, name: "name-<i>", cat: "a"|"b"|"c" by i % 3}. stdout gets
 * {"metadata-location": ..., "data-files": N}.
 */
#include "floe/iceberg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        fprintf(stderr, "gen_rest_append: %s: %s\n", what, err->msg);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen_rest_append URI NAMESPACE TABLE FIRST COUNT\n");
        return 2;
    }
    long long first = strtoll(argv[4], NULL, 10);
    long long count = strtoll(argv[5], NULL, 10);
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    const char *ns[] = {argv[2]};
    floe_rest_table_opts o = {.uri = argv[1], .ns = ns, .n_ns = 1, .name = argv[3]};
    floe_ice_catalog cat;
    check(floe_rest_table_open(io, &o, &cat, &err), &err, "open");
    floe_table_meta *m = NULL;
    check(cat.ops->load(cat.ctx, a, &m, &err), &err, "load");

    floe_ice_write_opts wo = {.table = m};
    floe_ice_writer *w = NULL;
    check(floe_ice_writer_new(io, &wo, &w, &err), &err, "writer");
    static const char *const CATS[] = {"a", "b", "c"};
    for (long long i = first; i < first + count; i++) {
        char name[32];
        int n = snprintf(name, sizeof(name), "name-%lld", i);
        const char *c = CATS[i % 3];
        floe_value items[3] = {floe_value_long(i), floe_value_string(name, (size_t)n),
                               floe_value_string(c, strlen(c))};
        floe_value row = floe_value_null();
        row.kind = FLOE_V_STRUCT;
        row.u.nested.items = items;
        row.u.nested.n = 3;
        check(floe_ice_writer_write_row(w, &row, &err), &err, "write");
    }
    const floe_data_file *files = NULL;
    size_t n_files = 0;
    check(floe_ice_writer_close(w, a, &files, &n_files, &err), &err, "close");
    floe_ice_writer_free(w);

    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    for (size_t i = 0; i < n_files; i++) {
        check(floe_ice_op_add_file(op, &files[i], &err), &err, "add file");
    }
    floe_table_meta *next = NULL;
    check(floe_ice_op_commit(op, a, &cat, &next, &err), &err, "commit");
    floe_ice_op_free(op);
    printf("{\"metadata-location\": \"%s\", \"data-files\": %zu}\n", next->metadata_location,
           n_files);
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
