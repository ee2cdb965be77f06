/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe's Iceberg table-format library: the metadata core.
 *
 * This header covers everything about an Iceberg table that needs neither Avro nor Parquet:
 * types and schemas, partition specs and transforms, sort orders, table metadata JSON (format
 * versions 1 and 2, and 3 where possible), the REST catalog's TableRequirement/TableUpdate
 * model with the semantics of Java's TableMetadata.Builder, expressions (SQL-like text, the
 * REST JSON form, binding, row evaluation, inclusive partition projection and file metrics
 * pruning), the single-value serialisations of spec Appendix D, and the data-file and manifest
 * structs that the manifest codec fills.
 *
 * Memory. Every object here is allocated from a caller's floe_arena and is immutable once
 * built: structs are plain read-only data (like parquet.h's footer), valid until the arena is
 * freed. Functions that build something new take the arena `a` to allocate from; results never
 * point into their inputs unless the comment says "borrowed". To keep a table's metadata for
 * long, give it its own arena (or floe_table_meta_dup it into one). JSON objects (jansson's
 * json_t) returned by *_to_json functions are new references owned by the caller
 * (json_decref); json_t arguments are borrowed.
 *
 * Errors. Bad input is never a crash: a malformed metadata file gives FLOE_ERR_CORRUPT, a bad
 * request or argument FLOE_ERR_INVALID, a format version above 3 FLOE_ERR_UNSUPPORTED, a failed
 * commit requirement FLOE_ERR_CONFLICT, an arena over its limit FLOE_ERR_TOO_BIG, each with a
 * message naming the field ("snapshots[2]: sequence-number: expected an integer").
 *
 * Names. Types, values, transforms, expressions and updates are prefixed floe_ice_; the table
 * model keeps the plain names the style guide uses (floe_table_meta, floe_snapshot,
 * floe_snapshot_ref, floe_partition_spec, floe_sort_order, floe_kv) and so do the manifest
 * structs (floe_data_file, floe_manifest_entry, floe_manifest_file). Reading and writing whole
 * metadata files is floe_iceberg_*.
 *
 * Sections: types and schemas; schema evolution; single values; transforms; partition specs;
 * sort orders; table metadata; requirements and updates; expressions; data files and
 * manifests.
 */
#ifndef FLOE_ICEBERG_H
#define FLOE_ICEBERG_H

#include "floe/base.h"
#include "floe/compress.h"
#include "floe/io.h"
#include "floe/value.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Highest table format version this library reads and writes. */
#define FLOE_ICE_MAX_FORMAT_VERSION 3
/* Format version of new tables unless properties["format-version"] says otherwise. */
#define FLOE_ICE_DEFAULT_FORMAT_VERSION 2
/* Field ids above this are reserved for metadata columns (spec: Reserved Field IDs). */
#define FLOE_ICE_MAX_USER_FIELD_ID 2147483447
/* First partition field id; an unpartitioned table has last-partition-id 999. */
#define FLOE_ICE_PARTITION_ID_START 1000
/* Largest metadata JSON accepted (after gzip decompression). */
#define FLOE_ICE_METADATA_MAX ((size_t)512 << 20)
/* Nesting limits for untrusted input: types, expressions. */
#define FLOE_ICE_MAX_DEPTH 256

/* A key-value pair (properties, summaries); both strings are NUL-terminated. */
typedef struct floe_kv {
    const char *key;
    const char *value;
} floe_kv;

/* ==== Types and schemas ==== */

typedef enum floe_ice_type_id {
    FLOE_ICE_BOOLEAN = 1,
    FLOE_ICE_INT,
    FLOE_ICE_LONG,
    FLOE_ICE_FLOAT,
    FLOE_ICE_DOUBLE,
    FLOE_ICE_DECIMAL, /* precision 1..38, scale 0..38 */
    FLOE_ICE_DATE,
    FLOE_ICE_TIME,
    FLOE_ICE_TIMESTAMP,
    FLOE_ICE_TIMESTAMPTZ,
    FLOE_ICE_TIMESTAMP_NS,   /* v3 */
    FLOE_ICE_TIMESTAMPTZ_NS, /* v3 */
    FLOE_ICE_STRING,
    FLOE_ICE_UUID,
    FLOE_ICE_FIXED, /* length */
    FLOE_ICE_BINARY,
    FLOE_ICE_UNKNOWN,   /* v3 */
    FLOE_ICE_VARIANT,   /* v3 */
    FLOE_ICE_GEOMETRY,  /* v3, crs */
    FLOE_ICE_GEOGRAPHY, /* v3, crs and algorithm */
    FLOE_ICE_STRUCT,
    FLOE_ICE_LIST,
    FLOE_ICE_MAP
} floe_ice_type_id;

typedef struct floe_ice_type floe_ice_type;

/*
 * A struct field, or the child of a list or map. `initial_default` and `write_default` are kept
 * in the JSON single-value form (Appendix D) as compact JSON text, NULL when absent; they were
 * checked against the field's type when parsed.
 */
typedef struct floe_ice_field {
    int32_t id;
    const char *name; /* list element: "element"; map: "key", "value" */
    bool required;
    const floe_ice_type *type;
    const char *doc; /* NULL when absent */
    const char *initial_default;
    const char *write_default;
} floe_ice_field;

/*
 * A type. Primitive parameters live in the scalar members. Nested types keep their children as
 * fields: a struct's fields in order; a list has one field (the element, named "element"); a map
 * has two (the key, named "key" and always required, then the value, named "value"). So every
 * node that carries a field id is a floe_ice_field.
 */
struct floe_ice_type {
    floe_ice_type_id id;
    int32_t precision;     /* DECIMAL */
    int32_t scale;         /* DECIMAL */
    int32_t length;        /* FIXED */
    const char *crs;       /* GEOMETRY, GEOGRAPHY: NULL for the default OGC:CRS84 */
    const char *algorithm; /* GEOGRAPHY: NULL for the default spherical */
    const floe_ice_field *fields;
    size_t n_fields;
};

/* The type's canonical name without parameters ("decimal", "struct", ...). */
const char *floe_ice_type_name(floe_ice_type_id id);
bool floe_ice_type_is_primitive(const floe_ice_type *t);
bool floe_ice_type_is_nested(const floe_ice_type *t); /* struct, list, map */
/* The lowest table format version allowed to use this type (3 for the v3 types). */
int floe_ice_type_min_format_version(const floe_ice_type *t);
/* Deep structural equality, field ids, names, requiredness and docs included. */
bool floe_ice_type_equal(const floe_ice_type *a, const floe_ice_type *b);

/*
 * A primitive type without parameters (boolean, int, ..., variant), statically allocated; NULL
 * for the parameterised and nested ids.
 */
const floe_ice_type *floe_ice_type_get(floe_ice_type_id id);
/* Parameterised types, allocated from `a` (NULL when the arena is exhausted). */
const floe_ice_type *floe_ice_type_decimal(floe_arena *a, int32_t precision, int32_t scale);
const floe_ice_type *floe_ice_type_fixed(floe_arena *a, int32_t length);

/*
 * Parse a primitive type string: "int", "decimal(9,2)", "decimal( 9 , 2 )", "fixed[16]",
 * "geometry(srid:4326)", "geography(srid:4326, spherical)", ... FLOE_ERR_INVALID otherwise.
 */
floe_status floe_ice_type_parse(floe_arena *a, const char *s, const floe_ice_type **out,
                                floe_err *err);
/*
 * Append the type's string: the canonical JSON string for primitives (decimals are written as
 * Java does, "decimal(10, 2)"), and a readable "struct<1: a: required int, ...>" form for nested
 * types (used in messages).
 */
floe_status floe_ice_type_format(const floe_ice_type *t, floe_buf *out, floe_err *err);

/* A type from its JSON form (a string or a struct/list/map object); FLOE_ERR_INVALID. */
floe_status floe_ice_type_from_json(floe_arena *a, const json_t *j, const floe_ice_type **out,
                                    floe_err *err);
json_t *floe_ice_type_to_json(const floe_ice_type *t);

typedef struct floe_ice_schema_index floe_ice_schema_index; /* private */

/*
 * A schema: a struct type (`root`), its id and identifier fields. Built only through
 * floe_ice_schema_new (or the parsers), which validate it and index it for lookups.
 */
typedef struct floe_ice_schema {
    int32_t schema_id; /* -1 when the JSON had none (REST add-schema may omit it) */
    const floe_ice_type *root;
    const int32_t *identifier_ids;
    size_t n_identifier_ids;
    const floe_ice_schema_index *index;
} floe_ice_schema;

/*
 * Validate and index a schema over `root` (a STRUCT; borrowed, must live in `a` or longer):
 * field ids unique, names unique within each struct, map keys required, decimal and fixed
 * parameters in range, identifier fields valid (they exist, are primitive, required, not
 * float/double, and not inside a list, a map or an optional struct). FLOE_ERR_INVALID.
 */
floe_status floe_ice_schema_new(floe_arena *a, int32_t schema_id, const floe_ice_type *root,
                                const int32_t *identifier_ids, size_t n_identifier_ids,
                                const floe_ice_schema **out, floe_err *err);

/* Schema JSON (spec Appendix C): FLOE_ERR_INVALID on bad input. */
floe_status floe_ice_schema_from_json(floe_arena *a, const json_t *j, const floe_ice_schema **out,
                                      floe_err *err);
json_t *floe_ice_schema_to_json(const floe_ice_schema *s);

size_t floe_ice_schema_field_count(const floe_ice_schema *s); /* every id-carrying node */
/* The field with this id anywhere in the schema, or NULL. Borrowed from the schema. */
const floe_ice_field *floe_ice_schema_find_id(const floe_ice_schema *s, int32_t id);
/*
 * The field at a case-sensitive dotted name: "a.b" for a field b inside struct a, "l.element" and
 * "m.key"/"m.value" for list and map children. Like Java, the short forms without "element" and
 * "value" ("l.x" for "l.element.x") also resolve when unambiguous. NULL when absent.
 */
const floe_ice_field *floe_ice_schema_find_name(const floe_ice_schema *s, const char *name);
/* The canonical dotted name of a field id, or NULL. Borrowed from the schema. */
const char *floe_ice_schema_id_name(const floe_ice_schema *s, int32_t id);
/* The id of the field's parent field (struct, list or map), 0 for top-level fields, -1 if absent.
 */
int32_t floe_ice_schema_parent_id(const floe_ice_schema *s, int32_t id);
/* True when a field is inside a list or a map (no bounds, no partitioning, no identifiers). */
bool floe_ice_schema_in_repeated(const floe_ice_schema *s, int32_t id);
/* The highest field id in the schema, 0 for an empty schema. */
int32_t floe_ice_schema_highest_id(const floe_ice_schema *s);
/* Same columns (types, ids, names, requiredness, docs, defaults) and identifier fields; ids of
 * the schemas themselves are ignored. This is how add-schema finds a schema to reuse. */
bool floe_ice_schema_same(const floe_ice_schema *a, const floe_ice_schema *b);

/*
 * Copy `s` with fresh field ids, as catalogs do on create: ids from *next_id + 1 in pre-order
 * (a struct's fields first, then each field's nested fields, like Java's assignFreshIds),
 * identifier fields mapped to the new ids. *next_id is advanced to the last assigned id.
 */
floe_status floe_ice_schema_assign_fresh_ids(floe_arena *a, const floe_ice_schema *s,
                                             int32_t schema_id, int32_t *next_id,
                                             const floe_ice_schema **out, floe_err *err);

/*
 * Check that a schema may be used in a table of `format_version`: v3 types and non-null
 * defaults need v3. FLOE_ERR_INVALID names the first offending field.
 */
floe_status floe_ice_schema_check_format(const floe_ice_schema *s, int format_version,
                                         floe_err *err);
/*
 * Check that `next` is a valid evolution of `prev` for a table of `format_version`: every field
 * id present in both keeps its kind (struct/list/map/primitive) and its primitive type changes
 * only by an allowed promotion (int->long, float->double, decimal precision widening, and in v3
 * date->timestamp(_ns) and unknown->any). FLOE_ERR_INVALID naming the field otherwise.
 */
floe_status floe_ice_schema_check_evolution(const floe_ice_schema *prev,
                                            const floe_ice_schema *next, int format_version,
                                            floe_err *err);
/* True when a primitive of type `from` may be promoted to `to` (same type included). */
bool floe_ice_type_can_promote(const floe_ice_type *from, const floe_ice_type *to,
                               int format_version);

/* ==== Schema evolution ==== */

/*
 * A schema change in progress, applied in order to a working copy of `base`: each call sees the
 * result of the previous ones, checks the spec's rules and fails with FLOE_ERR_INVALID (naming
 * the column) without changing anything. Names are dotted, as in floe_ice_schema_find_name
 * (canonical forms only). New fields get ids from the table's last column id + 1. Finish with
 * floe_ice_schema_update_apply. Everything is allocated from the arena given to _new.
 */
typedef struct floe_ice_schema_update floe_ice_schema_update;

/* NULL when the arena is exhausted. `base` is borrowed until apply. */
floe_ice_schema_update *floe_ice_schema_update_new(floe_arena *a, const floe_ice_schema *base,
                                                   int32_t last_column_id, int format_version);
/*
 * Add a column to the struct `parent` (NULL: top level; a list or map parent means its element
 * or value struct). Ids are assigned to the column and its nested fields. A required column
 * needs `default_json` (a single-value JSON text used as initial and write default, v3 only).
 */
floe_status floe_ice_schema_add_column(floe_ice_schema_update *u, const char *parent,
                                       const char *name, const floe_ice_type *type, bool required,
                                       const char *doc, const char *default_json, floe_err *err);
floe_status floe_ice_schema_rename_column(floe_ice_schema_update *u, const char *name,
                                          const char *new_name, floe_err *err);
/* Identifier fields cannot be deleted (change the identifier fields first). */
floe_status floe_ice_schema_delete_column(floe_ice_schema_update *u, const char *name,
                                          floe_err *err);
/* Move within the same struct: first, or before/after a sibling. */
floe_status floe_ice_schema_move_first(floe_ice_schema_update *u, const char *name, floe_err *err);
floe_status floe_ice_schema_move_before(floe_ice_schema_update *u, const char *name,
                                        const char *before, floe_err *err);
floe_status floe_ice_schema_move_after(floe_ice_schema_update *u, const char *name,
                                       const char *after, floe_err *err);
/* Change a primitive column's type; only the allowed promotions pass. */
floe_status floe_ice_schema_update_type(floe_ice_schema_update *u, const char *name,
                                        const floe_ice_type *type, floe_err *err);
/* Make a column optional (always allowed) or required (an incompatible change: refused unless
 * `allow_incompatible`, because existing rows may hold nulls). */
floe_status floe_ice_schema_set_required(floe_ice_schema_update *u, const char *name, bool required,
                                         bool allow_incompatible, floe_err *err);
floe_status floe_ice_schema_update_doc(floe_ice_schema_update *u, const char *name, const char *doc,
                                       floe_err *err);
/* Set a column's write default (single-value JSON text, NULL to clear; v3). */
floe_status floe_ice_schema_set_write_default(floe_ice_schema_update *u, const char *name,
                                              const char *default_json, floe_err *err);
/* Replace the identifier fields (checked against the identifier rules at apply). */
floe_status floe_ice_schema_set_identifier_fields(floe_ice_schema_update *u,
                                                  const char *const *names, size_t n,
                                                  floe_err *err);
/*
 * Build the new schema (with `schema_id`) and report the new last column id. Fails when the
 * result breaks a rule that only the whole schema shows (identifier fields).
 */
floe_status floe_ice_schema_update_apply(floe_ice_schema_update *u, int32_t schema_id,
                                         const floe_ice_schema **out, int32_t *last_column_id,
                                         floe_err *err);

/* ==== Single values (spec Appendix D) ==== */

/*
 * The floe_value kind that holds values of a primitive type: boolean BOOL, int INT, long LONG,
 * float FLOAT, double DOUBLE, decimal DECIMAL (precision and scale of the type), date DATE, time
 * TIME (micros), timestamp/timestamptz TIMESTAMP (micros; FLOE_VF_UTC for tz), the _ns variants
 * TIMESTAMP in nanos, string STRING, uuid UUID, fixed FIXED, binary BINARY. Other types have no
 * single value (FLOE_V_NULL).
 */
floe_value_kind floe_ice_value_kind(const floe_ice_type *t);
/* True when `v` is a value of type `t` as described above (null included). */
bool floe_ice_value_matches(const floe_ice_type *t, const floe_value *v);

/*
 * Binary single-value serialisation, appended to `out`: little-endian ints, longs, floats,
 * doubles, dates, times and timestamps; decimals as the unscaled value in minimal big-endian
 * two's complement; strings as UTF-8 bytes; uuids as 16 big-endian bytes; fixed and binary raw.
 * FLOE_ERR_INVALID for nested and v3 semi-structured types or a value of the wrong kind.
 */
floe_status floe_ice_value_to_bytes(const floe_ice_type *t, const floe_value *v, floe_buf *out,
                                    floe_err *err);
/*
 * Decode single-value bytes of type `t`. Bounds are never rewritten when a column is promoted,
 * so this decodes by length: a long may carry 4 bytes (an int), a double 4 (a float), a
 * timestamp or timestamp_ns 4 (a date, as midnight). Strings, binaries and fixed values borrow
 * `bytes`. FLOE_ERR_CORRUPT for a length that fits no rule.
 */
floe_status floe_ice_value_from_bytes(const floe_ice_type *t, floe_str bytes, floe_value *out,
                                      floe_err *err);

/*
 * Metrics-mode truncate(L) for string and binary bounds: the lower bound is the prefix of L code
 * points (bytes for binary); the upper bound is that prefix with its last code point (byte)
 * incremented, carrying left past code points (bytes) that cannot be incremented. *has_out is
 * false when no upper bound exists (every code point is U+10FFFF / every byte 0xFF). Values
 * already short enough are returned as is. Results borrow `v` or are allocated from `a`.
 */
floe_status floe_ice_truncate_lower_bound(const floe_ice_type *t, const floe_value *v, int32_t len,
                                          floe_value *out, floe_err *err);
floe_status floe_ice_truncate_upper_bound(floe_arena *a, const floe_ice_type *t,
                                          const floe_value *v, int32_t len, floe_value *out,
                                          bool *has_out, floe_err *err);

/*
 * JSON single-value form (defaults, REST partition values): booleans, numbers, decimals as
 * strings ("14.20"), dates "2017-11-16", times "22:31:08.123456", timestamps with 6 (9 for _ns)
 * fraction digits and "+00:00" for tz, uuid lowercase, fixed/binary lowercase hex; structs as
 * objects keyed by field id, lists as arrays, maps as {"keys": [...], "values": [...]}. Reading
 * is strict about the type (a decimal's digits must match its scale). Nested values are built
 * from `a`; NULL / json null is the null value.
 */
json_t *floe_ice_value_to_json(const floe_ice_type *t, const floe_value *v);
floe_status floe_ice_value_from_json(floe_arena *a, const floe_ice_type *t, const json_t *j,
                                     floe_value *out, floe_err *err);

/* ==== Transforms ==== */

typedef enum floe_ice_transform_kind {
    FLOE_ICE_T_IDENTITY = 0,
    FLOE_ICE_T_BUCKET,   /* param: number of buckets N >= 1 */
    FLOE_ICE_T_TRUNCATE, /* param: width W >= 1 */
    FLOE_ICE_T_YEAR,
    FLOE_ICE_T_MONTH,
    FLOE_ICE_T_DAY,
    FLOE_ICE_T_HOUR,
    FLOE_ICE_T_VOID,
    FLOE_ICE_T_UNKNOWN /* a transform this library does not know; `text` keeps it */
} floe_ice_transform_kind;

typedef struct floe_ice_transform {
    floe_ice_transform_kind kind;
    int32_t param;
    const char *text; /* FLOE_ICE_T_UNKNOWN only: the transform string as read */
} floe_ice_transform;

/*
 * Parse "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void" (case
 * insensitive; the plural forms and Java's "alwaysNull" are accepted too); any
 * other string becomes FLOE_ICE_T_UNKNOWN, preserved (readers ignore unknown transforms when
 * filtering). A malformed bucket/truncate parameter is FLOE_ERR_INVALID.
 */
floe_status floe_ice_transform_parse(floe_arena *a, const char *s, floe_ice_transform *out,
                                     floe_err *err);
/* Append the canonical string ("bucket[16]", the original text for unknown transforms). */
floe_status floe_ice_transform_format(floe_ice_transform t, floe_buf *out, floe_err *err);
bool floe_ice_transform_equal(floe_ice_transform a, floe_ice_transform b);
/*
 * The result type of applying `t` to `source`: identity/truncate/void keep the source type,
 * bucket/year/month/hour give int, day gives date. FLOE_ERR_INVALID when the transform does not
 * apply to the type (bucket of a float, hour of a date, ...); unknown transforms give
 * FLOE_ERR_UNSUPPORTED.
 */
floe_status floe_ice_transform_result_type(floe_arena *a, floe_ice_transform t,
                                           const floe_ice_type *source, const floe_ice_type **out,
                                           floe_err *err);

/* 32-bit Murmur3, x86 variant, as a signed int like Java's (spec Appendix B). */
int32_t floe_murmur3_32(const void *data, size_t len, uint32_t seed);
/*
 * The Appendix B hash of a value of type `t`: ints, longs, dates, times and timestamps hashed as
 * 8-byte little-endian longs (nanosecond timestamps first floored to micros), strings as UTF-8,
 * uuids as 16 big-endian bytes, fixed/binary raw, decimals as minimal big-endian two's
 * complement of the unscaled value. FLOE_ERR_INVALID for other types or a null value.
 */
floe_status floe_ice_bucket_hash(const floe_ice_type *t, const floe_value *v, int32_t *out,
                                 floe_err *err);

/*
 * Apply a transform to a value of type `source`; *out has the result type (a null input gives
 * null, void always null). Truncated strings and binaries borrow the input's bytes (strings cut
 * at a code point boundary). FLOE_ERR_INVALID when the value or type does not fit the transform.
 */
floe_status floe_ice_transform_apply(floe_ice_transform t, const floe_ice_type *source,
                                     const floe_value *v, floe_value *out, floe_err *err);

/*
 * Append the human string of a transform result (used in partition paths): "null" for null;
 * year "2017", month "2017-11", day "2017-11-16", hour "2017-11-16-22"; identity and truncate
 * values as ISO dates/times/timestamps (Java's forms), decimals plain, binaries base64.
 * `result` is the result type (floe_ice_transform_result_type).
 */
floe_status floe_ice_transform_human(floe_ice_transform t, const floe_ice_type *result,
                                     const floe_value *v, floe_buf *out, floe_err *err);

/* ==== Partition specs ==== */

typedef struct floe_partition_field {
    int32_t source_id;         /* the first source id for multi-argument transforms */
    const int32_t *source_ids; /* v3 multi-argument form ("source-ids"); NULL otherwise */
    size_t n_source_ids;
    int32_t field_id; /* -1 when not given (unbound specs in REST add-spec) */
    const char *name;
    floe_ice_transform transform;
} floe_partition_field;

typedef struct floe_partition_spec {
    int32_t spec_id; /* -1 when not given */
    const floe_partition_field *fields;
    size_t n_fields;
} floe_partition_spec;

bool floe_partition_spec_is_unpartitioned(const floe_partition_spec *s); /* no non-void field */
/* The highest partition field id in the spec, 999 when it has none. */
int32_t floe_partition_spec_last_field_id(const floe_partition_spec *s);
/* Same fields (source ids, transforms, names) in the same order; ids ignored (spec:
 * "equivalent" specs). */
bool floe_partition_spec_equivalent(const floe_partition_spec *a, const floe_partition_spec *b);

/*
 * Spec JSON: the object form {"spec-id", "fields": [...]}; `fields_only` parses the bare field
 * list (v1 "partition-spec", manifest metadata) and then `spec_id` is used. Missing field ids are
 * assigned after the highest id seen so far (1000, 1001, ... as v1 writers did); negative ids
 * are refused. FLOE_ERR_INVALID.
 */
floe_status floe_partition_spec_from_json(floe_arena *a, const json_t *j, bool fields_only,
                                          int32_t spec_id, const floe_partition_spec **out,
                                          floe_err *err);
json_t *floe_partition_spec_to_json(const floe_partition_spec *s);
json_t *floe_partition_spec_fields_to_json(const floe_partition_spec *s);

/*
 * Check a spec against a schema: every source field exists, is a primitive outside lists and
 * maps, and accepts the transform; names are unique, non-empty, and do not shadow a schema
 * column unless the field is an identity (or void) of that column; field ids are unique. Unknown
 * transforms pass (they are preserved, not applied). FLOE_ERR_INVALID.
 */
floe_status floe_partition_spec_validate(const floe_partition_spec *spec,
                                         const floe_ice_schema *schema, floe_err *err);
/*
 * The partition tuple type: a struct with one optional field per spec field, field id = the
 * partition field id, name = the partition name, type = the transform's result type. Like Java,
 * an unknown transform gives string, and a void transform whose source column was dropped gives
 * int. FLOE_ERR_INVALID for a missing source field of any other transform.
 */
floe_status floe_partition_spec_type(floe_arena *a, const floe_partition_spec *spec,
                                     const floe_ice_schema *schema, const floe_ice_type **out,
                                     floe_err *err);
/* The partition type as a schema (schema id 0): evaluate projected filters on partition tuples
 * with floe_ice_row { partition schema, tuple }. The spec's field ids must be assigned. */
floe_status floe_partition_spec_schema(floe_arena *a, const floe_partition_spec *spec,
                                       const floe_ice_schema *schema, const floe_ice_schema **out,
                                       floe_err *err);
/*
 * The partition path "name=value/name=value" for a partition tuple (a STRUCT value with one item
 * per spec field): human strings, names and values URL-encoded like Java's URLEncoder (space as
 * '+'). The caller prefixes "data/" and appends the file name.
 */
floe_status floe_partition_path(const floe_partition_spec *spec, const floe_ice_schema *schema,
                                const floe_value *partition, floe_buf *out, floe_err *err);
/*
 * Compute the partition tuple of a row: `row` is a STRUCT value shaped like `schema` (fields in
 * schema order, nested structs as STRUCT values). The result is a STRUCT with one item per spec
 * field, allocated from `a`.
 */
floe_status floe_partition_tuple(floe_arena *a, const floe_partition_spec *spec,
                                 const floe_ice_schema *schema, const floe_value *row,
                                 floe_value *out, floe_err *err);

/* ==== Sort orders ==== */

typedef enum floe_sort_direction { FLOE_SORT_ASC = 0, FLOE_SORT_DESC } floe_sort_direction;
typedef enum floe_null_order { FLOE_NULLS_FIRST = 0, FLOE_NULLS_LAST } floe_null_order;

typedef struct floe_sort_field {
    floe_ice_transform transform;
    int32_t source_id;
    const int32_t *source_ids; /* v3 multi-argument form; NULL otherwise */
    size_t n_source_ids;
    floe_sort_direction direction;
    floe_null_order null_order;
} floe_sort_field;

/* Order id 0 is reserved for the unsorted order (no fields). */
typedef struct floe_sort_order {
    int32_t order_id;
    const floe_sort_field *fields;
    size_t n_fields;
} floe_sort_order;

floe_status floe_sort_order_from_json(floe_arena *a, const json_t *j, const floe_sort_order **out,
                                      floe_err *err);
json_t *floe_sort_order_to_json(const floe_sort_order *o);
/* Same fields in the same order (ids ignored). */
bool floe_sort_order_same(const floe_sort_order *a, const floe_sort_order *b);
/* Sources exist, are primitive and accept their transforms. FLOE_ERR_INVALID. */
floe_status floe_sort_order_validate(const floe_sort_order *o, const floe_ice_schema *schema,
                                     floe_err *err);

/* ==== Table metadata ==== */

typedef enum floe_snapshot_ref_type { FLOE_REF_BRANCH = 0, FLOE_REF_TAG } floe_snapshot_ref_type;

/* A branch or tag. Retention settings are 0 / absent unless has_* is set. */
typedef struct floe_snapshot_ref {
    const char *name;
    int64_t snapshot_id;
    floe_snapshot_ref_type type;
    bool has_min_snapshots_to_keep;
    int32_t min_snapshots_to_keep;
    bool has_max_snapshot_age_ms;
    int64_t max_snapshot_age_ms;
    bool has_max_ref_age_ms;
    int64_t max_ref_age_ms;
} floe_snapshot_ref;

typedef struct floe_snapshot {
    int64_t snapshot_id;
    bool has_parent;
    int64_t parent_id;
    int64_t sequence_number; /* 0 for v1 snapshots */
    int64_t timestamp_ms;
    const char *manifest_list; /* NULL for v1 snapshots that embed `manifests` */
    const char *const *manifests;
    size_t n_manifests;
    const char *operation; /* summary "operation"; NULL when absent */
    bool has_summary;
    const floe_kv *summary; /* every summary entry, "operation" included, in file order */
    size_t n_summary;
    bool has_schema_id;
    int32_t schema_id;
    bool has_first_row_id; /* v3 row lineage */
    int64_t first_row_id;
    bool has_added_rows;
    int64_t added_rows;
    const char *key_id; /* v3 encryption; NULL when absent */
} floe_snapshot;

typedef struct floe_snapshot_log_entry {
    int64_t timestamp_ms;
    int64_t snapshot_id;
} floe_snapshot_log_entry;

typedef struct floe_metadata_log_entry {
    int64_t timestamp_ms;
    const char *file;
} floe_metadata_log_entry;

/* A `statistics` or `partition-statistics` entry, kept as compact JSON text. */
typedef struct floe_stats_file {
    int64_t snapshot_id;
    const char *json;
} floe_stats_file;

typedef struct floe_encryption_key {
    const char *key_id;
    const char *encrypted_key_metadata; /* base64 text */
    const char *encrypted_by_id;        /* NULL when absent */
    const floe_kv *properties;
    size_t n_properties;
} floe_encryption_key;

/* A top-level field this library does not know, kept as compact JSON text for rewriting. */
typedef struct floe_json_field {
    const char *key;
    const char *json;
} floe_json_field;

/*
 * Table metadata, read-only. Lists keep file order. Legacy v1 forms are normalised on read:
 * `schema` becomes schemas[0], a bare `partition-spec` becomes spec 0, a missing sort order list
 * becomes the unsorted order, and a missing `refs` with a current snapshot becomes `main`.
 */
typedef struct floe_table_meta {
    int format_version;
    const char *table_uuid; /* may be NULL in v1 */
    const char *location;
    int64_t last_sequence_number;
    int64_t last_updated_ms;
    int32_t last_column_id;
    const floe_ice_schema *const *schemas;
    size_t n_schemas;
    int32_t current_schema_id;
    const floe_partition_spec *const *specs;
    size_t n_specs;
    int32_t default_spec_id;
    int32_t last_partition_id;
    const floe_sort_order *const *sort_orders;
    size_t n_sort_orders;
    int32_t default_sort_order_id;
    const floe_kv *properties;
    size_t n_properties;
    int64_t current_snapshot_id; /* -1 when the table has no current snapshot */
    const floe_snapshot *snapshots;
    size_t n_snapshots;
    const floe_snapshot_ref *refs;
    size_t n_refs;
    const floe_snapshot_log_entry *snapshot_log;
    size_t n_snapshot_log;
    const floe_metadata_log_entry *metadata_log;
    size_t n_metadata_log;
    const floe_stats_file *statistics;
    size_t n_statistics;
    const floe_stats_file *partition_statistics;
    size_t n_partition_statistics;
    int64_t next_row_id; /* v3; 0 otherwise */
    const floe_encryption_key *encryption_keys;
    size_t n_encryption_keys;
    const floe_json_field *extra; /* unknown top-level fields, written back unchanged */
    size_t n_extra;
    const char *metadata_location; /* the file this was read from; NULL when not known */
} floe_table_meta;

/* Lookups; results are borrowed from `m` (NULL when absent). */
const floe_ice_schema *floe_table_meta_schema(const floe_table_meta *m, int32_t schema_id);
const floe_ice_schema *floe_table_meta_current_schema(const floe_table_meta *m);
const floe_partition_spec *floe_table_meta_spec(const floe_table_meta *m, int32_t spec_id);
const floe_partition_spec *floe_table_meta_default_spec(const floe_table_meta *m);
const floe_sort_order *floe_table_meta_sort_order(const floe_table_meta *m, int32_t order_id);
const floe_sort_order *floe_table_meta_default_sort_order(const floe_table_meta *m);
const floe_snapshot *floe_table_meta_snapshot(const floe_table_meta *m, int64_t snapshot_id);
const floe_snapshot *floe_table_meta_current_snapshot(const floe_table_meta *m);
const floe_snapshot_ref *floe_table_meta_ref(const floe_table_meta *m, const char *name);
/* The head snapshot of a branch or tag ("main" is the current snapshot). */
const floe_snapshot *floe_table_meta_ref_snapshot(const floe_table_meta *m, const char *name);
const char *floe_table_meta_property(const floe_table_meta *m, const char *key);
/* A property as an integer, `def` when absent or not a valid integer. */
int64_t floe_table_meta_property_int(const floe_table_meta *m, const char *key, int64_t def);
/* The snapshot current at `timestamp_ms` per the snapshot log (time travel), or NULL. */
const floe_snapshot *floe_table_meta_snapshot_as_of(const floe_table_meta *m, int64_t timestamp_ms);

/* Deep copy into `a` (to keep metadata beyond the arena it was read into). */
floe_status floe_table_meta_dup(floe_arena *a, const floe_table_meta *m, floe_table_meta **out,
                                floe_err *err);

/*
 * Parse table metadata JSON (uncompressed). Every field of the spec is read; unknown top-level
 * fields are kept. Checks: format-version 1..3 (higher: FLOE_ERR_UNSUPPORTED), required fields
 * per version, unique schema/spec/order/snapshot ids, current schema/spec/order/snapshot exist,
 * refs point at snapshots and `main` matches current-snapshot-id, snapshot sequence numbers do
 * not pass last-sequence-number. Anything else wrong is FLOE_ERR_CORRUPT naming the field.
 */
floe_status floe_iceberg_parse_metadata(floe_arena *a, floe_str json, floe_table_meta **out,
                                        floe_err *err);
floe_status floe_iceberg_metadata_from_json(floe_arena *a, const json_t *j, floe_table_meta **out,
                                            floe_err *err);
/*
 * Read a metadata file through FileIO. Gzip is recognised by name (".gz.metadata.json",
 * ".metadata.json.gz") or by its magic bytes. Sets metadata_location to `location`.
 */
floe_status floe_iceberg_read_metadata(floe_arena *a, floe_fileio *io, const char *location,
                                       floe_table_meta **out, floe_err *err);

/*
 * The metadata as JSON, in Java's field order, deterministic. v1 also gets the legacy `schema`
 * and `partition-spec` fields; v1/v2 write current-snapshot-id -1 when there is none, v3 null.
 */
json_t *floe_table_meta_to_json(const floe_table_meta *m);
/* Serialise (compact, or indented with `pretty`) and append to `out`. */
floe_status floe_table_meta_write_json(const floe_table_meta *m, bool pretty, floe_buf *out,
                                       floe_err *err);
/*
 * Write a metadata file through FileIO with exclusive create (FLOE_ERR_EXISTS when the name is
 * taken); gzip when the name ends in ".gz.metadata.json" or ".metadata.json.gz".
 */
floe_status floe_iceberg_write_metadata(floe_fileio *io, const char *location,
                                        const floe_table_meta *m, floe_err *err);
/*
 * A new metadata file location for `m`: "<dir>/<version %05d>-<random uuid>.metadata.json"
 * (".gz.metadata.json" with gzip), where dir is the write.metadata.path property or
 * "<location>/metadata". NULL when the arena is exhausted.
 */
char *floe_iceberg_metadata_file_name(floe_arena *a, const floe_table_meta *m, int64_t version,
                                      bool gzip);

/* ==== Requirements and updates (REST TableRequirement / TableUpdate) ==== */

typedef enum floe_ice_req_kind {
    FLOE_ICE_REQ_ASSERT_CREATE = 0,
    FLOE_ICE_REQ_ASSERT_TABLE_UUID,
    FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID,
    FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_FIELD_ID,
    FLOE_ICE_REQ_ASSERT_CURRENT_SCHEMA_ID,
    FLOE_ICE_REQ_ASSERT_LAST_ASSIGNED_PARTITION_ID,
    FLOE_ICE_REQ_ASSERT_DEFAULT_SPEC_ID,
    FLOE_ICE_REQ_ASSERT_DEFAULT_SORT_ORDER_ID
} floe_ice_req_kind;

typedef struct floe_ice_requirement {
    floe_ice_req_kind kind;
    const char *uuid;     /* ASSERT_TABLE_UUID */
    const char *ref;      /* ASSERT_REF_SNAPSHOT_ID */
    bool has_snapshot_id; /* ASSERT_REF_SNAPSHOT_ID: false = "snapshot-id": null (ref must not
                             exist) */
    int64_t snapshot_id;
    int32_t id; /* the asserted id of the other kinds */
} floe_ice_requirement;

const char *floe_ice_req_kind_name(floe_ice_req_kind k); /* "assert-create", ... */

/* One requirement object; unknown types and malformed fields are FLOE_ERR_INVALID. */
floe_status floe_ice_requirement_from_json(floe_arena *a, const json_t *j,
                                           floe_ice_requirement *out, floe_err *err);
json_t *floe_ice_requirement_to_json(const floe_ice_requirement *r);

/*
 * Check requirements against the current metadata (`base` NULL when the table does not exist).
 * A failed requirement is FLOE_ERR_CONFLICT with the REST message ("Requirement failed: current
 * schema changed: expected id 1 != 2"). Against a missing table, assert-create and (as in Java,
 * whose create transactions send them) the last-assigned-field-id / last-assigned-partition-id
 * asserts pass; the others fail with "Requirement failed: table does not exist".
 */
floe_status floe_ice_requirements_check(const floe_table_meta *base,
                                        const floe_ice_requirement *reqs, size_t n, floe_err *err);

typedef enum floe_ice_update_kind {
    FLOE_ICE_UP_ASSIGN_UUID = 0,
    FLOE_ICE_UP_UPGRADE_FORMAT_VERSION,
    FLOE_ICE_UP_ADD_SCHEMA,
    FLOE_ICE_UP_SET_CURRENT_SCHEMA,
    FLOE_ICE_UP_ADD_SPEC,
    FLOE_ICE_UP_SET_DEFAULT_SPEC,
    FLOE_ICE_UP_ADD_SORT_ORDER,
    FLOE_ICE_UP_SET_DEFAULT_SORT_ORDER,
    FLOE_ICE_UP_ADD_SNAPSHOT,
    FLOE_ICE_UP_SET_SNAPSHOT_REF,
    FLOE_ICE_UP_REMOVE_SNAPSHOTS,
    FLOE_ICE_UP_REMOVE_SNAPSHOT_REF,
    FLOE_ICE_UP_SET_LOCATION,
    FLOE_ICE_UP_SET_PROPERTIES,
    FLOE_ICE_UP_REMOVE_PROPERTIES,
    FLOE_ICE_UP_SET_STATISTICS,
    FLOE_ICE_UP_REMOVE_STATISTICS,
    FLOE_ICE_UP_SET_PARTITION_STATISTICS,
    FLOE_ICE_UP_REMOVE_PARTITION_STATISTICS,
    FLOE_ICE_UP_REMOVE_PARTITION_SPECS,
    FLOE_ICE_UP_REMOVE_SCHEMAS,
    FLOE_ICE_UP_ADD_ENCRYPTION_KEY,
    FLOE_ICE_UP_REMOVE_ENCRYPTION_KEY
} floe_ice_update_kind;

/* One update; which members are set depends on `kind` (see each comment). */
typedef struct floe_ice_update {
    floe_ice_update_kind kind;
    const char *uuid;                  /* ASSIGN_UUID */
    int format_version;                /* UPGRADE_FORMAT_VERSION */
    const floe_ice_schema *schema;     /* ADD_SCHEMA */
    bool has_last_column_id;           /* ADD_SCHEMA (deprecated field) */
    int32_t last_column_id;            /* ADD_SCHEMA */
    int32_t id;                        /* SET_CURRENT_SCHEMA, SET_DEFAULT_SPEC,
                                          SET_DEFAULT_SORT_ORDER (-1 = last added) */
    const floe_partition_spec *spec;   /* ADD_SPEC (field ids may be -1: assigned) */
    const floe_sort_order *sort_order; /* ADD_SORT_ORDER */
    const floe_snapshot *snapshot;     /* ADD_SNAPSHOT */
    floe_snapshot_ref ref;             /* SET_SNAPSHOT_REF (ref.name is "ref-name") */
    const char *ref_name;              /* REMOVE_SNAPSHOT_REF */
    const int64_t *snapshot_ids;       /* REMOVE_SNAPSHOTS */
    size_t n_snapshot_ids;
    int64_t snapshot_id;    /* REMOVE_STATISTICS, REMOVE_PARTITION_STATISTICS */
    const char *location;   /* SET_LOCATION */
    const floe_kv *updates; /* SET_PROPERTIES */
    size_t n_updates;
    const char *const *removals; /* REMOVE_PROPERTIES */
    size_t n_removals;
    floe_stats_file stats; /* SET_STATISTICS, SET_PARTITION_STATISTICS */
    const int32_t *ids;    /* REMOVE_PARTITION_SPECS, REMOVE_SCHEMAS */
    size_t n_ids;
    floe_encryption_key key; /* ADD_ENCRYPTION_KEY */
    const char *key_id;      /* REMOVE_ENCRYPTION_KEY */
} floe_ice_update;

const char *floe_ice_update_kind_name(floe_ice_update_kind k); /* "add-schema", ... */

/* One update object; unknown actions and malformed fields are FLOE_ERR_INVALID. */
floe_status floe_ice_update_from_json(floe_arena *a, const json_t *j, floe_ice_update *out,
                                      floe_err *err);
json_t *floe_ice_update_to_json(const floe_ice_update *u);

/* A parsed CommitTableRequest body: {identifier?, requirements, updates}. */
typedef struct floe_ice_commit_request {
    const char *const *ns; /* identifier namespace levels; NULL when no identifier */
    size_t n_ns;
    const char *name; /* identifier name; NULL when no identifier */
    const floe_ice_requirement *reqs;
    size_t n_reqs;
    const floe_ice_update *updates;
    size_t n_updates;
} floe_ice_commit_request;

floe_status floe_ice_commit_request_from_json(floe_arena *a, const json_t *j,
                                              floe_ice_commit_request *out, floe_err *err);
json_t *floe_ice_commit_request_to_json(const floe_ice_commit_request *r);

typedef struct floe_ice_apply_opts {
    /* last-updated-ms of the new metadata (the caller's clock; also the time of snapshot-log
     * entries for refs moved to snapshots not added in this commit). */
    int64_t now_ms;
    /* The file `base` was read from; appended to the metadata-log (trimmed to the property
     * write.metadata.previous-versions-max, default 100). NULL: base->metadata_location. */
    const char *base_location;
} floe_ice_apply_opts;

/*
 * Apply updates to `base` as Java's TableMetadata.Builder does, producing new metadata in `a`
 * (base is not modified). `base` NULL builds a new table from empty metadata (REST create
 * transactions: assign-uuid, upgrade-format-version, add-schema, ...), which must end up with a
 * schema, spec, sort order and location. Semantics: add-schema reuses the id of an identical
 * schema and raises last-column-id; add-spec reuses equivalent specs, assigns missing partition
 * field ids (reusing ids of equivalent fields, else last-partition-id + 1); -1 means "last
 * added" for set-current-schema/set-default-spec/set-default-sort-order; add-snapshot needs a
 * unique id and (v2+) a sequence number above last-sequence-number when it has a parent (else
 * FLOE_ERR_CONFLICT, retryable); set-snapshot-ref on main sets current-snapshot-id and appends
 * to the snapshot log; remove-snapshots drops dangling refs, statistics and log history.
 * Invalid updates are FLOE_ERR_INVALID. *changed (may be NULL) tells whether anything changed;
 * when nothing did, *out is an unchanged copy of base (same last-updated-ms, no log entry).
 */
floe_status floe_ice_updates_apply(floe_arena *a, const floe_table_meta *base,
                                   const floe_ice_update *updates, size_t n,
                                   const floe_ice_apply_opts *opts, floe_table_meta **out,
                                   bool *changed, floe_err *err);

/* What creating a table needs (a CreateTableRequest, plus what the catalog decides). */
typedef struct floe_ice_create_opts {
    const char *name;                  /* informational (CreateTableRequest "name") */
    const char *location;              /* required */
    const floe_ice_schema *schema;     /* required; ids are reassigned */
    const floe_partition_spec *spec;   /* NULL: unpartitioned; sources are `schema` ids */
    const floe_sort_order *sort_order; /* NULL: unsorted; sources are `schema` ids */
    const floe_kv *properties;         /* "format-version" is read and not stored */
    size_t n_properties;
    const char *table_uuid; /* NULL: a random v4 uuid */
    int64_t now_ms;
    bool stage_create; /* informational (CreateTableRequest "stage-create") */
} floe_ice_create_opts;

/* Parse a CreateTableRequest body into `out` (location and uuid left for the caller). */
floe_status floe_ice_create_request_from_json(floe_arena *a, const json_t *j,
                                              floe_ice_create_opts *out, floe_err *err);

/*
 * New table metadata as catalogs create it: fresh column ids from 1 (schema id 0), the spec
 * re-bound to the fresh ids with partition field ids from 1000 (spec id 0), the sort order
 * re-bound (order id 1, or 0 when unsorted), format version from properties["format-version"]
 * (default 2; that property is not stored), last-sequence-number 0, no snapshots.
 */
floe_status floe_ice_table_create(floe_arena *a, const floe_ice_create_opts *opts,
                                  floe_table_meta **out, floe_err *err);

/* ==== Expressions ==== */

typedef enum floe_ice_expr_op {
    FLOE_ICE_EXPR_TRUE = 0,
    FLOE_ICE_EXPR_FALSE,
    FLOE_ICE_EXPR_AND,
    FLOE_ICE_EXPR_OR,
    FLOE_ICE_EXPR_NOT,
    FLOE_ICE_EXPR_IS_NULL,
    FLOE_ICE_EXPR_NOT_NULL,
    FLOE_ICE_EXPR_IS_NAN,
    FLOE_ICE_EXPR_NOT_NAN,
    FLOE_ICE_EXPR_LT,
    FLOE_ICE_EXPR_LT_EQ,
    FLOE_ICE_EXPR_GT,
    FLOE_ICE_EXPR_GT_EQ,
    FLOE_ICE_EXPR_EQ,
    FLOE_ICE_EXPR_NOT_EQ,
    FLOE_ICE_EXPR_STARTS_WITH,
    FLOE_ICE_EXPR_NOT_STARTS_WITH,
    FLOE_ICE_EXPR_IN,
    FLOE_ICE_EXPR_NOT_IN
} floe_ice_expr_op;

/*
 * An expression tree node (immutable, arena-allocated). AND/OR use left and right, NOT uses
 * left; predicates name a column and carry literals (one for comparisons and STARTS_WITH, n for
 * IN / NOT IN, none for the unary tests).
 *
 * Unbound literals keep the parser's kind: integers LONG (DECIMAL past 64 bits), decimals
 * DECIMAL, numbers with an exponent DOUBLE, strings STRING, booleans BOOL. Binding resolves the
 * name to a field id and converts every literal to the column's kind (floe_ice_value_kind).
 */
typedef struct floe_ice_expr floe_ice_expr;
struct floe_ice_expr {
    floe_ice_expr_op op;
    const floe_ice_expr *left;
    const floe_ice_expr *right;
    const char *name; /* predicates: column name (bound: the canonical name) */
    bool bound;       /* predicates: field_id and type are set */
    int32_t field_id;
    const floe_ice_type *type; /* bound: the column's type */
    const floe_value *lits;
    size_t n_lits;
};

const char *floe_ice_expr_op_name(floe_ice_expr_op op); /* REST names: "lt-eq", "not-in", ... */

/* Constructors (NULL when the arena is exhausted). and/or/not fold TRUE and FALSE. */
const floe_ice_expr *floe_ice_expr_true(void);
const floe_ice_expr *floe_ice_expr_false(void);
const floe_ice_expr *floe_ice_expr_and(floe_arena *a, const floe_ice_expr *l,
                                       const floe_ice_expr *r);
const floe_ice_expr *floe_ice_expr_or(floe_arena *a, const floe_ice_expr *l,
                                      const floe_ice_expr *r);
const floe_ice_expr *floe_ice_expr_not(floe_arena *a, const floe_ice_expr *e);
/* An unbound predicate; `name` and the literals are copied into `a`. */
const floe_ice_expr *floe_ice_expr_pred(floe_arena *a, floe_ice_expr_op op, const char *name,
                                        const floe_value *lits, size_t n_lits);

/*
 * Parse the SQL-like filter text used by `--where` and self-optimizing.filter:
 *   expr    := expr OR expr | expr AND expr | NOT expr | '(' expr ')' | TRUE | FALSE | pred
 *   pred    := col op lit | lit op col | col [NOT] IN (lit, ...) | col IS [NOT] NULL
 *            | col IS [NOT] NAN | col [NOT] STARTS WITH 'p' | col [NOT] LIKE 'p%'
 *            | col [NOT] BETWEEN lit AND lit
 *   op      := = == != <> < <= > >=
 *   col     := name(.name)* | `quoted` | "quoted"
 *   lit     := integer | decimal | float (1e3) | 'string' ('' escapes a quote) | TRUE | FALSE
 *            | NULL | DATE 'x' | TIME 'x' | TIMESTAMP 'x' (the keyword is a hint only)
 * Keywords are case-insensitive; AND binds tighter than OR. `col = NULL` means IS NULL and
 * `col != NULL` NOT NULL. LIKE accepts only a prefix pattern ('abc%'). FLOE_ERR_INVALID with the
 * byte offset for malformed text; limits on length and nesting give FLOE_ERR_TOO_BIG.
 */
floe_status floe_ice_expr_parse(floe_arena *a, const char *text, size_t len,
                                const floe_ice_expr **out, floe_err *err);

/* Append a text form that floe_ice_expr_parse reads back to the same tree. */
floe_status floe_ice_expr_to_string(const floe_ice_expr *e, floe_buf *out, floe_err *err);

/*
 * The REST / Java JSON form: true/false (booleans or {"type":"true"}), {"type":"and","left",
 * "right"}, {"type":"not","child"}, {"type":"lt","term":"x","value":5} (also "left"/"right",
 * "child", {"type":"reference","name":...} and {"type":"literal","value":...}), {"type":"in",
 * "term", "values":[...]}. With `schema`, the expression is bound and literals are read in the
 * column type's JSON single-value form; without, it stays unbound. Transform terms and function
 * applications are FLOE_ERR_UNSUPPORTED. Writing uses Java's term/value form.
 */
floe_status floe_ice_expr_from_json(floe_arena *a, const json_t *j, const floe_ice_schema *schema,
                                    const floe_ice_expr **out, floe_err *err);
json_t *floe_ice_expr_to_json(const floe_ice_expr *e);

/*
 * Bind to a schema: names resolve (case-sensitively) to fields, which must be primitive and not
 * inside a list or map; literals convert to the column type (strings to date, time, timestamp
 * (ISO, floe_time_parse_iso), uuid, decimal; numbers across integer/decimal/float types, with
 * out-of-range and inexact values folded into an equivalent predicate or TRUE/FALSE); IS NAN
 * needs a float/double and STARTS WITH a string. NOT is pushed down to the predicates (NOT
 * x < 5 becomes x >= 5), so bound trees contain no NOT. FLOE_ERR_INVALID with a clear message.
 */
floe_status floe_ice_expr_bind(floe_arena *a, const floe_ice_expr *e, const floe_ice_schema *schema,
                               const floe_ice_expr **out, floe_err *err);

/*
 * Row evaluation. The callback fetches the value of a field id for the current row (NULL value
 * for missing); values may be of the column's kind or a promotable narrower one (INT for a long,
 * FLOAT for a double). Comparisons with null are false, NaN satisfies only != / NOT IN / IS NAN,
 * so a bound expression selects rows like SQL does.
 */
typedef void (*floe_ice_value_fn)(void *ud, int32_t field_id, floe_value *out);
bool floe_ice_expr_eval(const floe_ice_expr *bound, floe_ice_value_fn fn, void *ud);
/*
 * A value fetcher over a STRUCT row shaped like `schema` (fields in schema order, nested structs
 * as STRUCT values): pass floe_ice_row_value as `fn` and a floe_ice_row as `ud`.
 */
typedef struct floe_ice_row {
    const floe_ice_schema *schema;
    const floe_value *row;
} floe_ice_row;
void floe_ice_row_value(void *ud, int32_t field_id, floe_value *out);

/*
 * Inclusive projection of a bound row filter through a partition spec: a bound expression over
 * the spec's partition tuple (floe_partition_spec_type) that is true for every partition that
 * may hold a matching row. Identity keeps the predicate; bucket projects = and IN; truncate and
 * the date/time transforms project ranges (with Java's widening for pre-epoch values written by
 * old writers); void and unknown transforms give TRUE. Evaluate it on partition tuples with
 * floe_ice_row over the partition type's schema (see floe_partition_spec_type).
 */
floe_status floe_ice_expr_project(floe_arena *a, const floe_ice_expr *bound,
                                  const floe_partition_spec *spec, const floe_ice_schema *schema,
                                  const floe_ice_expr **out, floe_err *err);

/* ==== Data files and manifests ==== */

typedef enum floe_file_content {
    FLOE_CONTENT_DATA = 0,
    FLOE_CONTENT_POSITION_DELETES = 1,
    FLOE_CONTENT_EQUALITY_DELETES = 2
} floe_file_content;

typedef enum floe_file_format {
    FLOE_FORMAT_PARQUET = 0,
    FLOE_FORMAT_AVRO,
    FLOE_FORMAT_ORC,
    FLOE_FORMAT_PUFFIN
} floe_file_format;

/* Lowercase name ("parquet"); parse accepts any case (Java writes "PARQUET"). */
const char *floe_file_format_name(floe_file_format f);
/* "data", "position-deletes", "equality-deletes" ("unknown" otherwise). */
const char *floe_file_content_name(floe_file_content c);
floe_status floe_file_format_parse(const char *s, floe_file_format *out, floe_err *err);

/* One entry of a per-field count map (column_sizes, value_counts, ...). */
typedef struct floe_field_count {
    int32_t field_id;
    int64_t value;
} floe_field_count;

/* One entry of a bounds map: single-value bytes as stored (decode with the field's type). */
typedef struct floe_field_bound {
    int32_t field_id;
    floe_str bytes;
} floe_field_bound;

/*
 * A data or delete file as manifests describe it (data_file, spec "Data File Fields"). Optional
 * maps and lists are absent when NULL / has_* false. Filled by the manifest reader, written by
 * the manifest writer, consulted by scans and the metrics evaluator.
 */
typedef struct floe_data_file {
    floe_file_content content;            /* 134 */
    const char *file_path;                /* 100 */
    floe_file_format file_format;         /* 101 */
    int32_t spec_id;                      /* the manifest's partition spec (not stored per file) */
    floe_value partition;                 /* 102: STRUCT, one item per spec field, in spec order */
    int64_t record_count;                 /* 103 */
    int64_t file_size_in_bytes;           /* 104 */
    const floe_field_count *column_sizes; /* 108 */
    size_t n_column_sizes;
    const floe_field_count *value_counts; /* 109: nulls and NaNs included */
    size_t n_value_counts;
    const floe_field_count *null_value_counts; /* 110 */
    size_t n_null_value_counts;
    const floe_field_count *nan_value_counts; /* 137 */
    size_t n_nan_value_counts;
    const floe_field_bound *lower_bounds; /* 125 */
    size_t n_lower_bounds;
    const floe_field_bound *upper_bounds; /* 128 */
    size_t n_upper_bounds;
    floe_str key_metadata;        /* 131: ptr NULL when absent */
    const int64_t *split_offsets; /* 132: ascending; NULL when absent */
    size_t n_split_offsets;
    const int32_t *equality_ids; /* 135: equality deletes; NULL when absent */
    size_t n_equality_ids;
    bool has_sort_order_id; /* 140 */
    int32_t sort_order_id;
    const char *referenced_data_file; /* 143: NULL when absent */
    bool has_first_row_id;            /* 142 (v3) */
    int64_t first_row_id;
    bool has_content_offset; /* 144 (v3, deletion vectors) */
    int64_t content_offset;
    bool has_content_size_in_bytes; /* 145 (v3) */
    int64_t content_size_in_bytes;
} floe_data_file;

/* Per-field lookups in a data file's maps; false when the field has no entry. */
bool floe_data_file_value_count(const floe_data_file *f, int32_t field_id, int64_t *out);
bool floe_data_file_null_count(const floe_data_file *f, int32_t field_id, int64_t *out);
bool floe_data_file_nan_count(const floe_data_file *f, int32_t field_id, int64_t *out);
bool floe_data_file_lower_bound(const floe_data_file *f, int32_t field_id, floe_str *out);
bool floe_data_file_upper_bound(const floe_data_file *f, int32_t field_id, floe_str *out);

typedef enum floe_entry_status {
    FLOE_ENTRY_EXISTING = 0,
    FLOE_ENTRY_ADDED = 1,
    FLOE_ENTRY_DELETED = 2
} floe_entry_status;

/* A manifest_entry: status and tracking fields, then the file. */
typedef struct floe_manifest_entry {
    floe_entry_status status; /* 0 */
    bool has_snapshot_id;     /* 1: inherited from the manifest when absent */
    int64_t snapshot_id;
    bool has_sequence_number; /* 3: data sequence number; inherited when absent and ADDED */
    int64_t sequence_number;
    bool has_file_sequence_number; /* 4 */
    int64_t file_sequence_number;
    floe_data_file file; /* 2 */
} floe_manifest_entry;

typedef enum floe_manifest_content {
    FLOE_MANIFEST_DATA = 0,
    FLOE_MANIFEST_DELETES = 1
} floe_manifest_content;

/* A manifest list's field_summary for one partition field. */
typedef struct floe_field_summary {
    bool contains_null; /* 509 */
    bool has_contains_nan;
    bool contains_nan;    /* 518 */
    floe_str lower_bound; /* 510: single-value bytes, ptr NULL when absent */
    floe_str upper_bound; /* 511 */
} floe_field_summary;

/* A manifest list entry (manifest_file). Counts are optional in v1 (has_counts). */
typedef struct floe_manifest_file {
    const char *manifest_path;     /* 500 */
    int64_t manifest_length;       /* 501 */
    int32_t partition_spec_id;     /* 502 */
    floe_manifest_content content; /* 517 (0 in v1) */
    int64_t sequence_number;       /* 515 (0 in v1) */
    int64_t min_sequence_number;   /* 516 (0 in v1) */
    int64_t added_snapshot_id;     /* 503 */
    bool has_counts;               /* 504-506, 512-514 present */
    int32_t added_files_count;
    int32_t existing_files_count;
    int32_t deleted_files_count;
    int64_t added_rows_count;
    int64_t existing_rows_count;
    int64_t deleted_rows_count;
    const floe_field_summary *partitions; /* 507: one per spec field; NULL when absent */
    size_t n_partitions;
    floe_str key_metadata; /* 519 */
    bool has_first_row_id; /* 520 (v3) */
    int64_t first_row_id;
} floe_manifest_file;

/*
 * Fill inherited tracking fields of an entry read from `manifest` (spec "Sequence Number
 * Inheritance"): snapshot id from added_snapshot_id; for ADDED entries, missing sequence
 * numbers from the manifest's sequence number. FLOE_ERR_CORRUPT when an EXISTING or DELETED
 * entry of a v2+ manifest lacks them.
 */
floe_status floe_manifest_entry_inherit(floe_manifest_entry *e, const floe_manifest_file *manifest,
                                        int format_version, floe_err *err);

/*
 * Whether a data or delete file may contain rows matching a bound expression, judged from its
 * record count, value/null/NaN counts and lower/upper bounds (Java's InclusiveMetricsEvaluator):
 * false only when no row can match. Bounds are decoded with the bound column types; a bound that
 * does not decode is ignored. Missing metrics never exclude a file.
 */
bool floe_ice_metrics_might_match(const floe_ice_expr *bound, const floe_data_file *f);

/*
 * Whether every row of a data file matches a bound expression, judged from its metrics (Java's
 * StrictMetricsEvaluator with SQL null semantics: a comparison needs a null count of 0). True
 * only when it is certain; missing metrics never make it true. Used to delete whole files by a
 * row filter.
 */
bool floe_ice_metrics_must_match(const floe_ice_expr *bound, const floe_data_file *f);

/*
 * Whether every row of a partition matches a bound row filter, judged from the partition tuple
 * (a STRUCT in spec order) through identity partition fields only: predicates on other columns
 * are not known to hold. Conservative: false unless certain.
 */
bool floe_ice_partition_must_match(const floe_ice_expr *bound, const floe_partition_spec *spec,
                                   const floe_value *partition);

/*
 * Whether a manifest may hold files matching `projected`, a bound expression over the partition
 * tuple of `spec` (floe_ice_expr_project), judged from the manifest list's partition summaries
 * (Java's ManifestEvaluator: contains_null, contains_nan, lower and upper bounds). Manifests
 * without summaries always may.
 */
bool floe_ice_manifest_might_match(const floe_ice_expr *projected, const floe_partition_spec *spec,
                                   const floe_manifest_file *m);

/* Deep copy of a data file into `a`: strings, maps, bounds and the partition tuple. */
floe_status floe_data_file_dup(floe_arena *a, const floe_data_file *f, floe_data_file *out,
                               floe_err *err);
/* Drop the column metrics (sizes, counts, bounds) of a data file (pointers only). */
void floe_data_file_strip_stats(floe_data_file *f);

/* ==== Manifest files and manifest lists (Avro) ==== */

/*
 * A manifest's sequence numbers before the manifest list that first lists it assigns them (the
 * snapshot's sequence number), and an entry's data sequence number that is inherited.
 */
#define FLOE_SEQ_UNASSIGNED (-1)
/* Most manifests one manifest list may hold. */
#define FLOE_MANIFEST_LIST_MAX 10000000

/* What a manifest's header and schema say about it. Borrowed from the reader. */
typedef struct floe_manifest_info {
    int format_version;            /* "format-version", else from the schema (v2 has content) */
    floe_manifest_content content; /* "content": data or deletes (v1: data) */
    int32_t spec_id;
    const floe_partition_spec *spec;     /* the table's spec by id, else the header's */
    const floe_ice_schema *schema;       /* the table schema in the header; NULL when absent */
    const floe_ice_type *partition_type; /* struct of the partition tuple (spec order) */
} floe_manifest_info;

/* Projection flags: fields a caller does not need are skipped without decoding. */
#define FLOE_MANIFEST_SKIP_COLUMN_SIZES 0x1u /* column_sizes */
#define FLOE_MANIFEST_SKIP_COUNTS 0x2u       /* value, null and NaN counts */
#define FLOE_MANIFEST_SKIP_BOUNDS 0x4u       /* lower and upper bounds */
#define FLOE_MANIFEST_SKIP_STATS 0x7u        /* all column metrics */

typedef struct floe_manifest_read_opts {
    /* Specs and schemas by id (the partition spec of the manifest and its partition types);
     * NULL: taken from the manifest header. Borrowed until the reader is closed. */
    const floe_table_meta *meta;
    /* The manifest list entry the manifest was found in: its spec id wins over the header's and
     * entries inherit snapshot id and sequence numbers from it (floe_manifest_entry_inherit).
     * NULL: entries are returned as stored. Copied. */
    const floe_manifest_file *manifest;
    unsigned skip; /* FLOE_MANIFEST_SKIP_* */
} floe_manifest_read_opts;

/*
 * A streaming manifest reader: entries come one at a time, decoded by field id (v1, v2 and v3
 * layouts and the names other writers use), so memory stays at about one Avro block however
 * many entries the manifest has. Partition tuples are STRUCT values in spec order, coerced to
 * the partition type's value kinds (floe_ice_value_kind); bounds stay single-value bytes.
 * Malformed files fail with FLOE_ERR_CORRUPT naming the entry and the field.
 */
typedef struct floe_manifest_reader floe_manifest_reader;

/* Open a manifest through FileIO. `opts` may be NULL. Close with floe_manifest_reader_close. */
floe_status floe_manifest_reader_open(floe_fileio *io, const char *location,
                                      const floe_manifest_read_opts *opts,
                                      floe_manifest_reader **out, floe_err *err);
/* The same over `len` bytes at `data`, borrowed until close. */
floe_status floe_manifest_reader_open_mem(const void *data, size_t len,
                                          const floe_manifest_read_opts *opts,
                                          floe_manifest_reader **out, floe_err *err);
void floe_manifest_reader_close(floe_manifest_reader *r);
const floe_manifest_info *floe_manifest_reader_info(const floe_manifest_reader *r);
/*
 * The next entry into `*out` (*got true), or *got false at the end. Strings, maps, bounds and
 * the partition tuple are allocated from `a`, which the caller may reset between calls; the
 * partition STRUCT's field names are borrowed from the reader. So `*out` is valid until `a` is
 * reset and the reader is closed (floe_data_file_dup keeps one longer). With opts->manifest the
 * tracking fields are inherited; an EXISTING/DELETED v2 entry without them is FLOE_ERR_CORRUPT.
 */
floe_status floe_manifest_reader_next(floe_manifest_reader *r, floe_arena *a,
                                      floe_manifest_entry *out, bool *got, floe_err *err);
/* Entries returned so far. */
uint64_t floe_manifest_reader_count(const floe_manifest_reader *r);

/* A manifest list: header facts and every manifest_file entry. */
typedef struct floe_manifest_list {
    int format_version;
    bool has_snapshot_id; /* header "snapshot-id" */
    int64_t snapshot_id;
    bool has_parent_snapshot_id; /* header "parent-snapshot-id" ("null" means none) */
    int64_t parent_snapshot_id;
    bool has_sequence_number; /* header "sequence-number" (v2+) */
    int64_t sequence_number;
    bool has_first_row_id; /* header "first-row-id" (v3) */
    int64_t first_row_id;
    const floe_manifest_file *manifests;
    size_t n_manifests;
} floe_manifest_list;

/*
 * Read a whole manifest list (lists are small: one entry per manifest) into `a`. v1 lists have
 * content data and sequence numbers 0; a missing added_snapshot_id is the header's snapshot id.
 */
floe_status floe_manifest_list_read(floe_arena *a, floe_fileio *io, const char *location,
                                    floe_manifest_list *out, floe_err *err);
floe_status floe_manifest_list_parse(floe_arena *a, const void *data, size_t len,
                                     floe_manifest_list *out, floe_err *err);

/*
 * The manifests of a snapshot, in order: its manifest list, or for v1 snapshots that embed a
 * `manifests` list, those paths (each manifest's header is read for its spec id and content;
 * added_snapshot_id is the snapshot, sequence numbers 0, counts absent). Allocated from `a`.
 */
floe_status floe_snapshot_manifests(floe_arena *a, floe_fileio *io, const floe_table_meta *meta,
                                    const floe_snapshot *snap, const floe_manifest_file **out,
                                    size_t *n, floe_err *err);

typedef struct floe_manifest_write_opts {
    int format_version;              /* 1, 2 or 3 */
    floe_manifest_content content;   /* deletes: v2+ only */
    const floe_partition_spec *spec; /* field ids assigned; borrowed until finish */
    const floe_ice_schema *schema;   /* the table schema the spec is bound to (header + types) */
    int64_t snapshot_id;             /* the snapshot writing: ADDED and DELETED entries carry it */
    floe_codec codec;                /* FLOE_CODEC_NONE, DEFLATE (Java's default), SNAPPY, ZSTD */
    int level;                       /* 0: the codec's default */
    const uint8_t *sync;             /* 16 bytes for reproducible output; NULL: random */
} floe_manifest_write_opts;

/*
 * A manifest writer: the exact Iceberg Avro schema of the format version (field ids, element
 * ids, r2/r102/k117_v118 record names, optional fields as ["null", T] with null defaults) and
 * Java's header metadata (schema, schema-id, partition-spec, partition-spec-id, format-version,
 * content, iceberg.schema). It tracks the counts, row counts, the lowest data sequence number
 * and partition summaries for the manifest list entry that finish() returns. Partition tuples
 * must be STRUCTs in spec order whose values fit the partition type.
 */
typedef struct floe_manifest_writer floe_manifest_writer;

/* Write to `location` (created exclusively; published by finish). Free with _free. */
floe_status floe_manifest_writer_open(floe_fileio *io, const char *location,
                                      const floe_manifest_write_opts *opts,
                                      floe_manifest_writer **out, floe_err *err);
/* Write into `dst` (borrowed until free) instead; `location` names the manifest in finish(). */
floe_status floe_manifest_writer_open_buf(floe_buf *dst, const char *location,
                                          const floe_manifest_write_opts *opts,
                                          floe_manifest_writer **out, floe_err *err);
/*
 * An ADDED entry: snapshot id of the writer, data sequence number `data_seq` written explicitly
 * (compaction keeping the starting snapshot's number) or FLOE_SEQ_UNASSIGNED to inherit; the
 * file sequence number is always inherited.
 */
floe_status floe_manifest_writer_add(floe_manifest_writer *w, const floe_data_file *f,
                                     int64_t data_seq, floe_err *err);
/* An EXISTING entry carried over (tracking fields explicit, as read with inheritance). */
floe_status floe_manifest_writer_existing(floe_manifest_writer *w, const floe_manifest_entry *e,
                                          floe_err *err);
/* A DELETED entry: the writer's snapshot id, the entry's sequence numbers kept. */
floe_status floe_manifest_writer_delete(floe_manifest_writer *w, const floe_manifest_entry *e,
                                        floe_err *err);
/* Any entry exactly as given (unset has_* fields are written as null). */
floe_status floe_manifest_writer_write(floe_manifest_writer *w, const floe_manifest_entry *e,
                                       floe_err *err);
/* Entries written so far. */
uint64_t floe_manifest_writer_count(const floe_manifest_writer *w);
/*
 * Finish and publish the file; `*out` is its manifest list entry (allocated from `a`): path,
 * length, spec, content, added_snapshot_id = the writer's snapshot, counts, partition
 * summaries, min_sequence_number (the lowest explicit data sequence number of live entries, or
 * FLOE_SEQ_UNASSIGNED) and sequence_number FLOE_SEQ_UNASSIGNED (assigned by the list writer).
 */
floe_status floe_manifest_writer_finish(floe_manifest_writer *w, floe_arena *a,
                                        floe_manifest_file *out, floe_err *err);
/* Free; an unfinished file is abandoned (nothing is published). */
void floe_manifest_writer_free(floe_manifest_writer *w);

typedef struct floe_manifest_list_write_opts {
    int format_version;
    int64_t snapshot_id;
    bool has_parent;
    int64_t parent_snapshot_id;
    int64_t sequence_number; /* the snapshot's (0 in v1) */
    int64_t first_row_id;    /* v3: the table's next-row-id before this snapshot */
    floe_codec codec;
    int level;
    const uint8_t *sync;
} floe_manifest_list_write_opts;

/*
 * Write a manifest list of `n` manifests with Java's header metadata (snapshot-id,
 * parent-snapshot-id, sequence-number, format-version, iceberg.schema). Manifests whose
 * sequence numbers are FLOE_SEQ_UNASSIGNED get the snapshot's (they must have been added by
 * it). In v3, data manifests without a first_row_id get one from opts->first_row_id on, and
 * *added_rows (may be NULL) receives the rows assigned. v2+ needs every manifest's counts.
 */
floe_status floe_manifest_list_write(floe_fileio *io, const char *location,
                                     const floe_manifest_list_write_opts *opts,
                                     const floe_manifest_file *manifests, size_t n,
                                     int64_t *added_rows, floe_err *err);
floe_status floe_manifest_list_write_buf(floe_buf *dst, const floe_manifest_list_write_opts *opts,
                                         const floe_manifest_file *manifests, size_t n,
                                         int64_t *added_rows, floe_err *err);
/* ==== Rows: reading and writing data files (src/iceberg/read_*.c, write_*.c) ==== */

/*
 * The row halves of the library: read the rows of one data file task (a Parquet data file and
 * the delete files that apply to it) in a projected schema, and write rows into partitioned,
 * optionally sorted, rolled Parquet data files (and position- and equality-delete files) with
 * the data_file metrics manifests need. docs/internals/iceberg-rows.md has the design.
 *
 * Batches are columnar by top-level field: columns[c][r] is the value of the schema's c-th
 * top-level field in row r, of the kind floe_ice_value_kind gives for the field's type (nested
 * fields are STRUCT values with fields in schema order and names set, LIST and MAP values). The
 * same struct is what the writer takes, so a rewrite is read batch -> write batch.
 */

/* Field ids of the position-delete columns (spec: Reserved Field IDs). */
#define FLOE_ICE_POS_DELETE_PATH_ID 2147483546
#define FLOE_ICE_POS_DELETE_POS_ID 2147483545
/* Defaults of the reader's memory bounds (floe_ice_read_opts). */
#define FLOE_ICE_DEFAULT_BATCH_ROWS 4096
#define FLOE_ICE_MAX_DELETE_POSITIONS ((size_t)64 << 20) /* 512 MiB of int64 positions */
#define FLOE_ICE_MAX_DELETE_MEMORY ((size_t)1 << 30)     /* equality delete keys */

typedef struct floe_ice_batch {
    const floe_ice_schema *schema; /* the rows' schema (borrowed) */
    size_t n_rows;
    size_t n_columns;                 /* == schema->root->n_fields */
    const floe_value *const *columns; /* columns[c][r] */
} floe_ice_batch;

/*
 * Row `r` of a batch as a STRUCT value shaped like the batch's schema (what floe_ice_row,
 * floe_partition_tuple and floe_value_to_json take). `items` is caller storage for n_columns
 * values; the row borrows it and the batch.
 */
void floe_ice_batch_row(const floe_ice_batch *b, size_t r, floe_value *items, floe_value *row);
/* Append row `r` as one canonical JSON object (value.h) with the fields in schema order. */
floe_status floe_ice_batch_row_json(const floe_ice_batch *b, size_t r, floe_buf *out,
                                    floe_err *err);

/*
 * A name mapping (table property schema.name-mapping.default): how to give field ids to the
 * columns of files written without them. JSON: [{"field-id": 1, "names": ["id", "record_id"]},
 * {"names": ["location"], "field-id": 2, "fields": [...]}]; list elements are mapped under the
 * name "element", map keys and values under "key" and "value". Entries without a field-id only
 * carry nested fields. FLOE_ERR_INVALID for malformed JSON, FLOE_ERR_TOO_BIG past the limits.
 */
typedef struct floe_ice_name_mapping floe_ice_name_mapping;
floe_status floe_ice_name_mapping_parse(floe_arena *a, floe_str json,
                                        const floe_ice_name_mapping **out, floe_err *err);
/* The mapping Java's MappingUtil.create builds: every field by its current name. */
floe_status floe_ice_name_mapping_from_schema(floe_arena *a, const floe_ice_schema *s,
                                              const floe_ice_name_mapping **out, floe_err *err);
/* The field id mapped for a path of names from the top level, or -1. */
int32_t floe_ice_name_mapping_find(const floe_ice_name_mapping *m, const char *const *path,
                                   size_t n);

typedef struct floe_ice_read_opts {
    /* Required: the projected schema (a table schema or a subset of its fields, ids intact). */
    const floe_ice_schema *schema;
    /* Required: the data file (content DATA, format PARQUET); borrowed until close. */
    const floe_data_file *file;
    /* Delete files that apply to `file` (position and equality deletes, Parquet), as the
     * planner chose them by sequence number and partition. Position deletes for other files
     * are ignored, so passing a partition's whole set is fine. Borrowed until close. */
    const floe_data_file *const *deletes;
    size_t n_deletes;
    /* A residual row filter bound to a schema with the same field ids (floe_ice_expr_bind); it
     * may use columns outside `schema`. Row groups whose statistics show that no row can match
     * are not read. NULL: every row. */
    const floe_ice_expr *filter;
    /* For files without field ids: the table's name mapping. NULL: match `schema`'s names. */
    const floe_ice_name_mapping *name_mapping;
    /* The file's partition spec: columns missing from the file that an identity partition
     * field covers take the value from file->partition (as Java does). NULL: not used. */
    const floe_partition_spec *spec;
    size_t batch_rows;           /* 0: FLOE_ICE_DEFAULT_BATCH_ROWS */
    size_t max_delete_positions; /* 0: FLOE_ICE_MAX_DELETE_POSITIONS */
    size_t max_delete_memory;    /* 0: FLOE_ICE_MAX_DELETE_MEMORY */
    /* Optional: the file_path values of each position-delete file the reader loads (it reads
     * every row of such a file, not only the rows naming `file`). Called during open, per delete
     * file: once per run of equal values in file order (delete files are sorted by path, so
     * usually once per distinct path; the bytes are borrowed for the call), then once with
     * path NULL when the file was read to its end. `del` is the entry of `deletes`. Files the
     * reader skips (referenced_data_file or file_path bounds exclude `file`) are not reported. */
    void (*pos_delete_path)(void *ud, const floe_data_file *del, const char *path, size_t len);
    void *pos_delete_path_ud;
} floe_ice_read_opts;

typedef struct floe_ice_reader floe_ice_reader;

/*
 * Open a data file task: open the data file through `io` (borrowed, must outlive the reader),
 * match its columns to `opts->schema` by field id (through schema evolution: renamed columns,
 * added columns as the initial default or null, int->long, float->double, decimal widening,
 * date->timestamp, nested structs, lists and maps), and load the deletes: the positions of
 * `file` from every position-delete file (sorted, bounded by max_delete_positions) and the key
 * tuples of every equality-delete file (a hash set per equality_ids set, bounded by
 * max_delete_memory). FLOE_ERR_INVALID when a column cannot be read as its type or a required
 * column is missing without a default; FLOE_ERR_TOO_BIG past the bounds; the Parquet reader's
 * errors for bad files (wrapped with the file path).
 */
floe_status floe_ice_reader_open(floe_fileio *io, const floe_ice_read_opts *opts,
                                 floe_ice_reader **out, floe_err *err);
/*
 * The next batch of live rows (deleted and filtered rows removed; never empty), or *out ==
 * NULL at the end. Rows keep file order. The batch and every value in it are borrowed until
 * the next call or close (copy what must outlive that, e.g. with floe_ice_writer_write, which
 * writes before it returns).
 */
floe_status floe_ice_reader_next(floe_ice_reader *r, const floe_ice_batch **out, floe_err *err);
/*
 * The position in the data file (0-based row number, what position deletes name) of each row
 * of the batch the last floe_ice_reader_next returned: n_rows entries, borrowed like the batch.
 */
const int64_t *floe_ice_reader_positions(const floe_ice_reader *r);
void floe_ice_reader_close(floe_ice_reader *r);

/* Counters for a finished (or running) read. */
typedef struct floe_ice_read_stats {
    int64_t rows_read;        /* rows decoded from the data file */
    int64_t rows_pos_deleted; /* removed by position deletes */
    int64_t rows_eq_deleted;  /* removed by equality deletes */
    int64_t rows_filtered;    /* removed by the residual filter */
    int64_t rows_returned;
    int64_t row_groups_skipped; /* by the residual filter on row group statistics */
    size_t delete_positions;    /* distinct positions loaded for this file */
    size_t delete_keys;         /* distinct equality-delete keys loaded */
} floe_ice_read_stats;
void floe_ice_reader_stats(const floe_ice_reader *r, floe_ice_read_stats *out);

/*
 * The Iceberg schema of a Parquet file's columns, as Java's ParquetSchemaUtil converts it:
 * INT32 int (date, time, decimal by annotation; UINT32 long), INT64 long (timestamp or
 * timestamptz by isAdjustedToUTC, time, decimal), INT96 timestamptz, FLOAT float, DOUBLE double,
 * BYTE_ARRAY string (STRING/ENUM/JSON annotations) or binary, FIXED fixed[n] (uuid, decimal);
 * groups become structs, lists (3-level, legacy 2-level, unannotated repeated fields) and
 * maps. Required columns stay required. Field ids are numbered from 1 in the order met (the
 * file's own ids are ignored). FLOE_ERR_UNSUPPORTED for UINT64 and float16 columns.
 */
struct floe_pq_schema;
floe_status floe_ice_schema_from_parquet(floe_arena *a, const struct floe_pq_schema *pq,
                                         const floe_ice_schema **out, floe_err *err);

/* ==== Rows: writing data and delete files ==== */

/* Defaults of the write.* properties (Java's). */
#define FLOE_ICE_DEFAULT_TARGET_FILE_SIZE ((uint64_t)512 << 20)
#define FLOE_ICE_DEFAULT_MAX_OPEN_FILES 16
#define FLOE_ICE_DEFAULT_SORT_BUFFER ((size_t)256 << 20)

typedef struct floe_ice_write_opts {
    /* Required: location, properties (write.*), and the defaults below. Borrowed. */
    const floe_table_meta *table;
    const floe_ice_schema *schema;     /* rows' schema; NULL: the current schema */
    const floe_partition_spec *spec;   /* NULL: the default spec */
    const floe_sort_order *sort_order; /* NULL: the default sort order */
    /* Sort the rows of each file by sort_order: rows are buffered per partition (copied, up
     * to sort_buffer_bytes in total) and written sorted when the buffer fills or at close,
     * so each file is sorted and records the order's id. Unsorted writes stream. */
    bool sort;
    size_t sort_buffer_bytes; /* 0: FLOE_ICE_DEFAULT_SORT_BUFFER */
    /* Open files at once (one per partition); past it the least recently used is closed.
     * 0: FLOE_ICE_DEFAULT_MAX_OPEN_FILES. */
    size_t max_open_files;
    uint64_t target_file_size; /* 0: write.target-file-size-bytes (default 512 MiB) */
    /* DATA (default) or EQUALITY_DELETES with equality_ids (field ids of `schema`). Position
     * deletes have their own writer below. */
    floe_file_content content;
    const int32_t *equality_ids;
    size_t n_equality_ids;
    /* A fixed partition tuple for every row (a STRUCT with one item per spec field), e.g. the
     * partition of the data files an equality delete targets. NULL: computed from each row. */
    const floe_value *partition;
    const char *data_location; /* NULL: write.data.path or <location>/data */
} floe_ice_write_opts;

typedef struct floe_ice_writer floe_ice_writer;

/*
 * Start writing. Properties read: write.target-file-size-bytes, write.parquet.compression-codec
 * (default zstd) and -level, write.parquet.row-group-size-bytes, write.parquet.page-size-bytes,
 * write.parquet.dict-size-bytes, write.metadata.metrics.default (default truncate(16)) and
 * write.metadata.metrics.column.<name> (none, counts, truncate(N), full), write.data.path.
 * FLOE_ERR_INVALID for a bad property or a schema type Parquet files cannot hold here (v3
 * variant, geometry, geography, unknown).
 */
floe_status floe_ice_writer_new(floe_fileio *io, const floe_ice_write_opts *opts,
                                floe_ice_writer **out, floe_err *err);
/*
 * Append rows shaped like the writer's schema (b->schema must have the same field ids; values
 * of each field's kind, or a narrower promotable one: INT for long, FLOAT for double). A null
 * in a required field is FLOE_ERR_INVALID. Values are copied or written before return.
 */
floe_status floe_ice_writer_write(floe_ice_writer *w, const floe_ice_batch *b, floe_err *err);
/* Append one row (a STRUCT value shaped like the schema). */
floe_status floe_ice_writer_write_row(floe_ice_writer *w, const floe_value *row, floe_err *err);
/*
 * Finish every file and describe them: *files (allocated from `a`, owned by the caller's
 * arena) holds one floe_data_file per file written, with partition, record count, size,
 * column sizes, value/null/NaN counts, bounds, split offsets, sort_order_id, spec_id and, for
 * equality deletes, equality_ids. The files are the caller's from here (floe_ice_writer_free
 * no longer deletes them).
 */
floe_status floe_ice_writer_close(floe_ice_writer *w, floe_arena *a, const floe_data_file **files,
                                  size_t *n_files, floe_err *err);
/* Free the writer; when it was not closed successfully, the files it wrote are deleted. */
void floe_ice_writer_free(floe_ice_writer *w);

typedef struct floe_ice_posdel_opts {
    const floe_table_meta *table;    /* required (location, properties) */
    const floe_partition_spec *spec; /* NULL: the default spec */
    const floe_value *partition;     /* the data files' partition tuple; NULL when unpartitioned */
    size_t max_positions;            /* buffered (path, pos) pairs; 0: 16M */
    const char *data_location;       /* NULL: write.data.path or <location>/data */
} floe_ice_posdel_opts;

typedef struct floe_ice_posdel_writer floe_ice_posdel_writer;

/*
 * A position-delete file writer: pairs are buffered, sorted by (file_path, pos) and deduplicated
 * at close, and written as one file with the spec's schema (file_path 2147483546, pos
 * 2147483545), full metrics for both columns, no sort order id, and referenced_data_file set
 * when every pair names the same data file.
 */
floe_status floe_ice_posdel_writer_new(floe_fileio *io, const floe_ice_posdel_opts *opts,
                                       floe_ice_posdel_writer **out, floe_err *err);
floe_status floe_ice_posdel_writer_add(floe_ice_posdel_writer *w, const char *data_file_path,
                                       int64_t pos, floe_err *err);
/* Write the file; *out is NULL when nothing was added (no file is written then). */
floe_status floe_ice_posdel_writer_close(floe_ice_posdel_writer *w, floe_arena *a,
                                         const floe_data_file **out, floe_err *err);
void floe_ice_posdel_writer_free(floe_ice_posdel_writer *w);

/* ==== Scan planning ==== */

/* The field id of file_path in position delete files (spec "Reserved Field IDs"). */
#define FLOE_ICE_DELETE_FILE_PATH_ID 2147483546
/* Default memory limit of a scan's delete index (the delete files of the snapshot). */
#define FLOE_SCAN_INDEX_MAX ((size_t)1 << 30)

typedef struct floe_scan_opts {
    /* Which snapshot: `snapshot_id` when has_snapshot_id, else the head of branch or tag `ref`
     * when set, else the snapshot current at `as_of_ms` (snapshot log) when has_as_of, else the
     * current snapshot. */
    bool has_snapshot_id;
    int64_t snapshot_id;
    const char *ref;
    bool has_as_of;
    int64_t as_of_ms;
    /* An unbound row filter (floe_ice_expr_parse); NULL keeps every file. It is bound to the
     * current schema for a scan of the current snapshot and to the snapshot's schema (when it
     * records one) for time travel, as Java does. Borrowed for the call. */
    const floe_ice_expr *filter;
    /* FLOE_MANIFEST_SKIP_* for the data files handed to the callback: stats the caller does
     * not need are dropped (the planner still reads the metrics a filter needs). */
    unsigned skip;
    size_t index_max; /* memory for the delete index; 0: FLOE_SCAN_INDEX_MAX */
} floe_scan_opts;

/*
 * One data file to read and the delete files that apply to it (spec "Scan Planning"): position
 * deletes with a data sequence number >= the file's, equality deletes with one > the file's,
 * from the same spec and partition (equality deletes of an unpartitioned spec apply to every
 * partition); position deletes naming another file (referenced_data_file, or equal file_path
 * bounds) or whose file_path bounds exclude this file are left out. Deletes are ordered
 * position first, then equality, each by ascending sequence number. Delete files that no live
 * data file needs are never reported (they are harmless to readers).
 */
typedef struct floe_scan_task {
    const floe_data_file *file;
    int64_t data_sequence_number;
    int64_t file_sequence_number;
    int64_t snapshot_id; /* the snapshot that added the file */
    const floe_partition_spec *spec;
    const floe_data_file *const *deletes;
    const int64_t *delete_sequence_numbers; /* one per delete file */
    size_t n_deletes;
} floe_scan_task;

/* What a plan read and pruned. */
typedef struct floe_scan_stats {
    int64_t snapshot_id; /* the snapshot planned; -1 when the table has none (nothing planned) */
    uint64_t manifests;  /* data and delete manifests of the snapshot */
    uint64_t manifests_skipped;
    uint64_t delete_files;         /* live delete files indexed */
    uint64_t delete_files_skipped; /* pruned by partition */
    uint64_t data_files;           /* tasks handed out */
    uint64_t data_files_skipped;   /* live data files pruned by partition or metrics */
    uint64_t deletes_applied;      /* sum of n_deletes over tasks */
    int64_t records;               /* sum of record_count over tasks (before deletes) */
} floe_scan_stats;

/*
 * Called for each task. The task and everything it points to is valid only during the call
 * (floe_scan_task_dup keeps it); a status other than FLOE_OK stops planning and is returned.
 */
typedef floe_status (*floe_scan_task_fn)(void *ud, const floe_scan_task *task, floe_err *err);

/*
 * The snapshot a scan reads (see floe_scan_opts); *out NULL when the table has no snapshot and
 * none was asked for. FLOE_ERR_NOT_FOUND for an unknown id or ref, or a time before the first
 * snapshot. Borrowed from `meta`.
 */
floe_status floe_scan_snapshot(const floe_table_meta *meta, const floe_scan_opts *opts,
                               const floe_snapshot **out, floe_err *err);

/*
 * Plan a scan, streaming: first the delete manifests are read into an index (memory bounded by
 * opts->index_max), then the data manifests are read one entry at a time and each live data file
 * that may match the filter (manifest partition summaries, partition projection through the
 * spec's transforms, column metrics) becomes a task with its delete files. Manifest order is
 * kept. `opts` may be NULL; `stats` may be NULL.
 */
floe_status floe_scan_plan(floe_fileio *io, const floe_table_meta *meta, const floe_scan_opts *opts,
                           floe_scan_task_fn fn, void *ud, floe_scan_stats *stats, floe_err *err);

/* Deep copy of a task into `a`. */
floe_status floe_scan_task_dup(floe_arena *a, const floe_scan_task *t, floe_scan_task *out,
                               floe_err *err);

/* Plan into an array of tasks allocated from `a` (small tables, tests, the CLI). */
floe_status floe_scan_collect(floe_arena *a, floe_fileio *io, const floe_table_meta *meta,
                              const floe_scan_opts *opts, floe_scan_task **out, size_t *n,
                              floe_scan_stats *stats, floe_err *err);

/* ==== Catalog interface and commits ==== */

/*
 * What a commit needs from a catalog: the current metadata, and a compare-and-swap that applies
 * updates to the current metadata only when the requirements hold. A filesystem table
 * (floe_fs_table_*) and the server's catalog implement it.
 */
typedef struct floe_ice_catalog_ops {
    /* The table's current metadata, allocated from `a`. */
    floe_status (*load)(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err);
    /*
     * Check `reqs` against the current metadata, apply `ups` to it and swap the result in
     * atomically. FLOE_ERR_CONFLICT when a requirement failed or another writer won the swap
     * (the caller reloads and retries). *out (may be NULL) receives the new metadata, from `a`.
     */
    floe_status (*commit)(void *ctx, floe_arena *a, const floe_ice_requirement *reqs, size_t n_reqs,
                          const floe_ice_update *ups, size_t n_ups, floe_table_meta **out,
                          floe_err *err);
    /*
     * Optional (NULL: none). `on` true: hold back other commits to the table until called
     * with false (the same thread, in pairs). floe_ice_op_commit takes it after its first lost
     * race, so rebuilding a slow commit cannot be starved by a stream of quick ones.
     */
    void (*serialize)(void *ctx, bool on);
} floe_ice_catalog_ops;

typedef struct floe_ice_catalog {
    const floe_ice_catalog_ops *ops;
    void *ctx;
    floe_fileio *io; /* where manifests and lists are written and read */
} floe_ice_catalog;

/*
 * A filesystem ("hadoop") table at `location`: metadata/vN.metadata.json files created
 * exclusively (the swap: two writers of version N+1 cannot both succeed) and
 * metadata/version-hint.text naming the latest N (a hint: readers also probe N+1, N+2, ...).
 * Borrows `io` until floe_fs_table_free; `*out` is ready to use with floe_ice_op_commit.
 */
floe_status floe_fs_table_open(floe_fileio *io, const char *location, floe_ice_catalog *out,
                               floe_err *err);
/* Create the table: v1.metadata.json from `meta` (its location must be `location`), exclusively
 * (FLOE_ERR_EXISTS when a table is there), and the version hint. */
floe_status floe_fs_table_create(floe_fileio *io, const char *location, const floe_table_meta *meta,
                                 floe_ice_catalog *out, floe_err *err);
void floe_fs_table_free(floe_ice_catalog *c);

/*
 * A table in an Iceberg REST catalog (floe's server or any other): load is loadTable, the swap
 * is updateTable with the commit's requirements, and the catalog compares and swaps. Data,
 * manifests and lists are written through `io`, which must reach the table's location.
 */
typedef struct floe_rest_table_opts {
    const char *uri;       /* the catalog's base URI: "http://127.0.0.1:8181" */
    const char *warehouse; /* sent to GET /v1/config when prefix is NULL; may be NULL */
    const char *prefix;    /* the path prefix; NULL: ask GET /v1/config */
    const char *token;     /* bearer token; NULL: none */
    const char *const *ns; /* the namespace levels (at least one) */
    size_t n_ns;
    const char *name; /* the table's name */
    long timeout_ms;  /* per request; 0: 30 s */
} floe_rest_table_opts;

/*
 * Everything in `o` is copied; `io` is borrowed until floe_rest_table_free. Contacts the
 * catalog only when the prefix must be asked for. A commit answered 500/502/503/504, or whose
 * connection broke after the request was sent, is FLOE_ERR_STATE_UNKNOWN (floe_ice_op_commit
 * then keeps its files); 409 is FLOE_ERR_CONFLICT (retried); no connection is
 * FLOE_ERR_UNAVAILABLE.
 */
floe_status floe_rest_table_open(floe_fileio *io, const floe_rest_table_opts *o,
                                 floe_ice_catalog *out, floe_err *err);
void floe_rest_table_free(floe_ice_catalog *c);

/* Snapshot-producing operations (Java's SnapshotProducer family). */
typedef enum floe_ice_op_kind {
    FLOE_ICE_OP_FAST_APPEND = 0, /* add data files in a new manifest; keep existing manifests */
    FLOE_ICE_OP_MERGE_APPEND,    /* the same, then merge small data manifests (min-count/size) */
    FLOE_ICE_OP_OVERWRITE,       /* remove files (by path or by filter) and add data files */
    FLOE_ICE_OP_ROW_DELTA,       /* add data and delete files, optionally remove data files */
    FLOE_ICE_OP_REWRITE,         /* replace data/delete files with new ones (compaction) */
    FLOE_ICE_OP_DELETE_FILES     /* remove files (by path or by filter) */
} floe_ice_op_kind;

/*
 * One pending operation. Files are copied in; the operation can be applied many times (each
 * retry applies it to a fresh base, re-running its validations). Free with floe_ice_op_free.
 */
typedef struct floe_ice_op floe_ice_op;

floe_ice_op *floe_ice_op_new(floe_ice_op_kind kind);
void floe_ice_op_free(floe_ice_op *op);
/* The branch to commit to (default "main"; created when it does not exist). Copied. */
void floe_ice_op_set_branch(floe_ice_op *op, const char *branch);
/* A data or delete file to add (its spec_id must be a spec of the table). Copied. */
floe_status floe_ice_op_add_file(floe_ice_op *op, const floe_data_file *f, floe_err *err);
/* A data or delete file to remove, by path: it must be live at apply time (else CONFLICT). */
floe_status floe_ice_op_remove_file(floe_ice_op *op, const char *path, floe_err *err);
/*
 * OVERWRITE / DELETE_FILES: remove every live data file all of whose rows match the unbound
 * filter (partition values through identity fields, or column metrics), and the delete files of
 * the same partitions when their data files all go; a data file with only some rows matching is
 * FLOE_ERR_INVALID at apply time (row-level deletes are a ROW_DELTA). Copied.
 */
floe_status floe_ice_op_remove_where(floe_ice_op *op, const floe_ice_expr *filter, floe_err *err);
/*
 * Validate against what committed after `snapshot_id` (the snapshot the operation's input was
 * read from) on the branch: for OVERWRITE and ROW_DELTA, no added data file may match
 * `conflict_filter` (NULL: an overwrite's remove filter, else any added data file conflicts)
 * and no added delete file may apply to
 * a removed data file; for ROW_DELTA also, no data file one of its added position deletes may
 * name (referenced_data_file, file_path bounds, partition) may have been removed since (a
 * concurrent compaction: the deleted rows would live on in its output; Java's
 * validateDataFilesExist); for REWRITE, no added position delete (nor equality delete unless a
 * data sequence number was set) may apply to a rewritten data file. Without this call nothing
 * is validated.
 */
floe_status floe_ice_op_validate_from(floe_ice_op *op, int64_t snapshot_id,
                                      const floe_ice_expr *conflict_filter, floe_err *err);
/* REWRITE: write added files with this data sequence number (the starting snapshot's), so
 * equality deletes committed since still apply to them. */
void floe_ice_op_set_data_sequence_number(floe_ice_op *op, int64_t seq);
/* An extra snapshot summary property (e.g. "floe.task-id"). Copied. */
void floe_ice_op_set_summary(floe_ice_op *op, const char *key, const char *value);
/* The snapshot id to use (tests; default random). */
void floe_ice_op_set_snapshot_id(floe_ice_op *op, int64_t snapshot_id);

/* What applying an operation produced (allocated from the arena given to apply). */
typedef struct floe_ice_op_result {
    const floe_snapshot *snapshot;  /* the new snapshot (with its summary) */
    const floe_ice_update *updates; /* add-snapshot, set-snapshot-ref */
    size_t n_updates;
    const floe_ice_requirement *reqs; /* assert-ref-snapshot-id of the branch */
    size_t n_reqs;
    const char *const *written; /* manifest and list files written (deleted if not committed) */
    size_t n_written;
} floe_ice_op_result;

/*
 * Apply to `base`: run validations, write the new manifests and manifest list through `io`,
 * and describe the commit as updates and requirements. FLOE_ERR_CONFLICT when a validation
 * failed (not retryable), FLOE_ERR_INVALID for bad input.
 */
floe_status floe_ice_op_apply(floe_ice_op *op, floe_arena *a, floe_fileio *io,
                              const floe_table_meta *base, int64_t now_ms, floe_ice_op_result *out,
                              floe_err *err);

/*
 * Commit through a catalog: load, apply, swap; when another writer won the swap, reload and
 * apply again (validations re-run on the new base), up to commit.retry.num-retries (4) times.
 * When the catalog can serialize commits (ops->serialize), the retries run with other commits
 * held back, without waiting; otherwise with exponential backoff from
 * commit.retry.min-wait-ms (100) to commit.retry.max-wait-ms (60000). Files of attempts that
 * did not commit are deleted. *out (may be NULL): the new metadata, from `a`.
 */
floe_status floe_ice_op_commit(floe_ice_op *op, floe_arena *a, floe_ice_catalog *cat,
                               floe_table_meta **out, floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_ICEBERG_H */
