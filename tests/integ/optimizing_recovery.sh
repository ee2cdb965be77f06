#!/usr/bin/env bash
# Recovery of a finished process after a restart (SQLite store): the server stops after every
# task of a process finished but before the commit (simulated by editing the stored state the
# way it is left at that moment: the task's output recorded, the process still "running").
# On start-up the server commits the process from the store: the small files are replaced, the
# rows are intact and the table goes back to idle. Stopping again with the state still saying
# "committing" (the swap happened, the success was not recorded) must not commit twice: the
# committer finds its snapshot by process id.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 command"; exit 0; }

fast_optimizing_config # $TMP/config.yaml
DB="$TMP/data/floe.db"
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req POST /v1/namespaces '{"namespace":["db"]}'
create_table w '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 11); do
    append w 4 $((i * 4))
done
set_props w '{"self-optimizing.enabled":"true"}'
wait_status w minor 20
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
TOKEN_OPT=$(jq -r .token <<<"$BODY")
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
PID=$(jq -r '.task."process-id"' <<<"$BODY")
META=$(jq -r '.task.input."metadata-location"' <<<"$BODY")
OUTPUT=$("$GEN_APPEND" --output "$META" 48 0) || check_fail "write the task output"
SNAPS_BEFORE=$(req GET /v1/namespaces/db/tables/w && jq '.metadata.snapshots | length' <<<"$BODY")
stop_server TERM

# The state a crash after the last task finished leaves behind: the task's success recorded,
# the process and runtime as given (PROCESS_STATUS RUNTIME_STATUS: "running minor" when the
# stop came before the server saw the process settle, "committing committing" when it came
# before the commit was recorded). Edited with SQLite's JSON functions: they keep 64-bit ids
# exact (jq would round them).
committing_state() {
    printf '%s' "$OUTPUT" >"$TMP/output.json"
    sqlite3 "$DB" "UPDATE optimizing_processes SET status = '$1',
                       process = json_set(process, '\$.status', '$1',
                                          '\$.tasks[0].status', 'success',
                                          '\$.tasks[0].output',
                                          json(CAST(readfile('$TMP/output.json') AS TEXT)))
                   WHERE process_id = $PID;
                   UPDATE optimizing_tables SET runtime = json_set(runtime, '\$.status', '$2')
                   WHERE name = 'w';" || check_fail "edit the stored state"
}
committing_state running minor
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
for _ in $(seq 1 100); do
    req GET /api/v1/optimizing/tables/default/db/w/processes
    [ "$(jq -r '.processes[0].status' <<<"$BODY")" = success ] && break
    sleep 0.1
done
expect_jq '.processes[0].status' success "the recovered process is committed"
req GET /v1/namespaces/db/tables/w
expect_jq '.metadata.snapshots | length' $((SNAPS_BEFORE + 1)) "one rewrite snapshot"
check_rows w 48 1128 "rows after the recovered commit (ids 0..47)"
wait_status w idle 10
grep -q "default.db.w: committed process $PID" "$TMP/server.log" || check_fail "no commit logged"
stop_server TERM

# Again "committing", though the rewrite is already in the table: found, not committed twice.
committing_state committing committing
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
for _ in $(seq 1 100); do
    grep -q "committed process $PID.*(found committed)" "$TMP/server.log" && break
    sleep 0.1
done
grep -q "committed process $PID.*(found committed)" "$TMP/server.log" ||
    check_fail "the retried commit did not find its snapshot"
req GET /v1/namespaces/db/tables/w
expect_jq '.metadata.snapshots | length' $((SNAPS_BEFORE + 1)) "still one rewrite snapshot"
check_rows w 48 1128 "rows unchanged by the retried commit"
wait_status w idle 10
stop_server TERM
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
