/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expressions: construction with constant folding, negation, the text form that the parser
 * reads back, and the REST / Java JSON form (read and write).
 */
#include "ice_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ==== Construction ==== */

static const floe_ice_expr EXPR_TRUE = {.op = FLOE_ICE_EXPR_TRUE};
static const floe_ice_expr EXPR_FALSE = {.op = FLOE_ICE_EXPR_FALSE};

const floe_ice_expr *floe_ice_expr_true(void)
{
    return &EXPR_TRUE;
}

const floe_ice_expr *floe_ice_expr_false(void)
{
    return &EXPR_FALSE;
}

floe_ice_expr *ice_expr_new(floe_arena *a, floe_ice_expr_op op)
{
    floe_ice_expr *e = floe_arena_calloc(a, 1, sizeof(*e));
    if (e != NULL) {
        e->op = op;
    }
    return e;
}

const floe_ice_expr *floe_ice_expr_and(floe_arena *a, const floe_ice_expr *l,
                                       const floe_ice_expr *r)
{
    if (l == NULL || r == NULL) {
        return NULL;
    }
    if (l->op == FLOE_ICE_EXPR_FALSE || r->op == FLOE_ICE_EXPR_FALSE) {
        return &EXPR_FALSE;
    }
    if (l->op == FLOE_ICE_EXPR_TRUE) {
        return r;
    }
    if (r->op == FLOE_ICE_EXPR_TRUE) {
        return l;
    }
    floe_ice_expr *e = ice_expr_new(a, FLOE_ICE_EXPR_AND);
    if (e != NULL) {
        e->left = l;
        e->right = r;
    }
    return e;
}

const floe_ice_expr *floe_ice_expr_or(floe_arena *a, const floe_ice_expr *l, const floe_ice_expr *r)
{
    if (l == NULL || r == NULL) {
        return NULL;
    }
    if (l->op == FLOE_ICE_EXPR_TRUE || r->op == FLOE_ICE_EXPR_TRUE) {
        return &EXPR_TRUE;
    }
    if (l->op == FLOE_ICE_EXPR_FALSE) {
        return r;
    }
    if (r->op == FLOE_ICE_EXPR_FALSE) {
        return l;
    }
    floe_ice_expr *e = ice_expr_new(a, FLOE_ICE_EXPR_OR);
    if (e != NULL) {
        e->left = l;
        e->right = r;
    }
    return e;
}

const floe_ice_expr *floe_ice_expr_not(floe_arena *a, const floe_ice_expr *x)
{
    if (x == NULL) {
        return NULL;
    }
    if (x->op == FLOE_ICE_EXPR_TRUE) {
        return &EXPR_FALSE;
    }
    if (x->op == FLOE_ICE_EXPR_FALSE) {
        return &EXPR_TRUE;
    }
    if (x->op == FLOE_ICE_EXPR_NOT) {
        return x->left;
    }
    floe_ice_expr *e = ice_expr_new(a, FLOE_ICE_EXPR_NOT);
    if (e != NULL) {
        e->left = x;
    }
    return e;
}

/* Copy literals (and the bytes they point to) into the arena. */
static floe_value *copy_lits(floe_arena *a, const floe_value *lits, size_t n)
{
    floe_value *out = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*out));
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = lits[i];
        if (lits[i].kind == FLOE_V_STRING || lits[i].kind == FLOE_V_BINARY ||
            lits[i].kind == FLOE_V_FIXED) {
            uint8_t *b = floe_arena_alloc(a, lits[i].u.bytes.len + 1);
            if (b == NULL) {
                return NULL;
            }
            if (lits[i].u.bytes.len > 0) {
                memcpy(b, lits[i].u.bytes.ptr, lits[i].u.bytes.len);
            }
            b[lits[i].u.bytes.len] = 0;
            out[i].u.bytes.ptr = b;
        }
    }
    return out;
}

