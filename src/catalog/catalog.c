/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Catalog operations: one configured catalog over the store and a FileIO. This is where rows
 * meet files: reading a table's metadata JSON, the warehouse layout of default locations,
 * registering an existing metadata file, and drop with purge. The Iceberg commit path calls
 * floe_catalog_table_create / _commit / _tables_commit once it has written a metadata file.
 */
#include "catalog_int.h"

#include "floe/compress.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct listener {
    floe_change_fn fn;
    void *ud;
} listener;

struct floe_catalog {
    char *name;
    char *warehouse; /* no trailing '/' */
    floe_kv *props;  /* heap copies */
    size_t n_props;
    floe_store *store;
    floe_fileio *io;
    bool allow_external;
    meta_cache *cache;       /* NULL when disabled */
    pthread_rwlock_t lis_mu; /* readers: notifications; writers: add/remove */
    listener *listeners;     /* heap */
    size_t n_listeners;
    /* Commit locks, one per stripe of table names (recursive: the holder commits through
     * floe_catalog_commit_updates, which takes the same lock). */
    pthread_mutex_t commit_mu[FLOE_CATALOG_COMMIT_STRIPES];
};

bool floe_catalog_name_valid(const char *name)
{
    size_t len = name != NULL ? strlen(name) : 0;
    if (len == 0 || len > FLOE_CATALOG_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* A plain absolute path, or a URI with a scheme ("file:/...", "s3://..."). */
bool catalog_location_absolute(const char *loc)
{
    if (loc[0] == '/') {
        return true;
    }
    const char *colon = strchr(loc, ':');
    if (colon == NULL || colon == loc) {
        return false;
    }
    for (const char *p = loc; p < colon; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (p > loc && ((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')))) {
            return false;
        }
    }
    return colon - loc >= 2;
}

void floe_catalog_close(floe_catalog *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n_props; i++) {
        free((char *)c->props[i].key);
        free((char *)c->props[i].value);
    }
    free(c->props);
    free(c->warehouse);
    free(c->name);
    meta_cache_free(c->cache);
    pthread_rwlock_destroy(&c->lis_mu);
    for (size_t i = 0; i < FLOE_CATALOG_COMMIT_STRIPES; i++) {
        pthread_mutex_destroy(&c->commit_mu[i]);
    }
    free(c->listeners);
    free(c);
}

/* The stripe of a table's commit lock: a hash of its namespace levels and name. */
static pthread_mutex_t *commit_mutex(floe_catalog *c, const floe_ident *id)
{
    uint64_t h = 0;
    for (size_t i = 0; i < id->ns.n; i++) {
        h = floe_xxh64(id->ns.levels[i], strlen(id->ns.levels[i]), h + 1);
    }
    h = floe_xxh64(id->name, strlen(id->name), h + 2);
    return &c->commit_mu[h % FLOE_CATALOG_COMMIT_STRIPES];
}

void floe_catalog_commit_lock(floe_catalog *c, const floe_ident *id)
{
    pthread_mutex_lock(commit_mutex(c, id));
}

void floe_catalog_commit_unlock(floe_catalog *c, const floe_ident *id)
{
    pthread_mutex_unlock(commit_mutex(c, id));
}

floe_status floe_catalog_open(floe_store *store, floe_fileio *io, const floe_catalog_def *def,
                              floe_catalog **out, floe_err *err)
{
    *out = NULL;
    if (!floe_catalog_name_valid(def->name)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "catalog name '%s' must be 1..%d characters of [A-Za-z0-9_-]",
                            def->name != NULL ? def->name : "", FLOE_CATALOG_NAME_MAX);
    }
    if (def->warehouse == NULL || !catalog_location_absolute(def->warehouse)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "catalog %s: warehouse must be an absolute path or a URI", def->name);
    }
    floe_catalog *c = floe_xcalloc(1, sizeof(*c));
    c->name = floe_xstrdup(def->name);
    size_t wlen = strlen(def->warehouse);
    while (wlen > 1 && def->warehouse[wlen - 1] == '/') {
        wlen--;
    }
    c->warehouse = floe_xstrndup(def->warehouse, wlen);
    c->props = floe_xcalloc(def->n_properties + 1, sizeof(floe_kv));
    for (size_t i = 0; i < def->n_properties; i++) {
        c->props[i].key = floe_xstrdup(def->properties[i].key);
        c->props[i].value = floe_xstrdup(def->properties[i].value);
    }
    c->n_props = def->n_properties;
    c->store = store;
    c->io = io;
    pthread_rwlock_init(&c->lis_mu, NULL);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    for (size_t i = 0; i < FLOE_CATALOG_COMMIT_STRIPES; i++) {
        pthread_mutex_init(&c->commit_mu[i], &ma);
    }
    pthread_mutexattr_destroy(&ma);
    uint64_t cache_size = FLOE_METADATA_CACHE_DEFAULT;
    for (size_t i = 0; i < c->n_props; i++) {
        const char *k = c->props[i].key, *v = c->props[i].value;
        floe_status pst = FLOE_OK;
        if (strcmp(k, FLOE_CATALOG_PROP_EXTERNAL) == 0) {
            pst = floe_parse_bool(v, &c->allow_external, err);
        } else if (strcmp(k, FLOE_CATALOG_PROP_CACHE_SIZE) == 0) {
            pst = floe_parse_size(v, &cache_size, err);
        }
        if (pst != FLOE_OK) {
            floe_err_wrap(err, "catalog %s: property %s", c->name, k);
            floe_catalog_close(c);
            return pst;
        }
    }
    c->cache = cache_size > 0 ? meta_cache_new((size_t)cache_size) : NULL;
    floe_status st = floe_store_catalog_ensure(store, c->name, c->warehouse, err);
    if (st != FLOE_OK) {
        floe_catalog_close(c);
        return st;
    }
    *out = c;
    return FLOE_OK;
}

const char *floe_catalog_name(const floe_catalog *c)
{
    return c->name;
}

const char *floe_catalog_warehouse(const floe_catalog *c)
{
    return c->warehouse;
}

floe_store *floe_catalog_store(const floe_catalog *c)
{
    return c->store;
}

floe_fileio *floe_catalog_io(const floe_catalog *c)
{
    return c->io;
}

const floe_kv *floe_catalog_properties(const floe_catalog *c, size_t *n)
{
    *n = c->n_props;
    return c->props;
}

floe_kv *floe_catalog_table_defaults(const floe_catalog *c, floe_arena *a, size_t *n)
{
    floe_kv *out = floe_arena_calloc(a, c->n_props + 1, sizeof(floe_kv));
    size_t count = 0;
    for (size_t i = 0; out != NULL && i < c->n_props; i++) {
        if (floe_starts_with(c->props[i].key, "table.") && c->props[i].key[6] != '\0') {
            out[count].key = c->props[i].key + 6;
            out[count].value = c->props[i].value;
            count++;
        }
    }
    *n = count;
    return out;
}

/* ==== Locations ==== */

const char *floe_catalog_default_location(const floe_catalog *c, floe_arena *a,
                                          const floe_ident *id)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_str(&b, c->warehouse, NULL);
    bool ok = true;
    for (size_t i = 0; ok && i <= id->ns.n; i++) {
        const char *seg = floe_ident_path_segment(a, i < id->ns.n ? id->ns.levels[i] : id->name);
        ok = seg != NULL;
        if (ok) {
            floe_buf_printf(&b, NULL, "%s%s", strcmp(c->warehouse, "/") == 0 && i == 0 ? "" : "/",
                            seg);
        }
    }
    const char *out = ok ? floe_arena_strdup(a, floe_buf_cstr(&b)) : NULL;
    floe_buf_fini(&b);
    return out;
}

