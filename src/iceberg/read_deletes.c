/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading delete files for one data file (spec "Delete Formats").
 *
 * Position deletes: every (file_path, pos) row whose path equals the data file's path is kept;
 * files whose referenced_data_file or file_path bounds exclude the path are not opened. The
 * positions of all files end up in one sorted, deduplicated array of int64, so memory is 8
 * bytes per deleted row of this data file, bounded by max_delete_positions.
 *
 * Equality deletes: files are grouped by their set of equality ids; each group is one hash set
 * of key tuples (the key columns in ascending id order, normalised with rows_key_norm so that
 * values of promoted types compare equal). Equality follows Java's delete semantics: null
 * equals null, NaN equals NaN, -0.0 and 0.0 differ (floe_value_eq). Keys and the table are
 * bounded by max_delete_memory.
 */
#include "rows_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ice_int.h"

/* ==== Finding columns in delete files ==== */

static bool schema_has_ids(const floe_pq_schema *s)
{
    for (size_t i = 0; i < s->n_leaves; i++) {
        for (const floe_pq_node *n = s->leaves[i]; n != NULL && n->parent != NULL; n = n->parent) {
            if (n->has_field_id) {
                return true;
            }
        }
    }
    return false;
}

/* The leaf carrying field `id`: by field id, or by name mapping when the file has no ids. */
static const floe_pq_node *leaf_for_id(const floe_pq_schema *s, int32_t id,
                                       const floe_ice_name_mapping *nm, const char *fallback)
{
    if (schema_has_ids(s)) {
        const floe_pq_node *n = floe_pq_schema_find_field_id(s, id);
        return n != NULL && n->is_leaf ? n : NULL;
    }
    for (size_t i = 0; nm != NULL && i < s->n_leaves; i++) {
        const char *path[FLOE_ICE_MAX_DEPTH];
        size_t depth = 0;
        for (const floe_pq_node *n = s->leaves[i]; n->parent != NULL; n = n->parent) {
            if (depth == FLOE_ICE_MAX_DEPTH) {
                break;
            }
            path[depth++] = n->name;
        }
        for (size_t k = 0; k < depth / 2; k++) {
            const char *t = path[k];
            path[k] = path[depth - 1 - k];
            path[depth - 1 - k] = t;
        }
        if (floe_ice_name_mapping_find(nm, path, depth) == id) {
            return s->leaves[i];
        }
    }
    if (fallback != NULL) {
        const floe_pq_node *n = floe_pq_schema_find_path(s, fallback);
        return n != NULL && n->is_leaf ? n : NULL;
    }
    return NULL;
}

/* ==== Position deletes ==== */

static int i64_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* Bytewise comparison as Iceberg orders strings (unsigned lexicographic). */
static int str_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c;
    }
    return (al > bl) - (al < bl);
}

/* False when the delete file's metadata shows it holds no row for `path`. */
static bool may_target(const floe_data_file *d, const char *path)
{
    if (d->referenced_data_file != NULL) {
        return strcmp(d->referenced_data_file, path) == 0;
    }
    size_t pl = strlen(path);
    floe_str lo, hi;
    if (floe_data_file_lower_bound(d, FLOE_ICE_POS_DELETE_PATH_ID, &lo) &&
        str_cmp((const uint8_t *)path, pl, (const uint8_t *)lo.ptr, lo.len) < 0) {
        return false;
    }
    if (floe_data_file_upper_bound(d, FLOE_ICE_POS_DELETE_PATH_ID, &hi) &&
        str_cmp((const uint8_t *)path, pl, (const uint8_t *)hi.ptr, hi.len) > 0) {
        return false;
    }
    return true;
}

