/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading manifests and manifest lists (spec "Manifests", "Manifest Lists").
 *
 * Fields are found by field id, never by name or position: v1, v2 and v3 layouts differ, and
 * writers name some fields differently (added_files_count vs added_data_files_count). Positions
 * are resolved once per file; each record is decoded by the Avro reader into a value tree in
 * the caller's arena and then copied into the plain structs of iceberg.h. A manifest reader
 * streams: the caller decides when to reset the arena, so a manifest of any size is read in the
 * memory of one Avro block plus one entry.
 */
#include "ops_int.h"

#include <stdio.h>
#include <strings.h>

/* ==== Value access ==== */

/* The data_file fields this reader fills, with their ids. */
enum {
    DF_CONTENT,
    DF_PATH,
    DF_FORMAT,
    DF_PARTITION,
    DF_RECORDS,
    DF_SIZE,
    DF_COL_SIZES,
    DF_VALUE_COUNTS,
    DF_NULL_COUNTS,
    DF_NAN_COUNTS,
    DF_LOWER,
    DF_UPPER,
    DF_KEY_META,
    DF_SPLITS,
    DF_EQ_IDS,
    DF_SORT_ORDER,
    DF_REF_FILE,
    DF_FIRST_ROW_ID,
    DF_CONTENT_OFFSET,
    DF_CONTENT_SIZE,
    DF_COUNT
};
static const int32_t DF_IDS[DF_COUNT] = {134, 100, 101, 102, 103, 104, 108, 109, 110, 137,
                                         125, 128, 131, 132, 135, 140, 143, 142, 144, 145};
/* The value at record position `pos`, or a null value when the field is absent (pos < 0). */
static const floe_value *item(const floe_value *rec, int pos)
{
    static const floe_value null_value = {.kind = FLOE_V_NULL};
    if (pos < 0 || (size_t)pos >= rec->u.nested.n) {
        return &null_value;
    }
    return &rec->u.nested.items[pos];
}

static floe_status bad(floe_err *err, const char *what, const char *expected)
{
    return floe_err_set(err, FLOE_ERR_CORRUPT, "%s: expected %s", what, expected);
}

static floe_status get_i64(const floe_value *v, const char *what, bool required, bool *has,
                           int64_t *out, floe_err *err)
{
    if (v->kind == FLOE_V_LONG) {
        *out = v->u.i64;
    } else if (v->kind == FLOE_V_INT) {
        *out = v->u.i32;
    } else if (v->kind == FLOE_V_NULL && !required) {
        if (has != NULL) {
            *has = false;
        }
        return FLOE_OK;
    } else {
        return bad(err, what, required ? "a long" : "a long or null");
    }
    if (has != NULL) {
        *has = true;
    }
    return FLOE_OK;
}

static floe_status get_i32(const floe_value *v, const char *what, bool required, bool *has,
                           int32_t *out, floe_err *err)
{
    if (v->kind == FLOE_V_INT) {
        *out = v->u.i32;
    } else if (v->kind == FLOE_V_NULL && !required) {
        if (has != NULL) {
            *has = false;
        }
        return FLOE_OK;
    } else {
        return bad(err, what, required ? "an int" : "an int or null");
    }
    if (has != NULL) {
        *has = true;
    }
    return FLOE_OK;
}

static floe_status get_str(floe_arena *a, const floe_value *v, const char *what, bool required,
                           const char **out, floe_err *err)
{
    if (v->kind == FLOE_V_NULL && !required) {
        *out = NULL;
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_STRING) {
        return bad(err, what, "a string");
    }
    *out = ice_value_strdup(a, v);
    return *out != NULL ? FLOE_OK : ice_nomem(a, err);
}

static floe_status get_bytes(const floe_value *v, const char *what, floe_str *out, floe_err *err)
{
    if (v->kind == FLOE_V_NULL) {
        out->ptr = NULL;
        out->len = 0;
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_BINARY && v->kind != FLOE_V_FIXED && v->kind != FLOE_V_STRING) {
        return bad(err, what, "bytes");
    }
    out->ptr = (const char *)v->u.bytes.ptr;
    out->len = v->u.bytes.len;
    if (out->ptr == NULL) {
        out->ptr = ""; /* present but empty */
    }
    return FLOE_OK;
}

static floe_status get_counts(floe_arena *a, const floe_value *v, const char *what,
                              const floe_field_count **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_MAP) {
        return bad(err, what, "a map of int to long");
    }
    size_t m = v->u.nested.n;
    floe_field_count *c = floe_arena_alloc(a, (m > 0 ? m : 1) * sizeof(*c));
    if (c == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < m; i++) {
        const floe_value *k = &v->u.nested.items[2 * i], *x = &v->u.nested.items[2 * i + 1];
        if (k->kind != FLOE_V_INT || (x->kind != FLOE_V_LONG && x->kind != FLOE_V_INT)) {
            return bad(err, what, "a map of int to long");
        }
        c[i].field_id = k->u.i32;
        c[i].value = x->kind == FLOE_V_LONG ? x->u.i64 : x->u.i32;
    }
    *out = c;
    *n = m;
    return FLOE_OK;
}