const floe_ice_expr *floe_ice_expr_pred(floe_arena *a, floe_ice_expr_op op, const char *name,
                                        const floe_value *lits, size_t n_lits)
{
    if (op < FLOE_ICE_EXPR_IS_NULL) {
        return NULL;
    }
    floe_ice_expr *e = ice_expr_new(a, op);
    if (e == NULL) {
        return NULL;
    }
    e->name = floe_arena_strdup(a, name);
    e->lits = copy_lits(a, lits, n_lits);
    e->n_lits = n_lits;
    return e->name != NULL && e->lits != NULL ? e : NULL;
}

const floe_ice_expr *ice_expr_bound_pred(floe_arena *a, floe_ice_expr_op op, int32_t field_id,
                                         const floe_ice_type *type, const char *name,
                                         const floe_value *lits, size_t n_lits)
{
    floe_ice_expr *e = ice_expr_new(a, op);
    if (e == NULL) {
        return NULL;
    }
    e->bound = true;
    e->field_id = field_id;
    e->type = type;
    e->name = name;
    e->lits = copy_lits(a, lits, n_lits);
    e->n_lits = n_lits;
    return e->lits != NULL ? e : NULL;
}

floe_ice_expr_op ice_expr_negate_op(floe_ice_expr_op op)
{
    switch (op) {
    case FLOE_ICE_EXPR_TRUE:
        return FLOE_ICE_EXPR_FALSE;
    case FLOE_ICE_EXPR_FALSE:
        return FLOE_ICE_EXPR_TRUE;
    case FLOE_ICE_EXPR_AND:
        return FLOE_ICE_EXPR_OR;
    case FLOE_ICE_EXPR_OR:
        return FLOE_ICE_EXPR_AND;
    case FLOE_ICE_EXPR_IS_NULL:
        return FLOE_ICE_EXPR_NOT_NULL;
    case FLOE_ICE_EXPR_NOT_NULL:
        return FLOE_ICE_EXPR_IS_NULL;
    case FLOE_ICE_EXPR_IS_NAN:
        return FLOE_ICE_EXPR_NOT_NAN;
    case FLOE_ICE_EXPR_NOT_NAN:
        return FLOE_ICE_EXPR_IS_NAN;
    case FLOE_ICE_EXPR_LT:
        return FLOE_ICE_EXPR_GT_EQ;
    case FLOE_ICE_EXPR_LT_EQ:
        return FLOE_ICE_EXPR_GT;
    case FLOE_ICE_EXPR_GT:
        return FLOE_ICE_EXPR_LT_EQ;
    case FLOE_ICE_EXPR_GT_EQ:
        return FLOE_ICE_EXPR_LT;
    case FLOE_ICE_EXPR_EQ:
        return FLOE_ICE_EXPR_NOT_EQ;
    case FLOE_ICE_EXPR_NOT_EQ:
        return FLOE_ICE_EXPR_EQ;
    case FLOE_ICE_EXPR_STARTS_WITH:
        return FLOE_ICE_EXPR_NOT_STARTS_WITH;
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        return FLOE_ICE_EXPR_STARTS_WITH;
    case FLOE_ICE_EXPR_IN:
        return FLOE_ICE_EXPR_NOT_IN;
    case FLOE_ICE_EXPR_NOT_IN:
        return FLOE_ICE_EXPR_IN;
    case FLOE_ICE_EXPR_NOT:
        return FLOE_ICE_EXPR_NOT;
    }
    return op;
}

static const floe_ice_expr *rewrite_not(floe_arena *a, const floe_ice_expr *e, bool negate)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
    case FLOE_ICE_EXPR_FALSE:
        return negate ? (e->op == FLOE_ICE_EXPR_TRUE ? &EXPR_FALSE : &EXPR_TRUE) : e;
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR: {
        const floe_ice_expr *l = rewrite_not(a, e->left, negate);
        const floe_ice_expr *r = rewrite_not(a, e->right, negate);
        bool is_and = (e->op == FLOE_ICE_EXPR_AND) != negate;
        return is_and ? floe_ice_expr_and(a, l, r) : floe_ice_expr_or(a, l, r);
    }
    case FLOE_ICE_EXPR_NOT:
        return rewrite_not(a, e->left, !negate);
    default:
        if (!negate) {
            return e;
        }
        floe_ice_expr *n = ice_expr_new(a, ice_expr_negate_op(e->op));
        if (n != NULL) {
            *n = *e;
            n->op = ice_expr_negate_op(e->op);
        }
        return n;
    }
}

