/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data expiration (TTL) decisions. A value of the TTL field stands for a period of time: an
 * instant for timestamps and numbers, a day for dates, the smallest field of the pattern for
 * strings. A file (or partition) expires only when the period of its largest value ends at or
 * before the bound, so no row younger than the retention is ever removed; nulls are never
 * older than anything, so a file that may hold a null in the field stays.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Preparing ==== */

static bool ttl_type_ok(floe_ice_type_id id)
{
    switch (id) {
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
    case FLOE_ICE_DATE:
    case FLOE_ICE_LONG:
    case FLOE_ICE_STRING:
        return true;
    default:
        return false;
    }
}

/* Snapshots written by maintenance itself do not count as data commits. */
static bool is_maintenance_snapshot(const floe_snapshot *s)
{
    if (s->operation != NULL && strcmp(s->operation, "replace") == 0) {
        return true;
    }
    for (size_t i = 0; i < s->n_summary; i++) {
        if (strcmp(s->summary[i].key, "snapshot-producer") == 0) {
            const char *v = s->summary[i].value;
            return strcmp(v, "OPTIMIZE") == 0 || strcmp(v, "DATA_EXPIRATION") == 0 ||
                   strcmp(v, "CLEAN_DANGLING_DELETE") == 0;
        }
    }
    return false;
}

static int64_t last_commit_ms(const floe_table_meta *m, int64_t now_ms)
{
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t steps = 0; s != NULL && steps < m->n_snapshots; steps++) {
        if (!is_maintenance_snapshot(s)) {
            return s->timestamp_ms;
        }
        s = s->has_parent ? floe_table_meta_snapshot(m, s->parent_id) : NULL;
    }
    return now_ms;
}

floe_status floe_mnt_ttl_prepare(floe_arena *a, const floe_table_meta *m, const floe_mnt_props *p,
                                 int64_t now_ms, floe_mnt_ttl *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    if (p->data_expire_field == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data-expire.field is not set");
    }
    if (p->data_expire_retention_ms <= 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data-expire.retention-time is not set");
    }
    const floe_ice_schema *schema = floe_table_meta_current_schema(m);
    const floe_ice_field *f =
        schema == NULL ? NULL : floe_ice_schema_find_name(schema, p->data_expire_field);
    if (f == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data-expire.field '%s' is not a column",
                            p->data_expire_field);
    }
    if (!ttl_type_ok(f->type->id) || floe_ice_schema_in_repeated(schema, f->id)) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "data-expire.field '%s' has type %s: expected timestamp, timestamptz, "
                            "date, long or string outside lists and maps",
                            p->data_expire_field, floe_ice_type_name(f->type->id));
    }
    if (f->type->id == FLOE_ICE_STRING) {
        floe_status st =
            floe_mnt_pattern_compile(a, p->data_expire_string_pattern, &out->pattern, err);
        if (st != FLOE_OK) {
            return floe_err_wrap(err, "data-expire.datetime-string-pattern");
        }
    }
    out->field_id = f->id;
    out->type = f->type;
    out->level = p->data_expire_level;
    out->nfmt = p->data_expire_nfmt;
    out->base_ms =
        p->data_expire_base == FLOE_MNT_BASE_CURRENT_TIME ? now_ms : last_commit_ms(m, now_ms);
    out->bound_us = mnt_sat_add(mnt_sat_mul(out->base_ms, MNT_US_PER_MS),
                                -mnt_sat_mul(p->data_expire_retention_ms, MNT_US_PER_MS));
    return FLOE_OK;
}

/* ==== Values to periods ==== */

