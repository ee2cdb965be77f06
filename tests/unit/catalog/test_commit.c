/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The catalog's Iceberg write path on SQLite with real files: create (plain and staged),
 * commit (changed, unchanged, failed requirement, bad update, missing table), assert-create,
 * multi-table transactions (all or nothing), the change listeners (one call per durable
 * change, none for failures, removable), and view metadata built and changed without I/O.
 * Every failure must leave no metadata file behind.
 */
#include "floe_test.h"

#include "catalog/catalog_int.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

typedef struct env {
    floe_store *store;
    floe_fileio *io;
    floe_catalog *cat;
    const char *wh;
} env;

static void open_env(floe_test_ctx *t, env *e)
{
    floe_err err = {0};
    floe_store_opts so = {.url = floe_test_tmp_path(t, "floe.db")};
    FLOE_ASSERT_OK(floe_store_open(&so, &e->store, &err), &err);
    e->io = floe_fileio_local_new(NULL);
    e->wh = floe_test_tmp_path(t, "wh");
    floe_kv props[] = {{"table.commit.retry.num-retries", "7"}};
    floe_catalog_def def = {
        .name = "main", .warehouse = e->wh, .properties = props, .n_properties = 1};
    FLOE_ASSERT_OK(floe_catalog_open(e->store, e->io, &def, &e->cat, &err), &err);
    const char *levels[] = {"db"};
    floe_namespace ns = {levels, 1};
    FLOE_ASSERT_OK(floe_store_namespace_create(e->store, "main", &ns, NULL, 0, &err), &err);
}

static void close_env(env *e)
{
    floe_catalog_close(e->cat);
    floe_fileio_free(e->io);
    floe_store_close(e->store);
}

/* ==== A listener that records what it hears ==== */

typedef struct heard {
    int n;
    floe_change_kind kinds[16];
    char names[16][32];
    char locations[16][512];
    char previous[16][512];
} heard;

static void record(void *ud, const floe_change *ch)
{
    heard *h = ud;
    if (h->n >= 16) {
        return;
    }
    h->kinds[h->n] = ch->kind;
    snprintf(h->names[h->n], sizeof(h->names[0]), "%s", ch->id->name);
    snprintf(h->locations[h->n], sizeof(h->locations[0]), "%s",
             ch->metadata_location != NULL ? ch->metadata_location : "");
    snprintf(h->previous[h->n], sizeof(h->previous[0]), "%s",
             ch->previous_location != NULL ? ch->previous_location : "");
    h->n++;
}

/* ==== Helpers ==== */

static const char SCHEMA[] = "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"id\","
                             "\"type\":\"long\",\"required\":true}]}";

static floe_status create(floe_test_ctx *t, env *e, const char *name, bool stage,
                          floe_table_version *out, floe_err *err)
{
    floe_err_clear(err); /* the first error wins: each call here starts clean */
    const char *body = floe_arena_sprintf(t->arena, "{\"name\":\"%s\",\"schema\":%s%s}", name,
                                          SCHEMA, stage ? ",\"stage-create\":true" : "");
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    floe_ice_create_opts opts;
    FLOE_ASSERT_OK(floe_ice_create_request_from_json(t->arena, j, &opts, err), err);
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, floe_arena_strdup(t->arena, name)};
    floe_status st = floe_catalog_create_table(e->cat, t->arena, &id, &opts, out, err);
    json_decref(j);
    return st;
}

/* Commit a CommitTableRequest body ({"requirements": [...], "updates": [...]}). */
static floe_status commit(floe_test_ctx *t, env *e, const char *name, const char *body,
                          floe_table_version *out, floe_err *err)
{
    floe_err_clear(err);
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    floe_ice_commit_request cr;
    FLOE_ASSERT_OK(floe_ice_commit_request_from_json(t->arena, j, &cr, err), err);
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, floe_arena_strdup(t->arena, name)};
    floe_status st = floe_catalog_commit_updates(e->cat, t->arena, &id, cr.reqs, cr.n_reqs,
                                                 cr.updates, cr.n_updates, out, err);
    json_decref(j);
    return st;
}

/* Metadata files of table `name` (0 when its directory does not exist). */
static int meta_files(floe_test_ctx *t, env *e, const char *name)
{
    DIR *d = opendir(floe_arena_sprintf(t->arena, "%s/db/%s/metadata", e->wh, name));
    int n = 0;
    if (d == NULL) {
        return 0;
    }
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
        n += floe_ends_with(de->d_name, ".metadata.json") ? 1 : 0;
    }
    closedir(d);
    return n;
}

