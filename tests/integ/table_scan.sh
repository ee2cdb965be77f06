#!/usr/bin/env bash
# `floe table scan` and `floe table describe` on copies of every Iceberg table in
# ../shared/fixtures/iceberg (Spark, Java API, Athena, PyIceberg; position and equality deletes,
# partitions, schema evolution, v1 metadata): the row counts and rows the fixtures README lists,
# time travel, filters, projections, metadata files as PATH, prefix maps, and the errors.
source "$(dirname "$0")/lib.sh"
: "${FLOE_SHARED_FIXTURES:?FLOE_SHARED_FIXTURES must point at ../shared/fixtures}"

FX="$TMP/fx"
cp -r "$FLOE_SHARED_FIXTURES/iceberg" "$FX"
chmod -R u+w "$FX"

# expect_rows DESC: stdout, sorted, equals the expected lines on stdin, sorted.
expect_rows() {
    local want got
    want=$(sort)
    got=$(sort <<<"$OUT")
    [ "$got" = "$want" ] || { fail "$1: rows differ"; diff <(echo "$want") <(echo "$got") >&2; }
}
expect_count() {
    local n
    n=$(grep -c . <<<"$OUT")
    [ "$n" -eq "$1" ] || fail "$2: expected $1 rows, got $n"
}

# ---- Every table: row counts and rows (fixtures README) ----
run table scan "$FX/athena_trino_object_storage"
expect_status 0 "athena"
expect_rows "athena" <<'EOF'
{"id":1,"name":"Alice"}
{"id":2,"name":"Bob"}
EOF

run table scan "$FX/java_api_eq_deletes_identity_partition"
expect_status 0 "java eq deletes"
expect_rows "java eq deletes (3 equality-delete files, one on 2 columns)" <<'EOF'
{"id":1,"name":"a","bir":"2025-01-01"}
{"id":4,"name":"d","bir":"2025-01-04"}
{"id":5,"name":"e","bir":"2025-01-05"}
EOF

run table scan "$FX/spark_bucket_identity_rename"
expect_status 0 "bucket rename"
expect_rows "bucket/identity partitions, renamed column read by id" <<'EOF'
{"id":3,"name":"Cottontail","event_date":null,"price":"0.00","active":true}
{"id":4,"name":"Thumper","event_date":"2022-01-02","price":"99999999.99","active":false}
{"id":1,"name":"Flopsy 🐇","event_date":"2022-01-01","price":"9.99","active":true}
{"id":2,"name":"Mopsy–Naïve","event_date":"2022-01-01","price":"-5.00","active":false}
EOF

run table scan "$FX/spark_v1_day_partition"
expect_status 0 "v1 day partition"
expect_rows "v1 metadata, day(ts), no v1.metadata.json" <<'EOF'
{"id":1,"str":"1","ts":"2023-03-01T18:15:00.000000"}
{"id":2,"str":"2","ts":"2023-03-01T19:25:00.000000"}
{"id":3,"str":"3","ts":"2023-03-02T22:00:00.000000"}
EOF

run table scan "$FX/pyiceberg_day_partition_map"
expect_status 0 "pyiceberg"
expect_rows "pyiceberg <N>-<uuid> metadata, timestamptz and a map" <<'EOF'
{"timestamp":"2026-01-01T00:00:00.000000+00:00","input":"hello","output":"world","metadata":[{"key":"key","value":"value1"}]}
{"timestamp":"2026-01-02T00:00:00.000000+00:00","input":"hello","output":"world","metadata":[{"key":"key","value":"value1"}]}
EOF

run table scan "$FX/spark_v1_embedded_manifests_edge"
expect_status 0 "v1 embedded manifests"
expect_rows "v1 embedded manifests list" <<'EOF'
{"id":1,"category":"alpha","amount":10}
{"id":2,"category":"beta","amount":20}
{"id":3,"category":"alpha","amount":null}
EOF

BUNNIES_SPARK="$FX/spark_posdel_schema_evolution"
run table scan "$BUNNIES_SPARK"
expect_status 0 "spark bunnies"
expect_count 20 "spark bunnies: the dangling position delete is ignored"
expect_out '^\{"Breed Name":"Netherland Dwarf","Average Weight":0.9,"Fur Length":2.5,"Lifespan":10,"Origin Country":"Netherlands","Ear Type":"Erect","Temperament":"Shy","Popularity Rank":2,"breed_name_length":16\}$' "spark bunnies first row"
for breed in "Netherland Dwarf" "Flemish Giant" "English Lop" Rex "Mini Lop" Lionhead \
    "American Fuzzy Lop" Dutch Polish Californian "French Angora" "Mini Rex" "Satin Angora" \
    "Silver Fox" Thrianta Himalayan "English Angora" "Belgian Hare" Harlequin "New Zealand"; do
    expect_out "^\\{\"Breed Name\":\"$breed\"," "spark bunnies keeps $breed"
done
[[ "$OUT" == *'"Holland Lop"'* ]] && fail "spark bunnies: Holland Lop was deleted"

