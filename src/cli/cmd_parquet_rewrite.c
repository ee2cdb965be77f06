/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe parquet rewrite IN... -o OUT`: read one or more Parquet files with the same schema and
 * write them as one file, either by decoding and encoding again (new row groups, pages,
 * dictionaries and codec) or, with --stitch, by copying whole row groups byte for byte. The
 * output appears atomically when everything succeeded; on any error it is aborted and nothing
 * is left behind. This is the engine of compaction, usable by hand.
 *
 * The `floe parquet` dispatcher calls cli_parquet_rewrite with argv[0] "parquet" and argv[1]
 * "rewrite"; options start at argv[2].
 */
#include "cli.h"

#include "floe/io.h"
#include "floe/parquet.h"

#include <stdlib.h>
#include <string.h>

const char cli_parquet_rewrite_usage[] =
    "Usage: floe parquet rewrite IN... -o OUT [options]\n"
    "\n"
    "Rewrite Parquet files that share a schema (same columns, types, repetition and field\n"
    "ids) into one file. Rows are decoded and written again with new row groups, pages,\n"
    "dictionaries and codec; with --stitch, row groups are copied as they are, without\n"
    "decoding. OUT is replaced atomically, and only when everything succeeded.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT         the file to write (required)\n"
    "  --codec NAME             zstd (default), snappy, gzip, lz4_raw, lz4, brotli or\n"
    "                           uncompressed\n"
    "  --compression-level N    codec level (default: the codec's own)\n"
    "  --row-group-size BYTES   target row group size (default 128MiB; k/m/g suffixes)\n"
    "  --page-size BYTES        target data page size (default 1MiB)\n"
    "  --stitch                 copy row groups without decoding them (keeps their codec,\n"
    "                           encodings and sizes; drops their page index)\n";

/* Usage errors name `parquet` (whose help lists rewrite) and start with "rewrite: ". */
#define CMD "parquet"

typedef struct rewrite_args {
    const char **inputs;
    size_t n_inputs;
    const char *output;
    floe_pq_write_opts opts;
    bool stitch;
    bool layout_set; /* codec, level or sizes given */
} rewrite_args;

static int parse_args(int argc, char **argv, rewrite_args *ra)
{
    ra->inputs = floe_xcalloc((size_t)argc, sizeof(char *));
    ra->opts = floe_pq_write_opts_default();
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        floe_err err = {0};
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (v == NULL) {
                return cli_usage_error(CMD, "rewrite: %s needs a file", a);
            }
            ra->output = v;
            i++;
        } else if (strcmp(a, "--codec") == 0) {
            if (v == NULL || floe_pq_codec_parse(v, &ra->opts.codec, &err) != FLOE_OK) {
                return cli_usage_error(CMD, "rewrite: %s", v ? err.msg : "--codec needs a name");
            }
            ra->layout_set = true;
            i++;
        } else if (strcmp(a, "--compression-level") == 0) {
            int32_t level;
            if (v == NULL || floe_parse_i32(v, &level, &err) != FLOE_OK) {
                return cli_usage_error(CMD, "rewrite: --compression-level: %s",
                                       v ? err.msg : "needs a number");
            }
            ra->opts.compression_level = level;
            ra->layout_set = true;
            i++;
        } else if (strcmp(a, "--row-group-size") == 0 || strcmp(a, "--page-size") == 0) {
            uint64_t size;
            if (v == NULL || floe_parse_size(v, &size, &err) != FLOE_OK || size == 0 ||
                size > SIZE_MAX) {
                return cli_usage_error(CMD, "rewrite: %s: %s", a,
                                       v && err.msg[0] ? err.msg : "needs a positive size");
            }
            if (a[2] == 'r') {
                ra->opts.row_group_size = (size_t)size;
            } else {
                ra->opts.page_size = (size_t)size;
            }
            ra->layout_set = true;
            i++;
        } else if (strcmp(a, "--stitch") == 0) {
            ra->stitch = true;
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                ra->inputs[ra->n_inputs++] = argv[i];
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(CMD, "rewrite: unknown option '%s'", a);
        } else {
            ra->inputs[ra->n_inputs++] = a;
        }
    }
    if (ra->n_inputs == 0) {
        return cli_usage_error(CMD, "rewrite: no input files");
    }
    if (ra->output == NULL) {
        return cli_usage_error(CMD, "rewrite: missing -o OUT");
    }
    if (ra->stitch && ra->layout_set) {
        return cli_usage_error(CMD, "rewrite: --stitch copies row groups as they are; --codec, "
                                    "--compression-level and the sizes do not apply");
    }
    return CLI_EXIT_OK;
}

/* Decode every batch of `r` and write it. */
static floe_status copy_rows(floe_pq_reader *r, floe_pq_writer *w, floe_err *err)
{
    floe_pq_scan *scan = NULL;
    floe_status st = floe_pq_scan_new(r, NULL, &scan, err);
    while (st == FLOE_OK) {
        const floe_pq_batch *b = NULL;
        st = floe_pq_scan_next(scan, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        st = floe_pq_writer_write(w, b, err);
    }
    floe_pq_scan_free(scan);
    return st;
}

int cli_parquet_rewrite(int argc, char **argv)
{
    rewrite_args ra;
    memset(&ra, 0, sizeof(ra));
    int rc = parse_args(argc, argv, &ra);
    if (rc != CLI_EXIT_OK) {
        free(ra.inputs);
        return rc;
    }
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader **readers = floe_xcalloc(ra.n_inputs, sizeof(*readers));
    floe_output *out = NULL;
    floe_pq_writer *w = NULL;
    const char *ctx = "parquet rewrite";
    floe_status st = FLOE_OK;

    /* Open every input and check the schemas before writing anything. */
    for (size_t i = 0; i < ra.n_inputs && st == FLOE_OK; i++) {
        ctx = ra.inputs[i];
        st = floe_pq_reader_open(io, ra.inputs[i], NULL, &readers[i], &err);
        if (st == FLOE_OK && i > 0) {
            st = floe_pq_schema_same(floe_pq_reader_schema(readers[0]),
                                     floe_pq_reader_schema(readers[i]), &err);
            if (st != FLOE_OK) {
                floe_err_wrap(&err, "schema differs from %s", ra.inputs[0]);
            }
        }
    }
    if (st == FLOE_OK) {
        ctx = ra.output;
        const floe_pq_file_meta *m0 = floe_pq_reader_meta(readers[0]);
        ra.opts.kv = m0->kv; /* keep the first input's footer metadata (iceberg.schema...) */
        ra.opts.n_kv = m0->n_kv;
        st = floe_io_create(io, ra.output, FLOE_IO_CREATE_OVERWRITE, &out, &err);
        if (st == FLOE_OK) {
            st = floe_pq_writer_new(out, floe_pq_reader_schema(readers[0]), &ra.opts, &w, &err);
        }
    }
    for (size_t i = 0; i < ra.n_inputs && st == FLOE_OK; i++) {
        ctx = ra.inputs[i];
        if (ra.stitch) {
            size_t n = floe_pq_reader_meta(readers[i])->n_row_groups;
            for (size_t g = 0; g < n && st == FLOE_OK; g++) {
                st = floe_pq_writer_append_row_group(w, readers[i], g, &err);
            }
        } else {
            st = copy_rows(readers[i], w, &err);
        }
    }
    floe_pq_write_result res;
    memset(&res, 0, sizeof(res));
    if (st == FLOE_OK) {
        ctx = ra.output;
        st = floe_pq_writer_close(w, &res, &err);
    }
    if (st == FLOE_OK) {
        floe_output *o = out;
        out = NULL; /* commit frees it, whatever the outcome */
        st = floe_output_commit(o, &err);
    }
    if (st == FLOE_OK) {
        printf("%s: %lld rows, %zu row group%s, %llu bytes from %zu file%s\n", ra.output,
               (long long)res.num_rows, res.n_row_groups, res.n_row_groups == 1 ? "" : "s",
               (unsigned long long)res.file_size, ra.n_inputs, ra.n_inputs == 1 ? "" : "s");
        rc = CLI_EXIT_OK;
    } else {
        rc = cli_fail(ctx, &err);
    }
    if (out != NULL) {
        floe_output_abort(out);
    }
    floe_pq_writer_free(w);
    for (size_t i = 0; i < ra.n_inputs; i++) {
        floe_pq_reader_close(readers[i]);
    }
    free(readers);
    floe_fileio_free(io);
    free(ra.inputs);
    return rc;
}
