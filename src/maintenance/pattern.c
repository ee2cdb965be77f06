/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Datetime patterns in the subset of Java's DateTimeFormatter letters that Amoro's tag formats
 * and string TTL fields use. A pattern is compiled once into tokens (literals and numeric
 * fields); formatting and parsing walk the tokens. Pattern text comes from table properties,
 * so it is untrusted: length is bounded, every letter outside the supported set is refused
 * (Java would give it a meaning we do not implement), and quotes must be closed.
 */
#include "mnt_int.h"

#include <stdio.h>
#include <string.h>

typedef enum tok_kind {
    TK_LIT = 0,
    TK_YEAR,  /* yyyy */
    TK_YEAR2, /* yy: 2000-2099 */
    TK_MONTH,
    TK_DAY,
    TK_HOUR,
    TK_MINUTE,
    TK_SECOND,
    TK_FRACTION /* S..: fraction digits */
} tok_kind;

typedef struct tok {
    tok_kind kind;
    int width;       /* digits: exact when >= 2 (or fraction), 1-2 when 1 */
    const char *lit; /* TK_LIT */
    size_t lit_len;
} tok;

/* The finest field a pattern names, for the length of the period a value stands for. */
typedef enum grain {
    G_NONE = 0,
    G_YEAR,
    G_MONTH,
    G_DAY,
    G_HOUR,
    G_MINUTE,
    G_SECOND,
    G_FRACTION
} grain;

struct floe_mnt_pattern {
    const tok *toks;
    size_t n;
    grain finest;
    int fraction_digits;
};

/* ==== Shared time helpers ==== */

int64_t mnt_sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    }
    return r;
}

int64_t mnt_sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        return b < 0 ? INT64_MIN : INT64_MAX;
    }
    return r;
}

int64_t mnt_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

int64_t mnt_add_months_start(int64_t us, int months)
{
    int64_t y;
    int m, d;
    floe_civil_from_days(mnt_floor_div(us, MNT_US_PER_DAY), &y, &m, &d);
    int64_t idx = y * 12 + (m - 1) + months;
    int64_t ny = mnt_floor_div(idx, 12);
    int nm = (int)(idx - ny * 12) + 1;
    return mnt_sat_mul(floe_days_from_civil(ny, nm, 1), MNT_US_PER_DAY);
}

/* ==== Compiling ==== */

static bool is_ascii_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static floe_status add_lit(floe_vec *v, const char *s, size_t n)
{
    if (n == 0) {
        return FLOE_OK;
    }
    tok *t = floe_vec_push(v);
    t->kind = TK_LIT;
    t->lit = s;
    t->lit_len = n;
    return FLOE_OK;
}

static floe_status field_tok(char c, size_t count, size_t off, tok *t, grain *g, floe_err *err)
{
    t->width = (int)count;
    switch (c) {
    case 'y':
        if (count == 4) {
            t->kind = TK_YEAR;
        } else if (count == 2) {
            t->kind = TK_YEAR2;
        } else {
            break;
        }
        *g = G_YEAR;
        return FLOE_OK;
    case 'M':
        t->kind = TK_MONTH;
        *g = G_MONTH;
        return count <= 2 ? FLOE_OK : FLOE_ERR_INVALID;
    case 'd':
        t->kind = TK_DAY;
        *g = G_DAY;
        return count <= 2 ? FLOE_OK : FLOE_ERR_INVALID;
    case 'H':
        t->kind = TK_HOUR;
        *g = G_HOUR;
        return count <= 2 ? FLOE_OK : FLOE_ERR_INVALID;
    case 'm':
        t->kind = TK_MINUTE;
        *g = G_MINUTE;
        return count <= 2 ? FLOE_OK : FLOE_ERR_INVALID;
    case 's':
        t->kind = TK_SECOND;
        *g = G_SECOND;
        return count <= 2 ? FLOE_OK : FLOE_ERR_INVALID;
    case 'S':
        t->kind = TK_FRACTION;
        *g = G_FRACTION;
        return count <= 9 ? FLOE_OK : FLOE_ERR_INVALID;
    default:
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "pattern letter '%c' at offset %zu is not supported (use yyyy, yy, "
                            "MM, dd, HH, mm, ss, S and 'quoted text')",
                            c, off);
    }
    return FLOE_ERR_INVALID;
}

