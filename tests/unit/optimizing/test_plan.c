/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluator and planner, following the scenarios of Amoro's plan tests (TestIcebergPartitionPlan,
 * TestOptimizingEvaluator, TestOptimizingPlanner): fragments only, segments, a single fragment,
 * position and equality deletes, undersized segments, full optimizing, partition filters, plus
 * floe's per-plan caps.
 */
#include "opt_helpers.h"

#define NOW ((int64_t)1700000000000)

typedef struct fixture {
    floe_test_ctx *t;
    floe_table_meta *meta;
    floe_opt_props props;
    oth_files files;
    floe_opt_table_ctx ctx;
    floe_opt_plan_opts popts;
} fixture;

static void fx_init(fixture *fx, floe_test_ctx *t, bool partitioned)
{
    fx->t = t;
    fx->meta = oth_meta(t->arena, partitioned);
    fx->props = oth_props(t->arena, NULL);
    oth_files_init(&fx->files, t->arena);
    /* Last minor optimizing a minute ago: the minor interval has not passed. */
    fx->ctx = (floe_opt_table_ctx){.meta = fx->meta,
                                   .props = &fx->props,
                                   .now_ms = NOW,
                                   .last_minor_ms = NOW - 60000,
                                   .last_full_ms = NOW - 60000};
    fx->popts = (floe_opt_plan_opts){.table = "db.t",
                                     .metadata_location = "mem://t/metadata/v3.metadata.json",
                                     .snapshot_id = 42,
                                     .sequence_number = 7,
                                     .group_threads = 1,
                                     .max_input_per_thread = 0};
}

static floe_opt_evaluation *fx_eval(fixture *fx)
{
    floe_opt_source src = oth_source(&fx->files);
    floe_opt_evaluation *ev = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_evaluate(fx->t->arena, &fx->ctx, &src, &ev, &err), &err);
    return ev;
}

static floe_opt_plan *fx_plan(fixture *fx)
{
    floe_opt_source src = oth_source(&fx->files);
    floe_opt_plan *plan = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_plan_make(fx->t->arena, &fx->ctx, &fx->popts, &src, &plan, &err), &err);
    return plan;
}

static void add_fragments(fixture *fx, const char *region, int n, int64_t size)
{
    for (int i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof(path), "s3://b/t/data/%s/frag-%03d.parquet", region ? region : "x",
                 i);
        oth_add(&fx->files, oth_data(&fx->files, path, region, size, 1000, 1), 0);
    }
}

static void test_empty_table_needs_nothing(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);
    assert_int_equal(ev->n_partitions, 0);
    assert_int_equal(ev->summary.health_score, 100);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->type, FLOE_OPT_NONE);
    assert_int_equal(plan->n_tasks, 0);
    oth_files_fini(&fx.files);
}

