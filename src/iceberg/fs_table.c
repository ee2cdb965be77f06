/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Filesystem ("hadoop") tables: <location>/metadata/v<N>.metadata.json, one file per version,
 * created exclusively so that of two writers of version N+1 only one succeeds (the
 * compare-and-swap), and metadata/version-hint.text naming the latest N. The hint may lag (a
 * writer can die between the two steps), so loading probes the versions after it.
 */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

/* Versions probed past the hint before giving up (a hint is at most a few versions behind). */
#define FS_PROBE_MAX 100
#define FS_HINT_MAX 64

typedef struct fs_table {
    floe_fileio *io;
    char *location;
} fs_table;

static char *version_path(floe_arena *a, const fs_table *t, int64_t v)
{
    return floe_arena_sprintf(a, "%s/metadata/v%lld.metadata.json", t->location, (long long)v);
}

static floe_status read_hint(fs_table *t, int64_t *out, floe_err *err)
{
    char *hint = floe_io_join(t->location, "metadata/version-hint.text");
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_io_read_file(t->io, hint, FS_HINT_MAX, &b, err);
    if (st == FLOE_OK) {
        const char *s = floe_buf_cstr(&b);
        char *end = NULL;
        long long v = strtoll(s, &end, 10);
        while (end != NULL && (*end == '\n' || *end == '\r' || *end == ' ')) {
            end++;
        }
        if (end == s || end == NULL || *end != '\0' || v < 1) {
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "%s: not a version number", hint);
        } else {
            *out = v;
        }
    }
    floe_buf_fini(&b);
    free(hint);
    return st;
}

/* The latest version: the hint, then probing forward while v<N+1> exists. */
static floe_status latest_version(fs_table *t, floe_arena *a, int64_t *out, floe_err *err)
{
    int64_t v = 0;
    floe_err herr = {0};
    floe_status st = read_hint(t, &v, &herr);
    if (st == FLOE_ERR_NOT_FOUND) {
        v = 0; /* no hint: probe from version 1 */
    } else if (st != FLOE_OK) {
        *err = herr;
        return st;
    }
    for (int i = 0; i < FS_PROBE_MAX; i++) {
        bool exists = false;
        st = floe_io_exists(t->io, version_path(a, t, v + 1), &exists, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (!exists) {
            break;
        }
        v++;
    }
    if (v == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND,
                            "no table at %s (no metadata/v1.metadata.json)", t->location);
    }
    *out = v;
    return FLOE_OK;
}

static floe_status fs_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    fs_table *t = ctx;
    int64_t v = 0;
    floe_status st = latest_version(t, a, &v, err);
    if (st == FLOE_OK) {
        st = floe_iceberg_read_metadata(a, t->io, version_path(a, t, v), out, err);
    }
    return st;
}

static floe_status write_hint(fs_table *t, int64_t v, floe_err *err)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%lld", (long long)v);
    char *hint = floe_io_join(t->location, "metadata/version-hint.text");
    floe_status st =
        floe_io_write_file(t->io, hint, FLOE_IO_CREATE_OVERWRITE, text, (size_t)n, err);
    free(hint);
    return st;
}

static floe_status fs_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                             size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                             floe_table_meta **out, floe_err *err)
{
    fs_table *t = ctx;
    int64_t v = 0;
    floe_table_meta *cur = NULL;
    floe_status st = latest_version(t, a, &v, err);
    const char *cur_path = st == FLOE_OK ? version_path(a, t, v) : NULL;
    if (st == FLOE_OK) {
        st = floe_iceberg_read_metadata(a, t->io, cur_path, &cur, err);
    }
    if (st == FLOE_OK) {
        st = floe_ice_requirements_check(cur, reqs, n_reqs, err);
    }
    floe_table_meta *next = NULL;
    if (st == FLOE_OK) {
        floe_ice_apply_opts o = {.now_ms = floe_time_now_us() / 1000, .base_location = cur_path};
        st = floe_ice_updates_apply(a, cur, ups, n_ups, &o, &next, NULL, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    const char *path = version_path(a, t, v + 1);
    floe_err werr = {0};
    st = floe_iceberg_write_metadata(t->io, path, next, &werr);
    if (st == FLOE_ERR_EXISTS) {
        return floe_err_set(err, FLOE_ERR_CONFLICT, "%s was committed concurrently (version %lld)",
                            t->location, (long long)v + 1);
    }
    if (st != FLOE_OK) {
        *err = werr;
        return st;
    }
    /* The version is committed; a failed hint only makes the next load probe further. */
    floe_err herr = {0};
    (void)write_hint(t, v + 1, &herr);
    next->metadata_location = path;
    if (out != NULL) {
        *out = next;
    }
    return FLOE_OK;
}

static const floe_ice_catalog_ops FS_OPS = {.load = fs_load, .commit = fs_commit};

floe_status floe_fs_table_open(floe_fileio *io, const char *location, floe_ice_catalog *out,
                               floe_err *err)
{
    memset(out, 0, sizeof(*out));
    if (location == NULL || location[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "table location is empty");
    }
    fs_table *t = floe_xcalloc(1, sizeof(*t));
    t->io = io;
    size_t n = strlen(location);
    while (n > 1 && location[n - 1] == '/') {
        n--;
    }
    t->location = floe_xstrndup(location, n);
    *out = (floe_ice_catalog){.ops = &FS_OPS, .ctx = t, .io = io};
    return FLOE_OK;
}

floe_status floe_fs_table_create(floe_fileio *io, const char *location, const floe_table_meta *meta,
                                 floe_ice_catalog *out, floe_err *err)
{
    floe_status st = floe_fs_table_open(io, location, out, err);
    if (st != FLOE_OK) {
        return st;
    }
    fs_table *t = out->ctx;
    floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    int64_t v = 0;
    floe_err lerr = {0};
    if (latest_version(t, a, &v, &lerr) == FLOE_OK) {
        st = floe_err_set(err, FLOE_ERR_EXISTS, "a table exists at %s (version %lld)", t->location,
                          (long long)v);
    } else {
        st = floe_iceberg_write_metadata(io, version_path(a, t, 1), meta, err);
        if (st == FLOE_ERR_EXISTS) {
            floe_err_wrap(err, "create table at %s", t->location);
        } else if (st == FLOE_OK) {
            st = write_hint(t, 1, err);
        }
    }
    floe_arena_free(a);
    if (st != FLOE_OK) {
        floe_fs_table_free(out);
    }
    return st;
}

void floe_fs_table_free(floe_ice_catalog *c)
{
    if (c == NULL || c->ctx == NULL) {
        return;
    }
    fs_table *t = c->ctx;
    free(t->location);
    free(t);
    c->ctx = NULL;
    c->ops = NULL;
}
