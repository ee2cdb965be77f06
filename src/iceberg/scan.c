/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan planning (spec "Scan Planning"): the snapshot to read, then its delete files into an
 * index keyed by partition and by referenced data file, then the data manifests streamed one
 * entry at a time, each live data file that may match the filter handed out with the delete
 * files that apply to it. Pruning goes from coarse to fine as in Java: manifest partition
 * summaries, the partition tuple through the filter's projection, then column metrics.
 */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Choosing the snapshot ==== */

floe_status floe_scan_snapshot(const floe_table_meta *meta, const floe_scan_opts *opts,
                               const floe_snapshot **out, floe_err *err)
{
    *out = NULL;
    if (opts != NULL && opts->has_snapshot_id) {
        *out = floe_table_meta_snapshot(meta, opts->snapshot_id);
        if (*out == NULL) {
            return floe_err_set(err, FLOE_ERR_NOT_FOUND, "snapshot %lld does not exist",
                                (long long)opts->snapshot_id);
        }
    } else if (opts != NULL && opts->ref != NULL) {
        if (floe_table_meta_ref(meta, opts->ref) == NULL &&
            !(strcmp(opts->ref, "main") == 0 && meta->current_snapshot_id == -1)) {
            return floe_err_set(err, FLOE_ERR_NOT_FOUND, "ref %s does not exist", opts->ref);
        }
        *out = floe_table_meta_ref_snapshot(meta, opts->ref);
    } else if (opts != NULL && opts->has_as_of) {
        *out = floe_table_meta_snapshot_as_of(meta, opts->as_of_ms);
        if (*out == NULL) {
            return floe_err_set(err, FLOE_ERR_NOT_FOUND, "no snapshot at or before %lld ms",
                                (long long)opts->as_of_ms);
        }
    } else {
        *out = floe_table_meta_current_snapshot(meta);
    }
    return FLOE_OK;
}

/* ==== The delete index ==== */

typedef struct del_item {
    const floe_data_file *f; /* in the index arena */
    int64_t seq;             /* data sequence number of the delete file */
} del_item;

/* The delete files of one partition (or of one referenced data file: pos only). */
typedef struct del_bucket {
    floe_vec pos; /* del_item, sorted by seq once built */
    floe_vec eq;
} del_bucket;

static del_bucket *bucket_new(void)
{
    del_bucket *b = floe_xmalloc(sizeof(*b));
    floe_vec_init(&b->pos, sizeof(del_item));
    floe_vec_init(&b->eq, sizeof(del_item));
    return b;
}

static void bucket_free(void *p)
{
    del_bucket *b = p;
    floe_vec_fini(&b->pos);
    floe_vec_fini(&b->eq);
    free(b);
}

static const floe_map_type BUCKET_TYPE = {.val_free = bucket_free};

