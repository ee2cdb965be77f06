/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record assembly on hand-built schemas and batches: the list and map shapes of the
 * LogicalTypes.md backward-compatibility rules, nulls at every level, and inconsistent levels.
 */
#include "floe_test.h"

#include "floe/parquet.h"

#include <stdio.h>

typedef struct sb {
    floe_arena *a;
} sb;

static floe_pq_node *node(sb *b, const char *name, floe_pq_repetition rep, int kids, ...)
{
    floe_pq_node *n = floe_arena_calloc(b->a, 1, sizeof(*n));
    n->name = name;
    n->repetition = rep;
    n->converted_type = -1;
    n->n_children = (size_t)kids;
    n->children = floe_arena_calloc(b->a, (size_t)kids + 1, sizeof(*n->children));
    va_list ap;
    va_start(ap, kids);
    for (int i = 0; i < kids; i++) {
        n->children[i] = va_arg(ap, floe_pq_node *);
    }
    va_end(ap);
    return n;
}

static floe_pq_node *leaf(sb *b, const char *name, floe_pq_repetition rep, floe_pq_type type)
{
    floe_pq_node *n = node(b, name, rep, 0);
    n->is_leaf = true;
    n->type = type;
    return n;
}

static floe_pq_node *annotate(floe_pq_node *n, floe_pq_logical_kind kind, int32_t converted)
{
    n->logical.kind = kind;
    n->converted_type = converted;
    return n;
}

/* A batch over `s`'s leaves with the given levels and int32 values. */
typedef struct col_spec {
    size_t n;
    const int16_t *def, *rep;
    const int32_t *vals;
} col_spec;

static floe_pq_batch *make_batch(sb *b, const floe_pq_schema *s, size_t rows, const col_spec *cols)
{
    floe_pq_batch *bt = floe_arena_calloc(b->a, 1, sizeof(*bt));
    bt->n_rows = rows;
    bt->n_columns = s->n_leaves;
    bt->columns = floe_arena_calloc(b->a, s->n_leaves, sizeof(*bt->columns));
    for (size_t i = 0; i < s->n_leaves; i++) {
        floe_pq_column *c = &bt->columns[i];
        c->leaf = s->leaves[i];
        c->n = cols[i].n;
        c->def = c->leaf->max_def > 0 ? cols[i].def : NULL;
        c->rep = c->leaf->max_rep > 0 ? cols[i].rep : NULL;
        c->v.i32 = cols[i].vals;
    }
    return bt;
}

/* Assemble every row of `bt` for the root's fields and compare with `want` (JSON lines). */
static floe_status assemble(sb *b, const floe_pq_schema *s, const floe_pq_batch *bt,
                            const char *want, floe_err *err)
{
    floe_pq_assembler *as;
    floe_status st = floe_pq_assembler_new(bt, (const floe_pq_node *const *)s->root->children,
                                           s->root->n_children, b->a, &as, err);
    floe_buf out;
    floe_buf_init(&out, 0);
    for (size_t i = 0; st == FLOE_OK && i < bt->n_rows; i++) {
        floe_value v;
        st = floe_pq_assembler_next(as, &v, err);
        if (st == FLOE_OK) {
            floe_value_to_json(&v, &out, NULL);
            floe_buf_append_byte(&out, '\n', NULL);
        }
    }
    if (st == FLOE_OK && want != NULL) {
        assert_string_equal(floe_buf_cstr(&out), want);
    }
    floe_buf_fini(&out);
    return st;
}

static floe_pq_schema finish(sb *b, floe_pq_node *root)
{
    floe_pq_schema s = {.root = root};
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_pq_schema_finish(&s, b->a, &err), &err);
    return s;
}

