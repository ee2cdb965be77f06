/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every `floe table` subcommand shares: one option parser (each subcommand says which
 * options it takes), opening a table from a directory or a metadata file with the FileIO prefix
 * maps a copied table needs, snapshot selection, --where, and committing an operation.
 */
#include "cmd_table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ==== Arguments ==== */

enum { OPT_VALUE, OPT_FLAG, OPT_LIST };

typedef struct opt_def {
    const char *name;
    unsigned flag; /* TBL_O_*; 0: always accepted */
    int kind;
    size_t off; /* of the const char * / bool / list in tbl_args */
    size_t count_off;
} opt_def;

#define VAL(n, f, m)                                                                               \
    {                                                                                              \
        n, f, OPT_VALUE, offsetof(tbl_args, m), 0                                                  \
    }
#define FLAG(n, f, m)                                                                              \
    {                                                                                              \
        n, f, OPT_FLAG, offsetof(tbl_args, m), 0                                                   \
    }
#define LIST(n, f, m, c)                                                                           \
    {                                                                                              \
        n, f, OPT_LIST, offsetof(tbl_args, m), offsetof(tbl_args, c)                               \
    }

static const opt_def OPTS[] = {
    VAL("--where", TBL_O_WHERE, where),
    VAL("--columns", TBL_O_COLUMNS, columns),
    VAL("--limit", TBL_O_LIMIT, limit),
    VAL("--snapshot", TBL_O_SNAPSHOT, snapshot),
    VAL("--ref", TBL_O_SNAPSHOT, ref),
    VAL("--as-of", TBL_O_SNAPSHOT, as_of),
    VAL("--schema", TBL_O_SCHEMA, schema),
    VAL("--like", TBL_O_SCHEMA, like),
    VAL("--partition", TBL_O_PARTITION, partition),
    VAL("--sort", TBL_O_SORT, sort),
    VAL("--older-than", TBL_O_OLDER_THAN, older_than),
    VAL("--retain-last", TBL_O_RETAIN_LAST, retain_last),
    VAL("--branch", TBL_O_BRANCH, branch),
    FLAG("--json", TBL_O_JSON, json),
    FLAG("--equality", TBL_O_EQUALITY, equality),
    FLAG("--dry-run", TBL_O_DRY_RUN, dry_run),
    LIST("--property", TBL_O_PROPERTY, props, n_props),
    LIST("--location-map", 0, maps, n_maps),
};

static void list_push(const char ***list, size_t *n, const char *v)
{
    *list = floe_xrealloc((void *)*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = v;
}

int tbl_parse_args(int argc, char **argv, unsigned allowed, tbl_args *o)
{
    memset(o, 0, sizeof(*o));
    o->sub = argv[1];
    snprintf(o->ctx, sizeof(o->ctx), "table %s", o->sub);
    bool dashdash = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!dashdash && strcmp(a, "--") == 0) {
            dashdash = true;
            continue;
        }
        if (!dashdash && a[0] == '-' && a[1] != '\0') {
            const char *eq = strchr(a, '=');
            size_t klen = eq != NULL ? (size_t)(eq - a) : strlen(a);
            const opt_def *d = NULL;
            for (size_t k = 0; k < FLOE_ARRAY_LEN(OPTS); k++) {
                if (strlen(OPTS[k].name) == klen && strncmp(OPTS[k].name, a, klen) == 0) {
                    d = &OPTS[k];
                }
            }
            if (d == NULL || (d->flag != 0 && (d->flag & allowed) == 0)) {
                return cli_usage_error(o->ctx, "unknown option '%.*s'", (int)klen, a);
            }
            char *base = (char *)o;
            if (d->kind == OPT_FLAG) {
                if (eq != NULL) {
                    return cli_usage_error(o->ctx, "%s takes no value", d->name);
                }
                *(bool *)(base + d->off) = true;
                continue;
            }
            const char *v = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (v == NULL) {
                return cli_usage_error(o->ctx, "%s needs a value", d->name);
            }
            if (d->kind == OPT_VALUE) {
                *(const char **)(base + d->off) = v;
            } else {
                list_push((const char ***)(base + d->off), (size_t *)(base + d->count_off), v);
            }
        } else if (o->path == NULL) {
            o->path = a;
        } else if ((allowed & TBL_O_NAME) && o->name == NULL) {
            o->name = a;
        } else if (allowed & TBL_O_FILES) {
            list_push(&o->files, &o->n_files, a);
        } else {
            return cli_usage_error(o->ctx, "expected one PATH, got '%s' too", a);
        }
    }
    if (o->path == NULL) {
        return cli_usage_error(o->ctx, "expected a table PATH");
    }
    if ((allowed & TBL_O_NAME) && o->name == NULL) {
        return cli_usage_error(o->ctx, "expected a NAME after PATH");
    }
    if ((o->snapshot != NULL) + (o->ref != NULL) + (o->as_of != NULL) > 1) {
        return cli_usage_error(o->ctx, "give only one of --snapshot, --ref and --as-of");
    }
    for (size_t i = 0; i < o->n_maps; i++) {
        const char *eq = strchr(o->maps[i], '=');
        if (eq == NULL || eq == o->maps[i]) {
            return cli_usage_error(o->ctx, "--location-map needs FROM=TO, got '%s'", o->maps[i]);
        }
    }
    for (size_t i = 0; i < o->n_props; i++) {
        const char *eq = strchr(o->props[i], '=');
        if (eq == NULL || eq == o->props[i]) {
            return cli_usage_error(o->ctx, "--property needs KEY=VALUE, got '%s'", o->props[i]);
        }
    }
    return CLI_EXIT_OK;
}

