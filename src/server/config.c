/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's configuration: built-in defaults, a YAML file (libyaml's document API), and the
 * final checks. The YAML layout is documented in docs/internals/server.md. Parsing is strict:
 * an unknown key is an error that names the key and its line, so a typo never silently falls
 * back to a default.
 */
#include "server_int.h"

#include "floe/optimizing.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CONFIG_LIST_MAX 1000   /* catalogs, clients */
#define CONFIG_PROPS_MAX 10000 /* properties of one catalog */
#define CONFIG_NODES_MAX 200000

void floe_server_config_init(floe_server_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = floe_xstrdup(FLOE_SERVER_DEFAULT_LISTEN);
    c->data_dir = floe_xstrdup(FLOE_SERVER_DEFAULT_DATA_DIR);
    c->db_pool_size = 16;
    c->db_busy_timeout_ms = 5000;
    c->threads = 8;
    c->max_body = (uint64_t)16 << 20;
    c->shutdown_grace_ms = 30000;
    c->connection_timeout_s = 60;
    c->token_ttl_ms = 3600 * 1000;
    c->log_level = FLOE_LOG_INFO;
    c->opt_enabled = true;
    c->opt_refresh_interval_ms = 60000;
    c->opt_heartbeat_timeout_ms = 60000;
    c->opt_ack_timeout_ms = 30000;
    c->opt_execute_timeout_ms = 3600000;
    c->opt_history_keep_ms = 7LL * 24 * 3600 * 1000;
    c->opt_break_quota = true;
    c->maintenance.enabled = true;
    c->maintenance.first_run_ms = 60 * 1000;
    c->maintenance.poll_ms = 60 * 1000;
    c->maintenance.interval_ms[FLOE_MNT_EXPIRE_SNAPSHOTS] = 3600 * 1000;
    c->maintenance.interval_ms[FLOE_MNT_CLEAN_ORPHANS] = 86400 * 1000;
    c->maintenance.interval_ms[FLOE_MNT_CLEAN_DANGLING_DELETES] = 86400 * 1000;
    c->maintenance.interval_ms[FLOE_MNT_EXPIRE_DATA] = 86400 * 1000;
    c->maintenance.interval_ms[FLOE_MNT_AUTO_TAG] = 60 * 1000;
    c->maintenance.keep_runs = 100;
}

static void free_props(floe_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)kv[i].key);
        free((char *)kv[i].value);
    }
    free(kv);
}

static void free_catalog_config(floe_catalog_config *cc)
{
    free(cc->name);
    free(cc->warehouse);
    for (size_t i = 0; i < cc->n_properties; i++) {
        free((char *)cc->properties[i].key);
        free((char *)cc->properties[i].value);
    }
    free(cc->properties);
}

void floe_server_config_fini(floe_server_config *c)
{
    if (c == NULL) {
        return;
    }
    free(c->listen);
    free(c->data_dir);
    free(c->database_url);
    free(c->port_file);
    for (size_t i = 0; i < c->n_clients; i++) {
        free(c->clients[i].id);
        free(c->clients[i].secret_hash);
    }
    free(c->clients);
    for (size_t i = 0; i < c->n_catalogs; i++) {
        free_catalog_config(&c->catalogs[i]);
    }
    free(c->catalogs);
    for (size_t i = 0; i < c->n_groups; i++) {
        free(c->groups[i].name);
        free(c->groups[i].policy);
        free_props(c->groups[i].properties, c->groups[i].n_properties);
    }
    free(c->groups);
    memset(c, 0, sizeof(*c));
}

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = floe_xstrdup(v);
}

/* ==== YAML walking ==== */

typedef struct walker {
    yaml_document_t *doc;
    floe_err *err;
} walker;

