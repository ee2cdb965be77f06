/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe's Avro codec: schemas, the binary encoding, and object container files (OCF), which is
 * what Iceberg manifest lists and manifests are.
 *
 * Schemas. An Avro schema (JSON text) is parsed into a tree of floe_avro_node with named-type
 * references resolved (namespaces as the Avro spec says; a recursive type points back at its own
 * definition) and logical types recognised. Nothing of the JSON is lost: every node and every
 * record field keeps its JSON (a jansson json_t) so callers can read any attribute, and the
 * helpers below read the ones Iceberg uses: `field-id` on record fields, `element-id` on arrays,
 * `key-id`/`value-id` on maps, `adjust-to-utc` on timestamps, and Iceberg's array-of-key/value-
 * records annotated `"logicalType":"map"` (maps with non-string keys).
 *
 * Reading. floe_avro_reader reads an OCF from a floe_input or from memory: header (magic,
 * metadata, sync marker), then blocks decompressed with null, deflate, snappy (its CRC32 is
 * verified) or zstandard. Records come one at a time as floe_value trees allocated from a
 * caller's arena, decoded with the writer's schema (the one in the file header): there is no
 * reader-schema resolution, because Iceberg maps fields by field id, not by name. Every length
 * and count read from the file is checked against the bytes that remain and against the limits
 * in floe_avro_read_opts before anything is allocated; malformed input fails with
 * FLOE_ERR_CORRUPT naming the block and offset, never a crash. Memory held by a reader is about
 * one block (compressed plus decompressed).
 *
 * Threads: a parsed schema is read-only and may be shared; a reader (with its own schema and
 * projection) or a writer belongs to one thread at a time, so planning reads manifests in
 * parallel with one reader per manifest.
 *
 * Datum mapping (Avro -> floe_value):
 *   null -> NULL; boolean -> BOOL; int -> INT; long -> LONG; float -> FLOAT; double -> DOUBLE;
 *   bytes -> BINARY; string -> STRING; fixed -> FIXED; enum -> STRING (the symbol);
 *   record -> STRUCT (names = field names, items in schema order);
 *   array -> LIST; map -> MAP (STRING keys);
 *   array of 2-field records with "logicalType":"map" -> MAP (key = field 0, value = field 1);
 *   union -> the selected branch's value (so an optional field is NULL or its value);
 *   decimal (bytes or fixed, precision <= 38) -> DECIMAL; uuid (string or fixed(16)) -> UUID;
 *   date -> DATE; time-millis / time-micros -> TIME; timestamp-millis/micros/nanos -> TIMESTAMP
 *   (UTC unless "adjust-to-utc": false); local-timestamp-* -> TIMESTAMP (not UTC unless
 *   "adjust-to-utc": true).
 * As the Avro spec requires, an invalid logical type (decimal scale > precision, uuid on fixed(8),
 * date on a long, ...) is ignored and the underlying type is used.
 *
 * Writing. floe_avro_writer writes an OCF to a floe_output or a floe_buf. The schema JSON text is
 * written into the header verbatim, so every attribute survives (field-id, element-id, key-id,
 * value-id, logicalType, adjust-to-utc, defaults, docs), which Debian's avro-c does not do.
 * Datums are encoded from floe_value by the inverse of the mapping above: a STRUCT fills a record
 * by position (its names are not looked at; its field count must match), a MAP fills an Avro map
 * (STRING keys) or an Iceberg k/v array, and a union takes the first branch whose own kind the
 * value is (LONG for "long", DATE for an int-date), else the first that holds it without loss
 * (INT for "long", FLOAT for "double"); NULL takes the null branch.
 */
#ifndef FLOE_AVRO_H
#define FLOE_AVRO_H

#include "floe/base.h"
#include "floe/compress.h"
#include "floe/io.h"
#include "floe/value.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t; /* jansson's JSON value; include <jansson.h> to inspect one */

/* ==== Limits ==== */