static void test_fragments_only_minor(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    add_fragments(&fx, "eu", 12, 1 * MB);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->summary.type, FLOE_OPT_MINOR);
    assert_int_equal(ev->n_partitions, 1);
    assert_int_equal(ev->partitions[0].fragment_count, 12);
    assert_string_equal(ev->partitions[0].partition, "{\"1000\":\"eu\"}");
    assert_int_equal(ev->summary.pending_files, 12);
    assert_int_equal(ev->summary.pending_bytes, 12 * MB);
    /* cost = 2 x bytes + 12 x open-file cost (4 MiB) */
    assert_int_equal(ev->partitions[0].cost, 2 * 12 * MB + 12 * 4 * MB);

    fx.files.scans = 0;
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(fx.files.scans, 2); /* evaluate, then collect */
    assert_int_equal(plan->type, FLOE_OPT_MINOR);
    assert_int_equal(plan->n_tasks, 1);
    const floe_opt_task_input *task = &plan->tasks[0];
    assert_int_equal(task->n_files, 12);
    assert_int_equal(task->n_deletes, 0);
    assert_int_equal(task->snapshot_id, 42);
    assert_int_equal(task->sequence_number, 7);
    assert_int_equal(task->spec_id, 0);
    assert_string_equal(task->partition, "{\"1000\":\"eu\"}");
    assert_string_equal(task->table, "db.t");
    assert_string_equal(task->metadata_location, "mem://t/metadata/v3.metadata.json");
    assert_int_equal(task->type, FLOE_OPT_MINOR);
    for (size_t i = 0; i < task->n_files; i++) {
        assert_int_equal(task->files[i].role, FLOE_OPT_REWRITE);
    }
    assert_int_equal(plan->input_files, 12);
    assert_int_equal(plan->input_bytes, 12 * MB);

    /* With the evaluation that found the table pending, the plan makes one pass, not two,
     * and comes out the same. */
    fx.files.scans = 0;
    fx.popts.evaluation = fx_eval(&fx);
    floe_opt_plan *again = fx_plan(&fx);
    assert_int_equal(fx.files.scans, 2); /* the evaluation, then collect only */
    assert_ptr_equal(again->evaluation, fx.popts.evaluation);
    assert_int_equal(again->type, FLOE_OPT_MINOR);
    assert_int_equal(again->n_tasks, 1);
    assert_int_equal(again->tasks[0].n_files, 12);
    for (size_t i = 0; i < again->tasks[0].n_files; i++) {
        assert_string_equal(again->tasks[0].files[i].path, task->files[i].path);
    }
    assert_int_equal(again->input_bytes, plan->input_bytes);
    oth_files_fini(&fx.files);
}

static void test_fragments_below_trigger_wait_for_interval(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    add_fragments(&fx, "eu", 11, 1 * MB);
    assert_int_equal(fx_eval(&fx)->summary.type, FLOE_OPT_NONE);
    /* Once minor.trigger.interval has passed, more than one small file is enough. */
    fx.ctx.last_minor_ms = NOW - 3600001;
    assert_int_equal(fx_eval(&fx)->summary.type, FLOE_OPT_MINOR);
    /* ... unless the interval is disabled. */
    fx.props = oth_props(fx.t->arena, "self-optimizing.minor.trigger.interval=-1", NULL);
    assert_int_equal(fx_eval(&fx)->summary.type, FLOE_OPT_NONE);
    oth_files_fini(&fx.files);
}

static void test_single_fragment_gives_no_task(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    fx.props = oth_props(fx.t->arena, "self-optimizing.minor.trigger.file-count=1", NULL);
    add_fragments(&fx, "eu", 1, 1 * MB);
    /* The partition counts as necessary, but one file with no deletes gains nothing. */
    assert_int_equal(fx_eval(&fx)->summary.type, FLOE_OPT_MINOR);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 0);
    assert_int_equal(plan->type, FLOE_OPT_NONE);
    oth_files_fini(&fx.files);
}

static void test_segments_are_left_alone(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    for (int i = 0; i < 20; i++) {
        char path[64];
        snprintf(path, sizeof(path), "seg-%d.parquet", i);
        oth_add(&fx.files, oth_data(&fx.files, path, "eu", 100 * MB, 100000, 1), 0);
    }
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);
    assert_int_equal(ev->partitions[0].reserved_count, 20);
    assert_int_equal(ev->summary.segment_count, 20);
    assert_int_equal(ev->summary.health_score, 100);
    assert_int_equal(fx_plan(&fx)->n_tasks, 0);
    oth_files_fini(&fx.files);
}

static void test_undersized_segments_major(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    /* Two undersized segments (50 MiB each, total 100 < 128 MiB target): not enough content. */
    oth_add(&fx.files, oth_data(&fx.files, "u1", "eu", 50 * MB, 1000, 1), 0);
    oth_add(&fx.files, oth_data(&fx.files, "u2", "eu", 50 * MB, 1000, 1), 0);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->partitions[0].undersized_count, 2);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);
    /* A third: 150 MiB >= target and the two smallest fit in one file: major. */
    oth_add(&fx.files, oth_data(&fx.files, "u3", "eu", 50 * MB, 1000, 1), 0);
    ev = fx_eval(&fx);
    assert_int_equal(ev->summary.type, FLOE_OPT_MAJOR);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->type, FLOE_OPT_MAJOR);
    /* 128 MiB bins: two files fit, the third alone is dropped. */
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].n_files, 2);
    oth_files_fini(&fx.files);
}

