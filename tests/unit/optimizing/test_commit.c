/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manifest-backed source and the committer on a filesystem table: small appends are
 * planned from the real manifests, a process is "executed" (outputs describe the rows of their
 * inputs) and committed as one REWRITE snapshot; concurrent writers between plan and commit
 * (appends kept, an equality delete still applying to the rewritten rows, an input file removed
 * -> clean conflict), an idempotent retried commit, and partial processes. Then tasks executed
 * for real on written files: a position-delete file naming several data files, whose path bounds
 * span one the process leaves alone, is removed exactly when the successful tasks' reports show
 * that every file it names was rewritten; the rows read back never change.
 */
#include "opt_helpers.h"

#include "floe/optimizer.h"

#include <stdio.h>
#include <string.h>

static const char *SCHEMA = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                            "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
                            "{\"id\":2,\"name\":\"p\",\"required\":false,\"type\":\"int\"}]}";

typedef struct tbl {
    floe_test_ctx *t;
    floe_fileio *io;
    floe_ice_catalog cat;
    const char *loc;
    int next; /* file name counter */
} tbl;

static void tbl_create(floe_test_ctx *t, tbl *tb)
{
    floe_arena *a = t->arena;
    floe_err err = {0};
    tb->t = t;
    tb->next = 0;
    tb->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    tb->loc = floe_test_tmp_path(t, "tbl");
    json_t *sj = json_loads(SCHEMA, 0, NULL);
    const floe_ice_schema *s = NULL;
    FLOE_ASSERT_OK(floe_ice_schema_from_json(a, sj, &s, &err), &err);
    json_decref(sj);
    json_t *j = json_loads("{\"spec-id\":0,\"fields\":[{\"name\":\"p\",\"transform\":"
                           "\"identity\",\"source-id\":2,\"field-id\":1000}]}",
                           0, NULL);
    const floe_partition_spec *spec = NULL;
    FLOE_ASSERT_OK(floe_partition_spec_from_json(a, j, false, 0, &spec, &err), &err);
    json_decref(j);
    floe_ice_create_opts o = {.location = tb->loc, .schema = s, .spec = spec, .now_ms = 1000};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_ice_table_create(a, &o, &m, &err), &err);
    FLOE_ASSERT_OK(floe_fs_table_create(tb->io, tb->loc, m, &tb->cat, &err), &err);
}

static void tbl_free(tbl *tb)
{
    floe_fs_table_free(&tb->cat);
    floe_fileio_free(tb->io);
}

static floe_table_meta *load(tbl *tb)
{
    floe_table_meta *m = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(tb->cat.ops->load(tb->cat.ctx, tb->t->arena, &m, &err), &err);
    return m;
}

static floe_data_file file(tbl *tb, floe_file_content c, int p, int64_t records)
{
    floe_arena *a = tb->t->arena;
    floe_value *v = floe_arena_calloc(a, 1, sizeof(*v));
    *v = floe_value_int(p);
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    part.u.nested.items = v;
    part.u.nested.n = 1;
    static const int32_t eq[] = {1};
    return (floe_data_file){.content = c,
                            .file_path =
                                floe_arena_sprintf(a, "%s/data/f%d.parquet", tb->loc, tb->next++),
                            .file_format = FLOE_FORMAT_PARQUET,
                            .spec_id = 0,
                            .partition = part,
                            .record_count = records,
                            .file_size_in_bytes = records * 100,
                            .equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? eq : NULL,
                            .n_equality_ids = c == FLOE_CONTENT_EQUALITY_DELETES ? 1 : 0};
}

static void commit_op(tbl *tb, floe_ice_op *op)
{
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_op_commit(op, tb->t->arena, &tb->cat, NULL, &err), &err);
    floe_ice_op_free(op);
}

/* One small append of one file per call. */
static floe_data_file append(tbl *tb, floe_file_content c, int p, int64_t records)
{
    floe_data_file f = file(tb, c, p, records);
    floe_ice_op *op =
        floe_ice_op_new(c == FLOE_CONTENT_DATA ? FLOE_ICE_OP_FAST_APPEND : FLOE_ICE_OP_ROW_DELTA);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f, &err), &err);
    commit_op(tb, op);
    return f;
}

