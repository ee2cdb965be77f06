/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg REST catalog routes (open-api/rest-catalog-open-api.yaml): routing, auth checks,
 * request parsing, and the handlers for config, tokens, namespaces, tables and views.
 *
 * One route table drives both dispatch and the `endpoints` list that GET /v1/config advertises,
 * so a client is never told about a route that is not served. A route the table lists without a
 * handler answers 406 UnsupportedOperationException and is not advertised (none at present;
 * register-view is not routed at all).
 *
 * Every error body is the specification's ErrorModel. The HTTP status comes from the floe_status
 * (floe_status_http), the `type` from rest_error_type() unless the handler names a more precise
 * one (NoSuchNamespaceException, NamespaceNotEmptyException, ...).
 */
#include "server_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE_DEFAULT 1000
#define PAGE_SIZE_MAX 1000
#define PATH_SEGMENTS_MAX 12

/* ==== Errors ==== */

/* The ErrorModel `type` a status answers with when the handler names none. */
static const char *const rest_error_types[FLOE_STATUS_COUNT_] = {
    [FLOE_OK] = "ServiceFailureException",
    [FLOE_ERR_INVALID] = "BadRequestException",
    [FLOE_ERR_USAGE] = "BadRequestException",
    [FLOE_ERR_CORRUPT] = "ServiceFailureException",
    [FLOE_ERR_UNSUPPORTED] = "UnsupportedOperationException",
    [FLOE_ERR_NOT_FOUND] = "NotFoundException",
    [FLOE_ERR_EXISTS] = "AlreadyExistsException",
    [FLOE_ERR_CONFLICT] = "CommitFailedException",
    [FLOE_ERR_TOO_BIG] = "BadRequestException",
    [FLOE_ERR_IO] = "ServiceFailureException",
    [FLOE_ERR_AUTH] = "NotAuthorizedException",
    [FLOE_ERR_FORBIDDEN] = "ForbiddenException",
    [FLOE_ERR_TIMEOUT] = "ServiceUnavailableException",
    [FLOE_ERR_UNAVAILABLE] = "ServiceUnavailableException",
    [FLOE_ERR_STATE_UNKNOWN] = "CommitStateUnknownException",
    [FLOE_ERR_CANCELED] = "ServiceFailureException",
    [FLOE_ERR_INTERNAL] = "ServiceFailureException",
};

static const char *rest_error_type(floe_status st)
{
    if ((int)st < 0 || st >= FLOE_STATUS_COUNT_) {
        st = FLOE_ERR_INTERNAL;
    }
    return rest_error_types[st];
}

static void dump_json(http_req *r, json_t *j);

/* Answer with an ErrorModel body. */
static void reply_error(http_req *r, int code, const char *type, const char *fmt, ...)
    FLOE_PRINTF(4, 5);
static void reply_error(http_req *r, int code, const char *type, const char *fmt, ...)
{
    char msg[FLOE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->status = code;
    r->error_msg = floe_arena_strdup(r->a, msg);
    floe_buf_reset(&r->resp);
    json_t *e =
        json_pack("{s:{s:s, s:s, s:i}}", "error", "message", msg, "type", type, "code", code);
    dump_json(r, e);
    json_decref(e);
    if (code >= 500) {
        FLOE_LOG_ERROR("rest", "%s %s: %s", r->method, r->path, msg);
    }
}

/* Answer for a failed call: status from the status table, `type` or the default for it. */
static void reply_status(http_req *r, const floe_err *err, const char *type)
{
    floe_status st = err->code != FLOE_OK ? err->code : FLOE_ERR_INTERNAL;
    reply_error(r, floe_status_http(st), type != NULL ? type : rest_error_type(st), "%s",
                err->msg[0] != '\0' ? err->msg : floe_status_name(st));
}

static void bad_request(http_req *r, const char *msg)
{
    reply_error(r, 400, "BadRequestException", "%s", msg);
}

/* ==== JSON helpers ==== */

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return floe_buf_append(data, buffer, size, NULL) == FLOE_OK ? 0 : -1;
}

static void dump_json(http_req *r, json_t *j)
{
    r->content_type = "application/json";
    json_dump_callback(j, dump_cb, &r->resp, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Answer 200 (or `code`) with `j`; consumes the reference. */
static void reply_json(http_req *r, int code, json_t *j)
{
    r->status = code;
    floe_buf_reset(&r->resp);
    dump_json(r, j);
    json_decref(j);
}

static void reply_empty(http_req *r, int code)
{
    r->status = code;
    floe_buf_reset(&r->resp);
}

/* The body as a JSON object, or NULL after answering 400. Free with json_decref. */
static json_t *parse_body(http_req *r)
{
    if (r->body_len == 0) {
        bad_request(r, "request body is empty; expected a JSON object");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        reply_error(r, 400, "BadRequestException", "malformed JSON at line %d column %d: %s",
                    je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        bad_request(r, "request body must be a JSON object");
        return NULL;
    }
    return j;
}

static json_t *json_namespace(const floe_namespace *ns)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ns->n; i++) {
        json_array_append_new(arr, json_string(ns->levels[i]));
    }
    return arr;
}

/* A namespace from a JSON array of strings; answers 400 and returns false when invalid. */
static bool namespace_from_json(http_req *r, json_t *v, const char *field, floe_namespace *out)
{
    if (!json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > FLOE_NAMESPACE_LEVELS_MAX) {
        reply_error(r, 400, "BadRequestException", "%s must be an array of 1 to %d strings", field,
                    FLOE_NAMESPACE_LEVELS_MAX);
        return false;
    }
    size_t n = json_array_size(v);
    out->levels = floe_arena_calloc(r->a, n, sizeof(char *));
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(v, i);
        if (!json_is_string(l)) {
            reply_error(r, 400, "BadRequestException", "%s must be an array of strings", field);
            return false;
        }
        out->levels[i] = floe_arena_strndup(r->a, json_string_value(l), json_string_length(l));
        if (strlen(out->levels[i]) != json_string_length(l)) {
            reply_error(r, 400, "IllegalArgumentException", "%s: a level contains NUL", field);
            return false;
        }
    }
    floe_err err = {0};
    if (floe_namespace_check(out, &err) != FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "%s: %s", field, err.msg);
        return false;
    }
    return true;
}

/* A string-to-string map; answers 400 and returns false when a value is not a string. */
static bool props_from_json(http_req *r, json_t *v, const char *field, floe_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v)) {
        return true;
    }
    if (!json_is_object(v)) {
        reply_error(r, 400, "BadRequestException", "%s must be an object of strings", field);
        return false;
    }
    floe_kv *kv = floe_arena_calloc(r->a, json_object_size(v) + 1, sizeof(floe_kv));
    const char *key;
    json_t *val;
    size_t i = 0;
    json_object_foreach(v, key, val)
    {
        if (!json_is_string(val)) {
            reply_error(r, 400, "BadRequestException", "%s.%s must be a string", field, key);
            return false;
        }
        kv[i].key = key; /* borrowed from the parsed body, which outlives the handler's use */
        kv[i].value = json_string_value(val);
        i++;
    }
    *out = kv;
    *n = i;
    return true;
}

static json_t *json_props(const floe_kv *kv, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(o, kv[i].key, json_string(kv[i].value));
    }
    return o;
}

/* Append `s` as a JSON string literal. */
static void append_json_string(floe_buf *b, const char *s)
{
    json_t *j = json_string(s);
    json_dump_callback(j, dump_cb, b, JSON_ENCODE_ANY);
    json_decref(j);
}

