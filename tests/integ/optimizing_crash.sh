#!/usr/bin/env bash
# kill -9 of `floe server` while its local optimizer executes a process (status minor). After
# the restart on the same data directory the table converges again (back to idle with fewer
# files than the minor trigger, nothing stuck, a successful process) and every appended row is
# read back exactly once (gen_append --check: count, distinct ids, id sum). optimizing.sh covers
# the same restart with a fake optimizer; the kills mid-plan and mid-commit (windows too short to
# hit by polling) are made deterministic by the server's test hook in optimizing_faults.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

fast_optimizing_config # $TMP/config.yaml
start_server "$TMP/data" --config "$TMP/config.yaml" --local-optimizer-threads 1
req POST /v1/namespaces '{"namespace":["db"]}'
create_table t '{"self-optimizing.enabled":"false"}'
ROWS=0
SUM=0
# add_rows N: N appends of 10 rows with the next ids.
add_rows() {
    local i
    for i in $(seq 1 "$1"); do
        append t 10 "$ROWS"
        SUM=$((SUM + ROWS * 10 + 45))
        ROWS=$((ROWS + 10))
    done
}

# kill_at STATUS [SECONDS]: poll the table's status and kill -9 the server as soon as it is
# STATUS; returns 1 when the table was not seen in it within SECONDS (20).
kill_at() {
    local deadline=$((SECONDS + ${2:-20}))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ "$(table_field t .status)" = "$1" ]; then
            stop_server KILL
            return 0
        fi
        sleep 0.01
    done
    return 1
}

# converge WHAT: after a restart the table is idle with fewer data files than the minor trigger
# (12 fragments: nothing left to optimize) and has every row exactly once.
converge() {
    start_server "$TMP/data" --config "$TMP/config.yaml" --local-optimizer-threads 1
    local i st files
    for i in $(seq 1 300); do
        st=$(table_field t .status)
        files=$(req GET /v1/namespaces/db/tables/t &&
            jq -r '.metadata as $m | $m.snapshots[] | select(."snapshot-id" == $m."current-snapshot-id") | .summary."total-data-files"' <<<"$BODY")
        [ "$st" = idle ] && [ "$files" -lt 12 ] && break
        sleep 0.1
    done
    [ "$st" = idle ] || check_fail "$1: the table is stuck in '$st' after the restart"
    [ "$files" -lt 12 ] || check_fail "$1: $files data files after the restart"
    check_rows t "$ROWS" "$SUM" "$1: every row once"
}

# ---- mid-execution ----
add_rows 16
set_props t '{"self-optimizing.enabled":"true"}'
kill_at minor || check_fail "the table never reached status minor"
converge "killed while executing"

req GET /api/v1/optimizing/tables/default/db/t/processes
expect_jq '[.processes[] | select(.status == "success")] | length >= 1' true \
    "a successful process after the restart"
expect_jq '[.processes[] | select(.status == "running" or .status == "committing")] | length' 0 \
    "no process left running"
stop_server TERM
if [ "$FAILURES" -gt 0 ]; then
    tail -n 60 "$TMP/server.log" >&2
fi
finish
