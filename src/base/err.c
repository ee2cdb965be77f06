/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status codes and the error sink. The mapping from codes to CLI exit codes and HTTP statuses
 * lives in one table here so that the CLI and the server can never disagree.
 */
#include "floe/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== The status table ==== */

static const floe_status_info status_table[FLOE_STATUS_COUNT_] = {
    [FLOE_OK] = {"ok", 0, 200},
    [FLOE_ERR_INVALID] = {"invalid", 1, 400},
    [FLOE_ERR_USAGE] = {"usage", 2, 400},
    [FLOE_ERR_CORRUPT] = {"corrupt", 1, 500},
    [FLOE_ERR_UNSUPPORTED] = {"unsupported", 1, 406},
    [FLOE_ERR_NOT_FOUND] = {"not found", 1, 404},
    [FLOE_ERR_EXISTS] = {"already exists", 1, 409},
    [FLOE_ERR_CONFLICT] = {"conflict", 1, 409},
    [FLOE_ERR_TOO_BIG] = {"too big", 1, 413},
    [FLOE_ERR_IO] = {"i/o error", 1, 500},
    [FLOE_ERR_AUTH] = {"unauthorized", 1, 401},
    [FLOE_ERR_FORBIDDEN] = {"forbidden", 1, 403},
    [FLOE_ERR_TIMEOUT] = {"timeout", 1, 504},
    [FLOE_ERR_UNAVAILABLE] = {"unavailable", 1, 503},
    [FLOE_ERR_STATE_UNKNOWN] = {"state unknown", 1, 500},
    [FLOE_ERR_CANCELED] = {"canceled", 1, 409},
    [FLOE_ERR_INTERNAL] = {"internal error", 1, 500},
};

const floe_status_info *floe_status_info_get(floe_status st)
{
    if ((int)st < 0 || st >= FLOE_STATUS_COUNT_) {
        st = FLOE_ERR_INTERNAL;
    }
    return &status_table[st];
}

const char *floe_status_name(floe_status st)
{
    return floe_status_info_get(st)->name;
}

int floe_status_exit_code(floe_status st)
{
    return floe_status_info_get(st)->exit_code;
}

int floe_status_http(floe_status st)
{
    return floe_status_info_get(st)->http_status;
}

/* ==== The error sink ==== */

/*
 * The code of the last error set on this thread, so that floe_err_wrap(NULL, ...) in a caller
 * that passed no sink still returns the real cause's code instead of FLOE_ERR_INTERNAL.
 */
static _Thread_local floe_status last_code = FLOE_ERR_INTERNAL;

floe_status floe_err_setv(floe_err *err, floe_status code, const char *fmt, va_list ap)
{
    if (code == FLOE_OK) {
        code = FLOE_ERR_INTERNAL; /* setting "ok" as an error is a bug; do not lose it */
    }
    if (err == NULL) {
        last_code = code;
        return code;
    }
    if (err->code != FLOE_OK) {
        return err->code; /* the first error wins */
    }
    last_code = code;
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

floe_status floe_err_set(floe_err *err, floe_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_status st = floe_err_setv(err, code, fmt, ap);
    va_end(ap);
    return st;
}

floe_status floe_err_wrap(floe_err *err, const char *fmt, ...)
{
    if (err == NULL) {
        return last_code;
    }
    if (err->code == FLOE_OK) {
        err->code = FLOE_ERR_INTERNAL;
        snprintf(err->msg, sizeof(err->msg), "unknown error");
    }
    char ctx[FLOE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return err->code;
    }
    /* Build "ctx: msg", truncating at the sink's size; the old message may be cut at its end. */
    char joined[FLOE_ERR_MSG_MAX];
    size_t clen = strlen(ctx), mlen = strlen(err->msg), cap = sizeof(joined) - 1, o = 0;
    size_t take = clen < cap ? clen : cap;
    memcpy(joined + o, ctx, take);
    o += take;
    for (const char *sep = ": "; *sep && o < cap; sep++) {
        joined[o++] = *sep;
    }
    take = mlen < cap - o ? mlen : cap - o;
    memcpy(joined + o, err->msg, take);
    o += take;
    joined[o] = '\0';
    memcpy(err->msg, joined, o + 1);
    return err->code;
}

floe_status floe_status_from_errno(int errnum)
{
    switch (errnum) {
    case ENOENT:
    case ENOTDIR:
        return FLOE_ERR_NOT_FOUND;
    case EEXIST:
    case ENOTEMPTY:
        return FLOE_ERR_EXISTS;
    case EACCES:
    case EPERM:
    case EROFS:
        return FLOE_ERR_FORBIDDEN;
    case EINVAL:
    case ENAMETOOLONG:
    case EISDIR:
        return FLOE_ERR_INVALID;
    case EFBIG:
    case ENOSPC:
    case EDQUOT:
        return FLOE_ERR_TOO_BIG;
    case ETIMEDOUT:
        return FLOE_ERR_TIMEOUT;
    case EAGAIN:
    case EBUSY:
        return FLOE_ERR_UNAVAILABLE;
    default:
        return FLOE_ERR_IO;
    }
}

floe_status floe_err_errno(floe_err *err, int errnum, const char *fmt, ...)
{
    char what[FLOE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return floe_err_set(err, floe_status_from_errno(errnum), "%s: %s", what, strerror(errnum));
}

void floe_err_clear(floe_err *err)
{
    if (err != NULL) {
        err->code = FLOE_OK;
        err->msg[0] = '\0';
    }
}

void floe_panic(const char *file, int line, const char *fmt, ...)
{
    fprintf(stderr, "floe: fatal: %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
