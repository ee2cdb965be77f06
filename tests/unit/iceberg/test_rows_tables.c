/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every fixture Iceberg table read end to end: the snapshot's manifests (manifest reader), a
 * minimal planner written here (live entries; position deletes apply when seq(D) >= seq(F),
 * equality deletes when seq(D) > seq(F), same spec and partition unless the delete's spec is
 * unpartitioned), then the row reader on each data file with its deletes and the file's spec
 * (identity partition constants). Row counts and rows are the README's.
 */
#include "rows_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct tfile {
    floe_data_file f;
    int64_t seq;
} tfile;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* All live rows of snapshot `snap_id` (-1: current) as sorted JSON lines. */
static const char *scan_table(floe_test_ctx *t, const char *fixture, const char *prefix,
                              const char *metadata, int64_t snap_id, size_t *n_rows)
{
    floe_err err = {0};
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    /* Copy the fixture once per test (several snapshots of a table are scanned). */
    const char *dir = floe_test_tmp_path(t, strrchr(fixture, '/') + 1);
    if (access(dir, F_OK) != 0) {
        dir = floe_test_copy_shared(t, fixture);
    }
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, prefix, dir, &err), &err);
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(
        floe_iceberg_read_metadata(
            t->arena, io, floe_arena_sprintf(t->arena, "%s/metadata/%s", dir, metadata), &m, &err),
        &err);
    const floe_snapshot *snap =
        snap_id < 0 ? floe_table_meta_current_snapshot(m) : floe_table_meta_snapshot(m, snap_id);
    assert_non_null(snap);
    const floe_manifest_file *mf = NULL;
    size_t n_mf = 0;
    FLOE_ASSERT_OK(floe_snapshot_manifests(t->arena, io, m, snap, &mf, &n_mf, &err), &err);
    floe_vec data, dels;
    floe_vec_init(&data, sizeof(tfile));
    floe_vec_init(&dels, sizeof(tfile));
    for (size_t i = 0; i < n_mf; i++) {
        floe_manifest_reader *r = NULL;
        floe_manifest_read_opts ro = {.meta = m, .manifest = &mf[i]};
        FLOE_ASSERT_OK(floe_manifest_reader_open(io, mf[i].manifest_path, &ro, &r, &err), &err);
        for (;;) {
            floe_manifest_entry e;
            bool got = false;
            FLOE_ASSERT_OK(floe_manifest_reader_next(r, t->arena, &e, &got, &err), &err);
            if (!got) {
                break;
            }
            if (e.status == FLOE_ENTRY_DELETED) {
                continue;
            }
            tfile *tf = floe_vec_push(e.file.content == FLOE_CONTENT_DATA ? &data : &dels);
            FLOE_ASSERT_OK(floe_data_file_dup(t->arena, &e.file, &tf->f, &err), &err);
            tf->seq = e.has_sequence_number ? e.sequence_number : 0;
        }
        floe_manifest_reader_close(r);
    }
    floe_vec lines;
    floe_vec_init(&lines, sizeof(char *));
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    for (size_t i = 0; i < data.n; i++) {
        const tfile *df = FLOE_VEC_AT(&data, tfile, i);
        const floe_data_file **applied = floe_arena_calloc(t->arena, dels.n + 1, sizeof(void *));
        size_t n_applied = 0;
        for (size_t k = 0; k < dels.n; k++) {
            const tfile *d = FLOE_VEC_AT(&dels, tfile, k);
            const floe_partition_spec *dspec = floe_table_meta_spec(m, d->f.spec_id);
            bool global = d->f.content == FLOE_CONTENT_EQUALITY_DELETES && dspec != NULL &&
                          floe_partition_spec_is_unpartitioned(dspec);
            bool same_part =
                d->f.spec_id == df->f.spec_id && floe_value_eq(&d->f.partition, &df->f.partition);
            bool seq_ok = d->f.content == FLOE_CONTENT_POSITION_DELETES ? d->seq >= df->seq
                                                                        : d->seq > df->seq;
            if (seq_ok && (same_part || global)) {
                applied[n_applied++] = &d->f;
            }
        }
        floe_ice_read_opts ro = {.schema = s,
                                 .file = &df->f,
                                 .deletes = applied,
                                 .n_deletes = n_applied,
                                 .spec = floe_table_meta_spec(m, df->f.spec_id)};
        const char *text = rows_test_read(t, io, &ro, NULL);
        for (const char *p = text; *p != '\0';) {
            const char *nl = strchr(p, '\n');
            char *line = floe_arena_strndup(t->arena, p, (size_t)(nl - p));
            floe_vec_push_copy(&lines, &line);
            p = nl + 1;
        }
    }
    floe_vec_sort(&lines, str_cmp);
    floe_buf out;
    floe_buf_init(&out, 0);
    for (size_t i = 0; i < lines.n; i++) {
        floe_buf_printf(&out, NULL, "%s\n", *FLOE_VEC_AT(&lines, char *, i));
    }
    *n_rows = lines.n;
    const char *res = floe_arena_strdup(t->arena, floe_buf_cstr(&out));
    floe_buf_fini(&out);
    floe_vec_fini(&lines);
    floe_vec_fini(&data);
    floe_vec_fini(&dels);
    floe_fileio_free(io);
    return res;
}

