/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Orphan files: files under a table's locations that no metadata references. The referenced
 * set is built first and completely (any read failure aborts: an orphan list computed from
 * partial knowledge would contain live files); then the locations are listed and every file
 * that is old enough and not referenced is an orphan. The age limit is what protects files a
 * writer has written but not committed yet.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Locations ==== */

static char *trim_slash(floe_arena *a, const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/') {
        n--;
    }
    return floe_arena_strndup(a, s, n);
}

/* True when `loc` is `dir` or inside it. */
static bool under(const char *loc, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(loc, dir, n) == 0 && (loc[n] == '\0' || loc[n] == '/');
}

floe_status floe_mnt_table_locations(floe_arena *a, const floe_table_meta *m,
                                     const char *const **out, size_t *n, floe_err *err)
{
    if (m->location == NULL || m->location[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "table has no location");
    }
    const char *base = trim_slash(a, m->location);
    const char *data = floe_table_meta_property(m, "write.data.path");
    if (data == NULL) {
        data = floe_table_meta_property(m, "write.object-storage.path");
    }
    if (data == NULL) {
        data = floe_table_meta_property(m, "write.folder-storage.path");
    }
    const char *meta = floe_table_meta_property(m, "write.metadata.path");
    const char *cand[2];
    cand[0] = data != NULL ? trim_slash(a, data) : floe_arena_sprintf(a, "%s/data", base);
    cand[1] = meta != NULL ? trim_slash(a, meta) : floe_arena_sprintf(a, "%s/metadata", base);
    const char **locs = floe_arena_calloc(a, 3, sizeof(char *));
    if (base == NULL || cand[0] == NULL || cand[1] == NULL || locs == NULL) {
        return floe_arena_check(a, err);
    }
    size_t k = 0;
    for (int i = 0; i < 2; i++) {
        int other = 1 - i;
        /* One inside the other: list the outer one only. */
        if (under(cand[i], cand[other]) && (strcmp(cand[i], cand[other]) != 0 || i == 1)) {
            continue;
        }
        locs[k++] = cand[i];
    }
    *out = locs;
    *n = k;
    return FLOE_OK;
}

/* ==== The referenced set ==== */

typedef struct ref_ctx {
    floe_arena *a;
    floe_fileio *io;
    floe_map *refs;      /* resolved, normalised location -> (void *)1 */
    floe_map *manifests; /* manifests already read */
    floe_buf scratch;
} ref_ctx;

/*
 * The key a location is compared by: what FileIO resolves it to (prefix maps applied, file:
 * URIs made paths), then scheme aliases normalised. Metadata and listings may spell one file
 * differently ("s3a://b/t/x" in metadata, a mapped local path when loaded from a copy); only
 * the resolved form is safe to compare. A location that does not resolve is an error.
 */
static const char *ref_key(ref_ctx *c, const char *loc, floe_err *err)
{
    floe_buf_reset(&c->scratch);
    if (floe_fileio_resolve(c->io, loc, &c->scratch, err) != FLOE_OK) {
        floe_err_wrap(err, "resolve %s", loc);
        return NULL;
    }
    const char *key = mnt_norm_location(c->a, floe_buf_cstr(&c->scratch));
    if (key == NULL) {
        floe_arena_check(c->a, err);
    }
    return key;
}

static floe_status add_ref(ref_ctx *c, const char *loc, floe_err *err)
{
    const char *key = ref_key(c, loc, err);
    if (key == NULL) {
        return err != NULL && err->code != FLOE_OK ? err->code : FLOE_ERR_INVALID;
    }
    floe_map_put_s(c->refs, key, (void *)1);
    return FLOE_OK;
}

static floe_status ref_entry(void *ud, const floe_manifest_entry *e, floe_err *err)
{
    ref_ctx *c = ud;
    if (e->file.file_path == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "manifest entry without a file path");
    }
    /* DELETED entries count as references too: orphan cleaning is the conservative side. */
    return add_ref(c, e->file.file_path, err);
}

static floe_status add_metadata_refs(ref_ctx *c, const floe_table_meta *m,
                                     const floe_mnt_manifest_source *src, floe_err *err)
{
    floe_status st = add_ref(c, m->metadata_location, err);
    const char *slash = strrchr(m->metadata_location, '/');
    if (st == FLOE_OK && slash != NULL) {
        char *hint = floe_arena_sprintf(c->a, "%.*s/version-hint.text",
                                        (int)(slash - m->metadata_location), m->metadata_location);
        st = hint == NULL ? floe_arena_check(c->a, err) : add_ref(c, hint, err);
    }
    for (size_t i = 0; i < m->n_metadata_log && st == FLOE_OK; i++) {
        if (m->metadata_log[i].file != NULL) {
            st = add_ref(c, m->metadata_log[i].file, err);
        }
    }
    const floe_stats_file *lists[2] = {m->statistics, m->partition_statistics};
    size_t counts[2] = {m->n_statistics, m->n_partition_statistics};
    for (int l = 0; l < 2 && st == FLOE_OK; l++) {
        for (size_t i = 0; i < counts[l] && st == FLOE_OK; i++) {
            const char *p = mnt_stats_path(c->a, &lists[l][i]);
            if (p == NULL) {
                return floe_err_set(err, FLOE_ERR_CORRUPT,
                                    "statistics entry of snapshot %lld has no statistics-path",
                                    (long long)lists[l][i].snapshot_id);
            }
            st = add_ref(c, p, err);
        }
    }
    for (size_t i = 0; i < m->n_snapshots && st == FLOE_OK; i++) {
        const floe_snapshot *s = &m->snapshots[i];
        if (s->manifest_list != NULL) {
            st = add_ref(c, s->manifest_list, err);
        }
        for (size_t k = 0; k < s->n_manifests && st == FLOE_OK; k++) {
            st = add_ref(c, s->manifests[k], err);
        }
        const floe_manifest_file *mfs = NULL;
        size_t n = 0;
        if (st == FLOE_OK) {
            st = src->snapshot_manifests(src->ctx, c->a, m, s, &mfs, &n, err);
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "snapshot %lld", (long long)s->snapshot_id);
            }
        }
        for (size_t k = 0; k < n && st == FLOE_OK; k++) {
            const char *key = mnt_norm_location(c->a, mfs[k].manifest_path);
            if (key == NULL) {
                return floe_arena_check(c->a, err);
            }
            if (floe_map_get_s(c->manifests, key) != NULL) {
                continue;
            }
            floe_map_put_s(c->manifests, key, (void *)1);
            st = add_ref(c, mfs[k].manifest_path, err);
            if (st == FLOE_OK) {
                st = src->manifest_entries(src->ctx, m, &mfs[k], ref_entry, c, err);
                if (st != FLOE_OK) {
                    return floe_err_wrap(err, "manifest %s", mfs[k].manifest_path);
                }
            }
        }
    }
    return st;
}

