/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jobs end to end on copies of tables written by other engines (/work/shared/fixtures):
 * data expiration commits (partition and file level, the millisecond boundary) and dangling
 * delete cleaning (a rewrite commit). After each job every remaining snapshot is planned with
 * the scan planner and read with the row reader, and compared with the rows it had before;
 * after the expiration that follows, every file that was deleted was unreachable from every
 * remaining snapshot, and every file a remaining snapshot needs still exists.
 */
#include "mnt_helpers.h"

#include <string.h>
#include <unistd.h>

typedef struct fx {
    floe_test_ctx *t;
    floe_fileio *io;
    floe_ice_catalog cat;
    const char *dir;
} fx;

static void fx_open(floe_test_ctx *t, fx *f, const char *rel, const char *prefix, const char *hint)
{
    floe_err err = {0};
    f->t = t;
    f->dir = floe_test_copy_shared(t, rel);
    f->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    if (hint != NULL) {
        /* The fixture lacks a version hint; the copy gets one (the fixture is untouched). */
        const char *p = floe_arena_sprintf(t->arena, "%s/metadata/version-hint.text", f->dir);
        FLOE_ASSERT_OK(
            floe_io_write_file(f->io, p, FLOE_IO_CREATE_EXCLUSIVE, hint, strlen(hint), &err), &err);
    }
    FLOE_ASSERT_OK(floe_fileio_map_prefix(f->io, prefix, f->dir, &err), &err);
    FLOE_ASSERT_OK(floe_fs_table_open(f->io, f->dir, &f->cat, &err), &err);
}

static void fx_close(fx *f)
{
    floe_fs_table_free(&f->cat);
    floe_fileio_free(f->io);
}

static floe_table_meta *fx_load(fx *f)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(f->cat.ops->load(f->cat.ctx, f->t->arena, &m, &err), &err);
    return m;
}

static void fx_set_props(fx *f, const floe_kv *kv, size_t n)
{
    floe_err err = {0};
    floe_ice_update u = {.kind = FLOE_ICE_UP_SET_PROPERTIES, .updates = kv, .n_updates = n};
    FLOE_ASSERT_OK(f->cat.ops->commit(f->cat.ctx, f->t->arena, NULL, 0, &u, 1, NULL, &err), &err);
}

/* Rows of a snapshot of `m`: planned, then every task read with its deletes. */
static int64_t rows_of(fx *f, const floe_table_meta *m, int64_t snapshot_id)
{
    return mnt_snapshot_rows(f->t, f->io, m, snapshot_id);
}

/* Rows of every snapshot of `m`, by index. */
static int64_t *all_rows(fx *f, const floe_table_meta *m)
{
    int64_t *out = floe_arena_calloc(f->t->arena, m->n_snapshots + 1, sizeof(*out));
    for (size_t i = 0; i < m->n_snapshots; i++) {
        out[i] = rows_of(f, m, m->snapshots[i].snapshot_id);
    }
    return out;
}

/* Every snapshot of `before` that `after` still has reads the same rows as before. */
static void assert_rows_kept(fx *f, const floe_table_meta *before, const int64_t *rows,
                             const floe_table_meta *after)
{
    for (size_t i = 0; i < before->n_snapshots; i++) {
        int64_t id = before->snapshots[i].snapshot_id;
        if (floe_table_meta_snapshot(after, id) != NULL) {
            assert_int_equal(rows_of(f, after, id), rows[i]);
        }
    }
}

static floe_status run_job(fx *f, floe_mnt_action action, const floe_mnt_job_opts *o,
                           floe_mnt_run *run)
{
    floe_err err = {0};
    memset(run, 0, sizeof(*run));
    floe_status st = floe_mnt_job_run(f->t->arena, &f->cat, action, o, run, &err);
    if (st != FLOE_OK) {
        print_message("job %s: %s\n", floe_mnt_action_name(action), err.msg);
    }
    return st;
}

