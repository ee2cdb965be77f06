/* SPDX-License-Identifier: Apache-2.0 */
/* Schema evolution helpers: each change with its rules, and the result usable by add-schema. */
#include "ice_helpers.h"

static const char *BASE =
    "{\"type\":\"struct\",\"schema-id\":0,\"identifier-field-ids\":[1],\"fields\":["
    "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"int\"},"
    "{\"id\":2,\"name\":\"price\",\"required\":false,\"type\":\"decimal(9,2)\"},"
    "{\"id\":3,\"name\":\"loc\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
    "{\"id\":4,\"name\":\"lat\",\"required\":false,\"type\":\"float\"},"
    "{\"id\":5,\"name\":\"lon\",\"required\":false,\"type\":\"float\"}]}},"
    "{\"id\":6,\"name\":\"points\",\"required\":false,\"type\":{\"type\":\"list\","
    "\"element-id\":7,\"element\":{\"type\":\"struct\",\"fields\":[{\"id\":8,\"name\":\"x\","
    "\"required\":true,\"type\":\"long\"}]},\"element-required\":true}},"
    "{\"id\":9,\"name\":\"d\",\"required\":false,\"type\":\"date\"}]}";

static floe_ice_schema_update *begin(floe_test_ctx *t, int fv)
{
    const floe_ice_schema *s = ice_test_schema(t->arena, BASE);
    floe_ice_schema_update *u = floe_ice_schema_update_new(t->arena, s, 9, fv);
    assert_non_null(u);
    return u;
}

static const floe_ice_schema *finish(floe_test_ctx *t, floe_ice_schema_update *u, int32_t *last)
{
    (void)t;
    const floe_ice_schema *s = NULL;
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_schema_update_apply(u, 1, &s, last, &err), &err);
    return s;
}

static const char *names(floe_test_ctx *t, const floe_ice_type *st)
{
    floe_buf b;
    floe_buf_init(&b, 0);
    for (size_t i = 0; i < st->n_fields; i++) {
        floe_buf_printf(&b, NULL, "%s%s", i > 0 ? "," : "", st->fields[i].name);
    }
    const char *s = floe_arena_strdup(t->arena, floe_buf_cstr(&b));
    floe_buf_fini(&b);
    return s;
}

static void test_add_columns_assign_new_ids(void **state)
{
    floe_test_ctx *t = *state;
    floe_ice_schema_update *u = begin(t, 2);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_schema_add_column(u, NULL, "note", floe_ice_type_get(FLOE_ICE_STRING),
                                              false, "free text", NULL, &err),
                   &err);
    /* a nested struct column: its own id first, then its fields */
    const floe_ice_schema *tmp = ice_test_schema(
        t->arena, "{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"m\",\"required\":false,"
                  "\"type\":{\"type\":\"map\",\"key-id\":2,\"key\":\"string\",\"value-id\":3,"
                  "\"value\":\"int\",\"value-required\":false}}]}");
    FLOE_ASSERT_OK(floe_ice_schema_add_column(u, "loc", "alt",
                                              floe_ice_schema_find_id(tmp, 1)->type, false, NULL,
                                              NULL, &err),
                   &err);
    /* into the list's element struct */
    FLOE_ASSERT_OK(floe_ice_schema_add_column(u, "points", "y", floe_ice_type_get(FLOE_ICE_LONG),
                                              false, NULL, NULL, &err),
                   &err);
    int32_t last;
    const floe_ice_schema *s = finish(t, u, &last);
    assert_int_equal(last, 14);
    assert_int_equal(floe_ice_schema_find_name(s, "note")->id, 10);
    assert_string_equal(floe_ice_schema_find_name(s, "note")->doc, "free text");
    assert_int_equal(floe_ice_schema_find_name(s, "loc.alt")->id, 11);
    assert_int_equal(floe_ice_schema_find_name(s, "loc.alt.key")->id, 12);
    assert_int_equal(floe_ice_schema_find_name(s, "loc.alt.value")->id, 13);
    assert_int_equal(floe_ice_schema_find_name(s, "points.element.y")->id, 14);
    assert_int_equal(s->schema_id, 1);
    /* the old schema evolves to the new one */
    const floe_ice_schema *base = ice_test_schema(t->arena, BASE);
    FLOE_ASSERT_OK(floe_ice_schema_check_evolution(base, s, 2, &err), &err);
}

