/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Identifiers and the catalog operations layer on SQLite with real files: name checks, safe
 * path segments, default locations, reading metadata, register, and drop with purge (including
 * the cases where purge must leave files alone).
 */
#include "floe_test.h"

#include "floe/catalog.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void test_name_checks(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"db", true},
        {"ü-ñ 日本", true},
        {"..", true},
        {"a/b", true},
        {"", false},
        {"a\x1f"
         "b",
         false},
        {"tab\t", false},
        {"\x7f", false},
        {"\xc2\x85", false},
        {"\xff", false},
        {"\xc0\xaf", false},
        {"\xed\xa0\x80", false},
        {"\xf4\x90\x80\x80", false},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_err err = {0};
        floe_status st = floe_ident_check_name(cases[i].name, strlen(cases[i].name), &err);
        if ((st == FLOE_OK) != cases[i].ok) {
            fail_msg("name %zu: got %s (%s)", i, floe_status_name(st), err.msg);
        }
    }
    char big[FLOE_IDENT_NAME_MAX + 1];
    memset(big, 'a', sizeof(big));
    assert_int_equal(floe_ident_check_name(big, FLOE_IDENT_NAME_MAX, NULL), FLOE_OK);
    assert_int_equal(floe_ident_check_name(big, FLOE_IDENT_NAME_MAX + 1, NULL), FLOE_ERR_INVALID);
}

static void test_path_segments_stay_inside(void **state)
{
    floe_test_ctx *t = *state;
    assert_string_equal(floe_ident_path_segment(t->arena, "events_2024.v1"), "events_2024.v1");
    const char *hostile[] = {"..", ".", "a/b", "../../etc", "a\\b", "sp ace", "ü"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(hostile); i++) {
        const char *seg = floe_ident_path_segment(t->arena, hostile[i]);
        assert_null(strchr(seg, '/'));
        assert_null(strchr(seg, '\\'));
        assert_null(strchr(seg, '.'));
        assert_non_null(strchr(seg, '-'));
    }
    /* Distinct names never share a segment. */
    assert_string_not_equal(floe_ident_path_segment(t->arena, "a/b"),
                            floe_ident_path_segment(t->arena, "a\\b"));
}

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
    floe_kv props[] = {{"table.format-version", "2"}, {"owner", "ops"}, {"table.", "x"}};
    floe_catalog_def def = {
        .name = "main", .warehouse = e->wh, .properties = props, .n_properties = 3};
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

/* Write a metadata file for a table at `table_loc`; returns the file's location. */
static const char *write_meta(floe_test_ctx *t, const char *table_loc, int v)
{
    const char *file =
        floe_arena_sprintf(t->arena, "%s/metadata/%05d-x.metadata.json", table_loc, v);
    const char *json = floe_arena_sprintf(
        t->arena,
        "{\"format-version\":2,\"table-uuid\":\"2cba4850-d17d-46c0-b60c-cb827d9f50bb\","
        "\"location\":\"%s\",\"last-sequence-number\":0,\"last-updated-ms\":1700000000000,"
        "\"last-column-id\":1,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
        "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,"
        "\"type\":\"long\"}]}],\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,"
        "\"fields\":[]}],\"last-partition-id\":999,\"default-sort-order-id\":0,"
        "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],\"properties\":{},"
        "\"current-snapshot-id\":-1,\"refs\":{},\"snapshots\":[],\"snapshot-log\":[],"
        "\"metadata-log\":[]}",
        table_loc);
    floe_test_system("mkdir -p '%s/metadata' '%s/data'", table_loc, table_loc);
    floe_test_write_file(file, json, strlen(json));
    return file;
}