const char *floe_catalog_metadata_file_location(floe_arena *a, const char *table_location,
                                                int64_t seq)
{
    floe_uuid u;
    char us[FLOE_UUID_STR_LEN + 1];
    floe_uuid_v4(&u);
    floe_uuid_format(&u, us);
    size_t len = strlen(table_location);
    while (len > 1 && table_location[len - 1] == '/') {
        len--;
    }
    return floe_arena_sprintf(a, "%.*s/metadata/%05lld-%s.metadata.json", (int)len, table_location,
                              (long long)seq, us);
}

/* ==== Metadata files ==== */

/* Gzip by name (Java's ".gz.metadata.json", or ".metadata.json.gz") or by its magic bytes. */
static bool gzipped(const char *location, const floe_buf *b)
{
    return floe_ends_with(location, ".gz.metadata.json") || floe_ends_with(location, ".gz") ||
           (b->len >= 2 && (uint8_t)b->data[0] == 0x1f && (uint8_t)b->data[1] == 0x8b);
}

floe_status catalog_meta_file(floe_catalog *c, const char *location, meta_file **out, floe_err *err)
{
    *out = c->cache != NULL ? meta_cache_get(c->cache, location) : NULL;
    if (*out != NULL) {
        return FLOE_OK;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_io_read_file(c->io, location, FLOE_METADATA_FILE_MAX, &b, err);
    if (st == FLOE_OK && gzipped(location, &b)) {
        floe_buf plain;
        floe_buf_init(&plain, 0);
        st = floe_decompress_buf(FLOE_CODEC_GZIP, b.data, b.len, FLOE_METADATA_FILE_MAX, &plain,
                                 err);
        floe_buf_fini(&b);
        b = plain;
        if (st == FLOE_ERR_CORRUPT || st == FLOE_ERR_TOO_BIG) {
            st = floe_err_wrap(err, "gzip");
        }
    }
    if (st != FLOE_OK) {
        floe_buf_fini(&b);
        return floe_err_wrap(err, "read metadata %s", location);
    }
    json_error_t jerr;
    json_t *root = json_loadb(b.data != NULL ? b.data : "", b.len, 0, &jerr);
    const char *loc = json_string_value(json_object_get(root, "location"));
    if (root == NULL || !json_is_object(root) || loc == NULL || loc[0] == '\0') {
        st = floe_err_set(err, FLOE_ERR_CORRUPT, "metadata %s: %s", location,
                          root == NULL            ? jerr.text
                          : !json_is_object(root) ? "not a JSON object"
                                                  : "no \"location\"");
        json_decref(root);
        floe_buf_fini(&b);
        return st;
    }
    size_t len = 0;
    floe_buf_append(&b, "", 0, NULL); /* so an empty buffer still detaches a string */
    char *text = floe_buf_detach(&b, &len);
    *out = meta_cache_put(c->cache, location, text, len, loc);
    json_decref(root);
    return FLOE_OK;
}

void catalog_meta_remember(floe_catalog *c, const char *location, floe_str json,
                           const char *table_location)
{
    if (c->cache == NULL) {
        return;
    }
    char *text = floe_xmalloc(json.len + 1);
    memcpy(text, json.ptr, json.len);
    text[json.len] = '\0';
    meta_file_unref(meta_cache_put(c->cache, location, text, json.len, table_location));
}

floe_status floe_catalog_read_metadata(floe_catalog *c, floe_arena *a, const char *location,
                                       floe_str *json, const char **table_location, floe_err *err)
{
    meta_file *f = NULL;
    floe_status st = catalog_meta_file(c, location, &f, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_str text = meta_file_json(f);
    json->ptr = floe_arena_memdup(a, text.ptr, text.len + 1);
    json->len = text.len;
    if (table_location != NULL) {
        *table_location = floe_arena_strdup(a, meta_file_table_location(f));
    }
    meta_file_unref(f);
    if (json->ptr == NULL || (table_location != NULL && *table_location == NULL)) {
        return floe_arena_check(a, err);
    }
    return FLOE_OK;
}

/* A NOT_FOUND for a file named by a row is damage, not a missing table: make it CORRUPT. */
static floe_status missing_file_is_corrupt(floe_status st, floe_err *err)
{
    if (st == FLOE_ERR_NOT_FOUND) {
        floe_err e2 = {0};
        floe_err_set(&e2, FLOE_ERR_CORRUPT, "%s", err != NULL ? err->msg : "metadata missing");
        if (err != NULL) {
            *err = e2;
        }
        st = FLOE_ERR_CORRUPT;
    }
    return st;
}

floe_status floe_catalog_object_load(floe_catalog *c, floe_arena *a, floe_object_kind kind,
                                     const floe_ident *id, floe_loaded_object *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_store_object_load(c->store, a, c->name, kind, id, &out->info, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = floe_catalog_read_metadata(c, a, out->info.metadata_location, &out->metadata_json, NULL,
                                    err);
    st = missing_file_is_corrupt(st, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "load %s %s", floe_object_kind_name(kind), floe_ident_display(a, id));
        return st;
    }
    return FLOE_OK;
}

floe_status floe_catalog_table_load(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                    floe_table_version *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st =
        floe_store_object_load(c->store, a, c->name, FLOE_OBJECT_TABLE, id, &out->info, err);
    if (st != FLOE_OK) {
        return st;
    }
    meta_file *f = NULL;
    st = missing_file_is_corrupt(catalog_meta_file(c, out->info.metadata_location, &f, err), err);
    const floe_table_meta *m = NULL;
    if (st == FLOE_OK) {
        st = meta_file_parsed(f, &m, err);
    }
    if (st == FLOE_OK) {
        floe_table_meta *copy = NULL;
        st = floe_table_meta_dup(a, m, &copy, err);
        out->meta = copy;
    }
    if (st == FLOE_OK) {
        floe_str text = meta_file_json(f);
        out->metadata_json.ptr = floe_arena_memdup(a, text.ptr, text.len + 1);
        out->metadata_json.len = text.len;
        out->metadata_location = out->info.metadata_location;
        st = floe_arena_check(a, err);
    }
    meta_file_unref(f);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "load table %s", floe_ident_display(a, id));
    }
    return FLOE_OK;
}

