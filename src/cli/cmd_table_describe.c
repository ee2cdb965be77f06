/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table describe|snapshots|files|history`: what a table's metadata and manifests say, as
 * aligned text for people or (--json) as JSON for scripts. describe prints one JSON object;
 * the others print one JSON object per line.
 */
#include "cmd_table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ==== Helpers ==== */

static void print_json_line(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (s != NULL) {
        printf("%s\n", s);
    }
    free(s);
    json_decref(j);
}

static const char *iso_ms(int64_t ms, char *buf)
{
    floe_time_format_iso(ms * 1000, buf);
    return buf;
}

static json_t *summary_json(const floe_snapshot *s)
{
    json_t *sum = json_object();
    for (size_t i = 0; i < s->n_summary; i++) {
        json_object_set_new(sum, s->summary[i].key, json_string(s->summary[i].value));
    }
    return sum;
}

static json_t *snapshot_json(const floe_snapshot *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "snapshot-id", json_integer(s->snapshot_id));
    json_object_set_new(j, "parent-snapshot-id",
                        s->has_parent ? json_integer(s->parent_id) : json_null());
    json_object_set_new(j, "sequence-number", json_integer(s->sequence_number));
    json_object_set_new(j, "timestamp-ms", json_integer(s->timestamp_ms));
    json_object_set_new(j, "operation", s->operation ? json_string(s->operation) : json_null());
    json_object_set_new(j, "schema-id",
                        s->has_schema_id ? json_integer(s->schema_id) : json_null());
    if (s->manifest_list != NULL) {
        json_object_set_new(j, "manifest-list", json_string(s->manifest_list));
    }
    json_object_set_new(j, "summary", summary_json(s));
    return j;
}

/* "id_bucket: bucket[4](id) -> 1000" for a partition field. */
static void print_spec(const floe_table_meta *m, const floe_partition_spec *sp,
                       const floe_ice_schema *schema)
{
    printf("partition spec %d:%s\n", sp->spec_id,
           floe_partition_spec_is_unpartitioned(sp) ? " unpartitioned" : "");
    (void)m;
    for (size_t i = 0; i < sp->n_fields; i++) {
        const floe_partition_field *f = &sp->fields[i];
        floe_buf t;
        floe_buf_init(&t, 0);
        floe_ice_transform_format(f->transform, &t, NULL);
        const char *src = floe_ice_schema_id_name(schema, f->source_id);
        printf("  %-6d %-20s %s(%s)\n", f->field_id, f->name, floe_buf_cstr(&t),
               src != NULL ? src : "?");
        floe_buf_fini(&t);
    }
}

static void print_fields(const floe_ice_type *t, int depth)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        const floe_ice_field *f = &t->fields[i];
        char *ty = floe_ice_type_is_nested(f->type) ? NULL : tbl_type_text(f->type);
        printf("  %*s%-6d %-*s %-16s %s%s%s\n", depth * 2, "", f->id, 24 - depth * 2, f->name,
               ty != NULL ? ty : floe_ice_type_name(f->type->id),
               f->required ? "required" : "optional", f->doc ? "  -- " : "", f->doc ? f->doc : "");
        free(ty);
        if (floe_ice_type_is_nested(f->type)) {
            print_fields(f->type, depth + 1);
        }
    }
}

/* ==== describe ==== */

static void describe_text(const tbl *t)
{
    const floe_table_meta *m = t->m;
    const floe_ice_schema *schema = floe_table_meta_current_schema(m);
    printf("location       %s\n", m->location ? m->location : "");
    printf("metadata       %s\n", m->metadata_location ? m->metadata_location : "");
    printf("uuid           %s\n", m->table_uuid ? m->table_uuid : "");
    printf("format-version %d\n", m->format_version);
    printf("schema %d:\n", schema->schema_id);
    print_fields(schema->root, 0);
    if (schema->n_identifier_ids > 0) {
        printf("  identifier fields:");
        for (size_t i = 0; i < schema->n_identifier_ids; i++) {
            const char *n = floe_ice_schema_id_name(schema, schema->identifier_ids[i]);
            printf(" %s", n ? n : "?");
        }
        printf("\n");
    }
    print_spec(m, floe_table_meta_default_spec(m), schema);
    const floe_sort_order *so = floe_table_meta_default_sort_order(m);
    printf("sort order %d:%s\n", so ? so->order_id : 0,
           so == NULL || so->n_fields == 0 ? " unsorted" : "");
    for (size_t i = 0; so != NULL && i < so->n_fields; i++) {
        const floe_sort_field *f = &so->fields[i];
        floe_buf tb;
        floe_buf_init(&tb, 0);
        floe_ice_transform_format(f->transform, &tb, NULL);
        const char *src = floe_ice_schema_id_name(schema, f->source_id);
        printf("  %s(%s) %s NULLS %s\n", floe_buf_cstr(&tb), src ? src : "?",
               f->direction == FLOE_SORT_ASC ? "ASC" : "DESC",
               f->null_order == FLOE_NULLS_FIRST ? "FIRST" : "LAST");
        floe_buf_fini(&tb);
    }
    printf("properties:\n");
    for (size_t i = 0; i < m->n_properties; i++) {
        printf("  %s=%s\n", m->properties[i].key, m->properties[i].value);
    }
    printf("current snapshot %lld\n", (long long)m->current_snapshot_id);
    printf("snapshots %zu:\n", m->n_snapshots);
    for (size_t i = 0; i < m->n_snapshots; i++) {
        const floe_snapshot *s = &m->snapshots[i];
        char ts[FLOE_ISO_TIME_MAX];
        printf("  %-20lld seq %-4lld %s %s\n", (long long)s->snapshot_id,
               (long long)s->sequence_number, iso_ms(s->timestamp_ms, ts),
               s->operation ? s->operation : "-");
    }
    printf("refs:\n");
    for (size_t i = 0; i < m->n_refs; i++) {
        printf("  %-20s %s %lld\n", m->refs[i].name,
               m->refs[i].type == FLOE_REF_BRANCH ? "branch" : "tag",
               (long long)m->refs[i].snapshot_id);
    }
}

static json_t *describe_json(const tbl *t)
{
    const floe_table_meta *m = t->m;
    json_t *j = json_object();
    json_object_set_new(j, "location", m->location ? json_string(m->location) : json_null());
    json_object_set_new(j, "metadata-location",
                        m->metadata_location ? json_string(m->metadata_location) : json_null());
    json_object_set_new(j, "table-uuid", m->table_uuid ? json_string(m->table_uuid) : json_null());
    json_object_set_new(j, "format-version", json_integer(m->format_version));
    json_object_set_new(j, "last-sequence-number", json_integer(m->last_sequence_number));
    json_object_set_new(j, "schema", floe_ice_schema_to_json(floe_table_meta_current_schema(m)));
    json_object_set_new(j, "partition-spec",
                        floe_partition_spec_to_json(floe_table_meta_default_spec(m)));
    const floe_sort_order *so = floe_table_meta_default_sort_order(m);
    json_object_set_new(j, "sort-order", so ? floe_sort_order_to_json(so) : json_null());
    json_t *props = json_object();
    for (size_t i = 0; i < m->n_properties; i++) {
        json_object_set_new(props, m->properties[i].key, json_string(m->properties[i].value));
    }
    json_object_set_new(j, "properties", props);
    json_object_set_new(j, "current-snapshot-id",
                        m->current_snapshot_id >= 0 ? json_integer(m->current_snapshot_id)
                                                    : json_null());
    json_t *snaps = json_array();
    for (size_t i = 0; i < m->n_snapshots; i++) {
        json_array_append_new(snaps, snapshot_json(&m->snapshots[i]));
    }
    json_object_set_new(j, "snapshots", snaps);
    json_t *refs = json_object();
    for (size_t i = 0; i < m->n_refs; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "type",
                            json_string(m->refs[i].type == FLOE_REF_BRANCH ? "branch" : "tag"));
        json_object_set_new(r, "snapshot-id", json_integer(m->refs[i].snapshot_id));
        json_object_set_new(refs, m->refs[i].name, r);
    }
    json_object_set_new(j, "refs", refs);
    return j;
}

int tbl_run_describe(const tbl_args *o)
{
    floe_err err = {0};
    tbl t;
    floe_status st = tbl_open(o, false, &t, &err);
    if (st == FLOE_OK) {
        if (o->json) {
            print_json_line(describe_json(&t));
        } else {
            describe_text(&t);
        }
    }
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}

/* ==== snapshots ==== */

int tbl_run_snapshots(const tbl_args *o)
{
    floe_err err = {0};
    tbl t;
    floe_status st = tbl_open(o, false, &t, &err);
    for (size_t i = 0; st == FLOE_OK && i < t.m->n_snapshots; i++) {
        const floe_snapshot *s = &t.m->snapshots[i];
        if (o->json) {
            print_json_line(snapshot_json(s));
            continue;
        }
        char ts[FLOE_ISO_TIME_MAX];
        char parent[24] = "-";
        if (s->has_parent) {
            snprintf(parent, sizeof(parent), "%lld", (long long)s->parent_id);
        }
        printf("%lld\tparent=%s\tseq=%lld\t%s\t%s", (long long)s->snapshot_id, parent,
               (long long)s->sequence_number, iso_ms(s->timestamp_ms, ts),
               s->operation ? s->operation : "-");
        for (size_t k = 0; k < s->n_summary; k++) {
            if (strcmp(s->summary[k].key, "operation") != 0) {
                printf("\t%s=%s", s->summary[k].key, s->summary[k].value);
            }
        }
        printf("\n");
    }
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}

/* ==== history ==== */

static bool is_ancestor(const floe_table_meta *m, int64_t id)
{
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t hops = 0; s != NULL && hops <= m->n_snapshots; hops++) {
        if (s->snapshot_id == id) {
            return true;
        }
        s = s->has_parent ? floe_table_meta_snapshot(m, s->parent_id) : NULL;
    }
    return false;
}

int tbl_run_history(const tbl_args *o)
{
    floe_err err = {0};
    tbl t;
    floe_status st = tbl_open(o, false, &t, &err);
    for (size_t i = 0; st == FLOE_OK && i < t.m->n_snapshot_log; i++) {
        const floe_snapshot_log_entry *e = &t.m->snapshot_log[i];
        const floe_snapshot *s = floe_table_meta_snapshot(t.m, e->snapshot_id);
        bool anc = is_ancestor(t.m, e->snapshot_id);
        if (o->json) {
            json_t *j = json_object();
            json_object_set_new(j, "timestamp-ms", json_integer(e->timestamp_ms));
            json_object_set_new(j, "snapshot-id", json_integer(e->snapshot_id));
            json_object_set_new(j, "parent-snapshot-id",
                                s != NULL && s->has_parent ? json_integer(s->parent_id)
                                                           : json_null());
            json_object_set_new(j, "is-current-ancestor", json_boolean(anc));
            print_json_line(j);
            continue;
        }
        char ts[FLOE_ISO_TIME_MAX];
        char parent[24] = "-";
        if (s != NULL && s->has_parent) {
            snprintf(parent, sizeof(parent), "%lld", (long long)s->parent_id);
        }
        printf("%s\t%lld\tparent=%s\t%s\n", iso_ms(e->timestamp_ms, ts), (long long)e->snapshot_id,
               parent, anc ? "current-ancestor" : "not-current-ancestor");
    }
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}

/* ==== files ==== */

static floe_status print_file(const floe_manifest_entry *e, bool json, floe_buf *out, floe_err *err)
{
    const floe_data_file *f = &e->file;
    floe_buf part;
    floe_buf_init(&part, 0);
    floe_status st = floe_value_to_json(&f->partition, &part, err);
    if (st != FLOE_OK) {
        floe_buf_fini(&part);
        return st;
    }
    if (json) {
        st = floe_buf_printf(
            out, err, "{\"content\":\"%s\",\"file-path\":", floe_file_content_name(f->content));
        if (st == FLOE_OK) {
            st = floe_json_append_string(out, f->file_path, strlen(f->file_path), err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_printf(
                out, err,
                ",\"file-format\":\"%s\",\"spec-id\":%d,\"partition\":%s,\"record-count\":%lld,"
                "\"file-size-in-bytes\":%lld,\"data-sequence-number\":%lld,\"snapshot-id\":%lld",
                floe_file_format_name(f->file_format), f->spec_id, floe_buf_cstr(&part),
                (long long)f->record_count, (long long)f->file_size_in_bytes,
                (long long)e->sequence_number, (long long)e->snapshot_id);
        }
        for (size_t i = 0; st == FLOE_OK && i < f->n_equality_ids; i++) {
            st = floe_buf_printf(out, err, "%s%d", i == 0 ? ",\"equality-ids\":[" : ",",
                                 f->equality_ids[i]);
        }
        if (st == FLOE_OK && f->n_equality_ids > 0) {
            st = floe_buf_append_byte(out, ']', err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_str(out, "}\n", err);
        }
    } else {
        st = floe_buf_printf(
            out, err, "%s\t%s\t%s\tspec=%d\t%s\trecords=%lld\tsize=%lld\tseq=%lld\n",
            floe_file_content_name(f->content), f->file_path, floe_file_format_name(f->file_format),
            f->spec_id, floe_buf_cstr(&part), (long long)f->record_count,
            (long long)f->file_size_in_bytes, (long long)e->sequence_number);
    }
    floe_buf_fini(&part);
    return st;
}

int tbl_run_files(const tbl_args *o)
{
    floe_err err = {0};
    tbl t;
    floe_scan_opts so;
    const floe_snapshot *snap = NULL;
    const floe_manifest_file *mans = NULL;
    size_t n_mans = 0;
    floe_status st = tbl_open_snapshot(o, &t, &so, &snap, &err);
    if (st == FLOE_OK && snap != NULL) {
        st = floe_snapshot_manifests(t.a, t.io, t.m, snap, &mans, &n_mans, &err);
    }
    floe_buf out;
    floe_buf_init(&out, 0);
    floe_arena *ea = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    for (size_t i = 0; st == FLOE_OK && i < n_mans; i++) {
        floe_manifest_read_opts ro = {
            .meta = t.m, .manifest = &mans[i], .skip = FLOE_MANIFEST_SKIP_STATS};
        floe_manifest_reader *r = NULL;
        st = floe_manifest_reader_open(t.io, mans[i].manifest_path, &ro, &r, &err);
        for (;;) {
            if (st != FLOE_OK) {
                break;
            }
            floe_arena_reset(ea);
            floe_manifest_entry e;
            bool got = false;
            st = floe_manifest_reader_next(r, ea, &e, &got, &err);
            if (st != FLOE_OK || !got) {
                break;
            }
            if (e.status != FLOE_ENTRY_DELETED) {
                st = print_file(&e, o->json, &out, &err);
            }
            if (st == FLOE_OK && out.len > ((size_t)1 << 20) && !cli_flush_stdout(&out)) {
                st = floe_err_errno(&err, errno, "writing to standard output");
            }
        }
        floe_manifest_reader_close(r);
    }
    if (!cli_flush_stdout(&out) && st == FLOE_OK) {
        st = floe_err_errno(&err, errno, "writing to standard output");
    }
    floe_buf_fini(&out);
    floe_arena_free(ea);
    tbl_close(&t);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
