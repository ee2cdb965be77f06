/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the maintenance sources (not part of the module's interface). */
#ifndef FLOE_MNT_INT_H
#define FLOE_MNT_INT_H

#include "floe/maintenance.h"

#define MNT_US_PER_MS INT64_C(1000)
#define MNT_US_PER_DAY (INT64_C(86400) * 1000000)

/* a * b and a + b clamped to the int64 range (times far outside any real table). */
int64_t mnt_sat_mul(int64_t a, int64_t b);
int64_t mnt_sat_add(int64_t a, int64_t b);

/* Floor division and modulo for negative instants. */
int64_t mnt_floor_div(int64_t a, int64_t b);

/* Start of the calendar month `months` after the month holding `us` (UTC), in microseconds. */
int64_t mnt_add_months_start(int64_t us, int months);

/* A set of int64 ids: sorted array, binary search. */
typedef struct mnt_idset {
    int64_t *ids;
    size_t n;
} mnt_idset;

/* Sort and deduplicate ids[0..n) in place and wrap them. */
mnt_idset mnt_idset_make(int64_t *ids, size_t n);
bool mnt_idset_has(const mnt_idset *s, int64_t id);

/*
 * A location in the form used to compare references: "file:///x", "file://localhost/x" and
 * "file:/x" become "/x"; "s3a://" and "s3n://" become "s3://" (Java's equal schemes). Returns
 * `loc` itself when nothing changes, else an arena copy (NULL when the arena is exhausted).
 */
const char *mnt_norm_location(floe_arena *a, const char *loc);

/* Which group a kind deletes in: content files, manifests, lists, statistics, other. */
int mnt_kind_group(floe_mnt_file_kind k);

/* The "statistics-path" of a statistics entry's JSON text; NULL when absent or malformed. */
const char *mnt_stats_path(floe_arena *a, const floe_stats_file *s);

#endif
