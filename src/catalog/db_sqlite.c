/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite driver: one database file in WAL mode (readers never block the writer), full
 * synchronous commits (a commit that returned is on disk), foreign keys on, and a busy timeout
 * for the rare case of another process holding the write lock. Write transactions start with
 * BEGIN IMMEDIATE so two writers never deadlock on a lock upgrade.
 */
#include "catalog_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct db_conn {
    sqlite3 *db;
};

static floe_status sqlite_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
            return FLOE_ERR_NOT_FOUND;
        }
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            return FLOE_ERR_EXISTS;
        }
        return FLOE_ERR_INVALID;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FLOE_ERR_UNAVAILABLE;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return FLOE_ERR_CORRUPT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return FLOE_ERR_IO;
    case SQLITE_TOOBIG:
        return FLOE_ERR_TOO_BIG;
    default:
        return FLOE_ERR_INTERNAL;
    }
}

static floe_status sqlite_fail(sqlite3 *db, int rc, floe_err *err, const char *what)
{
    return floe_err_set(err, sqlite_status(rc), "sqlite: %s: %s", what,
                        db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static floe_status sqlite_exec_script(db_conn *c, const char *sql, floe_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        floe_status st = floe_err_set(err, sqlite_status(sqlite3_extended_errcode(c->db)),
                                      "sqlite: %s", msg != NULL ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return st;
    }
    return FLOE_OK;
}

static void sqlite_disconnect(db_conn *c)
{
    if (c == NULL) {
        return;
    }
    sqlite3_close_v2(c->db);
    free(c);
}

static floe_status sqlite_connect(const char *path, int64_t busy_timeout_ms, db_conn **out,
                                  floe_err *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        floe_status st = sqlite_fail(db, rc, err, path);
        sqlite3_close_v2(db);
        return st;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_ms > INT32_MAX ? INT32_MAX : (int)busy_timeout_ms);
    db_conn *c = floe_xcalloc(1, sizeof(*c));
    c->db = db;
    /* journal_mode answers a row; sqlite3_exec ignores it. */
    floe_status st = sqlite_exec_script(c,
                                        "PRAGMA journal_mode=WAL;"
                                        "PRAGMA synchronous=FULL;"
                                        "PRAGMA foreign_keys=ON;",
                                        err);
    if (st != FLOE_OK) {
        sqlite_disconnect(c);
        floe_err_wrap(err, "open %s", path);
        return st;
    }
    *out = c;
    return FLOE_OK;
}

static bool sqlite_healthy(db_conn *c)
{
    return c != NULL && c->db != NULL;
}

static floe_status bind_params(sqlite3 *db, sqlite3_stmt *stmt, const db_param *params,
                               size_t nparams, floe_err *err)
{
    for (size_t i = 0; i < nparams; i++) {
        int rc;
        int idx = (int)i + 1;
        switch (params[i].type) {
        case DB_PARAM_TEXT:
            rc = sqlite3_bind_text(stmt, idx, params[i].text, -1, SQLITE_STATIC);
            break;
        case DB_PARAM_INT:
            rc = sqlite3_bind_int64(stmt, idx, params[i].i);
            break;
        default:
            rc = sqlite3_bind_null(stmt, idx);
            break;
        }
        if (rc != SQLITE_OK) {
            return sqlite_fail(db, rc, err, "bind");
        }
    }
    return FLOE_OK;
}

static floe_status sqlite_exec(db_conn *c, floe_arena *a, const char *sql, const db_param *params,
                               size_t nparams, db_result *res, floe_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        return sqlite_fail(c->db, rc, err, "prepare");
    }
    floe_status st = bind_params(c->db, stmt, params, nparams, err);
    if (st != FLOE_OK) {
        sqlite3_finalize(stmt);
        return st;
    }
    size_t ncols = (size_t)sqlite3_column_count(stmt);
    floe_vec rows; /* of char * cells */
    floe_vec_init(&rows, sizeof(char *));
    size_t nrows = 0;
    for (;;) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            st = sqlite_fail(c->db, sqlite3_extended_errcode(c->db), err, "step");
            break;
        }
        if (res == NULL) {
            continue;
        }
        if (++nrows > DB_ROWS_MAX) {
            st = floe_err_set(err, FLOE_ERR_TOO_BIG, "sqlite: more than %d rows", DB_ROWS_MAX);
            break;
        }
        for (size_t col = 0; col < ncols; col++) {
            const unsigned char *text = sqlite3_column_text(stmt, (int)col);
            char *cell = NULL;
            if (text != NULL) {
                cell = floe_arena_strndup(a, (const char *)text,
                                          (size_t)sqlite3_column_bytes(stmt, (int)col));
                if (cell == NULL) {
                    st = floe_arena_check(a, err);
                    break;
                }
            }
            floe_vec_push_copy(&rows, &cell);
        }
        if (st != FLOE_OK) {
            break;
        }
    }
    if (st == FLOE_OK && res != NULL) {
        res->nrows = nrows;
        res->ncols = ncols;
        res->changes = sqlite3_changes64(c->db);
        res->cells = NULL;
        if (rows.n > 0) {
            res->cells = floe_arena_memdup(a, rows.data, rows.n * sizeof(char *));
            if (res->cells == NULL) {
                st = floe_arena_check(a, err);
            }
        }
    }
    floe_vec_fini(&rows);
    sqlite3_finalize(stmt);
    return st;
}

static floe_status sqlite_begin(db_conn *c, bool write, floe_err *err)
{
    return sqlite_exec_script(c, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static floe_status sqlite_commit(db_conn *c, floe_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg);
    if (rc == SQLITE_OK) {
        return FLOE_OK;
    }
    int ext = sqlite3_extended_errcode(c->db);
    /* An I/O error while committing may strike after the commit record reached the log: only
     * recovery knows. Anything else (busy, full, ...) left the transaction uncommitted. */
    floe_status st = (ext & 0xff) == SQLITE_IOERR ? FLOE_ERR_STATE_UNKNOWN : sqlite_status(ext);
    floe_err_set(err, st, "sqlite: commit: %s", msg != NULL ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return st;
}

static void sqlite_rollback(db_conn *c)
{
    if (sqlite3_get_autocommit(c->db) == 0) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

const db_driver db_driver_sqlite = {
    .name = "sqlite",
    .serialize_writes = true,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .healthy = sqlite_healthy,
    .exec = sqlite_exec,
    .exec_script = sqlite_exec_script,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .migration_lock_sql = NULL,
};
