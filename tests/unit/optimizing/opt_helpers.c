/* SPDX-License-Identifier: Apache-2.0 */
#include "opt_helpers.h"

#include <stdarg.h>

static const char *META_PART =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":10,\"last-updated-ms\":1,"
    "\"last-column-id\":3,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"region\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"op_time\",\"required\":false,\"type\":\"timestamptz\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[{\"name\":\"region\","
    "\"transform\":\"identity\",\"source-id\":2,\"field-id\":1000}]},{\"spec-id\":1,"
    "\"fields\":[]}],\"last-partition-id\":1000,\"default-sort-order-id\":0,"
    "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],\"properties\":{},"
    "\"current-snapshot-id\":-1,\"snapshots\":[],\"snapshot-log\":[],\"metadata-log\":[]}";

static const char *META_UNPART =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":10,\"last-updated-ms\":1,"
    "\"last-column-id\":3,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"region\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"op_time\",\"required\":false,\"type\":\"timestamptz\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
    "\"last-partition-id\":999,\"default-sort-order-id\":0,"
    "\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],\"properties\":{},"
    "\"current-snapshot-id\":-1,\"snapshots\":[],\"snapshot-log\":[],\"metadata-log\":[]}";

floe_table_meta *oth_meta(floe_arena *a, bool partitioned)
{
    floe_err err = {0};
    floe_table_meta *m = NULL;
    const char *text = partitioned ? META_PART : META_UNPART;
    FLOE_ASSERT_OK(floe_iceberg_parse_metadata(a, floe_str_c(text), &m, &err), &err);
    return m;
}

void oth_files_init(oth_files *f, floe_arena *a)
{
    f->a = a;
    f->scans = 0;
    floe_vec_init(&f->inputs, sizeof(floe_opt_input));
}

void oth_files_fini(oth_files *f)
{
    floe_vec_fini(&f->inputs);
}

static floe_status scan(void *ud, floe_opt_visit_fn visit, void *visit_ud, floe_err *err)
{
    oth_files *f = ud;
    f->scans++;
    for (size_t i = 0; i < f->inputs.n; i++) {
        floe_status st = visit(visit_ud, FLOE_VEC_AT(&f->inputs, floe_opt_input, i), err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

floe_opt_source oth_source(oth_files *f)
{
    return (floe_opt_source){.scan = scan, .ud = f};
}

static floe_value partition_of(floe_arena *a, const char *region)
{
    floe_value v = {0};
    v.kind = FLOE_V_STRUCT;
    if (region == NULL) {
        return v;
    }
    floe_value *items = floe_arena_calloc(a, 1, sizeof(*items));
    const char **names = floe_arena_calloc(a, 1, sizeof(*names));
    items[0] = floe_value_string(floe_arena_strdup(a, region), strlen(region));
    names[0] = "region";
    v.u.nested.items = items;
    v.u.nested.names = names;
    v.u.nested.n = 1;
    return v;
}

floe_manifest_entry *oth_data(oth_files *f, const char *path, const char *region, int64_t size,
                              int64_t records, int64_t seq)
{
    floe_manifest_entry *e = floe_arena_calloc(f->a, 1, sizeof(*e));
    e->status = FLOE_ENTRY_ADDED;
    e->has_sequence_number = true;
    e->sequence_number = seq;
    e->file.content = FLOE_CONTENT_DATA;
    e->file.file_path = floe_arena_strdup(f->a, path);
    e->file.file_format = FLOE_FORMAT_PARQUET;
    e->file.spec_id = 0;
    e->file.partition = partition_of(f->a, region);
    e->file.file_size_in_bytes = size;
    e->file.record_count = records;
    return e;
}

void oth_bounds(floe_arena *a, floe_manifest_entry *e, int64_t lo, int64_t hi)
{
    floe_field_bound *lb = floe_arena_calloc(a, 1, sizeof(*lb));
    floe_field_bound *ub = floe_arena_calloc(a, 1, sizeof(*ub));
    uint8_t *lbytes = floe_arena_alloc(a, 8), *ubytes = floe_arena_alloc(a, 8);
    floe_store_u64le(lbytes, (uint64_t)lo);
    floe_store_u64le(ubytes, (uint64_t)hi);
    lb->field_id = 1;
    lb->bytes = (floe_str){(const char *)lbytes, 8};
    ub->field_id = 1;
    ub->bytes = (floe_str){(const char *)ubytes, 8};
    e->file.lower_bounds = lb;
    e->file.n_lower_bounds = 1;
    e->file.upper_bounds = ub;
    e->file.n_upper_bounds = 1;
}

floe_manifest_entry *oth_delete(oth_files *f, floe_file_content content, const char *path,
                                const char *region, int32_t spec_id, int64_t size, int64_t records,
                                int64_t seq, const char *referenced)
{
    floe_manifest_entry *e = oth_data(f, path, region, size, records, seq);
    e->file.content = content;
    e->file.spec_id = spec_id;
    if (content == FLOE_CONTENT_EQUALITY_DELETES) {
        int32_t *ids = floe_arena_calloc(f->a, 1, sizeof(*ids));
        ids[0] = 1;
        e->file.equality_ids = ids;
        e->file.n_equality_ids = 1;
    }
    e->file.referenced_data_file = referenced ? floe_arena_strdup(f->a, referenced) : NULL;
    return e;
}

void oth_add(oth_files *f, floe_manifest_entry *data, size_t n, ...)
{
    const floe_manifest_entry **dels = NULL;
    if (n > 0) {
        dels = floe_arena_calloc(f->a, n, sizeof(*dels));
        va_list ap;
        va_start(ap, n);
        for (size_t i = 0; i < n; i++) {
            dels[i] = va_arg(ap, const floe_manifest_entry *);
        }
        va_end(ap);
    }
    floe_opt_input in = {.data = data, .deletes = dels, .n_deletes = n};
    floe_vec_push_copy(&f->inputs, &in);
}

floe_opt_props oth_props(floe_arena *a, ...)
{
    floe_kv kv[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, a);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL && n < 32) {
        const char *eq = strchr(s, '=');
        assert_non_null(eq);
        kv[n].key = floe_arena_strndup(a, s, (size_t)(eq - s));
        kv[n].value = floe_arena_strdup(a, eq + 1);
        n++;
    }
    va_end(ap);
    floe_opt_props p;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_opt_props_parse(a, NULL, 0, kv, n, &p, &err), &err);
    return p;
}
