/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `floe optimizer`: a standalone self-optimizing worker. It registers with an optimizer group
 * of a floe server, polls for rewrite tasks with N threads and runs them until SIGTERM or
 * SIGINT. As in `floe server`, the stop signals are blocked in every thread and taken with
 * sigwait() by the main thread.
 */
#include "cli.h"

#include "floe/optimizer.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: floe optimizer --server URL [OPTIONS]\n"
    "\n"
    "Run a self-optimizing worker for a floe server: register with an optimizer group,\n"
    "poll for rewrite tasks, read the tasks' files with their deletes applied, write the\n"
    "new files, and report them. Runs until SIGTERM or SIGINT.\n"
    "\n"
    "Options:\n"
    "  --server URL            the floe server (http://HOST:PORT), required\n"
    "  --group NAME            optimizer group (default 'default')\n"
    "  --threads N             executor threads (default 1, at most 1024)\n"
    "  --token T               bearer token sent with every request\n"
    "  --location-map FROM=TO  read and write locations starting with FROM under TO\n"
    "                          instead (repeatable; e.g. s3://bucket=/mnt/bucket)\n"
    "  --resource-id ID        a name for this worker, shown by the server\n"
    "  --memory MB             memory this worker offers in MiB, reported at registration\n"
    "                          (--memory-mb is the same)\n"
    "  --stop-grace SECONDS    on stop, let running tasks finish for this long before\n"
    "                          canceling them (default 30; -1 waits for them)\n"
    "  --poll-wait-ms MS       long-poll: how long the server may hold a poll that finds\n"
    "                          no task (default 10000, at most 30000; 0 polls every second)\n"
    "\n"
    "SIGTERM or SIGINT stops the worker: no new tasks are taken, running tasks finish\n"
    "within the grace period or are canceled (their files deleted, the server plans them\n"
    "again).\n";

static int run_optimizer(int argc, char **argv)
{
    floe_optimizer_config cfg = {.stop_grace_ms = 30000};
    floe_kv *maps = floe_xcalloc((size_t)argc, sizeof(*maps));
    size_t n_maps = 0;
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc && rc == CLI_EXIT_OK; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--server") == 0 || strcmp(a, "--group") == 0 ||
                           strcmp(a, "--threads") == 0 || strcmp(a, "--token") == 0 ||
                           strcmp(a, "--location-map") == 0 || strcmp(a, "--resource-id") == 0 ||
                           strcmp(a, "--memory") == 0 || strcmp(a, "--memory-mb") == 0 ||
                           strcmp(a, "--stop-grace") == 0 || strcmp(a, "--poll-wait-ms") == 0;
        if (!takes_value) {
            rc = cli_usage_error("optimizer", "unknown option '%s'", a);
            break;
        }
        if (v == NULL) {
            rc = cli_usage_error("optimizer", "%s needs a value", a);
            break;
        }
        i++;
        if (strcmp(a, "--server") == 0) {
            cfg.server_url = v;
        } else if (strcmp(a, "--group") == 0) {
            cfg.group = v;
        } else if (strcmp(a, "--token") == 0) {
            cfg.token = v;
        } else if (strcmp(a, "--resource-id") == 0) {
            cfg.resource_id = v;
        } else if (strcmp(a, "--threads") == 0) {
            int32_t n = 0;
            if (floe_parse_i32(v, &n, NULL) != FLOE_OK || n < 1 || n > 1024) {
                rc = cli_usage_error("optimizer", "--threads must be from 1 to 1024");
            }
            cfg.threads = n;
        } else if (strcmp(a, "--memory") == 0 || strcmp(a, "--memory-mb") == 0) {
            int64_t n = 0;
            if (floe_parse_i64(v, &n, NULL) != FLOE_OK || n < 1) {
                rc = cli_usage_error("optimizer", "%s must be a positive number of MiB", a);
            }
            cfg.memory_mb = n;
        } else if (strcmp(a, "--stop-grace") == 0) {
            int64_t n = 0;
            if (floe_parse_i64(v, &n, NULL) != FLOE_OK || n < -1 || n > 86400) {
                rc = cli_usage_error("optimizer", "--stop-grace must be -1 or 0..86400 seconds");
            }
            cfg.stop_grace_ms = n < 0 ? -1 : n * 1000;
        } else if (strcmp(a, "--poll-wait-ms") == 0) {
            int64_t n = 0;
            if (floe_parse_i64(v, &n, NULL) != FLOE_OK || n < 0 || n > FLOE_OPT_POLL_WAIT_MAX_MS) {
                rc = cli_usage_error("optimizer", "--poll-wait-ms must be 0..%d",
                                     FLOE_OPT_POLL_WAIT_MAX_MS);
            }
            cfg.poll_wait_ms = n == 0 ? -1 : n;
        } else { /* --location-map FROM=TO */
            const char *eq = strchr(v, '=');
            if (eq == NULL || eq == v || eq[1] == '\0') {
                rc = cli_usage_error("optimizer", "--location-map needs FROM=TO, got '%s'", v);
                break;
            }
            maps[n_maps].key = floe_xstrndup(v, (size_t)(eq - v));
            maps[n_maps].value = eq + 1;
            n_maps++;
        }
    }
    if (rc == CLI_EXIT_OK && cfg.server_url == NULL) {
        rc = cli_usage_error("optimizer", "--server URL is required");
    }
    cfg.location_map = maps;
    cfg.n_location_map = n_maps;

    floe_optimizer *o = NULL;
    if (rc == CLI_EXIT_OK) {
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        signal(SIGPIPE, SIG_IGN);
        floe_err err = {0};
        if (floe_optimizer_start(&cfg, &o, &err) != FLOE_OK) {
            rc = err.code == FLOE_ERR_INVALID ? cli_usage_error("optimizer", "%s", err.msg)
                                              : cli_fail("optimizer", &err);
        } else {
            FLOE_LOG_INFO("optimizer", "worker started: server=%s group=%s threads=%d",
                          cfg.server_url, cfg.group != NULL ? cfg.group : "default",
                          cfg.threads > 0 ? cfg.threads : 1);
            int sig = 0;
            sigwait(&stop, &sig);
            FLOE_LOG_INFO("optimizer", "received %s, stopping",
                          sig == SIGTERM ? "SIGTERM" : "SIGINT");
            floe_optimizer_stats s;
            floe_optimizer_get_stats(o, &s);
            floe_optimizer_stop(o);
            FLOE_LOG_INFO("optimizer", "stopped: %lld tasks done, %lld failed, %lld abandoned",
                          (long long)s.tasks_done, (long long)s.tasks_failed,
                          (long long)s.tasks_abandoned);
        }
    }
    for (size_t i = 0; i < n_maps; i++) {
        free((char *)maps[i].key);
    }
    free(maps);
    return rc;
}

const cli_command cli_cmd_optimizer = {
    .name = "optimizer",
    .summary = "run a self-optimizing worker for a floe server",
    .usage = usage,
    .run = run_optimizer,
};
