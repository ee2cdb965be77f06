/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store suite: migrations, namespaces, properties, tables and views, rename, register, the
 * compare-and-swap primitive (single and multi-table), and concurrent commits from many threads
 * (and, on PostgreSQL, two processes) with a check that no update was lost.
 */
#include "store_suite.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const store_backend *backend;

typedef struct suite_ctx {
    floe_test_ctx *t;
    char *url;
    floe_store *s;
} suite_ctx;

static floe_store *open_store(const char *url)
{
    floe_err err = {0};
    floe_store *s = NULL;
    floe_store_opts o = {.url = url, .pool_size = 16, .busy_timeout_ms = 30000};
    FLOE_ASSERT_OK(floe_store_open(&o, &s, &err), &err);
    FLOE_ASSERT_OK(floe_store_catalog_ensure(s, "cat", "/wh", &err), &err);
    return s;
}

static int suite_setup(void **state)
{
    void *tstate = NULL;
    if (floe_test_setup(&tstate) != 0) {
        return -1;
    }
    suite_ctx *c = floe_xcalloc(1, sizeof(*c));
    c->t = tstate;
    c->url = backend->fresh_url(c->t);
    c->s = open_store(c->url);
    *state = c;
    return 0;
}

static int suite_teardown(void **state)
{
    suite_ctx *c = *state;
    floe_store_close(c->s);
    free(c->url);
    void *tstate = c->t;
    free(c);
    return floe_test_teardown(&tstate);
}

/* A namespace from a dotted string (levels must not contain dots), in the arena. */
static floe_namespace ns_of(floe_arena *a, const char *dotted)
{
    floe_namespace ns = {floe_arena_calloc(a, FLOE_NAMESPACE_LEVELS_MAX + 1, sizeof(char *)), 0};
    const char *p = dotted;
    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        ns.levels[ns.n++] = floe_arena_strndup(a, p, len);
        p += len + (dot != NULL ? 1 : 0);
    }
    return ns;
}

static floe_ident id_of(floe_arena *a, const char *dotted_ns, const char *name)
{
    floe_ident id = {ns_of(a, dotted_ns), floe_arena_strdup(a, name)};
    return id;
}

/* ==== Migrations ==== */

static void test_migrations_are_idempotent(void **state)
{
    suite_ctx *c = *state;
    floe_err err = {0};
    int v = -1, applied = -1;
    FLOE_ASSERT_OK(floe_store_schema_version(c->s, &v, &err), &err);
    assert_int_equal(v, floe_store_schema_latest());
    FLOE_ASSERT_OK(floe_store_migrate(c->s, &applied, &err), &err);
    assert_int_equal(applied, 0);
    /* A second process opening the same database changes nothing and sees the same rows. */
    floe_namespace ns = ns_of(c->t->arena, "keep");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &ns, NULL, 0, &err), &err);
    floe_store *again = open_store(c->url);
    FLOE_ASSERT_OK(floe_store_schema_version(again, &v, &err), &err);
    assert_int_equal(v, floe_store_schema_latest());
    FLOE_ASSERT_OK(floe_store_namespace_load(again, c->t->arena, "cat", &ns, NULL, NULL, &err),
                   &err);
    floe_store_close(again);
}

static void test_open_rejects_bad_urls(void **state)
{
    (void)state;
    floe_err err = {0};
    floe_store *s = NULL;
    floe_store_opts o = {.url = "mysql://x"};
    FLOE_ASSERT_ERR(floe_store_open(&o, &s, &err), FLOE_ERR_INVALID, &err, "unsupported");
    assert_null(s);
    floe_err_clear(&err);
    o.url = "sqlite:";
    FLOE_ASSERT_ERR(floe_store_open(&o, &s, &err), FLOE_ERR_INVALID, &err, "without a path");
    floe_err_clear(&err);
    o.url = "sqlite:/nonexistent-dir-floe/x/y.db";
    assert_int_not_equal(floe_store_open(&o, &s, &err), FLOE_OK);
    assert_null(s);
}

/* ==== Namespaces ==== */

