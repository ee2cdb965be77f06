/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the rows of one data file task: a Parquet data file, projected by field id onto an
 * Iceberg schema, with its position and equality deletes and an optional residual filter.
 *
 * At open, a read plan is built that pairs every projected field with the file node carrying
 * its id (by Parquet field_id, or through a name mapping when the file has no ids at all):
 * renamed columns match by id, columns the file lacks become constants (an identity partition
 * value, the v3 initial default, or null), and primitive types are checked for allowed
 * promotions when values are converted (rows_to_ice). Only the top-level file columns the plan
 * (and the delete keys and filter) need are decoded.
 *
 * Each file batch is assembled row by row (floe_pq_assembler), then: the row's position is
 * checked against the sorted position-delete array (a cursor that only moves forward, since
 * positions grow), the projected values are converted, the equality-delete key tuples are
 * looked up, and the filter is evaluated. Surviving rows are written column-major into a batch
 * allocated from a per-batch arena that is reset on the next call.
 */
#include "rows_int.h"

#include <string.h>

#include "ice_int.h"

#define BATCH_ARENA_MAX ((size_t)1 << 30)

typedef struct rplan rplan;
struct rplan {
    const floe_ice_field *field;
    const floe_ice_type *type;
    const floe_pq_node *node; /* NULL: `constant` */
    floe_value constant;
    rplan *kids;
    size_t n_kids;
    int32_t *src; /* structs: per kid, its index among the file value's items (-1: constant) */
    const char **names;
};

/* A column the deletes or the filter need that the projection does not have. */
typedef struct extra {
    int32_t id;
    int32_t top; /* index into r->top, -1 when the file lacks the column */
    int32_t path[FLOE_ICE_MAX_DEPTH];
    size_t depth;
    const floe_ice_type *type; /* NULL: the raw value (keys are normalised anyway) */
} extra;

struct floe_ice_reader {
    floe_fileio *io;
    floe_ice_read_opts o;
    floe_arena *arena;
    floe_arena *batch_arena;
    floe_err *err;

    floe_pq_reader *pr;
    floe_pq_scan *scan;
    bool use_mapping;
    const floe_ice_name_mapping *nm;
    floe_map *node_ids; /* node pointer -> id + 1 (name-mapped files) */

    const floe_pq_node **top;
    size_t n_top, cap_top;
    rplan root;
    extra *extras;
    size_t n_extras;

    int64_t *pos;
    size_t n_pos, pos_i;
    rows_eqsets *eq;
    floe_value *key;

    floe_ice_batch batch;
    floe_value **cols;
    int64_t *positions; /* file position of each row of the batch (batch arena) */
    floe_ice_read_stats stats;
    bool done;
};

/* ==== File nodes ==== */

static int32_t node_id(const floe_ice_reader *r, const floe_pq_node *n)
{
    if (!r->use_mapping) {
        return n->has_field_id ? n->field_id : -1;
    }
    void *v = floe_map_get(r->node_ids, &n, sizeof(n));
    return v == NULL ? -1 : (int32_t)((intptr_t)v - 1);
}

/* The node holding a list's elements (as the assembler reads it), or NULL. */
static const floe_pq_node *list_element(const floe_pq_node *n, bool *instance)
{
    *instance = false;
    if (n->repetition == FLOE_PQ_REPEATED) {
        *instance = true; /* an unannotated repeated field: a list of its instances */
        return n;
    }
    if (n->is_leaf || n->logical.kind != FLOE_PQ_LT_LIST || n->n_children != 1 ||
        n->children[0]->repetition != FLOE_PQ_REPEATED) {
        return NULL;
    }
    const floe_pq_node *rn = n->children[0];
    size_t nl = strlen(n->name);
    bool tuple = strlen(rn->name) == nl + 6 && strncmp(rn->name, n->name, nl) == 0 &&
                 strcmp(rn->name + nl, "_tuple") == 0;
    if (rn->is_leaf || rn->n_children > 1 || strcmp(rn->name, "array") == 0 || tuple) {
        *instance = true;
        return rn;
    }
    return rn->children[0];
}

static bool map_parts(const floe_pq_node *n, const floe_pq_node **k, const floe_pq_node **v)
{
    if (n->is_leaf || n->n_children != 1 || n->repetition == FLOE_PQ_REPEATED) {
        return false;
    }
    const floe_pq_node *kv = n->children[0];
    if (kv->repetition != FLOE_PQ_REPEATED || kv->is_leaf || kv->n_children < 1 ||
        kv->n_children > 2) {
        return false;
    }
    if (!(n->logical.kind == FLOE_PQ_LT_MAP ||
          (n->logical.kind == FLOE_PQ_LT_NONE && kv->converted_type == 2))) {
        return false;
    }
    *k = kv->children[0];
    *v = kv->n_children == 2 ? kv->children[1] : NULL;
    return true;
}