static void test_undersized_too_large_to_pair(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    /* Undersized total >= target but no two of them fit in one target file. */
    oth_add(&fx.files, oth_data(&fx.files, "u1", "eu", 90 * MB, 1000, 1), 0);
    oth_add(&fx.files, oth_data(&fx.files, "u2", "eu", 90 * MB, 1000, 1), 0);
    assert_int_equal(fx_eval(&fx)->summary.type, FLOE_OPT_NONE);
    oth_files_fini(&fx.files);
}

static void test_position_deletes_over_duplicate_ratio_major(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    floe_manifest_entry *seg = oth_data(&fx.files, "seg", "eu", 120 * MB, 1000, 1);
    floe_manifest_entry *pd =
        oth_delete(&fx.files, FLOE_CONTENT_POSITION_DELETES, "pd", "eu", 0, 1 * MB, 200, 2, NULL);
    oth_add(&fx.files, seg, 1, pd);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->partitions[0].rewrite_segment_count, 1);
    assert_int_equal(ev->partitions[0].pos_delete_count, 1);
    assert_int_equal(ev->summary.type, FLOE_OPT_MAJOR);
    floe_opt_plan *plan = fx_plan(&fx);
    /* One file, but with deletes to apply: kept. */
    assert_int_equal(plan->n_tasks, 1);
    const floe_opt_task_input *task = &plan->tasks[0];
    assert_int_equal(task->n_files, 1);
    assert_int_equal(task->files[0].role, FLOE_OPT_REWRITE);
    assert_int_equal(task->n_deletes, 1);
    assert_string_equal(task->deletes[0].path, "pd");
    assert_int_equal(task->deletes[0].content, FLOE_CONTENT_POSITION_DELETES);
    assert_int_equal(task->deletes[0].data_sequence_number, 2);
    assert_true(task->deletes[0].removable);
    assert_int_equal(task->files[0].n_deletes, 1);
    assert_int_equal(task->files[0].deletes[0], 0);
    assert_int_equal(task->files[0].data_sequence_number, 1);
    oth_files_fini(&fx.files);
}

static void test_position_deletes_below_ratio(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    /* One partition-scoped position delete below the ratio: a rewrite-pos candidate, but nothing
     * triggers. Two of them trigger minor ("combine pos"): only the deletes are rewritten. */
    floe_manifest_entry *seg = oth_data(&fx.files, "seg", "eu", 120 * MB, 1000, 1);
    floe_manifest_entry *p1 =
        oth_delete(&fx.files, FLOE_CONTENT_POSITION_DELETES, "p1", "eu", 0, 1024, 10, 2, NULL);
    floe_manifest_entry *p2 =
        oth_delete(&fx.files, FLOE_CONTENT_POSITION_DELETES, "p2", "eu", 0, 1024, 10, 3, NULL);
    oth_add(&fx.files, seg, 1, p1);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->partitions[0].rewrite_pos_count, 1);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);

    oth_files_fini(&fx.files);
    oth_files_init(&fx.files, fx.t->arena);
    oth_add(&fx.files, seg, 2, p1, p2);
    ev = fx_eval(&fx);
    assert_int_equal(ev->partitions[0].combine_pos_count, 1);
    assert_int_equal(ev->summary.type, FLOE_OPT_MINOR);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].files[0].role, FLOE_OPT_REWRITE_POS);
    assert_int_equal(plan->tasks[0].n_deletes, 2);

    /* A single file-scoped delete (this file's own) is already compact: reserved. */
    oth_files_fini(&fx.files);
    oth_files_init(&fx.files, fx.t->arena);
    floe_manifest_entry *own =
        oth_delete(&fx.files, FLOE_CONTENT_POSITION_DELETES, "own", "eu", 0, 1024, 10, 2, "seg");
    oth_add(&fx.files, seg, 1, own);
    ev = fx_eval(&fx);
    assert_int_equal(ev->partitions[0].reserved_count, 1);
    assert_int_equal(ev->partitions[0].pos_delete_count, 0);
    oth_files_fini(&fx.files);
}