/* Every location any live entry of any snapshot of `m` (or its manifests and lists) names. */
static floe_map *reachable(fx *f, const floe_table_meta *m)
{
    floe_map *set = floe_map_new(NULL);
    floe_err err = {0};
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const floe_snapshot *s = &m->snapshots[i];
        if (s->manifest_list != NULL) {
            floe_map_put_s(set, s->manifest_list, (void *)1);
        }
        const floe_manifest_file *mfs = NULL;
        size_t n = 0;
        FLOE_ASSERT_OK(floe_snapshot_manifests(f->t->arena, f->io, m, s, &mfs, &n, &err), &err);
        for (size_t k = 0; k < n; k++) {
            floe_map_put_s(set, mfs[k].manifest_path, (void *)1);
            floe_manifest_read_opts ro = {.meta = m, .manifest = &mfs[k]};
            floe_manifest_reader *r = NULL;
            FLOE_ASSERT_OK(floe_manifest_reader_open(f->io, mfs[k].manifest_path, &ro, &r, &err),
                           &err);
            for (bool got = true; got;) {
                floe_manifest_entry e;
                FLOE_ASSERT_OK(floe_manifest_reader_next(r, f->t->arena, &e, &got, &err), &err);
                if (got && e.status != FLOE_ENTRY_DELETED) {
                    floe_map_put_s(set, e.file.file_path, (void *)1);
                }
            }
            floe_manifest_reader_close(r);
        }
    }
    return set;
}

/*
 * Expire every snapshot but the current one (no age limit), then check: the deleted files are
 * none of what the remaining snapshots reach, they are gone from storage, and what remains is
 * readable with the rows it had. Returns the number of files deleted.
 */
static size_t expire_and_check(fx *f, const int64_t *rows, const floe_table_meta *before)
{
    floe_err err = {0};
    floe_table_meta *pre = fx_load(f);
    floe_mnt_expire_opts eo = {.now_ms = floe_time_now_us() / 1000 + 1000,
                               .older_than_ms = floe_time_now_us() / 1000 + 1000,
                               .retain_last = 1};
    floe_mnt_expire_plan p;
    FLOE_ASSERT_OK(floe_mnt_expire_select(f->t->arena, pre, &eo, &p, &err), &err);
    if (p.n_updates > 0) {
        FLOE_ASSERT_OK(f->cat.ops->commit(f->cat.ctx, f->t->arena, p.reqs, p.n_reqs, p.updates,
                                          p.n_updates, NULL, &err),
                       &err);
    }
    floe_table_meta *after = fx_load(f);
    floe_mnt_fileio_source rs = {f->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_manifest_source src;
    floe_mnt_fileio_source_init(&rs, &src);
    floe_mnt_file_list l;
    FLOE_ASSERT_OK(floe_mnt_expired_files(f->t->arena, pre, after, &src, &l, &err), &err);
    floe_mnt_delete_result dr;
    FLOE_ASSERT_OK(floe_mnt_delete_files(f->io, &l, NULL, &dr, &err), &err);
    floe_map *live = reachable(f, after);
    for (size_t i = 0; i < l.n; i++) {
        assert_null(floe_map_get_s(live, l.files[i].location));
        bool exists = true;
        FLOE_ASSERT_OK(floe_io_exists(f->io, l.files[i].location, &exists, &err), &err);
        assert_false(exists);
    }
    floe_map_free(live);
    assert_rows_kept(f, before, rows, after);
    return dr.deleted;
}

/* ==== Data expiration ==== */

#define DAY_T1_SNAPSHOT INT64_C(7051579356916758811)
/* 2023-03-02T19:25:00Z: a day after the newest row of partition 2023-03-01 (19:25:00). */
#define BOUNDARY_MS INT64_C(1677785100000)

static void ttl_props(fx *f, const char *level)
{
    floe_kv kv[] = {{"data-expire.enabled", "true"},
                    {"data-expire.field", "ts"},
                    {"data-expire.level", level},
                    {"data-expire.retention-time", "1d"},
                    {"data-expire.base-on-rule", "CURRENT_TIME"}};
    fx_set_props(f, kv, FLOE_ARRAY_LEN(kv));
}

/*
 * spark_v1_day_partition: day(ts), rows (1, 03-01 18:15), (2, 03-01 19:25), (3, 03-02 22:00).
 * With a retention of one day, the 03-01 file goes exactly when now passes 03-02 19:25:00.000:
 * at that millisecond its newest value is not older than the bound yet.
 */
static void test_ttl_commit_partition_boundary(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_v1_day_partition", "/tmp/iceberg/t1", "2");
    ttl_props(&f, "partition");
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    assert_int_equal(rows_of(&f, before, DAY_T1_SNAPSHOT), 3);

    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = BOUNDARY_MS};
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_null(run.skipped);
    assert_int_equal(run.files_removed, 0);
    assert_int_equal(fx_load(&f)->current_snapshot_id, DAY_T1_SNAPSHOT); /* no commit */

    o.now_ms = BOUNDARY_MS + 1;
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 1);
    floe_table_meta *m = fx_load(&f);
    assert_true(m->current_snapshot_id != DAY_T1_SNAPSHOT);
    assert_int_equal(run.snapshot_id, m->current_snapshot_id);
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    assert_string_equal(s->operation, "delete");
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), 1);
    assert_rows_kept(&f, before, rows, m); /* the old snapshot still reads 3 */

    /* A second run finds nothing more (03-02 22:00 is younger than the bound). */
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 0);

    /* Expiring the old snapshot deletes the expired data file, and only unreachable files. */
    int64_t *rows_now = all_rows(&f, m);
    assert_true(expire_and_check(&f, rows_now, m) >= 2); /* data file, manifest list, ... */
    floe_table_meta *last = fx_load(&f);
    assert_int_equal(last->n_snapshots, 1);
    assert_int_equal(rows_of(&f, last, last->current_snapshot_id), 1);
    fx_close(&f);
}

