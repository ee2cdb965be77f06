/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table delete --where EXPR [--equality]`: a row-level delete committed as a row delta.
 *
 * The scan planner finds the data files that may hold matching rows (with the deletes that
 * already apply to them); the row reader reads each with the filter, so only live matching rows
 * come back, with their file positions. By default those positions go into position-delete
 * files, one per partition, and a data file whose every live row matches is removed instead.
 * With --equality the key values of the matching rows (the table's identifier fields, else the
 * columns the filter names: rows equal on those columns match the filter alike) go into
 * equality-delete files, one per partition. The commit validates that no data file matching
 * the filter was added concurrently.
 */
#include "cmd_table_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct group {
    int32_t spec_id;
    char *key; /* partition as JSON */
    const floe_partition_spec *spec;
    floe_value partition; /* in t->a */
    floe_ice_posdel_writer *pw;
    floe_ice_writer *ew;
    floe_map *seen; /* equality keys written (JSON) */
} group;

typedef struct del_ctx {
    tbl *t;
    bool equality;
    const floe_ice_schema *proj; /* empty (positions) or the key columns (equality) */
    const int32_t *eq_ids;
    size_t n_eq_ids;
    const floe_ice_expr *bound;
    const floe_ice_name_mapping *nm;
    group *groups;
    size_t n_groups;
    floe_ice_op *op;
    floe_vec pos; /* int64_t positions of the current file */
    int64_t matched;
    int64_t files_removed;
    floe_buf tmp;
} del_ctx;

static floe_status find_group(del_ctx *c, const floe_scan_task *task, group **out, floe_err *err)
{
    floe_buf_reset(&c->tmp);
    floe_status st = floe_value_to_json(&task->file->partition, &c->tmp, err);
    if (st != FLOE_OK) {
        return st;
    }
    for (size_t i = 0; i < c->n_groups; i++) {
        if (c->groups[i].spec_id == task->file->spec_id &&
            strcmp(c->groups[i].key, floe_buf_cstr(&c->tmp)) == 0) {
            *out = &c->groups[i];
            return FLOE_OK;
        }
    }
    c->groups = floe_xrealloc(c->groups, (c->n_groups + 1) * sizeof(*c->groups));
    group *g = &c->groups[c->n_groups++];
    memset(g, 0, sizeof(*g));
    g->spec_id = task->file->spec_id;
    g->key = floe_arena_strdup(c->t->a, floe_buf_cstr(&c->tmp));
    g->spec = floe_table_meta_spec(c->t->m, task->file->spec_id);
    floe_data_file copy;
    st = floe_data_file_dup(c->t->a, task->file, &copy, err);
    if (st != FLOE_OK) {
        return st;
    }
    g->partition = copy.partition;
    const floe_value *part = g->spec != NULL && g->spec->n_fields > 0 ? &g->partition : NULL;
    if (c->equality) {
        floe_ice_write_opts wo = {
            .table = c->t->m,
            .schema = c->proj,
            .spec = g->spec,
            .content = FLOE_CONTENT_EQUALITY_DELETES,
            .equality_ids = c->eq_ids,
            .n_equality_ids = c->n_eq_ids,
            .partition = part,
        };
        g->seen = floe_map_new(NULL);
        st = floe_ice_writer_new(c->t->io, &wo, &g->ew, err);
    } else {
        floe_ice_posdel_opts po = {.table = c->t->m, .spec = g->spec, .partition = part};
        st = floe_ice_posdel_writer_new(c->t->io, &po, &g->pw, err);
    }
    *out = g;
    return st;
}

/* Equality mode: the key row of each matching row, once per partition. */
static floe_status write_keys(del_ctx *c, group *g, const floe_ice_batch *b, floe_err *err)
{
    floe_value *items = floe_xcalloc(b->n_columns + 1, sizeof(*items));
    floe_status st = FLOE_OK;
    for (size_t r = 0; st == FLOE_OK && r < b->n_rows; r++) {
        floe_buf_reset(&c->tmp);
        st = floe_ice_batch_row_json(b, r, &c->tmp, err);
        if (st != FLOE_OK || floe_map_contains(g->seen, c->tmp.data, c->tmp.len)) {
            continue;
        }
        floe_map_put(g->seen, c->tmp.data, c->tmp.len, NULL);
        floe_value row;
        floe_ice_batch_row(b, r, items, &row);
        st = floe_ice_writer_write_row(g->ew, &row, err);
    }
    free(items);
    return st;
}

static floe_status delete_task(void *ud, const floe_scan_task *task, floe_err *err)
{
    del_ctx *c = ud;
    floe_ice_reader *r = NULL;
    group *g = NULL;
    floe_vec_clear(&c->pos);
    floe_status st = tbl_reader_open(c->t, task, c->proj, c->bound, c->nm, &r, err);
    while (st == FLOE_OK) {
        const floe_ice_batch *b = NULL;
        st = floe_ice_reader_next(r, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        c->matched += (int64_t)b->n_rows;
        if (c->equality) {
            if (g == NULL) {
                st = find_group(c, task, &g, err);
            }
            if (st == FLOE_OK) {
                st = write_keys(c, g, b, err);
            }
        } else {
            const int64_t *pos = floe_ice_reader_positions(r);
            for (size_t i = 0; i < b->n_rows; i++) {
                floe_vec_push_copy(&c->pos, &pos[i]);
            }
        }
    }
    floe_ice_read_stats rs = {0};
    if (r != NULL) {
        floe_ice_reader_stats(r, &rs);
    }
    floe_ice_reader_close(r);
    if (st != FLOE_OK || c->equality || c->pos.n == 0) {
        return st;
    }
    if (rs.rows_filtered == 0) {
        /* Every live row matches: drop the whole file. */
        c->files_removed++;
        return floe_ice_op_remove_file(c->op, task->file->file_path, err);
    }
    st = find_group(c, task, &g, err);
    for (size_t i = 0; st == FLOE_OK && i < c->pos.n; i++) {
        st = floe_ice_posdel_writer_add(g->pw, task->file->file_path,
                                        *FLOE_VEC_AT(&c->pos, int64_t, i), err);
    }
    return st;
}

/* The field ids a bound expression reads, ascending and distinct. */
static void collect_ids(const floe_ice_expr *e, floe_vec *ids)
{
    if (e == NULL) {
        return;
    }
    if (e->bound && e->field_id > 0) {
        for (size_t i = 0; i < ids->n; i++) {
            if (*FLOE_VEC_AT(ids, int32_t, i) == e->field_id) {
                return;
            }
        }
        floe_vec_push_copy(ids, &e->field_id);
        return;
    }
    collect_ids(e->left, ids);
    collect_ids(e->right, ids);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The projection: no columns for positions, the key columns for equality deletes. */
static floe_status make_projection(del_ctx *c, const floe_ice_schema *schema, floe_err *err)
{
    floe_arena *a = c->t->a;
    floe_vec ids;
    floe_vec_init(&ids, sizeof(int32_t));
    if (c->equality && schema->n_identifier_ids > 0) {
        for (size_t i = 0; i < schema->n_identifier_ids; i++) {
            floe_vec_push_copy(&ids, &schema->identifier_ids[i]);
        }
    } else if (c->equality) {
        collect_ids(c->bound, &ids);
    }
    floe_vec_sort(&ids, cmp_i32);
    floe_ice_field *fields = floe_arena_calloc(a, ids.n + 1, sizeof(*fields));
    int32_t *eq = floe_arena_calloc(a, ids.n + 1, sizeof(*eq));
    floe_ice_type *root = floe_arena_calloc(a, 1, sizeof(*root));
    floe_status st = fields && eq && root ? FLOE_OK : floe_arena_check(a, err);
    for (size_t i = 0; st == FLOE_OK && i < ids.n; i++) {
        int32_t id = *FLOE_VEC_AT(&ids, int32_t, i);
        const floe_ice_field *f = floe_ice_schema_find_id(schema, id);
        if (f == NULL || floe_ice_schema_parent_id(schema, id) != 0) {
            st = floe_err_set(err, FLOE_ERR_UNSUPPORTED,
                              "--equality: key column '%s' is nested; equality deletes here "
                              "take top-level columns only",
                              floe_ice_schema_id_name(schema, id));
            break;
        }
        fields[i] = *f;
        eq[i] = id;
    }
    if (st == FLOE_OK && c->equality && ids.n == 0) {
        st = floe_err_set(err, FLOE_ERR_USAGE,
                          "--equality: the filter names no column to key the deletes on");
    }
    if (st == FLOE_OK) {
        root->id = FLOE_ICE_STRUCT;
        root->fields = fields;
        root->n_fields = ids.n;
        c->eq_ids = eq;
        c->n_eq_ids = ids.n;
        st = floe_ice_schema_new(a, schema->schema_id, root, NULL, 0, &c->proj, err);
    }
    floe_vec_fini(&ids);
    return st;
}

/* Close every group's writer and add its file to the operation. */
static floe_status finish_groups(del_ctx *c, floe_vec *written, floe_err *err)
{
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < c->n_groups && st == FLOE_OK; i++) {
        group *g = &c->groups[i];
        if (g->pw != NULL) {
            const floe_data_file *f = NULL;
            st = floe_ice_posdel_writer_close(g->pw, c->t->a, &f, err);
            if (st == FLOE_OK && f != NULL) {
                floe_vec_push_copy(written, &f->file_path);
                st = floe_ice_op_add_file(c->op, f, err);
            }
        } else if (g->ew != NULL) {
            const floe_data_file *fs = NULL;
            size_t n = 0;
            st = floe_ice_writer_close(g->ew, c->t->a, &fs, &n, err);
            for (size_t k = 0; st == FLOE_OK && k < n; k++) {
                floe_vec_push_copy(written, &fs[k].file_path);
                st = floe_ice_op_add_file(c->op, &fs[k], err);
            }
        }
    }
    return st;
}

static void free_groups(del_ctx *c)
{
    for (size_t i = 0; i < c->n_groups; i++) {
        floe_ice_posdel_writer_free(c->groups[i].pw);
        floe_ice_writer_free(c->groups[i].ew);
        floe_map_free(c->groups[i].seen);
    }
    free(c->groups);
}

int tbl_run_delete(const tbl_args *o)
{
    if (o->where == NULL) {
        return cli_usage_error(o->ctx, "--where EXPR is required (to delete every row, use "
                                       "--where true)");
    }
    floe_err err = {0};
    tbl t;
    del_ctx c = {.t = &t, .equality = o->equality};
    floe_vec_init(&c.pos, sizeof(int64_t));
    floe_buf_init(&c.tmp, 0);
    floe_vec written;
    floe_vec_init(&written, sizeof(const char *));
    const floe_ice_expr *unbound = NULL;
    const floe_snapshot *snap = NULL;
    floe_status st = tbl_open(o, true, &t, &err);
    if (st == FLOE_OK) {
        snap = floe_table_meta_current_snapshot(t.m);
        st = tbl_filter(t.a, o->where, floe_table_meta_current_schema(t.m), &unbound, &c.bound,
                        &err);
    }
    if (st == FLOE_OK) {
        st = make_projection(&c, floe_table_meta_current_schema(t.m), &err);
    }
    if (st == FLOE_OK) {
        st = tbl_name_mapping(&t, &c.nm, &err);
    }
    c.op = floe_ice_op_new(FLOE_ICE_OP_ROW_DELTA);
    if (st == FLOE_OK && snap != NULL) {
        floe_scan_opts so = {.filter = unbound, .skip = FLOE_MANIFEST_SKIP_COLUMN_SIZES};
        st = floe_scan_plan(t.io, t.m, &so, delete_task, &c, NULL, &err);
    }
    if (st == FLOE_OK) {
        st = finish_groups(&c, &written, &err);
    }
    if (st == FLOE_OK && c.matched == 0) {
        printf("{\"deleted-rows\":0}\n");
    } else if (st == FLOE_OK) {
        char n[32];
        snprintf(n, sizeof(n), "%lld", (long long)c.matched);
        floe_ice_op_set_summary(c.op, "floe.command", "table delete");
        floe_ice_op_set_summary(c.op, "floe.deleted-rows", n);
        st = floe_ice_op_validate_from(c.op, snap->snapshot_id, unbound, &err);
        if (st == FLOE_OK) {
            st = tbl_commit(&t, c.op, &err);
        }
        if (st != FLOE_OK) {
            for (size_t i = 0; i < written.n; i++) {
                floe_io_delete(t.io, *FLOE_VEC_AT(&written, const char *, i), NULL);
            }
        }
    }
    free_groups(&c);
    floe_ice_op_free(c.op);
    floe_vec_fini(&c.pos);
    floe_vec_fini(&written);
    floe_buf_fini(&c.tmp);
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
