/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Iceberg library's REST table (floe_rest_table_open) against a real floe server started in
 * this process: load, append commits, racing writers that retry through 409s, errors for a
 * missing table, bad credentials and an absent server; and against a fake catalog that answers
 * commits with 502, where the commit's files must be kept (the outcome is unknown).
 */
#include "floe_test.h"

#include "floe/iceberg.h"
#include "floe/server.h"

#include <curl/curl.h>
#include <dirent.h>
#include <microhttpd.h>
#include <pthread.h>
#include <string.h>

static const char *CREATE =
    "{\"name\":\"t\",\"schema\":{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"}]}}";

typedef struct srv {
    floe_server_config c; /* the server borrows it until floe_server_free */
    floe_server *s;
    char uri[64];
} srv;

/* POST `body` to `uri``path`; returns the HTTP status. */
static long post(const char *uri, const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", uri, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    fclose(devnull);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

/* A server on a free port with its data in the test's directory, namespace "db", table "t". */
static void srv_start(floe_test_ctx *t, srv *sv, bool auth)
{
    floe_server_config *c = &sv->c;
    floe_server_config_init(c);
    free(c->listen);
    c->listen = floe_xstrdup("127.0.0.1:0");
    free(c->data_dir);
    c->data_dir = floe_xstrdup(floe_test_tmp_path(t, "data"));
    floe_log_set_level(FLOE_LOG_ERROR);
    floe_err err = {0};
    if (auth) {
        char *hash = NULL;
        FLOE_ASSERT_OK(floe_server_hash_secret("s3cret", &hash, &err), &err);
        char yaml[512];
        snprintf(yaml, sizeof(yaml),
                 "auth:\n  enabled: true\n  clients:\n    - id: app\n      secret-hash: '%s'\n",
                 hash);
        free(hash);
        FLOE_ASSERT_OK(floe_server_config_parse(c, yaml, strlen(yaml), &err), &err);
    }
    FLOE_ASSERT_OK(floe_server_config_finish(c, &err), &err);
    FLOE_ASSERT_OK(floe_server_start(c, &sv->s, &err), &err);
    snprintf(sv->uri, sizeof(sv->uri), "http://127.0.0.1:%u", floe_server_port(sv->s));
    if (!auth) {
        assert_int_equal(post(sv->uri, "/v1/namespaces", "{\"namespace\":[\"db\"]}"), 200);
        assert_int_equal(post(sv->uri, "/v1/namespaces/db/tables", CREATE), 200);
    }
}

static void srv_stop(srv *sv)
{
    floe_server_free(sv->s);
    floe_server_config_fini(&sv->c);
}

static const char *const NS[] = {"db"};

static floe_status open_table(const char *uri, const char *name, const char *token, floe_fileio *io,
                              floe_ice_catalog *cat, floe_err *err)
{
    floe_rest_table_opts o = {.uri = uri, .ns = NS, .n_ns = 1, .name = name, .token = token};
    return floe_rest_table_open(io, &o, cat, err);
}

static floe_data_file data_file(floe_arena *a, const char *loc, int i, int64_t records)
{
    return (floe_data_file){.content = FLOE_CONTENT_DATA,
                            .file_path = floe_arena_sprintf(a, "%s/data/f%d.parquet", loc, i),
                            .file_format = FLOE_FORMAT_PARQUET,
                            .spec_id = 0,
                            .partition = {.kind = FLOE_V_STRUCT},
                            .record_count = records,
                            .file_size_in_bytes = 100 + records};
}

static floe_status append(floe_arena *a, floe_ice_catalog *cat, const char *loc, int i,
                          floe_table_meta **out, floe_err *err)
{
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_data_file f = data_file(a, loc, i, 10);
    floe_status st = floe_ice_op_add_file(op, &f, err);
    if (st == FLOE_OK) {
        st = floe_ice_op_commit(op, a, cat, out, err);
    }
    floe_ice_op_free(op);
    return st;
}

static const char *summary(const floe_table_meta *m, const char *key)
{
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t i = 0; s != NULL && i < s->n_summary; i++) {
        if (strcmp(s->summary[i].key, key) == 0) {
            return s->summary[i].value;
        }
    }
    return "(absent)";
}