static floe_status get_bounds(floe_arena *a, const floe_value *v, const char *what,
                              const floe_field_bound **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_MAP) {
        return bad(err, what, "a map of int to bytes");
    }
    size_t m = v->u.nested.n;
    floe_field_bound *b = floe_arena_alloc(a, (m > 0 ? m : 1) * sizeof(*b));
    if (b == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < m; i++) {
        const floe_value *k = &v->u.nested.items[2 * i], *x = &v->u.nested.items[2 * i + 1];
        if (k->kind != FLOE_V_INT || get_bytes(x, what, &b[i].bytes, err) != FLOE_OK) {
            floe_err_clear(err);
            return bad(err, what, "a map of int to bytes");
        }
        b[i].field_id = k->u.i32;
    }
    *out = b;
    *n = m;
    return FLOE_OK;
}

static floe_status get_i64_list(floe_arena *a, const floe_value *v, const char *what,
                                const int64_t **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_LIST) {
        return bad(err, what, "a list of longs");
    }
    size_t m = v->u.nested.n;
    int64_t *x = floe_arena_alloc(a, (m > 0 ? m : 1) * sizeof(*x));
    if (x == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < m; i++) {
        if (get_i64(&v->u.nested.items[i], what, true, NULL, &x[i], err) != FLOE_OK) {
            return FLOE_ERR_CORRUPT;
        }
    }
    *out = x;
    *n = m;
    return FLOE_OK;
}

static floe_status get_i32_list(floe_arena *a, const floe_value *v, const char *what,
                                const int32_t **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_LIST) {
        return bad(err, what, "a list of ints");
    }
    size_t m = v->u.nested.n;
    int32_t *x = floe_arena_alloc(a, (m > 0 ? m : 1) * sizeof(*x));
    if (x == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < m; i++) {
        if (get_i32(&v->u.nested.items[i], what, true, NULL, &x[i], err) != FLOE_OK) {
            return FLOE_ERR_CORRUPT;
        }
    }
    *out = x;
    *n = m;
    return FLOE_OK;
}

/* ==== Header helpers ==== */

static bool meta_int(const floe_avro_reader *r, const char *key, int64_t *out)
{
    floe_str v;
    if (!floe_avro_reader_meta_get(r, key, &v)) {
        return false;
    }
    /* meta values are NUL-terminated after len */
    return floe_parse_i64(v.ptr, out, NULL) == FLOE_OK;
}

/* The record inside a field's type (through an optional union), or NULL. */
static const floe_avro_node *record_of(const floe_avro_node *rec, int pos)
{
    if (pos < 0) {
        return NULL;
    }
    const floe_avro_node *t = floe_avro_node_nonnull(floe_avro_field_type(rec, (size_t)pos));
    return floe_avro_node_type(t) == FLOE_AVRO_RECORD ? t : NULL;
}

/* ==== Manifest reader ==== */

struct floe_manifest_reader {
    floe_input *in;
    floe_avro_reader *avro;
    floe_arena *arena; /* header-derived objects */
    floe_manifest_info info;
    bool has_mf;
    floe_manifest_file mf;
    int e_status, e_snapshot, e_seq, e_fseq, e_file;
    int df[DF_COUNT];
    size_t n_part;     /* spec fields */
    int *part_pos;     /* position of spec field k in the Avro partition record, or -1 */
    bool *part_coerce; /* false for unknown transforms (values kept as written) */
    const char **part_names;
    uint64_t count;
};

static const floe_partition_spec UNPARTITIONED = {.spec_id = 0};

/* An Iceberg type for an Avro partition field's type (for specs whose source is unknown). */
static const floe_ice_type *avro_to_ice(floe_arena *a, const floe_avro_node *n)
{
    n = floe_avro_node_nonnull(n);
    switch (floe_avro_node_logical(n)) {
    case FLOE_AVRO_LT_DATE:
        return floe_ice_type_get(FLOE_ICE_DATE);
    case FLOE_AVRO_LT_TIME_MICROS:
        return floe_ice_type_get(FLOE_ICE_TIME);
    case FLOE_AVRO_LT_TIMESTAMP_MICROS:
    case FLOE_AVRO_LT_LOCAL_TIMESTAMP_MICROS:
        return floe_ice_type_get(floe_avro_node_utc(n) ? FLOE_ICE_TIMESTAMPTZ : FLOE_ICE_TIMESTAMP);
    case FLOE_AVRO_LT_TIMESTAMP_NANOS:
    case FLOE_AVRO_LT_LOCAL_TIMESTAMP_NANOS:
        return floe_ice_type_get(floe_avro_node_utc(n) ? FLOE_ICE_TIMESTAMPTZ_NS
                                                       : FLOE_ICE_TIMESTAMP_NS);
    case FLOE_AVRO_LT_DECIMAL:
        return floe_ice_type_decimal(a, floe_avro_node_precision(n), floe_avro_node_scale(n));
    case FLOE_AVRO_LT_UUID:
        return floe_ice_type_get(FLOE_ICE_UUID);
    default:
        break;
    }
    switch (floe_avro_node_type(n)) {
    case FLOE_AVRO_BOOLEAN:
        return floe_ice_type_get(FLOE_ICE_BOOLEAN);
    case FLOE_AVRO_INT:
        return floe_ice_type_get(FLOE_ICE_INT);
    case FLOE_AVRO_LONG:
        return floe_ice_type_get(FLOE_ICE_LONG);
    case FLOE_AVRO_FLOAT:
        return floe_ice_type_get(FLOE_ICE_FLOAT);
    case FLOE_AVRO_DOUBLE:
        return floe_ice_type_get(FLOE_ICE_DOUBLE);
    case FLOE_AVRO_STRING:
        return floe_ice_type_get(FLOE_ICE_STRING);
    case FLOE_AVRO_BYTES:
        return floe_ice_type_get(FLOE_ICE_BINARY);
    case FLOE_AVRO_FIXED:
        return floe_ice_type_fixed(a, (int32_t)floe_avro_node_fixed_size(n));
    default:
        return NULL;
    }
}