/* ==== Tests ==== */

static void test_create_commit_and_listen(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    heard h = {0};
    floe_catalog_add_listener(e.cat, record, &h);
    floe_err err = {0};
    floe_table_version v0, v1, v2;

    FLOE_ASSERT_OK(create(t, &e, "t", false, &v0, &err), &err);
    assert_true(v0.created);
    assert_non_null(strstr(v0.metadata_location, "/db/t/metadata/00000-"));
    assert_string_equal(floe_table_meta_property(v0.meta, "commit.retry.num-retries"), "7");
    assert_int_equal(h.n, 1);
    assert_int_equal(h.kinds[0], FLOE_CHANGE_CREATE);
    assert_string_equal(h.locations[0], v0.metadata_location);
    FLOE_ASSERT_ERR(create(t, &e, "t", false, &v1, &err), FLOE_ERR_EXISTS, &err, "exists");

    FLOE_ASSERT_OK(commit(t, &e, "t",
                          "{\"requirements\":[{\"type\":\"assert-current-schema-id\","
                          "\"current-schema-id\":0}],\"updates\":[{\"action\":\"set-properties\","
                          "\"updates\":{\"a\":\"1\"}}]}",
                          &v1, &err),
                   &err);
    assert_true(v1.changed);
    assert_false(v1.created);
    assert_int_equal(v1.attempts, 1);
    assert_non_null(strstr(v1.metadata_location, "/metadata/00001-"));
    assert_string_equal(v1.previous_location, v0.metadata_location);
    assert_string_equal(floe_table_meta_property(v1.meta, "a"), "1");
    assert_int_equal(h.n, 2);
    assert_int_equal(h.kinds[1], FLOE_CHANGE_COMMIT);
    assert_string_equal(h.previous[1], v0.metadata_location);
    assert_int_equal(meta_files(t, &e, "t"), 2);

    /* Nothing to change: no file, no notification, the current version answered. */
    FLOE_ASSERT_OK(commit(t, &e, "t", "{\"requirements\":[],\"updates\":[]}", &v2, &err), &err);
    assert_false(v2.changed);
    assert_string_equal(v2.metadata_location, v1.metadata_location);
    assert_int_equal(v2.metadata_json.len, v1.metadata_json.len);

    /* Failures: no file, no notification, the table unchanged. */
    FLOE_ASSERT_ERR(commit(t, &e, "t",
                           "{\"requirements\":[{\"type\":\"assert-current-schema-id\","
                           "\"current-schema-id\":5}],\"updates\":[{\"action\":"
                           "\"set-properties\",\"updates\":{\"b\":\"1\"}}]}",
                           &v2, &err),
                    FLOE_ERR_CONFLICT, &err, NULL);
    FLOE_ASSERT_ERR(commit(t, &e, "t",
                           "{\"requirements\":[],\"updates\":[{\"action\":\"set-current-schema\","
                           "\"schema-id\":9}]}",
                           &v2, &err),
                    FLOE_ERR_INVALID, &err, NULL);
    FLOE_ASSERT_ERR(commit(t, &e, "nope", "{\"requirements\":[],\"updates\":[]}", &v2, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    FLOE_ASSERT_ERR(commit(t, &e, "t",
                           "{\"requirements\":[],\"updates\":[{\"action\":\"set-location\","
                           "\"location\":\"/elsewhere/t\"}]}",
                           &v2, &err),
                    FLOE_ERR_INVALID, &err, "warehouse");
    assert_int_equal(meta_files(t, &e, "t"), 2);
    assert_int_equal(h.n, 2);
    floe_table_version cur;
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, "t"};
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &id, &cur, &err), &err);
    assert_string_equal(cur.metadata_location, v1.metadata_location);

    /* A removed listener hears nothing more. */
    floe_catalog_remove_listener(e.cat, record, &h);
    FLOE_ASSERT_OK(commit(t, &e, "t",
                          "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\","
                          "\"updates\":{\"c\":\"1\"}}]}",
                          &v2, &err),
                   &err);
    assert_int_equal(h.n, 2);
    close_env(&e);
}

