/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-optimizing inside the server: the glue between the catalogs, the optimizing module and
 * the metadata store.
 *
 * One background thread does all the work, so table runtimes change on one thread only:
 *   - tables to look at come from the catalogs' change listener (a commit marks the table) and
 *     from a full listing every `optimizing.refresh-tables.interval`;
 *   - a marked table that is idle or pending is evaluated on its current snapshot (the
 *     manifest-backed source); a pending one is planned when min-plan-interval allows and its
 *     process handed to the optimizer service;
 *   - running processes are followed through the service (all tasks done -> committing,
 *     failed or canceled -> idle) and every change is written to the store;
 *   - committing processes are committed (floe_opt_commit through the catalog) and settled.
 * Runtimes and processes live in the store (migration 2), so a restart reloads them: a
 * running process is resubmitted with its unfinished tasks planned again, a committing one is
 * committed (idempotently), anything else recovers to idle or pending.
 *
 * The lock `mu` guards the table list and every runtime; the work itself (reading manifests,
 * committing) runs without it.
 */
#include "server_int.h"

#include "floe/optimizing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPT_ARENA_MAX ((size_t)1 << 30)
#define OPT_TICK_MS 500
#define OPT_PROCESSES_LIMIT 50
#define OPT_COMMIT_ATTEMPTS 5 /* commits failing for transient reasons, then the process fails */

typedef struct opt_tbl {
    char *catalog;
    char *name; /* "<catalog>.<ns>.<table>": the service's and the task inputs' name */
    char **levels;
    size_t n_levels;
    char *tname;
    floe_opt_runtime rt;
    bool marked;          /* changed since the last evaluation, or a refresh is due */
    bool gone;            /* dropped or renamed away */
    int32_t health_score; /* of the last evaluation; -1 before the first */
    int64_t last_eval_ms;
    int64_t min_plan_interval_ms; /* of the last evaluation: when a pending table may plan */
    char *proc_text;              /* the process JSON last written to the store */
    /* A commit to (re)try on the thread's next rounds: a committing process reloaded at
     * start-up (not known to the service), or one whose commit failed for a transient reason
     * (store or file system unavailable, outcome unknown). */
    char *recovered;
    bool recovered_from_service; /* settle it with the service when done */
    int commit_attempts;
    int64_t commit_retry_ms;
} opt_tbl;

struct server_opt {
    floe_server *srv;
    floe_opt_service *svc;
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool wake;
    floe_vec tables; /* opt_tbl * */
    int64_t next_refresh_ms;
    int64_t next_prune_ms; /* of finished processes older than the history keep time */
    int64_t last_process_id;
    /* Test-only fault injection (FLOE_TEST_PAUSE, read once at start): where to pause, how
     * long. PAUSE_NONE in production, where the hook is one comparison. */
    int pause_point;
    int64_t pause_ms;
};

static int64_t wall_ms(void)
{
    return floe_time_now_us() / 1000;
}

static floe_ident tbl_ident(const opt_tbl *t)
{
    return (floe_ident){.ns = {(const char **)t->levels, t->n_levels}, .name = t->tname};
}

static void tbl_free(opt_tbl *t)
{
    if (t == NULL) {
        return;
    }
    free(t->catalog);
    free(t->name);
    for (size_t i = 0; i < t->n_levels; i++) {
        free(t->levels[i]);
    }
    free(t->levels);
    free(t->tname);
    free(t->proc_text);
    free(t->recovered);
    free(t);
}

