/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg write path of the catalog: create table, commit (requirements + updates) and
 * multi-table transactions. The REST handlers and in-process writers call these, so there is
 * one commit algorithm (the one of Java's CatalogHandlers, made atomic for transactions):
 *
 *   load current -> check requirements -> apply updates -> unchanged? done
 *   -> write the next metadata file (exclusive create) -> compare-and-swap the location
 *   -> lost? delete the file, rebuild on what won (requirements checked again)
 *
 * Outcomes are kept precise because clients act on them: a commit that certainly failed
 * deletes its file and reports an ordinary error (409 for the REST client, which then
 * refreshes and retries); only when the store cannot say whether the swap happened is the file
 * kept and FLOE_ERR_STATE_UNKNOWN returned (the client must not clean up anything).
 */
#include "catalog_int.h"

#include "floe/compress.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ==== Helpers ==== */

static int64_t now_ms(void)
{
    return floe_time_now_us() / 1000;
}

/*
 * The version number of a metadata file name "<dir>/<digits>-<anything>.metadata.json"
 * (Java's parseVersion), or -1 when the name has no such prefix.
 */
int64_t catalog_file_version(const char *location)
{
    const char *slash = strrchr(location, '/');
    const char *p = slash != NULL ? slash + 1 : location;
    int64_t v = 0;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9') {
        if (digits == 12) {
            return -1;
        }
        v = v * 10 + (p[digits] - '0');
        digits++;
    }
    return digits > 0 && p[digits] == '-' ? v : -1;
}

/* Delete a file this commit wrote and no table points at; failures only leave an orphan. */
static void delete_quietly(floe_catalog *c, const char *location)
{
    floe_err derr = {0};
    floe_status st = floe_io_delete(floe_catalog_io(c), location, &derr);
    if (st != FLOE_OK && st != FLOE_ERR_NOT_FOUND) {
        FLOE_LOG_WARN("catalog", "could not delete the unused metadata file %s: %s", location,
                      derr.msg);
    }
}

static bool wants_gzip(const floe_table_meta *m)
{
    const char *codec = floe_table_meta_property(m, "write.metadata.compression-codec");
    return codec != NULL && strcasecmp(codec, "gzip") == 0;
}

/* A new version serialised and written: its file, its text. */
typedef struct written {
    const char *location;
    floe_str json;
} written;

/*
 * Write `m` as version `version` of its table: name the file, serialise, compress when asked,
 * exclusive create. `json` receives the uncompressed text (in `a`).
 */
static floe_status write_version(floe_catalog *c, floe_arena *a, const floe_table_meta *m,
                                 int64_t version, written *out, floe_err *err)
{
    bool gz = wants_gzip(m);
    const char *file = floe_iceberg_metadata_file_name(a, m, version, gz);
    if (file == NULL) {
        return floe_arena_check(a, err);
    }
    floe_buf text;
    floe_buf_init(&text, 0);
    floe_status st = floe_table_meta_write_json(m, false, &text, err);
    if (st == FLOE_OK) {
        out->json.ptr = floe_arena_memdup(a, text.data != NULL ? text.data : "", text.len + 1);
        out->json.len = text.len;
        st = floe_arena_check(a, err);
    }
    if (st == FLOE_OK && gz) {
        floe_buf z;
        floe_buf_init(&z, 0);
        st = floe_compress(FLOE_CODEC_GZIP, 0, text.data, text.len, &z, err);
        floe_buf_fini(&text);
        text = z;
    }
    if (st == FLOE_OK) {
        st = floe_io_write_file(floe_catalog_io(c), file, FLOE_IO_CREATE_EXCLUSIVE, text.data,
                                text.len, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "write metadata %s", file);
        }
    }
    floe_buf_fini(&text);
    out->location = file;
    return st;
}

/*
 * Check where a new version puts files: the table location and the metadata directory must be
 * allowed when they are new (a create) or moved (set-location, write.metadata.path). A table
 * already living outside the warehouse (registered there) keeps its place.
 */
