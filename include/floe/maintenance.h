/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table maintenance: snapshot expiration, file cleanup after expiration, orphan files, data
 * expiration (TTL) and automatic tags, configured by Amoro's table properties.
 *
 * The module is split into decisions and actions. Decisions are pure functions of table
 * metadata, properties and a clock value the caller passes (so tests control time): which
 * snapshots to expire and the metadata updates that do it, which files an expiration made
 * unreachable, which listed files are orphans, which data files are past their TTL, whether an
 * automatic tag is due. Actions touch storage: deleting files in batches through FileIO and
 * removing empty directories. Nothing here commits metadata; the caller commits the updates a
 * decision returns (REST commit, catalog, or the filesystem-table helper) and hands the
 * committed metadata back to the cleanup step. That ordering is the safety argument of this
 * module (docs/internals/maintenance.md): no file is deleted unless the metadata that no longer
 * references it has been committed, and never while anything the caller knows of (every
 * snapshot of the committed metadata, every metadata file in its log, statistics files, and
 * files younger than a minimum age) still references it.
 *
 * Manifests are read through floe_mnt_manifest_source, a two-call interface (a snapshot's
 * manifests; a manifest's entries), so the module does not depend on how manifests are read.
 *
 * Memory: results are allocated from the caller's arena and valid until it is freed; inputs
 * are borrowed for the call unless a comment says otherwise. Names are prefixed floe_mnt_.
 *
 * Sections: durations and properties; datetime patterns; snapshot expiration; reachable files
 * and deletion; orphan files; data expiration; automatic tags; run records.
 */
#ifndef FLOE_MAINTENANCE_H
#define FLOE_MAINTENANCE_H

#include "floe/base.h"
#include "floe/iceberg.h"
#include "floe/io.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Durations and properties ==== */

/*
 * Parse a duration as Amoro (Flink's TimeUtils) writes them: a non-negative integer, optional
 * spaces, and a unit: d/day/days, h/hour/hours, m/min/mins/minute/minutes, s/sec/secs/second/
 * seconds, ms/milli/millis/millisecond/milliseconds, us/micro/micros/microsecond/microseconds,
 * ns/nano/nanos/nanosecond/nanoseconds (any case). A bare number is milliseconds, as in Amoro.
 * Examples: "720min", "90d", "12h", "0s". The result is in milliseconds (sub-millisecond
 * durations round down). FLOE_ERR_INVALID naming the text for anything else, FLOE_ERR_TOO_BIG
 * when it does not fit in 64 bits of milliseconds.
 */
floe_status floe_mnt_duration_parse(const char *s, int64_t *out_ms, floe_err *err);

typedef enum floe_mnt_ttl_level {
    FLOE_MNT_TTL_PARTITION = 0, /* data-expire.level=partition (Amoro's default) */
    FLOE_MNT_TTL_FILE
} floe_mnt_ttl_level;

typedef enum floe_mnt_number_format {
    FLOE_MNT_TIMESTAMP_MS = 0, /* data-expire.datetime-number-format=TIMESTAMP_MS (default) */
    FLOE_MNT_TIMESTAMP_S
} floe_mnt_number_format;

typedef enum floe_mnt_base_rule {
    FLOE_MNT_BASE_LAST_COMMIT_TIME = 0, /* data-expire.base-on-rule (default) */
    FLOE_MNT_BASE_CURRENT_TIME
} floe_mnt_base_rule;

typedef enum floe_mnt_period {
    FLOE_MNT_PERIOD_DAILY = 0, /* tag.auto-create.trigger.period (default) */
    FLOE_MNT_PERIOD_HOURLY,
    FLOE_MNT_PERIOD_MONTHLY
} floe_mnt_period;

/*
 * A table's maintenance settings. Defaults are Amoro's; property names in the comments. Strings
 * point into the properties given to floe_mnt_props_parse (or are static defaults).
 */
typedef struct floe_mnt_props {
    bool gc_enabled; /* gc.enabled (true): false turns off everything that deletes */

    bool expire_enabled;             /* table-expire.enabled (true) */
    int64_t snapshot_keep_ms;        /* snapshot.keep.duration (720min) */
    int32_t snapshot_keep_min_count; /* snapshot.keep.min-count (1), >= 1 */

    bool orphan_enabled;       /* clean-orphan-file.enabled (false) */
    int64_t orphan_min_age_ms; /* clean-orphan-file.min-existing-time-minutes (2880) */

    bool dangling_delete_enabled; /* clean-dangling-delete-files.enabled (true) */

    bool data_expire_enabled;                /* data-expire.enabled (false) */
    const char *data_expire_field;           /* data-expire.field (required when enabled) */
    floe_mnt_ttl_level data_expire_level;    /* data-expire.level (partition) */
    int64_t data_expire_retention_ms;        /* data-expire.retention-time (required when on) */
    const char *data_expire_string_pattern;  /* data-expire.datetime-string-pattern (yyyy-MM-dd) */
    floe_mnt_number_format data_expire_nfmt; /* data-expire.datetime-number-format */
    floe_mnt_base_rule data_expire_base;     /* data-expire.base-on-rule */

    bool tag_enabled;           /* tag.auto-create.enabled (false) */
    floe_mnt_period tag_period; /* tag.auto-create.trigger.period (daily) */
    int32_t tag_offset_minutes; /* tag.auto-create.trigger.offset.minutes (0) */
    int32_t tag_max_delay_min;  /* tag.auto-create.trigger.max-delay.minutes (60); <= 0: none */
    const char *tag_format;     /* tag.auto-create.tag-format (by period: 'tag-'yyyyMMdd, ...) */
    int64_t tag_max_age_ms;     /* tag.auto-create.max-age-ms (-1: tags never expire) */

    /* Iceberg's own table defaults for ref retention (history.expire.*); has_* false when the
     * table does not set them. */
    bool has_history_max_snapshot_age;
    int64_t history_max_snapshot_age_ms; /* history.expire.max-snapshot-age-ms */
    bool has_history_min_snapshots;
    int32_t history_min_snapshots; /* history.expire.min-snapshots-to-keep */
    bool has_history_max_ref_age;
    int64_t history_max_ref_age_ms; /* history.expire.max-ref-age-ms */
} floe_mnt_props;

/* Amoro's defaults (the tag format is the daily one). */
void floe_mnt_props_default(floe_mnt_props *out);

/*
 * Read the maintenance properties from a table's properties (unknown keys are ignored). Values
 * are checked strictly: booleans (true/false, any case), integers, durations
 * (floe_mnt_duration_parse), enums (any case), a tag format or string pattern that compiles
 * (floe_mnt_pattern_compile), a positive min count; data-expire.field and retention-time are
 * required when data-expire.enabled is true. The first bad value is FLOE_ERR_INVALID naming
 * the property and the value. String results borrow `props`.
 */
floe_status floe_mnt_props_parse(const floe_kv *props, size_t n, floe_mnt_props *out,
                                 floe_err *err);

/* ==== Datetime patterns ==== */

/*
 * A compiled datetime pattern in the style Amoro uses for tag names and string TTL fields
 * (Java's DateTimeFormatter letters): yyyy (year, 4+ digits), yy (2-digit year, 2000-2099),
 * MM/M (month), dd/d (day), HH/H (hour 0-23), mm/m (minute), ss/s (second), S..SSSSSS (fraction
 * of a second, that many digits); text in single quotes is literal ('' is a quote), and any
 * other character that is not an ASCII letter is literal. Every other letter is refused, so a
 * pattern never silently formats something unexpected. Times are UTC.
 */
typedef struct floe_mnt_pattern floe_mnt_pattern;

#define FLOE_MNT_PATTERN_MAX 256 /* longest pattern text accepted */

/* Compile; FLOE_ERR_INVALID naming the offset for a bad pattern. Allocated from `a`. */
floe_status floe_mnt_pattern_compile(floe_arena *a, const char *text, const floe_mnt_pattern **out,
                                     floe_err *err);
/* Append `us` (microseconds since the epoch, UTC) formatted by the pattern to `out`. */
floe_status floe_mnt_pattern_format(const floe_mnt_pattern *p, int64_t us, floe_buf *out,
                                    floe_err *err);
/*
 * Parse text that must match the pattern exactly. Fields the pattern lacks default to the
 * start of the period (month 1, day 1, midnight). *start_us is the instant the text names and
 * *end_us the end of the smallest period it names (a day for yyyy-MM-dd, a second for
 * ...HH:mm:ss): every instant the text can stand for is in [start, end). FLOE_ERR_INVALID when
 * the text does not match or names an impossible date.
 */
floe_status floe_mnt_pattern_parse(const floe_mnt_pattern *p, const char *text, size_t len,
                                   int64_t *start_us, int64_t *end_us, floe_err *err);

/* ==== Snapshot expiration ==== */

/*
 * What an expiration keeps. Per branch, the branch's own min-snapshots-to-keep and
 * max-snapshot-age-ms win over `retain_last` and `older_than_ms`; per ref, max-ref-age-ms wins
 * over `max_ref_age_ms`.
 */
typedef struct floe_mnt_expire_opts {
    int64_t now_ms;
    int64_t older_than_ms;  /* snapshots with timestamp-ms >= this are kept */
    int32_t retain_last;    /* snapshots kept on each branch's ancestry whatever their age; >= 1 */
    int64_t max_ref_age_ms; /* refs (never main) older than this are dropped; <= 0: never */
    const int64_t *protected_ids; /* kept whatever their age (an optimizing process's base) */
    size_t n_protected;
} floe_mnt_expire_opts;

/*
 * Options from a table's properties at `now_ms`, taking the more conservative of Amoro's and
 * Iceberg's settings: older_than = now - max(snapshot.keep.duration, history.expire.max-
 * snapshot-age-ms when set), retain_last = max(snapshot.keep.min-count, history.expire.min-
 * snapshots-to-keep when set), max_ref_age from history.expire.max-ref-age-ms (none by default).
 * No protected ids.
 */
void floe_mnt_expire_opts_from_props(const floe_mnt_props *p, int64_t now_ms,
                                     floe_mnt_expire_opts *out);

/*
 * The result of a selection: the snapshots and refs to drop, and the commit that does it.
 * `reqs` assert the table uuid and every ref's snapshot as seen, so a concurrent change to any
 * ref makes the commit fail (retry from fresh metadata) instead of silently dropping it.
 * `updates` are remove-snapshot-ref for each dropped ref, then one remove-snapshots (absent
 * when nothing expires).
 */
typedef struct floe_mnt_expire_plan {
    const int64_t *expire_ids; /* ascending */
    size_t n_expire;
    const char *const *drop_refs; /* names, in metadata order */
    size_t n_drop_refs;
    size_t n_retained; /* snapshots left */
    const floe_ice_requirement *reqs;
    size_t n_reqs;
    const floe_ice_update *updates;
    size_t n_updates;
} floe_mnt_expire_plan;

/*
 * Choose what to expire (the Iceberg spec's algorithm, Java's RemoveSnapshots): drop refs other
 * than main whose head is older than their max ref age; keep every remaining ref's head; walk
 * each remaining branch's ancestry keeping snapshots while fewer than its min count are kept or
 * while they are younger than its max snapshot age; keep snapshots no remaining ref reaches
 * when younger than `older_than_ms`; keep the current snapshot and the protected ids; expire
 * the rest. Ancestry walks stop at missing parents and at cycles. Pure: `m` is not changed.
 * FLOE_ERR_INVALID for bad options (retain_last < 1).
 */
floe_status floe_mnt_expire_select(floe_arena *a, const floe_table_meta *m,
                                   const floe_mnt_expire_opts *o, floe_mnt_expire_plan *out,
                                   floe_err *err);

/* ==== Reachable files and deletion ==== */

typedef enum floe_mnt_file_kind {
    FLOE_MNT_FILE_DATA = 0,
    FLOE_MNT_FILE_POSITION_DELETES,
    FLOE_MNT_FILE_EQUALITY_DELETES,
    FLOE_MNT_FILE_MANIFEST,
    FLOE_MNT_FILE_MANIFEST_LIST,
    FLOE_MNT_FILE_STATISTICS,
    FLOE_MNT_FILE_METADATA,
    FLOE_MNT_FILE_OTHER, /* orphans: anything listed that no metadata names */
    FLOE_MNT_FILE_KIND_COUNT
} floe_mnt_file_kind;

const char *floe_mnt_file_kind_name(floe_mnt_file_kind k); /* "data", "manifest-list", ... */

typedef struct floe_mnt_file {
    const char *location;
    floe_mnt_file_kind kind;
    uint64_t size;    /* 0 when unknown */
    int64_t mtime_us; /* orphans: last modification; 0 when unknown */
} floe_mnt_file;

typedef struct floe_mnt_file_list {
    floe_mnt_file *files;
    size_t n;
} floe_mnt_file_list;

/* Called by a manifest source for each entry; return FLOE_OK to go on. */
typedef floe_status (*floe_mnt_entry_fn)(void *ud, const floe_manifest_entry *e, floe_err *err);

/*
 * How maintenance reads manifests. Both calls fail with FLOE_ERR_NOT_FOUND (and only then)
 * when the file does not exist, which the cleanup uses to resume an interrupted deletion.
 */
typedef struct floe_mnt_manifest_source {
    void *ctx;
    /* The manifests of `snap` (its manifest list, or a v1 snapshot's embedded list), allocated
     * from `a`. */
    floe_status (*snapshot_manifests)(void *ctx, floe_arena *a, const floe_table_meta *m,
                                      const floe_snapshot *snap, const floe_manifest_file **out,
                                      size_t *n, floe_err *err);
    /* Call `fn` for every entry (ADDED, EXISTING and DELETED) of the manifest. */
    floe_status (*manifest_entries)(void *ctx, const floe_table_meta *m,
                                    const floe_manifest_file *mf, floe_mnt_entry_fn fn, void *ud,
                                    floe_err *err);
} floe_mnt_manifest_source;

/* A manifest source over FileIO and the Iceberg manifest reader. */
typedef struct floe_mnt_fileio_source {
    floe_fileio *io;
    unsigned skip; /* FLOE_MANIFEST_SKIP_* (reachability needs none of the metrics) */
} floe_mnt_fileio_source;

/*
 * Fill `out` to read through `ctx` (borrowed: it must outlive every use of `out`). Missing
 * files are FLOE_ERR_NOT_FOUND and only those: anything else the reader reports as not found
 * (an unknown partition spec, ...) becomes FLOE_ERR_CORRUPT, so it is never mistaken for a
 * manifest an earlier cleanup deleted.
 */
void floe_mnt_fileio_source_init(floe_mnt_fileio_source *ctx, floe_mnt_manifest_source *out);

/*
 * The files an expiration made unreachable, in the order to delete them: data and delete
 * files, then manifests, then manifest lists, then statistics files. `before` is the metadata
 * the plan was made from and `committed` the metadata read back after the commit that removed
 * the snapshots succeeded (or any later version): the expired snapshots are those of `before`
 * missing from `committed`. A file is listed when an expired snapshot references it (any entry
 * of its manifests, its manifest list and manifests, its statistics files) and no snapshot of
 * `committed` does (live entries of its manifests, its manifest list and manifests, statistics
 * files named by `committed`). A manifest or manifest list that only expired snapshots reference
 * and that is already gone is skipped (an earlier run deleted it, after the files it named,
 * so re-running after a crash finds the rest). Anything missing that `committed` needs is an
 * error and nothing is listed. FLOE_ERR_INVALID when the two metadata are different tables.
 */
floe_status floe_mnt_expired_files(floe_arena *a, const floe_table_meta *before,
                                   const floe_table_meta *committed,
                                   const floe_mnt_manifest_source *src, floe_mnt_file_list *out,
                                   floe_err *err);

/*
 * The same over several earlier versions at once (`befores`, e.g. the plan's base and the
 * previous versions in its metadata log): every snapshot of any of them that `committed` lacks
 * is expired. Running this after each expiration also finds what an earlier, interrupted
 * cleanup left behind, since those snapshots are still in older metadata files. The kept set is
 * built once.
 */
floe_status floe_mnt_expired_files_since(floe_arena *a, const floe_table_meta *const *befores,
                                         size_t n_befores, const floe_table_meta *committed,
                                         const floe_mnt_manifest_source *src,
                                         floe_mnt_file_list *out, floe_err *err);

typedef struct floe_mnt_delete_opts {
    size_t batch_size; /* files per batch; 0: 1000 */
    bool dry_run;      /* count only */
    /* After each batch (may be NULL): files done so far of `total`; a non-OK status stops the
     * deletion there (cancellation) and is returned. */
    floe_status (*on_batch)(void *ud, size_t done, size_t total, floe_err *err);
    void *ud;
} floe_mnt_delete_opts;

typedef struct floe_mnt_delete_result {
    size_t deleted; /* removed now (dry run: would be) */
    size_t missing; /* already gone: counted as done */
    size_t failed;
    uint64_t bytes; /* sizes of deleted files when known */
    size_t by_kind[FLOE_MNT_FILE_KIND_COUNT];
} floe_mnt_delete_result;

/*
 * Delete files in list order, in batches. A file already gone counts as done. A failed delete
 * does not stop the batch, but deletion stops at the end of the first kind group (consecutive
 * files of one kind) that had a failure, so a manifest is never deleted while a file it names
 * could not be: the run fails with the first error and a later run finds the rest again.
 */
floe_status floe_mnt_delete_files(floe_fileio *io, const floe_mnt_file_list *files,
                                  const floe_mnt_delete_opts *o, floe_mnt_delete_result *res,
                                  floe_err *err);

/* ==== Orphan files ==== */

typedef struct floe_mnt_orphan_opts {
    int64_t older_than_us; /* only files last modified before this instant are candidates */
    /* Where to look; NULL: the table's data and metadata locations (write.data.path /
     * write.metadata.path, else <location>/data and <location>/metadata). */
    const char *const *locations;
    size_t n_locations;
} floe_mnt_orphan_opts;

/*
 * Files under the table's locations that nothing references and that are older than
 * `older_than_us`. Referenced: the current metadata file (m->metadata_location, required) and
 * every file of its metadata log, version-hint.text, every snapshot's manifest list and
 * manifests and every entry of those manifests (DELETED ones too), and statistics and
 * partition-statistics files. Locations are compared after FileIO resolution, so "file:/t/x"
 * and "/t/x" are the same file. Any failure to read metadata fails the whole call (nothing is
 * returned as orphan on partial knowledge). Sorted by location.
 */
floe_status floe_mnt_orphan_files(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                  const floe_mnt_manifest_source *src,
                                  const floe_mnt_orphan_opts *o, floe_mnt_file_list *out,
                                  floe_err *err);

/* The directories orphan cleaning looks in (see floe_mnt_orphan_opts), allocated from `a`. */
floe_status floe_mnt_table_locations(floe_arena *a, const floe_table_meta *m,
                                     const char *const **out, size_t *n, floe_err *err);

/* ==== Data expiration ==== */

typedef enum floe_mnt_ttl_verdict {
    FLOE_MNT_TTL_KEEP = 0,
    FLOE_MNT_TTL_EXPIRE
} floe_mnt_ttl_verdict;

/* A prepared data expiration: the field, how to read its values, and the bound. */
typedef struct floe_mnt_ttl {
    int32_t field_id;
    const floe_ice_type *type; /* timestamp(tz)(_ns), date, long or string */
    floe_mnt_ttl_level level;
    floe_mnt_number_format nfmt;     /* long fields */
    const floe_mnt_pattern *pattern; /* string fields */
    int64_t base_ms;                 /* the instant the retention counts back from */
    int64_t bound_us;                /* values wholly before this instant are expired */
} floe_mnt_ttl;

/*
 * Prepare from the properties: the field (data-expire.field, a top-level or dotted name in the
 * current schema) must be timestamp, timestamptz, timestamp_ns, timestamptz_ns, date, long or
 * string; base = now (CURRENT_TIME) or the time of the latest snapshot on main's ancestry that
 * is not a rewrite (operation "replace") (LAST_COMMIT_TIME; now when there is none); bound =
 * base - retention. FLOE_ERR_INVALID for a missing field or an unsupported type.
 */
floe_status floe_mnt_ttl_prepare(floe_arena *a, const floe_table_meta *m, const floe_mnt_props *p,
                                 int64_t now_ms, floe_mnt_ttl *out, floe_err *err);

/*
 * Decide one data file from its metrics: EXPIRE only when every value of the field is older
 * than the bound, that is the upper bound decodes and the whole period it stands for ends at or
 * before the bound (an instant for timestamps and numbers, a day for dates, the smallest
 * pattern field for strings) and the file's null count for the field is known to be 0 (a file
 * with nulls, or without a null count, or without an upper bound, is kept: a null is not
 * older than anything). `why` (may be NULL) gets a short reason.
 */
floe_mnt_ttl_verdict floe_mnt_ttl_file(const floe_mnt_ttl *t, const floe_data_file *f,
                                       const char **why);

/*
 * Decide a data file from its partition tuple alone, when `spec` has a field on the TTL field
 * with an identity, year, month, day or hour transform: EXPIRE when the partition's whole
 * range ends at or before the bound. KEEP when the partition cannot tell (null partition
 * value, other transforms, non-time fields).
 */
floe_mnt_ttl_verdict floe_mnt_ttl_partition(const floe_mnt_ttl *t, const floe_partition_spec *spec,
                                            const floe_value *partition);

/*
 * Which live files to remove. FILE level: data files whose metrics expire them. PARTITION
 * level: every file (data and delete) of a partition (spec id + tuple) whose data files all
 * expire, by partition value or by metrics; a partition with a file that is kept stays whole.
 * Delete files are only removed at partition level (at file level they are left to dangling
 * delete cleaning). `out` gets indexes into `files`, ascending.
 */
floe_status floe_mnt_ttl_plan(floe_arena *a, const floe_mnt_ttl *t, const floe_table_meta *m,
                              const floe_data_file *const *files, size_t n, size_t **out,
                              size_t *n_out, floe_err *err);

/* ==== Automatic tags ==== */

typedef struct floe_mnt_tag_opts {
    int64_t now_ms;
    floe_mnt_period period;
    int32_t offset_minutes;
    int32_t max_delay_minutes; /* <= 0: no limit */
    const floe_mnt_pattern *format;
    int64_t max_age_ms; /* > 0: the tag's max-ref-age-ms */
} floe_mnt_tag_opts;

/* Options from properties (compiles the tag format into `a`). */
floe_status floe_mnt_tag_opts_from_props(floe_arena *a, const floe_mnt_props *p, int64_t now_ms,
                                         floe_mnt_tag_opts *out, floe_err *err);

typedef struct floe_mnt_tag_decision {
    bool due;                 /* create the tag now */
    const char *name;         /* the tag for the last complete period */
    int64_t boundary_ms;      /* end of that period (UTC) */
    int64_t trigger_ms;       /* boundary + offset: not created before this */
    int64_t snapshot_id;      /* due: the snapshot main pointed at just before the boundary */
    const char *reason;       /* not due: why ("tag exists", "past max delay", ...) */
    floe_ice_update update;   /* due: set-snapshot-ref (tag, max-ref-age-ms when > 0) */
    floe_ice_requirement req; /* due: assert-ref-snapshot-id(name, null): the tag is absent */
} floe_mnt_tag_decision;

/*
 * Decide the automatic tag at o->now_ms. The tagged period is the last one that ended at least
 * `offset` ago: boundary = start of the period containing now - offset; the tag is named by
 * formatting boundary - one period (the period's start) and points at the snapshot main was on
 * just before the boundary, from the snapshot log (from main's ancestry when the table has no
 * log). Not due when a ref of that name exists, when now is past trigger + max delay, or when
 * that snapshot is unknown or expired. FLOE_ERR_INVALID when the name is taken by a branch.
 */
floe_status floe_mnt_tag_decide(floe_arena *a, const floe_table_meta *m, const floe_mnt_tag_opts *o,
                                floe_mnt_tag_decision *out, floe_err *err);

/* ==== Metadata history ==== */

/*
 * Up to `max` of the most recent previous versions in `m`'s metadata log, loaded through `io`,
 * newest first, for floe_mnt_expired_files_since. Versions that are gone, unreadable or of
 * another table (uuid) are skipped: they can only add candidates, never protect a file.
 */
floe_status floe_mnt_load_history(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                  size_t max, const floe_table_meta ***out, size_t *n,
                                  floe_err *err);

/* ==== Run records ==== */

typedef enum floe_mnt_action {
    FLOE_MNT_EXPIRE_SNAPSHOTS = 0,
    FLOE_MNT_CLEAN_ORPHANS,
    FLOE_MNT_CLEAN_DANGLING_DELETES,
    FLOE_MNT_EXPIRE_DATA,
    FLOE_MNT_AUTO_TAG,
    FLOE_MNT_ACTION_COUNT
} floe_mnt_action;

const char *floe_mnt_action_name(floe_mnt_action a); /* "expire-snapshots", ... */
/* A name (any case) or a short alias: expire, clean-orphans, clean-dangling-deletes, auto-tag. */
floe_status floe_mnt_action_parse(const char *s, floe_mnt_action *out, floe_err *err);

/* What one maintenance run did. Strings are borrowed by floe_mnt_run_to_json. */
typedef struct floe_mnt_run {
    floe_mnt_action action;
    const char *table;   /* "ns.table" or a location */
    int64_t started_ms;  /* wall clock */
    int64_t duration_ms; /* monotonic */
    bool dry_run;
    floe_status status; /* FLOE_OK, or the failure */
    const char *error;  /* the message when status != OK */
    size_t snapshots_expired;
    size_t refs_removed;
    size_t files_listed; /* files found to delete */
    floe_mnt_delete_result deleted;
    size_t dirs_removed;
    const char *tag_name; /* auto tags: the tag created */
    /* Expiration: the metadata the plan was made from and the committed one, so an interrupted
     * cleanup can be run again from them. NULL when not known. */
    const char *base_metadata;
    const char *committed_metadata;
    /* Not attempted (gc.enabled=false, the action disabled, nothing due): why; NULL when the
     * action ran. A skipped run has status FLOE_OK and zero counts. */
    const char *skipped;
    size_t files_removed; /* expire-data, dangling deletes: files the commit removed from the
                           * table (they are deleted from storage when their snapshots expire) */
    int64_t snapshot_id;  /* the snapshot a commit of this run created (tag: the tagged one); 0 */
    /* What the run decided, for callers that print it (the CLI); NULL when nothing was decided.
     * Borrowed from the job's arena. Expiration: the expired snapshot ids (snapshots_expired
     * of them) and the dropped refs (refs_removed); expiration and orphans: the files listed
     * for deletion (files_listed of them, in deletion order). */
    const int64_t *expired_ids;
    const char *const *dropped_refs;
    const floe_mnt_file_list *files;
} floe_mnt_run;

/*
 * The record as a JSON object: action, table, started-at (ISO), started-ms, duration-ms,
 * dry-run, status ("ok" or the status name), error, skipped, counts {snapshots-expired,
 * refs-removed, files-listed, files-removed, files-deleted, files-missing, files-failed,
 * bytes-deleted, dirs-removed, by-kind{data, position-deletes, ...}}, tag, snapshot-id,
 * base-metadata, committed-metadata. New reference, owned by the caller.
 */
json_t *floe_mnt_run_to_json(const floe_mnt_run *r);

/* ==== Dangling delete files ==== */

/*
 * The live delete files of the table's current snapshot that apply to no live data file of it,
 * by the scan planner's own rules (floe_scan_plan: position deletes with a data sequence number
 * >= the data file's whose referenced_data_file or file_path bounds admit it, equality deletes
 * with a data sequence number > the data file's, same spec and partition, or any partition
 * for an unpartitioned spec): a delete file no scan task carries is dangling. A Parquet
 * position delete file without referenced_data_file that the planner applied is read: when no
 * path in its file_path column is a live data file, it is dangling too. So a position delete
 * whose target files are gone, and an equality delete older than every live data file of its
 * partition, are listed. Any read failure fails the call. Sorted by location; kinds are
 * POSITION_DELETES / EQUALITY_DELETES. Empty without a snapshot.
 */
floe_status floe_mnt_dangling_deletes(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                      floe_mnt_file_list *out, floe_err *err);

/* ==== Jobs: one action end to end through a catalog ==== */

/*
 * Properties for a table from its own properties over the catalog's `table.`-prefixed defaults
 * (prefix already stripped, as floe_catalog_table_defaults returns them): a key the table sets
 * wins. Then floe_mnt_props_parse. Strings borrow the inputs or `a`.
 */
floe_status floe_mnt_props_layered(floe_arena *a, const floe_kv *defaults, size_t n_defaults,
                                   const floe_kv *props, size_t n_props, floe_mnt_props *out,
                                   floe_err *err);

typedef struct floe_mnt_job_opts {
    int64_t now_ms;          /* the clock the decisions use */
    bool dry_run;            /* decide and list, commit and delete nothing */
    bool ignore_switch;      /* run even when the action's own *.enabled property is false (a manual
                              * trigger); gc.enabled=false still stops every action that deletes,
                              * except as a dry run (it deletes nothing) */
    const floe_kv *defaults; /* catalog table defaults (prefix stripped); borrowed */
    size_t n_defaults;
    /* Snapshots expiration must keep whatever their age: the snapshot a running optimizing
     * process planned from. Borrowed. */
    const int64_t *protected_ids;
    size_t n_protected;
    size_t history_versions; /* expiration also cleans after this many earlier versions; 0: 10 */
    /* With has_older_than (or > 0 without it): overrides the keep duration / orphan minimum
     * age; 0 then means "everything older than now" (`--older-than 0s`). */
    bool has_older_than;
    int64_t older_than_ms;
    int32_t retain_last;      /* > 0: snapshots kept per branch, over the properties */
    int commit_attempts;      /* expiration and tags: re-plans after a lost commit; 0: 3 */
    floe_mnt_delete_opts del; /* batching and cancellation (on_batch) of deletions */
} floe_mnt_job_opts;

/*
 * Run one maintenance action on the table behind `cat` and fill `run` (its action, started_ms,
 * duration_ms, status and error too; `run->table` is left to the caller). The table's
 * properties (over o->defaults) decide what runs: a disabled action or gc.enabled=false for
 * one that deletes (expiration, orphans, dangling deletes, data expiration) is a skipped run,
 * FLOE_OK. Every commit goes through cat->ops->commit with requirements pinning what the plan
 * saw, so a concurrent writer is never lost (a lost race re-plans from fresh metadata, up to
 * commit_attempts); files are deleted only after that commit returned FLOE_OK, from metadata
 * loaded again afterwards.
 *
 *   EXPIRE_SNAPSHOTS             select, commit remove-snapshots, delete what became unreachable
 *                                (also after up to history_versions earlier versions)
 *   CLEAN_ORPHANS                unreferenced files older than the minimum age; empty dirs
 *   CLEAN_DANGLING_DELETES       a rewrite commit (operation "replace") removing the dangling
 *                                delete files (floe_mnt_dangling_deletes) from main
 *   EXPIRE_DATA                  a delete-files commit removing the files floe_mnt_ttl_plan
 *                                chose from main's current snapshot
 *   AUTO_TAG                     create the due tag (requirement: the tag is still absent)
 *
 * Commits of dangling-delete cleaning and data expiration carry the summary
 * snapshot-producer=CLEAN_DANGLING_DELETE / DATA_EXPIRATION. Everything is allocated from `a`.
 */
floe_status floe_mnt_job_run(floe_arena *a, floe_ice_catalog *cat, floe_mnt_action action,
                             const floe_mnt_job_opts *o, floe_mnt_run *run, floe_err *err);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_MAINTENANCE_H */
