/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe's Parquet codec: read and write Apache Parquet files.
 *
 * Reading streams a file one row group at a time through a floe_input: the footer is decoded
 * into the plain structs below (floe_pq_file_meta), and floe_pq_scan yields column batches of
 * the projected leaf columns. Memory stays bounded by about one row group's projected column
 * chunks plus one batch. Everything read from the file is checked against the file size and the
 * limits in floe_pq_read_opts; a hostile file yields FLOE_ERR_CORRUPT (or TOO_BIG, UNSUPPORTED)
 * naming what is wrong and where, never a crash.
 *
 * Writing takes the same batches (so a rewrite is read batch -> write batch) and produces files
 * with field ids, dictionary encoding with PLAIN fallback, statistics, the page index, and the
 * per-column metrics Iceberg's manifests need.
 *
 * Batches are leaf-column oriented (Dremel): each projected leaf has `n` slots, one per
 * (definition level, repetition level) entry; a slot holds a value when its definition level is
 * the leaf's maximum. For a flat column a slot is a row. Values are stored slot-aligned, so
 * values[i] belongs to slot i (and is unspecified when the slot is null).
 */
#ifndef FLOE_PARQUET_H
#define FLOE_PARQUET_H

#include "floe/base.h"
#include "floe/compress.h"
#include "floe/io.h"
#include "floe/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Enumerations (numbered as in parquet.thrift) ==== */

typedef enum floe_pq_type {
    FLOE_PQ_BOOLEAN = 0,
    FLOE_PQ_INT32 = 1,
    FLOE_PQ_INT64 = 2,
    FLOE_PQ_INT96 = 3,
    FLOE_PQ_FLOAT = 4,
    FLOE_PQ_DOUBLE = 5,
    FLOE_PQ_BYTE_ARRAY = 6,
    FLOE_PQ_FIXED_LEN_BYTE_ARRAY = 7
} floe_pq_type;

typedef enum floe_pq_repetition {
    FLOE_PQ_REQUIRED = 0,
    FLOE_PQ_OPTIONAL = 1,
    FLOE_PQ_REPEATED = 2
} floe_pq_repetition;

/* Parquet's CompressionCodec enum values. */
typedef enum floe_pq_codec {
    FLOE_PQ_UNCOMPRESSED = 0,
    FLOE_PQ_SNAPPY = 1,
    FLOE_PQ_GZIP = 2,
    FLOE_PQ_LZO = 3,
    FLOE_PQ_BROTLI = 4,
    FLOE_PQ_LZ4 = 5, /* deprecated Hadoop framing */
    FLOE_PQ_ZSTD = 6,
    FLOE_PQ_LZ4_RAW = 7
} floe_pq_codec;

typedef enum floe_pq_encoding {
    FLOE_PQ_ENC_PLAIN = 0,
    FLOE_PQ_ENC_PLAIN_DICTIONARY = 2,
    FLOE_PQ_ENC_RLE = 3,
    FLOE_PQ_ENC_BIT_PACKED = 4,
    FLOE_PQ_ENC_DELTA_BINARY_PACKED = 5,
    FLOE_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    FLOE_PQ_ENC_DELTA_BYTE_ARRAY = 7,
    FLOE_PQ_ENC_RLE_DICTIONARY = 8,
    FLOE_PQ_ENC_BYTE_STREAM_SPLIT = 9
} floe_pq_encoding;

/* Logical types; legacy ConvertedType annotations are mapped onto these when reading. */
typedef enum floe_pq_logical_kind {
    FLOE_PQ_LT_NONE = 0,
    FLOE_PQ_LT_STRING,
    FLOE_PQ_LT_MAP,
    FLOE_PQ_LT_LIST,
    FLOE_PQ_LT_ENUM,
    FLOE_PQ_LT_DECIMAL,
    FLOE_PQ_LT_DATE,
    FLOE_PQ_LT_TIME,
    FLOE_PQ_LT_TIMESTAMP,
    FLOE_PQ_LT_INTEGER,
    FLOE_PQ_LT_UNKNOWN, /* the "null" logical type */
    FLOE_PQ_LT_JSON,
    FLOE_PQ_LT_BSON,
    FLOE_PQ_LT_UUID,
    FLOE_PQ_LT_FLOAT16,
    FLOE_PQ_LT_INTERVAL, /* legacy ConvertedType INTERVAL (FIXED[12]) */
    FLOE_PQ_LT_OTHER     /* a logical type this build does not interpret (VARIANT, GEOMETRY...) */
} floe_pq_logical_kind;

