/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task inputs and outputs as plain JSON: file paths, sizes, record counts, partition values,
 * delete files, sequence numbers, schema and spec ids, metrics. Parsing is strict and bounded
 * (the optimizer endpoint feeds it bytes from the network): required fields, types, ranges,
 * indices in range, array sizes under limits.
 */
#include "opt_int.h"

#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 65536
#define MAX_METRIC_ENTRIES 100000
#define MAX_EQ_IDS 10000
#define MAX_PROPS 1000

/* ==== Names ==== */

static floe_status content_parse(const char *s, floe_file_content *out, floe_err *err)
{
    static const floe_file_content all[] = {FLOE_CONTENT_DATA, FLOE_CONTENT_POSITION_DELETES,
                                            FLOE_CONTENT_EQUALITY_DELETES};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(all); i++) {
        if (strcmp(s, floe_file_content_name(all[i])) == 0) {
            *out = all[i];
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "content: unknown value '%s'", s);
}

static const char *role_name(floe_opt_file_role r)
{
    return r == FLOE_OPT_REWRITE_POS ? "rewrite-deletes" : "rewrite";
}

/* ==== Writing ==== */

static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    /* Paths come from manifests and are valid UTF-8 there; anything else is sanitised. */
    return j ? j : json_string("\xef\xbf\xbd");
}

static json_t *counts_json(const floe_field_count *c, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", (int)c[i].field_id);
        json_object_set_new(o, key, opt_json_int(c[i].value));
    }
    return o;
}

static json_t *bounds_json(const floe_field_bound *b, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", (int)b[i].field_id);
        char *hex = floe_xmalloc(b[i].bytes.len * 2 + 1);
        floe_hex_encode(b[i].bytes.ptr, b[i].bytes.len, hex);
        json_object_set_new(o, key, json_string(hex));
        free(hex);
    }
    return o;
}

static json_t *kv_json(const floe_kv *kv, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(o, kv[i].key, jstr(kv[i].value));
    }
    return o;
}

static json_t *embedded_json(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : json_object();
}

json_t *floe_opt_task_input_to_json(const floe_opt_task_input *in)
{
    json_t *o = json_object();
    json_object_set_new(o, "table", jstr(in->table));
    if (in->metadata_location != NULL) {
        json_object_set_new(o, "metadata-location", jstr(in->metadata_location));
    }
    json_object_set_new(o, "type", json_string(floe_opt_type_name(in->type)));
    json_object_set_new(o, "snapshot-id", opt_json_int(in->snapshot_id));
    json_object_set_new(o, "sequence-number", opt_json_int(in->sequence_number));
    json_object_set_new(o, "schema-id", opt_json_int(in->schema_id));
    json_object_set_new(o, "spec-id", opt_json_int(in->spec_id));
    json_object_set_new(o, "partition", embedded_json(in->partition));
    json_object_set_new(o, "target-size", opt_json_int(in->target_size));
    json_t *files = json_array();
    for (size_t i = 0; i < in->n_files; i++) {
        const floe_opt_data_file *f = &in->files[i];
        json_t *fo = json_object();
        json_object_set_new(fo, "path", jstr(f->path));
        json_object_set_new(fo, "format", json_string(floe_file_format_name(f->format)));
        json_object_set_new(fo, "role", json_string(role_name(f->role)));
        json_object_set_new(fo, "size", opt_json_int(f->size));
        json_object_set_new(fo, "records", opt_json_int(f->records));
        json_object_set_new(fo, "data-sequence-number", opt_json_int(f->data_sequence_number));
        json_t *d = json_array();
        for (size_t j = 0; j < f->n_deletes; j++) {
            json_array_append_new(d, opt_json_int(f->deletes[j]));
        }
        json_object_set_new(fo, "deletes", d);
        json_array_append_new(files, fo);
    }
    json_object_set_new(o, "data-files", files);
    json_t *dels = json_array();
    for (size_t i = 0; i < in->n_deletes; i++) {
        const floe_opt_delete_file *d = &in->deletes[i];
        json_t *dobj = json_object();
        json_object_set_new(dobj, "path", jstr(d->path));
        json_object_set_new(dobj, "content", json_string(floe_file_content_name(d->content)));
        json_object_set_new(dobj, "format", json_string(floe_file_format_name(d->format)));
        json_object_set_new(dobj, "size", opt_json_int(d->size));
        json_object_set_new(dobj, "records", opt_json_int(d->records));
        json_object_set_new(dobj, "data-sequence-number", opt_json_int(d->data_sequence_number));
        if (d->n_equality_ids > 0) {
            json_t *ids = json_array();
            for (size_t j = 0; j < d->n_equality_ids; j++) {
                json_array_append_new(ids, opt_json_int(d->equality_ids[j]));
            }
            json_object_set_new(dobj, "equality-ids", ids);
        }
        if (d->referenced_data_file != NULL) {
            json_object_set_new(dobj, "referenced-data-file", jstr(d->referenced_data_file));
        }
        if (d->has_content_offset) {
            json_object_set_new(dobj, "content-offset", opt_json_int(d->content_offset));
            json_object_set_new(dobj, "content-size", opt_json_int(d->content_size));
        }
        json_object_set_new(dobj, "removable", json_boolean(d->removable));
        json_array_append_new(dels, dobj);
    }
    json_object_set_new(o, "delete-files", dels);
    json_object_set_new(o, "properties", kv_json(in->properties, in->n_properties));
    return o;
}

