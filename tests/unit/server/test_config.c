/* SPDX-License-Identifier: Apache-2.0 */
/* The server configuration: defaults, the YAML layout, strict errors, and the final checks. */
#include "floe_test.h"

#include "floe/server.h"

#include <string.h>

static floe_status parse(floe_server_config *c, const char *yaml, floe_err *err)
{
    return floe_server_config_parse(c, yaml, strlen(yaml), err);
}

static void test_defaults_finish_with_one_catalog(void **state)
{
    (void)state;
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_server_config_finish(&c, &err), &err);
    assert_string_equal(c.listen, "127.0.0.1:8181");
    assert_string_equal(c.data_dir, "./floe-data");
    assert_null(c.database_url);
    assert_false(c.auth_enabled);
    assert_int_equal(c.n_catalogs, 1);
    assert_string_equal(c.catalogs[0].name, "default");
    floe_server_config_fini(&c);
}

static void test_full_file(void **state)
{
    (void)state;
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    FLOE_ASSERT_OK(parse(&c,
                         "server:\n"
                         "  listen: '[::1]:9000'\n"
                         "  data-dir: /var/lib/floe\n"
                         "  threads: 4\n"
                         "  max-request-body: 2MiB\n"
                         "  shutdown-grace: 5s\n"
                         "database:\n"
                         "  url: postgresql://floe@db/floe\n"
                         "  pool-size: 32\n"
                         "  busy-timeout: 250ms\n"
                         "auth:\n"
                         "  enabled: yes\n"
                         "  token-ttl: 30m\n"
                         "  clients:\n"
                         "    - {id: spark, secret-hash: '$y$abc'}\n"
                         "    - id: trino\n"
                         "      secret-hash: '$y$def'\n"
                         "log: {level: warn}\n"
                         "catalogs:\n"
                         "  - name: lake\n"
                         "    warehouse: /lake\n"
                         "    properties:\n"
                         "      table.self-optimizing.enabled: 'true'\n"
                         "  - name: dev\n",
                         &err),
                   &err);
    assert_string_equal(c.listen, "[::1]:9000");
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.max_body, 2 << 20);
    assert_int_equal(c.shutdown_grace_ms, 5000);
    assert_int_equal(c.db_pool_size, 32);
    assert_int_equal(c.db_busy_timeout_ms, 250);
    assert_true(c.auth_enabled);
    assert_int_equal(c.token_ttl_ms, 30 * 60 * 1000);
    assert_int_equal(c.n_clients, 2);
    assert_string_equal(c.clients[1].id, "trino");
    assert_int_equal(c.log_level, FLOE_LOG_WARN);
    assert_int_equal(c.n_catalogs, 2);
    assert_string_equal(c.catalogs[0].properties[0].key, "table.self-optimizing.enabled");
    assert_null(c.catalogs[1].warehouse);
    FLOE_ASSERT_OK(floe_server_config_finish(&c, &err), &err);
    floe_server_config_fini(&c);
}

static void test_errors_name_the_key_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        const char *needle;
    } cases[] = {
        {"server:\n  listn: x\n", "config line 2: server: unknown key 'listn'"},
        {"bogus: 1\n", "unknown key 'bogus'"},
        {"server:\n  threads: 0\n", "server.threads: expected a whole number from 1 to 1024"},
        {"server:\n  threads: many\n", "server.threads"},
        {"server:\n  max-request-body: 10\n", "must be from 1KiB to 1GiB"},
        {"server:\n  shutdown-grace: soon\n", "expected a duration"},
        {"auth:\n  enabled: maybe\n", "expected true or false"},
        {"auth:\n  token-ttl: 0s\n", "must be from 1s to 7d"},
        {"auth:\n  clients:\n    - id: x\n", "each client needs an id and a secret-hash"},
        {"catalogs: nope\n", "expected a list"},
        {"catalogs:\n  - warehouse: /x\n", "each catalog needs a name"},
        {"catalogs:\n  - name: a\n    properties: [1]\n", "expected a mapping"},
        {"server: [1, 2]\n", "expected a mapping"},
        {"server:\n  listen: [a]\n", "expected a single value"},
        {"[unclosed\n", "config line"},
        {"- just\n- a list\n", "expected a mapping"},
        {"maintenance:\n  poll-interval: 10ms\n", "must be at least 100ms"},
        {"maintenance:\n  expire-interval: 1h\n", "maintenance: unknown key 'expire-interval'"},
        {"maintenance:\n  keep-runs: 0\n", "maintenance.keep-runs"},
        {"maintenance:\n  enabled: sometimes\n", "expected true or false"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_server_config c;
        floe_server_config_init(&c);
        floe_err err = {0};
        floe_status st = parse(&c, cases[i].yaml, &err);
        if (st == FLOE_OK || strstr(err.msg, cases[i].needle) == NULL) {
            fail_msg("case %zu: status %s, message '%s', wanted '%s'", i, floe_status_name(st),
                     err.msg, cases[i].needle);
        }
        floe_server_config_fini(&c);
    }
}