#define FLOE_AVRO_MAX_SCHEMA_LEN ((size_t)16 << 20) /* bytes of schema JSON */
#define FLOE_AVRO_MAX_SCHEMA_DEPTH 128              /* nesting of schema JSON and of datums */
#define FLOE_AVRO_MAX_SCHEMA_NODES 100000           /* types in one schema, references included */
#define FLOE_AVRO_MAX_FIELDS 65535                  /* fields of one record, symbols of one enum */
#define FLOE_AVRO_MAX_NAME_LEN 1024                 /* bytes of a name, namespace or symbol */
#define FLOE_AVRO_MAX_FIXED_SIZE ((size_t)1 << 30)  /* bytes of a fixed type */

/* Reader defaults (floe_avro_read_opts fields left 0). */
#define FLOE_AVRO_DEFAULT_MAX_BLOCK_BYTES ((size_t)64 << 20)   /* compressed or decompressed */
#define FLOE_AVRO_DEFAULT_MAX_BLOCK_RECORDS ((int64_t)1 << 24) /* records in one block */
#define FLOE_AVRO_DEFAULT_MAX_HEADER_BYTES ((size_t)64 << 20)  /* header incl. metadata */
#define FLOE_AVRO_DEFAULT_MAX_ITEMS ((size_t)1 << 24)          /* items of one array or map */
#define FLOE_AVRO_MAX_META_ENTRIES 10000                       /* header metadata keys */

/* Writer default: a block ends once its encoded records reach this size. */
#define FLOE_AVRO_DEFAULT_BLOCK_BYTES ((size_t)256 << 10)

#define FLOE_AVRO_SYNC_LEN 16

/* ==== Schema model ==== */

typedef enum floe_avro_type {
    FLOE_AVRO_NULL = 0,
    FLOE_AVRO_BOOLEAN,
    FLOE_AVRO_INT,
    FLOE_AVRO_LONG,
    FLOE_AVRO_FLOAT,
    FLOE_AVRO_DOUBLE,
    FLOE_AVRO_BYTES,
    FLOE_AVRO_STRING,
    FLOE_AVRO_RECORD, /* also "error" */
    FLOE_AVRO_ENUM,
    FLOE_AVRO_ARRAY,
    FLOE_AVRO_MAP,
    FLOE_AVRO_UNION,
    FLOE_AVRO_FIXED
} floe_avro_type;

/* Recognised (valid) logical types; anything else is FLOE_AVRO_LT_NONE. */
typedef enum floe_avro_logical {
    FLOE_AVRO_LT_NONE = 0,
    FLOE_AVRO_LT_DECIMAL,     /* bytes or fixed; see floe_avro_node_precision/scale */
    FLOE_AVRO_LT_UUID,        /* string, or fixed(16) */
    FLOE_AVRO_LT_DATE,        /* int */
    FLOE_AVRO_LT_TIME_MILLIS, /* int */
    FLOE_AVRO_LT_TIME_MICROS, /* long */
    FLOE_AVRO_LT_TIMESTAMP_MILLIS,
    FLOE_AVRO_LT_TIMESTAMP_MICROS,
    FLOE_AVRO_LT_TIMESTAMP_NANOS,
    FLOE_AVRO_LT_LOCAL_TIMESTAMP_MILLIS,
    FLOE_AVRO_LT_LOCAL_TIMESTAMP_MICROS,
    FLOE_AVRO_LT_LOCAL_TIMESTAMP_NANOS,
    FLOE_AVRO_LT_MAP /* Iceberg: array of records with two fields (key, value) read as a map */
} floe_avro_logical;

/* A parsed schema: owns its nodes and its JSON. */
typedef struct floe_avro_schema floe_avro_schema;
/* One type in a schema; borrowed from its schema (valid until the schema is freed). */
typedef struct floe_avro_node floe_avro_node;

/* Parse flags. */
#define FLOE_AVRO_SCHEMA_STRICT                                                                    \
    0x1 /* also check field names and enum symbols against the                                     \
           Avro name grammar (writers use this; readers accept the                                 \
           field names other writers produced) */

/*
 * Parse Avro schema JSON (`len` bytes at `json`, copied). Named types must be defined before
 * they are referenced (a record may refer to itself in its fields); full names resolve with the
 * enclosing namespace first, then the null namespace. Bad schemas fail with FLOE_ERR_INVALID
 * and a message naming the problem and the field path; schemas over the limits above fail with
 * FLOE_ERR_TOO_BIG. On success `*out` is owned by the caller: floe_avro_schema_free().
 */
