#!/usr/bin/env bash
# The REST catalog's write path, run against a started server after rest_suite.sh (sourced by
# server_sqlite.sh and server_pg.sh). Needs BASE, WH, P, the namespace `db` and the catalog
# property table.commit.retry.num-retries=7 (the table.* defaults check). Create (plain,
# staged, with spec/order/properties, refusals), every kind of update and requirement through
# the commit route, staged creates finished with assert-create, multi-table transactions,
# register with full validation, ETags, and the change log lines (one per successful change).

SCHEMA='{"type":"struct","fields":[{"id":1,"name":"id","type":"long","required":true},{"id":2,"name":"ts","type":"timestamptz","required":false},{"id":3,"name":"data","type":"string","required":false}]}'

# commit TABLE REQUIREMENTS UPDATES [curl options...]
commit() {
    local t=$1 reqs=$2 ups=$3
    shift 3
    req POST "$P/namespaces/db/tables/$t" "{\"requirements\":$reqs,\"updates\":$ups}" "$@"
}

# The number of metadata files of a table (failed commits must leave none behind).
meta_files() { find "$WH/db/$1/metadata" -name '*.metadata.json' 2>/dev/null | wc -l; }

etag_of() { grep -i '^ETag:' <<<"$HDRS" | cut -d' ' -f2-; }

# The file a table points at, as floe answers it.
current_location() {
    req GET "$P/namespaces/db/tables/$1"
    jq -r '."metadata-location"' <<<"$BODY"
}

# ==== Create ====
req GET /v1/config
for ep in "POST /v1/{prefix}/namespaces/{namespace}/tables" \
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}" \
    "POST /v1/{prefix}/transactions/commit"; do
    expect_jq ".endpoints | index(\"$ep\") != null" true "advertises $ep"
done

req POST $P/namespaces/db/tables "{\"name\":\"w1\",\"schema\":$SCHEMA}"
expect 200 "create w1"
W1_M0=$(jq -r '."metadata-location"' <<<"$BODY")
[[ "$W1_M0" == "$WH/db/w1/metadata/00000-"*.metadata.json ]] ||
    check_fail "create w1: metadata file $W1_M0 is not <warehouse>/db/w1/metadata/00000-*"
[ -f "$W1_M0" ] || check_fail "create w1 did not write $W1_M0"
[ "$(jq -S .metadata <<<"$BODY")" = "$(jq -S . "$W1_M0")" ] ||
    check_fail "create w1: the answer's metadata is not the file's"
expect_jq '.metadata."format-version"' 2 "create w1 format version"
expect_jq '.metadata.location' "$WH/db/w1" "create w1 default location"
expect_jq '.metadata."last-column-id"' 3 "create w1 last-column-id"
expect_jq '.metadata."current-snapshot-id"' -1 "create w1 has no snapshot"
expect_jq '.metadata.properties."commit.retry.num-retries"' 7 "create w1 gets table.* defaults"
expect_jq '.config | type' object "create w1 config"
expect_header '^ETag: "' "create ETag"
W1_UUID=$(jq -r '.metadata."table-uuid"' <<<"$BODY")
create_etag=$(etag_of)
req GET $P/namespaces/db/tables/w1
expect 200 "load after create"
expect_jq '."metadata-location"' "$W1_M0" "load after create location"
expect_jq '.metadata."table-uuid"' "$W1_UUID" "load after create uuid"
[ "$(etag_of)" = "$create_etag" ] || check_fail "load after create: ETag differs from create's"

# Partition spec, sort order, properties (format-version is read, not stored; request wins
# over catalog defaults), and fresh ids whatever the request said.
req POST $P/namespaces/db/tables '{"name":"w2","schema":{"type":"struct","fields":[{"id":7,"name":"id","type":"long","required":true},{"id":9,"name":"ts","type":"timestamp","required":false}]},"partition-spec":{"spec-id":3,"fields":[{"source-id":9,"transform":"day","name":"ts_day"},{"source-id":7,"transform":"bucket[16]","name":"id_bucket"}]},"write-order":{"fields":[{"source-id":7,"transform":"identity","direction":"desc","null-order":"nulls-last"}]},"properties":{"owner":"ana","format-version":"1","commit.retry.num-retries":"2"}}'
expect 200 "create w2 with spec, order and properties"
expect_jq '.metadata."format-version"' 1 "format-version property"
expect_jq '.metadata.properties | has("format-version")' false "format-version not stored"
expect_jq '.metadata.properties.owner' ana "properties stored"
expect_jq '.metadata.properties."commit.retry.num-retries"' 2 "request property beats default"
expect_jq '[.metadata.schemas[0].fields[].id] | join(",")' 1,2 "fresh column ids"
expect_jq '[.metadata."partition-specs"[0].fields[] | "\(."field-id"):\(."source-id"):\(.transform)"] | join(",")' \
    "1000:2:day,1001:1:bucket[16]" "spec re-bound with partition ids from 1000"
expect_jq '.metadata."default-spec-id"' 0 "spec id 0"
expect_jq '.metadata."last-partition-id"' 1001 "last-partition-id"
expect_jq '.metadata."default-sort-order-id"' 1 "sort order id 1"
expect_jq '.metadata."sort-orders"[] | select(."order-id" == 1) | .fields[0] | "\(."source-id"):\(.direction)"' \
    "1:desc" "sort order re-bound"