static void test_equality_deletes_trigger_minor(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    /* 2 fragments + 10 equality delete files = 12 small files: minor. The segment the deletes
     * also apply to gets its deletes rewritten as position deletes. */
    floe_manifest_entry *eq[10];
    for (int i = 0; i < 10; i++) {
        char path[32];
        snprintf(path, sizeof(path), "eq-%d", i);
        eq[i] =
            oth_delete(&fx.files, FLOE_CONTENT_EQUALITY_DELETES, path, "eu", 0, 4096, 5, 5, NULL);
    }
    for (int f = 0; f < 2; f++) {
        char path[32];
        snprintf(path, sizeof(path), "frag-%d", f);
        oth_add(&fx.files, oth_data(&fx.files, path, "eu", 1 * MB, 100, 1), 10, eq[0], eq[1], eq[2],
                eq[3], eq[4], eq[5], eq[6], eq[7], eq[8], eq[9]);
    }
    oth_add(&fx.files, oth_data(&fx.files, "seg", "eu", 120 * MB, 100000, 1), 2, eq[0], eq[1]);
    floe_opt_evaluation *ev = fx_eval(&fx);
    const floe_opt_partition_stats *p = &ev->partitions[0];
    assert_int_equal(p->fragment_count, 2);
    assert_int_equal(p->eq_delete_count, 10); /* each counted once */
    assert_int_equal(p->eq_delete_records, 50);
    assert_int_equal(p->rewrite_pos_count, 1);
    assert_int_equal(ev->summary.type, FLOE_OPT_MINOR);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 1);
    const floe_opt_task_input *task = &plan->tasks[0];
    assert_int_equal(task->n_files, 3);
    assert_int_equal(task->n_deletes, 10);
    size_t repos = 0;
    for (size_t i = 0; i < task->n_files; i++) {
        repos += task->files[i].role == FLOE_OPT_REWRITE_POS;
        for (size_t j = 0; j < task->files[i].n_deletes; j++) {
            assert_true(task->files[i].deletes[j] < task->n_deletes);
        }
    }
    assert_int_equal(repos, 1);
    for (size_t i = 0; i < task->n_deletes; i++) {
        assert_int_equal(task->deletes[i].content, FLOE_CONTENT_EQUALITY_DELETES);
        assert_int_equal(task->deletes[i].n_equality_ids, 1);
        assert_true(task->deletes[i].removable);
    }
    /* Health: 10 x 5 deleted of 100200 rows is under the ratio; small files dominate. */
    assert_true(ev->summary.health_score < 100);
    oth_files_fini(&fx.files);
}

static void test_shared_and_global_deletes_are_read_only(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    fx.props = oth_props(fx.t->arena, "self-optimizing.filter=id >= 1000", NULL);
    /* A global equality delete (unpartitioned spec 1) and a partition delete that a file outside
     * the filter still needs: both read, neither removable. */
    floe_manifest_entry *global =
        oth_delete(&fx.files, FLOE_CONTENT_EQUALITY_DELETES, "global", NULL, 1, 4096, 5, 5, NULL);
    floe_manifest_entry *shared =
        oth_delete(&fx.files, FLOE_CONTENT_EQUALITY_DELETES, "shared", "eu", 0, 4096, 5, 5, NULL);
    floe_manifest_entry *mine =
        oth_delete(&fx.files, FLOE_CONTENT_EQUALITY_DELETES, "mine", "eu", 0, 4096, 5, 5, NULL);
    for (int i = 0; i < 12; i++) {
        char path[32];
        snprintf(path, sizeof(path), "in-%d", i);
        floe_manifest_entry *e = oth_data(&fx.files, path, "eu", 1 * MB, 100, 1);
        oth_bounds(fx.t->arena, e, 1000 + i, 2000);
        oth_add(&fx.files, e, 3, global, shared, mine);
    }
    floe_manifest_entry *out = oth_data(&fx.files, "outside", "eu", 1 * MB, 100, 1);
    oth_bounds(fx.t->arena, out, 0, 10);
    oth_add(&fx.files, out, 1, shared);

    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->summary.filtered_out, 1);
    assert_int_equal(ev->partitions[0].fragment_count, 12);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 1);
    const floe_opt_task_input *task = &plan->tasks[0];
    assert_int_equal(task->n_files, 12);
    assert_int_equal(task->n_deletes, 3);
    for (size_t i = 0; i < task->n_deletes; i++) {
        bool want = strcmp(task->deletes[i].path, "mine") == 0;
        assert_int_equal(task->deletes[i].removable, want);
    }
    oth_files_fini(&fx.files);
}

