/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rewrite executor: one optimizing task in, new files and their metrics out.
 *
 * `rewrite` data files are read with the row reader (deletes applied) and their live rows go
 * through one Iceberg data writer fixed to the task's partition: rolled at the target size,
 * sorted by the table's sort order when it has one, with full data_file metrics. `rewrite-deletes`
 * data files stay; the positions their deletes remove are found by reading each file twice, once
 * with its deletes and once without, and matching the live rows back to file positions in order
 * (below), then written as one position-delete file. Everything the task wrote is deleted again
 * when anything fails, so a failed or canceled task leaves no orphans behind.
 */
#include "floe/optimizer.h"
#include "floe/parquet.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* ==== Task context ==== */

/* What the task learnt about one position-delete file of its input (see pos_delete_path). */
typedef enum pd_state {
    PD_UNSEEN = 0, /* not read (yet) */
    PD_READING,    /* being read: paths arrive */
    PD_DONE,       /* read to the end: `others` is complete */
    PD_UNKNOWN     /* too many other paths, or one a report cannot carry */
} pd_state;

typedef struct pd_track {
    pd_state state;
    floe_vec others; /* char * (heap): named paths that are not rewrite inputs */
} pd_track;

typedef struct exec_ctx {
    const floe_opt_task_input *in;
    floe_fileio *io;
    const floe_optimizer_exec_opts *opts;
    floe_arena *a;
    const floe_table_meta *meta;
    const floe_ice_schema *schema;
    const floe_partition_spec *spec;
    floe_value partition; /* the task's partition tuple (STRUCT, spec order) */
    bool partitioned;     /* the spec has fields */
    floe_vec written;     /* char *: paths of finished files, deleted on failure */
    /* Counters for the summary. */
    int64_t in_files, in_bytes, in_records;
    int64_t keep_files; /* rewrite-deletes data files */
    int64_t del_files, del_bytes;
    int64_t rows_read, rows_pos_deleted, rows_eq_deleted;
    int64_t positions_written;
    bool merged; /* the row-group merge fast path ran */
    /* Position-delete reports: one track per input delete file (same index), the rewrite
     * inputs' paths sorted for lookups, the other paths held over all tracks. */
    pd_track *pd;
    const char **rewrite_paths;
    size_t n_rewrite_paths;
    size_t others_total;
    size_t pd_last; /* index of the delete file last observed (a cache) */
} exec_ctx;

static bool canceled(const exec_ctx *c)
{
    return c->opts->cancel != NULL && atomic_load(c->opts->cancel);
}

static floe_status load_table(exec_ctx *c, floe_err *err)
{
    const floe_opt_task_input *in = c->in;
    if (in->metadata_location == NULL || in->metadata_location[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "task has no metadata location");
    }
    floe_table_meta *meta = NULL;
    floe_status st = floe_iceberg_read_metadata(c->a, c->io, in->metadata_location, &meta, err);
    if (st != FLOE_OK) {
        return st; /* the message names the file */
    }
    c->meta = meta;
    c->schema = floe_table_meta_schema(meta, in->schema_id);
    if (c->schema == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: no schema %d", in->metadata_location,
                            (int)in->schema_id);
    }
    c->spec = floe_table_meta_spec(meta, in->spec_id);
    if (c->spec == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: no partition spec %d",
                            in->metadata_location, (int)in->spec_id);
    }
    c->partitioned = c->spec->n_fields > 0;
    /* The partition arrives as JSON keyed by partition field id (the typed form). */
    const floe_ice_type *ptype = NULL;
    st = floe_partition_spec_type(c->a, c->spec, c->schema, &ptype, err);
    json_t *pj = NULL;
    if (st == FLOE_OK) {
        json_error_t jerr;
        const char *text = in->partition != NULL ? in->partition : "{}";
        pj = json_loads(text, JSON_DECODE_ANY, &jerr);
        if (pj == NULL) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "partition: %s", jerr.text);
        }
    }
    if (st == FLOE_OK) {
        st = floe_ice_value_from_json(c->a, ptype, pj, &c->partition, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "partition %s", in->partition);
        }
    }
    json_decref(pj);
    if (st == FLOE_OK &&
        (c->partition.kind != FLOE_V_STRUCT || c->partition.u.nested.n != c->spec->n_fields)) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "partition %s does not fit spec %d", in->partition,
                          (int)in->spec_id);
    }
    return st;
}

/* The floe_data_file a reader needs for a task's data file. */
static void data_file_of(const exec_ctx *c, const floe_opt_data_file *f, floe_data_file *out)
{
    memset(out, 0, sizeof(*out));
    out->content = FLOE_CONTENT_DATA;
    out->file_path = f->path;
    out->file_format = f->format;
    out->spec_id = c->spec->spec_id;
    out->partition = c->partition;
    out->record_count = f->records;
    out->file_size_in_bytes = f->size;
}

static floe_status delete_file_of(const floe_opt_delete_file *d, floe_data_file *out, floe_err *err)
{
    if (d->has_content_offset || d->format == FLOE_FORMAT_PUFFIN) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "%s: deletion vectors are not supported",
                            d->path);
    }
    if (d->format != FLOE_FORMAT_PARQUET) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "%s: %s delete files are not supported",
                            d->path, floe_file_format_name(d->format));
    }
    memset(out, 0, sizeof(*out));
    out->content = d->content;
    out->file_path = d->path;
    out->file_format = d->format;
    out->record_count = d->records;
    out->file_size_in_bytes = d->size;
    out->equality_ids = d->equality_ids;
    out->n_equality_ids = d->n_equality_ids;
    out->referenced_data_file = d->referenced_data_file;
    return FLOE_OK;
}

