/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixture tables as optimizing task inputs. The snapshot's live files come from the manifest
 * reader; the deletes that apply to a data file follow the spec's scan planning rules (position
 * deletes when seq(D) >= seq(F), equality deletes when seq(D) > seq(F), same spec and partition
 * unless the equality delete's spec is unpartitioned), written here independently of the
 * executor's own check.
 */
#include "exec_helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void xtable_open(floe_test_ctx *t, xtable *x, const char *fixture, const char *prefix,
                 const char *metadata_file)
{
    memset(x, 0, sizeof(*x));
    floe_err err = {0};
    x->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    x->dir = floe_test_copy_shared(t, fixture);
    x->prefix = prefix;
    FLOE_ASSERT_OK(floe_fileio_map_prefix(x->io, prefix, x->dir, &err), &err);
    x->metadata = floe_arena_sprintf(t->arena, "%s/metadata/%s", prefix, metadata_file);
    FLOE_ASSERT_OK(floe_iceberg_read_metadata(t->arena, x->io, x->metadata, &x->meta, &err), &err);
    const floe_snapshot *snap = floe_table_meta_current_snapshot(x->meta);
    assert_non_null(snap);
    const floe_manifest_file *mf = NULL;
    size_t n_mf = 0;
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, x->io, x->meta, snap, &mf, &n_mf, &err), &err);
    floe_vec data, dels;
    floe_vec_init(&data, sizeof(xfile));
    floe_vec_init(&dels, sizeof(xfile));
    for (size_t i = 0; i < n_mf; i++) {
        floe_manifest_reader *r = NULL;
        floe_manifest_read_opts ro = {.meta = x->meta, .manifest = &mf[i]};
        FLOE_ASSERT_OK(floe_manifest_reader_open(x->io, mf[i].manifest_path, &ro, &r, &err), &err);
        for (;;) {
            floe_manifest_entry e;
            bool got = false;
            FLOE_ASSERT_OK(floe_manifest_reader_next(r, t->arena, &e, &got, &err), &err);
            if (!got) {
                break;
            }
            if (e.status == FLOE_ENTRY_DELETED) {
                continue;
            }
            xfile *xf = floe_vec_push(e.file.content == FLOE_CONTENT_DATA ? &data : &dels);
            FLOE_ASSERT_OK(floe_data_file_dup(t->arena, &e.file, &xf->f, &err), &err);
            xf->seq = e.has_sequence_number ? e.sequence_number : 0;
        }
        floe_manifest_reader_close(r);
    }
    x->n_data = data.n;
    x->data = floe_arena_memdup(t->arena, data.data, data.n * sizeof(xfile) + 1);
    x->n_dels = dels.n;
    x->dels = floe_arena_memdup(t->arena, dels.data, dels.n * sizeof(xfile) + 1);
    floe_vec_fini(&data);
    floe_vec_fini(&dels);
}

void xtable_close(xtable *x)
{
    floe_fileio_free(x->io);
    x->io = NULL;
}

size_t xtable_applicable(const xtable *x, const xfile *df, const xfile **out, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < x->n_dels; k++) {
        const xfile *d = &x->dels[k];
        const floe_partition_spec *dspec = floe_table_meta_spec(x->meta, d->f.spec_id);
        bool global = d->f.content == FLOE_CONTENT_EQUALITY_DELETES && dspec != NULL &&
                      floe_partition_spec_is_unpartitioned(dspec);
        bool same_part =
            d->f.spec_id == df->f.spec_id && floe_value_eq(&d->f.partition, &df->f.partition);
        bool seq_ok =
            d->f.content == FLOE_CONTENT_POSITION_DELETES ? d->seq >= df->seq : d->seq > df->seq;
        if (seq_ok && (same_part || global)) {
            assert_true(n < cap);
            out[n++] = d;
        }
    }
    return n;
}

