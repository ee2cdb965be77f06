/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Proof by rows: on a copy of a Spark-written table (append of 21 rows, a merge-on-read delete,
 * an overwrite to 20 rows), expirations with a tag and without keep every remaining snapshot
 * scannable with all its rows, planned by floe's scan planner and read by floe's row reader,
 * through the filesystem-table catalog and a prefix map (metadata says s3a://).
 */
#include "mnt_helpers.h"

#define FIRST INT64_C(7505300640432048841)   /* 21 rows */
#define DELETE INT64_C(469881615898633426)   /* 20 rows: one position delete */
#define CURRENT INT64_C(2701171901096418979) /* 20 rows: rewritten */

typedef struct spark_table {
    floe_test_ctx *t;
    floe_fileio *io;
    floe_ice_catalog cat;
    floe_table_meta *m;
    floe_mnt_fileio_source rsrc;
    floe_mnt_manifest_source src;
} spark_table;

static void open_table(floe_test_ctx *t, spark_table *st)
{
    const char *dir = floe_test_copy_shared(t, "iceberg/spark_posdel_schema_evolution");
    floe_err err = {0};
    st->t = t;
    st->io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    FLOE_ASSERT_OK(
        floe_fileio_map_prefix(st->io, "s3a://hyperparam-iceberg/spark/bunnies", dir, &err), &err);
    FLOE_ASSERT_OK(floe_fs_table_open(st->io, dir, &st->cat, &err), &err);
    FLOE_ASSERT_OK(st->cat.ops->load(st->cat.ctx, t->arena, &st->m, &err), &err);
    st->rsrc = (floe_mnt_fileio_source){st->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_fileio_source_init(&st->rsrc, &st->src);
}

static void close_table(spark_table *st)
{
    floe_fs_table_free(&st->cat);
    floe_fileio_free(st->io);
}

/* Rows of a snapshot: planned, then every task read with its deletes. -1: no such snapshot. */
static int64_t count_rows(spark_table *st, int64_t snapshot_id)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(st->cat.ops->load(st->cat.ctx, st->t->arena, &m, &err), &err);
    if (floe_table_meta_snapshot(m, snapshot_id) == NULL) {
        return -1;
    }
    return mnt_snapshot_rows(st->t, st->io, m, snapshot_id);
}

static size_t expire_all(spark_table *st)
{
    floe_err err = {0};
    int64_t now = floe_time_now_us() / 1000;
    floe_mnt_expire_opts o = {.now_ms = now, .older_than_ms = now, .retain_last = 1};
    floe_mnt_expire_plan p;
    FLOE_ASSERT_OK(floe_mnt_expire_select(st->t->arena, st->m, &o, &p, &err), &err);
    FLOE_ASSERT_OK(st->cat.ops->commit(st->cat.ctx, st->t->arena, p.reqs, p.n_reqs, p.updates,
                                       p.n_updates, NULL, &err),
                   &err);
    floe_table_meta *committed = NULL;
    FLOE_ASSERT_OK(st->cat.ops->load(st->cat.ctx, st->t->arena, &committed, &err), &err);
    floe_mnt_file_list l;
    FLOE_ASSERT_OK(floe_mnt_expired_files(st->t->arena, st->m, committed, &st->src, &l, &err),
                   &err);
    floe_mnt_delete_result r;
    FLOE_ASSERT_OK(floe_mnt_delete_files(st->io, &l, NULL, &r, &err), &err);
    st->m = committed;
    return p.n_expire;
}

static void test_rows_survive_expiration(void **state)
{
    floe_test_ctx *t = *state;
    spark_table st;
    open_table(t, &st);
    assert_int_equal(count_rows(&st, CURRENT), 20);
    assert_int_equal(count_rows(&st, DELETE), 20);
    assert_int_equal(count_rows(&st, FIRST), 21);

    /* Tag the first snapshot, then expire everything that may go: only the delete snapshot. */
    floe_err err = {0};
    floe_ice_update tag = {.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
                           .ref = {.name = "first", .snapshot_id = FIRST, .type = FLOE_REF_TAG}};
    FLOE_ASSERT_OK(st.cat.ops->commit(st.cat.ctx, t->arena, NULL, 0, &tag, 1, NULL, &err), &err);
    FLOE_ASSERT_OK(st.cat.ops->load(st.cat.ctx, t->arena, &st.m, &err), &err);
    assert_int_equal(expire_all(&st), 1);
    assert_int_equal(count_rows(&st, DELETE), -1);
    assert_int_equal(count_rows(&st, CURRENT), 20);
    assert_int_equal(count_rows(&st, FIRST), 21); /* the tag kept every file it needs */

    /* Drop the tag: the first snapshot goes too; the current one still reads 20 rows. */
    floe_ice_update untag = {.kind = FLOE_ICE_UP_REMOVE_SNAPSHOT_REF, .ref_name = "first"};
    FLOE_ASSERT_OK(st.cat.ops->commit(st.cat.ctx, t->arena, NULL, 0, &untag, 1, NULL, &err), &err);
    FLOE_ASSERT_OK(st.cat.ops->load(st.cat.ctx, t->arena, &st.m, &err), &err);
    assert_int_equal(expire_all(&st), 1);
    assert_int_equal(count_rows(&st, FIRST), -1);
    assert_int_equal(count_rows(&st, CURRENT), 20);

    /* Orphan cleaning with no age limit leaves it readable too. */
    floe_mnt_orphan_opts oo = {.older_than_us = floe_time_now_us() + 1000000};
    floe_mnt_file_list l;
    FLOE_ASSERT_OK(floe_mnt_orphan_files(t->arena, st.io, st.m, &st.src, &oo, &l, &err), &err);
    floe_mnt_delete_result r;
    FLOE_ASSERT_OK(floe_mnt_delete_files(st.io, &l, NULL, &r, &err), &err);
    assert_int_equal(count_rows(&st, CURRENT), 20);
    close_table(&st);
}

FLOE_TEST_GROUP(rows)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_survive_expiration, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