/* The end (exclusive, microseconds) of the period a field value stands for; false if unknown. */
static bool value_end_us(const floe_mnt_ttl *t, const floe_value *v, int64_t *end)
{
    switch (t->type->id) {
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
        if (v->kind != FLOE_V_TIMESTAMP) {
            return false;
        }
        *end = mnt_sat_add(v->u.i64, 1);
        return true;
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS:
        if (v->kind != FLOE_V_TIMESTAMP) {
            return false;
        }
        *end = mnt_sat_add(mnt_floor_div(v->u.i64, 1000), 1);
        return true;
    case FLOE_ICE_DATE:
        if (v->kind != FLOE_V_DATE) {
            return false;
        }
        *end = mnt_sat_mul((int64_t)v->u.i32 + 1, MNT_US_PER_DAY);
        return true;
    case FLOE_ICE_LONG: {
        int64_t n;
        if (v->kind == FLOE_V_LONG) {
            n = v->u.i64;
        } else if (v->kind == FLOE_V_INT) {
            n = v->u.i32;
        } else {
            return false;
        }
        int64_t per = t->nfmt == FLOE_MNT_TIMESTAMP_S ? 1000000 : 1000;
        *end = mnt_sat_add(mnt_sat_mul(n, per), 1);
        return true;
    }
    case FLOE_ICE_STRING: {
        if (v->kind != FLOE_V_STRING || t->pattern == NULL) {
            return false;
        }
        int64_t start;
        return floe_mnt_pattern_parse(t->pattern, (const char *)v->u.bytes.ptr, v->u.bytes.len,
                                      &start, end, NULL) == FLOE_OK;
    }
    default:
        return false;
    }
}

/* ==== Files and partitions ==== */

floe_mnt_ttl_verdict floe_mnt_ttl_file(const floe_mnt_ttl *t, const floe_data_file *f,
                                       const char **why)
{
    const char *dummy;
    if (why == NULL) {
        why = &dummy;
    }
    int64_t nulls;
    if (!floe_data_file_null_count(f, t->field_id, &nulls)) {
        *why = "no null count for the field";
        return FLOE_MNT_TTL_KEEP;
    }
    if (nulls != 0) {
        *why = "has nulls in the field";
        return FLOE_MNT_TTL_KEEP;
    }
    floe_str ub;
    if (!floe_data_file_upper_bound(f, t->field_id, &ub)) {
        *why = "no upper bound for the field";
        return FLOE_MNT_TTL_KEEP;
    }
    floe_value v;
    if (floe_ice_value_from_bytes(t->type, ub, &v, NULL) != FLOE_OK) {
        *why = "upper bound does not decode";
        return FLOE_MNT_TTL_KEEP;
    }
    int64_t end;
    if (!value_end_us(t, &v, &end)) {
        *why = "upper bound is not a time (truncated or not matching the pattern)";
        return FLOE_MNT_TTL_KEEP;
    }
    if (end > t->bound_us) {
        *why = "has values within the retention";
        return FLOE_MNT_TTL_KEEP;
    }
    *why = "every value is older than the retention";
    return FLOE_MNT_TTL_EXPIRE;
}

floe_mnt_ttl_verdict floe_mnt_ttl_partition(const floe_mnt_ttl *t, const floe_partition_spec *spec,
                                            const floe_value *partition)
{
    if (spec == NULL || partition == NULL || partition->kind != FLOE_V_STRUCT) {
        return FLOE_MNT_TTL_KEEP;
    }
    for (size_t k = 0; k < spec->n_fields && k < partition->u.nested.n; k++) {
        const floe_partition_field *pf = &spec->fields[k];
        const floe_value *v = &partition->u.nested.items[k];
        if (pf->source_id != t->field_id || pf->n_source_ids > 1 || v->kind == FLOE_V_NULL) {
            continue;
        }
        int64_t end = 0;
        bool known = false;
        switch (pf->transform.kind) {
        case FLOE_ICE_T_IDENTITY:
            known = value_end_us(t, v, &end);
            break;
        case FLOE_ICE_T_YEAR:
            if (v->kind == FLOE_V_INT && v->u.i32 > -100000 && v->u.i32 < 100000) {
                end = mnt_add_months_start(0, (v->u.i32 + 1) * 12);
                known = true;
            }
            break;
        case FLOE_ICE_T_MONTH:
            if (v->kind == FLOE_V_INT && v->u.i32 > -1200000 && v->u.i32 < 1200000) {
                end = mnt_add_months_start(0, v->u.i32 + 1);
                known = true;
            }
            break;
        case FLOE_ICE_T_DAY:
            if (v->kind == FLOE_V_DATE || v->kind == FLOE_V_INT) {
                end = mnt_sat_mul((int64_t)v->u.i32 + 1, MNT_US_PER_DAY);
                known = true;
            }
            break;
        case FLOE_ICE_T_HOUR:
            if (v->kind == FLOE_V_INT) {
                end = mnt_sat_mul((int64_t)v->u.i32 + 1, INT64_C(3600) * 1000000);
                known = true;
            }
            break;
        default:
            break;
        }
        if (known && end <= t->bound_us) {
            return FLOE_MNT_TTL_EXPIRE;
        }
    }
    return FLOE_MNT_TTL_KEEP;
}

