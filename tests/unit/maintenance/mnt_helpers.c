/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the maintenance tests (see mnt_helpers.h). */
#include "mnt_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define DEFAULT_SCHEMA                                                                             \
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["                                            \
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"                              \
    "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"}]}"

static json_t *parse_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL) {
        fail_msg("bad test JSON: %s: %s", je.text, text);
    }
    return j;
}

floe_table_meta *mnt_test_meta(floe_test_ctx *t, const tmeta *d)
{
    const char *loc = d->location ? d->location : floe_test_tmp_path(t, "t");
    json_t *o = json_object();
    json_object_set_new(o, "format-version", json_integer(2));
    json_object_set_new(o, "table-uuid", json_string("9c12d441-03fe-4693-9a96-a0705ddf69c1"));
    json_object_set_new(o, "location", json_string(loc));
    json_object_set_new(o, "last-sequence-number", json_integer((json_int_t)d->n_snaps));
    json_object_set_new(o, "last-updated-ms", json_integer(1000));
    json_t *schema = parse_json(d->schema ? d->schema : DEFAULT_SCHEMA);
    json_t *fields = json_object_get(schema, "fields");
    json_int_t last_col = 0;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_int_t id = json_integer_value(json_object_get(json_array_get(fields, i), "id"));
        last_col = id > last_col ? id : last_col;
    }
    json_object_set_new(o, "last-column-id", json_integer(last_col + 100));
    json_object_set_new(o, "current-schema-id", json_integer(0));
    json_object_set_new(o, "schemas", json_pack("[o]", schema));
    json_t *spec = parse_json(d->spec ? d->spec : "{\"spec-id\":0,\"fields\":[]}");
    json_int_t last_pid = 999;
    json_t *pf = json_object_get(spec, "fields");
    for (size_t i = 0; i < json_array_size(pf); i++) {
        json_int_t id = json_integer_value(json_object_get(json_array_get(pf, i), "field-id"));
        last_pid = id > last_pid ? id : last_pid;
    }
    json_object_set_new(o, "default-spec-id", json_integer(0));
    json_object_set_new(o, "partition-specs", json_pack("[o]", spec));
    json_object_set_new(o, "last-partition-id", json_integer(last_pid));
    json_object_set_new(o, "default-sort-order-id", json_integer(0));
    json_object_set_new(o, "sort-orders", parse_json("[{\"order-id\":0,\"fields\":[]}]"));
    json_object_set_new(o, "properties", parse_json(d->props ? d->props : "{}"));
    json_object_set_new(o, "current-snapshot-id", json_integer(d->current));
    json_t *snaps = json_array();
    for (size_t i = 0; i < d->n_snaps; i++) {
        const tsnap *s = &d->snaps[i];
        json_t *js = json_object();
        json_object_set_new(js, "snapshot-id", json_integer(s->id));
        if (s->parent != NO_PARENT) {
            json_object_set_new(js, "parent-snapshot-id", json_integer(s->parent));
        }
        json_object_set_new(js, "sequence-number", json_integer((json_int_t)i + 1));
        json_object_set_new(js, "timestamp-ms", json_integer(s->ts));
        json_object_set_new(js, "summary", json_pack("{s:s}", "operation", "append"));
        char ml[4096];
        snprintf(ml, sizeof(ml), "%s/metadata/snap-%lld.avro", loc, (long long)s->id);
        json_object_set_new(js, "manifest-list", json_string(ml));
        json_object_set_new(js, "schema-id", json_integer(0));
        json_array_append_new(snaps, js);
    }
    json_object_set_new(o, "snapshots", snaps);
    json_t *refs = json_object();
    for (size_t i = 0; i < d->n_refs; i++) {
        const tref *r = &d->refs[i];
        json_t *jr = json_object();
        json_object_set_new(jr, "snapshot-id", json_integer(r->id));
        json_object_set_new(jr, "type", json_string(r->tag ? "tag" : "branch"));
        if (r->min_keep != UNSET) {
            json_object_set_new(jr, "min-snapshots-to-keep", json_integer(r->min_keep));
        }
        if (r->max_snap_age != UNSET) {
            json_object_set_new(jr, "max-snapshot-age-ms", json_integer(r->max_snap_age));
        }
        if (r->max_ref_age != UNSET) {
            json_object_set_new(jr, "max-ref-age-ms", json_integer(r->max_ref_age));
        }
        json_object_set_new(refs, r->name, jr);
    }
    if (d->n_refs > 0) {
        json_object_set_new(o, "refs", refs);
    } else {
        json_decref(refs);
    }
    if (d->log != NULL) {
        json_t *log = json_array();
        for (size_t i = 0; i < d->n_log; i++) {
            json_array_append_new(log,
                                  json_pack("{s:I,s:I}", "timestamp-ms", (json_int_t)d->log[i][0],
                                            "snapshot-id", (json_int_t)d->log[i][1]));
        }
        json_object_set_new(o, "snapshot-log", log);
    }
    if (d->stats != NULL) {
        json_object_set_new(o, "statistics", parse_json(d->stats));
    }
    if (d->mlog != NULL) {
        json_object_set_new(o, "metadata-log", parse_json(d->mlog));
    }
    floe_table_meta *m = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, o, &m, &err), &err);
    json_decref(o);
    m->metadata_location = floe_arena_sprintf(t->arena, "%s/metadata/v9.metadata.json", loc);
    return m;
}