static int item_cmp(const void *a, const void *b)
{
    const del_item *x = a;
    const del_item *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Per spec (indexed like meta->specs): the projected filter and the partition schema. */
typedef struct spec_eval {
    bool ready;
    const floe_ice_expr *projected; /* NULL: no partition pruning */
    const floe_ice_schema *part_schema;
    bool unpartitioned;
} spec_eval;

typedef struct planner {
    floe_fileio *io;
    const floe_table_meta *meta;
    const floe_scan_opts *opts;
    floe_arena *index; /* delete files, manifests, projections */
    floe_arena *scratch;
    const floe_ice_schema *schema;
    const floe_ice_expr *bound; /* NULL: no filter */
    spec_eval *specs;
    floe_map *by_partition; /* partition key -> del_bucket */
    floe_map *by_path;      /* referenced data file -> del_bucket (pos only) */
    floe_vec global_eq;     /* del_item: equality deletes of unpartitioned specs */
    floe_buf key;
    floe_vec task_deletes; /* del_item scratch for one task */
    floe_scan_stats st;
} planner;

static spec_eval *spec_for(planner *p, int32_t spec_id)
{
    const floe_table_meta *m = p->meta;
    for (size_t i = 0; i < m->n_specs; i++) {
        if (m->specs[i]->spec_id != spec_id) {
            continue;
        }
        spec_eval *se = &p->specs[i];
        if (!se->ready) {
            se->ready = true;
            const floe_partition_spec *spec = m->specs[i];
            se->unpartitioned = floe_partition_spec_is_unpartitioned(spec);
            /* A spec whose source columns the bound schema lacks (dropped since) cannot be
             * projected: its files are kept, which is always correct. */
            floe_err scratch = {0};
            const floe_ice_expr *proj = NULL;
            const floe_ice_schema *ps = NULL;
            if (p->bound != NULL &&
                floe_ice_expr_project(p->index, p->bound, spec, p->schema, &proj, &scratch) ==
                    FLOE_OK &&
                floe_partition_spec_schema(p->index, spec, p->schema, &ps, &scratch) == FLOE_OK) {
                se->projected = proj;
                se->part_schema = ps;
            }
            if (se->projected != NULL && se->projected->op == FLOE_ICE_EXPR_TRUE) {
                se->projected = NULL;
            }
        }
        return se;
    }
    return NULL;
}

static bool partition_might_match(const spec_eval *se, const floe_data_file *f)
{
    if (se == NULL || se->projected == NULL) {
        return true;
    }
    floe_ice_row row = {.schema = se->part_schema, .row = &f->partition};
    return floe_ice_expr_eval(se->projected, floe_ice_row_value, &row);
}

/* A position delete file that can only hold deletes for one data file: that file's path. */
static const char *single_target(const floe_data_file *f)
{
    if (f->referenced_data_file != NULL) {
        return f->referenced_data_file;
    }
    return NULL;
}

static bool bound_is_single(const floe_data_file *f, floe_str *path)
{
    floe_str lo;
    floe_str hi;
    if (floe_data_file_lower_bound(f, FLOE_ICE_DELETE_FILE_PATH_ID, &lo) &&
        floe_data_file_upper_bound(f, FLOE_ICE_DELETE_FILE_PATH_ID, &hi) && lo.len == hi.len &&
        memcmp(lo.ptr, hi.ptr, lo.len) == 0) {
        *path = lo;
        return true;
    }
    return false;
}

/* Keep only the file_path bounds of a position delete file (the index needs nothing else). */
static void keep_path_bounds(floe_data_file *f, floe_field_bound *lo, floe_field_bound *hi)
{
    floe_str l;
    floe_str h;
    bool has_l = floe_data_file_lower_bound(f, FLOE_ICE_DELETE_FILE_PATH_ID, &l);
    bool has_h = floe_data_file_upper_bound(f, FLOE_ICE_DELETE_FILE_PATH_ID, &h);
    floe_data_file_strip_stats(f);
    if (has_l) {
        *lo = (floe_field_bound){FLOE_ICE_DELETE_FILE_PATH_ID, l};
        f->lower_bounds = lo;
        f->n_lower_bounds = 1;
    }
    if (has_h) {
        *hi = (floe_field_bound){FLOE_ICE_DELETE_FILE_PATH_ID, h};
        f->upper_bounds = hi;
        f->n_upper_bounds = 1;
    }
}

static del_bucket *bucket_at(floe_map *m, const void *key, size_t klen)
{
    del_bucket *b = floe_map_get(m, key, klen);
    if (b == NULL) {
        b = bucket_new();
        floe_map_put(m, key, klen, b);
    }
    return b;
}

static floe_status index_delete(planner *p, const floe_manifest_entry *e, const spec_eval *se,
                                floe_err *err)
{
    floe_data_file f = e->file;
    floe_field_bound lo;
    floe_field_bound hi;
    if (f.content == FLOE_CONTENT_POSITION_DELETES) {
        keep_path_bounds(&f, &lo, &hi);
    } else {
        floe_data_file_strip_stats(&f);
    }
    floe_data_file *copy = floe_arena_alloc(p->index, sizeof(*copy));
    if (copy == NULL) {
        return ice_nomem(p->index, err);
    }
    floe_status st = floe_data_file_dup(p->index, &f, copy, err);
    if (st != FLOE_OK) {
        return st;
    }
    del_item it = {.f = copy, .seq = e->sequence_number};
    if (copy->content == FLOE_CONTENT_POSITION_DELETES) {
        floe_str path;
        const char *target = single_target(copy);
        if (target != NULL) {
            floe_vec_push_copy(&bucket_at(p->by_path, target, strlen(target))->pos, &it);
            return FLOE_OK;
        }
        if (bound_is_single(copy, &path)) {
            floe_vec_push_copy(&bucket_at(p->by_path, path.ptr, path.len)->pos, &it);
            return FLOE_OK;
        }
    } else if (copy->content == FLOE_CONTENT_EQUALITY_DELETES && se->unpartitioned) {
        floe_vec_push_copy(&p->global_eq, &it);
        return FLOE_OK;
    } else if (copy->content != FLOE_CONTENT_EQUALITY_DELETES) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "%s: data file in a delete manifest",
                            copy->file_path);
    }
    floe_buf_reset(&p->key);
    st = ice_partition_key(&p->key, copy->spec_id, &copy->partition, err);
    if (st != FLOE_OK) {
        return st;
    }
    del_bucket *b = bucket_at(p->by_partition, p->key.data, p->key.len);
    floe_vec_push_copy(copy->content == FLOE_CONTENT_POSITION_DELETES ? &b->pos : &b->eq, &it);
    return FLOE_OK;
}

