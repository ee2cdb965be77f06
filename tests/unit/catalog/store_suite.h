/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metadata store test suite, run once per backend: test_store_sqlite.c runs it on SQLite
 * files, test_store_pg.c on a temporary PostgreSQL cluster. Each test gets a brand-new empty
 * database.
 */
#ifndef FLOE_STORE_SUITE_H
#define FLOE_STORE_SUITE_H

#include "floe_test.h"

#include "floe/catalog.h"

typedef struct store_backend {
    const char *name;
    /* A URL for a new, empty database (heap string); `t` is the test's context. */
    char *(*fresh_url)(floe_test_ctx *t);
    /* Whether to run the two-process compare-and-swap test (needs a server database). */
    bool multi_process;
} store_backend;

/* Run every store test against `b` as cmocka group `group`; returns the number of failures. */
int store_suite_run(const char *group, const store_backend *b);

#endif /* FLOE_STORE_SUITE_H */
