/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-optimizing table properties: Amoro's keys and defaults, catalog `table.` defaults under
 * the table's own values, strict validation, and the filter predicate.
 */
#include "opt_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void floe_opt_props_default(floe_opt_props *p)
{
    *p = (floe_opt_props){
        .enabled = true,
        .group = "default",
        .quota = 0.5,
        .execute_num_retries = 5,
        .allow_partial_commit = false,
        .target_size = 134217728,
        .fragment_ratio = 8,
        .min_target_size_ratio = 0.75,
        .max_task_size_bytes = 134217728,
        .max_file_count = 10000,
        .minor_trigger_file_count = 12,
        .minor_trigger_interval_ms = 3600000,
        .major_trigger_duplicate_ratio = 0.1,
        .full_trigger_interval_ms = -1,
        .full_rewrite_all_files = true,
        .min_plan_interval_ms = 60000,
        .filter = NULL,
        .filter_expr = NULL,
        .evaluation_fallback_interval_ms = -1,
        .evaluation_mse_tolerance = 0,
        .refresh_adaptive_max_interval_ms = 0,
        .refresh_adaptive_increase_step_ms = 30000,
        .row_group_merge = false,
        .row_group_merge_min_avg_bytes = 8388608,
        .open_file_cost = 4194304,
    };
}

/* ==== Key table ==== */

typedef enum kind {
    K_BOOL,
    K_I32,   /* integer in [min, max] */
    K_I64,   /* integer in [min, max] */
    K_SIZE,  /* byte size in [min, max], suffixes allowed */
    K_RATIO, /* double in (dmin, dmax] (or [dmin, dmax] with closed_min) */
    K_GROUP,
    K_FILTER
} kind;

typedef struct key_def {
    const char *key; /* without the "self-optimizing." prefix unless `full_key` */
    kind k;
    size_t off;
    int64_t min, max;
    double dmin, dmax;
    bool closed_min;
    bool full_key;
} key_def;

#define OFF(f) offsetof(floe_opt_props, f)
#define I64MAX INT64_MAX
#define I32MAX INT32_MAX

static const key_def KEYS[] = {
    {"enabled", K_BOOL, OFF(enabled), 0, 0, 0, 0, false, false},
    {"group", K_GROUP, OFF(group), 0, 0, 0, 0, false, false},
    {"quota", K_RATIO, OFF(quota), 0, 0, 0, 1024, false, false},
    {"execute.num-retries", K_I32, OFF(execute_num_retries), 0, 1000, 0, 0, false, false},
    {"allow-partial-commit", K_BOOL, OFF(allow_partial_commit), 0, 0, 0, 0, false, false},
    {"target-size", K_SIZE, OFF(target_size), 1024, (int64_t)1 << 40, 0, 0, false, false},
    {"fragment-ratio", K_I32, OFF(fragment_ratio), 1, 1 << 20, 0, 0, false, false},
    {"min-target-size-ratio", K_RATIO, OFF(min_target_size_ratio), 0, 0, 0, 1, false, false},
    {"max-task-size-bytes", K_SIZE, OFF(max_task_size_bytes), 1024, (int64_t)1 << 42, 0, 0, false,
     false},
    {"max-file-count", K_I32, OFF(max_file_count), 1, 10000000, 0, 0, false, false},
    {"minor.trigger.file-count", K_I32, OFF(minor_trigger_file_count), 1, I32MAX, 0, 0, false,
     false},
    {"minor.trigger.interval", K_I64, OFF(minor_trigger_interval_ms), -1, I64MAX / 4, 0, 0, false,
     false},
    {"major.trigger.duplicate-ratio", K_RATIO, OFF(major_trigger_duplicate_ratio), 0, 0, 0, 1, true,
     false},
    {"full.trigger.interval", K_I64, OFF(full_trigger_interval_ms), -1, I64MAX / 4, 0, 0, false,
     false},
    {"full.rewrite-all-files", K_BOOL, OFF(full_rewrite_all_files), 0, 0, 0, 0, false, false},
    {"min-plan-interval", K_I64, OFF(min_plan_interval_ms), 0, I64MAX / 4, 0, 0, false, false},
    {"filter", K_FILTER, OFF(filter), 0, 0, 0, 0, false, false},
    /* Amoro's older name of the filter (#3424). */
    {"partition-filter", K_FILTER, OFF(filter), 0, 0, 0, 0, false, false},
    {"evaluation.fallback-interval", K_I64, OFF(evaluation_fallback_interval_ms), -1, I64MAX / 4, 0,
     0, false, false},
    {"evaluation.file-size.mse-tolerance", K_RATIO, OFF(evaluation_mse_tolerance), 0, 0, 0, 1e300,
     true, false},
    {"refresh-table.adaptive.max-interval-ms", K_I64, OFF(refresh_adaptive_max_interval_ms), 0,
     I64MAX / 4, 0, 0, false, false},
    {"refresh-table.adaptive.increase-step-ms", K_I64, OFF(refresh_adaptive_increase_step_ms), 1,
     I64MAX / 4, 0, 0, false, false},
    {"rewrite.use-parquet-row-group-merge.enabled", K_BOOL, OFF(row_group_merge), 0, 0, 0, 0, false,
     false},
    {"rewrite.use-parquet-row-group-merge.min-avg-row-group-size-bytes", K_SIZE,
     OFF(row_group_merge_min_avg_bytes), 0, (int64_t)1 << 40, 0, 0, false, false},
    {"read.split.open-file-cost", K_SIZE, OFF(open_file_cost), 0, (int64_t)1 << 40, 0, 0, false,
     true},
};

