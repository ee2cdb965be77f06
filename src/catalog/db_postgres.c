/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL driver (libpq). Statements are sent with PQexecParams, parameters as text, so
 * nothing from a request is ever spliced into SQL. The store's `?` placeholders are renumbered to
 * $1, $2, ... here. Transactions run at READ COMMITTED: the store's compare-and-swap is a single
 * `UPDATE ... WHERE metadata_location = expected`, which PostgreSQL re-evaluates on the newest
 * row version after waiting for a concurrent writer, so exactly one of two racing swaps wins.
 */
#include "catalog_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db_conn {
    PGconn *pg;
};

#define PG_PARAMS_MAX 64

/* libpq prints notices (e.g. "relation already exists, skipping") to stderr unless told not to. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The message without libpq's trailing newline. */
static void set_pg_error(floe_err *err, floe_status code, const char *what, const char *msg)
{
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ')) {
        len--;
    }
    floe_err_set(err, code, "postgresql: %s: %.*s", what, (int)len, msg);
}

static floe_status result_status(PGconn *pg, PGresult *r)
{
    if (PQstatus(pg) != CONNECTION_OK) {
        return FLOE_ERR_UNAVAILABLE;
    }
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL) {
        return FLOE_ERR_INTERNAL;
    }
    if (strcmp(state, "23505") == 0) {
        return FLOE_ERR_EXISTS; /* unique_violation */
    }
    if (strcmp(state, "23503") == 0) {
        return FLOE_ERR_NOT_FOUND; /* foreign_key_violation */
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        return FLOE_ERR_CONFLICT; /* serialization_failure, deadlock_detected */
    }
    if (strcmp(state, "55P03") == 0 || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "53", 2) == 0 || strncmp(state, "57P", 3) == 0) {
        return FLOE_ERR_UNAVAILABLE; /* lock timeout, connection, resources, shutdown */
    }
    if (strcmp(state, "57014") == 0) {
        return FLOE_ERR_TIMEOUT; /* query_canceled (statement_timeout) */
    }
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
        return FLOE_ERR_INVALID; /* data exception, other integrity violations */
    }
    return FLOE_ERR_INTERNAL;
}

static floe_status pg_exec_script(db_conn *c, const char *sql, floe_err *err)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType es = PQresultStatus(r);
    floe_status st = FLOE_OK;
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
        st = result_status(c->pg, r);
        set_pg_error(err, st, "script", PQerrorMessage(c->pg));
    }
    PQclear(r);
    return st;
}

static void pg_disconnect(db_conn *c)
{
    if (c == NULL) {
        return;
    }
    PQfinish(c->pg);
    free(c);
}

static floe_status pg_connect(const char *url, int64_t busy_timeout_ms, db_conn **out,
                              floe_err *err)
{
    PGconn *pg = PQconnectdb(url);
    if (pg == NULL) {
        return floe_err_set(err, FLOE_ERR_UNAVAILABLE, "postgresql: cannot allocate a connection");
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        /* The message never contains the password; libpq does not echo it. */
        set_pg_error(err, FLOE_ERR_UNAVAILABLE, "connect", PQerrorMessage(pg));
        PQfinish(pg);
        return FLOE_ERR_UNAVAILABLE;
    }
    PQsetNoticeProcessor(pg, ignore_notice, NULL);
    db_conn *c = floe_xcalloc(1, sizeof(*c));
    c->pg = pg;
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SET application_name = 'floe'; SET lock_timeout = %lld; "
             "SET client_encoding = 'UTF8'",
             (long long)busy_timeout_ms);
    floe_status st = pg_exec_script(c, sql, err);
    if (st != FLOE_OK) {
        pg_disconnect(c);
        return st;
    }
    *out = c;
    return FLOE_OK;
}

static bool pg_healthy(db_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK) {
        return true;
    }
    PQreset(c->pg);
    return PQstatus(c->pg) == CONNECTION_OK;
}

/* Copy `sql` with every `?` replaced by $1, $2, ... (the store's SQL has no '?' in literals). */
static char *renumber(floe_arena *a, const char *sql)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    int n = 0;
    for (const char *p = sql; *p != '\0'; p++) {
        if (*p == '?') {
            floe_buf_printf(&b, NULL, "$%d", ++n);
        } else {
            floe_buf_append_byte(&b, (uint8_t)*p, NULL);
        }
    }
    char *out = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return out;
}

