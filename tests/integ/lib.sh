#!/usr/bin/env bash
# Helpers for floe's shell integration tests: run floe, check exit status and output.
# Each test script sources this file; $FLOE is the binary under test (set by ctest).
set -uo pipefail
: "${FLOE:?FLOE must point at the floe binary}"
FAILURES=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/floe-integ-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# run ARGS...: runs floe, leaving $STATUS, $OUT and $ERR.
run() {
    "$FLOE" "$@" >"$TMP/out" 2>"$TMP/err"
    STATUS=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

fail() {
    echo "FAIL: $*" >&2
    echo "  status: $STATUS" >&2
    echo "  stdout: ${OUT:0:2000}" >&2
    echo "  stderr: ${ERR:0:2000}" >&2
    FAILURES=$((FAILURES + 1))
}

expect_status() { [ "$STATUS" -eq "$1" ] || fail "expected exit status $1 ($2)"; }
expect_out() { grep -qE -- "$1" <<<"$OUT" || fail "stdout lacks /$1/ ($2)"; }
expect_err() { grep -qE -- "$1" <<<"$ERR" || fail "stderr lacks /$1/ ($2)"; }
expect_no_out() { [ -z "$OUT" ] || fail "expected empty stdout ($1)"; }

finish() {
    if [ "$FAILURES" -gt 0 ]; then
        echo "$FAILURES check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
