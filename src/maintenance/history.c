/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Earlier metadata versions of a table, from its metadata log: the cleanup after an expiration
 * reads them to find what an interrupted earlier run left behind.
 */
#include "mnt_int.h"

#include <string.h>

floe_status floe_mnt_load_history(floe_arena *a, floe_fileio *io, const floe_table_meta *m,
                                  size_t max, const floe_table_meta ***out, size_t *n,
                                  floe_err *err)
{
    const floe_table_meta **v = floe_arena_calloc(a, max + 1, sizeof(*v));
    if (v == NULL) {
        return floe_arena_check(a, err);
    }
    size_t k = 0;
    for (size_t i = m->n_metadata_log; i > 0 && k < max; i--) {
        const char *file = m->metadata_log[i - 1].file;
        floe_table_meta *old = NULL;
        if (file == NULL || floe_iceberg_read_metadata(a, io, file, &old, NULL) != FLOE_OK) {
            if (floe_arena_failed(a)) {
                return floe_arena_check(a, err);
            }
            continue;
        }
        if (old->table_uuid != NULL && m->table_uuid != NULL &&
            strcmp(old->table_uuid, m->table_uuid) != 0) {
            continue;
        }
        if (old->last_sequence_number > m->last_sequence_number) {
            continue;
        }
        v[k++] = old;
    }
    *out = v;
    *n = k;
    return FLOE_OK;
}
