/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan-planning benchmark: generate a table of N data files in M manifests (every file with
 * column sizes, value/null counts and bounds for C long columns, partitioned by identity(p) over
 * 100 partitions), then plan a full scan and a filtered scan with floe_scan_plan and report time
 * and peak RSS. The manifests are written under DIR/manifests so a peer can decode the same
 * files (bench/iceberg/run.sh runs avsc on them).
 *
 *   plan [-n FILES] [-m MANIFESTS] [-c COLUMNS] [--plan-only] DIR
 */
#include "floe/iceberg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int die(const char *what, const floe_err *err)
{
    fprintf(stderr, "plan: %s: %s\n", what, err != NULL ? err->msg : "");
    exit(1);
}

static double now_s(void)
{
    return (double)floe_time_mono_us() / 1e6;
}

static long peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static char *schema_json(int cols)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err err = {0};
    floe_buf_printf(&b, &err,
                    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                    "{\"id\":1,\"name\":\"p\",\"required\":false,\"type\":\"int\"}");
    for (int c = 0; c < cols; c++) {
        floe_buf_printf(&b, &err,
                        ",{\"id\":%d,\"name\":\"c%d\",\"required\":false,\"type\":\"long\"}", c + 2,
                        c);
    }
    floe_buf_printf(&b, &err, "]}");
    return floe_buf_detach(&b, NULL);
}

static floe_status count_task(void *ud, const floe_scan_task *t, floe_err *err)
{
    (void)err;
    uint64_t *n = ud;
    *n += (uint64_t)t->file->record_count > 0;
    return FLOE_OK;
}

static void plan(floe_fileio *io, const floe_table_meta *m, const char *filter, const char *what)
{
    floe_arena *a = floe_arena_new(FLOE_REQUEST_ARENA_MAX);
    floe_err err = {0};
    floe_scan_opts o = {.skip = FLOE_MANIFEST_SKIP_STATS};
    if (filter != NULL &&
        floe_ice_expr_parse(a, filter, strlen(filter), &o.filter, &err) != FLOE_OK) {
        die("filter", &err);
    }
    uint64_t tasks = 0;
    floe_scan_stats st;
    double t0 = now_s();
    if (floe_scan_plan(io, m, &o, count_task, &tasks, &st, &err) != FLOE_OK) {
        die("plan", &err);
    }
    double secs = now_s() - t0;
    printf("floe    plan %-22s %llu tasks of %llu files, %llu manifests skipped, in %.3f s "
           "(%.0f files/s), peak RSS %ld MiB\n",
           what, (unsigned long long)tasks,
           (unsigned long long)(st.data_files + st.data_files_skipped),
           (unsigned long long)st.manifests_skipped, secs,
           (double)(st.data_files + st.data_files_skipped) / secs, peak_rss_mib());
    floe_arena_free(a);
}

