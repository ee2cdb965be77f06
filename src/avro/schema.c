/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Avro schema parsing (Avro specification 1.12, "Schema Declaration" and "Logical Types"):
 * JSON text -> a tree of floe_avro_node with named types resolved and every decoding decision
 * (the node's op, logical type, minimum encoded size) made once, here, so decoding a million
 * manifest entries does no JSON work. The jansson tree is kept whole and every node points at
 * its piece of it, so no attribute is ever lost.
 */
#include "avro_int.h"

#include <stdarg.h>
#include <stdio.h>

/* ==== Errors with a field path ==== */

typedef struct parser {
    floe_avro_schema *s;
    floe_err *err;
    unsigned flags;
    uint32_t union_stamp;
    int npath;
    const char *path[FLOE_AVRO_MAX_SCHEMA_DEPTH + 2];
} parser;

void avro_format_path(char *out, size_t cap, const char *const *path, int depth)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < depth && len + 1 < cap; i++) {
        int n = snprintf(out + len, cap - len, "%s%s", i ? "." : "", path[i]);
        if (n < 0) {
            break;
        }
        len += (size_t)n;
    }
    if (len >= cap) {
        out[cap - 1] = '\0';
    }
}

static floe_avro_node *fail(parser *p, floe_status code, const char *fmt, ...) FLOE_PRINTF(3, 4);

static floe_avro_node *fail(parser *p, floe_status code, const char *fmt, ...)
{
    char msg[512], where[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    avro_format_path(where, sizeof(where), p->path, p->npath);
    if (where[0] != '\0') {
        floe_err_set(p->err, code, "avro schema: field %s: %s", where, msg);
    } else {
        floe_err_set(p->err, code, "avro schema: %s", msg);
    }
    return NULL;
}

/* ==== Names ==== */

static const char *const type_names[] = {
    [FLOE_AVRO_NULL] = "null",   [FLOE_AVRO_BOOLEAN] = "boolean", [FLOE_AVRO_INT] = "int",
    [FLOE_AVRO_LONG] = "long",   [FLOE_AVRO_FLOAT] = "float",     [FLOE_AVRO_DOUBLE] = "double",
    [FLOE_AVRO_BYTES] = "bytes", [FLOE_AVRO_STRING] = "string",   [FLOE_AVRO_RECORD] = "record",
    [FLOE_AVRO_ENUM] = "enum",   [FLOE_AVRO_ARRAY] = "array",     [FLOE_AVRO_MAP] = "map",
    [FLOE_AVRO_UNION] = "union", [FLOE_AVRO_FIXED] = "fixed",
};

const char *floe_avro_type_name(floe_avro_type t)
{
    return (size_t)t < FLOE_ARRAY_LEN(type_names) ? type_names[t] : "unknown";
}

/* The primitive type called `s`, or -1. */
static int primitive_type(const char *s)
{
    for (int t = FLOE_AVRO_NULL; t <= FLOE_AVRO_STRING; t++) {
        if (strcmp(s, type_names[t]) == 0) {
            return t;
        }
    }
    return -1;
}

/* Avro names: [A-Za-z_][A-Za-z0-9_]* */
static bool valid_name(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && (i == 0 || c < '0' || c > '9')) {
            return false;
        }
    }
    return true;
}

/* Dot-separated names ("com.example.x"); every component must be a name. */
static bool valid_dotted(const char *s)
{
    const char *start = s;
    for (const char *q = s;; q++) {
        if (*q == '.' || *q == '\0') {
            if (!valid_name(start, (size_t)(q - start))) {
                return false;
            }
            if (*q == '\0') {
                return true;
            }
            start = q + 1;
        }
    }
}

static const char *json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An integer given as a JSON integer or a string of decimal digits. */
static bool json_int_like(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v)) {
        return floe_parse_i64(json_string_value(v), out, NULL) == FLOE_OK;
    }
    return false;
}

/* ==== Nodes ==== */

static const uint8_t base_op[] = {
    [FLOE_AVRO_NULL] = OP_NULL,   [FLOE_AVRO_BOOLEAN] = OP_BOOLEAN, [FLOE_AVRO_INT] = OP_INT,
    [FLOE_AVRO_LONG] = OP_LONG,   [FLOE_AVRO_FLOAT] = OP_FLOAT,     [FLOE_AVRO_DOUBLE] = OP_DOUBLE,
    [FLOE_AVRO_BYTES] = OP_BYTES, [FLOE_AVRO_STRING] = OP_STRING,   [FLOE_AVRO_RECORD] = OP_RECORD,
    [FLOE_AVRO_ENUM] = OP_ENUM,   [FLOE_AVRO_ARRAY] = OP_ARRAY,     [FLOE_AVRO_MAP] = OP_MAP,
    [FLOE_AVRO_UNION] = OP_UNION, [FLOE_AVRO_FIXED] = OP_FIXED,
};

