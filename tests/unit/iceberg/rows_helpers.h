/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the row reader/writer tests: tables, rows from JSON, reading files back. */
#ifndef ROWS_HELPERS_H
#define ROWS_HELPERS_H

#include "ice_helpers.h"

/* A table at <tmpdir>/<name> with a schema (JSON; ids in the fresh-id order so they survive
 * creation), an optional spec and sort order (JSON, sources by those ids) and properties
 * ("k=v" strings). */
floe_table_meta *rows_test_table(floe_test_ctx *t, const char *name, const char *schema_json,
                                 const char *spec_json, const char *order_json,
                                 const char *const *props, size_t n_props);
/* A row of `s` from the JSON single-value form (an object keyed by field id). */
floe_value rows_test_row(floe_arena *a, const floe_ice_schema *s, const char *json);
/* Write rows (JSON texts) with `w`, failing the test on errors. */
void rows_test_write(floe_arena *a, floe_ice_writer *w, const floe_ice_schema *s,
                     const char *const *rows, size_t n);
/* Read a data file task; the rows as JSON lines ("{...}\n" each), in the arena. */
const char *rows_test_read(floe_test_ctx *t, floe_fileio *io, const floe_ice_read_opts *o,
                           floe_ice_read_stats *stats);
/* Count rows of a JSON-lines text. */
size_t rows_test_lines(const char *text);

#endif