static const key_def *find_key(const char *key)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(KEYS); i++) {
        const key_def *d = &KEYS[i];
        if (d->full_key) {
            if (strcmp(key, d->key) == 0) {
                return d;
            }
        } else if (floe_starts_with(key, FLOE_OPT_PREFIX) &&
                   strcmp(key + strlen(FLOE_OPT_PREFIX), d->key) == 0) {
            return d;
        }
    }
    return NULL;
}

static bool group_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > FLOE_OPT_GROUP_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Apply one recognised key; `where` says which list it came from, for messages. */
static floe_status apply_key(floe_arena *a, const key_def *d, const char *key, const char *value,
                             const char *where, floe_opt_props *p, floe_err *err)
{
    char *field = (char *)p + d->off;
    floe_err sub = {0};
    switch (d->k) {
    case K_BOOL: {
        /* Amoro reads booleans with Boolean.parseBoolean: only true/false are meaningful. */
        if (strcasecmp(value, "true") == 0) {
            *(bool *)field = true;
        } else if (strcasecmp(value, "false") == 0) {
            *(bool *)field = false;
        } else {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s %s: expected true or false, got '%s'",
                                where, key, value);
        }
        return FLOE_OK;
    }
    case K_I32:
    case K_I64: {
        int64_t v = 0;
        if (floe_parse_i64(value, &v, &sub) != FLOE_OK || v < d->min || v > d->max) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s %s: expected an integer in [%lld, %lld], got '%s'", where, key,
                                (long long)d->min, (long long)d->max, value);
        }
        if (d->k == K_I32) {
            *(int32_t *)field = (int32_t)v;
        } else {
            *(int64_t *)field = v;
        }
        return FLOE_OK;
    }
    case K_SIZE: {
        uint64_t v = 0;
        if (floe_parse_size(value, &v, &sub) != FLOE_OK || v < (uint64_t)d->min ||
            v > (uint64_t)d->max) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s %s: expected a byte size in [%lld, %lld], got '%s'", where, key,
                                (long long)d->min, (long long)d->max, value);
        }
        *(int64_t *)field = (int64_t)v;
        return FLOE_OK;
    }
    case K_RATIO: {
        double v = 0;
        bool ok = floe_parse_double(value, &v, &sub) == FLOE_OK && isfinite(v) && v <= d->dmax &&
                  (d->closed_min ? v >= d->dmin : v > d->dmin);
        if (!ok) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "%s %s: expected a number in %c%g, %g], got '%s'", where, key,
                                d->closed_min ? '[' : '(', d->dmin, d->dmax, value);
        }
        *(double *)field = v;
        return FLOE_OK;
    }
    case K_GROUP:
        if (!group_name_ok(value)) {
            return floe_err_set(
                err, FLOE_ERR_INVALID,
                "%s %s: a group name is 1..%d characters of [A-Za-z0-9_-], got '%s'", where, key,
                FLOE_OPT_GROUP_NAME_MAX, value);
        }
        p->group = floe_arena_strdup(a, value);
        return p->group ? FLOE_OK : floe_arena_check(a, err);
    case K_FILTER: {
        size_t len = strlen(value);
        if (len > FLOE_OPT_FILTER_MAX) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s %s: longer than %d bytes", where, key,
                                FLOE_OPT_FILTER_MAX);
        }
        /* An empty or blank filter means "no filter", as Amoro treats it. */
        bool blank = true;
        for (size_t i = 0; i < len; i++) {
            if (value[i] != ' ' && value[i] != '\t' && value[i] != '\n' && value[i] != '\r') {
                blank = false;
            }
        }
        if (blank) {
            p->filter = NULL;
            p->filter_expr = NULL;
            return FLOE_OK;
        }
        const floe_ice_expr *e = NULL;
        if (floe_ice_expr_parse(a, value, len, &e, err) != FLOE_OK) {
            return floe_err_wrap(err, "%s %s", where, key);
        }
        p->filter = floe_arena_strdup(a, value);
        p->filter_expr = e;
        return p->filter ? FLOE_OK : floe_arena_check(a, err);
    }
    }
    return floe_err_set(err, FLOE_ERR_INTERNAL, "bad property kind");
}

