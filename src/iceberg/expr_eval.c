/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluating bound expressions: on rows (SQL semantics: null and NaN never satisfy a
 * comparison), on file metrics (Java's InclusiveMetricsEvaluator rules: may a file hold a
 * matching row?), and inclusive projection through partition transforms.
 */
#include "ice_int.h"

#include <math.h>
#include <stdlib.h>

/* ==== Value comparison across promotable kinds ==== */

bool ice_value_is_nan(const floe_value *v)
{
    return (v->kind == FLOE_V_FLOAT && isnan(v->u.f32)) ||
           (v->kind == FLOE_V_DOUBLE && isnan(v->u.f64));
}

static __int128 ts_nanos(const floe_value *v)
{
    if (v->kind == FLOE_V_DATE) {
        return (__int128)v->u.i32 * INT64_C(86400000000000);
    }
    switch (v->unit) {
    case FLOE_UNIT_MILLIS:
        return (__int128)v->u.i64 * 1000000;
    case FLOE_UNIT_MICROS:
        return (__int128)v->u.i64 * 1000;
    default:
        return v->u.i64;
    }
}

static int cmp128(__int128 a, __int128 b)
{
    return (a > b) - (a < b);
}

int ice_value_cmp_lit(const floe_value *v, const floe_value *lit)
{
    if (v->kind == lit->kind && v->kind != FLOE_V_TIMESTAMP) {
        return floe_value_cmp(v, lit);
    }
    switch (lit->kind) {
    case FLOE_V_LONG:
        if (v->kind == FLOE_V_INT) {
            return cmp128(v->u.i32, lit->u.i64);
        }
        break;
    case FLOE_V_INT:
        if (v->kind == FLOE_V_LONG) {
            return cmp128(v->u.i64, lit->u.i32);
        }
        break;
    case FLOE_V_DOUBLE:
    case FLOE_V_FLOAT:
        if (v->kind == FLOE_V_FLOAT || v->kind == FLOE_V_DOUBLE) {
            floe_value a = floe_value_double(v->kind == FLOE_V_FLOAT ? v->u.f32 : v->u.f64);
            floe_value b = floe_value_double(lit->kind == FLOE_V_FLOAT ? lit->u.f32 : lit->u.f64);
            return floe_value_cmp(&a, &b);
        }
        break;
    case FLOE_V_TIMESTAMP:
        if (v->kind == FLOE_V_TIMESTAMP || v->kind == FLOE_V_DATE) {
            return cmp128(ts_nanos(v), ts_nanos(lit));
        }
        break;
    default:
        break;
    }
    return floe_value_cmp(v, lit);
}

/* ==== Row evaluation ==== */

static bool starts_with(const floe_value *v, const floe_value *prefix)
{
    if (v->kind != FLOE_V_STRING || v->u.bytes.len < prefix->u.bytes.len) {
        return false;
    }
    return prefix->u.bytes.len == 0 ||
           memcmp(v->u.bytes.ptr, prefix->u.bytes.ptr, prefix->u.bytes.len) == 0;
}

