/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One table of a catalog as a floe_ice_catalog with whole-metadata compare-and-swap: a commit
 * applies its updates to exactly the version the last load returned and swaps the metadata
 * location only when the table is still at that version. Any commit in between, of any kind,
 * makes it fail with FLOE_ERR_CONFLICT; the caller loads again and decides again.
 *
 * floe_catalog_commit_updates (the REST path) is deliberately looser: it re-applies updates
 * onto whatever is current when the requirements still hold. For table maintenance that is not
 * enough. Expiration's remove-snapshots drops every ref that points at a removed snapshot, and
 * no REST requirement can say "no new ref points at these snapshots", so a tag created
 * concurrently on an expiring snapshot would silently go, and its files after it.
 */
#include "catalog_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct ice_table {
    catalog_table_ref ref; /* first (catalog_table_serialize); the ident a deep copy */
    floe_arena *own;       /* holds `id` */
    char *loaded;          /* metadata location of the last load (heap); NULL before the first */
} ice_table;

static floe_status ice_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    ice_table *t = ctx;
    floe_table_version v;
    floe_status st = floe_catalog_table_load(t->ref.c, a, &t->ref.id, &v, err);
    if (st == FLOE_OK) {
        st = floe_table_meta_dup(a, v.meta, out, err);
    }
    if (st == FLOE_OK) {
        (*out)->metadata_location = floe_arena_strdup(a, v.metadata_location);
        free(t->loaded);
        t->loaded = floe_xstrdup(v.metadata_location);
    }
    return st;
}

static floe_status ice_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                              size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                              floe_table_meta **out, floe_err *err)
{
    ice_table *t = ctx;
    if (t->loaded == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "commit before any load of the table");
    }
    floe_table_version v;
    floe_status st = floe_catalog_table_load(t->ref.c, a, &t->ref.id, &v, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (strcmp(v.metadata_location, t->loaded) != 0) {
        return floe_err_set(err, FLOE_ERR_CONFLICT,
                            "table %s changed since it was loaded (now at %s)",
                            floe_ident_display(a, &t->ref.id), v.metadata_location);
    }
    st = floe_ice_requirements_check(v.meta, reqs, n_reqs, err);
    floe_table_meta *next = NULL;
    bool changed = false;
    if (st == FLOE_OK) {
        floe_ice_apply_opts ao = {.now_ms = floe_time_now_us() / 1000,
                                  .base_location = v.metadata_location};
        st = floe_ice_updates_apply(a, v.meta, ups, n_ups, &ao, &next, &changed, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    if (!changed) {
        if (out != NULL) {
            *out = next;
            next->metadata_location = floe_arena_strdup(a, v.metadata_location);
        }
        return FLOE_OK;
    }
    int64_t fv = catalog_file_version(v.metadata_location);
    const char *codec = floe_table_meta_property(next, "write.metadata.compression-codec");
    bool gz = codec != NULL && strcasecmp(codec, "gzip") == 0;
    const char *file =
        floe_iceberg_metadata_file_name(a, next, fv >= 0 ? fv + 1 : v.info.version, gz);
    if (file == NULL) {
        return floe_arena_check(a, err);
    }
    st = floe_iceberg_write_metadata(floe_catalog_io(t->ref.c), file, next, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "write metadata %s", file);
    }
    st = floe_catalog_table_commit(t->ref.c, &t->ref.id, v.metadata_location, file, NULL, err);
    if (st == FLOE_ERR_STATE_UNKNOWN) {
        return st; /* the swap may have happened: the file stays */
    }
    if (st != FLOE_OK) {
        floe_io_delete(floe_catalog_io(t->ref.c), file, NULL);
        return st;
    }
    free(t->loaded);
    t->loaded = floe_xstrdup(file);
    if (out != NULL) {
        next->metadata_location = file;
        *out = next;
    }
    return FLOE_OK;
}

static const floe_ice_catalog_ops ice_table_ops = {ice_load, ice_commit, catalog_table_serialize};

floe_status floe_catalog_ice_open(floe_catalog *c, const floe_ident *id, floe_ice_catalog *out,
                                  floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    ice_table *t = floe_xcalloc(1, sizeof(*t));
    t->ref.c = c;
    t->own = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char **levels = floe_arena_calloc(t->own, id->ns.n + 1, sizeof(*levels));
    for (size_t i = 0; levels != NULL && i < id->ns.n; i++) {
        levels[i] = floe_arena_strdup(t->own, id->ns.levels[i]);
    }
    t->ref.id = (floe_ident){{levels, id->ns.n}, floe_arena_strdup(t->own, id->name)};
    st = floe_arena_check(t->own, err);
    if (st != FLOE_OK) {
        floe_arena_free(t->own);
        free(t);
        return st;
    }
    *out = (floe_ice_catalog){&ice_table_ops, t, floe_catalog_io(c)};
    return FLOE_OK;
}

void floe_catalog_ice_close(floe_ice_catalog *ic)
{
    if (ic == NULL || ic->ctx == NULL) {
        return;
    }
    ice_table *t = ic->ctx;
    free(t->loaded);
    floe_arena_free(t->own);
    free(t);
    ic->ctx = NULL;
}
