/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binding expressions to a schema: names become field ids, literals are converted to the
 * column's value kind, and NOT is pushed down to the predicates. Literals that cannot be
 * represented exactly in the column type (5.5 for an int, 3e9 for an int) fold into an
 * equivalent predicate or a constant, so `int_col < 5.5` binds to `int_col <= 5`.
 */
#include "ice_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* How a literal converted. */
typedef enum conv {
    C_EXACT = 0,
    C_BETWEEN,   /* strictly between `lo` and `hi` (adjacent representable values) */
    C_ABOVE_MAX, /* greater than every value of the type */
    C_BELOW_MIN  /* less than every value of the type */
} conv;

typedef struct bind_ctx {
    floe_arena *a;
    floe_err *err;
    const floe_ice_schema *schema;
} bind_ctx;

static floe_status lit_error(bind_ctx *c, const char *col, const floe_ice_type *t,
                             const floe_value *lit, const char *why)
{
    floe_buf b;
    floe_buf_init(&b, 256);
    floe_value_to_json(lit, &b, NULL);
    floe_status st =
        floe_err_set(c->err, FLOE_ERR_INVALID, "cannot compare %s column %s with literal %s%s%s",
                     floe_ice_type_name(t->id), col, floe_buf_cstr(&b), why != NULL ? ": " : "",
                     why != NULL ? why : "");
    floe_buf_fini(&b);
    return st;
}

/* A numeric literal as an exact decimal (unscaled, scale); false for non-numbers. */
static bool as_decimal(const floe_value *v, __int128 *u, int32_t *scale)
{
    if (v->kind == FLOE_V_LONG || v->kind == FLOE_V_INT) {
        *u = v->kind == FLOE_V_LONG ? v->u.i64 : v->u.i32;
        *scale = 0;
        return true;
    }
    if (v->kind == FLOE_V_DECIMAL) {
        *u = v->u.dec;
        *scale = v->scale;
        return true;
    }
    if (v->kind == FLOE_V_STRING) {
        return ice_parse_decimal((const char *)v->u.bytes.ptr, v->u.bytes.len, u, scale);
    }
    return false;
}

/* Rescale unscaled `u` from scale `from` to `to`: exact, or the floor and ceiling. */
static conv rescale(__int128 u, int32_t from, int32_t to, __int128 *lo, __int128 *hi)
{
    if (from <= to) {
        int d = to - from;
        __int128 p = ice_pow10(d);
        /* 38 digits max: an overflow check against 10^38 */
        __int128 limit = ice_pow10(38);
        if (d > 38 || (u != 0 && (u > limit / p || u < -limit / p))) {
            return u > 0 ? C_ABOVE_MAX : C_BELOW_MIN;
        }
        *lo = *hi = u * p;
        return C_EXACT;
    }
    __int128 p = ice_pow10(from - to);
    __int128 q = u / p, r = u % p;
    if (r == 0) {
        *lo = *hi = q;
        return C_EXACT;
    }
    if (r < 0) {
        q -= 1; /* floor */
    }
    *lo = q;
    *hi = q + 1;
    return C_BETWEEN;
}

static conv to_integer(const floe_value *lit, int64_t min, int64_t max, int64_t *lo, int64_t *hi,
                       bool *ok)
{
    *ok = true;
    __int128 u, l, h;
    int32_t scale;
    conv cv;
    if (lit->kind == FLOE_V_DOUBLE || lit->kind == FLOE_V_FLOAT) {
        double d = lit->kind == FLOE_V_DOUBLE ? lit->u.f64 : lit->u.f32;
        if (isnan(d)) {
            *ok = false;
            return C_EXACT;
        }
        if (d > 9.3e18) {
            return C_ABOVE_MAX;
        }
        if (d < -9.3e18) {
            return C_BELOW_MIN;
        }
        double f = floor(d);
        l = (__int128)f;
        h = f == d ? l : l + 1;
        cv = f == d ? C_EXACT : C_BETWEEN;
    } else if (as_decimal(lit, &u, &scale)) {
        cv = rescale(u, scale, 0, &l, &h);
    } else {
        *ok = false;
        return C_EXACT;
    }
    if (cv == C_ABOVE_MAX || cv == C_BELOW_MIN) {
        return cv;
    }
    if (l > max) {
        return C_ABOVE_MAX;
    }
    if (h < min) {
        return C_BELOW_MIN;
    }
    if (cv == C_BETWEEN && h > max) {
        return C_ABOVE_MAX;
    }
    if (cv == C_BETWEEN && l < min) {
        return C_BELOW_MIN;
    }
    *lo = (int64_t)l;
    *hi = (int64_t)h;
    return cv;
}