typedef struct live {
    size_t files;
    int64_t records;
    size_t deletes; /* sum of deletes applying */
} live;

static live live_files(tbl *tb, const floe_table_meta *m)
{
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_scan_collect(tb->t->arena, tb->io, m, NULL, &tasks, &n, NULL, &err), &err);
    live l = {0};
    for (size_t i = 0; i < n; i++) {
        l.files++;
        l.records += tasks[i].file->record_count;
        l.deletes += tasks[i].n_deletes;
    }
    return l;
}

/* Plan the current snapshot through the manifest-backed source. */
static floe_opt_plan *plan_table(tbl *tb, const floe_table_meta *m, floe_opt_manifest_source *ms)
{
    floe_arena *a = tb->t->arena;
    static floe_opt_props props;
    props = oth_props(a, NULL);
    const floe_snapshot *snap = floe_table_meta_current_snapshot(m);
    *ms = (floe_opt_manifest_source){.io = tb->io, .meta = m, .snapshot_id = snap->snapshot_id};
    floe_opt_source src;
    floe_opt_manifest_source_init(ms, &src);
    floe_opt_table_ctx ctx = {.meta = m, .props = &props, .now_ms = 2000000000000LL};
    floe_opt_plan_opts po = {.table = "fs.t",
                             .metadata_location = "x",
                             .snapshot_id = snap->snapshot_id,
                             .sequence_number = snap->sequence_number,
                             .group_threads = 1};
    floe_opt_plan *plan = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_plan_make(a, &ctx, &po, &src, &plan, &err), &err);
    return plan;
}

/*
 * "Execute" a process: every task writes one data file holding its inputs' rows (the record
 * count is what the commit and the checks below see); tasks listed in `fail` fail.
 */
static json_t *execute(tbl *tb, const floe_opt_plan *plan, const bool *fail)
{
    static int64_t next_pid = 77;
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_process_from_plan(plan, next_pid++, "fs.t", 1, &p, &err), &err);
    for (size_t i = 0; i < p->n_tasks; i++) {
        floe_opt_task *t = &p->tasks[i];
        FLOE_ASSERT_OK(floe_opt_task_schedule(t, "tok", 1, 2, &err), &err);
        FLOE_ASSERT_OK(floe_opt_task_ack(t, "tok", t->attempt, 3, &err), &err);
        if (fail != NULL && fail[i]) {
            FLOE_ASSERT_OK(floe_opt_task_fail(t, "tok", t->attempt, "boom", 4, &err), &err);
            continue;
        }
        int64_t rows = 0;
        for (size_t k = 0; k < plan->tasks[i].n_files; k++) {
            rows += plan->tasks[i].files[k].records;
        }
        floe_opt_output_file of = {
            .path = floe_arena_sprintf(tb->t->arena, "%s/data/out-%zu.parquet", tb->loc, i),
            .content = FLOE_CONTENT_DATA,
            .format = FLOE_FORMAT_PARQUET,
            .size = rows * 100,
            .records = rows};
        floe_opt_task_output out = {.files = &of, .n_files = 1};
        json_t *oj = floe_opt_task_output_to_json(&out);
        char *text = json_dumps(oj, JSON_COMPACT);
        FLOE_ASSERT_OK(floe_opt_task_succeed(t, "tok", t->attempt, text, 4, &err), &err);
        free(text);
        json_decref(oj);
    }
    p->status = FLOE_OPT_PROC_COMMITTING;
    json_t *j = floe_opt_process_to_json(p, true);
    floe_opt_process_free(p);
    return j;
}

static const char *summary(const floe_table_meta *m, const char *key)
{
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t i = 0; i < s->n_summary; i++) {
        if (strcmp(s->summary[i].key, key) == 0) {
            return s->summary[i].value;
        }
    }
    return NULL;
}