const floe_ice_expr *ice_expr_rewrite_not(floe_arena *a, const floe_ice_expr *e)
{
    return rewrite_not(a, e, false);
}

const char *floe_ice_expr_op_name(floe_ice_expr_op op)
{
    static const char *const names[] = {
        [FLOE_ICE_EXPR_TRUE] = "true",
        [FLOE_ICE_EXPR_FALSE] = "false",
        [FLOE_ICE_EXPR_AND] = "and",
        [FLOE_ICE_EXPR_OR] = "or",
        [FLOE_ICE_EXPR_NOT] = "not",
        [FLOE_ICE_EXPR_IS_NULL] = "is-null",
        [FLOE_ICE_EXPR_NOT_NULL] = "not-null",
        [FLOE_ICE_EXPR_IS_NAN] = "is-nan",
        [FLOE_ICE_EXPR_NOT_NAN] = "not-nan",
        [FLOE_ICE_EXPR_LT] = "lt",
        [FLOE_ICE_EXPR_LT_EQ] = "lt-eq",
        [FLOE_ICE_EXPR_GT] = "gt",
        [FLOE_ICE_EXPR_GT_EQ] = "gt-eq",
        [FLOE_ICE_EXPR_EQ] = "eq",
        [FLOE_ICE_EXPR_NOT_EQ] = "not-eq",
        [FLOE_ICE_EXPR_STARTS_WITH] = "starts-with",
        [FLOE_ICE_EXPR_NOT_STARTS_WITH] = "not-starts-with",
        [FLOE_ICE_EXPR_IN] = "in",
        [FLOE_ICE_EXPR_NOT_IN] = "not-in",
    };
    if ((unsigned)op >= FLOE_ARRAY_LEN(names)) {
        return "?";
    }
    return names[op];
}

/* ==== Text form ==== */

static const char *const KEYWORDS[] = {"and",     "or",   "not",   "in",       "is",   "null",
                                       "nan",     "true", "false", "starts",   "with", "like",
                                       "between", "date", "time",  "timestamp"};

static bool plain_name(const char *s)
{
    /* dot-separated identifiers that are not keywords */
    const char *p = s;
    while (*p != '\0') {
        const char *start = p;
        if (!(isalpha((unsigned char)*p) || *p == '_')) {
            return false;
        }
        while (isalnum((unsigned char)*p) || *p == '_') {
            p++;
        }
        size_t n = (size_t)(p - start);
        for (size_t i = 0; i < FLOE_ARRAY_LEN(KEYWORDS); i++) {
            if (strlen(KEYWORDS[i]) == n && strncasecmp(start, KEYWORDS[i], n) == 0) {
                return false;
            }
        }
        if (*p == '.') {
            p++;
            if (*p == '\0') {
                return false;
            }
        } else if (*p != '\0') {
            return false;
        }
    }
    return p != s;
}

static floe_status append_name(const char *name, floe_buf *out, floe_err *err)
{
    if (plain_name(name)) {
        return floe_buf_append_str(out, name, err);
    }
    floe_status st = floe_buf_append_byte(out, '`', err);
    for (const char *p = name; st == FLOE_OK && *p != '\0'; p++) {
        st = floe_buf_append(out, p, *p == '`' ? 1 : 1, err);
        if (st == FLOE_OK && *p == '`') {
            st = floe_buf_append_byte(out, '`', err);
        }
    }
    return st != FLOE_OK ? st : floe_buf_append_byte(out, '`', err);
}

static floe_status append_quoted(const uint8_t *p, size_t n, floe_buf *out, floe_err *err)
{
    floe_status st = floe_buf_append_byte(out, '\'', err);
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        st = floe_buf_append_byte(out, p[i], err);
        if (st == FLOE_OK && p[i] == '\'') {
            st = floe_buf_append_byte(out, '\'', err);
        }
    }
    return st != FLOE_OK ? st : floe_buf_append_byte(out, '\'', err);
}

