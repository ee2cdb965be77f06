#!/usr/bin/env bash
# A round trip through the `floe table` commands: create a partitioned, sorted table like a
# Parquet file, append that file and a CSV file, delete rows with position deletes (and a
# whole file), then with equality deletes, and check every step's rows with `floe table scan`
# (also time travel back to each snapshot); appending files whose schema does not fit the table
# fails with a clear message and changes nothing.
source "$(dirname "$0")/lib.sh"
: "${FLOE_SHARED_FIXTURES:?FLOE_SHARED_FIXTURES must point at ../shared/fixtures}"

PQ="$FLOE_SHARED_FIXTURES/parquet/datapage_v2.snappy.parquet" # a, b, c, d, e (list<int>)
T="$TMP/t"

expect_rows() {
    local want got
    want=$(sort)
    got=$(sort <<<"$OUT")
    [ "$got" = "$want" ] || { fail "$1: rows differ"; diff <(echo "$want") <(echo "$got") >&2; }
}
snapshot_of() { sed -E 's/^\{"snapshot-id":([0-9]+).*/\1/' <<<"$OUT"; }

# ---- create ----
run table create "$T" --like "$PQ" --partition 'bucket(2, b)' --sort 'b DESC' \
    --property write.parquet.compression-codec=snappy
expect_status 0 "create"
expect_out "^\\{\"location\":\"$T\",\"metadata-location\":\"$T/metadata/v1.metadata.json\"" "create output"
expect_out '"format-version":2' "format version 2 by default"
run table describe "$T"
expect_out '^  2 +b +int +required' "required column kept from the file"
expect_out '^  5 +e +list +optional' "list column"
expect_out '^  1000 +b_bucket +bucket\[2\]\(b\)$' "partition field"
expect_out '^  identity\(b\) DESC NULLS LAST$' "sort order"
expect_out '^  write.parquet.compression-codec=snappy$' "property"
expect_out '^snapshots 0:$' "no snapshot yet"
run table scan "$T"
expect_status 0 "scan of an empty table"
expect_no_out "an empty table has no rows"

run table create "$T" --like "$PQ"
expect_status 1 "create over an existing table"
expect_err '^floe: table create: a table exists at' "create over an existing table"
run table create "$TMP/u" --schema '{"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":"long"}]}' --property format-version=1 --partition 'truncate(x, 10)'
expect_status 0 "create from a JSON schema, v1"
run table describe "$TMP/u" --json
expect_out '"format-version":1' "format-version property"
expect_out '"transform":"truncate\[10\]"' "truncate(x, 10) in Spark's order"
run table create "$TMP/v" --schema '{"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":"long"}]}' --partition 'day(x)'
expect_status 2 "day of a long"
run table create "$TMP/v" --schema '{"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":"long"}]}' --partition 'bucket(y)'
expect_status 2 "bucket without N"
run table create "$TMP/v" --schema '{"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":"long"}]}' --sort 'y'
expect_status 2 "sort by an unknown column"
expect_err "no column 'y'" "sort by an unknown column"
run table create "$TMP/v" --schema '{"type":"struct"'
expect_status 2 "--schema not JSON"
run table create "$TMP/v"
expect_status 2 "no schema"
[ -e "$TMP/v" ] && fail "failed creates left $TMP/v"

# ---- append Parquet and CSV ----
cat >"$TMP/more.csv" <<'EOF'
b,a,c,d
10,x,1.5,false
11,"y, ""quoted""",2.25,true
12,,3,true
13,x,-4,false
EOF
run table append "$T" "$PQ" "$TMP/more.csv"
expect_status 0 "append Parquet and CSV"
expect_out '"operation":"append"' "append summary"
expect_out '"added-records":"9"' "9 rows appended"
S1=$(snapshot_of)
ALL='{"a":"abc","b":1,"c":2,"d":true,"e":[1,2,3]}
{"a":"abc","b":2,"c":3,"d":true,"e":null}
{"a":"abc","b":3,"c":4,"d":true,"e":null}
{"a":null,"b":4,"c":5,"d":false,"e":[1,2,3]}
{"a":"abc","b":5,"c":2,"d":true,"e":[1,2]}
{"a":"x","b":10,"c":1.5,"d":false,"e":null}
{"a":"y, \"quoted\"","b":11,"c":2.25,"d":true,"e":null}
{"a":null,"b":12,"c":3,"d":true,"e":null}
{"a":"x","b":13,"c":-4,"d":false,"e":null}'
run table scan "$T"
expect_status 0 "scan after append"
expect_rows "every appended row" <<<"$ALL"
run table files "$T"
[ "$(grep -c '^data	' <<<"$OUT")" -ge 2 ] || fail "one data file per bucket"
expect_out "^data	$T/data/b_bucket=[01]/[^	]*\\.parquet	parquet	spec=0	\\{\"b_bucket\":[01]\\}" "partitioned paths"
for f in $(cut -f2 <<<"$OUT"); do
    run parquet cat "$f"
    first=$(head -1 <<<"$OUT" | sed -E 's/.*"b":([0-9]+).*/\1/')
    last=$(tail -1 <<<"$OUT" | sed -E 's/.*"b":([0-9]+).*/\1/')
    [ "$first" -ge "$last" ] || fail "$f is not sorted by b DESC"
    run parquet schema "$f"
    expect_out 'int32 b.* = 2' "field ids in $f"
