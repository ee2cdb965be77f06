/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of `floe table`: argument parsing, opening a filesystem table (a table
 * directory or one metadata file, with location prefix maps) and committing, shared by the
 * subcommands in cmd_table*.c. cmd_table.c dispatches; each cmd_table_<sub>.c runs one or a
 * few subcommands.
 */
#ifndef FLOE_CLI_TABLE_INT_H
#define FLOE_CLI_TABLE_INT_H

#include "cli.h"

#include "floe/iceberg.h"

#define TBL_ARENA_MAX ((size_t)1 << 30)

/* Options a subcommand accepts (tbl_parse_args `allowed`). */
enum {
    TBL_O_WHERE = 1u << 0,
    TBL_O_COLUMNS = 1u << 1,
    TBL_O_LIMIT = 1u << 2,
    TBL_O_SNAPSHOT = 1u << 3, /* --snapshot, --ref, --as-of */
    TBL_O_JSON = 1u << 4,
    TBL_O_EQUALITY = 1u << 5,
    TBL_O_SCHEMA = 1u << 6, /* --schema, --like */
    TBL_O_PARTITION = 1u << 7,
    TBL_O_SORT = 1u << 8,
    TBL_O_PROPERTY = 1u << 9,
    TBL_O_OLDER_THAN = 1u << 10,
    TBL_O_RETAIN_LAST = 1u << 11,
    TBL_O_DRY_RUN = 1u << 12,
    TBL_O_FILES = 1u << 13, /* positional FILEs after PATH */
    TBL_O_NAME = 1u << 14,  /* one positional NAME after PATH (tag, branch) */
    TBL_O_BRANCH = 1u << 15
};

/* Parsed arguments of one subcommand; strings borrow argv. */
typedef struct tbl_args {
    const char *sub; /* "scan" */
    char ctx[32];    /* "table scan": the error context */
    const char *path;
    const char **files; /* positional FILEs (append); heap, freed by tbl_args_fini */
    size_t n_files;
    const char *where, *columns, *limit, *snapshot, *ref, *as_of;
    const char *schema, *like, *partition, *sort, *older_than, *retain_last;
    const char *name;   /* positional NAME (TBL_O_NAME) */
    const char *branch; /* --branch: commit to this branch instead of main */
    const char **props; /* k=v (heap) */
    size_t n_props;
    const char **maps; /* FROM=TO (heap) */
    size_t n_maps;
    bool json, equality, dry_run;
} tbl_args;

/* Parse argv (argv[0] "table", argv[1] the subcommand); a usage error is reported and its
 * exit code returned, CLI_EXIT_OK otherwise. --location-map is always accepted. */
int tbl_parse_args(int argc, char **argv, unsigned allowed, tbl_args *o);
void tbl_args_fini(tbl_args *o);

/* An open table. */
typedef struct tbl {
    floe_arena *a;
    floe_fileio *io;
    floe_ice_catalog cat; /* cat.ops NULL when the table can only be read (see tbl_open) */
    floe_table_meta *m;
    const char *dir;    /* the table directory on this machine */
    const char *branch; /* tbl_commit prints this branch's head (NULL: main) */
} tbl;

/*
 * Open PATH: a table directory (metadata/v<N>.metadata.json with version-hint.text, which can
 * be written, else the newest metadata/<N>-<uuid>.metadata.json or v<N> file, read only) or a
 * metadata JSON file (read only). The FileIO gets the user's prefix maps, then a map from the
 * table's recorded location to the directory when it lives elsewhere. With `write`, a table
 * that can only be read is FLOE_ERR_UNSUPPORTED. Close with tbl_close (also after a failure).
 */
floe_status tbl_open(const tbl_args *o, bool write, tbl *t, floe_err *err);
void tbl_close(tbl *t);

/* Commit an operation to the table (with retries) and reload t->m; the new snapshot's
 * summary is printed as one JSON line. */
floe_status tbl_commit(tbl *t, floe_ice_op *op, floe_err *err);

/* The snapshot --snapshot/--ref/--as-of (or the current one) names, as scan options. */
floe_status tbl_scan_opts(const tbl_args *o, floe_scan_opts *so, floe_err *err);

/* Parse the snapshot options and open PATH read only: *snap is the snapshot they name (NULL
 * for a table without snapshots when none was named). Close `t` also after a failure. */
floe_status tbl_open_snapshot(const tbl_args *o, tbl *t, floe_scan_opts *so,
                              const floe_snapshot **snap, floe_err *err);

/* Open the row reader on a scan task: `proj` columns, the task's deletes applied, rows not
 * matching `bound` (may be NULL) dropped. */
floe_status tbl_reader_open(tbl *t, const floe_scan_task *task, const floe_ice_schema *proj,
                            const floe_ice_expr *bound, const floe_ice_name_mapping *nm,
                            floe_ice_reader **out, floe_err *err);

/* The schema of a snapshot: its own when recorded (time travel), else the current one. */
const floe_ice_schema *tbl_snapshot_schema(const floe_table_meta *m, const floe_snapshot *s);

/* Parse and bind --where against `schema` (*unbound and *bound NULL without --where).
 * A bad filter is FLOE_ERR_INVALID. */
floe_status tbl_filter(floe_arena *a, const char *where, const floe_ice_schema *schema,
                       const floe_ice_expr **unbound, const floe_ice_expr **bound, floe_err *err);

/* The table's name mapping (schema.name-mapping.default), or NULL. */
floe_status tbl_name_mapping(tbl *t, const floe_ice_name_mapping **out, floe_err *err);

/* A type as text ("decimal(10, 2)", "list<...>"); heap, free() it. */
char *tbl_type_text(const floe_ice_type *t);

/* Subcommands (cmd_table_*.c); each returns the exit code. */
int tbl_run_create(const tbl_args *o);
int tbl_run_append(const tbl_args *o);
int tbl_run_delete(const tbl_args *o);
int tbl_run_scan(const tbl_args *o);
int tbl_run_describe(const tbl_args *o);
int tbl_run_snapshots(const tbl_args *o);
int tbl_run_files(const tbl_args *o);
int tbl_run_history(const tbl_args *o);
int tbl_run_ref(const tbl_args *o); /* tag, branch */

#endif /* FLOE_CLI_TABLE_INT_H */