static floe_status append_double(double d, floe_buf *out, floe_err *err)
{
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }
    return floe_buf_append_str(out, buf, err);
}

static floe_status append_lit(const floe_value *v, floe_buf *out, floe_err *err)
{
    char buf[FLOE_VALUE_TEXT_MAX];
    switch (v->kind) {
    case FLOE_V_NULL:
        return floe_buf_append_str(out, "NULL", err);
    case FLOE_V_BOOL:
        return floe_buf_append_str(out, v->u.b ? "TRUE" : "FALSE", err);
    case FLOE_V_INT:
        return floe_buf_printf(out, err, "%d", v->u.i32);
    case FLOE_V_LONG:
        return floe_buf_printf(out, err, "%lld", (long long)v->u.i64);
    case FLOE_V_FLOAT:
        return append_double(v->u.f32, out, err);
    case FLOE_V_DOUBLE:
        return append_double(v->u.f64, out, err);
    case FLOE_V_DECIMAL:
        floe_format_decimal(v->u.dec, v->scale, buf);
        if (v->scale == 0) {
            /* "12" would read back as an integer: give it a fraction point */
            return floe_buf_printf(out, err, "%s.", buf);
        }
        return floe_buf_append_str(out, buf, err);
    case FLOE_V_DATE:
        floe_format_date(v->u.i32, buf);
        return floe_buf_printf(out, err, "DATE '%s'", buf);
    case FLOE_V_TIME:
        floe_format_time(v->u.i64, (floe_time_unit)v->unit, buf);
        return floe_buf_printf(out, err, "TIME '%s'", buf);
    case FLOE_V_TIMESTAMP:
        floe_format_timestamp(v->u.i64, (floe_time_unit)v->unit, (v->flags & FLOE_VF_UTC) != 0,
                              buf);
        return floe_buf_printf(out, err, "TIMESTAMP '%s'", buf);
    case FLOE_V_STRING:
        return append_quoted(v->u.bytes.ptr, v->u.bytes.len, out, err);
    case FLOE_V_BINARY:
    case FLOE_V_FIXED: {
        floe_status st = floe_buf_append_str(out, "X'", err);
        char hex[3];
        for (size_t i = 0; st == FLOE_OK && i < v->u.bytes.len; i++) {
            floe_hex_encode(v->u.bytes.ptr + i, 1, hex);
            st = floe_buf_append(out, hex, 2, err);
        }
        return st != FLOE_OK ? st : floe_buf_append_byte(out, '\'', err);
    }
    case FLOE_V_UUID: {
        floe_uuid u;
        memcpy(u.b, v->u.uuid, 16);
        floe_uuid_format(&u, buf);
        return floe_buf_printf(out, err, "'%s'", buf);
    }
    default:
        return floe_err_set(err, FLOE_ERR_INVALID, "literal of kind %d has no text form",
                            (int)v->kind);
    }
}