static floe_status open_manifest(planner *p, const floe_manifest_file *mf, unsigned skip,
                                 floe_manifest_reader **r, floe_err *err)
{
    floe_manifest_read_opts o = {.meta = p->meta, .manifest = mf, .skip = skip};
    return floe_manifest_reader_open(p->io, mf->manifest_path, &o, r, err);
}

static bool manifest_might_match(planner *p, const floe_manifest_file *mf, spec_eval **se_out,
                                 floe_err *err, floe_status *st)
{
    *st = FLOE_OK;
    spec_eval *se = spec_for(p, mf->partition_spec_id);
    if (se == NULL) {
        *st = floe_err_set(err, FLOE_ERR_CORRUPT, "manifest %s: partition spec %d does not exist",
                           mf->manifest_path, (int)mf->partition_spec_id);
        return false;
    }
    *se_out = se;
    if (mf->has_counts && mf->added_files_count == 0 && mf->existing_files_count == 0) {
        return false; /* only DELETED entries */
    }
    if (se->projected == NULL) {
        return true;
    }
    return floe_ice_manifest_might_match(se->projected,
                                         floe_table_meta_spec(p->meta, mf->partition_spec_id), mf);
}

static floe_status read_deletes(planner *p, const floe_manifest_file *mf, floe_err *err)
{
    spec_eval *se = NULL;
    floe_status st;
    if (!manifest_might_match(p, mf, &se, err, &st)) {
        p->st.manifests_skipped += st == FLOE_OK;
        return st;
    }
    floe_manifest_reader *r = NULL;
    st = open_manifest(p, mf, FLOE_MANIFEST_SKIP_COLUMN_SIZES | FLOE_MANIFEST_SKIP_COUNTS, &r, err);
    while (st == FLOE_OK) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(p->scratch);
        st = floe_manifest_reader_next(r, p->scratch, &e, &got, err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (e.status == FLOE_ENTRY_DELETED) {
            continue;
        }
        if (!partition_might_match(se, &e.file)) {
            p->st.delete_files_skipped++;
            continue;
        }
        st = index_delete(p, &e, se, err);
        p->st.delete_files++;
    }
    floe_manifest_reader_close(r);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "delete manifest %s", mf->manifest_path);
    }
    return FLOE_OK;
}

static void sort_bucket(del_bucket *b)
{
    floe_vec_sort(&b->pos, item_cmp);
    floe_vec_sort(&b->eq, item_cmp);
}

static void sort_index(planner *p)
{
    floe_map *maps[2] = {p->by_partition, p->by_path};
    for (int i = 0; i < 2; i++) {
        floe_map_iter it = {0};
        const char *k;
        size_t klen;
        void *v;
        while (floe_map_next(maps[i], &it, &k, &klen, &v)) {
            sort_bucket(v);
        }
    }
    floe_vec_sort(&p->global_eq, item_cmp);
}

/* ==== Matching deletes to a data file ==== */