floe_status floe_mnt_pattern_compile(floe_arena *a, const char *text, const floe_mnt_pattern **out,
                                     floe_err *err)
{
    if (text == NULL || text[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty datetime pattern");
    }
    size_t len = strnlen(text, FLOE_MNT_PATTERN_MAX + 1);
    if (len > FLOE_MNT_PATTERN_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "datetime pattern longer than %d characters",
                            FLOE_MNT_PATTERN_MAX);
    }
    floe_vec toks;
    floe_vec_init(&toks, sizeof(tok));
    /* Literal text is copied into the arena with quotes resolved. */
    char *lits = floe_arena_alloc(a, len + 1);
    size_t lits_len = 0;
    grain finest = G_NONE;
    int frac_digits = 0;
    bool seen[9] = {0};
    floe_status st = FLOE_OK;
    if (lits == NULL) {
        st = floe_arena_check(a, err);
        goto done;
    }
    size_t i = 0;
    while (i < len) {
        char c = text[i];
        if (c == '\'') {
            size_t start = lits_len;
            if (i + 1 < len && text[i + 1] == '\'') { /* '' outside quotes: one quote */
                lits[lits_len++] = '\'';
                i += 2;
            } else {
                size_t j = i + 1;
                bool closed = false;
                while (j < len) {
                    if (text[j] == '\'') {
                        if (j + 1 < len && text[j + 1] == '\'') {
                            lits[lits_len++] = '\'';
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    lits[lits_len++] = text[j++];
                }
                if (!closed) {
                    st = floe_err_set(err, FLOE_ERR_INVALID,
                                      "unterminated quote at offset %zu in datetime pattern", i);
                    goto done;
                }
                i = j + 1;
            }
            add_lit(&toks, lits + start, lits_len - start);
        } else if (is_ascii_letter(c)) {
            size_t count = 1;
            while (i + count < len && text[i + count] == c) {
                count++;
            }
            tok t = {0};
            grain g = G_NONE;
            st = field_tok(c, count, i, &t, &g, err);
            if (st != FLOE_OK) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "pattern field '%.*s' at offset %zu has an unsupported width",
                                  (int)count, text + i, i);
                goto done;
            }
            if (seen[t.kind]) {
                st = floe_err_set(err, FLOE_ERR_INVALID,
                                  "pattern field '%.*s' at offset %zu repeats a field", (int)count,
                                  text + i, i);
                goto done;
            }
            seen[t.kind] = true;
            if (t.kind == TK_YEAR) {
                seen[TK_YEAR2] = true;
            } else if (t.kind == TK_YEAR2) {
                seen[TK_YEAR] = true;
            }
            if (g > finest) {
                finest = g;
            }
            if (t.kind == TK_FRACTION) {
                frac_digits = (int)count;
            }
            floe_vec_push_copy(&toks, &t);
            i += count;
        } else if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
            st = floe_err_set(err, FLOE_ERR_INVALID,
                              "pattern character '%c' at offset %zu is reserved (quote it)", c, i);
            goto done;
        } else {
            size_t start = lits_len;
            lits[lits_len++] = c;
            add_lit(&toks, lits + start, 1);
            i++;
        }
    }
    if (finest == G_NONE) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "datetime pattern '%s' has no date or time field",
                          text);
        goto done;
    }
    floe_mnt_pattern *p = floe_arena_calloc(a, 1, sizeof(*p));
    tok *copy = floe_arena_memdup(a, toks.data, toks.n * sizeof(tok));
    if (p == NULL || copy == NULL) {
        st = floe_arena_check(a, err);
        goto done;
    }
    p->toks = copy;
    p->n = toks.n;
    p->finest = finest;
    p->fraction_digits = frac_digits;
    *out = p;
done:
    floe_vec_fini(&toks);
    return st;
}

/* ==== Formatting ==== */

floe_status floe_mnt_pattern_format(const floe_mnt_pattern *p, int64_t us, floe_buf *out,
                                    floe_err *err)
{
    int64_t days = mnt_floor_div(us, MNT_US_PER_DAY);
    int64_t rem = us - days * MNT_US_PER_DAY;
    int64_t y;
    int mo, d;
    floe_civil_from_days(days, &y, &mo, &d);
    int64_t secs = rem / 1000000;
    int64_t frac = rem % 1000000;
    for (size_t i = 0; i < p->n; i++) {
        const tok *t = &p->toks[i];
        int64_t v = 0;
        floe_status st;
        switch (t->kind) {
        case TK_LIT:
            st = floe_buf_append(out, t->lit, t->lit_len, err);
            if (st != FLOE_OK) {
                return st;
            }
            continue;
        case TK_YEAR:
        case TK_YEAR2:
            if (y < 0 || y > 9999) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "year %lld cannot be formatted by the pattern", (long long)y);
            }
            v = t->kind == TK_YEAR2 ? y % 100 : y;
            break;
        case TK_MONTH:
            v = mo;
            break;
        case TK_DAY:
            v = d;
            break;
        case TK_HOUR:
            v = secs / 3600;
            break;
        case TK_MINUTE:
            v = secs / 60 % 60;
            break;
        case TK_SECOND:
            v = secs % 60;
            break;
        case TK_FRACTION: {
            char digits[16];
            snprintf(digits, sizeof(digits), "%06lld000", (long long)frac);
            st = floe_buf_append(out, digits, (size_t)t->width, err);
            if (st != FLOE_OK) {
                return st;
            }
            continue;
        }
        }
        st = floe_buf_printf(out, err, "%0*lld", t->width, (long long)v);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

