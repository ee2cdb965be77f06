/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table metadata: every fixture metadata file parses, its facts match the fixtures README, a
 * write-read cycle is lossless, gzip variants read, and malformed metadata fails clearly.
 */
#include "ice_helpers.h"

#include "floe/compress.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

/* ==== Helpers ==== */

static floe_table_meta *read_meta(floe_test_ctx *t, const char *path)
{
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err err = {0};
    floe_table_meta *m = NULL;
    floe_status st = floe_iceberg_read_metadata(t->arena, io, path, &m, &err);
    floe_fileio_free(io);
    FLOE_ASSERT_OK(st, &err);
    return m;
}

static floe_table_meta *fixture(floe_test_ctx *t, const char *rel)
{
    const char *dir = floe_test_copy_shared(t, "iceberg");
    return read_meta(t, floe_arena_sprintf(t->arena, "%s/%s", dir, rel));
}

static floe_status parse_text(floe_test_ctx *t, const char *text, floe_table_meta **m,
                              floe_err *err)
{
    return floe_iceberg_parse_metadata(t->arena, floe_str_c(text), m, err);
}

/* Remove "identifier-field-ids": [] (we omit empty lists) so originals compare with ours. */
static void normalise(json_t *orig)
{
    json_t *schemas = json_object_get(orig, "schemas");
    size_t i;
    json_t *s;
    json_array_foreach(schemas, i, s)
    {
        json_t *ids = json_object_get(s, "identifier-field-ids");
        if (json_is_array(ids) && json_array_size(ids) == 0) {
            json_object_del(s, "identifier-field-ids");
        }
    }
    json_t *schema = json_object_get(orig, "schema");
    json_t *ids = json_object_get(schema, "identifier-field-ids");
    if (json_is_array(ids) && json_array_size(ids) == 0) {
        json_object_del(schema, "identifier-field-ids");
    }
}

/*
 * The lossless check: (1) write -> parse -> write gives JSON equal to the first write, and the
 * second parse has the same structure; (2) every top-level field of the original file appears
 * in our output with an equal value.
 */
static void check_round_trip(floe_test_ctx *t, const char *path, const floe_table_meta *m)
{
    floe_err err = {0};
    json_t *j1 = floe_table_meta_to_json(m);
    floe_table_meta *m2 = NULL;
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, j1, &m2, &err), &err);
    json_t *j2 = floe_table_meta_to_json(m2);
    if (!json_equal(j1, j2)) {
        print_error("%s: second write differs\n", path);
        fail();
    }
    assert_int_equal(m2->format_version, m->format_version);
    assert_int_equal(m2->n_schemas, m->n_schemas);
    for (size_t i = 0; i < m->n_schemas; i++) {
        assert_true(floe_ice_schema_same(m->schemas[i], m2->schemas[i]));
        assert_int_equal(m->schemas[i]->schema_id, m2->schemas[i]->schema_id);
    }
    assert_int_equal(m2->n_specs, m->n_specs);
    for (size_t i = 0; i < m->n_specs; i++) {
        assert_true(floe_partition_spec_equivalent(m->specs[i], m2->specs[i]));
        for (size_t k = 0; k < m->specs[i]->n_fields; k++) {
            assert_int_equal(m->specs[i]->fields[k].field_id, m2->specs[i]->fields[k].field_id);
        }
    }
    assert_int_equal(m2->n_snapshots, m->n_snapshots);
    assert_int_equal(m2->n_refs, m->n_refs);
    assert_int_equal(m2->current_snapshot_id, m->current_snapshot_id);
    assert_int_equal(m2->last_sequence_number, m->last_sequence_number);
    assert_int_equal(m2->n_metadata_log, m->n_metadata_log);
    assert_int_equal(m2->n_snapshot_log, m->n_snapshot_log);
    /* Deterministic: writing the same metadata twice gives the same bytes. */
    floe_buf a, b;
    floe_buf_init(&a, 0);
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_table_meta_write_json(m, false, &a, &err), &err);
    FLOE_ASSERT_OK(floe_table_meta_write_json(m2, false, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&a), floe_buf_cstr(&b));
    floe_buf_fini(&a);
    floe_buf_fini(&b);
    /* Every original field survives. */
    json_error_t jerr;
    json_t *orig = json_load_file(path, 0, &jerr);
    assert_non_null(orig);
    normalise(orig);
    const char *key;
    json_t *v;
    json_object_foreach(orig, key, v)
    {
        if (strcmp(key, "current-snapshot-id") == 0 && json_is_null(v)) {
            continue; /* v1/v2 write -1 for "none", as Java does */
        }
        json_t *ours = json_object_get(j1, key);
        if (ours == NULL || !json_equal(ours, v)) {
            char *o = json_dumps(v, JSON_COMPACT);
            char *w = ours != NULL ? json_dumps(ours, JSON_COMPACT) : NULL;
            print_error("%s: field %s changed\n  original: %.500s\n  written:  %.500s\n", path, key,
                        o, w != NULL ? w : "(missing)");
            free(o);
            free(w);
            fail();
        }
    }
    json_decref(orig);
    json_decref(j1);
    json_decref(j2);
}

