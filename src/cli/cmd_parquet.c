/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe parquet`: look inside Parquet files with floe's own codec.
 *
 *   cat FILE     rows as canonical JSON (include/floe/value.h), one per line
 *   schema FILE  the schema tree in Parquet's message syntax, with field ids
 *   meta FILE    the footer as JSON: row groups, column chunks, statistics, page index
 *
 * A file that cannot be read is reported as "floe: FILE: <what and where>" with exit status 1.
 */
#include "cli.h"

#include "floe/io.h"
#include "floe/parquet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OUT_FLUSH_BYTES ((size_t)1 << 20)

static const char parquet_usage[] =
    "Usage: floe parquet cat FILE [--columns A,B,...] [--limit N]\n"
    "       floe parquet schema FILE\n"
    "       floe parquet meta FILE\n"
    "       floe parquet rewrite IN... -o OUT [options]   (see below)\n"
    "\n"
    "Read Parquet files with floe's own codec.\n"
    "\n"
    "Subcommands:\n"
    "  cat      print rows as canonical JSON, one object per line (top-level columns in\n"
    "           file order; nested values, decimals, dates and timestamps as in `floe table\n"
    "           scan`)\n"
    "  schema   print the schema tree: repetition, physical type, logical type, field id\n"
    "  meta     print the footer as JSON: version, rows, created_by, key-value metadata,\n"
    "           schema, row groups with every column chunk (encodings, codec, sizes,\n"
    "           offsets, statistics, page index locations)\n"
    "\n"
    "Options of cat:\n"
    "  --columns A,B   only these top-level columns, in this order\n"
    "  --limit N       stop after N rows\n"
    "\n"
    "FILE is a local path or a file: URI. Exit status: 0 success, 1 the file could not be\n"
    "read (corrupt, truncated or unsupported), 2 usage error.\n";

/* ==== Shared helpers ==== */

typedef struct pq_open {
    floe_fileio *io;
    floe_pq_reader *r;
} pq_open;

static int open_file(const char *file, pq_open *o)
{
    floe_err err = {0};
    o->io = floe_fileio_local_new(NULL);
    o->r = NULL;
    if (floe_pq_reader_open(o->io, file, NULL, &o->r, &err) != FLOE_OK) {
        floe_fileio_free(o->io);
        o->io = NULL;
        return cli_fail(file, &err);
    }
    return CLI_EXIT_OK;
}

static void close_file(pq_open *o)
{
    floe_pq_reader_close(o->r);
    floe_fileio_free(o->io);
}

/* ==== cat ==== */

static const floe_pq_node *find_top(const floe_pq_schema *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->root->n_children; i++) {
        const char *n = s->root->children[i]->name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            return s->root->children[i];
        }
    }
    return NULL;
}

static int parse_columns(const char *file, const floe_pq_schema *s, const char *spec,
                         floe_vec *fields)
{
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const floe_pq_node *f = find_top(s, p, len);
        if (f == NULL) {
            cli_error(file, "no top-level column '%.*s'", (int)len, p);
            return CLI_EXIT_USAGE;
        }
        for (size_t i = 0; i < fields->n; i++) {
            if (*FLOE_VEC_AT(fields, const floe_pq_node *, i) == f) {
                cli_error(file, "column '%s' is listed twice", f->name);
                return CLI_EXIT_USAGE;
            }
        }
        floe_vec_push_copy(fields, &f);
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    return CLI_EXIT_OK;
}

