/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The position-delete file writer (spec "Position Delete Files"): (file_path, pos) pairs are
 * buffered, sorted by path then position and deduplicated, and written through the data file
 * writer with the reserved schema {2147483546 file_path: required string, 2147483545 pos:
 * required long}, full metrics for both columns (so readers can tell which data files a delete
 * file covers from its bounds), no sort order id, and referenced_data_file when every pair
 * names one data file. Equality deletes need no writer of their own: floe_ice_writer_new with
 * content EQUALITY_DELETES and equality_ids writes them.
 */
#include "rows_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ice_int.h"

#define DEFAULT_MAX_POSITIONS ((size_t)16 << 20)

typedef struct pd_pair {
    const char *path; /* interned in the writer's arena */
    int64_t pos;
} pd_pair;

struct floe_ice_posdel_writer {
    floe_fileio *io;
    floe_ice_posdel_opts opts;
    floe_arena *arena;
    floe_map *paths; /* path -> interned copy */
    floe_vec pairs;
    size_t max;
};

floe_status floe_ice_posdel_writer_new(floe_fileio *io, const floe_ice_posdel_opts *opts,
                                       floe_ice_posdel_writer **out, floe_err *err)
{
    *out = NULL;
    if (opts == NULL || opts->table == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "position delete writer needs table metadata");
    }
    floe_ice_posdel_writer *w = floe_xcalloc(1, sizeof(*w));
    w->io = io;
    w->opts = *opts;
    w->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    w->paths = floe_map_new(NULL);
    floe_vec_init(&w->pairs, sizeof(pd_pair));
    w->max = opts->max_positions != 0 ? opts->max_positions : DEFAULT_MAX_POSITIONS;
    *out = w;
    return FLOE_OK;
}

floe_status floe_ice_posdel_writer_add(floe_ice_posdel_writer *w, const char *data_file_path,
                                       int64_t pos, floe_err *err)
{
    if (pos < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "negative position %" PRId64, pos);
    }
    if (w->pairs.n >= w->max) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "position delete writer holds %zu positions (the limit)", w->max);
    }
    const char *p = floe_map_get_s(w->paths, data_file_path);
    if (p == NULL) {
        p = floe_arena_strdup(w->arena, data_file_path);
        if (p == NULL) {
            return ice_nomem(w->arena, err);
        }
        floe_map_put_s(w->paths, data_file_path, (void *)p);
    }
    pd_pair *e = floe_vec_push(&w->pairs);
    e->path = p;
    e->pos = pos;
    return FLOE_OK;
}

