#!/usr/bin/env bash
# Self-optimizing in `floe server` with a fake optimizer driven by curl: a table gets many small
# appends through the REST API, the evaluator marks it pending and plans a minor process, the
# fake worker registers, polls the task (its input names the metadata file and every small
# file), acks and fails it; the task is retried, a stale completion is refused, and after the
# retries the process fails and the table goes back to idle/pending without being stuck. A
# kill -9 while a task runs and a restart reload the runtime and the running process (the task
# is polled again); the process history and the runtime survive a restart. Also: the
# dashboard routes, unknown routes and optimizer errors.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

cat >"$TMP/config.yaml" <<YAML
optimizing:
  refresh-tables.interval: 1s
  ack-timeout: 30s
optimizer-groups:
  - name: etl
    scheduling-policy: balanced
    properties:
      max-input-file-size-per-thread: 64MiB
catalogs:
  - name: default
    properties:
      table.self-optimizing.execute.num-retries: "1"
      table.self-optimizing.min-plan-interval: "3600000"
YAML
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"

# ---- Dashboard routes on an empty server ----
req GET /api/v1/optimizer-groups
expect 200 "optimizer groups"
expect_jq '[.groups[].name] | sort | join(",")' "default,etl" "configured group plus default"
expect_jq '.groups[] | select(.name == "etl") | ."scheduling-policy"' balanced "policy from config"
expect_jq '.groups[] | select(.name == "etl") | ."max-input-file-size-per-thread"' 67108864 \
    "group property from config"
req GET /api/v1/optimizers
expect_jq '.optimizers | length' 0 "no optimizers yet"
req GET /api/v1/optimizing/tables
expect_jq '.tables | length' 0 "no tables yet"
req POST /api/v1/optimizing/tables '{}'
expect 405 "tables is read-only"
req GET /api/v1/optimizer/poll
expect 405 "the protocol is POST"
req POST /api/v1/optimizer/explode '{}'
expect_error 404 NotFoundException "unknown optimizer op"
req POST /api/v1/optimizer/poll '{"token":"nope","thread":0}'
expect 401 "poll with an unknown token"
req POST /api/v1/optimizer/register 'not json'
expect 400 "malformed register body"
req POST /api/v1/optimizer/register '{"group":"nope","threads":1}'
expect 404 "register into an unknown group"

# ---- Many small appends with self-optimizing off, then on ----
req POST /v1/namespaces '{"namespace":["db"]}'
expect 200 "create namespace"
create_table t '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 13); do
    append t 10 $((i * 10))
done
[ "$(row_count t)" = 140 ] || check_fail "140 rows after 14 appends, got $(row_count t)"
sleep 1.5 # a refresh passes: a disabled table stays idle
[ "$(table_field t .status)" = idle ] || check_fail "disabled table is $(table_field t .status)"
set_props t '{"self-optimizing.enabled":"true"}'
wait_status t minor 20
req GET /api/v1/optimizing/tables
expect_jq '.tables[0]."health-score" | type == "number" and . >= 0 and . <= 100' true "health score of the last evaluation"
expect_jq '.tables[0].pending."fragment-files"' 14 "pending input counts the fragments"
expect_jq '.tables[0]."time-in-status-ms" >= 0' true "time in status"
expect_jq '.tables[0]."last-minor-ms"' 0 "never optimized yet"
PID=$(table_field t '."process-id"')

# ---- A fake optimizer: register, poll, ack, fail ----
req POST /api/v1/optimizer/register '{"group":"default","threads":1,"resource-id":"curl"}'
expect 200 "register"
TOKEN_OPT=$(jq -r .token <<<"$BODY")
req GET /api/v1/optimizers
expect_jq '.optimizers[0]."resource-id"' curl "optimizer listed"
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
expect 200 "poll"
expect_jq '.task."process-id"' "$PID" "the task belongs to the planned process"
expect_jq '.task.input.type' minor "a minor task"
expect_jq '.task.input."data-files" | length' 14 "every small file is an input"
expect_jq '.task.input."metadata-location" | test("/metadata/.*\\.metadata\\.json$")' true \
    "the input names the metadata file"
expect_jq '.task.input.table' default.db.t "the input names the table"
PLAN_SNAP=$(jq -r '.task.input."snapshot-id"' <<<"$BODY")
TASK=$(jq -c '{"process-id": .task."process-id", "task-id": .task."task-id", attempt: .task.attempt}' <<<"$BODY")
with() { jq -c --arg tok "$TOKEN_OPT" ". + {token: \$tok, thread: 0} + $1" <<<"$TASK"; }
req POST /api/v1/optimizer/ack "$(with '{}')"
expect 200 "ack"

