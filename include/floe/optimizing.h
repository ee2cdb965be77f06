/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-optimizing (server side): Amoro's model of continuous compaction, in C.
 *
 * Pieces, each usable on its own:
 *   - properties: every `self-optimizing.*` table property with Amoro's defaults, catalog-level
 *     `table.`-prefixed defaults layered under the table's own, strict validation, and the
 *     `.filter` predicate parsed into an Iceberg expression;
 *   - evaluator: one streaming pass over a table's live data files (each with its applicable
 *     delete files) that keeps only per-partition aggregates, classifies files as fragments,
 *     undersized segments and segments exactly as Amoro does, decides minor / major / full per
 *     partition, and summarises the pending input with a health score;
 *   - planner: picks partitions by cost within the group's budget, then a second pass collects
 *     only those partitions' files (capped per plan) and bin-packs them into rewrite tasks;
 *   - model: processes, tasks and table runtimes as plain data with pure, idempotent state
 *     transitions and a JSON form (task inputs and outputs are plain JSON, never blobs);
 *   - service: optimizer groups with quota/balanced scheduling, per-group task queues and the
 *     optimizer protocol (register, heartbeat, poll, ack, complete) as JSON-in/JSON-out calls
 *     with an injected clock.
 * docs/internals/optimizing.md explains the design and the mapping to Amoro.
 *
 * Memory: evaluation and planning results live in a caller's arena; the service owns its state
 * on the heap. JSON values returned by *_to_json and by the service are new references owned by
 * the caller (json_decref); json_t arguments are borrowed.
 */
#ifndef FLOE_OPTIMIZING_H
#define FLOE_OPTIMIZING_H

#include "floe/base.h"
#include "floe/iceberg.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Properties ==== */

#define FLOE_OPT_PREFIX "self-optimizing."
#define FLOE_OPT_GROUP_NAME_MAX 64
#define FLOE_OPT_FILTER_MAX 65536 /* bytes of self-optimizing.filter text */

/*
 * A table's effective self-optimizing configuration. Strings live in the arena given to
 * floe_opt_props_parse (or are static for the defaults).
 */
typedef struct floe_opt_props {
    bool enabled;      /* self-optimizing.enabled (true) */
    const char *group; /* .group ("default") */
    double quota;      /* .quota (0.5): <= 1 a share of the group's threads, > 1 threads */
    int32_t execute_num_retries;               /* .execute.num-retries (5) */
    bool allow_partial_commit;                 /* .allow-partial-commit (false) */
    int64_t target_size;                       /* .target-size (134217728) */
    int32_t fragment_ratio;                    /* .fragment-ratio (8) */
    double min_target_size_ratio;              /* .min-target-size-ratio (0.75) */
    int64_t max_task_size_bytes;               /* .max-task-size-bytes (134217728) */
    int32_t max_file_count;                    /* .max-file-count (10000): data files per plan */
    int32_t minor_trigger_file_count;          /* .minor.trigger.file-count (12) */
    int64_t minor_trigger_interval_ms;         /* .minor.trigger.interval (3600000; -1 off) */
    double major_trigger_duplicate_ratio;      /* .major.trigger.duplicate-ratio (0.1) */
    int64_t full_trigger_interval_ms;          /* .full.trigger.interval (-1: off) */
    bool full_rewrite_all_files;               /* .full.rewrite-all-files (true) */
    int64_t min_plan_interval_ms;              /* .min-plan-interval (60000) */
    const char *filter;                        /* .filter text, NULL when unset */
    const floe_ice_expr *filter_expr;          /* .filter parsed (unbound), NULL when unset */
    int64_t evaluation_fallback_interval_ms;   /* .evaluation.fallback-interval (-1), stored only */
    double evaluation_mse_tolerance;           /* .evaluation.file-size.mse-tolerance (0) */
    int64_t refresh_adaptive_max_interval_ms;  /* .refresh-table.adaptive.max-interval-ms (0) */
    int64_t refresh_adaptive_increase_step_ms; /* .refresh-table.adaptive.increase-step-ms */
    bool row_group_merge;                      /* .rewrite.use-parquet-row-group-merge.enabled */
    int64_t row_group_merge_min_avg_bytes;     /* ...min-avg-row-group-size-bytes (8388608) */
    int64_t open_file_cost; /* read.split.open-file-cost (4194304), used in partition costs */
} floe_opt_props;

/* Amoro's defaults. */
void floe_opt_props_default(floe_opt_props *out);

/*
 * The effective configuration of a table: defaults, then the catalog's `table.`-prefixed
 * properties (`table.self-optimizing.group` ...; other catalog properties are ignored), then
 * the table's own properties. Both lists may be NULL/0. Values are checked strictly: integers
 * and ratios must parse in full and be in range, byte sizes accept suffixes ("128MB"), booleans
 * true/false. An unknown `self-optimizing.*` key is an error too, so a typo never silently
 * falls back to a default. FLOE_ERR_INVALID names the key, the value and where it came from
 * ("table property self-optimizing.quota: expected a number > 0, got 'lots'").
 */
floe_status floe_opt_props_parse(floe_arena *a, const floe_kv *catalog_props, size_t n_catalog,
                                 const floe_kv *table_props, size_t n_table, floe_opt_props *out,
                                 floe_err *err);

