/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Orphan files: everything referenced survives (metadata files of the log, version hint,
 * manifest lists, manifests, data files of every snapshot including DELETED entries,
 * statistics), young files survive (a writer's uncommitted output), stray old files are found
 * and deleted, empty directories removed; errors abort without a list.
 */
#include "mnt_helpers.h"

#include <time.h>

#define A FLOE_ENTRY_ADDED
#define D FLOE_ENTRY_DELETED
#define DATA FLOE_CONTENT_DATA
#define EQ FLOE_CONTENT_EQUALITY_DELETES
#define OLD INT64_C(1000000)      /* seconds: 1970, surely older than any cutoff */
#define YOUNG INT64_C(4000000000) /* seconds: 2096 */
#define CUTOFF_US (INT64_C(2000000000) * 1000000)

static const fk_manifest MANIFESTS[] = {
    {"metadata/m1.avro", {{"data/p=1/d1.parquet", A, DATA}, {"data/p=1/d2.parquet", D, DATA}}},
    {"metadata/m2.avro", {{"data/p=2/d3.parquet", A, DATA}, {"data/p=2/eq1.parquet", A, EQ}}},
};
static const fk_snap SNAP_MANIFESTS[] = {
    {1, {"metadata/m1.avro"}},
    {2, {"metadata/m1.avro", "metadata/m2.avro"}},
};
static const tsnap SNAPS[] = {{1, NO_PARENT, 100000}, {2, 1, 200000}};

typedef struct fixture {
    fk_source fk;
    floe_mnt_manifest_source src;
    floe_table_meta *m;
} fixture;

static void fixture_init(floe_test_ctx *t, fixture *fx)
{
    const char *loc = floe_test_tmp_path(t, "t");
    char stats[512], mlog[512];
    snprintf(stats, sizeof(stats),
             "[{\"snapshot-id\":2,\"statistics-path\":\"file://%s/metadata/s2.puffin\","
             "\"file-size-in-bytes\":1,\"file-footer-size-in-bytes\":1,\"blob-metadata\":[]}]",
             loc);
    snprintf(mlog, sizeof(mlog),
             "[{\"timestamp-ms\":1,\"metadata-file\":\"%s/metadata/v7.metadata.json\"},"
             "{\"timestamp-ms\":2,\"metadata-file\":\"file:%s/metadata/v8.metadata.json\"}]",
             loc, loc);
    tref refs[] = {BRANCH("main", 2)};
    fx->m = mnt_test_meta(t, &(tmeta){.snaps = SNAPS,
                                      .n_snaps = 2,
                                      .current = 2,
                                      .refs = refs,
                                      .n_refs = 1,
                                      .stats = stats,
                                      .mlog = mlog});
    fx->fk = (fk_source){.t = t,
                         .io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true}),
                         .location = loc,
                         .ms = MANIFESTS,
                         .nm = FLOE_ARRAY_LEN(MANIFESTS),
                         .ss = SNAP_MANIFESTS,
                         .nss = FLOE_ARRAY_LEN(SNAP_MANIFESTS)};
    fx->src = fk_as_source(&fx->fk);
    fk_materialize(&fx->fk, fx->m, OLD);
    static const char *const referenced[] = {
        "metadata/s2.puffin", "metadata/v7.metadata.json", "metadata/v8.metadata.json",
        "metadata/v9.metadata.json", "metadata/version-hint.text"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(referenced); i++) {
        mnt_touch(fk_path(&fx->fk, referenced[i]), OLD);
    }
}

static floe_mnt_file_list orphans(floe_test_ctx *t, fixture *fx, const floe_table_meta *m)
{
    floe_mnt_orphan_opts o = {.older_than_us = CUTOFF_US};
    floe_mnt_file_list l;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_orphan_files(t->arena, fx->fk.io, m, &fx->src, &o, &l, &err), &err);
    return l;
}

static void test_orphan_nothing_when_clean(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    fixture_init(t, &fx);
    floe_mnt_file_list l = orphans(t, &fx, fx.m);
    assert_int_equal(l.n, 0);
    floe_fileio_free(fx.fk.io);
}

