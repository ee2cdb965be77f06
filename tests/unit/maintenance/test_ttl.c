/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data expiration: every field type at the bound (one unit older expires, the bound itself
 * stays), the day boundary for dates and date strings, nulls and missing metrics, partition
 * values per transform, file and partition level plans, and preparing from properties.
 */
#include "mnt_helpers.h"

#define US_DAY (INT64_C(86400) * 1000000)

static int64_t iso(const char *s)
{
    int64_t us = 0;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_time_parse_iso(s, strlen(s), &us, &err), &err);
    return us;
}

/* A data file whose field 7 has the given upper bound value and null count (-1: no count). */
static floe_data_file *file_with(floe_test_ctx *t, floe_ice_type_id type, const floe_value *upper,
                                 int64_t nulls)
{
    floe_data_file *f = floe_arena_calloc(t->arena, 1, sizeof(*f));
    f->content = FLOE_CONTENT_DATA;
    f->file_path = "/t/data/x.parquet";
    f->record_count = 10;
    f->partition = (floe_value){.kind = FLOE_V_STRUCT};
    if (nulls >= 0) {
        floe_field_count *nc = floe_arena_calloc(t->arena, 1, sizeof(*nc));
        *nc = (floe_field_count){7, nulls};
        f->null_value_counts = nc;
        f->n_null_value_counts = 1;
    }
    if (upper != NULL) {
        floe_buf b;
        floe_buf_init(&b, 0);
        floe_err err = {0};
        const floe_ice_type *ty = floe_ice_type_get(type);
        FLOE_ASSERT_OK(floe_ice_value_to_bytes(ty, upper, &b, &err), &err);
        floe_field_bound *ub = floe_arena_calloc(t->arena, 1, sizeof(*ub));
        ub->field_id = 7;
        ub->bytes = (floe_str){floe_arena_memdup(t->arena, b.data, b.len), b.len};
        f->upper_bounds = ub;
        f->n_upper_bounds = 1;
        floe_buf_fini(&b);
    }
    return f;
}

static floe_mnt_ttl ttl_for(floe_test_ctx *t, floe_ice_type_id type, int64_t bound_us,
                            const char *pattern)
{
    floe_mnt_ttl ttl = {.field_id = 7, .type = floe_ice_type_get(type), .bound_us = bound_us};
    if (pattern != NULL) {
        floe_err err = {0};
        FLOE_ASSERT_OK(floe_mnt_pattern_compile(t->arena, pattern, &ttl.pattern, &err), &err);
    }
    return ttl;
}

static floe_mnt_ttl_verdict verdict(floe_test_ctx *t, const floe_mnt_ttl *ttl, floe_value v)
{
    return floe_mnt_ttl_file(ttl, file_with(t, ttl->type->id, &v, 0), NULL);
}

static void test_ttl_timestamps(void **state)
{
    floe_test_ctx *t = *state;
    int64_t bound = iso("2024-01-10T05:00:00Z");
    floe_ice_type_id types[] = {FLOE_ICE_TIMESTAMP, FLOE_ICE_TIMESTAMPTZ};
    for (size_t i = 0; i < 2; i++) {
        floe_mnt_ttl ttl = ttl_for(t, types[i], bound, NULL);
        bool utc = types[i] == FLOE_ICE_TIMESTAMPTZ;
        assert_int_equal(verdict(t, &ttl, floe_value_timestamp(bound - 1, FLOE_UNIT_MICROS, utc)),
                         FLOE_MNT_TTL_EXPIRE);
        assert_int_equal(verdict(t, &ttl, floe_value_timestamp(bound, FLOE_UNIT_MICROS, utc)),
                         FLOE_MNT_TTL_KEEP);
        assert_int_equal(
            verdict(t, &ttl, floe_value_timestamp(bound + 3600, FLOE_UNIT_MICROS, utc)),
            FLOE_MNT_TTL_KEEP);
    }
    floe_mnt_ttl ns = ttl_for(t, FLOE_ICE_TIMESTAMP_NS, bound, NULL);
    assert_int_equal(verdict(t, &ns, floe_value_timestamp(bound * 1000 - 1, FLOE_UNIT_NANOS, 0)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &ns, floe_value_timestamp(bound * 1000, FLOE_UNIT_NANOS, 0)),
                     FLOE_MNT_TTL_KEEP);
}