/* Derived thresholds: target / fragment-ratio and target * min-target-size-ratio. */
int64_t floe_opt_props_fragment_size(const floe_opt_props *p);
int64_t floe_opt_props_min_target_size(const floe_opt_props *p);
/* Bin capacity of the task splitter: max(target-size, max-task-size-bytes). */
int64_t floe_opt_props_task_size(const floe_opt_props *p);
/* Concurrent task limit of a table in a group with `group_threads` threads (at least 1). */
int32_t floe_opt_quota_threads(double quota, int32_t group_threads);

/* ==== Optimizing types and input files ==== */

typedef enum floe_opt_type {
    FLOE_OPT_NONE = 0, /* nothing to do */
    FLOE_OPT_MINOR,
    FLOE_OPT_MAJOR,
    FLOE_OPT_FULL
} floe_opt_type;

const char *floe_opt_type_name(floe_opt_type t); /* "none", "minor", "major", "full" */
floe_status floe_opt_type_parse(const char *s, floe_opt_type *out, floe_err *err);

/*
 * One live data file of the scanned snapshot with the delete files that apply to it (as scan
 * planning finds them: same partition or global equality deletes with a higher data sequence
 * number, position deletes with a sequence number >= the file's). Entries carry the data
 * sequence numbers; `data->file.content` must be DATA and every delete a delete file.
 * Everything is borrowed for the duration of the visit callback only.
 */
typedef struct floe_opt_input {
    const floe_manifest_entry *data;
    const floe_manifest_entry *const *deletes;
    size_t n_deletes;
} floe_opt_input;

/* Called once per input file; a status other than FLOE_OK stops the pass and is returned. */
typedef floe_status (*floe_opt_visit_fn)(void *visit_ud, const floe_opt_input *in, floe_err *err);

/*
 * A source of input files: each call to `scan` is one complete pass over the live data files of
 * the snapshot being evaluated, in any order, calling `visit` for each (the manifest-backed
 * source streams manifests; tests use arrays). The planner calls it twice. The two passes must
 * see the same files.
 */
typedef struct floe_opt_source {
    floe_status (*scan)(void *ud, floe_opt_visit_fn visit, void *visit_ud, floe_err *err);
    void *ud;
} floe_opt_source;

/*
 * The manifest-backed source: every pass is a streaming scan plan (floe_scan_plan) of
 * `snapshot_id` of `meta`, so the live data files arrive with exactly the delete files that
 * apply to them (same rules as readers) and memory stays bounded by the delete index. Fill the
 * first four fields, then call floe_opt_manifest_source_init; `ms` and what it points to must
 * outlive the source.
 */
typedef struct floe_opt_manifest_source {
    floe_fileio *io;
    const floe_table_meta *meta;
    int64_t snapshot_id;
    size_t index_max;      /* memory for the delete index; 0: FLOE_SCAN_INDEX_MAX */
    floe_scan_stats stats; /* of the last pass */
    int64_t files;         /* files visited over all passes */
    int passes;
} floe_opt_manifest_source;

void floe_opt_manifest_source_init(floe_opt_manifest_source *ms, floe_opt_source *out);

/* ==== Evaluator ==== */

/* What the evaluator needs to know about the table besides its files. */
typedef struct floe_opt_table_ctx {
    const floe_table_meta *meta; /* schema and specs (filter binding, partition JSON) */
    const floe_opt_props *props;
    int64_t now_ms;
    int64_t last_minor_ms; /* 0 when never */
    int64_t last_full_ms;
} floe_opt_table_ctx;

/* Per-partition aggregates: counts and bytes per file class (Amoro's names). */
typedef struct floe_opt_partition_stats {
    int32_t spec_id;
    const char *partition; /* JSON object keyed by partition field id, e.g. {"1000":3} */
    const char *key; /* "<spec id>:<canonical tuple JSON>": unique per partition, matched on */
    int64_t fragment_count, fragment_bytes, fragment_records;
    int64_t undersized_count, undersized_bytes, undersized_records; /* merge candidates */
    int64_t rewrite_segment_count, rewrite_segment_bytes, rewrite_segment_records;
    int64_t rewrite_pos_count, rewrite_pos_bytes, rewrite_pos_records; /* deletes rewritten */
    int64_t reserved_count, reserved_bytes, reserved_records;          /* left as they are */
    int64_t combine_pos_count;                /* segments with more than one position delete file */
    int64_t min1_undersized, min2_undersized; /* INT64_MAX when none */
    int64_t eq_delete_count, eq_delete_bytes, eq_delete_records;    /* distinct files */
    int64_t pos_delete_count, pos_delete_bytes, pos_delete_records; /* distinct files */
    int64_t cost;       /* Amoro's partition cost (planning priority and budget) */
    floe_opt_type type; /* NONE when the partition needs nothing */
} floe_opt_partition_stats;

