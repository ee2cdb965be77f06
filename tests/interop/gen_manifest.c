/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): writes Iceberg manifests and manifest lists with
 * floe's writer, and dumps what floe's reader sees in any manifest or list, for the interop tests
 * that read the same files with avsc and icebird.
 *
 *   gen_manifest write DIR       write data-v2.avro (deflate), deletes-v2.avro (null codec),
 *                                data-v1.avro, list-v2.avro, list-v1.avro; stdout: one JSON
 *                                object with every entry as written (the expectations)
 *   gen_manifest dump FILE...       floe's reading of manifests (no inheritance), one JSON
 *                                   object per line per file
 *   gen_manifest dump-list FILE...  floe's reading of manifest lists, one JSON object per line
 *
 * Entries are printed in a reader-neutral form: 64-bit integers as decimal strings, bytes as
 * lowercase hex, partition values in their Avro representation (dates as day numbers,
 * timestamps as strings of micros, decimals as unscaled strings), absent optional fields null.
 */
#include "floe/iceberg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *fmt, ...) FLOE_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_manifest: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        die("%s: %s", what, err->msg);
    }
}

/* ==== JSON of entries ==== */

static json_t *i64s(int64_t v)
{
    char s[32];
    snprintf(s, sizeof(s), "%lld", (long long)v);
    return json_string(s);
}

static json_t *hexs(const void *p, size_t len)
{
    char *s = malloc(2 * len + 1);
    if (s == NULL) {
        die("out of memory");
    }
    floe_hex_encode(p, len, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *value_json(const floe_value *v)
{
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_NULL:
        return json_null();
    case FLOE_V_BOOL:
        return json_boolean(v->u.b);
    case FLOE_V_INT:
    case FLOE_V_DATE:
        return json_integer(v->u.i32);
    case FLOE_V_LONG:
    case FLOE_V_TIME:
    case FLOE_V_TIMESTAMP:
        return i64s(v->u.i64);
    case FLOE_V_FLOAT:
        return json_real(v->u.f32);
    case FLOE_V_DOUBLE:
        return json_real(v->u.f64);
    case FLOE_V_DECIMAL: {
        /* Unscaled values of partition decimals fit in 64 bits in these tests. */
        return i64s((int64_t)v->u.dec);
    }
    case FLOE_V_STRING:
        return json_stringn((const char *)v->u.bytes.ptr, v->u.bytes.len);
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return hexs(v->u.bytes.ptr, v->u.bytes.len);
    case FLOE_V_UUID:
        return hexs(v->u.uuid, 16);
    default:
        die("unexpected partition value kind %d", v->kind);
    }
    return NULL;
}

static json_t *counts_json(const floe_field_count *c, size_t n)
{
    if (c == NULL) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_pack("[io]", (int)c[i].field_id, i64s(c[i].value)));
    }
    return a;
}

static json_t *bounds_json(const floe_field_bound *b, size_t n)
{
    if (b == NULL) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            a, json_pack("[io]", (int)b[i].field_id, hexs(b[i].bytes.ptr, b[i].bytes.len)));
    }
    return a;
}

static json_t *file_json(const floe_data_file *f)
{
    json_t *part = json_array();
    for (size_t i = 0; i < f->partition.u.nested.n; i++) {
        json_array_append_new(part, value_json(&f->partition.u.nested.items[i]));
    }
    json_t *splits = json_null();
    if (f->split_offsets != NULL) {
        splits = json_array();
        for (size_t i = 0; i < f->n_split_offsets; i++) {
            json_array_append_new(splits, i64s(f->split_offsets[i]));
        }
    }
    json_t *eq = json_null();
    if (f->equality_ids != NULL) {
        eq = json_array();
        for (size_t i = 0; i < f->n_equality_ids; i++) {
            json_array_append_new(eq, json_integer(f->equality_ids[i]));
        }
    }
    json_t *j = json_object();
    json_object_set_new(j, "content", json_integer(f->content));
    json_object_set_new(j, "file_path", json_string(f->file_path));
    json_object_set_new(j, "file_format", json_string(floe_file_format_name(f->file_format)));
    json_object_set_new(j, "partition", part);
    json_object_set_new(j, "record_count", i64s(f->record_count));
    json_object_set_new(j, "file_size_in_bytes", i64s(f->file_size_in_bytes));
    json_object_set_new(j, "column_sizes", counts_json(f->column_sizes, f->n_column_sizes));
    json_object_set_new(j, "value_counts", counts_json(f->value_counts, f->n_value_counts));
    json_object_set_new(j, "null_value_counts",
                        counts_json(f->null_value_counts, f->n_null_value_counts));
    json_object_set_new(j, "nan_value_counts",
                        counts_json(f->nan_value_counts, f->n_nan_value_counts));
    json_object_set_new(j, "lower_bounds", bounds_json(f->lower_bounds, f->n_lower_bounds));
    json_object_set_new(j, "upper_bounds", bounds_json(f->upper_bounds, f->n_upper_bounds));
    json_object_set_new(j, "key_metadata",
                        f->key_metadata.ptr != NULL ? hexs(f->key_metadata.ptr, f->key_metadata.len)
                                                    : json_null());
    json_object_set_new(j, "split_offsets", splits);
    json_object_set_new(j, "equality_ids", eq);
    json_object_set_new(j, "sort_order_id",
                        f->has_sort_order_id ? json_integer(f->sort_order_id) : json_null());
    json_object_set_new(j, "referenced_data_file",
                        f->referenced_data_file != NULL ? json_string(f->referenced_data_file)
                                                        : json_null());
    return j;
}

