/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reachability after an expiration, and batched deletion.
 *
 * The cleanup compares two committed states: the metadata an expiration was planned from and
 * the metadata read back after its commit. Everything the expired snapshots referenced is a
 * candidate; everything the remaining snapshots reference is kept; the difference is deleted
 * in dependency order (content files before the manifests that name them, manifests before
 * the lists that name them), which is what makes an interrupted cleanup resumable: when a
 * manifest is gone, every file it named was already deleted.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Helpers ==== */

const char *floe_mnt_file_kind_name(floe_mnt_file_kind k)
{
    static const char *const names[] = {
        "data",          "position-deletes", "equality-deletes", "manifest",
        "manifest-list", "statistics",       "metadata",         "other"};
    return (unsigned)k < FLOE_ARRAY_LEN(names) ? names[k] : "unknown";
}

int mnt_kind_group(floe_mnt_file_kind k)
{
    switch (k) {
    case FLOE_MNT_FILE_DATA:
    case FLOE_MNT_FILE_POSITION_DELETES:
    case FLOE_MNT_FILE_EQUALITY_DELETES:
        return 0;
    case FLOE_MNT_FILE_MANIFEST:
        return 1;
    case FLOE_MNT_FILE_MANIFEST_LIST:
        return 2;
    case FLOE_MNT_FILE_STATISTICS:
        return 3;
    default:
        return 4;
    }
}

const char *mnt_norm_location(floe_arena *a, const char *loc)
{
    if (strncmp(loc, "file:", 5) == 0) {
        const char *p = loc + 5;
        if (strncmp(p, "//", 2) == 0) {
            p += 2;
            if (strncmp(p, "localhost/", 10) == 0) {
                p += 9;
            } else if (*p != '/') {
                return loc; /* file://host/...: leave as is */
            }
        }
        return p;
    }
    if (strncmp(loc, "s3a://", 6) == 0 || strncmp(loc, "s3n://", 6) == 0) {
        return floe_arena_sprintf(a, "s3://%s", loc + 6);
    }
    return loc;
}

const char *mnt_stats_path(floe_arena *a, const floe_stats_file *s)
{
    if (s->json == NULL) {
        return NULL;
    }
    json_t *j = json_loads(s->json, 0, NULL);
    const char *path = NULL;
    const char *v = json_string_value(json_object_get(j, "statistics-path"));
    if (v != NULL) {
        path = floe_arena_strdup(a, v);
    }
    json_decref(j);
    return path;
}

static floe_mnt_file_kind content_kind(floe_file_content c)
{
    switch (c) {
    case FLOE_CONTENT_POSITION_DELETES:
        return FLOE_MNT_FILE_POSITION_DELETES;
    case FLOE_CONTENT_EQUALITY_DELETES:
        return FLOE_MNT_FILE_EQUALITY_DELETES;
    default:
        return FLOE_MNT_FILE_DATA;
    }
}

/* ==== File sets keyed by normalised location ==== */

typedef struct fentry {
    const char *location; /* as referenced (what FileIO is given) */
    floe_mnt_file_kind kind;
    uint64_t size;
} fentry;

typedef struct fset {
    floe_arena *a;
    floe_map *map; /* normalised location -> fentry (arena) */
} fset;

static void fset_init(fset *s, floe_arena *a)
{
    s->a = a;
    s->map = floe_map_new(NULL);
}

static void fset_fini(fset *s)
{
    floe_map_free(s->map);
}

static floe_status fset_add(fset *s, const char *loc, floe_mnt_file_kind kind, uint64_t size,
                            floe_err *err)
{
    const char *key = mnt_norm_location(s->a, loc);
    if (key == NULL) {
        return floe_arena_check(s->a, err);
    }
    if (floe_map_get_s(s->map, key) != NULL) {
        return FLOE_OK;
    }
    fentry *e = floe_arena_alloc(s->a, sizeof(*e));
    const char *copy = floe_arena_strdup(s->a, loc);
    if (e == NULL || copy == NULL) {
        return floe_arena_check(s->a, err);
    }
    *e = (fentry){copy, kind, size};
    floe_map_put_s(s->map, key, e);
    return FLOE_OK;
}

/* ==== Reading manifests ==== */

enum { M_EXPIRED = 1, M_RETAINED = 2 };

typedef struct mref {
    floe_manifest_file mf; /* shallow copy; strings live in the arena */
    unsigned flags;
    const floe_table_meta *meta; /* read with this metadata's specs (committed's if retained) */
} mref;