/* The table-level summary (Amoro's pending input plus health). */
typedef struct floe_opt_summary {
    int64_t data_files, data_bytes, data_records; /* every live data file in scope */
    int64_t filtered_out;                         /* data files outside self-optimizing.filter */
    int64_t fragment_count, fragment_bytes;
    int64_t undersized_count, undersized_bytes;
    int64_t segment_count, segment_bytes; /* rewrite, rewrite-pos and reserved segments */
    int64_t eq_delete_files, eq_delete_bytes, eq_delete_records;
    int64_t pos_delete_files, pos_delete_bytes, pos_delete_records;
    int64_t partitions;                   /* partitions seen */
    int64_t pending_partitions;           /* partitions whose type is not NONE */
    int64_t pending_files, pending_bytes; /* data files and bytes those partitions would rewrite */
    int32_t health_score;                 /* 0..100, see floe_opt_health_score */
    int32_t small_file_score;             /* 0..40 */
    int32_t eq_delete_score;              /* 0..40 */
    int32_t pos_delete_score;             /* 0..20 */
    floe_opt_type type; /* FULL if any partition needs full, else MAJOR, MINOR or NONE */
    bool full_interval_reached;
} floe_opt_summary;

/* The result of one evaluation; allocated in the arena given to floe_opt_evaluate. */
typedef struct floe_opt_evaluation {
    floe_opt_summary summary;
    floe_opt_partition_stats *partitions; /* every partition seen, sorted by cost descending */
    size_t n_partitions;
} floe_opt_evaluation;

/*
 * One pass over `src`, keeping only per-partition aggregates (and, per partition, a set of
 * 64-bit hashes of the delete file paths seen, to count each delete file once). Files outside
 * the filter (inclusive partition projection, then file metrics) are counted in
 * summary.filtered_out only. FLOE_ERR_INVALID for a file that is not DATA, a delete that is not
 * a delete, or a filter that does not bind to the current schema.
 */
floe_status floe_opt_evaluate(floe_arena *a, const floe_opt_table_ctx *ctx,
                              const floe_opt_source *src, floe_opt_evaluation **out, floe_err *err);

/*
 * The health score of a table from its totals (Amoro's formula, applied to all data files in
 * scope rather than only the files Amoro would rewrite): small files 40 points, equality-delete
 * ratio 40, position-delete ratio 20; each penalty is scaled by a table factor so that tables
 * with few files or little data lose little. Fills the four score fields of `s`.
 */
void floe_opt_health_score(const floe_opt_props *p, floe_opt_summary *s);

/* The summary as JSON (counts, bytes, health, type). */
json_t *floe_opt_summary_to_json(const floe_opt_summary *s);
json_t *floe_opt_partition_stats_to_json(const floe_opt_partition_stats *p);

/* ==== Tasks: inputs and outputs ==== */

/* A delete file read by a task. */
typedef struct floe_opt_delete_file {
    const char *path;
    floe_file_content content; /* POSITION_DELETES or EQUALITY_DELETES */
    floe_file_format format;
    int64_t size;
    int64_t records;
    int64_t data_sequence_number;
    const int32_t *equality_ids;
    size_t n_equality_ids;
    const char *referenced_data_file; /* NULL when absent */
    bool has_content_offset;          /* deletion vectors */
    int64_t content_offset;
    int64_t content_size;
    /* True when no data file outside the process references it: the commit may remove it once
     * every task reading it succeeded. False: read-only (shared, global or reserved). */
    bool removable;
} floe_opt_delete_file;

typedef enum floe_opt_file_role {
    FLOE_OPT_REWRITE = 0, /* read with deletes applied, rows rewritten into new data files */
    FLOE_OPT_REWRITE_POS  /* kept; its deletes are rewritten into one position delete file */
} floe_opt_file_role;

/* A data file read by a task. */
typedef struct floe_opt_data_file {
    const char *path;
    floe_file_format format;
    floe_opt_file_role role;
    int64_t size;
    int64_t records;
    int64_t data_sequence_number;
    const uint32_t *deletes; /* indices into the task's delete files */
    size_t n_deletes;
} floe_opt_data_file;

/* Everything a worker needs to run a task: plain data, serialised as plain JSON. */
typedef struct floe_opt_task_input {
    const char *table; /* the table's identifier, as the service names it */
    /* The metadata file the plan was made from (NULL when unknown, e.g. an input written before
     * the key existed). The worker loads schema, spec, sort order, table location and write
     * properties from it through the FileIO. */
    const char *metadata_location;
    floe_opt_type type;      /* the process type */
    int64_t snapshot_id;     /* the snapshot the plan was made from */
    int64_t sequence_number; /* its sequence number: the data sequence number outputs keep */
    int32_t schema_id;
    int32_t spec_id;
    const char *partition; /* partition JSON (keyed by field id), "{}" when unpartitioned */
    int64_t target_size;
    const floe_opt_data_file *files;
    size_t n_files;
    const floe_opt_delete_file *deletes;
    size_t n_deletes;
    const floe_kv *properties; /* executor options (row-group merge, ...) */
    size_t n_properties;
} floe_opt_task_input;

