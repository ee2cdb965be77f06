/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers for the maintenance tests: table metadata built from a short description, and
 * an in-memory manifest source whose manifests and manifest lists also exist as (empty) files
 * on disk, so deleting one makes the source report it missing as a real reader would.
 */
#ifndef MNT_HELPERS_H
#define MNT_HELPERS_H

#include "floe_test.h"

#include "floe/maintenance.h"

#define NO_PARENT (-1)
#define UNSET (-1)

typedef struct tsnap {
    int64_t id;
    int64_t parent; /* NO_PARENT */
    int64_t ts;
} tsnap;

typedef struct tref {
    const char *name;
    int64_t id;
    bool tag;
    int64_t min_keep;     /* UNSET */
    int64_t max_snap_age; /* UNSET */
    int64_t max_ref_age;  /* UNSET */
} tref;

/* A branch or tag without retention settings. */
#define BRANCH(n, i) ((tref){(n), (i), false, UNSET, UNSET, UNSET})
#define TAG(n, i) ((tref){(n), (i), true, UNSET, UNSET, UNSET})

typedef struct tmeta {
    const char *location; /* NULL: <tmpdir>/t */
    const tsnap *snaps;
    size_t n_snaps;
    int64_t current; /* -1: none */
    const tref *refs;
    size_t n_refs;
    const char *props;       /* JSON object text or NULL */
    const int64_t (*log)[2]; /* snapshot log (ts, id); NULL: none */
    size_t n_log;
    const char *schema; /* JSON (NULL: id long, ts timestamp) */
    const char *spec;   /* JSON spec object (NULL: unpartitioned) */
    const char *stats;  /* JSON array text for "statistics" or NULL */
    const char *mlog;   /* JSON array text for "metadata-log" or NULL */
} tmeta;

/* Parse the described metadata (the test fails on errors). Manifest lists are
 * <location>/metadata/snap-<id>.avro; metadata_location is <location>/metadata/v9.metadata.json. */
floe_table_meta *mnt_test_meta(floe_test_ctx *t, const tmeta *d);

/* ==== Fake manifest source ==== */

typedef struct fk_entry {
    const char *path; /* relative to the table location */
    floe_entry_status status;
    floe_file_content content;
} fk_entry;

typedef struct fk_manifest {
    const char *path; /* relative */
    fk_entry entries[8];
} fk_manifest;

typedef struct fk_snap {
    int64_t id;
    const char *manifests[8]; /* relative paths, NULL-terminated */
} fk_snap;

typedef struct fk_source {
    floe_test_ctx *t;
    floe_fileio *io;
    const char *location;
    const fk_manifest *ms;
    size_t nm;
    const fk_snap *ss;
    size_t nss;
    size_t reads; /* manifest reads, for tests */
} fk_source;

/* The source interface over `fk`. */
floe_mnt_manifest_source fk_as_source(fk_source *fk);
/* Create every manifest list, manifest and entry file of the fake as an empty file on disk
 * (mtime set to `mtime_s` seconds since the epoch). */
void fk_materialize(fk_source *fk, const floe_table_meta *m, int64_t mtime_s);
/* <location>/<rel> in the arena. */
const char *fk_path(fk_source *fk, const char *rel);
bool mnt_file_exists(const char *path);
/* Create an empty file (and its directories) with the given mtime. */
void mnt_touch(const char *path, int64_t mtime_s);
/* Rows of snapshot `snapshot_id` of `m`: planned, then every task read with its deletes (the
 * test fails on any error). */
int64_t mnt_snapshot_rows(floe_test_ctx *t, floe_fileio *io, const floe_table_meta *m,
                          int64_t snapshot_id);

#endif
