/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQL-like filter text parser behind `--where` and self-optimizing.filter: a hand-written
 * tokenizer and recursive-descent parser with limits on length, nesting and list sizes. Long
 * AND/OR chains become balanced trees so later recursive passes stay shallow.
 */
#include "ice_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_TEXT ((size_t)1 << 20)
#define MAX_LIST 100000
#define MAX_TERMS 100000

typedef enum tok_kind {
    T_END = 0,
    T_IDENT,  /* bare word (keywords included) */
    T_QIDENT, /* `quoted` or "quoted" identifier */
    T_STRING, /* 'text' */
    T_HEX,    /* X'0a0b' */
    T_NUMBER,
    T_OP, /* = == != <> < <= > >= */
    T_LPAREN,
    T_RPAREN,
    T_COMMA
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t off; /* byte offset in the text */
    const char *p;
    size_t n;
    char *text; /* T_STRING / T_QIDENT / T_HEX: unescaped copy (arena) */
    size_t text_len;
} tok;

typedef struct parser {
    floe_arena *a;
    floe_err *err;
    const char *s;
    size_t len;
    size_t pos;
    tok cur;
    int depth;
    size_t terms;
} parser;

static floe_status fail(parser *ps, size_t off, const char *fmt, ...) FLOE_PRINTF(3, 4);

static floe_status fail(parser *ps, size_t off, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return floe_err_set(ps->err, FLOE_ERR_INVALID, "filter: %s at offset %zu", msg, off);
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || (unsigned char)c >= 0x80;
}

