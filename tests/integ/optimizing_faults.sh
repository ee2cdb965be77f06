#!/usr/bin/env bash
# kill -9 of `floe server` at exact moments of self-optimizing, made deterministic by the
# server's test-only hook FLOE_TEST_PAUSE=<point>:<ms> (docs/internals/server.md): the
# optimizing thread logs "test pause: <point> <table> process <id>" and sleeps, the test waits
# for that line and kills the server inside the window. One table per point:
#   plan               runtime stored as planning, the process not stored yet
#   plan-stored        the process stored, the runtime not yet pointing at it
#   commit-before-swap the rewrite's manifests written, the catalog not swapped
#   commit-after-swap  the rewrite swapped in, the success not recorded
# After each kill the server restarts on the same data directory without the hook and must
# converge: the table back to idle with fewer data files than the minor trigger, every row read
# back exactly once with its content (floe table scan, sorted, against the appended rows), no
# process left planned/running/committing, and the killed commit in the table at most once
# (exactly once after the swap: found by its process id, not committed again).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
source "$(dirname "$0")/server/optimizing_common.sh"

fast_optimizing_config # $TMP/config.yaml
# A malformed hook value is refused at start-up rather than ignored.
FLOE_TEST_PAUSE=commit:100 timeout 20 "$FLOE" server --data-dir "$TMP/bad" --listen 127.0.0.1:0 \
    --config "$TMP/config.yaml" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
OUT=$(cat "$TMP/out")
ERR=$(cat "$TMP/err")
[ "$STATUS" -ne 0 ] && [ "$STATUS" -ne 124 ] || fail "FLOE_TEST_PAUSE=commit:100 was accepted"
expect_err "FLOE_TEST_PAUSE commit:100: expected plan" "FLOE_TEST_PAUSE=commit:100 refused"

APPENDS=16 # of 10 rows each: more than the 12 fragment files that trigger a minor rewrite
ROWS=$((APPENDS * 10))

# expected_rows: the rows every table holds, as `floe table scan` prints them, sorted.
for id in $(seq 0 $((ROWS - 1))); do
    printf '{"id":%d,"data":"row-%d"}\n' "$id" "$id"
done | sort >"$TMP/expected"

# snapshot_field TABLE JQ: a field of the table's current snapshot.
snapshot_field() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r ".metadata as \$m | \$m.snapshots[] | select(.\"snapshot-id\" == \$m.\"current-snapshot-id\") | $2" <<<"$BODY"
}

# crash_at POINT TABLE: start with the hook at POINT, fill TABLE with small files, enable
# self-optimizing, wait for the pause and kill -9 there. Sets PAUSED_PID (the process the pause
# was in). Returns 1 when the pause was not reached within 30 s.
crash_at() {
    local point=$1 t=$2 i line
    : >"$TMP/server.log"
    FLOE_TEST_PAUSE="$point:60000" start_server "$TMP/data" --config "$TMP/config.yaml" \
        --local-optimizer-threads 1
    grep -q "FLOE_TEST_PAUSE=$point:60000" "$TMP/server.log" ||
        check_fail "$point: the server did not log that the test hook is on"
    req POST /v1/namespaces '{"namespace":["db"]}' # 409 after the first table
    create_table "$t" '{"self-optimizing.enabled":"false"}'
    for i in $(seq 0 $((APPENDS - 1))); do
        append "$t" 10 $((i * 10))
    done
    set_props "$t" '{"self-optimizing.enabled":"true"}'
    PAUSED_PID=
    for i in $(seq 1 300); do
        line=$(grep -m1 "test pause: $point default.db.$t process " "$TMP/server.log")
        [ -n "$line" ] && break
        sleep 0.1
    done
    if [ -z "$line" ]; then
        check_fail "$point: the pause was not reached"
        stop_server KILL
        return 1
    fi
    PAUSED_PID=$(sed -E 's/.*process ([0-9]+) .*/\1/' <<<"$line")
    local want=committing
    [ "${point#plan}" != "$point" ] && want=planning
    [ "$(table_field "$t" .status)" = "$want" ] ||
        check_fail "$point: the table is not $want during the pause"
    stop_server KILL
    [ "$SERVER_STATUS" = 137 ] || check_fail "$point: the server was not killed (exit $SERVER_STATUS)"
    cp "$TMP/server.log" "$TMP/server-$point.log"
    : >"$TMP/server.log"
    return 0
}