# Refusals.
req POST $P/namespaces/db/tables "{\"name\":\"w1\",\"schema\":$SCHEMA}"
expect_error 409 AlreadyExistsException "create an existing table"
req POST $P/namespaces/nope/tables "{\"name\":\"x\",\"schema\":$SCHEMA}"
expect_error 404 NoSuchNamespaceException "create in a missing namespace"
req POST $P/namespaces/db/tables '{"name":"bad"}'
expect_error 400 BadRequestException "create without a schema"
req POST $P/namespaces/db/tables "{\"schema\":$SCHEMA}"
expect_error 400 BadRequestException "create without a name"
req POST $P/namespaces/db/tables '{"name":"bad","schema":{"type":"struct","fields":[{"id":1,"name":"a","type":"int","required":true},{"id":2,"name":"a","type":"int","required":true}]}}'
expect_error 400 BadRequestException "schema with a repeated name"
req POST $P/namespaces/db/tables '{"name":"bad","schema":{"type":"struct","fields":[{"id":1,"name":"a","type":"varchar","required":true}]}}'
expect_error 400 BadRequestException "schema with an unknown type"
req POST $P/namespaces/db/tables '{"name":"bad","schema":{"type":"list","element-id":1,"element":"int","element-required":true}}'
expect_error 400 BadRequestException "schema that is not a struct"
req POST $P/namespaces/db/tables '{"name":"bad","schema":{"type":"struct","fields":[{"id":1,"name":"f","type":"float","required":true}],"identifier-field-ids":[1]}}'
expect_error 400 BadRequestException "float identifier field"
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"partition-spec\":{\"fields\":[{\"source-id\":42,\"transform\":\"identity\",\"name\":\"p\"}]}}"
expect_error 400 BadRequestException "partition spec on a missing column"
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"partition-spec\":{\"fields\":[{\"source-id\":3,\"transform\":\"hour\",\"name\":\"p\"}]}}"
expect_error 400 BadRequestException "hour of a string"
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"properties\":{\"format-version\":\"9\"}}"
expect_error 400 BadRequestException "format-version 9"
req POST $P/namespaces/db/tables "{\"name\":\"bad\u0001\",\"schema\":$SCHEMA}"
expect_error 400 IllegalArgumentException "control character in the name"
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"location\":\"$TMP/outside\"}"
expect_error 400 BadRequestException "location outside the warehouse"
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"location\":\"$WH/db/../../x\"}"
expect_error 400 BadRequestException "location with .."
req POST $P/namespaces/db/tables "{\"name\":\"bad\",\"schema\":$SCHEMA,\"location\":\"relative/x\"}"
expect_error 400 BadRequestException "relative location"
[ ! -e "$TMP/outside" ] && [ ! -e "$WH/db/bad" ] || check_fail "a refused create wrote files"
req GET $P/namespaces/db/tables/bad
expect 404 "refused creates registered nothing"
req POST $P/namespaces/db/tables "{\"name\":\"w3\",\"schema\":$SCHEMA,\"location\":\"$WH/custom/w3\"}"
expect 200 "create with a location inside the warehouse"
expect_jq '."metadata-location" | startswith("'"$WH"'/custom/w3/metadata/00000-")' true \
    "explicit location used"

# ==== Staged create, finished by a commit with assert-create ====
req POST $P/namespaces/db/tables "{\"name\":\"s1\",\"schema\":$SCHEMA,\"stage-create\":true,\"properties\":{\"p\":\"1\"}}"
expect 200 "stage-create"
expect_jq '."metadata-location"' null "stage-create has no metadata location"
expect_jq '.metadata.location' "$WH/db/s1" "stage-create picks the location"
staged=$(jq -c .metadata <<<"$BODY")
[ ! -e "$WH/db/s1" ] || check_fail "stage-create wrote files"
req GET $P/namespaces/db/tables/s1
expect_error 404 NoSuchTableException "a staged table does not exist"
req POST $P/namespaces/db/tables "{\"name\":\"w1\",\"schema\":$SCHEMA,\"stage-create\":true}"
expect_error 409 AlreadyExistsException "stage-create of an existing table"
# What Java and PyIceberg send to finish it: the staged metadata as updates.
s_uuid=$(jq -r '."table-uuid"' <<<"$staged")
s_schema=$(jq -c '.schemas[0]' <<<"$staged")
s_spec=$(jq -c '."partition-specs"[0]' <<<"$staged")
s_order=$(jq -c '."sort-orders"[0]' <<<"$staged")
create_updates="[{\"action\":\"assign-uuid\",\"uuid\":\"$s_uuid\"},{\"action\":\"upgrade-format-version\",\"format-version\":2},{\"action\":\"add-schema\",\"schema\":$s_schema,\"last-column-id\":3},{\"action\":\"set-current-schema\",\"schema-id\":-1},{\"action\":\"add-spec\",\"spec\":$s_spec},{\"action\":\"set-default-spec\",\"spec-id\":-1},{\"action\":\"add-sort-order\",\"sort-order\":$s_order},{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1},{\"action\":\"set-location\",\"location\":\"$WH/db/s1\"},{\"action\":\"set-properties\",\"updates\":{\"p\":\"1\"}}]"
commit s1 '[{"type":"assert-create"},{"type":"assert-table-uuid","uuid":"'"$s_uuid"'"}]' "$create_updates"
expect_error 400 BadRequestException "assert-create with another requirement"
commit s1 '[{"type":"assert-create"}]' "$create_updates"
expect 200 "assert-create finishes the staged create"
expect_jq '."metadata-location" | startswith("'"$WH"'/db/s1/metadata/00000-")' true \
    "assert-create writes version 0"