/* The same at file level, and gc.enabled=false or a disabled switch stops it. */
static void test_ttl_commit_file_level_and_switches(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_v1_day_partition", "/tmp/iceberg/t1", "2");
    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = BOUNDARY_MS + 86400 * 1000};
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_string_equal(run.skipped, "data-expire.enabled is false");

    ttl_props(&f, "file");
    floe_kv off[] = {{"gc.enabled", "false"}};
    fx_set_props(&f, off, 1);
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_string_equal(run.skipped, "gc.enabled is false");
    assert_int_equal(fx_load(&f)->current_snapshot_id, DAY_T1_SNAPSHOT);

    floe_kv on[] = {{"gc.enabled", "true"}};
    fx_set_props(&f, on, 1);
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    /* A day after the boundary only the 03-01 file is past the bound (03-02 22:00 is not). */
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 1);
    floe_table_meta *m = fx_load(&f);
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), 1);
    /* A day later the other one goes too: the table is empty, the older snapshots are not. */
    o.now_ms += 86400 * 1000;
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_DATA, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 1);
    m = fx_load(&f);
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), 0);
    assert_rows_kept(&f, before, rows, m);
    int64_t *rows_now = all_rows(&f, m);
    assert_true(expire_and_check(&f, rows_now, m) >= 3); /* both data files and more */

    fx_close(&f);
}

/* ==== Dangling delete files ==== */

#define POSDEL_DELETE INT64_C(469881615898633426)

/*
 * spark_posdel_schema_evolution: the overwrite left the position-delete file live although the
 * data file it targets is gone. It is dangling; the rewrite commit removes it from main, every
 * snapshot reads what it read, and expiring the older snapshots then deletes it from storage.
 */