static void test_namespace_create_load_list_drop(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    floe_kv props[] = {{"owner", "ana"}, {"comment", "sales data"}};
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, props, 2, &err), &err);
    FLOE_ASSERT_ERR(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), FLOE_ERR_EXISTS,
                    &err, "namespace db already exists");
    floe_err_clear(&err);

    floe_kv *got = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_store_namespace_load(c->s, a, "cat", &db, &got, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].key, "comment"); /* sorted */
    assert_string_equal(got[0].value, "sales data");
    assert_string_equal(got[1].key, "owner");

    /* Multi-level: the parent must exist. */
    floe_namespace orphan = ns_of(a, "nope.child");
    FLOE_ASSERT_ERR(floe_store_namespace_create(c->s, "cat", &orphan, NULL, 0, &err),
                    FLOE_ERR_NOT_FOUND, &err, "namespace nope does not exist");
    floe_err_clear(&err);
    floe_namespace child = ns_of(a, "db.eu");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &child, NULL, 0, &err), &err);
    floe_namespace grandchild = ns_of(a, "db.eu.fr");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &grandchild, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_load(c->s, a, "cat", &grandchild, &got, &n, &err), &err);
    assert_int_equal(n, 0);

    /* Listing is one level at a time. */
    floe_namespace root = {NULL, 0};
    floe_namespace *list = NULL;
    const char *next = NULL;
    FLOE_ASSERT_OK(floe_store_namespace_list(c->s, a, "cat", &root, NULL, &list, &n, &next, &err),
                   &err);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].n, 1);
    assert_string_equal(list[0].levels[0], "db");
    assert_null(next);
    FLOE_ASSERT_OK(floe_store_namespace_list(c->s, a, "cat", &db, NULL, &list, &n, &next, &err),
                   &err);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].n, 2);
    assert_string_equal(list[0].levels[1], "eu");
    FLOE_ASSERT_ERR(
        floe_store_namespace_list(c->s, a, "cat", &orphan, NULL, &list, &n, &next, &err),
        FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);

    /* Other catalogs do not see it. */
    FLOE_ASSERT_OK(floe_store_catalog_ensure(c->s, "other", "/wh2", &err), &err);
    FLOE_ASSERT_ERR(floe_store_namespace_load(c->s, a, "other", &db, NULL, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);

    /* Drop: only when empty. */
    FLOE_ASSERT_ERR(floe_store_namespace_drop(c->s, "cat", &db, &err), FLOE_ERR_CONFLICT, &err,
                    "child namespaces");
    floe_err_clear(&err);
    floe_ident t = id_of(a, "db.eu.fr", "events");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/m1", &err),
                   &err);
    FLOE_ASSERT_ERR(floe_store_namespace_drop(c->s, "cat", &grandchild, &err), FLOE_ERR_CONFLICT,
                    &err, "has tables");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_store_object_drop(c->s, a, "cat", FLOE_OBJECT_TABLE, &t, NULL, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_drop(c->s, "cat", &grandchild, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_drop(c->s, "cat", &child, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_drop(c->s, "cat", &db, &err), &err);
    FLOE_ASSERT_ERR(floe_store_namespace_drop(c->s, "cat", &db, &err), FLOE_ERR_NOT_FOUND, &err,
                    "does not exist");
    floe_err_clear(&err);
    /* Properties went with it. */
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_load(c->s, a, "cat", &db, &got, &n, &err), &err);
    assert_int_equal(n, 0);
}

static void test_namespace_paging(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    const char *names[] = {"e", "a", "d", "b", "c"};
    for (size_t i = 0; i < 5; i++) {
        floe_namespace ns = ns_of(a, names[i]);
        FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &ns, NULL, 0, &err), &err);
    }
    floe_namespace root = {NULL, 0};
    floe_page page = {NULL, 2};
    char seen[8] = {0};
    for (int pages = 0; pages < 3; pages++) {
        floe_namespace *list;
        size_t n;
        const char *next;
        FLOE_ASSERT_OK(
            floe_store_namespace_list(c->s, a, "cat", &root, &page, &list, &n, &next, &err), &err);
        for (size_t i = 0; i < n; i++) {
            strcat(seen, list[i].levels[0]);
        }
        if (pages < 2) {
            assert_int_equal(n, 2);
            assert_non_null(next);
        } else {
            assert_int_equal(n, 1);
            assert_null(next);
        }
        page.after = next;
    }
    assert_string_equal(seen, "abcde");
}

static void test_namespace_properties_update(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace ns = ns_of(a, "db");
    floe_kv props[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &ns, props, 3, &err), &err);
    floe_kv updates[] = {{"b", "20"}, {"d", "4"}};
    const char *removals[] = {"c", "zz", "a"};
    floe_props_result r;
    FLOE_ASSERT_OK(
        floe_store_namespace_update_props(c->s, a, "cat", &ns, updates, 2, removals, 3, &r, &err),
        &err);
    assert_int_equal(r.n_updated, 2);
    assert_string_equal(r.updated[0], "b");
    assert_string_equal(r.updated[1], "d");
    assert_int_equal(r.n_removed, 2);
    assert_string_equal(r.removed[0], "a");
    assert_string_equal(r.removed[1], "c");
    assert_int_equal(r.n_missing, 1);
    assert_string_equal(r.missing[0], "zz");
    floe_kv *got;
    size_t n;
    FLOE_ASSERT_OK(floe_store_namespace_load(c->s, a, "cat", &ns, &got, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].key, "b");
    assert_string_equal(got[0].value, "20");
    assert_string_equal(got[1].key, "d");

    /* A key both set and removed is refused and nothing changes. */
    const char *both[] = {"d"};
    FLOE_ASSERT_ERR(
        floe_store_namespace_update_props(c->s, a, "cat", &ns, updates, 2, both, 1, &r, &err),
        FLOE_ERR_INVALID, &err, "both updated and removed");
    floe_err_clear(&err);
    floe_namespace missing = ns_of(a, "nope");
    FLOE_ASSERT_ERR(
        floe_store_namespace_update_props(c->s, a, "cat", &missing, updates, 2, NULL, 0, &r, &err),
        FLOE_ERR_NOT_FOUND, &err, NULL);
}

