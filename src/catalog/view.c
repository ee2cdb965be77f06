/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Iceberg views (view-spec.md, format-version 1): create and replace for the REST catalog.
 *
 * The Iceberg library models tables only, so view metadata is handled here as JSON: every
 * part a client sends is validated and rebuilt field by field (unknown members are dropped),
 * schemas go through floe_ice_schema_from_json. A replace runs the same loop as a table commit
 * (commit.c): load, check requirements, apply updates, write the next file with an exclusive
 * create, compare-and-swap the row; a lost swap deletes the file and rebuilds on what won.
 *
 * Ids follow Java's ViewMetadata.Builder, which clients expect: an added schema or version
 * equal to an existing one (ids and timestamps aside) reuses that one's id, new ones get the
 * highest id + 1, and -1 in add-view-version / set-current-view-version means "the one added
 * in this commit".
 */
#include "catalog_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VIEW_FORMAT_VERSION 1
#define VIEW_HISTORY_PROP "version.history.num-entries"

/* ==== Validation of the client's parts ==== */

static floe_status bad(floe_err *err, const char *what, const char *msg)
{
    return floe_err_set(err, FLOE_ERR_INVALID, "%s: %s", what, msg);
}

/* An object whose values are all strings (NULL or JSON null: an empty object). New reference. */
static floe_status string_map(const json_t *j, const char *what, json_t **out, floe_err *err)
{
    *out = NULL;
    if (j == NULL || json_is_null(j)) {
        *out = json_object();
        return FLOE_OK;
    }
    if (!json_is_object(j)) {
        return bad(err, what, "must be an object of strings");
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (!json_is_string(v)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s.%s must be a string", what, k);
        }
    }
    *out = json_deep_copy(j);
    return FLOE_OK;
}

/* A schema, validated and rebuilt, with `schema_id`. New reference. */
static floe_status view_schema(floe_arena *a, const json_t *j, int32_t schema_id, json_t **out,
                               floe_err *err)
{
    *out = NULL;
    const floe_ice_schema *s = NULL;
    floe_status st = floe_ice_schema_from_json(a, j, &s, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "schema");
    }
    json_t *o = floe_ice_schema_to_json(s);
    if (o == NULL) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "schema could not be written");
    }
    json_object_set_new(o, "schema-id", json_integer(schema_id));
    *out = o;
    return FLOE_OK;
}

static bool json_is_i64(const json_t *j)
{
    return json_is_integer(j);
}

/*
 * A view version, validated and rebuilt (version-id and schema-id as given; the caller
 * rewrites them). New reference.
 */