static floe_status to_string(const floe_ice_expr *e, floe_buf *out, floe_err *err)
{
    floe_status st;
    static const char *const cmp_ops[] = {
        [FLOE_ICE_EXPR_LT] = "<",     [FLOE_ICE_EXPR_LT_EQ] = "<=", [FLOE_ICE_EXPR_GT] = ">",
        [FLOE_ICE_EXPR_GT_EQ] = ">=", [FLOE_ICE_EXPR_EQ] = "=",     [FLOE_ICE_EXPR_NOT_EQ] = "!=",
    };
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return floe_buf_append_str(out, "TRUE", err);
    case FLOE_ICE_EXPR_FALSE:
        return floe_buf_append_str(out, "FALSE", err);
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR:
        st = floe_buf_append_byte(out, '(', err);
        if (st == FLOE_OK) {
            st = to_string(e->left, out, err);
        }
        if (st == FLOE_OK) {
            st = floe_buf_append_str(out, e->op == FLOE_ICE_EXPR_AND ? " AND " : " OR ", err);
        }
        if (st == FLOE_OK) {
            st = to_string(e->right, out, err);
        }
        return st != FLOE_OK ? st : floe_buf_append_byte(out, ')', err);
    case FLOE_ICE_EXPR_NOT:
        st = floe_buf_append_str(out, "NOT (", err);
        if (st == FLOE_OK) {
            st = to_string(e->left, out, err);
        }
        return st != FLOE_OK ? st : floe_buf_append_byte(out, ')', err);
    default:
        break;
    }
    st = append_name(e->name, out, err);
    if (st != FLOE_OK) {
        return st;
    }
    switch (e->op) {
    case FLOE_ICE_EXPR_IS_NULL:
        return floe_buf_append_str(out, " IS NULL", err);
    case FLOE_ICE_EXPR_NOT_NULL:
        return floe_buf_append_str(out, " IS NOT NULL", err);
    case FLOE_ICE_EXPR_IS_NAN:
        return floe_buf_append_str(out, " IS NAN", err);
    case FLOE_ICE_EXPR_NOT_NAN:
        return floe_buf_append_str(out, " IS NOT NAN", err);
    case FLOE_ICE_EXPR_STARTS_WITH:
    case FLOE_ICE_EXPR_NOT_STARTS_WITH:
        st = floe_buf_append_str(
            out, e->op == FLOE_ICE_EXPR_STARTS_WITH ? " STARTS WITH " : " NOT STARTS WITH ", err);
        return st != FLOE_OK || e->n_lits < 1 ? st : append_lit(&e->lits[0], out, err);
    case FLOE_ICE_EXPR_IN:
    case FLOE_ICE_EXPR_NOT_IN:
        st = floe_buf_append_str(out, e->op == FLOE_ICE_EXPR_IN ? " IN (" : " NOT IN (", err);
        for (size_t i = 0; st == FLOE_OK && i < e->n_lits; i++) {
            if (i > 0) {
                st = floe_buf_append_str(out, ", ", err);
            }
            if (st == FLOE_OK) {
                st = append_lit(&e->lits[i], out, err);
            }
        }
        return st != FLOE_OK ? st : floe_buf_append_byte(out, ')', err);
    default:
        st = floe_buf_printf(out, err, " %s ", cmp_ops[e->op]);
        return st != FLOE_OK || e->n_lits < 1 ? st : append_lit(&e->lits[0], out, err);
    }
}

floe_status floe_ice_expr_to_string(const floe_ice_expr *e, floe_buf *out, floe_err *err)
{
    return to_string(e, out, err);
}

/* ==== JSON ==== */

static json_t *lit_to_json(const floe_value *v)
{
    char buf[FLOE_VALUE_TEXT_MAX];
    switch (v->kind) {
    case FLOE_V_BOOL:
        return ice_jnew(json_boolean(v->u.b));
    case FLOE_V_INT:
        return ice_jnew(json_integer(v->u.i32));
    case FLOE_V_LONG:
        return ice_jnew(json_integer(v->u.i64));
    case FLOE_V_FLOAT:
    case FLOE_V_DOUBLE: {
        double d = v->kind == FLOE_V_FLOAT ? v->u.f32 : v->u.f64;
        return isfinite(d) ? ice_jnew(json_real(d))
                           : ice_jnew(json_string(isnan(d) ? "NaN"
                                                  : d > 0  ? "Infinity"
                                                           : "-Infinity"));
    }
    case FLOE_V_DECIMAL:
        floe_format_decimal(v->u.dec, v->scale, buf);
        return ice_jnew(json_string(buf));
    case FLOE_V_DATE:
        floe_format_date(v->u.i32, buf);
        return ice_jnew(json_string(buf));
    case FLOE_V_TIME:
        floe_format_time(v->u.i64, (floe_time_unit)v->unit, buf);
        return ice_jnew(json_string(buf));
    case FLOE_V_TIMESTAMP:
        floe_format_timestamp(v->u.i64, (floe_time_unit)v->unit, (v->flags & FLOE_VF_UTC) != 0,
                              buf);
        return ice_jnew(json_string(buf));
    case FLOE_V_STRING:
        return floe_ice_value_to_json(floe_ice_type_get(FLOE_ICE_STRING), v);
    case FLOE_V_BINARY:
    case FLOE_V_FIXED:
        return floe_ice_value_to_json(floe_ice_type_get(FLOE_ICE_BINARY), v);
    case FLOE_V_UUID:
        return floe_ice_value_to_json(floe_ice_type_get(FLOE_ICE_UUID), v);
    default:
        return ice_jnew(json_null());
    }
}