static unsigned line_of(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

static floe_status fail_at(walker *w, const yaml_node_t *n, const char *key, const char *what)
{
    return floe_err_set(w->err, FLOE_ERR_INVALID, "config line %u: %s: %s", line_of(n), key, what);
}

/* The scalar's text, or NULL (with an error) when the node is not a scalar. */
static const char *scalar(walker *w, const yaml_node_t *n, const char *key)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE) {
        if (n != NULL) {
            fail_at(w, n, key, "expected a single value");
        }
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length) {
        fail_at(w, n, key, "value contains a NUL byte");
        return NULL;
    }
    return s;
}

static floe_status want_type(walker *w, const yaml_node_t *n, yaml_node_type_t type,
                             const char *key)
{
    if (n == NULL || n->type != type) {
        return fail_at(w, n != NULL ? n : yaml_document_get_root_node(w->doc), key,
                       type == YAML_MAPPING_NODE    ? "expected a mapping"
                       : type == YAML_SEQUENCE_NODE ? "expected a list"
                                                    : "expected a value");
    }
    return FLOE_OK;
}

static floe_status get_string(walker *w, const yaml_node_t *n, const char *key, char **out)
{
    const char *s = scalar(w, n, key);
    if (s == NULL) {
        return w->err->code != FLOE_OK ? w->err->code : FLOE_ERR_INVALID;
    }
    set_str(out, s);
    return FLOE_OK;
}

static floe_status get_bool(walker *w, const yaml_node_t *n, const char *key, bool *out)
{
    const char *s = scalar(w, n, key);
    if (s == NULL || floe_parse_bool(s, out, NULL) != FLOE_OK) {
        return s == NULL ? FLOE_ERR_INVALID : fail_at(w, n, key, "expected true or false");
    }
    return FLOE_OK;
}

static floe_status get_uint(walker *w, const yaml_node_t *n, const char *key, unsigned lo,
                            unsigned hi, unsigned *out)
{
    const char *s = scalar(w, n, key);
    uint64_t v = 0;
    if (s == NULL || floe_parse_u64(s, &v, NULL) != FLOE_OK || v < lo || v > hi) {
        if (s == NULL) {
            return FLOE_ERR_INVALID;
        }
        char what[64];
        snprintf(what, sizeof(what), "expected a whole number from %u to %u", lo, hi);
        return fail_at(w, n, key, what);
    }
    *out = (unsigned)v;
    return FLOE_OK;
}

static floe_status get_duration_ms(walker *w, const yaml_node_t *n, const char *key, int64_t *out)
{
    const char *s = scalar(w, n, key);
    int64_t us = 0;
    if (s == NULL || floe_duration_parse(s, &us, NULL) != FLOE_OK) {
        return s == NULL ? FLOE_ERR_INVALID
                         : fail_at(w, n, key, "expected a duration such as 500ms, 30s or 1h");
    }
    *out = us / 1000;
    return FLOE_OK;
}

static floe_status get_size(walker *w, const yaml_node_t *n, const char *key, uint64_t *out)
{
    const char *s = scalar(w, n, key);
    if (s == NULL || floe_parse_size(s, out, NULL) != FLOE_OK) {
        return s == NULL ? FLOE_ERR_INVALID
                         : fail_at(w, n, key, "expected a size such as 16MiB or 1048576");
    }
    return FLOE_OK;
}

typedef floe_status (*section_fn)(walker *w, floe_server_config *c, const char *key,
                                  const yaml_node_t *value);

/* Call `fn` for every key of mapping `m`. */
static floe_status each_key(walker *w, const yaml_node_t *m, const char *where,
                            floe_server_config *c, section_fn fn)
{
    floe_status st = want_type(w, m, YAML_MAPPING_NODE, where);
    for (yaml_node_pair_t *p = st == FLOE_OK ? m->data.mapping.pairs.start : NULL;
         p != NULL && p < m->data.mapping.pairs.top && st == FLOE_OK; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const char *key = scalar(w, k, where);
        if (key == NULL) {
            return FLOE_ERR_INVALID;
        }
        st = fn(w, c, key, yaml_document_get_node(w->doc, p->value));
        if (st == FLOE_ERR_NOT_FOUND) {
            floe_err_clear(w->err);
            char what[128];
            snprintf(what, sizeof(what), "unknown key '%.80s'", key);
            return fail_at(w, k, where, what);
        }
    }
    return st;
}

