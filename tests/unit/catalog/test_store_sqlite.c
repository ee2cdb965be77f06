/* SPDX-License-Identifier: Apache-2.0 */
/* The store suite on SQLite: a fresh database file in each test's temporary directory. */
#include "store_suite.h"

#include <stdio.h>

static char *sqlite_url(floe_test_ctx *t)
{
    return floe_xasprintf("sqlite:%s/floe.db", t->tmpdir);
}

static const store_backend sqlite_backend = {
    .name = "sqlite",
    .fresh_url = sqlite_url,
    /* Several processes on one SQLite file are not a supported deployment. */
    .multi_process = false,
};

FLOE_TEST_GROUP(store_sqlite)
{
    return store_suite_run("store_sqlite", &sqlite_backend);
}