static void test_hostile_identifiers_are_refused(void **state)
{
    suite_ctx *c = *state;
    floe_err err = {0};
    const char *bad[] = {"",
                         "a\x1f"
                         "b",
                         "tab\there",
                         "\x7f",
                         "\xff\xfe",
                         "\xc0\xaf"};
    for (size_t i = 0; i < FLOE_ARRAY_LEN(bad); i++) {
        const char *levels[] = {bad[i]};
        floe_namespace ns = {levels, 1};
        FLOE_ASSERT_ERR(floe_store_namespace_create(c->s, "cat", &ns, NULL, 0, &err),
                        FLOE_ERR_INVALID, &err, NULL);
        floe_err_clear(&err);
    }
    char long_name[FLOE_IDENT_NAME_MAX + 2];
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *levels[] = {long_name};
    floe_namespace ns = {levels, 1};
    FLOE_ASSERT_ERR(floe_store_namespace_create(c->s, "cat", &ns, NULL, 0, &err), FLOE_ERR_INVALID,
                    &err, "longer than");
    floe_err_clear(&err);
    /* Dots, slashes and ".." are names like any other: they are stored, never used as paths. */
    const char *odd[] = {"..", "a/b", "ü"};
    floe_namespace ok = {odd, 3};
    floe_namespace p1 = {odd, 1}, p2 = {odd, 2};
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &p1, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &p2, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &ok, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_load(c->s, c->t->arena, "cat", &ok, NULL, NULL, &err),
                   &err);
}

/* ==== Tables and views ==== */

static void test_table_and_view_rows(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t1 = id_of(a, "db", "t1");
    floe_ident nowhere = id_of(a, "nope", "t1");
    FLOE_ASSERT_ERR(
        floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &nowhere, "/wh/x", &err),
        FLOE_ERR_NOT_FOUND, &err, "namespace nope");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t1, "/wh/m1", &err),
                   &err);
    FLOE_ASSERT_ERR(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t1, "/wh/m2", &err),
                    FLOE_ERR_EXISTS, &err, "table db.t1 already exists");
    floe_err_clear(&err);
    /* Views and tables share names. */
    FLOE_ASSERT_ERR(floe_store_object_create(c->s, "cat", FLOE_OBJECT_VIEW, &t1, "/wh/v", &err),
                    FLOE_ERR_EXISTS, &err, "table db.t1 already exists");
    floe_err_clear(&err);
    floe_ident v1 = id_of(a, "db", "v1");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_VIEW, &v1, "/wh/v1", &err),
                   &err);

    floe_object_info info;
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t1, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/wh/m1");
    assert_null(info.previous_metadata_location);
    assert_int_equal(info.version, 1);
    FLOE_ASSERT_ERR(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_VIEW, &t1, &info, &err),
                    FLOE_ERR_NOT_FOUND, &err, "view db.t1 does not exist");
    floe_err_clear(&err);

    for (int i = 2; i <= 5; i++) {
        floe_ident t = id_of(a, "db", floe_arena_sprintf(a, "t%d", i));
        FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/m", &err),
                       &err);
    }
    const char **names;
    size_t n;
    const char *next;
    floe_page page = {NULL, 3};
    FLOE_ASSERT_OK(floe_store_object_list(c->s, a, "cat", FLOE_OBJECT_TABLE, &db, &page, &names, &n,
                                          &next, &err),
                   &err);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "t1");
    assert_string_equal(next, "t3");
    page.after = next;
    FLOE_ASSERT_OK(floe_store_object_list(c->s, a, "cat", FLOE_OBJECT_TABLE, &db, &page, &names, &n,
                                          &next, &err),
                   &err);
    assert_int_equal(n, 2);
    assert_string_equal(names[1], "t5");
    assert_null(next);
    FLOE_ASSERT_OK(floe_store_object_list(c->s, a, "cat", FLOE_OBJECT_VIEW, &db, NULL, &names, &n,
                                          &next, &err),
                   &err);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "v1");
    FLOE_ASSERT_ERR(floe_store_object_list(c->s, a, "cat", FLOE_OBJECT_TABLE, &nowhere.ns, NULL,
                                           &names, &n, &next, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);

    floe_object_info dropped;
    FLOE_ASSERT_OK(floe_store_object_drop(c->s, a, "cat", FLOE_OBJECT_TABLE, &t1, &dropped, &err),
                   &err);
    assert_string_equal(dropped.metadata_location, "/wh/m1");
    FLOE_ASSERT_ERR(floe_store_object_drop(c->s, a, "cat", FLOE_OBJECT_TABLE, &t1, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_store_object_drop(c->s, a, "cat", FLOE_OBJECT_TABLE, &v1, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, "table db.v1");
}

static void test_rename_tells_what_is_missing(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db"), other = ns_of(a, "other");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &other, NULL, 0, &err), &err);
    floe_ident src = id_of(a, "db", "t"), taken = id_of(a, "db", "u");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &src, "/wh/t", &err),
                   &err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &taken, "/wh/u", &err),
                   &err);
    floe_missing miss;
    floe_ident ghost = id_of(a, "db", "ghost"), lost = id_of(a, "nope", "t");
    FLOE_ASSERT_ERR(
        floe_store_object_rename(c->s, "cat", FLOE_OBJECT_TABLE, &ghost, &taken, &miss, &err),
        FLOE_ERR_NOT_FOUND, &err, "table db.ghost");
    assert_int_equal(miss, FLOE_MISSING_OBJECT);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_store_object_rename(c->s, "cat", FLOE_OBJECT_TABLE, &src, &lost, &miss, &err),
        FLOE_ERR_NOT_FOUND, &err, "namespace nope");
    assert_int_equal(miss, FLOE_MISSING_NAMESPACE);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_store_object_rename(c->s, "cat", FLOE_OBJECT_TABLE, &src, &taken, &miss, &err),
        FLOE_ERR_EXISTS, &err, "table db.u already exists");
    floe_err_clear(&err);

    floe_object_info before, after;
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &src, &before, &err),
                   &err);
    floe_ident dst = id_of(a, "other", "t2");
    FLOE_ASSERT_OK(
        floe_store_object_rename(c->s, "cat", FLOE_OBJECT_TABLE, &src, &dst, &miss, &err), &err);
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &dst, &after, &err),
                   &err);
    assert_int_equal(before.id, after.id);
    assert_string_equal(after.metadata_location, "/wh/t");
    FLOE_ASSERT_ERR(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &src, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
}

