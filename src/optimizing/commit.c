/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The committer: one REWRITE snapshot per process. The successful tasks' input data files (role
 * rewrite) and their removable delete files are replaced by the tasks' output files (plus the
 * position-delete files whose every named data file is rewritten, as the tasks reported); the
 * operation is validated from the plan snapshot (a position delete, or an equality delete
 * without the kept data sequence number, added since then to a rewritten file is a conflict)
 * and writes the added files with the plan snapshot's data sequence number, so equality deletes
 * committed after the plan still apply to the rewritten rows. floe_ice_op_commit re-applies the
 * operation on the newest metadata when a writer won the swap, so appends committed meanwhile
 * stay; a concurrent removal of an input file fails this process only.
 */
#include "opt_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_PROCESS "floe.optimizing.process-id"

typedef struct parsed_task {
    bool ok; /* SUCCESS: committed */
    floe_opt_task_input in;
    floe_opt_task_output out;
} parsed_task;

static bool path_in(const char *const *paths, size_t n, const char *p)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], p) == 0) {
            return true;
        }
    }
    return false;
}

/* A task output file as a manifest data file of the task's partition. */
static floe_status output_file(floe_arena *a, const floe_table_meta *meta,
                               const floe_opt_task_input *in, const floe_opt_output_file *o,
                               floe_data_file *f, floe_err *err)
{
    memset(f, 0, sizeof(*f));
    const floe_partition_spec *spec = floe_table_meta_spec(meta, in->spec_id);
    if (spec == NULL) {
        return floe_err_set(err, FLOE_ERR_CONFLICT, "partition spec %d no longer exists",
                            (int)in->spec_id);
    }
    f->content = o->content;
    f->file_path = o->path;
    f->file_format = o->format;
    f->spec_id = in->spec_id;
    f->record_count = o->records;
    f->file_size_in_bytes = o->size;
    f->column_sizes = o->column_sizes;
    f->n_column_sizes = o->n_column_sizes;
    f->value_counts = o->value_counts;
    f->n_value_counts = o->n_value_counts;
    f->null_value_counts = o->null_value_counts;
    f->n_null_value_counts = o->n_null_value_counts;
    f->nan_value_counts = o->nan_value_counts;
    f->n_nan_value_counts = o->n_nan_value_counts;
    f->lower_bounds = o->lower_bounds;
    f->n_lower_bounds = o->n_lower_bounds;
    f->upper_bounds = o->upper_bounds;
    f->n_upper_bounds = o->n_upper_bounds;
    f->split_offsets = o->split_offsets;
    f->n_split_offsets = o->n_split_offsets;
    f->referenced_data_file = o->referenced_data_file;
    f->has_sort_order_id = o->has_sort_order_id;
    f->sort_order_id = o->sort_order_id;
    if (floe_partition_spec_is_unpartitioned(spec) && spec->n_fields == 0) {
        f->partition = (floe_value){.kind = FLOE_V_STRUCT};
        return FLOE_OK;
    }
    const floe_ice_schema *pschema = NULL;
    floe_status st =
        floe_partition_spec_schema(a, spec, floe_table_meta_current_schema(meta), &pschema, err);
    json_t *pj = NULL;
    if (st == FLOE_OK) {
        pj = json_loads(in->partition ? in->partition : "{}", 0, NULL);
        if (pj == NULL) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "partition: not JSON");
        }
    }
    if (st == FLOE_OK) {
        st = floe_ice_value_from_json(a, pschema->root, pj, &f->partition, err);
    }
    json_decref(pj);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "partition of %s", o->path);
    }
    return FLOE_OK;
}

typedef struct pos_cand {
    const char *path; /* a position-delete file */
    size_t task;      /* a successful task that lists it */
} pos_cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const pos_cand *x = pa, *y = pb;
    int r = strcmp(x->path, y->path);
    return r != 0 ? r : (x->task > y->task) - (x->task < y->task);
}

static const floe_opt_pos_delete_report *report_of(const floe_opt_task_output *o, const char *path)
{
    for (size_t i = 0; i < o->n_pos_deletes; i++) {
        if (strcmp(o->pos_deletes[i].path, path) == 0) {
            return &o->pos_deletes[i];
        }
    }
    return NULL;
}

/*
 * Remove the position-delete files the plan could not mark removable (an untouched data file
 * lies inside their file_path bounds) but whose every named data file this commit removes:
 * each successful task that lists one reported it, and every path a report names outside its
 * own task is a rewrite input of another successful task. Files in `keep` (a task that did not
 * succeed lists them) and in `removed` are skipped.
 */