/* ==== Query helpers ==== */

/* A decoded query argument: NULL when absent; answers 400 and sets *bad on a bad escape. */
static const char *query_arg(http_req *r, const char *name, bool *bad)
{
    const char *raw = http_query(r, name);
    if (raw == NULL) {
        return NULL;
    }
    char *d = NULL;
    floe_err err = {0};
    if (floe_rest_decode(r->a, raw, strlen(raw), &d, NULL, &err) != FLOE_OK) {
        reply_error(r, 400, "BadRequestException", "query parameter %s: %s", name, err.msg);
        *bad = true;
        return NULL;
    }
    return d;
}

static bool query_bool(http_req *r, const char *name, bool *out)
{
    bool bad = false;
    const char *v = query_arg(r, name, &bad);
    *out = false;
    if (bad) {
        return false;
    }
    if (v == NULL || v[0] == '\0') {
        return true;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = v[0] == 't';
        return true;
    }
    reply_error(r, 400, "BadRequestException", "query parameter %s must be true or false", name);
    return false;
}

/*
 * Paging parameters. Without pageToken and pageSize everything is returned and no token is
 * written; with either, pages hold pageSize (default and cap PAGE_SIZE_MAX) entries.
 */
static bool parse_page(http_req *r, floe_page *page, bool *paging)
{
    memset(page, 0, sizeof(*page));
    bool bad = false;
    const char *token = query_arg(r, "pageToken", &bad);
    const char *size = bad ? NULL : query_arg(r, "pageSize", &bad);
    if (bad) {
        return false;
    }
    *paging = token != NULL || size != NULL;
    if (!*paging) {
        return true;
    }
    page->limit = PAGE_SIZE_DEFAULT;
    if (size != NULL && size[0] != '\0') {
        int64_t n = 0;
        if (floe_parse_i64(size, &n, NULL) != FLOE_OK || n < 1) {
            bad_request(r, "pageSize must be a positive integer");
            return false;
        }
        page->limit = n > PAGE_SIZE_MAX ? PAGE_SIZE_MAX : (size_t)n;
    }
    if (token != NULL && token[0] != '\0') {
        floe_buf b;
        floe_buf_init(&b, 4 * FLOE_REST_SEGMENT_MAX);
        bool ok = floe_base64_decode(token, strlen(token), &b, NULL) == FLOE_OK && b.len > 0 &&
                  memchr(b.data, '\0', b.len) == NULL;
        if (ok) {
            page->after = floe_arena_strndup(r->a, b.data, b.len);
        }
        floe_buf_fini(&b);
        if (!ok) {
            bad_request(r, "pageToken is not a token this server issued");
            return false;
        }
    }
    return true;
}

static void set_next_token(http_req *r, json_t *resp, bool paging, const char *next)
{
    if (!paging) {
        return;
    }
    if (next == NULL) {
        json_object_set_new(resp, "next-page-token", json_null());
        return;
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_base64_encode(next, strlen(next), FLOE_BASE64_URL, &b, NULL);
    json_object_set_new(resp, "next-page-token", json_string(floe_buf_cstr(&b)));
    floe_buf_fini(&b);
    (void)r;
}

/* ==== Routing ==== */

typedef struct route_args {
    floe_catalog *cat;
    floe_namespace ns; /* from {ns} */
    const char *name;  /* from {name} */
} route_args;

typedef void (*rest_fn)(http_req *r, route_args *ra);

typedef struct route {
    const char *method;
    const char *pattern;  /* segments after the prefix; {ns} and {name} are captured */
    const char *endpoint; /* advertised in /v1/config as "METHOD /v1/{prefix}/..."; NULL: not */
    rest_fn fn;           /* NULL: known to the spec, not served yet (406) */
} route;

static void h_ns_list(http_req *r, route_args *ra);
static void h_ns_create(http_req *r, route_args *ra);
static void h_ns_load(http_req *r, route_args *ra);
static void h_ns_exists(http_req *r, route_args *ra);
static void h_ns_drop(http_req *r, route_args *ra);
static void h_ns_props(http_req *r, route_args *ra);
static void h_table_list(http_req *r, route_args *ra);
static void h_table_load(http_req *r, route_args *ra);
static void h_table_exists(http_req *r, route_args *ra);
static void h_table_drop(http_req *r, route_args *ra);
static void h_table_register(http_req *r, route_args *ra);
static void h_table_rename(http_req *r, route_args *ra);
static void h_table_metrics(http_req *r, route_args *ra);
static void h_table_create(http_req *r, route_args *ra);
static void h_table_commit(http_req *r, route_args *ra);
static void h_transactions(http_req *r, route_args *ra);
static void h_view_list(http_req *r, route_args *ra);
static void h_view_load(http_req *r, route_args *ra);
static void h_view_exists(http_req *r, route_args *ra);
static void h_view_drop(http_req *r, route_args *ra);
static void h_view_rename(http_req *r, route_args *ra);
static void h_view_create(http_req *r, route_args *ra);
static void h_view_replace(http_req *r, route_args *ra);

#define NS "/v1/{prefix}/namespaces"
static const route routes[] = {
    {"GET", "namespaces", "GET " NS, h_ns_list},
    {"POST", "namespaces", "POST " NS, h_ns_create},
    {"GET", "namespaces/{ns}", "GET " NS "/{namespace}", h_ns_load},
    {"HEAD", "namespaces/{ns}", "HEAD " NS "/{namespace}", h_ns_exists},
    {"DELETE", "namespaces/{ns}", "DELETE " NS "/{namespace}", h_ns_drop},
    {"POST", "namespaces/{ns}/properties", "POST " NS "/{namespace}/properties", h_ns_props},
    {"GET", "namespaces/{ns}/tables", "GET " NS "/{namespace}/tables", h_table_list},
    {"POST", "namespaces/{ns}/tables", "POST " NS "/{namespace}/tables", h_table_create},
    {"GET", "namespaces/{ns}/tables/{name}", "GET " NS "/{namespace}/tables/{table}", h_table_load},
    {"HEAD", "namespaces/{ns}/tables/{name}", "HEAD " NS "/{namespace}/tables/{table}",
     h_table_exists},
    {"DELETE", "namespaces/{ns}/tables/{name}", "DELETE " NS "/{namespace}/tables/{table}",
     h_table_drop},
    {"POST", "namespaces/{ns}/tables/{name}", "POST " NS "/{namespace}/tables/{table}",
     h_table_commit},
    {"POST", "namespaces/{ns}/register", "POST " NS "/{namespace}/register", h_table_register},
    {"POST", "namespaces/{ns}/tables/{name}/metrics",
     "POST " NS "/{namespace}/tables/{table}/metrics", h_table_metrics},
    {"POST", "tables/rename", "POST /v1/{prefix}/tables/rename", h_table_rename},
    {"POST", "transactions/commit", "POST /v1/{prefix}/transactions/commit", h_transactions},
    {"GET", "namespaces/{ns}/views", "GET " NS "/{namespace}/views", h_view_list},
    {"POST", "namespaces/{ns}/views", "POST " NS "/{namespace}/views", h_view_create},
    {"GET", "namespaces/{ns}/views/{name}", "GET " NS "/{namespace}/views/{view}", h_view_load},
    {"HEAD", "namespaces/{ns}/views/{name}", "HEAD " NS "/{namespace}/views/{view}", h_view_exists},
    {"DELETE", "namespaces/{ns}/views/{name}", "DELETE " NS "/{namespace}/views/{view}",
     h_view_drop},
    {"POST", "namespaces/{ns}/views/{name}", "POST " NS "/{namespace}/views/{view}",
     h_view_replace},
    {"POST", "views/rename", "POST /v1/{prefix}/views/rename", h_view_rename},
};
#undef NS

typedef struct seg {
    const char *p;
    size_t len;
} seg;

static bool seg_is(seg s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* Does `pattern` match the segments? Captures are returned through `ns_seg` / `name_seg`. */
static bool pattern_match(const char *pattern, const seg *segs, size_t n, seg *ns_seg,
                          seg *name_seg)
{
    size_t i = 0;
    const char *p = pattern;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (i >= n) {
            return false;
        }
        if (len == 4 && memcmp(p, "{ns}", 4) == 0) {
            *ns_seg = segs[i];
        } else if (len == 6 && memcmp(p, "{name}", 6) == 0) {
            *name_seg = segs[i];
        } else if (!(segs[i].len == len && memcmp(segs[i].p, p, len) == 0)) {
            return false;
        }
        i++;
        p += len + (slash != NULL ? 1 : 0);
    }
    return i == n;
}

static void route_rest(http_req *r, floe_catalog *cat, const seg *segs, size_t n)
{
    char allow[64] = "";
    for (size_t i = 0; i < FLOE_ARRAY_LEN(routes); i++) {
        const route *rt = &routes[i];
        seg ns_seg = {0}, name_seg = {0};
        if (!pattern_match(rt->pattern, segs, n, &ns_seg, &name_seg)) {
            continue;
        }
        if (strcmp(rt->method, r->method) != 0) {
            size_t used = strlen(allow);
            snprintf(allow + used, sizeof(allow) - used, "%s%s", used > 0 ? ", " : "", rt->method);
            continue;
        }
        if (rt->fn == NULL) {
            reply_error(r, 406, "UnsupportedOperationException",
                        "%s /v1/{prefix}/%s is not available in this version of floe", rt->method,
                        rt->pattern);
            return;
        }
        route_args ra = {.cat = cat};
        floe_err err = {0};
        if (ns_seg.p != NULL &&
            floe_rest_parse_namespace(r->a, ns_seg.p, ns_seg.len, &ra.ns, &err) != FLOE_OK) {
            reply_error(r, 400, "IllegalArgumentException", "%s", err.msg);
            return;
        }
        if (name_seg.p != NULL &&
            floe_rest_parse_name(r->a, name_seg.p, name_seg.len, &ra.name, &err) != FLOE_OK) {
            reply_error(r, 400, "IllegalArgumentException", "%s", err.msg);
            return;
        }
        rt->fn(r, &ra);
        return;
    }
    if (allow[0] != '\0') {
        http_add_header(r, "Allow", floe_arena_strdup(r->a, allow));
        reply_error(r, 405, "BadRequestException", "method %s is not allowed here (allowed: %s)",
                    r->method, allow);
        return;
    }
    reply_error(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
}

/* ==== Handlers: health, config, tokens ==== */

static void h_health(http_req *r)
{
    floe_err err = {0};
    int version = 0;
    if (floe_store_schema_version(r->srv->store, &version, &err) != FLOE_OK) {
        reply_error(r, 503, "ServiceUnavailableException", "store: %s", err.msg);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:i, s:I}", "status", "ok", "store",
                         floe_store_backend(r->srv->store), "schema-version", version, "uptime-s",
                         (json_int_t)((floe_time_now_us() - r->srv->started_us) / 1000000)));
}

