/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data file writer: rows in the table schema -> partitioned, optionally sorted, rolled
 * Parquet files with field ids, and a floe_data_file with full metrics for each.
 *
 * Rows are routed by partition tuple (floe_partition_tuple) to one open file per partition; at
 * most max_open_files are open, the least recently used is finished past that. Each open file
 * shreds its rows into leaf columns and hands them to the Parquet writer in chunks of
 * CHUNK_ROWS; after each chunk the file is finished once its estimated size reaches the target
 * size, so files roll at a chunk boundary. Sorted writes buffer copies of the rows per
 * partition, sort each partition's rows when the buffer fills (or at close) and write them to
 * fresh files, which are finished right away so every file is sorted on its own.
 *
 * Metrics follow Java's ParquetMetrics: column sizes, value counts (nulls included), null
 * counts, NaN counts for float/double, and lower/upper bounds as single-value bytes, truncated
 * for strings and binaries by the metrics mode (none, counts, truncate(N), full; default
 * truncate(16)), none for fields inside lists and maps.
 */
#include "rows_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ice_int.h"

#define CHUNK_ROWS 1024

typedef enum mkind { M_NONE = 0, M_COUNTS, M_TRUNCATE, M_FULL } mkind;

typedef struct mmode {
    mkind kind;
    int32_t len;
} mmode;

/* One open output file. */
typedef struct wfile {
    char *key; /* heap: the partition key */
    size_t key_len;
    floe_value partition; /* in w->arena */
    char *location;       /* heap */
    floe_output *out;
    floe_pq_writer *pw;
    rows_shredder sh;
    uint64_t last_used;
} wfile;

/* Sorted writes: the buffered rows of one partition. */
typedef struct sbucket {
    floe_value partition; /* in the sort arena */
    floe_vec rows;        /* floe_value, in the sort arena */
} sbucket;

struct floe_ice_writer {
    floe_fileio *io;
    const floe_table_meta *table;
    const floe_ice_schema *schema;
    const floe_partition_spec *spec;
    const floe_sort_order *order;
    bool sort;
    size_t sort_buffer;
    size_t max_open;
    uint64_t target;
    floe_file_content content;
    int32_t *eq_ids;
    size_t n_eq_ids;
    bool full_metrics;
    const char *suffix;
    const floe_value *fixed_partition;
    bool fixed_key;                     /* `key` holds the fixed partition's key (made once) */
    const floe_ice_schema *path_schema; /* for partition paths */
    char *data_location;

    floe_arena *arena; /* schema, plan, partitions: lives with the writer */
    floe_pq_schema pq;
    rows_wnode *plan;
    const rows_wnode **leaf_plan; /* by leaf index */
    mmode *modes;                 /* by leaf index */
    floe_pq_write_opts pqo;
    floe_kv footer_kv[1];

    floe_map *open; /* partition key -> wfile* (owned) */
    size_t n_open;
    uint64_t tick;
    char uuid[FLOE_UUID_STR_LEN + 1];
    int file_count;

    floe_arena *scratch; /* per write call */
    floe_buf key;

    floe_arena *sort_arena;
    floe_map *buckets; /* partition key -> sbucket* */

    floe_arena *files_arena;
    floe_vec files;   /* floe_data_file, in files_arena */
    floe_vec written; /* char* heap locations of finished files */
    bool handed_out;
    bool failed;
};

/* ==== Options and properties ==== */

static floe_status prop_u64(const floe_table_meta *t, const char *key, uint64_t def, uint64_t *out,
                            floe_err *err)
{
    const char *v = floe_table_meta_property(t, key);
    *out = def;
    if (v == NULL) {
        return FLOE_OK;
    }
    if (floe_parse_u64(v, out, err) != FLOE_OK || *out == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "table property %s: expected a positive size",
                            key);
    }
    return FLOE_OK;
}

static floe_status parse_mode(const char *s, mmode *out, floe_err *err)
{
    if (strcasecmp(s, "none") == 0) {
        *out = (mmode){M_NONE, 0};
    } else if (strcasecmp(s, "counts") == 0) {
        *out = (mmode){M_COUNTS, 0};
    } else if (strcasecmp(s, "full") == 0) {
        *out = (mmode){M_FULL, 0};
    } else if (strncasecmp(s, "truncate(", 9) == 0 && s[strlen(s) - 1] == ')') {
        char num[16];
        size_t n = strlen(s) - 10;
        if (n == 0 || n >= sizeof(num)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "metrics mode '%s'", s);
        }
        memcpy(num, s + 9, n);
        num[n] = '\0';
        int32_t len;
        if (floe_parse_i32(num, &len, NULL) != FLOE_OK || len <= 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "metrics mode '%s': bad length", s);
        }
        *out = (mmode){M_TRUNCATE, len};
    } else {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "metrics mode '%s' (expected none, counts, truncate(N) or full)", s);
    }
    return FLOE_OK;
}

