/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dangling delete files: live delete files of the current snapshot that no live data file
 * needs any more. The question "does this delete file apply to that data file" is answered by
 * the scan planner, the same code every floe reader uses, so cleaning can never disagree with
 * reading: a delete file that no scan task carries changes no row of the snapshot, and
 * removing it from the table changes no row either. A position delete file the planner applied
 * only by partition, sequence number and path bounds is read: if none of the paths it names is
 * a live data file, it deletes no row of the snapshot either.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct dangling_ctx {
    floe_arena *a;
    floe_map *applied; /* delete file path -> (void *)1 */
    floe_map *live;    /* live data file path -> (void *)1 */
    /* Position delete files the planner applied by partition, sequence number and bounds
     * only (no referenced_data_file): whether they name a live file is read from them. */
    floe_map *unsure; /* path -> floe_data_file * (in `a`) */
} dangling_ctx;

static floe_status on_task(void *ud, const floe_scan_task *t, floe_err *err)
{
    dangling_ctx *c = ud;
    floe_map_put_s(c->live, t->file->file_path, (void *)1);
    for (size_t i = 0; i < t->n_deletes; i++) {
        const floe_data_file *d = t->deletes[i];
        floe_map_put_s(c->applied, d->file_path, (void *)1);
        /* Only Parquet files are read; anything else (deletion vectors) stays applied. */
        if (d->content == FLOE_CONTENT_POSITION_DELETES && d->referenced_data_file == NULL &&
            d->file_format == FLOE_FORMAT_PARQUET &&
            floe_map_get_s(c->unsure, d->file_path) == NULL) {
            floe_data_file *copy = floe_arena_calloc(c->a, 1, sizeof(*copy));
            floe_status st =
                copy == NULL ? floe_arena_check(c->a, err) : floe_data_file_dup(c->a, d, copy, err);
            if (st != FLOE_OK) {
                return st;
            }
            floe_map_put_s(c->unsure, d->file_path, copy);
        }
    }
    return FLOE_OK;
}

/*
 * Whether a position delete file names any live data file: its file_path column is read (as a
 * one-column table of the reserved field) and every path looked up.
 */
static floe_status names_live_file(dangling_ctx *c, floe_fileio *io, const floe_data_file *d,
                                   bool *out, floe_err *err)
{
    *out = false;
    json_t *sj = json_pack("{s:s, s:i, s:[{s:I, s:s, s:b, s:s}]}", "type", "struct", "schema-id", 0,
                           "fields", "id", (json_int_t)FLOE_ICE_DELETE_FILE_PATH_ID, "name",
                           "file_path", "required", 1, "type", "string");
    const floe_ice_schema *schema = NULL;
    floe_status st = floe_ice_schema_from_json(c->a, sj, &schema, err);
    json_decref(sj);
    if (st != FLOE_OK) {
        return st;
    }
    floe_data_file as_data = *d;
    as_data.content = FLOE_CONTENT_DATA; /* read its rows, not apply them */
    floe_ice_read_opts ro = {.schema = schema, .file = &as_data};
    floe_ice_reader *r = NULL;
    st = floe_ice_reader_open(io, &ro, &r, err);
    while (st == FLOE_OK && !*out) {
        const floe_ice_batch *b = NULL;
        st = floe_ice_reader_next(r, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        for (size_t i = 0; i < b->n_rows && !*out; i++) {
            const floe_value *v = &b->columns[0][i];
            if (v->kind != FLOE_V_STRING) {
                continue;
            }
            *out = floe_map_get(c->live, v->u.bytes.ptr, v->u.bytes.len) != NULL;
        }
    }
    floe_ice_reader_close(r);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "position delete file %s", d->file_path);
    }
    return st;
}

static int file_cmp(const void *x, const void *y)
{
    const floe_mnt_file *a = x;
    const floe_mnt_file *b = y;
    return strcmp(a->location, b->location);
}