static void test_two_level_lists(void **state)
{
    floe_test_ctx *t = *state;
    sb b = {t->arena};
    floe_err err = {0};
    /* optional group l (LIST) { repeated int32 array; }: rows [1,2], null, [] */
    floe_pq_schema s =
        finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                        annotate(node(&b, "l", FLOE_PQ_OPTIONAL, 1,
                                      leaf(&b, "array", FLOE_PQ_REPEATED, FLOE_PQ_INT32)),
                                 FLOE_PQ_LT_LIST, 3)));
    const int16_t def[] = {2, 2, 0, 1}, rep[] = {0, 1, 0, 0};
    const int32_t vals[] = {1, 2, 0, 0};
    col_spec c = {4, def, rep, vals};
    FLOE_ASSERT_OK(assemble(&b, &s, make_batch(&b, &s, 3, &c),
                            "{\"l\":[1,2]}\n{\"l\":null}\n{\"l\":[]}\n", &err),
                   &err);

    /* A repeated group named "array" or "<name>_tuple" is the element itself (a struct). */
    const char *names[] = {"array", "l_tuple"};
    for (int k = 0; k < 2; k++) {
        floe_pq_schema s2 =
            finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                            annotate(node(&b, "l", FLOE_PQ_OPTIONAL, 1,
                                          node(&b, names[k], FLOE_PQ_REPEATED, 1,
                                               leaf(&b, "x", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32))),
                                     FLOE_PQ_LT_LIST, 3)));
        /* rows [{x:1},{x:null}], [] */
        const int16_t d2[] = {3, 2, 1}, r2[] = {0, 1, 0};
        const int32_t v2[] = {1, 0, 0};
        col_spec c2 = {3, d2, r2, v2};
        FLOE_ASSERT_OK(assemble(&b, &s2, make_batch(&b, &s2, 2, &c2),
                                "{\"l\":[{\"x\":1},{\"x\":null}]}\n{\"l\":[]}\n", &err),
                       &err);
    }

    /* A repeated group with two fields is the element too. */
    floe_pq_schema s3 =
        finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                        annotate(node(&b, "l", FLOE_PQ_REQUIRED, 1,
                                      node(&b, "pair", FLOE_PQ_REPEATED, 2,
                                           leaf(&b, "a", FLOE_PQ_REQUIRED, FLOE_PQ_INT32),
                                           leaf(&b, "b", FLOE_PQ_REQUIRED, FLOE_PQ_INT32))),
                                 FLOE_PQ_LT_LIST, 3)));
    const int16_t d3[] = {1, 1}, r3[] = {0, 1};
    const int32_t va[] = {1, 3}, vb[] = {2, 4};
    col_spec c3[] = {{2, d3, r3, va}, {2, d3, r3, vb}};
    FLOE_ASSERT_OK(assemble(&b, &s3, make_batch(&b, &s3, 1, c3),
                            "{\"l\":[{\"a\":1,\"b\":2},{\"a\":3,\"b\":4}]}\n", &err),
                   &err);
}

static void test_unannotated_repeated_fields(void **state)
{
    floe_test_ctx *t = *state;
    sb b = {t->arena};
    floe_err err = {0};
    /* repeated int32 r; required group g { repeated group p { required int32 q; } } */
    floe_pq_schema s = finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 2,
                                       leaf(&b, "r", FLOE_PQ_REPEATED, FLOE_PQ_INT32),
                                       node(&b, "g", FLOE_PQ_REQUIRED, 1,
                                            node(&b, "p", FLOE_PQ_REPEATED, 1,
                                                 leaf(&b, "q", FLOE_PQ_REQUIRED, FLOE_PQ_INT32)))));
    /* rows: r=[1,2] g.p=[{q:5}]; r=[] g.p=[] */
    const int16_t dr[] = {1, 1, 0}, rr[] = {0, 1, 0};
    const int32_t vr[] = {1, 2, 0};
    const int16_t dq[] = {1, 0}, rq[] = {0, 0};
    const int32_t vq[] = {5, 0};
    col_spec c[] = {{3, dr, rr, vr}, {2, dq, rq, vq}};
    FLOE_ASSERT_OK(
        assemble(&b, &s, make_batch(&b, &s, 2, c),
                 "{\"r\":[1,2],\"g\":{\"p\":[{\"q\":5}]}}\n{\"r\":[],\"g\":{\"p\":[]}}\n", &err),
        &err);
}