static void test_register_and_overwrite(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t = id_of(a, "db", "t");
    FLOE_ASSERT_OK(
        floe_store_object_register(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/a", false, &err), &err);
    FLOE_ASSERT_ERR(
        floe_store_object_register(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/b", false, &err),
        FLOE_ERR_EXISTS, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(
        floe_store_object_register(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/b", true, &err), &err);
    floe_object_info info;
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/wh/b");
    assert_string_equal(info.previous_metadata_location, "/wh/a");
    assert_int_equal(info.version, 2);
    /* Overwrite never turns a view into a table. */
    floe_ident v = id_of(a, "db", "v");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_VIEW, &v, "/wh/v", &err),
                   &err);
    FLOE_ASSERT_ERR(
        floe_store_object_register(c->s, "cat", FLOE_OBJECT_TABLE, &v, "/wh/c", true, &err),
        FLOE_ERR_EXISTS, &err, "view db.v");
}

/* ==== Compare-and-swap ==== */

static void test_swap_winner_and_loser(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t = id_of(a, "db", "t");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/v1", &err),
                   &err);
    int64_t version = 0;
    FLOE_ASSERT_OK(floe_store_object_swap(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/v1", "/wh/v2",
                                          &version, &err),
                   &err);
    assert_int_equal(version, 2);
    /* A writer that built on v1 lost. */
    FLOE_ASSERT_ERR(floe_store_object_swap(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/v1", "/wh/x",
                                           &version, &err),
                    FLOE_ERR_CONFLICT, &err, "its metadata is /wh/v2, not /wh/v1");
    floe_err_clear(&err);
    floe_object_info info;
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/wh/v2");
    assert_string_equal(info.previous_metadata_location, "/wh/v1");
    assert_int_equal(info.version, 2);
    floe_ident ghost = id_of(a, "db", "ghost");
    FLOE_ASSERT_ERR(floe_store_object_swap(c->s, "cat", FLOE_OBJECT_TABLE, &ghost, "/wh/v1",
                                           "/wh/x", NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);
    /* The kind is part of the key: a table swap never touches a view. */
    FLOE_ASSERT_ERR(
        floe_store_object_swap(c->s, "cat", FLOE_OBJECT_VIEW, &t, "/wh/v2", "/wh/x", NULL, &err),
        FLOE_ERR_NOT_FOUND, &err, NULL);
}

static void test_swap_many_is_all_or_nothing(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t1 = id_of(a, "db", "t1"), t2 = id_of(a, "db", "t2"), t3 = id_of(a, "db", "t3");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t1, "/a1", &err),
                   &err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t2, "/b1", &err),
                   &err);
    floe_swap bad[] = {{t1, "/a1", "/a2"}, {t2, "/stale", "/b2"}, {t3, NULL, "/c1"}};
    size_t failed = 99;
    FLOE_ASSERT_ERR(
        floe_store_object_swap_many(c->s, "cat", FLOE_OBJECT_TABLE, bad, 3, &failed, &err),
        FLOE_ERR_CONFLICT, &err, "db.t2");
    assert_int_equal(failed, 1);
    floe_err_clear(&err);
    floe_object_info info;
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t1, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/a1"); /* rolled back */
    FLOE_ASSERT_ERR(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t3, NULL, &err),
                    FLOE_ERR_NOT_FOUND, &err, NULL);
    floe_err_clear(&err);

    floe_swap good[] = {{t2, "/b1", "/b2"}, {t1, "/a1", "/a2"}, {t3, NULL, "/c1"}};
    FLOE_ASSERT_OK(
        floe_store_object_swap_many(c->s, "cat", FLOE_OBJECT_TABLE, good, 3, &failed, &err), &err);
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t1, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/a2");
    FLOE_ASSERT_OK(floe_store_object_load(c->s, a, "cat", FLOE_OBJECT_TABLE, &t3, &info, &err),
                   &err);
    assert_string_equal(info.metadata_location, "/c1");

    /* Creating an existing table inside a transaction is a conflict. */
    floe_swap again[] = {{t3, NULL, "/c2"}};
    FLOE_ASSERT_ERR(
        floe_store_object_swap_many(c->s, "cat", FLOE_OBJECT_TABLE, again, 1, &failed, &err),
        FLOE_ERR_CONFLICT, &err, "created concurrently");
    floe_err_clear(&err);
    floe_swap twice[] = {{t1, "/a2", "/a3"}, {t1, "/a2", "/a4"}};
    FLOE_ASSERT_ERR(
        floe_store_object_swap_many(c->s, "cat", FLOE_OBJECT_TABLE, twice, 2, &failed, &err),
        FLOE_ERR_INVALID, &err, "appears twice");
}

