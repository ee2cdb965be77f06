/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table metadata JSON (spec "Table Metadata" and Appendix C): reading every field of format
 * versions 1 to 3 with the legacy v1 fallbacks, validation of the cross-references, writing in
 * Java's field order, gzip-compressed files, and lookups.
 */
#include "ice_int.h"

#include "floe/compress.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* Top-level keys this library reads; anything else is kept in `extra`. */
static const char *const KNOWN_KEYS[] = {
    "format-version",
    "table-uuid",
    "location",
    "last-sequence-number",
    "last-updated-ms",
    "last-column-id",
    "schema",
    "schemas",
    "current-schema-id",
    "partition-spec",
    "partition-specs",
    "default-spec-id",
    "last-partition-id",
    "sort-orders",
    "default-sort-order-id",
    "properties",
    "current-snapshot-id",
    "refs",
    "snapshots",
    "snapshot-log",
    "metadata-log",
    "statistics",
    "partition-statistics",
    "next-row-id",
    "encryption-keys",
};

static bool known_key(const char *k)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(KNOWN_KEYS); i++) {
        if (strcmp(KNOWN_KEYS[i], k) == 0) {
            return true;
        }
    }
    return false;
}

/* ==== Pieces ==== */

floe_status ice_snapshot_from_json(ice_jctx *c, const json_t *j, floe_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    if (!json_is_object(j)) {
        return ice_jfail(c, "expected an object, got %s", ice_jtype_name(j));
    }
    bool has;
    floe_status st = ice_get_i64(c, j, "snapshot-id", &s->snapshot_id);
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "parent-snapshot-id", &s->has_parent, &s->parent_id);
    }
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "sequence-number", &has, &s->sequence_number);
    }
    if (st == FLOE_OK) {
        st = ice_get_i64(c, j, "timestamp-ms", &s->timestamp_ms);
    }
    if (st == FLOE_OK) {
        st = ice_opt_str(c, j, "manifest-list", &s->manifest_list);
    }
    const json_t *mj = ice_jget(j, "manifests");
    if (st == FLOE_OK && s->manifest_list == NULL) {
        if (mj == NULL || json_is_null(mj)) {
            st = ice_jfail(c, "manifest-list: missing (and no v1 \"manifests\" list)");
        } else if (!json_is_array(mj)) {
            st = ice_jfail(c, "manifests: expected an array, got %s", ice_jtype_name(mj));
        } else {
            size_t n = json_array_size(mj);
            const char **ms = floe_arena_calloc(c->a, n > 0 ? n : 1, sizeof(*ms));
            if (ms == NULL) {
                return ice_nomem(c->a, c->err);
            }
            for (size_t i = 0; i < n && st == FLOE_OK; i++) {
                st = ice_jstr(c, json_array_get(mj, i), "manifests[]", &ms[i]);
            }
            s->manifests = ms;
            s->n_manifests = n;
        }
    }
    const json_t *sum = ice_jget(j, "summary");
    if (st == FLOE_OK && sum != NULL && !json_is_null(sum)) {
        st = ice_jkv(c, sum, "summary", &s->summary, &s->n_summary);
        s->has_summary = st == FLOE_OK;
        for (size_t i = 0; st == FLOE_OK && i < s->n_summary; i++) {
            if (strcmp(s->summary[i].key, "operation") == 0) {
                s->operation = s->summary[i].value;
            }
        }
    }
    if (st == FLOE_OK) {
        st = ice_opt_i32(c, j, "schema-id", &s->has_schema_id, &s->schema_id);
    }
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "first-row-id", &s->has_first_row_id, &s->first_row_id);
    }
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "added-rows", &s->has_added_rows, &s->added_rows);
    }
    if (st == FLOE_OK) {
        st = ice_opt_str(c, j, "key-id", &s->key_id);
    }
    return st;
}

json_t *ice_snapshot_to_json(const floe_snapshot *s)
{
    json_t *o = ice_jnew(json_object());
    if (s->sequence_number > 0) {
        ice_jset(o, "sequence-number", ice_jnew(json_integer(s->sequence_number)));
    }
    ice_jset(o, "snapshot-id", ice_jnew(json_integer(s->snapshot_id)));
    if (s->has_parent) {
        ice_jset(o, "parent-snapshot-id", ice_jnew(json_integer(s->parent_id)));
    }
    ice_jset(o, "timestamp-ms", ice_jnew(json_integer(s->timestamp_ms)));
    if (s->has_summary) {
        json_t *sum = ice_jnew(json_object());
        if (s->operation != NULL) {
            ice_jset(sum, "operation", ice_jstring(s->operation));
        }
        for (size_t i = 0; i < s->n_summary; i++) {
            if (strcmp(s->summary[i].key, "operation") != 0) {
                ice_jset(sum, s->summary[i].key, ice_jstring(s->summary[i].value));
            }
        }
        ice_jset(o, "summary", sum);
    }
    if (s->manifest_list != NULL) {
        ice_jset(o, "manifest-list", ice_jstring(s->manifest_list));
    } else {
        json_t *arr = ice_jnew(json_array());
        for (size_t i = 0; i < s->n_manifests; i++) {
            ice_jappend(arr, ice_jstring(s->manifests[i]));
        }
        ice_jset(o, "manifests", arr);
    }
    if (s->has_schema_id) {
        ice_jset(o, "schema-id", ice_jnew(json_integer(s->schema_id)));
    }
    if (s->has_first_row_id) {
        ice_jset(o, "first-row-id", ice_jnew(json_integer(s->first_row_id)));
    }
    if (s->has_added_rows) {
        ice_jset(o, "added-rows", ice_jnew(json_integer(s->added_rows)));
    }
    if (s->key_id != NULL) {
        ice_jset(o, "key-id", ice_jstring(s->key_id));
    }
    return o;
}