/* A file a task wrote, with the metrics the commit needs. */
typedef struct floe_opt_output_file {
    const char *path;
    floe_file_content content;
    floe_file_format format;
    int64_t size;
    int64_t records;
    const floe_field_count *column_sizes;
    size_t n_column_sizes;
    const floe_field_count *value_counts;
    size_t n_value_counts;
    const floe_field_count *null_value_counts;
    size_t n_null_value_counts;
    const floe_field_count *nan_value_counts;
    size_t n_nan_value_counts;
    const floe_field_bound *lower_bounds; /* JSON: hex of the single-value bytes */
    size_t n_lower_bounds;
    const floe_field_bound *upper_bounds;
    size_t n_upper_bounds;
    const int64_t *split_offsets;
    size_t n_split_offsets;
    const char *referenced_data_file; /* position deletes written for one data file */
    bool has_sort_order_id;
    int32_t sort_order_id;
} floe_opt_output_file;

/*
 * What a task found in one of its position-delete files: the distinct data file paths it names
 * (its file_path column) that are not `rewrite` inputs of the task. n_others == 0: every file it
 * names is rewritten by this task. A position-delete file of the task without a report is
 * unknown (not read, more than FLOE_OPT_POS_DELETE_OTHERS_MAX other paths, or an optimizer
 * that predates reports) and the commit keeps it unless the plan marked it removable.
 */
typedef struct floe_opt_pos_delete_report {
    const char *path; /* the delete file, as the task input names it */
    const char *const *others;
    size_t n_others;
} floe_opt_pos_delete_report;

#define FLOE_OPT_POS_DELETE_OTHERS_MAX 1000     /* other paths in one report */
#define FLOE_OPT_POS_DELETE_OTHERS_TOTAL 100000 /* other paths in all reports of one task */

typedef struct floe_opt_task_output {
    const floe_opt_output_file *files;
    size_t n_files;
    const floe_kv *summary; /* metrics: "input-bytes", "output-bytes", "rows", ... */
    size_t n_summary;
    /* JSON "position-deletes" (absent: none, as older optimizers wrote): at most one report per
     * position-delete file of the task input. */
    const floe_opt_pos_delete_report *pos_deletes;
    size_t n_pos_deletes;
} floe_opt_task_output;

#define FLOE_OPT_TASK_JSON_MAX ((size_t)64 << 20) /* largest task input/output JSON accepted */
#define FLOE_OPT_TASK_MAX_FILES 1000000           /* files in one task input/output */

json_t *floe_opt_task_input_to_json(const floe_opt_task_input *in);
json_t *floe_opt_task_output_to_json(const floe_opt_task_output *out);
/* Parse (strictly: required fields, types, ranges, delete indices in range); FLOE_ERR_INVALID. */
floe_status floe_opt_task_input_from_json(floe_arena *a, const json_t *j, floe_opt_task_input *out,
                                          floe_err *err);
floe_status floe_opt_task_output_from_json(floe_arena *a, const json_t *j,
                                           floe_opt_task_output *out, floe_err *err);

/* ==== Planner ==== */

typedef struct floe_opt_plan_opts {
    const char *table;             /* identifier copied into task inputs */
    const char *metadata_location; /* metadata file of the snapshot below, copied into inputs */
    int64_t snapshot_id;           /* the snapshot `src` lists */
    int64_t sequence_number;       /* that snapshot's sequence number */
    int32_t group_threads;         /* threads in the table's group (>= 1 assumed) */
    int64_t max_input_per_thread;  /* the group's max-input-file-size-per-thread (512 MiB) */
    /* Optional: floe_opt_evaluate's result for this same ctx and source (the evaluation that
     * found the table pending). The plan reuses it (borrowed; it must live as long as the plan)
     * instead of making its own first pass, so planning reads the manifests once, not twice. */
    floe_opt_evaluation *evaluation;
} floe_opt_plan_opts;

/* One partition chosen by the planner. */
typedef struct floe_opt_plan_partition {
    const floe_opt_partition_stats *stats; /* from the evaluation */
    floe_opt_type type;
    size_t first_task, n_tasks; /* tasks[first_task .. +n_tasks] */
    bool truncated;             /* the per-plan budget or file cap stopped collection early */
} floe_opt_plan_partition;

typedef struct floe_opt_plan {
    floe_opt_evaluation *evaluation;
    floe_opt_type type; /* FULL if any chosen partition is full, else MAJOR, else MINOR; NONE */
    floe_opt_plan_partition *partitions;
    size_t n_partitions;
    floe_opt_task_input *tasks;
    size_t n_tasks;
    int64_t input_files, input_bytes; /* data files read by all tasks */
    int64_t budget;                   /* group_threads * max_input_per_thread */
} floe_opt_plan;

/*
 * Evaluate (first pass, skipped when opts->evaluation is given), choose partitions by cost until
 * the cumulative cost passes the budget
 * (at least one), then a second pass collects the chosen partitions' files only: at most
 * props.max_file_count data files and about `budget` input bytes per plan (the rest waits for the
 * next plan), and bin-packs each partition's files into tasks of about
 * floe_opt_props_task_size bytes (first-fit decreasing; undersized segments packed among
 * themselves first; a bin holding one data file with no deletes to apply is dropped because
 * rewriting it gains nothing). A plan with no tasks has type NONE. Everything is in `a`.
 */
