/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include "floe/io.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static floe_fileio *new_io(void)
{
    floe_local_io_opts o = {.no_sync = false};
    return floe_fileio_local_new(&o);
}

static void test_write_commit_then_ranged_read(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *loc = floe_test_tmp_path(t, "a/b/c/file.bin"); /* parents are created */
    floe_output *o = NULL;
    FLOE_ASSERT_OK(floe_io_create(io, loc, FLOE_IO_CREATE_OVERWRITE, &o, &err), &err);
    bool exists = true;
    FLOE_ASSERT_OK(floe_io_exists(io, loc, &exists, &err), &err);
    assert_false(exists); /* invisible until commit */
    char chunk[1000];
    for (int i = 0; i < 1000; i++) {
        memset(chunk, 'a' + i % 26, sizeof(chunk));
        FLOE_ASSERT_OK(floe_output_write(o, chunk, sizeof(chunk), &err), &err);
    }
    assert_int_equal(floe_output_size(o), 1000000);
    FLOE_ASSERT_OK(floe_output_commit(o, &err), &err);

    floe_input *in = NULL;
    FLOE_ASSERT_OK(floe_io_open(io, loc, &in, &err), &err);
    assert_int_equal(floe_input_size(in), 1000000);
    assert_string_equal(floe_input_location(in), loc);
    char got[10];
    FLOE_ASSERT_OK(floe_input_read(in, 25 * 1000 + 995, got, 10, &err), &err);
    assert_memory_equal(got, "zzzzzaaaaa", 10);
    FLOE_ASSERT_ERR(floe_input_read(in, 999995, got, 10, &err), FLOE_ERR_CORRUPT, &err,
                    "past the end");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_input_read(in, UINT64_MAX, got, 1, &err), FLOE_ERR_CORRUPT, &err, NULL);
    floe_input_close(in);
    floe_fileio_free(io);
}

static void test_exclusive_create_on_existing_file(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *loc = floe_test_tmp_path(t, "v1.metadata.json");
    FLOE_ASSERT_OK(floe_io_write_file(io, loc, FLOE_IO_CREATE_EXCLUSIVE, "first", 5, &err), &err);
    FLOE_ASSERT_ERR(floe_io_write_file(io, loc, FLOE_IO_CREATE_EXCLUSIVE, "second", 6, &err),
                    FLOE_ERR_EXISTS, &err, "already exists");
    floe_buf b;
    floe_buf_init(&b, 0);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_io_read_file(io, loc, 100, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), "first"); /* the loser changed nothing */
    /* Overwrite mode replaces atomically. */
    FLOE_ASSERT_OK(floe_io_write_file(io, loc, FLOE_IO_CREATE_OVERWRITE, "third", 5, &err), &err);
    floe_buf_reset(&b);
    FLOE_ASSERT_OK(floe_io_read_file(io, loc, 100, &b, &err), &err);
    assert_string_equal(floe_buf_cstr(&b), "third");
    floe_buf_reset(&b);
    FLOE_ASSERT_ERR(floe_io_read_file(io, loc, 4, &b, &err), FLOE_ERR_TOO_BIG, &err,
                    "over the limit");
    floe_buf_fini(&b);
    /* No temporary files are left behind. */
    assert_int_equal(
        floe_test_system("test -z \"$(ls -A '%s' | grep -v '^v1.metadata.json$')\"", t->tmpdir), 0);
    floe_fileio_free(io);
}

typedef struct race {
    floe_fileio *io;
    const char *loc;
    _Atomic int wins;
    _Atomic int losses;
} race;

static void *race_create(void *arg)
{
    race *r = arg;
    floe_err err = {0};
    char body[32];
    snprintf(body, sizeof(body), "writer %lu", (unsigned long)pthread_self());
    floe_status st =
        floe_io_write_file(r->io, r->loc, FLOE_IO_CREATE_EXCLUSIVE, body, strlen(body), &err);
    if (st == FLOE_OK) {
        atomic_fetch_add(&r->wins, 1);
    } else if (st == FLOE_ERR_EXISTS) {
        atomic_fetch_add(&r->losses, 1);
    }
    return NULL;
}

static void test_concurrent_exclusive_create_has_one_winner(void **state)
{
    floe_test_ctx *t = *state;
    floe_local_io_opts o = {.no_sync = true};
    floe_fileio *io = floe_fileio_local_new(&o);
    for (int round = 0; round < 20; round++) {
        race r = {io, floe_arena_sprintf(t->arena, "%s/v%d.metadata.json", t->tmpdir, round), 0, 0};
        pthread_t th[8];
        for (int i = 0; i < 8; i++) {
            pthread_create(&th[i], NULL, race_create, &r);
        }
        for (int i = 0; i < 8; i++) {
            pthread_join(th[i], NULL);
        }
        assert_int_equal(atomic_load(&r.wins), 1);
        assert_int_equal(atomic_load(&r.losses), 7);
    }
    floe_fileio_free(io);
}