expect_jq '.metadata."table-uuid"' "$s_uuid" "assert-create keeps the staged uuid"
expect_header '^ETag: "' "commit ETag"
req GET $P/namespaces/db/tables/s1
expect 200 "the staged table exists now"
expect_jq '.metadata.properties.p' 1 "staged properties"
commit s1 '[{"type":"assert-create"}]' "$create_updates"
expect_error 409 CommitFailedException "assert-create on an existing table"
req POST $P/namespaces/nope/tables/s1 "{\"requirements\":[{\"type\":\"assert-create\"}],\"updates\":$create_updates}"
expect_error 404 NoSuchNamespaceException "assert-create in a missing namespace"
commit s2 '[{"type":"assert-create"}]' '[{"action":"set-properties","updates":{"a":"b"}}]'
expect_error 400 BadRequestException "assert-create without a schema"
[ ! -e "$WH/db/s2" ] || [ "$(meta_files s2)" = 0 ] || check_fail "a refused create left a file"

# ==== Commit: every kind of update ====
m_before=$(meta_files w1)
req GET $P/namespaces/db/tables/w1
etag0=$(etag_of)
commit w1 "[{\"type\":\"assert-table-uuid\",\"uuid\":\"$W1_UUID\"},{\"type\":\"assert-current-schema-id\",\"current-schema-id\":0},{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":3}]" \
    '[{"action":"add-schema","schema":{"type":"struct","schema-id":1,"fields":[{"id":1,"name":"id","type":"long","required":true},{"id":2,"name":"ts","type":"timestamptz","required":false},{"id":3,"name":"data","type":"string","required":false},{"id":4,"name":"n","type":"int","required":false}]},"last-column-id":4},{"action":"set-current-schema","schema-id":-1}]'
expect 200 "add-schema + set-current-schema"
W1_M1=$(jq -r '."metadata-location"' <<<"$BODY")
[[ "$W1_M1" == "$WH/db/w1/metadata/00001-"*.metadata.json ]] ||
    check_fail "the second version is not 00001-*: $W1_M1"
[ "$(jq -S .metadata <<<"$BODY")" = "$(jq -S . "$W1_M1")" ] ||
    check_fail "commit: the answer's metadata is not the file's"
expect_jq '.metadata."current-schema-id"' 1 "schema 1 current"
expect_jq '.metadata."last-column-id"' 4 "last-column-id raised"
expect_jq '.metadata."metadata-log" | map(."metadata-file") | join(",")' "$W1_M0" "metadata-log"
expect_jq 'has("config")' false "a commit answer has no config"
etag1=$(etag_of)
[ -n "$etag1" ] && [ "$etag1" != "$etag0" ] || check_fail "the ETag did not change with the commit"
req GET $P/namespaces/db/tables/w1 '' -H "If-None-Match: $etag0"
expect 200 "the old ETag is stale after a commit"
req GET $P/namespaces/db/tables/w1 '' -H "If-None-Match: $etag1"
expect 304 "the commit's ETag is current"
[ "$(meta_files w1)" = $((m_before + 1)) ] || check_fail "a commit wrote other than one file"

commit w1 '[{"type":"assert-last-assigned-partition-id","last-assigned-partition-id":999},{"type":"assert-default-spec-id","default-spec-id":0}]' \
    '[{"action":"add-spec","spec":{"fields":[{"source-id":2,"transform":"month","name":"ts_month"}]}},{"action":"set-default-spec","spec-id":-1}]'
expect 200 "add-spec + set-default-spec"
expect_jq '.metadata."default-spec-id"' 1 "spec 1 default"
expect_jq '.metadata."last-partition-id"' 1000 "partition field id assigned"
commit w1 '[{"type":"assert-default-sort-order-id","default-sort-order-id":0}]' \
    '[{"action":"add-sort-order","sort-order":{"order-id":5,"fields":[{"source-id":4,"transform":"identity","direction":"asc","null-order":"nulls-first"}]}},{"action":"set-default-sort-order","sort-order-id":-1}]'
expect 200 "add-sort-order + set-default-sort-order"
expect_jq '.metadata."default-sort-order-id"' 1 "sort order id reassigned"
commit w1 '[]' '[{"action":"set-properties","updates":{"a":"1","b":"2"}},{"action":"remove-properties","removals":["b","never-set"]}]'
expect 200 "set-properties + remove-properties"
expect_jq '.metadata.properties | "\(.a)/\(.b)"' 1/null "properties after set and remove"