json_t *floe_opt_task_output_to_json(const floe_opt_task_output *out)
{
    json_t *o = json_object();
    json_t *files = json_array();
    for (size_t i = 0; i < out->n_files; i++) {
        const floe_opt_output_file *f = &out->files[i];
        json_t *fo = json_object();
        json_object_set_new(fo, "path", jstr(f->path));
        json_object_set_new(fo, "content", json_string(floe_file_content_name(f->content)));
        json_object_set_new(fo, "format", json_string(floe_file_format_name(f->format)));
        json_object_set_new(fo, "size", opt_json_int(f->size));
        json_object_set_new(fo, "records", opt_json_int(f->records));
        json_object_set_new(fo, "column-sizes", counts_json(f->column_sizes, f->n_column_sizes));
        json_object_set_new(fo, "value-counts", counts_json(f->value_counts, f->n_value_counts));
        json_object_set_new(fo, "null-value-counts",
                            counts_json(f->null_value_counts, f->n_null_value_counts));
        json_object_set_new(fo, "nan-value-counts",
                            counts_json(f->nan_value_counts, f->n_nan_value_counts));
        json_object_set_new(fo, "lower-bounds", bounds_json(f->lower_bounds, f->n_lower_bounds));
        json_object_set_new(fo, "upper-bounds", bounds_json(f->upper_bounds, f->n_upper_bounds));
        json_t *so = json_array();
        for (size_t j = 0; j < f->n_split_offsets; j++) {
            json_array_append_new(so, opt_json_int(f->split_offsets[j]));
        }
        json_object_set_new(fo, "split-offsets", so);
        if (f->referenced_data_file != NULL) {
            json_object_set_new(fo, "referenced-data-file", jstr(f->referenced_data_file));
        }
        if (f->has_sort_order_id) {
            json_object_set_new(fo, "sort-order-id", opt_json_int(f->sort_order_id));
        }
        json_array_append_new(files, fo);
    }
    json_object_set_new(o, "files", files);
    json_object_set_new(o, "summary", kv_json(out->summary, out->n_summary));
    if (out->n_pos_deletes > 0) {
        json_t *reports = json_array();
        for (size_t i = 0; i < out->n_pos_deletes; i++) {
            const floe_opt_pos_delete_report *r = &out->pos_deletes[i];
            json_t *ro = json_object();
            json_t *others = json_array();
            for (size_t k = 0; k < r->n_others; k++) {
                json_array_append_new(others, jstr(r->others[k]));
            }
            json_object_set_new(ro, "path", jstr(r->path));
            json_object_set_new(ro, "other-paths", others);
            json_array_append_new(reports, ro);
        }
        json_object_set_new(o, "position-deletes", reports);
    }
    return o;
}

