/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product) for tests/integ/server_maintenance.sh: builds the
 * body of a REST commit that appends rows to a table whose metadata file is on the local disk.
 *
 *   mnt_append METADATA_FILE FIRST_ID N
 *
 * Reads the metadata, writes one Parquet data file with ids FIRST_ID .. FIRST_ID+N-1 into the
 * first column (a long), writes the manifest and manifest list (a fast append, floe_ice_op_apply)
 * and prints {"requirements": [...], "updates": [...]} for POST .../tables/{t}. The test commits
 * it with curl, so the table only ever changes through the server.
 *
 *   mnt_append --count METADATA_FILE [SNAPSHOT_ID]
 *
 * Prints the rows of the current snapshot (or SNAPSHOT_ID): planned with the scan planner and
 * read with the row reader, deletes applied. Exit status 1 on any failure.
 */
#include "floe/iceberg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const floe_err *err)
{
    fprintf(stderr, "mnt_append: %s: %s\n", what, err != NULL ? err->msg : "");
    exit(1);
}

static int count(floe_arena *a, floe_fileio *io, const char *path, const char *snap)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    if (floe_iceberg_read_metadata(a, io, path, &m, &err) != FLOE_OK) {
        die("read metadata", &err);
    }
    floe_scan_opts so = {0};
    if (snap != NULL) {
        so.has_snapshot_id = true;
        if (floe_parse_i64(snap, &so.snapshot_id, &err) != FLOE_OK) {
            die("snapshot id", &err);
        }
    }
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    if (floe_scan_collect(a, io, m, &so, &tasks, &n, NULL, &err) != FLOE_OK) {
        die("plan", &err);
    }
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        floe_ice_read_opts ro = {.schema = floe_table_meta_current_schema(m),
                                 .file = tasks[i].file,
                                 .deletes = tasks[i].deletes,
                                 .n_deletes = tasks[i].n_deletes,
                                 .spec = tasks[i].spec};
        floe_ice_reader *r = NULL;
        if (floe_ice_reader_open(io, &ro, &r, &err) != FLOE_OK) {
            die(tasks[i].file->file_path, &err);
        }
        for (;;) {
            const floe_ice_batch *b = NULL;
            if (floe_ice_reader_next(r, &b, &err) != FLOE_OK) {
                die(tasks[i].file->file_path, &err);
            }
            if (b == NULL) {
                break;
            }
            rows += (int64_t)b->n_rows;
        }
        floe_ice_reader_close(r);
    }
    printf("%lld\n", (long long)rows);
    return 0;
}

static int append(floe_arena *a, floe_fileio *io, const char *path, int64_t first, int64_t n)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    if (floe_iceberg_read_metadata(a, io, path, &m, &err) != FLOE_OK) {
        die("read metadata", &err);
    }
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    floe_ice_write_opts wo = {.table = m};
    floe_ice_writer *w = NULL;
    if (floe_ice_writer_new(io, &wo, &w, &err) != FLOE_OK) {
        die("writer", &err);
    }
    size_t nf = s->root->n_fields;
    floe_value *items = floe_arena_calloc(a, nf, sizeof(*items));
    for (int64_t i = 0; i < n; i++) {
        for (size_t k = 0; k < nf; k++) {
            items[k] = floe_value_null();
        }
        items[0] = floe_value_long(first + i);
        floe_value row = {.kind = FLOE_V_STRUCT};
        row.u.nested.items = items;
        row.u.nested.n = nf;
        if (floe_ice_writer_write_row(w, &row, &err) != FLOE_OK) {
            die("write row", &err);
        }
    }
    const floe_data_file *files = NULL;
    size_t n_files = 0;
    if (floe_ice_writer_close(w, a, &files, &n_files, &err) != FLOE_OK) {
        die("close", &err);
    }
    floe_ice_writer_free(w);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    for (size_t i = 0; i < n_files; i++) {
        if (floe_ice_op_add_file(op, &files[i], &err) != FLOE_OK) {
            die("add file", &err);
        }
    }
    floe_ice_op_result res;
    if (floe_ice_op_apply(op, a, io, m, floe_time_now_us() / 1000, &res, &err) != FLOE_OK) {
        die("apply", &err);
    }
    json_t *reqs = json_array();
    for (size_t i = 0; i < res.n_reqs; i++) {
        json_array_append_new(reqs, floe_ice_requirement_to_json(&res.reqs[i]));
    }
    json_t *ups = json_array();
    for (size_t i = 0; i < res.n_updates; i++) {
        json_array_append_new(ups, floe_ice_update_to_json(&res.updates[i]));
    }
    json_t *body = json_pack("{s:o, s:o}", "requirements", reqs, "updates", ups);
    char *text = json_dumps(body, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(body);
    floe_ice_op_free(op);
    return 0;
}

int main(int argc, char **argv)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    int rc = 2;
    floe_err err = {0};
    if (argc >= 3 && strcmp(argv[1], "--count") == 0) {
        rc = count(a, io, argv[2], argc >= 4 ? argv[3] : NULL);
    } else if (argc == 4) {
        int64_t first = 0, n = 0;
        if (floe_parse_i64(argv[2], &first, &err) != FLOE_OK ||
            floe_parse_i64(argv[3], &n, &err) != FLOE_OK || n < 1) {
            die("FIRST_ID and N must be numbers, N >= 1", &err);
        }
        rc = append(a, io, argv[1], first, n);
    } else {
        fprintf(stderr, "usage: mnt_append METADATA_FILE FIRST_ID N\n"
                        "       mnt_append --count METADATA_FILE [SNAPSHOT_ID]\n");
    }
    floe_fileio_free(io);
    floe_arena_free(a);
    return rc;
}