static int pair_cmp(const void *pa, const void *pb)
{
    const pd_pair *a = pa, *b = pb;
    if (a->path != b->path) {
        int c = strcmp(a->path, b->path);
        if (c != 0) {
            return c;
        }
    }
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The reserved position-delete schema. */
static floe_status posdel_schema(floe_arena *a, const floe_ice_schema **out, floe_err *err)
{
    floe_ice_field *f = floe_arena_calloc(a, 2, sizeof(*f));
    if (f == NULL) {
        return ice_nomem(a, err);
    }
    f[0] = (floe_ice_field){.id = FLOE_ICE_POS_DELETE_PATH_ID,
                            .name = "file_path",
                            .required = true,
                            .type = floe_ice_type_get(FLOE_ICE_STRING)};
    f[1] = (floe_ice_field){.id = FLOE_ICE_POS_DELETE_POS_ID,
                            .name = "pos",
                            .required = true,
                            .type = floe_ice_type_get(FLOE_ICE_LONG)};
    floe_ice_type *root = ice_struct_type(a, f, 2);
    if (root == NULL) {
        return ice_nomem(a, err);
    }
    return floe_ice_schema_new(a, 0, root, NULL, 0, out, err);
}

floe_status floe_ice_posdel_writer_close(floe_ice_posdel_writer *w, floe_arena *a,
                                         const floe_data_file **out, floe_err *err)
{
    *out = NULL;
    if (w->pairs.n == 0) {
        return FLOE_OK;
    }
    floe_vec_sort(&w->pairs, pair_cmp);
    const floe_ice_schema *schema;
    floe_status st = posdel_schema(w->arena, &schema, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_partition_spec *spec =
        w->opts.spec != NULL ? w->opts.spec : floe_table_meta_default_spec(w->opts.table);
    if (spec == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "table has no default spec");
    }
    /* The partition spec's source columns are not in the delete schema: the tuple is given. */
    floe_value empty = {.kind = FLOE_V_STRUCT};
    const floe_value *part = w->opts.partition != NULL ? w->opts.partition : &empty;
    if (part->kind != FLOE_V_STRUCT || part->u.nested.n != spec->n_fields) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "position deletes need the partition tuple of spec %d", spec->spec_id);
    }
    /* The data writer validates its spec against its schema; the delete schema holds none of
     * the source columns, so write with an unpartitioned copy and restore the spec after. */
    floe_partition_spec unpart = {.spec_id = spec->spec_id, .fields = NULL, .n_fields = 0};
    floe_value no_part = {.kind = FLOE_V_STRUCT};
    floe_ice_write_opts o = {.table = w->opts.table,
                             .schema = schema,
                             .spec = &unpart,
                             .partition = &no_part,
                             .data_location = w->opts.data_location,
                             .target_file_size = UINT64_MAX};
    rows_wextra x = {
        .content = FLOE_CONTENT_POSITION_DELETES, .full_metrics = true, .suffix = "-deletes"};
    floe_ice_writer *dw = NULL;
    floe_buf dir;
    floe_buf_init(&dir, 0);
    if (spec->n_fields > 0) {
        /* Files go under the data files' partition path. */
        const floe_ice_schema *ts = floe_table_meta_current_schema(w->opts.table);
        const char *base = w->opts.data_location;
        char *owned = NULL;
        if (base == NULL) {
            const char *dp = floe_table_meta_property(w->opts.table, "write.data.path");
            owned = dp != NULL ? floe_xstrdup(dp) : floe_io_join(w->opts.table->location, "data");
            base = owned;
        }
        st = floe_buf_printf(&dir, err, "%s/", base);
        free(owned);
        if (st == FLOE_OK) {
            st = floe_partition_path(spec, ts, part, &dir, err);
        }
        if (st != FLOE_OK) {
            floe_buf_fini(&dir);
            return floe_err_wrap(err, "position delete file name");
        }
        o.data_location = floe_buf_cstr(&dir);
    }
    st = rows_writer_new(w->io, &o, &x, &dw, err);
    floe_value items[2];
    floe_value row = {.kind = FLOE_V_STRUCT};
    row.u.nested.items = items;
    row.u.nested.n = 2;
    const pd_pair *prev = NULL;
    for (size_t i = 0; st == FLOE_OK && i < w->pairs.n; i++) {
        const pd_pair *e = FLOE_VEC_AT(&w->pairs, pd_pair, i);
        if (prev != NULL && prev->path == e->path && prev->pos == e->pos) {
            continue; /* duplicates */
        }
        prev = e;
        items[0] = floe_value_string(e->path, strlen(e->path));
        items[1] = floe_value_long(e->pos);
        st = floe_ice_writer_write_row(dw, &row, err);
    }
    const floe_data_file *files = NULL;
    size_t n = 0;
    if (st == FLOE_OK) {
        st = floe_ice_writer_close(dw, a, &files, &n, err);
    }
    floe_buf_fini(&dir);
    if (st == FLOE_OK && n != 1) {
        st = floe_err_set(err, FLOE_ERR_INTERNAL, "position delete writer wrote %zu files", n);
    }
    floe_ice_writer_free(dw);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "position delete file");
    }
    floe_data_file *df = (floe_data_file *)&files[0];
    df->spec_id = spec->spec_id;
    if (!rows_value_dup(a, part, &df->partition)) {
        return ice_nomem(a, err);
    }
    const pd_pair *first = FLOE_VEC_AT(&w->pairs, pd_pair, 0);
    const pd_pair *last = FLOE_VEC_AT(&w->pairs, pd_pair, w->pairs.n - 1);
    if (first->path == last->path) {
        df->referenced_data_file = floe_arena_strdup(a, first->path);
        if (df->referenced_data_file == NULL) {
            return ice_nomem(a, err);
        }
    }
    *out = df;
    return FLOE_OK;
}

void floe_ice_posdel_writer_free(floe_ice_posdel_writer *w)
{
    if (w == NULL) {
        return;
    }
    floe_vec_fini(&w->pairs);
    floe_map_free(w->paths);
    floe_arena_free(w->arena);
    free(w);
}
