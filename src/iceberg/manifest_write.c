/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing manifests and manifest lists with the exact Iceberg Avro schemas and Java's header
 * metadata, so Java, PyIceberg and the other readers accept what floe writes.
 *
 * The manifest writer keeps what its manifest list entry needs while entries stream through:
 * counts and rows per status, the lowest explicit data sequence number of live entries, and one
 * partition summary per spec field (contains_null, contains_nan, lower and upper bound kept as
 * single-value bytes). Each entry becomes a value tree in a scratch arena that is reset after
 * the entry is encoded, so memory does not grow with the number of entries.
 */
#include "ops_int.h"

#include <math.h>

/* ==== Shared ==== */

static char *json_text(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    FLOE_VERIFY(s != NULL); /* jansson fails only on memory exhaustion */
    return s;
}

static floe_status set_meta_json(floe_avro_writer *w, const char *key, json_t *j, floe_err *err)
{
    char *s = json_text(j);
    json_decref(j);
    floe_status st = floe_avro_writer_set_meta_str(w, key, s, err);
    free(s);
    return st;
}

static floe_status set_meta_i64(floe_avro_writer *w, const char *key, int64_t v, floe_err *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return floe_avro_writer_set_meta_str(w, key, buf, err);
}

static floe_value v_long_or_null(bool has, int64_t v)
{
    return has ? floe_value_long(v) : floe_value_null();
}

static floe_value v_int_or_null(bool has, int32_t v)
{
    return has ? floe_value_int(v) : floe_value_null();
}

static floe_value v_str(const char *s)
{
    return s != NULL ? floe_value_string(s, strlen(s)) : floe_value_null();
}

static floe_value v_struct(floe_value *items, size_t n)
{
    floe_value v = floe_value_null();
    v.kind = FLOE_V_STRUCT;
    v.u.nested.items = items;
    v.u.nested.n = n;
    return v;
}

/* ==== Manifest writer ==== */

typedef struct part_stat {
    bool contains_null;
    bool contains_nan;
    bool has_lo, has_hi;
    floe_buf lo, hi;       /* single-value bytes */
    floe_value lo_v, hi_v; /* decoded from lo/hi (borrowing them) */
} part_stat;

struct floe_manifest_writer {
    floe_output *out; /* NULL when writing into a buffer */
    floe_avro_writer *avro;
    floe_arena *arena;   /* lives with the writer */
    floe_arena *scratch; /* one entry */
    int format_version;
    floe_manifest_content content;
    const floe_partition_spec *spec;
    const floe_ice_type *ptype;
    int64_t snapshot_id;
    char *location;
    int32_t added, existing, deleted;
    int64_t added_rows, existing_rows, deleted_rows;
    bool has_min_seq;
    int64_t min_seq;
    part_stat *ps;
    uint64_t count;
    bool finished;
};

