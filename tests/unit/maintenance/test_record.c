/* SPDX-License-Identifier: Apache-2.0 */
/* Run records as JSON, and action names both ways. */
#include "mnt_helpers.h"

static void test_record_json(void **state)
{
    (void)state;
    floe_mnt_run r = {
        .action = FLOE_MNT_EXPIRE_SNAPSHOTS,
        .table = "db.events",
        .started_ms = 1659917400000,
        .duration_ms = 1234,
        .status = FLOE_OK,
        .snapshots_expired = 3,
        .refs_removed = 1,
        .files_listed = 7,
        .deleted = {.deleted = 6,
                    .missing = 1,
                    .bytes = 4096,
                    .by_kind = {[FLOE_MNT_FILE_DATA] = 4, [FLOE_MNT_FILE_MANIFEST_LIST] = 2}},
        .base_metadata = "/t/metadata/v3.metadata.json",
        .committed_metadata = "/t/metadata/v4.metadata.json",
    };
    json_t *j = floe_mnt_run_to_json(&r);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(
        s, "{\"action\":\"expire-snapshots\",\"base-metadata\":\"/t/metadata/v3.metadata.json\","
           "\"committed-metadata\":\"/t/metadata/v4.metadata.json\",\"counts\":{\"by-kind\":{"
           "\"data\":4,\"equality-deletes\":0,\"manifest\":0,\"manifest-list\":2,\"metadata\":0,"
           "\"other\":0,\"position-deletes\":0,\"statistics\":0},\"bytes-deleted\":4096,"
           "\"dirs-removed\":0,\"files-deleted\":6,\"files-failed\":0,\"files-listed\":7,"
           "\"files-missing\":1,\"files-removed\":0,\"refs-removed\":1,\"snapshots-expired\":3},"
           "\"dry-run\":false,"
           "\"duration-ms\":1234,\"error\":null,\"skipped\":null,\"snapshot-id\":null,"
           "\"started-at\":\"2022-08-08T00:10:00.000000Z\","
           "\"started-ms\":1659917400000,\"status\":\"ok\",\"table\":\"db.events\",\"tag\":null}");
    free(s);
    json_decref(j);

    r = (floe_mnt_run){.action = FLOE_MNT_AUTO_TAG,
                       .status = FLOE_ERR_CONFLICT,
                       .error = "tag created concurrently",
                       .tag_name = "tag-20220807",
                       .dry_run = true};
    j = floe_mnt_run_to_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "action")), "auto-create-tag");
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        floe_status_name(FLOE_ERR_CONFLICT));
    assert_string_equal(json_string_value(json_object_get(j, "error")), "tag created concurrently");
    assert_string_equal(json_string_value(json_object_get(j, "tag")), "tag-20220807");
    assert_true(json_is_true(json_object_get(j, "dry-run")));
    assert_true(json_is_null(json_object_get(j, "table")));
    json_decref(j);
}

static void test_record_action_names(void **state)
{
    (void)state;
    for (int i = 0; i < FLOE_MNT_ACTION_COUNT; i++) {
        floe_mnt_action a;
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_mnt_action_parse(floe_mnt_action_name((floe_mnt_action)i), &a, &err),
                       &err);
        assert_int_equal(a, i);
    }
    floe_mnt_action a;
    floe_err err = {0};
    static const struct {
        const char *alias;
        floe_mnt_action want;
    } aliases[] = {{"expire", FLOE_MNT_EXPIRE_SNAPSHOTS},
                   {"CLEAN-ORPHANS", FLOE_MNT_CLEAN_ORPHANS},
                   {"clean-dangling-deletes", FLOE_MNT_CLEAN_DANGLING_DELETES},
                   {"auto-tag", FLOE_MNT_AUTO_TAG}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(aliases); i++) {
        FLOE_ASSERT_OK(floe_mnt_action_parse(aliases[i].alias, &a, &err), &err);
        assert_int_equal(a, aliases[i].want);
    }
    FLOE_ASSERT_ERR(floe_mnt_action_parse("vacuum", &a, &err), FLOE_ERR_INVALID, &err,
                    "unknown maintenance action 'vacuum'");
    assert_string_equal(floe_mnt_action_name(FLOE_MNT_ACTION_COUNT), "unknown");
    assert_string_equal(floe_mnt_file_kind_name(FLOE_MNT_FILE_KIND_COUNT), "unknown");
}

FLOE_TEST_GROUP(record)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_json),
        cmocka_unit_test(test_record_action_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