static char *display_name(const char *catalog, const floe_ident *id)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_printf(&b, NULL, "%s", catalog);
    for (size_t i = 0; i < id->ns.n; i++) {
        floe_buf_printf(&b, NULL, ".%s", id->ns.levels[i]);
    }
    floe_buf_printf(&b, NULL, ".%s", id->name);
    char *s = floe_xstrdup(floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static bool same_ident(const opt_tbl *t, const char *catalog, const floe_ident *id)
{
    if (strcmp(t->catalog, catalog) != 0 || strcmp(t->tname, id->name) != 0 ||
        t->n_levels != id->ns.n) {
        return false;
    }
    for (size_t i = 0; i < t->n_levels; i++) {
        if (strcmp(t->levels[i], id->ns.levels[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* The table's entry, created when missing (lock held). */
static opt_tbl *tbl_get(server_opt *o, const char *catalog, const floe_ident *id, bool create)
{
    for (size_t i = 0; i < o->tables.n; i++) {
        opt_tbl *t = *FLOE_VEC_AT(&o->tables, opt_tbl *, i);
        if (!t->gone && same_ident(t, catalog, id)) {
            return t;
        }
    }
    if (!create) {
        return NULL;
    }
    opt_tbl *t = floe_xcalloc(1, sizeof(*t));
    t->catalog = floe_xstrdup(catalog);
    t->name = display_name(catalog, id);
    t->n_levels = id->ns.n;
    t->levels = floe_xcalloc(id->ns.n + 1, sizeof(char *));
    for (size_t i = 0; i < id->ns.n; i++) {
        t->levels[i] = floe_xstrdup(id->ns.levels[i]);
    }
    t->tname = floe_xstrdup(id->name);
    t->health_score = -1;
    floe_opt_runtime_init(&t->rt, wall_ms());
    floe_vec_push_copy(&o->tables, &t);
    return t;
}

static opt_tbl *tbl_by_name(server_opt *o, const char *name)
{
    for (size_t i = 0; i < o->tables.n; i++) {
        opt_tbl *t = *FLOE_VEC_AT(&o->tables, opt_tbl *, i);
        if (!t->gone && strcmp(t->name, name) == 0) {
            return t;
        }
    }
    return NULL;
}

/* ==== Store ==== */

static void save_runtime(server_opt *o, opt_tbl *t)
{
    pthread_mutex_lock(&o->mu);
    json_t *j = floe_opt_runtime_to_json(&t->rt, wall_ms());
    pthread_mutex_unlock(&o->mu);
    json_object_del(j, "durations-ms"); /* derived from the clock when shown */
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    floe_ident id = tbl_ident(t);
    floe_err err = {0};
    if (floe_store_opt_table_put(o->srv->store, t->catalog, &id, text, &err) != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "save runtime of %s: %s", t->name, err.msg);
    }
    free(text);
}

/* Write the process when it changed since the last write. */
static void save_process(server_opt *o, opt_tbl *t, const json_t *proc)
{
    char *text = json_dumps(proc, JSON_COMPACT);
    if (text == NULL || (t->proc_text != NULL && strcmp(text, t->proc_text) == 0)) {
        free(text);
        return;
    }
    int64_t pid = json_integer_value(json_object_get(proc, "process-id"));
    const char *status = json_string_value(json_object_get(proc, "status"));
    floe_ident id = tbl_ident(t);
    floe_err err = {0};
    if (floe_store_opt_process_put(o->srv->store, t->catalog, &id, pid, status ? status : "?", text,
                                   &err) != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "save process %lld of %s: %s", (long long)pid, t->name,
                      err.msg);
        free(text);
        return;
    }
    free(t->proc_text);
    t->proc_text = text;
}

/* ==== Test-only fault injection ==== */

/*
 * FLOE_TEST_PAUSE=<point>:<ms> makes the optimizing thread sleep <ms> milliseconds at one point
 * of a table's plan or commit, after logging "test pause: <point> <table> ...", so a crash test
 * can wait for that line and kill -9 the server inside the window deterministically. Points:
 *   plan               the runtime is stored as planning, the plan is made, the process is not
 *                      stored yet;
 *   plan-stored        the process is stored, but not submitted and the runtime not yet
 *                      pointing at it;
 *   commit-before-swap the rewrite's manifests and manifest list are written, the catalog's
 *                      swap (metadata file and store update) has not happened;
 *   commit-after-swap  the swap happened, the success is not yet recorded (process and runtime
 *                      still say committing).
 * Read once by server_opt_start; unset (production) it costs one comparison per point. Never
 * set it outside tests: the thread does no other optimizing work while it sleeps.
 */
enum { PAUSE_NONE = 0, PAUSE_PLAN, PAUSE_PLAN_STORED, PAUSE_COMMIT_BEFORE, PAUSE_COMMIT_AFTER };

static const char *const PAUSE_NAMES[] = {"", "plan", "plan-stored", "commit-before-swap",
                                          "commit-after-swap"};

static floe_status pause_parse(const char *s, int *point, int64_t *ms, floe_err *err)
{
    const char *colon = strchr(s, ':');
    for (int i = PAUSE_PLAN; colon != NULL && i <= PAUSE_COMMIT_AFTER; i++) {
        size_t n = strlen(PAUSE_NAMES[i]);
        if ((size_t)(colon - s) == n && strncmp(s, PAUSE_NAMES[i], n) == 0) {
            *point = i;
            if (floe_parse_i64(colon + 1, ms, err) != FLOE_OK || *ms <= 0) {
                break;
            }
            return FLOE_OK;
        }
    }
    *err = (floe_err){0};
    return floe_err_set(err, FLOE_ERR_INVALID,
                        "FLOE_TEST_PAUSE %s: expected plan, plan-stored, commit-before-swap or "
                        "commit-after-swap, a colon and milliseconds > 0",
                        s);
}

/* Sleep at `point` when the test hook asks for it; returns early when the server stops. */
static void test_pause(server_opt *o, int point, const char *table, int64_t pid)
{
    if (o->pause_point != point) {
        return;
    }
    FLOE_LOG_WARN("optimizing", "test pause: %s %s process %lld for %lld ms", PAUSE_NAMES[point],
                  table, (long long)pid, (long long)o->pause_ms);
    int64_t end = wall_ms() + o->pause_ms;
    for (;;) {
        pthread_mutex_lock(&o->mu);
        bool stop = o->stop;
        pthread_mutex_unlock(&o->mu);
        int64_t left = end - wall_ms();
        if (stop || left <= 0) {
            return;
        }
        struct timespec ts = {.tv_nsec = (long)(left < 50 ? left : 50) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* A table catalog that pauses around the swap (the commit pause points). */
typedef struct pause_catalog {
    server_opt *o;
    floe_ice_catalog inner;
    const char *table;
    int64_t pid;
} pause_catalog;

static floe_status pause_load(void *ctx, floe_arena *a, floe_table_meta **out, floe_err *err)
{
    pause_catalog *pc = ctx;
    return pc->inner.ops->load(pc->inner.ctx, a, out, err);
}

static floe_status pause_commit(void *ctx, floe_arena *a, const floe_ice_requirement *reqs,
                                size_t n_reqs, const floe_ice_update *ups, size_t n_ups,
                                floe_table_meta **out, floe_err *err)
{
    pause_catalog *pc = ctx;
    test_pause(pc->o, PAUSE_COMMIT_BEFORE, pc->table, pc->pid);
    floe_status st = pc->inner.ops->commit(pc->inner.ctx, a, reqs, n_reqs, ups, n_ups, out, err);
    if (st == FLOE_OK) {
        test_pause(pc->o, PAUSE_COMMIT_AFTER, pc->table, pc->pid);
    }
    return st;
}

static void pause_serialize(void *ctx, bool on)
{
    pause_catalog *pc = ctx;
    if (pc->inner.ops->serialize != NULL) {
        pc->inner.ops->serialize(pc->inner.ctx, on);
    }
}

static const floe_ice_catalog_ops PAUSE_CATALOG_OPS = {
    .load = pause_load, .commit = pause_commit, .serialize = pause_serialize};

/* ==== Runtime transitions ==== */

static bool apply(server_opt *o, opt_tbl *t, floe_opt_event ev, floe_opt_event_args args)
{
    args.now_ms = args.now_ms != 0 ? args.now_ms : wall_ms();
    floe_err err = {0};
    pthread_mutex_lock(&o->mu);
    floe_opt_status before = t->rt.status;
    floe_status st = floe_opt_runtime_apply(&t->rt, ev, &args, &err);
    floe_opt_status after = t->rt.status;
    pthread_mutex_unlock(&o->mu);
    if (st != FLOE_OK) {
        FLOE_LOG_DEBUG("optimizing", "%s: %s refused: %s", t->name, floe_opt_event_name(ev),
                       err.msg);
        return false;
    }
    if (before != after) {
        FLOE_LOG_INFO("optimizing", "%s: %s -> %s (%s)", t->name, floe_opt_status_name(before),
                      floe_opt_status_name(after), floe_opt_event_name(ev));
    }
    save_runtime(o, t);
    return true;
}

/* ==== Evaluate and plan ==== */

typedef struct table_state {
    floe_arena *a;
    floe_catalog *cat;
    floe_table_version v;
    floe_opt_props props;
    const floe_snapshot *snap;
} table_state;

/* Load the table and its effective properties. FLOE_ERR_NOT_FOUND when it is gone. */
static floe_status load_table(server_opt *o, opt_tbl *t, table_state *ts, floe_err *err)
{
    ts->cat = floe_server_catalog(o->srv, t->catalog);
    if (ts->cat == NULL) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "catalog %s is gone", t->catalog);
    }
    floe_ident id = tbl_ident(t);
    floe_status st = floe_catalog_table_load(ts->cat, ts->a, &id, &ts->v, err);
    if (st != FLOE_OK) {
        return st;
    }
    size_t n_cat = 0;
    const floe_kv *cat_props = floe_catalog_properties(ts->cat, &n_cat);
    st = floe_opt_props_parse(ts->a, cat_props, n_cat, ts->v.meta->properties,
                              ts->v.meta->n_properties, &ts->props, err);
    ts->snap = floe_table_meta_current_snapshot(ts->v.meta);
    return st;
}

static const floe_optimizer_group_config *group_config(server_opt *o, const char *name)
{
    const floe_server_config *cfg = o->srv->cfg;
    for (size_t i = 0; i < cfg->n_groups; i++) {
        if (strcmp(cfg->groups[i].name, name) == 0) {
            return &cfg->groups[i];
        }
    }
    return NULL;
}

static int64_t group_max_input(const floe_optimizer_group_config *g)
{
    for (size_t i = 0; g != NULL && i < g->n_properties; i++) {
        uint64_t v = 0;
        if (strcmp(g->properties[i].key, "max-input-file-size-per-thread") == 0 &&
            floe_parse_size(g->properties[i].value, &v, NULL) == FLOE_OK) {
            return (int64_t)v;
        }
    }
    return 0;
}

static int32_t group_threads(server_opt *o, const char *name)
{
    json_t *g = floe_opt_service_groups_json(o->svc);
    int32_t threads = 0;
    json_t *arr = json_object_get(g, "groups");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0) {
            threads = (int32_t)json_integer_value(json_object_get(e, "threads"));
        }
    }
    json_decref(g);
    return threads > 0 ? threads : 1;
}

static void plan_table(server_opt *o, opt_tbl *t, table_state *ts, floe_opt_source *src,
                       const floe_opt_table_ctx *ctx, floe_opt_evaluation *ev)
{
    floe_opt_event_args begin = {.min_plan_interval_ms = ts->props.min_plan_interval_ms};
    if (!apply(o, t, FLOE_OPT_EV_PLAN_BEGIN, begin)) {
        return; /* min-plan-interval not reached: stays pending */
    }
    floe_err err = {0};
    const floe_optimizer_group_config *g = group_config(o, ts->props.group);
    floe_opt_plan *plan = NULL;
    floe_status st = FLOE_OK;
    if (g == NULL) {
        st = floe_err_set(&err, FLOE_ERR_NOT_FOUND, "optimizer group %s is not configured",
                          ts->props.group);
    } else {
        floe_opt_plan_opts po = {
            .table = t->name,
            .metadata_location = ts->v.metadata_location,
            .snapshot_id = ts->snap->snapshot_id,
            .sequence_number = ts->snap->sequence_number,
            .group_threads = group_threads(o, g->name),
            .max_input_per_thread = group_max_input(g),
            .evaluation = ev, /* the one that found the table pending: no second read */
        };
        if (po.max_input_per_thread == 0) {
            po.max_input_per_thread = (int64_t)512 << 20;
        }
        st = floe_opt_plan_make(ts->a, ctx, &po, src, &plan, &err);
    }
    if (st != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "plan %s: %s", t->name, err.msg);
        apply(o, t, FLOE_OPT_EV_PLAN_FAILED, (floe_opt_event_args){0});
        return;
    }
    if (plan->n_tasks == 0) {
        apply(o, t, FLOE_OPT_EV_PLAN_EMPTY,
              (floe_opt_event_args){.snapshot_id = ts->snap->snapshot_id});
        return;
    }
    int64_t now = wall_ms();
    pthread_mutex_lock(&o->mu);
    int64_t pid = now * 1000;
    if (pid <= o->last_process_id) {
        pid = o->last_process_id + 1;
    }
    o->last_process_id = pid;
    pthread_mutex_unlock(&o->mu);
    test_pause(o, PAUSE_PLAN, t->name, pid);
    floe_opt_process *p = NULL;
    st = floe_opt_process_from_plan(plan, pid, t->name, now, &p, &err);
    if (st == FLOE_OK) {
        json_t *pj = floe_opt_process_to_json(p, true);
        save_process(o, t, pj);
        json_decref(pj);
        test_pause(o, PAUSE_PLAN_STORED, t->name, pid);
        int64_t last =
            t->rt.last_minor_ms > t->rt.last_full_ms ? t->rt.last_minor_ms : t->rt.last_full_ms;
        st = floe_opt_service_submit(o->svc, p, &ts->props, last, &err);
    }
    if (st != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "submit %s: %s", t->name, err.msg);
        apply(o, t, FLOE_OPT_EV_PLAN_FAILED, (floe_opt_event_args){0});
        return;
    }
    FLOE_LOG_INFO("optimizing",
                  "%s: planned %s process %lld: %zu task(s), %lld file(s), %lld bytes", t->name,
                  floe_opt_type_name(plan->type), (long long)pid, plan->n_tasks,
                  (long long)plan->input_files, (long long)plan->input_bytes);
    apply(o, t, FLOE_OPT_EV_PLAN_DONE,
          (floe_opt_event_args){.type = plan->type, .process_id = pid});
}

static void forget_table(server_opt *o, opt_tbl *t)
{
    floe_ident id = tbl_ident(t);
    floe_err err = {0};
    floe_store_opt_table_delete(o->srv->store, t->catalog, &id, &err);
    pthread_mutex_lock(&o->mu);
    t->gone = true;
    pthread_mutex_unlock(&o->mu);
}

/*
 * How long an unchanged idle table goes without a new evaluation: five refresh intervals, and
 * at least 5 minutes unless the table's own time trigger (minor or full interval) is shorter,
 * so a partition that was just short of its trigger interval is planned once it passes.
 */
static int64_t reeval_ms(const server_opt *o, const floe_opt_props *p)
{
    int64_t r = 5 * o->srv->cfg->opt_refresh_interval_ms;
    int64_t floor = 300000;
    if (p->minor_trigger_interval_ms > 0 && p->minor_trigger_interval_ms < floor) {
        floor = p->minor_trigger_interval_ms;
    }
    if (p->full_trigger_interval_ms > 0 && p->full_trigger_interval_ms < floor) {
        floor = p->full_trigger_interval_ms;
    }
    return r > floor ? r : floor;
}

static void evaluate_table(server_opt *o, opt_tbl *t)
{
    table_state ts = {.a = floe_arena_new(OPT_ARENA_MAX)};
    floe_err err = {0};
    floe_status st = load_table(o, t, &ts, &err);
    if (st == FLOE_ERR_NOT_FOUND) {
        forget_table(o, t);
    } else if (st != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "evaluate %s: %s", t->name, err.msg);
    } else if (!ts.props.enabled) {
        if (t->rt.status == FLOE_OPT_PENDING) {
            apply(o, t, FLOE_OPT_EV_DISABLE, (floe_opt_event_args){0});
        }
    } else if (ts.snap != NULL && ts.snap->snapshot_id == t->rt.last_evaluated_snapshot_id &&
               t->rt.status == FLOE_OPT_IDLE &&
               wall_ms() - t->last_eval_ms < reeval_ms(o, &ts.props)) {
        /* Nothing committed since the last look: time-based triggers are checked again
         * only every few refresh intervals, so idle tables cost a metadata read. */
    } else if (ts.snap != NULL) {
        t->min_plan_interval_ms = ts.props.min_plan_interval_ms;
        floe_opt_manifest_source ms = {
            .io = floe_catalog_io(ts.cat), .meta = ts.v.meta, .snapshot_id = ts.snap->snapshot_id};
        floe_opt_source src;
        floe_opt_manifest_source_init(&ms, &src);
        floe_opt_table_ctx ctx = {.meta = ts.v.meta,
                                  .props = &ts.props,
                                  .now_ms = wall_ms(),
                                  .last_minor_ms = t->rt.last_minor_ms,
                                  .last_full_ms = t->rt.last_full_ms};
        floe_opt_evaluation *ev = NULL;
        st = floe_opt_evaluate(ts.a, &ctx, &src, &ev, &err);
        if (st != FLOE_OK) {
            FLOE_LOG_WARN("optimizing", "evaluate %s: %s", t->name, err.msg);
        } else {
            pthread_mutex_lock(&o->mu);
            t->health_score = ev->summary.health_score;
            t->last_eval_ms = ctx.now_ms;
            pthread_mutex_unlock(&o->mu);
            apply(o, t, FLOE_OPT_EV_EVALUATED,
                  (floe_opt_event_args){.snapshot_id = ts.snap->snapshot_id,
                                        .necessary = ev->summary.type != FLOE_OPT_NONE,
                                        .pending = &ev->summary});
            if (t->rt.status == FLOE_OPT_PENDING) {
                floe_opt_service_planning(o->svc, true);
                plan_table(o, t, &ts, &src, &ctx, ev);
                floe_opt_service_planning(o->svc, false);
            }
        }
    }
    floe_arena_free(ts.a);
}

