#!/usr/bin/env bash
# The REST catalog suite against `floe server` on a throwaway PostgreSQL cluster, then a
# kill -9 and a restart on the same database: every row survives.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"

PG_TMP="$(dirname "$0")/../support/pg_tmp.sh"
pg=$("$PG_TMP" start) || {
    echo "FAIL: could not start PostgreSQL" >&2
    exit 1
}
PG_DIR=$(head -n 1 <<<"$pg")
PG_URL=$(tail -n 1 <<<"$pg")
trap '"$PG_TMP" stop "$PG_DIR"; rm -rf "$TMP"' EXIT

cat >"$TMP/config.yaml" <<YAML
server:
  max-request-body: 64KiB
catalogs:
  - name: default
    properties:
      table.commit.retry.num-retries: "7"
database:
  url: "$PG_URL"
  pool-size: 4
YAML
start_server "$TMP/data" --config "$TMP/config.yaml"
WH="$TMP/data/warehouse/default"
source "$(dirname "$0")/server/rest_suite.sh"
source "$(dirname "$0")/server/write_suite.sh"
[ ! -e "$TMP/data/floe.db" ] || check_fail "a SQLite file was created although PostgreSQL is configured"

stop_server KILL
start_server "$TMP/data" --config "$TMP/config.yaml"
req GET /v1/namespaces/db
expect 200 "db survives kill -9"
expect_jq '.properties.tier' gold "properties survive kill -9"
req GET /v1/namespaces/db%1Feu/tables/t2b
expect 200 "renamed table survives kill -9"
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS after SIGTERM"
[ "$FAILURES" -gt 0 ] && tail -n 40 "$TMP/server.log" >&2
finish