void tbl_args_fini(tbl_args *o)
{
    free((void *)o->files);
    free((void *)o->props);
    free((void *)o->maps);
    o->files = o->props = o->maps = NULL;
}

/* ==== Opening a table ==== */

/* The version of a metadata file name: "v12.metadata.json" and "00012-<uuid>.metadata.json"
 * (gzipped variants too) give 12; anything else -1. */
static int64_t metadata_version(const char *name)
{
    if (!floe_ends_with(name, ".metadata.json") && !floe_ends_with(name, ".metadata.json.gz")) {
        return -1;
    }
    const char *p = name[0] == 'v' ? name + 1 : name;
    int64_t v = 0;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9' && digits < 18) {
        v = v * 10 + (p[digits] - '0');
        digits++;
    }
    if (digits == 0 || (p[digits] != '.' && p[digits] != '-')) {
        return -1;
    }
    return v;
}

typedef struct newest {
    floe_arena *a;
    const char *dir; /* <table>/metadata/ as listed */
    int64_t version;
    const char *location;
} newest;

static floe_status newest_fn(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    newest *n = ud;
    const char *rest = info->location + strlen(n->dir);
    if (strchr(rest, '/') != NULL) {
        return FLOE_OK; /* only files directly in metadata/ */
    }
    int64_t v = metadata_version(rest);
    if (v > n->version) {
        n->version = v;
        n->location = floe_arena_strdup(n->a, info->location);
    }
    return FLOE_OK;
}

/* The newest metadata file in <dir>/metadata (by the version in its name). */
static floe_status find_newest(tbl *t, const char **out, floe_err *err)
{
    newest n = {.a = t->a, .dir = floe_arena_sprintf(t->a, "%s/metadata/", t->dir), .version = -1};
    floe_status st = floe_io_list(t->io, n.dir, newest_fn, &n, err);
    if (st == FLOE_ERR_NOT_FOUND || (st == FLOE_OK && n.location == NULL)) {
        floe_err_clear(err);
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "no table at %s (no metadata/*.metadata.json)",
                            t->dir);
    }
    *out = n.location;
    return st;
}

static char *parent_dir(floe_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return floe_arena_strdup(a, ".");
    }
    if (slash == path) {
        return floe_arena_strdup(a, "/");
    }
    return floe_arena_strndup(a, path, (size_t)(slash - path));
}

