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
#include "floe/iceberg.h"
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

/* Properties are floe_kv pairs (defined in floe/iceberg.h). */

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

/* ==== Self-optimizing state ==== */

/* One table's stored optimizing runtime. Strings in the caller's arena. */
typedef struct floe_store_opt_table {
    const char *catalog;
    floe_ident id;
    const char *runtime_json; /* floe_opt_runtime_to_json text */
    int64_t updated_ms;
} floe_store_opt_table;

/* Insert or replace a table's runtime JSON. */
floe_status floe_store_opt_table_put(floe_store *s, const char *catalog, const floe_ident *id,
                                     const char *runtime_json, floe_err *err);
/* Every stored runtime (all catalogs). */
floe_status floe_store_opt_table_list(floe_store *s, floe_arena *a, floe_store_opt_table **out,
                                      size_t *n, floe_err *err);
/* Forget a table: its runtime and its processes. Absent is not an error. */
floe_status floe_store_opt_table_delete(floe_store *s, const char *catalog, const floe_ident *id,
                                        floe_err *err);
/* Insert or replace a process (floe_opt_process_to_json text with tasks) and its status name. */
floe_status floe_store_opt_process_put(floe_store *s, const char *catalog, const floe_ident *id,
                                       int64_t process_id, const char *status,
                                       const char *process_json, floe_err *err);
/* A process's JSON text, or NULL (FLOE_OK) when unknown. In `a`. */
floe_status floe_store_opt_process_get(floe_store *s, floe_arena *a, int64_t process_id,
                                       const char **out, floe_err *err);
/* Delete finished processes (success, failed, canceled) last updated before `before_ms` (Unix
 * ms), of every table; running and committing ones always stay. `*deleted` (may be NULL)
 * receives how many went. */
floe_status floe_store_opt_process_prune(floe_store *s, int64_t before_ms, size_t *deleted,
                                         floe_err *err);
/* A table's processes, newest first, at most `limit` (0: 100); JSON texts in `a`. */
floe_status floe_store_opt_process_list(floe_store *s, floe_arena *a, const char *catalog,
                                        const floe_ident *id, size_t limit, const char ***out,
                                        size_t *n, floe_err *err);

/* ==== Maintenance run records ==== */

/* One stored maintenance run (floe_store_run_*). Strings in the arena of the call. */
typedef struct floe_store_run {
    int64_t id; /* ascending in insertion order */
    const char *catalog;
    floe_ident ident;
    const char *action; /* floe_mnt_action_name */
    int64_t started_ms;
    int64_t duration_ms;
    const char *status; /* "ok" or a status name */
    const char *record; /* the run as JSON text (floe_mnt_run_to_json) */
} floe_store_run;

/*
 * Record a run of `action` on table `id` of `catalog`; `record` is its JSON text. `out_id` (may
 * be NULL) receives the row id. Records are kept after the table is dropped.
 */
floe_status floe_store_run_insert(floe_store *s, const char *catalog, const floe_ident *id,
                                  const char *action, int64_t started_ms, int64_t duration_ms,
                                  const char *status, const char *record, int64_t *out_id,
                                  floe_err *err);

/* Which runs to list; every filter is optional (NULL: any). */
typedef struct floe_store_run_filter {
    const char *catalog;
    const floe_ident *id; /* needs catalog */
    const char *action;
    bool failed_only;  /* only runs whose status is not "ok" */
    int64_t before_id; /* > 0: only ids below it (paging) */
    size_t limit;      /* 0: 100 */
} floe_store_run_filter;

/* Runs matching `f`, newest first, in `a`. */
floe_status floe_store_run_list(floe_store *s, floe_arena *a, const floe_store_run_filter *f,
                                floe_store_run **out, size_t *n, floe_err *err);

/* Delete all but the newest `keep` runs of each action of table `id`; `deleted` may be NULL. */
floe_status floe_store_run_prune(floe_store *s, const char *catalog, const floe_ident *id,
                                 size_t keep, size_t *deleted, floe_err *err);