static floe_status view_version(const json_t *j, json_t **out, floe_err *err)
{
    *out = NULL;
    const char *what = "view-version";
    if (!json_is_object(j)) {
        return bad(err, what, "must be an object");
    }
    const json_t *vid = json_object_get(j, "version-id");
    const json_t *ts = json_object_get(j, "timestamp-ms");
    const json_t *sid = json_object_get(j, "schema-id");
    if (!json_is_i64(vid) || !json_is_i64(ts) || !json_is_i64(sid)) {
        return bad(err, what, "version-id, timestamp-ms and schema-id must be integers");
    }
    if (json_integer_value(sid) < -1 || json_integer_value(sid) > INT32_MAX) {
        return bad(err, what, "schema-id out of range");
    }
    json_t *summary = NULL;
    floe_status st =
        string_map(json_object_get(j, "summary"), "view-version.summary", &summary, err);
    if (st != FLOE_OK) {
        return st;
    }
    const json_t *reps = json_object_get(j, "representations");
    const json_t *dns = json_object_get(j, "default-namespace");
    const json_t *dcat = json_object_get(j, "default-catalog");
    if (!json_is_array(reps) || json_array_size(reps) == 0) {
        st = bad(err, what, "representations must be a non-empty array");
    } else if (!json_is_array(dns)) {
        st = bad(err, what, "default-namespace must be an array of strings");
    } else if (dcat != NULL && !json_is_null(dcat) && !json_is_string(dcat)) {
        st = bad(err, what, "default-catalog must be a string");
    }
    for (size_t i = 0; st == FLOE_OK && i < json_array_size(dns); i++) {
        if (!json_is_string(json_array_get(dns, i))) {
            st = bad(err, what, "default-namespace must be an array of strings");
        }
    }
    json_t *out_reps = json_array();
    for (size_t i = 0; st == FLOE_OK && i < json_array_size(reps); i++) {
        const json_t *r = json_array_get(reps, i);
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *sql = json_string_value(json_object_get(r, "sql"));
        const char *dialect = json_string_value(json_object_get(r, "dialect"));
        if (type == NULL || strcmp(type, "sql") != 0) {
            st = floe_err_set(err, FLOE_ERR_INVALID,
                              "view-version.representations[%zu]: type must be \"sql\"", i);
        } else if (sql == NULL || dialect == NULL || dialect[0] == '\0') {
            st = floe_err_set(err, FLOE_ERR_INVALID,
                              "view-version.representations[%zu]: sql and dialect are required "
                              "strings",
                              i);
        }
        for (size_t k = 0; st == FLOE_OK && k < i; k++) {
            const char *other =
                json_string_value(json_object_get(json_array_get(out_reps, k), "dialect"));
            if (strcasecmp(other, dialect) == 0) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "view-version: more than one representation for dialect %s",
                                  dialect);
            }
        }
        if (st == FLOE_OK) {
            json_array_append_new(out_reps, json_pack("{s:s, s:s, s:s}", "type", "sql", "sql", sql,
                                                      "dialect", dialect));
        }
    }
    if (st != FLOE_OK) {
        json_decref(summary);
        json_decref(out_reps);
        return st;
    }
    json_t *v = json_object();
    json_object_set_new(v, "version-id", json_integer(json_integer_value(vid)));
    json_object_set_new(v, "timestamp-ms", json_integer(json_integer_value(ts)));
    json_object_set_new(v, "schema-id", json_integer(json_integer_value(sid)));
    json_object_set_new(v, "summary", summary);
    json_object_set_new(v, "representations", out_reps);
    json_object_set_new(v, "default-namespace", json_deep_copy(dns));
    if (json_is_string(dcat)) {
        json_object_set_new(v, "default-catalog", json_deep_copy(dcat));
    }
    *out = v;
    return FLOE_OK;
}

/* ==== Metadata helpers ==== */

/* The largest integer member `key` in the objects of `arr` (-1 when empty). */
static int64_t max_id(const json_t *arr, const char *key)
{
    int64_t m = -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int64_t v = json_integer_value(json_object_get(json_array_get(arr, i), key));
        if (v > m) {
            m = v;
        }
    }
    return m;
}

static json_t *find_by_id(const json_t *arr, const char *key, int64_t id)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        if (json_integer_value(json_object_get(o, key)) == id) {
            return o;
        }
    }
    return NULL;
}

/* Equal apart from the members named (NULL-terminated list). */
static bool equal_except(const json_t *x, const json_t *y, const char *const *ignore)
{
    json_t *cx = json_deep_copy(x);
    json_t *cy = json_deep_copy(y);
    for (const char *const *k = ignore; *k != NULL; k++) {
        json_object_del(cx, *k);
        json_object_del(cy, *k);
    }
    bool eq = json_equal(cx, cy) != 0;
    json_decref(cx);
    json_decref(cy);
    return eq;
}