typedef struct floe_pq_logical {
    floe_pq_logical_kind kind;
    int32_t precision, scale; /* DECIMAL */
    floe_time_unit unit;      /* TIME, TIMESTAMP */
    bool utc;                 /* TIME, TIMESTAMP: isAdjustedToUTC */
    int8_t bit_width;         /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;           /* INTEGER */
} floe_pq_logical;

/* ==== Schema ==== */

/*
 * A schema tree node. The root is a group named by the writer ("schema", "spark_schema"...).
 * Leaves carry a physical type and are numbered 0..n_leaves-1 in depth-first order; that index
 * is the column index used by row groups, projection and batches.
 */
typedef struct floe_pq_node floe_pq_node;
struct floe_pq_node {
    const char *name;
    floe_pq_repetition repetition; /* the root's is REQUIRED */
    bool has_field_id;
    int32_t field_id;
    floe_pq_logical logical;
    int32_t converted_type; /* raw ConvertedType as stored, -1 when absent (for `meta`) */
    /* Leaves */
    bool is_leaf;
    floe_pq_type type;
    int32_t type_length; /* FIXED_LEN_BYTE_ARRAY width */
    int32_t leaf_index;  /* -1 for groups */
    /* Levels at this node: definition/repetition level when this node is present */
    int16_t max_def, max_rep;
    /* Tree */
    floe_pq_node *parent; /* NULL for the root */
    floe_pq_node **children;
    size_t n_children;
};

typedef struct floe_pq_schema {
    floe_pq_node *root;
    floe_pq_node **leaves; /* by leaf index */
    size_t n_leaves;
} floe_pq_schema;

/*
 * Complete a schema built by hand (for the writer): set parent pointers, leaf indexes and
 * max_def/max_rep, and check it (leaves have a type, FIXED widths are positive, names are
 * non-empty, DECIMAL precision fits the physical type). `leaves` is allocated from `a`.
 */
floe_status floe_pq_schema_finish(floe_pq_schema *s, floe_arena *a, floe_err *err);

/*
 * FLOE_OK when two schemas describe the same columns: the same tree of names, repetitions,
 * field ids, physical types (and FIXED widths) and logical types (the roots' names aside).
 * Otherwise FLOE_ERR_INVALID with a message naming the first difference and its path
 * ("column 'a.b': type INT32 vs INT64").
 */
floe_status floe_pq_schema_same(const floe_pq_schema *a, const floe_pq_schema *b, floe_err *err);

/* The leaf or group at a dotted path of names from the root ("a.b.c"), or NULL. */
const floe_pq_node *floe_pq_schema_find_path(const floe_pq_schema *s, const char *path);
/* The first node (depth-first) carrying `field_id`, or NULL. */
const floe_pq_node *floe_pq_schema_find_field_id(const floe_pq_schema *s, int32_t field_id);
/* Leaf indexes under `node` (itself if a leaf) into `out` (appends int32_t). */
void floe_pq_node_leaves(const floe_pq_node *node, floe_vec *out);
/* Dotted path of a node from the root ("a.list.element"); allocated from `a`. */
const char *floe_pq_node_path(const floe_pq_node *node, floe_arena *a);

/* ==== Footer metadata (decoded FileMetaData) ==== */

typedef struct floe_pq_kv {
    const char *key;
    const char *value; /* NULL when absent */
} floe_pq_kv;

/*
 * Statistics as stored: min/max are PLAIN-encoded values without a length prefix (BYTE_ARRAY
 * holds the raw bytes), from min_value/max_value; when only the deprecated min/max exist,
 * `legacy_minmax` is set (signed ordering; not valid for BYTE_ARRAY sort order).
 */
typedef struct floe_pq_stats {
    bool has_min, has_max;
    floe_str min, max;
    bool legacy_minmax;
    bool has_null_count;
    int64_t null_count;
    bool has_distinct_count;
    int64_t distinct_count;
    bool has_nan_count;
    int64_t nan_count;
    bool has_min_exact, min_exact, has_max_exact, max_exact;
} floe_pq_stats;