static void test_dangling_position_delete(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_posdel_schema_evolution",
            "s3a://hyperparam-iceberg/spark/bunnies", NULL);
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    floe_err err = {0};
    floe_mnt_file_list l;
    FLOE_ASSERT_OK(floe_mnt_dangling_deletes(t->arena, f.io, before, &l, &err), &err);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.files[0].kind, FLOE_MNT_FILE_POSITION_DELETES);
    assert_non_null(strstr(l.files[0].location, "-deletes.parquet"));
    const char *posdel = l.files[0].location;

    floe_mnt_run run;
    floe_mnt_job_opts dry = {.now_ms = floe_time_now_us() / 1000, .dry_run = true};
    assert_int_equal(run_job(&f, FLOE_MNT_CLEAN_DANGLING_DELETES, &dry, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 1);
    assert_int_equal(fx_load(&f)->current_snapshot_id, before->current_snapshot_id);

    floe_mnt_job_opts o = {.now_ms = floe_time_now_us() / 1000};
    assert_int_equal(run_job(&f, FLOE_MNT_CLEAN_DANGLING_DELETES, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 1);
    floe_table_meta *m = fx_load(&f);
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    assert_string_equal(s->operation, "replace");
    assert_int_equal(s->parent_id, before->current_snapshot_id);
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), 20);
    assert_rows_kept(&f, before, rows, m);
    assert_int_equal(rows_of(&f, m, POSDEL_DELETE), 20); /* the delete still applies there */
    FLOE_ASSERT_OK(floe_mnt_dangling_deletes(t->arena, f.io, m, &l, &err), &err);
    assert_int_equal(l.n, 0);

    /* Expiration deletes the file once no snapshot reaches it. */
    int64_t *rows_now = all_rows(&f, m);
    assert_true(expire_and_check(&f, rows_now, m) > 0);
    bool exists = true;
    FLOE_ASSERT_OK(floe_io_exists(f.io, posdel, &exists, &err), &err);
    assert_false(exists);
    floe_table_meta *last = fx_load(&f);
    assert_int_equal(rows_of(&f, last, last->current_snapshot_id), 20);
    fx_close(&f);
}

/* Commit a position delete file naming `paths` (position 0 of each) to main. */
static const char *add_posdel(fx *f, const char *const *paths, size_t n)
{
    floe_err err = {0};
    floe_table_meta *m = fx_load(f);
    floe_ice_posdel_opts po = {.table = m};
    floe_ice_posdel_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(f->io, &po, &w, &err), &err);
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, paths[i], 0, &err), &err);
    }
    const floe_data_file *d = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w, f->t->arena, &d, &err), &err);
    floe_ice_posdel_writer_free(w);
    assert_null(d->referenced_data_file); /* two paths: applied by bounds only */
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, d, &err), &err);
    FLOE_ASSERT_OK(floe_ice_op_commit(op, f->t->arena, &f->cat, NULL, &err), &err);
    floe_ice_op_free(op);
    return d->file_path;
}

/*
 * Position delete files without a referenced file whose path bounds span the live data file:
 * the planner applies them, so they are read. One names only files that do not exist (it
 * dangles), the other also names row 0 of the live file (it stays, and deletes that row).
 */