static bool schema_has_ids(const floe_pq_node *n)
{
    if (n->has_field_id && n->parent != NULL) {
        return true;
    }
    for (size_t i = 0; i < n->n_children; i++) {
        if (schema_has_ids(n->children[i])) {
            return true;
        }
    }
    return false;
}

static void map_node(floe_ice_reader *r, const floe_pq_node *n, int32_t id)
{
    if (id >= 0) {
        floe_map_put(r->node_ids, &n, sizeof(n), (void *)(intptr_t)(id + 1));
    }
}

static void map_children(floe_ice_reader *r, const floe_pq_node *g,
                         const floe_ice_name_mapping *level, int depth);

/* Give ids to what is inside node `n`, whose own mapping level is `sub`. */
static void map_inside(floe_ice_reader *r, const floe_pq_node *n, const floe_ice_name_mapping *sub,
                       bool instance, int depth)
{
    if (n->is_leaf || depth > FLOE_ICE_MAX_DEPTH) {
        return;
    }
    const floe_pq_node *k, *v;
    bool inst;
    const floe_pq_node *e = instance ? NULL : list_element(n, &inst);
    int32_t id;
    if (e != NULL) {
        const floe_ice_name_mapping *es = rows_mapping_find_field(sub, "element", &id);
        if (e != n) {
            map_node(r, e, id);
        }
        map_inside(r, e, es, inst, depth + 1);
    } else if (!instance && map_parts(n, &k, &v)) {
        const floe_ice_name_mapping *ks = rows_mapping_find_field(sub, "key", &id);
        map_node(r, k, id);
        map_inside(r, k, ks, false, depth + 1);
        if (v != NULL) {
            const floe_ice_name_mapping *vs = rows_mapping_find_field(sub, "value", &id);
            map_node(r, v, id);
            map_inside(r, v, vs, false, depth + 1);
        }
    } else {
        map_children(r, n, sub, depth + 1);
    }
}

static void map_children(floe_ice_reader *r, const floe_pq_node *g,
                         const floe_ice_name_mapping *level, int depth)
{
    for (size_t i = 0; level != NULL && i < g->n_children; i++) {
        const floe_pq_node *c = g->children[i];
        int32_t id;
        const floe_ice_name_mapping *sub = rows_mapping_find_field(level, c->name, &id);
        map_node(r, c, id);
        map_inside(r, c, sub, false, depth);
    }
}

/* ==== Read plan ==== */

static floe_status missing_constant(floe_ice_reader *r, const floe_ice_field *f, floe_value *out)
{
    floe_err *err = r->err;
    *out = floe_value_null();
    /* An identity partition value, when the file's spec has one for this column. */
    const floe_partition_spec *spec = r->o.spec;
    const floe_value *part = &r->o.file->partition;
    for (size_t i = 0; spec != NULL && i < spec->n_fields; i++) {
        const floe_partition_field *pf = &spec->fields[i];
        if (pf->transform.kind == FLOE_ICE_T_IDENTITY && pf->source_id == f->id &&
            part->kind == FLOE_V_STRUCT && i < part->u.nested.n) {
            if (rows_to_ice(f->type, &part->u.nested.items[i], out)) {
                return FLOE_OK;
            }
        }
    }
    if (f->initial_default != NULL) {
        json_error_t je;
        json_t *j = json_loads(f->initial_default, JSON_DECODE_ANY, &je);
        if (j == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID, "column '%s': bad initial-default", f->name);
        }
        floe_status st = floe_ice_value_from_json(r->arena, f->type, j, out, err);
        json_decref(j);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "column '%s': initial-default", f->name);
        }
        return FLOE_OK;
    }
    if (f->required) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "required column '%s' (id %d) is missing from the file and has no "
                            "initial default",
                            f->name, f->id);
    }
    return FLOE_OK;
}

static floe_status incompatible(floe_ice_reader *r, const floe_ice_field *f, const char *what)
{
    return floe_err_set(r->err, FLOE_ERR_INVALID, "column '%s' (id %d, %s): the file has %s",
                        f->name, f->id, floe_ice_type_name(f->type->id), what);
}

static floe_status plan_struct(floe_ice_reader *r, rplan *p, const floe_ice_type *t,
                               const floe_pq_node *g, int depth);

/* Plan reading field `f` from file node `n` (NULL: missing). `instance`: `n` is a repeated
 * node read as one element (its group is a struct, not a list). */