/* Every table of `catalog` (all namespaces), sorted by namespace key then name, in `a`. */
floe_status floe_store_table_all(floe_store *s, floe_arena *a, const char *catalog,
                                 floe_ident **out, size_t *n, floe_err *err);

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
 * FLOE_METADATA_FILE_MAX bytes; gzip-compressed files, recognised by name or magic bytes, are
 * decompressed). `json` receives the JSON text (in `a`); `table_location` (may be NULL) its
 * "location" field (in `a`; FLOE_ERR_CORRUPT when absent). Metadata files are immutable, so
 * the catalog keeps recently read ones in memory (see "metadata-cache-size" below) and reads
 * each file once.
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
 * The pointer operations below move a table's metadata location without looking at the files;
 * they are the last step of the Iceberg operations further down, which most callers want
 * instead. Each one that succeeds notifies the change listeners.
 *
 * Create a table whose first metadata file has already been written at `metadata_location`.
 * FLOE_ERR_EXISTS / FLOE_ERR_NOT_FOUND as floe_store_object_create.
 */
floe_status floe_catalog_table_create(floe_catalog *c, const floe_ident *id,
                                      const char *metadata_location, floe_err *err);

/*
 * Commit one table: swap its metadata location from `expected` (the location the new metadata
 * was built from) to `location` (the new file, already written). FLOE_ERR_CONFLICT when another
 * commit won; the caller reloads, re-validates and retries, or answers 409.
 * FLOE_ERR_STATE_UNKNOWN when the store cannot tell whether the swap happened.
 */
floe_status floe_catalog_table_commit(floe_catalog *c, const floe_ident *id, const char *expected,
                                      const char *location, int64_t *new_version, floe_err *err);

/* Commit several tables atomically (floe_store_object_swap_many on the catalog's tables). */
floe_status floe_catalog_tables_commit(floe_catalog *c, const floe_swap *swaps, size_t n,
                                       size_t *failed, floe_err *err);

/*
 * Rename a table or view (floe_store_object_rename) and notify the listeners.
 */
floe_status floe_catalog_object_rename(floe_catalog *c, floe_object_kind kind,
                                       const floe_ident *from, const floe_ident *to,
                                       floe_missing *missing, floe_err *err);

/*
 * Register an existing metadata file as table `id`: the file must exist and parse as Iceberg
 * table metadata (floe_iceberg_parse_metadata: every field of the spec checked); anything else
 * is FLOE_ERR_INVALID naming the problem. With `overwrite` an existing table is repointed
 * (otherwise FLOE_ERR_EXISTS). Fills `out` (may be NULL) like floe_catalog_object_load.
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

/* ==== Iceberg tables: load, create, commit ==== */

/*
 * These calls implement the REST catalog's write path over the store and FileIO, so the REST
 * handlers and in-process writers (the optimizer's committer) share one commit algorithm.
 *
 * Catalog properties (floe_catalog_def.properties) they read:
 *   allow-external-locations  "true": tables may be created at, or moved to, locations outside
 *                             the warehouse (default "false": FLOE_ERR_INVALID)
 *   metadata-cache-size       bytes of metadata files kept in memory (default 64 MiB; "0" off)
 */
#define FLOE_CATALOG_PROP_EXTERNAL "allow-external-locations"
#define FLOE_CATALOG_PROP_CACHE_SIZE "metadata-cache-size"
#define FLOE_METADATA_CACHE_DEFAULT ((size_t)64 << 20)
/* How often a commit that lost the compare-and-swap is rebuilt on fresh metadata. */
#define FLOE_COMMIT_ATTEMPTS 4
/* Stripes of the per-table commit locks (floe_catalog_commit_lock). */
#define FLOE_CATALOG_COMMIT_STRIPES 64