typedef struct scan_ctx {
    floe_arena *a;
    floe_map *manifests; /* normalised path -> mref */
    floe_vec order;      /* mref *, in discovery order (deterministic reads) */
    fset cand;           /* files expired snapshots reference */
    fset keep;           /* files remaining snapshots reference */
} scan_ctx;

static floe_status note_manifests(scan_ctx *c, const floe_mnt_manifest_source *src,
                                  const floe_table_meta *m, const floe_snapshot *snap,
                                  unsigned flag, bool *found, floe_err *err)
{
    const floe_manifest_file *mfs = NULL;
    size_t n = 0;
    *found = false;
    floe_status st = src->snapshot_manifests(src->ctx, c->a, m, snap, &mfs, &n, err);
    if (st == FLOE_ERR_NOT_FOUND && flag == M_EXPIRED) {
        /* Its manifest list is gone: an earlier cleanup deleted it after everything it named. */
        floe_err_clear(err);
        return FLOE_OK;
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "snapshot %lld", (long long)snap->snapshot_id);
    }
    for (size_t i = 0; i < n; i++) {
        const char *key = mnt_norm_location(c->a, mfs[i].manifest_path);
        if (key == NULL) {
            return floe_arena_check(c->a, err);
        }
        mref *r = floe_map_get_s(c->manifests, key);
        if (r == NULL) {
            r = floe_arena_calloc(c->a, 1, sizeof(*r));
            if (r == NULL) {
                return floe_arena_check(c->a, err);
            }
            r->mf = mfs[i];
            r->mf.manifest_path = floe_arena_strdup(c->a, mfs[i].manifest_path);
            if (r->mf.manifest_path == NULL) {
                return floe_arena_check(c->a, err);
            }
            floe_map_put_s(c->manifests, key, r);
            floe_vec_push_copy(&c->order, &r);
        }
        r->flags |= flag;
        if (r->meta == NULL || flag == M_RETAINED) {
            r->meta = m;
        }
    }
    *found = true;
    return FLOE_OK;
}

typedef struct entry_ctx {
    scan_ctx *c;
    unsigned flags;
} entry_ctx;

static floe_status on_entry(void *ud, const floe_manifest_entry *e, floe_err *err)
{
    entry_ctx *ec = ud;
    const floe_data_file *f = &e->file;
    if (f->file_path == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "manifest entry without a file path");
    }
    floe_mnt_file_kind kind = content_kind(f->content);
    uint64_t size = f->file_size_in_bytes > 0 ? (uint64_t)f->file_size_in_bytes : 0;
    bool live = e->status != FLOE_ENTRY_DELETED;
    floe_status st = FLOE_OK;
    if (live && (ec->flags & M_RETAINED)) {
        st = fset_add(&ec->c->keep, f->file_path, kind, size, err);
    }
    /* Entries of manifests an expired snapshot lists are candidates: DELETED ones too (the
     * file may have been live only in an expired parent). Live entries of a manifest a
     * remaining snapshot also lists are in `keep`, so they cancel out. */
    if (st == FLOE_OK && (ec->flags & M_EXPIRED)) {
        st = fset_add(&ec->c->cand, f->file_path, kind, size, err);
    }
    return st;
}

static int file_cmp(const void *a, const void *b)
{
    const floe_mnt_file *x = a, *y = b;
    int gx = mnt_kind_group(x->kind), gy = mnt_kind_group(y->kind);
    if (gx != gy) {
        return gx - gy;
    }
    return strcmp(x->location, y->location);
}

/* ==== Expired files ==== */

floe_status floe_mnt_expired_files(floe_arena *a, const floe_table_meta *before,
                                   const floe_table_meta *committed,
                                   const floe_mnt_manifest_source *src, floe_mnt_file_list *out,
                                   floe_err *err)
{
    return floe_mnt_expired_files_since(a, &before, 1, committed, src, out, err);
}