static floe_status server_key(walker *w, floe_server_config *c, const char *key,
                              const yaml_node_t *v)
{
    if (strcmp(key, "listen") == 0) {
        return get_string(w, v, "server.listen", &c->listen);
    }
    if (strcmp(key, "data-dir") == 0) {
        return get_string(w, v, "server.data-dir", &c->data_dir);
    }
    if (strcmp(key, "port-file") == 0) {
        return get_string(w, v, "server.port-file", &c->port_file);
    }
    if (strcmp(key, "threads") == 0) {
        return get_uint(w, v, "server.threads", 1, 1024, &c->threads);
    }
    if (strcmp(key, "max-request-body") == 0) {
        floe_status st = get_size(w, v, "server.max-request-body", &c->max_body);
        if (st == FLOE_OK && (c->max_body < 1024 || c->max_body > ((uint64_t)1 << 30))) {
            return fail_at(w, v, "server.max-request-body", "must be from 1KiB to 1GiB");
        }
        return st;
    }
    if (strcmp(key, "shutdown-grace") == 0) {
        return get_duration_ms(w, v, "server.shutdown-grace", &c->shutdown_grace_ms);
    }
    if (strcmp(key, "connection-timeout") == 0) {
        int64_t ms = 0;
        floe_status st = get_duration_ms(w, v, "server.connection-timeout", &ms);
        c->connection_timeout_s = ms / 1000;
        return st;
    }
    if (strcmp(key, "insecure") == 0) {
        return get_bool(w, v, "server.insecure", &c->insecure);
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_status database_key(walker *w, floe_server_config *c, const char *key,
                                const yaml_node_t *v)
{
    if (strcmp(key, "url") == 0) {
        return get_string(w, v, "database.url", &c->database_url);
    }
    if (strcmp(key, "pool-size") == 0) {
        return get_uint(w, v, "database.pool-size", 1, 512, &c->db_pool_size);
    }
    if (strcmp(key, "busy-timeout") == 0) {
        return get_duration_ms(w, v, "database.busy-timeout", &c->db_busy_timeout_ms);
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_status log_key(walker *w, floe_server_config *c, const char *key, const yaml_node_t *v)
{
    if (strcmp(key, "level") == 0) {
        const char *s = scalar(w, v, "log.level");
        if (s == NULL || floe_log_level_parse(s, &c->log_level, NULL) != FLOE_OK) {
            return s == NULL ? FLOE_ERR_INVALID
                             : fail_at(w, v, "log.level", "expected debug, info, warn or error");
        }
        c->log_level_set = true;
        return FLOE_OK;
    }
    return FLOE_ERR_NOT_FOUND;
}

/* maintenance: enabled, first-run, poll-interval, <action>-interval, keep-runs. */
static floe_status maintenance_key(walker *w, floe_server_config *c, const char *key,
                                   const yaml_node_t *v)
{
    floe_maintenance_config *m = &c->maintenance;
    if (strcmp(key, "enabled") == 0) {
        return get_bool(w, v, "maintenance.enabled", &m->enabled);
    }
    if (strcmp(key, "first-run") == 0) {
        return get_duration_ms(w, v, "maintenance.first-run", &m->first_run_ms);
    }
    if (strcmp(key, "poll-interval") == 0) {
        floe_status st = get_duration_ms(w, v, "maintenance.poll-interval", &m->poll_ms);
        if (st == FLOE_OK && m->poll_ms < 100) {
            return fail_at(w, v, "maintenance.poll-interval", "must be at least 100ms");
        }
        return st;
    }
    if (strcmp(key, "keep-runs") == 0) {
        return get_uint(w, v, "maintenance.keep-runs", 1, 1000000, &m->keep_runs);
    }
    for (int i = 0; i < FLOE_MNT_ACTION_COUNT; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s-interval", floe_mnt_action_name((floe_mnt_action)i));
        if (strcmp(key, name) == 0) {
            return get_duration_ms(w, v, "maintenance.<action>-interval", &m->interval_ms[i]);
        }
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_auth_client *cur_client(floe_server_config *c)
{
    return &c->clients[c->n_clients - 1];
}

static floe_status client_key(walker *w, floe_server_config *c, const char *key,
                              const yaml_node_t *v)
{
    if (strcmp(key, "id") == 0) {
        return get_string(w, v, "auth.clients.id", &cur_client(c)->id);
    }
    if (strcmp(key, "secret-hash") == 0) {
        return get_string(w, v, "auth.clients.secret-hash", &cur_client(c)->secret_hash);
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_status auth_key(walker *w, floe_server_config *c, const char *key, const yaml_node_t *v)
{
    if (strcmp(key, "enabled") == 0) {
        return get_bool(w, v, "auth.enabled", &c->auth_enabled);
    }
    if (strcmp(key, "token-ttl") == 0) {
        floe_status st = get_duration_ms(w, v, "auth.token-ttl", &c->token_ttl_ms);
        if (st == FLOE_OK && (c->token_ttl_ms < 1000 || c->token_ttl_ms > 7LL * 86400 * 1000)) {
            return fail_at(w, v, "auth.token-ttl", "must be from 1s to 7d");
        }
        return st;
    }
    if (strcmp(key, "clients") != 0) {
        return FLOE_ERR_NOT_FOUND;
    }
    floe_status st = want_type(w, v, YAML_SEQUENCE_NODE, "auth.clients");
    for (yaml_node_item_t *it = st == FLOE_OK ? v->data.sequence.items.start : NULL;
         it != NULL && it < v->data.sequence.items.top && st == FLOE_OK; it++) {
        if (c->n_clients >= CONFIG_LIST_MAX) {
            return fail_at(w, v, "auth.clients", "too many clients");
        }
        c->clients = floe_xrealloc(c->clients, (c->n_clients + 1) * sizeof(floe_auth_client));
        memset(&c->clients[c->n_clients++], 0, sizeof(floe_auth_client));
        yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        st = each_key(w, item, "auth.clients", c, client_key);
        if (st == FLOE_OK && (cur_client(c)->id == NULL || cur_client(c)->secret_hash == NULL)) {
            st = fail_at(w, item, "auth.clients", "each client needs an id and a secret-hash");
        }
    }
    return st;
}

/* A mapping of string properties appended to kv / n. */
static floe_status get_props(walker *w, const yaml_node_t *v, const char *key, floe_kv **kv,
                             size_t *n)
{
    floe_status st = want_type(w, v, YAML_MAPPING_NODE, key);
    for (yaml_node_pair_t *p = st == FLOE_OK ? v->data.mapping.pairs.start : NULL;
         p != NULL && p < v->data.mapping.pairs.top && st == FLOE_OK; p++) {
        if (*n >= CONFIG_PROPS_MAX) {
            return fail_at(w, v, key, "too many properties");
        }
        const char *k = scalar(w, yaml_document_get_node(w->doc, p->key), key);
        const char *val = scalar(w, yaml_document_get_node(w->doc, p->value), key);
        if (k == NULL || val == NULL) {
            return FLOE_ERR_INVALID;
        }
        *kv = floe_xrealloc(*kv, (*n + 1) * sizeof(floe_kv));
        (*kv)[*n].key = floe_xstrdup(k);
        (*kv)[*n].value = floe_xstrdup(val);
        (*n)++;
    }
    return st;
}

static floe_status optimizing_key(walker *w, floe_server_config *c, const char *key,
                                  const yaml_node_t *v)
{
    if (strcmp(key, "enabled") == 0) {
        return get_bool(w, v, "optimizing.enabled", &c->opt_enabled);
    }
    if (strcmp(key, "break-quota-limit-enabled") == 0) {
        return get_bool(w, v, "optimizing.break-quota-limit-enabled", &c->opt_break_quota);
    }
    struct {
        const char *name;
        int64_t *field;
        int64_t min_ms;
    } durations[] = {
        {"refresh-tables.interval", &c->opt_refresh_interval_ms, 100},
        {"heartbeat-timeout", &c->opt_heartbeat_timeout_ms, 1000},
        {"ack-timeout", &c->opt_ack_timeout_ms, 1000},
        {"execute-timeout", &c->opt_execute_timeout_ms, 1000},
        {"process.history-data-keep-time", &c->opt_history_keep_ms, 1000},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(durations); i++) {
        if (strcmp(key, durations[i].name) == 0) {
            char where[64];
            snprintf(where, sizeof(where), "optimizing.%s", key);
            floe_status st = get_duration_ms(w, v, where, durations[i].field);
            if (st == FLOE_OK && *durations[i].field < durations[i].min_ms) {
                return fail_at(w, v, where, "too short");
            }
            return st;
        }
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_status group_key(walker *w, floe_server_config *c, const char *key,
                             const yaml_node_t *v)
{
    floe_optimizer_group_config *g = &c->groups[c->n_groups - 1];
    if (strcmp(key, "name") == 0) {
        return get_string(w, v, "optimizer-groups.name", &g->name);
    }
    if (strcmp(key, "scheduling-policy") == 0) {
        floe_status st = get_string(w, v, "optimizer-groups.scheduling-policy", &g->policy);
        if (st == FLOE_OK &&
            floe_opt_policy_parse(g->policy, &(floe_opt_policy){0}, NULL) != FLOE_OK) {
            return fail_at(w, v, "optimizer-groups.scheduling-policy",
                           "expected quota or balanced");
        }
        return st;
    }
    if (strcmp(key, "properties") == 0) {
        return get_props(w, v, "optimizer-groups.properties", &g->properties, &g->n_properties);
    }
    return FLOE_ERR_NOT_FOUND;
}

static floe_status groups_section(walker *w, floe_server_config *c, const yaml_node_t *v)
{
    floe_status st = want_type(w, v, YAML_SEQUENCE_NODE, "optimizer-groups");
    for (yaml_node_item_t *it = st == FLOE_OK ? v->data.sequence.items.start : NULL;
         it != NULL && it < v->data.sequence.items.top && st == FLOE_OK; it++) {
        if (c->n_groups >= CONFIG_LIST_MAX) {
            return fail_at(w, v, "optimizer-groups", "too many groups");
        }
        c->groups = floe_xrealloc(c->groups, (c->n_groups + 1) * sizeof(*c->groups));
        memset(&c->groups[c->n_groups++], 0, sizeof(*c->groups));
        yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        st = each_key(w, item, "optimizer-groups", c, group_key);
        if (st == FLOE_OK && c->groups[c->n_groups - 1].name == NULL) {
            st = fail_at(w, item, "optimizer-groups", "each group needs a name");
        }
    }
    return st;
}

static floe_catalog_config *cur_catalog(floe_server_config *c)
{
    return &c->catalogs[c->n_catalogs - 1];
}

static floe_status catalog_key(walker *w, floe_server_config *c, const char *key,
                               const yaml_node_t *v)
{
    floe_catalog_config *cc = cur_catalog(c);
    if (strcmp(key, "name") == 0) {
        return get_string(w, v, "catalogs.name", &cc->name);
    }
    if (strcmp(key, "warehouse") == 0) {
        return get_string(w, v, "catalogs.warehouse", &cc->warehouse);
    }
    if (strcmp(key, "properties") != 0) {
        return FLOE_ERR_NOT_FOUND;
    }
    return get_props(w, v, "catalogs.properties", &cc->properties, &cc->n_properties);
}

static floe_status top_key(walker *w, floe_server_config *c, const char *key, const yaml_node_t *v)
{
    if (strcmp(key, "server") == 0) {
        return each_key(w, v, "server", c, server_key);
    }
    if (strcmp(key, "database") == 0) {
        return each_key(w, v, "database", c, database_key);
    }
    if (strcmp(key, "auth") == 0) {
        return each_key(w, v, "auth", c, auth_key);
    }
    if (strcmp(key, "log") == 0) {
        return each_key(w, v, "log", c, log_key);
    }
    if (strcmp(key, "optimizing") == 0) {
        return each_key(w, v, "optimizing", c, optimizing_key);
    }
    if (strcmp(key, "optimizer-groups") == 0) {
        return groups_section(w, c, v);
    }
    if (strcmp(key, "maintenance") == 0) {
        return each_key(w, v, "maintenance", c, maintenance_key);
    }
    if (strcmp(key, "catalogs") != 0) {
        return FLOE_ERR_NOT_FOUND;
    }
    floe_status st = want_type(w, v, YAML_SEQUENCE_NODE, "catalogs");
    for (yaml_node_item_t *it = st == FLOE_OK ? v->data.sequence.items.start : NULL;
         it != NULL && it < v->data.sequence.items.top && st == FLOE_OK; it++) {
        if (c->n_catalogs >= CONFIG_LIST_MAX) {
            return fail_at(w, v, "catalogs", "too many catalogs");
        }
        c->catalogs = floe_xrealloc(c->catalogs, (c->n_catalogs + 1) * sizeof(*c->catalogs));
        memset(&c->catalogs[c->n_catalogs++], 0, sizeof(*c->catalogs));
        yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        st = each_key(w, item, "catalogs", c, catalog_key);
        if (st == FLOE_OK && cur_catalog(c)->name == NULL) {
            st = fail_at(w, item, "catalogs", "each catalog needs a name");
        }
    }
    return st;
}

floe_status floe_server_config_parse(floe_server_config *c, const char *yaml, size_t len,
                                     floe_err *err)
{
    if (len > FLOE_CONFIG_FILE_MAX) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "config is larger than %zu bytes",
                            FLOE_CONFIG_FILE_MAX);
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        return floe_err_set(err, FLOE_ERR_INTERNAL, "config: cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        floe_status st =
            floe_err_set(err, FLOE_ERR_INVALID, "config line %zu: %s", parser.problem_mark.line + 1,
                         parser.problem != NULL ? parser.problem : "malformed YAML");
        yaml_parser_delete(&parser);
        return st;
    }
    yaml_parser_delete(&parser);
    floe_status st = FLOE_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    size_t nodes = (size_t)(doc.nodes.top - doc.nodes.start);
    if (nodes > CONFIG_NODES_MAX) {
        st = floe_err_set(err, FLOE_ERR_TOO_BIG, "config has more than %d nodes", CONFIG_NODES_MAX);
    } else if (root != NULL && !(root->type == YAML_SCALAR_NODE &&
                                 root->data.scalar.length == 0)) { /* empty document is fine */
        walker w = {&doc, err};
        st = each_key(&w, root, "config", c, top_key);
    }
    yaml_document_delete(&doc);
    return st;
}

floe_status floe_server_config_load(floe_server_config *c, const char *path, floe_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return floe_err_errno(err, errno, "config %s", path);
    }
    floe_buf b;
    floe_buf_init(&b, FLOE_CONFIG_FILE_MAX);
    char chunk[8192];
    size_t n;
    floe_status st = FLOE_OK;
    while (st == FLOE_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        st = floe_buf_append(&b, chunk, n, err);
    }
    if (st == FLOE_OK && ferror(f)) {
        st = floe_err_errno(err, errno, "read %s", path);
    }
    fclose(f);
    if (st == FLOE_OK) {
        st = floe_server_config_parse(c, b.data != NULL ? b.data : "", b.len, err);
    }
    floe_buf_fini(&b);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "%s", path);
    }
    return st;
}

/* ==== Final checks ==== */

static bool client_id_valid(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > 128) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '@' || ch == '-')) {
            return false;
        }
    }
    return true;
}

static bool group_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > FLOE_OPT_GROUP_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-')) {
            return false;
        }
    }
    return true;
}