static void test_full_optimizing_interval(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    fx.props = oth_props(fx.t->arena, "self-optimizing.full.trigger.interval=86400000", NULL);
    add_fragments(&fx, "eu", 3, 1 * MB);
    oth_add(&fx.files, oth_data(&fx.files, "seg", "eu", 100 * MB, 1000, 1), 0);
    /* Interval not reached: 3 fragments are not enough for minor. */
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_false(ev->summary.full_interval_reached);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);
    /* Reached: everything in the partition is rewritten (rewrite-all-files). */
    fx.ctx.last_full_ms = NOW - 86400001;
    ev = fx_eval(&fx);
    assert_true(ev->summary.full_interval_reached);
    assert_int_equal(ev->summary.type, FLOE_OPT_FULL);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->type, FLOE_OPT_FULL);
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].n_files, 4);
    assert_int_equal(plan->tasks[0].type, FLOE_OPT_FULL);
    /* Without rewrite-all-files the healthy segment stays. */
    fx.props = oth_props(fx.t->arena, "self-optimizing.full.trigger.interval=86400000",
                         "self-optimizing.full.rewrite-all-files=false", NULL);
    plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 1);
    assert_int_equal(plan->tasks[0].n_files, 3);
    oth_files_fini(&fx.files);
}

static void test_full_on_one_healthy_file_is_not_necessary(void **state)
{
    fixture fx;
    fx_init(&fx, *state, false);
    fx.props = oth_props(fx.t->arena, "self-optimizing.full.trigger.interval=0", NULL);
    fx.ctx.last_full_ms = 0;
    oth_add(&fx.files, oth_data(&fx.files, "seg", NULL, 120 * MB, 1000, 1), 0);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_true(ev->summary.full_interval_reached);
    assert_int_equal(ev->summary.type, FLOE_OPT_NONE);
    oth_files_fini(&fx.files);
}

static void test_partition_filter(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    fx.props = oth_props(fx.t->arena, "self-optimizing.filter=region = 'eu'", NULL);
    add_fragments(&fx, "eu", 12, 1 * MB);
    add_fragments(&fx, "us", 30, 1 * MB);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->n_partitions, 1);
    assert_int_equal(ev->summary.filtered_out, 30);
    assert_int_equal(ev->summary.data_files, 12);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 1);
    assert_string_equal(plan->tasks[0].partition, "{\"1000\":\"eu\"}");
    /* A filter naming a missing column is an error. */
    fx.props = oth_props(fx.t->arena, "self-optimizing.filter=nope = 1", NULL);
    floe_opt_source src = oth_source(&fx.files);
    floe_opt_evaluation *ev2 = NULL;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_opt_evaluate(fx.t->arena, &fx.ctx, &src, &ev2, &err), FLOE_ERR_INVALID,
                    &err, "self-optimizing.filter");
    oth_files_fini(&fx.files);
}

