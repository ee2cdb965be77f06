/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshot-producing operations (Java's SnapshotProducer family): append, merge append,
 * overwrite, row delta, rewrite and delete. An operation keeps its inputs; apply() turns them,
 * against one base metadata, into new manifests, a manifest list and the updates and
 * requirements of a commit; commit() drives apply() and a catalog's compare-and-swap in a retry
 * loop, re-validating against what other writers committed in between.
 */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct floe_ice_op {
    floe_ice_op_kind kind;
    floe_arena *a; /* copies of the inputs */
    const char *branch;
    floe_vec add;    /* floe_data_file */
    floe_vec remove; /* const char * */
    const floe_ice_expr *remove_filter;
    bool has_validate_from;
    int64_t validate_from;
    const floe_ice_expr *conflict_filter;
    bool has_data_seq;
    int64_t data_seq;
    floe_vec summary; /* floe_kv */
    bool has_snapshot_id;
    int64_t snapshot_id;
};

floe_ice_op *floe_ice_op_new(floe_ice_op_kind kind)
{
    floe_ice_op *op = floe_xcalloc(1, sizeof(*op));
    op->kind = kind;
    op->a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    op->branch = "main";
    floe_vec_init(&op->add, sizeof(floe_data_file));
    floe_vec_init(&op->remove, sizeof(const char *));
    floe_vec_init(&op->summary, sizeof(floe_kv));
    return op;
}

void floe_ice_op_free(floe_ice_op *op)
{
    if (op == NULL) {
        return;
    }
    floe_vec_fini(&op->add);
    floe_vec_fini(&op->remove);
    floe_vec_fini(&op->summary);
    floe_arena_free(op->a);
    free(op);
}

void floe_ice_op_set_branch(floe_ice_op *op, const char *branch)
{
    op->branch = floe_arena_strdup(op->a, branch);
}

floe_status floe_ice_op_add_file(floe_ice_op *op, const floe_data_file *f, floe_err *err)
{
    if (f->file_path == NULL || f->file_path[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "added file has no path");
    }
    if (f->record_count < 0 || f->file_size_in_bytes < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "added file %s: negative counts", f->file_path);
    }
    bool data = f->content == FLOE_CONTENT_DATA;
    if ((op->kind == FLOE_ICE_OP_FAST_APPEND || op->kind == FLOE_ICE_OP_MERGE_APPEND ||
         op->kind == FLOE_ICE_OP_OVERWRITE) &&
        !data) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: delete files need a row delta",
                            f->file_path);
    }
    if (op->kind == FLOE_ICE_OP_DELETE_FILES) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: a delete-files operation adds nothing",
                            f->file_path);
    }
    floe_data_file *copy = floe_vec_push(&op->add);
    return floe_data_file_dup(op->a, f, copy, err);
}

floe_status floe_ice_op_remove_file(floe_ice_op *op, const char *path, floe_err *err)
{
    if (op->kind == FLOE_ICE_OP_FAST_APPEND || op->kind == FLOE_ICE_OP_MERGE_APPEND) {
        return floe_err_set(err, FLOE_ERR_INVALID, "an append cannot remove %s", path);
    }
    const char *copy = floe_arena_strdup(op->a, path);
    floe_vec_push_copy(&op->remove, &copy);
    return FLOE_OK;
}

/* Expressions are copied through their text form, which parses back to the same tree. */
static floe_status copy_expr(floe_arena *a, const floe_ice_expr *e, const floe_ice_expr **out,
                             floe_err *err)
{
    *out = NULL;
    if (e == NULL) {
        return FLOE_OK;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_ice_expr_to_string(e, &b, err);
    if (st == FLOE_OK) {
        st = floe_ice_expr_parse(a, floe_buf_cstr(&b), b.len, out, err);
    }
    floe_buf_fini(&b);
    return st;
}

floe_status floe_ice_op_remove_where(floe_ice_op *op, const floe_ice_expr *filter, floe_err *err)
{
    if (op->kind != FLOE_ICE_OP_OVERWRITE && op->kind != FLOE_ICE_OP_DELETE_FILES) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "only overwrite and delete-files remove by filter");
    }
    return copy_expr(op->a, filter, &op->remove_filter, err);
}

floe_status floe_ice_op_validate_from(floe_ice_op *op, int64_t snapshot_id,
                                      const floe_ice_expr *conflict_filter, floe_err *err)
{
    op->has_validate_from = true;
    op->validate_from = snapshot_id;
    return copy_expr(op->a, conflict_filter, &op->conflict_filter, err);
}

void floe_ice_op_set_data_sequence_number(floe_ice_op *op, int64_t seq)
{
    op->has_data_seq = true;
    op->data_seq = seq;
}

void floe_ice_op_set_summary(floe_ice_op *op, const char *key, const char *value)
{
    floe_kv kv = {floe_arena_strdup(op->a, key), floe_arena_strdup(op->a, value)};
    floe_vec_push_copy(&op->summary, &kv);
}

void floe_ice_op_set_snapshot_id(floe_ice_op *op, int64_t snapshot_id)
{
    op->has_snapshot_id = true;
    op->snapshot_id = snapshot_id;
}

/* ==== Applying ==== */

/* Running totals for the snapshot summary (spec "Snapshot Summary", Java's SnapshotSummary). */
typedef struct summary_counts {
    int64_t added_data_files, deleted_data_files;
    int64_t added_pos_files, added_eq_files, removed_pos_files, removed_eq_files;
    int64_t added_records, deleted_records;
    int64_t added_size, removed_size;
    int64_t added_pos_deletes, added_eq_deletes, removed_pos_deletes, removed_eq_deletes;
} summary_counts;

