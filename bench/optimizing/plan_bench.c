/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Planning a huge backlog: evaluate and plan a table of N synthetic live data files (default
 * 1,000,000) spread over P partitions, generated on the fly by the source callback the way the
 * manifest reader streams entries (nothing is kept between visits), and report time and peak
 * RSS. Usage: plan_bench [-n files] [-p partitions] [-t group threads] [-m max-file-count]
 */
#include "floe/optimizing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char *META =
    "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    "\"location\":\"s3://b/t\",\"last-sequence-number\":10,\"last-updated-ms\":1,"
    "\"last-column-id\":3,\"current-schema-id\":0,\"schemas\":[{\"type\":\"struct\","
    "\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"region\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"op_time\",\"required\":false,\"type\":\"timestamptz\"}]}],"
    "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[{\"name\":\"region\","
    "\"transform\":\"identity\",\"source-id\":2,\"field-id\":1000}]}],\"last-partition-id\":1000,"
    "\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,\"fields\":[]}],"
    "\"properties\":{},\"current-snapshot-id\":-1,\"snapshots\":[],\"snapshot-log\":[],"
    "\"metadata-log\":[]}";

typedef struct gen {
    long files;
    long partitions;
    long visits;
} gen;

/* One pass: every file is built in stack storage, visited, and forgotten. */
static floe_status scan(void *ud, floe_opt_visit_fn visit, void *vud, floe_err *err)
{
    gen *g = ud;
    char path[160], region[16], eqpath[160];
    const char *names[1] = {"region"};
    for (long i = 0; i < g->files; i++) {
        long p = i % g->partitions;
        snprintf(region, sizeof(region), "p%05ld", p);
        snprintf(path, sizeof(path), "s3://bucket/db/t/data/region=%s/%08ld-0-writer.parquet",
                 region, i);
        floe_value item = floe_value_string(region, strlen(region));
        floe_value part = {0};
        part.kind = FLOE_V_STRUCT;
        part.u.nested.items = &item;
        part.u.nested.names = names;
        part.u.nested.n = 1;
        floe_manifest_entry data = {.status = FLOE_ENTRY_EXISTING,
                                    .has_sequence_number = true,
                                    .sequence_number = 1 + i / 1000};
        data.file.content = FLOE_CONTENT_DATA;
        data.file.file_path = path;
        data.file.file_format = FLOE_FORMAT_PARQUET;
        data.file.partition = part;
        /* 98% small files (64 KiB .. 4 MiB, streaming appends), 2% healthy segments. */
        int64_t size = (i % 50 == 0) ? ((int64_t)120 << 20) : (65536 + (i * 7919) % (4 << 20));
        data.file.file_size_in_bytes = size;
        data.file.record_count = size / 100;
        /* Every 20th file has one of its partition's 4 equality delete files. */
        floe_manifest_entry eq = {.has_sequence_number = true, .sequence_number = 2};
        const floe_manifest_entry *dels[1] = {&eq};
        size_t ndel = 0;
        int32_t eq_ids[1] = {1};
        if (i % 20 == 1) {
            snprintf(eqpath, sizeof(eqpath), "s3://bucket/db/t/data/region=%s/eq-%ld.parquet",
                     region, (i / 20) % 4);
            eq.file.content = FLOE_CONTENT_EQUALITY_DELETES;
            eq.file.file_path = eqpath;
            eq.file.partition = part;
            eq.file.file_size_in_bytes = 4096;
            eq.file.record_count = 100;
            eq.file.equality_ids = eq_ids;
            eq.file.n_equality_ids = 1;
            ndel = 1;
        }
        floe_opt_input in = {.data = &data, .deletes = dels, .n_deletes = ndel};
        g->visits++;
        floe_status st = visit(vud, &in, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    return FLOE_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    gen g = {.files = 1000000, .partitions = 100};
    int threads = 8;
    const char *max_files = "10000";
    int opt;
    while ((opt = getopt(argc, argv, "n:p:t:m:")) != -1) {
        switch (opt) {
        case 'n':
            g.files = strtol(optarg, NULL, 10);
            break;
        case 'p':
            g.partitions = strtol(optarg, NULL, 10);
            break;
        case 't':
            threads = (int)strtol(optarg, NULL, 10);
            break;
        case 'm':
            max_files = optarg;
            break;
        default:
            fprintf(stderr, "usage: %s [-n files] [-p partitions] [-t threads] [-m max-files]\n",
                    argv[0]);
            return 2;
        }
    }
    if (g.files < 1 || g.partitions < 1 || threads < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    long rss0 = peak_rss_kb();
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_err err = {0};
    floe_table_meta *meta = NULL;
    if (floe_iceberg_parse_metadata(a, floe_str_c(META), &meta, &err) != FLOE_OK) {
        fprintf(stderr, "metadata: %s\n", err.msg);
        return 1;
    }
    floe_kv kv[] = {{"self-optimizing.max-file-count", max_files}};
    floe_opt_props props;
    if (floe_opt_props_parse(a, NULL, 0, kv, 1, &props, &err) != FLOE_OK) {
        fprintf(stderr, "props: %s\n", err.msg);
        return 1;
    }
    floe_opt_table_ctx ctx = {.meta = meta, .props = &props, .now_ms = 1700000000000};
    floe_opt_source src = {.scan = scan, .ud = &g};

    double t0 = now_s();
    floe_opt_evaluation *ev = NULL;
    if (floe_opt_evaluate(a, &ctx, &src, &ev, &err) != FLOE_OK) {
        fprintf(stderr, "evaluate: %s\n", err.msg);
        return 1;
    }
    double t1 = now_s();
    size_t arena_eval = floe_arena_used(a);

    floe_opt_plan_opts popts = {
        .table = "db.t", .snapshot_id = 1, .sequence_number = 10, .group_threads = threads};
    floe_opt_plan *plan = NULL;
    g.visits = 0;
    double t2 = now_s();
    if (floe_opt_plan_make(a, &ctx, &popts, &src, &plan, &err) != FLOE_OK) {
        fprintf(stderr, "plan: %s\n", err.msg);
        return 1;
    }
    double t3 = now_s();
    /* Serialising every task input, as the service does when the process is created. */
    floe_opt_process *proc = NULL;
    if (plan->n_tasks > 0 &&
        floe_opt_process_from_plan(plan, 1, "db.t", 1700000000000, &proc, &err) != FLOE_OK) {
        fprintf(stderr, "process: %s\n", err.msg);
        return 1;
    }
    double t4 = now_s();
    const floe_opt_summary *s = &ev->summary;
    printf("files=%ld partitions=%ld threads=%d max-file-count=%s\n", g.files, g.partitions,
           threads, max_files);
    printf("evaluate: %.3f s (%.0f files/s), arena %.1f MiB; type=%s pending_files=%lld "
           "health=%d\n",
           t1 - t0, (double)g.files / (t1 - t0), (double)arena_eval / 1048576.0,
           floe_opt_type_name(s->type), (long long)s->pending_files, s->health_score);
    printf("plan (2 passes, %ld visits): %.3f s; %zu partitions chosen, %zu tasks, %lld input "
           "files, %.1f MiB input (budget %.0f MiB)\n",
           g.visits, t3 - t2, plan->n_partitions, plan->n_tasks, (long long)plan->input_files,
           (double)plan->input_bytes / 1048576.0, (double)plan->budget / 1048576.0);
    printf("process (task JSON): %.3f s\n", t4 - t3);
    printf("peak RSS: %.1f MiB (at start %.1f MiB); arena total %.1f MiB\n",
           (double)peak_rss_kb() / 1024.0, (double)rss0 / 1024.0,
           (double)floe_arena_used(a) / 1048576.0);
    floe_opt_process_free(proc);
    floe_arena_free(a);
    return 0;
}