static void test_ttl_dates_day_boundary(void **state)
{
    floe_test_ctx *t = *state;
    int32_t jan9 = (int32_t)floe_days_from_civil(2024, 1, 9);
    /* Bound in the middle of Jan 10: all of Jan 9 is older; Jan 10 is not entirely. */
    floe_mnt_ttl ttl = ttl_for(t, FLOE_ICE_DATE, iso("2024-01-10T05:00:00Z"), NULL);
    assert_int_equal(verdict(t, &ttl, floe_value_date(jan9)), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &ttl, floe_value_date(jan9 + 1)), FLOE_MNT_TTL_KEEP);
    /* Bound exactly at midnight: Jan 9 ends there, so it expires. */
    ttl.bound_us = iso("2024-01-10T00:00:00Z");
    assert_int_equal(verdict(t, &ttl, floe_value_date(jan9)), FLOE_MNT_TTL_EXPIRE);
    ttl.bound_us -= 1;
    assert_int_equal(verdict(t, &ttl, floe_value_date(jan9)), FLOE_MNT_TTL_KEEP);
    /* Before 1970. */
    ttl.bound_us = iso("1969-12-31T00:00:00Z");
    assert_int_equal(verdict(t, &ttl, floe_value_date(-2)), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &ttl, floe_value_date(-1)), FLOE_MNT_TTL_KEEP);
}

static void test_ttl_longs(void **state)
{
    floe_test_ctx *t = *state;
    int64_t bound = iso("2024-01-10T05:00:00.500Z");
    floe_mnt_ttl ms = ttl_for(t, FLOE_ICE_LONG, bound, NULL);
    ms.nfmt = FLOE_MNT_TIMESTAMP_MS;
    assert_int_equal(verdict(t, &ms, floe_value_long(bound / 1000 - 1)), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &ms, floe_value_long(bound / 1000)), FLOE_MNT_TTL_KEEP);
    floe_mnt_ttl s = ms;
    s.nfmt = FLOE_MNT_TIMESTAMP_S;
    /* 05:00:00 is older than 05:00:00.5; 05:00:01 is not. */
    assert_int_equal(verdict(t, &s, floe_value_long(bound / 1000000)), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &s, floe_value_long(bound / 1000000 + 1)), FLOE_MNT_TTL_KEEP);
    /* Milliseconds read as seconds would be far in the future: kept, never wrongly expired. */
    assert_int_equal(verdict(t, &s, floe_value_long(bound / 1000)), FLOE_MNT_TTL_KEEP);
    assert_int_equal(verdict(t, &s, floe_value_long(INT64_MAX)), FLOE_MNT_TTL_KEEP);
    assert_int_equal(verdict(t, &s, floe_value_long(INT64_MIN)), FLOE_MNT_TTL_EXPIRE);
}

static void test_ttl_strings(void **state)
{
    floe_test_ctx *t = *state;
    floe_mnt_ttl day = ttl_for(t, FLOE_ICE_STRING, iso("2024-01-10T05:00:00Z"), "yyyy-MM-dd");
#define S(x) floe_value_string((x), strlen(x))
    assert_int_equal(verdict(t, &day, S("2024-01-09")), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &day, S("2024-01-10")), FLOE_MNT_TTL_KEEP);
    assert_int_equal(verdict(t, &day, S("2024-01-0")), FLOE_MNT_TTL_KEEP); /* truncated */
    assert_int_equal(verdict(t, &day, S("not a date")), FLOE_MNT_TTL_KEEP);
    floe_mnt_ttl sec =
        ttl_for(t, FLOE_ICE_STRING, iso("2024-01-10T05:00:00Z"), "yyyy-MM-dd HH:mm:ss");
    assert_int_equal(verdict(t, &sec, S("2024-01-10 04:59:59")), FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(verdict(t, &sec, S("2024-01-10 05:00:00")), FLOE_MNT_TTL_KEEP);
    /* Metrics truncate long strings to 16 characters and bump the last one: such an upper
     * bound does not match the pattern, so the file is kept. */
    assert_int_equal(verdict(t, &sec, S("2024-01-09 12:01")), FLOE_MNT_TTL_KEEP);
#undef S
}