static floe_status load_pos_file(floe_fileio *io, const floe_data_file *d, const char *path,
                                 size_t max, const floe_ice_read_opts *ro, floe_vec *out,
                                 floe_err *err)
{
    void (*observe)(void *, const floe_data_file *, const char *, size_t) =
        ro != NULL ? ro->pos_delete_path : NULL;
    floe_pq_reader *r = NULL;
    floe_status st = floe_pq_reader_open(io, d->file_path, NULL, &r, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_pq_schema *s = floe_pq_reader_schema(r);
    const floe_pq_node *pn = leaf_for_id(s, FLOE_ICE_POS_DELETE_PATH_ID, NULL, "file_path");
    const floe_pq_node *qn = leaf_for_id(s, FLOE_ICE_POS_DELETE_POS_ID, NULL, "pos");
    if (pn == NULL || qn == NULL || pn->type != FLOE_PQ_BYTE_ARRAY || qn->type != FLOE_PQ_INT64 ||
        pn->max_rep != 0 || qn->max_rep != 0) {
        floe_pq_reader_close(r);
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not a position delete file: no file_path string and pos long columns");
    }
    int32_t cols[2] = {pn->leaf_index, qn->leaf_index};
    floe_pq_scan_opts so = {.columns = cols, .n_columns = 2};
    floe_pq_scan *scan = NULL;
    st = floe_pq_scan_new(r, &so, &scan, err);
    size_t pl = strlen(path);
    while (st == FLOE_OK) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        const floe_pq_column *pc = &b->columns[0], *qc = &b->columns[1];
        const floe_pq_bytes *last = NULL; /* the last path reported (this batch's bytes) */
        for (size_t i = 0; i < b->n_rows; i++) {
            bool pnull = pc->def != NULL && pc->def[i] != pn->max_def;
            bool qnull = qc->def != NULL && qc->def[i] != qn->max_def;
            if (pnull || qnull) {
                st = floe_err_set(err, FLOE_ERR_CORRUPT, "null file_path or pos at row %" PRId64,
                                  b->first_row + (int64_t)i);
                break;
            }
            const floe_pq_bytes *p = &pc->v.bytes[i];
            if (observe != NULL &&
                (last == NULL || p->len != last->len || memcmp(p->ptr, last->ptr, p->len) != 0)) {
                observe(ro->pos_delete_path_ud, d, (const char *)p->ptr, p->len);
                last = p;
            }
            if (p->len != pl || memcmp(p->ptr, path, pl) != 0) {
                continue;
            }
            int64_t pos = qc->v.i64[i];
            if (pos < 0) {
                st = floe_err_set(err, FLOE_ERR_CORRUPT, "negative position %" PRId64, pos);
                break;
            }
            if (out->n >= max) {
                st = floe_err_set(err, FLOE_ERR_TOO_BIG,
                                  "more than %zu deleted positions for one data file", max);
                break;
            }
            floe_vec_push_copy(out, &pos);
        }
    }
    if (st == FLOE_OK && observe != NULL) {
        observe(ro->pos_delete_path_ud, d, NULL, 0); /* read to the end */
    }
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    return st;
}

floe_status rows_load_positions(floe_fileio *io, const char *path,
                                const floe_data_file *const *dels, size_t n, size_t max,
                                const floe_ice_read_opts *opts, int64_t **out, size_t *n_out,
                                floe_err *err)
{
    floe_vec v;
    floe_vec_init(&v, sizeof(int64_t));
    floe_status st = FLOE_OK;
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        const floe_data_file *d = dels[i];
        if (d->content != FLOE_CONTENT_POSITION_DELETES || !may_target(d, path)) {
            continue;
        }
        if (d->file_format != FLOE_FORMAT_PARQUET) {
            st = floe_err_set(err, FLOE_ERR_UNSUPPORTED, "delete file %s: format %s", d->file_path,
                              floe_file_format_name(d->file_format));
            break;
        }
        st = load_pos_file(io, d, path, max, opts, &v, err);
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "position delete file %s", d->file_path);
        }
    }
    if (st != FLOE_OK) {
        floe_vec_fini(&v);
        return st;
    }
    floe_vec_sort(&v, i64_cmp);
    int64_t *p = v.data;
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (k == 0 || p[k - 1] != p[i]) {
            p[k++] = p[i];
        }
    }
    *out = p; /* heap (floe_vec's memory): free() */
    *n_out = k;
    return FLOE_OK;
}

/* ==== Equality deletes ==== */

typedef struct eq_slot {
    uint64_t hash;
    floe_value *key; /* NULL: empty */
} eq_slot;

struct rows_eqgroup {
    int32_t *ids; /* ascending */
    size_t n_ids;
    eq_slot *slots;
    size_t cap, count;
};