static void test_small_appends_rewritten_with_concurrent_append(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    tbl_create(t, &tb);
    for (int i = 0; i < 15; i++) {
        append(&tb, FLOE_CONTENT_DATA, 1, 10 + i);
    }
    floe_table_meta *m = load(&tb);
    const floe_snapshot *plan_snap = floe_table_meta_current_snapshot(m);
    floe_opt_manifest_source ms;
    floe_opt_plan *plan = plan_table(&tb, m, &ms);
    assert_int_equal(ms.passes, 2);     /* evaluate, then collect */
    assert_int_equal(ms.files, 2 * 15); /* each pass saw every live file */
    assert_int_equal(plan->type, FLOE_OPT_MINOR);
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].n_files, 15);
    assert_string_equal(plan->tasks[0].partition, "{\"1000\":1}");
    json_t *proc = execute(&tb, plan, NULL);

    /* A writer appends to both partitions between plan and commit. */
    append(&tb, FLOE_CONTENT_DATA, 1, 1000);
    append(&tb, FLOE_CONTENT_DATA, 2, 2000);
    live before = live_files(&tb, load(&tb));
    assert_int_equal(before.files, 17);

    floe_opt_commit_result res;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    assert_false(res.already_committed);
    assert_int_equal(res.removed_data_files, 15);
    assert_int_equal(res.added_data_files, 1);
    floe_table_meta *after = load(&tb);
    assert_int_equal(floe_table_meta_current_snapshot(after)->snapshot_id, res.snapshot_id);
    char pid[32];
    snprintf(pid, sizeof(pid), "%lld",
             (long long)json_integer_value(json_object_get(proc, "process-id")));
    assert_string_equal(summary(after, "floe.optimizing.process-id"), pid);
    assert_string_equal(summary(after, "snapshot-producer"), "OPTIMIZE");
    assert_string_equal(summary(after, "floe.optimizing.type"), "minor");
    live l = live_files(&tb, after);
    assert_int_equal(l.files, 3); /* the rewrite plus the writer's two files */
    assert_int_equal(l.records, before.records);
    /* The rewritten file keeps the plan snapshot's data sequence number. */
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, tb.io, after, NULL, &tasks, &n, NULL, &err), &err);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        if (strstr(tasks[i].file->file_path, "out-0") != NULL) {
            seen = true;
            assert_int_equal(tasks[i].data_sequence_number, plan_snap->sequence_number);
            assert_int_equal(tasks[i].file->partition.u.nested.items[0].u.i32, 1);
        }
    }
    assert_true(seen);

    /* The same commit again (a restart before it was recorded) finds its snapshot. */
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    assert_true(res.already_committed);
    assert_int_equal(load(&tb)->n_snapshots, after->n_snapshots);
    json_decref(proc);
    tbl_free(&tb);
}

static void test_equality_delete_after_plan_still_applies(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    tbl_create(t, &tb);
    for (int i = 0; i < 13; i++) {
        append(&tb, FLOE_CONTENT_DATA, 1, 5);
    }
    floe_table_meta *m = load(&tb);
    floe_opt_manifest_source ms;
    floe_opt_plan *plan = plan_table(&tb, m, &ms);
    assert_int_equal(plan->n_tasks, 1);
    json_t *proc = execute(&tb, plan, NULL);
    /* A writer deletes rows by equality in the same partition after the plan. */
    append(&tb, FLOE_CONTENT_EQUALITY_DELETES, 1, 2);
    assert_int_equal(live_files(&tb, load(&tb)).deletes, 13);
    floe_opt_commit_result res;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    live l = live_files(&tb, load(&tb));
    assert_int_equal(l.files, 1);
    assert_int_equal(l.records, 13 * 5);
    assert_int_equal(l.deletes, 1); /* the writer's delete applies to the rewritten rows */
    json_decref(proc);
    tbl_free(&tb);
}

