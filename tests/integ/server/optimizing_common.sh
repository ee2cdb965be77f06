#!/usr/bin/env bash
# Helpers for the self-optimizing integration tests (sourced after ../lib.sh and common.sh):
# small appends through the REST API and waiting on the optimizing routes.

GEN_APPEND="${FLOE_BUILD_DIR:-$FLOE_SOURCE_DIR/build/dev}/tests/gen_append"
[ -x "$GEN_APPEND" ] || { echo "FAIL: no gen_append helper at $GEN_APPEND" >&2; exit 1; }

# Server options that keep tasks for the test's own optimizer: builds whose server embeds an
# optimizer get it turned off.
NO_EMBEDDED=()
if "$FLOE" server --help 2>&1 | grep -q -- --local-optimizer-threads; then
    NO_EMBEDDED=(--local-optimizer-threads 0)
fi

# fast_optimizing_config: $TMP/config.yaml with tables refreshed every second and planned as
# soon as they are pending (min-plan-interval 0).
fast_optimizing_config() {
    cat >"$TMP/config.yaml" <<YAML
optimizing:
  refresh-tables.interval: 1s
catalogs:
  - name: default
    properties:
      table.self-optimizing.min-plan-interval: "0"
YAML
}

# create_table NAME PROPS_JSON: table db.NAME (id long, data string), unpartitioned.
create_table() {
    req POST /v1/namespaces/db/tables "{\"name\":\"$1\",\"schema\":{\"type\":\"struct\",\"fields\":[{\"id\":1,\"name\":\"id\",\"type\":\"long\",\"required\":false},{\"id\":2,\"name\":\"data\",\"type\":\"string\",\"required\":false}]},\"properties\":$2}"
    expect 200 "create db.$1"
}

# append NAME ROWS FIRST_ID: one small append through the commit route, retried on 409.
append() {
    local tries
    for tries in 1 2 3 4 5 6 7 8; do
        req GET "/v1/namespaces/db/tables/$1"
        local loc
        loc=$(jq -r '."metadata-location"' <<<"$BODY")
        local body
        body=$("$GEN_APPEND" "$loc" "$2" "$3") || { check_fail "gen_append on $loc"; return 1; }
        req POST "/v1/namespaces/db/tables/$1" "$body"
        [ "$CODE" = 200 ] && return 0
        [ "$CODE" = 409 ] || { check_fail "append to db.$1"; return 1; }
    done
    check_fail "append to db.$1: still conflicting after $tries tries"
}

# set_props NAME JSON_OBJECT: set table properties through the commit route.
set_props() {
    req POST "/v1/namespaces/db/tables/$1" "{\"requirements\":[],\"updates\":[{\"action\":\"set-properties\",\"updates\":$2}]}"
    expect 200 "set properties of db.$1"
}

# table_field NAME JQ: a field of db.NAME's entry in GET /api/v1/optimizing/tables.
table_field() {
    req GET /api/v1/optimizing/tables
    jq -r --arg n "$1" ".tables[] | select(.namespace == [\"db\"] and .name == \$n) | $2" <<<"$BODY"
}

# wait_status NAME STATUS [SECONDS]: until db.NAME's optimizing status is STATUS.
wait_status() {
    local i got
    for i in $(seq 1 $((${3:-30} * 10))); do
        got=$(table_field "$1" .status)
        [ "$got" = "$2" ] && return 0
        sleep 0.1
    done
    check_fail "db.$1 did not reach optimizing status $2 (last: '$got')"
    return 1
}

# row_count NAME: sum of record counts of the live data files (the table has no deletes) as the
# current snapshot's summary says.
row_count() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r '.metadata as $m | $m.snapshots[] | select(."snapshot-id" == $m."current-snapshot-id") | .summary."total-records"' <<<"$BODY"
}

# check_rows NAME ROWS ID_SUM WHAT: read every live row of db.NAME (gen_append --check): ROWS
# rows, all ids distinct, ids summing to ID_SUM.
check_rows() {
    req GET "/v1/namespaces/db/tables/$1"
    local got
    got=$("$GEN_APPEND" --check "$(jq -r '."metadata-location"' <<<"$BODY")") ||
        { check_fail "$4: reading the rows failed"; return 1; }
    [ "$got" = "{\"rows\":$2,\"distinct-ids\":$2,\"id-sum\":$3}" ] ||
        check_fail "$4: rows read $got, expected $2 distinct ids summing to $3"
}