struct rows_eqsets {
    floe_arena *arena; /* keys */
    rows_eqgroup *groups;
    size_t n_groups;
    size_t table_bytes, max_memory;
    size_t n_keys;
};

static uint64_t key_hash(const floe_value *key, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        h = floe_value_hash(&key[i], h) * 0x100000001b3ULL + i;
    }
    return h;
}

static bool key_eq(const floe_value *a, const floe_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!floe_value_eq(&a[i], &b[i])) {
            return false;
        }
    }
    return true;
}

bool rows_eqgroup_contains(const rows_eqgroup *g, const floe_value *key)
{
    if (g->count == 0) {
        return false;
    }
    uint64_t h = key_hash(key, g->n_ids);
    size_t mask = g->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const eq_slot *s = &g->slots[i];
        if (s->key == NULL) {
            return false;
        }
        if (s->hash == h && key_eq(s->key, key, g->n_ids)) {
            return true;
        }
    }
}

static floe_status check_memory(rows_eqsets *e, floe_err *err)
{
    if (floe_arena_failed(e->arena) || floe_arena_used(e->arena) + e->table_bytes > e->max_memory) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "equality delete keys need more than %zu bytes of memory",
                            e->max_memory);
    }
    return FLOE_OK;
}

static floe_status eq_grow(rows_eqsets *e, rows_eqgroup *g, floe_err *err)
{
    size_t cap = g->cap == 0 ? 64 : g->cap * 2;
    e->table_bytes += cap * sizeof(eq_slot) - g->cap * sizeof(eq_slot);
    floe_status st = check_memory(e, err);
    if (st != FLOE_OK) {
        return st;
    }
    eq_slot *slots = floe_xcalloc(cap, sizeof(eq_slot));
    for (size_t i = 0; i < g->cap; i++) {
        if (g->slots[i].key != NULL) {
            size_t j = g->slots[i].hash & (cap - 1);
            while (slots[j].key != NULL) {
                j = (j + 1) & (cap - 1);
            }
            slots[j] = g->slots[i];
        }
    }
    free(g->slots);
    g->slots = slots;
    g->cap = cap;
    return FLOE_OK;
}

static floe_status eq_insert(rows_eqsets *e, rows_eqgroup *g, const floe_value *key, floe_err *err)
{
    if ((g->count + 1) * 2 > g->cap) {
        floe_status st = eq_grow(e, g, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    uint64_t h = key_hash(key, g->n_ids);
    size_t mask = g->cap - 1;
    size_t i = h & mask;
    for (; g->slots[i].key != NULL; i = (i + 1) & mask) {
        if (g->slots[i].hash == h && key_eq(g->slots[i].key, key, g->n_ids)) {
            return FLOE_OK; /* already deleted */
        }
    }
    floe_value *copy = floe_arena_calloc(e->arena, g->n_ids, sizeof(floe_value));
    for (size_t k = 0; copy != NULL && k < g->n_ids; k++) {
        if (!rows_value_dup(e->arena, &key[k], &copy[k])) {
            copy = NULL;
        }
    }
    if (copy == NULL) {
        return check_memory(e, err);
    }
    g->slots[i].hash = h;
    g->slots[i].key = copy;
    g->count++;
    e->n_keys++;
    return check_memory(e, err);
}

static int i32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

static floe_status group_for(rows_eqsets *e, const floe_data_file *d, rows_eqgroup **out,
                             floe_err *err)
{
    size_t n = d->n_equality_ids;
    if (n == 0 || d->equality_ids == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "equality delete file without equality ids");
    }
    if (n > 1024) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "%zu equality ids", n);
    }
    int32_t *ids = floe_xmalloc(n * sizeof(int32_t));
    memcpy(ids, d->equality_ids, n * sizeof(int32_t));
    qsort(ids, n, sizeof(int32_t), i32_cmp);
    for (size_t i = 1; i < n; i++) {
        if (ids[i] == ids[i - 1]) {
            int32_t dup = ids[i];
            free(ids);
            return floe_err_set(err, FLOE_ERR_CORRUPT, "equality id %d listed twice", dup);
        }
    }
    for (size_t i = 0; i < e->n_groups; i++) {
        rows_eqgroup *g = &e->groups[i];
        if (g->n_ids == n && memcmp(g->ids, ids, n * sizeof(int32_t)) == 0) {
            free(ids);
            *out = g;
            return FLOE_OK;
        }
    }
    e->groups = floe_xrealloc(e->groups, (e->n_groups + 1) * sizeof(rows_eqgroup));
    rows_eqgroup *g = &e->groups[e->n_groups++];
    memset(g, 0, sizeof(*g));
    g->ids = ids;
    g->n_ids = n;
    *out = g;
    return FLOE_OK;
}