static void test_dangling_position_delete_read(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_posdel_schema_evolution",
            "s3a://hyperparam-iceberg/spark/bunnies", NULL);
    floe_err err = {0};
    floe_table_meta *m0 = fx_load(&f);
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, f.io, m0, NULL, &tasks, &n, NULL, &err), &err);
    assert_int_equal(n, 1);
    const char *live = tasks[0].file->file_path;
    const char *gone[] = {"/gone/a.parquet", "~gone/z.parquet"};
    const char *mixed[] = {"/gone/b.parquet", live};
    const char *gone_file = add_posdel(&f, gone, 2);
    const char *mixed_file = add_posdel(&f, mixed, 2);
    floe_table_meta *before = fx_load(&f);
    assert_int_equal(rows_of(&f, before, before->current_snapshot_id), 19);
    int64_t *rows = all_rows(&f, before);

    floe_mnt_file_list l;
    FLOE_ASSERT_OK(floe_mnt_dangling_deletes(t->arena, f.io, before, &l, &err), &err);
    assert_int_equal(l.n, 2); /* Spark's dangling file and `gone` */
    bool saw_gone = false;
    for (size_t i = 0; i < l.n; i++) {
        assert_true(strcmp(l.files[i].location, mixed_file) != 0);
        saw_gone = saw_gone || strcmp(l.files[i].location, gone_file) == 0;
    }
    assert_true(saw_gone);

    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = floe_time_now_us() / 1000};
    assert_int_equal(run_job(&f, FLOE_MNT_CLEAN_DANGLING_DELETES, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, 2);
    floe_table_meta *m = fx_load(&f);
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), 19);
    assert_rows_kept(&f, before, rows, m);
    int64_t *rows_now = all_rows(&f, m);
    assert_true(expire_and_check(&f, rows_now, m) > 0);
    floe_table_meta *last = fx_load(&f);
    assert_int_equal(rows_of(&f, last, last->current_snapshot_id), 19);
    fx_close(&f);
}

/*
 * Tables whose delete files still apply: nothing dangles, nothing is committed. Tables where
 * some do: whatever is removed, every snapshot reads the same rows afterwards.
 */
static void dangling_keeps_rows(floe_test_ctx *t, const char *rel, const char *prefix,
                                int64_t current_rows, size_t expect_removed)
{
    fx f;
    fx_open(t, &f, rel, prefix, NULL);
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    assert_int_equal(rows_of(&f, before, before->current_snapshot_id), current_rows);
    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = floe_time_now_us() / 1000};
    assert_int_equal(run_job(&f, FLOE_MNT_CLEAN_DANGLING_DELETES, &o, &run), FLOE_OK);
    assert_int_equal(run.files_removed, expect_removed);
    floe_table_meta *m = fx_load(&f);
    if (expect_removed == 0) {
        assert_int_equal(m->current_snapshot_id, before->current_snapshot_id);
    }
    assert_int_equal(rows_of(&f, m, m->current_snapshot_id), current_rows);
    assert_rows_kept(&f, before, rows, m);
    int64_t *rows_now = all_rows(&f, m);
    expire_and_check(&f, rows_now, m);
    floe_table_meta *last = fx_load(&f);
    assert_int_equal(rows_of(&f, last, last->current_snapshot_id), current_rows);
    fx_close(&f);
}

static void test_dangling_none_when_deletes_apply(void **state)
{
    /* Position deletes on the initial file (live), an equality delete newer than it. */
    dangling_keeps_rows(*state, "iceberg/java_api_pos_and_eq_deletes",
                        "s3a://hyperparam-iceberg/java/bunnies", 15, 0);
}

static void test_dangling_equality_deletes_partitioned(void **state)
{
    dangling_keeps_rows(*state, "iceberg/java_api_eq_deletes_identity_partition",
                        "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned", 3,
                        0);
}

/* ==== Snapshot expiration and tags through jobs ==== */

#define POSDEL_FIRST INT64_C(7505300640432048841)
#define POSDEL_CURRENT INT64_C(2701171901096418979)

/*
 * A catalog that loses the first commit to a "concurrent writer", as the server's strict
 * catalog does: before answering CONFLICT it commits that writer's change (a tag on the first
 * snapshot) to the real table. The job must decide again from what the writer committed.
 */
typedef struct racing {
    fx *f;
    int commits;
} racing;

static floe_status racing_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    racing *r = ctx;
    return r->f->cat.ops->load(r->f->cat.ctx, a, out, err);
}