static floe_status read_properties(floe_ice_writer *w, const floe_ice_write_opts *o, floe_err *err)
{
    const floe_table_meta *t = w->table;
    floe_status st;
    w->target = o->target_file_size;
    if (w->target == 0) {
        st = prop_u64(t, "write.target-file-size-bytes", FLOE_ICE_DEFAULT_TARGET_FILE_SIZE,
                      &w->target, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    w->pqo = floe_pq_write_opts_default();
    const char *codec = floe_table_meta_property(t, "write.parquet.compression-codec");
    if (codec != NULL) {
        st = floe_pq_codec_parse(codec, &w->pqo.codec, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "table property write.parquet.compression-codec");
        }
    } else {
        w->pqo.codec = FLOE_PQ_ZSTD;
    }
    const char *level = floe_table_meta_property(t, "write.parquet.compression-level");
    if (level != NULL) {
        int32_t lv;
        if (floe_parse_i32(level, &lv, NULL) != FLOE_OK) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "table property write.parquet.compression-level: '%s'", level);
        }
        w->pqo.compression_level = lv;
    }
    uint64_t v;
    st = prop_u64(t, "write.parquet.row-group-size-bytes", w->pqo.row_group_size, &v, err);
    w->pqo.row_group_size = (size_t)v;
    if (st == FLOE_OK) {
        st = prop_u64(t, "write.parquet.page-size-bytes", w->pqo.page_size, &v, err);
        w->pqo.page_size = (size_t)v;
    }
    if (st == FLOE_OK) {
        st = prop_u64(t, "write.parquet.dict-size-bytes", w->pqo.dictionary_page_limit, &v, err);
        w->pqo.dictionary_page_limit = (size_t)v;
    }
    if (st != FLOE_OK) {
        return st;
    }

    /* Metrics modes, by leaf. */
    mmode def = {M_TRUNCATE, 16};
    const char *dm = floe_table_meta_property(t, "write.metadata.metrics.default");
    if (dm != NULL && parse_mode(dm, &def, err) != FLOE_OK) {
        return floe_err_wrap(err, "table property write.metadata.metrics.default");
    }
    w->modes = floe_arena_calloc(w->arena, w->pq.n_leaves + 1, sizeof(mmode));
    if (w->modes == NULL) {
        return ice_nomem(w->arena, err);
    }
    for (size_t i = 0; i < w->pq.n_leaves; i++) {
        w->modes[i] = w->full_metrics ? (mmode){M_FULL, 0} : def;
        const rows_wnode *ln = w->leaf_plan[i];
        const char *name = floe_ice_schema_id_name(w->schema, ln->field->id);
        if (name == NULL || w->full_metrics) {
            continue;
        }
        char *key = floe_arena_sprintf(w->arena, "write.metadata.metrics.column.%s", name);
        if (key == NULL) {
            return ice_nomem(w->arena, err);
        }
        const char *cm = floe_table_meta_property(t, key);
        if (cm != NULL && parse_mode(cm, &w->modes[i], err) != FLOE_OK) {
            return floe_err_wrap(err, "table property %s", key);
        }
    }

    if (o->data_location != NULL) {
        w->data_location = floe_xstrdup(o->data_location);
    } else {
        const char *dp = floe_table_meta_property(t, "write.data.path");
        if (dp != NULL) {
            w->data_location = floe_xstrdup(dp);
        } else {
            if (t->location == NULL) {
                return floe_err_set(err, FLOE_ERR_INVALID, "table has no location");
            }
            w->data_location = floe_io_join(t->location, "data");
        }
    }
    size_t dl = strlen(w->data_location);
    while (dl > 1 && w->data_location[dl - 1] == '/') {
        w->data_location[--dl] = '\0';
    }
    return FLOE_OK;
}

static void collect_leaves(const rows_wnode *n, const rows_wnode **out)
{
    if (n->leaf >= 0) {
        out[n->leaf] = n;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        collect_leaves(&n->kids[i], out);
    }
}

static void free_wfile(void *p)
{
    wfile *f = p;
    if (f == NULL) {
        return;
    }
    floe_pq_writer_free(f->pw);
    if (f->out != NULL) {
        floe_output_abort(f->out);
    }
    rows_shredder_fini(&f->sh);
    free(f->key);
    free(f->location);
    free(f);
}