/*
 * Convert a literal to the column type. On C_EXACT *lo is the value; on C_BETWEEN *lo and *hi are
 * the neighbours below and above.
 */
static floe_status convert(bind_ctx *c, const char *col, const floe_ice_type *t,
                           const floe_value *lit, floe_value *lo, floe_value *hi, conv *cv)
{
    *cv = C_EXACT;
    const char *s = (const char *)lit->u.bytes.ptr;
    size_t sl = lit->kind == FLOE_V_STRING ? lit->u.bytes.len : 0;
    bool is_str = lit->kind == FLOE_V_STRING;
    if ((lit->kind == FLOE_V_DOUBLE && isnan(lit->u.f64)) ||
        (lit->kind == FLOE_V_FLOAT && isnan(lit->u.f32))) {
        return lit_error(c, col, t, lit, "use IS NAN to test for NaN");
    }
    switch (t->id) {
    case FLOE_ICE_BOOLEAN:
        if (lit->kind == FLOE_V_BOOL) {
            *lo = *lit;
            return FLOE_OK;
        }
        if (is_str && (sl == 4 || sl == 5) &&
            (strncasecmp(s, "true", sl) == 0 || strncasecmp(s, "false", sl) == 0)) {
            *lo = floe_value_bool(sl == 4);
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_INT:
    case FLOE_ICE_LONG: {
        bool ok;
        int64_t l = 0, h = 0;
        bool is_int = t->id == FLOE_ICE_INT;
        *cv = to_integer(lit, is_int ? INT32_MIN : INT64_MIN, is_int ? INT32_MAX : INT64_MAX, &l,
                         &h, &ok);
        if (!ok) {
            break;
        }
        *lo = is_int ? floe_value_int((int32_t)l) : floe_value_long(l);
        *hi = is_int ? floe_value_int((int32_t)h) : floe_value_long(h);
        return FLOE_OK;
    }
    case FLOE_ICE_FLOAT:
    case FLOE_ICE_DOUBLE: {
        double d;
        __int128 u;
        int32_t scale;
        if (lit->kind == FLOE_V_DOUBLE) {
            d = lit->u.f64;
        } else if (lit->kind == FLOE_V_FLOAT) {
            d = lit->u.f32;
        } else if (lit->kind == FLOE_V_LONG || lit->kind == FLOE_V_INT) {
            d = lit->kind == FLOE_V_LONG ? (double)lit->u.i64 : lit->u.i32;
        } else if (as_decimal(lit, &u, &scale)) {
            d = (double)u / pow(10.0, scale);
        } else if (is_str) {
            char buf[64];
            char *end;
            if (sl == 0 || sl >= sizeof(buf)) {
                break;
            }
            memcpy(buf, s, sl);
            buf[sl] = '\0';
            d = strtod(buf, &end);
            if (*end != '\0' || isnan(d)) {
                break;
            }
        } else {
            break;
        }
        if (t->id == FLOE_ICE_FLOAT) {
            /* Past the float range this rounds to an infinity, which compares correctly. */
            float f = d > FLT_MAX ? INFINITY : d < -FLT_MAX ? -INFINITY : (float)d;
            *lo = floe_value_float(f);
        } else {
            *lo = floe_value_double(d);
        }
        return FLOE_OK;
    }
    case FLOE_ICE_DECIMAL: {
        __int128 u, l, h;
        int32_t scale;
        if (lit->kind == FLOE_V_DOUBLE || lit->kind == FLOE_V_FLOAT) {
            double d = lit->kind == FLOE_V_DOUBLE ? lit->u.f64 : lit->u.f32;
            char buf[64];
            snprintf(buf, sizeof(buf), "%.*f", t->scale + 3, d);
            if (!isfinite(d) || !ice_parse_decimal(buf, strlen(buf), &u, &scale)) {
                *cv = d > 0 ? C_ABOVE_MAX : C_BELOW_MIN;
                *lo = floe_value_decimal(0, t->precision, t->scale);
                return FLOE_OK;
            }
        } else if (!as_decimal(lit, &u, &scale)) {
            break;
        }
        *cv = rescale(u, scale, t->scale, &l, &h);
        __int128 limit = ice_pow10(t->precision);
        if (*cv != C_ABOVE_MAX && *cv != C_BELOW_MIN) {
            if (l >= limit || (*cv == C_BETWEEN && h >= limit)) {
                *cv = C_ABOVE_MAX;
            } else if (h <= -limit || (*cv == C_BETWEEN && l <= -limit)) {
                *cv = C_BELOW_MIN;
            }
        }
        *lo = floe_value_decimal(l, t->precision, t->scale);
        *hi = floe_value_decimal(h, t->precision, t->scale);
        return FLOE_OK;
    }
    case FLOE_ICE_DATE: {
        int32_t days;
        if (lit->kind == FLOE_V_DATE) {
            *lo = *lit;
            return FLOE_OK;
        }
        if (is_str && ice_parse_date(s, sl, &days)) {
            *lo = floe_value_date(days);
            return FLOE_OK;
        }
        return lit_error(c, col, t, lit, "expected a date 'YYYY-MM-DD'");
    }
    case FLOE_ICE_TIME: {
        int64_t us;
        if (lit->kind == FLOE_V_TIME) {
            *lo = *lit;
            return FLOE_OK;
        }
        if (is_str && ice_parse_time(s, sl, &us)) {
            *lo = floe_value_time(us, FLOE_UNIT_MICROS);
            return FLOE_OK;
        }
        return lit_error(c, col, t, lit, "expected a time 'HH:MM:SS[.ffffff]'");
    }
    case FLOE_ICE_TIMESTAMP:
    case FLOE_ICE_TIMESTAMPTZ:
    case FLOE_ICE_TIMESTAMP_NS:
    case FLOE_ICE_TIMESTAMPTZ_NS: {
        bool ns = t->id == FLOE_ICE_TIMESTAMP_NS || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        bool tz = t->id == FLOE_ICE_TIMESTAMPTZ || t->id == FLOE_ICE_TIMESTAMPTZ_NS;
        int64_t v;
        if (lit->kind == FLOE_V_TIMESTAMP) {
            if (lit->unit == (ns ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS)) {
                *lo = floe_value_timestamp(lit->u.i64, (floe_time_unit)lit->unit, tz);
                return FLOE_OK;
            }
            break;
        }
        if (lit->kind == FLOE_V_DATE) {
            int64_t per = ns ? INT64_C(86400000000000) : INT64_C(86400000000);
            *lo = floe_value_timestamp((int64_t)lit->u.i32 * per,
                                       ns ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS, tz);
            return FLOE_OK;
        }
        if (is_str) {
            bool ok = ns ? ice_parse_timestamp(s, sl, ICE_TS_LENIENT, true, &v)
                         : floe_time_parse_iso(s, sl, &v, NULL) == FLOE_OK;
            if (ok) {
                *lo = floe_value_timestamp(v, ns ? FLOE_UNIT_NANOS : FLOE_UNIT_MICROS, tz);
                return FLOE_OK;
            }
        }
        return lit_error(c, col, t, lit, "expected an ISO timestamp 'YYYY-MM-DDTHH:MM:SS'");
    }
    case FLOE_ICE_STRING:
        if (is_str) {
            *lo = *lit;
            return FLOE_OK;
        }
        break;
    case FLOE_ICE_UUID: {
        floe_uuid u;
        if (lit->kind == FLOE_V_UUID) {
            *lo = *lit;
            return FLOE_OK;
        }
        if (is_str && floe_uuid_parse(s, sl, &u, NULL) == FLOE_OK) {
            *lo = floe_value_uuid(u.b);
            return FLOE_OK;
        }
        return lit_error(c, col, t, lit, "expected a uuid");
    }
    case FLOE_ICE_FIXED:
    case FLOE_ICE_BINARY:
        if (is_str || lit->kind == FLOE_V_BINARY || lit->kind == FLOE_V_FIXED) {
            *lo = t->id == FLOE_ICE_FIXED ? floe_value_fixed(lit->u.bytes.ptr, lit->u.bytes.len)
                                          : floe_value_binary(lit->u.bytes.ptr, lit->u.bytes.len);
            return FLOE_OK;
        }
        break;
    default:
        return floe_err_set(c->err, FLOE_ERR_INVALID, "cannot filter on %s column %s",
                            floe_ice_type_name(t->id), col);
    }
    return lit_error(c, col, t, lit, NULL);
}

static bool is_float_col(const floe_ice_type *t)
{
    return t->id == FLOE_ICE_FLOAT || t->id == FLOE_ICE_DOUBLE;
}

static floe_status done(bind_ctx *c, const floe_ice_expr *e, const floe_ice_expr **out)
{
    if (e == NULL) {
        return ice_nomem(c->a, c->err);
    }
    *out = e;
    return FLOE_OK;
}

/* A comparison whose literal converted with `cv`. */
static floe_status bind_cmp(bind_ctx *c, floe_ice_expr_op op, const ice_entry *e, conv cv,
                            const floe_value *lo, const floe_value *hi, const floe_ice_expr **out)
{
    const floe_ice_field *f = e->field;
    const floe_ice_expr *not_null =
        ice_expr_bound_pred(c->a, FLOE_ICE_EXPR_NOT_NULL, f->id, f->type, e->name, NULL, 0);
    switch (cv) {
    case C_ABOVE_MAX:
        /* every value is below the literal */
        return done(c,
                    op == FLOE_ICE_EXPR_LT || op == FLOE_ICE_EXPR_LT_EQ ||
                            op == FLOE_ICE_EXPR_NOT_EQ
                        ? not_null
                        : floe_ice_expr_false(),
                    out);
    case C_BELOW_MIN:
        return done(c,
                    op == FLOE_ICE_EXPR_GT || op == FLOE_ICE_EXPR_GT_EQ ||
                            op == FLOE_ICE_EXPR_NOT_EQ
                        ? not_null
                        : floe_ice_expr_false(),
                    out);
    case C_BETWEEN:
        switch (op) {
        case FLOE_ICE_EXPR_LT:
        case FLOE_ICE_EXPR_LT_EQ:
            return done(
                c, ice_expr_bound_pred(c->a, FLOE_ICE_EXPR_LT_EQ, f->id, f->type, e->name, lo, 1),
                out);
        case FLOE_ICE_EXPR_GT:
        case FLOE_ICE_EXPR_GT_EQ:
            return done(
                c, ice_expr_bound_pred(c->a, FLOE_ICE_EXPR_GT_EQ, f->id, f->type, e->name, hi, 1),
                out);
        case FLOE_ICE_EXPR_EQ:
            return done(c, floe_ice_expr_false(), out);
        default: /* NOT_EQ */
            return done(c, not_null, out);
        }
    default:
        return done(c, ice_expr_bound_pred(c->a, op, f->id, f->type, e->name, lo, 1), out);
    }
}

static floe_status bind_pred(bind_ctx *c, const floe_ice_expr *x, bool negate,
                             const floe_ice_expr **out)
{
    const ice_entry *e = NULL;
    if (x->bound) {
        e = ice_schema_entry(c->schema, x->field_id);
    }
    if (e == NULL) {
        const floe_ice_field *f = floe_ice_schema_find_name(c->schema, x->name);
        e = f != NULL ? ice_schema_entry(c->schema, f->id) : NULL;
    }
    if (e == NULL) {
        return floe_err_set(c->err, FLOE_ERR_INVALID, "cannot find field '%s' in the schema",
                            x->name);
    }
    const floe_ice_type *t = e->field->type;
    if (!floe_ice_type_is_primitive(t)) {
        return floe_err_set(c->err, FLOE_ERR_INVALID,
                            "cannot filter on %s: it is a %s, not a primitive column", e->name,
                            floe_ice_type_name(t->id));
    }
    if (e->in_repeated) {
        return floe_err_set(c->err, FLOE_ERR_INVALID,
                            "cannot filter on %s: it is inside a list or map", e->name);
    }
    floe_ice_expr_op op = negate ? ice_expr_negate_op(x->op) : x->op;
    int32_t id = e->field->id;
    switch (op) {
    case FLOE_ICE_EXPR_IS_NULL:
    case FLOE_ICE_EXPR_NOT_NULL:
        return done(c, ice_expr_bound_pred(c->a, op, id, t, e->name, NULL, 0), out);
    case FLOE_ICE_EXPR_IS_NAN:
    case FLOE_ICE_EXPR_NOT_NAN:
        if (!is_float_col(t)) {
            return floe_err_set(c->err, FLOE_ERR_INVALID,
                                "IS NAN needs a float or double column, but %s is %s", e->name,
                                floe_ice_type_name(t->id));
        }
        return done(c, ice_expr_bound_pred(c->a, op, id, t, e->name, NULL, 0), out);
    case FLOE_ICE_EXPR_STARTS_WITH:
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        if (t->id != FLOE_ICE_STRING) {
            return floe_err_set(c->err, FLOE_ERR_INVALID,
                                "STARTS WITH needs a string column, but %s is %s", e->name,
                                floe_ice_type_name(t->id));
        }
        if (x->n_lits != 1 || x->lits[0].kind != FLOE_V_STRING) {
            return floe_err_set(c->err, FLOE_ERR_INVALID, "STARTS WITH on %s needs a string",
                                e->name);
        }
        return done(c, ice_expr_bound_pred(c->a, op, id, t, e->name, x->lits, 1), out);
    case FLOE_ICE_EXPR_IN:
    case FLOE_ICE_EXPR_NOT_IN: {
        floe_value *lits = floe_arena_calloc(c->a, x->n_lits > 0 ? x->n_lits : 1, sizeof(*lits));
        if (lits == NULL) {
            return ice_nomem(c->a, c->err);
        }
        size_t n = 0;
        for (size_t i = 0; i < x->n_lits; i++) {
            floe_value lo, hi;
            conv cv;
            floe_status st = convert(c, e->name, t, &x->lits[i], &lo, &hi, &cv);
            if (st != FLOE_OK) {
                return st;
            }
            if (cv != C_EXACT) {
                continue; /* no value of the column equals it */
            }
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++) {
                dup = floe_value_eq(&lits[k], &lo);
            }
            if (!dup) {
                lits[n++] = lo;
            }
        }
        if (n == 0) {
            return done(c,
                        op == FLOE_ICE_EXPR_IN ? floe_ice_expr_false()
                                               : ice_expr_bound_pred(c->a, FLOE_ICE_EXPR_NOT_NULL,
                                                                     id, t, e->name, NULL, 0),
                        out);
        }
        if (n == 1) {
            op = op == FLOE_ICE_EXPR_IN ? FLOE_ICE_EXPR_EQ : FLOE_ICE_EXPR_NOT_EQ;
        }
        return done(c, ice_expr_bound_pred(c->a, op, id, t, e->name, lits, n), out);
    }
    default: {
        if (x->n_lits != 1) {
            return floe_err_set(c->err, FLOE_ERR_INVALID, "comparison on %s needs one literal",
                                e->name);
        }
        floe_value lo, hi;
        conv cv;
        floe_status st = convert(c, e->name, t, &x->lits[0], &lo, &hi, &cv);
        if (st != FLOE_OK) {
            return st;
        }
        const floe_ice_expr *r = NULL;
        st = bind_cmp(c, op, e, cv, &lo, &hi, &r);
        if (st != FLOE_OK) {
            return st;
        }
        /* NOT (x < 5) holds for NaN, but x >= 5 does not: keep NaN rows explicitly. */
        if (negate && is_float_col(t) && op >= FLOE_ICE_EXPR_LT && op <= FLOE_ICE_EXPR_EQ &&
            op != FLOE_ICE_EXPR_EQ) {
            const floe_ice_expr *nan =
                ice_expr_bound_pred(c->a, FLOE_ICE_EXPR_IS_NAN, id, t, e->name, NULL, 0);
            return done(c, nan != NULL ? floe_ice_expr_or(c->a, r, nan) : NULL, out);
        }
        *out = r;
        return FLOE_OK;
    }
    }
}