/*
 * The delete files that apply to data file `f` (spec "Scan Planning"): position deletes with a
 * data sequence number >= the file's, equality deletes with a greater one. The planner already
 * chose them; the check here keeps a wrong plan from deleting rows written after a delete.
 */
static floe_status applicable_deletes(exec_ctx *c, const floe_opt_data_file *f,
                                      const floe_data_file *const **out, size_t *n_out,
                                      floe_err *err)
{
    const floe_data_file **list = floe_arena_calloc(c->a, f->n_deletes + 1, sizeof(*list));
    floe_data_file *files = floe_arena_calloc(c->a, f->n_deletes + 1, sizeof(*files));
    if (list == NULL || files == NULL) {
        return floe_arena_check(c->a, err);
    }
    size_t n = 0;
    for (size_t i = 0; i < f->n_deletes; i++) {
        if (f->deletes[i] >= c->in->n_deletes) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: delete index %u out of range", f->path,
                                (unsigned)f->deletes[i]);
        }
        const floe_opt_delete_file *d = &c->in->deletes[f->deletes[i]];
        bool applies = d->content == FLOE_CONTENT_POSITION_DELETES
                           ? d->data_sequence_number >= f->data_sequence_number
                           : d->data_sequence_number > f->data_sequence_number;
        if (d->content == FLOE_CONTENT_DATA) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: listed as a delete file", d->path);
        }
        if (!applies) {
            continue;
        }
        floe_status st = delete_file_of(d, &files[n], err);
        if (st != FLOE_OK) {
            return st;
        }
        list[n] = &files[n];
        n++;
    }
    *out = list;
    *n_out = n;
    return FLOE_OK;
}

/* ==== Which data files the position-delete files name ==== */

/* Bytewise order of (p, len) against a NUL-terminated string, as strcmp orders. */
static int bytes_cmp(const char *p, size_t len, const char *s)
{
    size_t sl = strlen(s);
    int r = memcmp(p, s, len < sl ? len : sl);
    return r != 0 ? r : (len > sl) - (len < sl);
}

static bool is_rewrite_input(const exec_ctx *c, const char *p, size_t len)
{
    size_t lo = 0, hi = c->n_rewrite_paths;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = bytes_cmp(p, len, c->rewrite_paths[mid]);
        if (r == 0) {
            return true;
        }
        if (r < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return false;
}

static void pd_init(exec_ctx *c)
{
    const floe_opt_task_input *in = c->in;
    c->pd = floe_xcalloc(in->n_deletes + 1, sizeof(*c->pd));
    for (size_t i = 0; i < in->n_deletes; i++) {
        floe_vec_init(&c->pd[i].others, sizeof(char *));
    }
    c->rewrite_paths = floe_xcalloc(in->n_files + 1, sizeof(*c->rewrite_paths));
    for (size_t i = 0; i < in->n_files; i++) {
        if (in->files[i].role == FLOE_OPT_REWRITE) {
            c->rewrite_paths[c->n_rewrite_paths++] = in->files[i].path;
        }
    }
    qsort(c->rewrite_paths, c->n_rewrite_paths, sizeof(*c->rewrite_paths), floe_str_ptr_cmp);
}

static void pd_drop_others(exec_ctx *c, pd_track *t)
{
    for (size_t i = 0; i < t->others.n; i++) {
        free(*FLOE_VEC_AT(&t->others, char *, i));
    }
    c->others_total -= t->others.n;
    t->others.n = 0;
}

static void pd_fini(exec_ctx *c)
{
    for (size_t i = 0; c->pd != NULL && i < c->in->n_deletes; i++) {
        pd_drop_others(c, &c->pd[i]);
        floe_vec_fini(&c->pd[i].others);
    }
    free(c->pd);
    free(c->rewrite_paths);
}

/* Sort and deduplicate a track's other paths. */
static void pd_compact(exec_ctx *c, pd_track *t)
{
    floe_vec_sort(&t->others, floe_str_ptr_cmp);
    char **v = t->others.data;
    size_t k = 0;
    for (size_t i = 0; i < t->others.n; i++) {
        if (k > 0 && strcmp(v[k - 1], v[i]) == 0) {
            free(v[i]);
            c->others_total--;
        } else {
            v[k++] = v[i];
        }
    }
    t->others.n = k;
}

static void pd_give_up(exec_ctx *c, pd_track *t)
{
    pd_drop_others(c, t);
    t->state = PD_UNKNOWN;
}

/* The floe_ice_read_opts.pos_delete_path observer: collects what each delete file names. */
static void observe_pos_path(void *ud, const floe_data_file *del, const char *path, size_t len)
{
    exec_ctx *c = ud;
    const floe_opt_task_input *in = c->in;
    if (c->pd_last >= in->n_deletes || strcmp(in->deletes[c->pd_last].path, del->file_path) != 0) {
        size_t i = 0;
        while (i < in->n_deletes && strcmp(in->deletes[i].path, del->file_path) != 0) {
            i++;
        }
        if (i == in->n_deletes) {
            return;
        }
        c->pd_last = i;
    }
    pd_track *t = &c->pd[c->pd_last];
    if (t->state == PD_DONE || t->state == PD_UNKNOWN) {
        return; /* already known from an earlier read of the same file */
    }
    if (path == NULL) {
        pd_compact(c, t);
        t->state = PD_DONE; /* read to the end (an empty file names nothing) */
        return;
    }
    t->state = PD_READING;
    if (is_rewrite_input(c, path, len)) {
        return;
    }
    size_t n_last = t->others.n;
    if (n_last > 0 && bytes_cmp(path, len, *FLOE_VEC_AT(&t->others, char *, n_last - 1)) == 0) {
        return;
    }
    if (t->others.n >= FLOE_OPT_POS_DELETE_OTHERS_MAX) {
        pd_compact(c, t);
    }
    /* A path a JSON report cannot carry exactly (NUL, not UTF-8) makes the file unknown. */
    json_t *probe = memchr(path, '\0', len) == NULL ? json_stringn(path, len) : NULL;
    bool ok = probe != NULL;
    json_decref(probe);
    if (!ok || t->others.n >= FLOE_OPT_POS_DELETE_OTHERS_MAX ||
        c->others_total >= FLOE_OPT_POS_DELETE_OTHERS_TOTAL) {
        pd_give_up(c, t);
        return;
    }
    char *copy = floe_xmalloc(len + 1);
    memcpy(copy, path, len);
    copy[len] = '\0';
    floe_vec_push_copy(&t->others, &copy);
    c->others_total++;
}

/* The task output's reports: one per position-delete file read to its end. */
static floe_status pd_reports(exec_ctx *c, floe_opt_task_output *out, floe_err *err)
{
    const floe_opt_task_input *in = c->in;
    floe_opt_pos_delete_report *r = floe_arena_calloc(c->a, in->n_deletes + 1, sizeof(*r));
    if (r == NULL) {
        return floe_arena_check(c->a, err);
    }
    size_t n = 0;
    for (size_t i = 0; i < in->n_deletes; i++) {
        const pd_track *t = &c->pd[i];
        if (in->deletes[i].content != FLOE_CONTENT_POSITION_DELETES || t->state != PD_DONE) {
            continue;
        }
        const char **others = floe_arena_calloc(c->a, t->others.n + 1, sizeof(*others));
        for (size_t k = 0; others != NULL && k < t->others.n; k++) {
            others[k] = floe_arena_strdup(c->a, *FLOE_VEC_AT(&t->others, char *, k));
        }
        r[n++] = (floe_opt_pos_delete_report){
            .path = in->deletes[i].path, .others = others, .n_others = t->others.n};
    }
    out->pos_deletes = r;
    out->n_pos_deletes = n;
    return floe_arena_check(c->a, err);
}

static floe_status open_reader(exec_ctx *c, const floe_opt_data_file *f, floe_data_file *df,
                               const floe_data_file *const *dels, size_t n_dels,
                               floe_ice_reader **out, floe_err *err)
{
    if (f->format != FLOE_FORMAT_PARQUET) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "%s: %s data files are not supported",
                            f->path, floe_file_format_name(f->format));
    }
    data_file_of(c, f, df);
    floe_ice_read_opts ro = {
        .schema = c->schema,
        .file = df,
        .deletes = dels,
        .n_deletes = n_dels,
        .spec = c->spec,
        .batch_rows = c->opts->batch_rows,
        .pos_delete_path = observe_pos_path,
        .pos_delete_path_ud = c,
    };
    floe_status st = floe_ice_reader_open(c->io, &ro, out, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "data file %s", f->path);
    }
    return FLOE_OK;
}

