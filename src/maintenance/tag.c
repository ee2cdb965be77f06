/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Automatic tags: one tag per daily, hourly or monthly period, named by Amoro's tag format and
 * pointing at the state of main at the end of the period. Periods are computed in UTC.
 *
 * Amoro computes the same period and name (the period containing now - offset starts at the
 * boundary; the tag is named after the period before it) but points the tag at the first
 * snapshot committed at or after boundary + offset. floe points it at the snapshot main was on
 * just before the boundary, which is exactly the table as of the end of the period; the offset
 * then only delays creation (giving commits stamped before the boundary time to land), and the
 * max delay bounds how late a tag may still be created.
 */
#include "mnt_int.h"

#include <string.h>

#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)

floe_status floe_mnt_tag_opts_from_props(floe_arena *a, const floe_mnt_props *p, int64_t now_ms,
                                         floe_mnt_tag_opts *out, floe_err *err)
{
    const floe_mnt_pattern *fmt = NULL;
    floe_status st = floe_mnt_pattern_compile(a, p->tag_format, &fmt, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "tag.auto-create.tag-format");
    }
    *out = (floe_mnt_tag_opts){
        .now_ms = now_ms,
        .period = p->tag_period,
        .offset_minutes = p->tag_offset_minutes,
        .max_delay_minutes = p->tag_max_delay_min,
        .format = fmt,
        .max_age_ms = p->tag_max_age_ms,
    };
    return FLOE_OK;
}

/* Start of the period holding `ms`, and of the period `delta` periods away from that. */
static int64_t period_start(floe_mnt_period p, int64_t ms, int delta)
{
    switch (p) {
    case FLOE_MNT_PERIOD_HOURLY:
        return (mnt_floor_div(ms, MS_PER_HOUR) + delta) * MS_PER_HOUR;
    case FLOE_MNT_PERIOD_MONTHLY:
        return mnt_add_months_start(mnt_sat_mul(ms, MNT_US_PER_MS), delta) / MNT_US_PER_MS;
    case FLOE_MNT_PERIOD_DAILY:
    default:
        return (mnt_floor_div(ms, MS_PER_DAY) + delta) * MS_PER_DAY;
    }
}

/* The snapshot main pointed at just before `boundary_ms`; -1 when unknown. */
static int64_t snapshot_before(const floe_table_meta *m, int64_t boundary_ms)
{
    if (m->n_snapshot_log > 0) {
        int64_t id = -1;
        for (size_t i = 0; i < m->n_snapshot_log; i++) {
            if (m->snapshot_log[i].timestamp_ms < boundary_ms) {
                id = m->snapshot_log[i].snapshot_id;
            }
        }
        return id;
    }
    const floe_snapshot *s = floe_table_meta_current_snapshot(m);
    for (size_t steps = 0; s != NULL && steps < m->n_snapshots; steps++) {
        if (s->timestamp_ms < boundary_ms) {
            return s->snapshot_id;
        }
        s = s->has_parent ? floe_table_meta_snapshot(m, s->parent_id) : NULL;
    }
    return -1;
}

floe_status floe_mnt_tag_decide(floe_arena *a, const floe_table_meta *m, const floe_mnt_tag_opts *o,
                                floe_mnt_tag_decision *out, floe_err *err)
{
    memset(out, 0, sizeof(*out));
    out->snapshot_id = -1;
    if (o->format == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "no tag format");
    }
    if (o->offset_minutes < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "negative tag trigger offset");
    }
    int64_t offset_ms = (int64_t)o->offset_minutes * 60000;
    int64_t boundary = period_start(o->period, o->now_ms - offset_ms, 0);
    int64_t tagged = period_start(o->period, boundary, -1);
    floe_buf name;
    floe_buf_init(&name, 4096);
    floe_status st =
        floe_mnt_pattern_format(o->format, mnt_sat_mul(tagged, MNT_US_PER_MS), &name, err);
    if (st == FLOE_OK && name.len == 0) {
        st = floe_err_set(err, FLOE_ERR_INVALID, "tag format gives an empty name");
    }
    out->name = st == FLOE_OK ? floe_arena_strdup(a, floe_buf_cstr(&name)) : NULL;
    floe_buf_fini(&name);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "tag name");
    }
    if (out->name == NULL) {
        return floe_arena_check(a, err);
    }
    out->boundary_ms = boundary;
    out->trigger_ms = boundary + offset_ms;

    const floe_snapshot_ref *ref = floe_table_meta_ref(m, out->name);
    if (ref != NULL && ref->type == FLOE_REF_BRANCH) {
        return floe_err_set(err, FLOE_ERR_INVALID, "automatic tag name '%s' is taken by a branch",
                            out->name);
    }
    if (ref != NULL) {
        out->reason = "tag exists";
        return FLOE_OK;
    }
    if (o->max_delay_minutes > 0 &&
        o->now_ms > out->trigger_ms + (int64_t)o->max_delay_minutes * 60000) {
        out->reason = "past the maximum delay";
        return FLOE_OK;
    }
    int64_t id = snapshot_before(m, boundary);
    if (id < 0) {
        out->reason = "no snapshot before the period boundary";
        return FLOE_OK;
    }
    if (floe_table_meta_snapshot(m, id) == NULL) {
        out->reason = "the snapshot at the period boundary has expired";
        return FLOE_OK;
    }
    out->due = true;
    out->snapshot_id = id;
    out->update = (floe_ice_update){
        .kind = FLOE_ICE_UP_SET_SNAPSHOT_REF,
        .ref = {.name = out->name, .snapshot_id = id, .type = FLOE_REF_TAG},
    };
    if (o->max_age_ms > 0) {
        out->update.ref.has_max_ref_age_ms = true;
        out->update.ref.max_ref_age_ms = o->max_age_ms;
    }
    out->req = (floe_ice_requirement){
        .kind = FLOE_ICE_REQ_ASSERT_REF_SNAPSHOT_ID, .ref = out->name, .has_snapshot_id = false};
    return FLOE_OK;
}