static void h_config(http_req *r)
{
    bool bad = false;
    const char *wh = query_arg(r, "warehouse", &bad);
    if (bad) {
        return;
    }
    floe_catalog *cat =
        wh == NULL || wh[0] == '\0' ? r->srv->catalogs[0] : server_catalog(r->srv, wh);
    if (cat == NULL) {
        reply_error(r, 404, "NoSuchWarehouseException", "warehouse %s does not exist", wh);
        return;
    }
    json_t *endpoints = json_array();
    for (size_t i = 0; i < FLOE_ARRAY_LEN(routes); i++) {
        if (routes[i].endpoint != NULL) {
            json_array_append_new(endpoints, json_string(routes[i].endpoint));
        }
    }
    json_t *overrides = json_object();
    json_object_set_new(
        overrides, "prefix",
        json_string(floe_arena_sprintf(r->a, "catalogs/%s", floe_catalog_name(cat))));
    json_object_set_new(overrides, "namespace-separator", json_string("%1F"));
    json_t *resp = json_object();
    json_object_set_new(resp, "defaults", json_object());
    json_object_set_new(resp, "overrides", overrides);
    json_object_set_new(resp, "endpoints", endpoints);
    reply_json(r, 200, resp);
}

static void oauth_error(http_req *r, int code, const char *error, const char *desc)
{
    r->status = code;
    r->error_msg = floe_arena_sprintf(r->a, "%s: %s", error, desc);
    floe_buf_reset(&r->resp);
    json_t *j = json_pack("{s:s, s:s}", "error", error, "error_description", desc);
    dump_json(r, j);
    json_decref(j);
}

/* One application/x-www-form-urlencoded field of the body, decoded; NULL when absent. */
static const char *form_field(http_req *r, const char *name, bool *bad)
{
    size_t nlen = strlen(name);
    const char *p = r->body;
    const char *end = r->body + r->body_len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq != NULL && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
            char *d = NULL;
            if (floe_rest_decode(r->a, eq + 1, (size_t)(stop - eq - 1), &d, NULL, NULL) !=
                FLOE_OK) {
                *bad = true;
                return NULL;
            }
            return d;
        }
        p = stop + 1;
    }
    return NULL;
}

static void h_token(http_req *r)
{
    bool bad = false;
    const char *grant = form_field(r, "grant_type", &bad);
    const char *id = form_field(r, "client_id", &bad);
    const char *secret = form_field(r, "client_secret", &bad);
    const char *subject = form_field(r, "subject_token", &bad);
    if (bad) {
        oauth_error(r, 400, "invalid_request", "the form body has a bad percent-escape");
        return;
    }
    const char *basic = http_header(r, "Authorization");
    if (id == NULL && basic != NULL && floe_starts_with(basic, "Basic ")) {
        floe_buf b;
        floe_buf_init(&b, 4096);
        if (floe_base64_decode(basic + 6, strlen(basic + 6), &b, NULL) == FLOE_OK) {
            const char *colon = memchr(b.data, ':', b.len);
            if (colon != NULL) {
                id = floe_arena_strndup(r->a, b.data, (size_t)(colon - b.data));
                secret = floe_arena_strndup(r->a, colon + 1, b.len - (size_t)(colon - b.data) - 1);
            }
        }
        floe_buf_fini(&b);
    }
    if (grant == NULL) {
        oauth_error(r, 400, "invalid_request", "grant_type is required");
        return;
    }
    const floe_server_config *cfg = r->srv->cfg;
    const char *subject_client = NULL;
    if (strcmp(grant, "client_credentials") == 0) {
        if (id == NULL || secret == NULL) {
            oauth_error(r, 400, "invalid_request", "client_id and client_secret are required");
            return;
        }
        floe_err err = {0};
        if (cfg->auth_enabled &&
            server_auth_check_client(r->srv->auth, id, secret, &err) != FLOE_OK) {
            oauth_error(r, 401, "invalid_client", "unknown client or wrong secret");
            return;
        }
        subject_client = id;
    } else if (strcmp(grant, "urn:ietf:params:oauth:grant-type:token-exchange") == 0) {
        /* Refresh: a still-valid token of ours buys a new one for the same client. */
        auth_result ar = server_auth_verify(r->srv->auth, r->a, subject, &subject_client);
        if (ar != AUTH_OK) {
            oauth_error(r, 400, "invalid_grant", "subject_token is missing, invalid or expired");
            return;
        }
    } else {
        oauth_error(r, 400, "unsupported_grant_type", "use client_credentials or token-exchange");
        return;
    }
    int64_t expires_in = 0;
    const char *tok = server_auth_issue(r->srv->auth, r->a, subject_client, &expires_in);
    if (tok == NULL) {
        reply_error(r, 500, "ServiceFailureException", "cannot sign a token");
        return;
    }
    r->principal = subject_client;
    http_add_header(r, "Cache-Control", "no-store");
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:I, s:s}", "access_token", tok, "token_type", "bearer",
                         "expires_in", (json_int_t)expires_in, "issued_token_type",
                         "urn:ietf:params:oauth:token-type:access_token"));
}