/* ==== Reading ==== */

static floe_status nomem(floe_arena *a, floe_err *err)
{
    return floe_arena_check(a, err) != FLOE_OK
               ? FLOE_ERR_TOO_BIG
               : floe_err_set(err, FLOE_ERR_TOO_BIG, "task arena exhausted");
}

static floe_status get_path(floe_arena *a, const json_t *o, const char *key, bool required,
                            const char **out, floe_err *err)
{
    const char *s = NULL;
    floe_status st = required ? opt_json_str(o, key, &s, err) : opt_json_opt_str(o, key, &s, err);
    if (st != FLOE_OK || s == NULL) {
        *out = NULL;
        return st;
    }
    if (strlen(s) > PATH_MAX_LEN || (required && *s == '\0')) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: empty or longer than %d bytes", key,
                            PATH_MAX_LEN);
    }
    *out = floe_arena_strdup(a, s);
    return *out ? FLOE_OK : nomem(a, err);
}

static floe_status get_nonneg(const json_t *o, const char *key, int64_t *out, floe_err *err)
{
    floe_status st = opt_json_i64(o, key, out, err);
    if (st == FLOE_OK && *out < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: negative", key);
    }
    return st;
}

static floe_status get_format(const json_t *o, floe_file_format *out, floe_err *err)
{
    const char *s = NULL;
    floe_status st = opt_json_str(o, "format", &s, err);
    floe_err sub = {0};
    if (st == FLOE_OK && floe_file_format_parse(s, out, &sub) != FLOE_OK) {
        return floe_err_set(err, FLOE_ERR_INVALID, "format: unknown file format '%s'", s);
    }
    return st;
}

static floe_status get_kv(floe_arena *a, const json_t *o, const char *key, const floe_kv **out,
                          size_t *n, floe_err *err)
{
    const json_t *m = json_object_get(o, key);
    *out = NULL;
    *n = 0;
    if (m == NULL || json_is_null(m)) {
        return FLOE_OK;
    }
    if (!json_is_object(m)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an object", key);
    }
    if (json_object_size(m) > MAX_PROPS) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "%s: more than %d entries", key, MAX_PROPS);
    }
    floe_kv *kv = floe_arena_calloc(a, json_object_size(m) + 1, sizeof(*kv));
    if (kv == NULL) {
        return nomem(a, err);
    }
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)m, k, v)
    {
        if (!json_is_string(v)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s.%s: expected a string", key, k);
        }
        kv[i].key = floe_arena_strdup(a, k);
        kv[i].value = floe_arena_strdup(a, json_string_value(v));
        if (kv[i].key == NULL || kv[i].value == NULL) {
            return nomem(a, err);
        }
        i++;
    }
    *out = kv;
    *n = i;
    return FLOE_OK;
}

static floe_status parse_field_id(const char *key, const char *what, int32_t *out, floe_err *err)
{
    floe_err sub = {0};
    if (floe_parse_i32(key, out, &sub) != FLOE_OK || *out < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: '%s' is not a field id", what, key);
    }
    return FLOE_OK;
}