/*
 * A table's commit lock, within this process. floe_catalog_commit_updates holds it for its
 * check-and-swap, so while one thread holds it no other thread's commit to the table can land:
 * a writer whose commit is slow to rebuild (a rewrite of many files, an expiration writing
 * large manifests) takes it after it lost a race once, so a stream of quick appends cannot
 * starve it (floe_ice_catalog_ops.serialize). The compare-and-swap in the store stays the
 * guarantee: other processes sharing the store are not held back. Recursive; unrelated tables
 * may share a stripe (they then wait for each other briefly). Multi-table transactions do not
 * take it (they rely on the swap alone).
 */
void floe_catalog_commit_lock(floe_catalog *c, const floe_ident *id);
void floe_catalog_commit_unlock(floe_catalog *c, const floe_ident *id);

/*
 * FLOE_OK when a table may live at `location`: an absolute path or URI without "." / ".."
 * segments that, resolved through FileIO, lies strictly inside the warehouse, or anywhere when
 * the catalog allows external locations. FLOE_ERR_INVALID with the reason otherwise.
 */
floe_status floe_catalog_check_location(floe_catalog *c, const char *location, floe_err *err);

/* A table at one version: its metadata file, parsed and as text. Everything is in the arena. */
typedef struct floe_table_version {
    floe_object_info info;         /* the store row (after a commit: the new row's location) */
    const char *metadata_location; /* the current metadata file; NULL for a staged create */
    const floe_table_meta *meta;   /* its contents */
    floe_str metadata_json;        /* its JSON text, exactly what the file holds */
    const char *previous_location; /* commits: the file the change was built on, NULL on create */
    bool changed;                  /* commits: false when the updates changed nothing */
    bool created; /* the table was created (create, or commit with assert-create) */
    int attempts; /* commits: 1 + the rebuilds after lost compare-and-swaps */
} floe_table_version;

/*
 * Load a table and parse its current metadata file. FLOE_ERR_NOT_FOUND when the table does not
 * exist; FLOE_ERR_CORRUPT when its file is missing or does not parse.
 */
floe_status floe_catalog_table_load(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                    floe_table_version *out, floe_err *err);

/*
 * Create an Iceberg table from a CreateTableRequest (floe_ice_create_request_from_json):
 * the catalog's `table.*` defaults are added under the request's properties; the location is
 * the request's (checked with floe_catalog_check_location) or floe_catalog_default_location;
 * the metadata gets fresh ids (floe_ice_table_create). With `opts->stage_create` nothing is
 * written or registered: `out` holds the metadata and a NULL metadata_location (the client
 * commits it later with assert-create). Otherwise `<location>/metadata/00000-<uuid>.metadata.json`
 * is written with an exclusive create and the table row inserted; when the insert fails the file
 * is deleted again. FLOE_ERR_EXISTS when the table (or a view of that name) exists,
 * FLOE_ERR_NOT_FOUND when the namespace does not, FLOE_ERR_INVALID for a bad request.
 * `opts` is borrowed; its location and uuid may be NULL.
 */
floe_status floe_catalog_create_table(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                      const floe_ice_create_opts *opts, floe_table_version *out,
                                      floe_err *err);

/*
 * Commit requirements and updates to one table: the REST catalog's commit algorithm, shared by
 * the REST handler and in-process writers.
 *
 *   1. Load the current metadata (from the cache when the file was read before).
 *   2. Check the requirements (floe_ice_requirements_check): FLOE_ERR_CONFLICT when one fails.
 *   3. Apply the updates (floe_ice_updates_apply): FLOE_ERR_INVALID for an invalid update.
 *   4. Nothing changed: return the current version (`changed` false), write nothing.
 *   5. Write the next metadata file (<dir>/<version+1 %05d>-<uuid>.metadata.json, gzip when the
 *      table says write.metadata.compression-codec=gzip) with an exclusive create.
 *   6. Compare-and-swap the table's metadata location. When another commit won, delete the
 *      file and go back to 1 (at most FLOE_COMMIT_ATTEMPTS times), so requirements are checked
 *      again against what won; then FLOE_ERR_CONFLICT.
 *
 * With an `assert-create` requirement the table must not exist and is created from empty
 * metadata (the second half of a staged create); any other requirement alongside it is
 * FLOE_ERR_INVALID, and a table that exists is FLOE_ERR_CONFLICT. Without it, a missing table
 * is FLOE_ERR_NOT_FOUND. Moving the table (set-location, write.metadata.path) is checked with
 * floe_catalog_check_location.
 *
 * Outcome: FLOE_OK means the new version is durable and `out` describes it. Every other status
 * except FLOE_ERR_STATE_UNKNOWN means nothing was committed and the written file was removed.
 * FLOE_ERR_STATE_UNKNOWN means the store failed after the file was written and cannot say
 * whether the swap happened: the file is kept, and the caller must not clean up.
 * Requirements and updates are borrowed; `out` is filled in `a`.
 */