/* Statistics files: candidates from `m` for expired snapshots, or (keep) all that `m` names. */
static floe_status stats_files(scan_ctx *c, const floe_table_meta *m, const mnt_idset *expired,
                               bool keep, floe_err *err)
{
    const floe_stats_file *lists[2] = {m->statistics, m->partition_statistics};
    size_t counts[2] = {m->n_statistics, m->n_partition_statistics};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const floe_stats_file *sf = &lists[l][i];
            if (!keep && !mnt_idset_has(expired, sf->snapshot_id)) {
                continue;
            }
            const char *path = mnt_stats_path(c->a, sf);
            if (path == NULL) {
                if (keep) {
                    return floe_err_set(err, FLOE_ERR_CORRUPT,
                                        "statistics entry of snapshot %lld has no statistics-path",
                                        (long long)sf->snapshot_id);
                }
                continue;
            }
            floe_status st =
                fset_add(keep ? &c->keep : &c->cand, path, FLOE_MNT_FILE_STATISTICS, 0, err);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    return FLOE_OK;
}

floe_status floe_mnt_expired_files_since(floe_arena *a, const floe_table_meta *const *befores,
                                         size_t n_befores, const floe_table_meta *committed,
                                         const floe_mnt_manifest_source *src,
                                         floe_mnt_file_list *out, floe_err *err)
{
    out->files = NULL;
    out->n = 0;
    size_t n_before_snaps = 0;
    for (size_t b = 0; b < n_befores; b++) {
        const floe_table_meta *before = befores[b];
        if (before->table_uuid != NULL && committed->table_uuid != NULL &&
            strcmp(before->table_uuid, committed->table_uuid) != 0) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "committed metadata is table %s, not %s: refusing to clean up",
                                committed->table_uuid, before->table_uuid);
        }
        if (committed->last_sequence_number < before->last_sequence_number) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "committed metadata (last sequence number %lld) is older than the "
                                "metadata the expiration was planned from (%lld)",
                                (long long)committed->last_sequence_number,
                                (long long)before->last_sequence_number);
        }
        n_before_snaps += before->n_snapshots;
    }
    int64_t *kept_ids = floe_xcalloc(committed->n_snapshots + 1, sizeof(int64_t));
    for (size_t i = 0; i < committed->n_snapshots; i++) {
        kept_ids[i] = committed->snapshots[i].snapshot_id;
    }
    mnt_idset kept = mnt_idset_make(kept_ids, committed->n_snapshots);

    scan_ctx c = {.a = a, .manifests = floe_map_new(NULL)};
    floe_vec_init(&c.order, sizeof(mref *));
    fset_init(&c.cand, a);
    fset_init(&c.keep, a);
    floe_status st = FLOE_OK;
    size_t n_expired = 0;
    int64_t *expired_ids = floe_xcalloc(n_before_snaps + 1, sizeof(int64_t));
    mnt_idset expired = {expired_ids, 0};
    floe_map *seen = floe_map_new(NULL); /* expired ids already noted (befores overlap) */

    for (size_t b = 0; b < n_befores && st == FLOE_OK; b++) {
        for (size_t i = 0; i < befores[b]->n_snapshots && st == FLOE_OK; i++) {
            const floe_snapshot *s = &befores[b]->snapshots[i];
            if (mnt_idset_has(&kept, s->snapshot_id)) {
                continue;
            }
            if (floe_map_contains(seen, &s->snapshot_id, sizeof(int64_t))) {
                continue;
            }
            floe_map_put(seen, &s->snapshot_id, sizeof(int64_t), (void *)1);
            expired_ids[n_expired++] = s->snapshot_id;
            bool found = false;
            st = note_manifests(&c, src, befores[b], s, M_EXPIRED, &found, err);
            if (st == FLOE_OK && found && s->manifest_list != NULL) {
                st = fset_add(&c.cand, s->manifest_list, FLOE_MNT_FILE_MANIFEST_LIST, 0, err);
            }
        }
    }
    if (n_expired == 0 || st != FLOE_OK) {
        goto done;
    }
    expired = mnt_idset_make(expired_ids, n_expired);
    /* Everything the remaining snapshots need. A failure here stops the cleanup: deleting on
     * an incomplete picture of what is live is how tables get destroyed. */
    for (size_t i = 0; i < committed->n_snapshots && st == FLOE_OK; i++) {
        const floe_snapshot *s = &committed->snapshots[i];
        if (s->manifest_list != NULL) {
            st = fset_add(&c.keep, s->manifest_list, FLOE_MNT_FILE_MANIFEST_LIST, 0, err);
        }
        bool found = false;
        if (st == FLOE_OK) {
            st = note_manifests(&c, src, committed, s, M_RETAINED, &found, err);
        }
    }
    for (size_t i = 0; i < c.order.n && st == FLOE_OK; i++) {
        mref *r = *FLOE_VEC_AT(&c.order, mref *, i);
        entry_ctx ec = {&c, r->flags};
        const floe_table_meta *m = r->meta;
        st = src->manifest_entries(src->ctx, m, &r->mf, on_entry, &ec, err);
        if (st == FLOE_ERR_NOT_FOUND && r->flags == M_EXPIRED) {
            /* Deleted by an earlier, interrupted cleanup after all the files it named. */
            floe_err_clear(err);
            st = FLOE_OK;
            continue;
        }
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "manifest %s", r->mf.manifest_path);
            break;
        }
        if (r->flags & M_RETAINED) {
            st = fset_add(&c.keep, r->mf.manifest_path, FLOE_MNT_FILE_MANIFEST, 0, err);
        } else {
            uint64_t len = r->mf.manifest_length > 0 ? (uint64_t)r->mf.manifest_length : 0;
            st = fset_add(&c.cand, r->mf.manifest_path, FLOE_MNT_FILE_MANIFEST, len, err);
        }
    }
    /* Statistics files of expired snapshots that the committed metadata no longer names. */
    for (size_t b = 0; b < n_befores && st == FLOE_OK; b++) {
        st = stats_files(&c, befores[b], &expired, false, err);
    }
    if (st == FLOE_OK) {
        st = stats_files(&c, committed, &expired, true, err);
    }
    if (st != FLOE_OK) {
        goto done;
    }
    size_t cap = floe_map_count(c.cand.map);
    floe_mnt_file *files = floe_arena_calloc(a, cap + 1, sizeof(*files));
    if (files == NULL) {
        st = floe_arena_check(a, err);
        goto done;
    }
    size_t n = 0;
    floe_map_iter it = {0};
    const char *key;
    size_t klen;
    void *val;
    while (floe_map_next(c.cand.map, &it, &key, &klen, &val)) {
        const fentry *e = val;
        if (floe_map_get(c.keep.map, key, klen) != NULL) {
            continue;
        }
        files[n++] = (floe_mnt_file){.location = e->location, .kind = e->kind, .size = e->size};
    }
    qsort(files, n, sizeof(*files), file_cmp);
    out->files = files;
    out->n = n;