static void test_staged_create_and_assert_create(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    heard h = {0};
    floe_catalog_add_listener(e.cat, record, &h);
    floe_err err = {0};
    floe_table_version s, v;
    FLOE_ASSERT_OK(create(t, &e, "s", true, &s, &err), &err);
    assert_null(s.metadata_location);
    assert_non_null(s.meta);
    assert_int_equal(meta_files(t, &e, "s"), 0);
    assert_int_equal(h.n, 0);

    const char *body = floe_arena_sprintf(
        t->arena,
        "{\"requirements\":[{\"type\":\"assert-create\"}],\"updates\":["
        "{\"action\":\"assign-uuid\",\"uuid\":\"%s\"},"
        "{\"action\":\"upgrade-format-version\",\"format-version\":2},"
        "{\"action\":\"add-schema\",\"schema\":%s,\"last-column-id\":1},"
        "{\"action\":\"set-current-schema\",\"schema-id\":-1},"
        "{\"action\":\"add-spec\",\"spec\":{\"fields\":[]}},"
        "{\"action\":\"set-default-spec\",\"spec-id\":-1},"
        "{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,\"fields\":[]}},"
        "{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1},"
        "{\"action\":\"set-location\",\"location\":\"%s/db/s\"}]}",
        s.meta->table_uuid, SCHEMA, e.wh);
    FLOE_ASSERT_OK(commit(t, &e, "s", body, &v, &err), &err);
    assert_true(v.created);
    assert_string_equal(v.meta->table_uuid, s.meta->table_uuid);
    assert_non_null(strstr(v.metadata_location, "/db/s/metadata/00000-"));
    assert_int_equal(h.n, 1);
    assert_int_equal(h.kinds[0], FLOE_CHANGE_CREATE);
    /* Once it exists, assert-create fails as a requirement, and writes nothing. */
    FLOE_ASSERT_ERR(commit(t, &e, "s", body, &v, &err), FLOE_ERR_CONFLICT, &err, "exists");
    assert_int_equal(meta_files(t, &e, "s"), 1);
    /* assert-create with anything else is a bad request. */
    FLOE_ASSERT_ERR(commit(t, &e, "s2",
                           "{\"requirements\":[{\"type\":\"assert-create\"},{\"type\":"
                           "\"assert-current-schema-id\",\"current-schema-id\":0}],"
                           "\"updates\":[]}",
                           &v, &err),
                    FLOE_ERR_INVALID, &err, NULL);
    close_env(&e);
}

static void test_transaction_all_or_nothing(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    floe_table_version a0, b0;
    FLOE_ASSERT_OK(create(t, &e, "a", false, &a0, &err), &err);
    FLOE_ASSERT_OK(create(t, &e, "b", false, &b0, &err), &err);
    heard h = {0};
    floe_catalog_add_listener(e.cat, record, &h);

    const char *bodies[2] = {
        "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":"
        "{\"tx\":\"1\"}}]}",
        "{\"requirements\":[{\"type\":\"assert-default-spec-id\",\"default-spec-id\":7}],"
        "\"updates\":[{\"action\":\"set-properties\",\"updates\":{\"tx\":\"1\"}}]}"};
    const char *levels[] = {"db"};
    floe_table_change ch[2];
    json_t *js[2];
    for (int i = 0; i < 2; i++) {
        js[i] = json_loads(bodies[i], 0, NULL);
        floe_ice_commit_request cr;
        FLOE_ASSERT_OK(floe_ice_commit_request_from_json(t->arena, js[i], &cr, &err), &err);
        ch[i] = (floe_table_change){
            {{levels, 1}, i == 0 ? "a" : "b"}, cr.reqs, cr.n_reqs, cr.updates, cr.n_updates};
    }
    size_t failed = 99;
    floe_table_version out[2];
    FLOE_ASSERT_ERR(floe_catalog_commit_transaction(e.cat, t->arena, ch, 2, &failed, out, &err),
                    FLOE_ERR_CONFLICT, &err, NULL);
    assert_int_equal(failed, 1);
    assert_int_equal(meta_files(t, &e, "a"), 1); /* a's file was written, then deleted */
    assert_int_equal(meta_files(t, &e, "b"), 1);
    assert_int_equal(h.n, 0);

    /* Without the failing requirement both move, in one go, with one notification each. */
    ch[1].n_reqs = 0;
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_catalog_commit_transaction(e.cat, t->arena, ch, 2, &failed, out, &err),
                   &err);
    assert_true(out[0].changed && out[1].changed);
    assert_string_equal(out[0].previous_location, a0.metadata_location);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.kinds[0], FLOE_CHANGE_COMMIT);
    assert_int_equal(h.kinds[1], FLOE_CHANGE_COMMIT);

    /* The same table twice is refused before anything happens. */
    ch[1].id.name = "a";
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_catalog_commit_transaction(e.cat, t->arena, ch, 2, &failed, out, &err),
                    FLOE_ERR_INVALID, &err, "twice");
    for (int i = 0; i < 2; i++) {
        json_decref(js[i]);
    }
    close_env(&e);
}