BUNNIES_JAVA="$FX/java_api_pos_and_eq_deletes"
run table scan "$BUNNIES_JAVA"
expect_status 0 "java bunnies"
expect_count 15 "java bunnies: position and equality deletes"
expect_out '^\{"Breed Name":"New Zealand","Average Weight":4,"Fur Length":2.7,"Lifespan":8,"Origin Country":"New Zealand","Ear Type":"Erect","Temperament":"Affectionate","Popularity Rank":0,"__happy__":true\}$' "java bunnies: the updated New Zealand row"
[ "$(grep -c '"New Zealand"' <<<"$OUT")" -eq 1 ] || fail "java bunnies: exactly one New Zealand row"
[ "$(grep -c '"__happy__":null' <<<"$OUT")" -eq 14 ] || fail "java bunnies: 14 rows without __happy__"
got=$(sed -E 's/.*"Popularity Rank":([0-9]+).*/\1/' <<<"$OUT" | sort -n | tr '\n' ' ')
[ "$got" = "0 1 2 8 9 10 11 13 14 15 16 17 18 19 20 " ] || fail "java bunnies ranks: $got"

# ---- Time travel, metadata files, refs ----
run table scan "$BUNNIES_SPARK" --snapshot 7505300640432048841
expect_status 0 "time travel by id"
expect_count 21 "time travel to the first snapshot"
expect_out '"Breed Name":"Holland Lop"' "time travel sees the deleted row"
run table scan "$BUNNIES_SPARK/metadata/v1.metadata.json"
expect_count 21 "metadata file v1"
run table scan "$BUNNIES_SPARK/metadata/v3.metadata.json"
expect_count 20 "metadata file v3"
run table scan "$BUNNIES_JAVA/metadata/v4.metadata.json"
expect_count 15 "java v4"
expect_out '"Breed Name":"New Zealand".*"Popularity Rank":21,"__happy__":null' "java v4 New Zealand rank 21"
run table scan "$BUNNIES_JAVA/metadata/v2.metadata.json"
expect_count 21 "java v2"
run table scan "$BUNNIES_JAVA" --ref main
expect_count 15 "--ref main"
run table scan "$BUNNIES_JAVA" --as-of 2025-03-31T08:46:35Z
expect_status 0 "--as-of"
expect_count 15 "--as-of between the delete and the overwrite (6 deleted)"
[[ "$OUT" == *'"__happy__":true'* ]] && fail "--as-of: the later update is visible"
run table scan "$BUNNIES_JAVA" --as-of 1743410790000
expect_count 21 "--as-of epoch millis before the position delete"

# ---- Filters, projection, limit ----
run table scan "$FX/spark_v1_day_partition" --where "ts > '2023-03-01T19:25:00'"
expect_rows "ts > 19:25" <<<'{"id":3,"str":"3","ts":"2023-03-02T22:00:00.000000"}'
run table scan "$FX/spark_v1_day_partition" --where "ts >= '2023-03-01T19:25:00'"
expect_count 2 "ts >= 19:25"
run table scan "$FX/spark_v1_embedded_manifests_edge" --where "category = 'beta'" --columns id,amount
expect_rows "category = beta, projected" <<<'{"id":2,"amount":20}'
run table scan "$FX/spark_bucket_identity_rename" --where "event_date = DATE '2022-01-01' AND id IN (1, 2, 9)" --columns name,id
expect_rows "renamed partition column filter" <<'EOF'
{"name":"Flopsy 🐇","id":1}
{"name":"Mopsy–Naïve","id":2}
EOF
run table scan "$FX/spark_bucket_identity_rename" --where "event_date IS NULL"
expect_count 1 "IS NULL on the null partition"
run table scan "$BUNNIES_SPARK" --limit 3
expect_count 3 "--limit 3"
run table scan "$BUNNIES_SPARK" --limit 0
expect_no_out "--limit 0"

# ---- Prefix maps: explicit, through a metadata file elsewhere ----
mkdir -p "$TMP/elsewhere"
cp "$FX/athena_trino_object_storage/metadata/00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json" "$TMP/elsewhere/m.metadata.json"
run table scan "$TMP/elsewhere/m.metadata.json" --location-map "s3://hyperparam-iceberg/athena/example=$FX/athena_trino_object_storage"
expect_status 0 "--location-map"
expect_count 2 "--location-map reads the data"
run table scan "$TMP/elsewhere/m.metadata.json" --location-map "s3://hyperparam-iceberg/athena/example=$TMP/nowhere"
expect_status 1 "a wrong map"
expect_err '^floe: table scan: .*nowhere' "a wrong map names the location"
(cd "$FX" && "$FLOE" table scan spark_v1_day_partition >"$TMP/rel.out" 2>&1) || fail "relative PATH"
[ "$(grep -c . "$TMP/rel.out")" -eq 3 ] || fail "relative PATH reads 3 rows"