/* FLOE_OK when the request may go on; otherwise the 401/419 has been answered. */
static bool authorize(http_req *r)
{
    if (!r->srv->cfg->auth_enabled) {
        return true;
    }
    const char *h = http_header(r, "Authorization");
    const char *tok = NULL;
    if (h != NULL && (floe_starts_with(h, "Bearer ") || floe_starts_with(h, "bearer "))) {
        tok = h + 7;
    }
    const char *client = NULL;
    auth_result ar = server_auth_verify(r->srv->auth, r->a, tok, &client);
    if (ar == AUTH_OK) {
        r->principal = client;
        return true;
    }
    http_add_header(r, "WWW-Authenticate", "Bearer");
    if (ar == AUTH_EXPIRED) {
        reply_error(r, 419, "AuthenticationTimeoutException",
                    "the bearer token has expired; fetch a new one");
    } else {
        reply_error(r, 401, "NotAuthorizedException", "%s",
                    ar == AUTH_MISSING ? "a bearer token is required"
                                       : "the bearer token is not valid");
    }
    return false;
}

/* ==== Self-optimizing: /api/v1/... ==== */

static bool method_is(http_req *r, const char *m)
{
    if (strcmp(r->method, m) == 0) {
        return true;
    }
    http_add_header(r, "Allow", m);
    reply_error(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
    return false;
}

/*
 * A poll, held while it waits for a task (the long-poll; longpoll.c): the first time through,
 * a poll that finds nothing and may wait sets its deadline and suspends the connection; each
 * time the connection is resumed this runs again and polls again. Returns -1 when the
 * connection was suspended (nothing to answer yet). An answer after waiting carries the
 * "wait-ms" the server applied, so a client knows the server held it; a poll resumed because
 * the server stops, or whose client has gone, answers {"task": null} without scheduling
 * anything.
 */
static int h_poll(http_req *r, floe_opt_service *svc, const json_t *body, json_t **resp)
{
    bool stopping = atomic_load(&r->srv->stopping);
    if (r->wait_deadline_us != 0 && (stopping || server_waits_client_gone(r))) {
        /* Nobody to hand a task to (it would wait for the ack timeout): answer without one. */
        r->error_msg = stopping ? NULL : "client left during the long-poll";
        *resp = json_pack("{s:n}", "task");
        return 200;
    }
    uint64_t gen = server_waits_gen(r->srv->waits);
    floe_opt_poll_wait wait;
    int code = floe_opt_service_poll_wait(svc, body, &wait, resp);
    if (code != 200 || wait.wait_ms <= 0 || stopping) {
        return code;
    }
    int64_t now = floe_time_mono_us();
    if (r->wait_deadline_us == 0) {
        r->wait_deadline_us = now + wait.wait_ms * 1000;
    }
    if (now < r->wait_deadline_us && server_waits_suspend(r->srv->waits, r, wait.group, gen)) {
        json_decref(*resp);
        *resp = NULL;
        return -1;
    }
    json_object_set_new(*resp, "wait-ms", json_integer(wait.wait_ms));
    return code;
}

/* POST /api/v1/optimizer/{op}: the optimizer protocol, answered by the service. */
static void h_optimizer(http_req *r, seg op)
{
    static const char *const ops[] = {"register", "heartbeat", "poll", "ack", "complete"};
    const char *name = NULL;
    for (size_t i = 0; i < FLOE_ARRAY_LEN(ops); i++) {
        if (seg_is(op, ops[i])) {
            name = ops[i];
        }
    }
    if (name == NULL) {
        reply_error(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
        return;
    }
    if (!method_is(r, "POST")) {
        return;
    }
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    json_t *resp = NULL;
    floe_opt_service *svc = server_opt_service(r->srv->opt);
    int code = strcmp(name, "poll") == 0 ? h_poll(r, svc, body, &resp)
                                         : floe_opt_service_handle(svc, name, body, &resp);
    json_decref(body);
    if (code < 0) {
        return; /* suspended: answered when resumed */
    }
    json_t *e = json_object_get(resp, "error");
    if (code >= 400 && e != NULL) {
        r->error_msg = floe_arena_strdup(r->a, json_string_value(json_object_get(e, "message")));
    }
    reply_json(r, code, resp != NULL ? resp : json_object());
}

/* GET .../{catalog}/{ns}/{table}/processes, or POST .../cancel (`cancel`). */
static void h_table_processes(http_req *r, const seg *segs, bool cancel)
{
    floe_err err = {0};
    char *catalog = NULL;
    floe_ident id = {0};
    if (floe_rest_decode(r->a, segs[0].p, segs[0].len, &catalog, NULL, &err) != FLOE_OK ||
        floe_rest_parse_namespace(r->a, segs[1].p, segs[1].len, &id.ns, &err) != FLOE_OK ||
        floe_rest_parse_name(r->a, segs[2].p, segs[2].len, &id.name, &err) != FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "%s", err.msg);
        return;
    }
    if (server_catalog(r->srv, catalog) == NULL) {
        reply_error(r, 404, "NoSuchWarehouseException", "catalog %s does not exist", catalog);
        return;
    }
    if (cancel) {
        int64_t pid = 0;
        if (server_opt_cancel(r->srv->opt, catalog, &id, &pid, &err) != FLOE_OK) {
            reply_status(r, &err, NULL);
            return;
        }
        json_t *o = json_object();
        json_object_set_new(o, "process-id", json_integer(pid));
        json_object_set_new(o, "status", json_string("canceled"));
        reply_json(r, 200, o);
        return;
    }
    json_t *out = NULL;
    if (server_opt_processes_json(r->srv->opt, catalog, &id, &out, &err) != FLOE_OK) {
        reply_status(r, &err, NULL);
        return;
    }
    reply_json(r, 200, out);
}

static void route_api(http_req *r, const seg *segs, size_t n)
{
    server_opt *o = r->srv->opt;
    if (n == 2 && seg_is(segs[0], "optimizer")) {
        h_optimizer(r, segs[1]);
    } else if (n == 2 && seg_is(segs[0], "optimizing") && seg_is(segs[1], "tables")) {
        if (method_is(r, "GET")) {
            reply_json(r, 200, server_opt_tables_json(o));
        }
    } else if (n == 6 && seg_is(segs[0], "optimizing") && seg_is(segs[1], "tables") &&
               seg_is(segs[5], "processes")) {
        if (method_is(r, "GET")) {
            h_table_processes(r, segs + 2, false);
        }
    } else if (n == 6 && seg_is(segs[0], "optimizing") && seg_is(segs[1], "tables") &&
               seg_is(segs[5], "cancel")) {
        if (method_is(r, "POST")) {
            h_table_processes(r, segs + 2, true);
        }
    } else if (n == 1 && seg_is(segs[0], "optimizer-groups")) {
        if (method_is(r, "GET")) {
            reply_json(r, 200, floe_opt_service_groups_json(server_opt_service(o)));
        }
    } else if (n == 1 && seg_is(segs[0], "optimizers")) {
        if (method_is(r, "GET")) {
            reply_json(r, 200, floe_opt_service_optimizers_json(server_opt_service(o)));
        }
    } else if (seg_is(segs[0], "maintenance") || seg_is(segs[0], "tables")) {
        mnt_api_handle(r); /* maintenance_routes.c */
    } else {
        reply_error(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
    }
}

/* ==== Entry ==== */

void rest_handle(http_req *r)
{
    r->content_type = "application/json";
    seg segs[PATH_SEGMENTS_MAX];
    size_t n = 0;
    const char *p = r->path;
    if (*p != '/') {
        reply_error(r, 400, "BadRequestException", "path must start with /");
        return;
    }
    p++;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (n == PATH_SEGMENTS_MAX) {
            reply_error(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
            return;
        }
        segs[n++] = (seg){p, len};
        p += len + (slash != NULL ? 1 : 0);
        if (slash != NULL && *p == '\0') {
            segs[n++] = (seg){p, 0}; /* a trailing slash is an empty segment */
            break;
        }
    }
    if (n == 1 && seg_is(segs[0], "health")) {
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            http_add_header(r, "Allow", "GET, HEAD");
            reply_error(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
            return;
        }
        h_health(r);
        return;
    }
    if (n >= 3 && seg_is(segs[0], "api") && seg_is(segs[1], "v1")) {
        if (authorize(r)) {
            route_api(r, segs + 2, n - 2);
        }
        return;
    }
    if (n < 2 || !seg_is(segs[0], "v1")) {
        reply_error(r, 404, "NotFoundException", "no route for %s %s", r->method, r->path);
        return;
    }
    if (n == 3 && seg_is(segs[1], "oauth") && seg_is(segs[2], "tokens")) {
        if (strcmp(r->method, "POST") != 0) {
            http_add_header(r, "Allow", "POST");
            reply_error(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
            return;
        }
        h_token(r);
        return;
    }
    if (!authorize(r)) {
        return;
    }
    if (n == 2 && seg_is(segs[1], "config")) {
        if (strcmp(r->method, "GET") != 0) {
            http_add_header(r, "Allow", "GET");
            reply_error(r, 405, "BadRequestException", "method %s is not allowed here", r->method);
            return;
        }
        h_config(r);
        return;
    }
    floe_catalog *cat = r->srv->catalogs[0];
    size_t first = 1;
    if (n >= 3 && seg_is(segs[1], "catalogs")) {
        char *name = NULL;
        floe_err err = {0};
        if (floe_rest_decode(r->a, segs[2].p, segs[2].len, &name, NULL, &err) != FLOE_OK) {
            reply_error(r, 400, "BadRequestException", "catalog: %s", err.msg);
            return;
        }
        cat = server_catalog(r->srv, name);
        if (cat == NULL) {
            reply_error(r, 404, "NoSuchWarehouseException", "catalog %s does not exist", name);
            return;
        }
        first = 3;
    }
    route_rest(r, cat, segs + first, n - first);
}

/* ==== Namespaces ==== */

static const char *catname(route_args *ra)
{
    return floe_catalog_name(ra->cat);
}

static void h_ns_list(http_req *r, route_args *ra)
{
    floe_page page;
    bool paging = false;
    if (!parse_page(r, &page, &paging)) {
        return;
    }
    floe_namespace parent = {NULL, 0};
    const char *raw = http_query(r, "parent");
    floe_err err = {0};
    if (raw != NULL && raw[0] != '\0' &&
        floe_rest_parse_namespace(r->a, raw, strlen(raw), &parent, &err) != FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "parent: %s", err.msg);
        return;
    }
    floe_namespace *list = NULL;
    size_t n = 0;
    const char *next = NULL;
    if (floe_store_namespace_list(r->srv->store, r->a, catname(ra), &parent, &page, &list, &n,
                                  &next, &err) != FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_namespace(&list[i]));
    }
    json_t *resp = json_object();
    json_object_set_new(resp, "namespaces", arr);
    set_next_token(r, resp, paging, next);
    reply_json(r, 200, resp);
}

static void h_ns_create(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_namespace ns;
    floe_kv *props = NULL;
    size_t nprops = 0;
    if (namespace_from_json(r, json_object_get(body, "namespace"), "namespace", &ns) &&
        props_from_json(r, json_object_get(body, "properties"), "properties", &props, &nprops)) {
        floe_err err = {0};
        if (floe_store_namespace_create(r->srv->store, catname(ra), &ns, props, nprops, &err) !=
            FLOE_OK) {
            reply_status(r, &err,
                         err.code == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        } else {
            reply_json(r, 200,
                       json_pack("{s:o, s:o}", "namespace", json_namespace(&ns), "properties",
                                 json_props(props, nprops)));
        }
    }
    json_decref(body);
}

static void h_ns_load(http_req *r, route_args *ra)
{
    floe_kv *props = NULL;
    size_t n = 0;
    floe_err err = {0};
    if (floe_store_namespace_load(r->srv->store, r->a, catname(ra), &ra->ns, &props, &n, &err) !=
        FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o, s:o}", "namespace", json_namespace(&ra->ns), "properties",
                         json_props(props, n)));
}

