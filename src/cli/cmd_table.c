/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table`: filesystem tables (metadata/v<N>.metadata.json with version-hint.text) from
 * the command line. This file dispatches every subcommand (the others live in
 * cmd_table_*.c) and runs the maintenance ones with the server's job code (floe_mnt_job_run):
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

/* The maintenance options, checked, as job options. */
static int parse_maintenance(const tbl_args *o, floe_mnt_job_opts *jo)
{
    floe_err err = {0};
    jo->dry_run = o->dry_run;
    if (o->older_than != NULL) {
        if (floe_mnt_duration_parse(o->older_than, &jo->older_than_ms, &err) != FLOE_OK) {
            return cli_usage_error(o->ctx, "--older-than: %s", err.msg);
        }
        jo->has_older_than = true;
    }
    if (o->retain_last != NULL) {
        if (floe_parse_i32(o->retain_last, &jo->retain_last, &err) != FLOE_OK ||
            jo->retain_last < 1) {
            return cli_usage_error(o->ctx, "--retain-last needs a number >= 1");
        }
    }
    return CLI_EXIT_OK;
}

/* What the run decided: dropped refs, expired snapshots, then the files (deleted or, with
 * --dry-run, to be deleted). */
static void print_decisions(const floe_mnt_run *r)
{
    for (size_t i = 0; r->dropped_refs != NULL && i < r->refs_removed; i++) {
        printf("ref\t%s\n", r->dropped_refs[i]);
    }
    for (size_t i = 0; r->expired_ids != NULL && i < r->snapshots_expired; i++) {
        printf("snapshot\t%lld\n", (long long)r->expired_ids[i]);
    }
    for (size_t i = 0; r->files != NULL && i < r->files->n; i++) {
        printf("%s\t%s\n", floe_mnt_file_kind_name(r->files->files[i].kind),
               r->files->files[i].location);
    }
}

/*
 * expire and clean-orphans: the server's job code (floe_mnt_job_run) on the filesystem table's
 * catalog. The explicit command runs whatever the action's own switch says; gc.enabled=false
 * is refused unless the run is a dry run.
 */
static int run_maintenance(const tbl_args *o)
{
    floe_mnt_job_opts jo = {.ignore_switch = true}; /* and the last 10 versions (default) */
    int rc = parse_maintenance(o, &jo);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    bool expire = strcmp(o->sub, "expire") == 0;
    floe_mnt_run r = {.action = expire ? FLOE_MNT_EXPIRE_SNAPSHOTS : FLOE_MNT_CLEAN_ORPHANS,
                      .table = o->path,
                      .started_ms = floe_time_now_us() / 1000,
                      .dry_run = jo.dry_run};
    floe_err err = {0};
    tbl t;
    memset(&t, 0, sizeof(t));
    floe_status st = tbl_open(o, true, &t, &err);
    if (st == FLOE_OK) {
        jo.now_ms = floe_time_now_us() / 1000;
        st = floe_mnt_job_run(t.a, &t.cat, r.action, &jo, &r, &err);
        r.table = o->path;
    }
    if (st == FLOE_OK && r.skipped != NULL) {
        /* Only gc.enabled=false skips an explicit run. */
        st = floe_err_set(&err, FLOE_ERR_FORBIDDEN,
                          "gc.enabled is false on this table: nothing is expired or deleted");
        r.status = st;
        r.error = err.msg;
    }
    print_decisions(&r);
    json_t *j = floe_mnt_run_to_json(&r);
    char *text = json_dumps(j, JSON_COMPACT);
    if (text != NULL) {
        printf("%s\n", text);
    }
    free(text);
    json_decref(j);
    fflush(stdout);
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
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