floe_status ice_ref_from_json(ice_jctx *c, const json_t *j, const char *name, floe_snapshot_ref *r)
{
    memset(r, 0, sizeof(*r));
    if (!json_is_object(j)) {
        return ice_jfail(c, "expected an object, got %s", ice_jtype_name(j));
    }
    r->name = floe_arena_strdup(c->a, name);
    if (r->name == NULL) {
        return ice_nomem(c->a, c->err);
    }
    const char *type;
    floe_status st = ice_get_i64(c, j, "snapshot-id", &r->snapshot_id);
    if (st == FLOE_OK) {
        st = ice_get_str(c, j, "type", &type);
    }
    if (st == FLOE_OK) {
        if (strcasecmp(type, "branch") == 0) {
            r->type = FLOE_REF_BRANCH;
        } else if (strcasecmp(type, "tag") == 0) {
            r->type = FLOE_REF_TAG;
        } else {
            st = ice_jfail(c, "type: expected \"branch\" or \"tag\", got \"%s\"", type);
        }
    }
    if (st == FLOE_OK) {
        st = ice_opt_i32(c, j, "min-snapshots-to-keep", &r->has_min_snapshots_to_keep,
                         &r->min_snapshots_to_keep);
    }
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "max-snapshot-age-ms", &r->has_max_snapshot_age_ms,
                         &r->max_snapshot_age_ms);
    }
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "max-ref-age-ms", &r->has_max_ref_age_ms, &r->max_ref_age_ms);
    }
    if (st == FLOE_OK && r->type == FLOE_REF_TAG &&
        (r->has_min_snapshots_to_keep || r->has_max_snapshot_age_ms)) {
        st = ice_jfail(c, "a tag cannot have min-snapshots-to-keep or max-snapshot-age-ms");
    }
    if (st == FLOE_OK && ((r->has_min_snapshots_to_keep && r->min_snapshots_to_keep <= 0) ||
                          (r->has_max_snapshot_age_ms && r->max_snapshot_age_ms <= 0) ||
                          (r->has_max_ref_age_ms && r->max_ref_age_ms <= 0))) {
        st = ice_jfail(c, "retention settings must be positive");
    }
    return st;
}

json_t *ice_ref_to_json(const floe_snapshot_ref *r)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "snapshot-id", ice_jnew(json_integer(r->snapshot_id)));
    ice_jset(o, "type", ice_jnew(json_string(r->type == FLOE_REF_TAG ? "tag" : "branch")));
    if (r->has_min_snapshots_to_keep) {
        ice_jset(o, "min-snapshots-to-keep", ice_jnew(json_integer(r->min_snapshots_to_keep)));
    }
    if (r->has_max_snapshot_age_ms) {
        ice_jset(o, "max-snapshot-age-ms", ice_jnew(json_integer(r->max_snapshot_age_ms)));
    }
    if (r->has_max_ref_age_ms) {
        ice_jset(o, "max-ref-age-ms", ice_jnew(json_integer(r->max_ref_age_ms)));
    }
    return o;
}

floe_status ice_stats_from_json(ice_jctx *c, const json_t *j, bool partition, floe_stats_file *out)
{
    if (!json_is_object(j)) {
        return ice_jfail(c, "expected an object, got %s", ice_jtype_name(j));
    }
    const char *path;
    int64_t size;
    floe_status st = ice_get_i64(c, j, "snapshot-id", &out->snapshot_id);
    if (st == FLOE_OK) {
        st = ice_get_str(c, j, "statistics-path", &path);
    }
    if (st == FLOE_OK) {
        st = ice_get_i64(c, j, "file-size-in-bytes", &size);
    }
    if (st == FLOE_OK && !partition) {
        const json_t *blobs;
        st = ice_get_i64(c, j, "file-footer-size-in-bytes", &size);
        if (st == FLOE_OK) {
            st = ice_get_arr(c, j, "blob-metadata", &blobs);
        }
        for (size_t i = 0; st == FLOE_OK && i < json_array_size(blobs); i++) {
            const json_t *b = json_array_get(blobs, i);
            const char *type;
            int64_t x;
            const json_t *fields;
            st = ice_get_str(c, b, "type", &type);
            if (st == FLOE_OK) {
                st = ice_get_i64(c, b, "snapshot-id", &x);
            }
            if (st == FLOE_OK) {
                st = ice_get_i64(c, b, "sequence-number", &x);
            }
            if (st == FLOE_OK) {
                st = ice_get_arr(c, b, "fields", &fields);
            }
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "blob-metadata[%zu]", i);
            }
        }
    }
    if (st == FLOE_OK) {
        st = ice_jtext(c, j, &out->json);
    }
    return st;
}

floe_status ice_key_from_json(ice_jctx *c, const json_t *j, floe_encryption_key *k)
{
    memset(k, 0, sizeof(*k));
    if (!json_is_object(j)) {
        return ice_jfail(c, "expected an object, got %s", ice_jtype_name(j));
    }
    floe_status st = ice_get_str(c, j, "key-id", &k->key_id);
    if (st == FLOE_OK) {
        st = ice_get_str(c, j, "encrypted-key-metadata", &k->encrypted_key_metadata);
    }
    if (st == FLOE_OK) {
        st = ice_opt_str(c, j, "encrypted-by-id", &k->encrypted_by_id);
    }
    const json_t *props = ice_jget(j, "properties");
    if (st == FLOE_OK && props != NULL && !json_is_null(props)) {
        st = ice_jkv(c, props, "properties", &k->properties, &k->n_properties);
    }
    return st;
}