static void test_orphan_spellings_of_one_file(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    fixture_init(t, &fx);
    /* The current metadata file named as a file: URI, a log entry as file:/ (see fixture),
     * statistics as file:// (see fixture): all the same files as the listing's plain paths. */
    floe_table_meta m = *fx.m;
    m.metadata_location = floe_arena_sprintf(t->arena, "file://%s", fx.m->metadata_location);
    floe_mnt_file_list l = orphans(t, &fx, &m);
    assert_int_equal(l.n, 0);
    /* Through a prefix map: metadata says s3://bucket/t, files live in the temporary dir. */
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_fileio_map_prefix(fx.fk.io, "s3://bucket/t", fx.fk.location, &err), &err);
    m.metadata_location = "s3://bucket/t/metadata/v9.metadata.json";
    l = orphans(t, &fx, &m);
    assert_int_equal(l.n, 0);
    /* A location FileIO cannot resolve is an error, not an orphan list. */
    m.metadata_location = "gs://elsewhere/v9.metadata.json";
    floe_mnt_orphan_opts o = {.older_than_us = CUTOFF_US};
    FLOE_ASSERT_ERR(floe_mnt_orphan_files(t->arena, fx.fk.io, &m, &fx.src, &o, &l, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "resolve gs://elsewhere");
    floe_fileio_free(fx.fk.io);
}

static void test_orphan_finds_and_deletes(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    fixture_init(t, &fx);
    /* Old strays, a young uncommitted file, an old metadata file out of the log, and a file in
     * a sibling directory that shares the prefix. */
    mnt_touch(fk_path(&fx.fk, "data/p=3/stray.parquet"), OLD);
    mnt_touch(fk_path(&fx.fk, "data/p=1/stray2.parquet"), OLD);
    mnt_touch(fk_path(&fx.fk, "data/p=4/inflight.parquet"), YOUNG);
    mnt_touch(fk_path(&fx.fk, "metadata/v1.metadata.json"), OLD);
    mnt_touch(fk_path(&fx.fk, "metadata/snap-77.avro"), OLD);
    mnt_touch(fk_path(&fx.fk, "data2/other-table.parquet"), OLD);
    mnt_touch(fk_path(&fx.fk, "README"), OLD);
    floe_mnt_file_list l = orphans(t, &fx, fx.m);
    assert_int_equal(l.n, 4);
    size_t skip = strlen(fx.fk.location) + 1;
    assert_string_equal(l.files[0].location + skip, "data/p=1/stray2.parquet");
    assert_string_equal(l.files[1].location + skip, "data/p=3/stray.parquet");
    assert_string_equal(l.files[2].location + skip, "metadata/snap-77.avro");
    assert_string_equal(l.files[3].location + skip, "metadata/v1.metadata.json");
    assert_int_equal(l.files[3].kind, FLOE_MNT_FILE_METADATA);
    assert_int_equal(l.files[0].kind, FLOE_MNT_FILE_OTHER);
    assert_int_equal(l.files[0].mtime_us, OLD * 1000000);

    floe_mnt_delete_result r;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_delete_files(fx.fk.io, &l, NULL, &r, &err), &err);
    assert_int_equal(r.deleted, 4);
    size_t dirs = 0;
    FLOE_ASSERT_OK(floe_io_remove_empty_dirs(fx.fk.io, fk_path(&fx.fk, "data"), &dirs, &err), &err);
    assert_int_equal(dirs, 1); /* data/p=3 */
    /* Everything referenced and everything young is still there. */
    static const char *const kept[] = {"data/p=1/d1.parquet",       "data/p=1/d2.parquet",
                                       "data/p=2/d3.parquet",       "data/p=2/eq1.parquet",
                                       "data/p=4/inflight.parquet", "metadata/m1.avro",
                                       "metadata/m2.avro",          "metadata/snap-1.avro",
                                       "metadata/snap-2.avro",      "metadata/s2.puffin",
                                       "metadata/v7.metadata.json", "metadata/v8.metadata.json",
                                       "metadata/v9.metadata.json", "metadata/version-hint.text",
                                       "data2/other-table.parquet", "README"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(kept); i++) {
        if (!mnt_file_exists(fk_path(&fx.fk, kept[i]))) {
            fail_msg("%s was deleted", kept[i]);
        }
    }
    assert_false(mnt_file_exists(fk_path(&fx.fk, "data/p=3")));
    /* Once the in-flight file is old and still unreferenced, it is an orphan too. */
    floe_mnt_orphan_opts o = {.older_than_us = (YOUNG + 1) * 1000000};
    FLOE_ASSERT_OK(floe_mnt_orphan_files(t->arena, fx.fk.io, fx.m, &fx.src, &o, &l, &err), &err);
    assert_int_equal(l.n, 1);
    floe_fileio_free(fx.fk.io);
}

