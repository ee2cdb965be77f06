/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The REST catalog's TableRequirement and TableUpdate model: JSON in both directions,
 * requirement checks with the REST messages, and applying updates with the semantics of Java's
 * TableMetadata.Builder (id reuse, "last added" ids, sequence-number and row-lineage checks,
 * snapshot-log and metadata-log maintenance).
 */
#include "ice_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ==== Names ==== */

static const char *const REQ_NAMES[] = {
    [FLOE_ICE_REQ_ASSERT_CREATE] = "assert-create",
    [FLOE_ICE_REQ_ASSERT_TABLE_UUID] = "assert-table-uuid",
    [FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID] = "assert-ref-snapshot-id",
    [FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_FIELD_ID] = "assert-last-assigned-field-id",
    [FLOE_ICE_REQ_ASSERT_CURRENT_SCHEMA_ID] = "assert-current-schema-id",
    [FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_PARTITION_ID] = "assert-last-assigned-partition-id",
    [FLOE_ICE_REQ_ASSERT_DEFAULT_SPEC_ID] = "assert-default-spec-id",
    [FLOE_ICE_REQ_ASSERT_DEFAULT_SORT_ORDER_ID] = "assert-default-sort-order-id",
};

/* The JSON member holding the asserted id of the int-valued requirements. */
static const char *const REQ_ID_KEYS[] = {
    [FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_FIELD_ID] = "last-assigned-field-id",
    [FLOE_ICE_REQ_ASSERT_CURRENT_SCHEMA_ID] = "current-schema-id",
    [FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_PARTITION_ID] = "last-assigned-partition-id",
    [FLOE_ICE_REQ_ASSERT_DEFAULT_SPEC_ID] = "default-spec-id",
    [FLOE_ICE_REQ_ASSERT_DEFAULT_SORT_ORDER_ID] = "default-sort-order-id",
};

static const char *const UP_NAMES[] = {
    [FLOE_ICE_UP_ASSIGN_UUID] = "assign-uuid",
    [FLOE_ICE_UP_UPGRADE_FORMAT_VERSION] = "upgrade-format-version",
    [FLOE_ICE_UP_ADD_SCHEMA] = "add-schema",
    [FLOE_ICE_UP_SET_CURRENT_SCHEMA] = "set-current-schema",
    [FLOE_ICE_UP_ADD_SPEC] = "add-spec",
    [FLOE_ICE_UP_SET_DEFAULT_SPEC] = "set-default-spec",
    [FLOE_ICE_UP_ADD_SORT_ORDER] = "add-sort-order",
    [FLOE_ICE_UP_SET_DEFAULT_SORT_ORDER] = "set-default-sort-order",
    [FLOE_ICE_UP_ADD_SNAPSHOT] = "add-snapshot",
    [FLOE_ICE_UP_SET_SNAPSHOT_REF] = "set-snapshot-ref",
    [FLOE_ICE_UP_REMOVE_SNAPSHOTS] = "remove-snapshots",
    [FLOE_ICE_UP_REMOVE_SNAPSHOT_REF] = "remove-snapshot-ref",
    [FLOE_ICE_UP_SET_LOCATION] = "set-location",
    [FLOE_ICE_UP_SET_PROPERTIES] = "set-properties",
    [FLOE_ICE_UP_REMOVE_PROPERTIES] = "remove-properties",
    [FLOE_ICE_UP_SET_STATISTICS] = "set-statistics",
    [FLOE_ICE_UP_REMOVE_STATISTICS] = "remove-statistics",
    [FLOE_ICE_UP_SET_PARTITION_STATISTICS] = "set-partition-statistics",
    [FLOE_ICE_UP_REMOVE_PARTITION_STATISTICS] = "remove-partition-statistics",
    [FLOE_ICE_UP_REMOVE_PARTITION_SPECS] = "remove-partition-specs",
    [FLOE_ICE_UP_REMOVE_SCHEMAS] = "remove-schemas",
    [FLOE_ICE_UP_ADD_ENCRYPTION_KEY] = "add-encryption-key",
    [FLOE_ICE_UP_REMOVE_ENCRYPTION_KEY] = "remove-encryption-key",
};

const char *floe_ice_req_kind_name(floe_ice_req_kind k)
{
    return (unsigned)k < FLOE_ARRAY_LEN(REQ_NAMES) ? REQ_NAMES[k] : "?";
}

const char *floe_ice_update_kind_name(floe_ice_update_kind k)
{
    return (unsigned)k < FLOE_ARRAY_LEN(UP_NAMES) ? UP_NAMES[k] : "?";
}

/* ==== Requirements: JSON ==== */

floe_status floe_ice_requirement_from_json(floe_arena *a, const json_t *j,
                                           floe_ice_requirement *out, floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j)) {
        return ice_jfail(&c, "requirement: expected an object, got %s", ice_jtype_name(j));
    }
    const char *type;
    floe_status st = ice_get_str(&c, j, "type", &type);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "requirement");
    }
    size_t k;
    for (k = 0; k < FLOE_ARRAY_LEN(REQ_NAMES); k++) {
        if (strcmp(type, REQ_NAMES[k]) == 0) {
            break;
        }
    }
    if (k == FLOE_ARRAY_LEN(REQ_NAMES)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "unknown requirement type \"%s\"", type);
    }
    out->kind = (floe_ice_req_kind)k;
    switch (out->kind) {
    case FLOE_ICE_REQ_ASSERT_CREATE:
        break;
    case FLOE_ICE_REQ_ASSERT_TABLE_UUID:
        st = ice_get_str(&c, j, "uuid", &out->uuid);
        break;
    case FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID:
        st = ice_get_str(&c, j, "ref", &out->ref);
        if (st == FLOE_OK) {
            st = ice_opt_i64(&c, j, "snapshot-id", &out->has_snapshot_id, &out->snapshot_id);
        }
        break;
    default:
        st = ice_get_i32(&c, j, REQ_ID_KEYS[k], &out->id);
        break;
    }
    return st != FLOE_OK ? floe_err_wrap(err, "%s", type) : FLOE_OK;
}

json_t *floe_ice_requirement_to_json(const floe_ice_requirement *r)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string(floe_ice_req_kind_name(r->kind))));
    switch (r->kind) {
    case FLOE_ICE_REQ_ASSERT_CREATE:
        break;
    case FLOE_ICE_REQ_ASSERT_TABLE_UUID:
        ice_jset(o, "uuid", ice_jstring(r->uuid));
        break;
    case FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID:
        ice_jset(o, "ref", ice_jstring(r->ref));
        ice_jset(o, "snapshot-id",
                 ice_jnew(r->has_snapshot_id ? json_integer(r->snapshot_id) : json_null()));
        break;
    default:
        ice_jset(o, REQ_ID_KEYS[r->kind], ice_jnew(json_integer(r->id)));
        break;
    }
    return o;
}

/* ==== Requirements: checks ==== */

static floe_status req_failed(floe_err *err, const char *what, int64_t expected, int64_t actual)
{
    return floe_err_set(err, FLOE_ERR_CONFLICT,
                        "Requirement failed: %s changed: expected id %lld != %lld", what,
                        (long long)expected, (long long)actual);
}

static floe_status check_one(const floe_table_meta *base, const floe_ice_requirement *r,
                             floe_err *err)
{
    if (r->kind == FLOE_ICE_REQ_ASSERT_CREATE) {
        if (base != NULL) {
            return floe_err_set(err, FLOE_ERR_CONFLICT, "Requirement failed: table already exists");
        }
        return FLOE_OK;
    }
    if (base == NULL) {
        if (r->kind == FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_FIELD_ID ||
            r->kind == FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_PARTITION_ID) {
            return FLOE_OK; /* as Java: create transactions send these against no table */
        }
        return floe_err_set(err, FLOE_ERR_CONFLICT, "Requirement failed: table does not exist");
    }
    switch (r->kind) {
    case FLOE_ICE_REQ_ASSERT_TABLE_UUID:
        if (r->uuid == NULL || base->table_uuid == NULL ||
            strcasecmp(r->uuid, base->table_uuid) != 0) {
            return floe_err_set(err, FLOE_ERR_CONFLICT,
                                "Requirement failed: UUID does not match: expected %s != %s",
                                r->uuid != NULL ? r->uuid : "null",
                                base->table_uuid != NULL ? base->table_uuid : "null");
        }
        return FLOE_OK;
    case FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID: {
        const floe_snapshot_ref *ref = floe_table_meta_ref(base, r->ref != NULL ? r->ref : "");
        if (ref != NULL) {
            const char *type = ref->type == FLOE_REF_BRANCH ? "branch" : "tag";
            if (!r->has_snapshot_id) {
                return floe_err_set(err, FLOE_ERR_CONFLICT,
                                    "Requirement failed: %s %s was created concurrently", type,
                                    r->ref);
            }
            if (r->snapshot_id != ref->snapshot_id) {
                return floe_err_set(err, FLOE_ERR_CONFLICT,
                                    "Requirement failed: %s %s has changed: expected id %lld != "
                                    "%lld",
                                    type, r->ref, (long long)r->snapshot_id,
                                    (long long)ref->snapshot_id);
            }
        } else if (r->has_snapshot_id) {
            return floe_err_set(err, FLOE_ERR_CONFLICT,
                                "Requirement failed: branch or tag %s is missing, expected %lld",
                                r->ref != NULL ? r->ref : "", (long long)r->snapshot_id);
        }
        return FLOE_OK;
    }
    case FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_FIELD_ID:
        return base->last_column_id == r->id
                   ? FLOE_OK
                   : req_failed(err, "last assigned field id", r->id, base->last_column_id);
    case FLOE_ICE_REQ_ASSERT_CURRENT_SCHEMA_ID:
        return base->current_schema_id == r->id
                   ? FLOE_OK
                   : req_failed(err, "current schema", r->id, base->current_schema_id);
    case FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_PARTITION_ID:
        return base->last_partition_id == r->id
                   ? FLOE_OK
                   : req_failed(err, "last assigned partition id", r->id, base->last_partition_id);
    case FLOE_ICE_REQ_ASSERT_DEFAULT_SPEC_ID:
        return base->default_spec_id == r->id
                   ? FLOE_OK
                   : req_failed(err, "default partition spec", r->id, base->default_spec_id);
    case FLOE_ICE_REQ_ASSERT_DEFAULT_SORT_ORDER_ID:
        return base->default_sort_order_id == r->id
                   ? FLOE_OK
                   : req_failed(err, "default sort order", r->id, base->default_sort_order_id);
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "unknown requirement kind %d", (int)r->kind);
    }
}

