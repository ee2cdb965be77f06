/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the self-optimizing sources: a set of 64-bit hashes, strict JSON field
 * readers, and small helpers.
 */
#ifndef FLOE_OPT_INT_H
#define FLOE_OPT_INT_H

#include "floe/optimizing.h"

#include <stddef.h>

bool floe_opt_group_name_valid(const char *s);

/* ==== A set of 64-bit hashes (open addressing; 0 is stored out of band) ==== */

typedef struct opt_hset {
    uint64_t *slots;
    size_t cap; /* power of two, or 0 */
    size_t n;
    bool has_zero;
} opt_hset;

/* Insert; true when `h` was not present. */
bool opt_hset_add(opt_hset *s, uint64_t h);
bool opt_hset_has(const opt_hset *s, uint64_t h);
void opt_hset_fini(opt_hset *s);

uint64_t opt_path_hash(const char *path);

/* ==== Strict JSON readers: FLOE_ERR_INVALID naming the field ==== */

floe_status opt_json_obj(const json_t *j, const char *what, floe_err *err);
/* Required members. */
floe_status opt_json_i64(const json_t *o, const char *key, int64_t *out, floe_err *err);
floe_status opt_json_i32(const json_t *o, const char *key, int32_t *out, floe_err *err);
floe_status opt_json_str(const json_t *o, const char *key, const char **out, floe_err *err);
floe_status opt_json_bool(const json_t *o, const char *key, bool *out, floe_err *err);
/* Optional members: *present tells, the output is untouched when absent (or null). */
floe_status opt_json_opt_i64(const json_t *o, const char *key, int64_t *out, bool *present,
                             floe_err *err);
floe_status opt_json_opt_str(const json_t *o, const char *key, const char **out, floe_err *err);
floe_status opt_json_opt_bool(const json_t *o, const char *key, bool *out, floe_err *err);
/* An optional array (NULL when absent) of at most `max` elements. */
floe_status opt_json_opt_array(const json_t *o, const char *key, size_t max, const json_t **out,
                               floe_err *err);

/* Compact JSON text of `j` (heap; free()); NULL never (aborts on exhaustion). */
char *opt_json_dumps(const json_t *j);

/* An int64 as a JSON integer (jansson's json_int_t is long long). */
json_t *opt_json_int(int64_t v);

/* ==== Evaluation context shared by the evaluator and the planner ==== */

/* How one data file is treated (Amoro's CommonPartitionEvaluator classes). */
typedef enum opt_class {
    OPT_C_FRAGMENT = 0, /* size <= fragment size: always rewritten */
    OPT_C_UNDERSIZED,   /* fragment < size <= min target, nothing forces a rewrite: candidate */
    OPT_C_REWRITE,      /* a segment (undersized or not) that must be rewritten */
    OPT_C_REWRITE_POS,  /* a target-size segment whose deletes are rewritten */
    OPT_C_RESERVED      /* a healthy segment: untouched, its deletes stay */
} opt_class;

typedef struct opt_spec_info {
    int32_t spec_id;
    const floe_partition_spec *spec;
    const floe_ice_type *ptype;     /* NULL when the spec's type cannot be derived */
    const floe_ice_schema *pschema; /* NULL likewise */
    const floe_ice_expr *pfilter;   /* projected filter; NULL: no filter */
} opt_spec_info;

typedef struct opt_eval_ctx {
    floe_arena *a;
    const floe_opt_table_ctx *t;
    const floe_opt_props *p;
    int64_t fragment_size;
    int64_t min_target_size;
    bool full_mode;
    const floe_ice_schema *schema;
    const floe_ice_expr *filter; /* bound to the current schema; NULL: none */
    floe_vec specs;              /* opt_spec_info */
    floe_buf key;                /* scratch: the partition key of the last file */
} opt_eval_ctx;

floe_status opt_eval_init(opt_eval_ctx *c, floe_arena *a, const floe_opt_table_ctx *t,
                          floe_err *err);
void opt_eval_fini(opt_eval_ctx *c);
/* Check the input's contents and kinds. */
floe_status opt_eval_check(const floe_opt_input *in, floe_err *err);
/* The spec info of a file (added on first use). */
floe_status opt_eval_spec(opt_eval_ctx *c, int32_t spec_id, const opt_spec_info **out,
                          floe_err *err);
/* Partition key of `f` ("<spec id>:<canonical JSON of the tuple>") into c->key. */
floe_status opt_eval_key(opt_eval_ctx *c, const floe_data_file *f, floe_err *err);
/* Whether the filter may select rows of `f` (partition projection, then metrics). */
floe_status opt_eval_in_scope(opt_eval_ctx *c, const floe_data_file *f, bool *in, floe_err *err);
/* Classify a data file; *combine_pos is set for segments with more than one position delete. */
opt_class opt_classify(const opt_eval_ctx *c, const floe_opt_input *in, bool *combine_pos);
/* Amoro's segmentShouldRewritePos for a segment that is not rewritten. */
bool opt_should_rewrite_pos(const floe_opt_input *in, bool *combine_pos);
/* The partition of `f` as JSON keyed by partition field id, in `a`. */
floe_status opt_partition_json(opt_eval_ctx *c, const floe_data_file *f, const char **out,
                               floe_err *err);

#endif /* FLOE_OPT_INT_H */