/* Every live (ADDED or EXISTING) delete file of `snap`, into `out` (in `a`). */
static floe_status live_deletes(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                const floe_snapshot *snap, floe_vec *out, floe_err *err)
{
    const floe_manifest_file *mfs = NULL;
    size_t n = 0;
    floe_status st = floe_snapshot_manifests(a, io, m, snap, &mfs, &n, err);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        if (mfs[i].content != FLOE_MANIFEST_DELETES) {
            continue;
        }
        floe_manifest_read_opts ro = {
            .meta = m, .manifest = &mfs[i], .skip = FLOE_MANIFEST_SKIP_STATS};
        floe_manifest_reader *r = NULL;
        st = floe_manifest_reader_open(io, mfs[i].manifest_path, &ro, &r, err);
        for (bool got = true; st == FLOE_OK && got;) {
            floe_manifest_entry e;
            st = floe_manifest_reader_next(r, a, &e, &got, err);
            if (st != FLOE_OK || !got || e.status == FLOE_ENTRY_DELETED ||
                e.file.content == FLOE_CONTENT_DATA) {
                continue;
            }
            floe_mnt_file *f = floe_vec_push(out);
            f->location = e.file.file_path;
            f->kind = e.file.content == FLOE_CONTENT_EQUALITY_DELETES
                          ? FLOE_MNT_FILE_EQUALITY_DELETES
                          : FLOE_MNT_FILE_POSITION_DELETES;
            f->size = e.file.file_size_in_bytes > 0 ? (uint64_t)e.file.file_size_in_bytes : 0;
            f->mtime_us = 0;
        }
        floe_manifest_reader_close(r);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "manifest %s", mfs[i].manifest_path);
        }
    }
    return st;
}

floe_status floe_mnt_dangling_deletes(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                      floe_mnt_file_list *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    const floe_snapshot *snap = floe_table_meta_current_snapshot(m);
    if (snap == NULL) {
        return FLOE_OK;
    }
    floe_vec deletes;
    floe_vec_init(&deletes, sizeof(floe_mnt_file));
    floe_status st = live_deletes(a, io, m, snap, &deletes, err);
    dangling_ctx c = {.a = a,
                      .applied = floe_map_new(NULL),
                      .live = floe_map_new(NULL),
                      .unsure = floe_map_new(NULL)};
    if (st == FLOE_OK && deletes.n > 0) {
        floe_scan_opts so = {.has_snapshot_id = true,
                             .snapshot_id = snap->snapshot_id,
                             .skip = FLOE_MANIFEST_SKIP_STATS};
        st = floe_scan_plan(io, m, &so, on_task, &c, NULL, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "scan of snapshot %lld", (long long)snap->snapshot_id);
        }
    }
    /* A position delete file applied only by its bounds stays applied if it names a live file. */
    floe_map_iter it = {0};
    const char *key;
    size_t klen;
    void *val;
    while (st == FLOE_OK && floe_map_next(c.unsure, &it, &key, &klen, &val)) {
        bool named = true;
        st = names_live_file(&c, io, val, &named, err);
        if (st == FLOE_OK && !named) {
            floe_map_remove_s(c.applied, key);
        }
    }
    size_t n = 0;
    floe_mnt_file *files = NULL;
    if (st == FLOE_OK && deletes.n > 0) {
        files = floe_arena_calloc(a, deletes.n, sizeof(*files));
        if (files == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < deletes.n; i++) {
        const floe_mnt_file *f = FLOE_VEC_AT(&deletes, floe_mnt_file, i);
        if (floe_map_get_s(c.applied, f->location) == NULL) {
            /* Listed once even when two manifests name it (a bad writer). */
            floe_map_put_s(c.applied, f->location, (void *)1);
            files[n++] = *f;
        }
    }
    floe_map_free(c.applied);
    floe_map_free(c.live);
    floe_map_free(c.unsure);
    floe_vec_fini(&deletes);
    if (st != FLOE_OK) {
        return st;
    }
    if (n > 1) {
        qsort(files, n, sizeof(*files), file_cmp);
    }
    out->files = files;
    out->n = n;
    return FLOE_OK;
}