static floe_status resolve_spec(floe_manifest_reader *r, const floe_manifest_read_opts *o,
                                const floe_avro_node *prec, floe_err *err)
{
    const floe_avro_reader *av = r->avro;
    int64_t id = 0;
    bool has_id = meta_int(av, "partition-spec-id", &id);
    if (r->has_mf) {
        id = r->mf.partition_spec_id;
        has_id = true;
    }
    if (id < INT32_MIN || id > INT32_MAX) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "partition-spec-id %lld out of range",
                            (long long)id);
    }
    r->info.spec_id = (int32_t)id;
    const floe_partition_spec *spec = NULL;
    if (o->meta != NULL && has_id) {
        spec = floe_table_meta_spec(o->meta, (int32_t)id);
    }
    floe_str text;
    if (spec == NULL && floe_avro_reader_meta_get(av, "partition-spec", &text)) {
        json_error_t jerr;
        json_t *j = json_loadb(text.ptr, text.len, JSON_REJECT_DUPLICATES, &jerr);
        if (j == NULL) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "partition-spec header: %s", jerr.text);
        }
        floe_status st =
            floe_partition_spec_from_json(r->arena, j, json_is_array(j), (int32_t)id, &spec, err);
        json_decref(j);
        if (st != FLOE_OK) {
            floe_err_clear(err);
            return floe_err_set(err, FLOE_ERR_CORRUPT, "partition-spec header is not a spec");
        }
    }
    if (spec == NULL) {
        if (prec != NULL && floe_avro_node_count(prec) > 0) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "no partition spec %d for the manifest",
                                (int)id);
        }
        spec = &UNPARTITIONED;
    }
    r->info.spec = spec;
    return FLOE_OK;
}

/* The partition type: the table's current schema, else the header's, else the Avro types. */
static floe_status resolve_partition_type(floe_manifest_reader *r, const floe_manifest_read_opts *o,
                                          const floe_avro_node *prec, floe_err *err)
{
    const floe_partition_spec *spec = r->info.spec;
    const floe_ice_schema *cands[2] = {
        o->meta != NULL ? floe_table_meta_current_schema(o->meta) : NULL, r->info.schema};
    for (size_t i = 0; i < 2; i++) {
        if (cands[i] == NULL) {
            continue;
        }
        floe_err tmp = {0};
        if (floe_partition_spec_type(r->arena, spec, cands[i], &r->info.partition_type, &tmp) ==
            FLOE_OK) {
            return FLOE_OK;
        }
    }
    floe_ice_field *fs = floe_arena_calloc(r->arena, spec->n_fields + 1, sizeof(*fs));
    if (fs == NULL) {
        return ice_nomem(r->arena, err);
    }
    for (size_t k = 0; k < spec->n_fields; k++) {
        int pos = prec != NULL ? floe_avro_field_index_by_id(prec, spec->fields[k].field_id) : -1;
        const floe_ice_type *t =
            pos >= 0 ? avro_to_ice(r->arena, floe_avro_field_type(prec, (size_t)pos)) : NULL;
        if (t == NULL) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "cannot type partition field %s of spec %d",
                                spec->fields[k].name, (int)spec->spec_id);
        }
        fs[k] = (floe_ice_field){
            .id = spec->fields[k].field_id, .name = spec->fields[k].name, .type = t};
    }
    r->info.partition_type = ice_struct_type(r->arena, fs, spec->n_fields);
    return r->info.partition_type != NULL ? FLOE_OK : ice_nomem(r->arena, err);
}

