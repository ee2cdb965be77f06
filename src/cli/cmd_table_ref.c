/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table tag|branch PATH NAME [--snapshot ID]`: create a tag or a branch on a snapshot
 * (default: the current one). The commit requires that no ref of that name exists, so an
 * existing tag or branch is never moved. Prints the ref as one JSON line.
 */
#include "cmd_table_int.h"

#include <stdlib.h>
#include <string.h>

int tbl_run_ref(const tbl_args *o)
{
    bool tag = strcmp(o->sub, "tag") == 0;
    floe_err err = {0};
    tbl t;
    memset(&t, 0, sizeof(t));
    int64_t id = 0;
    floe_status st = FLOE_OK;
    if (o->snapshot != NULL && floe_parse_i64(o->snapshot, &id, NULL) != FLOE_OK) {
        return cli_usage_error(o->ctx, "--snapshot needs a snapshot id, got '%s'", o->snapshot);
    }
    if (o->ref != NULL || o->as_of != NULL) {
        return cli_usage_error(o->ctx, "name the snapshot with --snapshot ID");
    }
    if (strcmp(o->name, "main") == 0) {
        return cli_usage_error(o->ctx, "'main' is the table's own branch");
    }
    st = tbl_open(o, true, &t, &err);
    const floe_snapshot *s = NULL;
    if (st == FLOE_OK) {
        s = o->snapshot != NULL ? floe_table_meta_snapshot(t.m, id)
                                : floe_table_meta_current_snapshot(t.m);
        if (s == NULL) {
            st = o->snapshot != NULL
                     ? floe_err_set(&err, FLOE_ERR_NOT_FOUND, "no snapshot %s", o->snapshot)
                     : floe_err_set(&err, FLOE_ERR_NOT_FOUND, "the table has no snapshot");
        } else if (floe_table_meta_ref(t.m, o->name) != NULL) {
            st = floe_err_set(&err, FLOE_ERR_EXISTS, "a ref named '%s' exists", o->name);
        }
    }
    if (st == FLOE_OK) {
        floe_ice_requirement req = {.kind = FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID, .ref = o->name};
        floe_ice_update up = {.kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
                              .ref = {.name = o->name,
                                      .snapshot_id = s->snapshot_id,
                                      .type = tag ? FLOE_REF_TAG : FLOE_REF_BRANCH}};
        st = t.cat.ops->commit(t.cat.ctx, t.a, &req, 1, &up, 1, NULL, &err);
    }
    if (st == FLOE_OK) {
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(o->name));
        json_object_set_new(j, "type", json_string(tag ? "tag" : "branch"));
        json_object_set_new(j, "snapshot-id", json_integer(s->snapshot_id));
        char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text != NULL) {
            printf("%s\n", text);
        }
        free(text);
        json_decref(j);
    }
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