static void test_input_removed_concurrently_fails_cleanly(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    tbl_create(t, &tb);
    floe_data_file first = append(&tb, FLOE_CONTENT_DATA, 1, 7);
    for (int i = 0; i < 12; i++) {
        append(&tb, FLOE_CONTENT_DATA, 1, 7);
    }
    floe_table_meta *m = load(&tb);
    floe_opt_manifest_source ms;
    floe_opt_plan *plan = plan_table(&tb, m, &ms);
    json_t *proc = execute(&tb, plan, NULL);
    /* A writer removes one of the inputs (a delete of all its rows) before the commit. */
    floe_ice_op *del = floe_ice_op_new(FLOE_ICE_OP_DELETE_FILES);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_op_remove_file(del, first.file_path, &err), &err);
    commit_op(&tb, del);
    floe_table_meta *before = load(&tb);
    live lb = live_files(&tb, before);
    assert_int_equal(lb.files, 12);
    floe_opt_commit_result res;
    FLOE_ASSERT_ERR(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), FLOE_ERR_CONFLICT, &err,
                    "");
    floe_table_meta *after = load(&tb);
    assert_int_equal(floe_table_meta_current_snapshot(after)->snapshot_id,
                     floe_table_meta_current_snapshot(before)->snapshot_id);
    live la = live_files(&tb, after);
    assert_int_equal(la.files, 12);
    assert_int_equal(la.records, 12 * 7); /* the writer's delete stands */
    json_decref(proc);
    tbl_free(&tb);
}

/*
 * A position delete committed after the plan applies to files the process rewrites: the rewrite
 * would silently drop it, so the commit fails cleanly (the table keeps the writer's state) and
 * a process planned from the new snapshot, which sees the delete, commits.
 */
static void test_position_delete_on_input_fails_then_next_plan_commits(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    tbl_create(t, &tb);
    for (int i = 0; i < 13; i++) {
        append(&tb, FLOE_CONTENT_DATA, 1, 6);
    }
    floe_opt_manifest_source ms;
    floe_opt_plan *plan = plan_table(&tb, load(&tb), &ms);
    assert_int_equal(plan->n_tasks, 1);
    json_t *proc = execute(&tb, plan, NULL);
    append(&tb, FLOE_CONTENT_POSITION_DELETES, 1, 1); /* the writer's delete */
    floe_table_meta *before = load(&tb);
    assert_int_equal(live_files(&tb, before).deletes, 13);
    floe_opt_commit_result res;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), FLOE_ERR_CONFLICT, &err,
                    "");
    json_decref(proc);
    floe_table_meta *after = load(&tb);
    assert_int_equal(floe_table_meta_current_snapshot(after)->snapshot_id,
                     floe_table_meta_current_snapshot(before)->snapshot_id);
    live la = live_files(&tb, after);
    assert_int_equal(la.files, 13);
    assert_int_equal(la.deletes, 13);

    /* The next process plans the delete in and commits. */
    plan = plan_table(&tb, after, &ms);
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].n_files, 13);
    assert_int_equal(plan->tasks[0].n_deletes, 1);
    proc = execute(&tb, plan, NULL);
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    assert_int_equal(res.removed_data_files, 13);
    assert_int_equal(res.added_data_files, 1);
    live l = live_files(&tb, load(&tb));
    assert_int_equal(l.files, 1);
    assert_int_equal(l.deletes, 0); /* applied by the rewrite and removed with its inputs */
    json_decref(proc);
    tbl_free(&tb);
}

static void test_partial_process_commits_successful_tasks(void **state)
{
    floe_test_ctx *t = *state;
    tbl tb;
    tbl_create(t, &tb);
    for (int p = 1; p <= 2; p++) {
        for (int i = 0; i < 13; i++) {
            append(&tb, FLOE_CONTENT_DATA, p, 3);
        }
    }
    floe_table_meta *m = load(&tb);
    floe_opt_manifest_source ms;
    floe_opt_plan *plan = plan_table(&tb, m, &ms);
    assert_int_equal(plan->n_tasks, 2);
    bool fail[2] = {false, true};
    json_t *proc = execute(&tb, plan, fail);
    floe_opt_commit_result res;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    assert_int_equal(res.tasks, 1);
    live l = live_files(&tb, load(&tb));
    assert_int_equal(l.files, 1 + 13);
    assert_int_equal(l.records, 26 * 3);
    json_decref(proc);

    /* Nothing succeeded: refused, table unchanged. */
    bool all[2] = {true, true};
    m = load(&tb);
    plan = plan_table(&tb, m, &ms);
    proc = execute(&tb, plan, all);
    FLOE_ASSERT_ERR(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), FLOE_ERR_INVALID, &err,
                    "no successful task");
    json_decref(proc);
    tbl_free(&tb);
}

