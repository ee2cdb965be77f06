/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table maintenance scheduler: one thread that, pass after pass, looks at every table of
 * every catalog and runs the maintenance actions that are due on it (floe_mnt_job_run), one
 * job at a time per table, then records each run in the store. Manual triggers from the HTTP
 * API run the same code on the request's thread (floe_server_maintain) and share the per-table
 * lock, so a table never has two maintenance jobs at once.
 *
 * Commits go through the catalog (floe_catalog_ice_open: the updates are applied to exactly the
 * version the job decided from, then a compare-and-swap of the metadata location), so a
 * concurrent writer is never lost: its commit makes ours fail and the job decides again. Files
 * are deleted only after that commit returned FLOE_OK (durable in the store). A commit whose
 * outcome is unknown fails the job before any deletion.
 *
 * When an action last ran is taken from the stored run records the first time a table is seen,
 * so a restart does not run every action again at once.
 */
#include "server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MNT_ARENA_MAX ((size_t)4 << 30)
#define MNT_PROTECTED_MAX 64
#define MNT_TRIGGER_WAIT_MS 30000 /* a manual trigger waits this long for a running job */

struct mnt_scheduler {
    floe_server *srv;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    bool stop;
    floe_map *busy; /* table key -> (void *)1 while a job runs on it */
    floe_map *due;  /* table key + action -> heap int64_t: next run (wall ms) */
    floe_protected_snapshots_fn protect_fn;
    void *protect_ud;
};

/* ==== Table keys and the per-table lock ==== */

static const char *table_key(floe_arena *a, floe_catalog *cat, const floe_ident *id)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_append_str(&b, floe_catalog_name(cat), NULL);
    for (size_t i = 0; i < id->ns.n; i++) {
        floe_buf_append_byte(&b, 0x1f, NULL);
        floe_buf_append_str(&b, id->ns.levels[i], NULL);
    }
    floe_buf_append_byte(&b, 0x1e, NULL);
    floe_buf_append_str(&b, id->name, NULL);
    const char *k = floe_arena_strdup(a, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return k;
}

static bool lock_table(mnt_scheduler *m, const char *key)
{
    pthread_mutex_lock(&m->mu);
    bool free_now = floe_map_get_s(m->busy, key) == NULL;
    if (free_now) {
        floe_map_put_s(m->busy, key, (void *)1);
    }
    pthread_mutex_unlock(&m->mu);
    return free_now;
}

/* Wait up to `wait_ms` for the table's running job to finish, then take the lock. */
static bool lock_table_wait(mnt_scheduler *m, const char *key, int64_t wait_ms)
{
    int64_t deadline = floe_time_mono_us() + wait_ms * 1000;
    pthread_mutex_lock(&m->mu);
    while (floe_map_get_s(m->busy, key) != NULL && !m->stop) {
        int64_t left = deadline - floe_time_mono_us();
        if (left <= 0) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + (left < 100000 ? left : 100000) * 1000;
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&m->cv, &m->mu, &ts);
    }
    bool free_now = floe_map_get_s(m->busy, key) == NULL && !m->stop;
    if (free_now) {
        floe_map_put_s(m->busy, key, (void *)1);
    }
    pthread_mutex_unlock(&m->mu);
    return free_now;
}

static void unlock_table(mnt_scheduler *m, const char *key)
{
    pthread_mutex_lock(&m->mu);
    floe_map_remove_s(m->busy, key);
    pthread_cond_broadcast(&m->cv); /* a manual trigger may be waiting for it */
    pthread_mutex_unlock(&m->mu);
}

static bool stopping(mnt_scheduler *m)
{
    pthread_mutex_lock(&m->mu);
    bool stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    return stop;
}

