#!/usr/bin/env bash
# Self-optimizing end to end, with the optimizer embedded in `floe server`: a table of 14 small
# files and an equality delete (gen_small_table) is registered; the server evaluates and plans
# it, the embedded optimizer executes the task over HTTP, the server commits the rewrite. The
# table then has one data file with every row but the deleted one. Also `floe optimizer`'s
# usage errors, and a standalone `floe optimizer` registering with the same server.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"
GEN=${FLOE_BUILD_DIR:-$FLOE_SOURCE_DIR/build/dev}/tests/gen_small_table
FAILURES=0

# ==== Usage ====
run optimizer
expect_status 2 "no --server"
expect_err 'server URL is required' "missing --server message"
run optimizer --server http://127.0.0.1:1 --threads 0
expect_status 2 "zero threads"
run optimizer --server http://127.0.0.1:1 --location-map nothing
expect_status 2 "bad location map"
run optimizer --server http://127.0.0.1:1 --poll-wait-ms 30001
expect_status 2 "poll wait above 30 s"
expect_err 'poll-wait-ms must be 0..30000' "poll wait message"
run optimizer --bogus
expect_status 2 "unknown option"
run optimizer --help
expect_status 0 "--help"
expect_out 'Usage: floe optimizer --server URL' "help text"
run server --local-optimizer-threads -1
expect_status 2 "negative local optimizer threads"
expect_err "local-optimizer-threads must be from 0" "negative threads message"
run server --embedded-optimizer-threads -1
expect_err "local-optimizer-threads must be from 0" "deprecated alias still parsed"

# ==== End to end ====
META=$("$GEN" "$TMP/lake/t" 14 50) || { echo "FAIL: gen_small_table" >&2; exit 1; }
start_server "$TMP/data" --local-optimizer-threads 1
req POST /v1/namespaces '{"namespace":["db"]}'
expect 200 "create namespace"
req POST /v1/namespaces/db/register "{\"name\":\"t\",\"metadata-location\":\"$META\"}"
expect 200 "register table"

status=""
for _ in $(seq 1 300); do
    req GET /api/v1/optimizing/tables/default/db/t/processes
    status=$(jq -r '[.processes[]? | .status] | first // ""' <<<"$BODY" 2>/dev/null)
    case "$status" in
    SUCCESS | success | FAILED | failed) break ;;
    esac
    sleep 0.2
done
[ "${status,,}" = success ] || check_fail "optimizing process status '$status'"

req GET /v1/namespaces/db/tables/t
expect 200 "load table"
expect_jq '.metadata.snapshots[-1].summary.operation' replace "last snapshot is the rewrite"
expect_jq '.metadata.snapshots[-1].summary["total-data-files"]' 1 "one data file after compaction"
expect_jq '.metadata.snapshots[-1].summary["total-records"]' 699 "rows after compaction (700 - 1)"
grep -q 'component=optimizer.*registered with group default' "$TMP/server.log" ||
    check_fail "the embedded optimizer did not register"
grep -q 'msg="done in' "$TMP/server.log" || check_fail "the embedded optimizer ran no task"

# A standalone worker registers with the same server and stops cleanly on SIGTERM.
"$FLOE" optimizer --server "$BASE" --threads 2 --memory 512 --resource-id standalone \
    >"$TMP/opt.log" 2>&1 &
OPT_PID=$!
for _ in $(seq 1 100); do
    req GET /api/v1/optimizers
    [ "$(jq -r '[.optimizers[] | select(."resource-id" == "standalone")] | length' <<<"$BODY")" = 1 ] && break
    sleep 0.1
done
expect_jq '[.optimizers[] | select(."resource-id" == "standalone") | .threads] | first' 2 \
    "standalone optimizer registered with 2 threads"
expect_jq '[.optimizers[] | select(."resource-id" == "standalone") | ."memory-mb"] | first' 512 \
    "--memory is reported at registration"
# Its two threads' polls are held by the server (long-poll, 10 s): SIGTERM must not wait for them.
sleep 1
STOP_START=$(date +%s%N)
kill -TERM "$OPT_PID"
wait "$OPT_PID"
[ $? = 0 ] || check_fail "floe optimizer exit status after SIGTERM"
STOP_MS=$((($(date +%s%N) - STOP_START) / 1000000))
[ "$STOP_MS" -lt 3000 ] || check_fail "floe optimizer took $STOP_MS ms to stop during a long-poll"
grep -q 'stopped: 0 tasks done' "$TMP/opt.log" || check_fail "floe optimizer stop line"

# The embedded optimizer's poll is held too: the server (optimizer first) stops without waiting.
STOP_START=$(date +%s%N)
stop_server TERM
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS"
STOP_MS=$((($(date +%s%N) - STOP_START) / 1000000))
[ "$STOP_MS" -lt 4000 ] || check_fail "the server took $STOP_MS ms to stop during a long-poll"
[ "$FAILURES" = 0 ] || { tail -40 "$TMP/server.log" >&2; exit 1; }
finish
