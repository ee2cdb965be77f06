#!/usr/bin/env bash
# The optimizing commit against a concurrent writer, through `floe server`: a table gets small
# appends, a minor process is planned, a fake optimizer (curl plus gen_append --output) rewrites
# the task's rows into one file, and a writer appends more rows between the plan and the
# commit. The server's committer re-validates on the new metadata and commits: the writer's rows
# are intact, the small files are replaced, the row count is exact. A second process whose
# input a writer removes (overwrite of the whole table) before the commit fails cleanly: the
# table keeps the writer's state and goes back to idle/pending, not stuck. Switching
# self-optimizing off cancels a running process, and so does POST .../cancel.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

fast_optimizing_config # $TMP/config.yaml
start_server "$TMP/data" --config "$TMP/config.yaml" "${NO_EMBEDDED[@]}"
req POST /v1/namespaces '{"namespace":["db"]}'

summary() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r ".metadata as \$m | \$m.snapshots[] | select(.\"snapshot-id\" == \$m.\"current-snapshot-id\") | .summary.\"$2\"" <<<"$BODY"
}

# run_task NAME: poll the table's task and write its rows as one file; sets TASK and OUTPUT.
run_task() {
    req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
    expect 200 "poll"
    TASK=$(jq -c '{"process-id": .task."process-id", "task-id": .task."task-id", attempt: .task.attempt, token: "'"$TOKEN_OPT"'", thread: 0}' <<<"$BODY")
    local meta rows
    meta=$(jq -r '.task.input."metadata-location"' <<<"$BODY")
    rows=$(jq '[.task.input."data-files"[].records] | add' <<<"$BODY")
    # The fixture's rows are ids 0.. in append order; the rewrite writes the same ids.
    OUTPUT=$("$GEN_APPEND" --output "$meta" "$rows" 0) || check_fail "write the task output"
    req POST /api/v1/optimizer/ack "$TASK"
    expect 200 "ack"
}

create_table t '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 11); do
    append t 5 $((i * 5))
done
req POST /api/v1/optimizer/register '{"group":"default","threads":1}'
TOKEN_OPT=$(jq -r .token <<<"$BODY")
set_props t '{"self-optimizing.enabled":"true"}'
wait_status t minor 20
run_task t
[ "$(jq -r '.files | length' <<<"$OUTPUT")" = 1 ] || check_fail "one output file"

# A writer commits between the plan and the optimizing commit.
append t 7 1000
[ "$(summary t total-records)" = 67 ] || check_fail "67 rows before the rewrite"
check_rows t 67 8791 "rows before the rewrite"
req POST /api/v1/optimizer/complete "$(jq -c ". + {output: $OUTPUT}" <<<"$TASK")"
expect 200 "complete with the rewritten file"
for _ in $(seq 1 100); do
    [ "$(summary t operation)" = replace ] && break
    sleep 0.1
done
[ "$(summary t operation)" = replace ] || check_fail "no rewrite committed"
[ "$(summary t total-records)" = 67 ] || check_fail "row count after the rewrite: $(summary t total-records)"
[ "$(summary t total-data-files)" = 2 ] ||
    check_fail "the rewrite plus the writer's file: $(summary t total-data-files) files"
[ -n "$(summary t floe.optimizing.process-id)" ] || check_fail "rewrite names its process"
check_rows t 67 8791 "rows after the rewrite (ids 0..59 rewritten, the writer's 1000..1006)"
req GET /api/v1/optimizing/tables/default/db/t/processes
expect_jq '.processes[0].status' success "the process succeeded"
wait_status t idle 10 || wait_status t pending 1
req GET /api/v1/optimizing/tables
expect_jq '.tables[0]."last-minor-ms" > 0' true "last minor time recorded"

# ---- A writer removes an input between plan and commit: the process fails cleanly ----
create_table u '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 11); do
    append u 3 $((i * 3))
done
set_props u '{"self-optimizing.enabled":"true"}'
wait_status u minor 20
run_task u
# The writer empties the table (main points at no snapshot: every input file is gone).
req POST /v1/namespaces/db/tables/u '{"requirements":[],"updates":[{"action":"remove-snapshot-ref","ref-name":"main"}]}'
expect 200 "writer truncates main"
req POST /api/v1/optimizer/complete "$(jq -c ". + {output: $OUTPUT}" <<<"$TASK")"
expect 200 "complete"
for _ in $(seq 1 100); do
    st=$(table_field u .status)
    [ "$st" = idle ] || [ "$st" = pending ] && break
    sleep 0.1
done
[ "$st" = idle ] || [ "$st" = pending ] || check_fail "after the conflict the table is $st"
req GET /api/v1/optimizing/tables/default/db/u/processes
expect_jq '.processes[0].status' failed "the conflicting process failed"
req GET /v1/namespaces/db/tables/u
expect_jq '.metadata."current-snapshot-id" // -1' -1 "the writer's state stands (no snapshot)"

# ---- Switching self-optimizing off cancels the running process ----
create_table v '{"self-optimizing.enabled":"false"}'
for i in $(seq 0 11); do
    append v 2 $((i * 2))
done
set_props v '{"self-optimizing.enabled":"true"}'
wait_status v minor 20
set_props v '{"self-optimizing.enabled":"false"}'
wait_status v idle 10
req GET /api/v1/optimizing/tables/default/db/v/processes
expect_jq '.processes[0].status' canceled "the process is canceled"
expect_jq '.processes[0].tasks[0].status' canceled "its task too"
req POST /api/v1/optimizer/poll "{\"token\":\"$TOKEN_OPT\",\"thread\":0}"
expect_jq '.task' null "nothing to poll after the cancel"
check_rows v 24 276 "rows untouched by the canceled process"

# ---- Cancel on request (POST .../cancel); the next plan waits min-plan-interval ----
create_table w '{"self-optimizing.enabled":"false","self-optimizing.min-plan-interval":"3600000"}'
for i in $(seq 0 11); do
    append w 2 $((i * 2))
done
set_props w '{"self-optimizing.enabled":"true"}'
wait_status w minor 20
req GET /api/v1/optimizing/tables/default/db/w/cancel
expect 405 "cancel is POST"
req POST /api/v1/optimizing/tables/default/db/w/cancel
expect 200 "cancel the running process"
CPID=$(jq -r '."process-id"' <<<"$BODY")
expect_jq '.status' canceled "the answer says canceled"
for _ in $(seq 1 40); do
    req GET /api/v1/optimizing/tables/default/db/w/processes
    [ "$(jq -r ".processes[] | select(.\"process-id\" == $CPID) | .status" <<<"$BODY")" = canceled ] && break
    sleep 0.25
done
expect_jq ".processes[] | select(.\"process-id\" == $CPID) | .status" canceled "the process is canceled"
st=$(table_field w .status)
[ "$st" = idle ] || [ "$st" = pending ] || check_fail "after the cancel the table is $st"
req POST /api/v1/optimizing/tables/default/db/w/cancel
expect 404 "nothing left to cancel"
req POST /api/v1/optimizing/tables/default/db/nope/cancel
expect 404 "cancel on an unknown table"
check_rows w 24 276 "rows untouched by the canceled process"

stop_server TERM
[ "$FAILURES" -gt 0 ] && tail -n 60 "$TMP/server.log" >&2
finish