/* A quoted token: doubled quote characters stand for one. */
static floe_status read_quoted(parser *ps, char q, tok *t)
{
    size_t start = ps->pos;
    ps->pos++;
    char *buf = floe_arena_alloc(ps->a, ps->len - ps->pos + 1);
    if (buf == NULL) {
        return ice_nomem(ps->a, ps->err);
    }
    size_t n = 0;
    for (;;) {
        if (ps->pos >= ps->len) {
            return fail(ps, start, "%s", "unterminated quoted text");
        }
        char c = ps->s[ps->pos++];
        if (c == q) {
            if (ps->pos < ps->len && ps->s[ps->pos] == q) {
                buf[n++] = q;
                ps->pos++;
                continue;
            }
            break;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    t->text = buf;
    t->text_len = n;
    t->n = ps->pos - start;
    return FLOE_OK;
}

static floe_status next(parser *ps)
{
    while (ps->pos < ps->len && isspace((unsigned char)ps->s[ps->pos])) {
        ps->pos++;
    }
    tok *t = &ps->cur;
    memset(t, 0, sizeof(*t));
    t->off = ps->pos;
    t->p = ps->s + ps->pos;
    if (ps->pos >= ps->len) {
        t->kind = T_END;
        return FLOE_OK;
    }
    char c = ps->s[ps->pos];
    if (c == '(' || c == ')' || c == ',') {
        t->kind = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : T_COMMA;
        t->n = 1;
        ps->pos++;
        return FLOE_OK;
    }
    if (c == '\'') {
        t->kind = T_STRING;
        return read_quoted(ps, '\'', t);
    }
    if (c == '`' || c == '"') {
        t->kind = T_QIDENT;
        floe_status st = read_quoted(ps, c, t);
        if (st == FLOE_OK && t->text_len == 0) {
            return fail(ps, t->off, "%s", "empty quoted name");
        }
        return st;
    }
    if ((c == 'x' || c == 'X') && ps->pos + 1 < ps->len && ps->s[ps->pos + 1] == '\'') {
        ps->pos++;
        t->kind = T_HEX;
        return read_quoted(ps, '\'', t);
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
        t->kind = T_OP;
        size_t n = 1;
        char d = ps->pos + 1 < ps->len ? ps->s[ps->pos + 1] : '\0';
        if ((c == '=' && d == '=') || (c == '!' && d == '=') || (c == '<' && d == '=') ||
            (c == '<' && d == '>') || (c == '>' && d == '=')) {
            n = 2;
        } else if (c == '!') {
            return fail(ps, t->off, "%s", "unexpected '!'");
        }
        t->n = n;
        ps->pos += n;
        return FLOE_OK;
    }
    if (isdigit((unsigned char)c) || c == '-' || c == '+' ||
        (c == '.' && ps->pos + 1 < ps->len && isdigit((unsigned char)ps->s[ps->pos + 1]))) {
        size_t i = ps->pos;
        if (c == '-' || c == '+') {
            i++;
        }
        size_t digits = 0;
        while (i < ps->len && (isdigit((unsigned char)ps->s[i]) || ps->s[i] == '.')) {
            digits += isdigit((unsigned char)ps->s[i]) ? 1 : 0;
            i++;
        }
        if (i < ps->len && (ps->s[i] == 'e' || ps->s[i] == 'E')) {
            i++;
            if (i < ps->len && (ps->s[i] == '+' || ps->s[i] == '-')) {
                i++;
            }
            while (i < ps->len && isdigit((unsigned char)ps->s[i])) {
                i++;
            }
        }
        if (digits == 0) {
            return fail(ps, t->off, "%s", "expected a number");
        }
        t->kind = T_NUMBER;
        t->n = i - ps->pos;
        ps->pos = i;
        return FLOE_OK;
    }
    if (ident_char(c)) {
        size_t i = ps->pos;
        while (i < ps->len && ident_char(ps->s[i])) {
            i++;
        }
        t->kind = T_IDENT;
        t->n = i - ps->pos;
        ps->pos = i;
        return FLOE_OK;
    }
    char what[8];
    snprintf(what, sizeof(what), "%c", isprint((unsigned char)c) ? c : '?');
    return fail(ps, t->off, "unexpected character '%s'", what);
}

static bool is_kw(const tok *t, const char *kw)
{
    return t->kind == T_IDENT && strlen(kw) == t->n && strncasecmp(t->p, kw, t->n) == 0;
}

static bool accept_kw(parser *ps, const char *kw, floe_status *st)
{
    if (!is_kw(&ps->cur, kw)) {
        return false;
    }
    *st = next(ps);
    return true;
}

static floe_status expect_kw(parser *ps, const char *kw)
{
    if (!is_kw(&ps->cur, kw)) {
        return fail(ps, ps->cur.off, "expected %s", kw);
    }
    return next(ps);
}

static const char *const RESERVED[] = {"and", "or",   "not",   "in",   "is",      "null",
                                       "nan", "true", "false", "like", "between", "starts"};

static bool reserved(const tok *t)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(RESERVED); i++) {
        if (is_kw(t, RESERVED[i])) {
            return true;
        }
    }
    return false;
}

/* ==== Literals ==== */

typedef enum lit_kind { L_NONE = 0, L_VALUE, L_NULL } lit_kind;

static floe_status parse_number(parser *ps, const tok *t, floe_value *out)
{
    char buf[128];
    if (t->n >= sizeof(buf)) {
        return fail(ps, t->off, "%s", "number too long");
    }
    memcpy(buf, t->p, t->n);
    buf[t->n] = '\0';
    bool has_exp = strpbrk(buf, "eE") != NULL;
    bool has_point = strchr(buf, '.') != NULL;
    if (!has_exp && !has_point) {
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 10);
        if (errno == 0 && *end == '\0') {
            *out = floe_value_long(v);
            return FLOE_OK;
        }
    }
    if (!has_exp) {
        __int128 u;
        int32_t scale;
        if (ice_parse_decimal(buf, t->n, &u, &scale)) {
            int digits = ice_decimal_digits(u);
            *out = floe_value_decimal(u, digits > scale ? digits : scale + 1, scale);
            return FLOE_OK;
        }
        return fail(ps, t->off, "invalid number %s (decimals have at most 38 digits)", buf);
    }
    char *end;
    double d = strtod(buf, &end);
    if (*end != '\0' || !isfinite(d)) {
        return fail(ps, t->off, "invalid number %s", buf);
    }
    *out = floe_value_double(d);
    return FLOE_OK;
}