/* Deletion asks after every batch: a stop request ends the job there. */
static floe_status on_batch(void *ud, size_t done, size_t total, floe_err *err)
{
    (void)done;
    (void)total;
    mnt_scheduler *m = ud;
    if (m != NULL && stopping(m)) {
        return floe_err_set(err, FLOE_ERR_CANCELED, "stopped: the server is shutting down");
    }
    return FLOE_OK;
}

/* ==== One job ==== */

/*
 * Run `action` on the table (its lock held by the caller), record it unless it was skipped by
 * the action's own switch, and return the record (new reference) when `record` is not NULL.
 */
static floe_status run_locked(mnt_scheduler *m, floe_catalog *cat, const floe_ident *id,
                              floe_mnt_action action, const floe_mnt_job_opts *given,
                              json_t **record, floe_err *err)
{
    floe_arena *a = floe_arena_new(MNT_ARENA_MAX);
    /* Whole-metadata compare-and-swap: a job's commit lands only on the version it decided
     * from, so no concurrent change (a new tag on an expiring snapshot) can be dropped. */
    floe_ice_catalog ic;
    floe_err oerr = {0};
    if (floe_catalog_ice_open(cat, id, &ic, &oerr) != FLOE_OK) {
        if (err != NULL) {
            *err = oerr;
        }
        floe_arena_free(a);
        return oerr.code;
    }
    floe_mnt_job_opts o = *given;
    if (o.now_ms == 0) {
        o.now_ms = floe_time_now_us() / 1000;
    }
    o.defaults = floe_catalog_table_defaults(cat, a, &o.n_defaults);
    o.del.on_batch = on_batch;
    o.del.ud = m;
    int64_t protected_ids[MNT_PROTECTED_MAX];
    pthread_mutex_lock(&m->mu);
    floe_protected_snapshots_fn pf = m->protect_fn;
    void *pud = m->protect_ud;
    pthread_mutex_unlock(&m->mu);
    if (pf != NULL && action == FLOE_MNT_EXPIRE_SNAPSHOTS) {
        size_t n = pf(pud, floe_catalog_name(cat), id, protected_ids, MNT_PROTECTED_MAX);
        o.protected_ids = protected_ids;
        o.n_protected = n < MNT_PROTECTED_MAX ? n : MNT_PROTECTED_MAX;
    }
    floe_mnt_run run = {0};
    const char *display = floe_ident_display(a, id);
    run.table = display;
    floe_err jerr = {0};
    floe_status st = floe_mnt_job_run(a, &ic, action, &o, &run, &jerr);
    json_t *j = floe_mnt_run_to_json(&run);
    json_object_set_new(j, "catalog", json_string(floe_catalog_name(cat)));
    /* A run skipped because its own switch is off (or no tag is due) is not news; one skipped
     * for gc.enabled=false is recorded so the API shows why nothing was deleted. */
    bool quiet = run.skipped != NULL && strncmp(run.skipped, "gc.enabled", 10) != 0;
    if (st == FLOE_ERR_NOT_FOUND) {
        quiet = true; /* dropped meanwhile */
    }
    if (!quiet || o.ignore_switch) {
        char *text = json_dumps(j, JSON_COMPACT);
        floe_err serr = {0};
        int64_t row = 0;
        floe_status rs = floe_store_run_insert(
            floe_catalog_store(cat), floe_catalog_name(cat), id, floe_mnt_action_name(action),
            run.started_ms, run.duration_ms, st == FLOE_OK ? "ok" : floe_status_name(st),
            text != NULL ? text : "{}", &row, &serr);
        free(text);
        if (rs == FLOE_OK) {
            json_object_set_new(j, "id", json_integer(row));
            floe_store_run_prune(floe_catalog_store(cat), floe_catalog_name(cat), id,
                                 m->srv->cfg->maintenance.keep_runs, NULL, NULL);
        } else {
            FLOE_LOG_WARN("maintenance", "recording a run on %s: %s", display, serr.msg);
        }
        char counts[160];
        snprintf(counts, sizeof(counts),
                 "snapshots=%zu files_removed=%zu files_deleted=%zu dirs=%zu ms=%lld",
                 run.snapshots_expired, run.files_removed, run.deleted.deleted, run.dirs_removed,
                 (long long)run.duration_ms);
        if (st != FLOE_OK) {
            FLOE_LOG_WARN("maintenance", "%s %s.%s failed: %s", floe_mnt_action_name(action),
                          floe_catalog_name(cat), display, jerr.msg);
        } else {
            FLOE_LOG_INFO("maintenance", "%s %s.%s: %s%s%s", floe_mnt_action_name(action),
                          floe_catalog_name(cat), display, run.skipped != NULL ? "skipped: " : "",
                          run.skipped != NULL ? run.skipped : "",
                          run.skipped != NULL ? "" : counts);
        }
    }
    if (record != NULL) {
        *record = j;
    } else {
        json_decref(j);
    }
    if (st != FLOE_OK && err != NULL) {
        *err = jerr;
    }
    floe_catalog_ice_close(&ic);
    floe_arena_free(a);
    return st;
}