static json_t *entry_json(const floe_manifest_entry *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "status", json_integer(e->status));
    json_object_set_new(j, "snapshot_id", e->has_snapshot_id ? i64s(e->snapshot_id) : json_null());
    json_object_set_new(j, "sequence_number",
                        e->has_sequence_number ? i64s(e->sequence_number) : json_null());
    json_object_set_new(j, "file_sequence_number",
                        e->has_file_sequence_number ? i64s(e->file_sequence_number) : json_null());
    json_object_set_new(j, "data_file", file_json(&e->file));
    return j;
}

static json_t *manifest_file_json(const floe_manifest_file *m)
{
    json_t *parts = json_null();
    if (m->partitions != NULL) {
        parts = json_array();
        for (size_t i = 0; i < m->n_partitions; i++) {
            const floe_field_summary *s = &m->partitions[i];
            json_array_append_new(
                parts,
                json_pack("{s:b,s:o,s:o,s:o}", "contains_null", s->contains_null, "contains_nan",
                          s->has_contains_nan ? json_boolean(s->contains_nan) : json_null(),
                          "lower_bound",
                          s->lower_bound.ptr != NULL ? hexs(s->lower_bound.ptr, s->lower_bound.len)
                                                     : json_null(),
                          "upper_bound",
                          s->upper_bound.ptr != NULL ? hexs(s->upper_bound.ptr, s->upper_bound.len)
                                                     : json_null()));
        }
    }
    json_t *j = json_object();
    json_object_set_new(j, "manifest_path", json_string(m->manifest_path));
    json_object_set_new(j, "manifest_length", i64s(m->manifest_length));
    json_object_set_new(j, "partition_spec_id", json_integer(m->partition_spec_id));
    json_object_set_new(j, "content", json_integer(m->content));
    json_object_set_new(j, "sequence_number", i64s(m->sequence_number));
    json_object_set_new(j, "min_sequence_number", i64s(m->min_sequence_number));
    json_object_set_new(j, "added_snapshot_id", i64s(m->added_snapshot_id));
    if (m->has_counts) {
        json_object_set_new(j, "added_files_count", json_integer(m->added_files_count));
        json_object_set_new(j, "existing_files_count", json_integer(m->existing_files_count));
        json_object_set_new(j, "deleted_files_count", json_integer(m->deleted_files_count));
        json_object_set_new(j, "added_rows_count", i64s(m->added_rows_count));
        json_object_set_new(j, "existing_rows_count", i64s(m->existing_rows_count));
        json_object_set_new(j, "deleted_rows_count", i64s(m->deleted_rows_count));
    }
    json_object_set_new(j, "partitions", parts);
    return j;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (s == NULL) {
        die("cannot serialise JSON");
    }
    puts(s);
    free(s);
    json_decref(j);
}

/* ==== dump ==== */

static void read_all(const char *path, floe_buf *out)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        die("cannot open %s", path);
    }
    char chunk[65536];
    size_t n;
    floe_err err = {0};
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        check(floe_buf_append(out, chunk, n, &err), &err, "read");
    }
    fclose(fp);
}