static void test_map_shapes(void **state)
{
    floe_test_ctx *t = *state;
    sb b = {t->arena};
    floe_err err = {0};
    /* A map without a value field: values are null. */
    floe_pq_schema s =
        finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                        annotate(node(&b, "m", FLOE_PQ_OPTIONAL, 1,
                                      node(&b, "key_value", FLOE_PQ_REPEATED, 1,
                                           leaf(&b, "key", FLOE_PQ_REQUIRED, FLOE_PQ_INT32))),
                                 FLOE_PQ_LT_MAP, 1)));
    const int16_t d[] = {2, 2, 0, 1}, r[] = {0, 1, 0, 0};
    const int32_t v[] = {7, 8, 0, 0};
    col_spec c = {4, d, r, v};
    FLOE_ASSERT_OK(assemble(&b, &s, make_batch(&b, &s, 3, &c),
                            "{\"m\":[{\"key\":7,\"value\":null},{\"key\":8,\"value\":null}]}\n"
                            "{\"m\":null}\n{\"m\":[]}\n",
                            &err),
                   &err);

    /* Only the repeated group says MAP_KEY_VALUE (old writers). */
    floe_pq_node *kv =
        node(&b, "map", FLOE_PQ_REPEATED, 2, leaf(&b, "key", FLOE_PQ_REQUIRED, FLOE_PQ_INT32),
             leaf(&b, "value", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32));
    annotate(kv, FLOE_PQ_LT_MAP, 2);
    floe_pq_schema s2 =
        finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1, node(&b, "m", FLOE_PQ_OPTIONAL, 1, kv)));
    const int16_t dk[] = {2}, dv[] = {2}, r0[] = {0};
    const int32_t vk[] = {1}, vv[] = {0};
    col_spec c2[] = {{1, dk, r0, vk}, {1, dv, r0, vv}};
    FLOE_ASSERT_OK(assemble(&b, &s2, make_batch(&b, &s2, 1, c2),
                            "{\"m\":[{\"key\":1,\"value\":null}]}\n", &err),
                   &err);
}

static void test_nulls_at_every_level(void **state)
{
    floe_test_ctx *t = *state;
    sb b = {t->arena};
    floe_err err = {0};
    /* optional group s { optional group u { optional int32 x; } required int32 y; } */
    floe_pq_schema s = finish(&b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                                       node(&b, "s", FLOE_PQ_OPTIONAL, 2,
                                            node(&b, "u", FLOE_PQ_OPTIONAL, 1,
                                                 leaf(&b, "x", FLOE_PQ_OPTIONAL, FLOE_PQ_INT32)),
                                            leaf(&b, "y", FLOE_PQ_REQUIRED, FLOE_PQ_INT32))));
    const int16_t dx[] = {0, 1, 2, 3}, dy[] = {0, 1, 1, 1};
    const int32_t vx[] = {0, 0, 0, 42}, vy[] = {0, 1, 2, 3};
    col_spec c[] = {{4, dx, NULL, vx}, {4, dy, NULL, vy}};
    FLOE_ASSERT_OK(
        assemble(&b, &s, make_batch(&b, &s, 4, c),
                 "{\"s\":null}\n{\"s\":{\"u\":null,\"y\":1}}\n"
                 "{\"s\":{\"u\":{\"x\":null},\"y\":2}}\n{\"s\":{\"u\":{\"x\":42},\"y\":3}}\n",
                 &err),
        &err);
}

/* Columns whose levels disagree (a corrupt file) are an error, not a crash. */
static void test_inconsistent_levels(void **state)
{
    floe_test_ctx *t = *state;
    sb b = {t->arena};
    floe_err err = {0};
    floe_pq_schema s = finish(
        &b, node(&b, "schema", FLOE_PQ_REQUIRED, 1,
                 node(&b, "p", FLOE_PQ_REPEATED, 2, leaf(&b, "a", FLOE_PQ_REQUIRED, FLOE_PQ_INT32),
                      leaf(&b, "b", FLOE_PQ_REQUIRED, FLOE_PQ_INT32))));
    /* `a` says the row has 3 elements, `b` only 1. */
    const int16_t da[] = {1, 1, 1}, ra[] = {0, 1, 1}, db[] = {1}, rb[] = {0};
    const int32_t v[] = {1, 2, 3};
    col_spec c[] = {{3, da, ra, v}, {1, db, rb, v}};
    FLOE_ASSERT_ERR(assemble(&b, &s, make_batch(&b, &s, 1, c), NULL, &err), FLOE_ERR_CORRUPT, &err,
                    "column 'b' runs out of levels while assembling row 0");
}

FLOE_TEST_GROUP(assemble)
{
#define T(f) cmocka_unit_test_setup_teardown(f, floe_test_setup, floe_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_two_level_lists),      T(test_unannotated_repeated_fields), T(test_map_shapes),
        T(test_nulls_at_every_level), T(test_inconsistent_levels),
    };
#undef T
    return cmocka_run_group_tests_name("assemble", tests, NULL, NULL);
}
