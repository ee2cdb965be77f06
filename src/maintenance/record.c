/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run records: what a maintenance run did, as the JSON the server stores and shows. Field
 * names are kebab-case like the Iceberg REST API.
 */
#include "mnt_int.h"

#include <strings.h>

static const char *const action_names[] = {"expire-snapshots", "clean-orphan-files",
                                           "clean-dangling-delete-files", "expire-data",
                                           "auto-create-tag"};

const char *floe_mnt_action_name(floe_mnt_action a)
{
    return (unsigned)a < FLOE_ARRAY_LEN(action_names) ? action_names[a] : "unknown";
}

floe_status floe_mnt_action_parse(const char *s, floe_mnt_action *out, floe_err *err)
{
    for (size_t i = 0; s != NULL && i < FLOE_ARRAY_LEN(action_names); i++) {
        if (strcasecmp(s, action_names[i]) == 0) {
            *out = (floe_mnt_action)i;
            return FLOE_OK;
        }
    }
    static const char *const aliases[] = {"expire", "clean-orphans", "clean-dangling-deletes", NULL,
                                          "auto-tag"};
    for (size_t i = 0; s != NULL && i < FLOE_ARRAY_LEN(aliases); i++) {
        if (aliases[i] != NULL && strcasecmp(s, aliases[i]) == 0) {
            *out = (floe_mnt_action)i;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "unknown maintenance action '%s'",
                        s != NULL ? s : "");
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v != NULL ? json_string(v) : json_null());
}

json_t *floe_mnt_run_to_json(const floe_mnt_run *r)
{
    json_t *o = json_object();
    char iso[FLOE_ISO_TIME_MAX];
    floe_time_format_iso(mnt_sat_mul(r->started_ms, MNT_US_PER_MS), iso);
    json_object_set_new(o, "action", json_string(floe_mnt_action_name(r->action)));
    set_str(o, "table", r->table);
    json_object_set_new(o, "started-at", json_string(iso));
    json_object_set_new(o, "started-ms", json_integer(r->started_ms));
    json_object_set_new(o, "duration-ms", json_integer(r->duration_ms));
    json_object_set_new(o, "dry-run", json_boolean(r->dry_run));
    json_object_set_new(o, "status",
                        json_string(r->status == FLOE_OK ? "ok" : floe_status_name(r->status)));
    set_str(o, "error", r->status == FLOE_OK ? NULL : r->error);
    set_str(o, "skipped", r->skipped);
    json_t *c = json_object();
    json_object_set_new(c, "snapshots-expired", json_integer((json_int_t)r->snapshots_expired));
    json_object_set_new(c, "refs-removed", json_integer((json_int_t)r->refs_removed));
    json_object_set_new(c, "files-listed", json_integer((json_int_t)r->files_listed));
    json_object_set_new(c, "files-removed", json_integer((json_int_t)r->files_removed));
    json_object_set_new(c, "files-deleted", json_integer((json_int_t)r->deleted.deleted));
    json_object_set_new(c, "files-missing", json_integer((json_int_t)r->deleted.missing));
    json_object_set_new(c, "files-failed", json_integer((json_int_t)r->deleted.failed));
    json_object_set_new(c, "bytes-deleted", json_integer((json_int_t)r->deleted.bytes));
    json_object_set_new(c, "dirs-removed", json_integer((json_int_t)r->dirs_removed));
    json_t *k = json_object();
    for (int i = 0; i < FLOE_MNT_FILE_KIND_COUNT; i++) {
        json_object_set_new(k, floe_mnt_file_kind_name((floe_mnt_file_kind)i),
                            json_integer((json_int_t)r->deleted.by_kind[i]));
    }
    json_object_set_new(c, "by-kind", k);
    json_object_set_new(o, "counts", c);
    set_str(o, "tag", r->tag_name);
    json_object_set_new(o, "snapshot-id",
                        r->snapshot_id != 0 ? json_integer(r->snapshot_id) : json_null());
    set_str(o, "base-metadata", r->base_metadata);
    set_str(o, "committed-metadata", r->committed_metadata);
    return o;
}