floe_status floe_ice_requirements_check(const floe_table_meta *base,
                                        const floe_ice_requirement *reqs, size_t n, floe_err *err)
{
    for (size_t i = 0; i < n; i++) {
        floe_status st = check_one(base, &reqs[i], err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

/* ==== Updates: JSON ==== */

static floe_status read_string_list(ice_jctx *c, const json_t *arr, const char *what,
                                    const char *const **out, size_t *n)
{
    if (!json_is_array(arr)) {
        return ice_jfail(c, "%s: expected an array, got %s", what, ice_jtype_name(arr));
    }
    size_t count = json_array_size(arr);
    const char **v = floe_arena_calloc(c->a, count > 0 ? count : 1, sizeof(*v));
    if (v == NULL) {
        return ice_nomem(c->a, c->err);
    }
    for (size_t i = 0; i < count; i++) {
        floe_status st = ice_jstr(c, json_array_get(arr, i), what, &v[i]);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = v;
    *n = count;
    return FLOE_OK;
}

static floe_status read_update(ice_jctx *c, const json_t *j, floe_ice_update *u)
{
    const json_t *x;
    floe_status st = FLOE_OK;
    switch (u->kind) {
    case FLOE_ICE_UP_ASSIGN_UUID:
        return ice_get_str(c, j, "uuid", &u->uuid);
    case FLOE_ICE_UP_UPGRADE_FORMAT_VERSION: {
        int32_t v;
        st = ice_get_i32(c, j, "format-version", &v);
        u->format_version = v;
        return st;
    }
    case FLOE_ICE_UP_ADD_SCHEMA:
        st = ice_jreq(c, j, "schema", &x);
        if (st == FLOE_OK) {
            st = ice_schema_from_json(c, x, &u->schema);
        }
        if (st == FLOE_OK) {
            st = ice_opt_i32(c, j, "last-column-id", &u->has_last_column_id, &u->last_column_id);
        }
        return st;
    case FLOE_ICE_UP_SET_CURRENT_SCHEMA:
        return ice_get_i32(c, j, "schema-id", &u->id);
    case FLOE_ICE_UP_ADD_SPEC:
        st = ice_jreq(c, j, "spec", &x);
        return st != FLOE_OK ? st : ice_spec_from_json(c, x, false, -1, false, &u->spec);
    case FLOE_ICE_UP_SET_DEFAULT_SPEC:
        return ice_get_i32(c, j, "spec-id", &u->id);
    case FLOE_ICE_UP_ADD_SORT_ORDER:
        st = ice_jreq(c, j, "sort-order", &x);
        return st != FLOE_OK ? st : ice_sort_order_from_json(c, x, &u->sort_order);
    case FLOE_ICE_UP_SET_DEFAULT_SORT_ORDER:
        return ice_get_i32(c, j, "sort-order-id", &u->id);
    case FLOE_ICE_UP_ADD_SNAPSHOT: {
        floe_snapshot *s = floe_arena_calloc(c->a, 1, sizeof(*s));
        if (s == NULL) {
            return ice_nomem(c->a, c->err);
        }
        st = ice_jreq(c, j, "snapshot", &x);
        if (st == FLOE_OK) {
            st = ice_snapshot_from_json(c, x, s);
            if (st != FLOE_OK) {
                floe_err_wrap(c->err, "snapshot");
            }
        }
        u->snapshot = s;
        return st;
    }
    case FLOE_ICE_UP_SET_SNAPSHOT_REF: {
        const char *name;
        st = ice_get_str(c, j, "ref-name", &name);
        return st != FLOE_OK ? st : ice_ref_from_json(c, j, name, &u->ref);
    }
    case FLOE_ICE_UP_REMOVE_SNAPSHOTS:
        st = ice_get_arr(c, j, "snapshot-ids", &x);
        return st != FLOE_OK
                   ? st
                   : ice_ji64_array(c, x, "snapshot-ids", &u->snapshot_ids, &u->n_snapshot_ids);
    case FLOE_ICE_UP_REMOVE_SNAPSHOT_REF:
        return ice_get_str(c, j, "ref-name", &u->ref_name);
    case FLOE_ICE_UP_SET_LOCATION:
        return ice_get_str(c, j, "location", &u->location);
    case FLOE_ICE_UP_SET_PROPERTIES:
        x = ice_jget(j, "updates");
        if (x == NULL) {
            x = ice_jget(j, "updated"); /* Java's first spelling */
        }
        if (x == NULL || json_is_null(x)) {
            return ice_jfail(c, "updates: missing");
        }
        return ice_jkv(c, x, "updates", &u->updates, &u->n_updates);
    case FLOE_ICE_UP_REMOVE_PROPERTIES:
        x = ice_jget(j, "removals");
        if (x == NULL) {
            x = ice_jget(j, "removed");
        }
        if (x == NULL || json_is_null(x)) {
            return ice_jfail(c, "removals: missing");
        }
        return read_string_list(c, x, "removals", &u->removals, &u->n_removals);
    case FLOE_ICE_UP_SET_STATISTICS:
        st = ice_jreq(c, j, "statistics", &x);
        return st != FLOE_OK ? st : ice_stats_from_json(c, x, false, &u->stats);
    case FLOE_ICE_UP_SET_PARTITION_STATISTICS:
        st = ice_jreq(c, j, "partition-statistics", &x);
        return st != FLOE_OK ? st : ice_stats_from_json(c, x, true, &u->stats);
    case FLOE_ICE_UP_REMOVE_STATISTICS:
    case FLOE_ICE_UP_REMOVE_PARTITION_STATISTICS:
        return ice_get_i64(c, j, "snapshot-id", &u->snapshot_id);
    case FLOE_ICE_UP_REMOVE_PARTITION_SPECS:
        st = ice_get_arr(c, j, "spec-ids", &x);
        return st != FLOE_OK ? st : ice_ji32_array(c, x, "spec-ids", &u->ids, &u->n_ids);
    case FLOE_ICE_UP_REMOVE_SCHEMAS:
        st = ice_get_arr(c, j, "schema-ids", &x);
        return st != FLOE_OK ? st : ice_ji32_array(c, x, "schema-ids", &u->ids, &u->n_ids);
    case FLOE_ICE_UP_ADD_ENCRYPTION_KEY:
        st = ice_jreq(c, j, "encryption-key", &x);
        return st != FLOE_OK ? st : ice_key_from_json(c, x, &u->key);
    case FLOE_ICE_UP_REMOVE_ENCRYPTION_KEY:
        return ice_get_str(c, j, "key-id", &u->key_id);
    }
    return ice_jfail(c, "unknown update");
}

floe_status floe_ice_update_from_json(floe_arena *a, const json_t *j, floe_ice_update *out,
                                      floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j)) {
        return ice_jfail(&c, "update: expected an object, got %s", ice_jtype_name(j));
    }
    const char *action;
    floe_status st = ice_get_str(&c, j, "action", &action);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "update");
    }
    size_t k;
    for (k = 0; k < FLOE_ARRAY_LEN(UP_NAMES); k++) {
        if (strcmp(action, UP_NAMES[k]) == 0) {
            break;
        }
    }
    if (k == FLOE_ARRAY_LEN(UP_NAMES)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "unknown update action \"%s\"", action);
    }
    out->kind = (floe_ice_update_kind)k;
    st = read_update(&c, j, out);
    return st != FLOE_OK ? floe_err_wrap(err, "%s", action) : FLOE_OK;
}