# ---- describe, snapshots, files, history ----
run table describe "$FX/spark_bucket_identity_rename"
expect_status 0 "describe"
expect_out '^location +s3a://hyperparam-iceberg/spark/rename_column$' "describe location"
expect_out '^format-version 2$' "describe format"
expect_out '^  3 +event_date +date +optional' "describe schema (renamed column)"
expect_out '^  4 +price +decimal\(10, 2\)' "describe decimal"
expect_out '^  1000 +id_bucket +bucket\[4\]\(id\)$' "describe spec bucket"
expect_out '^  1001 +date +identity\(event_date\)$' "describe spec identity"
expect_out '^  5276958600260276572 +seq 1 ' "describe snapshots"
run table describe "$BUNNIES_JAVA" --json
expect_status 0 "describe --json"
expect_out '"format-version":2' "describe --json format"
expect_out '"current-snapshot-id":9158179788527662767' "describe --json current"
expect_out '"name":"__happy__"' "describe --json schema"
[ "$(grep -o '"snapshot-id":' <<<"$OUT" | wc -l)" -ge 3 ] || fail "describe --json: 3 snapshots"
run table describe "$FX/spark_v1_day_partition"
expect_out '^format-version 1$' "describe v1"
expect_out 'ts_day +day\(ts\)' "describe v1 spec"
for t in "$FX"/*; do
    run table describe "$t"
    expect_status 0 "describe $(basename "$t")"
    expect_out '^schema [0-9]+:' "describe $(basename "$t") schema"
    expect_out '^partition spec [0-9]+:' "describe $(basename "$t") spec"
    expect_out '^snapshots [0-9]+:' "describe $(basename "$t") snapshots"
done
run table snapshots "$BUNNIES_JAVA"
expect_status 0 "snapshots"
expect_out '^6458828015811002920	parent=4951213507629824583	seq=2	.*	delete	.*added-position-deletes=6' "snapshots line"
run table snapshots "$BUNNIES_JAVA" --json
expect_count 3 "snapshots --json"
run table history "$BUNNIES_JAVA"
expect_count 3 "history"
expect_out '	9158179788527662767	parent=6458828015811002920	current-ancestor$' "history line"
run table files "$BUNNIES_JAVA"
expect_status 0 "files"
expect_out '^position-deletes	s3a://hyperparam-iceberg/java/bunnies/data/bunnies-pos-deletes.parquet	parquet	spec=0	\{\}	records=6' "files: position deletes"
expect_out '^equality-deletes	.*bunnies-eq-delete-new-zealand.parquet' "files: equality deletes"
expect_count 4 "files: 2 data + 2 delete files"
run table files "$FX/spark_bucket_identity_rename" --json
expect_out '"partition":\{"id_bucket":3,"date":null\}' "files --json partition"

# ---- Errors ----
run table scan "$TMP/missing"
expect_status 1 "missing table"
expect_err '^floe: table scan: no table at .*missing' "missing table message"
mkdir -p "$TMP/empty/metadata"
run table scan "$TMP/empty"
expect_status 1 "directory without metadata"
expect_err '^floe: table scan: no table at' "directory without metadata"
run table scan "$BUNNIES_JAVA" --where "Lifespan >"
expect_status 2 "bad --where syntax"
expect_err '^floe: table scan: --where: ' "bad --where message"
run table scan "$BUNNIES_JAVA" --where "nope = 1"
expect_status 2 "--where unknown column"
expect_err "nope" "--where names the column"
run table scan "$BUNNIES_JAVA" --snapshot 12345
expect_status 1 "unknown snapshot"
expect_err '^floe: table scan: snapshot 12345 does not exist' "unknown snapshot message"
run table scan "$BUNNIES_JAVA" --snapshot twelve
expect_status 2 "non-numeric --snapshot"
expect_err "^floe: table scan: --snapshot needs a snapshot id, got 'twelve'" "bad --snapshot"
run table scan "$BUNNIES_JAVA" --ref nope
expect_status 1 "unknown ref"
run table scan "$BUNNIES_JAVA" --snapshot 1 --ref main
expect_status 2 "two snapshot selectors"
run table scan "$BUNNIES_JAVA" --columns nope
expect_status 2 "unknown --columns"
expect_err "no top-level column 'nope'" "unknown --columns message"
run table scan "$BUNNIES_JAVA" --location-map nothing
expect_status 2 "bad --location-map"
run table scan
expect_status 2 "no PATH"
expect_err '^floe: table scan: expected a table PATH' "no PATH"
run table scan "$BUNNIES_JAVA" --bogus
expect_status 2 "unknown option"
expect_err "^floe: table scan: unknown option '--bogus'" "unknown option"
run table bogus "$BUNNIES_JAVA"
expect_status 2 "unknown subcommand"
echo '{not json' >"$TMP/bad.metadata.json"
run table describe "$TMP/bad.metadata.json"
expect_status 1 "corrupt metadata"
expect_err '^floe: table describe: ' "corrupt metadata message"
run table append "$FX/spark_v1_day_partition" "$TMP/x.csv"
expect_status 1 "append to a read-only layout"
expect_err 'can only be read' "read-only layout"

# ---- Help ----
for sub in create append delete scan describe snapshots files history expire clean-orphans; do
    run table "$sub" --help
    expect_status 0 "$sub --help"
    expect_out "^Usage: floe table $sub" "$sub --help"
done
run table --help
expect_out '^  scan ' "table --help lists scan"

finish