json_t *ice_key_to_json(const floe_encryption_key *k)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "key-id", ice_jstring(k->key_id));
    ice_jset(o, "encrypted-key-metadata", ice_jstring(k->encrypted_key_metadata));
    if (k->encrypted_by_id != NULL) {
        ice_jset(o, "encrypted-by-id", ice_jstring(k->encrypted_by_id));
    }
    if (k->properties != NULL) {
        ice_jset(o, "properties", ice_kv_to_json(k->properties, k->n_properties));
    }
    return o;
}

/* ==== Reading ==== */

static const floe_sort_order UNSORTED = {0, NULL, 0};

/* Allocate `n` elements (at least one) or fail. */
#define ALLOC_N(c, ptr, n)                                                                         \
    do {                                                                                           \
        (ptr) = floe_arena_calloc((c)->a, (n) > 0 ? (n) : 1, sizeof(*(ptr)));                      \
        if ((ptr) == NULL) {                                                                       \
            return ice_nomem((c)->a, (c)->err);                                                    \
        }                                                                                          \
    } while (0)

static floe_status opt_array(ice_jctx *c, const json_t *j, const char *key, const json_t **out)
{
    const json_t *v = ice_jget(j, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return FLOE_OK;
    }
    if (!json_is_array(v)) {
        return ice_jfail(c, "%s: expected an array, got %s", key, ice_jtype_name(v));
    }
    *out = v;
    return FLOE_OK;
}

static floe_status read_schemas(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "schemas", &arr);
    if (st != FLOE_OK) {
        return st;
    }
    if (arr != NULL) {
        st = ice_get_i32(c, j, "current-schema-id", &m->current_schema_id);
        if (st != FLOE_OK) {
            return st;
        }
        size_t n = json_array_size(arr);
        const floe_ice_schema **ss;
        ALLOC_N(c, ss, n);
        for (size_t i = 0; i < n; i++) {
            st = ice_schema_from_json(c, json_array_get(arr, i), &ss[i]);
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "schemas[%zu]", i);
            }
            if (ss[i]->schema_id < 0) {
                ((floe_ice_schema *)ss[i])->schema_id = 0; /* Java's default schema id */
            }
        }
        m->schemas = ss;
        m->n_schemas = n;
        return FLOE_OK;
    }
    if (m->format_version > 1) {
        return ice_jfail(c, "schemas: missing (required in format v%d)", m->format_version);
    }
    const json_t *sj;
    st = ice_jreq(c, j, "schema", &sj);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_ice_schema **ss;
    ALLOC_N(c, ss, 1);
    st = ice_schema_from_json(c, sj, &ss[0]);
    if (st != FLOE_OK) {
        return floe_err_wrap(c->err, "schema");
    }
    if (ss[0]->schema_id < 0) {
        ((floe_ice_schema *)ss[0])->schema_id = 0;
    }
    m->schemas = ss;
    m->n_schemas = 1;
    m->current_schema_id = ss[0]->schema_id;
    return FLOE_OK;
}

static floe_status read_specs(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "partition-specs", &arr);
    if (st != FLOE_OK) {
        return st;
    }
    if (arr != NULL) {
        st = ice_get_i32(c, j, "default-spec-id", &m->default_spec_id);
        if (st != FLOE_OK) {
            return st;
        }
        size_t n = json_array_size(arr);
        const floe_partition_spec **ss;
        ALLOC_N(c, ss, n);
        for (size_t i = 0; i < n; i++) {
            st = ice_spec_from_json(c, json_array_get(arr, i), false, 0, true, &ss[i]);
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "partition-specs[%zu]", i);
            }
            if (ss[i]->spec_id < 0) {
                return ice_jfail(c, "partition-specs[%zu]: spec-id: missing", i);
            }
        }
        m->specs = ss;
        m->n_specs = n;
    } else {
        if (m->format_version > 1) {
            return ice_jfail(c, "partition-specs: missing (required in format v%d)",
                             m->format_version);
        }
        const json_t *fj;
        st = ice_jreq(c, j, "partition-spec", &fj);
        if (st != FLOE_OK) {
            return st;
        }
        const floe_partition_spec **ss;
        ALLOC_N(c, ss, 1);
        st = ice_spec_from_json(c, fj, true, 0, true, &ss[0]);
        if (st != FLOE_OK) {
            return floe_err_wrap(c->err, "partition-spec");
        }
        m->specs = ss;
        m->n_specs = 1;
        m->default_spec_id = 0;
    }
    bool has;
    st = ice_opt_i32(c, j, "last-partition-id", &has, &m->last_partition_id);
    if (st != FLOE_OK) {
        return st;
    }
    if (!has) {
        if (m->format_version > 1) {
            return ice_jfail(c, "last-partition-id: missing (required in format v%d)",
                             m->format_version);
        }
        m->last_partition_id = FLOE_ICE_PARTITION_ID_START - 1;
        for (size_t i = 0; i < m->n_specs; i++) {
            int32_t last = floe_partition_spec_last_field_id(m->specs[i]);
            m->last_partition_id = last > m->last_partition_id ? last : m->last_partition_id;
        }
    }
    return FLOE_OK;
}