static void free_bucket(void *p)
{
    sbucket *b = p;
    if (b != NULL) {
        floe_vec_fini(&b->rows);
        free(b);
    }
}

static const floe_map_type wfile_type = {free_wfile};
static const floe_map_type bucket_type = {free_bucket};

floe_status rows_writer_new(floe_fileio *io, const floe_ice_write_opts *o, const rows_wextra *x,
                            floe_ice_writer **out, floe_err *err)
{
    *out = NULL;
    if (o == NULL || o->table == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "writer needs table metadata");
    }
    floe_ice_writer *w = floe_xcalloc(1, sizeof(*w));
    w->io = io;
    w->table = o->table;
    w->schema = o->schema != NULL ? o->schema : floe_table_meta_current_schema(o->table);
    w->spec = o->spec != NULL ? o->spec : floe_table_meta_default_spec(o->table);
    w->order = o->sort_order != NULL ? o->sort_order : floe_table_meta_default_sort_order(o->table);
    w->sort = o->sort && w->order != NULL && w->order->n_fields > 0;
    w->sort_buffer =
        o->sort_buffer_bytes != 0 ? o->sort_buffer_bytes : FLOE_ICE_DEFAULT_SORT_BUFFER;
    w->max_open = o->max_open_files != 0 ? o->max_open_files : FLOE_ICE_DEFAULT_MAX_OPEN_FILES;
    w->content = x != NULL ? x->content : o->content;
    w->full_metrics = x != NULL && x->full_metrics;
    w->suffix = x != NULL && x->suffix != NULL                ? x->suffix
                : w->content == FLOE_CONTENT_EQUALITY_DELETES ? "-eq-deletes"
                                                              : "";
    w->fixed_partition = o->partition;
    w->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->scratch = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->sort_arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->files_arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->open = floe_map_new(&wfile_type);
    w->buckets = floe_map_new(&bucket_type);
    floe_buf_init(&w->key, 0);
    floe_vec_init(&w->files, sizeof(floe_data_file));
    floe_vec_init(&w->written, sizeof(char *));
    floe_uuid u;
    floe_uuid_v4(&u);
    floe_uuid_format(&u, w->uuid);
    *out = w;

    if (w->schema == NULL || w->spec == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "table has no current schema or spec");
    }
    if (w->content == FLOE_CONTENT_DATA && o->n_equality_ids > 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "equality ids given for a data file writer");
    }
    if (w->content == FLOE_CONTENT_EQUALITY_DELETES) {
        if (o->n_equality_ids == 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "equality delete writer needs equality ids");
        }
        w->eq_ids =
            floe_arena_memdup(w->arena, o->equality_ids, o->n_equality_ids * sizeof(int32_t));
        w->n_eq_ids = o->n_equality_ids;
        for (size_t i = 0; i < o->n_equality_ids; i++) {
            const floe_ice_field *f = floe_ice_schema_find_id(w->schema, o->equality_ids[i]);
            if (f == NULL || !floe_ice_type_is_primitive(f->type) ||
                floe_ice_schema_in_repeated(w->schema, f->id)) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "equality id %d is not a primitive column outside lists and "
                                    "maps of the schema",
                                    o->equality_ids[i]);
            }
        }
    }
    if (w->fixed_partition != NULL && (w->fixed_partition->kind != FLOE_V_STRUCT ||
                                       w->fixed_partition->u.nested.n != w->spec->n_fields)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "partition tuple does not match spec %d (%zu fields)", w->spec->spec_id,
                            w->spec->n_fields);
    }
    /* With a fixed tuple the rows need not hold the source columns (equality deletes keyed
     * on some columns only); partition paths then use the table's schema. */
    w->path_schema = w->schema;
    if (w->fixed_partition != NULL) {
        const floe_ice_schema *ts = floe_table_meta_current_schema(o->table);
        if (ts != NULL && floe_partition_spec_validate(w->spec, w->schema, NULL) != FLOE_OK) {
            w->path_schema = ts;
        }
    }
    floe_status st = floe_partition_spec_validate(w->spec, w->path_schema, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "partition spec %d", w->spec->spec_id);
    }
    st = rows_pq_schema(w->arena, w->schema, &w->pq, &w->plan, err);
    if (st != FLOE_OK) {
        return st;
    }
    w->leaf_plan = floe_arena_calloc(w->arena, w->pq.n_leaves + 1, sizeof(rows_wnode *));
    if (w->leaf_plan == NULL) {
        return ice_nomem(w->arena, err);
    }
    collect_leaves(w->plan, w->leaf_plan);
    st = read_properties(w, o, err);
    if (st != FLOE_OK) {
        return st;
    }
    /* Footer: the schema JSON as Iceberg writers record it. */
    json_t *sj = floe_ice_schema_to_json(w->schema);
    char *text = json_dumps(sj, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(sj);
    if (text == NULL) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "schema JSON");
    }
    w->footer_kv[0].key = "iceberg.schema";
    w->footer_kv[0].value = floe_arena_strdup(w->arena, text);
    free(text);
    w->pqo.kv = (const floe_pq_kv *)w->footer_kv;
    w->pqo.n_kv = 1;
    return FLOE_OK;
}

