/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers: contexts, fixtures, temporary directories. */
#define _GNU_SOURCE /* nftw */
#include "floe_test.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int floe_test_setup(void **state)
{
    floe_test_ctx *t = floe_xcalloc(1, sizeof(*t));
    t->arena = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/floe-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        print_error("mkdtemp %s: %s\n", tmpl, strerror(errno));
        return -1;
    }
    t->tmpdir = floe_xstrdup(tmpl);
    *state = t;
    return 0;
}

int floe_test_teardown(void **state)
{
    floe_test_ctx *t = *state;
    if (t == NULL) {
        return 0;
    }
    floe_test_rm_rf(t->tmpdir);
    free(t->tmpdir);
    floe_arena_free(t->arena);
    free(t);
    *state = NULL;
    return 0;
}

/* Fixture bytes are kept for the life of the process and released at exit. */
typedef struct loaded {
    struct loaded *next;
    char *data;
} loaded;
static loaded *loaded_list;

static void free_loaded(void)
{
    while (loaded_list != NULL) {
        loaded *l = loaded_list;
        loaded_list = l->next;
        free(l->data);
        free(l);
    }
}

floe_str floe_test_fixture(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", FLOE_TEST_DATA_DIR, rel);
    size_t len = 0;
    char *data = floe_test_read_file(path, &len);
    if (loaded_list == NULL) {
        atexit(free_loaded);
    }
    loaded *l = floe_xcalloc(1, sizeof(*l));
    l->data = data;
    l->next = loaded_list;
    loaded_list = l;
    floe_str s = {data, len};
    return s;
}

const char *floe_test_data_path(floe_test_ctx *t, const char *rel)
{
    return floe_arena_sprintf(t->arena, "%s/%s", FLOE_TEST_DATA_DIR, rel);
}

const char *floe_test_shared_path(floe_test_ctx *t, const char *rel)
{
    return floe_arena_sprintf(t->arena, "%s/%s", FLOE_SHARED_FIXTURES_DIR, rel);
}

const char *floe_test_tmp_path(floe_test_ctx *t, const char *rel)
{
    return floe_arena_sprintf(t->arena, "%s/%s", t->tmpdir, rel);
}

const char *floe_test_copy_shared(floe_test_ctx *t, const char *rel)
{
    const char *src = floe_test_shared_path(t, rel);
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    const char *dst = floe_test_tmp_path(t, base);
    /* cp -R keeps this simple; the copies are writable so tests may change them. */
    if (floe_test_system("cp -R '%s' '%s' && chmod -R u+w '%s'", src, dst, dst) != 0) {
        print_error("cannot copy fixture %s\n", src);
        fail();
    }
    return dst;
}

void floe_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        print_error("cannot write %s: %s\n", path, strerror(errno));
        fail();
    }
}

char *floe_test_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        print_error("cannot read %s: %s\n", path, strerror(errno));
        fail();
    }
    floe_buf b;
    floe_buf_init(&b, 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        floe_buf_append(&b, chunk, n, NULL);
    }
    fclose(f);
    return floe_buf_detach(&b, len_out);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void floe_test_rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int floe_test_system(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc == -1) {
        return -1;
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void floe_test_check_ok(floe_status st, const char *expr, const floe_err *err, const char *file,
                        int line)
{
    if (st != FLOE_OK) {
        print_error("%s failed: %s: %s\n", expr, floe_status_name(st), err ? err->msg : "");
        _fail(file, line);
    }
}

void floe_test_check_err(floe_status st, const char *expr, floe_status want, const floe_err *err,
                         const char *needle, const char *file, int line)
{
    if (st != want) {
        print_error("%s: expected %s, got %s: %s\n", expr, floe_status_name(want),
                    floe_status_name(st), err ? err->msg : "");
        _fail(file, line);
    }
    if (needle != NULL && (err == NULL || strstr(err->msg, needle) == NULL)) {
        print_error("%s: message '%s' lacks '%s'\n", expr, err ? err->msg : "", needle);
        _fail(file, line);
    }
}