# converge POINT TABLE: restart without the hook; the table must get back to idle with fewer
# data files than the minor trigger and hold exactly the appended rows.
converge() {
    local point=$1 t=$2 i st files
    start_server "$TMP/data" --config "$TMP/config.yaml" --local-optimizer-threads 1
    grep -q "test pause" "$TMP/server.log" && check_fail "$point: a pause without the hook"
    for i in $(seq 1 300); do
        st=$(table_field "$t" .status)
        files=$(snapshot_field "$t" '.summary."total-data-files"')
        [ "$st" = idle ] && [ "$files" -lt 12 ] && break
        sleep 0.1
    done
    [ "$st" = idle ] || check_fail "$point: db.$t is stuck in '$st' after the restart"
    [ "$files" -lt 12 ] || check_fail "$point: db.$t still has $files data files"
    [ "$(snapshot_field "$t" '.summary."total-records"')" = "$ROWS" ] ||
        check_fail "$point: the snapshot summary does not count $ROWS rows"
    check_rows "$t" "$ROWS" $((ROWS * (ROWS - 1) / 2)) "$point: every row once"
    req GET "/v1/namespaces/db/tables/$t"
    if "$FLOE" table scan "$(jq -r '."metadata-location"' <<<"$BODY")" >"$TMP/scan" 2>"$TMP/scan.err"; then
        sort "$TMP/scan" | cmp -s - "$TMP/expected" ||
            check_fail "$point: scanned rows differ from the appended ones ($(wc -l <"$TMP/scan") lines)"
    else
        check_fail "$point: floe table scan failed: $(head -c 300 "$TMP/scan.err")"
    fi
    req GET "/api/v1/optimizing/tables/default/db/$t/processes"
    expect_jq '[.processes[] | select(.status == "success")] | length >= 1' true \
        "$point: a successful process"
    expect_jq '[.processes[] | select(.status != "success" and .status != "failed" and .status != "canceled")] | map(.status) | join(",")' "" \
        "$point: no process left unsettled"
}

# rewrites_of TABLE PID: the table's snapshots that commit process PID.
rewrites_of() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r --arg p "$2" '[.metadata.snapshots[] | select(.summary."floe.optimizing.process-id" == $p)] | length' <<<"$BODY"
}

# FLOE_FAULTS_POINTS selects points (all by default), e.g. when checking a recovery change.
for point in ${FLOE_FAULTS_POINTS:-plan plan-stored commit-before-swap commit-after-swap}; do
    t=${point//-/_}
    crash_at "$point" "$t" || continue
    converge "$point" "$t"
    case $point in
    plan | plan-stored)
        # The killed plan is redone under a new process id; the old one never commits.
        [ "$(rewrites_of "$t" "$PAUSED_PID")" = 0 ] ||
            check_fail "$point: the killed plan's process $PAUSED_PID was committed"
        ;;
    commit-before-swap)
        # The committing process is committed by the restarted server, once.
        [ "$(rewrites_of "$t" "$PAUSED_PID")" = 1 ] ||
            check_fail "$point: process $PAUSED_PID is not committed exactly once"
        grep -q "committed process $PAUSED_PID as snapshot" "$TMP/server.log" ||
            check_fail "$point: the restarted server did not commit process $PAUSED_PID"
        ;;
    commit-after-swap)
        # Already in the table: found by its process id, not committed again.
        [ "$(rewrites_of "$t" "$PAUSED_PID")" = 1 ] ||
            check_fail "$point: process $PAUSED_PID is not committed exactly once"
        grep -q "committed process $PAUSED_PID .*(found committed)" "$TMP/server.log" ||
            check_fail "$point: the restarted server did not find process $PAUSED_PID committed"
        ;;
    esac
    stop_server TERM
    [ "$FAILURES" -gt 0 ] && { tail -n 40 "$TMP/server-$point.log" "$TMP/server.log" >&2; break; }
done
finish