static floe_status reader_setup(floe_manifest_reader *r, const floe_manifest_read_opts *o,
                                floe_err *err)
{
    floe_avro_reader *av = r->avro;
    const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(av));
    if (floe_avro_node_type(root) != FLOE_AVRO_RECORD) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "manifest schema is not a record");
    }
    r->e_status = floe_avro_field_index_by_id(root, 0);
    r->e_snapshot = floe_avro_field_index_by_id(root, 1);
    r->e_seq = floe_avro_field_index_by_id(root, 3);
    r->e_fseq = floe_avro_field_index_by_id(root, 4);
    r->e_file = floe_avro_field_index_by_id(root, 2);
    const floe_avro_node *df = record_of(root, r->e_file);
    if (r->e_status < 0 || df == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not a manifest: no status (0) or data_file (2) record field");
    }
    for (int i = 0; i < DF_COUNT; i++) {
        r->df[i] = floe_avro_field_index_by_id(df, DF_IDS[i]);
    }
    if (r->df[DF_PATH] < 0 || r->df[DF_FORMAT] < 0 || r->df[DF_RECORDS] < 0 ||
        r->df[DF_PARTITION] < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not a manifest: data_file lacks file_path, file_format, partition "
                            "or record_count");
    }
    const floe_avro_node *prec = record_of(df, r->df[DF_PARTITION]);
    if (prec == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "data_file.partition is not a record");
    }

    /* Header facts. */
    int64_t fv;
    if (meta_int(av, "format-version", &fv)) {
        if (fv < 1 || fv > FLOE_ICE_MAX_FORMAT_VERSION) {
            return floe_err_set(
                err, fv > FLOE_ICE_MAX_FORMAT_VERSION ? FLOE_ERR_UNSUPPORTED : FLOE_ERR_CORRUPT,
                "manifest format-version %lld is not supported", (long long)fv);
        }
        r->info.format_version = (int)fv;
    } else {
        r->info.format_version = r->df[DF_CONTENT] >= 0 ? 2 : 1;
    }
    floe_str content;
    r->info.content = FLOE_MANIFEST_DATA;
    if (floe_avro_reader_meta_get(av, "content", &content)) {
        if (floe_str_eq_c(content, "deletes")) {
            r->info.content = FLOE_MANIFEST_DELETES;
        } else if (!floe_str_eq_c(content, "data")) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "manifest content \"%.*s\" is unknown",
                                (int)(content.len > 64 ? 64 : content.len), content.ptr);
        }
    }
    if (r->has_mf) {
        r->info.content = r->mf.content;
    }
    floe_str schema_text;
    if (floe_avro_reader_meta_get(av, "schema", &schema_text)) {
        json_t *j = json_loadb(schema_text.ptr, schema_text.len, JSON_REJECT_DUPLICATES, NULL);
        const floe_ice_schema *s = NULL;
        floe_err tmp = {0};
        if (j != NULL && floe_ice_schema_from_json(r->arena, j, &s, &tmp) == FLOE_OK) {
            r->info.schema = s;
        }
        json_decref(j);
    }
    floe_status st = resolve_spec(r, o, prec, err);
    if (st == FLOE_OK) {
        st = resolve_partition_type(r, o, prec, err);
    }
    if (st != FLOE_OK) {
        return st;
    }

    /* Where each spec field sits in the Avro partition record. */
    const floe_partition_spec *spec = r->info.spec;
    r->n_part = spec->n_fields;
    r->part_pos = floe_arena_calloc(r->arena, r->n_part + 1, sizeof(*r->part_pos));
    r->part_coerce = floe_arena_calloc(r->arena, r->n_part + 1, sizeof(*r->part_coerce));
    r->part_names = floe_arena_calloc(r->arena, r->n_part + 1, sizeof(*r->part_names));
    if (r->part_pos == NULL || r->part_coerce == NULL || r->part_names == NULL) {
        return ice_nomem(r->arena, err);
    }
    bool by_position = floe_avro_node_count(prec) == r->n_part;
    for (size_t k = 0; k < r->n_part; k++) {
        int pos = floe_avro_field_index_by_id(prec, spec->fields[k].field_id);
        if (pos < 0 && by_position) {
            int32_t id;
            if (!floe_avro_field_id(prec, k, &id)) {
                pos = (int)k; /* very old writers: no ids in the partition record */
            }
        }
        r->part_pos[k] = pos;
        r->part_coerce[k] = spec->fields[k].transform.kind != FLOE_ICE_T_UNKNOWN;
        r->part_names[k] = spec->fields[k].name;
    }

    /* Projection: never decode what nobody reads. */
    static const int32_t always_skip[] = {105, 106, 107, 111};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(always_skip); i++) {
        int pos = floe_avro_field_index_by_id(df, always_skip[i]);
        if (pos >= 0 && floe_avro_reader_skip_field(av, df, (size_t)pos, err) != FLOE_OK) {
            return FLOE_ERR_INTERNAL;
        }
    }
    struct {
        unsigned flag;
        int which;
    } skips[] = {{FLOE_MANIFEST_SKIP_COLUMN_SIZES, DF_COL_SIZES},
                 {FLOE_MANIFEST_SKIP_COUNTS, DF_VALUE_COUNTS},
                 {FLOE_MANIFEST_SKIP_COUNTS, DF_NULL_COUNTS},
                 {FLOE_MANIFEST_SKIP_COUNTS, DF_NAN_COUNTS},
                 {FLOE_MANIFEST_SKIP_BOUNDS, DF_LOWER},
                 {FLOE_MANIFEST_SKIP_BOUNDS, DF_UPPER}};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(skips); i++) {
        int pos = r->df[skips[i].which];
        if ((o->skip & skips[i].flag) != 0 && pos >= 0) {
            if (floe_avro_reader_skip_field(av, df, (size_t)pos, err) != FLOE_OK) {
                return FLOE_ERR_INTERNAL;
            }
            r->df[skips[i].which] = -1;
        }
    }
    return FLOE_OK;
}

static floe_status reader_new(floe_input *in, const void *data, size_t len,
                              const floe_manifest_read_opts *opts, floe_manifest_reader **out,
                              floe_err *err)
{
    static const floe_manifest_read_opts no_opts = {0};
    const floe_manifest_read_opts *o = opts != NULL ? opts : &no_opts;
    floe_manifest_reader *r = floe_xcalloc(1, sizeof(*r));
    r->in = in;
    r->arena = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    if (o->manifest != NULL) {
        r->has_mf = true;
        r->mf = *o->manifest;
    }
    floe_status st = in != NULL ? floe_avro_reader_open(in, NULL, &r->avro, err)
                                : floe_avro_reader_open_mem(data, len, NULL, &r->avro, err);
    if (st == FLOE_OK) {
        st = reader_setup(r, o, err);
    }
    if (st != FLOE_OK) {
        floe_manifest_reader_close(r);
        return st;
    }
    *out = r;
    return FLOE_OK;
}

floe_status floe_manifest_reader_open(floe_fileio *io, const char *location,
                                      const floe_manifest_read_opts *opts,
                                      floe_manifest_reader **out, floe_err *err)
{
    floe_input *in = NULL;
    floe_status st = floe_io_open(io, location, &in, err);
    if (st == FLOE_OK) {
        st = reader_new(in, NULL, 0, opts, out, err); /* owns `in` from here on */
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest %s", location);
    }
    return FLOE_OK;
}