floe_status floe_avro_schema_parse(const char *json, size_t len, unsigned flags,
                                   floe_avro_schema **out, floe_err *err);
void floe_avro_schema_free(floe_avro_schema *s);

/* The top-level type. Borrowed from `s`. */
const floe_avro_node *floe_avro_schema_root(const floe_avro_schema *s);
/* The schema text exactly as given (NUL-terminated); borrowed from `s`. */
const char *floe_avro_schema_text(const floe_avro_schema *s, size_t *len);
/* The named type (record, enum, fixed) with this full name ("ns.name"), or NULL. */
const floe_avro_node *floe_avro_schema_named(const floe_avro_schema *s, const char *fullname);

/* "null", "boolean", ..., "record", "union" */
const char *floe_avro_type_name(floe_avro_type t);

/*
 * Node accessors. Strings and nodes returned are borrowed from the node's schema. Accessors
 * that do not apply to a node's type return 0, NULL or false.
 */
floe_avro_type floe_avro_node_type(const floe_avro_node *n);
floe_avro_logical floe_avro_node_logical(const floe_avro_node *n);
/* Named types: short name, namespace (NULL for the null namespace) and full name. */
const char *floe_avro_node_name(const floe_avro_node *n);
const char *floe_avro_node_namespace(const floe_avro_node *n);
const char *floe_avro_node_fullname(const floe_avro_node *n);
const char *floe_avro_node_doc(const floe_avro_node *n);
/* Record fields, union branches or enum symbols; 0 for other types. */
size_t floe_avro_node_count(const floe_avro_node *n);
/* Union branch `i` (< count). */
const floe_avro_node *floe_avro_node_branch(const floe_avro_node *n, size_t i);
/* Index of the union's "null" branch, or -1. */
int floe_avro_node_null_branch(const floe_avro_node *n);
/* Enum symbol `i` (< count). */
const char *floe_avro_node_symbol(const floe_avro_node *n, size_t i);
/* Array items or map values. */
const floe_avro_node *floe_avro_node_items(const floe_avro_node *n);
/* Fixed size in bytes. */
size_t floe_avro_node_fixed_size(const floe_avro_node *n);
/* Decimal precision and scale (0 for other nodes). */
int floe_avro_node_precision(const floe_avro_node *n);
int floe_avro_node_scale(const floe_avro_node *n);
/* Timestamps: whether values are adjusted to UTC (see the mapping above). */
bool floe_avro_node_utc(const floe_avro_node *n);
/*
 * For a two-branch union with a null branch (Iceberg's optional field), the other branch;
 * otherwise `n` itself.
 */
const floe_avro_node *floe_avro_node_nonnull(const floe_avro_node *n);
/*
 * The node's JSON: an object for complex types and annotated primitives, a string for a bare
 * primitive name ("int"), an array for a union. Borrowed from the schema.
 */
const struct json_t *floe_avro_node_json(const floe_avro_node *n);
/*
 * An integer attribute of the node's JSON object ("element-id", "key-id", "value-id", ...),
 * given as a JSON integer or a string of decimal digits. False when absent or not an integer.
 */
bool floe_avro_node_int_prop(const floe_avro_node *n, const char *key, int64_t *out);

/* Record fields (`i` < floe_avro_node_count(rec)); borrowed from the schema. */
const char *floe_avro_field_name(const floe_avro_node *rec, size_t i);
const floe_avro_node *floe_avro_field_type(const floe_avro_node *rec, size_t i);
const char *floe_avro_field_doc(const floe_avro_node *rec, size_t i);
/* The Iceberg "field-id" attribute; false when the field has none. */
bool floe_avro_field_id(const floe_avro_node *rec, size_t i, int32_t *out);
/* The "default" JSON (a JSON null for `"default": null`), or NULL when there is none. */
const struct json_t *floe_avro_field_default(const floe_avro_node *rec, size_t i);
/* The field's whole JSON object. */
const struct json_t *floe_avro_field_json(const floe_avro_node *rec, size_t i);
/* Index of the field with this name, or -1. */
int floe_avro_field_index(const floe_avro_node *rec, const char *name);
/*
 * Index of the field whose "field-id" is `id`, or -1. This is how Iceberg code finds fields:
 * v1, v2 and v3 manifests order and name their fields differently, but ids are stable.
 */
