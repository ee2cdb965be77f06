/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The catalog: where floe keeps which tables, views and namespaces exist, and which metadata
 * file is each table's current one.
 *
 * Two layers live here.
 *
 * The metadata store (floe_store) is a database with versioned schema migrations. It has two
 * backends behind one driver interface: SQLite (one WAL-mode file under the data directory) and
 * PostgreSQL (libpq, a connection pool). It holds catalogs, namespaces with their properties
 * (multi-level), and "objects" (tables and views): an identifier mapped to its current metadata
 * location, the previous location and a version number. Changing a table is a compare-and-swap of
 * that location inside one database transaction (floe_store_object_swap); several tables swap
 * all-or-nothing (floe_store_object_swap_many). Those two calls are what every commit ends with.
 *
 * The catalog operations layer (floe_catalog) is one configured catalog: a name, a warehouse
 * location, `table.*` property defaults, the store and a FileIO. It adds what needs files:
 * reading a table's metadata JSON, deriving safe default locations inside the warehouse,
 * registering an existing metadata file, and dropping with purge. The REST handlers call it, and
 * the Iceberg commit path calls floe_catalog_table_create / _commit / _commit_many.
 *
 * Thread safety: a floe_store and a floe_catalog may be used from many threads at once (the store
 * hands each call a pooled connection). Results are allocated in the caller's arena.
 */
#ifndef FLOE_CATALOG_H
#define FLOE_CATALOG_H

#include "floe/base.h"
#include "floe/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Identifiers ==== */

#define FLOE_IDENT_NAME_MAX 255      /* bytes in one namespace level or object name */
#define FLOE_NAMESPACE_LEVELS_MAX 16 /* levels in one namespace */

/* A namespace: `n` levels (n == 0 is the catalog root, only valid as a listing parent). */
typedef struct floe_namespace {
    const char **levels; /* borrowed */
    size_t n;
} floe_namespace;

/* A table or view identifier. */
typedef struct floe_ident {
    floe_namespace ns;
    const char *name; /* borrowed */
} floe_ident;

/* A string property. */
typedef struct floe_kv {
    const char *key;
    const char *value;
} floe_kv;

/*
 * Check one namespace level or object name: 1 to FLOE_IDENT_NAME_MAX bytes of valid UTF-8 with
 * no control characters (so no NUL and no 0x1F, the level separator). FLOE_ERR_INVALID otherwise.
 * Names such as ".." or "a/b" are valid identifiers; they never become paths as they are (see
 * floe_ident_path_segment).
 */
floe_status floe_ident_check_name(const char *s, size_t len, floe_err *err);
/* Every level checked, 1..FLOE_NAMESPACE_LEVELS_MAX levels. */
floe_status floe_namespace_check(const floe_namespace *ns, floe_err *err);
/* Namespace and name checked. */
floe_status floe_ident_check(const floe_ident *id, floe_err *err);

/* "a.b" (levels joined by dots) for messages and logs; in `a`. */
const char *floe_namespace_display(floe_arena *a, const floe_namespace *ns);
/* "a.b.t"; in `a`. */
const char *floe_ident_display(floe_arena *a, const floe_ident *id);

/*
 * A name as one path segment that is safe in every filesystem and object store: the name itself
 * when it consists of [A-Za-z0-9_-] and dots (but is not "." or ".."), otherwise the name with
 * every other byte replaced by '_' followed by '-' and 8 hex digits of a hash of the name, so
 * distinct names stay distinct. In `a`; NULL when the arena is full.
 */
const char *floe_ident_path_segment(floe_arena *a, const char *name);

/* ==== The metadata store ==== */

typedef struct floe_store floe_store;

typedef struct floe_store_opts {
    /*
     * "sqlite:PATH" or a plain PATH (SQLite; the file is created), or "postgresql://..." /
     * "postgres://..." (a libpq connection URI). Required.
     */
    const char *url;
    unsigned pool_size;      /* connections kept; 0: 8 */
    int64_t busy_timeout_ms; /* how long a statement waits for a lock; 0: 5000 */
} floe_store_opts;

/*
 * Open the store and bring its schema up to date (migrations run in one transaction each, under
 * a lock, so concurrent starts are safe). Close with floe_store_close().
 */
floe_status floe_store_open(const floe_store_opts *opts, floe_store **out, floe_err *err);
void floe_store_close(floe_store *s);

/* "sqlite" or "postgresql". */
const char *floe_store_backend(const floe_store *s);