static void test_catalog_open_and_locations(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    size_t n = 0;
    floe_kv *defaults = floe_catalog_table_defaults(e.cat, t->arena, &n);
    assert_int_equal(n, 1);
    assert_string_equal(defaults[0].key, "format-version");
    const char *levels[] = {"db", "../up"};
    floe_ident id = {{levels, 2}, "a/b"};
    const char *loc = floe_catalog_default_location(e.cat, t->arena, &id);
    assert_true(floe_starts_with(loc, e.wh));
    assert_null(strstr(loc, ".."));
    assert_int_equal(strchr(loc + strlen(e.wh) + 1, '/') - loc, (long)strlen(e.wh) + 3);
    const char *mf = floe_catalog_metadata_file_location(t->arena, "/wh/db/t/", 3);
    assert_true(floe_starts_with(mf, "/wh/db/t/metadata/00003-"));
    assert_true(floe_ends_with(mf, ".metadata.json"));

    floe_catalog *bad = NULL;
    floe_catalog_def rel = {.name = "x", .warehouse = "relative/wh"};
    FLOE_ASSERT_ERR(floe_catalog_open(e.store, e.io, &rel, &bad, &err), FLOE_ERR_INVALID, &err,
                    "absolute");
    floe_err_clear(&err);
    floe_catalog_def badname = {.name = "no/slash", .warehouse = "/wh"};
    FLOE_ASSERT_ERR(floe_catalog_open(e.store, e.io, &badname, &bad, &err), FLOE_ERR_INVALID, &err,
                    "catalog name");
    close_env(&e);
}

static void test_register_load_and_commit(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    const char *levels[] = {"db"};
    floe_ident id = {{levels, 1}, "t"};
    const char *loc = floe_arena_sprintf(t->arena, "%s/db/t", e.wh);
    const char *m0 = write_meta(t, loc, 0);
    floe_loaded_object lo;
    FLOE_ASSERT_ERR(floe_catalog_table_register(e.cat, t->arena, &id,
                                                floe_test_tmp_path(t, "missing.json"), false, &lo,
                                                &err),
                    FLOE_ERR_INVALID, &err, NULL);
    floe_err_clear(&err);
    const char *junk = floe_test_tmp_path(t, "junk.json");
    floe_test_write_file(junk, "[1]", 3);
    FLOE_ASSERT_ERR(floe_catalog_table_register(e.cat, t->arena, &id, junk, false, &lo, &err),
                    FLOE_ERR_INVALID, &err, "not a JSON object");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_catalog_table_register(e.cat, t->arena, &id, m0, false, &lo, &err), &err);
    assert_string_equal(lo.info.metadata_location, m0);
    assert_non_null(strstr(lo.metadata_json.ptr, "\"location\""));

    /* The commit entry point: swap from the loaded location to a new file. */
    const char *m1 = write_meta(t, loc, 1);
    int64_t v = 0;
    FLOE_ASSERT_OK(floe_catalog_table_commit(e.cat, &id, m0, m1, &v, &err), &err);
    assert_int_equal(v, 2);
    FLOE_ASSERT_ERR(floe_catalog_table_commit(e.cat, &id, m0, m1, &v, &err), FLOE_ERR_CONFLICT,
                    &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_catalog_object_load(e.cat, t->arena, FLOE_OBJECT_TABLE, &id, &lo, &err),
                   &err);
    assert_string_equal(lo.info.metadata_location, m1);

    /* A row whose file vanished is damage, not a missing table. A catalog that read the file
     * before still answers from its metadata cache (files are immutable); one that did not
     * (here: with the cache off) reports the damage. */
    remove(m1);
    FLOE_ASSERT_OK(floe_catalog_object_load(e.cat, t->arena, FLOE_OBJECT_TABLE, &id, &lo, &err),
                   &err);
    floe_kv nocache[] = {{FLOE_CATALOG_PROP_CACHE_SIZE, "0"}};
    floe_catalog_def def = {
        .name = "main", .warehouse = e.wh, .properties = nocache, .n_properties = 1};
    floe_catalog *cold = NULL;
    FLOE_ASSERT_OK(floe_catalog_open(e.store, e.io, &def, &cold, &err), &err);
    FLOE_ASSERT_ERR(floe_catalog_object_load(cold, t->arena, FLOE_OBJECT_TABLE, &id, &lo, &err),
                    FLOE_ERR_CORRUPT, &err, NULL);
    floe_catalog_close(cold);
    close_env(&e);
}

