/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The catalog module's private half: the database driver interface that the SQLite and
 * PostgreSQL backends implement, and the helpers store.c shares with them.
 *
 * The store's operations are written once, in SQL both databases accept (parameters written as
 * `?`; the PostgreSQL driver renumbers them to $1, $2, ...). A driver only connects, runs
 * statements with text/integer parameters, returns rows as strings, and manages transactions.
 * Schema migrations carry one DDL text per dialect.
 */
#ifndef FLOE_CATALOG_INT_H
#define FLOE_CATALOG_INT_H

#include "floe/catalog.h"

typedef struct db_conn db_conn; /* one connection; defined by each driver */

typedef enum db_param_type { DB_PARAM_NULL = 0, DB_PARAM_TEXT, DB_PARAM_INT } db_param_type;

typedef struct db_param {
    db_param_type type;
    const char *text; /* DB_PARAM_TEXT; borrowed for the call */
    int64_t i;        /* DB_PARAM_INT */
} db_param;

#define DB_TEXT(s) ((db_param){DB_PARAM_TEXT, (s), 0})
#define DB_INT(v) ((db_param){DB_PARAM_INT, NULL, (v)})
#define DB_NULL ((db_param){DB_PARAM_NULL, NULL, 0})

/* Rows of a statement; cells are NUL-terminated strings in the caller's arena (NULL: SQL NULL). */
typedef struct db_result {
    size_t nrows;
    size_t ncols;
    char **cells;    /* row-major, nrows * ncols */
    int64_t changes; /* rows changed by INSERT / UPDATE / DELETE */
} db_result;

