/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table`: maintenance of a filesystem table (metadata/v<N>.metadata.json with
 * version-hint.text) from the command line, with the same code the server's scheduler runs.
 * `expire` expires snapshots (commit first, then delete what nothing references any more);
 * `clean-orphans` deletes unreferenced files older than a minimum age. Both print what they
 * delete (or, with --dry-run, what they would) one per line, then the run record as one JSON
 * line.
 */
#include "cli.h"

#include "floe/maintenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_ARENA_MAX ((size_t)1 << 30)
/* Earlier metadata versions an expiration also cleans up after (interrupted runs). */
#define HISTORY_VERSIONS 10

typedef struct table_args {
    const char *sub;
    const char *path;
    bool has_older_than;
    int64_t older_than_ms;
    bool has_retain_last;
    int32_t retain_last;
    bool dry_run;
} table_args;

typedef struct table_ctx {
    floe_arena *a;
    floe_fileio *io;
    floe_ice_catalog cat; /* the filesystem table (floe_fs_table_open) */
    floe_table_meta *m;
    floe_mnt_props props;
    floe_mnt_fileio_source rsrc;
    floe_mnt_manifest_source src;
} table_ctx;

static int parse_args(int argc, char **argv, table_args *o)
{
    memset(o, 0, sizeof(*o));
    if (argc < 2) {
        return cli_usage_error("table", "expected a subcommand: expire or clean-orphans");
    }
    o->sub = argv[1];
    bool expire = strcmp(o->sub, "expire") == 0;
    if (!expire && strcmp(o->sub, "clean-orphans") != 0) {
        return cli_usage_error("table",
                               "unknown subcommand '%s' (expected expire or "
                               "clean-orphans)",
                               o->sub);
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t klen = eq != NULL && a[0] == '-' ? (size_t)(eq - a) : strlen(a);
        bool is_older = strncmp(a, "--older-than", klen) == 0 && klen == 12;
        bool is_retain = strncmp(a, "--retain-last", klen) == 0 && klen == 13;
        if (is_older || is_retain) {
            const char *v = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            floe_err err = {0};
            if (v == NULL) {
                return cli_usage_error("table", "%.*s needs a value", (int)klen, a);
            }
            if (is_older) {
                if (floe_mnt_duration_parse(v, &o->older_than_ms, &err) != FLOE_OK) {
                    return cli_usage_error("table", "--older-than: %s", err.msg);
                }
                o->has_older_than = true;
            } else {
                if (!expire) {
                    return cli_usage_error("table", "--retain-last only applies to 'expire'");
                }
                if (floe_parse_i32(v, &o->retain_last, &err) != FLOE_OK || o->retain_last < 1) {
                    return cli_usage_error("table", "--retain-last needs a number >= 1");
                }
                o->has_retain_last = true;
            }
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && o->path == NULL) {
            o->path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("table", "unknown option '%s'", a);
        } else if (o->path == NULL) {
            o->path = a;
        } else {
            return cli_usage_error("table", "expected one PATH");
        }
    }
    if (o->path == NULL) {
        return cli_usage_error("table", "expected a table PATH");
    }
    return CLI_EXIT_OK;
}

/* Load the table; a copied table (recorded location elsewhere) is read and cleaned at PATH. */
static floe_status open_table(const char *path, table_ctx *c, floe_err *err)
{
    memset(c, 0, sizeof(*c));
    c->a = floe_arena_new(TABLE_ARENA_MAX);
    c->io = floe_fileio_local_new(NULL);
    floe_status st = floe_fs_table_open(c->io, path, &c->cat, err);
    if (st == FLOE_OK) {
        st = c->cat.ops->load(c->cat.ctx, c->a, &c->m, err);
    }
    if (st == FLOE_OK && c->m->location != NULL) {
        floe_buf want, have;
        floe_buf_init(&want, 0);
        floe_buf_init(&have, 0);
        bool same = floe_fileio_resolve(c->io, c->m->location, &have, NULL) == FLOE_OK &&
                    floe_fileio_resolve(c->io, path, &want, NULL) == FLOE_OK &&
                    strcmp(floe_buf_cstr(&have), floe_buf_cstr(&want)) == 0;
        if (!same) {
            st = floe_fileio_map_prefix(c->io, c->m->location, path, err);
        }
        floe_buf_fini(&want);
        floe_buf_fini(&have);
    }
    if (st == FLOE_OK) {
        st = floe_mnt_props_parse(c->m->properties, c->m->n_properties, &c->props, err);
    }
    c->rsrc = (floe_mnt_fileio_source){c->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_fileio_source_init(&c->rsrc, &c->src);
    return st;
}

static void close_table(table_ctx *c)
{
    floe_fs_table_free(&c->cat);
    floe_fileio_free(c->io);
    floe_arena_free(c->a);
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

static floe_status do_expire(const table_args *o, table_ctx *c, floe_mnt_run *r, floe_err *err)
{
    int64_t now = floe_time_now_us() / 1000;
    floe_mnt_expire_opts eo;
    floe_mnt_expire_opts_from_props(&c->props, now, &eo);
    if (o->has_older_than) {
        eo.older_than_ms = now - o->older_than_ms;
    }
    if (o->has_retain_last) {
        eo.retain_last = o->retain_last;
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
    } else if (o->dry_run) {
        /* What the commit would leave, computed in memory. */
        floe_ice_apply_opts ao = {.now_ms = now};
        st = floe_ice_updates_apply(c->a, c->m, p.updates, p.n_updates, &ao, &committed, NULL, err);
    } else {
        /* The requirements pin every ref: a concurrent change fails the commit. */
        st = c->cat.ops->commit(c->cat.ctx, c->a, p.reqs, p.n_reqs, p.updates, p.n_updates, NULL,
                                err);
        /* Clean up from what a reader loads now: the commit is durable. */
        if (st == FLOE_OK) {
            st = c->cat.ops->load(c->cat.ctx, c->a, &committed, err);
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
    floe_mnt_delete_opts dopts = {.dry_run = o->dry_run};
    st = floe_mnt_delete_files(c->io, &l, &dopts, &r->deleted, err);
    print_files(&l);
    return st;
}

/* ==== clean-orphans ==== */

static floe_status do_orphans(const table_args *o, table_ctx *c, floe_mnt_run *r, floe_err *err)
{
    int64_t age_ms = o->has_older_than ? o->older_than_ms : c->props.orphan_min_age_ms;
    floe_mnt_orphan_opts oo = {.older_than_us = floe_time_now_us() - age_ms * 1000};
    floe_mnt_file_list l;
    floe_status st = floe_mnt_orphan_files(c->a, c->io, c->m, &c->src, &oo, &l, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->files_listed = l.n;
    floe_mnt_delete_opts dopts = {.dry_run = o->dry_run};
    st = floe_mnt_delete_files(c->io, &l, &dopts, &r->deleted, err);
    print_files(&l);
    if (st != FLOE_OK || o->dry_run) {
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

static int run_table(int argc, char **argv)
{
    table_args o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    int64_t started_mono = floe_time_mono_us();
    bool expire = strcmp(o.sub, "expire") == 0;
    floe_mnt_run r = {.action = expire ? FLOE_MNT_EXPIRE_SNAPSHOTS : FLOE_MNT_CLEAN_ORPHANS,
                      .table = o.path,
                      .started_ms = floe_time_now_us() / 1000,
                      .dry_run = o.dry_run};
    floe_err err = {0};
    table_ctx c;
    floe_status st = open_table(o.path, &c, &err);
    if (st == FLOE_OK && !c.props.gc_enabled && !o.dry_run) {
        st = floe_err_set(&err, FLOE_ERR_FORBIDDEN,
                          "gc.enabled is false on this table: nothing is expired or deleted");
    }
    if (st == FLOE_OK) {
        st = expire ? do_expire(&o, &c, &r, &err) : do_orphans(&o, &c, &r, &err);
    }
    char ctx[64];
    snprintf(ctx, sizeof(ctx), "table %s", o.sub);
    rc = finish(&r, started_mono, &err, ctx);
    close_table(&c);
    return rc;
}

const cli_command cli_cmd_table = {
    .name = "table",
    .summary = "maintain a filesystem table: expire snapshots, clean orphan files",
    .usage =
        "Usage: floe table expire PATH [--older-than DURATION] [--retain-last N] [--dry-run]\n"
        "       floe table clean-orphans PATH [--older-than DURATION] [--dry-run]\n\n"
        "Maintain an Iceberg table kept as files (PATH/metadata/v<N>.metadata.json and\n"
        "version-hint.text), with the same code and table properties the server uses.\n\n"
        "  expire          expire snapshots older than the keep duration, keeping the last\n"
        "                  N of every branch, every branch and tag head and what their own\n"
        "                  retention keeps; commit, then delete the manifest lists, manifests,\n"
        "                  data, delete and statistics files no remaining snapshot references\n"
        "  clean-orphans   delete files under the table's data and metadata locations that\n"
        "                  no metadata references and that are older than the minimum age,\n"
        "                  then remove empty directories\n\n"
        "Options:\n"
        "  --older-than DURATION  expire: snapshots older than this (default: the table's\n"
        "                         snapshot.keep.duration, 720min); clean-orphans: files older\n"
        "                         than this (default: clean-orphan-file.min-existing-time-\n"
        "                         minutes, 2880). Durations: 0s, 90m, 12h, 3d, 720min.\n"
        "  --retain-last N        expire: keep at least N snapshots on each branch (default:\n"
        "                         snapshot.keep.min-count, 1)\n"
        "  --dry-run              print what would go, change nothing\n\n"
        "Output: one line per snapshot, ref or file (\"kind<TAB>value\"), then the run record\n"
        "as one JSON line. A table with gc.enabled=false is refused unless --dry-run.\n"
        "With a short --older-than, files that a concurrent writer has not committed yet look\n"
        "like orphans: only use it when nothing writes to the table.\n",
    .run = run_table,
};