static floe_status writer_init(floe_manifest_writer *w, const floe_manifest_write_opts *o,
                               floe_buf *dst, floe_err *err)
{
    if (o->format_version < 1 || o->format_version > FLOE_ICE_MAX_FORMAT_VERSION) {
        return floe_err_set(err, FLOE_ERR_INVALID, "manifest format version %d", o->format_version);
    }
    if (o->spec == NULL || o->schema == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "a manifest needs a partition spec and schema");
    }
    if (o->content == FLOE_MANIFEST_DELETES && o->format_version < 2) {
        return floe_err_set(err, FLOE_ERR_INVALID, "delete manifests need format version 2");
    }
    w->format_version = o->format_version;
    w->content = o->content;
    w->spec = o->spec;
    w->snapshot_id = o->snapshot_id;
    floe_status st = floe_partition_spec_type(w->arena, o->spec, o->schema, &w->ptype, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_ice_type *et = ice_manifest_entry_type(w->arena, o->format_version, w->ptype);
    if (et == NULL) {
        return ice_nomem(w->arena, err);
    }
    json_t *avro_schema = NULL;
    st = ice_avro_schema(et, "manifest_entry", &avro_schema, err);
    if (st != FLOE_OK) {
        return st;
    }
    char *text = json_text(avro_schema);
    json_decref(avro_schema);
    floe_avro_write_opts wo = {.codec = o->codec, .level = o->level, .sync = o->sync};
    st = dst != NULL ? floe_avro_writer_new_buf(dst, text, strlen(text), &wo, &w->avro, err)
                     : floe_avro_writer_new(w->out, text, strlen(text), &wo, &w->avro, err);
    free(text);
    if (st != FLOE_OK) {
        return st;
    }
    st = set_meta_json(w->avro, "schema", floe_ice_schema_to_json(o->schema), err);
    if (st == FLOE_OK) {
        st = set_meta_i64(w->avro, "schema-id", o->schema->schema_id < 0 ? 0 : o->schema->schema_id,
                          err);
    }
    if (st == FLOE_OK) {
        st = set_meta_json(w->avro, "partition-spec", floe_partition_spec_fields_to_json(o->spec),
                           err);
    }
    if (st == FLOE_OK) {
        st = set_meta_i64(w->avro, "partition-spec-id", o->spec->spec_id, err);
    }
    if (st == FLOE_OK) {
        st = set_meta_i64(w->avro, "format-version", o->format_version, err);
    }
    if (st == FLOE_OK && o->format_version >= 2) {
        st = floe_avro_writer_set_meta_str(
            w->avro, "content", o->content == FLOE_MANIFEST_DELETES ? "deletes" : "data", err);
    }
    if (st == FLOE_OK) {
        st = set_meta_json(w->avro, "iceberg.schema", ice_struct_schema_json(et), err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    w->ps = floe_arena_calloc(w->arena, o->spec->n_fields + 1, sizeof(*w->ps));
    if (w->ps == NULL) {
        return ice_nomem(w->arena, err);
    }
    for (size_t k = 0; k < o->spec->n_fields; k++) {
        floe_buf_init(&w->ps[k].lo, 0);
        floe_buf_init(&w->ps[k].hi, 0);
    }
    return FLOE_OK;
}

static floe_status writer_new(floe_fileio *io, const char *location, floe_buf *dst,
                              const floe_manifest_write_opts *opts, floe_manifest_writer **out,
                              floe_err *err)
{
    floe_manifest_writer *w = floe_xcalloc(1, sizeof(*w));
    w->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->scratch = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    w->location = floe_xstrdup(location != NULL ? location : "");
    floe_status st = FLOE_OK;
    if (dst == NULL) {
        st = floe_io_create(io, location, FLOE_IO_CREATE_EXCLUSIVE, &w->out, err);
    }
    if (st == FLOE_OK) {
        st = writer_init(w, opts, dst, err);
    }
    if (st != FLOE_OK) {
        floe_manifest_writer_free(w);
        return floe_err_wrap(err, "manifest %s", location != NULL ? location : "");
    }
    *out = w;
    return FLOE_OK;
}

floe_status floe_manifest_writer_open(floe_fileio *io, const char *location,
                                      const floe_manifest_write_opts *opts,
                                      floe_manifest_writer **out, floe_err *err)
{
    return writer_new(io, location, NULL, opts, out, err);
}

floe_status floe_manifest_writer_open_buf(floe_buf *dst, const char *location,
                                          const floe_manifest_write_opts *opts,
                                          floe_manifest_writer **out, floe_err *err)
{
    return writer_new(NULL, location, dst, opts, out, err);
}

void floe_manifest_writer_free(floe_manifest_writer *w)
{
    if (w == NULL) {
        return;
    }
    floe_avro_writer_free(w->avro);
    if (w->out != NULL) {
        floe_output_abort(w->out);
    }
    if (w->ps != NULL && w->spec != NULL) {
        for (size_t k = 0; k < w->spec->n_fields; k++) {
            floe_buf_fini(&w->ps[k].lo);
            floe_buf_fini(&w->ps[k].hi);
        }
    }
    floe_arena_free(w->scratch);
    floe_arena_free(w->arena);
    free(w->location);
    free(w);
}

uint64_t floe_manifest_writer_count(const floe_manifest_writer *w)
{
    return w->count;
}

static bool is_nan(const floe_value *v)
{
    return (v->kind == FLOE_V_FLOAT && isnan(v->u.f32)) ||
           (v->kind == FLOE_V_DOUBLE && isnan(v->u.f64));
}

static floe_status set_bound(part_stat *p, bool upper, const floe_ice_type *t, const floe_value *v,
                             floe_err *err)
{
    floe_buf *b = upper ? &p->hi : &p->lo;
    floe_buf_reset(b);
    floe_status st = floe_ice_value_to_bytes(t, v, b, err);
    if (st == FLOE_OK) {
        floe_str bytes = {b->data != NULL ? b->data : "", b->len};
        st = floe_ice_value_from_bytes(t, bytes, upper ? &p->hi_v : &p->lo_v, err);
    }
    if (upper) {
        p->has_hi = st == FLOE_OK;
    } else {
        p->has_lo = st == FLOE_OK;
    }
    return st;
}

static floe_status update_summary(floe_manifest_writer *w, const floe_value *tuple, floe_err *err)
{
    for (size_t k = 0; k < w->spec->n_fields; k++) {
        part_stat *p = &w->ps[k];
        const floe_value *v = &tuple->u.nested.items[k];
        const floe_ice_type *t = w->ptype->fields[k].type;
        if (v->kind == FLOE_V_NULL) {
            p->contains_null = true;
            continue;
        }
        if (is_nan(v)) {
            p->contains_nan = true;
            continue;
        }
        if (w->spec->fields[k].transform.kind == FLOE_ICE_T_UNKNOWN) {
            continue; /* values of unknown transforms are not ordered here */
        }
        floe_status st = FLOE_OK;
        if (!p->has_lo || floe_value_cmp(v, &p->lo_v) < 0) {
            st = set_bound(p, false, t, v, err);
        }
        if (st == FLOE_OK && (!p->has_hi || floe_value_cmp(v, &p->hi_v) > 0)) {
            st = set_bound(p, true, t, v, err);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "partition field %s", w->spec->fields[k].name);
        }
    }
    return FLOE_OK;
}

static floe_value counts_value(floe_arena *a, const floe_field_count *c, size_t n)
{
    if (c == NULL) {
        return floe_value_null();
    }
    floe_value v = floe_value_null();
    floe_value *items = floe_arena_alloc(a, (2 * n + 1) * sizeof(*items));
    if (items == NULL) {
        return v;
    }
    for (size_t i = 0; i < n; i++) {
        items[2 * i] = floe_value_int(c[i].field_id);
        items[2 * i + 1] = floe_value_long(c[i].value);
    }
    v.kind = FLOE_V_MAP;
    v.u.nested.items = items;
    v.u.nested.n = n;
    return v;
}

static floe_value bounds_value(floe_arena *a, const floe_field_bound *b, size_t n)
{
    if (b == NULL) {
        return floe_value_null();
    }
    floe_value v = floe_value_null();
    floe_value *items = floe_arena_alloc(a, (2 * n + 1) * sizeof(*items));
    if (items == NULL) {
        return v;
    }
    for (size_t i = 0; i < n; i++) {
        items[2 * i] = floe_value_int(b[i].field_id);
        items[2 * i + 1] =
            floe_value_binary(b[i].bytes.ptr != NULL ? b[i].bytes.ptr : "", b[i].bytes.len);
    }
    v.kind = FLOE_V_MAP;
    v.u.nested.items = items;
    v.u.nested.n = n;
    return v;
}

static floe_value list_value(floe_arena *a, const void *p, size_t n, bool is_long)
{
    if (p == NULL) {
        return floe_value_null();
    }
    floe_value v = floe_value_null();
    floe_value *items = floe_arena_alloc(a, (n + 1) * sizeof(*items));
    if (items == NULL) {
        return v;
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = is_long ? floe_value_long(((const int64_t *)p)[i])
                           : floe_value_int(((const int32_t *)p)[i]);
    }
    v.kind = FLOE_V_LIST;
    v.u.nested.items = items;
    v.u.nested.n = n;
    return v;
}

static const char *const UPPER_FORMATS[] = {"PARQUET", "AVRO", "ORC", "PUFFIN"};

static floe_status check_file(const floe_manifest_writer *w, const floe_data_file *f, floe_err *err)
{
    if (f->file_path == NULL || f->file_path[0] == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data file without a path");
    }
    bool is_delete = f->content != FLOE_CONTENT_DATA;
    if (is_delete != (w->content == FLOE_MANIFEST_DELETES)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: a %s file cannot go into a %s manifest",
                            f->file_path, is_delete ? "delete" : "data",
                            w->content == FLOE_MANIFEST_DELETES ? "delete" : "data");
    }
    if ((unsigned)f->file_format >= FLOE_ARRAY_LEN(UPPER_FORMATS)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: unknown file format", f->file_path);
    }
    if (f->content == FLOE_CONTENT_EQUALITY_DELETES && f->equality_ids == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: equality delete file without equality ids",
                            f->file_path);
    }
    size_t n = w->spec->n_fields;
    if (f->partition.kind == FLOE_V_NULL && n == 0) {
        return FLOE_OK;
    }
    if (f->partition.kind != FLOE_V_STRUCT || f->partition.u.nested.n != n) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "%s: partition tuple must be a struct of %zu values for spec %d",
                            f->file_path, n, (int)w->spec->spec_id);
    }
    return FLOE_OK;
}