static floe_status get_counts(floe_arena *a, const json_t *o, const char *key,
                              const floe_field_count **out, size_t *n, floe_err *err)
{
    const json_t *m = json_object_get(o, key);
    *out = NULL;
    *n = 0;
    if (m == NULL || json_is_null(m)) {
        return FLOE_OK;
    }
    if (!json_is_object(m) || json_object_size(m) > MAX_METRIC_ENTRIES) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an object of at most %d entries",
                            key, MAX_METRIC_ENTRIES);
    }
    floe_field_count *c = floe_arena_calloc(a, json_object_size(m) + 1, sizeof(*c));
    if (c == NULL) {
        return nomem(a, err);
    }
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)m, k, v)
    {
        floe_status st = parse_field_id(k, key, &c[i].field_id, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s.%s: expected a count", key, k);
        }
        c[i].value = (int64_t)json_integer_value(v);
        i++;
    }
    *out = c;
    *n = i;
    return FLOE_OK;
}

static floe_status get_bounds(floe_arena *a, const json_t *o, const char *key,
                              const floe_field_bound **out, size_t *n, floe_err *err)
{
    const json_t *m = json_object_get(o, key);
    *out = NULL;
    *n = 0;
    if (m == NULL || json_is_null(m)) {
        return FLOE_OK;
    }
    if (!json_is_object(m) || json_object_size(m) > MAX_METRIC_ENTRIES) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an object of at most %d entries",
                            key, MAX_METRIC_ENTRIES);
    }
    floe_field_bound *b = floe_arena_calloc(a, json_object_size(m) + 1, sizeof(*b));
    if (b == NULL) {
        return nomem(a, err);
    }
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)m, k, v)
    {
        floe_status st = parse_field_id(k, key, &b[i].field_id, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (!json_is_string(v) || json_string_length(v) % 2 != 0 ||
            json_string_length(v) > PATH_MAX_LEN) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s.%s: expected hex bytes", key, k);
        }
        size_t len = json_string_length(v);
        uint8_t *bytes = floe_arena_alloc(a, len / 2 + 1);
        if (bytes == NULL) {
            return nomem(a, err);
        }
        if (floe_hex_decode(json_string_value(v), len, bytes, NULL) != FLOE_OK) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s.%s: expected hex bytes", key, k);
        }
        b[i].bytes = (floe_str){(const char *)bytes, len / 2};
        i++;
    }
    *out = b;
    *n = i;
    return FLOE_OK;
}

static floe_status get_i64_array(floe_arena *a, const json_t *o, const char *key, size_t max,
                                 int64_t lo, int64_t hi, int64_t **out, size_t *n, floe_err *err)
{
    const json_t *arr = NULL;
    *out = NULL;
    *n = 0;
    floe_status st = opt_json_opt_array(o, key, max, &arr, err);
    if (st != FLOE_OK || arr == NULL) {
        return st;
    }
    size_t cnt = json_array_size(arr);
    int64_t *v = floe_arena_calloc(a, cnt + 1, sizeof(*v));
    if (v == NULL) {
        return nomem(a, err);
    }
    for (size_t i = 0; i < cnt; i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_integer(e) || json_integer_value(e) < lo || json_integer_value(e) > hi) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s[%zu]: expected an integer in [%lld, %lld]", key, i,
                                (long long)lo, (long long)hi);
        }
        v[i] = (int64_t)json_integer_value(e);
    }
    *out = v;
    *n = cnt;
    return FLOE_OK;
}