/* ==== Every fixture ==== */

static void test_every_fixture_parses_and_round_trips(void **state)
{
    floe_test_ctx *t = *state;
    const char *root = floe_test_copy_shared(t, "iceberg");
    DIR *d = opendir(root);
    assert_non_null(d);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        const char *mdir = floe_arena_sprintf(t->arena, "%s/%s/metadata", root, de->d_name);
        DIR *md = opendir(mdir);
        if (md == NULL) {
            continue;
        }
        struct dirent *fe;
        while ((fe = readdir(md)) != NULL) {
            if (!floe_ends_with(fe->d_name, ".metadata.json")) {
                continue;
            }
            const char *path = floe_arena_sprintf(t->arena, "%s/%s", mdir, fe->d_name);
            floe_table_meta *m = read_meta(t, path);
            assert_string_equal(m->metadata_location, path);
            check_round_trip(t, path, m);
            files++;
        }
        closedir(md);
    }
    closedir(d);
    assert_int_equal(files, 27); /* every metadata file listed in the fixtures */
}

/* ==== Facts from the fixtures README ==== */

static void test_spark_schema_evolution_facts(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = fixture(t, "spark_posdel_schema_evolution/metadata/v5.metadata.json");
    assert_int_equal(m->format_version, 2);
    assert_int_equal(m->current_snapshot_id, INT64_C(2701171901096418979));
    assert_int_equal(m->n_snapshots, 3);
    const floe_snapshot *cur = floe_table_meta_current_snapshot(m);
    assert_non_null(cur);
    assert_int_equal(cur->sequence_number, 3);
    assert_string_equal(cur->operation, "overwrite");
    const floe_snapshot *first = floe_table_meta_snapshot(m, INT64_C(7505300640432048841));
    assert_non_null(first);
    assert_int_equal(first->sequence_number, 1);
    assert_false(first->has_parent);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    assert_int_equal(s->schema_id, 1);
    const floe_ice_field *f = floe_ice_schema_find_name(s, "breed_name_length");
    assert_non_null(f);
    assert_int_equal(f->id, 9);
    assert_int_equal(f->type->id, FLOE_ICE_INT);
    assert_non_null(floe_ice_schema_find_name(s, "Breed Name"));
    assert_null(floe_ice_schema_find_name(floe_table_meta_schema(m, 0), "breed_name_length"));
    assert_true(floe_partition_spec_is_unpartitioned(floe_table_meta_default_spec(m)));
    assert_int_equal(m->last_partition_id, 999);
    const floe_snapshot *main = floe_table_meta_ref_snapshot(m, "main");
    assert_ptr_equal(main, cur);
}

