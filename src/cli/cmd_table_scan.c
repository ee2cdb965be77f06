/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table scan`: the rows of a snapshot as JSON lines, in the canonical value format of
 * `floe parquet cat` (value.h). The scan planner picks the data files and their deletes; each
 * file is read through the row reader (projection by field id through schema evolution, deletes
 * applied, the filter re-checked on every row) and printed as it is read.
 */
#include "cmd_table_int.h"

#include <errno.h>
#include <string.h>

#define OUT_FLUSH_BYTES ((size_t)1 << 20)

typedef struct scan_ctx {
    tbl *t;
    const floe_ice_schema *proj;
    const floe_ice_expr *bound;
    const floe_ice_name_mapping *nm;
    uint64_t limit;
    uint64_t printed;
    floe_buf out;
} scan_ctx;

/* The top-level columns named in "a,b,c", in that order, as a schema with the same ids. */
static floe_status project(floe_arena *a, const floe_ice_schema *s, const char *spec,
                           const floe_ice_schema **out, floe_err *err)
{
    size_t cap = 1;
    for (const char *p = spec; *p != '\0'; p++) {
        cap += *p == ',';
    }
    floe_ice_field *fields = floe_arena_calloc(a, cap, sizeof(*fields));
    floe_ice_type *root = floe_arena_calloc(a, 1, sizeof(*root));
    if (fields == NULL || root == NULL) {
        return floe_arena_check(a, err);
    }
    size_t n = 0;
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        const floe_ice_field *f = NULL;
        for (size_t i = 0; i < s->root->n_fields; i++) {
            const char *name = s->root->fields[i].name;
            if (strlen(name) == len && memcmp(name, p, len) == 0) {
                f = &s->root->fields[i];
            }
        }
        if (f == NULL) {
            return floe_err_set(err, FLOE_ERR_USAGE, "--columns: no top-level column '%.*s'",
                                (int)len, p);
        }
        for (size_t i = 0; i < n; i++) {
            if (fields[i].id == f->id) {
                return floe_err_set(err, FLOE_ERR_USAGE, "--columns: '%s' is listed twice",
                                    f->name);
            }
        }
        fields[n++] = *f;
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    root->id = FLOE_ICE_STRUCT;
    root->fields = fields;
    root->n_fields = n;
    return floe_ice_schema_new(a, s->schema_id, root, NULL, 0, out, err);
}

static floe_status scan_task(void *ud, const floe_scan_task *task, floe_err *err)
{
    scan_ctx *c = ud;
    if (c->printed >= c->limit) {
        return FLOE_ERR_CANCELED; /* --limit reached: stop planning */
    }
    floe_ice_reader *r = NULL;
    floe_status st = tbl_reader_open(c->t, task, c->proj, c->bound, c->nm, &r, err);
    while (st == FLOE_OK && c->printed < c->limit) {
        const floe_ice_batch *b = NULL;
        st = floe_ice_reader_next(r, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        for (size_t i = 0; st == FLOE_OK && i < b->n_rows && c->printed < c->limit; i++) {
            st = floe_ice_batch_row_json(b, i, &c->out, err);
            if (st == FLOE_OK) {
                st = floe_buf_append_byte(&c->out, '\n', err);
            }
            c->printed++;
        }
        if (st == FLOE_OK && c->out.len >= OUT_FLUSH_BYTES && !cli_flush_stdout(&c->out)) {
            st = floe_err_errno(err, errno, "writing to standard output");
        }
    }
    floe_ice_reader_close(r);
    return st;
}

int tbl_run_scan(const tbl_args *o)
{
    floe_err err = {0};
    uint64_t limit = UINT64_MAX;
    if (o->limit != NULL && floe_parse_u64(o->limit, &limit, &err) != FLOE_OK) {
        return cli_usage_error(o->ctx, "--limit: %s", err.msg);
    }
    tbl t;
    scan_ctx c = {.t = &t, .limit = limit};
    floe_buf_init(&c.out, 0);
    floe_scan_opts so;
    const floe_snapshot *snap = NULL;
    const floe_ice_expr *unbound = NULL;
    floe_status st = tbl_open_snapshot(o, &t, &so, &snap, &err);
    const floe_ice_schema *schema = st == FLOE_OK ? tbl_snapshot_schema(t.m, snap) : NULL;
    if (st == FLOE_OK) {
        st = tbl_filter(t.a, o->where, schema, &unbound, &c.bound, &err);
    }
    c.proj = schema;
    if (st == FLOE_OK && o->columns != NULL) {
        st = project(t.a, schema, o->columns, &c.proj, &err);
    }
    if (st == FLOE_OK) {
        st = tbl_name_mapping(&t, &c.nm, &err);
    }
    if (st == FLOE_OK && snap != NULL && limit > 0) {
        so.filter = unbound;
        so.skip = FLOE_MANIFEST_SKIP_COLUMN_SIZES;
        st = floe_scan_plan(t.io, t.m, &so, scan_task, &c, NULL, &err);
        if (st == FLOE_ERR_CANCELED && c.printed >= c.limit) {
            floe_err_clear(&err);
            st = FLOE_OK;
        }
    }
    bool flushed = cli_flush_stdout(&c.out);
    if (st == FLOE_OK && (!flushed || fflush(stdout) != 0)) {
        st = floe_err_errno(&err, errno, "writing to standard output");
    }
    floe_buf_fini(&c.out);
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