static floe_avro_node *new_node(parser *p, floe_avro_type t, const json_t *j)
{
    if (p->s->nodes >= FLOE_AVRO_MAX_SCHEMA_NODES) {
        return fail(p, FLOE_ERR_TOO_BIG, "schema has more than %d types",
                    FLOE_AVRO_MAX_SCHEMA_NODES);
    }
    floe_avro_node *n = floe_arena_calloc(p->s->arena, 1, sizeof(*n));
    if (n == NULL) {
        return fail(p, FLOE_ERR_TOO_BIG, "out of schema memory");
    }
    p->s->nodes++;
    n->type = (uint8_t)t;
    n->op = base_op[t];
    n->json = j;
    n->null_branch = -1;
    n->owner = p->s;
    return n;
}

static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/*
 * The fewest bytes a datum of `n` can take, from its children's minimums. A child that is still
 * being parsed (a recursive reference) counts as 0, which keeps the result a lower bound.
 */
static void finish_node(floe_avro_node *n)
{
    size_t m = 0;
    switch ((floe_avro_type)n->type) {
    case FLOE_AVRO_NULL:
        m = 0;
        break;
    case FLOE_AVRO_BOOLEAN:
    case FLOE_AVRO_INT:
    case FLOE_AVRO_LONG:
    case FLOE_AVRO_BYTES:
    case FLOE_AVRO_STRING:
    case FLOE_AVRO_ENUM:
    case FLOE_AVRO_ARRAY: /* the terminating zero count */
    case FLOE_AVRO_MAP:
        m = 1;
        break;
    case FLOE_AVRO_FLOAT:
        m = 4;
        break;
    case FLOE_AVRO_DOUBLE:
        m = 8;
        break;
    case FLOE_AVRO_FIXED:
        m = n->size;
        break;
    case FLOE_AVRO_RECORD:
        for (size_t i = 0; i < n->n; i++) {
            const floe_avro_node *t = n->fields[i].type;
            m = add_sat(m, t->complete ? t->min_size : 0);
        }
        break;
    case FLOE_AVRO_UNION: {
        size_t least = SIZE_MAX;
        for (size_t i = 0; i < n->n; i++) {
            const floe_avro_node *t = n->branches[i];
            size_t b = t->complete ? t->min_size : 0;
            least = b < least ? b : least;
        }
        m = add_sat(1, least == SIZE_MAX ? 0 : least);
        break;
    }
    }
    n->min_size = m;
    n->complete = true;
}

/* ==== Logical types ==== */

/* Largest decimal precision a fixed(n) holds: floor(log10(2^(8n - 1) - 1)), n = 1..16. */
static const int8_t fixed_max_precision[17] = {0,  2,  4,  6,  9,  11, 14, 16, 18,
                                               21, 23, 26, 28, 31, 33, 35, 38};