floe_status floe_opt_plan_make(floe_arena *a, const floe_opt_table_ctx *ctx,
                               const floe_opt_plan_opts *opts, const floe_opt_source *src,
                               floe_opt_plan **out, floe_err *err);

/* ==== Tasks, processes and table runtimes ==== */

typedef enum floe_opt_task_status {
    FLOE_OPT_TASK_PLANNED = 0,
    FLOE_OPT_TASK_SCHEDULED, /* handed to an optimizer thread by poll */
    FLOE_OPT_TASK_ACKED,     /* the optimizer confirmed it runs it */
    FLOE_OPT_TASK_SUCCESS,
    FLOE_OPT_TASK_FAILED,
    FLOE_OPT_TASK_CANCELED,
    FLOE_OPT_TASK_STATUS_COUNT_
} floe_opt_task_status;

const char *floe_opt_task_status_name(floe_opt_task_status s);
floe_status floe_opt_task_status_parse(const char *s, floe_opt_task_status *out, floe_err *err);

#define FLOE_OPT_TOKEN_MAX 64

/*
 * A task's runtime state. `input_json` and `output_json` are compact JSON text (heap, owned by
 * the task; free with floe_opt_task_fini); the service parses them only to answer and check.
 */
typedef struct floe_opt_task {
    int64_t process_id;
    int32_t task_id; /* 1..n within the process */
    int32_t attempt; /* incremented each time the task is scheduled */
    floe_opt_task_status status;
    int32_t retries;                    /* failures so far (resets for timeouts do not count) */
    char token[FLOE_OPT_TOKEN_MAX + 1]; /* the optimizer holding it; "" when none */
    int32_t thread_id;
    int64_t planned_ms, scheduled_ms, acked_ms, finished_ms;
    int64_t input_bytes;
    char *fail_reason;
    char *input_json;
    char *output_json;
} floe_opt_task;

void floe_opt_task_fini(floe_opt_task *t);

/*
 * Pure task transitions. Each checks the current status (and token / attempt where given) and
 * either applies the change (FLOE_OK), recognises a repeat of a change already applied
 * (FLOE_OK, nothing changes), or refuses with FLOE_ERR_CONFLICT naming both states; a refused
 * transition changes nothing.
 *   schedule: PLANNED -> SCHEDULED (attempt + 1, token and thread recorded)
 *   ack:      SCHEDULED -> ACKED for the same token and attempt
 *   succeed:  ACKED -> SUCCESS (same token and attempt; `output_json` copied)
 *   fail:     ACKED -> FAILED (same token and attempt; retries + 1)
 *   reset:    SCHEDULED | ACKED -> PLANNED (timeouts, lost optimizer; no retry counted)
 *   retry:    FAILED -> PLANNED when retries <= max_retries, else FLOE_ERR_CONFLICT
 *   cancel:   PLANNED | SCHEDULED | ACKED -> CANCELED
 */
floe_status floe_opt_task_schedule(floe_opt_task *t, const char *token, int32_t thread_id,
                                   int64_t now_ms, floe_err *err);
floe_status floe_opt_task_ack(floe_opt_task *t, const char *token, int32_t attempt, int64_t now_ms,
                              floe_err *err);
floe_status floe_opt_task_succeed(floe_opt_task *t, const char *token, int32_t attempt,
                                  const char *output_json, int64_t now_ms, floe_err *err);
floe_status floe_opt_task_fail(floe_opt_task *t, const char *token, int32_t attempt,
                               const char *reason, int64_t now_ms, floe_err *err);
floe_status floe_opt_task_reset(floe_opt_task *t, floe_err *err);
floe_status floe_opt_task_retry(floe_opt_task *t, int32_t max_retries, floe_err *err);
floe_status floe_opt_task_cancel(floe_opt_task *t, int64_t now_ms, floe_err *err);

json_t *floe_opt_task_to_json(const floe_opt_task *t);
/* Into caller storage (zero it first); free with floe_opt_task_fini even on failure. */
floe_status floe_opt_task_from_json(const json_t *j, floe_opt_task *out, floe_err *err);

typedef enum floe_opt_process_status {
    FLOE_OPT_PROC_RUNNING = 0, /* tasks planned or executing */
    FLOE_OPT_PROC_COMMITTING,  /* every task finished; the committer holds it */
    FLOE_OPT_PROC_SUCCESS,
    FLOE_OPT_PROC_FAILED,
    FLOE_OPT_PROC_CANCELED,
    FLOE_OPT_PROC_STATUS_COUNT_
} floe_opt_process_status;

const char *floe_opt_process_status_name(floe_opt_process_status s);
floe_status floe_opt_process_status_parse(const char *s, floe_opt_process_status *out,
                                          floe_err *err);

/* A process: one plan of one table, its tasks, and its outcome. Heap-owned (floe_opt_process_free).
 */
typedef struct floe_opt_process {
    int64_t process_id;
    char *table;
    floe_opt_type type;
    floe_opt_process_status status;
    int64_t snapshot_id;
    int64_t sequence_number;
    int64_t plan_ms, end_ms;
    char *fail_reason;
    floe_opt_task *tasks;
    size_t n_tasks;
    char *summary_json; /* the evaluation summary at plan time; NULL when none */
} floe_opt_process;