/* ==== Following processes and committing ==== */

static void follow_process(server_opt *o, opt_tbl *t)
{
    json_t *pj = floe_opt_service_process_json(o->svc, t->rt.process_id);
    floe_opt_event_args args = {.process_id = t->rt.process_id};
    if (pj == NULL) {
        apply(o, t, FLOE_OPT_EV_PROCESS_CLOSED, args);
        return;
    }
    save_process(o, t, pj);
    const char *status = json_string_value(json_object_get(pj, "status"));
    floe_opt_process_status ps = FLOE_OPT_PROC_RUNNING;
    floe_opt_process_status_parse(status ? status : "", &ps, NULL);
    if (ps == FLOE_OPT_PROC_COMMITTING) {
        apply(o, t, FLOE_OPT_EV_TASKS_DONE, args);
    } else if (ps == FLOE_OPT_PROC_FAILED || ps == FLOE_OPT_PROC_CANCELED) {
        const char *why = json_string_value(json_object_get(pj, "fail-reason"));
        FLOE_LOG_WARN("optimizing", "%s: process %lld %s: %s", t->name, (long long)t->rt.process_id,
                      status, why ? why : "");
        apply(o, t, FLOE_OPT_EV_PROCESS_CLOSED, args);
    }
    json_decref(pj);
}