static void apply_logical(floe_avro_node *n, const json_t *j)
{
    const char *lt = json_str(j, "logicalType");
    if (lt == NULL) {
        return;
    }
    floe_avro_type t = (floe_avro_type)n->type;
    if (strcmp(lt, "decimal") == 0 && (t == FLOE_AVRO_BYTES || t == FLOE_AVRO_FIXED)) {
        int64_t prec, scale = 0;
        if (!json_int_like(json_object_get(j, "precision"), &prec) || prec < 1 || prec > 38) {
            return; /* invalid, or wider than 128 bits: read as plain bytes */
        }
        const json_t *js = json_object_get(j, "scale");
        if (js != NULL && (!json_int_like(js, &scale) || scale < 0 || scale > prec)) {
            return;
        }
        if (t == FLOE_AVRO_FIXED && n->size <= 16 && prec > fixed_max_precision[n->size]) {
            return;
        }
        n->logical = FLOE_AVRO_LT_DECIMAL;
        n->op = t == FLOE_AVRO_BYTES ? OP_DECIMAL_BYTES : OP_DECIMAL_FIXED;
        n->precision = (int32_t)prec;
        n->scale = (int32_t)scale;
        return;
    }
    if (strcmp(lt, "uuid") == 0) {
        if (t == FLOE_AVRO_STRING || (t == FLOE_AVRO_FIXED && n->size == 16)) {
            n->logical = FLOE_AVRO_LT_UUID;
            n->op = t == FLOE_AVRO_STRING ? OP_UUID_STRING : OP_UUID_FIXED;
        }
        return;
    }
    if (t == FLOE_AVRO_INT) {
        if (strcmp(lt, "date") == 0) {
            n->logical = FLOE_AVRO_LT_DATE;
            n->op = OP_DATE;
        } else if (strcmp(lt, "time-millis") == 0) {
            n->logical = FLOE_AVRO_LT_TIME_MILLIS;
            n->op = OP_TIME_MILLIS;
            n->unit = FLOE_UNIT_MILLIS;
        }
        return;
    }
    if (t == FLOE_AVRO_LONG) {
        static const struct {
            const char *name;
            floe_avro_logical lt;
            floe_time_unit unit;
            bool utc;
        } ts[] = {
            {"timestamp-millis", FLOE_AVRO_LT_TIMESTAMP_MILLIS, FLOE_UNIT_MILLIS, true},
            {"timestamp-micros", FLOE_AVRO_LT_TIMESTAMP_MICROS, FLOE_UNIT_MICROS, true},
            {"timestamp-nanos", FLOE_AVRO_LT_TIMESTAMP_NANOS, FLOE_UNIT_NANOS, true},
            {"local-timestamp-millis", FLOE_AVRO_LT_LOCAL_TIMESTAMP_MILLIS, FLOE_UNIT_MILLIS,
             false},
            {"local-timestamp-micros", FLOE_AVRO_LT_LOCAL_TIMESTAMP_MICROS, FLOE_UNIT_MICROS,
             false},
            {"local-timestamp-nanos", FLOE_AVRO_LT_LOCAL_TIMESTAMP_NANOS, FLOE_UNIT_NANOS, false},
        };
        if (strcmp(lt, "time-micros") == 0) {
            n->logical = FLOE_AVRO_LT_TIME_MICROS;
            n->op = OP_TIME_MICROS;
            n->unit = FLOE_UNIT_MICROS;
            return;
        }
        for (size_t i = 0; i < FLOE_ARRAY_LEN(ts); i++) {
            if (strcmp(lt, ts[i].name) == 0) {
                n->logical = (uint8_t)ts[i].lt;
                n->op = OP_TIMESTAMP;
                n->unit = (uint8_t)ts[i].unit;
                n->utc = ts[i].utc;
                /* Iceberg's attribute says whether the timestamp is adjusted to UTC. */
                const json_t *adj = json_object_get(j, "adjust-to-utc");
                bool b;
                if (json_is_boolean(adj)) {
                    n->utc = json_is_true(adj);
                } else if (json_is_string(adj) &&
                           floe_parse_bool(json_string_value(adj), &b, NULL) == FLOE_OK) {
                    n->utc = b;
                }
                return;
            }
        }
        return;
    }
    if (t == FLOE_AVRO_ARRAY && strcmp(lt, "map") == 0) {
        /* Iceberg writes maps with non-string keys as arrays of {key, value} records. */
        const floe_avro_node *it = n->items;
        if (it != NULL && it->type == FLOE_AVRO_RECORD && it->complete && it->n == 2) {
            n->logical = FLOE_AVRO_LT_MAP;
            n->op = OP_KV_ARRAY;
        }
    }
}

/* ==== Default values ==== */

/*
 * Whether `j` is a valid default for `n` (Avro specification, "Schema Declaration": the default
 * of a union is a value of its first branch). Only checked for the writer's strict parse: Java
 * refuses to read a file whose schema has a default that does not match its field.
 */
static bool valid_default(const floe_avro_node *n, const json_t *j, int depth)
{
    if (depth > FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return false;
    }
    switch ((floe_avro_type)n->type) {
    case FLOE_AVRO_NULL:
        return json_is_null(j);
    case FLOE_AVRO_BOOLEAN:
        return json_is_boolean(j);
    case FLOE_AVRO_INT:
        return json_is_integer(j) && json_integer_value(j) >= INT32_MIN &&
               json_integer_value(j) <= INT32_MAX;
    case FLOE_AVRO_LONG:
        return json_is_integer(j);
    case FLOE_AVRO_FLOAT:
    case FLOE_AVRO_DOUBLE:
        return json_is_number(j);
    case FLOE_AVRO_BYTES:
    case FLOE_AVRO_STRING:
        return json_is_string(j);
    case FLOE_AVRO_FIXED:
        /* Bytes as ISO-8859-1 characters; size checks need decoding, so only the shape. */
        return json_is_string(j);
    case FLOE_AVRO_ENUM:
        if (!json_is_string(j)) {
            return false;
        }
        for (size_t i = 0; i < n->n; i++) {
            if (strcmp(n->symbols[i], json_string_value(j)) == 0) {
                return true;
            }
        }
        return false;
    case FLOE_AVRO_ARRAY: {
        if (!json_is_array(j)) {
            return false;
        }
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (!valid_default(n->items, json_array_get(j, i), depth + 1)) {
                return false;
            }
        }
        return true;
    }
    case FLOE_AVRO_MAP: {
        if (!json_is_object(j)) {
            return false;
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v)
        {
            if (!valid_default(n->items, v, depth + 1)) {
                return false;
            }
        }
        return true;
    }
    case FLOE_AVRO_RECORD:
        if (!json_is_object(j)) {
            return false;
        }
        for (size_t i = 0; i < n->n; i++) {
            const json_t *v = json_object_get(j, n->fields[i].name);
            if (v == NULL ? n->fields[i].dflt == NULL
                          : !valid_default(n->fields[i].type, v, depth + 1)) {
                return false;
            }
        }
        return true;
    case FLOE_AVRO_UNION:
        return n->n > 0 && valid_default(n->branches[0], j, depth + 1);
    }
    return false;
}