static void dump_manifest(const char *path)
{
    floe_buf buf;
    floe_buf_init(&buf, 0);
    read_all(path, &buf);
    floe_err err = {0};
    floe_manifest_reader *r = NULL;
    check(floe_manifest_reader_open_mem(buf.data, buf.len, NULL, &r, &err), &err, path);
    const floe_manifest_info *info = floe_manifest_reader_info(r);
    json_t *entries = json_array();
    floe_arena *a = floe_arena_new((size_t)256 << 20);
    for (;;) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(a);
        check(floe_manifest_reader_next(r, a, &e, &got, &err), &err, path);
        if (!got) {
            break;
        }
        json_array_append_new(entries, entry_json(&e));
    }
    json_t *j = json_pack("{s:i,s:i,s:i,s:o}", "format_version", info->format_version, "content",
                          (int)info->content, "spec_id", (int)info->spec_id, "entries", entries);
    floe_arena_free(a);
    floe_manifest_reader_close(r);
    floe_buf_fini(&buf);
    print_json(j);
}

static void dump_list(const char *path)
{
    floe_buf buf;
    floe_buf_init(&buf, 0);
    read_all(path, &buf);
    floe_err err = {0};
    floe_arena *a = floe_arena_new((size_t)256 << 20);
    floe_manifest_list l;
    check(floe_manifest_list_parse(a, buf.data, buf.len, &l, &err), &err, path);
    json_t *ms = json_array();
    for (size_t i = 0; i < l.n_manifests; i++) {
        json_array_append_new(ms, manifest_file_json(&l.manifests[i]));
    }
    json_t *j = json_pack(
        "{s:i,s:o,s:o,s:o,s:o}", "format_version", l.format_version, "snapshot_id",
        l.has_snapshot_id ? i64s(l.snapshot_id) : json_null(), "parent_snapshot_id",
        l.has_parent_snapshot_id ? i64s(l.parent_snapshot_id) : json_null(), "sequence_number",
        l.has_sequence_number ? i64s(l.sequence_number) : json_null(), "manifests", ms);
    floe_arena_free(a);
    floe_buf_fini(&buf);
    print_json(j);
}

/* ==== write ==== */

static const char *SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":1,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":3,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":4,\"name\":\"price\",\"required\":false,\"type\":\"decimal(10, 2)\"}]}";

static const char *SPEC = "{\"spec-id\":1,\"fields\":["
                          "{\"name\":\"id_bucket\",\"transform\":\"bucket[16]\",\"source-id\":1,"
                          "\"field-id\":1000},"
                          "{\"name\":\"ts_day\",\"transform\":\"day\",\"source-id\":2,"
                          "\"field-id\":1001},"
                          "{\"name\":\"s\",\"transform\":\"identity\",\"source-id\":3,"
                          "\"field-id\":1002}]}";

static floe_data_file sample_file(floe_arena *a, int i, floe_file_content content)
{
    /* No decimal partition: icebird's Avro reader has no `fixed` (decimals are tested in
     * tests/unit/iceberg/test_manifest.c). */
    floe_value *p = floe_arena_calloc(a, 3, sizeof(*p));
    p[0] = floe_value_int(i * 5 % 16);
    p[1] = i == 2 ? floe_value_null() : floe_value_date(19000 + i);
    p[2] = i == 1 ? floe_value_string("zeta", 4) : floe_value_string("alpha", 5);
    floe_value part = floe_value_null();
    part.kind = FLOE_V_STRUCT;
    part.u.nested.items = p;
    part.u.nested.n = 3;
    floe_field_count *cs = floe_arena_calloc(a, 3, sizeof(*cs));
    cs[0] = (floe_field_count){1, 100 + i};
    cs[1] = (floe_field_count){2, 80};
    cs[2] = (floe_field_count){3, (int64_t)1 << 40};
    floe_field_bound *lo = floe_arena_calloc(a, 2, sizeof(*lo));
    uint8_t *b1 = floe_arena_calloc(a, 8, 1);
    b1[0] = (uint8_t)(i + 1);
    lo[0] = (floe_field_bound){1, {(const char *)b1, 8}};
    lo[1] = (floe_field_bound){3, {"", 0}};
    floe_field_bound *hi = floe_arena_calloc(a, 2, sizeof(*hi));
    uint8_t *b2 = floe_arena_calloc(a, 8, 1);
    b2[0] = (uint8_t)(i + 9);
    b2[7] = 0x80; /* a negative long: sign handling in readers */
    hi[0] = (floe_field_bound){1, {(const char *)b2, 8}};
    hi[1] = (floe_field_bound){3, {"zz\xc3\xa9", 4}};
    int64_t *splits = floe_arena_calloc(a, 2, sizeof(*splits));
    splits[0] = 4;
    splits[1] = 4096 + i;
    static const int32_t eq[] = {1, 3};
    floe_data_file f = {
        .content = content,
        .file_path = floe_arena_sprintf(a, "file:///warehouse/t/data/f-%d.parquet", i),
        .file_format = FLOE_FORMAT_PARQUET,
        .spec_id = 1,
        .partition = part,
        .record_count = 10 + i,
        .file_size_in_bytes = ((int64_t)5 << 33) + i,
        .column_sizes = cs,
        .n_column_sizes = 3,
        .value_counts = cs,
        .n_value_counts = 2,
        .null_value_counts = cs + 1,
        .n_null_value_counts = 1,
        .nan_value_counts = cs,
        .n_nan_value_counts = 0,
        .lower_bounds = lo,
        .n_lower_bounds = 2,
        .upper_bounds = hi,
        .n_upper_bounds = 2,
        .split_offsets = splits,
        .n_split_offsets = 2,
        .equality_ids = content == FLOE_CONTENT_EQUALITY_DELETES ? eq : NULL,
        .n_equality_ids = content == FLOE_CONTENT_EQUALITY_DELETES ? 2 : 0,
        .has_sort_order_id = content != FLOE_CONTENT_POSITION_DELETES,
        .sort_order_id = 0,
        .referenced_data_file = content == FLOE_CONTENT_POSITION_DELETES
                                    ? "file:///warehouse/t/data/f-0.parquet"
                                    : NULL,
    };
    return f;
}