static floe_status bind(bind_ctx *c, const floe_ice_expr *x, bool negate, int depth,
                        const floe_ice_expr **out)
{
    if (depth > 4 * FLOE_ICE_MAX_DEPTH + 64) {
        return floe_err_set(c->err, FLOE_ERR_TOO_BIG, "expression nesting too deep");
    }
    switch (x->op) {
    case FLOE_ICE_EXPR_TRUE:
    case FLOE_ICE_EXPR_FALSE:
        *out =
            (x->op == FLOE_ICE_EXPR_TRUE) != negate ? floe_ice_expr_true() : floe_ice_expr_false();
        return FLOE_OK;
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR: {
        const floe_ice_expr *l, *r;
        floe_status st = bind(c, x->left, negate, depth + 1, &l);
        if (st == FLOE_OK) {
            st = bind(c, x->right, negate, depth + 1, &r);
        }
        if (st != FLOE_OK) {
            return st;
        }
        bool is_and = (x->op == FLOE_ICE_EXPR_AND) != negate;
        return done(c, is_and ? floe_ice_expr_and(c->a, l, r) : floe_ice_expr_or(c->a, l, r), out);
    }
    case FLOE_ICE_EXPR_NOT:
        return bind(c, x->left, !negate, depth + 1, out);
    default:
        return bind_pred(c, x, negate, out);
    }
}

floe_status floe_ice_expr_bind(floe_arena *a, const floe_ice_expr *e, const floe_ice_schema *schema,
                               const floe_ice_expr **out, floe_err *err)
{
    bind_ctx c = {a, err, schema};
    return bind(&c, e, false, 0, out);
}