done

# ---- schema mismatches: clear errors, nothing committed ----
run table append "$T" "$FLOE_SHARED_FIXTURES/parquet/alltypes_plain.parquet"
expect_status 1 "a Parquet file of another table"
expect_err "^floe: table append: .*alltypes_plain.parquet: column 'id' is not in the table's schema" "unknown column"
run table append "$T" "$FLOE_SHARED_FIXTURES/parquet/lz4_raw_compressed.parquet"
expect_status 1 "wrong columns"
printf 'b,a,c,d\n20,z,1,maybe\n' >"$TMP/badval.csv"
run table append "$T" "$TMP/badval.csv"
expect_status 1 "bad CSV value"
expect_err "badval.csv: line 2, column 'd': 'maybe' is not boolean" "bad CSV value message"
printf 'b,a,c,d,zz\n20,z,1,true,9\n' >"$TMP/extra.csv"
run table append "$T" "$TMP/extra.csv"
expect_status 1 "CSV column the table lacks"
expect_err "column 'zz' is not in the table's schema" "CSV column the table lacks"
printf 'a,c,d\nz,1,true\n' >"$TMP/noreq.csv"
run table append "$T" "$TMP/noreq.csv"
expect_status 1 "CSV without a required column"
expect_err "lacks the required column 'b'" "required column"
printf 'b,a,c,d\n20,z,1\n' >"$TMP/short.csv"
run table append "$T" "$TMP/short.csv"
expect_status 1 "short CSV record"
expect_err "line 2: 3 fields, the header has 4" "short record"
run table append "$T" "$TMP/more.csv" "$TMP/badval.csv"
expect_status 1 "a good and a bad file"
run table snapshots "$T"
[ "$(grep -c . <<<"$OUT")" -eq 1 ] || fail "failed appends committed something"
run table scan "$T"
expect_rows "rows unchanged after failed appends" <<<"$ALL"
[ -z "$(find "$T/data" -name '*.parquet' -newer "$T/metadata/v2.metadata.json")" ] ||
    fail "failed appends left data files behind"
run table append "$T"
expect_status 2 "append without files"

# ---- position deletes ----
run table delete "$T" --where "b = 2 OR b = 12"
expect_status 0 "position delete"
expect_out '"operation":"delete"' "position delete summary"
expect_out '"added-position-deletes":"2"' "two positions"
expect_out '"floe.deleted-rows":"2"' "deleted rows"
S2=$(snapshot_of)
run table scan "$T"
expect_rows "after the position delete" <<<"$(grep -v '"b":2,\|"b":12,' <<<"$ALL")"
run table files "$T"
expect_out '^position-deletes	' "a position-delete file"
run table delete "$T" --where "b > 100"
expect_status 0 "delete matching nothing"
expect_out '^\{"deleted-rows":0\}$' "nothing deleted"

# ---- equality deletes ----
run table delete "$T" --where "a = 'x'" --equality
expect_status 0 "equality delete"
expect_out '"added-equality-deletes":"2"' "one key per partition holding x"
S3=$(snapshot_of)
run table scan "$T"
AFTER_EQ=$(grep -v '"b":2,\|"b":12,\|"a":"x"' <<<"$ALL")
expect_rows "after the equality delete" <<<"$AFTER_EQ"
run table files "$T" --json
expect_out '"content":"equality-deletes".*"equality-ids":\[1\]' "keyed on column a (id 1)"
# Rows appended later with the same key are not deleted (sequence numbers).
printf 'b,a,c,d\n14,x,0,true\n' >"$TMP/again.csv"
run table append "$T" "$TMP/again.csv"
expect_status 0 "append after the equality delete"
run table scan "$T" --where "a = 'x'"
expect_rows "a newer row with the deleted key survives" <<<'{"a":"x","b":14,"c":0,"d":true,"e":null}'

# ---- a whole file: every live row of a data file matches ----
run table files "$T"
one=$(grep '^data	' <<<"$OUT" | grep 'records=1	' | head -1 | cut -f2)
[ -n "$one" ] || fail "no single-row data file"
run table delete "$T" --where "b = 14"
expect_status 0 "delete a whole file"
expect_out '"deleted-data-files":"1"' "the file is removed, not masked"
run table scan "$T"
expect_rows "after removing the file" <<<"$AFTER_EQ"

# ---- time travel back through the history ----
run table scan "$T" --snapshot "$S1"
expect_rows "snapshot 1" <<<"$ALL"
run table scan "$T" --snapshot "$S2"
expect_rows "snapshot 2" <<<"$(grep -v '"b":2,\|"b":12,' <<<"$ALL")"
run table scan "$T" --snapshot "$S3" --columns b --where "d = false"
expect_rows "snapshot 3, projected and filtered" <<<'{"b":4}'
run table history "$T"
[ "$(grep -c . <<<"$OUT")" -eq 5 ] || fail "five snapshots in the history"

# ---- errors ----
run table delete "$T"
expect_status 2 "delete without --where"
run table delete "$T" --where "zz = 1"
expect_status 2 "delete with an unknown column"
cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_v1_day_partition" "$TMP/ro"
chmod -R u+w "$TMP/ro"
run table delete "$TMP/ro" --where "id = 1"
expect_status 1 "delete on a read-only layout"
expect_err 'can only be read' "read-only layout message"

finish
