/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the REST commit path: a CommitTableRequest body (requirements and updates) is parsed,
 * written back and parsed again, checked against a fixed table and applied to it; whatever
 * applies must be valid metadata that round-trips. The same bytes are also tried as a
 * CreateTableRequest. This is what the catalog server runs on untrusted request bodies.
 */
#include "floe/iceberg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char BASE[] =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":2,\"last-updated-ms\":1000,"
    "\"last-column-id\":4,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"identifier-field-ids\":[1],\"fields\":[{\"id\":1,\"name\":\"id\","
    "\"required\":true,\"type\":\"long\"},{\"id\":2,\"name\":\"data\",\"required\":false,\"type\":"
    "\"string\"},{\"id\":3,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},{\"id\":4,"
    "\"name\":\"p\",\"required\":false,\"type\":\"decimal(9,2)\"}]}],\"default-spec-id\":1,"
    "\"partition-specs\":[{\"spec-id\":0,\"fields\":[]},{\"spec-id\":1,\"fields\":[{\"name\":"
    "\"ts_day\",\"transform\":\"day\",\"source-id\":3,\"field-id\":1000}]}],"
    "\"last-partition-id\":1000,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,"
    "\"fields\":[]}],\"properties\":{\"owner\":\"fuzz\"},\"current-snapshot-id\":2,"
    "\"refs\":{\"main\":{\"snapshot-id\":2,\"type\":\"branch\"},\"t\":{\"snapshot-id\":1,"
    "\"type\":\"tag\"}},\"snapshots\":[{\"sequence-number\":1,\"snapshot-id\":1,\"timestamp-ms\":"
    "900,\"summary\":{\"operation\":\"append\"},\"manifest-list\":\"s3://b/t/m1.avro\"},"
    "{\"sequence-number\":2,\"snapshot-id\":2,\"parent-snapshot-id\":1,\"timestamp-ms\":950,"
    "\"summary\":{\"operation\":\"append\"},\"manifest-list\":\"s3://b/t/m2.avro\"}],"
    "\"snapshot-log\":[{\"timestamp-ms\":900,\"snapshot-id\":1},{\"timestamp-ms\":950,"
    "\"snapshot-id\":2}],\"metadata-log\":[]}";

static void check_round_trip(floe_arena *a, const floe_table_meta *m)
{
    floe_err err = {0};
    json_t *j1 = floe_table_meta_to_json(m);
    floe_table_meta *m2 = NULL;
    FLOE_VERIFY(floe_iceberg_metadata_from_json(a, j1, &m2, &err) == FLOE_OK);
    json_t *j2 = floe_table_meta_to_json(m2);
    FLOE_VERIFY(json_equal(j1, j2));
    json_decref(j1);
    json_decref(j2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        return 0;
    }
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_err err = {0};
    floe_table_meta *base = NULL;
    FLOE_VERIFY(floe_iceberg_parse_metadata(a, floe_str_c(BASE), &base, &err) == FLOE_OK);
    base->metadata_location = "s3://b/t/metadata/00002.metadata.json";

    floe_ice_commit_request req;
    if (floe_ice_commit_request_from_json(a, j, &req, &err) == FLOE_OK) {
        /* what parses writes back to JSON that parses again */
        json_t *back = floe_ice_commit_request_to_json(&req);
        floe_ice_commit_request again;
        floe_err err2 = {0};
        FLOE_VERIFY(floe_ice_commit_request_from_json(a, back, &again, &err2) == FLOE_OK);
        FLOE_VERIFY(again.n_reqs == req.n_reqs && again.n_updates == req.n_updates);
        json_decref(back);

        bool create = false;
        for (size_t i = 0; i < req.n_reqs; i++) {
            create = create || req.reqs[i].kind == FLOE_ICE_REQ_ASSERT_CREATE;
        }
        const floe_table_meta *target = create ? NULL : base;
        floe_err_clear(&err);
        if (floe_ice_requirements_check(target, req.reqs, req.n_reqs, &err) == FLOE_OK) {
            floe_ice_apply_opts o = {.now_ms = 2000};
            floe_table_meta *out = NULL;
            bool changed = false;
            if (floe_ice_updates_apply(a, target, req.updates, req.n_updates, &o, &out, &changed,
                                       &err) == FLOE_OK) {
                check_round_trip(a, out);
            } else {
                FLOE_VERIFY(err.code != FLOE_OK && err.code != FLOE_ERR_INTERNAL);
            }
        }
    }
    floe_ice_create_opts co;
    floe_err_clear(&err);
    if (floe_ice_create_request_from_json(a, j, &co, &err) == FLOE_OK) {
        co.location = "s3://w/t";
        co.now_ms = 1;
        floe_table_meta *m = NULL;
        if (floe_ice_table_create(a, &co, &m, &err) == FLOE_OK) {
            check_round_trip(a, m);
        } else {
            FLOE_VERIFY(err.code != FLOE_ERR_INTERNAL);
        }
    }
    json_decref(j);
    floe_arena_free(a);
    return 0;
}
