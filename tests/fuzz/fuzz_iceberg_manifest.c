/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the manifest and manifest-list readers. Invariants: reading never crashes and fails with
 * a message; every entry a manifest yields can be deep-copied, checked against a filter's
 * metrics, and written again by the manifest writer of the same format version, and what the
 * writer accepted reads back with as many entries.
 */
#include "floe/iceberg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_list(const uint8_t *data, size_t size)
{
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_err err = {0};
    floe_manifest_list l;
    if (floe_manifest_list_parse(a, data, size, &l, &err) != FLOE_OK) {
        FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
    } else {
        FLOE_VERIFY(l.n_manifests == 0 || l.manifests != NULL);
    }
    floe_arena_free(a);
}

static void fuzz_manifest(const uint8_t *data, size_t size)
{
    floe_err err = {0};
    floe_manifest_reader *r = NULL;
    if (floe_manifest_reader_open_mem(data, size, NULL, &r, &err) != FLOE_OK) {
        FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
        return;
    }
    const floe_manifest_info *info = floe_manifest_reader_info(r);
    floe_arena *a = floe_arena_new((size_t)64 << 20);
    floe_arena *keep = floe_arena_new((size_t)64 << 20);
    const floe_ice_expr *bound = NULL;
    if (info->schema != NULL) {
        const floe_ice_expr *e = NULL;
        static const char filter[] = "id > 5 OR data = 'a' OR ts IS NULL";
        if (floe_ice_expr_parse(a, filter, sizeof(filter) - 1, &e, &err) != FLOE_OK ||
            floe_ice_expr_bind(keep, e, info->schema, &bound, &err) != FLOE_OK) {
            bound = NULL;
            floe_err_clear(&err);
        }
    }
    floe_buf out;
    floe_buf_init(&out, 0);
    floe_manifest_writer *w = NULL;
    if (info->schema != NULL && info->spec != NULL) {
        floe_manifest_write_opts o = {.format_version = info->format_version,
                                      .content = info->content,
                                      .spec = info->spec,
                                      .schema = info->schema,
                                      .snapshot_id = 1};
        if (floe_manifest_writer_open_buf(&out, "mem://m.avro", &o, &w, &err) != FLOE_OK) {
            w = NULL;
            floe_err_clear(&err);
        }
    }
    uint64_t written = 0;
    for (;;) {
        floe_manifest_entry e;
        bool got = false;
        floe_arena_reset(a);
        if (floe_manifest_reader_next(r, a, &e, &got, &err) != FLOE_OK) {
            FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
            break;
        }
        if (!got) {
            break;
        }
        floe_data_file copy;
        floe_arena_reset(keep);
        if (floe_data_file_dup(keep, &e.file, &copy, &err) == FLOE_OK && bound != NULL) {
            (void)floe_ice_metrics_might_match(bound, &copy);
            (void)floe_ice_metrics_must_match(bound, &copy);
        }
        floe_err_clear(&err);
        if (w != NULL) {
            if (floe_manifest_writer_write(w, &e, &err) == FLOE_OK) {
                written++;
            }
            floe_err_clear(&err);
        }
    }
    /* The writer borrows the reader's spec and schema until it is finished. */
    if (w != NULL) {
        floe_manifest_file mf;
        floe_arena_reset(keep);
        if (floe_manifest_writer_finish(w, keep, &mf, &err) == FLOE_OK) {
            floe_manifest_reader *back = NULL;
            FLOE_VERIFY(floe_manifest_reader_open_mem(out.data, out.len, NULL, &back, &err) ==
                        FLOE_OK);
            uint64_t n = 0;
            for (;;) {
                floe_manifest_entry e;
                bool got = false;
                floe_arena_reset(a);
                FLOE_VERIFY(floe_manifest_reader_next(back, a, &e, &got, &err) == FLOE_OK);
                if (!got) {
                    break;
                }
                n++;
            }
            FLOE_VERIFY(n == written);
            floe_manifest_reader_close(back);
        }
        floe_manifest_writer_free(w);
    }
    floe_manifest_reader_close(r);
    floe_buf_fini(&out);
    floe_arena_free(keep);
    floe_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_manifest(data, size);
    fuzz_list(data, size);
    return 0;
}