static bool in_list(const floe_value *v, const floe_ice_expr *e)
{
    for (size_t i = 0; i < e->n_lits; i++) {
        if (ice_value_cmp_lit(v, &e->lits[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool eval_pred(const floe_ice_expr *e, const floe_value *v)
{
    bool null = v->kind == FLOE_V_NULL;
    if (e->op == FLOE_ICE_EXPR_IS_NULL) {
        return null;
    }
    if (null) {
        return false; /* unknown in SQL: the row does not match */
    }
    bool nan = ice_value_is_nan(v);
    switch (e->op) {
    case FLOE_ICE_EXPR_NOT_NULL:
        return true;
    case FLOE_ICE_EXPR_IS_NAN:
        return nan;
    case FLOE_ICE_EXPR_NOT_NAN:
        return !nan;
    case FLOE_ICE_EXPR_LT:
        return !nan && ice_value_cmp_lit(v, &e->lits[0]) < 0;
    case FLOE_ICE_EXPR_LT_EQ:
        return !nan && ice_value_cmp_lit(v, &e->lits[0]) <= 0;
    case FLOE_ICE_EXPR_GT:
        return !nan && ice_value_cmp_lit(v, &e->lits[0]) > 0;
    case FLOE_ICE_EXPR_GT_EQ:
        return !nan && ice_value_cmp_lit(v, &e->lits[0]) >= 0;
    case FLOE_ICE_EXPR_EQ:
        return !nan && ice_value_cmp_lit(v, &e->lits[0]) == 0;
    case FLOE_ICE_EXPR_NOT_EQ:
        return nan || ice_value_cmp_lit(v, &e->lits[0]) != 0;
    case FLOE_ICE_EXPR_STARTS_WITH:
        return starts_with(v, &e->lits[0]);
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        return !starts_with(v, &e->lits[0]);
    case FLOE_ICE_EXPR_IN:
        return !nan && in_list(v, e);
    case FLOE_ICE_EXPR_NOT_IN:
        return nan || !in_list(v, e);
    default:
        return false;
    }
}

bool floe_ice_expr_eval(const floe_ice_expr *e, floe_ice_value_fn fn, void *ud)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return true;
    case FLOE_ICE_EXPR_FALSE:
        return false;
    case FLOE_ICE_EXPR_AND:
        return floe_ice_expr_eval(e->left, fn, ud) && floe_ice_expr_eval(e->right, fn, ud);
    case FLOE_ICE_EXPR_OR:
        return floe_ice_expr_eval(e->left, fn, ud) || floe_ice_expr_eval(e->right, fn, ud);
    case FLOE_ICE_EXPR_NOT:
        /* Bound trees have no NOT; for an unbound one this is two-valued negation. */
        return !floe_ice_expr_eval(e->left, fn, ud);
    default: {
        floe_value v = floe_value_null();
        fn(ud, e->field_id, &v);
        return eval_pred(e, &v);
    }
    }
}

void floe_ice_row_value(void *ud, int32_t field_id, floe_value *out)
{
    const floe_ice_row *r = ud;
    *out = floe_value_null();
    const ice_entry *e = ice_schema_entry(r->schema, field_id);
    if (e == NULL || e->in_repeated || r->row == NULL) {
        return;
    }
    const floe_value *v = r->row;
    for (uint32_t i = 0; i < e->depth; i++) {
        if (v->kind != FLOE_V_STRUCT || (size_t)e->path[i] >= v->u.nested.n) {
            return;
        }
        v = &v->u.nested.items[e->path[i]];
    }
    *out = *v;
}

/* ==== Metrics evaluation ==== */

#define IN_PREDICATE_LIMIT 200

typedef struct metrics {
    const floe_data_file *f;
} metrics;

static bool count_of(const floe_field_count *c, size_t n, int32_t id, int64_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].field_id == id) {
            *out = c[i].value;
            return true;
        }
    }
    return false;
}

bool floe_data_file_value_count(const floe_data_file *f, int32_t id, int64_t *out)
{
    return count_of(f->value_counts, f->n_value_counts, id, out);
}

bool floe_data_file_null_count(const floe_data_file *f, int32_t id, int64_t *out)
{
    return count_of(f->null_value_counts, f->n_null_value_counts, id, out);
}

bool floe_data_file_nan_count(const floe_data_file *f, int32_t id, int64_t *out)
{
    return count_of(f->nan_value_counts, f->n_nan_value_counts, id, out);
}

static bool bound_of(const floe_field_bound *b, size_t n, int32_t id, floe_str *out)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i].field_id == id) {
            *out = b[i].bytes;
            return true;
        }
    }
    return false;
}

bool floe_data_file_lower_bound(const floe_data_file *f, int32_t id, floe_str *out)
{
    return bound_of(f->lower_bounds, f->n_lower_bounds, id, out);
}

bool floe_data_file_upper_bound(const floe_data_file *f, int32_t id, floe_str *out)
{
    return bound_of(f->upper_bounds, f->n_upper_bounds, id, out);
}

static bool nulls_only(const floe_data_file *f, int32_t id)
{
    int64_t vc, nc;
    return floe_data_file_value_count(f, id, &vc) && floe_data_file_null_count(f, id, &nc) &&
           vc == nc;
}

static bool nans_only(const floe_data_file *f, int32_t id)
{
    int64_t vc, nc;
    return floe_data_file_value_count(f, id, &vc) && floe_data_file_nan_count(f, id, &nc) &&
           vc == nc;
}

static bool may_contain_null(const floe_data_file *f, int32_t id)
{
    int64_t nc;
    return !floe_data_file_null_count(f, id, &nc) || nc != 0;
}

/* A decoded, usable (non-NaN) bound. */
static bool get_bound(const floe_data_file *f, const floe_ice_expr *e, bool upper, floe_value *out)
{
    floe_str bytes;
    bool has = upper ? floe_data_file_upper_bound(f, e->field_id, &bytes)
                     : floe_data_file_lower_bound(f, e->field_id, &bytes);
    if (!has || bytes.ptr == NULL) {
        return false;
    }
    if (floe_ice_value_from_bytes(e->type, bytes, out, NULL) != FLOE_OK) {
        return false; /* a bound we cannot read says nothing */
    }
    return !ice_value_is_nan(out); /* NaN is not a valid bound */
}