static floe_status remove_covered(const parsed_task *tasks, size_t n_tasks, const floe_vec *keep,
                                  floe_vec *removed, floe_ice_op *op, floe_opt_commit_result *out,
                                  floe_err *err)
{
    floe_vec rw, cands;
    floe_vec_init(&rw, sizeof(const char *));
    floe_vec_init(&cands, sizeof(pos_cand));
    for (size_t i = 0; i < n_tasks; i++) {
        if (!tasks[i].ok) {
            continue;
        }
        const floe_opt_task_input *in = &tasks[i].in;
        for (size_t k = 0; k < in->n_files; k++) {
            if (in->files[k].role == FLOE_OPT_REWRITE) {
                floe_vec_push_copy(&rw, &in->files[k].path);
            }
        }
        for (size_t k = 0; k < in->n_deletes; k++) {
            const floe_opt_delete_file *d = &in->deletes[k];
            if (d->content == FLOE_CONTENT_POSITION_DELETES && !d->removable) {
                pos_cand c = {d->path, i};
                floe_vec_push_copy(&cands, &c);
            }
        }
    }
    floe_vec_sort(&rw, floe_str_ptr_cmp);
    floe_vec_sort(&cands, cand_cmp);
    const pos_cand *cv = cands.data;
    floe_status st = FLOE_OK;
    for (size_t g = 0; g < cands.n && st == FLOE_OK;) {
        size_t end = g + 1;
        while (end < cands.n && strcmp(cv[end].path, cv[g].path) == 0) {
            end++;
        }
        const char *path = cv[g].path;
        bool covered =
            !path_in(keep->data, keep->n, path) && !path_in(removed->data, removed->n, path);
        for (size_t e = g; e < end && covered; e++) {
            const floe_opt_pos_delete_report *r = report_of(&tasks[cv[e].task].out, path);
            covered = r != NULL;
            for (size_t k = 0; covered && k < r->n_others; k++) {
                covered = rw.n > 0 && bsearch(&r->others[k], rw.data, rw.n, sizeof(const char *),
                                              floe_str_ptr_cmp) != NULL;
            }
        }
        if (covered) {
            floe_vec_push_copy(removed, &path);
            st = floe_ice_op_remove_file(op, path, err);
            out->removed_delete_files++;
        }
        g = end;
    }
    floe_vec_fini(&rw);
    floe_vec_fini(&cands);
    return st;
}

/* The snapshot of the table that committed process `pid`, or NULL. */
static const floe_snapshot *committed_snapshot(const floe_table_meta *meta, int64_t pid)
{
    char want[32];
    snprintf(want, sizeof(want), "%lld", (long long)pid);
    for (size_t i = 0; i < meta->n_snapshots; i++) {
        const floe_snapshot *sn = &meta->snapshots[i];
        for (size_t k = 0; k < sn->n_summary; k++) {
            if (strcmp(sn->summary[k].key, SUMMARY_PROCESS) == 0 &&
                strcmp(sn->summary[k].value, want) == 0) {
                return sn;
            }
        }
    }
    return NULL;
}

