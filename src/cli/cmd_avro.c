/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe avro`: look inside Avro object container files, which is what Iceberg manifest lists
 * and manifests are. `meta` prints the header (codec, schema, metadata) as one JSON object;
 * `cat` prints every record as one line of canonical JSON (see floe/value.h).
 */
#include "cli.h"

#include "floe/avro.h"
#include "floe/io.h"

#include <stdlib.h>
#include <string.h>

/* Per-record memory: a manifest entry takes a few KiB; this bounds hostile files. */
#define RECORD_ARENA_MAX ((size_t)256 << 20)

typedef struct avro_file {
    floe_fileio *io;
    floe_input *in;
    floe_avro_reader *r;
} avro_file;

static floe_status open_file(const char *path, avro_file *f, floe_err *err)
{
    memset(f, 0, sizeof(*f));
    f->io = floe_fileio_local_new(NULL);
    floe_status st = floe_io_open(f->io, path, &f->in, err);
    if (st == FLOE_OK) {
        st = floe_avro_reader_open(f->in, NULL, &f->r, err);
    }
    return st;
}

static void close_file(avro_file *f)
{
    floe_avro_reader_close(f->r);
    floe_input_close(f->in);
    floe_fileio_free(f->io);
}

static int write_out(const floe_buf *b)
{
    if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len) {
        return -1;
    }
    return 0;
}

/* ==== meta ==== */

static floe_status print_meta(floe_avro_reader *r, floe_buf *out, floe_err *err)
{
    size_t schema_len;
    const char *schema = floe_avro_schema_text(floe_avro_reader_schema(r), &schema_len);
    const char *codec = floe_avro_reader_codec_name(r);
    char sync[2 * FLOE_AVRO_SYNC_LEN + 1];
    floe_hex_encode(floe_avro_reader_sync(r), FLOE_AVRO_SYNC_LEN, sync);
    floe_status st = floe_buf_append_str(out, "{\"codec\":", err);
    if (st == FLOE_OK) {
        st = floe_json_append_string(out, codec, strlen(codec), err);
    }
    if (st == FLOE_OK) {
        st = floe_buf_printf(out, err, ",\"sync\":\"%s\",\"schema\":", sync);
    }
    if (st == FLOE_OK) {
        /* The schema parsed as JSON, so its text can be embedded as it is. */
        st = floe_buf_append(out, schema, schema_len, err);
    }
    if (st == FLOE_OK) {
        st = floe_buf_append_str(out, ",\"metadata\":{", err);
    }
    size_t printed = 0;
    for (size_t i = 0; i < floe_avro_reader_meta_count(r) && st == FLOE_OK; i++) {
        floe_str k, v;
        floe_avro_reader_meta_at(r, i, &k, &v);
        if (floe_str_eq_c(k, "avro.schema") || floe_str_eq_c(k, "avro.codec")) {
            continue;
        }
        if (printed++ > 0) {
            st = floe_buf_append_byte(out, ',', err);
        }
        if (st == FLOE_OK) {
            st = floe_json_append_string(out, k.ptr, k.len, err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(out, ':', err);
        }
        if (st == FLOE_OK) {
            st = floe_json_append_string(out, v.ptr, v.len, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_buf_append_str(out, "}}\n", err);
    }
    return st;
}

static int run_meta(const char *path)
{
    floe_err err = {0};
    avro_file f;
    floe_status st = open_file(path, &f, &err);
    floe_buf out;
    floe_buf_init(&out, 0);
    if (st == FLOE_OK) {
        st = print_meta(f.r, &out, &err);
    }
    int rc = CLI_EXIT_OK;
    if (st != FLOE_OK) {
        rc = cli_fail(path, &err);
    } else if (write_out(&out) != 0 || fflush(stdout) != 0) {
        cli_error(NULL, "writing output failed");
        rc = CLI_EXIT_FAILURE;
    }
    floe_buf_fini(&out);
    close_file(&f);
    return rc;
}

/* ==== cat ==== */

static int run_cat(const char *path, int64_t limit)
{
    floe_err err = {0};
    avro_file f;
    floe_status st = open_file(path, &f, &err);
    floe_arena *a = floe_arena_new(RECORD_ARENA_MAX);
    floe_buf line;
    floe_buf_init(&line, 0);
    int rc = CLI_EXIT_OK;
    for (int64_t n = 0; st == FLOE_OK && (limit < 0 || n < limit); n++) {
        floe_value v;
        bool got = false;
        floe_arena_reset(a);
        st = floe_avro_reader_next(f.r, a, &v, &got, &err);
        if (st != FLOE_OK || !got) {
            break;
        }
        floe_buf_reset(&line);
        st = floe_value_to_json(&v, &line, &err);
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(&line, '\n', &err);
        }
        if (st == FLOE_OK && write_out(&line) != 0) {
            cli_error(NULL, "writing output failed");
            rc = CLI_EXIT_FAILURE;
            break;
        }
    }
    if (st != FLOE_OK) {
        fflush(stdout);
        rc = cli_fail(path, &err);
    } else if (fflush(stdout) != 0) {
        cli_error(NULL, "writing output failed");
        rc = CLI_EXIT_FAILURE;
    }
    floe_buf_fini(&line);
    floe_arena_free(a);
    close_file(&f);
    return rc;
}

/* ==== Dispatch ==== */

static int run_avro(int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage_error("avro", "expected a subcommand: meta or cat");
    }
    const char *sub = argv[1];
    int64_t limit = -1;
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--limit") == 0 || strncmp(a, "--limit=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            floe_err err = {0};
            if (strcmp(sub, "cat") != 0) {
                return cli_usage_error("avro", "--limit only applies to 'cat'");
            }
            if (v == NULL || floe_parse_i64(v, &limit, &err) != FLOE_OK || limit < 0) {
                return cli_usage_error("avro", "--limit needs a non-negative number");
            }
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && path == NULL) {
            path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("avro", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("avro", "expected one FILE");
        }
    }
    if (strcmp(sub, "meta") != 0 && strcmp(sub, "cat") != 0) {
        return cli_usage_error("avro", "unknown subcommand '%s' (expected meta or cat)", sub);
    }
    if (path == NULL) {
        return cli_usage_error("avro", "expected a FILE");
    }
    return strcmp(sub, "meta") == 0 ? run_meta(path) : run_cat(path, limit);
}

const cli_command cli_cmd_avro = {
    .name = "avro",
    .summary = "inspect Avro files (Iceberg manifests and manifest lists)",
    .usage = "Usage: floe avro meta FILE\n"
             "       floe avro cat [--limit N] FILE\n\n"
             "Inspect an Avro object container file, such as an Iceberg manifest list or\n"
             "manifest. FILE is a local path or a file: URI.\n\n"
             "  meta   print the header as one JSON object: codec, sync marker (hex), the\n"
             "         writer schema (as written) and every other metadata key\n"
             "  cat    print every record as one line of canonical JSON (the format of\n"
             "         'floe parquet cat'): records as objects in schema order, maps as\n"
             "         [{\"key\":...,\"value\":...}], bytes as hex, longs with every digit\n\n"
             "Options:\n"
             "  --limit N   stop after N records (cat)\n",
    .run = run_avro,
};
