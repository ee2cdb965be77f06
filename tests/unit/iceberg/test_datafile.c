/* SPDX-License-Identifier: Apache-2.0 */
/* Data files and manifest entries: file format names and inheritance of tracking fields. */
#include "ice_helpers.h"

static void test_file_format_names(void **state)
{
    (void)state;
    floe_file_format f;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_file_format_parse("PARQUET", &f, &err), &err); /* as Java writes it */
    assert_int_equal(f, FLOE_FORMAT_PARQUET);
    FLOE_ASSERT_OK(floe_file_format_parse("avro", &f, &err), &err);
    assert_int_equal(f, FLOE_FORMAT_AVRO);
    FLOE_ASSERT_OK(floe_file_format_parse("Puffin", &f, &err), &err);
    assert_string_equal(floe_file_format_name(f), "puffin");
    assert_string_equal(floe_file_format_name(FLOE_FORMAT_ORC), "orc");
    FLOE_ASSERT_ERR(floe_file_format_parse("csv", &f, &err), FLOE_ERR_UNSUPPORTED, &err,
                    "unknown file format \"csv\"");
}

static void test_manifest_entry_inheritance(void **state)
{
    (void)state;
    floe_manifest_file mf = {
        .manifest_path = "m.avro", .sequence_number = 7, .added_snapshot_id = 99};
    floe_err err = {0};
    /* ADDED with nothing set: everything comes from the manifest list entry */
    floe_manifest_entry e = {.status = FLOE_ENTRY_ADDED};
    FLOE_ASSERT_OK(floe_manifest_entry_inherit(&e, &mf, 2, &err), &err);
    assert_int_equal(e.snapshot_id, 99);
    assert_int_equal(e.sequence_number, 7);
    assert_int_equal(e.file_sequence_number, 7);
    /* ADDED with an explicit data sequence number (compaction): only the file one inherits */
    floe_manifest_entry c = {
        .status = FLOE_ENTRY_ADDED, .has_sequence_number = true, .sequence_number = 3};
    FLOE_ASSERT_OK(floe_manifest_entry_inherit(&c, &mf, 2, &err), &err);
    assert_int_equal(c.sequence_number, 3);
    assert_int_equal(c.file_sequence_number, 7);
    /* EXISTING entries keep their own values and must have them */
    floe_manifest_entry x = {.status = FLOE_ENTRY_EXISTING,
                             .has_snapshot_id = true,
                             .snapshot_id = 5,
                             .has_sequence_number = true,
                             .sequence_number = 2,
                             .has_file_sequence_number = true,
                             .file_sequence_number = 2};
    FLOE_ASSERT_OK(floe_manifest_entry_inherit(&x, &mf, 2, &err), &err);
    assert_int_equal(x.snapshot_id, 5);
    assert_int_equal(x.sequence_number, 2);
    floe_manifest_entry bad = {.status = FLOE_ENTRY_DELETED};
    bad.file.file_path = "s3://b/t/data/f.parquet";
    FLOE_ASSERT_ERR(floe_manifest_entry_inherit(&bad, &mf, 2, &err), FLOE_ERR_CORRUPT, &err,
                    "deleted entry for s3://b/t/data/f.parquet has no sequence number");
    /* v1 manifests: sequence numbers are 0 */
    floe_manifest_entry v1 = {.status = FLOE_ENTRY_EXISTING};
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_manifest_entry_inherit(&v1, &mf, 1, &err), &err);
    assert_int_equal(v1.sequence_number, 0);
    assert_int_equal(v1.file_sequence_number, 0);
    assert_int_equal(v1.snapshot_id, 99);
}

FLOE_TEST_GROUP(datafile)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_format_names),
        cmocka_unit_test(test_manifest_entry_inheritance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