static floe_status read_sort_orders(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "sort-orders", &arr);
    if (st != FLOE_OK) {
        return st;
    }
    if (arr == NULL) {
        if (m->format_version > 1) {
            return ice_jfail(c, "sort-orders: missing (required in format v%d)", m->format_version);
        }
        const floe_sort_order **os;
        ALLOC_N(c, os, 1);
        os[0] = &UNSORTED;
        m->sort_orders = os;
        m->n_sort_orders = 1;
        m->default_sort_order_id = 0;
        return FLOE_OK;
    }
    st = ice_get_i32(c, j, "default-sort-order-id", &m->default_sort_order_id);
    if (st != FLOE_OK) {
        return st;
    }
    size_t n = json_array_size(arr);
    const floe_sort_order **os;
    ALLOC_N(c, os, n);
    for (size_t i = 0; i < n; i++) {
        st = ice_sort_order_from_json(c, json_array_get(arr, i), &os[i]);
        if (st != FLOE_OK) {
            return floe_err_wrap(c->err, "sort-orders[%zu]", i);
        }
    }
    m->sort_orders = os;
    m->n_sort_orders = n;
    return FLOE_OK;
}

static floe_status read_snapshots_and_refs(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "snapshots", &arr);
    if (st != FLOE_OK) {
        return st;
    }
    if (arr != NULL) {
        size_t n = json_array_size(arr);
        floe_snapshot *ss;
        ALLOC_N(c, ss, n);
        for (size_t i = 0; i < n; i++) {
            st = ice_snapshot_from_json(c, json_array_get(arr, i), &ss[i]);
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "snapshots[%zu]", i);
            }
        }
        m->snapshots = ss;
        m->n_snapshots = n;
    }
    const json_t *refs = ice_jget(j, "refs");
    if (refs != NULL && !json_is_null(refs)) {
        if (!json_is_object(refs)) {
            return ice_jfail(c, "refs: expected an object, got %s", ice_jtype_name(refs));
        }
        size_t n = json_object_size(refs), i = 0;
        floe_snapshot_ref *rs;
        ALLOC_N(c, rs, n);
        const char *name;
        json_t *rj;
        json_object_foreach((json_t *)refs, name, rj)
        {
            st = ice_ref_from_json(c, rj, name, &rs[i]);
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "refs: %s", name);
            }
            i++;
        }
        m->refs = rs;
        m->n_refs = n;
    } else if (m->current_snapshot_id != -1) {
        /* Older writers had no refs: main is the current snapshot. */
        floe_snapshot_ref *rs;
        ALLOC_N(c, rs, 1);
        rs[0].name = "main";
        rs[0].snapshot_id = m->current_snapshot_id;
        rs[0].type = FLOE_REF_BRANCH;
        m->refs = rs;
        m->n_refs = 1;
    }
    return FLOE_OK;
}

static floe_status read_logs(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "snapshot-log", &arr);
    if (st == FLOE_OK && arr != NULL) {
        size_t n = json_array_size(arr);
        floe_snapshot_log_entry *es;
        ALLOC_N(c, es, n);
        for (size_t i = 0; i < n && st == FLOE_OK; i++) {
            const json_t *e = json_array_get(arr, i);
            st = ice_get_i64(c, e, "timestamp-ms", &es[i].timestamp_ms);
            if (st == FLOE_OK) {
                st = ice_get_i64(c, e, "snapshot-id", &es[i].snapshot_id);
            }
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "snapshot-log[%zu]", i);
            }
        }
        m->snapshot_log = es;
        m->n_snapshot_log = n;
    }
    if (st == FLOE_OK) {
        st = opt_array(c, j, "metadata-log", &arr);
    }
    if (st == FLOE_OK && arr != NULL) {
        size_t n = json_array_size(arr);
        floe_metadata_log_entry *es;
        ALLOC_N(c, es, n);
        for (size_t i = 0; i < n && st == FLOE_OK; i++) {
            const json_t *e = json_array_get(arr, i);
            st = ice_get_i64(c, e, "timestamp-ms", &es[i].timestamp_ms);
            if (st == FLOE_OK) {
                st = ice_get_str(c, e, "metadata-file", &es[i].file);
            }
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "metadata-log[%zu]", i);
            }
        }
        m->metadata_log = es;
        m->n_metadata_log = n;
    }
    return st;
}

static floe_status read_stats(ice_jctx *c, const json_t *j, const char *key, bool partition,
                              const floe_stats_file **out, size_t *n_out)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, key, &arr);
    if (st != FLOE_OK || arr == NULL) {
        return st;
    }
    size_t n = json_array_size(arr);
    floe_stats_file *fs;
    ALLOC_N(c, fs, n);
    for (size_t i = 0; i < n; i++) {
        st = ice_stats_from_json(c, json_array_get(arr, i), partition, &fs[i]);
        if (st != FLOE_OK) {
            return floe_err_wrap(c->err, "%s[%zu]", key, i);
        }
    }
    *out = fs;
    *n_out = n;
    return FLOE_OK;
}

static floe_status read_keys_and_extra(ice_jctx *c, const json_t *j, floe_table_meta *m)
{
    const json_t *arr;
    floe_status st = opt_array(c, j, "encryption-keys", &arr);
    if (st == FLOE_OK && arr != NULL) {
        size_t n = json_array_size(arr);
        floe_encryption_key *ks;
        ALLOC_N(c, ks, n);
        for (size_t i = 0; i < n; i++) {
            st = ice_key_from_json(c, json_array_get(arr, i), &ks[i]);
            if (st != FLOE_OK) {
                return floe_err_wrap(c->err, "encryption-keys[%zu]", i);
            }
        }
        m->encryption_keys = ks;
        m->n_encryption_keys = n;
    }
    size_t extra = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v)
    {
        extra += known_key(key) ? 0 : 1;
    }
    if (st == FLOE_OK && extra > 0) {
        floe_json_field *xs;
        ALLOC_N(c, xs, extra);
        size_t i = 0;
        json_object_foreach((json_t *)j, key, v)
        {
            if (known_key(key)) {
                continue;
            }
            xs[i].key = floe_arena_strdup(c->a, key);
            if (xs[i].key == NULL) {
                return ice_nomem(c->a, c->err);
            }
            st = ice_jtext(c, v, &xs[i].json);
            if (st != FLOE_OK) {
                return st;
            }
            i++;
        }
        m->extra = xs;
        m->n_extra = extra;
    }
    return st;
}