/* A process from a plan: one PLANNED task per plan task, inputs serialised to JSON. */
floe_status floe_opt_process_from_plan(const floe_opt_plan *plan, int64_t process_id,
                                       const char *table, int64_t now_ms, floe_opt_process **out,
                                       floe_err *err);
void floe_opt_process_free(floe_opt_process *p);
json_t *floe_opt_process_to_json(const floe_opt_process *p, bool with_tasks);
floe_status floe_opt_process_from_json(const json_t *j, floe_opt_process **out, floe_err *err);
/* Counts of tasks per status (array of FLOE_OPT_TASK_STATUS_COUNT_). */
void floe_opt_process_task_counts(const floe_opt_process *p, size_t *counts);

/* Table optimizing status (Amoro's OptimizingStatus). */
typedef enum floe_opt_status {
    FLOE_OPT_IDLE = 0,
    FLOE_OPT_PENDING,
    FLOE_OPT_PLANNING,
    FLOE_OPT_MINOR_OPTIMIZING,
    FLOE_OPT_MAJOR_OPTIMIZING,
    FLOE_OPT_FULL_OPTIMIZING,
    FLOE_OPT_COMMITTING,
    FLOE_OPT_STATUS_COUNT_
} floe_opt_status;

/* "idle", "pending", "planning", "minor", "major", "full", "committing" (Amoro's display). */
const char *floe_opt_status_name(floe_opt_status s);
floe_status floe_opt_status_parse(const char *s, floe_opt_status *out, floe_err *err);

/* The optimizing runtime of one table: plain data, JSON-serialisable, durable later. */
typedef struct floe_opt_runtime {
    floe_opt_status status;
    int64_t status_since_ms;
    int64_t time_in_ms[FLOE_OPT_STATUS_COUNT_]; /* accumulated, not counting the current stay */
    int64_t process_id;                         /* the current (or last) process; 0 when none */
    int64_t last_optimized_snapshot_id;         /* -1 when never */
    int64_t last_evaluated_snapshot_id;         /* -1 when never */
    int64_t last_minor_ms, last_major_ms, last_full_ms, last_plan_ms;
    floe_opt_summary pending; /* the pending input of the last necessary evaluation */
    bool has_pending;
} floe_opt_runtime;

void floe_opt_runtime_init(floe_opt_runtime *rt, int64_t now_ms);

/*
 * Pure runtime transitions. Allowed: the arrows below. A repeat of a transition already made
 * (same target status, same process / snapshot) is FLOE_OK and changes nothing, so a retried
 * step after a crash is harmless. Anything else is FLOE_ERR_CONFLICT naming the status and the
 * event, and changes nothing. Each change adds the time spent in the old status.
 *   evaluated(necessary):   IDLE -> PENDING (necessary; pending input stored)
 *                           IDLE -> IDLE (not necessary; snapshot marked optimized)
 *                           PENDING -> PENDING (pending input refreshed)
 *   plan_begin:             PENDING -> PLANNING (needs min-plan-interval since the last plan)
 *   plan_failed:            PLANNING -> PENDING
 *   plan_empty:             PLANNING -> IDLE (snapshot marked optimized)
 *   plan_done(type, proc):  PLANNING -> MINOR | MAJOR | FULL
 *   tasks_done(proc):       MINOR | MAJOR | FULL -> COMMITTING
 *   committed(proc):        COMMITTING -> IDLE (last optimized snapshot and last <type> time)
 *   process_closed(proc):   PLANNING | MINOR | MAJOR | FULL | COMMITTING -> IDLE (failure,
 *                           cancel, commit conflict; the table is re-evaluated later)
 *   disable:                any -> IDLE
 *   recover:                after a restart, with whether the runtime's process still exists
 *                           and its status: PLANNING -> PENDING; MINOR|MAJOR|FULL without a
 *                           running process -> IDLE; COMMITTING without a committing process ->
 *                           IDLE; otherwise unchanged. Never refused.
 */
typedef enum floe_opt_event {
    FLOE_OPT_EV_EVALUATED = 0,
    FLOE_OPT_EV_PLAN_BEGIN,
    FLOE_OPT_EV_PLAN_FAILED,
    FLOE_OPT_EV_PLAN_EMPTY,
    FLOE_OPT_EV_PLAN_DONE,
    FLOE_OPT_EV_TASKS_DONE,
    FLOE_OPT_EV_COMMITTED,
    FLOE_OPT_EV_PROCESS_CLOSED,
    FLOE_OPT_EV_DISABLE,
    FLOE_OPT_EV_RECOVER,
    FLOE_OPT_EV_COUNT_
} floe_opt_event;

const char *floe_opt_event_name(floe_opt_event ev);

typedef struct floe_opt_event_args {
    int64_t now_ms;
    int64_t snapshot_id;             /* EVALUATED, PLAN_EMPTY: the snapshot looked at */
    bool necessary;                  /* EVALUATED */
    const floe_opt_summary *pending; /* EVALUATED (may be NULL) */
    int64_t min_plan_interval_ms;    /* PLAN_BEGIN */
    floe_opt_type type;              /* PLAN_DONE */
    int64_t process_id;              /* PLAN_DONE, TASKS_DONE, COMMITTED, PROCESS_CLOSED */
    int64_t plan_ms;                 /* COMMITTED: the plan time recorded as last <type> time */
    int64_t plan_snapshot_id;        /* COMMITTED: becomes the last optimized snapshot */
    bool process_exists;             /* RECOVER */
    floe_opt_process_status process_status; /* RECOVER */
} floe_opt_event_args;

