/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Avro manifest decoding benchmark: writes F manifest files holding N Iceberg v2 manifest entries
 * in total (C columns of metrics each, deflate like Java's default), then decodes them all with
 * floe, once with every field and once skipping the bounds maps (what planning can do), and
 * prints entries per second. bench/avro/run.sh runs it next to avsc on the same files.
 *
 *   bench_avro [-n ENTRIES] [-f FILES] [-c COLUMNS] [-z null|deflate|snappy|zstandard] [-R] DIR
 *
 * -R only decodes the files a previous run left in DIR (for profiling the reader alone).
 */
#include "floe/avro.h"
#include "floe/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char kv_fmt[] =
    "{\"name\":\"%s\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"k%d_v%d\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":%d},"
    "{\"name\":\"value\",\"type\":\"%s\",\"field-id\":%d}]},\"logicalType\":\"map\"}],"
    "\"default\":null,\"field-id\":%d}";

static char *manifest_schema(void)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_str(
        &b,
        "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
        "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
        "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
        "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,"
        "\"field-id\":3},"
        "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,"
        "\"field-id\":4},"
        "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
        "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
        "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
        "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
        "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":["
        "{\"name\":\"ts_day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],"
        "\"default\":null,\"field-id\":1000}]},\"field-id\":102},"
        "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
        "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},",
        NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "column_sizes", 117, 118, 117, "long", 118, 108);
    floe_buf_append_byte(&b, ',', NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "value_counts", 119, 120, 119, "long", 120, 109);
    floe_buf_append_byte(&b, ',', NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "null_value_counts", 121, 122, 121, "long", 122, 110);
    floe_buf_append_byte(&b, ',', NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "nan_value_counts", 138, 139, 138, "long", 139, 137);
    floe_buf_append_byte(&b, ',', NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "lower_bounds", 126, 127, 126, "bytes", 127, 125);
    floe_buf_append_byte(&b, ',', NULL);
    floe_buf_printf(&b, NULL, kv_fmt, "upper_bounds", 129, 130, 129, "bytes", 130, 128);
    floe_buf_append_str(
        &b,
        ",{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,"
        "\"field-id\":131},"
        "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
        "\"element-id\":133}],\"default\":null,\"field-id\":132},"
        "{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","
        "\"element-id\":136}],\"default\":null,\"field-id\":135},"
        "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,"
        "\"field-id\":140}]},\"field-id\":2}]}",
        NULL);
    return floe_buf_detach(&b, NULL);
}

static floe_value kv_map(floe_arena *a, int cols, int seed, bool bytes)
{
    floe_value *items = floe_arena_alloc(a, 2 * (size_t)cols * sizeof(floe_value));
    for (int c = 0; c < cols; c++) {
        items[2 * c] = floe_value_int(c + 1);
        if (bytes) {
            uint8_t *p = floe_arena_alloc(a, 8);
            floe_store_u64le(p, (uint64_t)(seed * 31 + c));
            items[2 * c + 1] = floe_value_binary(p, 8);
        } else {
            items[2 * c + 1] = floe_value_long(1000 + seed + c);
        }
    }
    floe_value v = {.kind = FLOE_V_MAP};
    v.u.nested.items = items;
    v.u.nested.n = (size_t)cols;
    return v;
}

static floe_value entry(floe_arena *a, int i, int cols)
{
    floe_value *part = floe_arena_alloc(a, sizeof(floe_value));
    part[0] = floe_value_date(19723 + i % 365);
    floe_value partv = {.kind = FLOE_V_STRUCT};
    partv.u.nested.items = part;
    partv.u.nested.n = 1;
    char *path = floe_arena_sprintf(
        a, "s3://warehouse/db/events/data/ts_day=2024-%02d-%02d/00%03d-%d-%08x-0000-%06d.parquet",
        1 + i % 12, 1 + i % 28, i % 1000, i % 7, (unsigned)i * 2654435761u, i);
    floe_value *off = floe_arena_alloc(a, sizeof(floe_value));
    off[0] = floe_value_long(4);
    floe_value offs = {.kind = FLOE_V_LIST};
    offs.u.nested.items = off;
    offs.u.nested.n = 1;
    floe_value file[] = {
        floe_value_int(0),
        floe_value_string(path, strlen(path)),
        floe_value_string("PARQUET", 7),
        partv,
        floe_value_long(100000 + i),
        floe_value_long(64 << 20),
        kv_map(a, cols, i, false),
        kv_map(a, cols, i + 1, false),
        kv_map(a, cols, i + 2, false),
        kv_map(a, 0, 0, false),
        kv_map(a, cols, i, true),
        kv_map(a, cols, i + 3, true),
        floe_value_null(),
        offs,
        floe_value_null(),
        floe_value_int(0),
    };
    floe_value filev = {.kind = FLOE_V_STRUCT};
    filev.u.nested.items = floe_arena_memdup(a, file, sizeof(file));
    filev.u.nested.n = sizeof(file) / sizeof(file[0]);
    floe_value e[] = {floe_value_int(1), floe_value_long(5276958600260276572LL + i),
                      floe_value_null(), floe_value_null(), filev};
    floe_value v = {.kind = FLOE_V_STRUCT};
    v.u.nested.items = floe_arena_memdup(a, e, sizeof(e));
    v.u.nested.n = 5;
    return v;
}

static int die(const char *what, const floe_err *err)
{
    fprintf(stderr, "bench_avro: %s: %s\n", what, err->msg);
    return 1;
}

/* Decode every file; with `project`, skip lower/upper bounds. Returns entries decoded. */
static long decode_all(floe_fileio *io, char **paths, int files, bool project, uint64_t *bytes,
                       floe_err *err)
{
    long total = 0;
    floe_arena *a = floe_arena_new(64 << 20);
    for (int f = 0; f < files; f++) {
        floe_input *in = NULL;
        floe_avro_reader *r = NULL;
        if (floe_io_open(io, paths[f], &in, err) != FLOE_OK ||
            floe_avro_reader_open(in, NULL, &r, err) != FLOE_OK) {
            floe_input_close(in);
            total = -1;
            break;
        }
        *bytes += floe_input_size(in);
        if (project) {
            const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(r));
            const floe_avro_node *df =
                floe_avro_field_type(root, (size_t)floe_avro_field_index_by_id(root, 2));
            floe_avro_reader_skip_field(r, df, (size_t)floe_avro_field_index_by_id(df, 125), err);
            floe_avro_reader_skip_field(r, df, (size_t)floe_avro_field_index_by_id(df, 128), err);
        }
        for (;;) {
            floe_value v;
            bool got = false;
            if (total % 1 == 0) {
                floe_arena_reset(a);
            }
            if (floe_avro_reader_next(r, a, &v, &got, err) != FLOE_OK) {
                total = -1;
                break;
            }
            if (!got) {
                break;
            }
            total++;
        }
        floe_avro_reader_close(r);
        floe_input_close(in);
        if (total < 0) {
            break;
        }
    }
    floe_arena_free(a);
    return total;
}

