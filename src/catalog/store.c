/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metadata store: a connection pool over one driver, schema migrations, and the catalog's
 * rows (catalogs, namespaces, properties, tables and views) written once in SQL both backends
 * accept.
 *
 * Every operation that reads before it writes runs in one write transaction, so its checks and
 * its change are atomic. The compare-and-swap of a metadata location is a single conditional
 * UPDATE: the database decides the winner, and the loser sees zero changed rows.
 */
#include "catalog_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_POOL_DEFAULT 8
#define STORE_BUSY_DEFAULT_MS 5000

struct floe_store {
    const db_driver *drv;
    char *target; /* SQLite path or PostgreSQL URL */
    int64_t busy_ms;
    unsigned pool_max;

    pthread_mutex_t mu; /* guards the pool */
    pthread_cond_t cv;
    db_conn **idle;
    size_t n_idle;
    unsigned n_open;

    pthread_mutex_t write_mu; /* held across write transactions when drv->serialize_writes */
};

static int64_t now_ms(void)
{
    return floe_time_now_us() / 1000;
}

/* ==== Connection pool ==== */

static floe_status pool_acquire(floe_store *s, db_conn **out, floe_err *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(s->busy_ms / 1000) + 1;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->n_idle > 0) {
            db_conn *c = s->idle[--s->n_idle];
            pthread_mutex_unlock(&s->mu);
            if (s->drv->healthy(c)) {
                *out = c;
                return FLOE_OK;
            }
            s->drv->disconnect(c);
            pthread_mutex_lock(&s->mu);
            s->n_open--;
            continue;
        }
        if (s->n_open < s->pool_max) {
            s->n_open++;
            pthread_mutex_unlock(&s->mu);
            db_conn *c = NULL;
            floe_status st = s->drv->connect(s->target, s->busy_ms, &c, err);
            if (st == FLOE_OK) {
                *out = c;
                return FLOE_OK;
            }
            pthread_mutex_lock(&s->mu);
            s->n_open--;
            pthread_cond_signal(&s->cv);
            pthread_mutex_unlock(&s->mu);
            return st;
        }
        int rc = pthread_cond_timedwait(&s->cv, &s->mu, &deadline);
        if (rc == ETIMEDOUT) {
            pthread_mutex_unlock(&s->mu);
            return floe_err_set(err, FLOE_ERR_UNAVAILABLE, "store: all %u connections are busy",
                                s->pool_max);
        }
    }
}

static void pool_release(floe_store *s, db_conn *c)
{
    if (c == NULL) {
        return;
    }
    if (!s->drv->healthy(c)) {
        s->drv->disconnect(c);
        pthread_mutex_lock(&s->mu);
        s->n_open--;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->idle[s->n_idle++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ==== Transactions and statements ==== */

typedef struct tx {
    floe_store *s;
    db_conn *c;
    bool locked; /* holds write_mu */
    bool open;   /* inside BEGIN */
} tx;

static floe_status tx_begin(floe_store *s, bool write, tx *t, floe_err *err)
{
    memset(t, 0, sizeof(*t));
    t->s = s;
    floe_status st = pool_acquire(s, &t->c, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (write && s->drv->serialize_writes) {
        pthread_mutex_lock(&s->write_mu);
        t->locked = true;
    }
    st = s->drv->begin(t->c, write, err);
    if (st != FLOE_OK) {
        if (t->locked) {
            pthread_mutex_unlock(&s->write_mu);
        }
        pool_release(s, t->c);
        t->c = NULL;
        return st;
    }
    t->open = true;
    return FLOE_OK;
}

/* A connection for statements in autocommit mode (each is its own transaction). */
static floe_status tx_autocommit(floe_store *s, bool write, tx *t, floe_err *err)
{
    memset(t, 0, sizeof(*t));
    t->s = s;
    floe_status st = pool_acquire(s, &t->c, err);
    if (st == FLOE_OK && write && s->drv->serialize_writes) {
        pthread_mutex_lock(&s->write_mu);
        t->locked = true;
    }
    return st;
}

/* Commit when `st` is FLOE_OK, else roll back; release the connection. Returns the outcome. */
static floe_status tx_end(tx *t, floe_status st, floe_err *err)
{
    if (t->c == NULL) {
        return st;
    }
    if (t->open) {
        if (st == FLOE_OK) {
            st = t->s->drv->commit(t->c, err);
            if (st != FLOE_OK) {
                t->s->drv->rollback(t->c);
            }
        } else {
            t->s->drv->rollback(t->c);
        }
    }
    if (t->locked) {
        pthread_mutex_unlock(&t->s->write_mu);
    }
    pool_release(t->s, t->c);
    t->c = NULL;
    return st;
}

static floe_status q(tx *t, floe_arena *a, const char *sql, const db_param *p, size_t np,
                     db_result *res, floe_err *err)
{
    return t->s->drv->exec(t->c, a, sql, p, np, res, err);
}

#define Q(t, a, sql, res, err, ...)                                                                \
    q((t), (a), (sql), (const db_param[]){__VA_ARGS__},                                            \
      sizeof((const db_param[]){__VA_ARGS__}) / sizeof(db_param), (res), (err))

/* ==== Open, close, migrations ==== */

static floe_status migrate_one(floe_store *s, const db_migration *m, bool *ran, floe_err *err)
{
    tx t;
    floe_status st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    if (s->drv->migration_lock_sql != NULL) {
        st = s->drv->exec_script(t.c, s->drv->migration_lock_sql, err);
    }
    if (st == FLOE_OK) {
        st = s->drv->exec_script(t.c,
                                 "CREATE TABLE IF NOT EXISTS floe_schema_migrations ("
                                 " version INTEGER PRIMARY KEY,"
                                 " name TEXT NOT NULL,"
                                 " applied_ms BIGINT NOT NULL)",
                                 err);
    }
    db_result r;
    if (st == FLOE_OK) {
        st = Q(&t, a, "SELECT 1 FROM floe_schema_migrations WHERE version = ?", &r, err,
               DB_INT(m->version));
    }
    *ran = false;
    if (st == FLOE_OK && r.nrows == 0) {
        const char *sql = s->drv == &db_driver_sqlite ? m->sqlite_sql : m->postgres_sql;
        st = s->drv->exec_script(t.c, sql, err);
        if (st == FLOE_OK) {
            st = Q(&t, a,
                   "INSERT INTO floe_schema_migrations (version, name, applied_ms) "
                   "VALUES (?, ?, ?)",
                   NULL, err, DB_INT(m->version), DB_TEXT(m->name), DB_INT(now_ms()));
        }
        *ran = st == FLOE_OK;
    }
    floe_arena_free(a);
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "schema migration %d (%s)", m->version, m->name);
        return st;
    }
    return FLOE_OK;
}

floe_status floe_store_migrate(floe_store *s, int *applied, floe_err *err)
{
    size_t n;
    const db_migration *ms = db_migrations(&n);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        bool ran = false;
        floe_status st = migrate_one(s, &ms[i], &ran, err);
        if (st != FLOE_OK) {
            return st;
        }
        count += ran ? 1 : 0;
    }
    if (applied != NULL) {
        *applied = count;
    }
    return FLOE_OK;
}

floe_status floe_store_schema_version(floe_store *s, int *out, floe_err *err)
{
    tx t;
    floe_status st = tx_autocommit(s, false, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    db_result r;
    st = q(&t, a, "SELECT COALESCE(MAX(version), 0) FROM floe_schema_migrations", NULL, 0, &r, err);
    if (st == FLOE_OK) {
        int32_t v = 0;
        st = r.nrows == 1 ? floe_parse_i32(db_cell(&r, 0, 0), &v, err) : FLOE_ERR_INTERNAL;
        *out = v;
    }
    floe_arena_free(a);
    return tx_end(&t, st, err);
}

floe_status floe_store_open(const floe_store_opts *opts, floe_store **out, floe_err *err)
{
    *out = NULL;
    if (opts == NULL || opts->url == NULL || opts->url[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "store: no database url");
    }
    const db_driver *drv = &db_driver_sqlite;
    const char *target = opts->url;
    if (floe_starts_with(target, "postgresql://") || floe_starts_with(target, "postgres://")) {
        drv = &db_driver_postgres;
    } else if (floe_starts_with(target, "sqlite:")) {
        target += strlen("sqlite:");
        if (floe_starts_with(target, "//")) {
            target += 2; /* sqlite:///abs/path and sqlite://rel/path */
        }
        if (*target == '\0') {
            return floe_err_set(err, FLOE_ERR_INVALID, "store: sqlite url without a path");
        }
    } else if (strstr(target, "://") != NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "store: unsupported database url (use sqlite:PATH or postgresql://)");
    }
    floe_store *s = floe_xcalloc(1, sizeof(*s));
    s->drv = drv;
    s->target = floe_xstrdup(target);
    s->busy_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : STORE_BUSY_DEFAULT_MS;
    s->pool_max = opts->pool_size > 0 ? opts->pool_size : STORE_POOL_DEFAULT;
    s->idle = floe_xcalloc(s->pool_max, sizeof(db_conn *));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    floe_status st = floe_store_migrate(s, NULL, err);
    if (st != FLOE_OK) {
        floe_store_close(s);
        floe_err_wrap(err, "open %s store", drv->name);
        return st;
    }
    *out = s;
    return FLOE_OK;
}

void floe_store_close(floe_store *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_idle; i++) {
        s->drv->disconnect(s->idle[i]);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->write_mu);
    free(s->idle);
    free(s->target);
    free(s);
}

