/* SPDX-License-Identifier: Apache-2.0 */
#include "ice_helpers.h"

#include <stdio.h>
#include <stdlib.h>

json_t *ice_test_json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        print_error("bad test JSON: %s (%s)\n", jerr.text, text);
        fail();
    }
    return j;
}

const floe_ice_schema *ice_test_schema(floe_arena *a, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_err err = {0};
    const floe_ice_schema *s = NULL;
    FLOE_ASSERT_OK(floe_ice_schema_from_json(a, j, &s, &err), &err);
    json_decref(j);
    return s;
}

const char *ice_test_dump(floe_arena *a, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    char *copy = floe_arena_strdup(a, s);
    free(s);
    return copy;
}

void ice_test_json_eq(json_t *got, const char *want)
{
    json_t *w = ice_test_json(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("JSON differs:\n  got:  %s\n  want: %s\n", g, want);
        free(g);
        json_decref(w);
        json_decref(got);
        fail();
    }
    json_decref(w);
    json_decref(got);
}

const floe_ice_expr *ice_test_bind(floe_arena *a, const floe_ice_schema *s, const char *text)
{
    floe_err err = {0};
    const floe_ice_expr *e = NULL, *b = NULL;
    FLOE_ASSERT_OK(floe_ice_expr_parse(a, text, strlen(text), &e, &err), &err);
    FLOE_ASSERT_OK(floe_ice_expr_bind(a, e, s, &b, &err), &err);
    return b;
}

/* The original location prefixes of the fixture tables (../shared/fixtures/README.md). */
static const struct {
    const char *name;
    const char *prefix;
} FIXTURE_PREFIXES[] = {
    {"spark_posdel_schema_evolution", "s3a://hyperparam-iceberg/spark/bunnies"},
    {"java_api_pos_and_eq_deletes", "s3a://hyperparam-iceberg/java/bunnies"},
    {"spark_bucket_identity_rename", "s3a://hyperparam-iceberg/spark/rename_column"},
    {"athena_trino_object_storage", "s3://hyperparam-iceberg/athena/example"},
    {"spark_v1_day_partition", "/tmp/iceberg/t1"},
    {"java_api_eq_deletes_identity_partition",
     "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned"},
    {"pyiceberg_day_partition_map", "file://data/persistent/map_stats/default.db/map_stats"},
    {"spark_v1_embedded_manifests_edge", "data/persistent/iceberg_v1_deprecated/default/legacy_v1"},
};

const char *ice_test_fixture_prefix(const char *table)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(FIXTURE_PREFIXES); i++) {
        if (strcmp(FIXTURE_PREFIXES[i].name, table) == 0) {
            return FIXTURE_PREFIXES[i].prefix;
        }
    }
    print_error("no prefix for fixture %s\n", table);
    fail();
    return NULL;
}

floe_fileio *ice_test_fixture_io(floe_test_ctx *t, const char *table, const char **dir_out)
{
    const char *dir = floe_test_copy_shared(t, floe_arena_sprintf(t->arena, "iceberg/%s", table));
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, ice_test_fixture_prefix(table), dir, &err), &err);
    if (dir_out != NULL) {
        *dir_out = dir;
    }
    return io;
}

floe_table_meta *ice_test_fixture_meta(floe_test_ctx *t, floe_fileio *io, const char *dir,
                                       const char *file)
{
    floe_table_meta *m = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(
        floe_iceberg_read_metadata(
            t->arena, io, floe_arena_sprintf(t->arena, "%s/metadata/%s", dir, file), &m, &err),
        &err);
    return m;
}

const char *ice_test_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}