static void test_partitions_by_cost_within_budget(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    add_fragments(&fx, "small", 12, 1 * MB);
    add_fragments(&fx, "big", 12, 8 * MB);
    add_fragments(&fx, "mid", 12, 4 * MB);
    floe_opt_evaluation *ev = fx_eval(&fx);
    assert_int_equal(ev->n_partitions, 3);
    assert_string_equal(ev->partitions[0].partition, "{\"1000\":\"big\"}");
    assert_string_equal(ev->partitions[2].partition, "{\"1000\":\"small\"}");
    /* Budget 200 MiB: big costs 2*96 + 48 = 240 > budget, so it is the only one. */
    fx.popts.max_input_per_thread = 200 * MB;
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_partitions, 1);
    assert_string_equal(plan->tasks[0].partition, "{\"1000\":\"big\"}");
    assert_int_equal(plan->budget, 200 * MB);
    /* Four threads: 800 MiB; big (240) + mid (2*48+48 = 144) + small (24+48 = 72) all fit. */
    fx.popts.group_threads = 4;
    plan = fx_plan(&fx);
    assert_int_equal(plan->n_partitions, 3);
    assert_int_equal(plan->n_tasks, 3);
    oth_files_fini(&fx.files);
}

static void test_file_cap_truncates_partition(void **state)
{
    fixture fx;
    fx_init(&fx, *state, false);
    fx.props = oth_props(fx.t->arena, "self-optimizing.max-file-count=5", NULL);
    add_fragments(&fx, NULL, 40, 1 * MB);
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_partitions, 1);
    assert_true(plan->partitions[0].truncated);
    assert_int_equal(plan->input_files, 5);
    assert_string_equal(plan->tasks[0].partition, "{}");
    /* Byte budget: 3 MiB per plan takes 3 one-MiB files. */
    fx.props = oth_props(fx.t->arena, NULL);
    fx.popts.max_input_per_thread = 3 * MB;
    plan = fx_plan(&fx);
    assert_int_equal(plan->input_files, 3);
    assert_true(plan->partitions[0].truncated);
    oth_files_fini(&fx.files);
}

static void test_bin_packing_task_size(void **state)
{
    fixture fx;
    fx_init(&fx, *state, false);
    fx.props = oth_props(fx.t->arena, "self-optimizing.max-task-size-bytes=134217728", NULL);
    add_fragments(&fx, NULL, 40, 10 * MB); /* 400 MiB in 128 MiB bins: 12 per bin */
    /* A segment larger than a bin, mostly deleted: a task of its own. */
    floe_manifest_entry *big = oth_data(&fx.files, "big", NULL, 300 * MB, 1000, 1);
    floe_manifest_entry *pd =
        oth_delete(&fx.files, FLOE_CONTENT_POSITION_DELETES, "pd", NULL, 0, 1024, 900, 2, "big");
    oth_add(&fx.files, big, 1, pd);
    /* With one thread the 512 MiB budget stops before "big" (scanned last). */
    floe_opt_plan *plan = fx_plan(&fx);
    assert_int_equal(plan->n_tasks, 4);
    assert_true(plan->partitions[0].truncated);
    fx.popts.group_threads = 2;
    plan = fx_plan(&fx);
    assert_int_equal(plan->type, FLOE_OPT_MAJOR);
    assert_int_equal(plan->n_tasks, 5);
    size_t alone = 0;
    for (size_t i = 0; i < plan->n_tasks; i++) {
        if (plan->tasks[i].n_files == 1) {
            alone++;
            assert_string_equal(plan->tasks[i].files[0].path, "big");
        }
    }
    assert_int_equal(alone, 1);
    plan->n_tasks--; /* the rest are the fragments */
    for (size_t i = 0; i < plan->n_tasks; i++) {
        if (strcmp(plan->tasks[i].files[0].path, "big") == 0) {
            plan->tasks[i] = plan->tasks[plan->n_tasks];
        }
    }
    int64_t total = 0;
    for (size_t i = 0; i < plan->n_tasks; i++) {
        int64_t bytes = 0;
        for (size_t j = 0; j < plan->tasks[i].n_files; j++) {
            bytes += plan->tasks[i].files[j].size;
        }
        assert_true(bytes <= 128 * MB);
        total += bytes;
    }
    assert_int_equal(total, 400 * MB);
    oth_files_fini(&fx.files);
}