int floe_avro_field_index_by_id(const floe_avro_node *rec, int32_t id);

/* ==== Datum encoding without a container ==== */

/*
 * Decode one datum of type `n` from `len` bytes at `data` into `*out`. Nested items, strings and
 * bytes are allocated from `a`; STRUCT field names and enum symbols are borrowed from the schema.
 * So `*out` is valid until `a` is reset or freed and the schema is freed. `*used` (may be NULL)
 * receives the number of bytes the datum took. FLOE_ERR_TOO_BIG when `a` runs out.
 */
floe_status floe_avro_decode(const floe_avro_node *n, const void *data, size_t len, floe_arena *a,
                             floe_value *out, size_t *used, floe_err *err);

/*
 * Append the binary encoding of `v` as type `n` to `out`. FLOE_ERR_INVALID (naming the field
 * path) when the value does not fit the schema; `out` is then left as it was.
 */
floe_status floe_avro_encode(const floe_avro_node *n, const floe_value *v, floe_buf *out,
                             floe_err *err);

/* ==== Codecs ==== */

/*
 * The container codec for an "avro.codec" name: "null", "deflate", "snappy", "zstandard" (also
 * "zstd"). Other names (bzip2, xz, ...) fail with FLOE_ERR_UNSUPPORTED.
 */
floe_status floe_avro_codec_from_name(const char *name, size_t len, floe_codec *out, floe_err *err);
/* The "avro.codec" name for a codec floe can write, or NULL for codecs Avro does not define. */
const char *floe_avro_codec_name(floe_codec c);

/* ==== Reading object container files ==== */

typedef struct floe_avro_reader floe_avro_reader;

/* Limits for hostile files; 0 means the FLOE_AVRO_DEFAULT_* value. */
typedef struct floe_avro_read_opts {
    size_t max_block_bytes;    /* a block's compressed and its decompressed size */
    int64_t max_block_records; /* records in one block */
    size_t max_header_bytes;   /* magic + metadata + sync */
    size_t max_items;          /* items of one array or map */
} floe_avro_read_opts;

/*
 * Open an OCF for reading: reads and checks the header and parses the writer schema. `in` is
 * borrowed until floe_avro_reader_close(); `opts` may be NULL. Errors: FLOE_ERR_CORRUPT (bad
 * magic, truncated header, no avro.schema, ...), FLOE_ERR_INVALID (a bad schema),
 * FLOE_ERR_UNSUPPORTED (an unknown codec), FLOE_ERR_TOO_BIG, FLOE_ERR_IO.
 */
floe_status floe_avro_reader_open(floe_input *in, const floe_avro_read_opts *opts,
                                  floe_avro_reader **out, floe_err *err);
/* The same over `len` bytes at `data`, which are borrowed until close. */
floe_status floe_avro_reader_open_mem(const void *data, size_t len, const floe_avro_read_opts *opts,
                                      floe_avro_reader **out, floe_err *err);
void floe_avro_reader_close(floe_avro_reader *r);

/* The writer schema from the header; borrowed until close. */
const floe_avro_schema *floe_avro_reader_schema(const floe_avro_reader *r);
floe_codec floe_avro_reader_codec(const floe_avro_reader *r);
/* The codec name as written ("null" when the header has none); borrowed until close. */
const char *floe_avro_reader_codec_name(const floe_avro_reader *r);
const uint8_t *floe_avro_reader_sync(const floe_avro_reader *r); /* 16 bytes */

/*
 * Header metadata, in file order, all keys including avro.schema and avro.codec. Keys and values
 * are borrowed until close; each is followed by a NUL byte (not counted in len) so text values
 * can be used as C strings.
 */
size_t floe_avro_reader_meta_count(const floe_avro_reader *r);
void floe_avro_reader_meta_at(const floe_avro_reader *r, size_t i, floe_str *key, floe_str *value);
/* The value of `key`; false when absent. */
bool floe_avro_reader_meta_get(const floe_avro_reader *r, const char *key, floe_str *value);

