/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper (never part of the product): writes Iceberg data files with floe's row writer
 * (floe_ice_writer: partitioned by identity(cat), sorted by id desc, rolled at 1 byte so every
 * chunk of 1024 rows ends a file) for iceberg_rows.test.mjs, which reads them with DuckDB and
 * hyparquet and checks the rows and the metrics floe reported.
 *
 *   gen_iceberg_rows DIR [--rows N]
 *
 * DIR/expect.jsonl gets the rows written, one JSON object per line in a plain form easy to
 * compare in JavaScript: id, ts_us as strings; price as decimal text; day "YYYY-MM-DD"; score
 * a number, "NaN" or null; tags an array or null. stdout gets {"files": [{path, record_count,
 * file_size, partition, split_offsets, sort_order_id, metrics: {"<field id>": {column_size,
 * value_count, null_count, nan_count, lower, upper}}}]} with bounds decoded from their
 * single-value bytes into the same plain form.
 */
#include "floe/iceberg.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *fmt, ...) FLOE_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_iceberg_rows: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void check(floe_status st, const floe_err *err, const char *what)
{
    if (st != FLOE_OK) {
        die("%s: %s", what, err->msg);
    }
}

static const char *SCHEMA =
    "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
    "{\"id\":2,\"name\":\"cat\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":3,\"name\":\"name\",\"required\":false,\"type\":\"string\"},"
    "{\"id\":4,\"name\":\"score\",\"required\":false,\"type\":\"double\"},"
    "{\"id\":5,\"name\":\"price\",\"required\":false,\"type\":\"decimal(10,2)\"},"
    "{\"id\":6,\"name\":\"ts\",\"required\":false,\"type\":\"timestamptz\"},"
    "{\"id\":7,\"name\":\"day\",\"required\":false,\"type\":\"date\"},"
    "{\"id\":8,\"name\":\"tags\",\"required\":false,\"type\":{\"type\":\"list\","
    "\"element-id\":9,\"element-required\":false,\"element\":\"string\"}}]}";

