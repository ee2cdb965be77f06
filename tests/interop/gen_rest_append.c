/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): appends rows to a table of a REST catalog the way an
 * engine does, with floe's library: load the table through the catalog, write Parquet data files
 * into its location with floe's row writer (partitioned by the table's spec), and commit a fast
 * append through updateTable (floe_rest_table_open). rest_append.test.mjs reads the result with
 * icebird and `floe table scan`.
 *
 *   gen_rest_append URI NAMESPACE TABLE FIRST COUNT [PER_COMMIT]
 *   gen_rest_append URI NAMESPACE TABLE --delete pos|eq ID...
 *
 * The table's schema must be {1: id long, 2: name string, 3: cat string}; row i (FIRST <= i <
 * FIRST+COUNT) is {id: i, name: "name-<i>", cat: "a"|"b"|"c" by i % 3}. stdout gets
 * {"metadata-location": ..., "data-files": N}. With PER_COMMIT the rows go in appends of
 * PER_COMMIT rows each (one commit each, the table loaded again before each), one such line
 * per commit (with "first" and "count"), flushed as it happens: many small appends from one
 * process.
 *
 * With --delete the rows with the given ids are deleted in one row-delta commit: `eq` writes
 * equality deletes keyed on id (whole rows, one file per partition), `pos` finds the rows'
 * files and positions in the current snapshot and writes position deletes. A position delete
 * can lose a race with a concurrent rewrite of its data file (the row delta does not validate
 * that its data files still exist), so the helper re-reads the table after the commit and
 * deletes again what is still visible (up to 20 rounds). stdout gets {"rounds": N}, the
 * number of commits made.
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

static const char *const CATS[] = {"a", "b", "c"};

static floe_value row_of(long long i, char *name, size_t cap, floe_value *items)
{
    int n = snprintf(name, cap, "name-%lld", i);
    const char *c = CATS[i % 3];
    items[0] = floe_value_long(i);
    items[1] = floe_value_string(name, (size_t)n);
    items[2] = floe_value_string(c, strlen(c));
    floe_value row = floe_value_null();
    row.kind = FLOE_V_STRUCT;
    row.u.nested.items = items;
    row.u.nested.n = 3;
    return row;
}

