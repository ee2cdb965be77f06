/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A table in an Iceberg REST catalog as a floe_ice_catalog: load is `GET .../tables/{name}`,
 * the swap is `POST .../tables/{name}` with the commit's requirements and updates, and the
 * catalog does the compare-and-swap. HTTP through libcurl, one easy handle per request (commits
 * are rare; connection reuse is not worth the shared state).
 *
 * What a failed request means decides whether the commit's files may be deleted: a request that
 * never reached the server (no connection) or that the server refused (4xx) did not commit; a
 * 500/502/503/504 answer to a commit, or a connection lost after the request was sent, may have
 * committed, so it is FLOE_ERR_STATE_UNKNOWN and the caller keeps its files (Java's
 * CommitStateUnknownException).
 */
#include "ops_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A loadTable answer carries the whole metadata JSON; refuse answers past this. */
#define REST_RESPONSE_MAX ((size_t)256 << 20)
#define REST_TIMEOUT_MS_DEFAULT 30000L

typedef struct rest_table {
    char *base;       /* "<uri>/v1/<prefix>/" or "<uri>/v1/" */
    char *table_path; /* "namespaces/<ns>/tables/<name>", escaped */
    char *auth;       /* "Authorization: Bearer ..." or NULL */
    char **ns;        /* the identifier, for the commit body */
    size_t n_ns;
    char *name;
    long timeout_ms;
} rest_table;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* One HTTP exchange's outcome. */
typedef struct rest_reply {
    long status;      /* HTTP status; 0 when there was no answer */
    bool maybe_sent;  /* no answer, but the request may have reached the server */
    floe_buf body;    /* the answer's body */
    floe_status sink; /* the body writer's failure (too big) */
} rest_reply;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    rest_reply *r = ud;
    floe_err err = {0};
    r->sink = floe_buf_append(&r->body, p, size * n, &err);
    return r->sink == FLOE_OK ? size * n : 0;
}

/*
 * `method` `url` with an optional JSON body. FLOE_OK when an HTTP answer arrived, whatever its
 * status; otherwise an error naming the transport failure, with r->maybe_sent telling whether
 * the request may have been delivered.
 */
static floe_status http(const rest_table *t, const char *method, const char *url, const char *body,
                        rest_reply *r, floe_err *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "libcurl failed to initialise: %s",
                            curl_easy_strerror(curl_init_rc));
    }
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "libcurl: no handle");
    }
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "X-Client-Version: floe");
    if (t->auth != NULL) {
        h = curl_slist_append(h, t->auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "floe");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    CURLcode rc = curl_easy_perform(c);
    floe_status st = FLOE_OK;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    } else if (r->sink != FLOE_OK) {
        r->maybe_sent = true; /* answered, so delivered */
        st = floe_err_set(err, FLOE_ERR_TOO_BIG, "%s %s: answer larger than %zu bytes", method, url,
                          (size_t)REST_RESPONSE_MAX);
    } else {
        /* Failures before the request went out cannot have changed anything. */
        bool unsent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                      rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_URL_MALFORMAT ||
                      rc == CURLE_UNSUPPORTED_PROTOCOL;
        r->maybe_sent = !unsent;
        st = floe_err_set(err, unsent ? FLOE_ERR_UNAVAILABLE : FLOE_ERR_IO, "%s %s: %s", method,
                          url, curl_easy_strerror(rc));
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return st;
}

/* The status an HTTP error answer maps to (commit answers are handled by the caller). */
static floe_status status_code(long http_status)
{
    switch (http_status) {
    case 400:
    case 422:
        return FLOE_ERR_INVALID;
    case 401:
    case 419:
        return FLOE_ERR_AUTH;
    case 403:
        return FLOE_ERR_FORBIDDEN;
    case 404:
        return FLOE_ERR_NOT_FOUND;
    case 406:
        return FLOE_ERR_UNSUPPORTED;
    case 409:
        return FLOE_ERR_CONFLICT;
    case 413:
        return FLOE_ERR_TOO_BIG;
    case 503:
        return FLOE_ERR_UNAVAILABLE;
    default:
        return http_status >= 500 ? FLOE_ERR_IO : FLOE_ERR_INVALID;
    }
}

