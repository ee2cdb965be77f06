/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manifest source maintenance uses in production: manifest lists and manifests read
 * through FileIO with the Iceberg library's streaming reader. A per-manifest arena is reset
 * every few hundred entries so memory stays flat on large manifests.
 */
#include "mnt_int.h"

#define ENTRIES_PER_RESET 256
#define ENTRY_ARENA_MAX ((size_t)64 << 20)

/* NOT_FOUND only when the file itself is missing. */
static floe_status classify(floe_fileio *io, const char *location, floe_status st, floe_err *err)
{
    if (st != FLOE_ERR_NOT_FOUND) {
        return st;
    }
    bool exists = true;
    if (floe_io_exists(io, location, &exists, NULL) == FLOE_OK && !exists) {
        return st;
    }
    floe_err inner = *err;
    floe_err_clear(err);
    return floe_err_set(err, FLOE_ERR_CORRUPT, "%s", inner.msg);
}

static floe_status src_snapshot_manifests(void *ctx, floe_arena *a, const floe_table_meta *m,
                                          const floe_snapshot *snap, const floe_manifest_file **out,
                                          size_t *n, floe_err *err)
{
    floe_mnt_fileio_source *s = ctx;
    floe_err local = {0};
    floe_err *e = err != NULL ? err : &local;
    floe_status st = floe_snapshot_manifests(a, s->io, m, snap, out, n, e);
    if (st != FLOE_OK && snap->manifest_list != NULL) {
        st = classify(s->io, snap->manifest_list, st, e);
    }
    return st;
}

static floe_status src_manifest_entries(void *ctx, const floe_table_meta *m,
                                        const floe_manifest_file *mf, floe_mnt_entry_fn fn,
                                        void *ud, floe_err *err)
{
    floe_mnt_fileio_source *s = ctx;
    floe_err local = {0};
    floe_err *e = err != NULL ? err : &local;
    floe_manifest_read_opts o = {.meta = m, .manifest = mf, .skip = s->skip};
    floe_manifest_reader *r = NULL;
    floe_status st = floe_manifest_reader_open(s->io, mf->manifest_path, &o, &r, e);
    if (st != FLOE_OK) {
        return classify(s->io, mf->manifest_path, st, e);
    }
    floe_arena *a = floe_arena_new(ENTRY_ARENA_MAX);
    for (size_t i = 1;; i++) {
        floe_manifest_entry entry;
        bool got = false;
        st = floe_manifest_reader_next(r, a, &entry, &got, e);
        if (st != FLOE_OK || !got) {
            break;
        }
        st = fn(ud, &entry, e);
        if (st != FLOE_OK) {
            break;
        }
        if (i % ENTRIES_PER_RESET == 0) {
            floe_arena_reset(a);
        }
    }
    floe_arena_free(a);
    floe_manifest_reader_close(r);
    if (st == FLOE_ERR_NOT_FOUND) {
        st = classify(s->io, mf->manifest_path, st, e); /* vanished while reading */
    }
    return st;
}

void floe_mnt_fileio_source_init(floe_mnt_fileio_source *ctx, floe_mnt_manifest_source *out)
{
    *out = (floe_mnt_manifest_source){ctx, src_snapshot_manifests, src_manifest_entries};
}