static floe_status racing_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                                 size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                                 floe_table_meta **out, floe_err *err)
{
    racing *r = ctx;
    if (r->commits++ == 0) {
        floe_ice_update tag = {
            .kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
            .ref = {.name = "keep", .snapshot_id = POSDEL_FIRST, .type = FLOE_REF_TAG}};
        floe_status st = r->f->cat.ops->commit(r->f->cat.ctx, a, NULL, 0, &tag, 1, NULL, err);
        if (st != FLOE_OK) {
            return st;
        }
        /* A strict catalog (floe_catalog_ice_open) refuses the commit: the table moved. */
        return floe_err_set(err, FLOE_ERR_CONFLICT, "another writer won");
    }
    return r->f->cat.ops->commit(r->f->cat.ctx, a, reqs, n_reqs, ups, n_ups, out, err);
}

static const floe_ice_catalog_ops racing_ops = {.load = racing_load, .commit = racing_commit};

static void test_expire_job_protects_and_replans(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_posdel_schema_evolution",
            "s3a://hyperparam-iceberg/spark/bunnies", NULL);
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    int64_t now = floe_time_now_us() / 1000;

    /* gc.enabled=false: the scheduler's job changes nothing. */
    floe_kv off[] = {{"gc.enabled", "false"}};
    fx_set_props(&f, off, 1);
    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = now, .older_than_ms = 1};
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_SNAPSHOTS, &o, &run), FLOE_OK);
    assert_string_equal(run.skipped, "gc.enabled is false");
    assert_int_equal(fx_load(&f)->n_snapshots, 3);
    floe_kv on[] = {{"gc.enabled", "true"}};
    fx_set_props(&f, on, 1);

    /* The first snapshot is an optimizing process's base: only the middle one goes. */
    int64_t protect[] = {POSDEL_FIRST};
    o.protected_ids = protect;
    o.n_protected = 1;
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_SNAPSHOTS, &o, &run), FLOE_OK);
    assert_null(run.skipped);
    assert_int_equal(run.snapshots_expired, 1);
    assert_non_null(run.committed_metadata);
    floe_table_meta *m = fx_load(&f);
    assert_int_equal(m->n_snapshots, 2);
    assert_non_null(floe_table_meta_snapshot(m, POSDEL_FIRST));
    assert_rows_kept(&f, before, rows, m);

    /* A writer tags the first snapshot while the next expiration commits: the commit loses,
     * the job plans again from what the writer committed, and the tag keeps its snapshot. */
    racing r = {&f, 0};
    floe_ice_catalog rc = {&racing_ops, &r, f.io};
    floe_mnt_job_opts o2 = {.now_ms = now, .older_than_ms = 1};
    floe_err err = {0};
    memset(&run, 0, sizeof(run));
    FLOE_ASSERT_OK(floe_mnt_job_run(t->arena, &rc, FLOE_MNT_EXPIRE_SNAPSHOTS, &o2, &run, &err),
                   &err);
    assert_int_equal(r.commits, 1); /* replanned: nothing left to expire, no second commit */
    assert_int_equal(run.snapshots_expired, 0);
    m = fx_load(&f);
    assert_non_null(floe_table_meta_ref(m, "keep"));
    assert_non_null(floe_table_meta_snapshot(m, POSDEL_FIRST));
    assert_int_equal(rows_of(&f, m, POSDEL_FIRST), 21);
    assert_int_equal(rows_of(&f, m, POSDEL_CURRENT), 20);
    fx_close(&f);
}

static floe_status cancel_after_first(void *ud, size_t done, size_t total, floe_err *err)
{
    (void)total;
    int *calls = ud;
    if (++*calls >= 1 && done > 0) {
        return floe_err_set(err, FLOE_ERR_CANCELED, "stopped: the server is shutting down");
    }
    return FLOE_OK;
}

/*
 * Stopped after its commit and one batch of deletions (SIGTERM), an expiration leaves files
 * that the next run finds through the metadata log and deletes; every snapshot left reads its
 * rows throughout.
 */