static void h_ns_exists(http_req *r, route_args *ra)
{
    floe_err err = {0};
    if (floe_store_namespace_load(r->srv->store, r->a, catname(ra), &ra->ns, NULL, NULL, &err) !=
        FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        return;
    }
    reply_empty(r, 204);
}

static void h_ns_drop(http_req *r, route_args *ra)
{
    floe_err err = {0};
    if (floe_store_namespace_drop(r->srv->store, catname(ra), &ra->ns, &err) != FLOE_OK) {
        reply_status(r, &err,
                     err.code == FLOE_ERR_NOT_FOUND  ? "NoSuchNamespaceException"
                     : err.code == FLOE_ERR_CONFLICT ? "NamespaceNotEmptyException"
                                                     : NULL);
        return;
    }
    reply_empty(r, 204);
}

static json_t *json_strings(const char *const *s, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(s[i]));
    }
    return arr;
}

static void h_ns_props(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_kv *updates = NULL;
    size_t n_updates = 0;
    json_t *rem = json_object_get(body, "removals");
    const char **removals = NULL;
    size_t n_removals = 0;
    bool ok = props_from_json(r, json_object_get(body, "updates"), "updates", &updates, &n_updates);
    if (ok && rem != NULL && !json_is_null(rem)) {
        if (!json_is_array(rem)) {
            bad_request(r, "removals must be an array of strings");
            ok = false;
        } else {
            n_removals = json_array_size(rem);
            removals = floe_arena_calloc(r->a, n_removals + 1, sizeof(char *));
            for (size_t i = 0; ok && i < n_removals; i++) {
                removals[i] = json_string_value(json_array_get(rem, i));
                if (removals[i] == NULL) {
                    bad_request(r, "removals must be an array of strings");
                    ok = false;
                }
            }
        }
    }
    if (ok) {
        floe_props_result res;
        floe_err err = {0};
        floe_status st =
            floe_store_namespace_update_props(r->srv->store, r->a, catname(ra), &ra->ns, updates,
                                              n_updates, removals, n_removals, &res, &err);
        if (st == FLOE_ERR_INVALID) {
            /* The specification answers a key in both lists with 422. */
            reply_error(r, 422, "UnprocessableEntityException", "%s", err.msg);
        } else if (st != FLOE_OK) {
            reply_status(r, &err, st == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        } else {
            reply_json(r, 200,
                       json_pack("{s:o, s:o, s:o}", "updated",
                                 json_strings(res.updated, res.n_updated), "removed",
                                 json_strings(res.removed, res.n_removed), "missing",
                                 json_strings(res.missing, res.n_missing)));
        }
    }
    json_decref(body);
}

/* ==== Tables and views ==== */

static const char *missing_type(floe_object_kind kind)
{
    return kind == FLOE_OBJECT_VIEW ? "NoSuchViewException" : "NoSuchTableException";
}

static void object_list(http_req *r, route_args *ra, floe_object_kind kind)
{
    floe_page page;
    bool paging = false;
    if (!parse_page(r, &page, &paging)) {
        return;
    }
    const char **names = NULL;
    size_t n = 0;
    const char *next = NULL;
    floe_err err = {0};
    if (floe_store_object_list(r->srv->store, r->a, catname(ra), kind, &ra->ns, &page, &names, &n,
                               &next, &err) != FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{s:o, s:s}", "namespace", json_namespace(&ra->ns), "name", names[i]));
    }
    json_t *resp = json_object();
    json_object_set_new(resp, "identifiers", arr);
    set_next_token(r, resp, paging, next);
    reply_json(r, 200, resp);
}

/* A strong ETag naming the metadata file and the representation asked for. */
static const char *etag_for(http_req *r, const char *metadata_location, const char *mode)
{
    char *key = floe_arena_sprintf(r->a, "%s\n%s", metadata_location, mode);
    uint64_t h = floe_xxh64(key, strlen(key), 0x666c6f65);
    return floe_arena_sprintf(r->a, "\"%016llx\"", (unsigned long long)h);
}

/* RFC 9110 If-None-Match: any listed tag (weak comparison) or "*". */
static bool etag_matches(const char *header, const char *etag)
{
    if (header == NULL) {
        return false;
    }
    size_t elen = strlen(etag);
    const char *p = header;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        }
        if (*p == '*') {
            return true;
        }
        if (p[0] == 'W' && p[1] == '/') {
            p += 2;
        }
        const char *end = p;
        if (*end == '"') {
            end = strchr(end + 1, '"');
            end = end != NULL ? end + 1 : p + strlen(p);
        } else {
            while (*end != '\0' && *end != ',') {
                end++;
            }
        }
        if ((size_t)(end - p) == elen && memcmp(p, etag, elen) == 0) {
            return true;
        }
        if (end == p) {
            break;
        }
        p = end;
    }
    return false;
}