/* ==== Rewriting rows ==== */

static floe_status copy_rows(exec_ctx *c, const floe_opt_data_file *f, floe_ice_writer *w,
                             floe_err *err)
{
    const floe_data_file *const *dels = NULL;
    size_t n_dels = 0;
    floe_status st = applicable_deletes(c, f, &dels, &n_dels, err);
    floe_data_file df;
    floe_ice_reader *r = NULL;
    if (st == FLOE_OK) {
        st = open_reader(c, f, &df, dels, n_dels, &r, err);
    }
    while (st == FLOE_OK) {
        if (canceled(c)) {
            st = floe_err_set(err, FLOE_ERR_CANCELED, "task canceled");
            break;
        }
        const floe_ice_batch *b = NULL;
        st = floe_ice_reader_next(r, &b, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "data file %s", f->path);
            break;
        }
        if (b == NULL) {
            break;
        }
        st = floe_ice_writer_write(w, b, err);
    }
    if (r != NULL) {
        floe_ice_read_stats rs;
        floe_ice_reader_stats(r, &rs);
        c->rows_read += rs.rows_read;
        c->rows_pos_deleted += rs.rows_pos_deleted;
        c->rows_eq_deleted += rs.rows_eq_deleted;
        floe_ice_reader_close(r);
    }
    return st;
}

/* ==== Rewriting deletes as positions ==== */

/* A forward cursor over the rows of a reader. */
typedef struct row_cursor {
    floe_ice_reader *r;
    const floe_ice_batch *b;
    size_t i;
    bool done;
} row_cursor;