const char *floe_store_backend(const floe_store *s)
{
    return s->drv->name;
}

const char *floe_object_kind_name(floe_object_kind kind)
{
    return kind == FLOE_OBJECT_VIEW ? "view" : "table";
}

/* ==== Catalogs ==== */

floe_status floe_store_catalog_ensure(floe_store *s, const char *catalog, const char *warehouse,
                                      floe_err *err)
{
    tx t;
    floe_status st = tx_autocommit(s, true, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    int64_t now = now_ms();
    st = Q(&t, NULL,
           "INSERT INTO catalogs (name, warehouse, created_ms, updated_ms) VALUES (?, ?, ?, ?) "
           "ON CONFLICT (name) DO UPDATE SET warehouse = excluded.warehouse, "
           "updated_ms = excluded.updated_ms",
           NULL, err, DB_TEXT(catalog), DB_TEXT(warehouse), DB_INT(now), DB_INT(now));
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "catalog %s", catalog);
    }
    return st;
}

/* ==== Namespaces ==== */

/* FLOE_OK when the namespace with key `key` exists, FLOE_ERR_NOT_FOUND naming it otherwise. */
static floe_status ns_require(tx *t, floe_arena *a, const char *catalog, const char *key,
                              const char *display, floe_err *err)
{
    db_result r;
    floe_status st = Q(t, a, "SELECT 1 FROM namespaces WHERE catalog = ? AND name = ?", &r, err,
                       DB_TEXT(catalog), DB_TEXT(key));
    if (st != FLOE_OK) {
        return st;
    }
    if (r.nrows == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "namespace %s does not exist", display);
    }
    return FLOE_OK;
}

floe_status floe_store_namespace_create(floe_store *s, const char *catalog,
                                        const floe_namespace *ns, const floe_kv *props,
                                        size_t nprops, floe_err *err)
{
    floe_status st = floe_namespace_check(ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *key = catalog_ns_key(a, ns);
    const char *display = floe_namespace_display(a, ns);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        floe_arena_free(a);
        return st;
    }
    if (ns->n > 1) {
        floe_namespace parent = {ns->levels, ns->n - 1};
        st = ns_require(&t, a, catalog, catalog_ns_key(a, &parent),
                        floe_namespace_display(a, &parent), err);
        if (st == FLOE_ERR_NOT_FOUND) {
            floe_err_wrap(err, "cannot create %s", display);
        }
    }
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "INSERT INTO namespaces (catalog, name, parent, created_ms) VALUES (?, ?, ?, ?)",
               NULL, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(catalog_ns_parent_key(a, ns)),
               DB_INT(now_ms()));
        if (st == FLOE_ERR_EXISTS) {
            floe_err_clear(err);
            st = floe_err_set(err, FLOE_ERR_EXISTS, "namespace %s already exists", display);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < nprops; i++) {
        st = Q(&t, a,
               "INSERT INTO namespace_properties (catalog, namespace, key, value) "
               "VALUES (?, ?, ?, ?)",
               NULL, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(props[i].key),
               DB_TEXT(props[i].value));
        if (st == FLOE_ERR_EXISTS) {
            floe_err_clear(err);
            st = floe_err_set(err, FLOE_ERR_INVALID, "property %s is given twice", props[i].key);
        }
    }
    st = tx_end(&t, st, err);
    floe_arena_free(a);
    return st;
}

