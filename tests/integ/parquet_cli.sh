#!/usr/bin/env bash
# `floe parquet cat|schema|meta`: output formats, options, exit codes and the
# "floe: FILE: <what is wrong>" error form, on copies of the shared Parquet fixtures.
source "$(dirname "$0")/lib.sh"
: "${FLOE_SHARED_FIXTURES:?FLOE_SHARED_FIXTURES must point at ../shared/fixtures}"

cp "$FLOE_SHARED_FIXTURES/parquet/alltypes_plain.parquet" "$TMP/all.parquet"
cp "$FLOE_SHARED_FIXTURES/parquet/nested_lists.snappy.parquet" "$TMP/nested.parquet"
cp "$FLOE_SHARED_FIXTURES/parquet/int32_with_null_pages.parquet" "$TMP/pages.parquet"
cp "$FLOE_SHARED_FIXTURES/parquet/bad_data/PARQUET-1481.parquet" "$TMP/bad.parquet"
chmod u+w "$TMP"/*.parquet

# ---- cat ----
run parquet cat "$TMP/all.parquet"
expect_status 0 "cat"
[ "$(wc -l <<<"$OUT")" -eq 8 ] || fail "cat prints 8 rows"
expect_out '^\{"id":4,"bool_col":true,' "cat: first row in file order"

run parquet cat "$TMP/all.parquet" --columns string_col,id --limit 2
expect_status 0 "cat --columns --limit"
[ "$OUT" = $'{"string_col":"30","id":4}\n{"string_col":"31","id":5}' ] ||
    fail "cat --columns keeps the order given"

run parquet cat --limit=1 --columns=a "$TMP/nested.parquet"
expect_status 0 "cat with = options"
[ "$OUT" = '{"a":[[["a","b"],["c"]],[null,["d"]]]}' ] || fail "nested row"

run parquet cat "$TMP/all.parquet" --limit 0
expect_status 0 "cat --limit 0"
expect_no_out "cat --limit 0"

run parquet cat "$TMP/all.parquet" --columns nope
expect_status 2 "unknown column"
expect_err "^floe: $TMP/all.parquet: no top-level column 'nope'$" "unknown column"

run parquet cat "$TMP/all.parquet" --columns id,id
expect_status 2 "column twice"
expect_err "column 'id' is listed twice" "column twice"

run parquet cat "$TMP/all.parquet" --limit ten
expect_status 2 "bad --limit"
expect_err "^floe: parquet: --limit: " "bad --limit"

run parquet cat "$TMP/all.parquet" --frob
expect_status 2 "unknown option"
expect_err "unknown option '--frob' for cat" "unknown option"

run parquet cat
expect_status 2 "cat without a file"
expect_err "cat needs a FILE" "cat without a file"

# ---- schema ----
run parquet schema "$TMP/nested.parquet"
expect_status 0 "schema"
expect_out '^message ' "schema message"
expect_out '^  optional group a \(LIST\) \{$' "schema: list group"
expect_out 'optional binary element \(STRING\);$' "schema: string leaf"

# ---- meta ----
run parquet meta "$TMP/pages.parquet"
expect_status 0 "meta"
if command -v jq >/dev/null; then
    [ "$(jq '.num_rows' <<<"$OUT")" = 1000 ] || fail "meta: num_rows"
    [ "$(jq -r '.row_groups[0].columns[0].path' <<<"$OUT")" = int32_field ] || fail "meta: path"
    [ "$(jq '.row_groups[0].columns[0].offset_index.length > 0' <<<"$OUT")" = true ] ||
        fail "meta: page index location"
    [ "$(jq '.row_groups[0].columns[0].statistics.null_count' <<<"$OUT")" -gt 0 ] ||
        fail "meta: statistics"
fi

# ---- errors ----
run parquet cat "$TMP/bad.parquet"
expect_status 1 "corrupt footer"
expect_err "^floe: $TMP/bad.parquet: footer: .*unknown physical type -7$" "corrupt footer"

head -c 100 "$TMP/all.parquet" >"$TMP/cut.parquet"
run parquet meta "$TMP/cut.parquet"
expect_status 1 "truncated file"
expect_err "does not end with \"PAR1\"" "truncated file"

run parquet schema "$TMP/missing.parquet"
expect_status 1 "missing file"
expect_err "^floe: $TMP/missing.parquet: " "missing file"

run parquet frob "$TMP/all.parquet"
expect_status 2 "unknown subcommand"
expect_err "unknown subcommand 'frob'" "unknown subcommand"

run parquet
expect_status 2 "no subcommand"

run parquet cat --help
expect_status 0 "--help"
expect_out '^Usage: floe parquet cat FILE' "--help"

finish