/* ==== Planning ==== */

typedef struct part_state {
    size_t n_data;
    size_t n_data_expired;
} part_state;

static void part_free(void *p)
{
    free(p);
}

static const floe_map_type part_map_type = {part_free};

/* "<spec id>:<partition JSON>" identifies a partition. */
static floe_status part_key(const floe_data_file *f, floe_buf *b, floe_err *err)
{
    floe_buf_reset(b);
    floe_status st = floe_buf_printf(b, err, "%d:", (int)f->spec_id);
    if (st == FLOE_OK) {
        st = floe_value_to_json(&f->partition, b, err);
    }
    return st;
}

static bool file_expired(const floe_mnt_ttl *t, const floe_table_meta *m, const floe_data_file *f)
{
    const floe_partition_spec *spec = floe_table_meta_spec(m, f->spec_id);
    return floe_mnt_ttl_partition(t, spec, &f->partition) == FLOE_MNT_TTL_EXPIRE ||
           floe_mnt_ttl_file(t, f, NULL) == FLOE_MNT_TTL_EXPIRE;
}

floe_status floe_mnt_ttl_plan(floe_arena *a, const floe_mnt_ttl *t, const floe_table_meta *m,
                              const floe_data_file *const *files, size_t n, size_t **out,
                              size_t *n_out, floe_err *err)
{
    size_t *idx = floe_arena_calloc(a, n + 1, sizeof(size_t));
    if (idx == NULL) {
        return floe_arena_check(a, err);
    }
    size_t k = 0;
    floe_status st = FLOE_OK;
    if (t->level == FLOE_MNT_TTL_FILE) {
        for (size_t i = 0; i < n; i++) {
            if (files[i]->content == FLOE_CONTENT_DATA && file_expired(t, m, files[i])) {
                idx[k++] = i;
            }
        }
        *out = idx;
        *n_out = k;
        return FLOE_OK;
    }
    floe_map *parts = floe_map_new(&part_map_type);
    floe_buf key;
    floe_buf_init(&key, 1 << 20);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        st = part_key(files[i], &key, err);
        if (st != FLOE_OK) {
            break;
        }
        part_state *ps = floe_map_get(parts, key.data, key.len);
        if (ps == NULL) {
            ps = floe_xcalloc(1, sizeof(*ps));
            floe_map_put(parts, key.data, key.len, ps);
        }
        if (files[i]->content == FLOE_CONTENT_DATA) {
            ps->n_data++;
            ps->n_data_expired += file_expired(t, m, files[i]) ? 1 : 0;
        }
    }
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        st = part_key(files[i], &key, err);
        if (st != FLOE_OK) {
            break;
        }
        const part_state *ps = floe_map_get(parts, key.data, key.len);
        if (ps != NULL && ps->n_data > 0 && ps->n_data_expired == ps->n_data) {
            idx[k++] = i;
        }
    }
    floe_buf_fini(&key);
    floe_map_free(parts);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "data expiration");
    }
    *out = idx;
    *n_out = k;
    return FLOE_OK;
}