static void test_drop_purges_only_inside_the_warehouse(void **state)
{
    floe_test_ctx *t = *state;
    env e;
    open_env(t, &e);
    floe_err err = {0};
    const char *levels[] = {"db"};
    floe_purge_stats ps;

    /* Inside the warehouse: everything under the location goes. */
    floe_ident in = {{levels, 1}, "in"};
    const char *loc = floe_arena_sprintf(t->arena, "%s/db/in", e.wh);
    const char *m = write_meta(t, loc, 0);
    const char *data = floe_arena_sprintf(t->arena, "%s/data/part-0.parquet", loc);
    floe_test_write_file(data, "PAR1", 4);
    FLOE_ASSERT_OK(floe_catalog_table_create(e.cat, &in, m, &err), &err);
    FLOE_ASSERT_OK(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &in, true, &ps, &err), &err);
    assert_true(ps.purged);
    assert_int_equal(ps.files_deleted, 2);
    struct stat sb;
    assert_int_not_equal(stat(loc, &sb), 0);

    /* Outside the warehouse: the row goes, the files stay. */
    floe_ident out = {{levels, 1}, "out"};
    const char *oloc = floe_test_tmp_path(t, "elsewhere/out");
    const char *om = write_meta(t, oloc, 0);
    FLOE_ASSERT_OK(floe_catalog_table_register(e.cat, t->arena, &out, om, false, NULL, &err), &err);
    FLOE_ASSERT_OK(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &out, true, &ps, &err), &err);
    assert_false(ps.purged);
    assert_non_null(strstr(ps.skipped_reason, "not inside"));
    assert_int_equal(stat(om, &sb), 0);

    /* The warehouse itself as a table location, or a location with "..": never purged. */
    floe_ident root = {{levels, 1}, "root"};
    const char *rm = write_meta(t, floe_arena_sprintf(t->arena, "%s/db/..", e.wh), 0);
    FLOE_ASSERT_OK(floe_catalog_table_create(e.cat, &root, rm, &err), &err);
    FLOE_ASSERT_OK(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &root, true, &ps, &err), &err);
    assert_false(ps.purged);
    assert_int_equal(stat(rm, &sb), 0);

    /* A location another table still uses is left alone. */
    floe_ident a = {{levels, 1}, "a"}, b = {{levels, 1}, "b"};
    const char *sloc = floe_arena_sprintf(t->arena, "%s/db/shared", e.wh);
    const char *s0 = write_meta(t, sloc, 0), *s1 = write_meta(t, sloc, 1);
    FLOE_ASSERT_OK(floe_catalog_table_create(e.cat, &a, s0, &err), &err);
    FLOE_ASSERT_OK(floe_catalog_table_create(e.cat, &b, s1, &err), &err);
    FLOE_ASSERT_OK(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &a, true, &ps, &err), &err);
    assert_false(ps.purged);
    assert_non_null(strstr(ps.skipped_reason, "another table"));
    assert_int_equal(stat(s1, &sb), 0);

    /* Without purge nothing is touched; a missing table is NOT_FOUND. */
    FLOE_ASSERT_OK(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &b, false, &ps, &err), &err);
    assert_int_equal(stat(s1, &sb), 0);
    FLOE_ASSERT_ERR(
        floe_catalog_object_drop(e.cat, t->arena, FLOE_OBJECT_TABLE, &b, true, &ps, &err),
        FLOE_ERR_NOT_FOUND, &err, NULL);
    close_env(&e);
}

FLOE_TEST_GROUP(catalog)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_checks),
        cmocka_unit_test_setup_teardown(test_path_segments_stay_inside, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_catalog_open_and_locations, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_register_load_and_commit, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_drop_purges_only_inside_the_warehouse, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
