/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers for the Iceberg unit tests. */
#ifndef ICE_HELPERS_H
#define ICE_HELPERS_H

#include "floe_test.h"

#include "floe/iceberg.h"

/* Parse JSON text (the test fails on malformed text); json_decref the result. */
json_t *ice_test_json(const char *text);
/* A schema from JSON text (the test fails when it does not parse). */
const floe_ice_schema *ice_test_schema(floe_arena *a, const char *json);
/* Compact JSON text of `j` (consumed), in the arena. */
const char *ice_test_dump(floe_arena *a, json_t *j);
/* Assert two JSON values are equal, printing both when not. `got` is consumed. */
void ice_test_json_eq(json_t *got, const char *want);
/* A bound expression from filter text against a schema (the test fails on errors). */
const floe_ice_expr *ice_test_bind(floe_arena *a, const floe_ice_schema *s, const char *text);

/* The original location prefix of a fixture table (from the fixtures README). */
const char *ice_test_fixture_prefix(const char *table);
/* Copy one Iceberg fixture table into the test's temporary directory (once per test) and return a
 * FileIO that maps the table's original prefix onto its copy (*dir_out: the copy). Free with
 * floe_fileio_free. */
floe_fileio *ice_test_fixture_io(floe_test_ctx *t, const char *table, const char **dir_out);
/* Metadata file `file` (e.g. "v5.metadata.json") of a fixture copy. */
floe_table_meta *ice_test_fixture_meta(floe_test_ctx *t, floe_fileio *io, const char *dir,
                                       const char *file);
/* The part of a path after the last '/'. */
const char *ice_test_basename(const char *path);

#endif