/* Drop the oldest versions beyond the history limit (never the current one) and their log. */
static floe_status expire_versions(json_t *m, floe_err *err)
{
    int64_t keep = FLOE_VIEW_VERSIONS_DEFAULT;
    const char *p =
        json_string_value(json_object_get(json_object_get(m, "properties"), VIEW_HISTORY_PROP));
    if (p != NULL && (floe_parse_i64(p, &keep, NULL) != FLOE_OK || keep < 1)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s must be a positive integer, not %s",
                            VIEW_HISTORY_PROP, p);
    }
    json_t *versions = json_object_get(m, "versions");
    int64_t current = json_integer_value(json_object_get(m, "current-version-id"));
    while ((int64_t)json_array_size(versions) > keep) {
        /* Oldest first: the lowest id that is not current. */
        size_t victim = SIZE_MAX;
        int64_t lowest = INT64_MAX;
        for (size_t i = 0; i < json_array_size(versions); i++) {
            int64_t id =
                json_integer_value(json_object_get(json_array_get(versions, i), "version-id"));
            if (id != current && id < lowest) {
                lowest = id;
                victim = i;
            }
        }
        if (victim == SIZE_MAX) {
            break;
        }
        json_array_remove(versions, victim);
        json_t *log = json_object_get(m, "version-log");
        for (size_t i = json_array_size(log); i-- > 0;) {
            if (json_integer_value(json_object_get(json_array_get(log, i), "version-id")) ==
                lowest) {
                json_array_remove(log, i);
            }
        }
    }
    return FLOE_OK;
}

/* Serialise `m` and write it as version `seq` under its location (exclusive create). */
static floe_status write_view(floe_catalog *c, floe_arena *a, const json_t *m, int64_t seq,
                              const char **location, floe_str *json, floe_err *err)
{
    const char *loc = json_string_value(json_object_get(m, "location"));
    const char *file = floe_catalog_metadata_file_location(a, loc, seq);
    char *text = json_dumps(m, JSON_COMPACT);
    if (file == NULL || text == NULL) {
        free(text);
        return floe_err_set(err, FLOE_ERR_INTERNAL, "view metadata could not be written");
    }
    size_t len = strlen(text);
    floe_status st = floe_catalog_check_location(c, file, err);
    if (st == FLOE_OK) {
        st = floe_io_write_file(floe_catalog_io(c), file, FLOE_IO_CREATE_EXCLUSIVE, text, len, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "write view metadata %s", file);
        }
    }
    if (st == FLOE_OK) {
        json->ptr = floe_arena_memdup(a, text, len + 1);
        json->len = len;
        *location = file;
        st = floe_arena_check(a, err);
    }
    free(text);
    return st;
}

static void delete_quietly(floe_catalog *c, const char *location)
{
    floe_err derr = {0};
    floe_status st = floe_io_delete(floe_catalog_io(c), location, &derr);
    if (st != FLOE_OK && st != FLOE_ERR_NOT_FOUND) {
        FLOE_LOG_WARN("catalog", "could not delete the unused view metadata %s: %s", location,
                      derr.msg);
    }
}

static void notify_view(floe_catalog *c, floe_change_kind kind, const floe_ident *id,
                        const char *location, const char *previous)
{
    floe_change ch = {.kind = kind,
                      .object = FLOE_OBJECT_VIEW,
                      .id = id,
                      .metadata_location = location,
                      .previous_location = previous};
    catalog_notify(c, &ch);
}

/* ==== Building and changing view metadata (no I/O) ==== */

floe_status catalog_view_build(floe_arena *a, const json_t *request, const char *location,
                               const char *uuid, json_t **out, floe_err *err)
{
    *out = NULL;
    if (!json_is_object(request)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "request must be an object");
    }
    json_t *schema = NULL, *version = NULL, *props = NULL;
    floe_status st = view_schema(a, json_object_get(request, "schema"), 0, &schema, err);
    if (st == FLOE_OK) {
        st = view_version(json_object_get(request, "view-version"), &version, err);
    }
    if (st == FLOE_OK) {
        st = string_map(json_object_get(request, "properties"), "properties", &props, err);
    }
    if (st != FLOE_OK) {
        json_decref(schema);
        json_decref(version);
        return st;
    }
    json_object_set_new(version, "version-id", json_integer(1));
    json_object_set_new(version, "schema-id", json_integer(0));
    json_int_t ts = json_integer_value(json_object_get(version, "timestamp-ms"));
    json_t *m = json_object();
    json_object_set_new(m, "view-uuid", json_string(uuid));
    json_object_set_new(m, "format-version", json_integer(VIEW_FORMAT_VERSION));
    json_object_set_new(m, "location", json_string(location));
    json_object_set_new(m, "current-version-id", json_integer(1));
    json_object_set_new(m, "versions", json_pack("[o]", version));
    json_object_set_new(m, "version-log",
                        json_pack("[{s:I, s:i}]", "timestamp-ms", ts, "version-id", 1));
    json_object_set_new(m, "schemas", json_pack("[o]", schema));
    json_object_set_new(m, "properties", props);
    st = expire_versions(m, err);
    if (st != FLOE_OK) {
        json_decref(m);
        return st;
    }
    *out = m;
    return FLOE_OK;
}