/* Record an error answer: the ErrorModel's type and message when the body has them. */
static floe_status answer_error(floe_status code, const char *what, const rest_reply *r,
                                floe_err *err)
{
    json_t *j = r->body.len ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *type = json_string_value(json_object_get(e, "type"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    floe_status st;
    if (msg != NULL) {
        st = floe_err_set(err, code, "%s: HTTP %ld %s: %s", what, r->status, type ? type : "", msg);
    } else {
        st = floe_err_set(err, code, "%s: HTTP %ld", what, r->status);
    }
    json_decref(j);
    return st;
}

static floe_status parse_body(const char *what, const rest_reply *r, json_t **out, floe_err *err)
{
    json_error_t je;
    *out = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return floe_err_set(err, FLOE_ERR_CORRUPT, "%s: the answer is not a JSON object: %s", what,
                            je.text);
    }
    return FLOE_OK;
}

/* A LoadTableResult (also the commit answer): its metadata, with metadata_location set. */
static floe_status load_result(floe_arena *a, const char *what, const rest_reply *r,
                               floe_table_meta **out, floe_err *err)
{
    json_t *j = NULL;
    floe_status st = parse_body(what, r, &j, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *loc = json_string_value(json_object_get(j, "metadata-location"));
    json_t *meta = json_object_get(j, "metadata");
    if (meta == NULL) {
        st = floe_err_set(err, FLOE_ERR_CORRUPT, "%s: the answer has no metadata", what);
    } else {
        st = floe_iceberg_metadata_from_json(a, meta, out, err);
        if (st == FLOE_OK) {
            (*out)->metadata_location = floe_arena_strdup(a, loc);
        } else {
            floe_err_wrap(err, "%s", what);
        }
    }
    json_decref(j);
    return st;
}

static floe_status rest_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    rest_table *t = ctx;
    char *url = floe_arena_sprintf(a, "%s%s", t->base, t->table_path);
    const char *what = url ? floe_arena_sprintf(a, "load table %s", url) : NULL;
    if (what == NULL) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "load table: the arena is exhausted");
    }
    rest_reply r = {0};
    floe_buf_init(&r.body, REST_RESPONSE_MAX);
    floe_status st = http(t, "GET", url, NULL, &r, err);
    if (st == FLOE_OK && r.status != 200) {
        st = answer_error(status_code(r.status), what, &r, err);
    } else if (st == FLOE_OK) {
        st = load_result(a, what, &r, out, err);
    }
    floe_buf_fini(&r.body);
    return st;
}

static floe_status rest_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                               size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                               floe_table_meta **out, floe_err *err)
{
    rest_table *t = ctx;
    floe_ice_commit_request req = {.ns = (const char *const *)t->ns,
                                   .n_ns = t->n_ns,
                                   .name = t->name,
                                   .reqs = reqs,
                                   .n_reqs = n_reqs,
                                   .updates = ups,
                                   .n_updates = n_ups};
    char *url = floe_arena_sprintf(a, "%s%s", t->base, t->table_path);
    const char *what = url ? floe_arena_sprintf(a, "commit to %s", url) : NULL;
    if (what == NULL) {
        /* Nothing was sent: the caller may delete the commit's files. */
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "commit: the arena is exhausted");
    }
    json_t *j = floe_ice_commit_request_to_json(&req);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (body == NULL) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "cannot serialise the commit request");
    }
    rest_reply r = {0};
    floe_buf_init(&r.body, REST_RESPONSE_MAX);
    floe_err herr = {0};
    floe_status st = http(t, "POST", url, body, &r, &herr);
    free(body);
    if (st != FLOE_OK) {
        if (r.maybe_sent) {
            st = floe_err_set(err, FLOE_ERR_STATE_UNKNOWN, "%s (the commit may have happened)",
                              herr.msg);
        } else {
            *err = herr;
        }
    } else if (r.status == 200) {
        floe_table_meta *m = NULL;
        floe_err perr = {0};
        if (load_result(a, what, &r, &m, &perr) != FLOE_OK) {
            /* The catalog said yes but its answer is unreadable: the caller must not treat the
             * commit as failed (and delete its files), nor use metadata it does not have. */
            st = floe_err_set(err, FLOE_ERR_STATE_UNKNOWN, "%s", perr.msg);
        } else if (out != NULL) {
            *out = m;
        }
    } else if (r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504) {
        st = answer_error(FLOE_ERR_STATE_UNKNOWN, what, &r, err);
    } else {
        st = answer_error(status_code(r.status), what, &r, err);
    }
    floe_buf_fini(&r.body);
    return st;
}

static const floe_ice_catalog_ops REST_OPS = {.load = rest_load, .commit = rest_commit};

/* Escape one path segment; NULL on allocation failure. Free with curl_free. */
static char *escape(const char *s)
{
    return curl_easy_escape(NULL, s, 0);
}