json_t *floe_ice_update_to_json(const floe_ice_update *u)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "action", ice_jnew(json_string(floe_ice_update_kind_name(u->kind))));
    switch (u->kind) {
    case FLOE_ICE_UP_ASSIGN_UUID:
        ice_jset(o, "uuid", ice_jstring(u->uuid));
        break;
    case FLOE_ICE_UP_UPGRADE_FORMAT_VERSION:
        ice_jset(o, "format-version", ice_jnew(json_integer(u->format_version)));
        break;
    case FLOE_ICE_UP_ADD_SCHEMA:
        ice_jset(o, "schema", floe_ice_schema_to_json(u->schema));
        if (u->has_last_column_id) {
            ice_jset(o, "last-column-id", ice_jnew(json_integer(u->last_column_id)));
        }
        break;
    case FLOE_ICE_UP_SET_CURRENT_SCHEMA:
        ice_jset(o, "schema-id", ice_jnew(json_integer(u->id)));
        break;
    case FLOE_ICE_UP_ADD_SPEC:
        ice_jset(o, "spec", floe_partition_spec_to_json(u->spec));
        break;
    case FLOE_ICE_UP_SET_DEFAULT_SPEC:
        ice_jset(o, "spec-id", ice_jnew(json_integer(u->id)));
        break;
    case FLOE_ICE_UP_ADD_SORT_ORDER:
        ice_jset(o, "sort-order", floe_sort_order_to_json(u->sort_order));
        break;
    case FLOE_ICE_UP_SET_DEFAULT_SORT_ORDER:
        ice_jset(o, "sort-order-id", ice_jnew(json_integer(u->id)));
        break;
    case FLOE_ICE_UP_ADD_SNAPSHOT:
        ice_jset(o, "snapshot", ice_snapshot_to_json(u->snapshot));
        break;
    case FLOE_ICE_UP_SET_SNAPSHOT_REF: {
        ice_jset(o, "ref-name", ice_jstring(u->ref.name));
        json_t *r = ice_ref_to_json(&u->ref);
        const char *key;
        json_t *v;
        json_object_foreach(r, key, v)
        {
            ice_jset(o, key, json_incref(v));
        }
        json_decref(r);
        break;
    }
    case FLOE_ICE_UP_REMOVE_SNAPSHOTS:
        ice_jset(o, "snapshot-ids", ice_i64_array_to_json(u->snapshot_ids, u->n_snapshot_ids));
        break;
    case FLOE_ICE_UP_REMOVE_SNAPSHOT_REF:
        ice_jset(o, "ref-name", ice_jstring(u->ref_name));
        break;
    case FLOE_ICE_UP_SET_LOCATION:
        ice_jset(o, "location", ice_jstring(u->location));
        break;
    case FLOE_ICE_UP_SET_PROPERTIES:
        ice_jset(o, "updates", ice_kv_to_json(u->updates, u->n_updates));
        break;
    case FLOE_ICE_UP_REMOVE_PROPERTIES: {
        json_t *arr = ice_jnew(json_array());
        for (size_t i = 0; i < u->n_removals; i++) {
            ice_jappend(arr, ice_jstring(u->removals[i]));
        }
        ice_jset(o, "removals", arr);
        break;
    }
    case FLOE_ICE_UP_SET_STATISTICS:
        ice_jset(o, "snapshot-id", ice_jnew(json_integer(u->stats.snapshot_id)));
        ice_jset(o, "statistics", ice_jparse_text(u->stats.json));
        break;
    case FLOE_ICE_UP_SET_PARTITION_STATISTICS:
        ice_jset(o, "partition-statistics", ice_jparse_text(u->stats.json));
        break;
    case FLOE_ICE_UP_REMOVE_STATISTICS:
    case FLOE_ICE_UP_REMOVE_PARTITION_STATISTICS:
        ice_jset(o, "snapshot-id", ice_jnew(json_integer(u->snapshot_id)));
        break;
    case FLOE_ICE_UP_REMOVE_PARTITION_SPECS:
        ice_jset(o, "spec-ids", ice_i32_array_to_json(u->ids, u->n_ids));
        break;
    case FLOE_ICE_UP_REMOVE_SCHEMAS:
        ice_jset(o, "schema-ids", ice_i32_array_to_json(u->ids, u->n_ids));
        break;
    case FLOE_ICE_UP_ADD_ENCRYPTION_KEY:
        ice_jset(o, "encryption-key", ice_key_to_json(&u->key));
        break;
    case FLOE_ICE_UP_REMOVE_ENCRYPTION_KEY:
        ice_jset(o, "key-id", ice_jstring(u->key_id));
        break;
    }
    return o;
}

/* ==== Commit requests ==== */

floe_status floe_ice_commit_request_from_json(floe_arena *a, const json_t *j,
                                              floe_ice_commit_request *out, floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j)) {
        return ice_jfail(&c, "commit request: expected an object, got %s", ice_jtype_name(j));
    }
    const json_t *ident = ice_jget(j, "identifier");
    floe_status st = FLOE_OK;
    if (ident != NULL && !json_is_null(ident)) {
        const json_t *ns;
        st = ice_get_arr(&c, ident, "namespace", &ns);
        if (st == FLOE_OK) {
            st = read_string_list(&c, ns, "namespace", &out->ns, &out->n_ns);
        }
        if (st == FLOE_OK) {
            st = ice_get_str(&c, ident, "name", &out->name);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "identifier");
        }
    }
    const json_t *reqs, *ups;
    st = ice_get_arr(&c, j, "requirements", &reqs);
    if (st == FLOE_OK) {
        st = ice_get_arr(&c, j, "updates", &ups);
    }
    if (st != FLOE_OK) {
        return st;
    }
    size_t nr = json_array_size(reqs), nu = json_array_size(ups);
    floe_ice_requirement *rs = floe_arena_calloc(a, nr > 0 ? nr : 1, sizeof(*rs));
    floe_ice_update *us = floe_arena_calloc(a, nu > 0 ? nu : 1, sizeof(*us));
    if (rs == NULL || us == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < nr; i++) {
        st = floe_ice_requirement_from_json(a, json_array_get(reqs, i), &rs[i], err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "requirements[%zu]", i);
        }
    }
    for (size_t i = 0; i < nu; i++) {
        st = floe_ice_update_from_json(a, json_array_get(ups, i), &us[i], err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "updates[%zu]", i);
        }
    }
    out->reqs = rs;
    out->n_reqs = nr;
    out->updates = us;
    out->n_updates = nu;
    return FLOE_OK;
}

json_t *floe_ice_commit_request_to_json(const floe_ice_commit_request *r)
{
    json_t *o = ice_jnew(json_object());
    if (r->name != NULL) {
        json_t *id = ice_jnew(json_object());
        json_t *ns = ice_jnew(json_array());
        for (size_t i = 0; i < r->n_ns; i++) {
            ice_jappend(ns, ice_jstring(r->ns[i]));
        }
        ice_jset(id, "namespace", ns);
        ice_jset(id, "name", ice_jstring(r->name));
        ice_jset(o, "identifier", id);
    }
    json_t *reqs = ice_jnew(json_array());
    for (size_t i = 0; i < r->n_reqs; i++) {
        ice_jappend(reqs, floe_ice_requirement_to_json(&r->reqs[i]));
    }
    ice_jset(o, "requirements", reqs);
    json_t *ups = ice_jnew(json_array());
    for (size_t i = 0; i < r->n_updates; i++) {
        ice_jappend(ups, floe_ice_update_to_json(&r->updates[i]));
    }
    ice_jset(o, "updates", ups);
    return o;
}

/* ==== Applying updates ==== */

/* The working state: lists are heap vectors; everything else lives in a scratch arena or in
 * the base / update inputs, and the result is deep-copied into the caller's arena at the end. */
typedef struct builder {
    floe_arena *t; /* scratch */
    floe_err *err;
    const floe_table_meta *base;
    int64_t now_ms;
    int format_version;
    bool format_explicit;
    const char *uuid;
    const char *location;
    int64_t last_sequence_number;
    int32_t last_column_id;
    int32_t current_schema_id;
    int32_t default_spec_id;
    int32_t last_partition_id;
    int32_t default_sort_order_id;
    int64_t current_snapshot_id;
    int64_t next_row_id;
    floe_vec schemas;       /* const floe_ice_schema * */
    floe_vec specs;         /* const floe_partition_spec * */
    floe_vec orders;        /* const floe_sort_order * */
    floe_vec props;         /* floe_kv */
    floe_vec snapshots;     /* floe_snapshot */
    floe_vec refs;          /* floe_snapshot_ref */
    floe_vec snap_log;      /* floe_snapshot_log_entry */
    floe_vec stats;         /* floe_stats_file */
    floe_vec pstats;        /* floe_stats_file */
    floe_vec keys;          /* floe_encryption_key */
    floe_vec added_snaps;   /* int64_t: snapshots added by this commit */
    floe_vec main_sets;     /* int64_t: snapshots main was set to by this commit */
    floe_vec added_schemas; /* int32_t */
    floe_vec added_specs;   /* int32_t */
    floe_vec added_orders;  /* int32_t */
    bool has_last_schema, has_last_spec, has_last_order;
    int32_t last_schema, last_spec, last_order;
    bool removed_snapshots;
    size_t changes;
} builder;

#define VEC_AT(v, T, i) (((T *)(v)->data)[i])

static bool vec_has_i32(const floe_vec *v, int32_t x)
{
    for (size_t i = 0; i < v->n; i++) {
        if (VEC_AT(v, int32_t, i) == x) {
            return true;
        }
    }
    return false;
}

static bool vec_has_i64(const floe_vec *v, int64_t x)
{
    for (size_t i = 0; i < v->n; i++) {
        if (VEC_AT(v, int64_t, i) == x) {
            return true;
        }
    }
    return false;
}