static floe_status encode_entry(floe_manifest_writer *w, const floe_manifest_entry *e,
                                floe_err *err)
{
    floe_arena *a = w->scratch;
    const floe_data_file *f = &e->file;
    floe_status st = check_file(w, f, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (e->status > FLOE_ENTRY_DELETED) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: entry status %d", f->file_path,
                            (int)e->status);
    }
    /* Partition tuple, coerced to the partition type. */
    size_t np = w->spec->n_fields;
    floe_value *parts = floe_arena_alloc(a, (np + 1) * sizeof(*parts));
    if (parts == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t k = 0; k < np; k++) {
        parts[k] = f->partition.u.nested.items[k];
        if (w->spec->fields[k].transform.kind != FLOE_ICE_T_UNKNOWN &&
            ice_coerce_value(w->ptype->fields[k].type, &parts[k], err) != FLOE_OK) {
            floe_err_clear(err);
            return floe_err_set(
                err, FLOE_ERR_INVALID, "%s: partition value %s does not fit type %s", f->file_path,
                w->spec->fields[k].name, floe_ice_type_name(w->ptype->fields[k].type->id));
        }
    }
    floe_value tuple = v_struct(parts, np);

    floe_value *d = floe_arena_alloc(a, 20 * sizeof(*d));
    if (d == NULL) {
        return ice_nomem(a, err);
    }
    size_t k = 0;
    if (w->format_version >= 2) {
        d[k++] = floe_value_int((int32_t)f->content);
    }
    d[k++] = v_str(f->file_path);
    d[k++] = v_str(UPPER_FORMATS[f->file_format]);
    d[k++] = tuple;
    d[k++] = floe_value_long(f->record_count);
    d[k++] = floe_value_long(f->file_size_in_bytes);
    if (w->format_version == 1) {
        d[k++] = floe_value_long(ICE_V1_BLOCK_SIZE);
    }
    d[k++] = counts_value(a, f->column_sizes, f->n_column_sizes);
    d[k++] = counts_value(a, f->value_counts, f->n_value_counts);
    d[k++] = counts_value(a, f->null_value_counts, f->n_null_value_counts);
    d[k++] = counts_value(a, f->nan_value_counts, f->n_nan_value_counts);
    d[k++] = bounds_value(a, f->lower_bounds, f->n_lower_bounds);
    d[k++] = bounds_value(a, f->upper_bounds, f->n_upper_bounds);
    d[k++] = f->key_metadata.ptr != NULL
                 ? floe_value_binary(f->key_metadata.ptr, f->key_metadata.len)
                 : floe_value_null();
    d[k++] = list_value(a, f->split_offsets, f->n_split_offsets, true);
    if (w->format_version >= 2) {
        d[k++] = list_value(a, f->equality_ids, f->n_equality_ids, false);
    }
    d[k++] = v_int_or_null(f->has_sort_order_id, f->sort_order_id);
    if (w->format_version >= 2) {
        d[k++] = v_str(f->referenced_data_file);
    }
    if (w->format_version >= 3) {
        d[k++] = v_long_or_null(f->has_first_row_id, f->first_row_id);
        d[k++] = v_long_or_null(f->has_content_offset, f->content_offset);
        d[k++] = v_long_or_null(f->has_content_size_in_bytes, f->content_size_in_bytes);
    }
    if (floe_arena_failed(a)) {
        return floe_arena_check(a, err);
    }
    floe_value ev[5];
    size_t n = 0;
    ev[n++] = floe_value_int((int32_t)e->status);
    ev[n++] = v_long_or_null(e->has_snapshot_id, e->snapshot_id);
    if (w->format_version >= 2) {
        ev[n++] = v_long_or_null(e->has_sequence_number, e->sequence_number);
        ev[n++] = v_long_or_null(e->has_file_sequence_number, e->file_sequence_number);
    }
    ev[n++] = v_struct(d, k);
    floe_value rec = v_struct(ev, n);
    st = floe_avro_writer_append(w->avro, &rec, err);
    if (st == FLOE_OK) {
        st = update_summary(w, &tuple, err);
    }
    return st;
}