floe_status floe_ice_writer_new(floe_fileio *io, const floe_ice_write_opts *opts,
                                floe_ice_writer **out, floe_err *err)
{
    floe_ice_writer *w = NULL;
    floe_status st = rows_writer_new(io, opts, NULL, &w, err);
    if (st != FLOE_OK) {
        floe_ice_writer_free(w);
        return st;
    }
    *out = w;
    return FLOE_OK;
}

/* ==== Files ==== */

static floe_status add_count(floe_arena *a, floe_field_count **arr, size_t *n, int32_t id,
                             int64_t v)
{
    (*arr)[*n].field_id = id;
    (*arr)[*n].value = v;
    (*n)++;
    (void)a;
    return FLOE_OK;
}

static floe_status add_bound(floe_ice_writer *w, floe_field_bound *arr, size_t *n, int32_t id,
                             const floe_ice_type *t, const floe_value *v, floe_err *err)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_ice_value_to_bytes(t, v, &b, err);
    if (st == FLOE_OK) {
        void *p = floe_arena_memdup(w->files_arena, b.data != NULL ? b.data : "", b.len + 1);
        if (p == NULL) {
            st = ice_nomem(w->files_arena, err);
        } else {
            arr[*n].field_id = id;
            arr[*n].bytes = (floe_str){p, b.len};
            (*n)++;
        }
    }
    floe_buf_fini(&b);
    return st;
}

static bool truncatable(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_STRING || t->id == FLOE_ICE_BINARY || t->id == FLOE_ICE_FIXED;
}

static floe_status describe_file(floe_ice_writer *w, wfile *f, const floe_pq_write_result *res,
                                 floe_data_file *df, floe_err *err)
{
    floe_arena *a = w->files_arena;
    memset(df, 0, sizeof(*df));
    df->content = w->content;
    df->file_path = floe_arena_strdup(a, f->location);
    df->file_format = FLOE_FORMAT_PARQUET;
    df->spec_id = w->spec->spec_id;
    df->record_count = res->num_rows;
    df->file_size_in_bytes = (int64_t)res->file_size;
    if (df->file_path == NULL || !rows_value_dup(a, &f->partition, &df->partition)) {
        return ice_nomem(a, err);
    }
    size_t n = res->n_columns + 1;
    floe_field_count *sizes = floe_arena_calloc(a, n, sizeof(*sizes));
    floe_field_count *values = floe_arena_calloc(a, n, sizeof(*values));
    floe_field_count *nulls = floe_arena_calloc(a, n, sizeof(*nulls));
    floe_field_count *nans = floe_arena_calloc(a, n, sizeof(*nans));
    floe_field_bound *lower = floe_arena_calloc(a, n, sizeof(*lower));
    floe_field_bound *upper = floe_arena_calloc(a, n, sizeof(*upper));
    if (sizes == NULL || values == NULL || nulls == NULL || nans == NULL || lower == NULL ||
        upper == NULL) {
        return ice_nomem(a, err);
    }
    size_t ns = 0, nv = 0, nn = 0, nnan = 0, nl = 0, nu = 0;
    for (size_t i = 0; i < res->n_columns; i++) {
        const floe_pq_column_metrics *m = &res->columns[i];
        int32_t li = m->leaf->leaf_index;
        if (li < 0 || (size_t)li >= w->pq.n_leaves) {
            continue;
        }
        const rows_wnode *ln = w->leaf_plan[li];
        mmode mode = w->modes[li];
        if (mode.kind == M_NONE) {
            continue;
        }
        int32_t id = ln->field->id;
        add_count(a, &sizes, &ns, id, (int64_t)m->compressed_size);
        add_count(a, &values, &nv, id, m->value_count);
        add_count(a, &nulls, &nn, id, m->null_count);
        if (m->has_nan_count) {
            add_count(a, &nans, &nnan, id, m->nan_count);
        }
        if (mode.kind == M_COUNTS || !m->has_bounds || floe_ice_schema_in_repeated(w->schema, id)) {
            continue;
        }
        const floe_ice_type *t = ln->type;
        floe_value lo, hi;
        if (!rows_to_ice(t, &m->lower, &lo) || !rows_to_ice(t, &m->upper, &hi)) {
            continue; /* cannot happen for files this writer wrote */
        }
        bool has_hi = true;
        floe_status st = FLOE_OK;
        if (mode.kind == M_TRUNCATE && truncatable(t)) {
            floe_value tl = lo, th = hi;
            st = floe_ice_truncate_lower_bound(t, &lo, mode.len, &tl, err);
            if (st == FLOE_OK) {
                st = floe_ice_truncate_upper_bound(a, t, &hi, mode.len, &th, &has_hi, err);
            }
            lo = tl;
            hi = th;
        }
        if (st == FLOE_OK) {
            st = add_bound(w, lower, &nl, id, t, &lo, err);
        }
        if (st == FLOE_OK && has_hi) {
            st = add_bound(w, upper, &nu, id, t, &hi, err);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "bounds of column %d", id);
        }
    }
    df->column_sizes = sizes;
    df->n_column_sizes = ns;
    df->value_counts = values;
    df->n_value_counts = nv;
    df->null_value_counts = nulls;
    df->n_null_value_counts = nn;
    df->nan_value_counts = nans;
    df->n_nan_value_counts = nnan;
    df->lower_bounds = lower;
    df->n_lower_bounds = nl;
    df->upper_bounds = upper;
    df->n_upper_bounds = nu;
    if (res->n_row_groups > 0) {
        df->split_offsets =
            floe_arena_memdup(a, res->row_group_offsets, res->n_row_groups * sizeof(int64_t));
        if (df->split_offsets == NULL) {
            return ice_nomem(a, err);
        }
        df->n_split_offsets = res->n_row_groups;
    }
    if (w->content == FLOE_CONTENT_EQUALITY_DELETES) {
        df->equality_ids = w->eq_ids;
        df->n_equality_ids = w->n_eq_ids;
    }
    if (w->content == FLOE_CONTENT_DATA && w->sort) {
        df->has_sort_order_id = true;
        df->sort_order_id = w->order->order_id;
    }
    return FLOE_OK;
}

