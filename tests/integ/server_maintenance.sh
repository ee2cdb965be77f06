#!/usr/bin/env bash
# Table maintenance in `floe server` (SQLite store) on a 1 s schedule: see
# server/maintenance_suite.sh. Then SIGTERM stops the maintenance thread cleanly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
APPEND="${FLOE_BUILD_DIR:?}/tests/mnt_append"

cat >"$TMP/config.yaml" <<YAML
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
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS after SIGTERM"
grep -q 'scheduler on' "$TMP/server.log" || check_fail "no scheduler start line"
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