static void test_ttl_nulls_and_missing_metrics(void **state)
{
    floe_test_ctx *t = *state;
    int64_t bound = iso("2024-01-10T00:00:00Z");
    floe_mnt_ttl ttl = ttl_for(t, FLOE_ICE_TIMESTAMP, bound, NULL);
    floe_value old = floe_value_timestamp(0, FLOE_UNIT_MICROS, false);
    const char *why = NULL;
    assert_int_equal(floe_mnt_ttl_file(&ttl, file_with(t, FLOE_ICE_TIMESTAMP, &old, 1), &why),
                     FLOE_MNT_TTL_KEEP);
    assert_string_equal(why, "has nulls in the field");
    assert_int_equal(floe_mnt_ttl_file(&ttl, file_with(t, FLOE_ICE_TIMESTAMP, &old, -1), &why),
                     FLOE_MNT_TTL_KEEP);
    assert_string_equal(why, "no null count for the field");
    assert_int_equal(floe_mnt_ttl_file(&ttl, file_with(t, FLOE_ICE_TIMESTAMP, NULL, 0), &why),
                     FLOE_MNT_TTL_KEEP);
    assert_string_equal(why, "no upper bound for the field");
    floe_data_file *bad = file_with(t, FLOE_ICE_TIMESTAMP, &old, 0);
    ((floe_field_bound *)bad->upper_bounds)->bytes.len = 3;
    assert_int_equal(floe_mnt_ttl_file(&ttl, bad, &why), FLOE_MNT_TTL_KEEP);
    assert_string_equal(why, "upper bound does not decode");
    assert_int_equal(floe_mnt_ttl_file(&ttl, file_with(t, FLOE_ICE_TIMESTAMP, &old, 0), &why),
                     FLOE_MNT_TTL_EXPIRE);
}

static floe_partition_spec one_field_spec(floe_ice_transform_kind kind)
{
    static floe_partition_field pf;
    pf = (floe_partition_field){
        .source_id = 7, .field_id = 1000, .name = "p", .transform = {.kind = kind}};
    return (floe_partition_spec){.spec_id = 0, .fields = &pf, .n_fields = 1};
}

static floe_mnt_ttl_verdict part_verdict(const floe_mnt_ttl *ttl, floe_ice_transform_kind kind,
                                         floe_value v)
{
    floe_partition_spec spec = one_field_spec(kind);
    floe_value tuple = {.kind = FLOE_V_STRUCT};
    tuple.u.nested.items = &v;
    tuple.u.nested.n = 1;
    return floe_mnt_ttl_partition(ttl, &spec, &tuple);
}

static void test_ttl_partition_values(void **state)
{
    floe_test_ctx *t = *state;
    floe_mnt_ttl ttl = ttl_for(t, FLOE_ICE_TIMESTAMP, iso("2024-03-10T05:00:00Z"), NULL);
    int32_t mar9 = (int32_t)floe_days_from_civil(2024, 3, 9);
    int32_t months_feb = (2024 - 1970) * 12 + 1; /* 2024-02 */
    int32_t hours = (int32_t)(iso("2024-03-10T04:00:00Z") / 3600000000);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_DAY, floe_value_date(mar9)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_DAY, floe_value_date(mar9 + 1)),
                     FLOE_MNT_TTL_KEEP);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_MONTH, floe_value_int(months_feb)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_MONTH, floe_value_int(months_feb + 1)),
                     FLOE_MNT_TTL_KEEP);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_YEAR, floe_value_int(2023 - 1970)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_YEAR, floe_value_int(2024 - 1970)),
                     FLOE_MNT_TTL_KEEP);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_HOUR, floe_value_int(hours)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_HOUR, floe_value_int(hours + 1)),
                     FLOE_MNT_TTL_KEEP);
    assert_int_equal(
        part_verdict(&ttl, FLOE_ICE_T_IDENTITY,
                     floe_value_timestamp(iso("2024-03-10T04:59:59Z"), FLOE_UNIT_MICROS, false)),
        FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_DAY, floe_value_null()), FLOE_MNT_TTL_KEEP);
    assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_BUCKET, floe_value_int(1)), FLOE_MNT_TTL_KEEP);
    /* A string partition by identity uses the pattern. */
    floe_mnt_ttl str = ttl_for(t, FLOE_ICE_STRING, iso("2024-03-10T05:00:00Z"), "yyyyMMdd");
    assert_int_equal(part_verdict(&str, FLOE_ICE_T_IDENTITY, floe_value_string("20240309", 8)),
                     FLOE_MNT_TTL_EXPIRE);
    assert_int_equal(part_verdict(&str, FLOE_ICE_T_IDENTITY, floe_value_string("20240310", 8)),
                     FLOE_MNT_TTL_KEEP);
    /* Not a partition tuple. */
    floe_value none = floe_value_null();
    assert_int_equal(floe_mnt_ttl_partition(&ttl, NULL, &none), FLOE_MNT_TTL_KEEP);
}