/* Compare the first `n` bytes of a string bound with a prefix. */
static int prefix_cmp(const floe_value *bound, const floe_value *prefix)
{
    size_t n = prefix->u.bytes.len;
    size_t m = bound->u.bytes.len < n ? bound->u.bytes.len : n;
    int c = m > 0 ? memcmp(bound->u.bytes.ptr, prefix->u.bytes.ptr, m) : 0;
    if (c != 0) {
        return c;
    }
    return bound->u.bytes.len < n ? -1 : 0;
}

static bool metrics_pred(const floe_ice_expr *e, const floe_data_file *f)
{
    int32_t id = e->field_id;
    int64_t n;
    floe_value lo, hi;
    switch (e->op) {
    case FLOE_ICE_EXPR_IS_NULL:
        return !(floe_data_file_null_count(f, id, &n) && n == 0);
    case FLOE_ICE_EXPR_NOT_NULL:
        return !nulls_only(f, id);
    case FLOE_ICE_EXPR_IS_NAN:
        if (floe_data_file_nan_count(f, id, &n) && n == 0) {
            return false;
        }
        return !nulls_only(f, id);
    case FLOE_ICE_EXPR_NOT_NAN:
        return !nans_only(f, id);
    case FLOE_ICE_EXPR_NOT_EQ:
    case FLOE_ICE_EXPR_NOT_IN:
        return true;
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        if (may_contain_null(f, id)) {
            return true;
        }
        if (get_bound(f, e, false, &lo) && get_bound(f, e, true, &hi) && lo.kind == FLOE_V_STRING &&
            hi.kind == FLOE_V_STRING && prefix_cmp(&lo, &e->lits[0]) == 0 &&
            lo.u.bytes.len >= e->lits[0].u.bytes.len && prefix_cmp(&hi, &e->lits[0]) == 0 &&
            hi.u.bytes.len >= e->lits[0].u.bytes.len) {
            return false; /* every value starts with the prefix */
        }
        return true;
    default:
        break;
    }
    if (nulls_only(f, id) || nans_only(f, id)) {
        return false; /* comparisons, IN and STARTS WITH never match null or NaN */
    }
    bool has_lo = get_bound(f, e, false, &lo), has_hi = get_bound(f, e, true, &hi);
    const floe_value *lit = e->n_lits > 0 ? &e->lits[0] : NULL;
    switch (e->op) {
    case FLOE_ICE_EXPR_LT:
        return !(has_lo && ice_value_cmp_lit(&lo, lit) >= 0);
    case FLOE_ICE_EXPR_LT_EQ:
        return !(has_lo && ice_value_cmp_lit(&lo, lit) > 0);
    case FLOE_ICE_EXPR_GT:
        return !(has_hi && ice_value_cmp_lit(&hi, lit) <= 0);
    case FLOE_ICE_EXPR_GT_EQ:
        return !(has_hi && ice_value_cmp_lit(&hi, lit) < 0);
    case FLOE_ICE_EXPR_EQ:
        if (has_lo && ice_value_cmp_lit(&lo, lit) > 0) {
            return false;
        }
        return !(has_hi && ice_value_cmp_lit(&hi, lit) < 0);
    case FLOE_ICE_EXPR_IN:
        if (e->n_lits > IN_PREDICATE_LIMIT) {
            return true;
        }
        for (size_t i = 0; i < e->n_lits; i++) {
            if ((!has_lo || ice_value_cmp_lit(&lo, &e->lits[i]) <= 0) &&
                (!has_hi || ice_value_cmp_lit(&hi, &e->lits[i]) >= 0)) {
                return true;
            }
        }
        return false;
    case FLOE_ICE_EXPR_STARTS_WITH:
        if (has_lo && lo.kind == FLOE_V_STRING && prefix_cmp(&lo, lit) > 0) {
            return false;
        }
        return !(has_hi && hi.kind == FLOE_V_STRING && prefix_cmp(&hi, lit) < 0);
    default:
        return true;
    }
}

static bool metrics_eval(const floe_ice_expr *e, const floe_data_file *f)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return true;
    case FLOE_ICE_EXPR_FALSE:
        return false;
    case FLOE_ICE_EXPR_AND:
        return metrics_eval(e->left, f) && metrics_eval(e->right, f);
    case FLOE_ICE_EXPR_OR:
        return metrics_eval(e->left, f) || metrics_eval(e->right, f);
    case FLOE_ICE_EXPR_NOT:
        return true; /* not expected in bound trees; never exclude on it */
    default:
        return !e->bound || metrics_pred(e, f);
    }
}

bool floe_ice_metrics_might_match(const floe_ice_expr *bound, const floe_data_file *f)
{
    if (f->record_count == 0) {
        return false;
    }
    if (f->record_count < 0) {
        return true; /* some old writers stored -1: no information */
    }
    return metrics_eval(bound, f);
}