floe_status floe_manifest_reader_open_mem(const void *data, size_t len,
                                          const floe_manifest_read_opts *opts,
                                          floe_manifest_reader **out, floe_err *err)
{
    floe_status st = reader_new(NULL, data, len, opts, out, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest");
    }
    return FLOE_OK;
}

void floe_manifest_reader_close(floe_manifest_reader *r)
{
    if (r == NULL) {
        return;
    }
    floe_avro_reader_close(r->avro);
    floe_input_close(r->in);
    floe_arena_free(r->arena);
    free(r);
}

const floe_manifest_info *floe_manifest_reader_info(const floe_manifest_reader *r)
{
    return &r->info;
}

uint64_t floe_manifest_reader_count(const floe_manifest_reader *r)
{
    return r->count;
}

static floe_status read_partition(floe_manifest_reader *r, floe_arena *a, const floe_value *v,
                                  floe_value *out, floe_err *err)
{
    if (v->kind != FLOE_V_STRUCT) {
        return bad(err, "data_file.partition", "a record");
    }
    floe_value *items = floe_arena_alloc(a, (r->n_part > 0 ? r->n_part : 1) * sizeof(*items));
    if (items == NULL) {
        return ice_nomem(a, err);
    }
    const floe_ice_type *pt = r->info.partition_type;
    for (size_t k = 0; k < r->n_part; k++) {
        items[k] = *item(v, r->part_pos[k]);
        if (r->part_coerce[k] && ice_coerce_value(pt->fields[k].type, &items[k], err) != FLOE_OK) {
            return floe_err_wrap(err, "data_file.partition.%s", r->part_names[k]);
        }
    }
    *out = floe_value_null();
    out->kind = FLOE_V_STRUCT;
    out->u.nested.items = items;
    out->u.nested.names = r->part_names;
    out->u.nested.n = r->n_part;
    return FLOE_OK;
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        floe_status st_ = (expr);                                                                  \
        if (st_ != FLOE_OK) {                                                                      \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

static floe_status read_data_file(floe_manifest_reader *r, floe_arena *a, const floe_value *v,
                                  floe_data_file *f, floe_err *err)
{
    const int *df = r->df;
    int32_t content = 0;
    bool has;
    CHECK(get_i32(item(v, df[DF_CONTENT]), "data_file.content", false, &has, &content, err));
    if (content < 0 || content > 2) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "data_file.content %d is not 0, 1 or 2",
                            (int)content);
    }
    f->content = (floe_file_content)content;
    CHECK(get_str(a, item(v, df[DF_PATH]), "data_file.file_path", true, &f->file_path, err));
    const floe_value *fmt = item(v, df[DF_FORMAT]);
    if (fmt->kind != FLOE_V_STRING) {
        return bad(err, "data_file.file_format", "a string");
    }
    char fbuf[16];
    size_t fl = fmt->u.bytes.len < sizeof(fbuf) - 1 ? fmt->u.bytes.len : sizeof(fbuf) - 1;
    memcpy(fbuf, fmt->u.bytes.ptr, fl);
    fbuf[fl] = 0;
    if (floe_file_format_parse(fbuf, &f->file_format, err) != FLOE_OK) {
        return floe_err_wrap(err, "data_file.file_format");
    }
    f->spec_id = r->info.spec_id;
    CHECK(read_partition(r, a, item(v, df[DF_PARTITION]), &f->partition, err));
    CHECK(get_i64(item(v, df[DF_RECORDS]), "data_file.record_count", true, NULL, &f->record_count,
                  err));
    CHECK(get_i64(item(v, df[DF_SIZE]), "data_file.file_size_in_bytes", df[DF_SIZE] >= 0, NULL,
                  &f->file_size_in_bytes, err));
    CHECK(get_counts(a, item(v, df[DF_COL_SIZES]), "data_file.column_sizes", &f->column_sizes,
                     &f->n_column_sizes, err));
    CHECK(get_counts(a, item(v, df[DF_VALUE_COUNTS]), "data_file.value_counts", &f->value_counts,
                     &f->n_value_counts, err));
    CHECK(get_counts(a, item(v, df[DF_NULL_COUNTS]), "data_file.null_value_counts",
                     &f->null_value_counts, &f->n_null_value_counts, err));
    CHECK(get_counts(a, item(v, df[DF_NAN_COUNTS]), "data_file.nan_value_counts",
                     &f->nan_value_counts, &f->n_nan_value_counts, err));
    CHECK(get_bounds(a, item(v, df[DF_LOWER]), "data_file.lower_bounds", &f->lower_bounds,
                     &f->n_lower_bounds, err));
    CHECK(get_bounds(a, item(v, df[DF_UPPER]), "data_file.upper_bounds", &f->upper_bounds,
                     &f->n_upper_bounds, err));
    CHECK(get_bytes(item(v, df[DF_KEY_META]), "data_file.key_metadata", &f->key_metadata, err));
    CHECK(get_i64_list(a, item(v, df[DF_SPLITS]), "data_file.split_offsets", &f->split_offsets,
                       &f->n_split_offsets, err));
    CHECK(get_i32_list(a, item(v, df[DF_EQ_IDS]), "data_file.equality_ids", &f->equality_ids,
                       &f->n_equality_ids, err));
    CHECK(get_i32(item(v, df[DF_SORT_ORDER]), "data_file.sort_order_id", false,
                  &f->has_sort_order_id, &f->sort_order_id, err));
    CHECK(get_str(a, item(v, df[DF_REF_FILE]), "data_file.referenced_data_file", false,
                  &f->referenced_data_file, err));
    CHECK(get_i64(item(v, df[DF_FIRST_ROW_ID]), "data_file.first_row_id", false,
                  &f->has_first_row_id, &f->first_row_id, err));
    CHECK(get_i64(item(v, df[DF_CONTENT_OFFSET]), "data_file.content_offset", false,
                  &f->has_content_offset, &f->content_offset, err));
    CHECK(get_i64(item(v, df[DF_CONTENT_SIZE]), "data_file.content_size_in_bytes", false,
                  &f->has_content_size_in_bytes, &f->content_size_in_bytes, err));
    if (f->content == FLOE_CONTENT_EQUALITY_DELETES && f->equality_ids == NULL) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "equality delete file %s has no equality_ids",
                            f->file_path);
    }
    return FLOE_OK;
}

