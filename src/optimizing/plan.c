/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner: evaluate (first pass, aggregates only; or the caller's evaluation of the same
 * snapshot), choose partitions by cost within the
 * group's budget, collect only the chosen partitions' files (second pass, capped per plan), and
 * bin-pack them into rewrite tasks.
 *
 * Memory: the first pass keeps one aggregate per partition; the second keeps the collected files
 * of the chosen partitions (at most max-file-count data files, about `budget` bytes) plus one
 * 64-bit hash per delete file of those partitions that must stay (reserved). A table with a
 * million small files therefore plans in memory proportional to its partition count plus one
 * plan's worth of files.
 */
#include "opt_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct coll_delete {
    floe_opt_delete_file d;
    uint64_t hash;
    bool foreign;   /* another partition's (or a global) delete: never removed by this plan */
    uint32_t stamp; /* bin number + 1 that last used it (dedup while building a task) */
    uint32_t local; /* its index in that bin's task */
} coll_delete;

typedef struct coll_file {
    const char *path;
    floe_file_format format;
    opt_class cls;
    floe_opt_file_role role;
    int64_t size, records, seq, weight;
    uint32_t *dels; /* indices into the partition's deletes */
    size_t n_dels;
    int32_t bin;
} coll_file;

typedef struct coll_part {
    const floe_opt_partition_stats *stats;
    char *key;
    floe_vec files;      /* coll_file */
    floe_vec deletes;    /* coll_delete */
    floe_map *del_index; /* delete path -> index + 1 (as a pointer) */
    opt_hset reserved;   /* hashes of delete paths some untouched data file still needs */
    bool truncated;
} coll_part;

typedef struct plan_state {
    opt_eval_ctx c;
    floe_map *chosen; /* partition key -> coll_part (borrowed from `parts`) */
    coll_part *parts;
    size_t n_parts;
    int64_t budget;
    int64_t max_files;
    int64_t files, bytes; /* collected so far */
    floe_buf dkey;        /* scratch for delete partition keys */
} plan_state;

static void reserve_deletes(coll_part *cp, const floe_opt_input *in)
{
    for (size_t i = 0; i < in->n_deletes; i++) {
        opt_hset_add(&cp->reserved, opt_path_hash(in->deletes[i]->file.file_path));
    }
}

static floe_status nomem(floe_arena *a, floe_err *err)
{
    return floe_arena_check(a, err) != FLOE_OK
               ? FLOE_ERR_TOO_BIG
               : floe_err_set(err, FLOE_ERR_TOO_BIG, "plan arena exhausted");
}

static floe_status delete_index(plan_state *s, coll_part *cp, const floe_manifest_entry *e,
                                uint32_t *out, floe_err *err)
{
    const floe_data_file *d = &e->file;
    size_t plen = strlen(d->file_path);
    void *v = floe_map_get(cp->del_index, d->file_path, plen);
    if (v != NULL) {
        *out = (uint32_t)((uintptr_t)v - 1);
        return FLOE_OK;
    }
    floe_arena *a = s->c.a;
    coll_delete cd = {0};
    cd.hash = opt_path_hash(d->file_path);
    cd.d.path = floe_arena_strdup(a, d->file_path);
    cd.d.content = d->content;
    cd.d.format = d->file_format;
    cd.d.size = d->file_size_in_bytes;
    cd.d.records = d->record_count;
    cd.d.data_sequence_number = e->has_sequence_number ? e->sequence_number : 0;
    if (d->n_equality_ids > 0) {
        cd.d.equality_ids =
            floe_arena_memdup(a, d->equality_ids, d->n_equality_ids * sizeof(*d->equality_ids));
        cd.d.n_equality_ids = d->n_equality_ids;
    }
    cd.d.referenced_data_file =
        d->referenced_data_file ? floe_arena_strdup(a, d->referenced_data_file) : NULL;
    cd.d.has_content_offset = d->has_content_offset;
    cd.d.content_offset = d->content_offset;
    cd.d.content_size = d->has_content_size_in_bytes ? d->content_size_in_bytes : 0;
    if (cd.d.path == NULL || floe_arena_failed(a)) {
        return nomem(a, err);
    }
    floe_buf_reset(&s->dkey);
    floe_status st = floe_buf_printf(&s->dkey, err, "%d:", (int)d->spec_id);
    if (st == FLOE_OK && d->partition.kind == FLOE_V_STRUCT && d->partition.u.nested.n > 0) {
        st = floe_value_to_json(&d->partition, &s->dkey, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    cd.foreign = strcmp(floe_buf_cstr(&s->dkey), cp->key) != 0;
    if (cp->deletes.n >= UINT32_MAX - 1) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "too many delete files in one partition");
    }
    *out = (uint32_t)cp->deletes.n;
    floe_vec_push_copy(&cp->deletes, &cd);
    floe_map_put(cp->del_index, d->file_path, plen, (void *)(uintptr_t)(cp->deletes.n));
    return FLOE_OK;
}