json_t *floe_ice_expr_to_json(const floe_ice_expr *e)
{
    switch (e->op) {
    case FLOE_ICE_EXPR_TRUE:
        return ice_jnew(json_true());
    case FLOE_ICE_EXPR_FALSE:
        return ice_jnew(json_false());
    default:
        break;
    }
    json_t *o = ice_jnew(json_object());
    ice_jset(o, "type", ice_jnew(json_string(floe_ice_expr_op_name(e->op))));
    switch (e->op) {
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR:
        ice_jset(o, "left", floe_ice_expr_to_json(e->left));
        ice_jset(o, "right", floe_ice_expr_to_json(e->right));
        return o;
    case FLOE_ICE_EXPR_NOT:
        ice_jset(o, "child", floe_ice_expr_to_json(e->left));
        return o;
    default:
        break;
    }
    ice_jset(o, "term", ice_jstring(e->name));
    if (e->op == FLOE_ICE_EXPR_IN || e->op == FLOE_ICE_EXPR_NOT_IN) {
        json_t *vals = ice_jnew(json_array());
        for (size_t i = 0; i < e->n_lits; i++) {
            ice_jappend(vals, lit_to_json(&e->lits[i]));
        }
        ice_jset(o, "values", vals);
    } else if (e->n_lits > 0) {
        ice_jset(o, "value", lit_to_json(&e->lits[0]));
    }
    return o;
}

typedef struct jexpr_ctx {
    floe_arena *a;
    floe_err *err;
    const floe_ice_schema *schema;
    int depth;
} jexpr_ctx;

/* "<what>: <compact JSON of j>" as FLOE_ERR_INVALID. */
static floe_status jbad(jexpr_ctx *c, const char *what, const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    floe_status st =
        floe_err_set(c->err, FLOE_ERR_INVALID, "%s: %.200s", what, text != NULL ? text : "?");
    free(text);
    return st;
}

/* A term: a name string, {"type":"reference","name"|"id"}, or an unsupported transform/apply. */
static floe_status read_term(jexpr_ctx *c, const json_t *t, const char **name)
{
    if (json_is_string(t)) {
        *name = floe_arena_strdup(c->a, json_string_value(t));
        return *name != NULL ? FLOE_OK : ice_nomem(c->a, c->err);
    }
    const char *type = json_string_value(json_object_get(t, "type"));
    if (type != NULL && strcmp(type, "reference") == 0) {
        const json_t *n = json_object_get(t, "name");
        const json_t *id = json_object_get(t, "id");
        if (json_is_string(n)) {
            *name = floe_arena_strdup(c->a, json_string_value(n));
            return *name != NULL ? FLOE_OK : ice_nomem(c->a, c->err);
        }
        if (json_is_integer(id) && c->schema != NULL) {
            const char *nm = floe_ice_schema_id_name(c->schema, (int32_t)json_integer_value(id));
            if (nm == NULL) {
                return jbad(c, "reference to an unknown field id", t);
            }
            *name = nm;
            return FLOE_OK;
        }
        if (json_is_integer(id)) {
            return floe_err_set(c->err, FLOE_ERR_UNSUPPORTED,
                                "a reference by field id needs a schema");
        }
        return jbad(c, "invalid reference", t);
    }
    if (type != NULL && (strcmp(type, "transform") == 0 || strcmp(type, "apply") == 0)) {
        return floe_err_set(c->err, FLOE_ERR_UNSUPPORTED,
                            "expressions over transforms or functions are not supported");
    }
    return jbad(c, "invalid term", t);
}

