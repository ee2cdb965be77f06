/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Avro schemas of manifests and manifest lists (spec "Manifests" and "Manifest Lists").
 *
 * The structs are defined once as Iceberg types (field ids, names, requiredness, docs) for each
 * format version, and turned into Avro schema JSON the way Java's AvroSchemaUtil does it, so
 * files written here carry the same record names (r2, r102, r508, k117_v118, ...), the same
 * field-id / element-id attributes, and optional fields as ["null", T] with a null default. The
 * same type also gives the "iceberg.schema" header value.
 */
#include "ops_int.h"

#include <stdio.h>
#include <strings.h>

/* ==== The structs ==== */

static const floe_ice_type T_BOOL = {.id = FLOE_ICE_BOOLEAN};
static const floe_ice_type T_INT = {.id = FLOE_ICE_INT};
static const floe_ice_type T_LONG = {.id = FLOE_ICE_LONG};
static const floe_ice_type T_STRING = {.id = FLOE_ICE_STRING};
static const floe_ice_type T_BINARY = {.id = FLOE_ICE_BINARY};

#define FLD(id_, name_, req_, type_, doc_)                                                         \
    {                                                                                              \
        .id = (id_), .name = (name_), .required = (req_), .type = (type_), .doc = (doc_)           \
    }

/* Int-keyed metric maps: key and value ids as in the spec. */
#define KV_MAP(var, kid, vid, vtype)                                                               \
    static const floe_ice_field var##_kv[] = {FLD(kid, "key", true, &T_INT, NULL),                 \
                                              FLD(vid, "value", true, vtype, NULL)};               \
    static const floe_ice_type var = {.id = FLOE_ICE_MAP, .fields = var##_kv, .n_fields = 2}

KV_MAP(M_COLUMN_SIZES, 117, 118, &T_LONG);
KV_MAP(M_VALUE_COUNTS, 119, 120, &T_LONG);
KV_MAP(M_NULL_COUNTS, 121, 122, &T_LONG);
KV_MAP(M_NAN_COUNTS, 138, 139, &T_LONG);
KV_MAP(M_LOWER, 126, 127, &T_BINARY);
KV_MAP(M_UPPER, 129, 130, &T_BINARY);

static const floe_ice_field L_SPLITS_el[] = {FLD(133, "element", true, &T_LONG, NULL)};
static const floe_ice_type L_SPLITS = {.id = FLOE_ICE_LIST, .fields = L_SPLITS_el, .n_fields = 1};
static const floe_ice_field L_EQ_el[] = {FLD(136, "element", true, &T_INT, NULL)};
static const floe_ice_type L_EQ = {.id = FLOE_ICE_LIST, .fields = L_EQ_el, .n_fields = 1};

static const floe_ice_type T_EMPTY_STRUCT = {.id = FLOE_ICE_STRUCT};

#define DOC_CONTENT "Contents of the file: 0=data, 1=position deletes, 2=equality deletes"
#define DOC_PATH "Location URI with FS scheme"
#define DOC_FORMAT "File format name: avro, orc, or parquet"
#define DOC_PARTITION "Partition data tuple, schema based on the partition spec"
#define DOC_RECORDS "Number of records in the file"
#define DOC_SIZE "Total file size in bytes"
#define DOC_COL_SIZES "Map of column id to total size on disk"
#define DOC_VALUE_COUNTS "Map of column id to total count, including null and NaN"
#define DOC_NULL_COUNTS "Map of column id to null value count"
#define DOC_NAN_COUNTS "Map of column id to number of NaN values in the column"
#define DOC_LOWER "Map of column id to lower bound"
#define DOC_UPPER "Map of column id to upper bound"
#define DOC_KEY_META "Encryption key metadata blob"
#define DOC_SPLITS "Splittable offsets"
#define DOC_EQ "Equality comparison field IDs"
#define DOC_SORT "Sort order ID"
#define DOC_REF_FILE                                                                               \
    "Fully qualified location (URI with FS scheme) of a data file that all deletes reference"
#define DOC_FIRST_ROW_ID "The _row_id for the first row in the data file"
#define DOC_CONTENT_OFFSET "The offset in the file where the content starts"
#define DOC_CONTENT_SIZE "The length of referenced content stored in the file"

/* Index of the partition field in each data_file layout (its type is filled in per spec). */
#define V1_PARTITION_POS 2
#define V2_PARTITION_POS 3

static const floe_ice_field DATA_FILE_V1[] = {
    FLD(100, "file_path", true, &T_STRING, DOC_PATH),
    FLD(101, "file_format", true, &T_STRING, DOC_FORMAT),
    FLD(102, "partition", true, &T_EMPTY_STRUCT, DOC_PARTITION),
    FLD(103, "record_count", true, &T_LONG, DOC_RECORDS),
    FLD(104, "file_size_in_bytes", true, &T_LONG, DOC_SIZE),
    FLD(105, "block_size_in_bytes", true, &T_LONG, NULL),
    FLD(108, "column_sizes", false, &M_COLUMN_SIZES, DOC_COL_SIZES),
    FLD(109, "value_counts", false, &M_VALUE_COUNTS, DOC_VALUE_COUNTS),
    FLD(110, "null_value_counts", false, &M_NULL_COUNTS, DOC_NULL_COUNTS),
    FLD(137, "nan_value_counts", false, &M_NAN_COUNTS, DOC_NAN_COUNTS),
    FLD(125, "lower_bounds", false, &M_LOWER, DOC_LOWER),
    FLD(128, "upper_bounds", false, &M_UPPER, DOC_UPPER),
    FLD(131, "key_metadata", false, &T_BINARY, DOC_KEY_META),
    FLD(132, "split_offsets", false, &L_SPLITS, DOC_SPLITS),
    FLD(140, "sort_order_id", false, &T_INT, DOC_SORT),
};

/* v2 and v3 share the first 17 fields; v3 adds the row-lineage and deletion-vector fields. */
static const floe_ice_field DATA_FILE_V3[] = {
    FLD(134, "content", true, &T_INT, DOC_CONTENT),
    FLD(100, "file_path", true, &T_STRING, DOC_PATH),
    FLD(101, "file_format", true, &T_STRING, DOC_FORMAT),
    FLD(102, "partition", true, &T_EMPTY_STRUCT, DOC_PARTITION),
    FLD(103, "record_count", true, &T_LONG, DOC_RECORDS),
    FLD(104, "file_size_in_bytes", true, &T_LONG, DOC_SIZE),
    FLD(108, "column_sizes", false, &M_COLUMN_SIZES, DOC_COL_SIZES),
    FLD(109, "value_counts", false, &M_VALUE_COUNTS, DOC_VALUE_COUNTS),
    FLD(110, "null_value_counts", false, &M_NULL_COUNTS, DOC_NULL_COUNTS),
    FLD(137, "nan_value_counts", false, &M_NAN_COUNTS, DOC_NAN_COUNTS),
    FLD(125, "lower_bounds", false, &M_LOWER, DOC_LOWER),
    FLD(128, "upper_bounds", false, &M_UPPER, DOC_UPPER),
    FLD(131, "key_metadata", false, &T_BINARY, DOC_KEY_META),
    FLD(132, "split_offsets", false, &L_SPLITS, DOC_SPLITS),
    FLD(135, "equality_ids", false, &L_EQ, DOC_EQ),
    FLD(140, "sort_order_id", false, &T_INT, DOC_SORT),
    FLD(143, "referenced_data_file", false, &T_STRING, DOC_REF_FILE),
    FLD(142, "first_row_id", false, &T_LONG, DOC_FIRST_ROW_ID),
    FLD(144, "content_offset", false, &T_LONG, DOC_CONTENT_OFFSET),
    FLD(145, "content_size_in_bytes", false, &T_LONG, DOC_CONTENT_SIZE),
};
#define DATA_FILE_V2_COUNT 17

const floe_ice_type *ice_manifest_entry_type(floe_arena *a, int format_version,
                                             const floe_ice_type *partition)
{
    const floe_ice_field *tmpl = format_version <= 1 ? DATA_FILE_V1 : DATA_FILE_V3;
    size_t n = format_version <= 1   ? FLOE_ARRAY_LEN(DATA_FILE_V1)
               : format_version == 2 ? DATA_FILE_V2_COUNT
                                     : FLOE_ARRAY_LEN(DATA_FILE_V3);
    size_t ppos = format_version <= 1 ? V1_PARTITION_POS : V2_PARTITION_POS;
    floe_ice_field *df = floe_arena_memdup(a, tmpl, n * sizeof(*df));
    floe_ice_field *ef = floe_arena_calloc(a, 5, sizeof(*ef));
    if (df == NULL || ef == NULL) {
        return NULL;
    }
    df[ppos].type = partition;
    const floe_ice_type *dft = ice_struct_type(a, df, n);
    if (dft == NULL) {
        return NULL;
    }
    size_t k = 0;
    ef[k++] = (floe_ice_field)FLD(0, "status", true, &T_INT, NULL);
    ef[k++] = (floe_ice_field)FLD(1, "snapshot_id", false, &T_LONG, NULL);
    if (format_version >= 2) {
        ef[k++] = (floe_ice_field)FLD(3, "sequence_number", false, &T_LONG, NULL);
        ef[k++] = (floe_ice_field)FLD(4, "file_sequence_number", false, &T_LONG, NULL);
    }
    ef[k++] = (floe_ice_field)FLD(2, "data_file", true, dft, NULL);
    return ice_struct_type(a, ef, k);
}

static const floe_ice_field SUMMARY_FIELDS[] = {
    FLD(509, "contains_null", true, &T_BOOL, "True if any file has a null partition value"),
    FLD(518, "contains_nan", false, &T_BOOL, "True if any file has a nan partition value"),
    FLD(510, "lower_bound", false, &T_BINARY, "Partition lower bound for all files"),
    FLD(511, "upper_bound", false, &T_BINARY, "Partition upper bound for all files"),
};
static const floe_ice_type T_SUMMARY = {
    .id = FLOE_ICE_STRUCT, .fields = SUMMARY_FIELDS, .n_fields = FLOE_ARRAY_LEN(SUMMARY_FIELDS)};
static const floe_ice_field L_SUMMARIES_el[] = {FLD(508, "element", true, &T_SUMMARY, NULL)};
static const floe_ice_type L_SUMMARIES = {
    .id = FLOE_ICE_LIST, .fields = L_SUMMARIES_el, .n_fields = 1};

#define DOC_M_PATH "Location URI with FS scheme"
#define DOC_M_LENGTH "Total file size in bytes"
#define DOC_M_SPEC "Spec ID used to write"
#define DOC_M_SNAP "Snapshot ID that added the manifest"
#define DOC_M_ADDED "Added entry count"
#define DOC_M_EXISTING "Existing entry count"
#define DOC_M_DELETED "Deleted entry count"
#define DOC_M_PARTS "Summary for each partition"
#define DOC_M_ADDED_ROWS "Added rows count"
#define DOC_M_EXISTING_ROWS "Existing rows count"
#define DOC_M_DELETED_ROWS "Deleted rows count"

/* v1 lists: counts optional, named after data files (Java's V1Metadata). */
static const floe_ice_field LIST_V1[] = {
    FLD(500, "manifest_path", true, &T_STRING, DOC_M_PATH),
    FLD(501, "manifest_length", true, &T_LONG, DOC_M_LENGTH),
    FLD(502, "partition_spec_id", true, &T_INT, DOC_M_SPEC),
    FLD(503, "added_snapshot_id", false, &T_LONG, DOC_M_SNAP),
    FLD(504, "added_data_files_count", false, &T_INT, DOC_M_ADDED),
    FLD(505, "existing_data_files_count", false, &T_INT, DOC_M_EXISTING),
    FLD(506, "deleted_data_files_count", false, &T_INT, DOC_M_DELETED),
    FLD(507, "partitions", false, &L_SUMMARIES, DOC_M_PARTS),
    FLD(512, "added_rows_count", false, &T_LONG, DOC_M_ADDED_ROWS),
    FLD(513, "existing_rows_count", false, &T_LONG, DOC_M_EXISTING_ROWS),
    FLD(514, "deleted_rows_count", false, &T_LONG, DOC_M_DELETED_ROWS),
    FLD(519, "key_metadata", false, &T_BINARY, DOC_KEY_META),
};

static const floe_ice_field LIST_V3[] = {
    FLD(500, "manifest_path", true, &T_STRING, DOC_M_PATH),
    FLD(501, "manifest_length", true, &T_LONG, DOC_M_LENGTH),
    FLD(502, "partition_spec_id", true, &T_INT, DOC_M_SPEC),
    FLD(517, "content", true, &T_INT, "Contents of the manifest: 0=data, 1=deletes"),
    FLD(515, "sequence_number", true, &T_LONG, "Sequence number when the manifest was added"),
    FLD(516, "min_sequence_number", true, &T_LONG, "Lowest sequence number in the manifest"),
    FLD(503, "added_snapshot_id", true, &T_LONG, DOC_M_SNAP),
    FLD(504, "added_files_count", true, &T_INT, DOC_M_ADDED),
    FLD(505, "existing_files_count", true, &T_INT, DOC_M_EXISTING),
    FLD(506, "deleted_files_count", true, &T_INT, DOC_M_DELETED),
    FLD(512, "added_rows_count", true, &T_LONG, DOC_M_ADDED_ROWS),
    FLD(513, "existing_rows_count", true, &T_LONG, DOC_M_EXISTING_ROWS),
    FLD(514, "deleted_rows_count", true, &T_LONG, DOC_M_DELETED_ROWS),
    FLD(507, "partitions", false, &L_SUMMARIES, DOC_M_PARTS),
    FLD(519, "key_metadata", false, &T_BINARY, DOC_KEY_META),
    FLD(520, "first_row_id", false, &T_LONG,
        "Starting row ID to assign to new rows in ADDED data files"),
};

static const floe_ice_type LIST_TYPE_V1 = {
    .id = FLOE_ICE_STRUCT, .fields = LIST_V1, .n_fields = FLOE_ARRAY_LEN(LIST_V1)};
static const floe_ice_type LIST_TYPE_V2 = {
    .id = FLOE_ICE_STRUCT, .fields = LIST_V3, .n_fields = FLOE_ARRAY_LEN(LIST_V3) - 1};
static const floe_ice_type LIST_TYPE_V3 = {
    .id = FLOE_ICE_STRUCT, .fields = LIST_V3, .n_fields = FLOE_ARRAY_LEN(LIST_V3)};

const floe_ice_type *ice_manifest_list_type(int format_version)
{
    return format_version <= 1   ? &LIST_TYPE_V1
           : format_version == 2 ? &LIST_TYPE_V2
                                 : &LIST_TYPE_V3;
}

/* ==== Iceberg type -> Avro schema JSON ==== */

typedef struct avro_ctx {
    json_t *named; /* names of fixed types defined so far (a set) */
    floe_err *err;
} avro_ctx;

static floe_status avro_type(avro_ctx *c, const floe_ice_type *t, int32_t field_id, json_t **out);

static json_t *logical(const char *base, const char *lt)
{
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string(base)));
    ice_jset(o, "logicalType", ice_jnew(json_string(lt)));
    return o;
}