/* Make c->b[c->i] the current row, fetching the next batch when needed. */
static floe_status cursor_fill(row_cursor *rc, floe_err *err)
{
    while (!rc->done && (rc->b == NULL || rc->i >= rc->b->n_rows)) {
        rc->i = 0;
        floe_status st = floe_ice_reader_next(rc->r, &rc->b, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (rc->b == NULL) {
            rc->done = true;
        }
    }
    return FLOE_OK;
}

static bool rows_equal(const row_cursor *x, const row_cursor *y)
{
    for (size_t col = 0; col < x->b->n_columns; col++) {
        if (!floe_value_eq(&x->b->columns[col][x->i], &y->b->columns[col][y->i])) {
            return false;
        }
    }
    return true;
}

/*
 * Add the positions of `f` that its deletes remove. The reader keeps file order and does not
 * expose positions, so the file is read twice in step: every row (no deletes) and the live rows.
 * Walking every row, a row equal to the next live row is taken as that live row; any other row
 * was deleted. Since the live rows are a subsequence of all rows, this greedy match always
 * succeeds, and when it pairs a live row with an earlier identical row the deleted rows are the
 * same values, so the table reads the same either way.
 */
static floe_status deleted_positions(exec_ctx *c, const floe_opt_data_file *f,
                                     floe_ice_posdel_writer *pw, floe_err *err)
{
    const floe_data_file *const *dels = NULL;
    size_t n_dels = 0;
    floe_status st = applicable_deletes(c, f, &dels, &n_dels, err);
    if (st != FLOE_OK || n_dels == 0) {
        return st;
    }
    floe_data_file df_all, df_live;
    row_cursor all = {0}, live = {0};
    st = open_reader(c, f, &df_all, NULL, 0, &all.r, err);
    if (st == FLOE_OK) {
        st = open_reader(c, f, &df_live, dels, n_dels, &live.r, err);
    }
    int64_t pos = 0;
    while (st == FLOE_OK) {
        if ((pos & 4095) == 0 && canceled(c)) {
            st = floe_err_set(err, FLOE_ERR_CANCELED, "task canceled");
            break;
        }
        st = cursor_fill(&all, err);
        if (st == FLOE_OK) {
            st = cursor_fill(&live, err);
        }
        if (st != FLOE_OK) {
            floe_err_wrap(err, "data file %s", f->path);
            break;
        }
        if (all.done) {
            if (!live.done) {
                st = floe_err_set(err, FLOE_ERR_INTERNAL,
                                  "%s: live rows do not match the file's rows", f->path);
            }
            break;
        }
        if (!live.done && rows_equal(&all, &live)) {
            live.i++;
        } else {
            st = floe_ice_posdel_writer_add(pw, f->path, pos, err);
            c->positions_written++;
        }
        all.i++;
        pos++;
    }
    if (live.r != NULL) {
        floe_ice_read_stats rs;
        floe_ice_reader_stats(live.r, &rs);
        c->rows_read += rs.rows_read;
        c->rows_pos_deleted += rs.rows_pos_deleted;
        c->rows_eq_deleted += rs.rows_eq_deleted;
    }
    floe_ice_reader_close(all.r);
    floe_ice_reader_close(live.r);
    return st;
}

/* ==== Output ==== */

static void output_of(const floe_data_file *f, floe_opt_output_file *o)
{
    memset(o, 0, sizeof(*o));
    o->path = f->file_path;
    o->content = f->content;
    o->format = f->file_format;
    o->size = f->file_size_in_bytes;
    o->records = f->record_count;
    o->column_sizes = f->column_sizes;
    o->n_column_sizes = f->n_column_sizes;
    o->value_counts = f->value_counts;
    o->n_value_counts = f->n_value_counts;
    o->null_value_counts = f->null_value_counts;
    o->n_null_value_counts = f->n_null_value_counts;
    o->nan_value_counts = f->nan_value_counts;
    o->n_nan_value_counts = f->n_nan_value_counts;
    o->lower_bounds = f->lower_bounds;
    o->n_lower_bounds = f->n_lower_bounds;
    o->upper_bounds = f->upper_bounds;
    o->n_upper_bounds = f->n_upper_bounds;
    o->split_offsets = f->split_offsets;
    o->n_split_offsets = f->n_split_offsets;
    o->referenced_data_file = f->referenced_data_file;
    o->has_sort_order_id = f->has_sort_order_id;
    o->sort_order_id = f->sort_order_id;
}

static void remember(exec_ctx *c, const char *path)
{
    char *p = floe_xstrdup(path);
    floe_vec_push_copy(&c->written, &p);
}

/* Delete every file the task finished (failure path); errors only logged by callers above. */
static void remove_written(exec_ctx *c)
{
    for (size_t i = 0; i < c->written.n; i++) {
        char *p = *FLOE_VEC_AT(&c->written, char *, i);
        floe_err ignored = {0};
        (void)floe_io_delete(c->io, p, &ignored);
    }
}

static void free_written(exec_ctx *c)
{
    for (size_t i = 0; i < c->written.n; i++) {
        free(*FLOE_VEC_AT(&c->written, char *, i));
    }
    floe_vec_fini(&c->written);
}

static floe_status summarise(exec_ctx *c, const floe_opt_output_file *files, size_t n,
                             floe_opt_task_output *out, floe_err *err)
{
    int64_t data_files = 0, data_bytes = 0, records = 0, pd_files = 0, pd_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (files[i].content == FLOE_CONTENT_DATA) {
            data_files++;
            data_bytes += files[i].size;
            records += files[i].records;
        } else {
            pd_files++;
            pd_bytes += files[i].size;
        }
    }
    const struct {
        const char *key;
        int64_t v;
    } items[] = {
        {"input-files", c->in_files + c->keep_files},
        {"input-bytes", c->in_bytes},
        {"input-records", c->in_records},
        {"input-delete-files", c->del_files},
        {"input-delete-bytes", c->del_bytes},
        {"rows-read", c->rows_read},
        {"rows-position-deleted", c->rows_pos_deleted},
        {"rows-equality-deleted", c->rows_eq_deleted},
        {"output-files", data_files + pd_files},
        {"output-bytes", data_bytes + pd_bytes},
        {"output-data-files", data_files},
        {"output-data-bytes", data_bytes},
        {"output-delete-files", pd_files},
        {"output-delete-bytes", pd_bytes},
        {"output-positions", c->positions_written},
        {"rows", records},
    };
    floe_kv *kv = floe_arena_calloc(c->a, FLOE_ARRAY_LEN(items) + 1, sizeof(*kv));
    if (kv == NULL) {
        return floe_arena_check(c->a, err);
    }
    for (size_t i = 0; i < FLOE_ARRAY_LEN(items); i++) {
        kv[i].key = items[i].key;
        kv[i].value = floe_arena_sprintf(c->a, "%lld", (long long)items[i].v);
    }
    out->files = files;
    out->n_files = n;
    kv[FLOE_ARRAY_LEN(items)].key = "row-group-merge";
    kv[FLOE_ARRAY_LEN(items)].value = c->merged ? "true" : "false";
    out->summary = kv;
    out->n_summary = FLOE_ARRAY_LEN(items) + 1;
    return floe_arena_check(c->a, err);
}

