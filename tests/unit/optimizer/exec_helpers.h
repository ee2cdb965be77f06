/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the optimizer tests: fixture tables as task inputs, and reading rows back. */
#ifndef EXEC_HELPERS_H
#define EXEC_HELPERS_H

#include "floe_test.h"

#include "floe/iceberg.h"
#include "floe/io.h"
#include "floe/optimizer.h"
#include "floe/optimizing.h"

/* A live file of a snapshot with its data sequence number. */
typedef struct xfile {
    floe_data_file f;
    int64_t seq;
} xfile;

/* A fixture table copied to the test's tmpdir, opened through a FileIO mapping `prefix`. */
typedef struct xtable {
    floe_fileio *io;
    const char *dir;      /* the copy */
    const char *prefix;   /* the table's original location prefix */
    const char *metadata; /* the metadata location as the catalog names it (under prefix) */
    floe_table_meta *meta;
    xfile *data;
    size_t n_data;
    xfile *dels;
    size_t n_dels;
} xtable;

/* Copy and open a fixture (iceberg/<name>), listing its current snapshot's live files. */
void xtable_open(floe_test_ctx *t, xtable *x, const char *fixture, const char *prefix,
                 const char *metadata_file);
void xtable_close(xtable *x);

/* The delete files of the snapshot that apply to data file `df` (sequence numbers, partition,
 * global equality deletes), as the planner would choose them. */
size_t xtable_applicable(const xtable *x, const xfile *df, const xfile **out, size_t cap);

/*
 * A task input over data files `idx` (indices into x->data) with role `role`, with every delete
 * file that applies to any of them, the partition of the first file, the current schema and
 * the file's spec.
 */
floe_opt_task_input xtable_task(floe_test_ctx *t, const xtable *x, const size_t *idx, size_t n,
                                floe_opt_file_role role);

/* Rows of data file `f` read with `dels` applied, as sorted JSON lines appended to `lines`
 * (char * in the test arena). */
void xread_rows(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *meta,
                const floe_data_file *f, const floe_data_file *const *dels, size_t n_dels,
                floe_vec *lines);
/* Sort the lines and join them into one text (in the test arena). */
const char *xjoin_sorted(floe_test_ctx *t, floe_vec *lines);

/* An output file of a task as a floe_data_file the reader can open (content, path, size,
 * records, the task's spec and partition). */
floe_data_file xoutput_as_file(floe_test_ctx *t, const xtable *x, const floe_opt_task_input *in,
                               const floe_opt_output_file *o);

/* Number of files under `dir` (recursively) whose name ends in `suffix`. */
size_t xcount_files(const char *dir, const char *suffix);

#endif