/* The plain JSON form of a primitive value (see the top of the file). */
static void plain(FILE *out, const floe_value *v)
{
    char tmp[FLOE_VALUE_TEXT_MAX];
    floe_buf b;
    floe_buf_init(&b, 0);
    switch ((floe_value_kind)v->kind) {
    case FLOE_V_NULL:
        fputs("null", out);
        break;
    case FLOE_V_LONG:
    case FLOE_V_TIMESTAMP:
        fprintf(out, "\"%" PRId64 "\"", v->u.i64);
        break;
    case FLOE_V_DECIMAL:
        floe_format_decimal(v->u.dec, v->scale, tmp);
        fprintf(out, "\"%s\"", tmp);
        break;
    case FLOE_V_DATE:
        floe_format_date(v->u.i32, tmp);
        fprintf(out, "\"%s\"", tmp);
        break;
    default:
        if (floe_value_to_json(v, &b, NULL) != FLOE_OK) {
            die("value to JSON");
        }
        fputs(floe_buf_cstr(&b), out);
    }
    floe_buf_fini(&b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        die("usage: gen_iceberg_rows DIR [--rows N]");
    }
    const char *dir = argv[1];
    int64_t nrows = 4000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rows") == 0) {
            floe_err e = {0};
            check(floe_parse_i64(argv[i + 1], &nrows, &e), &e, "--rows");
        }
    }
    floe_err err = {0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_fileio *io = floe_fileio_local_new(&(floe_local_io_opts){.no_sync = true});

    json_t *sj = json_loads(SCHEMA, 0, NULL);
    const floe_ice_schema *schema;
    check(floe_ice_schema_from_json(a, sj, &schema, &err), &err, "schema");
    json_decref(sj);
    json_t *pj = json_loads("{\"spec-id\":0,\"fields\":[{\"source-id\":2,\"field-id\":1000,"
                            "\"name\":\"cat\",\"transform\":\"identity\"}]}",
                            0, NULL);
    const floe_partition_spec *spec;
    check(floe_partition_spec_from_json(a, pj, false, 0, &spec, &err), &err, "spec");
    json_decref(pj);
    json_t *oj =
        json_loads("{\"order-id\":1,\"fields\":[{\"transform\":\"identity\","
                   "\"source-id\":1,\"direction\":\"desc\",\"null-order\":\"nulls-last\"}]}",
                   0, NULL);
    const floe_sort_order *order;
    check(floe_sort_order_from_json(a, oj, &order, &err), &err, "sort order");
    json_decref(oj);
    floe_kv props[] = {{"write.target-file-size-bytes", "1"},
                       {"write.parquet.row-group-size-bytes", "8192"},
                       {"write.metadata.metrics.column.cat", "full"}};
    char *loc = floe_io_join(dir, "table");
    floe_ice_create_opts co = {.location = loc,
                               .schema = schema,
                               .spec = spec,
                               .sort_order = order,
                               .properties = props,
                               .n_properties = FLOE_ARRAY_LEN(props),
                               .now_ms = 1};
    floe_table_meta *m;
    check(floe_ice_table_create(a, &co, &m, &err), &err, "create table");
    const floe_ice_schema *s = floe_table_meta_current_schema(m);

    floe_ice_write_opts wo = {.table = m, .sort = true};
    floe_ice_writer *w;
    check(floe_ice_writer_new(io, &wo, &w, &err), &err, "writer");

    char *expect_path = floe_io_join(dir, "expect.jsonl");
    FILE *ex = fopen(expect_path, "w");
    if (ex == NULL) {
        die("cannot write %s", expect_path);
    }
    static const char *cats[] = {"alpha", "beta", "gamma"};
    char name[96], tagbuf[4][16];
    for (int64_t i = 0; i < nrows; i++) {
        floe_value items[8], tags[4];
        items[0] = floe_value_long(i);
        items[1] =
            i % 50 == 0 ? floe_value_null() : floe_value_string(cats[i % 3], strlen(cats[i % 3]));
        int nl = snprintf(name, sizeof(name), "entry-%05" PRId64 "-\xc3\xa9t\xc3\xa9-%s",
                          (i * 7919) % 10007, i % 2 ? "long-long-long-tail" : "x");
        items[2] = i % 7 == 0 ? floe_value_null() : floe_value_string(name, (size_t)nl);
        items[3] = i % 13 == 0   ? floe_value_null()
                   : i % 11 == 0 ? floe_value_double(NAN)
                                 : floe_value_double((double)(i - 1500) * 0.25);
        items[4] = i % 19 == 0 ? floe_value_null()
                               : floe_value_decimal((__int128)(i * 137 - 200000), 10, 2);
        items[5] = floe_value_timestamp(INT64_C(1700000000000000) + i * INT64_C(3600000001),
                                        FLOE_UNIT_MICROS, true);
        items[6] = floe_value_date((int32_t)(19000 + i % 400));
        size_t nt = (size_t)(i % 4);
        for (size_t k = 0; k < nt; k++) {
            int tl = snprintf(tagbuf[k], sizeof(tagbuf[k]), "t%" PRId64, (i + (int64_t)k) % 23);
            tags[k] = (i % 5 == 0 && k == 1) ? floe_value_null()
                                             : floe_value_string(tagbuf[k], (size_t)tl);
        }
        items[7] = (floe_value){.kind = FLOE_V_LIST};
        items[7].u.nested.items = tags;
        items[7].u.nested.n = nt;
        if (i % 17 == 0) {
            items[7] = floe_value_null();
        }
        floe_value row = {.kind = FLOE_V_STRUCT};
        row.u.nested.items = items;
        row.u.nested.n = 8;
        check(floe_ice_writer_write_row(w, &row, &err), &err, "write row");

        static const char *names[] = {"id", "cat", "name", "score", "price", "ts_us", "day"};
        fputc('{', ex);
        for (size_t c = 0; c < 7; c++) {
            fprintf(ex, "%s\"%s\":", c ? "," : "", names[c]);
            plain(ex, &items[c]);
        }
        fputs(",\"tags\":", ex);
        if (items[7].kind == FLOE_V_NULL) {
            fputs("null", ex);
        } else {
            fputc('[', ex);
            for (size_t k = 0; k < nt; k++) {
                fputs(k ? "," : "", ex);
                plain(ex, &tags[k]);
            }
            fputc(']', ex);
        }
        fputs("}\n", ex);
    }
    fclose(ex);
    const floe_data_file *files;
    size_t n;
    check(floe_ice_writer_close(w, a, &files, &n, &err), &err, "close");
    floe_ice_writer_free(w);

    printf("{\"files\":[");
    for (size_t i = 0; i < n; i++) {
        const floe_data_file *f = &files[i];
        printf("%s{\"path\":\"%s\",\"record_count\":%" PRId64 ",\"file_size\":%" PRId64
               ",\"sort_order_id\":%d,\"partition\":",
               i ? "," : "", f->file_path, f->record_count, f->file_size_in_bytes,
               f->has_sort_order_id ? f->sort_order_id : -1);
        plain(stdout, &f->partition.u.nested.items[0]);
        printf(",\"split_offsets\":[");
        for (size_t k = 0; k < f->n_split_offsets; k++) {
            printf("%s%" PRId64, k ? "," : "", f->split_offsets[k]);
        }
        printf("],\"metrics\":{");
        for (int32_t id = 1; id <= 9; id++) {
            const floe_ice_field *fld = floe_ice_schema_find_id(s, id);
            int64_t vc = -1, nc = -1, nan = -1, cs = -1;
            for (size_t k = 0; k < f->n_column_sizes; k++) {
                if (f->column_sizes[k].field_id == id) {
                    cs = f->column_sizes[k].value;
                }
            }
            floe_data_file_value_count(f, id, &vc);
            floe_data_file_null_count(f, id, &nc);
            bool has_nan = floe_data_file_nan_count(f, id, &nan);
            printf("%s\"%d\":{\"column_size\":%" PRId64 ",\"value_count\":%" PRId64
                   ",\"null_count\":%" PRId64,
                   id > 1 ? "," : "", id, cs, vc, nc);
            if (has_nan) {
                printf(",\"nan_count\":%" PRId64, nan);
            }
            floe_str lb, ub;
            floe_value v;
            if (floe_data_file_lower_bound(f, id, &lb)) {
                check(floe_ice_value_from_bytes(fld->type, lb, &v, &err), &err, "lower bound");
                printf(",\"lower\":");
                plain(stdout, &v);
            }
            if (floe_data_file_upper_bound(f, id, &ub)) {
                check(floe_ice_value_from_bytes(fld->type, ub, &v, &err), &err, "upper bound");
                printf(",\"upper\":");
                plain(stdout, &v);
            }
            printf("}");
        }
        printf("}}");
    }
    printf("]}\n");
    free(expect_path);
    free(loc);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