static void test_abort_leaves_nothing(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *loc = floe_test_tmp_path(t, "x.parquet");
    floe_output *o = NULL;
    FLOE_ASSERT_OK(floe_io_create(io, loc, FLOE_IO_CREATE_EXCLUSIVE, &o, &err), &err);
    FLOE_ASSERT_OK(floe_output_write(o, "partial", 7, &err), &err);
    floe_output_abort(o);
    bool exists = true;
    FLOE_ASSERT_OK(floe_io_exists(io, loc, &exists, &err), &err);
    assert_false(exists);
    assert_int_equal(floe_test_system("test -z \"$(ls -A '%s')\"", t->tmpdir), 0);
    floe_fileio_free(io);
}

static void test_delete_stat_rename(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *a = floe_test_tmp_path(t, "a.txt");
    const char *b = floe_test_tmp_path(t, "sub/b.txt");
    FLOE_ASSERT_ERR(floe_io_delete(io, a, &err), FLOE_ERR_NOT_FOUND, &err, "a.txt");
    floe_err_clear(&err);
    floe_file_info info;
    FLOE_ASSERT_ERR(floe_io_stat(io, a, &info, &err), FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_io_write_file(io, a, FLOE_IO_CREATE_OVERWRITE, "aaa", 3, &err), &err);
    FLOE_ASSERT_OK(floe_io_write_file(io, b, FLOE_IO_CREATE_OVERWRITE, "bb", 2, &err), &err);
    int64_t now = floe_time_now_us();
    FLOE_ASSERT_OK(floe_io_stat(io, a, &info, &err), &err);
    assert_int_equal(info.size, 3);
    assert_true(info.mtime_us <= now && info.mtime_us > now - 60 * INT64_C(1000000));
    FLOE_ASSERT_ERR(floe_io_rename(io, a, b, false, &err), FLOE_ERR_EXISTS, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_io_stat(io, b, &info, &err), &err);
    assert_int_equal(info.size, 2); /* not replaced */
    FLOE_ASSERT_OK(floe_io_rename(io, a, b, true, &err), &err);
    FLOE_ASSERT_OK(floe_io_stat(io, b, &info, &err), &err);
    assert_int_equal(info.size, 3);
    FLOE_ASSERT_OK(floe_io_rename(io, b, floe_test_tmp_path(t, "new/dir/c.txt"), false, &err),
                   &err);
    FLOE_ASSERT_OK(floe_io_delete(io, floe_test_tmp_path(t, "new/dir/c.txt"), &err), &err);
    FLOE_ASSERT_ERR(floe_io_open(io, t->tmpdir, &(floe_input *){NULL}, &err), FLOE_ERR_INVALID,
                    &err, "not a regular file");
    floe_fileio_free(io);
}

typedef struct listing {
    floe_buf names;
    uint64_t total;
    int count;
} listing;

static floe_status collect(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)err;
    listing *l = ud;
    floe_buf_printf(&l->names, NULL, "%s\n", info->location);
    l->total += info->size;
    l->count++;
    assert_true(info->mtime_us > 0);
    return FLOE_OK;
}

static floe_status stop_at_two(void *ud, const floe_file_info *info, floe_err *err)
{
    (void)info;
    listing *l = ud;
    if (++l->count == 2) {
        return floe_err_set(err, FLOE_ERR_CANCELED, "stop");
    }
    return FLOE_OK;
}

static void test_list_recursive_with_sizes(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *files[] = {"t/data/p=1/a.parquet", "t/data/p=2/b.parquet", "t/metadata/v1.json",
                           "t/data/c.parquet"};
    for (size_t i = 0; i < 4; i++) {
        FLOE_ASSERT_OK(floe_io_write_file(io, floe_test_tmp_path(t, files[i]),
                                          FLOE_IO_CREATE_OVERWRITE, "12345", i + 1, &err),
                       &err);
    }
    listing l = {0};
    floe_buf_init(&l.names, 0);
    FLOE_ASSERT_OK(floe_io_list(io, floe_test_tmp_path(t, "t/"), collect, &l, &err), &err);
    assert_int_equal(l.count, 4);
    assert_int_equal(l.total, 1 + 2 + 3 + 4);
    for (size_t i = 0; i < 4; i++) {
        char *want = floe_xasprintf("%s/%s\n", t->tmpdir, files[i]);
        assert_non_null(strstr(floe_buf_cstr(&l.names), want));
        free(want);
    }
    /* A callback error stops the walk and is returned. */
    listing l2 = {0};
    FLOE_ASSERT_ERR(floe_io_list(io, floe_test_tmp_path(t, "t"), stop_at_two, &l2, &err),
                    FLOE_ERR_CANCELED, &err, "stop");
    assert_int_equal(l2.count, 2);
    floe_err_clear(&err);
    /* Listing a missing directory is an error the caller can tell apart. */
    FLOE_ASSERT_ERR(floe_io_list(io, floe_test_tmp_path(t, "nope"), collect, &l, &err),
                    FLOE_ERR_NOT_FOUND, &err, "nope");
    floe_buf_fini(&l.names);
    floe_fileio_free(io);
}

