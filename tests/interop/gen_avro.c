/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper for tests/interop/avro.test.mjs: writes Avro files with floe's writer for
 * independent readers (avsc, icebird) to check.
 *
 *   gen_avro OUTDIR
 *
 * For each codec (null, deflate, snappy, zstandard) it writes OUTDIR/manifest-<codec>.avro (an
 * Iceberg v2 manifest, 40 entries in blocks of 16, with Iceberg's header metadata) and
 * OUTDIR/all-types-<codec>.avro (every Avro type and logical type, 12 records in blocks of 5).
 * Next to them: <name>.schema.json (the schema text given to the writer) and <name>.jsonl
 * (the canonical JSON of every value given to the writer, one per line), which is what a
 * correct reader must return.
 */
#include "floe/avro.h"
#include "floe/io.h"

#include "../unit/avro/sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char table_schema[] =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":"
    "true,\"type\":\"long\"},{\"id\":2,\"name\":\"event_ts\",\"required\":false,\"type\":"
    "\"timestamptz\"}]}";
static const char partition_spec[] =
    "[{\"name\":\"id_bucket\",\"transform\":\"bucket[4]\",\"source-id\":1,\"field-id\":1000},"
    "{\"name\":\"ts_day\",\"transform\":\"day\",\"source-id\":2,\"field-id\":1001},"
    "{\"name\":\"event_ts\",\"transform\":\"identity\",\"source-id\":2,\"field-id\":1002}]";

static int fail(const char *what, const floe_err *err)
{
    fprintf(stderr, "gen_avro: %s: %s\n", what, err->msg);
    return 1;
}

static int write_text(floe_fileio *io, const char *dir, const char *name, const char *text,
                      size_t len)
{
    floe_err err = {0};
    char *path = floe_io_join(dir, name);
    floe_status st = floe_io_write_file(io, path, FLOE_IO_CREATE_OVERWRITE, text, len, &err);
    free(path);
    return st == FLOE_OK ? 0 : fail(name, &err);
}

static int gen(floe_fileio *io, const char *dir, const char *base, const char *schema,
               bool manifest, floe_codec codec, int n, size_t block_records)
{
    floe_err err = {0};
    char name[128];
    snprintf(name, sizeof(name), "%s-%s.avro", base, floe_avro_codec_name(codec));
    char *path = floe_io_join(dir, name);
    floe_output *o = NULL;
    floe_status st = floe_io_create(io, path, FLOE_IO_CREATE_OVERWRITE, &o, &err);
    free(path);
    if (st != FLOE_OK) {
        return fail(name, &err);
    }
    floe_avro_write_opts opts = {.codec = codec, .block_records = block_records};
    floe_avro_writer *w = NULL;
    st = floe_avro_writer_new(o, schema, strlen(schema), &opts, &w, &err);
    if (st == FLOE_OK && manifest) {
        st = floe_avro_writer_set_meta_str(w, "schema", table_schema, &err);
        if (st == FLOE_OK) {
            st = floe_avro_writer_set_meta_str(w, "schema-id", "0", &err);
        }
        if (st == FLOE_OK) {
            st = floe_avro_writer_set_meta_str(w, "partition-spec", partition_spec, &err);
        }
        if (st == FLOE_OK) {
            st = floe_avro_writer_set_meta_str(w, "partition-spec-id", "0", &err);
        }
        if (st == FLOE_OK) {
            st = floe_avro_writer_set_meta_str(w, "format-version", "2", &err);
        }
        if (st == FLOE_OK) {
            st = floe_avro_writer_set_meta_str(w, "content", "data", &err);
        }
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_buf lines;
    floe_buf_init(&lines, 0);
    for (int i = 0; i < n && st == FLOE_OK; i++) {
        floe_arena_reset(a);
        floe_value v = manifest ? avro_sample_manifest_entry(a, i) : avro_sample_all_types(a, i);
        st = floe_avro_writer_append(w, &v, &err);
        if (st == FLOE_OK) {
            st = floe_value_to_json(&v, &lines, &err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(&lines, '\n', &err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_avro_writer_finish(w, &err);
    }
    floe_avro_writer_free(w);
    floe_arena_free(a);
    if (st == FLOE_OK) {
        st = floe_output_commit(o, &err);
    } else if (o != NULL) {
        floe_output_abort(o);
    }
    int rc = st == FLOE_OK ? 0 : fail(name, &err);
    if (rc == 0 && codec == FLOE_CODEC_NONE) {
        snprintf(name, sizeof(name), "%s.jsonl", base);
        rc = write_text(io, dir, name, lines.data ? lines.data : "", lines.len);
        snprintf(name, sizeof(name), "%s.schema.json", base);
        rc = rc ? rc : write_text(io, dir, name, schema, strlen(schema));
    }
    floe_buf_fini(&lines);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_avro OUTDIR\n");
        return 2;
    }
    static const floe_codec codecs[] = {FLOE_CODEC_NONE, FLOE_CODEC_DEFLATE, FLOE_CODEC_SNAPPY,
                                        FLOE_CODEC_ZSTD};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    int rc = 0;
    for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]) && rc == 0; i++) {
        rc = gen(io, argv[1], "manifest", avro_sample_manifest_schema, true, codecs[i], 40, 16);
        if (rc == 0) {
            rc = gen(io, argv[1], "all-types", avro_sample_all_types_schema, false, codecs[i], 12,
                     5);
        }
    }
    floe_fileio_free(io);
    return rc;
}