/* A fixed type, or a reference by name when the same name was defined before (Avro rule). */
static json_t *named_fixed(avro_ctx *c, const char *name, size_t size, json_t *extra)
{
    if (json_object_get(c->named, name) != NULL) {
        json_decref(extra);
        return ice_jnew(json_string(name));
    }
    ice_jset(c->named, name, ice_jnew(json_true()));
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string("fixed")));
    ice_jset(o, "name", ice_jnew(json_string(name)));
    ice_jset(o, "size", ice_jnew(json_integer((json_int_t)size)));
    if (extra != NULL) {
        json_object_update(o, extra);
        json_decref(extra);
    }
    return o;
}

static size_t decimal_bytes(int precision)
{
    /* Smallest n with 2^(8n-1) > 10^precision. */
    for (size_t n = 1; n <= 16; n++) {
        double max = 1.0;
        for (size_t i = 0; i < 8 * n - 1; i++) {
            max *= 2.0;
        }
        double want = 1.0;
        for (int i = 0; i < precision; i++) {
            want *= 10.0;
        }
        if (max > want) {
            return n;
        }
    }
    return 16;
}

static floe_status avro_primitive(avro_ctx *c, const floe_ice_type *t, json_t **out)
{
    char name[64];
    json_t *o;
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        *out = ice_jnew(json_string("boolean"));
        return FLOE_OK;
    case FLOE_ICE_INT:
        *out = ice_jnew(json_string("int"));
        return FLOE_OK;
    case FLOE_ICE_LONG:
        *out = ice_jnew(json_string("long"));
        return FLOE_OK;
    case FLOE_ICE_FLOAT:
        *out = ice_jnew(json_string("float"));
        return FLOE_OK;
    case FLOE_ICE_DOUBLE:
        *out = ice_jnew(json_string("double"));
        return FLOE_OK;
    case FLOE_ICE_DATE:
        *out = logical("int", "date");
        return FLOE_OK;
    case FLOE_ICE_TIME:
        *out = logical("long", "time-micros");
        return FLOE_OK;
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS: {
        bool ns = t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        bool tz = t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        o = logical("long", ns ? "timestamp-nanos" : "timestamp-micros");
        ice_jset(o, "adjust-to-utc", ice_jnew(json_boolean(tz)));
        *out = o;
        return FLOE_OK;
    }
    case FLOE_ICE_STRING:
        *out = ice_jnew(json_string("string"));
        return FLOE_OK;
    case FLOE_ICE_BINARY:
        *out = ice_jnew(json_string("bytes"));
        return FLOE_OK;
    case FLOE_ICE_UUID:
        o = ice_jnew(json_object());
        ice_jset(o, "logicalType", ice_jnew(json_string("uuid")));
        *out = named_fixed(c, "uuid_fixed", 16, o);
        return FLOE_OK;
    case FLOE_ICE_FIXED:
        snprintf(name, sizeof(name), "fixed_%d", (int)t->length);
        *out = named_fixed(c, name, (size_t)t->length, NULL);
        return FLOE_OK;
    case FLOE_ICE_DECIMAL:
        snprintf(name, sizeof(name), "decimal_%d_%d", (int)t->precision, (int)t->scale);
        o = ice_jnew(json_object());
        ice_jset(o, "logicalType", ice_jnew(json_string("decimal")));
        ice_jset(o, "precision", ice_jnew(json_integer(t->precision)));
        ice_jset(o, "scale", ice_jnew(json_integer(t->scale)));
        *out = named_fixed(c, name, decimal_bytes(t->precision), o);
        return FLOE_OK;
    default:
        return floe_err_set(c->err, FLOE_ERR_UNSUPPORTED, "type %s cannot be written to a manifest",
                            floe_ice_type_name(t->id));
    }
}