/* Optimizer groups: names checked and unique, properties known, "default" present. */
static floe_status finish_groups(floe_server_config *c, floe_err *err)
{
    bool have_default = false;
    for (size_t i = 0; i < c->n_groups; i++) {
        const floe_optimizer_group_config *g = &c->groups[i];
        if (!group_name_valid(g->name)) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "optimizer group name '%s' must be 1..%d characters of "
                                "[A-Za-z0-9_-]",
                                g->name, FLOE_OPT_GROUP_NAME_MAX);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(g->name, c->groups[j].name) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "optimizer group %s is configured twice",
                                    g->name);
            }
        }
        for (size_t k = 0; k < g->n_properties; k++) {
            uint64_t v = 0;
            if (strcmp(g->properties[k].key, "max-input-file-size-per-thread") != 0) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "optimizer group %s: unknown property '%s'", g->name,
                                    g->properties[k].key);
            }
            if (floe_parse_size(g->properties[k].value, &v, NULL) != FLOE_OK || v == 0 ||
                v > ((uint64_t)1 << 50)) {
                return floe_err_set(err, FLOE_ERR_INVALID,
                                    "optimizer group %s: max-input-file-size-per-thread: expected "
                                    "a size, got '%s'",
                                    g->name, g->properties[k].value);
            }
        }
        have_default |= strcmp(g->name, "default") == 0;
    }
    if (!have_default) {
        c->groups = floe_xrealloc(c->groups, (c->n_groups + 1) * sizeof(*c->groups));
        memset(&c->groups[c->n_groups], 0, sizeof(*c->groups));
        c->groups[c->n_groups++].name = floe_xstrdup("default");
    }
    return FLOE_OK;
}