/* The first item of a sorted vector with seq >= min_seq. */
static size_t first_at_least(const floe_vec *v, int64_t min_seq)
{
    size_t lo = 0;
    size_t hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (FLOE_VEC_AT(v, del_item, mid)->seq < min_seq) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int str_cmp_bytes(floe_str a, const char *b, size_t blen)
{
    size_t n = a.len < blen ? a.len : blen;
    int c = memcmp(a.ptr, b, n);
    if (c != 0) {
        return c;
    }
    return a.len < blen ? -1 : a.len > blen;
}

/* Whether a partition-scoped position delete file may hold deletes for `path`. */
static bool path_in_bounds(const floe_data_file *d, const char *path)
{
    size_t len = strlen(path);
    floe_str b;
    if (floe_data_file_lower_bound(d, FLOE_ICE_DELETE_FILE_PATH_ID, &b) &&
        str_cmp_bytes(b, path, len) > 0) {
        return false;
    }
    if (floe_data_file_upper_bound(d, FLOE_ICE_DELETE_FILE_PATH_ID, &b) &&
        str_cmp_bytes(b, path, len) < 0) {
        return false;
    }
    return true;
}

static void add_from(planner *p, const floe_vec *v, int64_t min_seq, const char *path)
{
    for (size_t i = first_at_least(v, min_seq); i < v->n; i++) {
        const del_item *it = FLOE_VEC_AT(v, del_item, i);
        if (path == NULL || path_in_bounds(it->f, path)) {
            floe_vec_push_copy(&p->task_deletes, it);
        }
    }
}

static floe_status emit_task(planner *p, const floe_manifest_entry *e,
                             const floe_partition_spec *spec, floe_scan_task_fn fn, void *ud,
                             floe_err *err)
{
    const floe_data_file *f = &e->file;
    int64_t seq = e->sequence_number;
    floe_vec_clear(&p->task_deletes);
    /* Position deletes: delete seq >= data seq. */
    del_bucket *b = floe_map_get(p->by_path, f->file_path, strlen(f->file_path));
    size_t n_path = 0;
    if (b != NULL) {
        add_from(p, &b->pos, seq, NULL);
        n_path = p->task_deletes.n;
    }
    floe_buf_reset(&p->key);
    floe_status st = ice_partition_key(&p->key, f->spec_id, &f->partition, err);
    if (st != FLOE_OK) {
        return st;
    }
    b = floe_map_get(p->by_partition, p->key.data, p->key.len);
    if (b != NULL) {
        add_from(p, &b->pos, seq, f->file_path);
    }
    /* Keep position deletes in sequence order when they came from both places. */
    if (n_path > 0 && p->task_deletes.n > n_path) {
        floe_vec_sort(&p->task_deletes, item_cmp);
    }
    size_t n_pos = p->task_deletes.n;
    /* Equality deletes: delete seq > data seq; global ones and the partition's, merged. */
    if (seq < INT64_MAX) {
        add_from(p, &p->global_eq, seq + 1, NULL);
        size_t n_global = p->task_deletes.n;
        if (b != NULL) {
            add_from(p, &b->eq, seq + 1, NULL);
        }
        if (n_global > n_pos && p->task_deletes.n > n_global) {
            qsort((del_item *)p->task_deletes.data + n_pos, p->task_deletes.n - n_pos,
                  sizeof(del_item), item_cmp);
        }
    }
    size_t n = p->task_deletes.n;
    const floe_data_file **dels = NULL;
    int64_t *seqs = NULL;
    if (n > 0) {
        dels = floe_arena_calloc(p->scratch, n, sizeof(*dels));
        seqs = floe_arena_calloc(p->scratch, n, sizeof(*seqs));
        if (dels == NULL || seqs == NULL) {
            return ice_nomem(p->scratch, err);
        }
        for (size_t i = 0; i < n; i++) {
            const del_item *it = FLOE_VEC_AT(&p->task_deletes, del_item, i);
            dels[i] = it->f;
            seqs[i] = it->seq;
        }
    }
    floe_scan_task task = {.file = f,
                           .data_sequence_number = seq,
                           .file_sequence_number =
                               e->has_file_sequence_number ? e->file_sequence_number : seq,
                           .snapshot_id = e->snapshot_id,
                           .spec = spec,
                           .deletes = dels,
                           .delete_sequence_numbers = seqs,
                           .n_deletes = n};
    p->st.data_files++;
    p->st.deletes_applied += n;
    p->st.records += f->record_count;
    return fn(ud, &task, err);
}

static floe_status read_data(planner *p, const floe_manifest_file *mf, floe_scan_task_fn fn,
                             void *ud, floe_err *err)
{
    spec_eval *se = NULL;
    floe_status st;
    if (!manifest_might_match(p, mf, &se, err, &st)) {
        p->st.manifests_skipped += st == FLOE_OK;
        return st;
    }
    const floe_partition_spec *spec = floe_table_meta_spec(p->meta, mf->partition_spec_id);
    unsigned want = p->opts->skip;
    unsigned skip = want;
    if (p->bound != NULL) {
        skip &= ~(FLOE_MANIFEST_SKIP_COUNTS | FLOE_MANIFEST_SKIP_BOUNDS);
    }
    floe_manifest_reader *r = NULL;
    st = open_manifest(p, mf, skip, &r, err);
    while (st == FLOE_OK) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(p->scratch);
        st = floe_manifest_reader_next(r, p->scratch, &e, &got, err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (e.status == FLOE_ENTRY_DELETED) {
            continue;
        }
        if (e.file.content != FLOE_CONTENT_DATA) {
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "%s: delete file in a data manifest",
                              e.file.file_path);
            break;
        }
        if (!partition_might_match(se, &e.file) ||
            (p->bound != NULL && !floe_ice_metrics_might_match(p->bound, &e.file))) {
            p->st.data_files_skipped++;
            continue;
        }
        if (skip != want) {
            /* Metrics read only for the filter: drop what the caller asked not to get. */
            if ((want & FLOE_MANIFEST_SKIP_COUNTS) != 0) {
                e.file.value_counts = e.file.null_value_counts = e.file.nan_value_counts = NULL;
                e.file.n_value_counts = e.file.n_null_value_counts = e.file.n_nan_value_counts = 0;
            }
            if ((want & FLOE_MANIFEST_SKIP_BOUNDS) != 0) {
                e.file.lower_bounds = e.file.upper_bounds = NULL;
                e.file.n_lower_bounds = e.file.n_upper_bounds = 0;
            }
        }
        st = emit_task(p, &e, spec, fn, ud, err);
    }
    floe_manifest_reader_close(r);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest %s", mf->manifest_path);
    }
    return FLOE_OK;
}