static int cat_rows(const char *file, floe_pq_reader *r, const floe_vec *fields, uint64_t limit)
{
    floe_err err = {0};
    floe_vec leaves;
    floe_vec_init(&leaves, sizeof(int32_t));
    for (size_t i = 0; i < fields->n; i++) {
        floe_pq_node_leaves(*FLOE_VEC_AT(fields, const floe_pq_node *, i), &leaves);
    }
    floe_pq_scan_opts so = {.columns = leaves.data, .n_columns = leaves.n};
    floe_pq_scan *scan = NULL;
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_buf out;
    floe_buf_init(&out, 0);
    int rc = CLI_EXIT_OK;
    uint64_t printed = 0;
    floe_status st = FLOE_OK;
    if (limit > 0) {
        st = floe_pq_scan_new(r, &so, &scan, &err);
    }
    while (st == FLOE_OK && printed < limit) {
        const floe_pq_batch *b;
        st = floe_pq_scan_next(scan, &b, &err);
        if (st != FLOE_OK || b == NULL) {
            break;
        }
        floe_arena_reset(a);
        floe_pq_assembler *as;
        st = floe_pq_assembler_new(b, fields->data, fields->n, a, &as, &err);
        for (size_t i = 0; st == FLOE_OK && i < b->n_rows && printed < limit; i++) {
            floe_value row;
            st = floe_pq_assembler_next(as, &row, &err);
            if (st == FLOE_OK) {
                st = floe_value_to_json(&row, &out, &err);
            }
            if (st == FLOE_OK) {
                st = floe_buf_append_byte(&out, '\n', &err);
            }
            if (st != FLOE_OK) {
                floe_err_wrap(&err, "row %lld", (long long)(b->first_row + (int64_t)i));
            }
            printed++;
            if (out.len >= OUT_FLUSH_BYTES && !cli_flush_stdout(&out)) {
                st = floe_err_errno(&err, errno, "writing to standard output");
            }
        }
    }
    if (st == FLOE_OK && !cli_flush_stdout(&out)) {
        st = floe_err_errno(&err, errno, "writing to standard output");
    }
    if (st != FLOE_OK) {
        cli_flush_stdout(&out);
        rc = cli_fail(file, &err);
    }
    floe_buf_fini(&out);
    floe_arena_free(a);
    floe_pq_scan_free(scan);
    floe_vec_fini(&leaves);
    return rc;
}

static int run_cat(int argc, char **argv)
{
    const char *file = NULL, *columns = NULL, *limit_s = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--columns") == 0 || strcmp(a, "--limit") == 0) {
            if (i + 1 >= argc) {
                return cli_usage_error("parquet", "%s needs a value", a);
            }
            *(a[2] == 'c' ? &columns : &limit_s) = argv[++i];
        } else if (strncmp(a, "--columns=", 10) == 0) {
            columns = a + 10;
        } else if (strncmp(a, "--limit=", 8) == 0) {
            limit_s = a + 8;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("parquet", "unknown option '%s' for cat", a);
        } else if (file == NULL) {
            file = a;
        } else {
            return cli_usage_error("parquet", "cat takes one FILE");
        }
    }
    if (file == NULL) {
        return cli_usage_error("parquet", "cat needs a FILE");
    }
    uint64_t limit = UINT64_MAX;
    if (limit_s != NULL) {
        floe_err err = {0};
        if (floe_parse_u64(limit_s, &limit, &err) != FLOE_OK) {
            return cli_usage_error("parquet", "--limit: %s", err.msg);
        }
    }
    pq_open o;
    int rc = open_file(file, &o);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const floe_pq_schema *s = floe_pq_reader_schema(o.r);
    floe_vec fields;
    floe_vec_init(&fields, sizeof(const floe_pq_node *));
    if (columns != NULL) {
        rc = parse_columns(file, s, columns, &fields);
    } else {
        for (size_t i = 0; i < s->root->n_children; i++) {
            floe_vec_push_copy(&fields, &s->root->children[i]);
        }
    }
    if (rc == CLI_EXIT_OK) {
        rc = cat_rows(file, o.r, &fields, limit);
    }
    floe_vec_fini(&fields);
    close_file(&o);
    return rc;
}

/* ==== Names for schema and meta ==== */

static const char *converted_name(int32_t ct)
{
    static const char *const names[] = {"UTF8",
                                        "MAP",
                                        "MAP_KEY_VALUE",
                                        "LIST",
                                        "ENUM",
                                        "DECIMAL",
                                        "DATE",
                                        "TIME_MILLIS",
                                        "TIME_MICROS",
                                        "TIMESTAMP_MILLIS",
                                        "TIMESTAMP_MICROS",
                                        "UINT_8",
                                        "UINT_16",
                                        "UINT_32",
                                        "UINT_64",
                                        "INT_8",
                                        "INT_16",
                                        "INT_32",
                                        "INT_64",
                                        "JSON",
                                        "BSON",
                                        "INTERVAL"};
    return ct >= 0 && (size_t)ct < FLOE_ARRAY_LEN(names) ? names[ct] : "UNKNOWN";
}