/* A table whose self-optimizing was switched off while its process runs: cancel the process
 * (its unfinished tasks; with allow-partial-commit the finished ones still commit). */
static void cancel_if_disabled(server_opt *o, opt_tbl *t)
{
    table_state ts = {.a = floe_arena_new(OPT_ARENA_MAX)};
    floe_err err = {0};
    floe_status st = load_table(o, t, &ts, &err);
    if (st == FLOE_OK && !ts.props.enabled) {
        if (floe_opt_service_cancel(o->svc, t->rt.process_id, &err) == FLOE_OK) {
            FLOE_LOG_INFO("optimizing", "%s: self-optimizing disabled, process %lld canceled",
                          t->name, (long long)t->rt.process_id);
        }
    }
    floe_arena_free(ts.a);
}

/* Commit one process; `from_service` false for a process recovered from the store. */
static void commit_process(server_opt *o, opt_tbl *t, json_t *pj, bool from_service)
{
    int64_t pid = json_integer_value(json_object_get(pj, "process-id"));
    floe_opt_event_args args = {.process_id = pid};
    if (t != NULL && t->rt.status != FLOE_OPT_COMMITTING) {
        apply(o, t, FLOE_OPT_EV_TASKS_DONE, args);
    }
    floe_arena *a = floe_arena_new(OPT_ARENA_MAX);
    floe_err err = {0};
    floe_opt_commit_result res;
    floe_status st = FLOE_OK;
    floe_catalog *cat = t != NULL ? floe_server_catalog(o->srv, t->catalog) : NULL;
    if (cat == NULL) {
        st =
            floe_err_set(&err, FLOE_ERR_NOT_FOUND, "table of process %lld is gone", (long long)pid);
    } else {
        floe_ident id = tbl_ident(t);
        floe_ice_catalog ice;
        st = floe_catalog_ice_table(cat, a, &id, &ice, &err);
        pause_catalog pc = {.o = o, .table = t->name, .pid = pid};
        if (st == FLOE_OK && o->pause_point >= PAUSE_COMMIT_BEFORE) {
            pc.inner = ice;
            ice = (floe_ice_catalog){.ops = &PAUSE_CATALOG_OPS, .ctx = &pc, .io = pc.inner.io};
        }
        if (st == FLOE_OK) {
            st = floe_opt_commit(a, &ice, pj, &res, &err);
        }
    }
    if (st == FLOE_OK) {
        FLOE_LOG_INFO("optimizing",
                      "%s: committed process %lld as snapshot %lld: %lld task(s), data files "
                      "-%lld +%lld, delete files -%lld +%lld%s",
                      t->name, (long long)pid, (long long)res.snapshot_id, (long long)res.tasks,
                      (long long)res.removed_data_files, (long long)res.added_data_files,
                      (long long)res.removed_delete_files, (long long)res.added_delete_files,
                      res.already_committed ? " (found committed)" : "");
    } else if (t != NULL && t->commit_attempts + 1 < OPT_COMMIT_ATTEMPTS &&
               (st == FLOE_ERR_STATE_UNKNOWN || st == FLOE_ERR_UNAVAILABLE ||
                st == FLOE_ERR_TIMEOUT || st == FLOE_ERR_IO)) {
        /* Nothing is known to be wrong with the rewrite itself: try again shortly. A commit
         * that did happen is found by its process id then. */
        t->commit_attempts++;
        t->commit_retry_ms = wall_ms() + 1000LL * (1 << t->commit_attempts);
        free(t->recovered);
        t->recovered = json_dumps(pj, JSON_COMPACT);
        t->recovered_from_service = from_service;
        FLOE_LOG_WARN("optimizing", "commit process %lld (attempt %d, retrying): %s",
                      (long long)pid, t->commit_attempts, err.msg);
        floe_arena_free(a);
        return;
    } else {
        FLOE_LOG_WARN("optimizing", "commit process %lld: %s", (long long)pid, err.msg);
    }
    json_t *final = NULL;
    if (from_service) {
        floe_err derr = {0};
        if (floe_opt_service_commit_done(o->svc, pid, st == FLOE_OK, st == FLOE_OK ? NULL : err.msg,
                                         &derr) != FLOE_OK) {
            FLOE_LOG_WARN("optimizing", "settle process %lld: %s", (long long)pid, derr.msg);
        }
        final = floe_opt_service_process_json(o->svc, pid);
    } else {
        final = json_deep_copy(pj);
        json_object_set_new(final, "status", json_string(st == FLOE_OK ? "success" : "failed"));
        json_object_set_new(final, "end-ms", json_integer(wall_ms()));
        if (st != FLOE_OK) {
            json_object_set_new(final, "fail-reason", json_string(err.msg));
        }
    }
    if (t != NULL && final != NULL) {
        save_process(o, t, final);
    }
    json_decref(final);
    if (t != NULL) {
        if (st == FLOE_OK) {
            apply(o, t, FLOE_OPT_EV_COMMITTED,
                  (floe_opt_event_args){
                      .process_id = pid,
                      .plan_ms = json_integer_value(json_object_get(pj, "plan-ms")),
                      .plan_snapshot_id = json_integer_value(json_object_get(pj, "snapshot-id"))});
        } else {
            apply(o, t, FLOE_OPT_EV_PROCESS_CLOSED, args);
        }
        pthread_mutex_lock(&o->mu);
        t->marked = true; /* look again: the table changed, or the failure may have cleared */
        pthread_mutex_unlock(&o->mu);
        t->commit_attempts = 0;
        t->commit_retry_ms = 0;
    }
    floe_arena_free(a);
}