floe_status floe_opt_commit(floe_arena *a, floe_ice_catalog *cat, const json_t *process,
                            floe_opt_commit_result *out, floe_err *err)
{
    *out = (floe_opt_commit_result){.snapshot_id = -1};
    floe_opt_process *p = NULL;
    floe_status st = floe_opt_process_from_json(process, &p, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_table_meta *meta = NULL;
    st = cat->ops->load(cat->ctx, a, &meta, err);
    if (st != FLOE_OK) {
        floe_opt_process_free(p);
        return floe_err_wrap(err, "load %s", p->table);
    }
    /* A retried commit (the server stopped between the swap and recording it) is done. */
    const floe_snapshot *done = committed_snapshot(meta, p->process_id);
    if (done != NULL) {
        out->snapshot_id = done->snapshot_id;
        out->already_committed = true;
        floe_opt_process_free(p);
        return FLOE_OK;
    }
    parsed_task *tasks = floe_arena_calloc(a, p->n_tasks + 1, sizeof(*tasks));
    if (tasks == NULL) {
        floe_opt_process_free(p);
        return floe_arena_check(a, err);
    }
    /* Delete files a task that did not succeed still reads stay (partial commits). */
    floe_vec keep;
    floe_vec_init(&keep, sizeof(const char *));
    for (size_t i = 0; i < p->n_tasks && st == FLOE_OK; i++) {
        const floe_opt_task *t = &p->tasks[i];
        json_t *ij = t->input_json ? json_loads(t->input_json, 0, NULL) : NULL;
        st = ij == NULL ? floe_err_set(err, FLOE_ERR_INVALID, "no input")
                        : floe_opt_task_input_from_json(a, ij, &tasks[i].in, err);
        json_decref(ij);
        if (st == FLOE_OK && t->status == FLOE_OPT_TASK_SUCCESS) {
            json_t *oj = t->output_json ? json_loads(t->output_json, 0, NULL) : NULL;
            st = oj == NULL ? floe_err_set(err, FLOE_ERR_INVALID, "no output")
                            : floe_opt_task_output_from_json(a, oj, &tasks[i].out, err);
            json_decref(oj);
            tasks[i].ok = st == FLOE_OK;
            out->tasks += tasks[i].ok;
        } else if (st == FLOE_OK) {
            for (size_t k = 0; k < tasks[i].in.n_deletes; k++) {
                floe_vec_push_copy(&keep, &tasks[i].in.deletes[k].path);
            }
        }
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "task %d", (int)t->task_id);
        }
    }
    if (st == FLOE_OK && out->tasks == 0) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "process %lld has no successful task",
                          (long long)p->process_id);
    }
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_REWRITE);
    floe_vec removed;
    floe_vec_init(&removed, sizeof(const char *));
    for (size_t i = 0; i < p->n_tasks && st == FLOE_OK; i++) {
        if (!tasks[i].ok) {
            continue;
        }
        const floe_opt_task_input *in = &tasks[i].in;
        for (size_t k = 0; k < in->n_files && st == FLOE_OK; k++) {
            if (in->files[k].role == FLOE_OPT_REWRITE) {
                st = floe_ice_op_remove_file(op, in->files[k].path, err);
                out->removed_data_files++;
            }
        }
        for (size_t k = 0; k < in->n_deletes && st == FLOE_OK; k++) {
            const char *path = in->deletes[k].path;
            if (!in->deletes[k].removable || path_in(keep.data, keep.n, path) ||
                path_in(removed.data, removed.n, path)) {
                continue;
            }
            floe_vec_push_copy(&removed, &path);
            st = floe_ice_op_remove_file(op, path, err);
            out->removed_delete_files++;
        }
        const floe_opt_task_output *o = &tasks[i].out;
        for (size_t k = 0; k < o->n_files && st == FLOE_OK; k++) {
            floe_data_file f;
            st = output_file(a, meta, in, &o->files[k], &f, err);
            if (st == FLOE_OK) {
                st = floe_ice_op_add_file(op, &f, err);
            }
            if (f.content == FLOE_CONTENT_DATA) {
                out->added_data_files++;
            } else {
                out->added_delete_files++;
            }
        }
    }
    if (st == FLOE_OK) {
        st = remove_covered(tasks, p->n_tasks, &keep, &removed, op, out, err);
    }
    if (st == FLOE_OK) {
        st = floe_ice_op_validate_from(op, p->snapshot_id, NULL, err);
    }
    if (st == FLOE_OK) {
        char pid[32];
        snprintf(pid, sizeof(pid), "%lld", (long long)p->process_id);
        floe_ice_op_set_data_sequence_number(op, p->sequence_number);
        floe_ice_op_set_summary(op, SUMMARY_PROCESS, pid);
        floe_ice_op_set_summary(op, "floe.optimizing.type", floe_opt_type_name(p->type));
        /* As Amoro marks its rewrites: data TTL's "last commit" and readers skip them. */
        floe_ice_op_set_summary(op, "snapshot-producer", "OPTIMIZE");
        floe_table_meta *after = NULL;
        st = floe_ice_op_commit(op, a, cat, &after, err);
        const floe_snapshot *sn = st == FLOE_OK ? floe_table_meta_current_snapshot(after) : NULL;
        out->snapshot_id = sn != NULL ? sn->snapshot_id : -1;
        if (st != FLOE_OK) {
            st =
                floe_err_wrap(err, "commit process %lld to %s", (long long)p->process_id, p->table);
        }
    }
    floe_ice_op_free(op);
    floe_vec_fini(&keep);
    floe_vec_fini(&removed);
    floe_opt_process_free(p);
    return st;
}
