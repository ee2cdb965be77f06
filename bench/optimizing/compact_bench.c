/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floe side of bench/optimizing/compact.sh: one optimizing task that rewrites every Parquet
 * file of IN_DIR (bench/parquet/gen_merge_input.mjs's columns, no field ids, so columns are
 * matched by name as for tables imported without ids) into new files of TARGET bytes (default
 * 1 GiB: one output, like DuckDB's COPY) under TABLE_DIR/data, through floe_optimizer_execute:
 * the row reader (deletes path, none here), the Iceberg writer (zstd, metrics).
 *
 *   compact_bench IN_DIR TABLE_DIR [TARGET_BYTES]
 *
 * Prints "execute_seconds=S rows=N files=F output_bytes=B".
 */
#include "floe/optimizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char METADATA[] =
    "{\"format-version\":2,\"table-uuid\":\"5b2c1a9e-2f3d-4f7a-9f0e-7d7c5e1a2b3c\","
    "\"location\":\"%s\",\"last-sequence-number\":1,\"last-updated-ms\":1700000000000,"
    "\"last-column-id\":9,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"event_id\",\"required\":false,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"user_id\",\"required\":false,\"type\":\"long\"},"
    "{\"id\":3,\"name\":\"event_ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":4,\"name\":\"event_type\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":5,\"name\":\"country\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":6,\"name\":\"amount\",\"required\":false,\"type\":\"decimal(18, 2)\"},"
    "{\"id\":7,\"name\":\"score\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":8,\"name\":\"is_mobile\",\"required\":false,\"type\":\"boolean\"},"
    "{\"id\":9,\"name\":\"payload\",\"required\":false,\"type\":\"string\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,"
    "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],"
    "\"properties\":{\"write.parquet.compression-codec\":\"zstd\"},"
    "\"current-snapshot-id\":-1,\"snapshots\":[],\"snapshot-log\":[],\"metadata-log\":[]}";

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        fprintf(stderr, "compact_bench: %s: %s\n", what, err->msg);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: compact_bench IN_DIR TABLE_DIR [TARGET_BYTES]\n");
        return 2;
    }
    const char *in_dir = argv[1], *table = argv[2];
    int64_t target = argc > 3 ? strtoll(argv[3], NULL, 10) : (int64_t)1 << 30;
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);

    char *meta_loc = floe_arena_sprintf(a, "%s/metadata/v1.metadata.json", table);
    char *text = floe_xasprintf(METADATA, table);
    check(floe_io_write_file(io, meta_loc, FLOE_IO_CREATE_OVERWRITE, text, strlen(text), &err),
          &err, "metadata");
    free(text);

    DIR *d = opendir(in_dir);
    if (d == NULL) {
        fprintf(stderr, "compact_bench: cannot open %s\n", in_dir);
        return 1;
    }
    floe_vec names;
    floe_vec_init(&names, sizeof(char *));
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (floe_ends_with(e->d_name, ".parquet")) {
            char *p = floe_arena_sprintf(a, "%s/%s", in_dir, e->d_name);
            floe_vec_push_copy(&names, &p);
        }
    }
    closedir(d);
    floe_vec_sort(&names, name_cmp);
    floe_opt_data_file *files = floe_arena_calloc(a, names.n + 1, sizeof(*files));
    for (size_t i = 0; i < names.n; i++) {
        const char *p = *FLOE_VEC_AT(&names, char *, i);
        struct stat sb;
        stat(p, &sb);
        files[i] = (floe_opt_data_file){.path = p,
                                        .format = FLOE_FORMAT_PARQUET,
                                        .role = FLOE_OPT_REWRITE,
                                        .size = (int64_t)sb.st_size,
                                        .data_sequence_number = 1};
    }
    floe_opt_task_input in = {.table = "bench.events",
                              .metadata_location = meta_loc,
                              .type = FLOE_OPT_MINOR,
                              .snapshot_id = 1,
                              .sequence_number = 1,
                              .schema_id = 0,
                              .spec_id = 0,
                              .partition = "{}",
                              .target_size = target,
                              .files = files,
                              .n_files = names.n};
    floe_opt_task_output out;
    int64_t t0 = floe_time_mono_us();
    check(floe_optimizer_execute(&in, io, NULL, a, &out, &err), &err, "execute");
    double secs = (double)(floe_time_mono_us() - t0) / 1e6;
    printf("execute_seconds=%.3f rows=%s files=%zu output_bytes=%s\n", secs,
           floe_optimizer_summary_get(&out, "rows"), out.n_files,
           floe_optimizer_summary_get(&out, "output-bytes"));
    for (size_t i = 0; i < out.n_files; i++) {
        fprintf(stderr, "%s\n", out.files[i].path);
    }
    floe_vec_fini(&names);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
