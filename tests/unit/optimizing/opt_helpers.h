/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the self-optimizing tests: a small table and in-memory input files. */
#ifndef OPT_HELPERS_H
#define OPT_HELPERS_H

#include "floe_test.h"

#include "floe/optimizing.h"

#define MB ((int64_t)1 << 20)

/*
 * Table metadata: columns 1 id long, 2 region string, 3 op_time timestamptz. Partitioned: spec 0
 * identity(region) (field 1000), spec 1 unpartitioned; unpartitioned: spec 0 only.
 */
floe_table_meta *oth_meta(floe_arena *a, bool partitioned);

/* In-memory files: data entries, each with its deletes; a floe_opt_source over them. */
typedef struct oth_files {
    floe_arena *a;
    floe_vec inputs; /* floe_opt_input */
    size_t scans;    /* passes made */
} oth_files;

void oth_files_init(oth_files *f, floe_arena *a);
void oth_files_fini(oth_files *f);
floe_opt_source oth_source(oth_files *f);

/* A data file in partition `region` (NULL: unpartitioned spec); id bounds when lo <= hi. */
floe_manifest_entry *oth_data(oth_files *f, const char *path, const char *region, int64_t size,
                              int64_t records, int64_t seq);
void oth_bounds(floe_arena *a, floe_manifest_entry *e, int64_t lo, int64_t hi);
/* A delete file; spec 1 (global) when region is NULL in a partitioned table. */
floe_manifest_entry *oth_delete(oth_files *f, floe_file_content content, const char *path,
                                const char *region, int32_t spec_id, int64_t size, int64_t records,
                                int64_t seq, const char *referenced);
/* Add a data file with `n` deletes (varargs of floe_manifest_entry *). */
void oth_add(oth_files *f, floe_manifest_entry *data, size_t n, ...);

/* Default props with overrides from "key=value" strings (NULL-terminated). */
floe_opt_props oth_props(floe_arena *a, ...);

#endif
