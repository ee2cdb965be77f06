/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dangling delete files: live delete files of the current snapshot that no live data file
 * needs any more. The question "does this delete file apply to that data file" is answered by
 * the scan planner, the same code every floe reader uses, so cleaning can never disagree with
 * reading: a delete file that no scan task carries changes no row of the snapshot, and
 * removing it from the table changes no row either.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct dangling_ctx {
    floe_map *applied; /* delete file path -> (void *)1 */
} dangling_ctx;

static floe_status on_task(void *ud, const floe_scan_task *t, floe_err *err)
{
    (void)err;
    dangling_ctx *c = ud;
    for (size_t i = 0; i < t->n_deletes; i++) {
        floe_map_put_s(c->applied, t->deletes[i]->file_path, (void *)1);
    }
    return FLOE_OK;
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
    dangling_ctx c = {.applied = floe_map_new(NULL)};
    if (st == FLOE_OK && deletes.n > 0) {
        floe_scan_opts so = {.has_snapshot_id = true,
                             .snapshot_id = snap->snapshot_id,
                             .skip = FLOE_MANIFEST_SKIP_STATS};
        st = floe_scan_plan(io, m, &so, on_task, &c, NULL, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "scan of snapshot %lld", (long long)snap->snapshot_id);
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