/* ==== Parsing ==== */

static floe_avro_node *parse_type(parser *p, const json_t *j, const char *ns, int depth);

/* Look a type name up: primitive, full name, enclosing namespace, then the null namespace. */
static floe_avro_node *resolve(parser *p, const json_t *j, const char *ref, const char *ns)
{
    int prim = primitive_type(ref);
    if (prim >= 0) {
        floe_avro_node *n = new_node(p, (floe_avro_type)prim, j);
        if (n != NULL) {
            finish_node(n);
        }
        return n;
    }
    floe_avro_node *n = NULL;
    if (strchr(ref, '.') == NULL && ns != NULL && ns[0] != '\0') {
        char *full = floe_xasprintf("%s.%s", ns, ref);
        n = floe_map_get_s(p->s->named, full);
        free(full);
    }
    if (n == NULL) {
        n = floe_map_get_s(p->s->named, ref);
    }
    if (n == NULL) {
        return fail(p, FLOE_ERR_INVALID, "unknown type '%.200s'", ref);
    }
    if (p->s->nodes >= FLOE_AVRO_MAX_SCHEMA_NODES) {
        return fail(p, FLOE_ERR_TOO_BIG, "schema has more than %d types",
                    FLOE_AVRO_MAX_SCHEMA_NODES);
    }
    p->s->nodes++; /* references count too: they are what makes a schema expensive to walk */
    return n;
}

/*
 * Name, namespace and doc of a record, enum or fixed, and its registration (before a record's
 * fields are parsed, so the record can refer to itself).
 */
static bool named_header(parser *p, floe_avro_node *n, const json_t *j, const char *ns)
{
    const char *what = floe_avro_type_name((floe_avro_type)n->type);
    const json_t *jn = json_object_get(j, "name");
    if (!json_is_string(jn)) {
        fail(p, FLOE_ERR_INVALID, "%s without a \"name\"", what);
        return false;
    }
    const char *name = json_string_value(jn);
    size_t name_len = json_string_length(jn);
    if (name_len > FLOE_AVRO_MAX_NAME_LEN) {
        fail(p, FLOE_ERR_TOO_BIG, "%s name longer than %d bytes", what, FLOE_AVRO_MAX_NAME_LEN);
        return false;
    }
    const json_t *jns = json_object_get(j, "namespace");
    if (jns != NULL && !json_is_string(jns) && !json_is_null(jns)) {
        fail(p, FLOE_ERR_INVALID, "%s '%.200s': \"namespace\" is not a string", what, name);
        return false;
    }
    const char *dot = strrchr(name, '.');
    const char *space, *shortname;
    char *full;
    if (dot != NULL) {
        shortname = dot + 1;
        space = floe_arena_strndup(p->s->arena, name, (size_t)(dot - name));
        full = floe_xstrdup(name);
    } else {
        shortname = name;
        space = json_is_string(jns) ? json_string_value(jns) : ns;
        if (space != NULL && space[0] == '\0') {
            space = NULL;
        }
        full = space != NULL ? floe_xasprintf("%s.%s", space, name) : floe_xstrdup(name);
    }
    if (space != NULL && strlen(space) > FLOE_AVRO_MAX_NAME_LEN) {
        free(full);
        fail(p, FLOE_ERR_TOO_BIG, "%s '%.200s': namespace longer than %d bytes", what, name,
             FLOE_AVRO_MAX_NAME_LEN);
        return false;
    }
    if (!valid_name(shortname, strlen(shortname)) || (space != NULL && !valid_dotted(space))) {
        fail(p, FLOE_ERR_INVALID, "invalid %s name '%.200s'", what, full);
        free(full);
        return false;
    }
    if (primitive_type(shortname) >= 0) {
        fail(p, FLOE_ERR_INVALID, "%s may not be named '%s' (a primitive type)", what, shortname);
        free(full);
        return false;
    }
    if (floe_map_contains(p->s->named, full, strlen(full))) {
        fail(p, FLOE_ERR_INVALID, "type '%.200s' is defined twice", full);
        free(full);
        return false;
    }
    n->name = shortname;
    n->space = space;
    n->fullname = floe_arena_strdup(p->s->arena, full);
    n->doc = json_str(j, "doc");
    floe_map_put_s(p->s->named, full, n);
    free(full);
    return true;
}