static void test_add_column_rules(void **state)
{
    floe_test_ctx *t = *state;
    floe_ice_schema_update *u = begin(t, 2);
    const floe_ice_type *str = floe_ice_type_get(FLOE_ICE_STRING);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, NULL, "id", str, false, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "name already exists: id");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, NULL, "r", str, true, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "cannot add required column without a default: r");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, NULL, "r", str, true, NULL, "\"x\"", &err),
                    FLOE_ERR_INVALID, &err, "default values are not supported until v3");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, "price", "x", str, false, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "parent price is not a struct");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, NULL, "a.b", str, false, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "ambiguous name a.b");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, "nope", "x", str, false, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "cannot find column nope");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u, NULL, "v", floe_ice_type_get(FLOE_ICE_VARIANT),
                                               false, NULL, NULL, &err),
                    FLOE_ERR_INVALID, &err, "type variant needs v3");
    /* v3: a required column with a default */
    floe_ice_schema_update *u3 = begin(t, 3);
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_add_column(u3, NULL, "r", str, true, NULL, "\"none\"", &err),
                   &err);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_add_column(u3, NULL, "q", floe_ice_type_get(FLOE_ICE_INT), true,
                                               NULL, "\"x\"", &err),
                    FLOE_ERR_INVALID, &err, "column q: invalid int value");
    const floe_ice_schema *s = finish(t, u3, NULL);
    const floe_ice_field *r = floe_ice_schema_find_name(s, "r");
    assert_string_equal(r->initial_default, "\"none\"");
    assert_string_equal(r->write_default, "\"none\"");
    assert_true(r->required);
    FLOE_ASSERT_OK(floe_ice_schema_set_write_default(u3, "r", "\"other\"", &err), &err);
    s = finish(t, u3, NULL);
    assert_string_equal(floe_ice_schema_find_name(s, "r")->write_default, "\"other\"");
    assert_string_equal(floe_ice_schema_find_name(s, "r")->initial_default, "\"none\"");
}

