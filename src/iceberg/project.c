/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inclusive projection (spec "Scan Planning"): rewrite a bound row filter into a filter on
 * partition tuples that accepts every partition that may hold a matching row. Rules follow
 * the transforms: identity keeps the predicate, bucket keeps equality, truncate and the time
 * transforms turn strict bounds into inclusive ones on the transformed literal.
 */
#include "ice_int.h"

#include <stdlib.h>

typedef struct proj {
    floe_arena *a;
    floe_err *err;
    const floe_partition_spec *spec;
    const floe_ice_schema *schema;
    const floe_ice_type *ptype; /* partition struct type */
} proj;

/* Result helpers: NULL means "arena exhausted"; TRUE is "no restriction". */
static const floe_ice_expr *mk(proj *p, size_t i, floe_ice_expr_op op, const floe_value *lits,
                               size_t n)
{
    const floe_partition_field *pf = &p->spec->fields[i];
    return ice_expr_bound_pred(p->a, op, pf->field_id, p->ptype->fields[i].type, pf->name, lits, n);
}

/* v + delta in the value's own kind; false on overflow (the predicate is then impossible). */
static bool step(const floe_value *v, int delta, floe_value *out)
{
    *out = *v;
    switch (v->kind) {
    case FLOE_V_INT:
    case FLOE_V_DATE:
        if ((delta < 0 && v->u.i32 == INT32_MIN) || (delta > 0 && v->u.i32 == INT32_MAX)) {
            return false;
        }
        out->u.i32 += delta;
        return true;
    case FLOE_V_LONG:
    case FLOE_V_TIMESTAMP:
        if ((delta < 0 && v->u.i64 == INT64_MIN) || (delta > 0 && v->u.i64 == INT64_MAX)) {
            return false;
        }
        out->u.i64 += delta;
        return true;
    case FLOE_V_DECIMAL:
        out->u.dec += delta;
        return true;
    default:
        return false;
    }
}