const char *floe_optimizer_summary_get(const floe_opt_task_output *out, const char *key)
{
    for (size_t i = 0; i < out->n_summary; i++) {
        if (strcmp(out->summary[i].key, key) == 0) {
            return out->summary[i].value;
        }
    }
    return NULL;
}

/* ==== Row-group merge (the fast path) ==== */

/*
 * With rewrite.use-parquet-row-group-merge.enabled, a task without deletes whose files share one
 * Parquet schema carrying the table's field ids is compacted by copying whole row groups
 * (floe_pq_writer_append_row_group) instead of decoding and encoding rows, when the inputs' row
 * groups are large enough on average to be worth keeping (min-avg-row-group-size-bytes). Tables
 * with a sort order are not merged (stitching cannot sort). Metrics come from the row groups'
 * statistics, kept by the stitcher; a bound whose value is not of the column's Iceberg kind (a
 * promoted column, INT96, legacy statistics) is left out, which readers treat as unknown.
 */

#define MERGE_ENABLED "rewrite.use-parquet-row-group-merge.enabled"
#define MERGE_MIN_AVG "rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes"
#define MERGE_MIN_AVG_DEFAULT ((int64_t)8 << 20)

static const char *task_property(const floe_opt_task_input *in, const char *key)
{
    for (size_t i = 0; i < in->n_properties; i++) {
        if (strcmp(in->properties[i].key, key) == 0) {
            return in->properties[i].value;
        }
    }
    return NULL;
}

typedef enum { MM_NONE, MM_COUNTS, MM_TRUNCATE, MM_FULL } mm_kind;
typedef struct metrics_mode {
    mm_kind kind;
    int32_t len;
} metrics_mode;

/* A write.metadata.metrics.* value; false when it does not parse. */
static bool parse_mode(const char *s, metrics_mode *out)
{
    if (strcasecmp(s, "none") == 0) {
        *out = (metrics_mode){MM_NONE, 0};
    } else if (strcasecmp(s, "counts") == 0) {
        *out = (metrics_mode){MM_COUNTS, 0};
    } else if (strcasecmp(s, "full") == 0) {
        *out = (metrics_mode){MM_FULL, 0};
    } else if (strncasecmp(s, "truncate(", 9) == 0 && floe_ends_with(s, ")")) {
        char num[16];
        size_t n = strlen(s) - 10;
        int32_t len = 0;
        if (n == 0 || n >= sizeof(num)) {
            return false;
        }
        memcpy(num, s + 9, n);
        num[n] = '\0';
        if (floe_parse_i32(num, &len, NULL) != FLOE_OK || len <= 0) {
            return false;
        }
        *out = (metrics_mode){MM_TRUNCATE, len};
    } else {
        return false;
    }
    return true;
}

static floe_status mode_of(const exec_ctx *c, int32_t id, metrics_mode *out, floe_err *err)
{
    const char *def = floe_table_meta_property(c->meta, "write.metadata.metrics.default");
    *out = (metrics_mode){MM_TRUNCATE, 16};
    if (def != NULL && !parse_mode(def, out)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "write.metadata.metrics.default: bad mode '%s'",
                            def);
    }
    const char *name = floe_ice_schema_id_name(c->schema, id);
    if (name != NULL) {
        char key[512];
        snprintf(key, sizeof(key), "write.metadata.metrics.column.%s", name);
        const char *v = floe_table_meta_property(c->meta, key);
        if (v != NULL && !parse_mode(v, out)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: bad mode '%s'", key, v);
        }
    }
    return FLOE_OK;
}

static floe_status add_bound(exec_ctx *c, floe_field_bound *arr, size_t *n, int32_t id,
                             const floe_ice_type *t, const floe_value *v, floe_err *err)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_ice_value_to_bytes(t, v, &b, err);
    if (st == FLOE_OK) {
        void *p = floe_arena_memdup(c->a, b.data != NULL ? (const void *)b.data : "", b.len + 1);
        if (p == NULL) {
            st = floe_arena_check(c->a, err);
        } else {
            arr[*n] = (floe_field_bound){.field_id = id, .bytes = {p, b.len}};
            (*n)++;
        }
    }
    floe_buf_fini(&b);
    return st;
}

