#!/usr/bin/env bash
# Helpers for the server's integration tests (sourced after ../lib.sh): start and stop a real
# `floe server` on a free port, send requests with curl, check statuses and JSON with jq.

# start_server DATA_DIR [floe server options...]: starts the server in the background on
# 127.0.0.1 with a port it picks itself; sets SERVER_PID, PORT and BASE. Fails the test (and
# exits) when the server does not come up.
start_server() {
    local dir=$1
    shift
    rm -f "$TMP/port"
    "$FLOE" server --data-dir "$dir" --listen 127.0.0.1:0 --port-file "$TMP/port" "$@" \
        >>"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if [ -s "$TMP/port" ]; then
            PORT=$(cat "$TMP/port")
            BASE="http://127.0.0.1:$PORT"
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    echo "FAIL: the server did not start" >&2
    cat "$TMP/server.log" >&2
    exit 1
}

# stop_server [SIGNAL]: signal the server (TERM by default) and wait for it; sets SERVER_STATUS.
stop_server() {
    kill "-${1:-TERM}" "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID"
    SERVER_STATUS=$?
}

# req METHOD PATH [BODY] [curl options...]: sets CODE, BODY and HDRS (the response headers).
req() {
    local method=$1 path=$2 body=${3-}
    shift 3 2>/dev/null || shift $#
    local args=(-s --path-as-is -o "$TMP/body" -D "$TMP/hdrs" -w '%{http_code}')
    if [ "$method" = HEAD ]; then
        args+=(-I)
    else
        args+=(-X "$method")
    fi
    if [ -n "$body" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
    rm -f "$TMP/body" "$TMP/hdrs"
    CODE=$(curl "${args[@]}" "$@" "$BASE$path")
    BODY=$(cat "$TMP/body" 2>/dev/null)
    HDRS=$(tr -d '\r' <"$TMP/hdrs" 2>/dev/null)
}

check_fail() {
    echo "FAIL: $*" >&2
    echo "  request answered $CODE: ${BODY:0:600}" >&2
    FAILURES=$((FAILURES + 1))
}

# expect CODE WHAT: the last response had this HTTP status.
expect() { [ "$CODE" = "$1" ] || check_fail "$2: expected HTTP $1"; }

# expect_jq FILTER VALUE WHAT: jq -r FILTER of the last body prints VALUE.
expect_jq() {
    local got
    got=$(jq -r "$1" <<<"$BODY" 2>/dev/null)
    [ "$got" = "$2" ] || check_fail "$3: $1 is '$got', expected '$2'"
}

# expect_error CODE TYPE WHAT: an ErrorModel body with this code and type.
expect_error() {
    expect "$1" "$3"
    expect_jq '.error.code' "$1" "$3 (error.code)"
    expect_jq '.error.type' "$2" "$3 (error.type)"
    expect_jq '.error.message | length > 0' true "$3 (error.message)"
}

# expect_header REGEX WHAT
expect_header() { grep -qiE -- "$1" <<<"$HDRS" || check_fail "$2: no header matching /$1/"; }

# A minimal metadata file for register: table-location LOCATION, written to FILE.
write_metadata() {
    mkdir -p "$(dirname "$1")"
    printf '{"format-version":2,"table-uuid":"%s","location":"%s","last-sequence-number":0,"last-updated-ms":1700000000000,"last-column-id":1,"current-schema-id":0,"schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]}],"default-spec-id":0,"partition-specs":[{"spec-id":0,"fields":[]}],"last-partition-id":999,"default-sort-order-id":0,"sort-orders":[{"order-id":0,"fields":[]}],"properties":{},"current-snapshot-id":-1,"refs":{},"snapshots":[],"snapshot-log":[],"metadata-log":[]}' \
        "$(cat /proc/sys/kernel/random/uuid)" "$2" >"$1"
}