static void test_disabled_table_plans_nothing(void **state)
{
    fixture fx;
    fx_init(&fx, *state, false);
    fx.props = oth_props(fx.t->arena, "self-optimizing.enabled=false", NULL);
    add_fragments(&fx, NULL, 40, 1 * MB);
    assert_int_equal(fx_plan(&fx)->n_tasks, 0);
    oth_files_fini(&fx.files);
}

static void test_bad_input_is_refused(void **state)
{
    fixture fx;
    fx_init(&fx, *state, true);
    floe_manifest_entry *d = oth_data(&fx.files, "x", "eu", 1, 1, 1);
    d->file.content = FLOE_CONTENT_POSITION_DELETES;
    oth_add(&fx.files, d, 0);
    floe_opt_source src = oth_source(&fx.files);
    floe_opt_evaluation *ev = NULL;
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_opt_evaluate(fx.t->arena, &fx.ctx, &src, &ev, &err), FLOE_ERR_INVALID,
                    &err, "x: not a data file");
    oth_files_fini(&fx.files);
    oth_files_init(&fx.files, fx.t->arena);
    floe_manifest_entry *e = oth_data(&fx.files, "y", "eu", 1, 1, 1);
    e->file.spec_id = 9;
    oth_add(&fx.files, e, 0);
    floe_err err2 = {0};
    FLOE_ASSERT_ERR(floe_opt_evaluate(fx.t->arena, &fx.ctx, &src, &ev, &err2), FLOE_ERR_INVALID,
                    &err2, "unknown partition spec 9");
    oth_files_fini(&fx.files);
}

static void test_health_score_formula(void **state)
{
    floe_test_ctx *t = *state;
    floe_opt_props p = oth_props(t->arena, NULL);
    /* 100 files of 1 MiB, 1000 rows each; 10,000 position-deleted rows (10%); no eq deletes.
     * table factor = min(100,12)/12 * min(100 MiB, 96 MiB)/96 MiB = 1
     * small = ceil(40 - 40 * (1 - 1/96)) = ceil(0.4167) = 1
     * pos   = ceil(20 - 20 * min(0.1, 0.2)/0.2) = 10;  eq = 40 */
    floe_opt_summary s = {.data_files = 100,
                          .data_bytes = 100 * MB,
                          .data_records = 100000,
                          .pos_delete_records = 10000};
    floe_opt_health_score(&p, &s);
    assert_int_equal(s.small_file_score, 1);
    assert_int_equal(s.eq_delete_score, 40);
    assert_int_equal(s.pos_delete_score, 10);
    assert_int_equal(s.health_score, 51);
    /* A tiny table is hardly penalised: 2 files of 1 MiB. */
    floe_opt_summary tiny = {.data_files = 2, .data_bytes = 2 * MB, .data_records = 10};
    floe_opt_health_score(&p, &tiny);
    assert_true(tiny.health_score >= 99);
    /* JSON of the summary carries the scores. */
    json_t *j = floe_opt_summary_to_json(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "health-score")), 51);
    json_decref(j);
}

#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)

FLOE_TEST_GROUP(plan)
{
    const struct CMUnitTest tests[] = {
        T(test_empty_table_needs_nothing),
        T(test_fragments_only_minor),
        T(test_fragments_below_trigger_wait_for_interval),
        T(test_single_fragment_gives_no_task),
        T(test_segments_are_left_alone),
        T(test_undersized_segments_major),
        T(test_undersized_too_large_to_pair),
        T(test_position_deletes_over_duplicate_ratio_major),
        T(test_position_deletes_below_ratio),
        T(test_equality_deletes_trigger_minor),
        T(test_shared_and_global_deletes_are_read_only),
        T(test_full_optimizing_interval),
        T(test_full_on_one_healthy_file_is_not_necessary),
        T(test_partition_filter),
        T(test_partitions_by_cost_within_budget),
        T(test_file_cap_truncates_partition),
        T(test_bin_packing_task_size),
        T(test_disabled_table_plans_nothing),
        T(test_bad_input_is_refused),
        T(test_health_score_formula),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