floe_status ice_meta_from_json(ice_jctx *c, const json_t *j, floe_table_meta **out)
{
    if (!json_is_object(j)) {
        return ice_jfail(c, "table metadata: expected an object, got %s", ice_jtype_name(j));
    }
    floe_table_meta *m = floe_arena_calloc(c->a, 1, sizeof(*m));
    if (m == NULL) {
        return ice_nomem(c->a, c->err);
    }
    int32_t fv;
    floe_status st = ice_get_i32(c, j, "format-version", &fv);
    if (st != FLOE_OK) {
        return st;
    }
    if (fv > FLOE_ICE_MAX_FORMAT_VERSION) {
        return floe_err_set(c->err, FLOE_ERR_UNSUPPORTED,
                            "unsupported table format version %d (this build reads 1 to %d)", fv,
                            FLOE_ICE_MAX_FORMAT_VERSION);
    }
    if (fv < 1) {
        return ice_jfail(c, "format-version: %d is not a valid format version", fv);
    }
    m->format_version = fv;
    if (fv > 1) {
        st = ice_get_str(c, j, "table-uuid", &m->table_uuid);
    } else {
        st = ice_opt_str(c, j, "table-uuid", &m->table_uuid);
    }
    if (st == FLOE_OK) {
        st = ice_get_str(c, j, "location", &m->location);
    }
    if (st == FLOE_OK && fv > 1) {
        st = ice_get_i64(c, j, "last-sequence-number", &m->last_sequence_number);
    }
    if (st == FLOE_OK) {
        st = ice_get_i64(c, j, "last-updated-ms", &m->last_updated_ms);
    }
    if (st == FLOE_OK) {
        st = ice_get_i32(c, j, "last-column-id", &m->last_column_id);
    }
    if (st == FLOE_OK) {
        st = read_schemas(c, j, m);
    }
    if (st == FLOE_OK) {
        st = read_specs(c, j, m);
    }
    if (st == FLOE_OK) {
        st = read_sort_orders(c, j, m);
    }
    const json_t *props = ice_jget(j, "properties");
    if (st == FLOE_OK && props != NULL && !json_is_null(props)) {
        st = ice_jkv(c, props, "properties", &m->properties, &m->n_properties);
    }
    bool has;
    if (st == FLOE_OK) {
        st = ice_opt_i64(c, j, "current-snapshot-id", &has, &m->current_snapshot_id);
        if (!has) {
            m->current_snapshot_id = -1;
        }
    }
    if (st == FLOE_OK && fv >= 3) {
        st = ice_get_i64(c, j, "next-row-id", &m->next_row_id);
    }
    if (st == FLOE_OK) {
        st = read_snapshots_and_refs(c, j, m);
    }
    if (st == FLOE_OK) {
        st = read_stats(c, j, "statistics", false, &m->statistics, &m->n_statistics);
    }
    if (st == FLOE_OK) {
        st = read_stats(c, j, "partition-statistics", true, &m->partition_statistics,
                        &m->n_partition_statistics);
    }
    if (st == FLOE_OK) {
        st = read_logs(c, j, m);
    }
    if (st == FLOE_OK) {
        st = read_keys_and_extra(c, j, m);
    }
    if (st == FLOE_OK) {
        st = ice_meta_validate(m, c->code, c->err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    *out = m;
    return FLOE_OK;
}

/* ==== Validation ==== */

static int i64_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

floe_status ice_meta_validate(const floe_table_meta *m, floe_status code, floe_err *err)
{
    for (size_t i = 0; i < m->n_schemas; i++) {
        for (size_t k = 0; k < i; k++) {
            if (m->schemas[k]->schema_id == m->schemas[i]->schema_id) {
                return floe_err_set(err, code, "schemas: schema id %d is used twice",
                                    m->schemas[i]->schema_id);
            }
        }
    }
    if (floe_table_meta_current_schema(m) == NULL) {
        return floe_err_set(err, code, "current-schema-id %d not found in schemas",
                            m->current_schema_id);
    }
    for (size_t i = 0; i < m->n_specs; i++) {
        for (size_t k = 0; k < i; k++) {
            if (m->specs[k]->spec_id == m->specs[i]->spec_id) {
                return floe_err_set(err, code, "partition-specs: spec id %d is used twice",
                                    m->specs[i]->spec_id);
            }
        }
    }
    if (floe_table_meta_default_spec(m) == NULL) {
        return floe_err_set(err, code, "default-spec-id %d not found in partition-specs",
                            m->default_spec_id);
    }
    for (size_t i = 0; i < m->n_sort_orders; i++) {
        for (size_t k = 0; k < i; k++) {
            if (m->sort_orders[k]->order_id == m->sort_orders[i]->order_id) {
                return floe_err_set(err, code, "sort-orders: order id %d is used twice",
                                    m->sort_orders[i]->order_id);
            }
        }
    }
    if (floe_table_meta_default_sort_order(m) == NULL) {
        return floe_err_set(err, code, "default-sort-order-id %d not found in sort-orders",
                            m->default_sort_order_id);
    }
    /* Snapshot ids must be unique; sort a copy to check in O(n log n). */
    if (m->n_snapshots > 1) {
        int64_t *ids = floe_xcalloc(m->n_snapshots, sizeof(*ids));
        for (size_t i = 0; i < m->n_snapshots; i++) {
            ids[i] = m->snapshots[i].snapshot_id;
        }
        qsort(ids, m->n_snapshots, sizeof(*ids), i64_cmp);
        floe_status st = FLOE_OK;
        for (size_t i = 1; i < m->n_snapshots; i++) {
            if (ids[i] == ids[i - 1]) {
                st = floe_err_set(err, code, "snapshots: snapshot id %lld is used twice",
                                  (long long)ids[i]);
                break;
            }
        }
        free(ids);
        if (st != FLOE_OK) {
            return st;
        }
    }
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const floe_snapshot *s = &m->snapshots[i];
        if (m->format_version > 1 && s->sequence_number > m->last_sequence_number) {
            return floe_err_set(err, code,
                                "snapshot %lld has sequence number %lld greater than "
                                "last-sequence-number %lld",
                                (long long)s->snapshot_id, (long long)s->sequence_number,
                                (long long)m->last_sequence_number);
        }
    }
    if (m->current_snapshot_id != -1 && floe_table_meta_current_snapshot(m) == NULL) {
        return floe_err_set(err, code, "current-snapshot-id %lld not found in snapshots",
                            (long long)m->current_snapshot_id);
    }
    const floe_snapshot_ref *main_ref = NULL;
    for (size_t i = 0; i < m->n_refs; i++) {
        const floe_snapshot_ref *r = &m->refs[i];
        if (floe_table_meta_snapshot(m, r->snapshot_id) == NULL) {
            return floe_err_set(err, code, "refs: %s points at snapshot %lld, which does not exist",
                                r->name, (long long)r->snapshot_id);
        }
        if (strcmp(r->name, "main") == 0) {
            main_ref = r;
        }
    }
    if (main_ref != NULL && main_ref->type != FLOE_REF_BRANCH) {
        return floe_err_set(err, code, "refs: main must be a branch");
    }
    if (m->current_snapshot_id != -1 && main_ref != NULL &&
        main_ref->snapshot_id != m->current_snapshot_id) {
        return floe_err_set(err, code,
                            "current-snapshot-id %lld does not match the main branch (%lld)",
                            (long long)m->current_snapshot_id, (long long)main_ref->snapshot_id);
    }
    if (m->current_snapshot_id == -1 && main_ref != NULL) {
        return floe_err_set(err, code, "current-snapshot-id is not set but the main branch exists");
    }
    return FLOE_OK;
}

/* ==== Public reading ==== */

floe_status floe_iceberg_metadata_from_json(floe_arena *a, const json_t *j, floe_table_meta **out,
                                            floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_CORRUPT, err};
    return ice_meta_from_json(&c, j, out);
}