/* Write the file's buffered rows to its Parquet writer. */
static floe_status flush_chunk(floe_ice_writer *w, wfile *f, floe_err *err)
{
    (void)w;
    if (f->sh.n_rows == 0) {
        return FLOE_OK;
    }
    floe_pq_batch b;
    rows_shredder_batch(&f->sh, &b);
    floe_status st = floe_pq_writer_write(f->pw, &b, err);
    rows_shredder_reset(&f->sh);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "write %s", f->location);
    }
    return FLOE_OK;
}

/* Finish an open file: flush, write the footer, publish, describe; it leaves the open set. */
static floe_status finish_file(floe_ice_writer *w, wfile *f, floe_err *err)
{
    floe_status st = flush_chunk(w, f, err);
    floe_pq_write_result res;
    if (st == FLOE_OK) {
        st = floe_pq_writer_close(f->pw, &res, err);
    }
    if (st == FLOE_OK && res.num_rows == 0) {
        /* Only rows refused by the shredder went here: publish nothing. */
        w->n_open--;
        floe_map_remove(w->open, f->key, f->key_len);
        return FLOE_OK;
    }
    if (st == FLOE_OK) {
        st = floe_output_commit(f->out, err);
        f->out = NULL;
        if (st == FLOE_OK) {
            floe_vec_push_copy(&w->written, &(char *){floe_xstrdup(f->location)});
        }
    }
    if (st == FLOE_OK) {
        floe_data_file *df = floe_vec_push(&w->files);
        st = describe_file(w, f, &res, df, err);
    }
    if (st != FLOE_OK) {
        st = floe_err_wrap(err, "data file %s", f->location);
    }
    w->n_open--;
    floe_map_remove(w->open, f->key, f->key_len); /* frees f */
    return st;
}

static floe_status finish_lru(floe_ice_writer *w, floe_err *err)
{
    floe_map_iter it = {0};
    const char *k;
    size_t kl;
    void *v;
    wfile *oldest = NULL;
    while (floe_map_next(w->open, &it, &k, &kl, &v)) {
        wfile *f = v;
        if (oldest == NULL || f->last_used < oldest->last_used) {
            oldest = f;
        }
    }
    return oldest != NULL ? finish_file(w, oldest, err) : FLOE_OK;
}