/* ==== Create ==== */

floe_status floe_catalog_create_view(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                     const json_t *request, floe_view_version *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *name = floe_ident_display(a, id);
    if (!json_is_object(request)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "create view %s: request must be an object",
                            name);
    }
    floe_store *store = floe_catalog_store(c);
    st = floe_store_namespace_load(store, a, floe_catalog_name(c), &id->ns, NULL, NULL, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "create view %s", name);
    }
    const json_t *jloc = json_object_get(request, "location");
    const char *location = NULL;
    if (jloc != NULL && !json_is_null(jloc)) {
        location = json_string_value(jloc);
        if (location == NULL || strlen(location) != json_string_length(jloc)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "create view %s: location must be a string",
                                name);
        }
        st = floe_catalog_check_location(c, location, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "create view %s", name);
        }
        location = floe_arena_strdup(a, location);
    } else {
        location = floe_catalog_default_location(c, a, id);
    }
    if (location == NULL) {
        return floe_arena_check(a, err);
    }
    char uuid[FLOE_UUID_STR_LEN + 1];
    floe_uuid u;
    floe_uuid_v4(&u);
    floe_uuid_format(&u, uuid);
    json_t *m = NULL;
    st = catalog_view_build(a, request, location, uuid, &m, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "create view %s", name);
    }
    const char *file = NULL;
    floe_str json = {0};
    st = write_view(c, a, m, 0, &file, &json, err);
    json_decref(m);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "create view %s", name);
    }
    st = floe_store_object_create(store, floe_catalog_name(c), FLOE_OBJECT_VIEW, id, file, err);
    if (st != FLOE_OK) {
        if (st != FLOE_ERR_STATE_UNKNOWN) {
            delete_quietly(c, file);
        }
        return floe_err_wrap(err, "create view %s", name);
    }
    catalog_meta_remember(c, file, json, location);
    notify_view(c, FLOE_CHANGE_CREATE, id, file, NULL);
    out->metadata_location = file;
    out->metadata_json = json;
    out->changed = true;
    out->attempts = 1;
    st = floe_store_object_load(store, a, floe_catalog_name(c), FLOE_OBJECT_VIEW, id, &out->info,
                                err);
    return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "create view %s", name);
}

/* ==== Replace ==== */

/* Requirements: only assert-view-uuid exists. FLOE_ERR_CONFLICT when one fails. */
static floe_status check_view_reqs(const json_t *m, const json_t *reqs, floe_err *err)
{
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        const json_t *r = json_array_get(reqs, i);
        const char *type = json_string_value(json_object_get(r, "type"));
        if (type == NULL || strcmp(type, "assert-view-uuid") != 0) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "requirements[%zu]: unknown view requirement %s", i,
                                type != NULL ? type : "(no type)");
        }
        const char *want = json_string_value(json_object_get(r, "uuid"));
        if (want == NULL) {
            return floe_err_set(err, FLOE_ERR_INVALID, "requirements[%zu]: uuid must be a string",
                                i);
        }
        const char *have = json_string_value(json_object_get(m, "view-uuid"));
        if (have == NULL || strcasecmp(have, want) != 0) {
            return floe_err_set(err, FLOE_ERR_CONFLICT,
                                "Requirement failed: view UUID does not match: expected %s != %s",
                                have != NULL ? have : "(none)", want);
        }
    }
    return FLOE_OK;
}

