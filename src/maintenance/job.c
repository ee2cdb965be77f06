/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jobs: one maintenance action end to end on a table behind a floe_ice_catalog (the server's
 * catalog, or a filesystem table). A job loads the table, reads its properties over the
 * catalog's defaults, decides, commits through the catalog, loads the committed metadata again
 * and only then deletes. The order is the safety argument of the module
 * (docs/internals/maintenance.md): a file is deleted only when metadata that no longer
 * references it has been committed and read back.
 */
#include "mnt_int.h"

#include <string.h>

#define JOB_HISTORY_DEFAULT 10
#define JOB_ATTEMPTS_DEFAULT 3

floe_status floe_mnt_props_layered(floe_arena *a, const floe_kv *defaults, size_t n_defaults,
                                   const floe_kv *props, size_t n_props, floe_mnt_props *out,
                                   floe_err *err)
{
    floe_kv *kv = floe_arena_calloc(a, n_defaults + n_props + 1, sizeof(*kv));
    if (kv == NULL) {
        return floe_arena_check(a, err);
    }
    size_t n = 0;
    for (size_t i = 0; i < n_defaults; i++) {
        bool overridden = false;
        for (size_t j = 0; j < n_props && !overridden; j++) {
            overridden = props[j].key != NULL && defaults[i].key != NULL &&
                         strcmp(props[j].key, defaults[i].key) == 0;
        }
        if (!overridden) {
            kv[n++] = defaults[i];
        }
    }
    for (size_t j = 0; j < n_props; j++) {
        kv[n++] = props[j];
    }
    return floe_mnt_props_parse(kv, n, out, err);
}

/* ==== Shared steps ==== */

typedef struct job {
    floe_arena *a;
    floe_ice_catalog *cat;
    const floe_mnt_job_opts *o;
    floe_mnt_run *run;
    floe_table_meta *m;
    floe_mnt_props props;
    floe_mnt_fileio_source rsrc;
    floe_mnt_manifest_source src;
} job;

static floe_status job_load(job *j, floe_err *err)
{
    floe_status st = j->cat->ops->load(j->cat->ctx, j->a, &j->m, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "load table");
    }
    st = floe_mnt_props_layered(j->a, j->o->defaults, j->o->n_defaults, j->m->properties,
                                j->m->n_properties, &j->props, err);
    return st;
}

static floe_status delete_listed(job *j, const floe_mnt_file_list *l, floe_err *err)
{
    j->run->files_listed = l->n;
    floe_mnt_file_list *copy = floe_arena_calloc(j->a, 1, sizeof(*copy));
    if (copy == NULL) {
        return floe_arena_check(j->a, err);
    }
    *copy = *l;
    j->run->files = copy;
    floe_mnt_delete_opts d = j->o->del;
    d.dry_run = j->o->dry_run;
    return floe_mnt_delete_files(j->cat->io, l, &d, &j->run->deleted, err);
}

/* ==== Snapshot expiration ==== */

