#!/usr/bin/env bash
# Self-optimizing on a PostgreSQL store: small appends, a plan, a fake optimizer rewrites the
# task's rows, a writer appends before the commit, the server commits (rows read back), then a
# kill -9 and a restart on the same database: the runtime (last minor time) and the process
# history come back from PostgreSQL.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

PG_TMP="$(dirname "$0")/../support/pg_tmp.sh"
pg=$("$PG_TMP" start) || {
    echo "FAIL: could not start PostgreSQL" >&2
    exit 1
}
PG_DIR=$(head -n 1 <<<"$pg")
PG_URL=$(tail -n 1 <<<"$pg")
trap '"$PG_TMP" stop "$PG_DIR"; rm -rf "$TMP"' EXIT

cat >"$TMP/config.yaml" <<YAML
optimizing:
  refresh-tables.interval: 1s
database:
  url: "$PG_URL"
  pool-size: 4
catalogs:
  - name: default
    properties:
      table.self-optimizing.min-plan-interval: "0"
YAML
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req POST /v1/namespaces '{"namespace":["db"]}'
create_table t '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 11); do
    append t 5 $((i * 5))
done
set_props t '{"self-optimizing.enabled":"true"}'
wait_status t minor 20
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
TOKEN_OPT=$(jq -r .token <<<"$BODY")
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
TASK=$(jq -c '{"process-id": .task."process-id", "task-id": .task."task-id", attempt: .task.attempt, token: "'"$TOKEN_OPT"'", thread: 0}' <<<"$BODY")
PID=$(jq -r '.task."process-id"' <<<"$BODY")
OUTPUT=$("$GEN_APPEND" --output "$(jq -r '.task.input."metadata-location"' <<<"$BODY")" 60 0)
req POST /api/v1/optimizer/ack "$TASK"
append t 7 1000
req POST /api/v1/optimizer/complete "$(jq -c ". + {output: $OUTPUT}" <<<"$TASK")"
expect 200 "complete"
for _ in $(seq 1 100); do
    req GET /api/v1/optimizing/tables/default/db/t/processes
    [ "$(jq -r '.processes[0].status' <<<"$BODY")" = success ] && break
    sleep 0.1
done
expect_jq '.processes[0].status' success "the process committed"
check_rows t 67 8791 "rows after the rewrite"
wait_status t idle 10 || wait_status t pending 1

stop_server KILL
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req GET /api/v1/optimizing/tables/default/db/t/processes
expect_jq '.processes[0]."process-id"' "$PID" "history from PostgreSQL after kill -9"
expect_jq '.processes[0].status' success "still a success"
req GET /api/v1/optimizing/tables
expect_jq '.tables[0]."last-minor-ms" > 0' true "the runtime came back with its last minor time"
check_rows t 67 8791 "rows after the restart"
stop_server TERM
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