snap() { # snap ID PARENT SEQ
    local parent=""
    [ -n "$2" ] && parent="\"parent-snapshot-id\":$2,"
    echo "{\"action\":\"add-snapshot\",\"snapshot\":{\"snapshot-id\":$1,$parent\"sequence-number\":$3,\"timestamp-ms\":$((1700000000000 + $1)),\"manifest-list\":\"$WH/db/w1/metadata/snap-$1.avro\",\"summary\":{\"operation\":\"append\",\"added-records\":\"1\"},\"schema-id\":1}}"
}
main_to() { echo "{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\",\"snapshot-id\":$1}"; }
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}]' "[$(snap 101 '' 1),$(main_to 101)]"
expect 200 "first append"
expect_jq '.metadata."current-snapshot-id"' 101 "main at 101"
expect_jq '.metadata."last-sequence-number"' 1 "sequence number 1"
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}]' "[$(snap 102 101 2),$(main_to 102)]"
expect_error 409 CommitFailedException "append on a stale main (null)"
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":101}]' "[$(snap 102 101 2),$(main_to 102)]"
expect 200 "second append"
expect_jq '[.metadata."snapshot-log"[]."snapshot-id"] | join(",")' 101,102 "snapshot log"
expect_jq '.metadata.refs.main."snapshot-id"' 102 "main ref"
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":101}]' "[$(snap 103 101 3),$(main_to 103)]"
expect_error 409 CommitFailedException "append on a stale main (101)"
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":null}]' \
    '[{"action":"set-snapshot-ref","ref-name":"dev","type":"branch","snapshot-id":101,"max-ref-age-ms":86400000},{"action":"set-snapshot-ref","ref-name":"v1","type":"tag","snapshot-id":101}]'
expect 200 "branch and tag"
expect_jq '.metadata.refs | "\(.dev.type):\(.dev."snapshot-id"):\(.dev."max-ref-age-ms") \(.v1.type):\(.v1."snapshot-id")"' \
    "branch:101:86400000 tag:101" "refs after branch and tag"
expect_jq '.metadata."current-snapshot-id"' 102 "a branch does not move main"
commit w1 '[{"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":101}]' '[{"action":"remove-snapshot-ref","ref-name":"dev"}]'
expect 200 "remove-snapshot-ref"
expect_jq '.metadata.refs | keys | join(",")' main,v1 "dev is gone"
commit w1 '[]' '[{"action":"remove-snapshots","snapshot-ids":[101]}]'
expect 200 "remove-snapshots"
expect_jq '[.metadata.snapshots[]."snapshot-id"] | join(",")' 102 "snapshot 101 removed"
expect_jq '.metadata.refs | keys | join(",")' main "the tag on a removed snapshot goes too"
commit w1 '[]' '[{"action":"upgrade-format-version","format-version":3}]'
expect 200 "upgrade-format-version"
expect_jq '.metadata."format-version"' 3 "format version 3"
commit w1 '[]' '[{"action":"upgrade-format-version","format-version":2}]'
expect_error 400 BadRequestException "downgrade"

# Every requirement, failing: 409 and nothing written.
m_before=$(meta_files w1)
loc_before=$(current_location w1)
for r in '{"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"}' \
    '{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":7}' \
    '{"type":"assert-ref-snapshot-id","ref":"nope","snapshot-id":102}' \
    '{"type":"assert-last-assigned-field-id","last-assigned-field-id":3}' \
    '{"type":"assert-current-schema-id","current-schema-id":0}' \
    '{"type":"assert-last-assigned-partition-id","last-assigned-partition-id":999}' \
    '{"type":"assert-default-spec-id","default-spec-id":0}' \
    '{"type":"assert-default-sort-order-id","default-sort-order-id":0}' \
    '{"type":"assert-create"}'; do
    commit w1 "[$r]" '[{"action":"set-properties","updates":{"x":"y"}}]'
    expect_error 409 CommitFailedException "failing requirement $(jq -r .type <<<"$r")"
done
[ "$(meta_files w1)" = "$m_before" ] || check_fail "failed commits left metadata files"
[ "$(current_location w1)" = "$loc_before" ] || check_fail "a failed commit moved the table"

# Bad requests.
commit w1 '[]' '[{"action":"frobnicate"}]'
expect_error 400 BadRequestException "unknown update"
commit w1 '[{"type":"assert-nothing"}]' '[]'
expect_error 400 BadRequestException "unknown requirement"
commit w1 '[]' '[{"action":"set-current-schema","schema-id":99}]'
expect_error 400 BadRequestException "set-current-schema to a missing schema"
commit w1 '[]' '[{"action":"add-snapshot","snapshot":{"snapshot-id":102,"sequence-number":9,"timestamp-ms":1,"manifest-list":"x","summary":{"operation":"append"}}}]'
expect_error 400 BadRequestException "add-snapshot with an existing id"
commit w1 '[]' "[{\"action\":\"set-location\",\"location\":\"$TMP/elsewhere\"}]"
expect_error 400 BadRequestException "set-location outside the warehouse"
commit w1 '[]' "[{\"action\":\"set-properties\",\"updates\":{\"write.metadata.path\":\"$TMP/meta\"}}]"
expect_error 400 BadRequestException "write.metadata.path outside the warehouse"
[ ! -e "$TMP/meta" ] || check_fail "metadata written outside the warehouse"
req POST $P/namespaces/db/tables/w1 '{"identifier":{"namespace":["db"],"name":"w2"},"requirements":[],"updates":[]}'
expect_error 400 BadRequestException "identifier names another table"
req POST $P/namespaces/db/tables/w1 '{"updates":[]}'
expect_error 400 BadRequestException "commit without requirements"
req POST $P/namespaces/db/tables/w1 '{"requirements":[],"updates":{}}'
expect_error 400 BadRequestException "updates not an array"
commit nope '[]' '[{"action":"set-properties","updates":{"x":"y"}}]'
expect_error 404 NoSuchTableException "commit to a missing table"
[ "$(meta_files w1)" = "$m_before" ] || check_fail "bad requests left metadata files"