/* ==== Refresh: every table of every catalog ==== */

static void mark_namespace(server_opt *o, floe_catalog *cat, floe_arena *a,
                           const floe_namespace *ns, int depth)
{
    floe_store *store = floe_catalog_store(cat);
    const char *catalog = floe_catalog_name(cat);
    floe_err err = {0};
    if (ns->n > 0) {
        const char **names = NULL;
        size_t n = 0;
        const char *next = NULL;
        if (floe_store_object_list(store, a, catalog, FLOE_OBJECT_TABLE, ns, &(floe_page){0},
                                   &names, &n, &next, &err) == FLOE_OK) {
            pthread_mutex_lock(&o->mu);
            for (size_t i = 0; i < n; i++) {
                floe_ident id = {.ns = *ns, .name = names[i]};
                tbl_get(o, catalog, &id, true)->marked = true;
            }
            pthread_mutex_unlock(&o->mu);
        }
    }
    if (depth >= FLOE_NAMESPACE_LEVELS_MAX) {
        return;
    }
    floe_namespace *children = NULL;
    size_t nc = 0;
    const char *next = NULL;
    if (floe_store_namespace_list(store, a, catalog, ns, &(floe_page){0}, &children, &nc, &next,
                                  &err) != FLOE_OK) {
        return;
    }
    for (size_t i = 0; i < nc; i++) {
        mark_namespace(o, cat, a, &children[i], depth + 1);
    }
}

static void refresh_all(server_opt *o)
{
    for (size_t i = 0; i < floe_server_catalog_count(o->srv); i++) {
        floe_arena *a = floe_arena_new(OPT_ARENA_MAX);
        floe_namespace root = {0};
        mark_namespace(o, floe_server_catalog_at(o->srv, i), a, &root, 0);
        floe_arena_free(a);
    }
}

/* ==== The thread ==== */

/* Forget finished processes older than optimizing.process.history-data-keep-time; looked at
 * hourly, or every quarter of the keep time when that is shorter (at least every second). */
static void prune_history(server_opt *o, int64_t now)
{
    int64_t keep = o->srv->cfg->opt_history_keep_ms;
    size_t n = 0;
    floe_err err = {0};
    if (floe_store_opt_process_prune(o->srv->store, now - keep, &n, &err) != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "prune process history: %s", err.msg);
    } else if (n > 0) {
        FLOE_LOG_INFO("optimizing", "pruned %zu finished process(es) older than %lld ms", n,
                      (long long)keep);
    }
    int64_t every = keep / 4 < 3600000 ? keep / 4 : 3600000;
    o->next_prune_ms = now + (every > 1000 ? every : 1000);
}

static void step(server_opt *o)
{
    floe_opt_service_expire(o->svc);
    int64_t now = wall_ms();
    if (now >= o->next_refresh_ms) {
        refresh_all(o);
        o->next_refresh_ms = now + o->srv->cfg->opt_refresh_interval_ms;
    }
    if (now >= o->next_prune_ms) {
        prune_history(o, now);
    }
    /* The table list only grows while the thread runs, so index walking is safe. */
    pthread_mutex_lock(&o->mu);
    size_t n = o->tables.n;
    pthread_mutex_unlock(&o->mu);
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&o->mu);
        opt_tbl *t = *FLOE_VEC_AT(&o->tables, opt_tbl *, i);
        bool marked = t->marked && !t->gone;
        t->marked = false;
        bool stop = o->stop;
        pthread_mutex_unlock(&o->mu);
        if (stop) {
            return;
        }
        if (t->gone) {
            continue;
        }
        if (t->recovered != NULL) {
            if (wall_ms() >= t->commit_retry_ms) {
                json_t *pj = json_loads(t->recovered, 0, NULL);
                free(t->recovered);
                t->recovered = NULL;
                if (pj != NULL) {
                    commit_process(o, t, pj, t->recovered_from_service);
                    json_decref(pj);
                }
            }
            continue;
        }
        switch (t->rt.status) {
        case FLOE_OPT_MINOR_OPTIMIZING:
        case FLOE_OPT_MAJOR_OPTIMIZING:
        case FLOE_OPT_FULL_OPTIMIZING:
            if (marked) {
                cancel_if_disabled(o, t);
            }
            follow_process(o, t);
            break;
        case FLOE_OPT_IDLE:
            if (marked) {
                evaluate_table(o, t);
            }
            break;
        case FLOE_OPT_PENDING:
            /* Waits for min-plan-interval; a change is evaluated at once (pending refreshed). */
            if (marked || wall_ms() - t->rt.last_plan_ms >= t->min_plan_interval_ms) {
                evaluate_table(o, t);
            }
            break;
        default:
            break;
        }
    }
    json_t *pj;
    while (!o->stop && (pj = floe_opt_service_take_commit(o->svc)) != NULL) {
        const char *name = json_string_value(json_object_get(pj, "table"));
        pthread_mutex_lock(&o->mu);
        opt_tbl *t = name != NULL ? tbl_by_name(o, name) : NULL;
        pthread_mutex_unlock(&o->mu);
        commit_process(o, t, pj, true);
        json_decref(pj);
    }
}

