/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for floe's cmocka tests: a per-test context with an arena and a temporary directory,
 * fixture loading, file helpers, and assertions that print floe_err messages when they fail.
 *
 * A test file defines its group with FLOE_TEST_GROUP(name) { ... return cmocka_run_group_tests
 * (...); } and is picked up by tests/CMakeLists.txt as ctest "unit.<module>.<name>".
 */
#ifndef FLOE_TEST_H
#define FLOE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "floe/base.h"

#define FLOE_TEST_GROUP(name)                                                                      \
    int floe_test_group_##name(void);                                                              \
    int floe_test_group_##name(void)

typedef struct floe_test_ctx {
    floe_arena *arena; /* freed at teardown */
    char *tmpdir;      /* a fresh directory, removed with its contents at teardown */
} floe_test_ctx;

/* cmocka setup/teardown: `*state` becomes a floe_test_ctx. */
int floe_test_setup(void **state);
int floe_test_teardown(void **state);

/* Contents of tests/data/<rel>; the bytes live until the test process exits. Fails the test if
 * the file cannot be read. */
floe_str floe_test_fixture(const char *rel);
/* Absolute path of tests/data/<rel> or ../shared/fixtures/<rel>, in the context's arena. */
const char *floe_test_data_path(floe_test_ctx *t, const char *rel);
const char *floe_test_shared_path(floe_test_ctx *t, const char *rel);
/* Copy ../shared/fixtures/<rel> (a file or a directory tree) into the context's temporary
 * directory and return the copy's path; fixtures are never modified in place. */
const char *floe_test_copy_shared(floe_test_ctx *t, const char *rel);

/* `<tmpdir>/<rel>` in the context's arena. */
const char *floe_test_tmp_path(floe_test_ctx *t, const char *rel);
/* Write or read a whole file (the test fails on error). read returns heap memory: free() it. */
void floe_test_write_file(const char *path, const void *data, size_t len);
char *floe_test_read_file(const char *path, size_t *len_out);
/* Remove a file or directory tree; missing is fine. */
void floe_test_rm_rf(const char *path);
/* Run a shell command; returns its exit status (or -1). */
int floe_test_system(const char *fmt, ...) FLOE_PRINTF(1, 2);

/* Assert a floe call succeeded, printing the error message if it did not. */
#define FLOE_ASSERT_OK(expr, errp) floe_test_check_ok((expr), #expr, (errp), __FILE__, __LINE__)

/* Assert a call failed with `code` and that the message contains `needle` (NULL: any). */
#define FLOE_ASSERT_ERR(expr, code, errp, needle)                                                  \
    floe_test_check_err((expr), #expr, (code), (errp), (needle), __FILE__, __LINE__)

void floe_test_check_ok(floe_status st, const char *expr, const floe_err *err, const char *file,
                        int line);
void floe_test_check_err(floe_status st, const char *expr, floe_status want, const floe_err *err,
                         const char *needle, const char *file, int line);

#endif /* FLOE_TEST_H */