static void builder_init(builder *b, floe_arena *t, const floe_table_meta *base, int64_t now_ms,
                         floe_err *err)
{
    memset(b, 0, sizeof(*b));
    b->t = t;
    b->err = err;
    b->base = base;
    b->now_ms = now_ms;
    floe_vec_init(&b->schemas, sizeof(const floe_ice_schema *));
    floe_vec_init(&b->specs, sizeof(const floe_partition_spec *));
    floe_vec_init(&b->orders, sizeof(const floe_sort_order *));
    floe_vec_init(&b->props, sizeof(floe_kv));
    floe_vec_init(&b->snapshots, sizeof(floe_snapshot));
    floe_vec_init(&b->refs, sizeof(floe_snapshot_ref));
    floe_vec_init(&b->snap_log, sizeof(floe_snapshot_log_entry));
    floe_vec_init(&b->stats, sizeof(floe_stats_file));
    floe_vec_init(&b->pstats, sizeof(floe_stats_file));
    floe_vec_init(&b->keys, sizeof(floe_encryption_key));
    floe_vec_init(&b->added_snaps, sizeof(int64_t));
    floe_vec_init(&b->main_sets, sizeof(int64_t));
    floe_vec_init(&b->added_schemas, sizeof(int32_t));
    floe_vec_init(&b->added_specs, sizeof(int32_t));
    floe_vec_init(&b->added_orders, sizeof(int32_t));
    if (base == NULL) {
        b->format_version = FLOE_ICE_DEFAULT_FORMAT_VERSION;
        b->current_schema_id = -1;
        b->default_spec_id = -1;
        b->default_sort_order_id = -1;
        b->last_partition_id = FLOE_ICE_PARTITION_ID_START - 1;
        b->current_snapshot_id = -1;
        return;
    }
    b->format_version = base->format_version;
    b->uuid = base->table_uuid;
    b->location = base->location;
    b->last_sequence_number = base->last_sequence_number;
    b->last_column_id = base->last_column_id;
    b->current_schema_id = base->current_schema_id;
    b->default_spec_id = base->default_spec_id;
    b->last_partition_id = base->last_partition_id;
    b->default_sort_order_id = base->default_sort_order_id;
    b->current_snapshot_id = base->current_snapshot_id;
    b->next_row_id = base->next_row_id;
    for (size_t i = 0; i < base->n_schemas; i++) {
        floe_vec_push_copy(&b->schemas, &base->schemas[i]);
    }
    for (size_t i = 0; i < base->n_specs; i++) {
        floe_vec_push_copy(&b->specs, &base->specs[i]);
    }
    for (size_t i = 0; i < base->n_sort_orders; i++) {
        floe_vec_push_copy(&b->orders, &base->sort_orders[i]);
    }
    for (size_t i = 0; i < base->n_properties; i++) {
        floe_vec_push_copy(&b->props, &base->properties[i]);
    }
    for (size_t i = 0; i < base->n_snapshots; i++) {
        floe_vec_push_copy(&b->snapshots, &base->snapshots[i]);
    }
    for (size_t i = 0; i < base->n_refs; i++) {
        floe_vec_push_copy(&b->refs, &base->refs[i]);
    }
    for (size_t i = 0; i < base->n_snapshot_log; i++) {
        floe_vec_push_copy(&b->snap_log, &base->snapshot_log[i]);
    }
    for (size_t i = 0; i < base->n_statistics; i++) {
        floe_vec_push_copy(&b->stats, &base->statistics[i]);
    }
    for (size_t i = 0; i < base->n_partition_statistics; i++) {
        floe_vec_push_copy(&b->pstats, &base->partition_statistics[i]);
    }
    for (size_t i = 0; i < base->n_encryption_keys; i++) {
        floe_vec_push_copy(&b->keys, &base->encryption_keys[i]);
    }
}

static void builder_fini(builder *b)
{
    floe_vec *vs[] = {&b->schemas,       &b->specs,       &b->orders,      &b->props,
                      &b->snapshots,     &b->refs,        &b->snap_log,    &b->stats,
                      &b->pstats,        &b->keys,        &b->added_snaps, &b->main_sets,
                      &b->added_schemas, &b->added_specs, &b->added_orders};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(vs); i++) {
        floe_vec_fini(vs[i]);
    }
}

static const floe_ice_schema *b_schema(const builder *b, int32_t id)
{
    for (size_t i = 0; i < b->schemas.n; i++) {
        const floe_ice_schema *s = VEC_AT(&b->schemas, const floe_ice_schema *, i);
        if (s->schema_id == id) {
            return s;
        }
    }
    return NULL;
}

static const floe_partition_spec *b_spec(const builder *b, int32_t id)
{
    for (size_t i = 0; i < b->specs.n; i++) {
        const floe_partition_spec *s = VEC_AT(&b->specs, const floe_partition_spec *, i);
        if (s->spec_id == id) {
            return s;
        }
    }
    return NULL;
}

static const floe_sort_order *b_order(const builder *b, int32_t id)
{
    for (size_t i = 0; i < b->orders.n; i++) {
        const floe_sort_order *o = VEC_AT(&b->orders, const floe_sort_order *, i);
        if (o->order_id == id) {
            return o;
        }
    }
    return NULL;
}

static floe_snapshot *b_snapshot(const builder *b, int64_t id)
{
    for (size_t i = 0; i < b->snapshots.n; i++) {
        floe_snapshot *s = &VEC_AT(&b->snapshots, floe_snapshot, i);
        if (s->snapshot_id == id) {
            return s;
        }
    }
    return NULL;
}

static floe_status invalid(builder *b, const char *fmt, ...) FLOE_PRINTF(2, 3);

static floe_status invalid(builder *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_status st = floe_err_setv(b->err, FLOE_ERR_INVALID, fmt, ap);
    va_end(ap);
    return st;
}