typedef struct writing {
    floe_arena *a;
    floe_fileio *io;
    const char *dir;
    const floe_ice_schema *schema;
    const floe_partition_spec *spec;
    json_t *out_manifests;
} writing;

/*
 * Write one manifest of `n` entries; entries are given with the tracking fields the file
 * holds (ADDED inheriting has no sequence numbers). Appends its expectations to w->out.
 */
static floe_manifest_file write_manifest(writing *w, const char *name, int version,
                                         floe_manifest_content content, floe_codec codec,
                                         const floe_manifest_entry *entries, size_t n)
{
    floe_err err = {0};
    const char *loc = floe_io_join(w->dir, name);
    floe_manifest_write_opts o = {.format_version = version,
                                  .content = content,
                                  .spec = w->spec,
                                  .schema = w->schema,
                                  .snapshot_id = 77,
                                  .codec = codec};
    floe_manifest_writer *mw = NULL;
    check(floe_manifest_writer_open(w->io, loc, &o, &mw, &err), &err, name);
    json_t *ej = json_array();
    for (size_t i = 0; i < n; i++) {
        check(floe_manifest_writer_write(mw, &entries[i], &err), &err, name);
        json_array_append_new(ej, entry_json(&entries[i]));
    }
    floe_manifest_file mf;
    check(floe_manifest_writer_finish(mw, w->a, &mf, &err), &err, name);
    floe_manifest_writer_free(mw);
    json_array_append_new(w->out_manifests,
                          json_pack("{s:s,s:i,s:i,s:o}", "file", name, "format_version", version,
                                    "content", (int)content, "entries", ej));
    free((void *)loc);
    return mf;
}

static json_t *write_list(writing *w, const char *name, int version, floe_manifest_file *ms,
                          size_t n)
{
    floe_err err = {0};
    char *loc = floe_io_join(w->dir, name);
    floe_manifest_list_write_opts o = {.format_version = version,
                                       .snapshot_id = 77,
                                       .has_parent = true,
                                       .parent_snapshot_id = 12,
                                       .sequence_number = version >= 2 ? 9 : 0,
                                       .codec = FLOE_CODEC_DEFLATE};
    check(floe_manifest_list_write(w->io, loc, &o, ms, n, NULL, &err), &err, name);
    json_t *mj = json_array();
    for (size_t i = 0; i < n; i++) {
        floe_manifest_file m = ms[i];
        /* What the list writer assigns to manifests this snapshot added. */
        if (m.sequence_number == FLOE_SEQ_UNASSIGNED) {
            m.sequence_number = o.sequence_number;
        }
        if (m.min_sequence_number == FLOE_SEQ_UNASSIGNED) {
            m.min_sequence_number = o.sequence_number;
        }
        json_array_append_new(mj, manifest_file_json(&m));
    }
    free(loc);
    return json_pack("{s:s,s:i,s:s,s:s,s:o}", "file", name, "format_version", version,
                     "snapshot_id", "77", "parent_snapshot_id", "12", "manifests", mj);
}