/* A literal at the current token; L_NONE when the token is not one. */
static floe_status parse_literal(parser *ps, lit_kind *kind, floe_value *out)
{
    tok *t = &ps->cur;
    *kind = L_VALUE;
    if (t->kind == T_NUMBER) {
        floe_status st = parse_number(ps, t, out);
        return st != FLOE_OK ? st : next(ps);
    }
    if (t->kind == T_STRING) {
        *out = floe_value_string(t->text, t->text_len);
        return next(ps);
    }
    if (t->kind == T_HEX) {
        if (t->text_len % 2 != 0) {
            return fail(ps, t->off, "%s", "hex literal needs an even number of digits");
        }
        uint8_t *b = floe_arena_alloc(ps->a, t->text_len / 2 + 1);
        if (b == NULL) {
            return ice_nomem(ps->a, ps->err);
        }
        if (floe_hex_decode(t->text, t->text_len, b, NULL) != FLOE_OK) {
            return fail(ps, t->off, "%s", "invalid hex literal");
        }
        *out = floe_value_binary(b, t->text_len / 2);
        return next(ps);
    }
    if (is_kw(t, "true") || is_kw(t, "false")) {
        *out = floe_value_bool(is_kw(t, "true"));
        return next(ps);
    }
    if (is_kw(t, "null")) {
        *kind = L_NULL;
        *out = floe_value_null();
        return next(ps);
    }
    if (is_kw(t, "date") || is_kw(t, "time") || is_kw(t, "timestamp")) {
        /* DATE '...': the keyword is a hint; the column type decides at binding. */
        size_t save_pos = ps->pos;
        tok save = *t;
        floe_status st = next(ps);
        if (st != FLOE_OK) {
            return st;
        }
        if (ps->cur.kind == T_STRING) {
            *out = floe_value_string(ps->cur.text, ps->cur.text_len);
            return next(ps);
        }
        ps->pos = save_pos;
        ps->cur = save;
    }
    *kind = L_NONE;
    return FLOE_OK;
}

/* ==== Predicates ==== */

static bool is_column_tok(const tok *t)
{
    return t->kind == T_QIDENT || (t->kind == T_IDENT && !reserved(t));
}

static floe_status column_name(parser *ps, const char **name)
{
    tok *t = &ps->cur;
    if (t->kind == T_QIDENT) {
        *name = t->text;
    } else if (t->kind == T_IDENT && !reserved(t)) {
        char *s = floe_arena_strndup(ps->a, t->p, t->n);
        if (s == NULL) {
            return ice_nomem(ps->a, ps->err);
        }
        *name = s;
    } else {
        return fail(ps, t->off, "%s", "expected a column name");
    }
    return next(ps);
}

static floe_ice_expr_op cmp_op(const tok *t)
{
    if (t->n == 1) {
        return t->p[0] == '='   ? FLOE_ICE_EXPR_EQ
               : t->p[0] == '<' ? FLOE_ICE_EXPR_LT
                                : FLOE_ICE_EXPR_GT;
    }
    if (t->p[0] == '=') {
        return FLOE_ICE_EXPR_EQ;
    }
    if (t->p[0] == '!' || (t->p[0] == '<' && t->p[1] == '>')) {
        return FLOE_ICE_EXPR_NOT_EQ;
    }
    return t->p[0] == '<' ? FLOE_ICE_EXPR_LT_EQ : FLOE_ICE_EXPR_GT_EQ;
}

static floe_ice_expr_op flip(floe_ice_expr_op op)
{
    switch (op) {
    case FLOE_ICE_EXPR_LT:
        return FLOE_ICE_EXPR_GT;
    case FLOE_ICE_EXPR_LT_EQ:
        return FLOE_ICE_EXPR_GT_EQ;
    case FLOE_ICE_EXPR_GT:
        return FLOE_ICE_EXPR_LT;
    case FLOE_ICE_EXPR_GT_EQ:
        return FLOE_ICE_EXPR_LT_EQ;
    default:
        return op;
    }
}