# A commit that changes nothing writes nothing and answers the current version.
commit w1 '[]' '[]'
expect 200 "empty commit"
expect_jq '."metadata-location"' "$loc_before" "empty commit answers the current file"
req POST $P/namespaces/db/tables/w1 '{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[{"action":"set-properties","updates":{"c":"3"}}]}'
expect 200 "commit with the identifier in the body (PyIceberg)"

# Gzip-compressed metadata when the table asks for it; loads still answer JSON.
commit w1 '[]' '[{"action":"set-properties","updates":{"write.metadata.compression-codec":"gzip"}}]'
expect 200 "ask for gzip"
commit w1 '[]' '[{"action":"set-properties","updates":{"z":"1"}}]'
expect 200 "commit with gzip"
gz=$(jq -r '."metadata-location"' <<<"$BODY")
[[ "$gz" == *.gz.metadata.json ]] || check_fail "gzip metadata file name: $gz"
[ "$(head -c 2 "$gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] || check_fail "$gz is not gzip"
req GET $P/namespaces/db/tables/w1
expect_jq '.metadata.properties.z' 1 "load a gzip-compressed current file"
commit w1 '[]' '[{"action":"remove-properties","removals":["write.metadata.compression-codec"]}]'
expect 200 "back to plain JSON"
[[ "$(jq -r '."metadata-location"' <<<"$BODY")" == *[0-9a-f].metadata.json ]] ||
    check_fail "plain metadata after gzip"

# ==== Transactions ====
w1_loc=$(current_location w1)
w2_loc=$(current_location w2)
req POST $P/transactions/commit '{"table-changes":[{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[{"action":"set-properties","updates":{"tx":"1"}}]},{"identifier":{"namespace":["db"],"name":"w2"},"requirements":[{"type":"assert-default-spec-id","default-spec-id":0}],"updates":[{"action":"set-properties","updates":{"tx":"1"}}]}]}'
expect 204 "transaction over two tables"
req GET $P/namespaces/db/tables/w1
expect_jq '.metadata.properties.tx' 1 "transaction changed w1"
[ "$(jq -r '."metadata-location"' <<<"$BODY")" != "$w1_loc" ] || check_fail "w1 did not move"
req GET $P/namespaces/db/tables/w2
expect_jq '.metadata.properties.tx' 1 "transaction changed w2"
w1_loc=$(current_location w1)
w2_loc=$(current_location w2)
n1=$(meta_files w1)
n2=$(meta_files w2)
req POST $P/transactions/commit '{"table-changes":[{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[{"action":"set-properties","updates":{"tx":"2"}}]},{"identifier":{"namespace":["db"],"name":"w2"},"requirements":[{"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"}],"updates":[{"action":"set-properties","updates":{"tx":"2"}}]}]}'
expect_error 409 CommitFailedException "transaction with one failing requirement"
req GET $P/namespaces/db/tables/w1
expect_jq '."metadata-location"' "$w1_loc" "a failed transaction did not move w1"
expect_jq '.metadata.properties.tx' 1 "a failed transaction left w1 alone"
[ "$(current_location w2)" = "$w2_loc" ] || check_fail "a failed transaction moved w2"
[ "$(meta_files w1)" = "$n1" ] && [ "$(meta_files w2)" = "$n2" ] ||
    check_fail "a failed transaction left metadata files"