typedef struct applier {
    floe_ice_op *op;
    floe_arena *a;
    floe_fileio *io;
    const floe_table_meta *base;
    const floe_ice_schema *schema;
    const floe_snapshot *parent;
    int64_t snapshot_id;
    int64_t seq;
    floe_codec codec;
    floe_err *err;
    floe_vec written;   /* const char * (in a) */
    floe_vec manifests; /* floe_manifest_file of the new list */
    floe_map *remove;   /* path -> (floe_manifest_entry *) once found, else marker */
    floe_vec removed;   /* floe_manifest_entry copies (in a) */
    const floe_ice_expr *remove_bound;
    floe_map *partitions; /* changed partitions */
    summary_counts c;
    floe_buf key;
    floe_arena *scratch;
} applier;

static char FOUND_MARK;
static char WANTED_MARK;

static const char *new_manifest_path(applier *ap)
{
    floe_uuid u;
    floe_uuid_v4(&u);
    char us[FLOE_UUID_STR_LEN + 1];
    floe_uuid_format(&u, us);
    const char *name = floe_arena_sprintf(ap->a, "%s-m%zu.avro", us, ap->written.n);
    return ice_metadata_path(ap->a, ap->base, name);
}

static floe_status note_partition(applier *ap, const floe_data_file *f)
{
    floe_buf_reset(&ap->key);
    floe_status st = ice_partition_key(&ap->key, f->spec_id, &f->partition, ap->err);
    if (st == FLOE_OK && !floe_map_contains(ap->partitions, ap->key.data, ap->key.len)) {
        floe_map_put(ap->partitions, ap->key.data, ap->key.len, &FOUND_MARK);
    }
    return st;
}

static void count_file(summary_counts *c, const floe_data_file *f, bool added)
{
    int64_t n = f->record_count;
    switch (f->content) {
    case FLOE_CONTENT_DATA:
        if (added) {
            c->added_data_files++;
            c->added_records += n;
        } else {
            c->deleted_data_files++;
            c->deleted_records += n;
        }
        break;
    case FLOE_CONTENT_POSITION_DELETES:
        if (added) {
            c->added_pos_files++;
            c->added_pos_deletes += n;
        } else {
            c->removed_pos_files++;
            c->removed_pos_deletes += n;
        }
        break;
    case FLOE_CONTENT_EQUALITY_DELETES:
        if (added) {
            c->added_eq_files++;
            c->added_eq_deletes += n;
        } else {
            c->removed_eq_files++;
            c->removed_eq_deletes += n;
        }
        break;
    }
    if (added) {
        c->added_size += f->file_size_in_bytes;
    } else {
        c->removed_size += f->file_size_in_bytes;
    }
}

static floe_status open_writer(applier *ap, const floe_partition_spec *spec,
                               floe_manifest_content content, floe_manifest_writer **w,
                               const char **path)
{
    *path = new_manifest_path(ap);
    if (*path == NULL) {
        return ice_nomem(ap->a, ap->err);
    }
    floe_manifest_write_opts o = {.format_version = ap->base->format_version,
                                  .content = content,
                                  .spec = spec,
                                  .schema = ap->schema,
                                  .snapshot_id = ap->snapshot_id,
                                  .codec = ap->codec};
    floe_status st = floe_manifest_writer_open(ap->io, *path, &o, w, ap->err);
    if (st == FLOE_OK) {
        floe_vec_push_copy(&ap->written, path);
    }
    return st;
}

static floe_status finish_writer(applier *ap, floe_manifest_writer *w)
{
    floe_manifest_file mf;
    floe_status st = floe_manifest_writer_finish(w, ap->a, &mf, ap->err);
    floe_manifest_writer_free(w);
    if (st == FLOE_OK) {
        floe_vec_push_copy(&ap->manifests, &mf);
    }
    return st;
}

/* ---- New files ---- */