static void test_ttl_plans(void **state)
{
    floe_test_ctx *t = *state;
    floe_table_meta *m = mnt_test_meta(
        t, &(tmeta){.current = -1,
                    .schema = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                              "{\"id\":7,\"name\":\"ts\",\"required\":false,\"type\":"
                              "\"timestamp\"},{\"id\":8,\"name\":\"k\",\"required\":false,"
                              "\"type\":\"int\"}]}",
                    .spec = "{\"spec-id\":0,\"fields\":[{\"name\":\"k\",\"transform\":"
                            "\"identity\",\"source-id\":8,\"field-id\":1000}]}"});
    int64_t bound = iso("2024-03-10T00:00:00Z");
    floe_mnt_ttl ttl = ttl_for(t, FLOE_ICE_TIMESTAMP, bound, NULL);
    floe_value old = floe_value_timestamp(bound - US_DAY, FLOE_UNIT_MICROS, false);
    floe_value young = floe_value_timestamp(bound + US_DAY, FLOE_UNIT_MICROS, false);
    /* Partition k=1: two old data files and a delete file. k=2: one old, one young. */
    floe_data_file *f[6];
    f[0] = file_with(t, FLOE_ICE_TIMESTAMP, &old, 0);
    f[1] = file_with(t, FLOE_ICE_TIMESTAMP, &old, 0);
    f[2] = file_with(t, FLOE_ICE_TIMESTAMP, NULL, -1);
    f[2]->content = FLOE_CONTENT_POSITION_DELETES;
    f[3] = file_with(t, FLOE_ICE_TIMESTAMP, &old, 0);
    f[4] = file_with(t, FLOE_ICE_TIMESTAMP, &young, 0);
    f[5] = file_with(t, FLOE_ICE_TIMESTAMP, &old, 2); /* nulls: kept */
    for (int i = 0; i < 6; i++) {
        floe_value *k = floe_arena_calloc(t->arena, 1, sizeof(*k));
        *k = floe_value_int(i < 3 ? 1 : i < 5 ? 2 : 3);
        f[i]->partition = (floe_value){.kind = FLOE_V_STRUCT};
        f[i]->partition.u.nested.items = k;
        f[i]->partition.u.nested.n = 1;
    }
    const floe_data_file *const *files = (const floe_data_file *const *)f;
    size_t *idx = NULL, n = 0;
    floe_err err = {0};
    ttl.level = FLOE_MNT_TTL_PARTITION;
    FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, 6, &idx, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    ttl.level = FLOE_MNT_TTL_FILE;
    FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, 6, &idx, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 3);
}

/*
 * The day boundary for every field type at both levels. The bound is midnight exactly; each
 * type has a value in the last unit before it ("old") and the value at it ("edge"). Partition
 * k=1 holds two old data files and a delete file, k=2 an old and an edge file: at PARTITION
 * level only k=1 goes (with its delete file), at FILE level the three old data files go.
 * A partition tuple on the field itself (identity, and day for dates) decides at the same
 * boundary. For dates and strings a bound one microsecond before midnight keeps everything.
 */
typedef struct type_case {
    const char *name;
    floe_ice_type_id type;
    floe_mnt_number_format nfmt;
    const char *pattern;
    floe_value old, edge;
} type_case;