static floe_status check_moves(floe_catalog *c, const floe_table_meta *base,
                               const floe_table_meta *next, const char *file, floe_err *err)
{
    if (base == NULL || strcmp(base->location, next->location) != 0) {
        floe_status st = floe_catalog_check_location(c, next->location, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    const char *was = base != NULL ? floe_table_meta_property(base, "write.metadata.path") : NULL;
    const char *now = floe_table_meta_property(next, "write.metadata.path");
    bool moved = base == NULL || strcmp(base->location, next->location) != 0 ||
                 (now != NULL && (was == NULL || strcmp(was, now) != 0));
    if (moved) {
        floe_status st = floe_catalog_check_location(c, file, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "write.metadata.path");
        }
    }
    return FLOE_OK;
}

static bool has_assert_create(const floe_ice_requirement *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (reqs[i].kind == FLOE_ICE_REQ_ASSERT_CREATE) {
            return true;
        }
    }
    return false;
}

static floe_status check_create_reqs(const floe_ice_requirement *reqs, size_t n, floe_err *err)
{
    if (has_assert_create(reqs, n) && n > 1) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "assert-create cannot be combined with other requirements");
    }
    return FLOE_OK;
}

/* ==== One table's state during a commit ==== */

typedef struct table_step {
    const floe_ident *id;
    bool create;           /* assert-create: the table must not exist */
    floe_object_info info; /* the row (when it exists) */
    meta_file *base_file;  /* its current file (a reference), NULL on create */
    const floe_table_meta *base;
    floe_table_meta *next; /* after the updates (in the caller's arena) */
    bool changed;
    written w; /* the new file, once written */
    bool wrote;
} table_step;

static void step_release(table_step *s)
{
    meta_file_unref(s->base_file);
    s->base_file = NULL;
    s->base = NULL;
}

/*
 * Load the table, check the requirements and apply the updates: everything up to writing.
 * FLOE_ERR_CONFLICT for a failed requirement; FLOE_ERR_NOT_FOUND for a missing table.
 */