floe_status floe_manifest_reader_next(floe_manifest_reader *r, floe_arena *a,
                                      floe_manifest_entry *out, bool *got, floe_err *err)
{
    floe_value v;
    *got = false;
    floe_status st = floe_avro_reader_next(r->avro, a, &v, got, err);
    if (st != FLOE_OK || !*got) {
        return st;
    }
    *got = false;
    memset(out, 0, sizeof(*out));
    int32_t status = 0;
    st = get_i32(item(&v, r->e_status), "status", true, NULL, &status, err);
    if (st == FLOE_OK && (status < 0 || status > 2)) {
        st = floe_err_set(err, FLOE_ERR_CORRUPT, "status %d is not 0, 1 or 2", (int)status);
    }
    if (st == FLOE_OK) {
        out->status = (floe_entry_status)status;
        st = get_i64(item(&v, r->e_snapshot), "snapshot_id", false, &out->has_snapshot_id,
                     &out->snapshot_id, err);
    }
    if (st == FLOE_OK) {
        st = get_i64(item(&v, r->e_seq), "sequence_number", false, &out->has_sequence_number,
                     &out->sequence_number, err);
    }
    if (st == FLOE_OK) {
        st = get_i64(item(&v, r->e_fseq), "file_sequence_number", false,
                     &out->has_file_sequence_number, &out->file_sequence_number, err);
    }
    if (st == FLOE_OK) {
        const floe_value *df = item(&v, r->e_file);
        st = df->kind == FLOE_V_STRUCT ? read_data_file(r, a, df, &out->file, err)
                                       : bad(err, "data_file", "a record");
    }
    if (st == FLOE_OK && r->has_mf) {
        st = floe_manifest_entry_inherit(out, &r->mf, r->info.format_version, err);
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "entry %llu", (unsigned long long)r->count);
    }
    r->count++;
    *got = true;
    return FLOE_OK;
}

/* ==== Manifest lists ==== */

enum {
    ML_PATH,
    ML_LENGTH,
    ML_SPEC,
    ML_CONTENT,
    ML_SEQ,
    ML_MIN_SEQ,
    ML_SNAPSHOT,
    ML_ADDED,
    ML_EXISTING,
    ML_DELETED,
    ML_ADDED_ROWS,
    ML_EXISTING_ROWS,
    ML_DELETED_ROWS,
    ML_PARTITIONS,
    ML_KEY_META,
    ML_FIRST_ROW_ID,
    ML_COUNT
};
static const int32_t ML_IDS[ML_COUNT] = {500, 501, 502, 517, 515, 516, 503, 504,
                                         505, 506, 512, 513, 514, 507, 519, 520};

static floe_status read_summaries(floe_arena *a, const floe_value *v, const int sum_pos[4],
                                  floe_manifest_file *m, floe_err *err)
{
    m->partitions = NULL;
    m->n_partitions = 0;
    if (v->kind == FLOE_V_NULL) {
        return FLOE_OK;
    }
    if (v->kind != FLOE_V_LIST) {
        return bad(err, "partitions", "a list");
    }
    size_t n = v->u.nested.n;
    floe_field_summary *s = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*s));
    if (s == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        const floe_value *e = &v->u.nested.items[i];
        if (e->kind != FLOE_V_STRUCT) {
            return bad(err, "partitions", "a list of field_summary records");
        }
        const floe_value *cn = item(e, sum_pos[0]);
        if (cn->kind != FLOE_V_BOOL) {
            return bad(err, "partitions.contains_null", "a boolean");
        }
        s[i].contains_null = cn->u.b;
        const floe_value *nan = item(e, sum_pos[1]);
        if (nan->kind == FLOE_V_BOOL) {
            s[i].has_contains_nan = true;
            s[i].contains_nan = nan->u.b;
        } else if (nan->kind != FLOE_V_NULL) {
            return bad(err, "partitions.contains_nan", "a boolean or null");
        }
        CHECK(get_bytes(item(e, sum_pos[2]), "partitions.lower_bound", &s[i].lower_bound, err));
        CHECK(get_bytes(item(e, sum_pos[3]), "partitions.upper_bound", &s[i].upper_bound, err));
    }
    m->partitions = s;
    m->n_partitions = n;
    return FLOE_OK;
}