static void test_ttl_day_boundary_every_type_both_levels(void **state)
{
    floe_test_ctx *t = *state;
    int64_t mid = iso("2024-01-10T00:00:00Z");
    int32_t jan9 = (int32_t)floe_days_from_civil(2024, 1, 9);
    const type_case cases[] = {
        {"timestamp", FLOE_ICE_TIMESTAMP, 0, NULL,
         floe_value_timestamp(mid - 1, FLOE_UNIT_MICROS, false),
         floe_value_timestamp(mid, FLOE_UNIT_MICROS, false)},
        {"date", FLOE_ICE_DATE, 0, NULL, floe_value_date(jan9), floe_value_date(jan9 + 1)},
        {"long", FLOE_ICE_LONG, FLOE_MNT_TIMESTAMP_MS, NULL, floe_value_long(mid / 1000 - 1),
         floe_value_long(mid / 1000)},
        {"long", FLOE_ICE_LONG, FLOE_MNT_TIMESTAMP_S, NULL, floe_value_long(mid / 1000000 - 1),
         floe_value_long(mid / 1000000)},
        {"string", FLOE_ICE_STRING, 0, "yyyy-MM-dd", floe_value_string("2024-01-09", 10),
         floe_value_string("2024-01-10", 10)},
        {"string", FLOE_ICE_STRING, 0, "yyyyMMddHH", floe_value_string("2024010923", 10),
         floe_value_string("2024011000", 10)},
    };
    for (size_t c = 0; c < FLOE_ARRAY_LEN(cases); c++) {
        const type_case *tc = &cases[c];
        const char *schema = floe_arena_sprintf(
            t->arena,
            "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":7,\"name\":\"v\","
            "\"required\":false,\"type\":\"%s\"},{\"id\":8,\"name\":\"k\",\"required\":false,"
            "\"type\":\"int\"}]}",
            tc->name);
        floe_table_meta *m = mnt_test_meta(
            t, &(tmeta){.current = -1,
                        .schema = schema,
                        .spec = "{\"spec-id\":0,\"fields\":[{\"name\":\"k\",\"transform\":"
                                "\"identity\",\"source-id\":8,\"field-id\":1000}]}"});
        floe_mnt_ttl ttl = ttl_for(t, tc->type, mid, tc->pattern);
        ttl.nfmt = tc->nfmt;
        floe_data_file *f[5];
        f[0] = file_with(t, tc->type, &tc->old, 0);
        f[1] = file_with(t, tc->type, &tc->old, 0);
        f[2] = file_with(t, tc->type, NULL, -1);
        f[2]->content = FLOE_CONTENT_POSITION_DELETES;
        f[3] = file_with(t, tc->type, &tc->old, 0);
        f[4] = file_with(t, tc->type, &tc->edge, 0);
        for (int i = 0; i < 5; i++) {
            floe_value *k = floe_arena_calloc(t->arena, 1, sizeof(*k));
            *k = floe_value_int(i < 3 ? 1 : 2);
            f[i]->partition.u.nested.items = k;
            f[i]->partition.u.nested.n = 1;
        }
        const floe_data_file *const *files = (const floe_data_file *const *)f;
        size_t *idx = NULL, n = 0;
        floe_err err = {0};
        ttl.level = FLOE_MNT_TTL_PARTITION;
        FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, 5, &idx, &n, &err), &err);
        assert_int_equal(n, 3);
        assert_true(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);
        ttl.level = FLOE_MNT_TTL_FILE;
        FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, 5, &idx, &n, &err), &err);
        assert_int_equal(n, 3);
        assert_true(idx[0] == 0 && idx[1] == 1 && idx[2] == 3);
        /* The edge value's period starts at the bound: it stays, by metrics and by tuple. */
        assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_IDENTITY, tc->old), FLOE_MNT_TTL_EXPIRE);
        assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_IDENTITY, tc->edge), FLOE_MNT_TTL_KEEP);
        if (tc->type == FLOE_ICE_DATE) {
            assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_DAY, tc->old), FLOE_MNT_TTL_EXPIRE);
            assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_DAY, tc->edge), FLOE_MNT_TTL_KEEP);
        }
        /* Dates and strings stand for a period that ends at midnight: a bound one microsecond
         * earlier keeps the old value at both levels. (Timestamps and longs are instants: the
         * old value is before such a bound too, test_ttl_longs.) */
        if (tc->type != FLOE_ICE_DATE && tc->type != FLOE_ICE_STRING) {
            continue;
        }
        ttl.bound_us = mid - 1;
        assert_int_equal(verdict(t, &ttl, tc->old), FLOE_MNT_TTL_KEEP);
        assert_int_equal(part_verdict(&ttl, FLOE_ICE_T_IDENTITY, tc->old), FLOE_MNT_TTL_KEEP);
        ttl.level = FLOE_MNT_TTL_PARTITION;
        FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, 5, &idx, &n, &err), &err);
        assert_int_equal(n, 0);
    }
}