static void test_java_deletes_facts(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = fixture(t, "java_api_pos_and_eq_deletes/metadata/v5.metadata.json");
    assert_int_equal(m->format_version, 2);
    assert_int_equal(m->n_snapshots, 3);
    assert_int_equal(floe_table_meta_current_snapshot(m)->sequence_number, 3);
    const floe_ice_field *f =
        floe_ice_schema_find_name(floe_table_meta_current_schema(m), "__happy__");
    assert_non_null(f);
    assert_int_equal(f->type->id, FLOE_ICE_BOOLEAN);

    m = fixture(t, "java_api_eq_deletes_identity_partition/metadata/v6.metadata.json");
    assert_int_equal(m->n_snapshots, 5);
    for (size_t i = 0; i < m->n_snapshots; i++) {
        assert_int_equal(m->snapshots[i].sequence_number, (int64_t)i + 1);
    }
    assert_int_equal(m->last_sequence_number, 5);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_int_equal(spec->n_fields, 1);
    assert_int_equal(spec->fields[0].transform.kind, FLOE_ICE_T_IDENTITY);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    const floe_ice_field *name = floe_ice_schema_find_name(s, "name");
    assert_int_equal(spec->fields[0].source_id, name->id);
    assert_true(floe_ice_schema_find_name(s, "id")->required);
}

static void test_bucket_identity_rename_facts(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = fixture(t, "spark_bucket_identity_rename/metadata/v3.metadata.json");
    assert_int_equal(m->current_snapshot_id, INT64_C(5276958600260276572));
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_int_equal(spec->n_fields, 2);
    assert_string_equal(spec->fields[0].name, "id_bucket");
    assert_int_equal(spec->fields[0].transform.kind, FLOE_ICE_T_BUCKET);
    assert_int_equal(spec->fields[0].transform.param, 4);
    assert_int_equal(spec->fields[0].source_id, 1);
    assert_int_equal(spec->fields[0].field_id, 1000);
    assert_string_equal(spec->fields[1].name, "date");
    assert_int_equal(spec->fields[1].transform.kind, FLOE_ICE_T_IDENTITY);
    assert_int_equal(spec->fields[1].source_id, 3);
    /* the rename keeps id 3 */
    const floe_ice_schema *s1 = floe_table_meta_current_schema(m);
    const floe_ice_schema *s0 = floe_table_meta_schema(m, 0);
    assert_int_equal(floe_ice_schema_find_name(s1, "event_date")->id, 3);
    assert_int_equal(floe_ice_schema_find_name(s0, "date")->id, 3);
    assert_null(floe_ice_schema_find_name(s1, "date"));
    const floe_ice_field *price = floe_ice_schema_find_id(s1, 4);
    assert_int_equal(price->type->id, FLOE_ICE_DECIMAL);
    assert_int_equal(price->type->precision, 10);
    assert_int_equal(price->type->scale, 2);
    /* the partition type: int bucket, date identity */
    floe_err err = {0};
    const floe_ice_type *pt;
    FLOE_ASSERT_OK(floe_partition_spec_type(t->arena, spec, s1, &pt, &err), &err);
    assert_int_equal(pt->n_fields, 2);
    assert_int_equal(pt->fields[0].type->id, FLOE_ICE_INT);
    assert_int_equal(pt->fields[1].type->id, FLOE_ICE_DATE);
    assert_int_equal(pt->fields[1].id, 1001);
    assert_int_equal(m->n_metadata_log, 2);
}