static void *opt_main(void *ud)
{
    server_opt *o = ud;
    floe_log_set_context("optimizing");
    pthread_mutex_lock(&o->mu);
    while (!o->stop) {
        pthread_mutex_unlock(&o->mu);
        step(o);
        pthread_mutex_lock(&o->mu);
        if (o->stop) {
            break;
        }
        if (!o->wake) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)OPT_TICK_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&o->cv, &o->mu, &ts);
        }
        o->wake = false;
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* The catalogs' listener: mark changed tables, forget dropped and renamed ones. */
static void on_change(void *ud, const floe_change *ch)
{
    server_opt *o = ud;
    if (ch->object != FLOE_OBJECT_TABLE) {
        return;
    }
    pthread_mutex_lock(&o->mu);
    opt_tbl *t = tbl_get(o, ch->catalog, ch->id,
                         ch->kind != FLOE_CHANGE_DROP && ch->kind != FLOE_CHANGE_RENAME);
    bool gone = false;
    if (t != NULL) {
        if (ch->kind == FLOE_CHANGE_DROP || ch->kind == FLOE_CHANGE_RENAME) {
            t->gone = true;
            gone = true;
        } else {
            t->marked = true;
        }
    }
    if (ch->kind == FLOE_CHANGE_RENAME && ch->renamed_to != NULL) {
        tbl_get(o, ch->catalog, ch->renamed_to, true)->marked = true;
    }
    o->wake = true;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    if (gone) {
        /* Dropped or renamed away: the stored state would point at nothing. The store is safe
         * to call from here (it is not a catalog write operation). */
        floe_err err = {0};
        floe_store_opt_table_delete(o->srv->store, ch->catalog, ch->id, &err);
    }
}

/* ==== Recovery ==== */

/*
 * Record as failed the table's stored processes that still say running or committing but that
 * recovery did not keep (`keep`, 0 for none): a stop between storing a planned process and the
 * runtime pointing at it, or a process whose resubmission failed. Without this they would show
 * as running forever.
 */
static void abandon_stale(server_opt *o, opt_tbl *t, floe_arena *a, int64_t keep)
{
    floe_ident id = tbl_ident(t);
    const char **rows = NULL;
    size_t n = 0;
    floe_err err = {0};
    if (floe_store_opt_process_list(o->srv->store, a, t->catalog, &id, OPT_PROCESSES_LIMIT, &rows,
                                    &n, &err) != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "%s: list processes: %s", t->name, err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *pj = json_loads(rows[i], 0, NULL);
        const char *status = json_string_value(json_object_get(pj, "status"));
        int64_t pid = json_integer_value(json_object_get(pj, "process-id"));
        if (pj != NULL && pid != keep && status != NULL &&
            (strcmp(status, "running") == 0 || strcmp(status, "committing") == 0)) {
            json_object_set_new(pj, "status", json_string("failed"));
            json_object_set_new(pj, "end-ms", json_integer(wall_ms()));
            json_object_set_new(pj, "fail-reason",
                                json_string("abandoned: the server stopped before the process "
                                            "was running or committed"));
            char *text = json_dumps(pj, JSON_COMPACT);
            if (text == NULL || floe_store_opt_process_put(o->srv->store, t->catalog, &id, pid,
                                                           "failed", text, &err) != FLOE_OK) {
                FLOE_LOG_WARN("optimizing", "%s: settle stale process %lld: %s", t->name,
                              (long long)pid, err.msg);
            } else {
                FLOE_LOG_INFO("optimizing", "%s: stale process %lld recorded as failed", t->name,
                              (long long)pid);
            }
            free(text);
        }
        json_decref(pj);
    }
}

