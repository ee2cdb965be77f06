/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pruning and strict evaluation for planning and commits:
 *
 * - floe_ice_manifest_might_match: Java's ManifestEvaluator over a manifest list's partition
 *   summaries (may any file of this manifest hold a matching partition?);
 * - floe_ice_metrics_must_match: Java's StrictMetricsEvaluator (does every row of this file
 *   match?), with the row semantics of floe_ice_expr_eval (nulls never satisfy a comparison);
 * - floe_ice_partition_must_match: the same question answered from identity partition values.
 *
 * Inclusive answers may be "maybe" (true); strict answers are true only when certain.
 */
#include "ops_int.h"

#include <math.h>

#define IN_PREDICATE_LIMIT 200

/* Compare the first len(prefix) bytes of a string value with a prefix (shorter values first). */
static int prefix_cmp(const floe_value *v, const floe_value *prefix)
{
    size_t n = prefix->u.bytes.len;
    size_t m = v->u.bytes.len < n ? v->u.bytes.len : n;
    int c = m > 0 ? memcmp(v->u.bytes.ptr, prefix->u.bytes.ptr, m) : 0;
    if (c != 0) {
        return c;
    }
    return v->u.bytes.len < n ? -1 : 0;
}

static bool has_prefix(const floe_value *v, const floe_value *prefix)
{
    return v->kind == FLOE_V_STRING && prefix_cmp(v, prefix) == 0;
}

static bool is_float_type(const floe_ice_type *t)
{
    return t != NULL && (t->id == FLOE_ICE_FLOAT || t->id == FLOE_ICE_DOUBLE);
}

/* A decoded non-NaN bound from single-value bytes. */
static bool decode_bound(const floe_ice_type *t, floe_str bytes, floe_value *out)
{
    if (bytes.ptr == NULL || t == NULL) {
        return false;
    }
    if (floe_ice_value_from_bytes(t, bytes, out, NULL) != FLOE_OK) {
        return false;
    }
    return !ice_value_is_nan(out);
}

/* ==== Partition summaries (ManifestEvaluator) ==== */

static bool summary_pred(const floe_ice_expr *e, const floe_partition_spec *spec,
                         const floe_manifest_file *m)
{
    size_t k = 0;
    while (k < spec->n_fields && spec->fields[k].field_id != e->field_id) {
        k++;
    }
    if (k >= spec->n_fields || k >= m->n_partitions) {
        return true;
    }
    const floe_field_summary *s = &m->partitions[k];
    floe_value lo, hi;
    bool has_lo = decode_bound(e->type, s->lower_bound, &lo);
    bool has_hi = decode_bound(e->type, s->upper_bound, &hi);
    /* No bounds: every value is null (or NaN). Floats also need contains_nan known false. */
    bool all_null = s->contains_null && s->lower_bound.ptr == NULL;
    if (all_null && is_float_type(e->type)) {
        all_null = s->has_contains_nan && !s->contains_nan;
    }
    bool all_nan =
        s->has_contains_nan && s->contains_nan && !s->contains_null && s->lower_bound.ptr == NULL;
    const floe_value *lit = e->n_lits > 0 ? &e->lits[0] : NULL;
    switch (e->op) {
    case FLOE_ICE_EXPR_IS_NULL:
        return s->contains_null;
    case FLOE_ICE_EXPR_NOT_NULL:
        return !all_null;
    case FLOE_ICE_EXPR_IS_NAN:
        return !(s->has_contains_nan && !s->contains_nan) && !all_null;
    case FLOE_ICE_EXPR_NOT_NAN:
        return !all_nan;
    case FLOE_ICE_EXPR_NOT_EQ:
    case FLOE_ICE_EXPR_NOT_IN:
        return true;
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        if (s->contains_null || !has_lo || !has_hi || lo.kind != FLOE_V_STRING) {
            return true;
        }
        /* every value starts with the prefix when both bounds do */
        return !(has_prefix(&lo, lit) && has_prefix(&hi, lit));
    default:
        break;
    }
    if (s->lower_bound.ptr == NULL) {
        return false; /* only nulls and NaNs: no comparison can match */
    }
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

static bool summary_eval(const floe_ice_expr *e, const floe_partition_spec *spec,
                         const floe_manifest_file *m)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return true;
    case FLOE_ICE_EXPR_FALSE:
        return false;
    case FLOE_ICE_EXPR_AND:
        return summary_eval(e->left, spec, m) && summary_eval(e->right, spec, m);
    case FLOE_ICE_EXPR_OR:
        return summary_eval(e->left, spec, m) || summary_eval(e->right, spec, m);
    case FLOE_ICE_EXPR_NOT:
        return true;
    default:
        return !e->bound || summary_pred(e, spec, m);
    }
}