typedef struct floe_pq_page_encoding_stats {
    int32_t page_type;
    int32_t encoding;
    int32_t count;
} floe_pq_page_encoding_stats;

typedef struct floe_pq_column_chunk {
    const char *file_path; /* external chunk file (unsupported when set), usually NULL */
    int64_t file_offset;
    /* ColumnMetaData */
    floe_pq_type type;
    int32_t *encodings;
    size_t n_encodings;
    const char **path_in_schema;
    size_t n_path;
    floe_pq_codec codec;
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    floe_pq_kv *kv;
    size_t n_kv;
    int64_t data_page_offset;
    bool has_index_page_offset;
    int64_t index_page_offset;
    bool has_dictionary_page_offset;
    int64_t dictionary_page_offset;
    bool has_stats;
    floe_pq_stats stats;
    floe_pq_page_encoding_stats *encoding_stats;
    size_t n_encoding_stats;
    bool has_bloom_filter;
    int64_t bloom_filter_offset;
    int32_t bloom_filter_length; /* 0 when not stored */
    /* Page index locations (ColumnChunk fields 4-7) */
    bool has_offset_index;
    int64_t offset_index_offset;
    int32_t offset_index_length;
    bool has_column_index;
    int64_t column_index_offset;
    int32_t column_index_length;
} floe_pq_column_chunk;

typedef struct floe_pq_sorting_column {
    int32_t column_idx;
    bool descending;
    bool nulls_first;
} floe_pq_sorting_column;

typedef struct floe_pq_row_group {
    floe_pq_column_chunk *columns; /* one per leaf, in leaf order */
    size_t n_columns;
    int64_t total_byte_size;
    int64_t num_rows;
    floe_pq_sorting_column *sorting_columns;
    size_t n_sorting_columns;
    bool has_file_offset;
    int64_t file_offset;
    bool has_total_compressed_size;
    int64_t total_compressed_size;
    bool has_ordinal;
    int16_t ordinal;
} floe_pq_row_group;

typedef struct floe_pq_file_meta {
    int32_t version;
    floe_pq_schema schema;
    int64_t num_rows;
    floe_pq_row_group *row_groups;
    size_t n_row_groups;
    floe_pq_kv *kv;
    size_t n_kv;
    const char *created_by; /* NULL when absent */
    /* ColumnOrder per leaf: true when TYPE_ORDER was declared */
    bool *type_defined_order;
    size_t n_column_orders;
    uint64_t footer_length; /* bytes of the Thrift footer */
} floe_pq_file_meta;

/* Value of a footer key (e.g. "iceberg.schema"), or NULL. */
const char *floe_pq_meta_kv(const floe_pq_file_meta *m, const char *key);

/*
 * Decode a Thrift compact FileMetaData from `bytes` into `out`, allocating from `a`. Used by the
 * reader on a file's footer, and by tests and the fuzzer directly.
 */
floe_status floe_pq_decode_file_meta(const uint8_t *bytes, size_t len, floe_arena *a,
                                     floe_pq_file_meta *out, floe_err *err);

/* ==== Reading ==== */

typedef struct floe_pq_read_opts {
    size_t max_footer_size;    /* default 64 MiB */
    size_t max_page_size;      /* default 256 MiB (compressed or uncompressed) */
    size_t max_row_group_size; /* default 2 GiB of projected column chunk bytes */
    bool verify_crc;           /* check page CRCs when present (default false) */
} floe_pq_read_opts;

typedef struct floe_pq_reader floe_pq_reader;

/*
 * Open a Parquet file through FileIO and decode its footer. `opts` may be NULL for defaults.
 * Close with floe_pq_reader_close().
 */
floe_status floe_pq_reader_open(floe_fileio *io, const char *location,
                                const floe_pq_read_opts *opts, floe_pq_reader **out, floe_err *err);
/* As above on an already opened input, which the reader borrows (it must outlive the reader). */
floe_status floe_pq_reader_open_input(floe_input *in, const floe_pq_read_opts *opts,
                                      floe_pq_reader **out, floe_err *err);
void floe_pq_reader_close(floe_pq_reader *r);