/* ==== Views, without I/O ==== */

static const char VIEW_SCHEMA[] = "{\"type\":\"struct\",\"schema-id\":3,\"fields\":[{\"id\":1,"
                                  "\"name\":\"x\",\"type\":\"long\",\"required\":false}]}";

static json_t *view_version(const char *sql, int schema_id)
{
    return json_pack("{s:i, s:I, s:i, s:{}, s:[{s:s, s:s, s:s}], s:[s]}", "version-id", 9,
                     "timestamp-ms", (json_int_t)1700000000000, "schema-id", schema_id, "summary",
                     "representations", "type", "sql", "sql", sql, "dialect", "spark",
                     "default-namespace", "db");
}

static void test_view_metadata(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    json_t *req =
        json_pack("{s:o, s:o, s:{s:s}}", "schema", json_loads(VIEW_SCHEMA, 0, NULL), "view-version",
                  view_version("select 1", 3), "properties", "version.history.num-entries", "2");
    json_t *m = NULL;
    FLOE_ASSERT_OK(catalog_view_build(t->arena, req, "/wh/db/v", "u-1", &m, &err), &err);
    assert_int_equal(json_integer_value(json_object_get(m, "current-version-id")), 1);
    json_t *v1 = json_array_get(json_object_get(m, "versions"), 0);
    assert_int_equal(json_integer_value(json_object_get(v1, "schema-id")), 0);

    /* The same definition again reuses version 1; a new one gets 2, then 3 (1 expires). */
    json_t *ups = json_pack("[{s:s, s:o}, {s:s, s:i}]", "action", "add-view-version",
                            "view-version", view_version("select 1", 0), "action",
                            "set-current-view-version", "view-version-id", -1);
    FLOE_ASSERT_OK(catalog_view_apply(NULL, t->arena, m, NULL, ups, &err), &err);
    assert_int_equal(json_array_size(json_object_get(m, "versions")), 1);
    assert_int_equal(json_array_size(json_object_get(m, "version-log")), 1);
    json_decref(ups);
    for (int i = 2; i <= 3; i++) {
        ups = json_pack("[{s:s, s:o}, {s:s, s:i}]", "action", "add-view-version", "view-version",
                        view_version(i == 2 ? "select 2" : "select 3", 0), "action",
                        "set-current-view-version", "view-version-id", -1);
        FLOE_ASSERT_OK(catalog_view_apply(NULL, t->arena, m, NULL, ups, &err), &err);
        assert_int_equal(json_integer_value(json_object_get(m, "current-version-id")), i);
        json_decref(ups);
    }
    json_t *versions = json_object_get(m, "versions");
    assert_int_equal(json_array_size(versions), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(versions, 0), "version-id")),
                     2);

    /* Refusals. */
    static const char *const bad[] = {
        "[{\"action\":\"assign-uuid\",\"uuid\":\"u-2\"}]",
        "[{\"action\":\"upgrade-format-version\",\"format-version\":2}]",
        "[{\"action\":\"set-current-view-version\",\"view-version-id\":-1}]",
        "[{\"action\":\"set-current-view-version\",\"view-version-id\":42}]",
        "[{\"action\":\"add-view-version\",\"view-version\":{\"version-id\":1}}]",
        "[{\"action\":\"set-properties\",\"updates\":{\"a\":1}}]",
        "[{\"action\":\"add-snapshot\",\"snapshot\":{}}]",
        "[{\"action\":\"set-properties\",\"updates\":{\"version.history.num-entries\":\"0\"}}]",
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        json_t *u = json_loads(bad[i], 0, NULL);
        json_t *copy = json_deep_copy(m);
        floe_err e2 = {0};
        if (catalog_view_apply(NULL, t->arena, copy, NULL, u, &e2) != FLOE_ERR_INVALID) {
            fail_msg("update %zu was not refused as invalid: %s", i, e2.msg);
        }
        json_decref(copy);
        json_decref(u);
    }
    json_t *reqs = json_loads("[{\"type\":\"assert-view-uuid\",\"uuid\":\"u-9\"}]", 0, NULL);
    json_t *none = json_array();
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(catalog_view_apply(NULL, t->arena, m, reqs, none, &err), FLOE_ERR_CONFLICT,
                    &err, "UUID");
    json_decref(reqs);
    json_decref(none);
    json_decref(m);
    json_decref(req);
}