/*
 * Decode the next record into `*out` and set `*got` to true; at the end of the file set `*got`
 * to false and return FLOE_OK. Nested items, strings and bytes are allocated from `a` (the
 * caller may reset it between records); STRUCT names and enum symbols are borrowed from the
 * reader's schema. So `*out` is valid until `a` is reset or freed and the reader is closed.
 * After an error the reader is stuck: further calls return the same status.
 */
floe_status floe_avro_reader_next(floe_avro_reader *r, floe_arena *a, floe_value *out, bool *got,
                                  floe_err *err);

/*
 * Projection: do not decode field `field` of record type `rec` (a node of this reader's
 * schema); its bytes are skipped and it reads as NULL, wherever that record type occurs. Saves
 * the allocations for fields the caller never looks at (e.g. lower/upper bounds in planning).
 */
floe_status floe_avro_reader_skip_field(floe_avro_reader *r, const floe_avro_node *rec,
                                        size_t field, floe_err *err);

/* Progress: blocks started and records returned so far. */
uint64_t floe_avro_reader_blocks(const floe_avro_reader *r);
uint64_t floe_avro_reader_records(const floe_avro_reader *r);

/* ==== Writing object container files ==== */

typedef struct floe_avro_writer floe_avro_writer;

typedef struct floe_avro_write_opts {
    floe_codec codec;     /* FLOE_CODEC_NONE (default), DEFLATE, SNAPPY or ZSTD */
    int level;            /* compression level; 0: the codec's default */
    size_t block_records; /* end a block after this many records; 0: no count limit */
    size_t block_bytes;   /* end a block when its encoded records reach this; 0: default */
    const uint8_t *sync;  /* 16 bytes of sync marker (reproducible output); NULL: random */
} floe_avro_write_opts;

/*
 * Start an OCF written to `o` (borrowed until floe_avro_writer_free; the caller commits or
 * aborts it after floe_avro_writer_finish). `schema_json` (copied) is checked with
 * FLOE_AVRO_SCHEMA_STRICT and written into the header byte for byte. `opts` may be NULL.
 * Nothing is written until the first block or finish, so metadata can be added first.
 */
floe_status floe_avro_writer_new(floe_output *o, const char *schema_json, size_t schema_len,
                                 const floe_avro_write_opts *opts, floe_avro_writer **out,
                                 floe_err *err);
/* The same, appending the file to `dst` (borrowed until free). */
floe_status floe_avro_writer_new_buf(floe_buf *dst, const char *schema_json, size_t schema_len,
                                     const floe_avro_write_opts *opts, floe_avro_writer **out,
                                     floe_err *err);
void floe_avro_writer_free(floe_avro_writer *w);

/* The parsed schema (to look fields up); borrowed until free. */
const floe_avro_schema *floe_avro_writer_schema(const floe_avro_writer *w);

/*
 * Add a header metadata entry (key and value copied), e.g. Iceberg's "format-version". Only
 * before the first record; keys starting with "avro." are reserved (FLOE_ERR_INVALID), and a
 * key set twice keeps the last value.
 */
floe_status floe_avro_writer_set_meta(floe_avro_writer *w, const char *key, const void *value,
                                      size_t len, floe_err *err);
floe_status floe_avro_writer_set_meta_str(floe_avro_writer *w, const char *key, const char *value,
                                          floe_err *err);

/*
 * Encode one record (of the schema's top-level type). A value that does not fit the schema
 * fails with FLOE_ERR_INVALID and is not written; the writer stays usable. I/O and codec
 * errors are sticky.
 */
floe_status floe_avro_writer_append(floe_avro_writer *w, const floe_value *v, floe_err *err);

/* Write the last block (and the header if nothing was written yet). Call once, before free. */
floe_status floe_avro_writer_finish(floe_avro_writer *w, floe_err *err);

/* Records appended so far, and bytes written to the sink so far. */
uint64_t floe_avro_writer_records(const floe_avro_writer *w);
uint64_t floe_avro_writer_bytes(const floe_avro_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_AVRO_H */