floe_status floe_server_maintain(floe_server *s, floe_catalog *cat, const floe_ident *id,
                                 floe_mnt_action action, const floe_mnt_job_opts *o,
                                 json_t **record, floe_err *err)
{
    if (record != NULL) {
        *record = NULL;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_status st = floe_store_object_load(floe_catalog_store(cat), a, floe_catalog_name(cat),
                                            FLOE_OBJECT_TABLE, id, NULL, err);
    const char *key = st == FLOE_OK ? table_key(a, cat, id) : NULL;
    if (st == FLOE_OK && !lock_table_wait(s->mnt, key, MNT_TRIGGER_WAIT_MS)) {
        st = floe_err_set(err, FLOE_ERR_CONFLICT,
                          "a maintenance job is still running on table %s after %d s",
                          floe_ident_display(a, id), MNT_TRIGGER_WAIT_MS / 1000);
        key = NULL;
    }
    if (st == FLOE_OK) {
        st = run_locked(s->mnt, cat, id, action, o, record, err);
        /* The job's outcome is in the record; only "could not run" is an error here. */
        if (st != FLOE_OK && record != NULL && *record != NULL) {
            floe_err_clear(err);
            st = FLOE_OK;
        }
        unlock_table(s->mnt, key);
    }
    floe_arena_free(a);
    return st;
}

void floe_server_set_protected_snapshots(floe_server *s, floe_protected_snapshots_fn fn, void *ud)
{
    pthread_mutex_lock(&s->mnt->mu);
    s->mnt->protect_fn = fn;
    s->mnt->protect_ud = ud;
    pthread_mutex_unlock(&s->mnt->mu);
}

/* ==== The scheduler thread ==== */

/* When `action` is next due on the table (wall ms); from the stored runs the first time. */
static int64_t next_due(mnt_scheduler *m, floe_arena *a, floe_catalog *cat, const floe_ident *id,
                        const char *key, floe_mnt_action action, int64_t now)
{
    int64_t *due = floe_map_get_s(m->due, key);
    if (due != NULL) {
        return *due;
    }
    due = floe_xmalloc(sizeof(*due));
    *due = now;
    floe_store_run_filter f = {.catalog = floe_catalog_name(cat),
                               .id = id,
                               .action = floe_mnt_action_name(action),
                               .limit = 1};
    floe_store_run *runs = NULL;
    size_t n = 0;
    if (floe_store_run_list(floe_catalog_store(cat), a, &f, &runs, &n, NULL) == FLOE_OK && n == 1) {
        *due = runs[0].started_ms + m->srv->cfg->maintenance.interval_ms[action];
    }
    floe_map_put_s(m->due, key, due);
    return *due;
}

static void set_due(mnt_scheduler *m, const char *key, int64_t when)
{
    int64_t *due = floe_xmalloc(sizeof(*due));
    *due = when;
    floe_map_put_s(m->due, key, due);
}

/* One pass over every table of every catalog. */
static void pass(mnt_scheduler *m)
{
    floe_server *s = m->srv;
    const floe_maintenance_config *mc = &s->cfg->maintenance;
    for (size_t c = 0; c < s->n_catalogs && !stopping(m); c++) {
        floe_catalog *cat = s->catalogs[c];
        floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
        floe_ident *ids = NULL;
        size_t n = 0;
        floe_err err = {0};
        if (floe_store_table_all(floe_catalog_store(cat), a, floe_catalog_name(cat), &ids, &n,
                                 &err) != FLOE_OK) {
            FLOE_LOG_WARN("maintenance", "listing the tables of %s: %s", floe_catalog_name(cat),
                          err.msg);
        }
        for (size_t t = 0; t < n && !stopping(m); t++) {
            const char *tkey = table_key(a, cat, &ids[t]);
            if (!lock_table(m, tkey)) {
                continue; /* a manual job is running; the next pass looks again */
            }
            for (int i = 0; i < FLOE_MNT_ACTION_COUNT && !stopping(m); i++) {
                floe_mnt_action action = (floe_mnt_action)i;
                const char *key = floe_arena_sprintf(a, "%s\x1d%d", tkey, i);
                int64_t now = floe_time_now_us() / 1000;
                if (next_due(m, a, cat, &ids[t], key, action, now) > now) {
                    continue;
                }
                floe_mnt_job_opts o = {.now_ms = now};
                run_locked(m, cat, &ids[t], action, &o, NULL, NULL);
                set_due(m, key, now + mc->interval_ms[action]);
            }
            unlock_table(m, tkey);
        }
        floe_arena_free(a);
    }
}

/* Sleep `ms` unless asked to stop; true when stopping. */
static bool wait_ms(mnt_scheduler *m, int64_t ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(ms / 1000);
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        if (pthread_cond_timedwait(&m->cv, &m->mu, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    bool stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    return stop;
}

static void *scheduler_main(void *arg)
{
    mnt_scheduler *m = arg;
    floe_log_set_context("maintenance");
    const floe_maintenance_config *mc = &m->srv->cfg->maintenance;
    if (wait_ms(m, mc->first_run_ms)) {
        return NULL;
    }
    do {
        pass(m);
    } while (!wait_ms(m, mc->poll_ms));
    return NULL;
}

static void free_due(void *v)
{
    free(v);
}

static const floe_map_type due_type = {free_due};

mnt_scheduler *mnt_scheduler_new(floe_server *s)
{
    mnt_scheduler *m = floe_xcalloc(1, sizeof(*m));
    m->srv = s;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    m->busy = floe_map_new(NULL);
    m->due = floe_map_new(&due_type);
    return m;
}

floe_status mnt_scheduler_start(mnt_scheduler *m, floe_err *err)
{
    const floe_maintenance_config *mc = &m->srv->cfg->maintenance;
    if (!mc->enabled) {
        FLOE_LOG_INFO("maintenance", "scheduler off (maintenance.enabled is false)");
        return FLOE_OK;
    }
    int e = pthread_create(&m->thread, NULL, scheduler_main, m);
    if (e != 0) {
        return floe_err_errno(err, e, "maintenance thread");
    }
    m->started = true;
    FLOE_LOG_INFO("maintenance", "scheduler on: first pass in %lld ms, then every %lld ms",
                  (long long)mc->first_run_ms, (long long)mc->poll_ms);
    return FLOE_OK;
}

void mnt_scheduler_stop(mnt_scheduler *m)
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (m->started) {
        pthread_join(m->thread, NULL);
        m->started = false;
    }
}

void mnt_scheduler_free(mnt_scheduler *m)
{
    if (m == NULL) {
        return;
    }
    mnt_scheduler_stop(m);
    floe_map_free(m->busy);
    floe_map_free(m->due);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}