static void test_finish_refuses_unsafe_setups(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        const char *needle;
    } cases[] = {
        {"server: {listen: '0.0.0.0:8181'}\n", "without auth"},
        {"server: {listen: 'example.com:80'}\n", "must be an IP address"},
        {"server: {listen: '127.0.0.1:99999'}\n", "bad port"},
        {"server: {listen: '127.0.0.1'}\n", "expected host:port"},
        {"auth: {enabled: true}\n", "no clients"},
        {"auth: {enabled: true, clients: [{id: 'a b', secret-hash: '$y$x'}]}\n", "client id"},
        {"auth: {enabled: true, clients: [{id: ab, secret-hash: plain}]}\n", "crypt(3) hash"},
        {"catalogs: [{name: 'a/b'}]\n", "catalog name"},
        {"catalogs: [{name: a}, {name: a}]\n", "configured twice"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(cases); i++) {
        floe_server_config c;
        floe_server_config_init(&c);
        floe_err err = {0};
        FLOE_ASSERT_OK(parse(&c, cases[i].yaml, &err), &err);
        floe_status st = floe_server_config_finish(&c, &err);
        if (st == FLOE_OK || strstr(err.msg, cases[i].needle) == NULL) {
            fail_msg("case %zu: status %s, message '%s', wanted '%s'", i, floe_status_name(st),
                     err.msg, cases[i].needle);
        }
        floe_server_config_fini(&c);
    }
    /* The same open address is fine with auth, or with insecure. */
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    FLOE_ASSERT_OK(parse(&c, "server: {listen: '0.0.0.0:0', insecure: true}\n", &err), &err);
    FLOE_ASSERT_OK(floe_server_config_finish(&c, &err), &err);
    floe_server_config_fini(&c);
}

static void test_load_file(void **state)
{
    floe_test_ctx *t = *state;
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_server_config_load(&c, floe_test_tmp_path(t, "none.yaml"), &err),
                    FLOE_ERR_NOT_FOUND, &err, "none.yaml");
    floe_err_clear(&err);
    const char *path = floe_test_tmp_path(t, "c.yaml");
    floe_test_write_file(path, "server:\n  threads: 3\n", 21);
    FLOE_ASSERT_OK(floe_server_config_load(&c, path, &err), &err);
    assert_int_equal(c.threads, 3);
    floe_server_config_fini(&c);
}