/* ==== Fake manifest source ==== */

const char *fk_path(fk_source *fk, const char *rel)
{
    return floe_arena_sprintf(fk->t->arena, "%s/%s", fk->location, rel);
}

static const fk_manifest *find_manifest(fk_source *fk, const char *abs)
{
    for (size_t i = 0; i < fk->nm; i++) {
        if (strcmp(fk_path(fk, fk->ms[i].path), abs) == 0) {
            return &fk->ms[i];
        }
    }
    return NULL;
}

static floe_status fk_snapshot_manifests(void *ctx, floe_arena *a, const floe_table_meta *m,
                                         const floe_snapshot *snap, const floe_manifest_file **out,
                                         size_t *n, floe_err *err)
{
    (void)m;
    fk_source *fk = ctx;
    bool exists = false;
    floe_status st = floe_io_exists(fk->io, snap->manifest_list, &exists, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!exists) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s: not found", snap->manifest_list);
    }
    for (size_t i = 0; i < fk->nss; i++) {
        if (fk->ss[i].id != snap->snapshot_id) {
            continue;
        }
        size_t k = 0;
        while (k < 8 && fk->ss[i].manifests[k] != NULL) {
            k++;
        }
        floe_manifest_file *mfs = floe_arena_calloc(a, k + 1, sizeof(*mfs));
        for (size_t j = 0; j < k; j++) {
            mfs[j].manifest_path =
                floe_arena_sprintf(a, "%s/%s", fk->location, fk->ss[i].manifests[j]);
            mfs[j].manifest_length = 100;
            mfs[j].added_snapshot_id = snap->snapshot_id;
        }
        *out = mfs;
        *n = k;
        return FLOE_OK;
    }
    *out = NULL;
    *n = 0;
    return FLOE_OK;
}

static floe_status fk_manifest_entries(void *ctx, const floe_table_meta *m,
                                       const floe_manifest_file *mf, floe_mnt_entry_fn fn, void *ud,
                                       floe_err *err)
{
    (void)m;
    fk_source *fk = ctx;
    bool exists = false;
    floe_status st = floe_io_exists(fk->io, mf->manifest_path, &exists, err);
    if (st != FLOE_OK) {
        return st;
    }
    const fk_manifest *man = find_manifest(fk, mf->manifest_path);
    if (!exists || man == NULL) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s: not found", mf->manifest_path);
    }
    fk->reads++;
    for (size_t i = 0; i < 8 && man->entries[i].path != NULL; i++) {
        floe_manifest_entry e = {0};
        e.status = man->entries[i].status;
        e.file.content = man->entries[i].content;
        e.file.file_path = fk_path(fk, man->entries[i].path);
        e.file.file_size_in_bytes = 10;
        st = fn(ud, &e, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

floe_mnt_manifest_source fk_as_source(fk_source *fk)
{
    return (floe_mnt_manifest_source){fk, fk_snapshot_manifests, fk_manifest_entries};
}

void mnt_touch(const char *path, int64_t mtime_s)
{
    /* mkdir -p of the parent, without a shell. */
    char *dir = floe_xstrdup(path);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
                fail_msg("mkdir %s: %s", dir, strerror(errno));
            }
            *p = '/';
        }
    }
    free(dir);
    floe_test_write_file(path, "", 0);
    struct timeval tv[2] = {{(time_t)mtime_s, 0}, {(time_t)mtime_s, 0}};
    assert_int_equal(utimes(path, tv), 0);
}

bool mnt_file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

void fk_materialize(fk_source *fk, const floe_table_meta *m, int64_t mtime_s)
{
    for (size_t i = 0; i < m->n_snapshots; i++) {
        mnt_touch(m->snapshots[i].manifest_list, mtime_s);
    }
    for (size_t i = 0; i < fk->nm; i++) {
        mnt_touch(fk_path(fk, fk->ms[i].path), mtime_s);
        for (size_t k = 0; k < 8 && fk->ms[i].entries[k].path != NULL; k++) {
            mnt_touch(fk_path(fk, fk->ms[i].entries[k].path), mtime_s);
        }
    }
}

int64_t mnt_snapshot_rows(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *m,
                          int64_t snapshot_id)
{
    floe_err err = {0};
    floe_scan_opts so = {.has_snapshot_id = true, .snapshot_id = snapshot_id};
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, io, m, &so, &tasks, &n, NULL, &err), &err);
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        floe_ice_read_opts ro = {.schema = floe_table_meta_current_schema(m),
                                 .file = tasks[i].file,
                                 .deletes = tasks[i].deletes,
                                 .n_deletes = tasks[i].n_deletes,
                                 .spec = tasks[i].spec};
        floe_ice_reader *r = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_open(io, &ro, &r, &err), &err);
        for (;;) {
            const floe_ice_batch *b = NULL;
            FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
            if (b == NULL) {
                break;
            }
            rows += (int64_t)b->n_rows;
        }
        floe_ice_reader_close(r);
    }
    return rows;
}