static const char *unit_name(floe_time_unit u)
{
    return u == FLOE_UNIT_MILLIS ? "MILLIS" : u == FLOE_UNIT_NANOS ? "NANOS" : "MICROS";
}

static const char *repetition_name(floe_pq_repetition r)
{
    return r == FLOE_PQ_OPTIONAL ? "optional" : r == FLOE_PQ_REPEATED ? "repeated" : "required";
}

/* The logical annotation as Parquet's schema syntax writes it; "" when there is none. */
static void logical_text(const floe_pq_node *n, char *out, size_t cap)
{
    const floe_pq_logical *lt = &n->logical;
    const char *t = "";
    switch (lt->kind) {
    case FLOE_PQ_LT_NONE:
        break;
    case FLOE_PQ_LT_STRING:
        t = "STRING";
        break;
    case FLOE_PQ_LT_MAP:
        t = n->converted_type == 2 ? "MAP_KEY_VALUE" : "MAP";
        break;
    case FLOE_PQ_LT_LIST:
        t = "LIST";
        break;
    case FLOE_PQ_LT_ENUM:
        t = "ENUM";
        break;
    case FLOE_PQ_LT_DECIMAL:
        snprintf(out, cap, "DECIMAL(%d,%d)", lt->precision, lt->scale);
        return;
    case FLOE_PQ_LT_DATE:
        t = "DATE";
        break;
    case FLOE_PQ_LT_TIME:
    case FLOE_PQ_LT_TIMESTAMP:
        snprintf(out, cap, "%s(%s,%s)", lt->kind == FLOE_PQ_LT_TIME ? "TIME" : "TIMESTAMP",
                 unit_name(lt->unit), lt->utc ? "true" : "false");
        return;
    case FLOE_PQ_LT_INTEGER:
        snprintf(out, cap, "INTEGER(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false");
        return;
    case FLOE_PQ_LT_UNKNOWN:
        t = "UNKNOWN";
        break;
    case FLOE_PQ_LT_JSON:
        t = "JSON";
        break;
    case FLOE_PQ_LT_BSON:
        t = "BSON";
        break;
    case FLOE_PQ_LT_UUID:
        t = "UUID";
        break;
    case FLOE_PQ_LT_FLOAT16:
        t = "FLOAT16";
        break;
    case FLOE_PQ_LT_INTERVAL:
        t = "INTERVAL";
        break;
    case FLOE_PQ_LT_OTHER:
        t = "OTHER";
        break;
    }
    snprintf(out, cap, "%s", t);
}

/* ==== schema ==== */

static void print_node(floe_buf *b, const floe_pq_node *n, int depth)
{
    char lt[64];
    logical_text(n, lt, sizeof(lt));
    floe_buf_printf(b, NULL, "%*s%s ", depth * 2, "", repetition_name(n->repetition));
    if (n->is_leaf) {
        static const char *const types[] = {"boolean", "int32",  "int64",  "int96",
                                            "float",   "double", "binary", "fixed_len_byte_array"};
        floe_buf_append_str(b, types[n->type], NULL);
        if (n->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            floe_buf_printf(b, NULL, "(%d)", n->type_length);
        }
    } else {
        floe_buf_append_str(b, "group", NULL);
    }
    floe_buf_printf(b, NULL, " %s", n->name);
    if (lt[0] != '\0') {
        floe_buf_printf(b, NULL, " (%s)", lt);
    }
    if (n->has_field_id) {
        floe_buf_printf(b, NULL, " = %d", n->field_id);
    }
    if (n->is_leaf) {
        floe_buf_append_str(b, ";\n", NULL);
        return;
    }
    floe_buf_append_str(b, " {\n", NULL);
    for (size_t i = 0; i < n->n_children; i++) {
        print_node(b, n->children[i], depth + 1);
    }
    floe_buf_printf(b, NULL, "%*s}\n", depth * 2, "");
}