/* ==== Locations ==== */

/* True when `path` has a "." or ".." segment. */
static bool has_dot_segment(const char *path)
{
    const char *p = path;
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
            return true;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return false;
}

/* Why `location` is not strictly inside the warehouse, or NULL when it is. */
static const char *outside_warehouse(floe_catalog *c, const char *location, floe_err *err)
{
    floe_buf wh, loc;
    floe_buf_init(&wh, 0);
    floe_buf_init(&loc, 0);
    const char *why = NULL;
    if (floe_fileio_resolve(c->io, c->warehouse, &wh, err) != FLOE_OK ||
        floe_fileio_resolve(c->io, location, &loc, err) != FLOE_OK) {
        why = "the location cannot be resolved";
    } else if (has_dot_segment(loc.data) || has_dot_segment(wh.data)) {
        why = "the location has . or .. segments";
    } else {
        size_t wl = wh.len;
        while (wl > 1 && wh.data[wl - 1] == '/') {
            wl--;
        }
        if (!(loc.len > wl + 1 && memcmp(loc.data, wh.data, wl) == 0 &&
              (loc.data[wl] == '/' || wl == 1))) {
            why = "the location is not inside the catalog's warehouse";
        }
    }
    floe_buf_fini(&wh);
    floe_buf_fini(&loc);
    return why;
}

