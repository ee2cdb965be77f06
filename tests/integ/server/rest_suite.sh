#!/usr/bin/env bash
# The REST catalog suite, run against a started server (sourced by server_sqlite.sh and
# server_pg.sh). Needs: BASE, WH (the default catalog's warehouse directory), and the server
# started with max-request-body 64KiB. Drives every served route, and every error path.

# ==== Health, config, routing ====
req GET /health
expect 200 "health"
expect_jq .status ok "health status"

req GET /v1/config
expect 200 "config"
expect_jq '.overrides.prefix' catalogs/default "config prefix"
expect_jq '.overrides."namespace-separator"' %1F "config namespace separator"
expect_jq '.endpoints | index("GET /v1/{prefix}/namespaces") != null' true "advertises list"
expect_jq '.endpoints | index("HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}") != null' \
    true "advertises table exists"
expect_jq '.endpoints | index("POST /v1/{prefix}/namespaces/{namespace}/views") != null' true \
    "advertises create view"
req GET '/v1/config?warehouse=default'
expect 200 "config for a named warehouse"
req GET '/v1/config?warehouse=nope'
expect_error 404 NoSuchWarehouseException "config for an unknown warehouse"
req GET /v1/catalogs/nope/namespaces
expect_error 404 NoSuchWarehouseException "unknown catalog prefix"
req DELETE /v1/config
expect_error 405 BadRequestException "DELETE config"
expect_header '^Allow: GET' "DELETE config Allow"
req PUT /v1/namespaces
expect 405 "PUT namespaces"
expect_header '^Allow: GET, POST' "PUT namespaces Allow"
req GET /v1/nothing/here
expect_error 404 NotFoundException "unknown route"
req GET /nothing
expect 404 "unknown top-level route"

# ==== Namespaces ====
P=/v1/catalogs/default
req POST $P/namespaces '{"namespace":["db"],"properties":{"owner":"ana","comment":"sales"}}'
expect 200 "create db"
expect_jq '.namespace[0]' db "create db echo"
expect_jq '.properties.owner' ana "create db properties"
req POST $P/namespaces '{"namespace":["db"]}'
expect_error 409 AlreadyExistsException "create db twice"
req POST $P/namespaces '{"namespace":["db"'
expect_error 400 BadRequestException "malformed JSON"
req POST $P/namespaces '[1,2]'
expect_error 400 BadRequestException "body not an object"
req POST $P/namespaces ''
expect_error 400 BadRequestException "empty body"
req POST $P/namespaces '{"namespace":"db"}'
expect_error 400 BadRequestException "namespace not an array"
req POST $P/namespaces '{"namespace":[]}'
expect_error 400 BadRequestException "empty namespace"
req POST $P/namespaces '{"namespace":["x"],"properties":{"a":1}}'
expect_error 400 BadRequestException "non-string property"
req POST $P/namespaces '{"namespace":["bad\u0001name"]}'
expect_error 400 IllegalArgumentException "control character in a name"
req POST $P/namespaces '{"namespace":["a\u0000b"]}'
expect_error 400 BadRequestException "NUL in a name (jansson refuses it)"
long=$(printf 'x%.0s' $(seq 1 300))
req POST $P/namespaces "{\"namespace\":[\"$long\"]}"
expect_error 400 IllegalArgumentException "very long name"
req POST $P/namespaces '{"namespace":["db","eu"]}'
expect 200 "create db.eu"
req POST $P/namespaces '{"namespace":["nope","child"]}'
expect_error 404 NoSuchNamespaceException "create under a missing parent"

req GET $P/namespaces/db%1Feu
expect 200 "load db.eu with %1F"
expect_jq '.namespace | join(".")' db.eu "load db.eu levels"
req GET $P/namespaces/db%1feu
expect 200 "load db.eu with %1f"
req GET $P/namespaces/db%ZZ
expect_error 400 IllegalArgumentException "bad percent-escape"
req GET $P/namespaces/db%2
expect_error 400 IllegalArgumentException "truncated percent-escape"
req GET $P/namespaces/db%00x
expect_error 400 IllegalArgumentException "escaped NUL"
req GET $P/namespaces/db%01x
expect_error 400 IllegalArgumentException "escaped control character"
req GET "$P/namespaces/$long"
expect_error 400 IllegalArgumentException "very long path name"
req GET $P/namespaces/nope
expect_error 404 NoSuchNamespaceException "load a missing namespace"
req HEAD $P/namespaces/db
expect 204 "HEAD db"
req HEAD $P/namespaces/nope
expect 404 "HEAD missing"