static void test_expire_job_resumes_after_stop(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_posdel_schema_evolution",
            "s3a://hyperparam-iceberg/spark/bunnies", NULL);
    floe_table_meta *before = fx_load(&f);
    int64_t *rows = all_rows(&f, before);
    int calls = 0;
    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = floe_time_now_us() / 1000, .older_than_ms = 1};
    o.del = (floe_mnt_delete_opts){.batch_size = 1, .on_batch = cancel_after_first, .ud = &calls};
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_SNAPSHOTS, &o, &run), FLOE_ERR_CANCELED);
    assert_int_equal(run.snapshots_expired, 2); /* committed before the stop */
    size_t listed = run.files_listed;
    size_t first = run.deleted.deleted;
    assert_true(listed > 1);
    assert_int_equal(first, 1);
    floe_table_meta *m = fx_load(&f);
    assert_int_equal(m->n_snapshots, 1);
    assert_rows_kept(&f, before, rows, m);

    floe_mnt_job_opts o2 = {.now_ms = floe_time_now_us() / 1000, .older_than_ms = 1};
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_SNAPSHOTS, &o2, &run), FLOE_OK);
    assert_int_equal(run.snapshots_expired, 0);
    assert_int_equal(run.deleted.deleted, listed - first); /* the rest, found again */
    assert_int_equal(run.deleted.failed, 0);
    assert_rows_kept(&f, before, rows, fx_load(&f));
    assert_int_equal(run_job(&f, FLOE_MNT_EXPIRE_SNAPSHOTS, &o2, &run), FLOE_OK);
    assert_int_equal(run.deleted.deleted, 0); /* nothing left */
    fx_close(&f);
}

/* Daily auto tags: created once for the day of the current snapshot, then "exists". */
static void test_auto_tag_job(void **state)
{
    floe_test_ctx *t = *state;
    fx f;
    fx_open(t, &f, "iceberg/spark_posdel_schema_evolution",
            "s3a://hyperparam-iceberg/spark/bunnies", NULL);
    floe_table_meta *m = fx_load(&f);
    int64_t ts = floe_table_meta_current_snapshot(m)->timestamp_ms;
    int64_t next_day = (ts / 86400000 + 1) * 86400000;
    floe_mnt_run run;
    floe_mnt_job_opts o = {.now_ms = next_day + 5 * 60000};
    assert_int_equal(run_job(&f, FLOE_MNT_AUTO_TAG, &o, &run), FLOE_OK);
    assert_string_equal(run.skipped, "tag.auto-create.enabled is false");
    floe_kv kv[] = {{"tag.auto-create.enabled", "true"}};
    fx_set_props(&f, kv, 1);
    assert_int_equal(run_job(&f, FLOE_MNT_AUTO_TAG, &o, &run), FLOE_OK);
    assert_null(run.skipped);
    assert_non_null(run.tag_name);
    assert_int_equal(run.snapshot_id, POSDEL_CURRENT);
    m = fx_load(&f);
    const floe_snapshot_ref *ref = floe_table_meta_ref(m, run.tag_name);
    assert_non_null(ref);
    assert_int_equal(ref->type, FLOE_REF_TAG);
    assert_int_equal(ref->snapshot_id, POSDEL_CURRENT);
    size_t refs = m->n_refs;
    assert_int_equal(run_job(&f, FLOE_MNT_AUTO_TAG, &o, &run), FLOE_OK);
    assert_non_null(run.skipped); /* the tag exists */
    assert_int_equal(fx_load(&f)->n_refs, refs);
    /* gc.enabled=false does not stop tags: they delete nothing. */
    fx_close(&f);
}

FLOE_TEST_GROUP(jobs)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expire_job_protects_and_replans, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_expire_job_resumes_after_stop, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_auto_tag_job, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_commit_partition_boundary, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_commit_file_level_and_switches, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_dangling_position_delete, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_dangling_position_delete_read, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_dangling_none_when_deletes_apply, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_dangling_equality_deletes_partitioned, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
