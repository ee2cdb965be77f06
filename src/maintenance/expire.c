/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshot expiration selection (Iceberg spec "Snapshot Retention Policy", the algorithm of
 * Java's RemoveSnapshots): pure, over parsed table metadata, with a clock value from the
 * caller. The result is the commit that expires: requirements that pin every ref as seen, and
 * remove-snapshot-ref / remove-snapshots updates.
 */
#include "mnt_int.h"

#include <stdlib.h>
#include <string.h>

/* ==== Id sets ==== */

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

mnt_idset mnt_idset_make(int64_t *ids, size_t n)
{
    if (n > 1) {
        qsort(ids, n, sizeof(int64_t), i64_cmp);
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w == 0 || ids[w - 1] != ids[i]) {
            ids[w++] = ids[i];
        }
    }
    return (mnt_idset){ids, w};
}

bool mnt_idset_has(const mnt_idset *s, int64_t id)
{
    return s->n > 0 && bsearch(&id, s->ids, s->n, sizeof(int64_t), i64_cmp) != NULL;
}

/* ==== Options ==== */

void floe_mnt_expire_opts_from_props(const floe_mnt_props *p, int64_t now_ms,
                                     floe_mnt_expire_opts *out)
{
    int64_t keep = p->snapshot_keep_ms;
    if (p->has_history_max_snapshot_age && p->history_max_snapshot_age_ms > keep) {
        keep = p->history_max_snapshot_age_ms;
    }
    int32_t retain = p->snapshot_keep_min_count < 1 ? 1 : p->snapshot_keep_min_count;
    if (p->has_history_min_snapshots && p->history_min_snapshots > retain) {
        retain = p->history_min_snapshots;
    }
    *out = (floe_mnt_expire_opts){
        .now_ms = now_ms,
        .older_than_ms = mnt_sat_add(now_ms, -keep),
        .retain_last = retain,
        .max_ref_age_ms = p->has_history_max_ref_age ? p->history_max_ref_age_ms : 0,
    };
}

/* ==== Selection ==== */

/* Snapshots by id: (id, index into m->snapshots) pairs sorted by id. */
typedef struct snap_pos {
    int64_t id;
    size_t i;
} snap_pos;

typedef struct snap_index {
    const floe_table_meta *m;
    snap_pos *order;
} snap_index;

static int snap_pos_cmp(const void *a, const void *b)
{
    int64_t x = ((const snap_pos *)a)->id, y = ((const snap_pos *)b)->id;
    return (x > y) - (x < y);
}

static long find_snap(const snap_index *ix, int64_t id)
{
    snap_pos key = {id, 0};
    const snap_pos *p = ix->m->n_snapshots == 0 ? NULL
                                                : bsearch(&key, ix->order, ix->m->n_snapshots,
                                                          sizeof(snap_pos), snap_pos_cmp);
    return p == NULL ? -1 : (long)p->i;
}

/*
 * Walk a branch's ancestry from `head`, marking snapshots to keep while fewer than `min_keep`
 * are kept or while they are not older than `older_than`, and marking every ancestor as
 * reachable (snapshots a retained branch reaches are not "unreferenced"). Once nothing more is
 * kept, the walk stops at an ancestor an earlier walk already reached. Stops at a missing
 * parent or at a snapshot seen on this walk (a cycle in corrupt metadata).
 */
static void walk_branch(const snap_index *ix, int64_t head, int64_t min_keep, int64_t older_than,
                        bool *keep, bool *reach, uint32_t *seen, uint32_t walk_id)
{
    const floe_table_meta *m = ix->m;
    long i = find_snap(ix, head);
    int64_t kept = 0;
    bool keeping = true;
    for (size_t steps = 0; i >= 0 && steps < m->n_snapshots; steps++) {
        if (seen[i] == walk_id) {
            break;
        }
        seen[i] = walk_id;
        const floe_snapshot *s = &m->snapshots[i];
        if (keeping && (kept < min_keep || s->timestamp_ms >= older_than)) {
            keep[i] = true;
            kept++;
        } else {
            keeping = false;
        }
        if (!keeping && reach[i] && steps > 0) {
            break;
        }
        reach[i] = true;
        if (!s->has_parent) {
            break;
        }
        i = find_snap(ix, s->parent_id);
    }
}