/* What one commit added, for the -1 references. */
typedef struct view_apply {
    int64_t last_schema;  /* -1: none added */
    int64_t last_version; /* -1: none added */
} view_apply;

static floe_status add_schema(floe_arena *a, json_t *m, const json_t *u, view_apply *va,
                              floe_err *err)
{
    json_t *schemas = json_object_get(m, "schemas");
    json_t *s = NULL;
    floe_status st = view_schema(a, json_object_get(u, "schema"), 0, &s, err);
    if (st != FLOE_OK) {
        return st;
    }
    static const char *const ignore[] = {"schema-id", NULL};
    for (size_t i = 0; i < json_array_size(schemas); i++) {
        json_t *old = json_array_get(schemas, i);
        if (equal_except(old, s, ignore)) {
            va->last_schema = json_integer_value(json_object_get(old, "schema-id"));
            json_decref(s);
            return FLOE_OK;
        }
    }
    int64_t id = max_id(schemas, "schema-id") + 1;
    if (id > INT32_MAX) {
        json_decref(s);
        return floe_err_set(err, FLOE_ERR_INVALID, "too many schemas");
    }
    json_object_set_new(s, "schema-id", json_integer(id));
    json_array_append_new(schemas, s);
    va->last_schema = id;
    return FLOE_OK;
}

static floe_status add_version(json_t *m, const json_t *u, view_apply *va, floe_err *err)
{
    json_t *v = NULL;
    floe_status st = view_version(json_object_get(u, "view-version"), &v, err);
    if (st != FLOE_OK) {
        return st;
    }
    int64_t sid = json_integer_value(json_object_get(v, "schema-id"));
    if (sid == -1) {
        if (va->last_schema < 0) {
            json_decref(v);
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "add-view-version: schema-id -1 but no schema was added");
        }
        sid = va->last_schema;
        json_object_set_new(v, "schema-id", json_integer(sid));
    }
    if (find_by_id(json_object_get(m, "schemas"), "schema-id", sid) == NULL) {
        json_decref(v);
        return floe_err_set(err, FLOE_ERR_INVALID, "add-view-version: schema %lld does not exist",
                            (long long)sid);
    }
    json_t *versions = json_object_get(m, "versions");
    static const char *const ignore[] = {"version-id", "timestamp-ms", NULL};
    for (size_t i = 0; i < json_array_size(versions); i++) {
        json_t *old = json_array_get(versions, i);
        if (equal_except(old, v, ignore)) {
            va->last_version = json_integer_value(json_object_get(old, "version-id"));
            json_decref(v);
            return FLOE_OK;
        }
    }
    int64_t id = max_id(versions, "version-id") + 1;
    if (id > INT32_MAX) {
        json_decref(v);
        return floe_err_set(err, FLOE_ERR_INVALID, "too many view versions");
    }
    json_object_set_new(v, "version-id", json_integer(id));
    json_array_append_new(versions, v);
    va->last_version = id;
    return FLOE_OK;
}

static floe_status set_current(json_t *m, const json_t *u, view_apply *va, floe_err *err)
{
    const json_t *jid = json_object_get(u, "view-version-id");
    if (!json_is_integer(jid)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "set-current-view-version: view-version-id must be an integer");
    }
    int64_t id = json_integer_value(jid);
    if (id == -1) {
        if (va->last_version < 0) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "set-current-view-version: -1 but no version was added");
        }
        id = va->last_version;
    }
    json_t *v = find_by_id(json_object_get(m, "versions"), "version-id", id);
    if (v == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "set-current-view-version: version %lld does not exist", (long long)id);
    }
    if (json_integer_value(json_object_get(m, "current-version-id")) == id) {
        return FLOE_OK;
    }
    json_object_set_new(m, "current-version-id", json_integer(id));
    json_int_t ts = json_integer_value(json_object_get(v, "timestamp-ms"));
    json_array_append_new(
        json_object_get(m, "version-log"),
        json_pack("{s:I, s:I}", "timestamp-ms", ts, "version-id", (json_int_t)id));
    return FLOE_OK;
}