static floe_status plan_field(floe_ice_reader *r, rplan *p, const floe_ice_field *f,
                              const floe_pq_node *n, bool instance, int depth)
{
    p->field = f;
    p->type = f->type;
    p->node = n;
    if (depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(r->err, FLOE_ERR_TOO_BIG, "schema nested too deeply");
    }
    if (n == NULL) {
        return missing_constant(r, f, &p->constant);
    }
    const floe_ice_type *t = f->type;
    if (floe_ice_type_is_primitive(t)) {
        if (!n->is_leaf || (!instance && n->repetition == FLOE_PQ_REPEATED)) {
            return incompatible(r, f, "a group or repeated column");
        }
        return FLOE_OK;
    }
    bool inst = false;
    const floe_pq_node *e = instance ? NULL : list_element(n, &inst);
    const floe_pq_node *k = NULL, *v = NULL;
    switch (t->id) {
    case FLOE_ICE_STRUCT:
        if (n->is_leaf || e != NULL || (!instance && map_parts(n, &k, &v))) {
            return incompatible(r, f, "no struct");
        }
        return plan_struct(r, p, t, n, depth);
    case FLOE_ICE_LIST:
        if (e == NULL) {
            return incompatible(r, f, "no list");
        }
        p->kids = floe_arena_calloc(r->arena, 1, sizeof(rplan));
        if (p->kids == NULL) {
            return ice_nomem(r->arena, r->err);
        }
        p->n_kids = 1;
        return plan_field(r, &p->kids[0], &t->fields[0], e, inst, depth + 1);
    case FLOE_ICE_MAP: {
        if (instance || !map_parts(n, &k, &v)) {
            return incompatible(r, f, "no map");
        }
        p->kids = floe_arena_calloc(r->arena, 2, sizeof(rplan));
        if (p->kids == NULL) {
            return ice_nomem(r->arena, r->err);
        }
        p->n_kids = 2;
        floe_status st = plan_field(r, &p->kids[0], &t->fields[0], k, false, depth + 1);
        if (st == FLOE_OK) {
            st = plan_field(r, &p->kids[1], &t->fields[1], v, false, depth + 1);
        }
        return st;
    }
    default:
        return incompatible(r, f, "an unsupported type");
    }
}