/* The Iceberg library commits to a catalog table through floe_catalog_ice_table. */
static void test_ice_table_adapter(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    floe_table_version v;
    FLOE_ASSERT_OK(create(t, &e, "t", false, &v, &err), &err);
    heard h = {0};
    floe_catalog_add_listener(e.cat, record, &h);
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, "t"};
    floe_ice_catalog ice;
    FLOE_ASSERT_OK(floe_catalog_ice_table(e.cat, t->arena, &id, &ice, &err), &err);
    /* Two writers apply on the same base; the second loses the swap and is re-applied. */
    floe_table_meta *base = NULL;
    FLOE_ASSERT_OK(ice.ops->load(ice.ctx, t->arena, &base, &err), &err);
    for (int i = 0; i < 2; i++) {
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
        floe_data_file f = {.content = FLOE_CONTENT_DATA,
                            .file_path =
                                floe_arena_sprintf(t->arena, "%s/db/t/data/f%d.parquet", e.wh, i),
                            .file_format = FLOE_FORMAT_PARQUET,
                            .partition = {.kind = FLOE_V_STRUCT},
                            .record_count = 10,
                            .file_size_in_bytes = 100};
        FLOE_ASSERT_OK(floe_ice_op_add_file(op, &f, &err), &err);
        floe_table_meta *after = NULL;
        if (i == 1) {
            /* Apply on the stale base first: the catalog refuses the outdated requirement. */
            floe_ice_op_result res;
            FLOE_ASSERT_OK(floe_ice_op_apply(op, t->arena, e.io, base, 5, &res, &err), &err);
            floe_table_meta *out = NULL;
            FLOE_ASSERT_ERR(ice.ops->commit(ice.ctx, t->arena, res.reqs, res.n_reqs, res.updates,
                                            res.n_updates, &out, &err),
                            FLOE_ERR_CONFLICT, &err, "");
        }
        FLOE_ASSERT_OK(floe_ice_op_commit(op, t->arena, &ice, &after, &err), &err);
        floe_ice_op_free(op);
        assert_int_equal(after->n_snapshots, (size_t)i + 1);
    }
    assert_int_equal(h.n, 2);
    assert_int_equal(h.kinds[0], FLOE_CHANGE_COMMIT);
    assert_string_equal(h.names[1], "t");
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &id, &v, &err), &err);
    const floe_snapshot *cur = floe_table_meta_current_snapshot(v.meta);
    bool found = false;
    for (size_t i = 0; i < cur->n_summary; i++) {
        if (strcmp(cur->summary[i].key, "total-data-files") == 0) {
            assert_string_equal(cur->summary[i].value, "2");
            found = true;
        }
    }
    assert_true(found);
    floe_catalog_remove_listener(e.cat, record, &h);
    close_env(&e);
}

/* ==== The commit lock against a stream of writers ==== */

typedef struct stream {
    env *e;
    const floe_ident *id;
    atomic_bool stop;
    atomic_int commits;
    int failures;
} stream;

static floe_data_file small_file(floe_arena *a, const char *wh, const char *name)
{
    return (floe_data_file){.content = FLOE_CONTENT_DATA,
                            .file_path =
                                floe_arena_sprintf(a, "%s/db/busy/data/%s.parquet", wh, name),
                            .file_format = FLOE_FORMAT_PARQUET,
                            .partition = {.kind = FLOE_V_STRUCT},
                            .record_count = 1,
                            .file_size_in_bytes = 100};
}

