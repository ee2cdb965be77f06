/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe table create`: a new filesystem table from an Iceberg schema (JSON) or the columns of
 * a Parquet file, with an optional partition spec and sort order written as SQL-like terms
 * ("day(ts), bucket(16, id)", "id DESC NULLS LAST") and table properties. The library builds
 * the metadata as catalogs do (fresh ids, format version 2 unless a property says otherwise).
 */
#include "cmd_table_int.h"

#include "floe/parquet.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ==== Terms: "col", "fn(col)", "fn(N, col)" ==== */

typedef struct term {
    char *fn; /* NULL for a bare column */
    char *col;
    char *param; /* the numeric argument of bucket/truncate, or NULL */
    char *rest;  /* words after the term (sort direction and null order) */
} term;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

/* The next space-separated word of *p (NUL-terminated in place), or NULL at the end. */
static char *next_word(char **p)
{
    char *s = *p;
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (*s == '\0') {
        return NULL;
    }
    char *w = s;
    while (*s != '\0' && !isspace((unsigned char)*s)) {
        s++;
    }
    if (*s != '\0') {
        *s++ = '\0';
    }
    *p = s;
    return w;
}

static bool is_number(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!isdigit((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

/* Split "a, f(b, c), d" at the commas outside parentheses, into terms. */
static floe_status split_terms(floe_arena *a, const char *what, const char *text, term **out,
                               size_t *n, floe_err *err)
{
    char *s = floe_arena_strdup(a, text);
    size_t cap = 1;
    for (const char *p = text; *p != '\0'; p++) {
        cap += *p == ',';
    }
    term *ts = floe_arena_calloc(a, cap, sizeof(*ts));
    if (s == NULL || ts == NULL) {
        return floe_arena_check(a, err);
    }
    *n = 0;
    char *start = s;
    int depth = 0;
    for (char *p = s;; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        }
        if (depth < 0) {
            return floe_err_set(err, FLOE_ERR_USAGE, "%s: unbalanced ')' in '%s'", what, text);
        }
        if (*p != '\0' && !(*p == ',' && depth == 0)) {
            continue;
        }
        bool end = *p == '\0';
        *p = '\0';
        char *t = trim(start);
        if (*t == '\0') {
            return floe_err_set(err, FLOE_ERR_USAGE, "%s: empty term in '%s'", what, text);
        }
        term *tm = &ts[(*n)++];
        char *open = strchr(t, '(');
        if (open == NULL) {
            char *sp = t;
            while (*sp != '\0' && !isspace((unsigned char)*sp)) {
                sp++;
            }
            tm->rest = *sp != '\0' ? trim(sp + 1) : sp;
            *sp = '\0';
            tm->col = t;
        } else {
            char *close = strrchr(t, ')');
            if (depth != 0 || close == NULL || close < open) {
                return floe_err_set(err, FLOE_ERR_USAGE, "%s: unbalanced '(' in '%s'", what, t);
            }
            *open = '\0';
            *close = '\0';
            tm->fn = trim(t);
            tm->rest = trim(close + 1);
            char *args = open + 1;
            char *comma = strchr(args, ',');
            if (comma == NULL) {
                tm->col = trim(args);
            } else {
                *comma = '\0';
                char *x = trim(args), *y = trim(comma + 1);
                bool xn = is_number(x);
                tm->param = xn ? x : y; /* bucket(16, id) and Spark's truncate(id, 4) */
                tm->col = xn ? y : x;
            }
        }
        if (*tm->col == '\0') {
            return floe_err_set(err, FLOE_ERR_USAGE, "%s: a term without a column in '%s'", what,
                                text);
        }
        if (end) {
            break;
        }
        start = p + 1;
    }
    *out = ts;
    return FLOE_OK;
}

/* The transform of a term and its partition field name suffix (Java's defaults). */
static floe_status term_transform(floe_arena *a, const char *what, const term *t,
                                  floe_ice_transform *tr, const char **suffix, floe_err *err)
{
    static const struct {
        const char *fn;
        const char *suffix;
        bool param;
    } FNS[] = {
        {"identity", NULL, false},  {"bucket", "bucket", true}, {"truncate", "trunc", true},
        {"year", "year", false},    {"years", "year", false},   {"month", "month", false},
        {"months", "month", false}, {"day", "day", false},      {"days", "day", false},
        {"date", "day", false},     {"hour", "hour", false},    {"hours", "hour", false},
        {"void", "null", false},
    };
    const char *fn = t->fn != NULL ? t->fn : "identity";
    for (size_t i = 0; i < FLOE_ARRAY_LEN(FNS); i++) {
        if (strcasecmp(fn, FNS[i].fn) != 0) {
            continue;
        }
        if (FNS[i].param != (t->param != NULL)) {
            return floe_err_set(err, FLOE_ERR_USAGE, "%s: %s(%s%s) %s", what, fn,
                                FNS[i].param ? "N, " : "", t->col,
                                FNS[i].param ? "needs a number" : "takes one column");
        }
        const char *text = FNS[i].param ? floe_arena_sprintf(a, "%s[%s]", FNS[i].fn, t->param)
                                        : floe_arena_strdup(a, FNS[i].fn);
        floe_status st = floe_ice_transform_parse(a, text, tr, err);
        if (st == FLOE_OK && tr->kind == FLOE_ICE_T_UNKNOWN) {
            st = floe_err_set(err, FLOE_ERR_USAGE, "%s: unknown transform '%s'", what, fn);
        }
        *suffix = FNS[i].suffix;
        if (st == FLOE_ERR_INVALID) {
            err->code = FLOE_ERR_USAGE;
            st = FLOE_ERR_USAGE;
        }
        return st;
    }
    return floe_err_set(err, FLOE_ERR_USAGE,
                        "%s: unknown transform '%s' (identity, year, month, day, hour, bucket, "
                        "truncate, void)",
                        what, fn);
}

static floe_status source_id(const floe_ice_schema *s, const char *what, const char *col,
                             int32_t *out, floe_err *err)
{
    const floe_ice_field *f = floe_ice_schema_find_name(s, col);
    if (f == NULL) {
        return floe_err_set(err, FLOE_ERR_USAGE, "%s: no column '%s' in the schema", what, col);
    }
    *out = f->id;
    return FLOE_OK;
}

static floe_status parse_partition(floe_arena *a, const char *text, const floe_ice_schema *s,
                                   const floe_partition_spec **out, floe_err *err)
{
    term *ts = NULL;
    size_t n = 0;
    floe_status st = split_terms(a, "--partition", text, &ts, &n, err);
    floe_partition_field *fs = st == FLOE_OK ? floe_arena_calloc(a, n, sizeof(*fs)) : NULL;
    floe_partition_spec *sp = floe_arena_calloc(a, 1, sizeof(*sp));
    if (st == FLOE_OK && (fs == NULL || sp == NULL)) {
        st = floe_arena_check(a, err);
    }
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        const char *suffix = NULL;
        if (*ts[i].rest != '\0') {
            return floe_err_set(err, FLOE_ERR_USAGE, "--partition: unexpected '%s'", ts[i].rest);
        }
        st = term_transform(a, "--partition", &ts[i], &fs[i].transform, &suffix, err);
        if (st == FLOE_OK) {
            st = source_id(s, "--partition", ts[i].col, &fs[i].source_id, err);
        }
        fs[i].field_id = -1;
        fs[i].name = suffix == NULL ? floe_arena_strdup(a, ts[i].col)
                                    : floe_arena_sprintf(a, "%s_%s", ts[i].col, suffix);
    }
    if (st == FLOE_OK) {
        sp->spec_id = 0;
        sp->fields = fs;
        sp->n_fields = n;
        st = floe_partition_spec_validate(sp, s, err);
        if (st == FLOE_ERR_INVALID) {
            err->code = FLOE_ERR_USAGE;
            st = FLOE_ERR_USAGE;
        }
    }
    *out = sp;
    return st;
}

static floe_status parse_sort(floe_arena *a, const char *text, const floe_ice_schema *s,
                              const floe_sort_order **out, floe_err *err)
{
    term *ts = NULL;
    size_t n = 0;
    floe_status st = split_terms(a, "--sort", text, &ts, &n, err);
    floe_sort_field *fs = st == FLOE_OK ? floe_arena_calloc(a, n, sizeof(*fs)) : NULL;
    floe_sort_order *so = floe_arena_calloc(a, 1, sizeof(*so));
    if (st == FLOE_OK && (fs == NULL || so == NULL)) {
        st = floe_arena_check(a, err);
    }
    for (size_t i = 0; st == FLOE_OK && i < n; i++) {
        const char *suffix = NULL;
        st = term_transform(a, "--sort", &ts[i], &fs[i].transform, &suffix, err);
        if (st == FLOE_OK) {
            st = source_id(s, "--sort", ts[i].col, &fs[i].source_id, err);
        }
        /* [ASC|DESC] [NULLS FIRST|LAST]; nulls first for ASC and last for DESC by default. */
        char *words = ts[i].rest;
        bool desc = false, has_nulls = false, nulls_last = false;
        char *w = next_word(&words);
        if (w != NULL && (strcasecmp(w, "asc") == 0 || strcasecmp(w, "desc") == 0)) {
            desc = strcasecmp(w, "desc") == 0;
            w = next_word(&words);
        }
        if (w != NULL && strcasecmp(w, "nulls") == 0) {
            w = next_word(&words);
            if (w == NULL || (strcasecmp(w, "first") != 0 && strcasecmp(w, "last") != 0)) {
                return floe_err_set(err, FLOE_ERR_USAGE, "--sort: NULLS needs FIRST or LAST");
            }
            has_nulls = true;
            nulls_last = strcasecmp(w, "last") == 0;
            w = next_word(&words);
        }
        if (st == FLOE_OK && w != NULL) {
            return floe_err_set(err, FLOE_ERR_USAGE, "--sort: unexpected '%s'", w);
        }
        fs[i].direction = desc ? FLOE_SORT_DESC : FLOE_SORT_ASC;
        fs[i].null_order = (has_nulls ? nulls_last : desc) ? FLOE_NULLS_LAST : FLOE_NULLS_FIRST;
    }
    if (st == FLOE_OK) {
        so->order_id = 1;
        so->fields = fs;
        so->n_fields = n;
        st = floe_sort_order_validate(so, s, err);
        if (st == FLOE_ERR_INVALID) {
            err->code = FLOE_ERR_USAGE;
            st = FLOE_ERR_USAGE;
        }
    }
    *out = so;
    return st;
}

/* ==== The schema ==== */

static floe_status schema_from_json_text(floe_arena *a, const char *text,
                                         const floe_ice_schema **out, floe_err *err)
{
    floe_buf file;
    floe_buf_init(&file, 0);
    floe_status st = FLOE_OK;
    if (text[0] == '@') {
        floe_fileio *io = floe_fileio_local_new(NULL);
        st = floe_io_read_file(io, text + 1, (size_t)64 << 20, &file, err);
        floe_fileio_free(io);
        text = floe_buf_cstr(&file);
    }
    json_error_t jerr;
    json_t *j = st == FLOE_OK ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (st == FLOE_OK && j == NULL) {
        st = floe_err_set(err, FLOE_ERR_USAGE, "--schema: not JSON: %s (line %d, column %d)",
                          jerr.text, jerr.line, jerr.column);
    }
    if (st == FLOE_OK) {
        st = floe_ice_schema_from_json(a, j, out, err);
        if (st == FLOE_ERR_INVALID) {
            floe_err_wrap(err, "--schema");
            err->code = FLOE_ERR_USAGE;
            st = FLOE_ERR_USAGE;
        }
    }
    json_decref(j);
    floe_buf_fini(&file);
    return st;
}

static floe_status schema_like(floe_arena *a, const char *file, const floe_ice_schema **out,
                               floe_err *err)
{
    floe_fileio *io = floe_fileio_local_new(NULL);
    floe_pq_reader *r = NULL;
    floe_status st = floe_pq_reader_open(io, file, NULL, &r, err);
    if (st == FLOE_OK) {
        st = floe_ice_schema_from_parquet(a, floe_pq_reader_schema(r), out, err);
    }
    if (st != FLOE_OK) {
        floe_err_wrap(err, "--like %s", file);
    }
    floe_pq_reader_close(r);
    floe_fileio_free(io);
    return st;
}

/* ==== create ==== */

int tbl_run_create(const tbl_args *o)
{
    if ((o->schema != NULL) == (o->like != NULL)) {
        return cli_usage_error(o->ctx, "give one of --schema JSON and --like FILE.parquet");
    }
    if (o->n_maps > 0) {
        return cli_usage_error(o->ctx, "--location-map does not apply to create");
    }
    floe_err err = {0};
    floe_arena *a = floe_arena_new(TBL_ARENA_MAX);
    floe_fileio *io = floe_fileio_local_new(NULL);
    const floe_ice_schema *schema = NULL;
    const floe_partition_spec *spec = NULL;
    const floe_sort_order *order = NULL;
    floe_status st = o->schema != NULL ? schema_from_json_text(a, o->schema, &schema, &err)
                                       : schema_like(a, o->like, &schema, &err);
    if (st == FLOE_OK && o->partition != NULL) {
        st = parse_partition(a, o->partition, schema, &spec, &err);
    }
    if (st == FLOE_OK && o->sort != NULL) {
        st = parse_sort(a, o->sort, schema, &order, &err);
    }
    floe_kv *props = floe_arena_calloc(a, o->n_props + 1, sizeof(*props));
    for (size_t i = 0; props != NULL && i < o->n_props; i++) {
        const char *eq = strchr(o->props[i], '=');
        props[i].key = floe_arena_strndup(a, o->props[i], (size_t)(eq - o->props[i]));
        props[i].value = eq + 1;
    }
    /* An absolute location: the metadata records it and readers elsewhere map it. */
    size_t plen = strlen(o->path);
    while (plen > 1 && o->path[plen - 1] == '/') {
        plen--;
    }
    char *location = floe_arena_strndup(a, o->path, plen);
    if (location[0] != '/' && strncmp(location, "file:", 5) != 0) {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            st = floe_err_errno(&err, errno, "current directory");
        } else {
            location = floe_arena_sprintf(a, "%s/%s", cwd, location);
        }
    }
    floe_table_meta *m = NULL;
    if (st == FLOE_OK) {
        floe_ice_create_opts co = {
            .location = location,
            .schema = schema,
            .spec = spec,
            .sort_order = order,
            .properties = props,
            .n_properties = o->n_props,
            .now_ms = floe_time_now_us() / 1000,
        };
        st = floe_ice_table_create(a, &co, &m, &err);
    }
    floe_ice_catalog cat = {0};
    if (st == FLOE_OK) {
        st = floe_fs_table_create(io, location, m, &cat, &err);
    }
    if (st == FLOE_OK) {
        json_t *j = json_object();
        json_object_set_new(j, "location", json_string(location));
        json_object_set_new(
            j, "metadata-location",
            json_string(floe_arena_sprintf(a, "%s/metadata/v1.metadata.json", location)));
        json_object_set_new(j, "table-uuid", json_string(m->table_uuid));
        json_object_set_new(j, "format-version", json_integer(m->format_version));
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", s != NULL ? s : "{}");
        free(s);
        json_decref(j);
    }
    floe_fs_table_free(&cat);
    floe_fileio_free(io);
    floe_arena_free(a);
    return st == FLOE_OK ? CLI_EXIT_OK : cli_fail(o->ctx, &err);
}
