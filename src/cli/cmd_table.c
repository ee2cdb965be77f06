/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table`: filesystem tables (metadata/v<N>.metadata.json with version-hint.text) from
 * the command line. This file dispatches every subcommand (the others live in
 * cmd_table_*.c) and runs the maintenance ones with the same code the server's scheduler runs:
 * `expire` expires snapshots (commit first, then delete what nothing references any more);
 * `clean-orphans` deletes unreferenced files older than a minimum age. Both print what they
 * delete (or, with --dry-run, what they would) one per line, then the run record as one JSON
 * line.
 */
#include "cmd_table_int.h"

#include "floe/maintenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Earlier metadata versions an expiration also cleans up after (interrupted runs). */
#define HISTORY_VERSIONS 10

typedef struct table_ctx {
    tbl t;
    floe_arena *a; /* t.a */
    floe_fileio *io;
    floe_table_meta *m;
    floe_mnt_props props;
    floe_mnt_fileio_source rsrc;
    floe_mnt_manifest_source src;
    bool has_older_than;
    int64_t older_than_ms;
    bool has_retain_last;
    int32_t retain_last;
    bool dry_run;
} table_ctx;

/* The maintenance options, checked. */
static int parse_maintenance(const tbl_args *o, table_ctx *c)
{
    floe_err err = {0};
    c->dry_run = o->dry_run;
    if (o->older_than != NULL) {
        if (floe_mnt_duration_parse(o->older_than, &c->older_than_ms, &err) != FLOE_OK) {
            return cli_usage_error(o->ctx, "--older-than: %s", err.msg);
        }
        c->has_older_than = true;
    }
    if (o->retain_last != NULL) {
        if (floe_parse_i32(o->retain_last, &c->retain_last, &err) != FLOE_OK ||
            c->retain_last < 1) {
            return cli_usage_error(o->ctx, "--retain-last needs a number >= 1");
        }
        c->has_retain_last = true;
    }
    return CLI_EXIT_OK;
}

/* Load the table; a copied table (recorded location elsewhere) is read and cleaned at PATH. */
static floe_status open_table(const tbl_args *o, table_ctx *c, floe_err *err)
{
    floe_status st = tbl_open(o, true, &c->t, err);
    c->a = c->t.a;
    c->io = c->t.io;
    c->m = c->t.m;
    if (st == FLOE_OK) {
        st = floe_mnt_props_parse(c->m->properties, c->m->n_properties, &c->props, err);
    }
    c->rsrc = (floe_mnt_fileio_source){c->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_fileio_source_init(&c->rsrc, &c->src);
    return st;
}

static void close_table(table_ctx *c)
{
    tbl_close(&c->t);
}

static void print_files(const floe_mnt_file_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        printf("%s\t%s\n", floe_mnt_file_kind_name(l->files[i].kind), l->files[i].location);
    }
}

static int finish(floe_mnt_run *r, int64_t started_mono, const floe_err *err, const char *ctx)
{
    r->duration_ms = (floe_time_mono_us() - started_mono) / 1000;
    r->status = err->code;
    r->error = err->code != FLOE_OK ? err->msg : NULL;
    json_t *j = floe_mnt_run_to_json(r);
    char *s = json_dumps(j, JSON_COMPACT);
    if (s != NULL) {
        printf("%s\n", s);
    }
    free(s);
    json_decref(j);
    fflush(stdout);
    return err->code == FLOE_OK ? CLI_EXIT_OK : cli_fail(ctx, err);
}

/* ==== expire ==== */

static floe_status do_expire(table_ctx *c, floe_mnt_run *r, floe_err *err)
{
    int64_t now = floe_time_now_us() / 1000;
    floe_mnt_expire_opts eo;
    floe_mnt_expire_opts_from_props(&c->props, now, &eo);
    if (c->has_older_than) {
        eo.older_than_ms = now - c->older_than_ms;
    }
    if (c->has_retain_last) {
        eo.retain_last = c->retain_last;
    }
    floe_mnt_expire_plan p;
    floe_status st = floe_mnt_expire_select(c->a, c->m, &eo, &p, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->snapshots_expired = p.n_expire;
    r->refs_removed = p.n_drop_refs;
    r->base_metadata = c->m->metadata_location;
    for (size_t i = 0; i < p.n_drop_refs; i++) {
        printf("ref\t%s\n", p.drop_refs[i]);
    }
    for (size_t i = 0; i < p.n_expire; i++) {
        printf("snapshot\t%lld\n", (long long)p.expire_ids[i]);
    }
    floe_table_meta *committed = NULL;
    if (p.n_updates == 0) {
        committed = c->m; /* nothing to commit; still finish what earlier runs left */
    } else if (c->dry_run) {
        /* What the commit would leave, computed in memory. */
        floe_ice_apply_opts ao = {.now_ms = now};
        st = floe_ice_updates_apply(c->a, c->m, p.updates, p.n_updates, &ao, &committed, NULL, err);
    } else {
        /* The requirements pin every ref: a concurrent change fails the commit. */
        st = c->t.cat.ops->commit(c->t.cat.ctx, c->a, p.reqs, p.n_reqs, p.updates, p.n_updates,
                                  NULL, err);
        /* Clean up from what a reader loads now: the commit is durable. */
        if (st == FLOE_OK) {
            st = c->t.cat.ops->load(c->t.cat.ctx, c->a, &committed, err);
        }
        if (st == FLOE_OK) {
            r->committed_metadata = committed->metadata_location;
        }
    }
    /* The plan's base plus recent earlier versions: what an interrupted earlier run left
     * behind is found again. */
    const floe_table_meta **history = NULL;
    size_t n_history = 0;
    if (st == FLOE_OK) {
        st = floe_mnt_load_history(c->a, c->io, c->m, HISTORY_VERSIONS, &history, &n_history, err);
    }
    floe_mnt_file_list l = {0};
    if (st == FLOE_OK) {
        const floe_table_meta **befores = floe_arena_calloc(c->a, n_history + 1, sizeof(*befores));
        if (befores == NULL) {
            st = floe_arena_check(c->a, err);
        } else {
            befores[0] = c->m;
            for (size_t i = 0; i < n_history; i++) {
                befores[i + 1] = history[i];
            }
            st = floe_mnt_expired_files_since(c->a, befores, n_history + 1, committed, &c->src, &l,
                                              err);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    r->files_listed = l.n;
    floe_mnt_delete_opts dopts = {.dry_run = c->dry_run};
    st = floe_mnt_delete_files(c->io, &l, &dopts, &r->deleted, err);
    print_files(&l);
    return st;
}

/* ==== clean-orphans ==== */

static floe_status do_orphans(table_ctx *c, floe_mnt_run *r, floe_err *err)
{
    int64_t age_ms = c->has_older_than ? c->older_than_ms : c->props.orphan_min_age_ms;
    floe_mnt_orphan_opts oo = {.older_than_us = floe_time_now_us() - age_ms * 1000};
    floe_mnt_file_list l;
    floe_status st = floe_mnt_orphan_files(c->a, c->io, c->m, &c->src, &oo, &l, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->files_listed = l.n;
    floe_mnt_delete_opts dopts = {.dry_run = c->dry_run};
    st = floe_mnt_delete_files(c->io, &l, &dopts, &r->deleted, err);
    print_files(&l);
    if (st != FLOE_OK || c->dry_run) {
        return st;
    }
    const char *const *locs;
    size_t n;
    st = floe_mnt_table_locations(c->a, c->m, &locs, &n, err);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        size_t removed = 0;
        st = floe_io_remove_empty_dirs(c->io, locs[i], &removed, err);
        if (st == FLOE_ERR_NOT_FOUND) {
            floe_err_clear(err);
            st = FLOE_OK;
        }
        r->dirs_removed += removed;
    }
    return st;
}

static int run_maintenance(const tbl_args *o)
{
    table_ctx c;
    memset(&c, 0, sizeof(c));
    int rc = parse_maintenance(o, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    int64_t started_mono = floe_time_mono_us();
    bool expire = strcmp(o->sub, "expire") == 0;
    floe_mnt_run r = {.action = expire ? FLOE_MNT_EXPIRE_SNAPSHOTS : FLOE_MNT_CLEAN_ORPHANS,
                      .table = o->path,
                      .started_ms = floe_time_now_us() / 1000,
                      .dry_run = c.dry_run};
    floe_err err = {0};
    floe_status st = open_table(o, &c, &err);
    if (st == FLOE_OK && !c.props.gc_enabled && !c.dry_run) {
        st = floe_err_set(&err, FLOE_ERR_FORBIDDEN,
                          "gc.enabled is false on this table: nothing is expired or deleted");
    }
    if (st == FLOE_OK) {
        st = expire ? do_expire(&c, &r, &err) : do_orphans(&c, &r, &err);
    }
    rc = finish(&r, started_mono, &err, o->ctx);
    close_table(&c);
    return rc;
}

/* ==== Dispatch ==== */

typedef struct table_sub {
    const char *name;
    unsigned options; /* TBL_O_* */
    int (*run)(const tbl_args *o);
    const char *usage;
} table_sub;

#define LOCATION_MAP_HELP                                                                          \
    "  --location-map FROM=TO  read locations starting with FROM under TO (repeatable); a\n"       \
    "                          table's own recorded location is mapped to PATH automatically\n"

static const table_sub SUBS[] = {
    {"create", TBL_O_SCHEMA | TBL_O_PARTITION | TBL_O_SORT | TBL_O_PROPERTY, tbl_run_create,
     "Usage: floe table create PATH (--schema JSON|@FILE | --like FILE.parquet)\n"
     "                         [--partition SPEC] [--sort ORDER] [--property K=V]...\n\n"
     "Create a filesystem table at PATH (metadata/v1.metadata.json, version-hint.text).\n\n"
     "  --schema JSON     an Iceberg schema: {\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\n"
     "                    \"id\",\"required\":true,\"type\":\"long\"},...]} (ids are reassigned),\n"
     "                    or @FILE to read it from a file\n"
     "  --like FILE       the schema of a Parquet file (columns optional unless required there)\n"
     "  --partition SPEC  comma-separated fields: col, identity(col), year(col), month(col),\n"
     "                    day(col), hour(col), bucket(N, col), truncate(W, col), void(col)\n"
     "  --sort ORDER      comma-separated: col or transform(col), then ASC|DESC and\n"
     "                    NULLS FIRST|LAST (appends then write sorted files)\n"
     "  --property K=V    a table property (format-version=1|2|3; default 2)\n"},
    {"append", TBL_O_FILES | TBL_O_BRANCH, tbl_run_append,
     "Usage: floe table append PATH FILE.parquet|FILE.csv ... [--branch NAME]\n"
     "                         [--location-map FROM=TO]\n\n"
     "Write the rows of each file into new data files of the table (partitioned by its spec,\n"
     "sorted by its sort order, with field ids and column metrics) and commit them as one\n"
     "append. Parquet columns and CSV header names are matched to the table's columns by\n"
     "name (Parquet files with field ids must use the table's ids); a column the table lacks,\n"
     "a type that does not fit, or a missing required column is an error. In CSV an empty\n"
     "unquoted field is null. With --branch, the append goes to that branch (created when\n"
     "absent) instead of main.\n\n" LOCATION_MAP_HELP},
    {"delete", TBL_O_WHERE | TBL_O_EQUALITY, tbl_run_delete,
     "Usage: floe table delete PATH --where EXPR [--equality] [--location-map FROM=TO]\n\n"
     "Delete the rows matching EXPR: position-delete files name the matching rows of each\n"
     "data file (data files whose every live row matches are removed instead). With\n"
     "--equality, equality-delete files hold the key values of the matching rows (the\n"
     "table's identifier fields, else the columns EXPR uses), one file per partition.\n"
     "EXPR is SQL-like: id = 3, name IN ('a','b'), ts >= '2024-01-01', x IS NULL, AND, OR,\n"
     "NOT, BETWEEN, LIKE 'p%'.\n\n" LOCATION_MAP_HELP},
    {"scan", TBL_O_WHERE | TBL_O_COLUMNS | TBL_O_LIMIT | TBL_O_SNAPSHOT, tbl_run_scan,
     "Usage: floe table scan PATH [--snapshot ID|--ref NAME|--as-of TIME] [--where EXPR]\n"
     "                       [--columns A,B] [--limit N] [--location-map FROM=TO]\n\n"
     "Print the live rows of a snapshot (default: the current one) as JSON lines, in the\n"
     "value format of `floe parquet cat`, columns in schema order.\n\n"
     "  --snapshot ID   a snapshot id\n"
     "  --ref NAME      the head of a branch or tag\n"
     "  --as-of TIME    the snapshot current at TIME (ISO-8601 or epoch milliseconds)\n"
     "  --where EXPR    only rows matching EXPR (see `floe table delete --help`)\n"
     "  --columns A,B   only these top-level columns, in this order\n"
     "  --limit N       stop after N rows\n" LOCATION_MAP_HELP},
    {"describe", TBL_O_JSON, tbl_run_describe,
     "Usage: floe table describe PATH [--json] [--location-map FROM=TO]\n\n"
     "Print the table's location, uuid, format version, current schema, partition spec, sort\n"
     "order, properties and snapshots (with --json: one JSON object).\n\n" LOCATION_MAP_HELP},
    {"snapshots", TBL_O_JSON, tbl_run_snapshots,
     "Usage: floe table snapshots PATH [--json] [--location-map FROM=TO]\n\n"
     "Print every snapshot: id, parent, sequence number, time, operation, schema id and\n"
     "summary (with --json: one JSON object per line).\n\n" LOCATION_MAP_HELP},
    {"files", TBL_O_JSON | TBL_O_SNAPSHOT, tbl_run_files,
     "Usage: floe table files PATH [--snapshot ID|--ref NAME|--as-of TIME] [--json]\n"
     "                        [--location-map FROM=TO]\n\n"
     "Print the live data and delete files of a snapshot (default: the current one) from its\n"
     "manifests: content, path, format, spec, partition, records, size, sequence "
     "number.\n\n" LOCATION_MAP_HELP},
    {"history", TBL_O_JSON, tbl_run_history,
     "Usage: floe table history PATH [--json] [--location-map FROM=TO]\n\n"
     "Print the snapshot log: when each snapshot became current, its parent and whether it\n"
     "is an ancestor of the current snapshot (with --json: one JSON object per "
     "line).\n\n" LOCATION_MAP_HELP},
    {"tag", TBL_O_NAME | TBL_O_SNAPSHOT, tbl_run_ref,
     "Usage: floe table tag PATH NAME [--snapshot ID] [--location-map FROM=TO]\n\n"
     "Create tag NAME on a snapshot (default: the current one). A ref of that name must not\n"
     "exist. Prints the tag as one JSON line.\n\n" LOCATION_MAP_HELP},
    {"branch", TBL_O_NAME | TBL_O_SNAPSHOT, tbl_run_ref,
     "Usage: floe table branch PATH NAME [--snapshot ID] [--location-map FROM=TO]\n\n"
     "Create branch NAME at a snapshot (default: the current one); `floe table append\n"
     "--branch NAME` then commits to it. A ref of that name must not exist. Prints the branch\n"
     "as one JSON line.\n\n" LOCATION_MAP_HELP},
    {"expire", TBL_O_OLDER_THAN | TBL_O_RETAIN_LAST | TBL_O_DRY_RUN, run_maintenance,
     "Usage: floe table expire PATH [--older-than DURATION] [--retain-last N] [--dry-run]\n\n"
     "Expire snapshots older than the keep duration, keeping the last N of every branch,\n"
     "every branch and tag head and what their own retention keeps; commit, then delete the\n"
     "manifest lists, manifests, data, delete and statistics files no remaining snapshot\n"
     "references.\n\n"
     "  --older-than DURATION  snapshots older than this (default: the table's\n"
     "                         snapshot.keep.duration, 720min). Durations: 0s, 90m, 12h, 3d.\n"
     "  --retain-last N        keep at least N snapshots on each branch (default:\n"
     "                         snapshot.keep.min-count, 1)\n"
     "  --dry-run              print what would go, change nothing\n" LOCATION_MAP_HELP},
    {"clean-orphans", TBL_O_OLDER_THAN | TBL_O_DRY_RUN, run_maintenance,
     "Usage: floe table clean-orphans PATH [--older-than DURATION] [--dry-run]\n\n"
     "Delete files under the table's data and metadata locations that no metadata references\n"
     "and that are older than the minimum age, then remove empty directories.\n\n"
     "  --older-than DURATION  files older than this (default: clean-orphan-file.min-\n"
     "                         existing-time-minutes, 2880)\n"
     "  --dry-run              print what would go, change nothing\n" LOCATION_MAP_HELP},
};

