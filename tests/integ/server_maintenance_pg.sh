#!/usr/bin/env bash
# Table maintenance in `floe server` on a throwaway PostgreSQL cluster (run records in
# PostgreSQL): the same suite as server_maintenance.sh, then a restart on the same database
# finds the recorded runs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
APPEND="${FLOE_BUILD_DIR:?}/tests/mnt_append"

PG_TMP="$(dirname "$0")/../support/pg_tmp.sh"
pg=$("$PG_TMP" start) || {
    echo "FAIL: could not start PostgreSQL" >&2
    exit 1
}
PG_DIR=$(head -n 1 <<<"$pg")
PG_URL=$(tail -n 1 <<<"$pg")
trap '"$PG_TMP" stop "$PG_DIR"; rm -rf "$TMP"' EXIT

cat >"$TMP/config.yaml" <<YAML
database:
  url: "$PG_URL"
  pool-size: 4
# The suite counts snapshots exactly: no self-optimizing rewrites under it.
optimizing:
  enabled: false
maintenance:
  first-run: 1s
  poll-interval: 1s
  expire-snapshots-interval: 1s
  clean-orphan-files-interval: 1s
  clean-dangling-delete-files-interval: 1s
  expire-data-interval: 1s
  auto-create-tag-interval: 1s
YAML
start_server "$TMP/data" --config "$TMP/config.yaml"
source "$(dirname "$0")/server/maintenance_suite.sh"
req GET "/api/v1/maintenance/runs?table=db.t1&limit=1000"
before=$(jq '.runs | length' <<<"$BODY")
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS after SIGTERM"

# The runs are in PostgreSQL: a restart (scheduler off) lists the same ones.
cat >>"$TMP/config.yaml" <<YAML
  enabled: false
YAML
start_server "$TMP/data" --config "$TMP/config.yaml"
req GET "/api/v1/maintenance/runs?table=db.t1&limit=1000"
expect 200 "runs after a restart"
expect_jq ".runs | length >= $before and $before > 0" true "every run survives the restart"
grep -q 'scheduler off' "$TMP/server.log" || check_fail "maintenance.enabled=false not honoured"
stop_server TERM
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