/* The Avro type of a field: ["null", T] when optional. */
static floe_status avro_field_type(avro_ctx *c, const floe_ice_field *f, json_t **out)
{
    json_t *t;
    floe_status st = avro_type(c, f->type, f->id, &t);
    if (st != FLOE_OK) {
        return st;
    }
    if (!f->required) {
        json_t *u = ice_jnew(json_array());
        ice_jappend(u, ice_jnew(json_string("null")));
        ice_jappend(u, t);
        t = u;
    }
    *out = t;
    return FLOE_OK;
}

static floe_status avro_field(avro_ctx *c, const floe_ice_field *f, json_t **out)
{
    json_t *t;
    floe_status st = avro_field_type(c, f, &t);
    if (st != FLOE_OK) {
        return st;
    }
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "name", ice_jnew(json_string(f->name)));
    ice_jset(o, "type", t);
    if (f->doc != NULL) {
        ice_jset(o, "doc", ice_jnew(json_string(f->doc)));
    }
    if (!f->required) {
        ice_jset(o, "default", ice_jnew(json_null()));
    }
    ice_jset(o, "field-id", ice_jnew(json_integer(f->id)));
    *out = o;
    return FLOE_OK;
}

static floe_status avro_record(avro_ctx *c, const floe_ice_type *t, const char *name, json_t **out)
{
    json_t *fields = ice_jnew(json_array());
    for (size_t i = 0; i < t->n_fields; i++) {
        json_t *f;
        floe_status st = avro_field(c, &t->fields[i], &f);
        if (st != FLOE_OK) {
            json_decref(fields);
            return st;
        }
        ice_jappend(fields, f);
    }
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string("record")));
    ice_jset(o, "name", ice_jnew(json_string(name)));
    ice_jset(o, "fields", fields);
    *out = o;
    return FLOE_OK;
}