static void test_rename_delete_move(void **state)
{
    floe_test_ctx *t = *state;
    floe_ice_schema_update *u = begin(t, 2);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_schema_rename_column(u, "loc.lat", "latitude", &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_rename_column(u, "d", "day", &err), &err);
    FLOE_ASSERT_ERR(floe_ice_schema_rename_column(u, "day", "price", &err), FLOE_ERR_INVALID, &err,
                    "name already exists: price");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_rename_column(u, "points.element", "e", &err), FLOE_ERR_INVALID,
                    &err, "fixed names");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_delete_column(u, "id", &err), FLOE_ERR_INVALID, &err,
                    "cannot delete identifier field id");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_delete_column(u, "loc.lon", &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_move_first(u, "day", &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_move_after(u, "id", "points", &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_move_before(u, "loc", "day", &err), &err);
    FLOE_ASSERT_ERR(floe_ice_schema_move_after(u, "loc.latitude", "price", &err), FLOE_ERR_INVALID,
                    &err, "in different structs");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_move_before(u, "price", "price", &err), FLOE_ERR_INVALID, &err,
                    "relative to itself");
    const floe_ice_schema *s = finish(t, u, NULL);
    assert_string_equal(names(t, s->root), "loc,day,price,points,id");
    assert_int_equal(floe_ice_schema_find_name(s, "loc.latitude")->id, 4);
    assert_null(floe_ice_schema_find_name(s, "loc.lon"));
    assert_int_equal(floe_ice_schema_find_name(s, "day")->id, 9);
    /* a rename keeps the id, so the evolution is valid */
    const floe_ice_schema *base = ice_test_schema(t->arena, BASE);
    FLOE_ASSERT_OK(floe_ice_schema_check_evolution(base, s, 2, &err), &err);
    /* the identifier field can go once it is no longer an identifier */
    floe_ice_schema_update *u2 = begin(t, 2);
    FLOE_ASSERT_OK(floe_ice_schema_set_identifier_fields(u2, NULL, 0, &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_delete_column(u2, "id", &err), &err);
    s = finish(t, u2, NULL);
    assert_int_equal(s->n_identifier_ids, 0);
    assert_null(floe_ice_schema_find_name(s, "id"));
}

static void test_type_promotion_rules(void **state)
{
    floe_test_ctx *t = *state;
    floe_ice_schema_update *u = begin(t, 2);
    floe_err err = {0};
    FLOE_ASSERT_OK(floe_ice_schema_update_type(u, "id", floe_ice_type_get(FLOE_ICE_LONG), &err),
                   &err);
    FLOE_ASSERT_OK(
        floe_ice_schema_update_type(u, "loc.lat", floe_ice_type_get(FLOE_ICE_DOUBLE), &err), &err);
    FLOE_ASSERT_OK(
        floe_ice_schema_update_type(u, "price", floe_ice_type_decimal(t->arena, 18, 2), &err),
        &err);
    FLOE_ASSERT_ERR(
        floe_ice_schema_update_type(u, "price", floe_ice_type_decimal(t->arena, 10, 2), &err),
        FLOE_ERR_INVALID, &err,
        "cannot change column type: price: decimal(18, 2) -> decimal(10, 2)");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_schema_update_type(u, "price", floe_ice_type_decimal(t->arena, 20, 3), &err),
        FLOE_ERR_INVALID, &err, NULL);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_update_type(u, "id", floe_ice_type_get(FLOE_ICE_STRING), &err),
                    FLOE_ERR_INVALID, &err, "long -> string");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_schema_update_type(u, "d", floe_ice_type_get(FLOE_ICE_TIMESTAMP), &err),
        FLOE_ERR_INVALID, &err, "date -> timestamp");
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(floe_ice_schema_update_type(u, "loc", floe_ice_type_get(FLOE_ICE_STRING), &err),
                    FLOE_ERR_INVALID, &err, "only primitive types can be promoted");
    const floe_ice_schema *s = finish(t, u, NULL);
    assert_int_equal(floe_ice_schema_find_name(s, "id")->type->id, FLOE_ICE_LONG);
    assert_int_equal(floe_ice_schema_find_name(s, "loc.lat")->type->id, FLOE_ICE_DOUBLE);
    assert_int_equal(floe_ice_schema_find_name(s, "price")->type->precision, 18);
    /* v3 allows date -> timestamp */
    floe_ice_schema_update *u3 = begin(t, 3);
    FLOE_ASSERT_OK(
        floe_ice_schema_update_type(u3, "d", floe_ice_type_get(FLOE_ICE_TIMESTAMP_NS), &err), &err);
    floe_err_clear(&err);
    FLOE_ASSERT_ERR(
        floe_ice_schema_update_type(u3, "d", floe_ice_type_get(FLOE_ICE_TIMESTAMPTZ), &err),
        FLOE_ERR_INVALID, &err, NULL);
}

static void test_nullability_doc_and_identifiers(void **state)
{
    floe_test_ctx *t = *state;
    floe_ice_schema_update *u = begin(t, 2);
    floe_err err = {0};
    FLOE_ASSERT_ERR(floe_ice_schema_set_required(u, "price", true, false, &err), FLOE_ERR_INVALID,
                    &err, "optional -> required");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_set_required(u, "price", true, true, &err), &err);
    FLOE_ASSERT_OK(floe_ice_schema_set_required(u, "points.element.x", false, false, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_schema_set_required(u, "id", false, false, &err), FLOE_ERR_INVALID,
                    &err, "cannot make identifier field id optional");
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_update_doc(u, "price", "in cents", &err), &err);
    const char *ids[] = {"id", "price"};
    FLOE_ASSERT_OK(floe_ice_schema_set_identifier_fields(u, ids, 2, &err), &err);
    const floe_ice_schema *s = finish(t, u, NULL);
    assert_true(floe_ice_schema_find_name(s, "price")->required);
    assert_false(floe_ice_schema_find_name(s, "points.element.x")->required);
    assert_string_equal(floe_ice_schema_find_name(s, "price")->doc, "in cents");
    assert_int_equal(s->n_identifier_ids, 2);
    /* identifier rules are checked when the schema is built */
    floe_ice_schema_update *u2 = begin(t, 2);
    const char *bad[] = {"loc.lat"};
    FLOE_ASSERT_OK(floe_ice_schema_set_identifier_fields(u2, bad, 1, &err), &err);
    const floe_ice_schema *out;
    FLOE_ASSERT_ERR(floe_ice_schema_update_apply(u2, 1, &out, NULL, &err), FLOE_ERR_INVALID, &err,
                    "identifier field loc.lat: not a required field");
    const char *missing[] = {"zzz"};
    floe_err_clear(&err);
    FLOE_ASSERT_OK(floe_ice_schema_set_identifier_fields(u2, missing, 1, &err), &err);
    FLOE_ASSERT_ERR(floe_ice_schema_update_apply(u2, 1, &out, NULL, &err), FLOE_ERR_INVALID, &err,
                    "cannot add zzz as an identifier field");
}

