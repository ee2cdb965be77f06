/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FileIO: how floe reads and writes table files, independent of where they live.
 *
 * A location is a URI ("file:///lake/t/data/x.parquet", "s3://bucket/t/x.parquet") or a plain
 * path. A floe_fileio resolves it in two steps: first the longest matching entry of its prefix
 * map rewrites the location (so `s3://bucket/x` can be read from `/some/dir/x` when a table was
 * copied from another machine), then the scheme picks a backend. This build has the local
 * filesystem backend for plain paths and `file:` URIs; object stores are further backends behind
 * the same operations table (see io_int.h).
 *
 * Writes are atomic: an output is invisible until floe_output_commit(), which publishes the
 * whole file at once (locally: a temporary file in the same directory, fsync, then rename or, for
 * FLOE_IO_CREATE_EXCLUSIVE, link(2), which fails if the name exists). That exclusive create is
 * the primitive filesystem-table commits rely on.
 *
 * All functions are thread-safe for distinct inputs/outputs; a floe_fileio may be shared by
 * threads once configured (floe_fileio_map_prefix is not synchronised with readers).
 */
#ifndef FLOE_IO_H
#define FLOE_IO_H

#include "floe/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct floe_fileio floe_fileio;
typedef struct floe_input floe_input;
typedef struct floe_output floe_output;

typedef enum floe_io_create_mode {
    FLOE_IO_CREATE_OVERWRITE = 0, /* replace an existing file atomically */
    FLOE_IO_CREATE_EXCLUSIVE = 1  /* fail with FLOE_ERR_EXISTS if the file exists at commit */
} floe_io_create_mode;

/* One file found by floe_io_list or floe_io_stat. */
typedef struct floe_file_info {
    const char *location; /* in the caller's namespace (prefix map undone); borrowed */
    uint64_t size;
    int64_t mtime_us; /* last modification, microseconds since the epoch */
} floe_file_info;

typedef struct floe_local_io_opts {
    bool no_sync; /* skip fsync on commit (tests and benchmarks only) */
} floe_local_io_opts;

/* ==== Construction ==== */

/* A FileIO for local paths and file: URIs. `opts` may be NULL. Free with floe_fileio_free(). */
floe_fileio *floe_fileio_local_new(const floe_local_io_opts *opts);
void floe_fileio_free(floe_fileio *io);

/*
 * Read and write `from...` at `to...`: a location starting with `from` has that prefix replaced
 * by `to`. The longest matching prefix wins. Both strings are copied. Fails with FLOE_ERR_INVALID
 * on an empty prefix.
 */
floe_status floe_fileio_map_prefix(floe_fileio *io, const char *from, const char *to,
                                   floe_err *err);

/*
 * The backend-level location that `location` resolves to (after the prefix map and scheme
 * normalisation: "file:///x" and "file:/x" become "/x"). Appends to `out`.
 */
floe_status floe_fileio_resolve(const floe_fileio *io, const char *location, floe_buf *out,
                                floe_err *err);

/* ==== Reading ==== */

/* Open for ranged reads. Close with floe_input_close(). */
floe_status floe_io_open(floe_fileio *io, const char *location, floe_input **out, floe_err *err);
uint64_t floe_input_size(const floe_input *in);
const char *floe_input_location(const floe_input *in); /* borrowed until close */
/*
 * Read exactly `len` bytes at `offset`. A range past the end of the file fails with
 * FLOE_ERR_CORRUPT (the caller asked for bytes the file does not have); OS failures are
 * FLOE_ERR_IO. Safe to call from several threads on one input.
 */
floe_status floe_input_read(floe_input *in, uint64_t offset, void *buf, size_t len, floe_err *err);
void floe_input_close(floe_input *in);

/* The whole file into `out` (appended); FLOE_ERR_TOO_BIG when it is larger than `max`. */
floe_status floe_io_read_file(floe_fileio *io, const char *location, size_t max, floe_buf *out,
                              floe_err *err);

/* ==== Writing ==== */

/*
 * Start writing `location`; parent directories are created as needed. Nothing is visible until
 * floe_output_commit(). Exactly one of commit or abort must be called; both free the output.
 */
floe_status floe_io_create(floe_fileio *io, const char *location, floe_io_create_mode mode,
                           floe_output **out, floe_err *err);
floe_status floe_output_write(floe_output *o, const void *data, size_t len, floe_err *err);
uint64_t floe_output_size(const floe_output *o); /* bytes written so far */
/* Publish the file. With FLOE_IO_CREATE_EXCLUSIVE, FLOE_ERR_EXISTS if the name was taken. */
floe_status floe_output_commit(floe_output *o, floe_err *err);
void floe_output_abort(floe_output *o);

/* Create-and-commit in one call. */
floe_status floe_io_write_file(floe_fileio *io, const char *location, floe_io_create_mode mode,
                               const void *data, size_t len, floe_err *err);

/* ==== Namespace operations ==== */

/* Size and modification time; FLOE_ERR_NOT_FOUND when absent. `out->location` is NULL. */
floe_status floe_io_stat(floe_fileio *io, const char *location, floe_file_info *out, floe_err *err);
floe_status floe_io_exists(floe_fileio *io, const char *location, bool *out, floe_err *err);
/* Delete one file; FLOE_ERR_NOT_FOUND when it does not exist. */
floe_status floe_io_delete(floe_fileio *io, const char *location, floe_err *err);
/*
 * Rename atomically. With `replace` false the call fails with FLOE_ERR_EXISTS when `to` exists
 * (and never replaces it, even under a race).
 */
floe_status floe_io_rename(floe_fileio *io, const char *from, const char *to, bool replace,
                           floe_err *err);

/*
 * Called once per file by floe_io_list; return FLOE_OK to continue, anything else stops the
 * listing and is returned by floe_io_list. `info` is borrowed for the call only.
 */
typedef floe_status (*floe_io_list_fn)(void *ud, const floe_file_info *info, floe_err *err);

/*
 * Every file under the directory (or object prefix) `location`, recursively, in no particular
 * order; directories themselves are not reported. Locations are reported in the caller's
 * namespace: listing "s3://b/t" mapped to "/copy/t" reports "s3://b/t/data/x.parquet".
 * FLOE_ERR_NOT_FOUND when the directory does not exist.
 */
floe_status floe_io_list(floe_fileio *io, const char *location, floe_io_list_fn fn, void *ud,
                         floe_err *err);

/*
 * Remove empty directories under `location` (bottom-up; `location` itself too when it ends
 * empty). Object stores have no directories, so there this does nothing. `removed` (may be
 * NULL) counts the directories removed.
 */
floe_status floe_io_remove_empty_dirs(floe_fileio *io, const char *location, size_t *removed,
                                      floe_err *err);

/* Join a directory location and a relative name with exactly one '/' between them (heap). */
char *floe_io_join(const char *dir, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_IO_H */