static int run_schema(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') {
        return cli_usage_error("parquet", "schema takes exactly one FILE");
    }
    pq_open o;
    int rc = open_file(argv[2], &o);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const floe_pq_node *root = floe_pq_reader_schema(o.r)->root;
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_buf_printf(&b, NULL, "message %s {\n", root->name);
    for (size_t i = 0; i < root->n_children; i++) {
        print_node(&b, root->children[i], 1);
    }
    floe_buf_append_str(&b, "}\n", NULL);
    cli_flush_stdout(&b);
    floe_buf_fini(&b);
    close_file(&o);
    return CLI_EXIT_OK;
}

/* ==== meta: a small indenting JSON writer ==== */

#define JW_MAX_DEPTH 16

typedef struct jw {
    floe_buf *b;
    int depth;
    bool first[JW_MAX_DEPTH];
    bool after_key;
} jw;

static void jw_newline(jw *w)
{
    floe_buf_printf(w->b, NULL, "\n%*s", w->depth * 2, "");
}

static void jw_pre(jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) {
        floe_buf_append_byte(w->b, ',', NULL);
    }
    w->first[w->depth] = false;
    if (w->depth > 0) {
        jw_newline(w);
    }
}

static void jw_open(jw *w, char c)
{
    jw_pre(w);
    floe_buf_append_byte(w->b, (uint8_t)c, NULL);
    w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(jw *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty) {
        jw_newline(w);
    }
    floe_buf_append_byte(w->b, (uint8_t)c, NULL);
}

static void jw_key(jw *w, const char *k)
{
    jw_pre(w);
    floe_json_append_string(w->b, k, strlen(k), NULL);
    floe_buf_append_str(w->b, ": ", NULL);
    w->after_key = true;
}

static void jw_int(jw *w, const char *k, int64_t v)
{
    jw_key(w, k);
    jw_pre(w);
    floe_buf_printf(w->b, NULL, "%lld", (long long)v);
}

static void jw_bool(jw *w, const char *k, bool v)
{
    jw_key(w, k);
    jw_pre(w);
    floe_buf_append_str(w->b, v ? "true" : "false", NULL);
}

static void jw_strv(jw *w, const char *v)
{
    jw_pre(w);
    if (v == NULL) {
        floe_buf_append_str(w->b, "null", NULL);
    } else {
        floe_json_append_string(w->b, v, strlen(v), NULL);
    }
}

static void jw_str(jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    jw_strv(w, v);
}