/* ==== Parsing ==== */

static bool next_is_number(const floe_mnt_pattern *p, size_t i)
{
    return i + 1 < p->n && p->toks[i + 1].kind != TK_LIT;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 29;
    }
    return dm[m - 1];
}

floe_status floe_mnt_pattern_parse(const floe_mnt_pattern *p, const char *text, size_t len,
                                   int64_t *start_us, int64_t *end_us, floe_err *err)
{
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, frac_us = 0;
    size_t pos = 0;
    for (size_t i = 0; i < p->n; i++) {
        const tok *t = &p->toks[i];
        if (t->kind == TK_LIT) {
            if (len - pos < t->lit_len || memcmp(text + pos, t->lit, t->lit_len) != 0) {
                goto mismatch;
            }
            pos += t->lit_len;
            continue;
        }
        /* Exact width for wide fields and for narrow ones followed by another number (Java's
         * adjacent value parsing); otherwise 1 to 2 digits. */
        size_t min = (size_t)t->width, max = (size_t)t->width;
        if (t->width == 1 && t->kind != TK_FRACTION && !next_is_number(p, i)) {
            max = 2;
        }
        size_t n = 0;
        int64_t v = 0;
        while (n < max && pos + n < len && text[pos + n] >= '0' && text[pos + n] <= '9') {
            v = v * 10 + (text[pos + n] - '0');
            n++;
        }
        if (n < min) {
            goto mismatch;
        }
        pos += n;
        switch (t->kind) {
        case TK_YEAR:
            y = v;
            break;
        case TK_YEAR2:
            y = 2000 + v;
            break;
        case TK_MONTH:
            mo = v;
            break;
        case TK_DAY:
            d = v;
            break;
        case TK_HOUR:
            h = v;
            break;
        case TK_MINUTE:
            mi = v;
            break;
        case TK_SECOND:
            s = v;
            break;
        case TK_FRACTION:
            for (size_t k = n; k < 6; k++) {
                v *= 10;
            }
            for (size_t k = 6; k < n; k++) {
                v /= 10;
            }
            frac_us = v;
            break;
        case TK_LIT:
            break;
        }
    }
    if (pos != len) {
        goto mismatch;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) || h > 23 || mi > 59 ||
        s > 59) {
        return floe_err_set(err, FLOE_ERR_INVALID, "'%.*s' is not a valid date or time",
                            (int)(len > 64 ? 64 : len), text);
    }
    int64_t start = floe_days_from_civil(y, (int)mo, (int)d) * MNT_US_PER_DAY +
                    ((h * 60 + mi) * 60 + s) * 1000000 + frac_us;
    int64_t end = start;
    switch (p->finest) {
    case G_YEAR:
        end = mnt_add_months_start(start, 12);
        break;
    case G_MONTH:
        end = mnt_add_months_start(start, 1);
        break;
    case G_DAY:
        end = start + MNT_US_PER_DAY;
        break;
    case G_HOUR:
        end = start + INT64_C(3600) * 1000000;
        break;
    case G_MINUTE:
        end = start + INT64_C(60) * 1000000;
        break;
    case G_SECOND:
        end = start + 1000000;
        break;
    case G_FRACTION: {
        int64_t step = 1;
        for (int k = p->fraction_digits; k < 6; k++) {
            step *= 10;
        }
        end = start + step;
        break;
    }
    case G_NONE:
        break;
    }
    *start_us = start;
    *end_us = end;
    return FLOE_OK;
mismatch:
    return floe_err_set(err, FLOE_ERR_INVALID, "'%.*s' does not match the datetime pattern",
                        (int)(len > 64 ? 64 : len), text);
}