static void test_spark_posdel_schema_evolution(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *fx = "iceberg/spark_posdel_schema_evolution";
    const char *loc = "s3a://hyperparam-iceberg/spark/bunnies";
    const char *rows = scan_table(t, fx, loc, "v5.metadata.json", -1, &n);
    assert_int_equal(n, 20);
    assert_non_null(strstr(rows, "{\"Breed Name\":\"Netherland Dwarf\",\"Average Weight\":0.9,"
                                 "\"Fur Length\":2.5,\"Lifespan\":10,\"Origin Country\":"
                                 "\"Netherlands\",\"Ear Type\":\"Erect\",\"Temperament\":\"Shy\","
                                 "\"Popularity Rank\":2,\"breed_name_length\":16}\n"));
    assert_null(strstr(rows, "Holland Lop"));
    scan_table(t, fx, loc, "v1.metadata.json", -1, &n);
    assert_int_equal(n, 21);
    scan_table(t, fx, loc, "v3.metadata.json", -1, &n);
    assert_int_equal(n, 20);
    rows = scan_table(t, fx, loc, "v5.metadata.json", INT64_C(7505300640432048841), &n);
    assert_int_equal(n, 21);
    assert_non_null(strstr(rows, "\"Holland Lop\""));
}

static void test_java_pos_and_eq_deletes(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *fx = "iceberg/java_api_pos_and_eq_deletes";
    const char *loc = "s3a://hyperparam-iceberg/java/bunnies";
    const char *rows = scan_table(t, fx, loc, "v5.metadata.json", -1, &n);
    assert_int_equal(n, 15);
    const char *nz = strstr(rows, "{\"Breed Name\":\"New Zealand\"");
    assert_non_null(nz);
    assert_true(floe_starts_with(nz, "{\"Breed Name\":\"New Zealand\",\"Average Weight\":4,"
                                     "\"Fur Length\":2.7,\"Lifespan\":8,\"Origin Country\":\"New "
                                     "Zealand\",\"Ear Type\":\"Erect\",\"Temperament\":"
                                     "\"Affectionate\",\"Popularity Rank\":0,\"__happy__\":true}"));
    assert_null(strstr(nz + 1, "{\"Breed Name\":\"New Zealand\"")); /* exactly one */
    assert_null(strstr(rows, "Flemish Giant"));
    rows = scan_table(t, fx, loc, "v4.metadata.json", -1, &n);
    assert_int_equal(n, 15);
    assert_non_null(strstr(rows, "\"Popularity Rank\":21,\"__happy__\":null}"));
    scan_table(t, fx, loc, "v3.metadata.json", -1, &n);
    assert_int_equal(n, 21);
    scan_table(t, fx, loc, "v2.metadata.json", -1, &n);
    assert_int_equal(n, 21);
}