req POST $P/transactions/commit '{"table-changes":[{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[{"action":"set-properties","updates":{"tx":"3"}}]},{"identifier":{"namespace":["db"],"name":"ghost"},"requirements":[],"updates":[]}]}'
expect_error 404 NoSuchTableException "transaction with a missing table"
expect_jq '.error.message | contains("ghost")' true "the missing table is named"
[ "$(current_location w1)" = "$w1_loc" ] || check_fail "a transaction with a missing table moved w1"
req POST $P/transactions/commit '{"table-changes":[{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[]},{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[]}]}'
expect_error 400 BadRequestException "the same table twice"
req POST $P/transactions/commit '{"table-changes":[{"requirements":[],"updates":[]}]}'
expect_error 400 BadRequestException "transaction without an identifier"
req POST $P/transactions/commit '{"table-changes":[]}'
expect_error 400 BadRequestException "empty transaction"
req POST $P/transactions/commit "{\"table-changes\":[{\"identifier\":{\"namespace\":[\"db\"],\"name\":\"tx_new\"},\"requirements\":[{\"type\":\"assert-create\"}],\"updates\":$(sed "s|$WH/db/s1|$WH/db/tx_new|; s|$s_uuid|4f3a7c1e-2b6d-4e8f-9a0b-1c2d3e4f5a6b|" <<<"$create_updates")},{\"identifier\":{\"namespace\":[\"db\"],\"name\":\"w2\"},\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":{\"tx\":\"4\"}}]}]}"
expect 204 "transaction creating one table and changing another"
req GET $P/namespaces/db/tables/tx_new
expect 200 "the table created in a transaction exists"
req GET $P/namespaces/db/tables/w2
expect_jq '.metadata.properties.tx' 4 "and the other table changed"

# ==== Register ====
w1_loc=$(current_location w1)
req POST $P/namespaces/db/register "{\"name\":\"w1copy\",\"metadata-location\":\"$w1_loc\"}"
expect 200 "register a file floe wrote"
expect_jq '.metadata."table-uuid"' "$W1_UUID" "registered metadata"
expect_header '^ETag: "' "register ETag"
printf '{"format-version":2,"location":"%s/db/fake"}' "$WH" >"$TMP/partial.json"
req POST $P/namespaces/db/register "{\"name\":\"bad\",\"metadata-location\":\"$TMP/partial.json\"}"
expect_error 400 BadRequestException "register a file that is not table metadata"
expect_jq '.error.message | contains("table-uuid")' true "the register error names the field"
jq '."current-snapshot-id" = 5' "$W1_M0" >"$TMP/dangling.json"
req POST $P/namespaces/db/register "{\"name\":\"bad\",\"metadata-location\":\"$TMP/dangling.json\"}"
expect_error 400 BadRequestException "register metadata whose current snapshot does not exist"
w2_loc=$(current_location w2)
req POST $P/namespaces/db/register "{\"name\":\"w1copy\",\"metadata-location\":\"$w2_loc\"}"
expect_error 409 AlreadyExistsException "register over a table without overwrite"
req POST $P/namespaces/db/register "{\"name\":\"w1copy\",\"metadata-location\":\"$w2_loc\",\"overwrite\":true}"
expect 200 "register with overwrite"
req GET $P/namespaces/db/tables/w1copy
expect_jq '."metadata-location"' "$w2_loc" "overwrite repointed the table"
commit w1copy '[]' '[{"action":"set-properties","updates":{"copy":"1"}}]'
expect 200 "commit to a registered table"

# ==== Change notifications: one log line per successful change ====
req POST $P/namespaces/db/tables "{\"name\":\"lt\",\"schema\":$SCHEMA}"
commit lt '[]' '[{"action":"set-properties","updates":{"n":"1"}}]'
commit lt '[]' '[{"action":"set-properties","updates":{"n":"2"}}]'
commit lt '[{"type":"assert-current-schema-id","current-schema-id":9}]' '[{"action":"set-properties","updates":{"n":"3"}}]'
commit lt '[]' '[]'
commit lt '[]' '[{"action":"frobnicate"}]'
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"lt"},"destination":{"namespace":["db"],"name":"lt2"}}'
req DELETE $P/namespaces/db/tables/lt2
expect 204 "drop lt2"
changes=$(grep -E 'msg="table changed".* table=db\.lt2? ' "$TMP/server.log" |
    sed -E 's/.*change=([a-z]+).*/\1/' | tr '\n' ',')
[ "$changes" = "create,commit,commit,rename,drop," ] ||
    check_fail "change notifications for db.lt: '$changes'"

# ==== Bodies that are not requests ====
req POST $P/namespaces/db/tables '{"name":"x",'
expect_error 400 BadRequestException "create with malformed JSON"
req POST $P/namespaces/db/tables/w1 '[1,2]'
expect_error 400 BadRequestException "commit with a body that is not an object"
req POST $P/namespaces/db/tables/w1 'not json'
expect_error 400 BadRequestException "commit with malformed JSON"
req POST $P/transactions/commit '{"table-changes":[{"identifier":{"namespace":["db"],"name":"w1"},"requirements":[],"updates":[{"action":"set-properties","updates":{"x":1}}]}]}'
expect_error 400 BadRequestException "transaction with a non-string property"
req GET $P/namespaces/db/tables/never
expect_error 404 NoSuchTableException "load an unknown table"
req HEAD $P/namespaces/db/tables/never
expect 404 "HEAD an unknown table"

# ==== Rename keeps the files and the history; drop with purge deletes every version ====
req POST $P/namespaces/db/tables "{\"name\":\"pg1\",\"schema\":$SCHEMA}"
expect 200 "create pg1"
for i in 1 2 3; do
    commit pg1 '[]' "[{\"action\":\"set-properties\",\"updates\":{\"n\":\"$i\"}}]"
done
expect 200 "commits to pg1"
pg1_loc=$(current_location pg1)
mkdir -p "$WH/db/pg1/data" && echo x >"$WH/db/pg1/data/f.parquet"
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"pg1"},"destination":{"namespace":["db"],"name":"pg2"}}'
expect 204 "rename pg1 to pg2"
req GET $P/namespaces/db/tables/pg2
expect_jq '."metadata-location"' "$pg1_loc" "the renamed table keeps its metadata"
expect_jq '.metadata.properties.n' 3 "the renamed table keeps its properties"
commit pg2 '[]' '[{"action":"set-properties","updates":{"n":"4"}}]'
expect 200 "commit after rename"
req GET $P/namespaces/db/tables/pg1
expect_error 404 NoSuchTableException "the old name is gone"
[ "$(meta_files pg1)" = 5 ] || check_fail "pg2 has $(meta_files pg1) metadata files, expected 5"
req DELETE "$P/namespaces/db/tables/pg2?purgeRequested=true"
expect 204 "drop pg2 with purge"
[ ! -e "$WH/db/pg1" ] || check_fail "purge left $(find "$WH/db/pg1" | head -5)"
req GET $P/namespaces/db/tables/pg2
expect_error 404 NoSuchTableException "a purged table is gone"