floe_status floe_store_namespace_load(floe_store *s, floe_arena *a, const char *catalog,
                                      const floe_namespace *ns, floe_kv **props, size_t *nprops,
                                      floe_err *err)
{
    floe_status st = floe_namespace_check(ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    tx t;
    st = tx_autocommit(s, false, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    db_result r;
    st = Q(&t, a,
           "SELECT p.key, p.value FROM namespaces n LEFT JOIN namespace_properties p "
           "ON p.catalog = n.catalog AND p.namespace = n.name "
           "WHERE n.catalog = ? AND n.name = ? ORDER BY p.key",
           &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, ns)));
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (r.nrows == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "namespace %s does not exist",
                            floe_namespace_display(a, ns));
    }
    if (props != NULL) {
        size_t n = 0;
        floe_kv *kv = floe_arena_calloc(a, r.nrows, sizeof(floe_kv));
        if (kv == NULL) {
            return floe_arena_check(a, err);
        }
        for (size_t i = 0; i < r.nrows; i++) {
            if (db_cell(&r, i, 0) != NULL) {
                kv[n].key = db_cell(&r, i, 0);
                kv[n].value = db_cell(&r, i, 1);
                n++;
            }
        }
        *props = kv;
        *nprops = n;
    }
    return FLOE_OK;
}

/* LIMIT for a page: one more than asked for, to learn whether there is a next page. */
static int64_t page_limit(const floe_page *page)
{
    return page != NULL && page->limit > 0 && page->limit < (size_t)INT32_MAX
               ? (int64_t)page->limit + 1
               : INT64_MAX;
}

floe_status floe_store_namespace_list(floe_store *s, floe_arena *a, const char *catalog,
                                      const floe_namespace *parent, const floe_page *page,
                                      floe_namespace **out, size_t *n, const char **next,
                                      floe_err *err)
{
    *out = NULL;
    *n = 0;
    *next = NULL;
    floe_status st = parent->n > 0 ? floe_namespace_check(parent, err) : FLOE_OK;
    if (st != FLOE_OK) {
        return st;
    }
    const char *pkey = catalog_ns_key(a, parent);
    tx t;
    st = tx_begin(s, false, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (parent->n > 0) {
        st = ns_require(&t, a, catalog, pkey, floe_namespace_display(a, parent), err);
    }
    db_result r = {0};
    int64_t limit = page_limit(page);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "SELECT name FROM namespaces WHERE catalog = ? AND parent = ? AND name > ? "
               "ORDER BY name LIMIT ?",
               &r, err, DB_TEXT(catalog), DB_TEXT(pkey),
               DB_TEXT(page != NULL && page->after != NULL ? page->after : ""), DB_INT(limit));
    }
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        return st;
    }
    size_t count = r.nrows;
    if (limit != INT64_MAX && count == (size_t)limit) {
        count--;
        *next = db_cell(&r, count - 1, 0);
    }
    floe_namespace *list = floe_arena_calloc(a, count > 0 ? count : 1, sizeof(floe_namespace));
    if (list == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < count; i++) {
        st = catalog_ns_from_key(a, db_cell(&r, i, 0), &list[i], err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    *out = list;
    *n = count;
    return FLOE_OK;
}

floe_status floe_store_namespace_drop(floe_store *s, const char *catalog, const floe_namespace *ns,
                                      floe_err *err)
{
    floe_status st = floe_namespace_check(ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *key = catalog_ns_key(a, ns);
    const char *display = floe_namespace_display(a, ns);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st == FLOE_OK) {
        st = ns_require(&t, a, catalog, key, display, err);
        db_result r;
        if (st == FLOE_OK) {
            st = Q(&t, a, "SELECT 1 FROM namespaces WHERE catalog = ? AND parent = ? LIMIT 1", &r,
                   err, DB_TEXT(catalog), DB_TEXT(key));
            if (st == FLOE_OK && r.nrows > 0) {
                st = floe_err_set(err, FLOE_ERR_CONFLICT,
                                  "namespace %s is not empty: it has child namespaces", display);
            }
        }
        if (st == FLOE_OK) {
            st = Q(&t, a,
                   "SELECT kind FROM catalog_objects WHERE catalog = ? AND namespace = ? LIMIT 1",
                   &r, err, DB_TEXT(catalog), DB_TEXT(key));
            if (st == FLOE_OK && r.nrows > 0) {
                st = floe_err_set(err, FLOE_ERR_CONFLICT, "namespace %s is not empty: it has %ss",
                                  display, db_cell(&r, 0, 0));
            }
        }
        if (st == FLOE_OK) {
            st = Q(&t, a, "DELETE FROM namespaces WHERE catalog = ? AND name = ?", NULL, err,
                   DB_TEXT(catalog), DB_TEXT(key));
            if (st == FLOE_ERR_NOT_FOUND) {
                /* A foreign key held: a table was created in it concurrently. */
                floe_err_clear(err);
                st = floe_err_set(err, FLOE_ERR_CONFLICT, "namespace %s is not empty", display);
            }
        }
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_namespace_update_props(floe_store *s, floe_arena *a, const char *catalog,
                                              const floe_namespace *ns, const floe_kv *updates,
                                              size_t n_updates, const char *const *removals,
                                              size_t n_removals, floe_props_result *out,
                                              floe_err *err)
{
    memset(out, 0, sizeof(*out));
    floe_status st = floe_namespace_check(ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    for (size_t i = 0; i < n_removals; i++) {
        for (size_t j = 0; j < n_updates; j++) {
            if (strcmp(removals[i], updates[j].key) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "property %s is both updated and removed", removals[i]);
            }
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(removals[i], removals[j]) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "property %s is removed twice",
                                    removals[i]);
            }
        }
    }
    for (size_t i = 0; i < n_updates; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(updates[i].key, updates[j].key) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "property %s is updated twice",
                                    updates[i].key);
            }
        }
    }
    out->updated = floe_arena_calloc(a, n_updates + 1, sizeof(char *));
    out->removed = floe_arena_calloc(a, n_removals + 1, sizeof(char *));
    out->missing = floe_arena_calloc(a, n_removals + 1, sizeof(char *));
    if (floe_arena_failed(a)) {
        return floe_arena_check(a, err);
    }
    const char *key = catalog_ns_key(a, ns);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = ns_require(&t, a, catalog, key, floe_namespace_display(a, ns), err);
    for (size_t i = 0; st == FLOE_OK && i < n_removals; i++) {
        db_result r;
        st = Q(&t, a,
               "DELETE FROM namespace_properties WHERE catalog = ? AND namespace = ? AND key = ?",
               &r, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(removals[i]));
        if (st == FLOE_OK && r.changes > 0) {
            out->removed[out->n_removed++] = removals[i];
        } else if (st == FLOE_OK) {
            out->missing[out->n_missing++] = removals[i];
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < n_updates; i++) {
        st = Q(&t, a,
               "INSERT INTO namespace_properties (catalog, namespace, key, value) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (catalog, namespace, key) "
               "DO UPDATE SET value = excluded.value",
               NULL, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(updates[i].key),
               DB_TEXT(updates[i].value));
        if (st == FLOE_OK) {
            out->updated[out->n_updated++] = updates[i].key;
        }
    }
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        memset(out, 0, sizeof(*out));
        return st;
    }
    qsort(out->updated, out->n_updated, sizeof(char *), floe_str_ptr_cmp);
    qsort(out->removed, out->n_removed, sizeof(char *), floe_str_ptr_cmp);
    qsort(out->missing, out->n_missing, sizeof(char *), floe_str_ptr_cmp);
    return FLOE_OK;
}