static floe_status up_assign_uuid(builder *b, const char *uuid)
{
    floe_uuid u;
    if (uuid == NULL || floe_uuid_parse(uuid, strlen(uuid), &u, NULL) != FLOE_OK) {
        return invalid(b, "invalid uuid \"%s\"", uuid != NULL ? uuid : "null");
    }
    if (b->uuid != NULL && strcasecmp(b->uuid, uuid) == 0) {
        return FLOE_OK;
    }
    if (b->base != NULL && b->base->table_uuid != NULL) {
        return invalid(b, "cannot reassign the uuid of an existing table (%s)",
                       b->base->table_uuid);
    }
    b->uuid = uuid;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_format_version(builder *b, int v)
{
    if (v > FLOE_ICE_MAX_FORMAT_VERSION || v < 1) {
        return invalid(b,
                       "Cannot upgrade table to unsupported format version: v%d (supported: v%d)",
                       v, FLOE_ICE_MAX_FORMAT_VERSION);
    }
    if (b->base == NULL && !b->format_explicit && b->schemas.n == 0) {
        /* creating a table: the first format version is chosen, not upgraded to */
        b->format_explicit = true;
        if (v != b->format_version) {
            b->format_version = v;
            b->changes++;
        }
        return FLOE_OK;
    }
    if (v < b->format_version) {
        return invalid(b, "Cannot downgrade v%d table to v%d", b->format_version, v);
    }
    if (v == b->format_version) {
        return FLOE_OK;
    }
    b->format_version = v;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_add_schema(builder *b, const floe_ice_schema *schema)
{
    floe_status st = floe_ice_schema_check_format(schema, b->format_version, b->err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_ice_schema *cur = b_schema(b, b->current_schema_id);
    if (cur != NULL) {
        st = floe_ice_schema_check_evolution(cur, schema, b->format_version, b->err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    int32_t highest = floe_ice_schema_highest_id(schema);
    int32_t new_last = highest > b->last_column_id ? highest : b->last_column_id;
    /* Reuse the id of an identical schema, else one past the highest (Java). */
    int32_t id = b->current_schema_id < 0 ? 0 : b->current_schema_id;
    bool found = false;
    for (size_t i = 0; i < b->schemas.n && !found; i++) {
        const floe_ice_schema *s = VEC_AT(&b->schemas, const floe_ice_schema *, i);
        if (floe_ice_schema_same(s, schema)) {
            id = s->schema_id;
            found = true;
        } else if (s->schema_id >= id) {
            id = s->schema_id + 1;
        }
    }
    if (found && new_last == b->last_column_id) {
        b->has_last_schema = vec_has_i32(&b->added_schemas, id);
        b->last_schema = id;
        return FLOE_OK;
    }
    b->last_column_id = new_last;
    if (!found) {
        floe_ice_schema *copy = floe_arena_alloc(b->t, sizeof(*copy));
        if (copy == NULL) {
            return ice_nomem(b->t, b->err);
        }
        *copy = *schema;
        copy->schema_id = id;
        const floe_ice_schema *cp = copy;
        floe_vec_push_copy(&b->schemas, &cp);
    }
    floe_vec_push_copy(&b->added_schemas, &id);
    b->has_last_schema = true;
    b->last_schema = id;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_set_current_schema(builder *b, int32_t id)
{
    if (id == -1) {
        if (!b->has_last_schema) {
            return invalid(b, "Cannot set last added schema: no schema has been added");
        }
        id = b->last_schema;
    }
    if (id == b->current_schema_id) {
        return FLOE_OK;
    }
    if (b_schema(b, id) == NULL) {
        return invalid(b, "Cannot set current schema to unknown schema: %d", id);
    }
    b->current_schema_id = id;
    b->changes++;
    return FLOE_OK;
}

/* The id an existing spec already uses for (source, transform), or -1. */
static int32_t existing_field_id(const builder *b, const floe_partition_field *f)
{
    int32_t best = -1;
    for (size_t i = 0; i < b->specs.n; i++) {
        const floe_partition_spec *s = VEC_AT(&b->specs, const floe_partition_spec *, i);
        for (size_t k = 0; k < s->n_fields; k++) {
            const floe_partition_field *g = &s->fields[k];
            if (g->source_id == f->source_id &&
                floe_ice_transform_equal(g->transform, f->transform) && g->field_id > best) {
                best = g->field_id;
            }
        }
    }
    return best;
}

static floe_status up_add_spec(builder *b, const floe_partition_spec *spec)
{
    const floe_ice_schema *schema = b_schema(b, b->current_schema_id);
    if (schema == NULL) {
        return invalid(b, "cannot add a partition spec before a schema");
    }
    /* Assign missing partition field ids. */
    floe_partition_field *fs =
        floe_arena_calloc(b->t, spec->n_fields > 0 ? spec->n_fields : 1, sizeof(*fs));
    floe_partition_spec *ns = floe_arena_calloc(b->t, 1, sizeof(*ns));
    if (fs == NULL || ns == NULL) {
        return ice_nomem(b->t, b->err);
    }
    int32_t next = b->last_partition_id;
    for (size_t i = 0; i < spec->n_fields; i++) {
        fs[i] = spec->fields[i];
        if (b->format_version == 1) {
            int32_t want = FLOE_ICE_PARTITION_ID_START + (int32_t)i;
            if (fs[i].field_id < 0) {
                fs[i].field_id = want;
            } else if (fs[i].field_id != want) {
                return invalid(b,
                               "Spec does not use sequential IDs that are required in v1: "
                               "field %s has id %d",
                               fs[i].name, fs[i].field_id);
            }
            continue;
        }
        if (fs[i].field_id < 0) {
            int32_t reuse = existing_field_id(b, &fs[i]);
            for (size_t k = 0; k < i && reuse >= 0; k++) {
                if (fs[k].field_id == reuse) {
                    reuse = -1; /* already taken inside this spec */
                }
            }
            fs[i].field_id = reuse >= 0 ? reuse : ++next;
        }
    }
    ns->spec_id = spec->spec_id;
    ns->fields = fs;
    ns->n_fields = spec->n_fields;
    floe_status st = floe_partition_spec_validate(ns, schema, b->err);
    if (st != FLOE_OK) {
        return st;
    }
    /* v2+: a partition field id names one (source, transform) across all specs. */
    for (size_t i = 0; b->format_version > 1 && i < ns->n_fields; i++) {
        for (size_t s = 0; s < b->specs.n; s++) {
            const floe_partition_spec *o = VEC_AT(&b->specs, const floe_partition_spec *, s);
            for (size_t k = 0; k < o->n_fields; k++) {
                const floe_partition_field *g = &o->fields[k];
                if (g->field_id == fs[i].field_id &&
                    (g->source_id != fs[i].source_id ||
                     !floe_ice_transform_equal(g->transform, fs[i].transform))) {
                    return invalid(b,
                                   "partition field %s: field id %d is already used by "
                                   "partition field %s of spec %d",
                                   fs[i].name, fs[i].field_id, g->name, o->spec_id);
                }
            }
        }
    }
    /* Reuse an equivalent spec's id, else one past the highest. */
    int32_t id = 0;
    for (size_t i = 0; i < b->specs.n; i++) {
        const floe_partition_spec *s = VEC_AT(&b->specs, const floe_partition_spec *, i);
        if (floe_partition_spec_equivalent(s, ns)) {
            b->has_last_spec = vec_has_i32(&b->added_specs, s->spec_id);
            b->last_spec = s->spec_id;
            return FLOE_OK;
        }
        if (s->spec_id >= id) {
            id = s->spec_id + 1;
        }
    }
    ns->spec_id = id;
    int32_t last = floe_partition_spec_last_field_id(ns);
    if (last > b->last_partition_id) {
        b->last_partition_id = last;
    }
    const floe_partition_spec *cp = ns;
    floe_vec_push_copy(&b->specs, &cp);
    floe_vec_push_copy(&b->added_specs, &id);
    b->has_last_spec = true;
    b->last_spec = id;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_set_default_spec(builder *b, int32_t id)
{
    if (id == -1) {
        if (!b->has_last_spec) {
            return invalid(b, "Cannot set last added spec: no spec has been added");
        }
        id = b->last_spec;
    }
    if (id == b->default_spec_id) {
        return FLOE_OK;
    }
    if (b_spec(b, id) == NULL) {
        return invalid(b, "Cannot set default partition spec to unknown spec: %d", id);
    }
    b->default_spec_id = id;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_add_sort_order(builder *b, const floe_sort_order *order)
{
    int32_t id;
    if (order->n_fields == 0) {
        id = 0;
    } else {
        id = 1;
        for (size_t i = 0; i < b->orders.n; i++) {
            const floe_sort_order *o = VEC_AT(&b->orders, const floe_sort_order *, i);
            if (o->n_fields > 0 && floe_sort_order_same(o, order)) {
                id = o->order_id;
                break;
            }
            if (o->order_id >= id) {
                id = o->order_id + 1;
            }
        }
    }
    if (b_order(b, id) != NULL) {
        b->has_last_order = vec_has_i32(&b->added_orders, id);
        b->last_order = id;
        return FLOE_OK;
    }
    const floe_ice_schema *schema = b_schema(b, b->current_schema_id);
    if (schema == NULL) {
        return invalid(b, "cannot add a sort order before a schema");
    }
    floe_status st = floe_sort_order_validate(order, schema, b->err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_sort_order *copy = floe_arena_alloc(b->t, sizeof(*copy));
    if (copy == NULL) {
        return ice_nomem(b->t, b->err);
    }
    *copy = *order;
    copy->order_id = id;
    const floe_sort_order *cp = copy;
    floe_vec_push_copy(&b->orders, &cp);
    floe_vec_push_copy(&b->added_orders, &id);
    b->has_last_order = true;
    b->last_order = id;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_set_default_sort_order(builder *b, int32_t id)
{
    if (id == -1) {
        if (!b->has_last_order) {
            return invalid(b, "Cannot set last added sort order: no sort order has been added");
        }
        id = b->last_order;
    }
    if (id == b->default_sort_order_id) {
        return FLOE_OK;
    }
    if (b_order(b, id) == NULL) {
        return invalid(b, "Cannot set default sort order to unknown sort order: %d", id);
    }
    b->default_sort_order_id = id;
    b->changes++;
    return FLOE_OK;
}

static floe_status up_add_snapshot(builder *b, const floe_snapshot *s)
{
    if (b->schemas.n == 0) {
        return invalid(b, "Attempting to add a snapshot before a schema is added");
    }
    if (b->specs.n == 0) {
        return invalid(b, "Attempting to add a snapshot before a partition spec is added");
    }
    if (b->orders.n == 0) {
        return invalid(b, "Attempting to add a snapshot before a sort order is added");
    }
    if (b_snapshot(b, s->snapshot_id) != NULL) {
        return invalid(b, "Snapshot already exists for id: %lld", (long long)s->snapshot_id);
    }
    if (b->format_version > 1 && s->manifest_list == NULL) {
        return invalid(b, "snapshot %lld has no manifest-list (required in v%d)",
                       (long long)s->snapshot_id, b->format_version);
    }
    if (b->format_version == 1 && s->sequence_number != 0) {
        return invalid(b, "snapshot %lld has sequence number %lld, but v1 tables have none",
                       (long long)s->snapshot_id, (long long)s->sequence_number);
    }
    if (b->format_version > 1 && s->has_parent && s->sequence_number <= b->last_sequence_number) {
        return floe_err_set(b->err, FLOE_ERR_CONFLICT,
                            "Cannot add snapshot with sequence number %lld older than last "
                            "sequence number %lld",
                            (long long)s->sequence_number, (long long)b->last_sequence_number);
    }
    if (b->format_version >= 3) {
        if (!s->has_first_row_id) {
            return invalid(b, "Cannot add a snapshot: first-row-id is null");
        }
        if (!s->has_added_rows) {
            return invalid(b, "Cannot add a snapshot: added-rows is null");
        }
        if (s->first_row_id < b->next_row_id) {
            return floe_err_set(b->err, FLOE_ERR_CONFLICT,
                                "Cannot add a snapshot, first-row-id is behind table next-row-id: "
                                "%lld < %lld",
                                (long long)s->first_row_id, (long long)b->next_row_id);
        }
        if (s->added_rows < 0 || b->next_row_id > INT64_MAX - s->added_rows) {
            return invalid(b, "snapshot %lld: invalid added-rows %lld", (long long)s->snapshot_id,
                           (long long)s->added_rows);
        }
        b->next_row_id += s->added_rows;
    }
    b->last_sequence_number = s->sequence_number;
    floe_vec_push_copy(&b->snapshots, s);
    floe_vec_push_copy(&b->added_snaps, &s->snapshot_id);
    b->changes++;
    return FLOE_OK;
}

static floe_snapshot_ref *b_ref(builder *b, const char *name)
{
    for (size_t i = 0; i < b->refs.n; i++) {
        floe_snapshot_ref *r = &VEC_AT(&b->refs, floe_snapshot_ref, i);
        if (strcmp(r->name, name) == 0) {
            return r;
        }
    }
    return NULL;
}

static bool ref_equal(const floe_snapshot_ref *a, const floe_snapshot_ref *b)
{
    return a->snapshot_id == b->snapshot_id && a->type == b->type &&
           a->has_min_snapshots_to_keep == b->has_min_snapshots_to_keep &&
           (!a->has_min_snapshots_to_keep ||
            a->min_snapshots_to_keep == b->min_snapshots_to_keep) &&
           a->has_max_snapshot_age_ms == b->has_max_snapshot_age_ms &&
           (!a->has_max_snapshot_age_ms || a->max_snapshot_age_ms == b->max_snapshot_age_ms) &&
           a->has_max_ref_age_ms == b->has_max_ref_age_ms &&
           (!a->has_max_ref_age_ms || a->max_ref_age_ms == b->max_ref_age_ms);
}

static floe_status up_set_ref(builder *b, const floe_snapshot_ref *ref)
{
    if (ref->name == NULL || ref->name[0] == '\0') {
        return invalid(b, "set-snapshot-ref needs a ref name");
    }
    floe_snapshot_ref *existing = b_ref(b, ref->name);
    if (existing != NULL && ref_equal(existing, ref)) {
        return FLOE_OK;
    }
    const floe_snapshot *s = b_snapshot(b, ref->snapshot_id);
    if (s == NULL) {
        return invalid(b, "Cannot set %s to unknown snapshot: %lld", ref->name,
                       (long long)ref->snapshot_id);
    }
    bool is_main = strcmp(ref->name, "main") == 0;
    if (is_main && ref->type != FLOE_REF_BRANCH) {
        return invalid(b, "Cannot set main to a tag, it must be a branch");
    }
    if (is_main) {
        b->current_snapshot_id = ref->snapshot_id;
        /* Rolling back to an older snapshot is logged at the commit time. */
        int64_t when = vec_has_i64(&b->added_snaps, ref->snapshot_id) ? s->timestamp_ms : b->now_ms;
        floe_snapshot_log_entry e = {when, ref->snapshot_id};
        floe_vec_push_copy(&b->snap_log, &e);
        floe_vec_push_copy(&b->main_sets, &ref->snapshot_id);
    }
    if (existing != NULL) {
        *existing = *ref;
    } else {
        floe_vec_push_copy(&b->refs, ref);
    }
    b->changes++;
    return FLOE_OK;
}

static void remove_ref(builder *b, const char *name)
{
    if (strcmp(name, "main") == 0) {
        b->current_snapshot_id = -1;
    }
    for (size_t i = 0; i < b->refs.n; i++) {
        if (strcmp(VEC_AT(&b->refs, floe_snapshot_ref, i).name, name) == 0) {
            floe_vec_remove(&b->refs, i);
            b->changes++;
            return;
        }
    }
}

static bool remove_stats(floe_vec *v, int64_t snapshot_id)
{
    bool removed = false;
    for (size_t i = v->n; i > 0; i--) {
        if (VEC_AT(v, floe_stats_file, i - 1).snapshot_id == snapshot_id) {
            floe_vec_remove(v, i - 1);
            removed = true;
        }
    }
    return removed;
}

static int i64_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The ids of the working snapshots, sorted, for O(log n) membership tests (heap; free()). */
static int64_t *sorted_snapshot_ids(const builder *b)
{
    int64_t *ids = floe_xcalloc(b->snapshots.n + 1, sizeof(*ids));
    for (size_t i = 0; i < b->snapshots.n; i++) {
        ids[i] = VEC_AT(&b->snapshots, floe_snapshot, i).snapshot_id;
    }
    qsort(ids, b->snapshots.n, sizeof(*ids), i64_cmp);
    return ids;
}

static bool has_id(const int64_t *sorted, size_t n, int64_t id)
{
    return bsearch(&id, sorted, n, sizeof(*sorted), i64_cmp) != NULL;
}

static floe_status up_remove_snapshots(builder *b, const int64_t *ids, size_t n)
{
    /* One pass that keeps order; expiring thousands of snapshots stays O(n log n). */
    int64_t *gone = floe_xcalloc(n + 1, sizeof(*gone));
    if (n > 0) {
        memcpy(gone, ids, n * sizeof(*gone));
    }
    qsort(gone, n, sizeof(*gone), i64_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < b->snapshots.n; i++) {
        floe_snapshot *s = &VEC_AT(&b->snapshots, floe_snapshot, i);
        if (has_id(gone, n, s->snapshot_id)) {
            remove_stats(&b->stats, s->snapshot_id);
            remove_stats(&b->pstats, s->snapshot_id);
            b->removed_snapshots = true;
            b->changes++;
            continue;
        }
        if (kept != i) {
            VEC_AT(&b->snapshots, floe_snapshot, kept) = *s;
        }
        kept++;
    }
    b->snapshots.n = kept;
    free(gone);
    /* Refs that point at removed snapshots go too. */
    int64_t *live = sorted_snapshot_ids(b);
    for (size_t i = b->refs.n; i > 0; i--) {
        const floe_snapshot_ref *r = &VEC_AT(&b->refs, floe_snapshot_ref, i - 1);
        if (!has_id(live, b->snapshots.n, r->snapshot_id)) {
            remove_ref(b, r->name);
        }
    }
    free(live);
    return FLOE_OK;
}

static floe_status up_set_properties(builder *b, const floe_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t k = 0; k < b->props.n && !replaced; k++) {
            floe_kv *p = &VEC_AT(&b->props, floe_kv, k);
            if (strcmp(p->key, kv[i].key) == 0) {
                p->value = kv[i].value;
                replaced = true;
            }
        }
        if (!replaced) {
            floe_vec_push_copy(&b->props, &kv[i]);
        }
    }
    b->changes += n > 0 ? 1 : 0;
    return FLOE_OK;
}

static floe_status up_remove_properties(builder *b, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < b->props.n; k++) {
            if (strcmp(VEC_AT(&b->props, floe_kv, k).key, keys[i]) == 0) {
                floe_vec_remove(&b->props, k);
                break;
            }
        }
    }
    b->changes += n > 0 ? 1 : 0;
    return FLOE_OK;
}

static floe_status up_remove_ids(builder *b, bool schemas, const int32_t *ids, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (schemas && ids[k] == b->current_schema_id) {
            return invalid(b, "Cannot remove the current schema");
        }
        if (!schemas && ids[k] == b->default_spec_id) {
            return invalid(b, "Cannot remove the default partition spec");
        }
    }
    floe_vec *v = schemas ? &b->schemas : &b->specs;
    for (size_t i = v->n; i > 0; i--) {
        int32_t id = schemas ? VEC_AT(v, const floe_ice_schema *, i - 1)->schema_id
                             : VEC_AT(v, const floe_partition_spec *, i - 1)->spec_id;
        for (size_t k = 0; k < n; k++) {
            if (ids[k] == id) {
                floe_vec_remove(v, i - 1);
                b->changes++;
                break;
            }
        }
    }
    return FLOE_OK;
}

static floe_status apply_one(builder *b, const floe_ice_update *u)
{
    switch (u->kind) {
    case FLOE_ICE_UP_ASSIGN_UUID:
        return up_assign_uuid(b, u->uuid);
    case FLOE_ICE_UP_UPGRADE_FORMAT_VERSION:
        return up_format_version(b, u->format_version);
    case FLOE_ICE_UP_ADD_SCHEMA:
        if (u->schema == NULL) {
            return invalid(b, "add-schema without a schema");
        }
        return up_add_schema(b, u->schema);
    case FLOE_ICE_UP_SET_CURRENT_SCHEMA:
        return up_set_current_schema(b, u->id);
    case FLOE_ICE_UP_ADD_SPEC:
        if (u->spec == NULL) {
            return invalid(b, "add-spec without a spec");
        }
        return up_add_spec(b, u->spec);
    case FLOE_ICE_UP_SET_DEFAULT_SPEC:
        return up_set_default_spec(b, u->id);
    case FLOE_ICE_UP_ADD_SORT_ORDER:
        if (u->sort_order == NULL) {
            return invalid(b, "add-sort-order without a sort order");
        }
        return up_add_sort_order(b, u->sort_order);
    case FLOE_ICE_UP_SET_DEFAULT_SORT_ORDER:
        return up_set_default_sort_order(b, u->id);
    case FLOE_ICE_UP_ADD_SNAPSHOT:
        if (u->snapshot == NULL) {
            return invalid(b, "add-snapshot without a snapshot");
        }
        return up_add_snapshot(b, u->snapshot);
    case FLOE_ICE_UP_SET_SNAPSHOT_REF:
        return up_set_ref(b, &u->ref);
    case FLOE_ICE_UP_REMOVE_SNAPSHOTS:
        return up_remove_snapshots(b, u->snapshot_ids, u->n_snapshot_ids);
    case FLOE_ICE_UP_REMOVE_SNAPSHOT_REF:
        if (u->ref_name == NULL) {
            return invalid(b, "remove-snapshot-ref needs a ref name");
        }
        remove_ref(b, u->ref_name);
        return FLOE_OK;
    case FLOE_ICE_UP_SET_LOCATION:
        if (u->location == NULL || u->location[0] == '\0') {
            return invalid(b, "set-location needs a location");
        }
        if (b->location != NULL && strcmp(b->location, u->location) == 0) {
            return FLOE_OK;
        }
        b->location = u->location;
        b->changes++;
        return FLOE_OK;
    case FLOE_ICE_UP_SET_PROPERTIES:
        return up_set_properties(b, u->updates, u->n_updates);
    case FLOE_ICE_UP_REMOVE_PROPERTIES:
        return up_remove_properties(b, u->removals, u->n_removals);
    case FLOE_ICE_UP_SET_STATISTICS:
    case FLOE_ICE_UP_SET_PARTITION_STATISTICS: {
        floe_vec *v = u->kind == FLOE_ICE_UP_SET_STATISTICS ? &b->stats : &b->pstats;
        if (u->stats.json == NULL) {
            return invalid(b, "%s without a statistics file", floe_ice_update_kind_name(u->kind));
        }
        remove_stats(v, u->stats.snapshot_id);
        floe_vec_push_copy(v, &u->stats);
        b->changes++;
        return FLOE_OK;
    }
    case FLOE_ICE_UP_REMOVE_STATISTICS:
        b->changes += remove_stats(&b->stats, u->snapshot_id) ? 1 : 0;
        return FLOE_OK;
    case FLOE_ICE_UP_REMOVE_PARTITION_STATISTICS:
        b->changes += remove_stats(&b->pstats, u->snapshot_id) ? 1 : 0;
        return FLOE_OK;
    case FLOE_ICE_UP_REMOVE_PARTITION_SPECS:
        return up_remove_ids(b, false, u->ids, u->n_ids);
    case FLOE_ICE_UP_REMOVE_SCHEMAS:
        return up_remove_ids(b, true, u->ids, u->n_ids);
    case FLOE_ICE_UP_ADD_ENCRYPTION_KEY:
        if (u->key.key_id == NULL || u->key.encrypted_key_metadata == NULL) {
            return invalid(b, "add-encryption-key needs key-id and encrypted-key-metadata");
        }
        for (size_t i = 0; i < b->keys.n; i++) {
            if (strcmp(VEC_AT(&b->keys, floe_encryption_key, i).key_id, u->key.key_id) == 0) {
                return FLOE_OK;
            }
        }
        floe_vec_push_copy(&b->keys, &u->key);
        b->changes++;
        return FLOE_OK;
    case FLOE_ICE_UP_REMOVE_ENCRYPTION_KEY:
        for (size_t i = 0; u->key_id != NULL && i < b->keys.n; i++) {
            if (strcmp(VEC_AT(&b->keys, floe_encryption_key, i).key_id, u->key_id) == 0) {
                floe_vec_remove(&b->keys, i);
                b->changes++;
                break;
            }
        }
        return FLOE_OK;
    }
    return invalid(b, "unknown update kind %d", (int)u->kind);
}

/* Copy a vector's elements into the scratch arena. */
static void *vec_out(builder *b, const floe_vec *v, size_t *n)
{
    *n = v->n;
    if (v->n == 0) {
        return NULL;
    }
    return floe_arena_memdup(b->t, v->data, v->n * v->elem_size);
}

/* Java's snapshot-log rules: drop intermediate snapshots of this commit and, after removals,
 * the history before a removed snapshot. */
static floe_status fix_snapshot_log(builder *b)
{
    floe_vec intermediate;
    floe_vec_init(&intermediate, sizeof(int64_t));
    for (size_t i = 0; i < b->main_sets.n; i++) {
        int64_t id = VEC_AT(&b->main_sets, int64_t, i);
        if (vec_has_i64(&b->added_snaps, id) && id != b->current_snapshot_id) {
            floe_vec_push_copy(&intermediate, &id);
        }
    }
    floe_status st = FLOE_OK;
    if (intermediate.n > 0 || b->removed_snapshots) {
        floe_vec kept;
        floe_vec_init(&kept, sizeof(floe_snapshot_log_entry));
        int64_t *live = sorted_snapshot_ids(b);
        for (size_t i = 0; i < b->snap_log.n; i++) {
            const floe_snapshot_log_entry *e = &VEC_AT(&b->snap_log, floe_snapshot_log_entry, i);
            if (has_id(live, b->snapshots.n, e->snapshot_id)) {
                if (!vec_has_i64(&intermediate, e->snapshot_id)) {
                    floe_vec_push_copy(&kept, e);
                }
            } else if (b->removed_snapshots) {
                floe_vec_clear(&kept); /* no gaps: history before a removed snapshot goes */
            }
        }
        free(live);
        /* Java also fails on an empty log here; tables written without a snapshot log (some
         * writers omit it) must stay expirable, so only a log that ends elsewhere is an error. */
        if (b_snapshot(b, b->current_snapshot_id) != NULL && kept.n > 0 &&
            VEC_AT(&kept, floe_snapshot_log_entry, kept.n - 1).snapshot_id !=
                b->current_snapshot_id) {
            st = invalid(b, "Cannot set invalid snapshot log: latest entry is not the current "
                            "snapshot");
        }
        floe_vec_fini(&b->snap_log);
        b->snap_log = kept;
    }
    floe_vec_fini(&intermediate);
    return st;
}

static floe_status build(builder *b, const floe_ice_apply_opts *opts, floe_table_meta **out)
{
    floe_table_meta *m = floe_arena_calloc(b->t, 1, sizeof(*m));
    if (m == NULL) {
        return ice_nomem(b->t, b->err);
    }
    floe_status st = fix_snapshot_log(b);
    if (st != FLOE_OK) {
        return st;
    }
    if (b->location == NULL) {
        return invalid(b, "the table has no location (set-location)");
    }
    if (b->uuid == NULL) {
        char buf[FLOE_UUID_STR_LEN + 1];
        floe_uuid u;
        floe_uuid_v4(&u);
        floe_uuid_format(&u, buf);
        b->uuid = floe_arena_strdup(b->t, buf);
    }
    if (b->schemas.n == 0 || b_schema(b, b->current_schema_id) == NULL) {
        return invalid(b, "the table has no current schema (add-schema, set-current-schema)");
    }
    if (b->specs.n == 0 || b_spec(b, b->default_spec_id) == NULL) {
        return invalid(b, "the table has no default partition spec (add-spec, set-default-spec)");
    }
    if (b->orders.n == 0 || b_order(b, b->default_sort_order_id) == NULL) {
        return invalid(b, "the table has no default sort order (add-sort-order, "
                          "set-default-sort-order)");
    }
    const floe_ice_schema *schema = b_schema(b, b->current_schema_id);
    st = floe_partition_spec_validate(b_spec(b, b->default_spec_id), schema, b->err);
    if (st != FLOE_OK) {
        return floe_err_wrap(b->err, "default partition spec %d", b->default_spec_id);
    }
    st = floe_sort_order_validate(b_order(b, b->default_sort_order_id), schema, b->err);
    if (st != FLOE_OK) {
        return floe_err_wrap(b->err, "default sort order %d", b->default_sort_order_id);
    }
    m->format_version = b->format_version;
    m->table_uuid = b->uuid;
    m->location = b->location;
    m->last_sequence_number = b->last_sequence_number;
    m->last_updated_ms = opts->now_ms;
    m->last_column_id = b->last_column_id;
    m->schemas = vec_out(b, &b->schemas, &m->n_schemas);
    m->current_schema_id = b->current_schema_id;
    m->specs = vec_out(b, &b->specs, &m->n_specs);
    m->default_spec_id = b->default_spec_id;
    m->last_partition_id = b->last_partition_id;
    m->sort_orders = vec_out(b, &b->orders, &m->n_sort_orders);
    m->default_sort_order_id = b->default_sort_order_id;
    m->properties = vec_out(b, &b->props, &m->n_properties);
    m->current_snapshot_id = b->current_snapshot_id;
    m->snapshots = vec_out(b, &b->snapshots, &m->n_snapshots);
    m->refs = vec_out(b, &b->refs, &m->n_refs);
    m->snapshot_log = vec_out(b, &b->snap_log, &m->n_snapshot_log);
    m->statistics = vec_out(b, &b->stats, &m->n_statistics);
    m->partition_statistics = vec_out(b, &b->pstats, &m->n_partition_statistics);
    m->next_row_id = b->format_version >= 3 ? b->next_row_id : 0;
    m->encryption_keys = vec_out(b, &b->keys, &m->n_encryption_keys);
    if (floe_arena_failed(b->t)) {
        return ice_nomem(b->t, b->err);
    }
    if (b->base != NULL) {
        m->extra = b->base->extra;
        m->n_extra = b->base->n_extra;
        /* The previous metadata file joins the log, which keeps at most
         * write.metadata.previous-versions-max entries. */
        const char *prev =
            opts->base_location != NULL ? opts->base_location : b->base->metadata_location;
        const floe_metadata_log_entry *log = b->base->metadata_log;
        size_t n = b->base->n_metadata_log;
        if (prev != NULL) {
            int64_t max =
                floe_table_meta_property_int(m, "write.metadata.previous-versions-max", 100);
            if (max < 1) {
                max = 1;
            }
            size_t keep = n >= (size_t)max ? (size_t)max - 1 : n;
            floe_metadata_log_entry *nl = floe_arena_calloc(b->t, keep + 1, sizeof(*nl));
            if (nl == NULL) {
                return ice_nomem(b->t, b->err);
            }
            if (keep > 0) {
                memcpy(nl, log + (n - keep), keep * sizeof(*nl));
            }
            nl[keep].timestamp_ms = b->base->last_updated_ms;
            nl[keep].file = prev;
            log = nl;
            n = keep + 1;
        }
        m->metadata_log = log;
        m->n_metadata_log = n;
    }
    st = ice_meta_validate(m, FLOE_ERR_INVALID, b->err);
    if (st != FLOE_OK) {
        return st;
    }
    *out = m;
    return FLOE_OK;
}

floe_status floe_ice_updates_apply(floe_arena *a, const floe_table_meta *base,
                                   const floe_ice_update *updates, size_t n,
                                   const floe_ice_apply_opts *opts, floe_table_meta **out,
                                   bool *changed, floe_err *err)
{
    floe_arena *t = floe_arena_new(floe_arena_limit(a));
    builder b;
    builder_init(&b, t, base, opts->now_ms, err);
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        st = apply_one(&b, &updates[i]);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "%s", floe_ice_update_kind_name(updates[i].kind));
        }
    }
    floe_table_meta *m = NULL;
    bool any = b.changes > 0;
    if (st == FLOE_OK && !any && base != NULL) {
        st = floe_table_meta_dup(a, base, out, err);
    } else if (st == FLOE_OK) {
        st = build(&b, opts, &m);
        if (st == FLOE_OK) {
            st = floe_table_meta_dup(a, m, out, err);
        }
    }
    builder_fini(&b);
    floe_arena_free(t);
    if (changed != NULL) {
        *changed = st == FLOE_OK && any;
    }
    return st;
}

/* ==== Creating tables ==== */

/* Properties Java keeps out of table metadata (TableProperties.RESERVED_PROPERTIES). */
static const char *const RESERVED_PROPS[] = {
    "format-version",           "uuid",
    "snapshot-count",           "current-snapshot-id",
    "current-snapshot-summary", "current-snapshot-timestamp-ms",
    "current-schema",           "default-partition-spec",
    "default-sort-order",
};

static bool reserved_prop(const char *k)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(RESERVED_PROPS); i++) {
        if (strcmp(RESERVED_PROPS[i], k) == 0) {
            return true;
        }
    }
    return false;
}