floe_status floe_opt_runtime_apply(floe_opt_runtime *rt, floe_opt_event ev,
                                   const floe_opt_event_args *args, floe_err *err);

json_t *floe_opt_runtime_to_json(const floe_opt_runtime *rt, int64_t now_ms);
floe_status floe_opt_runtime_from_json(const json_t *j, floe_opt_runtime *out, floe_err *err);

/* ==== Committer ==== */

typedef struct floe_opt_commit_result {
    int64_t snapshot_id;    /* the snapshot that holds the rewrite; -1 when none */
    bool already_committed; /* a snapshot of this process was already there (a retried commit) */
    int64_t tasks;          /* successful tasks committed */
    int64_t removed_data_files, removed_delete_files;
    int64_t added_data_files, added_delete_files;
} floe_opt_commit_result;

/*
 * Commit a process (its JSON with tasks, as floe_opt_service_take_commit hands it out) to the
 * table behind `cat` as one REWRITE snapshot (floe_ice_op_commit: load, apply, swap, re-apply
 * on a lost swap): the successful tasks' rewritten data files and removable delete files (minus
 * those a task that did not succeed still reads) are replaced by their output files, which keep
 * the plan snapshot's data sequence number; validated from the plan snapshot. A position-delete
 * file the plan did not mark removable is removed too when every task listing it succeeded and
 * reported it (floe_opt_pos_delete_report) and every path those reports name outside their own
 * task is a `rewrite` input of a successful task: it would apply to nothing afterwards. The
 * snapshot summary records "floe.optimizing.process-id", so a commit retried after a restart finds
 * its earlier snapshot and succeeds without committing twice. FLOE_ERR_CONFLICT when an input file
 * is no longer live or a conflicting delete was added since the plan (the table is unchanged);
 * FLOE_ERR_INVALID for a process with no successful task or unparsable task JSON.
 */
floe_status floe_opt_commit(floe_arena *a, floe_ice_catalog *cat, const json_t *process,
                            floe_opt_commit_result *out, floe_err *err);

/* ==== Optimizer groups and the optimizer service ==== */

typedef enum floe_opt_policy {
    FLOE_OPT_POLICY_QUOTA = 0, /* least quota occupation over the last hour first */
    FLOE_OPT_POLICY_BALANCED   /* longest since last optimized first */
} floe_opt_policy;

const char *floe_opt_policy_name(floe_opt_policy p);
floe_status floe_opt_policy_parse(const char *s, floe_opt_policy *out, floe_err *err);

typedef struct floe_opt_group_def {
    const char *name; /* [A-Za-z0-9_-], 1..FLOE_OPT_GROUP_NAME_MAX */
    floe_opt_policy policy;
    int64_t max_input_per_thread; /* 0: 536870912 */
} floe_opt_group_def;

/* Returns the current time in milliseconds since the epoch. */
typedef int64_t (*floe_opt_clock_fn)(void *ud);

typedef struct floe_opt_service_opts {
    floe_opt_clock_fn clock; /* NULL: the wall clock */
    void *clock_ud;
    int64_t heartbeat_timeout_ms; /* 0: 60000 */
    int64_t ack_timeout_ms;       /* 0: 30000 */
    int64_t execute_timeout_ms;   /* 0: 3600000; -1: none */
    int32_t max_optimizers;       /* 0: 1024 */
    /* Amoro's self-optimizing.break-quota-limit-enabled: when a poll finds no table under its
     * quota with a planned task and no table is being planned (floe_opt_service_planning), a
     * second pass hands out a task ignoring quotas, so idle threads do not stay idle while a
     * table has work. false: quotas always hold. */
    bool break_quota;
} floe_opt_service_opts;

typedef struct floe_opt_service floe_opt_service;

/* Thread-safe (one mutex). Free with floe_opt_service_free. */
floe_opt_service *floe_opt_service_new(const floe_opt_service_opts *opts);
void floe_opt_service_free(floe_opt_service *s);

/* Add or replace a group (replacing keeps its queue and optimizers). */
floe_status floe_opt_service_set_group(floe_opt_service *s, const floe_opt_group_def *def,
                                       floe_err *err);

/*
 * Hand a planned process to the service (consumes `p`, also on failure). The table is known by
 * p->table; `props` gives its group, quota and retries. FLOE_ERR_NOT_FOUND for an unknown
 * group, FLOE_ERR_EXISTS when the table already has a running process.
 */
floe_status floe_opt_service_submit(floe_opt_service *s, floe_opt_process *p,
                                    const floe_opt_props *props, int64_t last_optimized_ms,
                                    floe_err *err);

/*
 * Timeouts, run on every call and periodically by the server: optimizers silent for the
 * heartbeat timeout are removed and their tasks reset to PLANNED; SCHEDULED tasks not acked
 * within the ack timeout and ACKED tasks past the execute timeout are reset (no retry counted).
 */