static void test_athena_and_pyiceberg_facts(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m =
        fixture(t, "athena_trino_object_storage/metadata/00001-aaf0d033-d06b-43c7-be60-67f83abd4aca"
                   ".metadata.json");
    assert_int_equal(m->last_sequence_number, 1);
    assert_int_equal(m->n_metadata_log, 1);
    assert_string_equal(floe_table_meta_property(m, "write.object-storage.enabled"), "true");

    m = fixture(t, "pyiceberg_day_partition_map/metadata/00002-0e059d4b-e5e8-41af-a763-"
                   "76cbf3a3d0bc.metadata.json");
    assert_int_equal(m->format_version, 2);
    assert_int_equal(m->n_snapshots, 2);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_string_equal(spec->fields[0].name, "_day");
    assert_int_equal(spec->fields[0].transform.kind, FLOE_ICE_T_DAY);
    const floe_ice_schema *s = floe_table_meta_current_schema(m);
    assert_int_equal(floe_ice_schema_find_name(s, "timestamp")->type->id, FLOE_ICE_TIMESTAMPTZ);
    const floe_ice_field *map = floe_ice_schema_find_name(s, "metadata");
    assert_int_equal(map->type->id, FLOE_ICE_MAP);
    assert_int_equal(floe_ice_schema_find_name(s, "metadata.key")->id, 5);
    assert_int_equal(floe_ice_schema_find_name(s, "metadata.value")->id, 6);
    assert_true(floe_ice_schema_in_repeated(s, 6));
    assert_int_equal(floe_ice_schema_parent_id(s, 6), 4);
    /* time travel through the snapshot log */
    assert_null(floe_table_meta_snapshot_as_of(m, 1772697863586));
    assert_int_equal(floe_table_meta_snapshot_as_of(m, 1772697863590)->snapshot_id,
                     INT64_C(8792170059756986233));
    assert_int_equal(floe_table_meta_snapshot_as_of(m, INT64_MAX)->snapshot_id,
                     INT64_C(554549470069664013));
}

static void test_v1_tables(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = fixture(t, "spark_v1_day_partition/metadata/v2.metadata.json");
    assert_int_equal(m->format_version, 1);
    assert_int_equal(m->current_snapshot_id, INT64_C(7051579356916758811));
    assert_int_equal(m->last_sequence_number, 0);
    const floe_partition_spec *spec = floe_table_meta_default_spec(m);
    assert_string_equal(spec->fields[0].name, "ts_day");
    assert_int_equal(spec->fields[0].transform.kind, FLOE_ICE_T_DAY);

    /* The edge case: only legacy fields and an embedded manifest list. */
    m = fixture(t, "spark_v1_embedded_manifests_edge/metadata/v2.metadata.json");
    assert_int_equal(m->format_version, 1);
    assert_int_equal(m->n_schemas, 1);
    assert_int_equal(m->current_schema_id, 0);
    assert_int_equal(m->n_specs, 1);
    assert_int_equal(m->default_spec_id, 0);
    assert_int_equal(m->specs[0]->fields[0].transform.kind, FLOE_ICE_T_IDENTITY);
    assert_string_equal(m->specs[0]->fields[0].name, "category");
    assert_int_equal(m->n_sort_orders, 1);
    assert_int_equal(m->sort_orders[0]->order_id, 0);
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    assert_null(s->manifest_list);
    assert_int_equal(s->n_manifests, 1);
    assert_true(floe_ends_with(s->manifests[0], "d65f86b0-b799-467f-b1f4-9c697e4c4fc7-m0.avro"));
    /* Written back as v1: the legacy fields are there, and the embedded list survives. */
    json_t *j = floe_table_meta_to_json(m);
    assert_non_null(json_object_get(j, "schema"));
    assert_non_null(json_object_get(j, "partition-spec"));
    assert_non_null(json_object_get(j, "schemas"));
    assert_null(json_object_get(j, "last-sequence-number"));
    json_t *snap = json_array_get(json_object_get(j, "snapshots"), 0);
    assert_int_equal(json_array_size(json_object_get(snap, "manifests")), 1);
    assert_null(json_object_get(snap, "manifest-list"));
    json_decref(j);
}

