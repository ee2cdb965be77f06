#!/usr/bin/env bash
# Concurrent commits to one table, judged by what a client was told (commit_storm.mjs drives
# them, storm_check.mjs judges the table afterwards):
#   1. 16 clients on one server (SQLite): every commit lands exactly once, the losers of each
#      race get 409 and retry, no metadata file is left behind by a lost race.
#   2. kill -9 of the server in the middle of a commit stream, restart on the same data dir:
#      the table loads, its file is complete, every commit answered 200 is in it.
#   3. Two server processes on one PostgreSQL database and one warehouse, 16 clients split
#      between them: the compare-and-swap in the database serialises them; same checks as 1.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENTS=16
COMMITS=4
SCHEMA='{"type":"struct","fields":[{"id":1,"name":"id","type":"long","required":true}]}'

# setup_table: namespace db, table t on the server at $BASE.
setup_table() {
    req POST /v1/namespaces '{"namespace":["db"]}'
    expect 200 "create namespace"
    req POST /v1/namespaces/db/tables "{\"name\":\"t\",\"schema\":$SCHEMA}"
    expect 200 "create table"
}

# check_table NAME [--exact]: load db.t from $BASE and judge it against $TMP/storm.json.
check_table() {
    local what=$1
    shift
    req GET /v1/namespaces/db/tables/t
    expect 200 "$what: load after the storm"
    printf '%s' "$BODY" >"$TMP/load.json"
    local loc
    loc=$(jq -r '."metadata-location"' "$TMP/load.json")
    jq -e '."table-uuid"' "$loc" >/dev/null || check_fail "$what: current file $loc is not complete"
    local verdict
    if ! verdict=$(node "$HERE/server/storm_check.mjs" "$TMP/load.json" "$TMP/storm.json" \
        "$CLIENTS" "$COMMITS" "$@"); then
        check_fail "$what: $verdict"
    fi
    echo "$what: $verdict"
}

# ==== 1. One server, SQLite ====
start_server "$TMP/data1"
setup_table
node "$HERE/server/commit_storm.mjs" "$BASE" /v1/namespaces/db/tables/t "$CLIENTS" "$COMMITS" \
    >"$TMP/storm.json" || check_fail "commit_storm failed"
check_table "sqlite, 16 clients" --exact
files=$(find "$TMP/data1/warehouse/default/db/t/metadata" -name '*.metadata.json' | wc -l)
[ "$files" = $((CLIENTS * COMMITS + 1)) ] ||
    check_fail "sqlite: $files metadata files for $((CLIENTS * COMMITS)) commits + create"
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS"

# ==== 2. kill -9 during a commit stream, restart ====
log_start=$(wc -l <"$TMP/server.log")
start_server "$TMP/data2"
setup_table
node "$HERE/server/commit_storm.mjs" "$BASE" /v1/namespaces/db/tables/t "$CLIENTS" 8 \
    --tolerate-down >"$TMP/storm.json" &
STORM=$!
# Kill once commits are flowing (the count is a point in the stream, not a timing claim).
for _ in $(seq 1 400); do
    [ "$(tail -n +"$((log_start + 1))" "$TMP/server.log" | grep -c 'change=commit')" -ge 16 ] &&
        break
    sleep 0.05
done
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
start_server "$TMP/data2" --listen "127.0.0.1:$PORT"
wait "$STORM" || check_fail "commit_storm failed after the restart"
COMMITS=8 check_table "kill -9 and restart"
jq -r '"kill -9: \(.retried_down) requests met a dead server, \(.landed | length) commits landed unanswered"' \
    "$TMP/storm.json"
req POST /v1/namespaces/db/tables/t '{"requirements":[],"updates":[{"action":"set-properties","updates":{"after":"restart"}}]}'
expect 200 "commit after the restart"
stop_server TERM

# ==== 3. Two servers on one PostgreSQL database ====
PG_TMP="$HERE/../support/pg_tmp.sh"
pg=$("$PG_TMP" start) || {
    echo "FAIL: could not start PostgreSQL" >&2
    exit 1
}
PG_DIR=$(head -n 1 <<<"$pg")
PG_URL=$(tail -n 1 <<<"$pg")
trap '"$PG_TMP" stop "$PG_DIR"; rm -rf "$TMP"' EXIT
cat >"$TMP/pg.yaml" <<YAML
catalogs:
  - name: default
    warehouse: $TMP/shared-warehouse
database:
  url: "$PG_URL"
  pool-size: 8
YAML
start_server "$TMP/pg-a" --config "$TMP/pg.yaml"
PID_A=$SERVER_PID
BASE_A=$BASE
start_server "$TMP/pg-b" --config "$TMP/pg.yaml"
PID_B=$SERVER_PID
BASE_B=$BASE
BASE=$BASE_A setup_table
node "$HERE/server/commit_storm.mjs" "$BASE_A,$BASE_B" /v1/namespaces/db/tables/t "$CLIENTS" \
    "$COMMITS" >"$TMP/storm.json" || check_fail "commit_storm failed (two servers)"
BASE=$BASE_B check_table "postgresql, two servers" --exact
files=$(find "$TMP/shared-warehouse/db/t/metadata" -name '*.metadata.json' | wc -l)
[ "$files" = $((CLIENTS * COMMITS + 1)) ] ||
    check_fail "two servers: $files metadata files for $((CLIENTS * COMMITS)) commits + create"
kill -TERM "$PID_A" "$PID_B"
wait "$PID_A" "$PID_B"

[ "$FAILURES" -gt 0 ] && tail -n 40 "$TMP/server.log" >&2
finish