/* The decoded footer; borrowed until the reader is closed. */
const floe_pq_file_meta *floe_pq_reader_meta(const floe_pq_reader *r);
const floe_pq_schema *floe_pq_reader_schema(const floe_pq_reader *r);
uint64_t floe_pq_reader_file_size(const floe_pq_reader *r);

/* One projected leaf column of a batch. */
typedef struct floe_pq_bytes {
    const uint8_t *ptr;
    uint32_t len;
} floe_pq_bytes;

typedef struct floe_pq_column {
    const floe_pq_node *leaf;
    size_t n;           /* slots */
    const int16_t *def; /* NULL when leaf->max_def == 0 (every slot has a value) */
    const int16_t *rep; /* NULL when leaf->max_rep == 0 (slot i is row i) */
    size_t n_values;    /* slots with a value (def == max_def) */
    /* Slot-aligned values, by physical type:
     *   BOOLEAN -> b (0 or 1), INT32 -> i32, INT64 -> i64, FLOAT -> f32, DOUBLE -> f64,
     *   INT96, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY -> bytes (INT96: 12 bytes, FIXED: type_length).
     * Byte values may point into dictionary or page buffers: valid until the next batch. */
    union {
        const uint8_t *b;
        const int32_t *i32;
        const int64_t *i64;
        const float *f32;
        const double *f64;
        const floe_pq_bytes *bytes;
    } v;
} floe_pq_column;

typedef struct floe_pq_batch {
    size_t n_rows;
    size_t row_group;        /* the row group these rows come from (reader batches) */
    int64_t first_row;       /* file-level index of the batch's first row (position deletes) */
    floe_pq_column *columns; /* projected leaves, in projection order */
    size_t n_columns;
} floe_pq_batch;

typedef struct floe_pq_scan_opts {
    /* Leaf indexes to read, in the order wanted; NULL/0 = every leaf in schema order. */
    const int32_t *columns;
    size_t n_columns;
    /* Rows per batch (default 8192); a batch never spans row groups. */
    size_t batch_rows;
    /* Row groups to read (indexes, ascending); NULL = all. Used to skip by statistics. */
    const size_t *row_groups;
    size_t n_row_groups;
} floe_pq_scan_opts;

typedef struct floe_pq_scan floe_pq_scan;

floe_status floe_pq_scan_new(floe_pq_reader *r, const floe_pq_scan_opts *opts, floe_pq_scan **out,
                             floe_err *err);
/*
 * The next batch, or *out == NULL at the end. The batch and everything it points to is
 * borrowed until the next call or floe_pq_scan_free().
 */
floe_status floe_pq_scan_next(floe_pq_scan *s, const floe_pq_batch **out, floe_err *err);
void floe_pq_scan_free(floe_pq_scan *s);

/*
 * Assemble row `row` of a batch into a value: a STRUCT whose fields are `fields` (top-level
 * schema nodes whose leaves are all projected in the batch), each converted by its logical type
 * (STRING -> string, DECIMAL -> decimal, DATE -> date, TIMESTAMP/TIME -> with units, INT96 ->
 * nanosecond timestamp, UUID -> uuid, INTEGER unsigned -> FLOE_VF_UNSIGNED, LIST -> list (also
 * legacy 2-level forms), MAP -> map, other groups -> struct). Rows must be visited in increasing
 * order within a batch (the assembler keeps per-column slot cursors). Memory from `a`.
 */
typedef struct floe_pq_assembler floe_pq_assembler;
floe_status floe_pq_assembler_new(const floe_pq_batch *b, const floe_pq_node *const *fields,
                                  size_t n_fields, floe_arena *a, floe_pq_assembler **out,
                                  floe_err *err);
floe_status floe_pq_assembler_next(floe_pq_assembler *as, floe_value *row, floe_err *err);

/* Convert one non-null slot of a leaf column to a value (logical type applied). */
floe_value floe_pq_column_value(const floe_pq_column *c, size_t slot);

/* Decode a statistics min/max (PLAIN bytes) of `leaf` into a value; false when malformed. */
bool floe_pq_stat_value(const floe_pq_node *leaf, floe_str plain, floe_value *out);

/* ==== Writing ==== */