static floe_status make_pred(parser *ps, floe_ice_expr_op op, const char *name,
                             const floe_value *lits, size_t n, const floe_ice_expr **out)
{
    if (++ps->terms > MAX_TERMS) {
        return floe_err_set(ps->err, FLOE_ERR_TOO_BIG, "filter: more than %d predicates",
                            MAX_TERMS);
    }
    *out = floe_ice_expr_pred(ps->a, op, name, lits, n);
    return *out != NULL ? FLOE_OK : ice_nomem(ps->a, ps->err);
}

/* col <op> lit with NULL handling: = NULL is IS NULL, != NULL is NOT NULL. */
static floe_status comparison(parser *ps, floe_ice_expr_op op, const char *name, lit_kind lk,
                              const floe_value *lit, size_t off, const floe_ice_expr **out)
{
    if (lk == L_NULL) {
        if (op == FLOE_ICE_EXPR_EQ || op == FLOE_ICE_EXPR_NOT_EQ) {
            return make_pred(
                ps, op == FLOE_ICE_EXPR_EQ ? FLOE_ICE_EXPR_IS_NULL : FLOE_ICE_EXPR_NOT_NULL, name,
                NULL, 0, out);
        }
        (void)off;
        *out = floe_ice_expr_false(); /* x < NULL is never true */
        return FLOE_OK;
    }
    return make_pred(ps, op, name, lit, 1, out);
}

static floe_status parse_in_list(parser *ps, bool negate, const char *name,
                                 const floe_ice_expr **out)
{
    if (ps->cur.kind != T_LPAREN) {
        return fail(ps, ps->cur.off, "%s", "expected '(' after IN");
    }
    floe_status st = next(ps);
    floe_vec lits;
    floe_vec_init(&lits, sizeof(floe_value));
    bool saw_null = false;
    while (st == FLOE_OK) {
        lit_kind lk;
        floe_value v;
        size_t off = ps->cur.off;
        st = parse_literal(ps, &lk, &v);
        if (st != FLOE_OK) {
            break;
        }
        if (lk == L_NONE) {
            st = fail(ps, off, "%s", "expected a literal in the IN list");
            break;
        }
        if (lk == L_NULL) {
            saw_null = true;
        } else if (lits.n >= MAX_LIST) {
            st =
                floe_err_set(ps->err, FLOE_ERR_TOO_BIG, "filter: IN list longer than %d", MAX_LIST);
            break;
        } else {
            floe_vec_push_copy(&lits, &v);
        }
        if (ps->cur.kind == T_COMMA) {
            st = next(ps);
            continue;
        }
        if (ps->cur.kind == T_RPAREN) {
            st = next(ps);
            break;
        }
        st = fail(ps, ps->cur.off, "%s", "expected ',' or ')' in the IN list");
    }
    if (st == FLOE_OK) {
        if (negate && saw_null) {
            *out = floe_ice_expr_false(); /* x NOT IN (..., NULL) is never true */
        } else if (lits.n == 0) {
            *out = negate ? NULL : floe_ice_expr_false();
            if (*out == NULL) {
                st = make_pred(ps, FLOE_ICE_EXPR_NOT_NULL, name, NULL, 0, out);
            }
        } else {
            st = make_pred(ps, negate ? FLOE_ICE_EXPR_NOT_IN : FLOE_ICE_EXPR_IN, name,
                           (const floe_value *)lits.data, lits.n, out);
        }
    }
    floe_vec_fini(&lits);
    return st;
}