/* ==== Tables and views ==== */

#define OBJECT_COLS                                                                                \
    "id, metadata_location, previous_metadata_location, version, created_ms, updated_ms"

static floe_status fill_info(const db_result *r, size_t row, floe_object_info *out, floe_err *err)
{
    floe_status st = floe_parse_i64(db_cell(r, row, 0), &out->id, err);
    out->metadata_location = db_cell(r, row, 1);
    out->previous_metadata_location = db_cell(r, row, 2);
    if (st == FLOE_OK) {
        st = floe_parse_i64(db_cell(r, row, 3), &out->version, err);
    }
    if (st == FLOE_OK) {
        st = floe_parse_i64(db_cell(r, row, 4), &out->created_ms, err);
    }
    if (st == FLOE_OK) {
        st = floe_parse_i64(db_cell(r, row, 5), &out->updated_ms, err);
    }
    if (st != FLOE_OK) {
        floe_err_wrap(err, "store: bad object row");
    }
    return st;
}

/* The kind of the object called `name` in namespace `key`, or NULL when there is none. */
static floe_status object_kind_at(tx *t, floe_arena *a, const char *catalog, const char *key,
                                  const char *name, const char **kind, floe_err *err)
{
    db_result r;
    floe_status st = Q(t, a,
                       "SELECT kind FROM catalog_objects "
                       "WHERE catalog = ? AND namespace = ? AND name = ?",
                       &r, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(name));
    *kind = st == FLOE_OK && r.nrows > 0 ? db_cell(&r, 0, 0) : NULL;
    return st;
}

/* Insert a new object row after checking its namespace exists and its name is free. */
static floe_status object_insert(tx *t, floe_arena *a, const char *catalog, floe_object_kind kind,
                                 const floe_ident *id, const char *location, floe_err *err)
{
    const char *key = catalog_ns_key(a, &id->ns);
    floe_status st = ns_require(t, a, catalog, key, floe_namespace_display(a, &id->ns), err);
    const char *existing = NULL;
    if (st == FLOE_OK) {
        st = object_kind_at(t, a, catalog, key, id->name, &existing, err);
    }
    if (st == FLOE_OK && existing != NULL) {
        return floe_err_set(err, FLOE_ERR_EXISTS, "%s %s already exists", existing,
                            floe_ident_display(a, id));
    }
    if (st == FLOE_OK) {
        int64_t now = now_ms();
        st = Q(t, a,
               "INSERT INTO catalog_objects (catalog, namespace, name, kind, metadata_location, "
               "version, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
               NULL, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(id->name),
               DB_TEXT(floe_object_kind_name(kind)), DB_TEXT(location), DB_INT(now), DB_INT(now));
    }
    return st;
}