floe_status floe_iceberg_parse_metadata(floe_arena *a, floe_str json, floe_table_meta **out,
                                        floe_err *err)
{
    if (json.len > FLOE_ICE_METADATA_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "table metadata of %zu bytes is over the "
                            "limit of %zu",
                            json.len, FLOE_ICE_METADATA_MAX);
    }
    json_error_t jerr;
    json_t *j =
        json_loadb(json.ptr != NULL ? json.ptr : "", json.len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "invalid JSON at line %d, column %d: %s",
                            jerr.line, jerr.column, jerr.text);
    }
    floe_status st = floe_iceberg_metadata_from_json(a, j, out, err);
    json_decref(j);
    return st;
}

static bool gzip_name(const char *loc)
{
    return floe_ends_with(loc, ".gz.metadata.json") || floe_ends_with(loc, ".metadata.json.gz");
}

floe_status floe_iceberg_read_metadata(floe_arena *a, floe_fileio *io, const char *location,
                                       floe_table_meta **out, floe_err *err)
{
    floe_buf raw;
    floe_buf_init(&raw, 0);
    floe_status st = floe_io_read_file(io, location, FLOE_ICE_METADATA_MAX, &raw, err);
    if (st == FLOE_OK) {
        bool gz = gzip_name(location) ||
                  (raw.len >= 2 && (uint8_t)raw.data[0] == 0x1f && (uint8_t)raw.data[1] == 0x8b);
        if (gz) {
            floe_buf plain;
            floe_buf_init(&plain, 0);
            st = floe_decompress_buf(FLOE_CODEC_GZIP, raw.data, raw.len, FLOE_ICE_METADATA_MAX,
                                     &plain, err);
            floe_buf_fini(&raw);
            raw = plain;
        }
    }
    if (st == FLOE_OK) {
        st = floe_iceberg_parse_metadata(a, (floe_str){raw.data, raw.len}, out, err);
    }
    floe_buf_fini(&raw);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "metadata %s", location);
    }
    (*out)->metadata_location = floe_arena_strdup(a, location);
    if ((*out)->metadata_location == NULL) {
        return ice_nomem(a, err);
    }
    return FLOE_OK;
}

/* ==== Writing ==== */