static floe_status plan_struct(floe_ice_reader *r, rplan *p, const floe_ice_type *t,
                               const floe_pq_node *g, int depth)
{
    size_t n = t->n_fields;
    p->kids = floe_arena_calloc(r->arena, n + 1, sizeof(rplan));
    p->src = floe_arena_calloc(r->arena, n + 1, sizeof(int32_t));
    p->names = floe_arena_calloc(r->arena, n + 1, sizeof(char *));
    if (p->kids == NULL || p->src == NULL || p->names == NULL) {
        return ice_nomem(r->arena, r->err);
    }
    p->n_kids = n;
    for (size_t i = 0; i < n; i++) {
        const floe_ice_field *f = &t->fields[i];
        p->names[i] = f->name;
        p->src[i] = -1;
        const floe_pq_node *c = NULL;
        for (size_t k = 0; g != NULL && k < g->n_children; k++) {
            if (node_id(r, g->children[k]) == f->id) {
                c = g->children[k];
                p->src[i] = (int32_t)k;
                break;
            }
        }
        floe_status st = plan_field(r, &p->kids[i], f, c, false, depth + 1);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

/* Index of top-level file node `n` among the decoded ones (added when new). */
static int32_t use_top(floe_ice_reader *r, const floe_pq_node *n)
{
    for (size_t i = 0; i < r->n_top; i++) {
        if (r->top[i] == n) {
            return (int32_t)i;
        }
    }
    if (r->n_top == r->cap_top) {
        r->cap_top = r->cap_top == 0 ? 16 : r->cap_top * 2;
        r->top = floe_xrealloc(r->top, r->cap_top * sizeof(*r->top));
    }
    r->top[r->n_top] = n;
    return (int32_t)r->n_top++;
}

/* Find field `id` outside lists and maps; the path of child indexes from the root. */
static const floe_pq_node *find_path(const floe_ice_reader *r, const floe_pq_node *g, int32_t id,
                                     int32_t *path, size_t depth, size_t *out_depth)
{
    if (depth >= FLOE_ICE_MAX_DEPTH) {
        return NULL;
    }
    for (size_t i = 0; i < g->n_children; i++) {
        const floe_pq_node *c = g->children[i];
        if (c->repetition == FLOE_PQ_REPEATED) {
            continue;
        }
        path[depth] = (int32_t)i;
        if (node_id(r, c) == id) {
            *out_depth = depth + 1;
            return c;
        }
        const floe_pq_node *k, *v;
        bool inst;
        if (!c->is_leaf && list_element(c, &inst) == NULL && !map_parts(c, &k, &v)) {
            const floe_pq_node *f = find_path(r, c, id, path, depth + 1, out_depth);
            if (f != NULL) {
                return f;
            }
        }
    }
    return NULL;
}

static floe_status add_extra(floe_ice_reader *r, int32_t id, const floe_ice_type *type)
{
    if (floe_ice_schema_find_id(r->o.schema, id) != NULL) {
        return FLOE_OK; /* projected: read from the output row */
    }
    for (size_t i = 0; i < r->n_extras; i++) {
        if (r->extras[i].id == id) {
            if (r->extras[i].type == NULL) {
                r->extras[i].type = type;
            }
            return FLOE_OK;
        }
    }
    r->extras = floe_xrealloc(r->extras, (r->n_extras + 1) * sizeof(extra));
    extra *x = &r->extras[r->n_extras++];
    memset(x, 0, sizeof(*x));
    x->id = id;
    x->type = type;
    x->top = -1;
    const floe_pq_node *n =
        find_path(r, floe_pq_reader_schema(r->pr)->root, id, x->path, 0, &x->depth);
    if (n != NULL) {
        x->top = use_top(r, floe_pq_reader_schema(r->pr)->root->children[x->path[0]]);
    }
    return FLOE_OK;
}

static floe_status add_filter_extras(floe_ice_reader *r, const floe_ice_expr *e, int depth)
{
    if (e == NULL || depth > FLOE_ICE_MAX_DEPTH) {
        return FLOE_OK;
    }
    if (e->bound && e->field_id > 0) {
        return add_extra(r, e->field_id, e->type);
    }
    floe_status st = add_filter_extras(r, e->left, depth + 1);
    if (st == FLOE_OK) {
        st = add_filter_extras(r, e->right, depth + 1);
    }
    return st;
}

/* ==== Row group pruning ==== */

/* The Iceberg type a filter column is read as: the projected field's, else the predicate's. */
static const floe_ice_type *filter_type(const floe_ice_reader *r, int32_t id)
{
    const floe_ice_field *f = floe_ice_schema_find_id(r->o.schema, id);
    if (f != NULL) {
        return f->type;
    }
    for (size_t i = 0; i < r->n_extras; i++) {
        if (r->extras[i].id == id) {
            return r->extras[i].type;
        }
    }
    return NULL;
}

static bool stat_bound(const floe_pq_node *leaf, const floe_ice_type *t, const floe_pq_stats *st,
                       bool max, floe_arena *a, floe_str *out)
{
    floe_value v, x;
    if (!(max ? st->has_max : st->has_min) || leaf->type == FLOE_PQ_INT96 ||
        (st->legacy_minmax &&
         (leaf->type == FLOE_PQ_BYTE_ARRAY || leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY)) ||
        !floe_pq_stat_value(leaf, max ? st->max : st->min, &v) || !rows_to_ice(t, &v, &x)) {
        return false;
    }
    if ((x.kind == FLOE_V_DOUBLE && x.u.f64 != x.u.f64) ||
        (x.kind == FLOE_V_FLOAT && x.u.f32 != x.u.f32)) {
        return false; /* NaN in statistics (old writers): not a bound */
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    bool ok = floe_ice_value_to_bytes(t, &x, &b, NULL) == FLOE_OK;
    if (ok) {
        out->ptr = floe_arena_memdup(a, b.data != NULL ? b.data : "", b.len + 1);
        out->len = b.len;
        ok = out->ptr != NULL;
    }
    floe_buf_fini(&b);
    return ok;
}

/*
 * The row groups the residual filter may match, judged from their column statistics the way
 * manifests' metrics are judged (floe_ice_metrics_might_match). Columns inside lists and maps,
 * INT96, legacy byte-array statistics and NaN bounds are not used. *out NULL: read all (heap
 * otherwise: free()).
 */
static void prune_row_groups(floe_ice_reader *r, size_t **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    const floe_pq_file_meta *fm = floe_pq_reader_meta(r->pr);
    const floe_pq_schema *ps = floe_pq_reader_schema(r->pr);
    if (r->o.filter == NULL || fm->n_row_groups == 0) {
        return;
    }
    size_t nl = ps->n_leaves;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_field_count *vc = floe_arena_calloc(a, nl + 1, sizeof(*vc));
    floe_field_count *nc = floe_arena_calloc(a, nl + 1, sizeof(*nc));
    floe_field_bound *lo = floe_arena_calloc(a, nl + 1, sizeof(*lo));
    floe_field_bound *hi = floe_arena_calloc(a, nl + 1, sizeof(*hi));
    size_t *keep = floe_xcalloc(fm->n_row_groups + 1, sizeof(size_t));
    size_t k = 0;
    for (size_t g = 0; g < fm->n_row_groups; g++) {
        const floe_pq_row_group *rg = &fm->row_groups[g];
        floe_data_file df = {.content = FLOE_CONTENT_DATA, .record_count = rg->num_rows};
        size_t nv = 0, nn = 0, nlo = 0, nhi = 0;
        for (size_t c = 0; c < rg->n_columns && c < nl; c++) {
            const floe_pq_node *leaf = ps->leaves[c];
            const floe_pq_column_chunk *cc = &rg->columns[c];
            int32_t id = node_id(r, leaf);
            const floe_ice_type *t = id >= 0 ? filter_type(r, id) : NULL;
            if (t == NULL || leaf->max_rep != 0 || !floe_ice_type_is_primitive(t) ||
                !cc->has_stats) {
                continue;
            }
            vc[nv++] = (floe_field_count){id, cc->num_values};
            if (cc->stats.has_null_count) {
                nc[nn++] = (floe_field_count){id, cc->stats.null_count};
            }
            floe_str b;
            if (stat_bound(leaf, t, &cc->stats, false, a, &b)) {
                lo[nlo++] = (floe_field_bound){id, b};
            }
            if (stat_bound(leaf, t, &cc->stats, true, a, &b)) {
                hi[nhi++] = (floe_field_bound){id, b};
            }
        }
        df.value_counts = vc;
        df.n_value_counts = nv;
        df.null_value_counts = nc;
        df.n_null_value_counts = nn;
        df.lower_bounds = lo;
        df.n_lower_bounds = nlo;
        df.upper_bounds = hi;
        df.n_upper_bounds = nhi;
        if (floe_ice_metrics_might_match(r->o.filter, &df)) {
            keep[k++] = g;
        } else {
            r->stats.row_groups_skipped++;
        }
    }
    floe_arena_free(a);
    if (k == fm->n_row_groups) {
        free(keep);
        return;
    }
    *out = keep;
    *n_out = k;
}

/* ==== Open ==== */

static floe_status open_task(floe_ice_reader *r)
{
    floe_err *err = r->err;
    const floe_ice_read_opts *o = &r->o;
    floe_status st = floe_pq_reader_open(r->io, o->file->file_path, NULL, &r->pr, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_pq_schema *ps = floe_pq_reader_schema(r->pr);
    if (!schema_has_ids(ps->root)) {
        r->use_mapping = true;
        r->node_ids = floe_map_new(NULL);
        r->nm = o->name_mapping;
        if (r->nm == NULL) {
            st = floe_ice_name_mapping_from_schema(r->arena, o->schema, &r->nm, err);
            if (st != FLOE_OK) {
                return st;
            }
        }
        map_children(r, ps->root, r->nm, 0);
    }

    /* Projected top-level fields. */
    const floe_ice_type *root = o->schema->root;
    size_t n = root->n_fields;
    r->root.type = root;
    r->root.kids = floe_arena_calloc(r->arena, n + 1, sizeof(rplan));
    r->root.src = floe_arena_calloc(r->arena, n + 1, sizeof(int32_t));
    r->root.names = floe_arena_calloc(r->arena, n + 1, sizeof(char *));
    if (r->root.kids == NULL || r->root.src == NULL || r->root.names == NULL) {
        return ice_nomem(r->arena, err);
    }
    r->root.n_kids = n;
    for (size_t i = 0; i < n; i++) {
        const floe_ice_field *f = &root->fields[i];
        r->root.names[i] = f->name;
        r->root.src[i] = -1;
        const floe_pq_node *c = NULL;
        for (size_t k = 0; k < ps->root->n_children; k++) {
            if (node_id(r, ps->root->children[k]) == f->id) {
                c = ps->root->children[k];
                break;
            }
        }
        st = plan_field(r, &r->root.kids[i], f, c, false, 1);
        if (st != FLOE_OK) {
            return st;
        }
        if (c != NULL) {
            r->root.src[i] = use_top(r, c);
        }
    }

    /* Deletes. */
    size_t max_pos =
        o->max_delete_positions != 0 ? o->max_delete_positions : FLOE_ICE_MAX_DELETE_POSITIONS;
    size_t max_mem = o->max_delete_memory != 0 ? o->max_delete_memory : FLOE_ICE_MAX_DELETE_MEMORY;
    st = rows_load_positions(r->io, o->file->file_path, o->deletes, o->n_deletes, max_pos, o,
                             &r->pos, &r->n_pos, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->stats.delete_positions = r->n_pos;
    st = rows_eqsets_load(r->io, o->deletes, o->n_deletes, o->name_mapping, max_mem, &r->eq, err);
    if (st != FLOE_OK) {
        return st;
    }
    r->stats.delete_keys = rows_eqsets_keys(r->eq);
    size_t max_ids = 0;
    for (size_t g = 0; g < rows_eqsets_count(r->eq); g++) {
        const int32_t *ids;
        size_t nid;
        rows_eqsets_group(r->eq, g, &ids, &nid);
        max_ids = nid > max_ids ? nid : max_ids;
        for (size_t k = 0; k < nid; k++) {
            const floe_ice_field *tf = floe_ice_schema_find_id(o->schema, ids[k]);
            if (tf != NULL && floe_ice_schema_in_repeated(o->schema, ids[k])) {
                return floe_err_set(err, FLOE_ERR_INVALID, "equality id %d is inside a list or map",
                                    ids[k]);
            }
            st = add_extra(r, ids[k], NULL);
            if (st != FLOE_OK) {
                return st;
            }
        }
    }
    r->key = floe_arena_calloc(r->arena, max_ids + 1, sizeof(floe_value));
    if (r->key == NULL) {
        return ice_nomem(r->arena, err);
    }
    st = add_filter_extras(r, o->filter, 0);
    if (st != FLOE_OK) {
        return st;
    }
    if (o->filter != NULL && !o->filter->bound && o->filter->op != FLOE_ICE_EXPR_TRUE &&
        o->filter->op != FLOE_ICE_EXPR_FALSE && o->filter->op != FLOE_ICE_EXPR_AND &&
        o->filter->op != FLOE_ICE_EXPR_OR) {
        return floe_err_set(err, FLOE_ERR_INVALID, "the row filter is not bound");
    }

    /* Decode at least one column, so that rows are counted even when none is projected. */
    if (r->n_top == 0 && ps->root->n_children > 0) {
        (void)use_top(r, ps->root->children[0]);
    }
    floe_vec leaves;
    floe_vec_init(&leaves, sizeof(int32_t));
    for (size_t i = 0; i < r->n_top; i++) {
        floe_pq_node_leaves(r->top[i], &leaves);
    }
    size_t *groups = NULL, n_groups = 0;
    prune_row_groups(r, &groups, &n_groups);
    floe_pq_scan_opts so = {.columns = leaves.data,
                            .n_columns = leaves.n,
                            .batch_rows =
                                o->batch_rows != 0 ? o->batch_rows : FLOE_ICE_DEFAULT_BATCH_ROWS,
                            .row_groups = groups,
                            .n_row_groups = n_groups};
    bool nothing = groups != NULL && n_groups == 0;
    st = leaves.n > 0 && !nothing ? floe_pq_scan_new(r->pr, &so, &r->scan, err) : FLOE_OK;
    free(groups);
    floe_vec_fini(&leaves);
    if (st != FLOE_OK) {
        return st;
    }
    r->cols = floe_arena_calloc(r->arena, n + 1, sizeof(floe_value *));
    if (r->cols == NULL) {
        return ice_nomem(r->arena, err);
    }
    r->batch.schema = o->schema;
    r->batch.n_columns = n;
    r->batch.columns = (const floe_value *const *)r->cols;
    r->done = r->scan == NULL;
    return FLOE_OK;
}

floe_status floe_ice_reader_open(floe_fileio *io, const floe_ice_read_opts *opts,
                                 floe_ice_reader **out, floe_err *err)
{
    *out = NULL;
    if (opts == NULL || opts->schema == NULL || opts->file == NULL ||
        opts->file->file_path == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "reader needs a schema and a data file");
    }
    if (opts->file->content != FLOE_CONTENT_DATA) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s is not a data file", opts->file->file_path);
    }
    if (opts->file->file_format != FLOE_FORMAT_PARQUET) {
        return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "%s: format %s is not supported",
                            opts->file->file_path, floe_file_format_name(opts->file->file_format));
    }
    floe_ice_reader *r = floe_xcalloc(1, sizeof(*r));
    r->io = io;
    r->o = *opts;
    r->err = err;
    r->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    r->batch_arena = floe_arena_new(BATCH_ARENA_MAX);
    floe_status st = open_task(r);
    if (st != FLOE_OK) {
        floe_ice_reader_close(r);
        return floe_err_wrap(err, "data file %s", opts->file->file_path);
    }
    *out = r;
    return FLOE_OK;
}

void floe_ice_reader_close(floe_ice_reader *r)
{
    if (r == NULL) {
        return;
    }
    floe_pq_scan_free(r->scan);
    floe_pq_reader_close(r->pr);
    floe_map_free(r->node_ids);
    rows_eqsets_free(r->eq);
    free(r->pos);
    free(r->top);
    free(r->extras);
    floe_arena_free(r->arena);
    floe_arena_free(r->batch_arena);
    free(r);
}

void floe_ice_reader_stats(const floe_ice_reader *r, floe_ice_read_stats *out)
{
    *out = r->stats;
}

/* ==== Rows ==== */

static floe_status convert(floe_ice_reader *r, const rplan *p, const floe_value *in,
                           floe_value *out)
{
    if (p->node == NULL) {
        *out = p->constant;
        return FLOE_OK;
    }
    if (in->kind == FLOE_V_NULL) {
        *out = *in;
        return FLOE_OK;
    }
    const floe_ice_type *t = p->type;
    if (floe_ice_type_is_primitive(t)) {
        if (!rows_to_ice(t, in, out)) {
            return floe_err_set(r->err, FLOE_ERR_INVALID,
                                "column '%s' (id %d): a file value of kind %d cannot be read as %s",
                                p->field->name, p->field->id, in->kind, floe_ice_type_name(t->id));
        }
        return FLOE_OK;
    }
    floe_value_kind want = t->id == FLOE_ICE_STRUCT ? FLOE_V_STRUCT
                           : t->id == FLOE_ICE_LIST ? FLOE_V_LIST
                                                    : FLOE_V_MAP;
    if (in->kind != want) {
        return floe_err_set(r->err, FLOE_ERR_INVALID, "column '%s': unexpected nested value",
                            p->field->name);
    }
    size_t n = t->id == FLOE_ICE_STRUCT ? p->n_kids
               : t->id == FLOE_ICE_LIST ? in->u.nested.n
                                        : in->u.nested.n * 2;
    floe_value *items = floe_arena_calloc(r->batch_arena, n + 1, sizeof(floe_value));
    if (items == NULL) {
        return floe_arena_check(r->batch_arena, r->err);
    }
    floe_status st = FLOE_OK;
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        if (t->id == FLOE_ICE_STRUCT) {
            int32_t s = p->src[i];
            if (s < 0 || (size_t)s >= in->u.nested.n) {
                items[i] = p->kids[i].constant;
            } else {
                st = convert(r, &p->kids[i], &in->u.nested.items[s], &items[i]);
            }
        } else if (t->id == FLOE_ICE_LIST) {
            st = convert(r, &p->kids[0], &in->u.nested.items[i], &items[i]);
        } else {
            st = convert(r, &p->kids[i % 2], &in->u.nested.items[i], &items[i]);
        }
    }
    memset(out, 0, sizeof(*out));
    out->kind = (uint8_t)want;
    out->u.nested.items = items;
    out->u.nested.n = in->u.nested.n;
    out->u.nested.names = t->id == FLOE_ICE_STRUCT ? p->names : NULL;
    if (t->id == FLOE_ICE_STRUCT) {
        out->u.nested.n = p->n_kids;
    }
    return st;
}

/* What value lookups see for the current row. */
typedef struct rowctx {
    floe_ice_reader *r;
    floe_value out; /* the projected row (STRUCT over this row's converted items) */
    const floe_value *raw;
} rowctx;

static void row_value(void *ud, int32_t id, floe_value *out)
{
    rowctx *c = ud;
    floe_ice_reader *r = c->r;
    *out = floe_value_null();
    if (floe_ice_schema_find_id(r->o.schema, id) != NULL) {
        floe_ice_row row = {r->o.schema, &c->out};
        floe_ice_row_value(&row, id, out);
        return;
    }
    for (size_t i = 0; i < r->n_extras; i++) {
        const extra *x = &r->extras[i];
        if (x->id != id) {
            continue;
        }
        if (x->top < 0 || (size_t)x->top >= c->raw->u.nested.n) {
            return;
        }
        const floe_value *v = &c->raw->u.nested.items[x->top];
        for (size_t d = 1; d < x->depth; d++) {
            if (v->kind != FLOE_V_STRUCT || (size_t)x->path[d] >= v->u.nested.n) {
                return;
            }
            v = &v->u.nested.items[x->path[d]];
        }
        floe_value cv;
        *out = (x->type != NULL && rows_to_ice(x->type, v, &cv)) ? cv : *v;
        return;
    }
}

static bool eq_deleted(rowctx *c)
{
    floe_ice_reader *r = c->r;
    for (size_t g = 0; g < rows_eqsets_count(r->eq); g++) {
        const int32_t *ids;
        size_t n;
        const rows_eqgroup *grp = rows_eqsets_group(r->eq, g, &ids, &n);
        for (size_t k = 0; k < n; k++) {
            floe_value v;
            row_value(c, ids[k], &v);
            r->key[k] = rows_key_norm(&v);
        }
        if (rows_eqgroup_contains(grp, r->key)) {
            return true;
        }
    }
    return false;
}

/*
 * The batch columns of a flat read, or NULL: when every top-level field read is a leaf that is
 * not repeated (slot i of its column is row i) and no extra column is needed (those are found
 * in the assembled row), rows are read straight from the columns without assembling them.
 */
static const floe_pq_column **flat_columns(floe_ice_reader *r, const floe_pq_batch *b)
{
    if (r->n_extras > 0) {
        return NULL;
    }
    const floe_pq_column **cols = floe_arena_calloc(r->batch_arena, r->n_top + 1, sizeof(*cols));
    if (cols == NULL) {
        return NULL; /* the assembler path reports the arena failure */
    }
    for (size_t s = 0; s < r->n_top; s++) {
        const floe_pq_node *n = r->top[s];
        if (!n->is_leaf || n->repetition == FLOE_PQ_REPEATED) {
            return NULL;
        }
        for (size_t j = 0; j < b->n_columns && cols[s] == NULL; j++) {
            if (b->columns[j].leaf == n && b->columns[j].n == b->n_rows &&
                b->columns[j].rep == NULL) {
                cols[s] = &b->columns[j];
            }
        }
        if (cols[s] == NULL) {
            return NULL;
        }
    }
    return cols;
}

/* Row `i` of a flat column: its value, or null. */
static floe_value flat_value(const floe_pq_column *c, size_t i)
{
    if (c->def != NULL && c->def[i] != c->leaf->max_def) {
        return floe_value_null();
    }
    return floe_pq_column_value(c, i);
}

static floe_status read_file_batch(floe_ice_reader *r, const floe_pq_batch *b, size_t *n_out)
{
    floe_err *err = r->err;
    size_t nc = r->root.n_kids;
    for (size_t c = 0; c < nc; c++) {
        r->cols[c] = floe_arena_calloc(r->batch_arena, b->n_rows + 1, sizeof(floe_value));
        if (r->cols[c] == NULL) {
            return floe_arena_check(r->batch_arena, err);
        }
    }
    floe_value *items = floe_arena_calloc(r->batch_arena, nc + 1, sizeof(floe_value));
    r->positions = floe_arena_calloc(r->batch_arena, b->n_rows + 1, sizeof(int64_t));
    floe_pq_assembler *as = NULL;
    if (items == NULL || r->positions == NULL) {
        return floe_arena_check(r->batch_arena, err);
    }
    const floe_pq_column **flat = flat_columns(r, b);
    floe_status st = flat != NULL
                         ? FLOE_OK
                         : floe_pq_assembler_new(b, r->top, r->n_top, r->batch_arena, &as, err);
    size_t k = 0;
    for (size_t i = 0; st == FLOE_OK && i < b->n_rows; i++) {
        floe_value raw = floe_value_null();
        if (flat == NULL) {
            st = floe_pq_assembler_next(as, &raw, err);
            if (st != FLOE_OK) {
                break;
            }
        }
        r->stats.rows_read++;
        int64_t pos = b->first_row + (int64_t)i;
        while (r->pos_i < r->n_pos && r->pos[r->pos_i] < pos) {
            r->pos_i++;
        }
        if (r->pos_i < r->n_pos && r->pos[r->pos_i] == pos) {
            r->stats.rows_pos_deleted++;
            continue;
        }
        for (size_t c = 0; st == FLOE_OK && c < nc; c++) {
            int32_t s = r->root.src[c];
            if (s < 0) {
                items[c] = r->root.kids[c].constant;
            } else if (flat != NULL) {
                floe_value v = flat_value(flat[s], i);
                st = convert(r, &r->root.kids[c], &v, &items[c]);
            } else {
                st = convert(r, &r->root.kids[c], &raw.u.nested.items[s], &items[c]);
            }
        }
        if (st != FLOE_OK) {
            break;
        }
        rowctx ctx = {.r = r, .raw = &raw};
        ctx.out.kind = FLOE_V_STRUCT;
        ctx.out.u.nested.items = items;
        ctx.out.u.nested.n = nc;
        ctx.out.u.nested.names = r->root.names;
        if (r->eq != NULL && rows_eqsets_count(r->eq) > 0 && eq_deleted(&ctx)) {
            r->stats.rows_eq_deleted++;
            continue;
        }
        if (r->o.filter != NULL && !floe_ice_expr_eval(r->o.filter, row_value, &ctx)) {
            r->stats.rows_filtered++;
            continue;
        }
        for (size_t c = 0; c < nc; c++) {
            r->cols[c][k] = items[c];
        }
        r->positions[k] = pos;
        k++;
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "row group %zu", b->row_group);
    }
    *n_out = k;
    return FLOE_OK;
}

const int64_t *floe_ice_reader_positions(const floe_ice_reader *r)
{
    return r->positions;
}

floe_status floe_ice_reader_next(floe_ice_reader *r, const floe_ice_batch **out, floe_err *err)
{
    *out = NULL;
    r->err = err;
    while (!r->done) {
        floe_arena_reset(r->batch_arena);
        const floe_pq_batch *b;
        floe_status st = floe_pq_scan_next(r->scan, &b, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "data file %s", r->o.file->file_path);
        }
        if (b == NULL) {
            r->done = true;
            break;
        }
        size_t n = 0;
        st = read_file_batch(r, b, &n);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "data file %s", r->o.file->file_path);
        }
        if (n > 0) {
            r->stats.rows_returned += (int64_t)n;
            r->batch.n_rows = n;
            *out = &r->batch;
            return FLOE_OK;
        }
    }
    return FLOE_OK;
}
