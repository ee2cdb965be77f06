/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe server`: run the catalog server until SIGTERM or SIGINT, then stop gracefully.
 *
 * Settings come from the built-in defaults, then --config FILE, then the flags. SIGTERM and
 * SIGINT are blocked in every thread and taken with sigwait() by the main thread, so the server's
 * threads never run signal handlers.
 */
#include "cli.h"

#include "floe/server.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: floe server [OPTIONS]\n"
    "\n"
    "Serve the Iceberg REST catalog. With no options: SQLite metadata store and a\n"
    "warehouse under ./floe-data, one catalog named 'default', 127.0.0.1:8181, no auth.\n"
    "\n"
    "Options:\n"
    "  --config FILE       YAML configuration (docs/internals/server.md)\n"
    "  --data-dir DIR      data directory (default ./floe-data; created)\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8181; port 0 picks one)\n"
    "  --database URL      sqlite:PATH or postgresql://... (default sqlite:DATA-DIR/floe.db)\n"
    "  --threads N         HTTP worker threads (default 8)\n"
    "  --auth              require bearer tokens (clients come from the config file)\n"
    "  --insecure          allow a non-loopback address without auth\n"
    "  --port-file FILE    write the port to FILE once listening\n"
    "  --hash-secret       read a client secret from stdin, print its hash for the config\n"
    "                      file, and exit\n"
    "\n"
    "SIGTERM or SIGINT stops the server: it stops accepting connections, lets requests in\n"
    "flight finish, then closes the store.\n";

static int hash_secret(void)
{
    char line[4096];
    if (fgets(line, sizeof(line), stdin) == NULL) {
        cli_error("server", "--hash-secret: no secret on stdin");
        return CLI_EXIT_FAILURE;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *hash = NULL;
    floe_err err = {0};
    if (floe_server_hash_secret(line, &hash, &err) != FLOE_OK) {
        return cli_fail("server", &err);
    }
    printf("%s\n", hash);
    free(hash);
    return CLI_EXIT_OK;
}

static void set_opt(char **field, const char *v)
{
    free(*field);
    *field = floe_xstrdup(v);
}

static int run_server(int argc, char **argv)
{
    const char *config = NULL, *data_dir = NULL, *listen = NULL, *database = NULL;
    const char *port_file = NULL, *threads = NULL;
    bool auth = false, insecure = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (strcmp(a, "--config") == 0) {
            dst = &config;
        } else if (strcmp(a, "--data-dir") == 0) {
            dst = &data_dir;
        } else if (strcmp(a, "--listen") == 0) {
            dst = &listen;
        } else if (strcmp(a, "--database") == 0) {
            dst = &database;
        } else if (strcmp(a, "--port-file") == 0) {
            dst = &port_file;
        } else if (strcmp(a, "--threads") == 0) {
            dst = &threads;
        } else if (strcmp(a, "--auth") == 0) {
            auth = true;
            continue;
        } else if (strcmp(a, "--insecure") == 0) {
            insecure = true;
            continue;
        } else if (strcmp(a, "--hash-secret") == 0) {
            return hash_secret();
        } else {
            return cli_usage_error("server", "unknown option '%s'", a);
        }
        if (i + 1 >= argc) {
            return cli_usage_error("server", "%s needs a value", a);
        }
        *dst = argv[++i];
    }

    floe_server_config cfg;
    floe_server_config_init(&cfg);
    floe_err err = {0};
    int rc = CLI_EXIT_OK;
    if (config != NULL && floe_server_config_load(&cfg, config, &err) != FLOE_OK) {
        rc = cli_fail("server", &err);
        goto out;
    }
    if (data_dir != NULL) {
        set_opt(&cfg.data_dir, data_dir);
    }
    if (listen != NULL) {
        set_opt(&cfg.listen, listen);
    }
    if (database != NULL) {
        set_opt(&cfg.database_url, database);
    }
    if (port_file != NULL) {
        set_opt(&cfg.port_file, port_file);
    }
    if (threads != NULL) {
        int32_t n = 0;
        if (floe_parse_i32(threads, &n, NULL) != FLOE_OK || n < 1 || n > 1024) {
            rc = cli_usage_error("server", "--threads must be from 1 to 1024");
            goto out;
        }
        cfg.threads = (unsigned)n;
    }
    cfg.auth_enabled = cfg.auth_enabled || auth;
    cfg.insecure = cfg.insecure || insecure;
    if (cfg.log_level_set && !cli_log_level_given) {
        floe_log_set_level(cfg.log_level);
    }
    if (floe_server_config_finish(&cfg, &err) != FLOE_OK) {
        rc = cli_fail("server", &err);
        goto out;
    }

    /* Block the stop signals before any thread starts, so every thread inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    floe_server *srv = NULL;
    if (floe_server_start(&cfg, &srv, &err) != FLOE_OK) {
        rc = cli_fail("server", &err);
        goto out;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    FLOE_LOG_INFO("server", "received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    floe_server_stop(srv);
    floe_server_free(srv);
    FLOE_LOG_INFO("server", "stopped");
out:
    floe_server_config_fini(&cfg);
    return rc;
}

const cli_command cli_cmd_server = {
    .name = "server",
    .summary = "serve the Iceberg REST catalog",
    .usage = usage,
    .run = run_server,
};