static void test_gzip_metadata_files_read(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir = floe_test_copy_shared(t, "iceberg");
    const char *src = floe_arena_sprintf(
        t->arena, "%s/spark_bucket_identity_rename/metadata/v3.metadata.json", dir);
    size_t len;
    char *plain = floe_test_read_file(src, &len);
    floe_buf gz;
    floe_buf_init(&gz, 0);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_compress(FLOE_CODEC_GZIP, 0, plain, len, &gz, &err), &err);
    static const char *const names[] = {"00003-x.gz.metadata.json", "v3.metadata.json.gz",
                                        "sniffed.metadata.json"};
    floe_table_meta *ref = read_meta(t, src);
    for (size_t i = 0; i < FLOE_ARRAY_LEN(names); i++) {
        const char *p = floe_test_tmp_path(t, names[i]);
        floe_test_write_file(p, gz.data, gz.len);
        floe_table_meta *m = read_meta(t, p);
        json_t *a = floe_table_meta_to_json(m), *b = floe_table_meta_to_json(ref);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    /* and a gzip file we write reads back */
    floe_fileio *io = floe_fileio_local_new(NULL);
    const char *out = floe_test_tmp_path(t, "00004-y.gz.metadata.json");
    FLOE_ASSERT_OK(floe_iceberg_write_metadata(io, out, ref, &err), &err);
    size_t glen;
    char *raw = floe_test_read_file(out, &glen);
    assert_true(glen > 2 && (uint8_t)raw[0] == 0x1f && (uint8_t)raw[1] == 0x8b);
    free(raw);
    assert_int_equal(read_meta(t, out)->current_snapshot_id, ref->current_snapshot_id);
    /* exclusive create: a second write to the same name fails */
    FLOE_ASSERT_ERR(floe_iceberg_write_metadata(io, out, ref, &err), FLOE_ERR_EXISTS, &err, NULL);
    floe_fileio_free(io);
    floe_buf_fini(&gz);
    free(plain);
}

/* ==== Unknown fields, v3 ==== */

static const char *V3 =
    "{\"format-version\":3,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":1,\"last-updated-ms\":1,"
    "\"last-column-id\":3,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp_ns\"},"
    "{\"id\":3,\"name\":\"g\",\"required\":false,\"type\":\"geography(srid:4326, karney)\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,"
    "\"fields\":[]}],\"properties\":{},\"current-snapshot-id\":1,\"next-row-id\":100,"
    "\"encryption-keys\":[{\"key-id\":\"k1\",\"encrypted-key-metadata\":\"aWNlYmVyZwo=\","
    "\"properties\":{\"a\":\"b\"}}],"
    "\"refs\":{\"main\":{\"snapshot-id\":1,\"type\":\"branch\"},\"t1\":{\"snapshot-id\":1,"
    "\"type\":\"tag\",\"max-ref-age-ms\":1000}},"
    "\"snapshots\":[{\"sequence-number\":1,\"snapshot-id\":1,\"timestamp-ms\":1,"
    "\"summary\":{\"operation\":\"append\",\"added-records\":\"100\"},\"manifest-list\":\"s3://m\","
    "\"schema-id\":0,\"first-row-id\":0,\"added-rows\":100,\"key-id\":\"k1\"}],"
    "\"statistics\":[{\"snapshot-id\":1,\"statistics-path\":\"s3://s.puffin\","
    "\"file-size-in-bytes\":10,\"file-footer-size-in-bytes\":5,\"blob-metadata\":[{\"type\":"
    "\"apache-datasketches-theta-v1\",\"snapshot-id\":1,\"sequence-number\":1,\"fields\":[1]}]}],"
    "\"partition-statistics\":[{\"snapshot-id\":1,\"statistics-path\":\"s3://p.parquet\","
    "\"file-size-in-bytes\":7}],"
    "\"snapshot-log\":[{\"timestamp-ms\":1,\"snapshot-id\":1}],\"metadata-log\":[],"
    "\"x-future-field\":{\"nested\":[1,2.5,\"three\",null]}}";

static void test_v3_fields_and_unknown_fields_survive(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(parse_text(t, V3, &m, &err), &err);
    assert_int_equal(m->format_version, 3);
    assert_int_equal(m->next_row_id, 100);
    assert_int_equal(m->n_encryption_keys, 1);
    assert_string_equal(m->encryption_keys[0].key_id, "k1");
    assert_int_equal(m->snapshots[0].first_row_id, 0);
    assert_int_equal(m->snapshots[0].added_rows, 100);
    assert_string_equal(m->snapshots[0].key_id, "k1");
    assert_int_equal(m->n_extra, 1);
    assert_string_equal(m->extra[0].key, "x-future-field");
    const floe_snapshot_ref *tag = floe_table_meta_ref(m, "t1");
    assert_int_equal(tag->type, FLOE_REF_TAG);
    assert_true(tag->has_max_ref_age_ms);
    assert_int_equal(m->n_statistics, 1);
    assert_int_equal(m->n_partition_statistics, 1);
    const floe_ice_field *g = floe_ice_schema_find_id(floe_table_meta_current_schema(m), 3);
    assert_string_equal(g->type->crs, "srid:4326");
    assert_string_equal(g->type->algorithm, "karney");
    json_t *orig = ice_test_json(V3);
    json_t *ours = floe_table_meta_to_json(m);
    assert_true(json_equal(orig, ours));
    json_decref(orig);
    json_decref(ours);
}

