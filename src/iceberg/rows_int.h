/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of the Iceberg row reader and writer (read_*.c, write_*.c): the mapping of
 * Iceberg schemas onto Parquet schemas, the shredder that turns rows into Parquet leaf columns,
 * the conversion of values read from files into the Iceberg kinds, and deep copies.
 */
#ifndef FLOE_ROWS_INT_H
#define FLOE_ROWS_INT_H

#include "floe/iceberg.h"
#include "floe/parquet.h"

/* ==== Values ==== */

/*
 * Convert a value decoded from a file (a Parquet leaf's logical value) to the kind Iceberg type
 * `t` holds (floe_ice_value_kind), applying the allowed promotions: int->long, float->double,
 * decimal precision widening (same scale), date->timestamp, timestamps and times of any unit
 * to the type's unit, binary<->string, fixed(16)->uuid. A null stays null. False when the
 * value cannot be read as the type.
 */
bool rows_to_ice(const floe_ice_type *t, const floe_value *in, floe_value *out);

/*
 * Normalise a primitive value for equality-delete keys so that values of promotable types
 * compare equal: INT->LONG (unsigned flags dropped), FLOAT->DOUBLE, times and timestamps to
 * microseconds (nanoseconds kept for nanosecond values).
 */
floe_value rows_key_norm(const floe_value *v);

/* A deep copy of `v` into `a` (bytes and nested items; struct names are kept borrowed).
 * False when the arena is exhausted. */
bool rows_value_dup(floe_arena *a, const floe_value *v, floe_value *out);

/* ==== Parquet schema for an Iceberg schema ==== */

/*
 * One node of the write plan, parallel to the Parquet schema built for an Iceberg schema:
 * structs have one kid per field, lists one (the element; `rep` is the repeated "list" group),
 * maps two (key, value; `rep` is "key_value"). Leaves carry their Parquet leaf index.
 */
typedef struct rows_wnode rows_wnode;
struct rows_wnode {
    const floe_ice_field *field; /* NULL for the root */
    const floe_ice_type *type;
    const floe_pq_node *node;
    const floe_pq_node *rep; /* lists and maps */
    rows_wnode *kids;
    size_t n_kids;
    int32_t leaf; /* leaf index, -1 for groups */
};

/*
 * Build the Parquet schema Iceberg writers produce for `s`: field ids on every field node,
 * 3-level lists ("list"/"element") and maps ("key_value"/"key"/"value"), logical types with
 * their converted-type twins, decimals as INT32/INT64/FIXED by precision. FLOE_ERR_INVALID for
 * types without a Parquet form here (unknown, variant, geometry, geography).
 */
floe_status rows_pq_schema(floe_arena *a, const floe_ice_schema *s, floe_pq_schema *out,
                           rows_wnode **plan, floe_err *err);

/* ==== Shredding rows into leaf columns ==== */

typedef struct rows_leafbuf {
    floe_vec def, rep, vals;
    size_t n_values;
} rows_leafbuf;

typedef struct rows_shredder {
    const floe_pq_schema *pq;
    const rows_wnode *plan;
    rows_leafbuf *leaves;
    floe_pq_column *cols;
    floe_arena *scratch; /* fixed-width bytes made for a chunk (decimals, uuids) */
    size_t n_rows;
} rows_shredder;

void rows_shredder_init(rows_shredder *sh, const floe_pq_schema *pq, const rows_wnode *plan);
void rows_shredder_fini(rows_shredder *sh);
/* Forget the buffered rows (keeps the memory). */
void rows_shredder_reset(rows_shredder *sh);
/* Add one row (a STRUCT shaped like the plan's schema). FLOE_ERR_INVALID names the column of a
 * value of the wrong kind or a null in a required field. */
floe_status rows_shred_row(rows_shredder *sh, const floe_value *row, floe_err *err);
/* The buffered rows as a Parquet batch (borrowed until the next change). */
void rows_shredder_batch(rows_shredder *sh, floe_pq_batch *out);

/* ==== Name mappings ==== */

/* The nested level of the entry of `m` listing `name` (NULL when it has none); *id is its field
 * id, or -1 when no entry lists the name or the entry has no id. */
const floe_ice_name_mapping *rows_mapping_find_field(const floe_ice_name_mapping *m,
                                                     const char *name, int32_t *id);

/* ==== Deletes ==== */

/*
 * The deleted positions of data file `path` from the position-delete files among `dels`
 * (others are skipped), sorted and distinct, in *out (heap: free()). FLOE_ERR_TOO_BIG past
 * `max` positions. `opts` (may be NULL) gives the pos_delete_path observer of the read options.
 */
floe_status rows_load_positions(floe_fileio *io, const char *path,
                                const floe_data_file *const *dels, size_t n, size_t max,
                                const floe_ice_read_opts *opts, int64_t **out, size_t *n_out,
                                floe_err *err);

typedef struct rows_eqsets rows_eqsets;
typedef struct rows_eqgroup rows_eqgroup;

/* Hash sets of the key tuples of the equality-delete files among `dels`, one per distinct set
 * of equality ids. *out is set even on failure (free it with rows_eqsets_free). */
floe_status rows_eqsets_load(floe_fileio *io, const floe_data_file *const *dels, size_t n,
                             const floe_ice_name_mapping *nm, size_t max_memory, rows_eqsets **out,
                             floe_err *err);
size_t rows_eqsets_count(const rows_eqsets *e);
/* Group i and its ids (ascending): keys are tuples of those columns in that order. */
const rows_eqgroup *rows_eqsets_group(const rows_eqsets *e, size_t i, const int32_t **ids,
                                      size_t *n_ids);
/* True when `key` (normalised with rows_key_norm) is deleted by the group. */
bool rows_eqgroup_contains(const rows_eqgroup *g, const floe_value *key);
size_t rows_eqsets_keys(const rows_eqsets *e);
void rows_eqsets_free(rows_eqsets *e);

/* ==== Writers ==== */

/* What the delete writers set beyond floe_ice_write_opts. */
typedef struct rows_wextra {
    floe_file_content content;
    bool full_metrics;  /* every column in mode full (position deletes) */
    const char *suffix; /* appended to file names before ".parquet" */
} rows_wextra;

/* floe_ice_writer_new with the extras; on failure *out may be set (free it). */
floe_status rows_writer_new(floe_fileio *io, const floe_ice_write_opts *o, const rows_wextra *x,
                            floe_ice_writer **out, floe_err *err);
size_t rows_writer_file_count(const floe_ice_writer *w);

#endif