int main(int argc, char **argv)
{
    long files = 1000000;
    long manifests = 1000;
    int cols = 10;
    bool plan_only = false;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            files = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            manifests = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cols = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--plan-only") == 0) {
            plan_only = true;
        } else {
            dir = argv[i];
        }
    }
    if (dir == NULL || files < 1 || manifests < 1 || cols < 1 || cols > 1000) {
        fprintf(stderr, "usage: plan [-n FILES] [-m MANIFESTS] [-c COLUMNS] [--plan-only] DIR\n");
        return 2;
    }
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_err err = {0};
    char *sj = schema_json(cols);
    const char *meta_path = floe_arena_sprintf(a, "%s/metadata/v1.metadata.json", dir);
    if (!plan_only) {
        json_t *j = json_loads(sj, 0, NULL);
        const floe_ice_schema *schema;
        if (j == NULL || floe_ice_schema_from_json(a, j, &schema, &err) != FLOE_OK) {
            die("schema", &err);
        }
        json_decref(j);
        j = json_loads("{\"spec-id\":0,\"fields\":[{\"name\":\"p\",\"transform\":\"identity\","
                       "\"source-id\":1,\"field-id\":1000}]}",
                       0, NULL);
        const floe_partition_spec *spec;
        if (floe_partition_spec_from_json(a, j, false, 0, &spec, &err) != FLOE_OK) {
            die("spec", &err);
        }
        json_decref(j);
        double t0 = now_s();
        floe_manifest_file *ms = floe_xcalloc((size_t)manifests, sizeof(*ms));
        floe_arena *ea = floe_arena_new(FLOE_ARENA_UNLIMITED);
        floe_field_count *counts = floe_xcalloc((size_t)cols, sizeof(*counts));
        floe_field_count *nulls = floe_xcalloc((size_t)cols, sizeof(*nulls));
        floe_field_bound *lo = floe_xcalloc((size_t)cols, sizeof(*lo));
        floe_field_bound *hi = floe_xcalloc((size_t)cols, sizeof(*hi));
        char *lob = floe_xcalloc((size_t)cols, 8);
        char *hib = floe_xcalloc((size_t)cols, 8);
        long per = (files + manifests - 1) / manifests;
        long made = 0;
        for (long mi = 0; mi < manifests; mi++) {
            const char *path = floe_arena_sprintf(a, "%s/manifests/m%05ld.avro", dir, mi);
            floe_manifest_write_opts o = {.format_version = 2,
                                          .spec = spec,
                                          .schema = schema,
                                          .snapshot_id = 1,
                                          .codec = FLOE_CODEC_DEFLATE};
            floe_manifest_writer *w;
            if (floe_manifest_writer_open(io, path, &o, &w, &err) != FLOE_OK) {
                die("manifest", &err);
            }
            for (long k = 0; k < per && made < files; k++, made++) {
                floe_arena_reset(ea);
                floe_value pv = floe_value_int((int32_t)(made % 100));
                floe_value part = floe_value_null();
                part.kind = FLOE_V_STRUCT;
                part.u.nested.items = &pv;
                part.u.nested.n = 1;
                for (int c = 0; c < cols; c++) {
                    counts[c] = (floe_field_count){c + 2, 1000};
                    nulls[c] = (floe_field_count){c + 2, made % 7 == 0 ? 3 : 0};
                    floe_store_u64le(lob + 8 * c, (uint64_t)(made * 1000));
                    floe_store_u64le(hib + 8 * c, (uint64_t)(made * 1000 + 999));
                    lo[c] = (floe_field_bound){c + 2, {lob + 8 * c, 8}};
                    hi[c] = (floe_field_bound){c + 2, {hib + 8 * c, 8}};
                }
                floe_data_file f = {
                    .content = FLOE_CONTENT_DATA,
                    .file_path = floe_arena_sprintf(
                        ea, "s3://bucket/warehouse/db/t/data/p=%ld/%08ld-0-4c7f2a.parquet",
                        made % 100, made),
                    .file_format = FLOE_FORMAT_PARQUET,
                    .partition = part,
                    .record_count = 1000,
                    .file_size_in_bytes = 4 << 20,
                    .column_sizes = counts,
                    .n_column_sizes = (size_t)cols,
                    .value_counts = counts,
                    .n_value_counts = (size_t)cols,
                    .null_value_counts = nulls,
                    .n_null_value_counts = (size_t)cols,
                    .lower_bounds = lo,
                    .n_lower_bounds = (size_t)cols,
                    .upper_bounds = hi,
                    .n_upper_bounds = (size_t)cols,
                };
                if (floe_manifest_writer_add(w, &f, FLOE_SEQ_UNASSIGNED, &err) != FLOE_OK) {
                    die("entry", &err);
                }
            }
            if (floe_manifest_writer_finish(w, a, &ms[mi], &err) != FLOE_OK) {
                die("finish", &err);
            }
            floe_manifest_writer_free(w);
        }
        const char *list = floe_arena_sprintf(a, "%s/metadata/snap-1.avro", dir);
        floe_manifest_list_write_opts lo_ = {.format_version = 2,
                                             .snapshot_id = 1,
                                             .sequence_number = 1,
                                             .codec = FLOE_CODEC_DEFLATE};
        if (floe_manifest_list_write(io, list, &lo_, ms, (size_t)manifests, NULL, &err) !=
            FLOE_OK) {
            die("list", &err);
        }
        const char *meta = floe_arena_sprintf(
            a,
            "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
            "\"location\":\"%s\",\"last-sequence-number\":1,\"last-updated-ms\":1,"
            "\"last-column-id\":%d,\"current-schema-id\":0,\"schemas\":[%s],"
            "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[{\"name\":"
            "\"p\",\"transform\":\"identity\",\"source-id\":1,\"field-id\":1000}]}],"
            "\"last-partition-id\":1000,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":"
            "0,\"fields\":[]}],\"properties\":{},\"current-snapshot-id\":1,\"refs\":{\"main\":{"
            "\"snapshot-id\":1,\"type\":\"branch\"}},\"snapshots\":[{\"snapshot-id\":1,"
            "\"sequence-number\":1,\"timestamp-ms\":1,\"manifest-list\":\"%s\",\"summary\":{"
            "\"operation\":\"append\"}}],\"snapshot-log\":[],\"metadata-log\":[]}",
            dir, cols + 1, sj, list);
        if (floe_io_write_file(io, meta_path, FLOE_IO_CREATE_OVERWRITE, meta, strlen(meta), &err) !=
            FLOE_OK) {
            die("metadata", &err);
        }
        printf("generated %ld files in %ld manifests (%d long columns with stats) in %.1f s\n",
               files, manifests, cols, now_s() - t0);
        free(ms);
        free(counts);
        free(nulls);
        free(lo);
        free(hi);
        free(lob);
        free(hib);
        floe_arena_free(ea);
    }
    floe_table_meta *m;
    if (floe_iceberg_read_metadata(a, io, meta_path, &m, &err) != FLOE_OK) {
        die("read metadata", &err);
    }
    plan(io, m, NULL, "(all files)");
    plan(io, m, "p = 7", "p = 7 (partition)");
    plan(io, m, "c0 < 5000000", "c0 < 5000000 (metrics)");
    free(sj);
    floe_arena_free(a);
    floe_fileio_free(io);
    return 0;
}
