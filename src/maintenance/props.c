/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Maintenance settings from table properties: Amoro's property names and defaults, durations
 * in Amoro's (Flink's) syntax, and strict checking so that a typo is an error naming the
 * property instead of a silently different cleaning policy.
 */
#include "floe/maintenance.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ==== Durations ==== */

typedef struct duration_unit {
    const char *name;
    int64_t num; /* the unit in nanoseconds is num */
} duration_unit;

#define NS_PER_MS INT64_C(1000000)

static const duration_unit duration_units[] = {
    {"d", 86400 * INT64_C(1000000000)},
    {"day", 86400 * INT64_C(1000000000)},
    {"days", 86400 * INT64_C(1000000000)},
    {"h", 3600 * INT64_C(1000000000)},
    {"hour", 3600 * INT64_C(1000000000)},
    {"hours", 3600 * INT64_C(1000000000)},
    {"m", 60 * INT64_C(1000000000)},
    {"min", 60 * INT64_C(1000000000)},
    {"mins", 60 * INT64_C(1000000000)},
    {"minute", 60 * INT64_C(1000000000)},
    {"minutes", 60 * INT64_C(1000000000)},
    {"s", INT64_C(1000000000)},
    {"sec", INT64_C(1000000000)},
    {"secs", INT64_C(1000000000)},
    {"second", INT64_C(1000000000)},
    {"seconds", INT64_C(1000000000)},
    {"ms", NS_PER_MS},
    {"milli", NS_PER_MS},
    {"millis", NS_PER_MS},
    {"millisecond", NS_PER_MS},
    {"milliseconds", NS_PER_MS},
    {"us", 1000},
    {"micro", 1000},
    {"micros", 1000},
    {"microsecond", 1000},
    {"microseconds", 1000},
    {"ns", 1},
    {"nano", 1},
    {"nanos", 1},
    {"nanosecond", 1},
    {"nanoseconds", 1},
};

floe_status floe_mnt_duration_parse(const char *s, int64_t *out_ms, floe_err *err)
{
    if (s == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty duration");
    }
    const char *p = s;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "bad duration '%s': expected a number and a unit such as 720min, "
                            "12h or 90d",
                            s);
    }
    uint64_t n = 0;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "duration '%s' is too large", s);
        }
        n = n * 10 + d;
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    const char *unit = p;
    size_t ulen = 0;
    while (isalpha((unsigned char)unit[ulen])) {
        ulen++;
    }
    const char *rest = unit + ulen;
    while (*rest == ' ' || *rest == '\t') {
        rest++;
    }
    if (*rest != '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "bad duration '%s': unexpected '%s' after the unit", s, rest);
    }
    int64_t unit_ns = NS_PER_MS; /* a bare number is milliseconds (Amoro, Flink) */
    if (ulen > 0) {
        unit_ns = 0;
        for (size_t i = 0; i < FLOE_ARRAY_LEN(duration_units); i++) {
            if (strlen(duration_units[i].name) == ulen &&
                strncasecmp(unit, duration_units[i].name, ulen) == 0) {
                unit_ns = duration_units[i].num;
                break;
            }
        }
        if (unit_ns == 0) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "bad duration '%s': unknown unit '%.*s' (use d, h, min, s, ms, "
                                "us or ns)",
                                s, (int)ulen, unit);
        }
    }
    /* n * unit_ns / NS_PER_MS without overflow: split units of at least a millisecond. */
    uint64_t ms;
    if (unit_ns >= NS_PER_MS) {
        uint64_t per = (uint64_t)(unit_ns / NS_PER_MS);
        if (n > (uint64_t)INT64_MAX / per) {
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "duration '%s' is too large", s);
        }
        ms = n * per;
    } else {
        ms = n / (uint64_t)(NS_PER_MS / unit_ns);
    }
    if (ms > (uint64_t)INT64_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "duration '%s' is too large", s);
    }
    *out_ms = (int64_t)ms;
    return FLOE_OK;
}

/* ==== Properties ==== */

void floe_mnt_props_default(floe_mnt_props *out)
{
    *out = (floe_mnt_props){
        .gc_enabled = true,
        .expire_enabled = true,
        .snapshot_keep_ms = 720 * 60 * INT64_C(1000),
        .snapshot_keep_min_count = 1,
        .orphan_enabled = false,
        .orphan_min_age_ms = 2880 * 60 * INT64_C(1000),
        .dangling_delete_enabled = true,
        .data_expire_enabled = false,
        .data_expire_field = NULL,
        .data_expire_level = FLOE_MNT_TTL_PARTITION,
        .data_expire_retention_ms = 0,
        .data_expire_string_pattern = "yyyy-MM-dd",
        .data_expire_nfmt = FLOE_MNT_TIMESTAMP_MS,
        .data_expire_base = FLOE_MNT_BASE_LAST_COMMIT_TIME,
        .tag_enabled = false,
        .tag_period = FLOE_MNT_PERIOD_DAILY,
        .tag_offset_minutes = 0,
        .tag_max_delay_min = 60,
        .tag_format = NULL, /* by period, filled at the end of parsing */
        .tag_max_age_ms = -1,
    };
}