# Hostile names are names: they are stored and found, never used as paths.
req POST $P/namespaces '{"namespace":[".."]}'
expect 200 "create a namespace named .."
req GET $P/namespaces/..
expect 200 "load .. (path as is)"
expect_jq '.namespace[0]' .. "load .. echo"
req POST $P/namespaces '{"namespace":["a/b"]}'
expect 200 "create a namespace with a slash"
req GET $P/namespaces/a%2Fb
expect 200 "load a%2Fb"
req GET $P/namespaces/a/b
expect 404 "a/b unescaped is another path"
req DELETE $P/namespaces/a%2Fb
expect 204 "drop a%2Fb"
req DELETE $P/namespaces/..
expect 204 "drop .."

# Listing: one level, with parent, with pages.
req GET $P/namespaces
expect 200 "list top level"
expect_jq '[.namespaces[] | join(".")] | join(",")' db "list top level names"
expect_jq 'has("next-page-token")' false "no token without paging"
req GET "$P/namespaces?parent=db"
expect 200 "list under db"
expect_jq '[.namespaces[] | join(".")] | join(",")' db.eu "list under db names"
req GET "$P/namespaces?parent=nope"
expect_error 404 NoSuchNamespaceException "list under a missing parent"
req POST $P/namespaces '{"namespace":["pg"]}'
for i in 1 2 3 4 5; do
    req POST $P/namespaces "{\"namespace\":[\"pg\",\"n$i\"]}"
done
seen=""
tok=""
for page in 1 2 3 4; do
    req GET "$P/namespaces?parent=pg&pageSize=2&pageToken=$tok"
    expect 200 "page $page"
    seen="$seen$(jq -r '[.namespaces[][1]] | join("")' <<<"$BODY")"
    tok=$(jq -r '."next-page-token" // empty' <<<"$BODY")
    [ -z "$tok" ] && break
done
[ "$seen" = n1n2n3n4n5 ] || check_fail "paging saw '$seen'"
[ "$page" = 3 ] || check_fail "paging took $page pages"
req GET "$P/namespaces?parent=pg&pageSize=0"
expect_error 400 BadRequestException "pageSize 0"
req GET "$P/namespaces?parent=pg&pageSize=two"
expect_error 400 BadRequestException "pageSize not a number"
req GET "$P/namespaces?pageToken=!!!"
expect_error 400 BadRequestException "bad pageToken"
req GET "$P/namespaces?pageToken="
expect 200 "empty pageToken starts paging"
expect_jq '."next-page-token"' null "one page only"

# Properties.
req POST $P/namespaces/db/properties '{"updates":{"owner":"bo","tier":"gold"},"removals":["comment","nope"]}'
expect 200 "update properties"
expect_jq '.updated | join(",")' owner,tier "updated"
expect_jq '.removed | join(",")' comment "removed"
expect_jq '.missing | join(",")' nope "missing"
req GET $P/namespaces/db
expect_jq '.properties | to_entries | map("\(.key)=\(.value)") | join(",")' owner=bo,tier=gold \
    "properties after update"
req POST $P/namespaces/db/properties '{"updates":{"a":"1"},"removals":["a"]}'
expect_error 422 UnprocessableEntityException "a key in updates and removals"
req POST $P/namespaces/nope/properties '{"updates":{"a":"1"}}'
expect_error 404 NoSuchNamespaceException "properties of a missing namespace"
req POST $P/namespaces/db/properties '{"removals":"a"}'
expect_error 400 BadRequestException "removals not an array"

# Drop: only empty namespaces.
req DELETE $P/namespaces/db
expect_error 409 NamespaceNotEmptyException "drop a namespace with children"
req DELETE $P/namespaces/nope
expect_error 404 NoSuchNamespaceException "drop a missing namespace"