floe_status tbl_open(const tbl_args *o, bool write, tbl *t, floe_err *err)
{
    memset(t, 0, sizeof(*t));
    t->a = floe_arena_new(TBL_ARENA_MAX);
    t->io = floe_fileio_local_new(NULL);
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < o->n_maps && st == FLOE_OK; i++) {
        const char *eq = strchr(o->maps[i], '=');
        char *from = floe_arena_strndup(t->a, o->maps[i], (size_t)(eq - o->maps[i]));
        st = floe_fileio_map_prefix(t->io, from, eq + 1, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    size_t plen = strlen(o->path);
    while (plen > 1 && o->path[plen - 1] == '/') {
        plen--;
    }
    char *path = floe_arena_strndup(t->a, o->path, plen);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return floe_err_set(err, errno == ENOENT ? FLOE_ERR_NOT_FOUND : FLOE_ERR_IO,
                            "no table at %s: %s", path, strerror(errno));
    }
    const char *metadata_file = NULL;
    if (S_ISDIR(sb.st_mode)) {
        t->dir = path;
        st = floe_fs_table_open(t->io, path, &t->cat, err);
        if (st == FLOE_OK) {
            st = t->cat.ops->load(t->cat.ctx, t->a, &t->m, err);
        }
        if (st == FLOE_ERR_NOT_FOUND) {
            /* Not a version-hint table (v1 missing, or <N>-<uuid> names): read the newest. */
            floe_fs_table_free(&t->cat);
            floe_err_clear(err);
            st = find_newest(t, &metadata_file, err);
        }
    } else {
        metadata_file = path;
        char *mdir = parent_dir(t->a, path);
        const char *base = strrchr(mdir, '/');
        base = base == NULL ? mdir : base + 1;
        t->dir = strcmp(base, "metadata") == 0 ? parent_dir(t->a, mdir) : mdir;
    }
    if (st == FLOE_OK && metadata_file != NULL) {
        st = floe_iceberg_read_metadata(t->a, t->io, metadata_file, &t->m, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    if (write && t->cat.ops == NULL) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                            "%s can only be read: writing needs a table directory with "
                            "metadata/v<N>.metadata.json files (a filesystem table)",
                            o->path);
    }
    /* A table copied from elsewhere records its original location: read it at PATH. */
    if (t->m->location != NULL) {
        floe_buf want, have;
        floe_buf_init(&want, 0);
        floe_buf_init(&have, 0);
        bool same = floe_fileio_resolve(t->io, t->m->location, &have, NULL) == FLOE_OK &&
                    floe_fileio_resolve(t->io, t->dir, &want, NULL) == FLOE_OK &&
                    strcmp(floe_buf_cstr(&have), floe_buf_cstr(&want)) == 0;
        if (!same) {
            st = floe_fileio_map_prefix(t->io, t->m->location, t->dir, err);
        }
        floe_buf_fini(&want);
        floe_buf_fini(&have);
    }
    return st;
}

void tbl_close(tbl *t)
{
    floe_fs_table_free(&t->cat);
    floe_fileio_free(t->io);
    floe_arena_free(t->a);
    memset(t, 0, sizeof(*t));
}

/* ==== Committing and printing ==== */

char *tbl_type_text(const floe_ice_type *t)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    if (floe_ice_type_format(t, &b, NULL) != FLOE_OK) {
        floe_buf_reset(&b);
        floe_buf_append_str(&b, floe_ice_type_name(t->id), NULL);
    }
    size_t len = 0;
    return floe_buf_detach(&b, &len);
}

floe_status tbl_commit(tbl *t, floe_ice_op *op, floe_err *err)
{
    floe_table_meta *next = NULL;
    floe_status st = floe_ice_op_commit(op, t->a, &t->cat, &next, err);
    if (st != FLOE_OK) {
        return st;
    }
    t->m = next;
    const floe_snapshot *s = t->branch != NULL ? floe_table_meta_ref_snapshot(next, t->branch)
                                               : floe_table_meta_current_snapshot(next);
    json_t *j = json_object();
    if (s != NULL) {
        json_object_set_new(j, "snapshot-id", json_integer(s->snapshot_id));
        json_object_set_new(j, "sequence-number", json_integer(s->sequence_number));
        json_t *sum = json_object();
        for (size_t i = 0; i < s->n_summary; i++) {
            json_object_set_new(sum, s->summary[i].key, json_string(s->summary[i].value));
        }
        json_object_set_new(j, "summary", sum);
    }
    if (next->metadata_location != NULL) {
        json_object_set_new(j, "metadata-location", json_string(next->metadata_location));
    }
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text != NULL) {
        printf("%s\n", text);
    }
    free(text);
    json_decref(j);
    fflush(stdout);
    return FLOE_OK;
}

