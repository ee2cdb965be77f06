/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floe side of bench/optimizing/compact.sh: one optimizing task that rewrites every Parquet
 * file of IN_DIR (bench/parquet/gen_merge_input.mjs's columns) into new files of TARGET bytes
 * (default 1 GiB: one output, like DuckDB's COPY) under TABLE_DIR/data, through
 * floe_optimizer_execute. Without --merge the task decodes and re-encodes (the row reader, the
 * Iceberg writer: zstd, metrics), with rewrite.use-parquet-row-group-merge.enabled=false; with
 * --merge it asks for row-group stitching (enabled=true and min-avg-row-group-size-bytes=0,
 * since the default 8 MiB floor refuses small files' row groups), which the executor takes only
 * when every input carries the table's field ids (prepare's files do, DuckDB's do not).
 *
 *   compact_bench [--merge] IN_DIR TABLE_DIR [TARGET_BYTES]
 *   compact_bench prepare IN_DIR OUT_DIR
 *
 * Prints "execute_seconds=S rows=N files=F output_bytes=B row_group_merge=true|false
 * output_row_groups=G", and the output files' paths on stderr. prepare rewrites each file of
 * IN_DIR on its own (a one-file task, snappy like the DuckDB inputs) into OUT_DIR/part-N.parquet:
 * the same rows, written by floe's Iceberg writer, so with the Parquet field ids stitching needs.
 */
#include "floe/optimizer.h"
#include "floe/parquet.h"

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
    "\"properties\":{\"write.parquet.compression-codec\":\"%s\"},"
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

/* The sorted paths of IN_DIR's Parquet files (in `a`). */
static floe_vec list_parquet(floe_arena *a, const char *in_dir)
{
    DIR *d = opendir(in_dir);
    if (d == NULL) {
        fprintf(stderr, "compact_bench: cannot open %s\n", in_dir);
        exit(1);
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
    return names;
}

/* Write TABLE_DIR/metadata/v1.metadata.json with `codec`; returns its location (in `a`). */
static char *write_metadata(floe_arena *a, floe_fileio *io, const char *table, const char *codec)
{
    floe_err err = {0};
    char *meta_loc = floe_arena_sprintf(a, "%s/metadata/v1.metadata.json", table);
    char *text = floe_xasprintf(METADATA, table, codec);
    check(floe_io_write_file(io, meta_loc, FLOE_IO_CREATE_OVERWRITE, text, strlen(text), &err),
          &err, "metadata");
    free(text);
    return meta_loc;
}

/* One rewrite task over `paths`; `merge` asks for row-group stitching. */
static void execute(floe_arena *a, floe_fileio *io, const char *meta_loc, const char *const *paths,
                    size_t n, int64_t target, bool merge, floe_opt_task_output *out)
{
    floe_err err = {0};
    floe_opt_data_file *files = floe_arena_calloc(a, n + 1, sizeof(*files));
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            fprintf(stderr, "compact_bench: cannot stat %s\n", paths[i]);
            exit(1);
        }
        files[i] = (floe_opt_data_file){.path = paths[i],
                                        .format = FLOE_FORMAT_PARQUET,
                                        .role = FLOE_OPT_REWRITE,
                                        .size = (int64_t)sb.st_size,
                                        .data_sequence_number = 1};
    }
    floe_kv props[] = {
        {"rewrite.use-parquet-row-group-merge.enabled", merge ? "true" : "false"},
        {"rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes", "0"},
    };
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
                              .n_files = n,
                              .properties = props,
                              .n_properties = FLOE_ARRAY_LEN(props)};
    check(floe_optimizer_execute(&in, io, NULL, a, out, &err), &err, "execute");
}

/* prepare: each input rewritten alone, so the bench's inputs carry field ids. */
static int prepare(const char *in_dir, const char *out_dir)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    char *table = floe_arena_sprintf(a, "%s/_table", out_dir);
    char *meta_loc = write_metadata(a, io, table, "snappy");
    floe_vec names = list_parquet(a, in_dir);
    for (size_t i = 0; i < names.n; i++) {
        floe_arena *ta = floe_arena_new(FLOE_ARENA_UNLIMITED);
        const char *p = *FLOE_VEC_AT(&names, char *, i);
        floe_opt_task_output out;
        execute(ta, io, meta_loc, &p, 1, (int64_t)1 << 30, false, &out);
        if (out.n_files != 1) {
            fprintf(stderr, "compact_bench: %s became %zu files\n", p, out.n_files);
            return 1;
        }
        const char *src = out.files[0].path;
        if (strncmp(src, "file://", 7) == 0) {
            src += 7;
        }
        char *dst = floe_arena_sprintf(ta, "%s/part-%05zu.parquet", out_dir, i);
        if (rename(src, dst) != 0) {
            fprintf(stderr, "compact_bench: cannot move %s to %s\n", src, dst);
            return 1;
        }
        floe_arena_free(ta);
    }
    printf("prepared %zu files in %s\n", names.n, out_dir);
    floe_vec_fini(&names);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "prepare") == 0) {
        return prepare(argv[2], argv[3]);
    }
    bool merge = argc > 1 && strcmp(argv[1], "--merge") == 0;
    argv += merge;
    argc -= merge;
    if (argc < 3) {
        fprintf(stderr, "usage: compact_bench [--merge] IN_DIR TABLE_DIR [TARGET_BYTES]\n"
                        "       compact_bench prepare IN_DIR OUT_DIR\n");
        return 2;
    }
    const char *in_dir = argv[1], *table = argv[2];
    int64_t target = argc > 3 ? strtoll(argv[3], NULL, 10) : (int64_t)1 << 30;
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    char *meta_loc = write_metadata(a, io, table, "zstd");
    floe_vec names = list_parquet(a, in_dir);
    floe_opt_task_output out;
    int64_t t0 = floe_time_mono_us();
    execute(a, io, meta_loc, (const char *const *)names.data, names.n, target, merge, &out);
    double secs = (double)(floe_time_mono_us() - t0) / 1e6;
    /* Row groups of the outputs: stitching keeps the inputs' groups, a re-encode makes few. */
    size_t groups = 0;
    for (size_t i = 0; i < out.n_files; i++) {
        floe_pq_reader *r = NULL;
        check(floe_pq_reader_open(io, out.files[i].path, NULL, &r, &err), &err, "open output");
        groups += floe_pq_reader_meta(r)->n_row_groups;
        floe_pq_reader_close(r);
    }
    printf("execute_seconds=%.3f rows=%s files=%zu output_bytes=%s row_group_merge=%s "
           "output_row_groups=%zu\n",
           secs, floe_optimizer_summary_get(&out, "rows"), out.n_files,
           floe_optimizer_summary_get(&out, "output-bytes"),
           floe_optimizer_summary_get(&out, "row-group-merge"), groups);
    for (size_t i = 0; i < out.n_files; i++) {
        fprintf(stderr, "%s\n", out.files[i].path);
    }
    floe_vec_fini(&names);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