/* The Iceberg description of a stitched file from the Parquet writer's result. */
static floe_status describe_merged(exec_ctx *c, const char *path, const floe_pq_write_result *res,
                                   floe_opt_output_file *o, floe_err *err)
{
    size_t n = res->n_columns + 1;
    floe_field_count *sizes = floe_arena_calloc(c->a, n, sizeof(*sizes));
    floe_field_count *values = floe_arena_calloc(c->a, n, sizeof(*values));
    floe_field_count *nulls = floe_arena_calloc(c->a, n, sizeof(*nulls));
    floe_field_count *nans = floe_arena_calloc(c->a, n, sizeof(*nans));
    floe_field_bound *lower = floe_arena_calloc(c->a, n, sizeof(*lower));
    floe_field_bound *upper = floe_arena_calloc(c->a, n, sizeof(*upper));
    int64_t *splits = floe_arena_calloc(c->a, res->n_row_groups + 1, sizeof(int64_t));
    if (sizes == NULL || values == NULL || nulls == NULL || nans == NULL || lower == NULL ||
        upper == NULL || splits == NULL) {
        return floe_arena_check(c->a, err);
    }
    size_t ns = 0, nv = 0, nn = 0, nnan = 0, nl = 0, nu = 0;
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < res->n_columns && st == FLOE_OK; i++) {
        const floe_pq_column_metrics *m = &res->columns[i];
        int32_t id = m->leaf->field_id;
        const floe_ice_field *fld = floe_ice_schema_find_id(c->schema, id);
        metrics_mode mode;
        st = mode_of(c, id, &mode, err);
        if (st != FLOE_OK || fld == NULL || mode.kind == MM_NONE) {
            continue;
        }
        sizes[ns++] = (floe_field_count){id, (int64_t)m->compressed_size};
        values[nv++] = (floe_field_count){id, m->value_count};
        nulls[nn++] = (floe_field_count){id, m->null_count};
        if (m->has_nan_count) {
            nans[nnan++] = (floe_field_count){id, m->nan_count};
        }
        const floe_ice_type *t = fld->type;
        if (mode.kind == MM_COUNTS || !m->has_bounds ||
            floe_ice_schema_in_repeated(c->schema, id) || !floe_ice_value_matches(t, &m->lower) ||
            !floe_ice_value_matches(t, &m->upper)) {
            continue;
        }
        floe_value lo = m->lower, hi = m->upper;
        bool has_hi = true;
        if (mode.kind == MM_TRUNCATE &&
            (t->id == FLOE_ICE_STRING || t->id == FLOE_ICE_BINARY || t->id == FLOE_ICE_FIXED)) {
            st = floe_ice_truncate_lower_bound(t, &m->lower, mode.len, &lo, err);
            if (st == FLOE_OK) {
                st = floe_ice_truncate_upper_bound(c->a, t, &m->upper, mode.len, &hi, &has_hi, err);
            }
        }
        if (st == FLOE_OK) {
            st = add_bound(c, lower, &nl, id, t, &lo, err);
        }
        if (st == FLOE_OK && has_hi) {
            st = add_bound(c, upper, &nu, id, t, &hi, err);
        }
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "metrics of %s", path);
    }
    memcpy(splits, res->row_group_offsets, res->n_row_groups * sizeof(int64_t));
    *o = (floe_opt_output_file){
        .path = floe_arena_strdup(c->a, path),
        .content = FLOE_CONTENT_DATA,
        .format = FLOE_FORMAT_PARQUET,
        .size = (int64_t)res->file_size,
        .records = res->num_rows,
        .column_sizes = sizes,
        .n_column_sizes = ns,
        .value_counts = values,
        .n_value_counts = nv,
        .null_value_counts = nulls,
        .n_null_value_counts = nn,
        .nan_value_counts = nans,
        .n_nan_value_counts = nnan,
        .lower_bounds = lower,
        .n_lower_bounds = nl,
        .upper_bounds = upper,
        .n_upper_bounds = nu,
        .split_offsets = splits,
        .n_split_offsets = res->n_row_groups,
    };
    return floe_arena_check(c->a, err);
}

/* Whether the fast path applies; the readers of every input are opened into `rs` when it does. */
static floe_status merge_eligible(exec_ctx *c, floe_pq_reader **rs, bool *ok, floe_err *err)
{
    const floe_opt_task_input *in = c->in;
    *ok = false;
    const char *on = task_property(in, MERGE_ENABLED);
    bool enabled = false;
    if (on == NULL || floe_parse_bool(on, &enabled, NULL) != FLOE_OK || !enabled ||
        in->n_files == 0) {
        return FLOE_OK;
    }
    const floe_sort_order *order = floe_table_meta_default_sort_order(c->meta);
    if (order != NULL && order->n_fields > 0) {
        return FLOE_OK;
    }
    for (size_t i = 0; i < in->n_files; i++) {
        const floe_opt_data_file *f = &in->files[i];
        const floe_data_file *const *dels = NULL;
        size_t n_dels = 0;
        floe_status st = applicable_deletes(c, f, &dels, &n_dels, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (f->role != FLOE_OPT_REWRITE || f->format != FLOE_FORMAT_PARQUET || n_dels > 0) {
            return FLOE_OK;
        }
    }
    int64_t min_avg = MERGE_MIN_AVG_DEFAULT;
    const char *mv = task_property(in, MERGE_MIN_AVG);
    if (mv != NULL) {
        uint64_t v = 0;
        if (floe_parse_size(mv, &v, NULL) == FLOE_OK && v <= INT64_MAX) {
            min_avg = (int64_t)v;
        }
    }
    int64_t bytes = 0, groups = 0;
    for (size_t i = 0; i < in->n_files; i++) {
        floe_status st = floe_pq_reader_open(c->io, in->files[i].path, NULL, &rs[i], err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "data file %s", in->files[i].path);
        }
        const floe_pq_file_meta *fm = floe_pq_reader_meta(rs[i]);
        for (size_t g = 0; g < fm->n_row_groups; g++) {
            const floe_pq_row_group *rg = &fm->row_groups[g];
            for (size_t k = 0; k < rg->n_columns; k++) {
                bytes += rg->columns[k].total_compressed_size;
            }
            groups++;
        }
        if (i > 0 && floe_pq_schema_same(floe_pq_reader_schema(rs[0]), floe_pq_reader_schema(rs[i]),
                                         NULL) != FLOE_OK) {
            return FLOE_OK;
        }
    }
    if (groups > 0 && bytes / groups < min_avg) {
        return FLOE_OK;
    }
    /* Every leaf carries a field id of the schema, and every top-level column is in the file. */
    const floe_pq_schema *ps = floe_pq_reader_schema(rs[0]);
    for (size_t l = 0; l < ps->n_leaves; l++) {
        const floe_pq_node *leaf = ps->leaves[l];
        if (!leaf->has_field_id || floe_ice_schema_find_id(c->schema, leaf->field_id) == NULL) {
            return FLOE_OK;
        }
    }
    const floe_ice_type *root = c->schema->root;
    for (size_t f = 0; f < root->n_fields; f++) {
        if (floe_pq_schema_find_field_id(ps, root->fields[f].id) == NULL) {
            return FLOE_OK;
        }
    }
    *ok = true;
    return FLOE_OK;
}