static floe_avro_node *parse_record(parser *p, const json_t *j, const char *ns, int depth)
{
    floe_avro_node *n = new_node(p, FLOE_AVRO_RECORD, j);
    if (n == NULL || !named_header(p, n, j, ns)) {
        return NULL;
    }
    const json_t *jf = json_object_get(j, "fields");
    if (!json_is_array(jf)) {
        return fail(p, FLOE_ERR_INVALID, "record '%.200s' without a \"fields\" array", n->fullname);
    }
    size_t count = json_array_size(jf);
    if (count > FLOE_AVRO_MAX_FIELDS) {
        return fail(p, FLOE_ERR_TOO_BIG, "record '%.200s' has more than %d fields", n->fullname,
                    FLOE_AVRO_MAX_FIELDS);
    }
    avro_field *fields = floe_arena_calloc(p->s->arena, count ? count : 1, sizeof(*fields));
    const char **names = floe_arena_calloc(p->s->arena, count ? count : 1, sizeof(*names));
    if (fields == NULL || names == NULL) {
        return fail(p, FLOE_ERR_TOO_BIG, "out of schema memory");
    }
    floe_map *seen = floe_map_new(NULL);
    floe_avro_node *result = n;
    for (size_t i = 0; i < count && result != NULL; i++) {
        const json_t *f = json_array_get(jf, i);
        avro_field *fd = &fields[i];
        const json_t *jname = json_is_object(f) ? json_object_get(f, "name") : NULL;
        if (!json_is_string(jname)) {
            result = fail(p, FLOE_ERR_INVALID, "record '%.200s': field %zu has no \"name\"",
                          n->fullname, i);
            break;
        }
        fd->name = json_string_value(jname);
        size_t len = json_string_length(jname);
        if (len > FLOE_AVRO_MAX_NAME_LEN) {
            result = fail(p, FLOE_ERR_TOO_BIG, "record '%.200s': field name longer than %d bytes",
                          n->fullname, FLOE_AVRO_MAX_NAME_LEN);
            break;
        }
        if (len == 0 || ((p->flags & FLOE_AVRO_SCHEMA_STRICT) && !valid_name(fd->name, len))) {
            result = fail(p, FLOE_ERR_INVALID, "record '%.200s': invalid field name '%.200s'",
                          n->fullname, fd->name);
            break;
        }
        if (floe_map_contains(seen, fd->name, len)) {
            result = fail(p, FLOE_ERR_INVALID, "record '%.200s': field '%.200s' appears twice",
                          n->fullname, fd->name);
            break;
        }
        floe_map_put(seen, fd->name, len, (void *)fd);
        fd->json = f;
        fd->dflt = json_object_get(f, "default");
        fd->doc = json_str(f, "doc");
        const json_t *jid = json_object_get(f, "field-id");
        if (jid != NULL) {
            int64_t id;
            if (!json_int_like(jid, &id) || id < INT32_MIN || id > INT32_MAX) {
                result = fail(p, FLOE_ERR_INVALID,
                              "record '%.200s': field '%.200s' has a \"field-id\" that is not a "
                              "32-bit integer",
                              n->fullname, fd->name);
                break;
            }
            fd->id = (int32_t)id;
            fd->has_id = true;
        }
        const json_t *jt = json_object_get(f, "type");
        if (jt == NULL) {
            result = fail(p, FLOE_ERR_INVALID, "record '%.200s': field '%.200s' has no \"type\"",
                          n->fullname, fd->name);
            break;
        }
        p->path[p->npath++] = fd->name;
        fd->type = parse_type(p, jt, n->space, depth + 1);
        p->npath--;
        if (fd->type == NULL) {
            result = NULL;
            break;
        }
        if ((p->flags & FLOE_AVRO_SCHEMA_STRICT) && fd->dflt != NULL &&
            !valid_default(fd->type, fd->dflt, 0)) {
            result = fail(p, FLOE_ERR_INVALID,
                          "record '%.200s': the default of field '%.200s' is not a value of its "
                          "type (a union's default must fit its first branch)",
                          n->fullname, fd->name);
            break;
        }
        names[i] = fd->name;
    }
    floe_map_free(seen);
    if (result == NULL) {
        return NULL;
    }
    n->fields = fields;
    n->names = names;
    n->n = count;
    finish_node(n);
    return n;
}