/* Apply one ViewUpdate to `m` (a private copy). FLOE_ERR_INVALID for a bad update. */
static floe_status apply_update(floe_catalog *c, floe_arena *a, json_t *m, const json_t *u,
                                view_apply *va, floe_err *err)
{
    const char *action = json_string_value(json_object_get(u, "action"));
    if (action == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "an update has no action");
    }
    if (strcmp(action, "assign-uuid") == 0) {
        const char *uuid = json_string_value(json_object_get(u, "uuid"));
        const char *have = json_string_value(json_object_get(m, "view-uuid"));
        if (uuid == NULL || have == NULL || strcasecmp(uuid, have) != 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "assign-uuid: a view's uuid cannot change");
        }
        return FLOE_OK;
    }
    if (strcmp(action, "upgrade-format-version") == 0) {
        json_int_t v = json_integer_value(json_object_get(u, "format-version"));
        if (v != VIEW_FORMAT_VERSION) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "upgrade-format-version: view format version %lld is not "
                                "supported (only 1)",
                                (long long)v);
        }
        return FLOE_OK;
    }
    if (strcmp(action, "add-schema") == 0) {
        return add_schema(a, m, u, va, err);
    }
    if (strcmp(action, "set-location") == 0) {
        const json_t *loc = json_object_get(u, "location");
        if (!json_is_string(loc) || strlen(json_string_value(loc)) != json_string_length(loc)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "set-location: location must be a string");
        }
        const char *now = json_string_value(json_object_get(m, "location"));
        if (strcmp(now, json_string_value(loc)) != 0) {
            floe_status st =
                c != NULL ? floe_catalog_check_location(c, json_string_value(loc), err) : FLOE_OK;
            if (st != FLOE_OK) {
                return floe_err_wrap(err, "set-location");
            }
            json_object_set_new(m, "location", json_deep_copy(loc));
        }
        return FLOE_OK;
    }
    if (strcmp(action, "set-properties") == 0) {
        json_t *ups = NULL;
        floe_status st =
            string_map(json_object_get(u, "updates"), "set-properties.updates", &ups, err);
        if (st == FLOE_OK) {
            json_object_update(json_object_get(m, "properties"), ups);
            json_decref(ups);
        }
        return st;
    }
    if (strcmp(action, "remove-properties") == 0) {
        const json_t *rem = json_object_get(u, "removals");
        if (!json_is_array(rem)) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "remove-properties: removals must be an array of strings");
        }
        for (size_t i = 0; i < json_array_size(rem); i++) {
            const char *k = json_string_value(json_array_get(rem, i));
            if (k == NULL) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "remove-properties: removals must be an array of strings");
            }
            json_object_del(json_object_get(m, "properties"), k);
        }
        return FLOE_OK;
    }
    if (strcmp(action, "add-view-version") == 0) {
        return add_version(m, u, va, err);
    }
    if (strcmp(action, "set-current-view-version") == 0) {
        return set_current(m, u, va, err);
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "update %s does not apply to views", action);
}

floe_status catalog_view_apply(floe_catalog *c, floe_arena *a, json_t *m, const json_t *reqs,
                               const json_t *updates, floe_err *err)
{
    floe_status st = check_view_reqs(m, reqs, err);
    view_apply va = {-1, -1};
    for (size_t i = 0; st == FLOE_OK && i < json_array_size(updates); i++) {
        st = apply_update(c, a, m, json_array_get(updates, i), &va, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "updates[%zu]", i);
        }
    }
    return st == FLOE_OK ? expire_versions(m, err) : st;
}