static floe_status read_manifest_file(floe_arena *a, const floe_value *v, const int *pos,
                                      const int sum_pos[4], const floe_manifest_list *list,
                                      floe_manifest_file *m, floe_err *err)
{
    memset(m, 0, sizeof(*m));
    CHECK(get_str(a, item(v, pos[ML_PATH]), "manifest_path", true, &m->manifest_path, err));
    CHECK(
        get_i64(item(v, pos[ML_LENGTH]), "manifest_length", true, NULL, &m->manifest_length, err));
    CHECK(get_i32(item(v, pos[ML_SPEC]), "partition_spec_id", true, NULL, &m->partition_spec_id,
                  err));
    bool has;
    int32_t content = 0;
    CHECK(get_i32(item(v, pos[ML_CONTENT]), "content", list->format_version >= 2, &has, &content,
                  err));
    if (content != 0 && content != 1) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "content %d is not 0 or 1", (int)content);
    }
    m->content = (floe_manifest_content)content;
    CHECK(get_i64(item(v, pos[ML_SEQ]), "sequence_number", list->format_version >= 2, &has,
                  &m->sequence_number, err));
    CHECK(get_i64(item(v, pos[ML_MIN_SEQ]), "min_sequence_number", list->format_version >= 2, &has,
                  &m->min_sequence_number, err));
    CHECK(get_i64(item(v, pos[ML_SNAPSHOT]), "added_snapshot_id", list->format_version >= 2, &has,
                  &m->added_snapshot_id, err));
    if (!has) {
        m->added_snapshot_id = list->has_snapshot_id ? list->snapshot_id : -1;
    }
    bool h[6] = {false};
    CHECK(get_i32(item(v, pos[ML_ADDED]), "added_files_count", false, &h[0], &m->added_files_count,
                  err));
    CHECK(get_i32(item(v, pos[ML_EXISTING]), "existing_files_count", false, &h[1],
                  &m->existing_files_count, err));
    CHECK(get_i32(item(v, pos[ML_DELETED]), "deleted_files_count", false, &h[2],
                  &m->deleted_files_count, err));
    CHECK(get_i64(item(v, pos[ML_ADDED_ROWS]), "added_rows_count", false, &h[3],
                  &m->added_rows_count, err));
    CHECK(get_i64(item(v, pos[ML_EXISTING_ROWS]), "existing_rows_count", false, &h[4],
                  &m->existing_rows_count, err));
    CHECK(get_i64(item(v, pos[ML_DELETED_ROWS]), "deleted_rows_count", false, &h[5],
                  &m->deleted_rows_count, err));
    m->has_counts = h[0] && h[1] && h[2] && h[3] && h[4] && h[5];
    if (m->has_counts &&
        (m->added_files_count < 0 || m->existing_files_count < 0 || m->deleted_files_count < 0)) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "negative file count");
    }
    CHECK(read_summaries(a, item(v, pos[ML_PARTITIONS]), sum_pos, m, err));
    CHECK(get_bytes(item(v, pos[ML_KEY_META]), "key_metadata", &m->key_metadata, err));
    CHECK(get_i64(item(v, pos[ML_FIRST_ROW_ID]), "first_row_id", false, &m->has_first_row_id,
                  &m->first_row_id, err));
    return FLOE_OK;
}

static floe_status list_read(floe_arena *a, floe_avro_reader *av, floe_manifest_list *out,
                             floe_err *err)
{
    memset(out, 0, sizeof(*out));
    const floe_avro_node *root = floe_avro_schema_root(floe_avro_reader_schema(av));
    if (floe_avro_node_type(root) != FLOE_AVRO_RECORD) {
        return floe_err_set(err, FLOE_ERR_CORRUPT, "manifest list schema is not a record");
    }
    int pos[ML_COUNT];
    for (int i = 0; i < ML_COUNT; i++) {
        pos[i] = floe_avro_field_index_by_id(root, ML_IDS[i]);
    }
    if (pos[ML_PATH] < 0 || pos[ML_LENGTH] < 0 || pos[ML_SPEC] < 0) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "not a manifest list: no manifest_path, manifest_length or "
                            "partition_spec_id field");
    }
    int sum_pos[4] = {-1, -1, -1, -1};
    if (pos[ML_PARTITIONS] >= 0) {
        const floe_avro_node *arr =
            floe_avro_node_nonnull(floe_avro_field_type(root, (size_t)pos[ML_PARTITIONS]));
        const floe_avro_node *rec = floe_avro_node_type(arr) == FLOE_AVRO_ARRAY
                                        ? floe_avro_node_nonnull(floe_avro_node_items(arr))
                                        : NULL;
        if (rec == NULL || floe_avro_node_type(rec) != FLOE_AVRO_RECORD) {
            return floe_err_set(err, FLOE_ERR_CORRUPT, "partitions is not a list of records");
        }
        static const int32_t ids[4] = {509, 518, 510, 511};
        for (int i = 0; i < 4; i++) {
            sum_pos[i] = floe_avro_field_index_by_id(rec, ids[i]);
        }
    }
    int64_t x;
    if (meta_int(av, "format-version", &x)) {
        if (x < 1 || x > FLOE_ICE_MAX_FORMAT_VERSION) {
            return floe_err_set(
                err, x > FLOE_ICE_MAX_FORMAT_VERSION ? FLOE_ERR_UNSUPPORTED : FLOE_ERR_CORRUPT,
                "manifest list format-version %lld is not supported", (long long)x);
        }
        out->format_version = (int)x;
    } else {
        out->format_version = pos[ML_CONTENT] >= 0 ? 2 : 1;
    }
    out->has_snapshot_id = meta_int(av, "snapshot-id", &out->snapshot_id);
    out->has_parent_snapshot_id = meta_int(av, "parent-snapshot-id", &out->parent_snapshot_id);
    out->has_sequence_number = meta_int(av, "sequence-number", &out->sequence_number);
    out->has_first_row_id = meta_int(av, "first-row-id", &out->first_row_id);

    floe_vec ms;
    floe_vec_init(&ms, sizeof(floe_manifest_file));
    floe_status st = FLOE_OK;
    for (;;) {
        floe_value v;
        bool got;
        st = floe_avro_reader_next(av, a, &v, &got, err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (ms.n >= FLOE_MANIFEST_LIST_MAX) {
            st = floe_err_set(err, FLOE_ERR_TOO_BIG, "more than %d manifests",
                              FLOE_MANIFEST_LIST_MAX);
            break;
        }
        st = read_manifest_file(a, &v, pos, sum_pos, out, floe_vec_push(&ms), err);
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "manifest %zu", ms.n - 1);
            break;
        }
    }
    if (st == FLOE_OK && ms.n > 0) {
        out->manifests = floe_arena_memdup(a, ms.data, ms.n * sizeof(floe_manifest_file));
        out->n_manifests = ms.n;
        if (out->manifests == NULL) {
            st = ice_nomem(a, err);
        }
    }
    floe_vec_fini(&ms);
    return st;
}