static floe_status write_added(applier *ap, bool deletes)
{
    floe_ice_op *op = ap->op;
    const floe_table_meta *m = ap->base;
    for (size_t s = 0; s < m->n_specs; s++) {
        const floe_partition_spec *spec = m->specs[s];
        floe_manifest_writer *w = NULL;
        const char *path = NULL;
        floe_status st = FLOE_OK;
        for (size_t i = 0; i < op->add.n && st == FLOE_OK; i++) {
            const floe_data_file *f = FLOE_VEC_AT(&op->add, floe_data_file, i);
            if ((f->content != FLOE_CONTENT_DATA) != deletes || f->spec_id != spec->spec_id) {
                continue;
            }
            if (w == NULL) {
                st = open_writer(ap, spec, deletes ? FLOE_MANIFEST_DELETES : FLOE_MANIFEST_DATA, &w,
                                 &path);
                if (st != FLOE_OK) {
                    return st;
                }
            }
            st = floe_manifest_writer_add(
                w, f, op->has_data_seq ? op->data_seq : FLOE_SEQ_UNASSIGNED, ap->err);
            if (st == FLOE_OK) {
                count_file(&ap->c, f, true);
                st = note_partition(ap, f);
            }
        }
        if (w != NULL) {
            if (st != FLOE_OK) {
                floe_manifest_writer_free(w);
                return st;
            }
            st = finish_writer(ap, w);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    return FLOE_OK;
}

static floe_status check_added(applier *ap)
{
    const floe_ice_op *op = ap->op;
    for (size_t i = 0; i < op->add.n; i++) {
        const floe_data_file *f = FLOE_VEC_AT(&op->add, floe_data_file, i);
        const floe_partition_spec *spec = floe_table_meta_spec(ap->base, f->spec_id);
        if (spec == NULL) {
            return floe_err_set(ap->err, FLOE_ERR_INVALID,
                                "added file %s: partition spec %d does not exist", f->file_path,
                                (int)f->spec_id);
        }
        if (f->content != FLOE_CONTENT_DATA && ap->base->format_version < 2) {
            return floe_err_set(ap->err, FLOE_ERR_INVALID,
                                "added file %s: delete files need format version 2", f->file_path);
        }
        if (f->partition.kind != FLOE_V_STRUCT || f->partition.u.nested.n != spec->n_fields) {
            return floe_err_set(ap->err, FLOE_ERR_INVALID,
                                "added file %s: partition tuple does not match spec %d",
                                f->file_path, (int)spec->spec_id);
        }
    }
    return FLOE_OK;
}

/* ---- Removing files from the parent's manifests ---- */

/* Whether a file may hold rows matching a bound filter: its partition through the filter's
 * projection, then its column metrics. */
static bool file_might_match(applier *ap, const floe_ice_expr *bound, const floe_data_file *f)
{
    const floe_partition_spec *spec = floe_table_meta_spec(ap->base, f->spec_id);
    if (spec != NULL) {
        const floe_ice_expr *proj = NULL;
        const floe_ice_schema *ps = NULL;
        floe_err scratch = {0};
        if (floe_ice_expr_project(ap->scratch, bound, spec, ap->schema, &proj, &scratch) ==
                FLOE_OK &&
            floe_partition_spec_schema(ap->scratch, spec, ap->schema, &ps, &scratch) == FLOE_OK) {
            floe_ice_row row = {.schema = ps, .row = &f->partition};
            if (!floe_ice_expr_eval(proj, floe_ice_row_value, &row)) {
                return false;
            }
        }
    }
    return floe_ice_metrics_might_match(bound, f);
}

/* Whether a live entry goes: by path, or by the filter (all rows must match). */
static floe_status entry_removed(applier *ap, const floe_manifest_entry *e, bool *out)
{
    const floe_data_file *f = &e->file;
    void *mark = floe_map_get_s(ap->remove, f->file_path);
    if (mark != NULL) {
        *out = true;
        return FLOE_OK;
    }
    *out = false;
    if (ap->remove_bound == NULL) {
        return FLOE_OK;
    }
    const floe_partition_spec *spec = floe_table_meta_spec(ap->base, f->spec_id);
    if (spec != NULL && floe_ice_partition_must_match(ap->remove_bound, spec, &f->partition)) {
        *out = true;
        return FLOE_OK;
    }
    if (f->content != FLOE_CONTENT_DATA) {
        return FLOE_OK; /* delete files go with their partition only */
    }
    if (floe_ice_metrics_must_match(ap->remove_bound, f)) {
        *out = true;
        return FLOE_OK;
    }
    /* Partly matching files need row-level deletes (Java's "some, but not all, rows match"). */
    bool might = file_might_match(ap, ap->remove_bound, f);
    if (might) {
        return floe_err_set(ap->err, FLOE_ERR_INVALID,
                            "cannot delete file %s: some, but not all, of its rows match the "
                            "filter (use a row delta)",
                            f->file_path);
    }
    return FLOE_OK;
}

static floe_status record_removed(applier *ap, const floe_manifest_entry *e)
{
    floe_manifest_entry *copy = floe_vec_push(&ap->removed);
    *copy = *e;
    floe_status st = floe_data_file_dup(ap->a, &e->file, &copy->file, ap->err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_data_file_strip_stats(&copy->file);
    count_file(&ap->c, &e->file, false);
    if (floe_map_get_s(ap->remove, e->file.file_path) != NULL) {
        floe_map_put_s(ap->remove, e->file.file_path, &FOUND_MARK);
    }
    return note_partition(ap, &e->file);
}

/* Rewrite a manifest with its removed entries DELETED and others EXISTING. */
static floe_status rewrite_manifest(applier *ap, const floe_manifest_file *mf)
{
    const floe_partition_spec *spec = floe_table_meta_spec(ap->base, mf->partition_spec_id);
    if (spec == NULL) {
        return floe_err_set(ap->err, FLOE_ERR_CORRUPT, "manifest %s: spec %d does not exist",
                            mf->manifest_path, (int)mf->partition_spec_id);
    }
    floe_manifest_writer *w = NULL;
    const char *path;
    floe_status st = open_writer(ap, spec, mf->content, &w, &path);
    if (st != FLOE_OK) {
        return st;
    }
    floe_manifest_reader *r = NULL;
    floe_manifest_read_opts o = {.meta = ap->base, .manifest = mf};
    st = floe_manifest_reader_open(ap->io, mf->manifest_path, &o, &r, ap->err);
    while (st == FLOE_OK) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(ap->scratch);
        st = floe_manifest_reader_next(r, ap->scratch, &e, &got, ap->err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (e.status == FLOE_ENTRY_DELETED) {
            continue;
        }
        bool gone = false;
        st = entry_removed(ap, &e, &gone);
        if (st == FLOE_OK && gone) {
            st = floe_manifest_writer_delete(w, &e, ap->err);
            if (st == FLOE_OK) {
                st = record_removed(ap, &e);
            }
        } else if (st == FLOE_OK) {
            st = floe_manifest_writer_existing(w, &e, ap->err);
        }
    }
    floe_manifest_reader_close(r);
    if (st != FLOE_OK) {
        floe_manifest_writer_free(w);
        return floe_err_wrap(ap->err, "manifest %s", mf->manifest_path);
    }
    return finish_writer(ap, w);
}

/* Whether any live entry of a manifest is removed (first pass, nothing kept). */
static floe_status manifest_has_removals(applier *ap, const floe_manifest_file *mf, bool *out)
{
    *out = false;
    floe_manifest_reader *r = NULL;
    unsigned skip =
        ap->remove_bound != NULL ? FLOE_MANIFEST_SKIP_COLUMN_SIZES : FLOE_MANIFEST_SKIP_STATS;
    floe_manifest_read_opts o = {.meta = ap->base, .manifest = mf, .skip = skip};
    floe_status st = floe_manifest_reader_open(ap->io, mf->manifest_path, &o, &r, ap->err);
    while (st == FLOE_OK && !*out) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(ap->scratch);
        st = floe_manifest_reader_next(r, ap->scratch, &e, &got, ap->err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (e.status != FLOE_ENTRY_DELETED) {
            st = entry_removed(ap, &e, out);
        }
    }
    floe_manifest_reader_close(r);
    if (st != FLOE_OK) {
        return floe_err_wrap(ap->err, "manifest %s", mf->manifest_path);
    }
    return FLOE_OK;
}

static floe_status carry_parent(applier *ap)
{
    if (ap->parent == NULL) {
        return FLOE_OK;
    }
    const floe_manifest_file *ms = NULL;
    size_t n = 0;
    floe_status st = floe_snapshot_manifests(ap->a, ap->io, ap->base, ap->parent, &ms, &n, ap->err);
    if (st != FLOE_OK) {
        return st;
    }
    bool removing = ap->op->remove.n > 0 || ap->remove_bound != NULL;
    for (size_t i = 0; i < n; i++) {
        const floe_manifest_file *mf = &ms[i];
        if (mf->has_counts && mf->added_files_count == 0 && mf->existing_files_count == 0) {
            continue; /* no live files left: dropped, as Java does */
        }
        bool rewrite = false;
        if (removing) {
            st = manifest_has_removals(ap, mf, &rewrite);
            if (st != FLOE_OK) {
                return st;
            }
        }
        if (rewrite) {
            st = rewrite_manifest(ap, mf);
            if (st != FLOE_OK) {
                return st;
            }
        } else {
            floe_vec_push_copy(&ap->manifests, mf);
        }
    }
    return FLOE_OK;
}

static floe_status check_all_removed(applier *ap)
{
    floe_map_iter it = {0};
    const char *k;
    size_t klen;
    void *v;
    while (floe_map_next(ap->remove, &it, &k, &klen, &v)) {
        if (v == &WANTED_MARK) {
            return floe_err_set(ap->err, FLOE_ERR_CONFLICT,
                                "cannot remove %s: it is not a live file of branch %s (deleted "
                                "concurrently?)",
                                k, ap->op->branch);
        }
    }
    return FLOE_OK;
}

/* ---- Manifest merging (commit.manifest.min-count-to-merge, target-size-bytes) ---- */

static floe_status merge_bin(applier *ap, const floe_manifest_file *bin, size_t n,
                             floe_manifest_file *out)
{
    const floe_partition_spec *spec = floe_table_meta_spec(ap->base, bin[0].partition_spec_id);
    floe_manifest_writer *w = NULL;
    const char *path;
    floe_status st = open_writer(ap, spec, bin[0].content, &w, &path);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        floe_manifest_reader *r = NULL;
        floe_manifest_read_opts o = {.meta = ap->base, .manifest = &bin[i]};
        st = floe_manifest_reader_open(ap->io, bin[i].manifest_path, &o, &r, ap->err);
        bool ours = bin[i].added_snapshot_id == ap->snapshot_id;
        while (st == FLOE_OK) {
            floe_manifest_entry e;
            bool got = false;
            floe_arena_reset(ap->scratch);
            st = floe_manifest_reader_next(r, ap->scratch, &e, &got, ap->err);
            if (st != FLOE_OK || !got) {
                break;
            }
            if (e.status == FLOE_ENTRY_DELETED) {
                if (ours) {
                    st = floe_manifest_writer_delete(w, &e, ap->err);
                }
            } else if (ours && e.status == FLOE_ENTRY_ADDED) {
                /* Added by this snapshot: keep ADDED; the number is inherited unless explicit. */
                st = floe_manifest_writer_add(
                    w, &e.file, ap->op->has_data_seq ? ap->op->data_seq : FLOE_SEQ_UNASSIGNED,
                    ap->err);
            } else {
                st = floe_manifest_writer_existing(w, &e, ap->err);
            }
        }
        floe_manifest_reader_close(r);
    }
    if (st != FLOE_OK) {
        floe_manifest_writer_free(w);
        return floe_err_wrap(ap->err, "merging manifests");
    }
    st = floe_manifest_writer_finish(w, ap->a, out, ap->err);
    floe_manifest_writer_free(w);
    return st;
}

static void forget_written(applier *ap, const char *path)
{
    for (size_t i = 0; i < ap->written.n; i++) {
        if (strcmp(*FLOE_VEC_AT(&ap->written, const char *, i), path) == 0) {
            floe_err ignore = {0};
            (void)floe_io_delete(ap->io, path, &ignore);
            floe_vec_remove(&ap->written, i);
            return;
        }
    }
}

static floe_status merge_manifests(applier *ap)
{
    const floe_table_meta *m = ap->base;
    const char *enabled = floe_table_meta_property(m, "commit.manifest-merge.enabled");
    if (ap->op->kind == FLOE_ICE_OP_FAST_APPEND ||
        (enabled != NULL && strcmp(enabled, "false") == 0)) {
        return FLOE_OK;
    }
    int64_t min_count = floe_table_meta_property_int(m, "commit.manifest.min-count-to-merge", 100);
    int64_t target =
        floe_table_meta_property_int(m, "commit.manifest.target-size-bytes", (int64_t)8 << 20);
    size_t n = ap->manifests.n;
    floe_manifest_file *in = floe_arena_memdup(ap->a, ap->manifests.data, n * sizeof(*in));
    bool *done = floe_arena_calloc(ap->a, n + 1, sizeof(*done));
    if (n > 0 && (in == NULL || done == NULL)) {
        return ice_nomem(ap->a, ap->err);
    }
    floe_vec_clear(&ap->manifests);
    floe_vec group;
    floe_vec_init(&group, sizeof(floe_manifest_file));
    floe_status st = FLOE_OK;
    /* Groups by (content, spec) in order of first appearance; each is bin-packed in order. */
    for (size_t g = 0; g < n && st == FLOE_OK; g++) {
        if (done[g]) {
            continue;
        }
        floe_vec_clear(&group);
        for (size_t i = g; i < n; i++) {
            if (!done[i] && in[i].content == in[g].content &&
                in[i].partition_spec_id == in[g].partition_spec_id) {
                floe_vec_push_copy(&group, &in[i]);
                done[i] = true;
            }
        }
        const floe_manifest_file *gm = group.data;
        size_t start = 0;
        while (start < group.n && st == FLOE_OK) {
            size_t end = start + 1;
            int64_t size = gm[start].manifest_length;
            while (end < group.n && size + gm[end].manifest_length <= target) {
                size += gm[end].manifest_length;
                end++;
            }
            size_t bn = end - start;
            if (bn == 1 || (start == 0 && (int64_t)bn < min_count)) {
                for (size_t i = start; i < end; i++) {
                    floe_vec_push_copy(&ap->manifests, &gm[i]);
                }
            } else {
                floe_manifest_file merged;
                st = merge_bin(ap, gm + start, bn, &merged);
                if (st == FLOE_OK) {
                    floe_vec_push_copy(&ap->manifests, &merged);
                    for (size_t i = start; i < end; i++) {
                        if (gm[i].added_snapshot_id == ap->snapshot_id) {
                            forget_written(ap, gm[i].manifest_path);
                        }
                    }
                }
            }
            start = end;
        }
    }
    floe_vec_fini(&group);
    return st;
}

/* ---- Validation against concurrent commits ---- */

/* Snapshots on the branch after `from`, newest first; CONFLICT when `from` is not an ancestor. */
static floe_status snapshots_since(applier *ap, int64_t from, floe_vec *out)
{
    const floe_snapshot *s = ap->parent;
    while (s != NULL && s->snapshot_id != from) {
        floe_vec_push_copy(out, &s);
        s = s->has_parent ? floe_table_meta_snapshot(ap->base, s->parent_id) : NULL;
    }
    if (s == NULL && from != -1) {
        return floe_err_set(ap->err, FLOE_ERR_CONFLICT,
                            "validation: snapshot %lld is not an ancestor of branch %s",
                            (long long)from, ap->op->branch);
    }
    return FLOE_OK;
}

/* Whether an added delete file may apply to a removed data file. */
static bool delete_applies(const floe_data_file *d, int64_t dseq, const floe_manifest_entry *data,
                           const floe_table_meta *meta, bool ignore_eq)
{
    const floe_data_file *f = &data->file;
    if (d->content == FLOE_CONTENT_EQUALITY_DELETES) {
        if (ignore_eq || dseq <= data->sequence_number) {
            return false;
        }
        const floe_partition_spec *ds = floe_table_meta_spec(meta, d->spec_id);
        if (ds != NULL && floe_partition_spec_is_unpartitioned(ds)) {
            return true;
        }
    } else {
        if (dseq < data->sequence_number) {
            return false;
        }
        if (d->referenced_data_file != NULL) {
            return strcmp(d->referenced_data_file, f->file_path) == 0;
        }
        floe_str b;
        size_t len = strlen(f->file_path);
        if (floe_data_file_lower_bound(d, FLOE_ICE_DELETE_FILE_PATH_ID, &b) &&
            (b.len > len ? memcmp(b.ptr, f->file_path, len) >= 0
                         : memcmp(b.ptr, f->file_path, b.len) > 0)) {
            return false;
        }
        if (floe_data_file_upper_bound(d, FLOE_ICE_DELETE_FILE_PATH_ID, &b) &&
            (b.len < len ? memcmp(b.ptr, f->file_path, b.len) <= 0
                         : memcmp(b.ptr, f->file_path, len) < 0)) {
            return false;
        }
    }
    return d->spec_id == f->spec_id && floe_value_eq(&d->partition, &f->partition);
}

/* A data file removed by snapshot `by` since the validation start: a conflict when one of the
 * operation's added position-delete files may name it (the rows it deletes would live on in
 * whatever replaced the file, e.g. a compaction's output). */
static floe_status removed_target(applier *ap, const floe_manifest_entry *gone, int64_t by)
{
    for (size_t i = 0; i < ap->op->add.n; i++) {
        const floe_data_file *d = FLOE_VEC_AT(&ap->op->add, floe_data_file, i);
        if (d->content == FLOE_CONTENT_POSITION_DELETES &&
            delete_applies(d, INT64_MAX, gone, ap->base, false)) {
            return floe_err_set(ap->err, FLOE_ERR_CONFLICT,
                                "validation: data file %s, named by position delete file %s, was "
                                "removed by snapshot %lld",
                                gone->file.file_path, d->file_path, (long long)by);
        }
    }
    return FLOE_OK;
}

static floe_status validate(applier *ap)
{
    floe_ice_op *op = ap->op;
    if (!op->has_validate_from) {
        return FLOE_OK;
    }
    floe_vec snaps;
    floe_vec_init(&snaps, sizeof(const floe_snapshot *));
    floe_status st = snapshots_since(ap, op->validate_from, &snaps);
    const floe_ice_expr *conflict = NULL;
    bool check_data = op->kind == FLOE_ICE_OP_OVERWRITE || op->kind == FLOE_ICE_OP_ROW_DELTA;
    bool ignore_eq = op->kind == FLOE_ICE_OP_REWRITE && op->has_data_seq;
    bool check_removed = false;
    for (size_t i = 0; i < op->add.n && op->kind == FLOE_ICE_OP_ROW_DELTA; i++) {
        check_removed |=
            FLOE_VEC_AT(&op->add, floe_data_file, i)->content == FLOE_CONTENT_POSITION_DELETES;
    }
    /* Like Java, an overwrite by filter checks new data against its own filter by default. */
    const floe_ice_expr *cf = op->conflict_filter != NULL         ? op->conflict_filter
                              : op->kind == FLOE_ICE_OP_OVERWRITE ? op->remove_filter
                                                                  : NULL;
    if (st == FLOE_OK && check_data && cf != NULL) {
        st = floe_ice_expr_bind(ap->a, cf, ap->schema, &conflict, ap->err);
    }
    for (size_t i = 0; i < snaps.n && st == FLOE_OK; i++) {
        const floe_snapshot *s = *FLOE_VEC_AT(&snaps, const floe_snapshot *, i);
        const floe_manifest_file *ms = NULL;
        size_t n = 0;
        st = floe_snapshot_manifests(ap->a, ap->io, ap->base, s, &ms, &n, ap->err);
        for (size_t k = 0; k < n && st == FLOE_OK; k++) {
            bool data = ms[k].content == FLOE_MANIFEST_DATA;
            bool added = !ms[k].has_counts || ms[k].added_files_count > 0;
            /* A row delta's position deletes must not name a data file removed since. */
            bool removed =
                check_removed && data && (!ms[k].has_counts || ms[k].deleted_files_count > 0);
            if (ms[k].added_snapshot_id != s->snapshot_id || (!added && !removed)) {
                continue;
            }
            if (!removed && (data ? !check_data : ap->removed.n == 0)) {
                continue;
            }
            floe_manifest_reader *r = NULL;
            floe_manifest_read_opts o = {.meta = ap->base, .manifest = &ms[k]};
            st = floe_manifest_reader_open(ap->io, ms[k].manifest_path, &o, &r, ap->err);
            while (st == FLOE_OK) {
                floe_manifest_entry e;
                bool got = false;
                floe_arena_reset(ap->scratch);
                st = floe_manifest_reader_next(r, ap->scratch, &e, &got, ap->err);
                if (st != FLOE_OK || !got) {
                    break;
                }
                if (e.snapshot_id != s->snapshot_id) {
                    continue;
                }
                if (e.status == FLOE_ENTRY_DELETED) {
                    if (removed && e.file.content == FLOE_CONTENT_DATA) {
                        st = removed_target(ap, &e, s->snapshot_id);
                    }
                    continue;
                }
                if (e.status != FLOE_ENTRY_ADDED) {
                    continue;
                }
                if (data) {
                    if (conflict == NULL || file_might_match(ap, conflict, &e.file)) {
                        st = floe_err_set(ap->err, FLOE_ERR_CONFLICT,
                                          "validation: found conflicting data file %s added by "
                                          "snapshot %lld",
                                          e.file.file_path, (long long)s->snapshot_id);
                    }
                    continue;
                }
                for (size_t d = 0; d < ap->removed.n && st == FLOE_OK; d++) {
                    const floe_manifest_entry *rm =
                        FLOE_VEC_AT(&ap->removed, floe_manifest_entry, d);
                    if (rm->file.content == FLOE_CONTENT_DATA &&
                        delete_applies(&e.file, e.sequence_number, rm, ap->base, ignore_eq)) {
                        st = floe_err_set(ap->err, FLOE_ERR_CONFLICT,
                                          "validation: delete file %s added by snapshot %lld "
                                          "applies to removed data file %s",
                                          e.file.file_path, (long long)s->snapshot_id,
                                          rm->file.file_path);
                    }
                }
            }
            floe_manifest_reader_close(r);
        }
    }
    floe_vec_fini(&snaps);
    return st;
}

/* ---- Summary ---- */

static void put_kv(floe_vec *v, floe_arena *a, const char *k, const char *val)
{
    floe_kv kv = {k, floe_arena_strdup(a, val)};
    floe_vec_push_copy(v, &kv);
}

static void put_count(floe_vec *v, floe_arena *a, const char *k, int64_t n, bool always)
{
    if (n != 0 || always) {
        floe_kv kv = {k, floe_arena_sprintf(a, "%lld", (long long)n)};
        floe_vec_push_copy(v, &kv);
    }
}

static bool parent_total(const floe_snapshot *p, const char *key, int64_t *out)
{
    *out = 0;
    if (p == NULL) {
        return true;
    }
    for (size_t i = 0; i < p->n_summary; i++) {
        if (strcmp(p->summary[i].key, key) == 0) {
            char *end = NULL;
            long long v = strtoll(p->summary[i].value, &end, 10);
            if (end == p->summary[i].value || *end != '\0') {
                return false;
            }
            *out = v;
            return true;
        }
    }
    return false;
}

static const char *operation_name(const applier *ap)
{
    const summary_counts *c = &ap->c;
    switch (ap->op->kind) {
    case FLOE_ICE_OP_FAST_APPEND:
    case FLOE_ICE_OP_MERGE_APPEND:
        return "append";
    case FLOE_ICE_OP_OVERWRITE:
        return c->deleted_data_files == 0 && c->added_data_files > 0 ? "append" : "overwrite";
    case FLOE_ICE_OP_ROW_DELTA:
        if (c->added_data_files == 0 && c->deleted_data_files == 0) {
            return "delete";
        }
        return c->added_pos_files + c->added_eq_files == 0 && c->deleted_data_files == 0
                   ? "append"
                   : "overwrite";
    case FLOE_ICE_OP_REWRITE:
        return "replace";
    case FLOE_ICE_OP_DELETE_FILES:
        return "delete";
    }
    return "overwrite";
}

static const floe_kv *build_summary(applier *ap, size_t *n)
{
    floe_arena *a = ap->a;
    const summary_counts *c = &ap->c;
    floe_vec v;
    floe_vec_init(&v, sizeof(floe_kv));
    put_kv(&v, a, "operation", operation_name(ap));
    put_count(&v, a, "added-data-files", c->added_data_files, false);
    put_count(&v, a, "deleted-data-files", c->deleted_data_files, false);
    put_count(&v, a, "added-delete-files", c->added_pos_files + c->added_eq_files, false);
    put_count(&v, a, "added-equality-delete-files", c->added_eq_files, false);
    put_count(&v, a, "added-position-delete-files", c->added_pos_files, false);
    put_count(&v, a, "removed-delete-files", c->removed_pos_files + c->removed_eq_files, false);
    put_count(&v, a, "removed-equality-delete-files", c->removed_eq_files, false);
    put_count(&v, a, "removed-position-delete-files", c->removed_pos_files, false);
    put_count(&v, a, "added-records", c->added_records, false);
    put_count(&v, a, "deleted-records", c->deleted_records, false);
    put_count(&v, a, "added-files-size", c->added_size, false);
    put_count(&v, a, "removed-files-size", c->removed_size, false);
    put_count(&v, a, "added-position-deletes", c->added_pos_deletes, false);
    put_count(&v, a, "removed-position-deletes", c->removed_pos_deletes, false);
    put_count(&v, a, "added-equality-deletes", c->added_eq_deletes, false);
    put_count(&v, a, "removed-equality-deletes", c->removed_eq_deletes, false);
    put_count(&v, a, "changed-partition-count", (int64_t)floe_map_count(ap->partitions), true);
    static const struct {
        const char *key;
        int what;
    } totals[] = {{"total-records", 0},          {"total-files-size", 1},
                  {"total-data-files", 2},       {"total-delete-files", 3},
                  {"total-position-deletes", 4}, {"total-equality-deletes", 5}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(totals); i++) {
        int64_t t;
        if (!parent_total(ap->parent, totals[i].key, &t)) {
            continue; /* the parent does not know it: neither can we */
        }
        int64_t d = 0;
        switch (totals[i].what) {
        case 0:
            d = c->added_records - c->deleted_records;
            break;
        case 1:
            d = c->added_size - c->removed_size;
            break;
        case 2:
            d = c->added_data_files - c->deleted_data_files;
            break;
        case 3:
            d = c->added_pos_files + c->added_eq_files - c->removed_pos_files - c->removed_eq_files;
            break;
        case 4:
            d = c->added_pos_deletes - c->removed_pos_deletes;
            break;
        default:
            d = c->added_eq_deletes - c->removed_eq_deletes;
            break;
        }
        put_count(&v, a, totals[i].key, t + d, true);
    }
    for (size_t i = 0; i < ap->op->summary.n; i++) {
        floe_vec_push_copy(&v, floe_vec_at(&ap->op->summary, i));
    }
    *n = v.n;
    const floe_kv *out = floe_arena_memdup(a, v.data, v.n * sizeof(floe_kv));
    floe_vec_fini(&v);
    return out;
}

/* ---- Putting it together ---- */

static int64_t new_snapshot_id(const floe_table_meta *m)
{
    for (;;) {
        /* positive, like Java's (UUID-derived) ids */
        int64_t id = (int64_t)(floe_random_u64() >> 1);
        if (id != 0 && floe_table_meta_snapshot(m, id) == NULL) {
            return id;
        }
    }
}

static void delete_written(floe_fileio *io, const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        floe_err ignore = {0};
        (void)floe_io_delete(io, paths[i], &ignore);
    }
}

static floe_status apply(applier *ap, int64_t now_ms, floe_ice_op_result *out)
{
    floe_ice_op *op = ap->op;
    const floe_table_meta *base = ap->base;
    floe_err *err = ap->err;
    floe_status st = ice_table_manifest_codec(base, &ap->codec, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_snapshot_ref *ref = floe_table_meta_ref(base, op->branch);
    if (ref != NULL && ref->type != FLOE_REF_BRANCH) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s is a tag, not a branch", op->branch);
    }
    ap->parent = floe_table_meta_ref_snapshot(base, op->branch);
    if (op->has_snapshot_id) {
        if (floe_table_meta_snapshot(base, op->snapshot_id) != NULL) {
            return floe_err_set(err, FLOE_ERR_CONFLICT, "snapshot %lld already exists",
                                (long long)op->snapshot_id);
        }
        ap->snapshot_id = op->snapshot_id;
    } else {
        ap->snapshot_id = new_snapshot_id(base);
    }
    ap->seq = base->format_version >= 2 ? base->last_sequence_number + 1 : 0;
    if (op->has_data_seq && (op->data_seq < 0 || op->data_seq > ap->seq)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data sequence number %lld is not in [0, %lld]",
                            (long long)op->data_seq, (long long)ap->seq);
    }
    if (op->remove_filter != NULL) {
        st = floe_ice_expr_bind(ap->a, op->remove_filter, ap->schema, &ap->remove_bound, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "remove filter");
        }
        if (ap->remove_bound->op == FLOE_ICE_EXPR_FALSE) {
            ap->remove_bound = NULL;
        }
    }
    for (size_t i = 0; i < op->remove.n; i++) {
        floe_map_put_s(ap->remove, *FLOE_VEC_AT(&op->remove, const char *, i), &WANTED_MARK);
    }
    st = check_added(ap);
    /* New manifests first (data, then deletes), then the parent's, as Java orders them. */
    if (st == FLOE_OK) {
        st = write_added(ap, false);
    }
    if (st == FLOE_OK) {
        st = write_added(ap, true);
    }
    if (st == FLOE_OK) {
        st = carry_parent(ap);
    }
    if (st == FLOE_OK) {
        st = check_all_removed(ap);
    }
    if (st == FLOE_OK) {
        st = validate(ap);
    }
    if (st == FLOE_OK) {
        st = merge_manifests(ap);
    }
    if (st != FLOE_OK) {
        return st;
    }
    if (op->kind == FLOE_ICE_OP_REWRITE && ap->removed.n == 0 && op->add.n > 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "a rewrite must replace some files");
    }

    /* The manifest list. */
    floe_uuid u;
    floe_uuid_v4(&u);
    char us[FLOE_UUID_STR_LEN + 1];
    floe_uuid_format(&u, us);
    const char *list = ice_metadata_path(
        ap->a, base,
        floe_arena_sprintf(ap->a, "snap-%lld-1-%s.avro", (long long)ap->snapshot_id, us));
    floe_manifest_list_write_opts lo = {.format_version = base->format_version,
                                        .snapshot_id = ap->snapshot_id,
                                        .has_parent = ap->parent != NULL,
                                        .parent_snapshot_id =
                                            ap->parent != NULL ? ap->parent->snapshot_id : 0,
                                        .sequence_number = ap->seq,
                                        .first_row_id = base->next_row_id,
                                        .codec = ap->codec};
    int64_t added_rows = 0;
    st = floe_manifest_list_write(ap->io, list, &lo, ap->manifests.data, ap->manifests.n,
                                  &added_rows, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_vec_push_copy(&ap->written, &list);

    floe_snapshot *snap = floe_arena_calloc(ap->a, 1, sizeof(*snap));
    floe_ice_update *ups = floe_arena_calloc(ap->a, 2, sizeof(*ups));
    floe_ice_requirement *req = floe_arena_calloc(ap->a, 1, sizeof(*req));
    if (snap == NULL || ups == NULL || req == NULL) {
        return ice_nomem(ap->a, err);
    }
    snap->snapshot_id = ap->snapshot_id;
    snap->has_parent = ap->parent != NULL;
    snap->parent_id = ap->parent != NULL ? ap->parent->snapshot_id : 0;
    snap->sequence_number = ap->seq;
    /* Timestamps never go backwards on a branch (clock skew between writers). */
    snap->timestamp_ms = ap->parent != NULL && now_ms <= ap->parent->timestamp_ms
                             ? ap->parent->timestamp_ms + 1
                             : now_ms;
    snap->manifest_list = list;
    snap->has_summary = true;
    snap->summary = build_summary(ap, &snap->n_summary);
    snap->operation = snap->summary[0].value;
    snap->has_schema_id = true;
    snap->schema_id = base->current_schema_id;
    if (base->format_version >= 3) {
        snap->has_first_row_id = true;
        snap->first_row_id = base->next_row_id;
        snap->has_added_rows = true;
        snap->added_rows = added_rows;
    }
    ups[0] = (floe_ice_update){.kind = FLOE_ICE_UP_ADD_SNAPSHOT, .snapshot = snap};
    ups[1] = (floe_ice_update){.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF};
    if (ref != NULL) {
        ups[1].ref = *ref; /* keep its retention settings */
    }
    ups[1].ref.name = op->branch;
    ups[1].ref.type = FLOE_REF_BRANCH;
    ups[1].ref.snapshot_id = ap->snapshot_id;
    *req = (floe_ice_requirement){.kind = FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID,
                                  .ref = op->branch,
                                  .has_snapshot_id = ap->parent != NULL,
                                  .snapshot_id = ap->parent != NULL ? ap->parent->snapshot_id : 0};
    out->snapshot = snap;
    out->updates = ups;
    out->n_updates = 2;
    out->reqs = req;
    out->n_reqs = 1;
    return floe_arena_check(ap->a, err);
}