bool floe_ice_manifest_might_match(const floe_ice_expr *projected, const floe_partition_spec *spec,
                                   const floe_manifest_file *m)
{
    if (m->partitions == NULL || spec == NULL) {
        return true;
    }
    return summary_eval(projected, spec, m);
}

/* ==== Strict metrics (StrictMetricsEvaluator) ==== */

static bool count_of(const floe_data_file *f, int which, int32_t id, int64_t *out)
{
    switch (which) {
    case 0:
        return floe_data_file_value_count(f, id, out);
    case 1:
        return floe_data_file_null_count(f, id, out);
    default:
        return floe_data_file_nan_count(f, id, out);
    }
}

static bool known_zero(const floe_data_file *f, int which, int32_t id)
{
    int64_t n;
    return count_of(f, which, id, &n) && n == 0;
}

static bool equals_values(const floe_data_file *f, int which, int32_t id)
{
    int64_t vc, n;
    return floe_data_file_value_count(f, id, &vc) && count_of(f, which, id, &n) && vc == n;
}

/* No null (and, for floats, no NaN) in the column: comparisons decide alone. */
static bool only_values(const floe_ice_expr *e, const floe_data_file *f)
{
    if (!known_zero(f, 1, e->field_id)) {
        return false;
    }
    return !is_float_type(e->type) || known_zero(f, 2, e->field_id);
}

static bool file_bound(const floe_ice_expr *e, const floe_data_file *f, bool upper, floe_value *out)
{
    floe_str b;
    bool has = upper ? floe_data_file_upper_bound(f, e->field_id, &b)
                     : floe_data_file_lower_bound(f, e->field_id, &b);
    return has && decode_bound(e->type, b, out);
}

static bool strict_pred(const floe_ice_expr *e, const floe_data_file *f)
{
    int32_t id = e->field_id;
    floe_value lo, hi;
    const floe_value *lit = e->n_lits > 0 ? &e->lits[0] : NULL;
    switch (e->op) {
    case FLOE_ICE_EXPR_IS_NULL:
        return equals_values(f, 1, id);
    case FLOE_ICE_EXPR_NOT_NULL:
        return known_zero(f, 1, id);
    case FLOE_ICE_EXPR_IS_NAN:
        return equals_values(f, 2, id);
    case FLOE_ICE_EXPR_NOT_NAN:
        return known_zero(f, 1, id) && (!is_float_type(e->type) || known_zero(f, 2, id));
    default:
        break;
    }
    bool nan_ok = e->op == FLOE_ICE_EXPR_NOT_EQ || e->op == FLOE_ICE_EXPR_NOT_IN;
    if (!known_zero(f, 1, id) || (!nan_ok && !only_values(e, f))) {
        return false;
    }
    bool has_lo = file_bound(e, f, false, &lo), has_hi = file_bound(e, f, true, &hi);
    switch (e->op) {
    case FLOE_ICE_EXPR_LT:
        return has_hi && ice_value_cmp_lit(&hi, lit) < 0;
    case FLOE_ICE_EXPR_LT_EQ:
        return has_hi && ice_value_cmp_lit(&hi, lit) <= 0;
    case FLOE_ICE_EXPR_GT:
        return has_lo && ice_value_cmp_lit(&lo, lit) > 0;
    case FLOE_ICE_EXPR_GT_EQ:
        return has_lo && ice_value_cmp_lit(&lo, lit) >= 0;
    case FLOE_ICE_EXPR_EQ:
        return has_lo && has_hi && ice_value_cmp_lit(&lo, lit) == 0 &&
               ice_value_cmp_lit(&hi, lit) == 0;
    case FLOE_ICE_EXPR_NOT_EQ:
        return (has_lo && ice_value_cmp_lit(&lo, lit) > 0) ||
               (has_hi && ice_value_cmp_lit(&hi, lit) < 0);
    case FLOE_ICE_EXPR_IN:
        if (!has_lo || !has_hi || floe_value_cmp(&lo, &hi) != 0) {
            return false;
        }
        for (size_t i = 0; i < e->n_lits; i++) {
            if (ice_value_cmp_lit(&lo, &e->lits[i]) == 0) {
                return true;
            }
        }
        return false;
    case FLOE_ICE_EXPR_NOT_IN:
        if (!has_lo || !has_hi) {
            return false;
        }
        for (size_t i = 0; i < e->n_lits; i++) {
            if (ice_value_cmp_lit(&lo, &e->lits[i]) <= 0 &&
                ice_value_cmp_lit(&hi, &e->lits[i]) >= 0) {
                return false;
            }
        }
        return true;
    case FLOE_ICE_EXPR_STARTS_WITH:
        return has_lo && has_hi && has_prefix(&lo, lit) && has_prefix(&hi, lit);
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        return (has_lo && lo.kind == FLOE_V_STRING && prefix_cmp(&lo, lit) > 0) ||
               (has_hi && hi.kind == FLOE_V_STRING && prefix_cmp(&hi, lit) < 0);
    default:
        return false;
    }
}