static const char *default_tag_format(floe_mnt_period p)
{
    switch (p) {
    case FLOE_MNT_PERIOD_HOURLY:
        return "'tag-'yyyyMMddHH";
    case FLOE_MNT_PERIOD_MONTHLY:
        return "'tag-'yyyyMM";
    case FLOE_MNT_PERIOD_DAILY:
    default:
        return "'tag-'yyyyMMdd";
    }
}

static floe_status bad_prop(floe_err *err, const char *key, const char *val, const char *what)
{
    return floe_err_set(err, FLOE_ERR_INVALID, "property %s: bad value '%s': %s", key, val, what);
}

static floe_status prop_bool(const char *key, const char *val, bool *out, floe_err *err)
{
    if (strcasecmp(val, "true") == 0) {
        *out = true;
    } else if (strcasecmp(val, "false") == 0) {
        *out = false;
    } else {
        return bad_prop(err, key, val, "expected true or false");
    }
    return FLOE_OK;
}

static floe_status prop_duration(const char *key, const char *val, int64_t *out, floe_err *err)
{
    floe_err inner = {0};
    if (floe_mnt_duration_parse(val, out, &inner) != FLOE_OK) {
        return floe_err_set(err, FLOE_ERR_INVALID, "property %s: %s", key, inner.msg);
    }
    return FLOE_OK;
}

static floe_status prop_i64(const char *key, const char *val, int64_t lo, int64_t hi, int64_t *out,
                            floe_err *err)
{
    int64_t v;
    if (floe_parse_i64(val, &v, NULL) != FLOE_OK) {
        return bad_prop(err, key, val, "expected an integer");
    }
    if (v < lo || v > hi) {
        return floe_err_set(err, FLOE_ERR_INVALID, "property %s: %s is out of range [%lld, %lld]",
                            key, val, (long long)lo, (long long)hi);
    }
    *out = v;
    return FLOE_OK;
}

static floe_status prop_enum(const char *key, const char *val, const char *const *names, size_t n,
                             int *out, floe_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(val, names[i]) == 0) {
            *out = (int)i;
            return FLOE_OK;
        }
    }
    char want[128] = {0};
    size_t off = 0;
    for (size_t i = 0; i < n && off < sizeof(want); i++) {
        int w = snprintf(want + off, sizeof(want) - off, "%s%s", i ? ", " : "", names[i]);
        off += w > 0 ? (size_t)w : 0;
    }
    return floe_err_set(err, FLOE_ERR_INVALID, "property %s: bad value '%s': expected one of %s",
                        key, val, want);
}

static const char *const level_names[] = {"partition", "file"};
static const char *const nfmt_names[] = {"TIMESTAMP_MS", "TIMESTAMP_S"};
static const char *const base_names[] = {"LAST_COMMIT_TIME", "CURRENT_TIME"};
static const char *const period_names[] = {"daily", "hourly", "monthly"};

#define MINUTES_MAX (INT64_C(1) << 40) /* keeps minutes * 60000 far from overflow */

