#!/usr/bin/env bash
# The REST catalog suite against `floe server` with its default SQLite store.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"

cat >"$TMP/config.yaml" <<YAML
server:
  max-request-body: 64KiB
catalogs:
  - name: default
    properties:
      table.commit.retry.num-retries: "7"
YAML
start_server "$TMP/data" --config "$TMP/config.yaml"
WH="$TMP/data/warehouse/default"
source "$(dirname "$0")/server/rest_suite.sh"
source "$(dirname "$0")/server/write_suite.sh"
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS after SIGTERM"
[ -f "$TMP/data/floe.db" ] || check_fail "no SQLite file under the data dir"
grep -q 'msg=request method=GET path=/health status=200 duration_ms=' "$TMP/server.log" ||
    check_fail "no request log line"
[ "$FAILURES" -gt 0 ] && tail -n 40 "$TMP/server.log" >&2
finish