static void recover(server_opt *o)
{
    floe_arena *a = floe_arena_new(OPT_ARENA_MAX);
    floe_store_opt_table *rows = NULL;
    size_t n = 0;
    floe_err err = {0};
    if (floe_store_opt_table_list(o->srv->store, a, &rows, &n, &err) != FLOE_OK) {
        FLOE_LOG_WARN("optimizing", "load runtimes: %s", err.msg);
        floe_arena_free(a);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (floe_server_catalog(o->srv, rows[i].catalog) == NULL) {
            continue;
        }
        opt_tbl *t = tbl_get(o, rows[i].catalog, &rows[i].id, true);
        json_t *rj = json_loads(rows[i].runtime_json, 0, NULL);
        floe_opt_runtime rt;
        if (rj == NULL || floe_opt_runtime_from_json(rj, &rt, &err) != FLOE_OK) {
            FLOE_LOG_WARN("optimizing", "%s: stored runtime unreadable, starting idle", t->name);
            json_decref(rj);
            continue;
        }
        json_decref(rj);
        t->rt = rt;
        t->marked = true;
        if (rt.process_id > o->last_process_id) {
            o->last_process_id = rt.process_id;
        }
        floe_opt_event_args args = {.process_exists = false};
        const char *ptext = NULL;
        floe_opt_process *p = NULL;
        if (rt.process_id != 0 &&
            floe_store_opt_process_get(o->srv->store, a, rt.process_id, &ptext, &err) == FLOE_OK &&
            ptext != NULL) {
            json_t *pj = json_loads(ptext, 0, NULL);
            if (pj != NULL && floe_opt_process_from_json(pj, &p, &err) != FLOE_OK) {
                p = NULL;
            }
            json_decref(pj);
        }
        if (p != NULL &&
            (rt.status == FLOE_OPT_MINOR_OPTIMIZING || rt.status == FLOE_OPT_MAJOR_OPTIMIZING ||
             rt.status == FLOE_OPT_FULL_OPTIMIZING || rt.status == FLOE_OPT_COMMITTING)) {
            if (p->status == FLOE_OPT_PROC_RUNNING) {
                /* Unfinished tasks run again; finished ones keep their outputs. A process whose
                 * tasks all finished before the stop (the settling was not stored) goes to the
                 * committer when every task succeeded, else it is over. */
                size_t c[FLOE_OPT_TASK_STATUS_COUNT_];
                for (size_t k = 0; k < p->n_tasks; k++) {
                    floe_opt_task_reset(&p->tasks[k], NULL);
                }
                floe_opt_process_task_counts(p, c);
                if (c[FLOE_OPT_TASK_PLANNED] == 0) {
                    p->status = c[FLOE_OPT_TASK_SUCCESS] == p->n_tasks ? FLOE_OPT_PROC_COMMITTING
                                                                       : FLOE_OPT_PROC_FAILED;
                }
            }
            args.process_exists = true;
            args.process_status = p->status;
            if (p->status == FLOE_OPT_PROC_COMMITTING) {
                json_t *pj = floe_opt_process_to_json(p, true);
                t->recovered = json_dumps(pj, JSON_COMPACT);
                json_decref(pj);
                if (rt.status != FLOE_OPT_COMMITTING) {
                    floe_opt_event_args td = {.now_ms = wall_ms(), .process_id = p->process_id};
                    floe_opt_runtime_apply(&t->rt, FLOE_OPT_EV_TASKS_DONE, &td, NULL);
                }
                floe_opt_process_free(p);
            } else if (p->status == FLOE_OPT_PROC_RUNNING) {
                table_state ts = {.a = a};
                floe_status st = load_table(o, t, &ts, &err);
                if (st == FLOE_OK) {
                    st = floe_opt_service_submit(o->svc, p, &ts.props, rt.last_minor_ms, &err);
                } else {
                    floe_opt_process_free(p);
                }
                if (st != FLOE_OK) {
                    FLOE_LOG_WARN("optimizing", "%s: resubmit process %lld: %s", t->name,
                                  (long long)rt.process_id, err.msg);
                    args.process_exists = false;
                }
            } else {
                floe_opt_process_free(p);
                args.process_exists = false;
            }
        } else {
            floe_opt_process_free(p);
        }
        args.now_ms = wall_ms();
        floe_opt_status before = t->rt.status;
        floe_opt_runtime_apply(&t->rt, FLOE_OPT_EV_RECOVER, &args, NULL);
        FLOE_LOG_INFO("optimizing", "%s: recovered %s -> %s (process %lld)", t->name,
                      floe_opt_status_name(before), floe_opt_status_name(t->rt.status),
                      (long long)rt.process_id);
        save_runtime(o, t);
        bool kept = t->recovered != NULL || (t->rt.status >= FLOE_OPT_MINOR_OPTIMIZING &&
                                             t->rt.status <= FLOE_OPT_COMMITTING);
        abandon_stale(o, t, a, kept ? rt.process_id : 0);
    }
    floe_arena_free(a);
}

/* ==== Life cycle ==== */

/*
 * Cancel the table's running process (POST .../cancel): its unfinished tasks stop being handed
 * out and the optimizing thread settles the process (canceled -> idle) on its next round.
 * FLOE_ERR_NOT_FOUND when the table has no running process.
 */
floe_status server_opt_cancel(server_opt *o, const char *catalog, const floe_ident *id,
                              int64_t *process_id, floe_err *err)
{
    pthread_mutex_lock(&o->mu);
    opt_tbl *t = tbl_get(o, catalog, id, false);
    int64_t pid = 0;
    if (t != NULL && t->rt.process_id != 0 && t->rt.status >= FLOE_OPT_MINOR_OPTIMIZING &&
        t->rt.status < FLOE_OPT_COMMITTING) {
        pid = t->rt.process_id;
    }
    pthread_mutex_unlock(&o->mu);
    if (pid == 0) {
        return floe_err_set(err, FLOE_ERR_NOT_FOUND, "table %s has no running optimizing process",
                            id->name);
    }
    floe_status st = floe_opt_service_cancel(o->svc, pid, err);
    if (st == FLOE_OK) {
        *process_id = pid;
        FLOE_LOG_INFO("optimizing", "%s.%s: process %lld canceled on request", catalog, id->name,
                      (long long)pid);
        pthread_mutex_lock(&o->mu);
        o->wake = true;
        pthread_cond_signal(&o->cv);
        pthread_mutex_unlock(&o->mu);
    }
    return st;
}

