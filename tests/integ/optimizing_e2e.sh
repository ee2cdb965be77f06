#!/usr/bin/env bash
# Self-optimizing end to end with the real worker: `floe server` plans a table that got many
# small appends through the REST API, `floe optimizer` (a separate process) polls the task,
# rewrites the files and completes it, the server commits one rewrite snapshot. The table ends
# with fewer data files, the same rows (count and ids), and a successful process; a writer
# appending during the run keeps its rows. The server's embedded optimizer (when the build has
# one) is turned off so the task goes over HTTP. Skipped when this build has no
# `floe optimizer`. Finished processes leave the history after its keep time.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

if ! "$FLOE" optimizer --help >/dev/null 2>&1; then
    echo "SKIP: this floe has no 'optimizer' command yet (floe optimizer --help failed)"
    exit 0
fi

cat >"$TMP/config.yaml" <<YAML
optimizing:
  refresh-tables.interval: 1s
  process.history-data-keep-time: 3s
catalogs:
  - name: default
    properties:
      table.self-optimizing.min-plan-interval: "0"
YAML
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req POST /v1/namespaces '{"namespace":["db"]}'
create_table t '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 19); do
    append t 25 $((i * 25))
done

summary() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r ".metadata as \$m | \$m.snapshots[] | select(.\"snapshot-id\" == \$m.\"current-snapshot-id\") | .summary.\"$2\"" <<<"$BODY"
}
[ "$(summary t total-data-files)" = 20 ] || check_fail "20 small files before"

"$FLOE" optimizer --server "$BASE" --group default --threads 2 >>"$TMP/optimizer.log" 2>&1 &
OPT_PID=$!
set_props t '{"self-optimizing.enabled":"true"}'
append t 5 10000 # a writer keeps appending while the table is optimized
for _ in $(seq 1 300); do
    [ "$(summary t operation)" = replace ] && break
    sleep 0.2
done
[ "$(summary t operation)" = replace ] || check_fail "no rewrite committed in 60s"
[ "$(summary t total-records)" = 505 ] || check_fail "rows after the rewrite: $(summary t total-records)"
check_rows t 505 174760 "every row read back once (ids 0..499 and the writer's 10000..10004)"
files=$(summary t total-data-files)
[ "$files" -le 2 ] || check_fail "still $files data files after the rewrite"
req GET /api/v1/optimizing/tables/default/db/t/processes
expect_jq '[.processes[] | select(.status == "success")] | length >= 1' true "a successful process"
# Finished processes are forgotten after process.history-data-keep-time (3 s here).
for _ in $(seq 1 50); do
    req GET /api/v1/optimizing/tables/default/db/t/processes
    [ "$(jq '.processes | length' <<<"$BODY")" = 0 ] && break
    sleep 0.2
done
expect_jq '.processes | length' 0 "process history pruned after the keep time"
grep -q "pruned [0-9]* finished process" "$TMP/server.log" || check_fail "no prune logged"
req GET /api/v1/optimizers
expect_jq '.optimizers | length' 1 "the optimizer is registered"
kill -TERM "$OPT_PID" 2>/dev/null
wait "$OPT_PID"
stop_server TERM
if [ "$FAILURES" -gt 0 ]; then
    tail -n 40 "$TMP/server.log" >&2
    tail -n 40 "$TMP/optimizer.log" >&2
fi
finish