static inline const char *db_cell(const db_result *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

#define DB_ROWS_MAX 1000000 /* a result larger than this is refused (FLOE_ERR_TOO_BIG) */

typedef struct db_driver {
    const char *name; /* "sqlite" / "postgresql" */
    /* Writes serialise on a mutex inside the process (SQLite has one writer anyway). */
    bool serialize_writes;
    floe_status (*connect)(const char *url, int64_t busy_timeout_ms, db_conn **out, floe_err *err);
    void (*disconnect)(db_conn *c);
    /* False when the connection is unusable (the pool then drops it). */
    bool (*healthy)(db_conn *c);
    /*
     * Run one statement. `res` may be NULL (rows are discarded). Rows go into `a` (required when
     * `res` is not NULL). Errors: a unique-key violation is FLOE_ERR_EXISTS, a foreign-key
     * violation FLOE_ERR_NOT_FOUND, a serialisation failure or deadlock FLOE_ERR_CONFLICT, a lock
     * wait past the busy timeout or a lost connection FLOE_ERR_UNAVAILABLE.
     */
    floe_status (*exec)(db_conn *c, floe_arena *a, const char *sql, const db_param *params,
                        size_t nparams, db_result *res, floe_err *err);
    /* Several statements without parameters (migrations). */
    floe_status (*exec_script)(db_conn *c, const char *sql, floe_err *err);
    /* Start a transaction; `write` ones take the write lock up front where that matters. */
    floe_status (*begin)(db_conn *c, bool write, floe_err *err);
    floe_status (*commit)(db_conn *c, floe_err *err);
    void (*rollback)(db_conn *c);
    /* Serialises concurrent migrations inside a transaction (NULL: the write lock is enough). */
    const char *migration_lock_sql;
} db_driver;

extern const db_driver db_driver_sqlite;
extern const db_driver db_driver_postgres;

/* ==== Schema migrations (migrations.c) ==== */

typedef struct db_migration {
    int version;
    const char *name;
    const char *sqlite_sql;
    const char *postgres_sql;
} db_migration;

/* The migrations in version order (1, 2, ...). */
const db_migration *db_migrations(size_t *n);

/* ==== Identifier keys ==== */

/* Levels joined by 0x1F: the key namespaces are stored under ("" for the root). In `a`. */
char *catalog_ns_key(floe_arena *a, const floe_namespace *ns);
/* Split a stored key back into levels (in `a`). */
floe_status catalog_ns_from_key(floe_arena *a, const char *key, floe_namespace *out, floe_err *err);
/* The key of a namespace's parent (in `a`). */
char *catalog_ns_parent_key(floe_arena *a, const floe_namespace *ns);

/*
 * The version number of a metadata file name "<dir>/<digits>-<anything>.metadata.json" (Java's
 * parseVersion), or -1 when the name has no such prefix (commit.c).
 */
int64_t catalog_file_version(const char *location);

/* ==== One table as a floe_ice_catalog (commit.c, ice_catalog.c) ==== */

/* What both adapters' contexts begin with: the catalog and the table. */
typedef struct catalog_table_ref {
    floe_catalog *c;
    floe_ident id;
} catalog_table_ref;

/* floe_ice_catalog_ops.serialize of both adapters: the table's commit lock (`ctx` begins with a
 * catalog_table_ref). */
void catalog_table_serialize(void *ctx, bool on);

/* ==== Metadata file cache (meta_cache.c) ==== */

typedef struct meta_cache meta_cache;
typedef struct meta_file meta_file; /* one metadata file's text, reference counted */

/* A cache holding at most `max_bytes` (0: nothing is kept; every put returns a private entry). */
meta_cache *meta_cache_new(size_t max_bytes);
void meta_cache_free(meta_cache *mc);
/* The entry for `location` with a new reference, or NULL. */
meta_file *meta_cache_get(meta_cache *mc, const char *location);
/*
 * Add a file's JSON text (`json`: heap, NUL-terminated, consumed) and its table location
 * (copied). Returns an entry with a reference for the caller: the new one, or the entry another
 * thread put first. `mc` may be NULL (nothing cached).
 */
meta_file *meta_cache_put(meta_cache *mc, const char *location, char *json, size_t len,
                          const char *table_location);
/* Evict `location` if cached (a register re-reads a file that may have been rewritten). */
void meta_cache_forget(meta_cache *mc, const char *location);
void meta_cache_stats(meta_cache *mc, size_t *bytes, size_t *entries, uint64_t *hits,
                      uint64_t *misses);
void meta_file_unref(meta_file *f);
/* Borrowed while the reference is held. */
floe_str meta_file_json(const meta_file *f);
const char *meta_file_location(const meta_file *f);
const char *meta_file_table_location(const meta_file *f);
/*
 * The file parsed as table metadata, built on first use and shared by every holder (read
 * only). Borrowed while the reference is held. A file that does not parse gives the same error
 * every time (FLOE_ERR_CORRUPT or FLOE_ERR_UNSUPPORTED).
 */
floe_status meta_file_parsed(meta_file *f, const floe_table_meta **out, floe_err *err);

/* ==== Catalog internals shared by catalog.c and commit.c ==== */

/* The metadata file at `location`, from the cache or read (and cached). */
floe_status catalog_meta_file(floe_catalog *c, const char *location, meta_file **out,
                              floe_err *err);
/* Put a file this process has just written into the cache (`json` is copied). */
void catalog_meta_remember(floe_catalog *c, const char *location, floe_str json,
                           const char *table_location);
/* Tell the listeners; `ch->catalog` is filled in. */
void catalog_notify(floe_catalog *c, floe_change *ch);
/* A plain absolute path, or a URI with a scheme. */
bool catalog_location_absolute(const char *loc);

/* ==== View metadata (view.c), without I/O: also what fuzz_catalog_view drives ==== */

/*
 * New view metadata (a new JSON reference) from a CreateViewRequest: schema id 0, version id 1,
 * the given location and uuid. FLOE_ERR_INVALID for a bad request.
 */
floe_status catalog_view_build(floe_arena *a, const json_t *request, const char *location,
                               const char *uuid, json_t **out, floe_err *err);
/*
 * Check requirements and apply view updates to `m` in place (on failure `m` is partly changed:
 * apply to a copy). `c` may be NULL: locations are then not checked. FLOE_ERR_CONFLICT for a
 * failed requirement, FLOE_ERR_INVALID for a bad update.
 */
floe_status catalog_view_apply(floe_catalog *c, floe_arena *a, json_t *m, const json_t *reqs,
                               const json_t *updates, floe_err *err);

#endif /* FLOE_CATALOG_INT_H */