static floe_avro_node *parse_enum(parser *p, const json_t *j, const char *ns)
{
    floe_avro_node *n = new_node(p, FLOE_AVRO_ENUM, j);
    if (n == NULL || !named_header(p, n, j, ns)) {
        return NULL;
    }
    const json_t *js = json_object_get(j, "symbols");
    if (!json_is_array(js)) {
        return fail(p, FLOE_ERR_INVALID, "enum '%.200s' without a \"symbols\" array", n->fullname);
    }
    size_t count = json_array_size(js);
    if (count > FLOE_AVRO_MAX_FIELDS) {
        return fail(p, FLOE_ERR_TOO_BIG, "enum '%.200s' has more than %d symbols", n->fullname,
                    FLOE_AVRO_MAX_FIELDS);
    }
    n->symbols = floe_arena_calloc(p->s->arena, count ? count : 1, sizeof(*n->symbols));
    n->symbol_lens = floe_arena_calloc(p->s->arena, count ? count : 1, sizeof(*n->symbol_lens));
    if (n->symbols == NULL || n->symbol_lens == NULL) {
        return fail(p, FLOE_ERR_TOO_BIG, "out of schema memory");
    }
    floe_map *seen = floe_map_new(NULL);
    for (size_t i = 0; i < count; i++) {
        const json_t *sym = json_array_get(js, i);
        const char *s = json_is_string(sym) ? json_string_value(sym) : NULL;
        size_t len = s ? json_string_length(sym) : 0;
        const char *why = NULL;
        if (s == NULL) {
            why = "is not a string";
        } else if (len > FLOE_AVRO_MAX_NAME_LEN) {
            why = "is too long";
        } else if (len == 0 || ((p->flags & FLOE_AVRO_SCHEMA_STRICT) && !valid_name(s, len))) {
            why = "is not a valid name";
        } else if (floe_map_contains(seen, s, len)) {
            why = "appears twice";
        }
        if (why != NULL) {
            floe_map_free(seen);
            return fail(p, FLOE_ERR_INVALID, "enum '%.200s': symbol %zu %s", n->fullname, i, why);
        }
        floe_map_put(seen, s, len, (void *)s);
        n->symbols[i] = s;
        n->symbol_lens[i] = len;
    }
    floe_map_free(seen);
    n->n = count;
    finish_node(n);
    return n;
}

static floe_avro_node *parse_fixed(parser *p, const json_t *j, const char *ns)
{
    floe_avro_node *n = new_node(p, FLOE_AVRO_FIXED, j);
    if (n == NULL || !named_header(p, n, j, ns)) {
        return NULL;
    }
    const json_t *js = json_object_get(j, "size");
    if (!json_is_integer(js) || json_integer_value(js) < 0) {
        return fail(p, FLOE_ERR_INVALID, "fixed '%.200s' without a non-negative integer \"size\"",
                    n->fullname);
    }
    if ((uint64_t)json_integer_value(js) > FLOE_AVRO_MAX_FIXED_SIZE) {
        return fail(p, FLOE_ERR_TOO_BIG, "fixed '%.200s' is larger than %zu bytes", n->fullname,
                    FLOE_AVRO_MAX_FIXED_SIZE);
    }
    n->size = (size_t)json_integer_value(js);
    apply_logical(n, j);
    finish_node(n);
    return n;
}

static floe_avro_node *parse_union(parser *p, const json_t *j, const char *ns, int depth)
{
    size_t count = json_array_size(j);
    if (count == 0) {
        return fail(p, FLOE_ERR_INVALID, "empty union");
    }
    if (count > FLOE_AVRO_MAX_FIELDS) {
        return fail(p, FLOE_ERR_TOO_BIG, "union has more than %d branches", FLOE_AVRO_MAX_FIELDS);
    }
    floe_avro_node *n = new_node(p, FLOE_AVRO_UNION, j);
    if (n == NULL) {
        return NULL;
    }
    n->branches = floe_arena_calloc(p->s->arena, count, sizeof(*n->branches));
    if (n->branches == NULL) {
        return fail(p, FLOE_ERR_TOO_BIG, "out of schema memory");
    }
    uint32_t seen_unnamed = 0;
    for (size_t i = 0; i < count; i++) {
        floe_avro_node *b = parse_type(p, json_array_get(j, i), ns, depth + 1);
        if (b == NULL) {
            return NULL;
        }
        if (b->type == FLOE_AVRO_UNION) {
            return fail(p, FLOE_ERR_INVALID, "union branch %zu is itself a union", i);
        }
        if (b->fullname == NULL) {
            uint32_t bit = 1u << b->type;
            if (seen_unnamed & bit) {
                return fail(p, FLOE_ERR_INVALID, "union has two branches of type %s",
                            floe_avro_type_name((floe_avro_type)b->type));
            }
            seen_unnamed |= bit;
        }
        if (b->type == FLOE_AVRO_NULL) {
            n->null_branch = (int32_t)i;
        }
        n->branches[i] = b;
    }
    /* Named branches must differ by full name: mark each with a stamp fresh for this union
     * (nested unions inside branch definitions used earlier stamps). */
    uint32_t stamp = ++p->union_stamp;
    for (size_t i = 0; i < count; i++) {
        floe_avro_node *b = n->branches[i];
        if (b->fullname == NULL) {
            continue;
        }
        if (b->stamp == stamp) {
            return fail(p, FLOE_ERR_INVALID, "union lists type '%.200s' twice", b->fullname);
        }
        b->stamp = stamp;
    }
    n->n = count;
    finish_node(n);
    return n;
}