/* {"metadata-location": ..., "metadata": <the file as it is>, "config": {}} */
static void reply_loaded(http_req *r, const char *location, floe_str json)
{
    r->status = 200;
    r->content_type = "application/json";
    floe_buf_reset(&r->resp);
    floe_buf_reserve(&r->resp, json.len + strlen(location) + 64, NULL);
    floe_buf_append_str(&r->resp, "{\"metadata-location\":", NULL);
    append_json_string(&r->resp, location);
    floe_buf_append_str(&r->resp, ",\"metadata\":", NULL);
    floe_buf_append(&r->resp, json.ptr, json.len, NULL);
    floe_buf_append_str(&r->resp, ",\"config\":{}}", NULL);
}

static floe_ident ident_of(route_args *ra)
{
    floe_ident id = {ra->ns, ra->name};
    return id;
}

static void object_load(http_req *r, route_args *ra, floe_object_kind kind)
{
    const char *mode = "all";
    if (kind == FLOE_OBJECT_TABLE) {
        bool bad = false;
        const char *snapshots = query_arg(r, "snapshots", &bad);
        if (bad) {
            return;
        }
        if (snapshots != NULL && strcmp(snapshots, "all") != 0 && strcmp(snapshots, "refs") != 0) {
            bad_request(r, "snapshots must be all or refs");
            return;
        }
        /* refs is answered with every snapshot, which the specification allows. */
        mode = snapshots != NULL ? snapshots : "all";
    }
    floe_ident id = ident_of(ra);
    floe_err err = {0};
    floe_object_info info;
    if (floe_store_object_load(r->srv->store, r->a, catname(ra), kind, &id, &info, &err) !=
        FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? missing_type(kind) : NULL);
        return;
    }
    const char *etag = NULL;
    if (kind == FLOE_OBJECT_TABLE) {
        /* The ETag needs only the row, so an unchanged table costs no file read. */
        etag = etag_for(r, info.metadata_location, mode);
        http_add_header(r, "ETag", etag);
        if (etag_matches(http_header(r, "If-None-Match"), etag)) {
            reply_empty(r, 304);
            return;
        }
    }
    floe_str json;
    if (floe_catalog_read_metadata(ra->cat, r->a, info.metadata_location, &json, NULL, &err) !=
        FLOE_OK) {
        if (err.code == FLOE_ERR_NOT_FOUND) {
            /* The row points at a file that is gone: damage, reported as such. */
            char msg[FLOE_ERR_MSG_MAX];
            snprintf(msg, sizeof(msg), "%s", err.msg);
            floe_err_clear(&err);
            floe_err_set(&err, FLOE_ERR_CORRUPT, "%s", msg);
        }
        floe_err_wrap(&err, "load %s %s", floe_object_kind_name(kind),
                      floe_ident_display(r->a, &id));
        reply_status(r, &err, NULL);
        return;
    }
    reply_loaded(r, info.metadata_location, json);
}

static void object_exists(http_req *r, route_args *ra, floe_object_kind kind)
{
    floe_ident id = ident_of(ra);
    floe_err err = {0};
    if (floe_store_object_load(r->srv->store, r->a, catname(ra), kind, &id, NULL, &err) !=
        FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? missing_type(kind) : NULL);
        return;
    }
    reply_empty(r, 204);
}

static void object_drop(http_req *r, route_args *ra, floe_object_kind kind)
{
    bool purge = false;
    if (kind == FLOE_OBJECT_TABLE && !query_bool(r, "purgeRequested", &purge)) {
        return;
    }
    floe_ident id = ident_of(ra);
    floe_err err = {0};
    floe_purge_stats ps;
    if (floe_catalog_object_drop(ra->cat, r->a, kind, &id, purge, &ps, &err) != FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? missing_type(kind) : NULL);
        return;
    }
    const char *display = floe_ident_display(r->a, &id);
    if (purge && ps.purged) {
        FLOE_LOG_INFO("rest", "dropped %s %s and purged %zu file(s)%s", floe_object_kind_name(kind),
                      display, ps.files_deleted,
                      ps.delete_failures > 0 ? " (some could not be deleted)" : "");
    } else if (purge) {
        FLOE_LOG_WARN("rest", "dropped %s %s but left its files: %s", floe_object_kind_name(kind),
                      display, ps.skipped_reason);
    }
    reply_empty(r, 204);
}

/* {"namespace": [...], "name": "..."} */
static bool ident_from_json(http_req *r, json_t *v, const char *field, floe_ident *out)
{
    if (!json_is_object(v)) {
        reply_error(r, 400, "BadRequestException", "%s must be an object with namespace and name",
                    field);
        return false;
    }
    if (!namespace_from_json(r, json_object_get(v, "namespace"), field, &out->ns)) {
        return false;
    }
    json_t *name = json_object_get(v, "name");
    floe_err err = {0};
    if (!json_is_string(name) ||
        floe_ident_check_name(json_string_value(name), json_string_length(name), &err) != FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "%s.name: %s", field,
                    err.msg[0] != '\0' ? err.msg : "must be a string");
        return false;
    }
    out->name = floe_arena_strdup(r->a, json_string_value(name));
    return true;
}