floe_status floe_catalog_commit_updates(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                        const floe_ice_requirement *reqs, size_t n_reqs,
                                        const floe_ice_update *updates, size_t n_updates,
                                        floe_table_version *out, floe_err *err);

/* One table's part of a multi-table commit. */
typedef struct floe_table_change {
    floe_ident id;
    const floe_ice_requirement *reqs;
    size_t n_reqs;
    const floe_ice_update *updates;
    size_t n_updates;
} floe_table_change;

/*
 * Commit several tables atomically (POST /v1/{prefix}/transactions/commit): each table is
 * loaded, checked and updated as in floe_catalog_commit_updates, every new metadata file is
 * written, then all locations swap in one store transaction (tables with assert-create are
 * inserted in it). When any requirement fails or any swap loses, nothing is committed, the
 * files are deleted and the whole transaction is rebuilt on fresh metadata (up to
 * FLOE_COMMIT_ATTEMPTS times) before FLOE_ERR_CONFLICT. `*failed` (may be NULL) is the index
 * of the change that failed. `out` (may be NULL) receives n results. The same table twice is
 * FLOE_ERR_INVALID. Outcomes as floe_catalog_commit_updates.
 */
floe_status floe_catalog_commit_transaction(floe_catalog *c, floe_arena *a,
                                            const floe_table_change *changes, size_t n,
                                            size_t *failed, floe_table_version *out, floe_err *err);

/*
 * A table of this catalog as the Iceberg library's commit target (floe_ice_op_commit): `load`
 * is floe_catalog_table_load, `commit` is floe_catalog_commit_updates (requirements checked on
 * the current metadata, compare-and-swap, listeners notified). `id` is copied into `a`, which
 * must outlive `out`.
 */
floe_status floe_catalog_ice_table(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                   floe_ice_catalog *out, floe_err *err);

/*
 * One table as a floe_ice_catalog (floe_ice_op_commit, table maintenance jobs) with
 * whole-metadata compare-and-swap: `commit` applies its updates to exactly the version the last
 * `load` returned and swaps only when the table is still at it (floe_catalog_table_commit, so
 * listeners hear it); any commit in between is FLOE_ERR_CONFLICT (load again and decide again).
 * A commit before any load is FLOE_ERR_INVALID. Stricter than floe_catalog_commit_updates,
 * which re-applies updates onto whatever is current: snapshot expiration needs it, because
 * remove-snapshots drops refs that point at removed snapshots and no requirement can protect a
 * ref created concurrently. Outcomes as floe_catalog_commit_updates (STATE_UNKNOWN keeps the
 * file). `id` is copied; close with floe_catalog_ice_close. Not for concurrent use.
 */
floe_status floe_catalog_ice_open(floe_catalog *c, const floe_ident *id, floe_ice_catalog *out,
                                  floe_err *err);
void floe_catalog_ice_close(floe_ice_catalog *ic);

/* ==== Iceberg views: create, replace ==== */

/*
 * Views follow the Iceberg view spec (format-version 1). The Iceberg library has no view
 * model, so the catalog validates view metadata itself: schemas through
 * floe_ice_schema_from_json, versions field by field (summary, representations with distinct
 * SQL dialects, default-namespace). At most "version.history.num-entries" (default 10)
 * versions are kept; older ones and their log entries go, the current version always stays.
 */