floe_status floe_manifest_writer_write(floe_manifest_writer *w, const floe_manifest_entry *e,
                                       floe_err *err)
{
    if (w->finished) {
        return floe_err_set(err, FLOE_ERR_INVALID, "manifest %s is finished", w->location);
    }
    floe_status st = encode_entry(w, e, err);
    floe_arena_reset(w->scratch);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest %s", w->location);
    }
    int64_t rows = e->file.record_count;
    switch (e->status) {
    case FLOE_ENTRY_ADDED:
        w->added++;
        w->added_rows += rows;
        break;
    case FLOE_ENTRY_EXISTING:
        w->existing++;
        w->existing_rows += rows;
        break;
    default:
        w->deleted++;
        w->deleted_rows += rows;
        break;
    }
    if (e->status != FLOE_ENTRY_DELETED && e->has_sequence_number &&
        (!w->has_min_seq || e->sequence_number < w->min_seq)) {
        w->has_min_seq = true;
        w->min_seq = e->sequence_number;
    }
    w->count++;
    return FLOE_OK;
}

floe_status floe_manifest_writer_add(floe_manifest_writer *w, const floe_data_file *f,
                                     int64_t data_seq, floe_err *err)
{
    floe_manifest_entry e = {.status = FLOE_ENTRY_ADDED,
                             .has_snapshot_id = true,
                             .snapshot_id = w->snapshot_id,
                             .has_sequence_number = data_seq != FLOE_SEQ_UNASSIGNED,
                             .sequence_number = data_seq,
                             .file = *f};
    return floe_manifest_writer_write(w, &e, err);
}