typedef struct floe_pq_write_opts {
    floe_pq_codec codec;   /* default ZSTD (zero-initialised opts mean UNCOMPRESSED: set it) */
    int compression_level; /* 0: codec default */
    size_t page_size;      /* target data page size, default 1 MiB */
    size_t row_group_size; /* target row group size in bytes, default 128 MiB */
    size_t dictionary_page_limit; /* fall back to PLAIN past this dictionary size, default 1 MiB */
    bool disable_dictionary;
    bool data_page_v2;
    bool disable_statistics;
    bool disable_page_index;
    bool page_statistics;   /* also put statistics in each data page header (default off: the
                               page index carries them) */
    const char *created_by; /* default "floe version X" */
    const floe_pq_kv *kv;   /* extra footer metadata (copied) */
    size_t n_kv;
} floe_pq_write_opts;

/* Sensible defaults (ZSTD, 1 MiB pages, 128 MiB row groups, dictionary on, page index on). */
floe_pq_write_opts floe_pq_write_opts_default(void);

/* What a written column chunk set adds up to, per leaf, for Iceberg's data-file metrics. */
typedef struct floe_pq_column_metrics {
    const floe_pq_node *leaf;
    uint64_t compressed_size; /* sum of chunk total_compressed_size */
    int64_t value_count;      /* level entries, nulls included */
    int64_t null_count;
    bool has_nan_count; /* FLOAT/DOUBLE */
    int64_t nan_count;
    bool has_bounds;         /* min/max over non-null, non-NaN values */
    floe_value lower, upper; /* logical values; bytes owned by the writer until free */
} floe_pq_column_metrics;

typedef struct floe_pq_write_result {
    uint64_t file_size;
    int64_t num_rows;
    floe_pq_column_metrics *columns; /* one per leaf */
    size_t n_columns;
    int64_t *row_group_offsets; /* split offsets: each row group's first page offset */
    size_t n_row_groups;
} floe_pq_write_result;

typedef struct floe_pq_writer floe_pq_writer;

/*
 * Start writing to `out` (borrowed: the caller commits or aborts it after close). The schema is
 * copied. `opts` may be NULL for floe_pq_write_opts_default().
 */
floe_status floe_pq_writer_new(floe_output *out, const floe_pq_schema *schema,
                               const floe_pq_write_opts *opts, floe_pq_writer **w, floe_err *err);
/*
 * Append rows. The batch's columns must be every leaf of the writer's schema, in leaf order,
 * with the same levels (a batch from a reader of a file with the same schema qualifies).
 * Byte values are copied before the call returns.
 */
floe_status floe_pq_writer_write(floe_pq_writer *w, const floe_pq_batch *b, floe_err *err);
/* Finish the current row group now (otherwise row groups close at row_group_size). */
floe_status floe_pq_writer_flush(floe_pq_writer *w, floe_err *err);
/* Bytes written so far plus buffered data (for rolling files at a target size). */
uint64_t floe_pq_writer_estimated_size(const floe_pq_writer *w);
/*
 * Copy row group `rg` of `r` into the file without decoding it (row-group stitching). The
 * reader's schema must equal the writer's (same leaves, types, levels, field ids). Pending
 * buffered rows are flushed first.
 */
floe_status floe_pq_writer_append_row_group(floe_pq_writer *w, floe_pq_reader *r, size_t rg,
                                            floe_err *err);
/*
 * Write the footer. `result` (may be NULL) is filled with memory owned by the writer, valid
 * until floe_pq_writer_free(). The output is not committed.
 */
floe_status floe_pq_writer_close(floe_pq_writer *w, floe_pq_write_result *result, floe_err *err);
void floe_pq_writer_free(floe_pq_writer *w);

/* ==== Names ==== */

const char *floe_pq_type_name(floe_pq_type t);
const char *floe_pq_codec_name(floe_pq_codec c);
const char *floe_pq_encoding_name(int32_t e);
/* Parse "zstd", "snappy", "gzip", "lz4_raw", "lz4", "brotli", "uncompressed"/"none". */
floe_status floe_pq_codec_parse(const char *s, floe_pq_codec *out, floe_err *err);
/* The compress module's codec for a Parquet codec; FLOE_ERR_UNSUPPORTED for LZO. */
floe_status floe_pq_codec_to_floe(floe_pq_codec c, floe_codec *out, floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_PARQUET_H */