static void test_load_and_append(void **state)
{
    floe_test_ctx *t = *state;
    srv sv;
    srv_start(t, &sv, false);
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_ice_catalog cat;
    floe_err err = {0};
    FLOE_ASSERT_OK(open_table(sv.uri, "t", NULL, io, &cat, &err), &err);
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(cat.ops->load(cat.ctx, t->arena, &m, &err), &err);
    assert_non_null(m->metadata_location);
    assert_null(floe_table_meta_current_snapshot(m));
    const char *loc = m->location;
    for (int i = 0; i < 3; i++) {
        FLOE_ASSERT_OK(append(t->arena, &cat, loc, i, &m, &err), &err);
    }
    assert_string_equal(summary(m, "total-records"), "30");
    assert_string_equal(summary(m, "total-data-files"), "3");
    /* The catalog's own view agrees: a fresh load sees the third append and its file. */
    floe_table_meta *again = NULL;
    FLOE_ASSERT_OK(cat.ops->load(cat.ctx, t->arena, &again, &err), &err);
    assert_string_equal(again->metadata_location, m->metadata_location);
    assert_int_equal(again->current_snapshot_id, m->current_snapshot_id);
    floe_scan_task *tasks = NULL;
    size_t n = 0;
    floe_scan_opts so = {0};
    FLOE_ASSERT_OK(floe_scan_collect(t->arena, io, again, &so, &tasks, &n, NULL, &err), &err);
    assert_int_equal(n, 3);

    /* A table that is not there. */
    floe_ice_catalog missing;
    FLOE_ASSERT_OK(open_table(sv.uri, "nope", NULL, io, &missing, &err), &err);
    FLOE_ASSERT_ERR(missing.ops->load(missing.ctx, t->arena, &m, &err), FLOE_ERR_NOT_FOUND, &err,
                    "NoSuchTableException");
    floe_err_clear(&err);
    floe_rest_table_free(&missing);
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    srv_stop(&sv);
}

typedef struct racer {
    const char *uri;
    const char *loc;
    int first;
    int n;
    floe_status st;
    floe_err err;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_ice_catalog cat;
    r->st = open_table(r->uri, "t", NULL, io, &cat, &r->err);
    for (int i = 0; r->st == FLOE_OK && i < r->n; i++) {
        floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
        r->st = append(a, &cat, r->loc, r->first + i, NULL, &r->err);
        floe_arena_free(a);
    }
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    return NULL;
}

