/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging: one logfmt line per event on stderr (or a sink set by the program or a test).
 * Lines are assembled in a stack buffer and handed to the sink in one call, under a mutex, so
 * lines from different threads never interleave.
 */
#include "floe/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096
#define LOG_CONTEXT_MAX 64

static _Atomic int log_level = FLOE_LOG_INFO;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static floe_log_sink log_sink;
static void *log_sink_ud;
static _Thread_local char log_context[LOG_CONTEXT_MAX];

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void floe_log_set_level(floe_log_level level)
{
    atomic_store(&log_level, (int)level);
}

floe_log_level floe_log_get_level(void)
{
    return (floe_log_level)atomic_load(&log_level);
}

bool floe_log_enabled(floe_log_level level)
{
    return level != FLOE_LOG_OFF && (int)level >= atomic_load(&log_level);
}

const char *floe_log_level_name(floe_log_level level)
{
    if ((unsigned)level >= FLOE_ARRAY_LEN(level_names)) {
        return "unknown";
    }
    return level_names[level];
}

floe_status floe_log_level_parse(const char *s, floe_log_level *out, floe_err *err)
{
    for (size_t i = 0; s != NULL && i < FLOE_ARRAY_LEN(level_names); i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (floe_log_level)i;
            return FLOE_OK;
        }
    }
    if (s != NULL && strcasecmp(s, "warning") == 0) {
        *out = FLOE_LOG_WARN;
        return FLOE_OK;
    }
    return floe_err_set(err, FLOE_ERR_INVALID,
                        "unknown log level '%s' (use debug, info, warn, error or off)",
                        s ? s : "(null)");
}

void floe_log_set_sink(floe_log_sink sink, void *ud)
{
    pthread_mutex_lock(&log_mutex);
    log_sink = sink;
    log_sink_ud = ud;
    pthread_mutex_unlock(&log_mutex);
}

void floe_log_set_context(const char *id)
{
    if (id == NULL) {
        log_context[0] = '\0';
        return;
    }
    snprintf(log_context, sizeof(log_context), "%s", id);
}

const char *floe_log_get_context(void)
{
    return log_context;
}

/* ==== Line assembly ==== */

typedef struct line {
    char buf[LOG_LINE_MAX];
    size_t len;
} line;

static void line_putc(line *l, char c)
{
    /* Keep two bytes for "\n\0"; a line that does not fit is cut, never overrun. */
    if (l->len + 2 < sizeof(l->buf)) {
        l->buf[l->len++] = c;
    }
}

static void line_puts(line *l, const char *s)
{
    for (; *s; s++) {
        line_putc(l, *s);
    }
}

static bool needs_quotes(const char *s)
{
    if (*s == '\0') {
        return true;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
            return true;
        }
    }
    return false;
}

/* Append a logfmt value: bare when safe, else quoted with \" \\ \n \t and \xNN escapes. */
static void line_value(line *l, const char *s)
{
    if (!needs_quotes(s)) {
        line_puts(l, s);
        return;
    }
    line_putc(l, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            line_putc(l, '\\');
            line_putc(l, (char)c);
        } else if (c == '\n') {
            line_puts(l, "\\n");
        } else if (c == '\t') {
            line_puts(l, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            char hex[5];
            snprintf(hex, sizeof(hex), "\\x%02x", c);
            line_puts(l, hex);
        } else {
            line_putc(l, (char)c);
        }
    }
    line_putc(l, '"');
}

static void line_field(line *l, const char *key, const char *value)
{
    if (l->len > 0) {
        line_putc(l, ' ');
    }
    line_puts(l, key);
    line_putc(l, '=');
    line_value(l, value);
}

void floe_log_writev(floe_log_level level, const char *component, const char *const *kv, size_t nkv,
                     const char *fmt, va_list ap)
{
    if (!floe_log_enabled(level)) {
        return;
    }
    line l;
    l.len = 0;
    char ts[FLOE_ISO_TIME_MAX];
    floe_time_format_iso(floe_time_now_us(), ts);
    line_field(&l, "ts", ts);
    line_field(&l, "level", floe_log_level_name(level));
    line_field(&l, "component", component ? component : "floe");
    if (log_context[0] != '\0') {
        line_field(&l, "id", log_context);
    }
    char msg[LOG_LINE_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    line_field(&l, "msg", msg);
    for (size_t i = 0; kv != NULL && i + 1 < nkv; i += 2) {
        if (kv[i] != NULL) {
            line_field(&l, kv[i], kv[i + 1] ? kv[i + 1] : "");
        }
    }
    l.buf[l.len++] = '\n';
    l.buf[l.len] = '\0';

    pthread_mutex_lock(&log_mutex);
    if (log_sink != NULL) {
        log_sink(log_sink_ud, level, l.buf, l.len);
    } else {
        /* One write(2) per line keeps lines whole even across processes sharing stderr. */
        ssize_t ignored = write(STDERR_FILENO, l.buf, l.len);
        (void)ignored;
    }
    pthread_mutex_unlock(&log_mutex);
}

void floe_log_write(floe_log_level level, const char *component, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_log_writev(level, component, NULL, 0, fmt, ap);
    va_end(ap);
}

void floe_log_kv(floe_log_level level, const char *component, const char *const *kv, size_t nkv,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_log_writev(level, component, kv, nkv, fmt, ap);
    va_end(ap);
}