static floe_status avro_type(avro_ctx *c, const floe_ice_type *t, int32_t field_id, json_t **out)
{
    char name[64];
    floe_status st;
    switch (t->id) {
    case FLOE_ICE_STRUCT:
        snprintf(name, sizeof(name), "r%d", (int)field_id);
        return avro_record(c, t, name, out);
    case FLOE_ICE_LIST: {
        const floe_ice_field *el = &t->fields[0];
        json_t *items;
        st = avro_field_type(c, el, &items);
        if (st != FLOE_OK) {
            return st;
        }
        json_t *o = ice_jnew(json_object());
        ice_jset(o, "type", ice_jnew(json_string("array")));
        ice_jset(o, "items", items);
        ice_jset(o, "element-id", ice_jnew(json_integer(el->id)));
        *out = o;
        return FLOE_OK;
    }
    case FLOE_ICE_MAP: {
        const floe_ice_field *k = &t->fields[0], *v = &t->fields[1];
        if (k->type->id == FLOE_ICE_STRING) {
            json_t *vals;
            st = avro_field_type(c, v, &vals);
            if (st != FLOE_OK) {
                return st;
            }
            json_t *o = ice_jnew(json_object());
            ice_jset(o, "type", ice_jnew(json_string("map")));
            ice_jset(o, "values", vals);
            ice_jset(o, "key-id", ice_jnew(json_integer(k->id)));
            ice_jset(o, "value-id", ice_jnew(json_integer(v->id)));
            *out = o;
            return FLOE_OK;
        }
        /* Non-string keys: an array of key/value records annotated as a map. */
        floe_ice_field kv[2] = {*k, *v};
        kv[0].name = "key";
        kv[1].name = "value";
        kv[0].doc = kv[1].doc = NULL;
        floe_ice_type rec = {.id = FLOE_ICE_STRUCT, .fields = kv, .n_fields = 2};
        snprintf(name, sizeof(name), "k%d_v%d", (int)k->id, (int)v->id);
        json_t *items;
        st = avro_record(c, &rec, name, &items);
        if (st != FLOE_OK) {
            return st;
        }
        json_t *o = ice_jnew(json_object());
        ice_jset(o, "type", ice_jnew(json_string("array")));
        ice_jset(o, "items", items);
        ice_jset(o, "logicalType", ice_jnew(json_string("map")));
        *out = o;
        return FLOE_OK;
    }
    default:
        return avro_primitive(c, t, out);
    }
}