/* ==== Position deletes naming several files, on real files ==== */

/* Append one data file of partition 1 holding ids [first, first + n); returns its path. */
static const char *append_rows(tbl *tb, int64_t first, int64_t n)
{
    floe_err err = {0};
    floe_table_meta *m = load(tb);
    floe_ice_write_opts wo = {.table = m};
    floe_ice_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_writer_new(tb->io, &wo, &w, &err), &err);
    static const char *const names[] = {"id", "p"};
    for (int64_t i = first; i < first + n; i++) {
        floe_value items[2] = {floe_value_long(i), floe_value_int(1)};
        floe_value row = {.kind = FLOE_V_STRUCT};
        row.u.nested.items = items;
        row.u.nested.names = names;
        row.u.nested.n = 2;
        FLOE_ASSERT_OK(floe_ice_writer_write_row(w, &row, &err), &err);
    }
    const floe_data_file *files = NULL;
    size_t nf = 0;
    FLOE_ASSERT_OK(floe_ice_writer_close(w, tb->t->arena, &files, &nf, &err), &err);
    floe_ice_writer_free(w);
    assert_int_equal(nf, 1);
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &files[0], &err), &err);
    commit_op(tb, op);
    return files[0].file_path;
}

/* Commit one position-delete file of partition 1 deleting (paths[i], pos[i]); its path. */
static const char *add_posdel(tbl *tb, const char *const *paths, const int64_t *pos, size_t n)
{
    floe_err err = {0};
    floe_table_meta *m = load(tb);
    floe_value item = floe_value_int(1);
    floe_value part = {.kind = FLOE_V_STRUCT};
    part.u.nested.items = &item;
    part.u.nested.n = 1;
    floe_ice_posdel_opts po = {.table = m, .partition = &part};
    floe_ice_posdel_writer *w = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_new(tb->io, &po, &w, &err), &err);
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(floe_ice_posdel_writer_add(w, paths[i], pos[i], &err), &err);
    }
    const floe_data_file *d = NULL;
    FLOE_ASSERT_OK(floe_ice_posdel_writer_close(w, tb->t->arena, &d, &err), &err);
    floe_ice_posdel_writer_free(w);
    assert_null(d->referenced_data_file); /* several files: applied by its path bounds */
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, d, &err), &err);
    commit_op(tb, op);
    return d->file_path;
}

/*
 * A task rewriting `paths` of the current snapshot with the deletes the scan planner applies
 * to them. Position deletes are not removable: as the planner decides when an untouched data
 * file lies inside their bounds.
 */