floe_status floe_ice_op_apply(floe_ice_op *op, floe_arena *a, floe_fileio *io,
                              const floe_table_meta *base, int64_t now_ms, floe_ice_op_result *out,
                              floe_err *err)
{
    memset(out, 0, sizeof(*out));
    if (base == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "no table metadata to apply to");
    }
    applier ap = {.op = op,
                  .a = a,
                  .io = io,
                  .base = base,
                  .schema = floe_table_meta_current_schema(base),
                  .err = err,
                  .remove = floe_map_new(NULL),
                  .partitions = floe_map_new(NULL),
                  .scratch = floe_arena_new(FLOE_REQUEST_ARENA_MAX)};
    floe_vec_init(&ap.written, sizeof(const char *));
    floe_vec_init(&ap.manifests, sizeof(floe_manifest_file));
    floe_vec_init(&ap.removed, sizeof(floe_manifest_entry));
    floe_buf_init(&ap.key, 0);
    floe_status st = apply(&ap, now_ms, out);
    if (st != FLOE_OK) {
        delete_written(io, ap.written.data, ap.written.n);
        floe_err_wrap(err, "%s on branch %s", operation_name(&ap), op->branch);
    } else {
        out->written = floe_arena_memdup(a, ap.written.data, ap.written.n * sizeof(char *));
        out->n_written = ap.written.n;
    }
    floe_buf_fini(&ap.key);
    floe_vec_fini(&ap.written);
    floe_vec_fini(&ap.manifests);
    floe_vec_fini(&ap.removed);
    floe_map_free(ap.remove);
    floe_map_free(ap.partitions);
    floe_arena_free(ap.scratch);
    return st;
}