static void test_v3_without_current_snapshot_writes_null(void **state)
{
    floe_test_ctx *t = *state;
    json_t *j = ice_test_json(V3);
    json_object_set_new(j, "current-snapshot-id", json_null());
    json_object_del(j, "refs");
    json_object_set_new(j, "snapshot-log", json_array());
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, j, &m, &err), &err);
    assert_int_equal(m->current_snapshot_id, -1);
    assert_int_equal(m->n_refs, 0);
    json_t *out = floe_table_meta_to_json(m);
    assert_true(json_is_null(json_object_get(out, "current-snapshot-id")));
    json_decref(out);
    json_decref(j);
}

/* ==== Malformed metadata ==== */

/* A valid v2 document to break one field at a time. */
static const char *V2 =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":1,\"last-updated-ms\":1,"
    "\"last-column-id\":2,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"y\",\"required\":false,\"type\":\"string\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,"
    "\"fields\":[]}],\"current-snapshot-id\":5,"
    "\"snapshots\":[{\"sequence-number\":1,\"snapshot-id\":5,\"timestamp-ms\":1,"
    "\"summary\":{\"operation\":\"append\"},\"manifest-list\":\"s3://m\"}]}";

typedef struct bad_case {
    const char *key;  /* top-level key to change */
    const char *json; /* new value (NULL: remove the key) */
    floe_status want;
    const char *msg;
} bad_case;