static void test_location_in_use(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t = id_of(a, "db", "t");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t,
                                            "/wh/db/t/metadata/1.json", &err),
                   &err);
    bool used = false;
    FLOE_ASSERT_OK(floe_store_location_in_use(c->s, "/wh/db/t", &used, &err), &err);
    assert_true(used);
    FLOE_ASSERT_OK(floe_store_location_in_use(c->s, "/wh/db/t2", &used, &err), &err);
    assert_false(used);
    FLOE_ASSERT_OK(floe_store_location_in_use(c->s, "/wh/db/", &used, &err), &err);
    assert_false(used); /* "/wh/db//" is not a prefix */
}

/* ==== Self-optimizing state ==== */

static void test_optimizing_state(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_ident t1 = id_of(a, "db.sub", "t1"), t2 = id_of(a, "db", "t2");
    FLOE_ASSERT_OK(floe_store_opt_table_put(c->s, "cat", &t1, "{\"status\":\"idle\"}", &err), &err);
    FLOE_ASSERT_OK(floe_store_opt_table_put(c->s, "cat", &t2, "{\"status\":\"minor\"}", &err),
                   &err);
    /* Put again: replaced, not duplicated. */
    FLOE_ASSERT_OK(floe_store_opt_table_put(c->s, "cat", &t1, "{\"status\":\"pending\"}", &err),
                   &err);
    floe_store_opt_table *rows = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_store_opt_table_list(c->s, a, &rows, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].id.name, "t2"); /* "db" sorts before "db\x1fsub" */
    assert_string_equal(rows[1].id.name, "t1");
    assert_int_equal(rows[1].id.ns.n, 2);
    assert_string_equal(rows[1].id.ns.levels[1], "sub");
    assert_string_equal(rows[1].runtime_json, "{\"status\":\"pending\"}");
    assert_true(rows[1].updated_ms > 0);

    /* Processes: upsert by id, newest first per table, limited. */
    for (int64_t pid = 1; pid <= 5; pid++) {
        char *j = floe_xasprintf("{\"process-id\":%lld}", (long long)pid);
        FLOE_ASSERT_OK(floe_store_opt_process_put(c->s, "cat", &t1, pid, "running", j, &err), &err);
        free(j);
    }
    FLOE_ASSERT_OK(floe_store_opt_process_put(c->s, "cat", &t1, 3, "failed", "{\"x\":3}", &err),
                   &err);
    FLOE_ASSERT_OK(floe_store_opt_process_put(c->s, "cat", &t2, 9, "success", "{\"x\":9}", &err),
                   &err);
    const char **procs = NULL;
    FLOE_ASSERT_OK(floe_store_opt_process_list(c->s, a, "cat", &t1, 3, &procs, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_string_equal(procs[0], "{\"process-id\":5}");
    assert_string_equal(procs[2], "{\"x\":3}");
    const char *one = NULL;
    FLOE_ASSERT_OK(floe_store_opt_process_get(c->s, a, 9, &one, &err), &err);
    assert_string_equal(one, "{\"x\":9}");
    FLOE_ASSERT_OK(floe_store_opt_process_get(c->s, a, 42, &one, &err), &err);
    assert_null(one);

    /* Forgetting a table drops its runtime and processes only. */
    FLOE_ASSERT_OK(floe_store_opt_table_delete(c->s, "cat", &t1, &err), &err);
    FLOE_ASSERT_OK(floe_store_opt_table_delete(c->s, "cat", &t1, &err), &err);
    FLOE_ASSERT_OK(floe_store_opt_table_list(c->s, a, &rows, &n, &err), &err);
    assert_int_equal(n, 1);
    FLOE_ASSERT_OK(floe_store_opt_process_list(c->s, a, "cat", &t1, 0, &procs, &n, &err), &err);
    assert_int_equal(n, 0);
    FLOE_ASSERT_OK(floe_store_opt_process_list(c->s, a, "cat", &t2, 0, &procs, &n, &err), &err);
    assert_int_equal(n, 1);
}

/* ==== Maintenance run records ==== */

static void test_maintenance_runs(void **state)
{
    suite_ctx *c = *state;
    floe_arena *a = c->t->arena;
    floe_err err = {0};
    floe_namespace db = ns_of(a, "db.eu");
    floe_namespace top = ns_of(a, "db");
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &top, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    floe_ident t1 = id_of(a, "db.eu", "t1");
    floe_ident t2 = id_of(a, "db", "t2");
    floe_ident v = id_of(a, "db", "v");
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t1, "/m1", &err),
                   &err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t2, "/m2", &err),
                   &err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_VIEW, &v, "/mv", &err), &err);
    floe_ident *all = NULL;
    size_t n = 0;
    FLOE_ASSERT_OK(floe_store_table_all(c->s, a, "cat", &all, &n, &err), &err);
    assert_int_equal(n, 2);                 /* tables only, every namespace level */
    assert_string_equal(all[0].name, "t2"); /* "db" sorts before "db\x1feu" */
    assert_int_equal(all[1].ns.n, 2);
    assert_string_equal(all[1].ns.levels[1], "eu");

    int64_t ids[12];
    for (int i = 0; i < 12; i++) {
        const char *action = i % 3 == 0 ? "expire-snapshots" : "clean-orphan-files";
        const floe_ident *id = i < 10 ? &t1 : &t2;
        char rec[64];
        snprintf(rec, sizeof(rec), "{\"n\":%d}", i);
        FLOE_ASSERT_OK(floe_store_run_insert(c->s, "cat", id, action, 1000 + i, i,
                                             i == 5 ? "IO" : "ok", rec, &ids[i], &err),
                       &err);
        assert_true(i == 0 || ids[i] > ids[i - 1]);
    }
    floe_store_run *runs = NULL;
    floe_store_run_filter f = {.catalog = "cat", .id = &t1};
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 10);
    assert_int_equal(runs[0].id, ids[9]); /* newest first */
    assert_string_equal(runs[0].record, "{\"n\":9}");
    assert_int_equal(runs[4].started_ms, 1005);
    assert_string_equal(runs[4].status, "IO");
    assert_int_equal(runs[0].ident.ns.n, 2);
    assert_string_equal(runs[0].ident.name, "t1");

    f = (floe_store_run_filter){
        .catalog = "cat", .id = &t1, .action = "expire-snapshots", .limit = 2};
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_int_equal(runs[0].id, ids[9]);
    assert_int_equal(runs[1].id, ids[6]);
    f.before_id = runs[1].id; /* the next page */
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_int_equal(runs[0].id, ids[3]);
    assert_int_equal(runs[1].id, ids[0]);

    f = (floe_store_run_filter){0};
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 12);
    f.failed_only = true;
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_int_equal(runs[0].id, ids[5]);

    /* Keep the newest 2 per action of t1: 4 expire + 6 orphan runs -> 2 + 2. */
    size_t deleted = 0;
    FLOE_ASSERT_OK(floe_store_run_prune(c->s, "cat", &t1, 2, &deleted, &err), &err);
    assert_int_equal(deleted, 6);
    f = (floe_store_run_filter){.catalog = "cat", .id = &t1};
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 4);
    assert_int_equal(runs[0].id, ids[9]);
    assert_int_equal(runs[3].id, ids[6]);
    f = (floe_store_run_filter){.catalog = "cat", .id = &t2};
    FLOE_ASSERT_OK(floe_store_run_list(c->s, a, &f, &runs, &n, &err), &err);
    assert_int_equal(n, 2); /* other tables untouched */
    FLOE_ASSERT_OK(floe_store_run_prune(c->s, "cat", &t1, 2, &deleted, &err), &err);
    assert_int_equal(deleted, 0);
}