static floe_status apply_list(floe_arena *a, const floe_kv *kv, size_t n, const char *strip,
                              const char *where, floe_opt_props *p, floe_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *key = kv[i].key;
        const char *value = kv[i].value ? kv[i].value : "";
        if (key == NULL) {
            continue;
        }
        if (strip != NULL) {
            if (!floe_starts_with(key, strip)) {
                continue;
            }
            key += strlen(strip);
        }
        const key_def *d = find_key(key);
        if (d == NULL) {
            if (floe_starts_with(key, FLOE_OPT_PREFIX)) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "%s %s%s: unknown self-optimizing property", where,
                                    strip ? strip : "", key);
            }
            continue;
        }
        floe_status st = apply_key(a, d, key, value, where, p, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

floe_status floe_opt_props_parse(floe_arena *a, const floe_kv *catalog_props, size_t n_catalog,
                                 const floe_kv *table_props, size_t n_table, floe_opt_props *out,
                                 floe_err *err)
{
    floe_opt_props p;
    floe_opt_props_default(&p);
    floe_status st = apply_list(a, catalog_props, n_catalog, "table.", "catalog property", &p, err);
    if (st == FLOE_OK) {
        st = apply_list(a, table_props, n_table, NULL, "table property", &p, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    /* Cross-field check: the fragment threshold must stay below the target. */
    if (p.target_size / p.fragment_ratio < 1) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "self-optimizing.fragment-ratio %d is larger than target-size %lld",
                            p.fragment_ratio, (long long)p.target_size);
    }
    *out = p;
    return FLOE_OK;
}

int64_t floe_opt_props_fragment_size(const floe_opt_props *p)
{
    return p->target_size / (p->fragment_ratio > 0 ? p->fragment_ratio : 1);
}

int64_t floe_opt_props_min_target_size(const floe_opt_props *p)
{
    return (int64_t)((double)p->target_size * p->min_target_size_ratio);
}

int64_t floe_opt_props_task_size(const floe_opt_props *p)
{
    return p->target_size > p->max_task_size_bytes ? p->target_size : p->max_task_size_bytes;
}

int32_t floe_opt_quota_threads(double quota, int32_t group_threads)
{
    double v = quota <= 1.0 ? ceil(quota * (double)(group_threads > 0 ? group_threads : 1)) : quota;
    if (!(v >= 1.0)) {
        return 1;
    }
    if (v > (double)INT32_MAX) {
        return INT32_MAX;
    }
    return (int32_t)v;
}

/* ==== Names ==== */

static const char *const TYPE_NAMES[] = {"none", "minor", "major", "full"};

const char *floe_opt_type_name(floe_opt_type t)
{
    return (unsigned)t < FLOE_ARRAY_LEN(TYPE_NAMES) ? TYPE_NAMES[t] : "unknown";
}

floe_status floe_opt_type_parse(const char *s, floe_opt_type *out, floe_err *err)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(TYPE_NAMES); i++) {
        if (s != NULL && strcmp(s, TYPE_NAMES[i]) == 0) {
            *out = (floe_opt_type)i;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "unknown optimizing type '%s'", s ? s : "");
}

static const char *const POLICY_NAMES[] = {"quota", "balanced"};

const char *floe_opt_policy_name(floe_opt_policy p)
{
    return (unsigned)p < FLOE_ARRAY_LEN(POLICY_NAMES) ? POLICY_NAMES[p] : "unknown";
}

floe_status floe_opt_policy_parse(const char *s, floe_opt_policy *out, floe_err *err)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(POLICY_NAMES); i++) {
        if (s != NULL && strcasecmp(s, POLICY_NAMES[i]) == 0) {
            *out = (floe_opt_policy)i;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_INVALID,
                        "unknown scheduling policy '%s' (expected quota or balanced)", s ? s : "");
}

bool floe_opt_group_name_valid(const char *s)
{
    return s != NULL && group_name_ok(s);
}