static floe_status run_expire(job *j, floe_err *err)
{
    int attempts = j->o->commit_attempts > 0 ? j->o->commit_attempts : JOB_ATTEMPTS_DEFAULT;
    floe_mnt_expire_plan p;
    floe_table_meta *committed = NULL;
    floe_status st = FLOE_OK;
    for (int attempt = 1;; attempt++) {
        floe_mnt_expire_opts eo;
        floe_mnt_expire_opts_from_props(&j->props, j->o->now_ms, &eo);
        if (j->o->has_older_than || j->o->older_than_ms > 0) {
            eo.older_than_ms = j->o->now_ms - j->o->older_than_ms;
        }
        if (j->o->retain_last > 0) {
            eo.retain_last = j->o->retain_last;
        }
        eo.protected_ids = j->o->protected_ids;
        eo.n_protected = j->o->n_protected;
        st = floe_mnt_expire_select(j->a, j->m, &eo, &p, err);
        if (st != FLOE_OK) {
            return st;
        }
        if (p.n_updates == 0) {
            committed = j->m; /* nothing to commit; still finish what earlier runs left */
            break;
        }
        if (j->o->dry_run) {
            floe_ice_apply_opts ao = {.now_ms = j->o->now_ms};
            st = floe_ice_updates_apply(j->a, j->m, p.updates, p.n_updates, &ao, &committed, NULL,
                                        err);
            if (st == FLOE_OK) {
                committed->metadata_location = j->m->metadata_location;
            }
            break;
        }
        /* The requirements pin every ref as the plan saw it: a writer that moved one makes
         * this fail, and the plan is made again from what it committed. */
        st = j->cat->ops->commit(j->cat->ctx, j->a, p.reqs, p.n_reqs, p.updates, p.n_updates, NULL,
                                 err);
        if (st == FLOE_OK) {
            /* Durable: clean up from what a reader loads now. */
            st = j->cat->ops->load(j->cat->ctx, j->a, &committed, err);
            if (st == FLOE_OK) {
                j->run->committed_metadata = committed->metadata_location;
            }
            break;
        }
        if (st != FLOE_ERR_CONFLICT || attempt >= attempts) {
            return floe_err_wrap(err, "commit remove-snapshots");
        }
        floe_err_clear(err);
        st = job_load(j, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (st != FLOE_OK) {
        return st;
    }
    j->run->snapshots_expired = p.n_expire;
    j->run->refs_removed = p.n_drop_refs;
    j->run->expired_ids = p.expire_ids;
    j->run->dropped_refs = p.drop_refs;
    j->run->base_metadata = j->m->metadata_location;
    size_t max_hist = j->o->history_versions > 0 ? j->o->history_versions : JOB_HISTORY_DEFAULT;
    const floe_table_meta **history = NULL;
    size_t n_history = 0;
    st = floe_mnt_load_history(j->a, j->cat->io, j->m, max_hist, &history, &n_history, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_table_meta **befores = floe_arena_calloc(j->a, n_history + 1, sizeof(*befores));
    if (befores == NULL) {
        return floe_arena_check(j->a, err);
    }
    befores[0] = j->m;
    for (size_t i = 0; i < n_history; i++) {
        befores[i + 1] = history[i];
    }
    floe_mnt_file_list l = {0};
    st = floe_mnt_expired_files_since(j->a, befores, n_history + 1, committed, &j->src, &l, err);
    if (st != FLOE_OK) {
        return st;
    }
    return delete_listed(j, &l, err);
}

/* ==== Orphan files ==== */

static floe_status run_orphans(job *j, floe_err *err)
{
    bool given = j->o->has_older_than || j->o->older_than_ms > 0;
    int64_t age_ms = given ? j->o->older_than_ms : j->props.orphan_min_age_ms;
    floe_mnt_orphan_opts oo = {.older_than_us = mnt_sat_mul(j->o->now_ms - age_ms, MNT_US_PER_MS)};
    floe_mnt_file_list l;
    floe_status st = floe_mnt_orphan_files(j->a, j->cat->io, j->m, &j->src, &oo, &l, err);
    if (st == FLOE_OK) {
        st = delete_listed(j, &l, err);
    }
    if (st != FLOE_OK || j->o->dry_run) {
        return st;
    }
    const char *const *locs;
    size_t n;
    st = floe_mnt_table_locations(j->a, j->m, &locs, &n, err);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        size_t removed = 0;
        st = floe_io_remove_empty_dirs(j->cat->io, locs[i], &removed, err);
        if (st == FLOE_ERR_NOT_FOUND) {
            floe_err_clear(err);
            st = FLOE_OK;
        }
        j->run->dirs_removed += removed;
    }
    return st;
}

/* ==== Commits that remove files: dangling deletes, data expiration ==== */

/*
 * Commit an operation removing `paths` from main, validated from the snapshot the decision was
 * made on. floe_ice_op_commit reloads and re-applies after a lost swap; a file that is no
 * longer live then fails the commit (FLOE_ERR_CONFLICT) and the next run decides again.
 */
static floe_status commit_removal(job *j, floe_ice_op_kind kind, const char *producer,
                                  const char *const *paths, size_t n, floe_err *err)
{
    j->run->files_removed = n;
    if (n == 0 || j->o->dry_run) {
        return FLOE_OK;
    }
    floe_ice_op *op = floe_ice_op_new(kind);
    floe_status st = FLOE_OK;
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        st = floe_ice_op_remove_file(op, paths[i], err);
    }
    floe_ice_op_set_summary(op, "snapshot-producer", producer);
    floe_table_meta *after = NULL;
    if (st == FLOE_OK) {
        st = floe_ice_op_commit(op, j->a, j->cat, &after, err);
    }
    floe_ice_op_free(op);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "commit removing %zu file(s)", n);
    }
    j->run->base_metadata = j->m->metadata_location;
    j->run->committed_metadata = after != NULL ? after->metadata_location : NULL;
    if (after != NULL) {
        j->run->snapshot_id = after->current_snapshot_id;
    }
    return FLOE_OK;
}