static void test_orphan_custom_locations(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    fixture_init(t, &fx);
    floe_table_meta m = *fx.m;
    static floe_kv props[2];
    props[0] =
        (floe_kv){"write.data.path", floe_arena_sprintf(t->arena, "%s/elsewhere/", fx.fk.location)};
    m.properties = props;
    m.n_properties = 1;
    const char *const *locs;
    size_t n;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_mnt_table_locations(t->arena, &m, &locs, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(locs[0], fk_path(&fx.fk, "elsewhere"));
    assert_string_equal(locs[1], fk_path(&fx.fk, "metadata"));
    mnt_touch(fk_path(&fx.fk, "elsewhere/x.parquet"), OLD);
    mnt_touch(fk_path(&fx.fk, "data/not-listed.parquet"), OLD);
    floe_mnt_file_list l = orphans(t, &fx, &m);
    assert_int_equal(l.n, 1);
    assert_non_null(strstr(l.files[0].location, "elsewhere/x.parquet"));
    /* Data path = the table location: one listing covers both. */
    props[0].value = fx.fk.location;
    FLOE_ASSERT_OK(floe_mnt_table_locations(t->arena, &m, &locs, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(locs[0], fx.fk.location);
    floe_fileio_free(fx.fk.io);
}

static void test_orphan_refuses_partial_knowledge(void **state)
{
    floe_test_ctx *t = *state;
    fixture fx;
    fixture_init(t, &fx);
    mnt_touch(fk_path(&fx.fk, "data/stray.parquet"), OLD);
    floe_mnt_orphan_opts o = {.older_than_us = CUTOFF_US};
    floe_mnt_file_list l;
    floe_err err = {0};
    /* A manifest cannot be read: no orphan list. */
    remove(fk_path(&fx.fk, "metadata/m2.avro"));
    FLOE_ASSERT_ERR(floe_mnt_orphan_files(t->arena, fx.fk.io, fx.m, &fx.src, &o, &l, &err),
                    FLOE_ERR_NOT_FOUND, &err, "m2.avro");
    assert_int_equal(l.n, 0);
    /* The current metadata file is unknown: refuse (it would look like an orphan). */
    floe_table_meta m = *fx.m;
    m.metadata_location = NULL;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_orphan_files(t->arena, fx.fk.io, &m, &fx.src, &o, &l, &err),
                    FLOE_ERR_INVALID, &err, "current metadata file is not known");
    /* A table without a location. */
    m = *fx.m;
    m.location = "";
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_orphan_files(t->arena, fx.fk.io, &m, &fx.src, &o, &l, &err),
                    FLOE_ERR_INVALID, &err, "no location");
    /* Statistics entries without a path are corrupt metadata. */
    mnt_touch(fk_path(&fx.fk, "metadata/m2.avro"), OLD);
    m = *fx.m;
    floe_stats_file bad = {2, "{\"snapshot-id\":2}"};
    m.statistics = &bad;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_orphan_files(t->arena, fx.fk.io, &m, &fx.src, &o, &l, &err),
                    FLOE_ERR_CORRUPT, &err, "statistics-path");
    /* Missing locations are fine (nothing written yet). */
    floe_test_rm_rf(fk_path(&fx.fk, "data"));
    l = orphans(t, &fx, fx.m);
    assert_int_equal(l.n, 0);
    floe_fileio_free(fx.fk.io);
}

FLOE_TEST_GROUP(orphan)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_orphan_nothing_when_clean, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_spellings_of_one_file, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_finds_and_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_custom_locations, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_refuses_partial_knowledge, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
