/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of the Iceberg manifest, scan and commit code: Avro schemas of manifests and
 * manifest lists, partition value coercion and keys, and helpers that the manifest codec, the
 * planner and the snapshot producers share. Other modules never include this.
 */
#ifndef FLOE_ICE_OPS_INT_H
#define FLOE_ICE_OPS_INT_H

#include "ice_int.h"

#include "floe/avro.h"
#include "floe/compress.h"

/* ==== Avro schemas (manifest_schema.c) ==== */

/*
 * The Avro schema JSON for an Iceberg struct type, as Java's AvroSchemaUtil writes it: the top
 * record named `record_name`, nested structs named "r<field id>", list elements "r<element
 * id>", int-keyed maps as arrays of "k<key id>_v<value id>" records with logicalType map,
 * optional fields as ["null", T] with "default": null, "field-id" on every field. New
 * reference; UNSUPPORTED for types Avro manifests cannot hold.
 */
floe_status ice_avro_schema(const floe_ice_type *root, const char *record_name, json_t **out,
                            floe_err *err);
/* The "iceberg.schema" header value: the struct as Iceberg schema JSON with schema-id 0. */
json_t *ice_struct_schema_json(const floe_ice_type *root);

/* The manifest_entry struct for a format version with `partition` as the r102 struct. */
const floe_ice_type *ice_manifest_entry_type(floe_arena *a, int format_version,
                                             const floe_ice_type *partition);
/* The manifest_file struct of a manifest list for a format version (static). */
const floe_ice_type *ice_manifest_list_type(int format_version);

/* A codec from a table property value ("gzip", "zstd", "snappy", "uncompressed", or the Avro
 * names); NULL gives deflate, Java's default for manifests. */
floe_status ice_manifest_codec(const char *name, floe_codec *out, floe_err *err);
/* The manifest codec a table's properties ask for. */
floe_status ice_table_manifest_codec(const floe_table_meta *m, floe_codec *out, floe_err *err);

/* ==== Values ==== */

/* A NUL-terminated copy of a STRING/BINARY value's bytes in `a` (NULL when exhausted). */
char *ice_value_strdup(floe_arena *a, const floe_value *v);

/*
 * Bring a decoded partition value to the kind the partition type holds (floe_ice_value_kind):
 * writers differ in Avro annotations (a day written as a plain int, a timestamp as a plain long,
 * a uuid as fixed without logicalType). FLOE_ERR_CORRUPT when the value cannot be that type.
 */
floe_status ice_coerce_value(const floe_ice_type *t, floe_value *v, floe_err *err);

/*
 * Append a byte key that identifies (spec id, partition tuple): equal keys for equal tuples
 * (floats by canonical bits, NaNs alike), distinct otherwise.
 */
floe_status ice_partition_key(floe_buf *out, int32_t spec_id, const floe_value *partition,
                              floe_err *err);

/* Deep copy of one value into `a` (strings, nested items, struct names). */
floe_status ice_value_dup(floe_arena *a, const floe_value *v, floe_value *out, floe_err *err);

/* ==== Manifests ==== */

/* Java's v1 block_size_in_bytes default. */
#define ICE_V1_BLOCK_SIZE ((int64_t)64 << 20)

/* The entries of a manifest for counting (used when a v1 list entry lacks counts). */
floe_status ice_manifest_fill_counts(floe_fileio *io, const floe_table_meta *meta,
                                     floe_manifest_file *mf, floe_err *err);

/* Paths */

/* "<metadata dir>/<name>" for a table: write.metadata.path or <location>/metadata. In `a`. */
char *ice_metadata_path(floe_arena *a, const floe_table_meta *m, const char *name);

#endif /* FLOE_ICE_OPS_INT_H */