/* Ask GET /v1/config for the prefix (overrides win over defaults). *out is malloc'd or NULL. */
static floe_status config_prefix(rest_table *t, const char *uri, const char *warehouse, char **out,
                                 floe_err *err)
{
    *out = NULL;
    floe_buf url;
    floe_buf_init(&url, 0);
    floe_status st = floe_buf_printf(&url, err, "%s/v1/config", uri);
    if (st == FLOE_OK && warehouse != NULL) {
        char *w = escape(warehouse);
        st = w ? floe_buf_printf(&url, err, "?warehouse=%s", w)
               : floe_err_set(err, FLOE_ERR_INTERNAL, "out of memory");
        curl_free(w);
    }
    rest_reply r = {0};
    floe_buf_init(&r.body, (size_t)1 << 20);
    if (st == FLOE_OK) {
        st = http(t, "GET", floe_buf_cstr(&url), NULL, &r, err);
    }
    if (st == FLOE_OK && r.status != 200) {
        st = answer_error(status_code(r.status), "catalog config", &r, err);
    }
    json_t *j = NULL;
    if (st == FLOE_OK) {
        st = parse_body("catalog config", &r, &j, err);
    }
    if (st == FLOE_OK) {
        const char *p =
            json_string_value(json_object_get(json_object_get(j, "overrides"), "prefix"));
        if (p == NULL) {
            p = json_string_value(json_object_get(json_object_get(j, "defaults"), "prefix"));
        }
        *out = p ? floe_xstrdup(p) : NULL;
    }
    json_decref(j);
    floe_buf_fini(&r.body);
    floe_buf_fini(&url);
    return st;
}

/* "namespaces/<a>%1F<b>/tables/<name>" with every level escaped. */
static floe_status table_path(const floe_rest_table_opts *o, char **out, floe_err *err)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_status st = floe_buf_append_str(&b, "namespaces/", err);
    for (size_t i = 0; st == FLOE_OK && i <= o->n_ns; i++) {
        const char *part = i < o->n_ns ? o->ns[i] : o->name;
        char *e = escape(part);
        if (e == NULL) {
            st = floe_err_set(err, FLOE_ERR_INTERNAL, "out of memory");
            break;
        }
        const char *sep = i == 0 ? "" : i < o->n_ns ? "%1F" : "/tables/";
        st = floe_buf_printf(&b, err, "%s%s", sep, e);
        curl_free(e);
    }
    if (st == FLOE_OK) {
        *out = floe_buf_detach(&b, NULL);
    }
    floe_buf_fini(&b);
    return st;
}

floe_status floe_rest_table_open(floe_fileio *io, const floe_rest_table_opts *o,
                                 floe_ice_catalog *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    if (o == NULL || o->uri == NULL || o->uri[0] == '\0' || o->name == NULL || o->name[0] == '\0' ||
        o->n_ns == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "a REST table needs the catalog URI, a namespace and a name");
    }
    for (size_t i = 0; i < o->n_ns; i++) {
        if (o->ns[i] == NULL || o->ns[i][0] == '\0') {
            return floe_err_set(err, FLOE_ERR_INVALID, "empty namespace level");
        }
    }
    if (strncmp(o->uri, "http://", 7) != 0 && strncmp(o->uri, "https://", 8) != 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "catalog URI %s is not http:// or https://",
                            o->uri);
    }
    rest_table *t = floe_xcalloc(1, sizeof(*t));
    t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : REST_TIMEOUT_MS_DEFAULT;
    if (o->token != NULL) {
        size_t n = strlen(o->token) + 32;
        t->auth = floe_xmalloc(n);
        snprintf(t->auth, n, "Authorization: Bearer %s", o->token);
    }
    t->n_ns = o->n_ns;
    t->ns = floe_xcalloc(o->n_ns, sizeof(char *));
    for (size_t i = 0; i < o->n_ns; i++) {
        t->ns[i] = floe_xstrdup(o->ns[i]);
    }
    t->name = floe_xstrdup(o->name);
    *out = (floe_ice_catalog){.ops = &REST_OPS, .ctx = t, .io = io};

    size_t n = strlen(o->uri);
    while (n > 0 && o->uri[n - 1] == '/') {
        n--;
    }
    char *uri = floe_xstrndup(o->uri, n);
    char *prefix = o->prefix ? floe_xstrdup(o->prefix) : NULL;
    floe_status st = FLOE_OK;
    if (o->prefix == NULL) {
        st = config_prefix(t, uri, o->warehouse, &prefix, err);
    }
    if (st == FLOE_OK) {
        size_t len = strlen(uri) + (prefix ? strlen(prefix) : 0) + 8;
        t->base = floe_xmalloc(len);
        snprintf(t->base, len, "%s/v1/%s%s", uri, prefix ? prefix : "",
                 prefix && prefix[0] ? "/" : "");
        st = table_path(o, &t->table_path, err);
    }
    free(prefix);
    free(uri);
    if (st != FLOE_OK) {
        floe_rest_table_free(out);
    }
    return st;
}

void floe_rest_table_free(floe_ice_catalog *c)
{
    if (c == NULL || c->ctx == NULL) {
        return;
    }
    rest_table *t = c->ctx;
    free(t->base);
    free(t->table_path);
    free(t->auth);
    for (size_t i = 0; i < t->n_ns; i++) {
        free(t->ns[i]);
    }
    free(t->ns);
    free(t->name);
    free(t);
    c->ctx = NULL;
    c->ops = NULL;
}