static floe_status carry(floe_manifest_writer *w, const floe_manifest_entry *src,
                         floe_entry_status status, floe_err *err)
{
    floe_manifest_entry e = *src;
    e.status = status;
    if (status == FLOE_ENTRY_DELETED) {
        e.has_snapshot_id = true;
        e.snapshot_id = w->snapshot_id;
    }
    if (w->format_version >= 2 && (!e.has_sequence_number || !e.has_file_sequence_number)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "%s: carried entries need explicit sequence numbers",
                            e.file.file_path != NULL ? e.file.file_path : "?");
    }
    return floe_manifest_writer_write(w, &e, err);
}

floe_status floe_manifest_writer_existing(floe_manifest_writer *w, const floe_manifest_entry *e,
                                          floe_err *err)
{
    return carry(w, e, FLOE_ENTRY_EXISTING, err);
}

floe_status floe_manifest_writer_delete(floe_manifest_writer *w, const floe_manifest_entry *e,
                                        floe_err *err)
{
    return carry(w, e, FLOE_ENTRY_DELETED, err);
}

floe_status floe_manifest_writer_finish(floe_manifest_writer *w, floe_arena *a,
                                        floe_manifest_file *out, floe_err *err)
{
    if (w->finished) {
        return floe_err_set(err, FLOE_ERR_INVALID, "manifest %s is finished", w->location);
    }
    w->finished = true;
    floe_status st = floe_avro_writer_finish(w->avro, err);
    int64_t length = (int64_t)floe_avro_writer_bytes(w->avro);
    if (st == FLOE_OK && w->out != NULL) {
        floe_output *o = w->out;
        w->out = NULL;
        st = floe_output_commit(o, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest %s", w->location);
    }
    memset(out, 0, sizeof(*out));
    size_t np = w->spec->n_fields;
    floe_field_summary *sums = floe_arena_calloc(a, np + 1, sizeof(*sums));
    out->manifest_path = floe_arena_strdup(a, w->location);
    if (sums == NULL || out->manifest_path == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t k = 0; k < np; k++) {
        part_stat *p = &w->ps[k];
        sums[k].contains_null = p->contains_null;
        sums[k].has_contains_nan = true;
        sums[k].contains_nan = p->contains_nan;
        if (p->has_lo) {
            sums[k].lower_bound.ptr =
                floe_arena_memdup(a, p->lo.data != NULL ? p->lo.data : "", p->lo.len + 1);
            sums[k].lower_bound.len = p->lo.len;
        }
        if (p->has_hi) {
            sums[k].upper_bound.ptr =
                floe_arena_memdup(a, p->hi.data != NULL ? p->hi.data : "", p->hi.len + 1);
            sums[k].upper_bound.len = p->hi.len;
        }
        if ((p->has_lo && sums[k].lower_bound.ptr == NULL) ||
            (p->has_hi && sums[k].upper_bound.ptr == NULL)) {
            return ice_nomem(a, err);
        }
    }
    out->manifest_length = length;
    out->partition_spec_id = w->spec->spec_id;
    out->content = w->content;
    out->sequence_number = FLOE_SEQ_UNASSIGNED;
    out->min_sequence_number = w->has_min_seq ? w->min_seq : FLOE_SEQ_UNASSIGNED;
    out->added_snapshot_id = w->snapshot_id;
    out->has_counts = true;
    out->added_files_count = w->added;
    out->existing_files_count = w->existing;
    out->deleted_files_count = w->deleted;
    out->added_rows_count = w->added_rows;
    out->existing_rows_count = w->existing_rows;
    out->deleted_rows_count = w->deleted_rows;
    out->partitions = sums;
    out->n_partitions = np;
    return FLOE_OK;
}

/* ==== Manifest lists ==== */

static floe_value summaries_value(floe_arena *a, const floe_manifest_file *m)
{
    if (m->partitions == NULL) {
        return floe_value_null();
    }
    floe_value *items = floe_arena_alloc(a, (m->n_partitions + 1) * sizeof(*items));
    floe_value *fields = floe_arena_alloc(a, (4 * m->n_partitions + 1) * sizeof(*fields));
    if (items == NULL || fields == NULL) {
        return floe_value_null();
    }
    for (size_t i = 0; i < m->n_partitions; i++) {
        const floe_field_summary *s = &m->partitions[i];
        floe_value *f = &fields[4 * i];
        f[0] = floe_value_bool(s->contains_null);
        f[1] = s->has_contains_nan ? floe_value_bool(s->contains_nan) : floe_value_null();
        f[2] = s->lower_bound.ptr != NULL
                   ? floe_value_binary(s->lower_bound.ptr, s->lower_bound.len)
                   : floe_value_null();
        f[3] = s->upper_bound.ptr != NULL
                   ? floe_value_binary(s->upper_bound.ptr, s->upper_bound.len)
                   : floe_value_null();
        items[i] = v_struct(f, 4);
    }
    floe_value v = floe_value_null();
    v.kind = FLOE_V_LIST;
    v.u.nested.items = items;
    v.u.nested.n = m->n_partitions;
    return v;
}

static floe_status list_write(floe_output *o, floe_buf *dst,
                              const floe_manifest_list_write_opts *opts,
                              const floe_manifest_file *ms, size_t n, int64_t *added_rows,
                              floe_err *err)
{
    int fv = opts->format_version;
    if (fv < 1 || fv > FLOE_ICE_MAX_FORMAT_VERSION) {
        return floe_err_set(err, FLOE_ERR_INVALID, "manifest list format version %d", fv);
    }
    json_t *schema = NULL;
    const floe_ice_type *lt = ice_manifest_list_type(fv);
    floe_status st = ice_avro_schema(lt, "manifest_file", &schema, err);
    if (st != FLOE_OK) {
        return st;
    }
    char *text = json_text(schema);
    json_decref(schema);
    floe_avro_writer *w = NULL;
    floe_avro_write_opts wo = {.codec = opts->codec, .level = opts->level, .sync = opts->sync};
    st = o != NULL ? floe_avro_writer_new(o, text, strlen(text), &wo, &w, err)
                   : floe_avro_writer_new_buf(dst, text, strlen(text), &wo, &w, err);
    free(text);
    if (st == FLOE_OK) {
        st = set_meta_i64(w, "snapshot-id", opts->snapshot_id, err);
    }
    if (st == FLOE_OK) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)opts->parent_snapshot_id);
        st = floe_avro_writer_set_meta_str(w, "parent-snapshot-id", opts->has_parent ? buf : "null",
                                           err);
    }
    if (st == FLOE_OK && fv >= 2) {
        st = set_meta_i64(w, "sequence-number", opts->sequence_number, err);
    }
    if (st == FLOE_OK && fv >= 3) {
        st = set_meta_i64(w, "first-row-id", opts->first_row_id, err);
    }
    if (st == FLOE_OK) {
        st = set_meta_i64(w, "format-version", fv, err);
    }
    if (st == FLOE_OK) {
        st = set_meta_json(w, "iceberg.schema", ice_struct_schema_json(lt), err);
    }
    floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    int64_t next_row = opts->first_row_id;
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        const floe_manifest_file *m = &ms[i];
        floe_arena_reset(a);
        int64_t seq = m->sequence_number, min_seq = m->min_sequence_number;
        if (fv >= 2 && (seq == FLOE_SEQ_UNASSIGNED || min_seq == FLOE_SEQ_UNASSIGNED)) {
            if (m->added_snapshot_id != opts->snapshot_id) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "manifest %s has no sequence number but was added by snapshot "
                                  "%lld, not %lld",
                                  m->manifest_path, (long long)m->added_snapshot_id,
                                  (long long)opts->snapshot_id);
                break;
            }
            if (seq == FLOE_SEQ_UNASSIGNED) {
                seq = opts->sequence_number;
            }
            if (min_seq == FLOE_SEQ_UNASSIGNED) {
                min_seq = opts->sequence_number;
            }
        }
        if (fv >= 2 && !m->has_counts) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "manifest %s has no file counts",
                              m->manifest_path);
            break;
        }
        floe_value f[16];
        size_t k = 0;
        f[k++] = v_str(m->manifest_path);
        f[k++] = floe_value_long(m->manifest_length);
        f[k++] = floe_value_int(m->partition_spec_id);
        if (fv >= 2) {
            f[k++] = floe_value_int((int32_t)m->content);
            f[k++] = floe_value_long(seq);
            f[k++] = floe_value_long(min_seq);
        }
        f[k++] = floe_value_long(m->added_snapshot_id);
        f[k++] = v_int_or_null(m->has_counts, m->added_files_count);
        f[k++] = v_int_or_null(m->has_counts, m->existing_files_count);
        f[k++] = v_int_or_null(m->has_counts, m->deleted_files_count);
        floe_value rows[3] = {v_long_or_null(m->has_counts, m->added_rows_count),
                              v_long_or_null(m->has_counts, m->existing_rows_count),
                              v_long_or_null(m->has_counts, m->deleted_rows_count)};
        if (fv >= 2) {
            f[k++] = rows[0];
            f[k++] = rows[1];
            f[k++] = rows[2];
            f[k++] = summaries_value(a, m);
        } else {
            f[k++] = summaries_value(a, m);
            f[k++] = rows[0];
            f[k++] = rows[1];
            f[k++] = rows[2];
        }
        f[k++] = m->key_metadata.ptr != NULL
                     ? floe_value_binary(m->key_metadata.ptr, m->key_metadata.len)
                     : floe_value_null();
        if (fv >= 3) {
            bool has = m->has_first_row_id;
            int64_t first = m->first_row_id;
            if (!has && m->content == FLOE_MANIFEST_DATA) {
                has = true;
                first = next_row;
                next_row += m->added_rows_count + m->existing_rows_count;
            }
            f[k++] = v_long_or_null(has, first);
        }
        floe_value rec = v_struct(f, k);
        st = floe_arena_check(a, err);
        if (st == FLOE_OK) {
            st = floe_avro_writer_append(w, &rec, err);
        }
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "manifest %s", m->manifest_path);
        }
    }
    floe_arena_free(a);
    if (st == FLOE_OK) {
        st = floe_avro_writer_finish(w, err);
    }
    floe_avro_writer_free(w);
    if (st == FLOE_OK && added_rows != NULL) {
        *added_rows = next_row - opts->first_row_id;
    }
    return st;
}

floe_status floe_manifest_list_write(floe_fileio *io, const char *location,
                                     const floe_manifest_list_write_opts *opts,
                                     const floe_manifest_file *manifests, size_t n,
                                     int64_t *added_rows, floe_err *err)
{
    floe_output *o = NULL;
    floe_status st = floe_io_create(io, location, FLOE_IO_CREATE_EXCLUSIVE, &o, err);
    if (st == FLOE_OK) {
        st = list_write(o, NULL, opts, manifests, n, added_rows, err);
        if (st == FLOE_OK) {
            st = floe_output_commit(o, err);
        } else {
            floe_output_abort(o);
        }
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest list %s", location);
    }
    return FLOE_OK;
}

floe_status floe_manifest_list_write_buf(floe_buf *dst, const floe_manifest_list_write_opts *opts,
                                         const floe_manifest_file *manifests, size_t n,
                                         int64_t *added_rows, floe_err *err)
{
    floe_status st = list_write(NULL, dst, opts, manifests, n, added_rows, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest list");
    }
    return FLOE_OK;
}
