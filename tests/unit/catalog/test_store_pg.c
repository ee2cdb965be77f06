/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store suite on PostgreSQL: tests/support/pg_tmp.sh starts a throwaway cluster for the
 * group (unix socket in a temporary directory), every test gets a new database in it, and the
 * cluster is removed at the end.
 */
#include "store_suite.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_TMP FLOE_TEST_DATA_DIR "/../support/pg_tmp.sh"

static char *cluster_dir;
static char *base_url; /* .../postgres?host=...&port=... */
static int db_counter;

static bool start_cluster(void)
{
    FILE *p = popen(PG_TMP " start", "r");
    if (p == NULL) {
        return false;
    }
    char dir[1024] = {0}, url[2048] = {0};
    bool ok = fgets(dir, sizeof(dir), p) != NULL && fgets(url, sizeof(url), p) != NULL;
    ok = pclose(p) == 0 && ok;
    if (!ok) {
        return false;
    }
    dir[strcspn(dir, "\n")] = '\0';
    url[strcspn(url, "\n")] = '\0';
    cluster_dir = floe_xstrdup(dir);
    base_url = floe_xstrdup(url);
    return true;
}

static void stop_cluster(void)
{
    if (cluster_dir != NULL) {
        floe_test_system("%s stop '%s'", PG_TMP, cluster_dir);
    }
    free(cluster_dir);
    free(base_url);
    cluster_dir = base_url = NULL;
}

static char *pg_url(floe_test_ctx *t)
{
    (void)t;
    char name[32];
    snprintf(name, sizeof(name), "floe_t%d", ++db_counter);
    PGconn *c = PQconnectdb(base_url);
    if (PQstatus(c) != CONNECTION_OK) {
        fail_msg("connect %s: %s", base_url, PQerrorMessage(c));
    }
    char sql[64];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
    const char *q = strchr(base_url, '?');
    return floe_xasprintf("postgresql://floe@/%s%s", name, q);
}

static const store_backend pg_backend = {
    .name = "postgresql",
    .fresh_url = pg_url,
    .multi_process = true,
};

FLOE_TEST_GROUP(store_pg)
{
    if (!start_cluster()) {
        fprintf(stderr, "store_pg: could not start a PostgreSQL cluster with %s\n", PG_TMP);
        return 1;
    }
    int failed = store_suite_run("store_pg", &pg_backend);
    stop_cluster();
    return failed;
}