static void object_rename(http_req *r, route_args *ra, floe_object_kind kind)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_ident from, to;
    if (ident_from_json(r, json_object_get(body, "source"), "source", &from) &&
        ident_from_json(r, json_object_get(body, "destination"), "destination", &to)) {
        floe_err err = {0};
        floe_missing miss = FLOE_MISSING_NONE;
        if (floe_catalog_object_rename(ra->cat, kind, &from, &to, &miss, &err) != FLOE_OK) {
            reply_status(r, &err,
                         miss == FLOE_MISSING_NAMESPACE ? "NoSuchNamespaceException"
                         : miss == FLOE_MISSING_OBJECT  ? missing_type(kind)
                                                        : NULL);
        } else {
            reply_empty(r, 204);
        }
    }
    json_decref(body);
}

static void h_table_list(http_req *r, route_args *ra)
{
    object_list(r, ra, FLOE_OBJECT_TABLE);
}

static void h_table_load(http_req *r, route_args *ra)
{
    object_load(r, ra, FLOE_OBJECT_TABLE);
}

static void h_table_exists(http_req *r, route_args *ra)
{
    object_exists(r, ra, FLOE_OBJECT_TABLE);
}

static void h_table_drop(http_req *r, route_args *ra)
{
    object_drop(r, ra, FLOE_OBJECT_TABLE);
}

static void h_table_rename(http_req *r, route_args *ra)
{
    object_rename(r, ra, FLOE_OBJECT_TABLE);
}

static void h_view_list(http_req *r, route_args *ra)
{
    object_list(r, ra, FLOE_OBJECT_VIEW);
}

static void h_view_load(http_req *r, route_args *ra)
{
    object_load(r, ra, FLOE_OBJECT_VIEW);
}

static void h_view_exists(http_req *r, route_args *ra)
{
    object_exists(r, ra, FLOE_OBJECT_VIEW);
}

static void h_view_drop(http_req *r, route_args *ra)
{
    object_drop(r, ra, FLOE_OBJECT_VIEW);
}

static void h_view_rename(http_req *r, route_args *ra)
{
    object_rename(r, ra, FLOE_OBJECT_VIEW);
}

static void h_table_register(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    json_t *name = json_object_get(body, "name");
    json_t *loc = json_object_get(body, "metadata-location");
    json_t *ow = json_object_get(body, "overwrite");
    floe_err err = {0};
    if (!json_is_string(name) || !json_is_string(loc) ||
        (ow != NULL && !json_is_boolean(ow) && !json_is_null(ow))) {
        bad_request(r, "expected {\"name\": string, \"metadata-location\": string, "
                       "\"overwrite\": boolean}");
    } else if (floe_ident_check_name(json_string_value(name), json_string_length(name), &err) !=
               FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "name: %s", err.msg);
    } else if (strlen(json_string_value(loc)) != json_string_length(loc)) {
        bad_request(r, "metadata-location contains NUL");
    } else {
        floe_ident id = {ra->ns, floe_arena_strdup(r->a, json_string_value(name))};
        const char *location = floe_arena_strdup(r->a, json_string_value(loc));
        floe_loaded_object lo;
        floe_status st =
            floe_catalog_table_register(ra->cat, r->a, &id, location, json_is_true(ow), &lo, &err);
        if (st != FLOE_OK) {
            reply_status(r, &err, st == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        } else {
            http_add_header(r, "ETag", etag_for(r, lo.info.metadata_location, "all"));
            reply_loaded(r, lo.info.metadata_location, lo.metadata_json);
        }
    }
    json_decref(body);
}

static void h_table_metrics(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_ident id = ident_of(ra);
    floe_err err = {0};
    const char *type = json_string_value(json_object_get(body, "report-type"));
    if (type == NULL) {
        bad_request(r, "report-type must be a string (scan-report or commit-report)");
    } else if (floe_store_object_load(r->srv->store, r->a, catname(ra), FLOE_OBJECT_TABLE, &id,
                                      NULL, &err) != FLOE_OK) {
        reply_status(r, &err, err.code == FLOE_ERR_NOT_FOUND ? "NoSuchTableException" : NULL);
    } else {
        json_t *snap = json_object_get(body, "snapshot-id");
        char snap_s[32] = "";
        if (json_is_integer(snap)) {
            snprintf(snap_s, sizeof(snap_s), "%lld", (long long)json_integer_value(snap));
        }
        const char *kv[] = {
            "catalog",     catname(ra), "table",       floe_ident_display(r->a, &id),
            "report_type", type,        "snapshot_id", snap_s};
        floe_log_kv(FLOE_LOG_INFO, "metrics", kv, FLOE_ARRAY_LEN(kv), "metrics report");
        reply_empty(r, 204);
    }
    json_decref(body);
}

/* ==== Create, commit, transactions ==== */

/*
 * The answer to a failed commit. Java clients read any 5xx from a commit route as "state
 * unknown" and then never clean up, so a 5xx is only sent when that is the truth
 * (FLOE_ERR_STATE_UNKNOWN); a commit that certainly failed for any server-side reason is a 409,
 * which makes the client refresh and retry.
 */
static void reply_commit_error(http_req *r, const floe_err *err, const char *missing)
{
    floe_status st = err->code != FLOE_OK ? err->code : FLOE_ERR_INTERNAL;
    switch (st) {
    case FLOE_ERR_INVALID:
    case FLOE_ERR_USAGE:
    case FLOE_ERR_TOO_BIG:
    case FLOE_ERR_UNSUPPORTED:
        reply_error(r, 400, "BadRequestException", "%s", err->msg);
        break;
    case FLOE_ERR_NOT_FOUND:
        reply_error(r, 404, missing, "%s", err->msg);
        break;
    case FLOE_ERR_STATE_UNKNOWN:
        reply_error(r, 500, "CommitStateUnknownException", "%s", err->msg);
        break;
    case FLOE_ERR_AUTH:
    case FLOE_ERR_FORBIDDEN:
        reply_status(r, err, NULL);
        break;
    default:
        if (st != FLOE_ERR_CONFLICT) {
            FLOE_LOG_WARN("rest", "%s %s failed, nothing was committed: %s", r->method, r->path,
                          err->msg);
        }
        reply_error(r, 409, "CommitFailedException", "%s", err->msg);
        break;
    }
}

/* {"metadata-location", "metadata", ["config": {}]} with the metadata text embedded. */
static void reply_table(http_req *r, const floe_table_version *v, bool with_config)
{
    r->status = 200;
    r->content_type = "application/json";
    floe_buf_reset(&r->resp);
    floe_buf_reserve(&r->resp, v->metadata_json.len + 256, NULL);
    floe_buf_append_str(&r->resp, "{\"metadata-location\":", NULL);
    if (v->metadata_location != NULL) {
        append_json_string(&r->resp, v->metadata_location);
        http_add_header(r, "ETag", etag_for(r, v->metadata_location, "all"));
    } else {
        floe_buf_append_str(&r->resp, "null", NULL);
    }
    floe_buf_append_str(&r->resp, ",\"metadata\":", NULL);
    floe_buf_append(&r->resp, v->metadata_json.ptr, v->metadata_json.len, NULL);
    floe_buf_append_str(&r->resp, with_config ? ",\"config\":{}}" : "}", NULL);
}