# Table maintenance keeps the snapshot a running process planned from, even once a newer commit
# has made it old: expiring everything older than now leaves it (and its files) in place.
append t 10 140
req POST "/api/v1/tables/default/db/t/maintenance/expire-snapshots?older-than=0s"
expect 200 "manual expiration while the process runs"
expect_jq '.counts."snapshots-expired" > 0' true "older snapshots were expired"
req GET /v1/namespaces/db/tables/t
expect_jq "[.metadata.snapshots[].\"snapshot-id\"] | index($PLAN_SNAP) != null" true \
    "the plan snapshot of the running process survives expiration"
[ "$(row_count t)" = 150 ] || check_fail "150 rows after the 15th append, got $(row_count t)"

# kill -9 while the task runs: the restart reloads the process and plans the task again.
stop_server KILL
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
[ "$(table_field t .status)" = minor ] || check_fail "after kill -9 the table is $(table_field t .status)"
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
expect 401 "the old optimizer token died with the server"
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
TOKEN_OPT=$(jq -r .token <<<"$BODY")
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
expect_jq '.task."process-id"' "$PID" "the recovered process is polled again"
TASK=$(jq -c '{"process-id": .task."process-id", "task-id": .task."task-id", attempt: .task.attempt}' <<<"$BODY")
req POST /api/v1/optimizer/ack "$(with '{}')"
expect 200 "ack after restart"
req POST /api/v1/optimizer/complete "$(with '{"error":"boom: disk on fire"}')"
expect 200 "complete with an error"
req GET "/api/v1/optimizing/tables/default/db/t/processes"
expect 200 "process history"
expect_jq '.processes[0].status' running "retrying: the process still runs"
expect_jq '.processes[0].tasks[0].status' planned "the failed task is planned again"
expect_jq '.processes[0].tasks[0].retries' 1 "one retry counted"
req POST /api/v1/optimizer/complete "$(with '{"error":"again"}')"
expect 409 "a stale completion (old attempt) is refused"

# Second attempt fails too: out of retries, the process fails.
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
TASK=$(jq -c '{"process-id": .task."process-id", "task-id": .task."task-id", attempt: .task.attempt}' <<<"$BODY")
req POST /api/v1/optimizer/ack "$(with '{}')"
req POST /api/v1/optimizer/complete "$(with '{"error":"boom again"}')"
expect 200 "second failure"
for _ in $(seq 1 50); do
    st=$(table_field t .status)
    [ "$st" = idle ] || [ "$st" = pending ] && break
    sleep 0.1
done
[ "$st" = idle ] || [ "$st" = pending ] || check_fail "after the failed process the table is $st"
req GET "/api/v1/optimizing/tables/default/db/t/processes"
expect_jq '.processes[0].status' failed "the process failed"
expect_jq '.processes[0]."fail-reason" | test("boom again")' true "the reason is kept"
[ "$(row_count t)" = 150 ] || check_fail "a failed process changes no rows"
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
expect_jq '.task' null "nothing left to run (min-plan-interval holds the next plan)"

# ---- The history and runtime survive a clean restart ----
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS"
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req GET "/api/v1/optimizing/tables/default/db/t/processes"
expect_jq '.processes[0]."process-id"' "$PID" "history reloaded from the store"
expect_jq '.processes[0].status' failed "still failed"
st=$(table_field t .status)
[ "$st" = idle ] || [ "$st" = pending ] || check_fail "after restart the table is $st"
req GET /api/v1/optimizing/tables/default/db/nope/processes
expect_jq '.processes | length' 0 "no history for an unknown table"
req GET /api/v1/optimizing/tables/nope/db/t/processes
expect 404 "unknown catalog"

# A dropped table disappears from the optimizing views.
req DELETE /v1/namespaces/db/tables/t
expect 204 "drop"
sleep 0.3
[ -z "$(table_field t .status)" ] || check_fail "dropped table still listed"

stop_server TERM

# ---- With auth on, the optimizer and dashboard routes need a bearer token ----
hash=$(printf 'opt-s3cret\n' | "$FLOE" server --hash-secret)
cat >"$TMP/auth.yaml" <<YAML
auth:
  enabled: true
  clients:
    - id: optimizer
      secret-hash: '$hash'
YAML
start_server "$TMP/data-auth" --config "$TMP/auth.yaml" "${NO_EMBEDDED[@]}"
for route in /api/v1/optimizing/tables /api/v1/optimizer-groups /api/v1/optimizers; do
    req GET "$route"
    expect_error 401 NotAuthorizedException "$route without a token"
done
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
expect_error 401 NotAuthorizedException "register without a token"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' \
    --data 'grant_type=client_credentials&client_id=optimizer&client_secret=opt-s3cret' \
    "$BASE/v1/oauth/tokens")
TOKEN=$(jq -r .access_token <"$TMP/body")
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
expect 200 "register with a token"
req GET /api/v1/optimizers
expect_jq '.optimizers | length' 1 "listed with a token"
unset TOKEN
stop_server TERM

grep -q 'component=optimizing.*default.db.t: idle -> pending' "$TMP/server.log" ||
    check_fail "no pending transition logged"
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
