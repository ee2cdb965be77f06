#!/usr/bin/env bash
# `floe avro meta` and `floe avro cat` on real Iceberg manifests (copied from the shared
# fixtures), and the error and usage paths.
source "$(dirname "$0")/lib.sh"
: "${FLOE_SHARED_FIXTURES:?FLOE_SHARED_FIXTURES must point at ../shared/fixtures}"

cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_bucket_identity_rename" "$TMP/t"
m="$TMP/t/metadata/abf62b15-903b-40b6-9e6b-26bcdceac9b3-m0.avro"
list="$TMP/t/metadata/snap-5276958600260276572-1-abf62b15-903b-40b6-9e6b-26bcdceac9b3.avro"

run avro meta "$m"
expect_status 0 "meta"
expect_out '^\{"codec":"deflate","sync":"[0-9a-f]{32}","schema":\{"type":"record","name":"manifest_entry"' "meta header"
expect_out '"field-id":1000' "meta keeps field ids"
expect_out '"metadata":\{.*"partition-spec-id":"0"' "meta keys"
[ "$(wc -l <<<"$OUT")" -eq 1 ] || fail "meta prints one line"

run avro cat "$m"
expect_status 0 "cat manifest"
[ "$(wc -l <<<"$OUT")" -eq 3 ] || fail "3 manifest entries"
expect_out '"partition":\{"id_bucket":3,"date":null\}' "null partition value"
expect_out '"partition":\{"id_bucket":0,"date":"2022-01-01"\}' "date partition value"
expect_out '"lower_bounds":\[\{"key":1,"value":"[0-9a-f]+"\}' "bounds maps keyed by column id"

run avro cat --limit 1 "$list"
expect_status 0 "cat manifest list"
expect_out '^\{"manifest_path":"s3a://hyperparam-iceberg/spark/rename_column/metadata/abf62b15-903b-40b6-9e6b-26bcdceac9b3-m0.avro","manifest_length":7506,' "manifest list entry"

run avro cat "file://$list"
expect_status 0 "file: URI"

# A truncated manifest names the block and where it starts.
head -c $(($(wc -c <"$m") - 100)) "$m" >"$TMP/cut.avro"
run avro cat "$TMP/cut.avro"
expect_status 1 "truncated file"
expect_err "^floe: $TMP/cut.avro: block 0 at offset [0-9]+: truncated" "truncated file"

printf 'not avro at all' >"$TMP/junk.avro"
run avro meta "$TMP/junk.avro"
expect_status 1 "junk"
expect_err "^floe: $TMP/junk.avro: not an avro object container file \(bad magic bytes\)$" "junk"

run avro cat "$TMP/missing.avro"
expect_status 1 "missing file"
expect_err "^floe: $TMP/missing.avro: .*No such file or directory" "missing file"

run avro
expect_status 2 "no subcommand"
expect_err "^floe: avro: expected a subcommand: meta or cat$" "no subcommand"
run avro show "$m"
expect_status 2 "unknown subcommand"
run avro cat --limit -3 "$m"
expect_status 2 "negative limit"
run avro cat --bogus "$m"
expect_status 2 "unknown option"
run help avro
expect_status 0 "help avro"
expect_out '^Usage: floe avro meta FILE' "help avro"

finish