/* The snapshot a process JSON (service or store form) was planned from; -1 when absent. */
static int64_t process_snapshot(json_t *pj)
{
    json_t *v = json_object_get(pj, "snapshot-id");
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/*
 * Table maintenance's provider (floe_protected_snapshots_fn): the snapshot the table's running
 * or committing process planned from, so expiration keeps it (and the files the process reads)
 * until the rewrite is committed or abandoned.
 */
size_t server_opt_protected_snapshots(void *ud, const char *catalog, const floe_ident *id,
                                      int64_t *out, size_t max)
{
    server_opt *o = ud;
    size_t n = 0;
    pthread_mutex_lock(&o->mu);
    opt_tbl *t = tbl_get(o, catalog, id, false);
    if (t != NULL) {
        int64_t ids[2] = {-1, -1};
        bool running = t->rt.status >= FLOE_OPT_MINOR_OPTIMIZING && t->rt.process_id != 0;
        if (running) {
            json_t *pj = floe_opt_service_process_json(o->svc, t->rt.process_id);
            ids[0] = process_snapshot(pj);
            json_decref(pj);
        }
        if (t->recovered != NULL) {
            json_t *pj = json_loads(t->recovered, 0, NULL);
            ids[1] = process_snapshot(pj);
            json_decref(pj);
        }
        for (size_t i = 0; i < 2; i++) {
            if (ids[i] >= 0) {
                if (n < max) {
                    out[n] = ids[i];
                }
                n++;
            }
        }
    }
    pthread_mutex_unlock(&o->mu);
    return n;
}

floe_status server_opt_start(floe_server *srv, server_opt **out, floe_err *err)
{
    const floe_server_config *cfg = srv->cfg;
    server_opt *o = floe_xcalloc(1, sizeof(*o));
    o->srv = srv;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    floe_vec_init(&o->tables, sizeof(opt_tbl *));
    floe_opt_service_opts so = {.heartbeat_timeout_ms = cfg->opt_heartbeat_timeout_ms,
                                .ack_timeout_ms = cfg->opt_ack_timeout_ms,
                                .execute_timeout_ms = cfg->opt_execute_timeout_ms,
                                .break_quota = cfg->opt_break_quota};
    o->svc = floe_opt_service_new(&so);
    floe_status st = FLOE_OK;
    const char *pause = getenv("FLOE_TEST_PAUSE");
    if (pause != NULL && pause[0] != '\0') {
        st = pause_parse(pause, &o->pause_point, &o->pause_ms, err);
        if (st == FLOE_OK) {
            FLOE_LOG_WARN("optimizing", "FLOE_TEST_PAUSE=%s: test-only pauses are on", pause);
        }
    }
    for (size_t i = 0; i < cfg->n_groups && st == FLOE_OK; i++) {
        const floe_optimizer_group_config *g = &cfg->groups[i];
        floe_opt_group_def def = {.name = g->name, .max_input_per_thread = group_max_input(g)};
        if (g->policy != NULL) {
            st = floe_opt_policy_parse(g->policy, &def.policy, err);
        }
        if (st == FLOE_OK) {
            st = floe_opt_service_set_group(o->svc, &def, err);
        }
    }
    if (st != FLOE_OK) {
        server_opt_free(o);
        return st;
    }
    *out = o;
    if (!cfg->opt_enabled) {
        FLOE_LOG_INFO("optimizing", "self-optimizing is off (optimizing.enabled: false)");
        return FLOE_OK;
    }
    recover(o);
    for (size_t i = 0; i < srv->n_catalogs; i++) {
        floe_catalog_add_listener(srv->catalogs[i], on_change, o);
    }
    if (pthread_create(&o->thread, NULL, opt_main, o) != 0) {
        for (size_t i = 0; i < srv->n_catalogs; i++) {
            floe_catalog_remove_listener(srv->catalogs[i], on_change, o);
        }
        *out = NULL;
        server_opt_free(o);
        return floe_err_set(err, FLOE_ERR_INTERNAL, "cannot start the optimizing thread");
    }
    o->running = true;
    return FLOE_OK;
}

void server_opt_stop(server_opt *o)
{
    if (o == NULL || !o->running) {
        return;
    }
    for (size_t i = 0; i < o->srv->n_catalogs; i++) {
        floe_catalog_remove_listener(o->srv->catalogs[i], on_change, o);
    }
    pthread_mutex_lock(&o->mu);
    o->stop = true;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->thread, NULL);
    o->running = false;
}

void server_opt_free(server_opt *o)
{
    if (o == NULL) {
        return;
    }
    server_opt_stop(o);
    for (size_t i = 0; i < o->tables.n; i++) {
        tbl_free(*FLOE_VEC_AT(&o->tables, opt_tbl *, i));
    }
    floe_vec_fini(&o->tables);
    floe_opt_service_free(o->svc);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o);
}

floe_opt_service *server_opt_service(server_opt *o)
{
    return o != NULL ? o->svc : NULL;
}

/* ==== Views ==== */

static json_t *ident_json(const opt_tbl *t)
{
    json_t *ns = json_array();
    for (size_t i = 0; i < t->n_levels; i++) {
        json_array_append_new(ns, json_string(t->levels[i]));
    }
    return ns;
}

json_t *server_opt_tables_json(server_opt *o)
{
    json_t *arr = json_array();
    int64_t now = wall_ms();
    pthread_mutex_lock(&o->mu);
    for (size_t i = 0; i < o->tables.n; i++) {
        const opt_tbl *t = *FLOE_VEC_AT(&o->tables, opt_tbl *, i);
        if (t->gone) {
            continue;
        }
        json_t *e = json_object();
        json_object_set_new(e, "catalog", json_string(t->catalog));
        json_object_set_new(e, "namespace", ident_json(t));
        json_object_set_new(e, "name", json_string(t->tname));
        json_object_set_new(e, "table", json_string(t->name));
        json_object_set_new(e, "status", json_string(floe_opt_status_name(t->rt.status)));
        json_object_set_new(e, "status-since-ms", json_integer(t->rt.status_since_ms));
        json_object_set_new(
            e, "time-in-status-ms",
            json_integer(now > t->rt.status_since_ms ? now - t->rt.status_since_ms : 0));
        json_object_set_new(e, "health-score",
                            t->health_score >= 0 ? json_integer(t->health_score) : json_null());
        json_object_set_new(e, "pending",
                            t->rt.has_pending ? floe_opt_summary_to_json(&t->rt.pending)
                                              : json_null());
        json_object_set_new(e, "last-minor-ms", json_integer(t->rt.last_minor_ms));
        json_object_set_new(e, "last-major-ms", json_integer(t->rt.last_major_ms));
        json_object_set_new(e, "last-full-ms", json_integer(t->rt.last_full_ms));
        json_object_set_new(e, "last-plan-ms", json_integer(t->rt.last_plan_ms));
        json_object_set_new(e, "last-evaluated-ms", json_integer(t->last_eval_ms));
        json_object_set_new(e, "process-id", json_integer(t->rt.process_id));
        json_object_set_new(e, "last-optimized-snapshot-id",
                            json_integer(t->rt.last_optimized_snapshot_id));
        json_object_set_new(e, "runtime", floe_opt_runtime_to_json(&t->rt, now));
        json_array_append_new(arr, e);
    }
    pthread_mutex_unlock(&o->mu);
    json_t *out = json_object();
    json_object_set_new(out, "tables", arr);
    return out;
}

floe_status server_opt_processes_json(server_opt *o, const char *catalog, const floe_ident *id,
                                      json_t **out, floe_err *err)
{
    *out = NULL;
    floe_arena *a = floe_arena_new(OPT_ARENA_MAX);
    const char **rows = NULL;
    size_t n = 0;
    floe_status st = floe_store_opt_process_list(o->srv->store, a, catalog, id, OPT_PROCESSES_LIMIT,
                                                 &rows, &n, err);
    if (st == FLOE_OK) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *pj = json_loads(rows[i], 0, NULL);
            /* The service has the freshest view of a process still running. */
            int64_t pid = json_integer_value(json_object_get(pj, "process-id"));
            json_t *live = floe_opt_service_process_json(o->svc, pid);
            if (live != NULL) {
                json_decref(pj);
                pj = live;
            }
            if (pj != NULL) {
                json_array_append_new(arr, pj);
            }
        }
        *out = json_object();
        json_object_set_new(*out, "processes", arr);
    }
    floe_arena_free(a);
    return st;
}