static floe_status parse_delete(floe_arena *a, const json_t *o, floe_opt_delete_file *d,
                                floe_err *err)
{
    floe_status st = opt_json_obj(o, "delete file", err);
    const char *content = NULL;
    if (st == FLOE_OK) {
        st = get_path(a, o, "path", true, &d->path, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(o, "content", &content, err);
    }
    if (st == FLOE_OK) {
        st = content_parse(content, &d->content, err);
    }
    if (st == FLOE_OK && d->content == FLOE_CONTENT_DATA) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "content: a delete file cannot be data");
    }
    if (st == FLOE_OK) {
        st = get_format(o, &d->format, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "size", &d->size, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "records", &d->records, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "data-sequence-number", &d->data_sequence_number, err);
    }
    int64_t *ids = NULL;
    size_t n_ids = 0;
    if (st == FLOE_OK) {
        st = get_i64_array(a, o, "equality-ids", MAX_EQ_IDS, 1, INT32_MAX, &ids, &n_ids, err);
    }
    if (st == FLOE_OK && n_ids > 0) {
        int32_t *ids32 = floe_arena_calloc(a, n_ids, sizeof(*ids32));
        if (ids32 == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < n_ids; i++) {
            ids32[i] = (int32_t)ids[i];
        }
        d->equality_ids = ids32;
        d->n_equality_ids = n_ids;
    }
    if (st == FLOE_OK && d->content == FLOE_CONTENT_EQUALITY_DELETES && n_ids == 0) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "equality-ids: required for equality deletes");
    }
    if (st == FLOE_OK) {
        st = get_path(a, o, "referenced-data-file", false, &d->referenced_data_file, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(o, "content-offset", &d->content_offset, &d->has_content_offset, err);
    }
    if (st == FLOE_OK && d->has_content_offset) {
        st = get_nonneg(o, "content-size", &d->content_size, err);
        if (st == FLOE_OK && d->content_offset < 0) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "content-offset: negative");
        }
    }
    if (st == FLOE_OK) {
        st = opt_json_bool(o, "removable", &d->removable, err);
    }
    return st;
}

static floe_status parse_data(floe_arena *a, const json_t *o, size_t n_deletes,
                              floe_opt_data_file *f, floe_err *err)
{
    floe_status st = opt_json_obj(o, "data file", err);
    const char *role = NULL;
    if (st == FLOE_OK) {
        st = get_path(a, o, "path", true, &f->path, err);
    }
    if (st == FLOE_OK) {
        st = get_format(o, &f->format, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(o, "role", &role, err);
    }
    if (st == FLOE_OK) {
        if (strcmp(role, "rewrite") == 0) {
            f->role = FLOE_OPT_REWRITE;
        } else if (strcmp(role, "rewrite-deletes") == 0) {
            f->role = FLOE_OPT_REWRITE_POS;
        } else {
            st = floe_err_set(err, FLOE_ERR_INVALID, "role: unknown value '%s'", role);
        }
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "size", &f->size, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "records", &f->records, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "data-sequence-number", &f->data_sequence_number, err);
    }
    int64_t *idx = NULL;
    size_t n = 0;
    if (st == FLOE_OK) {
        st = get_i64_array(a, o, "deletes", n_deletes, 0,
                           n_deletes > 0 ? (int64_t)n_deletes - 1 : -1, &idx, &n, err);
    }
    if (st == FLOE_OK && n > 0) {
        uint32_t *u = floe_arena_calloc(a, n, sizeof(*u));
        if (u == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < n; i++) {
            u[i] = (uint32_t)idx[i];
        }
        f->deletes = u;
        f->n_deletes = n;
    }
    return st;
}

static floe_status embedded_text(floe_arena *a, const json_t *o, const char *key, const char **out,
                                 floe_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_object(v)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: expected an object", key);
    }
    char *s = opt_json_dumps(v);
    *out = floe_arena_strdup(a, s);
    free(s);
    return *out ? FLOE_OK : nomem(a, err);
}