static void test_spark_bucket_identity_rename(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *rows =
        scan_table(t, "iceberg/spark_bucket_identity_rename",
                   "s3a://hyperparam-iceberg/spark/rename_column", "v3.metadata.json", -1, &n);
    assert_string_equal(
        rows, "{\"id\":1,\"name\":\"Flopsy \xf0\x9f\x90\x87\",\"event_date\":\"2022-01-01\","
              "\"price\":\"9.99\",\"active\":true}\n"
              "{\"id\":2,\"name\":\"Mopsy\xe2\x80\x93Na\xc3\xafve\",\"event_date\":\"2022-01-01\","
              "\"price\":\"-5.00\",\"active\":false}\n"
              "{\"id\":3,\"name\":\"Cottontail\",\"event_date\":null,\"price\":\"0.00\","
              "\"active\":true}\n"
              "{\"id\":4,\"name\":\"Thumper\",\"event_date\":\"2022-01-02\",\"price\":"
              "\"99999999.99\",\"active\":false}\n");
    rows = scan_table(t, "iceberg/spark_bucket_identity_rename",
                      "s3a://hyperparam-iceberg/spark/rename_column", "v2.metadata.json", -1, &n);
    assert_int_equal(n, 4);
    assert_non_null(strstr(rows, "\"date\":\"2022-01-02\""));
}

static void test_athena_trino(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *rows = scan_table(
        t, "iceberg/athena_trino_object_storage", "s3://hyperparam-iceberg/athena/example",
        "00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json", -1, &n);
    assert_string_equal(rows, "{\"id\":1,\"name\":\"Alice\"}\n{\"id\":2,\"name\":\"Bob\"}\n");
}

static void test_spark_v1_day_partition(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *rows = scan_table(t, "iceberg/spark_v1_day_partition", "/tmp/iceberg/t1",
                                  "v2.metadata.json", -1, &n);
    assert_int_equal(n, 3);
    assert_non_null(strstr(rows, "\"2023-03-01T18:15:00.000000\""));
    assert_non_null(strstr(rows, "\"2023-03-01T19:25:00.000000\""));
    assert_non_null(strstr(rows, "\"2023-03-02T22:00:00.000000\""));
}

static void test_java_eq_deletes_identity_partition(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *fx = "iceberg/java_api_eq_deletes_identity_partition";
    const char *loc = "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned";
    const char *rows = scan_table(t, fx, loc, "v6.metadata.json", -1, &n);
    assert_string_equal(rows, "{\"id\":1,\"name\":\"a\",\"bir\":\"2025-01-01\"}\n"
                              "{\"id\":4,\"name\":\"d\",\"bir\":\"2025-01-04\"}\n"
                              "{\"id\":5,\"name\":\"e\",\"bir\":\"2025-01-05\"}\n");
    size_t want[] = {0, 4, 3, 2, 4};
    for (int v = 2; v <= 5; v++) {
        scan_table(t, fx, loc, floe_arena_sprintf(t->arena, "v%d.metadata.json", v), -1, &n);
        assert_int_equal(n, want[v - 1]);
    }
}

static void test_pyiceberg_day_partition_map(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *rows =
        scan_table(t, "iceberg/pyiceberg_day_partition_map",
                   "file://data/persistent/map_stats/default.db/map_stats",
                   "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json", -1, &n);
    assert_string_equal(
        rows, "{\"timestamp\":\"2026-01-01T00:00:00.000000+00:00\",\"input\":\"hello\",\"output\":"
              "\"world\",\"metadata\":[{\"key\":\"key\",\"value\":\"value1\"}]}\n"
              "{\"timestamp\":\"2026-01-02T00:00:00.000000+00:00\",\"input\":\"hello\",\"output\":"
              "\"world\",\"metadata\":[{\"key\":\"key\",\"value\":\"value1\"}]}\n");
}

static void test_spark_v1_embedded_manifests(void **state)
{
    floe_test_ctx *t = *state;
    size_t n;
    const char *rows = scan_table(t, "iceberg/spark_v1_embedded_manifests_edge",
                                  "data/persistent/iceberg_v1_deprecated/default/legacy_v1",
                                  "v2.metadata.json", -1, &n);
    assert_int_equal(n, 3);
    assert_string_equal(rows, "{\"id\":1,\"category\":\"alpha\",\"amount\":10}\n"
                              "{\"id\":2,\"category\":\"beta\",\"amount\":20}\n"
                              "{\"id\":3,\"category\":\"alpha\",\"amount\":null}\n");
}

FLOE_TEST_GROUP(rows_tables)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spark_posdel_schema_evolution, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_java_pos_and_eq_deletes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spark_bucket_identity_rename, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_athena_trino, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spark_v1_day_partition, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_java_eq_deletes_identity_partition, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_pyiceberg_day_partition_map, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spark_v1_embedded_manifests, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