static void test_optimizing_and_groups(void **state)
{
    (void)state;
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    assert_true(c.opt_enabled);
    assert_int_equal(c.opt_refresh_interval_ms, 60000);
    FLOE_ASSERT_OK(parse(&c,
                         "optimizing:\n"
                         "  enabled: false\n"
                         "  refresh-tables.interval: 5s\n"
                         "  heartbeat-timeout: 2m\n"
                         "  ack-timeout: 10s\n"
                         "  execute-timeout: 2h\n"
                         "optimizer-groups:\n"
                         "  - name: etl\n"
                         "    scheduling-policy: balanced\n"
                         "    properties:\n"
                         "      max-input-file-size-per-thread: 1GiB\n",
                         &err),
                   &err);
    FLOE_ASSERT_OK(floe_server_config_finish(&c, &err), &err);
    assert_false(c.opt_enabled);
    assert_int_equal(c.opt_refresh_interval_ms, 5000);
    assert_int_equal(c.opt_heartbeat_timeout_ms, 120000);
    assert_int_equal(c.opt_ack_timeout_ms, 10000);
    assert_int_equal(c.opt_execute_timeout_ms, 7200000);
    assert_int_equal(c.n_groups, 2); /* etl, then default added */
    assert_string_equal(c.groups[0].name, "etl");
    assert_string_equal(c.groups[0].policy, "balanced");
    assert_string_equal(c.groups[0].properties[0].value, "1GiB");
    assert_string_equal(c.groups[1].name, "default");
    floe_server_config_fini(&c);

    static const struct {
        const char *yaml;
        const char *needle;
    } bad[] = {
        {"optimizing:\n  refresh: 1s\n", "unknown key 'refresh'"},
        {"optimizing:\n  refresh-tables.interval: 1ms\n", "too short"},
        {"optimizer-groups:\n  - name: a\n    scheduling-policy: fifo\n", "quota or balanced"},
        {"optimizer-groups:\n  - scheduling-policy: quota\n", "needs a name"},
        {"optimizer-groups:\n  - name: 'a b'\n", "must be 1..64"},
        {"optimizer-groups:\n  - name: a\n  - name: a\n", "configured twice"},
        {"optimizer-groups:\n  - name: a\n    properties: {threads: '4'}\n",
         "unknown property 'threads'"},
        {"optimizer-groups:\n  - name: a\n    properties:\n"
         "      max-input-file-size-per-thread: lots\n",
         "expected a size"},
    };
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        floe_server_config_init(&c);
        floe_err e = {0};
        floe_status st = parse(&c, bad[i].yaml, &e);
        if (st == FLOE_OK) {
            st = floe_server_config_finish(&c, &e);
        }
        if (st != FLOE_ERR_INVALID || strstr(e.msg, bad[i].needle) == NULL) {
            fail_msg("case %zu: got %s '%s', want '%s'", i, floe_status_name(st), e.msg,
                     bad[i].needle);
        }
        floe_server_config_fini(&c);
    }
}

/* The maintenance section: Amoro's intervals by default, every key settable. */
static void test_maintenance_section(void **state)
{
    (void)state;
    floe_server_config c;
    floe_server_config_init(&c);
    assert_true(c.maintenance.enabled);
    assert_int_equal(c.maintenance.interval_ms[FLOE_MNT_EXPIRE_SNAPSHOTS], 3600 * 1000);
    assert_int_equal(c.maintenance.interval_ms[FLOE_MNT_CLEAN_ORPHANS], 86400 * 1000);
    assert_int_equal(c.maintenance.interval_ms[FLOE_MNT_AUTO_TAG], 60 * 1000);
    floe_err err = {0};
    FLOE_ASSERT_OK(parse(&c,
                         "maintenance:\n"
                         "  enabled: false\n"
                         "  first-run: 2s\n"
                         "  poll-interval: 500ms\n"
                         "  expire-snapshots-interval: 1s\n"
                         "  clean-orphan-files-interval: 3s\n"
                         "  clean-dangling-delete-files-interval: 4s\n"
                         "  expire-data-interval: 5s\n"
                         "  auto-create-tag-interval: 6s\n"
                         "  keep-runs: 7\n",
                         &err),
                   &err);
    assert_false(c.maintenance.enabled);
    assert_int_equal(c.maintenance.first_run_ms, 2000);
    assert_int_equal(c.maintenance.poll_ms, 500);
    for (int i = 0; i < FLOE_MNT_ACTION_COUNT; i++) {
        int64_t want = i == 0 ? 1000 : (int64_t)(i + 2) * 1000;
        assert_int_equal(c.maintenance.interval_ms[i], want);
    }
    assert_int_equal(c.maintenance.keep_runs, 7);
    floe_server_config_fini(&c);
}

FLOE_TEST_GROUP(config)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_finish_with_one_catalog),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_errors_name_the_key_and_line),
        cmocka_unit_test(test_maintenance_section),
        cmocka_unit_test(test_finish_refuses_unsafe_setups),
        cmocka_unit_test(test_optimizing_and_groups),
        cmocka_unit_test_setup_teardown(test_load_file, floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