/* A writer appending one file after another until told to stop. */
static void *stream_writer(void *arg)
{
    stream *s = arg;
    static atomic_int next;
    while (!atomic_load(&s->stop)) {
        floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
        floe_err err = {0};
        floe_ice_catalog ice;
        floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
        floe_data_file f =
            small_file(a, s->e->wh, floe_arena_sprintf(a, "w%d", atomic_fetch_add(&next, 1)));
        floe_status st = floe_catalog_ice_table(s->e->cat, a, s->id, &ice, &err);
        if (st == FLOE_OK) {
            st = floe_ice_op_add_file(op, &f, &err);
        }
        if (st == FLOE_OK) {
            st = floe_ice_op_commit(op, a, &ice, NULL, &err);
        }
        if (st == FLOE_OK) {
            atomic_fetch_add(&s->commits, 1);
        } else {
            s->failures++;
        }
        floe_ice_op_free(op);
        floe_arena_free(a);
    }
    return NULL;
}

/* The catalog's adapter with a slow load (a rewrite reading and rebuilding a lot). */
typedef struct slow {
    floe_ice_catalog inner;
    int loads, commits;
} slow;

static floe_status slow_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    slow *s = ctx;
    s->loads++;
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    return s->inner.ops->load(s->inner.ctx, a, out, err);
}

static floe_status slow_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                               size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                               floe_table_meta **out, floe_err *err)
{
    slow *s = ctx;
    s->commits++;
    return s->inner.ops->commit(s->inner.ctx, a, reqs, n_reqs, ups, n_ups, out, err);
}

static void slow_serialize(void *ctx, bool on)
{
    slow *s = ctx;
    s->inner.ops->serialize(s->inner.ctx, on);
}

static const floe_ice_catalog_ops SLOW = {
    .load = slow_load, .commit = slow_commit, .serialize = slow_serialize};

/* Two threads append back to back while a commit that takes 200 ms to rebuild is made: it
 * loses its first race, then holds the table's commit lock and lands on its second attempt
 * (without the lock it loses every race until its retries run out). Every append is kept. */
static void test_commit_lock_against_writers(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    floe_table_version v;
    FLOE_ASSERT_OK(create(t, &e, "busy", false, &v, &err), &err);
    FLOE_ASSERT_OK(
        commit(t, &e, "busy",
               "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":{"
               "\"commit.retry.num-retries\":\"5\","
               "\"commit.retry.min-wait-ms\":\"1\","
               "\"commit.retry.max-wait-ms\":\"5\"}}]}",
               &v, &err),
        &err);
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, "busy"};
    stream s = {.e = &e, .id = &id};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, stream_writer, &s), 0);
    }
    while (atomic_load(&s.commits) < 3) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    slow sl = {0};
    FLOE_ASSERT_OK(floe_catalog_ice_table(e.cat, t->arena, &id, &sl.inner, &err), &err);
    floe_ice_catalog cat = {.ops = &SLOW, .ctx = &sl, .io = e.io};
    floe_ice_op *op = floe_ice_op_new(FLOE_ICE_OP_FAST_APPEND);
    floe_data_file mine = small_file(t->arena, e.wh, "mine");
    FLOE_ASSERT_OK(floe_ice_op_add_file(op, &mine, &err), &err);
    int before = atomic_load(&s.commits);
    floe_status st = floe_ice_op_commit(op, t->arena, &cat, NULL, &err);
    int during = atomic_load(&s.commits) - before;
    floe_ice_op_free(op);
    atomic_store(&s.stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    FLOE_ASSERT_OK(st, &err);
    assert_true(during >= 1); /* the writers did race it */
    assert_true(sl.commits <= 2);
    assert_int_equal(s.failures, 0);
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &id, &v, &err), &err);
    const floe_snapshot *cur = floe_table_meta_current_snapshot(v.meta);
    const char *want = floe_arena_sprintf(t->arena, "%d", atomic_load(&s.commits) + 1);
    bool found = false;
    for (size_t i = 0; i < cur->n_summary; i++) {
        if (strcmp(cur->summary[i].key, "total-data-files") == 0) {
            assert_string_equal(cur->summary[i].value, want);
            found = true;
        }
    }
    assert_true(found);
    close_env(&e);
}

FLOE_TEST_GROUP(commit)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_commit_and_listen, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_staged_create_and_assert_create, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_all_or_nothing, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_view_metadata, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_commit_lock_against_writers, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ice_table_adapter, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("commit", tests, NULL, NULL);
}