static floe_status step_prepare(floe_catalog *c, floe_arena *a, table_step *s,
                                const floe_ice_requirement *reqs, size_t n_reqs,
                                const floe_ice_update *updates, size_t n_updates, floe_err *err)
{
    const char *name = floe_ident_display(a, s->id);
    s->create = has_assert_create(reqs, n_reqs);
    floe_status st = floe_store_object_load(floe_catalog_store(c), a, floe_catalog_name(c),
                                            FLOE_OBJECT_TABLE, s->id, &s->info, err);
    if (st == FLOE_ERR_NOT_FOUND && s->create) {
        floe_err_clear(err);
        st = FLOE_OK;
    } else if (st == FLOE_OK && s->create) {
        return floe_err_set(err, FLOE_ERR_CONFLICT, "Requirement failed: table %s already exists",
                            name);
    } else if (st == FLOE_OK) {
        st = catalog_meta_file(c, s->info.metadata_location, &s->base_file, err);
        if (st == FLOE_ERR_NOT_FOUND) {
            /* The row names a file that is gone: damage, not a missing table. */
            floe_err e2 = {0};
            st = floe_err_set(&e2, FLOE_ERR_CORRUPT, "table %s points at a missing file: %s", name,
                              err != NULL ? err->msg : "");
            if (err != NULL) {
                *err = e2;
            }
        }
        if (st == FLOE_OK) {
            st = meta_file_parsed(s->base_file, &s->base, err);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    st = floe_ice_requirements_check(s->base, reqs, n_reqs, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_ice_apply_opts ao = {.now_ms = now_ms(),
                              .base_location = s->base != NULL ? s->info.metadata_location : NULL};
    st = floe_ice_updates_apply(a, s->base, updates, n_updates, &ao, &s->next, &s->changed, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (s->base == NULL) {
        s->changed = true; /* a create always writes its first file */
    }
    return FLOE_OK;
}

/* Write the new metadata file of a changed table (after checking where it goes). */
static floe_status step_write(floe_catalog *c, floe_arena *a, table_step *s, floe_err *err)
{
    int64_t version = 0;
    if (s->base != NULL) {
        int64_t v = catalog_file_version(s->info.metadata_location);
        version = v >= 0 ? v + 1 : s->info.version;
    }
    /* Name the file first: check_moves needs its directory. */
    const char *probe = floe_iceberg_metadata_file_name(a, s->next, version, wants_gzip(s->next));
    if (probe == NULL) {
        return floe_arena_check(a, err);
    }
    floe_status st = check_moves(c, s->base, s->next, probe, err);
    if (st == FLOE_OK) {
        st = write_version(c, a, s->next, version, &s->w, err);
        s->wrote = st == FLOE_OK;
    }
    return st;
}

/* Fill the result for a table that is now at `s->w` (or unchanged at its base). */
static void step_result(floe_arena *a, const table_step *s, floe_table_version *out)
{
    memset(out, 0, sizeof(*out));
    out->info = s->info;
    out->changed = s->changed;
    out->created = s->base == NULL;
    out->meta = s->next;
    if (s->changed) {
        out->metadata_location = s->w.location;
        out->metadata_json = s->w.json;
        out->previous_location = s->base != NULL ? s->info.metadata_location : NULL;
        out->info.previous_metadata_location = out->previous_location;
        out->info.metadata_location = s->w.location;
        out->info.version = s->base != NULL ? s->info.version + 1 : 1;
        out->info.updated_ms = s->next->last_updated_ms;
        if (s->base == NULL) {
            out->info.created_ms = out->info.updated_ms;
        }
    } else {
        floe_str text = meta_file_json(s->base_file);
        out->metadata_location = s->info.metadata_location;
        out->metadata_json.ptr = floe_arena_memdup(a, text.ptr, text.len + 1);
        out->metadata_json.len = text.len;
    }
}

/*
 * After FLOE_ERR_STATE_UNKNOWN from the store: look at the row once more. When it points at
 * our file the swap happened. Anything else stays unknown (the swap may have happened and been
 * followed by another commit), so the file is kept.
 */
static bool swap_happened(floe_catalog *c, floe_arena *a, const floe_ident *id, const char *file)
{
    floe_object_info now;
    floe_err lerr = {0};
    return floe_store_object_load(floe_catalog_store(c), a, floe_catalog_name(c), FLOE_OBJECT_TABLE,
                                  id, &now, &lerr) == FLOE_OK &&
           strcmp(now.metadata_location, file) == 0;
}

/* ==== Commit one table ==== */

/* floe_catalog_commit_updates with the table's commit lock held and the input checked. */
static floe_status commit_updates_locked(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                         const floe_ice_requirement *reqs, size_t n_reqs,
                                         const floe_ice_update *updates, size_t n_updates,
                                         floe_table_version *out, floe_err *err)
{
    floe_status st;
    const char *name = floe_ident_display(a, id);
    for (int attempt = 1;; attempt++) {
        table_step s = {.id = id};
        st = step_prepare(c, a, &s, reqs, n_reqs, updates, n_updates, err);
        if (st == FLOE_OK && !s.changed) {
            step_result(a, &s, out);
            out->attempts = attempt;
            step_release(&s);
            return FLOE_OK;
        }
        if (st == FLOE_OK) {
            st = step_write(c, a, &s, err);
        }
        if (st != FLOE_OK) {
            step_release(&s);
            return floe_err_wrap(err, "commit to table %s", name);
        }
        if (s.base == NULL) {
            st = floe_catalog_table_create(c, id, s.w.location, err);
            if (st == FLOE_ERR_EXISTS) {
                /* Created concurrently (or a view holds the name): assert-create failed. */
                floe_err_clear(err);
                st = floe_err_set(err, FLOE_ERR_CONFLICT,
                                  "Requirement failed: table %s already exists", name);
            }
        } else {
            st =
                floe_catalog_table_commit(c, id, s.info.metadata_location, s.w.location, NULL, err);
        }
        if (st == FLOE_ERR_STATE_UNKNOWN && swap_happened(c, a, id, s.w.location)) {
            floe_err_clear(err);
            FLOE_LOG_WARN("catalog",
                          "commit to %s: the store lost its connection after the "
                          "swap, which did happen",
                          name);
            st = FLOE_OK;
        }
        if (st == FLOE_OK) {
            catalog_meta_remember(c, s.w.location, s.w.json, s.next->location);
            step_result(a, &s, out);
            out->attempts = attempt;
            step_release(&s);
            return FLOE_OK;
        }
        step_release(&s);
        if (st == FLOE_ERR_STATE_UNKNOWN) {
            return floe_err_wrap(err, "commit to table %s: metadata %s may or may not be current",
                                 name, s.w.location);
        }
        delete_quietly(c, s.w.location);
        bool lost_swap = st == FLOE_ERR_CONFLICT && s.base != NULL;
        if (!lost_swap || attempt >= FLOE_COMMIT_ATTEMPTS) {
            return floe_err_wrap(err, "commit to table %s%s", name,
                                 lost_swap ? " (concurrent commits kept winning)" : "");
        }
        FLOE_LOG_DEBUG("catalog", "commit to %s lost the swap (attempt %d); rebuilding", name,
                       attempt);
        floe_err_clear(err);
    }
}

floe_status floe_catalog_commit_updates(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                        const floe_ice_requirement *reqs, size_t n_reqs,
                                        const floe_ice_update *updates, size_t n_updates,
                                        floe_table_version *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_ident_check(id, err);
    if (st == FLOE_OK) {
        st = check_create_reqs(reqs, n_reqs, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    floe_catalog_commit_lock(c, id);
    st = commit_updates_locked(c, a, id, reqs, n_reqs, updates, n_updates, out, err);
    floe_catalog_commit_unlock(c, id);
    return st;
}

/* ==== Create table ==== */

/* The request's properties over the catalog's `table.*` defaults (request wins). */
static floe_kv *merge_defaults(floe_catalog *c, floe_arena *a, const floe_kv *props, size_t n,
                               size_t *out_n)
{
    size_t nd = 0;
    floe_kv *defs = floe_catalog_table_defaults(c, a, &nd);
    floe_kv *all = floe_arena_calloc(a, nd + n + 1, sizeof(floe_kv));
    if (all == NULL || defs == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < nd; i++) {
        bool overridden = false;
        for (size_t j = 0; j < n && !overridden; j++) {
            overridden = strcmp(props[j].key, defs[i].key) == 0;
        }
        if (!overridden) {
            all[k++] = defs[i];
        }
    }
    for (size_t j = 0; j < n; j++) {
        all[k++] = props[j];
    }
    *out_n = k;
    return all;
}

floe_status floe_catalog_create_table(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                      const floe_ice_create_opts *opts, floe_table_version *out,
                                      floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *name = floe_ident_display(a, id);
    floe_store *store = floe_catalog_store(c);
    /* Fail early (and for stage-create, which writes nothing) on a missing namespace or an
     * existing name; the insert below decides races. */
    st = floe_store_namespace_load(store, a, floe_catalog_name(c), &id->ns, NULL, NULL, err);
    if (st == FLOE_OK) {
        for (int k = 0; k < 2 && st == FLOE_OK; k++) {
            floe_object_kind kind = k == 0 ? FLOE_OBJECT_TABLE : FLOE_OBJECT_VIEW;
            floe_err lerr = {0};
            floe_status ls =
                floe_store_object_load(store, a, floe_catalog_name(c), kind, id, NULL, &lerr);
            if (ls == FLOE_OK) {
                st = floe_err_set(err, FLOE_ERR_EXISTS, "%s %s already exists",
                                  floe_object_kind_name(kind), name);
            } else if (ls != FLOE_ERR_NOT_FOUND) {
                st = floe_err_set(err, ls, "%s", lerr.msg);
            }
        }
    }
    floe_ice_create_opts o = *opts;
    if (st == FLOE_OK) {
        o.properties = merge_defaults(c, a, opts->properties, opts->n_properties, &o.n_properties);
        o.location =
            opts->location != NULL ? opts->location : floe_catalog_default_location(c, a, id);
        if (o.properties == NULL || o.location == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    if (st == FLOE_OK && opts->location != NULL) {
        st = floe_catalog_check_location(c, opts->location, err);
    }
    if (o.now_ms == 0) {
        o.now_ms = now_ms();
    }
    floe_table_meta *m = NULL;
    if (st == FLOE_OK) {
        st = floe_ice_table_create(a, &o, &m, err);
    }
    table_step s = {.id = id, .create = true, .next = m, .changed = true};
    if (st == FLOE_OK && opts->stage_create) {
        /* Staged: the metadata goes back to the client, nothing is written or registered. */
        floe_buf text;
        floe_buf_init(&text, 0);
        st = floe_table_meta_write_json(m, false, &text, err);
        if (st == FLOE_OK) {
            out->metadata_json.ptr =
                floe_arena_memdup(a, text.data != NULL ? text.data : "", text.len + 1);
            out->metadata_json.len = text.len;
            out->meta = m;
            out->created = false;
            out->changed = false;
            st = floe_arena_check(a, err);
        }
        floe_buf_fini(&text);
        return st != FLOE_OK ? floe_err_wrap(err, "stage-create table %s", name) : FLOE_OK;
    }
    if (st == FLOE_OK) {
        st = step_write(c, a, &s, err);
    }
    if (st == FLOE_OK) {
        st = floe_catalog_table_create(c, id, s.w.location, err);
        if (st == FLOE_ERR_STATE_UNKNOWN && swap_happened(c, a, id, s.w.location)) {
            floe_err_clear(err);
            st = FLOE_OK;
        }
        if (st == FLOE_OK) {
            catalog_meta_remember(c, s.w.location, s.w.json, m->location);
            step_result(a, &s, out);
            out->attempts = 1;
            return FLOE_OK;
        }
        if (st != FLOE_ERR_STATE_UNKNOWN) {
            delete_quietly(c, s.w.location);
        }
    }
    return floe_err_wrap(err, "create table %s", name);
}

/* ==== Multi-table transactions ==== */

static int ident_cmp(const floe_ident *x, const floe_ident *y)
{
    if (x->ns.n != y->ns.n) {
        return x->ns.n < y->ns.n ? -1 : 1;
    }
    for (size_t i = 0; i < x->ns.n; i++) {
        int d = strcmp(x->ns.levels[i], y->ns.levels[i]);
        if (d != 0) {
            return d;
        }
    }
    return strcmp(x->name, y->name);
}

floe_status floe_catalog_commit_transaction(floe_catalog *c, floe_arena *a,
                                            const floe_table_change *changes, size_t n,
                                            size_t *failed, floe_table_version *out, floe_err *err)
{
    size_t failed_local = 0;
    if (failed == NULL) {
        failed = &failed_local;
    }
    *failed = 0;
    for (size_t i = 0; i < n; i++) {
        *failed = i;
        floe_status st = floe_ident_check(&changes[i].id, err);
        if (st == FLOE_OK) {
            st = check_create_reqs(changes[i].reqs, changes[i].n_reqs, err);
        }
        for (size_t j = 0; st == FLOE_OK && j < i; j++) {
            if (ident_cmp(&changes[i].id, &changes[j].id) == 0) {
                st = floe_err_set(err, FLOE_ERR_INVALID, "table %s appears twice in one commit",
                                  floe_ident_display(a, &changes[i].id));
            }
        }
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (n == 0) {
        return FLOE_OK;
    }
    table_step *steps = floe_arena_calloc(a, n, sizeof(*steps));
    floe_swap *swaps = floe_arena_calloc(a, n, sizeof(*swaps));
    size_t *swap_of = floe_arena_calloc(a, n, sizeof(*swap_of));
    if (steps == NULL || swaps == NULL || swap_of == NULL) {
        return floe_arena_check(a, err);
    }
    for (int attempt = 1;; attempt++) {
        floe_status st = FLOE_OK;
        memset(steps, 0, n * sizeof(*steps));
        for (size_t i = 0; st == FLOE_OK && i < n; i++) {
            *failed = i;
            steps[i].id = &changes[i].id;
            st = step_prepare(c, a, &steps[i], changes[i].reqs, changes[i].n_reqs,
                              changes[i].updates, changes[i].n_updates, err);
            if (st == FLOE_OK && steps[i].changed) {
                st = step_write(c, a, &steps[i], err);
            }
            if (st != FLOE_OK) {
                floe_err_wrap(err, "table %s", floe_ident_display(a, &changes[i].id));
            }
        }
        size_t ns = 0;
        for (size_t i = 0; st == FLOE_OK && i < n; i++) {
            if (steps[i].changed) {
                swap_of[ns] = i;
                swaps[ns++] = (floe_swap){
                    changes[i].id, steps[i].base != NULL ? steps[i].info.metadata_location : NULL,
                    steps[i].w.location};
            }
        }
        size_t bad = 0;
        bool swapped = false;
        if (st == FLOE_OK && ns > 0) {
            swapped = true;
            st = floe_catalog_tables_commit(c, swaps, ns, &bad, err);
            if (st != FLOE_OK) {
                *failed = swap_of[bad];
            }
            if (st == FLOE_ERR_STATE_UNKNOWN &&
                swap_happened(c, a, &swaps[0].id, swaps[0].location)) {
                /* One transaction: the first swap happened, so all of them did. */
                floe_err_clear(err);
                st = FLOE_OK;
            }
        }
        if (st == FLOE_OK) {
            for (size_t i = 0; i < n; i++) {
                if (steps[i].changed) {
                    catalog_meta_remember(c, steps[i].w.location, steps[i].w.json,
                                          steps[i].next->location);
                }
                if (out != NULL) {
                    step_result(a, &steps[i], &out[i]);
                    out[i].attempts = attempt;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (st != FLOE_OK && st != FLOE_ERR_STATE_UNKNOWN && steps[i].wrote) {
                delete_quietly(c, steps[i].w.location);
            }
            step_release(&steps[i]);
        }
        if (st == FLOE_OK) {
            return FLOE_OK;
        }
        if (st == FLOE_ERR_STATE_UNKNOWN) {
            return floe_err_wrap(err, "transaction: the outcome is unknown");
        }
        /* Only a lost swap is worth rebuilding; a failed requirement is the answer. */
        bool lost_swap = swapped && st == FLOE_ERR_CONFLICT;
        if (!lost_swap || attempt >= FLOE_COMMIT_ATTEMPTS) {
            return floe_err_wrap(err, "transaction");
        }
        floe_err_clear(err);
    }
}

/* ==== The Iceberg library's catalog interface over one table ==== */

static floe_status ice_table_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    catalog_table_ref *t = ctx;
    floe_table_version v;
    floe_status st = floe_catalog_table_load(t->c, a, &t->id, &v, err);
    /* The metadata lives in `a`, which the caller owns: handing it out mutable is safe. */
    *out = st == FLOE_OK ? (floe_table_meta *)v.meta : NULL;
    return st;
}

static floe_status ice_table_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                                    size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                                    floe_table_meta **out, floe_err *err)
{
    catalog_table_ref *t = ctx;
    floe_table_version v;
    floe_status st =
        floe_catalog_commit_updates(t->c, a, &t->id, reqs, n_reqs, ups, n_ups, &v, err);
    if (out != NULL) {
        *out = st == FLOE_OK ? (floe_table_meta *)v.meta : NULL;
    }
    return st;
}

void catalog_table_serialize(void *ctx, bool on)
{
    const catalog_table_ref *t = ctx;
    if (on) {
        floe_catalog_commit_lock(t->c, &t->id);
    } else {
        floe_catalog_commit_unlock(t->c, &t->id);
    }
}

static const floe_ice_catalog_ops ICE_TABLE_OPS = {
    .load = ice_table_load, .commit = ice_table_commit, .serialize = catalog_table_serialize};

floe_status floe_catalog_ice_table(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                   floe_ice_catalog *out, floe_err *err)
{
    catalog_table_ref *t = floe_arena_calloc(a, 1, sizeof(*t));
    const char **levels = floe_arena_calloc(a, id->ns.n + 1, sizeof(char *));
    if (t == NULL || levels == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < id->ns.n; i++) {
        levels[i] = floe_arena_strdup(a, id->ns.levels[i]);
    }
    t->c = c;
    t->id = (floe_ident){.ns = {levels, id->ns.n}, .name = floe_arena_strdup(a, id->name)};
    if (floe_arena_failed(a)) {
        return floe_arena_check(a, err);
    }
    *out = (floe_ice_catalog){.ops = &ICE_TABLE_OPS, .ctx = t, .io = floe_catalog_io(c)};
    return FLOE_OK;
}