floe_status floe_store_object_create(floe_store *s, const char *catalog, floe_object_kind kind,
                                     const floe_ident *id, const char *metadata_location,
                                     floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st == FLOE_OK) {
        st = object_insert(&t, a, catalog, kind, id, metadata_location, err);
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_object_load(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_ident *id,
                                   floe_object_info *out, floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    tx t;
    st = tx_autocommit(s, false, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    db_result r;
    st = Q(&t, a,
           "SELECT " OBJECT_COLS " FROM catalog_objects "
           "WHERE catalog = ? AND namespace = ? AND name = ? AND kind = ?",
           &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
           DB_TEXT(floe_object_kind_name(kind)));
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (r.nrows == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s %s does not exist",
                            floe_object_kind_name(kind), floe_ident_display(a, id));
    }
    return out != NULL ? fill_info(&r, 0, out, err) : FLOE_OK;
}

floe_status floe_store_object_list(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_namespace *ns,
                                   const floe_page *page, const char ***names, size_t *n,
                                   const char **next, floe_err *err)
{
    *names = NULL;
    *n = 0;
    *next = NULL;
    floe_status st = floe_namespace_check(ns, err);
    if (st != FLOE_OK) {
        return st;
    }
    const char *key = catalog_ns_key(a, ns);
    tx t;
    st = tx_begin(s, false, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = ns_require(&t, a, catalog, key, floe_namespace_display(a, ns), err);
    db_result r = {0};
    int64_t limit = page_limit(page);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "SELECT name FROM catalog_objects WHERE catalog = ? AND namespace = ? "
               "AND kind = ? AND name > ? ORDER BY name LIMIT ?",
               &r, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(floe_object_kind_name(kind)),
               DB_TEXT(page != NULL && page->after != NULL ? page->after : ""), DB_INT(limit));
    }
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        return st;
    }
    size_t count = r.nrows;
    if (limit != INT64_MAX && count == (size_t)limit) {
        count--;
        *next = db_cell(&r, count - 1, 0);
    }
    const char **list = floe_arena_calloc(a, count > 0 ? count : 1, sizeof(char *));
    if (list == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < count; i++) {
        list[i] = db_cell(&r, i, 0);
    }
    *names = list;
    *n = count;
    return FLOE_OK;
}

floe_status floe_store_object_drop(floe_store *s, floe_arena *a, const char *catalog,
                                   floe_object_kind kind, const floe_ident *id,
                                   floe_object_info *dropped, floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    tx t;
    st = tx_autocommit(s, true, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    db_result r;
    st = Q(&t, a,
           "DELETE FROM catalog_objects "
           "WHERE catalog = ? AND namespace = ? AND name = ? AND kind = ? RETURNING " OBJECT_COLS,
           &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
           DB_TEXT(floe_object_kind_name(kind)));
    st = tx_end(&t, st, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (r.nrows == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s %s does not exist",
                            floe_object_kind_name(kind), floe_ident_display(a, id));
    }
    return dropped != NULL ? fill_info(&r, 0, dropped, err) : FLOE_OK;
}

floe_status floe_store_object_rename(floe_store *s, const char *catalog, floe_object_kind kind,
                                     const floe_ident *from, const floe_ident *to,
                                     floe_missing *missing, floe_err *err)
{
    if (missing != NULL) {
        *missing = FLOE_MISSING_NONE;
    }
    floe_status st = floe_ident_check(from, err);
    if (st == FLOE_OK) {
        st = floe_ident_check(to, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *to_key = catalog_ns_key(a, &to->ns);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        floe_arena_free(a);
        return st;
    }
    db_result r;
    st = Q(&t, a,
           "SELECT id FROM catalog_objects "
           "WHERE catalog = ? AND namespace = ? AND name = ? AND kind = ?",
           &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &from->ns)), DB_TEXT(from->name),
           DB_TEXT(floe_object_kind_name(kind)));
    if (st == FLOE_OK && r.nrows == 0) {
        st = floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s %s does not exist",
                          floe_object_kind_name(kind), floe_ident_display(a, from));
        if (missing != NULL) {
            *missing = FLOE_MISSING_OBJECT;
        }
    }
    const char *row_id = st == FLOE_OK ? db_cell(&r, 0, 0) : NULL;
    if (st == FLOE_OK) {
        st = ns_require(&t, a, catalog, to_key, floe_namespace_display(a, &to->ns), err);
        if (st == FLOE_ERR_NOT_FOUND && missing != NULL) {
            *missing = FLOE_MISSING_NAMESPACE;
        }
    }
    const char *existing = NULL;
    if (st == FLOE_OK) {
        st = object_kind_at(&t, a, catalog, to_key, to->name, &existing, err);
    }
    if (st == FLOE_OK && existing != NULL) {
        st = floe_err_set(err, FLOE_ERR_EXISTS, "%s %s already exists", existing,
                          floe_ident_display(a, to));
    }
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "UPDATE catalog_objects SET namespace = ?, name = ?, updated_ms = ? "
               "WHERE id = ?",
               NULL, err, DB_TEXT(to_key), DB_TEXT(to->name), DB_INT(now_ms()), DB_TEXT(row_id));
    }
    st = tx_end(&t, st, err);
    floe_arena_free(a);
    return st;
}

floe_status floe_store_object_register(floe_store *s, const char *catalog, floe_object_kind kind,
                                       const floe_ident *id, const char *metadata_location,
                                       bool overwrite, floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *key = catalog_ns_key(a, &id->ns);
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        floe_arena_free(a);
        return st;
    }
    const char *existing = NULL;
    st = ns_require(&t, a, catalog, key, floe_namespace_display(a, &id->ns), err);
    if (st == FLOE_OK) {
        st = object_kind_at(&t, a, catalog, key, id->name, &existing, err);
    }
    if (st == FLOE_OK && existing == NULL) {
        st = object_insert(&t, a, catalog, kind, id, metadata_location, err);
    } else if (st == FLOE_OK &&
               (!overwrite || strcmp(existing, floe_object_kind_name(kind)) != 0)) {
        st = floe_err_set(err, FLOE_ERR_EXISTS, "%s %s already exists", existing,
                          floe_ident_display(a, id));
    } else if (st == FLOE_OK) {
        st = Q(&t, a,
               "UPDATE catalog_objects SET previous_metadata_location = metadata_location, "
               "metadata_location = ?, version = version + 1, updated_ms = ? "
               "WHERE catalog = ? AND namespace = ? AND name = ?",
               NULL, err, DB_TEXT(metadata_location), DB_INT(now_ms()), DB_TEXT(catalog),
               DB_TEXT(key), DB_TEXT(id->name));
    }
    st = tx_end(&t, st, err);
    floe_arena_free(a);
    return st;
}

/*
 * The conditional update at the heart of every commit. Sets `*won`; `*version` gets the new
 * version when it won.
 */