int main(int argc, char **argv)
{
    long n = 200000;
    int files = 20, cols = 10;
    const char *codec_name = "deflate";
    bool read_only = false;
    int opt;
    while ((opt = getopt(argc, argv, "n:f:c:z:R")) != -1) {
        switch (opt) {
        case 'n':
            n = strtol(optarg, NULL, 10);
            break;
        case 'f':
            files = (int)strtol(optarg, NULL, 10);
            break;
        case 'c':
            cols = (int)strtol(optarg, NULL, 10);
            break;
        case 'z':
            codec_name = optarg;
            break;
        case 'R':
            read_only = true;
            break;
        default:
            fprintf(stderr,
                    "usage: bench_avro [-n ENTRIES] [-f FILES] [-c COLUMNS] [-z CODEC] [-R] DIR\n");
            return 2;
        }
    }
    if (optind + 1 != argc || n < 1 || files < 1 || cols < 0) {
        fprintf(stderr,
                "usage: bench_avro [-n ENTRIES] [-f FILES] [-c COLUMNS] [-z CODEC] [-R] DIR\n");
        return 2;
    }
    const char *dir = argv[optind];
    floe_err err = {0};
    floe_codec codec;
    if (floe_avro_codec_from_name(codec_name, strlen(codec_name), &codec, &err) != FLOE_OK) {
        return die("codec", &err);
    }
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    char *schema = manifest_schema();
    char **paths = floe_xcalloc((size_t)files, sizeof(char *));
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    int64_t t0 = floe_time_mono_us();
    long per = (n + files - 1) / files, written = 0;
    for (int f = 0; f < files; f++) {
        char name[64];
        snprintf(name, sizeof(name), "m%03d.avro", f);
        paths[f] = floe_io_join(dir, name);
        if (read_only) {
            continue;
        }
        floe_output *o = NULL;
        floe_avro_writer *w = NULL;
        floe_avro_write_opts wo = {.codec = codec};
        if (floe_io_create(io, paths[f], FLOE_IO_CREATE_OVERWRITE, &o, &err) != FLOE_OK ||
            floe_avro_writer_new(o, schema, strlen(schema), &wo, &w, &err) != FLOE_OK) {
            return die(paths[f], &err);
        }
        for (long i = 0; i < per && written < n; i++, written++) {
            floe_arena_reset(a);
            floe_value v = entry(a, (int)written, cols);
            if (floe_avro_writer_append(w, &v, &err) != FLOE_OK) {
                return die("append", &err);
            }
        }
        if (floe_avro_writer_finish(w, &err) != FLOE_OK || floe_output_commit(o, &err) != FLOE_OK) {
            return die(paths[f], &err);
        }
        floe_avro_writer_free(w);
    }
    int64_t t1 = floe_time_mono_us();
    if (!read_only) {
        printf("write   %ld entries, %d files, %d columns, %s: %.3f s (%.0f entries/s)\n", written,
               files, cols, codec_name, (double)(t1 - t0) / 1e6,
               (double)written * 1e6 / (double)(t1 - t0));
    }
    for (int project = 0; project <= 1; project++) {
        uint64_t bytes = 0;
        int64_t s = floe_time_mono_us();
        long got = decode_all(io, paths, files, project, &bytes, &err);
        int64_t e = floe_time_mono_us();
        if (got < 0) {
            return die("decode", &err);
        }
        printf("floe    %-22s %ld entries in %.3f s: %.0f entries/s, %.1f MB/s of file\n",
               project ? "decode (skip bounds)" : "decode (all fields)", got, (double)(e - s) / 1e6,
               (double)got * 1e6 / (double)(e - s), (double)bytes / (double)(e - s));
    }
    for (int f = 0; f < files; f++) {
        free(paths[f]);
    }
    free(paths);
    free(schema);
    floe_arena_free(a);
    floe_fileio_free(io);
    return 0;
}
