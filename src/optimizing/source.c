/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manifest-backed input source: one pass is one streaming scan plan of the snapshot
 * (floe_scan_plan reads the delete manifests into an index, then the data manifests entry by
 * entry), each scan task becoming one floe_opt_input with its applicable delete files.
 */
#include "opt_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct visit_state {
    floe_opt_manifest_source *ms;
    floe_opt_visit_fn visit;
    void *visit_ud;
    floe_manifest_entry *dels; /* scratch, grown as needed */
    const floe_manifest_entry **del_ptrs;
    size_t cap;
} visit_state;

static floe_status on_task(void *ud, const floe_scan_task *t, floe_err *err)
{
    visit_state *vs = ud;
    if (t->n_deletes > vs->cap) {
        size_t cap = t->n_deletes * 2;
        vs->dels = floe_xrealloc(vs->dels, cap * sizeof(*vs->dels));
        vs->del_ptrs = floe_xrealloc(vs->del_ptrs, cap * sizeof(*vs->del_ptrs));
        vs->cap = cap;
    }
    for (size_t i = 0; i < t->n_deletes; i++) {
        vs->dels[i] = (floe_manifest_entry){
            .status = FLOE_ENTRY_EXISTING,
            .has_sequence_number = true,
            .sequence_number = t->delete_sequence_numbers[i],
            .file = *t->deletes[i],
        };
        vs->del_ptrs[i] = &vs->dels[i];
    }
    floe_manifest_entry data = {
        .status = FLOE_ENTRY_EXISTING,
        .has_snapshot_id = true,
        .snapshot_id = t->snapshot_id,
        .has_sequence_number = true,
        .sequence_number = t->data_sequence_number,
        .has_file_sequence_number = true,
        .file_sequence_number = t->file_sequence_number,
        .file = *t->file,
    };
    floe_opt_input in = {.data = &data, .deletes = vs->del_ptrs, .n_deletes = t->n_deletes};
    vs->ms->files++;
    return vs->visit(vs->visit_ud, &in, err);
}

static floe_status manifest_scan(void *ud, floe_opt_visit_fn visit, void *visit_ud, floe_err *err)
{
    floe_opt_manifest_source *ms = ud;
    visit_state vs = {.ms = ms, .visit = visit, .visit_ud = visit_ud};
    floe_scan_opts so = {
        .has_snapshot_id = true,
        .snapshot_id = ms->snapshot_id,
        /* The evaluator reads sizes, counts and partitions; bounds only matter for a filter,
         * which the planner re-checks through the metrics it keeps. */
        .index_max = ms->index_max,
    };
    ms->passes++;
    floe_status st = floe_scan_plan(ms->io, ms->meta, &so, on_task, &vs, &ms->stats, err);
    free(vs.dels);
    free(vs.del_ptrs);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "snapshot %lld", (long long)ms->snapshot_id);
    }
    return FLOE_OK;
}

void floe_opt_manifest_source_init(floe_opt_manifest_source *ms, floe_opt_source *out)
{
    ms->files = 0;
    ms->passes = 0;
    memset(&ms->stats, 0, sizeof(ms->stats));
    *out = (floe_opt_source){.scan = manifest_scan, .ud = ms};
}