void floe_opt_service_expire(floe_opt_service *s);

/*
 * The optimizer protocol. Each takes the parsed request body (borrowed) and returns the HTTP
 * status; *resp is set to a new JSON body (an object; errors are {"error":{"code","type",
 * "message"}}). Routes: POST /api/v1/optimizer/register, /heartbeat, /poll, /ack, /complete.
 *   register  {"group","threads","memory-mb"?,"resource-id"?} -> {"token","heartbeat-interval-ms"}
 *   heartbeat {"token"} -> {}                              (401 unknown/expired token)
 *   poll      {"token","thread","wait-ms"?} -> {"task": null | {"process-id","task-id","attempt",
 *             "input"}}                              (wait-ms: see floe_opt_service_poll_wait)
 *   ack       {"token","thread","process-id","task-id","attempt"} -> {}
 *   complete  {"token","thread","process-id","task-id","attempt", "output" | "error"} -> {}
 * A stale ack or completion (a reset or newer attempt, another optimizer's task) answers 409
 * and changes nothing; a repeated completion of the same attempt answers 200 and is ignored.
 */
int floe_opt_service_register(floe_opt_service *s, const json_t *req, json_t **resp);
int floe_opt_service_heartbeat(floe_opt_service *s, const json_t *req, json_t **resp);
int floe_opt_service_poll(floe_opt_service *s, const json_t *req, json_t **resp);
int floe_opt_service_ack(floe_opt_service *s, const json_t *req, json_t **resp);
int floe_opt_service_complete(floe_opt_service *s, const json_t *req, json_t **resp);
/* Route by the last path segment ("register", "poll", ...); 404 for anything else. */
int floe_opt_service_handle(floe_opt_service *s, const char *op, const json_t *req, json_t **resp);

/* ==== Long-poll ==== */

/*
 * A poll may carry "wait-ms" (an integer >= 0): how long the caller is willing to wait for a
 * task when none is available. The service itself never blocks; a transport that can hold a
 * request (the HTTP server suspends the connection) asks again when the tasks hook names the
 * optimizer's group, until the wait has passed, then answers {"task": null}. The wait is capped
 * at FLOE_OPT_POLL_WAIT_MAX_MS and at a third of the heartbeat timeout, so a waiting poll never
 * outlives its optimizer's registration.
 */
#define FLOE_OPT_POLL_WAIT_MAX_MS 30000

typedef struct floe_opt_poll_wait {
    int64_t wait_ms;                         /* capped wait; 0: answer now */
    char group[FLOE_OPT_GROUP_NAME_MAX + 1]; /* the polling optimizer's group */
} floe_opt_poll_wait;

/*
 * floe_opt_service_poll, telling the caller whether it may hold the request: when the answer is
 * 200 {"task": null} and the request asked to wait, wait->wait_ms is the capped wait and
 * wait->group the optimizer's group; otherwise wait->wait_ms is 0. A "wait-ms" that is not a
 * non-negative integer answers 400.
 */
int floe_opt_service_poll_wait(floe_opt_service *s, const json_t *req, floe_opt_poll_wait *wait,
                               json_t **resp);

/*
 * Called whenever tasks may have become available to the optimizers of `group`: a process was
 * submitted, a task went back to PLANNED (failure with retries left, timeout, its optimizer
 * left), a task finished (its table's quota has room again) or an optimizer registered (the
 * group's quotas grew). Called with the service's lock held: it must be quick and must not call
 * into the service.
 */
typedef void (*floe_opt_tasks_fn)(void *ud, const char *group);

/* The server is planning a table (`on` true) or done with it (false; in pairs). While any
 * table is planning, polls keep quotas even with break_quota, so the table about to get tasks
 * finds threads free. */
void floe_opt_service_planning(floe_opt_service *s, bool on);

/* Install (or with NULL remove) the tasks hook; `ud` is borrowed. */
void floe_opt_service_set_tasks_hook(floe_opt_service *s, floe_opt_tasks_fn fn, void *ud);

/*
 * Processes whose tasks all finished, for the committer: the next one in COMMITTING status not
 * yet taken, as a JSON snapshot of the process with its tasks (NULL when none). The committer
 * reports with floe_opt_service_commit_done (ok = false: conflict or failure; the process is
 * FAILED and its outputs become orphans).
 */
json_t *floe_opt_service_take_commit(floe_opt_service *s);
floe_status floe_opt_service_commit_done(floe_opt_service *s, int64_t process_id, bool ok,
                                         const char *reason, floe_err *err);
/* Cancel a running process: unfinished tasks CANCELED, process CANCELED (or COMMITTING with
 * the successful tasks when its table allows partial commits). */
floe_status floe_opt_service_cancel(floe_opt_service *s, int64_t process_id, floe_err *err);

/* Dashboard views: {"groups":[...]}, {"optimizers":[...]}, a process with tasks. */
json_t *floe_opt_service_groups_json(floe_opt_service *s);
json_t *floe_opt_service_optimizers_json(floe_opt_service *s);
json_t *floe_opt_service_process_json(floe_opt_service *s, int64_t process_id);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_OPTIMIZING_H */