floe_status floe_catalog_check_location(floe_catalog *c, const char *location, floe_err *err)
{
    if (location == NULL || location[0] == '\0' || !catalog_location_absolute(location)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "location '%s' must be an absolute path or a URI",
                            location != NULL ? location : "");
    }
    if (has_dot_segment(location)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "location %s has . or .. segments", location);
    }
    if (c->allow_external) {
        return FLOE_OK;
    }
    floe_err rerr = {0};
    const char *why = outside_warehouse(c, location, &rerr);
    if (why != NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "location %s: %s (%s); the catalog property %s allows it", location,
                            why, c->warehouse, FLOE_CATALOG_PROP_EXTERNAL);
    }
    return FLOE_OK;
}

/* ==== Change listeners ==== */

const char *floe_change_kind_name(floe_change_kind k)
{
    static const char *const names[] = {"create", "commit", "register", "drop", "rename"};
    return (unsigned)k < FLOE_ARRAY_LEN(names) ? names[k] : "unknown";
}

void floe_catalog_add_listener(floe_catalog *c, floe_change_fn fn, void *ud)
{
    pthread_rwlock_wrlock(&c->lis_mu);
    c->listeners = floe_xrealloc(c->listeners, (c->n_listeners + 1) * sizeof(listener));
    c->listeners[c->n_listeners++] = (listener){fn, ud};
    pthread_rwlock_unlock(&c->lis_mu);
}

void floe_catalog_remove_listener(floe_catalog *c, floe_change_fn fn, void *ud)
{
    pthread_rwlock_wrlock(&c->lis_mu);
    for (size_t i = 0; i < c->n_listeners; i++) {
        if (c->listeners[i].fn == fn && c->listeners[i].ud == ud) {
            memmove(&c->listeners[i], &c->listeners[i + 1],
                    (c->n_listeners - i - 1) * sizeof(listener));
            c->n_listeners--;
            break;
        }
    }
    pthread_rwlock_unlock(&c->lis_mu);
}

void catalog_notify(floe_catalog *c, floe_change *ch)
{
    ch->catalog = c->name;
    pthread_rwlock_rdlock(&c->lis_mu);
    for (size_t i = 0; i < c->n_listeners; i++) {
        c->listeners[i].fn(c->listeners[i].ud, ch);
    }
    pthread_rwlock_unlock(&c->lis_mu);
}