static floe_status pg_exec(db_conn *c, floe_arena *a, const char *sql, const db_param *params,
                           size_t nparams, db_result *res, floe_err *err)
{
    if (nparams > PG_PARAMS_MAX) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "postgresql: %zu parameters", nparams);
    }
    floe_arena *tmp = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *values[PG_PARAMS_MAX];
    for (size_t i = 0; i < nparams; i++) {
        switch (params[i].type) {
        case DB_PARAM_TEXT:
            values[i] = params[i].text;
            break;
        case DB_PARAM_INT:
            values[i] = floe_arena_sprintf(tmp, "%lld", (long long)params[i].i);
            break;
        default:
            values[i] = NULL;
            break;
        }
    }
    PGresult *r =
        PQexecParams(c->pg, renumber(tmp, sql), (int)nparams, NULL, values, NULL, NULL, 0);
    floe_arena_free(tmp);
    ExecStatusType es = PQresultStatus(r);
    floe_status st = FLOE_OK;
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
        st = result_status(c->pg, r);
        const char *msg = r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
        set_pg_error(err, st, "statement", msg[0] != '\0' ? msg : PQerrorMessage(c->pg));
        PQclear(r);
        return st;
    }
    if (res != NULL) {
        size_t nrows = (size_t)PQntuples(r);
        size_t ncols = (size_t)PQnfields(r);
        memset(res, 0, sizeof(*res));
        if (nrows > DB_ROWS_MAX) {
            PQclear(r);
            return floe_err_set(err, FLOE_ERR_TOO_BIG, "postgresql: more than %d rows",
                                DB_ROWS_MAX);
        }
        res->nrows = nrows;
        res->ncols = ncols;
        if (nrows > 0 && ncols > 0) {
            res->cells = floe_arena_calloc(a, nrows * ncols, sizeof(char *));
            for (size_t row = 0; res->cells != NULL && row < nrows; row++) {
                for (size_t col = 0; col < ncols; col++) {
                    if (!PQgetisnull(r, (int)row, (int)col)) {
                        res->cells[row * ncols + col] =
                            floe_arena_strndup(a, PQgetvalue(r, (int)row, (int)col),
                                               (size_t)PQgetlength(r, (int)row, (int)col));
                    }
                }
            }
            if (floe_arena_failed(a)) {
                PQclear(r);
                return floe_arena_check(a, err);
            }
        }
        const char *changed = PQcmdTuples(r);
        int64_t n = 0;
        if (changed != NULL && changed[0] != '\0') {
            floe_parse_i64(changed, &n, NULL);
        }
        res->changes = n;
    }
    PQclear(r);
    return FLOE_OK;
}

static floe_status pg_begin(db_conn *c, bool write, floe_err *err)
{
    (void)write;
    return pg_exec_script(c, "BEGIN ISOLATION LEVEL READ COMMITTED", err);
}

static floe_status pg_commit(db_conn *c, floe_err *err)
{
    /* A COMMIT of a transaction that failed earlier answers ROLLBACK: treat that as an error. */
    PGresult *r = PQexec(c->pg, "COMMIT");
    floe_status st = FLOE_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        /* Without the connection nobody can tell whether the commit happened. */
        st = PQstatus(c->pg) != CONNECTION_OK ? FLOE_ERR_STATE_UNKNOWN : result_status(c->pg, r);
        set_pg_error(err, st, "commit", PQerrorMessage(c->pg));
    } else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
        st = floe_err_set(err, FLOE_ERR_CONFLICT, "postgresql: transaction was rolled back");
    }
    PQclear(r);
    return st;
}

static void pg_rollback(db_conn *c)
{
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PQclear(PQexec(c->pg, "ROLLBACK"));
    }
}

const db_driver db_driver_postgres = {
    .name = "postgresql",
    .serialize_writes = false,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .healthy = pg_healthy,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    /* Any constant works; it only has to be the same for every floe process. */
    .migration_lock_sql = "SELECT pg_advisory_xact_lock(4711062025)",
};