static floe_status collect_visit(void *ud, const floe_opt_input *in, floe_err *err)
{
    plan_state *s = ud;
    floe_status st = opt_eval_check(in, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_data_file *f = &in->data->file;
    st = opt_eval_key(&s->c, f, err);
    if (st != FLOE_OK) {
        return st;
    }
    coll_part *cp = floe_map_get(s->chosen, s->c.key.data, s->c.key.len);
    if (cp == NULL) {
        return FLOE_OK;
    }
    bool in_scope = true;
    st = opt_eval_in_scope(&s->c, f, &in_scope, err);
    if (st != FLOE_OK) {
        return st;
    }
    bool combine = false;
    opt_class cls = in_scope ? opt_classify(&s->c, in, &combine) : OPT_C_RESERVED;
    if (cls == OPT_C_RESERVED) {
        /* Untouched data (healthy, or outside the filter) keeps its deletes alive. */
        reserve_deletes(cp, in);
        return FLOE_OK;
    }
    int64_t weight = cls == OPT_C_REWRITE_POS ? f->file_size_in_bytes / 10 : f->file_size_in_bytes;
    if (s->files >= s->max_files || (s->files > 0 && s->bytes + weight > s->budget)) {
        /* The rest of this partition waits for the next plan. */
        cp->truncated = true;
        reserve_deletes(cp, in);
        return FLOE_OK;
    }
    floe_arena *a = s->c.a;
    coll_file cf = {
        .format = f->file_format,
        .cls = cls,
        .role = cls == OPT_C_REWRITE_POS ? FLOE_OPT_REWRITE_POS : FLOE_OPT_REWRITE,
        .size = f->file_size_in_bytes,
        .records = f->record_count,
        .seq = in->data->has_sequence_number ? in->data->sequence_number : 0,
        .weight = weight,
        .bin = -1,
    };
    cf.path = floe_arena_strdup(a, f->file_path);
    if (in->n_deletes > 0) {
        cf.dels = floe_arena_calloc(a, in->n_deletes, sizeof(*cf.dels));
        if (cf.dels == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < in->n_deletes; i++) {
            st = delete_index(s, cp, in->deletes[i], &cf.dels[i], err);
            if (st != FLOE_OK) {
                return st;
            }
        }
        cf.n_dels = in->n_deletes;
    }
    if (cf.path == NULL) {
        return nomem(a, err);
    }
    floe_vec_push_copy(&cp->files, &cf);
    s->files++;
    s->bytes += weight;
    return FLOE_OK;
}

/* ==== Bin packing ==== */

static int weight_desc(const void *x, const void *y)
{
    const coll_file *const *a = x, *const *b = y;
    if ((*a)->weight != (*b)->weight) {
        return (*a)->weight > (*b)->weight ? -1 : 1;
    }
    return strcmp((*a)->path, (*b)->path);
}

/*
 * First-fit decreasing: assign each file (largest first) to the first bin with room, bins
 * numbered from `first_bin`; counts[bin] gets each bin's file count. Returns the bins used.
 * "First bin with room" is found in O(log n) with a max tree over the bins' remaining room
 * (unopened bins have full room and lie right of every opened one), so packing a plan of
 * hundreds of thousands of files into thousands of bins stays fast.
 */
static size_t pack(coll_file **files, size_t n, int64_t cap, int32_t first_bin, floe_vec *counts)
{
    if (n == 0) {
        return 0;
    }
    qsort(files, n, sizeof(*files), weight_desc);
    size_t leaves = 1;
    while (leaves < n) {
        leaves <<= 1;
    }
    int64_t *tree = floe_xmalloc(2 * leaves * sizeof(*tree));
    for (size_t i = 0; i < leaves; i++) {
        tree[leaves + i] = i < n ? cap : -1;
    }
    for (size_t i = leaves; i-- > 1;) {
        tree[i] = tree[2 * i] > tree[2 * i + 1] ? tree[2 * i] : tree[2 * i + 1];
    }
    size_t bins = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t w = files[i]->weight;
        size_t b;
        if (tree[1] < w) {
            b = bins; /* larger than any bin: a bin of its own */
        } else {
            size_t k = 1;
            while (k < leaves) {
                k = tree[2 * k] >= w ? 2 * k : 2 * k + 1;
            }
            b = k - leaves;
        }
        size_t k = leaves + b;
        tree[k] = tree[k] > w ? tree[k] - w : 0;
        for (k /= 2; k >= 1; k /= 2) {
            tree[k] = tree[2 * k] > tree[2 * k + 1] ? tree[2 * k] : tree[2 * k + 1];
        }
        if (b + 1 > bins) {
            bins = b + 1;
        }
        size_t zero = 0;
        while (counts->n < (size_t)first_bin + bins) {
            floe_vec_push_copy(counts, &zero);
        }
        files[i]->bin = first_bin + (int32_t)b;
        (*FLOE_VEC_AT(counts, size_t, (size_t)first_bin + b))++;
    }
    free(tree);
    return bins;
}