static floe_opt_task_input task_of(tbl *tb, const floe_table_meta *m, const char *const *paths,
                                   size_t n)
{
    floe_arena *a = tb->t->arena;
    floe_err err = {0};
    floe_scan_task *st = NULL;
    size_t n_st = 0;
    FLOE_ASSERT_OK(floe_scan_collect(a, tb->io, m, NULL, &st, &n_st, NULL, &err), &err);
    floe_opt_data_file *files = floe_arena_calloc(a, n + 1, sizeof(*files));
    floe_opt_delete_file *dels = floe_arena_calloc(a, 64, sizeof(*dels));
    size_t n_dels = 0;
    for (size_t i = 0; i < n; i++) {
        const floe_scan_task *s = NULL;
        for (size_t k = 0; k < n_st; k++) {
            if (strcmp(st[k].file->file_path, paths[i]) == 0) {
                s = &st[k];
            }
        }
        assert_non_null(s);
        uint32_t *di = floe_arena_calloc(a, s->n_deletes + 1, sizeof(*di));
        for (size_t j = 0; j < s->n_deletes; j++) {
            const floe_data_file *d = s->deletes[j];
            size_t k = 0;
            while (k < n_dels && strcmp(dels[k].path, d->file_path) != 0) {
                k++;
            }
            if (k == n_dels) {
                assert_true(n_dels < 64);
                dels[n_dels++] = (floe_opt_delete_file){
                    .path = d->file_path,
                    .content = d->content,
                    .format = d->file_format,
                    .size = d->file_size_in_bytes,
                    .records = d->record_count,
                    .data_sequence_number = s->delete_sequence_numbers[j],
                    .equality_ids = d->equality_ids,
                    .n_equality_ids = d->n_equality_ids,
                    .referenced_data_file = d->referenced_data_file,
                    .removable = d->content != FLOE_CONTENT_POSITION_DELETES};
            }
            di[j] = (uint32_t)k;
        }
        files[i] = (floe_opt_data_file){.path = s->file->file_path,
                                        .format = s->file->file_format,
                                        .role = FLOE_OPT_REWRITE,
                                        .size = s->file->file_size_in_bytes,
                                        .records = s->file->record_count,
                                        .data_sequence_number = s->data_sequence_number,
                                        .deletes = di,
                                        .n_deletes = s->n_deletes};
    }
    const floe_snapshot *snap = floe_table_meta_current_snapshot(m);
    return (floe_opt_task_input){.table = "fs.t",
                                 .metadata_location = m->metadata_location,
                                 .type = FLOE_OPT_MINOR,
                                 .snapshot_id = snap->snapshot_id,
                                 .sequence_number = snap->sequence_number,
                                 .schema_id = m->current_schema_id,
                                 .spec_id = 0,
                                 .partition = "{\"1000\":1}",
                                 .target_size = 128 << 20,
                                 .files = files,
                                 .n_files = n,
                                 .deletes = dels,
                                 .n_deletes = n_dels};
}

/* Run `n` tasks with the executor (task i fails when fail[i]; its position-delete reports are
 * dropped, as an older optimizer writes none, when unreported[i]); the process JSON. */
static json_t *run_tasks(tbl *tb, floe_opt_task_input *ins, size_t n, const bool *fail,
                         const bool *unreported)
{
    static int64_t next_pid = 500;
    floe_opt_plan plan = {.type = FLOE_OPT_MINOR, .tasks = ins, .n_tasks = n};
    floe_opt_process *p = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_process_from_plan(&plan, next_pid++, "fs.t", 1, &p, &err), &err);
    for (size_t i = 0; i < p->n_tasks; i++) {
        floe_opt_task *t = &p->tasks[i];
        FLOE_ASSERT_OK(floe_opt_task_schedule(t, "tok", 1, 2, &err), &err);
        FLOE_ASSERT_OK(floe_opt_task_ack(t, "tok", t->attempt, 3, &err), &err);
        if (fail != NULL && fail[i]) {
            FLOE_ASSERT_OK(floe_opt_task_fail(t, "tok", t->attempt, "boom", 4, &err), &err);
            continue;
        }
        floe_opt_task_output out;
        FLOE_ASSERT_OK(floe_optimizer_execute(&ins[i], tb->io, NULL, tb->t->arena, &out, &err),
                       &err);
        if (unreported != NULL && unreported[i]) {
            out.n_pos_deletes = 0;
        }
        json_t *oj = floe_opt_task_output_to_json(&out);
        char *text = json_dumps(oj, JSON_COMPACT);
        FLOE_ASSERT_OK(floe_opt_task_succeed(t, "tok", t->attempt, text, 4, &err), &err);
        free(text);
        json_decref(oj);
    }
    p->status = FLOE_OPT_PROC_COMMITTING;
    json_t *j = floe_opt_process_to_json(p, true);
    floe_opt_process_free(p);
    return j;
}