static floe_status parse_one(const char *key, const char *val, floe_mnt_props *o, floe_err *err)
{
    int64_t v = 0;
    int e = 0;
    floe_status st = FLOE_OK;
    if (strcmp(key, "gc.enabled") == 0) {
        st = prop_bool(key, val, &o->gc_enabled, err);
    } else if (strcmp(key, "table-expire.enabled") == 0) {
        st = prop_bool(key, val, &o->expire_enabled, err);
    } else if (strcmp(key, "snapshot.keep.duration") == 0) {
        st = prop_duration(key, val, &o->snapshot_keep_ms, err);
    } else if (strcmp(key, "snapshot.keep.min-count") == 0) {
        st = prop_i64(key, val, 1, INT32_MAX, &v, err);
        o->snapshot_keep_min_count = (int32_t)v;
    } else if (strcmp(key, "clean-orphan-file.enabled") == 0) {
        st = prop_bool(key, val, &o->orphan_enabled, err);
    } else if (strcmp(key, "clean-orphan-file.min-existing-time-minutes") == 0) {
        st = prop_i64(key, val, 0, MINUTES_MAX, &v, err);
        o->orphan_min_age_ms = v * 60000;
    } else if (strcmp(key, "clean-dangling-delete-files.enabled") == 0) {
        st = prop_bool(key, val, &o->dangling_delete_enabled, err);
    } else if (strcmp(key, "data-expire.enabled") == 0) {
        st = prop_bool(key, val, &o->data_expire_enabled, err);
    } else if (strcmp(key, "data-expire.field") == 0) {
        o->data_expire_field = val[0] ? val : NULL;
    } else if (strcmp(key, "data-expire.level") == 0) {
        st = prop_enum(key, val, level_names, FLOE_ARRAY_LEN(level_names), &e, err);
        o->data_expire_level = (floe_mnt_ttl_level)e;
    } else if (strcmp(key, "data-expire.retention-time") == 0) {
        st = prop_duration(key, val, &o->data_expire_retention_ms, err);
    } else if (strcmp(key, "data-expire.datetime-string-pattern") == 0) {
        o->data_expire_string_pattern = val;
    } else if (strcmp(key, "data-expire.datetime-number-format") == 0) {
        st = prop_enum(key, val, nfmt_names, FLOE_ARRAY_LEN(nfmt_names), &e, err);
        o->data_expire_nfmt = (floe_mnt_number_format)e;
    } else if (strcmp(key, "data-expire.base-on-rule") == 0) {
        st = prop_enum(key, val, base_names, FLOE_ARRAY_LEN(base_names), &e, err);
        o->data_expire_base = (floe_mnt_base_rule)e;
    } else if (strcmp(key, "tag.auto-create.enabled") == 0) {
        st = prop_bool(key, val, &o->tag_enabled, err);
    } else if (strcmp(key, "tag.auto-create.trigger.period") == 0) {
        st = prop_enum(key, val, period_names, FLOE_ARRAY_LEN(period_names), &e, err);
        o->tag_period = (floe_mnt_period)e;
    } else if (strcmp(key, "tag.auto-create.trigger.offset.minutes") == 0) {
        st = prop_i64(key, val, 0, INT32_MAX, &v, err);
        o->tag_offset_minutes = (int32_t)v;
    } else if (strcmp(key, "tag.auto-create.trigger.max-delay.minutes") == 0) {
        st = prop_i64(key, val, INT32_MIN, INT32_MAX, &v, err);
        o->tag_max_delay_min = (int32_t)v;
    } else if (strcmp(key, "tag.auto-create.tag-format") == 0) {
        o->tag_format = val;
    } else if (strcmp(key, "tag.auto-create.max-age-ms") == 0) {
        st = prop_i64(key, val, INT64_MIN, INT64_MAX, &o->tag_max_age_ms, err);
    } else if (strcmp(key, "history.expire.max-snapshot-age-ms") == 0) {
        st = prop_i64(key, val, 0, INT64_MAX, &o->history_max_snapshot_age_ms, err);
        o->has_history_max_snapshot_age = true;
    } else if (strcmp(key, "history.expire.min-snapshots-to-keep") == 0) {
        st = prop_i64(key, val, 1, INT32_MAX, &v, err);
        o->history_min_snapshots = (int32_t)v;
        o->has_history_min_snapshots = true;
    } else if (strcmp(key, "history.expire.max-ref-age-ms") == 0) {
        st = prop_i64(key, val, 0, INT64_MAX, &o->history_max_ref_age_ms, err);
        o->has_history_max_ref_age = true;
    }
    return st;
}

floe_status floe_mnt_props_parse(const floe_kv *props, size_t n, floe_mnt_props *out, floe_err *err)
{
    floe_mnt_props o;
    floe_mnt_props_default(&o);
    for (size_t i = 0; i < n; i++) {
        if (props[i].key == NULL || props[i].value == NULL) {
            continue;
        }
        floe_status st = parse_one(props[i].key, props[i].value, &o, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (o.tag_format == NULL) {
        o.tag_format = default_tag_format(o.tag_period);
    }
    /* Patterns are compiled here only to check them; users get the error at configuration
     * time rather than at the first run. */
    floe_arena *a = floe_arena_new(1 << 16);
    floe_status st = FLOE_OK;
    const floe_mnt_pattern *pat = NULL;
    floe_err inner = {0};
    if (o.tag_enabled && floe_mnt_pattern_compile(a, o.tag_format, &pat, &inner) != FLOE_OK) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "property tag.auto-create.tag-format: %s",
                          inner.msg);
    } else if (o.data_expire_enabled &&
               floe_mnt_pattern_compile(a, o.data_expire_string_pattern, &pat, &inner) != FLOE_OK) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "property data-expire.datetime-string-pattern: %s",
                          inner.msg);
    } else if (o.data_expire_enabled && o.data_expire_field == NULL) {
        st = floe_err_set(err, FLOE_ERR_INVALID,
                          "property data-expire.field is required when data-expire.enabled is "
                          "true");
    } else if (o.data_expire_enabled && o.data_expire_retention_ms <= 0) {
        st = floe_err_set(err, FLOE_ERR_INVALID,
                          "property data-expire.retention-time must be set to a positive "
                          "duration when data-expire.enabled is true");
    }
    floe_arena_free(a);
    if (st == FLOE_OK) {
        *out = o;
    }
    return st;
}