static void test_evolved_schema_commits_through_add_schema(void **state)
{
    floe_test_ctx *t = *state;
    floe_err err = {0};
    json_t *j = ice_test_json(
        "{\"format-version\":2,\"table-uuid\":\"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
        "\"location\":\"s3://b/t\",\"last-sequence-number\":0,\"last-updated-ms\":1,"
        "\"last-column-id\":9,\"current-schema-id\":0,\"schemas\":[]," /* filled below */
        "\"default-spec-id\":0,\"partition-specs\":[{\"spec-id\":0,\"fields\":[]}],"
        "\"last-partition-id\":999,\"default-sort-order-id\":0,\"sort-orders\":[{\"order-id\":0,"
        "\"fields\":[]}]}");
    json_array_append_new(json_object_get(j, "schemas"), ice_test_json(BASE));
    floe_table_meta *m;
    FLOE_ASSERT_OK(floe_iceberg_metadata_from_json(t->arena, j, &m, &err), &err);
    json_decref(j);
    floe_ice_schema_update *u = floe_ice_schema_update_new(
        t->arena, floe_table_meta_current_schema(m), m->last_column_id, m->format_version);
    FLOE_ASSERT_OK(floe_ice_schema_add_column(u, NULL, "extra", floe_ice_type_get(FLOE_ICE_LONG),
                                              false, NULL, NULL, &err),
                   &err);
    FLOE_ASSERT_OK(floe_ice_schema_update_type(u, "id", floe_ice_type_get(FLOE_ICE_LONG), &err),
                   &err);
    const floe_ice_schema *s;
    int32_t last;
    FLOE_ASSERT_OK(floe_ice_schema_update_apply(u, -1, &s, &last, &err), &err);
    floe_ice_update ups[2] = {
        {.kind = FLOE_ICE_UP_ADD_SCHEMA,
         .schema = s,
         .has_last_column_id = true,
         .last_column_id = last},
        {.kind = FLOE_ICE_UP_SET_CURRENT_SCHEMA, .id = -1},
    };
    floe_ice_apply_opts o = {.now_ms = 2};
    floe_table_meta *out;
    bool changed;
    FLOE_ASSERT_OK(floe_ice_updates_apply(t->arena, m, ups, 2, &o, &out, &changed, &err), &err);
    assert_true(changed);
    assert_int_equal(out->current_schema_id, 1);
    assert_int_equal(out->last_column_id, 10);
    assert_int_equal(floe_ice_schema_find_name(floe_table_meta_current_schema(out), "extra")->id,
                     10);
    /* the update serialises as Java sends it */
    json_t *uj = floe_ice_update_to_json(&ups[0]);
    assert_int_equal(json_integer_value(json_object_get(uj, "last-column-id")), 10);
    json_decref(uj);
}

FLOE_TEST_GROUP(evolve)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_columns_assign_new_ids, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_add_column_rules, floe_test_setup, floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_rename_delete_move, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_type_promotion_rules, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_nullability_doc_and_identifiers, floe_test_setup,
                                        floe_test_teardown),
        cmocka_unit_test_setup_teardown(test_evolved_schema_commits_through_add_schema,
                                        floe_test_setup, floe_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