json_t *floe_table_meta_to_json(const floe_table_meta *m)
{
    json_t *o = ice_jnew(json_object());
    int fv = m->format_version;
    ice_jset(o, "format-version", ice_jnew(json_integer(fv)));
    if (m->table_uuid != NULL) {
        ice_jset(o, "table-uuid", ice_jstring(m->table_uuid));
    }
    if (m->location != NULL) {
        ice_jset(o, "location", ice_jstring(m->location));
    }
    if (fv > 1) {
        ice_jset(o, "last-sequence-number", ice_jnew(json_integer(m->last_sequence_number)));
    }
    ice_jset(o, "last-updated-ms", ice_jnew(json_integer(m->last_updated_ms)));
    ice_jset(o, "last-column-id", ice_jnew(json_integer(m->last_column_id)));
    const floe_ice_schema *cur = floe_table_meta_current_schema(m);
    if (fv == 1 && cur != NULL) {
        ice_jset(o, "schema", floe_ice_schema_to_json(cur));
    }
    ice_jset(o, "current-schema-id", ice_jnew(json_integer(m->current_schema_id)));
    json_t *arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_schemas; i++) {
        ice_jappend(arr, floe_ice_schema_to_json(m->schemas[i]));
    }
    ice_jset(o, "schemas", arr);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    if (fv == 1 && spec != NULL) {
        ice_jset(o, "partition-spec", floe_partition_spec_fields_to_json(spec));
    }
    ice_jset(o, "default-spec-id", ice_jnew(json_integer(m->default_spec_id)));
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_specs; i++) {
        ice_jappend(arr, floe_partition_spec_to_json(m->specs[i]));
    }
    ice_jset(o, "partition-specs", arr);
    ice_jset(o, "last-partition-id", ice_jnew(json_integer(m->last_partition_id)));
    ice_jset(o, "default-sort-order-id", ice_jnew(json_integer(m->default_sort_order_id)));
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_sort_orders; i++) {
        ice_jappend(arr, floe_sort_order_to_json(m->sort_orders[i]));
    }
    ice_jset(o, "sort-orders", arr);
    ice_jset(o, "properties", ice_kv_to_json(m->properties, m->n_properties));
    if (m->current_snapshot_id != -1) {
        ice_jset(o, "current-snapshot-id", ice_jnew(json_integer(m->current_snapshot_id)));
    } else {
        ice_jset(o, "current-snapshot-id", ice_jnew(fv >= 3 ? json_null() : json_integer(-1)));
    }
    if (fv >= 3) {
        ice_jset(o, "next-row-id", ice_jnew(json_integer(m->next_row_id)));
    }
    if (m->n_encryption_keys > 0) {
        arr = ice_jnew(json_array());
        for (size_t i = 0; i < m->n_encryption_keys; i++) {
            ice_jappend(arr, ice_key_to_json(&m->encryption_keys[i]));
        }
        ice_jset(o, "encryption-keys", arr);
    }
    json_t *refs = ice_jnew(json_object());
    for (size_t i = 0; i < m->n_refs; i++) {
        ice_jset(refs, m->refs[i].name, ice_ref_to_json(&m->refs[i]));
    }
    ice_jset(o, "refs", refs);
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_snapshots; i++) {
        ice_jappend(arr, ice_snapshot_to_json(&m->snapshots[i]));
    }
    ice_jset(o, "snapshots", arr);
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_statistics; i++) {
        ice_jappend(arr, ice_jparse_text(m->statistics[i].json));
    }
    ice_jset(o, "statistics", arr);
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_partition_statistics; i++) {
        ice_jappend(arr, ice_jparse_text(m->partition_statistics[i].json));
    }
    ice_jset(o, "partition-statistics", arr);
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_snapshot_log; i++) {
        json_t *e = ice_jnew(json_object());
        ice_jset(e, "timestamp-ms", ice_jnew(json_integer(m->snapshot_log[i].timestamp_ms)));
        ice_jset(e, "snapshot-id", ice_jnew(json_integer(m->snapshot_log[i].snapshot_id)));
        ice_jappend(arr, e);
    }
    ice_jset(o, "snapshot-log", arr);
    arr = ice_jnew(json_array());
    for (size_t i = 0; i < m->n_metadata_log; i++) {
        json_t *e = ice_jnew(json_object());
        ice_jset(e, "timestamp-ms", ice_jnew(json_integer(m->metadata_log[i].timestamp_ms)));
        ice_jset(e, "metadata-file", ice_jstring(m->metadata_log[i].file));
        ice_jappend(arr, e);
    }
    ice_jset(o, "metadata-log", arr);
    for (size_t i = 0; i < m->n_extra; i++) {
        ice_jset(o, m->extra[i].key, ice_jparse_text(m->extra[i].json));
    }
    return o;
}