/* segmentShouldRewritePos on a collected file. */
static bool coll_should_rewrite_pos(const coll_part *cp, const coll_file *f)
{
    size_t eq = 0, pos = 0;
    const coll_delete *one = NULL;
    for (size_t i = 0; i < f->n_dels; i++) {
        const coll_delete *d = FLOE_VEC_AT(&cp->deletes, coll_delete, f->dels[i]);
        if (d->d.content == FLOE_CONTENT_EQUALITY_DELETES) {
            eq++;
        } else {
            pos++;
            one = d;
        }
    }
    if (pos > 1 || eq > 0) {
        return true;
    }
    return pos == 1 && (one->d.referenced_data_file == NULL ||
                        strcmp(one->d.referenced_data_file, f->path) != 0);
}

static floe_status build_tasks(plan_state *s, coll_part *cp, const floe_opt_plan_opts *opts,
                               floe_vec *tasks, floe_err *err)
{
    floe_arena *a = s->c.a;
    size_t n = cp->files.n;
    coll_file **ptrs = floe_xcalloc(n > 0 ? n : 1, sizeof(*ptrs));
    floe_vec counts;
    floe_vec_init(&counts, sizeof(size_t));
    int64_t cap = floe_opt_props_task_size(s->c.p);

    /* 1. Undersized segments merge among themselves; a bin with only one of them is dropped
     *    (merging it alone gains nothing) unless its deletes need rewriting. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        coll_file *f = FLOE_VEC_AT(&cp->files, coll_file, i);
        if (f->cls == OPT_C_UNDERSIZED) {
            ptrs[k++] = f;
        }
    }
    size_t bins = pack(ptrs, k, cap, 0, &counts);
    for (size_t i = 0; i < k; i++) {
        coll_file *f = ptrs[i];
        if (*FLOE_VEC_AT(&counts, size_t, (size_t)f->bin) == 1) {
            *FLOE_VEC_AT(&counts, size_t, (size_t)f->bin) = 0;
            f->bin = -1;
            if (coll_should_rewrite_pos(cp, f)) {
                f->cls = OPT_C_REWRITE_POS;
                f->role = FLOE_OPT_REWRITE_POS;
                f->weight = f->size / 10;
            } else {
                f->cls = OPT_C_RESERVED;
                for (size_t j = 0; j < f->n_dels; j++) {
                    opt_hset_add(&cp->reserved,
                                 FLOE_VEC_AT(&cp->deletes, coll_delete, f->dels[j])->hash);
                }
            }
        }
    }
    /* 2. Fragments, segments to rewrite and segments whose deletes are rewritten. */
    k = 0;
    for (size_t i = 0; i < n; i++) {
        coll_file *f = FLOE_VEC_AT(&cp->files, coll_file, i);
        if (f->cls == OPT_C_FRAGMENT || f->cls == OPT_C_REWRITE || f->cls == OPT_C_REWRITE_POS) {
            ptrs[k++] = f;
        }
    }
    size_t bins2 = pack(ptrs, k, cap, (int32_t)bins, &counts);
    size_t total_bins = bins + bins2;

    /* 3. Drop bins that are one data file with no deletes: nothing to gain. */
    size_t *bin_dels = floe_xcalloc(total_bins > 0 ? total_bins : 1, sizeof(size_t));
    const coll_file **single = floe_xcalloc(total_bins > 0 ? total_bins : 1, sizeof(*single));
    for (size_t i = 0; i < n; i++) {
        coll_file *f = FLOE_VEC_AT(&cp->files, coll_file, i);
        if (f->bin >= 0) {
            bin_dels[f->bin] += f->n_dels;
            single[f->bin] = f;
        }
    }
    bool *keep = floe_xcalloc(total_bins > 0 ? total_bins : 1, sizeof(bool));
    for (size_t b = 0; b < total_bins; b++) {
        size_t cnt = *FLOE_VEC_AT(&counts, size_t, b);
        keep[b] = cnt > 1 || (cnt == 1 && (bin_dels[b] > 0 || single[b]->role != FLOE_OPT_REWRITE));
    }

    /* 4. One task per kept bin; deletes are removable unless shared with untouched data. */
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < cp->deletes.n; i++) {
        coll_delete *d = FLOE_VEC_AT(&cp->deletes, coll_delete, i);
        d->d.removable = !d->foreign && !opt_hset_has(&cp->reserved, d->hash);
    }
    /* Files grouped by bin (a counting sort), so building tasks is linear. */
    size_t *start = floe_xcalloc(total_bins + 1, sizeof(size_t));
    coll_file **by_bin = floe_xcalloc(n > 0 ? n : 1, sizeof(*by_bin));
    for (size_t i = 0; i < n; i++) {
        coll_file *f = FLOE_VEC_AT(&cp->files, coll_file, i);
        if (f->bin >= 0) {
            start[f->bin + 1]++;
        }
    }
    for (size_t b = 0; b < total_bins; b++) {
        start[b + 1] += start[b];
    }
    size_t *fill = floe_xcalloc(total_bins + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        coll_file *f = FLOE_VEC_AT(&cp->files, coll_file, i);
        if (f->bin >= 0) {
            by_bin[start[f->bin] + fill[f->bin]++] = f;
        }
    }
    free(fill);
    const opt_spec_info *si = NULL;
    for (size_t b = 0; b < total_bins && st == FLOE_OK; b++) {
        if (!keep[b]) {
            continue;
        }
        size_t cnt = *FLOE_VEC_AT(&counts, size_t, b);
        floe_opt_data_file *files = floe_arena_calloc(a, cnt, sizeof(*files));
        floe_opt_delete_file *dels =
            floe_arena_calloc(a, bin_dels[b] > 0 ? bin_dels[b] : 1, sizeof(*dels));
        if (files == NULL || dels == NULL) {
            st = nomem(a, err);
            break;
        }
        size_t nf = 0, nd = 0;
        for (size_t i = start[b]; i < start[b + 1] && st == FLOE_OK; i++) {
            coll_file *f = by_bin[i];
            floe_opt_data_file *df = &files[nf++];
            *df = (floe_opt_data_file){.path = f->path,
                                       .format = f->format,
                                       .role = f->role,
                                       .size = f->size,
                                       .records = f->records,
                                       .data_sequence_number = f->seq};
            if (f->n_dels > 0) {
                uint32_t *idx = floe_arena_calloc(a, f->n_dels, sizeof(*idx));
                if (idx == NULL) {
                    st = nomem(a, err);
                    break;
                }
                for (size_t j = 0; j < f->n_dels; j++) {
                    coll_delete *d = FLOE_VEC_AT(&cp->deletes, coll_delete, f->dels[j]);
                    if (d->stamp != (uint32_t)b + 1) {
                        d->stamp = (uint32_t)b + 1;
                        d->local = (uint32_t)nd;
                        dels[nd++] = d->d;
                    }
                    idx[j] = d->local;
                }
                df->deletes = idx;
                df->n_deletes = f->n_dels;
            }
        }
        if (st != FLOE_OK) {
            break;
        }
        if (si == NULL) {
            st = opt_eval_spec(&s->c, cp->stats->spec_id, &si, err);
            if (st != FLOE_OK) {
                break;
            }
        }
        floe_opt_task_input *t = floe_vec_push(tasks);
        *t = (floe_opt_task_input){
            .table = opts->table,
            .metadata_location = opts->metadata_location,
            .type = cp->stats->type,
            .snapshot_id = opts->snapshot_id,
            .sequence_number = opts->sequence_number,
            .schema_id = s->c.schema->schema_id,
            .spec_id = cp->stats->spec_id,
            .partition = cp->stats->partition,
            .target_size = s->c.p->target_size,
            .files = files,
            .n_files = nf,
            .deletes = dels,
            .n_deletes = nd,
        };
    }
    free(by_bin);
    free(start);
    free(keep);
    free(single);
    free(bin_dels);
    floe_vec_fini(&counts);
    free(ptrs);
    return st;
}