floe_status floe_manifest_list_parse(floe_arena *a, const void *data, size_t len,
                                     floe_manifest_list *out, floe_err *err)
{
    floe_avro_reader *av = NULL;
    floe_status st = floe_avro_reader_open_mem(data, len, NULL, &av, err);
    if (st == FLOE_OK) {
        st = list_read(a, av, out, err);
    }
    floe_avro_reader_close(av);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest list");
    }
    return FLOE_OK;
}

floe_status floe_manifest_list_read(floe_arena *a, floe_fileio *io, const char *location,
                                    floe_manifest_list *out, floe_err *err)
{
    floe_input *in = NULL;
    floe_avro_reader *av = NULL;
    floe_status st = floe_io_open(io, location, &in, err);
    if (st == FLOE_OK) {
        st = floe_avro_reader_open(in, NULL, &av, err);
    }
    if (st == FLOE_OK) {
        st = list_read(a, av, out, err);
    }
    floe_avro_reader_close(av);
    floe_input_close(in);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "manifest list %s", location);
    }
    return FLOE_OK;
}

floe_status floe_snapshot_manifests(floe_arena *a, floe_fileio *io, const floe_table_meta *meta,
                                    const floe_snapshot *snap, const floe_manifest_file **out,
                                    size_t *n, floe_err *err)
{
    if (snap->manifest_list != NULL) {
        floe_manifest_list list;
        floe_status st = floe_manifest_list_read(a, io, snap->manifest_list, &list, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "snapshot %lld", (long long)snap->snapshot_id);
        }
        *out = list.manifests;
        *n = list.n_manifests;
        return FLOE_OK;
    }
    floe_manifest_file *ms = floe_arena_calloc(a, snap->n_manifests + 1, sizeof(*ms));
    if (ms == NULL) {
        return ice_nomem(a, err);
    }
    for (size_t i = 0; i < snap->n_manifests; i++) {
        const char *path = snap->manifests[i];
        floe_manifest_reader *r = NULL;
        floe_manifest_read_opts o = {.meta = meta, .skip = FLOE_MANIFEST_SKIP_STATS};
        floe_file_info fi;
        floe_status st = floe_io_stat(io, path, &fi, err);
        if (st == FLOE_OK) {
            st = floe_manifest_reader_open(io, path, &o, &r, err);
        }
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "snapshot %lld", (long long)snap->snapshot_id);
        }
        const floe_manifest_info *info = floe_manifest_reader_info(r);
        ms[i] = (floe_manifest_file){.manifest_path = floe_arena_strdup(a, path),
                                     .manifest_length = (int64_t)fi.size,
                                     .partition_spec_id = info->spec_id,
                                     .content = info->content,
                                     .added_snapshot_id = snap->snapshot_id};
        floe_manifest_reader_close(r);
        if (ms[i].manifest_path == NULL) {
            return ice_nomem(a, err);
        }
    }
    *out = ms;
    *n = snap->n_manifests;
    return FLOE_OK;
}

floe_status ice_manifest_fill_counts(floe_fileio *io, const floe_table_meta *meta,
                                     floe_manifest_file *mf, floe_err *err)
{
    floe_manifest_read_opts o = {.meta = meta, .manifest = mf, .skip = FLOE_MANIFEST_SKIP_STATS};
    floe_manifest_reader *r = NULL;
    floe_status st = floe_manifest_reader_open(io, mf->manifest_path, &o, &r, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    mf->added_files_count = mf->existing_files_count = mf->deleted_files_count = 0;
    mf->added_rows_count = mf->existing_rows_count = mf->deleted_rows_count = 0;
    for (;;) {
        floe_manifest_entry e;
        bool got;
        floe_arena_reset(a);
        st = floe_manifest_reader_next(r, a, &e, &got, err);
        if (st != FLOE_OK || !got) {
            break;
        }
        if (e.status == FLOE_ENTRY_ADDED) {
            mf->added_files_count++;
            mf->added_rows_count += e.file.record_count;
        } else if (e.status == FLOE_ENTRY_EXISTING) {
            mf->existing_files_count++;
            mf->existing_rows_count += e.file.record_count;
        } else {
            mf->deleted_files_count++;
            mf->deleted_rows_count += e.file.record_count;
        }
    }
    floe_arena_free(a);
    floe_manifest_reader_close(r);
    if (st == FLOE_OK) {
        mf->has_counts = true;
    } else {
        floe_err_wrap(err, "manifest %s", mf->manifest_path);
    }
    return st;
}