/* Four writers append at once; 409s are retried and every append ends up in the table. */
static void test_racing_writers(void **state)
{
    floe_test_ctx *t = *state;
    srv sv;
    srv_start(t, &sv, false);
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_ice_catalog cat;
    floe_err err = {0};
    FLOE_ASSERT_OK(open_table(sv.uri, "t", NULL, io, &cat, &err), &err);
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(cat.ops->load(cat.ctx, t->arena, &m, &err), &err);
    /* Fast retries: the default minimum wait is 100 ms. */
    assert_int_equal(
        post(sv.uri, "/v1/namespaces/db/tables/t",
             "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":{"
             "\"commit.retry.min-wait-ms\":\"5\",\"commit.retry.num-retries\":"
             "\"50\"}}]}"),
        200);
    enum { WRITERS = 4, EACH = 5 };
    racer r[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        r[i] = (racer){.uri = sv.uri, .loc = m->location, .first = i * EACH, .n = EACH};
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        FLOE_ASSERT_OK(r[i].st, &r[i].err);
    }
    FLOE_ASSERT_OK(cat.ops->load(cat.ctx, t->arena, &m, &err), &err);
    char want[16];
    snprintf(want, sizeof(want), "%d", WRITERS * EACH * 10);
    assert_string_equal(summary(m, "total-records"), want);
    snprintf(want, sizeof(want), "%d", WRITERS * EACH);
    assert_string_equal(summary(m, "total-data-files"), want);
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    srv_stop(&sv);
}

/* Auth on: no token is 401 (FLOE_ERR_AUTH, with the catalog's message); a bad URI, no server. */
static void test_errors(void **state)
{
    floe_test_ctx *t = *state;
    srv sv;
    srv_start(t, &sv, true);
    floe_ice_catalog cat;
    floe_err err = {0};
    FLOE_ASSERT_ERR(open_table(sv.uri, "t", NULL, NULL, &cat, &err), FLOE_ERR_AUTH, &err, "401");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(open_table(sv.uri, "t", "forged", NULL, &cat, &err), FLOE_ERR_AUTH, &err,
                    "401");
    floe_err_clear(&err);
    srv_stop(&sv);
    /* The server is gone: nothing listens on its port any more. */
    FLOE_ASSERT_ERR(open_table(sv.uri, "t", NULL, NULL, &cat, &err), FLOE_ERR_UNAVAILABLE, &err,
                    NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(open_table("ftp://x", "t", NULL, NULL, &cat, &err), FLOE_ERR_INVALID, &err,
                    "http");
    floe_err_clear(&err);
    floe_rest_table_opts o = {.uri = sv.uri, .n_ns = 0, .name = "t"};
    FLOE_ASSERT_ERR(floe_rest_table_open(NULL, &o, &cat, &err), FLOE_ERR_INVALID, &err,
                    "namespace");
}

/* ---- A fake catalog: loads answer with a real table, commits with 502 ---- */

typedef struct fake {
    const char *load_body;
    int commits;
} fake;

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *data,
                                    size_t *size, void **con_cls)
{
    (void)url;
    (void)version;
    (void)data;
    fake *f = cls;
    if (*con_cls == NULL) {
        *con_cls = f; /* first call: headers only */
        return MHD_YES;
    }
    if (*size != 0) {
        *size = 0; /* swallow the body */
        return MHD_YES;
    }
    bool commit = strcmp(method, "POST") == 0;
    const char *body = commit ? "{\"error\":{\"message\":\"upstream went away\",\"type\":"
                                "\"ServiceFailureException\",\"code\":502}}"
                              : f->load_body;
    f->commits += commit;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, commit ? 502 : 200, r);
    MHD_destroy_response(r);
    return ret;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void test_unknown_commit_keeps_files(void **state)
{
    floe_test_ctx *t = *state;
    floe_arena *a = t->arena;
    floe_err err = {0};
    /* A real table's load answer, with its location in this test's directory. */
    const char *loc = floe_test_tmp_path(t, "tbl");
    json_t *schema = json_loads("{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,"
                                "\"name\":\"id\",\"required\":false,\"type\":\"long\"}]}",
                                0, NULL);
    const floe_ice_schema *s = NULL;
    FLOE_ASSERT_OK(floe_ice_schema_from_json(a, schema, &s, &err), &err);
    json_decref(schema);
    floe_ice_create_opts co = {.location = loc, .schema = s, .now_ms = 1000};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_ice_table_create(a, &co, &m, &err), &err);
    json_t *res = json_object();
    json_object_set_new(res, "metadata-location", json_string("/nowhere/v1.metadata.json"));
    json_object_set_new(res, "metadata", floe_table_meta_to_json(m));
    char *dump = json_dumps(res, JSON_COMPACT);
    fake f = {.load_body = floe_arena_strdup(a, dump)};
    free(dump);
    json_decref(res);

    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                            fake_handler, &f, MHD_OPTION_END);
    assert_non_null(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char uri[64];
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%u", info->port);

    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_ice_catalog cat;
    floe_rest_table_opts o = {.uri = uri, .prefix = "", .ns = NS, .n_ns = 1, .name = "t"};
    FLOE_ASSERT_OK(floe_rest_table_open(io, &o, &cat, &err), &err);
    FLOE_ASSERT_ERR(append(a, &cat, loc, 0, NULL, &err), FLOE_ERR_STATE_UNKNOWN, &err,
                    "upstream went away");
    assert_int_equal(f.commits, 1); /* an unknown outcome is not retried */
    /* The manifest and the manifest list stay: the commit may have referenced them. */
    assert_int_equal(count_files(floe_arena_sprintf(a, "%s/metadata", loc)), 2);
    floe_rest_table_free(&cat);
    floe_fileio_free(io);
    MHD_stop_daemon(d);
}

FLOE_TEST_GROUP(rest_table)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_and_append, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_racing_writers, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_errors, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_commit_keeps_files, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("rest_table", tests, NULL, NULL);
}