/* The newest schema version this build knows. */
int floe_store_schema_latest(void);
/* Apply pending migrations (open already did); `applied` (may be NULL) counts the ones run now. */
floe_status floe_store_migrate(floe_store *s, int *applied, floe_err *err);
/* The schema version recorded in the database. */
floe_status floe_store_schema_version(floe_store *s, int *out, floe_err *err);

/* Tables and views share one name space per namespace: a view cannot take a table's name. */
typedef enum floe_object_kind { FLOE_OBJECT_TABLE = 0, FLOE_OBJECT_VIEW = 1 } floe_object_kind;

const char *floe_object_kind_name(floe_object_kind kind); /* "table" / "view" */

/* One table or view row. Strings are in the arena passed to the call that filled it. */
typedef struct floe_object_info {
    int64_t id;                             /* stable while the object exists; kept by rename */
    const char *metadata_location;          /* the current metadata file */
    const char *previous_metadata_location; /* NULL until the first swap */
    int64_t version;                        /* 1 at creation, +1 at every swap */
    int64_t created_ms;
    int64_t updated_ms;
} floe_object_info;

/*
 * Keyset paging. A request with `limit` 0 returns everything after `after`. A result sets
 * `*next` to the key to pass as `after` for the next page, or NULL at the end.
 */
typedef struct floe_page {
    const char *after; /* NULL: from the start */
    size_t limit;      /* 0: no limit */
} floe_page;

/* Which of two things a FLOE_ERR_NOT_FOUND was about (rename). */
typedef enum floe_missing {
    FLOE_MISSING_NONE = 0,
    FLOE_MISSING_OBJECT,
    FLOE_MISSING_NAMESPACE
} floe_missing;

/* Create the catalog's row when missing and record its warehouse. */
floe_status floe_store_catalog_ensure(floe_store *s, const char *catalog, const char *warehouse,
                                      floe_err *err);

/*
 * Create a namespace with properties (keys unique). FLOE_ERR_EXISTS when it exists,
 * FLOE_ERR_NOT_FOUND when its parent namespace does not.
 */
floe_status floe_store_namespace_create(floe_store *s, const char *catalog,
                                        const floe_namespace *ns, const floe_kv *props,
                                        size_t nprops, floe_err *err);
/*
 * FLOE_OK and the properties sorted by key (in `a`) when the namespace exists, else
 * FLOE_ERR_NOT_FOUND. `props`/`nprops` may be NULL to test existence only.
 */
floe_status floe_store_namespace_load(floe_store *s, floe_arena *a, const char *catalog,
                                      const floe_namespace *ns, floe_kv **props, size_t *nprops,
                                      floe_err *err);
/*
 * The namespaces one level under `parent` (n == 0: top level), sorted. `*next` is the paging key.
 * FLOE_ERR_NOT_FOUND when `parent` is not the root and does not exist.
 */
floe_status floe_store_namespace_list(floe_store *s, floe_arena *a, const char *catalog,
                                      const floe_namespace *parent, const floe_page *page,
                                      floe_namespace **out, size_t *n, const char **next,
                                      floe_err *err);
/*
 * Drop an empty namespace. FLOE_ERR_NOT_FOUND when missing; FLOE_ERR_CONFLICT when it still has
 * child namespaces, tables or views.
 */
floe_status floe_store_namespace_drop(floe_store *s, const char *catalog, const floe_namespace *ns,
                                      floe_err *err);

/* What a properties update did; key lists sorted, in the caller's arena. */
typedef struct floe_props_result {
    const char **updated;
    size_t n_updated;
    const char **removed;
    size_t n_removed;
    const char **missing; /* removals that were not set */
    size_t n_missing;
} floe_props_result;

/*
 * Set `updates` and remove `removals` in one transaction. FLOE_ERR_INVALID when a key is in both
 * (or repeated); FLOE_ERR_NOT_FOUND when the namespace does not exist.
 */
floe_status floe_store_namespace_update_props(floe_store *s, floe_arena *a, const char *catalog,
                                              const floe_namespace *ns, const floe_kv *updates,
                                              size_t n_updates, const char *const *removals,
                                              size_t n_removals, floe_props_result *out,
                                              floe_err *err);

/*
 * Create a table or view pointing at `metadata_location`. FLOE_ERR_EXISTS when the name is taken
 * (by a table or a view), FLOE_ERR_NOT_FOUND when the namespace does not exist.
 */
floe_status floe_store_object_create(floe_store *s, const char *catalog, floe_object_kind kind,
                                     const floe_ident *id, const char *metadata_location,
                                     floe_err *err);
