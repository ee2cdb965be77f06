/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of the Iceberg module: JSON reading helpers with a per-call error policy,
 * the schema index, and functions the .c files share but other modules must not call.
 */
#ifndef FLOE_ICE_INT_H
#define FLOE_ICE_INT_H

#include "floe/iceberg.h"

#include <jansson.h>
#include <string.h>

/* ==== Allocation ==== */

/* The status for an arena allocation that failed (FLOE_ERR_TOO_BIG naming the limit). */
floe_status ice_nomem(floe_arena *a, floe_err *err);

/* A jansson constructor's result; jansson only fails on memory exhaustion, which aborts here as
 * floe_xmalloc does. */
json_t *ice_jnew(json_t *v);
/* json_object_set_new that aborts on exhaustion; `v` NULL is skipped. */
void ice_jset(json_t *obj, const char *key, json_t *v);
void ice_jappend(json_t *arr, json_t *v);
/* A JSON string of `s` (NULL gives null); invalid UTF-8 bytes become U+FFFD. */
json_t *ice_jstring(const char *s);

/* ==== JSON reading ==== */

/*
 * A reading context: the arena for results and the status a malformed document gets
 * (FLOE_ERR_CORRUPT for metadata files, FLOE_ERR_INVALID for requests). Messages name the key;
 * callers wrap them with the path ("snapshots[2]").
 */
typedef struct ice_jctx {
    floe_arena *a;
    floe_status code;
    floe_err *err;
} ice_jctx;

floe_status ice_jfail(ice_jctx *c, const char *fmt, ...) FLOE_PRINTF(2, 3);
/* Member `key` of object `o`; NULL when absent. A JSON null is returned as is. */
const json_t *ice_jget(const json_t *o, const char *key);
/* Member that must be present and non-null. */
floe_status ice_jreq(ice_jctx *c, const json_t *o, const char *key, const json_t **out);

floe_status ice_jint64(ice_jctx *c, const json_t *v, const char *what, int64_t *out);
floe_status ice_jint32(ice_jctx *c, const json_t *v, const char *what, int32_t *out);
floe_status ice_get_i64(ice_jctx *c, const json_t *o, const char *key, int64_t *out);
floe_status ice_get_i32(ice_jctx *c, const json_t *o, const char *key, int32_t *out);
/* Absent or null: *has = false. */
floe_status ice_opt_i64(ice_jctx *c, const json_t *o, const char *key, bool *has, int64_t *out);
floe_status ice_opt_i32(ice_jctx *c, const json_t *o, const char *key, bool *has, int32_t *out);
floe_status ice_get_bool(ice_jctx *c, const json_t *o, const char *key, bool *out);
/* Strings are copied into the arena. */
floe_status ice_jstr(ice_jctx *c, const json_t *v, const char *what, const char **out);
floe_status ice_get_str(ice_jctx *c, const json_t *o, const char *key, const char **out);
floe_status ice_opt_str(ice_jctx *c, const json_t *o, const char *key, const char **out);
/* Required array / object members. */
floe_status ice_get_arr(ice_jctx *c, const json_t *o, const char *key, const json_t **out);
floe_status ice_get_obj(ice_jctx *c, const json_t *o, const char *key, const json_t **out);
/* A JSON object of strings into key-value pairs (file order). */
floe_status ice_jkv(ice_jctx *c, const json_t *o, const char *what, const floe_kv **out, size_t *n);
/* Arrays of integers. */
floe_status ice_ji32_array(ice_jctx *c, const json_t *arr, const char *what, const int32_t **out,
                           size_t *n);
floe_status ice_ji64_array(ice_jctx *c, const json_t *arr, const char *what, const int64_t **out,
                           size_t *n);
/* Compact JSON text of `v` in the arena. */
floe_status ice_jtext(ice_jctx *c, const json_t *v, const char **out);
/* The jansson value of JSON text written by ice_jtext (new reference; aborts on bad text, which
 * can only be a bug). */
json_t *ice_jparse_text(const char *text);
const char *ice_jtype_name(const json_t *v);

json_t *ice_kv_to_json(const floe_kv *kv, size_t n);
json_t *ice_i32_array_to_json(const int32_t *v, size_t n);
json_t *ice_i64_array_to_json(const int64_t *v, size_t n);

/* ==== Types and schemas ==== */

/* Parse with an explicit error policy and depth budget. */
floe_status ice_type_from_json(ice_jctx *c, const json_t *j, int depth, const floe_ice_type **out);
floe_status ice_schema_from_json(ice_jctx *c, const json_t *j, const floe_ice_schema **out);
/* `assign_ids`: give fields without "field-id" ids after the highest seen (v1 style); else -1. */
floe_status ice_spec_from_json(ice_jctx *c, const json_t *j, bool fields_only, int32_t spec_id,
                               bool assign_ids, const floe_partition_spec **out);
floe_status ice_sort_order_from_json(ice_jctx *c, const json_t *j, const floe_sort_order **out);
floe_status ice_snapshot_from_json(ice_jctx *c, const json_t *j, floe_snapshot *out);
json_t *ice_snapshot_to_json(const floe_snapshot *s);
floe_status ice_ref_from_json(ice_jctx *c, const json_t *j, const char *name,
                              floe_snapshot_ref *out);