/* ==== Concurrency ==== */

typedef struct commit_log {
    pthread_mutex_t mu;
    floe_vec wins; /* char * pairs: expected, new (heap) */
    long conflicts;
    long failures;
} commit_log;

static void log_win(commit_log *l, const char *expected, const char *location)
{
    pthread_mutex_lock(&l->mu);
    char *e = floe_xstrdup(expected), *n = floe_xstrdup(location);
    floe_vec_push_copy(&l->wins, &e);
    floe_vec_push_copy(&l->wins, &n);
    pthread_mutex_unlock(&l->mu);
}

/* Commit `count` times, reloading and retrying after every lost swap. */
static void commit_loop(floe_store *s, const char *tag, int count, commit_log *l)
{
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
    const char *levels[] = {"db"};
    floe_ident t = {{levels, 1}, "hot"};
    for (int i = 0; i < count;) {
        floe_err err = {0};
        floe_object_info info;
        if (floe_store_object_load(s, a, "cat", FLOE_OBJECT_TABLE, &t, &info, &err) != FLOE_OK) {
            __atomic_add_fetch(&l->failures, 1, __ATOMIC_SEQ_CST);
            break;
        }
        const char *next = floe_arena_sprintf(a, "/wh/%s-%d", tag, i);
        floe_status st = floe_store_object_swap(s, "cat", FLOE_OBJECT_TABLE, &t,
                                                info.metadata_location, next, NULL, &err);
        if (st == FLOE_OK) {
            log_win(l, info.metadata_location, next);
            i++;
        } else if (st == FLOE_ERR_CONFLICT) {
            __atomic_add_fetch(&l->conflicts, 1, __ATOMIC_SEQ_CST);
        } else {
            fprintf(stderr, "commit %s-%d: %s\n", tag, i, err.msg);
            __atomic_add_fetch(&l->failures, 1, __ATOMIC_SEQ_CST);
            break;
        }
        floe_arena_reset(a);
    }
    floe_arena_free(a);
}