static void test_malformed_metadata_fails_clearly(void **state)
{
    floe_test_ctx *t = *state;
    static const bad_case cases[] = {
        {"format-version", NULL, FLOE_ERR_CORRUPT, "format-version: missing"},
        {"format-version", "4", FLOE_ERR_UNSUPPORTED, "unsupported table format version 4"},
        {"format-version", "\"2\"", FLOE_ERR_CORRUPT, "format-version: expected an integer"},
        {"format-version", "0", FLOE_ERR_CORRUPT, "not a valid format version"},
        {"table-uuid", NULL, FLOE_ERR_CORRUPT, "table-uuid: missing"},
        {"location", "7", FLOE_ERR_CORRUPT, "location: expected a string"},
        {"last-sequence-number", NULL, FLOE_ERR_CORRUPT, "last-sequence-number: missing"},
        {"last-column-id", "3000000000", FLOE_ERR_CORRUPT, "out of range for a 32-bit integer"},
        {"last-updated-ms", "1.5", FLOE_ERR_CORRUPT, "last-updated-ms: expected an integer"},
        {"schemas", NULL, FLOE_ERR_CORRUPT, "schemas: missing (required in format v2)"},
        {"schemas", "{}", FLOE_ERR_CORRUPT, "schemas: expected an array"},
        {"current-schema-id", "7", FLOE_ERR_CORRUPT, "current-schema-id 7 not found in schemas"},
        {"partition-specs", NULL, FLOE_ERR_CORRUPT, "partition-specs: missing"},
        {"default-spec-id", "3", FLOE_ERR_CORRUPT, "default-spec-id 3 not found"},
        {"last-partition-id", NULL, FLOE_ERR_CORRUPT, "last-partition-id: missing"},
        {"sort-orders", NULL, FLOE_ERR_CORRUPT, "sort-orders: missing"},
        {"default-sort-order-id", "2", FLOE_ERR_CORRUPT, "default-sort-order-id 2 not found"},
        {"current-snapshot-id", "6", FLOE_ERR_CORRUPT, "current-snapshot-id 6 not found"},
        {"last-sequence-number", "0", FLOE_ERR_CORRUPT, "greater than last-sequence-number 0"},
        {"refs", "{\"main\":{\"snapshot-id\":9,\"type\":\"branch\"}}", FLOE_ERR_CORRUPT,
         "refs: main points at snapshot 9, which does not exist"},
        {"refs", "{\"main\":{\"snapshot-id\":5,\"type\":\"twig\"}}", FLOE_ERR_CORRUPT,
         "refs: main: type: expected \"branch\" or \"tag\""},
        {"snapshots",
         "[{\"sequence-number\":1,\"snapshot-id\":5,\"timestamp-ms\":1,"
         "\"manifest-list\":\"a\"},{\"sequence-number\":1,\"snapshot-id\":5,\"timestamp-ms\":1,"
         "\"manifest-list\":\"b\"}]",
         FLOE_ERR_CORRUPT, "snapshot id 5 is used twice"},
        {"snapshots", "[{\"snapshot-id\":5,\"timestamp-ms\":1}]", FLOE_ERR_CORRUPT,
         "snapshots[0]: manifest-list: missing"},
        {"properties", "{\"a\":1}", FLOE_ERR_CORRUPT, "properties: value of \"a\""},
        {"partition-specs",
         "[{\"spec-id\":0,\"fields\":[{\"name\":\"b\",\"transform\":\"bucket[0]\","
         "\"source-id\":1,\"field-id\":1000}]}]",
         FLOE_ERR_CORRUPT, "partition-specs[0]: partition field 0: invalid transform"},
        {"partition-specs",
         "[{\"spec-id\":0,\"fields\":[{\"name\":\"b\",\"transform\":\"identity\","
         "\"source-id\":1,\"field-id\":-1000}]}]",
         FLOE_ERR_CORRUPT, "field-id: -1000 must not be negative"},
        {"partition-specs", "[{\"spec-id\":-2,\"fields\":[]}]", FLOE_ERR_CORRUPT,
         "spec-id: -2 must not be negative"},
        {"schemas",
         "[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\","
         "\"required\":true,\"type\":\"long\"},{\"id\":1,\"name\":\"y\",\"required\":true,"
         "\"type\":\"int\"}]}]",
         FLOE_ERR_CORRUPT, "duplicate field id 1"},
        {"schemas",
         "[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\","
         "\"required\":true,\"type\":\"decimal(39,2)\"}]}]",
         FLOE_ERR_CORRUPT, "invalid type \"decimal(39,2)\""},
        {"schemas",
         "[{\"type\":\"struct\",\"schema-id\":0,\"identifier-field-ids\":[2],\"fields\":[{\"id\":"
         "2,\"name\":\"x\",\"required\":false,\"type\":\"long\"}]}]",
         FLOE_ERR_CORRUPT, "identifier field x: not a required field"},
        {"schemas",
         "[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"x\","
         "\"required\":true,\"type\":\"long\"}]},{\"type\":\"struct\",\"schema-id\":0,"
         "\"fields\":[]}]",
         FLOE_ERR_CORRUPT, "schema id 0 is used twice"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        json_t *j = ice_test_json(V2);
        if (cases[i].json == NULL) {
            json_object_del(j, cases[i].key);
        } else {
            json_object_set_new(j, cases[i].key, ice_test_json(cases[i].json));
        }
        floe_err err = {0};
        floe_table_meta *m = NULL;
        floe_status st = floe_iceberg_metadata_from_json(t->arena, j, &m, &err);
        if (st != cases[i].want || strstr(err.msg, cases[i].msg) == NULL) {
            print_error("case %zu (%s): got %s \"%s\", want %s \"%s\"\n", i, cases[i].key,
                        floe_status_name(st), err.msg, floe_status_name(cases[i].want),
                        cases[i].msg);
            fail();
        }
        json_decref(j);
    }
}

static void test_malformed_text_fails_clearly(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_ERR(parse_text(t, "{\"format-version\": 2,", &m, &err), FLOE_ERR_CORRUPT, &err,
                    "invalid JSON at line 1");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(parse_text(t, "[1,2]", &m, &err), FLOE_ERR_CORRUPT, &err, "expected an object");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(parse_text(t, "{\"format-version\": 99999999999999999999999}", &m, &err),
                    FLOE_ERR_CORRUPT, &err, "too big");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(parse_text(t, "{\"format-version\": 2, \"format-version\": 2}", &m, &err),
                    FLOE_ERR_CORRUPT, &err, "duplicate");
    floe_err_clear(&err);
    /* a type nested past the depth limit */
    floe_buf deep;
    floe_buf_init(&deep, 0);
    floe_buf_append_str(&deep,
                        "{\"format-version\":2,\"table-uuid\":\"u\",\"location\":\"l\","
                        "\"last-sequence-number\":0,\"last-updated-ms\":0,"
                        "\"last-column-id\":1,\"current-schema-id\":0,\"schemas\":"
                        "[{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,"
                        "\"name\":\"l\",\"required\":true,\"type\":",
                        NULL);
    for (int i = 0; i < 300; i++) {
        floe_buf_printf(&deep, NULL,
                        "{\"type\":\"list\",\"element-id\":%d,\"element-required\":true,"
                        "\"element\":",
                        i + 2);
    }
    floe_buf_append_str(&deep, "\"int\"", NULL);
    for (int i = 0; i < 300; i++) {
        floe_buf_append_str(&deep, "}", NULL);
    }
    floe_buf_append_str(&deep, "}]}]}", NULL);
    floe_status st = parse_text(t, floe_buf_cstr(&deep), &m, &err);
    floe_buf_fini(&deep);
    FLOE_ASSERT_ERR(st, FLOE_ERR_TOO_BIG, &err, "nesting deeper than");
    /* an arena too small for the document */
    floe_arena *tiny = floe_arena_new(512);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_iceberg_parse_metadata(tiny, floe_str_c(V2), &m, &err), FLOE_ERR_TOO_BIG,
                    &err, NULL);
    floe_arena_free(tiny);
    /* a missing file */
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_iceberg_read_metadata(t->arena, io, floe_test_tmp_path(t, "nope.json"), &m, &err),
        FLOE_ERR_NOT_FOUND, &err, "nope.json");
    /* a corrupt gzip file */
    const char *gz = floe_test_tmp_path(t, "bad.gz.metadata.json");
    floe_test_write_file(gz, "\x1f\x8b\x08\x00garbage", 12);
    floe_err_clear(&err);
    assert_int_not_equal(floe_iceberg_read_metadata(t->arena, io, gz, &m, &err), FLOE_OK);
    assert_non_null(strstr(err.msg, "bad.gz.metadata.json"));
    floe_fileio_free(io);
}

static void test_metadata_file_names(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(parse_text(t, V2, &m, &err), &err);
    const char *n = floe_iceberg_metadata_file_name(t->arena, m, 7, false);
    assert_true(floe_starts_with(n, "s3://b/t/metadata/00007-"));
    assert_true(floe_ends_with(n, ".metadata.json"));
    assert_int_equal(strlen(n), strlen("s3://b/t/metadata/00007-") + 36 + 14);
    n = floe_iceberg_metadata_file_name(t->arena, m, 123456, true);
    assert_true(floe_ends_with(n, ".gz.metadata.json"));
    assert_non_null(strstr(n, "/123456-"));
    assert_int_equal(floe_table_meta_property_int(m, "missing", 42), 42);
}

FLOE_TEST_GROUP(metadata)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_fixture_parses_and_round_trips, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_spark_schema_evolution_facts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_java_deletes_facts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_bucket_identity_rename_facts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_athena_and_pyiceberg_facts, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v1_tables, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_gzip_metadata_files_read, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v3_fields_and_unknown_fields_survive, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_v3_without_current_snapshot_writes_null,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_metadata_fails_clearly, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_text_fails_clearly, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_metadata_file_names, floe_test_setup,
                                        floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
