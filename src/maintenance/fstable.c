/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Filesystem tables (the Hadoop layout Spark, pyiceberg and DuckDB write without a catalog):
 * metadata files v<N>.metadata.json in <location>/metadata and version-hint.text naming the
 * current N. Commits create v<N+1> exclusively, which is the compare-and-swap; the hint is
 * only a shortcut that readers verify by probing for newer versions.
 */
#include "mnt_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define HINT_MAX 64
#define VERSION_PROBE_MAX 1000000 /* newer versions probed past the hint */

static const char *const suffixes[] = {".metadata.json", ".gz.metadata.json"};

/* v<N>.metadata.json or v<N>.gz.metadata.json -> N; -1 otherwise. */
static int64_t version_of(const char *name)
{
    if (name[0] != 'v' || !isdigit((unsigned char)name[1])) {
        return -1;
    }
    const char *p = name + 1;
    int64_t v = 0;
    while (isdigit((unsigned char)*p)) {
        if (v > (INT64_MAX - 9) / 10) {
            return -1;
        }
        v = v * 10 + (*p - '0');
        p++;
    }
    for (size_t i = 0; i < FLOE_ARRAY_LEN(suffixes); i++) {
        if (strcmp(p, suffixes[i]) == 0) {
            return v;
        }
    }
    return -1;
}

/* The existing metadata file of version `v`, or NULL. */
static const char *version_file(floe_arena *a, floe_fileio *io, const char *dir, int64_t v)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(suffixes); i++) {
        char *loc = floe_arena_sprintf(a, "%s/v%lld%s", dir, (long long)v, suffixes[i]);
        bool exists = false;
        if (loc != NULL && floe_io_exists(io, loc, &exists, NULL) == FLOE_OK && exists) {
            return loc;
        }
    }
    return NULL;
}

typedef struct scan_versions {
    int64_t max;
} scan_versions;

static floe_status on_meta_file(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    scan_versions *s = ud;
    const char *slash = strrchr(info->location, '/');
    int64_t v = version_of(slash != NULL ? slash + 1 : info->location);
    if (v > s->max) {
        s->max = v;
    }
    return FLOE_OK;
}

floe_status floe_mnt_fs_table_load(floe_arena *a, floe_fileio *io, const char *location,
                                   floe_table_meta **out, int64_t *version, floe_err *err)
{
    size_t len = strlen(location);
    while (len > 1 && location[len - 1] == '/') {
        len--;
    }
    char *dir = floe_arena_sprintf(a, "%.*s/metadata", (int)len, location);
    char *hint = floe_arena_sprintf(a, "%s/version-hint.text", dir);
    if (dir == NULL || hint == NULL) {
        return floe_arena_check(a, err);
    }
    int64_t v = -1;
    floe_buf b;
    floe_buf_init(&b, 0);
    if (floe_io_read_file(io, hint, HINT_MAX, &b, NULL) == FLOE_OK) {
        char text[HINT_MAX + 1];
        size_t n = 0;
        for (size_t i = 0; i < b.len && n < HINT_MAX; i++) {
            if (!isspace((unsigned char)b.data[i])) {
                text[n++] = b.data[i];
            }
        }
        text[n] = '\0';
        if (floe_parse_i64(text, &v, NULL) != FLOE_OK || v < 0 ||
            version_file(a, io, dir, v) == NULL) {
            v = -1; /* a broken or stale hint: fall back to listing */
        }
    }
    floe_buf_fini(&b);
    if (v < 0) {
        scan_versions s = {-1};
        floe_status st = floe_io_list(io, dir, on_meta_file, &s, err);
        if (st == FLOE_ERR_NOT_FOUND || (st == FLOE_OK && s.max < 0)) {
            floe_err_clear(err);
            return floe_err_set(err, FLOE_ERR_NOT_FOUND,
                                "%s is not an Iceberg table: no metadata/v<N>.metadata.json", dir);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "list %s", dir);
        }
        v = s.max;
    }
    /* A commit writes v<N+1> before the hint: follow newer versions. */
    for (int64_t probes = 0; probes < VERSION_PROBE_MAX && version_file(a, io, dir, v + 1);
         probes++) {
        v++;
    }
    const char *file = version_file(a, io, dir, v);
    if (file == NULL) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s/v%lld.metadata.json: not found", dir,
                            (long long)v);
    }
    floe_status st = floe_iceberg_read_metadata(a, io, file, out, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "load %s", file);
    }
    *version = v;
    return FLOE_OK;
}

floe_status floe_mnt_fs_table_commit(floe_arena *a, floe_fileio *io, const floe_table_meta *base,
                                     int64_t version, const floe_ice_requirement *reqs,
                                     size_t n_reqs, const floe_ice_update *updates,
                                     size_t n_updates, int64_t now_ms, floe_table_meta **out,
                                     floe_err *err)
{
    if (base->metadata_location == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "commit needs the base metadata's location");
    }
    floe_status st = floe_ice_requirements_check(base, reqs, n_reqs, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_ice_apply_opts ao = {.now_ms = now_ms, .base_location = base->metadata_location};
    floe_table_meta *next = NULL;
    bool changed = false;
    st = floe_ice_updates_apply(a, base, updates, n_updates, &ao, &next, &changed, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!changed) {
        next->metadata_location = base->metadata_location;
        *out = next;
        return FLOE_OK;
    }
    const char *slash = strrchr(base->metadata_location, '/');
    int dlen = slash != NULL ? (int)(slash - base->metadata_location) : 0;
    char *loc = floe_arena_sprintf(a, "%.*s/v%lld.metadata.json", dlen, base->metadata_location,
                                   (long long)(version + 1));
    char *hint = floe_arena_sprintf(a, "%.*s/version-hint.text", dlen, base->metadata_location);
    char *num = floe_arena_sprintf(a, "%lld", (long long)(version + 1));
    if (loc == NULL || hint == NULL || num == NULL) {
        return floe_arena_check(a, err);
    }
    st = floe_iceberg_write_metadata(io, loc, next, err);
    if (st == FLOE_ERR_EXISTS) {
        floe_err_clear(err);
        return floe_err_set(err, FLOE_ERR_CONFLICT,
                            "commit v%lld: another writer committed it first; reload and retry",
                            (long long)(version + 1));
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "commit %s", loc);
    }
    /* The commit is durable now; a failed hint update only makes readers probe further. */
    floe_io_write_file(io, hint, FLOE_IO_CREATE_OVERWRITE, num, strlen(num), NULL);
    next->metadata_location = loc;
    *out = next;
    return FLOE_OK;
}

floe_status floe_mnt_load_history(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                  size_t max, const floe_table_meta ***out, size_t *n,
                                  floe_err *err)
{
    const floe_table_meta **v = floe_arena_calloc(a, max + 1, sizeof(*v));
    if (v == NULL) {
        return floe_arena_check(a, err);
    }
    size_t k = 0;
    for (size_t i = m->n_metadata_log; i > 0 && k < max; i--) {
        const char *file = m->metadata_log[i - 1].file;
        floe_table_meta *old = NULL;
        if (file == NULL || floe_iceberg_read_metadata(a, io, file, &old, NULL) != FLOE_OK) {
            if (floe_arena_failed(a)) {
                return floe_arena_check(a, err);
            }
            continue;
        }
        if (old->table_uuid != NULL && m->table_uuid != NULL &&
            strcmp(old->table_uuid, m->table_uuid) != 0) {
            continue;
        }
        if (old->last_sequence_number > m->last_sequence_number) {
            continue;
        }
        v[k++] = old;
    }
    *out = v;
    *n = k;
    return FLOE_OK;
}