/*
 * No lost update: the winners form one chain from `first` to the table's current location, each
 * winner built on the one before it, and every winner appears exactly once.
 */
static void check_chain(floe_store *s, floe_arena *a, const char *first, floe_vec *wins,
                        size_t expect_wins)
{
    size_t n = wins->n / 2;
    assert_int_equal(n, expect_wins);
    floe_map *next_of = floe_map_new(NULL);
    for (size_t i = 0; i < n; i++) {
        const char *e = *FLOE_VEC_AT(wins, char *, 2 * i);
        const char *nx = *FLOE_VEC_AT(wins, char *, 2 * i + 1);
        /* Two winners on the same base would be a lost update. */
        assert_false(floe_map_contains(next_of, e, strlen(e)));
        floe_map_put_s(next_of, e, (void *)nx);
    }
    const char *cur = first;
    size_t steps = 0;
    while (floe_map_get_s(next_of, cur) != NULL) {
        cur = floe_map_get_s(next_of, cur);
        steps++;
        assert_true(steps <= n);
    }
    assert_int_equal(steps, n);
    floe_err err = {0};
    const char *levels[] = {"db"};
    floe_ident t = {{levels, 1}, "hot"};
    floe_object_info info;
    FLOE_ASSERT_OK(floe_store_object_load(s, a, "cat", FLOE_OBJECT_TABLE, &t, &info, &err), &err);
    assert_string_equal(info.metadata_location, cur);
    assert_int_equal(info.version, (int64_t)n + 1);
    floe_map_free(next_of);
}

static void free_wins(floe_vec *wins)
{
    for (size_t i = 0; i < wins->n; i++) {
        free(*FLOE_VEC_AT(wins, char *, i));
    }
    floe_vec_fini(wins);
}

typedef struct thread_arg {
    floe_store *s;
    char tag[16];
    commit_log *log;
} thread_arg;

#define CAS_THREADS 8
#define CAS_COMMITS 25

static void *thread_main(void *p)
{
    thread_arg *ta = p;
    commit_loop(ta->s, ta->tag, CAS_COMMITS, ta->log);
    return NULL;
}