# ==== Tables ====
write_metadata "$WH/db/t1/metadata/00000-a.metadata.json" "$WH/db/t1"
mkdir -p "$WH/db/t1/data"
echo parquet-bytes >"$WH/db/t1/data/part-0.parquet"
M1="$WH/db/t1/metadata/00000-a.metadata.json"
req POST $P/namespaces/db/register "{\"name\":\"t1\",\"metadata-location\":\"$M1\"}"
expect 200 "register t1"
expect_jq '."metadata-location"' "$M1" "register t1 location"
expect_jq '.metadata.location' "$WH/db/t1" "register t1 embeds the metadata"
expect_header '^ETag: "' "register ETag"
req POST $P/namespaces/db/register "{\"name\":\"t1\",\"metadata-location\":\"$M1\"}"
expect_error 409 AlreadyExistsException "register t1 twice"
req POST $P/namespaces/nope/register "{\"name\":\"t1\",\"metadata-location\":\"$M1\"}"
expect_error 404 NoSuchNamespaceException "register into a missing namespace"
req POST $P/namespaces/db/register "{\"name\":\"t9\",\"metadata-location\":\"$WH/none.json\"}"
expect_error 400 BadRequestException "register a missing file"
echo 'not json' >"$TMP/bad.json"
req POST $P/namespaces/db/register "{\"name\":\"t9\",\"metadata-location\":\"$TMP/bad.json\"}"
expect_error 400 BadRequestException "register a file that is not JSON"
echo '{"format-version":2}' >"$TMP/noloc.json"
req POST $P/namespaces/db/register "{\"name\":\"t9\",\"metadata-location\":\"$TMP/noloc.json\"}"
expect_error 400 BadRequestException "register metadata without a location"
req POST $P/namespaces/db/register '{"name":"t9"}'
expect_error 400 BadRequestException "register without a metadata-location"
req POST $P/namespaces/db/register "{\"name\":\"t9\",\"metadata-location\":\"relative.json\"}"
expect_error 400 BadRequestException "register a relative location"

req GET $P/namespaces/db/tables/t1
expect 200 "load t1"
expect_jq '.metadata."table-uuid" | length' 36 "load t1 metadata"
expect_jq '."metadata-location"' "$M1" "load t1 location"
etag=$(grep -i '^ETag:' <<<"$HDRS" | cut -d' ' -f2-)
[ -n "$etag" ] || check_fail "load t1 has no ETag"
req GET $P/namespaces/db/tables/t1 '' -H "If-None-Match: $etag"
expect 304 "If-None-Match with the current ETag"
[ -z "$BODY" ] || check_fail "304 with a body"
req GET $P/namespaces/db/tables/t1 '' -H 'If-None-Match: "other", '"$etag"
expect 304 "If-None-Match with a list"
req GET $P/namespaces/db/tables/t1 '' -H 'If-None-Match: "stale"'
expect 200 "If-None-Match with a stale ETag"
req GET '/v1/catalogs/default/namespaces/db/tables/t1?snapshots=refs' '' -H "If-None-Match: $etag"
expect 200 "snapshots=refs has its own ETag"
req GET '/v1/catalogs/default/namespaces/db/tables/t1?snapshots=some'
expect_error 400 BadRequestException "snapshots=some"
req HEAD $P/namespaces/db/tables/t1
expect 204 "HEAD t1"
req HEAD $P/namespaces/db/tables/nope
expect 404 "HEAD a missing table"
req GET $P/namespaces/db/tables/nope
expect_error 404 NoSuchTableException "load a missing table"
req GET $P/namespaces/nope/tables/t1
expect_error 404 NoSuchTableException "load from a missing namespace"

# Overwrite repoints the table; the ETag changes with it.
write_metadata "$WH/db/t1/metadata/00001-b.metadata.json" "$WH/db/t1"
M2="$WH/db/t1/metadata/00001-b.metadata.json"
req POST $P/namespaces/db/register "{\"name\":\"t1\",\"metadata-location\":\"$M2\",\"overwrite\":true}"
expect 200 "register overwrite"
req GET $P/namespaces/db/tables/t1 '' -H "If-None-Match: $etag"
expect 200 "a new metadata file changes the ETag"
expect_jq '."metadata-location"' "$M2" "overwritten location"