/* A literal: a bare value or {"type":"literal","value":...}. Strings for binary columns are hex. */
static floe_status read_lit(jexpr_ctx *c, const json_t *j, const floe_ice_type *col,
                            floe_value *out)
{
    if (json_is_object(j)) {
        const char *type = json_string_value(json_object_get(j, "type"));
        if (type == NULL || strcmp(type, "literal") != 0 || json_object_get(j, "value") == NULL) {
            return jbad(c, "invalid literal", j);
        }
        j = json_object_get(j, "value");
    }
    if (json_is_integer(j)) {
        *out = floe_value_long(json_integer_value(j));
    } else if (json_is_real(j)) {
        *out = floe_value_double(json_real_value(j));
    } else if (json_is_boolean(j)) {
        *out = floe_value_bool(json_is_true(j));
    } else if (json_is_string(j)) {
        if (col != NULL && (col->id == FLOE_ICE_BINARY || col->id == FLOE_ICE_FIXED)) {
            floe_err tmp = {0};
            if (floe_ice_value_from_json(c->a, floe_ice_type_get(FLOE_ICE_BINARY), j, out, &tmp) !=
                FLOE_OK) {
                return jbad(c, "invalid binary literal (expected hex)", j);
            }
            return FLOE_OK;
        }
        size_t n = json_string_length(j);
        char *s = floe_arena_strndup(c->a, json_string_value(j), n);
        if (s == NULL) {
            return ice_nomem(c->a, c->err);
        }
        *out = floe_value_string(s, n);
    } else {
        return jbad(c, "invalid literal", j);
    }
    return FLOE_OK;
}

static floe_status expr_from_json(jexpr_ctx *c, const json_t *j, const floe_ice_expr **out);

static floe_status pred_from_json(jexpr_ctx *c, const json_t *j, floe_ice_expr_op op,
                                  const floe_ice_expr **out)
{
    const json_t *term = json_object_get(j, "term");
    const json_t *value = json_object_get(j, "value");
    if (term == NULL) {
        term = json_object_get(j, "child");
    }
    if (term == NULL) {
        term = json_object_get(j, "left");
        value = json_object_get(j, "right");
        /* A literal on the left and the reference on the right: swap and flip the operator. */
        if (term != NULL && value != NULL && !json_is_string(term) && json_is_object(value) &&
            json_is_string(json_object_get(value, "type")) &&
            strcmp(json_string_value(json_object_get(value, "type")), "reference") == 0) {
            const json_t *tmp = term;
            term = value;
            value = tmp;
            op = op == FLOE_ICE_EXPR_LT      ? FLOE_ICE_EXPR_GT
                 : op == FLOE_ICE_EXPR_LT_EQ ? FLOE_ICE_EXPR_GT_EQ
                 : op == FLOE_ICE_EXPR_GT    ? FLOE_ICE_EXPR_LT
                 : op == FLOE_ICE_EXPR_GT_EQ ? FLOE_ICE_EXPR_LT_EQ
                                             : op;
        }
    }
    if (term == NULL) {
        return jbad(c, "predicate without a term", j);
    }
    const char *name;
    floe_status st = read_term(c, term, &name);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_ice_field *col =
        c->schema != NULL ? floe_ice_schema_find_name(c->schema, name) : NULL;
    const floe_ice_type *ctype = col != NULL ? col->type : NULL;
    floe_value *lits = NULL;
    size_t n = 0;
    if (op == FLOE_ICE_EXPR_IN || op == FLOE_ICE_EXPR_NOT_IN) {
        const json_t *vals = json_object_get(j, "values");
        if (json_is_object(vals)) {
            vals = json_object_get(vals, "values"); /* {"type":"literals","values":[...]} */
        }
        if (!json_is_array(vals)) {
            return jbad(c, "set predicate without values", j);
        }
        n = json_array_size(vals);
        lits = floe_arena_calloc(c->a, n > 0 ? n : 1, sizeof(*lits));
        if (lits == NULL) {
            return ice_nomem(c->a, c->err);
        }
        for (size_t i = 0; i < n; i++) {
            st = read_lit(c, json_array_get(vals, i), ctype, &lits[i]);
            if (st != FLOE_OK) {
                return st;
            }
        }
    } else if (op >= FLOE_ICE_EXPR_LT) {
        if (value == NULL) {
            return jbad(c, "comparison without a value", j);
        }
        lits = floe_arena_calloc(c->a, 1, sizeof(*lits));
        if (lits == NULL) {
            return ice_nomem(c->a, c->err);
        }
        st = read_lit(c, value, ctype, &lits[0]);
        if (st != FLOE_OK) {
            return st;
        }
        n = 1;
    }
    *out = floe_ice_expr_pred(c->a, op, name, lits, n);
    return *out != NULL ? FLOE_OK : ice_nomem(c->a, c->err);
}