static void make_hot_table(suite_ctx *c)
{
    floe_err err = {0};
    const char *levels[] = {"db"};
    floe_namespace db = {levels, 1};
    floe_ident t = {db, "hot"};
    FLOE_ASSERT_OK(floe_store_namespace_create(c->s, "cat", &db, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_store_object_create(c->s, "cat", FLOE_OBJECT_TABLE, &t, "/wh/start", &err),
                   &err);
}

static void test_concurrent_swaps_from_threads_lose_nothing(void **state)
{
    suite_ctx *c = *state;
    make_hot_table(c);
    commit_log l = {.conflicts = 0};
    pthread_mutex_init(&l.mu, NULL);
    floe_vec_init(&l.wins, sizeof(char *));
    pthread_t th[CAS_THREADS];
    thread_arg args[CAS_THREADS];
    for (int i = 0; i < CAS_THREADS; i++) {
        args[i] = (thread_arg){.s = c->s, .log = &l};
        snprintf(args[i].tag, sizeof(args[i].tag), "t%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < CAS_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    assert_int_equal(l.failures, 0);
    check_chain(c->s, c->t->arena, "/wh/start", &l.wins, CAS_THREADS * CAS_COMMITS);
    print_message("%s: %d commits from %d threads, %ld lost swaps retried\n", backend->name,
                  CAS_THREADS * CAS_COMMITS, CAS_THREADS, l.conflicts);
    free_wins(&l.wins);
    pthread_mutex_destroy(&l.mu);
}

#define CAS_PROCS 2
#define CAS_PROC_COMMITS 60

static void test_concurrent_swaps_from_processes_lose_nothing(void **state)
{
    suite_ctx *c = *state;
    if (!backend->multi_process) {
        skip();
    }
    make_hot_table(c);
    /* Children open their own stores; the parent's connections must not cross the fork. */
    floe_store_close(c->s);
    c->s = NULL;
    pid_t pids[CAS_PROCS];
    for (int p = 0; p < CAS_PROCS; p++) {
        const char *out = floe_test_tmp_path(c->t, floe_arena_sprintf(c->t->arena, "wins%d", p));
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            floe_err err = {0};
            floe_store *s = NULL;
            floe_store_opts o = {.url = c->url, .pool_size = 2, .busy_timeout_ms = 30000};
            if (floe_store_open(&o, &s, &err) != FLOE_OK) {
                _exit(3);
            }
            commit_log l = {.conflicts = 0};
            pthread_mutex_init(&l.mu, NULL);
            floe_vec_init(&l.wins, sizeof(char *));
            char tag[16];
            snprintf(tag, sizeof(tag), "p%d", p);
            commit_loop(s, tag, CAS_PROC_COMMITS, &l);
            FILE *f = fopen(out, "w");
            for (size_t i = 0; f != NULL && i < l.wins.n; i += 2) {
                fprintf(f, "%s %s\n", *FLOE_VEC_AT(&l.wins, char *, i),
                        *FLOE_VEC_AT(&l.wins, char *, i + 1));
            }
            int ok = f != NULL && l.failures == 0;
            if (f != NULL) {
                fclose(f);
            }
            free_wins(&l.wins);
            floe_store_close(s);
            _exit(ok ? 0 : 4);
        }
    }
    for (int p = 0; p < CAS_PROCS; p++) {
        int status = 0;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    floe_vec wins;
    floe_vec_init(&wins, sizeof(char *));
    for (int p = 0; p < CAS_PROCS; p++) {
        const char *path = floe_test_tmp_path(c->t, floe_arena_sprintf(c->t->arena, "wins%d", p));
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char e[256], n[256];
        while (fscanf(f, "%255s %255s", e, n) == 2) {
            char *ec = floe_xstrdup(e), *nc = floe_xstrdup(n);
            floe_vec_push_copy(&wins, &ec);
            floe_vec_push_copy(&wins, &nc);
        }
        fclose(f);
    }
    c->s = open_store(c->url);
    check_chain(c->s, c->t->arena, "/wh/start", &wins, CAS_PROCS * CAS_PROC_COMMITS);
    free_wins(&wins);
}

int store_suite_run(const char *group, const store_backend *b)
{
    backend = b;
#define T(fn) cmocka_unit_test_setup_teardown(fn, suite_setup, suite_teardown)
    const struct CMUnitTest tests[] = {
        T(test_migrations_are_idempotent),
        cmocka_unit_test(test_open_rejects_bad_urls),
        T(test_namespace_create_load_list_drop),
        T(test_namespace_paging),
        T(test_namespace_properties_update),
        T(test_hostile_identifiers_are_refused),
        T(test_table_and_view_rows),
        T(test_rename_tells_what_is_missing),
        T(test_register_and_overwrite),
        T(test_swap_winner_and_loser),
        T(test_swap_many_is_all_or_nothing),
        T(test_location_in_use),
        T(test_optimizing_state),
        T(test_maintenance_runs),
        T(test_concurrent_swaps_from_threads_lose_nothing),
        T(test_concurrent_swaps_from_processes_lose_nothing),
    };
#undef T
    return _cmocka_run_group_tests(group, tests, FLOE_ARRAY_LEN(tests), NULL, NULL);
}