json_t *ice_ref_to_json(const floe_snapshot_ref *r);
floe_status ice_stats_from_json(ice_jctx *c, const json_t *j, bool partition, floe_stats_file *out);
floe_status ice_key_from_json(ice_jctx *c, const json_t *j, floe_encryption_key *out);
json_t *ice_key_to_json(const floe_encryption_key *k);

/* One indexed field (every id-carrying node). */
typedef struct ice_entry {
    int32_t id;
    int32_t parent_id; /* 0 at top level */
    const floe_ice_field *field;
    const char *name;       /* canonical dotted name */
    bool in_repeated;       /* inside a list or map */
    bool optional_ancestor; /* some enclosing struct field is optional */
    const int32_t *path;    /* struct positions from the root (valid unless in_repeated) */
    uint32_t depth;
} ice_entry;

typedef struct ice_name {
    const char *name;
    const ice_entry *entry;
} ice_name;

struct floe_ice_schema_index {
    ice_entry *by_id; /* sorted by id */
    size_t n;
    ice_name *by_name; /* sorted by name, canonical and short names */
    size_t n_names;
    int32_t highest_id;
};

const ice_entry *ice_schema_entry(const floe_ice_schema *s, int32_t id);

/* floe_ice_schema_new with the status of validation failures chosen by the caller
 * (FLOE_ERR_CORRUPT when reading metadata files). */
floe_status ice_schema_build(floe_arena *a, floe_status code, int32_t schema_id,
                             const floe_ice_type *root, const int32_t *ids, size_t n_ids,
                             const floe_ice_schema **out, floe_err *err);

/* A copy of `t` whose nested fields get ids *next + 1, ... (Java's order). */
floe_status ice_type_fresh_ids(floe_arena *a, const floe_ice_type *t, int32_t *next,
                               const floe_ice_type **out, floe_err *err);

/* A struct type over `fields` (borrowed). NULL on exhaustion. */
floe_ice_type *ice_struct_type(floe_arena *a, const floe_ice_field *fields, size_t n);

/* ==== Values ==== */

/* Minimal big-endian two's complement of a 128-bit integer into out[16]; returns the length. */
size_t ice_decimal_to_be(__int128 v, uint8_t out[16]);
/* Decode big-endian two's complement (1..16 bytes). */
__int128 ice_decimal_from_be(const uint8_t *p, size_t len);
/* 10^n for n in 0..38. */
__int128 ice_pow10(int n);
/* Digits needed for |v| (at least 1). */
int ice_decimal_digits(__int128 v);
/* Parse "-12.30" style decimal text into an unscaled value and scale (digits after the point);
 * false when malformed or past 38 digits. */
bool ice_parse_decimal(const char *s, size_t len, __int128 *unscaled, int32_t *scale);

/* Strict ISO text: "[+-]YYYY-MM-DD"; "HH:MM[:SS[.f...]]" (micros, extra digits truncated). */
bool ice_parse_date(const char *s, size_t len, int32_t *days);
bool ice_parse_time(const char *s, size_t len, int64_t *micros);
/* Timestamps "date[Ttime][offset]" into micros (or nanos); the offset rule says whether an
 * offset is forbidden, required, or optional (lenient also accepts a date alone). */
#define ICE_TS_NO_OFFSET 0
#define ICE_TS_NEED_OFFSET 1
#define ICE_TS_LENIENT 2
bool ice_parse_timestamp(const char *s, size_t len, int offset_rule, bool nanos, int64_t *out);

/* Floor division and modulo for time arithmetic. */
static inline int64_t ice_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

/* Validate a default's JSON text against a type (parsed into a throwaway value). */
floe_status ice_check_default(floe_arena *a, const floe_ice_type *t, const json_t *j,
                              floe_status code, floe_err *err);

/* ==== Partition specs ==== */

/* The field's source type in `schema`, or NULL. */
const floe_ice_type *ice_source_type(const floe_ice_schema *schema, int32_t source_id);
json_t *ice_transform_to_json(floe_ice_transform t);

/* ==== Metadata ==== */

floe_status ice_meta_validate(const floe_table_meta *m, floe_status code, floe_err *err);
floe_status ice_meta_from_json(ice_jctx *c, const json_t *j, floe_table_meta **out);

/* ==== Expressions ==== */

floe_ice_expr *ice_expr_new(floe_arena *a, floe_ice_expr_op op);
floe_ice_expr_op ice_expr_negate_op(floe_ice_expr_op op);
/* NOT pushed down: the tree without NOT nodes. */
const floe_ice_expr *ice_expr_rewrite_not(floe_arena *a, const floe_ice_expr *e);
/* A bound predicate on (field_id, type, name). */
const floe_ice_expr *ice_expr_bound_pred(floe_arena *a, floe_ice_expr_op op, int32_t field_id,
                                         const floe_ice_type *type, const char *name,
                                         const floe_value *lits, size_t n_lits);
/* Compare a row value (possibly of a narrower kind) with a literal of the column's kind. */
int ice_value_cmp_lit(const floe_value *v, const floe_value *lit);
bool ice_value_is_nan(const floe_value *v);

#endif /* FLOE_ICE_INT_H */