static floe_status load_eq_file(rows_eqsets *e, floe_fileio *io, const floe_data_file *d,
                                const floe_ice_name_mapping *nm, floe_err *err)
{
    rows_eqgroup *g = NULL;
    floe_status st = group_for(e, d, &g, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_pq_reader *r = NULL;
    st = floe_pq_reader_open(io, d->file_path, NULL, &r, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_pq_schema *s = floe_pq_reader_schema(r);
    int32_t *cols = floe_xcalloc(g->n_ids, sizeof(int32_t));
    floe_value *key = floe_xcalloc(g->n_ids, sizeof(floe_value));
    for (size_t i = 0; st == FLOE_OK && i < g->n_ids; i++) {
        const floe_pq_node *n = leaf_for_id(s, g->ids[i], nm, NULL);
        if (n == NULL) {
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "no column for equality id %d", g->ids[i]);
        } else if (n->max_rep != 0) {
            st = floe_err_set(err, FLOE_ERR_CORRUPT, "equality id %d is inside a list or map",
                              g->ids[i]);
        } else {
            cols[i] = n->leaf_index;
        }
    }
    floe_pq_scan *scan = NULL;
    if (st == FLOE_OK) {
        floe_pq_scan_opts so = {.columns = cols, .n_columns = g->n_ids};
        st = floe_pq_scan_new(r, &so, &scan, err);
    }
    while (st == FLOE_OK) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        for (size_t row = 0; st == FLOE_OK && row < b->n_rows; row++) {
            for (size_t k = 0; k < g->n_ids; k++) {
                floe_value v = floe_pq_column_value(&b->columns[k], row);
                key[k] = rows_key_norm(&v);
            }
            st = eq_insert(e, g, key, err);
        }
    }
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);
    free(cols);
    free(key);
    return st;
}

floe_status rows_eqsets_load(floe_fileio *io, const floe_data_file *const *dels, size_t n,
                             const floe_ice_name_mapping *nm, size_t max_memory, rows_eqsets **out,
                             floe_err *err)
{
    rows_eqsets *e = floe_xcalloc(1, sizeof(*e));
    e->arena = floe_arena_new(max_memory);
    e->max_memory = max_memory;
    *out = e;
    for (size_t i = 0; i < n; i++) {
        const floe_data_file *d = dels[i];
        if (d->content != FLOE_CONTENT_EQUALITY_DELETES) {
            continue;
        }
        floe_status st;
        if (d->file_format != FLOE_FORMAT_PARQUET) {
            st = floe_err_set(err, FLOE_ERR_UNSUPPORTED, "format %s",
                              floe_file_format_name(d->file_format));
        } else {
            st = load_eq_file(e, io, d, nm, err);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "equality delete file %s", d->file_path);
        }
    }
    return FLOE_OK;
}

size_t rows_eqsets_count(const rows_eqsets *e)
{
    return e->n_groups;
}

const rows_eqgroup *rows_eqsets_group(const rows_eqsets *e, size_t i, const int32_t **ids,
                                      size_t *n_ids)
{
    *ids = e->groups[i].ids;
    *n_ids = e->groups[i].n_ids;
    return &e->groups[i];
}

size_t rows_eqsets_keys(const rows_eqsets *e)
{
    return e->n_keys;
}

void rows_eqsets_free(rows_eqsets *e)
{
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->n_groups; i++) {
        free(e->groups[i].ids);
        free(e->groups[i].slots);
    }
    free(e->groups);
    floe_arena_free(e->arena);
    free(e);
}