static void write_all(const char *dir)
{
    floe_err err = {0};
    writing w = {
        .a = floe_arena_new((size_t)256 << 20), .io = floe_fileio_local_new(NULL), .dir = dir};
    json_t *sj = json_loads(SCHEMA, 0, NULL);
    json_t *pj = json_loads(SPEC, 0, NULL);
    check(floe_ice_schema_from_json(w.a, sj, &w.schema, &err), &err, "schema");
    check(floe_partition_spec_from_json(w.a, pj, false, 1, &w.spec, &err), &err, "spec");
    json_decref(sj);
    json_decref(pj);
    w.out_manifests = json_array();

    floe_manifest_entry data[4];
    for (int i = 0; i < 4; i++) {
        data[i] = (floe_manifest_entry){.file = sample_file(w.a, i, FLOE_CONTENT_DATA)};
    }
    /* ADDED (inherits), ADDED with an explicit data sequence number, EXISTING, DELETED */
    data[0].status = FLOE_ENTRY_ADDED;
    data[0].has_snapshot_id = true;
    data[0].snapshot_id = 77;
    data[1] = (floe_manifest_entry){.status = FLOE_ENTRY_ADDED,
                                    .has_snapshot_id = true,
                                    .snapshot_id = 77,
                                    .has_sequence_number = true,
                                    .sequence_number = 5,
                                    .file = data[1].file};
    data[2] = (floe_manifest_entry){.status = FLOE_ENTRY_EXISTING,
                                    .has_snapshot_id = true,
                                    .snapshot_id = 12,
                                    .has_sequence_number = true,
                                    .sequence_number = 3,
                                    .has_file_sequence_number = true,
                                    .file_sequence_number = 4,
                                    .file = data[2].file};
    data[3] = data[2];
    data[3].status = FLOE_ENTRY_DELETED;
    data[3].snapshot_id = 77;

    floe_manifest_entry dels[2] = {
        {.status = FLOE_ENTRY_ADDED,
         .has_snapshot_id = true,
         .snapshot_id = 77,
         .file = sample_file(w.a, 0, FLOE_CONTENT_POSITION_DELETES)},
        {.status = FLOE_ENTRY_ADDED,
         .has_snapshot_id = true,
         .snapshot_id = 77,
         .file = sample_file(w.a, 1, FLOE_CONTENT_EQUALITY_DELETES)},
    };
    floe_manifest_entry v1[2] = {data[0], data[2]};
    for (int i = 0; i < 2; i++) {
        /* v1 has no sequence numbers and a required snapshot id */
        v1[i].has_sequence_number = false;
        v1[i].has_file_sequence_number = false;
    }

    floe_manifest_file m2[2];
    m2[0] = write_manifest(&w, "data-v2.avro", 2, FLOE_MANIFEST_DATA, FLOE_CODEC_DEFLATE, data, 4);
    m2[1] =
        write_manifest(&w, "deletes-v2.avro", 2, FLOE_MANIFEST_DELETES, FLOE_CODEC_NONE, dels, 2);
    floe_manifest_file m1 =
        write_manifest(&w, "data-v1.avro", 1, FLOE_MANIFEST_DATA, FLOE_CODEC_NONE, v1, 2);
    json_t *lists = json_array();
    json_array_append_new(lists, write_list(&w, "list-v2.avro", 2, m2, 2));
    json_array_append_new(lists, write_list(&w, "list-v1.avro", 1, &m1, 1));
    print_json(json_pack("{s:o,s:o}", "manifests", w.out_manifests, "lists", lists));
    floe_fileio_free(w.io);
    floe_arena_free(w.a);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        die("usage: gen_manifest write DIR | dump FILE... | dump-list FILE...");
    }
    if (strcmp(argv[1], "write") == 0 && argc == 3) {
        write_all(argv[2]);
    } else if (strcmp(argv[1], "dump") == 0) {
        for (int i = 2; i < argc; i++) {
            dump_manifest(argv[i]);
        }
    } else if (strcmp(argv[1], "dump-list") == 0) {
        for (int i = 2; i < argc; i++) {
            dump_list(argv[i]);
        }
    } else {
        die("unknown command %s", argv[1]);
    }
    return 0;
}