/* The location of the task's next merged file. */
static char *merged_location(exec_ctx *c, const char *uuid, int seq, floe_err *err)
{
    const char *dir = floe_table_meta_property(c->meta, "write.data.path");
    char *base = dir != NULL ? floe_arena_strdup(c->a, dir)
                             : floe_arena_sprintf(c->a, "%s/data", c->meta->location);
    if (c->partitioned) {
        floe_buf p;
        floe_buf_init(&p, 0);
        if (floe_partition_path(c->spec, c->schema, &c->partition, &p, err) != FLOE_OK) {
            floe_buf_fini(&p);
            return NULL;
        }
        base = floe_arena_sprintf(c->a, "%s/%s", base, floe_buf_cstr(&p));
        floe_buf_fini(&p);
    }
    return floe_arena_sprintf(c->a, "%s/%s-%05d.parquet", base, uuid, seq);
}

static floe_status merge_run(exec_ctx *c, floe_pq_reader **rs, floe_vec *outs, floe_err *err)
{
    const floe_opt_task_input *in = c->in;
    floe_uuid u;
    floe_uuid_v4(&u);
    char uuid[40];
    floe_uuid_format(&u, uuid);
    json_t *sj = floe_ice_schema_to_json(c->schema);
    char *schema_json = json_dumps(sj, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(sj);
    floe_pq_kv kv = {"iceberg.schema", schema_json};
    floe_pq_write_opts wo = floe_pq_write_opts_default();
    wo.kv = &kv;
    wo.n_kv = 1;
    uint64_t target = in->target_size > 0 ? (uint64_t)in->target_size : ((uint64_t)512 << 20);
    floe_status st = FLOE_OK;
    floe_output *out = NULL;
    floe_pq_writer *w = NULL;
    char *loc = NULL;
    int seq = 0;
    for (size_t i = 0; i < in->n_files && st == FLOE_OK; i++) {
        const floe_pq_file_meta *fm = floe_pq_reader_meta(rs[i]);
        c->rows_read += fm->num_rows;
        for (size_t g = 0; g < fm->n_row_groups && st == FLOE_OK; g++) {
            if (canceled(c)) {
                st = floe_err_set(err, FLOE_ERR_CANCELED, "task canceled");
                break;
            }
            if (w == NULL) {
                loc = merged_location(c, uuid, ++seq, err);
                st = loc == NULL ? (err->code != FLOE_OK ? err->code : FLOE_ERR_INTERNAL)
                                 : floe_io_create(c->io, loc, FLOE_IO_CREATE_EXCLUSIVE, &out, err);
                if (st == FLOE_OK) {
                    st = floe_pq_writer_new(out, floe_pq_reader_schema(rs[0]), &wo, &w, err);
                }
                if (st != FLOE_OK) {
                    break;
                }
            }
            st = floe_pq_writer_append_row_group(w, rs[i], g, err);
            if (st != FLOE_OK) {
                floe_err_wrap(err, "row group %zu of %s", g, in->files[i].path);
                break;
            }
            bool last = i + 1 == in->n_files && g + 1 == fm->n_row_groups;
            if (last || floe_pq_writer_estimated_size(w) >= target) {
                floe_pq_write_result res;
                st = floe_pq_writer_close(w, &res, err);
                floe_opt_output_file *o = floe_vec_push(outs);
                if (st == FLOE_OK) {
                    st = describe_merged(c, loc, &res, o, err);
                }
                floe_pq_writer_free(w);
                w = NULL;
                if (st == FLOE_OK) {
                    st = floe_output_commit(out, err);
                    out = NULL;
                    if (st == FLOE_OK) {
                        remember(c, loc);
                    }
                }
                if (st != FLOE_OK) {
                    floe_vec_pop(outs);
                }
            }
        }
    }
    floe_pq_writer_free(w);
    if (out != NULL) {
        floe_output_abort(out);
    }
    free(schema_json);
    return st;
}

/* ==== The task ==== */

static floe_status run(exec_ctx *c, floe_opt_task_output *out, floe_err *err)
{
    const floe_opt_task_input *in = c->in;
    floe_status st = load_table(c, err);
    if (st != FLOE_OK) {
        return st;
    }
    size_t n_rewrite = 0, n_keep = 0;
    for (size_t i = 0; i < in->n_files; i++) {
        const floe_opt_data_file *f = &in->files[i];
        if (f->role == FLOE_OPT_REWRITE) {
            n_rewrite++;
            c->in_files++;
            c->in_bytes += f->size;
            c->in_records += f->records;
        } else {
            n_keep++;
            c->keep_files++;
        }
    }
    for (size_t i = 0; i < in->n_deletes; i++) {
        c->del_files++;
        c->del_bytes += in->deletes[i].size;
    }
    c->in_bytes += c->del_bytes;

    /* The fast path: stitch row groups when the task allows it. */
    floe_pq_reader **rs = floe_xcalloc(in->n_files + 1, sizeof(*rs));
    bool merge = false;
    st = merge_eligible(c, rs, &merge, err);
    if (st == FLOE_OK && merge) {
        floe_vec outs;
        floe_vec_init(&outs, sizeof(floe_opt_output_file));
        st = merge_run(c, rs, &outs, err);
        floe_opt_output_file *files = NULL;
        if (st == FLOE_OK) {
            files = floe_arena_calloc(c->a, outs.n + 1, sizeof(*files));
            if (files == NULL) {
                st = floe_arena_check(c->a, err);
            } else {
                memcpy(files, outs.data, outs.n * sizeof(*files));
            }
        }
        size_t n_out = outs.n;
        floe_vec_fini(&outs);
        for (size_t i = 0; i < in->n_files; i++) {
            floe_pq_reader_close(rs[i]);
        }
        free(rs);
        c->merged = true;
        return st == FLOE_OK ? summarise(c, files, n_out, out, err) : st;
    }
    for (size_t i = 0; i < in->n_files; i++) {
        floe_pq_reader_close(rs[i]);
    }
    free(rs);
    if (st != FLOE_OK) {
        return st;
    }

    const floe_data_file *data = NULL, *posdel = NULL;
    size_t n_data = 0;
    if (n_rewrite > 0) {
        const floe_sort_order *order = floe_table_meta_default_sort_order(c->meta);
        floe_ice_write_opts wo = {
            .table = c->meta,
            .schema = c->schema,
            .spec = c->spec,
            .sort_order = order,
            .sort = order != NULL && order->n_fields > 0,
            .sort_buffer_bytes = c->opts->sort_buffer_bytes,
            .max_open_files = c->opts->max_open_files,
            .target_file_size = in->target_size > 0 ? (uint64_t)in->target_size : 0,
            .partition = c->partitioned ? &c->partition : NULL,
        };
        floe_ice_writer *w = NULL;
        st = floe_ice_writer_new(c->io, &wo, &w, err);
        for (size_t i = 0; i < in->n_files && st == FLOE_OK; i++) {
            if (in->files[i].role == FLOE_OPT_REWRITE) {
                st = copy_rows(c, &in->files[i], w, err);
            }
        }
        if (st == FLOE_OK) {
            st = floe_ice_writer_close(w, c->a, &data, &n_data, err);
        }
        floe_ice_writer_free(w); /* deletes its files unless closed */
        for (size_t i = 0; i < n_data && st == FLOE_OK; i++) {
            remember(c, data[i].file_path);
        }
    }
    if (st == FLOE_OK && n_keep > 0) {
        floe_ice_posdel_opts po = {
            .table = c->meta,
            .spec = c->spec,
            .partition = c->partitioned ? &c->partition : NULL,
        };
        floe_ice_posdel_writer *pw = NULL;
        st = floe_ice_posdel_writer_new(c->io, &po, &pw, err);
        for (size_t i = 0; i < in->n_files && st == FLOE_OK; i++) {
            if (in->files[i].role == FLOE_OPT_REWRITE_POS) {
                st = deleted_positions(c, &in->files[i], pw, err);
            }
        }
        if (st == FLOE_OK) {
            st = floe_ice_posdel_writer_close(pw, c->a, &posdel, err);
        }
        floe_ice_posdel_writer_free(pw);
        if (st == FLOE_OK && posdel != NULL) {
            remember(c, posdel->file_path);
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    size_t n_out = n_data + (posdel != NULL ? 1 : 0);
    floe_opt_output_file *files = floe_arena_calloc(c->a, n_out + 1, sizeof(*files));
    if (files == NULL) {
        return floe_arena_check(c->a, err);
    }
    for (size_t i = 0; i < n_data; i++) {
        output_of(&data[i], &files[i]);
    }
    if (posdel != NULL) {
        output_of(posdel, &files[n_data]);
    }
    return summarise(c, files, n_out, out, err);
}

floe_status floe_optimizer_execute(const floe_opt_task_input *in, floe_fileio *io,
                                   const floe_optimizer_exec_opts *opts, floe_arena *a,
                                   floe_opt_task_output *out, floe_err *err)
{
    static const floe_optimizer_exec_opts no_opts = {0};
    if (in == NULL || io == NULL || a == NULL || out == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "optimizer execute: missing argument");
    }
    memset(out, 0, sizeof(*out));
    exec_ctx c = {.in = in, .io = io, .opts = opts != NULL ? opts : &no_opts, .a = a};
    floe_vec_init(&c.written, sizeof(char *));
    pd_init(&c);
    floe_status st = run(&c, out, err);
    if (st == FLOE_OK) {
        st = pd_reports(&c, out, err);
    }
    if (st != FLOE_OK) {
        remove_written(&c);
        memset(out, 0, sizeof(*out));
        floe_err_wrap(err, "task of %s", in->table != NULL ? in->table : "?");
    }
    free_written(&c);
    pd_fini(&c);
    return st;
}