static floe_status swap_row(tx *t, floe_arena *a, const char *catalog, floe_object_kind kind,
                            const floe_ident *id, const char *expected, const char *location,
                            bool *won, int64_t *version, floe_err *err)
{
    db_result r;
    floe_status st = Q(t, a,
                       "UPDATE catalog_objects SET previous_metadata_location = metadata_location, "
                       "metadata_location = ?, version = version + 1, updated_ms = ? "
                       "WHERE catalog = ? AND namespace = ? AND name = ? AND kind = ? "
                       "AND metadata_location = ? RETURNING version",
                       &r, err, DB_TEXT(location), DB_INT(now_ms()), DB_TEXT(catalog),
                       DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
                       DB_TEXT(floe_object_kind_name(kind)), DB_TEXT(expected));
    *won = st == FLOE_OK && r.nrows == 1;
    if (*won && version != NULL) {
        st = floe_parse_i64(db_cell(&r, 0, 0), version, err);
    }
    return st;
}

/* After a lost swap: FLOE_ERR_NOT_FOUND or FLOE_ERR_CONFLICT with the current location. */
static floe_status swap_lost(tx *t, floe_arena *a, const char *catalog, floe_object_kind kind,
                             const floe_ident *id, const char *expected, floe_err *err)
{
    db_result r;
    floe_status st = Q(t, a,
                       "SELECT metadata_location FROM catalog_objects "
                       "WHERE catalog = ? AND namespace = ? AND name = ? AND kind = ?",
                       &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)),
                       DB_TEXT(id->name), DB_TEXT(floe_object_kind_name(kind)));
    if (st != FLOE_OK) {
        return st;
    }
    const char *display = floe_ident_display(a, id);
    if (r.nrows == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "%s %s does not exist",
                            floe_object_kind_name(kind), display);
    }
    return floe_err_set(err, FLOE_ERR_CONFLICT,
                        "%s %s was changed concurrently: its metadata is %s, not %s",
                        floe_object_kind_name(kind), display, db_cell(&r, 0, 0), expected);
}

floe_status floe_store_object_swap(floe_store *s, const char *catalog, floe_object_kind kind,
                                   const floe_ident *id, const char *expected, const char *location,
                                   int64_t *new_version, floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (expected == NULL || location == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "swap needs an expected and a new location");
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    /* An explicit transaction, not autocommit: a connection lost before COMMIT then certainly
     * rolled back, and only a failure of the COMMIT itself leaves the outcome unknown. */
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st == FLOE_OK) {
        bool won = false;
        st = swap_row(&t, a, catalog, kind, id, expected, location, &won, new_version, err);
        if (st == FLOE_OK && !won) {
            st = swap_lost(&t, a, catalog, kind, id, expected, err);
        }
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

typedef struct swap_order {
    const floe_swap *swap;
    size_t index;
    const char *key; /* namespace key + 0x1E + name: one total order for all writers */
} swap_order;

static int swap_order_cmp(const void *x, const void *y)
{
    return strcmp(((const swap_order *)x)->key, ((const swap_order *)y)->key);
}

floe_status floe_store_object_swap_many(floe_store *s, const char *catalog, floe_object_kind kind,
                                        const floe_swap *swaps, size_t n, size_t *failed,
                                        floe_err *err)
{
    if (failed != NULL) {
        *failed = 0;
    }
    if (n == 0) {
        return FLOE_OK;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    swap_order *order = floe_arena_calloc(a, n, sizeof(*order));
    floe_status st = FLOE_OK;
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        st = floe_ident_check(&swaps[i].id, err);
        if (st == FLOE_OK && swaps[i].location == NULL) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "swap %zu has no new location", i);
        }
        order[i] =
            (swap_order){&swaps[i], i,
                         floe_arena_sprintf(a, "%s\x1e%s", catalog_ns_key(a, &swaps[i].id.ns),
                                            swaps[i].id.name)};
        if (st != FLOE_OK && failed != NULL) {
            *failed = i;
        }
    }
    if (st != FLOE_OK) {
        floe_arena_free(a);
        return st;
    }
    /* Lock rows in one global order so two multi-table commits cannot deadlock. */
    qsort(order, n, sizeof(*order), swap_order_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(order[i].key, order[i - 1].key) == 0) {
            if (failed != NULL) {
                *failed = order[i].index;
            }
            st = floe_err_set(err, FLOE_ERR_INVALID, "%s %s appears twice in one commit",
                              floe_object_kind_name(kind),
                              floe_ident_display(a, &order[i].swap->id));
            floe_arena_free(a);
            return st;
        }
    }
    tx t;
    st = tx_begin(s, true, &t, err);
    if (st != FLOE_OK) {
        floe_arena_free(a);
        return st;
    }
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        const floe_swap *sw = order[i].swap;
        if (sw->expected == NULL) {
            st = object_insert(&t, a, catalog, kind, &sw->id, sw->location, err);
            if (st == FLOE_ERR_EXISTS) {
                floe_err_clear(err);
                st = floe_err_set(err, FLOE_ERR_CONFLICT, "%s %s was created concurrently",
                                  floe_object_kind_name(kind), floe_ident_display(a, &sw->id));
            }
        } else {
            bool won = false;
            st = swap_row(&t, a, catalog, kind, &sw->id, sw->expected, sw->location, &won, NULL,
                          err);
            if (st == FLOE_OK && !won) {
                st = swap_lost(&t, a, catalog, kind, &sw->id, sw->expected, err);
            }
        }
        if (st != FLOE_OK && failed != NULL) {
            *failed = order[i].index;
        }
    }
    st = tx_end(&t, st, err);
    floe_arena_free(a);
    return st;
}