static floe_status expr_from_json(jexpr_ctx *c, const json_t *j, const floe_ice_expr **out)
{
    if (json_is_true(j)) {
        *out = &EXPR_TRUE;
        return FLOE_OK;
    }
    if (json_is_false(j)) {
        *out = &EXPR_FALSE;
        return FLOE_OK;
    }
    if (!json_is_object(j)) {
        return jbad(c, "invalid expression", j);
    }
    if (c->depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(c->err, FLOE_ERR_TOO_BIG, "expression nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    if (type == NULL) {
        return jbad(c, "expression without a type", j);
    }
    floe_ice_expr_op op = FLOE_ICE_EXPR_TRUE;
    bool found = false;
    for (int k = FLOE_ICE_EXPR_TRUE; k <= FLOE_ICE_EXPR_NOT_IN; k++) {
        if (strcmp(type, floe_ice_expr_op_name((floe_ice_expr_op)k)) == 0) {
            op = (floe_ice_expr_op)k;
            found = true;
        }
    }
    if (!found) {
        return floe_err_set(c->err, FLOE_ERR_INVALID, "unknown expression type \"%s\"", type);
    }
    floe_status st;
    c->depth++;
    switch (op) {
    case FLOE_ICE_EXPR_TRUE:
        *out = &EXPR_TRUE;
        st = FLOE_OK;
        break;
    case FLOE_ICE_EXPR_FALSE:
        *out = &EXPR_FALSE;
        st = FLOE_OK;
        break;
    case FLOE_ICE_EXPR_AND:
    case FLOE_ICE_EXPR_OR: {
        const floe_ice_expr *l, *r;
        const json_t *lj = json_object_get(j, "left"), *rj = json_object_get(j, "right");
        if (lj == NULL || rj == NULL) {
            st = jbad(c, "and/or needs left and right", j);
            break;
        }
        st = expr_from_json(c, lj, &l);
        if (st == FLOE_OK) {
            st = expr_from_json(c, rj, &r);
        }
        if (st == FLOE_OK) {
            *out = op == FLOE_ICE_EXPR_AND ? floe_ice_expr_and(c->a, l, r)
                                           : floe_ice_expr_or(c->a, l, r);
            st = *out != NULL ? FLOE_OK : ice_nomem(c->a, c->err);
        }
        break;
    }
    case FLOE_ICE_EXPR_NOT: {
        const floe_ice_expr *x;
        const json_t *cj = json_object_get(j, "child");
        if (cj == NULL) {
            st = jbad(c, "not needs a child", j);
            break;
        }
        st = expr_from_json(c, cj, &x);
        if (st == FLOE_OK) {
            *out = floe_ice_expr_not(c->a, x);
            st = *out != NULL ? FLOE_OK : ice_nomem(c->a, c->err);
        }
        break;
    }
    default:
        st = pred_from_json(c, j, op, out);
        break;
    }
    c->depth--;
    return st;
}

floe_status floe_ice_expr_from_json(floe_arena *a, const json_t *j, const floe_ice_schema *schema,
                                    const floe_ice_expr **out, floe_err *err)
{
    jexpr_ctx c = {a, err, schema, 0};
    const floe_ice_expr *e;
    floe_status st = expr_from_json(&c, j, &e);
    if (st != FLOE_OK) {
        return st;
    }
    if (schema != NULL) {
        return floe_ice_expr_bind(a, e, schema, out, err);
    }
    *out = e;
    return FLOE_OK;
}