floe_opt_task_input xtable_task(floe_test_ctx *t, const xtable *x, const size_t *idx, size_t n,
                                floe_opt_file_role role)
{
    floe_arena *a = t->arena;
    floe_opt_data_file *files = floe_arena_calloc(a, n, sizeof(*files));
    floe_opt_delete_file *dels = floe_arena_calloc(a, x->n_dels + 1, sizeof(*dels));
    int32_t *del_of = floe_arena_calloc(a, x->n_dels + 1, sizeof(int32_t)); /* x->dels -> task */
    for (size_t k = 0; k < x->n_dels; k++) {
        del_of[k] = -1;
    }
    size_t n_dels = 0;
    for (size_t i = 0; i < n; i++) {
        const xfile *df = &x->data[idx[i]];
        const xfile *app[64];
        size_t n_app = xtable_applicable(x, df, app, FLOE_ARRAY_LEN(app));
        uint32_t *di = floe_arena_calloc(a, n_app + 1, sizeof(uint32_t));
        for (size_t j = 0; j < n_app; j++) {
            size_t k = (size_t)(app[j] - x->dels);
            if (del_of[k] < 0) {
                const floe_data_file *f = &app[j]->f;
                dels[n_dels] = (floe_opt_delete_file){
                    .path = f->file_path,
                    .content = f->content,
                    .format = f->file_format,
                    .size = f->file_size_in_bytes,
                    .records = f->record_count,
                    .data_sequence_number = app[j]->seq,
                    .equality_ids = f->equality_ids,
                    .n_equality_ids = f->n_equality_ids,
                    .referenced_data_file = f->referenced_data_file,
                    .removable = true,
                };
                del_of[k] = (int32_t)n_dels++;
            }
            di[j] = (uint32_t)del_of[k];
        }
        files[i] = (floe_opt_data_file){
            .path = df->f.file_path,
            .format = df->f.file_format,
            .role = role,
            .size = df->f.file_size_in_bytes,
            .records = df->f.record_count,
            .data_sequence_number = df->seq,
            .deletes = di,
            .n_deletes = n_app,
        };
    }
    const xfile *first = &x->data[idx[0]];
    const floe_partition_spec *spec = floe_table_meta_spec(x->meta, first->f.spec_id);
    const floe_ice_type *ptype = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_partition_spec_type(a, spec, floe_table_meta_current_schema(x->meta), &ptype, &err),
        &err);
    json_t *pj = floe_ice_value_to_json(ptype, &first->f.partition);
    char *ptext = json_dumps(pj, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *partition = floe_arena_strdup(a, ptext);
    free(ptext);
    json_decref(pj);
    const floe_snapshot *snap = floe_table_meta_current_snapshot(x->meta);
    return (floe_opt_task_input){
        .table = "db.t",
        .metadata_location = x->metadata,
        .type = FLOE_OPT_MINOR,
        .snapshot_id = snap->snapshot_id,
        .sequence_number = snap->sequence_number,
        .schema_id = x->meta->current_schema_id,
        .spec_id = first->f.spec_id,
        .partition = partition,
        .target_size = 128 << 20,
        .files = files,
        .n_files = n,
        .deletes = dels,
        .n_deletes = n_dels,
    };
}

void xread_rows(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *meta,
                const floe_data_file *f, const floe_data_file *const *dels, size_t n_dels,
                floe_vec *lines)
{
    floe_err err = {0};
    floe_ice_read_opts ro = {.schema = floe_table_meta_current_schema(meta),
                             .file = f,
                             .deletes = dels,
                             .n_deletes = n_dels,
                             .spec = floe_table_meta_spec(meta, f->spec_id)};
    floe_ice_reader *r = NULL;
    FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
    floe_buf b;
    floe_buf_init(&b, 0);
    for (;;) {
        const floe_ice_batch *batch = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_next(r, &batch, &err), &err);
        if (batch == NULL) {
            break;
        }
        for (size_t i = 0; i < batch->n_rows; i++) {
            floe_buf_reset(&b);
            FLOE_ASSERT_OK(floe_ice_batch_row_json(batch, i, &b, &err), &err);
            char *line = floe_arena_strdup(t->arena, floe_buf_cstr(&b));
            floe_vec_push_copy(lines, &line);
        }
    }
    floe_buf_fini(&b);
    floe_ice_reader_close(r);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *xjoin_sorted(floe_test_ctx *t, floe_vec *lines)
{
    floe_vec_sort(lines, str_cmp);
    floe_buf out;
    floe_buf_init(&out, 0);
    for (size_t i = 0; i < lines->n; i++) {
        floe_buf_printf(&out, NULL, "%s\n", *FLOE_VEC_AT(lines, char *, i));
    }
    const char *res = floe_arena_strdup(t->arena, floe_buf_cstr(&out));
    floe_buf_fini(&out);
    return res;
}

floe_data_file xoutput_as_file(floe_test_ctx *t, const xtable *x, const floe_opt_task_input *in,
                               const floe_opt_output_file *o)
{
    floe_data_file f;
    memset(&f, 0, sizeof(f));
    f.content = o->content;
    f.file_path = o->path;
    f.file_format = o->format;
    f.spec_id = in->spec_id;
    f.record_count = o->records;
    f.file_size_in_bytes = o->size;
    f.referenced_data_file = o->referenced_data_file;
    const floe_partition_spec *spec = floe_table_meta_spec(x->meta, in->spec_id);
    const floe_ice_type *ptype = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_partition_spec_type(t->arena, spec, floe_table_meta_current_schema(x->meta),
                                            &ptype, &err),
                   &err);
    json_t *pj = json_loads(in->partition, JSON_DECODE_ANY, NULL);
    assert_non_null(pj);
    FLOE_ASSERT_OK(floe_ice_value_from_json(t->arena, ptype, pj, &f.partition, &err), &err);
    json_decref(pj);
    return f;
}

size_t xcount_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    size_t n = 0;
    struct dirent *e;
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char *p = floe_xasprintf("%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            n += xcount_files(p, suffix);
        } else if (floe_ends_with(e->d_name, suffix)) {
            n++;
        }
        free(p);
    }
    closedir(d);
    return n;
}