/* ==== Listing ==== */

typedef struct list_ctx {
    ref_ctx *refs;
    const char *dir;
    int64_t older_than_us;
    floe_vec *out; /* floe_mnt_file */
} list_ctx;

static floe_status on_listed(void *ud, const floe_file_info *info, floe_err *err)
{
    list_ctx *l = ud;
    if (info->location == NULL || !under(info->location, l->dir)) {
        return FLOE_OK; /* a backend listing a prefix may return siblings ("data2/"): skip */
    }
    if (info->mtime_us >= l->older_than_us) {
        return FLOE_OK;
    }
    const char *key = ref_key(l->refs, info->location, err);
    if (key == NULL) {
        return err != NULL && err->code != FLOE_OK ? err->code : FLOE_ERR_INVALID;
    }
    if (floe_map_get_s(l->refs->refs, key) != NULL) {
        return FLOE_OK;
    }
    const char *copy = floe_arena_strdup(l->refs->a, info->location);
    if (copy == NULL) {
        return floe_arena_check(l->refs->a, err);
    }
    floe_mnt_file_kind kind = FLOE_MNT_FILE_OTHER;
    if (floe_ends_with(copy, ".metadata.json") || floe_ends_with(copy, ".metadata.json.gz")) {
        kind = FLOE_MNT_FILE_METADATA;
    }
    floe_mnt_file *f = floe_vec_push(l->out);
    *f = (floe_mnt_file){copy, kind, info->size, info->mtime_us};
    return FLOE_OK;
}

static int loc_cmp(const void *a, const void *b)
{
    return strcmp(((const floe_mnt_file *)a)->location, ((const floe_mnt_file *)b)->location);
}

floe_status floe_mnt_orphan_files(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                  const floe_mnt_manifest_source *src,
                                  const floe_mnt_orphan_opts *o, floe_mnt_file_list *out,
                                  floe_err *err)
{
    out->files = NULL;
    out->n = 0;
    if (m->metadata_location == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "the current metadata file is not known: refusing to look for "
                            "orphans (it would look like one)");
    }
    const char *const *locs = o->locations;
    size_t n_locs = o->n_locations;
    floe_status st = FLOE_OK;
    if (locs == NULL) {
        st = floe_mnt_table_locations(a, m, &locs, &n_locs, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    ref_ctx rc = {a, io, floe_map_new(NULL), floe_map_new(NULL), {0}};
    floe_buf_init(&rc.scratch, 0);
    floe_vec found;
    floe_vec_init(&found, sizeof(floe_mnt_file));
    st = add_metadata_refs(&rc, m, src, err);
    for (size_t i = 0; i < n_locs && st == FLOE_OK; i++) {
        const char *dir = trim_slash(a, locs[i]);
        if (dir == NULL) {
            st = floe_arena_check(a, err);
            break;
        }
        list_ctx lc = {&rc, dir, o->older_than_us, &found};
        st = floe_io_list(io, dir, on_listed, &lc, err);
        if (st == FLOE_ERR_NOT_FOUND) {
            floe_err_clear(err); /* nothing written there yet */
            st = FLOE_OK;
        } else if (st != FLOE_OK) {
            st = floe_err_wrap(err, "list %s", dir);
        }
    }
    if (st == FLOE_OK && found.n > 0) {
        floe_vec_sort(&found, loc_cmp);
        /* Two listed locations can overlap only if given so; drop duplicates. */
        floe_mnt_file *files = floe_arena_calloc(a, found.n, sizeof(*files));
        if (files == NULL) {
            st = floe_arena_check(a, err);
        } else {
            size_t n = 0;
            for (size_t i = 0; i < found.n; i++) {
                const floe_mnt_file *f = FLOE_VEC_AT(&found, floe_mnt_file, i);
                if (n == 0 || strcmp(files[n - 1].location, f->location) != 0) {
                    files[n++] = *f;
                }
            }
            out->files = files;
            out->n = n;
        }
    }
    floe_vec_fini(&found);
    floe_map_free(rc.refs);
    floe_map_free(rc.manifests);
    floe_buf_fini(&rc.scratch);
    return st;
}