static void notify(floe_catalog *c, floe_change_kind kind, floe_object_kind object,
                   const floe_ident *id, const char *location, const char *previous)
{
    floe_change ch = {.kind = kind,
                      .object = object,
                      .id = id,
                      .metadata_location = location,
                      .previous_location = previous};
    catalog_notify(c, &ch);
}

/* ==== Table operations ==== */

floe_status floe_catalog_table_create(floe_catalog *c, const floe_ident *id,
                                      const char *metadata_location, floe_err *err)
{
    floe_status st =
        floe_store_object_create(c->store, c->name, FLOE_OBJECT_TABLE, id, metadata_location, err);
    if (st == FLOE_OK) {
        notify(c, FLOE_CHANGE_CREATE, FLOE_OBJECT_TABLE, id, metadata_location, NULL);
    }
    return st;
}

floe_status floe_catalog_table_commit(floe_catalog *c, const floe_ident *id, const char *expected,
                                      const char *location, int64_t *new_version, floe_err *err)
{
    floe_status st = floe_store_object_swap(c->store, c->name, FLOE_OBJECT_TABLE, id, expected,
                                            location, new_version, err);
    if (st == FLOE_OK) {
        notify(c, FLOE_CHANGE_COMMIT, FLOE_OBJECT_TABLE, id, location, expected);
    }
    return st;
}

floe_status floe_catalog_tables_commit(floe_catalog *c, const floe_swap *swaps, size_t n,
                                       size_t *failed, floe_err *err)
{
    floe_status st =
        floe_store_object_swap_many(c->store, c->name, FLOE_OBJECT_TABLE, swaps, n, failed, err);
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        notify(c, swaps[i].expected != NULL ? FLOE_CHANGE_COMMIT : FLOE_CHANGE_CREATE,
               FLOE_OBJECT_TABLE, &swaps[i].id, swaps[i].location, swaps[i].expected);
    }
    return st;
}

floe_status floe_catalog_object_rename(floe_catalog *c, floe_object_kind kind,
                                       const floe_ident *from, const floe_ident *to,
                                       floe_missing *missing, floe_err *err)
{
    floe_status st = floe_store_object_rename(c->store, c->name, kind, from, to, missing, err);
    if (st == FLOE_OK) {
        floe_change ch = {.kind = FLOE_CHANGE_RENAME, .object = kind, .id = from, .renamed_to = to};
        catalog_notify(c, &ch);
    }
    return st;
}

floe_status floe_catalog_table_register(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                        const char *metadata_location, bool overwrite,
                                        floe_loaded_object *out, floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (metadata_location == NULL || !catalog_location_absolute(metadata_location)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "metadata-location must be an absolute path or a URI");
    }
    /* The file may have been rewritten since it was cached (it is not ours yet): read it. */
    meta_cache_forget(c->cache, metadata_location);
    meta_file *f = NULL;
    const floe_table_meta *m = NULL;
    st = catalog_meta_file(c, metadata_location, &f, err);
    if (st == FLOE_OK) {
        st = meta_file_parsed(f, &m, err);
    }
    if (st == FLOE_ERR_NOT_FOUND || st == FLOE_ERR_CORRUPT || st == FLOE_ERR_UNSUPPORTED ||
        st == FLOE_ERR_TOO_BIG) {
        /* The caller named a file that is not usable: a bad request, not a server fault. */
        floe_err e2 = {0};
        floe_err_set(&e2, FLOE_ERR_INVALID, "%s", err != NULL ? err->msg : "bad metadata file");
        if (err != NULL) {
            *err = e2;
        }
        st = FLOE_ERR_INVALID;
    }
    floe_object_info before = {0};
    bool existed = false;
    if (st == FLOE_OK && overwrite) {
        floe_err lerr = {0};
        existed = floe_store_object_load(c->store, a, c->name, FLOE_OBJECT_TABLE, id, &before,
                                         &lerr) == FLOE_OK;
    }
    if (st == FLOE_OK) {
        st = floe_store_object_register(c->store, c->name, FLOE_OBJECT_TABLE, id, metadata_location,
                                        overwrite, err);
    }
    if (st == FLOE_OK) {
        notify(c, FLOE_CHANGE_REGISTER, FLOE_OBJECT_TABLE, id, metadata_location,
               existed ? before.metadata_location : NULL);
    }
    if (st == FLOE_OK && out != NULL) {
        memset(out, 0, sizeof(*out));
        st = floe_store_object_load(c->store, a, c->name, FLOE_OBJECT_TABLE, id, &out->info, err);
        floe_str text = meta_file_json(f);
        out->metadata_json.ptr = floe_arena_memdup(a, text.ptr, text.len + 1);
        out->metadata_json.len = text.len;
        if (st == FLOE_OK) {
            st = floe_arena_check(a, err);
        }
    }
    meta_file_unref(f);
    return st;
}