floe_status floe_store_location_in_use(floe_store *s, const char *prefix, bool *out, floe_err *err)
{
    *out = false;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *dir = floe_arena_sprintf(a, "%s/", prefix);
    tx t;
    floe_status st = tx_autocommit(s, false, &t, err);
    if (st == FLOE_OK) {
        db_result r;
        st = Q(&t, a,
               "SELECT 1 FROM catalog_objects WHERE substr(metadata_location, 1, ?) = ? LIMIT 1",
               &r, err, DB_INT((int64_t)strlen(dir)), DB_TEXT(dir));
        *out = st == FLOE_OK && r.nrows > 0;
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

/* ==== Self-optimizing state ==== */

floe_status floe_store_opt_table_put(floe_store *s, const char *catalog, const floe_ident *id,
                                     const char *runtime_json, floe_err *err)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    tx t;
    floe_status st = tx_autocommit(s, true, &t, err);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "INSERT INTO optimizing_tables (catalog, namespace, name, runtime, updated_ms) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (catalog, namespace, name) DO UPDATE SET "
               "runtime = excluded.runtime, updated_ms = excluded.updated_ms",
               NULL, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
               DB_TEXT(runtime_json), DB_INT(now_ms()));
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_opt_table_list(floe_store *s, floe_arena *a, floe_store_opt_table **out,
                                      size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    tx t;
    floe_status st = tx_autocommit(s, false, &t, err);
    db_result r = {0};
    if (st == FLOE_OK) {
        st = q(&t, a,
               "SELECT catalog, namespace, name, runtime, updated_ms FROM optimizing_tables "
               "ORDER BY catalog, namespace, name",
               NULL, 0, &r, err);
        st = tx_end(&t, st, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    floe_store_opt_table *rows = floe_arena_calloc(a, r.nrows + 1, sizeof(*rows));
    if (rows == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < r.nrows && st == FLOE_OK; i++) {
        rows[i].catalog = db_cell(&r, i, 0);
        st = catalog_ns_from_key(a, db_cell(&r, i, 1), &rows[i].id.ns, err);
        rows[i].id.name = db_cell(&r, i, 2);
        rows[i].runtime_json = db_cell(&r, i, 3);
        rows[i].updated_ms = strtoll(db_cell(&r, i, 4), NULL, 10);
    }
    *out = rows;
    *n = st == FLOE_OK ? r.nrows : 0;
    return st;
}

floe_status floe_store_opt_table_delete(floe_store *s, const char *catalog, const floe_ident *id,
                                        floe_err *err)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *ns = catalog_ns_key(a, &id->ns);
    tx t;
    floe_status st = tx_begin(s, true, &t, err);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "DELETE FROM optimizing_tables WHERE catalog = ? AND namespace = ? AND name = ?",
               NULL, err, DB_TEXT(catalog), DB_TEXT(ns), DB_TEXT(id->name));
        if (st == FLOE_OK) {
            st = Q(&t, a,
                   "DELETE FROM optimizing_processes "
                   "WHERE catalog = ? AND namespace = ? AND name = ?",
                   NULL, err, DB_TEXT(catalog), DB_TEXT(ns), DB_TEXT(id->name));
        }
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_opt_process_put(floe_store *s, const char *catalog, const floe_ident *id,
                                       int64_t process_id, const char *status,
                                       const char *process_json, floe_err *err)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    tx t;
    floe_status st = tx_autocommit(s, true, &t, err);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "INSERT INTO optimizing_processes (process_id, catalog, namespace, name, status, "
               "process, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (process_id) DO "
               "UPDATE SET status = excluded.status, process = excluded.process, "
               "updated_ms = excluded.updated_ms",
               NULL, err, DB_INT(process_id), DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)),
               DB_TEXT(id->name), DB_TEXT(status), DB_TEXT(process_json), DB_INT(now_ms()));
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_opt_process_get(floe_store *s, floe_arena *a, int64_t process_id,
                                       const char **out, floe_err *err)
{
    *out = NULL;
    tx t;
    floe_status st = tx_autocommit(s, false, &t, err);
    db_result r = {0};
    if (st == FLOE_OK) {
        st = Q(&t, a, "SELECT process FROM optimizing_processes WHERE process_id = ?", &r, err,
               DB_INT(process_id));
        st = tx_end(&t, st, err);
    }
    if (st == FLOE_OK && r.nrows > 0) {
        *out = db_cell(&r, 0, 0);
    }
    return st;
}