static void test_file_uris_and_prefix_map(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    const char *copy = floe_test_tmp_path(t, "copy/x");
    FLOE_ASSERT_OK(
        floe_io_write_file(io, floe_arena_sprintf(t->arena, "file://%s/data/f.parquet", copy),
                           FLOE_IO_CREATE_OVERWRITE, "abc", 3, &err),
        &err);
    floe_file_info info;
    FLOE_ASSERT_OK(
        floe_io_stat(io, floe_arena_sprintf(t->arena, "file:%s/data/f.parquet", copy), &info, &err),
        &err);
    assert_int_equal(info.size, 3);
    /* Without a map, s3:// has no backend here. */
    FLOE_ASSERT_ERR(floe_io_stat(io, "s3://bucket/x/data/f.parquet", &info, &err),
                    FLOE_ERR_UNSUPPORTED, &err, "scheme 's3'");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, "s3://bucket/x", copy, &err), &err);
    FLOE_ASSERT_OK(floe_fileio_map_prefix(io, "s3://bucket", "/nonexistent", &err), &err);
    FLOE_ASSERT_OK(floe_io_stat(io, "s3://bucket/x/data/f.parquet", &info, &err), &err);
    assert_int_equal(info.size, 3);
    floe_buf b;
    floe_buf_init(&b, 0);
    FLOE_ASSERT_OK(floe_fileio_resolve(io, "s3://bucket/x/data/f.parquet", &b, &err), &err);
    char *want = floe_xasprintf("%s/data/f.parquet", copy);
    assert_string_equal(floe_buf_cstr(&b), want); /* the longest prefix won */
    free(want);
    floe_buf_fini(&b);
    /* Listing reports locations in the caller's namespace. */
    listing l = {0};
    floe_buf_init(&l.names, 0);
    FLOE_ASSERT_OK(floe_io_list(io, "s3://bucket/x", collect, &l, &err), &err);
    assert_string_equal(floe_buf_cstr(&l.names), "s3://bucket/x/data/f.parquet\n");
    floe_buf_fini(&l.names);
    FLOE_ASSERT_ERR(floe_fileio_map_prefix(io, "", "/x", &err), FLOE_ERR_INVALID, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_io_stat(io, "", &info, &err), FLOE_ERR_INVALID, &err, "empty");
    floe_fileio_free(io);
}

static void test_remove_empty_dirs(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    floe_fileio *io = new_io();
    FLOE_ASSERT_OK(floe_io_write_file(io, floe_test_tmp_path(t, "d/keep/f"),
                                      FLOE_IO_CREATE_OVERWRITE, "x", 1, &err),
                   &err);
    assert_int_equal(
        floe_test_system("mkdir -p '%s/d/e1/e2/e3' '%s/d/keep/e4'", t->tmpdir, t->tmpdir), 0);
    size_t removed = 0;
    FLOE_ASSERT_OK(floe_io_remove_empty_dirs(io, floe_test_tmp_path(t, "d"), &removed, &err), &err);
    assert_int_equal(removed, 4); /* e3, e2, e1, e4; d and keep hold a file */
    struct stat sb;
    assert_int_equal(stat(floe_test_tmp_path(t, "d/keep/f"), &sb), 0);
    assert_int_not_equal(stat(floe_test_tmp_path(t, "d/e1"), &sb), 0);
    floe_fileio_free(io);
}

static void test_join(void **state)
{
    (void)state;
    char *s = floe_io_join("s3://b/t/", "/data/x");
    assert_string_equal(s, "s3://b/t/data/x");
    free(s);
    s = floe_io_join("/tmp/t", "metadata");
    assert_string_equal(s, "/tmp/t/metadata");
    free(s);
}

FLOE_TEST_GROUP(local)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_commit_then_ranged_read, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_exclusive_create_on_existing_file, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_exclusive_create_has_one_winner,
                                        floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_delete_stat_rename, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_list_recursive_with_sizes, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_file_uris_and_prefix_map, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_remove_empty_dirs, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests_name("local", tests, NULL, NULL);
}
