/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe_catalog_ice_open: a catalog table as a floe_ice_catalog whose commits land only on the
 * version last loaded. The motivating race: a tag created on a snapshot while an expiration of
 * that snapshot commits. Through floe_catalog_commit_updates the expiration is re-applied on
 * top of the tag and silently drops it; through the strict adapter it fails and the tag stays.
 */
#include "floe_test.h"

#include "floe/catalog.h"

#include <string.h>

typedef struct env {
    floe_store *store;
    floe_fileio *io;
    floe_catalog *cat;
    int changes; /* listener calls */
} env;

static void count_change(void *ud, const floe_change *ch)
{
    (void)ch;
    ((env *)ud)->changes++;
}

static const char SCHEMA[] = "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"id\","
                             "\"type\":\"long\",\"required\":true}]}";

static void open_env(floe_test_ctx *t, env *e)
{
    floe_err err = {0};
    floe_store_opts so = {.url = floe_test_tmp_path(t, "floe.db")};
    FLOE_ASSERT_OK(floe_store_open(&so, &e->store, &err), &err);
    e->io = floe_fileio_local_new(NULL);
    floe_catalog_def def = {.name = "main", .warehouse = floe_test_tmp_path(t, "wh")};
    FLOE_ASSERT_OK(floe_catalog_open(e->store, e->io, &def, &e->cat, &err), &err);
    const char *levels[] = {"db"};
    floe_namespace ns = {levels, 1};
    FLOE_ASSERT_OK(floe_store_namespace_create(e->store, "main", &ns, NULL, 0, &err), &err);
    floe_catalog_add_listener(e->cat, count_change, e);
}

static void close_env(env *e)
{
    floe_catalog_close(e->cat);
    floe_fileio_free(e->io);
    floe_store_close(e->store);
}

static floe_ident ident(floe_test_ctx *t, const char *name)
{
    const char **levels = floe_arena_calloc(t->arena, 1, sizeof(*levels));
    levels[0] = "db";
    return (floe_ident){{levels, 1}, floe_arena_strdup(t->arena, name)};
}

/* Commit a CommitTableRequest body through the REST path. */
static floe_status rest_commit(floe_test_ctx *t, env *e, const floe_ident *id, const char *body,
                               floe_err *err)
{
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    floe_ice_commit_request cr;
    FLOE_ASSERT_OK(floe_ice_commit_request_from_json(t->arena, j, &cr, err), err);
    floe_table_version v;
    floe_status st = floe_catalog_commit_updates(e->cat, t->arena, id, cr.reqs, cr.n_reqs,
                                                 cr.updates, cr.n_updates, &v, err);
    json_decref(j);
    return st;
}

/* A table with snapshots 1 <- 2 (main at 2); the manifest lists are never read here. */
static floe_ident make_table(floe_test_ctx *t, env *e, const char *name)
{
    floe_err err = {0};
    json_t *j = json_loads(
        floe_arena_sprintf(t->arena, "{\"name\":\"%s\",\"schema\":%s}", name, SCHEMA), 0, NULL);
    floe_ice_create_opts opts;
    FLOE_ASSERT_OK(floe_ice_create_request_from_json(t->arena, j, &opts, &err), &err);
    floe_ident id = ident(t, name);
    floe_table_version v;
    FLOE_ASSERT_OK(floe_catalog_create_table(e->cat, t->arena, &id, &opts, &v, &err), &err);
    json_decref(j);
    for (int s = 1; s <= 2; s++) {
        const char *body = floe_arena_sprintf(
            t->arena,
            "{\"requirements\":[],\"updates\":[{\"action\":\"add-snapshot\",\"snapshot\":{"
            "\"snapshot-id\":%d,%s\"sequence-number\":%d,\"timestamp-ms\":%d000,"
            "\"manifest-list\":\"/nowhere/snap-%d.avro\",\"summary\":{\"operation\":\"append\"},"
            "\"schema-id\":0}},{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\","
            "\"type\":\"branch\",\"snapshot-id\":%d}]}",
            s, s == 2 ? "\"parent-snapshot-id\":1," : "", s, s, s, s);
        FLOE_ASSERT_OK(rest_commit(t, e, &id, body, &err), &err);
    }
    return id;
}

