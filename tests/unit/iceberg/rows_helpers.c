/* SPDX-License-Identifier: Apache-2.0 */
#include "rows_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

floe_table_meta *rows_test_table(floe_test_ctx *t, const char *name, const char *schema_json,
                                 const char *spec_json, const char *order_json,
                                 const char *const *props, size_t n_props)
{
    floe_err err = {0};
    const floe_ice_schema *s = ice_test_schema(t->arena, schema_json);
    const floe_partition_spec *spec = NULL;
    const floe_sort_order *order = NULL;
    if (spec_json != NULL) {
        json_t *j = ice_test_json(spec_json);
        FLOE_ASSERT_OK(floe_partition_spec_from_json(t->arena, j, false, 0, &spec, &err), &err);
        json_decref(j);
    }
    if (order_json != NULL) {
        json_t *j = ice_test_json(order_json);
        FLOE_ASSERT_OK(floe_sort_order_from_json(t->arena, j, &order, &err), &err);
        json_decref(j);
    }
    floe_kv *kv = floe_arena_calloc(t->arena, n_props + 1, sizeof(floe_kv));
    for (size_t i = 0; i < n_props; i++) {
        const char *eq = strchr(props[i], '=');
        assert_non_null(eq);
        kv[i].key = floe_arena_strndup(t->arena, props[i], (size_t)(eq - props[i]));
        kv[i].value = eq + 1;
    }
    floe_ice_create_opts o = {.location = floe_test_tmp_path(t, name),
                              .schema = s,
                              .spec = spec,
                              .sort_order = order,
                              .properties = kv,
                              .n_properties = n_props,
                              .now_ms = 1};
    floe_table_meta *m = NULL;
    FLOE_ASSERT_OK(floe_ice_table_create(t->arena, &o, &m, &err), &err);
    return m;
}

floe_value rows_test_row(floe_arena *a, const floe_ice_schema *s, const char *json)
{
    json_t *j = ice_test_json(json);
    floe_err err = {0};
    floe_value v;
    FLOE_ASSERT_OK(floe_ice_value_from_json(a, s->root, j, &v, &err), &err);
    json_decref(j);
    return v;
}

void rows_test_write(floe_arena *a, floe_ice_writer *w, const floe_ice_schema *s,
                     const char *const *rows, size_t n)
{
    floe_err err = {0};
    for (size_t i = 0; i < n; i++) {
        floe_value row = rows_test_row(a, s, rows[i]);
        FLOE_ASSERT_OK(floe_ice_writer_write_row(w, &row, &err), &err);
    }
}

const char *rows_test_read(floe_test_ctx *t, floe_fileio *io, const floe_ice_read_opts *o,
                           floe_ice_read_stats *stats)
{
    floe_err err = {0};
    floe_ice_reader *r = NULL;
    FLOE_ASSERT_OK(floe_ice_reader_open(io, o, &r, &err), &err);
    floe_buf out;
    floe_buf_init(&out, 0);
    for (;;) {
        const floe_ice_batch *b = NULL;
        FLOE_ASSERT_OK(floe_ice_reader_next(r, &b, &err), &err);
        if (b == NULL) {
            break;
        }
        assert_true(b->n_rows > 0);
        for (size_t i = 0; i < b->n_rows; i++) {
            FLOE_ASSERT_OK(floe_ice_batch_row_json(b, i, &out, &err), &err);
            FLOE_ASSERT_OK(floe_buf_append_byte(&out, '\n', &err), &err);
        }
    }
    if (stats != NULL) {
        floe_ice_reader_stats(r, stats);
    }
    floe_ice_reader_close(r);
    const char *s = floe_arena_strdup(t->arena, floe_buf_cstr(&out));
    floe_buf_fini(&out);
    return s;
}

size_t rows_test_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        n += *p == '\n';
    }
    return n;
}