static floe_avro_node *parse_object(parser *p, const json_t *j, const char *ns, int depth)
{
    const json_t *jt = json_object_get(j, "type");
    if (jt == NULL) {
        return fail(p, FLOE_ERR_INVALID, "schema object without a \"type\"");
    }
    if (json_is_object(jt) || json_is_array(jt)) {
        /* {"type": {...}} nests a definition; the outer attributes stay in the JSON. */
        return parse_type(p, jt, ns, depth + 1);
    }
    if (!json_is_string(jt)) {
        return fail(p, FLOE_ERR_INVALID, "\"type\" must be a string, object or array");
    }
    const char *t = json_string_value(jt);
    if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0) {
        return parse_record(p, j, ns, depth);
    }
    if (strcmp(t, "enum") == 0) {
        return parse_enum(p, j, ns);
    }
    if (strcmp(t, "fixed") == 0) {
        return parse_fixed(p, j, ns);
    }
    if (strcmp(t, "array") == 0 || strcmp(t, "map") == 0) {
        bool is_array = t[0] == 'a';
        const char *key = is_array ? "items" : "values";
        const json_t *ji = json_object_get(j, key);
        if (ji == NULL) {
            return fail(p, FLOE_ERR_INVALID, "%s without \"%s\"", t, key);
        }
        floe_avro_node *n = new_node(p, is_array ? FLOE_AVRO_ARRAY : FLOE_AVRO_MAP, j);
        if (n == NULL) {
            return NULL;
        }
        n->items = parse_type(p, ji, ns, depth + 1);
        if (n->items == NULL) {
            return NULL;
        }
        apply_logical(n, j);
        finish_node(n);
        return n;
    }
    int prim = primitive_type(t);
    if (prim >= 0) {
        floe_avro_node *n = new_node(p, (floe_avro_type)prim, j);
        if (n == NULL) {
            return NULL;
        }
        apply_logical(n, j);
        finish_node(n);
        return n;
    }
    /* {"type": "some.Named"}: a reference written as an object. */
    return resolve(p, j, t, ns);
}

static floe_avro_node *parse_type(parser *p, const json_t *j, const char *ns, int depth)
{
    if (depth > FLOE_AVRO_MAX_SCHEMA_DEPTH) {
        return fail(p, FLOE_ERR_TOO_BIG, "schema nested deeper than %d levels",
                    FLOE_AVRO_MAX_SCHEMA_DEPTH);
    }
    if (json_is_string(j)) {
        return resolve(p, j, json_string_value(j), ns);
    }
    if (json_is_array(j)) {
        return parse_union(p, j, ns, depth);
    }
    if (json_is_object(j)) {
        return parse_object(p, j, ns, depth);
    }
    return fail(p, FLOE_ERR_INVALID, "a schema must be a type name, an object or a union array");
}

floe_status floe_avro_schema_parse(const char *json, size_t len, unsigned flags,
                                   floe_avro_schema **out, floe_err *err)
{
    *out = NULL;
    if (len > FLOE_AVRO_MAX_SCHEMA_LEN) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG,
                            "avro schema: %zu bytes, more than the %zu allowed", len,
                            FLOE_AVRO_MAX_SCHEMA_LEN);
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "avro schema: invalid JSON at line %d column %d: %s", jerr.line,
                            jerr.column, jerr.text);
    }
    floe_avro_schema *s = floe_xcalloc(1, sizeof(*s));
    s->root = root;
    s->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    s->named = floe_map_new(NULL);
    s->text = floe_xstrndup(json, len);
    s->text_len = len;
    parser p = {.s = s, .err = err, .flags = flags};
    s->top = parse_type(&p, root, NULL, 1);
    if (s->top == NULL) {
        floe_avro_schema_free(s);
        return err != NULL ? err->code : FLOE_ERR_INVALID;
    }
    *out = s;
    return FLOE_OK;
}

void floe_avro_schema_free(floe_avro_schema *s)
{
    if (s == NULL) {
        return;
    }
    json_decref(s->root);
    floe_arena_free(s->arena);
    floe_map_free(s->named);
    free(s->text);
    free(s);
}

const floe_avro_node *floe_avro_schema_root(const floe_avro_schema *s)
{
    return s->top;
}