floe_status floe_table_meta_write_json(const floe_table_meta *m, bool pretty, floe_buf *out,
                                       floe_err *err)
{
    json_t *j = floe_table_meta_to_json(m);
    char *s = json_dumps(j, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    json_decref(j);
    FLOE_VERIFY(s != NULL);
    floe_status st = floe_buf_append_str(out, s, err);
    free(s);
    return st;
}

floe_status floe_iceberg_write_metadata(floe_fileio *io, const char *location,
                                        const floe_table_meta *m, floe_err *err)
{
    floe_buf text;
    floe_buf_init(&text, 0);
    floe_status st = floe_table_meta_write_json(m, false, &text, err);
    if (st == FLOE_OK && gzip_name(location)) {
        floe_buf gz;
        floe_buf_init(&gz, 0);
        st = floe_compress(FLOE_CODEC_GZIP, 0, text.data, text.len, &gz, err);
        floe_buf_fini(&text);
        text = gz;
    }
    if (st == FLOE_OK) {
        st = floe_io_write_file(io, location, FLOE_IO_CREATE_EXCLUSIVE, text.data, text.len, err);
    }
    floe_buf_fini(&text);
    return st != FLOE_OK ? floe_err_wrap(err, "write metadata %s", location) : FLOE_OK;
}

char *floe_iceberg_metadata_file_name(floe_arena *a, const floe_table_meta *m, int64_t version,
                                      bool gzip)
{
    const char *dir = floe_table_meta_property(m, "write.metadata.path");
    char uuid[FLOE_UUID_STR_LEN + 1];
    floe_uuid u;
    floe_uuid_v4(&u);
    floe_uuid_format(&u, uuid);
    const char *ext = gzip ? ".gz.metadata.json" : ".metadata.json";
    if (dir != NULL) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/') {
            n--;
        }
        return floe_arena_sprintf(a, "%.*s/%05lld-%s%s", (int)n, dir, (long long)version, uuid,
                                  ext);
    }
    size_t n = m->location != NULL ? strlen(m->location) : 0;
    while (n > 1 && m->location[n - 1] == '/') {
        n--;
    }
    return floe_arena_sprintf(a, "%.*s/metadata/%05lld-%s%s", (int)n,
                              m->location != NULL ? m->location : "", (long long)version, uuid,
                              ext);
}

/* ==== Copying ==== */

floe_status floe_table_meta_dup(floe_arena *a, const floe_table_meta *m, floe_table_meta **out,
                                floe_err *err)
{
    /* The JSON form is lossless (tested), so a round trip is a deep copy. */
    json_t *j = floe_table_meta_to_json(m);
    ice_jctx c = {a, FLOE_ERR_INTERNAL, err};
    floe_status st = ice_meta_from_json(&c, j, out);
    json_decref(j);
    if (st != FLOE_OK) {
        return st;
    }
    if (m->metadata_location != NULL) {
        (*out)->metadata_location = floe_arena_strdup(a, m->metadata_location);
        if ((*out)->metadata_location == NULL) {
            return ice_nomem(a, err);
        }
    }
    return FLOE_OK;
}

/* ==== Lookups ==== */

const floe_ice_schema *floe_table_meta_schema(const floe_table_meta *m, int32_t schema_id)
{
    for (size_t i = 0; i < m->n_schemas; i++) {
        if (m->schemas[i]->schema_id == schema_id) {
            return m->schemas[i];
        }
    }
    return NULL;
}

const floe_ice_schema *floe_table_meta_current_schema(const floe_table_meta *m)
{
    return floe_table_meta_schema(m, m->current_schema_id);
}

const floe_partition_spec *floe_table_meta_spec(const floe_table_meta *m, int32_t spec_id)
{
    for (size_t i = 0; i < m->n_specs; i++) {
        if (m->specs[i]->spec_id == spec_id) {
            return m->specs[i];
        }
    }
    return NULL;
}

const floe_partition_spec *floe_table_meta_default_spec(const floe_table_meta *m)
{
    return floe_table_meta_spec(m, m->default_spec_id);
}

const floe_sort_order *floe_table_meta_sort_order(const floe_table_meta *m, int32_t order_id)
{
    for (size_t i = 0; i < m->n_sort_orders; i++) {
        if (m->sort_orders[i]->order_id == order_id) {
            return m->sort_orders[i];
        }
    }
    return NULL;
}

const floe_sort_order *floe_table_meta_default_sort_order(const floe_table_meta *m)
{
    return floe_table_meta_sort_order(m, m->default_sort_order_id);
}

const floe_snapshot *floe_table_meta_snapshot(const floe_table_meta *m, int64_t snapshot_id)
{
    for (size_t i = 0; i < m->n_snapshots; i++) {
        if (m->snapshots[i].snapshot_id == snapshot_id) {
            return &m->snapshots[i];
        }
    }
    return NULL;
}

const floe_snapshot *floe_table_meta_current_snapshot(const floe_table_meta *m)
{
    return m->current_snapshot_id == -1 ? NULL
                                        : floe_table_meta_snapshot(m, m->current_snapshot_id);
}

const floe_snapshot_ref *floe_table_meta_ref(const floe_table_meta *m, const char *name)
{
    for (size_t i = 0; i < m->n_refs; i++) {
        if (strcmp(m->refs[i].name, name) == 0) {
            return &m->refs[i];
        }
    }
    return NULL;
}

const floe_snapshot *floe_table_meta_ref_snapshot(const floe_table_meta *m, const char *name)
{
    const floe_snapshot_ref *r = floe_table_meta_ref(m, name);
    return r != NULL ? floe_table_meta_snapshot(m, r->snapshot_id) : NULL;
}

const char *floe_table_meta_property(const floe_table_meta *m, const char *key)
{
    for (size_t i = 0; i < m->n_properties; i++) {
        if (strcmp(m->properties[i].key, key) == 0) {
            return m->properties[i].value;
        }
    }
    return NULL;
}

int64_t floe_table_meta_property_int(const floe_table_meta *m, const char *key, int64_t def)
{
    const char *v = floe_table_meta_property(m, key);
    int64_t x;
    if (v == NULL || floe_parse_i64(v, &x, NULL) != FLOE_OK) {
        return def;
    }
    return x;
}

const floe_snapshot *floe_table_meta_snapshot_as_of(const floe_table_meta *m, int64_t timestamp_ms)
{
    const floe_snapshot *found = NULL;
    for (size_t i = 0; i < m->n_snapshot_log; i++) {
        if (m->snapshot_log[i].timestamp_ms <= timestamp_ms) {
            found = floe_table_meta_snapshot(m, m->snapshot_log[i].snapshot_id);
        }
    }
    return found;
}