/* ==== Commit with retries ==== */

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

floe_status floe_ice_op_commit(floe_ice_op *op, floe_arena *a, floe_ice_catalog *cat,
                               floe_table_meta **out, floe_err *err)
{
    floe_table_meta *base = NULL;
    floe_status st = cat->ops->load(cat->ctx, a, &base, err);
    if (st != FLOE_OK) {
        return st;
    }
    int64_t retries = floe_table_meta_property_int(base, "commit.retry.num-retries", 4);
    int64_t wait = floe_table_meta_property_int(base, "commit.retry.min-wait-ms", 100);
    int64_t max_wait = floe_table_meta_property_int(base, "commit.retry.max-wait-ms", 60000);
    bool serialized = false;
    for (int64_t attempt = 0;; attempt++) {
        floe_ice_op_result res;
        st = floe_ice_op_apply(op, a, cat->io, base, floe_time_now_us() / 1000, &res, err);
        if (st != FLOE_OK) {
            break; /* validation failures and bad input are not retried */
        }
        floe_err cerr = {0};
        st = cat->ops->commit(cat->ctx, a, res.reqs, res.n_reqs, res.updates, res.n_updates, out,
                              &cerr);
        if (st == FLOE_OK) {
            break;
        }
        if (st != FLOE_ERR_STATE_UNKNOWN) {
            /* Not committed: what this attempt wrote is garbage. */
            delete_written(cat->io, res.written, res.n_written);
        }
        if (st != FLOE_ERR_CONFLICT || attempt >= retries) {
            *err = cerr;
            floe_err_wrap(err, "commit (attempt %lld)", (long long)attempt + 1);
            break;
        }
        FLOE_LOG_WARN("iceberg", "commit conflict, retrying (attempt %lld%s): %s",
                      (long long)attempt + 1, serialized ? ", serialized" : "", cerr.msg);
        if (!serialized && cat->ops->serialize != NULL) {
            /* Hold other commits back while this one is rebuilt: no point in waiting. */
            cat->ops->serialize(cat->ctx, true);
            serialized = true;
        } else if (!serialized) {
            /* Jitter keeps racing writers from retrying in lockstep. */
            sleep_ms(wait + (int64_t)(floe_random_u64() % (uint64_t)(wait + 1)));
            wait = wait * 2 > max_wait ? max_wait : wait * 2;
        }
        st = cat->ops->load(cat->ctx, a, &base, err);
        if (st != FLOE_OK) {
            break;
        }
    }
    if (serialized) {
        cat->ops->serialize(cat->ctx, false);
    }
    return st;
}