#define FLOE_VIEW_VERSIONS_DEFAULT 10

/* A view at one version; everything in the arena. */
typedef struct floe_view_version {
    floe_object_info info;         /* the row after the operation */
    const char *metadata_location; /* the current metadata file */
    floe_str metadata_json;        /* its JSON text */
    bool changed;                  /* replace: false when the updates changed nothing */
    int attempts;                  /* replace: 1 + rebuilds after lost compare-and-swaps */
} floe_view_version;

/*
 * Create a view from a CreateViewRequest body (`request`, borrowed: "schema", "view-version",
 * optional "location" and "properties"; its "name" is ignored in favour of `id`). The schema
 * gets id 0, the version id 1; a fresh view-uuid is assigned. The location is checked with
 * floe_catalog_check_location. Writes <location>/metadata/00000-<uuid>.metadata.json, then
 * inserts the row (the file is deleted when that fails). FLOE_ERR_EXISTS when a table or view
 * has the name, FLOE_ERR_NOT_FOUND when the namespace does not exist, FLOE_ERR_INVALID for a
 * bad request. Listeners see FLOE_CHANGE_CREATE with object FLOE_OBJECT_VIEW.
 */
floe_status floe_catalog_create_view(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                     const json_t *request, floe_view_version *out, floe_err *err);

/*
 * Replace a view (CommitViewRequest): `requirements` (array, may be NULL: none; only
 * assert-view-uuid exists) and `updates` (array of ViewUpdate: assign-uuid, upgrade-format-version,
 * add-schema, set-location, set-properties, remove-properties, add-view-version,
 * set-current-view-version). The same load / check / apply / write / compare-and-swap loop as
 * floe_catalog_commit_updates, with the same outcomes: FLOE_ERR_NOT_FOUND (no such view),
 * FLOE_ERR_CONFLICT (a requirement failed, or concurrent commits kept winning),
 * FLOE_ERR_INVALID (a bad update), FLOE_ERR_STATE_UNKNOWN (file kept). Listeners see
 * FLOE_CHANGE_COMMIT with object FLOE_OBJECT_VIEW.
 */
floe_status floe_catalog_replace_view(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                      const json_t *requirements, const json_t *updates,
                                      floe_view_version *out, floe_err *err);

/* ==== Change listeners ==== */

typedef enum floe_change_kind {
    FLOE_CHANGE_CREATE = 0, /* a table or view was created */
    FLOE_CHANGE_COMMIT,     /* its metadata location moved (commit, transaction) */
    FLOE_CHANGE_REGISTER,   /* an existing metadata file was registered (or overwrote a table) */
    FLOE_CHANGE_DROP,
    FLOE_CHANGE_RENAME
} floe_change_kind;

const char *floe_change_kind_name(floe_change_kind k); /* "create", "commit", ... */

/* What changed. Everything is borrowed for the duration of the callback only. */
typedef struct floe_change {
    floe_change_kind kind;
    floe_object_kind object;
    const char *catalog;
    const floe_ident *id;          /* for a rename: the old identifier */
    const floe_ident *renamed_to;  /* RENAME only */
    const char *metadata_location; /* the new current file; NULL for DROP and RENAME */
    const char *previous_location; /* COMMIT, REGISTER over a table, DROP; else NULL */
} floe_change;

/*
 * Called once for every successful change, after it is durable in the store, on the thread
 * that made it, never for a failed or unknown one. It must be quick and must not call back
 * into the catalog's write operations (hand work to a queue instead).
 */
typedef void (*floe_change_fn)(void *ud, const floe_change *change);

/*
 * Add a listener (any number; called in the order added). Thread-safe: may be called while
 * other threads commit. `ud` is borrowed until the listener is removed or the catalog closed.
 */
void floe_catalog_add_listener(floe_catalog *c, floe_change_fn fn, void *ud);
/* Remove the listener added with this fn and ud; waits for calls to it in progress. */
void floe_catalog_remove_listener(floe_catalog *c, floe_change_fn fn, void *ud);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_CATALOG_H */