static int id_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* The ids the current snapshot reads (every file with its deletes), sorted, as text. */
static const char *table_ids(tbl *tb)
{
    floe_arena *a = tb->t->arena;
    floe_err err = {0};
    floe_table_meta *m = load(tb);
    floe_scan_task *st = NULL;
    size_t n_st = 0;
    FLOE_ASSERT_OK(floe_scan_collect(a, tb->io, m, NULL, &st, &n_st, NULL, &err), &err);
    floe_vec ids;
    floe_vec_init(&ids, sizeof(int64_t));
    for (size_t i = 0; i < n_st; i++) {
        floe_ice_read_opts ro = {.schema = floe_table_meta_current_schema(m),
                                 .file = st[i].file,
                                 .deletes = st[i].deletes,
                                 .n_deletes = st[i].n_deletes,
                                 .spec = st[i].spec};
        floe_ice_reader *r = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_open(tb->io, &ro, &r, &err), &err);
        for (;;) {
            const floe_ice_batch *b = NULL;
            FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
            if (b == NULL) {
                break;
            }
            for (size_t k = 0; k < b->n_rows; k++) {
                floe_vec_push_copy(&ids, &b->columns[0][k].u.i64);
            }
        }
        floe_ice_reader_close(r);
    }
    floe_vec_sort(&ids, id_cmp);
    floe_buf out;
    floe_buf_init(&out, 0);
    for (size_t i = 0; i < ids.n; i++) {
        floe_buf_printf(&out, NULL, "%lld,", (long long)*FLOE_VEC_AT(&ids, int64_t, i));
    }
    const char *text = floe_arena_strdup(a, floe_buf_cstr(&out));
    floe_buf_fini(&out);
    floe_vec_fini(&ids);
    return text;
}

/* Ids 0..29 except those listed (ascending), as table_ids prints them. */
static const char *ids_except(floe_test_ctx *t, const int64_t *gone, size_t n)
{
    floe_buf out;
    floe_buf_init(&out, 0);
    size_t k = 0;
    for (int64_t i = 0; i < 30; i++) {
        if (k < n && gone[k] == i) {
            k++;
            continue;
        }
        floe_buf_printf(&out, NULL, "%lld,", (long long)i);
    }
    const char *text = floe_arena_strdup(t->arena, floe_buf_cstr(&out));
    floe_buf_fini(&out);
    return text;
}

typedef enum posdel_case {
    PD_ONE_TASK,      /* lo and hi rewritten by one task: removed */
    PD_TWO_TASKS,     /* lo and hi rewritten by two tasks of the process: removed */
    PD_ONE_FAILED,    /* ... and the second one failed (partial commit): kept */
    PD_NAMES_MIDDLE,  /* it also names the untouched file: kept, still deleting there */
    PD_UNREPORTED,    /* the task's output has no report (an older optimizer): kept */
    PD_REMOVED_BEFORE /* removed concurrently before the commit: a clean conflict */
} posdel_case;

/*
 * Three data files of one partition, ids 0-9, 10-19, 20-29, ordered by path as lo < mid < hi,
 * and a position-delete file naming rows of lo and hi (and of mid in PD_NAMES_MIDDLE): its path
 * bounds span mid, which the process never touches, so the plan cannot mark it removable.
 */