/* ==== Snapshots and filters ==== */

floe_status tbl_scan_opts(const tbl_args *o, floe_scan_opts *so, floe_err *err)
{
    memset(so, 0, sizeof(*so));
    if (o->snapshot != NULL) {
        if (floe_parse_i64(o->snapshot, &so->snapshot_id, err) != FLOE_OK) {
            floe_err_clear(err);
            return floe_err_set(err, FLOE_ERR_USAGE, "--snapshot needs a snapshot id, got '%s'",
                                o->snapshot);
        }
        so->has_snapshot_id = true;
    }
    so->ref = o->ref;
    if (o->as_of != NULL) {
        int64_t us = 0;
        int64_t ms = 0;
        if (floe_parse_i64(o->as_of, &ms, NULL) == FLOE_OK) {
            so->as_of_ms = ms; /* milliseconds since the epoch */
        } else if (floe_time_parse_iso(o->as_of, strlen(o->as_of), &us, NULL) == FLOE_OK) {
            so->as_of_ms = us / 1000;
        } else {
            return floe_err_set(err, FLOE_ERR_USAGE,
                                "--as-of needs an ISO timestamp or epoch milliseconds, got '%s'",
                                o->as_of);
        }
        so->has_as_of = true;
    }
    return FLOE_OK;
}

floe_status tbl_open_snapshot(const tbl_args *o, tbl *t, floe_scan_opts *so,
                              const floe_snapshot **snap, floe_err *err)
{
    *snap = NULL;
    memset(t, 0, sizeof(*t));
    floe_status st = tbl_scan_opts(o, so, err);
    if (st == FLOE_OK) {
        st = tbl_open(o, false, t, err);
    }
    if (st == FLOE_OK) {
        st = floe_scan_snapshot(t->m, so, snap, err);
    }
    return st;
}

floe_status tbl_reader_open(tbl *t, const floe_scan_task *task, const floe_ice_schema *proj,
                            const floe_ice_expr *bound, const floe_ice_name_mapping *nm,
                            floe_ice_reader **out, floe_err *err)
{
    floe_ice_read_opts ro = {
        .schema = proj,
        .file = task->file,
        .deletes = task->deletes,
        .n_deletes = task->n_deletes,
        .filter = bound,
        .name_mapping = nm,
        .spec = task->spec,
    };
    return floe_ice_reader_open(t->io, &ro, out, err);
}

const floe_ice_schema *tbl_snapshot_schema(const floe_table_meta *m, const floe_snapshot *s)
{
    if (s != NULL && s->has_schema_id && s->snapshot_id != m->current_snapshot_id) {
        const floe_ice_schema *sc = floe_table_meta_schema(m, s->schema_id);
        if (sc != NULL) {
            return sc;
        }
    }
    return floe_table_meta_current_schema(m);
}

floe_status tbl_filter(floe_arena *a, const char *where, const floe_ice_schema *schema,
                       const floe_ice_expr **unbound, const floe_ice_expr **bound, floe_err *err)
{
    *unbound = NULL;
    *bound = NULL;
    if (where == NULL) {
        return FLOE_OK;
    }
    floe_status st = floe_ice_expr_parse(a, where, strlen(where), unbound, err);
    if (st == FLOE_OK) {
        st = floe_ice_expr_bind(a, *unbound, schema, bound, err);
    }
    if (st == FLOE_ERR_INVALID) {
        /* A filter the user typed wrong is a usage error (exit 2). */
        floe_err e = *err;
        floe_err_clear(err);
        st = floe_err_set(err, FLOE_ERR_USAGE, "--where: %s", e.msg);
    }
    return st;
}

floe_status tbl_name_mapping(tbl *t, const floe_ice_name_mapping **out, floe_err *err)
{
    *out = NULL;
    const char *nm = floe_table_meta_property(t->m, "schema.name-mapping.default");
    if (nm == NULL) {
        return FLOE_OK;
    }
    floe_status st = floe_ice_name_mapping_parse(t->a, (floe_str){nm, strlen(nm)}, out, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "property schema.name-mapping.default");
    }
    return st;
}