/* LIKE 'prefix%' is STARTS WITH; a pattern without wildcards is equality. */
static floe_status parse_like(parser *ps, bool negate, const char *name, const floe_ice_expr **out)
{
    tok t = ps->cur;
    if (t.kind != T_STRING) {
        return fail(ps, t.off, "%s", "expected a string pattern after LIKE");
    }
    size_t n = t.text_len;
    const char *pat = t.text;
    bool prefix = n > 0 && pat[n - 1] == '%';
    size_t body = prefix ? n - 1 : n;
    for (size_t i = 0; i < body; i++) {
        if (pat[i] == '%' || pat[i] == '_') {
            return floe_err_set(ps->err, FLOE_ERR_UNSUPPORTED,
                                "filter: LIKE supports only prefix patterns ('abc%%') at offset "
                                "%zu",
                                t.off);
        }
    }
    floe_status st = next(ps);
    if (st != FLOE_OK) {
        return st;
    }
    floe_value v = floe_value_string(pat, body);
    if (prefix) {
        return make_pred(ps, negate ? FLOE_ICE_EXPR_NOT_STARTS_WITH : FLOE_ICE_EXPR_STARTS_WITH,
                         name, &v, 1, out);
    }
    return make_pred(ps, negate ? FLOE_ICE_EXPR_NOT_EQ : FLOE_ICE_EXPR_EQ, name, &v, 1, out);
}

static floe_status parse_expr(parser *ps, const floe_ice_expr **out);

/* DATE '...', TIME '...', TIMESTAMP '...': a typed literal, not a column called "date". */
static bool typed_literal_ahead(parser *ps)
{
    if (!is_kw(&ps->cur, "date") && !is_kw(&ps->cur, "time") && !is_kw(&ps->cur, "timestamp")) {
        return false;
    }
    size_t save_pos = ps->pos;
    tok save = ps->cur;
    floe_err tmp = {0};
    floe_err *keep = ps->err;
    ps->err = &tmp;
    bool yes = next(ps) == FLOE_OK && ps->cur.kind == T_STRING;
    ps->err = keep;
    ps->pos = save_pos;
    ps->cur = save;
    return yes;
}