/* ==== Drop and purge ==== */

typedef struct purge_list {
    floe_vec locations; /* char *, heap */
} purge_list;

static floe_status collect_file(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    purge_list *l = ud;
    char *loc = floe_xstrdup(info->location);
    floe_vec_push_copy(&l->locations, &loc);
    return FLOE_OK;
}

static floe_status purge_files(floe_catalog *c, const char *location, floe_purge_stats *stats,
                               floe_err *err)
{
    purge_list l;
    floe_vec_init(&l.locations, sizeof(char *));
    floe_status st = floe_io_list(c->io, location, collect_file, &l, err);
    if (st == FLOE_ERR_NOT_FOUND) {
        floe_err_clear(err);
        st = FLOE_OK; /* nothing was ever written there */
    }
    for (size_t i = 0; i < l.locations.n; i++) {
        char *f = *FLOE_VEC_AT(&l.locations, char *, i);
        if (st == FLOE_OK) {
            floe_err derr = {0};
            floe_status ds = floe_io_delete(c->io, f, &derr);
            if (ds == FLOE_OK) {
                stats->files_deleted++;
            } else if (ds != FLOE_ERR_NOT_FOUND) {
                stats->delete_failures++;
            }
        }
        free(f);
    }
    floe_vec_fini(&l.locations);
    if (st == FLOE_OK) {
        floe_err derr = {0};
        floe_io_remove_empty_dirs(c->io, location, NULL, &derr);
    }
    return st;
}

floe_status floe_catalog_object_drop(floe_catalog *c, floe_arena *a, floe_object_kind kind,
                                     const floe_ident *id, bool purge, floe_purge_stats *stats,
                                     floe_err *err)
{
    floe_purge_stats local = {0};
    if (stats == NULL) {
        stats = &local;
    }
    memset(stats, 0, sizeof(*stats));
    floe_object_info info;
    floe_status st = floe_store_object_load(c->store, a, c->name, kind, id, &info, err);
    if (st != FLOE_OK) {
        return st;
    }
    /* Learn the location before the row goes; the file itself stays until the purge. */
    const char *location = NULL;
    if (purge) {
        floe_str json;
        floe_err rerr = {0};
        if (floe_catalog_read_metadata(c, a, info.metadata_location, &json, &location, &rerr) !=
            FLOE_OK) {
            location = NULL;
            stats->skipped_reason = "the metadata file could not be read";
        }
    }
    floe_object_info dropped;
    st = floe_store_object_drop(c->store, a, c->name, kind, id, &dropped, err);
    if (st == FLOE_OK) {
        notify(c, FLOE_CHANGE_DROP, kind, id, NULL, dropped.metadata_location);
    }
    if (st != FLOE_OK || !purge) {
        if (st == FLOE_OK) {
            stats->skipped_reason = "purge was not requested";
        }
        return st;
    }
    if (location == NULL) {
        return FLOE_OK;
    }
    if (strcmp(dropped.metadata_location, info.metadata_location) != 0) {
        /* A commit slipped in between: the location may have moved; stay safe. */
        stats->skipped_reason = "the table changed while it was dropped";
        return FLOE_OK;
    }
    floe_err perr = {0};
    const char *why = outside_warehouse(c, location, &perr);
    bool in_use = false;
    if (why == NULL) {
        if (floe_store_location_in_use(c->store, location, &in_use, &perr) != FLOE_OK) {
            why = "the store could not tell whether the location is shared";
        } else if (in_use) {
            why = "another table or view keeps its metadata under the location";
        }
    }
    if (why != NULL) {
        stats->skipped_reason = why;
        return FLOE_OK;
    }
    st = purge_files(c, location, stats, &perr);
    if (st != FLOE_OK) {
        stats->skipped_reason = "listing the location failed";
        return FLOE_OK; /* the drop itself succeeded */
    }
    stats->purged = true;
    stats->skipped_reason = NULL;
    return FLOE_OK;
}