static void posdel_case_run(floe_test_ctx *t, posdel_case c)
{
    tbl tb;
    tbl_create(t, &tb);
    const char *f[3] = {append_rows(&tb, 0, 10), append_rows(&tb, 10, 10),
                        append_rows(&tb, 20, 10)};
    int64_t first[3] = {0, 10, 20};
    for (int i = 0; i < 3; i++) { /* sort by path, keeping each file's first id */
        for (int k = i + 1; k < 3; k++) {
            if (strcmp(f[k], f[i]) < 0) {
                const char *tp = f[i];
                f[i] = f[k];
                f[k] = tp;
                int64_t ti = first[i];
                first[i] = first[k];
                first[k] = ti;
            }
        }
    }
    const char *lo = f[0], *mid = f[1], *hi = f[2];
    const char *paths[] = {lo, hi, mid};
    const int64_t pos[] = {0, 1, 2};
    size_t n_named = c == PD_NAMES_MIDDLE ? 3 : 2;
    const char *posdel = add_posdel(&tb, paths, pos, n_named);
    int64_t gone[3] = {first[0] + 0, first[2] + 1, first[1] + 2};
    qsort(gone, n_named, sizeof(int64_t), id_cmp);
    const char *expected = ids_except(t, gone, n_named);
    floe_table_meta *m = load(&tb);
    assert_string_equal(table_ids(&tb), expected);
    assert_int_equal(live_files(&tb, m).deletes, 3); /* by its bounds, to all three files */

    floe_opt_task_input ins[2];
    size_t n_tasks = 1;
    if (c == PD_TWO_TASKS || c == PD_ONE_FAILED) {
        ins[0] = task_of(&tb, m, &lo, 1);
        ins[1] = task_of(&tb, m, &hi, 1);
        n_tasks = 2;
    } else {
        const char *both[] = {lo, hi};
        ins[0] = task_of(&tb, m, both, 2);
    }
    assert_int_equal(ins[0].n_deletes, 1);
    assert_string_equal(ins[0].deletes[0].path, posdel);
    assert_false(ins[0].deletes[0].removable);
    bool fail[2] = {false, c == PD_ONE_FAILED};
    bool unreported[2] = {c == PD_UNREPORTED, false};
    json_t *proc = run_tasks(&tb, ins, n_tasks, fail, unreported);

    floe_err err = {0};
    floe_opt_commit_result res;
    if (c == PD_REMOVED_BEFORE) {
        /* Table maintenance finds it still applies to mid; a writer removes it anyway. */
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_DELETE_FILES);
        FLOE_ASSERT_OK(floe_ice_op_remove_file(op, posdel, &err), &err);
        commit_op(&tb, op);
        floe_table_meta *before = load(&tb);
        FLOE_ASSERT_ERR(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), FLOE_ERR_CONFLICT,
                        &err, "");
        floe_table_meta *after = load(&tb);
        assert_int_equal(after->current_snapshot_id, before->current_snapshot_id);
        assert_int_equal(live_files(&tb, after).files, 3);
        json_decref(proc);
        tbl_free(&tb);
        return;
    }
    FLOE_ASSERT_OK(floe_opt_commit(t->arena, &tb.cat, proc, &res, &err), &err);
    bool removed = c == PD_ONE_TASK || c == PD_TWO_TASKS;
    assert_int_equal(res.removed_delete_files, removed ? 1 : 0);
    assert_int_equal(res.removed_data_files, c == PD_ONE_FAILED ? 1 : 2);
    floe_table_meta *after = load(&tb);
    assert_string_equal(summary(after, "total-delete-files"), removed ? "0" : "1");
    live l = live_files(&tb, after);
    assert_int_equal(l.files, n_tasks == 2 ? 3 : 2); /* outputs, mid (and hi when kept) */
    if (removed) {
        assert_int_equal(l.deletes, 0);
    }
    /* Whatever was removed, the table reads the same rows. */
    assert_string_equal(table_ids(&tb), expected);
    json_decref(proc);
    tbl_free(&tb);
}

static void test_posdel_rewritten_by_one_task_removed(void **state)
{
    posdel_case_run(*state, PD_ONE_TASK);
}

static void test_posdel_rewritten_by_two_tasks_removed(void **state)
{
    posdel_case_run(*state, PD_TWO_TASKS);
}

static void test_posdel_kept_when_a_task_failed(void **state)
{
    posdel_case_run(*state, PD_ONE_FAILED);
}

static void test_posdel_kept_when_it_names_untouched_file(void **state)
{
    posdel_case_run(*state, PD_NAMES_MIDDLE);
}

static void test_posdel_kept_without_report(void **state)
{
    posdel_case_run(*state, PD_UNREPORTED);
}

static void test_posdel_removed_concurrently_conflicts(void **state)
{
    posdel_case_run(*state, PD_REMOVED_BEFORE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)

FLOE_TEST_GROUP(commit)
{
    const struct CMUnitTest tests[] = {
        T(test_small_appends_rewritten_with_concurrent_append),
        T(test_equality_delete_after_plan_still_applies),
        T(test_input_removed_concurrently_fails_cleanly),
        T(test_position_delete_on_input_fails_then_next_plan_commits),
        T(test_partial_process_commits_successful_tasks),
        T(test_posdel_rewritten_by_one_task_removed),
        T(test_posdel_rewritten_by_two_tasks_removed),
        T(test_posdel_kept_when_a_task_failed),
        T(test_posdel_kept_when_it_names_untouched_file),
        T(test_posdel_kept_without_report),
        T(test_posdel_removed_concurrently_conflicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