floe_status floe_server_config_finish(floe_server_config *c, floe_err *err)
{
    server_listen_addr addr;
    floe_status st = server_parse_listen(c->listen, &addr, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!addr.loopback && !c->auth_enabled && !c->insecure) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "refusing to listen on %s without auth: enable auth or pass --insecure",
                            c->listen);
    }
    if (c->auth_enabled && c->n_clients == 0) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "auth is enabled but no clients are configured (auth.clients)");
    }
    for (size_t i = 0; i < c->n_clients; i++) {
        if (!client_id_valid(c->clients[i].id)) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "auth client id '%s' must be 1..128 characters of "
                                "[A-Za-z0-9_.@-]",
                                c->clients[i].id);
        }
        if (c->clients[i].secret_hash[0] != '$') {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "auth client %s: secret-hash must be a crypt(3) hash such as "
                                "$y$... (floe server --hash-secret)",
                                c->clients[i].id);
        }
    }
    if (c->data_dir == NULL || c->data_dir[0] == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "data-dir is empty");
    }
    if (c->n_catalogs == 0) {
        c->catalogs = floe_xcalloc(1, sizeof(*c->catalogs));
        c->catalogs[0].name = floe_xstrdup("default");
        c->n_catalogs = 1;
    }
    for (size_t i = 0; i < c->n_catalogs; i++) {
        if (!floe_catalog_name_valid(c->catalogs[i].name)) {
            return floe_err_set(err, FLOE_ERR_INVALID,
                                "catalog name '%s' must be 1..%d characters of [A-Za-z0-9_-]",
                                c->catalogs[i].name, FLOE_CATALOG_NAME_MAX);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->catalogs[i].name, c->catalogs[j].name) == 0) {
                return floe_err_set(err, FLOE_ERR_INVALID, "catalog %s is configured twice",
                                    c->catalogs[i].name);
            }
        }
    }
    return finish_groups(c, err);
}