static void test_ttl_prepare(void **state)
{
    floe_test_ctx *t = *state;
    static const tsnap snaps[] = {{1, NO_PARENT, 5000000}, {2, 1, 6000000}};
    tref refs[] = {BRANCH("main", 2)};
    const char *schema = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                         "{\"id\":1,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
                         "{\"id\":2,\"name\":\"f\",\"required\":false,\"type\":\"double\"},"
                         "{\"id\":3,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
                         "{\"id\":4,\"name\":\"l\",\"required\":false,\"type\":{\"type\":"
                         "\"list\",\"element-id\":5,\"element\":\"long\",\"element-required\":"
                         "false}}]}";
    floe_table_meta *m = mnt_test_meta(t, &(tmeta){.snaps = snaps,
                                                   .n_snaps = 2,
                                                   .current = 2,
                                                   .refs = refs,
                                                   .n_refs = 1,
                                                   .schema = schema});
    floe_mnt_props p;
    floe_mnt_props_default(&p);
    p.data_expire_field = "ts";
    p.data_expire_retention_ms = 1000;
    floe_mnt_ttl ttl;
    floe_err err = {0};
    /* LAST_COMMIT_TIME: the latest snapshot's time. */
    FLOE_ASSERT_OK(floe_mnt_ttl_prepare(t->arena, m, &p, 9000000, &ttl, &err), &err);
    assert_int_equal(ttl.base_ms, 6000000);
    assert_int_equal(ttl.bound_us, (6000000 - 1000) * INT64_C(1000));
    assert_int_equal(ttl.field_id, 1);
    p.data_expire_base = FLOE_MNT_BASE_CURRENT_TIME;
    FLOE_ASSERT_OK(floe_mnt_ttl_prepare(t->arena, m, &p, 9000000, &ttl, &err), &err);
    assert_int_equal(ttl.base_ms, 9000000);
    p.data_expire_field = "s";
    FLOE_ASSERT_OK(floe_mnt_ttl_prepare(t->arena, m, &p, 9000000, &ttl, &err), &err);
    assert_non_null(ttl.pattern);
    p.data_expire_field = "f";
    FLOE_ASSERT_ERR(floe_mnt_ttl_prepare(t->arena, m, &p, 0, &ttl, &err), FLOE_ERR_INVALID, &err,
                    "'f' has type double");
    p.data_expire_field = "l.element";
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_ttl_prepare(t->arena, m, &p, 0, &ttl, &err), FLOE_ERR_INVALID, &err,
                    "outside lists and maps");
    p.data_expire_field = "nope";
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_ttl_prepare(t->arena, m, &p, 0, &ttl, &err), FLOE_ERR_INVALID, &err,
                    "'nope' is not a column");
    p.data_expire_field = NULL;
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_mnt_ttl_prepare(t->arena, m, &p, 0, &ttl, &err), FLOE_ERR_INVALID, &err,
                    "data-expire.field is not set");
    /* A compaction on top does not count as the last commit. */
    static const tsnap snaps2[] = {{1, NO_PARENT, 5000000}, {2, 1, 6000000}};
    floe_table_meta *m2 = mnt_test_meta(t, &(tmeta){.snaps = snaps2,
                                                    .n_snaps = 2,
                                                    .current = 2,
                                                    .refs = refs,
                                                    .n_refs = 1,
                                                    .schema = schema});
    floe_snapshot *s = (floe_snapshot *)&m2->snapshots[1];
    s->operation = "replace";
    p.data_expire_field = "ts";
    p.data_expire_base = FLOE_MNT_BASE_LAST_COMMIT_TIME;
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_mnt_ttl_prepare(t->arena, m2, &p, 9000000, &ttl, &err), &err);
    assert_int_equal(ttl.base_ms, 5000000);
}

/* ==== A real table: PyIceberg, day(timestamp) partitions, metrics read by the manifest reader */

typedef struct collect_ctx {
    floe_arena *a;
    floe_data_file *files[16];
    size_t n;
} collect_ctx;