/* ==== Planning ==== */

static floe_status bind_filter(planner *p, const floe_snapshot *snap, bool time_travel,
                               floe_err *err)
{
    p->schema = floe_table_meta_current_schema(p->meta);
    if (time_travel && snap->has_schema_id) {
        const floe_ice_schema *s = floe_table_meta_schema(p->meta, snap->schema_id);
        if (s != NULL) {
            p->schema = s;
        }
    }
    const floe_ice_expr *f = p->opts->filter;
    if (f == NULL || f->op == FLOE_ICE_EXPR_TRUE) {
        return FLOE_OK;
    }
    floe_status st = floe_ice_expr_bind(p->index, f, p->schema, &p->bound, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "scan filter");
    }
    if (p->bound->op == FLOE_ICE_EXPR_TRUE) {
        p->bound = NULL;
    }
    return FLOE_OK;
}

static floe_status plan(planner *p, const floe_snapshot *snap, floe_scan_task_fn fn, void *ud,
                        floe_err *err)
{
    const floe_manifest_file *ms = NULL;
    size_t n = 0;
    floe_status st = floe_snapshot_manifests(p->index, p->io, p->meta, snap, &ms, &n, err);
    if (st != FLOE_OK) {
        return st;
    }
    p->st.manifests = n;
    if (p->bound != NULL && p->bound->op == FLOE_ICE_EXPR_FALSE) {
        p->st.manifests_skipped = n;
        return FLOE_OK;
    }
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        if (ms[i].content == FLOE_MANIFEST_DELETES) {
            st = read_deletes(p, &ms[i], err);
            if (st == FLOE_OK) {
                st = floe_arena_check(p->index, err);
            }
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    sort_index(p);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        if (ms[i].content == FLOE_MANIFEST_DATA) {
            st = read_data(p, &ms[i], fn, ud, err);
        }
    }
    return st;
}