static int32_t cp_count(const floe_value *v)
{
    int32_t n = 0;
    for (size_t i = 0; i < v->u.bytes.len; i++) {
        if ((v->u.bytes.ptr[i] & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

/* Java's fix for files written by old writers that rounded pre-epoch time values up. */
static const floe_ice_expr *fix_time(proj *p, size_t i, floe_ice_expr_op op, floe_value *lits,
                                     size_t n)
{
    if (op == FLOE_ICE_EXPR_LT_EQ && lits[0].u.i32 < 0) {
        lits[0].u.i32 += 1;
        return mk(p, i, op, lits, 1);
    }
    if (op == FLOE_ICE_EXPR_EQ && lits[0].u.i32 < 0) {
        floe_value two[2] = {lits[0], lits[0]};
        two[1].u.i32 += 1;
        return mk(p, i, FLOE_ICE_EXPR_IN, two, 2);
    }
    if (op == FLOE_ICE_EXPR_IN) {
        floe_value *wide = floe_arena_calloc(p->a, 2 * n, sizeof(*wide));
        if (wide == NULL) {
            return NULL;
        }
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            wide[m++] = lits[k];
            if (lits[k].u.i32 < 0) {
                wide[m] = lits[k];
                wide[m++].u.i32 += 1;
            }
        }
        return mk(p, i, op, wide, m);
    }
    return mk(p, i, op, lits, n);
}

/* Transform each literal (deduplicated). */
static floe_status apply_all(proj *p, const floe_partition_field *pf, const floe_ice_type *src,
                             const floe_ice_expr *e, floe_value **out, size_t *n_out)
{
    floe_value *lits = floe_arena_calloc(p->a, e->n_lits > 0 ? e->n_lits : 1, sizeof(*lits));
    if (lits == NULL) {
        return ice_nomem(p->a, p->err);
    }
    size_t n = 0;
    for (size_t k = 0; k < e->n_lits; k++) {
        floe_value v;
        floe_status st = floe_ice_transform_apply(pf->transform, src, &e->lits[k], &v, p->err);
        if (st != FLOE_OK) {
            return st;
        }
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++) {
            dup = floe_value_eq(&lits[j], &v);
        }
        if (!dup) {
            lits[n++] = v;
        }
    }
    *out = lits;
    *n_out = n;
    return FLOE_OK;
}

static bool is_time_transform(floe_ice_transform_kind k)
{
    return k == FLOE_ICE_T_YEAR || k == FLOE_ICE_T_MONTH || k == FLOE_ICE_T_DAY ||
           k == FLOE_ICE_T_HOUR;
}

static floe_status project_pred(proj *p, size_t i, const floe_ice_expr *e,
                                const floe_ice_expr **out)
{
    const floe_partition_field *pf = &p->spec->fields[i];
    const floe_ice_type *src = ice_source_type(p->schema, pf->source_id);
    floe_ice_transform_kind k = pf->transform.kind;
    *out = floe_ice_expr_true();
    if (src == NULL || k == FLOE_ICE_T_VOID || k == FLOE_ICE_T_UNKNOWN) {
        return FLOE_OK;
    }
    if (k == FLOE_ICE_T_IDENTITY) {
        *out = mk(p, i, e->op, e->lits, e->n_lits);
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    }
    if (e->op == FLOE_ICE_EXPR_IS_NULL || e->op == FLOE_ICE_EXPR_NOT_NULL) {
        *out = mk(p, i, e->op, NULL, 0);
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    }
    floe_value lit, v;
    floe_value *lits = NULL;
    size_t n = 0;
    floe_status st = FLOE_OK;
    bool strings = src->id == FLOE_ICE_STRING || src->id == FLOE_ICE_BINARY;
    floe_ice_expr_op op = e->op;
    switch (op) {
    case FLOE_ICE_EXPR_EQ:
    case FLOE_ICE_EXPR_IN:
        if (k != FLOE_ICE_T_BUCKET && k != FLOE_ICE_T_TRUNCATE && !is_time_transform(k)) {
            return FLOE_OK;
        }
        st = apply_all(p, pf, src, e, &lits, &n);
        if (st != FLOE_OK) {
            return st;
        }
        op = n == 1 ? FLOE_ICE_EXPR_EQ : FLOE_ICE_EXPR_IN;
        *out = is_time_transform(k) ? fix_time(p, i, op, lits, n) : mk(p, i, op, lits, n);
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    case FLOE_ICE_EXPR_LT:
    case FLOE_ICE_EXPR_LT_EQ:
    case FLOE_ICE_EXPR_GT:
    case FLOE_ICE_EXPR_GT_EQ: {
        if (k == FLOE_ICE_T_BUCKET) {
            return FLOE_OK;
        }
        bool lower = op == FLOE_ICE_EXPR_GT || op == FLOE_ICE_EXPR_GT_EQ;
        lit = e->lits[0];
        /* Strict bounds become inclusive on the neighbouring value (not for strings, whose
         * truncation is already monotone). */
        if (!strings && (op == FLOE_ICE_EXPR_LT || op == FLOE_ICE_EXPR_GT)) {
            if (!step(&e->lits[0], lower ? 1 : -1, &lit)) {
                *out = floe_ice_expr_false(); /* nothing is beyond the type's extreme */
                return FLOE_OK;
            }
        }
        st = floe_ice_transform_apply(pf->transform, src, &lit, &v, p->err);
        if (st != FLOE_OK) {
            return st;
        }
        op = lower ? FLOE_ICE_EXPR_GT_EQ : FLOE_ICE_EXPR_LT_EQ;
        *out = is_time_transform(k) ? fix_time(p, i, op, &v, 1) : mk(p, i, op, &v, 1);
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    }
    case FLOE_ICE_EXPR_STARTS_WITH:
    case FLOE_ICE_EXPR_NOT_STARTS_WITH: {
        if (k != FLOE_ICE_T_TRUNCATE || src->id != FLOE_ICE_STRING) {
            return FLOE_OK;
        }
        int32_t cps = cp_count(&e->lits[0]);
        int32_t w = pf->transform.param;
        if (op == FLOE_ICE_EXPR_STARTS_WITH) {
            if (cps >= w) {
                st = floe_ice_transform_apply(pf->transform, src, &e->lits[0], &v, p->err);
                if (st != FLOE_OK) {
                    return st;
                }
                *out = mk(p, i, FLOE_ICE_EXPR_EQ, &v, 1);
            } else {
                *out = mk(p, i, op, e->lits, 1);
            }
        } else if (cps < w) {
            *out = mk(p, i, op, e->lits, 1);
        } else if (cps == w) {
            *out = mk(p, i, FLOE_ICE_EXPR_NOT_EQ, e->lits, 1);
        }
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    }
    default:
        return FLOE_OK; /* NOT_EQ, NOT_IN, NaN tests: no restriction */
    }
}

static floe_status project(proj *p, const floe_ice_expr *e, const floe_ice_expr **out)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
    case FLOE_ICE_EXPR_FALSE:
        *out = e;
        return FLOE_OK;
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR: {
        const floe_ice_expr *l, *r;
        floe_status st = project(p, e->left, &l);
        if (st == FLOE_OK) {
            st = project(p, e->right, &r);
        }
        if (st != FLOE_OK) {
            return st;
        }
        *out = e->op == FLOE_ICE_EXPR_AND ? floe_ice_expr_and(p->a, l, r)
                                          : floe_ice_expr_or(p->a, l, r);
        return *out != NULL ? FLOE_OK : ice_nomem(p->a, p->err);
    }
    case FLOE_ICE_EXPR_NOT:
        *out = floe_ice_expr_true(); /* bound trees have no NOT; never exclude on one */
        return FLOE_OK;
    default:
        break;
    }
    if (!e->bound) {
        return floe_err_set(p->err, FLOE_ERR_INVALID, "cannot project an unbound predicate on %s",
                            e->name != NULL ? e->name : "?");
    }
    const floe_ice_expr *acc = floe_ice_expr_true();
    for (size_t i = 0; i < p->spec->n_fields; i++) {
        const floe_partition_field *pf = &p->spec->fields[i];
        if (pf->source_id != e->field_id || pf->n_source_ids > 1) {
            continue;
        }
        const floe_ice_expr *x;
        floe_status st = project_pred(p, i, e, &x);
        if (st != FLOE_OK) {
            return st;
        }
        acc = floe_ice_expr_and(p->a, acc, x);
        if (acc == NULL) {
            return ice_nomem(p->a, p->err);
        }
    }
    *out = acc;
    return FLOE_OK;
}

floe_status floe_ice_expr_project(floe_arena *a, const floe_ice_expr *bound,
                                  const floe_partition_spec *spec, const floe_ice_schema *schema,
                                  const floe_ice_expr **out, floe_err *err)
{
    proj p = {a, err, spec, schema, NULL};
    floe_status st = floe_partition_spec_type(a, spec, schema, &p.ptype, err);
    if (st != FLOE_OK) {
        return st;
    }
    return project(&p, bound, out);
}

floe_status floe_partition_spec_schema(floe_arena *a, const floe_partition_spec *spec,
                                       const floe_ice_schema *schema, const floe_ice_schema **out,
                                       floe_err *err)
{
    const floe_ice_type *t;
    floe_status st = floe_partition_spec_type(a, spec, schema, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    return floe_ice_schema_new(a, 0, t, NULL, 0, out, err);
}