static void jw_kv_list(jw *w, const char *k, const floe_pq_kv *kv, size_t n)
{
    jw_key(w, k);
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        jw_open(w, '{');
        jw_str(w, "key", kv[i].key);
        jw_str(w, "value", kv[i].value);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void jw_stat(jw *w, const char *k, const floe_pq_node *leaf, floe_str plain)
{
    floe_value v;
    jw_key(w, k);
    jw_pre(w);
    if (floe_pq_stat_value(leaf, plain, &v)) {
        floe_value_to_json(&v, w->b, NULL);
    } else {
        floe_buf_append_str(w->b, "null", NULL);
    }
    /* The raw bytes too: truncated or malformed bounds stay visible. */
    char *hex = floe_xmalloc(plain.len * 2 + 1);
    floe_hex_encode(plain.ptr, plain.len, hex);
    char key[32];
    snprintf(key, sizeof(key), "%s_hex", k);
    jw_str(w, key, hex);
    free(hex);
}

static void meta_schema_node(jw *w, const floe_pq_node *n, floe_arena *a)
{
    jw_open(w, '{');
    jw_str(w, "path", floe_pq_node_path(n, a));
    jw_str(w, "name", n->name);
    jw_str(w, "repetition",
           n->repetition == FLOE_PQ_OPTIONAL   ? "OPTIONAL"
           : n->repetition == FLOE_PQ_REPEATED ? "REPEATED"
                                               : "REQUIRED");
    if (n->is_leaf) {
        jw_str(w, "type", floe_pq_type_name(n->type));
        if (n->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            jw_int(w, "type_length", n->type_length);
        }
    } else {
        jw_int(w, "num_children", (int64_t)n->n_children);
    }
    char lt[64];
    logical_text(n, lt, sizeof(lt));
    if (lt[0] != '\0') {
        jw_str(w, "logical_type", lt);
    }
    if (n->converted_type >= 0) {
        jw_str(w, "converted_type", converted_name(n->converted_type));
    }
    if (n->has_field_id) {
        jw_int(w, "field_id", n->field_id);
    }
    if (n->is_leaf) {
        jw_int(w, "column_index", n->leaf_index);
    }
    jw_int(w, "max_definition_level", n->max_def);
    jw_int(w, "max_repetition_level", n->max_rep);
    jw_close(w, '}');
    for (size_t i = 0; i < n->n_children; i++) {
        meta_schema_node(w, n->children[i], a);
    }
}

static void meta_column(jw *w, const floe_pq_column_chunk *cc, const floe_pq_node *leaf,
                        floe_arena *a)
{
    static const char *const page_types[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE",
                                             "DATA_PAGE_V2"};
    jw_open(w, '{');
    jw_str(w, "path", floe_pq_node_path(leaf, a));
    jw_str(w, "type", floe_pq_type_name(cc->type));
    jw_key(w, "encodings");
    jw_open(w, '[');
    for (size_t i = 0; i < cc->n_encodings; i++) {
        jw_strv(w, floe_pq_encoding_name(cc->encodings[i]));
    }
    jw_close(w, ']');
    jw_str(w, "codec", floe_pq_codec_name(cc->codec));
    jw_int(w, "num_values", cc->num_values);
    jw_int(w, "total_compressed_size", cc->total_compressed_size);
    jw_int(w, "total_uncompressed_size", cc->total_uncompressed_size);
    jw_int(w, "data_page_offset", cc->data_page_offset);
    if (cc->has_dictionary_page_offset) {
        jw_int(w, "dictionary_page_offset", cc->dictionary_page_offset);
    }
    if (cc->has_index_page_offset) {
        jw_int(w, "index_page_offset", cc->index_page_offset);
    }
    jw_int(w, "file_offset", cc->file_offset);
    if (cc->file_path != NULL) {
        jw_str(w, "file_path", cc->file_path);
    }
    if (cc->has_stats) {
        const floe_pq_stats *st = &cc->stats;
        jw_key(w, "statistics");
        jw_open(w, '{');
        if (st->has_null_count) {
            jw_int(w, "null_count", st->null_count);
        }
        if (st->has_distinct_count) {
            jw_int(w, "distinct_count", st->distinct_count);
        }
        if (st->has_nan_count) {
            jw_int(w, "nan_count", st->nan_count);
        }
        if (st->has_min) {
            jw_stat(w, "min", leaf, st->min);
        }
        if (st->has_max) {
            jw_stat(w, "max", leaf, st->max);
        }
        if (st->has_min_exact) {
            jw_bool(w, "min_exact", st->min_exact);
        }
        if (st->has_max_exact) {
            jw_bool(w, "max_exact", st->max_exact);
        }
        if (st->legacy_minmax) {
            jw_bool(w, "deprecated_min_max", true);
        }
        jw_close(w, '}');
    }
    if (cc->n_encoding_stats > 0) {
        jw_key(w, "encoding_stats");
        jw_open(w, '[');
        for (size_t i = 0; i < cc->n_encoding_stats; i++) {
            const floe_pq_page_encoding_stats *es = &cc->encoding_stats[i];
            jw_open(w, '{');
            int32_t pt = es->page_type;
            jw_str(w, "page_type", pt >= 0 && pt < 4 ? page_types[pt] : "UNKNOWN");
            jw_str(w, "encoding", floe_pq_encoding_name(es->encoding));
            jw_int(w, "count", es->count);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    if (cc->has_bloom_filter) {
        jw_key(w, "bloom_filter");
        jw_open(w, '{');
        jw_int(w, "offset", cc->bloom_filter_offset);
        if (cc->bloom_filter_length > 0) {
            jw_int(w, "length", cc->bloom_filter_length);
        }
        jw_close(w, '}');
    }
    if (cc->has_offset_index) {
        jw_key(w, "offset_index");
        jw_open(w, '{');
        jw_int(w, "offset", cc->offset_index_offset);
        jw_int(w, "length", cc->offset_index_length);
        jw_close(w, '}');
    }
    if (cc->has_column_index) {
        jw_key(w, "column_index");
        jw_open(w, '{');
        jw_int(w, "offset", cc->column_index_offset);
        jw_int(w, "length", cc->column_index_length);
        jw_close(w, '}');
    }
    if (cc->n_kv > 0) {
        jw_kv_list(w, "key_value_metadata", cc->kv, cc->n_kv);
    }
    jw_close(w, '}');
}

static void meta_json(jw *w, const floe_pq_reader *r, floe_arena *a)
{
    const floe_pq_file_meta *m = floe_pq_reader_meta(r);
    jw_open(w, '{');
    jw_int(w, "file_size", (int64_t)floe_pq_reader_file_size(r));
    jw_int(w, "footer_length", (int64_t)m->footer_length);
    jw_int(w, "version", m->version);
    jw_int(w, "num_rows", m->num_rows);
    jw_str(w, "created_by", m->created_by);
    jw_kv_list(w, "key_value_metadata", m->kv, m->n_kv);
    jw_key(w, "schema");
    jw_open(w, '[');
    meta_schema_node(w, m->schema.root, a);
    jw_close(w, ']');
    if (m->n_column_orders > 0) {
        jw_key(w, "column_orders");
        jw_open(w, '[');
        for (size_t i = 0; i < m->n_column_orders; i++) {
            jw_strv(w, m->type_defined_order[i] ? "TYPE_DEFINED_ORDER" : "UNDEFINED");
        }
        jw_close(w, ']');
    }
    jw_key(w, "row_groups");
    jw_open(w, '[');
    for (size_t g = 0; g < m->n_row_groups; g++) {
        const floe_pq_row_group *rg = &m->row_groups[g];
        jw_open(w, '{');
        jw_int(w, "num_rows", rg->num_rows);
        jw_int(w, "total_byte_size", rg->total_byte_size);
        if (rg->has_total_compressed_size) {
            jw_int(w, "total_compressed_size", rg->total_compressed_size);
        }
        if (rg->has_file_offset) {
            jw_int(w, "file_offset", rg->file_offset);
        }
        if (rg->has_ordinal) {
            jw_int(w, "ordinal", rg->ordinal);
        }
        if (rg->n_sorting_columns > 0) {
            jw_key(w, "sorting_columns");
            jw_open(w, '[');
            for (size_t i = 0; i < rg->n_sorting_columns; i++) {
                jw_open(w, '{');
                jw_int(w, "column_idx", rg->sorting_columns[i].column_idx);
                jw_bool(w, "descending", rg->sorting_columns[i].descending);
                jw_bool(w, "nulls_first", rg->sorting_columns[i].nulls_first);
                jw_close(w, '}');
            }
            jw_close(w, ']');
        }
        jw_key(w, "columns");
        jw_open(w, '[');
        for (size_t c = 0; c < rg->n_columns; c++) {
            meta_column(w, &rg->columns[c], m->schema.leaves[c], a);
        }
        jw_close(w, ']');
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
    floe_buf_append_byte(w->b, '\n', NULL);
}

static int run_meta(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') {
        return cli_usage_error("parquet", "meta takes exactly one FILE");
    }
    pq_open o;
    int rc = open_file(argv[2], &o);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    floe_buf b;
    floe_buf_init(&b, 0);
    jw w = {.b = &b, .first = {true}};
    meta_json(&w, o.r, a);
    cli_flush_stdout(&b);
    floe_buf_fini(&b);
    floe_arena_free(a);
    close_file(&o);
    return CLI_EXIT_OK;
}

/* ==== Dispatch ==== */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"cat", run_cat},
    {"schema", run_schema},
    {"meta", run_meta},
    {"rewrite", cli_parquet_rewrite},
};

static int run_parquet(int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage_error("parquet", "missing subcommand (cat, schema, meta or rewrite)");
    }
    for (size_t i = 0; i < FLOE_ARRAY_LEN(subcommands); i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].run(argc, argv);
        }
    }
    return cli_usage_error("parquet", "unknown subcommand '%s'", argv[1]);
}

const cli_command cli_cmd_parquet = {
    .name = "parquet",
    .summary = "look inside and rewrite Parquet files (cat, schema, meta, rewrite)",
    .usage = parquet_usage,
    .usage_more = cli_parquet_rewrite_usage,
    .run = run_parquet,
};
