/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sample Avro schemas and records shared by the Avro unit tests and the interop generator
 * (tests/interop/gen_avro.c): one schema with every Avro type and logical type, and an Iceberg
 * v2 manifest_entry schema as Java writes it (field-id, element-id, k/v map arrays).
 */
#ifndef FLOE_TEST_AVRO_SAMPLE_H
#define FLOE_TEST_AVRO_SAMPLE_H

#include "floe/value.h"

extern const char avro_sample_all_types_schema[];
extern const char avro_sample_manifest_schema[];

/* Record `i` of each schema; everything is allocated from `a`. */
floe_value avro_sample_all_types(floe_arena *a, int i);
floe_value avro_sample_manifest_entry(floe_arena *a, int i);

/* Value builders (items copied into `a`). */
floe_value avro_sample_struct(floe_arena *a, const char *const *names, size_t n,
                              const floe_value *items);
floe_value avro_sample_list(floe_arena *a, size_t n, const floe_value *items);
floe_value avro_sample_map(floe_arena *a, size_t n, const floe_value *kv);

#endif /* FLOE_TEST_AVRO_SAMPLE_H */