/* The id of `old_id`'s column (by name) in the fresh schema. */
static floe_status rebind_source(const floe_ice_schema *old, const floe_ice_schema *fresh,
                                 int32_t old_id, const char *what, int32_t *out, floe_err *err)
{
    const char *name = floe_ice_schema_id_name(old, old_id);
    const floe_ice_field *f = name != NULL ? floe_ice_schema_find_name(fresh, name) : NULL;
    if (f == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: cannot find source column %d", what,
                            old_id);
    }
    *out = f->id;
    return FLOE_OK;
}

static floe_status rebind_ids(floe_arena *a, const floe_ice_schema *old,
                              const floe_ice_schema *fresh, const int32_t *ids, size_t n,
                              const char *what, const int32_t **out, floe_err *err)
{
    *out = NULL;
    if (ids == NULL) {
        return FLOE_OK;
    }
    int32_t *v = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*v));
    if (v == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        floe_status st = rebind_source(old, fresh, ids[i], what, &v[i], err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = v;
    return FLOE_OK;
}

floe_status floe_ice_table_create(floe_arena *a, const floe_ice_create_opts *o,
                                  floe_table_meta **out, floe_err *err)
{
    if (o->location == NULL || o->location[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "create table: a location is required");
    }
    if (o->schema == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "create table: a schema is required");
    }
    int fv = FLOE_ICE_DEFAULT_FORMAT_VERSION;
    for (size_t i = 0; i < o->n_properties; i++) {
        if (strcmp(o->properties[i].key, "format-version") == 0) {
            int32_t v;
            if (floe_parse_i32(o->properties[i].value, &v, NULL) != FLOE_OK || v < 1 ||
                v > FLOE_ICE_MAX_FORMAT_VERSION) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "create table: unsupported format-version \"%s\" (supported: "
                                    "1 to %d)",
                                    o->properties[i].value, FLOE_ICE_MAX_FORMAT_VERSION);
            }
            fv = v;
        }
    }
    floe_arena *t = floe_arena_new(floe_arena_limit(a));
    floe_table_meta *m = floe_arena_calloc(t, 1, sizeof(*m));
    const floe_ice_schema **schemas = floe_arena_calloc(t, 1, sizeof(*schemas));
    const floe_partition_spec **specs = floe_arena_calloc(t, 1, sizeof(*specs));
    const floe_sort_order **orders = floe_arena_calloc(t, 1, sizeof(*orders));
    floe_partition_spec *spec = floe_arena_calloc(t, 1, sizeof(*spec));
    floe_sort_order *order = floe_arena_calloc(t, 1, sizeof(*order));
    floe_kv *props = floe_arena_calloc(t, o->n_properties + 1, sizeof(*props));
    floe_status st = FLOE_OK;
    if (m == NULL || schemas == NULL || specs == NULL || orders == NULL || spec == NULL ||
        order == NULL || props == NULL) {
        st = ice_nomem(t, err);
    }
    /* Fresh column ids from 1. */
    int32_t next = 0;
    if (st == FLOE_OK) {
        st = floe_ice_schema_assign_fresh_ids(t, o->schema, 0, &next, &schemas[0], err);
    }
    if (st == FLOE_OK) {
        st = floe_ice_schema_check_format(schemas[0], fv, err);
    }
    /* The spec re-bound to the fresh ids, with partition field ids from 1000. */
    if (st == FLOE_OK && o->spec != NULL) {
        floe_partition_field *fs =
            floe_arena_calloc(t, o->spec->n_fields > 0 ? o->spec->n_fields : 1, sizeof(*fs));
        if (fs == NULL) {
            st = ice_nomem(t, err);
        }
        for (size_t i = 0; st == FLOE_OK && i < o->spec->n_fields; i++) {
            char what[160];
            fs[i] = o->spec->fields[i];
            snprintf(what, sizeof(what), "partition field %s", fs[i].name);
            fs[i].field_id = FLOE_ICE_PARTITION_ID_START + (int32_t)i;
            st = rebind_source(o->schema, schemas[0], o->spec->fields[i].source_id, what,
                               &fs[i].source_id, err);
            if (st == FLOE_OK) {
                st = rebind_ids(t, o->schema, schemas[0], o->spec->fields[i].source_ids,
                                o->spec->fields[i].n_source_ids, what, &fs[i].source_ids, err);
            }
        }
        spec->fields = fs;
        spec->n_fields = o->spec->n_fields;
    }
    if (st == FLOE_OK) {
        st = floe_partition_spec_validate(spec, schemas[0], err);
    }
    /* The sort order re-bound too: id 1 when sorted, 0 when not. */
    if (st == FLOE_OK && o->sort_order != NULL && o->sort_order->n_fields > 0) {
        floe_sort_field *fs = floe_arena_calloc(t, o->sort_order->n_fields, sizeof(*fs));
        if (fs == NULL) {
            st = ice_nomem(t, err);
        }
        for (size_t i = 0; st == FLOE_OK && i < o->sort_order->n_fields; i++) {
            fs[i] = o->sort_order->fields[i];
            st = rebind_source(o->schema, schemas[0], fs[i].source_id, "sort field",
                               &fs[i].source_id, err);
            if (st == FLOE_OK) {
                st = rebind_ids(t, o->schema, schemas[0], o->sort_order->fields[i].source_ids,
                                o->sort_order->fields[i].n_source_ids, "sort field",
                                &fs[i].source_ids, err);
            }
        }
        order->order_id = 1;
        order->fields = fs;
        order->n_fields = o->sort_order->n_fields;
    }
    if (st == FLOE_OK) {
        st = floe_sort_order_validate(order, schemas[0], err);
    }
    size_t np = 0;
    for (size_t i = 0; st == FLOE_OK && i < o->n_properties; i++) {
        if (!reserved_prop(o->properties[i].key)) {
            props[np++] = o->properties[i];
        }
    }
    if (st == FLOE_OK) {
        char uuid[FLOE_UUID_STR_LEN + 1];
        if (o->table_uuid == NULL) {
            floe_uuid u;
            floe_uuid_v4(&u);
            floe_uuid_format(&u, uuid);
        }
        size_t ln = strlen(o->location);
        while (ln > 1 && o->location[ln - 1] == '/') {
            ln--;
        }
        specs[0] = spec;
        orders[0] = order;
        m->format_version = fv;
        m->table_uuid = o->table_uuid != NULL ? o->table_uuid : floe_arena_strdup(t, uuid);
        m->location = floe_arena_strndup(t, o->location, ln);
        m->last_updated_ms = o->now_ms;
        m->last_column_id = next;
        m->schemas = schemas;
        m->n_schemas = 1;
        m->specs = specs;
        m->n_specs = 1;
        m->last_partition_id = floe_partition_spec_last_field_id(spec);
        m->sort_orders = orders;
        m->n_sort_orders = 1;
        m->default_sort_order_id = order->order_id;
        m->properties = props;
        m->n_properties = np;
        m->current_snapshot_id = -1;
        if (floe_arena_failed(t)) {
            st = ice_nomem(t, err);
        }
    }
    if (st == FLOE_OK) {
        st = ice_meta_validate(m, FLOE_ERR_INVALID, err);
    }
    if (st == FLOE_OK) {
        st = floe_table_meta_dup(a, m, out, err);
    }
    floe_arena_free(t);
    return st != FLOE_OK ? floe_err_wrap(err, "create table") : FLOE_OK;
}