static floe_status parse_predicate(parser *ps, const floe_ice_expr **out)
{
    floe_status st;
    size_t off = ps->cur.off;
    /* lit op col */
    if (typed_literal_ahead(ps) || !is_column_tok(&ps->cur)) {
        lit_kind lk;
        floe_value lit;
        st = parse_literal(ps, &lk, &lit);
        if (st != FLOE_OK) {
            return st;
        }
        if (lk == L_NONE) {
            return fail(ps, off, "%s", "expected a predicate");
        }
        if (ps->cur.kind != T_OP) {
            return fail(ps, ps->cur.off, "%s", "expected a comparison operator");
        }
        floe_ice_expr_op op = flip(cmp_op(&ps->cur));
        st = next(ps);
        const char *name;
        if (st == FLOE_OK) {
            st = column_name(ps, &name);
        }
        return st != FLOE_OK ? st : comparison(ps, op, name, lk, &lit, off, out);
    }
    const char *name;
    st = column_name(ps, &name);
    if (st != FLOE_OK) {
        return st;
    }
    tok *t = &ps->cur;
    if (t->kind == T_OP) {
        floe_ice_expr_op op = cmp_op(t);
        st = next(ps);
        if (st != FLOE_OK) {
            return st;
        }
        if (is_column_tok(&ps->cur) && !typed_literal_ahead(ps)) {
            return floe_err_set(ps->err, FLOE_ERR_UNSUPPORTED,
                                "filter: comparing two columns is not supported (offset %zu)",
                                ps->cur.off);
        }
        lit_kind lk;
        floe_value lit;
        size_t loff = ps->cur.off;
        st = parse_literal(ps, &lk, &lit);
        if (st != FLOE_OK) {
            return st;
        }
        if (lk == L_NONE) {
            return fail(ps, loff, "%s", "expected a literal");
        }
        return comparison(ps, op, name, lk, &lit, loff, out);
    }
    if (accept_kw(ps, "is", &st)) {
        if (st != FLOE_OK) {
            return st;
        }
        bool negate = false;
        if (accept_kw(ps, "not", &st)) {
            negate = true;
            if (st != FLOE_OK) {
                return st;
            }
        }
        if (accept_kw(ps, "null", &st)) {
            return st != FLOE_OK
                       ? st
                       : make_pred(ps, negate ? FLOE_ICE_EXPR_NOT_NULL : FLOE_ICE_EXPR_IS_NULL,
                                   name, NULL, 0, out);
        }
        if (accept_kw(ps, "nan", &st)) {
            return st != FLOE_OK
                       ? st
                       : make_pred(ps, negate ? FLOE_ICE_EXPR_NOT_NAN : FLOE_ICE_EXPR_IS_NAN, name,
                                   NULL, 0, out);
        }
        return fail(ps, ps->cur.off, "%s", "expected NULL or NAN after IS");
    }
    bool negate = false;
    if (accept_kw(ps, "not", &st)) {
        negate = true;
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (accept_kw(ps, "in", &st)) {
        return st != FLOE_OK ? st : parse_in_list(ps, negate, name, out);
    }
    if (accept_kw(ps, "like", &st)) {
        return st != FLOE_OK ? st : parse_like(ps, negate, name, out);
    }
    if (accept_kw(ps, "starts", &st)) {
        if (st == FLOE_OK) {
            st = expect_kw(ps, "with");
        }
        if (st != FLOE_OK) {
            return st;
        }
        if (ps->cur.kind != T_STRING) {
            return fail(ps, ps->cur.off, "%s", "expected a string after STARTS WITH");
        }
        floe_value v = floe_value_string(ps->cur.text, ps->cur.text_len);
        st = next(ps);
        return st != FLOE_OK
                   ? st
                   : make_pred(ps,
                               negate ? FLOE_ICE_EXPR_NOT_STARTS_WITH : FLOE_ICE_EXPR_STARTS_WITH,
                               name, &v, 1, out);
    }
    if (accept_kw(ps, "between", &st)) {
        lit_kind k1, k2;
        floe_value lo, hi;
        size_t o1 = ps->cur.off;
        if (st == FLOE_OK) {
            st = parse_literal(ps, &k1, &lo);
        }
        if (st == FLOE_OK && k1 != L_VALUE) {
            st = fail(ps, o1, "%s", "expected a literal after BETWEEN");
        }
        if (st == FLOE_OK) {
            st = expect_kw(ps, "and");
        }
        size_t o2 = ps->cur.off;
        if (st == FLOE_OK) {
            st = parse_literal(ps, &k2, &hi);
        }
        if (st == FLOE_OK && k2 != L_VALUE) {
            st = fail(ps, o2, "%s", "expected a literal after AND");
        }
        const floe_ice_expr *a = NULL, *b = NULL;
        if (st == FLOE_OK) {
            st = make_pred(ps, negate ? FLOE_ICE_EXPR_LT : FLOE_ICE_EXPR_GT_EQ, name, &lo, 1, &a);
        }
        if (st == FLOE_OK) {
            st = make_pred(ps, negate ? FLOE_ICE_EXPR_GT : FLOE_ICE_EXPR_LT_EQ, name, &hi, 1, &b);
        }
        if (st == FLOE_OK) {
            *out = negate ? floe_ice_expr_or(ps->a, a, b) : floe_ice_expr_and(ps->a, a, b);
            st = *out != NULL ? FLOE_OK : ice_nomem(ps->a, ps->err);
        }
        return st;
    }
    return fail(ps, ps->cur.off, "%s", "expected an operator after the column name");
}

static floe_status parse_primary(parser *ps, const floe_ice_expr **out)
{
    floe_status st;
    if (++ps->depth > FLOE_ICE_MAX_DEPTH) {
        return floe_err_set(ps->err, FLOE_ERR_TOO_BIG, "filter: nesting deeper than %d",
                            FLOE_ICE_MAX_DEPTH);
    }
    if (accept_kw(ps, "not", &st)) {
        const floe_ice_expr *x = NULL;
        if (st == FLOE_OK) {
            st = parse_primary(ps, &x);
        }
        if (st == FLOE_OK) {
            *out = floe_ice_expr_not(ps->a, x);
            st = *out != NULL ? FLOE_OK : ice_nomem(ps->a, ps->err);
        }
    } else if (ps->cur.kind == T_LPAREN) {
        st = next(ps);
        if (st == FLOE_OK) {
            st = parse_expr(ps, out);
        }
        if (st == FLOE_OK && ps->cur.kind != T_RPAREN) {
            st = fail(ps, ps->cur.off, "%s", "expected ')'");
        }
        if (st == FLOE_OK) {
            st = next(ps);
        }
    } else if ((is_kw(&ps->cur, "true") || is_kw(&ps->cur, "false"))) {
        /* TRUE alone, unless it starts `TRUE = col` */
        size_t save_pos = ps->pos;
        tok save = ps->cur;
        bool value = is_kw(&ps->cur, "true");
        st = next(ps);
        if (st == FLOE_OK && ps->cur.kind == T_OP) {
            ps->pos = save_pos;
            ps->cur = save;
            st = parse_predicate(ps, out);
        } else if (st == FLOE_OK) {
            *out = value ? floe_ice_expr_true() : floe_ice_expr_false();
        }
    } else {
        st = parse_predicate(ps, out);
    }
    ps->depth--;
    return st;
}

/* Combine a chain of operands into a balanced tree. */
static const floe_ice_expr *balance(floe_arena *a, bool is_and, const floe_ice_expr **xs, size_t n)
{
    if (n == 1) {
        return xs[0];
    }
    size_t half = n / 2;
    const floe_ice_expr *l = balance(a, is_and, xs, half);
    const floe_ice_expr *r = balance(a, is_and, xs + half, n - half);
    return is_and ? floe_ice_expr_and(a, l, r) : floe_ice_expr_or(a, l, r);
}

static floe_status parse_chain(parser *ps, bool is_and, const floe_ice_expr **out)
{
    floe_vec xs;
    floe_vec_init(&xs, sizeof(const floe_ice_expr *));
    floe_status st;
    for (;;) {
        const floe_ice_expr *x = NULL;
        st = is_and ? parse_primary(ps, &x) : parse_chain(ps, true, &x);
        if (st != FLOE_OK) {
            break;
        }
        floe_vec_push_copy(&xs, &x);
        if (!accept_kw(ps, is_and ? "and" : "or", &st) || st != FLOE_OK) {
            break;
        }
    }
    if (st == FLOE_OK) {
        *out = balance(ps->a, is_and, (const floe_ice_expr **)xs.data, xs.n);
        st = *out != NULL ? FLOE_OK : ice_nomem(ps->a, ps->err);
    }
    floe_vec_fini(&xs);
    return st;
}

static floe_status parse_expr(parser *ps, const floe_ice_expr **out)
{
    return parse_chain(ps, false, out);
}

floe_status floe_ice_expr_parse(floe_arena *a, const char *text, size_t len,
                                const floe_ice_expr **out, floe_err *err)
{
    if (len > MAX_TEXT) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "filter: text of %zu bytes is over the limit "
                            "of %zu",
                            len, MAX_TEXT);
    }
    if (memchr(text, '\0', len) != NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "filter: text contains a NUL byte");
    }
    parser ps = {.a = a, .err = err, .s = text, .len = len};
    floe_status st = next(&ps);
    if (st == FLOE_OK && ps.cur.kind == T_END) {
        return floe_err_set(err, FLOE_ERR_INVALID, "filter: empty expression");
    }
    const floe_ice_expr *e = NULL;
    if (st == FLOE_OK) {
        st = parse_expr(&ps, &e);
    }
    if (st == FLOE_OK && ps.cur.kind != T_END) {
        st = fail(&ps, ps.cur.off, "%s", "unexpected text after the expression");
    }
    if (st == FLOE_OK) {
        *out = e;
    }
    return st;
}