static void h_table_create(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_ice_create_opts opts;
    floe_err err = {0};
    if (floe_ice_create_request_from_json(r->a, body, &opts, &err) != FLOE_OK) {
        reply_error(r, 400, "BadRequestException", "%s", err.msg);
    } else if (floe_ident_check_name(opts.name, strlen(opts.name), &err) != FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "name: %s", err.msg);
    } else {
        floe_ident id = {ra->ns, opts.name};
        floe_table_version v;
        floe_status st = floe_catalog_create_table(ra->cat, r->a, &id, &opts, &v, &err);
        if (st == FLOE_ERR_NOT_FOUND) {
            reply_status(r, &err, "NoSuchNamespaceException");
        } else if (st == FLOE_ERR_UNSUPPORTED) {
            reply_error(r, 400, "BadRequestException", "%s", err.msg);
        } else if (st != FLOE_OK) {
            reply_status(r, &err, NULL);
        } else {
            reply_table(r, &v, true);
        }
    }
    json_decref(body);
}

static bool same_ident(const floe_ice_commit_request *cr, const floe_ident *id)
{
    if (cr->n_ns != id->ns.n || strcmp(cr->name, id->name) != 0) {
        return false;
    }
    for (size_t i = 0; i < cr->n_ns; i++) {
        if (strcmp(cr->ns[i], id->ns.levels[i]) != 0) {
            return false;
        }
    }
    return true;
}

static bool has_assert_create(const floe_ice_commit_request *cr)
{
    for (size_t i = 0; i < cr->n_reqs; i++) {
        if (cr->reqs[i].kind == FLOE_ICE_REQ_ASSERT_CREATE) {
            return true;
        }
    }
    return false;
}

static void h_table_commit(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_ice_commit_request cr;
    floe_err err = {0};
    floe_ident id = ident_of(ra);
    if (floe_ice_commit_request_from_json(r->a, body, &cr, &err) != FLOE_OK) {
        reply_error(r, 400, "BadRequestException", "%s", err.msg);
    } else if (cr.name != NULL && !same_ident(&cr, &id)) {
        bad_request(r, "the body's identifier names another table than the path");
    } else {
        floe_table_version v;
        if (floe_catalog_commit_updates(ra->cat, r->a, &id, cr.reqs, cr.n_reqs, cr.updates,
                                        cr.n_updates, &v, &err) != FLOE_OK) {
            reply_commit_error(r, &err,
                               has_assert_create(&cr) ? "NoSuchNamespaceException"
                                                      : "NoSuchTableException");
        } else {
            reply_table(r, &v, false);
        }
    }
    json_decref(body);
}

#define TRANSACTION_TABLES_MAX 1000

static void h_transactions(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    json_t *list = json_object_get(body, "table-changes");
    size_t n = json_array_size(list);
    floe_err err = {0};
    if (!json_is_array(list) || n == 0) {
        bad_request(r, "table-changes must be a non-empty array");
    } else if (n > TRANSACTION_TABLES_MAX) {
        reply_error(r, 400, "BadRequestException", "at most %d tables per transaction",
                    TRANSACTION_TABLES_MAX);
    } else {
        floe_table_change *changes = floe_arena_calloc(r->a, n, sizeof(*changes));
        bool ok = changes != NULL;
        for (size_t i = 0; ok && i < n; i++) {
            floe_ice_commit_request cr;
            json_t *item = json_array_get(list, i);
            if (floe_ice_commit_request_from_json(r->a, item, &cr, &err) != FLOE_OK) {
                reply_error(r, 400, "BadRequestException", "table-changes[%zu]: %s", i, err.msg);
                ok = false;
            } else if (cr.name == NULL) {
                reply_error(r, 400, "BadRequestException",
                            "table-changes[%zu]: identifier is required", i);
                ok = false;
            } else {
                floe_namespace ns = {(const char **)cr.ns, cr.n_ns};
                changes[i] = (floe_table_change){
                    {ns, cr.name}, cr.reqs, cr.n_reqs, cr.updates, cr.n_updates};
                if (floe_ident_check(&changes[i].id, &err) != FLOE_OK) {
                    reply_error(r, 400, "IllegalArgumentException", "table-changes[%zu]: %s", i,
                                err.msg);
                    ok = false;
                }
            }
        }
        size_t failed = 0;
        if (ok && floe_catalog_commit_transaction(ra->cat, r->a, changes, n, &failed, NULL, &err) !=
                      FLOE_OK) {
            floe_ice_commit_request cr;
            floe_err perr = {0};
            bool create = failed < n &&
                          floe_ice_commit_request_from_json(r->a, json_array_get(list, failed), &cr,
                                                            &perr) == FLOE_OK &&
                          has_assert_create(&cr);
            reply_commit_error(r, &err,
                               create ? "NoSuchNamespaceException" : "NoSuchTableException");
        } else if (ok) {
            reply_empty(r, 204);
        }
    }
    json_decref(body);
}

/* ==== Views: create, replace ==== */

static void reply_view(http_req *r, const floe_view_version *v)
{
    http_add_header(r, "ETag", etag_for(r, v->metadata_location, "all"));
    reply_loaded(r, v->metadata_location, v->metadata_json);
}

static void h_view_create(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    json_t *name = json_object_get(body, "name");
    floe_err err = {0};
    if (!json_is_string(name)) {
        bad_request(r, "name must be a string");
    } else if (floe_ident_check_name(json_string_value(name), json_string_length(name), &err) !=
               FLOE_OK) {
        reply_error(r, 400, "IllegalArgumentException", "name: %s", err.msg);
    } else {
        floe_ident id = {ra->ns, floe_arena_strdup(r->a, json_string_value(name))};
        floe_view_version v;
        floe_status st = floe_catalog_create_view(ra->cat, r->a, &id, body, &v, &err);
        if (st != FLOE_OK) {
            reply_status(r, &err, st == FLOE_ERR_NOT_FOUND ? "NoSuchNamespaceException" : NULL);
        } else {
            reply_view(r, &v);
        }
    }
    json_decref(body);
}

static void h_view_replace(http_req *r, route_args *ra)
{
    json_t *body = parse_body(r);
    if (body == NULL) {
        return;
    }
    floe_ident id = ident_of(ra);
    json_t *ident = json_object_get(body, "identifier");
    floe_ident named;
    bool ok = true;
    if (ident != NULL && !json_is_null(ident)) {
        ok = ident_from_json(r, ident, "identifier", &named);
        bool same = ok && named.ns.n == id.ns.n && strcmp(named.name, id.name) == 0;
        for (size_t i = 0; same && i < id.ns.n; i++) {
            same = strcmp(named.ns.levels[i], id.ns.levels[i]) == 0;
        }
        if (ok && !same) {
            bad_request(r, "the body's identifier names another view than the path");
            ok = false;
        }
    }
    json_t *reqs = json_object_get(body, "requirements");
    json_t *ups = json_object_get(body, "updates");
    if (ok &&
        (!json_is_array(ups) || (reqs != NULL && !json_is_null(reqs) && !json_is_array(reqs)))) {
        bad_request(r, "expected {\"requirements\": [...], \"updates\": [...]}");
        ok = false;
    }
    if (ok) {
        floe_err err = {0};
        floe_view_version v;
        if (floe_catalog_replace_view(ra->cat, r->a, &id, reqs, ups, &v, &err) != FLOE_OK) {
            reply_commit_error(r, &err, "NoSuchViewException");
        } else {
            reply_view(r, &v);
        }
    }
    json_decref(body);
}