static floe_status collect_live(void *ud, const floe_manifest_entry *e, floe_err *err)
{
    collect_ctx *c = ud;
    if (e->status == FLOE_ENTRY_DELETED || c->n >= 16) {
        return FLOE_OK;
    }
    c->files[c->n] = floe_arena_calloc(c->a, 1, sizeof(floe_data_file));
    return floe_data_file_dup(c->a, &e->file, c->files[c->n++], err);
}

static void test_ttl_real_table(void **state)
{
    floe_test_ctx *t = *state;
    const char *dir = floe_test_copy_shared(t, "iceberg/pyiceberg_day_partition_map");
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_fileio_map_prefix(
                       io, "file://data/persistent/map_stats/default.db/map_stats", dir, &err),
                   &err);
    floe_table_meta *m = NULL;
    const char *meta = floe_arena_sprintf(
        t->arena, "%s/metadata/00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json", dir);
    FLOE_ASSERT_OK(floe_iceberg_read_metadata(t->arena, io, meta, &m, &err), &err);
    floe_mnt_fileio_source ctx = {io, 0};
    floe_mnt_manifest_source src;
    floe_mnt_fileio_source_init(&ctx, &src);
    const floe_manifest_file *mfs = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(src.snapshot_manifests(src.ctx, t->arena, m, floe_table_meta_current_snapshot(m),
                                          &mfs, &n, &err),
                   &err);
    collect_ctx c = {.a = t->arena};
    for (size_t i = 0; i < n; i++) {
        FLOE_ASSERT_OK(src.manifest_entries(src.ctx, m, &mfs[i], collect_live, &c, &err), &err);
    }
    assert_int_equal(c.n, 2);
    /* Rows at 2026-01-01 and 2026-01-02 midnight UTC; the bound is 2026-01-02 midnight. */
    static const floe_kv kv[] = {{"data-expire.enabled", "true"},
                                 {"data-expire.field", "timestamp"},
                                 {"data-expire.retention-time", "1d"},
                                 {"data-expire.base-on-rule", "CURRENT_TIME"},
                                 {"data-expire.level", "file"}};
    floe_mnt_props p;
    FLOE_ASSERT_OK(floe_mnt_props_parse(kv, FLOE_ARRAY_LEN(kv), &p, &err), &err);
    floe_mnt_ttl ttl;
    FLOE_ASSERT_OK(
        floe_mnt_ttl_prepare(t->arena, m, &p, iso("2026-01-03T00:00:00Z") / 1000, &ttl, &err),
        &err);
    assert_int_equal(ttl.bound_us, iso("2026-01-02T00:00:00Z"));
    const floe_data_file *const *files = (const floe_data_file *const *)c.files;
    size_t *idx = NULL, k = 0;
    FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, c.n, &idx, &k, &err), &err);
    assert_int_equal(k, 1);
    assert_non_null(strstr(c.files[idx[0]]->file_path, "_day=2026-01-01"));
    /* Both by metrics and by the day partition, decided separately. */
    for (size_t i = 0; i < c.n; i++) {
        bool old = strstr(c.files[i]->file_path, "_day=2026-01-01") != NULL;
        assert_int_equal(floe_mnt_ttl_file(&ttl, c.files[i], NULL),
                         old ? FLOE_MNT_TTL_EXPIRE : FLOE_MNT_TTL_KEEP);
        assert_int_equal(floe_mnt_ttl_partition(&ttl, floe_table_meta_spec(m, c.files[i]->spec_id),
                                                &c.files[i]->partition),
                         old ? FLOE_MNT_TTL_EXPIRE : FLOE_MNT_TTL_KEEP);
    }
    /* Partition level, one day later: both partitions go. */
    ttl.level = FLOE_MNT_TTL_PARTITION;
    ttl.bound_us = iso("2026-01-03T00:00:00Z");
    FLOE_ASSERT_OK(floe_mnt_ttl_plan(t->arena, &ttl, m, files, c.n, &idx, &k, &err), &err);
    assert_int_equal(k, 2);
    floe_fileio_free(io);
}

FLOE_TEST_GROUP(ttl)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ttl_timestamps, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_dates_day_boundary, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_longs, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_strings, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_nulls_and_missing_metrics, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_partition_values, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_plans, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_day_boundary_every_type_both_levels,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_prepare, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_real_table, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