/* Load a row (`out` may be NULL: existence). FLOE_ERR_NOT_FOUND when absent. */
floe_status floe_store_object_load(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_ident *id,
                                   floe_object_info *out, floe_err *err);
/* Names of the objects of `kind` in `ns`, sorted. FLOE_ERR_NOT_FOUND when `ns` does not exist. */
floe_status floe_store_object_list(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_namespace *ns,
                                   const floe_page *page, const char ***names, size_t *n,
                                   const char **next, floe_err *err);
/* Delete a row; `dropped` (may be NULL) receives what it was. FLOE_ERR_NOT_FOUND when absent. */
floe_status floe_store_object_drop(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_ident *id,
                                   floe_object_info *dropped, floe_err *err);
/*
 * Rename (also across namespaces). FLOE_ERR_NOT_FOUND with `*missing` saying whether the source
 * object or the destination namespace is missing; FLOE_ERR_EXISTS when the destination name is
 * taken. `missing` may be NULL.
 */
floe_status floe_store_object_rename(floe_store *s, const char *catalog, floe_object_kind kind,
                                     const floe_ident *from, const floe_ident *to,
                                     floe_missing *missing, floe_err *err);
/*
 * Point `id` at `metadata_location`, creating the row, or, with `overwrite`, replacing an existing
 * row's location (recorded as a swap). FLOE_ERR_EXISTS without `overwrite` when the name is taken.
 */
floe_status floe_store_object_register(floe_store *s, const char *catalog, floe_object_kind kind,
                                       const floe_ident *id, const char *metadata_location,
                                       bool overwrite, floe_err *err);

/*
 * Compare-and-swap: in one transaction, change the metadata location of `id` from `expected` to
 * `location` (the previous location becomes `expected`, the version goes up by one).
 * FLOE_ERR_CONFLICT when the current location is not `expected` (someone else committed first);
 * FLOE_ERR_NOT_FOUND when the object does not exist. On success `new_version` (may be NULL)
 * receives the new version.
 */
floe_status floe_store_object_swap(floe_store *s, const char *catalog, floe_object_kind kind,
                                   const floe_ident *id, const char *expected, const char *location,
                                   int64_t *new_version, floe_err *err);

/* One swap of a multi-object commit. */
typedef struct floe_swap {
    floe_ident id;
    const char *expected; /* NULL: the object must not exist and is created */
    const char *location;
} floe_swap;

/*
 * All swaps in one transaction, all or nothing. On failure nothing changed, `*failed` (may be
 * NULL) is the index of the swap that failed and the status is that swap's (FLOE_ERR_CONFLICT for
 * a lost compare or a create of an existing name, FLOE_ERR_NOT_FOUND for a missing object or
 * namespace). The same identifier twice is FLOE_ERR_INVALID.
 */
floe_status floe_store_object_swap_many(floe_store *s, const char *catalog, floe_object_kind kind,
                                        const floe_swap *swaps, size_t n, size_t *failed,
                                        floe_err *err);

/*
 * True when some table or view in any catalog has a current metadata location under the
 * directory `prefix` (that is, starting with prefix + "/").
 */
floe_status floe_store_location_in_use(floe_store *s, const char *prefix, bool *out, floe_err *err);

/* ==== Catalog operations ==== */

/* A catalog as configured. */
typedef struct floe_catalog_def {
    const char *name;          /* [A-Za-z0-9_-], 1..64 bytes */
    const char *warehouse;     /* root location of its tables: a path or a file: URI */
    const floe_kv *properties; /* catalog properties; `table.*` ones are table defaults */
    size_t n_properties;
} floe_catalog_def;

typedef struct floe_catalog floe_catalog;

#define FLOE_CATALOG_NAME_MAX 64
#define FLOE_METADATA_FILE_MAX ((size_t)64 << 20) /* largest metadata JSON read: 64 MiB */

/* True for a valid catalog name ([A-Za-z0-9_-], 1..FLOE_CATALOG_NAME_MAX bytes). */
bool floe_catalog_name_valid(const char *name);

/*
 * Open one catalog over a store and a FileIO (both borrowed; they must outlive the catalog).
 * Ensures its row in the store. `def` is copied. Free with floe_catalog_close().
 */
floe_status floe_catalog_open(floe_store *store, floe_fileio *io, const floe_catalog_def *def,
                              floe_catalog **out, floe_err *err);
void floe_catalog_close(floe_catalog *c);