static floe_status open_file(floe_ice_writer *w, const floe_value *partition, wfile **out,
                             floe_err *err)
{
    if (w->n_open >= w->max_open) {
        floe_status st = finish_lru(w, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    floe_buf path;
    floe_buf_init(&path, 0);
    floe_status st = floe_buf_append_str(&path, w->data_location, err);
    if (st == FLOE_OK && w->spec->n_fields > 0) {
        st = floe_buf_append_byte(&path, '/', err);
        if (st == FLOE_OK) {
            st = floe_partition_path(w->spec, w->path_schema, partition, &path, err);
        }
    }
    if (st == FLOE_OK) {
        st = floe_buf_printf(&path, err, "/%s-%05d%s.parquet", w->uuid, ++w->file_count, w->suffix);
    }
    if (st != FLOE_OK) {
        floe_buf_fini(&path);
        return floe_err_wrap(err, "data file name");
    }
    wfile *f = floe_xcalloc(1, sizeof(*f));
    f->location = floe_buf_detach(&path, NULL);
    f->key_len = w->key.len;
    f->key = floe_xmalloc(w->key.len + 1);
    memcpy(f->key, w->key.data != NULL ? w->key.data : "", w->key.len + 1);
    rows_shredder_init(&f->sh, &w->pq, w->plan);
    if (!rows_value_dup(w->arena, partition, &f->partition)) {
        free_wfile(f);
        return ice_nomem(w->arena, err);
    }
    st = floe_io_create(w->io, f->location, FLOE_IO_CREATE_EXCLUSIVE, &f->out, err);
    if (st == FLOE_OK) {
        st = floe_pq_writer_new(f->out, &w->pq, &w->pqo, &f->pw, err);
    }
    if (st != FLOE_OK) {
        free_wfile(f);
        return floe_err_wrap(err, "create data file");
    }
    floe_map_put(w->open, f->key, f->key_len, f);
    w->n_open++;
    *out = f;
    return FLOE_OK;
}

/* ==== Routing rows ==== */

/* The partition key of a tuple: each item's canonical JSON, separated by 0x1f. */
static floe_status make_key(floe_ice_writer *w, const floe_value *tuple, floe_err *err)
{
    floe_buf_reset(&w->key);
    floe_status st = floe_buf_append_byte(&w->key, '|', err);
    for (size_t i = 0; st == FLOE_OK && i < tuple->u.nested.n; i++) {
        st = floe_value_to_json(&tuple->u.nested.items[i], &w->key, err);
        if (st == FLOE_OK) {
            st = floe_buf_append_byte(&w->key, 0x1f, err);
        }
    }
    return st;
}

static floe_status partition_of(floe_ice_writer *w, const floe_value *row, floe_value *tuple,
                                floe_err *err)
{
    if (w->fixed_partition != NULL) {
        *tuple = *w->fixed_partition;
        if (w->fixed_key) {
            return FLOE_OK; /* nothing else writes `key` */
        }
        floe_status st = make_key(w, tuple, err);
        w->fixed_key = st == FLOE_OK;
        return st;
    }
    floe_status st = floe_partition_tuple(w->scratch, w->spec, w->schema, row, tuple, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "partition of a row");
    }
    return make_key(w, tuple, err);
}

/* Append a row to its partition's open file (opening one when needed). The row must stay
 * valid until the file's chunk is flushed (end of the write call). */
static floe_status route_row(floe_ice_writer *w, const floe_value *row, const floe_value *tuple,
                             floe_err *err)
{
    wfile *f = floe_map_get(w->open, w->key.data, w->key.len);
    floe_status st;
    if (f == NULL) {
        st = open_file(w, tuple, &f, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    f->last_used = ++w->tick;
    st = rows_shred_row(&f->sh, row, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (f->sh.n_rows >= CHUNK_ROWS) {
        st = flush_chunk(w, f, err);
        if (st == FLOE_OK && floe_pq_writer_estimated_size(f->pw) >= w->target) {
            st = finish_file(w, f, err);
        }
    }
    return st;
}

/* Flush every open file's pending rows (their values are borrowed from the caller), rolling
 * files that reached the target size. */
static floe_status flush_all(floe_ice_writer *w, floe_err *err)
{
    floe_vec full;
    floe_vec_init(&full, sizeof(wfile *));
    floe_map_iter it = {0};
    const char *k;
    size_t kl;
    void *v;
    floe_status st = FLOE_OK;
    while (st == FLOE_OK && floe_map_next(w->open, &it, &k, &kl, &v)) {
        wfile *f = v;
        st = flush_chunk(w, f, err);
        if (st == FLOE_OK && floe_pq_writer_estimated_size(f->pw) >= w->target) {
            floe_vec_push_copy(&full, &f);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < full.n; i++) {
        st = finish_file(w, *FLOE_VEC_AT(&full, wfile *, i), err);
    }
    floe_vec_fini(&full);
    return st;
}

/* ==== Sorting ==== */

typedef struct srec {
    const floe_ice_writer *w;
    const floe_value *keys; /* one per sort field */
    const floe_value *row;
} srec;

static int srec_cmp(const void *pa, const void *pb)
{
    const srec *a = pa, *b = pb;
    const floe_sort_order *o = a->w->order;
    for (size_t i = 0; i < o->n_fields; i++) {
        const floe_value *x = &a->keys[i], *y = &b->keys[i];
        bool xn = x->kind == FLOE_V_NULL, yn = y->kind == FLOE_V_NULL;
        int c;
        if (xn || yn) {
            c = xn && yn ? 0 : xn ? -1 : 1;
            if (o->fields[i].null_order == FLOE_NULLS_LAST) {
                c = -c;
            }
        } else {
            c = floe_value_cmp(x, y);
            if (o->fields[i].direction == FLOE_SORT_DESC) {
                c = -c;
            }
        }
        if (c != 0) {
            return c;
        }
    }
    /* Stable for equal keys: keep arrival order. */
    return (a->row > b->row) - (a->row < b->row);
}

static floe_status sort_key(floe_ice_writer *w, const floe_value *row, floe_value *keys,
                            floe_err *err)
{
    floe_ice_row r = {w->schema, row};
    for (size_t i = 0; i < w->order->n_fields; i++) {
        const floe_sort_field *sf = &w->order->fields[i];
        const floe_ice_field *f = floe_ice_schema_find_id(w->schema, sf->source_id);
        floe_value v;
        floe_ice_row_value(&r, sf->source_id, &v);
        if (f == NULL || sf->transform.kind == FLOE_ICE_T_UNKNOWN) {
            keys[i] = floe_value_null();
            continue;
        }
        floe_value nv;
        if (!rows_to_ice(f->type, &v, &nv)) {
            nv = v;
        }
        floe_status st = floe_ice_transform_apply(sf->transform, f->type, &nv, &keys[i], err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "sort key");
        }
    }
    return FLOE_OK;
}

/* Write every buffered partition sorted, each to files of its own, then empty the buffer. */
static floe_status flush_sorted(floe_ice_writer *w, floe_err *err)
{
    floe_map_iter it = {0};
    const char *k;
    size_t kl;
    void *v;
    floe_status st = FLOE_OK;
    size_t nk = w->order->n_fields;
    while (st == FLOE_OK && floe_map_next(w->buckets, &it, &k, &kl, &v)) {
        sbucket *b = v;
        size_t n = b->rows.n;
        srec *recs = floe_xcalloc(n + 1, sizeof(srec));
        floe_value *keys = floe_xcalloc(n * nk + 1, sizeof(floe_value));
        for (size_t i = 0; st == FLOE_OK && i < n; i++) {
            recs[i].w = w;
            recs[i].row = FLOE_VEC_AT(&b->rows, floe_value, i);
            recs[i].keys = &keys[i * nk];
            st = sort_key(w, recs[i].row, &keys[i * nk], err);
        }
        if (st == FLOE_OK) {
            qsort(recs, n, sizeof(srec), srec_cmp);
            st = make_key(w, &b->partition, err);
        }
        for (size_t i = 0; st == FLOE_OK && i < n; i++) {
            st = route_row(w, recs[i].row, &b->partition, err);
        }
        if (st == FLOE_OK) {
            wfile *f = floe_map_get(w->open, k, kl);
            if (f != NULL) {
                st = finish_file(w, f, err);
            }
        }
        free(recs);
        free(keys);
    }
    floe_map_clear(w->buckets);
    floe_arena_reset(w->sort_arena);
    return st;
}

static floe_status buffer_row(floe_ice_writer *w, const floe_value *row, const floe_value *tuple,
                              floe_err *err)
{
    sbucket *b = floe_map_get(w->buckets, w->key.data, w->key.len);
    if (b == NULL) {
        b = floe_xcalloc(1, sizeof(*b));
        floe_vec_init(&b->rows, sizeof(floe_value));
        if (!rows_value_dup(w->sort_arena, tuple, &b->partition)) {
            free_bucket(b);
            return ice_nomem(w->sort_arena, err);
        }
        floe_map_put(w->buckets, w->key.data, w->key.len, b);
    }
    floe_value *copy = floe_vec_push(&b->rows);
    if (!rows_value_dup(w->sort_arena, row, copy)) {
        return ice_nomem(w->sort_arena, err);
    }
    if (floe_arena_used(w->sort_arena) >= w->sort_buffer) {
        return flush_sorted(w, err);
    }
    return FLOE_OK;
}

/* ==== Public entry points ==== */

static floe_status write_one(floe_ice_writer *w, const floe_value *row, floe_err *err)
{
    floe_value tuple;
    floe_status st = partition_of(w, row, &tuple, err);
    if (st != FLOE_OK) {
        return st;
    }
    return w->sort ? buffer_row(w, row, &tuple, err) : route_row(w, row, &tuple, err);
}

floe_status floe_ice_writer_write_row(floe_ice_writer *w, const floe_value *row, floe_err *err)
{
    if (w->failed) {
        return floe_err_set(err, FLOE_ERR_INVALID, "writer failed earlier");
    }
    floe_status st = write_one(w, row, err);
    if (st == FLOE_OK && !w->sort) {
        st = flush_all(w, err);
    }
    floe_arena_reset(w->scratch);
    if (st != FLOE_OK && st != FLOE_ERR_INVALID) {
        w->failed = true;
    }
    return st;
}

floe_status floe_ice_writer_write(floe_ice_writer *w, const floe_ice_batch *b, floe_err *err)
{
    if (w->failed) {
        return floe_err_set(err, FLOE_ERR_INVALID, "writer failed earlier");
    }
    if (b->n_columns != w->schema->root->n_fields) {
        return floe_err_set(err, FLOE_ERR_INVALID, "batch has %zu columns, the schema %zu",
                            b->n_columns, w->schema->root->n_fields);
    }
    floe_status st = FLOE_OK;
    size_t nc = b->n_columns;
    floe_value *items = floe_arena_calloc(w->scratch, b->n_rows * nc + 1, sizeof(floe_value));
    floe_value *rows = floe_arena_calloc(w->scratch, b->n_rows + 1, sizeof(floe_value));
    if (items == NULL || rows == NULL) {
        return ice_nomem(w->scratch, err);
    }
    for (size_t r = 0; st == FLOE_OK && r < b->n_rows; r++) {
        floe_ice_batch_row(b, r, &items[r * nc], &rows[r]);
        st = write_one(w, &rows[r], err);
    }
    if (st == FLOE_OK && !w->sort) {
        st = flush_all(w, err);
    }
    floe_arena_reset(w->scratch);
    if (st != FLOE_OK) {
        w->failed = true; /* rows of the batch may be half written */
    }
    return st;
}

floe_status floe_ice_writer_close(floe_ice_writer *w, floe_arena *a, const floe_data_file **files,
                                  size_t *n_files, floe_err *err)
{
    *files = NULL;
    *n_files = 0;
    if (w->failed) {
        return floe_err_set(err, FLOE_ERR_INVALID, "writer failed earlier");
    }
    floe_status st = FLOE_OK;
    if (w->sort) {
        st = flush_sorted(w, err);
    }
    while (st == FLOE_OK && w->n_open > 0) {
        floe_map_iter it = {0};
        const char *k;
        size_t kl;
        void *v;
        if (!floe_map_next(w->open, &it, &k, &kl, &v)) {
            break;
        }
        st = finish_file(w, v, err);
    }
    if (st != FLOE_OK) {
        w->failed = true;
        return st;
    }
    floe_data_file *out = floe_arena_calloc(a, w->files.n + 1, sizeof(floe_data_file));
    if (out == NULL) {
        return ice_nomem(a, err);
    }
    /* A deep copy (partition field names too: they live in the writer, which goes first). */
    for (size_t i = 0; i < w->files.n; i++) {
        st = floe_data_file_dup(a, FLOE_VEC_AT(&w->files, floe_data_file, i), &out[i], err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *files = out;
    *n_files = w->files.n;
    w->handed_out = true;
    return FLOE_OK;
}

void floe_ice_writer_free(floe_ice_writer *w)
{
    if (w == NULL) {
        return;
    }
    floe_map_free(w->open); /* aborts outputs still open */
    floe_map_free(w->buckets);
    for (size_t i = 0; i < w->written.n; i++) {
        char *loc = *FLOE_VEC_AT(&w->written, char *, i);
        if (!w->handed_out) {
            (void)floe_io_delete(w->io, loc, NULL);
        }
        free(loc);
    }
    floe_vec_fini(&w->written);
    floe_vec_fini(&w->files);
    floe_buf_fini(&w->key);
    floe_arena_free(w->arena);
    floe_arena_free(w->scratch);
    floe_arena_free(w->sort_arena);
    floe_arena_free(w->files_arena);
    free(w->data_location);
    free(w);
}

size_t rows_writer_file_count(const floe_ice_writer *w)
{
    return w->files.n;
}
