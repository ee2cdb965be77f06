/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz what the Iceberg row reader takes from untrusted bytes. The first byte picks the target:
 *   'M'  the rest is a name mapping (JSON): parse it and look names up;
 *   'N'  a 2-byte little-endian length, a name mapping of that length, then a Parquet file read
 *        through the mapping as below;
 *   else the rest is a Parquet file, read as a data file (projected onto a schema with nested,
 *        promoted and missing columns, with a residual filter), as a position-delete file and
 *        as an equality-delete file for it.
 * Errors are expected; crashes, leaks and hangs are bugs.
 */
#include "floe/iceberg.h"
#include "floe/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SCHEMA[] =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"name\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"d\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":4,\"name\":\"s\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":5,\"name\":\"a\",\"required\":false,\"type\":\"int\"}]}},"
    "{\"id\":6,\"name\":\"l\",\"required\":false,\"type\":{\"type\":\"list\",\"element-id\":7,"
    "\"element-required\":false,\"element\":\"string\"}},"
    "{\"id\":8,\"name\":\"m\",\"required\":false,\"type\":{\"type\":\"map\",\"key-id\":9,"
    "\"key\":\"string\",\"value-id\":10,\"value-required\":false,\"value\":\"long\"}},"
    "{\"id\":11,\"name\":\"dec\",\"required\":false,\"type\":\"decimal(20,2)\"},"
    "{\"id\":12,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":13,\"name\":\"absent\",\"required\":false,\"type\":\"string\"}]}";

static char *tmp_path(void)
{
    static char path[64];
    if (path[0] == '\0') {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof(path), "%s/floe-fuzz-rows-%d.parquet",
                 dir != NULL && strlen(dir) < 24 ? dir : "/tmp", (int)getpid());
    }
    return path;
}

static void read_all(floe_fileio *io, const floe_ice_read_opts *o)
{
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    if (floe_ice_reader_open(io, o, &r, &err) != FLOE_OK) {
        return;
    }
    floe_buf out;
    floe_buf_init(&out, 1 << 20);
    for (int guard = 0; guard < 1000; guard++) {
        const floe_ice_batch *b = NULL;
        if (floe_ice_reader_next(r, &b, &err) != FLOE_OK || b == NULL) {
            break;
        }
        for (size_t i = 0; i < b->n_rows; i++) {
            floe_buf_reset(&out);
            (void)floe_ice_batch_row_json(b, i, &out, NULL);
        }
    }
    floe_buf_fini(&out);
    floe_ice_reader_close(r);
}

static void fuzz_file(floe_arena *a, floe_fileio *io, const floe_ice_schema *s,
                      const floe_ice_name_mapping *nm, const uint8_t *data, size_t size)
{
    const char *path = tmp_path();
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return;
    }
    if (size > 0) {
        fwrite(data, 1, size, f);
    }
    fclose(f);
    floe_data_file df = {
        .content = FLOE_CONTENT_DATA, .file_path = path, .file_format = FLOE_FORMAT_PARQUET};
    floe_data_file pos = df, eq = df;
    pos.content = FLOE_CONTENT_POSITION_DELETES;
    eq.content = FLOE_CONTENT_EQUALITY_DELETES;
    static const int32_t eq_ids[] = {2, 1};
    eq.equality_ids = eq_ids;
    eq.n_equality_ids = 2;
    const floe_data_file *dels[] = {&pos, &eq};
    const floe_ice_expr *e = NULL, *bound = NULL;
    const char *text = "id > 3 OR name IS NULL OR s.a = 1 OR absent = 'x'";
    if (floe_ice_expr_parse(a, text, strlen(text), &e, NULL) == FLOE_OK) {
        (void)floe_ice_expr_bind(a, e, s, &bound, NULL);
    }
    floe_ice_read_opts o = {.schema = s,
                            .file = &df,
                            .name_mapping = nm,
                            .batch_rows = 64,
                            .max_delete_positions = 1 << 16,
                            .max_delete_memory = 1 << 22};
    read_all(io, &o);
    o.deletes = dels;
    o.n_deletes = 2;
    o.filter = bound;
    read_all(io, &o);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new(64 << 20);
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    json_t *j = json_loads(SCHEMA, 0, NULL);
    const floe_ice_schema *s = NULL;
    if (j == NULL || floe_ice_schema_from_json(a, j, &s, NULL) != FLOE_OK) {
        abort();
    }
    json_decref(j);
    const floe_ice_name_mapping *nm = NULL;
    if (size > 0 && data[0] == 'M') {
        floe_str text = {(const char *)data + 1, size - 1};
        if (floe_ice_name_mapping_parse(a, text, &nm, NULL) == FLOE_OK) {
            const char *p1[] = {"id"};
            const char *p2[] = {"s", "a"};
            const char *p3[] = {"l", "element"};
            (void)floe_ice_name_mapping_find(nm, p1, 1);
            (void)floe_ice_name_mapping_find(nm, p2, 2);
            (void)floe_ice_name_mapping_find(nm, p3, 2);
            (void)floe_ice_name_mapping_find(nm, p3, 0);
        }
    } else if (size >= 3 && data[0] == 'N') {
        /* A 2-byte little-endian length, the mapping, then a file read through it. */
        size_t len = (size_t)data[1] | (size_t)data[2] << 8;
        if (len <= size - 3 &&
            floe_ice_name_mapping_parse(a, (floe_str){(const char *)data + 3, len}, &nm, NULL) ==
                FLOE_OK) {
            fuzz_file(a, io, s, nm, data + 3 + len, size - 3 - len);
        }
    } else if (size > 0) {
        fuzz_file(a, io, s, NULL, data + 1, size - 1);
    }
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
