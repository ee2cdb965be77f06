/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): runs the optimizer's executor on a copied Iceberg
 * table for optimizer.test.mjs. Every live data file of the current snapshot goes into one
 * `rewrite` task with the delete files that apply to it (position deletes when seq(D) >= seq(F),
 * equality deletes when seq(D) > seq(F)); the task is executed and described on stdout:
 *
 *   gen_optimizer TABLE_DIR PREFIX METADATA_FILE
 *
 * {"inputs": [{"path": local path, "seq": n}], "deletes": [{"path", "content", "seq",
 *  "equality_ids": [...]}], "outputs": [local paths], "output": task output JSON}
 *
 * PREFIX is the table's original location (mapped to TABLE_DIR); paths printed are local.
 */
#include "floe/optimizer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *fmt, ...) FLOE_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_optimizer: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        die("%s: %s", what, err->msg);
    }
}

typedef struct gfile {
    floe_data_file f;
    int64_t seq;
} gfile;

static json_t *local(floe_fileio *io, const char *loc)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    check(floe_fileio_resolve(io, loc, &b, &err), &err, "resolve");
    json_t *j = json_string(floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return j;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        die("usage: gen_optimizer TABLE_DIR PREFIX METADATA_FILE");
    }
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(NULL);
    check(floe_fileio_map_prefix(io, argv[2], argv[1], &err), &err, "map");
    const char *mloc = floe_arena_sprintf(a, "%s/metadata/%s", argv[2], argv[3]);
    floe_table_meta *m = NULL;
    check(floe_iceberg_read_metadata(a, io, mloc, &m, &err), &err, "metadata");
    const floe_snapshot *snap = floe_table_meta_current_snapshot(m);
    const floe_manifest_file *mf = NULL;
    size_t n_mf = 0;
    check(floe_snapshot_manifests(a, io, m, snap, &mf, &n_mf, &err), &err, "manifests");
    floe_vec data, dels;
    floe_vec_init(&data, sizeof(gfile));
    floe_vec_init(&dels, sizeof(gfile));
    for (size_t i = 0; i < n_mf; i++) {
        floe_manifest_reader *r = NULL;
        floe_manifest_read_opts ro = {.meta = m, .manifest = &mf[i]};
        check(floe_manifest_reader_open(io, mf[i].manifest_path, &ro, &r, &err), &err, "manifest");
        for (;;) {
            floe_manifest_entry e;
            bool got = false;
            check(floe_manifest_reader_next(r, a, &e, &got, &err), &err, "entry");
            if (!got) {
                break;
            }
            if (e.status == FLOE_ENTRY_DELETED) {
                continue;
            }
            gfile *g = floe_vec_push(e.file.content == FLOE_CONTENT_DATA ? &data : &dels);
            check(floe_data_file_dup(a, &e.file, &g->f, &err), &err, "dup");
            g->seq = e.has_sequence_number ? e.sequence_number : 0;
        }
        floe_manifest_reader_close(r);
    }
    if (data.n == 0) {
        die("no data files");
    }
    const floe_ice_schema *schema = floe_table_meta_current_schema(m);
    floe_opt_delete_file *tdels = floe_arena_calloc(a, dels.n + 1, sizeof(*tdels));
    json_t *jdels = json_array();
    for (size_t k = 0; k < dels.n; k++) {
        const gfile *d = FLOE_VEC_AT(&dels, gfile, k);
        tdels[k] = (floe_opt_delete_file){.path = d->f.file_path,
                                          .content = d->f.content,
                                          .format = d->f.file_format,
                                          .size = d->f.file_size_in_bytes,
                                          .records = d->f.record_count,
                                          .data_sequence_number = d->seq,
                                          .equality_ids = d->f.equality_ids,
                                          .n_equality_ids = d->f.n_equality_ids,
                                          .referenced_data_file = d->f.referenced_data_file};
        json_t *ids = json_array();
        for (size_t i = 0; i < d->f.n_equality_ids; i++) {
            json_array_append_new(ids, json_integer(d->f.equality_ids[i]));
        }
        json_array_append_new(
            jdels,
            json_pack("{s:o,s:s,s:I,s:o}", "path", local(io, d->f.file_path), "content",
                      d->f.content == FLOE_CONTENT_POSITION_DELETES ? "position" : "equality",
                      "seq", (json_int_t)d->seq, "equality_ids", ids));
    }
    floe_opt_data_file *files = floe_arena_calloc(a, data.n, sizeof(*files));
    json_t *jin = json_array();
    for (size_t i = 0; i < data.n; i++) {
        const gfile *g = FLOE_VEC_AT(&data, gfile, i);
        uint32_t *di = floe_arena_calloc(a, dels.n + 1, sizeof(uint32_t));
        size_t nd = 0;
        for (size_t k = 0; k < dels.n; k++) {
            const gfile *d = FLOE_VEC_AT(&dels, gfile, k);
            bool applies =
                d->f.content == FLOE_CONTENT_POSITION_DELETES ? d->seq >= g->seq : d->seq > g->seq;
            if (applies && floe_value_eq(&d->f.partition, &g->f.partition)) {
                di[nd++] = (uint32_t)k;
            }
        }
        files[i] = (floe_opt_data_file){.path = g->f.file_path,
                                        .format = g->f.file_format,
                                        .role = FLOE_OPT_REWRITE,
                                        .size = g->f.file_size_in_bytes,
                                        .records = g->f.record_count,
                                        .data_sequence_number = g->seq,
                                        .deletes = di,
                                        .n_deletes = nd};
        json_array_append_new(jin, json_pack("{s:o,s:I}", "path", local(io, g->f.file_path), "seq",
                                             (json_int_t)g->seq));
    }
    const floe_data_file *first = &FLOE_VEC_AT(&data, gfile, 0)->f;
    const floe_ice_type *ptype = NULL;
    check(
        floe_partition_spec_type(a, floe_table_meta_spec(m, first->spec_id), schema, &ptype, &err),
        &err, "partition type");
    json_t *pj = floe_ice_value_to_json(ptype, &first->partition);
    char *ptext = json_dumps(pj, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(pj);
    floe_opt_task_input in = {.table = "interop",
                              .metadata_location = mloc,
                              .type = FLOE_OPT_MAJOR,
                              .snapshot_id = snap->snapshot_id,
                              .sequence_number = snap->sequence_number,
                              .schema_id = m->current_schema_id,
                              .spec_id = first->spec_id,
                              .partition = ptext,
                              .target_size = 128 << 20,
                              .files = files,
                              .n_files = data.n,
                              .deletes = tdels,
                              .n_deletes = dels.n};
    floe_opt_task_output out;
    check(floe_optimizer_execute(&in, io, NULL, a, &out, &err), &err, "execute");
    json_t *outs = json_array();
    for (size_t i = 0; i < out.n_files; i++) {
        json_array_append_new(outs, local(io, out.files[i].path));
    }
    json_t *doc = json_pack("{s:o,s:o,s:o,s:o}", "inputs", jin, "deletes", jdels, "outputs", outs,
                            "output", floe_opt_task_output_to_json(&out));
    char *text = json_dumps(doc, JSON_COMPACT);
    puts(text);
    free(text);
    free(ptext);
    json_decref(doc);
    floe_vec_fini(&data);
    floe_vec_fini(&dels);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