floe_status floe_scan_plan(floe_fileio *io, const floe_table_meta *meta, const floe_scan_opts *opts,
                           floe_scan_task_fn fn, void *ud, floe_scan_stats *stats, floe_err *err)
{
    static const floe_scan_opts none = {0};
    if (opts == NULL) {
        opts = &none;
    }
    planner p = {.io = io, .meta = meta, .opts = opts};
    p.st.snapshot_id = -1;
    const floe_snapshot *snap = NULL;
    floe_status st = floe_scan_snapshot(meta, opts, &snap, err);
    if (st != FLOE_OK || snap == NULL) {
        if (stats != NULL) {
            *stats = p.st;
        }
        return st;
    }
    p.st.snapshot_id = snap->snapshot_id;
    p.index = floe_arena_new(opts->index_max != 0 ? opts->index_max : FLOE_SCAN_INDEX_MAX);
    p.scratch = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    p.specs = floe_xcalloc(meta->n_specs + 1, sizeof(*p.specs));
    p.by_partition = floe_map_new(&BUCKET_TYPE);
    p.by_path = floe_map_new(&BUCKET_TYPE);
    floe_vec_init(&p.global_eq, sizeof(del_item));
    floe_vec_init(&p.task_deletes, sizeof(del_item));
    floe_buf_init(&p.key, 0);
    bool time_travel = opts->has_snapshot_id || opts->ref != NULL || opts->has_as_of;
    st = bind_filter(&p, snap, time_travel, err);
    if (st == FLOE_OK) {
        st = plan(&p, snap, fn, ud, err);
    }
    if (st != FLOE_OK) {
        floe_err_wrap(err, "plan snapshot %lld", (long long)snap->snapshot_id);
    }
    floe_buf_fini(&p.key);
    floe_vec_fini(&p.task_deletes);
    floe_vec_fini(&p.global_eq);
    floe_map_free(p.by_path);
    floe_map_free(p.by_partition);
    free(p.specs);
    floe_arena_free(p.scratch);
    floe_arena_free(p.index);
    if (stats != NULL) {
        *stats = p.st;
    }
    return st;
}

floe_status floe_scan_task_dup(floe_arena *a, const floe_scan_task *t, floe_scan_task *out,
                               floe_err *err)
{
    *out = *t;
    floe_data_file *f = floe_arena_alloc(a, sizeof(*f));
    if (f == NULL) {
        return ice_nomem(a, err);
    }
    floe_status st = floe_data_file_dup(a, t->file, f, err);
    if (st != FLOE_OK) {
        return st;
    }
    out->file = f;
    if (t->n_deletes == 0) {
        out->deletes = NULL;
        out->delete_sequence_numbers = NULL;
        return FLOE_OK;
    }
    const floe_data_file **dels = floe_arena_calloc(a, t->n_deletes, sizeof(*dels));
    floe_data_file *copies = floe_arena_calloc(a, t->n_deletes, sizeof(*copies));
    int64_t *seqs = floe_arena_memdup(a, t->delete_sequence_numbers, t->n_deletes * sizeof(*seqs));
    if (dels == NULL || copies == NULL || seqs == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < t->n_deletes; i++) {
        st = floe_data_file_dup(a, t->deletes[i], &copies[i], err);
        if (st != FLOE_OK) {
            return st;
        }
        dels[i] = &copies[i];
    }
    out->deletes = dels;
    out->delete_sequence_numbers = seqs;
    return FLOE_OK;
}

typedef struct collect_ctx {
    floe_arena *a;
    floe_vec tasks;
} collect_ctx;

static floe_status collect_one(void *ud, const floe_scan_task *t, floe_err *err)
{
    collect_ctx *c = ud;
    floe_scan_task *out = floe_vec_push(&c->tasks);
    return floe_scan_task_dup(c->a, t, out, err);
}

floe_status floe_scan_collect(floe_arena *a, floe_fileio *io, const floe_table_meta *meta,
                              const floe_scan_opts *opts, floe_scan_task **out, size_t *n,
                              floe_scan_stats *stats, floe_err *err)
{
    collect_ctx c = {.a = a};
    floe_vec_init(&c.tasks, sizeof(floe_scan_task));
    *out = NULL;
    *n = 0;
    floe_status st = floe_scan_plan(io, meta, opts, collect_one, &c, stats, err);
    if (st == FLOE_OK && c.tasks.n > 0) {
        *out = floe_arena_memdup(a, c.tasks.data, c.tasks.n * sizeof(floe_scan_task));
        if (*out == NULL) {
            st = ice_nomem(a, err);
        } else {
            *n = c.tasks.n;
        }
    }
    floe_vec_fini(&c.tasks);
    return st;
}