/* ==== Entry point ==== */

static floe_status task_properties(floe_arena *a, const floe_opt_props *p, floe_opt_task_input *t,
                                   floe_err *err)
{
    floe_kv *kv = floe_arena_calloc(a, 2, sizeof(*kv));
    if (kv == NULL) {
        return nomem(a, err);
    }
    kv[0].key = "rewrite.use-parquet-row-group-merge.enabled";
    kv[0].value = p->row_group_merge ? "true" : "false";
    kv[1].key = "rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes";
    kv[1].value = floe_arena_sprintf(a, "%lld", (long long)p->row_group_merge_min_avg_bytes);
    if (kv[1].value == NULL) {
        return nomem(a, err);
    }
    t->properties = kv;
    t->n_properties = 2;
    return FLOE_OK;
}

floe_status floe_opt_plan_make(floe_arena *a, const floe_opt_table_ctx *ctx,
                               const floe_opt_plan_opts *opts, const floe_opt_source *src,
                               floe_opt_plan **out, floe_err *err)
{
    floe_opt_evaluation *ev = opts->evaluation;
    floe_status st = ev != NULL ? FLOE_OK : floe_opt_evaluate(a, ctx, src, &ev, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_opt_plan *plan = floe_arena_calloc(a, 1, sizeof(*plan));
    if (plan == NULL) {
        return nomem(a, err);
    }
    plan->evaluation = ev;
    int32_t threads = opts->group_threads > 0 ? opts->group_threads : 1;
    int64_t per_thread =
        opts->max_input_per_thread > 0 ? opts->max_input_per_thread : (int64_t)512 << 20;
    plan->budget = per_thread > INT64_MAX / threads ? INT64_MAX : per_thread * threads;
    *out = plan;
    if (!ctx->props->enabled || ev->summary.pending_partitions == 0) {
        return FLOE_OK;
    }

    plan_state s = {0};
    st = opt_eval_init(&s.c, a, ctx, err);
    s.budget = plan->budget;
    s.max_files = ctx->props->max_file_count;
    s.chosen = floe_map_new(NULL);
    floe_buf_init(&s.dkey, 0);
    /* Partitions by cost (the evaluation is sorted), until the cumulative cost passes the
     * budget; the first one always goes in. */
    s.parts = floe_xcalloc(ev->n_partitions > 0 ? ev->n_partitions : 1, sizeof(*s.parts));
    int64_t cost = 0;
    for (size_t i = 0; i < ev->n_partitions && st == FLOE_OK; i++) {
        const floe_opt_partition_stats *p = &ev->partitions[i];
        if (p->type == FLOE_OPT_NONE) {
            continue;
        }
        coll_part *cp = &s.parts[s.n_parts++];
        cp->stats = p;
        cp->key = (char *)p->key;
        floe_vec_init(&cp->files, sizeof(coll_file));
        floe_vec_init(&cp->deletes, sizeof(coll_delete));
        cp->del_index = floe_map_new(NULL);
        floe_map_put_s(s.chosen, p->key, cp);
        cost += p->cost;
        if (cost > plan->budget) {
            break;
        }
    }
    if (st == FLOE_OK) {
        st = src->scan(src->ud, collect_visit, &s, err);
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "plan: collect files");
        }
    }
    floe_vec tasks;
    floe_vec_init(&tasks, sizeof(floe_opt_task_input));
    floe_vec ranges;
    floe_vec_init(&ranges, sizeof(floe_opt_plan_partition));
    for (size_t i = 0; i < s.n_parts && st == FLOE_OK; i++) {
        coll_part *cp = &s.parts[i];
        size_t first = tasks.n;
        st = build_tasks(&s, cp, opts, &tasks, err);
        if (st == FLOE_OK && tasks.n > first) {
            floe_opt_plan_partition pp = {.stats = cp->stats,
                                          .type = cp->stats->type,
                                          .first_task = first,
                                          .n_tasks = tasks.n - first,
                                          .truncated = cp->truncated};
            floe_vec_push_copy(&ranges, &pp);
            if (cp->stats->type > plan->type) {
                plan->type = cp->stats->type;
            }
        }
    }
    if (st == FLOE_OK && tasks.n > 0) {
        plan->tasks = floe_arena_memdup(a, tasks.data, tasks.n * sizeof(floe_opt_task_input));
        plan->partitions =
            floe_arena_memdup(a, ranges.data, ranges.n * sizeof(floe_opt_plan_partition));
        if (plan->tasks == NULL || plan->partitions == NULL) {
            st = nomem(a, err);
        } else {
            plan->n_tasks = tasks.n;
            plan->n_partitions = ranges.n;
        }
    }
    for (size_t i = 0; i < plan->n_tasks && st == FLOE_OK; i++) {
        floe_opt_task_input *t = &plan->tasks[i];
        t->type = plan->type; /* every task carries the process type */
        st = task_properties(a, ctx->props, t, err);
        for (size_t j = 0; j < t->n_files; j++) {
            plan->input_files++;
            plan->input_bytes += t->files[j].size;
        }
    }
    if (st != FLOE_OK) {
        plan->type = FLOE_OPT_NONE;
        plan->n_tasks = 0;
        plan->n_partitions = 0;
    }
    floe_vec_fini(&tasks);
    floe_vec_fini(&ranges);
    for (size_t i = 0; i < s.n_parts; i++) {
        floe_vec_fini(&s.parts[i].files);
        floe_vec_fini(&s.parts[i].deletes);
        floe_map_free(s.parts[i].del_index);
        opt_hset_fini(&s.parts[i].reserved);
    }
    floe_map_free(s.chosen);
    floe_buf_fini(&s.dkey);
    opt_eval_fini(&s.c);
    free(s.parts);
    return st;
}
