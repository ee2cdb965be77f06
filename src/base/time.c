/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time: microsecond clocks, proleptic Gregorian date arithmetic (the days-from-civil method
 * described by Howard Hinnant, written out here from its description), ISO-8601 formatting and
 * parsing, and durations such as "90m" or "3d".
 */
#include "floe/base.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

int64_t floe_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t floe_time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

/* Floor division, since C division truncates toward zero. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t floe_days_from_civil(int64_t year, int month, int day)
{
    /* Shift the year to start in March so the leap day is the last day of the "year". */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                         /* [0, 399] */
    int64_t mp = (month + 9) % 12;                       /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;                  /* 719468: 0000-03-01 */
}

void floe_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

size_t floe_time_format_iso(int64_t us, char *out)
{
    int64_t days = floor_div(us, US_PER_DAY);
    int64_t rem = us - days * US_PER_DAY;
    int64_t y;
    int mo, d;
    floe_civil_from_days(days, &y, &mo, &d);
    int64_t secs = rem / US_PER_SEC;
    int64_t frac = rem % US_PER_SEC;
    int n;
    if (y >= 0 && y <= 9999) {
        n = snprintf(out, FLOE_ISO_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", (int)y, mo, d,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)frac);
    } else {
        n = snprintf(out, FLOE_ISO_TIME_MAX, "%+" PRId64 "-%02d-%02dT%02d:%02d:%02d.%06dZ", y, mo,
                     d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)frac);
    }
    return n < 0 ? 0 : (size_t)n;
}

/* ==== Parsing ==== */

typedef struct scan {
    const char *s;
    size_t len;
    size_t pos;
} scan;

static bool scan_digits(scan *sc, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (sc->pos >= sc->len || !isdigit((unsigned char)sc->s[sc->pos])) {
            return false;
        }
        v = v * 10 + (sc->s[sc->pos++] - '0');
    }
    *out = v;
    return true;
}

static bool scan_char(scan *sc, char c)
{
    if (sc->pos < sc->len && sc->s[sc->pos] == c) {
        sc->pos++;
        return true;
    }
    return false;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

floe_status floe_time_parse_iso(const char *s, size_t len, int64_t *out_us, floe_err *err)
{
    scan sc = {s, len, 0};
    int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac_us = 0;
    const char *what = "a timestamp (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM])";
    if (!scan_digits(&sc, 4, &y) || !scan_char(&sc, '-') || !scan_digits(&sc, 2, &mo) ||
        !scan_char(&sc, '-') || !scan_digits(&sc, 2, &d)) {
        goto bad;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo)) {
        goto bad;
    }
    if (scan_char(&sc, 'T') || scan_char(&sc, 't') || scan_char(&sc, ' ')) {
        if (!scan_digits(&sc, 2, &h) || !scan_char(&sc, ':') || !scan_digits(&sc, 2, &mi)) {
            goto bad;
        }
        if (scan_char(&sc, ':')) {
            if (!scan_digits(&sc, 2, &sec)) {
                goto bad;
            }
            if (scan_char(&sc, '.')) {
                int digits = 0;
                int64_t scale = 100000;
                while (sc.pos < sc.len && isdigit((unsigned char)sc.s[sc.pos])) {
                    if (++digits > 9) {
                        goto bad;
                    }
                    frac_us += (sc.s[sc.pos++] - '0') * scale;
                    scale /= 10;
                }
                if (digits == 0) {
                    goto bad;
                }
            }
        }
        if (h > 23 || mi > 59 || sec > 59) {
            goto bad;
        }
    }
    int64_t offset_min = 0;
    if (scan_char(&sc, 'Z') || scan_char(&sc, 'z')) {
        /* UTC */
    } else if (sc.pos < sc.len && (sc.s[sc.pos] == '+' || sc.s[sc.pos] == '-')) {
        int sign = sc.s[sc.pos++] == '-' ? -1 : 1;
        int64_t oh, om = 0;
        if (!scan_digits(&sc, 2, &oh)) {
            goto bad;
        }
        scan_char(&sc, ':');
        if (sc.pos < sc.len && !scan_digits(&sc, 2, &om)) {
            goto bad;
        }
        if (oh > 23 || om > 59) {
            goto bad;
        }
        offset_min = sign * (oh * 60 + om);
    }
    if (sc.pos != sc.len) {
        goto bad;
    }
    int64_t days = floe_days_from_civil(y, (int)mo, (int)d);
    *out_us = days * US_PER_DAY + ((h * 60 + mi - offset_min) * 60 + sec) * US_PER_SEC + frac_us;
    return FLOE_OK;
bad:
    return floe_err_set(err, FLOE_ERR_INVALID, "'%.*s' is not %s", (int)(len > 64 ? 64 : len), s,
                        what);
}

floe_status floe_duration_parse(const char *s, int64_t *out_us, floe_err *err)
{
    static const struct {
        const char *unit;
        int64_t us;
    } units[] = {
        {"us", 1},
        {"ms", 1000},
        {"s", US_PER_SEC},
        {"m", 60 * US_PER_SEC},
        {"h", 3600 * US_PER_SEC},
        {"d", US_PER_DAY},
        {"w", 7 * US_PER_DAY},
    };
    if (s == NULL || *s == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty duration");
    }
    int64_t total = 0;
    const char *p = s;
    while (*p != '\0') {
        if (!isdigit((unsigned char)*p)) {
            goto bad;
        }
        int64_t n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n > INT64_MAX / 10) {
                goto range;
            }
            n = n * 10 + (*p++ - '0');
        }
        size_t ulen = 0;
        while (isalpha((unsigned char)p[ulen])) {
            ulen++;
        }
        int64_t mult = 0;
        for (size_t i = 0; i < FLOE_ARRAY_LEN(units); i++) {
            if (strlen(units[i].unit) == ulen && strncmp(p, units[i].unit, ulen) == 0) {
                mult = units[i].us;
            }
        }
        if (mult == 0) {
            goto bad;
        }
        if (n > (INT64_MAX - total) / mult) {
            goto range;
        }
        total += n * mult;
        p += ulen;
    }
    *out_us = total;
    return FLOE_OK;
bad:
    return floe_err_set(err, FLOE_ERR_INVALID,
                        "'%s' is not a duration (use a number with us, ms, s, m, h, d or w, "
                        "e.g. 90m or 3d)",
                        s);
range:
    return floe_err_set(err, FLOE_ERR_INVALID, "duration '%s' is out of range", s);
}