static floe_status run_dangling(job *j, floe_err *err)
{
    floe_mnt_file_list l;
    floe_status st = floe_mnt_dangling_deletes(j->a, j->cat->io, j->m, &l, err);
    if (st != FLOE_OK) {
        return st;
    }
    j->run->files_listed = l.n;
    const char **paths = floe_arena_calloc(j->a, l.n + 1, sizeof(*paths));
    if (paths == NULL) {
        return floe_arena_check(j->a, err);
    }
    for (size_t i = 0; i < l.n; i++) {
        paths[i] = l.files[i].location;
    }
    return commit_removal(j, FLOE_ICE_OP_REWRITE, "CLEAN_DANGLING_DELETE", paths, l.n, err);
}

/* Live data and delete files of `snap`, with their metrics (TTL reads the bounds). */
static floe_status live_files(job *j, const floe_snapshot *snap, floe_vec *out, floe_err *err)
{
    const floe_manifest_file *mfs = NULL;
    size_t n = 0;
    floe_status st = floe_snapshot_manifests(j->a, j->cat->io, j->m, snap, &mfs, &n, err);
    for (size_t i = 0; i < n && st == FLOE_OK; i++) {
        floe_manifest_read_opts ro = {
            .meta = j->m, .manifest = &mfs[i], .skip = FLOE_MANIFEST_SKIP_COLUMN_SIZES};
        floe_manifest_reader *r = NULL;
        st = floe_manifest_reader_open(j->cat->io, mfs[i].manifest_path, &ro, &r, err);
        for (bool got = true; st == FLOE_OK && got;) {
            floe_manifest_entry e;
            st = floe_manifest_reader_next(r, j->a, &e, &got, err);
            if (st == FLOE_OK && got && e.status != FLOE_ENTRY_DELETED) {
                /* A deep copy: the partition tuple's names belong to the reader. */
                floe_data_file *f = floe_arena_calloc(j->a, 1, sizeof(*f));
                st = f == NULL ? floe_arena_check(j->a, err)
                               : floe_data_file_dup(j->a, &e.file, f, err);
                if (st == FLOE_OK) {
                    floe_vec_push_copy(out, &f);
                }
            }
        }
        floe_manifest_reader_close(r);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "manifest %s", mfs[i].manifest_path);
        }
    }
    return st;
}

static floe_status run_expire_data(job *j, floe_err *err)
{
    const floe_snapshot *snap = floe_table_meta_current_snapshot(j->m);
    if (snap == NULL) {
        return FLOE_OK;
    }
    floe_mnt_ttl t;
    floe_status st = floe_mnt_ttl_prepare(j->a, j->m, &j->props, j->o->now_ms, &t, err);
    if (st != FLOE_OK) {
        return st;
    }
    floe_vec files;
    floe_vec_init(&files, sizeof(floe_data_file *));
    st = live_files(j, snap, &files, err);
    size_t *idx = NULL;
    size_t n_idx = 0;
    if (st == FLOE_OK) {
        st = floe_mnt_ttl_plan(j->a, &t, j->m, (const floe_data_file *const *)files.data, files.n,
                               &idx, &n_idx, err);
    }
    const char **paths = NULL;
    if (st == FLOE_OK) {
        paths = floe_arena_calloc(j->a, n_idx + 1, sizeof(*paths));
        if (paths == NULL) {
            st = floe_arena_check(j->a, err);
        }
    }
    for (size_t i = 0; st == FLOE_OK && i < n_idx; i++) {
        paths[i] = (*FLOE_VEC_AT(&files, floe_data_file *, idx[i]))->file_path;
    }
    floe_vec_fini(&files);
    if (st != FLOE_OK) {
        return st;
    }
    j->run->files_listed = n_idx;
    return commit_removal(j, FLOE_ICE_OP_DELETE_FILES, "DATA_EXPIRATION", paths, n_idx, err);
}

/* ==== Automatic tags ==== */