floe_status floe_ice_create_request_from_json(floe_arena *a, const json_t *j,
                                              floe_ice_create_opts *out, floe_err *err)
{
    ice_jctx c = {a, FLOE_ERR_INVALID, err};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j)) {
        return ice_jfail(&c, "create table request: expected an object, got %s", ice_jtype_name(j));
    }
    const json_t *x;
    floe_status st = ice_get_str(&c, j, "name", &out->name);
    if (st == FLOE_OK) {
        st = ice_opt_str(&c, j, "location", &out->location);
    }
    if (st == FLOE_OK) {
        st = ice_jreq(&c, j, "schema", &x);
    }
    if (st == FLOE_OK) {
        st = ice_schema_from_json(&c, x, &out->schema);
    }
    x = ice_jget(j, "partition-spec");
    if (st == FLOE_OK && x != NULL && !json_is_null(x)) {
        st = ice_spec_from_json(&c, x, false, 0, true, &out->spec);
    }
    x = ice_jget(j, "write-order");
    if (st == FLOE_OK && x != NULL && !json_is_null(x)) {
        /* order-id is read-only in the REST spec: accept it missing */
        if (json_is_object(x) && ice_jget(x, "order-id") == NULL) {
            json_t *copy = json_deep_copy(x);
            FLOE_VERIFY(copy != NULL);
            const json_t *fields = json_object_get(copy, "fields");
            ice_jset(copy, "order-id", ice_jnew(json_integer(json_array_size(fields) > 0 ? 1 : 0)));
            st = ice_sort_order_from_json(&c, copy, &out->sort_order);
            json_decref(copy);
        } else {
            st = ice_sort_order_from_json(&c, x, &out->sort_order);
        }
    }
    x = ice_jget(j, "stage-create");
    if (st == FLOE_OK && x != NULL && !json_is_null(x)) {
        st = ice_get_bool(&c, j, "stage-create", &out->stage_create);
    }
    x = ice_jget(j, "properties");
    if (st == FLOE_OK && x != NULL && !json_is_null(x)) {
        st = ice_jkv(&c, x, "properties", &out->properties, &out->n_properties);
    }
    return st;
}