static const char TAG_1[] = "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":"
                            "\"keep\",\"snapshot-id\":null}],\"updates\":[{\"action\":"
                            "\"set-snapshot-ref\",\"ref-name\":\"keep\",\"type\":\"tag\","
                            "\"snapshot-id\":1}]}";

static void test_strict_commit_keeps_a_concurrent_tag(void **state)
{
    floe_test_ctx *t = *state;
    env e = {0};
    open_env(t, &e);
    floe_err err = {0};

    /* The hazard, through the REST commit path: requirements pin main (unchanged), the
     * expiration is re-applied on top of the new tag, and the tag goes with snapshot 1. */
    floe_ident loose = make_table(t, &e, "loose");
    FLOE_ASSERT_OK(rest_commit(t, &e, &loose, TAG_1, &err), &err);
    FLOE_ASSERT_OK(rest_commit(t, &e, &loose,
                               "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":"
                               "\"main\",\"snapshot-id\":2}],\"updates\":[{\"action\":"
                               "\"remove-snapshots\",\"snapshot-ids\":[1]}]}",
                               &err),
                   &err);
    floe_table_version v;
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &loose, &v, &err), &err);
    assert_null(floe_table_meta_ref(v.meta, "keep")); /* lost */

    /* The same race through the strict adapter: the expiration fails, the tag stays. */
    floe_ident id = make_table(t, &e, "strict");
    floe_ice_catalog ic;
    FLOE_ASSERT_OK(floe_catalog_ice_open(e.cat, &id, &ic, &err), &err);
    floe_ice_requirement main2 = {.kind = FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID,
                                  .ref = "main",
                                  .has_snapshot_id = true,
                                  .snapshot_id = 2};
    int64_t one[] = {1};
    floe_ice_update expire = {
        .kind = FLOE_ICE_UP_REMOVE_SNAPSHOTS, .snapshot_ids = one, .n_snapshot_ids = 1};
    assert_int_equal(ic.ops->commit(ic.ctx, t->arena, &main2, 1, &expire, 1, NULL, &err),
                     FLOE_ERR_INVALID); /* no load yet */
    floe_err_clear(&err);
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(ic.ops->load(ic.ctx, t->arena, &m, &err), &err);
    assert_int_equal(m->n_snapshots, 2);
    FLOE_ASSERT_OK(rest_commit(t, &e, &id, TAG_1, &err), &err); /* the concurrent writer */
    int before = e.changes;
    assert_int_equal(ic.ops->commit(ic.ctx, t->arena, &main2, 1, &expire, 1, NULL, &err),
                     FLOE_ERR_CONFLICT);
    assert_int_equal(e.changes, before);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &id, &v, &err), &err);
    assert_non_null(floe_table_meta_ref(v.meta, "keep"));
    assert_int_equal(v.meta->n_snapshots, 2);

    /* Loaded again, a commit lands, is heard by listeners, and names the next version. */
    FLOE_ASSERT_OK(ic.ops->load(ic.ctx, t->arena, &m, &err), &err);
    floe_kv kv[] = {{"k", "v"}};
    floe_ice_update props = {.kind = FLOE_ICE_UP_SET_PROPERTIES, .updates = kv, .n_updates = 1};
    floe_table_meta *after = NULL;
    FLOE_ASSERT_OK(ic.ops->commit(ic.ctx, t->arena, &main2, 1, &props, 1, &after, &err), &err);
    assert_int_equal(e.changes, before + 1);
    FLOE_ASSERT_OK(floe_catalog_table_load(e.cat, t->arena, &id, &v, &err), &err);
    assert_string_equal(v.metadata_location, after->metadata_location);
    assert_string_equal(floe_table_meta_property(v.meta, "k"), "v");
    assert_non_null(strstr(v.metadata_location, "/00004-")); /* create, 2 snapshots, tag, this */
    /* A second commit right after the first needs no reload: it was the last version seen. */
    floe_kv kv2[] = {{"k", "w"}};
    props.updates = kv2;
    FLOE_ASSERT_OK(ic.ops->commit(ic.ctx, t->arena, NULL, 0, &props, 1, NULL, &err), &err);
    floe_catalog_ice_close(&ic);
    floe_catalog_ice_close(&ic); /* idempotent */
    close_env(&e);
}

FLOE_TEST_GROUP(ice_catalog)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_strict_commit_keeps_a_concurrent_tag, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