const char *floe_avro_schema_text(const floe_avro_schema *s, size_t *len)
{
    if (len != NULL) {
        *len = s->text_len;
    }
    return s->text;
}

const floe_avro_node *floe_avro_schema_named(const floe_avro_schema *s, const char *fullname)
{
    return floe_map_get_s(s->named, fullname);
}

/* ==== Accessors ==== */

floe_avro_type floe_avro_node_type(const floe_avro_node *n)
{
    return (floe_avro_type)n->type;
}

floe_avro_logical floe_avro_node_logical(const floe_avro_node *n)
{
    return (floe_avro_logical)n->logical;
}

const char *floe_avro_node_name(const floe_avro_node *n)
{
    return n->name;
}

const char *floe_avro_node_namespace(const floe_avro_node *n)
{
    return n->space;
}

const char *floe_avro_node_fullname(const floe_avro_node *n)
{
    return n->fullname;
}

const char *floe_avro_node_doc(const floe_avro_node *n)
{
    return n->doc;
}

size_t floe_avro_node_count(const floe_avro_node *n)
{
    return n->n;
}

const floe_avro_node *floe_avro_node_branch(const floe_avro_node *n, size_t i)
{
    return n->type == FLOE_AVRO_UNION && i < n->n ? n->branches[i] : NULL;
}

int floe_avro_node_null_branch(const floe_avro_node *n)
{
    return n->type == FLOE_AVRO_UNION ? n->null_branch : -1;
}

const char *floe_avro_node_symbol(const floe_avro_node *n, size_t i)
{
    return n->type == FLOE_AVRO_ENUM && i < n->n ? n->symbols[i] : NULL;
}

const floe_avro_node *floe_avro_node_items(const floe_avro_node *n)
{
    return n->items;
}

size_t floe_avro_node_fixed_size(const floe_avro_node *n)
{
    return n->type == FLOE_AVRO_FIXED ? n->size : 0;
}

int floe_avro_node_precision(const floe_avro_node *n)
{
    return n->precision;
}

int floe_avro_node_scale(const floe_avro_node *n)
{
    return n->scale;
}

bool floe_avro_node_utc(const floe_avro_node *n)
{
    return n->op == OP_TIMESTAMP && n->utc;
}

const floe_avro_node *floe_avro_node_nonnull(const floe_avro_node *n)
{
    if (n->type == FLOE_AVRO_UNION && n->n == 2 && n->null_branch >= 0) {
        return n->branches[1 - n->null_branch];
    }
    return n;
}

const struct json_t *floe_avro_node_json(const floe_avro_node *n)
{
    return n->json;
}

bool floe_avro_node_int_prop(const floe_avro_node *n, const char *key, int64_t *out)
{
    if (!json_is_object(n->json)) {
        return false;
    }
    return json_int_like(json_object_get(n->json, key), out);
}

static const avro_field *field_at(const floe_avro_node *rec, size_t i)
{
    return rec->type == FLOE_AVRO_RECORD && i < rec->n ? &rec->fields[i] : NULL;
}

const char *floe_avro_field_name(const floe_avro_node *rec, size_t i)
{
    const avro_field *f = field_at(rec, i);
    return f ? f->name : NULL;
}

const floe_avro_node *floe_avro_field_type(const floe_avro_node *rec, size_t i)
{
    const avro_field *f = field_at(rec, i);
    return f ? f->type : NULL;
}

const char *floe_avro_field_doc(const floe_avro_node *rec, size_t i)
{
    const avro_field *f = field_at(rec, i);
    return f ? f->doc : NULL;
}

bool floe_avro_field_id(const floe_avro_node *rec, size_t i, int32_t *out)
{
    const avro_field *f = field_at(rec, i);
    if (f == NULL || !f->has_id) {
        return false;
    }
    *out = f->id;
    return true;
}

const struct json_t *floe_avro_field_default(const floe_avro_node *rec, size_t i)
{
    const avro_field *f = field_at(rec, i);
    return f ? f->dflt : NULL;
}

const struct json_t *floe_avro_field_json(const floe_avro_node *rec, size_t i)
{
    const avro_field *f = field_at(rec, i);
    return f ? f->json : NULL;
}

int floe_avro_field_index(const floe_avro_node *rec, const char *name)
{
    if (rec->type != FLOE_AVRO_RECORD) {
        return -1;
    }
    for (size_t i = 0; i < rec->n; i++) {
        if (strcmp(rec->fields[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int floe_avro_field_index_by_id(const floe_avro_node *rec, int32_t id)
{
    if (rec->type != FLOE_AVRO_RECORD) {
        return -1;
    }
    for (size_t i = 0; i < rec->n; i++) {
        if (rec->fields[i].has_id && rec->fields[i].id == id) {
            return (int)i;
        }
    }
    return -1;
}
