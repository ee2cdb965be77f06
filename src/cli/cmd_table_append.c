/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table append`: rows of Parquet and CSV files become new data files of the table,
 * written by the library's data writer (partitioned by the default spec, sorted by the default
 * sort order, field ids and metrics), then committed as one append.
 *
 * Columns are matched by name. A Parquet file is checked against the table first (every column
 * known to the table with a type that fits, every required table column present, field ids, if
 * the file has them, equal to the table's) and then read through the row reader, which does the
 * type promotions; a CSV file's header names columns and each field is parsed as its column's
 * type (an empty unquoted field is null).
 */
#include "cmd_table_int.h"

#include "floe/parquet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_BYTES ((size_t)1 << 30)

typedef struct appender {
    tbl *t;
    const floe_ice_schema *schema; /* the current table schema */
    floe_ice_writer *w;
    int64_t rows;
} appender;

static bool is_csv(const char *file)
{
    size_t n = strlen(file);
    return n >= 4 && strcasecmp(file + n - 4, ".csv") == 0;
}

static const floe_ice_field *top_field(const floe_ice_schema *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->root->n_fields; i++) {
        const char *n = s->root->fields[i].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            return &s->root->fields[i];
        }
    }
    return NULL;
}

/* ==== Parquet ==== */

/* Whether every column of the file fits the table and every required table column is there. */
static floe_status check_parquet(appender *ap, const char *file, const floe_pq_schema *pq,
                                 floe_err *err)
{
    const floe_ice_schema *fs = NULL;
    floe_status st = floe_ice_schema_from_parquet(ap->t->a, pq, &fs, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "%s", file);
    }
    const floe_ice_type *root = fs->root;
    for (size_t i = 0; i < root->n_fields; i++) {
        const floe_ice_field *ff = &root->fields[i];
        const floe_ice_field *tf = top_field(ap->schema, ff->name, strlen(ff->name));
        if (tf == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s: column '%s' is not in the table's schema (schema %d)", file,
                                ff->name, ap->schema->schema_id);
        }
        const floe_pq_node *node = pq->root->children[i];
        if (node->has_field_id && node->field_id != tf->id) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s: column '%s' has field id %d in the file but %d in the table "
                                "(write the file without field ids, or with the table's)",
                                file, ff->name, node->field_id, tf->id);
        }
        bool fits = floe_ice_type_is_primitive(ff->type) && floe_ice_type_is_primitive(tf->type)
                        ? floe_ice_type_can_promote(ff->type, tf->type, ap->t->m->format_version)
                        : ff->type->id == tf->type->id;
        /* Strings and binaries are read into each other; so are fixed(16) and uuid. */
        if (!fits && ((ff->type->id == FLOE_ICE_BINARY && tf->type->id == FLOE_ICE_STRING) ||
                      (ff->type->id == FLOE_ICE_FIXED && ff->type->length == 16 &&
                       tf->type->id == FLOE_ICE_UUID))) {
            fits = true;
        }
        /* Timestamps of any unit and zone flag read as the table's, as the reader converts. */
        if (!fits && (ff->type->id == FLOE_ICE_TIMESTAMP || ff->type->id == FLOE_ICE_TIMESTAMPTZ) &&
            (tf->type->id == FLOE_ICE_TIMESTAMP || tf->type->id == FLOE_ICE_TIMESTAMPTZ)) {
            fits = true;
        }
        if (!fits) {
            char *a = tbl_type_text(ff->type), *b = tbl_type_text(tf->type);
            st = floe_err_set(err, FLOE_ERR_INVALID,
                              "%s: column '%s' is %s in the file but %s in the table", file,
                              ff->name, a != NULL ? a : "?", b != NULL ? b : "?");
            free(a);
            free(b);
            return st;
        }
    }
    for (size_t i = 0; i < ap->schema->root->n_fields; i++) {
        const floe_ice_field *tf = &ap->schema->root->fields[i];
        if (tf->required && tf->initial_default == NULL &&
            top_field(fs, tf->name, strlen(tf->name)) == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: lacks the required column '%s'", file,
                                tf->name);
        }
    }
    return FLOE_OK;
}

static floe_status append_parquet(appender *ap, const char *file, floe_err *err)
{
    floe_pq_reader *pr = NULL;
    floe_status st = floe_pq_reader_open(ap->t->io, file, NULL, &pr, err);
    floe_data_file df = {
        .content = FLOE_CONTENT_DATA, .file_path = file, .file_format = FLOE_FORMAT_PARQUET};
    if (st == FLOE_OK) {
        st = check_parquet(ap, file, floe_pq_reader_schema(pr), err);
        df.record_count = floe_pq_reader_meta(pr)->num_rows;
    }
    floe_pq_reader_close(pr);
    if (st != FLOE_OK) {
        return st;
    }
    /* Files without field ids are matched by the table's column names (the reader's default
     * name mapping is the projected schema's names). */
    floe_ice_read_opts ro = {.schema = ap->schema, .file = &df};
    floe_ice_reader *r = NULL;
    st = floe_ice_reader_open(ap->t->io, &ro, &r, err);
    while (st == FLOE_OK) {
        const floe_ice_batch *b = NULL;
        st = floe_ice_reader_next(r, &b, err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        st = floe_ice_writer_write(ap->w, b, err);
        ap->rows += (int64_t)b->n_rows;
    }
    floe_ice_reader_close(r);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "%s", file);
    }
    return st;
}

/* ==== CSV ==== */

typedef struct csv_field {
    const char *p;
    size_t len;
    bool quoted;
} csv_field;

typedef struct csv {
    const char *p, *end;
    int64_t line; /* of the record being read (1-based) */
    floe_arena *a;
} csv;

/* Read one record into `fields` (RFC 4180: quotes, "" escapes, CRLF). False at the end. */
static bool csv_record(csv *c, floe_vec *fields, floe_err *err, floe_status *st)
{
    floe_vec_clear(fields);
    *st = FLOE_OK;
    if (c->p >= c->end) {
        return false;
    }
    c->line++;
    for (;;) {
        csv_field f = {0};
        if (c->p < c->end && *c->p == '"') {
            f.quoted = true;
            c->p++;
            floe_buf b;
            floe_buf_init(&b, 0);
            bool closed = false;
            while (c->p < c->end) {
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        floe_buf_append_byte(&b, '"', NULL);
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    closed = true;
                    break;
                }
                if (*c->p == '\n') {
                    c->line++;
                }
                floe_buf_append_byte(&b, (uint8_t)*c->p, NULL);
                c->p++;
            }
            f.p = floe_arena_memdup(c->a, b.len > 0 ? b.data : (const void *)"", b.len + 1);
            f.len = b.len;
            floe_buf_fini(&b);
            if (!closed) {
                *st = floe_err_set(err, FLOE_ERR_INVALID, "line %lld: unterminated quote",
                                   (long long)c->line);
                return false;
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                *st = floe_err_set(err, FLOE_ERR_INVALID, "line %lld: text after a closing quote",
                                   (long long)c->line);
                return false;
            }
        } else {
            f.p = c->p;
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                c->p++;
            }
            f.len = (size_t)(c->p - f.p);
        }
        floe_vec_push_copy(fields, &f);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r') {
            c->p++;
        }
        if (c->p < c->end && *c->p == '\n') {
            c->p++;
        }
        return true;
    }
}

static floe_status parse_decimal(const floe_ice_type *t, const char *s, floe_value *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+') {
        p++;
    }
    __int128 v = 0;
    int frac = -1, digits = 0;
    for (; *p != '\0'; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || digits >= 38) {
            return FLOE_ERR_INVALID;
        }
        v = v * 10 + (*p - '0');
        digits++;
        if (frac >= 0) {
            frac++;
        }
    }
    if (digits == 0 || frac > t->scale) {
        return FLOE_ERR_INVALID;
    }
    for (int i = frac < 0 ? 0 : frac; i < t->scale; i++) {
        v *= 10;
    }
    __int128 limit = 1;
    for (int i = 0; i < t->precision; i++) {
        limit *= 10;
    }
    if (v >= limit) {
        return FLOE_ERR_INVALID;
    }
    *out = floe_value_decimal(neg ? -v : v, t->precision, t->scale);
    return FLOE_OK;
}

/* Parse one CSV field as a value of type `t` (text is NUL-terminated in `a`). */
static floe_status csv_value(floe_arena *a, const floe_ice_type *t, const csv_field *f,
                             floe_value *out)
{
    if (f->len == 0 && (!f->quoted || (t->id != FLOE_ICE_STRING && t->id != FLOE_ICE_BINARY))) {
        *out = floe_value_null();
        return FLOE_OK;
    }
    char *s = floe_arena_strndup(a, f->p, f->len);
    if (s == NULL) {
        return FLOE_ERR_TOO_BIG;
    }
    int64_t i64 = 0, us = 0;
    double d = 0;
    bool b = false;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        if (floe_parse_bool(s, &b, NULL) != FLOE_OK) {
            return FLOE_ERR_INVALID;
        }
        *out = floe_value_bool(b);
        return FLOE_OK;
    case FLOE_ICE_INT:
    case FLOE_ICE_LONG:
        if (floe_parse_i64(s, &i64, NULL) != FLOE_OK ||
            (t->id == FLOE_ICE_INT && (i64 < INT32_MIN || i64 > INT32_MAX))) {
            return FLOE_ERR_INVALID;
        }
        *out = t->id == FLOE_ICE_INT ? floe_value_int((int32_t)i64) : floe_value_long(i64);
        return FLOE_OK;
    case FLOE_ICE_FLOAT:
    case FLOE_ICE_DOUBLE:
        if (floe_parse_double(s, &d, NULL) != FLOE_OK) {
            return FLOE_ERR_INVALID;
        }
        *out = t->id == FLOE_ICE_FLOAT ? floe_value_float((float)d) : floe_value_double(d);
        return FLOE_OK;
    case FLOE_ICE_DECIMAL:
        return parse_decimal(t, s, out);
    case FLOE_ICE_DATE:
        if (f->len != 10 || floe_time_parse_iso(s, f->len, &us, NULL) != FLOE_OK) {
            return FLOE_ERR_INVALID;
        }
        *out = floe_value_date((int32_t)(us / 86400000000LL));
        return FLOE_OK;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS: {
        if (floe_time_parse_iso(s, f->len, &us, NULL) != FLOE_OK) {
            return FLOE_ERR_INVALID;
        }
        bool tz = t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        bool ns = t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        *out =
            floe_value_timestamp(ns ? us * 1000 : us, ns ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS, tz);
        return FLOE_OK;
    }
    case FLOE_ICE_STRING:
        *out = floe_value_string(s, f->len);
        return FLOE_OK;
    default: {
        /* time, uuid, fixed, binary: the JSON single-value text forms (hex for bytes). */
        json_t *j = json_stringn(s, f->len);
        floe_status st =
            j != NULL ? floe_ice_value_from_json(a, t, j, out, NULL) : FLOE_ERR_INVALID;
        json_decref(j);
        return st;
    }
    }
}

static floe_status append_csv(appender *ap, const char *file, floe_err *err)
{
    floe_buf data;
    floe_buf_init(&data, 0);
    floe_status st = floe_io_read_file(ap->t->io, file, CSV_MAX_BYTES, &data, err);
    floe_arena *ra = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    csv c = {.p = (const char *)data.data, .end = (const char *)data.data + data.len, .a = ra};
    floe_vec fields;
    floe_vec_init(&fields, sizeof(csv_field));
    const floe_ice_type *root = ap->schema->root;
    int32_t *col_of = NULL; /* csv column -> top-level field index */
    size_t n_cols = 0;
    if (st == FLOE_OK && c.p < c.end && (unsigned char)c.p[0] == 0xEF && c.end - c.p >= 3) {
        c.p += 3; /* a UTF-8 byte order mark */
    }
    if (st == FLOE_OK && !csv_record(&c, &fields, err, &st) && st == FLOE_OK) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "no header line");
    }
    if (st == FLOE_OK) {
        n_cols = fields.n;
        col_of = floe_xcalloc(n_cols + 1, sizeof(*col_of));
        for (size_t i = 0; st == FLOE_OK && i < n_cols; i++) {
            const csv_field *f = FLOE_VEC_AT(&fields, csv_field, i);
            const floe_ice_field *tf = top_field(ap->schema, f->p, f->len);
            if (tf == NULL) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "header: column '%.*s' is not in the table's schema (schema %d)",
                                  (int)f->len, f->p, ap->schema->schema_id);
                break;
            }
            if (!floe_ice_type_is_primitive(tf->type)) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "header: column '%s' is a %s; CSV holds primitive columns only",
                                  tf->name, floe_ice_type_name(tf->type->id));
                break;
            }
            col_of[i] = (int32_t)(tf - root->fields);
            for (size_t k = 0; k < i; k++) {
                if (col_of[k] == col_of[i]) {
                    st = floe_err_set(err, FLOE_ERR_INVALID, "header: column '%s' appears twice",
                                      tf->name);
                }
            }
        }
        for (size_t k = 0; st == FLOE_OK && k < root->n_fields; k++) {
            bool present = false;
            for (size_t i = 0; i < n_cols; i++) {
                present = present || col_of[i] == (int32_t)k;
            }
            if (!present && root->fields[k].required) {
                st = floe_err_set(err, FLOE_ERR_INVALID, "header: lacks the required column '%s'",
                                  root->fields[k].name);
            }
        }
    }
    floe_value *items = floe_xcalloc(root->n_fields + 1, sizeof(*items));
    const char **names = floe_xcalloc(root->n_fields + 1, sizeof(*names));
    for (size_t k = 0; k < root->n_fields; k++) {
        names[k] = root->fields[k].name;
    }
    while (st == FLOE_OK) {
        floe_arena_reset(ra);
        if (!csv_record(&c, &fields, err, &st)) {
            break;
        }
        if (fields.n == 1 && FLOE_VEC_AT(&fields, csv_field, 0)->len == 0 &&
            !FLOE_VEC_AT(&fields, csv_field, 0)->quoted) {
            continue; /* an empty line */
        }
        if (fields.n != n_cols) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "line %lld: %zu fields, the header has %zu",
                              (long long)c.line, fields.n, n_cols);
            break;
        }
        for (size_t k = 0; k < root->n_fields; k++) {
            items[k] = floe_value_null();
        }
        for (size_t i = 0; st == FLOE_OK && i < n_cols; i++) {
            const csv_field *f = FLOE_VEC_AT(&fields, csv_field, i);
            const floe_ice_field *tf = &root->fields[col_of[i]];
            if (csv_value(ra, tf->type, f, &items[col_of[i]]) != FLOE_OK) {
                char *ty = tbl_type_text(tf->type);
                st = floe_err_set(err, FLOE_ERR_INVALID, "line %lld, column '%s': '%.*s' is not %s",
                                  (long long)c.line, tf->name, (int)(f->len > 64 ? 64 : f->len),
                                  f->p, ty != NULL ? ty : "valid");
                free(ty);
            }
        }
        if (st != FLOE_OK) {
            break;
        }
        floe_value row = {.kind = FLOE_V_STRUCT};
        row.u.nested.items = items;
        row.u.nested.names = names;
        row.u.nested.n = root->n_fields;
        st = floe_ice_writer_write_row(ap->w, &row, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "line %lld", (long long)c.line);
        }
        ap->rows++;
    }
    if (st != FLOE_OK) {
        floe_err_wrap(err, "%s", file);
    }
    free(items);
    free((void *)names);
    free(col_of);
    floe_vec_fini(&fields);
    floe_arena_free(ra);
    floe_buf_fini(&data);
    return st;
}

/* ==== append ==== */

int tbl_run_append(const tbl_args *o)
{
    if (o->n_files == 0) {
        return cli_usage_error(o->ctx, "expected FILE.parquet or FILE.csv after PATH");
    }
    floe_err err = {0};
    tbl t;
    appender ap = {.t = &t};
    floe_status st = tbl_open(o, true, &t, &err);
    const floe_data_file *files = NULL;
    size_t n_files = 0;
    if (st == FLOE_OK) {
        ap.schema = floe_table_meta_current_schema(t.m);
        const floe_sort_order *so = floe_table_meta_default_sort_order(t.m);
        floe_ice_write_opts wo = {.table = t.m, .sort = so != NULL && so->n_fields > 0};
        st = floe_ice_writer_new(t.io, &wo, &ap.w, &err);
    }
    for (size_t i = 0; st == FLOE_OK && i < o->n_files; i++) {
        st = is_csv(o->files[i]) ? append_csv(&ap, o->files[i], &err)
                                 : append_parquet(&ap, o->files[i], &err);
    }
    if (st == FLOE_OK) {
        st = floe_ice_writer_close(ap.w, t.a, &files, &n_files, &err);
    }
    floe_ice_writer_free(ap.w); /* deletes what it wrote unless closed */
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_MERGE_APPEND);
    for (size_t i = 0; st == FLOE_OK && i < n_files; i++) {
        st = floe_ice_op_add_file(op, &files[i], &err);
    }
    if (st == FLOE_OK && n_files > 0) {
        floe_ice_op_set_summary(op, "floe.command", "table append");
        if (o->branch != NULL) {
            floe_ice_op_set_branch(op, o->branch);
            t.branch = o->branch;
        }
        st = tbl_commit(&t, op, &err);
    }
    if (st != FLOE_OK) {
        /* Nothing references the new data files: remove them. */
        for (size_t i = 0; i < n_files; i++) {
            floe_io_delete(t.io, files[i].file_path, NULL);
        }
    }
    floe_ice_op_free(op);
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