const char *floe_catalog_name(const floe_catalog *c);
const char *floe_catalog_warehouse(const floe_catalog *c);
floe_store *floe_catalog_store(const floe_catalog *c);
floe_fileio *floe_catalog_io(const floe_catalog *c);
/* The catalog's properties (borrowed, valid until close). */
const floe_kv *floe_catalog_properties(const floe_catalog *c, size_t *n);
/*
 * The `table.<key>` catalog properties as table property defaults, prefix stripped, in `a`.
 * Applied to a new table's properties unless the request sets the key.
 */
floe_kv *floe_catalog_table_defaults(const floe_catalog *c, floe_arena *a, size_t *n);

/*
 * Where a new table or view without an explicit location lives:
 * <warehouse>/<segment of each namespace level>/<segment of the name> (floe_ident_path_segment),
 * so no identifier can point outside the warehouse. In `a`; NULL when the arena is full.
 */
const char *floe_catalog_default_location(const floe_catalog *c, floe_arena *a,
                                          const floe_ident *id);
/*
 * A fresh metadata file name for version `seq` of a table at `table_location`:
 * <table_location>/metadata/<seq, 5 digits>-<random uuid>.metadata.json. In `a`.
 */
const char *floe_catalog_metadata_file_location(floe_arena *a, const char *table_location,
                                                int64_t seq);

/*
 * Read a metadata file through the catalog's FileIO and check it is a JSON object (at most
 * FLOE_METADATA_FILE_MAX bytes). `json` receives the bytes as they are in the file (in `a`);
 * `table_location` (may be NULL) its "location" field (in `a`; FLOE_ERR_CORRUPT when absent).
 */
floe_status floe_catalog_read_metadata(floe_catalog *c, floe_arena *a, const char *location,
                                       floe_str *json, const char **table_location, floe_err *err);

/* A loaded table: its row plus the metadata JSON of its current metadata file. */
typedef struct floe_loaded_object {
    floe_object_info info;
    floe_str metadata_json; /* the file's bytes as they are, in the arena */
} floe_loaded_object;

/* Load a table or view and read its current metadata file. FLOE_ERR_NOT_FOUND when absent. */
floe_status floe_catalog_object_load(floe_catalog *c, floe_arena *a, floe_object_kind kind,
                                     const floe_ident *id, floe_loaded_object *out, floe_err *err);

/*
 * Create a table whose first metadata file has already been written at `metadata_location`
 * (the create-table path: build metadata, write it with an exclusive create, then call this).
 * FLOE_ERR_EXISTS / FLOE_ERR_NOT_FOUND as floe_store_object_create.
 */
floe_status floe_catalog_table_create(floe_catalog *c, const floe_ident *id,
                                      const char *metadata_location, floe_err *err);

/*
 * Commit one table: swap its metadata location from `expected` (the location the new metadata
 * was built from) to `location` (the new file, already written). FLOE_ERR_CONFLICT when another
 * commit won; the caller reloads, re-validates and retries, or answers 409.
 */
floe_status floe_catalog_table_commit(floe_catalog *c, const floe_ident *id, const char *expected,
                                      const char *location, int64_t *new_version, floe_err *err);

/* Commit several tables atomically (floe_store_object_swap_many on the catalog's tables). */
floe_status floe_catalog_tables_commit(floe_catalog *c, const floe_swap *swaps, size_t n,
                                       size_t *failed, floe_err *err);

/*
 * Register an existing metadata file as table `id`: the file must exist and be a JSON object
 * with a "location". With `overwrite` an existing table is repointed. Fills `out` (may be NULL)
 * like floe_catalog_object_load.
 */
floe_status floe_catalog_table_register(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                        const char *metadata_location, bool overwrite,
                                        floe_loaded_object *out, floe_err *err);

/* What a purge did. */
typedef struct floe_purge_stats {
    bool purged;                /* false: files were left in place (see `skipped_reason`) */
    const char *skipped_reason; /* static text, NULL when purged */
    size_t files_deleted;
    size_t delete_failures; /* files that could not be deleted (logged by the caller) */
} floe_purge_stats;

/*
 * Drop a table or view. With `purge`, after the row is gone, delete every file under the
 * object's location (the "location" of its last metadata file) through FileIO, then the empty
 * directories. Files are only deleted when that location lies strictly inside the catalog's
 * warehouse and no remaining table or view has its metadata under it; otherwise the drop still
 * succeeds and `stats` says why nothing was deleted. `stats` may be NULL.
 */
floe_status floe_catalog_object_drop(floe_catalog *c, floe_arena *a, floe_object_kind kind,
                                     const floe_ident *id, bool purge, floe_purge_stats *stats,
                                     floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_CATALOG_H */