static bool strict_eval(const floe_ice_expr *e, const floe_data_file *f)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return true;
    case FLOE_ICE_EXPR_FALSE:
        return false;
    case FLOE_ICE_EXPR_AND:
        return strict_eval(e->left, f) && strict_eval(e->right, f);
    case FLOE_ICE_EXPR_OR:
        return strict_eval(e->left, f) || strict_eval(e->right, f);
    case FLOE_ICE_EXPR_NOT:
        return false;
    default:
        return e->bound && strict_pred(e, f);
    }
}

bool floe_ice_metrics_must_match(const floe_ice_expr *bound, const floe_data_file *f)
{
    if (f->record_count == 0) {
        return true; /* no rows: all of them match */
    }
    if (f->record_count < 0) {
        return false;
    }
    return strict_eval(bound, f);
}

/* ==== Identity partitions ==== */

typedef struct ident_ctx {
    const floe_partition_spec *spec;
    const floe_value *partition;
} ident_ctx;

/* The identity partition value of a source column, or NULL when there is none. */
static const floe_value *identity_value(const ident_ctx *c, int32_t source_id)
{
    if (c->partition->kind != FLOE_V_STRUCT) {
        return NULL;
    }
    for (size_t k = 0; k < c->spec->n_fields && k < c->partition->u.nested.n; k++) {
        const floe_partition_field *pf = &c->spec->fields[k];
        if (pf->transform.kind == FLOE_ICE_T_IDENTITY && pf->source_id == source_id &&
            pf->source_ids == NULL) {
            return &c->partition->u.nested.items[k];
        }
    }
    return NULL;
}

static void single_value(void *ud, int32_t field_id, floe_value *out)
{
    (void)field_id;
    *out = *(const floe_value *)ud;
}

static bool ident_eval(const floe_ice_expr *e, const ident_ctx *c)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return true;
    case FLOE_ICE_EXPR_FALSE:
        return false;
    case FLOE_ICE_EXPR_AND:
        return ident_eval(e->left, c) && ident_eval(e->right, c);
    case FLOE_ICE_EXPR_OR:
        return ident_eval(e->left, c) || ident_eval(e->right, c);
    case FLOE_ICE_EXPR_NOT:
        return false;
    default: {
        if (!e->bound) {
            return false;
        }
        const floe_value *v = identity_value(c, e->field_id);
        return v != NULL && floe_ice_expr_eval(e, single_value, (void *)v);
    }
    }
}

bool floe_ice_partition_must_match(const floe_ice_expr *bound, const floe_partition_spec *spec,
                                   const floe_value *partition)
{
    ident_ctx c = {spec, partition};
    return ident_eval(bound, &c);
}