# A third-party table registered where it lies (outside the warehouse).
cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_v1_day_partition" "$TMP/ext"
ext_meta=$(ls "$TMP"/ext/metadata/*.metadata.json | sort | tail -n 1)
req POST $P/namespaces/db/register "{\"name\":\"ext\",\"metadata-location\":\"$ext_meta\"}"
expect 200 "register a fixture table"
expect_jq '.metadata."format-version"' 1 "fixture metadata embedded as is"

for i in 2 3 4; do
    write_metadata "$WH/db/t$i/metadata/00000-x.metadata.json" "$WH/db/t$i"
    req POST $P/namespaces/db/register \
        "{\"name\":\"t$i\",\"metadata-location\":\"$WH/db/t$i/metadata/00000-x.metadata.json\"}"
done
req GET $P/namespaces/db/tables
expect 200 "list tables"
expect_jq '[.identifiers[].name] | join(",")' ext,t1,t2,t3,t4 "list tables names"
expect_jq '.identifiers[0].namespace[0]' db "list tables namespace"
req GET "$P/namespaces/db/tables?pageSize=3"
expect_jq '[.identifiers[].name] | join(",")' ext,t1,t2 "tables page 1"
tok=$(jq -r '."next-page-token"' <<<"$BODY")
req GET "$P/namespaces/db/tables?pageSize=3&pageToken=$tok"
expect_jq '[.identifiers[].name] | join(",")' t3,t4 "tables page 2"
expect_jq '."next-page-token"' null "tables last page"
req GET $P/namespaces/nope/tables
expect_error 404 NoSuchNamespaceException "list tables of a missing namespace"

# Metrics.
req POST $P/namespaces/db/tables/t1/metrics '{"report-type":"scan-report","snapshot-id":1,"table-name":"db.t1"}'
expect 204 "metrics report"
req POST $P/namespaces/db/tables/nope/metrics '{"report-type":"scan-report"}'
expect_error 404 NoSuchTableException "metrics for a missing table"
req POST $P/namespaces/db/tables/t1/metrics '{"snapshot-id":1}'
expect_error 400 BadRequestException "metrics without report-type"

# Rename.
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"t2"},"destination":{"namespace":["db","eu"],"name":"t2b"}}'
expect 204 "rename across namespaces"
req GET $P/namespaces/db%1Feu/tables/t2b
expect 200 "load renamed table"
req GET $P/namespaces/db/tables/t2
expect_error 404 NoSuchTableException "old name is gone"
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"ghost"},"destination":{"namespace":["db"],"name":"x"}}'
expect_error 404 NoSuchTableException "rename a missing table"
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"t3"},"destination":{"namespace":["nope"],"name":"x"}}'
expect_error 404 NoSuchNamespaceException "rename into a missing namespace"
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"t3"},"destination":{"namespace":["db"],"name":"t4"}}'
expect_error 409 AlreadyExistsException "rename onto an existing table"
req POST $P/tables/rename '{"source":{"namespace":["db"],"name":"t3"}}'
expect_error 400 BadRequestException "rename without destination"

# Drop and purge.
req DELETE '/v1/catalogs/default/namespaces/db/tables/t1?purgeRequested=maybe'
expect_error 400 BadRequestException "purgeRequested=maybe"
req DELETE '/v1/catalogs/default/namespaces/db/tables/t1?purgeRequested=true'
expect 204 "drop t1 with purge"
[ ! -e "$WH/db/t1/data/part-0.parquet" ] || check_fail "purge left the data file"
[ ! -e "$M1" ] && [ ! -e "$M2" ] || check_fail "purge left metadata files"
[ ! -e "$WH/db/t1" ] || check_fail "purge left the table directory"
req GET $P/namespaces/db/tables/t1
expect_error 404 NoSuchTableException "dropped table is gone"
req DELETE '/v1/catalogs/default/namespaces/db/tables/t1?purgeRequested=true'
expect_error 404 NoSuchTableException "drop twice"
req DELETE '/v1/catalogs/default/namespaces/db/tables/ext?purgeRequested=true'
expect 204 "drop the fixture table with purge"
[ -e "$ext_meta" ] || check_fail "purge deleted files outside the warehouse"
req DELETE $P/namespaces/db/tables/t3
expect 204 "drop t3 without purge"
[ -e "$WH/db/t3/metadata/00000-x.metadata.json" ] || check_fail "drop without purge deleted files"

# ==== Views ====
req GET $P/namespaces/db/views
expect 200 "list views"
expect_jq '.identifiers | length' 0 "no views"
req GET $P/namespaces/db/views/v
expect_error 404 NoSuchViewException "load a missing view"
req HEAD $P/namespaces/db/views/v
expect 404 "HEAD a missing view"
req DELETE $P/namespaces/db/views/v
expect_error 404 NoSuchViewException "drop a missing view"
req POST $P/views/rename '{"source":{"namespace":["db"],"name":"v"},"destination":{"namespace":["db"],"name":"w"}}'
expect_error 404 NoSuchViewException "rename a missing view"
req POST $P/namespaces/db/views '{"name":"v"}'
expect_error 400 BadRequestException "create view without schema and version"
req GET $P/namespaces/db/tables/t4
expect 200 "a table is not a view"
req GET $P/namespaces/db/views/t4
expect_error 404 NoSuchViewException "a table is not a view"

# ==== Body limit ====
big=$(head -c 100000 /dev/zero | tr '\0' a)
req POST $P/namespaces "{\"namespace\":[\"big\"],\"properties\":{\"x\":\"$big\"}}"
expect_error 413 BadRequestException "body over the limit"
req GET $P/namespaces/big
expect 404 "an oversized create did nothing"
req GET /health
expect 200 "the server still answers after a 413"

# The unprefixed routes serve the default catalog.
req GET /v1/namespaces/db
expect 200 "unprefixed route"