floe_status floe_opt_task_input_from_json(floe_arena *a, const json_t *j, floe_opt_task_input *out,
                                          floe_err *err)
{
    floe_opt_task_input in = {0};
    floe_status st = opt_json_obj(j, "task input", err);
    const char *type = NULL;
    int64_t v = 0;
    if (st == FLOE_OK) {
        st = get_path(a, j, "table", true, &in.table, err);
    }
    if (st == FLOE_OK) { /* optional: inputs planned before the key existed have none */
        st = get_path(a, j, "metadata-location", false, &in.metadata_location, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(j, "type", &type, err);
    }
    if (st == FLOE_OK) {
        st = floe_opt_type_parse(type, &in.type, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i64(j, "snapshot-id", &in.snapshot_id, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(j, "sequence-number", &in.sequence_number, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i32(j, "schema-id", &in.schema_id, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_i32(j, "spec-id", &in.spec_id, err);
    }
    if (st == FLOE_OK) {
        st = embedded_text(a, j, "partition", &in.partition, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(j, "target-size", &v, err);
        in.target_size = v;
    }
    const json_t *files = NULL, *dels = NULL;
    if (st == FLOE_OK) {
        st = opt_json_opt_array(j, "delete-files", FLOE_OPT_TASK_MAX_FILES, &dels, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_opt_array(j, "data-files", FLOE_OPT_TASK_MAX_FILES, &files, err);
        if (st == FLOE_OK && (files == NULL || json_array_size(files) == 0)) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "data-files: a task reads at least one file");
        }
    }
    if (st == FLOE_OK && dels != NULL) {
        in.n_deletes = json_array_size(dels);
        floe_opt_delete_file *d = floe_arena_calloc(a, in.n_deletes + 1, sizeof(*d));
        if (d == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < in.n_deletes && st == FLOE_OK; i++) {
            st = parse_delete(a, json_array_get(dels, i), &d[i], err);
            if (st != FLOE_OK) {
                st = floe_err_wrap(err, "delete-files[%zu]", i);
            }
        }
        in.deletes = d;
    }
    if (st == FLOE_OK) {
        in.n_files = json_array_size(files);
        floe_opt_data_file *f = floe_arena_calloc(a, in.n_files, sizeof(*f));
        if (f == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < in.n_files && st == FLOE_OK; i++) {
            st = parse_data(a, json_array_get(files, i), in.n_deletes, &f[i], err);
            if (st != FLOE_OK) {
                st = floe_err_wrap(err, "data-files[%zu]", i);
            }
        }
        in.files = f;
    }
    if (st == FLOE_OK) {
        st = get_kv(a, j, "properties", &in.properties, &in.n_properties, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "task input");
    }
    *out = in;
    return FLOE_OK;
}

static floe_status parse_output_file(floe_arena *a, const json_t *o, floe_opt_output_file *f,
                                     floe_err *err)
{
    floe_status st = opt_json_obj(o, "output file", err);
    const char *content = NULL;
    if (st == FLOE_OK) {
        st = get_path(a, o, "path", true, &f->path, err);
    }
    if (st == FLOE_OK) {
        st = opt_json_str(o, "content", &content, err);
    }
    if (st == FLOE_OK) {
        st = content_parse(content, &f->content, err);
    }
    if (st == FLOE_OK) {
        st = get_format(o, &f->format, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "size", &f->size, err);
    }
    if (st == FLOE_OK) {
        st = get_nonneg(o, "records", &f->records, err);
    }
    if (st == FLOE_OK) {
        st = get_counts(a, o, "column-sizes", &f->column_sizes, &f->n_column_sizes, err);
    }
    if (st == FLOE_OK) {
        st = get_counts(a, o, "value-counts", &f->value_counts, &f->n_value_counts, err);
    }
    if (st == FLOE_OK) {
        st = get_counts(a, o, "null-value-counts", &f->null_value_counts, &f->n_null_value_counts,
                        err);
    }
    if (st == FLOE_OK) {
        st =
            get_counts(a, o, "nan-value-counts", &f->nan_value_counts, &f->n_nan_value_counts, err);
    }
    if (st == FLOE_OK) {
        st = get_bounds(a, o, "lower-bounds", &f->lower_bounds, &f->n_lower_bounds, err);
    }
    if (st == FLOE_OK) {
        st = get_bounds(a, o, "upper-bounds", &f->upper_bounds, &f->n_upper_bounds, err);
    }
    int64_t *so = NULL;
    if (st == FLOE_OK) {
        st = get_i64_array(a, o, "split-offsets", MAX_METRIC_ENTRIES, 0, INT64_MAX, &so,
                           &f->n_split_offsets, err);
        f->split_offsets = so;
    }
    if (st == FLOE_OK) {
        st = get_path(a, o, "referenced-data-file", false, &f->referenced_data_file, err);
    }
    int64_t sort = 0;
    if (st == FLOE_OK) {
        st = opt_json_opt_i64(o, "sort-order-id", &sort, &f->has_sort_order_id, err);
        if (st == FLOE_OK && f->has_sort_order_id && (sort < 0 || sort > INT32_MAX)) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "sort-order-id: out of range");
        }
        f->sort_order_id = (int32_t)sort;
    }
    return st;
}

static floe_status parse_pos_delete_report(floe_arena *a, const json_t *o,
                                           floe_opt_pos_delete_report *r, floe_err *err)
{
    floe_status st = opt_json_obj(o, "position delete report", err);
    if (st == FLOE_OK) {
        st = get_path(a, o, "path", true, &r->path, err);
    }
    const json_t *others = NULL;
    if (st == FLOE_OK) {
        st = opt_json_opt_array(o, "other-paths", FLOE_OPT_POS_DELETE_OTHERS_MAX, &others, err);
    }
    if (st == FLOE_OK && others == NULL) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "other-paths: required");
    }
    if (st != FLOE_OK) {
        return st;
    }
    size_t n = json_array_size(others);
    const char **v = floe_arena_calloc(a, n + 1, sizeof(*v));
    if (v == NULL) {
        return nomem(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(others, i);
        if (!json_is_string(e) || json_string_length(e) == 0 ||
            json_string_length(e) > PATH_MAX_LEN) {
            return floe_err_set(err, FLOE_ERR_INVALID, "other-paths[%zu]: expected a path", i);
        }
        v[i] = floe_arena_strdup(a, json_string_value(e));
        if (v[i] == NULL) {
            return nomem(a, err);
        }
    }
    r->others = v;
    r->n_others = n;
    return FLOE_OK;
}

floe_status floe_opt_task_output_from_json(floe_arena *a, const json_t *j,
                                           floe_opt_task_output *out, floe_err *err)
{
    floe_opt_task_output o = {0};
    floe_status st = opt_json_obj(j, "task output", err);
    const json_t *files = NULL;
    if (st == FLOE_OK) {
        st = opt_json_opt_array(j, "files", FLOE_OPT_TASK_MAX_FILES, &files, err);
    }
    if (st == FLOE_OK && files != NULL) {
        o.n_files = json_array_size(files);
        floe_opt_output_file *f = floe_arena_calloc(a, o.n_files + 1, sizeof(*f));
        if (f == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < o.n_files && st == FLOE_OK; i++) {
            st = parse_output_file(a, json_array_get(files, i), &f[i], err);
            if (st != FLOE_OK) {
                st = floe_err_wrap(err, "files[%zu]", i);
            }
        }
        o.files = f;
    }
    if (st == FLOE_OK) {
        st = get_kv(a, j, "summary", &o.summary, &o.n_summary, err);
    }
    const json_t *reports = NULL;
    if (st == FLOE_OK) { /* optional: optimizers before reports wrote none */
        st = opt_json_opt_array(j, "position-deletes", FLOE_OPT_TASK_MAX_FILES, &reports, err);
    }
    if (st == FLOE_OK && reports != NULL) {
        o.n_pos_deletes = json_array_size(reports);
        floe_opt_pos_delete_report *r = floe_arena_calloc(a, o.n_pos_deletes + 1, sizeof(*r));
        if (r == NULL) {
            return nomem(a, err);
        }
        for (size_t i = 0; i < o.n_pos_deletes && st == FLOE_OK; i++) {
            st = parse_pos_delete_report(a, json_array_get(reports, i), &r[i], err);
            if (st != FLOE_OK) {
                st = floe_err_wrap(err, "position-deletes[%zu]", i);
            }
        }
        o.pos_deletes = r;
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "task output");
    }
    *out = o;
    return FLOE_OK;
}