static bool wanted(long long id, const long long *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

/*
 * One round of --delete: add to `op` the delete files for the ids still visible in `m`.
 * Returns how many rows were still visible.
 */
static size_t delete_round(floe_arena *a, floe_fileio *io, const floe_table_meta *m, bool eq,
                           const long long *ids, size_t n_ids, floe_ice_op *op)
{
    floe_err err = {0};
    const floe_ice_schema *schema = floe_table_meta_current_schema(m);
    floe_scan_task *tasks = NULL;
    size_t n_tasks = 0;
    check(floe_scan_collect(a, io, m, NULL, &tasks, &n_tasks, NULL, &err), &err, "scan");
    static const int32_t EQ_IDS[] = {1};
    floe_ice_writer *ew = NULL;
    size_t visible = 0;
    for (size_t t = 0; t < n_tasks; t++) {
        floe_ice_read_opts ro = {.schema = schema,
                                 .file = tasks[t].file,
                                 .deletes = tasks[t].deletes,
                                 .n_deletes = tasks[t].n_deletes,
                                 .spec = tasks[t].spec};
        floe_ice_reader *r = NULL;
        check(floe_ice_reader_open(io, &ro, &r, &err), &err, "read");
        floe_ice_posdel_writer *pw = NULL;
        const floe_ice_batch *b = NULL;
        while (floe_ice_reader_next(r, &b, &err) == FLOE_OK && b != NULL) {
            const int64_t *pos = floe_ice_reader_positions(r);
            for (size_t k = 0; k < b->n_rows; k++) {
                long long id = b->columns[0][k].u.i64;
                if (!wanted(id, ids, n_ids)) {
                    continue;
                }
                visible++;
                if (eq) {
                    if (ew == NULL) {
                        floe_ice_write_opts wo = {.table = m,
                                                  .schema = schema,
                                                  .content = FLOE_CONTENT_EQUALITY_DELETES,
                                                  .equality_ids = EQ_IDS,
                                                  .n_equality_ids = 1};
                        check(floe_ice_writer_new(io, &wo, &ew, &err), &err, "eq writer");
                    }
                    char name[32];
                    floe_value items[3];
                    floe_value row = row_of(id, name, sizeof(name), items);
                    check(floe_ice_writer_write_row(ew, &row, &err), &err, "eq write");
                    continue;
                }
                if (pw == NULL) {
                    const floe_partition_spec *spec = tasks[t].spec;
                    floe_ice_posdel_opts po = {.table = m,
                                               .spec = spec,
                                               .partition = spec != NULL && spec->n_fields > 0
                                                                ? &tasks[t].file->partition
                                                                : NULL};
                    check(floe_ice_posdel_writer_new(io, &po, &pw, &err), &err, "pos writer");
                }
                check(floe_ice_posdel_writer_add(pw, tasks[t].file->file_path, pos[k], &err), &err,
                      "pos add");
            }
        }
        check(err.code, &err, "read rows");
        floe_ice_reader_close(r);
        if (pw != NULL) {
            const floe_data_file *f = NULL;
            check(floe_ice_posdel_writer_close(pw, a, &f, &err), &err, "pos close");
            floe_ice_posdel_writer_free(pw);
            if (f != NULL) {
                check(floe_ice_op_add_file(op, f, &err), &err, "add pos delete");
            }
        }
    }
    if (ew != NULL) {
        const floe_data_file *fs = NULL;
        size_t n = 0;
        check(floe_ice_writer_close(ew, a, &fs, &n, &err), &err, "eq close");
        floe_ice_writer_free(ew);
        for (size_t i = 0; i < n; i++) {
            check(floe_ice_op_add_file(op, &fs[i], &err), &err, "add eq delete");
        }
    }
    return visible;
}

static int delete_rows(floe_fileio *io, floe_ice_catalog *cat, bool eq, char **argv, int n)
{
    long long *ids = calloc((size_t)n, sizeof(*ids));
    for (int i = 0; i < n; i++) {
        ids[i] = strtoll(argv[i], NULL, 10);
    }
    floe_err err = {0};
    int round = 0;
    for (; round < 20; round++) {
        floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
        floe_table_meta *m = NULL;
        check(cat->ops->load(cat->ctx, a, &m, &err), &err, "load");
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
        size_t visible = delete_round(a, io, m, eq, ids, (size_t)n, op);
        if (visible > 0) {
            /* Like an engine's merge-on-read delete at snapshot isolation: validated from the
             * snapshot read, so a compaction that replaced a file these position deletes name
             * makes the commit fail (the next round reads the new file) instead of leaving
             * deletes that name a file no longer there. */
            const floe_snapshot *base = floe_table_meta_current_snapshot(m);
            if (base != NULL) {
                check(floe_ice_op_validate_from(op, base->snapshot_id, floe_ice_expr_false(), &err),
                      &err, "validate");
            }
            floe_table_meta *next = NULL;
            floe_status st = floe_ice_op_commit(op, a, cat, &next, &err);
            if (st == FLOE_ERR_CONFLICT) {
                fprintf(stderr, "gen_rest_append: delete round %d: %s; reading again\n", round,
                        err.msg);
                err = (floe_err){0};
            } else {
                check(st, &err, "commit");
            }
        }
        floe_ice_op_free(op);
        floe_arena_free(a);
        if (visible == 0) {
            break;
        }
    }
    printf("{\"rounds\": %d}\n", round);
    free(ids);
    return round < 20 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 7 && strcmp(argv[4], "--delete") == 0) {
        floe_err err = {0};
        floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
        const char *ns[] = {argv[2]};
        floe_rest_table_opts o = {.uri = argv[1], .ns = ns, .n_ns = 1, .name = argv[3]};
        floe_ice_catalog cat;
        check(floe_rest_table_open(io, &o, &cat, &err), &err, "open");
        int rc = delete_rows(io, &cat, strcmp(argv[5], "eq") == 0, argv + 6, argc - 6);
        floe_rest_table_free(&cat);
        floe_fileio_free(io);
        return rc;
    }
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: gen_rest_append URI NAMESPACE TABLE FIRST COUNT [PER_COMMIT]\n"
                        "       gen_rest_append URI NAMESPACE TABLE --delete pos|eq ID...\n");
        return 2;
    }
    long long first = strtoll(argv[4], NULL, 10);
    long long count = strtoll(argv[5], NULL, 10);
    long long per = argc == 7 ? strtoll(argv[6], NULL, 10) : count;
    if (per < 1) {
        per = 1;
    }
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    const char *ns[] = {argv[2]};
    floe_rest_table_opts o = {.uri = argv[1], .ns = ns, .n_ns = 1, .name = argv[3]};
    floe_ice_catalog cat;
    check(floe_rest_table_open(io, &o, &cat, &err), &err, "open");
    for (long long start = first; start < first + count; start += per) {
        long long end = start + per < first + count ? start + per : first + count;
        floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
        floe_table_meta *m = NULL;
        check(cat.ops->load(cat.ctx, a, &m, &err), &err, "load");
        floe_ice_write_opts wo = {.table = m};
        floe_ice_writer *w = NULL;
        check(floe_ice_writer_new(io, &wo, &w, &err), &err, "writer");
        for (long long i = start; i < end; i++) {
            char name[32];
            floe_value items[3];
            floe_value row = row_of(i, name, sizeof(name), items);
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
        if (argc == 7) {
            printf("{\"first\": %lld, \"count\": %lld, ", start, end - start);
        } else {
            printf("{");
        }
        printf("\"metadata-location\": \"%s\", \"data-files\": %zu}\n", next->metadata_location,
               n_files);
        fflush(stdout);
        floe_arena_free(a);
    }
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    return 0;
}