floe_status floe_mnt_expire_select(floe_arena *a, const floe_table_meta *m,
                                   const floe_mnt_expire_opts *o, floe_mnt_expire_plan *out,
                                   floe_err *err)
{
    if (o->retain_last < 1) {
        return floe_err_set(err, FLOE_ERR_INVALID, "retain-last must be at least 1, got %d",
                            (int)o->retain_last);
    }
    memset(out, 0, sizeof(*out));
    size_t ns = m->n_snapshots;
    floe_status st = FLOE_OK;
    snap_index ix = {m, floe_xcalloc(ns + 1, sizeof(snap_pos))};
    bool *keep = floe_xcalloc(ns + 1, sizeof(bool));
    bool *reach = floe_xcalloc(ns + 1, sizeof(bool));
    uint32_t *seen = floe_xcalloc(ns + 1, sizeof(uint32_t));
    bool *drop_ref = floe_xcalloc(m->n_refs + 1, sizeof(bool));
    for (size_t i = 0; i < ns; i++) {
        ix.order[i] = (snap_pos){m->snapshots[i].snapshot_id, i};
    }
    if (ns > 1) {
        qsort(ix.order, ns, sizeof(snap_pos), snap_pos_cmp);
    }

    /* Refs: drop those past their max age (never main), keep the heads of the others. */
    size_t n_drop = 0;
    uint32_t walk_id = 0;
    for (size_t r = 0; r < m->n_refs; r++) {
        const floe_snapshot_ref *ref = &m->refs[r];
        long si = find_snap(&ix, ref->snapshot_id);
        bool is_main = strcmp(ref->name, "main") == 0;
        if (si < 0) {
            continue; /* a dangling ref: the parser refuses these; nothing to keep */
        }
        int64_t max_age = ref->has_max_ref_age_ms ? ref->max_ref_age_ms : o->max_ref_age_ms;
        if (!is_main && max_age > 0 &&
            mnt_sat_add(o->now_ms, -m->snapshots[si].timestamp_ms) > max_age) {
            drop_ref[r] = true;
            n_drop++;
            continue;
        }
        keep[si] = true;
        reach[si] = true;
        if (ref->type == FLOE_REF_BRANCH) {
            int64_t min_keep =
                ref->has_min_snapshots_to_keep ? ref->min_snapshots_to_keep : o->retain_last;
            int64_t older = ref->has_max_snapshot_age_ms
                                ? mnt_sat_add(o->now_ms, -ref->max_snapshot_age_ms)
                                : o->older_than_ms;
            walk_branch(&ix, ref->snapshot_id, min_keep, older, keep, reach, seen, ++walk_id);
        }
    }
    /* The current snapshot stays even if metadata lacks a main ref (old v1 writers). */
    long cur = m->current_snapshot_id >= 0 ? find_snap(&ix, m->current_snapshot_id) : -1;
    if (cur >= 0) {
        keep[cur] = true;
        bool has_main = false;
        for (size_t r = 0; r < m->n_refs; r++) {
            has_main = has_main || strcmp(m->refs[r].name, "main") == 0;
        }
        if (!has_main) {
            walk_branch(&ix, m->current_snapshot_id, o->retain_last, o->older_than_ms, keep, reach,
                        seen, ++walk_id);
        }
    }
    /* Protected snapshots (an optimizing process's base) stay whatever their age. */
    for (size_t i = 0; i < o->n_protected; i++) {
        long si = find_snap(&ix, o->protected_ids[i]);
        if (si >= 0) {
            keep[si] = true;
        }
    }
    /* Snapshots no remaining ref reaches stay while younger than the default age. */
    size_t n_expire = 0;
    for (size_t i = 0; i < ns; i++) {
        if (!reach[i] && m->snapshots[i].timestamp_ms >= o->older_than_ms) {
            keep[i] = true;
        }
        n_expire += keep[i] ? 0 : 1;
    }

    int64_t *ids = floe_arena_calloc(a, n_expire + 1, sizeof(int64_t));
    const char **drops = floe_arena_calloc(a, n_drop + 1, sizeof(char *));
    floe_ice_requirement *reqs = floe_arena_calloc(a, m->n_refs + 1, sizeof(*reqs));
    floe_ice_update *ups = floe_arena_calloc(a, n_drop + 1, sizeof(*ups));
    if (ids == NULL || drops == NULL || reqs == NULL || ups == NULL) {
        st = floe_arena_check(a, err);
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < ns; i++) {
        if (!keep[i]) {
            ids[k++] = m->snapshots[i].snapshot_id;
        }
    }
    mnt_idset_make(ids, n_expire);
    size_t nr = 0, nu = 0, nd = 0;
    if (m->table_uuid != NULL) {
        reqs[nr++] =
            (floe_ice_requirement){.kind = FLOE_ICE_REQ_ASSERT_TABLE_UUID, .uuid = m->table_uuid};
    }
    for (size_t r = 0; r < m->n_refs; r++) {
        reqs[nr++] = (floe_ice_requirement){.kind = FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID,
                                            .ref = m->refs[r].name,
                                            .has_snapshot_id = true,
                                            .snapshot_id = m->refs[r].snapshot_id};
        if (drop_ref[r]) {
            drops[nd++] = m->refs[r].name;
            ups[nu++] = (floe_ice_update){.kind = FLOE_ICE_UP_REMOVE_SNAPSHOT_REF,
                                          .ref_name = m->refs[r].name};
        }
    }
    if (n_expire > 0) {
        ups[nu++] = (floe_ice_update){
            .kind = FLOE_ICE_UP_REMOVE_SNAPSHOTS, .snapshot_ids = ids, .n_snapshot_ids = n_expire};
    }
    out->expire_ids = ids;
    out->n_expire = n_expire;
    out->drop_refs = drops;
    out->n_drop_refs = nd;
    out->n_retained = ns - n_expire;
    out->reqs = reqs;
    out->n_reqs = nr;
    out->updates = ups;
    out->n_updates = nu;
done:
    free(ix.order);
    free(keep);
    free(reach);
    free(seen);
    free(drop_ref);
    return st;
}