static const char table_usage[] =
    "Usage: floe table SUBCOMMAND PATH [options]\n\n"
    "Read, write and maintain an Iceberg table kept as files. PATH is a table directory\n"
    "(metadata/v<N>.metadata.json with version-hint.text; directories of other writers'\n"
    "<N>-<uuid>.metadata.json files are read only) or one metadata JSON file (read only).\n\n"
    "Subcommands:\n"
    "  create         create a table (--schema JSON or --like FILE.parquet)\n"
    "  append         append Parquet or CSV files\n"
    "  delete         delete rows matching --where (position or equality deletes)\n"
    "  scan           print rows as JSON lines (snapshot, filter, columns, limit)\n"
    "  describe       schema, partition spec, sort order, properties, snapshots\n"
    "  snapshots      every snapshot with its summary\n"
    "  files          the live data and delete files of a snapshot\n"
    "  history        the snapshot log\n"
    "  tag, branch    create a tag or a branch on a snapshot\n"
    "  expire         expire snapshots and delete the files only they referenced\n"
    "  clean-orphans  delete unreferenced files older than a minimum age\n\n"
    "Run 'floe table SUBCOMMAND --help' for a subcommand's options. Output of expire and\n"
    "clean-orphans: one line per snapshot, ref or file (\"kind<TAB>value\"), then the run\n"
    "record as one JSON line; a table with gc.enabled=false is refused unless --dry-run.\n"
    "Commits (create, append, delete) print the new snapshot as one JSON line.\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n";

static int run_table(int argc, char **argv)
{
    const table_sub *sub = NULL;
    for (size_t i = 0; argc >= 2 && i < FLOE_ARRAY_LEN(SUBS); i++) {
        if (strcmp(argv[1], SUBS[i].name) == 0) {
            sub = &SUBS[i];
        }
    }
    if (cli_wants_help(argc, argv)) {
        fputs(sub != NULL ? sub->usage : table_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2) {
        return cli_usage_error("table", "expected a subcommand (create, append, delete, scan, "
                                        "describe, snapshots, files, history, tag, branch, "
                                        "expire, "
                                        "clean-orphans)");
    }
    if (sub == NULL) {
        return cli_usage_error("table", "unknown subcommand '%s'", argv[1]);
    }
    tbl_args o;
    int rc = tbl_parse_args(argc, argv, sub->options, &o);
    if (rc == CLI_EXIT_OK) {
        rc = sub->run(&o);
    }
    tbl_args_fini(&o);
    return rc;
}

const cli_command cli_cmd_table = {
    .name = "table",
    .summary = "filesystem tables: create, append, delete, scan, describe, expire, ...",
    .usage = table_usage,
    .own_help = true,
    .run = run_table,
};