# ==== Views ====
VSCHEMA='{"type":"struct","schema-id":5,"fields":[{"id":1,"name":"id","type":"long","required":false},{"id":2,"name":"n","type":"string","required":false}]}'
vversion() { # vversion SCHEMA_ID SQL
    echo "{\"version-id\":7,\"timestamp-ms\":1700000000000,\"schema-id\":$1,\"summary\":{\"engine-name\":\"spark\"},\"representations\":[{\"type\":\"sql\",\"sql\":\"$2\",\"dialect\":\"spark\"}],\"default-namespace\":[\"db\"]}"
}
req POST $P/namespaces/db/views "{\"name\":\"v1\",\"schema\":$VSCHEMA,\"view-version\":$(vversion 5 'select id, data as n from w1'),\"properties\":{\"comment\":\"first\"}}"
expect 200 "create view v1"
V1_M0=$(jq -r '."metadata-location"' <<<"$BODY")
[[ "$V1_M0" == "$WH/db/v1/metadata/00000-"*.metadata.json ]] || check_fail "view metadata file $V1_M0"
[ "$(jq -S .metadata <<<"$BODY")" = "$(jq -S . "$V1_M0")" ] || check_fail "create view: answer is not the file"
expect_jq '.metadata."format-version"' 1 "view format version"
expect_jq '.metadata."current-version-id"' 1 "view version 1"
expect_jq '.metadata.versions[0]."schema-id"' 0 "view schema re-numbered to 0"
expect_jq '.metadata.schemas[0]."schema-id"' 0 "view schema id 0"
expect_jq '.metadata.location' "$WH/db/v1" "view default location"
expect_jq '.metadata.properties.comment' first "view properties"
expect_jq '.metadata."version-log" | length' 1 "view version log"
expect_header '^ETag: "' "create view ETag"
V1_UUID=$(jq -r '.metadata."view-uuid"' <<<"$BODY")
req GET $P/namespaces/db/views/v1
expect 200 "load view"
expect_jq '.metadata."view-uuid"' "$V1_UUID" "load view uuid"
req HEAD $P/namespaces/db/views/v1
expect 204 "view exists"
req GET $P/namespaces/db/views
expect_jq '[.identifiers[].name] | join(",")' v1 "list views"
req POST $P/namespaces/db/views "{\"name\":\"v1\",\"schema\":$VSCHEMA,\"view-version\":$(vversion 5 'select 1')}"
expect_error 409 AlreadyExistsException "create an existing view"
req POST $P/namespaces/db/views "{\"name\":\"w1\",\"schema\":$VSCHEMA,\"view-version\":$(vversion 5 'select 1')}"
expect_error 409 AlreadyExistsException "a view cannot take a table's name"
req POST $P/namespaces/nope/views "{\"name\":\"v9\",\"schema\":$VSCHEMA,\"view-version\":$(vversion 5 'select 1')}"
expect_error 404 NoSuchNamespaceException "create a view in a missing namespace"
req POST $P/namespaces/db/views "{\"name\":\"v9\",\"schema\":$VSCHEMA,\"view-version\":{\"version-id\":1,\"timestamp-ms\":1,\"schema-id\":0,\"summary\":{},\"representations\":[],\"default-namespace\":[]}}"
expect_error 400 BadRequestException "a view without representations"
req POST $P/namespaces/db/views "{\"name\":\"v9\",\"schema\":$VSCHEMA,\"view-version\":{\"version-id\":1,\"timestamp-ms\":1,\"schema-id\":0,\"summary\":{},\"representations\":[{\"type\":\"sql\",\"sql\":\"a\",\"dialect\":\"spark\"},{\"type\":\"sql\",\"sql\":\"b\",\"dialect\":\"Spark\"}],\"default-namespace\":[]}}"
expect_error 400 BadRequestException "two representations for one dialect"
req POST $P/namespaces/db/views "{\"name\":\"v9\",\"schema\":{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"a\",\"type\":\"nope\",\"required\":true}]},\"view-version\":$(vversion 0 'select 1')}"
expect_error 400 BadRequestException "a view with a bad schema"
req POST $P/namespaces/db/views "{\"name\":\"v9\",\"schema\":$VSCHEMA,\"view-version\":$(vversion 5 'select 1'),\"location\":\"$TMP/outside-view\"}"
expect_error 400 BadRequestException "a view outside the warehouse"
req GET $P/namespaces/db/views/v9
expect_error 404 NoSuchViewException "refused view creates registered nothing"