done:
    free(kept_ids);
    free(expired_ids);
    floe_map_free(seen);
    floe_map_free(c.manifests);
    floe_vec_fini(&c.order);
    fset_fini(&c.cand);
    fset_fini(&c.keep);
    return st;
}

/* ==== Deletion ==== */

floe_status floe_mnt_delete_files(floe_fileio *io, const floe_mnt_file_list *files,
                                  const floe_mnt_delete_opts *o, floe_mnt_delete_result *res,
                                  floe_err *err)
{
    floe_mnt_delete_opts def = {0};
    if (o == NULL) {
        o = &def;
    }
    size_t batch = o->batch_size ? o->batch_size : 1000;
    memset(res, 0, sizeof(*res));
    floe_status first = FLOE_OK;
    bool group_failed = false;
    for (size_t i = 0; i < files->n; i++) {
        const floe_mnt_file *f = &files->files[i];
        /* Crossing into the next group after a failure would delete a manifest (or list)
         * naming a file we could not delete; stop so a later run sees it again. */
        if (group_failed && mnt_kind_group(f->kind) != mnt_kind_group(files->files[i - 1].kind)) {
            break;
        }
        if (o->dry_run) {
            res->deleted++;
            res->bytes += f->size;
            res->by_kind[f->kind < FLOE_MNT_FILE_KIND_COUNT ? f->kind : FLOE_MNT_FILE_OTHER]++;
        } else {
            floe_err e = {0};
            floe_status st = floe_io_delete(io, f->location, &e);
            if (st == FLOE_OK) {
                res->deleted++;
                res->bytes += f->size;
                res->by_kind[f->kind < FLOE_MNT_FILE_KIND_COUNT ? f->kind : FLOE_MNT_FILE_OTHER]++;
            } else if (st == FLOE_ERR_NOT_FOUND) {
                res->missing++;
            } else {
                res->failed++;
                group_failed = true;
                if (first == FLOE_OK) {
                    first = floe_err_set(err, st, "delete %s: %s", f->location, e.msg);
                }
            }
        }
        bool batch_end = (i + 1) % batch == 0 || i + 1 == files->n;
        if (batch_end && o->on_batch != NULL) {
            floe_status st = o->on_batch(o->ud, i + 1, files->n, err);
            if (st != FLOE_OK) {
                return first != FLOE_OK ? first : st;
            }
        }
    }
    return first;
}
