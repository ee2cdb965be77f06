/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The maintenance JSON API (not part of the Iceberg REST specification, so under /api/v1/):
 *
 *   GET  /api/v1/maintenance/runs?catalog=&table=&action=&status=failed&limit=&before=
 *   GET  /api/v1/tables/{catalog}/{ns}/{table}/maintenance
 *   POST /api/v1/tables/{catalog}/{ns}/{table}/maintenance/{action}?dry-run=&older-than=
 *
 * {ns} is the namespace levels joined by %1F as in the REST catalog routes. `table=` in the
 * runs query is "ns.name" (namespace levels and name joined by dots; the last dot separates the
 * name). Errors use the same ErrorModel body as the REST catalog.
 */
#include "server_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_SEGMENTS_MAX 16
#define RUNS_LIMIT_MAX 1000

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return floe_buf_append(data, buffer, size, NULL) == FLOE_OK ? 0 : -1;
}

/* Answer `code` with `j` (consumed). */
static void reply(http_req *r, int code, json_t *j)
{
    r->status = code;
    r->content_type = "application/json";
    floe_buf_reset(&r->resp);
    json_dump_callback(j, dump_cb, &r->resp, JSON_COMPACT);
    json_decref(j);
}

static void fail(http_req *r, int code, const char *type, const char *fmt, ...) FLOE_PRINTF(4, 5);
static void fail(http_req *r, int code, const char *type, const char *fmt, ...)
{
    char msg[FLOE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->error_msg = floe_arena_strdup(r->a, msg);
    reply(r, code,
          json_pack("{s:{s:s, s:s, s:i}}", "error", "message", msg, "type", type, "code", code));
}

static void fail_status(http_req *r, const floe_err *err)
{
    floe_status st = err->code != FLOE_OK ? err->code : FLOE_ERR_INTERNAL;
    int code = floe_status_http(st);
    const char *type = st == FLOE_ERR_NOT_FOUND  ? "NoSuchTableException"
                       : st == FLOE_ERR_CONFLICT ? "CommitFailedException"
                       : code < 500              ? "BadRequestException"
                                                 : "ServiceFailureException";
    fail(r, code, type, "%s", err->msg[0] != '\0' ? err->msg : floe_status_name(st));
}

/* A decoded query argument, NULL when absent; *bad after answering 400. */
static const char *query(http_req *r, const char *name, bool *bad)
{
    const char *raw = http_query(r, name);
    if (raw == NULL) {
        return NULL;
    }
    char *out = NULL;
    floe_err err = {0};
    if (floe_rest_decode(r->a, raw, strlen(raw), &out, NULL, &err) != FLOE_OK) {
        fail(r, 400, "BadRequestException", "%s: %s", name, err.msg);
        *bad = true;
        return NULL;
    }
    return out;
}

/* "a.b.t" into namespace a.b and name t (in r->a). */
static bool dotted_ident(http_req *r, const char *s, floe_ident *out)
{
    const char *dot = strrchr(s, '.');
    if (dot == NULL || dot == s || dot[1] == '\0') {
        fail(r, 400, "BadRequestException", "table: expected namespace.name, got '%s'", s);
        return false;
    }
    size_t levels = 1;
    for (const char *p = s; p < dot; p++) {
        levels += *p == '.';
    }
    const char **lv = floe_arena_calloc(r->a, levels, sizeof(*lv));
    const char *start = s;
    size_t i = 0;
    for (const char *p = s; lv != NULL && p <= dot; p++) {
        if (*p == '.') {
            lv[i++] = floe_arena_strndup(r->a, start, (size_t)(p - start));
            start = p + 1;
        }
    }
    out->ns = (floe_namespace){lv, levels};
    out->name = floe_arena_strdup(r->a, dot + 1);
    floe_err err = {0};
    if (lv == NULL || floe_ident_check(out, &err) != FLOE_OK) {
        fail(r, 400, "IllegalArgumentException", "table: %s", err.msg);
        return false;
    }
    return true;
}

static json_t *run_json(const floe_store_run *x)
{
    json_t *j = json_loads(x->record, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    json_object_set_new(j, "id", json_integer(x->id));
    json_object_set_new(j, "catalog", json_string(x->catalog));
    return j;
}

/* ==== GET /api/v1/maintenance/runs ==== */

static void h_runs(http_req *r)
{
    bool bad = false;
    const char *catalog = query(r, "catalog", &bad);
    const char *table = query(r, "table", &bad);
    const char *action = query(r, "action", &bad);
    const char *limit_s = query(r, "limit", &bad);
    const char *before_s = query(r, "before", &bad);
    const char *status = query(r, "status", &bad);
    if (bad) {
        return;
    }
    floe_store_run_filter f = {.limit = 100};
    floe_err err = {0};
    if (status != NULL) {
        if (strcmp(status, "failed") != 0) {
            fail(r, 400, "BadRequestException", "status: expected failed");
            return;
        }
        f.failed_only = true;
    }
    if (limit_s != NULL) {
        int64_t v = 0;
        if (floe_parse_i64(limit_s, &v, &err) != FLOE_OK || v < 1 || v > RUNS_LIMIT_MAX) {
            fail(r, 400, "BadRequestException", "limit: expected 1..%d", RUNS_LIMIT_MAX);
            return;
        }
        f.limit = (size_t)v;
    }
    if (before_s != NULL &&
        (floe_parse_i64(before_s, &f.before_id, &err) != FLOE_OK || f.before_id < 1)) {
        fail(r, 400, "BadRequestException", "before: expected a run id");
        return;
    }
    if (catalog != NULL && server_catalog(r->srv, catalog) == NULL) {
        fail(r, 404, "NoSuchWarehouseException", "catalog %s does not exist", catalog);
        return;
    }
    floe_ident id;
    if (table != NULL) {
        if (!dotted_ident(r, table, &id)) {
            return;
        }
        f.id = &id;
        if (catalog == NULL) {
            catalog = floe_catalog_name(r->srv->catalogs[0]);
        }
    }
    f.catalog = catalog;
    floe_mnt_action act;
    if (action != NULL) {
        if (floe_mnt_action_parse(action, &act, &err) != FLOE_OK) {
            fail(r, 400, "BadRequestException", "action: %s", err.msg);
            return;
        }
        f.action = floe_mnt_action_name(act);
    }
    floe_store_run *runs = NULL;
    size_t n = 0;
    if (floe_store_run_list(r->srv->store, r->a, &f, &runs, &n, &err) != FLOE_OK) {
        fail_status(r, &err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, run_json(&runs[i]));
    }
    json_t *resp = json_pack("{s:o}", "runs", arr);
    json_object_set_new(resp, "next-before",
                        n == f.limit && n > 0 ? json_integer(runs[n - 1].id) : json_null());
    reply(r, 200, resp);
}

/* ==== /api/v1/tables/{catalog}/{ns}/{table}/maintenance[/{action}] ==== */

static void h_table_summary(http_req *r, floe_catalog *cat, const floe_ident *id)
{
    floe_err err = {0};
    floe_table_version v;
    if (floe_catalog_table_load(cat, r->a, id, &v, &err) != FLOE_OK) {
        fail_status(r, &err);
        return;
    }
    size_t nd = 0;
    const floe_kv *defaults = floe_catalog_table_defaults(cat, r->a, &nd);
    floe_mnt_props p;
    json_t *settings = json_object();
    if (floe_mnt_props_layered(r->a, defaults, nd, v.meta->properties, v.meta->n_properties, &p,
                               &err) != FLOE_OK) {
        json_object_set_new(settings, "error", json_string(err.msg));
        floe_err_clear(&err);
    } else {
        json_object_set_new(settings, "gc-enabled", json_boolean(p.gc_enabled));
        json_object_set_new(settings, "expire-snapshots", json_boolean(p.expire_enabled));
        json_object_set_new(settings, "clean-orphan-files", json_boolean(p.orphan_enabled));
        json_object_set_new(settings, "clean-dangling-delete-files",
                            json_boolean(p.dangling_delete_enabled));
        json_object_set_new(settings, "expire-data", json_boolean(p.data_expire_enabled));
        json_object_set_new(settings, "auto-create-tag", json_boolean(p.tag_enabled));
        json_object_set_new(settings, "snapshot-keep-ms", json_integer(p.snapshot_keep_ms));
        json_object_set_new(settings, "snapshot-keep-min-count",
                            json_integer(p.snapshot_keep_min_count));
        json_object_set_new(settings, "orphan-min-age-ms", json_integer(p.orphan_min_age_ms));
    }
    json_t *actions = json_object();
    for (int i = 0; i < FLOE_MNT_ACTION_COUNT; i++) {
        const char *name = floe_mnt_action_name((floe_mnt_action)i);
        floe_store_run_filter f = {
            .catalog = floe_catalog_name(cat), .id = id, .action = name, .limit = 1};
        floe_store_run *runs = NULL;
        size_t n = 0;
        if (floe_store_run_list(r->srv->store, r->a, &f, &runs, &n, &err) != FLOE_OK) {
            json_decref(actions);
            json_decref(settings);
            fail_status(r, &err);
            return;
        }
        json_t *a = json_object();
        json_object_set_new(a, "interval-ms",
                            json_integer(r->srv->cfg->maintenance.interval_ms[i]));
        json_object_set_new(a, "last-run", n == 1 ? run_json(&runs[0]) : json_null());
        f.failed_only = true;
        if (floe_store_run_list(r->srv->store, r->a, &f, &runs, &n, &err) != FLOE_OK) {
            json_decref(a);
            json_decref(actions);
            json_decref(settings);
            fail_status(r, &err);
            return;
        }
        json_object_set_new(a, "last-failure", n == 1 ? run_json(&runs[0]) : json_null());
        json_object_set_new(actions, name, a);
    }
    json_t *ns = json_array();
    for (size_t i = 0; i < id->ns.n; i++) {
        json_array_append_new(ns, json_string(id->ns.levels[i]));
    }
    reply(r, 200,
          json_pack("{s:s, s:o, s:s, s:s, s:b, s:o, s:o}", "catalog", floe_catalog_name(cat),
                    "namespace", ns, "table", id->name, "metadata-location", v.metadata_location,
                    "scheduler-enabled", r->srv->cfg->maintenance.enabled, "settings", settings,
                    "actions", actions));
}

static void h_table_trigger(http_req *r, floe_catalog *cat, const floe_ident *id,
                            const char *action_s)
{
    floe_err err = {0};
    floe_mnt_action action;
    if (floe_mnt_action_parse(action_s, &action, &err) != FLOE_OK) {
        fail(r, 404, "NotFoundException", "%s", err.msg);
        return;
    }
    bool bad = false;
    const char *dry = query(r, "dry-run", &bad);
    const char *older = query(r, "older-than", &bad);
    if (bad) {
        return;
    }
    floe_mnt_job_opts o = {.ignore_switch = true};
    if (dry != NULL) {
        if (strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
            fail(r, 400, "BadRequestException", "dry-run: expected true or false");
            return;
        }
        o.dry_run = strcmp(dry, "true") == 0;
    }
    if (older != NULL && (floe_mnt_duration_parse(older, &o.older_than_ms, &err) != FLOE_OK ||
                          o.older_than_ms < 0)) {
        fail(r, 400, "BadRequestException", "older-than: %s",
             err.msg[0] != '\0' ? err.msg : "must not be negative");
        return;
    }
    o.has_older_than = older != NULL;
    json_t *rec = NULL;
    if (floe_server_maintain(r->srv, cat, id, action, &o, &rec, &err) != FLOE_OK) {
        fail_status(r, &err);
        return;
    }
    reply(r, 200, rec);
}

void mnt_api_handle(http_req *r)
{
    const char *segs[API_SEGMENTS_MAX];
    size_t lens[API_SEGMENTS_MAX];
    size_t n = 0;
    const char *p = r->path + 1;
    while (*p != '\0' && n < API_SEGMENTS_MAX) {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        segs[n] = p;
        lens[n++] = len;
        p += len + (slash != NULL ? 1 : 0);
    }
#define SEG_IS(i, lit) (lens[i] == strlen(lit) && memcmp(segs[i], lit, lens[i]) == 0)
    bool get = strcmp(r->method, "GET") == 0;
    bool post = strcmp(r->method, "POST") == 0;
    if (*p != '\0' || n < 3 || !SEG_IS(0, "api") || !SEG_IS(1, "v1")) {
        fail(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
        return;
    }
    if (n == 4 && SEG_IS(2, "maintenance") && SEG_IS(3, "runs")) {
        if (!get) {
            http_add_header(r, "Allow", "GET");
            fail(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
            return;
        }
        h_runs(r);
        return;
    }
    if ((n != 7 && n != 8) || !SEG_IS(2, "tables") || !SEG_IS(6, "maintenance")) {
        fail(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
        return;
    }
    if ((n == 7 && !get) || (n == 8 && !post)) {
        http_add_header(r, "Allow", n == 7 ? "GET" : "POST");
        fail(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
        return;
    }
#undef SEG_IS
    floe_err err = {0};
    char *catname = NULL;
    floe_ident id;
    if (floe_rest_decode(r->a, segs[3], lens[3], &catname, NULL, &err) != FLOE_OK ||
        floe_rest_parse_namespace(r->a, segs[4], lens[4], &id.ns, &err) != FLOE_OK ||
        floe_rest_parse_name(r->a, segs[5], lens[5], &id.name, &err) != FLOE_OK) {
        fail(r, 400, "BadRequestException", "%s", err.msg);
        return;
    }
    floe_catalog *cat = server_catalog(r->srv, catname);
    if (cat == NULL) {
        fail(r, 404, "NoSuchWarehouseException", "catalog %s does not exist", catname);
        return;
    }
    if (n == 7) {
        h_table_summary(r, cat, &id);
        return;
    }
    char *action = NULL;
    if (floe_rest_decode(r->a, segs[7], lens[7], &action, NULL, &err) != FLOE_OK) {
        fail(r, 400, "BadRequestException", "%s", err.msg);
        return;
    }
    h_table_trigger(r, cat, &id, action);
}