# Replace: a new schema and version (what Java's replace sends), then checks of the rules.
NEWSCHEMA='{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","type":"long","required":false}]}'
req POST $P/namespaces/db/views/v1 "{\"requirements\":[{\"type\":\"assert-view-uuid\",\"uuid\":\"$V1_UUID\"}],\"updates\":[{\"action\":\"add-schema\",\"schema\":$NEWSCHEMA,\"last-column-id\":1},{\"action\":\"add-view-version\",\"view-version\":$(vversion -1 'select id from w1')},{\"action\":\"set-current-view-version\",\"view-version-id\":-1},{\"action\":\"set-properties\",\"updates\":{\"comment\":\"second\"}}]}"
expect 200 "replace view"
V1_M1=$(jq -r '."metadata-location"' <<<"$BODY")
[[ "$V1_M1" == "$WH/db/v1/metadata/00001-"*.metadata.json ]] || check_fail "replaced view file $V1_M1"
expect_jq '.metadata."current-version-id"' 2 "replace: version 2 current"
expect_jq '.metadata.versions[] | select(."version-id" == 2) | ."schema-id"' 1 "replace: new schema id 1"
expect_jq '[.metadata."version-log"[]."version-id"] | join(",")' 1,2 "replace: version log"
expect_jq '.metadata.properties.comment' second "replace: properties"
expect_jq '.metadata."view-uuid"' "$V1_UUID" "replace keeps the uuid"
req POST $P/namespaces/db/views/v1 "{\"requirements\":[],\"updates\":[{\"action\":\"add-view-version\",\"view-version\":$(vversion 0 'select id, data as n from w1')},{\"action\":\"set-current-view-version\",\"view-version-id\":-1}]}"
expect 200 "replace back to the first definition"
expect_jq '.metadata."current-version-id"' 1 "an equal version reuses its id"
expect_jq '.metadata.versions | length' 2 "no duplicate version"
n_view_files=$(find "$WH/db/v1/metadata" -name '*.metadata.json' | wc -l)
req POST $P/namespaces/db/views/v1 '{"requirements":[{"type":"assert-view-uuid","uuid":"00000000-0000-0000-0000-000000000000"}],"updates":[{"action":"set-properties","updates":{"x":"y"}}]}'
expect_error 409 CommitFailedException "replace with a wrong view uuid"
req POST $P/namespaces/db/views/v1 '{"requirements":[],"updates":[{"action":"set-current-view-version","view-version-id":42}]}'
expect_error 400 BadRequestException "set-current-view-version to a missing version"
req POST $P/namespaces/db/views/v1 '{"requirements":[],"updates":[{"action":"set-current-view-version","view-version-id":-1}]}'
expect_error 400 BadRequestException "set-current-view-version -1 with nothing added"
req POST $P/namespaces/db/views/v1 '{"requirements":[],"updates":[{"action":"assign-uuid","uuid":"00000000-0000-0000-0000-000000000000"}]}'
expect_error 400 BadRequestException "a view's uuid cannot change"
req POST $P/namespaces/db/views/v1 '{"requirements":[],"updates":[{"action":"add-snapshot","snapshot":{}}]}'
expect_error 400 BadRequestException "a table update on a view"
req POST $P/namespaces/db/views/v1 "{\"requirements\":[],\"updates\":[{\"action\":\"set-location\",\"location\":\"$TMP/elsewhere\"}]}"
expect_error 400 BadRequestException "view set-location outside the warehouse"
req POST $P/namespaces/db/views/v1 '{"requirements":[]}'
expect_error 400 BadRequestException "replace without updates"
req POST $P/namespaces/db/views/nope '{"requirements":[],"updates":[]}'
expect_error 404 NoSuchViewException "replace a missing view"
[ "$(find "$WH/db/v1/metadata" -name '*.metadata.json' | wc -l)" = "$n_view_files" ] ||
    check_fail "failed view replaces left files"
# History: at most version.history.num-entries versions stay.
req POST $P/namespaces/db/views/v1 '{"requirements":[],"updates":[{"action":"set-properties","updates":{"version.history.num-entries":"2"}}]}'
expect 200 "limit the view history"
req POST $P/namespaces/db/views/v1 "{\"requirements\":[],\"updates\":[{\"action\":\"add-view-version\",\"view-version\":$(vversion 0 'select 3')},{\"action\":\"set-current-view-version\",\"view-version-id\":-1}]}"
expect 200 "a third version"
expect_jq '[.metadata.versions[]."version-id"] | sort | join(",")' 2,3 "the oldest version expired"
expect_jq '[.metadata."version-log"[]."version-id"] | join(",")' 2,3 "its log entries too"
# Rename and drop.
req POST $P/views/rename '{"source":{"namespace":["db"],"name":"v1"},"destination":{"namespace":["db"],"name":"v2"}}'
expect 204 "rename view"
req GET $P/namespaces/db/views/v2
expect_jq '.metadata."view-uuid"' "$V1_UUID" "renamed view"
req POST $P/views/rename '{"source":{"namespace":["db"],"name":"v2"},"destination":{"namespace":["db"],"name":"w1"}}'
expect_error 409 AlreadyExistsException "rename a view onto a table"
req DELETE $P/namespaces/db/views/v2
expect 204 "drop view"
req HEAD $P/namespaces/db/views/v2
expect 404 "a dropped view is gone"
views=$(grep -E 'msg="view changed".* view=db\.v[12] ' "$TMP/server.log" |
    sed -E 's/.*change=([a-z]+).*/\1/' | tr '\n' ',')
[ "$views" = "create,commit,commit,commit,commit,rename,drop," ] ||
    check_fail "change notifications for view db.v1: '$views'"