floe_status floe_store_opt_process_prune(floe_store *s, int64_t before_ms, size_t *deleted,
                                         floe_err *err)
{
    if (deleted != NULL) {
        *deleted = 0;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    tx t;
    floe_status st = tx_autocommit(s, true, &t, err);
    if (st == FLOE_OK) {
        db_result r = {0};
        st = Q(&t, a,
               "DELETE FROM optimizing_processes WHERE updated_ms < ? "
               "AND status IN ('success', 'failed', 'canceled')",
               &r, err, DB_INT(before_ms));
        if (st == FLOE_OK && deleted != NULL && r.changes > 0) {
            *deleted = (size_t)r.changes;
        }
        st = tx_end(&t, st, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_opt_process_list(floe_store *s, floe_arena *a, const char *catalog,
                                        const floe_ident *id, size_t limit, const char ***out,
                                        size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    tx t;
    floe_status st = tx_autocommit(s, false, &t, err);
    db_result r = {0};
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "SELECT process FROM optimizing_processes WHERE catalog = ? AND namespace = ? "
               "AND name = ? ORDER BY process_id DESC LIMIT ?",
               &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
               DB_INT(limit == 0 ? 100 : (int64_t)limit));
        st = tx_end(&t, st, err);
    }
    if (st != FLOE_OK) {
        return st;
    }
    const char **rows = floe_arena_calloc(a, r.nrows + 1, sizeof(char *));
    if (rows == NULL) {
        return floe_arena_check(a, err);
    }
    for (size_t i = 0; i < r.nrows; i++) {
        rows[i] = db_cell(&r, i, 0);
    }
    *out = rows;
    *n = r.nrows;
    return FLOE_OK;
}

/* ==== Maintenance run records ==== */

floe_status floe_store_run_insert(floe_store *s, const char *catalog, const floe_ident *id,
                                  const char *action, int64_t started_ms, int64_t duration_ms,
                                  const char *status, const char *record, int64_t *out_id,
                                  floe_err *err)
{
    floe_status st = floe_ident_check(id, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    tx t;
    st = tx_autocommit(s, true, &t, err);
    db_result r = {0};
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "INSERT INTO maintenance_runs (catalog, namespace, name, action, started_ms, "
               "duration_ms, status, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               &r, err, DB_TEXT(catalog), DB_TEXT(catalog_ns_key(a, &id->ns)), DB_TEXT(id->name),
               DB_TEXT(action), DB_INT(started_ms), DB_INT(duration_ms), DB_TEXT(status),
               DB_TEXT(record));
        st = tx_end(&t, st, err);
    }
    if (st == FLOE_OK && out_id != NULL && r.nrows == 1) {
        st = floe_parse_i64(db_cell(&r, 0, 0), out_id, err);
    }
    floe_arena_free(a);
    return st;
}

floe_status floe_store_run_list(floe_store *s, floe_arena *a, const floe_store_run_filter *f,
                                floe_store_run **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    db_param p[6];
    size_t np = 0;
    floe_buf sql;
    floe_buf_init(&sql, 0);
    floe_buf_append_str(&sql,
                        "SELECT id, catalog, namespace, name, action, started_ms, duration_ms, "
                        "status, record FROM maintenance_runs WHERE 1 = 1",
                        NULL);
    if (f->catalog != NULL) {
        floe_buf_append_str(&sql, " AND catalog = ?", NULL);
        p[np++] = DB_TEXT(f->catalog);
    }
    if (f->id != NULL) {
        floe_buf_append_str(&sql, " AND namespace = ? AND name = ?", NULL);
        p[np++] = DB_TEXT(catalog_ns_key(a, &f->id->ns));
        p[np++] = DB_TEXT(f->id->name);
    }
    if (f->action != NULL) {
        floe_buf_append_str(&sql, " AND action = ?", NULL);
        p[np++] = DB_TEXT(f->action);
    }
    if (f->failed_only) {
        floe_buf_append_str(&sql, " AND status <> 'ok'", NULL);
    }
    if (f->before_id > 0) {
        floe_buf_append_str(&sql, " AND id < ?", NULL);
        p[np++] = DB_INT(f->before_id);
    }
    floe_buf_append_str(&sql, " ORDER BY id DESC LIMIT ?", NULL);
    p[np++] = DB_INT(f->limit > 0 ? (int64_t)f->limit : 100);
    tx t;
    db_result r = {0};
    floe_status st = tx_autocommit(s, false, &t, err);
    if (st == FLOE_OK) {
        st = q(&t, a, floe_buf_cstr(&sql), p, np, &r, err);
        st = tx_end(&t, st, err);
    }
    floe_buf_fini(&sql);
    floe_store_run *runs = NULL;
    if (st == FLOE_OK) {
        runs = floe_arena_calloc(a, r.nrows + 1, sizeof(*runs));
        if (runs == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < r.nrows; i++) {
        floe_store_run *x = &runs[i];
        st = floe_parse_i64(db_cell(&r, i, 0), &x->id, err);
        x->catalog = db_cell(&r, i, 1);
        if (st == FLOE_OK) {
            st = catalog_ns_from_key(a, db_cell(&r, i, 2), &x->ident.ns, err);
        }
        x->ident.name = db_cell(&r, i, 3);
        x->action = db_cell(&r, i, 4);
        if (st == FLOE_OK) {
            st = floe_parse_i64(db_cell(&r, i, 5), &x->started_ms, err);
        }
        if (st == FLOE_OK) {
            st = floe_parse_i64(db_cell(&r, i, 6), &x->duration_ms, err);
        }
        x->status = db_cell(&r, i, 7);
        x->record = db_cell(&r, i, 8);
    }
    if (st != FLOE_OK) {
        return st;
    }
    *out = runs;
    *n = r.nrows;
    return FLOE_OK;
}

floe_status floe_store_run_prune(floe_store *s, const char *catalog, const floe_ident *id,
                                 size_t keep, size_t *deleted, floe_err *err)
{
    if (deleted != NULL) {
        *deleted = 0;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *key = catalog_ns_key(a, &id->ns);
    tx t;
    floe_status st = tx_autocommit(s, true, &t, err);
    db_result actions = {0};
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "SELECT DISTINCT action FROM maintenance_runs "
               "WHERE catalog = ? AND namespace = ? AND name = ?",
               &actions, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(id->name));
    }
    for (size_t i = 0; st == FLOE_OK && i < actions.nrows; i++) {
        const char *act = db_cell(&actions, i, 0);
        db_result r = {0};
        /* The id of the oldest run to keep is the boundary; fewer runs: NULL, nothing goes. */
        st = Q(&t, a,
               "DELETE FROM maintenance_runs WHERE catalog = ? AND namespace = ? AND name = ? "
               "AND action = ? AND id < (SELECT id FROM maintenance_runs WHERE catalog = ? "
               "AND namespace = ? AND name = ? AND action = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
               &r, err, DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(id->name), DB_TEXT(act),
               DB_TEXT(catalog), DB_TEXT(key), DB_TEXT(id->name), DB_TEXT(act),
               DB_INT(keep > 0 ? (int64_t)keep - 1 : 0));
        if (st == FLOE_OK && deleted != NULL && r.changes > 0) {
            *deleted += (size_t)r.changes;
        }
    }
    st = tx_end(&t, st, err);
    floe_arena_free(a);
    return st;
}

floe_status floe_store_table_all(floe_store *s, floe_arena *a, const char *catalog,
                                 floe_ident **out, size_t *n, floe_err *err)
{
    *out = NULL;
    *n = 0;
    tx t;
    db_result r = {0};
    floe_status st = tx_autocommit(s, false, &t, err);
    if (st == FLOE_OK) {
        st = Q(&t, a,
               "SELECT namespace, name FROM catalog_objects WHERE catalog = ? AND kind = 'table' "
               "ORDER BY namespace, name",
               &r, err, DB_TEXT(catalog));
        st = tx_end(&t, st, err);
    }
    floe_ident *ids = NULL;
    if (st == FLOE_OK) {
        ids = floe_arena_calloc(a, r.nrows + 1, sizeof(*ids));
        if (ids == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < r.nrows; i++) {
        st = catalog_ns_from_key(a, db_cell(&r, i, 0), &ids[i].ns, err);
        ids[i].name = db_cell(&r, i, 1);
    }
    if (st != FLOE_OK) {
        return st;
    }
    *out = ids;
    *n = r.nrows;
    return FLOE_OK;
}
