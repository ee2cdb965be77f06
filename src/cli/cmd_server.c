/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe server`: run the catalog server until SIGTERM or SIGINT, then stop gracefully.
 *
 * Settings come from the built-in defaults, then --config FILE, then the flags. SIGTERM and
 * SIGINT are blocked in every thread and taken with sigwait() by the main thread, so the server's
 * threads never run signal handlers.
 */
#include "cli.h"

#include "floe/optimizer.h"
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
    "  --local-optimizer-threads N\n"
    "                      run a self-optimizing worker with N threads inside the server,\n"
    "                      in group 'default' (default 1; 0 disables it);\n"
    "                      --embedded-optimizer-threads is a deprecated alias\n"
    "  --hash-secret       read a client secret from stdin, print its hash for the config\n"
    "                      file, and exit\n"
    "\n"
    "SIGTERM or SIGINT stops the server: the embedded optimizer stops first (running tasks\n"
    "get 10 seconds to finish), then the server stops accepting connections, lets requests\n"
    "in flight finish, and closes the store.\n";

/* The embedded optimizer's in-process transport (used when the HTTP routes need auth). */
static int call_service(void *ud, const char *op, const json_t *req, json_t **resp)
{
    return floe_opt_service_handle(ud, op, req, resp);
}

/*
 * The URL the embedded optimizer reaches this server at: the listen host (loopback for a
 * wildcard address) and the bound port.
 */
static char *self_url(const char *listen, uint16_t port)
{
    const char *colon = strrchr(listen, ':');
    size_t n = colon != NULL ? (size_t)(colon - listen) : strlen(listen);
    char *host = floe_xstrndup(listen, n);
    const char *h = host;
    if (n == 0 || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0) {
        h = "127.0.0.1";
    } else if (strcmp(host, "::") == 0 || strcmp(host, "[::]") == 0) {
        h = "[::1]";
    }
    bool bare_v6 = strchr(h, ':') != NULL && h[0] != '[';
    char *url = floe_xasprintf("http://%s%s%s:%u", bare_v6 ? "[" : "", h, bare_v6 ? "]" : "",
                               (unsigned)port);
    free(host);
    return url;
}

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
    const char *port_file = NULL, *threads = NULL, *opt_threads = NULL;
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
        } else if (strcmp(a, "--local-optimizer-threads") == 0 ||
                   strcmp(a, "--embedded-optimizer-threads") == 0) {
            dst = &opt_threads;
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
    int32_t n_opt_threads = 1;
    if (opt_threads != NULL && (floe_parse_i32(opt_threads, &n_opt_threads, NULL) != FLOE_OK ||
                                n_opt_threads < 0 || n_opt_threads > 1024)) {
        rc = cli_usage_error("server", "--local-optimizer-threads must be from 0 to 1024");
        goto out;
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
    floe_optimizer *opt = NULL;
    floe_opt_service *svc = floe_server_opt_service(srv);
    if (n_opt_threads > 0 && svc != NULL) {
        char *url = self_url(cfg.listen, floe_server_port(srv));
        floe_optimizer_config ocfg = {
            .server_url = url,
            .group = "default",
            .threads = n_opt_threads,
            .resource_id = "embedded",
            .stop_grace_ms = 10000,
        };
        /* With auth on, the optimizer routes want a token this process has no client for:
         * talk to the service directly instead of over HTTP. */
        if (cfg.auth_enabled) {
            ocfg.handler = call_service;
            ocfg.handler_ud = svc;
        }
        if (floe_optimizer_start(&ocfg, &opt, &err) != FLOE_OK) {
            FLOE_LOG_ERROR("server", "embedded optimizer not started: %s", err.msg);
        } else {
            FLOE_LOG_INFO("server", "embedded optimizer: %d threads polling %s%s", n_opt_threads,
                          url, cfg.auth_enabled ? " (in process)" : "");
        }
        free(url);
    }
    int sig = 0;
    sigwait(&stop, &sig);
    FLOE_LOG_INFO("server", "received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    floe_optimizer_stop(opt); /* before the server: its tasks report to it */
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