floe_status ice_avro_schema(const floe_ice_type *root, const char *record_name, json_t **out,
                            floe_err *err)
{
    avro_ctx c = {.named = ice_jnew(json_object()), .err = err};
    floe_status st = avro_record(&c, root, record_name, out);
    json_decref(c.named);
    return st;
}

json_t *ice_struct_schema_json(const floe_ice_type *root)
{
    json_t *t = floe_ice_type_to_json(root);
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string("struct")));
    ice_jset(o, "schema-id", ice_jnew(json_integer(0)));
    json_t *fields = json_object_get(t, "fields");
    ice_jset(o, "fields", fields != NULL ? json_incref(fields) : ice_jnew(json_array()));
    json_decref(t);
    return o;
}

/* ==== Codecs ==== */

floe_status ice_manifest_codec(const char *name, floe_codec *out, floe_err *err)
{
    if (name == NULL || strcasecmp(name, "gzip") == 0 || strcasecmp(name, "deflate") == 0) {
        *out = FLOE_CODEC_DEFLATE;
    } else if (strcasecmp(name, "zstd") == 0 || strcasecmp(name, "zstandard") == 0) {
        *out = FLOE_CODEC_ZSTD;
    } else if (strcasecmp(name, "snappy") == 0) {
        *out = FLOE_CODEC_SNAPPY;
    } else if (strcasecmp(name, "uncompressed") == 0 || strcasecmp(name, "none") == 0 ||
               strcasecmp(name, "null") == 0) {
        *out = FLOE_CODEC_NONE;
    } else {
        return floe_err_set(err, FLOE_ERR_INVALID, "unsupported manifest compression codec \"%s\"",
                            name);
    }
    return FLOE_OK;
}

floe_status ice_table_manifest_codec(const floe_table_meta *m, floe_codec *out, floe_err *err)
{
    const char *v = floe_table_meta_property(m, "write.manifest.compression-codec");
    if (v == NULL) {
        v = floe_table_meta_property(m, "write.avro.compression-codec");
    }
    return ice_manifest_codec(v, out, err);
}

char *ice_metadata_path(floe_arena *a, const floe_table_meta *m, const char *name)
{
    const char *dir = floe_table_meta_property(m, "write.metadata.path");
    size_t n;
    if (dir != NULL) {
        n = strlen(dir);
        while (n > 0 && dir[n - 1] == '/') {
            n--;
        }
        return floe_arena_sprintf(a, "%.*s/%s", (int)n, dir, name);
    }
    n = strlen(m->location);
    while (n > 0 && m->location[n - 1] == '/') {
        n--;
    }
    return floe_arena_sprintf(a, "%.*s/metadata/%s", (int)n, m->location, name);
}