/* The current metadata of a view as a JSON object with the members the updates touch. */
static floe_status load_view_meta(floe_catalog *c, const char *location, json_t **out,
                                  floe_err *err)
{
    meta_file *f = NULL;
    floe_status st = catalog_meta_file(c, location, &f, err);
    if (st == FLOE_ERR_NOT_FOUND) {
        floe_err e2 = {0};
        floe_err_set(&e2, FLOE_ERR_CORRUPT, "%s", err != NULL ? err->msg : "missing file");
        if (err != NULL) {
            *err = e2;
        }
        return FLOE_ERR_CORRUPT;
    }
    if (st != FLOE_OK) {
        return st;
    }
    floe_str text = meta_file_json(f);
    json_t *m = json_loadb(text.ptr, text.len, 0, NULL);
    meta_file_unref(f);
    if (!json_is_object(m) || !json_is_array(json_object_get(m, "versions")) ||
        !json_is_array(json_object_get(m, "schemas")) ||
        !json_is_string(json_object_get(m, "view-uuid"))) {
        json_decref(m);
        return floe_err_set(err, FLOE_ERR_CORRUPT, "view metadata %s is not view metadata",
                            location);
    }
    if (!json_is_array(json_object_get(m, "version-log"))) {
        json_object_set_new(m, "version-log", json_array());
    }
    if (!json_is_object(json_object_get(m, "properties"))) {
        json_object_set_new(m, "properties", json_object());
    }
    *out = m;
    return FLOE_OK;
}

floe_status floe_catalog_replace_view(floe_catalog *c, floe_arena *a, const floe_ident *id,
                                      const json_t *requirements, const json_t *updates,
                                      floe_view_version *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *name = floe_ident_display(a, id);
    if ((requirements != NULL && !json_is_null(requirements) && !json_is_array(requirements)) ||
        !json_is_array(updates)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "replace view %s: requirements and updates must be arrays", name);
    }
    floe_store *store = floe_catalog_store(c);
    for (int attempt = 1;; attempt++) {
        floe_object_info info;
        st = floe_store_object_load(store, a, floe_catalog_name(c), FLOE_OBJECT_VIEW, id, &info,
                                    err);
        json_t *base = NULL;
        if (st == FLOE_OK) {
            st = load_view_meta(c, info.metadata_location, &base, err);
        }
        json_t *next = st == FLOE_OK ? json_deep_copy(base) : NULL;
        if (st == FLOE_OK) {
            st = catalog_view_apply(c, a, next, requirements, updates, err);
        }
        bool changed = st == FLOE_OK && !json_equal(base, next);
        json_decref(base);
        if (st != FLOE_OK) {
            json_decref(next);
            return floe_err_wrap(err, "replace view %s", name);
        }
        if (!changed) {
            json_decref(next);
            out->info = info;
            out->metadata_location = info.metadata_location;
            out->attempts = attempt;
            return floe_catalog_read_metadata(c, a, info.metadata_location, &out->metadata_json,
                                              NULL, err);
        }
        int64_t v = catalog_file_version(info.metadata_location);
        const char *file = NULL;
        floe_str json = {0};
        st = write_view(c, a, next, v >= 0 ? v + 1 : info.version, &file, &json, err);
        const char *table_loc =
            floe_arena_strdup(a, json_string_value(json_object_get(next, "location")));
        json_decref(next);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "replace view %s", name);
        }
        int64_t version = 0;
        st = floe_store_object_swap(store, floe_catalog_name(c), FLOE_OBJECT_VIEW, id,
                                    info.metadata_location, file, &version, err);
        if (st == FLOE_OK) {
            catalog_meta_remember(c, file, json, table_loc);
            notify_view(c, FLOE_CHANGE_COMMIT, id, file, info.metadata_location);
            out->info = info;
            out->info.previous_metadata_location = info.metadata_location;
            out->info.metadata_location = file;
            out->info.version = version;
            out->metadata_location = file;
            out->metadata_json = json;
            out->changed = true;
            out->attempts = attempt;
            return FLOE_OK;
        }
        if (st == FLOE_ERR_STATE_UNKNOWN) {
            return floe_err_wrap(err, "replace view %s: metadata %s may or may not be current",
                                 name, file);
        }
        delete_quietly(c, file);
        if (st != FLOE_ERR_CONFLICT || attempt >= FLOE_COMMIT_ATTEMPTS) {
            return floe_err_wrap(err, "replace view %s", name);
        }
        floe_err_clear(err);
    }
}