static floe_status run_tag(job *j, floe_err *err)
{
    int attempts = j->o->commit_attempts > 0 ? j->o->commit_attempts : JOB_ATTEMPTS_DEFAULT;
    for (int attempt = 1;; attempt++) {
        floe_mnt_tag_opts to;
        floe_status st = floe_mnt_tag_opts_from_props(j->a, &j->props, j->o->now_ms, &to, err);
        floe_mnt_tag_decision d;
        if (st == FLOE_OK) {
            st = floe_mnt_tag_decide(j->a, j->m, &to, &d, err);
        }
        if (st != FLOE_OK) {
            return st;
        }
        if (!d.due) {
            j->run->skipped = d.reason != NULL ? d.reason : "no tag due";
            return FLOE_OK;
        }
        j->run->tag_name = d.name;
        j->run->snapshot_id = d.snapshot_id;
        if (j->o->dry_run) {
            return FLOE_OK;
        }
        st = j->cat->ops->commit(j->cat->ctx, j->a, &d.req, 1, &d.update, 1, NULL, err);
        if (st == FLOE_OK || st != FLOE_ERR_CONFLICT || attempt >= attempts) {
            return st == FLOE_OK ? FLOE_OK : floe_err_wrap(err, "commit tag %s", d.name);
        }
        floe_err_clear(err);
        st = job_load(j, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
}

/* ==== Entry ==== */

/* Why the action does not run with these properties; NULL when it does. */
static const char *switched_off(const job *j, floe_mnt_action action)
{
    const floe_mnt_props *p = &j->props;
    bool deletes = action != FLOE_MNT_AUTO_TAG;
    if (deletes && !p->gc_enabled && !j->o->dry_run) {
        return "gc.enabled is false";
    }
    if (j->o->ignore_switch) {
        return NULL;
    }
    switch (action) {
    case FLOE_MNT_EXPIRE_SNAPSHOTS:
        return p->expire_enabled ? NULL : "table-expire.enabled is false";
    case FLOE_MNT_CLEAN_ORPHANS:
        return p->orphan_enabled ? NULL : "clean-orphan-file.enabled is false";
    case FLOE_MNT_CLEAN_DANGLING_DELETES:
        return p->dangling_delete_enabled ? NULL : "clean-dangling-delete-files.enabled is false";
    case FLOE_MNT_EXPIRE_DATA:
        return p->data_expire_enabled ? NULL : "data-expire.enabled is false";
    case FLOE_MNT_AUTO_TAG:
        return p->tag_enabled ? NULL : "tag.auto-create.enabled is false";
    default:
        return "unknown action";
    }
}

floe_status floe_mnt_job_run(floe_arena *a, floe_ice_catalog *cat, floe_mnt_action action,
                             const floe_mnt_job_opts *o, floe_mnt_run *run, floe_err *err)
{
    int64_t t0 = floe_time_mono_us();
    run->action = action;
    run->started_ms = floe_time_now_us() / 1000;
    run->dry_run = o->dry_run;
    job j = {.a = a, .cat = cat, .o = o, .run = run};
    j.rsrc = (floe_mnt_fileio_source){cat->io, FLOE_MANIFEST_SKIP_STATS};
    floe_mnt_fileio_source_init(&j.rsrc, &j.src);
    floe_status st = job_load(&j, err);
    if (st == FLOE_OK && (unsigned)action >= FLOE_MNT_ACTION_COUNT) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "unknown maintenance action %d", (int)action);
    }
    if (st == FLOE_OK) {
        run->skipped = switched_off(&j, action);
    }
    if (st == FLOE_OK && run->skipped == NULL) {
        switch (action) {
        case FLOE_MNT_EXPIRE_SNAPSHOTS:
            st = run_expire(&j, err);
            break;
        case FLOE_MNT_CLEAN_ORPHANS:
            st = run_orphans(&j, err);
            break;
        case FLOE_MNT_CLEAN_DANGLING_DELETES:
            st = run_dangling(&j, err);
            break;
        case FLOE_MNT_EXPIRE_DATA:
            st = run_expire_data(&j, err);
            break;
        default:
            st = run_tag(&j, err);
            break;
        }
    }
    run->duration_ms = (floe_time_mono_us() - t0) / 1000;
    run->status = st;
    run->error = st != FLOE_OK ? floe_arena_strdup(a, err->msg) : NULL;
    return st;
}
